"""
Read documents from plain text or JSON Lines, with clear errors for bad input.

A ``.txt`` file is one document; its metadata (title, published date) may sit
in a sidecar ``.json`` of the same stem. A ``.jsonl`` file holds one document
per line: ``{"id": str, "text": str[, "published": "YYYY-MM-DD"][, "title": str]}``;
any other keys (such as gold annotations) are kept in ``extra``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from geomap.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["MAX_DOCUMENT_BYTES", "Document", "document_from_mapping", "read_documents"]

MAX_DOCUMENT_BYTES = 5_000_000
"""Longest text accepted as one document (5 MB); news reports are far shorter."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One news report."""

    doc_id: str
    """Identifier, unique within its input."""
    text: str
    """The full text; every offset geomap reports indexes into it."""
    source: str = ""
    """Where the text came from (file path and line)."""
    published: dt.date | None = None
    """Publication date, the anchor for relative dates; None when unknown."""
    title: str = ""
    """Headline, when known."""
    country: str = ""
    """Country the report is about, as the source says (ISO alpha-2 code or English name); "" when unknown."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Other keys of the input line, untouched (e.g. gold toponym spans)."""


def _parse_date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as err:
        msg = f"{where}: published date {value!r} is not YYYY-MM-DD."
        raise InputError(msg) from err


def _check_text(text: str, where: str) -> str:
    if "\x00" in text:
        msg = f"{where}: the text contains NUL bytes; it looks binary, not a news report."
        raise InputError(msg)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
        msg = f"{where}: the document is over {MAX_DOCUMENT_BYTES:,} bytes; split it into reports."
        raise InputError(msg)
    return text


def document_from_mapping(obj: Any, where: str) -> Document:
    """
    Build a document from one parsed JSON object.

    Parameters
    ----------
    obj
        The parsed line.
    where
        ``path:line`` for error messages.

    Returns
    -------
    Document
        The document.

    Raises
    ------
    InputError
        When keys are missing or of the wrong type.
    """
    if not isinstance(obj, dict):
        msg = f"{where}: expected a JSON object with 'id' and 'text', got {type(obj).__name__}."
        raise InputError(msg)
    text = obj.get("text")
    if not isinstance(text, str):
        msg = f"{where}: 'text' must be a string, got {type(text).__name__}."
        raise InputError(msg)
    doc_id = obj.get("id")
    if not isinstance(doc_id, str | int) or isinstance(doc_id, bool):
        msg = f"{where}: 'id' must be a string, got {doc_id!r}."
        raise InputError(msg)
    extra = {k: v for k, v in obj.items() if k not in {"id", "text", "published", "title", "country"}}
    country = obj.get("country") or ""
    if not isinstance(country, str):
        msg = f"{where}: 'country' must be an ISO code or a country name, got {country!r}."
        raise InputError(msg)
    return Document(
        doc_id=str(doc_id),
        text=_check_text(text, where),
        source=where,
        published=_parse_date(obj.get("published"), where),
        title=str(obj.get("title") or ""),
        country=country.strip(),
        extra=extra,
    )


def _read_bytes(path: Path, limit: int) -> bytes:
    if not path.exists():
        msg = f"No such input file: {path}."
        raise InputError(msg)
    if path.is_dir():
        msg = f"{path} is a folder; give a .txt or .jsonl file."
        raise InputError(msg)
    size = path.stat().st_size
    if size > limit:
        msg = f"{path} is {size:,} bytes, over the {limit:,}-byte limit."
        raise InputError(msg)
    return path.read_bytes()


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        msg = f"{path} looks binary (NUL bytes), not UTF-8 text."
        raise InputError(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"{path} is not valid UTF-8 (byte {err.start}); convert it, e.g. with iconv -t UTF-8."
        raise InputError(msg) from err


def read_documents(path: Path, *, published: dt.date | None = None, country: str = "") -> Iterator[Document]:
    """
    Read the documents of a ``.txt`` or ``.jsonl`` file.

    Parameters
    ----------
    path
        The input file. ``.jsonl``/``.json`` files are JSON Lines; anything else is one text.
    published
        Publication date to use when the input gives none (``--date``).
    country
        Country hint to use when the input gives none (``--country``).

    Yields
    ------
    Document
        In input order.

    Raises
    ------
    InputError
        Empty, binary, non-UTF-8, oversized or malformed input, with the line at fault.
    """
    if path.suffix.lower() in {".jsonl", ".json", ".ndjson"}:
        for doc in _read_jsonl(path, published):
            yield replace(doc, country=doc.country or country)
        return
    text = _check_text(_decode(_read_bytes(path, MAX_DOCUMENT_BYTES), path), str(path))
    if not text.strip():
        msg = f"{path} is empty: there is no text to read."
        raise InputError(msg)
    meta: dict[str, Any] = {}
    sidecar = path.with_suffix(".json")
    if sidecar.exists():
        try:
            meta = json.loads(_decode(_read_bytes(sidecar, 1_000_000), sidecar))
        except json.JSONDecodeError as err:
            msg = f"{sidecar}: malformed JSON metadata ({err.msg} at line {err.lineno})."
            raise InputError(msg) from err
        if not isinstance(meta, dict):
            msg = f"{sidecar}: metadata must be a JSON object."
            raise InputError(msg)
    yield Document(
        doc_id=str(meta.get("id") or path.stem),
        text=text,
        source=str(path),
        published=_parse_date(meta.get("published"), str(sidecar)) or published,
        title=str(meta.get("title") or ""),
        country=str(meta.get("country") or "").strip() or country,
    )


def _read_jsonl(path: Path, published: dt.date | None) -> Iterator[Document]:
    if not path.is_file():
        msg = f"No such input file: {path}."
        raise InputError(msg)
    seen: set[str] = set()
    count = 0
    with path.open("rb") as handle:  # streamed: a batch may hold millions of lines
        for lineno, raw in enumerate(handle, start=1):
            where = f"{path}:{lineno}"
            if b"\x00" in raw:
                msg = f"{where}: NUL bytes; the file looks binary, not JSON Lines."
                raise InputError(msg)
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as err:
                msg = f"{where}: not valid UTF-8 (byte {err.start})."
                raise InputError(msg) from err
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                msg = f"{where}: malformed JSON ({err.msg} at column {err.colno})."
                raise InputError(msg) from err
            doc = document_from_mapping(obj, where)
            if doc.doc_id in seen:
                msg = f"{where}: duplicate document id {doc.doc_id!r}."
                raise InputError(msg)
            seen.add(doc.doc_id)
            if doc.published is None and published is not None:
                doc = replace(doc, published=published)
            count += 1
            yield doc
    if count == 0:
        msg = f"{path} holds no documents."
        raise InputError(msg)
