"""
Score the event-type model on an ACLED CSV: accuracy and event_type confusion matrices.

Run: ``.venv/bin/python bench/bench_event_type.py [ACLED.csv]`` (default ../shared/eval/acled/dev.csv, read in
place). Prints two matrices (rows: ACLED, columns: prediction): the model on each whole note
(:func:`geomap.event_type.classify`) and the full extraction (``geomap extract``'s primary event), plus the
accuracies of both and the rows per second of the model alone.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from geomap.evaluation import format_events, score_events
from geomap.event_type import EVENT_TYPE_OF, classify
from geomap.events import event_to_json
from geomap.gazetteer import load_gazetteer
from geomap.pipeline import acled_documents, process_document, read_acled_csv

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "acled" / "dev.csv"
TYPES = list(dict.fromkeys(EVENT_TYPE_OF.values()))
SHORT = {t: "".join(w[0] for w in t.replace("/", " ").split()) for t in TYPES}


def print_matrix(title: str, pairs: list[tuple[str, str]]) -> None:
    counts = Counter(pairs)
    print(title)
    print(" " * 28 + "".join(f"{SHORT[t]:>6}" for t in TYPES) + "   acc")
    for gold in TYPES:
        row = [counts[gold, p] for p in TYPES]
        total = sum(row) + sum(v for (g, p), v in counts.items() if g == gold and p not in TYPES)
        print(f"  {gold:<26}" + "".join(f"{v:>6}" for v in row) + f"  {row[TYPES.index(gold)] / max(total, 1):.3f}")
    print("  columns: " + ", ".join(f"{SHORT[t]} = {t}" for t in TYPES))


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rows = list(read_acled_csv(path))
    start = time.perf_counter()
    typed = [classify(row["notes"]) for row in rows]
    elapsed = time.perf_counter() - start
    pairs = [(row["event_type"], t[0]) for row, t in zip(rows, typed, strict=True)]
    et = sum(g == p for g, p in pairs) / len(rows)
    sub = sum(row["sub_event_type"] == t[1] for row, t in zip(rows, typed, strict=True)) / len(rows)
    print(
        f"model on whole notes ({len(rows)} rows, {len(rows) / elapsed:.0f} rows/s): event_type {et:.3f}  "
        f"sub_event_type {sub:.3f}"
    )
    print_matrix("event_type confusion, model on whole notes (rows: ACLED, columns: prediction)", pairs)
    gazetteer = load_gazetteer()
    events = []
    for doc in acled_documents(rows, str(path)):
        result = process_document(doc, gazetteer)
        events.extend(event_to_json(e, doc.published) for e in result.events)
    scores = score_events(rows, events)
    print()
    print(format_events(scores, confusion=True))


if __name__ == "__main__":
    main()
