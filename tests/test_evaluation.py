"""Tests for geomap.evaluation, on tiny invented documents and rows."""

from __future__ import annotations

import math
from typing import Any

import pytest

from geomap.errors import InputError
from geomap.evaluation import (
    EVENT_TYPES,
    NO_EVENT,
    acled_row_to_document,
    format_events,
    format_geoparse,
    haversine_km,
    score_events,
    score_geoparse,
)

KM_PER_DEGREE = math.pi * 6371.0088 / 180  # 111.19508... km along the equator or a meridian


def top(start: int, end: int, lat: float | None = None, lon: float | None = None, **extra: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "lat": lat, "lon": lon, **extra}


def doc(doc_id: str, *toponyms: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc_id, "toponyms": list(toponyms)}


# ---------------------------------------------------------------- distances


def test_evaluation_haversine_along_equator_and_meridian() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.19508, abs=1e-5)
    assert haversine_km(0.0, 0.0, 10.0, 0.0) == pytest.approx(1111.9508, abs=1e-4)
    assert haversine_km(45.0, 7.0, 45.0, 7.0) == 0.0


# ---------------------------------------------------------------- recognition


def test_evaluation_exact_and_overlap_recognition_counts() -> None:
    # "Floods hit Osh and Bishkek.": Osh 11-14, Bishkek 19-26.
    gold = [doc("d1", top(11, 14), top(19, 26))]
    predicted = [doc("d1", top(0, 6), top(11, 14), top(19, 25))]

    scores = score_geoparse(gold, predicted)

    assert scores.exact is not None
    assert scores.overlap is not None
    assert (scores.exact.tp, scores.exact.fp, scores.exact.fn) == (1, 2, 1)
    assert scores.exact.precision == pytest.approx(1 / 3)
    assert scores.exact.recall == pytest.approx(0.5)
    assert scores.exact.f1 == pytest.approx(0.4)
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (2, 1, 0)
    assert scores.overlap.precision == pytest.approx(2 / 3)
    assert scores.overlap.recall == pytest.approx(1.0)
    assert scores.overlap.f1 == pytest.approx(0.8)
    assert (scores.n_docs, scores.n_gold, scores.n_predicted) == (1, 2, 3)


def test_evaluation_exact_matching_is_one_to_one() -> None:
    gold = [doc("d1", top(0, 5))]
    predicted = [doc("d1", top(0, 5), top(0, 5))]

    scores = score_geoparse(gold, predicted)

    assert scores.exact is not None
    assert (scores.exact.tp, scores.exact.fp, scores.exact.fn) == (1, 1, 0)
    assert scores.exact.precision == pytest.approx(0.5)


# The matched prediction is revealed by its coordinates: "near" sits on the gold point
# (error 0), "far" ten degrees away (1,112 km), so acc@161 is 1.0 exactly when "near" won.
NEAR: dict[str, Any] = {"lat": 0.0, "lon": 0.0}
FAR: dict[str, Any] = {"lat": 0.0, "lon": 10.0}


@pytest.mark.parametrize(
    ("near_span", "far_span"),
    [
        # longest overlap wins: 8 characters against 5
        ((12, 20), (5, 15)),
        # equal overlap (4): boundaries differ by 6 against 8, even though "far" is leftmost
        ((16, 20), (8, 14)),
        # equal overlap (4) and boundary difference (10): the leftmost wins
        ((6, 14), (16, 24)),
    ],
)
def test_evaluation_overlap_greedy_tie_rules(near_span: tuple[int, int], far_span: tuple[int, int]) -> None:
    gold = [doc("d1", top(10, 20, 0.0, 0.0))]
    predicted = [doc("d1", top(*far_span, **FAR), top(*near_span, **NEAR))]

    scores = score_geoparse(gold, predicted)

    assert scores.overlap is not None
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (1, 1, 0)
    assert scores.resolution_n == 1
    assert scores.acc_at_161 == 1.0
    assert scores.mean_error_km == pytest.approx(0.0)


def test_evaluation_overlap_tie_between_gold_spans_takes_leftmost_gold() -> None:
    # One prediction overlaps both gold spans by 5 with boundary difference 10.
    gold = [doc("d1", top(0, 10, 0.0, 0.0), top(10, 20, 0.0, 10.0))]
    predicted = [doc("d1", top(5, 15, 0.0, 0.0))]

    scores = score_geoparse(gold, predicted)

    assert scores.overlap is not None
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (1, 0, 1)
    assert scores.acc_at_161 == 1.0
    assert scores.end_to_end_acc_at_161 == pytest.approx(0.5)


def test_evaluation_overlap_greedy_then_next_best_partner() -> None:
    # P2 overlaps G1 more (5) than G2 (4), but G1 already went to its exact twin P1.
    gold = [doc("d1", top(0, 10), top(8, 12))]
    predicted = [doc("d1", top(0, 10), top(5, 12))]

    scores = score_geoparse(gold, predicted)

    assert scores.overlap is not None
    assert scores.exact is not None
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (2, 0, 0)
    assert (scores.exact.tp, scores.exact.fp, scores.exact.fn) == (1, 1, 1)


def test_evaluation_non_locational_gold_is_excluded() -> None:
    gold = [doc("d1", top(0, 5, 1.0, 1.0), top(10, 16, 2.0, 2.0, non_locational=True))]
    predicted = [
        doc(
            "d1",
            top(0, 5, 1.0, 1.0),
            top(10, 16, 2.0, 2.0),  # the excluded span itself: neither TP nor FP
            top(12, 20),  # overlaps the excluded span only: neither TP nor FP
            top(30, 35),  # overlaps nothing: FP
        )
    ]

    scores = score_geoparse(gold, predicted)

    assert (scores.n_gold, scores.n_excluded, scores.n_gold_with_coords) == (1, 1, 1)
    assert scores.exact is not None
    assert scores.overlap is not None
    assert (scores.exact.tp, scores.exact.fp, scores.exact.fn) == (1, 1, 0)
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (1, 1, 0)
    assert scores.exact.precision == pytest.approx(0.5)
    assert scores.resolution_n == 1
    assert scores.end_to_end_acc_at_161 == 1.0


def test_evaluation_f1_zero_when_nothing_matches_and_na_without_predictions() -> None:
    missed = score_geoparse([doc("d1", top(0, 4))], [doc("d1", top(10, 14))])
    silent = score_geoparse([doc("d1", top(0, 4))], [doc("d1")])

    assert missed.exact is not None
    assert (missed.exact.precision, missed.exact.recall, missed.exact.f1) == (0.0, 0.0, 0.0)
    assert silent.exact is not None
    assert (silent.exact.precision, silent.exact.recall, silent.exact.f1) == (None, 0.0, None)


# ---------------------------------------------------------------- resolution


def test_evaluation_resolution_acc161_mean_median_auc() -> None:
    gold = [doc("d1", top(0, 4, 0.0, 0.0), top(10, 14, 0.0, 0.0), top(20, 24, 0.0, 0.0))]
    predicted = [
        doc(
            "d1",
            top(0, 4, 0.0, 0.0),  # 0 km
            top(10, 14, 0.0, 1.0),  # 111.195 km
            top(20, 24, 10.0, 0.0),  # 1111.951 km
        )
    ]

    scores = score_geoparse(gold, predicted)

    assert scores.resolution_n == 3
    assert scores.acc_at_161 == pytest.approx(2 / 3)
    assert scores.mean_error_km == pytest.approx(407.7153, abs=1e-4)
    assert scores.median_error_km == pytest.approx(111.1951, abs=1e-4)
    # (ln 1 + ln 112.195 + ln 1112.951) / 3 / ln 20039
    assert scores.auc == pytest.approx(0.394901, abs=1e-6)
    assert scores.end_to_end_acc_at_161 == pytest.approx(2 / 3)


def test_evaluation_end_to_end_with_geonameid_and_missing_document() -> None:
    gold = [
        doc(
            "d1",
            top(0, 4, 0.0, 0.0, geonameid=1),  # matched exactly, 0 km: right
            top(10, 14, 0.0, 0.0, geonameid=2),  # overlapped, 1112 km, same id: right by id
            top(20, 24, 0.0, 0.0, geonameid=3),  # predicted without coordinates, same id
            top(30, 34, 0.0, 0.0, geonameid=4),  # not predicted
            top(40, 44, geonameid=None),  # no gold coordinates: outside e2e
        ),
        doc("d2", top(0, 5, 5.0, 5.0, geonameid=5)),  # no output document at all
    ]
    predicted = [
        doc(
            "d1",
            top(0, 4, 0.0, 0.0, geonameid=1),
            top(11, 14, 0.0, 10.0, geonameid=2),
            top(20, 24, geonameid=3),
            top(40, 44, 3.0, 3.0, geonameid=9),
        )
    ]

    scores = score_geoparse(gold, predicted)

    assert (scores.n_docs, scores.n_gold, scores.n_gold_with_coords) == (2, 6, 5)
    assert scores.resolution_n == 2
    assert scores.acc_at_161 == pytest.approx(0.5)
    assert scores.end_to_end_acc_at_161 == pytest.approx(1 / 5)
    assert scores.end_to_end_acc_at_161_or_id == pytest.approx(3 / 5)
    assert scores.overlap is not None
    assert (scores.overlap.tp, scores.overlap.fp, scores.overlap.fn) == (4, 0, 2)
    assert scores.coverage is None
    assert scores.extra_predicted_spans is None


# ---------------------------------------------------------------- gold-spans mode


def test_evaluation_gold_spans_coverage_missing_and_extra() -> None:
    gold = [
        doc(
            "d1",
            top(0, 4, 0.0, 0.0),  # resolved, 0 km
            top(10, 14, 0.0, 0.0),  # output without coordinates
            top(20, 24),  # no gold coordinates; output resolved
            top(30, 34, 0.0, 0.0),  # missing from the output
        )
    ]
    predicted = [
        doc(
            "d1",
            top(0, 4, 0.0, 0.0),
            top(10, 14),
            top(20, 24, 1.0, 1.0),
            top(50, 55, 2.0, 2.0),  # extra span
        )
    ]

    scores = score_geoparse(gold, predicted, gold_spans=True)

    assert scores.gold_spans is True
    assert scores.exact is None
    assert scores.overlap is None
    assert scores.coverage == pytest.approx(2 / 4)
    assert scores.coverage_with_gold_coords == pytest.approx(1 / 3)
    assert scores.missing_spans == 1
    assert scores.extra_predicted_spans == 1
    assert scores.resolution_n == 1
    assert scores.acc_at_161 == 1.0
    assert scores.end_to_end_acc_at_161 == pytest.approx(1 / 3)


def test_evaluation_gold_spans_pairs_only_identical_offsets() -> None:
    gold = [doc("d1", top(0, 6, 0.0, 0.0))]
    predicted = [doc("d1", top(0, 5, 0.0, 0.0))]

    scores = score_geoparse(gold, predicted, gold_spans=True)

    assert scores.coverage == 0.0
    assert scores.missing_spans == 1
    assert scores.extra_predicted_spans == 1
    assert scores.resolution_n == 0
    assert scores.acc_at_161 is None
    assert scores.end_to_end_acc_at_161 == 0.0


# ---------------------------------------------------------------- empty and bad input


def test_evaluation_geoparse_empty_inputs_give_none() -> None:
    scores = score_geoparse([], [])

    assert (scores.n_docs, scores.n_gold, scores.resolution_n) == (0, 0, 0)
    assert scores.exact is not None
    assert (scores.exact.precision, scores.exact.recall, scores.exact.f1) == (None, None, None)
    assert scores.acc_at_161 is None
    assert scores.mean_error_km is None
    assert scores.median_error_km is None
    assert scores.auc is None
    assert scores.end_to_end_acc_at_161 is None
    assert scores.end_to_end_acc_at_161_or_id is None
    assert "n/a" in format_geoparse(scores)
    spans = score_geoparse([], [], gold_spans=True)
    assert (spans.coverage, spans.coverage_with_gold_coords) == (None, None)
    assert (spans.missing_spans, spans.extra_predicted_spans) == (0, 0)


def test_evaluation_geoparse_rejects_bad_offsets() -> None:
    with pytest.raises(InputError, match="integer offsets"):
        score_geoparse([doc("d1", {"start": "3", "end": 5})], [])
    with pytest.raises(InputError, match="no 'id'"):
        score_geoparse([{"toponyms": []}], [])


def test_evaluation_format_geoparse_lists_metrics() -> None:
    scores = score_geoparse([doc("d1", top(0, 4, 0.0, 0.0))], [doc("d1", top(0, 4, 0.0, 1.0))])

    report = format_geoparse(scores)

    assert "F1 1.000" in report
    assert "acc@161 1.000" in report
    assert "mean error 111.2 km" in report
    gold_spans_report = format_geoparse(score_geoparse([doc("d1", top(0, 4))], [doc("d1")], gold_spans=True))
    assert "missing spans 1" in gold_spans_report
    assert "acc@161 n/a" in gold_spans_report


# ---------------------------------------------------------------- events


def row(event_id: str, **values: str) -> dict[str, str]:
    base = {
        "event_id_cnty": event_id,
        "event_date": "2022-03-04",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "fatalities": "0",
        "latitude": "0.0",
        "longitude": "0.0",
        "geo_precision": "1",
        "notes": "Invented note.",
    }
    return base | values


def event(doc_id: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "doc_id": doc_id,
        "primary": False,
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "fatalities": 0,
        "lat": 0.0,
        "lon": 0.0,
    }
    return base | values


def test_evaluation_acled_row_to_document() -> None:
    document = acled_row_to_document(row("ABC12", notes="Farmers marched in Springfield."))

    assert document == {
        "id": "ABC12",
        "text": "Farmers marched in Springfield.",
        "published": "2022-03-04",
    }
    with pytest.raises(InputError, match="lacks notes"):
        acled_row_to_document({"event_id_cnty": "X1", "event_date": "2022-01-01"})


def test_evaluation_events_primary_selection_and_no_event_row() -> None:
    rows = [
        row("A1", event_type="Protests", sub_event_type="Peaceful protest"),
        row("B2", event_type="Battles", sub_event_type="Armed clash"),
        row("C3", event_type="Riots", sub_event_type="Mob violence"),
    ]
    events = [
        event("A1", event_type="Riots"),
        event("A1", primary=True, event_type=" protests ", sub_event_type="PEACEFUL PROTEST"),
        event("A1", primary=True, event_type="Battles"),
        # no primary event in B2: the first event is scored
        event("B2", event_type="Battles", sub_event_type="Air/drone strike"),
        event("B2", event_type="Riots"),
        event("Z9", primary=True),  # a document without an ACLED row
    ]

    scores = score_events(rows, events)

    assert (scores.n_rows, scores.n_covered) == (3, 2)
    assert scores.coverage == pytest.approx(2 / 3)
    assert scores.event_type_acc == pytest.approx(2 / 3)
    assert scores.sub_event_type_acc == pytest.approx(1 / 3)
    assert scores.confusion["Protests"]["Protests"] == 1
    assert scores.confusion["Battles"]["Battles"] == 1
    assert scores.confusion["Riots"][NO_EVENT] == 1
    assert sum(sum(counts.values()) for counts in scores.confusion.values()) == 3
    assert list(scores.confusion) == list(EVENT_TYPES)
    assert list(scores.confusion["Riots"]) == [*EVENT_TYPES, NO_EVENT]


def test_evaluation_events_fatalities_exact_and_mae() -> None:
    rows = [
        row("A1", fatalities="0"),  # predicted 0: right, |0|
        row("B2", fatalities="3"),  # predicted 5: wrong, |2|
        row("C3", fatalities="2"),  # no event: wrong, outside MAE
        row("D4", fatalities="4"),  # predicted "4" (a string): wrong, outside MAE
        row("E5", fatalities="1"),  # predicted 1: right, |0|
        row("F6", fatalities="0"),  # predicted null: wrong, outside MAE
    ]
    events = [
        event("A1", primary=True, fatalities=0),
        event("B2", primary=True, fatalities=5),
        event("D4", primary=True, fatalities="4"),
        event("E5", primary=True, fatalities=1),
        event("F6", primary=True, fatalities=None),
    ]

    scores = score_events(rows, events)

    assert scores.fatalities_exact_acc == pytest.approx(2 / 6)
    assert scores.n_fatal_rows == 4
    assert scores.fatalities_exact_acc_fatal == pytest.approx(1 / 4)
    assert scores.fatalities_mae_n == 3
    assert scores.fatalities_mae == pytest.approx(2 / 3)


def test_evaluation_events_location_by_geo_precision() -> None:
    rows = [
        row("P1a", geo_precision="1"),  # 0.1 degree: 11.1 km
        row("P1b", geo_precision="1"),  # 1 degree: 111.2 km
        row("P2a", geo_precision="2"),  # 2 degrees: 222.4 km
        row("P2b", geo_precision="2"),  # event without coordinates
        row("P3a", geo_precision="3"),  # no event
    ]
    events = [
        event("P1a", primary=True, lon=0.1),
        event("P1b", primary=True, lon=1.0),
        event("P2a", primary=True, lat=2.0),
        event("P2b", primary=True, lat=None, lon=None),
    ]

    scores = score_events(rows, events)

    overall = scores.location
    assert (overall.n_rows, overall.n_located) == (5, 3)
    assert overall.acc_at_25km == pytest.approx(1 / 5)
    assert overall.acc_at_161km == pytest.approx(2 / 5)
    assert overall.mean_error_km == pytest.approx(3.1 * KM_PER_DEGREE / 3)
    assert overall.median_error_km == pytest.approx(KM_PER_DEGREE)
    first = scores.location_by_precision[1]
    assert (first.n_rows, first.n_located) == (2, 2)
    assert (first.acc_at_25km, first.acc_at_161km) == (0.5, 1.0)
    assert first.mean_error_km == pytest.approx(61.1573, abs=1e-4)
    second = scores.location_by_precision[2]
    assert (second.n_rows, second.n_located) == (2, 1)
    assert (second.acc_at_25km, second.acc_at_161km) == (0.0, 0.0)
    assert second.median_error_km == pytest.approx(2 * KM_PER_DEGREE)
    third = scores.location_by_precision[3]
    assert (third.n_rows, third.n_located) == (1, 0)
    assert (third.acc_at_25km, third.acc_at_161km) == (0.0, 0.0)
    assert third.mean_error_km is None


def test_evaluation_events_empty_inputs_give_none() -> None:
    scores = score_events([], [])

    assert (scores.n_rows, scores.n_covered, scores.fatalities_mae_n) == (0, 0, 0)
    assert scores.coverage is None
    assert scores.event_type_acc is None
    assert scores.sub_event_type_acc is None
    assert scores.fatalities_exact_acc is None
    assert scores.fatalities_exact_acc_fatal is None
    assert scores.fatalities_mae is None
    assert scores.location.acc_at_25km is None
    assert scores.location.acc_at_161km is None
    assert all(s.acc_at_161km is None for s in scores.location_by_precision.values())
    assert "n/a" in format_events(scores, confusion=True)


def test_evaluation_format_events_confusion_on_request() -> None:
    scores = score_events([row("A1"), row("B2", event_type="Riots")], [event("A1")])

    plain = format_events(scores)
    with_matrix = format_events(scores, confusion=True)

    assert "coverage 0.500" in plain
    assert "event_type acc 0.500" in plain
    assert NO_EVENT not in plain
    assert NO_EVENT in with_matrix
    riots_line = next(line for line in with_matrix.splitlines() if line.startswith("  Riots"))
    assert riots_line.split()[-1] == "1"
