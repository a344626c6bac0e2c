"""
Geoparse one document: recognise, resolve, and read border phrases.

:func:`geoparse_document` is a pure function of one document and the shared,
read-only gazetteer, so batches map onto a process pool or a Dask cluster
unchanged (:func:`geoparse_documents`).
"""

from __future__ import annotations

import re
import sys
import types
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geomap.focus import region_prior
from geomap.names import normalize_name
from geomap.ner import organisation_abbreviations
from geomap.nlp import transient_strings
from geomap.resolve import Resolution, geo_precision, resolve_mentions, where_precision
from geomap.toponyms import Mention, MentionKind, extract_mentions

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from geomap.gazetteer import Gazetteer
    from geomap.ingest import Document

__all__ = [
    "BorderMention",
    "ParsedDocument",
    "geoparse_document",
    "geoparse_documents",
    "parsed_to_json",
    "story_countries",
]

_BORDER_BEFORE = re.compile(r"\bborders?\s+(?:with|between)\s+(?:the\s+)?$", re.I)
_BORDER_AFTER = re.compile(r"^(?:['’]s)?\s+(?:frontier|border)s?\b", re.I)
_PAIR_BEFORE = re.compile(r"[-–/]$")


@dataclass(frozen=True, slots=True, kw_only=True)
class BorderMention:
    """A phrase naming a land border: "the border with Uzbekistan", "the Kyrgyz-Uzbek border"."""

    doc_id: str
    """The document it is in."""
    text: str
    """The phrase: ``document.text[start_char:end_char]``."""
    start_char: int
    """Start offset."""
    end_char: int
    """End offset, exclusive."""
    country_codes: tuple[str, str]
    """The two countries, the story's own first when it was inferred."""
    inferred: bool
    """True when one country was not named but taken from the story ("the border with Uzbekistan")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedDocument:
    """The places of one document."""

    doc_id: str
    """The document id."""
    resolutions: tuple[Resolution, ...]
    """Every mention with its resolution, in text order."""
    borders: tuple[BorderMention, ...] = ()
    """Border phrases, in text order."""

    def places(self) -> list[Resolution]:
        """
        Return the literal place mentions (no demonyms, no metonymic uses).

        Returns
        -------
        list of Resolution
            Mentions that put something on the map.
        """
        return [r for r in self.resolutions if r.role != "demonym" and not r.metonymic]


def story_countries(resolutions: Sequence[Resolution]) -> Counter[str]:
    """
    Count how often each country is present in a story, by name, people or places.

    Parameters
    ----------
    resolutions
        The resolutions of one document.

    Returns
    -------
    Counter
        ISO alpha-2 code -> weight (country names and demonyms 1, other places 0.5).
    """
    counts: Counter[str] = Counter()
    for res in resolutions:
        if res.place is None or not res.place.country_code:
            continue
        weight = 1.0 if res.place.is_country or res.role == "demonym" else 0.5
        counts[res.place.country_code] += weight  # type: ignore[assignment]
    return counts


def _country_of(res: Resolution) -> str:
    place = res.place
    if place is None or not (place.is_country or res.role == "demonym"):
        return ""
    return place.country_code


def find_borders(text: str, resolutions: Sequence[Resolution], doc_id: str = "") -> list[BorderMention]:
    """
    Find border phrases and the two countries each one joins.

    Parameters
    ----------
    text
        The document text.
    resolutions
        Resolved mentions of the document, in text order.
    doc_id
        Copied into each border.

    Returns
    -------
    list of BorderMention
        One per phrase whose countries are known.
    """
    counts = story_countries(resolutions)
    borders: list[BorderMention] = []
    for k, res in enumerate(resolutions):
        named = _country_of(res)
        if not named:
            continue
        m = res.mention
        before = text[max(0, m.start_char - 40) : m.start_char]
        after = text[m.end_char : m.end_char + 20]
        start = end = -1
        other = ""
        hit_before = _BORDER_BEFORE.search(before)
        hit_after = _BORDER_AFTER.match(after)
        if hit_before:
            start, end = m.start_char - (len(before) - hit_before.start()), m.end_char
            between = re.match(r"^\s+and\s+", text[m.end_char : m.end_char + 10])
            if between and k + 1 < len(resolutions) and _country_of(resolutions[k + 1]):
                other = _country_of(resolutions[k + 1])
                end = resolutions[k + 1].mention.end_char
        elif hit_after:
            start, end = m.start_char, m.end_char + hit_after.end()
            prev = resolutions[k - 1] if k > 0 else None
            if (
                prev is not None
                and _PAIR_BEFORE.search(text[prev.mention.end_char : m.start_char])
                and (m.start_char - prev.mention.end_char <= 2)
            ):
                other = _country_of(prev)
                start = prev.mention.start_char
        else:
            continue
        if any(b.start_char <= start < b.end_char for b in borders):
            continue
        inferred = not other
        if inferred:
            ranked = [c for c, _ in counts.most_common() if c != named]
            if not ranked:
                continue
            other = ranked[0]
        if other == named:
            continue
        borders.append(
            BorderMention(
                doc_id=doc_id,
                text=text[start:end],
                start_char=start,
                end_char=end,
                country_codes=(other, named),
                inferred=inferred,
            )
        )
    return borders


def _gold_mentions(doc: Document, spans: Iterable[tuple[int, int]], gazetteer: Gazetteer) -> list[Mention]:
    out = []
    for start, end in sorted(set(spans)):
        if not 0 <= start < end <= len(doc.text):
            continue
        surface = doc.text[start:end]
        key = normalize_name(surface)
        is_demonym = key in gazetteer.demonyms and not gazetteer.lookup(surface, features=["A.PCLI"])
        kind: MentionKind = "demonym" if is_demonym else "place"
        out.append(Mention(doc_id=doc.doc_id, text=surface, start_char=start, end_char=end, kind=kind, key=key))
    return out


def recognise_with_entities(doc: Document, gazetteer: Gazetteer, *, nlp: Any = None, sdoc: Any = None) -> list[Mention]:
    """
    Find the gazetteer's matches and let the entity recogniser veto or confirm them.

    Parameters
    ----------
    doc
        The document.
    gazetteer
        The name index.
    nlp
        A spaCy pipeline with an entity recogniser; it reads only the sentences
        that hold a match (used when ``sdoc`` is None).
    sdoc
        The document's full spaCy parse, when already made (its entities are used).

    Returns
    -------
    list of Mention
        Kept mentions in text order.
    """
    from geomap.ner import entity_spans, vet_mentions

    found = extract_mentions(doc.text, gazetteer, doc_id=doc.doc_id, max_doubt=1.0)
    if sdoc is not None:
        entities = [(ent.start_char, ent.end_char, ent.label_) for ent in sdoc.ents]
    else:
        spans = [(m.start_char, m.end_char) for m in found if m.kind != "demonym"]
        entities = entity_spans(doc.text, nlp, around=spans) if spans else []
    parsed = sdoc if sdoc is not None and sdoc.has_annotation("DEP") else None
    kept = vet_mentions(found, entities, doc.text, gazetteer.lookup, sdoc=parsed)
    return _without_abbreviations(kept, doc, gazetteer)


def _without_abbreviations(mentions: list[Mention], doc: Document, gazetteer: Gazetteer) -> list[Mention]:
    """Drop the mentions that are an organisation's short name the text defines ("Ministry of Defence (MoD)")."""
    short = organisation_abbreviations(doc.text, gazetteer.lookup)
    return [m for m in mentions if m.text not in short] if short else mentions


def mentions_with_context(
    doc: Document,
    gazetteer: Gazetteer,
    spans: Iterable[tuple[int, int]],
    *,
    nlp: Any = None,
    sdoc: Any = None,
    found: Sequence[Mention] | None = None,
) -> tuple[list[Mention], set[tuple[int, int]]]:
    """
    Return the given spans as mentions together with the places the text names elsewhere.

    Parameters
    ----------
    doc
        The document.
    gazetteer
        The name index.
    spans
        ``(start, end)`` spans to resolve.
    nlp, sdoc
        As for :func:`geoparse_document` (recognition of the other places).
    found
        The places the text names, when already recognised (``nlp`` and ``sdoc`` are then unused).

    Returns
    -------
    tuple
        Mentions in text order (given spans and recognised places that overlap none of
        them), and the set of given spans that became mentions.
    """
    gold = _gold_mentions(doc, spans, gazetteer)
    if found is None and (nlp is not None or sdoc is not None):
        found = recognise_with_entities(doc, gazetteer, nlp=nlp, sdoc=sdoc)
    elif found is None:
        found = _without_abbreviations(extract_mentions(doc.text, gazetteer, doc_id=doc.doc_id), doc, gazetteer)
    context = [m for m in found if not any(m.start_char < g.end_char and g.start_char < m.end_char for g in gold)]
    mentions = sorted([*gold, *context], key=lambda m: m.start_char)
    return mentions, {(g.start_char, g.end_char) for g in gold}


def geoparse_document(
    doc: Document,
    gazetteer: Gazetteer,
    *,
    gold_spans: Iterable[tuple[int, int]] | None = None,
    nlp: Any = None,
    sdoc: Any = None,
) -> ParsedDocument:
    """
    Find and resolve every place of one document.

    Parameters
    ----------
    doc
        The document.
    gazetteer
        The shared, read-only name index.
    gold_spans
        When given, resolve exactly these ``(start, end)`` spans and recognise nothing else.
    nlp
        Optional spaCy pipeline (:func:`geomap.ner.load_ner`) that confirms or
        vetoes the names the gazetteer doubts.
    sdoc
        The document's spaCy parse (:mod:`geomap.nlp`) when already made.

    Returns
    -------
    ParsedDocument
        Resolutions in text order and border phrases.
    """
    country = gazetteer.country_code(doc.country) if doc.country else ""
    region = region_prior(doc.region, gazetteer) if doc.region else None
    if region and not country and len(region.countries) == 1:
        country = next(iter(region.countries))  # "--region Kentucky" says "--country US" too
    if gold_spans is not None:
        # Resolve exactly the given spans, but read the text as usual: its other places are context.
        mentions, wanted = mentions_with_context(doc, gazetteer, gold_spans, nlp=nlp, sdoc=sdoc)
        resolutions = [
            r
            for r in resolve_mentions(mentions, doc.text, gazetteer, country=country, prior=doc.prior, region=region)
            if (r.mention.start_char, r.mention.end_char) in wanted
        ]
    else:
        if nlp is not None or sdoc is not None:
            mentions = recognise_with_entities(doc, gazetteer, nlp=nlp, sdoc=sdoc)
        else:
            mentions = _without_abbreviations(extract_mentions(doc.text, gazetteer, doc_id=doc.doc_id), doc, gazetteer)
        resolutions = resolve_mentions(mentions, doc.text, gazetteer, country=country, prior=doc.prior, region=region)
    borders = find_borders(doc.text, resolutions, doc.doc_id)
    return ParsedDocument(doc_id=doc.doc_id, resolutions=tuple(resolutions), borders=tuple(borders))


def geoparse_documents(
    docs: Iterable[Document], gazetteer: Gazetteer, *, gold_spans: bool = False, nlp: Any = None
) -> Iterator[ParsedDocument]:
    """
    Geoparse documents one by one (the embedded, single-process engine).

    Parameters
    ----------
    docs
        Documents in order.
    gazetteer
        The name index.
    gold_spans
        Resolve the spans each document's ``extra["toponyms"]`` gives.
    nlp
        Optional spaCy pipeline, see :func:`geoparse_document`.

    Yields
    ------
    ParsedDocument
        In input order.
    """
    for doc in docs:
        spans = None
        if gold_spans:
            spans = [(int(t["start"]), int(t["end"])) for t in doc.extra.get("toponyms") or []]
        with transient_strings(nlp):  # the words spaCy learns from one document are forgotten after it
            parsed = geoparse_document(doc, gazetteer, gold_spans=spans, nlp=nlp)
        yield parsed


def resolution_to_json(res: Resolution) -> dict[str, Any]:
    """
    Describe one resolution in the evaluation output format (plus geomap's extras).

    Parameters
    ----------
    res
        A resolution.

    Returns
    -------
    dict
        ``start``, ``end``, ``name``, ``lat``, ``lon``, ``geonameid``, ``country_code``,
        ``feature``, ``score`` and ``kind``, ``place``, ``metonymic``, precision codes.
    """
    place = res.place
    point = res.point
    out: dict[str, Any] = {
        "start": res.mention.start_char,
        "end": res.mention.end_char,
        "name": res.mention.text,
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "geonameid": place.geonameid if place else None,
        "country_code": place.country_code if place else None,
        "feature": place.feature if place else None,
        "score": res.score,
        "kind": res.role,
        "place": place.name if place else None,
        "place_id": place.place_id if place else None,
        "metonymic": res.metonymic,
        "seat": res.seat.place_id if res.seat else None,
        "geo_precision": geo_precision(place) if place else None,
        "where_prec": where_precision(place) if place else None,
        "alternatives": [c.place.place_id for c in res.alternatives],
    }
    return out


def parsed_to_json(parsed: ParsedDocument) -> dict[str, Any]:
    """
    Describe a parsed document as one output line of ``geomap geoparse``.

    Parameters
    ----------
    parsed
        The parsed document.

    Returns
    -------
    dict
        ``{"id", "toponyms": [...], "borders": [...]}``.
    """
    return {
        "id": parsed.doc_id,
        "toponyms": [resolution_to_json(r) for r in parsed.resolutions],
        "borders": [
            {
                "start": b.start_char,
                "end": b.end_char,
                "text": b.text,
                "countries": list(b.country_codes),
                "inferred": b.inferred,
            }
            for b in parsed.borders
        ],
    }


class _CallableModule(types.ModuleType):
    """Let ``geomap.geoparse(...)``, the notebook function, work although this module shares its name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from geomap.api import geoparse

        return geoparse(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
