import zipfile
from pathlib import Path

import numpy as np
import pytest

from geomap.event_type import (
    EVENT_TYPE_OF,
    MODEL_FILE,
    N_FEATURES,
    EventTypeModel,
    classify,
    hashed_features,
    load_model,
    read_model,
    type_event,
)
from geomap.gazetteer import default_data_dir


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("Several hundred teachers marched peacefully to the ministry to demand unpaid wages.", "Protests"),
        ("Army troops and rebel fighters exchanged fire for hours near the river crossing.", "Battles"),
        ("A military drone strike hit a rebel position on the hill outside the town.", "Explosions/Remote violence"),
        ("Gunmen shot and killed a shopkeeper in his home; the motive is unknown.", "Violence against civilians"),
        ("Angry residents threw stones at the mayor's office and set tyres on fire.", "Riots"),
        ("Police arrested the opposition leader at his home and took him to the capital.", "Strategic developments"),
    ],
)
def test_event_type_classifies_plain_reports(sentence: str, event_type: str) -> None:
    predicted, sub_type, probability = classify(sentence)
    assert predicted == event_type
    assert EVENT_TYPE_OF[sub_type] == predicted
    assert 0.0 < probability <= 1.0


@pytest.mark.parametrize(
    ("sentence", "sub_type"),
    [
        ("Farmers held a peaceful sit-in outside the parliament calling for lower fuel prices.", "Peaceful protest"),
        (
            "Artillery shells fired by the army landed on villages along the front line.",
            "Shelling/artillery/missile attack",
        ),
        (
            "An improvised explosive device planted on the road detonated under a passing patrol vehicle.",
            "Remote explosive/landmine/IED",
        ),
        (
            "Armed men kidnapped two aid workers from their car and their whereabouts remain unknown.",
            "Abduction/forced disappearance",
        ),
    ],
)
def test_event_type_sub_types(sentence: str, sub_type: str) -> None:
    assert classify(sentence)[1] == sub_type


def test_event_type_features_ignore_case_and_digits() -> None:
    a = hashed_features("On 3 May, 12 protesters gathered.")
    b = hashed_features("on 9 may, 40 PROTESTERS gathered")
    assert a == b
    assert all(0 <= k < N_FEATURES for k in a)
    assert hashed_features("") == {}


def test_event_type_empty_text_falls_back_to_the_prior() -> None:
    event_type, sub_type, probability = classify("")
    assert EVENT_TYPE_OF[sub_type] == event_type
    assert 0.0 < probability <= 1.0


def test_event_type_model_file_holds_numbers_and_labels_only() -> None:
    path = default_data_dir() / MODEL_FILE
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
    assert names == ["buckets.npy", "classes.npy", "idf.npy", "intercept.npy", "scale.npy", "weights.npy"]
    with np.load(path, allow_pickle=False) as npz:
        assert {str(c) for c in npz["classes"]} <= set(EVENT_TYPE_OF)
        for key in ("buckets", "idf", "weights", "scale", "intercept"):
            assert npz[key].dtype.kind in "iuf"
        assert npz["buckets"].max() < N_FEATURES
        assert np.all(np.diff(npz["buckets"]) > 0)
    model = load_model()
    assert model.weights.shape == (len(model.buckets), len(model.classes))


def test_event_type_runtime_matches_a_hand_computed_model(tmp_path: Path) -> None:
    text = "riot police fired"
    counts = hashed_features(text)
    buckets = np.array(sorted(counts), dtype=np.int32)
    idf = np.linspace(1.0, 2.0, len(buckets)).astype(np.float32)
    rng = np.random.default_rng(0)
    weights = rng.integers(-127, 128, size=(len(buckets), 2)).astype(np.int8)
    scale = np.array([0.01, 0.02], dtype=np.float32)
    intercept = np.array([0.5, -0.5], dtype=np.float32)
    path = tmp_path / "m.npz"
    np.savez(
        path,
        buckets=buckets,
        idf=idf,
        weights=weights,
        scale=scale,
        intercept=intercept,
        classes=np.array(["Mob violence", "Armed clash"]),
    )
    model = read_model(path)
    x = np.array([(1 + np.log(counts[int(b)])) * float(i) for b, i in zip(buckets, idf, strict=True)])
    x /= np.linalg.norm(x)
    logits = intercept + x @ (weights.astype(float) * scale)
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(model.probabilities(text), expected, rtol=1e-6)
    assert model.classify(text)[1] == ["Mob violence", "Armed clash"][int(np.argmax(expected))]


def test_event_type_types_agree_across_an_event_type() -> None:
    # Event type wins by the sum of its sub-types, not by the single best sub-type.
    model = EventTypeModel(
        buckets=np.array([0], dtype=np.int64),
        idf=np.array([1.0]),
        weights=np.zeros((1, 3)),
        intercept=np.log(np.array([0.4, 0.3, 0.3])),
        classes=("Peaceful protest", "Armed clash", "Government regains territory"),
    )
    assert model.classify("anything") == ("Battles", "Armed clash", 0.6)


def test_event_type_keeps_cues_for_families_acled_does_not_code() -> None:
    cue = ("Strategic developments", "Other")
    assert type_event("A curfew was imposed in the city.", "A curfew was imposed in the city.", "curfew", cue) == cue
    typed = type_event(
        "Protesters marched through the capital.", "Protesters marched through the capital.", "violence", cue
    )
    assert typed == ("Protests", "Peaceful protest")


def test_event_type_long_reports_are_typed_by_the_event_sentence() -> None:
    filler = " The weather was mild and the markets were open as usual." * 30
    sentence = "Rebels and soldiers fought a gun battle for two hours at the checkpoint."
    report = "Thousands of students held a peaceful march for lower fees." + filler + " " + sentence
    assert type_event(report, sentence, "violence", ("Riots", "Mob violence"))[0] == "Battles"
