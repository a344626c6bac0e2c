"""
Resolve recognised mentions to gazetteer places using the whole story as context.

Each candidate's score is its context-free prior (population, feature kind)
plus evidence from the document:

- **country context**: countries the story names or whose people it names
  (demonyms), weighted by how often, not counting the mention itself;
- **containment**: "Osh, Kyrgyzstan" or "Portland, Oregon" restrict the first
  name to the second;
- **area names**: a country, capital, continent or macro-region name means that
  area unless the text says otherwise (the "Mexico is not Mexico, Missouri"
  rule); a region phrase ("the Osh region") asks for the region;
- **coherence**: places near the story's other confidently placed places win
  (a story stays in one region).

One sense per discourse: every mention of one name in one role shares its
resolution. Each resolution carries its score, runner-up candidates and a
short reason, logged at DEBUG.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from geomap.geo import haversine_km
from geomap.names import normalize_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geomap.gazetteer import Gazetteer
    from geomap.model import Candidate, Place
    from geomap.toponyms import Mention

__all__ = [
    "Resolution",
    "geo_precision",
    "is_metonymic",
    "resolve_mentions",
    "where_precision",
]

logger = logging.getLogger(__name__)

Role = Literal["place", "region", "demonym"]
TOP_K = 30
"""Candidates considered per name."""
SOFTMAX_TEMPERATURE = 0.12

_AREA_BONUS = 0.3
_COUNTRY_BONUS = 0.6
_CITY_POPULATION = 100_000
"""A same-named town at least this big outranks its admin-1 region even when their codes differ."""
_EXACT_BONUS = 0.15
_HINT_BONUS = 0.6
KNOWN_ABROAD_POPULATION = 100_000
"""With a country hint, a place abroad is kept only when it has no namesake in the country and is this large
(or a capital)."""
_COHERENCE_BONUS = 0.3
_COHERENCE_KM = 300.0
_ADMIN1_BONUS = 0.1

_REGION_BEFORE = re.compile(r"\b(?:region|province|oblast|state|district|governorate|county|prefecture)\s+of\s+$", re.I)
_REGION_AFTER = re.compile(r"^\s+(?:region|province|oblast|governorate|prefecture|district)\b", re.I)
_SPEECH = (
    r"(?:says|said|say|has said|had said|announced|has announced|called|calls|has called|have called|urged|urges|"
    r"warned|warns|refused|refuses|rejected|rejects|denied|denies|accused|accuses|condemned|condemns|insists|"
    r"insisted|claimed|claims|agreed|agrees|wants|wanted|threatened|threatens|demanded|demands|responded|"
    r"protested|vowed|pledged|offered|promised|criticized|criticised|welcomed|recognized|recognised|imposed|"
    r"sanctioned|signed|voted|decided|declined|expelled|summoned|believes|hopes|fears|would|will|has been|has)"
)
_FEATURE_WORD = re.compile(
    r"^\s+(?:town|city|village|villages|district|municipality|township|area|camp|county|province|region|state|"
    r"governorate|LGA|upazila|kebele|woreda|commune|sector|neighbou?rhood|locality|barangay)(?=\s*[,(]|\s+in\s)"
)
_IN_CONTAINER = re.compile(r"\s+in\s+(?:the\s+)?")
_METONYMY_AFTER = re.compile(
    r"^(?:\s+and\s+[A-Z][\w.-]+)?\s+(?:also\s+|has\s+|have\s+|had\s+)?" + _SPEECH + r"\b", re.I
)
_METONYMY_BEFORE = re.compile(
    r"(?:\b(?:statement|statements|officials?|government|authorities|leaders?|spokes(?:wo)?man|spokesperson|embassy|"
    r"ministry|envoy|diplomats?|talks|relations|ties|sanctions|pressure|support|help|aid)\s+(?:from|of|with|by|on|"
    r"between)"
    # "the government in Kabul" is Kabul speaking; "the embassy in Canberra", "talks in Geneva" happen there.
    r"|\b(?:government|authorities|leaders(?:hip)?|regime)\s+in)\s+(?:the\s+)?$",
    re.I,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """Where a mention was resolved to, how sure, and why."""

    mention: Mention
    """The mention resolved."""
    place: Place | None
    """The chosen place, or None when no candidate fits."""
    score: float
    """Confidence in [0, 1] (share of the evidence the chosen place holds)."""
    reason: str
    """Short account of the evidence, e.g. ``"prior .71 + country KG .43 + near .28"``."""
    alternatives: tuple[Candidate, ...] = ()
    """Runner-up candidates, best first (at most 3)."""
    role: Role = "place"
    """``place``, ``region`` (asked for an area: "the Osh region") or ``demonym``."""
    metonymic: bool = False
    """True when the name stands for its government or people ("Moscow says no")."""
    seat: Place | None = None
    """For a region, the town of the same name inside it that stands for it as a point
    (ACLED codes a region to its capital); None otherwise."""

    @property
    def point(self) -> tuple[float, float] | None:
        """Return ``(lat, lon)`` to draw: the seat of a region, else the place's own point."""
        anchor = self.seat or self.place
        return None if anchor is None else (anchor.lat, anchor.lon)

    @property
    def is_resolved(self) -> bool:
        """Return True when a place was chosen."""
        return self.place is not None


def geo_precision(place: Place) -> int:
    """
    Return ACLED's ``geo_precision`` for a place: 1 town, 2 district, 3 region.

    Parameters
    ----------
    place
        A gazetteer entry.

    Returns
    -------
    int
        1, 2 or 3.

    Examples
    --------
    >>> from geomap.model import Place
    >>> geo_precision(Place(place_id="x", geonameid=None, name="x", lat=0, lon=0, feature="A.ADM1",
    ...                     country_code="", admin1_code="", population=0, source=""))
    3
    """
    if place.feature_class in {"P", "S"}:
        return 1
    if place.feature in {"A.ADM2", "A.ADM3", "A.ADM4"} or place.feature_class in {"H", "T", "V"}:
        return 2
    return 3


def where_precision(place: Place) -> int:
    """
    Return UCDP's ``where_prec`` (1 exact … 6 country, 7 beyond one country).

    Parameters
    ----------
    place
        A gazetteer entry.

    Returns
    -------
    int
        1 town, 3 ADM2, 4 ADM1, 5 larger region or natural feature, 6 country, 7 continent.
    """
    if place.feature_class in {"P", "S"}:
        return 1
    if place.feature in {"A.ADM2", "A.ADM3", "A.ADM4"}:
        return 3
    if place.feature == "A.ADM1":
        return 4
    if place.is_country:
        return 6
    if place.feature == "L.CONT" or (place.feature == "L.RGN" and not place.country_code):
        return 7
    return 5


def is_metonymic(text: str, mention: Mention) -> bool:
    """
    Tell whether a place name stands for its government or people here.

    Parameters
    ----------
    text
        The document text.
    mention
        A place mention.

    Returns
    -------
    bool
        True for "Moscow says no", "a statement from Moscow", "Russia and China have called".

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> text = "A statement from Moscow said no."
    >>> is_metonymic(text, Mention(doc_id="", text="Moscow", start_char=17, end_char=23, kind="place", key="moscow"))
    True
    """
    after = text[mention.end_char : mention.end_char + 60]
    before = text[max(0, mention.start_char - 60) : mention.start_char]
    return bool(_METONYMY_AFTER.match(after) or _METONYMY_BEFORE.search(before))


def _role(text: str, mention: Mention) -> Role:
    if mention.kind == "demonym":
        return "demonym"
    before = text[max(0, mention.start_char - 40) : mention.start_char]
    after = text[mention.end_char : mention.end_char + 20]
    if _REGION_BEFORE.search(before) or _REGION_AFTER.match(after):
        return "region"
    return "place"


def _area_bonus(cand: Candidate, cands: Sequence[Candidate], key: str) -> float:
    """
    Return the bonus for a name that means an area: a country name is a country.

    Countries get the large bonus unless another candidate bears the name as its
    own main name (then "Tunis" stays the city, not Tunisia's alias); capitals,
    continents and macro-regions the normal one; an admin-1 region too, unless
    a town of its country shares its name (Osh the city, not Osh Oblast).
    """
    place = cand.place
    if place.is_country:
        own = normalize_name(place.name) == key
        rival = any(c is not cand and normalize_name(c.place.name) == key for c in cands)
        return _COUNTRY_BONUS if own or not rival else 0.0
    if place.feature in {"L.CONT", "L.RGN", "P.PPLC"}:
        return _AREA_BONUS
    # A town of the same name inside it, or a city of the same name in its country (Spain's Natural Earth regions
    # are provinces whose codes GeoNames towns do not carry), is what a bare name means: "protested in Barcelona".
    # Small same-named towns elsewhere in the country (Wyoming, Michigan) leave the state its bonus.
    if place.feature == "A.ADM1" and not any(
        c.place.feature_class == "P"
        and c.place.country_code == place.country_code
        and (c.place.admin1_code == place.admin1_code or c.place.population >= _CITY_POPULATION)
        and c.place.population > 0
        for c in cands
    ):
        return _AREA_BONUS
    return 0.0


def _seat(cand: Candidate, cands: Sequence[Candidate]) -> Place | None:
    """Return the most populous same-named town inside a chosen admin-1 region."""
    if cand.place.feature != "A.ADM1":
        return None
    towns = [c.place for c in cands if c.place.feature_class == "P" and c.place.admin1_code == cand.place.admin1_code]
    return max(towns, key=lambda p: p.population) if towns else None


def _softmax_share(scores: Sequence[float]) -> float:
    top = max(scores)
    weights = [math.exp((s - top) / SOFTMAX_TEMPERATURE) for s in scores]
    return 1.0 / sum(weights)


@dataclass(slots=True)
class _Group:
    """All mentions of one name in one role."""

    key: str
    role: Role
    indices: list[int]
    cands: list[Candidate]
    every: list[Candidate]
    surfaces: set[str]
    hint_countries: set[str]
    hint_admin1: set[str]


def resolve_mentions(
    mentions: Sequence[Mention], text: str, gazetteer: Gazetteer, *, country: str = ""
) -> list[Resolution]:
    """
    Resolve every mention of a document, using the others as context.

    Parameters
    ----------
    mentions
        Recognised mentions in text order.
    text
        The document text (for roles, containment and metonymy).
    gazetteer
        The name index.
    country
        ISO alpha-2 code of the country the source says the text is about ("" when unknown):
        candidates outside it are vetoed unless the text names another country for that place
        or no candidate lies inside it.

    Returns
    -------
    list of Resolution
        One per mention, in the same order.
    """
    demonyms = gazetteer.demonyms
    groups: dict[tuple[str, Role], _Group] = {}
    roles = [_role(text, m) for m in mentions]
    for idx, (mention, role) in enumerate(zip(mentions, roles, strict=True)):
        group = groups.get((mention.key, role))
        if group is None:
            every = (
                []
                if role == "demonym"
                else [c for c in gazetteer.lookup(mention.text) if not c.is_code_only(mention.text)][:TOP_K]
            )
            cands = every
            if role == "region":
                areas = [c for c in every if c.place.feature in {"A.ADM1", "A.ADM2", "L.RGN"}]
                cands = areas or every
            group = _Group(mention.key, role, [], cands, every, set(), set(), set())
            groups[(mention.key, role)] = group
        group.indices.append(idx)
        group.surfaces.add(mention.text)
    _add_containment_hints(mentions, text, groups, roles)
    if country:
        for group in groups.values():
            if group.hint_countries - {country}:
                continue  # the text puts this place in another country
            inside = [c for c in group.cands if c.place.country_code == country or c.place.is_country]
            if not inside:
                # Nothing of that name in the country: only a place known abroad by name alone ("and in Moscow")
                # may be meant; a village abroad is a namesake of one the gazetteer lacks.
                inside = [c for c in group.cands if _known_abroad(c.place)]
            if len(inside) < len(group.cands):
                group.cands = inside

    # Country context: how often each country is named (as a country or by its people).
    mentions_of_country: Counter[str] = Counter()
    if country:
        mentions_of_country[country] += 1
    by_group_country: dict[tuple[str, Role], str] = {}
    for gkey, group in groups.items():
        code = ""
        if group.role == "demonym":
            code = demonyms.get(group.key, "")
            code = code if ":" not in code else ""
        elif group.cands and group.cands[0].place.is_country:
            code = group.cands[0].place.country_code
        if code:
            by_group_country[gkey] = code
            mentions_of_country[code] += len(group.indices)

    chosen: dict[tuple[str, Role], tuple[Candidate | None, float, str, tuple[Candidate, ...]]] = {}
    anchors: list[tuple[tuple[str, Role], Place]] = []
    admin1_counts: Counter[str] = Counter()
    for rnd in range(2):
        for gkey, group in groups.items():
            if group.role == "demonym":
                continue
            own = by_group_country.get(gkey)
            counts = mentions_of_country.copy()
            if own:
                counts[own] -= len(group.indices)
            total = sum(v for v in counts.values() if v > 0)
            chosen[gkey] = _score_group(group, counts, total, anchors if rnd else [], admin1_counts, gkey)
        if rnd == 0:
            for gkey, (cand, conf, _, _) in chosen.items():
                if cand is not None and conf >= 0.6 and not cand.place.is_country and cand.place.feature != "L.CONT":
                    anchors.append((gkey, cand.place))
                    if cand.place.admin1_code:
                        admin1_counts[cand.place.admin1_code] += 1

    results: list[Resolution] = []
    for mention, role in zip(mentions, roles, strict=True):
        gkey = (mention.key, role)
        if role == "demonym":
            code = demonyms.get(mention.key, "")
            place = gazetteer.resolve_code(code) if code else None
            results.append(
                Resolution(
                    mention=mention,
                    place=place,
                    score=1.0 if place else 0.0,
                    reason=f"demonym of {code}" if code else "unknown demonym",
                    role=role,
                )
            )
            continue
        cand, conf, reason, runners = chosen[gkey]
        seat = _seat(cand, groups[gkey].every) if cand else None
        res = Resolution(
            mention=mention,
            place=cand.place if cand else None,
            score=round(conf, 4),
            reason=reason,
            alternatives=runners,
            role=role,
            metonymic=bool(cand) and is_metonymic(text, mention),
            seat=seat,
        )
        logger.debug(
            "%s %r -> %s (%.2f): %s",
            mention.doc_id,
            mention.text,
            res.place.place_id if res.place else None,
            res.score,
            reason,
        )
        results.append(res)
    return results


def _known_abroad(place: Place) -> bool:
    """Tell whether a place is known well enough to be named without its country: a capital or a large city."""
    return place.feature in {"P.PPLC", "L.CONT"} or place.population >= KNOWN_ABROAD_POPULATION


def _add_containment_hints(
    mentions: Sequence[Mention], text: str, groups: dict[tuple[str, Role], _Group], roles: Sequence[Role]
) -> None:
    """
    Record containment: "X, Y" and "X (Z, Y)" say X is inside Y when Y is a country or admin-1 region.

    Parenthesised lists (ACLED style: "Ndimo (Irumu, Ituri)") name larger and larger areas.
    """
    for k in range(len(mentions) - 1):
        first = mentions[k]
        containers: list[int] = []
        gap = text[first.end_char : mentions[k + 1].start_char]
        # "Kartal town, Istanbul", "Baraka city (Fizi, Sud-Kivu)": a feature word may stand between.
        gap = _FEATURE_WORD.sub("", gap, count=1)
        if gap in {", ", ","}:
            containers.append(k + 1)
        elif _IN_CONTAINER.fullmatch(gap):
            # "Zhezkazgan township in Qaraghandy region", "Osh in Kyrgyzstan": only when the second is an area.
            nxt = groups[(mentions[k + 1].key, roles[k + 1])]
            if nxt.cands and (nxt.role == "region" or nxt.cands[0].place.feature_class in {"A", "L"}):
                containers.append(k + 1)
        elif gap.strip() in {"(", "-", "–"} or re.fullmatch(r"\s*\(\s*", gap):
            close = text.find(")", first.end_char)
            j = k + 1
            while j < len(mentions) and close != -1 and mentions[j].start_char < close:
                containers.append(j)
                j += 1
        group = groups[(first.key, roles[k])]
        for j in containers:
            second = mentions[j]
            if second.kind != "place":
                continue
            container = groups[(second.key, roles[j])]
            if container is group:
                continue  # "Rabat (Rabat)": a town in its same-named region says nothing about which one
            for cand in container.cands[:5]:
                if cand.place.is_country:
                    group.hint_countries.add(cand.place.country_code)
                elif cand.place.feature == "A.ADM1":
                    group.hint_admin1.add(cand.place.admin1_code)
                    group.hint_countries.add(cand.place.country_code)


def _score_group(
    group: _Group,
    counts: Counter[str],
    total: int,
    anchors: Sequence[tuple[tuple[str, Role], Place]],
    admin1_counts: Counter[str],
    gkey: tuple[str, Role],
) -> tuple[Candidate | None, float, str, tuple[Candidate, ...]]:
    if not group.cands:
        return None, 0.0, "no gazetteer candidate", ()
    hinted = bool(group.hint_countries or group.hint_admin1)
    scored: list[tuple[float, str, Candidate]] = []
    for cand in group.cands:
        place = cand.place
        parts = [f"prior {cand.prior:.2f}"]
        score = cand.prior
        share = counts.get(place.country_code, 0) / total if total else 0.0
        if share > 0:
            bonus = 0.15 + 0.35 * share
            score += bonus
            parts.append(f"country {place.country_code} {bonus:.2f}")
        # A country is never inside a named container: the hint is for the places within it.
        if (
            hinted
            and not place.is_country
            and (place.country_code in group.hint_countries or place.admin1_code in group.hint_admin1)
        ):
            score += _HINT_BONUS
            parts.append("inside the named container")
        elif not hinted and (area := _area_bonus(cand, group.cands, group.key)):
            score += area
            parts.append(f"area name {area:.2f}")
        if group.surfaces.intersection(cand.spellings):
            score += _EXACT_BONUS
            parts.append("exact spelling")
        if place.admin1_code and admin1_counts.get(place.admin1_code):
            score += _ADMIN1_BONUS
            parts.append(f"region {place.admin1_code}")
        near = [haversine_km(place.lat, place.lon, p.lat, p.lon) for k, p in anchors if k != gkey]
        if near:
            closeness = _COHERENCE_BONUS * math.exp(-min(near) / _COHERENCE_KM)
            if closeness > 0.01:
                score += closeness
                parts.append(f"near {min(near):.0f} km {closeness:.2f}")
        scored.append((score, " + ".join(parts), cand))
    scored.sort(key=lambda x: (-x[0], x[2].place.place_id))
    best_score, reason, best = scored[0]
    conf = _softmax_share([s for s, _, _ in scored])
    runners = tuple(c for _, _, c in scored[1:4])
    return best, conf, f"{reason} = {best_score:.2f}", runners
