import logging
import shutil
import zipfile
from pathlib import Path

import pytest

from geomap.databuild import PlaceRecord, read_place_records, write_gazetteer
from geomap.errors import DataBuildError, InputError
from geomap.gazetteer import Gazetteer, build_index
from geomap.geonames_dump import FEATURE_CLASSES, read_geonames_dump

DUMP = Path(__file__).parent / "data" / "geonames_dump"
DUMP_FILES = ("allCountries.txt", "admin1CodesASCII.txt", "countryInfo.txt", "alternateNamesV2.txt")

NARYN_RIVER = 1527979
SULAYMAN_TOO = 1527380
OSH = 1527534
OSH_OBLAST = 1527592
KYRGYZSTAN = 1527747
JALAL_ABAD = 1528249
JALAL_ABAD_OBLAST = 1529778
BISHKEK = 1528675
UZBEKISTAN = 1512440
ANDIJAN = 1514588
TASH_BULAK = 1528990
AIRPORT = 7668690
RIDGE = 3373405
HIGHWAY = 8604301


def _zip(txt: Path, *extra_members: tuple[str, str]) -> Path:
    """Zip ``name.txt`` into ``name.zip`` beside it, as GeoNames ships it, and remove the .txt."""
    archive = txt.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(txt, txt.name)
        for name, text in extra_members:
            zf.writestr(name, text)
    txt.unlink()
    return archive


def _dump(dest: Path, *, zipped: bool = False, files: tuple[str, ...] = DUMP_FILES) -> Path:
    """Copy the fixture dump into ``dest``, zipping the large files when asked."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(DUMP / name, dest / name)
    if zipped:
        _zip(dest / "allCountries.txt")
        if (dest / "alternateNamesV2.txt").exists():
            _zip(dest / "alternateNamesV2.txt", ("iso-languagecodes.txt", "ISO 639-3\tISO 639-2\n"))
    return dest


def _by_id(records: list[PlaceRecord]) -> dict[int, PlaceRecord]:
    return {r.geonameid: r for r in records if r.geonameid is not None}


def _main_rows() -> list[list[str]]:
    text = (DUMP / "allCountries.txt").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()]


def test_geonames_dump_keeps_every_feature_class(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path)))
    assert {p.feature.split(".")[0] for p in places.values()} == set(FEATURE_CLASSES)
    assert places[NARYN_RIVER].feature == "H.STM"
    assert places[SULAYMAN_TOO].feature == "T.MT"
    assert places[JALAL_ABAD_OBLAST].feature == "A.ADM1"
    assert places[KYRGYZSTAN].feature == "A.PCLI"
    assert places[BISHKEK].feature == "P.PPLC"  # the dump's code is kept
    assert places[OSH].feature == "P.PPLA"


def test_geonames_dump_record_fields(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path)))
    osh = places[OSH]
    assert (osh.place_id, osh.name, osh.country_code, osh.admin1_code) == ("gn:1527534", "Osh", "KG", "KG.08")
    assert (osh.lat, osh.lon, osh.population, osh.source) == (40.52828, 72.7985, 322164, "geonames-dump")
    assert places[JALAL_ABAD].name == "Manas"  # GeoNames' name; the build applies display names
    assert (places[RIDGE].country_code, places[RIDGE].admin1_code) == ("", "")
    assert places[HIGHWAY].admin1_code == ""
    assert places[HIGHWAY].alternates == ("Bishkek-Osh Highway", "M41")  # ASCII name kept as an alternate


def test_geonames_dump_adds_alternate_names(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path)))
    assert "Jalal-Abad" in places[JALAL_ABAD].alternates  # from alternateNamesV2
    assert "Dzhalal-Abad" in places[JALAL_ABAD].alternates  # from the main table
    assert "O‘sh" in places[OSH].alternates
    assert "BSK" in places[BISHKEK].alternates  # abbreviations are kept
    assert "Jalal-Abad Region" in places[JALAL_ABAD_OBLAST].alternates


@pytest.mark.parametrize(
    ("geonameid", "name"),
    [
        (JALAL_ABAD, "https://en.wikipedia.org/wiki/Jalal-Abad"),  # link
        (JALAL_ABAD, "Dzhalal-Abad Kishlak"),  # historic
        (JALAL_ABAD, "Jalal"),  # colloquial
        (OSH, "Q179694"),  # wkdt
        (OSH_OBLAST, "Osh-la-Montagne"),  # fr_1793
        (KYRGYZSTAN, "720000"),  # post
        (ANDIJAN, "Andizhan"),  # no longer used ("to" period)
        (BISHKEK, "Frunze"),  # historic, also in the main table's alternatenames
        (BISHKEK, "Pishpek"),
        (BISHKEK, "FRU"),  # iata, also in the main table
        (AIRPORT, "FRU"),
        (AIRPORT, "UCFM"),  # icao
    ],
)
def test_geonames_dump_skips_links_codes_historic_and_colloquial_names(
    tmp_path: Path, geonameid: int, name: str
) -> None:
    place = _by_id(read_geonames_dump(_dump(tmp_path)))[geonameid]
    assert name not in place.alternates


def test_geonames_dump_without_alternate_names_keeps_the_main_table_column(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path, files=("allCountries.txt",))))
    assert {"Bichkek", "FRU", "Frunze", "Pishpek", "Бишкек"} <= set(places[BISHKEK].alternates)
    assert "Jalal-Abad" not in places[JALAL_ABAD].alternates
    assert "Uzbekistan" not in places[UZBEKISTAN].alternates
    assert 9999999 not in places


def test_geonames_dump_adds_admin1_and_country_names(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path)))
    assert "Jalal-Abad" in places[JALAL_ABAD_OBLAST].alternates  # admin1CodesASCII
    assert "Osh" in places[OSH_OBLAST].alternates
    assert places[UZBEKISTAN].name == "Republic of Uzbekistan"
    assert "Uzbekistan" in places[UZBEKISTAN].alternates  # countryInfo
    assert "Kyrgyzstan" not in places[KYRGYZSTAN].alternates  # the name itself is never an alternate


def test_geonames_dump_zip_and_txt_give_the_same_records(tmp_path: Path) -> None:
    plain = read_geonames_dump(_dump(tmp_path / "plain"))
    zipped_dir = _dump(tmp_path / "zipped", zipped=True)
    assert sorted(p.name for p in zipped_dir.iterdir()) == [
        "admin1CodesASCII.txt",
        "allCountries.zip",
        "alternateNamesV2.zip",
        "countryInfo.txt",
    ]
    assert read_geonames_dump(zipped_dir) == plain
    assert len(plain) == len(_main_rows())


def test_geonames_dump_reads_the_older_alternate_names_file(tmp_path: Path) -> None:
    dump = _dump(tmp_path, files=("allCountries.txt",))
    lines = (DUMP / "alternateNamesV2.txt").read_text(encoding="utf-8").splitlines()
    eight_columns = ["\t".join(line.split("\t")[:8]) for line in lines]
    (dump / "alternateNames.txt").write_text("\n".join(eight_columns) + "\n", encoding="utf-8")
    places = _by_id(read_geonames_dump(dump))
    assert "Jalal-Abad" in places[JALAL_ABAD].alternates
    assert "Frunze" not in places[BISHKEK].alternates


def test_geonames_dump_picks_the_most_inclusive_cities_file(tmp_path: Path) -> None:
    rows = [r for r in _main_rows() if r[6] == "P"]
    big = [r for r in rows if int(r[14]) >= 15000]
    (tmp_path / "cities15000.txt").write_text("".join("\t".join(r) + "\n" for r in big), encoding="utf-8")
    (tmp_path / "cities500.txt").write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    _zip(tmp_path / "cities500.txt")
    ids = [p.geonameid for p in read_geonames_dump(tmp_path)]
    assert ids == sorted(int(r[0]) for r in rows)
    shutil.copy(DUMP / "allCountries.txt", tmp_path)  # allCountries wins over any cities file
    assert len(read_geonames_dump(tmp_path)) == len(_main_rows())


def test_geonames_dump_feature_classes_filter(tmp_path: Path) -> None:
    places = read_geonames_dump(_dump(tmp_path), feature_classes=["H", "t"])
    assert {p.feature for p in places} == {"H.STM", "H.LK", "T.MT"}


@pytest.mark.parametrize("classes", [["X"], [], ["P", "PPL"]])
def test_geonames_dump_rejects_unknown_feature_classes(tmp_path: Path, classes: list[str]) -> None:
    with pytest.raises(InputError, match="choose among A, H, L, P, R, S, T, U, V"):
        read_geonames_dump(_dump(tmp_path), feature_classes=classes)


def test_geonames_dump_min_population_drops_small_populated_places_only(tmp_path: Path) -> None:
    places = _by_id(read_geonames_dump(_dump(tmp_path), min_population=1000))
    assert TASH_BULAK not in places
    assert {OSH, NARYN_RIVER, SULAYMAN_TOO, JALAL_ABAD_OBLAST} <= set(places)
    with pytest.raises(InputError, match="min_population must be 0 or more"):
        read_geonames_dump(tmp_path, min_population=-1)


def test_geonames_dump_skips_and_counts_malformed_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clean = read_geonames_dump(_dump(tmp_path / "clean"))
    dump = _dump(tmp_path / "dirty")
    good = _main_rows()[0]
    bad_rows = [
        good[:18],  # a column short
        ["1", "Nowhere", "Nowhere", "", "north", "72.1", *good[6:]],  # not a float
        ["2", "Nowhere", "Nowhere", "", "123.5", "72.1", *good[6:]],  # latitude out of range
        ["3", "Nowhere", "Nowhere", "", "nan", "72.1", *good[6:]],
        ["x4", *good[1:]],  # not an id
    ]
    with (dump / "allCountries.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # a blank line is not a malformed row
        handle.writelines("\t".join(r) + "\n" for r in bad_rows)
    with caplog.at_level(logging.WARNING, logger="geomap.geonames_dump"):
        assert read_geonames_dump(dump) == clean
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert messages[0].startswith("skipped 5 malformed rows of allCountries.txt")
    assert f"first at line {len(_main_rows()) + 2}" in messages[0]


def test_geonames_dump_missing_main_table_lists_expected_files(tmp_path: Path) -> None:
    _dump(tmp_path, files=("admin1CodesASCII.txt", "countryInfo.txt", "alternateNamesV2.txt"))
    with pytest.raises(DataBuildError, match=r"expected allCountries\.zip or allCountries\.txt.*cities500"):
        read_geonames_dump(tmp_path)


def test_geonames_dump_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataBuildError, match="does not exist"):
        read_geonames_dump(tmp_path / "nowhere")


def test_geonames_dump_corrupt_zip(tmp_path: Path) -> None:
    (tmp_path / "allCountries.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataBuildError, match=r"Cannot open .*allCountries\.zip as a zip file"):
        read_geonames_dump(tmp_path)


def test_geonames_dump_file_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "cities500.txt").write_bytes("1527534\tOsh\u00e9\n".encode("latin-1"))
    with pytest.raises(DataBuildError, match=r"Cannot read .*cities500\.txt.*download it again"):
        read_geonames_dump(tmp_path)


def test_geonames_dump_zip_without_its_member(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "cities500.zip", "w") as zf:
        zf.writestr("readme.txt", "nothing here\n")
    with pytest.raises(DataBuildError, match=r"has no member 'cities500\.txt'"):
        read_geonames_dump(tmp_path)


def test_geonames_dump_output_is_deterministic(tmp_path: Path) -> None:
    first = read_geonames_dump(_dump(tmp_path / "a"))
    second = read_geonames_dump(_dump(tmp_path / "b", zipped=True))
    assert first == second
    assert [p.geonameid for p in first] == sorted(p.geonameid for p in first if p.geonameid is not None)
    assert all(p.alternates == tuple(sorted(set(p.alternates))) for p in first)
    write_gazetteer(first, tmp_path / "a.tsv.gz")
    write_gazetteer(second, tmp_path / "b.tsv.gz")
    assert (tmp_path / "a.tsv.gz").read_bytes() == (tmp_path / "b.tsv.gz").read_bytes()
    assert list(read_place_records(tmp_path / "a.tsv.gz")) == sorted(first, key=lambda r: r.place_id)


def test_geonames_dump_end_to_end_lookup(tmp_path: Path) -> None:
    records = read_geonames_dump(_dump(tmp_path / "dump", zipped=True))
    tsv = tmp_path / "g.tsv.gz"
    write_gazetteer(records, tsv)
    build_index(tsv, tmp_path / "g.sqlite")
    gazetteer = Gazetteer(tmp_path / "g.sqlite", tmp_path)
    assert JALAL_ABAD in [c.place.geonameid for c in gazetteer.lookup("Jalal-Abad")]
    best = gazetteer.lookup("Jalal-Abad", features=["P"])[0].place
    assert (best.geonameid, best.name, best.feature, best.admin1_code) == (JALAL_ABAD, "Manas", "P.PPLA", "KG.03")
    assert gazetteer.lookup("Naryn", features=["H"])[0].place.feature == "H.STM"
    assert gazetteer.lookup("Frunze") == []
