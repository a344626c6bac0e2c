"""
Benchmark the HTML map on synthetic events: build time, file size and first render per marker tier.

Run: ``.venv/bin/python bench/bench_webmap.py [N ...]`` (default 100000: the largest
canvas-tier map; budget 15 s and 30 MB to build, 5 s to first render in headless Chromium).
Maps go to ``outputs/bench-webmap-<N>.html``.

First render: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright opens the file
with every request other than ``file:`` and ``data:`` aborted, and the clock runs from the start
of ``page.goto(..., wait_until="load")`` until the tier's markers are in the page
(:data:`TIER_SELECTORS`) and one ``requestAnimationFrame`` has come back. The browser start is
not timed. Without Playwright or Chromium the render column reads ``n/a``.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import Point

from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, empty_frame, frame_from_records
from geomap.webmap import marker_tier, render_html

OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"
BUDGET_SECONDS = 15.0
BUDGET_BYTES = 30_000_000
BUDGET_RENDER_SECONDS = 5.0
RENDER_TIMEOUT_MS = 120_000
"""Give up on a render after this long (reported as FAIL), rather than Playwright's 30 s default."""
CHROMIUM = Path("/usr/bin/chromium")
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
VIEWPORT = {"width": 1200, "height": 800}
TIER_SELECTORS = {
    "individual": ".geomap-marker",
    "cluster": ".marker-cluster",
    # Canvas circles (and the aggregate tier's circles per region) go on a canvas in the overlay pane; the
    # vector basemap has its own canvas in the geomapBasemap pane, so ".leaflet-pane canvas" alone proves nothing.
    "canvas": ".leaflet-overlay-pane canvas",
    "aggregate": ".leaflet-overlay-pane canvas",
}
"""What each marker tier draws (see geomap.webmap): wait for it before the animation frame."""
_ANIMATION_FRAME = "() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))"
KINDS = ("riots", "clashes", "attack", "protest", "arrests", "arson", "killed", "looting")
PLACES = ("Osh", "Jalal-Abad", "Bishkek", "Uzgen", "Kara-Suu", "Andijan", "Namangan", "Fergana")
SENTENCE = "Witnesses said {n} people were hurt when crowds clashed near the market in {place} on {day}."


def synthetic_layers(n: int, seed: int = 0) -> Layers:
    """Return ``n`` point events scattered over the Fergana valley, over 30 days."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        lat, lon = 39.5 + 3.0 * rng.random(), 69.0 + 6.0 * rng.random()
        place = PLACES[i % len(PLACES)]
        day = f"2010-06-{1 + i % 30:02d}"
        evidence = SENTENCE.format(n=rng.randint(1, 500), place=place, day=day)
        killed = float(rng.randint(0, 90))
        record = dict.fromkeys(EVENT_COLUMNS, "")
        record.update(
            event_id=f"bench-{i}",
            doc_id=f"doc-{i // 5}",
            primary=i % 5 == 0,
            event_type="Riots",
            sub_event_type="Mob violence",
            kinds=KINDS[i % len(KINDS)],
            kind=KINDS[i % len(KINDS)],
            fatalities=int(killed),
            killed=killed,
            killed_text=f"at least {killed:.0f}",
            killed_qualifier="at_least",
            injured=None,
            displaced=None,
            location_name=place,
            geonameid=None,
            lat=lat,
            lon=lon,
            geo_precision=1.0,
            where_prec=1.0,
            geometry_kind="point",
            event_date=day,
            time_precision=1.0,
            evidence=evidence,
            evidence_start=0,
            evidence_end=len(evidence),
            place_start=evidence.index(place),
            place_end=evidence.index(place) + len(place),
            confidence=0.8,
            located=True,
            source=f"https://example.org/news/{i // 5}",
            title=f"Synthetic report {i // 5}",
            geometry=Point(lon, lat),  # shapely takes x = lon, y = lat
        )
        records.append(record)
    return Layers(
        events=frame_from_records(records, EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title=f"{n:,} synthetic events",
    )


@dataclass
class Render:
    """What the browser did with one map."""

    seconds: float | None = None
    load_seconds: float | None = None
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failure: str = ""
    skipped: bool = False


def _route(route: Any, blocked: list[str]) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        blocked.append(url)
        route.abort()


def first_render(path: Path, tier: str) -> Render:
    """Open a map in headless Chromium and time it from navigation until the tier's markers have drawn."""
    seen = Render()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        seen.failure, seen.skipped = "playwright is not installed", True
        return seen
    if not CHROMIUM.exists():
        seen.failure, seen.skipped = f"{CHROMIUM} is missing", True
        return seen
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(RENDER_TIMEOUT_MS)
            page.set_default_navigation_timeout(RENDER_TIMEOUT_MS)
            page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda err: seen.errors.append(f"pageerror: {err}"))
            page.route("**/*", lambda route: _route(route, seen.blocked))
            start = time.perf_counter()
            try:
                page.goto(path.as_uri(), wait_until="load")
                seen.load_seconds = time.perf_counter() - start
                page.wait_for_selector(".leaflet-container", state="attached")
                page.wait_for_selector(TIER_SELECTORS[tier], state="attached")
                page.evaluate(_ANIMATION_FRAME)
                seen.seconds = time.perf_counter() - start
            except PlaywrightError as exc:
                seen.failure = str(exc).splitlines()[0]
        finally:
            browser.close()
    return seen


def main() -> None:
    """Build and open one map per size and print time, size and whether the budgets hold."""
    sizes = [int(arg) for arg in sys.argv[1:]] or [100_000]
    OUTPUTS.mkdir(exist_ok=True)
    summary = []
    for n in sizes:
        layers = synthetic_layers(n)
        path = OUTPUTS / f"bench-webmap-{n}.html"
        tier = marker_tier(n)
        start = time.perf_counter()
        render_html(layers, path)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
        ok = elapsed <= BUDGET_SECONDS and size <= BUDGET_BYTES
        print(
            f"{n:>7,} events  tier {tier:<10}  {elapsed:5.1f} s  {size / 1e6:6.1f} MB  "
            f"{'ok' if ok else 'OVER BUDGET'} (budget {BUDGET_SECONDS:.0f} s, {BUDGET_BYTES / 1e6:.0f} MB)"
        )
        seen = first_render(path, tier)
        if seen.seconds is None:
            verdict = "n/a" if seen.skipped else "FAIL"
            timing = f"render   n/a    ({seen.failure})"
        else:
            verdict = "PASS" if seen.seconds <= BUDGET_RENDER_SECONDS else "FAIL"
            timing = f"render {seen.seconds:5.2f} s (load {seen.load_seconds:5.2f} s)"
        print(
            f"{n:>7,} events  tier {tier:<10}  {timing}  {len(seen.errors)} console errors  "
            f"{len(seen.blocked)} requests blocked  {verdict} (budget {BUDGET_RENDER_SECONDS:.0f} s)"
        )
        for message in seen.errors[:5]:
            print(f"    console error: {message[:200]}")
        for url in seen.blocked[:5]:
            print(f"    blocked: {url[:200]}")
        render = "  n/a" if seen.seconds is None else f"{seen.seconds:5.2f}"
        summary.append(
            f"{n:>7,} events  tier {tier:<10}  build {elapsed:5.1f} s  {size / 1e6:6.1f} MB  render {render} s  "
            f"{'ok' if ok else 'OVER BUDGET'}/{verdict}"
        )
    print("summary (build budget 15 s and 30 MB, render budget 5 s):")
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
