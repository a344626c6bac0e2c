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
