"""
Static PNG maps of the event layers, for reports.

:func:`render_png` draws a :class:`geomap.layers.Layers` bundle on an A4-wide
figure with matplotlib's Agg backend only (no pyplot, no tiles, no network):

* basemap from Natural Earth (:func:`geomap.boundaries.load_countries` land
  and country outlines, light admin-1 outlines from
  :func:`geomap.boundaries.load_admin1`), lon/lat plate carrée with the aspect
  corrected by ``1 / cos(mid-latitude)``;
* curfew / emergency areas hatched, shared borders bold and dashed,
  displacement flows as arrows whose width grows with the log of the count,
  event points with a marker per kind (:data:`KIND_STYLE`) sized by deaths;
* place and country labels with a white halo, placed greedily so they do not
  overlap markers, each other, the scale bar or the north arrow;
* beside the map: a locator inset, the legend (only what is drawn) and a
  note on events that could not be located; a scale bar in km, the title and
  the attribution line.

The PNG is byte-identical on rerun: no timestamp or software version is written.
"""

from __future__ import annotations

import logging
import math
import textwrap
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from geomap.atomic import replacing
from geomap.errors import GeomapError, InputError
from geomap.layers import cell_text as _text
from geomap.layers import view_bounds
from geomap.styles import BORDER_COLOUR, PALETTE

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import geopandas as gpd
    import numpy as np
    import numpy.typing as npt
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.patches import Patch
    from matplotlib.path import Path as MplPath
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox
    from shapely.geometry.base import BaseGeometry

    from geomap.layers import Layers

__all__ = [
    "ATTRIBUTION",
    "BORDER_STYLE",
    "FIGSIZE",
    "KIND_STYLE",
    "MatplotlibMissingError",
    "draw_map",
    "render_png",
]

logger = logging.getLogger(__name__)

FIGSIZE: tuple[float, float] = (8.3, 6.0)
"""Figure size in inches (A4 width, landscape-ish map)."""

ATTRIBUTION = "Boundaries: Natural Earth (public domain) · Places: GeoNames (CC BY 4.0) · geomap"
"""Credit line printed under every map."""

_MARKERS: dict[str, str] = {
    "killed": "X",
    "injured": "d",
    "riots": "o",
    "clashes": "D",
    "attack": "*",
    "protest": "p",
    "arrests": "s",
    "arson": "^",
    "looting": "s",
    "curfew": "H",
    "state_of_emergency": "h",
    "deadly_force": "v",
    "displacement": ">",
    "troop_request": "<",
    "aid": "P",
    "meeting": "8",
    "referendum": "p",
    "other": "o",
}
"""Event kind -> matplotlib marker."""

KIND_STYLE: dict[str, tuple[str, str, str]] = {
    kind: (marker, PALETTE[kind].colour, PALETTE[kind].label) for kind, marker in _MARKERS.items()
}
"""Event kind -> (matplotlib marker, colour, legend label), in the spirit of OCHA's humanitarian icons:
violence red, fire orange, looting brown, curfew purple, displacement blue, aid green, politics grey/black."""

BORDER_STYLE: dict[str, Any] = {"color": BORDER_COLOUR, "linewidth": 2.4, "linestyle": (0, (5, 2.5))}
"""Line style of shared borders named in the story (bold, dashed, teal: no event kind uses it)."""

_BORDER_LABEL = "border"

_AREA_LABEL = "curfew/emergency area"
_EMERGENCY_KINDS = frozenset({"curfew", "state_of_emergency"})
_SEA = "#dce9f2"
_LAND = "#f3f0e8"
_COUNTRY_EDGE = "#8c8c8c"
_ADMIN_EDGE = "#c9c3b8"
_TEXT = "#222222"
_MUTED = "#6b6b6b"

# Figure layout, in figure fractions: map on the left, a side panel on the right.
_MAP_RECT = (0.015, 0.075, 0.70, 0.815)
_INSET_RECT = (0.735, 0.575, 0.25, 0.315)
_PANEL_X = 0.735
_LEGEND_TOP = 0.555

_Spot = tuple[float, float, Literal["left", "center", "right"], Literal["bottom", "center", "top"]]
"""A label position: (dx, dy) offset from the anchor, horizontal and vertical alignment."""

_BESIDE: tuple[_Spot, ...] = (
    (-1.0, 0.0, "right", "center"),
    (1.0, 0.0, "left", "center"),
    (-0.8, 0.8, "right", "bottom"),
    (0.8, 0.8, "left", "bottom"),
    (-0.8, -0.8, "right", "top"),
    (0.8, -0.8, "left", "top"),
)
"""Label spots beside a line's midpoint, sideways first."""
_CENTRED: tuple[_Spot, ...] = tuple(
    (dx, dy, "center", "center") for dx, dy in ((0, 0), (0, 2.5), (0, -2.5), (3, 0), (-3, 0))
)
"""Label spots on and around a point (country names), in units of the gap."""
_MIN_SPAN_DEG = 3.0
_MAX_ADMIN1_SPAN_DEG = 30.0
_MAX_INSET_SPAN_DEG = 90.0
_ALWAYS_LABEL_PLACES = 12
_MAX_PLACE_LABELS = 30
_PAD_FRACTION = 0.12
_MAX_LAT = 85.0
_MIN_FLOW_INCHES = 0.55
_GLYPH_WARNING = r"Glyph .* missing from font"


class MatplotlibMissingError(GeomapError, ImportError):
    """matplotlib is not installed."""


@dataclass(frozen=True, slots=True)
class _Extent:
    """A lon/lat window; plate carrée with aspect ``1 / cos(mid_lat)``."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float

    @property
    def mid_lat(self) -> float:
        return (self.lat_min + self.lat_max) / 2.0

    @property
    def lon_span(self) -> float:
        return self.lon_max - self.lon_min

    @property
    def lat_span(self) -> float:
        return self.lat_max - self.lat_min

    @property
    def aspect(self) -> float:
        """Data aspect ratio (y unit / x unit) for matplotlib's ``set_aspect``."""
        return 1.0 / max(math.cos(math.radians(self.mid_lat)), 0.1)


@dataclass(frozen=True, slots=True)
class _Marker:
    lon: float
    lat: float
    kind: str
    size: float
    """Marker area in points²."""


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        msg = "render_png needs matplotlib; install it with: pip install 'matplotlib>=3.9,<3.11'."
        raise MatplotlibMissingError(msg) from err


def _number(value: Any) -> float | None:
    """Return a cell as a finite float, None for None/NaN/junk."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _style(kind: str) -> tuple[str, str, str]:
    r"""
    Return (marker, colour, legend label) of a kind; unknown kinds look like "other" but keep their name.

    Examples
    --------
    >>> _style("state_of_emergency")
    ('h', '#40004b', 'state of emergency')
    >>> print(_style("price_$hock")[2])
    price \$hock
    """
    if kind in KIND_STYLE:
        return KIND_STYLE[kind]
    marker, colour, label = KIND_STYLE["other"]
    # Legend text goes through mathtext: escape dollars in a name that came from the data.
    return marker, colour, kind.replace("_", " ").replace("$", r"\$") or label


def _nice_length(target: float) -> float:
    """
    Round a length down to 1, 2 or 5 times a power of ten.

    Parameters
    ----------
    target
        A positive length.

    Returns
    -------
    float
        The largest 1/2/5×10^n not above ``target``.

    Examples
    --------
    >>> [_nice_length(x) for x in (0.8, 7.0, 130.0, 4999.0)]
    [0.5, 5.0, 100.0, 2000.0]
    """
    exponent = math.floor(math.log10(target))
    base = 10.0**exponent
    for step in (5.0, 2.0, 1.0):
        if step * base <= target:
            return step * base
    return base  # pragma: no cover - target >= base always


def _format_km(length: float) -> str:
    """
    Format a scale-bar length.

    Examples
    --------
    >>> _format_km(200.0), _format_km(0.5), _format_km(10000.0)
    ('200 km', '0.5 km', '10,000 km')
    """
    return f"{length:,g} km"


def _in_crs4326(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _has_geometry(geometry: Any) -> bool:
    return geometry is not None and not geometry.is_empty


def _located(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the events to draw: located, and neither background, planned nor a toll (those stay in exports)."""
    geometry = events.geometry
    return events[~(geometry.isna() | geometry.is_empty) & ~_context_mask(events)]


# --- extent -----------------------------------------------------------------


def _fit_extent(bounds: tuple[float, float, float, float] | None, box_ratio: float) -> _Extent:
    """
    Pad the bounds, enforce a minimum span and match the axes' height/width ratio.

    Parameters
    ----------
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)``, or None for a world view.
    box_ratio
        Height / width of the map axes on the page.

    Returns
    -------
    _Extent
        The view window.

    Examples
    --------
    >>> e = _fit_extent((72.8, 40.5, 72.8, 40.5), 1.0)
    >>> round(e.lat_span, 2), round(e.lon_span * math.cos(math.radians(e.mid_lat)), 2)
    (3.0, 3.0)
    """
    if bounds is None:
        bounds = (-180.0, -58.0, 180.0, 78.0)
        pad = 0.0
    else:
        pad = _PAD_FRACTION
    lon_min, lat_min, lon_max, lat_max = bounds
    mid_lon, mid_lat = (lon_min + lon_max) / 2.0, (lat_min + lat_max) / 2.0
    cos_lat = max(math.cos(math.radians(mid_lat)), 0.1)
    lat_span = max((lat_max - lat_min) * (1 + 2 * pad), _MIN_SPAN_DEG)
    lon_span = max((lon_max - lon_min) * (1 + 2 * pad), _MIN_SPAN_DEG / cos_lat)
    # On the page, a degree of longitude is cos(lat) as wide as a degree of latitude.
    if lat_span / (lon_span * cos_lat) < box_ratio:
        lat_span = box_ratio * lon_span * cos_lat
    else:
        lon_span = lat_span / (box_ratio * cos_lat)
    lon_span = min(lon_span, 360.0)
    lat_span = min(lat_span, 2 * _MAX_LAT)
    lat_lo = min(max(mid_lat - lat_span / 2.0, -_MAX_LAT), _MAX_LAT - lat_span)
    lon_lo = min(max(mid_lon - lon_span / 2.0, -180.0), 180.0 - lon_span)
    return _Extent(lon_lo, lon_lo + lon_span, lat_lo, lat_lo + lat_span)


# --- geometry -> matplotlib -------------------------------------------------


def _unwrap_ring(coords: npt.NDArray[np.float64], *, closed: bool) -> list[npt.NDArray[np.float64]]:
    """
    Remove antimeridian jumps from a lon/lat vertex array.

    Natural Earth's Russia, Fiji and Antarctica have edges from +180 to -180. The
    vertices are shifted by 360° after each jump, and a copy shifted the other way
    is added so both sides of a view see the shape. A closed ring that circles a
    pole (an odd number of jumps) is closed along that pole.

    Examples
    --------
    >>> import numpy as np
    >>> parts = _unwrap_ring(np.array([[179.0, 1.0], [-179.0, 1.0], [-179.0, 0.0], [179.0, 0.0]]), closed=True)
    >>> [part[:, 0].tolist() for part in parts]
    [[179.0, 181.0, 181.0, 179.0], [-181.0, -179.0, -179.0, -181.0]]
    """
    import numpy as np

    dx = np.diff(coords[:, 0])
    if not (np.abs(dx) > 180.0).any():
        return [coords]
    shift = np.concatenate([[0.0], np.cumsum(np.where(np.abs(dx) > 180.0, -360.0 * np.sign(dx), 0.0))])
    unwrapped = coords.copy()
    unwrapped[:, 0] += shift
    if closed and shift[-1] != 0.0:
        pole = -90.0 if float(np.mean(coords[:, 1])) < 0 else 90.0
        ends = np.array([[unwrapped[-1, 0], pole], [unwrapped[0, 0], pole], unwrapped[0]])
        unwrapped = np.vstack([unwrapped, ends])
    other = unwrapped.copy()
    other[:, 0] += -360.0 if float(unwrapped[:, 0].max()) > 180.0 else 360.0
    return [unwrapped, other]


def _split_antimeridian(geometry: BaseGeometry) -> BaseGeometry:
    """Return a (multi)polygon cut at ±180° so that no edge jumps across the map."""
    import numpy as np
    import shapely
    from shapely.geometry import Polygon

    world = shapely.box(-180.0, -90.0, 180.0, 90.0)
    pieces = []
    for part in shapely.get_parts(geometry):
        shell = np.asarray(part.exterior.coords, dtype=float)[:, :2]
        copies = _unwrap_ring(shell, closed=True)
        if len(copies) == 1:
            pieces.append(part)
            continue
        # Only shells cross the antimeridian in Natural Earth; their holes (none today) are dropped.
        pieces.extend(shapely.make_valid(Polygon(c)).intersection(world) for c in copies)
    return shapely.make_valid(shapely.union_all(pieces))


@lru_cache(maxsize=1)
def _display_countries() -> gpd.GeoDataFrame:
    """Return the 50m countries with Russia, Fiji and Antarctica cut at the antimeridian."""
    import numpy as np
    import shapely

    from geomap.boundaries import load_countries

    frame = load_countries("50m").copy()
    crossing = [
        any(
            (np.abs(np.diff(np.asarray(p.exterior.coords)[:, 0])) > 180.0).any()
            for p in shapely.get_parts(g)
            if p.geom_type == "Polygon"
        )
        for g in frame.geometry
    ]
    frame.loc[crossing, "geometry"] = [_split_antimeridian(g) for g in frame.geometry[crossing]]
    return frame


def _polygon_path(geometry: BaseGeometry) -> MplPath | None:
    """Return a compound matplotlib Path of a (multi)polygon, holes wound opposite to shells."""
    import numpy as np
    import shapely
    from matplotlib.path import Path as MplPath

    oriented = shapely.orient_polygons(geometry)
    paths: list[MplPath] = []
    for part in shapely.get_parts(oriented):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        for ring in [part.exterior, *part.interiors]:
            coords = np.asarray(ring.coords, dtype=float)[:, :2]
            if len(coords) >= 3:
                paths.extend(MplPath(c, closed=True) for c in _unwrap_ring(coords, closed=True))
    return MplPath.make_compound_path(*paths) if paths else None


def _line_arrays(geometry: BaseGeometry) -> list[npt.NDArray[np.float64]]:
    """Return the vertex arrays of every line or ring in a geometry, antimeridian jumps removed."""
    import numpy as np
    import shapely

    arrays: list[npt.NDArray[np.float64]] = []
    for part in shapely.get_parts(geometry):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
        elif part.geom_type in {"LineString", "LinearRing"}:
            rings = [part]
        else:
            continue
        for ring in rings:
            coords = np.asarray(ring.coords, dtype=float)[:, :2]
            arrays.extend(_unwrap_ring(coords, closed=ring.geom_type == "LinearRing"))
    return arrays


def _clipped(frame: gpd.GeoDataFrame, extent: _Extent, margin: float) -> list[tuple[Any, BaseGeometry]]:
    """Return (row index, geometry clipped to the extent plus margin) for rows that reach the view."""
    import shapely

    box = (
        extent.lon_min - margin,
        max(extent.lat_min - margin, -90.0),
        extent.lon_max + margin,
        min(extent.lat_max + margin, 90.0),
    )
    hits = sorted(int(i) for i in frame.sindex.query(shapely.box(*box), predicate="intersects"))
    out = []
    for i in hits:
        clipped = shapely.clip_by_rect(frame.geometry.iloc[i], *box)
        if not clipped.is_empty:
            out.append((frame.index[i], clipped))
    return out


def _draw_land(
    ax: Axes, extent: _Extent, *, land: str = _LAND, edge: str, edge_width: float, zorder: float
) -> list[tuple[Any, BaseGeometry]]:
    """Fill land and outline countries; return the clipped (index, geometry) pairs drawn."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    countries = _display_countries()
    clipped = _clipped(countries, extent, margin=1.0)
    # Fill and outline whole shapes (the axes clip them): clipping would add the window's edges as coastlines.
    paths = [p for p in (_polygon_path(countries.geometry.loc[index]) for index, _ in clipped) if p is not None]
    if paths:
        path = MplPath.make_compound_path(*paths)
        ax.add_patch(PathPatch(path, facecolor=land, edgecolor="none", zorder=zorder))
    lines = [arr for index, _ in clipped for arr in _line_arrays(countries.geometry.loc[index])]
    ax.add_collection(LineCollection(lines, colors=edge, linewidths=edge_width, zorder=zorder + 0.2))
    return clipped


def _draw_admin1(ax: Axes, extent: _Extent, countries: list[tuple[Any, BaseGeometry]], zorder: float) -> None:
    """Draw admin-1 outlines inside countries, light and dashed.

    Natural Earth admin-1 (10m, simplified) and country (50m) lines differ by a few km;
    admin-1 lines near a country outline are dropped so borders do not look doubled.
    """
    import shapely
    from matplotlib.collections import LineCollection

    from geomap.boundaries import load_admin1

    if extent.lon_span > _MAX_ADMIN1_SPAN_DEG:
        return  # at continent scale admin-1 lines are clutter (and slow)
    admin1 = load_admin1()
    clipped = _clipped(admin1, extent, margin=0.5)
    if not clipped:
        return
    internal = shapely.union_all([shapely.boundary(g) for _, g in clipped])
    outlines = shapely.union_all([shapely.boundary(g) for _, g in countries]) if countries else None
    if outlines is not None and not outlines.is_empty:
        internal = internal.difference(outlines.buffer(0.012 * extent.lon_span))
    lines = _line_arrays(internal)
    if lines:
        ax.add_collection(
            LineCollection(lines, colors=_ADMIN_EDGE, linewidths=0.5, linestyles=(0, (3, 1.5)), zorder=zorder)
        )


def _set_view(ax: Axes, extent: _Extent) -> None:
    ax.set_xlim(extent.lon_min, extent.lon_max)
    ax.set_ylim(extent.lat_min, extent.lat_max)
    ax.set_aspect(extent.aspect, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(_SEA)
    ax.apply_aspect()


# --- labels -----------------------------------------------------------------


class _LabelPlacer:
    """Greedy label placement: try candidate offsets until a label overlaps nothing already placed."""

    _AROUND: tuple[_Spot, ...] = (
        (1.2, 0.0, "left", "center"),
        (1.0, 0.6, "left", "bottom"),
        (1.0, -0.6, "left", "top"),
        (-1.2, 0.0, "right", "center"),
        (-1.0, 0.6, "right", "bottom"),
        (-1.0, -0.6, "right", "top"),
        (0.0, 1.1, "center", "bottom"),
        (0.0, -1.1, "center", "top"),
    )

    def __init__(self, ax: Axes, renderer: RendererBase) -> None:
        self._ax = ax
        self._renderer = renderer
        self._frame = ax.get_window_extent(renderer)
        self._taken: list[tuple[float, float, float, float]] = []
        """Occupied display boxes as (x0, y0, x1, y1)."""
        self._px_per_pt = ax.figure.dpi / 72.0

    def block(self, bbox: Bbox) -> None:
        self._taken.append((bbox.x0, bbox.y0, bbox.x1, bbox.y1))

    def block_marker(self, lon: float, lat: float, radius_pt: float) -> None:
        x, y = (float(v) for v in self._ax.transData.transform((lon, lat)))
        r = radius_pt * self._px_per_pt
        self._taken.append((x - r, y - r, x + r, y + r))

    def _clash(self, bbox: Bbox) -> float:
        """Return how badly a box clashes: pixels² over other labels or markers, or outside the map."""
        import numpy as np

        outside = bbox.width * bbox.height - _overlap_area(bbox, self._frame)
        if not self._taken:
            return 4.0 * outside
        taken = np.asarray(self._taken)
        width = np.minimum(taken[:, 2], bbox.x1) - np.maximum(taken[:, 0], bbox.x0)
        height = np.minimum(taken[:, 3], bbox.y1) - np.maximum(taken[:, 1], bbox.y0)
        return 4.0 * outside + float((np.clip(width, 0, None) * np.clip(height, 0, None)).sum())

    def place(
        self,
        text: str,
        lon: float,
        lat: float,
        *,
        gap_pt: float,
        required: bool,
        candidates: Sequence[_Spot] | None = None,
        reach: Sequence[float] = (1.0,),
        **text_kw: Any,
    ) -> Annotation | None:
        """
        Place a halo'd label near a point; return it, or None when optional and nowhere free.

        ``candidates`` are (dx, dy, ha, va) with dx, dy in units of ``gap_pt`` points, tried
        at each distance factor in ``reach``. A required label nowhere free takes the spot
        with the least overlap.
        """
        from matplotlib import patheffects

        annotation = self._ax.annotate(
            text,
            (lon, lat),
            xytext=(0, 0),
            textcoords="offset points",
            annotation_clip=False,
            parse_math=False,
            path_effects=[patheffects.withStroke(linewidth=2.6, foreground="white")],
            **text_kw,
        )
        best: tuple[float, _Spot, Bbox] | None = None
        for factor in reach:
            for dx, dy, ha, va in candidates or self._AROUND:
                option: _Spot = (dx * gap_pt * factor, dy * gap_pt * factor, ha, va)
                bbox = self._try(annotation, option)
                clash = self._clash(bbox)
                if clash <= (2.0 * self._px_per_pt) ** 2:  # a corner of padding: invisible
                    self.block(bbox)
                    return annotation
                if best is None or clash < best[0]:
                    best = (clash, option, bbox)
        if not required or best is None:
            annotation.remove()
            return None
        self.block(self._try(annotation, best[1]))
        return annotation

    def _try(self, annotation: Annotation, option: _Spot) -> Bbox:
        dx, dy, ha, va = option
        annotation.xyann = (dx, dy)
        annotation.set_horizontalalignment(ha)
        annotation.set_verticalalignment(va)
        return annotation.get_window_extent(self._renderer).padded(1.5 * self._px_per_pt)


def _overlap_area(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


# --- map furniture ----------------------------------------------------------


def _corner_load(extent: _Extent, geoms: Sequence[BaseGeometry], corner: str) -> int:
    import shapely

    width, height = 0.32 * extent.lon_span, 0.16 * extent.lat_span
    x0 = extent.lon_min if "left" in corner else extent.lon_max - width
    y0 = extent.lat_min if "lower" in corner else extent.lat_max - height
    box = shapely.box(x0, y0, x0 + width, y0 + height)
    return sum(1 for g in geoms if g.intersects(box))


def _draw_scale_bar(ax: Axes, extent: _Extent, corner: str, zorder: float) -> list[Artist]:
    """Draw a two-segment km scale bar at the mid-latitude; return its artists."""
    from matplotlib import patheffects
    from matplotlib.patches import Rectangle
    from pyproj import Geod

    _, _, metres = Geod(ellps="WGS84").inv(0.0, extent.mid_lat, 1.0, extent.mid_lat)
    km_per_deg = max(float(metres) / 1000.0, 1e-6)
    length_km = _nice_length(extent.lon_span * km_per_deg / 4.0)
    length_deg = length_km / km_per_deg
    height = 0.011 * extent.lat_span
    x0 = extent.lon_min + 0.035 * extent.lon_span
    if corner == "lower right":
        x0 = extent.lon_max - 0.035 * extent.lon_span - length_deg
    y0 = extent.lat_min + 0.045 * extent.lat_span
    halo = [patheffects.withStroke(linewidth=2.6, foreground="white")]
    artists: list[Artist] = []
    for i in range(2):
        rect = Rectangle(
            (x0 + i * length_deg / 2.0, y0),
            length_deg / 2.0,
            height,
            facecolor=_TEXT if i == 0 else "white",
            edgecolor=_TEXT,
            linewidth=0.8,
            zorder=zorder,
        )
        ax.add_patch(rect)
        artists.append(rect)
    text_kw: dict[str, Any] = {"fontsize": 8, "color": _TEXT, "zorder": zorder, "path_effects": halo}
    artists.append(ax.text(x0, y0 + 1.8 * height, "0", ha="center", va="bottom", **text_kw))
    artists.append(
        ax.text(x0 + length_deg, y0 + 1.8 * height, _format_km(length_km), ha="center", va="bottom", **text_kw)
    )
    if extent.lat_span > 15.0:
        hemisphere = "N" if extent.mid_lat >= 0 else "S"
        note = f"scale true at {abs(extent.mid_lat):.0f}°{hemisphere}"
        artists.append(ax.text(x0, y0 - 0.8 * height, note, ha="left", va="top", **{**text_kw, "fontsize": 6.5}))
    return artists


def _draw_north_arrow(ax: Axes, corner: str, zorder: float) -> Annotation:
    from matplotlib import patheffects

    x = 0.955 if "right" in corner else 0.045
    return ax.annotate(
        "N",
        xy=(x, 0.965),
        xytext=(x, 0.885),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        color=_TEXT,
        zorder=zorder,
        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7", "color": _TEXT, "lw": 1.4},
        path_effects=[patheffects.withStroke(linewidth=2.6, foreground="white")],
    )


def _draw_inset(fig: Figure, extent: _Extent) -> Axes:
    """Draw the locator map: the surrounding region with the main view as a red rectangle."""
    from matplotlib.patches import Rectangle

    inset = fig.add_axes(_INSET_RECT, label="locator inset")
    box_ratio = _INSET_RECT[3] * fig.get_figheight() / (_INSET_RECT[2] * fig.get_figwidth())
    half = max(6.0 * extent.lon_span, 50.0) / 2.0
    mid_lon = (extent.lon_min + extent.lon_max) / 2.0
    region = (mid_lon - half, extent.mid_lat - 1.0, mid_lon + half, extent.mid_lat + 1.0)
    view = _fit_extent(region, box_ratio)
    _set_view(inset, view)
    inset.set_anchor("N")
    _draw_land(inset, view, land="#e2dccf", edge="white", edge_width=0.4, zorder=1)
    inset.add_patch(
        Rectangle(
            (extent.lon_min, extent.lat_min),
            extent.lon_span,
            extent.lat_span,
            facecolor="#d7301f33",
            edgecolor="#d7301f",
            linewidth=1.4,
            zorder=3,
        )
    )
    for spine in inset.spines.values():
        spine.set_edgecolor(_MUTED)
        spine.set_linewidth(0.6)
    return inset


# --- layers -----------------------------------------------------------------


def _marker_size(fatalities: Any) -> float:
    """
    Return a marker area (points²) growing with the square root of deaths.

    Examples
    --------
    >>> _marker_size(0), round(_marker_size(77))
    (55.0, 248)
    """
    deaths = max(_number(fatalities) or 0.0, 0.0)
    return 55.0 + 22.0 * math.sqrt(deaths)


def _count_line(text: Any, number: Any, what: str) -> str:
    wording = _text(text)
    if not wording:
        value = _number(number)
        if value is None or value <= 0:
            return ""
        wording = f"{value:,.0f}"
    return f"{wording} {what}"


def _flow_ends(geometry: BaseGeometry) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Return ((lon, lat) origin, (lon, lat) destination) of a flow line, or None if it is not a line."""
    lines = _line_arrays(geometry)
    if not lines or geometry.geom_type not in {"LineString", "MultiLineString"}:
        return None
    start, end = lines[0][0], lines[-1][-1]
    return (float(start[0]), float(start[1])), (float(end[0]), float(end[1]))


def _spread(ax: Axes, markers: list[_Marker]) -> list[_Marker]:
    """Fan out markers that share a location so each stays visible."""
    groups: dict[tuple[float, float], list[int]] = {}
    for i, m in enumerate(markers):
        groups.setdefault((round(m.lon, 3), round(m.lat, 3)), []).append(i)
    out = list(markers)
    px_per_pt = ax.figure.dpi / 72.0
    inverse = ax.transData.inverted()
    for members in groups.values():
        if len(members) < 2:
            continue
        radius_pt = max(math.sqrt(markers[i].size) / 2.0 for i in members) * 0.9 + 2.0
        for n, i in enumerate(members):
            m = markers[i]
            angle = math.pi / 2.0 + 2.0 * math.pi * n / len(members)
            x, y = ax.transData.transform((m.lon, m.lat))
            lon, lat = inverse.transform(
                (x + math.cos(angle) * radius_pt * px_per_pt, y + math.sin(angle) * radius_pt * px_per_pt)
            )
            out[i] = _Marker(float(lon), float(lat), m.kind, m.size)
    return out


def _arrow_style(displaced: Any) -> tuple[float, float]:
    """
    Return (line width, head scale) of a flow arrow from the displaced count, on a log scale.

    Examples
    --------
    >>> _arrow_style(None), _arrow_style(1000.0), _arrow_style(100_000.0)
    ((1.6, 9.0), (3.7, 13.7), (5.5, 20.4))
    """
    count = _number(displaced)
    if count is None or count < 10:
        return 1.6, 9.0
    width = round(1.0 + 0.9 * math.log10(count), 2)
    return width, round(max(9.0, 3.7 * width), 1)


def _legend_arrow(
    legend: Legend,
    orig_handle: Any,
    xdescent: float,
    ydescent: float,
    width: float,
    height: float,
    fontsize: float,
) -> Patch:
    from matplotlib.patches import FancyArrow

    return FancyArrow(
        -xdescent,
        height / 2.0 - ydescent,
        width,
        0.0,
        width=height * 0.28,
        head_width=height * 0.85,
        head_length=height * 0.7,
        length_includes_head=True,
    )


def _subtitle(events: gpd.GeoDataFrame, located: int) -> str:
    total = len(events)
    dates = sorted({_text(d) for d in events.get("event_date", [])} - {""})
    parts = [f"{total} event{'s' if total != 1 else ''}, {located} mapped"]
    if dates:
        parts.append(dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}")
    return " · ".join(parts)


def _context_mask(events: gpd.GeoDataFrame) -> Any:
    """Return which events are background, planned or a toll (kept in exports, not drawn)."""
    mask = events.geometry.isna() & False
    for flag in ("background", "planned", "toll"):
        if flag in events.columns:
            mask |= events[flag].fillna(False).astype(bool)
    return mask


def _unlocated_note(events: gpd.GeoDataFrame, located: int) -> str:
    if len(events) - located <= 0:
        return ""
    context = _context_mask(events)
    unlocated = events[(events.geometry.isna() | events.geometry.is_empty) & ~context]
    notes = []
    if len(unlocated):
        kinds = sorted({_style(_text(k) or "other")[2] for k in unlocated.get("kind", [])})
        note = f"{len(unlocated)} event{'s' if len(unlocated) != 1 else ''} not located"
        notes.append(f"{note} ({', '.join(kinds)})" if kinds else note)
    if int(context.sum()):
        n = int(context.sum())
        notes.append(f"{n} background, planned or toll event{'s' if n != 1 else ''} not drawn")
    return "; ".join(notes)


@dataclass(frozen=True, slots=True)
class _Flow:
    start: tuple[float, float]
    """(lon, lat) of the origin."""
    end: tuple[float, float]
    """(lon, lat) of the destination."""
    kind: str
    displaced: Any
    label: str


def _draw_area(ax: Axes, geometry: BaseGeometry, colour: str) -> bool:
    """Shade an area: pale fill, light hatch, solid edge. Return False when it has no polygon."""
    from matplotlib.patches import PathPatch

    path = _polygon_path(geometry)
    if path is None:
        return False
    rgb = _rgb(colour)
    ax.add_patch(PathPatch(path, facecolor=(*rgb, 0.10), edgecolor="none", zorder=4))
    hatch = PathPatch(path, facecolor="none", edgecolor=(*rgb, 0.45), hatch="//", linewidth=0.0, zorder=4.1)
    if hasattr(hatch, "set_hatch_linewidth"):  # matplotlib >= 3.10
        hatch.set_hatch_linewidth(0.7)
    ax.add_patch(hatch)
    ax.add_patch(PathPatch(path, facecolor="none", edgecolor=colour, linewidth=1.3, zorder=4.2))
    return True


def _draw_flow(
    ax: Axes, placer: _LabelPlacer, flow: _Flow, *, shrink_start: float, shrink_end: float
) -> tuple[float, float] | None:
    """
    Draw a flow arrow; block its path for labels; return its (lon, lat) midpoint, None if it has no length.

    ``shrink_start`` and ``shrink_end`` (points) keep the arrow off the markers at its ends.
    """
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    start_px = ax.transData.transform(flow.start)
    vector = ax.transData.transform(flow.end) - start_px
    length = float(np.hypot(*vector))
    if length == 0.0:
        logger.debug("Flow from %s has no length; not drawn.", flow.start)
        return None
    # A move of a few km is invisible at country scale: keep the direction, lengthen to a readable arrow.
    min_px = _MIN_FLOW_INCHES * ax.figure.dpi
    stretch = max(1.0, min_px / length)
    end_px = start_px + vector * stretch
    end_lon, end_lat = (float(v) for v in ax.transData.inverted().transform(end_px))
    width, head = _arrow_style(flow.displaced)
    _, colour, _ = _style(flow.kind)
    ax.add_patch(
        FancyArrowPatch(
            flow.start,
            (end_lon, end_lat),
            arrowstyle="-|>,head_length=0.6,head_width=0.35",
            mutation_scale=head,
            linewidth=width,
            color=colour,
            shrinkA=shrink_start,
            shrinkB=shrink_end if stretch == 1.0 else 0.0,
            connectionstyle="arc3,rad=0.12",
            zorder=6,
        )
    )
    for t in np.linspace(0.0, 1.0, 9):
        lon, lat = ax.transData.inverted().transform(start_px + (end_px - start_px) * t)
        placer.block_marker(float(lon), float(lat), width / 2.0 + head / 4.0)
    return (flow.start[0] + end_lon) / 2.0, (flow.start[1] + end_lat) / 2.0


@dataclass(slots=True)
class _PlaceNote:
    """What a place label says, and how much it matters."""

    lon: float
    lat: float
    deaths: float = 0.0
    events: int = 0
    tolls: dict[str, tuple[float, str]] = field(default_factory=dict)
    """'killed'/'injured' -> (best estimate, wording) of the largest toll reported there."""

    def add(self, row: Any) -> None:
        self.events += 1
        self.deaths += max(_number(getattr(row, "fatalities", 0)) or 0.0, 0.0)
        for what in ("killed", "injured"):
            line = _count_line(getattr(row, f"{what}_text", ""), getattr(row, what, None), what)
            value = _number(getattr(row, what, None)) or 0.0
            if line and (what not in self.tolls or value > self.tolls[what][0]):
                self.tolls[what] = (value, line)

    def text(self, name: str) -> str:
        return "\n".join([name, *(self.tolls[w][1] for w in ("killed", "injured") if w in self.tolls)])


@dataclass(frozen=True, slots=True)
class _Drawn:
    """Legend entries for what was drawn, and how many places got a label."""

    handles: list[Artist]
    labels: list[str]
    places: int
    labelled: int


def _draw_events(ax: Axes, placer: _LabelPlacer, events: gpd.GeoDataFrame) -> _Drawn:
    """Draw areas, flows, points and their labels; return the legend entries for what was drawn."""
    import numpy as np

    area_kinds: list[str] = []
    deaths_at: dict[tuple[float, float, str], float] = {}
    flows: list[_Flow] = []
    places: dict[str, _PlaceNote] = {}

    def add_point(lon: float, lat: float, kind: str, row: Any) -> None:
        key = (round(lon, 4), round(lat, 4), kind)  # one marker per kind and spot (~10 m), deaths summed
        deaths_at[key] = deaths_at.get(key, 0.0) + max(_number(getattr(row, "fatalities", 0)) or 0.0, 0.0)

    def add_place(name: str, lon: float, lat: float, row: Any = None) -> None:
        if name:
            note = places.setdefault(name, _PlaceNote(lon, lat))
            if row is not None:
                note.add(row)

    for row in events.itertuples(index=False):
        geometry = row.geometry
        kind = _text(getattr(row, "kind", "")) or "other"
        name = _text(getattr(row, "location_name", ""))
        if geometry.geom_type in {"Polygon", "MultiPolygon", "GeometryCollection"}:
            if _draw_area(ax, geometry, _style(kind)[1]) and kind not in area_kinds:
                area_kinds.append(kind)
            lon, lat = _number(getattr(row, "lon", None)), _number(getattr(row, "lat", None))
            if lon is None or lat is None:
                seat = geometry.representative_point()
                lon, lat = float(seat.x), float(seat.y)
            add_point(lon, lat, kind, row)
            add_place(name, lon, lat, row)
        elif geometry.geom_type in {"LineString", "MultiLineString"}:
            ends = _flow_ends(geometry)
            if ends is not None:
                displaced = getattr(row, "displaced", None)
                wording = _count_line(getattr(row, "displaced_text", ""), displaced, "displaced")
                destination = _text(getattr(row, "destination", ""))
                label = "\n".join(p for p in (wording, f"→ {destination}" if destination else "") if p)
                flows.append(_Flow(ends[0], ends[1], kind, displaced, label))
                add_place(_text(getattr(row, "origin", "")) or name, *ends[0])
        else:
            point = geometry.centroid
            add_point(float(point.x), float(point.y), kind, row)
            add_place(name, float(point.x), float(point.y), row)

    # Points: big markers first so small ones stay on top; shared spots fanned out.
    markers = [_Marker(lon, lat, kind, _marker_size(deaths)) for (lon, lat, kind), deaths in deaths_at.items()]
    radius_at: dict[tuple[float, float], float] = {}
    for m in markers:
        spot = (round(m.lon, 4), round(m.lat, 4))
        radius_at[spot] = max(radius_at.get(spot, 0.0), math.sqrt(m.size) / 2.0)
    markers = _spread(ax, sorted(markers, key=lambda m: (-m.size, _kind_order(m.kind), m.lon, m.lat)))
    for kind in dict.fromkeys(m.kind for m in markers):
        marker, colour, _ = _style(kind)
        chosen = [m for m in markers if m.kind == kind]
        ax.scatter(
            np.array([m.lon for m in chosen]),
            np.array([m.lat for m in chosen]),
            s=np.array([m.size for m in chosen]),
            marker=marker,
            c=colour,
            edgecolors="white",
            linewidths=0.9,
            zorder=7,
        )
    for m in markers:
        placer.block_marker(m.lon, m.lat, math.sqrt(m.size) / 2.0)

    def radius(lon: float, lat: float, default: float) -> float:
        return radius_at.get((round(lon, 4), round(lat, 4)), default)

    flow_labels = []
    for flow in flows:
        mid = _draw_flow(
            ax,
            placer,
            flow,
            shrink_start=radius(*flow.start, default=0.0) + 1.0,
            shrink_end=radius(*flow.end, default=0.0) + 1.0,
        )
        if mid is not None and flow.label:
            width, head = _arrow_style(flow.displaced)
            flow_labels.append((flow, mid, width / 2.0 + head / 4.0 + 3.0))

    # Small stories label every place, overlapping if they must; busy maps label the places with most
    # deaths (then most events) where there is room, up to a budget.
    required = len(places) <= _ALWAYS_LABEL_PLACES
    ranked = sorted(places.items(), key=lambda item: (-item[1].deaths, -item[1].events, item[0]))
    labelled = 0
    for name, note in ranked[:_MAX_PLACE_LABELS]:
        gap = radius(note.lon, note.lat, default=3.0) + 2.5
        text_kw: dict[str, Any] = {"fontsize": 8.5, "color": _TEXT, "zorder": 8}
        if placer.place(
            note.text(name), note.lon, note.lat, gap_pt=gap, required=required, reach=(1.0, 1.8), **text_kw
        ):
            labelled += 1
    for flow, (lon, lat), gap in flow_labels:
        placer.place(
            flow.label,
            lon,
            lat,
            gap_pt=gap,
            required=len(flow_labels) <= _ALWAYS_LABEL_PLACES,
            candidates=_BESIDE,
            reach=(1.0, 1.6, 2.4),
            fontsize=7.5,
            color=_style(flow.kind)[1],
            style="italic",
            zorder=8,
        )

    handles, labels = _legend_entries(
        sorted({m.kind for m in markers}, key=_kind_order), area_kinds, list(dict.fromkeys(f.kind for f in flows))
    )
    return _Drawn(handles, labels, len(places), labelled)


def _legend_entries(
    point_kinds: Sequence[str], area_kinds: Sequence[str], flow_kinds: Sequence[str]
) -> tuple[list[Artist], list[str]]:
    """Return legend handles and labels: point kinds, then areas, then flows."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrow, Patch

    handles: list[Artist] = []
    labels: list[str] = []
    for kind in point_kinds:
        marker, colour, label = _style(kind)
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="none",
                markersize=8,
                markerfacecolor=colour,
                markeredgecolor="white",
                markeredgewidth=0.6,
            )
        )
        labels.append(label)
    for kind in sorted(area_kinds, key=_kind_order):
        _, colour, label = _style(kind)
        text = _AREA_LABEL if kind in _EMERGENCY_KINDS else f"{label} area"
        if text not in labels:
            handles.append(Patch(facecolor=(*_rgb(colour), 0.10), edgecolor=colour, hatch="//", linewidth=1.2))
            labels.append(text)
    for kind in sorted(flow_kinds, key=_kind_order):
        _, colour, label = _style(kind)
        handles.append(FancyArrow(0, 0, 1, 0, color=colour))
        labels.append(f"{label} flow")
    return handles, labels


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(KIND_STYLE)
    return (order.index(kind) if kind in order else len(order), kind)


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


# --- public -----------------------------------------------------------------


def render_png(layers: Layers, path: Path, *, title: str | None = None, dpi: int = 200) -> Figure:
    """
    Draw the layers as a static map and write it as a PNG.

    The figure is A4-wide (:data:`FIGSIZE`); the map takes the left part, a
    side panel holds a locator inset, the legend and a note on unlocated
    events. The view covers the located events and borders, padded, at least
    about 3° across; with nothing located it shows the events' countries, or
    the world. Flows shorter than about half an inch on the page are drawn
    that long, in their true direction, so they stay visible.

    Parameters
    ----------
    layers
        Events, places and borders in EPSG:4326.
    path
        Output file; must end in ``.png`` and its folder must exist.
    title
        Map title; default ``layers.title``.
    dpi
        Resolution; the PNG is ``FIGSIZE × dpi`` pixels.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (Agg canvas attached), for further saving or inspection.

    Raises
    ------
    InputError
        When the suffix is not ``.png``, the folder is missing or ``dpi`` is not positive.
    MatplotlibMissingError
        When matplotlib is not installed.
    """
    if path.suffix.lower() != ".png":
        msg = f"render_png writes PNG files; got {path.name!r}. Use a path ending in '.png'."
        raise InputError(msg)
    if not path.parent.is_dir():
        msg = f"No folder {str(path.parent)!r} for {path.name!r}; create it first."
        raise InputError(msg)
    if dpi <= 0:
        msg = f"dpi must be a positive integer, got {dpi!r}."
        raise InputError(msg)
    _require_matplotlib()
    with warnings.catch_warnings():
        # Names in scripts DejaVu Sans lacks (CJK...) draw as boxes; that is no reason to fail a report.
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        fig = _build_figure(layers, title=layers.title if title is None else title, dpi=dpi)
        with replacing(path) as partial:
            fig.savefig(partial, dpi=dpi, format="png", metadata={"Software": None})
    logger.info("Wrote %s", path)
    return fig


def _draw_map(
    ax: Axes, renderer: RendererBase, layers: Layers, box_ratio: float
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, _Extent, _Drawn, list[Artist], list[str]]:
    """Draw land, outlines, borders and events into ``ax``; return what the side panel needs."""
    from matplotlib.lines import Line2D

    events = _in_crs4326(layers.events)
    borders = _in_crs4326(layers.borders)
    located = _located(events)
    border_geoms = [g for g in borders.geometry if _has_geometry(g)]
    data_geoms = list(located.geometry) + border_geoms

    extent = _fit_extent(view_bounds(data_geoms, events), box_ratio)
    _set_view(ax, extent)
    for spine in ax.spines.values():
        spine.set_edgecolor(_MUTED)
        spine.set_linewidth(0.8)

    countries = _draw_land(ax, extent, edge=_COUNTRY_EDGE, edge_width=0.9, zorder=1)
    _draw_admin1(ax, extent, countries, zorder=2)
    placer = _LabelPlacer(ax, renderer)
    scale_corner = min(("lower left", "lower right"), key=lambda c: _corner_load(extent, data_geoms, c))
    north_corner = min(("upper left", "upper right"), key=lambda c: _corner_load(extent, data_geoms, c))
    for artist in _draw_scale_bar(ax, extent, scale_corner, zorder=9):
        placer.block(artist.get_window_extent(renderer).padded(4.0))
    north = _draw_north_arrow(ax, north_corner, zorder=9)
    for part in (north, north.arrow_patch):
        if part is not None:
            placer.block(part.get_window_extent(renderer).padded(4.0))

    border_lines = [arr for g in border_geoms for arr in _line_arrays(g)]
    for line in border_lines:
        ax.plot(line[:, 0], line[:, 1], solid_capstyle="butt", zorder=5, **BORDER_STYLE)
    drawn = _draw_events(ax, placer, located)
    handles, labels = drawn.handles, drawn.labels
    if border_lines:
        handles.append(Line2D([], [], **BORDER_STYLE))
        labels.append(_BORDER_LABEL)
    _label_countries(ax, placer, countries, extent, data_geoms)

    return events, located, extent, drawn, handles, labels


def draw_map(ax: Axes, layers: Layers, *, title: str | None = None, legend: bool = True) -> Axes:
    """
    Draw the layers into an existing matplotlib axes (a notebook figure, a subplot of a report).

    The axes get the same land, outlines, borders, events and labels as :func:`render_png`'s map
    part; the side panel (locator, notes) is left out and the legend, when asked for, goes inside
    the axes.

    Parameters
    ----------
    ax
        The axes to draw into; its figure gets an Agg canvas when it has none that can render.
    layers
        Events, places and borders in EPSG:4326.
    title
        Axes title; default ``layers.title``; ``""`` for none.
    legend
        Draw a legend of the kinds shown.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    _require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = ax.get_figure(root=True)
    if fig is None:
        msg = "draw_map needs axes that belong to a figure."
        raise InputError(msg)
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    renderer = get_renderer() if get_renderer is not None else FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    box = ax.get_position()
    width, height = fig.get_size_inches()
    box_ratio = (box.height * height) / max(box.width * width, 1e-9)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        _, _, _, _, handles, labels = _draw_map(ax, renderer, layers, box_ratio)
    if legend and handles:
        ax.legend(handles, labels, loc="lower left", fontsize=7, framealpha=0.9)
    shown = layers.title if title is None else title
    if shown:
        ax.set_title(shown)
    return ax


def _build_figure(layers: Layers, *, title: str, dpi: int) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # unannotated in matplotlib's stubs
    ax = fig.add_axes(_MAP_RECT, label="map")
    box_ratio = _MAP_RECT[3] * FIGSIZE[1] / (_MAP_RECT[2] * FIGSIZE[0])
    events, located, extent, drawn, handles, labels = _draw_map(ax, renderer, layers, box_ratio)
    ax.set_anchor("N")  # a world view is wider than the box: keep it under the title

    legend_top = _INSET_RECT[1] + _INSET_RECT[3]
    if extent.lon_span <= _MAX_INSET_SPAN_DEG:  # a locator for a continent-wide view locates nothing
        _draw_inset(fig, extent)
        legend_top = _LEGEND_TOP
    notes = [] if len(events) else ["No events to map."]
    if any((_number(f) or 0) > 0 for f in located.get("fatalities", [])):
        notes.append("Marker size: reported deaths.")
    if drawn.labelled < drawn.places:
        notes.append(f"Labels: {drawn.labelled} of {drawn.places} places, by deaths.")
    unlocated = _unlocated_note(events, len(located))
    if unlocated:
        notes.append(unlocated)
    wrapped = "\n".join(textwrap.fill(n, 36) for n in notes)
    note = fig.text(
        _PANEL_X, 0.03, wrapped, ha="left", va="bottom", fontsize=7.5, color=_MUTED, parse_math=False, linespacing=1.4
    )
    room_bottom = fig.transFigure.inverted().transform(note.get_window_extent(renderer))[1][1] + 0.03
    legend_bottom = _draw_legend(fig, renderer, handles, labels, top=legend_top, bottom=room_bottom)
    note.set_y(legend_bottom - 0.035)
    note.set_verticalalignment("top")

    _draw_title(fig, renderer, title or "Reported events")
    subtitle = _subtitle(events, len(located))
    fig.text(0.015, 0.927, subtitle, ha="left", va="top", fontsize=8.5, color=_MUTED, parse_math=False)
    fig.text(0.015, 0.03, ATTRIBUTION, ha="left", va="bottom", fontsize=6.5, color=_MUTED)
    return fig


_LEGEND_LAYOUTS: tuple[dict[str, float], ...] = (
    {"fontsize": 8.5, "labelspacing": 0.7, "handleheight": 1.3, "ncols": 1},
    {"fontsize": 7.5, "labelspacing": 0.4, "handleheight": 1.1, "ncols": 1},
    {"fontsize": 6.5, "labelspacing": 0.3, "handleheight": 1.0, "ncols": 2},
)
"""Legend sizes to try, largest first, until it fits the side panel."""


def _draw_legend(
    fig: Figure, renderer: RendererBase, handles: list[Artist], labels: list[str], *, top: float, bottom: float
) -> float:
    """Draw the legend in the side panel, as large as fits between ``top`` and ``bottom``; return its bottom."""
    from matplotlib.legend_handler import HandlerPatch
    from matplotlib.patches import FancyArrow

    if not handles:
        return top
    to_figure = fig.transFigure.inverted()
    for layout in _LEGEND_LAYOUTS:
        legend = fig.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(_PANEL_X, top),
            frameon=False,
            fontsize=layout["fontsize"],
            labelspacing=layout["labelspacing"],
            handleheight=layout["handleheight"],
            ncols=int(layout["ncols"]),
            handlelength=2.4 if layout["ncols"] == 1 else 1.6,
            columnspacing=0.8,
            borderaxespad=0.0,
            borderpad=0.0,
            handler_map={FancyArrow: HandlerPatch(patch_func=_legend_arrow)},
        )
        (_, legend_bottom), (legend_right, _) = to_figure.transform(legend.get_window_extent(renderer))
        if legend_bottom >= bottom and legend_right <= 0.995:
            break
        if layout is not _LEGEND_LAYOUTS[-1]:
            legend.remove()
    return float(legend_bottom)


def _draw_title(fig: Figure, renderer: RendererBase, title: str) -> None:
    """Write the title on one line, shortened and shrunk (13 pt down to 10 pt) to fit the page."""
    heading = fig.text(
        0.015,
        0.975,
        textwrap.shorten(" ".join(title.split()), width=100, placeholder="…"),
        ha="left",
        va="top",
        fontsize=13,
        fontweight="bold",
        color=_TEXT,
        parse_math=False,
    )
    room = 0.97 * fig.bbox.width
    for size in (12.0, 11.0, 10.0):
        if heading.get_window_extent(renderer).width <= room:
            return
        heading.set_fontsize(size)
    while heading.get_window_extent(renderer).width > room and len(heading.get_text()) > 10:
        heading.set_text(textwrap.shorten(heading.get_text(), width=len(heading.get_text()) - 5, placeholder="…"))


def _label_countries(
    ax: Axes,
    placer: _LabelPlacer,
    countries: list[tuple[Any, BaseGeometry]],
    extent: _Extent,
    data_geoms: Sequence[BaseGeometry],
) -> None:
    """Label countries that fill a fair part of the view, where there is room, away from the data."""
    import shapely

    frame = _display_countries()
    view = shapely.box(extent.lon_min, extent.lat_min, extent.lon_max, extent.lat_max)
    margin = 0.04 * min(extent.lat_span, extent.lon_span)
    inset_view = shapely.box(
        extent.lon_min + margin, extent.lat_min + margin, extent.lon_max - margin, extent.lat_max - margin
    )
    busy = shapely.union_all([g.buffer(margin) for g in data_geoms]) if data_geoms else None
    shown = []
    for index, _ in countries:
        # clip_by_rect and make_valid: a few Natural Earth polygons (Fiji, Russia) are not valid as drawn.
        inside = shapely.make_valid(shapely.clip_by_rect(frame.geometry.loc[index], *view.bounds))
        if inside.area < 0.035 * view.area:
            continue
        free = inside.intersection(inset_view)
        if busy is not None:
            free = free.difference(busy)
        shown.append((inside.area, index, inside if free.is_empty else free))
    for _, index, inside in sorted(shown, key=lambda item: (-item[0], str(item[1]))):
        largest = max(shapely.get_parts(inside), key=lambda part: part.area)
        point = largest.representative_point()
        name = _text(frame.loc[index, "name"]).upper()
        placer.place(
            name,
            float(point.x),
            float(point.y),
            gap_pt=10.0,
            required=False,
            candidates=_CENTRED,
            fontsize=9,
            color="#8a8378",
            fontweight="bold",
            zorder=3.5,
        )
