"""
Fit the resolver's candidate scorer on the geoparsing development corpora.

Run: ``.venv/bin/python scripts/fit_resolver.py [CORPUS.jsonl ...] [-o data/resolver.json] [--fast]``.
Default corpora: ../shared/eval/geoparse/{geowebnews,trnews,geovirus}.jsonl, read in place.

Every gold toponym with coordinates is resolved in ``--gold-spans`` mode (the text's other
places as context, as at run time); its candidates are labelled: the one with the gold
GeoNames id, else the nearest within 161 km of the gold point (a country rather than its
capital when the gold point is the capital: Wikipedia's convention). Two conditional
logistic regressions (a softmax over each name's candidates; scipy, ``fit`` extra) are
fitted: round one on the features that need no confident places, round two on all of them
with round one's choices as the story's anchors. Their weights go to a small JSON file;
run time needs numpy only. Deterministic: same corpora,
same file. Leave-one-corpus-out: fit on two corpora, then
``GEOMAP_RESOLVER=model.json geomap eval geoparse THIRD.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from geomap.gazetteer import load_gazetteer
from geomap.geo import haversine_km
from geomap.geoparse import mentions_with_context
from geomap.ingest import read_documents
from geomap.resolve import resolve_mentions
from geomap.resolver_model import FEATURES, FIRST_ROUND_ZERO, ResolverModel

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geoparse"
CORPORA = ("geowebnews", "trnews", "geovirus")
C_REGULARISATION = 1.0


def _labels(
    doc_gold: dict[tuple[int, int], dict[str, Any]], mentions: list[Any], idx: list[int], cands: list[Any]
) -> int:
    """Return the index of the right candidate for a name, or -1 (no gold, or no candidate is right)."""
    for i in idx:
        gold = doc_gold.get((mentions[i].start_char, mentions[i].end_char))
        if gold is None or gold.get("lat") is None:
            continue
        gid = gold.get("geonameid")
        for k, cand in enumerate(cands):
            if gid is not None and cand.place.geonameid == gid:
                return k
        dists = [haversine_km(gold["lat"], gold["lon"], c.place.lat, c.place.lon) for c in cands]
        best = int(np.argmin(dists))
        if dists[best] > 161.0:
            return -1
        if cands[best].place.feature == "P.PPLC":
            # Wikipedia-sourced gold puts a country at its capital: the country itself is meant.
            for k, cand in enumerate(cands):
                if cand.place.is_country and cand.place.country_code == cands[best].place.country_code:
                    return k
        return best
    return -1


def collect(paths: list[Path], model: ResolverModel, nlp: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return round-one features, round-two features, labels and name ids of every labelled candidate."""
    gazetteer = load_gazetteer()
    x1: list[np.ndarray] = []
    x2: list[np.ndarray] = []
    y: list[np.ndarray] = []
    names: list[np.ndarray] = []
    for path in paths:
        for doc in read_documents(path):
            toponyms = doc.extra.get("toponyms") or []
            doc_gold = {(int(t["start"]), int(t["end"])): t for t in toponyms}
            mentions, _ = mentions_with_context(doc, gazetteer, list(doc_gold), nlp=nlp)
            country = gazetteer.country_code(doc.country) if doc.country else ""
            rows: list[tuple[list[int], list[Any], np.ndarray, np.ndarray]] = []
            resolve_mentions(mentions, doc.text, gazetteer, country=country, model=model, collect=rows)
            for idx, cands, f1, f2 in rows:
                right = _labels(doc_gold, mentions, idx, cands)
                if right < 0 or len(cands) < 2:
                    continue  # nothing to learn: unlabelled, unreachable or unambiguous
                label = np.zeros(len(cands))
                label[right] = 1.0
                x1.append(f1)
                x2.append(f2)
                y.append(label)
                names.append(np.full(len(cands), len(names)))
    return np.vstack(x1), np.vstack(x2), np.concatenate(y), np.concatenate(names)


def fit(x: np.ndarray, y: np.ndarray, names: np.ndarray, c: float = C_REGULARISATION) -> tuple[list[float], float]:
    """
    Fit a conditional logistic regression: a softmax over each name's candidates.

    The right candidate of each name should have the highest logit among that name's
    candidates; an L2 penalty (``1 / C_REGULARISATION``) keeps weights small. The
    intercept cancels in a softmax within a name; it is kept at 0.
    """
    from scipy.optimize import minimize

    starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    right = np.flatnonzero(y > 0)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        zmax = np.maximum.reduceat(z, starts)
        expz = np.exp(z - np.repeat(zmax, np.diff(np.r_[starts, len(z)])))
        sums = np.add.reduceat(expz, starts)
        logsum = np.log(sums) + zmax
        nll = float(logsum.sum() - z[right].sum())
        p = expz / np.repeat(sums, np.diff(np.r_[starts, len(z)]))
        grad = x.T @ p - x[right].sum(axis=0)
        penalty = 0.5 / c
        return nll + penalty * float(w @ w), grad + 2 * penalty * w

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return [round(float(w), 5) for w in result.x], 0.0


def main(argv: list[str] | None = None) -> int:
    """Fit and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "resolver.json"
    )
    parser.add_argument("--fast", action="store_true", help="recognise context places without spaCy")
    parser.add_argument("--c", type=float, default=C_REGULARISATION, help="inverse L2 strength (default 1)")
    args = parser.parse_args(argv)
    paths = args.corpora or [SHARED / f"{name}.jsonl" for name in CORPORA]
    nlp = None
    if not args.fast:
        from geomap.ner import load_ner

        nlp = load_ner()
    n = len(FEATURES)
    zero = ResolverModel(first=np.zeros(n), first_bias=0.0, second=np.zeros(n), second_bias=0.0)
    x1, _, y, names = collect(paths, zero, nlp)
    mask = np.array([name not in FIRST_ROUND_ZERO for name in FEATURES])
    w1, b1 = fit(x1[:, mask], y, names, args.c)
    first = np.zeros(n)
    first[mask] = w1
    round_one = ResolverModel(first=first, first_bias=b1, second=first, second_bias=b1)
    _, x2, y2, names2 = collect(paths, round_one, nlp)
    w2, b2 = fit(x2, y2, names2, args.c)
    out = {
        "about": "geomap resolver candidate scorer; written by scripts/fit_resolver.py, do not edit",
        "corpora": [p.name for p in paths],
        "candidates": len(y2),
        "features": list(FEATURES),
        "first": {"coef": [round(float(w), 5) for w in first], "intercept": b1},
        "second": {"coef": w2, "intercept": b2},
    }
    args.output.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(
        f"fitted on {len(y2)} candidates of {int(y2.sum())} names from {', '.join(p.name for p in paths)}",
        file=sys.stderr,
    )
    for name, w in sorted(zip(FEATURES, w2, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:<26} {w:+.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
