"""
Where a source's stories usually are: the region hint and the feed focus.

A resolver reading one report alone cannot know that "Paris" in a Kentucky paper is
probably Paris, Kentucky, or that "Western Province" on a Sri Lankan desk is Sri Lanka's.
Two soft priors say it, both as an :class:`AreaPrior` (shares of countries and admin-1
regions) that the resolver reads as two fitted features (``prior_country``,
``prior_admin1``; :mod:`geomap.resolver_model`):

- the **region hint**: ``--region`` or a ``region`` key of a JSON Lines document names the
  countries or admin-1 regions the texts are about (``"Osh Region"``, ``"KG"``,
  ``"Sri Lanka; Tamil Nadu"``); every named area gets share 1;
- the **feed focus**: a batch of reports from one outlet (documents sharing a ``feed`` or
  ``outlet`` key, or the host of their ``url``, else the whole batch) learns its home from
  its own confident answers. Each report votes with the countries and admin-1 regions of
  the places it resolves confidently in its lead (:data:`VOTE_CHARS`, read the fast way,
  gazetteer only); a report's prior is the mean vote of the *other* reports of its feed,
  shrunk towards nothing by :data:`SHRINK` pseudo-reports, so a small or scattered feed
  gives a weak prior and a report never votes for itself.

Unlike ``--country``, neither prior vetoes anything: the text's own evidence (a named
country, a container, nearby places) outweighs them, by weights fitted in
``scripts/fit_resolver.py``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from geomap.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from geomap.gazetteer import Gazetteer
    from geomap.ingest import Document
    from geomap.model import Place
    from geomap.resolver_model import ResolverModel

__all__ = [
    "AreaPrior",
    "Vote",
    "document_vote",
    "feed_key",
    "feed_priors",
    "region_prior",
    "with_feed_focus",
]

logger = logging.getLogger(__name__)

VOTE_CHARS = 800
"""How much of each report (its lead, where a story says where it is) the feed focus reads."""
SHRINK = 2.0
"""Pseudo-reports from nowhere added to every feed: two reports alone give each other at most 1/3."""
WINDOW = 500
"""Reports read ahead at a time; later windows also count the votes of earlier ones."""
FEED_KEYS = ("feed", "outlet")
"""Document keys (JSON Lines) naming the outlet a report comes from."""


@dataclass(frozen=True, slots=True)
class AreaPrior:
    """Shares of countries (ISO alpha-2) and admin-1 regions (``"KG.08"``) where a source's stories are."""

    countries: dict[str, float] = field(default_factory=dict)
    admin1: dict[str, float] = field(default_factory=dict)
    about: str = ""
    """Where it comes from, for the resolver's reasons ("region hint", "feed focus of 40 reports")."""
    places: tuple[Place, ...] = ()
    """A region hint's admin-1 regions (the resolver reads them as the story's confident places)."""

    def country_share(self, code: str) -> float:
        """Return the share of a country (0 when unknown)."""
        return self.countries.get(code, 0.0) if code else 0.0

    def admin1_share(self, code: str) -> float:
        """Return the share of an admin-1 region (0 when unknown)."""
        return self.admin1.get(code, 0.0) if code else 0.0

    def __bool__(self) -> bool:
        """Tell whether the prior says anything."""
        return bool(self.countries or self.admin1)


@dataclass(frozen=True, slots=True)
class Vote:
    """One report's vote: the shares of its confident places by country and by admin-1 region."""

    countries: dict[str, float]
    admin1: dict[str, float]


def region_prior(value: str, gazetteer: Gazetteer) -> AreaPrior:
    """
    Read a region hint: countries or admin-1 regions, separated by ``;`` or ``,``.

    Parameters
    ----------
    value
        E.g. ``"Osh Region"``, ``"KG"``, ``"Sri Lanka; Tamil Nadu"``; "" for none.
    gazetteer
        The name index.

    Returns
    -------
    AreaPrior
        Share 1 for every named country, and for every named admin-1 region and its country.

    Raises
    ------
    InputError
        When a part names no country or admin-1 region (a macro-region: name its countries).

    Examples
    --------
    >>> from geomap.gazetteer import load_gazetteer
    >>> prior = region_prior("Osh Region", load_gazetteer())
    >>> prior.countries, sorted(prior.admin1)
    ({'KG': 1.0}, ['KG.08'])
    """
    countries: dict[str, float] = {}
    admin1: dict[str, float] = {}
    places: list[Place] = []
    for part in (p.strip() for p in value.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            code = gazetteer.country_code(part)
        except InputError:
            code = ""
        if code:
            countries[code] = 1.0
            continue
        areas = gazetteer.lookup(part, features=["A.ADM1", "A.ADM2", "L.RGN"], limit=5)
        areas = [c for c in areas if c.place.country_code]
        if not areas:
            msg = (
                f"--region {part!r}: no country or admin-1 region of that name; "
                "give countries or admin-1 regions (ISO codes work), separated by ';'."
            )
            raise InputError(msg)
        place = areas[0].place
        countries[place.country_code] = 1.0
        if place.admin1_code:
            admin1[place.admin1_code] = 1.0
            places.append(place)
    return AreaPrior(countries, admin1, "region hint", tuple(places)) if countries else AreaPrior()


def feed_key(doc: Document) -> str:
    """
    Return the outlet a report comes from: its ``feed`` or ``outlet`` key, else its URL's host, else "".

    Examples
    --------
    >>> from geomap.ingest import Document
    >>> feed_key(Document(doc_id="1", text="", extra={"url": "https://www.example.org/a/1"}))
    'example.org'
    """
    for key in FEED_KEYS:
        value = doc.extra.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().casefold()
    url = doc.extra.get("url")
    if isinstance(url, str) and url:
        host = urlparse(url).hostname or ""
        return host.removeprefix("www.")
    return ""


def document_vote(doc: Document, gazetteer: Gazetteer, *, model: ResolverModel | None = None) -> Vote:
    """
    Return the countries and admin-1 regions of the places a report's lead resolves confidently.

    The lead (:data:`VOTE_CHARS`) is read the fast way (gazetteer names, no spaCy), with the
    document's country hint but no area prior; each confident place counts once per mention.
    """
    from geomap.resolve import CONFIDENT, resolve_mentions
    from geomap.toponyms import extract_mentions

    lead = doc.text[:VOTE_CHARS]
    hint = gazetteer.country_code(doc.country) if doc.country else ""
    mentions = extract_mentions(lead, gazetteer, doc_id=doc.doc_id)
    countries: Counter[str] = Counter()
    admin1: Counter[str] = Counter()
    for res in resolve_mentions(mentions, lead, gazetteer, country=hint, model=model):
        place = res.place
        if place is None or res.role == "demonym" or res.score < CONFIDENT or not place.country_code:
            continue
        countries[place.country_code] += 1
        if place.admin1_code and not place.is_country:
            admin1[place.admin1_code] += 1
    total = sum(countries.values())
    if not total:
        return Vote({}, {})
    return Vote({k: v / total for k, v in countries.items()}, {k: v / total for k, v in admin1.items()})


def feed_priors(votes: list[Vote], *, earlier: tuple[Counter[str], Counter[str], int] | None = None) -> list[AreaPrior]:
    """
    Give each report of one feed the mean vote of the others, shrunk by :data:`SHRINK`.

    Parameters
    ----------
    votes
        The votes of the feed's reports (a report whose lead names no place votes for nothing).
    earlier
        Summed country and admin-1 votes and the number of reports of this feed read before.

    Returns
    -------
    list of AreaPrior
        One per vote, in the same order (empty when no other report voted).

    Examples
    --------
    >>> votes = [Vote({"KG": 1.0}, {"KG.08": 1.0})] * 3 + [Vote({"UZ": 1.0}, {})]
    >>> [round(p.country_share("KG"), 2) for p in feed_priors(votes)]
    [0.4, 0.4, 0.4, 0.6]
    """
    countries: Counter[str] = Counter()
    admin1: Counter[str] = Counter()
    voters = 0
    if earlier is not None:
        countries.update(earlier[0])
        admin1.update(earlier[1])
        voters = earlier[2]
    for vote in votes:
        countries.update(vote.countries)
        admin1.update(vote.admin1)
        voters += bool(vote.countries)
    out = []
    for vote in votes:
        others = voters - bool(vote.countries)
        if others <= 0:
            out.append(AreaPrior())
            continue
        scale = 1.0 / (others + SHRINK)
        shares_c = {k: round((v - vote.countries.get(k, 0.0)) * scale, 4) for k, v in countries.items()}
        shares_a = {k: round((v - vote.admin1.get(k, 0.0)) * scale, 4) for k, v in admin1.items()}
        out.append(
            AreaPrior(
                {k: v for k, v in shares_c.items() if v > 0},
                {k: v for k, v in shares_a.items() if v > 0},
                f"feed focus of {others} other reports",
            )
        )
    return out


def with_feed_focus(
    docs: Iterable[Document], gazetteer: Gazetteer, *, window: int = WINDOW, model: ResolverModel | None = None
) -> Iterator[Document]:
    """
    Give each report its feed's focus (:attr:`geomap.ingest.Document.prior`), in input order.

    Reports are read ahead :data:`WINDOW` at a time; a report's prior counts the votes of every
    other report of its feed read so far and of its own window. A batch of one report is
    passed through untouched. Deterministic for a given input order.
    """
    totals: dict[str, tuple[Counter[str], Counter[str], int]] = defaultdict(lambda: (Counter(), Counter(), 0))
    batch: list[Document] = []
    first = True
    for doc in docs:
        batch.append(doc)
        if len(batch) >= window:
            yield from _focus_window(batch, gazetteer, totals, model)
            batch = []
            first = False
    if first and len(batch) <= 1:
        yield from batch
        return
    yield from _focus_window(batch, gazetteer, totals, model)


def _focus_window(
    batch: list[Document],
    gazetteer: Gazetteer,
    totals: dict[str, tuple[Counter[str], Counter[str], int]],
    model: ResolverModel | None,
) -> Iterator[Document]:
    by_feed: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(batch):
        by_feed[feed_key(doc)].append(i)
    priors: dict[int, AreaPrior] = {}
    for key, idx in by_feed.items():
        votes = [document_vote(batch[i], gazetteer, model=model) for i in idx]
        earlier = totals[key]
        for i, prior in zip(idx, feed_priors(votes, earlier=earlier), strict=True):
            priors[i] = prior
        countries = Counter(earlier[0])
        admin1 = Counter(earlier[1])
        for vote in votes:
            countries.update(vote.countries)
            admin1.update(vote.admin1)
        totals[key] = (countries, admin1, earlier[2] + sum(bool(v.countries) for v in votes))
    for i, doc in enumerate(batch):
        learned = priors.get(i)
        yield replace(doc, prior=learned) if learned else doc
