"""Where geomap's shipped data lives: inside the installed package, or the checkout's ``data/``."""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

__all__ = ["packaged_data_dir"]


@cache  # the install does not move while running; the resolver asks once per document
def packaged_data_dir() -> Path:
    """
    Return the data folder shipped with geomap.

    Returns
    -------
    Path
        ``geomap/data`` inside an installed wheel (found through :mod:`importlib.resources`),
        else the source checkout's ``data/`` (an editable install or a plain checkout).
    """
    shipped = importlib.resources.files("geomap").joinpath("data")
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "data"
