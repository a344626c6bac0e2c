"""
The notebook API: text in, GeoDataFrames and maps out, in the style of osmnx.

>>> import geomap
>>> events = geomap.extract_events("Two people were killed in Osh on Friday.", published="2010-06-12")
>>> events.crs.to_epsg(), events.loc[0, "kind"], events.loc[0, "location_name"], int(events.loc[0, "killed"])
(4326, 'killed', 'Osh', 2)

Every function takes a *source*: a text (``str``), a file (:class:`pathlib.Path`: a text file, a
JSON Lines file of documents or a folder's file), a :class:`geomap.ingest.Document`, or a list of
these. Maps and exports also take what :func:`extract_events` or :func:`map_layers` returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError
from geomap.ingest import Document, document_from_mapping, read_documents

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geomap.layers import Layers

__all__ = [
    "documents",
    "extract_events",
    "geoparse",
    "map_layers",
    "render_png",
    "to_folium",
    "write_events",
]

Source = str | Path | Document | Iterable[str | Path | Document]
"""What the API reads: texts, files, documents, or a list of them."""


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        msg = f"published date {value!r} is not YYYY-MM-DD."
        raise InputError(msg) from err


def documents(
    source: Source, *, published: str | dt.date | None = None, country: str = "", region: str = ""
) -> list[Document]:
    """
    Turn a source into documents.

    Parameters
    ----------
    source
        A text, a file, a document, or a list of them. A ``str`` is always text; pass a
        :class:`pathlib.Path` to read a file.
    published
        Publication date for texts and files that carry none (anchors "on Friday").
    country
        Country the reports are about (ISO code or name), for those that name none.
    region
        Countries or admin-1 regions the reports are about, ``;``-separated (as ``--region``).

    Returns
    -------
    list of Document
        In input order.

    Raises
    ------
    InputError
        On an unreadable file, a bad date or an item of another type.
    """
    when = _date(published)
    items: Any = source
    if isinstance(items, str | Path | Document):
        items = [items]
    elif isinstance(items, bytes | bytearray) or not isinstance(items, Iterable):
        msg = f"expected text (str), a file (Path), a Document or a list of them, got {type(items).__name__}."
        raise InputError(msg)
    docs: list[Document] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Document):
            docs.append(item)
        elif isinstance(item, Path):
            docs.extend(read_documents(item, published=when, country=country, region=region))
        elif isinstance(item, str):
            mapping = {"id": f"text-{number}", "text": item, "published": when.isoformat() if when else None}
            docs.append(document_from_mapping(mapping | {"country": country, "region": region}, f"text {number}"))
        else:
            msg = f"item {number}: expected text (str), a file (Path) or a Document, got {type(item).__name__}."
            raise InputError(msg)
    return docs


def map_layers(
    source: Source,
    *,
    published: str | dt.date | None = None,
    country: str = "",
    region: str = "",
    title: str = "",
    nlp: Any = None,
    feed_focus: bool = True,
) -> Layers:
    """
    Geoparse the source, extract its events and gather everything a map shows.

    Parameters
    ----------
    source
        See :func:`documents`.
    published, country, region
        See :func:`documents`.
    title
        Map title.
    nlp
        A spaCy pipeline to use (as the command line's ``--ner``); default none.
    feed_focus
        Learn where the reports usually are and prefer it (:mod:`geomap.focus`; one outlet per
        ``feed``/``outlet``/``url`` host, else all of them).

    Returns
    -------
    Layers
        ``events``, ``places`` and ``borders`` GeoDataFrames in EPSG:4326.
    """
    from geomap.gazetteer import load_gazetteer
    from geomap.pipeline import process_documents, to_layers

    gazetteer = load_gazetteer()
    docs = documents(source, published=published, country=country, region=region)
    if feed_focus:
        from geomap.focus import with_feed_focus

        docs = list(with_feed_focus(docs, gazetteer))
    return to_layers(process_documents(docs, gazetteer, nlp=nlp), title=title)


def extract_events(
    source: Source, *, published: str | dt.date | None = None, country: str = "", region: str = "", nlp: Any = None
) -> gpd.GeoDataFrame:
    """
    Return the events of the source, one row each, in EPSG:4326.

    Parameters
    ----------
    source
        See :func:`documents`.
    published, country, region, nlp
        See :func:`map_layers`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns as in the exports (kind, place, counts, dates, evidence...); unlocated events
        have an empty geometry. ``.explore()`` draws it.
    """
    return map_layers(source, published=published, country=country, region=region, nlp=nlp).events


def geoparse(
    source: Source, *, published: str | dt.date | None = None, country: str = "", region: str = "", nlp: Any = None
) -> gpd.GeoDataFrame:
    """
    Return the places the source names, one row per place per document, in EPSG:4326.

    Parameters
    ----------
    source
        See :func:`documents`.
    published, country, region, nlp
        See :func:`map_layers`.

    Returns
    -------
    geopandas.GeoDataFrame
        Place name, country, admin-1, feature and the mentions' spans.
    """
    return map_layers(source, published=published, country=country, region=region, nlp=nlp).places


def _layers(data: Any) -> Layers:
    """Accept layers, an events GeoDataFrame, or a source to map."""
    import geopandas as gpd

    from geomap.layers import BORDER_COLUMNS, PLACE_COLUMNS, Layers, empty_frame

    if isinstance(data, Layers):
        return data
    if isinstance(data, gpd.GeoDataFrame):
        return Layers(events=data, places=empty_frame(PLACE_COLUMNS), borders=empty_frame(BORDER_COLUMNS))
    return map_layers(data)


def to_folium(data: Any, *, title: str | None = None, basemap: str = "vector") -> folium.Map:
    """
    Return the interactive map as a :class:`folium.Map` (shown inline in a notebook, works offline).

    Parameters
    ----------
    data
        Layers, an events GeoDataFrame from :func:`extract_events`, or a source.
    title
        Map title.
    basemap
        ``"vector"`` (offline Natural Earth), ``"tiles"`` (OpenStreetMap, needs a network) or ``"none"``.

    Returns
    -------
    folium.Map
        The map of :func:`geomap.webmap.render_html`.
    """
    from geomap.webmap import BASEMAPS
    from geomap.webmap import to_folium as build

    if basemap not in BASEMAPS:
        msg = f"Unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}."
        raise InputError(msg)
    return build(_layers(data), title=title, basemap=basemap)


def render_png(
    data: Any, path: str | Path | None = None, *, ax: Axes | None = None, title: str | None = None, dpi: int = 200
) -> Figure:
    """
    Draw the static map: the full report figure, or only the map into the axes given.

    Parameters
    ----------
    data
        Layers, an events GeoDataFrame, or a source.
    path
        Write the figure there as PNG (optional).
    ax
        Draw the map into these axes instead of a new report figure.
    title
        Title; default the layers' title.
    dpi
        Resolution of the report figure and of the PNG.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    from geomap.staticmap import _build_figure, _require_matplotlib, draw_map
    from geomap.staticmap import render_png as write_png

    layers = _layers(data)
    if ax is None:
        if path is not None:
            return write_png(layers, Path(path), title=title, dpi=dpi)
        _require_matplotlib()
        return _build_figure(layers, title=layers.title if title is None else title, dpi=dpi)
    draw_map(ax, layers, title=title)
    fig = ax.get_figure(root=True)
    if fig is None:  # pragma: no cover - draw_map refuses axes without a figure
        msg = "the axes belong to no figure"
        raise InputError(msg)
    if path is not None:
        out = Path(path)
        if out.suffix.lower() != ".png":
            msg = f"render_png writes PNG files; got {out.name!r}."
            raise InputError(msg)
        fig.savefig(out, dpi=dpi, format="png")
    return fig


def write_events(data: Any, path: str | Path) -> Path:
    """
    Write events as GeoJSON, GeoPackage or CSV, chosen by the file's suffix.

    Parameters
    ----------
    data
        Layers, an events GeoDataFrame, or a source.
    path
        ``.geojson``, ``.gpkg`` or ``.csv``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from geomap.export import write_events as write

    return write(_layers(data), Path(path))
