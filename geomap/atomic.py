"""
Atomic outputs: every file is written beside its target under a unique name and renamed into place.

A reader never sees half a file, two concurrent runs never write into each other's files, and a
run killed mid-write leaves the previous output (or none) and at most a hidden ``.NAME.*.tmp``
file that the next run ignores.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

__all__ = ["replacing", "write_manifest", "write_text"]


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
