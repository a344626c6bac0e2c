"""
Country and admin-1 boundaries from Natural Earth: shared borders, region polygons, point lookups.

Countries come from world-atlas (Natural Earth 4.1.0) at 50m for display and
10m for analysis; admin-1 regions from Natural Earth 10m, simplified to 0.01
degrees. Frames are loaded once per process and are read-only.

A point's *country* should come from the gazetteer, not from these polygons:
border towns such as Kara-Suu fall on the wrong side of Natural Earth lines.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from geomap.errors import GazetteerError, InputError
from geomap.gazetteer import default_data_dir

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "SCALES",
    "admin1_names",
    "admin1_polygon",
    "border_length_km",
    "border_line",
    "country_at",
    "country_names",
    "country_polygon",
    "load_admin1",
    "load_countries",
    "nearest_point",
    "region_at",
]

Scale = Literal["50m", "10m"]
SCALES: tuple[Scale, ...] = ("50m", "10m")
"""Natural Earth scales shipped in ``data/``."""


def _read(path: Path, columns: list[str]) -> gpd.GeoDataFrame:
    import pyogrio

    if not path.exists():
        msg = f"No boundary file at {path}; run 'geomap data build'."
        raise GazetteerError(msg)
    frame = pyogrio.read_dataframe(f"/vsigzip/{path}", columns=columns)
    return frame.set_crs(4326, allow_override=True)


@lru_cache(maxsize=4)
def load_countries(scale: Scale = "50m", data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """
    Return Natural Earth country polygons, one row per ISO code.

    Parameters
    ----------
    scale
        ``"50m"`` (display) or ``"10m"`` (analysis).
    data_dir
        Data folder; default :func:`geomap.gazetteer.default_data_dir`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a2``, ``name``, ``geometry`` in EPSG:4326.

    Raises
    ------
    InputError
        When the scale is not one of :data:`SCALES`.
    """
    if scale not in SCALES:
        msg = f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}."
        raise InputError(msg)
    import geopandas as gpd
    import shapely

    frame = _read((data_dir or default_data_dir()) / f"countries-{scale}.geojson.gz", ["iso_a2", "name"])
    rows = []
    # A few codes have several features (overseas parts); Antarctica is not valid as drawn.
    for iso, group in frame[frame["iso_a2"] != ""].groupby("iso_a2", sort=True):
        geoms = list(group.geometry)
        geom = geoms[0] if len(geoms) == 1 else shapely.union_all([shapely.make_valid(g) for g in geoms])
        # The sovereign's name is its largest part's ("Australia", not "Ashmore and Cartier Is.").
        name = group["name"].iloc[int(shapely.area(group.geometry.to_numpy()).argmax())]
        rows.append({"iso_a2": iso, "name": name, "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def country_names(codes: Iterable[str]) -> dict[str, str]:
    """
    Return the Natural Earth names of ISO alpha-2 codes (only those it knows).

    Examples
    --------
    >>> country_names(["AU", "KG", "ZZ"])
    {'AU': 'Australia', 'KG': 'Kyrgyzstan'}
    """
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    frame = load_countries()
    rows = frame[frame["iso_a2"].isin(wanted)]
    return dict(zip(rows["iso_a2"].tolist(), rows["name"].tolist(), strict=True))


def admin1_names(codes: Iterable[str]) -> dict[str, str]:
    """
    Return the Natural Earth names of GeoNames admin-1 codes that name exactly one region.

    Examples
    --------
    >>> admin1_names(["KG.08", "KG.99"])
    {'KG.08': 'Osh'}
    """
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    frame = load_admin1()
    rows = frame[frame["admin1_code"].isin(wanted)]
    names: dict[str, set[str]] = {}
    for code, name in zip(rows["admin1_code"].tolist(), rows["name"].tolist(), strict=True):
        if name:
            names.setdefault(code, set()).add(name)
    return {code: found.pop() for code, found in names.items() if len(found) == 1}


@lru_cache(maxsize=2)
def load_admin1(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """
    Return Natural Earth admin-1 polygons.

    Parameters
    ----------
    data_dir
        Data folder; default :func:`geomap.gazetteer.default_data_dir`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``place_id``, ``name``, ``country_code``, ``admin1_code``,
        ``iso_3166_2``, ``geometry`` in EPSG:4326.
    """
    columns = ["place_id", "name", "country_code", "admin1_code", "iso_3166_2"]
    return _read((data_dir or default_data_dir()) / "admin1.geojson.gz", columns)


def country_polygon(country_code: str, scale: Scale = "50m") -> BaseGeometry:
    """
    Return one country's polygon.

    Parameters
    ----------
    country_code
        ISO alpha-2 code.
    scale
        Natural Earth scale.

    Returns
    -------
    shapely geometry
        Polygon or MultiPolygon in lon/lat.

    Raises
    ------
    GazetteerError
        When the code has no polygon.
    """
    frame = load_countries(scale)
    rows = frame[frame["iso_a2"] == country_code.upper()]
    if rows.empty:
        msg = f"No Natural Earth polygon for country {country_code!r} at {scale}."
        raise GazetteerError(msg)
    return rows.geometry.iloc[0]


def border_line(country_a: str, country_b: str, scale: Scale = "50m") -> BaseGeometry | None:
    """
    Return the land border two countries share, as a line.

    Parameters
    ----------
    country_a, country_b
        ISO alpha-2 codes.
    scale
        Natural Earth scale; both countries come from the same topology, so
        their shared edges coincide exactly.

    Returns
    -------
    shapely LineString or MultiLineString, or None
        None when the countries do not touch.

    Examples
    --------
    >>> round(border_length_km(border_line("KG", "UZ")))
    884
    """
    import shapely

    a = country_polygon(country_a, scale)
    b = country_polygon(country_b, scale)
    shared = a.boundary.intersection(b.boundary)
    lines = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type in {"LineString", "MultiLineString"}]
    if not lines:
        return None
    merged = shapely.line_merge(shapely.union_all(lines))
    return None if merged.is_empty else merged


def border_length_km(line: BaseGeometry) -> float:
    """
    Return the geodesic length of a lon/lat line on the WGS84 ellipsoid.

    Parameters
    ----------
    line
        A LineString or MultiLineString in lon/lat.

    Returns
    -------
    float
        Length in kilometres.
    """
    from pyproj import Geod

    return float(Geod(ellps="WGS84").geometry_length(line)) / 1000.0


def admin1_polygon(admin1_code: str) -> BaseGeometry:
    """
    Return an admin-1 region's polygon by GeoNames code (``"KG.08"``) or place id.

    Parameters
    ----------
    admin1_code
        ``CC.XX`` code, or ``gn:<geonameid>`` of the region.

    Returns
    -------
    shapely geometry
        The (simplified) region outline.

    Raises
    ------
    GazetteerError
        When no region has this code.
    """
    frame = load_admin1()
    column = "place_id" if admin1_code.startswith(("gn:", "ne1:")) else "admin1_code"
    rows = frame[frame[column] == admin1_code]
    if rows.empty:
        msg = f"No admin-1 polygon for {admin1_code!r}; codes look like 'KG.08'."
        raise GazetteerError(msg)
    return rows.geometry.union_all()


def _lookup_point(frame: gpd.GeoDataFrame, lat: float, lon: float) -> dict[str, Any] | None:
    from shapely.geometry import Point

    point = Point(lon, lat)  # shapely takes x = lon, y = lat
    idx = frame.sindex.query(point, predicate="intersects")
    if len(idx) == 0:
        return None
    row = frame.iloc[int(sorted(idx)[0])]
    return {k: row[k] for k in frame.columns if k != "geometry"}


def region_at(lat: float, lon: float) -> dict[str, Any] | None:
    """
    Return the admin-1 region containing a point.

    Parameters
    ----------
    lat, lon
        The point, WGS84 degrees.

    Returns
    -------
    dict or None
        The region's attributes (``admin1_code``, ``name`` …) or None at sea.

    Examples
    --------
    >>> region_at(40.53, 72.80)["admin1_code"]
    'KG.08'
    """
    return _lookup_point(load_admin1(), lat, lon)


def country_at(lat: float, lon: float, scale: Scale = "10m") -> str | None:
    """
    Return the ISO code of the Natural Earth country containing a point.

    Parameters
    ----------
    lat, lon
        The point.
    scale
        Natural Earth scale.

    Returns
    -------
    str or None
        ISO alpha-2 code, or None outside every country.
    """
    found = _lookup_point(load_countries(scale), lat, lon)
    return None if found is None else str(found["iso_a2"])


def nearest_point(geometry: BaseGeometry, lat: float, lon: float) -> tuple[float, float]:
    """
    Return the point of a geometry nearest to a location, as ``(lat, lon)``.

    Parameters
    ----------
    geometry
        Any lon/lat geometry, e.g. a border line.
    lat, lon
        The location.

    Returns
    -------
    tuple of float
        ``(lat, lon)`` of the nearest point (planar in degrees, fine at
        country scale).
    """
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    _, near = nearest_points(Point(lon, lat), geometry)
    return (near.y, near.x)
