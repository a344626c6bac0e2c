import json
from typing import Any

import pytest

from geomap.cli import main
from geomap.errors import InputError
from geomap.evaluation import score_event_location
from geomap.event_location import (
    EventLocationModel,
    candidate_features,
    default_kind_of,
    find_candidates,
    link_event_places,
    load_linker,
    trigger_tokens,
)
from geomap.nlp import load_pipeline


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_pipeline()


def _index(doc: Any, word: str) -> int:
    return next(t.i for t in doc if t.text == word)


def _linked(nlp: Any, text: str, trigger: str) -> list[str]:
    doc = nlp(text)
    return [text[p.start_char : p.end_char] for p in link_event_places(doc, _index(doc, trigger))]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        # The place of the event, not the capital the report comes from.
        ("Officials in Bamako said gunmen attacked a police post in Mopti on Sunday.", "attacked", ["Mopti"]),
        ("Militants bombed a market in Gao, a government spokesman told reporters in Bamako.", "bombed", ["Gao"]),
        # A hyphenated actor ("X-led", "X-backed") is not the place.
        ("The Turkey-backed rebels shelled the town of Tal Rifaat on Monday.", "shelled", ["Tal Rifaat"]),
        ("A Saudi-led coalition airstrike killed nine people in Saada.", "killed", ["Saada"]),
        # A speaker's city is not the place.
        ("A spokesman in Kabul said three soldiers were killed in Kunduz.", "killed", ["Kunduz"]),
        # No place in the sentence for the event.
        ("Nobody has claimed responsibility for the attack so far.", "attack", []),
    ],
)
def test_event_location_links_the_place_of_the_event(nlp: Any, text: str, trigger: str, expected: list[str]) -> None:
    assert _linked(nlp, text, trigger) == expected


def test_event_location_scores_are_probabilities_in_text_order(nlp: Any) -> None:
    doc = nlp("Protesters marched through Lagos and Abuja on Friday.")
    places = link_event_places(doc, [_index(doc, "marched")])
    assert places
    assert all(0.0 < p.score <= 1.0 for p in places)
    assert [p.start_char for p in places] == sorted(p.start_char for p in places)


def test_event_location_accepts_a_sentence_span_and_extra_candidates(nlp: Any) -> None:
    text = "Rain fell all week. Gunmen killed two guards at the Kalma camp near Nyala."
    doc = nlp(text)
    sent = list(doc.sents)[1]
    start = text.index("Kalma camp")
    cands = find_candidates(doc, (sent.start, sent.end), [(start, start + len("Kalma camp"))])
    assert (start, start + len("Kalma camp")) in {(c.start_char, c.end_char) for c in cands}
    assert all(c.start >= sent.start for c in cands)
    places = link_event_places(sent, _index(doc, "killed"), [(start, start + len("Kalma camp"))])
    assert all(p.start_char >= sent.start_char for p in places)


def test_event_location_trigger_outside_the_document_is_an_input_error(nlp: Any) -> None:
    doc = nlp("Shelling hit Donetsk.")
    with pytest.raises(InputError, match="outside the document"):
        link_event_places(doc, 99)


def test_event_location_hyphenated_names_are_one_candidate(nlp: Any) -> None:
    doc = nlp("Clashes broke out near the villages of Bur-Dhinle and Hada-Ogle on Monday.")
    texts = [doc.text[c.start_char : c.end_char] for c in find_candidates(doc)]
    assert "Hada" not in texts
    assert any("Hada-Ogle" in t for t in texts)


def test_event_location_actor_features(nlp: Any) -> None:
    doc = nlp("The Russia-led alliance sent troops after officials in Almaty said protesters stormed a building.")
    trig = trigger_tokens(doc, doc.text.index("stormed"), doc.text.index("stormed") + len("stormed"))
    cands, feats = candidate_features(doc, trig)
    by_text = {doc.text[c.start_char : c.end_char]: f for c, f in zip(cands, feats, strict=True)}
    assert any(k.startswith("hyphen|") for k in by_text["Russia"])
    assert "hyphen|VBN" not in by_text["Almaty"]


def test_event_location_gazetteer_kind_marks_the_finer_place(nlp: Any) -> None:
    kind_of = default_kind_of()
    assert kind_of is not None
    doc = nlp("A car bomb killed six people in Kirkuk, in northern Iraq, on Monday.")
    cands, feats = candidate_features(doc, [_index(doc, "killed")], kind_of=kind_of)
    by_text = {doc.text[c.start_char : c.end_char]: f for c, f in zip(cands, feats, strict=True)}
    assert "gz=country" in by_text["Iraq"]
    assert "gz_finer_other=1" in by_text["Iraq"]
    assert "gz=city" in by_text["Kirkuk"]
    assert "gz_coarser_other=1" in by_text["Kirkuk"]
    assert _linked(nlp, doc.text, "killed") == ["Kirkuk"]


def test_event_location_contextual_vectors_only_with_a_tensor(nlp: Any) -> None:
    import spacy

    doc = nlp("Soldiers shelled Idlib overnight.")
    _, feats = candidate_features(doc, [_index(doc, "shelled")])
    assert {"cv0", "tv0", "pv0", "mv0"} <= set(feats[0])
    blank = spacy.blank("en")("Soldiers shelled Idlib overnight.")
    blank[0].is_sent_start = True
    for tok in blank:
        tok.head = blank[1]
    blank[2].pos_ = "PROPN"
    _, plain = candidate_features(blank, [1])
    assert plain
    assert not any(k.startswith("cv") for k in plain[0])


def test_event_location_model_decision_rule() -> None:
    model = EventLocationModel(weights={"a": 2.0}, intercept=-1.0, threshold=0.4, extra_threshold=0.8, meta={})
    assert model.score({"a": 1.0}) == pytest.approx(1 / (1 + 2.718281828459045**-1))
    assert model.decide([]) == []
    assert model.decide([0.1, 0.3]) == []
    assert model.decide([0.5, 0.3, 0.45]) == [0]
    assert model.decide([0.5, 0.85, 0.9]) == [2]  # without groups: only the best
    assert model.decide([0.5, 0.85, 0.9], [7, 3, 5]) == [2]  # extras only when coordinated with the best
    assert model.decide([0.5, 0.85, 0.9], [7, 5, 5]) == [1, 2]
    again = EventLocationModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again == model


def test_event_location_shipped_model_is_small_and_lexicon_free() -> None:
    model = load_linker()
    assert 0.0 < model.threshold <= model.extra_threshold
    assert len(model.weights) < 20_000
    # Lexical cues only as hash buckets: no feature name carries a word of running text.
    lexical = [k for k in model.weights if "#" in k]
    assert all(k.rsplit("#", 1)[1].isdigit() for k in lexical)


def test_score_event_location_counts_overlaps_once() -> None:
    gold = [
        {"id": "1", "event_locations": [{"start": 0, "end": 5}, {"start": 10, "end": 15}]},
        {"id": "2", "event_locations": []},
        {"id": "3", "event_locations": [{"start": 3, "end": 8}]},
    ]
    pred = [
        {"id": "1", "event_locations": [{"start": 0, "end": 15}]},  # one prediction matches one gold span
        {"id": "2", "event_locations": [{"start": 0, "end": 2}]},
        {"id": "3", "event_locations": [{"start": 7, "end": 9}]},
    ]
    scores = score_event_location(gold, pred)
    assert (scores.spans.tp, scores.spans.fp, scores.spans.fn) == (2, 1, 1)
    assert scores.record_acc == pytest.approx(1 / 3)
    assert scores.record_acc_with_place == pytest.approx(1 / 2)
    assert scores.record_acc_without_place == 0.0
    with pytest.raises(InputError, match="keep the gold order"):
        score_event_location(gold, list(reversed(pred)))


def _gold_file(tmp_path: Any) -> Any:
    rows = []
    sentences = [
        ("Gunmen killed four farmers in Kidal on Tuesday, officials in Bamako said.", "killed", "Kidal"),
        ("Soldiers shelled Idlib overnight, residents told a reporter from Beirut.", "shelled", "Idlib"),
        ("Police in Kano said the bomb exploded near a mosque.", "exploded", None),
        ("Rebels captured Goma after a week of fighting, the UN said in New York.", "captured", "Goma"),
        ("The protest ended peacefully, organisers in London said.", "protest", None),
        ("Two soldiers were wounded in an ambush outside Mosul, a Baghdad official said.", "wounded", "Mosul"),
        ("Demonstrators rallied in Khartoum against the Cairo-backed army.", "rallied", "Khartoum"),
        ("The minister condemned the killing in a statement issued in Paris.", "killing", None),
        ("Fighters attacked a checkpoint in Marawi on Friday, Manila said.", "attacked", "Marawi"),
        ("Villagers fled to Niger when militants burned homes in Djibo.", "burned", "Djibo"),
        ("The riot was the worst in a decade, the president of Chad said.", "riot", None),
        ("Gunmen abducted 30 students from a school in Kaduna state, Nigeria.", "abducted", "Kaduna"),
        ("Protesters clashed with police in Dhaka, officials in Delhi said.", "clashed", "Dhaka"),
        ("A car bomb exploded in Mogadishu, a police officer in Nairobi said.", "exploded", "Mogadishu"),
    ]
    for n, (text, trigger, place) in enumerate(sentences):
        start = text.index(trigger)
        locs = [] if place is None else [{"start": text.index(place), "end": text.index(place) + len(place)}]
        rows.append(
            {
                "id": str(n),
                "text": text,
                "event_trigger": {"start": start, "end": start + len(trigger), "text": trigger},
                "event_locations": locs,
            }
        )
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_cli_event_location_round_trip(tmp_path: Any) -> None:
    gold = _gold_file(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["event-location", str(gold), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    source = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [s["id"] for s in source]
    for row, src in zip(rows, source, strict=True):
        assert set(row) == {"id", "event_locations"}
        for loc in row["event_locations"]:
            assert 0 <= loc["start"] < loc["end"] <= len(src["text"])
    first = rows[0]["event_locations"]
    assert [source[0]["text"][x["start"] : x["end"]] for x in first] == ["Kidal"]


def test_cli_eval_event_location(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _gold_file(tmp_path)
    save = tmp_path / "pred.jsonl"
    assert main(["eval", "event-location", str(gold), "--save", str(save)]) == 0
    out = capsys.readouterr().out
    assert "records 14 (10 with a gold place)" in out
    assert "record accuracy" in out
    assert len(save.read_text(encoding="utf-8").splitlines()) == 14


def test_cli_eval_event_location_cross_validated(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install 'geomap[fit]')")
    gold = _gold_file(tmp_path)
    assert main(["eval", "event-location", str(gold), "--cv", "2"]) == 0
    out = capsys.readouterr().out
    assert "2-fold cross-validation" in out
    assert "spans" in out


def test_cli_event_location_bad_input_is_one_error_line(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "No trigger here."}\n', encoding="utf-8")
    assert main(["event-location", str(bad)]) == 1
    assert "event_trigger" in capsys.readouterr().err


def test_event_location_context_and_phrase_features(nlp: Any) -> None:
    doc = nlp("Officials said gunmen shot a trader in the Kano suburb of Sabon Gari on Friday.")
    cands, feats = candidate_features(doc, [_index(doc, "shot")])
    by_text = {doc.text[c.start_char : c.end_char]: f for c, f in zip(cands, feats, strict=True)}
    kano, suburb = by_text["Kano"], by_text["Sabon Gari"]
    assert "t_anc_speech" in kano
    assert "phr_deeper=1" in kano  # the finer name hangs deeper in the same phrase
    assert "phr_shallower=1" in suburb
    doc = nlp("Fighting erupted in Kasai on Monday.")
    cands, feats = candidate_features(doc, [_index(doc, "erupted")])
    assert "t_loc|this" in feats[[doc.text[c.start_char : c.end_char] for c in cands].index("Kasai")]
