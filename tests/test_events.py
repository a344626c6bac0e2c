import datetime as dt
import re
from pathlib import Path

import pytest

from geomap.attributes import find_count, find_date
from geomap.events import KIND_PATTERNS, classify, event_to_json, split_sentences
from geomap.gazetteer import Gazetteer
from geomap.geo import haversine_km
from geomap.ingest import Document, read_documents
from geomap.pipeline import process_document

SEED = Path(__file__).resolve().parent.parent / "seeds" / "osh-2010-06-12.txt"
KILLED = KIND_PATTERNS["killed"]
INJURED = KIND_PATTERNS["injured"]
SATURDAY = dt.date(2010, 6, 12)


@pytest.mark.parametrize(
    ("sentence", "text", "qualifier", "fatalities"),
    [
        ("Riots have killed at least 77 people.", "at least 77", "at_least", 77),
        ("More than 1,000 people were killed.", "More than 1,000", "more_than", 1000),
        ("Thousands of people were killed.", "Thousands", "vague", 1000),
        ("Dozens of people were killed.", "Dozens", "vague", 12),
        ("A man was killed in the attack.", "A", "exact", 1),
        ("Gunmen killed two policemen.", "two", "exact", 2),
        ("The blast left 12 dead.", "12", "exact", 12),
        ("About 50 people died.", "About 50", "approx", 50),
        ("Between 20 and 30 people were killed.", "20 and 30", "range", 20),
        ("17 militants and 4 soldiers were killed.", "17 militants and 4 soldiers", "exact", 21),
        (
            "5 soldiers, 35 militants and 3 civilians were killed.",
            "5 soldiers, 35 militants and 3 civilians",
            "exact",
            43,
        ),
        ("He was killed in the incident.", "He was", "exact", 1),
        ("No one was killed.", "No one was", "exact", 0),
    ],
)
def test_events_counting_table(sentence: str, text: str, qualifier: str, fatalities: int) -> None:
    count = find_count(sentence, KILLED)
    assert count is not None
    assert (count.qualifier, count.acled) == (qualifier, fatalities)
    assert text in count.text
    assert sentence[count.start_char : count.end_char] == count.text


def test_events_count_keeps_each_trigger_its_own_number() -> None:
    sentence = "Riots that have killed at least 77 people and wounded many hundreds."
    assert find_count(sentence, KILLED).best == 77
    wounded = find_count(sentence, INJURED)
    assert (wounded.text, wounded.best, wounded.qualifier) == ("many hundreds", 100, "vague")


def test_events_count_display() -> None:
    assert find_count("It killed at least 77 people.", KILLED).display() == "≥ 77"
    assert find_count("More than 1,000 people were hurt.", INJURED).display() == "1,000+"


@pytest.mark.parametrize(
    ("sentence", "date", "precision"),
    [
        ("Otunbayeva said Saturday that help is needed.", dt.date(2010, 6, 12), 1),
        ("Authorities declared a state of emergency Friday.", dt.date(2010, 6, 11), 1),
        ("The group will meet Monday.", dt.date(2010, 6, 14), 1),
        ("Clashes erupted last month.", dt.date(2010, 5, 15), 3),
        ("He was ousted in April.", dt.date(2010, 4, 15), 3),
        ("On 22 February 2022, police arrested him.", dt.date(2022, 2, 22), 1),
        ("Fighting resumed yesterday.", dt.date(2010, 6, 11), 1),
        ("Talks went on this week.", dt.date(2010, 6, 9), 2),  # Sunday 6 to Saturday 12: its middle
        ("The envoy arrived last week.", dt.date(2010, 6, 2), 2),  # Sunday 30 May to Saturday 5 June
    ],
)
def test_events_dates_resolve_against_publication(sentence: str, date: dt.date, precision: int) -> None:
    info = find_date(sentence, SATURDAY)
    assert info is not None
    assert (info.date, info.time_precision) == (date, precision)
    assert sentence[info.start_char : info.start_char + len(info.text)] == info.text


def test_events_no_date_is_invented_without_publication() -> None:
    assert find_date("Authorities declared a state of emergency Friday.", None) is None
    assert find_date("Nothing dated here.", SATURDAY) is None


def test_events_sentences() -> None:
    text = "Riots hit Osh. The U.S. base is open.\n\nMr. Karimov spoke."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Riots hit Osh.",
        "The U.S. base is open.",
        "Mr. Karimov spoke.",
    ]


def test_events_sentences_join_lines_wrapped_at_a_fixed_width() -> None:
    text = (
        "Flooding Hits the Valley\n"
        "A car bomb exploded near the market in the old town on Monday, and the governor of the northern\n"
        "    Province, who visited the site, said four people died. Police\n"
        "    said the driver fled\n"
        "    Witnesses saw smoke."
    )
    assert [text[s:e].split()[0] for s, e in split_sentences(text)] == ["Flooding", "A", "Police", "Witnesses"]
    assert "northern\n    Province" in text[slice(*split_sentences(text)[1])]


@pytest.mark.parametrize(
    ("kinds", "sentence", "expected"),
    [
        (["protest"], "Hundreds protested peacefully outside parliament.", ("Protests", "Peaceful protest")),
        (["protest"], "Police fired tear gas to disperse protesters.", ("Protests", "Protest with intervention")),
        (["protest", "riots"], "Protesters threw stones at police.", ("Riots", "Violent demonstration")),
        (["clashes"], "Army forces clashed with militants near the town.", ("Battles", "Armed clash")),
        (
            ["attack", "killed"],
            "Russian forces shelled the village, killing one civilian.",
            ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ),
        (
            ["attack"],
            "Gunmen abducted two aid workers.",
            ("Violence against civilians", "Abduction/forced disappearance"),
        ),
        (["attack", "killed"], "Gunmen shot and killed a farmer.", ("Violence against civilians", "Attack")),
    ],
)
def test_events_acled_vocabulary(kinds: list[str], sentence: str, expected: tuple[str, str]) -> None:
    assert classify(kinds, sentence, "violence") == expected


@pytest.fixture(scope="module")
def seed_events(gazetteer: Gazetteer) -> list[dict]:
    (doc,) = read_documents(SEED)
    return [event_to_json(e) for e in process_document(doc, gazetteer).events]


def _with_kind(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if kind in e["kinds"]]


def test_events_seed_primary_riots_in_osh(seed_events: list[dict]) -> None:
    (primary,) = [e for e in seed_events if e["primary"]]
    assert primary["event_type"] == "Riots"
    assert {"riots", "killed", "injured"} <= set(primary["kinds"])
    assert primary["location_name"] == "Osh"
    assert primary["fatalities"] >= 77
    assert primary["killed_count"]["text"] == "at least 77"
    assert primary["injured"] > 1000 - 1
    assert primary["injured_count"]["qualifier"] == "more_than"


def test_events_seed_arson_looting_emergency_in_osh(seed_events: list[dict]) -> None:
    for kind in ("arson", "looting", "state_of_emergency", "deadly_force"):
        events = _with_kind(seed_events, kind)
        assert events, kind
        assert all(e["location_name"] == "Osh" for e in events), kind
    (declared,) = [e for e in _with_kind(seed_events, "state_of_emergency") if e["event_date"] == "2010-06-11"]
    assert declared["time_precision"] == 1
    assert declared["geometry_kind"] == "area"


def test_events_seed_flow_from_osh_to_the_uzbek_border(seed_events: list[dict]) -> None:
    (flow,) = _with_kind(seed_events, "displacement")
    assert flow["geometry_kind"] == "flow"
    assert flow["geometry"]["type"] == "LineString"
    (lon0, lat0), (lon1, lat1) = flow["geometry"]["coordinates"]
    assert haversine_km(lat0, lon0, 40.52828, 72.7985) < 1
    assert haversine_km(lat1, lon1, lat0, lon0) < 15  # the nearest point of the KG-UZ border
    assert flow["displaced_count"]["text"] == "thousands"
    assert flow["destination"] == "Kyrgyzstan–Uzbekistan border"


def test_events_seed_jalal_abad_unrest_and_curfew(seed_events: list[dict]) -> None:
    (curfew,) = _with_kind(seed_events, "curfew")
    assert curfew["location_name"] == "Jalal-Abad"
    assert curfew["country_code"] == "KG"
    assert curfew["event_date"] == "2010-06-12"
    assert curfew["geometry"]["type"] == "Polygon"
    spread = [e for e in _with_kind(seed_events, "riots") if e["location_name"] == "Jalal-Abad"]
    assert spread
    assert not any(e["background"] for e in spread)  # "last month" dates the earlier clashes, not the spread


def test_events_seed_troops_aid_and_meeting_not_in_moscow(seed_events: list[dict]) -> None:
    for kind in ("troop_request", "aid"):
        (event,) = _with_kind(seed_events, kind)
        assert event["event_type"] == "Strategic developments"
        assert event["country_code"] == "KG"
    (meeting,) = _with_kind(seed_events, "meeting")
    assert meeting["event_date"] == "2010-06-14"


def test_events_seed_no_event_placed_at_an_actor(seed_events: list[dict]) -> None:
    assert {e["country_code"] for e in seed_events if e["located"]} == {"KG"}
    assert not any(e["location_name"] in {"Moscow", "Afghanistan", "China", "United States"} for e in seed_events)


def test_events_actor_is_not_a_place(gazetteer: Gazetteer) -> None:
    doc = Document(doc_id="a", text="Moscow says no. Riots killed 3 people in Osh on Friday.", published=SATURDAY)
    events = process_document(doc, gazetteer).events
    assert [e.place.name for e in events] == ["Osh"]
    assert events[0].fatalities == 3
    assert events[0].date.date == dt.date(2010, 6, 11)


def test_events_unlocated_event_is_kept(gazetteer: Gazetteer) -> None:
    doc = Document(doc_id="u", text="Protesters marched through the streets on Monday.", published=SATURDAY)
    (event,) = process_document(doc, gazetteer).events
    line = event_to_json(event)
    assert line["located"] is False
    assert line["lat"] is None
    assert line["event_type"] == "Protests"


@pytest.mark.parametrize(
    "text",
    ["", "No places here at all, nothing happened.", "Ош, Бишкек — 奥什 أوش riots killed 5.", "killed " * 20000],
)
def test_events_bad_or_odd_input_never_raises(gazetteer: Gazetteer, text: str) -> None:
    doc = Document(doc_id="b", text=text, published=SATURDAY)
    result = process_document(doc, gazetteer)
    for event in result.events:
        assert text[event.evidence_start : event.evidence_end] == event.evidence
    assert len([e for e in result.events if e.primary]) == (1 if result.events else 0)


def test_events_evidence_offsets_on_seed(gazetteer: Gazetteer) -> None:
    (doc,) = read_documents(SEED)
    for event in process_document(doc, gazetteer).events:
        assert doc.text[event.evidence_start : event.evidence_end] == event.evidence
        if event.killed:
            assert doc.text[event.killed.start_char : event.killed.end_char] == event.killed.text
        assert re.search(r"\w", event.evidence)


def test_events_primary_is_the_lead_not_later_background(gazetteer: Gazetteer) -> None:
    text = (
        "On Monday, thousands of people joined a commemorative march in Kemerovo. "
        "Officials and veterans took part. "
        "Some carried photographs of relatives who had died in Ukraine."
    )
    doc = Document(doc_id="p", text=text, published=SATURDAY)
    events = process_document(doc, gazetteer).events
    (primary,) = [e for e in events if e.primary]
    assert "protest" in primary.kinds
    assert primary.place is not None
    assert primary.place.name == "Kemerovo"


def test_events_town_inside_a_named_region_is_the_place(gazetteer: Gazetteer) -> None:
    doc = Document(doc_id="r", text="Residents of Osh city in Osh region protested on Friday.", published=SATURDAY)
    events = process_document(doc, gazetteer).events
    assert events[0].place is not None
    assert events[0].place.feature_class == "P"
    assert events[0].place.name == "Osh"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Residents were evacuated from Aravan district, Osh.", "Aravan"),  # the unit around its town
        ("Police dispersed a rally in the Cheremushki neighbourhood of Bishkek.", "Bishkek"),  # a part of a town
    ],
)
def test_events_district_named_after_its_town(gazetteer: Gazetteer, text: str, place: str) -> None:
    events = process_document(Document(doc_id="a", text=text, published=SATURDAY), gazetteer).events
    assert events[0].place is not None
    assert events[0].place.name == place


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # the coder's note names where the event is coded: that place, over the sentence's others
        ("On 4 May 2021, a mine wounded two herders near Nad Ali [coded as Lashkar Gah], Helmand.", "Lashkar Gah"),
        # "coded to the X event" points at another event, not at this one's place
        ("On 4 May 2021, a mine wounded two herders in Kandahar (fatalities coded to the Kabul event).", "Kandahar"),
    ],
)
def test_events_coded_as_names_the_place(gazetteer: Gazetteer, text: str, place: str) -> None:
    doc = Document(doc_id="a", text=text, published=SATURDAY, country="Afghanistan")
    event = process_document(doc, gazetteer).events[0]
    towns = {c.place.place_id for c in gazetteer.lookup(place) if c.place.feature_class == "P"}
    assert event.place is not None
    assert event.place.place_id in towns


def test_events_bare_name_of_a_province_is_its_town(gazetteer: Gazetteer) -> None:
    # "in Caceres" is the town the province is named after; "in Caceres province" stays the province
    town = [
        c.place for c in gazetteer.lookup("Caceres") if c.place.feature_class == "P" and c.place.country_code == "ES"
    ]
    assert town
    for text, at_town in (
        ("On 4 May 2021, nurses protested in Caceres to demand more staff.", True),
        ("On 4 May 2021, nurses protested across Caceres province to demand more staff.", False),
    ):
        doc = Document(doc_id="a", text=text, published=SATURDAY, country="Spain")
        event = process_document(doc, gazetteer).events[0]
        assert event.place is not None
        assert (event.place.place_id == town[0].place_id) is at_town


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # the parser reads the town after "in X town," as the subject of "to demand": a place chain still
        ("On 3 May 2021, shopkeepers staged a sit-in in Zorbak town, Istanbul to demand lower rents.", "TR"),
        # the sentence's one place sits in a conjoined clause: still the main event's place
        (
            "On 3 May 2021, two reporters were detained by the militia and a printing shop shut in Herat province. "
            "The reporters were held for refusing an order.",
            "AF",
        ),
    ],
)
def test_events_main_event_keeps_the_place_a_misparse_would_drop(gazetteer: Gazetteer, text: str, country: str) -> None:
    from geomap.nlp import load_pipeline
    from geomap.pipeline import ACLED_SKIP_PIPES, process_documents

    doc = Document(doc_id="m", text=text, published=SATURDAY)
    [result] = process_documents([doc], gazetteer, nlp=load_pipeline(), skip_pipes=ACLED_SKIP_PIPES)
    (primary,) = [e for e in result.events if e.primary]
    assert primary.place is not None
    assert not primary.place.is_country
    assert primary.place.country_code == country


@pytest.mark.parametrize(
    ("expr", "base"),
    [
        ("14 August 2019", dt.date(2019, 8, 20)),
        ("August 14, 2019", dt.date(2019, 8, 20)),
        ("14 August", dt.date(2019, 8, 20)),
        ("21 August", dt.date(2019, 8, 20)),  # later in the year than the report: last year's
        ("November 2018", dt.date(2019, 8, 20)),
        ("September", dt.date(2019, 8, 20)),
        ("August", dt.date(2019, 8, 20)),
        ("29 February", dt.date(2021, 3, 2)),  # no such day this year: dateparser decides
    ],
)
def test_plain_dates_read_as_dateparser_reads_them(expr: str, base: dt.date) -> None:
    import dateparser

    from geomap.attributes import _dateparser, _plain_date

    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day, 12),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    expected = dateparser.parse(expr, languages=["en"], settings=settings)
    assert _dateparser(expr, base) == (expected.date() if expected else None)
    plain = _plain_date(expr, base)
    assert plain is None or plain == expected.date()
    assert (plain is None) == (expr == "29 February")


@pytest.mark.parametrize(
    ("text", "country", "placed"),
    [
        # a village the gazetteer lacks whose first word is a large town abroad: the hinted country's region
        (
            "On 7 May 2022, soldiers clashed with rebels near Ho Kyin village (Muse district, Shan-North state), "
            "killing three.",
            "MM",
            "MM",
        ),
        # the country named for a place abroad keeps it
        ("On 7 May 2022, gunmen killed two traders in Niamey, Niger.", "NG", "NE"),
    ],
)
def test_events_hinted_main_event_stays_in_the_country_unless_the_text_names_another(
    gazetteer: Gazetteer, text: str, country: str, placed: str
) -> None:
    from geomap.nlp import load_pipeline
    from geomap.pipeline import ACLED_SKIP_PIPES, process_documents

    doc = Document(doc_id="h", text=text, published=SATURDAY, country=country)
    [result] = process_documents([doc], gazetteer, nlp=load_pipeline(), skip_pipes=ACLED_SKIP_PIPES)
    (primary,) = [e for e in result.events if e.primary]
    assert primary.place is not None
    assert primary.place.country_code == placed
