"""
Measure the gazetteer's reachability ceiling on the geoparsing corpora.

Run: ``python bench/bench_coverage.py [CORPUS.jsonl ...] [--misses N]``.
Default corpora: ../shared/eval/geoparse/*.jsonl (read in place, never copied).

A gold toponym (with coordinates, not ``non_locational``) is *reachable* when the candidates the
resolver looks up for its surface (``geomap.resolve._lookup``; a demonym, read as in ``--gold-spans``
mode, gives its country) hold its gold GeoNames id or a place within 161 km of its gold point.
No resolver can do better than this share on gold spans. GeoVirus has no GeoNames ids and uses
Wikipedia points, so a country whose reference point lies far from Wikipedia's counts as a miss.
``--misses N`` prints the N most frequent unreachable surfaces of each corpus.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from geomap.evaluation import ACC_KM
from geomap.gazetteer import load_gazetteer
from geomap.geo import haversine_km
from geomap.model import Candidate
from geomap.names import normalize_name
from geomap.resolve import _lookup

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "geoparse"


def _reachable(cands: list[Candidate], lat: float, lon: float, geonameid: int | None) -> bool:
    for cand in cands:
        place = cand.place
        if geonameid is not None and place.geonameid == geonameid:
            return True
        if haversine_km(lat, lon, place.lat, place.lon) <= ACC_KM:
            return True
    return False


def measure(path: Path, misses: int) -> tuple[int, int, int, list[tuple[str, int]]]:
    """Return (gold with coordinates, reachable, found by name at all, most frequent misses) of one corpus."""
    gaz = load_gazetteer()
    total = reachable = named = 0
    missed: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            text = doc["text"]
            for top in doc["toponyms"]:
                if top.get("non_locational") is True or top.get("lat") is None or top.get("lon") is None:
                    continue
                total += 1
                surface = text[top["start"] : top["end"]]
                key = normalize_name(surface)
                if key in gaz.demonyms and not gaz.lookup(surface, features=["A.PCLI"]):
                    country = gaz.resolve_code(gaz.demonyms[key])
                    cands = [Candidate(place=country, matched_name=surface, prior=1.0)] if country else []
                else:
                    cands, _ = _lookup(gaz, surface)
                named += bool(cands)
                if _reachable(cands, float(top["lat"]), float(top["lon"]), top.get("geonameid")):
                    reachable += 1
                else:
                    missed[surface] += 1
    return total, reachable, named, missed.most_common(misses)


def main() -> None:
    """Print the reachability ceiling of each corpus."""
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="*", type=Path)
    parser.add_argument("--misses", type=int, default=0, help="print the N most frequent unreachable surfaces")
    args = parser.parse_args()
    paths = args.corpora or sorted(SHARED.glob("*.jsonl"))
    for path in paths:
        total, reachable, named, top = measure(path, args.misses)
        print(
            f"{path.stem:12s} gold with coords {total:5d}  reachable {reachable:5d} ({reachable / total:.3f})  "
            f"any candidate {named:5d} ({named / total:.3f})"
        )
        for surface, count in top:
            print(f"    {count:3d}  {surface}")


if __name__ == "__main__":
    main()
