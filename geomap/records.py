"""
The gazetteer file's rows: what ``geomap data build`` writes and the runtime reads.

Kept apart from the data build (:mod:`geomap.databuild`, which needs the ``build`` extra and npm)
so that reading the gazetteer never imports build code, and the GeoNames dump reader
(:mod:`geomap.geonames_dump`) and the build share these types without importing each other.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geomap.errors import DataBuildError
from geomap.names import normalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

__all__ = ["GAZETTEER_COLUMNS", "PlaceRecord", "clean_alternates", "read_place_records"]

GAZETTEER_COLUMNS = (
    "place_id",
    "geonameid",
    "name",
    "lat",
    "lon",
    "feature",
    "country_code",
    "admin1_code",
    "population",
    "source",
    "alternates",
)
"""Columns of ``gazetteer.tsv.gz``, in order; ``alternates`` is ``|``-separated."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceRecord:
    """One row of the gazetteer file, as the build writes it."""

    place_id: str
    """Stable key, see :class:`geomap.model.Place`."""
    geonameid: int | None
    """GeoNames id when known."""
    name: str
    """Display name."""
    lat: float
    """Latitude, WGS84."""
    lon: float
    """Longitude, WGS84."""
    feature: str
    """GeoNames feature class and code, ``P.PPL``."""
    country_code: str
    """ISO alpha-2 code or empty."""
    admin1_code: str
    """``CC.XX`` admin-1 code or empty."""
    population: int
    """Population, 0 when unknown."""
    source: str
    """Source label."""
    alternates: tuple[str, ...] = field(default=())
    """Other names, deduplicated, display name excluded."""


def clean_alternates(name: str, names: Iterable[str]) -> tuple[str, ...]:
    """Return sorted unique alternates that differ from ``name`` and have a key."""
    seen: set[str] = set()
    for raw in names:
        alt = " ".join(raw.replace("|", " ").replace("\t", " ").split())
        if alt and alt != name and normalize_name(alt):
            seen.add(alt)
    return tuple(sorted(seen))


def read_place_records(path: Path) -> Iterator[PlaceRecord]:
    """
    Read the records of a gazetteer file written by :func:`write_gazetteer`.

    Parameters
    ----------
    path
        A ``gazetteer.tsv.gz`` file.

    Yields
    ------
    PlaceRecord
        One record per row.
    """
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if tuple(header) != GAZETTEER_COLUMNS:
            msg = f"{path} is not a geomap gazetteer: header {header!r}; rebuild it with 'geomap data build'."
            raise DataBuildError(msg)
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            yield PlaceRecord(
                place_id=cols[0],
                geonameid=int(cols[1]) if cols[1] else None,
                name=cols[2],
                lat=float(cols[3]),
                lon=float(cols[4]),
                feature=cols[5],
                country_code=cols[6],
                admin1_code=cols[7],
                population=int(cols[8]),
                source=cols[9],
                alternates=tuple(cols[10].split("|")) if cols[10] else (),
            )
