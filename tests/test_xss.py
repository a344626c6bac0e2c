"""
XSS suite: our payload corpus (tests/data/xss_payloads.txt) in every text a map shows, checked in Chromium.

Two maps: one built through the whole pipeline from reports whose ids, titles, outlets, URLs and
text carry the payloads (fused, so sources, tolls and panels show them), and one from layers whose
every text column carries every payload. Each is opened in Debian's Chromium, every marker's popup
is opened, and nothing may have run: no ``window.__xss``, no dialog, no element with an event
handler or a script URL coming from the data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_browser import _COUNT_GROUPED, _OPEN_GROUPED, CHROMIUM, Visit, _open

from geomap.fusion import fuse_layers
from geomap.ingest import document_from_mapping
from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, frame_from_records
from geomap.pipeline import process_document
from geomap.webmap import render_html

if TYPE_CHECKING:
    from geomap.gazetteer import Gazetteer

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not __import__("os").environ.get("CI"), reason="no chromium")

CORPUS = Path(__file__).resolve().parent / "data" / "xss_payloads.txt"


def _payloads() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    unescape = re.compile(r"\\(\\|n)")
    return [unescape.sub(lambda m: "\\" if m.group(1) == "\\" else "\n", x) for x in lines if not x.startswith("#")]


PAYLOADS = _payloads()

_CLOSE_POPUP = "() => { Object.values(window).find((v) => v instanceof L.Map).closePopup(); return true; }"

_PLAIN = (
    "(() => { const m = Object.values(window).find((v) => v instanceof L.Map); const all = [];"
    " m.eachLayer((l) => { if (l.getPopup && l.getPopup()) all.push(l); }); return all; })()"
)
_COUNT_PLAIN = f"() => {_PLAIN}.length"
_OPEN_PLAIN = f"(i) => {{ {_PLAIN}[i].openPopup(); return true; }}"

_FOUND_IN_PAGE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.toLowerCase().replace(/\\s/g, '');
      if (value.includes('__xss') && (name.startsWith('on') || name === 'href' || name === 'src' ||
          name === 'srcdoc' || name === 'style' || name === 'data' || name === 'action' || name === 'formaction')) {
        bad.push(el.tagName + ' ' + name);
      }
      if (value.startsWith('javascript:') && (name === 'href' || name === 'src')) bad.push(el.tagName + ' ' + name);
    }
  }
  for (const frame of document.querySelectorAll('iframe, object, embed')) bad.push(frame.tagName);
  return bad;
}"""


def test_corpus_has_at_least_80_payloads() -> None:
    assert len(PAYLOADS) >= 80
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def _check(page_path: Path, expect_text: str) -> tuple[Visit, list[str], Any, list[str]]:
    seen = Visit()
    dialogs: list[str] = []
    with _open(page_path, seen) as page:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        grouped = page.evaluate(_COUNT_GROUPED)
        seen.markers = grouped if grouped >= 0 else page.evaluate(_COUNT_PLAIN)
        for i in range(seen.markers):  # open every popup (through its cluster if any); close it by script
            page.evaluate(_OPEN_GROUPED if grouped >= 0 else _OPEN_PLAIN, i)
            popup = page.locator(".leaflet-popup-content").last
            popup.wait_for()
            seen.popups.append(popup.inner_text())
            page.evaluate(_CLOSE_POPUP)
            page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
        page.mouse.move(600, 400)
        page.wait_for_timeout(200)
        bad = page.evaluate(_FOUND_IN_PAGE)
        xss = page.evaluate("typeof window.__xss === 'undefined' ? null : window.__xss")
        body = page.evaluate("document.body.innerText")
    assert expect_text in body or any(expect_text in p for p in seen.popups)
    return seen, bad, xss, dialogs


def _report(i: int, payloads: list[str]) -> dict[str, Any]:
    p = [payloads[(3 * i + k) % len(payloads)] for k in range(4)]
    return {
        "id": f"r{i}-{p[0]}",
        "title": p[1],
        "outlet": p[2],
        "url": p[3],
        "published": f"2024-03-{4 + i % 3:02d}",
        "text": (
            f"{p[0]} Riots broke out in Kisumu on Sunday, killing {10 + i % 3} people, police said. {p[1]}\n\n"
            f"The death toll from the riots in Kisumu rose to {12 + i} on Monday. {p[2]} "
            f"Hundreds of families fled from Kisumu to Nakuru. {p[3]}"
        ),
    }


@pytest.fixture(scope="module")
def pipeline_map(gazetteer: Gazetteer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = [document_from_mapping(_report(i, PAYLOADS), f"xss:{i}") for i in range(len(PAYLOADS) // 3 + 1)]
    results = [process_document(doc, gazetteer) for doc in docs]
    layers = fuse_layers(results, title=PAYLOADS[0])
    assert len(layers.events) > 0
    return render_html(layers, tmp_path_factory.mktemp("xss") / "pipeline.html", title=PAYLOADS[0])


def test_xss_through_the_pipeline_never_runs(pipeline_map: Path) -> None:
    seen, bad, xss, dialogs = _check(pipeline_map, "Kisumu")
    assert seen.markers > 0
    assert xss is None
    assert dialogs == []
    assert bad == []
    assert not [e for e in seen.errors if "__xss" in e]


TEXT_COLUMNS = [c for c, meaning in EVENT_COLUMNS.items() if meaning.startswith("str")]


@pytest.fixture(scope="module")
def every_column_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import _event
    from shapely.geometry import Point

    records = []
    for i in range(len(PAYLOADS)):
        texts = {c: PAYLOADS[(i + k) % len(PAYLOADS)] for k, c in enumerate(TEXT_COLUMNS)}
        lat, lon = 40.0 + (i % 10) * 0.1, 72.0 + (i // 10) * 0.1
        values = {
            **texts,
            "event_id": f"x{i}-{texts['event_id']}",
            "kind": "riots",
            "kinds": "riots;killed",
            "event_date": f"2010-06-{10 + i % 5}",
            "geometry_kind": "point",
            "killed": float(i),
            "lat": lat,
            "lon": lon,
            "located": i % 9 != 0,
            "geometry": Point(lon, lat) if i % 9 != 0 else None,
        }
        records.append(_event(i, **values))
    places = [
        {c: PAYLOADS[(i + k) % len(PAYLOADS)] for k, c in enumerate(PLACE_COLUMNS)}
        | {
            "start": 0,
            "end": 1,
            "mentions": 1,
            "lat": 41.0,
            "lon": 73.0 + i / 100,
            "geometry": Point(73.0 + i / 100, 41),
        }
        for i in range(5)
    ]
    for place in places:
        for column, meaning in PLACE_COLUMNS.items():
            if not meaning.startswith("str") and column not in {"lat", "lon", "start", "end", "mentions"}:
                place[column] = None
    layers = Layers(
        events=frame_from_records(records, EVENT_COLUMNS),
        places=frame_from_records(places, PLACE_COLUMNS),
        borders=frame_from_records([], BORDER_COLUMNS),
        title=PAYLOADS[3],
    )
    return render_html(layers, tmp_path_factory.mktemp("xss") / "columns.html")


def test_xss_in_every_column_never_runs(every_column_map: Path) -> None:
    seen, bad, xss, dialogs = _check(every_column_map, "window.__xss")
    assert seen.markers > 0
    assert xss is None
    assert dialogs == []
    assert bad == []
