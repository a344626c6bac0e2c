"""Error classes of real reports (issue 9): small fixtures written by the project, read as ``extract`` reads."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import pytest

from geomap.ingest import Document
from geomap.nlp import NlpUnavailableError, load_pipeline
from geomap.pipeline import DocumentResult, process_document

if TYPE_CHECKING:
    from geomap.gazetteer import Gazetteer

pytest.importorskip("spacy")

DAY = dt.date(2021, 3, 14)


@pytest.fixture(scope="module")
def nlp() -> Any:
    try:
        return load_pipeline()
    except NlpUnavailableError:
        pytest.skip("the spaCy model is not installed")


def _read(text: str, gazetteer: Gazetteer, nlp: Any) -> DocumentResult:
    return process_document(Document(doc_id="t", text=text, published=DAY), gazetteer, nlp)


def _places(result: DocumentResult, name: str) -> list[tuple[str, str]]:
    return [
        (r.place.name, r.place.country_code)
        for r in result.parsed.resolutions
        if r.mention.text == name and r.place is not None
    ]


def _countries(result: DocumentResult) -> set[str]:
    return {e.place.country_code for e in result.events if e.place is not None}


# --- facility and building names: a name inside them is not the town so called ---------------------------


def test_realnews_park_told_as_a_facility_is_no_town(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "About 300 people marched through Ottawa on Sunday to protest against the new pipeline.\n"
        "The marchers rallied in Victoria Park before walking to Parliament Hill, Canada's police said."
    )
    result = _read(text, gazetteer, nlp)
    assert _places(result, "Victoria Park") == []
    assert _countries(result) == {"CA"}


def test_realnews_everyday_word_inside_a_neighbourhood_name(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A woman was shot dead outside a bar in River North early Friday, Chicago police said.\n"
        "A suspect was arrested on North State Street an hour later."
    )
    result = _read(text, gazetteer, nlp)
    assert _places(result, "North") == []
    assert _countries(result) == {"US"}


def test_realnews_saint_a_church_is_dedicated_to_is_no_town(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A bomb exploded on Sunday in Alexandria, killing nine worshippers at the church of St. Peter and St. Paul.\n"
        "Police cordoned off the St. Paul Coptic Church for the rest of the day, Egypt's interior ministry said."
    )
    result = _read(text, gazetteer, nlp)
    assert _places(result, "St. Peter") == []
    assert _places(result, "St. Paul") == []
    assert _countries(result) == {"EG"}


def test_realnews_court_named_after_a_district_is_no_town(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Ali Farah, 21, was detained after appearing at Wood Green Crown Court on Tuesday, charged with affray."
    result = _read(text, gazetteer, nlp)
    assert _places(result, "Wood Green") == []


# --- a city's name in a story about that city's country ----------------------------------------------------


def test_realnews_capital_of_the_named_country_over_a_namesake_near_the_dateline(
    gazetteer: Gazetteer, nlp: Any
) -> None:
    text = (
        "LEXINGTON, Ky. (WLEX) - A Lexington nurse is on holiday in France with her two sons.\n"
        "A gunman shot dead a guard and wounded two tourists near a museum in Paris on Tuesday night.\n"
        "The family flies back to Kentucky on Friday."
    )
    result = _read(text, gazetteer, nlp)
    assert set(_places(result, "Paris")) == {("Paris", "FR")}
    (attack,) = [e for e in result.events if "attack" in e.kinds or "killed" in e.kinds]
    assert attack.place is not None
    assert attack.place.country_code == "FR"


def test_realnews_city_named_for_a_world_city_in_a_story_about_its_own_country(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Hundreds of people held a vigil in London on Saturday for the victims of the mosque shooting.\n"
        "Speakers thanked Canada for its welcome and asked Canada to do more against hate.\n"
        "Police in Canada said the vigil was peaceful."
    )
    result = _read(text, gazetteer, nlp)
    assert set(_places(result, "London")) == {("London", "CA")}


def test_realnews_world_city_stays_when_its_country_is_present(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Protesters from Canada marched in London on Saturday, and Canada's envoy met them near Westminster.\n"
        "Canada has asked Britain to extradite the suspect."
    )
    result = _read(text, gazetteer, nlp)
    assert set(_places(result, "London")) == {("London", "GB")}


# --- time: the reporting clause's day is not the event's; a neighbourhood of a named town -----------------


def test_realnews_said_monday_dates_the_report_not_the_attack(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Three people were killed and five wounded in a grenade attack on a market in Kandahar, "
        "the provincial governor said Sunday.\n"
        "The attack took place on Friday evening, when the market was full."
    )
    result = _read(text, gazetteer, nlp)  # published Sunday 2021-03-14
    (attack,) = [e for e in result.events if "attack" in e.kinds]
    assert attack.date is not None
    assert attack.date.date == dt.date(2021, 3, 12)


def test_realnews_neighbourhood_of_a_town_is_placed_at_the_town(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "A man was shot dead around 11 p.m. Friday in the Crown Heights neighborhood of Brooklyn, police said."
    result = _read(text, gazetteer, nlp)
    (killed,) = [e for e in result.events if "killed" in e.kinds]
    assert killed.place is not None
    assert killed.place.name == "Brooklyn"
    assert killed.date is not None
    assert killed.date.date == dt.date(2021, 3, 12)


# --- counts: a named person and "N others" ----------------------------------------------------------------


def test_realnews_one_person_in_custody_is_one_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(
        "A 28-year-old man is in custody after pointing a replica handgun at a Halifax police officer.", gazetteer, nlp
    )
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.arrested is not None
    assert arrests.arrested.best == 1


def test_realnews_a_number_of_the_line_above_counts_no_one(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Global News Halifax Published Friday, March 12, 2021 4:05PM AST\n\n"
        "A 30-year-old man is in custody after threatening a Halifax bus driver with a knife."
    )
    result = _read(text, gazetteer, nlp)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.arrested is not None
    assert arrests.arrested.best == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Ana Ruiz, a shop owner, was arrested along with four others on Tuesday during raids in Toronto.",
        "Ana Ruiz and four others were detained in Toronto on Tuesday.",
        "Police arrested Ana Ruiz and four other people in Toronto on Tuesday.",
    ],
)
def test_realnews_a_named_person_and_n_others(gazetteer: Gazetteer, nlp: Any, sentence: str) -> None:
    result = _read(sentence, gazetteer, nlp)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.arrested is not None
    assert arrests.arrested.best == 5
    assert "four" in arrests.arrested.text


# --- where people were taken is not where it happened; people "captured" are arrests -----------------------


def test_realnews_jail_people_were_taken_to_is_not_the_scene(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Two escaped prisoners were captured in Knoxville on Friday, the Blount County Sheriff's Office said.\n"
        "Both were arrested near a gas station and have been taken to the Anderson County jail."
    )
    result = _read(text, gazetteer, nlp)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.place is not None
    assert arrests.place.name == "Knoxville"


def test_realnews_captured_town_is_no_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Rebels captured the town of Kidal on Sunday after two days of fighting."
    result = _read(text, gazetteer, nlp)
    assert not [e for e in result.events if "arrests" in e.kinds]


def test_realnews_this_week_is_never_after_publication() -> None:
    from geomap.attributes import find_date

    wednesday = dt.date(2017, 5, 17)
    this_week = find_date("The two leaders met this week.", wednesday)
    assert this_week is not None
    assert dt.date(2017, 5, 14) <= this_week.date <= wednesday
    sunday = dt.date(2021, 3, 14)
    last_week = find_date("The two leaders met last week.", sunday)
    assert last_week is not None
    assert dt.date(2021, 3, 7) <= last_week.date <= dt.date(2021, 3, 13)  # the Sunday-to-Saturday before


# --- a peaceful protest stays one: its slogans and the violence it protests against are no events ---------


def test_realnews_protest_slogans_and_causes_add_no_violence(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "About 150 people held a rally in Halifax on Saturday in solidarity with the people of the besieged city.\n"
        'The crowd gathered outside the library, chanting "stop the killing" and "free them all."\n'
        "One speaker said there were credible reports of civilians being shot by soldiers."
    )
    result = _read(text, gazetteer, nlp)
    assert result.events
    for event in result.events:
        assert "protest" in event.kinds
        assert not set(event.kinds) & {"killed", "attack", "injured", "clashes", "riots"}


def test_realnews_protest_fired_on_keeps_its_dead(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Police opened fire on a rally in Halifax on Saturday, killing two protesters."
    result = _read(text, gazetteer, nlp)
    killed = [e for e in result.events if e.killed is not None]
    assert killed
    assert "killed" in killed[0].kinds
    assert killed[0].killed.best == 2


# --- plots and demands are no incidents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A man who admitted to having plotted to kill a judge and then bomb a courthouse in Dayton was sentenced "
        "on Friday to 15 years.",
        "The president pushed on Friday for a quick withdrawal of troops from Iraq.",
    ],
)
def test_realnews_plots_and_demands_are_planned(gazetteer: Gazetteer, nlp: Any, text: str) -> None:
    result = _read(text, gazetteer, nlp)
    assert result.events
    assert all(e.planned for e in result.events)


# --- one toll told twice: vaguely, then as a number ----------------------------------------------------------


def test_realnews_hundreds_then_over_200_is_one_riot(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Police banned further rallies in Lima on Sunday after hundreds of people were injured in clashes "
        "with riot police overnight Saturday.\n"
        "More than 200 protesters and officers were injured in Saturday's protest, which turned violent."
    )
    result = _read(text, gazetteer, nlp)
    hurt = [e for e in result.events if e.injured is not None]
    assert len(hurt) == 1
    assert hurt[0].injured.best == 200
    assert "protest" not in hurt[0].kinds


# --- hometowns and nationalities are no scenes --------------------------------------------------------------


def test_realnews_hometown_and_its_state_are_no_scene(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A roadside bomb killed a soldier near Kirkuk on Friday.\n"
        "A US serviceman, Staff Sgt. Mark Olsen of Boise, Idaho, died with him and three others were wounded."
    )
    result = _read(text, gazetteer, nlp)
    assert result.events
    assert _countries(result) == {"IQ"}


def test_realnews_town_of_x_stays_a_place_beside_a_namesake_person(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Gunmen killed three policemen in attacks in and near the central town of Jerash on Sunday.\n"
        "Residents said a man called Jerash Haddad had been seen near the station."
    )
    result = _read(text, gazetteer, nlp)
    assert [r for r in result.parsed.resolutions if r.mention.start_char == text.index("Jerash")]
    assert _countries(result) == {"JO"}


def test_realnews_school_named_after_its_locality_in_a_named_county(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Teacher arrested after a gun was found in a classroom, reports say.\n\n"
        "The teacher, 41, was arrested on Friday at Kendale Lakes Elementary School in southwest Miami-Dade, "
        "according to South Florida news reports."
    )
    result = _read(text, gazetteer, nlp)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.place is not None
    assert arrests.place.name == "Kendale Lakes"


def test_realnews_arrest_place_over_the_search_that_governs_it(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "After searching for the suspect at several locations in Winnipeg, police learned that RCMP in Ontario "
        "had detained the suspect when his vehicle went off the road near the town of Kenora."
    )
    result = _read(text, gazetteer, nlp)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.place is not None
    assert arrests.place.name == "Kenora"


# --- background told over several sentences; a month dates no day -------------------------------------------


def test_realnews_history_told_on_over_sentences_stays_history(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A Denver man has been charged with murder in the stabbing death of a cook last month, police said.\n"
        "He is accused of stabbing Ray Doyle, 41, on February 20 around 1 a.m. in an alley behind a bar in Denver. "
        "Police say he followed Doyle into the alley and stabbed him twice.\n"
        "Doyle walked out of the alley and fell at the corner of two streets, police said. "
        "He was pronounced dead at a hospital.\n"
        "The suspect was arrested on Friday in Aurora."
    )
    result = _read(text, gazetteer, nlp)
    violent = [e for e in result.events if e.family == "violence"]
    assert violent
    assert all(e.background for e in violent)  # the February stabbing, its victim's death included
    assert any(e.date is not None and e.date.date == dt.date(2021, 2, 20) for e in violent)
    (arrests,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrests.current


def test_realnews_a_need_for_aid_is_no_aid(gazetteer: Gazetteer, nlp: Any) -> None:
    needed = _read(
        "Thousands of families in Kassala are in dire need of humanitarian assistance, the agency said on Monday.",
        gazetteer,
        nlp,
    )
    assert not [e for e in needed.events if "aid" in e.kinds]
    delivered = _read("The UN delivered humanitarian aid to Kassala on Monday.", gazetteer, nlp)
    assert [e for e in delivered.events if "aid" in e.kinds]


def test_realnews_expelled_people_are_displaced(gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(
        "Some 2,000 Haitians were deported from the Dominican Republic on Friday, officials said.", gazetteer, nlp
    )
    (moved,) = [e for e in result.events if "displacement" in e.kinds]
    assert moved.displaced is not None
    assert moved.displaced.best == 2000


def test_realnews_the_one_who_was_killed_counts_one(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "This is the first picture of the soldier who was killed by a buried bomb in Kandahar on Friday."
    result = _read(text, gazetteer, nlp)
    (killed,) = [e for e in result.events if "killed" in e.kinds]
    assert killed.killed is not None
    assert killed.killed.best == 1


def test_realnews_attack_on_a_journey_lies_between_its_ends(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Gunmen killed four aid workers on Saturday when they ambushed their convoy on the road from "
        "Kandahar to Lashkar Gah, officials said."
    )
    result = _read(text, gazetteer, nlp)
    (attack,) = [e for e in result.events if "killed" in e.kinds]
    assert attack.place is not None
    assert attack.place.name.startswith("between")
    assert 31.0 < attack.place.lat < 32.0
    assert 64.0 < attack.place.lon < 65.5  # between Kandahar (65.7 E) and Lashkar Gah (64.4 E)


def test_realnews_a_court_step_bounds_the_undated_incident(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A Moncton man is facing an assault charge after a cyclist was beaten outside a bar.\n"
        "Officers found the cyclist with head injuries and took him to hospital.\n"
        "Police said the two men did not know each other.\n"
        "The suspect, 24, made his first appearance in provincial court on Thursday."
    )
    result = _read(text, gazetteer, nlp)  # published Sunday 2021-03-14
    (beaten,) = [e for e in result.events if e.family == "violence"]
    assert beaten.date is not None
    assert beaten.date.date <= dt.date(2021, 3, 11)


@pytest.mark.parametrize(
    "sentence",
    [
        "Two men broke into the farmhouse near Tulsa on Friday and set the whole house ablaze.",
        "Rioters set fire to a police station in Tulsa on Friday.",
    ],
)
def test_realnews_arson_wordings(gazetteer: Gazetteer, nlp: Any, sentence: str) -> None:
    result = _read(sentence, gazetteer, nlp)
    assert [e for e in result.events if "arson" in e.kinds]


def test_realnews_focus_on_a_region_narrows_to_its_one_town(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Two deputies were shot and wounded on Friday during a traffic stop, Oregon authorities said.\n"
        "The deputies, from the town of Bend, Oregon, had pulled over a pickup on the highway.\n"
        "The suspect was later held in the county jail in Salem, Oregon."
    )
    result = _read(text, gazetteer, nlp)
    (shot,) = [e for e in result.events if "injured" in e.kinds]
    assert shot.place is not None
    assert shot.place.name == "Bend"


def test_realnews_country_level_event_takes_its_countrys_town_not_a_town_abroad(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Karim Haddad, a blogger jailed in Tunisia for insulting the president, died in hospital on Saturday.\n"
        "Haddad had lived in Paris for ten years before he was arrested near his family's home in Sfax."
    )
    result = _read(text, gazetteer, nlp)
    (died,) = [e for e in result.events if "killed" in e.kinds]
    assert died.place is not None
    assert died.place.name == "Sfax"


def test_realnews_based_in_is_no_scene(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Shelling hit eastern Aleppo on Wednesday, residents said.\n"
        "An activist based in Turkey said some families set fire to their homes before leaving."
    )
    result = _read(text, gazetteer, nlp)
    assert "TR" not in _countries(result)


@pytest.mark.parametrize(
    ("wording", "value"),
    [("a quarter of a million", 250_000), ("half a million", 500_000), ("a million", 1_000_000)],
)
def test_realnews_fractions_of_a_million_are_numbers(wording: str, value: int) -> None:
    from geomap.attributes import iter_counts

    (count,) = iter_counts(f"Officials said {wording} people had fled.")
    assert count.best == value
    assert count.text == wording


# --- a North American phone number: a bare city name is the namesake in the US or Canada -----------------


def test_realnews_north_american_phone_number_keeps_namesake_at_home(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A man was stabbed to death outside a bar in London early Saturday, police said.\n"
        "Officers arrested a woman at the scene. Anyone with information is asked to call 519-555-0142."
    )
    result = _read(text, gazetteer, nlp)
    assert {c for _, c in _places(result, "London")} == {"CA"}
    assert _countries(result) == {"CA"}


def test_realnews_phone_number_does_not_move_a_story_abroad(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A bomb killed four people at a market in London on Saturday, British police said.\n"
        "Relatives in the city can call the embassy hotline at 202-555-0187."
    )
    result = _read(text, gazetteer, nlp)
    assert {c for _, c in _places(result, "London")} == {"GB"}


# --- the dead told again: "the victim" found wounded is no further casualty ------------------------------


def test_realnews_victim_found_wounded_is_the_dead_man(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A birthday party turned deadly early Saturday with a stabbing that killed a 31-year-old man, "
        "Leeds police say.\n"
        "Officers were called to a hall on Mill Street. On arrival, police found the victim with stab wounds."
    )
    result = _read(text, gazetteer, nlp)
    (shooting,) = [e for e in result.events if e.killed is not None]
    assert shooting.killed is not None
    assert shooting.killed.best == 1
    assert shooting.injured is None


# --- custody a court orders after a hearing is a step of a trial, not an arrest ------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "A fourth man, 24, was detained under the Mental Health Act after appearing at Leeds Crown Court.",
        "A woman was remanded in custody after she appeared before magistrates in Leeds on Monday.",
    ],
)
def test_realnews_custody_after_a_court_appearance_is_no_arrest(sentence: str, gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Three men were jailed on Friday over a knife fight in Leeds in 2019.\n" + sentence
    result = _read(text, gazetteer, nlp)
    assert [e for e in result.events if "arrests" in e.kinds] == []


def test_realnews_arrest_after_a_raid_is_still_an_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Police arrested two men after a raid on a flat in Leeds on Saturday, officers said."
    result = _read(text, gazetteer, nlp)
    assert [e for e in result.events if "arrests" in e.kinds] != []


# --- a town the gazetteer lists only with its Arabic article ("Al X" told as "X") ---------------------------


def test_realnews_town_named_without_its_arabic_article(gazetteer: Gazetteer, nlp: Any) -> None:
    assert [c.place.country_code for c in gazetteer.lookup("Qaim")][:1] == ["IQ"]
    text = "Militants shelled Qaim and two villages near the border on Saturday, killing four soldiers, officials said."
    result = _read(text, gazetteer, nlp)
    assert _places(result, "Qaim")[:1] == [("Al Qā’im", "IQ")]
    assert _countries(result) == {"IQ"}


def test_realnews_article_rule_leaves_unknown_words_and_hamlets(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Zubayrqx") == []
    assert all(c.place.population >= 10_000 for c in gazetteer.lookup("Hawl"))


# --- an age told as a person ("the 15 year old") is one person held -----------------------------------------


def test_realnews_age_told_as_a_person_counts_one_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A teenager planted a pipe bomb outside a church in Hanover on Friday, police said.\n"
        "The 15 year old - who is now in custody - had built the device at home."
    )
    result = _read(text, gazetteer, nlp)
    held = [e for e in result.events if "arrests" in e.kinds]
    assert [e.arrested.best if e.arrested else None for e in held] == [1]


# --- the one person held, told again as hurt, is one event ---------------------------------------------------


def test_realnews_suspect_hurt_when_held_is_the_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A 34-year-old man is in custody after threatening a cashier with a knife at a Regina gas station.\n"
        "The man was treated in hospital for minor injuries."
    )
    result = _read(text, gazetteer, nlp)
    assert len(result.events) == 1
    (event,) = result.events
    assert event.arrested is not None
    assert event.arrested.best == 1
    assert event.injured is not None
    assert event.injured.best == 1


# --- "a Pike County man": where a person is from is no scene -------------------------------------------------


def test_realnews_home_of_a_person_is_not_the_shooting_scene(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "PIKEVILLE, Ky. (WXYZ) -  A Pike County man is arrested after a Floyd County shooting.\n"
        "Police say John Smith, 30, of Pikeville, had a single gunshot wound to the leg."
    )
    result = _read(text, gazetteer, nlp)
    (shooting,) = [e for e in result.events if "attack" in e.kinds]
    assert shooting.place is not None
    assert shooting.place.name == "Floyd County"


# --- "driven from their homes"; two displacements with their own figures in one sentence ---------------------


def test_realnews_driven_from_homes_is_displacement(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "About 4,000 villagers in Ituri have been driven from their homes by fighting this week, aid agencies said."
    result = _read(text, gazetteer, nlp)
    moved = [e for e in result.events if "displacement" in e.kinds]
    assert [e.displaced.best if e.displaced else None for e in moved] == [4000]


def test_realnews_two_displacement_figures_in_one_sentence_are_two_events(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Dozens were killed in clashes in Ituri last week, about 40,000 people have been forced from their homes "
        "and another 3,000 people have fled to neighbouring Uganda, the UN said."
    )
    result = _read(text, gazetteer, nlp)
    moved = sorted(e.displaced.best for e in result.events if "displacement" in e.kinds and e.displaced)
    assert moved == [3000, 40000]


def test_realnews_one_displacement_with_a_date_is_not_split(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Displacement: On 3 May 2021, 40 families were evacuated from Bunia, officials said."
    result = _read(text, gazetteer, nlp)
    assert len([e for e in result.events if "displacement" in e.kinds]) == 1


# --- a country's part named by its own name is that area, not a county listed under it as an alias --------


def test_realnews_england_is_not_a_county(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "The journalist, who lived in England for a decade, died in a prison hospital in Algiers on Sunday, "
        "his lawyer said."
    )
    result = _read(text, gazetteer, nlp)
    assert _places(result, "England")[:1] == [("England", "GB")]


# --- read2: a count belongs to the people an arrest happens to, not to warrants or charges ----------------


def test_realnews_warrants_for_an_arrest_count_no_one(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Dayton police have arrested two people on theft charges.\n"
        "Police said the woman had three warrants out for her arrest and admitted taking the goods."
    )
    result = _read(text, gazetteer, nlp)
    held = [e for e in result.events if "arrests" in e.kinds]
    assert [e.arrested.best if e.arrested else None for e in held] == [2]


@pytest.mark.parametrize(
    "sentence",
    [
        "Officers were called to a motel in Dayton on Sunday. Police made the arrest after a short chase.",
        "DAYTON, Ohio - A 30-year-old Springfield man was arrested Friday on drug charges.",
    ],
)
def test_realnews_a_singular_arrest_counts_one(sentence: str, gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(sentence, gazetteer, nlp)
    held = [e for e in result.events if "arrests" in e.kinds]
    assert [e.arrested.best if e.arrested else None for e in held] == [1]


# --- read2: a person charged by police is an arrest; a charge after an arrest told is no second one --------


def test_realnews_charged_by_police_is_an_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "A boxer was charged with assault after a scuffle at an arena in Dayton on Sunday, police said."
    result = _read(text, gazetteer, nlp)
    held = [e for e in result.events if "arrests" in e.kinds]
    assert [e.arrested.best if e.arrested else None for e in held] == [1]


def test_realnews_charged_after_an_arrest_is_the_same_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A Dayton man has been charged with murder in the shooting of a neighbour last month, police said.\n"
        "He was arrested on Wednesday at a house in Dayton."
    )
    result = _read(text, gazetteer, nlp)
    assert len([e for e in result.events if "arrests" in e.kinds]) == 1


def test_realnews_police_charging_a_crowd_is_no_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read("Riot police charged at the crowd in Dayton on Sunday.", gazetteer, nlp)
    assert [e for e in result.events if "arrests" in e.kinds] == []


def test_realnews_months_before_a_count_of_people_are_not_added() -> None:
    from geomap.attributes import find_count

    text = "In the last three months, 95 children have been charged with more than 450 crimes."
    found = find_count(text, re.compile(r"\bcharged\b"))
    assert found is not None
    assert found.best == 95


# --- read2: offences in a list of charges are no events --------------------------------------------------


def test_realnews_offences_in_a_charge_list_are_no_events(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A woman was arrested in Dayton on Sunday and charged with theft, second-degree fleeing or evading police, "
        "and two counts of felony vandalism."
    )
    result = _read(text, gazetteer, nlp)
    assert {k for e in result.events for k in e.kinds} == {"arrests"}


# --- read2: a surname the recogniser cut off at a gap is no place; "X, 40, of Y" is a home ----------------


def test_realnews_surname_after_a_cut_name_is_no_place(gazetteer: Gazetteer, nlp: Any) -> None:
    from geomap.ner import person_name_words

    text = "Police also arrested Vernon  Adkins, 40, of McKee."
    start = text.index("Vernon")
    assert "Adkins" in person_name_words(text, [(start, start + len("Vernon"), "PERSON")])
    text = (
        "LONDON, Ky. - Police arrested two people at a store in London on Sunday.\n"
        "Police also arrested Vernon  Adkins, 40, of McKee. Adkins was charged with trafficking."
    )
    result = _read(text, gazetteer, nlp)
    assert _places(result, "Adkins") == []
    held = [e for e in result.events if "arrests" in e.kinds]
    assert [(e.place.name if e.place else None, e.arrested.best if e.arrested else None) for e in held] == [
        ("London", 2)
    ]


# --- read2: vandalism destroys, it takes nothing: no looting ----------------------------------------------


def test_realnews_vandalism_is_no_looting(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "A gang of teenagers vandalised a number of shops in Dayton last week, the owner said."
    result = _read(text, gazetteer, nlp)
    (event,) = result.events
    assert event.kinds == ("other",)
    assert event.sub_event_type == "Looting/property destruction"


def test_realnews_looting_stays_looting(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Rioters looted and vandalised shops in Dayton on Sunday, police said."
    result = _read(text, gazetteer, nlp)
    assert "looting" in {k for e in result.events for k in e.kinds}


# --- read2: a counted group of a nation arriving somewhere is a displacement flow --------------------------


def test_realnews_counted_arrivals_are_displacement(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "More than 30,000 Sudanese have arrived in Chad since the start of the year, the UN said.\n"
        "More than 500 Sudanese are entering Chad each day."
    )
    result = _read(text, gazetteer, nlp)
    moved = [e for e in result.events if "displacement" in e.kinds]
    assert [e.displaced.best if e.displaced else None for e in moved] == [30000]
    assert moved[0].place is not None
    assert moved[0].place.country_code == "TD"
    assert moved[0].origin == "Sudan"


@pytest.mark.parametrize(
    "sentence",
    ["Police entered the house in Dayton on Sunday.", "Two men arrived at a house in Dayton and left on Sunday."],
)
def test_realnews_arrivals_of_no_nation_are_no_displacement(sentence: str, gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(sentence, gazetteer, nlp)
    assert [e for e in result.events if "displacement" in e.kinds] == []


# --- read2: an abduction is kind "other"; a state in an agency's name is no scene ---------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "An alert has been issued for three young girls after they were allegedly taken in Dayton by a woman, 30.",
        "Gunmen kidnapped a pastor in Kaduna on Sunday, police said.",
    ],
)
def test_realnews_abduction_is_its_own_event(sentence: str, gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(sentence, gazetteer, nlp)
    (event,) = result.events
    assert event.kinds == ("other",)
    assert event.sub_event_type == "Abduction/forced disappearance"


def test_realnews_taken_to_hospital_is_no_abduction(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "The wounded were taken to hospital by ambulance in Dayton on Sunday, officials said."
    result = _read(text, gazetteer, nlp)
    assert all(e.sub_event_type != "Abduction/forced disappearance" for e in result.events)


def test_realnews_abduction_and_killing_stays_an_attack(gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read("Gunmen abducted and killed a pastor in Kaduna on Sunday, police said.", gazetteer, nlp)
    assert {k for e in result.events for k in e.kinds} >= {"attack", "killed"}


def test_realnews_state_in_an_agency_name_is_no_scene(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Police arrested a man at a hotel in Cairns on Monday.\n"
        "A woman was stabbed at a house on Tuesday, the Queensland Police Service said."
    )
    result = _read(text, gazetteer, nlp)
    assert {e.place.name for e in result.events if e.place is not None} == {"Cairns"}


# --- read2: violence told as an action ("threw a hand truck at a bus", a melee); a weapons recovery -------


@pytest.mark.parametrize(
    "sentence",
    [
        "Video shows the boxer throwing a hand truck at a bus full of fighters at an arena in Dayton on Thursday.",
        "Two men were hurt in a backstage melee at an arena in Dayton on Thursday.",
    ],
)
def test_realnews_violence_told_as_an_action(sentence: str, gazetteer: Gazetteer, nlp: Any) -> None:
    result = _read(sentence, gazetteer, nlp)
    kinds = {k for e in result.events for k in e.kinds}
    assert kinds & {"attack", "riots"}
    assert "other" not in kinds


def test_realnews_weapons_recovered_is_an_event(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Police in Osun State said on Thursday they recovered 86 assorted firearms and 88 cartridges."
    result = _read(text, gazetteer, nlp)
    (event,) = result.events
    assert event.kinds == ("other",)
    assert event.confidence > 0.2  # read from its cue, not the fallback of a report with none


def test_realnews_damage_an_attack_did_is_that_attack(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A man attacked a parked car with a child inside in Dayton on Wednesday, police said.\n"
        "Police said the suspect vandalised two cars by kicking and jumping on them."
    )
    result = _read(text, gazetteer, nlp)
    assert [e.kinds for e in result.events] == [("attack",)]


def test_realnews_abduction_told_with_a_killing_is_that_attack(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Gunmen abducted a farmer near Bunia on Monday.\n"
        "His body was found on Tuesday; he had been killed, local officials said."
    )
    result = _read(text, gazetteer, nlp)
    assert all("other" not in e.kinds for e in result.events)


def test_realnews_a_person_described_as_charged_is_no_arrest(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Activists rallied in Daegu on Monday against the acquittal of a director charged with fraud."
    result = _read(text, gazetteer, nlp)
    assert [e for e in result.events if "arrests" in e.kinds] == []


# --- time follows the event's own clause: plans and tries of other clauses, continuing events, weekdays --


def test_realnews_a_fact_told_under_a_try_of_another_clause_is_current(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Now, his friends and other relatives are trying to comprehend a terrible turn of events: "
        "40-year-old Tom Smith is dead after being stabbed in Hamilton on Friday."
    )
    result = _read(text, gazetteer, nlp)  # published Sunday 2021-03-14
    (killed,) = [e for e in result.events if "killed" in e.kinds]
    assert killed.current
    assert killed.date is not None
    assert killed.date.date == dt.date(2021, 3, 12)


def test_realnews_a_relative_clause_under_a_try_is_a_fact(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "Neighbours tried to help, including his wife, who was injured as well in the attack in Hamilton."
    result = _read(text, gazetteer, nlp)
    (hurt,) = [e for e in result.events if "injured" in e.kinds]
    assert hurt.current


def test_realnews_an_ongoing_protest_beside_a_planned_meeting_is_current(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Colorado lawmakers will convene rare Monday sessions as protesting nurses continue to fill "
        "the hall of the hospital in Denver."
    )
    result = _read(text, gazetteer, nlp)
    (protest,) = [e for e in result.events if "protest" in e.kinds]
    assert protest.current
    assert protest.date is not None
    assert protest.date.date <= DAY  # the lawmakers' Monday dates the sessions, not the protest


def test_realnews_a_protest_that_will_continue_today_is_current(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "The protests by nurses in Denver will continue for a third straight day Sunday, their union said."
    result = _read(text, gazetteer, nlp)  # published Sunday 2021-03-14
    (strike,) = [e for e in result.events if "protest" in e.kinds]
    assert strike.current
    assert strike.date is not None
    assert strike.date.date == DAY


def test_realnews_weekday_of_the_publication_day_in_the_future_tense() -> None:
    from geomap.attributes import find_dates

    (same,) = find_dates("The talks will resume Sunday.", DAY)
    assert same.date == DAY
    (week,) = find_dates("The talks will resume next Sunday.", DAY)
    assert week.date == dt.date(2021, 3, 21)


def test_realnews_the_date_of_a_crime_named_in_the_object_does_not_date_the_arrest(
    gazetteer: Gazetteer, nlp: Any
) -> None:
    text = "A suspect in an early February burglary in Denver has been arrested, Colorado police said."
    result = _read(text, gazetteer, nlp)
    (arrest,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrest.current
    assert arrest.date is None or arrest.date.date.month == 3


# --- one arrest told twice: the copy placed at the suspect's home town goes into the scene's -------------


def test_realnews_an_arrest_told_at_the_home_town_and_at_the_scene_is_one(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "A 34-year-old Boulder, Colorado, man was arrested Friday on assault charges, state police said.\n"
        "John Smith was arrested just before midnight on Friday in Jefferson County on charges of assault."
    )
    result = _read(text, gazetteer, nlp)
    (arrest,) = [e for e in result.events if "arrests" in e.kinds]
    assert arrest.place is not None
    assert arrest.place.name != "Boulder"
    assert arrest.extra_evidence


def test_realnews_a_day_of_last_year_is_read_with_its_year() -> None:
    from geomap.attributes import find_dates

    (day,) = find_dates("The brawl took place on 12 May last year.", DAY)
    assert day.date == dt.date(2020, 5, 12)


def test_realnews_undated_violence_retold_after_a_verdict_is_history(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Four men were jailed on Friday over a fight that took place outside a pub in Leeds on 3 June last year.\n"
        "As the men leave the pub, a second group chases them and attacks them with bottles."
    )
    result = _read(text, gazetteer, nlp)
    violence = [e for e in result.events if e.family == "violence"]
    assert violence
    assert not any(e.current for e in violence)


# --- read2: "X is dead" counts the one person it names ---------------------------------------------------


def test_realnews_one_person_is_dead_counts_one(gazetteer: Gazetteer, nlp: Any) -> None:
    from geomap.reading import victims_of

    result = _read("A 40-year-old man is dead after being stabbed in Hamilton on Friday.", gazetteer, nlp)
    assert [e.killed.best if e.killed else None for e in result.events if "killed" in e.kinds] == [1]
    sdoc = nlp("In Hamilton, Ontario, 38-year-old Vermelhudo is dead after being stabbed on Friday.")
    dead = next(t for t in sdoc if t.lower_ == "dead")
    found = victims_of(dead)
    assert found is not None
    assert found[0] == 1
