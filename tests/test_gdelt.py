"""GDELT 2.0 event exports: read by their documented columns, duplicate rows fused (fixture written for the tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geomap.errors import InputError
from geomap.gdelt import GDELT_COLUMNS, gdelt_items, gdelt_layers, is_gdelt, read_gdelt
from geomap.store import add_rows, read_store

EXPORT = Path(__file__).parent / "data" / "gdelt" / "20240307000000.export.CSV"


def test_gdelt_reads_the_61_documented_columns() -> None:
    assert len(GDELT_COLUMNS) == 61
    assert is_gdelt(EXPORT)
    rows = read_gdelt(EXPORT)
    assert len(rows) == 7
    assert rows[0]["ActionGeo_FullName"] == "Nairobi, Nairobi Area, Kenya"
    assert rows[0]["SOURCEURL"].startswith("https://")
    assert rows[4]["EventCode"] == "190"


def test_gdelt_rejects_other_tables(tmp_path: Path) -> None:
    bad = tmp_path / "bad.export.CSV"
    bad.write_text("1\t2\t3\n", encoding="utf-8")
    assert not is_gdelt(bad)
    with pytest.raises(InputError, match="61"):
        read_gdelt(bad)


def test_gdelt_duplicate_rows_fused() -> None:
    events = gdelt_layers([EXPORT]).events.drop(columns="geometry").to_dict("records")
    by_place = {(e["location_name"], e["kind"]): e for e in events}
    assert len(events) == 3
    nairobi = by_place[("Nairobi", "protest")]
    assert nairobi["n_sources"] == 4
    assert nairobi["country_code"] == "KE"  # from the coordinates, not GDELT's FIPS code
    assert nairobi["event_type"] == "Protests"
    urls = {s["url"] for s in json.loads(nairobi["sources"])}
    assert len(urls) == 4
    mombasa = by_place[("Mombasa", "clashes")]
    assert (mombasa["n_sources"], mombasa["event_type"]) == (2, "Battles")
    unlocated = by_place[("", "arrests")]
    assert not unlocated["located"]


def test_gdelt_rows_go_into_the_store_once(tmp_path: Path) -> None:
    store = tmp_path / "gdelt.gpkg"
    first = add_rows(store, gdelt_items(read_gdelt(EXPORT), str(EXPORT)))
    again = add_rows(store, gdelt_items(read_gdelt(EXPORT), str(EXPORT)))
    assert (first.added, first.events) == (7, 3)
    assert (again.added, again.unchanged, again.events) == (0, 7, 3)
    assert sorted(read_store(store).events["n_sources"]) == [1, 2, 4]
