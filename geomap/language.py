"""
Language check: geomap reads English news; other languages get a clear warning.

English is recognised cheaply by its function words; only text that does not look English loads
the offline language identifier (py3langid, model shipped in its wheel).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

__all__ = ["detect_language", "language_warning"]

logger = logging.getLogger(__name__)

_SAMPLE_CHARS = 4000
_MIN_WORDS = 12
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and in to a was were is are on for said by with at from that has have had it its as be".split()  # noqa: SIM905
)
_ENGLISH_SHARE = 0.12
"""Share of English function words above which a text is English without asking the model."""
_CONFIDENT = 0.8

_NAMES = {
    "ar": "Arabic", "de": "German", "es": "Spanish", "fa": "Persian", "fr": "French", "it": "Italian",
    "ky": "Kyrgyz", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish", "uk": "Ukrainian",
    "uz": "Uzbek", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "pl": "Polish", "sv": "Swedish",
}  # fmt: skip


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """
    Return the language of a text and the model's probability.

    Parameters
    ----------
    text
        Any text; the first 4,000 characters are read.

    Returns
    -------
    tuple of (str, float)
        ISO 639-1 code and probability (1.0 for text recognised as English by its function words).

    Examples
    --------
    >>> detect_language("Two people were killed in the riots, and the curfew was extended on Sunday.")
    ('en', 1.0)
    """
    sample = text[:_SAMPLE_CHARS]
    words = [w.lower() for w in _WORD.findall(sample)]
    if words and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words) >= _ENGLISH_SHARE:
        return "en", 1.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def language_warning(text: str, where: str) -> str | None:
    """
    Return a warning when a text is confidently not English, else None.

    Parameters
    ----------
    text
        The document text.
    where
        The document's source, for the message.

    Returns
    -------
    str or None
        One line saying what was found and what to do.
    """
    if len(_WORD.findall(text[:_SAMPLE_CHARS])) < _MIN_WORDS:
        return None  # too short to judge
    lang, prob = detect_language(text)
    if lang == "en" or prob < _CONFIDENT:
        return None
    name = _NAMES.get(lang, lang)
    return (
        f"{where}: the text reads as {name} ({lang}), not English; geomap reads English news and will miss "
        "most places and events. Translate it first."
    )
