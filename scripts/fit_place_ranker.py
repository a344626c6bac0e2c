"""
Fit the main-event place ranker (geomap/place_ranker.py) on ACLED rows and write data/place_ranker.json.

Run (needs scikit-learn, the ``fit`` extra)::

    python scripts/fit_place_ranker.py ../shared/eval/acled/train.csv --cv 5          # cross-validated figures
    python scripts/fit_place_ranker.py ../shared/eval/acled/train.csv --out data/place_ranker.json

Every row's note is read by the pipeline (spaCy without its entity recogniser,
:data:`geomap.pipeline.ACLED_SKIP_PIPES`, unless ``--fast``), with the row's country as the
hint (``--no-hint`` reads without it; ``--both`` reads both ways and learns from both). For the main
event, each resolved place of its sentence becomes a candidate described by
:data:`geomap.place_ranker.FEATURES`; a candidate is a positive when it lies within 25 km of ACLED's
point (or, when none does, when it is the nearest within 161 km). A logistic regression over the
standardised features and their pairwise products is fitted; the file stores only the feature names,
means, scales and weights
(no note text). With ``--cv K`` the rows are split into K folds, the ranker is fitted on K-1 and
chooses on the held-out fold, and the script prints location acc@25 km / acc@161 km over all rows,
before (the sentence rules) and after (the ranker). ``--cache FILE`` keeps the collected candidates
(pickle, outside the repository) to refit without re-reading. Use ``train.csv`` only: ``dev.csv`` is
for validation.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from geomap import place_ranker
from geomap.events import event_to_json
from geomap.gazetteer import load_gazetteer
from geomap.geo import haversine_km
from geomap.nlp import load_pipeline
from geomap.pipeline import ACLED_LINK_PLACES, ACLED_SKIP_PIPES, acled_documents, process_documents, read_acled_csv

NEAR_KM = 25.0
FAR_KM = 161.0


def collect(path: Path, *, hint: bool, fast: bool) -> list[dict[str, Any]]:
    """Read every row and return, per row, gold point, the rules' point and the main event's candidates."""
    rows = read_acled_csv(path)
    gazetteer = load_gazetteer()
    nlp = False if fast else load_pipeline()
    place_ranker.COLLECT = []
    out: list[dict[str, Any]] = []
    try:
        docs = acled_documents(rows, str(path), country_hint=hint)
        for row, result in zip(
            rows,
            process_documents(docs, gazetteer, nlp=nlp, skip_pipes=ACLED_SKIP_PIPES, link_places=ACLED_LINK_PLACES),
            strict=True,
        ):
            events = [event_to_json(e) for e in result.events]
            scored = next((e for e in events if e["primary"]), events[0] if events else None)
            found = [c for c in place_ranker.COLLECT if c["doc_id"] == row["event_id_cnty"]]
            place_ranker.COLLECT.clear()
            out.append(
                {
                    "gold": (float(row["latitude"]), float(row["longitude"])),
                    "rules": (scored["lat"], scored["lon"]) if scored and scored["lat"] is not None else None,
                    "group": found[0] if found else None,
                }
            )
    finally:
        place_ranker.COLLECT = None
    return out


def _dist(a: tuple[float, float] | None, b: tuple[float, float]) -> float:
    return float("inf") if a is None else haversine_km(a[0], a[1], b[0], b[1])


def labels(group: dict[str, Any], gold: tuple[float, float]) -> list[int] | None:
    """Mark the candidates within 25 km of gold, else the nearest within 161 km; None when none is near."""
    dists = [_dist(p, gold) for p in group["points"]]
    if any(d <= NEAR_KM for d in dists):
        return [int(d <= NEAR_KM) for d in dists]
    best = min(dists)
    if best > FAR_KM:
        return None
    return [int(d == best) for d in dists]


def fit(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Fit standardised logistic-regression weights on the records' candidate groups."""
    from sklearn.linear_model import LogisticRegression

    x_rows, y = [], []
    for rec in records:
        if rec["group"] is None:
            continue
        marks = labels(rec["group"], rec["gold"])
        if marks is None or all(marks) or not any(marks):
            continue  # nothing to learn: no candidate near, or every one is
        x_rows.extend(rec["group"]["rows"])
        y.extend(marks)
    x = np.asarray(x_rows, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    q = place_ranker.expand((x - mean) / scale)
    mean2, scale2 = q.mean(axis=0), q.std(axis=0)
    scale2[scale2 == 0] = 1.0
    model = LogisticRegression(C=0.1, max_iter=3000)
    model.fit((q - mean2) / scale2, np.asarray(y))
    return {
        "features": list(place_ranker.FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "mean2": [round(float(v), 6) for v in mean2],
        "scale2": [round(float(v), 6) for v in scale2],
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "trained_on": f"{len(y)} candidates of ACLED rows (train.csv); ACLED data (acleddata.com), no text stored",
    }


def _model(raw: dict[str, Any]) -> place_ranker.RankerModel:
    return place_ranker.RankerModel(raw["weights"], raw["mean"], raw["scale"], raw["mean2"], raw["scale2"])


def point_of(rec: dict[str, Any], model: place_ranker.RankerModel | None) -> tuple[float, float] | None:
    """Return the scored point of one row: the ranker's choice when it has candidates, else the rules'."""
    group = rec["group"]
    if model is None or group is None:
        return rec["rules"]
    best = place_ranker.choose(model, group["rows"])
    return rec["rules"] if best == group["current"] else group["points"][best]


def accuracy(records: list[dict[str, Any]], points: list[tuple[float, float] | None]) -> tuple[float, float]:
    """Return acc@25 km and acc@161 km over all records."""
    dists = [_dist(p, rec["gold"]) for rec, p in zip(records, points, strict=True)]
    return sum(d <= NEAR_KM for d in dists) / len(dists), sum(d <= FAR_KM for d in dists) / len(dists)


def cross_validate(records: dict[str, list[dict[str, Any]]], mode: str, k: int) -> list[tuple[float, float] | None]:
    """Choose each row's point (read in ``mode``) with a ranker fitted on the other folds of every reading."""
    fold = np.random.default_rng(0).permutation(len(records[mode])) % k
    points: list[tuple[float, float] | None] = [None] * len(records[mode])
    for f in range(k):
        # a held-out row is left out of every reading: the notes are the same
        train = [r for recs in records.values() for r, g in zip(recs, fold, strict=True) if g != f]
        raw = fit(train)
        model = _model(raw)
        for i, rec in enumerate(records[mode]):
            if fold[i] == f:
                points[i] = point_of(rec, model)
    return points


def main() -> None:
    """Collect, cross-validate and/or fit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("acled", type=Path)
    parser.add_argument("--cv", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--no-hint", action="store_true")
    parser.add_argument("--both", action="store_true", help="learn from reads with and without the hint")
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        records = pickle.loads(args.cache.read_bytes())
    else:
        modes = [True, False] if args.both else [not args.no_hint]
        records = {str(h): collect(args.acled, hint=h, fast=args.fast) for h in modes}
        if args.cache:
            args.cache.write_bytes(pickle.dumps(records))
    for mode, recs in records.items():
        label = "with hint" if mode == "True" else "without hint"
        before = accuracy(recs, [r["rules"] for r in recs])
        print(f"{label}: {len(recs)} rows, rules: acc@25km {before[0]:.3f}  acc@161km {before[1]:.3f}")
    if args.cv:
        for mode, recs in records.items():
            label = "with hint" if mode == "True" else "without hint"
            after = accuracy(recs, cross_validate(records, mode, args.cv))
            print(f"{label}: {args.cv}-fold CV, ranker: acc@25km {after[0]:.3f}  acc@161km {after[1]:.3f}")
    if args.out:
        raw = fit([r for recs in records.values() for r in recs])
        args.out.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
        single = sorted(zip(raw["features"], raw["weights"], strict=False), key=lambda p: -abs(p[1]))[:8]
        print(f"wrote {args.out}; largest single-feature weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in single))


if __name__ == "__main__":
    main()
