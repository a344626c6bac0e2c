"""Small spherical-geometry helpers shared by the resolver, exports and evaluation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def split_polygon(polygon: BaseGeometry) -> BaseGeometry:
    """
    Return a polygon whose ring jumps across the antimeridian (lon 179 → -179) as valid parts on each side.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> parts = split_polygon(Polygon([(179, 0), (-179, 0), (-179, 1), (179, 1)]))
    >>> parts.geom_type, parts.is_valid, round(parts.area, 3)
    ('MultiPolygon', True, 2.0)
    """
    import shapely
    import shapely.affinity
    from shapely.geometry import Polygon

    coords = list(polygon.exterior.coords)
    lons = [x for x, _ in coords]
    if max(lons) - min(lons) <= 180.0:
        return shapely.make_valid(polygon)
    unwrapped = Polygon([(x + 360.0 if x < 0 else x, y) for x, y in coords])
    east = unwrapped.intersection(shapely.box(-180.0, -90.0, 180.0, 90.0))
    west = shapely.affinity.translate(unwrapped.intersection(shapely.box(180.0, -90.0, 540.0, 90.0)), xoff=-360.0)
    return shapely.make_valid(shapely.union_all([east, west]))
