"""
Benchmark the Dask engine: documents/s with 1 and 2 workers, memory per worker, cluster size for 1M reports a day.

Run: ``.venv/bin/python bench/bench_dask.py [--docs N] [--fast] [--no-fusion] [--workers 1 2]``. The corpus:
(default 2,000) synthetic reports of three events each, in towns of 100,000+ people from the packaged gazetteer;
``--fast`` reads them without spaCy, as ``geomap map --fast`` does. Each run starts a LocalCluster of single-threaded
worker processes, processes the corpus on it (per-document stages) and fuses it as a shuffle by country and run of
weeks. Every worker's RSS is sampled every 2 s while the documents are processed: the bench prints it after warm-up,
at its peak and at the end, so growth over the corpus shows.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import report, towns

from geomap.dask_engine import connect, fuse_on_dask, process_on_dask
from geomap.gazetteer import load_gazetteer

REPORTS_PER_DAY = 1_000_000


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _warm(fast: bool) -> None:
    """Open the gazetteer index (and spaCy, unless fast) on a worker, as its first document would."""
    import datetime as dt

    from geomap.ingest import Document
    from geomap.pipeline import process_document

    doc = Document(doc_id="warm", text="Clashes in Osh on Monday killed 3 people.", published=dt.date(2023, 1, 3))
    process_document(doc, load_gazetteer(), False if fast else None)


class _Sampler:
    """Sample every worker's RSS (MB) in a thread while documents are processed."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.samples: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        start = time.perf_counter()
        while not self._stop.wait(2.0):
            self.take()
            if len(self.samples) % 30 == 0:  # every minute, so a long run shows its trend as it goes
                mb = ", ".join(f"{v:.0f}" for v in self.samples[-1].values())
                print(f"  {time.perf_counter() - start:6.0f} s: RSS per worker {mb} MB", file=sys.stderr, flush=True)

    def take(self) -> None:
        self.samples.append({worker: rss / 1e6 for worker, rss in self.client.run(_rss).items()})

    def __enter__(self) -> _Sampler:
        self.take()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.take()

    def summary(self) -> tuple[float, float, float]:
        """Largest worker RSS after warm-up, at its peak, and at the end (MB)."""
        first, last = self.samples[0], self.samples[-1]
        peak = max(mb for sample in self.samples for mb in sample.values())
        return max(first.values()), peak, max(last.values())


def run(docs: list[Any], workers: int, *, fast: bool, fusion: bool) -> dict[str, float]:
    gazetteer = load_gazetteer()
    with connect(workers=workers) as client:
        client.run(_warm, fast)  # each worker opens its gazetteer index (and loads spaCy) before the clock starts
        start = time.perf_counter()
        with _Sampler(client) as sampler:
            results = process_on_dask(docs, gazetteer, client=client, partition_size=50, fast=fast)
        processed = time.perf_counter()
        events = sum(len(r.events) for r in results)
        fused = math.nan
        if fusion:
            layers = fuse_on_dask(results, client)
            fused = len(docs) / (time.perf_counter() - start)
            events = len(layers.events)
    warm, peak, end = sampler.summary()
    return {
        "stage_rate": len(docs) / (processed - start),
        "total_rate": fused,
        "warm": warm,
        "peak": peak,
        "end": end,
        "events": events,
        "client": _rss() / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2_000)
    parser.add_argument("--fast", action="store_true", help="no spaCy at any stage (geomap --fast)")
    parser.add_argument("--no-fusion", dest="fusion", action="store_false", help="time the per-document stages only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes to run (default 1 2)")
    args = parser.parse_args()
    names = towns()
    rng = random.Random(7)
    docs = [report(rng, names, i) for i in range(args.docs)]
    mode = "--fast (no spaCy)" if args.fast else "default (spaCy parse)"
    print(f"{args.docs:,} synthetic reports, {mode}")
    rates = {}
    for workers in args.workers:
        got = run(docs, workers, fast=args.fast, fusion=args.fusion)
        rates[workers] = got["stage_rate"]
        fused = (
            f", {got['total_rate']:.0f} documents/s with fusion ({got['events']:,.0f} fused events)"
            if args.fusion
            else f" ({got['events']:,.0f} events)"
        )
        print(
            f"{workers} worker(s): {got['stage_rate']:.0f} documents/s per-document stages{fused}; "
            f"RSS per worker {got['warm']:.0f} MB after warm-up, peak {got['peak']:.0f} MB, {got['end']:.0f} MB at "
            f"the end; client {got['client']:.0f} MB",
            flush=True,
        )
    if 1 not in rates:
        return
    needed = REPORTS_PER_DAY / 86_400
    ratio = "".join(f"{w} workers / 1 worker: {rates[w] / rates[1]:.2f}x. " for w in rates if w > 1)
    print(
        f"{ratio}1M reports/day = {needed:.1f} documents/s sustained: "
        f"{math.ceil(needed / rates[1])} worker(s) at the 1-worker rate, "
        f"{math.ceil(2 * needed / rates[1])} with 2x headroom for peaks"
    )


if __name__ == "__main__":
    main()
