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
