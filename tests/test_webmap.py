"""The HTML map, read as text: self-contained, escaped, deterministic (the browser checks are in test_browser.py)."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest

import geomap.webmap as webmap
from geomap.errors import GazetteerError, InputError
from geomap.webmap import external_urls, format_count, render_html

if TYPE_CHECKING:
    from pathlib import Path

    from geomap.layers import Layers

ALLOWED_URLS = {"https://www.geonames.org/", "https://www.naturalearthdata.com/", "https://leafletjs.com"}
INJECTION = "{{ 'zq' ~ 'xj' }} {% if true %}{# ${'vy' + 'kw'} \\` </script><script>window.__xss=3</script>"


def _render(layers: Layers, path: Path, **kwargs: object) -> str:
    return render_html(layers, path, **kwargs).read_text(encoding="utf-8")  # type: ignore[arg-type]


def _with_events(layers: Layers, events: gpd.GeoDataFrame) -> Layers:
    return dataclasses.replace(layers, events=gpd.GeoDataFrame(events, geometry="geometry", crs=4326))


def _many_points(layers: Layers, n: int, dates: tuple[str, ...] = ("2010-06-12",)) -> Layers:
    from conftest import many_points

    return many_points(layers, n, dates, origin=(40.0, 72.0), step=0.01, per_row=100)


def _script_text(page: str) -> str:
    """Everything between <script> tags, the inlined libraries dropped."""
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    return "\n".join(s for s in scripts if "(inlined by geomap)" not in s)


_PAGES: dict[int, str] = {}


def _fixture_page(layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture map with default options, rendered once per session."""
    if id(layers) not in _PAGES:
        _PAGES[id(layers)] = _render(layers, tmp_path_factory.mktemp("webmap") / "fixture.html")
    return _PAGES[id(layers)]


def test_webmap_has_no_external_script_or_stylesheet(
    example_layers: Layers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert "<script src=" not in fixture_html
    assert "<link " not in fixture_html
    assert set(external_urls(fixture_html)) <= ALLOWED_URLS
    for dropped in ("bootstrap", "awesome-markers", "fontawesome", "glyphicons", "jquery-3.7.1.min.js"):
        assert dropped not in fixture_html
    assert "(inlined by geomap)" in fixture_html
    assert "sourceMappingURL" not in fixture_html


def test_webmap_shows_title_legend_counts_and_attribution(
    example_layers: Layers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert "<title>Fixture story</title>" in fixture_html
    assert 'id="geomap-title"' in fixture_html
    assert 'id="geomap-legend"' in fixture_html
    assert "≥ 77 killed · 1,000+ injured" in fixture_html
    assert "thousands displaced" in fixture_html
    assert "Riots in <mark>Osh</mark>" in fixture_html
    assert '.addAttribution("\\u003ca href=\\"https://www.geonames.org/\\"\\u003eGeoNames' in fixture_html
    legend = re.search(r'<div class="gm-box gm-legend".*?</div>', fixture_html, flags=re.DOTALL)
    assert legend is not None
    for label in ("riots (1)", "curfew (1)", "displacement (1)", "flow", "curfew / emergency area", "border"):
        assert label in legend.group(0)
    assert "meeting" not in legend.group(0)


def test_webmap_xss_payload_appears_only_escaped(
    example_layers: Layers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in fixture_html
    assert "<script>window.__xss" not in fixture_html
    assert 'onerror="window.__xss' not in fixture_html
    assert "${x}" not in fixture_html
    assert "`${" not in _script_text(fixture_html)


def test_webmap_injection_into_templates_is_inert(example_layers: Layers, tmp_path: Path) -> None:
    events = example_layers.events.copy()
    events.loc[events["event_id"] == "fixture-1", "evidence"] = INJECTION
    events.loc[events["event_id"] == "fixture-1", "place_start"] = -1
    events.loc[events["event_id"] == "fixture-4", "evidence"] = INJECTION
    events.loc[events["event_id"] == "fixture-2", "kind"] = "<img src=x onerror=alert(1)>{{ 'qz' ~ 'jx' }}"
    layers = dataclasses.replace(_with_events(example_layers, events), title="<b>{{ 'yv' ~ 'wk' }}</b>")
    page = _render(layers, tmp_path / "injection.html")
    for evaluated in ("zqxj", "vykw", "qzjx", "yvwk"):
        assert evaluated not in page
    assert page.count("&#123;% if true %&#125;&#123;# &#36;&#123;&#x27;vy&#x27; + &#x27;kw&#x27;&#125; &#92;&#96;") == 2
    assert "window.__xss=3" not in page.replace("window.__xss=3&lt;", "")
    assert "<img src=x" not in page
    assert "&lt;b&gt;" in page


def test_webmap_lists_unlocated_events(example_layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    panel = re.search(r'<details class="gm-box gm-unlocated".*?</details>', fixture_html, flags=re.DOTALL)
    assert panel is not None
    assert "Not located (1)" in panel.group(0)
    assert "The CSTO will meet Monday." in panel.group(0)
    assert "meeting" in panel.group(0)


def test_webmap_draws_flow_arrow_area_and_border(
    example_layers: Layers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert fixture_html.count('"className": "geomap-arrow"') == 1
    assert fixture_html.count('"className": "geomap-marker geomap-kind-riots"') == 1
    assert '"dashArray": "6 4"' in fixture_html  # curfew area edge
    assert '"dashArray": "10 7"' in fixture_html  # border


def test_webmap_metonymic_place_is_not_drawn(example_layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert "Moscow" not in fixture_html


def test_webmap_rerun_is_byte_identical(example_layers: Layers, tmp_path: Path) -> None:
    first = render_html(example_layers, tmp_path / "a.html").read_bytes()
    second = render_html(example_layers, tmp_path / "b.html").read_bytes()
    assert first == second
    assert re.search(rb"var map_0000000[0-9a-f] = L\.map\(", first)  # ids come from a counter


@pytest.mark.parametrize(
    ("basemap", "has_base", "has_tiles"),
    [("none", False, False), ("vector", True, False), ("tiles", True, True)],
)
def test_webmap_basemaps(example_layers: Layers, tmp_path: Path, basemap: str, has_base: bool, has_tiles: bool) -> None:
    page = _render(example_layers, tmp_path / f"{basemap}.html", basemap=basemap)
    assert ("geomapBasemap" in page) is has_base
    assert ("https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page) is has_tiles
    assert ("OpenStreetMap" in page) is has_tiles
    assert "<script src=" not in page


def test_webmap_vector_basemap_is_bigger_than_none(example_layers: Layers, tmp_path: Path) -> None:
    none = render_html(example_layers, tmp_path / "none.html", basemap="none").stat().st_size
    vector = render_html(example_layers, tmp_path / "vector.html", basemap="vector").stat().st_size
    assert none < 400_000 < vector < 2_000_000


def test_webmap_linked_assets_when_not_self_contained(example_layers: Layers, tmp_path: Path) -> None:
    page = _render(example_layers, tmp_path / "linked.html", self_contained=False)
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"></script>' in page
    assert '<script src="https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js"></script>' in page
    assert "bootstrap" not in page
    # The fixture's riot, curfew and flow share Osh: they are grouped by markercluster, linked here too.
    assert (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js">' in page
    )


def test_webmap_time_slider_only_for_several_dates(
    example_layers: Layers, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    fixture_html = _fixture_page(example_layers, tmp_path_factory)
    assert 'id="geomap-time"' not in fixture_html
    events = example_layers.events.copy()
    events.loc[events["event_id"] == "fixture-2", "event_date"] = "2010-06-13"
    page = _render(_with_events(example_layers, events), tmp_path / "dated.html")
    assert '<input type="range" id="geomap-time" min="0" max="2"' in page
    assert '["2010-06-12","2010-06-13"]' in page


@pytest.mark.parametrize(
    ("n", "tier", "marker"),
    [(3, "individual", "geomap-kind-riots"), (5, "cluster", "markerClusterGroup"), (8, "canvas", "L.circleMarker")],
)
def test_webmap_marker_tiers(
    example_layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, tier: str, marker: str
) -> None:
    monkeypatch.setattr(webmap, "INDIVIDUAL_MAX", 4)
    monkeypatch.setattr(webmap, "CLUSTER_MAX", 6)
    monkeypatch.setattr(webmap, "CANVAS_MAX", 10)
    assert webmap.marker_tier(n) == tier
    page = _render(_many_points(example_layers, n, ("2010-06-12", "2010-06-13")), tmp_path / f"{tier}.html")
    assert marker in page
    assert ("MarkerClusterGroup=" in page) is (tier == "cluster")  # the library is inlined only when used
    assert "<script src=" not in page
    escaped = "&lt;script&gt;window.__xss=1" if tier == "individual" else "\\u0026lt;script\\u0026gt;window.__xss=1"
    assert escaped in page
    assert "<script>window.__xss" not in page
    assert 'id="geomap-time"' in page


def test_webmap_aggregate_tier_counts_per_region(
    example_layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webmap, "INDIVIDUAL_MAX", 4)
    monkeypatch.setattr(webmap, "CLUSTER_MAX", 6)
    monkeypatch.setattr(webmap, "CANVAS_MAX", 10)
    page = _render(_many_points(example_layers, 12), tmp_path / "aggregate.html")
    assert "events per admin-1 region" in page
    assert re.search(r"\d+ events<ul><li>riots: \d+</li></ul>", page)
    assert 'id="geomap-time"' not in page


def test_webmap_handles_no_events(example_layers: Layers, tmp_path: Path) -> None:
    layers = _with_events(example_layers, example_layers.events.iloc[0:0])
    page = _render(dataclasses.replace(layers, borders=layers.borders.iloc[0:0]), tmp_path / "empty.html")
    assert "no located events" in page
    assert "0 events · 0 located · no dates" in page


@pytest.mark.parametrize(
    ("best", "text", "qualifier", "noun", "expected"),
    [
        (77.0, "at least 77", "at_least", "killed", "≥ 77 killed"),
        (1000.0, "more than 1,000", "more_than", "injured", "1,000+ injured"),
        (50.0, "about 50", "approx", "killed", "~50 killed"),
        (12.0, "12", "exact", "killed", "12 killed"),
        (12.0, "dozens", "vague", "killed", "dozens killed"),
        (None, "", "", "killed", ""),
        (float("nan"), "", "", "displaced", ""),
    ],
)
def test_webmap_format_count(best: float | None, text: str, qualifier: str, noun: str, expected: str) -> None:
    assert format_count(best, text, qualifier, noun) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"path_name": "map.png"}, r"\.html"), ({"basemap": "satellite"}, "choose one of tiles, vector, none")],
)
def test_webmap_rejects_bad_arguments(
    example_layers: Layers, tmp_path: Path, kwargs: dict[str, str], match: str
) -> None:
    path = tmp_path / kwargs.pop("path_name", "map.html")
    with pytest.raises(InputError, match=match):
        render_html(example_layers, path, **kwargs)  # type: ignore[arg-type]


def test_webmap_missing_asset_has_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import geomap.assets
    from geomap.assets import load_asset

    # A user's own data folder without assets falls back to the project's.
    monkeypatch.setenv("GEOMAP_DATA", str(tmp_path))
    assert "Leaflet" in load_asset("leaflet.js")[:2000]
    monkeypatch.setattr(geomap.assets, "asset_dir", lambda: tmp_path)
    with pytest.raises(GazetteerError, match=r"python -m geomap\.assets"):
        load_asset("leaflet.js")
    with pytest.raises(GazetteerError, match="choose one of"):
        load_asset("bootstrap.js")


def test_webmap_background_planned_and_tolls_are_listed_not_drawn(example_layers: Layers, tmp_path: Path) -> None:
    from dataclasses import replace as dc_replace

    import pyogrio
    from conftest import _event
    from shapely.geometry import Point

    from geomap.export import write_geopackage
    from geomap.layers import EVENT_COLUMNS, frame_from_records
    from geomap.staticmap import _located

    flagged = [
        _event(90 + i, location_name="Naryn", lat=41.43, lon=75.99, geometry_kind="point", located=True,
               geometry=Point(75.99, 41.43), evidence=f"Context sentence {flag}.", **{flag: True})
        for i, flag in enumerate(("background", "planned", "toll"))
    ]  # fmt: skip
    base = [dict(r) for r in example_layers.events.drop(columns="geometry").to_dict("records")]
    for record, geom in zip(base, example_layers.events.geometry, strict=True):
        record["geometry"] = geom
    layers = dc_replace(example_layers, events=frame_from_records(base + flagged, EVENT_COLUMNS))
    page = _render(layers, tmp_path / "context.html")
    assert "Background, plans and tolls, not drawn (3)" in page
    for flag in ("background", "planned", "toll"):
        assert f"Context sentence {flag}." in page
    plain = _render(example_layers, tmp_path / "plain.html")
    assert page.count("geomap-marker") == plain.count("geomap-marker")  # no marker for the flagged events
    assert len(_located(layers.events)) == len(_located(example_layers.events))
    gpkg = write_geopackage(layers, tmp_path / "context.gpkg")
    kept = pyogrio.read_dataframe(gpkg, layer="events")
    assert len(kept) == len(layers.events)
    assert int(kept["background"].sum()) == int(kept["planned"].sum()) == int(kept["toll"].sum()) == 1


def test_webmap_popup_shows_only_the_counts_its_sentence_states() -> None:
    """A count read from another sentence stays in the exports but not under a quote that does not say it."""
    from geomap.webmap import _popup_parts

    row = {
        "kind": "killed",
        "killed": 12.0,
        "killed_text": "12",
        "killed_qualifier": "exact",
        "injured": 40.0,
        "injured_text": "about 40",
        "injured_qualifier": "approx",
        "evidence": "Gunmen killed 12 villagers near the market on Tuesday.",
        "location_name": "Tamarind",
        "country_code": "KE",
        "geo_precision": 1.0,
    }
    parts = _popup_parts(row)
    assert parts.counts == "12 killed"
    assert "Kenya" in parts.where
    assert "a town or village" in parts.where
    assert _popup_parts({**row, "evidence": "Police said 1912 was a bad year."}).counts == ""
