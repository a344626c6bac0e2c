from __future__ import annotations

import contextlib
import csv
import json
import re
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pytest
from conftest import XSS_TEXT
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LinearRing, Point, shape
from shapely.geometry.polygon import orient

from geomap.errors import InputError
from geomap.export import (
    ACLED_COLUMNS,
    EXPORT_FORMATS,
    GEOPACKAGE_LAYERS,
    format_from_suffix,
    write_all,
    write_csv,
    write_events,
    write_geojson,
    write_geopackage,
    write_layer_geojson,
)
from geomap.layers import (
    BORDER_COLUMNS,
    EVENT_COLUMNS,
    PLACE_COLUMNS,
    Layers,
    empty_frame,
    frame_from_records,
)

OSH_LAT, OSH_LON = 40.52828, 72.7985


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _features(path: Path) -> dict[str, dict[str, Any]]:
    return {f["properties"]["event_id"]: f for f in _read_json(path)["features"]}


def _positions(coordinates: Any) -> list[list[float]]:
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [p for c in coordinates for p in _positions(c)]


def _check_key_values(frame: Any, expected: Any) -> None:
    frame = frame.sort_values("event_id").reset_index(drop=True)
    expected = expected.sort_values("event_id").reset_index(drop=True)
    assert len(frame) == len(expected)
    assert frame["event_id"].tolist() == expected["event_id"].tolist()
    assert [int(v) for v in frame["fatalities"]] == [int(v) for v in expected["fatalities"]]
    for column in ("lat", "lon"):
        got = [None if pd.isna(v) else round(float(v), 6) for v in frame[column]]
        want = [None if pd.isna(v) else round(float(v), 6) for v in expected[column]]
        assert got == want
    killed = frame.set_index("event_id")["killed_text"]
    assert killed["fixture-1"] == "at least 77"


# --- GeoJSON -------------------------------------------------------------------------------------------------------


def test_export_geojson_round_trips_key_values(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geojson(example_layers, tmp_path / "osh.geojson")
    _check_key_values(pyogrio.read_dataframe(path), example_layers.events)


def test_export_geojson_is_rfc7946(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geojson(example_layers, tmp_path / "osh.geojson")
    data = _read_json(path)
    assert "crs" not in data
    assert data["type"] == "FeatureCollection"
    features = _features(path)
    # GeoJSON positions are [lon, lat]: Osh's longitude (72.80) comes first.
    assert features["fixture-1"]["geometry"]["coordinates"] == pytest.approx([OSH_LON, OSH_LAT])
    assert features["fixture-3"]["geometry"]["coordinates"][0] == pytest.approx([OSH_LON, OSH_LAT])
    assert [features[f"fixture-{n}"]["geometry"]["type"] for n in (1, 2, 3)] == ["Point", "Polygon", "LineString"]
    positions = [p for f in data["features"] if f["geometry"] for p in _positions(f["geometry"]["coordinates"])]
    assert len(positions) > 100
    for lon, lat in positions:
        assert (round(lon, 6), round(lat, 6)) == (lon, lat)  # at most 6 decimals
        assert 60 < lon < 80
        assert 35 < lat < 45
    # Flat properties and ISO dates.
    properties = features["fixture-1"]["properties"]
    assert all(not isinstance(value, dict | list) for value in properties.values())
    assert properties["event_date"] == "2010-06-12"
    assert properties["primary"] is True


def test_export_geojson_winds_outer_rings_counter_clockwise(example_layers: Layers, tmp_path: Path) -> None:
    events = example_layers.events.copy()
    area = events.geometry.iloc[1]
    events.loc[1, "geometry"] = orient(area, sign=-1.0)  # clockwise outer ring on purpose
    assert not events.geometry.iloc[1].exterior.is_ccw
    path = write_geojson(replace(example_layers, events=events), tmp_path / "osh.geojson")
    geometry = _features(path)["fixture-2"]["geometry"]
    assert geometry["type"] == "Polygon"
    assert LinearRing(geometry["coordinates"][0]).is_ccw
    assert shape(geometry).hausdorff_distance(area) < 1e-6  # same outline, rounded to 6 decimals


def test_export_geojson_keeps_unlocated_event(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geojson(example_layers, tmp_path / "osh.geojson")
    unlocated = _features(path)["fixture-4"]
    assert unlocated["geometry"] is None
    assert unlocated["properties"]["located"] is False
    assert unlocated["properties"]["lat"] is None
    assert unlocated["properties"]["unlocated_reason"] == "no place named"


def test_export_geojson_keeps_text_verbatim(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geojson(example_layers, tmp_path / "osh.geojson")
    assert _features(path)["fixture-1"]["properties"]["evidence"] == XSS_TEXT
    assert pyogrio.read_dataframe(path).set_index("event_id").loc["fixture-1", "evidence"] == XSS_TEXT


def test_export_geojson_sorts_events_by_event_id(example_layers: Layers, tmp_path: Path) -> None:
    events = example_layers.events.iloc[::-1].copy()
    events.loc[events.index[0], "event_id"] = "fixture-10"
    path = write_geojson(replace(example_layers, events=events), tmp_path / "osh.geojson")
    ids = [f["properties"]["event_id"] for f in _read_json(path)["features"]]
    assert ids == ["fixture-1", "fixture-2", "fixture-3", "fixture-10"]


@pytest.mark.parametrize(
    ("layer", "columns", "geometry_type"),
    [("places", PLACE_COLUMNS, "Point"), ("borders", BORDER_COLUMNS, "MultiLineString")],
)
def test_export_geojson_writes_one_layer(
    example_layers: Layers, tmp_path: Path, layer: str, columns: dict[str, str], geometry_type: str
) -> None:
    frame = getattr(example_layers, layer)
    path = write_layer_geojson(frame, tmp_path / f"{layer}.geojson", columns=columns)
    data = _read_json(path)
    assert "crs" not in data
    assert data["name"] == layer
    assert [f["geometry"]["type"] for f in data["features"]] == [geometry_type] * len(frame)
    assert list(data["features"][0]["properties"]) == list(columns)
    read = pyogrio.read_dataframe(path)
    assert len(read) == len(frame)
    assert read["doc_id"].tolist() == frame["doc_id"].tolist()


# --- GeoPackage ----------------------------------------------------------------------------------------------------


def test_export_geopackage_has_five_layers_with_geometry_types(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geopackage(example_layers, tmp_path / "osh.gpkg")
    # QGIS's style table is listed as a table without geometry, as QGIS itself registers it
    assert {str(name): str(kind) for name, kind in pyogrio.list_layers(path)} == {
        **GEOPACKAGE_LAYERS,
        "layer_styles": "None",
    }
    counts = {layer: pyogrio.read_info(path, layer=layer)["features"] for layer in GEOPACKAGE_LAYERS}
    assert counts == {"events": 4, "places": 2, "flows": 1, "areas": 1, "borders": 1}


def test_export_geopackage_round_trips_key_values(example_layers: Layers, tmp_path: Path) -> None:
    path = write_geopackage(example_layers, tmp_path / "osh.gpkg")
    events = pyogrio.read_dataframe(path, layer="events")
    _check_key_values(events, example_layers.events)
    by_id = events.set_index("event_id")
    assert by_id.loc["fixture-1", "geometry"].equals_exact(Point(OSH_LON, OSH_LAT), tolerance=1e-9)
    assert by_id.loc["fixture-4", "geometry"] is None
    assert by_id.loc["fixture-1", "evidence"] == XSS_TEXT
    assert bool(by_id.loc["fixture-1", "primary"]) is True
    areas = pyogrio.read_dataframe(path, layer="areas")
    assert areas["event_id"].tolist() == ["fixture-2"]
    assert areas.geometry.iloc[0].geom_type == "MultiPolygon"
    assert all(part.exterior.is_ccw for part in areas.geometry.iloc[0].geoms)
    flows = pyogrio.read_dataframe(path, layer="flows")
    assert flows["event_id"].tolist() == ["fixture-3"]
    assert flows.geometry.iloc[0].coords[0] == pytest.approx((OSH_LON, OSH_LAT))
    places = pyogrio.read_dataframe(path, layer="places")
    assert places["name"].tolist() == ["Osh", "Moscow"]
    borders = pyogrio.read_dataframe(path, layer="borders")
    assert borders["country_b"].tolist() == ["UZ"]


def test_export_geopackage_writes_empty_layers_with_schema(tmp_path: Path) -> None:
    layers = Layers(
        events=empty_frame(EVENT_COLUMNS), places=empty_frame(PLACE_COLUMNS), borders=empty_frame(BORDER_COLUMNS)
    )
    path = write_geopackage(layers, tmp_path / "empty.gpkg")
    assert {str(name): str(kind) for name, kind in pyogrio.list_layers(path)} == {
        **GEOPACKAGE_LAYERS,
        "layer_styles": "None",
    }
    info = pyogrio.read_info(path, layer="events")
    assert info["features"] == 0
    assert list(info["fields"]) == list(EVENT_COLUMNS)
    # The column types as the GeoPackage (SQLite) declares them, which QGIS reads.
    with contextlib.closing(sqlite3.connect(path)) as db:
        types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(events)")}
    assert types["event_id"] == "TEXT"
    assert types["fatalities"] in {"INTEGER", "MEDIUMINT"}
    assert types["lat"] in {"REAL", "DOUBLE"}
    assert types["located"] == "BOOLEAN"
    assert types["event_date"] == "DATE"
    assert list(pyogrio.read_info(path, layer="borders")["fields"]) == list(BORDER_COLUMNS)


def test_export_geopackage_promotes_split_flows_to_multilinestring(example_layers: Layers, tmp_path: Path) -> None:
    from shapely.geometry import MultiLineString

    events = example_layers.events.copy()
    line = events.geometry.iloc[2]
    events.loc[2, "geometry"] = MultiLineString([line, line.reverse()])
    path = write_geopackage(replace(example_layers, events=events), tmp_path / "osh.gpkg")
    assert dict(pyogrio.list_layers(path).tolist())["flows"] == "MultiLineString"


# --- CSV -----------------------------------------------------------------------------------------------------------


def test_export_csv_header_has_acled_columns_first(example_layers: Layers, tmp_path: Path) -> None:
    path = write_csv(example_layers, tmp_path / "osh.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[: len(ACLED_COLUMNS)] == list(ACLED_COLUMNS)
    assert set(EVENT_COLUMNS) <= set(header)
    assert len(header) == len(set(header))
    assert header[-1] == "geometry_wkt"


def test_export_csv_round_trips_with_pyogrio_and_pandas(example_layers: Layers, tmp_path: Path) -> None:
    path = write_csv(example_layers, tmp_path / "osh.csv")
    for frame in (pyogrio.read_dataframe(path), pd.read_csv(path, dtype=str, keep_default_na=False)):
        assert len(frame) == len(example_layers.events)
        rows = frame.set_index("event_id")
        assert rows.loc["fixture-1", "notes"] == XSS_TEXT
        assert rows.loc["fixture-1", "evidence"] == XSS_TEXT
        assert rows.loc["fixture-1", "killed_text"] == "at least 77"
        assert rows.loc["fixture-1", "event_id_cnty"] == "fixture-1"
        assert rows.loc["fixture-1", "iso"] == "KG"
        assert rows.loc["fixture-1", "country"] == "Kyrgyzstan"
        assert rows.loc["fixture-1", "admin1"] == "Osh"
        assert rows.loc["fixture-1", "year"] == "2010"
        assert rows.loc["fixture-1", "primary"] == "true"
        assert rows.loc["fixture-4", "latitude"] == ""
        assert rows.loc["fixture-1", "geometry_wkt"] == ""
        assert rows.loc["fixture-2", "geometry_wkt"].startswith("POLYGON ((")
        assert rows.loc["fixture-3", "geometry_wkt"].startswith("LINESTRING (72.7985 40.52828, ")
    typed = pd.read_csv(path)
    _check_key_values(typed, example_layers.events)
    assert typed.set_index("event_id").loc["fixture-1", "notes"] == XSS_TEXT


# --- choosing the format, writing everything ------------------------------------------------------------------------


def test_export_reruns_are_byte_identical(example_layers: Layers, tmp_path: Path) -> None:
    first = write_all(example_layers, tmp_path / "a", "osh")
    second = write_all(example_layers, tmp_path / "b", "osh")
    assert set(first) == {"geojson", "gpkg", "csv"}
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), key
    # Overwriting in place gives the same bytes too.
    again = write_all(example_layers, tmp_path / "a", "osh")
    assert all(path.read_bytes() == second[key].read_bytes() for key, path in again.items())
    assert b"2000-01-01T00:00:00" in first["gpkg"].read_bytes()
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["osh.csv", "osh.geojson", "osh.gpkg"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("osh.geojson", "geojson"), ("osh.JSON", "geojson"), ("osh.gpkg", "geopackage"), ("osh.csv", "csv")],
)
def test_export_write_events_picks_format_by_suffix(
    example_layers: Layers, tmp_path: Path, name: str, kind: str
) -> None:
    assert format_from_suffix(Path(name)) == kind
    path = write_events(example_layers, tmp_path / name)
    assert path == tmp_path / name
    if kind == "geopackage":
        assert [str(n) for n, _ in pyogrio.list_layers(path)] == [*GEOPACKAGE_LAYERS, "layer_styles"]
    elif kind == "geojson":
        assert _read_json(path)["type"] == "FeatureCollection"
    else:
        assert path.read_text(encoding="utf-8").startswith("event_id_cnty,")


@pytest.mark.parametrize("name", ["osh.shp", "osh", "osh.kml", "osh.geojson.gz"])
def test_export_write_events_rejects_unknown_suffix(example_layers: Layers, tmp_path: Path, name: str) -> None:
    known = ", ".join(sorted(EXPORT_FORMATS))
    assert known == ".csv, .geojson, .gpkg, .json"
    with pytest.raises(InputError, match=re.escape(f"use one of {known}.")):
        write_events(example_layers, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_export_missing_folder_is_an_input_error(example_layers: Layers, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist; create it first"):
        write_geojson(example_layers, tmp_path / "missing" / "osh.geojson")


@pytest.mark.parametrize("name", ["", "a/b", ".."])
def test_export_write_all_rejects_bad_names(example_layers: Layers, tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="plain file name"):
        write_all(example_layers, tmp_path, name)


# --- round-trips of any coordinate ----------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(
    lat=st.floats(min_value=-89.9, max_value=89.9, allow_nan=False),
    lon=st.floats(min_value=-179.9, max_value=179.9, allow_nan=False),
)
def test_export_round_trips_keep_lat_lon(lat: float, lon: float) -> None:
    record: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    record.update(
        event_id="h-1",
        fatalities=0,
        killed_text="at least 77",
        lat=lat,
        lon=lon,
        located=True,
        geometry_kind="point",
        geometry=Point(lon, lat),  # shapely takes x = lon, y = lat
    )
    layers = Layers(
        events=frame_from_records([record], EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
    )
    with tempfile.TemporaryDirectory() as folder:
        written = write_all(layers, Path(folder), "h")
        for key in ("geojson", "csv"):
            frame = pyogrio.read_dataframe(written[key])
            assert float(frame["lat"].iloc[0]) == pytest.approx(lat, abs=1e-6), key
            assert float(frame["lon"].iloc[0]) == pytest.approx(lon, abs=1e-6), key
        position = _read_json(written["geojson"])["features"][0]["geometry"]["coordinates"]
        assert position == pytest.approx([lon, lat], abs=5e-7)
        point = pyogrio.read_dataframe(written["gpkg"], layer="events").geometry.iloc[0]
        assert (point.x, point.y) == pytest.approx((lon, lat), abs=1e-9)


def test_export_geopackage_fields_are_typed_for_gis(example_layers: Layers, tmp_path: Path) -> None:
    import sqlite3

    path = write_geopackage(example_layers, tmp_path / "osh.gpkg")
    with sqlite3.connect(path) as db:
        types = {row[1]: row[2] for row in db.execute("pragma table_info(events)")}
    db.close()
    assert types["event_date"] == "DATE"
    assert types["primary"] == types["located"] == "BOOLEAN"
    for column in ("fatalities", "geo_precision", "time_precision", "where_prec", "geonameid", "evidence_start"):
        assert types[column] == "INTEGER", column
    events = pyogrio.read_dataframe(path, layer="events")
    assert str(events.loc[0, "event_date"])[:10] == "2010-06-12"


def test_export_geopackage_carries_qgis_styles_in_the_map_palette(example_layers: Layers, tmp_path: Path) -> None:
    import sqlite3
    import xml.etree.ElementTree as ET

    from geomap.styles import PALETTE

    path = write_geopackage(example_layers, tmp_path / "osh.gpkg")
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("select f_table_name, styleQML from layer_styles where useAsDefault"))
    db.close()
    assert set(rows) == set(GEOPACKAGE_LAYERS)
    events = ET.fromstring(rows["events"].split(">", 1)[1])
    renderer = events.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("attr") == "kind"
    categories = {c.get("value"): c.get("symbol") for c in renderer.iter("category")}
    assert set(categories) == set(PALETTE)
    colours = {
        s.get("name"): o.get("value")
        for s in renderer.iter("symbol")
        for o in s.iter("Option")
        if o.get("name") == "color"
    }
    red, green, blue = (int(PALETTE["killed"].colour[i : i + 2], 16) for i in (1, 3, 5))
    assert colours[categories["killed"]] == f"{red},{green},{blue},255"
    # the same file written twice is byte-identical (fixed timestamps)
    again = write_geopackage(example_layers, tmp_path / "again.gpkg")
    assert again.read_bytes() == path.read_bytes()


def test_export_source_holds_no_local_folder(tmp_path: Path) -> None:
    import geomap

    report = tmp_path / "private" / "notes" / "report.txt"
    report.parent.mkdir(parents=True)
    report.write_text("Two people were killed in Osh on Friday.", encoding="utf-8")
    events = geomap.extract_events(report, published="2010-06-12")
    out = geomap.write_events(events, tmp_path / "e.csv")
    text = out.read_text(encoding="utf-8")
    assert "report.txt" in text
    assert str(tmp_path) not in text
    assert "private" not in text
