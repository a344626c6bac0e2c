"""
Score geoparsing output and extracted events against gold annotations.

Pure functions behind ``geomap eval geoparse`` and ``geomap eval events``: they
take already parsed gold and predicted records and return frozen score records,
plus plain-text reports of them. Reading files and running the pipeline is the
CLI's job.

Geoparsing is scored on documents ``{"id", "toponyms": [...]}`` whose toponyms
carry ``start``/``end`` character offsets and optional ``lat``/``lon``/
``geonameid``: recognition by exact and by overlapping spans, resolution by
great-circle error over the overlap-matched pairs, and end-to-end accuracy over
the gold toponyms that have coordinates. Events are scored one ACLED row at a
time against the document's primary event.

Every ratio whose denominator is empty is ``None`` ("not available").
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geomap.errors import InputError
from geomap.geo import EARTH_RADIUS_KM, haversine_km

__all__ = [
    "ACC_KM",
    "AUC_MAX_ERROR_KM",
    "EARTH_RADIUS_KM",
    "EVENT_TYPES",
    "GEO_PRECISIONS",
    "NEAR_KM",
    "NO_EVENT",
    "EventLocationScores",
    "EventScores",
    "GeoparseScores",
    "LocationScores",
    "RecognitionScores",
    "acled_row_to_document",
    "format_event_location",
    "format_events",
    "format_geoparse",
    "haversine_km",
    "score_event_location",
    "score_events",
    "score_geoparse",
]

ACC_KM = 161.0
"""Error bound of acc@161, in km (100 miles)."""
NEAR_KM = 25.0
"""Error bound of the events' acc@25km, in km."""
AUC_MAX_ERROR_KM = 20039.0
"""Error that the AUC normalises by: ``ln(1 + error) / ln(AUC_MAX_ERROR_KM)``."""
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
"""ACLED's event types, in the order the confusion matrix lists them."""
GEO_PRECISIONS = (1, 2, 3)
"""ACLED geo_precision values that location accuracy is broken down by."""
NO_EVENT = "no event"
"""Confusion-matrix column of rows whose document produced no event."""
_MISSING = "(missing)"
_ACLED_COLUMNS = ("event_id_cnty", "notes", "event_date")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True, kw_only=True)
class RecognitionScores:
    """Micro-averaged recognition counts and ratios for one matching rule."""

    tp: int
    """Predicted toponyms matched one-to-one to a gold toponym."""
    fp: int
    """Predicted toponyms matched to no gold toponym (excluded spans aside)."""
    fn: int
    """Gold toponyms matched by no prediction."""
    precision: float | None
    """TP / (TP + FP), or None without predictions."""
    recall: float | None
    """TP / (TP + FN), or None without gold toponyms."""
    f1: float | None
    """2·P·R / (P + R); None when P or R is None, 0 when both are 0."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoparseScores:
    """All geoparsing metrics of one corpus, in normal or gold-spans mode."""

    gold_spans: bool
    """True when scored in ``--gold-spans`` mode (recognition not scored)."""
    n_docs: int
    """Gold documents scored."""
    n_gold: int
    """Gold toponyms scored (those marked ``non_locational`` are excluded)."""
    n_gold_with_coords: int
    """Scored gold toponyms that have coordinates."""
    n_excluded: int
    """Gold toponyms left out because they are ``non_locational``."""
    n_predicted: int
    """Predicted toponyms in the scored documents."""
    exact: RecognitionScores | None
    """Recognition by identical ``(start, end)``; None in gold-spans mode."""
    overlap: RecognitionScores | None
    """Recognition by overlapping spans; None in gold-spans mode."""
    resolution_n: int
    """Matched pairs in which both toponyms have coordinates."""
    acc_at_161: float | None
    """Share of those pairs with error ≤ 161 km."""
    mean_error_km: float | None
    """Mean error of those pairs."""
    median_error_km: float | None
    """Median error of those pairs."""
    auc: float | None
    """Mean of ``ln(1 + error) / ln(20039)`` over those pairs; 0 is perfect."""
    end_to_end_acc_at_161: float | None
    """Pairs within 161 km / gold toponyms with coordinates."""
    end_to_end_acc_at_161_or_id: float | None
    """As above, a pair with the gold ``geonameid`` also counting as right."""
    coverage: float | None
    """Gold-spans mode: share of gold spans whose prediction has coordinates."""
    coverage_with_gold_coords: float | None
    """Gold-spans mode: the same share over gold spans that have coordinates."""
    missing_spans: int | None
    """Gold-spans mode: gold spans absent from the output (counted unresolved)."""
    extra_predicted_spans: int | None
    """Gold-spans mode: predicted spans that are not gold spans (ignored)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationScores:
    """Location accuracy of the scored events over a set of ACLED rows."""

    n_rows: int
    """Rows in the set."""
    n_located: int
    """Rows whose scored event and ACLED row both have coordinates."""
    acc_at_25km: float | None
    """Share of rows whose event lies within 25 km of ACLED's point."""
    acc_at_161km: float | None
    """Share of rows whose event lies within 161 km of ACLED's point."""
    mean_error_km: float | None
    """Mean error over the located rows."""
    median_error_km: float | None
    """Median error over the located rows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventScores:
    """All event metrics of a set of ACLED rows."""

    n_rows: int
    """ACLED rows scored."""
    n_covered: int
    """Rows whose document has at least one event."""
    coverage: float | None
    """``n_covered / n_rows``."""
    event_type_acc: float | None
    """Share of rows whose scored event has ACLED's event_type."""
    sub_event_type_acc: float | None
    """Share of rows whose scored event has ACLED's sub_event_type."""
    fatalities_exact_acc: float | None
    """Share of rows whose scored event's fatalities equal ACLED's."""
    n_fatal_rows: int
    """Rows where ACLED's fatalities > 0."""
    fatalities_exact_acc_fatal: float | None
    """Fatalities exact-match accuracy over the rows where ACLED's fatalities > 0."""
    fatalities_mae: float | None
    """Mean absolute fatalities error over rows whose event has a numeric count."""
    fatalities_mae_n: int
    """Rows the MAE is computed over."""
    location: LocationScores
    """Location accuracy over all rows."""
    location_by_precision: Mapping[int, LocationScores]
    """Location accuracy per ACLED geo_precision 1, 2 and 3."""
    confusion: Mapping[str, Mapping[str, int]]
    """event_type counts: ACLED type → predicted type (or ``"no event"``) → rows."""


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    index: int
    record: Mapping[str, Any]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _as_number(value: object) -> float | None:
    """Return a finite JSON number as float; None for null, booleans, strings, NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _coords(record: Mapping[str, Any]) -> tuple[float, float] | None:
    # (lat, lon) order, as the records spell it.
    lat, lon = _as_number(record.get("lat")), _as_number(record.get("lon"))
    if lat is None or lon is None:
        return None
    return lat, lon


def _geonameid(record: Mapping[str, Any]) -> int | None:
    value = record.get("geonameid")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _norm(value: object) -> str | None:
    return value.strip().casefold() if isinstance(value, str) else None


def _doc_id(doc: Mapping[str, Any], what: str) -> str:
    if "id" not in doc:
        msg = f"A {what} document has no 'id' (keys: {sorted(doc)!r}); every line needs one."
        raise InputError(msg)
    return str(doc["id"])


def _spans(doc: Mapping[str, Any], doc_id: str, what: str) -> list[_Span]:
    toponyms = doc.get("toponyms") or []
    if not isinstance(toponyms, list):
        msg = f"{what} document {doc_id!r}: 'toponyms' should be a list, got {toponyms!r}."
        raise InputError(msg)
    spans = []
    for index, toponym in enumerate(toponyms):
        start = toponym.get("start") if isinstance(toponym, Mapping) else None
        end = toponym.get("end") if isinstance(toponym, Mapping) else None
        if not (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and 0 <= start < end
        ):
            msg = (
                f"{what} document {doc_id!r}, toponym {index}: expected integer offsets "
                f"0 <= start < end, got {toponym!r}."
            )
            raise InputError(msg)
        spans.append(_Span(start, end, index, toponym))
    return spans


def _overlap(a: _Span, b: _Span) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def _match_exact(gold: list[_Span], predicted: list[_Span]) -> list[tuple[_Span, _Span]]:
    """Pair spans with identical offsets one-to-one, in document order."""
    free: dict[tuple[int, int], list[_Span]] = defaultdict(list)
    for span in sorted(gold, key=lambda s: (s.start, s.end, s.index)):
        free[span.start, span.end].append(span)
    pairs = []
    for pred in sorted(predicted, key=lambda s: (s.start, s.end, s.index)):
        waiting = free.get((pred.start, pred.end))
        if waiting:
            pairs.append((waiting.pop(0), pred))
    return pairs


def _match_overlap(gold: list[_Span], predicted: list[_Span]) -> list[tuple[_Span, _Span]]:
    """Pair overlapping spans one-to-one, greedily by longest overlap."""
    candidates = [(g, p) for g in gold for p in predicted if _overlap(g, p) > 0]
    candidates.sort(
        key=lambda pair: (
            -_overlap(*pair),
            abs(pair[0].start - pair[1].start) + abs(pair[0].end - pair[1].end),
            pair[0].start,
            pair[1].start,
            pair[0].end,
            pair[1].end,
            pair[0].index,
            pair[1].index,
        )
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for g, p in candidates:
        if g.index in used_gold or p.index in used_pred:
            continue
        used_gold.add(g.index)
        used_pred.add(p.index)
        pairs.append((g, p))
    return pairs


def _count_fp(predicted: list[_Span], pairs: list[tuple[_Span, _Span]], excluded: list[_Span]) -> int:
    """Count unmatched predictions, except those overlapping an excluded gold span."""
    matched = {p.index for _, p in pairs}
    return sum(1 for p in predicted if p.index not in matched and not any(_overlap(p, x) > 0 for x in excluded))


def _recognition(tp: int, fp: int, fn: int) -> RecognitionScores:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return RecognitionScores(tp=tp, fp=fp, fn=fn, precision=precision, recall=recall, f1=f1)


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


# --------------------------------------------------------------------------- geoparsing


def score_geoparse(
    gold: Iterable[Mapping[str, Any]],
    predicted: Iterable[Mapping[str, Any]],
    *,
    gold_spans: bool = False,
) -> GeoparseScores:
    """
    Score geoparser output against gold toponyms.

    Parameters
    ----------
    gold
        Gold documents ``{"id", "toponyms": [{"start", "end", "lat", "lon",
        "geonameid", "non_locational"?}, ...]}``; other keys are ignored.
    predicted
        Output documents ``{"id", "toponyms": [...]}`` as ``geomap geoparse``
        writes them, matched to gold by ``id``. A gold document without output
        has no predictions; output documents without gold are ignored (the first
        of duplicated ids is used).
    gold_spans
        Score ``--gold-spans`` output: pair predictions with gold toponyms by
        identical offsets, skip recognition and report coverage instead.

    Returns
    -------
    GeoparseScores
        Every metric; ratios with an empty denominator are None.

    Raises
    ------
    InputError
        When a document has no ``id`` or a toponym lacks integer offsets.

    Examples
    --------
    >>> gold = [{"id": "1", "toponyms": [{"start": 0, "end": 4, "lat": 1.0, "lon": 2.0}]}]
    >>> out = [{"id": "1", "toponyms": [{"start": 0, "end": 6, "lat": 1.5, "lon": 2.0}]}]
    >>> scores = score_geoparse(gold, out)
    >>> scores.exact.f1, scores.overlap.f1, scores.acc_at_161
    (0.0, 1.0, 1.0)
    """
    predicted_by_id: dict[str, Mapping[str, Any]] = {}
    for doc in predicted:
        predicted_by_id.setdefault(_doc_id(doc, "predicted"), doc)

    n_docs = n_gold = n_gold_with_coords = n_excluded = n_predicted = 0
    exact_tp = exact_fp = overlap_tp = overlap_fp = 0
    covered = covered_with_coords = missing = extra = 0
    errors: list[float] = []
    right_161 = right_161_or_id = 0

    for gold_doc in gold:
        doc_id = _doc_id(gold_doc, "gold")
        n_docs += 1
        all_gold = _spans(gold_doc, doc_id, "gold")
        excluded = [g for g in all_gold if g.record.get("non_locational") is True]
        items = [g for g in all_gold if g.record.get("non_locational") is not True]
        pred_doc = predicted_by_id.get(doc_id)
        preds = _spans(pred_doc, doc_id, "predicted") if pred_doc is not None else []
        n_gold += len(items)
        n_excluded += len(excluded)
        n_predicted += len(preds)
        n_gold_with_coords += sum(1 for g in items if _coords(g.record) is not None)

        exact_pairs = _match_exact(items, preds)
        if gold_spans:
            pairs = exact_pairs
            paired = {g.index for g, _ in pairs}
            missing += sum(1 for g in items if g.index not in paired)
            extra += _count_fp(preds, pairs, excluded)
            for g, p in pairs:
                if _coords(p.record) is not None:
                    covered += 1
                    covered_with_coords += _coords(g.record) is not None
        else:
            pairs = _match_overlap(items, preds)
            exact_tp += len(exact_pairs)
            exact_fp += _count_fp(preds, exact_pairs, excluded)
            overlap_tp += len(pairs)
            overlap_fp += _count_fp(preds, pairs, excluded)

        for g, p in pairs:
            gold_point, pred_point = _coords(g.record), _coords(p.record)
            if gold_point is None:
                continue
            within = False
            if pred_point is not None:
                error = haversine_km(*gold_point, *pred_point)
                errors.append(error)
                within = error <= ACC_KM
            gold_id = _geonameid(g.record)
            same_id = gold_id is not None and gold_id == _geonameid(p.record)
            right_161 += within
            right_161_or_id += within or same_id

    if gold_spans:
        exact = overlap = None
    else:
        exact = _recognition(exact_tp, exact_fp, n_gold - exact_tp)
        overlap = _recognition(overlap_tp, overlap_fp, n_gold - overlap_tp)
    auc = _mean([math.log1p(e) / math.log(AUC_MAX_ERROR_KM) for e in errors])
    return GeoparseScores(
        gold_spans=gold_spans,
        n_docs=n_docs,
        n_gold=n_gold,
        n_gold_with_coords=n_gold_with_coords,
        n_excluded=n_excluded,
        n_predicted=n_predicted,
        exact=exact,
        overlap=overlap,
        resolution_n=len(errors),
        acc_at_161=_ratio(sum(1 for e in errors if e <= ACC_KM), len(errors)),
        mean_error_km=_mean(errors),
        median_error_km=_median(errors),
        auc=auc,
        end_to_end_acc_at_161=_ratio(right_161, n_gold_with_coords),
        end_to_end_acc_at_161_or_id=_ratio(right_161_or_id, n_gold_with_coords),
        coverage=_ratio(covered, n_gold) if gold_spans else None,
        coverage_with_gold_coords=(_ratio(covered_with_coords, n_gold_with_coords) if gold_spans else None),
        missing_spans=missing if gold_spans else None,
        extra_predicted_spans=extra if gold_spans else None,
    )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_km(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} km"


def _fmt_count(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _format_recognition(label: str, scores: RecognitionScores | None) -> list[str]:
    if scores is None:
        return [f"  {label:<8} n/a"]
    return [
        f"  {label:<8} P {_fmt(scores.precision)}  R {_fmt(scores.recall)}  "
        f"F1 {_fmt(scores.f1)}  (TP {scores.tp}, FP {scores.fp}, FN {scores.fn})"
    ]


def format_geoparse(scores: GeoparseScores) -> str:
    """
    Render geoparsing scores as a readable multi-line report.

    Parameters
    ----------
    scores
        The result of :func:`score_geoparse`.

    Returns
    -------
    str
        The report, ``n/a`` standing for metrics that are not available.
    """
    mode = "gold spans" if scores.gold_spans else "end to end"
    lines = [
        f"geoparsing ({mode})",
        f"  documents {scores.n_docs}, gold toponyms {scores.n_gold} "
        f"({scores.n_gold_with_coords} with coordinates, {scores.n_excluded} excluded), "
        f"predicted {scores.n_predicted}",
    ]
    if scores.gold_spans:
        lines += [
            "coverage",
            f"  all gold spans          {_fmt(scores.coverage)}",
            f"  gold spans with coords  {_fmt(scores.coverage_with_gold_coords)}",
            f"  missing spans {_fmt_count(scores.missing_spans)}, "
            f"extra predicted spans {_fmt_count(scores.extra_predicted_spans)}",
        ]
    else:
        lines += [
            "recognition",
            *_format_recognition("exact", scores.exact),
            *_format_recognition("overlap", scores.overlap),
        ]
    lines += [
        f"resolution (n = {scores.resolution_n})",
        f"  acc@161 {_fmt(scores.acc_at_161)}  AUC {_fmt(scores.auc)}",
        f"  mean error {_fmt_km(scores.mean_error_km)}  median error {_fmt_km(scores.median_error_km)}",
        "end to end",
        f"  acc@161        {_fmt(scores.end_to_end_acc_at_161)}",
        f"  acc@161 or id  {_fmt(scores.end_to_end_acc_at_161_or_id)}",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- events


def _acled_id(row: Mapping[str, str]) -> str:
    return (row.get("event_id_cnty") or "").strip()


def acled_row_to_document(row: Mapping[str, str]) -> dict[str, str]:
    """
    Turn one ACLED row into the document ``geomap extract`` reads.

    Parameters
    ----------
    row
        An ACLED CSV row as :class:`csv.DictReader` yields it.

    Returns
    -------
    dict of str to str
        ``{"id": event_id_cnty, "text": notes, "published": event_date}``.

    Raises
    ------
    InputError
        When the row lacks one of those three columns or has an empty id.

    Examples
    --------
    >>> row = {"event_id_cnty": "XYZ1", "notes": "A protest.", "event_date": "2022-01-02"}
    >>> acled_row_to_document(row)["id"]
    'XYZ1'
    """
    absent = [column for column in _ACLED_COLUMNS if row.get(column) is None]
    if absent or not _acled_id(row):
        msg = (
            f"ACLED row lacks {', '.join(absent) or 'an event_id_cnty value'}; expected an "
            f"ACLED export with columns {', '.join(_ACLED_COLUMNS)} (got {sorted(row)!r})."
        )
        raise InputError(msg)
    return {"id": _acled_id(row), "text": row["notes"], "published": row["event_date"].strip()}


def _parse_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _parse_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _canonical_type(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        return _MISSING
    folded = value.strip().casefold()
    for name in EVENT_TYPES:
        if name.casefold() == folded:
            return name
    return value.strip()


def _location(rows: Sequence[float | None]) -> LocationScores:
    """Summarise per-row errors, None standing for a row that could not be located."""
    errors = [e for e in rows if e is not None]
    return LocationScores(
        n_rows=len(rows),
        n_located=len(errors),
        acc_at_25km=_ratio(sum(1 for e in errors if e <= NEAR_KM), len(rows)),
        acc_at_161km=_ratio(sum(1 for e in errors if e <= ACC_KM), len(rows)),
        mean_error_km=_mean(errors),
        median_error_km=_median(errors),
    )


def _scored_events(events: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Pick each document's scored event: its first primary event, else its first event."""
    first: dict[str, Mapping[str, Any]] = {}
    primary: dict[str, Mapping[str, Any]] = {}
    for event in events:
        doc_id = str(event.get("doc_id", "")).strip()
        first.setdefault(doc_id, event)
        if event.get("primary") is True:
            primary.setdefault(doc_id, event)
    return {doc_id: primary.get(doc_id, event) for doc_id, event in first.items()}


def score_events(rows: Sequence[Mapping[str, str]], events: Iterable[Mapping[str, Any]]) -> EventScores:
    """
    Score extracted events against ACLED rows, one row per document.

    Parameters
    ----------
    rows
        ACLED CSV rows as :class:`csv.DictReader` yields them (all values strings).
    events
        Events as ``geomap extract`` writes them (``doc_id``, ``primary``,
        ``event_type``, ``sub_event_type``, ``fatalities``, ``lat``, ``lon`` ...).
        A row is scored on its document's first primary event, else its first
        event; a row without events is wrong everywhere and left out of the MAE.

    Returns
    -------
    EventScores
        Every metric; ratios with an empty denominator are None.

    Examples
    --------
    >>> rows = [{"event_id_cnty": "A1", "event_type": "Riots", "fatalities": "0"}]
    >>> events = [{"doc_id": "A1", "primary": True, "event_type": " riots", "fatalities": 0}]
    >>> scores = score_events(rows, events)
    >>> scores.event_type_acc, scores.fatalities_exact_acc, scores.location.acc_at_161km
    (1.0, 1.0, 0.0)
    """
    scored = _scored_events(events)
    n_covered = type_right = sub_right = fatal_right = 0
    n_fatal_rows = fatal_right_fatal = 0
    abs_errors: list[float] = []
    location_errors: list[float | None] = []
    by_precision: dict[int, list[float | None]] = {p: [] for p in GEO_PRECISIONS}
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    for row in rows:
        event = scored.get(_acled_id(row))
        acled_type = _canonical_type(row.get("event_type"))
        acled_fatalities = _parse_int(row.get("fatalities"))
        if acled_fatalities is not None and acled_fatalities > 0:
            n_fatal_rows += 1
        error: float | None = None
        if event is None:
            confusion[acled_type][NO_EVENT] += 1
        else:
            n_covered += 1
            confusion[acled_type][_canonical_type(event.get("event_type"))] += 1
            acled_norm = _norm(row.get("event_type"))
            type_right += acled_norm is not None and acled_norm == _norm(event.get("event_type"))
            acled_sub = _norm(row.get("sub_event_type"))
            sub_right += acled_sub is not None and acled_sub == _norm(event.get("sub_event_type"))
            predicted = _as_number(event.get("fatalities"))
            if predicted is not None and acled_fatalities is not None:
                abs_errors.append(abs(predicted - acled_fatalities))
                if predicted == acled_fatalities:
                    fatal_right += 1
                    fatal_right_fatal += acled_fatalities > 0
            acled_lat = _parse_float(row.get("latitude"))
            acled_lon = _parse_float(row.get("longitude"))
            point = _coords(event)
            if point is not None and acled_lat is not None and acled_lon is not None:
                error = haversine_km(acled_lat, acled_lon, *point)
        location_errors.append(error)
        precision = _parse_int(row.get("geo_precision"))
        if precision is not None and precision in by_precision:
            by_precision[precision].append(error)

    n_rows = len(rows)
    return EventScores(
        n_rows=n_rows,
        n_covered=n_covered,
        coverage=_ratio(n_covered, n_rows),
        event_type_acc=_ratio(type_right, n_rows),
        sub_event_type_acc=_ratio(sub_right, n_rows),
        fatalities_exact_acc=_ratio(fatal_right, n_rows),
        n_fatal_rows=n_fatal_rows,
        fatalities_exact_acc_fatal=_ratio(fatal_right_fatal, n_fatal_rows),
        fatalities_mae=_mean(abs_errors),
        fatalities_mae_n=len(abs_errors),
        location=_location(location_errors),
        location_by_precision={p: _location(e) for p, e in by_precision.items()},
        confusion=_dense_confusion(confusion),
    )


def _dense_confusion(counts: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """Fill the matrix: ACLED's six types first, then other labels sorted, then "no event"."""
    seen_rows = set(counts)
    seen_cols = {col for row in counts.values() for col in row} - {NO_EVENT}
    rows = [*EVENT_TYPES, *sorted(seen_rows - set(EVENT_TYPES))]
    cols = [*EVENT_TYPES, *sorted(seen_cols - set(EVENT_TYPES)), NO_EVENT]
    return {r: {c: counts.get(r, {}).get(c, 0) for c in cols} for r in rows}


def _format_location(label: str, scores: LocationScores) -> str:
    return (
        f"  {label:<15} n {scores.n_rows:>4}  located {scores.n_located:>4}  "
        f"acc@25km {_fmt(scores.acc_at_25km)}  acc@161km {_fmt(scores.acc_at_161km)}  "
        f"mean {_fmt_km(scores.mean_error_km)}  median {_fmt_km(scores.median_error_km)}"
    )


def _format_confusion(confusion: Mapping[str, Mapping[str, int]]) -> list[str]:
    if not confusion:
        return ["event_type confusion (rows: ACLED, columns: prediction)", "  (no rows)"]
    cols = list(next(iter(confusion.values())))
    label_width = max(len(r) for r in confusion)
    widths = [max(len(c), 4) for c in cols]
    header = " " * (label_width + 4) + "  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))
    lines = ["event_type confusion (rows: ACLED, columns: prediction)", header]
    for label, counts in confusion.items():
        cells = "  ".join(str(counts[c]).rjust(w) for c, w in zip(cols, widths, strict=True))
        lines.append(f"  {label.ljust(label_width)}  {cells}")
    return lines


def format_events(scores: EventScores, *, confusion: bool = False) -> str:
    """
    Render event scores as a readable multi-line report.

    Parameters
    ----------
    scores
        The result of :func:`score_events`.
    confusion
        Append the event_type confusion matrix.

    Returns
    -------
    str
        The report, ``n/a`` standing for metrics that are not available.
    """
    lines = [
        f"events (ACLED rows {scores.n_rows})",
        f"  coverage {_fmt(scores.coverage)} ({scores.n_covered} rows with an event)",
        f"  event_type acc {_fmt(scores.event_type_acc)}  sub_event_type acc {_fmt(scores.sub_event_type_acc)}",
        "fatalities",
        f"  exact acc {_fmt(scores.fatalities_exact_acc)}  "
        f"on rows with fatalities > 0 ({scores.n_fatal_rows}) "
        f"{_fmt(scores.fatalities_exact_acc_fatal)}",
        f"  MAE {_fmt(scores.fatalities_mae, 2)} (n = {scores.fatalities_mae_n})",
        "location",
        _format_location("all", scores.location),
    ]
    lines += [_format_location(f"geo_precision {p}", s) for p, s in scores.location_by_precision.items()]
    if confusion:
        lines += _format_confusion(scores.confusion)
    return "\n".join(lines)


# --------------------------------------------------------------------------- event → place links


@dataclass(frozen=True, slots=True, kw_only=True)
class EventLocationScores:
    """Event → place linking metrics of a set of records (``event_geo`` format)."""

    n_records: int
    """Records scored."""
    n_with_place: int
    """Records whose gold names at least one place."""
    spans: RecognitionScores
    """Span precision, recall and F1 by overlap, one prediction matching at most one gold span."""
    record_acc: float | None
    """Share of records whose gold spans are all matched and whose predictions all match."""
    record_acc_with_place: float | None
    """Record accuracy over the records whose gold names a place."""
    record_acc_without_place: float | None
    """Record accuracy over the records whose gold names no place (right when nothing is predicted)."""


def _link_spans(record: Mapping[str, Any], what: str) -> list[_Span]:
    doc_id = str(record.get("id"))
    spans = []
    for index, loc in enumerate(record.get("event_locations") or []):
        start, end = loc.get("start"), loc.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or end <= start:
            msg = f"{what} record {doc_id!r}: event location {loc!r} needs integer 'start' < 'end'."
            raise InputError(msg)
        spans.append(_Span(start, end, index, loc))
    return spans


def score_event_location(
    gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
) -> EventLocationScores:
    """
    Score predicted event → place links against gold, record by record.

    Parameters
    ----------
    gold
        Records with ``id`` and ``event_locations`` (``start``/``end`` spans).
    predicted
        Records of the same ids in the same order, with predicted ``event_locations``.

    Returns
    -------
    EventLocationScores
        Span P/R/F1 (overlap match) and record accuracy.

    Raises
    ------
    InputError
        When the two lists differ in length or order of ids, or a span is malformed.

    Examples
    --------
    >>> gold = [{"id": "a", "event_locations": [{"start": 0, "end": 5}]}, {"id": "b", "event_locations": []}]
    >>> pred = [{"id": "a", "event_locations": [{"start": 1, "end": 4}]}, {"id": "b", "event_locations": []}]
    >>> score_event_location(gold, pred).record_acc
    1.0
    """
    if len(gold) != len(predicted):
        msg = f"{len(predicted)} predicted records for {len(gold)} gold records; predict every gold record once."
        raise InputError(msg)
    tp = fp = fn = 0
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for g, p in zip(gold, predicted, strict=True):
        if str(g.get("id")) != str(p.get("id")):
            msg = f"Predicted record {p.get('id')!r} where gold has {g.get('id')!r}; keep the gold order."
            raise InputError(msg)
        gold_spans = _link_spans(g, "gold")
        pred_spans = _link_spans(p, "predicted")
        matched = len(_match_overlap(gold_spans, pred_spans))
        tp += matched
        fp += len(pred_spans) - matched
        fn += len(gold_spans) - matched
        has_place = bool(gold_spans)
        total[has_place] += 1
        right[has_place] += matched == len(gold_spans) == len(pred_spans)
    return EventLocationScores(
        n_records=len(gold),
        n_with_place=total[True],
        spans=_recognition(tp, fp, fn),
        record_acc=_ratio(right[True] + right[False], len(gold)),
        record_acc_with_place=_ratio(right[True], total[True]),
        record_acc_without_place=_ratio(right[False], total[False]),
    )


def format_event_location(scores: EventLocationScores, *, title: str = "event → place linking") -> str:
    """
    Render event → place scores as a readable report.

    Parameters
    ----------
    scores
        The result of :func:`score_event_location`.
    title
        First line of the report (e.g. naming the cross-validation).

    Returns
    -------
    str
        The report, ``n/a`` standing for metrics that are not available.
    """
    return "\n".join(
        [
            title,
            f"  records {scores.n_records} ({scores.n_with_place} with a gold place)",
            *_format_recognition("spans", scores.spans),
            f"  record accuracy {_fmt(scores.record_acc)}  (with a place {_fmt(scores.record_acc_with_place)}, "
            f"without {_fmt(scores.record_acc_without_place)})",
        ]
    )
