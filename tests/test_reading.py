"""Issue 9's error classes, each on a small report written for this test (never a copied sentence)."""

import datetime as dt

import pytest

from geomap.events import Event, event_to_json
from geomap.gazetteer import Gazetteer
from geomap.ingest import Document
from geomap.nlp import load_pipeline
from geomap.pipeline import process_document
from geomap.reading import actor_role, attached_to, dateline_end, headline_end, is_planned, is_toll, token_at

THURSDAY = dt.date(2012, 3, 15)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_pipeline()


def _events(gazetteer: Gazetteer, text: str, published: dt.date = THURSDAY) -> list[Event]:
    return list(process_document(Document(doc_id="t", text=text, published=published), gazetteer).events)


def _span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


# ---------------------------------------------------------------- datelines and roles


def test_reading_dateline_is_never_the_event_place(gazetteer: Gazetteer) -> None:
    text = "CAIRO (AP) - Gunmen killed four villagers in Kano on Tuesday, police said."
    assert dateline_end(text) == len("CAIRO (AP) - ")
    places = {e.place.name for e in _events(gazetteer, text) if e.place is not None}
    assert "Cairo" not in places
    assert "Kano" in places


@pytest.mark.parametrize(
    ("text", "word", "role"),
    [
        ("The France-backed coalition shelled a village near Homs.", "France", "modifier"),
        ("The Egypt-brokered truce collapsed in Gaza on Monday.", "Egypt", "modifier"),
        ("Kenya says its troops killed ten fighters near Kismayo.", "Kenya", "speaker"),
        ("The rebels appealed to Nigeria for help after the raid.", "Nigeria", "addressee"),
        ("The government accused Rwanda of arming the militia.", "Rwanda", "accused"),
        ("The town was shelled by Ukraine overnight.", "Ukraine", "agent"),
        ("Ten died in a Somalia attack near Garissa.", "Somalia", "attacker"),
        ("Uganda fired rockets at a camp near Goma.", "Uganda", "subject"),
        ("A nurse visiting from Ghana was wounded in Kano.", "Ghana", "origin"),
        ("Corporal Jane Okoro of Kaduna died in the blast.", "Kaduna", "origin"),
    ],
)
def test_reading_actor_roles(nlp, text: str, word: str, role: str) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    start, end = _span(text, word)
    assert actor_role(sdoc, start, end) == role


def test_reading_locative_name_is_no_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Gunmen attacked a market in Kano on Monday."
    assert actor_role(nlp(text), *_span(text, "Kano")) == ""


def test_reading_actor_country_gets_no_event(gazetteer: Gazetteer) -> None:
    text = "Kenya says its troops killed ten fighters near Kismayo on Wednesday."
    (event,) = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert event.place is not None
    assert event.place.country_code == "SO"


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("text", "count", "trigger", "attached"),
    [
        ("Rebels killed four soldiers and wounded 75,000 refugees.", "four", "killed", True),
        ("Rebels killed four soldiers and wounded 75,000 refugees.", "75,000", "killed", False),
        ("At least 10 were left dead in a province of 1.2 million people.", "1.2 million", "dead", False),
        ("A crowd of 5,000 gathered where two protesters were shot dead.", "5,000", "dead", False),
        ("A crowd of 5,000 gathered where two protesters were shot dead.", "two", "dead", True),
        ("Police arrested three men at the No. 4 station.", "4", "arrested", False),
        ("Police arrested three men at the No. 4 station.", "three", "arrested", True),
    ],
)
def test_reading_counts_attach_through_the_parse(nlp, text: str, count: str, trigger: str, attached: bool) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    trig = token_at(sdoc, text.index(trigger))
    assert attached_to(sdoc, *_span(text, count), [trig]) is attached


def test_reading_count_is_never_a_substring(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Rebels wounded 75,000 refugees."
    sdoc = nlp(text)
    start = text.index("5,000")
    assert not attached_to(sdoc, start, start + 5, [token_at(sdoc, text.index("wounded"))])


def test_reading_population_is_not_a_casualty_count(gazetteer: Gazetteer) -> None:
    text = "Militias clashed in Kano on Wednesday, leaving three dead in a state of ten million people."
    (event,) = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert event.killed is not None
    assert event.killed.best == 3


def test_reading_arrest_count_is_kept(gazetteer: Gazetteer) -> None:
    text = "Police in Kano arrested five men on Wednesday after the riot."
    (event,) = [e for e in _events(gazetteer, text) if e.family == "arrests"]
    assert event.arrested is not None
    assert event.arrested.best == 5
    assert event_to_json(event)["arrested"] == 5


def test_reading_refugee_stock_is_not_a_displacement(gazetteer: Gazetteer) -> None:
    text = "The camp near Kano shelters 40,000 refugees, aid workers said on Wednesday."
    assert not [e for e in _events(gazetteer, text) if e.family == "displacement"]


# ---------------------------------------------------------------- tolls, time, plans


@pytest.mark.parametrize(
    ("text", "trigger", "toll"),
    [
        ("The death toll has risen to 97, officials said.", "death", True),
        ("Nearly 3,000 people have been killed since April.", "killed", True),
        ("Gunmen killed 12 people in the market on Monday.", "killed", False),
    ],
)
def test_reading_tolls(nlp, text: str, trigger: str, toll: bool) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    tok = token_at(sdoc, text.index(trigger))
    if tok.dep_ == "compound":
        tok = tok.head
    assert is_toll(tok) is toll


def test_reading_toll_is_no_incident(gazetteer: Gazetteer) -> None:
    text = "Nearly 3,000 people have been killed in Kano state since April, the agency said on Wednesday."
    events = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert events
    assert all(e.toll and not e.current for e in events)


@pytest.mark.parametrize(
    ("text", "trigger", "planned"),
    [
        ("The opposition will march in the capital on Sunday.", "march", True),
        ("The referendum is scheduled for next month.", "referendum", True),
        ("Students marched in the capital on Sunday.", "marched", False),
    ],
)
def test_reading_plans(nlp, text: str, trigger: str, planned: bool) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    assert is_planned(token_at(sdoc, text.index(trigger))) is planned


def test_reading_each_clause_keeps_its_own_time(gazetteer: Gazetteer) -> None:
    text = (
        "Soldiers arrested six traders in Kano on Wednesday. "
        "In 2009, troops had shelled a village in Kano, killing 30 people."
    )
    events = _events(gazetteer, text)
    arrests = [e for e in events if e.family == "arrests"]
    assert arrests
    assert arrests[0].date is not None
    assert arrests[0].date.date == dt.date(2012, 3, 14)
    assert arrests[0].current
    old = [e for e in events if e.family == "violence"]
    assert old
    assert all(e.background for e in old)
    assert all(e.date is not None and e.date.date.year == 2009 for e in old)


def test_reading_date_after_another_cue_is_that_cues(gazetteer: Gazetteer) -> None:
    text = "Rioting spread on Wednesday to Kano, the scene of deadly clashes last month, witnesses said."
    (event,) = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert event.current
    assert event.date is not None
    assert event.date.date == dt.date(2012, 3, 14)


def test_reading_background_is_kept_and_flagged(gazetteer: Gazetteer) -> None:
    text = "Gunmen attacked a bank in Kano on Wednesday. In March 2008, rebels bombed a bridge in Kaduna."
    events = _events(gazetteer, text)
    flagged = [e for e in events if e.background]
    assert flagged
    assert event_to_json(flagged[0])["background"] is True
    (primary,) = [e for e in events if e.primary]
    assert primary.current


# ---------------------------------------------------------------- headline


def test_reading_headline_is_context_not_an_event(gazetteer: Gazetteer) -> None:
    text = "Riots Rock Northern City\n\nRioters burned shops in Kano on Wednesday, police said."
    assert text[headline_end(text) :].startswith("Rioters")
    events = _events(gazetteer, text)
    assert events
    assert all(e.evidence_start >= headline_end(text) for e in events)


def test_reading_definite_cue_tells_the_same_event(gazetteer: Gazetteer) -> None:
    text = (
        "A bomb exploded at a bus station in Kano on Wednesday, killing eight people. "
        "The attack in Kano was the worst this year, officials said."
    )
    violence = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert len(violence) == 1
    assert violence[0].killed is not None
    assert violence[0].killed.best == 8


# ---------------------------------------------------------------- areas and flows


def test_reading_flow_runs_from_origin_to_destination(gazetteer: Gazetteer) -> None:
    text = "Fighting in Kano on Wednesday sent 2,000 villagers fleeing to Niger, officials said."
    flows = [e for e in _events(gazetteer, text) if e.geometry_kind == "flow"]
    assert flows
    coords = list(flows[0].geometry.coords)  # type: ignore[union-attr]
    assert coords[0] != coords[-1]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("A young driver was arrested in Kano on Wednesday.", 1),
        ("Her uncle, brother and cousin were detained in Kano on Wednesday.", 3),
        ("Four traders were placed under arrest in Kano on Wednesday.", 4),
        ("Traders were detained in Kano on Wednesday.", None),
    ],
)
def test_reading_people_without_a_number_are_counted(gazetteer: Gazetteer, text: str, count: int | None) -> None:
    (event,) = [e for e in _events(gazetteer, text) if e.family == "arrests"]
    assert (event.arrested.best if event.arrested else None) == count


def test_reading_event_the_news_comes_after_is_earlier(gazetteer: Gazetteer) -> None:
    text = (
        "A bomb hit a bus in Kano on Wednesday, killing nine people. "
        "The blast came three days after gunmen killed four guards in Kano."
    )
    events = _events(gazetteer, text)
    earlier = [e for e in events if e.background]
    assert earlier
    assert earlier[0].date is not None
    assert earlier[0].date.date == dt.date(2012, 3, 11)


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("He admitted he had plotted to bomb a police station.", "bomb"),
        ("The rebels would attack the town, officials feared.", "attack"),
    ],
)
def test_reading_plots_and_conditionals_are_no_incidents(nlp, text: str, trigger: str) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    assert is_planned(token_at(sdoc, text.index(trigger)))


@pytest.mark.parametrize(
    ("sentence", "month"),
    [("In mid-January, rebels raided a depot.", 1), ("Bandits raided farms over the summer.", 7)],
)
def test_reading_month_and_season_phrases_date_history(sentence: str, month: int) -> None:
    from geomap.attributes import find_dates

    (found,) = find_dates(sentence, THURSDAY)
    assert found.date.month == month
    assert found.date <= THURSDAY


def test_reading_town_and_its_country_make_one_marker(gazetteer: Gazetteer) -> None:
    text = (
        "Gunmen attacked a police post in Kano on Wednesday, killing two officers. "
        "Officials said the gunmen also attacked a bank in Nigeria on Wednesday."
    )
    violence = [e for e in _events(gazetteer, text) if e.family == "violence" and e.current]
    assert len(violence) == 1
    assert violence[0].place is not None
    assert violence[0].place.name == "Kano"
    assert violence[0].killed is not None
    assert violence[0].killed.best == 2


def test_reading_place_in_a_quote_is_not_the_scene(nlp) -> None:  # type: ignore[no-untyped-def]
    from geomap.reading import same_scene, span_root

    text = "A guard shot the envoy in a gallery and then shouted: 'Remember Kano!'"
    sdoc = nlp(text)
    place = span_root(sdoc, *_span(text, "Kano"))
    assert not same_scene(place, [token_at(sdoc, text.index("shot"))])


def test_reading_country_named_in_a_town_story_is_the_town(gazetteer: Gazetteer) -> None:
    text = (
        "Gunmen stormed a market in Kano on Wednesday, police said. "
        "Residents of Kano said calm had returned to Kano by evening. "
        "The attack was the deadliest in Nigeria this year, killing 14 people."
    )
    violence = [e for e in _events(gazetteer, text) if e.family == "violence" and e.current]
    assert violence
    assert all(e.place is not None and not e.place.is_country for e in violence)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Okafor, 41, was arrested at his home.", "41"),
        ("The riot began at 5 p.m. and police arrested dozens.", "5"),
    ],
)
def test_reading_ages_and_times_are_no_counts(nlp, text: str, number: str) -> None:  # type: ignore[no-untyped-def]
    sdoc = nlp(text)
    trig = token_at(sdoc, text.index("arrested"))
    assert not attached_to(sdoc, *_span(text, number), [trig])


def test_reading_headline_style_passive_counts_one(gazetteer: Gazetteer) -> None:
    text = "Police in Kano said on Wednesday: teacher arrested after a brawl at a school."
    (event,) = [e for e in _events(gazetteer, text) if e.family == "arrests"]
    assert event.arrested is not None
    assert event.arrested.best == 1


@pytest.mark.parametrize(
    ("text", "displacement"),
    [
        ("Two gunmen robbed a bank in Kano on Wednesday and fled in a car.", False),
        ("Villagers fled their homes near Kano on Wednesday after the raid.", True),
        ("The drivers of both trucks fled after the crash near Kano on Wednesday.", False),
        ("About 2,000 villagers fled their homes near Kano on Wednesday.", True),
    ],
)
def test_reading_an_escape_is_no_displacement(gazetteer: Gazetteer, text: str, displacement: bool) -> None:
    found = [e for e in _events(gazetteer, text) if e.family == "displacement"]
    assert bool(found) is displacement


def test_reading_new_cue_not_the_referring_one_dates_the_clause(gazetteer: Gazetteer) -> None:
    text = (
        "A bomb exploded at a church in Kano on Wednesday, killing five worshippers. "
        "Wednesday's blast came three days after two bombs killed four guards in Kaduna."
    )
    earlier = [e for e in _events(gazetteer, text) if e.background]
    assert earlier
    assert earlier[0].date is not None
    assert earlier[0].date.date == dt.date(2012, 3, 11)


def test_reading_aid_and_talks_in_passing_are_no_events(gazetteer: Gazetteer) -> None:
    text = (
        "Gunmen killed six farmers in a village near Kano on Wednesday, police said. "
        "The attackers escaped on motorcycles. "
        "Aid groups say thousands in the state need humanitarian aid after months of raids."
    )
    events = _events(gazetteer, text)
    assert not [e for e in events if e.family == "aid" and e.current]
    assert [e for e in events if e.family == "violence"]


def test_reading_crime_heard_in_court_is_history(gazetteer: Gazetteer) -> None:
    text = "A teenager was stabbed to death outside a shop in Kano, a court heard on Wednesday."
    violence = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert violence
    assert all(e.background for e in violence)


@pytest.mark.parametrize(
    "text",
    ["By luck no person died in the blaze in Kano on Wednesday.", "The guard was not arrested in Kano on Wednesday."],
)
def test_reading_negated_cue_makes_no_event(gazetteer: Gazetteer, text: str) -> None:
    assert not [e for e in _events(gazetteer, text) if {"killed", "arrests"} & set(e.kinds)]


def test_reading_history_goes_on_in_the_next_sentence(gazetteer: Gazetteer) -> None:
    text = (
        "Police in Kano arrested a trader on Wednesday. "
        "In March 2009, gunmen shot a farmer in Kaduna. "
        "He died at the scene."
    )
    violence = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert violence
    assert all(e.background for e in violence)


def test_reading_history_without_a_day_is_vague(gazetteer: Gazetteer) -> None:
    text = "Police arrested a trader in Kano on Wednesday. In March 2009, gunmen shot a farmer in Kaduna."
    old = [e for e in _events(gazetteer, text) if e.background]
    assert old
    assert all(e.vague_history for e in old)
    assert not any(e.vague_history for e in _events(gazetteer, text) if e.current)


@pytest.mark.parametrize(
    ("text", "search"),
    [
        ("Police raided his home in Kano on Wednesday.", True),
        ("Offices at the ministry were raided on Wednesday.", True),
        ("Six were held in a wave of raids by Kano police.", True),
        ("Militants raided a village near Kano on Wednesday, killing five.", False),
    ],
)
def test_reading_police_search_is_no_attack(nlp, text: str, search: bool) -> None:  # type: ignore[no-untyped-def]
    from geomap.reading import is_search

    sdoc = nlp(text)
    assert is_search(token_at(sdoc, text.index("raid"))) is search


def test_reading_accused_plot_is_planned(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Police arrested two men accused of plotting a bomb attack on a market."
    sdoc = nlp(text)
    assert is_planned(token_at(sdoc, text.index("attack")))


@pytest.mark.parametrize(
    ("text", "trigger", "described"),
    [
        ("The province hosts 90,000 displaced people fleeing attacks on their villages.", "attacks", True),
        ("The town was the centre of protests that began years ago.", "protests", True),
        ("The guard had a gunshot wound to the arm.", "wound", False),
        ("Rebels attacked the town on Monday.", "attacked", False),
    ],
)
def test_reading_descriptions_are_no_events(nlp, text: str, trigger: str, described: bool) -> None:  # type: ignore[no-untyped-def]
    from geomap.reading import in_description

    sdoc = nlp(text)
    assert in_description(token_at(sdoc, text.index(trigger))) is described


def test_reading_toll_update_is_a_toll_of_its_place(gazetteer: Gazetteer) -> None:
    text = (
        "Clashes in Kaduna on Wednesday killed three people, police said.\n\n"
        "The death toll from Monday's riots in Kano rose to 31, officials said on Wednesday."
    )
    events = _events(gazetteer, text)
    tolls = [e for e in events if e.toll]
    assert len(tolls) == 1
    assert tolls[0].place is not None
    assert tolls[0].place.name == "Kano"
    assert tolls[0].killed is not None
    assert tolls[0].killed.best == 31
    (current,) = [e for e in events if e.family == "violence" and e.current]
    assert current.killed is not None
    assert current.killed.best == 3


def test_reading_name_modifying_the_cue_is_its_place(gazetteer: Gazetteer) -> None:
    text = "A Kano rally on Wednesday backed the victims of the fighting in Kaduna."
    (event,) = [e for e in _events(gazetteer, text) if "protest" in e.kinds]
    assert event.place is not None
    assert event.place.name == "Kano"


def test_reading_acronym_of_an_organisation_is_no_place(gazetteer: Gazetteer) -> None:
    text = (
        "A British soldier was killed by a roadside bomb on Wednesday, officials said. "
        "The Ministry of Defence (MoD) named the soldier who died on Wednesday."
    )
    assert all(e.place is None or e.place.name != "Maud" for e in _events(gazetteer, text))


@pytest.mark.parametrize(
    ("text", "name", "anchor", "apart"),
    [
        # An opening quote whose closing mark falls in the next sentence runs to the sentence's end.
        ("A guard shot the envoy at a gallery on Monday, shouting: “Remember Kano!", "Kano", "shot", True),
        ('Police said "two men were shot in Kano" on Monday.', "Kano", "shot", False),
        ("Troops shelled Kano on Monday, “without warning”, residents said.", "Kano", "shelled", False),
    ],
)
def test_reading_quote_apart_from_the_cue(text: str, name: str, anchor: str, apart: bool) -> None:
    from geomap.reading import in_quote_apart

    start, end = _span(text, name)
    assert in_quote_apart(text, start, end, (0, len(text)), [text.index(anchor)]) is apart


def test_reading_slogan_place_is_not_the_scene(gazetteer: Gazetteer) -> None:
    text = (
        "A guard shot dead a visiting envoy at a gallery on Monday, shouting: “Remember Kano!” "
        "The shooting in Lagos was the first attack on a diplomat in Lagos in a decade, police said."
    )
    places = {e.place.name for e in _events(gazetteer, text) if e.place is not None}
    assert places == {"Lagos"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Gunmen raided the village on New Year's Day.", dt.date(2012, 1, 1)),
        ("Bandits attacked the camp after New Year Day prayers.", dt.date(2012, 1, 1)),
        ("Riots broke out over Christmas.", dt.date(2011, 12, 25)),
        ("Unions will march on Christmas Eve.", dt.date(2012, 12, 24)),
        ("The company Christmas party ended in a brawl.", None),
    ],
)
def test_reading_holidays_date_their_clause(sentence: str, expected: dt.date | None) -> None:
    from geomap.attributes import find_date

    found = find_date(sentence, THURSDAY)
    assert (found.date if found else None) == expected


def test_reading_attack_on_a_holiday_months_ago_is_background(gazetteer: Gazetteer) -> None:
    text = (
        "Health officials in Kano said on Thursday that a clinic had run out of vaccines. "
        "One patient said she was displaced from her village near Kano after gunmen attacked it on New Year's Day."
    )
    attacks = [e for e in _events(gazetteer, text) if e.family == "violence"]
    assert attacks
    assert all(not e.current for e in attacks)
