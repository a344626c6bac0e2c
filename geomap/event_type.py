"""
Type events in ACLED's vocabulary with a linear model fitted on ACLED coding.

The model reads a short report (an ACLED note, a news sentence) as hashed
features: lower-cased word unigrams and bigrams plus character 3- to 5-grams
of each word, each hashed with CRC-32 into ``N_FEATURES`` buckets (the
hashing trick of scikit-learn's ``HashingVectorizer`` with
``alternate_sign=False``), weighted by sub-linear term frequency times an
inverse document frequency and L2-normalised. A multinomial logistic
regression over ACLED's sub-event types scores them; an event type's
probability is the sum of its sub-event types' probabilities, so the two
labels never disagree.

``scripts/fit_event_type.py`` fits the model and writes ``data/event_type.npz``:
bucket numbers, their idf and weights, class names — no text, no n-gram
vocabulary. Run time needs only numpy.
"""

from __future__ import annotations

import itertools
import re
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from geomap.gazetteer import default_data_dir

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

__all__ = [
    "EVENT_TYPE_OF",
    "N_FEATURES",
    "EventTypeModel",
    "classify",
    "hashed_features",
    "load_model",
    "type_event",
]

N_FEATURES = 2**18
"""Number of hash buckets."""

SHORT_REPORT_CHARS = 1000
"""A report this short (an ACLED note, a news brief) tells one event and is typed as a whole."""

LEARNED_FAMILIES = frozenset({"violence", "property", "arrests", "other"})
"""Event families ACLED codes; curfews, aid, displacement ... keep their cue-based type."""

CUE_BELOW = 0.4
"""Below this probability the cue patterns' type is kept (on out-of-fold predictions for ACLED's training
notes, the cues were right more often than the model below it)."""

CUE_BELOW_IN_NEWS = 0.6
"""The same threshold for a sentence of a longer report: news wording is farther from ACLED's notes."""

MODEL_FILE = "event_type.npz"
"""File name of the fitted model in the data folder."""

EVENT_TYPE_OF: dict[str, str] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}
"""ACLED's sub-event types and the event type each belongs to."""

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
_CHAR_SIZES = (3, 4, 5)


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % N_FEATURES


@lru_cache(maxsize=65536)
def _word_buckets(word: str) -> tuple[int, ...]:
    padded = f" {word} "
    grams = [f"w:{word}"]
    for size in _CHAR_SIZES:
        grams.extend(f"c:{padded[i : i + size]}" for i in range(max(len(padded) - size + 1, 1)))
    return tuple(_bucket(g) for g in grams)


def hashed_features(text: str) -> dict[int, int]:
    """
    Count a text's hashed features (bucket → occurrences).

    Parameters
    ----------
    text
        Any text; case and digits are normalised away (every number reads "0").

    Returns
    -------
    dict
        Bucket number in ``[0, N_FEATURES)`` → count.

    Examples
    --------
    >>> a, b = hashed_features("Protesters marched."), hashed_features("PROTESTERS marched")
    >>> a == b
    True
    >>> all(0 <= k < N_FEATURES for k in a)
    True
    """
    words = _WORD.findall(_DIGITS.sub("0", text.lower()))
    counts: dict[int, int] = {}
    for word in words:
        for index in _word_buckets(word):
            counts[index] = counts.get(index, 0) + 1
    for first, second in itertools.pairwise(words):
        index = _bucket(f"b:{first} {second}")
        counts[index] = counts.get(index, 0) + 1
    return counts


def weighted_features(counts: dict[int, int], idf_of: dict[int, float]) -> dict[int, float]:
    """
    Weight counts by ``(1 + ln tf) * idf`` and L2-normalise; buckets without an idf are dropped.

    Parameters
    ----------
    counts
        Output of :func:`hashed_features`.
    idf_of
        Bucket → inverse document frequency.

    Returns
    -------
    dict
        Bucket → weight, unit Euclidean norm (empty when no bucket is known).
    """
    weights = {k: (1.0 + float(np.log(v))) * idf_of[k] for k, v in counts.items() if k in idf_of}
    norm = float(np.sqrt(sum(w * w for w in weights.values())))
    return {k: w / norm for k, w in weights.items()} if norm > 0 else {}


@dataclass(frozen=True, slots=True, kw_only=True)
class EventTypeModel:
    """A fitted multinomial logistic regression over hashed features."""

    buckets: NDArray[np.int64]
    """Sorted bucket numbers the model knows."""
    idf: NDArray[np.float64]
    """Inverse document frequency of each known bucket."""
    weights: NDArray[np.float64]
    """Weights, one row per known bucket, one column per class."""
    intercept: NDArray[np.float64]
    """One bias per class."""
    classes: tuple[str, ...]
    """Sub-event type of each column, ACLED's spelling."""

    def probabilities(self, text: str) -> NDArray[np.float64]:
        """
        Return the probability of each class (``classes`` order) for a text.

        Parameters
        ----------
        text
            The report to type.

        Returns
        -------
        numpy.ndarray
            Probabilities summing to 1.
        """
        counts = hashed_features(text)
        keys = np.fromiter(counts, dtype=np.int64, count=len(counts))
        rows = np.searchsorted(self.buckets, keys)
        rows = np.minimum(rows, len(self.buckets) - 1)
        known = self.buckets[rows] == keys
        rows, keys = rows[known], keys[known]
        tf = np.array([counts[int(k)] for k in keys], dtype=np.float64)
        values = (1.0 + np.log(tf)) * self.idf[rows] if len(rows) else tf
        norm = float(np.sqrt(values @ values)) if len(rows) else 0.0
        logits = self.intercept + (values / norm) @ self.weights[rows] if norm > 0 else self.intercept.copy()
        logits = logits - logits.max()
        exp = np.exp(logits)
        out: NDArray[np.float64] = exp / exp.sum()
        return out

    def classify(self, text: str) -> tuple[str, str, float]:
        """
        Return ``(event_type, sub_event_type, probability)`` for a text.

        The event type is the one whose sub-event types sum to the highest
        probability; the sub-event type is its most probable one; the
        probability is the event type's.

        Parameters
        ----------
        text
            The report to type.

        Returns
        -------
        tuple
            ACLED spellings and the event type's probability.
        """
        probs = self.probabilities(text)
        totals: dict[str, float] = {}
        for name, p in zip(self.classes, probs, strict=True):
            totals[EVENT_TYPE_OF[name]] = totals.get(EVENT_TYPE_OF[name], 0.0) + float(p)
        event_type = max(totals, key=lambda t: totals[t])
        best = max(
            (i for i, name in enumerate(self.classes) if EVENT_TYPE_OF[name] == event_type),
            key=lambda i: float(probs[i]),
        )
        return event_type, self.classes[best], round(totals[event_type], 4)


def read_model(path: Path) -> EventTypeModel:
    """
    Read a model written by ``scripts/fit_event_type.py``.

    Parameters
    ----------
    path
        The ``.npz`` file.

    Returns
    -------
    EventTypeModel
        The model, weights de-quantised to float.
    """
    with np.load(path, allow_pickle=False) as npz:
        scale = npz["scale"].astype(np.float64)
        return EventTypeModel(
            buckets=npz["buckets"].astype(np.int64),
            idf=npz["idf"].astype(np.float64),
            weights=npz["weights"].astype(np.float64) * scale,
            intercept=npz["intercept"].astype(np.float64),
            classes=tuple(str(c) for c in npz["classes"]),
        )


@cache
def load_model() -> EventTypeModel:
    """
    Return the packaged model (read once).

    Returns
    -------
    EventTypeModel
        The model in ``data/event_type.npz`` (see :func:`geomap.gazetteer.default_data_dir`).
    """
    return read_model(default_data_dir() / MODEL_FILE)


@lru_cache(maxsize=1024)
def classify(text: str) -> tuple[str, str, float]:
    """
    Type a report with the packaged model (memoised: every event of a short report types the same text).

    Parameters
    ----------
    text
        An ACLED-style note or a news sentence.

    Returns
    -------
    tuple
        ``(event_type, sub_event_type, probability of the event type)``.

    Examples
    --------
    >>> event_type, sub_type, p = classify("Students held a peaceful demonstration demanding lower fees.")
    >>> event_type, sub_type
    ('Protests', 'Peaceful protest')
    """
    return load_model().classify(text)


def type_event(report: str, sentence: str, family: str, cue: tuple[str, str]) -> tuple[str, str]:
    """
    Choose an event's ACLED types: the fitted model's, or the cue patterns' where it cannot tell.

    Parameters
    ----------
    report
        The whole document; typed whole when at most ``SHORT_REPORT_CHARS`` long.
    sentence
        The event's sentence, typed in a longer report.
    family
        The event family; only ``LEARNED_FAMILIES`` are typed by the model.
    cue
        ``(event_type, sub_event_type)`` from the cue patterns (:func:`geomap.events.classify`).

    Returns
    -------
    tuple of str
        ``(event_type, sub_event_type)`` in ACLED's spelling.

    Examples
    --------
    >>> type_event("Villagers fled the floods.", "Villagers fled the floods.", "displacement", ("A", "B"))
    ('A', 'B')
    """
    if family not in LEARNED_FAMILIES:
        return cue
    whole = len(report) <= SHORT_REPORT_CHARS
    event_type, sub_type, probability = classify(report if whole else sentence)
    if probability < (CUE_BELOW if whole else CUE_BELOW_IN_NEWS):
        return cue
    return event_type, sub_type
