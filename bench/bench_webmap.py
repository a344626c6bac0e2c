"""
Benchmark the HTML map on synthetic events: build time and file size per marker tier.

Run: ``.venv/bin/python bench/bench_webmap.py [N ...]`` (default 100000: the largest
canvas-tier map; budget 15 s and 30 MB). Maps go to ``outputs/bench-webmap-<N>.html``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from shapely.geometry import Point

from geomap.layers import BORDER_COLUMNS, EVENT_COLUMNS, PLACE_COLUMNS, Layers, empty_frame, frame_from_records
from geomap.webmap import marker_tier, render_html

OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"
BUDGET_SECONDS = 15.0
BUDGET_BYTES = 30_000_000
KINDS = ("riots", "clashes", "attack", "protest", "arrests", "arson", "killed", "looting")
PLACES = ("Osh", "Jalal-Abad", "Bishkek", "Uzgen", "Kara-Suu", "Andijan", "Namangan", "Fergana")
SENTENCE = "Witnesses said {n} people were hurt when crowds clashed near the market in {place} on {day}."


def synthetic_layers(n: int, seed: int = 0) -> Layers:
    """Return ``n`` point events scattered over the Fergana valley, over 30 days."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        lat, lon = 39.5 + 3.0 * rng.random(), 69.0 + 6.0 * rng.random()
        place = PLACES[i % len(PLACES)]
        day = f"2010-06-{1 + i % 30:02d}"
        evidence = SENTENCE.format(n=rng.randint(1, 500), place=place, day=day)
        killed = float(rng.randint(0, 90))
        record = dict.fromkeys(EVENT_COLUMNS, "")
        record.update(
            event_id=f"bench-{i}",
            doc_id=f"doc-{i // 5}",
            primary=i % 5 == 0,
            event_type="Riots",
            sub_event_type="Mob violence",
            kinds=KINDS[i % len(KINDS)],
            kind=KINDS[i % len(KINDS)],
            fatalities=int(killed),
            killed=killed,
            killed_text=f"at least {killed:.0f}",
            killed_qualifier="at_least",
            injured=None,
            displaced=None,
            location_name=place,
            geonameid=None,
            lat=lat,
            lon=lon,
            geo_precision=1.0,
            where_prec=1.0,
            geometry_kind="point",
            event_date=day,
            time_precision=1.0,
            evidence=evidence,
            evidence_start=0,
            evidence_end=len(evidence),
            place_start=evidence.index(place),
            place_end=evidence.index(place) + len(place),
            confidence=0.8,
            located=True,
            source=f"https://example.org/news/{i // 5}",
            title=f"Synthetic report {i // 5}",
            geometry=Point(lon, lat),  # shapely takes x = lon, y = lat
        )
        records.append(record)
    return Layers(
        events=frame_from_records(records, EVENT_COLUMNS),
        places=empty_frame(PLACE_COLUMNS),
        borders=empty_frame(BORDER_COLUMNS),
        title=f"{n:,} synthetic events",
    )


def main() -> None:
    """Build one map per size and print time, size and whether the budget holds."""
    sizes = [int(arg) for arg in sys.argv[1:]] or [100_000]
    OUTPUTS.mkdir(exist_ok=True)
    for n in sizes:
        layers = synthetic_layers(n)
        path = OUTPUTS / f"bench-webmap-{n}.html"
        start = time.perf_counter()
        render_html(layers, path)
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
        ok = elapsed <= BUDGET_SECONDS and size <= BUDGET_BYTES
        print(
            f"{n:>7,} events  tier {marker_tier(n):<10}  {elapsed:5.1f} s  {size / 1e6:6.1f} MB  "
            f"{'ok' if ok else 'OVER BUDGET'} (budget {BUDGET_SECONDS:.0f} s, {BUDGET_BYTES / 1e6:.0f} MB)"
        )


if __name__ == "__main__":
    main()
