"""Small spherical-geometry helpers shared by the resolver, exports and evaluation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from shapely.geometry.base import BaseGeometry

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "short_line", "split_polygon"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), as the evaluation definitions require."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """
    Return the great-circle distance between two points in kilometres.

    Parameters
    ----------
    lat1, lon1, lat2, lon2
        The two points, WGS84 degrees.

    Returns
    -------
    float
        Distance along the sphere of radius :data:`EARTH_RADIUS_KM`.

    Examples
    --------
    >>> round(haversine_km(40.52828, 72.7985, 40.94498, 72.99313), 1)
    49.2
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def short_line(lon1: float, lat1: float, lon2: float, lat2: float) -> BaseGeometry:
    """
    Return the line between two points the short way round, split at the antimeridian when it crosses it.

    Examples
    --------
    >>> short_line(72.8, 40.5, 73.0, 40.9).geom_type
    'LineString'
    >>> line = short_line(178.0, -17.0, -172.0, -14.0)
    >>> line.geom_type, [round(x, 1) for part in line.geoms for x, _ in part.coords]
    ('MultiLineString', [178.0, 180.0, -180.0, -172.0])
    """
    from shapely.geometry import LineString, MultiLineString

    if abs(lon2 - lon1) <= 180.0:
        return LineString([(lon1, lat1), (lon2, lat2)])
    lon2_unwrapped = lon2 + (360.0 if lon2 < lon1 else -360.0)
    edge = 180.0 if lon2_unwrapped > 180.0 else -180.0
    t = (edge - lon1) / (lon2_unwrapped - lon1)
    lat_edge = lat1 + t * (lat2 - lat1)
    return MultiLineString([[(lon1, lat1), (edge, lat_edge)], [(-edge, lat_edge), (lon2, lat2)]])


def _unwrapped(coords: Sequence[tuple[float, ...]]) -> list[tuple[float, float]]:
    """Return a ring's vertices with longitudes made continuous (each step the short way round)."""
    out: list[tuple[float, float]] = []
    for x, y, *_ in coords:
        if out:
            step = (x - out[-1][0] + 180.0) % 360.0 - 180.0
            out.append((out[-1][0] + step, y))
        else:
            out.append((x, y))
    return out


def _ring_area(coords: Sequence[tuple[float, ...]]) -> BaseGeometry:
    """
    Return the area a ring bounds, in [-180, 180] longitudes.

    The ring is read the short way round between vertices; one that goes once round the globe
    bounds the cap between it and the pole on its side (its mean latitude's).
    """
    import shapely
    import shapely.affinity
    from shapely.geometry import Polygon

    ring = _unwrapped(coords)
    if abs(ring[-1][0] - ring[0][0]) > 180.0:
        pole = -90.0 if sum(y for _, y in ring) < 0 else 90.0
        ring = [*ring, (ring[-1][0], pole), (ring[0][0], pole), ring[0]]
    area = shapely.make_valid(Polygon(ring))
    pieces = []
    for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
        piece = area.intersection(shapely.box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
        if not piece.is_empty:
            pieces.append(shapely.affinity.translate(piece, xoff=shift))
    return shapely.union_all(pieces) if pieces else area


def split_polygon(polygon: BaseGeometry) -> BaseGeometry:
    """
    Return an area whose rings cross the antimeridian as valid parts on each side of it.

    Rings are read the short way round between vertices, so a ring that jumps from lon 179 to
    -179 crosses the antimeridian rather than the whole world; a ring that goes once round the
    globe (Antarctica in some sources) is closed along its pole. Leaflet and the GIS formats draw
    straight lon/lat edges, so an uncut ring shows as a band across the world.

    Parameters
    ----------
    polygon
        A Polygon or MultiPolygon in WGS84 degrees.

    Returns
    -------
    BaseGeometry
        A valid Polygon or MultiPolygon with every longitude within [-180, 180].

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> parts = split_polygon(Polygon([(179, 0), (-179, 0), (-179, 1), (179, 1)]))
    >>> parts.geom_type, parts.is_valid, round(parts.area, 3)
    ('MultiPolygon', True, 2.0)
    >>> cap = split_polygon(Polygon([(-180, -80), (-60, -75), (60, -75), (180, -80), (-180, -80)][::-1]))
    >>> cap.is_valid, [round(v) for v in cap.bounds]
    (True, [-180, -90, 180, -75])
    """
    import shapely

    parts = list(shapely.get_parts(polygon))
    if not any(_crosses(part) for part in parts):
        return polygon if polygon.is_valid else _polygonal(shapely.make_valid(polygon))
    pieces = []
    for part in parts:
        if not _crosses(part):
            pieces.append(part)
            continue
        # Shell minus holes, where a ring round the pole bounds a cap: the symmetric difference of the areas.
        area = _ring_area(part.exterior.coords)
        for interior in part.interiors:
            area = area.symmetric_difference(_ring_area(interior.coords))
        pieces.append(area)
    polygons = [g for piece in pieces for g in shapely.get_parts(_polygonal(piece)) if g.geom_type == "Polygon"]
    return _polygonal(shapely.make_valid(shapely.MultiPolygon(polygons))) if polygons else polygon


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Return the areas of a geometry (``make_valid`` may add lines and points), as one Polygon or MultiPolygon."""
    import shapely

    parts = list(shapely.get_parts(geometry))
    while any(g.geom_type in {"MultiPolygon", "GeometryCollection"} for g in parts):
        parts = [h for g in parts for h in shapely.get_parts(g)]
    areas = [g for g in parts if g.geom_type == "Polygon" and g.area > 0]
    if not areas:
        return geometry
    return areas[0] if len(areas) == 1 else shapely.MultiPolygon(areas)


def _crosses(polygon: BaseGeometry) -> bool:
    """Tell whether a polygon's rings jump more than half the world between two vertices (not along a pole)."""
    import numpy as np

    if polygon.geom_type != "Polygon":
        return False
    for ring in (polygon.exterior, *polygon.interiors):
        xy = np.asarray(ring.coords)[:, :2]
        jumps = np.abs(np.diff(xy[:, 0])) > 180.0
        along_pole = (np.abs(xy[:-1, 1]) >= _POLE_LAT) & (np.abs(xy[1:, 1]) >= _POLE_LAT)
        if bool(np.any(jumps & ~along_pole)):
            return True
    return False


_POLE_LAT = 89.999
