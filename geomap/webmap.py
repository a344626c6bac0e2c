"""
Interactive HTML maps of the event layers, one self-contained file that works offline.

:func:`render_html` draws a :class:`geomap.layers.Layers` bundle with folium:

* basemap: Natural Earth countries (50m) and admin-1 outlines from ``data/``
  as vector layers under everything (``"vector"``), optionally with
  OpenStreetMap tiles on top of them (``"tiles"``: online the tiles show,
  offline the vector base still does), or nothing (``"none"``);
* one layer per event kind (:data:`KIND_STYLE`, icons in the spirit of OCHA's
  humanitarian icons), flows as arrows whose width grows with the log of the
  count, curfew/emergency areas shaded with a dashed edge, shared borders
  thick and dashed, the layer control last;
* popups with the evidence sentence (place name marked), the counts in their
  own wording ("≥ 77 killed", "1,000+ injured"), the date and its precision,
  the place and its precision, the source; a legend of what is drawn, a title,
  a panel listing the events that could not be located, and a date slider when
  events span several dates;
* a marker tier chosen from the number of point events (:func:`marker_tier`):
  DOM markers, clusters, canvas circles, or counts per admin-1 region.

Every string that comes from a document is escaped with :func:`escape_text`
before it enters HTML or JavaScript: HTML entities for ``<>&"'``, and for the
characters live in JavaScript template literals and Jinja (branca compiles each
rendered element's output as a template once more, so ``{{ }}`` in an article
would otherwise be evaluated). Bulk data and panels are put into the page after
rendering, through placeholders that document text cannot forge. With ``self_contained=True`` Leaflet,
Leaflet.markercluster and jQuery are inlined from ``data/assets``
(:mod:`geomap.assets`) and no other external script or stylesheet is kept.
Element ids come from a counter, so the same input gives byte-identical HTML.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import math
import re
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from geomap.atomic import write_text
from geomap.errors import GeomapError, InputError
from geomap.layers import cell_text as _text
from geomap.layers import view_bounds
from geomap.styles import BORDER_COLOUR, PALETTE

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    import folium
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

    from geomap.layers import Layers

__all__ = [
    "ATTRIBUTION",
    "BASEMAPS",
    "CANVAS_MAX",
    "CLUSTER_MAX",
    "INDIVIDUAL_MAX",
    "KIND_STYLE",
    "PLACE_LABELS_MAX",
    "Basemap",
    "FoliumMissingError",
    "KindStyle",
    "MarkerTier",
    "WebmapError",
    "escape_text",
    "external_urls",
    "format_count",
    "icon_svg",
    "marker_tier",
    "render_html",
    "to_folium",
]

logger = logging.getLogger(__name__)

Basemap = Literal["tiles", "vector", "none"]
BASEMAPS: tuple[Basemap, ...] = ("tiles", "vector", "none")
"""Basemap choices of :func:`render_html`."""

MarkerTier = Literal["individual", "cluster", "canvas", "aggregate"]

INDIVIDUAL_MAX = 1_000
"""Fewer point events than this: one DOM marker (icon, popup, tooltip) each."""

PLACE_LABELS_MAX = 40
"""At most this many places named get a permanent label; more are named on hover only."""
CLUSTER_MAX = 20_000
"""Fewer than this: markers grouped by Leaflet.markercluster, built in the browser from a data array."""
CANVAS_MAX = 100_000
"""Up to this many: canvas circle markers with lazily built popups; above it, counts per admin-1 region."""

ATTRIBUTION = (
    '<a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0) | '
    '<a href="https://www.naturalearthdata.com/">Natural Earth</a>'
)
"""Attribution shown on every map (HTML; a constant, not document text)."""

_ATTRIBUTION_URLS = frozenset(
    {
        "https://www.geonames.org/",
        "https://www.naturalearthdata.com/",
        "https://leafletjs.com",
        "https://www.openstreetmap.org/copyright",
    }
)
_OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


@dataclass(frozen=True, slots=True, kw_only=True)
class KindStyle:
    """How one event kind is drawn."""

    colour: str
    """Fill colour of the marker disc (CSS hex)."""
    glyph: str
    """SVG path data of the white pictogram, in a 24×24 box centred on (12, 12)."""
    label: str
    """Legend and layer-control text."""
    filled: bool = False
    """Fill the glyph instead of stroking it."""


KIND_STYLE: dict[str, KindStyle] = {
    "killed": KindStyle(colour=PALETTE["killed"].colour, glyph="M8 8l8 8M16 8l-8 8", label=PALETTE["killed"].label),
    "injured": KindStyle(
        colour=PALETTE["injured"].colour, glyph="M12 6.5v11M6.5 12h11", label=PALETTE["injured"].label
    ),
    "riots": KindStyle(colour=PALETTE["riots"].colour, glyph="M12 6.5v7M12 17.3v.1", label=PALETTE["riots"].label),
    "clashes": KindStyle(
        colour=PALETTE["clashes"].colour,
        glyph="M7 7l10 10M17 7L7 17M6 13.5l4.5 4.5M13.5 18l4.5-4.5",
        label=PALETTE["clashes"].label,
    ),
    "attack": KindStyle(
        colour=PALETTE["attack"].colour,
        glyph="M13.5 5l-6.5 8h4.5l-1.5 6 6.5-8h-4.5z",
        label=PALETTE["attack"].label,
        filled=True,
    ),
    "protest": KindStyle(
        colour=PALETTE["protest"].colour, glyph="M8.5 18.5v-12M8.5 6.5h8l-2 3 2 3h-8", label=PALETTE["protest"].label
    ),
    "arrests": KindStyle(
        colour=PALETTE["arrests"].colour, glyph="M9 7v10M12 7v10M15 7v10M7 7h10M7 17h10", label=PALETTE["arrests"].label
    ),
    "arson": KindStyle(
        colour=PALETTE["arson"].colour,
        glyph="M12 5c1.2 3 4.5 4.5 4.5 8.2a4.5 4.5 0 0 1-9 0c0-2 1-3.4 2.2-4.4 0 2 .8 3 1.8 3.2-.8-2.2-.6-4.6.5-7z",
        label=PALETTE["arson"].label,
        filled=True,
    ),
    "looting": KindStyle(
        colour=PALETTE["looting"].colour,
        glyph="M7.5 10.5h9l1 7.5h-11zM10 10.5V9a2 2 0 0 1 4 0v1.5",
        label=PALETTE["looting"].label,
    ),
    "curfew": KindStyle(
        colour=PALETTE["curfew"].colour,
        glyph="M12 6.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11zM12 9v3.2l2.2 1.6",
        label=PALETTE["curfew"].label,
    ),
    "state_of_emergency": KindStyle(
        colour=PALETTE["state_of_emergency"].colour,
        glyph="M12 6l6.5 11.5h-13zM12 10.5v3M12 15.6v.1",
        label=PALETTE["state_of_emergency"].label,
    ),
    "deadly_force": KindStyle(
        colour=PALETTE["deadly_force"].colour,
        glyph="M12 7.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9zM12 5v3.5M12 15.5V19M5 12h3.5M15.5 12H19",
        label=PALETTE["deadly_force"].label,
    ),
    "displacement": KindStyle(
        colour=PALETTE["displacement"].colour, glyph="M6 12h11M13 8l4 4-4 4", label=PALETTE["displacement"].label
    ),
    "troop_request": KindStyle(
        colour=PALETTE["troop_request"].colour,
        glyph="M7 8.5l5 3 5-3M7 13l5 3 5-3",
        label=PALETTE["troop_request"].label,
    ),
    "aid": KindStyle(
        colour=PALETTE["aid"].colour, glyph="M7 8h10v9.5H7zM9.5 12.75h5M12 10.25v5", label=PALETTE["aid"].label
    ),
    "meeting": KindStyle(
        colour=PALETTE["meeting"].colour, glyph="M6.5 7.5h11v6.5h-5.5l-3 3v-3H6.5z", label=PALETTE["meeting"].label
    ),
    "referendum": KindStyle(
        colour=PALETTE["referendum"].colour, glyph="M7 7h10v10H7zM9.5 12l2 2 3.5-4", label=PALETTE["referendum"].label
    ),
    "other": KindStyle(
        colour=PALETTE["other"].colour,
        glyph="M12 9.3a2.7 2.7 0 1 0 0 5.4a2.7 2.7 0 1 0 0-5.4z",
        label=PALETTE["other"].label,
        filled=True,
    ),
}
"""Event kind -> marker style, in the spirit of OCHA's humanitarian icons and the colours of
:data:`geomap.staticmap.KIND_STYLE`: violence red, fire orange, looting brown, curfew purple,
displacement blue, aid green, politics grey/black."""

_BORDER_COLOUR = BORDER_COLOUR
_AREA_KINDS = frozenset({"curfew", "state_of_emergency"})
_SEA = "#dce9f2"
_LAND = "#f3f0e8"
_COUNTRY_EDGE = "#8c8c8c"
_ADMIN_EDGE = "#b9b2a6"
_AGGREGATE_COLOUR = "#b2182b"

_TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
_REGION_WORDS = frozenset(
    {"region", "province", "oblast", "state", "county", "district", "governorate", "department", "prefecture"}
)
_GEO_PRECISION = {1: "a town or village", 2: "near a town, or a district", 3: "somewhere in a region"}
_QUALIFIED = {"at_least": "≥ {n}", "more_than": "{n}+", "approx": "~{n}", "exact": "{n}"}

_MAX_ZOOM = 18
_FIT_MAX_ZOOM = 10
_ADMIN1_MARGIN_DEG = 3.0
_MAX_ADMIN1_SPAN_DEG = 60.0
_BASEMAP_DECIMALS = 3
_COUNTRY_MARGIN_DEG = 10.0
_NEAR_SIMPLIFY_DEG = 0.01
_FAR_SIMPLIFY_DEG = 0.1
_BULK_EVIDENCE_CHARS = 160
_MAX_UNLOCATED_LISTED = 200
_MARKER_PX = 24
_ID_LOCK = threading.Lock()

_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"
_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css"
_JQUERY_JS = "https://cdn.jsdelivr.net/npm/jquery@3.7.1/dist/jquery.min.js"
_MARKERCLUSTER_CDN = "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist"
_ASSET_URLS: dict[str, str] = {
    _LEAFLET_JS: "leaflet.js",
    _LEAFLET_CSS: "leaflet.css",
    _JQUERY_JS: "jquery.min.js",
    f"{_MARKERCLUSTER_CDN}/leaflet.markercluster.js": "leaflet.markercluster.js",
    f"{_MARKERCLUSTER_CDN}/MarkerCluster.css": "MarkerCluster.css",
    f"{_MARKERCLUSTER_CDN}/MarkerCluster.Default.css": "MarkerCluster.Default.css",
}
"""CDN URL (the versions pinned in :mod:`geomap.assets`) -> offline file that replaces it."""

_SCRIPT_SRC = re.compile(r'<script src="([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')
_SOURCE_MAP = re.compile(r"^\s*(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$", re.MULTILINE)
_EXTERNAL = re.compile(
    r"""(?:\bsrc|\bhref)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)|url\(\s*["']?((?:https?:)?//[^"')\s]+)"""
)


class FoliumMissingError(GeomapError, ImportError):
    """folium is not installed."""


class WebmapError(GeomapError, RuntimeError):
    """The HTML map could not be made self-contained."""


# --- text -------------------------------------------------------------------


def _number(value: Any) -> float | None:
    """Return a cell as a finite float, None for None/NaN/junk."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


_TEMPLATE_LIVE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})
"""Characters live in JavaScript template literals (backtick, ``${``, backslash) or Jinja (``{{``, ``{%``, ``{#``)."""


def escape_text(value: Any) -> str:
    r"""
    Escape document text for HTML that folium places in JavaScript template literals.

    ``html.escape`` (quotes included), then the characters that are live
    inside a JavaScript template literal (backtick, ``$``, backslash) and
    braces become character references too, so the result is inert in HTML
    text, HTML attributes, `` `...` `` strings, and in the Jinja templates
    that branca compiles from every rendered element.

    Parameters
    ----------
    value
        Any cell; None and NaN give ''.

    Returns
    -------
    str
        Text safe to put between HTML tags or in a quoted attribute.

    Examples
    --------
    >>> escape_text('<b onclick="x">`${y}`\\</b>')
    '&lt;b onclick=&quot;x&quot;&gt;&#96;&#36;&#123;y&#125;&#96;&#92;&lt;/b&gt;'
    """
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return html.escape(text, quote=True).translate(_TEMPLATE_LIVE)


def _safe_json(value: Any) -> str:
    """Serialise to JSON that can sit inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def format_count(best: Any, text: Any, qualifier: Any, noun: str) -> str:
    """
    Word a reported count the way the source hedged it.

    Parameters
    ----------
    best
        The best estimate (None when not reported).
    text
        The verbatim wording, e.g. ``"at least 77"``.
    qualifier
        ``exact``, ``at_least``, ``more_than``, ``approx``; anything else
        keeps the verbatim wording.
    noun
        What was counted: ``"killed"``, ``"injured"``, ``"displaced"``.

    Returns
    -------
    str
        Plain text (escape before use in HTML); '' when nothing was reported.

    Examples
    --------
    >>> format_count(77.0, "at least 77", "at_least", "killed")
    '≥ 77 killed'
    >>> format_count(1000.0, "more than 1,000", "more_than", "injured")
    '1,000+ injured'
    >>> format_count(50.0, "about 50", "approx", "killed"), format_count(1000.0, "thousands", "vague", "displaced")
    ('~50 killed', 'thousands displaced')
    """
    number = _number(best)
    wording = _text(text)
    pattern = _QUALIFIED.get(_text(qualifier))
    if number is not None and pattern is not None:
        return f"{pattern.format(n=f'{number:,.0f}')} {noun}"
    if wording:
        return f"{wording} {noun}"
    if number is not None:
        return f"{number:,.0f} {noun}"
    return ""


def _label(kind: str) -> str:
    """Return the display label of a kind (unknown kinds keep their own name)."""
    style = KIND_STYLE.get(kind)
    return style.label if style else (kind.replace("_", " ") or "other")


def _marker_class(kind: str) -> str:
    """
    Return the CSS classes of an event marker.

    Examples
    --------
    >>> _marker_class("state_of_emergency"), _marker_class('x"><img')
    ('geomap-marker geomap-kind-state_of_emergency', 'geomap-marker geomap-kind-other')
    """
    return f"geomap-marker geomap-kind-{kind if kind in KIND_STYLE else 'other'}"


def _kind_of(row: dict[str, Any]) -> str:
    """Return an event's main kind, ``"other"`` when blank."""
    return _text(row.get("kind")) or "other"


def _style(kind: str) -> KindStyle:
    return KIND_STYLE.get(kind, KIND_STYLE["other"])


def icon_svg(kind: str, size: int = _MARKER_PX, *, approximate: bool = False) -> str:
    """
    Return the inline SVG icon of an event kind: a coloured disc with a white pictogram.

    Parameters
    ----------
    kind
        An event kind; unknown kinds get the ``"other"`` icon.
    size
        Width and height in CSS pixels.
    approximate
        Draw it hollow with a dashed rim, for locations known only to a district or region.

    Returns
    -------
    str
        An ``<svg>`` element (constant markup, no document text).

    Examples
    --------
    >>> icon_svg("riots", 20).startswith('<svg width="20" height="20" viewBox="0 0 24 24"')
    True
    """
    style = _style(kind)
    # Approximate locations are hollow: a white disc, a dashed coloured rim, a coloured pictogram.
    ink, disc = (style.colour, "#fff") if approximate else ("#fff", style.colour)
    rim = (
        f'stroke="{style.colour}" stroke-width="2.2" stroke-dasharray="3.4 2.2"'
        if approximate
        else ('stroke="#fff" stroke-width="1.4"')
    )
    paint = f'fill="{ink}" stroke="none"' if style.filled else f'fill="none" stroke="{ink}" stroke-width="2.2"'
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 24 24" aria-hidden="true">'
        f'<circle cx="12" cy="12" r="10.6" fill="{disc}" {rim}/>'
        f'<path d="{style.glyph}" {paint} stroke-linecap="round" stroke-linejoin="round"/></svg>'
    )


# --- popups -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _PopupParts:
    """Pieces of one event's popup, each already escaped HTML."""

    heading: str
    counts: str
    when: str
    where: str
    evidence: str
    source: str


def _evidence_html(row: dict[str, Any], limit: int | None = None) -> str:
    """
    Escape the evidence sentence and mark the place name when it lies inside the sentence.

    Examples
    --------
    >>> row = {"evidence": "Riots in Osh <b>.", "evidence_start": 100, "place_start": 109, "place_end": 112}
    >>> _evidence_html(row)
    'Riots in <mark>Osh</mark> &lt;b&gt;.'
    >>> _evidence_html(row, limit=6)
    'Riots …'
    """
    raw = row.get("evidence")
    sentence = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
    offset = _number(row.get("evidence_start")) or 0.0
    start = _number(row.get("place_start"))
    end = _number(row.get("place_end"))
    cut, tail = len(sentence), ""
    if limit is not None and len(sentence) > limit:
        cut, tail = len(sentence[:limit].rstrip()), " …"
    if start is not None and end is not None and start >= 0:
        first, last = int(start - offset), int(end - offset)
        if 0 <= first < last <= cut:
            before, place, after = sentence[:first], sentence[first:last], sentence[last:cut]
            return f"{escape_text(before)}<mark>{escape_text(place)}</mark>{escape_text(after)}{tail}"
    return escape_text(sentence[:cut]) + tail


@lru_cache(maxsize=4096)
def _heading_html(kind: Any, kinds: Any, event_type: Any, sub_event_type: Any) -> str:
    names = [k for k in _text(kinds).split(";") if k] or [_text(kind) or "other"]
    heading = escape_text(", ".join(_label(k) for k in names))
    described = " · ".join(t for t in (_text(event_type), _text(sub_event_type)) if t)
    return heading + (f' <span class="gm-type">{escape_text(described)}</span>' if described else "")


@lru_cache(maxsize=4096)
def _counts_html(evidence: Any, *values: Any) -> str:
    """Return the counts that the quoted evidence sentence states (the others stay in the exports)."""
    killed, killed_text, killed_qualifier, injured, injured_text, injured_qualifier, displaced, displaced_text = values
    sentence = _text(evidence)
    counts = (
        format_count(killed, killed_text, killed_qualifier, "killed")
        if _is_stated(killed, killed_text, sentence)
        else "",
        format_count(injured, injured_text, injured_qualifier, "injured")
        if _is_stated(injured, injured_text, sentence)
        else "",
        format_count(displaced, displaced_text, "", "displaced")
        if _is_stated(displaced, displaced_text, sentence)
        else "",
    )
    return escape_text(" · ".join(c for c in counts if c))


def _is_stated(value: Any, wording: Any, sentence: str) -> bool:
    """
    Tell whether a sentence states a count: its wording, or its number as a whole word.

    Examples
    --------
    >>> _is_stated(77.0, "at least 77", "At least 77 people died.")
    True
    >>> _is_stated(1000.0, "", "Some 1,000 fled.")
    True
    >>> _is_stated(7.0, "", "In 1977 a riot killed many.")
    False
    """
    number = _number(value)
    if number is None:
        return False
    if not sentence:
        return True  # nothing is quoted: the count is all the popup has to show
    digits = f"{int(number)}" if float(number).is_integer() else f"{number:g}"
    grouped = f"{int(number):,}" if float(number).is_integer() else digits
    forms = {f for f in (_text(wording).casefold(), digits, grouped) if f}
    folded = sentence.casefold()
    return any(re.search(rf"(?<![\w.,]){re.escape(form)}(?!\w|[.,]\d)", folded) for form in forms)


@lru_cache(maxsize=4096)
def _when_html(event_date: Any, time_precision: Any, date_text: Any) -> str:
    when = _text(event_date) or "date not stated"
    precision = _number(time_precision)
    details = [_TIME_PRECISION[int(precision)]] if precision in _TIME_PRECISION else []
    if _text(date_text):
        details.append(f"“{_text(date_text)}”")
    return escape_text(when + (f" ({'; '.join(details)})" if details else ""))


@lru_cache(maxsize=4096)
def _where_html(
    location_name: Any,
    geo_precision: Any,
    geometry_kind: Any,
    origin: Any,
    destination: Any,
    country_code: Any = None,
    admin1_code: Any = None,
) -> str:
    """
    Return the place with its admin-1 region and country, and its precision in words.

    Examples
    --------
    >>> _where_html("Osh", 1.0, "point", None, None, "KG", "KG.08")
    'Osh (Osh region, Kyrgyzstan) — a town or village (precision 1)'
    """
    place = _text(location_name)
    geo = _number(geo_precision)
    where = place or "not located"
    if place:
        region = _admin1_name(_text(admin1_code))
        country = _country_name(_text(country_code))
        if region and region.split()[-1].casefold() not in _REGION_WORDS:
            region += " region"
        within = [n for n in (region, country) if n and n.casefold() != place.casefold()]
        if within:
            where += f" ({', '.join(within)})"
    if place and geo is not None:
        words = _GEO_PRECISION.get(int(geo)) if float(geo).is_integer() else None
        where += f" — {words} (precision {geo:g})" if words else f" — precision {geo:g}"
    if _text(geometry_kind) == "flow" and (_text(origin) or _text(destination)):
        where += f"; {_text(origin) or '?'} → {_text(destination) or '?'}"
    return escape_text(where)


@lru_cache(maxsize=1024)
def _admin1_name(code: str) -> str:
    from geomap.boundaries import admin1_names

    return admin1_names([code]).get(code, "") if code else ""


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    from geomap.boundaries import country_names

    return country_names([code.upper()]).get(code.upper(), "") if code else ""


@lru_cache(maxsize=4096)
def _source_html(title: Any, source: Any) -> str:
    return escape_text(" — ".join(t for t in (_text(title), _text(source)) if t))


def _popup_parts(row: dict[str, Any], evidence_limit: int | None = None) -> _PopupParts:
    """Return the escaped pieces of an event's popup (repeated pieces are built once, cached)."""
    get = row.get
    return _PopupParts(
        heading=_heading_html(get("kind"), get("kinds"), get("event_type"), get("sub_event_type")),
        counts=_counts_html(
            get("evidence"),
            get("killed"),
            get("killed_text"),
            get("killed_qualifier"),
            get("injured"),
            get("injured_text"),
            get("injured_qualifier"),
            get("displaced"),
            get("displaced_text"),
        ),
        when=_when_html(get("event_date"), get("time_precision"), get("date_text")),
        where=_where_html(
            get("location_name"),
            get("geo_precision"),
            get("geometry_kind"),
            get("origin"),
            get("destination"),
            get("country_code"),
            get("admin1_code"),
        ),
        evidence=_evidence_html(row, evidence_limit),
        source=_source_html(get("title"), get("source")),
    )


def _popup_html(parts: _PopupParts) -> str:
    """Assemble popup markup from escaped parts (mirrored by ``geomapPopup`` in :data:`_BULK_JS`)."""
    counts = f'<div class="gm-counts">{parts.counts}</div>' if parts.counts else ""
    source = f'<div class="gm-src">{parts.source}</div>' if parts.source else ""
    return (
        f'<div class="gm-popup"><div class="gm-head">{parts.heading}</div>{counts}'
        f'<div class="gm-when">{parts.when}</div><div class="gm-where">{parts.where}</div>'
        f'<blockquote class="gm-ev">{parts.evidence}</blockquote>{source}</div>'
    )


def _toll_chart(entries: list[dict[str, Any]], noun: str) -> str:
    """Return a small SVG chart of a toll series: value over as-of date, official filled, estimates hollow."""
    points = sorted((str(e.get("as_of") or ""), int(e["value"]), str(e.get("status") or "")) for e in entries)
    points = [p for p in points if p[0]]
    if len(points) < 2:
        return ""
    dates = sorted({p[0] for p in points})
    top = max(p[1] for p in points) or 1
    width, height, pad = 160, 44, 5

    def x(date: str) -> float:
        return pad + (width - 2 * pad) * (dates.index(date) / max(1, len(dates) - 1))

    def y(value: int) -> float:
        return height - pad - (height - 2 * pad) * value / top

    firm = [p for p in points if p[2] != "estimate"]
    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v, _ in firm)
    dots = "".join(
        f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.6" fill="{"#fff" if st == "estimate" else "#67000d"}" '
        f'stroke="#67000d"><title>{escape_text(f"{v:,} {noun} ({st}, {d})")}</title></circle>'
        for d, v, st in points
    )
    path = f'<polyline points="{line}" fill="none" stroke="#67000d" stroke-width="1.5"/>' if len(firm) > 1 else ""
    return (
        f'<svg class="gm-chart" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape_text(noun)} over time">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#bbb"/>'
        f"{path}{dots}</svg>"
    )


def _fused_parts(row: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """Return the toll block (label and chart) and the source list of a fused event ("" and [] for others)."""
    try:
        tolls = json.loads(_text(row.get("tolls")) or "[]")
        sources = json.loads(_text(row.get("sources")) or "[]")
    except ValueError:
        return "", []
    block = ""
    label = _text(row.get("toll_label"))
    if label:
        charts = "".join(
            _toll_chart([e for e in tolls if e.get("noun") == noun], noun) for noun in ("killed", "displaced")
        )
        block = f'<div class="gm-toll">{escape_text(label)}{charts}</div>'
    return block, sources


def _source_item(source: dict[str, Any]) -> str:
    copies = source.get("copies") or []
    outlet = escape_text(_text(source.get("outlet")) or _text(source.get("doc_id")))
    url = _text(source.get("url"))
    # The URL is shown as text, not a link: a self-contained map refers to nothing outside itself.
    name = f'{outlet} <span class="gm-url">{escape_text(url)}</span>' if url else outlet
    also = ""
    if copies:
        names = ", ".join(escape_text(_text(c.get("outlet")) or _text(c.get("doc_id"))) for c in copies)
        also = f" (also {names})"
    return f"<li>{name}, {escape_text(_text(source.get('published')))}{also}</li>"


def _with_fused(popup: str, row: dict[str, Any]) -> str:
    """Add a fused event's tolls and sources to its popup."""
    block, sources = _fused_parts(row)
    if not block and len(sources) < 2:
        return popup
    items = "".join(_source_item(s) for s in sources)
    n_sources = int(_number(row.get("n_sources")) or len(sources))
    listing = f'<div class="gm-src">{n_sources} sources</div><ol class="gm-sources">{items}</ol>' if sources else ""
    return popup[: -len("</div>")] + block + listing + "</div>"


def _sources_panel_html(rows: list[dict[str, Any]]) -> str:
    """Return a panel listing every fused event with its sources (nothing when events are not fused)."""
    fused = [row for row in rows if _text(row.get("sources"))]
    if not fused:
        return ""
    items = []
    for row in fused[:_MAX_UNLOCATED_LISTED]:
        _, sources = _fused_parts(row)
        what = f"{_label(_kind_of(row))}, {_text(row.get('location_name')) or 'not located'}"
        when = _text(row.get("event_date")) or "no date"
        toll = _text(row.get("toll_label"))
        head = escape_text(f"{what} · {when}" + (f" · {toll}" if toll else ""))
        items.append(f"<li><b>{head}</b><ol>{''.join(_source_item(s) for s in sources)}</ol></li>")
    n_docs = len({_text(s.get("doc_id")) for row in fused for s in _fused_parts(row)[1]})
    return (
        '<details class="gm-box gm-sourcepanel" id="geomap-sources">'
        f"<summary>Sources ({len(fused):,} events from {n_docs:,} reports)</summary><ol>{''.join(items)}</ol></details>"
    )


# --- tiers, bounds, basemap -------------------------------------------------


def marker_tier(n_points: int) -> MarkerTier:
    """
    Choose how point events are drawn from how many there are.

    Parameters
    ----------
    n_points
        Located point events.

    Returns
    -------
    str
        ``individual`` (< :data:`INDIVIDUAL_MAX`), ``cluster`` (< :data:`CLUSTER_MAX`),
        ``canvas`` (≤ :data:`CANVAS_MAX`), else ``aggregate``.

    Examples
    --------
    >>> [marker_tier(n) for n in (3, 1_000, 20_000, 100_001)]
    ['individual', 'cluster', 'canvas', 'aggregate']
    """
    if n_points < INDIVIDUAL_MAX:
        return "individual"
    if n_points < CLUSTER_MAX:
        return "cluster"
    if n_points <= CANVAS_MAX:
        return "canvas"
    return "aggregate"


def _has_geometry(geometry: Any) -> bool:
    return geometry is not None and not geometry.is_empty


def _geometry_role(geometry: BaseGeometry) -> Literal["point", "flow", "area"]:
    kind = geometry.geom_type
    if kind in {"LineString", "MultiLineString"}:
        return "flow"
    if kind in {"Polygon", "MultiPolygon"}:
        return "area"
    return "point"


def _rounded_collection(
    geoms: Sequence[BaseGeometry], decimals: int = _BASEMAP_DECIMALS, simplify: float = 0.0
) -> dict[str, Any]:
    """Return a FeatureCollection of the geometries, simplified and with coordinates rounded (display only)."""
    import numpy as np
    import shapely

    array = np.asarray(list(geoms), dtype=object)
    if simplify:
        array = shapely.simplify(array, simplify, preserve_topology=True)
    rounded = shapely.transform(array, lambda xy: np.round(xy, decimals))
    features = [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))}
        for g in rounded
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _near_view(frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float] | None, margin: float) -> set[int]:
    """Return the positions of the rows that intersect the view bounds widened by a margin (degrees)."""
    from shapely.geometry import box

    if bounds is None:
        return set()
    lon_min, lat_min, lon_max, lat_max = bounds
    window = box(lon_min - margin, lat_min - margin, lon_max + margin, lat_max + margin)
    return {int(i) for i in frame.sindex.query(window, predicate="intersects")}


def _add_basemap(
    fmap: folium.Map, basemap: Basemap, bounds: tuple[float, float, float, float] | None
) -> tuple[bool, bool]:
    """Draw the vector basemap (and tiles); return whether countries and admin-1 outlines were drawn."""
    import folium
    from folium.map import CustomPane

    if basemap == "none":
        return False, False
    from geomap.boundaries import load_admin1, load_countries

    # Below the tile pane (z 200): online tiles cover it, offline it shows through.
    CustomPane("geomapBasemap", z_index=150, pointer_events=False).add_to(fmap)
    countries = load_countries("50m")
    near = _near_view(countries, bounds, _COUNTRY_MARGIN_DEG)
    # 50m detail near the data, a coarse world around it: ~0.55 MB for Central Asia, not ~1.6 MB for all at 50m.
    collection = _rounded_collection([g for i, g in enumerate(countries.geometry) if i in near], 3, _NEAR_SIMPLIFY_DEG)
    far = _rounded_collection([g for i, g in enumerate(countries.geometry) if i not in near], 2, _FAR_SIMPLIFY_DEG)
    collection["features"].extend(far["features"])
    folium.GeoJson(
        collection,
        name="Countries",
        style_function=lambda _: {"color": _COUNTRY_EDGE, "weight": 0.8, "fillColor": _LAND, "fillOpacity": 1.0},
        interactive=False,
        pane="geomapBasemap",
        control=False,
    ).add_to(fmap)
    drew_admin1 = False
    if bounds is not None:
        lon_min, lat_min, lon_max, lat_max = bounds
        margin = max(_ADMIN1_MARGIN_DEG, 0.5 * max(lon_max - lon_min, lat_max - lat_min))
        if lon_max - lon_min + 2 * margin <= _MAX_ADMIN1_SPAN_DEG:
            admin1 = load_admin1()
            regions = admin1.iloc[sorted(_near_view(admin1, bounds, margin))]
            if not regions.empty:
                folium.GeoJson(
                    _rounded_collection(list(regions.geometry)),
                    name="Admin-1 regions",
                    style_function=lambda _: {
                        "color": _ADMIN_EDGE,
                        "weight": 0.7,
                        "dashArray": "3 3",
                        "fill": False,
                    },
                    interactive=False,
                    pane="geomapBasemap",
                    control=False,
                ).add_to(fmap)
                drew_admin1 = True
    if basemap == "tiles":
        folium.TileLayer(
            _OSM_TILES,
            attr=_OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
        ).add_to(fmap)
    return True, drew_admin1


# --- folium plumbing --------------------------------------------------------


def _require_folium() -> None:
    try:
        import folium  # noqa: F401
    except ImportError as err:
        msg = "render_html needs folium; install it with: pip install 'folium==0.20.0'."
        raise FoliumMissingError(msg) from err


@contextmanager
def _counter_ids() -> Iterator[None]:
    """Make branca element ids a counter (``00000000``, ``00000001`` …) while the map is built and rendered."""
    from branca.element import Element

    counter = itertools.count()
    with _ID_LOCK:
        original = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(lambda cls: f"{next(counter):08x}")  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            Element._generate_id = original  # type: ignore[method-assign]


class _Deferred:
    """
    Text put into the page after rendering, in place of a placeholder.

    branca compiles every rendered element's output as a Jinja template once
    more, which costs seconds for megabytes of data and would evaluate ``{{ }}``
    in document text. Placeholders hold a ``$``, which :func:`escape_text`
    never lets through, so document text cannot forge one.
    """

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def add(self, text: str) -> str:
        """Return the placeholder standing for ``text``."""
        token = f"$geomap-deferred-{len(self.texts)}$"
        self.texts[token] = text
        return token

    def fill(self, page: str) -> str:
        """Replace every placeholder, each of which must occur exactly once."""
        for token, text in self.texts.items():
            if page.count(token) != 1:
                msg = f"Placeholder {token} occurs {page.count(token)} times in the rendered map, expected once."
                raise WebmapError(msg)
            page = page.replace(token, text)
        return page


def _macro(deferred: _Deferred, *, css: str = "", markup: str = "", js: str = "") -> Any:
    """
    Return a branca MacroElement that emits header CSS, body HTML and script verbatim.

    The texts go through :class:`_Deferred`, never through Jinja; callers build
    them from escaped text only.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()  # type: ignore[no-untyped-call]
    element._name = "GeomapElement"
    element._template = Template(
        "{% macro header(this, kwargs) %}{% if this.css %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}"
        "{% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}"
    )
    vars(element).update(
        css=deferred.add(css) if css else "",
        markup=deferred.add(markup) if markup else "",
        js=deferred.add(js) if js else "",
    )
    return element


_CSS = """
.leaflet-container{font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.geomap-marker{background:none;border:none}
.geomap-marker svg{display:block;filter:drop-shadow(0 1px 1px rgba(0,0,0,.45))}
.geomap-marker.gm-approx{opacity:.8}
.geomap-arrow{background:none;border:none;pointer-events:none}
.geomap-label{background:rgba(255,255,255,.8);border:none;box-shadow:none;padding:0 3px;color:#222;font-weight:600}
.geomap-label:before{display:none}
.gm-popup{max-width:340px}
.gm-head{font-weight:600;margin-bottom:2px}
.gm-type{font-weight:400;color:#555}
.gm-counts{font-weight:600;color:#99000d}
.gm-when,.gm-where{color:#333}
.gm-ev{margin:6px 0;padding:4px 8px;border-left:3px solid #bbb;background:#f7f7f7;overflow-wrap:anywhere}
.gm-ev mark{background:#ffe680;padding:0 1px}
.gm-src{color:#666;font-size:11px;overflow-wrap:anywhere}
.gm-box{position:fixed;z-index:1000;background:rgba(255,255,255,.94);border-radius:6px;
box-shadow:0 1px 5px rgba(0,0,0,.35);color:#222;
font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.gm-title{top:10px;left:50%;transform:translateX(-50%);padding:6px 14px;text-align:center;max-width:60vw}
.gm-title h1{font-size:16px;margin:0}
.gm-title .gm-sub{color:#555}
.gm-time{margin-top:4px}
.gm-time input[type=range]{vertical-align:middle;width:220px}
.gm-time input[type=number]{width:3.5em}
.gm-toll{margin:4px 0;font-weight:600;color:#67000d}
.gm-toll svg{display:block;margin-top:2px}
.gm-sources{margin:4px 0 0;padding-left:16px;font-size:11px;color:#444;max-height:120px;overflow:auto}
.gm-sourcepanel{bottom:28px;right:10px;max-width:360px;max-height:40vh;overflow:auto;font-size:12px}
.gm-sourcepanel ol{margin:4px 0;padding-left:18px}
.gm-sourcepanel li{margin-bottom:4px}
.gm-url{color:#777;overflow-wrap:anywhere;user-select:all}
.gm-legend{right:10px;bottom:28px;padding:8px 10px;max-height:45vh;overflow:auto}
.gm-legend h2,.gm-unlocated summary{font-size:12px;font-weight:700;margin:0 0 4px}
.gm-legend ul{list-style:none;margin:0;padding:0}
.gm-legend li{display:flex;align-items:center;gap:6px;margin:2px 0}
.gm-legend li svg{flex:none}
.gm-unlocated{left:10px;bottom:60px;padding:6px 10px;max-width:min(360px,40vw);max-height:35vh;overflow:auto}
.gm-unlocated summary{cursor:pointer}
.gm-unlocated ol{margin:4px 0 0;padding-left:18px}
.gm-unlocated li{margin:3px 0}
.gm-unlocated q{color:#444}
.gm-context{bottom:auto;top:90px}
body.gm-popup-open .gm-box{opacity:.12;pointer-events:none;transition:opacity .15s}
"""


# --- layers -----------------------------------------------------------------


_Shape = tuple[dict[str, Any], "BaseGeometry", Literal["flow", "area"]]
"""A flow or area event: (row, geometry, role)."""


@dataclass(slots=True)
class _Drawn:
    """What the map shows, for the legend and the time slider."""

    kinds: dict[str, int]
    flows: int = 0
    areas: int = 0
    borders: int = 0
    approximate: bool = False
    aggregate_regions: int = 0
    timed: list[tuple[str, str, int]] = field(default_factory=list)
    """(group variable, layer variable, date index) of each folium-built event layer."""


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """
    Return the screen bearing (clockwise from north) of a straight segment on Web Mercator.

    Examples
    --------
    >>> round(_bearing_deg(0.0, 0.0, 0.0, 1.0)), round(_bearing_deg(0.0, 0.0, -1.0, 0.0))
    (90, 180)
    """

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2))

    return math.degrees(math.atan2(math.radians(lon2 - lon1), mercator_y(lat2) - mercator_y(lat1))) % 360.0


def _flow_weight(count: float | None) -> float:
    """
    Return a flow's line width in pixels, growing with the log of the count.

    Examples
    --------
    >>> _flow_weight(None), _flow_weight(1000.0), _flow_weight(1e9)
    (3.0, 7.5, 12.0)
    """
    if count is None or count < 1:
        return 3.0
    return min(3.0 + 1.5 * math.log10(count), 12.0)


def _flow_line(geometry: BaseGeometry) -> list[list[float]]:
    """Return a flow's vertices as folium ``[lat, lon]`` pairs (the longest part of a multi-line)."""
    import shapely

    parts = list(shapely.get_parts(geometry))
    line = max(parts, key=lambda part: part.length)
    return [[float(lat), float(lon)] for lon, lat in line.coords]  # shapely gives lon, lat; folium wants lat, lon


def _add_flow(
    group: folium.FeatureGroup, row: dict[str, Any], geometry: BaseGeometry, popup: str, tip: str
) -> list[str]:
    import folium

    points = _flow_line(geometry)
    colour = _style(_text(row.get("kind")) or "displacement").colour
    count = _number(row.get("displaced"))
    line = folium.PolyLine(  # type: ignore[no-untyped-call]
        points,
        color=colour,
        weight=_flow_weight(count),
        opacity=0.85,
        line_cap="round",
        popup=folium.Popup(popup, parse_html=False, max_width=360),
        tooltip=folium.Tooltip(tip),
    ).add_to(group)
    (lat1, lon1), (lat2, lon2) = points[-2], points[-1]
    bearing = _bearing_deg(lat1, lon1, lat2, lon2)
    half = round(5 + 1.25 * _flow_weight(count))
    size = 2 * half
    # A triangle pointing north with its tip at the anchor, turned about the tip to the flow's bearing.
    arrow_html = (
        f'<svg width="{size}" height="{size}" viewBox="0 0 18 18" style="transform:rotate({bearing:.1f}deg);'
        f'transform-origin:{half:g}px 0"><path d="M9 0.5L16.5 17L9 12.5L1.5 17Z" fill="{colour}" '
        'stroke="#fff" stroke-width="1" stroke-linejoin="round"/></svg>'
    )
    arrow = folium.Marker(
        [lat2, lon2],
        icon=folium.DivIcon(html=arrow_html, icon_size=(size, size), icon_anchor=(half, 0), class_name="geomap-arrow"),
        interactive=False,
        keyboard=False,
        z_index_offset=1000,
    ).add_to(group)
    return [line.get_name(), arrow.get_name()]


def _add_area(group: folium.FeatureGroup, row: dict[str, Any], geometry: BaseGeometry, popup: str, tip: str) -> str:
    import folium

    colour = _style(_text(row.get("kind")) or "curfew").colour
    area = folium.GeoJson(
        _rounded_collection([geometry]),
        style_function=lambda _: {
            "color": colour,
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": colour,
            "fillOpacity": 0.18,
        },
        tooltip=folium.Tooltip(tip),
    ).add_to(group)
    folium.Popup(popup, parse_html=False, max_width=360).add_to(area)
    return str(area.get_name())


def _ring_offsets(count: int, px: float = _MARKER_PX) -> list[tuple[int, int]]:
    """
    Return screen offsets (x right, y down) that set ``count`` icons sharing one spot in a ring, touching.

    Examples
    --------
    >>> _ring_offsets(1), _ring_offsets(2)
    ([(0, 0)], [(0, -14), (0, 14)])
    """
    if count < 2:
        return [(0, 0)] * count
    radius = (px / 2 + 2) / math.sin(math.pi / count)
    return [
        (round(radius * math.sin(2 * math.pi * i / count)), round(-radius * math.cos(2 * math.pi * i / count)))
        for i in range(count)
    ]


def _add_point(
    group: folium.FeatureGroup,
    row: dict[str, Any],
    lat: float,
    lon: float,
    popup: str,
    tip: str,
    offset: tuple[int, int] = (0, 0),
) -> str:
    import folium

    kind = _kind_of(row)
    killed = _number(row.get("killed")) or 0.0
    size = 2 * round(min(_MARKER_PX + 4 * math.log10(1 + killed), 36) / 2)
    approximate = (_number(row.get("geo_precision")) or 1.0) >= 2
    css = _marker_class(kind)
    dx, dy = offset
    marker = folium.Marker(
        [lat, lon],
        icon=folium.DivIcon(
            html=icon_svg(kind, size, approximate=approximate),
            icon_size=(size, size),
            # Shifting the anchor moves the icon on screen, not the event: it stays at (lat, lon) at every zoom.
            icon_anchor=(size // 2 - dx, size // 2 - dy),
            popup_anchor=(dx, dy - size // 2),
            class_name=css + (" gm-approx" if approximate else ""),
        ),
        popup=folium.Popup(popup, parse_html=False, max_width=360),
        tooltip=folium.Tooltip(tip),
    ).add_to(group)
    return str(marker.get_name())


_BULK_JS = """
(function () {
  // A JSON block parses several times faster than the same data as a script literal.
  var data = JSON.parse(document.getElementById("geomap-bulk-data").textContent);
  var groups = [%(groups)s];
  var tier = data.tier;
  window.geomapTimed = window.geomapTimed || [];
  function geomapPopup(r) {
    return '<div class="gm-popup"><div class="gm-head">' + data.heads[r[4]] + '</div>' +
      (r[6] ? '<div class="gm-counts">' + r[6] + '</div>' : '') +
      '<div class="gm-when">' + data.whens[r[3]] + '</div><div class="gm-where">' + data.places[r[5]] + '</div>' +
      '<blockquote class="gm-ev">' + r[7] + '</blockquote>' +
      (data.docs[r[8]] ? '<div class="gm-src">' + data.docs[r[8]] + '</div>' : '') + '</div>';
  }
  var icons = data.icons.map(function (svg) {
    return L.divIcon({html: svg[0], className: svg[1], iconSize: [%(px)d, %(px)d], iconAnchor: [%(half)d, %(half)d]});
  });
  var batches = groups.map(function () { return []; });
  data.rows.forEach(function (r) {
    var layer;
    if (tier === "cluster") {
      layer = L.marker([r[0], r[1]], {icon: icons[r[2]]});
    } else {
      layer = L.circleMarker([r[0], r[1]], {radius: 4.5, weight: 1, color: "#fff", fillColor: data.colours[r[2]],
        fillOpacity: 0.85});
    }
    layer.bindPopup(function () { return geomapPopup(r); }, {maxWidth: 360});
    batches[r[2]].push(layer);
  });
  batches.forEach(function (layers, k) {
    var target = groups[k];
    if (tier === "cluster") {
      target = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45});
      groups[k].addLayer(target);
      target.addLayers(layers);
    } else {
      layers.forEach(function (layer) { target.addLayer(layer); });
    }
    layers.forEach(function (layer, i) { window.geomapTimed.push([target, layer, data.rowDates[k][i]]); });
  });
})();
"""

_SLIDER_JS = """
(function () {
  var dates = %(dates)s;
  var days = dates.map(function (d) { return Date.parse(d) / 86400000; });
  var entries = (window.geomapTimed || []).concat([%(entries)s]);
  var input = document.getElementById("geomap-time");
  var label = document.getElementById("geomap-time-label");
  var mode = document.getElementById("geomap-time-mode");
  var width = document.getElementById("geomap-window");
  var play = document.getElementById("geomap-play");
  var shown = entries.map(function () { return true; });
  function host(e) { return (window.geomapHost && window.geomapHost.get(e[1])) || e[0]; }
  function wanted(e, v) {
    if (v === 0 || e[2] < 0) { return true; }
    var day = days[e[2]], end = days[v - 1];
    if (mode.value === "cumulative") { return day <= end; }
    var span = Math.max(1, Number(width.value) || 1);
    return day <= end && day > end - span;
  }
  function apply() {
    var v = Number(input.value);
    var span = Math.max(1, Number(width.value) || 1);
    label.textContent = v === 0 ? "all dates" : (mode.value === "cumulative" ? "up to " + dates[v - 1] :
      (span > 1 ? span + " days to " : "") + dates[v - 1]);
    var adds = new Map(), removes = new Map();
    entries.forEach(function (e, i) {
      var want = wanted(e, v);
      if (want === shown[i]) { return; }
      shown[i] = want;
      e[1].geomapHidden = !want;
      var bucket = want ? adds : removes, target = host(e);
      if (!bucket.has(target)) { bucket.set(target, []); }
      bucket.get(target).push(e[1]);
    });
    removes.forEach(function (layers, group) {
      if (group.removeLayers) { group.removeLayers(layers); return; }
      layers.forEach(function (l) { group.removeLayer(l); });
    });
    adds.forEach(function (layers, group) {
      if (group.addLayers) { group.addLayers(layers); return; }
      layers.forEach(function (l) { group.addLayer(l); });
    });
  }
  var timer = null;
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "play"; } }
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (Number(input.value) >= dates.length) { input.value = 0; }
    play.textContent = "pause";
    timer = setInterval(function () {
      var v = Number(input.value) + 1;
      if (v > dates.length) { stop(); return; }
      input.value = v;
      apply();
    }, 1000);
  });
  input.addEventListener("input", function () { stop(); apply(); });
  mode.addEventListener("change", apply);
  width.addEventListener("input", apply);
})();
"""


_GROUP_JS = """
(function () {
  // Markers that share a spot are grouped by geography: a cluster that opens (spiderfies) on click.
  var map = %(map)s;
  var groups = [%(groups)s];
  var cluster = L.markerClusterGroup({maxClusterRadius: 24, showCoverageOnHover: false, spiderfyOnMaxZoom: true});
  window.geomapHost = window.geomapHost || new Map();
  groups.forEach(function (g) {
    var moved = [];
    g.eachLayer(function (l) {
      var icon = l instanceof L.Marker && l.options.icon && l.options.icon.options.className;
      if (icon && icon.indexOf("geomap-marker") >= 0) { moved.push(l); }
    });
    moved.forEach(function (l) { g.removeLayer(l); window.geomapHost.set(l, cluster); });
    g.geomapMarkers = moved;
    cluster.addLayers(moved);
  });
  cluster.addTo(map);
  map.on("overlayadd", function (e) {
    if (e.layer.geomapMarkers) {
      cluster.addLayers(e.layer.geomapMarkers.filter(function (l) { return !l.geomapHidden; }));
    }
  });
  map.on("overlayremove", function (e) { if (e.layer.geomapMarkers) { cluster.removeLayers(e.layer.geomapMarkers); } });
  window.geomapCluster = cluster;
})();
"""


def _bulk_points(
    groups: dict[str, folium.FeatureGroup],
    order: list[str],
    points: list[tuple[dict[str, Any], float, float]],
    tier: MarkerTier,
    date_index: dict[str, int],
    deferred: _Deferred,
) -> Any:
    """Return a MacroElement that builds cluster markers or canvas circles in the browser from a data array."""
    tables: dict[str, dict[str, int]] = {"heads": {}, "whens": {}, "places": {}, "docs": {}}

    def index(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    kind_index = {kind: i for i, kind in enumerate(order)}
    rows: list[list[Any]] = []
    row_dates: list[list[int]] = [[] for _ in order]
    for row, lat, lon in points:
        kind = _kind_of(row)
        parts = _popup_parts(row, evidence_limit=_BULK_EVIDENCE_CHARS)
        k = kind_index[kind]
        rows.append(
            [
                round(lat, 5),
                round(lon, 5),
                k,
                index("whens", parts.when),
                index("heads", parts.heading),
                index("places", parts.where),
                parts.counts,
                parts.evidence,
                index("docs", parts.source),
            ]
        )
        row_dates[k].append(date_index.get(_text(row.get("event_date")), -1))
    payload = {
        "tier": tier,
        "rows": rows,
        "rowDates": row_dates,
        "icons": [[icon_svg(kind, _MARKER_PX), _marker_class(kind)] for kind in order],
        "colours": [_style(kind).colour for kind in order],
        **{name: list(table) for name, table in tables.items()},
    }
    js = _BULK_JS % {
        "groups": ", ".join(groups[kind].get_name() for kind in order),
        "px": _MARKER_PX,
        "half": _MARKER_PX // 2,
    }
    # _safe_json escapes "<", ">" and "&", so no text can close the element early.
    markup = f'<script type="application/json" id="geomap-bulk-data">{_safe_json(payload)}</script>'
    return _macro(deferred, markup=markup, js=js)


def _aggregate(fmap: folium.Map, points: list[tuple[dict[str, Any], float, float]]) -> int:
    """
    Draw one circle per admin-1 region sized by its number of events; return the number of regions.

    An event in no region (at sea, or in a gap of the simplified outlines) counts for the nearest one.
    """
    import folium
    import numpy as np
    import shapely

    from geomap.boundaries import load_admin1

    admin1 = load_admin1()
    geoms = shapely.points([lon for _, _, lon in points], [lat for _, lat, _ in points])  # x = lon, y = lat
    region = np.full(len(points), -1, dtype=np.int64)
    point_idx, region_idx = admin1.sindex.query(geoms, predicate="within")
    region[point_idx[::-1]] = region_idx[::-1]  # the first region wins where outlines overlap
    lost = np.flatnonzero(region < 0)
    if lost.size:
        near_point, near_region = admin1.sindex.nearest(geoms[lost], return_all=False)
        region[lost[near_point]] = near_region
    by_region: dict[int, Counter[str]] = {}
    for position, (row, _, _) in zip(region.tolist(), points, strict=True):
        by_region.setdefault(position, Counter())[_kind_of(row)] += 1
    largest = max((sum(kinds.values()) for kinds in by_region.values()), default=1)
    group = folium.FeatureGroup(name="Events per admin-1 region").add_to(fmap)
    for position, kinds in sorted(by_region.items()):
        row = admin1.iloc[int(position)]
        seat = row.geometry.representative_point()
        total = sum(kinds.values())
        name = f"{_text(row['name'])}, {_text(row['country_code'])}"
        lines = "".join(f"<li>{escape_text(_label(k))}: {n:,}</li>" for k, n in sorted(kinds.items()))
        head = f'<div class="gm-head">{escape_text(name)}</div>'
        popup = f'<div class="gm-popup">{head}{total:,} events<ul>{lines}</ul></div>'
        folium.CircleMarker(
            [seat.y, seat.x],  # shapely gives x = lon, y = lat
            radius=4 + 26 * math.sqrt(total / largest),
            color="#fff",
            weight=1,
            fill_color=_AGGREGATE_COLOUR,
            fill_opacity=0.7,
            popup=folium.Popup(popup, parse_html=False, max_width=300),
            tooltip=folium.Tooltip(escape_text(f"{name}: {total:,} events")),
        ).add_to(group)
    return len(by_region)


# --- panels -----------------------------------------------------------------


def _legend_html(drawn: _Drawn, tier: MarkerTier) -> str:
    items: list[str] = []
    for kind, count in drawn.kinds.items():
        items.append(f"<li>{icon_svg(kind, 16)}<span>{escape_text(_label(kind))} ({count:,})</span></li>")
    if drawn.approximate:
        items.append(f"<li>{icon_svg('other', 16, approximate=True)}<span>approximate location (hollow)</span></li>")
    if drawn.aggregate_regions:
        items.append(
            f'<li><svg width="16" height="16"><circle cx="8" cy="8" r="7" fill="{_AGGREGATE_COLOUR}" '
            f'fill-opacity=".7"/></svg><span>events per admin-1 region (area ∝ count)</span></li>'
        )
    if drawn.flows:
        colour = KIND_STYLE["displacement"].colour
        items.append(
            f'<li><svg width="16" height="16"><path d="M1 8h10" stroke="{colour}" stroke-width="3"/>'
            f'<path d="M15 8L9 4v8z" fill="{colour}"/></svg><span>flow (width ∝ log of people)</span></li>'
        )
    if drawn.areas:
        colour = KIND_STYLE["curfew"].colour
        items.append(
            f'<li><svg width="16" height="16"><rect x="1.5" y="1.5" width="13" height="13" fill="{colour}" '
            f'fill-opacity=".18" stroke="{colour}" stroke-width="1.5" stroke-dasharray="3 2"/></svg>'
            "<span>curfew / emergency area</span></li>"
        )
    if drawn.borders:
        items.append(
            f'<li><svg width="16" height="16"><path d="M0 8h16" stroke="{_BORDER_COLOUR}" stroke-width="3.5" '
            'stroke-dasharray="5 3"/></svg><span>border named in the story</span></li>'
        )
    if not items:
        items.append("<li>no located events</li>")
    note = " · clustered" if tier == "cluster" else ""
    return f'<div class="gm-box gm-legend" id="geomap-legend"><h2>Legend{note}</h2><ul>{"".join(items)}</ul></div>'


_CONTEXT_FLAGS = ("background", "planned", "toll")


def _without_context(events: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Split off background, planned and toll events: kept in exports, listed on the map, never drawn."""
    flags = [c for c in _CONTEXT_FLAGS if c in events.columns]
    if not flags or not len(events):
        return events, []
    mask = events[flags].fillna(False).astype(bool).any(axis=1)
    return events[~mask], _records(events[mask])


def _context_html(rows: list[dict[str, Any]]) -> str:
    """List background, planned and toll events in a closed panel (they are not today's incidents)."""
    if not rows:
        return ""
    items = []
    for row in rows[:_MAX_UNLOCATED_LISTED]:
        what = next((flag for flag in _CONTEXT_FLAGS if row.get(flag) is True), "background")
        where = _text(row.get("location_name")) or "no place"
        date = _text(row.get("event_date")) or "no date"
        evidence = _text(row.get("evidence"))
        excerpt = evidence if len(evidence) <= 140 else evidence[:140] + " …"
        items.append(
            f"<li><i>{escape_text(what)}</i> · <b>{escape_text(_label(_kind_of(row)))}</b> · {escape_text(where)}"
            f" · {escape_text(date)} · <q>{escape_text(excerpt)}</q></li>"
        )
    more = len(rows) - _MAX_UNLOCATED_LISTED
    if more > 0:
        items.append(f"<li>… and {more:,} more</li>")
    return (
        '<details class="gm-box gm-unlocated gm-context" id="geomap-context">'
        f"<summary>Background, plans and tolls, not drawn ({len(rows):,})</summary>"
        f"<ol>{''.join(items)}</ol></details>"
    )


def _unlocated_html(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    items = []
    for row in rows[:_MAX_UNLOCATED_LISTED]:
        kind = _kind_of(row)
        date = _text(row.get("event_date")) or "no date"
        evidence = _text(row.get("evidence"))
        excerpt = evidence if len(evidence) <= 140 else evidence[:140] + " …"
        reason = _text(row.get("unlocated_reason"))
        items.append(
            f"<li><b>{escape_text(_label(kind))}</b> · {escape_text(date)} · <q>{escape_text(excerpt)}</q>"
            + (f" <i>({escape_text(reason)})</i>" if reason else "")
            + "</li>"
        )
    more = len(rows) - _MAX_UNLOCATED_LISTED
    if more > 0:
        items.append(f"<li>… and {more:,} more</li>")
    return (
        '<details class="gm-box gm-unlocated" id="geomap-unlocated" open>'
        f"<summary>Not located ({len(rows):,})</summary>"
        f"<ol>{''.join(items)}</ol></details>"
    )


def _title_html(title: str, subtitle: str, dates: list[str]) -> str:
    slider = ""
    if len(dates) > 1:
        slider = (
            '<div class="gm-time"><label for="geomap-time">Date </label>'
            f'<input type="range" id="geomap-time" min="0" max="{len(dates)}" step="1" value="0"> '
            '<span id="geomap-time-label">all dates</span><br>'
            '<select id="geomap-time-mode" aria-label="what the date shows">'
            '<option value="window" selected>window of</option><option value="cumulative">up to the date</option>'
            '</select> <input type="number" id="geomap-window" min="1" value="1" aria-label="days"> days '
            '<button type="button" id="geomap-play">play</button></div>'
        )
    return (
        f'<div class="gm-box gm-title" id="geomap-title"><h1>{escape_text(title)}</h1>'
        f'<div class="gm-sub">{escape_text(subtitle)}</div>{slider}</div>'
    )


# --- self-contained output --------------------------------------------------


def _inline_js(name: str) -> str:
    from geomap.assets import load_asset

    code = _SOURCE_MAP.sub("", load_asset(name))
    if re.search(r"</script", code, re.IGNORECASE):
        msg = f"Asset {name} contains '</script' and cannot be inlined; rebuild data/assets."
        raise WebmapError(msg)
    return f"<script>/* {name} (inlined by geomap) */\n{code}</script>"


def _inline_css(name: str) -> str:
    from geomap.assets import load_asset

    code = _SOURCE_MAP.sub("", load_asset(name))
    if re.search(r"</style", code, re.IGNORECASE):
        msg = f"Asset {name} contains '</style' and cannot be inlined; rebuild data/assets."
        raise WebmapError(msg)
    return f"<style>/* {name} (inlined by geomap) */\n{code}</style>"


def external_urls(page: str) -> list[str]:
    """
    Return the network URLs a page refers to in ``src``, ``href`` and CSS ``url()``.

    Parameters
    ----------
    page
        HTML text (inline scripts included).

    Returns
    -------
    list of str
        Absolute ``http(s)://`` or protocol-relative URLs, in order of appearance.

    Examples
    --------
    >>> external_urls('<script src="https://x/a.js"></script><a href="#y">y</a><i style="b:url(//z/i.png)">')
    ['https://x/a.js', '//z/i.png']
    """
    return [m.group(1) or m.group(2) for m in _EXTERNAL.finditer(page)]


def _make_self_contained(page: str, basemap: Basemap) -> str:
    """Inline the pinned assets in place of their CDN links and check that nothing external is left."""

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if url not in _ASSET_URLS:
            msg = f"Unexpected external script {url!r} in the map; only {', '.join(_ASSET_URLS)} can be inlined."
            raise WebmapError(msg)
        return _inline_js(_ASSET_URLS[url])

    def stylesheet(match: re.Match[str]) -> str:
        url = match.group(1)
        if url not in _ASSET_URLS:
            msg = f"Unexpected external stylesheet {url!r} in the map; only {', '.join(_ASSET_URLS)} can be inlined."
            raise WebmapError(msg)
        return _inline_css(_ASSET_URLS[url])

    page = _SCRIPT_SRC.sub(script, page)
    page = _CSS_LINK.sub(stylesheet, page)
    allowed = set(_ATTRIBUTION_URLS)
    if basemap == "tiles":
        allowed.add(_OSM_TILES)
    left = sorted(set(external_urls(page)) - allowed)
    if left:
        msg = f"The map still refers to external resources: {', '.join(left)}."
        raise WebmapError(msg)
    return page


# --- entry point ------------------------------------------------------------


def _in_crs4326(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _kind_order(kinds: set[str], area_kinds: set[str]) -> list[str]:
    """Kinds with areas first (their polygons are drawn under the rest), then :data:`KIND_STYLE` order, then others."""
    known = list(KIND_STYLE)

    def key(kind: str) -> tuple[int, int, str]:
        return (0 if kind in area_kinds else 1, known.index(kind) if kind in KIND_STYLE else len(known), kind)

    return sorted(kinds, key=key)


def _split_events(
    events: gpd.GeoDataFrame,
) -> tuple[list[tuple[dict[str, Any], float, float]], list[_Shape], list[dict[str, Any]]]:
    """Return the point events as (row, lat, lon), the flows and areas, and the unlocated events."""
    points: list[tuple[dict[str, Any], float, float]] = []
    shapes: list[_Shape] = []
    unlocated: list[dict[str, Any]] = []
    for row, geometry in zip(_records(events), events.geometry, strict=True):
        if not _has_geometry(geometry):
            unlocated.append(row)
            continue
        role = _geometry_role(geometry)
        if role == "point":
            seat = geometry if geometry.geom_type == "Point" else geometry.representative_point()
            points.append((row, float(seat.y), float(seat.x)))  # shapely gives x = lon, y = lat
        else:
            shapes.append((row, geometry, role))
    return points, shapes, unlocated


def _row_point(row: dict[str, Any], geometry: BaseGeometry) -> tuple[float, float]:
    """Return (lat, lon) of a flow's or an area's event: its place when known, else its geometry's seat."""
    lat, lon = _number(row.get("lat")), _number(row.get("lon"))
    if lat is not None and lon is not None:
        return lat, lon
    return _shape_seat(geometry)


def _shape_seat(geometry: BaseGeometry) -> tuple[float, float]:
    """Return (lat, lon) where a flow starts or an area has its representative point."""
    seat = geometry.interpolate(0.0) if geometry.geom_type == "LineString" else geometry.representative_point()
    return float(seat.y), float(seat.x)  # shapely gives x = lon, y = lat


def _new_map() -> folium.Map:
    import folium

    fmap = folium.Map(location=None, tiles=None, prefer_canvas=True, max_zoom=_MAX_ZOOM, control_scale=True)
    # folium hands max_zoom only to a tile layer; markercluster needs it on the map ("Map has no maxZoom specified").
    fmap.options["maxZoom"] = _MAX_ZOOM
    # Pin the assets to the versions in geomap.assets; no bootstrap, awesome-markers or font icons are used.
    fmap.default_js = [("leaflet", _LEAFLET_JS), ("jquery", _JQUERY_JS)]
    fmap.default_css = [("leaflet_css", _LEAFLET_CSS)]
    return fmap


def _use_markercluster(fmap: folium.Map) -> None:
    fmap.default_js.append(("markercluster", f"{_MARKERCLUSTER_CDN}/leaflet.markercluster.js"))
    fmap.default_css.append(("markercluster_css", f"{_MARKERCLUSTER_CDN}/MarkerCluster.css"))
    fmap.default_css.append(("markercluster_default_css", f"{_MARKERCLUSTER_CDN}/MarkerCluster.Default.css"))


def _border_group(borders: gpd.GeoDataFrame) -> tuple[folium.FeatureGroup | None, int]:
    """Return a layer of the shared borders named in the stories (None without any) and how many it holds."""
    import folium

    group = folium.FeatureGroup(name="Borders named")
    drawn = 0
    for record, geometry in zip(_records(borders), borders.geometry, strict=True):
        if not _has_geometry(geometry):
            continue
        label = f"{_text(record.get('text'))} ({_text(record.get('country_a'))}–{_text(record.get('country_b'))})"
        folium.GeoJson(
            _rounded_collection([geometry]),
            style_function=lambda _: {"color": _BORDER_COLOUR, "weight": 4.5, "dashArray": "10 7", "opacity": 0.9},
            tooltip=folium.Tooltip(escape_text(label)),
        ).add_to(group)
        drawn += 1
    return (group if drawn else None), drawn


def _place_group(places: gpd.GeoDataFrame) -> folium.FeatureGroup | None:
    """Return a layer of small dots at the places the stories name literally (metonymic ones left out)."""
    import folium

    if "metonymic" in places:
        places = places[~places["metonymic"].fillna(False).astype(bool)]
    group = folium.FeatureGroup(name="Places named")
    drawn = 0
    # A few places are labelled on the map; many would bury the events, so then the names show on hover.
    permanent = len(places) <= PLACE_LABELS_MAX
    for record, geometry in zip(_records(places), places.geometry, strict=True):
        if not _has_geometry(geometry):
            continue
        seat = geometry if geometry.geom_type == "Point" else geometry.representative_point()
        folium.CircleMarker(
            [seat.y, seat.x],  # shapely gives x = lon, y = lat
            radius=3,
            color="#333",
            weight=1,
            fill=True,
            fill_color="#fff",
            fill_opacity=1.0,
            tooltip=folium.Tooltip(
                escape_text(_text(record.get("name"))),
                permanent=permanent,
                direction="right",
                offset=(6, 0),
                class_name="geomap-label",
            ),
        ).add_to(group)
        drawn += 1
    return group if drawn else None


def _build_map(layers: Layers, title: str, basemap: Basemap, deferred: _Deferred) -> folium.Map:
    import folium

    events = _in_crs4326(layers.events)
    borders = _in_crs4326(layers.borders)
    events, context = _without_context(events)
    points, shapes, unlocated = _split_events(events)
    border_layer, n_borders = _border_group(borders)
    located_geoms = [g for g in events.geometry if _has_geometry(g)]
    bounds = view_bounds(located_geoms + [g for g in borders.geometry if _has_geometry(g)], events)

    fmap = _new_map()
    if bounds is None:
        fmap.fit_bounds([[-50.0, -150.0], [70.0, 160.0]])
    else:
        lon_min, lat_min, lon_max, lat_max = bounds
        fmap.fit_bounds([[lat_min, lon_min], [lat_max, lon_max]], padding=(30, 30), max_zoom=_FIT_MAX_ZOOM)
    drew_countries, _ = _add_basemap(fmap, basemap, bounds)

    tier = marker_tier(len(points))
    if tier == "aggregate":
        # Counting per region: flows and areas count at their seat too.
        points += [(row, *_shape_seat(geometry)) for row, geometry, _ in shapes]
        shapes = []
    located_dates = {_text(row.get("event_date")) for row, _, _ in points} | {
        _text(r.get("event_date")) for r, _, _ in shapes
    }
    dates = sorted(located_dates - {""})
    date_index = {date: i for i, date in enumerate(dates)}

    point_kinds = Counter(_kind_of(r) for r, _, _ in points) if tier != "aggregate" else Counter()
    counted = point_kinds + Counter(_kind_of(r) for r, _, _ in shapes)
    area_kinds = {_kind_of(r) for r, _, role in shapes if role == "area"}
    order = _kind_order(set(counted), area_kinds)
    groups = {kind: folium.FeatureGroup(name=escape_text(_label(kind))) for kind in order}
    drawn = _Drawn(kinds={kind: counted[kind] for kind in order}, borders=n_borders)

    # Layer order: kinds with areas, then borders, then the other kinds (a canvas paints in the order layers come).
    for kind in order:
        if border_layer is not None and kind not in area_kinds:
            border_layer.add_to(fmap)
            border_layer = None
        groups[kind].add_to(fmap)
    if border_layer is not None:
        border_layer.add_to(fmap)

    for row, geometry, role in sorted(shapes, key=lambda item: item[2] != "area"):
        kind = _kind_of(row)
        popup = _with_fused(_popup_html(_popup_parts(row)), row)
        date = date_index.get(_text(row.get("event_date")), -1)
        group = groups[kind]
        if role == "flow":
            tip = escape_text(f"{_label(kind)}: {_text(row.get('origin'))} → {_text(row.get('destination'))}")
            names = _add_flow(group, row, geometry, popup, tip)
            drawn.flows += 1
        else:
            tip = escape_text(f"{_label(kind)}: {_text(row.get('location_name')) or 'area'}")
            names = [_add_area(group, row, geometry, popup, tip)]
            drawn.areas += 1
        drawn.timed.extend((group.get_name(), name, date) for name in names)

    if tier == "individual":
        # Every located event gets a marker, areas and flows too (at their place and origin), so each one can be
        # clicked and the legend's icons are all on the map.
        points = points + [(row, *_row_point(row, geometry)) for row, geometry, _ in shapes]
        spots = Counter((round(lat, 4), round(lon, 4)) for _, lat, lon in points)
        for row, lat, lon in points:
            kind = _kind_of(row)
            popup = _with_fused(_popup_html(_popup_parts(row)), row)
            tip = escape_text(f"{_label(kind)}: {_text(row.get('location_name'))}")
            name = _add_point(groups[kind], row, lat, lon, popup, tip)
            drawn.timed.append((groups[kind].get_name(), name, date_index.get(_text(row.get("event_date")), -1)))
            drawn.approximate = drawn.approximate or (_number(row.get("geo_precision")) or 1.0) >= 2
        if spots and max(spots.values()) > 1:
            # Never fixed pixel offsets: events sharing a place open from one cluster, wherever the zoom.
            _use_markercluster(fmap)
            point_groups = ", ".join(groups[kind].get_name() for kind in order)
            fmap.add_child(_macro(deferred, js=_GROUP_JS % {"map": fmap.get_name(), "groups": point_groups}))
    elif tier in {"cluster", "canvas"}:
        if tier == "cluster":
            _use_markercluster(fmap)
        point_order = [kind for kind in order if point_kinds[kind]]
        fmap.add_child(_bulk_points(groups, point_order, points, tier, date_index, deferred))
    else:
        drawn.aggregate_regions = _aggregate(fmap, points)
        drawn.kinds = {k: v for k, v in drawn.kinds.items() if v}
        dates = []
    if tier != "aggregate" and (place_layer := _place_group(_in_crs4326(layers.places))) is not None:
        place_layer.add_to(fmap)

    all_dates = sorted({_text(d) for d in events.get("event_date", [])} - {""})
    span = f"{all_dates[0]} – {all_dates[-1]}" if len(all_dates) > 1 else (all_dates[0] if all_dates else "no dates")
    subtitle = f"{len(events):,} events · {len(located_geoms):,} located · {span}"
    panels = (
        _title_html(title, subtitle, dates)
        + _legend_html(drawn, tier)
        + _unlocated_html(unlocated)
        + _context_html(context)
        + _sources_panel_html(_records(events) if "sources" in events.columns else [])
    )
    css = _CSS + (f".leaflet-container{{background:{_SEA}}}" if drew_countries else "")
    attribution = (
        f"{fmap.get_name()}.attributionControl.addAttribution({_safe_json(ATTRIBUTION)});"
        # An open popup is never hidden behind the title, legend or panels: they fade and let clicks through.
        f"{fmap.get_name()}.on('popupopen', function () {{ document.body.classList.add('gm-popup-open'); }});"
        f"{fmap.get_name()}.on('popupclose', function () {{ document.body.classList.remove('gm-popup-open'); }});"
    )
    fmap.add_child(_macro(deferred, css=css, markup=panels, js=attribution))
    if len(dates) > 1:
        entries = ", ".join(f"[{group}, {layer}, {date}]" for group, layer, date in drawn.timed)
        fmap.add_child(_macro(deferred, js=_SLIDER_JS % {"dates": _safe_json(dates), "entries": entries}))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _prepared_map(layers: Layers, title: str | None, basemap: Basemap) -> tuple[folium.Map, _Deferred]:
    """Check the basemap, build the map with its page title, and return it with its deferred texts."""
    if basemap not in BASEMAPS:
        msg = f"Unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}."
        raise InputError(msg)
    _require_folium()
    from branca.element import Figure

    map_title = title or layers.title or "geomap"
    deferred = _Deferred()
    fmap = _build_map(layers, map_title, basemap, deferred)
    root = fmap.get_root()
    if isinstance(root, Figure):
        root.title = escape_text(map_title)
    return fmap, deferred


def to_folium(layers: Layers, *, title: str | None = None, basemap: Basemap = "vector") -> folium.Map:
    """
    Return the interactive map as a :class:`folium.Map`, to show in a notebook or customise.

    The map is the one :func:`render_html` writes: rendering it (``_repr_html_``, ``save``) fills in
    the event data and inlines Leaflet from ``data/assets`` as the HTML file does, so it works offline.

    Parameters
    ----------
    layers
        Events, places and borders in EPSG:4326.
    title
        Title shown on the map; default ``layers.title``, else ``"geomap"``.
    basemap
        As for :func:`render_html`.

    Returns
    -------
    folium.Map
        Add layers or controls to it as to any folium map.
    """
    from branca.element import Figure

    with _counter_ids():
        fmap, deferred = _prepared_map(layers, title, basemap)
    root = fmap.get_root()
    if isinstance(root, Figure):
        plain_render = root.render

        def render(**kwargs: Any) -> str:
            return _make_self_contained(deferred.fill(plain_render(**kwargs)), basemap)

        root.render = render  # type: ignore[method-assign]
    return fmap


def render_html(
    layers: Layers,
    path: Path,
    *,
    title: str | None = None,
    basemap: Basemap = "vector",
    self_contained: bool = True,
) -> Path:
    """
    Write an interactive HTML map of the event layers.

    Parameters
    ----------
    layers
        Events, places and borders in EPSG:4326 (other CRSs are reprojected).
    path
        Output file; must end in ``.html`` or ``.htm``. Parent folders are created.
    title
        Title shown on the map; default ``layers.title``, else ``"geomap"``.
    basemap
        ``"vector"``: Natural Earth countries and nearby admin-1 outlines from
        ``data/``; ``"tiles"``: the same with OpenStreetMap tiles on top (they
        need a network); ``"none"``: no basemap.
    self_contained
        Inline Leaflet, Leaflet.markercluster and jQuery from ``data/assets`` so
        the file works offline; ``False`` links them from jsDelivr instead.

    Returns
    -------
    Path
        ``path``. The same input always gives byte-identical HTML.

    Raises
    ------
    InputError
        When the suffix or the basemap is not supported.
    FoliumMissingError
        When folium is not installed.
    GazetteerError
        When the boundary files or offline assets are missing from ``data/``.
    WebmapError
        When an external resource would remain in a self-contained file.
    """
    if path.suffix.lower() not in {".html", ".htm"}:
        msg = f"render_html writes .html files, got {path.name!r}; use a name ending in .html."
        raise InputError(msg)
    with _counter_ids():
        fmap, deferred = _prepared_map(layers, title, basemap)
        page = fmap.get_root().render()
    page = deferred.fill(page)
    if self_contained:
        page = _make_self_contained(page, basemap)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, page)
    logger.info("wrote %s (%d bytes, basemap %s)", path, len(page.encode("utf-8")), basemap)
    return path
