"""
QGIS styles stored in GeoPackages (the ``layer_styles`` table QGIS reads when a layer is opened).

Events, flows and areas are drawn by kind in the palette of the web map and the PNG
(:mod:`geomap.styles`); places are small grey dots and borders dashed teal, as on the maps.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from geomap.styles import BORDER_COLOUR, PALETTE

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["add_layer_styles", "layer_qml"]

_SYMBOL = {"events": "marker", "places": "marker", "flows": "line", "areas": "fill", "borders": "line"}


def _rgba(colour: str, alpha: int = 255) -> str:
    return f"{int(colour[1:3], 16)},{int(colour[3:5], 16)},{int(colour[5:7], 16)},{alpha}"


def _symbol_layer(kind: str, colour: str) -> str:
    if kind == "marker":
        options = {"name": "circle", "color": _rgba(colour), "outline_color": "255,255,255,255", "size": "3.2"}
        cls = "SimpleMarker"
    elif kind == "line":
        options = {"line_color": _rgba(colour), "line_width": "0.8", "line_style": "solid"}
        cls = "SimpleLine"
    else:
        options = {"color": _rgba(colour, 60), "outline_color": _rgba(colour), "outline_width": "0.5"}
        cls = "SimpleFill"
    opts = "".join(f'<Option name={quoteattr(k)} value={quoteattr(v)} type="QString"/>' for k, v in options.items())
    return f'<layer class="{cls}" enabled="1" locked="0" pass="0"><Option type="Map">{opts}</Option></layer>'


def _symbol(name: str, kind: str, colour: str) -> str:
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f"{_symbol_layer(kind, colour)}</symbol>"
    )


def layer_qml(layer: str) -> str:
    """
    Return the QML style of one geomap GeoPackage layer.

    Parameters
    ----------
    layer
        ``events``, ``flows``, ``areas``, ``places`` or ``borders``.

    Returns
    -------
    str
        A QGIS style document: categorised by ``kind`` for events, flows and areas; a single
        symbol for places and borders.

    Examples
    --------
    >>> 'value="displacement"' in layer_qml("flows"), 'attr="kind"' in layer_qml("events")
    (True, True)
    """
    kind = _SYMBOL[layer]
    if layer in {"places", "borders"}:
        colour = BORDER_COLOUR if layer == "borders" else "#555555"
        renderer = f'<renderer-v2 type="singleSymbol"><symbols>{_symbol("0", kind, colour)}</symbols></renderer-v2>'
    else:
        categories = "".join(
            f'<category symbol="{i}" value={quoteattr(name)} label={quoteattr(style.label)} render="true"/>'
            for i, (name, style) in enumerate(PALETTE.items())
        )
        symbols = "".join(_symbol(str(i), kind, style.colour) for i, style in enumerate(PALETTE.values()))
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr="kind" symbollevels="0" enableorderby="0">'
            f"<categories>{categories}</categories><symbols>{symbols}</symbols></renderer-v2>"
        )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}</qgis>'
    )


def add_layer_styles(path: Path, layers: list[str], *, timestamp: str) -> None:
    """
    Store a default QGIS style for each layer of a GeoPackage.

    Parameters
    ----------
    path
        The GeoPackage (written, not yet in place).
    layers
        Its layers, each with a ``geom`` column.
    timestamp
        ``update_time`` of the rows (fixed, so reruns are byte-identical).
    """
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),"
            " f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),"
            " styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),"
            " update_time DATETIME)"
        )
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
            " VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles', ?)",
            (timestamp,),
        )
        for layer in layers:
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
                " styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)"
                " VALUES ('', '', ?, 'geom', ?, ?, '', 1, 'geomap palette', '', '', ?)",
                (layer, f"geomap {layer}", layer_qml(layer), timestamp),
            )
    db.close()
