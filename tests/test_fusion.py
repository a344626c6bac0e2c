"""Fusion of many reports of one crisis, on invented reports written for these tests (tests/data/crisis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from geomap.fusion import COPY_JACCARD, FUSED_COLUMNS, fuse_layers, minhash, toll_label
from geomap.ingest import read_documents
from geomap.layers import Layers
from geomap.pipeline import DocumentResult, process_documents

CRISIS = Path(__file__).parent / "data" / "crisis"
GOLD = json.loads((CRISIS / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crisis_results(gazetteer: Any) -> list[DocumentResult]:
    return list(process_documents(read_documents(CRISIS / "reports.jsonl"), gazetteer))


@pytest.fixture(scope="module")
def fused(crisis_results: list[DocumentResult]) -> list[dict[str, Any]]:
    layers = fuse_layers(crisis_results)
    records: list[dict[str, Any]] = layers.events.drop(columns="geometry").to_dict("records")
    return records


def _family(row: dict[str, Any]) -> str:
    kind = str(row["kinds"]).split(";")[0]
    if row["geometry_kind"] == "flow" or kind == "displacement":
        return "displacement"
    return "violence" if kind in {"riots", "clashes", "attack", "killed", "arson", "looting", "protest"} else kind


def _matching(fused: list[dict[str, Any]], gold: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in fused if r["location_name"] == gold["place"] and _family(r) == gold["family"]]


def test_fusion_one_event_per_real_event(fused: list[dict[str, Any]]) -> None:
    for gold in GOLD["events"]:
        assert len(_matching(fused, gold)) == 1, gold["name"]
    assert len(fused) == len(GOLD["events"])


def test_fusion_every_source_listed(fused: list[dict[str, Any]]) -> None:
    for gold in GOLD["events"]:
        (row,) = _matching(fused, gold)
        sources = json.loads(row["sources"])
        listed = {s["doc_id"] for s in sources} | {c["doc_id"] for s in sources for c in s["copies"]}
        assert listed == set(gold["docs"]), gold["name"]
        assert row["n_sources"] == len(gold["docs"])
        for source in sources:
            assert source["outlet"]
            assert source["url"].startswith("https://")
            assert source["evidence"]


def test_fusion_toll_series(fused: list[dict[str, Any]]) -> None:
    for gold in GOLD["events"]:
        (row,) = _matching(fused, gold)
        entries = [e for e in json.loads(row["tolls"]) if e["noun"] == "killed"]
        got = sorted((e["as_of"], e["value"], e["status"]) for e in entries)
        want = sorted((e["as_of"], e["value"], e["status"]) for e in gold["killed"])
        assert got == want, gold["name"]
        if "label" in gold:
            assert row["toll_label"] == gold["label"]
        if gold["killed"]:
            assert row["killed_max"] == max(e["value"] for e in gold["killed"])
        if "displaced" in gold:
            shown = sorted((e["as_of"], e["value"]) for e in json.loads(row["tolls"]) if e["noun"] == "displaced")
            assert shown == sorted((e["as_of"], e["value"]) for e in gold["displaced"])
            assert row["displaced"] == gold["displaced"][-1]["value"]


def test_fusion_background_left_out(fused: list[dict[str, Any]]) -> None:
    texts = [e["text"] for row in fused for e in json.loads(row["tolls"])]
    assert GOLD["background"]["killed_text"] not in texts
    assert all(row["event_date"] >= "2024-03-01" for row in fused)


def test_fusion_sums_never_exceed_stated(fused: list[dict[str, Any]]) -> None:
    """Summing the killed/fatalities/displaced columns over any stated area gives at most its highest figure."""
    places = {row["location_name"]: row for row in fused}
    for row in fused:
        entries = json.loads(row["tolls"])
        for noun, column in (("killed", "killed"), ("killed", "fatalities"), ("displaced", "displaced")):
            stated = [e["value"] for e in entries if e["noun"] == noun]
            if not stated:
                continue
            inside = [
                r
                for r in fused
                if r["location_name"] == row["location_name"]
                or (row["where_prec"] >= 6 and r["country_code"] == row["country_code"])
            ]
            total = sum(float(r[column]) for r in inside if r[column] == r[column] and r[column] is not None)
            assert total <= max(stated), (row["location_name"], column, total, stated)
    country = places["Kenya"]
    assert float(country["killed"]) + float(places["Nakuru"]["killed"]) <= 50
    assert sum(float(r["fatalities"]) for r in fused) == 50


def test_fusion_columns_and_determinism(crisis_results: list[DocumentResult], fused: list[dict[str, Any]]) -> None:
    again = fuse_layers(crisis_results)
    assert isinstance(again, Layers)
    assert set(FUSED_COLUMNS) <= set(again.events.columns)
    records = again.events.drop(columns="geometry").to_dict("records")
    assert json.dumps(records, default=str) == json.dumps(fused, default=str)


def test_fusion_wire_copies_found_by_minhash() -> None:
    lines = [json.loads(line) for line in (CRISIS / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = {line["id"]: line["text"] for line in lines}

    def similarity(a: str, b: str) -> float:
        sa, sb = minhash(texts[a]), minhash(texts[b])
        return sum(x == y for x, y in zip(sa, sb, strict=True)) / len(sa)

    assert similarity("wire-0304", "paper-0304") >= COPY_JACCARD
    assert similarity("wire-0306", "post-0306") >= COPY_JACCARD
    assert similarity("wire-0304", "wire-0306") < COPY_JACCARD
    assert similarity("daily-0305", "agency-0307") < COPY_JACCARD


def test_fusion_toll_label_keeps_conflicts() -> None:
    from geomap.fusion import TollEntry

    common = {"noun": "killed", "doc_id": "d", "outlet": "", "evidence": ""}
    entries = [
        TollEntry(as_of="2024-06-18", value=191, text="191", status="official", **common),
        TollEntry(as_of="2024-06-17", value=2000, text="up to 2,000", status="estimate", **common),
        TollEntry(as_of="2024-06-12", value=77, text="at least 77", status="official", **common),
    ]
    assert toll_label(entries) == "191 killed (official, 18 June); estimates up to 2,000"
    assert toll_label(entries[2:]) == "77 killed (official, 12 June)"
    assert toll_label([]) == ""


def test_extract_fuse_writes_one_event_per_real_event(tmp_path: Path) -> None:
    from geomap.cli import main

    reports = CRISIS / "reports.jsonl"
    texts = {d["id"]: d["text"] for d in map(json.loads, reports.read_text(encoding="utf-8").splitlines())}
    fused_path, apart_path = tmp_path / "fused.jsonl", tmp_path / "apart.jsonl"
    assert main(["extract", str(reports), "-o", str(fused_path), "--fuse", "--fast", "-q"]) == 0
    assert main(["extract", str(reports), "-o", str(apart_path), "--fast", "-q"]) == 0
    fused = [json.loads(line) for line in fused_path.read_text(encoding="utf-8").splitlines()]
    apart = [json.loads(line) for line in apart_path.read_text(encoding="utf-8").splitlines()]
    assert len(apart) > len(fused)  # the default still writes every report's events
    incidents = [g for g in GOLD["events"] if not g.get("area_toll")]  # a national toll is no marker
    assert len(fused) == len(incidents)
    for gold in incidents:
        (line,) = [e for e in fused if e["location_name"] == gold["place"] and _family(line_row(e)) == gold["family"]]
        assert line["doc_id"] in gold["docs"]
        assert line["doc_id"] in line["sources"]
        assert set(line["sources"]) <= set(gold["docs"])
        assert line["event_date"] == gold["date"]
    for line in fused:
        evidence = line["evidence"]
        assert evidence["text"] == texts[line["doc_id"]][evidence["start"] : evidence["end"]]
        assert line["lat"] is not None
        assert line["geo_precision"] is not None
    (riots,) = [e for e in fused if "riots" in e["kinds"]]
    assert riots["fatalities"] == 40  # the latest official figure, from a later report than the evidence
    assert len(riots["sources"]) == len(GOLD["events"][0]["docs"])


def line_row(line: dict[str, Any]) -> dict[str, Any]:
    """An extract line in the shape :func:`_family` reads (kinds joined by ';')."""
    return {"kinds": ";".join(line["kinds"]), "geometry_kind": line["geometry_kind"]}
