"""
Scale: time and memory of ``geomap extract`` as the number of documents and a document's length grow.

    python bench/bench_scale.py docs --counts 5000 50000 [--fast]   # RSS and time per document
    python bench/bench_scale.py long --megabytes 1 5          # one long article

Documents are synthetic (sentences written here from a few places, counts and verbs; every sentence
carries a new number, so spaCy meets new words all the time, as it does in news). Prints the peak RSS
(from the child's rusage), seconds, and the child's RSS sampled as the run goes (at a quarter, half,
three quarters of its time and at the end, from /proc where there is one): memory should stay flat
in the number of documents, the peak of 50,000 documents within 20 % of the peak of 5,000.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["Osh", "Jalal-Abad", "Bishkek", "Nairobi", "Kisumu", "Nakuru", "Kabul", "Herat", "Aleppo", "Homs"]
VERBS = ["were killed in", "were wounded in", "fled from", "protested in", "clashed near", "set fire to shops in"]


def sentence(rng: random.Random, i: int) -> str:
    day = rng.choice(["Monday", "Tuesday", "Friday"])
    return f"On {day}, {rng.randint(2, 900)} people {rng.choice(VERBS)} {rng.choice(PLACES)}, officials said ({i})."


def _rss_mb(pid: int) -> float | None:
    """Return a process's resident set in MB from /proc (None where there is no /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), None)
    return int(kb) / 1024 if kb else None


def run(args: list[str]) -> tuple[float, float, list[tuple[float, float]]]:
    """Run geomap in a child process; return (seconds, peak RSS in MB, RSS samples as (seconds, MB))."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "geomap", *args, "-q"], env=os.environ.copy())
    samples: list[tuple[float, float]] = []
    while True:
        # wait4 on this child alone gives its own peak (RUSAGE_CHILDREN would keep the largest child so far)
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        rss = _rss_mb(child.pid)
        if rss is not None:
            samples.append((time.perf_counter() - start, rss))
        time.sleep(0.5)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, args)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, samples


def _over_time(samples: list[tuple[float, float]], seconds: float) -> str:
    """RSS at a quarter, half, three quarters of the run and at its end."""
    if not samples:
        return ""
    marks = [min(samples, key=lambda s: abs(s[0] - f * seconds))[1] for f in (0.25, 0.5, 0.75)]
    return "; RSS over the run " + " / ".join(f"{mb:.0f}" for mb in [*marks, samples[-1][1]]) + " MB"


def docs(counts: list[int], extra: list[str]) -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="geomap-scale-") as tmp:
        for count in counts:
            path = Path(tmp) / f"docs-{count}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for i in range(count):
                    text = " ".join(sentence(rng, i * 10 + k) for k in range(rng.randint(3, 8)))
                    handle.write(json.dumps({"id": str(i), "text": text, "published": "2010-06-12"}) + "\n")
            seconds, rss, samples = run(["extract", str(path), "-o", str(Path(tmp) / "out.jsonl"), *extra])
            print(
                f"{count:>8} documents: {seconds:8.1f} s, {1000 * seconds / count:6.2f} ms/document, "
                f"peak RSS {rss:7.1f} MB{_over_time(samples, seconds)}",
                flush=True,
            )


def long(megabytes: list[float]) -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="geomap-scale-") as tmp:
        for mb in megabytes:
            parts, size, i = [], 0, 0
            while size < mb * 1_000_000 - 200:
                i += 1
                parts.append(sentence(rng, i) + ("\n\n" if i % 8 == 0 else " "))
                size += len(parts[-1])
            path = Path(tmp) / f"long-{mb}.txt"
            path.write_text("".join(parts)[: int(mb * 1_000_000) - 100], encoding="utf-8")
            path.with_suffix(".json").write_text('{"published": "2010-06-12"}', encoding="utf-8")
            seconds, rss, _ = run(["extract", str(path), "-o", str(Path(tmp) / "out.jsonl")])
            print(f"{mb:>6} MB article: {seconds:8.1f} s, peak RSS {rss:7.1f} MB", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    d = sub.add_parser("docs")
    d.add_argument("--counts", type=int, nargs="+", default=[5000, 50000])
    d.add_argument("--fast", action="store_true", help="geomap extract --fast (no spaCy)")
    d2 = sub.add_parser("long")
    d2.add_argument("--megabytes", type=float, nargs="+", default=[1.0, 5.0])
    args = ap.parse_args()
    if args.what == "docs":
        docs(args.counts, ["--fast"] if args.fast else [])
    else:
        long(args.megabytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
