"""
Benchmark event extraction: documents per second and what dateparser costs per document.

Run: ``.venv/bin/python bench/bench_events.py [ACLED.csv]`` (default ../shared/eval/acled/dev.csv, read in place).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geomap.attributes as attributes
from geomap.gazetteer import load_gazetteer
from geomap.pipeline import acled_documents, process_document, read_acled_csv

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "acled" / "dev.csv"


def main() -> None:
    """Print throughput and the time spent inside dateparser."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    docs = list(acled_documents(read_acled_csv(path), str(path)))
    gazetteer = load_gazetteer()
    spent = [0.0, 0]
    original = attributes._dateparser.__wrapped__  # time the uncached parser calls

    def timed(expr, base):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(expr, base)
        finally:
            spent[0] += time.perf_counter() - start
            spent[1] += 1

    attributes._dateparser = attributes.lru_cache(maxsize=4096)(timed)
    start = time.perf_counter()
    events = sum(len(process_document(doc, gazetteer).events) for doc in docs)
    elapsed = time.perf_counter() - start
    print(f"{len(docs)} documents, {events} events: {len(docs) / elapsed:.0f} documents/s (geoparse + events)")
    print(
        f"dateparser: {spent[1]} uncached calls, {spent[0]:.2f} s in all, "
        f"{1000 * spent[0] / len(docs):.2f} ms per document, {100 * spent[0] / elapsed:.0f}% of the time"
    )


if __name__ == "__main__":
    main()
