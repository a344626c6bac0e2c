"""The event store: a GeoPackage that grows one report at a time and stays fused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyogrio
import pytest

from geomap.errors import InputError
from geomap.fusion import fuse_layers
from geomap.ingest import read_documents
from geomap.pipeline import DocumentResult, process_documents
from geomap.store import STORE_TABLES, add_results, read_store

CRISIS = Path(__file__).parent / "data" / "crisis"


@pytest.fixture(scope="module")
def crisis_results(gazetteer: Any) -> list[DocumentResult]:
    return list(process_documents(read_documents(CRISIS / "reports.jsonl"), gazetteer))


def _public_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as con:
        return {table: sorted(map(tuple, con.execute(f'SELECT * FROM "{table}"'))) for table in STORE_TABLES}


def _summary(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (r["location_name"], r["kinds"].split(";")[0], r["n_sources"], r["toll_label"], r["fatalities"])
        for r in records
    )


def test_store_same_events_as_batch_fusion_one_report_at_a_time(
    tmp_path: Path, crisis_results: list[DocumentResult]
) -> None:
    store = tmp_path / "crisis.gpkg"
    for result in crisis_results:
        add_results(store, [result])
    stored = read_store(store).events.drop(columns="geometry").to_dict("records")
    batch = fuse_layers(crisis_results).events.drop(columns="geometry").to_dict("records")
    assert _summary(stored) == _summary(batch)


def test_store_adding_twice_changes_nothing(tmp_path: Path, crisis_results: list[DocumentResult]) -> None:
    store = tmp_path / "crisis.gpkg"
    first = add_results(store, crisis_results)
    assert (first.added, first.copies, first.unchanged) == (5, 2, 0)
    before = _public_rows(store)
    again = add_results(store, crisis_results)
    assert (again.added, again.copies, again.unchanged) == (0, 0, 7)
    assert _public_rows(store) == before


def test_store_is_a_geopackage_gis_tools_read(tmp_path: Path, crisis_results: list[DocumentResult]) -> None:
    store = tmp_path / "crisis.gpkg"
    add_results(store, crisis_results)
    layers = dict(pyogrio.list_layers(store).tolist())
    assert layers == {
        "events": "Point",
        "flows": "LineString",
        "areas": "MultiPolygon",
        "places": "Point",
        "sources": None,
        "tolls": None,
    }
    events = pyogrio.read_dataframe(store, layer="events")
    assert len(events) == 5
    assert events.crs.to_epsg() == 4326
    kisumu = events[(events["location_name"] == "Kisumu") & (events["kind"] == "riots")].iloc[0]
    assert kisumu.geometry.x == pytest.approx(kisumu["lon"])
    assert kisumu.geometry.y == pytest.approx(kisumu["lat"])
    flows = pyogrio.read_dataframe(store, layer="flows")
    assert len(flows) == 1
    assert flows.geometry.iloc[0].geom_type == "LineString"
    sources = pyogrio.read_dataframe(store, layer="sources", read_geometry=False)
    riot_sources = sources[sources["event_id"] == kisumu["event_id"]]
    assert set(riot_sources["doc_id"]) == set(json.loads((CRISIS / "gold.json").read_text())["events"][0]["docs"])
    assert set(riot_sources[riot_sources["copy_of"] != ""]["doc_id"]) == {"paper-0304", "post-0306"}
    tolls = pyogrio.read_dataframe(store, layer="tolls", read_geometry=False)
    assert sorted(tolls[tolls["event_id"] == kisumu["event_id"]]["value"]) == [12, 25, 40, 150]


def test_store_rejects_other_files(tmp_path: Path, crisis_results: list[DocumentResult]) -> None:
    with pytest.raises(InputError, match=r"\.gpkg"):
        add_results(tmp_path / "crisis.sqlite", crisis_results[:1])
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(InputError, match="not a GeoPackage"):
        add_results(bad, crisis_results[:1])
    with pytest.raises(InputError, match="No such store"):
        read_store(tmp_path / "missing.gpkg")
