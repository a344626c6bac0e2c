from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.gazetteer import Gazetteer
from geomap.geoparse import ParsedDocument, geoparse_document, parsed_to_json
from geomap.ingest import Document, read_documents

SEED = Path(__file__).resolve().parent.parent / "seeds" / "osh-2010-06-12.txt"


@pytest.fixture(scope="module")
def seed(gazetteer: Gazetteer) -> ParsedDocument:
    return geoparse_document(next(read_documents(SEED)), gazetteer)


def _by_text(parsed: ParsedDocument, surface: str) -> list:
    return [r for r in parsed.resolutions if r.mention.text == surface]


def test_geoparse_seed_osh_is_the_kyrgyz_city(seed: ParsedDocument) -> None:
    osh = _by_text(seed, "Osh")
    assert len(osh) == 4
    assert {r.place.geonameid for r in osh} == {1527534}


def test_geoparse_seed_jalalabad_is_jalal_abad_kyrgyzstan(seed: ParsedDocument) -> None:
    (jalalabad,) = _by_text(seed, "Jalalabad")
    assert jalalabad.place.country_code == "KG"
    assert jalalabad.role == "region"  # "the neighboring region of Jalalabad"
    assert jalalabad.place.admin1_code == "KG.03"
    assert jalalabad.point == pytest.approx((40.94, 72.99), abs=0.01)
    assert jalalabad.seat.geonameid == 1528249


def test_geoparse_seed_border_with_uzbekistan(seed: ParsedDocument) -> None:
    (border,) = seed.borders
    assert border.text == "border with Uzbekistan"
    assert border.country_codes == ("KG", "UZ")
    assert border.inferred


@pytest.mark.parametrize(
    ("surface", "iso"),
    [
        ("Kyrgyzstan", "KG"),
        ("Uzbekistan", "UZ"),
        ("Russia", "RU"),
        ("China", "CN"),
        ("Afghanistan", "AF"),
        ("U.S.", "US"),
    ],
)
def test_geoparse_seed_countries_recognised(seed: ParsedDocument, surface: str, iso: str) -> None:
    found = _by_text(seed, surface)
    assert found
    assert all(r.place.is_country and r.place.country_code == iso for r in found)


def test_geoparse_seed_moscow_is_metonymic(seed: ParsedDocument) -> None:
    moscow = _by_text(seed, "Moscow")
    assert moscow
    assert all(r.place.name == "Moscow" and r.place.country_code == "RU" for r in moscow)
    assert all(r.metonymic for r in moscow)  # "Moscow Says No", "A statement from Moscow said"
    assert not any(r.mention.text == "Moscow" for r in seed.places())


def test_geoparse_seed_demonyms_are_their_own_kind(seed: ParsedDocument) -> None:
    kinds = {r.mention.text: r.role for r in seed.resolutions}
    assert kinds["Uzbek"] == "demonym"
    assert kinds["Kyrgyz"] == "demonym"
    assert kinds["Russian"] == "demonym"
    assert "Uzbek" not in {r.mention.text for r in seed.places()}


def test_geoparse_seed_person_names_are_not_places(seed: ParsedDocument) -> None:
    texts = {r.mention.text for r in seed.resolutions}
    assert not texts & {"Roza", "Otunbayeva", "Islam", "Karimov", "Dmitri", "Medvedev"}


def _parse(gazetteer: Gazetteer, text: str) -> ParsedDocument:
    return geoparse_document(Document(doc_id="t", text=text), gazetteer)


def test_geoparse_country_name_is_a_country_even_in_a_us_story(gazetteer: Gazetteer) -> None:
    text = (
        "U.S. officials in Washington and Texas met traders from Missouri. "
        "They discussed imports from Mexico and the U.S. economy."
    )
    (mexico,) = _by_text(_parse(gazetteer, text), "Mexico")
    assert mexico.place.is_country
    assert mexico.place.country_code == "MX"


def test_geoparse_containment_pattern(gazetteer: Gazetteer) -> None:
    parsed = _parse(gazetteer, "The fair was held in Paris, Texas, last week.")
    (paris,) = _by_text(parsed, "Paris")
    assert paris.place.country_code == "US"
    assert paris.place.admin1_code == "US.TX"


def test_geoparse_story_context_disambiguates(gazetteer: Gazetteer) -> None:
    kyrgyz = _parse(gazetteer, "Violence spread from Osh in Kyrgyzstan to Jalalabad, officials said.")
    afghan = _parse(gazetteer, "Taliban fighters attacked Jalalabad, east of Kabul in Afghanistan.")
    assert _by_text(kyrgyz, "Jalalabad")[0].place.country_code == "KG"
    assert _by_text(afghan, "Jalalabad")[0].place.country_code == "AF"


def test_geoparse_common_words_are_not_places(gazetteer: Gazetteer) -> None:
    parsed = _parse(gazetteer, "In March the committee met again. Reading the report took hours. Mobile phones rang.")
    assert {r.mention.text for r in parsed.resolutions}.isdisjoint({"March", "Reading", "Mobile"})


def test_geoparse_kyrgyz_uzbek_border(gazetteer: Gazetteer) -> None:
    parsed = _parse(gazetteer, "Refugees crossed the Kyrgyz-Uzbek border near Osh.")
    (border,) = parsed.borders
    assert set(border.country_codes) == {"KG", "UZ"}
    assert not border.inferred


def test_geoparse_gold_spans_mode_resolves_exactly_the_given_spans(gazetteer: Gazetteer) -> None:
    text = "Talks in Osh and Bishkek ended."
    doc = Document(doc_id="g", text=text)
    parsed = geoparse_document(doc, gazetteer, gold_spans=[(9, 12), (0, 5), (17, 24)])
    assert [(r.mention.start_char, r.mention.end_char) for r in parsed.resolutions] == [(0, 5), (9, 12), (17, 24)]
    assert parsed.resolutions[1].place.geonameid == 1527534
    assert parsed.resolutions[0].place is None  # "Talks" is no place: listed, unresolved


def test_geoparse_json_line_format(seed: ParsedDocument) -> None:
    line = parsed_to_json(seed)
    assert line["id"] == "osh-2010-06-12"
    first = line["toponyms"][0]
    assert {"start", "end", "name", "lat", "lon", "geonameid", "country_code", "feature", "score"} <= first.keys()
    assert 0.0 <= first["score"] <= 1.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(max_size=400)
    | st.lists(
        st.sampled_from(
            [
                "Osh",
                "Kyrgyzstan",
                "the",
                "border",
                "with",
                "Uzbek",
                ",",
                " ",
                "-",
                "U.S.",
                "March",
                "\n",
                "'s",
                "Moscow",
                "says",
                "region",
                "of",
                "Jalalabad",
                "Ош",
                "\x00",
            ]
        ),
        max_size=60,
    ).map(" ".join)
)
def test_geoparse_never_raises_and_spans_match(gazetteer: Gazetteer, text: str) -> None:
    doc = Document(doc_id="h", text=text)
    first = geoparse_document(doc, gazetteer)
    for res in first.resolutions:
        assert text[res.mention.start_char : res.mention.end_char] == res.mention.text
        assert 0.0 <= res.score <= 1.0
    for border in first.borders:
        assert text[border.start_char : border.end_char] == border.text
    assert parsed_to_json(geoparse_document(doc, gazetteer)) == parsed_to_json(first)


@pytest.mark.parametrize(
    ("text", "surface", "name", "iso"),
    [
        ("Students rallied in Lee's Summit on Monday.", "Lee's Summit", "Lee's Summit", "US"),
        ("Shots were fired in Leon de los Aldama overnight.", "Leon de los Aldama", "León de los Aldama", "MX"),
        ("Shelling was reported in Deir ez Zor countryside.", "Deir ez Zor", "Deir ez-Zor", "SY"),
    ],
)
def test_geoparse_multiword_names_with_particles_and_possessives(
    gazetteer: Gazetteer, text: str, surface: str, name: str, iso: str
) -> None:
    (res,) = _by_text(_parse(gazetteer, text), surface)
    assert res.place.name == name
    assert res.place.country_code == iso


def test_geoparse_capital_named_like_its_region_or_an_alias(gazetteer: Gazetteer) -> None:
    # "Tunis" is also an alias of Tunisia, and Malta has a Rabat region: the capitals are meant.
    tunis = _parse(gazetteer, "Teachers gathered in Tunis (Bab Souika, Tunis) on Sunday.")
    assert {r.place.feature for r in _by_text(tunis, "Tunis")} == {"P.PPLC"}
    rabat = _parse(gazetteer, "Nurses held a sit-in in Rabat (Rabat) on Monday.")
    assert {r.place.country_code for r in _by_text(rabat, "Rabat")} == {"MA"}


def test_geoparse_embassy_in_a_city_is_a_location(gazetteer: Gazetteer) -> None:
    parsed = _parse(
        gazetteer, "Hundreds protested outside the French embassy in Canberra. A statement from Paris followed."
    )
    (canberra,) = _by_text(parsed, "Canberra")
    assert not canberra.metonymic
    (paris,) = _by_text(parsed, "Paris")
    assert paris.metonymic


def test_geoparse_big_city_over_its_same_named_province(gazetteer: Gazetteer) -> None:
    # Natural Earth's Spanish admin-1 regions are provinces: the bare name is the city.
    (barcelona,) = _by_text(_parse(gazetteer, "Thousands protested in Barcelona on Tuesday."), "Barcelona")
    assert barcelona.place.feature_class == "P"
    assert barcelona.place.country_code == "ES"


def test_geoparse_airport_codes_do_not_match_ordinary_words(gazetteer: Gazetteer) -> None:
    parsed = _parse(gazetteer, "Militants shelled the camp in the town of Ber on Monday.")
    assert all(r.place is None or r.place.name != "Berlin" for r in parsed.resolutions)


def test_geoparse_containment_through_a_feature_word(gazetteer: Gazetteer) -> None:
    kartal = _parse(gazetteer, "Members staged a demonstration in Kartal town, Istanbul, on Monday.")
    assert _by_text(kartal, "Kartal")[0].place.country_code == "TR"
    osh = _parse(gazetteer, "Traders from Osh in Kyrgyzstan met on Friday.")
    assert _by_text(osh, "Osh")[0].place.country_code == "KG"


@pytest.mark.parametrize("hint", ["GB", "gb", "United Kingdom"])
def test_geoparse_country_hint_vetoes_namesakes_abroad(gazetteer: Gazetteer, hint: str) -> None:
    doc = Document(doc_id="h", text="Clashes broke out in Lancaster on Monday, police said.", country=hint)
    (res,) = geoparse_document(doc, gazetteer).resolutions
    assert res.place is not None
    assert res.place.country_code == "GB"


def test_geoparse_country_hint_yields_to_a_named_other_country(gazetteer: Gazetteer) -> None:
    text = "Protesters gathered in Lancaster, Pennsylvania."
    parsed = geoparse_document(Document(doc_id="h", text=text, country="GB"), gazetteer)
    lancaster = _by_text(parsed, "Lancaster")[0]
    assert lancaster.place is not None
    assert lancaster.place.country_code == "US"
    # No namesake inside the hinted country: the hint does not bend the name. (In one story with
    # Lancaster, Pennsylvania, the fitted focus prior would read a bare "Moscow" as Moscow, PA.)
    parsed = geoparse_document(Document(doc_id="h", text="Protesters gathered in Moscow.", country="GB"), gazetteer)
    moscow = _by_text(parsed, "Moscow")[0]
    assert moscow.place is not None
    assert moscow.place.country_code == "RU"


def test_geoparse_country_hint_leaves_a_small_namesake_abroad_unresolved(gazetteer: Gazetteer) -> None:
    # The gazetteer knows Hermsdorf only in Germany, as small towns: in a report about Kenya it is a Kenyan
    # place the gazetteer lacks, not a German one.
    text = "Traders protested in Hermsdorf on Friday."
    (res,) = geoparse_document(Document(doc_id="h", text=text, country="KE"), gazetteer).resolutions
    assert res.place is None
    (free,) = geoparse_document(Document(doc_id="h", text=text), gazetteer).resolutions
    assert free.place is not None
    assert free.place.country_code == "DE"


def test_geoparse_unknown_country_hint_is_an_input_error(gazetteer: Gazetteer) -> None:
    from geomap.errors import InputError

    with pytest.raises(InputError, match="Unknown country"):
        geoparse_document(Document(doc_id="h", text="Riots in Osh.", country="Narnia"), gazetteer)


def test_ingest_reads_the_country_key(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "a", "text": "Riots in Osh.", "country": "KG"}\n{"id": "b", "text": "Riots."}\n')
    docs = list(read_documents(path, country="UZ"))
    assert [d.country for d in docs] == ["KG", "UZ"]


def test_intercardinal_words_alone_are_no_place(gazetteer) -> None:
    from geomap.geoparse import geoparse_document
    from geomap.ingest import Document

    text = "A student was shot at Northwestern University. Floods hit the Northwest Territories and Southeast Asia."
    parsed = geoparse_document(Document(doc_id="c", text=text), gazetteer)
    found = {r.mention.text for r in parsed.resolutions if r.place is not None}
    assert "Northwestern" not in found
    assert {"Northwest Territories", "Southeast Asia"} <= found


@pytest.mark.parametrize(
    ("text", "surface", "admin1_name"),
    [
        ("A storm hit Dothan, Ala., on Tuesday night.", "Ala.", "Alabama"),
        ("Residents of Hattiesburg, Miss. were told to stay home.", "Miss.", "Mississippi"),
    ],
)
def test_geoparse_state_abbreviation_keeps_its_period(
    gazetteer: Gazetteer, text: str, surface: str, admin1_name: str
) -> None:
    parsed = _parse(gazetteer, text)
    (found,) = _by_text(parsed, surface)
    assert found.mention.end_char == text.index(surface) + len(surface)
    assert found.place.name == admin1_name


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        ("Floods spread across North Bihar after the dam broke.", "North Bihar", "IN"),
        ("Clinics in West Kenya reported new cases.", "West Kenya", "KE"),
    ],
)
def test_geoparse_capitalised_direction_word_is_part_of_the_name(
    gazetteer: Gazetteer, text: str, surface: str, country: str
) -> None:
    parsed = _parse(gazetteer, text)
    (found,) = _by_text(parsed, surface)
    assert found.place.country_code == country
    assert not _by_text(parsed, surface.split()[1])  # one mention, not the bare name beside it


def test_geoparse_lower_case_direction_word_stays_outside_the_name(gazetteer: Gazetteer) -> None:
    parsed = _parse(gazetteer, "Floods spread across northern Bihar after the dam broke.")
    assert _by_text(parsed, "Bihar")
