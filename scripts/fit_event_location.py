"""
Fit the event → place linker on event_geo records and write ``data/event_location.json``.

Usage::

    python scripts/fit_event_location.py ../shared/eval/event_geo/train.jsonl [-o data/event_location.json] [--cv 5]

The fit is deterministic (folds from a CRC-32 of the sentence, liblinear with a
fixed seed, weights rounded to six decimals): a rerun writes identical bytes.
Needs scikit-learn (``pip install 'geomap[fit]'``) and the spaCy model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from geomap.evaluation import format_event_location, score_event_location
from geomap.event_location import MODEL_FILE
from geomap.event_location_fit import DEFAULT_C, build_examples, cross_validate, fit_linker
from geomap.nlp import DEFAULT_MODEL, load_pipeline


def main() -> int:
    """Fit, optionally cross-validate, and write the model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path, help="event_geo train.jsonl (Halterman 2019)")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parent.parent / "data" / MODEL_FILE
    )
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="also report K-fold cross-validated figures")
    parser.add_argument("-C", type=float, default=DEFAULT_C, help="inverse L2 regularisation strength")
    args = parser.parse_args()

    raw = args.train.read_bytes()
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    examples = build_examples(records, load_pipeline())
    n_gold = sum(len(ex.gold) for ex in examples)
    n_reachable = sum(1 for ex in examples for gs, ge in ex.gold if any(s < ge and gs < e for s, e in ex.spans))
    ceiling = n_reachable / n_gold if n_gold else 0.0
    print(f"candidate recall (ceiling): {n_reachable}/{n_gold} gold spans = {ceiling:.3f}", file=sys.stderr)
    meta: dict[str, object] = {
        "data": "event_geo train.jsonl, Halterman (2019), "
        f"{len(records)} records, sha1 {hashlib.sha1(raw).hexdigest()[:12]}",
        "spacy_model": DEFAULT_MODEL,
        "C": args.C,
    }
    if args.cv:
        spans = cross_validate(examples, args.cv, c=args.C)
        predicted = [
            {"id": r.get("id"), "event_locations": [{"start": s, "end": e} for s, e in row]}
            for r, row in zip(records, spans, strict=True)
        ]
        scores = score_event_location(records, predicted)
        print(format_event_location(scores, title=f"{args.cv}-fold cross-validation"), file=sys.stderr)
    model = fit_linker(examples, c=args.C, meta=meta)
    args.output.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(model.to_json()['weights'])} weights", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
