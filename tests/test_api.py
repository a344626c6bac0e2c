"""The notebook API: sources in, GeoDataFrames, folium maps and figures out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path  # noqa: TC003  # used at run time by pytest's tmp_path annotations

import pyogrio
import pytest

import geomap
from geomap.errors import InputError
from geomap.ingest import Document
from geomap.webmap import external_urls

STORY = (
    "Two people were killed in Osh on Friday, and a curfew was imposed in Jalal-Abad. "
    "Hundreds fled toward the Uzbek border."
)


@pytest.fixture(scope="module")
def events() -> geomap.api.gpd.GeoDataFrame:
    return geomap.extract_events(STORY, published="2010-06-12")


def test_documents_accepts_texts_files_and_documents(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Clashes in Osh.", encoding="utf-8")
    own = Document(doc_id="mine", text="A protest in Bishkek.")
    docs = geomap.documents(["Riots in Osh.", path, own], published=dt.date(2010, 6, 12), country="KG")
    assert [d.text for d in docs] == ["Riots in Osh.", "Clashes in Osh.", "A protest in Bishkek."]
    assert docs[0].published == dt.date(2010, 6, 12)
    assert docs[0].country == "KG"
    assert docs[2] is own


@pytest.mark.parametrize("bad", [42, [b"bytes"], [None]])
def test_documents_refuses_other_types(bad: object) -> None:
    with pytest.raises(InputError, match="expected text"):
        geomap.documents(bad)  # type: ignore[arg-type]


def test_documents_refuses_a_bad_date() -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        geomap.documents("Riots in Osh.", published="12 June")


def test_extract_events_is_a_geodataframe_in_wgs84(events: geomap.api.gpd.GeoDataFrame) -> None:
    assert events.crs.to_epsg() == 4326
    killed = events[events["kind"] == "killed"]
    assert len(killed) == 1
    row = killed.iloc[0]
    assert row["location_name"] == "Osh"
    assert row["country_code"] == "KG"
    assert row["killed"] == 2
    assert row["event_date"] == "2010-06-11"
    assert 39.0 < row.geometry.y < 42.0


def test_explore_draws_the_events(events: geomap.api.gpd.GeoDataFrame) -> None:
    import folium

    assert isinstance(events[events["located"]].explore(), folium.Map)


def test_geoparse_lists_the_places() -> None:
    places = geomap.geoparse(STORY, published="2010-06-12")
    assert places.crs.to_epsg() == 4326
    assert {"Osh", "Jalal-Abad"} <= set(places["name"])


def test_to_folium_renders_offline_with_the_data(events: geomap.api.gpd.GeoDataFrame) -> None:
    import folium

    fmap = geomap.to_folium(events, title="Osh <b>riots</b>")
    assert isinstance(fmap, folium.Map)
    page = fmap.get_root().render()
    assert "$geomap-deferred" not in page
    assert "<script src=" not in page
    # only attribution links remain, no resource is fetched
    allowed = {"https://www.geonames.org/", "https://www.naturalearthdata.com/", "https://leafletjs.com"}
    assert set(external_urls(page)) <= allowed
    assert "Osh &lt;b&gt;riots&lt;/b&gt;" in page
    assert "<b>riots</b>" not in page
    # a second render (a notebook re-display) is filled too
    again = fmap.get_root().render()
    assert "$geomap-deferred" not in again
    assert "Osh &lt;b&gt;riots&lt;/b&gt;" in again


def test_to_folium_refuses_an_unknown_basemap(events: geomap.api.gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="basemap"):
        geomap.to_folium(events, basemap="satellite")


def test_render_png_into_given_axes(events: geomap.api.gpd.GeoDataFrame, tmp_path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    out = geomap.render_png(events, tmp_path / "side.png", ax=right, title="Osh")
    assert out is fig
    assert left.has_data() is False
    assert right.has_data()
    x0, x1 = right.get_xlim()
    y0, y1 = right.get_ylim()
    assert x0 < 72.8 < x1  # Osh's longitude
    assert y0 < 40.5 < y1
    assert right.get_title() == "Osh"
    assert (tmp_path / "side.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_png_report_figure_without_a_file(events: geomap.api.gpd.GeoDataFrame) -> None:
    fig = geomap.render_png(events)
    assert any(ax.get_label() == "map" for ax in fig.axes)


def test_write_events_round_trips_through_geopackage(events: geomap.api.gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = geomap.write_events(events, tmp_path / "osh.gpkg")
    back = pyogrio.read_dataframe(path, layer="events")
    assert len(back) == len(events)
    assert set(back["kind"]) == set(events["kind"])
