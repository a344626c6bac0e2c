"""
Exceptions raised by geomap.

Every error derives from :class:`GeomapError` and also from the builtin that
matches its meaning, so callers may catch either::

    GeomapError
    ├── InputError (ValueError)          bad user input: empty, binary, malformed
    ├── GazetteerError (LookupError)     missing or corrupt gazetteer data
    ├── DataBuildError (RuntimeError)    the data build could not complete
    └── GeocoderError (RuntimeError)     online fallback misconfigured or failed

The CLI catches :class:`GeomapError` once, prints ``error: ...`` and exits 1.
"""

from __future__ import annotations

__all__ = ["DataBuildError", "GazetteerError", "GeocoderError", "GeomapError", "InputError"]


class GeomapError(Exception):
    """Base class of every error geomap raises on purpose."""


class InputError(GeomapError, ValueError):
    """Input that geomap cannot read: empty, binary, non-UTF-8, too large, malformed."""


class GazetteerError(GeomapError, LookupError):
    """The gazetteer or boundary data is missing or unreadable."""


class DataBuildError(GeomapError, RuntimeError):
    """The offline data build could not complete."""


class GeocoderError(GeomapError, RuntimeError):
    """The opt-in online geocoder is misconfigured or failed."""
