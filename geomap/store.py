"""
An event store: a GeoPackage that grows one report at a time and stays fused.

``geomap add REPORTS... --store crisis.gpkg`` reads reports into the store;
``geomap map --store crisis.gpkg -o out/`` draws it. The file is a plain
GeoPackage 1.4 that QGIS opens, with these tables:

* ``events`` (Point): one row per fused real-world event, the columns of
  :data:`geomap.layers.EVENT_COLUMNS` and :data:`geomap.fusion.FUSED_COLUMNS`;
* ``flows`` (LineString) and ``areas`` (MultiPolygon): the same rows for the
  events drawn as a flow or an area;
* ``sources`` and ``tolls`` (attribute tables): one row per event and report
  (wire copies included), one row per stated figure;
* ``places`` (Point): the places each report names.

The fusion state lives in tables prefixed ``geomap_`` (documents and their
MinHash bands, clusters with their member events and figures). Adding a report
loads only the clusters of the countries its events are in, fuses it, and
rewrites those countries' rows: the cost grows with one country's events, not
with the store. Adding a report whose id and text are already stored changes
nothing. Layers are created without a spatial index (GDAL's R-tree triggers
need SQL functions plain SQLite lacks); QGIS reads them all the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sqlite3
import struct
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError
from geomap.fusion import FUSED_COLUMNS, Cluster, CopyIndex, Fuser, TollEntry, band_keys, minhash
from geomap.layers import EVENT_COLUMNS, PLACE_COLUMNS, cell_text

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from shapely.geometry.base import BaseGeometry

    from geomap.ingest import Document
    from geomap.layers import Layers
    from geomap.pipeline import DocumentResult

__all__ = ["STORE_TABLES", "AddSummary", "add_results", "add_rows", "read_store"]

logger = logging.getLogger(__name__)

STORE_TABLES: dict[str, str] = {
    "events": "POINT",
    "flows": "LINESTRING",
    "areas": "MULTIPOLYGON",
    "places": "POINT",
    "sources": "",
    "tolls": "",
}
"""Public tables of the store and their geometry type ("" for attribute tables)."""

_TIMESTAMP = "2000-01-01T00:00:00.000Z"
_SOURCE_COLUMNS = {
    "event_id": "str",
    "doc_id": "str",
    "outlet": "str",
    "url": "str",
    "published": "str",
    "evidence": "str",
    "copy_of": "str: the report this one copies ('' for a report read in full)",
}
_TOLL_COLUMNS = {
    "event_id": "str",
    "noun": "str",
    "as_of": "str",
    "value": "int",
    "text": "str",
    "status": "str",
    "doc_id": "str",
    "outlet": "str",
    "evidence": "str",
}
_EVENT_TABLE = {**EVENT_COLUMNS, **FUSED_COLUMNS}
_SQL_TYPE = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AddSummary:
    """What one ``geomap add`` did."""

    added: int
    """Reports read and fused."""
    copies: int
    """Reports recognised as copies of stored ones (listed as sources only)."""
    unchanged: int
    """Reports already in the store, skipped."""
    events: int
    """Fused events in the store afterwards."""


# --- GeoPackage plumbing --------------------------------------------------------------------------------------------


def _kind(spec: str) -> str:
    head = spec.split(":", 1)[0].strip()
    return next((k for k in _SQL_TYPE if head.startswith(k)), "str")


def _gpkg_blob(geometry: BaseGeometry | None) -> bytes | None:
    """Return a GeoPackage geometry blob (header without envelope, little-endian WKB), None for no geometry."""
    import shapely

    if geometry is None or geometry.is_empty:
        return None
    wkb: bytes = shapely.to_wkb(geometry, byte_order=1)
    return b"GP" + bytes([0, 1]) + struct.pack("<i", 4326) + wkb


def _geometry_of(blob: bytes | None) -> BaseGeometry | None:
    import shapely

    if not blob:
        return None
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    size = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]
    return shapely.from_wkb(blob[8 + size :])


def _create(con: sqlite3.Connection) -> None:
    con.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    con.execute("PRAGMA user_version = 10400")
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
          description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL,
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
        CREATE TABLE geomap_documents (doc_id TEXT PRIMARY KEY, text_sha1 TEXT NOT NULL, copy_of TEXT NOT NULL,
          signature TEXT NOT NULL, meta TEXT NOT NULL);
        CREATE TABLE geomap_bands (band TEXT NOT NULL, doc_id TEXT NOT NULL);
        CREATE INDEX geomap_bands_band ON geomap_bands (band);
        CREATE TABLE geomap_clusters (cluster_id TEXT PRIMARY KEY, country TEXT NOT NULL, level INTEGER NOT NULL,
          first_date TEXT NOT NULL, last_date TEXT NOT NULL, area_counts INTEGER NOT NULL, state TEXT NOT NULL);
        CREATE INDEX geomap_clusters_country ON geomap_clusters (country, last_date);
        CREATE TABLE geomap_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE geomap_doc_clusters (doc_id TEXT NOT NULL, cluster_id TEXT NOT NULL,
          PRIMARY KEY (doc_id, cluster_id));
        """
    )
    wgs84 = (
        'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
        'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
    )
    con.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", ""),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", ""),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, wgs84, "longitude/latitude coordinates in decimal degrees"),
        ],
    )
    for table, geometry_type in STORE_TABLES.items():
        columns = {
            "events": _EVENT_TABLE,
            "flows": _EVENT_TABLE,
            "areas": _EVENT_TABLE,
            "places": PLACE_COLUMNS,
            "sources": _SOURCE_COLUMNS,
            "tolls": _TOLL_COLUMNS,
        }[table]
        fields = ", ".join(f'"{name}" {_SQL_TYPE[_kind(spec)]}' for name, spec in columns.items())
        geom = f", geom {geometry_type}" if geometry_type else ""
        con.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT{geom}, {fields})')
        key = "doc_id" if table == "places" else "event_id"
        con.execute(f'CREATE INDEX "{table}_{key}" ON "{table}" ("{key}")')
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change, srs_id) VALUES (?, ?, ?, ?, ?)",
            (table, "features" if geometry_type else "attributes", table, _TIMESTAMP, 4326 if geometry_type else None),
        )
        if geometry_type:
            con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)", (table, geometry_type))
    con.execute("INSERT INTO geomap_meta VALUES ('next_id', '0')")


def _connect(path: Path) -> sqlite3.Connection:
    exists = path.exists()
    if exists and path.read_bytes()[:16] != b"SQLite format 3\x00":
        msg = f"{path} is not a GeoPackage; give a new file name or a store made by 'geomap add'."
        raise InputError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    if not exists:
        with con:
            _create(con)
    elif con.execute("SELECT 1 FROM sqlite_master WHERE name = 'geomap_clusters'").fetchone() is None:
        con.close()
        msg = f"{path} is a GeoPackage but not a geomap store (no geomap_clusters table)."
        raise InputError(msg)
    return con


# --- (de)serialising the fusion state ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _dump_cluster(cluster: Cluster) -> str:
    import shapely

    members = []
    for member in cluster.members:
        row = {k: _plain(v) for k, v in member.items() if k != "geometry"}
        geometry = member.get("geometry")
        row["geometry"] = shapely.to_wkb(geometry, hex=True) if geometry is not None else None
        members.append(row)
    state = {
        "members": members,
        "entries": [e.to_json() for e in cluster.entries],
        "copies": cluster.copies,
    }
    return json.dumps(state, ensure_ascii=False, sort_keys=True)


def _load_cluster(cluster_id: str, text: str) -> Cluster:
    import shapely

    state = json.loads(text)
    members = []
    for row in state["members"]:
        row["geometry"] = shapely.from_wkb(row["geometry"]) if row.get("geometry") else None
        members.append(row)
    return Cluster(
        cluster_id=cluster_id,
        members=members,
        entries=[TollEntry.from_json(e) for e in state["entries"]],
        copies=state["copies"],
    )


def _countries(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {cell_text(r.get("country_code")) for r in rows}


def _cluster_row(cluster: Cluster) -> tuple[Any, ...]:
    from geomap.fusion import place_level

    dates = cluster.dates
    lead = cluster.lead
    level = place_level(lead)
    counted = any(e.noun in {"killed", "displaced"} for e in cluster.entries)
    return (
        cluster.cluster_id,
        cell_text(lead.get("country_code")),
        level,
        dates[0].isoformat() if dates else "",
        dates[-1].isoformat() if dates else "",
        int(level > 1 and counted),
        _dump_cluster(cluster),
    )


# --- entry points --------------------------------------------------------------------------------------------------


def add_results(path: Path, results: Iterable[DocumentResult]) -> AddSummary:
    """
    Add processed reports to a store, fusing them with the events already there.

    Parameters
    ----------
    path
        The store (``.gpkg``); created when missing.
    results
        Processed reports, added oldest first (input order among reports of one date).

    Returns
    -------
    AddSummary
        Counts of reports added, recognised as copies, skipped.

    Raises
    ------
    InputError
        When ``path`` is not a ``.gpkg`` store.
    """
    from geomap.layers import event_record

    items = ((r.document, [event_record(e, r.document.source, r.document.title) for e in r.events], r) for r in results)
    return add_rows(path, items)


def add_rows(path: Path, items: Iterable[tuple[Document, list[dict[str, Any]], DocumentResult | None]]) -> AddSummary:
    """
    Add reports given as event rows (GDELT rows, or processed reports) to a store.

    Parameters
    ----------
    path
        The store (``.gpkg``); created when missing.
    items
        ``(document, event rows, processed report or None)``; the report's places are stored when given.

    Returns
    -------
    AddSummary
        Counts of reports added, recognised as copies, skipped.

    Raises
    ------
    InputError
        When ``path`` is not a ``.gpkg`` store or an id is reused for another text.
    """
    import datetime as dt

    from geomap.fusion import document_meta
    from geomap.layers import build_layers

    if path.suffix.lower() != ".gpkg":
        msg = f"The store must be a GeoPackage file ending in .gpkg, got {path.name!r}."
        raise InputError(msg)
    ordered = sorted(enumerate(items), key=lambda item: (item[1][0].published or dt.date.min, item[0]))
    added = copies = unchanged = 0
    with closing(_connect(path)) as con, con:
        for _, (doc, rows, result) in ordered:
            sha1 = hashlib.sha1((doc.text or json.dumps(rows, default=str)).encode("utf-8")).hexdigest()
            stored = con.execute("SELECT text_sha1 FROM geomap_documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
            if stored is not None:
                if stored[0] != sha1:
                    msg = f"The store already holds a different report with id {doc.doc_id!r}; give it a new id."
                    raise InputError(msg)
                unchanged += 1
                continue
            signature = minhash(doc.text)
            fuser = _fuser_for(con, rows, signature)
            original = fuser.add_document(doc, rows)
            copies += original is not None
            added += original is None
            con.execute(
                "INSERT INTO geomap_documents VALUES (?, ?, ?, ?, ?)",
                (doc.doc_id, sha1, original or "", json.dumps(signature), json.dumps(document_meta(doc))),
            )
            if original is None and any(signature):
                con.executemany(
                    "INSERT INTO geomap_bands VALUES (?, ?)", [(key, doc.doc_id) for key in band_keys(signature)]
                )
            if original is None and result is not None:
                _write_places(con, build_layers([result]).places)
            changed = [c for c in fuser.clusters if c.cluster_id in fuser.touched]
            con.executemany(
                "INSERT OR IGNORE INTO geomap_doc_clusters VALUES (?, ?)",
                [(doc.doc_id, c.cluster_id) for c in changed if doc.doc_id in c.doc_ids()],
            )
            con.executemany(
                "INSERT OR REPLACE INTO geomap_clusters VALUES (?, ?, ?, ?, ?, ?, ?)",
                [_cluster_row(c) for c in changed],
            )
            con.execute("UPDATE geomap_meta SET value = ? WHERE key = 'next_id'", (str(fuser.next_id),))
            if changed:
                _rewrite_events(con, fuser, changed)
        total = int(con.execute("SELECT count(*) FROM events").fetchone()[0])
        _update_extents(con)
    return AddSummary(added=added, copies=copies, unchanged=unchanged, events=total)


def _fuser_for(con: sqlite3.Connection, rows: Sequence[dict[str, Any]], signature: Sequence[int]) -> Fuser:
    """Load what fusing one report needs: its candidate originals and the clusters of its countries."""
    index = CopyIndex()
    keys = band_keys(signature) if any(signature) else []
    marks = ",".join("?" * len(keys))
    candidates = con.execute(
        f"SELECT DISTINCT d.doc_id, d.signature FROM geomap_bands b JOIN geomap_documents d USING (doc_id) "
        f"WHERE b.band IN ({marks}) ORDER BY d.rowid",
        keys,
    ).fetchall()
    for doc_id, text in candidates:
        index.add(doc_id, tuple(json.loads(text)))
    countries = sorted(_countries(rows))
    dates = sorted(cell_text(r.get("event_date")) for r in rows if cell_text(r.get("event_date")))
    clusters: list[Cluster] = []
    if countries:
        import datetime as dt

        from geomap.fusion import UPDATE_DAYS, WINDOW_DAYS

        marks = ",".join("?" * len(countries))
        low, high = "", "9999"
        if dates:
            reach = dt.timedelta(days=UPDATE_DAYS + WINDOW_DAYS)
            low = (dt.date.fromisoformat(dates[0]) - reach).isoformat()
            high = (dt.date.fromisoformat(dates[-1]) + reach).isoformat()
        clusters = [
            _load_cluster(cluster_id, state)
            for cluster_id, state in con.execute(
                f"SELECT cluster_id, state FROM geomap_clusters WHERE country IN ({marks}) "
                "AND (first_date = '' OR (last_date >= ? AND first_date <= ?)) ORDER BY cluster_id",
                [*countries, low, high],
            )
        ]
    original = index.original_of(signature)
    if original is not None:
        # A copy adds its metadata to every cluster its original is in, whatever the country.
        have = {c.cluster_id for c in clusters}
        for cluster_id, state in con.execute(
            "SELECT c.cluster_id, c.state FROM geomap_doc_clusters d JOIN geomap_clusters c USING (cluster_id) "
            "WHERE d.doc_id = ? ORDER BY c.cluster_id",
            (original,),
        ):
            if cluster_id not in have:
                clusters.append(_load_cluster(cluster_id, state))
    next_id = int(con.execute("SELECT value FROM geomap_meta WHERE key = 'next_id'").fetchone()[0])
    return Fuser(clusters=clusters, copies=index, next_id=next_id)


def _insert(con: sqlite3.Connection, table: str, columns: dict[str, str], rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names = list(columns)
    geometry = bool(STORE_TABLES[table])
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * (len(names) + geometry))
    values = []
    for row in rows:
        cells: list[Any] = [_gpkg_blob(row.get("geometry"))] if geometry else []
        for name in names:
            value = _plain(row.get(name))
            kind = _kind(columns[name])
            if value is not None and kind == "bool":
                value = int(bool(value))
            elif value is not None and kind == "int":
                value = int(value)
            elif value is not None and kind == "float":
                value = float(value)
            elif value is not None and kind == "str":
                value = str(value)
            cells.append(value)
        values.append(cells)
    head = "geom, " if geometry else ""
    con.executemany(f'INSERT INTO "{table}" ({head}{quoted}) VALUES ({marks})', values)


def _rewrite_events(con: sqlite3.Connection, fuser: Fuser, changed: list[Cluster]) -> None:
    """
    Rewrite the public rows of the changed events.

    Where a country holds an area figure (a region's or the country's toll), area capping ties its
    events together and all of them are rewritten.
    """
    import json as _json

    from shapely.geometry import Point

    from geomap.fusion import fused_records

    countries = sorted({cell_text(c.lead.get("country_code")) for c in changed})
    marks = ",".join("?" * len(countries))
    capped = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT country FROM geomap_clusters WHERE area_counts = 1 AND country IN ({marks})", countries
        )
    ]
    loaded = {c.cluster_id: c for c in fuser.clusters}
    clusters = {c.cluster_id: c for c in changed}
    if capped:
        marks = ",".join("?" * len(capped))
        for cluster_id, state in con.execute(
            f"SELECT cluster_id, state FROM geomap_clusters WHERE country IN ({marks}) ORDER BY cluster_id", capped
        ):
            clusters.setdefault(cluster_id, loaded.get(cluster_id) or _load_cluster(cluster_id, state))
    records = fused_records([clusters[k] for k in sorted(clusters)])
    ids = [r["event_id"] for r in records]
    for table in ("events", "flows", "areas", "sources", "tolls"):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            con.execute(f'DELETE FROM "{table}" WHERE event_id IN ({",".join("?" * len(chunk))})', chunk)
    points: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    areas: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    tolls: list[dict[str, Any]] = []
    for record in records:
        lat, lon = record.get("lat"), record.get("lon")
        located = lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon))
        points.append({**record, "geometry": Point(lon, lat) if located else None})  # x = lon, y = lat
        kind = cell_text(record.get("geometry_kind"))
        if kind == "flow":
            flows.append(record)
        elif kind == "area":
            areas.append(record)
        for source in _json.loads(record["sources"]):
            sources.append({**source, "event_id": record["event_id"], "copy_of": ""})
            sources.extend(
                {"event_id": record["event_id"], **c, "evidence": source["evidence"], "copy_of": source["doc_id"]}
                for c in source["copies"]
            )
        tolls.extend({"event_id": record["event_id"], **e} for e in _json.loads(record["tolls"]))
    _insert(con, "events", _EVENT_TABLE, points)
    _insert(con, "flows", _EVENT_TABLE, flows)
    _insert(con, "areas", _EVENT_TABLE, [{**r, "geometry": _multi(r.get("geometry"))} for r in areas])
    _insert(con, "sources", _SOURCE_COLUMNS, sources)
    _insert(con, "tolls", _TOLL_COLUMNS, tolls)


def _multi(geometry: BaseGeometry | None) -> BaseGeometry | None:
    from shapely.geometry import MultiPolygon

    if geometry is None or geometry.geom_type != "Polygon":
        return geometry
    return MultiPolygon([geometry])


def _write_places(con: sqlite3.Connection, places: Any) -> None:
    rows = [
        {**row, "geometry": geometry}
        for row, geometry in zip(places.drop(columns="geometry").to_dict("records"), places.geometry, strict=True)
    ]
    _insert(con, "places", PLACE_COLUMNS, rows)


def _update_extents(con: sqlite3.Connection) -> None:
    for table in ("events", "places"):
        box = con.execute(f'SELECT min(lon), min(lat), max(lon), max(lat) FROM "{table}" WHERE lat IS NOT NULL')
        con.execute(
            "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
            (*box.fetchone(), table),
        )


def read_store(path: Path, *, title: str = "") -> Layers:
    """
    Read a store's fused events and places as map layers.

    Parameters
    ----------
    path
        A store written by :func:`add_results`.
    title
        Map title; default the store's file name.

    Returns
    -------
    Layers
        Events (flows and areas with their line and polygon) and places; no borders.

    Raises
    ------
    InputError
        When the file is missing or not a store.
    """
    from geomap.layers import BORDER_COLUMNS, Layers, empty_frame, frame_from_records

    if not path.is_file():
        msg = f"No such store: {path}; create it with 'geomap add REPORTS --store {path}'."
        raise InputError(msg)
    with closing(_connect(path)) as con:
        shapes = {}
        for table in ("flows", "areas"):
            for event_id, blob in con.execute(f'SELECT event_id, geom FROM "{table}"'):
                shapes[event_id] = _geometry_of(blob)
        frames = {}
        for table, columns in (("events", _EVENT_TABLE), ("places", PLACE_COLUMNS)):
            names = list(columns)
            quoted = ", ".join(f'"{n}"' for n in names)
            records = []
            for row in con.execute(f'SELECT geom, {quoted} FROM "{table}" ORDER BY fid'):
                record = dict(zip(names, row[1:], strict=True))
                for name in names:
                    if _kind(columns[name]) == "bool" and record[name] is not None:
                        record[name] = bool(record[name])
                record["geometry"] = shapes.get(record.get("event_id")) or _geometry_of(row[0])
                records.append(record)
            frames[table] = frame_from_records(records, columns)
    return Layers(
        events=frames["events"],
        places=frames["places"],
        borders=empty_frame(BORDER_COLUMNS),
        title=title or path.stem,
    )
