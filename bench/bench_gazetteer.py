"""
Benchmark the offline gazetteer: cold start of the CLI, warm lookups, memory.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_gazetteer.py``).
Targets (issue 2): cold start <= 1.0 s, warm lookup median <= 50 us, RSS <= 300 MB.
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from geomap.gazetteer import load_gazetteer
from geomap.names import normalize_name

ROOT = Path(__file__).resolve().parent.parent


def cold_start(runs: int = 7) -> list[float]:
    """Time `geomap geocode Osh` from process start to answer (index already built)."""
    subprocess.run([sys.executable, "-m", "geomap", "data", "index"], check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "geomap", "geocode", "Osh", "--limit", "1"], capture_output=True, check=True
        )
        times.append(time.perf_counter() - start)
        assert b"1527534" in proc.stdout
    return times


def warm_lookups(n: int = 20000) -> tuple[list[float], list[float]]:
    """Time lookups of real names: repeated ones (cache hits) and distinct ones."""
    gaz = load_gazetteer()
    gaz.lookup("Osh")
    con = gaz._con  # benchmark only: sample real names from the index
    names = [r[0] for r in con.execute("SELECT name FROM places ORDER BY id").fetchall()]
    rng = random.Random(7)
    sample = rng.sample(names, n)
    distinct = []
    for name in sample:
        start = time.perf_counter()
        gaz.lookup(name)
        distinct.append(time.perf_counter() - start)
    repeated = []
    for name in sample[:2000] * 5:
        start = time.perf_counter()
        gaz.lookup(name)
        repeated.append(time.perf_counter() - start)
    _ = gaz.countries, gaz.admin1_places, gaz.demonyms, normalize_name("x")
    return distinct, repeated[2000:]


def main() -> None:
    """Print the figures."""
    cold = cold_start()
    distinct, repeated = warm_lookups()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"cold start `geomap geocode Osh`: median {statistics.median(cold):.3f} s  (min {min(cold):.3f}, n={len(cold)})"
    )
    print(
        f"lookup, distinct real names:    median {statistics.median(distinct) * 1e6:.1f} us  "
        f"p95 {sorted(distinct)[int(0.95 * len(distinct))] * 1e6:.1f} us  (n={len(distinct)})"
    )
    print(f"lookup, repeated names (warm):  median {statistics.median(repeated) * 1e6:.1f} us  (n={len(repeated)})")
    print(f"peak RSS of the lookup process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
