"""
The long fuzzing profile: the properties of tests/test_fuzz.py over many inputs (default 5,000 each,
20,000 in all), with a wall-clock limit per run to catch hangs.

    python bench/fuzz.py [--examples 5000] [--timeout 7200]

Prints, per property, the number of inputs, failures (uncaught exceptions) and time; exit status 1
when any property failed or the run timed out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPERTIES = [
    "test_fuzz_documents_give_events_or_a_clear_error",
    "test_fuzz_jsonl_lines_are_read_or_reported",
    "test_fuzz_sidecars",
    "test_fuzz_acled_rows",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=5000, help="inputs per property")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per property before it counts as a hang")
    args = ap.parse_args()
    env = {**os.environ, "GEOMAP_FUZZ_EXAMPLES": str(args.examples)}
    failed = False
    total = 0
    for name in PROPERTIES:
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"tests/test_fuzz.py::{name}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
            outcome = "ok" if proc.returncode == 0 else "FAILED"
        except subprocess.TimeoutExpired:
            outcome = "HANG"
            proc = None
        seconds = time.perf_counter() - start
        failed |= outcome != "ok"
        total += args.examples
        print(f"{name:<52} {args.examples:>6} inputs  {outcome:<6} {seconds:8.1f} s", flush=True)
        if proc is not None and proc.returncode != 0:
            print(proc.stdout[-3000:])
    print(f"{total} inputs in all; {'failures' if failed else '0 uncaught exceptions, 0 hangs'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
