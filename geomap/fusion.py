"""
Fuse the events of many reports of one crisis: one event per real-world event.

Steps, each deterministic:

1. **Wire copies.** Documents whose texts are near duplicates (word 5-gram
   shingles, MinHash estimate of the Jaccard similarity ≥
   :data:`COPY_JACCARD`) are one report: the first one (by published date,
   then input order) is read, the others are listed as its copies.
2. **Background.** A sentence that dates itself to an earlier year than the
   report ("In 2007, disputed elections ...") is background: its events are
   left out of the crisis.
3. **Fusion.** Events of different reports become one event when their dates
   are within :data:`WINDOW_DAYS` (a later toll update of the same area: within
   :data:`UPDATE_DAYS`), their places are the same or one contains the other,
   their kinds are of one family and their actors are not disjoint. A flow also
   needs the same destination. A fused event lists every source (document id,
   outlet, URL, date, evidence sentence, copies).
4. **Tolls.** Every figure a report states for the event (killed, injured,
   displaced) is an entry of the event's toll series: as-of date, value, its
   wording, ``official`` / ``estimate`` / ``reported``, source. Conflicting
   figures are kept, never averaged: ``killed_min`` is the latest official (or
   reported) figure, ``killed_max`` the highest any report states, and the label
   reads "40 killed (official, 6 March); estimates up to 150".
5. **Sums.** The summable columns (``killed``, ``fatalities``, ``displaced``)
   hold, for an event whose area contains other events (a national toll and the
   towns' tolls), only the remainder of the area figure, and the contained events
   are capped at the area's highest figure: summing a column over an area never
   exceeds what a report states for that area.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from geomap.layers import cell_text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import geopandas as gpd

    from geomap.events import Event
    from geomap.ingest import Document
    from geomap.layers import Layers
    from geomap.pipeline import DocumentResult

T = TypeVar("T")

__all__ = [
    "COPY_JACCARD",
    "FUSED_COLUMNS",
    "UPDATE_DAYS",
    "WINDOW_DAYS",
    "Cluster",
    "CopyIndex",
    "Fuser",
    "TollEntry",
    "document_meta",
    "fuse_layers",
    "fuse_results",
    "fused_event_lines",
    "fused_records",
    "is_background",
    "minhash",
    "oldest_first",
    "place_level",
    "told_actors",
    "toll_label",
]

COPY_JACCARD = 0.7
"""Estimated Jaccard similarity of 5-word shingles above which two documents are copies of one report."""
WINDOW_DAYS = 2
"""Events of different reports fuse when their dates are at most this many days apart."""
UPDATE_DAYS = 14
"""A cumulative toll ("had been killed ... since Sunday") updates an event up to this many days after it began."""
SHINGLE_WORDS = 5
MINHASH_SIZE = 64
LSH_BANDS = 16
"""MinHash signatures are split into this many bands for candidate look-up (4 values a band)."""

FUSED_COLUMNS: dict[str, str] = {
    "n_sources": "int: reports (wire copies included) that state this event",
    "sources": "str: JSON list of {doc_id, event_id, outlet, url, published, evidence, more_evidence, copies}",
    "tolls": "str: JSON list of toll entries {noun, as_of, value, text, status, doc_id, outlet, evidence}",
    "toll_label": "str: e.g. '40 killed (official, 6 March); estimates up to 150'",
    "killed_min": "float|None: the latest official (or reported) figure of killed, before area capping",
    "killed_max": "float|None: the highest figure of killed any report states",
    "displaced_max": "float|None: the highest figure of displaced any report states",
    "first_date": "str: earliest date of the fused reports' events",
    "last_date": "str: latest as-of date of a figure or report",
    "fused_from": "str: ';'-joined event ids of the fused report events",
}
"""Columns a fused events frame adds to :data:`geomap.layers.EVENT_COLUMNS`."""

_FAMILY = {
    "killed": "violence",
    "injured": "violence",
    "riots": "violence",
    "clashes": "violence",
    "attack": "violence",
    "protest": "violence",
    "arson": "violence",
    "looting": "violence",
    "deadly_force": "violence",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_CUMULATIVE = re.compile(
    r"\b(?:death toll|toll|since|so far|in all|in total|total of|overall|ha(?:ve|s|d) (?:now )?(?:been )?"
    r"(?:killed|died|fled|displaced)|(?:rose|risen|climbed|reached|stood|stands|increased) (?:to|at)|across)\b",
    re.I,
)
_TOLL_TO = re.compile(
    r"\btoll\b[^.;]{0,60}?\b(?:rose|risen|climbed|reached|stood|stands|increased|jumped|is|was|now)\s+(?:to\s+|at\s+)?"
    r"(?P<num>(?:at least |more than |over |nearly |about |some )?\d{1,3}(?:,\d{3})+|"
    r"(?:at least |more than |over |nearly |about |some )?\d+)\b",
    re.I,
)
_OFFICIAL = re.compile(
    r"\b(?:ministry|minister|government|officials?|official figures|authorities|police|governor|army|military|"
    r"spokes(?:man|woman|person)|health department|coroner|prosecutors?|president|mayor)\b",
    re.I,
)
_ESTIMATE = re.compile(
    r"\b(?:as many as|up to|may have|might have|could (?:be|have)|estimat\w*|feared|rights groups?|witnesses|"
    r"residents|community leaders|activists|unofficial|opposition|local media|believed)\b",
    re.I,
)
_NOUNS = {"killed": "killed", "injured": "injured", "displaced": "displaced"}


# --- documents -----------------------------------------------------------------------------------------------------


def document_meta(doc: Document) -> dict[str, str]:
    """
    Return what a source entry says about a document: outlet, URL, published date, title.

    Parameters
    ----------
    doc
        The document; ``outlet`` (or ``source_name``/``domain``) and ``url`` are read from its extra keys.

    Returns
    -------
    dict
        Keys ``doc_id``, ``outlet``, ``url``, ``published``, ``title``.
    """
    extra = doc.extra
    outlet = str(extra.get("outlet") or extra.get("source_name") or extra.get("domain") or "")
    return {
        "doc_id": doc.doc_id,
        "outlet": outlet,
        "url": str(extra.get("url") or ""),
        "published": doc.published.isoformat() if doc.published else "",
        "title": doc.title,
    }


def _shingles(text: str) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode("utf-8"))} if words else set()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8"))
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


_PRIME = (1 << 31) - 1
_SEEDS = [
    ((1103515245 * (i + 1) + 12345) % _PRIME or 1, (22695477 * (i + 7) + 1) % _PRIME) for i in range(MINHASH_SIZE)
]


def minhash(text: str) -> tuple[int, ...]:
    """
    Return the MinHash signature of a text's word 5-gram shingles (deterministic across runs).

    Parameters
    ----------
    text
        A document text.

    Returns
    -------
    tuple of int
        :data:`MINHASH_SIZE` values; equal fractions of equal values estimate the Jaccard similarity.

    Examples
    --------
    >>> a = minhash("Riots broke out in the city on Sunday night, killing twelve people, police said.")
    >>> a == minhash("Riots broke out in the city on Sunday night, killing twelve people, police said.")
    True
    """
    shingles = [h & 0x7FFFFFFF for h in _shingles(text)]
    if not shingles:
        return (0,) * MINHASH_SIZE
    return tuple(min((a * h + b) % _PRIME for h in shingles) for a, b in _SEEDS)


def _similarity(a: Sequence[int], b: Sequence[int]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def band_keys(signature: Sequence[int]) -> list[str]:
    """
    Return the LSH band keys of a signature: documents sharing a key are candidate copies.

    Parameters
    ----------
    signature
        A :func:`minhash` signature.

    Returns
    -------
    list of str
        :data:`LSH_BANDS` keys.
    """
    rows = len(signature) // LSH_BANDS
    return [
        f"{band}:{zlib.crc32(repr(tuple(signature[band * rows : (band + 1) * rows])).encode()):08x}"
        for band in range(LSH_BANDS)
    ]


@dataclass(slots=True)
class CopyIndex:
    """Signatures of the reports read so far, to recognise wire copies of them."""

    signatures: dict[str, tuple[int, ...]] = field(default_factory=dict)
    bands: dict[str, list[str]] = field(default_factory=dict)

    def original_of(self, signature: Sequence[int]) -> str | None:
        """
        Return the id of the report this signature copies, or None.

        Parameters
        ----------
        signature
            A :func:`minhash` signature.

        Returns
        -------
        str or None
            The earliest-added report whose estimated similarity is at least :data:`COPY_JACCARD`.
        """
        if not any(signature):
            return None
        candidates = {doc_id for key in band_keys(signature) for doc_id in self.bands.get(key, ())}
        best: tuple[float, str] | None = None
        for doc_id in sorted(candidates):
            sim = _similarity(signature, self.signatures[doc_id])
            if sim >= COPY_JACCARD and (best is None or sim > best[0]):
                best = (sim, doc_id)
        return best[1] if best else None

    def add(self, doc_id: str, signature: tuple[int, ...]) -> None:
        """
        Remember a report read in full.

        Parameters
        ----------
        doc_id
            Its id.
        signature
            Its :func:`minhash` signature.
        """
        self.signatures[doc_id] = signature
        if not any(signature):
            return  # no text: nothing can copy it
        for key in band_keys(signature):
            self.bands.setdefault(key, []).append(doc_id)


# --- sentences ----------------------------------------------------------------------------------------------------


def is_background(sentence: str, published: str) -> bool:
    """
    Tell whether a sentence dates itself to a year before the report's.

    Parameters
    ----------
    sentence
        The sentence.
    published
        The report's date, YYYY-MM-DD, or "" (then nothing is background).

    Returns
    -------
    bool
        True when every year the sentence names is earlier than the report's year.

    Examples
    --------
    >>> is_background("In 2007, disputed elections led to violence.", "2024-03-04")
    True
    >>> is_background("Riots broke out on Sunday.", "2024-03-04")
    False
    """
    if not re.match(r"\d{4}-", published):
        return False
    years = [int(y) for y in _YEAR.findall(sentence)]
    return bool(years) and max(years) < int(published[:4])


def _status(sentence: str) -> str:
    if _ESTIMATE.search(sentence):
        return "estimate"
    if _OFFICIAL.search(sentence):
        return "official"
    return "reported"


@dataclass(frozen=True, slots=True, kw_only=True)
class TollEntry:
    """One figure a report states for an event or area."""

    noun: str
    """``killed``, ``injured`` or ``displaced``."""
    as_of: str
    """Date the figure was stated (the report's date), YYYY-MM-DD or ""."""
    value: int
    """The figure, conservative reading of its wording ("as many as 150" is 150, "at least 40" is 40)."""
    text: str
    """The wording, verbatim."""
    status: str
    """``official``, ``estimate`` or ``reported``."""
    doc_id: str
    outlet: str
    evidence: str
    """The sentence that states it."""

    def to_json(self) -> dict[str, Any]:
        """Return the entry as a JSON object."""
        return {
            "noun": self.noun,
            "as_of": self.as_of,
            "value": self.value,
            "text": self.text,
            "status": self.status,
            "doc_id": self.doc_id,
            "outlet": self.outlet,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TollEntry:
        """Build an entry from :meth:`to_json` output."""
        return cls(**{k: obj[k] for k in cls.__slots__})


def _sentence_counts(sentence: str) -> list[tuple[str, str, int]]:
    """Return (noun, wording, value) for each figure of killed, injured or displaced people in a sentence."""
    from geomap.attributes import find_count, parse_number
    from geomap.events import KIND_PATTERNS

    found: list[tuple[str, str, int]] = []
    for noun, kind in (("killed", "killed"), ("injured", "injured"), ("displaced", "displacement")):
        count = find_count(sentence, KIND_PATTERNS[kind])
        if count is not None and count.best > 0:
            found.append((noun, count.text, int(count.best)))
        elif noun == "killed" and (match := _TOLL_TO.search(sentence)):
            value = parse_number(re.sub(r"^(?:at least|more than|over|nearly|about|some)\s+", "", match["num"]))
            if value:
                found.append((noun, match["num"], int(value)))
    return found


# --- members and clusters ------------------------------------------------------------------------------------------


def _family(kinds: str, geometry_kind: str) -> str:
    first = [k for k in kinds.split(";") if k]
    if geometry_kind == "flow" or (first and first[0] == "displacement"):
        return "displacement"
    if not first:
        return "other"
    return _FAMILY.get(first[0], first[0])


_ASPECTS = frozenset({"arson", "looting", "killed", "injured"})
"""Main kinds that are an aspect of a violent event the same report tells apart (shops set on fire in a riot)."""


def _main_kind(row: dict[str, Any]) -> str:
    return cell_text(row.get("kinds")).split(";", 1)[0]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def place_level(row: dict[str, Any]) -> int:
    """
    Return how large an event's place is, as UCDP's where_prec: 1 town ... 4 admin-1, 6 country.

    Parameters
    ----------
    row
        An events-frame row (``where_prec``, else ``geo_precision``).

    Returns
    -------
    int
        1 to 7.
    """
    value = row.get("where_prec")
    if isinstance(value, int | float) and not math.isnan(value):
        return int(value)
    precision = row.get("geo_precision")
    if isinstance(precision, int | float) and not math.isnan(precision):
        return {1: 1, 2: 3, 3: 4}.get(int(precision), 4)
    return 1


def _contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    """Tell whether ``outer``'s place holds ``inner``'s (a country its towns, a region its districts)."""
    lo, li = place_level(outer), place_level(inner)
    if lo <= li or not cell_text(outer.get("country_code")):
        return False
    if cell_text(outer.get("country_code")) != cell_text(inner.get("country_code")):
        return False
    if lo >= 6:
        return True
    if lo == 4:
        return bool(cell_text(outer.get("admin1_code"))) and outer.get("admin1_code") == inner.get("admin1_code")
    return _near(outer, inner, 50.0)


def _near(a: dict[str, Any], b: dict[str, Any], km: float) -> bool:
    try:
        return _haversine_km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])) <= km
    except (KeyError, TypeError, ValueError):
        return False


def _same_place(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if cell_text(a.get("place_id")) and a.get("place_id") == b.get("place_id"):
        return True
    return place_level(a) == place_level(b) == 1 and _near(a, b, 5.0)


def _actors(row: dict[str, Any]) -> set[str]:
    """Return the actors that may keep two events apart (see :func:`told_actors`)."""
    if "_actors" in row:
        return set(row["_actors"])
    return {a.strip().lower() for a in cell_text(row.get("actors")).split(";") if a.strip()}


def told_actors(row: dict[str, Any], text: str) -> set[str]:
    """
    Return the actors of an event that its evidence names, the report's dateline left out.

    The extractor also lists the actors of the sentences merged into an event and the dateline (the
    reporter's place, never a party); two reports of one event that quote different sides or mediators
    would then look like two events.

    Parameters
    ----------
    row
        An events-frame row (``actors`` joined by ``;``, ``evidence_start``/``evidence_end``).
    text
        The text of its report.

    Returns
    -------
    set of str
        Lower-cased actor names.

    Examples
    --------
    >>> text = "BEIRUT - Shelling hit the city on Wednesday."
    >>> sorted(told_actors({"actors": "BEIRUT;Iran", "evidence_start": 0, "evidence_end": len(text)}, text))
    []
    >>> sorted(told_actors({"actors": "Turkey", "evidence_start": 0, "evidence_end": 24}, "Turkey shelled the town."))
    ['turkey']
    """
    from geomap.reading import dateline_end

    start, end = int(row.get("evidence_start") or 0), int(row.get("evidence_end") or 0)
    told = text[max(start, dateline_end(text)) : end] if end > start else cell_text(row.get("evidence"))
    names = {a.strip() for a in cell_text(row.get("actors")).split(";") if a.strip()}
    return {a.lower() for a in names if re.search(rf"(?<!\w){re.escape(a)}(?!\w)", told)}


@dataclass(slots=True, kw_only=True)
class Cluster:
    """One real-world event: the report events fused into it and the figures stated for it."""

    cluster_id: str
    members: list[dict[str, Any]] = field(default_factory=list)
    """Event rows of the reports (:data:`geomap.layers.EVENT_COLUMNS` plus ``published``, ``outlet``, ``url``)."""
    entries: list[TollEntry] = field(default_factory=list)
    copies: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    """Document id -> metadata of its wire copies."""

    @property
    def lead(self) -> dict[str, Any]:
        """Return the member that gives the fused event its place: the most specific, then the first."""
        return min(self.members, key=lambda m: (place_level(m), not cell_text(m.get("place_id"))))

    @property
    def family(self) -> str:
        """Return the kind family of the event."""
        lead = self.members[0]
        return _family(cell_text(lead.get("kinds")), cell_text(lead.get("geometry_kind")))

    @property
    def dates(self) -> list[dt.date]:
        """Return the members' event dates (known ones)."""
        return sorted(d for m in self.members if (d := _date(cell_text(m.get("event_date")))) is not None)

    @property
    def is_area_toll(self) -> bool:
        """Return True for an area-wide cumulative toll (a region or country), kept apart from its towns' events."""
        return all(m.get("_area_toll") for m in self.members)

    def doc_ids(self) -> set[str]:
        """Return the ids of the reports fused here."""
        return {cell_text(m.get("doc_id")) for m in self.members}


def _is_headline(row: dict[str, Any], text: str) -> bool:
    """Tell whether an event comes from a first line without a full stop (a headline repeated by the lead)."""
    first = text.split("\n", 1)[0].strip()
    return int(row.get("evidence_start") or 0) < len(first) and not first.endswith((".", "!", "?", '"', "”"))


@dataclass(slots=True)
class Fuser:
    """Fuse report events into clusters, one report at a time (deterministic for a given order)."""

    clusters: list[Cluster] = field(default_factory=list)
    copies: CopyIndex = field(default_factory=CopyIndex)
    next_id: int = 0
    window_days: int = WINDOW_DAYS
    update_days: int = UPDATE_DAYS
    touched: set[str] = field(default_factory=set)
    """Ids of the clusters changed since this set was last cleared."""
    by_country: dict[str, list[tuple[int, Cluster]]] = field(default_factory=dict)
    """Clusters by ``country|family``: only events of one country and kind family fuse."""
    by_id: dict[str, Cluster] = field(default_factory=dict)
    indexed: int = 0
    summaries: dict[str, tuple[int, str, dt.date | None, dt.date | None]] = field(default_factory=dict)

    def add_result(self, result: DocumentResult) -> str | None:
        """
        Fuse one processed report into the clusters.

        Parameters
        ----------
        result
            The report and its events.

        Returns
        -------
        str or None
            The id of the report it copies (then only its metadata is added as a source), else None.
        """
        from geomap.layers import event_record

        doc = result.document
        rows = [event_record(e, doc.source, doc.title) for e in result.events]
        return self.add_document(doc, rows)

    def add_document(self, doc: Document, rows: list[dict[str, Any]]) -> str | None:
        """
        Fuse one report given as event rows.

        Parameters
        ----------
        doc
            The report.
        rows
            Its events as events-frame rows (with ``geometry``).

        Returns
        -------
        str or None
            The id of the report it copies, else None.
        """
        meta = document_meta(doc)
        signature = minhash(doc.text)
        original = self.copies.original_of(signature)
        if original is not None:
            self.add_copy(meta, original)
            return original
        self.copies.add(doc.doc_id, signature)
        self.add_original(doc, rows)
        return None

    def add_copy(self, meta: dict[str, str], original: str) -> None:
        """
        List a wire copy as a source of every event its original report states.

        Parameters
        ----------
        meta
            The copy's :func:`document_meta`.
        original
            The id of the report it copies.
        """
        for cluster in self.clusters:
            if original in cluster.doc_ids():
                cluster.copies.setdefault(original, []).append(meta)
                self.touched.add(cluster.cluster_id)

    def add_original(
        self, doc: Document, rows: list[dict[str, Any]], *, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        """
        Fuse the events of a report read in full (not a copy).

        Parameters
        ----------
        doc
            The report.
        rows
            Its events as events-frame rows (with ``geometry``).
        keep
            Fuse only the events this accepts (one partition of a sharded run); the others still
            decide which event a stated figure belongs to, exactly as in a whole run.
        """
        from geomap.events import split_sentences

        meta = document_meta(doc)
        sentences = [(s, e, doc.text[s:e]) for s, e in split_sentences(doc.text)]
        members: list[dict[str, Any]] = []
        for row in rows:
            start = int(row.get("evidence_start") or 0)
            sentence = next((t for s, e, t in sentences if s <= start < e), cell_text(row.get("evidence")))
            if is_background(sentence, meta["published"]):
                continue
            member = {**row, "published": meta["published"], "outlet": meta["outlet"], "url": meta["url"]}
            member["_area_toll"] = place_level(member) >= 4 and (
                bool(_CUMULATIVE.search(sentence)) or bool(member.get("killed")) or bool(member.get("displaced"))
            )
            member["_headline"] = _is_headline(row, doc.text)
            member["_sentence"] = sentence
            member["_actors"] = sorted(told_actors(row, doc.text))  # a list: the store keeps members as JSON
            members.append(member)
            if keep is None or keep(member):
                self._place(member)
        self._read_tolls(meta, sentences, members)

    def _sync(self) -> None:
        """Index the clusters added since the last call by id and by country and family."""
        for position in range(self.indexed, len(self.clusters)):
            cluster = self.clusters[position]
            key = f"{cell_text(cluster.lead.get('country_code'))}|{cluster.family}"
            self.by_country.setdefault(key, []).append((position, cluster))
            self.by_id[cluster.cluster_id] = cluster
        self.indexed = len(self.clusters)

    def _candidates(self, member: dict[str, Any], family: str) -> list[tuple[int, Cluster]]:
        """Return (position, cluster) of the clusters of the member's country and family, in creation order."""
        self._sync()
        return self.by_country.get(f"{cell_text(member.get('country_code'))}|{family}", [])

    def _summary(self, cluster: Cluster) -> tuple[str, dt.date | None, dt.date | None]:
        """Return a cluster's family and first and last dates, cached until it gains a member."""
        cached = self.summaries.get(cluster.cluster_id)
        if cached is None or cached[0] != len(cluster.members):
            dates = cluster.dates
            cached = (len(cluster.members), cluster.family, dates[0] if dates else None, dates[-1] if dates else None)
            self.summaries[cluster.cluster_id] = cached
        return cached[1], cached[2], cached[3]

    def _may_match(self, family: str, date: dt.date | None, cluster: Cluster) -> bool:
        """Cheap necessary conditions of :meth:`_match`: the same family and a date within reach."""
        cluster_family, first, last = self._summary(cluster)
        if family != cluster_family:
            return False
        if date is None or first is None or last is None:
            return True
        reach = max(last + dt.timedelta(days=self.window_days), first + dt.timedelta(days=self.update_days))
        return first - dt.timedelta(days=self.window_days) <= date <= reach

    def _place(self, member: dict[str, Any]) -> Cluster:
        best: tuple[tuple[int, int, int], Cluster] | None = None
        family = _family(cell_text(member.get("kinds")), cell_text(member.get("geometry_kind")))
        date = _date(cell_text(member.get("event_date")))
        for position, cluster in self._candidates(member, family):
            if not self._may_match(family, date, cluster):
                continue
            score = self._match(member, cluster)
            if score is not None and (best is None or (*score, position) < best[0]):
                best = ((*score, position), cluster)
        if best is not None:
            best[1].members.append(member)
            member["_cluster"] = best[1].cluster_id
            self.touched.add(best[1].cluster_id)
            return best[1]
        self.next_id += 1
        cluster = Cluster(cluster_id=f"E{self.next_id:06d}", members=[member])
        member["_cluster"] = cluster.cluster_id
        self.clusters.append(cluster)
        self.touched.add(cluster.cluster_id)
        return cluster

    def _match(self, member: dict[str, Any], cluster: Cluster) -> tuple[int, int] | None:
        """Return (place rank, days apart) when the member may fuse into the cluster, else None."""
        kinds = cell_text(member.get("kinds"))
        if _family(kinds, cell_text(member.get("geometry_kind"))) != cluster.family:
            return None
        doc_id = cell_text(member.get("doc_id"))
        same_doc = [m for m in cluster.members if cell_text(m.get("doc_id")) == doc_id]
        if same_doc and not (
            member["_headline"]
            or any(m.get("_headline") for m in same_doc)
            or _main_kind(member) in _ASPECTS
            or all(_main_kind(m) in _ASPECTS for m in same_doc)
        ):
            return None
        lead = cluster.lead
        if cluster.is_area_toll or member["_area_toll"]:
            if not (cluster.is_area_toll and member["_area_toll"] and _same_place(member, lead)):
                return None
            rank = 0
        elif _same_place(member, lead):
            rank = 0
        elif _contains(member, lead) or _contains(lead, member):
            rank = 1
        else:
            return None
        if cluster.family == "displacement":
            dest_a, dest_b = cell_text(member.get("destination")), cell_text(lead.get("destination"))
            if dest_a and dest_b and dest_a != dest_b:
                return None
        actors_a, actors_b = _actors(member), set().union(*(_actors(m) for m in cluster.members))
        if actors_a and actors_b and not actors_a & actors_b:
            return None
        date = _date(cell_text(member.get("event_date")))
        dates = cluster.dates
        if date is None or not dates:
            return (rank, 0)
        if dates[0] - dt.timedelta(days=self.window_days) <= date <= dates[-1] + dt.timedelta(days=self.window_days):
            return (rank, min(abs((date - d).days) for d in dates))
        cumulative = bool(_CUMULATIVE.search(member["_sentence"])) or cluster.family == "displacement"
        if cumulative and dates[0] <= date <= dates[0] + dt.timedelta(days=self.update_days):
            return (rank + 2, (date - dates[0]).days)
        return None

    def _read_tolls(
        self, meta: dict[str, str], sentences: list[tuple[int, int, str]], members: list[dict[str, Any]]
    ) -> None:
        """Add every figure the report states to the cluster of the event it belongs to."""
        self._sync()
        by_id = self.by_id
        for start, end, sentence in sentences:
            if is_background(sentence, meta["published"]):
                continue
            counts = _sentence_counts(sentence)
            if not counts:
                continue
            for noun, text, value in counts:
                target = self._member_for(noun, start, end, sentence, members)
                if target is None:
                    # The report has no event of its own for the figure ("the death toll from Sunday's riots in
                    # the city rose to 25"): it updates the event already known at the place it names.
                    named = self._named_cluster(noun, sentence, meta["published"])
                    if named is None:
                        continue
                    target = self._toll_source(named, meta, start, end, sentence)
                elif "_cluster" not in target:
                    continue
                entry = TollEntry(
                    noun=noun,
                    as_of=meta["published"] or cell_text(target.get("event_date")),
                    value=value,
                    text=text,
                    status=_status(sentence),
                    doc_id=meta["doc_id"],
                    outlet=meta["outlet"],
                    evidence=sentence,
                )
                cluster = by_id[target["_cluster"]]
                same = [
                    e for e in cluster.entries if (e.doc_id, e.noun, e.value) == (entry.doc_id, entry.noun, entry.value)
                ]
                self.touched.add(cluster.cluster_id)
                if not same:
                    cluster.entries.append(entry)
                elif _STATUS_RANK[entry.status] < _STATUS_RANK[same[0].status]:
                    # A headline repeats the lead: one figure, with the lead's attribution.
                    cluster.entries[cluster.entries.index(same[0])] = entry

    def _named_cluster(self, noun: str, sentence: str, published: str) -> Cluster | None:
        """Return the earlier event of the figure's family at a place the sentence names, within reach of its date."""
        wanted = "displacement" if noun == "displaced" else "violence"
        day = _date(published)
        best: tuple[tuple[int, int], Cluster] | None = None
        for position, cluster in enumerate(self.clusters):
            family, first, _ = self._summary(cluster)
            if family != wanted or cluster.is_area_toll:
                continue
            if (
                day is not None
                and first is not None
                and not first <= day <= first + dt.timedelta(days=self.update_days)
            ):
                continue
            lead = cluster.lead
            name = cell_text(lead.get("location_name"))
            if not name or not re.search(rf"\b{re.escape(name)}\b", sentence):
                continue
            key = (place_level(lead), position)
            if best is None or key < best[0]:
                best = (key, cluster)
        return best[1] if best else None

    def _toll_source(
        self, cluster: Cluster, meta: dict[str, str], start: int, end: int, sentence: str
    ) -> dict[str, Any]:
        """Add a report that only states a figure for a known event as one of its sources; return that member."""
        for member in cluster.members:
            if cell_text(member.get("doc_id")) == meta["doc_id"]:
                return member
        member = {
            **cluster.lead,
            "doc_id": meta["doc_id"],
            "event_id": f"{meta['doc_id']}-toll-{start}",
            "published": meta["published"],
            "outlet": meta["outlet"],
            "url": meta["url"],
            "evidence": sentence,
            "evidence_start": start,
            "evidence_end": end,
            "place_start": -1,
            "place_end": -1,
            "_headline": False,
            "_sentence": sentence,
            "_cluster": cluster.cluster_id,
        }
        cluster.members.append(member)
        self.touched.add(cluster.cluster_id)
        return member

    @staticmethod
    def _member_for(
        noun: str, start: int, end: int, sentence: str, members: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        wanted = "displacement" if noun == "displaced" else "violence"

        def family(m: dict[str, Any]) -> str:
            return _family(cell_text(m.get("kinds")), cell_text(m.get("geometry_kind")))

        fitting = [m for m in members if family(m) == wanted]
        inside = [m for m in fitting if start <= int(m.get("evidence_start") or 0) < end]
        if inside:
            return inside[0]
        named = [m for m in fitting if cell_text(m.get("location_name")) and cell_text(m["location_name"]) in sentence]
        return min(named, key=place_level) if named else None

    # --- output ------------------------------------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """
        Return one events-frame row per fused event, with :data:`FUSED_COLUMNS`, summable counts capped by area.

        Returns
        -------
        list of dict
            Rows in cluster order.
        """
        return fused_records(self.clusters)


def fused_records(clusters: Sequence[Cluster]) -> list[dict[str, Any]]:
    """
    Return one events-frame row per cluster, with :data:`FUSED_COLUMNS`, summable counts capped by area.

    Parameters
    ----------
    clusters
        Clusters of one or more whole countries (capping compares events of one country).

    Returns
    -------
    list of dict
        Rows in cluster order, with ``geometry``.
    """
    rows = [_cluster_record(c) for c in clusters]
    _cap_by_area(rows, "killed")
    _cap_by_area(rows, "displaced")
    for row in rows:
        row["fatalities"] = int(row["killed"] or 0)
        del row["_last_event"]
    return rows


_STATUS_RANK = {"official": 0, "reported": 1, "estimate": 2}


def _latest_conservative(entries: list[TollEntry]) -> TollEntry | None:
    """Return the entry that states the current figure: the lowest firm value of the latest date, first stated."""
    firm = [e for e in entries if e.status != "estimate"] or entries
    if not firm:
        return None
    latest = max(e.as_of for e in firm)
    value = min(e.value for e in firm if e.as_of == latest)
    return min((e for e in firm if e.value == value), key=lambda e: (_STATUS_RANK[e.status], e.as_of, e.doc_id))


def _day_label(date: str) -> str:
    parsed = _date(date)
    return f"{parsed.day} {_MONTHS[parsed.month - 1]}" if parsed else "undated"


def toll_label(entries: Sequence[TollEntry], noun: str = "killed") -> str:
    """
    Describe a toll series in one line: the latest firm figure, then the highest estimate above it.

    Parameters
    ----------
    entries
        The series (any nouns; only ``noun`` is described).
    noun
        ``killed``, ``injured`` or ``displaced``.

    Returns
    -------
    str
        E.g. "40 killed (official, 6 March); estimates up to 150", or "" without figures.

    Examples
    --------
    >>> e = dict(noun="killed", doc_id="a", outlet="", evidence="")
    >>> toll_label([TollEntry(as_of="2024-03-04", value=12, text="12", status="official", **e),
    ...             TollEntry(as_of="2024-03-06", value=40, text="40", status="official", **e),
    ...             TollEntry(as_of="2024-03-06", value=150, text="as many as 150", status="estimate", **e)])
    '40 killed (official, 6 March); estimates up to 150'
    """
    mine = [e for e in entries if e.noun == noun]
    head = _latest_conservative(mine)
    if head is None:
        return ""
    label = f"{head.value:,} {noun} ({head.status}, {_day_label(head.as_of)})"
    estimates = [e.value for e in mine if e.status == "estimate" and e.value > head.value]
    if estimates and head.status != "estimate":
        label += f"; estimates up to {max(estimates):,}"
    return label


def _cluster_record(cluster: Cluster) -> dict[str, Any]:
    lead = cluster.lead
    row = {k: v for k, v in lead.items() if not k.startswith("_") and k not in {"published", "outlet", "url"}}
    dates = cluster.dates
    kinds: list[str] = []
    for member in [lead, *cluster.members]:
        kinds.extend(k for k in cell_text(member.get("kinds")).split(";") if k and k not in kinds)
    entries = sorted(cluster.entries, key=lambda e: (e.noun, e.as_of, e.value, e.doc_id))
    summary: dict[str, Any] = {}
    for noun in _NOUNS:
        mine = [e for e in entries if e.noun == noun]
        head = _latest_conservative(mine)
        summary[noun] = head
        summary[f"{noun}_max"] = max((e.value for e in mine), default=None)
    sources: list[dict[str, Any]] = []
    by_doc: dict[str, dict[str, Any]] = {}
    ordered = sorted(
        cluster.members,
        key=lambda m: (cell_text(m.get("published")), cell_text(m.get("doc_id")), int(m.get("evidence_start") or 0)),
    )
    for member in ordered:
        doc_id = cell_text(member.get("doc_id"))
        evidence = cell_text(member.get("evidence"))
        if doc_id in by_doc:
            if evidence not in by_doc[doc_id]["more_evidence"] and evidence != by_doc[doc_id]["evidence"]:
                by_doc[doc_id]["more_evidence"].append(evidence)
            continue
        copies = cluster.copies.get(doc_id, [])
        by_doc[doc_id] = {
            "doc_id": doc_id,
            "event_id": cell_text(member.get("event_id")),
            "outlet": cell_text(member.get("outlet")),
            "url": cell_text(member.get("url")),
            "published": cell_text(member.get("published")),
            "evidence": evidence,
            "more_evidence": [],
            "copies": [
                {"doc_id": c["doc_id"], "outlet": c["outlet"], "url": c["url"], "published": c["published"]}
                for c in copies
            ],
        }
        sources.append(by_doc[doc_id])
    n_docs = len({s["doc_id"] for s in sources}) + len({c["doc_id"] for s in sources for c in s["copies"]})
    killed, displaced, injured = summary["killed"], summary["displaced"], summary["injured"]
    as_of = [e.as_of for e in entries if e.as_of] + [s["published"] for s in sources if s["published"]]
    row.update(
        {
            "event_id": cluster.cluster_id,
            "doc_id": ";".join(sorted({s["doc_id"] for s in sources})),
            "kinds": ";".join(kinds),
            "killed": float(killed.value) if killed else None,
            "killed_text": killed.text if killed else "",
            "killed_qualifier": row.get("killed_qualifier", "") if killed else "",
            "injured": float(injured.value) if injured else row.get("injured"),
            "injured_text": injured.text if injured else cell_text(row.get("injured_text")),
            "displaced": float(displaced.value) if displaced else None,
            "displaced_text": displaced.text if displaced else "",
            "event_date": dates[0].isoformat() if dates else cell_text(row.get("event_date")),
            "primary": any(bool(m.get("primary")) for m in cluster.members),
            "n_sources": n_docs,
            "sources": json.dumps(sources, ensure_ascii=False, sort_keys=True),
            "tolls": json.dumps([e.to_json() for e in entries], ensure_ascii=False, sort_keys=True),
            "toll_label": "; ".join(lbl for noun in _NOUNS if (lbl := toll_label(entries, noun))),
            "killed_min": float(killed.value) if killed else None,
            "killed_max": float(summary["killed_max"]) if summary["killed_max"] is not None else None,
            "displaced_max": float(summary["displaced_max"]) if summary["displaced_max"] is not None else None,
            "first_date": dates[0].isoformat() if dates else "",
            "_last_event": dates[-1].isoformat() if dates else "",
            "last_date": max(as_of) if as_of else "",
            "fused_from": ";".join(cell_text(m.get("event_id")) for m in cluster.members),
            "source": "; ".join(dict.fromkeys(s["outlet"] or s["doc_id"] for s in sources)),
        }
    )
    return row


def _cap_by_area(rows: list[dict[str, Any]], noun: str) -> None:
    """Make the summable ``noun`` column add up, over any area, to no more than the area's stated figures."""
    order = sorted((i for i in range(len(rows)) if place_level(rows[i]) > 1), key=lambda i: (place_level(rows[i]), i))
    by_country: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_country.setdefault(cell_text(row.get("country_code")), []).append(i)
    for i in order:
        area = rows[i]
        stated_low = area.get(noun)
        stated_max = area.get(f"{noun}_max") if noun == "killed" else area.get("displaced_max")
        if stated_low is None or stated_max is None:
            continue
        span = _event_span(area)
        inner = [
            j
            for j in by_country.get(cell_text(area.get("country_code")), [])
            if j != i
            and rows[j].get(noun)
            and _contains(area, rows[j])
            and _family_of(rows[j]) == _family_of(area)
            and _overlaps(span, _event_span(rows[j]))
        ]
        if not inner:
            continue
        budget = float(stated_max)
        for j in sorted(inner, key=lambda j: (-float(rows[j][noun]), j)):
            value = min(float(rows[j][noun]), budget)
            rows[j][noun] = value
            budget -= value
        inside = sum(float(rows[j][noun]) for j in inner)
        area[noun] = max(0.0, float(stated_low) - inside)


def _event_span(row: dict[str, Any]) -> tuple[str, str]:
    """Return the first and last event dates of a fused row ("" when undated)."""
    return cell_text(row.get("first_date")), cell_text(row.get("_last_event")) or cell_text(row.get("first_date"))


def _overlaps(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Tell whether two date spans come within :data:`WINDOW_DAYS` (undated spans overlap everything)."""
    if not a[0] or not b[0]:
        return True
    pad = dt.timedelta(days=WINDOW_DAYS)
    a0, a1, b0, b1 = (dt.date.fromisoformat(d) for d in (*a, *b))
    return a0 - pad <= b1 and b0 - pad <= a1


def _family_of(row: dict[str, Any]) -> str:
    return _family(cell_text(row.get("kinds")), cell_text(row.get("geometry_kind")))


# --- entry points --------------------------------------------------------------------------------------------------


def oldest_first(items: Iterable[T], published: Callable[[T], dt.date | None]) -> list[T]:
    """
    Return items sorted by published date (undated first), input order among equal dates.

    Parameters
    ----------
    items
        Reports, in any form.
    published
        Their published date.

    Returns
    -------
    list
        The order in which fusion reads them.
    """
    listed = list(items)
    order = sorted(range(len(listed)), key=lambda i: (published(listed[i]) or dt.date.min, i))
    return [listed[i] for i in order]


def _sorted_results(results: Iterable[DocumentResult]) -> list[DocumentResult]:
    return oldest_first(results, lambda r: r.document.published)


def fuse_results(results: Iterable[DocumentResult], *, window_days: int = WINDOW_DAYS) -> Fuser:
    """
    Fuse processed reports, oldest first (input order among reports of one date).

    Parameters
    ----------
    results
        The processed reports.
    window_days
        Largest gap in days between the dates of two reports' events that fuse.

    Returns
    -------
    Fuser
        Its ``clusters`` are the real-world events; ``records()`` gives their rows.
    """
    fuser = Fuser(window_days=window_days)
    for result in _sorted_results(results):
        fuser.add_result(result)
    return fuser


def fuse_layers(results: Sequence[DocumentResult], *, title: str = "", window_days: int = WINDOW_DAYS) -> Layers:
    """
    Build map layers with one event per real-world event from many reports.

    Parameters
    ----------
    results
        The processed reports.
    title
        Map title.
    window_days
        See :func:`fuse_results`.

    Returns
    -------
    Layers
        Fused events (columns :data:`geomap.layers.EVENT_COLUMNS` and :data:`FUSED_COLUMNS`); the places
        and borders of the reports read in full (wire copies left out).
    """
    from geomap.layers import EVENT_COLUMNS, Layers, build_layers, frame_from_records

    fuser = fuse_results(results, window_days=window_days)
    read = {cell_text(m.get("doc_id")) for c in fuser.clusters for m in c.members} | set(fuser.copies.signatures)
    base = build_layers([r for r in results if r.document.doc_id in read], title=title)
    events = frame_from_records(fuser.records(), {**EVENT_COLUMNS, **FUSED_COLUMNS})
    return Layers(events=events, places=base.places, borders=base.borders, title=title or base.title)


def sources_frame(events: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """
    Return one row per (fused event, source report), copies included, from a fused events frame.

    Parameters
    ----------
    events
        A frame with :data:`FUSED_COLUMNS`.

    Returns
    -------
    list of dict
        Keys ``event_id``, ``doc_id``, ``outlet``, ``url``, ``published``, ``evidence``, ``copy_of``.
    """
    rows: list[dict[str, Any]] = []
    for event_id, sources in zip(events["event_id"], events["sources"], strict=True):
        for source in json.loads(sources or "[]"):
            base = {k: source[k] for k in ("doc_id", "outlet", "url", "published", "evidence")}
            rows.append({"event_id": event_id, **base, "copy_of": ""})
            rows.extend(
                {"event_id": event_id, **copy, "evidence": source["evidence"], "copy_of": source["doc_id"]}
                for copy in source["copies"]
            )
    return rows


def fused_event_lines(
    results: Sequence[DocumentResult],
    *,
    keep: Callable[[Event], bool] | None = None,
    window_days: int = WINDOW_DAYS,
) -> list[dict[str, Any]]:
    """
    Fuse many reports' events and describe each real-world event as one line of ``geomap extract``.

    Every line keeps the shared event schema (``../shared/eval/README.md``) of one of its source
    events, the one that gives the fused event its place (:attr:`Cluster.lead`): its ``doc_id``,
    ``evidence`` (offsets into that document's text), point and precision. The fused event's own
    figures replace the source's: ``kinds`` (all members'), ``event_date`` (the earliest),
    ``fatalities`` and the counts (the latest firm figure, capped by area as in :func:`fuse_layers`),
    ``primary`` (any member's). Added keys: ``sources`` (the source document ids, oldest first, wire
    copies included), ``n_sources``, ``fused_from`` (the member event ids), ``toll_label`` and
    ``killed_max``.

    Parameters
    ----------
    results
        The processed reports.
    keep
        The events that may stand for a fused event (e.g. no plans, no cumulative tolls). Every event
        is fused, as in :func:`fuse_layers`, so that a toll update joins the incident it updates; a
        fused event none of whose members is kept is not written.
    window_days
        See :func:`fuse_results`.

    Returns
    -------
    list of dict
        One line per fused event, in the order fusion created them.
    """
    from geomap.events import event_to_json

    fuser = fuse_results(results, window_days=window_days)
    events = {e.event_id: e for r in results for e in r.events}
    lines: list[dict[str, Any]] = []
    for cluster, record in zip(fuser.clusters, fuser.records(), strict=True):
        own = [
            m
            for m in cluster.members
            if (event := events.get(cell_text(m.get("event_id")))) is not None and (keep is None or keep(event))
        ]
        if not own:
            continue  # only plans or tolls, or figures stated by reports whose own events were left out
        lead = cluster.lead if cluster.lead in own else min(own, key=place_level)
        line = event_to_json(events[cell_text(lead.get("event_id"))])
        sources = json.loads(record["sources"])
        doc_ids = [s["doc_id"] for s in sources] + [c["doc_id"] for s in sources for c in s["copies"]]
        line.update(
            {
                "kinds": [k for k in cell_text(record.get("kinds")).split(";") if k],
                "event_date": cell_text(record.get("event_date")) or line["event_date"],
                "primary": bool(record.get("primary")),
                "fatalities": int(record["fatalities"]) if _stated(record.get("killed")) else line["fatalities"],
                "sources": list(dict.fromkeys(doc_ids)),
                "n_sources": int(record.get("n_sources") or len(doc_ids)),
                "fused_from": [cell_text(m.get("event_id")) for m in cluster.members],
                "toll_label": cell_text(record.get("toll_label")),
                "killed_max": record.get("killed_max"),
            }
        )
        for noun, key in (("killed", "killed_count"), ("injured", "injured_count"), ("displaced", "displaced_count")):
            value = record.get(noun)
            if not _stated(value):
                continue  # no figure read for the event: the source's own count stays
            old = line.get(key) or {}
            if old.get("best") != value:
                # a figure of another source or capped by area: its wording, no offsets into this text
                text = cell_text(record.get(f"{noun}_text"))
                line[key] = {
                    "text": text,
                    "start": None,
                    "end": None,
                    "qualifier": "",
                    "low": value,
                    "best": value,
                    "high": value,
                }
        if line.get("injured_count"):
            line["injured"] = line["injured_count"]["best"]
        lines.append(line)
    return lines


def _stated(value: Any) -> bool:
    """Tell whether a fused figure was stated (not None nor NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))
