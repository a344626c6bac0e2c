"""
Benchmark ``geomap eval events``: ACLED rows per second, with the spaCy pipeline and in --fast mode.

Run: ``.venv/bin/python bench/bench_acled.py [ACLED.csv] [--fast] [--profile [--dump]]`` (default
../shared/eval/acled/dev.csv, read in place). Model loading is timed apart; rows/s counts the
extraction loop only, over CPU time of this process (the machine may be shared) and over wall time.
The rows are read as ``geomap eval events`` reads them (no NER, no linker: ``geomap.pipeline.ACLED_*``).
``--dump`` also writes the profile to /tmp/acled.prof (``python -m pstats``).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from pathlib import Path

from geomap.gazetteer import load_gazetteer
from geomap.nlp import load_pipeline
from geomap.pipeline import ACLED_LINK_PLACES, ACLED_SKIP_PIPES, acled_documents, process_documents, read_acled_csv

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "acled" / "dev.csv"


def main() -> None:
    """Print load time and rows per second (CPU and wall) of the extraction loop."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    fast = "--fast" in sys.argv
    path = Path(args[0]) if args else DEFAULT
    rows = read_acled_csv(path)
    docs = list(acled_documents(rows, str(path), country_hint=True))
    start = time.perf_counter()
    gazetteer = load_gazetteer()
    nlp = False if fast else load_pipeline()
    print(f"load {time.perf_counter() - start:.2f} s")
    profiler = cProfile.Profile() if "--profile" in sys.argv else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    events = sum(
        len(r.events)
        for r in process_documents(docs, gazetteer, nlp=nlp, skip_pipes=ACLED_SKIP_PIPES, link_places=ACLED_LINK_PLACES)
    )
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    mode = "--fast" if fast else "spaCy"
    print(f"{len(docs)} rows, {events} events ({mode}): {len(docs) / cpu:.0f} rows/s CPU, {len(docs) / wall:.0f} wall")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        if "--dump" in sys.argv:
            profiler.dump_stats("/tmp/acled.prof")


if __name__ == "__main__":
    main()
