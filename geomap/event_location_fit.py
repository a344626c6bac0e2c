"""
Fit and cross-validate the event → place linker of :mod:`geomap.event_location`.

Needs scikit-learn (the ``fit`` extra); scoring a fitted model does not. Records
are in the ``event_geo`` format (``text``, ``event_trigger``, ``event_locations``).
Every record of one sentence falls in the same fold, folds are assigned from a
CRC-32 of the text, and the solver is deterministic, so a rerun gives the same
weights and the same figures.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geomap.errors import InputError
from geomap.event_location import (
    EventLocationModel,
    candidate_features,
    coordination_group,
    default_kind_of,
    trigger_tokens,
)

__all__ = ["Example", "build_examples", "cross_validate", "fit_linker", "fold_of"]

DEFAULT_C = 0.5
"""Inverse L2 regularisation strength of the logistic model."""
MIN_COUNT = 3
"""Features seen on fewer candidates than this are left out of the model."""
INNER_FOLDS = 3
"""Folds of the inner cross-validation that chooses the decision thresholds."""
_THRESHOLDS = tuple(round(0.05 + 0.025 * i, 3) for i in range(27))
_EXTRA_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """The candidates of one record with their features and gold labels."""

    text: str
    """The sentence (fold key)."""
    spans: tuple[tuple[int, int], ...]
    """Character spans of the candidates."""
    features: tuple[dict[str, float], ...]
    """Features of each candidate."""
    labels: tuple[int, ...]
    """1 when the candidate overlaps a gold place span, else 0."""
    groups: tuple[int, ...]
    """Coordination group of each candidate."""
    gold: tuple[tuple[int, int], ...]
    """Gold place spans of the record."""


def fold_of(text: str, k: int) -> int:
    """
    Return the fold of a sentence in a ``k``-fold split (all its records together).

    Parameters
    ----------
    text
        The sentence.
    k
        Number of folds.

    Returns
    -------
    int
        Fold index in ``range(k)``.

    Examples
    --------
    >>> fold_of("Shelling hit Donetsk.", 5) == fold_of("Shelling hit Donetsk.", 5)
    True
    """
    return zlib.crc32(text.encode("utf-8")) % k


def build_examples(records: Sequence[Mapping[str, Any]], nlp: Any) -> list[Example]:
    """
    Parse the records' sentences once and list their candidates, features and labels.

    Parameters
    ----------
    records
        ``event_geo`` records with gold ``event_locations``.
    nlp
        A spaCy pipeline with parser and entity recogniser.

    Returns
    -------
    list of Example
        One example per record, in input order.

    Raises
    ------
    InputError
        When a record lacks its text or trigger.
    """
    texts = []
    for n, row in enumerate(records):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("event_trigger"), Mapping):
            msg = f"Record {n + 1} (id {row.get('id')!r}) needs 'text' and 'event_trigger'."
            raise InputError(msg)
        texts.append(row["text"])
    unique = sorted(set(texts))
    parsed = dict(zip(unique, nlp.pipe(unique, batch_size=64), strict=True))
    kind_of = default_kind_of()
    out = []
    for row in records:
        doc = parsed[row["text"]]
        gold = tuple((int(g["start"]), int(g["end"])) for g in row.get("event_locations") or [])
        tokens = trigger_tokens(doc, int(row["event_trigger"]["start"]), int(row["event_trigger"]["end"]))
        cands, feats = candidate_features(doc, tokens, kind_of=kind_of) if tokens else ([], [])
        spans = tuple((c.start_char, c.end_char) for c in cands)
        labels = tuple(int(any(s < ge and gs < e for gs, ge in gold)) for s, e in spans)
        groups = tuple(coordination_group(doc, c) for c in cands)
        out.append(
            Example(text=row["text"], spans=spans, features=tuple(feats), labels=labels, groups=groups, gold=gold)
        )
    return out


def _f1(examples: Sequence[Example], scores: Sequence[Sequence[float]], decide: Callable[..., list[int]]) -> float:
    tp = fp = fn = 0
    for ex, sc in zip(examples, scores, strict=True):
        chosen = [ex.spans[i] for i in decide(sc, ex.groups)]
        used: set[int] = set()
        for s, e in chosen:
            hit = next((j for j, (gs, ge) in enumerate(ex.gold) if j not in used and s < ge and gs < e), None)
            if hit is not None:
                used.add(hit)
        tp += len(used)
        fp += len(chosen) - len(used)
        fn += len(ex.gold) - len(used)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _fit_weights(examples: Sequence[Example], c: float) -> tuple[dict[str, float], float]:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(name for ex in examples for f in ex.features for name in f)
    rows = [{k: v for k, v in f.items() if counts[k] >= MIN_COUNT} for ex in examples for f in ex.features]
    y = np.array([label for ex in examples for label in ex.labels])
    if not rows or len(set(y.tolist())) < 2:
        msg = "Fitting the linker needs records with and without gold places among their candidates."
        raise InputError(msg)
    vec = DictVectorizer(sort=True)
    matrix = vec.fit_transform(rows).tocsr()
    if matrix.shape[1] == 0:
        msg = f"No feature is seen on {MIN_COUNT} candidates or more; fit on more records."
        raise InputError(msg)
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    clf.fit(matrix, y)
    names = vec.get_feature_names_out()
    weights = {str(n): float(w) for n, w in zip(names, clf.coef_[0], strict=True)}
    return weights, float(clf.intercept_[0])


def _model(
    weights: dict[str, float], intercept: float, threshold: float = 0.5, extra: float = 1.01
) -> EventLocationModel:
    return EventLocationModel(weights=weights, intercept=intercept, threshold=threshold, extra_threshold=extra, meta={})


def _choose_thresholds(examples: Sequence[Example], scores: Sequence[Sequence[float]]) -> tuple[float, float]:
    best = (-1.0, 0.5, 1.01)
    for extra in _EXTRA_THRESHOLDS:
        for threshold in _THRESHOLDS:
            rule = _model({}, 0.0, threshold, max(extra, threshold))
            f1 = _f1(examples, scores, rule.decide)
            if f1 > best[0] + 1e-9:
                best = (f1, threshold, max(extra, threshold))
    return best[1], best[2]


def fit_linker(
    examples: Sequence[Example], *, c: float = DEFAULT_C, meta: Mapping[str, Any] | None = None
) -> EventLocationModel:
    """
    Fit the logistic weights and choose the decision thresholds by inner cross-validation.

    The thresholds maximise span F1 over out-of-fold probabilities of
    ``INNER_FOLDS`` inner folds; with too few sentences for that, the model links
    the best candidate at probability 0.5 and no others.

    Parameters
    ----------
    examples
        Training examples from :func:`build_examples`.
    c
        Inverse L2 regularisation strength.
    meta
        Provenance stored with the model.

    Returns
    -------
    EventLocationModel
        The fitted linker.

    Raises
    ------
    InputError
        When no candidate or no gold place is among the examples' candidates.
    """
    weights, intercept = _fit_weights(examples, c)
    oof: list[list[float]] = [[] for _ in examples]
    try:
        for k in range(INNER_FOLDS):
            train = [ex for ex in examples if fold_of(ex.text, INNER_FOLDS) != k]
            inner = _model(*_fit_weights(train, c))
            for n, ex in enumerate(examples):
                if fold_of(ex.text, INNER_FOLDS) == k:
                    oof[n] = [inner.score(f) for f in ex.features]
        threshold, extra = _choose_thresholds(examples, oof)
    except InputError:
        # Too few sentences for an inner split with both classes: keep the plain 0.5 rule.
        threshold, extra = 0.5, 1.01
    return EventLocationModel(
        weights=weights, intercept=intercept, threshold=threshold, extra_threshold=extra, meta=dict(meta or {})
    )


def cross_validate(examples: Sequence[Example], k: int, *, c: float = DEFAULT_C) -> list[list[tuple[int, int]]]:
    """
    Predict every example with a linker fitted on the other folds.

    Parameters
    ----------
    examples
        Examples from :func:`build_examples`.
    k
        Number of folds (at least 2); all records of a sentence share a fold.
    c
        Inverse L2 regularisation strength.

    Returns
    -------
    list of list of tuple
        Predicted character spans per example, in input order.

    Raises
    ------
    InputError
        When ``k`` is below 2.
    """
    if k < 2:
        msg = f"Cross-validation needs at least 2 folds, got {k}."
        raise InputError(msg)
    out: list[list[tuple[int, int]]] = [[] for _ in examples]
    for fold in range(k):
        train = [ex for ex in examples if fold_of(ex.text, k) != fold]
        model = fit_linker(train, c=c)
        for n, ex in enumerate(examples):
            if fold_of(ex.text, k) == fold:
                scores = [model.score(f) for f in ex.features]
                out[n] = [ex.spans[i] for i in model.decide(scores, ex.groups)]
    return out
