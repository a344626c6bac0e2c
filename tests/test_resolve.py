"""Resolution: containment, focus, hints and the fitted scorer, on fixtures written for these tests."""

import json
from pathlib import Path

import numpy as np
import pytest

from geomap.gazetteer import Gazetteer
from geomap.geoparse import geoparse_document
from geomap.ingest import Document
from geomap.resolve import _containers, _Group, _role
from geomap.resolver_model import FEATURES, load_resolver_model
from geomap.toponyms import Mention, extract_mentions


def _place(gazetteer: Gazetteer, text: str, name: str, country: str = ""):
    parsed = geoparse_document(Document(doc_id="r", text=text, country=country), gazetteer)
    found = [r for r in parsed.resolutions if r.mention.text == name]
    assert found, f"{name!r} not recognised in {text!r}"
    return found[0].place


def test_resolve_admin1_container_gives_its_admin1_not_its_whole_country(gazetteer: Gazetteer) -> None:
    # A county name shared by many states: the abbreviated state after the comma decides.
    alone = _place(gazetteer, "Flooding closed roads in Jefferson County on Sunday.", "Jefferson County")
    place = _place(gazetteer, "Flooding closed roads in Jefferson County, Colo., on Sunday.", "Jefferson County")
    colorado = {c.place.admin1_code for c in gazetteer.lookup("Colorado") if c.place.feature == "A.ADM1"}
    assert place.admin1_code in colorado
    assert alone.admin1_code not in colorado


@pytest.mark.parametrize(
    ("text", "name", "admin1_name"),
    [
        ("Springfield is a small city in Ohio, and its mayor spoke on Monday.", "Springfield", "Ohio"),
        ("Officials said Springfield, a city in Massachusetts, had closed schools.", "Springfield", "Massachusetts"),
    ],
)
def test_resolve_copula_and_apposition_containment(
    gazetteer: Gazetteer, text: str, name: str, admin1_name: str
) -> None:
    place = _place(gazetteer, text, name)
    admin1 = {c.place.admin1_code for c in gazetteer.lookup(admin1_name) if c.place.feature == "A.ADM1"}
    assert place.admin1_code in admin1


def test_resolve_people_adjective_town_of(gazetteer: Gazetteer) -> None:
    # "the <people> town of X" puts X in that people's country, whatever the biggest namesake.
    place = _place(gazetteer, "Shelling hit the Greek town of Tripoli overnight.", "Tripoli")
    assert place.country_code == "GR"


def test_resolve_containment_in_the_same_sentence_with_a_direction(gazetteer: Gazetteer) -> None:
    place = _place(gazetteer, "Police detained students near Kara-Suu in the southern Osh region.", "Kara-Suu")
    assert place.country_code == "KG"


def test_resolve_document_focus_prefers_the_story_region(gazetteer: Gazetteer) -> None:
    alone = _place(gazetteer, "Gunmen were reported in Tripoli on Friday.", "Tripoli")
    focused = _place(gazetteer, "Clashes in Beirut and Sidon spread north to Tripoli on Friday.", "Tripoli")
    assert alone.country_code == "LY"  # the capital, without context
    assert focused.country_code == "LB"  # near the story's confident places


def test_resolve_country_hint_and_dateline(gazetteer: Gazetteer) -> None:
    assert _place(gazetteer, "Gunmen were reported in Tripoli on Friday.", "Tripoli", country="LB").country_code == "LB"
    dated = _place(gazetteer, "BEIRUT (Reuters) - Gunmen were reported in Tripoli on Friday.", "Tripoli")
    assert dated.country_code == "LB"


def test_resolve_model_file_is_small_and_matches_the_features() -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "resolver.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert tuple(raw["features"]) == FEATURES
    assert path.stat().st_size < 20_000
    model = load_resolver_model(path)
    assert model.second.shape == (len(FEATURES),)
    assert np.isfinite(model.second).all()


def test_resolve_model_with_other_features_is_rejected(tmp_path: Path) -> None:
    from geomap.errors import GeomapError

    bad = tmp_path / "resolver.json"
    bad.write_text(json.dumps({"features": ["prior"], "first": {}, "second": {}}), encoding="utf-8")
    with pytest.raises(GeomapError, match="refit it"):
        load_resolver_model(bad)


def test_resolve_gold_spans_read_the_whole_text_but_output_only_the_spans(gazetteer: Gazetteer) -> None:
    text = "Clashes in Beirut and Sidon spread north to Tripoli on Friday."
    start = text.index("Tripoli")
    doc = Document(doc_id="g", text=text)
    parsed = geoparse_document(doc, gazetteer, gold_spans=[(start, start + len("Tripoli"))])
    assert [r.mention.text for r in parsed.resolutions] == ["Tripoli"]
    assert parsed.resolutions[0].place.country_code == "LB"  # Beirut and Sidon, not output, were read


def test_resolve_country_hint_vetoes_a_foreign_capital_named_in_another_language(gazetteer: Gazetteer) -> None:
    # GeoNames lists "Bin" among Vienna's names; with a hint for another country it is no capital abroad.
    text = "Police dispersed a crowd in Moscow and in Bin on Friday."
    vienna = {c.place.place_id for c in gazetteer.lookup("Vienna")}
    hinted = _place(gazetteer, text, "Bin", country="RU")
    assert hinted is None or hinted.place_id not in vienna
    assert _place(gazetteer, text, "Moscow", country="UA").country_code == "RU"  # its own name: known abroad


def _gold_span_place(gazetteer: Gazetteer, text: str, name: str):
    start = text.index(name)
    parsed = geoparse_document(Document(doc_id="r", text=text), gazetteer, gold_spans=[(start, start + len(name))])
    assert len(parsed.resolutions) == 1
    return parsed.resolutions[0]


def test_resolve_name_missing_from_the_gazetteer_lies_at_the_story_focus(gazetteer: Gazetteer) -> None:
    # A street the gazetteer does not know, in a story told from two nearby towns: placed at the story's focus.
    text = "Crowds gathered in Osh on Friday. In Aravan, shops closed. Police blocked Kelvor Qazibek Prospect at noon."
    assert not gazetteer.lookup("Kelvor Qazibek Prospect")
    res = _gold_span_place(gazetteer, text, "Kelvor Qazibek Prospect")
    assert res.place is not None
    assert res.place.country_code == "KG"
    assert res.score < 1.0
    assert "not in the gazetteer" in res.reason


def test_resolve_name_missing_from_the_gazetteer_without_a_focus_stays_unresolved(gazetteer: Gazetteer) -> None:
    text = "Police blocked Kelvor Qazibek Prospect at noon on Friday."
    res = _gold_span_place(gazetteer, text, "Kelvor Qazibek Prospect")
    assert res.place is None


@pytest.mark.parametrize(
    ("text", "name", "country", "admin1_name"),
    [
        # The container's own reading that holds the town ranks low among its namesakes.
        ("The ferry from Portland, Victoria, was cancelled.", "Portland", "AU", "Victoria"),
        ("A bus crashed near Hamilton, Victoria, overnight.", "Hamilton", "AU", "Victoria"),
        ("A small plane landed on a road in Springfield, Florida.", "Springfield", "US", "Florida"),
    ],
)
def test_resolve_container_reading_that_holds_the_town_is_used_however_low_it_ranks(
    gazetteer: Gazetteer, text: str, name: str, country: str, admin1_name: str
) -> None:
    place = _place(gazetteer, text, name)
    admin1 = {
        c.place.admin1_code
        for c in gazetteer.lookup(admin1_name)
        if c.place.feature == "A.ADM1" and c.place.country_code == country
    }
    assert place.country_code == country
    assert place.admin1_code in admin1


def test_resolve_capitalised_short_form_is_the_place_spelled_so(gazetteer: Gazetteer) -> None:
    # A French coastal story: the town spelled "Eu" lies next door, yet "EU" is the Union.
    place = _place(gazetteer, "Trawler crews in Dieppe and Le Tréport said new EU rules would cut their catch.", "EU")
    assert place.feature_class == "L"
    assert not place.country_code


@pytest.mark.parametrize(
    ("text", "inner", "outer"),
    [
        ("Floods hit the Punjab province of Pakistan.", "Punjab", "Pakistan"),  # the area of a country
        ("Voters in the Mexican state of Sonora queued.", "Sonora", "Mexican"),  # the people's state of X
        ("Cases rose in the Gondwe district of Malawi.", "Gondwe", "Malawi"),
    ],
)
def test_resolve_area_noun_of_reads_which_contains_which(
    gazetteer: Gazetteer, text: str, inner: str, outer: str
) -> None:
    mentions = [m for m in extract_mentions(text, gazetteer, max_doubt=1.0) if m.text in {inner, outer}]
    if inner not in {m.text for m in mentions}:  # a name the gazetteer lacks: given as a span
        start = text.index(inner)
        mentions.append(
            Mention(
                doc_id="", text=inner, start_char=start, end_char=start + len(inner), kind="place", key=inner.lower()
            )
        )
        mentions.sort(key=lambda m: m.start_char)
    roles = [_role(text, m) for m in mentions]
    groups = {
        (m.key, r): _Group(m.key, r, [i], gazetteer.lookup(m.text) if m.kind == "place" else [], [], set())
        for i, (m, r) in enumerate(zip(mentions, roles, strict=True))
    }
    contains, explicit = _containers(mentions, text, groups, roles)
    k = next(i for i, m in enumerate(mentions) if m.text == inner)
    j = next(i for i, m in enumerate(mentions) if m.text == outer)
    assert contains.get(k) == [j]
    assert (k, j) in explicit
    assert j not in contains or k not in contains[j]


def test_resolve_country_state_of_puts_the_state_inside_the_country(gazetteer: Gazetteer) -> None:
    place = _place(gazetteer, "Voters in the Mexican state of Sonora queued for hours.", "Sonora")
    assert place.country_code == "MX"


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # A namesake exists only far away: the town meant is one the gazetteer lacks, inside the stated country.
        ("Rebels shelled Springfield, a town in Burundi, overnight.", "Springfield", "BI"),
    ],
)
def test_resolve_name_stated_inside_an_area_that_holds_none_of_its_readings(
    gazetteer: Gazetteer, text: str, name: str, country: str
) -> None:
    place = _place(gazetteer, text, name)
    assert place.country_code == country


def test_resolve_unknown_gold_span_stated_inside_a_country_is_placed_there(gazetteer: Gazetteer) -> None:
    res = _gold_span_place(
        gazetteer, "Aid convoys reached Qorvashti, a small district in Kyrgyzstan, on Sunday.", "Qorvashti"
    )
    assert res.place is not None
    assert res.place.country_code == "KG"


def test_resolve_comma_list_of_states_is_not_containment(gazetteer: Gazetteer) -> None:
    # "Ohio, Oregon" inside a list of states does not put a town called Oregon in Ohio.
    place = _place(gazetteer, "Cases were confirmed in Texas, Ohio, Oregon, Nevada, Utah and Kansas.", "Oregon")
    assert place.feature == "A.ADM1"
    assert place.admin1_code != "US.OH"


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        # a town name shared across Mexico: the state after the comma picks the reading inside it
        (
            "On 2 June 2021, in Cuauhtemoc, Chihuahua, farmers blocked a road to demand water.",
            "Cuauhtemoc",
            "Chihuahua",
        ),
        # the state's name is also a bigger town's elsewhere: the state still holds the reading
        ("On 2 June 2021, in Tezoyuca, Morelos, residents burned a patrol car.", "Tezoyuca", "Morelos"),
    ],
)
def test_resolve_state_after_a_comma_keeps_the_reading_inside_it(
    gazetteer: Gazetteer, text: str, name: str, state: str
) -> None:
    place = _place(gazetteer, text, name, country="MX")
    codes = {c.place.admin1_code for c in gazetteer.lookup(state) if c.place.feature == "A.ADM1"}
    assert place.admin1_code in codes


def test_resolve_hinted_country_keeps_its_small_readings_of_a_common_name(gazetteer: Gazetteer) -> None:
    # a name with many readings worldwide: the hinted country's smallest one is still a candidate
    text = "On 2 June 2021, residents marched in Buenos Aires (Ancash) against a new antenna."
    place = _place(gazetteer, text, "Buenos Aires", country="PE")
    codes = {c.place.admin1_code for c in gazetteer.lookup("Ancash") if c.place.feature == "A.ADM1"}
    assert place.country_code == "PE"
    assert place.admin1_code in codes


def test_resolve_hinted_parenthesised_container_is_the_region_not_the_foreign_country(gazetteer: Gazetteer) -> None:
    # "(Niger)" closing a Nigerian place's chain is Niger state; the same word alone stays the country
    text = "On 9 June 2022, bandits raided a farm in Kuta town, Shiroro LGA (Niger), and took cattle."
    state = _place(gazetteer, text, "Niger", country="NG")
    assert state.country_code == "NG"
    assert state.feature == "A.ADM1"
    country = _place(gazetteer, "On 9 June 2022, families fled across the border into Niger.", "Niger", country="NG")
    assert country.is_country
    assert country.country_code == "NE"


@pytest.mark.parametrize(
    "text",
    [
        "Soldiers clashed with militiamen near Mambasa (Ituri) on Friday.",
        "Soldiers clashed with militiamen near Mambasa, in a village of Lubero district, Ituri.",
    ],
)
def test_resolve_admin1_name_of_one_country_reads_the_text_in_that_country(gazetteer: Gazetteer, text: str) -> None:
    # Without a hint the bare name is the big namesake abroad; an admin-1 region only one country has,
    # read as a region by its context, says which country the text is about.
    assert _place(gazetteer, "Soldiers clashed with militiamen near Mambasa on Friday.", "Mambasa").country_code == "KE"
    parsed = geoparse_document(Document(doc_id="r", text=text), gazetteer)
    found = {r.mention.text: r for r in parsed.resolutions}
    assert found["Mambasa"].place is not None
    assert found["Mambasa"].place.country_code == "CD"
    assert found["Mambasa"].text_country == "CD"


def test_resolve_admin1_word_in_the_name_and_country_names_are_no_admin1_cue(gazetteer: Gazetteer) -> None:
    state = geoparse_document(Document(doc_id="r", text="Gunmen raided farms in Zaria (Kaduna State)."), gazetteer)
    assert {r.text_country for r in state.resolutions} == {"NG"}
    # "Kaduna State police" are the state's police, wherever the text's places are.
    police = geoparse_document(Document(doc_id="r", text="Kaduna State police raided farms in Zaria."), gazetteer)
    assert {r.text_country for r in police.resolutions} == {""}
    # "(Niger)" may be the country: it says nothing; a given hint is not restated.
    niger = geoparse_document(Document(doc_id="r", text="Gunmen raided farms in Zaria (Niger)."), gazetteer)
    assert {r.text_country for r in niger.resolutions} == {""}
    hinted = geoparse_document(
        Document(doc_id="r", text="Gunmen raided farms in Zaria (Kaduna State).", country="NG"), gazetteer
    )
    assert {r.text_country for r in hinted.resolutions} == {""}


def test_resolve_town_in_its_same_named_region_is_not_a_namesake_elsewhere(gazetteer: Gazetteer) -> None:
    assert _place(gazetteer, "Residents protested in San Jose on Monday.", "San Jose").country_code == "US"
    assert _place(gazetteer, "Residents protested in San Jose, San Jose, on Monday.", "San Jose").country_code == "CR"


def test_resolve_world_city_name_is_the_city_not_a_region_abroad_named_so(gazetteer: Gazetteer) -> None:
    readings = gazetteer.lookup("Sofia")
    regions = [c.place for c in readings if c.place.feature == "A.ADM1" and c.place.country_code != "BG"]
    assert regions  # a region of that name lies in another country
    place = _place(gazetteer, "Teachers gathered in Sofia to demand higher wages.", "Sofia")
    assert (place.country_code, place.feature_class) == ("BG", "P")


def test_resolve_settlement_noun_asks_for_the_town_not_a_region_read_so(gazetteer: Gazetteer) -> None:
    # A bare name may read as a region abroad; "X city" asks for a town.
    town = _place(gazetteer, "Graduates protested in Amara city on Monday.", "Amara")
    assert town.feature_class == "P"
    assert town.country_code == "IQ"
