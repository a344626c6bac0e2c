"""
Benchmark geoparsing throughput and memory (gazetteer mode, one core).

Run: ``.venv/bin/python bench/bench_geoparse.py [CORPUS.jsonl ...] [--docs N] [--ner]``.
Default corpora: ../shared/eval/geoparse/*.jsonl (read in place, never copied).
Targets (issue 3): >= 200 news articles/s on one core; memory flat over 10k documents;
with spaCy (``--ner``, needs ``make ner``) >= 15 articles/s.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import time
from pathlib import Path

from geomap.gazetteer import load_gazetteer
from geomap.geoparse import geoparse_document
from geomap.ingest import read_documents

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geoparse"


def rss_mb() -> float:
    """Return the current resident set size in MB (Linux)."""
    with Path("/proc/self/statm").open() as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def main() -> None:
    """Print articles per second, and RSS at checkpoints over many documents."""
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--ner", action="store_true", help="add the spaCy judge (one pass only)")
    args = parser.parse_args()
    paths = args.corpora or sorted(SHARED.glob("*.jsonl"))
    docs = [d for p in paths for d in read_documents(p)]
    gazetteer = load_gazetteer()
    for doc in docs[:20]:  # warm the index pages
        geoparse_document(doc, gazetteer)
    start = time.perf_counter()
    for doc in docs:
        geoparse_document(doc, gazetteer)
    elapsed = time.perf_counter() - start
    chars = sum(len(d.text) for d in docs)
    print(
        f"one pass over {len(docs)} articles ({chars / len(docs):.0f} chars avg): "
        f"{len(docs) / elapsed:.0f} articles/s on one core"
    )
    if args.ner:
        from geomap.ner import load_ner

        start = time.perf_counter()
        nlp = load_ner()
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        for doc in docs:
            geoparse_document(doc, gazetteer, nlp=nlp)
        elapsed = time.perf_counter() - start
        print(f"with spaCy NER: {len(docs) / elapsed:.1f} articles/s on one core (model load {loaded:.1f} s)")
        return
    checkpoints = {1000, 2500, 5000, 7500, args.docs}
    start = time.perf_counter()
    for n, doc in enumerate(itertools.islice(itertools.cycle(docs), args.docs), start=1):
        geoparse_document(doc, gazetteer)
        if n in checkpoints:
            print(f"  after {n:>6} documents: RSS {rss_mb():.0f} MB, {n / (time.perf_counter() - start):.0f} docs/s")


if __name__ == "__main__":
    main()
