import pickle

import pytest

from geomap.errors import InputError
from geomap.gazetteer import BoundingBox, Gazetteer, feature_weight, prior_of
from geomap.geo import haversine_km


def test_gazetteer_osh_resolves_to_the_kyrgyz_city(gazetteer: Gazetteer) -> None:
    best = gazetteer.lookup("Osh")[0].place
    assert (best.country_code, best.feature_class) == ("KG", "P")
    assert best.lat == pytest.approx(40.53, abs=0.01)
    assert best.lon == pytest.approx(72.80, abs=0.01)


@pytest.mark.parametrize("spelling", ["Jalalabad", "Jalal-Abad", "Djalal-Abad", "Джалал-Абад", "jalal abad"])
def test_gazetteer_jalalabad_spellings_in_kyrgyzstan(gazetteer: Gazetteer, spelling: str) -> None:
    best = gazetteer.lookup(spelling, country_codes=["KG"], features=["P"])[0].place
    assert best.geonameid == 1528249
    assert best.name == "Jalal-Abad"  # GeoNames says "Manas"; readers know Jalal-Abad
    assert (best.lat, best.lon) == pytest.approx((40.94, 72.99), abs=0.01)


def test_gazetteer_jalalabad_with_country_kg_ranks_the_kyrgyz_city_first(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Jalalabad", country_codes=["kg"])[0].place.geonameid == 1528249


def test_gazetteer_jalalabad_without_country_lists_afghanistan_and_kyrgyzstan(gazetteer: Gazetteer) -> None:
    countries = [c.place.country_code for c in gazetteer.lookup("Jalalabad")]
    assert "AF" in countries
    assert "KG" in countries
    assert countries[0] == "AF"  # the larger city wins without context


def test_gazetteer_cyrillic_osh(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Ош")[0].place.geonameid == 1527534


@pytest.mark.parametrize(
    ("name", "iso"), [("U.S.", "US"), ("Britain", "GB"), ("Kyrgyzstan", "KG"), ("Mexico", "MX"), ("Georgia", "GE")]
)
def test_gazetteer_country_names_resolve_to_countries(gazetteer: Gazetteer, name: str, iso: str) -> None:
    best = gazetteer.lookup(name)[0].place
    assert best.is_country
    assert best.country_code == iso


@pytest.mark.parametrize(("name", "slug"), [("Middle East", "middle-east"), ("Fergana Valley", "fergana-valley")])
def test_gazetteer_macro_regions(gazetteer: Gazetteer, name: str, slug: str) -> None:
    assert gazetteer.lookup(name)[0].place.place_id == f"geomap:{slug}"


def test_gazetteer_us_county(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("Orange County", country_codes=["US"], admin1_code="US.CA")[0].place
    assert place.feature == "A.ADM2"
    assert 33 < place.lat < 34.2


def test_gazetteer_demonyms_map_to_countries(gazetteer: Gazetteer) -> None:
    assert gazetteer.demonyms["uzbek"] == "UZ"
    assert gazetteer.demonyms["kyrgyz"] == "KG"
    assert gazetteer.demonyms["american"] == "US"


def test_gazetteer_osh_oblast_region_name(gazetteer: Gazetteer) -> None:
    place = gazetteer.lookup("Osh Oblast")[0].place
    assert (place.feature, place.admin1_code, place.geonameid) == ("A.ADM1", "KG.08", 1346798)


def test_gazetteer_filters(gazetteer: Gazetteer) -> None:
    box = BoundingBox(south=39.0, west=69.0, north=43.0, east=75.0)
    inside = gazetteer.lookup("Jalalabad", bbox=box)
    assert inside
    assert all(c.place.country_code == "KG" for c in inside)
    assert gazetteer.lookup("Osh", country_codes=["BR"]) == []
    assert gazetteer.lookup("Osh", limit=1)[0].place.geonameid == 1527534


def test_gazetteer_bbox_across_antimeridian() -> None:
    box = BoundingBox(south=-20.0, west=170.0, north=-10.0, east=-170.0)
    assert box.contains(-15.0, 179.0)
    assert box.contains(-15.0, -175.0)
    assert not box.contains(-15.0, 0.0)


@pytest.mark.parametrize("query", ["", "   ", "zzqxqzzqxq", "\x00\x01\x02", "x" * 1_000_000, "Osh\x00" * 300])
def test_gazetteer_bad_queries_give_empty_results(gazetteer: Gazetteer, query: str) -> None:
    assert gazetteer.lookup(query) == []


def test_gazetteer_non_string_query_is_a_clear_error(gazetteer: Gazetteer) -> None:
    with pytest.raises(InputError, match="must be a string"):
        gazetteer.lookup(b"Osh")  # type: ignore[arg-type]


def test_gazetteer_pickles_by_path(gazetteer: Gazetteer) -> None:
    clone = pickle.loads(pickle.dumps(gazetteer))
    assert clone.index_path == gazetteer.index_path
    assert clone.lookup("Osh")[0].place == gazetteer.lookup("Osh")[0].place


def test_gazetteer_nearest_place(gazetteer: Gazetteer) -> None:
    near = gazetteer.nearest(40.60, 72.78, limit=3)
    assert near[0].geonameid == 1527534
    dists = [haversine_km(40.60, 72.78, p.lat, p.lon) for p in near]
    assert dists == sorted(dists)


def test_gazetteer_prior_prefers_countries_and_big_cities(gazetteer: Gazetteer) -> None:
    country = gazetteer.lookup("Mexico")[0]
    town = next(c for c in gazetteer.lookup("Mexico") if c.place.feature_class == "P" and c.place.country_code == "US")
    assert country.prior > town.prior
    assert feature_weight("A.PCLI") > feature_weight("P.PPL") > feature_weight("S.HTL")
    assert 0.0 <= prior_of(town.place) <= 1.0


def test_a_damaged_index_is_detected_and_rebuilt(tmp_path, caplog) -> None:
    import geomap.gazetteer as gz

    cache = tmp_path / "cache"
    gaz = gz.load_gazetteer(cache_dir=cache)
    index = gaz.index_path
    assert gz._index_intact(index)
    with index.open("r+b") as handle:  # a torn write: the file cut short
        handle.truncate(index.stat().st_size // 2)
    assert not gz._index_intact(index)
    gz._LOADED.clear()
    with caplog.at_level("WARNING", logger="geomap"):
        again = gz.load_gazetteer(cache_dir=cache)
    assert "damaged or incomplete; rebuilding" in caplog.text
    assert gz._index_intact(again.index_path)
    assert again.lookup("Osh", country_codes=["KG"])
    gz._LOADED.clear()
