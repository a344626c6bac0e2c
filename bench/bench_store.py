"""
Benchmark the event store: time to add one report to a store of 10,000 fused events.

Run: ``.venv/bin/python bench/bench_store.py [N_EVENTS] [--store PATH]``. Synthetic reports (three events
each, in towns of 100,000+ people drawn from the packaged gazetteer, dates over two years) are processed
by the real pipeline and added until the store holds N_EVENTS (default 10,000) fused events; then five
new reports are added one at a time and the median wall time of one add (pipeline excluded, and
included) is printed. Budget: 1 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import random
import statistics
import tempfile
import time
from pathlib import Path

from geomap.gazetteer import load_gazetteer
from geomap.ingest import Document
from geomap.pipeline import process_document
from geomap.store import add_results

DATA = Path(__file__).resolve().parents[1] / "data" / "gazetteer.tsv.gz"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def towns() -> list[str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        names = [
            r["name"]
            for r in rows
            if r["feature"].startswith("P.PPL") and int(r["population"] or 0) >= 100_000 and r["name"].isascii()
        ]
    return sorted(set(names))


def report(rng: random.Random, names: list[str], number: int) -> Document:
    published = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(730))
    day = WEEKDAYS[(published - dt.timedelta(days=1)).weekday()]
    a, b, c = rng.sample(names, 3)
    text = (
        f"Clashes in {a} on {day} killed {rng.randint(2, 60)} people, police said.\n\n"
        f"Hundreds of protesters marched in {b} on {day}.\n\n"
        f"The authorities imposed a curfew on {c} on {day}."
    )
    return Document(doc_id=f"synthetic-{number}", text=text, published=published, extra={"outlet": "Bench Wire"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("events", nargs="?", type=int, default=10_000)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    gazetteer = load_gazetteer()
    names = towns()
    rng = random.Random(11)
    folder = tempfile.TemporaryDirectory()
    store = args.store or Path(folder.name) / "bench.gpkg"
    number = 0
    start = time.perf_counter()
    total = 0
    while total < args.events:
        batch = [process_document(report(rng, names, number + i), gazetteer) for i in range(200)]
        number += len(batch)
        total = add_results(store, batch).events
    print(f"built a store of {total:,} events from {number:,} reports in {time.perf_counter() - start:.1f} s")
    adds, with_pipeline = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        result = process_document(report(rng, names, number), gazetteer)
        t1 = time.perf_counter()
        summary = add_results(store, [result])
        t2 = time.perf_counter()
        number += 1
        adds.append(t2 - t1)
        with_pipeline.append(t2 - t0)
    print(
        f"add one report to {summary.events:,} events: median {statistics.median(adds) * 1000:.0f} ms "
        f"(max {max(adds) * 1000:.0f} ms); with the pipeline {statistics.median(with_pipeline) * 1000:.0f} ms; "
        f"store {store.stat().st_size / 1e6:.1f} MB; budget 1 s"
    )
    folder.cleanup()


if __name__ == "__main__":
    main()
