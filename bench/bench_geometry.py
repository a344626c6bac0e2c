"""
Valid geometry over many varied maps: every feature of every export is valid, no line has zero length,
and lines that cross the antimeridian are split the same way in GeoJSON and GeoPackage.

    python bench/bench_geometry.py [--maps 200] [--seed 0]

Stories are synthetic: sentences written here from places on both sides of the antimeridian, in the
tropics and near the poles, with displacement, curfews, emergencies and deaths.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import pyogrio
import shapely
from shapely.geometry import shape

from geomap.export import write_geojson, write_geopackage
from geomap.gazetteer import load_gazetteer
from geomap.ingest import Document
from geomap.pipeline import process_document, to_layers

PLACES = [
    "Suva", "Labasa", "Apia", "Nuku'alofa", "Anadyr", "Nome", "Petropavlovsk-Kamchatsky", "Auckland",
    "Osh", "Jalal-Abad", "Nairobi", "Kisumu", "Quito", "Tromsø", "Ushuaia", "Honolulu", "Fiji", "Tonga",
    "Samoa", "Kyrgyzstan", "Kenya", "Chukotka", "Uzbekistan",
]  # fmt: skip
TEMPLATES = [
    "Thousands fled from {a} to {b} on Friday.",
    "Hundreds of families fled {a} toward the border with {c}.",
    "A curfew was imposed in {a} on Saturday.",
    "The government declared a state of emergency in {c}.",
    "At least {n} people were killed in {a} on Sunday.",
    "Clashes in {a} and {b} left {n} dead.",
    "Aid arrived in {b} from {a}.",
]


def story(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 6)):
        a, b, c = rng.sample(PLACES, 3)
        parts.append(rng.choice(TEMPLATES).format(a=a, b=b, c=c, n=rng.randint(2, 300)))
    return " ".join(parts)


def problems_in(features: list[dict[str, object]], where: str) -> list[str]:
    found = []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry")
        if not geometry:
            continue
        geom = shape(geometry)  # type: ignore[arg-type]
        if not shapely.is_valid(geom):
            found.append(f"{where} #{i}: invalid {geom.geom_type} ({shapely.is_valid_reason(geom)})")
        if geom.geom_type in {"LineString", "MultiLineString"} and geom.length == 0:
            found.append(f"{where} #{i}: zero-length line")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--maps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    gazetteer = load_gazetteer()
    bad: list[str] = []
    features = lines = 0
    with tempfile.TemporaryDirectory(prefix="geomap-geometry-") as tmp:
        for m in range(args.maps):
            docs = [Document(doc_id=f"m{m}-{k}", text=story(rng)) for k in range(rng.randint(1, 3))]
            layers = to_layers([process_document(d, gazetteer) for d in docs])
            path = write_geojson(layers, Path(tmp) / f"m{m}.geojson")
            collection = json.loads(path.read_text(encoding="utf-8"))["features"]
            features += len(collection)
            bad += problems_in(collection, f"map {m} geojson")
            gpkg = write_geopackage(layers, Path(tmp) / f"m{m}.gpkg")
            for layer in ("events", "flows", "areas", "borders", "places"):
                frame = pyogrio.read_dataframe(gpkg, layer=layer)
                geoms = [g for g in frame.geometry if g is not None]
                lines += sum(g.geom_type in {"LineString", "MultiLineString"} for g in geoms)
                bad += [f"map {m} gpkg {layer}: invalid" for g in geoms if not shapely.is_valid(g)]
                bad += [
                    f"map {m} gpkg {layer}: zero-length line" for g in geoms if "Line" in g.geom_type and g.length == 0
                ]
    print(f"{args.maps} maps, {features} GeoJSON features, {lines} GeoPackage lines: {len(bad)} invalid geometries")
    for problem in bad[:20]:
        print("  ", problem)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
