"""
Output sets under stress: concurrent runs into one folder and runs killed at random moments.

    python bench/bench_outputs.py [--concurrent 10] [--kills 20] [--seed 0]

Every check runs geomap.atomic.verify_set (which finishes an interrupted commit first, as the next
run would) and reads the files back; prints how many sets were corrupt or mixed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyogrio

from geomap.atomic import verify_set

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "osh-2010-06-12.txt"
BASE = SEED.stem


def run_map(out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "geomap", "map", str(SEED), "-o", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )


def readable(out: Path) -> bool:
    try:
        json.loads((out / f"{BASE}.geojson").read_text(encoding="utf-8"))
        pyogrio.read_dataframe(out / f"{BASE}.gpkg", layer="events")
        return (out / f"{BASE}.png").read_bytes()[:4] == b"\x89PNG" and (out / f"{BASE}.html").read_text(
            encoding="utf-8"
        ).rstrip().endswith("</html>")
    except (OSError, ValueError):
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concurrent", type=int, default=10)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    bad = 0
    with tempfile.TemporaryDirectory(prefix="geomap-outputs-") as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        runs = [run_map(out) for _ in range(args.concurrent)]
        codes = [r.wait() for r in runs]
        problems = verify_set(out, BASE)
        ok = not problems and readable(out) and codes == [0] * len(codes)
        bad += not ok
        print(
            f"{args.concurrent} concurrent runs: exit codes {sorted(set(codes))}, set whole: {ok} "
            f"({time.perf_counter() - start:.1f} s) {problems}"
        )
        full = time.perf_counter()
        run_map(out).wait()
        one_run = time.perf_counter() - full
        mixed = 0
        for _ in range(args.kills):
            run = run_map(out)
            time.sleep(rng.uniform(0.2, one_run))
            run.send_signal(signal.SIGKILL)
            run.wait()
            problems = verify_set(out, BASE)
            if problems or not readable(out):
                mixed += 1
                print("  after a kill:", problems)
        bad += mixed
        window = f"within one run's {one_run:.1f} s"
        print(f"{args.kills} runs killed at random moments {window}: {mixed} corrupt or mixed sets")
    print(f"corrupt or mixed outputs: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
