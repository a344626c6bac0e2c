"""
Atomic outputs: every file is written beside its target under a unique name and renamed into place.

A reader never sees half a file, two concurrent runs never write into each other's files, and a
run killed mid-write leaves the previous output (or none) and at most a hidden ``.NAME.*.tmp``
file that the next run ignores.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

__all__ = ["output_set", "replacing", "verify_set", "write_manifest", "write_text"]


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """
    Yield a unique temporary path beside ``path``; it replaces ``path`` once the block completes.

    Parameters
    ----------
    path
        The final file. Its folder must exist.

    Yields
    ------
    Path
        Where to write; same folder and suffix as ``path`` (drivers choose formats by suffix).

    Raises
    ------
    InputError
        When the folder does not exist.
    """
    if not path.parent.is_dir():
        msg = f"Cannot write {path}: folder {path.parent} does not exist; create it first."
        raise InputError(msg)
    partial = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        yield partial
        if partial.exists():
            with contextlib.suppress(OSError), partial.open("rb+") as handle:
                os.fsync(handle.fileno())
            partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """
    Write UTF-8 text atomically.

    Parameters
    ----------
    path
        The file.
    text
        Its content.

    Returns
    -------
    Path
        ``path``.
    """
    with replacing(path) as partial:
        partial.write_text(text, encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(path: Path, files: Mapping[str, Path], **info: Any) -> Path:
    """
    Write the manifest of a run's output set, last: its files with sizes and SHA-256.

    A set whose manifest is missing, or whose files no longer match it, is incomplete or mixed.

    Parameters
    ----------
    path
        The manifest file (JSON).
    files
        Output kind to file, all in the manifest's folder.
    **info
        Other facts to record (tool version, inputs).

    Returns
    -------
    Path
        ``path``.
    """
    entries = {
        kind: {"file": file.name, "bytes": file.stat().st_size, "sha256": _sha256(file)}
        for kind, file in sorted(files.items())
    }
    return write_text(path, json.dumps({**info, "files": entries}, indent=2, sort_keys=True) + "\n")


_JOURNAL = ".{base}.journal.json"
_LOCK = ".{base}.lock"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (released by the system if the process dies)."""
    import fcntl

    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _roll_forward(folder: Path, base: str) -> None:
    """Finish a commit that a killed run had started (its journal lists the staged files), then tidy up."""
    journal = folder / _JOURNAL.format(base=base)
    if journal.is_file():
        try:
            entries: dict[str, str] = json.loads(journal.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            entries = {}
        finals: dict[str, Path] = {}
        for final_name, staged_name in entries.items():
            staged, final = folder / str(staged_name), folder / str(final_name)
            if final.parent != folder or staged.resolve().parent.parent != folder.resolve():
                continue  # not a journal this module wrote
            if staged.is_file():
                staged.replace(final)
            if final.is_file():
                finals[final.suffix.lstrip(".")] = final
        if finals:
            write_manifest(folder / f"{base}.manifest.json", finals, recovered=True)
        journal.unlink(missing_ok=True)
    for stale in folder.glob(f".{glob.escape(base)}.*.tmp*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


@contextmanager
def output_set(folder: Path, base: str, **info: Any) -> Iterator[Callable[[str], Path]]:
    """
    Write a run's files as one set: staged under temporary names, then committed together.

    Concurrent runs into the same folder and name take turns (a file lock); a run killed while
    committing is finished by the next one (a journal of the staged files); the manifest
    ``BASE.manifest.json`` is written last, so files that do not match it are never a finished set.

    Parameters
    ----------
    folder
        The output folder (created if missing).
    base
        The files' name without suffix.
    **info
        Recorded in the manifest.

    Yields
    ------
    callable
        ``stage(suffix)`` returns the temporary path to write the file ``BASE + suffix`` to.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"

    staging = folder / f".{base}.{token}.tmp"

    def stage(suffix: str) -> Path:
        # Files keep their final names inside a hidden staging folder (formats record their name).
        staging.mkdir(exist_ok=True)
        path = staging / f"{base}{suffix}"
        staged[f"{base}{suffix}"] = path
        return path

    with _locked(folder / _LOCK.format(base=base)):
        _roll_forward(folder, base)
        try:
            yield stage
            journal = folder / _JOURNAL.format(base=base)
            relative = {final: str(p.relative_to(folder)) for final, p in staged.items()}
            write_text(journal, json.dumps({"files": relative}))
            finals: dict[str, Path] = {}
            for final_name, path in staged.items():
                final = folder / final_name
                path.replace(final)
                finals[final.suffix.lstrip(".")] = final
            write_manifest(folder / f"{base}.manifest.json", finals, **info)
            journal.unlink()
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def verify_set(folder: Path, base: str) -> list[str]:
    """
    Check a run's output set against its manifest, finishing an interrupted commit first.

    Parameters
    ----------
    folder
        The output folder.
    base
        The files' name without suffix.

    Returns
    -------
    list of str
        Problems found (empty when the set is whole: every file listed, present and unchanged).
    """
    with _locked(folder / _LOCK.format(base=base)):
        _roll_forward(folder, base)
        manifest = folder / f"{base}.manifest.json"
        if not manifest.is_file():
            finals = [p.name for p in folder.glob(f"{glob.escape(base)}.*") if p.is_file()]
            return [f"files without a manifest: {', '.join(sorted(finals))}"] if finals else []
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            return [f"{manifest.name} is damaged"]
        problems = []
        for kind, entry in entries.items():
            path = folder / entry["file"]
            if not path.is_file():
                problems.append(f"{kind}: {path.name} is missing")
            elif path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
                problems.append(f"{kind}: {path.name} does not match the manifest")
        return problems
