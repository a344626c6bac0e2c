"""
Read documents from plain text, saved web pages or JSON Lines, with clear errors for bad input.

A ``.txt`` file is one document; its metadata (title, published date) may sit
in a sidecar ``.json`` of the same stem, else its first line, when it reads as
a headline, is the title. A saved web page (``.html``) goes through trafilatura
for its body, title, date and URL. A ``.jsonl`` file holds one document
per line: ``{"id": str, "text": str[, "published": "YYYY-MM-DD"][, "title": str]}``;
any other keys (such as gold annotations) are kept in ``extra``. A report that is
confidently not English, or whose weekday and relative dates cannot be anchored
(no published date), is read with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import stat
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO

from geomap.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from geomap.focus import AreaPrior

__all__ = ["MAX_DOCUMENT_BYTES", "Document", "document_from_mapping", "read_documents"]

logger = logging.getLogger(__name__)

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
    region: str = ""
    """Countries or admin-1 regions the report is about, as the source says (``--region``): a soft prior."""
    prior: AreaPrior | None = field(default=None, compare=False, hash=False)
    """The feed focus (:func:`geomap.focus.with_feed_focus`), when learned."""
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
    extra = {k: v for k, v in obj.items() if k not in {"id", "text", "published", "title", "country", "region"}}
    country = obj.get("country") or ""
    if not isinstance(country, str):
        msg = f"{where}: 'country' must be an ISO code or a country name, got {country!r}."
        raise InputError(msg)
    region = obj.get("region") or ""
    if not isinstance(region, str):
        msg = f"{where}: 'region' must be a string of countries or admin-1 regions, got {region!r}."
        raise InputError(msg)
    return Document(
        doc_id=str(doc_id),
        text=_check_text(text, where),
        source=where,
        published=_parse_date(obj.get("published"), where),
        title=str(obj.get("title") or ""),
        country=country.strip(),
        region=region.strip(),
        extra=extra,
    )


def _check_regular(path: Path) -> None:
    """Refuse anything but a regular file: folders, FIFOs and devices could block or never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        msg = f"No such input file: {path}."
        raise InputError(msg) from None
    if stat.S_ISDIR(mode):
        msg = f"{path} is a folder; give a .txt, .html or .jsonl file."
        raise InputError(msg)
    if not stat.S_ISREG(mode):
        msg = f"{path} is not a regular file (a pipe or a device); save the input to a file first."
        raise InputError(msg)


def _read_bytes(path: Path, limit: int) -> bytes:
    _check_regular(path)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)  # the limit holds while reading, even if the file grows
    if len(data) > limit:
        msg = f"{path} is over the {limit:,}-byte limit; split it into reports."
        raise InputError(msg)
    return data


_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL
)
_HEADLINE_MAX = 200
_MIN_ARTICLE_WORDS = 8
_UNANCHORED = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|tomorrow|"
    r"last\s+(?:week|month|year|night)|this\s+(?:week|month|year|morning|evening)|(?:\w+\s+)?days?\s+ago)\b",
    re.IGNORECASE,
)


def _looks_html(path: Path, data: bytes) -> bool:
    return path.suffix.lower() in _HTML_SUFFIXES or bool(_HTML_START.match(data[:4096]))


def _from_html(data: bytes, path: Path) -> tuple[str, dict[str, Any]]:
    """Extract a web page's article body, title, date and URL with trafilatura."""
    from trafilatura import bare_extraction

    page = _decode(data, path)
    result = bare_extraction(page, with_metadata=True, include_comments=False, include_tables=False)
    found: dict[str, Any] = {}
    if isinstance(result, dict):
        found = result
    elif result is not None:
        found = result.as_dict()
    text = str(found.get("text") or "").strip()
    meta = {key: found.get(key) for key in ("title", "date", "url") if found.get(key)}
    first, _, rest = text.partition("\n")
    if meta.get("title") and first.strip() == str(meta["title"]).strip():
        text = rest.strip()  # the headline is the title, not the first line of the body
    if len(text.split()) < _MIN_ARTICLE_WORDS:
        msg = f"{path}: no article text found in the web page; save the article itself, or its text as .txt."
        raise InputError(msg)
    if "date" in meta:
        meta["published"] = str(meta.pop("date"))[:10]
    return text, meta


def _headline(text: str) -> str:
    """Return the first line as a title when it reads as a headline (short, not a sentence, more follows)."""
    first, _, rest = text.strip().partition("\n")
    first = first.strip()
    if rest.strip() and 0 < len(first) <= _HEADLINE_MAX and not first.endswith((".", ",", ";", ":")):
        return first
    return ""


def _warn_about(doc: Document) -> None:
    from geomap.language import language_warning

    warning = language_warning(doc.text, doc.source or doc.doc_id)
    if warning:
        logger.warning("%s", warning)
    if doc.published is None:
        match = _UNANCHORED.search(doc.text)
        if match:
            logger.warning(
                "%s: no published date, so %r and other relative dates cannot be anchored; "
                "give --date or a 'published' key.",
                doc.source or doc.doc_id,
                match.group(0),
            )


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        msg = f"{path} looks binary (NUL bytes), not UTF-8 text."
        raise InputError(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"{path} is not valid UTF-8 (byte {err.start}); convert it, e.g. with iconv -t UTF-8."
        raise InputError(msg) from err


def read_documents(
    path: Path,
    *,
    published: dt.date | None = None,
    country: str = "",
    region: str = "",
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[Document]:
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
    region
        Region hint to use when the input gives none (``--region``, :func:`geomap.focus.region_prior`).
    on_error
        Called with the error of each bad JSON Lines line, which is then skipped (the rest is
        read); by default the first bad line raises.

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
        for doc in _read_jsonl(path, published, on_error):
            doc = replace(doc, country=doc.country or country, region=doc.region or region)
            _warn_about(doc)
            yield doc
        return
    data = _read_bytes(path, MAX_DOCUMENT_BYTES)
    if data.startswith(b"%PDF-"):
        msg = f"{path} is a PDF; extract its text first (e.g. pdftotext -layout {path.name} report.txt)."
        raise InputError(msg)
    page_meta: dict[str, Any] = {}
    if _looks_html(path, data):
        text, page_meta = _from_html(data, path)
    else:
        text = _decode(data, path)
    text = _check_text(text, str(path))
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
    meta = page_meta | meta  # the sidecar overrides what the page says
    doc = Document(
        doc_id=str(meta.get("id") or path.stem),
        text=text,
        source=str(meta.get("url") or path) if page_meta else str(path),
        published=_parse_date(meta.get("published"), str(sidecar)) or published,
        title=str(meta.get("title") or "") or ("" if page_meta else _headline(text)),
        country=str(meta.get("country") or "").strip() or country,
        region=str(meta.get("region") or "").strip() or region,
        extra={k: str(meta[k]) for k in ("url", "feed", "outlet") if meta.get(k)},
    )
    _warn_about(doc)
    yield doc


def _read_jsonl(
    path: Path, published: dt.date | None, on_error: Callable[[InputError], None] | None = None
) -> Iterator[Document]:
    _check_regular(path)
    seen: set[str] = set()
    count = 0
    with path.open("rb") as handle:  # streamed: a batch may hold millions of lines
        for lineno, raw in enumerate(_bounded_lines(handle), start=1):
            try:
                doc = _jsonl_line(raw, f"{path}:{lineno}", lineno, seen)
            except InputError as err:
                if on_error is None:
                    raise
                on_error(err)
                continue
            if doc is None:
                continue
            if doc.published is None and published is not None:
                doc = replace(doc, published=published)
            count += 1
            yield doc
    if count == 0:
        msg = f"{path} holds no documents."
        raise InputError(msg)


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes]:
    """Yield the lines of a file, each cut at the document limit (an overlong line yields its head only)."""
    while raw := handle.readline(MAX_DOCUMENT_BYTES + 1):
        if len(raw) > MAX_DOCUMENT_BYTES and not raw.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the overlong line without holding it
        yield raw


def _jsonl_line(raw: bytes, where: str, lineno: int, seen: set[str]) -> Document | None:
    if len(raw) > MAX_DOCUMENT_BYTES:
        msg = f"{where}: the line is over the {MAX_DOCUMENT_BYTES:,}-byte limit of one document."
        raise InputError(msg)
    if b"\x00" in raw:
        msg = f"{where}: NUL bytes; the file looks binary, not JSON Lines."
        raise InputError(msg)
    try:
        line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
    except UnicodeDecodeError as err:
        msg = f"{where}: not valid UTF-8 (byte {err.start})."
        raise InputError(msg) from err
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        reason = f"{err.msg} at column {err.colno}" if isinstance(err, json.JSONDecodeError) else "nested too deeply"
        msg = f"{where}: malformed JSON ({reason})."
        raise InputError(msg) from err
    doc = document_from_mapping(obj, where)
    if doc.doc_id in seen:
        msg = f"{where}: duplicate document id {doc.doc_id!r}."
        raise InputError(msg)
    seen.add(doc.doc_id)
    return doc
