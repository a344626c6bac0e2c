"""Output sets: concurrent runs and killed runs never leave a corrupt or mixed set."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from geomap.atomic import _roll_forward, output_set, verify_set

SEED = Path(__file__).resolve().parent.parent / "seeds" / "osh-2010-06-12.txt"
BASE = "osh-2010-06-12"


def _map(out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "geomap", "map", str(SEED), "-o", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )


def _readable(out: Path) -> None:
    json.loads((out / f"{BASE}.geojson").read_text(encoding="utf-8"))
    assert len(pyogrio.read_dataframe(out / f"{BASE}.gpkg", layer="events")) > 0
    assert (out / f"{BASE}.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / f"{BASE}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_concurrent_runs_into_one_folder_leave_one_whole_set(tmp_path: Path) -> None:
    runs = [_map(tmp_path) for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    assert verify_set(tmp_path, BASE) == []
    _readable(tmp_path)


def test_killed_runs_never_leave_a_mixed_set(tmp_path: Path) -> None:
    first = _map(tmp_path)
    first.communicate(timeout=600)
    for delay in (1.0, 2.5, 4.0):
        run = _map(tmp_path)
        time.sleep(delay)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=60)
        assert verify_set(tmp_path, BASE) == []
        _readable(tmp_path)


def test_an_interrupted_commit_is_finished_by_the_next_run(tmp_path: Path) -> None:
    # Stage two files, write the journal, rename one: what a kill mid-commit leaves.
    staging = tmp_path / f".{BASE}.1-a.tmp"
    staging.mkdir()
    staged_a, staged_b = staging / f"{BASE}.csv", staging / f"{BASE}.geojson"
    staged_a.write_text("a\n", encoding="utf-8")
    staged_b.write_text("{}\n", encoding="utf-8")
    rel = {f"{BASE}.csv": f"{staging.name}/{staged_a.name}", f"{BASE}.geojson": f"{staging.name}/{staged_b.name}"}
    journal = {"files": rel}
    (tmp_path / f".{BASE}.journal.json").write_text(json.dumps(journal), encoding="utf-8")
    staged_a.replace(tmp_path / f"{BASE}.csv")
    (tmp_path / f".{BASE}.9-z.tmp.png").write_bytes(b"half a png")  # a run killed while staging
    _roll_forward(tmp_path, BASE)
    assert (tmp_path / f"{BASE}.geojson").read_text(encoding="utf-8") == "{}\n"
    assert not list(tmp_path.glob(f".{BASE}.*.tmp*"))
    assert not (tmp_path / f".{BASE}.journal.json").exists()
    assert verify_set(tmp_path, BASE) == []


def test_a_failed_run_keeps_the_previous_set(tmp_path: Path) -> None:
    with output_set(tmp_path, "x") as stage:
        stage(".csv").write_text("old\n", encoding="utf-8")

    def failing_run() -> None:
        with output_set(tmp_path, "x") as stage:
            stage(".csv").write_text("new\n", encoding="utf-8")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_run()
    assert (tmp_path / "x.csv").read_text(encoding="utf-8") == "old\n"
    assert verify_set(tmp_path, "x") == []
    assert not list(tmp_path.glob(".x.*.tmp*"))


def test_a_changed_file_is_reported(tmp_path: Path) -> None:
    with output_set(tmp_path, "x") as stage:
        stage(".csv").write_text("old\n", encoding="utf-8")
    (tmp_path / "x.csv").write_text("tampered\n", encoding="utf-8")
    assert verify_set(tmp_path, "x") == ["csv: x.csv does not match the manifest"]
