"""
Write the event layers as GIS files: RFC 7946 GeoJSON, GeoPackage and an ACLED-style CSV.

* :func:`write_geojson` - ``NAME.geojson``, one FeatureCollection of every
  event (points, flow LineStrings, area Polygons; unlocated events with
  ``"geometry": null``), written by GDAL with ``RFC7946=YES`` and
  ``COORDINATE_PRECISION=6``: ``[lon, lat]`` positions, no ``crs`` member,
  counter-clockwise outer rings, flat properties, ISO ``YYYY-MM-DD`` dates.
  :func:`write_layer_geojson` does the same for any one frame (places, borders).
* :func:`write_geopackage` - ``NAME.gpkg`` with the layers of
  :data:`GEOPACKAGE_LAYERS`, each with a single geometry type, written even
  when empty so QGIS shows the full schema.
* :func:`write_csv` - ``NAME.csv``: the :data:`ACLED_COLUMNS` first, then every
  other column of :data:`geomap.layers.EVENT_COLUMNS`, then ``geometry_wkt``
  (flows and areas only).
* :func:`write_events` picks one of those by suffix (:data:`EXPORT_FORMATS`)
  and rejects any other suffix; :func:`write_all` writes all three.

Every writer sorts events by ``event_id`` (numbers in ids compare as numbers),
converts columns to types GDAL stores (bool as a Boolean subtype, missing
numbers as null) and writes through a temporary file that replaces ``path``
only when complete. Text is written verbatim: escaping article text for HTML
is the web map's job. Rerunning on the same input gives byte-identical files;
for GeoPackage the GDAL timestamps are pinned to :data:`GPKG_TIMESTAMP`.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from geomap.atomic import replacing
from geomap.errors import InputError
from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS
from geomap.qgis_style import add_layer_styles

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from geomap.layers import Layers

__all__ = [
    "ACLED_COLUMNS",
    "EXPORT_FORMATS",
    "GEOPACKAGE_LAYERS",
    "GPKG_TIMESTAMP",
    "check_name",
    "format_from_suffix",
    "write_all",
    "write_csv",
    "write_events",
    "write_geojson",
    "write_geopackage",
    "write_layer_geojson",
]

logger = logging.getLogger(__name__)

ExportFormat = Literal["geojson", "geopackage", "csv"]

EXPORT_FORMATS: dict[str, ExportFormat] = {
    ".csv": "csv",
    ".geojson": "geojson",
    ".gpkg": "geopackage",
    ".json": "geojson",
}
"""File suffix (lower case) -> export format, for :func:`write_events`."""

ACLED_COLUMNS: dict[str, str] = {
    "event_id_cnty": "event_id",
    "event_date": "event_date (YYYY-MM-DD)",
    "year": "year of event_date",
    "time_precision": "time_precision (1-3)",
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "first of actors",
    "country": "Natural Earth name of country_code",
    "iso": "country_code, ISO 3166 alpha-2 (ACLED uses the numeric code)",
    "admin1": "Natural Earth name of admin1_code",
    "location": "location_name",
    "latitude": "lat",
    "longitude": "lon",
    "geo_precision": "geo_precision (1-3)",
    "source": "source",
    "notes": "evidence, verbatim",
    "fatalities": "fatalities",
}
"""CSV columns named as in ACLED exports, written first, with where their values come from."""

GEOPACKAGE_LAYERS: dict[str, str] = {
    "events": "Point",
    "places": "Point",
    "flows": "LineString",
    "areas": "MultiPolygon",
    "borders": "MultiLineString",
}
"""GeoPackage layer -> geometry type; ``flows`` becomes MultiLineString only if a flow is split."""

GPKG_TIMESTAMP = "2000-01-01T00:00:00Z"
"""Value of GDAL's ``OGR_CURRENT_DATE`` while writing GeoPackages, so reruns are byte-identical."""

GEOJSON_OPTIONS: dict[str, str] = {"RFC7946": "YES", "COORDINATE_PRECISION": "6"}
"""GDAL GeoJSON layer creation options."""

WKT_PRECISION = 6
"""Decimals of ``geometry_wkt`` in the CSV, as in the GeoJSON."""

_Kind = Literal["str", "bool", "int", "float"]
_KINDS: tuple[_Kind, ...] = ("str", "bool", "int", "float")


def format_from_suffix(path: Path) -> ExportFormat:
    """
    Return the export format for a file name's suffix.

    Parameters
    ----------
    path
        The output file; its suffix is matched case-insensitively.

    Returns
    -------
    str
        ``"geojson"``, ``"geopackage"`` or ``"csv"``.

    Raises
    ------
    InputError
        When the suffix is not one of :data:`EXPORT_FORMATS`.

    Examples
    --------
    >>> from pathlib import Path
    >>> format_from_suffix(Path("osh.GeoJSON"))
    'geojson'
    >>> format_from_suffix(Path("osh.shp"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geomap.errors.InputError: Cannot tell the export format of 'osh.shp' ...; use one of .csv, .geojson, .gpkg, .json.
    """
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        shown = repr(path.suffix) if path.suffix else "(none)"
        msg = (
            f"Cannot tell the export format of {str(path)!r} from its suffix {shown}; "
            f"use one of {', '.join(sorted(EXPORT_FORMATS))}."
        )
        raise InputError(msg)
    return EXPORT_FORMATS[suffix]


def write_events(layers: Layers, path: Path) -> Path:
    """
    Write the events in the format named by the file's suffix.

    Parameters
    ----------
    layers
        The map layers.
    path
        ``.geojson``/``.json`` (GeoJSON), ``.gpkg`` (GeoPackage) or ``.csv``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When the suffix is none of those (no format is guessed), or the folder does not exist.
    """
    export_format = format_from_suffix(path)
    if export_format == "geojson":
        return write_geojson(layers, path)
    if export_format == "geopackage":
        return write_geopackage(layers, path)
    return write_csv(layers, path)


def check_name(name: str) -> str:
    """
    Check an output base name: a plain file name without folder.

    Parameters
    ----------
    name
        The name.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    InputError
        When it is empty, a folder, or holds a path separator.
    """
    if not name or "/" in name or "\\" in name or name in {".", ".."} or name.startswith("."):
        msg = f"Output name must be a plain file name without suffix, e.g. 'osh'; got {name!r}."
        raise InputError(msg)
    return name


def write_all(layers: Layers, out_dir: Path, name: str) -> dict[str, Path]:
    """
    Write ``NAME.geojson``, ``NAME.gpkg`` and ``NAME.csv`` into a folder.

    Parameters
    ----------
    layers
        The map layers.
    out_dir
        Output folder; created if missing.
    name
        File name without suffix.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"geojson": ..., "gpkg": ..., "csv": ...}``.

    Raises
    ------
    InputError
        When ``name`` is empty or contains a folder.
    """
    check_name(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "geojson": write_geojson(layers, out_dir / f"{name}.geojson"),
        "gpkg": write_geopackage(layers, out_dir / f"{name}.gpkg"),
        "csv": write_csv(layers, out_dir / f"{name}.csv"),
    }


def write_geojson(layers: Layers, path: Path) -> Path:
    """
    Write every event as one RFC 7946 FeatureCollection.

    Points, flow LineStrings and area (Multi)Polygons keep their geometry;
    unlocated events are kept with ``"geometry": null``. Places and borders are
    not included: write them with :func:`write_layer_geojson`.

    Parameters
    ----------
    layers
        The map layers; only ``events`` is written.
    path
        Output file; the FeatureCollection's ``name`` is its stem.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When the folder does not exist.
    """
    events = _gdal_events(_prepared_events(layers.events))
    _write_geojson_frame(events, path)
    logger.info("wrote %s (%d events)", path, len(events))
    return path


def write_layer_geojson(frame: gpd.GeoDataFrame, path: Path, *, columns: Mapping[str, str] | None = None) -> Path:
    """
    Write one layer frame (places, borders, ...) as an RFC 7946 FeatureCollection.

    Parameters
    ----------
    frame
        Any GeoDataFrame; reprojected to EPSG:4326 (a frame without CRS is taken as lon/lat).
    path
        Output file; the FeatureCollection's ``name`` is its stem.
    columns
        Its column table (e.g. :data:`geomap.layers.PLACE_COLUMNS`): columns are
        written in this order with these types, missing ones as null, other
        columns after them. Default: the frame's columns with their own types.

    Returns
    -------
    pathlib.Path
        ``path``; rows in the frame's order.

    Raises
    ------
    InputError
        When the folder does not exist.
    """
    _write_geojson_frame(_coerced(frame, columns or {}), path)
    logger.info("wrote %s (%d features)", path, len(frame))
    return path


def write_geopackage(layers: Layers, path: Path) -> Path:
    """
    Write one GeoPackage with the layers of :data:`GEOPACKAGE_LAYERS`.

    * ``events``: every event as a Point at its ``lat``/``lon`` (flows at the
      origin, areas at the seat), null geometry when unlocated;
    * ``places``: resolved places (Point);
    * ``flows``: events with ``geometry_kind == "flow"`` (LineString);
    * ``areas``: events with ``geometry_kind == "area"`` (MultiPolygon,
      outer rings counter-clockwise);
    * ``borders``: shared borders named in the text (MultiLineString).

    Empty layers are written too, with their columns and geometry type.

    Parameters
    ----------
    layers
        The map layers.
    path
        Output file (``.gpkg``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When the folder does not exist.
    """
    import pyogrio

    events = _prepared_events(layers.events)
    event_points = [_event_point(row_lat, row_lon, geom) for row_lat, row_lon, geom in _lat_lon_geometry(events)]
    kinds = events["geometry_kind"].tolist()
    flows = events.iloc[[i for i, kind in enumerate(kinds) if kind == "flow"]]
    flow_lines = [_lines(geom, multi=False) for geom in flows.geometry]
    flow_type = GEOPACKAGE_LAYERS["flows"]
    if any(line is not None and line.geom_type != "LineString" for line in flow_lines):
        # A flow split at the antimeridian: the layer keeps one geometry type.
        flow_type = "MultiLineString"
        flow_lines = [_lines(geom, multi=True) for geom in flows.geometry]
    areas = events.iloc[[i for i, kind in enumerate(kinds) if kind == "area"]]
    places = _coerced(layers.places, PLACE_COLUMNS)
    borders = _coerced(layers.borders, BORDER_COLUMNS)
    frames: dict[str, gpd.GeoDataFrame] = {
        "events": _gdal_events(_with_geometry(events, event_points)),
        "places": places,
        "flows": _gdal_events(_with_geometry(flows, flow_lines)),
        "areas": _gdal_events(_with_geometry(areas, [_polygons(geom) for geom in areas.geometry])),
        "borders": _with_geometry(borders, [_lines(geom, multi=True) for geom in borders.geometry]),
    }
    types = {**GEOPACKAGE_LAYERS, "flows": flow_type}
    with replacing(path) as partial, _gdal_date(GPKG_TIMESTAMP):
        for layer, frame in frames.items():
            pyogrio.write_dataframe(
                frame,
                partial,
                layer=layer,
                driver="GPKG",
                geometry_type=types[layer],
                promote_to_multi=False,
                use_arrow=True,  # the arrow path writes DATE, INTEGER and BOOLEAN fields with nulls
            )
        add_layer_styles(partial, list(frames), timestamp=GPKG_TIMESTAMP)
    logger.info("wrote %s (%s)", path, ", ".join(f"{len(f)} {layer}" for layer, f in frames.items()))
    return path


def write_csv(layers: Layers, path: Path) -> Path:
    """
    Write the events as a UTF-8 CSV with a header row.

    Columns: :data:`ACLED_COLUMNS`, then the other columns of
    :data:`geomap.layers.EVENT_COLUMNS`, then ``geometry_wkt`` (WKT of flow and
    area geometries, 6 decimals; empty for points). Missing values are empty
    cells, booleans ``true``/``false``, whole floats are written without
    ``.0``, text verbatim (quoted where needed).

    Parameters
    ----------
    layers
        The map layers; only ``events`` is written.
    path
        Output file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputError
        When the folder does not exist.
    """
    import shapely

    events = _prepared_events(layers.events)
    own = [name for name in events.columns if name != events.geometry.name and name not in ACLED_COLUMNS]
    header = [*ACLED_COLUMNS, *own, "geometry_wkt"]
    records = events.drop(columns=events.geometry.name).to_dict("records")
    from geomap.boundaries import admin1_names, country_names

    countries = country_names(r["country_code"] for r in records if r["country_code"])
    regions = admin1_names(r["admin1_code"] for r in records if r["admin1_code"])
    with replacing(path) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for record, geom in zip(records, events.geometry, strict=True):
            date = record["event_date"] or ""
            actors = record["actors"] or ""
            acled = {
                "event_id_cnty": record["event_id"],
                "event_date": date,
                "year": int(date[:4]) if re.match(r"\d{4}-", date) else None,
                "time_precision": record["time_precision"],
                "event_type": record["event_type"],
                "sub_event_type": record["sub_event_type"],
                "actor1": actors.split(";")[0].strip(),
                "country": countries.get(record["country_code"] or ""),
                "iso": record["country_code"],
                "admin1": regions.get(record["admin1_code"] or ""),
                "location": record["location_name"],
                "latitude": record["lat"],
                "longitude": record["lon"],
                "geo_precision": record["geo_precision"],
                "source": record["source"],
                "notes": record["evidence"],
                "fatalities": record["fatalities"],
            }
            wkt = ""
            if geom is not None and record["geometry_kind"] in {"flow", "area"}:
                oriented = shapely.orient_polygons(geom, exterior_cw=False)
                wkt = shapely.to_wkt(oriented, rounding_precision=WKT_PRECISION, trim=True)
            writer.writerow([*(_csv_text(acled[n]) for n in ACLED_COLUMNS), *(_csv_text(record[n]) for n in own), wkt])
    logger.info("wrote %s (%d events)", path, len(records))
    return path


# --- preparing frames ---------------------------------------------------------------------------------------------


def _prepared_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the events sorted by id, with :data:`EVENT_COLUMNS` typed, in EPSG:4326."""
    ids = ["" if _is_missing(value) else str(value) for value in events.get("event_id", [None] * len(events))]
    order = sorted(range(len(ids)), key=lambda i: (_natural_key(ids[i]), ids[i]))
    return _coerced(events.iloc[order], EVENT_COLUMNS)


def _gdal_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return events with ``event_date`` as a date column (null when unknown): a DATE field in GIS formats."""
    import datetime as dt

    pd = _pandas()

    def as_date(value: Any) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            return None

    dates = [as_date(value) for value in events["event_date"].tolist()]
    return events.assign(event_date=pd.array(dates, dtype="date32[pyarrow]"))


def _natural_key(text: str) -> tuple[str | int, ...]:
    """Split text so that digit runs compare as numbers: 'doc-2' < 'doc-10'."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _coerced(frame: gpd.GeoDataFrame, table: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Return a new frame in EPSG:4326: the table's columns typed, then the frame's other columns."""
    import geopandas as gpd

    frame = _to_wgs84(frame)
    geometry_name = frame.geometry.name
    extra = [name for name in frame.columns if name not in table and name != geometry_name]
    data: dict[str, Any] = {}
    for name in [*table, *extra]:
        if name in frame.columns:
            values = frame[name].tolist()
            kind = _spec_kind(table[name]) if name in table else None
            data[name] = _converted(values, kind or _dtype_kind(frame[name]))
        else:
            data[name] = _converted([None] * len(frame), _spec_kind(table[name]) or "str")
    geometries = [None if geom is None or geom.is_empty else geom for geom in frame.geometry]
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometries, crs=4326), crs=4326)


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs(4326)
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _with_geometry(frame: gpd.GeoDataFrame, geometries: list[BaseGeometry | None]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    data = frame.drop(columns=frame.geometry.name).reset_index(drop=True)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometries, crs=4326), crs=4326)


def _pandas() -> Any:
    """Import pandas (a geopandas dependency) lazily."""
    import pandas

    return pandas


def _spec_kind(spec: str) -> _Kind | None:
    """Read the type from a column table entry such as ``"float|None: WGS84 latitude"``."""
    head = spec.split(":", 1)[0].strip()
    return next((kind for kind in _KINDS if head.startswith(kind)), None)


def _dtype_kind(series: Any) -> _Kind:
    types = _pandas().api.types
    if types.is_bool_dtype(series.dtype):
        return "bool"
    if types.is_integer_dtype(series.dtype):
        return "int"
    if types.is_float_dtype(series.dtype):
        return "float"
    return "str"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pd = _pandas()
    return value is pd.NA or value is pd.NaT


def _converted(values: list[Any], kind: _Kind) -> Any:
    """Return an array GDAL writes with the right field type; missing values become null."""
    import numpy as np

    pd = _pandas()

    if kind == "str":
        return np.array([None if _is_missing(v) else v if isinstance(v, str) else str(v) for v in values], dtype=object)
    if kind == "float":
        return np.array([math.nan if _is_missing(v) else float(v) for v in values], dtype=np.float64)
    if kind == "bool":
        flags = [None if _is_missing(v) else bool(v) for v in values]
        return pd.array(flags, dtype="boolean") if None in flags else np.array(flags, dtype=bool)
    numbers = [None if _is_missing(v) or not math.isfinite(float(v)) else int(v) for v in values]
    return pd.array(numbers, dtype="Int64") if None in numbers else np.array(numbers, dtype=np.int64)


# --- geometries ---------------------------------------------------------------------------------------------------


def _lat_lon_geometry(events: gpd.GeoDataFrame) -> Iterator[tuple[float, float, BaseGeometry | None]]:
    yield from zip(events["lat"].tolist(), events["lon"].tolist(), events.geometry, strict=True)


def _event_point(lat: float, lon: float, geom: BaseGeometry | None) -> BaseGeometry | None:
    """Return the event's point: lat/lon when both are known, else a point geometry, else None."""
    from shapely.geometry import Point

    if math.isfinite(lat) and math.isfinite(lon):
        return Point(lon, lat)  # shapely takes x = lon, y = lat
    if geom is not None and geom.geom_type == "Point":
        return geom
    return None


def _parts(geom: BaseGeometry, geom_type: str) -> list[BaseGeometry]:
    """Return the parts of a geometry of one type, looking inside multi-geometries and collections."""
    import shapely

    found: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == geom_type:
            found.append(part)
        elif part.geom_type == "GeometryCollection" or part.geom_type.startswith("Multi"):
            found.extend(_parts(part, geom_type))
    return found


def _lines(geom: BaseGeometry | None, *, multi: bool) -> BaseGeometry | None:
    """Return the line parts of a geometry as a LineString (single part, unless ``multi``) or MultiLineString."""
    from shapely.geometry import MultiLineString

    parts = _parts(geom, "LineString") if geom is not None else []
    if not parts:
        return None
    if len(parts) == 1 and not multi:
        return parts[0]
    return MultiLineString(parts)


def _polygons(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Return the polygon parts of a geometry as a MultiPolygon with counter-clockwise outer rings."""
    import shapely
    from shapely.geometry import MultiPolygon

    parts = _parts(shapely.make_valid(geom), "Polygon") if geom is not None else []
    if not parts:
        return None
    merged = shapely.make_valid(MultiPolygon(parts))  # parts that touch or overlap become one valid shape
    parts = _parts(merged, "Polygon")
    return shapely.orient_polygons(MultiPolygon(parts), exterior_cw=False) if parts else None


# --- writing ------------------------------------------------------------------------------------------------------


def _write_geojson_frame(frame: gpd.GeoDataFrame, path: Path) -> None:
    import pyogrio

    with replacing(path) as partial:
        pyogrio.write_dataframe(
            frame,
            partial,
            layer=path.stem,
            driver="GeoJSON",
            geometry_type="Unknown",
            promote_to_multi=False,
            layer_options=GEOJSON_OPTIONS,
        )


@contextmanager
def _gdal_date(timestamp: str) -> Iterator[None]:
    """Pin the time GDAL writes into files (GeoPackage ``last_change``), restoring the previous setting."""
    import pyogrio

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": timestamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _csv_text(value: Any) -> str:
    """Format one CSV cell: empty when missing, true/false, whole floats without '.0', text verbatim."""
    import numpy as np

    if isinstance(value, str):
        return value
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)
