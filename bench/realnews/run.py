"""
Score ``geomap extract`` on the event-level development set of real news reports (issue 9, item 8).

The gold (``bench/realnews/gold/<corpus>-<id>.json``, schema ``geomap-realnews-gold/1``) is ours; the
article texts stay in ``../shared/eval/geoparse/`` and are read from there at run time. The runner

1. reads the corpora (geowebnews, trnews, geovirus) and picks the documents the gold names,
2. writes them as JSON Lines ``{id, text, published}`` (``published`` from the gold) and each text
   under ``texts/single/`` (the gold's ``text_file``) into a temporary folder, never into the repo,
   checking every text against the gold's ``text_sha256``,
3. runs ``python -m geomap extract`` once on all documents,
4. splits the events per document and runs ``score_realnews.py --dir`` on them, printing the scorer's
   table and the headline figures.

Run from the repository root::

    python bench/realnews/run.py [--out DIR] [--geomap-args "--country ..."] [--events]
    python bench/realnews/run.py --only 'trnews-11*' geowebnews-29    # a subset (names or globs)
    python bench/realnews/run.py --only-file bench/realnews/fresh-2026-12-02.txt
    python bench/realnews/run.py --multi [--fuse]    # the many-report crisis sets instead

The default run scores the single-report sets (``"set": "single"``). ``--multi`` scores the crisis sets
(``"set": "multi"``, ``multi-<name>.json``) instead, one ``geomap extract`` call per set on all its
documents (``--fuse`` adds ``--fuse``: one event per real-world event), and prints markers per gold
event and duplicates besides the headline figures. A crisis set may reuse the documents of single sets:
the two kinds of sets are never run together.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "eval"
GOLD_DIR = Path(__file__).resolve().parent / "gold"
CORPORA = ("geowebnews", "trnews", "geovirus")


def read_gold(gold_dir: Path) -> dict[str, dict]:
    """Gold files by name (file stem)."""
    golds = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))}
    if not golds:
        sys.exit(f"error: no gold files in {gold_dir}")
    return golds


def is_multi(gold: dict[str, Any]) -> bool:
    """Tell whether a gold file is a many-report crisis set."""
    return gold.get("set") == "multi"


def select_gold(golds: dict[str, dict[str, Any]], patterns: list[str]) -> dict[str, dict[str, Any]]:
    """The gold files whose name matches one of the patterns (exact names or shell globs).

    Parameters
    ----------
    golds
        Gold files by name, as returned by :func:`read_gold`.
    patterns
        Report names (``trnews-1130001``) or globs (``trnews-11*``); an empty list keeps every file.

    Returns
    -------
    dict[str, dict]
        The selected gold files, in the order of ``golds``.
    """
    if not patterns:
        return golds
    unmatched = [p for p in patterns if not any(fnmatch.fnmatchcase(name, p) for name in golds)]
    if unmatched:
        sys.exit("error: no gold file matches: " + ", ".join(unmatched))
    return {name: gold for name, gold in golds.items() if any(fnmatch.fnmatchcase(name, p) for p in patterns)}


def read_patterns(path: Path) -> list[str]:
    """Names or globs from a file, one a line; blank lines and ``#`` comments are skipped."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def read_corpora(geoparse_dir: Path, wanted: set[str]) -> dict[str, str]:
    """Texts of the wanted documents, keyed ``<corpus>-<id>``."""
    texts: dict[str, str] = {}
    for corpus in CORPORA:
        path = geoparse_dir / f"{corpus}.jsonl"
        if not path.exists():
            sys.exit(f"error: corpus {path} not found")
        with path.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                key = f"{corpus}-{doc['id']}"
                if key in wanted:
                    texts[key] = doc["text"]
    missing = wanted - texts.keys()
    if missing:
        sys.exit("error: documents not found in the corpora: " + ", ".join(sorted(missing)))
    return texts


def write_inputs(golds: dict[str, dict], texts: dict[str, str], work: Path) -> tuple[Path, dict[str, str]]:
    """Write the documents JSONL and the text files; return the JSONL path and doc -> gold name."""
    docs_path = work / "docs.jsonl"
    owner: dict[str, str] = {}
    with docs_path.open("w", encoding="utf-8") as out:
        for name, gold in golds.items():
            for doc_id, meta in gold["docs"].items():
                text = texts[doc_id]
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                if meta.get("text_sha256") and meta["text_sha256"] != digest:
                    sys.exit(f"error: {doc_id}: text differs from the annotated one (sha256)")
                text_file = work / meta.get("text_file", f"texts/single/{doc_id}.txt")
                text_file.parent.mkdir(parents=True, exist_ok=True)
                text_file.write_text(text, encoding="utf-8")
                out.write(json.dumps({"id": doc_id, "text": text, "published": meta["published"]}) + "\n")
                owner[doc_id] = name
    return docs_path, owner


def run_extract(docs_path: Path, events_path: Path, extra: list[str]) -> None:
    """Run ``geomap extract`` with this checkout's package."""
    cmd = [sys.executable, "-m", "geomap", "extract", str(docs_path), "-o", str(events_path), *extra]
    print("$ " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=REPO, check=True)


def split_events(events_path: Path, owner: dict[str, str], pred_dir: Path, names: list[str]) -> int:
    """Write PRED_DIR/<gold name>.jsonl (empty when a report has no events); return the event count."""
    pred_dir.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {name: [] for name in names}
    count = 0
    with events_path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            event = json.loads(line)
            name = owner.get(str(event.get("doc_id")))
            if name is None:
                sys.exit(f"error: event for unknown document {event.get('doc_id')!r}")
            lines[name].append(line.rstrip("\n"))
            count += 1
    for name, rows in lines.items():
        (pred_dir / f"{name}.jsonl").write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return count


def pct(a: float, b: float) -> str:
    return f"{100.0 * a / b:.1f} %" if b else "n/a"


def score(scorer: Path, gold_dir: Path, pred_dir: Path, show_events: bool) -> dict:
    """Print the scorer's table and return its JSON totals."""
    base = [sys.executable, str(scorer), "--dir", str(gold_dir), str(pred_dir)]
    table = subprocess.run([*base, *(["--events"] if show_events else [])], check=True, capture_output=True, text=True)
    print(table.stdout)
    result = subprocess.run([*base, "--json"], check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def scored_gold_dir(gold_dir: Path, names: list[str], all_names: list[str], work: Path) -> Path:
    """The gold folder for the scorer: the gold folder itself if every file in it is run, else a copy of the run's."""
    if names == all_names:
        return gold_dir
    selected = work / "gold"  # the scorer reads a folder: give it the selected files only
    selected.mkdir(parents=True, exist_ok=True)
    for old in selected.glob("*.json"):
        old.unlink()
    for name in names:
        text = (gold_dir / f"{name}.json").read_text(encoding="utf-8")
        (selected / f"{name}.json").write_text(text, encoding="utf-8")
    return selected


def run_once(
    golds: dict[str, dict[str, Any]], texts: dict[str, str], work: Path, extra: list[str], args: argparse.Namespace
) -> tuple[dict[str, Any], int]:
    """Run one ``geomap extract`` on the documents of the gold files and score it; return the totals and events."""
    work.mkdir(parents=True, exist_ok=True)
    docs_path, owner = write_inputs(golds, texts, work)
    events_path = work / "events.jsonl"
    run_extract(docs_path, events_path, extra)
    n = split_events(events_path, owner, work / "pred", list(golds))
    all_names = [p.stem for p in sorted(args.gold.glob("*.json"))]
    gold_dir = scored_gold_dir(args.gold, list(golds), all_names, work)
    return score(args.scorer, gold_dir, work / "pred", args.events)["total"], n


def print_headline(t: dict[str, Any], golds: dict[str, dict[str, Any]], n: int) -> None:
    """Print the headline figures of a run."""
    produced = t["produced"]
    print(f"{len(golds)} reports, {t['gold_events']} gold events ({t['required']} required), {n} events produced")
    print(f"events fully right:   {t['correct']}/{produced} = {pct(t['correct'], produced)}")
    print(f"wrong country:        {t['wrong_country']}/{produced} = {pct(t['wrong_country'], produced)}")
    print(f"spurious:             {t['spurious']}/{produced} = {pct(t['spurious'], produced)}")
    print(f"required found:       {t['required_found']}/{t['required']} = {pct(t['required_found'], t['required'])}")
    print(
        f"required recalled:    {t['required_recalled']}/{t['required']} = "
        f"{pct(t['required_recalled'], t['required'])} (fully right)"
    )


def print_multi(name: str, gold: dict[str, Any], t: dict[str, Any], n: int) -> None:
    """Print the figures of one crisis set: markers per gold event, duplicates and the headline figures."""
    produced = t["produced"]
    print(f"{name}: {len(gold['docs'])} reports, {t['gold_events']} gold events ({t['required']} required)")
    print(f"events produced:      {n}")
    print(
        f"markers per event:    {t['markers_per_event']} ({t['related_markers']} markers about "
        f"{t['related_events']} gold events); matched markers per matched event {t['matched_markers_per_event']}"
    )
    print(
        f"duplicates:           {t['duplicate']} ({t['gold_events_duplicated']} gold events with more than one "
        f"matched marker, {t['extra_markers']} extra)"
    )
    print(f"events fully right:   {t['correct']}/{produced} = {pct(t['correct'], produced)}")
    print(f"spurious:             {t['spurious']}/{produced} = {pct(t['spurious'], produced)}")
    print(f"wrong country:        {t['wrong_country']}/{produced} = {pct(t['wrong_country'], produced)}")
    print(
        f"required recalled:    {t['required_recalled']}/{t['required']} = "
        f"{pct(t['required_recalled'], t['required'])} (fully right); found {t['required_found']}"
    )
    print(f"killed summed:        {t['killed_sum']} (gold max {t['killed_gold_max']})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD_DIR, help="gold folder (default bench/realnews/gold)")
    ap.add_argument("--geoparse", type=Path, default=SHARED / "geoparse", help="folder of the corpora")
    ap.add_argument("--scorer", type=Path, default=SHARED / "realnews" / "score_realnews.py")
    ap.add_argument("--geomap-args", default="", help="extra arguments for geomap extract (one quoted string)")
    ap.add_argument("--out", type=Path, help="keep inputs, events and per-report predictions in this folder")
    ap.add_argument("--events", action="store_true", help="list every event with its class")
    ap.add_argument("--only", nargs="+", default=[], metavar="NAME", help="score only these reports (names or globs)")
    ap.add_argument("--only-file", type=Path, help="score only the reports named in this file (a name or glob a line)")
    ap.add_argument("--multi", action="store_true", help="score the many-report crisis sets, not the single reports")
    ap.add_argument("--fuse", action="store_true", help="with --multi: run geomap extract --fuse (fused events)")
    args = ap.parse_args()
    if args.fuse and not args.multi:
        sys.exit("error: --fuse needs --multi")

    patterns = list(args.only) + (read_patterns(args.only_file) if args.only_file else [])
    all_golds = {name: gold for name, gold in read_gold(args.gold).items() if is_multi(gold) == args.multi}
    if not all_golds:
        sys.exit(f"error: no {'multi' if args.multi else 'single'} gold files in {args.gold}")
    golds = select_gold(all_golds, patterns)
    wanted = {doc for gold in golds.values() for doc in gold["docs"]}
    texts = read_corpora(args.geoparse, wanted)
    extra = shlex.split(args.geomap_args) + (["--fuse"] if args.fuse else [])
    with tempfile.TemporaryDirectory(prefix="geomap-realnews-") as tmp:
        work = args.out.resolve() if args.out else Path(tmp)
        if not args.multi:
            t, n = run_once(golds, texts, work, extra, args)
            print_headline(t, golds, n)
        else:
            for name, gold in golds.items():  # one geomap run per crisis set: its reports fuse with each other
                t, n = run_once({name: gold}, texts, work / name, extra, args)
                print_multi(name, gold, t, n)
    if args.out:
        print(f"predictions kept in {work}")


if __name__ == "__main__":
    main()
