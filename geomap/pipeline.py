"""
Compose the stages: read → geoparse → extract events → layers. Composition only.

:func:`process_document` is a pure function of one document and the shared,
read-only gazetteer; :func:`process_documents` runs it in this process (the
embedded default) or on a process pool, and the same function maps onto a
Dask cluster unchanged (``dask.bag.from_sequence(docs).map(process_document,
gazetteer)``: the gazetteer pickles by path).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError, InputError
from geomap.events import Event, extract_events, places_linked
from geomap.geoparse import ParsedDocument, geoparse_document
from geomap.ingest import Document, document_from_mapping
from geomap.nlp import PARSE_MAX_CHARS, parse, transient_strings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path

    from geomap.gazetteer import Gazetteer
    from geomap.layers import Layers

logger = logging.getLogger(__name__)

__all__ = [
    "ACLED_LINK_PLACES",
    "ACLED_SKIP_PIPES",
    "DocumentResult",
    "acled_documents",
    "acled_layers",
    "parse_documents",
    "process_document",
    "process_documents",
    "read_acled_csv",
    "to_layers",
]

ACLED_REQUIRED = ("event_id_cnty", "event_date", "notes")


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentResult:
    """Everything geomap found in one document."""

    document: Document
    """The input."""
    parsed: ParsedDocument
    """Its places and borders."""
    events: tuple[Event, ...]
    """Its events (unlocated ones included)."""


def process_document(doc: Document, gazetteer: Gazetteer, nlp: Any = None, *, sdoc: Any = None) -> DocumentResult:
    """
    Geoparse one document and extract its events.

    Parameters
    ----------
    doc
        The document.
    gazetteer
        The shared, read-only gazetteer.
    nlp
        Optional spaCy pipeline for doubtful names (events parse the text themselves when it has no
        parser); ``False`` for the fast mode, with no spaCy at any stage.
    sdoc
        The document's parse when already made (:func:`parse_documents` parses a batch at once).

    Returns
    -------
    DocumentResult
        Places and events.
    """
    fast = nlp is False  # --fast: no spaCy at any stage
    if fast:
        nlp = None
    # One parse for every stage when the pipeline has a parser (geomap.nlp.load_pipeline).
    if nlp is not None and len(doc.text) > PARSE_MAX_CHARS:
        nlp = None  # a book-length text: spaCy on all of it would take minutes; read it the fast way
        logger.warning(
            "%s: %s characters, over %s: read without spaCy (names and events by the gazetteer and cue words)",
            doc.source or doc.doc_id,
            f"{len(doc.text):,}",
            f"{PARSE_MAX_CHARS:,}",
        )
    # What spaCy learns from one document (new words) is forgotten after it, so a batch's memory stays
    # flat in the number of documents; the results hold plain strings and offsets only.
    with transient_strings(nlp, None if fast else _full_pipeline()):
        if sdoc is None and nlp is not None and "parser" in nlp.pipe_names:
            sdoc = parse(doc.text, nlp)
        parsed = geoparse_document(doc, gazetteer, nlp=nlp, sdoc=sdoc)
        events = extract_events(doc, parsed, gazetteer, sdoc=sdoc, parse=not fast)
        return DocumentResult(document=doc, parsed=parsed, events=tuple(events))


def _full_pipeline() -> Any:
    """Return the parsing pipeline event extraction loads (:func:`geomap.nlp.load_pipeline`), None without spaCy."""
    from geomap import nlp

    try:
        return nlp.load_pipeline()
    except nlp.NlpUnavailableError:
        return None


PROCESSING_ERRORS: tuple[type[Exception], ...] = (GeomapError, ValueError, OverflowError, RecursionError)
"""What one bad document may raise while processed; a batch reports it and goes on."""


def _process_or_error(doc: Document, gazetteer: Gazetteer, nlp: Any = None, sdoc: Any = None) -> DocumentResult | str:
    try:
        return process_document(doc, gazetteer, nlp, sdoc=sdoc)
    except PROCESSING_ERRORS as err:
        return f"{doc.source or doc.doc_id}: {err}"


def process_documents(
    docs: Iterable[Document],
    gazetteer: Gazetteer,
    *,
    workers: int = 1,
    nlp: Any = None,
    on_error: Callable[[str], None] | None = None,
    skip_pipes: Sequence[str] = (),
    link_places: bool = True,
) -> Iterator[DocumentResult]:
    """
    Process documents in input order, in this process or on a pool of ``workers`` processes.

    Parameters
    ----------
    docs
        The documents.
    gazetteer
        The gazetteer (sent to workers by path).
    workers
        1 runs in this process; more uses a process pool (spaCy is not sent to workers).
    nlp
        Optional spaCy pipeline (single-process only).
    on_error
        Called with a one-line message for each document that fails (:data:`PROCESSING_ERRORS`),
        which is then skipped; by default the first failure raises.
    skip_pipes
        spaCy components left out of the parse (:data:`ACLED_SKIP_PIPES` for coder notes).
    link_places
        Let the fitted event-to-place linker help choose events' places (:data:`ACLED_LINK_PLACES`
        for coder notes); workers always use it.

    Yields
    ------
    DocumentResult
        One per document processed, in input order.
    """
    worker_nlp = False if nlp is False else None  # workers load no spaCy of ours, but keep --fast
    if on_error is None:
        if workers <= 1:
            for doc, sdoc in parse_documents(docs, nlp, skip_pipes=skip_pipes):
                with places_linked(link_places):
                    result = process_document(doc, gazetteer, nlp, sdoc=sdoc)
                yield result
            return
        with ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1)) as pool:
            yield from pool.map(partial(process_document, gazetteer=gazetteer, nlp=worker_nlp), docs, chunksize=16)
        return
    if workers <= 1:
        for doc, sdoc in parse_documents(docs, nlp, skip_pipes=skip_pipes):
            with places_linked(link_places):
                outcome = _process_or_error(doc, gazetteer, nlp, sdoc)
            if isinstance(outcome, str):
                on_error(outcome)
            else:
                yield outcome
        return
    with ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1)) as pool:
        for outcome in pool.map(partial(_process_or_error, gazetteer=gazetteer, nlp=worker_nlp), docs, chunksize=16):
            if isinstance(outcome, str):
                on_error(outcome)
            else:
                yield outcome


PARSE_BATCH = 64
"""Documents parsed together by :func:`parse_documents` (spaCy's ``nlp.pipe`` batches the network's work)."""


ACLED_SKIP_PIPES = ("ner",)
"""spaCy components left out when reading ACLED coder notes. The notes name places by the coder's
conventions, so the gazetteer's doubt test alone keeps them better than the entity recogniser's vetoes
(5-fold CV on ACLED train.csv, location within 25 km: .777 without the recogniser, .772 with it, country
hint given; .758 and .753 without the hint), and the recogniser is half the parse's time."""

ACLED_LINK_PLACES = False
"""Whether the fitted event-to-place linker (:mod:`geomap.event_location`, learned on news) helps choose the
places of ACLED coder notes. It does not: the coder codes the town of "at X park in Y town", the linker ties
the event to the nearer X (5-fold CV on train.csv, hint, no entity recogniser, location within 25 km: .782
with it, .783 without; the sentence rules alone .757 and .766), and it is a fifth of the reading time."""


def parse_documents(
    docs: Iterable[Document], nlp: Any, *, skip_pipes: Sequence[str] = ()
) -> Iterator[tuple[Document, Any]]:
    """
    Pair each document with its spaCy parse, parsing batches at once with ``nlp.pipe``.

    Parameters
    ----------
    docs
        The documents, in order.
    nlp
        A pipeline with a parser (:func:`geomap.nlp.load_pipeline`); anything else (None, False, an
        entity-only pipeline) parses nothing.

    Yields
    ------
    tuple
        ``(document, parse)``, in input order; the parse is None when nothing is parsed here (no parser,
        or a text over :data:`geomap.nlp.PARSE_MAX_CHARS`, which :func:`process_document` reads the fast way).
    skip_pipes
        Components of ``nlp`` not to run (e.g. ``("ner",)``: the parses then hold no entities).
    """
    if not nlp or "parser" not in nlp.pipe_names:
        for doc in docs:
            yield doc, None
        return
    skip = [name for name in skip_pipes if name in nlp.pipe_names]
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= PARSE_BATCH:
            yield from _parse_batch(batch, nlp, skip)
            batch = []
    yield from _parse_batch(batch, nlp, skip)


def _parse_batch(batch: list[Document], nlp: Any, skip: list[str]) -> Iterator[tuple[Document, Any]]:
    # The batch's parses live in one spaCy memory zone: its new words are freed once the batch is read.
    with transient_strings(nlp):
        wanted = [d for d in batch if len(d.text) <= PARSE_MAX_CHARS and d.text.strip()]
        texts = (d.text for d in wanted)
        parsed = nlp.pipe(texts, disable=skip) if skip else nlp.pipe(texts)
        parses = dict(zip((id(d) for d in wanted), parsed, strict=True))
        for doc in batch:
            yield doc, parses.get(id(doc))


_ACLED_RANGES: dict[str, tuple[float, float, bool]] = {
    "latitude": (-90.0, 90.0, False),
    "longitude": (-180.0, 180.0, False),
    "fatalities": (0.0, 10_000_000.0, True),
    "geo_precision": (1.0, 3.0, True),
    "time_precision": (1.0, 3.0, True),
}
"""ACLED's numeric columns: (lowest, highest, whole number). Empty cells are allowed."""


def _check_acled_row(row: dict[str, str], where: str) -> None:
    for column, (low, high, whole) in _ACLED_RANGES.items():
        value = (row.get(column) or "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or not low <= number <= high or (whole and not number.is_integer()):
            kind = "a whole number" if whole else "a number"
            msg = f"{where}: {column} {value[:40]!r} is not {kind} from {low:g} to {high:g}."
            raise InputError(msg)


def read_acled_csv(path: Path, *, on_error: Callable[[InputError], None] | None = None) -> list[dict[str, str]]:
    """
    Read ACLED rows from a CSV export, checking the columns geomap needs.

    Parameters
    ----------
    path
        An ACLED CSV with a header row.

    on_error
        Called with the error of each bad row (a number out of range, too many fields), which is then
        left out; by default the first bad row raises.

    Returns
    -------
    list of dict
        The rows as strings.

    Raises
    ------
    InputError
        When the file is not UTF-8 CSV or lacks ``event_id_cnty``, ``event_date`` or ``notes``.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as err:
        msg = f"No such input file: {path}."
        raise InputError(msg) from err
    except UnicodeDecodeError as err:
        msg = f"{path} is not valid UTF-8 (byte {err.start})."
        raise InputError(msg) from err
    if "\x00" in text:
        msg = f"{path} looks binary (NUL bytes), not CSV."
        raise InputError(msg)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as err:
        msg = f"{path}: malformed CSV ({err})."
        raise InputError(msg) from err
    missing = [c for c in ACLED_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        msg = f"{path} is not an ACLED export: missing column(s) {', '.join(missing)}."
        raise InputError(msg)
    good: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=2):
        try:
            if None in row:
                msg = f"{path}:{number}: more fields than the header has."
                raise InputError(msg)
            _check_acled_row(row, f"{path}:{number}")
        except InputError as err:
            if on_error is None:
                raise
            on_error(err)
            continue
        good.append(row)
    return good


def acled_documents(rows: Iterable[dict[str, str]], source: str, *, country_hint: bool = False) -> Iterator[Document]:
    """
    Turn ACLED rows into documents: ``notes`` as text, ``event_date`` as published date.

    Parameters
    ----------
    rows
        Rows of :func:`read_acled_csv`.
    source
        File name for error messages.
    country_hint
        Pass each row's ``country`` as the document's country hint.

    Yields
    ------
    Document
        One per row.
    """
    for number, row in enumerate(rows, start=2):
        obj = {"id": row["event_id_cnty"], "text": row["notes"] or "", "published": row["event_date"]}
        if country_hint and row.get("country"):
            obj["country"] = row["country"]
        yield document_from_mapping(obj, f"{source}:{number}")


def to_layers(results: Iterable[DocumentResult], *, title: str = "") -> Layers:
    """
    Gather documents' events, places and borders into map layers.

    Parameters
    ----------
    results
        Processed documents.
    title
        Map title.

    Returns
    -------
    Layers
        Frames in EPSG:4326 with the columns of :mod:`geomap.layers`.
    """
    from geomap.layers import build_layers

    return build_layers(list(results), title=title)


_ACLED_KIND = {
    "Battles": "clashes",
    "Explosions/Remote violence": "attack",
    "Violence against civilians": "attack",
    "Protests": "protest",
    "Riots": "riots",
    "Strategic developments": "other",
}


def acled_layers(rows: list[dict[str, str]], *, title: str = "") -> Layers:
    """
    Map ACLED rows directly, without NLP: their own coordinates, types and counts.

    Parameters
    ----------
    rows
        Rows of :func:`read_acled_csv`.
    title
        Map title.

    Returns
    -------
    Layers
        One event per row; rows without valid coordinates are kept unlocated.
    """
    from shapely.geometry import Point

    from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, empty_frame, frame_from_records

    def number(value: str | None) -> float | None:
        try:
            result = float(value) if value not in (None, "") else None
        except ValueError:
            return None
        return result if result is not None and math.isfinite(result) else None

    records = []
    for row in rows:
        lat, lon = number(row.get("latitude")), number(row.get("longitude"))
        located = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
        fatalities = int(number(row.get("fatalities")) or 0)
        sub = row.get("sub_event_type", "")
        kind = (
            "looting"
            if sub == "Looting/property destruction"
            else "arrests"
            if sub == "Arrests"
            else (_ACLED_KIND.get(row.get("event_type", ""), "other"))
        )
        kinds = [kind] + (["killed"] if fatalities else [])
        records.append(
            {
                "event_id": row.get("event_id_cnty", ""),
                "doc_id": row.get("event_id_cnty", ""),
                "primary": True,
                "event_type": row.get("event_type", ""),
                "sub_event_type": sub,
                "kinds": ";".join(kinds),
                "kind": kind,
                "fatalities": fatalities,
                "killed": float(fatalities) if fatalities else None,
                "killed_text": str(fatalities) if fatalities else "",
                "killed_qualifier": "exact" if fatalities else "",
                "injured": None,
                "injured_text": "",
                "injured_qualifier": "",
                "displaced": None,
                "displaced_text": "",
                "location_name": row.get("location", ""),
                "place_id": "",
                "geonameid": None,
                "country_code": row.get("iso", ""),
                "admin1_code": row.get("admin1", ""),
                "lat": lat if located else None,
                "lon": lon if located else None,
                "geo_precision": number(row.get("geo_precision")),
                "where_prec": None,
                "geometry_kind": "point" if located else "",
                "origin": "",
                "destination": "",
                "event_date": row.get("event_date", ""),
                "time_precision": number(row.get("time_precision")),
                "date_text": "",
                "evidence": row.get("notes", ""),
                "evidence_start": 0,
                "evidence_end": len(row.get("notes", "")),
                "place_start": -1,
                "place_end": -1,
                "actors": ";".join(a for a in (row.get("actor1", ""), row.get("actor2", "")) if a),
                "confidence": 1.0,
                "located": located,
                "unlocated_reason": "" if located else "no valid coordinates",
                "source": row.get("source", ""),
                "title": "",
                "geometry": Point(lon, lat) if located else None,  # shapely takes x = lon, y = lat
            }
        )
    return Layers(
        events=frame_from_records(records, EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title=title or "ACLED events",
    )
