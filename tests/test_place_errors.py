"""
The error classes of places on real news, each as a small fixture read by the real pipeline.

Sentences are written for these tests (none is copied from a report or a corpus). Each
asserts the right place, or no place, with the default reading (the pinned spaCy model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from geomap.geoparse import geoparse_document
from geomap.ingest import Document
from geomap.ner import load_ner

if TYPE_CHECKING:
    from geomap.gazetteer import Gazetteer
    from geomap.resolve import Resolution


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_ner()


def _read(gazetteer: Gazetteer, nlp: Any, text: str, **hints: str) -> list[Resolution]:
    doc = Document(doc_id="fixture", text=text, **hints)
    return list(geoparse_document(doc, gazetteer, nlp=nlp).resolutions)


def _placed(resolutions: list[Resolution], name: str) -> list[Resolution]:
    return [r for r in resolutions if r.mention.text == name and r.place is not None]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A commander's middle name that is also a city's.
        ("Brigadier General Omar Victoria Haddad denied that his troops had fired first.", "Victoria"),
        # An agency head's surname that is also a county's.
        ("The relief agency's director, Paul Hamilton, said the convoy had been turned back.", "Hamilton"),
        # An organisation's abbreviation.
        ("U.N. officials said the aid trucks had been held at the checkpoint for two days.", "U.N."),
        # A ministry.
        ("The Interior Ministry said 40 people had been detained overnight.", "Interior"),
        # A square named after an idea.
        ("Thousands of protesters filled Independence Square on Sunday evening.", "Independence"),
        # A first name.
        ("Florence Mbeki, a nurse at the clinic, said the wounded arrived before dawn.", "Florence"),
    ],
)
def test_names_of_people_and_organisations_are_no_places(gazetteer: Gazetteer, nlp: Any, text: str, name: str) -> None:
    assert not _placed(_read(gazetteer, nlp, text), name)


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # Containment in the same sentence, with a direction word before the region.
        ("Soldiers burned houses in Monywa in the central Sagaing region on Tuesday.", "Monywa", "MM"),
        # "the <people> town of X".
        ("Shelling hit the southern Tigrayan town of Alamata on Monday.", "Alamata", "ET"),
        # Copula containment.
        ("Kapan is a town in southern Armenia. Shops in Kapan closed on Friday.", "Kapan", "AM"),
        # "X, a district of Y".
        ("Clashes spread to Kunduz, a province of northern Afghanistan, overnight.", "Kunduz", "AF"),
    ],
)
def test_containment_in_the_sentence_decides(
    gazetteer: Gazetteer, nlp: Any, text: str, name: str, country: str
) -> None:
    placed = _placed(_read(gazetteer, nlp, text), name)
    assert placed
    assert {r.place.country_code for r in placed if r.place} == {country}


def test_an_admin1_container_gives_its_admin1_not_the_biggest_namesake_of_its_country(
    gazetteer: Gazetteer, nlp: Any
) -> None:
    placed = _placed(_read(gazetteer, nlp, "Snow closed schools in Lincoln County, Neb., on Monday."), "Lincoln County")
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.admin1_code == "US.NE"


def test_a_province_name_shared_by_countries_follows_the_story(gazetteer: Gazetteer, nlp: Any) -> None:
    text = (
        "Police in Colombo said curfews were imposed in Sri Lanka's capital overnight. "
        "Protests also spread across the Western Province, officials said."
    )
    placed = _placed(_read(gazetteer, nlp, text), "Western Province")
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.country_code == "LK"


def test_the_country_hint_keeps_a_name_at_home(gazetteer: Gazetteer, nlp: Any) -> None:
    # Without a hint the largest namesake wins; an ACLED row or a desk's beat says which country.
    text = "Gunmen attacked a bus near Hyderabad on Monday."
    placed = _placed(_read(gazetteer, nlp, text, country="PK"), "Hyderabad")
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.country_code == "PK"


@pytest.mark.parametrize(
    ("text", "name", "feature"),
    [
        # A region's name in a story that names the country of a small namesake (a US neighbourhood).
        ("A senator from Texas said American troops in the Middle East would stay.", "Middle East", "L.RGN"),
        # ... and a Mexican village's namesake of a one-country region.
        ("He was exiled to Siberia, his lawyer in Mexico City said.", "Siberia", "L.RGN"),
        # The text puts the name in a container: the namesake is meant.
        ("He moved to Levant, Maine, last year, his brother in Boston said.", "Levant", "P.PPL"),
    ],
)
def test_a_region_name_means_the_region_unless_contained(
    gazetteer: Gazetteer, nlp: Any, text: str, name: str, feature: str
) -> None:
    placed = _placed(_read(gazetteer, nlp, text), name)
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.feature == feature


def test_a_hint_keeps_regions_of_several_countries(gazetteer: Gazetteer, nlp: Any) -> None:
    # A region of several countries is not "abroad" for a desk's country.
    placed = _placed(
        _read(gazetteer, nlp, "Troops from Texas will deploy to the Middle East.", country="US"), "Middle East"
    )
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.feature == "L.RGN"


def test_a_short_form_the_text_defines_for_an_organisation_is_no_place(gazetteer: Gazetteer, nlp: Any) -> None:
    # "MoD" folds to a US town's alternate name; the text defines it as a ministry's short name.
    text = (
        "The Ministry of Defence (MoD) named the soldier who died in Syria. "
        "An MoD spokesman said troops from the United States (US) were also hurt."
    )
    resolutions = _read(gazetteer, nlp, text)
    assert not _placed(resolutions, "MoD")
    assert _placed(resolutions, "US")


def test_a_small_namesake_abroad_is_no_reading_of_a_local_name(gazetteer: Gazetteer, nlp: Any) -> None:
    # "Shankill" is only a Dublin suburb in the gazetteer; in a Belfast story that names no Ireland it is local.
    text = (
        "A man appeared at Belfast Magistrates' Court on Friday. He was arrested in the north of Belfast "
        "after a series of burglaries in the Shankill area on Tuesday, police in Belfast said."
    )
    placed = _placed(_read(gazetteer, nlp, text), "Shankill")
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.country_code == "GB"
    # Named with its country, the town abroad stays.
    text = "A man from Shankill in Ireland appeared at Belfast Magistrates' Court on Friday, police in Belfast said."
    placed = _placed(_read(gazetteer, nlp, text), "Shankill")
    assert placed
    assert placed[0].place is not None
    assert placed[0].place.country_code == "IE"
