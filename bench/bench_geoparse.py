"""
Benchmark geoparsing throughput and memory (gazetteer mode, one core).

Run: ``.venv/bin/python bench/bench_geoparse.py [CORPUS.jsonl ...] [--docs N] [--fast]``.
Default corpora: ../shared/eval/geoparse/*.jsonl (read in place, never copied).
Times are CPU seconds of this process (the machine may be shared).
Targets (issue 8): the default mode (spaCy entities veto and confirm names) >= 25 news
articles/s on one core; ``--fast`` (no spaCy) >= 250 articles/s, memory flat over 10k documents.
The feed focus (on by default in the commands) reads every lead once more, the fast way; its
pass is timed apart and the throughputs are given with and without it.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import time
from pathlib import Path

from geomap.focus import with_feed_focus
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
    parser.add_argument("--fast", action="store_true", help="gazetteer mode only (no spaCy), with the memory run")
    args = parser.parse_args()
    paths = args.corpora or sorted(SHARED.glob("*.jsonl"))
    docs = [d for p in paths for d in read_documents(p)]
    gazetteer = load_gazetteer()
    for doc in docs[:20]:  # warm the index pages
        geoparse_document(doc, gazetteer)
    start = time.process_time()
    docs = list(with_feed_focus(docs, gazetteer))
    feed = time.process_time() - start
    print(f"feed focus pass: {len(docs) / feed:.0f} articles/s on one core")
    start = time.process_time()
    for doc in docs:
        geoparse_document(doc, gazetteer)
    elapsed = time.process_time() - start
    chars = sum(len(d.text) for d in docs)
    print(
        f"--fast, one pass over {len(docs)} articles ({chars / len(docs):.0f} chars avg): "
        f"{len(docs) / elapsed:.0f} articles/s on one core, {len(docs) / (elapsed + feed):.0f} with the feed focus"
    )
    if not args.fast:
        from geomap.ner import load_ner

        start = time.process_time()
        nlp = load_ner()
        loaded = time.process_time() - start
        start = time.process_time()
        for doc in docs:
            geoparse_document(doc, gazetteer, nlp=nlp)
        elapsed = time.process_time() - start
        print(
            f"default (spaCy entities): {len(docs) / elapsed:.1f} articles/s on one core, "
            f"{len(docs) / (elapsed + feed):.1f} with the feed focus (model load {loaded:.1f} s)"
        )
        return
    checkpoints = {1000, 2500, 5000, 7500, args.docs}
    start = time.process_time()
    for n, doc in enumerate(itertools.islice(itertools.cycle(docs), args.docs), start=1):
        geoparse_document(doc, gazetteer)
        if n in checkpoints:
            print(f"  after {n:>6} documents: RSS {rss_mb():.0f} MB, {n / (time.process_time() - start):.0f} docs/s")


if __name__ == "__main__":
    main()
