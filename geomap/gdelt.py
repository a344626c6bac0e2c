"""
Read GDELT 2.0 event exports and map them like reports, duplicates fused.

A GDELT 2.0 events export (``YYYYMMDDHHMMSS.export.CSV``) is tab-separated,
without a header, one coded event per line in the 61 columns of
:data:`GDELT_COLUMNS` (GDELT Event Codebook V2.0); GDELT 1.0 daily files with
their 57 or 58 columns are read too. GDELT codes the same real event many times
(one row per article cluster, and again as articles keep coming), so each row
becomes a one-event report (its ``SOURCEURL`` and date) and goes through the
same fusion as news reports (:mod:`geomap.fusion`): rows of one place, date
window and kind family, with shared actors, become one event listing every
source. Countries come from the row's coordinates and Natural Earth outlines
(GDELT writes FIPS 10-4 codes, not ISO).

CAMEO root codes map to geomap's kinds and ACLED's types in :data:`CAMEO_KINDS`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from geomap.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    from geomap.ingest import Document
    from geomap.layers import Layers

__all__ = ["CAMEO_KINDS", "GDELT_COLUMNS", "gdelt_items", "gdelt_layers", "is_gdelt", "read_gdelt"]

logger = logging.getLogger(__name__)

GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
"""The 61 columns of a GDELT 2.0 events export, in order (GDELT Event Codebook V2.0)."""

_V1_DROP = {"Actor1Geo_ADM2Code", "Actor2Geo_ADM2Code", "ActionGeo_ADM2Code"}
GDELT1_COLUMNS = tuple(c for c in GDELT_COLUMNS if c not in _V1_DROP)
"""GDELT 1.0 daily files: the same without the ADM2 codes (58 columns; 57 before April 2013, no SOURCEURL)."""

CAMEO_KINDS: dict[str, tuple[str, str, str]] = {
    "14": ("protest", "Protests", "Peaceful protest"),
    "145": ("riots", "Riots", "Violent demonstration"),
    "17": ("other", "Strategic developments", "Other"),
    "173": ("arrests", "Strategic developments", "Arrests"),
    "18": ("attack", "Violence against civilians", "Attack"),
    "181": ("attack", "Violence against civilians", "Abduction/forced disappearance"),
    "183": ("attack", "Explosions/Remote violence", "Suicide bomb"),
    "19": ("clashes", "Battles", "Armed clash"),
    "194": ("attack", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "195": ("attack", "Explosions/Remote violence", "Air/drone strike"),
    "20": ("attack", "Violence against civilians", "Attack"),
    "04": ("meeting", "Strategic developments", "Other"),
    "07": ("aid", "Strategic developments", "Other"),
}
"""CAMEO code (longest prefix wins) -> (geomap kind, ACLED event_type, ACLED sub_event_type); others are 'other'."""

# ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (ADM1).
_GEO_PRECISION = {"1": 3.0, "2": 3.0, "3": 1.0, "4": 1.0, "5": 3.0}
_WHERE_PREC = {"1": 6.0, "2": 4.0, "3": 1.0, "4": 1.0, "5": 4.0}


def is_gdelt(path: Path) -> bool:
    """
    Tell whether a file looks like a GDELT events export: tab-separated lines of 57, 58 or 61 fields.

    Parameters
    ----------
    path
        A file.

    Returns
    -------
    bool
        True when its first line has the field count of a GDELT 1.0 or 2.0 events file.
    """
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
    except OSError:
        return False
    return first.count(b"\t") + 1 in {57, 58, 61}


def read_gdelt(path: Path) -> list[dict[str, str]]:
    """
    Read the rows of a GDELT events export.

    Parameters
    ----------
    path
        A tab-separated GDELT 2.0 (61 fields) or 1.0 (57/58 fields) events file, no header.

    Returns
    -------
    list of dict
        One dict per row, keyed by :data:`GDELT_COLUMNS` names (missing ones "").

    Raises
    ------
    InputError
        When the file is missing, not UTF-8, or a line has another number of fields.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as err:
        msg = f"No such input file: {path}."
        raise InputError(msg) from err
    except UnicodeDecodeError as err:
        msg = f"{path} is not valid UTF-8 (byte {err.start})."
        raise InputError(msg) from err
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        names = {61: GDELT_COLUMNS, 58: GDELT1_COLUMNS, 57: GDELT1_COLUMNS[:-1]}.get(len(fields))
        if names is None:
            msg = f"{path}:{number}: {len(fields)} tab-separated fields; a GDELT events file has 61 (2.0) or 57/58."
            raise InputError(msg)
        row = dict.fromkeys(GDELT_COLUMNS, "")
        row.update(zip(names, fields, strict=True))
        rows.append(row)
    if not rows:
        msg = f"{path} holds no GDELT rows."
        raise InputError(msg)
    return rows


def _kind(code: str) -> tuple[str, str, str]:
    for size in (3, 2):
        if code[:size] in CAMEO_KINDS:
            return CAMEO_KINDS[code[:size]]
    return ("other", "Strategic developments", "Other")


def _date(value: str) -> str:
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date().isoformat()
    except ValueError:
        return ""


def _number(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def _countries_of(points: list[tuple[float, float] | None]) -> list[str]:
    """Return the ISO alpha-2 code of the country each (lat, lon) lies in ("" at sea or unknown)."""
    import shapely

    from geomap.boundaries import load_countries

    countries = load_countries("50m")
    codes = [""] * len(points)
    located = [(i, p) for i, p in enumerate(points) if p is not None]
    if not located:
        return codes
    geoms = shapely.points([lon for _, (_, lon) in located], [lat for _, (lat, _) in located])  # x = lon, y = lat
    point_idx, country_idx = countries.sindex.query(geoms, predicate="within")
    iso = countries["iso_a2"].tolist()
    for p, c in sorted(zip(point_idx.tolist(), country_idx.tolist(), strict=True), reverse=True):
        code = str(iso[c] or "")
        codes[located[p][0]] = "" if code in {"-99", "-1"} else code
    return codes


def gdelt_items(rows: list[dict[str, str]], source: str) -> list[tuple[Document, list[dict[str, Any]], None]]:
    """
    Turn GDELT rows into one-event reports for :mod:`geomap.fusion` and :mod:`geomap.store`.

    Parameters
    ----------
    rows
        Rows of :func:`read_gdelt`.
    source
        File name, kept in the events' ``source``.

    Returns
    -------
    list of tuple
        ``(document, [event row], None)`` per GDELT row: the document has no text, its id is
        ``gdelt-<GLOBALEVENTID>``, its outlet the SOURCEURL's host and its date DATEADDED's day.
    """
    from shapely.geometry import Point

    from geomap.ingest import Document
    from geomap.layers import EVENT_COLUMNS

    points: list[tuple[float, float] | None] = []
    for row in rows:
        lat, lon = _number(row["ActionGeo_Lat"]), _number(row["ActionGeo_Long"])
        ok = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0)
        points.append((lat, lon) if ok and lat is not None and lon is not None else None)
    countries = _countries_of(points)
    items = []
    for row, point, country in zip(rows, points, countries, strict=True):
        kind, event_type, sub_event_type = _kind(row["EventCode"] or row["EventRootCode"])
        actors = [a for a in (row["Actor1Name"], row["Actor2Name"]) if a]
        place = row["ActionGeo_FullName"]
        date = _date(row["SQLDATE"])
        url = row["SOURCEURL"]
        evidence = (
            f"GDELT event {row['GLOBALEVENTID']}: CAMEO {row['EventCode']} "
            f"({' / '.join(actors) or 'no actor named'}) at {place or 'no place'} on {date or 'no date'}"
        )
        geo_type = row["ActionGeo_Type"]
        doc_id = f"gdelt-{row['GLOBALEVENTID']}"
        record: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
        record.update(
            {
                "event_id": f"{doc_id}-1",
                "doc_id": doc_id,
                "primary": True,
                "event_type": event_type,
                "sub_event_type": sub_event_type,
                "kinds": kind,
                "kind": kind,
                "fatalities": 0,
                "killed_text": "",
                "killed_qualifier": "",
                "injured_text": "",
                "injured_qualifier": "",
                "displaced_text": "",
                "location_name": place.split(",")[0].strip() if point else "",
                "place_id": f"gdelt:{row['ActionGeo_FeatureID']}" if row["ActionGeo_FeatureID"] and point else "",
                "country_code": country,
                "admin1_code": row["ActionGeo_ADM1Code"],
                "lat": point[0] if point else None,
                "lon": point[1] if point else None,
                "geo_precision": _GEO_PRECISION.get(geo_type),
                "where_prec": _WHERE_PREC.get(geo_type),
                "geometry_kind": "point" if point else "",
                "origin": "",
                "destination": "",
                "event_date": date,
                "time_precision": 1.0 if date else None,
                "date_text": row["SQLDATE"],
                "evidence": evidence,
                "evidence_start": 0,
                "evidence_end": 0,
                "place_start": -1,
                "place_end": -1,
                "actors": ";".join(actors),
                "confidence": 0.5,
                "located": point is not None,
                "unlocated_reason": "" if point else "GDELT row without coordinates",
                "source": source,
                "title": "",
                "geometry": Point(point[1], point[0]) if point else None,  # shapely takes x = lon, y = lat
            }
        )
        published = _date(row["DATEADDED"]) or date
        doc = Document(
            doc_id=doc_id,
            text="",
            source=source,
            published=dt.date.fromisoformat(published) if published else None,
            extra={"outlet": urlsplit(url).hostname or "" if url else "GDELT", "url": url},
        )
        items.append((doc, [record], None))
    return items


def gdelt_layers(paths: list[Path], *, title: str = "") -> Layers:
    """
    Map GDELT exports: every row a one-event report, duplicate rows fused.

    Parameters
    ----------
    paths
        GDELT events files.
    title
        Map title.

    Returns
    -------
    Layers
        Fused events (with sources), no places or borders.
    """
    from geomap.fusion import FUSED_COLUMNS, Fuser, oldest_first
    from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, empty_frame, frame_from_records

    items = [item for path in paths for item in gdelt_items(read_gdelt(path), str(path))]
    fuser = Fuser()
    for doc, rows, _ in oldest_first(items, lambda item: item[0].published):
        fuser.add_document(doc, rows)
    return Layers(
        events=frame_from_records(fuser.records(), {**EVENT_COLUMNS, **FUSED_COLUMNS}),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title=title or "GDELT events",
    )
