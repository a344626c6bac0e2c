"""A cue word makes an event only in its event sense, read from the parse (issue 9, held-out reports)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from geomap.ingest import Document
from geomap.nlp import NlpUnavailableError, load_pipeline
from geomap.pipeline import process_document
from geomap.reading import dateline_end

if TYPE_CHECKING:
    from geomap.gazetteer import Gazetteer

pytest.importorskip("spacy")

DAY = dt.date(2022, 5, 6)


@pytest.fixture(scope="module")
def nlp() -> Any:
    try:
        return load_pipeline()
    except NlpUnavailableError:
        pytest.skip("the spaCy model is not installed")


def _kinds(text: str, gazetteer: Gazetteer, nlp: Any) -> list[tuple[str, ...]]:
    result = process_document(Document(doc_id="t", text=text, published=DAY), gazetteer, nlp)
    return [tuple(e.kinds) for e in result.events]


@pytest.mark.parametrize(
    "text",
    [
        # a negated request
        "The governor of Nevada said on Thursday there had been no request from Washington to send troops.",
        # weapons as goods: a sale, an amount of money, a deal
        "The government in Ottawa approved selling artillery and missiles to Chile on Thursday.",
        "Canada has approved $2 billion in arms sales to Chile, including $1 billion in missiles, in Ottawa.",
        "The deal signed in Ottawa on Thursday includes 90 artillery-firing vehicles.",
        # diplomats expelled as a measure between states
        "Some of the 40 Chilean diplomats being expelled from Canada left Ottawa on Thursday.",
        # a battle with a fire, a lull in the fighting
        "More than fifty firefighters battled the blaze at a warehouse in Winnipeg on Thursday.",
        "Towns across Manitoba saw a lull in the fighting on Thursday.",
        # "hundreds of diplomats": the people a quantity counts
        "Hundreds of diplomats are being expelled from both Canada and Chile, officials in Ottawa said on Thursday.",
        # an attack referred to by blame
        "In Ottawa on Thursday the minister blamed the Chilean government for the attack.",
        # a noun sense and an adjective
        "Fewer officers walk the beat in Winnipeg since cuts were made, the city's mayor said on Thursday.",
        "He faces a charge of carrying an offensive weapon in Winnipeg on Thursday.",
    ],
)
def test_a_cue_out_of_its_event_sense_makes_no_event(gazetteer: Gazetteer, nlp: Any, text: str) -> None:
    assert not [
        k for k in _kinds(text, gazetteer, nlp) if set(k) & {"attack", "clashes", "displacement", "troop_request"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "About 400 people have died of cholera in Kasai province since Thursday, officials said.",
        "Floods killed 20 people in Kasai province on Thursday.",
        "An estimated 300 have been killed across Kasai province as waterborne diseases have spread.",
        "Doctors in Kasai said the unknown disease spread fast and the patients died quickly on Thursday.",
    ],
)
def test_deaths_from_disease_and_hazards_are_no_violence(gazetteer: Gazetteer, nlp: Any, text: str) -> None:
    assert not [k for k in _kinds(text, gazetteer, nlp) if "killed" in k]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Rebels fired artillery and missiles at Bunia on Thursday, killing four people.", "attack"),
        ("Thousands of villagers were expelled from Bunia by the militia on Thursday.", "displacement"),
        ("Soldiers battled rebels near Bunia on Thursday.", "clashes"),
        ("Police beat protesters in Bunia on Thursday.", "attack"),
        ("Gunmen killed 20 people in Bunia on Thursday as the militia advanced.", "killed"),
    ],
)
def test_the_cue_in_its_event_sense_still_makes_the_event(gazetteer: Gazetteer, nlp: Any, text: str, kind: str) -> None:
    assert any(kind in k for k in _kinds(text, gazetteer, nlp))


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("Moscow, SANA- The ministry said the talks were over.", 14),  # a town and a wire agency's capitals
        ("LONDON The Latest on the talks: the ministry said ...", 7),  # a town in capitals, no separator
        ("US forces left the base.", 0),
    ],
)
def test_datelines_without_the_usual_separator(text: str, end: int) -> None:
    assert dateline_end(text) == end


def test_a_weekday_before_its_date_names_that_date(gazetteer: Gazetteer, nlp: Any) -> None:
    # Published on a Friday in July: "on Friday, February 3" is February 3, history, not today.
    text = "A man stabbed a neighbour in Winnipeg at 3 p.m. on Friday, February 3, police said."
    doc = Document(doc_id="t", text=text, published=dt.date(2022, 7, 22))
    events = process_document(doc, gazetteer, nlp).events
    assert events
    assert {e.date.date for e in events if e.date is not None} == {dt.date(2022, 2, 3)}


def test_an_organisation_charged_is_not_arrested(gazetteer: Gazetteer, nlp: Any) -> None:
    text = "FIFA charged Argentina with misconduct in Zurich on Thursday."
    assert not [k for k in _kinds(text, gazetteer, nlp) if "arrests" in k]
    text = "Police in Leeds charged a 30-year-old man with assault on Thursday."
    assert [k for k in _kinds(text, gazetteer, nlp) if "arrests" in k]


def test_an_undated_sequel_of_a_past_attack_is_that_history(gazetteer: Gazetteer, nlp: Any) -> None:
    # Published in July: the arrest "at the scene" follows the February stabbing, not the week of publication.
    text = (
        "A man was jailed in Leeds on Friday for a knife attack on his neighbour.\n"
        "He stabbed the woman several times in Harehills, Leeds, on February 3, 2022, the court heard.\n"
        "He was arrested at the scene and was charged the following day."
    )
    doc = Document(doc_id="t", text=text, published=dt.date(2022, 7, 22))
    events = process_document(doc, gazetteer, nlp).events
    arrests = [e for e in events if "arrests" in e.kinds]
    assert arrests
    assert all(e.background and e.date is not None and e.date.date == dt.date(2022, 2, 3) for e in arrests)


def test_an_abduction_named_as_what_came_before_is_not_the_event(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Following the kidnapping of two traders (told in another report), armed men fired shots in Bunia on Thursday "
        "and soldiers responded."
    )
    doc = Document(doc_id="t", text=text, published=DAY)
    events = process_document(doc, gazetteer, nlp).events
    assert events
    assert all(e.kinds != ("other",) for e in events)  # not rewritten as an abduction of its own
