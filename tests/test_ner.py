import pytest

spacy = pytest.importorskip("spacy")

from geomap.gazetteer import Gazetteer  # noqa: E402
from geomap.geoparse import geoparse_document  # noqa: E402
from geomap.ingest import Document  # noqa: E402
from geomap.ner import entity_spans, judge_mentions  # noqa: E402
from geomap.toponyms import Mention  # noqa: E402


@pytest.fixture(scope="module")
def nlp():  # a real spaCy pipeline without a statistical model: entity ruler only
    pipeline = spacy.blank("en")
    ruler = pipeline.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Victoria Beckham"},
            {"label": "GPE", "pattern": "Reading"},
            {"label": "ORG", "pattern": [{"LOWER": "mobile"}, {"LOWER": "bank"}]},
        ]
    )
    return pipeline


def _mention(text: str, start: int, doubt: float, kind: str = "place") -> Mention:
    return Mention(
        doc_id="", text=text, start_char=start, end_char=start + len(text), kind=kind, key=text.lower(), doubt=doubt
    )


def test_ner_entity_spans(nlp) -> None:
    assert entity_spans("Victoria Beckham visited Reading.", nlp) == [(0, 16, "PERSON"), (25, 32, "GPE")]


def test_ner_judge_confirms_vetoes_and_keeps_sure_names() -> None:
    sure = _mention("Osh", 0, 0.0)
    vetoed = _mention("Victoria", 10, 0.4)
    confirmed = _mention("Reading", 30, 0.8)
    unjudged_doubtful = _mention("March", 50, 0.7)
    unjudged_fine = _mention("Mobile", 60, 0.3)
    demonym = _mention("Uzbek", 70, 0.9, kind="demonym")
    ents = [(10, 26, "PERSON"), (30, 37, "GPE")]
    kept = judge_mentions([sure, vetoed, confirmed, unjudged_doubtful, unjudged_fine, demonym], ents)
    assert kept == [sure, confirmed, unjudged_fine, demonym]


def test_ner_in_geoparse_confirms_a_doubted_name(gazetteer: Gazetteer, nlp) -> None:
    doc = Document(doc_id="n", text="Reading was flooded. Victoria Beckham visited.")
    without = {r.mention.text for r in geoparse_document(doc, gazetteer).resolutions}
    with_ner = {r.mention.text for r in geoparse_document(doc, gazetteer, nlp=nlp).resolutions}
    assert "Reading" not in without  # sentence-initial everyday word: doubted
    assert "Reading" in with_ner  # NER says GPE
    assert "Victoria" not in with_ner


def test_ner_missing_model_is_a_clear_error() -> None:
    from geomap.errors import GeomapError
    from geomap.ner import load_ner

    with pytest.raises(GeomapError, match="make ner"):
        load_ner("no_such_model_package")


@pytest.fixture(scope="module")
def names_nlp():  # hand-written entity patterns stand in for the statistical model
    pipeline = spacy.blank("en")
    ruler = pipeline.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Florence Adeyemi"},
            {"label": "PERSON", "pattern": "Tomas Victoria Lindqvist"},
            {"label": "ORG", "pattern": "U.N."},
            {"label": "ORG", "pattern": "Interior Ministry"},
            {"label": "FAC", "pattern": "Independence Square"},
            {"label": "ORG", "pattern": "Queensland Police"},
            {"label": "PERSON", "pattern": "Marta Tyler"},
        ]
    )
    return pipeline


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Florence Adeyemi told reporters the talks had failed.", "Florence"),  # a first name
        ("Commander Tomas Victoria Lindqvist denied the report.", "Victoria"),  # a middle name
        ("The resolution passed at the U.N. on Friday.", "U.N."),  # an abbreviation of an organisation
        ("A spokesman for the Interior Ministry gave no figures.", "Interior"),  # a ministry
        ("Crowds gathered on Independence Square after dark.", "Independence"),  # a square
        # A surname on its own after the person was named in full.
        ("The lawyer Marta Tyler filed the appeal. Tyler said the ruling was unfair.", "Tyler"),
    ],
)
def test_ner_vetoes_names_that_are_not_places(gazetteer: Gazetteer, names_nlp, text: str, name: str) -> None:
    doc = Document(doc_id="v", text=text)
    fast = {r.mention.text for r in geoparse_document(doc, gazetteer).resolutions}
    vetted = {r.mention.text for r in geoparse_document(doc, gazetteer, nlp=names_nlp).resolutions}
    assert name not in vetted
    assert fast - vetted <= {name}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Florence Adeyemi later flew to Florence.", "Florence"),  # governed by "to"
        ("Officers of the Queensland Police searched the house.", "Queensland"),  # a state inside an agency's name
        ("The lawyer Marta Tyler filed the appeal in Tyler on Monday.", "Tyler"),  # the namesake town, governed by "in"
    ],
)
def test_ner_keeps_place_readings(gazetteer: Gazetteer, names_nlp, text: str, name: str) -> None:
    doc = Document(doc_id="k", text=text)
    vetted = [r for r in geoparse_document(doc, gazetteer, nlp=names_nlp).resolutions if r.mention.text == name]
    assert vetted
    assert vetted[-1].place is not None


def test_ner_has_place_reading_head_noun_and_dateline() -> None:
    from geomap.ner import has_place_reading

    county = Mention(doc_id="", text="Kern", start_char=4, end_char=8, kind="place", key="kern")
    assert has_place_reading("The Kern County board met.", county, (0, 21, "ORG"))
    dateline = Mention(doc_id="", text="OSH", start_char=0, end_char=3, kind="place", key="osh")
    assert has_place_reading("OSH, Kyrgyzstan (AP) - Calm returned.", dateline, (0, 3, "ORG"))


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("Traders marched to the town hall (Osh) on Monday.", 34, 37, True),  # a gloss of where
        ("Traders marched in a village (Kara-Suu, Osh) on Monday.", 40, 43, True),  # last item of the list
        ("Shops closed in the district, coded as Osh, on Monday.", 39, 42, True),  # a coder's note
        ("Traders marched with the Osh Traders Union on Monday.", 25, 28, False),  # a word of a name
        ("Traders marched to the town hall (Osh Bank) on Monday.", 34, 37, False),  # a name in parentheses
    ],
)
def test_ner_has_place_reading_glosses_and_coder_notes(text: str, start: int, end: int, expected: bool) -> None:
    from geomap.ner import has_place_reading

    mention = Mention(doc_id="", text=text[start:end], start_char=start, end_char=end, kind="place", key="osh")
    assert has_place_reading(text, mention, (start, end + 12, "ORG")) is expected
