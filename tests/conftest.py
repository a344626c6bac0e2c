"""Shared fixtures: the real gazetteer and geocoder (offline, built once per session)."""

from __future__ import annotations

import pytest

from geomap.gazetteer import Gazetteer, load_gazetteer
from geomap.geocoder import OfflineGeocoder
from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, frame_from_records


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def geocoder(gazetteer: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(gazetteer)


XSS_TEXT = (
    "Riots in Osh left at least 77 dead and more than 1,000 injured <script>window.__xss=1</script>"
    '<img src=x onerror="window.__xss=2"> \'"`${x}</div>'
)


def _event(n: int, **values: object) -> dict[str, object]:
    base: dict[str, object] = dict.fromkeys(EVENT_COLUMNS)
    base.update(
        event_id=f"fixture-{n}",
        doc_id="fixture",
        primary=False,
        event_type="Riots",
        sub_event_type="Mob violence",
        kinds="riots",
        kind="riots",
        fatalities=0,
        killed_text="",
        killed_qualifier="",
        injured_text="",
        injured_qualifier="",
        displaced_text="",
        location_name="",
        place_id="",
        country_code="",
        admin1_code="",
        geometry_kind="",
        origin="",
        destination="",
        event_date="2010-06-12",
        time_precision=1,
        date_text="",
        evidence="",
        evidence_start=0,
        evidence_end=0,
        place_start=-1,
        place_end=-1,
        actors="",
        confidence=0.8,
        located=False,
        unlocated_reason="",
        source="fixture",
        title="Fixture story",
        geometry=None,
    )
    base.update(values)
    return base


@pytest.fixture(scope="session")
def example_layers() -> Layers:
    """A small hand-built story: a riot point, a curfew area, a flow, an unlocated event, a border."""
    from shapely.geometry import LineString, Point

    from geomap.boundaries import admin1_polygon, border_line, nearest_point

    osh = (40.52828, 72.7985)
    line = border_line("KG", "UZ")
    assert line is not None
    border_lat, border_lon = nearest_point(line, *osh)
    events = [
        _event(
            1,
            primary=True,
            kinds="riots;killed;injured",
            fatalities=77,
            killed=77.0,
            killed_text="at least 77",
            killed_qualifier="at_least",
            injured=1000.0,
            injured_text="more than 1,000",
            injured_qualifier="more_than",
            location_name="Osh",
            place_id="gn:1527534",
            geonameid=1527534.0,
            country_code="KG",
            admin1_code="KG.08",
            lat=osh[0],
            lon=osh[1],
            geo_precision=1,
            where_prec=1,
            geometry_kind="point",
            evidence=XSS_TEXT,
            evidence_start=0,
            evidence_end=len(XSS_TEXT),
            place_start=9,
            place_end=12,
            located=True,
            geometry=Point(osh[1], osh[0]),
        ),
        _event(
            2,
            event_type="Strategic developments",
            sub_event_type="Other",
            kinds="curfew",
            kind="curfew",
            location_name="Jalal-Abad",
            place_id="gn:1529778",
            geonameid=1529778.0,
            country_code="KG",
            admin1_code="KG.03",
            lat=40.94498,
            lon=72.99313,
            geo_precision=3,
            where_prec=4,
            geometry_kind="area",
            evidence="Authorities ordered a curfew in the city Saturday.",
            located=True,
            geometry=admin1_polygon("KG.03"),
        ),
        _event(
            3,
            event_type="Strategic developments",
            sub_event_type="Other",
            kinds="displacement",
            kind="displacement",
            displaced=1000.0,
            displaced_text="thousands",
            location_name="Osh",
            place_id="gn:1527534",
            country_code="KG",
            lat=osh[0],
            lon=osh[1],
            geo_precision=1,
            where_prec=1,
            geometry_kind="flow",
            origin="Osh",
            destination="Kyrgyzstan–Uzbekistan border",
            evidence="Thousands fled Osh for the border with Uzbekistan.",
            located=True,
            geometry=LineString([(osh[1], osh[0]), (border_lon, border_lat)]),
        ),
        _event(
            4,
            event_type="Strategic developments",
            sub_event_type="Other",
            kinds="meeting",
            kind="meeting",
            event_date="2010-06-14",
            evidence="The CSTO will meet Monday.",
            unlocated_reason="no place named",
        ),
    ]
    places = [
        {
            "doc_id": "fixture",
            "place_id": "gn:1527534",
            "name": "Osh",
            "mention": "Osh",
            "start": 9,
            "end": 12,
            "mentions": 3,
            "role": "place",
            "metonymic": False,
            "feature": "P.PPL",
            "country_code": "KG",
            "geonameid": 1527534.0,
            "lat": osh[0],
            "lon": osh[1],
            "score": 0.7,
            "geometry": Point(osh[1], osh[0]),
        },
        {
            "doc_id": "fixture",
            "place_id": "gn:524901",
            "name": "Moscow",
            "mention": "Moscow",
            "start": 40,
            "end": 46,
            "mentions": 1,
            "role": "place",
            "metonymic": True,
            "feature": "P.PPLC",
            "country_code": "RU",
            "geonameid": 524901.0,
            "lat": 55.75,
            "lon": 37.62,
            "score": 0.95,
            "geometry": Point(37.62, 55.75),
        },
    ]
    borders = [
        {
            "doc_id": "fixture",
            "text": "border with Uzbekistan",
            "start": 60,
            "end": 82,
            "country_a": "KG",
            "country_b": "UZ",
            "inferred": True,
            "length_km": 884.0,
            "geometry": line,
        },
    ]
    return Layers(
        events=frame_from_records(events, EVENT_COLUMNS),
        places=frame_from_records(places, PLACE_COLUMNS),
        borders=frame_from_records(borders, BORDER_COLUMNS),
        title="Fixture story",
    )


def many_points(
    layers: Layers, n: int, dates: tuple[str, ...], *, origin: tuple[float, float], step: float, per_row: int
) -> Layers:
    """The fixture's riot point copied n times on a grid from ``origin`` (lat, lon), cycling through dates."""
    import dataclasses

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    events = layers.events
    riot = events[events["event_id"] == "fixture-1"].iloc[0]
    rows = []
    for i in range(n):
        row = riot.copy()
        row["event_id"] = f"copy-{i}"
        row["event_date"] = dates[i % len(dates)]
        row["geometry"] = Point(origin[1] + step * (i % per_row), origin[0] + step * (i // per_row))
        rows.append(row)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows).reset_index(drop=True), geometry="geometry", crs=4326)
    return dataclasses.replace(layers, events=frame)
