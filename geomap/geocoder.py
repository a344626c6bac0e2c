"""
A geopy-compatible geocoder over the offline gazetteer, with an opt-in online fallback.

:class:`OfflineGeocoder` subclasses geopy's ``Geocoder``: ``geocode`` and
``reverse`` take geopy's arguments and return geopy ``Location`` objects, so
code written for ``Nominatim`` runs unchanged and offline. The online fallback
(:func:`build_online_fallback`) is never on by default: it wraps Nominatim in
geopy's ``RateLimiter`` (at least one second between calls, as Nominatim's
usage policy asks), requires a real user agent, and caches every answer on disk.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geomap.errors import GeocoderError, InputError
from geomap.gazetteer import BoundingBox, Gazetteer, default_cache_dir, load_gazetteer
from geomap.model import Candidate, Place

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

__all__ = ["CachedGeocoder", "OfflineGeocoder", "build_online_fallback", "candidate_to_dict"]

logger = logging.getLogger(__name__)

MIN_ONLINE_DELAY_S = 1.0
"""Nominatim's usage policy: at most one request per second."""

_MAX_QUERY_CHARS = 200


def candidate_to_dict(candidate: Candidate, gazetteer: Gazetteer) -> dict[str, Any]:
    """
    Describe a candidate as plain JSON-ready data.

    Parameters
    ----------
    candidate
        A ranked gazetteer match.
    gazetteer
        Used for the admin-1 and country names.

    Returns
    -------
    dict
        name, lat, lon, country_code, geonameid, feature, population and more.
    """
    place = candidate.place
    region = gazetteer.admin1_places.get(place.admin1_code)
    return {
        "name": place.name,
        "lat": place.lat,
        "lon": place.lon,
        "country_code": place.country_code,
        "geonameid": place.geonameid,
        "place_id": place.place_id,
        "feature": place.feature,
        "population": place.population,
        "admin1_code": place.admin1_code,
        "admin1_name": region.name if region is not None else None,
        "matched_name": candidate.matched_name,
        "address": gazetteer.describe(place),
        "prior": round(candidate.prior, 4),
        "source": place.source,
    }


def _as_codes(country_codes: str | Iterable[str] | None) -> list[str] | None:
    if country_codes is None:
        return None
    if isinstance(country_codes, str):
        return [country_codes.upper()]
    return [c.upper() for c in country_codes]


def _viewbox(viewbox: Sequence[Any] | None) -> BoundingBox | None:
    """Turn geopy's ``viewbox`` (two corner points) into a box."""
    if viewbox is None:
        return None
    if len(viewbox) != 2:
        msg = f"viewbox must be two corner points, got {viewbox!r}."
        raise InputError(msg)
    p1, p2 = Point(viewbox[0]), Point(viewbox[1])
    return BoundingBox(
        south=min(p1.latitude, p2.latitude),
        north=max(p1.latitude, p2.latitude),
        west=min(p1.longitude, p2.longitude),
        east=max(p1.longitude, p2.longitude),
    )


class OfflineGeocoder(Geocoder):  # type: ignore[misc]  # geopy ships no type information
    """
    Geocode with geomap's offline gazetteer through geopy's interface.

    Parameters
    ----------
    gazetteer
        The gazetteer to use; by default the project's data.
    online_fallback
        Optional geocoder asked only when the gazetteer finds nothing, for
        example :func:`build_online_fallback`. Off by default.

    Examples
    --------
    >>> geocoder = OfflineGeocoder()
    >>> location = geocoder.geocode("Jalalabad", country_codes="kg")
    >>> location.address, round(location.latitude, 2), round(location.longitude, 2)
    ('Jalal-Abad, Jalal-Abad, Kyrgyzstan', 40.94, 72.99)
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        online_fallback: Callable[..., Any] | None = None,
        user_agent: str = "geomap-offline",
    ) -> None:
        super().__init__(user_agent=user_agent)
        self.gazetteer = gazetteer or load_gazetteer()
        self.online_fallback = online_fallback

    def _location(self, candidate: Candidate) -> Location:
        raw = candidate_to_dict(candidate, self.gazetteer)
        # geopy's Point takes latitude first.
        return Location(raw["address"], Point(candidate.place.lat, candidate.place.lon), raw)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        limit: int | None = None,
        country_codes: str | Iterable[str] | None = None,
        viewbox: Sequence[Any] | None = None,
        bounded: bool = False,
        featuretype: str | None = None,
        admin1_code: str | None = None,
    ) -> Location | list[Location] | None:
        """
        Return the place a name most plausibly refers to, or ranked candidates.

        Parameters
        ----------
        query
            A place name, in any spelling or script.
        exactly_one
            Return one ``Location`` (True) or a list (False), as geopy does.
        timeout
            Accepted for compatibility; offline lookups do not wait.
        limit
            At most this many results when ``exactly_one`` is False.
        country_codes
            ISO alpha-2 code or codes to restrict the search to.
        viewbox
            Two corner points; with ``bounded`` only places inside are kept,
            otherwise places inside are ranked first.
        bounded
            Restrict results to ``viewbox``.
        featuretype
            ``"country"``, ``"state"``, ``"city"`` or ``"settlement"`` as in
            Nominatim, or a GeoNames class/code such as ``"P"`` or ``"A.ADM1"``.
        admin1_code
            GeoNames admin-1 code (``"KG.08"``) to restrict the search to.

        Returns
        -------
        Location, list of Location, or None
            None (or an empty list) when nothing matches.

        Raises
        ------
        InputError
            When the query is not text.
        """
        del timeout  # offline: nothing to wait for
        if not isinstance(query, str):
            msg = f"geocode() takes a place name string, got {type(query).__name__}."
            raise InputError(msg)
        box = _viewbox(viewbox)
        features = _FEATURE_TYPES.get(featuretype or "", (featuretype,) if featuretype else None)
        cands = self.gazetteer.lookup(
            query[: _MAX_QUERY_CHARS + 1],
            country_codes=_as_codes(country_codes),
            admin1_code=admin1_code,
            bbox=box if bounded else None,
            features=features,
        )
        if box is not None and not bounded:
            cands.sort(key=lambda c: not box.contains(c.place.lat, c.place.lon))
        locations = [self._location(c) for c in cands[: limit or None]]
        if not locations and self.online_fallback is not None and query.strip():
            logger.info("offline gazetteer has no %r; asking the online fallback", query)
            found = self.online_fallback(query, exactly_one=exactly_one)
            return found
        if exactly_one:
            return locations[0] if locations else None
        return locations

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """
        Return the populated place nearest to a point.

        Parameters
        ----------
        query
            A point: ``"lat, lon"``, ``(lat, lon)`` or a geopy ``Point``.
        exactly_one
            Return one ``Location`` or a list.
        timeout
            Accepted for compatibility.
        limit
            Number of places when ``exactly_one`` is False (default 5).

        Returns
        -------
        Location, list of Location, or None
            Nearest first.

        Raises
        ------
        InputError
            When the query is not a point.
        """
        del timeout
        try:
            point = Point(query)
        except (TypeError, ValueError) as err:
            msg = f"reverse() takes a point such as '40.53, 72.80', got {query!r}."
            raise InputError(msg) from err
        count = 1 if exactly_one else (limit or 5)
        places = self.gazetteer.nearest(point.latitude, point.longitude, limit=count)
        locations = [self._location(Candidate(place=p, matched_name=p.name, prior=0.0)) for p in places]
        if exactly_one:
            return locations[0] if locations else None
        return locations


_FEATURE_TYPES: dict[str, tuple[str, ...]] = {
    "country": ("A.PCLI", "A.PCLD", "A.PCLS", "A.PCLF", "A.PCL"),
    "state": ("A.ADM1",),
    "city": ("P",),
    "settlement": ("P",),
}


class CachedGeocoder:
    """
    Call a geocoder through geopy's ``RateLimiter`` and a persistent SQLite cache.

    Parameters
    ----------
    geocoder
        Any geopy geocoder.
    cache_path
        SQLite file holding earlier answers; created if missing.
    min_delay_seconds
        Pause between two calls that reach the geocoder; at least 1 s.

    Raises
    ------
    GeocoderError
        When the delay is below one second.
    """

    def __init__(self, geocoder: Any, cache_path: Path, *, min_delay_seconds: float = MIN_ONLINE_DELAY_S) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        if min_delay_seconds < MIN_ONLINE_DELAY_S:
            msg = (
                f"min_delay_seconds={min_delay_seconds!r} is below {MIN_ONLINE_DELAY_S} s; "
                "public geocoders such as Nominatim allow one request per second."
            )
            raise GeocoderError(msg)
        self.geocoder = geocoder
        self.cache_path = cache_path
        self.calls = 0
        self._limited = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, swallow_exceptions=False)
        self._lock = threading.Lock()
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(cache_path) as con:
            con.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def __call__(self, query: str, *, exactly_one: bool = True) -> Location | list[Location] | None:
        """
        Geocode a query, from the cache when it was asked before.

        Parameters
        ----------
        query
            The place name.
        exactly_one
            As in geopy.

        Returns
        -------
        Location, list of Location, or None
            The (cached) answer.
        """
        key = json.dumps([type(self.geocoder).__name__, query, exactly_one])
        with self._lock, sqlite3.connect(self.cache_path) as con:
            row = con.execute("SELECT value FROM answers WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return _locations_from_json(json.loads(row[0]), exactly_one)
            found = self._limited(query, exactly_one=exactly_one)
            self.calls += 1
            items = [found] if isinstance(found, Location) else list(found or [])
            payload = [{"address": x.address, "lat": x.latitude, "lon": x.longitude, "raw": x.raw} for x in items]
            con.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, json.dumps(payload, default=str)))
            return _locations_from_json(payload, exactly_one)


def _locations_from_json(payload: list[dict[str, Any]], exactly_one: bool) -> Location | list[Location] | None:
    locations = [Location(x["address"], Point(x["lat"], x["lon"]), x["raw"]) for x in payload]
    if exactly_one:
        return locations[0] if locations else None
    return locations


def build_online_fallback(user_agent: str, *, cache_path: Path | None = None) -> CachedGeocoder:
    """
    Build the opt-in online fallback: Nominatim, rate limited and cached.

    Parameters
    ----------
    user_agent
        A real user agent naming your application and a contact, as
        Nominatim's usage policy requires.
    cache_path
        Where answers are cached; default ``<cache dir>/nominatim.sqlite``.

    Returns
    -------
    CachedGeocoder
        Pass it as ``OfflineGeocoder(online_fallback=...)``.

    Raises
    ------
    GeocoderError
        When the user agent is empty or geopy's placeholder.
    """
    from geopy.geocoders import Nominatim

    if not user_agent.strip() or user_agent.startswith("geopy/"):
        msg = "Nominatim needs a real user agent, e.g. 'my-newsroom-maps (desk@example.org)'."
        raise GeocoderError(msg)
    cache_path = cache_path or default_cache_dir() / "nominatim.sqlite"
    return CachedGeocoder(Nominatim(user_agent=user_agent), cache_path)


def place_to_location(place: Place, gazetteer: Gazetteer) -> Location:
    """
    Wrap a gazetteer entry as a geopy ``Location``.

    Parameters
    ----------
    place
        The entry.
    gazetteer
        For its address.

    Returns
    -------
    Location
        With the same ``raw`` fields as :meth:`OfflineGeocoder.geocode`.
    """
    cand = Candidate(place=place, matched_name=place.name, prior=0.0)
    raw = candidate_to_dict(cand, gazetteer)
    return Location(raw["address"], Point(place.lat, place.lon), raw)
