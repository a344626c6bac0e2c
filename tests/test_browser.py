"""The fixture map in a real browser: Debian's Chromium driven by Playwright, every network request aborted."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import geomap.webmap as webmap
from geomap.webmap import render_html

if TYPE_CHECKING:
    from collections.abc import Iterator

    from geomap.layers import Layers

CHROMIUM = Path("/usr/bin/chromium")
OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"
SCREENSHOT = OUTPUTS / "browser-fixture.png"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
# Locally a missing browser skips these tests; in CI (.ci/run sets CI) it fails them.
pytestmark = pytest.mark.skipif(
    shutil.which(str(CHROMIUM)) is None and not os.environ.get("CI"),
    reason=f"{CHROMIUM} is missing (make chromium, or apt-get install -y chromium)",
)


@dataclass
class Visit:
    """What the browser saw on the fixture map."""

    containers: int = 0
    basemap_canvases: int = 0
    markers: int = 0
    arrows: int = 0
    legend: str = ""
    unlocated: str = ""
    title: str = ""
    popups: list[str] = field(default_factory=list)
    popup_marks: list[str] = field(default_factory=list)
    xss_after_load: Any = None
    xss_after_popups: Any = None
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    slider: bool = False


_VISITS: dict[int, Visit] = {}


def _route(route: Any, blocked: list[str]) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        blocked.append(url)
        route.abort()


@contextmanager
def _open(page_path: Path, seen: Visit) -> Iterator[Any]:
    """Yield a Playwright page showing a map file, errors and blocked requests recorded in ``seen``."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda err: seen.errors.append(f"pageerror: {err}"))
            page.route("**/*", lambda route: _route(route, seen.blocked))
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_selector(".leaflet-container")
            page.wait_for_timeout(300)
            yield page
        finally:
            browser.close()


def _close_popup(page: Any) -> None:
    """Close the open popup and wait until it has faded out of the page."""
    page.locator(".leaflet-popup-close-button").click()
    gone = "document.querySelectorAll('.leaflet-popup').length === 0"
    try:
        page.wait_for_function(gone, timeout=5000)
    except sync_api.TimeoutError:
        # A slow machine may still be animating the map: close it the way Leaflet does on Escape.
        page.keyboard.press("Escape")
        page.wait_for_function(gone)


_COUNT_GROUPED = "() => window.geomapCluster ? window.geomapCluster.getLayers().length : -1"
_OPEN_GROUPED = """(i) => new Promise((done) => {
  const layer = window.geomapCluster.getLayers()[i];
  window.geomapCluster.zoomToShowLayer(layer, () => { layer.openPopup(); done(true); });
})"""


def _marker_popups(page: Any, seen: Visit, screenshot: Path | None = None) -> None:
    """Count the event markers and open each one's popup, from its cluster when markers share a place."""
    grouped = page.evaluate(_COUNT_GROUPED)
    seen.markers = grouped if grouped >= 0 else page.locator(".geomap-marker").count()
    for i in range(seen.markers):
        if grouped >= 0:
            page.evaluate(_OPEN_GROUPED, i)
        else:
            page.locator(".geomap-marker").nth(i).click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        seen.popups.append(popup.inner_text())
        seen.popup_marks.extend(popup.locator("mark").all_inner_texts())
        if i == 0 and screenshot is not None:
            page.wait_for_timeout(400)  # let the popup fade in
            page.screenshot(path=str(screenshot))
        _close_popup(page)


def _many_points(layers: Layers, n: int, dates: tuple[str, ...]) -> Layers:
    from conftest import many_points

    return many_points(layers, n, dates, origin=(40.3, 72.0), step=0.05, per_row=10)


_CENTRE_ON_FIRST_POINT = """() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  map.setView([40.3, 72.0], 14, {animate: false});
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}"""


def _visit(layers: Layers) -> Visit:
    """Open the fixture map once per session and record what the tests check."""
    if id(layers) in _VISITS:
        return _VISITS[id(layers)]
    OUTPUTS.mkdir(exist_ok=True)
    page_path = render_html(layers, OUTPUTS / "browser-fixture.html")
    seen = Visit()
    with _open(page_path, seen) as page:
        seen.containers = page.locator(".leaflet-container").count()
        seen.basemap_canvases = page.locator(".leaflet-pane canvas").count()
        seen.arrows = page.locator(".geomap-arrow").count()
        seen.legend = page.locator("#geomap-legend").inner_text()
        seen.unlocated = page.locator("#geomap-unlocated").inner_text()
        seen.title = page.locator("#geomap-title").inner_text()
        seen.slider = page.locator("#geomap-time").count() > 0
        seen.xss_after_load = page.evaluate("typeof window.__xss")
        page.screenshot(path=str(SCREENSHOT))
        _marker_popups(page, seen, SCREENSHOT)
        seen.xss_after_popups = page.evaluate("typeof window.__xss")
    _VISITS[id(layers)] = seen
    return seen


def test_browser_map_renders(example_layers: Layers) -> None:
    seen = _visit(example_layers)
    assert seen.containers == 1
    # The vector basemap, areas, flows and borders are drawn on canvases (prefer_canvas).
    assert seen.basemap_canvases >= 2
    assert "Fixture story" in seen.title


def test_browser_one_marker_per_located_event(example_layers: Layers) -> None:
    events = example_layers.events
    located = events[events.geometry.notna() & ~events.geometry.is_empty]
    # Areas and flows get a marker at their place too, so every located event can be clicked.
    assert (located.geometry.geom_type != "Point").any()
    assert _visit(example_layers).markers == len(located)


def test_browser_shared_place_is_one_cluster_that_opens_on_click(example_layers: Layers, tmp_path: Path) -> None:
    seen = Visit()
    with _open(render_html(example_layers, tmp_path / "grouped.html"), seen) as page:
        # At the fitted view the events sharing Osh are one cluster, not a ring of icons at fixed pixel offsets.
        assert page.locator(".marker-cluster").count() == 1
        in_cluster = int(page.locator(".marker-cluster").inner_text())
        assert in_cluster >= 2
        assert page.locator(".geomap-marker").count() + in_cluster == 3
        page.locator(".marker-cluster").click()
        page.wait_for_timeout(800)  # zoom or spiderfy animation
        if page.locator(".geomap-marker").count() == 0:
            page.locator(".marker-cluster").click()
            page.wait_for_timeout(800)
        shown = page.locator(".geomap-marker").count()
    assert shown == 3
    assert seen.errors == []


def test_browser_popup_shows_evidence_as_text(example_layers: Layers) -> None:
    from conftest import XSS_TEXT

    seen = _visit(example_layers)
    assert len(seen.popups) == seen.markers == 3
    riots = [p for p in seen.popups if p.startswith("riots")]
    assert len(riots) == 1
    popup = riots[0]
    assert XSS_TEXT in popup.replace("\n", " ")
    assert "≥ 77 killed" in popup
    assert "1,000+ injured" in popup
    assert seen.popup_marks == ["Osh"]


def test_browser_legend_and_flow_arrow(example_layers: Layers) -> None:
    seen = _visit(example_layers)
    for label in ("riots", "curfew", "displacement", "flow", "border", "area"):
        assert label in seen.legend
    assert "meeting" not in seen.legend
    assert seen.arrows == 1


def test_browser_unlocated_panel(example_layers: Layers) -> None:
    seen = _visit(example_layers)
    assert "Not located (1)" in seen.unlocated
    assert "The CSTO will meet Monday." in seen.unlocated


def test_browser_no_console_errors_and_no_network(example_layers: Layers) -> None:
    seen = _visit(example_layers)
    assert seen.errors == []
    assert seen.blocked == []


def test_browser_xss_payload_never_runs(example_layers: Layers) -> None:
    seen = _visit(example_layers)
    assert seen.xss_after_load == "undefined"
    assert seen.xss_after_popups == "undefined"


def test_browser_screenshot_saved(example_layers: Layers) -> None:
    _visit(example_layers)
    assert SCREENSHOT.stat().st_size > 10_000


def test_browser_time_slider_shows_one_date_at_a_time(example_layers: Layers, tmp_path: Path) -> None:
    layers = _many_points(example_layers, 6, ("2010-06-12", "2010-06-13", "2010-06-14"))
    seen = Visit()
    with _open(render_html(layers, tmp_path / "slider.html"), seen) as page:
        counts = [page.locator(".geomap-marker").count()]
        for value in ("1", "3", "0"):
            page.locator("#geomap-time").fill(value)
            counts.append(page.locator(".geomap-marker").count())
        label = page.locator("#geomap-time-label").inner_text()
    assert counts == [6, 2, 2, 6]
    assert label == "all dates"
    assert seen.errors == []


@pytest.mark.parametrize("tier", ["cluster", "canvas"])
def test_browser_bulk_tiers_load_and_open_escaped_popups(
    example_layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tier: str
) -> None:
    from conftest import XSS_TEXT

    monkeypatch.setattr(webmap, "INDIVIDUAL_MAX", 4)
    monkeypatch.setattr(webmap, "CLUSTER_MAX", 30 if tier == "cluster" else 6)
    layers = _many_points(example_layers, 24, ("2010-06-12", "2010-06-13"))
    seen = Visit()
    with _open(render_html(layers, tmp_path / f"{tier}.html"), seen) as page:
        if tier == "cluster":
            assert page.locator(".marker-cluster").count() > 0
        else:
            assert page.locator(".geomap-marker").count() == 0
        x, y = page.evaluate(_CENTRE_ON_FIRST_POINT)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        page.locator("#geomap-time").fill("2")
        xss = page.evaluate("typeof window.__xss")
    assert XSS_TEXT[:60] in text.replace("\n", " ")
    assert "≥ 77 killed" in text
    assert xss == "undefined"
    assert seen.errors == []
    assert seen.blocked == []


SEED = Path(__file__).resolve().parent.parent / "seeds" / "osh-2010-06-12.txt"
SEED_SCREENSHOT = OUTPUTS / "osh-2010-06-12-browser.png"


@pytest.fixture(scope="module")
def seed_visit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Visit, dict[str, Any]]:
    """Map the real seed story with the command line, then open the HTML offline in Chromium."""
    import pyogrio

    from geomap.cli import main

    out = tmp_path_factory.mktemp("seed-map")
    assert main(["map", str(SEED), "-o", str(out)]) == 0
    events = pyogrio.read_dataframe(out / "osh-2010-06-12.gpkg", layer="events")
    context = events[["background", "planned", "toll"]].fillna(False).astype(bool).any(axis=1)
    facts: dict[str, Any] = {
        "located": int(events["located"].astype(bool).sum()),
        "events": len(events),
        "context": int(context.sum()),  # background, planned, tolls: listed, not drawn
    }
    seen = Visit()
    with _open(out / "osh-2010-06-12.html", seen) as page:
        seen.arrows = page.locator(".geomap-arrow").count()
        seen.legend = page.locator("#geomap-legend").inner_text()
        seen.title = page.locator("#geomap-title").inner_text()
        facts["labels"] = page.locator(".geomap-label").all_inner_texts()
        OUTPUTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SEED_SCREENSHOT))
        _marker_popups(page, seen)
    return seen, facts


def test_browser_seed_map_has_a_marker_per_located_current_event(seed_visit: tuple[Visit, dict[str, Any]]) -> None:
    seen, facts = seed_visit
    assert facts["located"] == facts["events"] >= 10
    assert 0 < facts["context"] < facts["events"]
    assert seen.markers == facts["located"] - facts["context"]
    assert "Seeks Russian Help" in seen.title


def test_browser_seed_map_shows_places_flow_legend(seed_visit: tuple[Visit, dict[str, Any]]) -> None:
    seen, facts = seed_visit
    assert {"Osh", "Jalal-Abad", "Kyrgyzstan"} <= set(facts["labels"])
    assert "Moscow" not in facts["labels"]  # metonymic: the government speaking, not a place on the map
    assert seen.arrows == 1
    for label in ("riots", "curfew", "state of emergency", "displacement", "border"):
        assert label in seen.legend


def test_browser_seed_popups_quote_the_story(seed_visit: tuple[Visit, dict[str, Any]]) -> None:
    seen, _ = seed_visit
    text = SEED.read_text(encoding="utf-8")
    riots = [p for p in seen.popups if "≥ 77 killed" in p]
    assert len(riots) == 1
    assert "ethnic riots that have killed at least 77 people" in riots[0]
    # The injured figure comes from another sentence: the exports keep it, the popup shows what its quote says.
    assert "1,000+ injured" not in riots[0]
    curfew = [p for p in seen.popups if p.startswith("curfew")]
    assert len(curfew) == 1
    assert "Authorities ordered a curfew in the city Saturday." in curfew[0]
    assert "Jalal-Abad" in curfew[0]
    # Every popup quotes a sentence of the story word for word.
    for popup in seen.popups:
        quoted = [line for line in popup.splitlines() if len(line) > 40 and line in text]
        assert quoted, popup


def test_browser_seed_map_offline_without_errors(seed_visit: tuple[Visit, dict[str, Any]]) -> None:
    seen, _ = seed_visit
    assert seen.errors == []
    assert seen.blocked == []
    assert SEED_SCREENSHOT.stat().st_size > 20_000


CRISIS = Path(__file__).resolve().parent / "data" / "crisis" / "reports.jsonl"
_VISIBLE = "() => window.geomapCluster ? window.geomapCluster.getLayers().length : -1"


def test_browser_crisis_map_fused_with_tolls_sources_and_time_modes(tmp_path: Path) -> None:
    """Seven invented reports of one crisis: one marker per real event, tolls charted, sources listed."""
    from geomap.cli import main

    assert main(["map", str(CRISIS), "-o", str(tmp_path)]) == 0
    seen = Visit()
    with _open(tmp_path / "reports.html", seen) as page:
        sources = page.locator("#geomap-sources").text_content() or ""
        _marker_popups(page, seen)
        counts = {}
        for mode, value in (("window", "1"), ("window", "2"), ("cumulative", "2"), ("window", "0")):
            page.locator("#geomap-time-mode").select_option(mode)
            page.locator("#geomap-time").fill(value)
            counts[(mode, value)] = page.evaluate(_VISIBLE)
    assert "Sources (5 events from 5 reports)" in sources
    for outlet in ("Lakeside Wire", "Rift Valley Daily", "Highland Agency", "National Gazette", "Coast Post"):
        assert outlet in sources
    assert seen.markers == 5
    riots = [p for p in seen.popups if "40 killed (official, 6 March); estimates up to 150" in p]
    assert len(riots) == 1
    assert "7 sources" in riots[0]
    page_html = (tmp_path / "reports.html").read_text(encoding="utf-8")
    # Killed in Kisumu (4 figures) and Nakuru (2); the flight (2) in its marker's and its line's popups.
    assert page_html.count('class="gm-chart"') == 4
    # 3 March: the riots and the national toll; 4 March: curfew, clashes, flight; up to 4 March: all five.
    assert counts == {("window", "1"): 2, ("window", "2"): 3, ("cumulative", "2"): 5, ("window", "0"): 5}
    assert seen.errors == []
    assert seen.blocked == []


_CLOSE_BUTTON_ON_TOP = """() => {
  const button = document.querySelector('.leaflet-popup-close-button');
  const box = button.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return hit === button || button.contains(hit);
}"""


def test_browser_panels_never_hide_an_open_popup(example_layers: Layers, tmp_path: Path) -> None:
    from dataclasses import replace as dc_replace

    # A long title reaches over the top of the map, where popups open.
    long_title = "Riots, curfews and displacement in the south: a day by day account " * 4
    page_path = render_html(dc_replace(example_layers, title=long_title), tmp_path / "long-title.html")
    seen = Visit()
    with _open(page_path, seen) as page:
        page.evaluate(_OPEN_GROUPED if page.evaluate(_COUNT_GROUPED) >= 0 else "() => true", 0)
        if page.locator(".leaflet-popup").count() == 0:
            page.locator(".geomap-marker").first.click()
        page.locator(".leaflet-popup-close-button").wait_for()
        page.wait_for_timeout(300)
        assert page.evaluate("getComputedStyle(document.getElementById('geomap-title')).pointerEvents") == "none"
        assert page.evaluate(_CLOSE_BUTTON_ON_TOP)
        page.locator(".leaflet-popup-close-button").click()
        page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
        assert page.evaluate("getComputedStyle(document.getElementById('geomap-title')).pointerEvents") != "none"


_JUMPS_IN_DRAWN_LINES = """() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  map.setView([0, 0], 1, {animate: false});
  let rings = 0;
  const jumps = [];
  const walk = (latlngs) => {
    if (latlngs.length && Array.isArray(latlngs[0])) { latlngs.forEach(walk); return; }
    rings += 1;
    for (let i = 1; i < latlngs.length; i++) {
      const a = latlngs[i - 1], b = latlngs[i];
      const alongPole = Math.abs(a.lat) > 85 && Math.abs(b.lat) > 85;
      if (Math.abs(a.lng - b.lng) > 180 && !alongPole) jumps.push([a.lat, a.lng, b.lat, b.lng]);
    }
  };
  map.eachLayer((layer) => { if (layer.getLatLngs) walk(layer.getLatLngs()); });
  return {rings, jumps};
}"""


def _layers_with(layers: Layers, rows: list[tuple[str, Any]]) -> Layers:
    """The fixture's events with new geometries (event_id, geometry); the border and places dropped."""
    import dataclasses

    events = layers.events.copy()
    for event_id, geometry in rows:
        events.loc[events["event_id"] == event_id, "geometry"] = geometry
    return dataclasses.replace(layers, events=events, borders=layers.borders.iloc[0:0], places=layers.places.iloc[0:0])


def test_browser_world_view_has_no_band_across_the_antimeridian(example_layers: Layers, tmp_path: Path) -> None:
    """At world zoom no drawn ring or line jumps across the map: Russia, Fiji, Antarctica, a flow Fiji to Samoa."""
    from shapely.geometry import Point

    from geomap.geo import short_line

    flow = short_line(178.4, -18.1, -171.8, -13.8)  # Suva to Apia, across the antimeridian
    layers = _layers_with(example_layers, [("fixture-1", Point(178.4, -18.1)), ("fixture-3", flow)])
    page_path = render_html(layers, tmp_path / "antimeridian.html")
    seen = Visit()
    with _open(page_path, seen) as page:
        drawn = page.evaluate(_JUMPS_IN_DRAWN_LINES)
    assert drawn["rings"] > 200  # the world's countries are among the drawn rings
    assert drawn["jumps"] == []
    assert seen.errors == []


_VIEW = """() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  const b = map.getBounds();
  return {zoom: map.getZoom(), south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()};
}"""


def test_browser_frames_the_story_not_a_stray_point(example_layers: Layers, tmp_path: Path) -> None:
    """Six events in the Fergana valley and one namesake in Kansas: the map opens on the valley."""
    from shapely.geometry import Point

    crowded = _many_points(example_layers, 6, ("2010-06-12",))
    stray = _layers_with(crowded, [("copy-5", Point(-98.0, 38.5))])
    page_path = render_html(stray, tmp_path / "stray.html")
    seen = Visit()
    with _open(page_path, seen) as page:
        view = page.evaluate(_VIEW)
    assert view["west"] < 72.0 < view["east"]
    assert view["south"] < 40.3 < view["north"]
    assert not view["west"] < -98.0 < view["east"]
    assert view["east"] - view["west"] < 60.0  # a regional view, not the world
    assert seen.errors == []


def test_browser_a_single_event_opens_at_a_context_zoom(example_layers: Layers, tmp_path: Path) -> None:
    """One riot in one town: the map shows the town among its neighbours, not its streets."""
    import dataclasses

    riot = example_layers.events[example_layers.events["event_id"] == "fixture-1"]
    layers = dataclasses.replace(
        example_layers, events=riot, borders=example_layers.borders.iloc[0:0], places=example_layers.places.iloc[0:0]
    )
    page_path = render_html(layers, tmp_path / "single.html")
    seen = Visit()
    with _open(page_path, seen) as page:
        view = page.evaluate(_VIEW)
    assert 4 <= view["zoom"] <= webmap._FIT_MAX_ZOOM
    assert view["west"] < 72.7985 < view["east"]
    assert view["south"] < 40.52828 < view["north"]
    assert seen.errors == []
