"""
Scale: time and memory of ``geomap extract`` as the number of documents and a document's length grow.

    python bench/bench_scale.py docs --counts 5000 50000 [--fast]   # RSS and time per document
    python bench/bench_scale.py long --megabytes 1 5          # one long article

Documents are synthetic (sentences written here from a few places, counts and verbs). Prints the
peak RSS (from the child's rusage) and seconds; memory should stay flat in the number of documents.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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


def run(args: list[str]) -> tuple[float, float]:
    """Run geomap in a child process; return (seconds, peak RSS in MB of the child)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "geomap", *args, "-q"], check=True, env=os.environ.copy())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.perf_counter() - start, max(peak, before) / 1024


def docs(counts: list[int], extra: list[str]) -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory(prefix="geomap-scale-") as tmp:
        for count in counts:
            path = Path(tmp) / f"docs-{count}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for i in range(count):
                    text = " ".join(sentence(rng, i * 10 + k) for k in range(rng.randint(3, 8)))
                    handle.write(json.dumps({"id": str(i), "text": text, "published": "2010-06-12"}) + "\n")
            seconds, rss = run(["extract", str(path), "-o", str(Path(tmp) / "out.jsonl")])
            print(
                f"{count:>8} documents: {seconds:8.1f} s, {1000 * seconds / count:6.2f} ms/document, "
                f"peak RSS {rss:7.1f} MB",
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
            seconds, rss = run(["extract", str(path), "-o", str(Path(tmp) / "out.jsonl")])
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
