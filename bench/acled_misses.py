"""
Sort the location misses of ``geomap eval events --save`` on an ACLED CSV into general classes.

Run (training rows only; ``dev.csv`` is for validation)::

    python -m geomap eval events ../shared/eval/acled/train.csv --country-hint --save /tmp/ev.jsonl
    python bench/acled_misses.py ../shared/eval/acled/train.csv /tmp/ev.jsonl [--show CLASS] [--n 20]
    # the rows a run without the hint sends abroad (within 161 km with it, farther without):
    python bench/acled_misses.py ../shared/eval/acled/train.csv /tmp/nohint.jsonl --against /tmp/ev.jsonl

A row misses when its primary event lies more than 25 km from ACLED's point. Each miss gets the first
class that fits, in this order: no point; the gazetteer holds no entry of ACLED's location name within
25 km of its point ("not in gazetteer"); ACLED's location name is in the note but the event sits at another
mention ("other mention chosen", split by what was chosen: area, country, town); the chosen mention is
ACLED's name but resolved elsewhere ("namesake"); geo_precision 2 or 3 rows ("gp2/gp3: place not named");
the rest. ``--show CLASS`` prints notes of one class (to read, not to copy).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from geomap.gazetteer import load_gazetteer
from geomap.geo import haversine_km
from geomap.pipeline import read_acled_csv

NEAR_KM = 25.0
FAR_KM = 161.0


def _fold(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def classify(row: dict[str, str], event: dict[str, Any] | None, gazetteer: Any) -> tuple[str, float]:
    """Return the miss class of one row ("hit" when within 25 km) and the error in km."""
    lat, lon = float(row["latitude"]), float(row["longitude"])
    if event is None or event.get("lat") is None:
        return "no point", float("inf")
    km = haversine_km(lat, lon, event["lat"], event["lon"])
    if km <= NEAR_KM:
        return "hit", km
    gold = row["location"].split(" - ")[0].strip()
    note = row["notes"]
    held = [c for c in gazetteer.lookup(gold, limit=50) if haversine_km(lat, lon, c.place.lat, c.place.lon) <= NEAR_KM]
    mention = (event.get("place_mention") or {}).get("text") or ""
    named = _fold(gold) in _fold(note)
    prec = row.get("geo_precision", "1")
    if not held:
        return f"not in gazetteer (named {named}, gp{prec})", km
    if named and _fold(mention) != _fold(gold):
        gp = event.get("geo_precision")
        kind = "country" if event.get("where_prec") == "country" else f"gp{gp}"
        after = ""
        m = event.get("place_mention")
        if m:
            tail = note[m["end"] : m["end"] + 3]
            after = " (paren after)" if tail.lstrip().startswith(("(", "[")) else ""
            after += " (in parens)" if note[: m["start"]].count("(") > note[: m["start"]].count(")") else ""
        return f"other mention chosen -> {kind}{after}", km
    if named:
        return f"namesake (gp{prec})", km
    return f"gazetteer has it, note does not name it (gp{prec})", km


def _primary_events(path: Path) -> dict[str, dict[str, Any]]:
    """Return each document's primary event (else its first) from a ``--save`` file."""
    events: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        if ev["doc_id"] not in events or ev.get("primary"):
            events[ev["doc_id"]] = ev
    return events


def _km(row: dict[str, str], event: dict[str, Any] | None) -> float:
    """Return the distance from ACLED's point to an event's (infinite when unplaced)."""
    if event is None or event.get("lat") is None:
        return float("inf")
    return haversine_km(float(row["latitude"]), float(row["longitude"]), event["lat"], event["lon"])


def main() -> None:
    """Print the counts of each miss class (and notes of one class on request)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("acled", type=Path)
    parser.add_argument("events", type=Path)
    parser.add_argument("--show")
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument(
        "--against",
        type=Path,
        help="events of another run (e.g. with --country-hint): keep only rows it places within 161 km "
        "and this run places farther (which goes abroad without the hint)",
    )
    args = parser.parse_args()
    rows = read_acled_csv(args.acled)
    events = _primary_events(args.events)
    if args.against is not None:
        other = _primary_events(args.against)
        rows = [
            r for r in rows if _km(r, other.get(r["event_id_cnty"])) <= FAR_KM < _km(r, events.get(r["event_id_cnty"]))
        ]
        print(f"{len(rows)} rows within {FAR_KM:.0f} km in {args.against.name} but not in {args.events.name}")
    gazetteer = load_gazetteer()
    counts: Counter[str] = Counter()
    shown = 0
    for row in rows:
        event = events.get(row["event_id_cnty"])
        cls, km = classify(row, event, gazetteer)
        counts[cls] += 1
        if args.show and args.show in cls and shown < args.n:
            shown += 1
            chosen = (event or {}).get("location_name"), ((event or {}).get("place_mention") or {}).get("text")
            gold = f"{row['location']} ({row['admin1']}) gp{row['geo_precision']}"
            print(f"--- {cls} | gold {gold} | got {chosen} {km:.0f} km")
            print(row["notes"][:400])
    for cls, n in counts.most_common():
        print(f"{n:5d}  {cls}")


if __name__ == "__main__":
    main()
