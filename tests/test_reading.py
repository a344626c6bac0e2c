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
