"""
Fit geomap's event-type model on an ACLED CSV export and write ``data/event_type.npz``.

Usage::

    python scripts/fit_event_type.py TRAIN.csv [-o data/event_type.npz] [--cv 5] [--dev DEV.csv]

Reads the ``notes`` and ``sub_event_type`` columns, hashes the notes with
:func:`geomap.event_type.hashed_features`, keeps the buckets seen in at least
``--min-df`` notes, weights them by sub-linear tf-idf and fits a multinomial
logistic regression (scikit-learn, lbfgs, deterministic). The file holds
bucket numbers, their idf, int8 weights with one scale per class, the
intercepts and the class names: no note text and no n-gram vocabulary.
``--cv`` prints k-fold cross-validated accuracies on the training file;
``--dev`` prints accuracies on a validation file (never used for fitting).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geomap.event_type import EVENT_TYPE_OF, N_FEATURES, EventTypeModel, hashed_features


def read_rows(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Return the notes, sub-event types and ids of the rows with a note and a known sub-event type."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("notes") and r.get("sub_event_type") in EVENT_TYPE_OF]
    return [r["notes"] for r in rows], [r["sub_event_type"] for r in rows], [r.get("event_id_cnty", "") for r in rows]


def count_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Return the hashed feature counts of the texts, one row each."""
    indptr, indices, data = [0], [], []
    for text in texts:
        counts = hashed_features(text)
        keys = sorted(counts)
        indices.extend(keys)
        data.extend(counts[k] for k in keys)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, float), np.array(indices), np.array(indptr)), shape=(len(texts), N_FEATURES)
    )


def fit(
    counts: sparse.csr_matrix, labels: list[str], c: float, min_df: int
) -> tuple[EventTypeModel, np.ndarray, np.ndarray]:
    """Fit on the rows; return the de-quantised model, its int8 weights and the per-class scales."""
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    buckets = np.flatnonzero(df >= min_df)
    n_docs = counts.shape[0]
    idf = np.log((1 + n_docs) / (1 + df[buckets])) + 1.0
    x = weight(counts[:, buckets], idf)
    model = LogisticRegression(C=c, max_iter=3000, tol=1e-4, random_state=0)
    model.fit(x, labels)
    coef = model.coef_.T  # buckets x classes
    scale = np.abs(coef).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(coef / scale).astype(np.int8)
    return (
        EventTypeModel(
            buckets=buckets.astype(np.int64),
            idf=idf.astype(np.float32).astype(np.float64),
            weights=quantised.astype(np.float64) * scale.astype(np.float32).astype(np.float64),
            intercept=model.intercept_.astype(np.float32).astype(np.float64),
            classes=tuple(str(c) for c in model.classes_),
        ),
        quantised,
        scale,
    )


def weight(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Weight counts by (1 + ln tf) * idf and L2-normalise each row (as the runtime does)."""
    x = counts.copy().tocsr()
    x.data = 1.0 + np.log(x.data)
    x = x @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ x


def accuracies(
    model: EventTypeModel, texts: list[str], labels: list[str]
) -> tuple[float, float, list[tuple[str, str]]]:
    """Return event_type and sub_event_type accuracy and the (ACLED, predicted) event_type pairs."""
    predictions = [model.classify(t) for t in texts]
    pairs = [(EVENT_TYPE_OF[gold], pred[0]) for gold, pred in zip(labels, predictions, strict=True)]
    et = float(np.mean([g == p for g, p in pairs]))
    sub = float(np.mean([gold == pred[1] for gold, pred in zip(labels, predictions, strict=True)]))
    return et, sub, pairs


def main() -> None:
    """Fit, report and write the model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "event_type.npz"
    )
    parser.add_argument("--c", type=float, default=20.0, help="inverse regularisation strength")
    parser.add_argument("--min-df", type=int, default=2, help="keep buckets seen in at least this many notes")
    parser.add_argument("--cv", type=int, default=0, help="k-fold cross-validation on the training file (0: none)")
    parser.add_argument("--dev", type=Path, help="validation file to report accuracy on (not fitted)")
    parser.add_argument("--oof", type=Path, help="with --cv: write out-of-fold predictions (id, types, probability)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    texts, labels, ids = read_rows(args.train)
    oof: list[str] = []
    counts = count_matrix(texts)
    if args.cv:
        folds = StratifiedKFold(n_splits=args.cv, shuffle=True, random_state=0)
        ets, subs = [], []
        # Classes too rare for stratification are still split; sklearn warns only.
        types = [EVENT_TYPE_OF[s] for s in labels]
        for train_idx, test_idx in folds.split(texts, types):
            model, _, _ = fit(counts[train_idx], [labels[i] for i in train_idx], args.c, args.min_df)
            et, sub, _ = accuracies(model, [texts[i] for i in test_idx], [labels[i] for i in test_idx])
            oof.extend("\t".join([ids[i], *map(str, model.classify(texts[i]))]) for i in test_idx)
            ets.append(et)
            subs.append(sub)
        if args.oof:
            args.oof.write_text("".join(f"{line}\n" for line in sorted(oof)), encoding="utf-8")
        print(
            f"{args.cv}-fold CV on {len(texts)} rows: event_type {np.mean(ets):.3f} (±{np.std(ets):.3f})  "
            f"sub_event_type {np.mean(subs):.3f} (±{np.std(subs):.3f})"
        )
    model, quantised, scale = fit(counts, labels, args.c, args.min_df)
    if args.dev:
        dev_texts, dev_labels, _ = read_rows(args.dev)
        et, sub, _ = accuracies(model, dev_texts, dev_labels)
        print(
            f"validation {args.dev.name} ({len(dev_texts)} rows, whole notes): "
            f"event_type {et:.3f}  sub_event_type {sub:.3f}"
        )
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("wb") as handle:
            np.savez_compressed(
                handle,
                buckets=model.buckets.astype(np.int32),
                idf=model.idf.astype(np.float32),
                weights=quantised,
                scale=scale.astype(np.float32),
                intercept=model.intercept.astype(np.float32),
                classes=np.array(model.classes),
            )
        print(
            f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB, {len(model.buckets)} buckets, "
            f"{len(model.classes)} classes)"
        )


if __name__ == "__main__":
    main()
