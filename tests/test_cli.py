import json
import os
import subprocess
import sys

import pytest

from geomap.cli import main


def run_cli(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "geomap", *args], capture_output=True, check=False, env=os.environ.copy()
    )


def test_cli_geocode_json_puts_the_kyrgyz_city_first() -> None:
    proc = run_cli("geocode", "Jalalabad", "--country", "KG", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows[0]["geonameid"] == 1528249
    assert {"name", "lat", "lon", "country_code", "geonameid", "feature", "population"} <= rows[0].keys()


def test_cli_geocode_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geocode", "Osh", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "Osh" in out
    assert "1527534" in out


def test_cli_unknown_place_is_empty_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geocode", "zzqxqzzqxq", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_huge_and_control_character_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geocode", "x" * 1_000_000, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["geocode", "\x01\x02\x1b[31m", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_non_utf8_argument_is_one_clear_error_line() -> None:
    proc = run_cli("geocode", b"\xff\xfeOsh")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("error: ")
    assert "UTF-8" in err
    assert "Traceback" not in err


def test_cli_usage_error_exits_2() -> None:
    assert run_cli("geocode").returncode == 2


def test_cli_geoparse_seed_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geoparse", "seeds/osh-2010-06-12.txt"]) == 0
    out = capsys.readouterr().out
    assert "Jalal-Abad" in out
    assert "KG-UZ border line" in out
    assert "metonymic" in out


def test_cli_geoparse_jsonl_and_eval(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    docs = [
        {
            "id": "1",
            "text": "Riots in Osh, Kyrgyzstan.",
            "toponyms": [
                {"start": 9, "end": 12, "name": "Osh", "lat": 40.53, "lon": 72.8, "geonameid": 1527534},
                {"start": 14, "end": 24, "name": "Kyrgyzstan", "lat": 41.0, "lon": 75.0, "geonameid": 1527747},
            ],
        },
        {"id": "2", "text": "Nothing here.", "toponyms": []},
    ]
    gold.write_text("\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    assert main(["geoparse", str(gold), "-o", str(out_path)]) == 0
    lines = [json.loads(x) for x in out_path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["1", "2"]
    assert [t["name"] for t in lines[0]["toponyms"]] == ["Osh", "Kyrgyzstan"]
    assert main(["eval", "geoparse", str(gold)]) == 0
    report = capsys.readouterr().out
    assert "F1 1.000" in report
    assert main(["eval", "geoparse", str(gold), "--gold-spans"]) == 0
    assert "acc@161 1.000" in capsys.readouterr().out


def test_cli_geoparse_bad_input_is_one_error_line(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00binary")
    proc = run_cli("geoparse", str(bad))
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("error: ")
    assert "Traceback" not in proc.stderr.decode()


SEED_TEXT = "seeds/osh-2010-06-12.txt"
MAP_SUFFIXES = {".html", ".png", ".geojson", ".gpkg", ".csv"}


def test_cli_map_seed_writes_the_five_files(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    seed = Path(__file__).resolve().parent.parent / SEED_TEXT
    assert main(["map", str(seed), "-o", str(tmp_path)]) == 0
    written = {p.suffix for p in tmp_path.iterdir() if p.stem == "osh-2010-06-12"}
    assert written == MAP_SUFFIXES
    out = capsys.readouterr().out
    assert "(0 not located)" in out
    geojson = json.loads((tmp_path / "osh-2010-06-12.geojson").read_text(encoding="utf-8"))
    assert "crs" not in geojson
    names = {f["properties"]["location_name"] for f in geojson["features"]}
    assert {"Osh", "Jalal-Abad", "Kyrgyzstan"} <= names
    assert not names & {"Moscow", "Afghanistan", "China", "United States"}


def test_cli_map_acled_csv_is_mapped_without_nlp(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        "event_id_cnty,event_date,event_type,sub_event_type,country,admin1,location,latitude,longitude,"
        "geo_precision,fatalities,notes",
        # An invented row whose notes name another town: the coded point must win, untouched by the geoparser.
        'TST1,2022-03-01,Protests,Peaceful protest,Kyrgyzstan,Osh,Osh,40.5283,72.7985,1,0,"Traders marched in Naryn."',
        'TST2,2022-03-02,Riots,Mob violence,Kyrgyzstan,Jalal-Abad,Jalal-Abad,40.9333,73.0,1,2,"<script>x</script>"',
        "TST3,2022-03-03,Battles,Armed clash,Kyrgyzstan,,,,,3,1,No coordinates were coded.",
    ]
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["map", str(csv_path), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "3 events (1 not located)" in out
    geojson = json.loads((tmp_path / "out" / "rows.geojson").read_text(encoding="utf-8"))
    by_id = {f["properties"]["event_id"]: f for f in geojson["features"]}
    assert by_id["TST1"]["geometry"]["coordinates"] == [72.7985, 40.5283]
    assert by_id["TST3"]["geometry"] is None
    html = (tmp_path / "out" / "rows.html").read_text(encoding="utf-8")
    assert "<script>x</script>" not in html


def test_cli_map_bad_inputs_are_one_error_line(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    proc = run_cli("map", str(empty), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("error:")
    assert b"Traceback" not in proc.stderr
    mixed = tmp_path / "rows.csv"
    mixed.write_text("event_id_cnty,event_date,notes\n", encoding="utf-8")
    proc = run_cli("map", str(mixed), str(empty), "-o", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert b"not both" in proc.stderr


def test_cli_version() -> None:
    from geomap import __version__

    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"geomap {__version__}"


def _jsonl(path, docs) -> None:
    path.write_text("\n".join(d if isinstance(d, str) else json.dumps(d) for d in docs) + "\n", encoding="utf-8")


def test_cli_bad_jsonl_line_is_reported_with_its_line_and_the_rest_processed(tmp_path) -> None:
    docs = tmp_path / "docs.jsonl"
    _jsonl(
        docs,
        [
            {"id": "a", "text": "Two people were killed in Osh.", "published": "2010-06-12"},
            '{"id": "b", "text": ',
            {"id": "c", "text": "A curfew was imposed in Jalal-Abad.", "published": "2010-06-12"},
        ],
    )
    out = tmp_path / "events.jsonl"
    proc = run_cli("extract", str(docs), "-o", str(out))
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert f"error: {docs}:2: malformed JSON" in err
    assert "(skipped)" in err
    assert "Traceback" not in err
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {e["doc_id"] for e in events} == {"a", "c"}
    # raise stops at the bad line and writes nothing
    out.unlink()
    proc = run_cli("extract", str(docs), "-o", str(out), "--on-error", "raise")
    assert proc.returncode == 1
    assert proc.stderr.decode().count("error:") == 1
    assert not out.exists()
    assert not list(tmp_path.glob(".events*"))  # no temporary file left behind


def test_cli_reads_stdin_folders_and_globs(tmp_path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "one.txt").write_text("Two people were killed in Osh.", encoding="utf-8")
    (folder / "one.json").write_text('{"published": "2010-06-12"}', encoding="utf-8")  # a sidecar, not an input
    (folder / "two.txt").write_text("A curfew was imposed in Jalal-Abad.", encoding="utf-8")
    (folder / "notes.md").write_text("not a report", encoding="utf-8")
    proc = run_cli("extract", str(folder), "-o", str(tmp_path / "f.jsonl"), "-q")
    assert proc.returncode == 0, proc.stderr
    ids = {json.loads(x)["doc_id"] for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()}
    assert ids == {"one", "two"}
    proc = run_cli("extract", str(folder / "t*.txt"), "-o", str(tmp_path / "g.jsonl"))
    assert proc.returncode == 0, proc.stderr
    ids = {json.loads(x)["doc_id"] for x in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()}
    assert ids == {"two"}
    stdin = subprocess.run(
        [sys.executable, "-m", "geomap", "geoparse", "-", "--date", "2010-06-12"],
        input=b"Riots broke out in Osh.",
        capture_output=True,
        check=False,
    )
    assert stdin.returncode == 0, stdin.stderr
    assert "Osh" in stdin.stdout.decode()
    proc = run_cli("extract", str(folder / "nothing-*.txt"))
    assert proc.returncode == 1
    assert "No file matches" in proc.stderr.decode()


def test_cli_verbose_and_quiet_anywhere(tmp_path) -> None:
    seed = "seeds/osh-2010-06-12.txt"
    quiet = run_cli("map", seed, "-o", str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == b""
    assert (tmp_path / "q" / "osh-2010-06-12.manifest.json").is_file()
    loud = run_cli("map", seed, "-o", str(tmp_path / "v"), "-vv")
    assert loud.returncode == 0, loud.stderr
    assert b"debug" in loud.stderr or b"info" in loud.stderr
    assert b"wrote" in loud.stdout


def test_cli_map_manifest_lists_the_set(tmp_path) -> None:
    import hashlib

    assert main(["map", "seeds/osh-2010-06-12.txt", "-o", str(tmp_path), "-q"]) == 0
    manifest = json.loads((tmp_path / "osh-2010-06-12.manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"csv", "geojson", "gpkg", "html", "png"}
    for entry in manifest["files"].values():
        data = (tmp_path / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    # only the lock that serialises runs into this folder stays; no temporary file or journal
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".osh-2010-06-12.lock"]


def test_cli_os_errors_are_one_error_line(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    proc = run_cli("map", "seeds/osh-2010-06-12.txt", "-o", str(blocker / "out"))
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_reverse_takes_negative_coordinates() -> None:
    proc = run_cli("reverse", "-1.29", "36.82")
    assert proc.returncode == 0, proc.stderr
    assert "Kenya" in proc.stdout.decode()


def _error_inputs(tmp_path):
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Émeutes à Osh".encode("latin-1"))
    acled = tmp_path / "rows.csv"
    acled.write_text(
        "event_id_cnty,event_date,latitude,longitude,fatalities,notes\nX1,2010-06-12,1e999,72,1e400,Riots.\n",
        encoding="utf-8",
    )
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    surrogate = tmp_path / "surrogate.jsonl"
    surrogate.write_text('{"id": "s", "text": "Riots in Osh \\ud800 today."}\n', encoding="utf-8")
    dated = tmp_path / "dated.jsonl"
    dated.write_text('{"id": "d", "text": "Riots in Osh.", "published": "99999-12-31"}\n', encoding="utf-8")
    return {
        "recursion": ["extract", str(deep)],
        "unicode": ["extract", str(latin)],
        "overflow": ["map", str(acled), "-o", str(tmp_path / "out")],
        "empty folder": ["extract", str(empty_dir)],
        "missing file": ["extract", str(tmp_path / "missing.txt")],
        "surrogate": ["extract", str(surrogate)],
        "bad date": ["extract", str(dated)],
        "bad --date": ["extract", str(latin), "--date", "2010-13-45"],
        "unwritable output": ["extract", "seeds/osh-2010-06-12.txt", "-o", str(tmp_path / "no" / "such" / "e.jsonl")],
    }


@pytest.mark.parametrize(
    "case",
    ["recursion", "unicode", "overflow", "empty folder", "missing file", "surrogate", "bad date", "bad --date",
     "unwritable output"],
)  # fmt: skip
def test_cli_error_classes_are_clear_lines_never_tracebacks(tmp_path, case: str) -> None:
    proc = run_cli(*_error_inputs(tmp_path)[case])
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines
    assert all(line.startswith(("error:", "warning:")) for line in lines), err
    assert any(line.startswith("error:") for line in lines)


def test_cli_fast_mode_runs_no_spacy(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import geomap.ner
    import geomap.nlp

    def refuse(*_: object, **__: object) -> None:
        msg = "spaCy was loaded in --fast mode"
        raise AssertionError(msg)

    monkeypatch.setattr(geomap.nlp, "load_pipeline", refuse)
    monkeypatch.setattr(geomap.ner, "load_ner", refuse)
    out = tmp_path / "fast.jsonl"
    assert main(["extract", "seeds/osh-2010-06-12.txt", "-o", str(out), "--fast", "-q"]) == 0
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert events  # the seed still gives events by cue words
    with pytest.raises(AssertionError, match="spaCy was loaded"):
        main(["extract", "seeds/osh-2010-06-12.txt", "-o", str(tmp_path / "default.jsonl"), "-q"])
