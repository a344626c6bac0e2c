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
    "load_gazetteer",
    "normalize_name",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import geopy-backed names on first use, keeping ``import geomap`` fast."""
    if name == "OfflineGeocoder":
        from geomap.geocoder import OfflineGeocoder

        return OfflineGeocoder
    msg = f"module 'geomap' has no attribute {name!r}"
    raise AttributeError(msg)
