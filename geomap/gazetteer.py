"""
The offline name index over ``data/gazetteer.tsv.gz``.

The compact TSV in ``data/`` is the shipped form. On first use it is turned
into an SQLite index in the cache folder, keyed by the TSV's SHA-1, so a
rebuilt gazetteer gets a new index and later processes open it in
milliseconds with little memory. Lookups are by normalised name
(:func:`geomap.names.normalize_name`) and return ranked candidates.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sqlite3
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import GazetteerError, InputError
from geomap.model import Candidate, Place
from geomap.names import normalize_name
from geomap.paths import packaged_data_dir
from geomap.records import read_place_records

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FEATURE_WEIGHTS",
    "BoundingBox",
    "Gazetteer",
    "default_cache_dir",
    "default_data_dir",
    "feature_weight",
    "load_gazetteer",
]

FEATURE_WEIGHTS: dict[str, float] = {
    "A.PCLI": 1.0,
    "A.PCLD": 0.9,
    "A.PCLS": 0.9,
    "A.PCLF": 0.9,
    "A.PCL": 0.9,
    "L.CONT": 0.9,
    "P.PPLC": 0.8,
    "L.RGN": 0.7,
    "A.ADM1": 0.7,
    "P.PPLA": 0.7,
    "P.PPLA2": 0.65,
    "P.PPL": 0.6,
    "A.ADM2": 0.5,
}
"""Weight of a feature kind in the context-free prior; others fall back by class."""

_CLASS_WEIGHTS = {"P": 0.55, "A": 0.45, "L": 0.45, "H": 0.4, "T": 0.4, "S": 0.3, "R": 0.2, "V": 0.3, "U": 0.2}
# Areas without a population figure are large by nature: score them as a town of ~3k.
_AREA_POP_SCORE = 0.5
MAX_NAME_CHARS = 200
"""Longer queries cannot be a place name and match nothing."""

_MEMO_SIZE = 100_000
_ARTICLE_MIN_KEY = 4
"""Shortest name (normalised key) looked up again with the Arabic article "al" in front."""
_ARTICLE_TOWN = 10_000
"""A name found only with the article added must be a town at least this large."""
_DATA_ENV = "GEOMAP_DATA"
_CACHE_ENV = "GEOMAP_CACHE"
_SCHEMA_VERSION = "3"

logger = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """
    Return the folder holding the gazetteer and boundaries.

    Returns
    -------
    Path
        ``$GEOMAP_DATA`` when set, else :func:`packaged_data_dir`.
    """
    env = os.environ.get(_DATA_ENV)
    return Path(env) if env else packaged_data_dir()


def default_cache_dir() -> Path:
    """
    Return the folder for derived indexes.

    Returns
    -------
    Path
        ``$GEOMAP_CACHE`` when set, else ``$XDG_CACHE_HOME/geomap`` or ``~/.cache/geomap``.
    """
    env = os.environ.get(_CACHE_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "geomap"


def feature_weight(feature: str) -> float:
    """
    Return the prior weight of a GeoNames feature code.

    Parameters
    ----------
    feature
        Feature class and code, ``"P.PPL"``.

    Returns
    -------
    float
        Weight in [0, 1].

    Examples
    --------
    >>> feature_weight("A.PCLI"), feature_weight("H.STM")
    (1.0, 0.4)
    """
    return FEATURE_WEIGHTS.get(feature, _CLASS_WEIGHTS.get(feature[:1], 0.2))


def prior_of(place: Place) -> float:
    """
    Return the context-free plausibility of a place being the one meant.

    Parameters
    ----------
    place
        A gazetteer entry.

    Returns
    -------
    float
        Half feature weight, half log-population (10 million people score 1).
    """
    if place.population > 0:
        pop_score = min(1.0, math.log10(place.population + 1) / 7.0)
    elif place.feature_class in {"A", "L"}:
        pop_score = _AREA_POP_SCORE
    else:
        pop_score = 0.0
    return 0.5 * feature_weight(place.feature) + 0.5 * pop_score


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundingBox:
    """A latitude/longitude box; ``west > east`` crosses the antimeridian."""

    south: float
    """Southern edge, degrees."""
    west: float
    """Western edge, degrees."""
    north: float
    """Northern edge, degrees."""
    east: float
    """Eastern edge, degrees."""

    def contains(self, lat: float, lon: float) -> bool:
        """
        Tell whether a point lies in the box.

        Parameters
        ----------
        lat, lon
            The point.

        Returns
        -------
        bool
            True inside or on the edge.
        """
        if not self.south <= lat <= self.north:
            return False
        if self.west <= self.east:
            return self.west <= lon <= self.east
        return lon >= self.west or lon <= self.east


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_index(tsv_path: Path, index_path: Path) -> None:
    """
    Build the SQLite name index of a gazetteer file, atomically.

    Parameters
    ----------
    tsv_path
        ``gazetteer.tsv.gz``.
    index_path
        Destination; written to a temporary file first, then renamed.
    """
    index_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = index_path.with_name(f"{index_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE places (
                id INTEGER PRIMARY KEY, place_id TEXT NOT NULL, geonameid INTEGER,
                name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, feature TEXT NOT NULL,
                country_code TEXT NOT NULL, admin1_code TEXT NOT NULL, population INTEGER NOT NULL,
                source TEXT NOT NULL);
            CREATE TABLE names (key TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL,
                PRIMARY KEY (key, id, name)) WITHOUT ROWID;
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            """
        )
        place_rows: list[tuple[Any, ...]] = []
        name_rows: list[tuple[str, int, str]] = []
        for rowid, rec in enumerate(read_place_records(tsv_path), start=1):
            place_rows.append(
                (
                    rowid,
                    rec.place_id,
                    rec.geonameid,
                    rec.name,
                    rec.lat,
                    rec.lon,
                    rec.feature,
                    rec.country_code,
                    rec.admin1_code,
                    rec.population,
                    rec.source,
                )
            )
            for name in dict.fromkeys((rec.name, *rec.alternates)):
                key = normalize_name(name)
                if key:
                    name_rows.append((key, rowid, name))
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", place_rows)
        con.executemany("INSERT INTO names VALUES (?,?,?)", name_rows)
        con.executescript(
            """
            CREATE INDEX places_geonameid ON places (geonameid);
            CREATE INDEX places_place_id ON places (place_id);
            CREATE INDEX places_lat ON places (lat);
            CREATE INDEX places_admin1 ON places (admin1_code, feature);
            """
        )
        con.execute("INSERT INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
        con.commit()
    finally:
        con.close()
    tmp.replace(index_path)


_SEAL_BLOCK = 1 << 20


def _index_fingerprint(index: Path) -> dict[str, Any]:
    """Size and SHA-256 of the first and last MiB: cheap enough for every start, catches truncation and torn writes."""
    size = index.stat().st_size
    with index.open("rb") as handle:
        head = handle.read(_SEAL_BLOCK)
        handle.seek(max(0, size - _SEAL_BLOCK))
        tail = handle.read(_SEAL_BLOCK)
    return {"size": size, "head": hashlib.sha256(head).hexdigest(), "tail": hashlib.sha256(tail).hexdigest()}


def _seal_index(index: Path) -> None:
    """Record the fingerprint of a freshly built index beside it (written atomically)."""
    import json

    from geomap.atomic import write_text

    write_text(index.with_name(index.name + ".seal"), json.dumps(_index_fingerprint(index)))


def _index_intact(index: Path) -> bool:
    """Return True when the index matches its seal and its schema row reads back."""
    import json

    seal = index.with_name(index.name + ".seal")
    try:
        if json.loads(seal.read_text(encoding="utf-8")) != _index_fingerprint(index):
            return False
        con = sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
        finally:
            con.close()
    except (OSError, ValueError, sqlite3.Error):
        return False
    return row is not None and row[0] == _SCHEMA_VERSION


def _place_from_row(row: Sequence[Any]) -> Place:
    return Place(
        place_id=row[1],
        geonameid=row[2],
        name=row[3],
        lat=row[4],
        lon=row[5],
        feature=row[6],
        country_code=row[7],
        admin1_code=row[8],
        population=row[9],
        source=row[10],
    )


_PLACE_COLS = (
    "p.id, p.place_id, p.geonameid, p.name, p.lat, p.lon, p.feature, "
    "p.country_code, p.admin1_code, p.population, p.source"
)


class Gazetteer:
    """
    Read-only, process-safe access to the offline gazetteer.

    Parameters
    ----------
    index_path
        An SQLite index built by :func:`build_index`.
    data_dir
        The data folder it was built from (demonyms, boundaries).

    Notes
    -----
    Instances pickle by path, so they can be sent to worker processes or a
    Dask cluster; each process opens its own read-only connection.
    """

    def __init__(self, index_path: Path, data_dir: Path) -> None:
        self.index_path = index_path
        self.data_dir = data_dir
        self._local = threading.local()
        # Ranked candidates by key; bounded, cleared when full. Candidates are frozen.
        self._memo: dict[str, tuple[Candidate, ...]] = {}

    def __getstate__(self) -> dict[str, Path]:
        """Pickle the paths only."""
        return {"index_path": self.index_path, "data_dir": self.data_dir}

    def __setstate__(self, state: dict[str, Path]) -> None:
        """Reopen lazily in the receiving process."""
        self.__init__(state["index_path"], state["data_dir"])  # type: ignore[misc]

    @property
    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            uri = f"file:{self.index_path}?mode=ro"
            try:
                con = sqlite3.connect(uri, uri=True, check_same_thread=False)
                con.execute("SELECT 1 FROM meta").fetchone()
            except sqlite3.Error as err:
                msg = f"Cannot open the gazetteer index {self.index_path}: {err}; delete it to rebuild."
                raise GazetteerError(msg) from err
            self._local.con = con
        return con

    # ------------------------------------------------------------ lookups

    def lookup(
        self,
        name: str,
        *,
        country_codes: Iterable[str] | None = None,
        admin1_code: str | None = None,
        bbox: BoundingBox | None = None,
        features: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[Candidate]:
        """
        Find the places a name may refer to, most plausible first.

        Parameters
        ----------
        name
            A place name in any spelling or script.
        country_codes
            Keep only places in these ISO alpha-2 countries.
        admin1_code
            Keep only places in this admin-1 region (``"KG.08"``).
        bbox
            Keep only places inside this box.
        features
            Keep only these feature classes (``"P"``) or codes (``"A.ADM1"``).
        limit
            At most this many candidates.

        Returns
        -------
        list of Candidate
            Empty when nothing matches or the query cannot be a name.

        Raises
        ------
        InputError
            When ``name`` is not a string.

        Examples
        --------
        >>> gaz = load_gazetteer()
        >>> gaz.lookup("Jalalabad", country_codes=["KG"])[0].place.name
        'Jalal-Abad'
        """
        if not isinstance(name, str):
            msg = f"A place name must be a string, got {type(name).__name__}."
            raise InputError(msg)
        if len(name) > MAX_NAME_CHARS:
            return []
        key = normalize_name(name)
        if not key:
            return []
        cands = self._memo.get(key)
        if cands is None:
            cands = tuple(self._candidates_for_keys([key]).get(key, ()))
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = cands
        return self._filter(list(cands), country_codes, admin1_code, bbox, features, limit)

    def lookup_keys(self, keys: Iterable[str]) -> dict[str, list[Candidate]]:
        """
        Look up many normalised keys, querying the index once for those not seen before.

        Parameters
        ----------
        keys
            Keys made by :func:`geomap.names.normalize_name`.

        Returns
        -------
        dict
            Ranked candidates for each key that matched.
        """
        wanted = list(dict.fromkeys(k for k in keys if k))
        missing = [k for k in wanted if k not in self._memo]
        if missing:
            fresh = self._candidates_for_keys(missing)
            if len(self._memo) + len(missing) > _MEMO_SIZE:
                self._memo.clear()
            for key in missing:
                self._memo[key] = tuple(fresh.get(key, ()))
        out: dict[str, list[Candidate]] = {}
        for key in wanted:
            cands = self._memo.get(key)
            if cands is None:  # evicted by a concurrent clear; ask again
                cands = tuple(self._candidates_for_keys([key]).get(key, ()))
            if cands:
                out[key] = list(cands)
        return out

    def _candidates_for_keys(self, keys: Sequence[str], *, _with_article: bool = False) -> dict[str, list[Candidate]]:
        out: dict[str, list[Candidate]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._con.execute(
                f"SELECT n.key, n.name, {_PLACE_COLS} FROM names n JOIN places p ON p.id = n.id "
                f"WHERE n.key IN ({marks})",
                chunk,
            ).fetchall()
            spellings: dict[tuple[str, int], list[str]] = {}
            places: dict[tuple[str, int], Place] = {}
            for row in rows:
                pair = (row[0], row[2])
                spellings.setdefault(pair, []).append(row[1])
                if pair not in places:
                    places[pair] = _place_from_row(row[2:])
            for pair, place in places.items():
                key = pair[0]
                names = sorted(spellings[pair])
                # The main name's key is this key exactly when the main name is among the spellings found.
                if place.name in names:
                    names.remove(place.name)
                    names.insert(0, place.name)
                    bonus = 0.05
                else:
                    bonus = 0.0
                cand = Candidate(
                    place=place, matched_name=names[0], prior=min(1.0, prior_of(place) + bonus), spellings=tuple(names)
                )
                out.setdefault(key, []).append(cand)
        bare = [k for k in keys if k not in out and len(k) >= _ARTICLE_MIN_KEY and k.isalpha() and k[:2] != "al"]
        if bare and not _with_article:
            # "Qamishli" for "Al Qamishli": English often drops the Arabic article the gazetteer keeps; only a
            # town of some size is taken so (a village spelled alike is likelier a namesake than the meaning)
            found = self._candidates_for_keys([f"al{k}" for k in bare], _with_article=True)
            for k in bare:
                towns = [
                    c
                    for c in found.get(f"al{k}", ())
                    if c.place.feature_class == "P" and c.place.population >= _ARTICLE_TOWN
                ]
                if towns:
                    out[k] = towns
        for cands in out.values():
            cands.sort(key=lambda c: (-c.prior, -c.place.population, c.place.place_id))
        return out

    @staticmethod
    def _filter(
        cands: list[Candidate],
        country_codes: Iterable[str] | None,
        admin1_code: str | None,
        bbox: BoundingBox | None,
        features: Iterable[str] | None,
        limit: int | None,
    ) -> list[Candidate]:
        if country_codes is not None:
            wanted = {c.upper() for c in country_codes}
            cands = [c for c in cands if c.place.country_code in wanted]
        if admin1_code:
            cands = [c for c in cands if c.place.admin1_code == admin1_code]
        if bbox is not None:
            cands = [c for c in cands if bbox.contains(c.place.lat, c.place.lon)]
        if features is not None:
            kinds = tuple(features)
            cands = [c for c in cands if c.place.feature in kinds or c.place.feature_class in kinds]
        return cands[:limit] if limit is not None else cands

    def get(self, place_id: str) -> Place | None:
        """
        Return the place with this ``place_id`` (``"gn:1527534"``), or None.

        Parameters
        ----------
        place_id
            The stable key.

        Returns
        -------
        Place or None
            The entry.
        """
        row = self._con.execute(
            f"SELECT {_PLACE_COLS} FROM places p WHERE p.place_id = ?",
            (place_id,),
        ).fetchone()
        return _place_from_row(row) if row else None

    def by_geonameid(self, geonameid: int) -> Place | None:
        """
        Return the place with this GeoNames id, or None.

        Parameters
        ----------
        geonameid
            A GeoNames id.

        Returns
        -------
        Place or None
            The entry.
        """
        row = self._con.execute(
            f"SELECT {_PLACE_COLS} FROM places p WHERE p.geonameid = ?",
            (geonameid,),
        ).fetchone()
        return _place_from_row(row) if row else None

    def nearest(self, lat: float, lon: float, *, feature_class: str = "P", limit: int = 1) -> list[Place]:
        """
        Return the places of a feature class nearest to a point.

        Parameters
        ----------
        lat, lon
            The point, WGS84 degrees.
        feature_class
            GeoNames feature class to search (``"P"`` for populated places).
        limit
            Number of places wanted.

        Returns
        -------
        list of Place
            Nearest first (great-circle distance).
        """
        from geomap.geo import haversine_km

        span = 0.25
        while span <= 180.0:
            rows = self._con.execute(
                f"SELECT {_PLACE_COLS} FROM places p WHERE p.lat BETWEEN ? AND ? AND p.feature LIKE ?",
                (lat - span, lat + span, f"{feature_class}.%"),
            ).fetchall()
            lon_span = span / max(math.cos(math.radians(min(abs(lat) + span, 89.0))), 0.01)
            near = [
                _place_from_row(r) for r in rows if lon_span >= 180 or abs((r[5] - lon + 180) % 360 - 180) <= lon_span
            ]
            if len(near) >= limit:
                near.sort(key=lambda p: haversine_km(lat, lon, p.lat, p.lon))
                best = near[:limit]
                # A hit in the box corner may be farther than an unseen one just outside it.
                if haversine_km(lat, lon, best[-1].lat, best[-1].lon) <= span * 111.0 or span >= 90:
                    return best
            span *= 4
        return []

    # ------------------------------------------------------------ tables

    @cached_property
    def countries(self) -> dict[str, Place]:
        """Countries by ISO alpha-2 code."""
        rows = self._con.execute(f"SELECT {_PLACE_COLS} FROM places p WHERE p.feature LIKE 'A.PCL%'").fetchall()
        return {r[7]: _place_from_row(r) for r in rows}

    @cached_property
    def admin1_places(self) -> dict[str, Place]:
        """Admin-1 regions by GeoNames admin-1 code (``KG.08``)."""
        rows = self._con.execute(
            f"SELECT {_PLACE_COLS} FROM places p WHERE p.feature = 'A.ADM1' ORDER BY p.place_id"
        ).fetchall()
        out: dict[str, Place] = {}
        for r in rows:
            out.setdefault(r[8], _place_from_row(r))
        return out

    @cached_property
    def demonyms(self) -> dict[str, str]:
        """Country code (or continent ``gn:`` id) by normalised demonym (``"uzbek"`` -> ``"UZ"``)."""
        path = self.data_dir / "demonyms.tsv"
        out: dict[str, str] = {}
        with path.open(encoding="utf-8") as handle:
            next(handle, None)
            for line in handle:
                form, iso, _source = line.rstrip("\n").split("\t")
                out.setdefault(normalize_name(form), iso)
        return out

    @cached_property
    def common_words(self) -> dict[str, float]:
        """Zipf frequency of frequent English words by normalised form (``"march"`` -> 5.26)."""
        path = self.data_dir / "common_words.tsv"
        out: dict[str, float] = {}
        if not path.exists():
            return out
        with path.open(encoding="utf-8") as handle:
            next(handle, None)
            for line in handle:
                word, zipf = line.rstrip("\n").split("\t")
                out[word] = float(zipf)
        return out

    def country_code(self, value: str) -> str:
        """
        Return the ISO alpha-2 code of a country given by code or English name.

        Parameters
        ----------
        value
            ``"KG"``, ``"kg"``, ``"Kyrgyzstan"`` or ``"U.S."``.

        Returns
        -------
        str
            The ISO alpha-2 code.

        Raises
        ------
        InputError
            When no country has that code or name.
        """
        code = value.strip()
        if code.upper() in self.countries:
            return code.upper()
        for cand in self.lookup(code):
            if cand.place.is_country:
                return cand.place.country_code
        msg = f"Unknown country {value!r}; give an ISO 3166-1 alpha-2 code (KG) or an English name (Kyrgyzstan)."
        raise InputError(msg)

    def resolve_code(self, code: str) -> Place | None:
        """
        Return the place a demonym code points to: a country code or a ``gn:`` place id.

        Parameters
        ----------
        code
            ``"UZ"`` or ``"gn:6255148"``.

        Returns
        -------
        Place or None
            The country or continent.
        """
        return self.get(code) if ":" in code else self.countries.get(code)

    def describe(self, place: Place) -> str:
        """
        Return a readable address: place, admin-1 region, country.

        Parameters
        ----------
        place
            A gazetteer entry.

        Returns
        -------
        str
            For example ``"Jalal-Abad, Jalal-Abad, Kyrgyzstan"``.
        """
        parts = [place.name]
        region = self.admin1_places.get(place.admin1_code)
        if region is not None and region.place_id != place.place_id:
            parts.append(region.name)
        country = self.countries.get(place.country_code)
        if country is not None and country.place_id != place.place_id:
            parts.append(country.name)
        return ", ".join(parts)


_LOAD_LOCK = threading.Lock()
_LOADED: dict[tuple[Path, Path], Gazetteer] = {}


def load_gazetteer(data_dir: Path | None = None, cache_dir: Path | None = None) -> Gazetteer:
    """
    Open the gazetteer, building its index on first use.

    Parameters
    ----------
    data_dir
        Folder with ``gazetteer.tsv.gz``; default :func:`default_data_dir`.
    cache_dir
        Folder for the index; default :func:`default_cache_dir`.

    Returns
    -------
    Gazetteer
        Shared per process for the same folders.

    Raises
    ------
    GazetteerError
        When the gazetteer file is missing.
    """
    data_dir = (data_dir or default_data_dir()).resolve()
    cache_dir = (cache_dir or default_cache_dir()).resolve()
    with _LOAD_LOCK:
        cached = _LOADED.get((data_dir, cache_dir))
        if cached is not None:
            return cached
        tsv = data_dir / "gazetteer.tsv.gz"
        if not tsv.exists():
            msg = f"No gazetteer at {tsv}; run 'geomap data build' or set {_DATA_ENV}."
            raise GazetteerError(msg)
        index = cache_dir / f"gazetteer-{_sha1(tsv)[:16]}-v{_SCHEMA_VERSION}.sqlite"
        if index.exists() and not _index_intact(index):
            logger.warning("the gazetteer index %s is damaged or incomplete; rebuilding it", index)
            index.unlink(missing_ok=True)
        if not index.exists():
            build_index(tsv, index)
            _seal_index(index)
        gaz = Gazetteer(index, data_dir)
        _LOADED[(data_dir, cache_dir)] = gaz
        return gaz
