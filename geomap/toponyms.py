"""
Find the place names of a text: gazetteer matching first, statistics to doubt.

Recognition is a longest-match scan over capitalised token runs ("New York",
"Bosnia and Herzegovina", "Jalal-Abad", "U.S.") against the normalised names
of the gazetteer, in one batched index query per document. Demonyms and
adjectives ("Uzbek", "Russian") are their own kind: they feed the country
context of a story but are not places on a map. Names that are also everyday
English words ("March", "Reading", "Mobile") are kept only when the place is
big enough for its name to be more likely than the word, or when the text
supports it ("in Reading", "Reading, England"); word frequencies come from
``data/common_words.tsv`` (wordfreq). An optional spaCy model can veto or
confirm doubtful names (:func:`apply_ner`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from geomap.names import normalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from geomap.gazetteer import Gazetteer
    from geomap.model import Candidate, Place

__all__ = [
    "ADMIN_UNITS",
    "FIRST_LEVEL_UNITS",
    "LOWER_LEVEL_UNITS",
    "MAX_SPAN_TOKENS",
    "Mention",
    "MentionKind",
    "Token",
    "extract_mentions",
    "tokenize",
    "unit_pattern",
    "without_direction",
]

MentionKind = Literal["place", "demonym"]
MAX_SPAN_TOKENS = 6
"""Longest place name, in tokens, that the scan tries."""

CONNECTORS = frozenset(
    {
        "of",
        "de",
        "del",
        "la",
        "le",
        "du",
        "da",
        "al",
        "el",
        "and",
        "upon",
        "on",
        "am",
        "sur",
        "dos",
        "en",
        "les",
        "aux",
        "au",
        "des",
        "di",
        "do",
        "das",
        "von",
        "van",
        "der",
        "den",
        "i",
        "e",
        "ul",
        "ar",
        "as",
        "ad",
        "an",
        "at",
        "az",
        "ash",
        "ath",
        "sous",
        "im",
        "bin",
        "ez",
        "es",
        "er",
        "ed",
        "ech",
        "et",
        "los",
        "las",
        "y",
        "della",
        "delle",
        "dei",
        "degli",
    }
)
"""Lower-case words allowed inside a multi-word name ("Isle of Man", "Rio de Janeiro")."""

_DIRECTIONS = frozenset(
    {"north", "south", "east", "west", "central", "northern", "southern", "eastern", "western", "upper", "lower"}
)
"""Direction words that, capitalised before a name, name a part of it ("South Florida", "Upper Egypt")."""

FIRST_LEVEL_UNITS = frozenset({"province", "state", "region", "governorate", "oblast", "division", "territory"})
"""Nouns of a country's first-level divisions ("the X province")."""
LOWER_LEVEL_UNITS = frozenset(
    {
        "county", "department", "prefecture", "canton", "district", "sub-district", "subdistrict", "township",
        "municipality", "commune", "raion", "zone", "sub-county", "subcounty", "parish", "borough", "ward", "sector",
        "LGA", "woreda", "kebele", "tehsil", "taluka", "upazila", "payam", "barangay",
    }
)  # fmt: skip
"""Nouns of the divisions below the first level, across the countries news covers ("X LGA", "X woreda")."""
ADMIN_UNITS = FIRST_LEVEL_UNITS | LOWER_LEVEL_UNITS
"""Nouns of administrative divisions: one table for recognition, resolution and event places."""


def unit_pattern(nouns: Iterable[str]) -> str:
    """
    Return a regular-expression alternation of unit nouns, longest first.

    Parameters
    ----------
    nouns
        Nouns as written (acronyms in capitals).

    Returns
    -------
    str
        ``"sub-district|district|..."``, escaped, for a non-capturing group.

    Examples
    --------
    >>> unit_pattern({"ward", "county", "LGA"})
    'county|ward|LGA'
    """
    return "|".join(re.escape(n) for n in sorted(nouns, key=lambda n: (-len(n), n)))


_DISTRICTS = frozenset({"A.ADM2", "A.ADM3", "A.ADM4"})
"""Feature codes of areas too small to vouch for an all-caps short form spelled otherwise."""

# Capitalised words that start sentences or titles and are never place names on their own.
_NEVER_ALONE = frozenset(
    {
        "east",
        "west",
        "north",
        "south",
        "central",
        "northern",
        "southern",
        "eastern",
        "western",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "upper",
        "lower",
        "middle",
        "new",
        "old",
        "great",
        "greater",
        "little",
        "around",
        "the",
        "a",
        "an",
        "i",
        "he",
        "she",
        "it",
        "we",
        "they",
        "this",
        "that",
        "these",
        "those",
        "in",
        "on",
        "at",
        "but",
        "and",
        "or",
        "if",
        "as",
        "by",
        "for",
        "from",
        "with",
        "after",
        "before",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "mt",
        "ft",
        "no",
        "so",
        "there",
        "here",
        "then",
        "when",
        "where",
        "what",
        "who",
        "why",
        "how",
    }
)
_PREPOSITIONS = frozenset(
    {
        "in",
        "near",
        "at",
        "from",
        "to",
        "into",
        "across",
        "outside",
        "around",
        "toward",
        "towards",
        "through",
        "via",
        "inside",
        "throughout",
        "between",
        "of",
    }
)
_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "president",
        "minister",
        "general",
        "gen",
        "sen",
        "senator",
        "judge",
        "king",
        "queen",
        "prince",
        "princess",
        "lord",
        "lady",
        "sir",
        "saint",
        "pope",
        "rep",
        "governor",
        "mayor",
        "chairman",
        "secretary",
        "professor",
        "prof",
        "captain",
        "coach",
    }
)
_ARTICLES = frozenset({"The", "THE", "A", "An"})
# Month and day names read as dates far more often than as the places that share them.
_CALENDAR = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    }
)
# Between the words of one name: a space, a hyphen, an abbreviation's period, or a possessive ("Lee's Summit").
_GAP_OK = re.compile(r"^(?:[ \u00a0]|-|\u2010|\u2011|\. |\.|['’]s )$")
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$|\n\s*$")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text with its character offsets."""

    start: int
    end: int
    text: str
    is_capitalised: bool
    """True when the word starts with an upper-case letter."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A span of text that names a place or a people."""

    doc_id: str
    """The document it is in."""
    text: str
    """The span itself: ``document.text[start_char:end_char]``."""
    start_char: int
    """Start offset (code points)."""
    end_char: int
    """End offset, exclusive."""
    kind: MentionKind
    """``place`` or ``demonym``."""
    key: str
    """Normalised form used for lookups."""
    doubt: float = 0.0
    """How likely the span is an everyday word rather than a name, in [0, 1]."""


def tokenize(text: str) -> list[Token]:
    """
    Split a text into word tokens with offsets; possessive ``'s`` is left out.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    list of Token
        Words in order.

    Examples
    --------
    >>> [t.text for t in tokenize("Kyrgyzstan's U.S. base near Jalal-Abad.")]
    ['Kyrgyzstan', 'U.S.', 'base', 'near', 'Jalal', 'Abad']
    """
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        end = match.end()
        possessive = _POSSESSIVE.search(word)
        if possessive and len(word) > 2:
            end -= 2
            word = word[:-2]
        tokens.append(Token(match.start(), end, word, word[:1].isupper()))
    return tokens


def _is_sentence_start(text: str, tokens: Sequence[Token], i: int) -> bool:
    if i == 0:
        return True
    gap = text[tokens[i - 1].end : tokens[i].start]
    prev = tokens[i - 1].text
    if gap.strip() == "" and "\n" in gap:
        return True
    return bool(_SENTENCE_END.search(text[max(0, tokens[i].start - 3) : tokens[i].start])) and not (
        len(prev) <= 3 and prev[:1].isupper() and gap.startswith(".") and prev.lower() in _TITLES | {"st", "mt", "ft"}
    )


def _span_keys(text: str, tokens: Sequence[Token]) -> dict[tuple[int, int], str]:
    """Return the normalised key of every token run that could be a name."""
    keys: dict[tuple[int, int], str] = {}
    for i, tok in enumerate(tokens):
        if not tok.is_capitalised or tok.text in _ARTICLES:
            continue
        for j in range(i, min(i + MAX_SPAN_TOKENS, len(tokens))):
            if j > i and not _GAP_OK.match(text[tokens[j - 1].end : tokens[j].start]):
                break
            last = tokens[j]
            if not last.is_capitalised and last.text.lower() not in CONNECTORS:
                break
            if last.is_capitalised:
                keys[(i, j)] = normalize_name(text[tok.start : last.end])
    return keys


def _strength(place: Place) -> float:
    """Return how strongly a place's size argues for its name, on the Zipf scale of words."""
    if place.is_country or place.feature in {"L.CONT", "L.RGN"}:
        return 8.0
    if place.feature == "A.ADM1":
        return 6.5
    # log10 of population + 1.5: a city of 1M is worth a word of Zipf 7.5 (very common).
    return (len(str(place.population)) - 1) + 1.5 if place.population > 0 else 1.5


def _person_words(
    text: str, tokens: Sequence[Token], span_keys: dict[tuple[int, int], str], found: dict[str, list[Candidate]]
) -> set[str]:
    """
    Return words that this text uses inside person-like names.

    A run of two or three capitalised words joined by single spaces that is
    not itself a place ("Roza Otunbayeva", "Mark Zuckerberg") and is not at a
    sentence start marks each of its words as a person's name for the whole
    text (one sense per discourse).
    """
    words: set[str] = set()
    n = len(tokens)
    i = 0
    while i < n:
        j = i
        while j + 1 < n and tokens[j + 1].is_capitalised and text[tokens[j].end : tokens[j + 1].start] == " ":
            j += 1
        if tokens[i].is_capitalised and 1 <= j - i <= 2:
            run_key = span_keys.get((i, j))
            if run_key not in found and not any(tokens[k].text.isupper() for k in range(i, j + 1)):
                start = i + 1 if _is_sentence_start(text, tokens, i) else i
                words.update(normalize_name(tokens[k].text) for k in range(start, j + 1))
        i = j + 1
    return words


def _in_name_run(text: str, tokens: Sequence[Token], i: int, j: int) -> bool:
    """Tell whether a span is glued by a space to capitalised words that are not part of it."""
    before = i > 0 and tokens[i - 1].is_capitalised and text[tokens[i - 1].end : tokens[i].start] == " "
    after = j + 1 < len(tokens) and tokens[j + 1].is_capitalised and text[tokens[j].end : tokens[j + 1].start] == " "
    return (before and not _is_sentence_start(text, tokens, i)) or after


def _doubt(
    text: str,
    tokens: Sequence[Token],
    i: int,
    j: int,
    cands: Sequence[Candidate],
    gazetteer: Gazetteer,
    lower_words: set[str],
    person_words: set[str],
) -> float:
    """
    Return how likely a matched span is not a place name, in [0, 1].

    Multi-word names and big places are trusted; single words that are
    frequent English words are doubted in proportion to how much more frequent
    the word is than the place is big, more so at the start of a sentence,
    after a title ("President Jordan"), or when the text also uses the word
    in lower case.
    """
    first = tokens[i]
    span_text = text[first.start : tokens[j].end]
    if first.text.lower() in _NEVER_ALONE and i == j:
        return 1.0
    best = cands[0].place
    # The strongest place spelled exactly as written vouches for the name ("Atlantic" the ocean, not the town).
    strength = max([_strength(c.place) for c in cands if span_text in c.spellings] or [_strength(best)])
    common = gazetteer.common_words
    if j > i:
        # "White House", "Notre Dame": every word everyday, the place small.
        words = [normalize_name(t.text) for t in tokens[i : j + 1] if t.text.lower() not in CONNECTORS]
        everyday = all(common.get(w, 0.0) >= 4.0 for w in words)
        small = best.feature_class not in {"A", "L"} and strength < 4.5
        return 0.55 if everyday and small else 0.0
    word = normalize_name(first.text)
    if len(word) <= 1:
        return 1.0
    if "." not in text[tokens[j].end : tokens[j].end + 1] and all(
        "." in spelling for c in cands for spelling in c.spellings
    ):
        return 1.0  # only an abbreviation ("La.", "Calif.") spells it so, and the text has no period
    after_comma = text[max(0, first.start - 2) : first.start] == ", "
    if (
        after_comma
        and text[tokens[j].end : tokens[j].end + 1] == "."
        and any(span_text + "." in c.spellings for c in cands)
    ):
        return 0.0  # a state's abbreviation after a comma, spelled so in the gazetteer ("Jefferson County, Colo.")
    # All-caps short forms (US, UK, NSW, EU) and dotted ones (U.S.) are names when spelled so in the gazetteer.
    if (span_text.isupper() and len(span_text) <= 5) or "." in span_text:
        exact_area = any(span_text in c.spellings and c.place.feature_class in {"A", "L"} for c in cands)
        # A district spelled otherwise ("Midi" for "MIDI") vouches for no acronym.
        large_area = best.feature_class in {"A", "L"} and best.feature not in _DISTRICTS
        return 0.0 if exact_area or large_area else 0.6
    zipf = common.get(word, 0.0)
    doubt = max(0.0, min(1.0, (zipf - strength + 2.5) / 3.0))
    if word in _CALENDAR:
        doubt = min(1.0, doubt + 0.6)
    # A town or a district: the names that people also bear (a county, a district named after a person).
    local = best.feature_class == "P" or best.feature in _DISTRICTS
    if word in person_words and local and strength < 6.5:
        # Seen in this text as part of a person's name ("Mark Zuckerberg" ... "Zuckerberg said").
        doubt = min(1.0, doubt + 0.6)
    if first.text.lower() in lower_words:
        doubt = min(1.0, doubt + 0.35)
    if i > 0 and tokens[i - 1].text.lower() in _TITLES:
        doubt = min(1.0, doubt + 0.5)
    if local and strength < 6.0 and _in_name_run(text, tokens, i, j):
        # "Roza Otunbayeva", "Islam Karimov": a small place's name inside a person's name.
        doubt = min(1.0, doubt + 0.6)
    if _is_sentence_start(text, tokens, i) and zipf >= 3.5:
        doubt = min(1.0, doubt + 0.25)
    if i > 0 and tokens[i - 1].text.lower() in _PREPOSITIONS and not _is_sentence_start(text, tokens, i):
        doubt = max(0.0, doubt - 0.35)
    return doubt


def _with_abbreviation_period(text: str, mention: Mention, cands: Sequence[Candidate]) -> Mention:
    """
    Take in the period of an abbreviation spelled so in the gazetteer: "Slidell, La." names "La.".

    Examples
    --------
    >>> from geomap.gazetteer import load_gazetteer
    >>> [m.text for m in extract_mentions("He lives in Slidell, La., near the lake.", load_gazetteer())]
    ['Slidell', 'La.']
    """
    dotted = mention.text + "."
    if text[mention.end_char : mention.end_char + 1] != "." or not any(dotted in c.spellings for c in cands):
        return mention
    return replace(mention, text=dotted, end_char=mention.end_char + 1)


def _with_direction(
    text: str, tokens: Sequence[Token], i: int, mention: Mention, mentions: Sequence[Mention]
) -> Mention:
    """
    Take in a capitalised direction word that qualifies a name: "South Florida", "West Wales".

    The name keeps its own lookup key (the part of the region is found through the whole); a
    direction word read as a place of its own just before is merged in (the caller drops it).
    """
    if i == 0 or text[tokens[i - 1].end : tokens[i].start] != " ":
        return mention
    word = tokens[i - 1]
    if not word.is_capitalised or word.text.lower() not in _DIRECTIONS:
        return mention
    if mentions and mentions[-1].end_char > word.start and mentions[-1].start_char != word.start:
        return mention  # the word belongs to a longer name before
    return replace(mention, text=text[word.start : mention.end_char], start_char=word.start)


def without_direction(surface: str) -> str:
    """
    Return a name without a leading capitalised direction word ("" when it has none).

    Examples
    --------
    >>> without_direction("South Florida")
    'Florida'
    >>> without_direction("Florida")
    ''
    """
    head, _, rest = surface.partition(" ")
    if rest and head[:1].isupper() and head.lower() in _DIRECTIONS:
        return rest
    return ""


def extract_mentions(
    text: str,
    gazetteer: Gazetteer,
    *,
    doc_id: str = "",
    max_doubt: float = 0.5,
) -> list[Mention]:
    """
    Find place names and demonyms in a text.

    Parameters
    ----------
    text
        The document text.
    gazetteer
        The name index.
    doc_id
        Copied into each mention.
    max_doubt
        Spans more doubtful than this are dropped.

    Returns
    -------
    list of Mention
        Non-overlapping, in text order; ``text[m.start_char:m.end_char] == m.text``.

    Examples
    --------
    >>> from geomap.gazetteer import load_gazetteer
    >>> [(m.text, m.kind) for m in extract_mentions("Uzbek homes in Osh burned.", load_gazetteer())]
    [('Uzbek', 'demonym'), ('Osh', 'place')]
    """
    tokens = tokenize(text)
    span_keys = _span_keys(text, tokens)
    found = gazetteer.lookup_keys(span_keys.values())
    demonyms = gazetteer.demonyms
    lower_words = {t.text for t in tokens if not t.is_capitalised}
    person_words = _person_words(text, tokens, span_keys, found)
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        best: Mention | None = None
        for j in range(min(i + MAX_SPAN_TOKENS, len(tokens)) - 1, i - 1, -1):
            key = span_keys.get((i, j))
            if key is None:
                continue
            start, end = tokens[i].start, tokens[j].end
            if key in demonyms and (j > i or key not in found or not found[key][0].place.is_country):
                best = Mention(
                    doc_id=doc_id, text=text[start:end], start_char=start, end_char=end, kind="demonym", key=key
                )
                break
            cands = [c for c in found.get(key, ()) if not c.is_code_only(text[start:end])]
            if cands:
                doubt = _doubt(text, tokens, i, j, cands, gazetteer, lower_words, person_words)
                if doubt <= max_doubt:
                    best = Mention(
                        doc_id=doc_id,
                        text=text[start:end],
                        start_char=start,
                        end_char=end,
                        kind="place",
                        key=key,
                        doubt=round(doubt, 3),
                    )
                    break
        if best is None:
            i += 1
            continue
        best = _with_abbreviation_period(text, best, found.get(best.key, ()))
        directed = _with_direction(text, tokens, i, best, mentions)
        if directed is not best and mentions and mentions[-1].start_char == directed.start_char:
            mentions.pop()  # the direction word had been read as a place of its own
        mentions.append(directed)
        while i < len(tokens) and tokens[i].start < best.end_char:
            i += 1
    return mentions
