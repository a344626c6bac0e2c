"""Batches keep memory flat: what spaCy learns from one document is forgotten after it."""

import datetime as dt

import pytest

from geomap.gazetteer import Gazetteer
from geomap.ingest import Document
from geomap.nlp import load_pipeline
from geomap.pipeline import process_document, process_documents


def _reports(count: int) -> list[Document]:
    # Every report brings words spaCy has never seen (a made-up clan name and a reference number).
    return [
        Document(
            doc_id=f"r{i}",
            text=f"Fighters of the Vorquel{i}an clan killed {i + 3} people in Kandahar on Monday (ref. QX{i}7Z).",
            published=dt.date(2021, 5, 12),
        )
        for i in range(count)
    ]


def test_pipeline_batch_leaves_the_spacy_vocabulary_as_it_was(gazetteer: Gazetteer) -> None:
    nlp = load_pipeline()
    process_document(_reports(1)[0], gazetteer)  # warm-up: whatever the first document loads stays
    strings = len(nlp.vocab.strings)
    results = list(process_documents(_reports(40), gazetteer))
    assert len(nlp.vocab.strings) == strings
    assert "Vorquel7an" not in nlp.vocab.strings
    # the results stay whole after the memory zones closed: plain strings and offsets
    located = [e for r in results for e in r.events if e.place is not None]
    assert located
    assert {e.place.country_code for e in located} == {"AF"}
    assert results[7].document.text[results[7].events[0].evidence_start :].startswith("Fighters of the Vorquel7an")


def test_pipeline_same_events_with_and_without_forgetting(gazetteer: Gazetteer) -> None:
    nlp = load_pipeline()
    doc = _reports(3)[2]
    first = process_document(doc, gazetteer).events
    nlp("Fighters of the Vorquel2an clan (ref. QX27Z).")  # the same new words, now learned for good
    assert process_document(doc, gazetteer).events == first


def test_pipeline_threads_reading_at_once_get_the_same_events(gazetteer: Gazetteer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    docs = _reports(24)
    alone = [process_document(doc, gazetteer).events for doc in docs]
    strings = len(load_pipeline().vocab.strings)
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda doc: process_document(doc, gazetteer).events, docs))
    assert together == alone
    assert len(load_pipeline().vocab.strings) == strings


def test_parse_documents_leaves_out_the_skipped_components() -> None:
    from geomap.pipeline import ACLED_SKIP_PIPES, parse_documents

    nlp = load_pipeline()
    docs = [Document(doc_id="n1", text="Soldiers of the Ministry of Defence clashed with rebels near Gao.")]
    [(_, full)] = [(d, [(t.dep_, t.ent_type_) for t in s]) for d, s in parse_documents(docs, nlp)]
    [(_, lean)] = [
        (d, [(t.dep_, t.ent_type_) for t in s]) for d, s in parse_documents(docs, nlp, skip_pipes=ACLED_SKIP_PIPES)
    ]
    assert any(ent for _, ent in full)
    assert not any(ent for _, ent in lean)
    assert [dep for dep, _ in lean] == [dep for dep, _ in full]  # the same parse, without entities
    assert "ner" in nlp.pipe_names  # the shared pipeline itself keeps its recogniser


def test_acled_notes_are_read_without_the_entity_recogniser(gazetteer: Gazetteer) -> None:
    docs = _reports(2)
    lean = list(process_documents(docs, gazetteer, nlp=load_pipeline(), skip_pipes=("ner",)))
    assert [e.place.country_code for r in lean for e in r.events if e.place is not None] == ["AF", "AF"]


def test_acled_reading_leaves_the_linker_out(gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch) -> None:
    import geomap.event_location

    calls: list[int] = []
    real = geomap.event_location.link_event_places

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(geomap.event_location, "link_event_places", counting)
    text = "On 2 June 2021, farmers protested at the Velmor park in Kandahar city, Kandahar province."
    docs = [Document(doc_id="k", text=text, published=dt.date(2021, 6, 3))]
    nlp = load_pipeline()
    list(process_documents(docs, gazetteer, nlp=nlp, skip_pipes=("ner",), link_places=False))
    assert calls == []
    list(process_documents(docs, gazetteer, nlp=nlp, skip_pipes=("ner",)))
    assert calls  # read as news, the same note consults the linker


def test_remembered_lemmas_and_looked_up_attributes_are_spacys_own() -> None:
    import spacy

    from geomap.nlp import DEFAULT_MODEL

    texts = [
        "Protesters were marching towards the ministries; police dispersed them.",
        "The marching band marched past burned houses in Zorbakistan.",
        "She had been leading the better-organised protests, the leaders said.",
        "They ain't gonna stop  the   strike, y'all.",
    ] * 2  # the second round is read from the memo
    nlp = load_pipeline()
    with nlp.memory_zone():
        ours = [[t.lemma_ for t in doc] for doc in nlp.pipe(texts)]
        tags = [[(t.tag_, t.pos_, str(t.morph)) for t in doc] for doc in nlp.pipe(texts)]
    plain = spacy.load(DEFAULT_MODEL)
    theirs = [[t.lemma_ for t in doc] for doc in plain.pipe(texts)]
    assert ours == theirs
    assert tags == [[(t.tag_, t.pos_, str(t.morph)) for t in doc] for doc in plain.pipe(texts)]
    assert ours[3][1:5] == ["be", "not", "go", "to"]  # two-word rules ("ai n't", "gon na") kept their matcher
    assert ("_SP", "SPACE", "") in tags[3]
    assert "march" in ours[1]
    assert "lead" in ours[2]
