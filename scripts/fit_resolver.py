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
same file. Leave-one-corpus-out: ``--loco`` fits on all corpora but one and scores that one
(gold-spans same place and acc@161, end-to-end recognition F1 and same place), for each;
the same figures come from fitting on two corpora, then
``GEOMAP_RESOLVER=model.json geomap eval geoparse THIRD.jsonl [--gold-spans]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geomap.evaluation import score_geoparse
from geomap.focus import with_feed_focus
from geomap.gazetteer import load_gazetteer
from geomap.geo import haversine_km
from geomap.geoparse import mentions_with_context, recognise_with_entities, resolution_to_json
from geomap.ingest import Document, read_documents
from geomap.resolve import resolve_mentions
from geomap.resolver_model import FEATURES, FIRST_ROUND_ZERO, ResolverModel
from geomap.toponyms import Mention, extract_mentions

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geoparse"
CORPORA = ("geowebnews", "trnews", "geovirus")
C_REGULARISATION = 1.0
PRIOR_FEATURES = frozenset({"prior_country", "prior_admin1"})
"""The region hint / feed focus features (geomap.focus)."""
RECOGNITION_SOURCES = ("geomap/toponyms.py", "geomap/ner.py", "geomap/names.py", "geomap/gazetteer.py", "data/*.tsv*")
"""What the recognised places depend on (the cache key of ``--cache``)."""


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


@dataclass(frozen=True, slots=True)
class _Corpus:
    """One development corpus read once: its documents and the places recognised in each."""

    name: str
    docs: list[Document]
    found: list[list[Mention]]


def _source_hash(paths: list[Path]) -> str:
    """Hash the recognition code and data, so a cache of recognised places goes stale with them."""
    digest = hashlib.sha1()
    root = Path(__file__).resolve().parents[1]
    for rel in RECOGNITION_SOURCES:
        for path in sorted(root.glob(rel)):
            digest.update(path.read_bytes())
    for path in paths:
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def read_corpora(paths: list[Path], nlp: Any, cache: Path | None = None) -> list[_Corpus]:
    """
    Read the corpora and recognise each document's places once (NER is the slow part).

    With ``cache`` (a folder), the recognised places are pickled there under a hash of the
    recognition code, so refits that change only the resolver skip recognition.
    """
    gazetteer = load_gazetteer()
    corpora = []
    for path in paths:
        docs = list(read_documents(path))
        pickled = None
        if cache is not None:
            mode = "ner" if nlp is not None else "fast"
            pickled = cache / f"{path.stem}-{mode}-{_source_hash([path])}.pickle"
        if pickled is not None and pickled.exists():
            found = pickle.loads(pickled.read_bytes())
        else:
            found = [
                recognise_with_entities(doc, gazetteer, nlp=nlp)
                if nlp is not None
                else extract_mentions(doc.text, gazetteer, doc_id=doc.doc_id)
                for doc in docs
            ]
            if pickled is not None:
                pickled.parent.mkdir(parents=True, exist_ok=True)
                pickled.write_bytes(pickle.dumps(found))
        corpora.append(_Corpus(path.stem, docs, found))
    return corpora


def _gold_of(doc: Document) -> dict[tuple[int, int], dict[str, Any]]:
    return {(int(t["start"]), int(t["end"])): t for t in doc.extra.get("toponyms") or []}


def collect(corpora: list[_Corpus], model: ResolverModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return round-one features, round-two features, labels and name ids of every labelled candidate."""
    gazetteer = load_gazetteer()
    x1: list[np.ndarray] = []
    x2: list[np.ndarray] = []
    y: list[np.ndarray] = []
    names: list[np.ndarray] = []
    for corpus in corpora:
        for doc, found in zip(corpus.docs, corpus.found, strict=True):
            doc_gold = _gold_of(doc)
            mentions, _ = mentions_with_context(doc, gazetteer, list(doc_gold), found=found)
            country = gazetteer.country_code(doc.country) if doc.country else ""
            rows: list[tuple[list[int], list[Any], np.ndarray, np.ndarray]] = []
            resolve_mentions(mentions, doc.text, gazetteer, country=country, model=model, prior=doc.prior, collect=rows)
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


def fit(
    x: np.ndarray, y: np.ndarray, names: np.ndarray, c: float = C_REGULARISATION, offset: np.ndarray | None = None
) -> tuple[list[float], float]:
    """
    Fit a conditional logistic regression: a softmax over each name's candidates.

    The right candidate of each name should have the highest logit among that name's
    candidates; an L2 penalty (``1 / C_REGULARISATION``) keeps weights small. The
    intercept cancels in a softmax within a name; it is kept at 0. ``offset`` (one logit per
    candidate from weights already fitted) is added to ``x @ w``: the new weights fit on top.
    """
    from scipy.optimize import minimize

    starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    right = np.flatnonzero(y > 0)

    base = np.zeros(len(y)) if offset is None else offset

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w + base
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


def _fit_rounds(
    corpora: list[_Corpus], c: float, *, skip: frozenset[str] = frozenset()
) -> tuple[ResolverModel, int, int]:
    """Fit round one, then round two with round one's anchors; features in ``skip`` keep weight 0."""
    n = len(FEATURES)
    zero = ResolverModel(first=np.zeros(n), first_bias=0.0, second=np.zeros(n), second_bias=0.0)
    x1, _, y, names = collect(corpora, zero)
    mask = np.array([name not in FIRST_ROUND_ZERO and name not in skip for name in FEATURES])
    w1, b1 = fit(x1[:, mask], y, names, c)
    first = np.zeros(n)
    first[mask] = w1
    round_one = ResolverModel(first=first, first_bias=b1, second=first, second_bias=b1)
    _, x2, y2, names2 = collect(corpora, round_one)
    mask2 = np.array([name not in skip for name in FEATURES])
    w2, b2 = fit(x2[:, mask2], y2, names2, c)
    second = np.zeros(n)
    second[mask2] = w2
    model = ResolverModel(first=first, first_bias=b1, second=second, second_bias=b2)
    return model, len(y2), int(y2.sum())


def with_focus(corpus: _Corpus, model: ResolverModel) -> _Corpus:
    """Give the corpus's documents their feed focus (the corpus is one feed), read with ``model``."""
    docs = list(with_feed_focus(corpus.docs, load_gazetteer(), model=model))
    return _Corpus(corpus.name, docs, corpus.found)


def fit_model(corpora: list[_Corpus], c: float = C_REGULARISATION) -> tuple[ResolverModel, int, int]:
    """
    Fit the model; return it, the number of candidates and of names.

    First the resolver proper, on every feature but the feed focus's (:data:`PRIOR_FEATURES`);
    then each corpus (one feed) gets its focus, read with that model, and the two focus
    weights are fitted on top of it, the other weights held fixed (so a feed focus adds to
    the text's evidence and never reshapes it).
    """
    plain, n_candidates, n_names = _fit_rounds(corpora, c, skip=PRIOR_FEATURES)
    focused = [with_focus(cp, plain) for cp in corpora]
    cols = np.array([name in PRIOR_FEATURES for name in FEATURES])
    x1, x2, y, names = collect(focused, plain)
    first = plain.first.copy()
    second = plain.second.copy()
    w1, _ = fit(x1[:, cols], y, names, c, offset=x1[:, ~cols] @ plain.first[~cols])
    w2, _ = fit(x2[:, cols], y, names, c, offset=x2[:, ~cols] @ plain.second[~cols])
    first[cols] = w1
    second[cols] = w2
    model = ResolverModel(first=first, first_bias=plain.first_bias, second=second, second_bias=plain.second_bias)
    return model, n_candidates, n_names


def predict(corpus: _Corpus, model: ResolverModel, *, gold_spans: bool) -> list[dict[str, Any]]:
    """Geoparse a corpus with the recognised places already found, as ``geomap geoparse`` does."""
    gazetteer = load_gazetteer()
    out = []
    for doc, found in zip(corpus.docs, corpus.found, strict=True):
        country = gazetteer.country_code(doc.country) if doc.country else ""
        if gold_spans:
            mentions, wanted = mentions_with_context(doc, gazetteer, list(_gold_of(doc)), found=found)
        else:
            mentions, wanted = list(found), {(m.start_char, m.end_char) for m in found}
        resolutions = resolve_mentions(mentions, doc.text, gazetteer, country=country, model=model, prior=doc.prior)
        toponyms = [resolution_to_json(r) for r in resolutions if (r.mention.start_char, r.mention.end_char) in wanted]
        out.append({"id": doc.doc_id, "toponyms": toponyms})
    return out


def leave_one_corpus_out(corpora: list[_Corpus], c: float, *, no_feed: bool = False) -> None:
    """Fit on all corpora but one, score that one, for each; print one line per corpus."""
    print(
        f"{'held out':<12} {'gold-spans same place':>22} {'acc@161':>8} {'of pairs':>8} "
        f"{'e2e P':>6} {'e2e R':>6} {'e2e F1':>7} {'e2e same place':>15}",
        file=sys.stderr,
    )
    for k, held in enumerate(corpora):
        model, _, _ = fit_model([cp for j, cp in enumerate(corpora) if j != k], c)
        # As at run time, the held-out corpus (one feed) learns its own focus with the fitted model.
        scored = held if no_feed else with_focus(held, model)
        gold = [{"id": d.doc_id, "toponyms": d.extra.get("toponyms") or []} for d in scored.docs]
        spans = score_geoparse(gold, predict(scored, model, gold_spans=True), gold_spans=True)
        e2e = score_geoparse(gold, predict(scored, model, gold_spans=False))
        exact = e2e.exact
        p, r, f1 = (exact.precision, exact.recall, exact.f1) if exact else (None, None, None)
        print(
            f"{held.name:<12} {_fmt(spans.end_to_end_acc_at_161_or_id):>22} {_fmt(spans.end_to_end_acc_at_161):>8} "
            f"{_fmt(spans.acc_at_161):>8} "
            f"{_fmt(p):>6} {_fmt(r):>6} {_fmt(f1):>7} {_fmt(e2e.end_to_end_acc_at_161_or_id):>15}",
            file=sys.stderr,
        )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Fit and write the model file, or print leave-one-corpus-out figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "resolver.json"
    )
    parser.add_argument("--fast", action="store_true", help="recognise context places without spaCy")
    parser.add_argument("--c", type=float, default=C_REGULARISATION, help="inverse L2 strength (default 1)")
    parser.add_argument(
        "--loco", action="store_true", help="print leave-one-corpus-out figures instead of writing a model"
    )
    parser.add_argument("--cache", type=Path, help="folder caching the recognised places between runs")
    parser.add_argument(
        "--no-feed-focus", action="store_true", help="with --loco: score the held-out corpus without its feed focus"
    )
    args = parser.parse_args(argv)
    paths = args.corpora or [SHARED / f"{name}.jsonl" for name in CORPORA]
    nlp = None
    if not args.fast:
        from geomap.ner import load_ner

        nlp = load_ner()
    corpora = read_corpora(paths, nlp, args.cache)
    if args.loco:
        leave_one_corpus_out(corpora, args.c, no_feed=args.no_feed_focus)
        return 0
    model, n_candidates, n_names = fit_model(corpora, args.c)
    out = {
        "about": "geomap resolver candidate scorer; written by scripts/fit_resolver.py, do not edit",
        "corpora": [p.name for p in paths],
        "candidates": n_candidates,
        "features": list(FEATURES),
        "first": {"coef": [round(float(w), 5) for w in model.first], "intercept": model.first_bias},
        "second": {"coef": [round(float(w), 5) for w in model.second], "intercept": model.second_bias},
    }
    args.output.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(
        f"fitted on {n_candidates} candidates of {n_names} names from {', '.join(p.name for p in paths)}",
        file=sys.stderr,
    )
    for name, w in sorted(zip(FEATURES, model.second, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:<26} {w:+.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
