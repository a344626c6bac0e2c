"""
geomap: turn conflict news into maps, offline.

The public API is re-exported here; heavy modules (geopandas, folium) are
imported only when their functions are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geomap.errors import DataBuildError, GazetteerError, GeocoderError, GeomapError, InputError
from geomap.gazetteer import BoundingBox, Gazetteer, load_gazetteer
from geomap.model import Candidate, Place
from geomap.names import normalize_name

if TYPE_CHECKING:
    from geomap.api import documents, extract_events, geoparse, map_layers, render_png, to_folium, write_events
    from geomap.geocoder import OfflineGeocoder

__all__ = [
    "BoundingBox",
    "Candidate",
    "DataBuildError",
    "Gazetteer",
    "GazetteerError",
    "GeocoderError",
    "GeomapError",
    "InputError",
    "OfflineGeocoder",
    "Place",
    "documents",
    "extract_events",
    "geoparse",
    "load_gazetteer",
    "map_layers",
    "normalize_name",
    "render_png",
    "to_folium",
    "write_events",
]
__version__ = "0.1.0"

_API = frozenset({"documents", "extract_events", "geoparse", "map_layers", "render_png", "to_folium", "write_events"})
"""The notebook API (:mod:`geomap.api`), imported on first use. ``geomap.geoparse`` is also the
geoparser module; calling it runs :func:`geomap.api.geoparse`."""


def __getattr__(name: str) -> Any:
    """Import geopy-backed names on first use, keeping ``import geomap`` fast."""
    if name == "OfflineGeocoder":
        from geomap.geocoder import OfflineGeocoder

        return OfflineGeocoder
    if name in _API:
        from geomap import api

        return getattr(api, name)
    msg = f"module 'geomap' has no attribute {name!r}"
    raise AttributeError(msg)
