"""
Link an event trigger to the place(s) in its sentence where the event happened.

A learned linker over the spaCy parse: every place-like span of the sentence is a
candidate (GPE/LOC/FAC and other name entities of the parse, runs of proper nouns,
and any spans the caller passes in, e.g. gazetteer matches), each (trigger,
candidate) pair is described by syntactic features (the dependency path between
them with its prepositions, clause boundaries, modifier and speaker roles,
distance, entity label), and a logistic model scores the pair. A sentence gets its
best candidate when that one scores above a threshold, and further candidates
only when they score above a second, higher one.

The model is fitted by ``scripts/fit_event_location.py`` on the event_geo data of
Halterman (2019) and stored as plain JSON weights in ``data/event_location.json``;
scoring needs numpy only (scikit-learn is needed to fit, the ``fit`` extra).
Lexical cues (the trigger's lemma, the noun a name modifies) enter only as hashed
buckets, so the weights carry no vocabulary of the training text.

Examples
--------
>>> from geomap.nlp import load_pipeline
>>> doc = load_pipeline()("Gunmen killed five villagers in Mopti on Sunday.")
>>> [doc.text[p.start_char : p.end_char] for p in link_event_places(doc, 1)]
['Mopti']
"""

from __future__ import annotations

import json
import math
import operator
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from geomap.errors import GazetteerError, InputError

if TYPE_CHECKING:
    from pathlib import Path

    from geomap.gazetteer import Gazetteer

__all__ = [
    "MODEL_FILE",
    "CandidateSpan",
    "EventLocationModel",
    "LinkedPlace",
    "candidate_features",
    "coordination_group",
    "default_kind_of",
    "find_candidates",
    "gazetteer_kind",
    "link_event_places",
    "link_records",
    "load_linker",
    "pair_features",
    "read_linker",
    "trigger_tokens",
]

MODEL_FILE = "event_location.json"
"""Name of the fitted weights in geomap's data folder (:func:`geomap.paths.packaged_data_dir`)."""

NON_PLACE_ENTITY_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT"})
"""Entity labels that never name a place (numbers and times)."""
PREPOSITIONS = frozenset(
    {
        "in",
        "at",
        "near",
        "from",
        "to",
        "of",
        "on",
        "into",
        "outside",
        "inside",
        "across",
        "around",
        "towards",
        "toward",
        "through",
        "throughout",
        "between",
        "by",
        "for",
        "with",
        "against",
        "over",
        "off",
        "along",
        "within",
        "north",
        "south",
        "east",
        "west",
        "outskirts",
        "like",
        "about",
        "after",
        "before",
        "since",
        "during",
        "under",
        "beyond",
        "via",
        "among",
        "amid",
        "behind",
        "onto",
        "upon",
        "than",
        "as",
    }
)
"""Prepositions kept by name in path features (a closed class); any other is ``other``."""
SPEECH_VERBS = frozenset(
    {
        "say",
        "tell",
        "report",
        "announce",
        "claim",
        "accuse",
        "deny",
        "state",
        "add",
        "confirm",
        "warn",
        "urge",
        "call",
        "appeal",
        "condemn",
        "blame",
        "allege",
        "quote",
        "cite",
        "insist",
        "ask",
        "demand",
        "describe",
        "note",
        "explain",
        "declare",
        "reveal",
        "acknowledge",
        "criticize",
        "criticise",
        "denounce",
        "praise",
        "welcome",
        "believe",
    }
)
"""Verbs of speaking and stance: their subjects and addressees are actors, not places."""
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "parataxis", "csubj", "pcomp"})
"""Dependency labels that open a new clause on a path."""
MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "npadvmod", "nummod"})
"""Labels of a name that modifies a noun ("the Kabul government", "Russia's army")."""
HASH_BUCKETS = 512
"""Buckets of the hashed lexical features."""
TENSOR_SCALE = 0.2
"""Factor on the parser's contextual token vectors (``doc.tensor``) when they enter the model as features."""
KIND_RANK = {"country": 0, "adm1": 1, "adm": 2, "city": 3, "other": 3}
"""Coarse-to-fine order of the gazetteer kinds of :func:`gazetteer_kind` (a name the gazetteer lacks has none)."""
_DISTANCE_BUCKETS = (1, 2, 3, 5, 8, 12, 20)
_MAX_PATH_LABELS = 6
_LOCATIVE_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "around", "throughout", "within", "into", "on", "from"}
    | {"off", "along", "towards", "toward", "over"}
)
_CLAUSE_MARKS = frozenset(
    {"if", "when", "after", "before", "while", "because", "unless", "as", "since", "until", "once", "though"}
    | {"although", "whether"}
)
_QUOTES = frozenset({'"', "\u201c", "\u201d", "''", "``"})
_PHRASE_DEPS = frozenset(
    {"pobj", "prep", "compound", "amod", "appos", "conj", "nmod", "poss", "npadvmod", "cc", "nummod", "det", "acl"}
    | {"relcl"}
)
_MAX_PHRASE_DEPTH = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkedPlace:
    """A span of the sentence named as where the event happened."""

    start_char: int
    """Start offset of the place name in the document text."""
    end_char: int
    """End offset (exclusive) of the place name in the document text."""
    score: float
    """Probability the model gives the link, between 0 and 1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateSpan:
    """A place-like span of the sentence, aligned to the parse's tokens."""

    start: int
    """Index of the first token."""
    end: int
    """Index one past the last token."""
    start_char: int
    """Start offset in the document text (as given, when passed in)."""
    end_char: int
    """End offset in the document text (as given, when passed in)."""
    label: str
    """Entity label of the parse, ``PROPN`` for a run of proper nouns, or ``GIVEN`` + the head's entity label."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventLocationModel:
    """Logistic weights over named features plus the decision rule of a sentence."""

    weights: Mapping[str, float]
    """Weight of each feature; features not listed weigh 0."""
    intercept: float
    """Bias of the logistic model."""
    threshold: float
    """The best candidate of a sentence is linked when its probability reaches this."""
    extra_threshold: float
    """Further candidates are linked when their probability reaches this."""
    meta: Mapping[str, Any]
    """Provenance: training data, seed, cross-validated figures."""

    def score(self, features: Mapping[str, float]) -> float:
        """
        Return the probability that a (trigger, candidate) pair is a link.

        Parameters
        ----------
        features
            Feature values from :func:`pair_features`.

        Returns
        -------
        float
            The logistic probability.
        """
        # the same sum as over (weight * value) pairs, in the same order, iterated in C
        z = self.intercept + sum(map(operator.mul, map(self.weights.get, features, repeat(0.0)), features.values()))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decide(self, scores: Sequence[float], groups: Sequence[int] | None = None) -> list[int]:
        """
        Choose the linked candidates of one sentence from their probabilities.

        The best candidate is linked when it reaches ``threshold``; another one
        only when it reaches ``extra_threshold`` and is coordinated with the best
        ("in X and Y": the same ``groups`` value).

        Parameters
        ----------
        scores
            Probability of each candidate.
        groups
            Coordination group of each candidate (:func:`coordination_group`);
            default: every candidate in its own group.

        Returns
        -------
        list of int
            Indexes of the linked candidates, in their original order.
        """
        if not scores:
            return []
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if scores[best] < self.threshold:
            return []
        group = groups if groups is not None else range(len(scores))
        return [i for i, s in enumerate(scores) if i == best or (s >= self.extra_threshold and group[i] == group[best])]

    def to_json(self) -> dict[str, Any]:
        """Return the model as a JSON-ready dict with sorted, rounded weights."""
        return {
            "format": "geomap-event-location-1",
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 4),
            "extra_threshold": round(self.extra_threshold, 4),
            "meta": dict(self.meta),
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if round(v, 6) != 0.0},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EventLocationModel:
        """
        Build a model from :meth:`to_json` output.

        Parameters
        ----------
        data
            The decoded JSON object.

        Returns
        -------
        EventLocationModel
            The model.

        Raises
        ------
        GazetteerError
            When the object is not an event-location model.
        """
        if data.get("format") != "geomap-event-location-1":
            msg = f"Not an event-location model (format {data.get('format')!r}); rerun scripts/fit_event_location.py."
            raise GazetteerError(msg)
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            extra_threshold=float(data["extra_threshold"]),
            meta=dict(data.get("meta") or {}),
        )


def read_linker(path: Path) -> EventLocationModel:
    """
    Read a fitted linker from a JSON file.

    Parameters
    ----------
    path
        File written by ``scripts/fit_event_location.py``.

    Returns
    -------
    EventLocationModel
        The model.

    Raises
    ------
    GazetteerError
        When the file is missing or not a model.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        msg = f"Cannot read the event-location model {str(path)!r}; run scripts/fit_event_location.py to write it."
        raise GazetteerError(msg) from err
    return EventLocationModel.from_json(data)


@lru_cache(maxsize=1)
def load_linker() -> EventLocationModel:
    """
    Load the shipped linker once per process.

    Returns
    -------
    EventLocationModel
        The model of ``data/event_location.json``.
    """
    from geomap.paths import packaged_data_dir

    return read_linker(packaged_data_dir() / MODEL_FILE)


KindOf = Callable[[str], tuple[str, float]]
"""Tell the gazetteer kind of a name and the prior of its best entry (:func:`gazetteer_kind`)."""


def gazetteer_kind(gazetteer: Gazetteer, name: str) -> tuple[str, float]:
    """
    Tell what kind of place a name's most plausible gazetteer entry is.

    Parameters
    ----------
    gazetteer
        The gazetteer to look in.
    name
        The candidate's text; a leading "the" is dropped.

    Returns
    -------
    tuple
        The kind (``country``, ``adm1``, ``adm`` for lower administrative units,
        ``city`` for populated places, ``other`` for any other feature class,
        ``none`` when the gazetteer has no such name) and the entry's prior in [0, 1].

    Examples
    --------
    >>> from geomap.gazetteer import load_gazetteer
    >>> gazetteer_kind(load_gazetteer(), "the Netherlands")[0]
    'country'
    """
    key = name[4:] if name[:4].lower() == "the " else name
    cands = gazetteer.lookup(key)
    if not cands:
        return "none", 0.0
    feature = cands[0].place.feature
    if feature.startswith("A.PCL"):
        kind = "country"
    elif feature == "A.ADM1":
        kind = "adm1"
    elif feature.startswith("A."):
        kind = "adm"
    elif feature.startswith("P."):
        kind = "city"
    else:
        kind = "other"
    return kind, float(cands[0].prior)


# --------------------------------------------------------------------------- candidates


def _bucket(value: int) -> str:
    for limit in _DISTANCE_BUCKETS:
        if value <= limit:
            return str(limit)
    return f">{_DISTANCE_BUCKETS[-1]}"


def _hash(prefix: str, text: str) -> str:
    return f"{prefix}#{zlib.crc32(text.lower().encode('utf-8')) % HASH_BUCKETS}"


def _token_range(doc: Any, start_char: int, end_char: int) -> tuple[int, int] | None:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.start, span.end


def find_candidates(
    doc: Any, bounds: tuple[int, int] | None = None, extra: Iterable[tuple[int, int]] = ()
) -> list[CandidateSpan]:
    """
    List the place-like spans of a parsed sentence.

    Spans passed in ``extra`` come first; entities of the parse that are not
    numbers or times and do not overlap them follow, then maximal runs of proper
    nouns that overlap neither and are not part of a date or number ("Monday").

    Parameters
    ----------
    doc
        A spaCy ``Doc``.
    bounds
        Token range ``(start, end)`` to look in; default the whole document.
    extra
        Character spans ``(start_char, end_char)`` to include, e.g. gazetteer matches.

    Returns
    -------
    list of CandidateSpan
        Non-overlapping candidates in text order.
    """
    lo, hi = bounds if bounds is not None else (0, len(doc))
    taken = [False] * len(doc)
    found: list[CandidateSpan] = []

    def add(start: int, end: int, start_char: int, end_char: int, label: str) -> None:
        if start < lo or end > hi or start >= end or any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        found.append(CandidateSpan(start=start, end=end, start_char=start_char, end_char=end_char, label=label))

    for start_char, end_char in extra:
        rng = _token_range(doc, start_char, end_char)
        if rng is not None:
            root = doc[rng[0] : rng[1]].root
            add(rng[0], rng[1], start_char, end_char, "GIVEN_" + (root.ent_type_ or root.pos_))
    for ent in doc.ents:
        if ent.label_ not in NON_PLACE_ENTITY_LABELS:
            add(ent.start, ent.end, ent.start_char, ent.end_char, ent.label_)
    i = lo
    while i < hi:
        if doc[i].pos_ == "PROPN" and not taken[i] and doc[i].ent_type_ not in NON_PLACE_ENTITY_LABELS:
            j = i + 1
            while (
                j < hi
                and not taken[j]
                and doc[j].ent_type_ not in NON_PLACE_ENTITY_LABELS
                and (doc[j].pos_ == "PROPN" or _glued_hyphen(doc, j, hi))
            ):
                j += 1
            add(i, j, doc[i].idx, doc[j - 1].idx + len(doc[j - 1]), "PROPN")
            i = j
        else:
            i += 1
    found.sort(key=lambda c: c.start)
    return found


def _glued_hyphen(doc: Any, j: int, hi: int) -> bool:
    """Return True when ``doc[j]`` is a hyphen joining two proper nouns without spaces ("Hada-Ogle")."""
    return (
        doc[j].text in {"-", "–"}
        and j + 1 < hi
        and doc[j + 1].pos_ == "PROPN"
        and not doc[j - 1].whitespace_
        and not doc[j].whitespace_
    )


def trigger_tokens(doc: Any, start_char: int, end_char: int) -> list[int]:
    """
    Return the token indexes covering a trigger's character span.

    Parameters
    ----------
    doc
        A spaCy ``Doc``.
    start_char, end_char
        The trigger's offsets in the document text.

    Returns
    -------
    list of int
        Token indexes; empty when the span lies outside the text.
    """
    rng = _token_range(doc, start_char, end_char)
    return list(range(*rng)) if rng is not None else []


# --------------------------------------------------------------------------- features


def _head_of(doc: Any, start: int, end: int) -> Any:
    """Return the token of ``doc[start:end]`` whose head lies outside it (the first such)."""
    for i in range(start, end):
        head = doc[i].head
        if head.i == doc[i].i or not start <= head.i < end:
            return doc[i]
    return doc[start]


def _chain(token: Any) -> list[Any]:
    chain = [token]
    while chain[-1].head.i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def _label(token: Any) -> str:
    """Dependency label of a token, with the preposition's lemma for ``prep``/``agent`` arcs."""
    dep = str(token.dep_)
    if dep in {"prep", "agent"}:
        lemma = token.lower_
        return f"{dep}:{lemma if lemma in PREPOSITIONS else 'other'}"
    return dep


def _governing_prep(head: Any) -> Any | None:
    """Return the preposition a name hangs from ("in" of "in X", also "in" of "in the X region")."""
    token = head
    for _ in range(3):
        if token.dep_ == "pobj" and token.head.pos_ == "ADP":
            return token.head
        if token.dep_ in {"compound", "amod", "appos", "conj", "nmod", "poss"} and token.head.i != token.i:
            token = token.head
            continue
        return None
    return None


def coordination_group(doc: Any, cand: CandidateSpan) -> int:
    """
    Return the token that heads the list a candidate belongs to ("X and Y", "X, Y and Z areas").

    Parameters
    ----------
    doc
        A spaCy ``Doc``.
    cand
        The candidate.

    Returns
    -------
    int
        Index of the topmost token reached from the candidate's head through
        ``conj``, ``appos`` and ``compound`` arcs; equal for coordinated names.
    """
    token = _head_of(doc, cand.start, cand.end)
    while token.dep_ in {"conj", "appos", "compound"} and token.head.i != token.i:
        token = token.head
    return int(token.i)


def pair_features(doc: Any, trigger: Sequence[int], cand: CandidateSpan) -> dict[str, float]:
    """
    Describe one (trigger, candidate) pair by syntactic features.

    Parameters
    ----------
    doc
        A spaCy ``Doc`` with a dependency parse.
    trigger
        Token indexes of the trigger.
    cand
        The candidate span.

    Returns
    -------
    dict
        Feature name to value (binary features have value 1).
    """
    trig = _head_of(doc, min(trigger), max(trigger) + 1)
    head = _head_of(doc, cand.start, cand.end)
    label = cand.label
    f: dict[str, float] = {f"label={label}": 1.0, f"ntok={min(cand.end - cand.start, 4)}": 1.0}
    f[f"cdep={head.dep_}"] = 1.0
    f[f"cdep={head.dep_}|hpos={head.head.pos_}"] = 1.0
    f[f"tpos={trig.pos_}"] = 1.0
    f[f"tdep={trig.dep_}"] = 1.0
    f[f"ttag={trig.tag_}"] = 1.0
    for child in trig.children:
        if child.dep_ == "neg":
            f["t_neg"] = 1.0
        elif child.tag_ == "MD":
            f["t_modal"] = 1.0
        elif child.dep_ in {"aux", "auxpass"} and child.lemma_ == "have":
            f["t_perfect"] = 1.0
    f[_hash("tlem", trig.lemma_)] = 1.0

    # Where the name sits: governing preposition, the noun it modifies, hyphenated roles.
    prep = _governing_prep(head)
    prep_name = (prep.lower_ if prep.lower_ in PREPOSITIONS else "other") if prep is not None else "none"
    f[f"prep={prep_name}"] = 1.0
    f[f"prep={prep_name}|label={label}"] = 1.0
    if prep is not None:
        f[f"prep={prep_name}|att={'trig' if prep.head.i == trig.i else prep.head.pos_}"] = 1.0
        if prep.head.lemma_ in SPEECH_VERBS or prep.head.head.lemma_ in SPEECH_VERBS:
            f["prep_att=speech"] = 1.0
        f[_hash(f"prep={prep_name}|att", prep.head.lemma_)] = 1.0
        f[_hash(f"prep={prep_name}|tlem", trig.lemma_)] = 1.0
    if head.dep_ in MODIFIER_DEPS:
        f["modifier"] = 1.0
        f[_hash("modnoun", head.head.lemma_)] = 1.0
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ in {"NOUN", "PROPN"}:
        f[_hash("ofnoun", head.head.head.lemma_)] = 1.0
    after = doc[cand.end] if cand.end < len(doc) else None
    before = doc[cand.start - 1] if cand.start > 0 else None
    if after is not None:
        f[f"next_pos={after.pos_}"] = 1.0
        if after.text in {"-", "–"} and cand.end + 1 < len(doc):  # "X-led", "X-based": an actor
            nxt = doc[cand.end + 1]
            f[f"hyphen|{nxt.tag_}"] = 1.0
            f[_hash("hyphen", nxt.lemma_)] = 1.0
        elif after.pos_ in {"NOUN", "PROPN"}:
            f[_hash("nextnoun", after.lemma_)] = 1.0
    if before is not None:
        f[f"prev_pos={before.pos_}"] = 1.0
        if before.pos_ in {"ADP", "DET", "PUNCT", "CCONJ"}:
            lemma = before.lower_
            f[f"prev={lemma if lemma in PREPOSITIONS or before.pos_ != 'ADP' else 'other'}"] = 1.0
    if cand.start == 0:
        f["sent_start"] = 1.0
        if after is not None and after.is_punct:
            f["sent_start|punct"] = 1.0  # a dateline ("KABUL, ...")
    if head.dep_ == "appos" or any(c.dep_ == "appos" for c in head.children):
        f["appos"] = 1.0

    # Speakers: the name is (in) the subject of a verb of speaking.
    for tok in _chain(head)[:4]:
        if tok.dep_ in {"nsubj", "nsubjpass"} and tok.head.lemma_ in SPEECH_VERBS:
            f["speech_subj"] = 1.0
            break
        if tok.dep_ in {"dobj", "dative"} and tok.head.lemma_ in SPEECH_VERBS:
            f["speech_obj"] = 1.0
            break

    # The dependency path between trigger and candidate.
    up = _chain(trig)
    down = _chain(head)
    up_ids = {t.i: n for n, t in enumerate(up)}
    lca_pos = next((n for n, t in enumerate(down) if t.i in up_ids), None)
    if lca_pos is None:
        f["no_path"] = 1.0
    else:
        lca = down[lca_pos]
        up_part = up[: up_ids[lca.i]]
        down_part = list(reversed(down[:lca_pos]))
        up_labels = [_label(t) for t in up_part]
        down_labels = [_label(t) for t in down_part]
        f[f"plen={min(len(up_labels), 4)}/{min(len(down_labels), 5)}"] = 1.0
        f["plen"] = (len(up_labels) + len(down_labels)) / 5.0
        if len(up_labels) + len(down_labels) <= _MAX_PATH_LABELS:
            f["path=" + " ".join(["^" + x for x in up_labels] + down_labels)] = 1.0
        f["up=" + " ".join(up_labels[:3])] = 1.0
        f["down=" + " ".join(down_labels[:3])] = 1.0
        f["down_last=" + (" ".join(down_labels[-2:]) if down_labels else "-")] = 1.0
        if lca.i == trig.i:
            f["lca=trig"] = 1.0
            f[f"lca=trig|label={label}"] = 1.0
        elif lca.i == head.i:
            f["lca=cand"] = 1.0
        else:
            f[f"lca_pos={lca.pos_}"] = 1.0
            if lca.lemma_ in SPEECH_VERBS:
                f["lca=speech"] = 1.0
        clauses_up = sum(t.dep_ in CLAUSE_DEPS for t in up_part)
        clauses_down = sum(t.dep_ in CLAUSE_DEPS for t in down_part)
        f[f"clauses={min(clauses_up, 2)}/{min(clauses_down, 2)}"] = 1.0
        if clauses_up == 0 and clauses_down == 0:
            f["same_clause"] = 1.0
            f[f"same_clause|label={label}"] = 1.0
            f[f"same_clause|prep={prep_name}"] = 1.0
        if any(t.lemma_ in SPEECH_VERBS for t in down_part):
            f["path_speech_down"] = 1.0
        if any(t.lemma_ in SPEECH_VERBS for t in up_part):
            f["path_speech_up"] = 1.0

    # Surface position.
    if cand.end <= trig.i:
        gap = trig.i - cand.end + 1
        f["before"] = 1.0
    elif cand.start > trig.i:
        gap = cand.start - trig.i
        f["after"] = 1.0
    else:
        gap = 0
        f["covers_trigger"] = 1.0
    f[f"dist={_bucket(gap)}"] = 1.0
    if trig.sent.start != doc[cand.start].sent.start:
        f["other_sentence"] = 1.0
    return f


def _relative_features(doc: Any, feats: list[dict[str, float]], cands: Sequence[CandidateSpan], trig: int) -> None:
    """Add features that compare a candidate to the other candidates of its sentence."""
    if not cands:
        return
    owner = {}
    for n, c in enumerate(cands):
        for i in range(c.start, c.end):
            owner[i] = n
    trig_chain = {t.i for t in _chain(doc[trig])}
    for n, (f, c) in enumerate(zip(feats, cands, strict=True)):
        # Other candidates between this one and the trigger in the tree: "X in Y" makes Y the container of X.
        above = [
            owner[t.i] for t in _chain(_head_of(doc, c.start, c.end))[1:] if t.i not in trig_chain and t.i in owner
        ]
        above = [m for m in above if m != n]
        if above:
            f["under_cand"] = 1.0
            f[f"under_cand|{_label(_head_of(doc, c.start, c.end))}"] = 1.0
        below = sum(
            1
            for m, other in enumerate(cands)
            if m != n
            and any(
                t.i in range(c.start, c.end)
                for t in _chain(_head_of(doc, other.start, other.end))[1:]
                if t.i not in trig_chain
            )
        )
        if below:
            f[f"over_cand={min(below, 2)}"] = 1.0
    plens = [f.get("plen", 9.0) for f in feats]
    gaps = [min(abs(c.start - trig), abs(c.end - 1 - trig)) for c in cands]
    order_p = sorted(set(plens))
    order_g = sorted(set(gaps))
    for f, plen, gap, cand in zip(feats, plens, gaps, cands, strict=True):
        f[f"prank={min(order_p.index(plen), 2)}"] = 1.0
        f[f"grank={min(order_g.index(gap), 2)}"] = 1.0
        f[f"ncand={min(len(cands), 5)}"] = 1.0
        lo, hi = sorted((cand.start, trig))
        between = sum(1 for c in cands if lo < c.start < hi and c is not cand)
        f[f"between={min(between, 3)}"] = 1.0


def _in_quote(doc: Any, token: Any) -> bool:
    """Return True when an odd number of quote marks precedes the token in its sentence."""
    return sum(1 for t in doc[token.sent.start : token.i] if t.text in _QUOTES) % 2 == 1


def _trigger_context(trig: Any) -> dict[str, float]:
    """Describe how eventive the trigger's clause is: reported, subordinate, quoted, passive, negated above."""
    f: dict[str, float] = {}
    if any(a.lemma_ in SPEECH_VERBS for a in _chain(trig)[1:4]):
        f["t_anc_speech"] = 1.0
    for child in trig.children:
        if child.dep_ == "mark" and child.lower_ in _CLAUSE_MARKS:
            f["t_mark=" + child.lower_] = 1.0
        elif child.dep_ in {"nsubjpass", "auxpass"}:
            f["t_passive"] = 1.0
        elif child.dep_ == "dobj":
            f["t_dobj"] = 1.0
    if trig.head.i != trig.i:
        f[f"t_hdep={trig.dep_}|{trig.head.pos_}"] = 1.0
        if trig.dep_ in {"xcomp", "ccomp", "advcl", "relcl", "acl", "pcomp", "pobj", "dobj", "nsubj", "nsubjpass"}:
            f[_hash("t_head", trig.head.lemma_)] = 1.0  # "plan to attack", "the attack killed"
        for child in trig.head.children:
            if child.dep_ == "neg":
                f["t_head_neg"] = 1.0
            elif child.tag_ == "MD":
                f["t_head_modal"] = 1.0
    if _in_quote(trig.doc, trig):
        f["t_in_quote"] = 1.0
    return f


def _phrase_anchor(token: Any, trig_chain: set[int]) -> tuple[int, str, int]:
    """Return the top of the noun/prepositional phrase a name sits in, its path labels there and the depth."""
    path: list[str] = []
    while (
        token.dep_ in _PHRASE_DEPS
        and token.head.i != token.i
        and token.i not in trig_chain
        and token.head.i not in trig_chain
        and len(path) <= _MAX_PHRASE_DEPTH
    ):
        dep = str(token.dep_)
        if dep == "prep":
            dep = "prep:" + (token.lower_ if token.lower_ in _LOCATIVE_PREPS or token.lower_ == "of" else "x")
        path.append(dep)
        token = token.head
    return int(token.i), " ".join(path[:4]), len(path)


def _context_features(doc: Any, feats: list[dict[str, float]], cands: Sequence[CandidateSpan], trig: Any) -> None:
    """
    Add the trigger's clause context and where each name sits among the names of its phrase.

    The trigger part (speech or subordinating context, a locative phrase attached
    to the trigger) is the same for all candidates of a sentence and moves the
    decision between "some place" and "no place"; the phrase part tells, for names
    in one phrase ("the X suburb of Y"), which is the deeper, finer one.
    """
    context = _trigger_context(trig)
    owner = {i: n for n, c in enumerate(cands) for i in range(c.start, c.end)}
    located: set[int] = set()
    for host in [trig] + ([trig.head] if trig.pos_ in {"NOUN", "PROPN"} else []):
        for prep in host.children:
            if prep.dep_ == "prep" and prep.lower_ in _LOCATIVE_PREPS:
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        located.update(owner[t.i] for t in obj.subtree if t.i in owner)
    trig_chain = {t.i for t in _chain(trig)}
    anchors = [_phrase_anchor(_head_of(doc, c.start, c.end), trig_chain) for c in cands]
    for n, (f, cand) in enumerate(zip(feats, cands, strict=True)):
        f.update(context)
        if located:
            f["t_loc"] = 1.0
            f["t_loc|this" if n in located else "t_loc|other"] = 1.0
        else:
            f["t_noloc"] = 1.0
        head = _head_of(doc, cand.start, cand.end)
        if head.dep_ in {"compound", "amod", "nmod", "poss"}:
            f[f"mod_of={head.head.ent_type_ or head.head.pos_}"] = 1.0
        if cand.end < len(doc) and doc[cand.end].tag_ == "POS":
            f["poss_s"] = 1.0
        for above in _chain(head)[1:6]:
            if above.i == trig.i:
                break
            if above.dep_ in {"relcl", "acl", "appos"} and (
                above.head.ent_type_ == "PERSON" or above.head.lemma_ == "who"
            ):
                f["in_person_clause"] = 1.0
                break
        if _in_quote(doc, head):
            f["c_in_quote"] = 1.0
        f[f"ent={head.ent_type_ or '-'}|{cand.label}"] = 1.0
        anchor, role, depth = anchors[n]
        f["phr_role=" + role] = 1.0
        sibs = [m for m in range(len(cands)) if m != n and anchors[m][0] == anchor]
        if not sibs:
            f["phr_alone"] = 1.0
            continue
        f["phr_sib"] = 1.0
        f["phr_sib|role=" + role] = 1.0
        f[f"phr_deeper={min(sum(1 for m in sibs if anchors[m][2] > depth), 2)}"] = 1.0
        f[f"phr_shallower={min(sum(1 for m in sibs if anchors[m][2] < depth), 2)}"] = 1.0
        for m in sibs[:3]:
            f["phr_pair=" + role + "/" + anchors[m][1]] = 1.0


def _kind_features(doc: Any, feats: list[dict[str, float]], cands: Sequence[CandidateSpan], kind_of: KindOf) -> None:
    """Add what the gazetteer says each candidate is, and whether a finer or coarser place is named beside it."""
    text = doc.text  # spaCy joins the tokens anew on each access
    kinds = [kind_of(text[c.start_char : c.end_char]) for c in cands]
    for f, cand, (kind, prior) in zip(feats, cands, kinds, strict=True):
        f[f"gz={kind}"] = 1.0
        f["gz_prior"] = prior
        f[f"gz={kind}|prior={min(int(prior * 5), 4)}"] = 1.0
        f[f"gz={kind}|label={cand.label}"] = 1.0
        if kind == "none":
            continue
        rank = KIND_RANK[kind]
        finer = sum(1 for other, _ in kinds if other != "none" and KIND_RANK[other] > rank)
        coarser = sum(1 for other, _ in kinds if other != "none" and KIND_RANK[other] < rank)
        f[f"gz_finer_other={min(finer, 2)}"] = 1.0
        f[f"gz_coarser_other={min(coarser, 2)}"] = 1.0
        f[f"gz={kind}|finer={min(finer, 1)}"] = 1.0


def _tensor_features(doc: Any, feats: list[dict[str, float]], cands: Sequence[CandidateSpan], trig: int) -> None:
    """
    Add the parser's contextual vectors: the candidate's head, the trigger, their product, the tokens between.

    Nothing is added when the pipeline sets no ``doc.tensor`` (a blank pipeline).
    """
    tensor = getattr(doc, "tensor", None)
    if tensor is None or len(tensor.shape) != 2 or tensor.shape[0] != len(doc) or tensor.shape[1] == 0:
        return
    trig_vec = tensor[trig] * TENSOR_SCALE
    names = _tensor_names(tensor.shape[1])
    for f, cand in zip(feats, cands, strict=True):
        head = _head_of(doc, cand.start, cand.end).i
        cand_vec = tensor[head] * TENSOR_SCALE
        lo, hi = sorted((head, trig))
        mid_vec = tensor[lo : hi + 1].mean(axis=0) * TENSOR_SCALE
        prod_vec = tensor[head] * tensor[trig] * TENSOR_SCALE
        # cv0, tv0, pv0, mv0, cv1, ...: the order the features were always written in
        values = np.stack([cand_vec, trig_vec, prod_vec, mid_vec], axis=1).ravel().tolist()
        f.update(zip(names, values, strict=True))


@lru_cache(maxsize=4)
def _tensor_names(width: int) -> tuple[str, ...]:
    return tuple(f"{kind}{n}" for n in range(width) for kind in ("cv", "tv", "pv", "mv"))


def candidate_features(
    doc: Any, trigger: Sequence[int], extra: Iterable[tuple[int, int]] = (), kind_of: KindOf | None = None
) -> tuple[list[CandidateSpan], list[dict[str, float]]]:
    """
    List the candidates of the trigger's sentence and their features.

    Parameters
    ----------
    doc
        A spaCy ``Doc``.
    trigger
        Token indexes of the trigger (not empty).
    extra
        Additional candidate character spans.
    kind_of
        Gazetteer kind of a name (:func:`gazetteer_kind` bound to a gazetteer); without it
        the gazetteer features are left out.

    Returns
    -------
    tuple
        The candidates and one feature dict per candidate.
    """
    sent = doc[min(trigger)].sent
    cands = find_candidates(doc, (sent.start, sent.end), extra)
    trig_span = set(trigger)
    cands = [c for c in cands if not trig_span.intersection(range(c.start, c.end))]
    feats = [pair_features(doc, trigger, c) for c in cands]
    trig = _head_of(doc, min(trigger), max(trigger) + 1).i
    _relative_features(doc, feats, cands, trig)
    if kind_of is not None:
        _kind_features(doc, feats, cands, kind_of)
    _context_features(doc, feats, cands, doc[trig])
    _tensor_features(doc, feats, cands, trig)
    return cands, feats


def default_kind_of() -> KindOf | None:
    """
    Return :func:`gazetteer_kind` bound to the shipped gazetteer, or None when it cannot be opened.

    Returns
    -------
    callable or None
        The lookup the shipped model was fitted with.
    """
    from geomap.gazetteer import load_gazetteer

    try:
        gazetteer = load_gazetteer()
    except GazetteerError:
        return None
    return lambda name: gazetteer_kind(gazetteer, name)


def link_event_places(
    doc: Any,
    trigger: int | Sequence[int],
    candidates: Iterable[tuple[int, int]] | None = None,
    *,
    model: EventLocationModel | None = None,
    kind_of: KindOf | None = None,
) -> list[LinkedPlace]:
    """
    Find the place(s) where the event of a trigger happened, within its sentence.

    Parameters
    ----------
    doc
        A parsed spaCy ``Doc`` (or a ``Span`` of one, whose document is used).
    trigger
        Token index (in the document) of the event's trigger word, or the indexes of a multi-word trigger.
    candidates
        Extra candidate character spans ``(start_char, end_char)``, e.g. the gazetteer's
        toponyms; the parse's own name entities and proper-noun runs are always candidates.
    model
        A fitted linker; default :func:`load_linker`.
    kind_of
        Gazetteer kind of a name; default :func:`default_kind_of` (the shipped gazetteer).

    Returns
    -------
    list of LinkedPlace
        The linked places in text order; empty when the sentence names no place for the event.

    Raises
    ------
    InputError
        When a trigger index lies outside the document.
    """
    doc = getattr(doc, "doc", doc)
    tokens = [trigger] if isinstance(trigger, int) else sorted(set(trigger))
    if not tokens or min(tokens) < 0 or max(tokens) >= len(doc):
        msg = f"Trigger token index {trigger!r} is outside the document of {len(doc)} tokens."
        raise InputError(msg)
    linker = model if model is not None else load_linker()
    cands, feats = candidate_features(
        doc, tokens, candidates or (), kind_of if kind_of is not None else default_kind_of()
    )
    scores = [linker.score(f) for f in feats]
    groups = [coordination_group(doc, c) for c in cands]
    return [
        LinkedPlace(start_char=cands[i].start_char, end_char=cands[i].end_char, score=scores[i])
        for i in linker.decide(scores, groups)
    ]


def link_records(
    records: Iterable[Mapping[str, Any]], nlp: Any, *, model: EventLocationModel | None = None
) -> list[dict[str, Any]]:
    """
    Link the trigger of each event_geo record to its places.

    Parameters
    ----------
    records
        Objects with ``id``, ``text`` and ``event_trigger`` (``start``, ``end``).
    nlp
        A spaCy pipeline with parser and entity recogniser.
    model
        A fitted linker; default :func:`load_linker`.

    Returns
    -------
    list of dict
        ``{"id", "event_locations": [{"start", "end"}, ...]}`` per record, in input order.

    Raises
    ------
    InputError
        When a record lacks its text or trigger offsets.
    """
    rows = list(records)
    linker = model if model is not None else load_linker()
    texts = []
    for n, row in enumerate(rows):
        trig = row.get("event_trigger")
        if not isinstance(row.get("text"), str) or not isinstance(trig, Mapping) or "start" not in trig:
            msg = f"Record {n + 1} (id {row.get('id')!r}) needs 'text' and 'event_trigger' with 'start'/'end'."
            raise InputError(msg)
        texts.append(row["text"])
    unique = sorted(set(texts))
    parsed = dict(zip(unique, nlp.pipe(unique, batch_size=64), strict=True))
    kind_of = default_kind_of()
    out = []
    for row in rows:
        doc = parsed[row["text"]]
        tokens = trigger_tokens(doc, int(row["event_trigger"]["start"]), int(row["event_trigger"]["end"]))
        places = link_event_places(doc, tokens, model=linker, kind_of=kind_of) if tokens else []
        out.append(
            {"id": row.get("id"), "event_locations": [{"start": p.start_char, "end": p.end_char} for p in places]}
        )
    return out
