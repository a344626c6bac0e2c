"""The main event's place ranker and batched parsing, on sentences written for these tests."""

import pytest

from geomap.gazetteer import Gazetteer
from geomap.geoparse import geoparse_document
from geomap.ingest import Document
from geomap.nlp import PARSE_MAX_CHARS
from geomap.pipeline import parse_documents
from geomap.place_ranker import FEATURES, RankerModel, candidate_matrix, choose, load_place_ranker


def _features(gazetteer: Gazetteer, text: str, country: str = "") -> dict[str, dict[str, float]]:
    parsed = geoparse_document(Document(doc_id="p", text=text, country=country), gazetteer)
    cands = [r for r in parsed.resolutions if r.place is not None]
    rows = candidate_matrix(text, (0, len(text)), cands, 0, country, {})
    return {c.mention.text: dict(zip(FEATURES, row, strict=True)) for c, row in zip(cands, rows, strict=True)}


def test_place_ranker_reads_the_parenthesised_chain(gazetteer: Gazetteer) -> None:
    feats = _features(gazetteer, "On 3 May, gunmen attacked a bus near Uzgen town (Osh region).", "KG")
    town, region = feats["Uzgen"], feats["Osh"]
    assert town["near_before"] == 1
    assert town["small_unit_after"] == 1
    assert town["parentheses_after"] == 1
    assert town["in_parentheses"] == 0
    assert town["bias_current"] == 1
    assert town["first"] == 1
    assert region["in_parentheses"] == 1
    assert region["opens_parentheses"] == 1
    assert region["large_unit_after"] == 1
    assert region["bias_current"] == 0
    assert region["hint_country"] == 1


def test_place_ranker_reads_comma_containment(gazetteer: Gazetteer) -> None:
    feats = _features(gazetteer, "Farmers blocked a road in Kara-Suu, Osh, on Monday.")
    assert feats["Kara-Suu"]["comma_place_after"] == 1
    assert feats["Osh"]["after_comma_place"] == 1
    assert feats["Kara-Suu"]["locative_before"] == 1


def test_place_ranker_chooses_the_best_score_first_on_ties() -> None:
    n = len(FEATURES)
    pairs = n * (n - 1) // 2
    model = RankerModel([1.0] + [0.0] * (n + pairs - 1), [0.0] * n, [1.0] * n, [0.0] * (n + pairs), [1.0] * (n + pairs))
    rows = [[0.0] * n, [1.0] + [0.0] * (n - 1), [1.0] + [0.0] * (n - 1)]
    assert choose(model, rows) == 1


def test_place_ranker_shipped_model_matches_the_features() -> None:
    model = load_place_ranker()
    assert model is not None
    assert len(model.mean) == len(model.scale) == len(FEATURES)
    assert len(model.weights) == len(FEATURES) * (len(FEATURES) + 1) // 2


class _FakeParser:
    """Stands in for a spaCy pipeline with a parser: 'parses' a text into its upper-case copy."""

    pipe_names = ("parser",)

    def __init__(self) -> None:
        self.calls = 0

    def pipe(self, texts):
        self.calls += 1
        return [t.upper() for t in texts]


@pytest.mark.parametrize("n", [1, 64, 130])
def test_pipeline_parse_documents_keeps_order_and_batches(n: int) -> None:
    docs = [Document(doc_id=str(i), text=f"report {i}") for i in range(n)]
    docs.append(Document(doc_id="long", text="x" * (PARSE_MAX_CHARS + 1)))
    nlp = _FakeParser()
    pairs = list(parse_documents(docs, nlp))
    assert [d.doc_id for d, _ in pairs] == [d.doc_id for d in docs]
    assert [p for _, p in pairs[:-1]] == [f"REPORT {i}" for i in range(n)]
    assert pairs[-1][1] is None  # over the limit: read the fast way
    assert nlp.calls == (n + 1 + 63) // 64


def test_pipeline_parse_documents_without_a_parser_parses_nothing() -> None:
    docs = [Document(doc_id="a", text="report")]
    assert list(parse_documents(docs, False)) == [(docs[0], None)]


def test_events_main_event_without_a_place_takes_the_hinted_country(gazetteer: Gazetteer) -> None:
    from geomap.pipeline import process_document

    text = "On 3 May, farmers protested outside the ministry over fuel prices."
    hinted = process_document(Document(doc_id="h", text=text, country="KG"), gazetteer, False)
    bare = process_document(Document(doc_id="b", text=text), gazetteer, False)
    main = next(e for e in hinted.events if e.primary)
    assert main.place is not None
    assert main.place.country_code == "KG"
    assert main.place.is_country
    assert all(e.place is None for e in bare.events)
