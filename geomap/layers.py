"""
The map layers every renderer and exporter reads: events, places, borders.

Stages hand over a :class:`Layers` bundle of three GeoDataFrames in EPSG:4326
whose columns are listed once here. Events carry a point, a flow
(LineString, origin to destination) or an area (Polygon/MultiPolygon) as
geometry, or no geometry when unlocated; they are never dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "BORDER_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "PLACE_COLUMNS",
    "Layers",
    "cell_text",
    "empty_frame",
    "frame_from_records",
    "public_source",
    "view_bounds",
]

EVENT_KINDS = (
    "killed",
    "injured",
    "riots",
    "clashes",
    "attack",
    "protest",
    "arrests",
    "arson",
    "looting",
    "curfew",
    "state_of_emergency",
    "deadly_force",
    "displacement",
    "troop_request",
    "aid",
    "meeting",
    "referendum",
    "other",
)
"""What an event reports (``kinds``), as in ../shared/eval/README.md."""

EVENT_COLUMNS: dict[str, str] = {
    "event_id": "str: stable id, '<doc_id>-<n>'",
    "doc_id": "str: the document the event comes from",
    "primary": "bool: the document's main event",
    "event_type": "str: ACLED event_type",
    "sub_event_type": "str: ACLED sub_event_type",
    "kinds": "str: ';'-joined EVENT_KINDS, main kind first",
    "kind": "str: the main kind (first of kinds), used for map layers and icons",
    "fatalities": "int: ACLED's conservative count (0 when none reported)",
    "killed": "float|None: best estimate of people killed (None when not reported)",
    "killed_text": "str: verbatim wording, e.g. 'at least 77'",
    "killed_qualifier": "str: exact|at_least|more_than|approx|vague|''",
    "injured": "float|None: best estimate of people injured",
    "injured_text": "str: verbatim wording, e.g. 'more than 1,000'",
    "injured_qualifier": "str",
    "displaced": "float|None: people displaced or fleeing",
    "displaced_text": "str",
    "location_name": "str: place name the location was resolved from ('' when unlocated)",
    "place_id": "str: gazetteer key ('' when unlocated)",
    "geonameid": "int|None: GeoNames id",
    "country_code": "str: ISO alpha-2",
    "admin1_code": "str: GeoNames admin-1 code",
    "lat": "float|None: WGS84 latitude of the event point (flows: origin; areas: seat)",
    "lon": "float|None: WGS84 longitude",
    "geo_precision": "int|None: ACLED 1-3",
    "where_prec": "int|None: UCDP 1-7",
    "geometry_kind": "str: point|flow|area|'' (unlocated)",
    "origin": "str: flow origin name",
    "destination": "str: flow destination name",
    "event_date": "str: YYYY-MM-DD or ''",
    "time_precision": "int|None: ACLED 1-3",
    "date_text": "str: verbatim date expression ('Saturday')",
    "evidence": "str: the supporting sentence (verbatim article text, never HTML)",
    "evidence_start": "int: offset of the sentence in the document",
    "evidence_end": "int",
    "place_start": "int: offset of the place name in the document (-1 if none)",
    "place_end": "int",
    "actors": "str: ';'-joined actors where stated",
    "confidence": "float: 0-1",
    "located": "bool: False for events whose place could not be found",
    "unlocated_reason": "str",
    "source": "str: document source (file, URL)",
    "title": "str: document title",
    "background": "bool: told as history, before the report's own time (kept, not drawn on the map)",
    "planned": "bool: announced or planned, not (yet) happened (kept, not drawn on the map)",
    "toll": "bool: a cumulative toll or total of an area, not one incident (kept, not drawn as a marker)",
}
"""Columns of the events frame (besides ``geometry``), with their meaning."""

PLACE_COLUMNS: dict[str, str] = {
    "doc_id": "str",
    "place_id": "str",
    "name": "str: display name of the place",
    "mention": "str: the text as written",
    "start": "int: offset of the first mention",
    "end": "int",
    "mentions": "int: how many times the document names it",
    "role": "str: place|region|demonym",
    "metonymic": "bool: named only as an actor ('Moscow says no')",
    "feature": "str: GeoNames class.code",
    "country_code": "str",
    "geonameid": "float|None",
    "lat": "float",
    "lon": "float",
    "score": "float: resolver confidence",
}
"""Columns of the places frame (point geometry)."""

BORDER_COLUMNS: dict[str, str] = {
    "doc_id": "str",
    "text": "str: the phrase, e.g. 'border with Uzbekistan'",
    "start": "int",
    "end": "int",
    "country_a": "str: ISO alpha-2",
    "country_b": "str: ISO alpha-2",
    "inferred": "bool: country_a was taken from the story",
    "length_km": "float",
}
"""Columns of the borders frame (LineString/MultiLineString geometry)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Layers:
    """Everything a map or export shows."""

    events: gpd.GeoDataFrame
    """One row per event, columns :data:`EVENT_COLUMNS`."""
    places: gpd.GeoDataFrame
    """One row per resolved place per document, columns :data:`PLACE_COLUMNS`."""
    borders: gpd.GeoDataFrame
    """One row per border phrase, columns :data:`BORDER_COLUMNS`."""
    title: str = ""
    """Map title."""


def empty_frame(columns: dict[str, str]) -> gpd.GeoDataFrame:
    """
    Return an empty GeoDataFrame with the given columns, in EPSG:4326.

    Parameters
    ----------
    columns
        One of :data:`EVENT_COLUMNS`, :data:`PLACE_COLUMNS`, :data:`BORDER_COLUMNS`.

    Returns
    -------
    geopandas.GeoDataFrame
        No rows.
    """
    import geopandas as gpd

    return gpd.GeoDataFrame({name: [] for name in columns}, geometry=[], crs=4326)


def frame_from_records(records: list[dict[str, Any]], columns: dict[str, str]) -> gpd.GeoDataFrame:
    """
    Build a layer frame from dict records that each hold the columns and ``geometry``.

    Parameters
    ----------
    records
        Rows; missing columns become None.
    columns
        The layer's column table.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns in the table's order, then ``geometry``, EPSG:4326.
    """
    import geopandas as gpd

    if not records:
        return empty_frame(columns)
    data = {name: [r.get(name) for r in records] for name in columns}
    return gpd.GeoDataFrame(data, geometry=[r.get("geometry") for r in records], crs=4326)


def _count_fields(prefix: str, count: Any) -> dict[str, Any]:
    if count is None:
        return {prefix: None, f"{prefix}_text": "", f"{prefix}_qualifier": ""}
    return {prefix: float(count.best), f"{prefix}_text": count.text, f"{prefix}_qualifier": count.qualifier}


def public_source(source: str) -> str:
    r"""
    Return a document's source as it may appear in shared outputs: URLs whole, local files by name only.

    Examples
    --------
    >>> public_source("/home/ana/notes/osh-2010-06-12.txt"), public_source("C:\\Users\\ana\\r.jsonl:3")
    ('osh-2010-06-12.txt', 'r.jsonl:3')
    >>> public_source("https://news.example.org/a/b")
    'https://news.example.org/a/b'
    """
    if "://" in source:
        return source
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def event_record(event: Any, source: str = "", title: str = "") -> dict[str, Any]:
    """
    Flatten one :class:`geomap.events.Event` into an events-frame row (with ``geometry``).

    Parameters
    ----------
    event
        The event.
    source, title
        Of its document.

    Returns
    -------
    dict
        Values for :data:`EVENT_COLUMNS` and ``geometry``.
    """
    from shapely.geometry import Point

    from geomap.resolve import geo_precision, where_precision

    place = event.place
    res = event.place_mention
    geometry = event.geometry
    point = event.point
    if geometry is None and point is not None:
        geometry = Point(point[1], point[0])  # shapely takes x = lon, y = lat
    displaced = _count_fields("displaced", event.displaced)
    del displaced["displaced_qualifier"]
    in_sentence = res is not None and event.evidence_start <= res.mention.start_char < event.evidence_end
    return {
        "event_id": event.event_id,
        "doc_id": event.doc_id,
        "primary": bool(event.primary),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "kinds": ";".join(event.kinds),
        "kind": event.kinds[0] if event.kinds else "other",
        "fatalities": int(event.fatalities),
        **_count_fields("killed", event.killed),
        **_count_fields("injured", event.injured),
        **displaced,
        "location_name": place.name if place else "",
        "place_id": place.place_id if place else "",
        "geonameid": float(place.geonameid) if place and place.geonameid else None,
        "country_code": place.country_code if place else "",
        "admin1_code": place.admin1_code if place else "",
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "geo_precision": float(geo_precision(place)) if place else None,
        "where_prec": float(where_precision(place)) if place else None,
        "geometry_kind": event.geometry_kind if place else "",
        "origin": event.origin,
        "destination": event.destination,
        "event_date": event.date.date.isoformat() if event.date else "",
        "time_precision": float(event.date.time_precision) if event.date else None,
        "date_text": event.date.text if event.date else "",
        "evidence": event.evidence,
        "evidence_start": event.evidence_start,
        "evidence_end": event.evidence_end,
        "place_start": res.mention.start_char if in_sentence and place else -1,
        "place_end": res.mention.end_char if in_sentence and place else -1,
        "actors": ";".join(event.actors),
        "confidence": float(event.confidence),
        "located": place is not None,
        "unlocated_reason": "" if place else event.location_note,
        "source": public_source(source),
        "title": title,
        "background": bool(getattr(event, "background", False)),
        "planned": bool(getattr(event, "planned", False)),
        "toll": bool(getattr(event, "toll", False)),
        "geometry": geometry,
    }


def build_layers(results: list[Any], *, title: str = "") -> Layers:
    """
    Build the map layers from processed documents.

    Parameters
    ----------
    results
        :class:`geomap.pipeline.DocumentResult` objects.
    title
        Map title; defaults to the single document's title.

    Returns
    -------
    Layers
        Events (all, unlocated included), literal and metonymic places, borders.
    """
    from shapely.geometry import Point

    from geomap.boundaries import border_length_km, border_line

    events: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    borders: list[dict[str, Any]] = []
    for result in results:
        doc = result.document
        events.extend(event_record(e, doc.source, doc.title) for e in result.events)
        seen: dict[str, dict[str, Any]] = {}
        for res in result.parsed.resolutions:
            if res.place is None or res.role == "demonym":
                continue
            point = res.point
            assert point is not None
            key = res.place.place_id
            if key in seen:
                seen[key]["mentions"] += 1
                seen[key]["metonymic"] = seen[key]["metonymic"] and res.metonymic
                continue
            seen[key] = {
                "doc_id": doc.doc_id,
                "place_id": key,
                "name": res.place.name,
                "mention": res.mention.text,
                "start": res.mention.start_char,
                "end": res.mention.end_char,
                "mentions": 1,
                "role": res.role,
                "metonymic": res.metonymic,
                "feature": res.place.feature,
                "country_code": res.place.country_code,
                "geonameid": float(res.place.geonameid) if res.place.geonameid else None,
                "lat": point[0],
                "lon": point[1],
                "score": res.score,
                "geometry": Point(point[1], point[0]),
            }
        places.extend(seen.values())
        for border in result.parsed.borders:
            line = border_line(*border.country_codes)
            if line is None:
                continue
            borders.append(
                {
                    "doc_id": doc.doc_id,
                    "text": border.text,
                    "start": border.start_char,
                    "end": border.end_char,
                    "country_a": border.country_codes[0],
                    "country_b": border.country_codes[1],
                    "inferred": border.inferred,
                    "length_km": round(border_length_km(line), 1),
                    "geometry": line,
                }
            )
    if not title and len(results) == 1:
        title = results[0].document.title or results[0].document.doc_id
    return Layers(
        events=frame_from_records(events, EVENT_COLUMNS),
        places=frame_from_records(places, PLACE_COLUMNS),
        borders=frame_from_records(borders, BORDER_COLUMNS),
        title=title,
    )


def cell_text(value: Any) -> str:
    """
    Return a frame cell as a stripped string, ``""`` for None or NaN.

    Examples
    --------
    >>> cell_text(float("nan")), cell_text(" Osh "), cell_text(None)
    ('', 'Osh', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


STRAY_FACTOR = 4.0
"""A point farther from the median point than this many times the median distance (and 5°) is a stray."""


def _without_stray_points(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """
    Leave out of the frame the few points far from where the events are (a lone namesake on another continent).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> near = [Point(72.8 + i / 10, 40.5) for i in range(6)]
    >>> len(_without_stray_points([*near, Point(-100, 40)]))
    6
    >>> len(_without_stray_points(near[:2] + [Point(-100, 40)]))
    3
    """
    import statistics

    points = [g for g in geoms if g.geom_type == "Point"]
    if len(points) < 5:
        return geoms
    lon0 = statistics.median(p.x for p in points)
    lat0 = statistics.median(p.y for p in points)

    def distance(p: BaseGeometry) -> float:
        return math.hypot((p.x - lon0) * math.cos(math.radians(lat0)), p.y - lat0)

    limit = max(5.0, STRAY_FACTOR * statistics.median(distance(p) for p in points))
    kept = [g for g in geoms if g.geom_type != "Point" or distance(g) <= limit]
    return kept or geoms


def view_bounds(geoms: Sequence[BaseGeometry], events: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """
    Return the (lon_min, lat_min, lon_max, lat_max) a map should show.

    Parameters
    ----------
    geoms
        The located events and borders to draw.
    events
        All events, for their countries when none is located.

    Returns
    -------
    tuple or None
        The bounds of ``geoms`` when there are any; else of the events' countries
        (each one's largest part: the Aleutians or Chukotka would stretch the view
        round the globe); else None, a world view.
    """
    import shapely

    if geoms:
        lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(_without_stray_points(list(geoms)))
        return float(lon_min), float(lat_min), float(lon_max), float(lat_max)
    codes = sorted({cell_text(c).upper() for c in events.get("country_code", [])} - {""})
    if codes:
        from geomap.boundaries import load_countries

        countries = load_countries("50m")
        chosen = countries[countries["iso_a2"].isin(codes)]
        if not chosen.empty:
            mainlands = [max(shapely.get_parts(g), key=lambda part: part.area) for g in chosen.geometry]
            lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(mainlands)
            return float(lon_min), float(lat_min), float(lon_max), float(lat_max)
    return None
