"""
One palette for every renderer: the web map, the PNG and the QGIS styles in GeoPackages.

In the spirit of OCHA's humanitarian icons: violence red, fire orange, looting brown, curfew purple,
displacement blue, aid green, politics grey/black.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["BORDER_COLOUR", "PALETTE", "KindColour", "kind_colour"]


class KindColour(NamedTuple):
    """Colour and legend label of one event kind."""

    colour: str
    """CSS hex colour."""
    label: str
    """Legend text."""


PALETTE: dict[str, KindColour] = {
    "killed": KindColour("#c0392b", "killed"),
    "injured": KindColour("#e6735c", "injured"),
    "riots": KindColour("#e31a1c", "riots"),
    "clashes": KindColour("#a50f15", "clashes"),
    "attack": KindColour("#67000d", "attack"),
    "protest": KindColour("#e7298a", "protest"),
    "arrests": KindColour("#525252", "arrests"),
    "arson": KindColour("#ff7f00", "arson"),
    "looting": KindColour("#8c510a", "looting"),
    "curfew": KindColour("#7b3294", "curfew"),
    "state_of_emergency": KindColour("#40004b", "state of emergency"),
    "deadly_force": KindColour("#99000d", "deadly force"),
    "displacement": KindColour("#1f78b4", "displacement"),
    "troop_request": KindColour("#7f7f7f", "troop request"),
    "aid": KindColour("#33a02c", "aid"),
    "meeting": KindColour("#000000", "meeting"),
    "referendum": KindColour("#252525", "referendum"),
    "other": KindColour("#555555", "other"),
}
"""Event kind -> colour and label, for :data:`geomap.layers.EVENT_KINDS` and ``other``."""

BORDER_COLOUR = "#01665e"
"""Shared borders named in a story (teal: no event kind uses it)."""


def kind_colour(kind: str) -> KindColour:
    """
    Return the colour and label of a kind (``other`` for unknown kinds).

    Examples
    --------
    >>> kind_colour("displacement").colour, kind_colour("no such kind").label
    ('#1f78b4', 'other')
    """
    return PALETTE.get(kind, PALETTE["other"])
