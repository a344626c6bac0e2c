"""
Benchmark the Dask engine: documents/s with 1 and 2 workers, memory per worker, cluster size for 1M reports a day.

Run: ``.venv/bin/python bench/bench_dask.py [--docs N]`` (default 2,000 synthetic reports of three events each, in
towns of 100,000+ people from the packaged gazetteer). Each run starts a LocalCluster of single-threaded worker
processes, processes the corpus on it (per-document stages) and fuses it as a shuffle by country and run of weeks.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import report, towns

from geomap.dask_engine import connect, fuse_on_dask, process_on_dask
from geomap.gazetteer import load_gazetteer

REPORTS_PER_DAY = 1_000_000


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def run(docs: list, workers: int) -> tuple[float, float, float, int]:
    gazetteer = load_gazetteer()
    with connect(workers=workers) as client:
        client.run(lambda: load_gazetteer().lookup("Osh"))  # warm each worker's gazetteer index
        start = time.perf_counter()
        results = process_on_dask(docs, gazetteer, client=client, partition_size=50)
        processed = time.perf_counter()
        layers = fuse_on_dask(results, client)
        fused = time.perf_counter()
        memory = max(client.run(_rss).values())
    return len(docs) / (processed - start), len(docs) / (fused - start), memory / 1e6, len(layers.events)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2_000)
    args = parser.parse_args()
    names = towns()
    rng = random.Random(7)
    docs = [report(rng, names, i) for i in range(args.docs)]
    rates = {}
    for workers in (1, 2):
        stage_rate, total_rate, memory, events = run(docs, workers)
        rates[workers] = total_rate
        print(
            f"{workers} worker(s): {stage_rate:.0f} documents/s per-document stages, {total_rate:.0f} documents/s "
            f"with fusion; {events:,} fused events; max RSS per worker {memory:.0f} MB"
        )
    per_worker = rates[1]
    needed = REPORTS_PER_DAY / 86_400
    print(
        f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x. 1M reports/day = {needed:.1f} documents/s sustained: "
        f"{math.ceil(needed / per_worker)} worker(s) at the 1-worker rate, "
        f"{math.ceil(2 * needed / per_worker)} with 2x headroom for peaks"
    )


if __name__ == "__main__":
    main()
