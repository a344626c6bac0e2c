"""
Read counts and dates out of news sentences, keeping the wording.

Counts follow ACLED's conservative rules and UCDP's low/best/high range
(../shared/research/field-conventions.md §4.1): "at least 77" -> 77,
"more than 1,000" -> 1000, "dozens" -> 12, "thousands" -> 1000, "a man was
killed" -> 1. Dates follow §4.2: relative expressions are resolved against the
document's publication date ("Saturday" in a Saturday paper is that day; "will
meet Monday" looks forward), with ACLED's time_precision; nothing is invented
when no date is known.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = [
    "Count",
    "DateInfo",
    "find_count",
    "find_date",
    "find_dates",
    "iter_counts",
    "parse_number",
]

Qualifier = Literal["exact", "at_least", "more_than", "approx", "up_to", "range", "vague", "unspecified"]

WORD_NUMBERS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "dozen": 12,
    "a dozen": 12,
    "single": 1,
    "both": 2,
    "couple": 2,
    "a couple of": 2,
}
"""Number words and their values."""

VAGUE_COUNTS: dict[str, int] = {
    "tens": 10,
    "dozens": 12,
    "scores": 20,
    "hundreds": 100,
    "many hundreds": 100,
    "several hundred": 100,
    "thousands": 1000,
    "several thousand": 1000,
    "tens of thousands": 10000,
    "hundreds of thousands": 100000,
    "millions": 1000000,
}
"""ACLED's conservative reading of vague quantities."""

_QUALIFIERS: list[tuple[str, Qualifier]] = [
    (r"at least|no fewer than|not less than|a minimum of", "at_least"),
    (r"more than|over|upwards of|in excess of|above", "more_than"),
    (r"about|around|approximately|nearly|almost|some|roughly|an estimated|estimated|close to", "approx"),
    (r"up to|as many as", "up_to"),
]
_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_WORDNUM = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS if " " not in w), key=len, reverse=True))
_VAGUE = "|".join(sorted((re.escape(w) for w in VAGUE_COUNTS), key=len, reverse=True))
_QUAL = "|".join(q for q, _ in _QUALIFIERS)
_MULT = r"(?:\s+(?:million|thousand|hundred))?"
COUNT_RE = re.compile(
    rf"\b(?P<qual>(?:{_QUAL})\s+)?"
    rf"(?:(?P<frac>(?:a\s+quarter|a\s+third|half|three[\s-]+quarters|two[\s-]+thirds)\s+(?:of\s+)?an?\s+"
    rf"(?:million|thousand))|"
    rf"(?P<lo>{_NUM})\s*(?:-|–|to|and)\s*(?P<hi>{_NUM})|(?P<num>{_NUM}){_MULT}|(?P<vague>{_VAGUE})|"
    rf"(?P<word>{_WORDNUM})(?:[\s-]+(?P<word2>one|two|three|four|five|six|seven|eight|nine))?{_MULT})\b",
    re.IGNORECASE,
)
_PEOPLE = (
    r"(?:people|persons|civilians|protesters|protestors|demonstrators|soldiers|troops|police(?:men|women)?|"
    r"officers|militants|fighters|rebels|insurgents|residents|villagers|children|women|men|man|woman|boy|girl|"
    r"students|workers|members|others|individuals|bodies|refugees|migrants|family|families|personnel|"
    r"combatants|attackers|gunmen|worshippers|pilgrims|farmers|herders|journalists|prisoners|inmates|guards|"
    r"[a-z]+(?:s|er|or|ist|ian|man|men|ee|ant|ent))"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    """A stated number of people, with its wording."""

    text: str
    """Verbatim wording, e.g. ``"at least 77"``."""
    start_char: int
    """Offset of the wording in the document."""
    end_char: int
    """End offset, exclusive."""
    qualifier: Qualifier
    """How the number is hedged."""
    low: int | None
    """Lowest reasonable value (UCDP)."""
    best: int
    """Most likely value, conservative."""
    high: int | None
    """Highest reasonable value, when stated."""

    @property
    def acled(self) -> int:
        """Return ACLED's conservative count: the stated bound, or the vague quantity's floor."""
        return self.best

    def display(self) -> str:
        """
        Return the count as a reader expects it: "≥ 77", "1,000+", "~50", "thousands".

        Returns
        -------
        str
            A short label.
        """
        if self.qualifier == "at_least":
            return f"≥ {self.best:,}"
        if self.qualifier == "more_than":
            return f"{self.best:,}+"
        if self.qualifier in {"approx", "up_to"}:
            return f"~{self.best:,}"
        if self.qualifier in {"vague", "unspecified"}:
            return self.text
        return f"{self.best:,}"


def parse_number(text: str) -> int | None:
    """
    Read a number written in digits or words.

    Parameters
    ----------
    text
        ``"1,000"``, ``"77"``, ``"three"``, ``"twenty-two"``, ``"2 million"``.

    Returns
    -------
    int or None
        The value, or None when the text is no number.

    Examples
    --------
    >>> parse_number("1,000"), parse_number("twenty-two"), parse_number("2 million"), parse_number("x")
    (1000, 22, 2000000, None)
    """
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    multiplier = 1
    if words[-1] in {"million", "thousand", "hundred"} and len(words) > 1:
        multiplier = {"million": 1_000_000, "thousand": 1000, "hundred": 100}[words[-1]]
        words = words[:-1]
    head = " ".join(words)
    if re.fullmatch(_NUM, head):
        return int(float(head.replace(",", "")) * multiplier)
    total = 0
    for word in words:
        if word not in WORD_NUMBERS:
            return None
        total += WORD_NUMBERS[word]
    return total * multiplier


def _count_from_match(match: re.Match[str], offset: int) -> Count:
    qual_text = (match.group("qual") or "").strip().lower()
    qualifier: Qualifier = "exact"
    for pattern, name in _QUALIFIERS:
        if qual_text and re.fullmatch(pattern, qual_text):
            qualifier = name
    text = match.group().strip()
    start = offset + match.start() + (len(match.group()) - len(match.group().lstrip()))
    if match.group("lo"):
        first = parse_number(match.group("lo")) or 0
        last = parse_number(match.group("hi")) or first
        return Count(
            text=text, start_char=start, end_char=start + len(text), qualifier="range", low=first, best=first, high=last
        )
    if match.group("frac"):
        # "a quarter of a million", "half a million": the share of the unit
        words = [w.removesuffix("s") for w in match.group("frac").lower().replace("-", " ").split()]
        share = {"quarter": 0.25, "third": 1 / 3, "half": 0.5}[
            next(w for w in words if w in {"quarter", "third", "half"})
        ]
        share *= 3 if "three" in words else 2 if "two" in words else 1
        unit = 1_000_000 if words[-1].startswith("million") else 1000
        frac_value = round(share * unit)
        low_f: int | None = None if qualifier in {"approx", "up_to"} else frac_value
        return Count(
            text=text,
            start_char=start,
            end_char=start + len(text),
            qualifier=qualifier,
            low=low_f,
            best=frac_value,
            high=None if qualifier in {"at_least", "more_than", "approx"} else frac_value,
        )
    if match.group("vague"):
        value = VAGUE_COUNTS[match.group("vague").lower()]
        return Count(
            text=text, start_char=start, end_char=start + len(text), qualifier="vague", low=value, best=value, high=None
        )
    number_text = match.group("num") or match.group("word")
    tail = match.group()[match.end("num" if match.group("num") else "word") - match.start() :]
    value = parse_number(f"{number_text} {match.group('word2') or ''} {tail}".strip()) or 0
    low: int | None = value
    high: int | None = value
    if qualifier == "at_least":
        high = None
    elif qualifier == "more_than":
        low, high = value + 1, None
    elif qualifier == "approx":
        low = high = None
    elif qualifier == "up_to":
        low = None
    return Count(
        text=text, start_char=start, end_char=start + len(text), qualifier=qualifier, low=low, best=value, high=high
    )


def iter_counts(sentence: str, *, offset: int = 0) -> list[Count]:
    """
    Return every number of the sentence that may count people (years and "a"/"an" left out), with its wording.

    Parameters
    ----------
    sentence
        One sentence.
    offset
        Offset of the sentence in the document.

    Returns
    -------
    list of Count
        In text order.

    Examples
    --------
    >>> [c.text for c in iter_counts("In 2010 at least 77 died and dozens fled.")]
    ['at least 77', 'dozens']
    """
    out = []
    for match in COUNT_RE.finditer(sentence):
        word = (match.group("word") or "").lower()
        multiplied = re.search(r"(?:million|thousand|hundred)$", match.group().strip().lower()) is not None
        if _is_year(match) or (word in {"a", "an"} and not match.group("qual") and not multiplied):
            continue
        out.append(_count_from_match(match, offset))
    return out


def find_count(sentence: str, trigger: re.Pattern[str], *, offset: int = 0) -> Count | None:
    r"""
    Find the number of people a trigger word ("killed", "wounded") applies to.

    Looks for a count before the trigger within its clause ("at least 77 people
    were killed", "killed at least 77 people", "wounded many hundreds"), the
    nearest one winning; "a man was killed" counts 1.

    Parameters
    ----------
    sentence
        One sentence.
    trigger
        Compiled pattern of the trigger word(s).
    offset
        Offset of the sentence in the document, added to the returned offsets.

    Returns
    -------
    Count or None
        None when the sentence has no such trigger or no count near it.

    Examples
    --------
    >>> killed = re.compile(r"\bkill(?:ed|ing)\b")
    >>> c = find_count("Riots that have killed at least 77 people.", killed)
    >>> (c.text, c.qualifier, c.best)
    ('at least 77', 'at_least', 77)
    >>> find_count("A man was killed.", killed).best
    1
    """
    best: tuple[int, Count] | None = None
    for hit in trigger.finditer(sentence):
        negation = _NEGATION.search(sentence[max(0, hit.start() - 40) : hit.start()])
        if negation:
            start = offset + max(0, hit.start() - 40) + negation.start()
            return Count(
                text=negation.group().strip(),
                start_char=start,
                end_char=start + len(negation.group().strip()),
                qualifier="exact",
                low=0,
                best=0,
                high=0,
            )
        clause_start = max(sentence.rfind(ch, 0, hit.start()) for ch in ";:") + 1
        clause_end = min((i for i in (sentence.find(ch, hit.end()) for ch in ";:") if i >= 0), default=len(sentence))
        after = sentence[hit.end() : min(clause_end, hit.end() + 60)]
        before = sentence[max(clause_start, hit.start() - 90) : hit.start()]
        base_before = max(clause_start, hit.start() - 90)
        # "killed 77 people" / "wounded many hundreds" / "killing two policemen"
        m_after = COUNT_RE.match(after.lstrip()) if after[:1].isspace() else None
        rest = after.lstrip()[m_after.end() :] if m_after else ""
        if (
            m_after
            and not _is_year(m_after)
            and not _is_both_and(m_after, rest)
            and (
                _is_people_count(rest, m_after)
                or re.match(r"^\s*(?:[.,;]|and\b|$)", rest)
                or m_after.group("num")
                or (m_after.group("word") and m_after.group("word").lower() not in {"a", "an"})
            )
        ):
            shift = hit.end() + (len(after) - len(after.lstrip()))
            cand = _count_from_match(m_after, offset + shift)
            best = _closer(best, (0, cand))
            continue
        # "he was killed", "killing her and 3 of her neighbours"
        pronoun = _PRONOUN_BEFORE.search(before) or _PRONOUN_AFTER.match(after)
        if pronoun:
            extra = parse_number(pronoun.group("more") or "") or 0
            base = offset + (base_before if pronoun.re is _PRONOUN_BEFORE else hit.end())
            cand = Count(
                text=pronoun.group().strip(),
                start_char=base + pronoun.start(),
                end_char=base + pronoun.start() + len(pronoun.group().strip()),
                qualifier="exact",
                low=1 + extra,
                best=1 + extra,
                high=1 + extra,
            )
            best = _closer(best, (1, cand))
            continue
        # "at least 77 people were killed" / "77 killed" / "a man was killed"
        summed = _conjoined_counts(before, offset + base_before)
        if summed is not None:
            best = _closer(best, (0, summed))
            continue
        for m_before in COUNT_RE.finditer(before):
            if _is_year(m_before) or re.search(
                r"\b(?:including|among them|of whom|of which)\s*$", before[: m_before.start()]
            ):
                continue
            following = before[m_before.end() :]
            if _is_both_and(m_before, following):
                continue
            if _CASUALTY.search(following):
                continue  # the count belongs to an earlier trigger: "killed 77 people and wounded ..."
            if following.strip() and not _is_people_count(following, m_before):
                continue
            cand = _count_from_match(m_before, offset + base_before)
            distance = len(following)
            best = _closer(best, (distance, cand))
    return best[1] if best else None


_NEGATION = re.compile(
    r"\b(?:no one|nobody|no-one|none|no (?:one|deaths?|casualties|fatalities|injuries|people))\b"
    r"(?:\s+(?:was|were|has been|have been))?\s*$",
    re.I,
)
_CASUALTY = re.compile(r"\b(?:kill\w*|dead|died|deaths?|wound\w*|injur\w*|hurt|fled|flee\w*|displac\w*)\b", re.I)


_PRONOUN_BEFORE = re.compile(r"\b(?:he|she)\s+(?:was|had been|has been)\s+(?:\w+\s+(?:and\s+)?)?$(?P<more>)?", re.I)
_PRONOUN_AFTER = re.compile(rf"^\s+(?:him|her)\b(?:\s+and\s+(?P<more>{_NUM}|{_WORDNUM})\b)?", re.I)


def _is_both_and(match: re.Match[str], rest: str) -> bool:
    """
    Tell whether a count word is the "both" of "both A and B" (two groups named, not two people).

    Examples
    --------
    >>> m = COUNT_RE.match("both")
    >>> _is_both_and(m, " rebels and civilians"), _is_both_and(m, " men were killed")
    (True, False)
    >>> _is_both_and(m, " brothers and wounding their father")
    False
    """
    word = match.group("word")
    if not word or word.lower() != "both":
        return False
    return re.match(r"^\s+(?:[\w'-]+\s+){1,3}and\s+(?![\w-]+(?:ing|ed)\b)\w", rest) is not None


def _is_year(match: re.Match[str]) -> bool:
    num = match.group("num")
    return bool(num) and len(num) == 4 and num.isdigit() and 1800 <= int(num) <= 2100


_TIME_UNITS = r"(?i:seconds|minutes|hours|days|nights|weeks|months|years|decades|centuries)"


def _conjoined_counts(before: str, offset: int) -> Count | None:
    """Add up "17 militants and 4 militiamen were killed", "5 soldiers, 35 militants and 3 civilians were killed"."""
    tail = re.search(r"(?:were|was|have been|had been)\s*$", before)
    if tail is None:
        return None
    # "in the last three months, 95 children were charged": a span of time is no group of people
    part = rf"(?:{_NUM}|{_WORDNUM})\s+(?:[\w-]+\s+){{0,3}}?(?!{_TIME_UNITS}\b){_PEOPLE}"
    chain = re.search(
        rf"\b(?:{part})(?:,?\s+(?:and\s+)?(?:between\s+)?{part})+\s*(?:\([^)]*\)\s*)?$",
        before[: tail.start()],
        re.IGNORECASE,
    )
    if chain is None:
        return None
    total = 0
    for piece in re.finditer(
        rf"(?:between\s+)?(?P<n>{_NUM}|{_WORDNUM})(?:\s+and\s+(?:{_NUM}))?\s+", chain.group(), re.IGNORECASE
    ):
        value = parse_number(piece.group("n"))
        if value is None:
            return None
        total += value
    text = chain.group().strip()
    start = offset + chain.start()
    return Count(
        text=text, start_char=start, end_char=start + len(text), qualifier="exact", low=total, best=total, high=total
    )


def _closer(current: tuple[int, Count] | None, new: tuple[int, Count]) -> tuple[int, Count]:
    return new if current is None or new[0] < current[0] else current


def _is_people_count(following: str, match: re.Match[str]) -> bool:
    """Tell whether a number is followed by a noun for people (within two words)."""
    if match.group("word") and match.group("word").lower() in {"a", "an"} and not match.group("qual"):
        return bool(
            re.match(
                r"^\s+(?:[a-z]+\s+)?(?:man|woman|boy|girl|child|civilian|person|soldier|"
                r"policeman|officer|protester|student|worker|journalist|resident|villager|"
                r"farmer|member|fighter|militant|refugee|teenager|youth|driver|guard|"
                r"[a-z]+er)\b",
                following,
                re.I,
            )
        )
    if re.match(rf"^\s+(?:of\s+)?(?:the\s+)?(?:[a-z-]+\s+){{0,2}}{_PEOPLE}\b", following, re.I):
        return True
    return bool(
        re.match(r"^\s+(?:were|was|are|have been|had been|killed|dead|died|injured|wounded|hurt)\b", following, re.I)
    )


# ---------------------------------------------------------------- dates

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
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
)
_MONTH_RE = "|".join(m.capitalize() for m in _MONTHS) + "|" + "|".join(m[:3].capitalize() + r"\." for m in _MONTHS)
DATE_RE = re.compile(
    rf"\b(?:(?P<absday>\d{{1,2}}\s+(?:{_MONTH_RE})(?:\s+\d{{4}})?|(?:{_MONTH_RE})\s+\d{{1,2}}(?:,?\s+\d{{4}})?)"
    rf"|(?P<holiday>(?:New Year(?:['’]s)?|Christmas|Boxing|Valentine['’]s)\s+(?:Day|Eve)"
    rf"|(?i:on|at|over|during|since|until)\s+Christmas(?!\s+(?:Day|Eve))|Halloween)"
    rf"|(?P<weekday>(?:last\s+|next\s+|on\s+|late\s+|early\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    rf"Saturday|Sunday)(?:\s+(?:night|morning|evening|afternoon))?)"
    rf"|(?P<rel>yesterday|today|tonight|last night|this week|last week|earlier this week|"
    rf"over the weekend|this weekend|last weekend|earlier this month|this month|last month|later this month|"
    rf"next month|next week)"
    rf"|(?P<month>(?i:in|since|during|by|until|early|late|mid-?)\s+(?:mid-|early |late )?(?:{_MONTH_RE})"
    rf"(?:\s+\d{{4}})?)"
    rf"|(?P<season>(?i:in|during|over|this|last)\s+(?:the\s+)?(?i:summer|winter|spring|autumn|fall))"
    rf"|(?P<year>(?i:in|since|during|by|until|early|late|mid-?)\s+(?:early\s+|late\s+)?(?:1[89]|20)\d\d)"
    rf"|(?P<ago>last year|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+) years? ago))\b",
)
_YEAR_AFTER = re.compile(r",?\s+(last|this|next)\s+year\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|to be held|scheduled|is to|are to|plans? to|would)\b", re.I)
HOLIDAYS = {
    "new year day": (1, 1),
    "new year eve": (12, 31),
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "boxing day": (12, 26),
    "valentine day": (2, 14),
    "halloween": (10, 31),
}
"""(month, day) of the fixed-date holidays a report may date an event by ("on New Year's Day")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DateInfo:
    """A resolved date with its precision and wording."""

    date: dt.date
    """The event date (for weeks and months: their middle, per ACLED)."""
    time_precision: int
    """ACLED: 1 day, 2 week, 3 month."""
    text: str
    """The verbatim expression."""
    start_char: int
    """Offset of the expression in the document."""


_MONTH_NUMBER = {name: number for number, name in enumerate(_MONTHS, start=1)}
_DAY_MONTH_YEAR = re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)(?:\s+(?P<year>\d{4}))?")
_MONTH_DAY_YEAR = re.compile(r"(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?")
_MONTH_YEAR = re.compile(r"(?P<month>[A-Za-z]+)(?:\s+(?P<year>\d{4}))?")


def _plain_date(expr: str, base: dt.date) -> dt.date | None:
    """
    Read "5 January 2022", "January 5, 2022", "5 January", "December 2021" or "February" without dateparser.

    The same dates as :func:`_dateparser` gives (a missing year: the latest such date not after ``base``;
    a missing day: the 1st), in a fraction of its time. None for any other wording.
    """
    text = expr.strip()
    match = _DAY_MONTH_YEAR.fullmatch(text) or _MONTH_DAY_YEAR.fullmatch(text) or _MONTH_YEAR.fullmatch(text)
    month = _MONTH_NUMBER.get(match.group("month").lower()) if match else None
    if match is None or month is None:
        return None
    day = int(match.groupdict().get("day") or 1)
    year = match.group("year")
    try:
        if year:
            return dt.date(int(year), month, day)
        date = dt.date(base.year, month, day)
        return date if date <= base else dt.date(base.year - 1, month, day)
    except ValueError:
        return None  # "31 June", "29 February" of a common year: left to dateparser


@lru_cache(maxsize=4096)
def _dateparser(expr: str, base: dt.date) -> dt.date | None:
    plain = _plain_date(expr, base)
    if plain is not None:
        return plain
    import dateparser

    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day, 12),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(expr, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def find_date(sentence: str, published: dt.date | None, *, offset: int = 0) -> DateInfo | None:
    """
    Find and resolve the first date expression of a sentence.

    Parameters
    ----------
    sentence
        One sentence.
    published
        The document's publication date, the anchor of relative dates; with
        None only absolute dates with a year resolve.
    offset
        Offset of the sentence in the document.

    Returns
    -------
    DateInfo or None
        None when the sentence has no date that can be resolved.

    Examples
    --------
    >>> sat = dt.date(2010, 6, 12)  # a Saturday
    >>> find_date("Authorities declared a state of emergency Friday.", sat).date
    datetime.date(2010, 6, 11)
    >>> find_date("Otunbayeva said Saturday the violence goes on.", sat).date
    datetime.date(2010, 6, 12)
    >>> find_date("The CSTO will meet Monday.", sat).date
    datetime.date(2010, 6, 14)
    >>> find_date("Clashes broke out last month.", sat).time_precision
    3
    >>> find_date("Gunmen raided the village on New Year's Day.", sat).date
    datetime.date(2010, 1, 1)
    """
    found = find_dates(sentence, published, offset=offset)
    return found[0] if found else None


def find_dates(sentence: str, published: dt.date | None, *, offset: int = 0) -> list[DateInfo]:
    """
    Find and resolve every date expression of a sentence, in text order.

    Parameters
    ----------
    sentence
        One sentence (or any text).
    published
        The document's publication date (see :func:`find_date`).
    offset
        Offset of the sentence in the document.

    Returns
    -------
    list of DateInfo
        The expressions that resolve.

    Examples
    --------
    >>> sat = dt.date(2010, 6, 12)
    >>> [d.text for d in find_dates("In April 2009 rebels attacked; on Friday they fled.", sat)]
    ['In April 2009', 'on Friday']
    >>> [str(d.date) for d in find_dates("He was stabbed on Friday, February 3, police said.", sat)]
    ['2010-02-03']
    """
    out = []
    skip_to = -1
    matches = list(DATE_RE.finditer(sentence))
    for n, match in enumerate(matches):
        if match.start() < skip_to:
            continue  # the "last year" of "3 March last year", already read with its day
        expr = match.group()
        following = matches[n + 1] if n + 1 < len(matches) else None
        if (
            match.group("weekday")
            and following is not None
            and following.group("absday")
            and re.fullmatch(r"[\s,]{0,3}", sentence[match.end() : following.start()])
        ):
            continue  # "on Monday, March 6": the weekday names the date that follows it
        info = _resolve(match, sentence, published)
        if info is None:
            continue
        date, precision = info
        year = _YEAR_AFTER.match(sentence, match.end())
        if (
            year is not None
            and published is not None
            and (match.group("absday") or match.group("month"))
            and not re.search(r"\d{4}", expr)
        ):
            # "on 3 March last year": the day of the year the words name
            shift = {"last": -1, "this": 0, "next": 1}[year.group(1).lower()]
            with contextlib.suppress(ValueError):
                date = date.replace(year=published.year + shift)
            expr = sentence[match.start() : year.end()]
            skip_to = year.end()
        out.append(DateInfo(date=date, time_precision=precision, text=expr, start_char=offset + match.start()))
    return out


def _resolve(match: re.Match[str], sentence: str, published: dt.date | None) -> tuple[dt.date, int] | None:
    expr = match.group()
    lower = expr.lower()
    future = bool(_FUTURE.search(sentence[: match.start()][-60:])) or lower.startswith("next")
    if match.group("weekday"):
        if published is None:
            return None
        day = next(i for i, name in enumerate(_WEEKDAYS) if name in lower)
        if future:
            # "will continue Thursday" in Thursday's paper is that day; "next Thursday" is a week on
            delta = (day - published.weekday()) % 7 or (7 if lower.startswith("next") else 0)
            return published + dt.timedelta(days=delta), 1
        back = (published.weekday() - day) % 7
        if lower.startswith("last"):
            back = back or 7
        return published - dt.timedelta(days=back), 1
    if match.group("absday"):
        has_year = bool(re.search(r"\d{4}", expr))
        if not has_year and published is None:
            return None
        date = _dateparser(expr, published or dt.date(2000, 1, 1))
        return (date, 1) if date else None
    if published is None:
        return None
    if match.group("holiday"):
        key = re.sub(r"^(?:on|at|over|during|since|until)\s+|['’]s\b", "", lower)
        month_day = HOLIDAYS.get(" ".join(key.split()))
        if month_day is None:
            return None
        date = dt.date(published.year, *month_day)
        if future and date < published:
            date = date.replace(year=published.year + 1)
        elif not future and date > published:
            date = date.replace(year=published.year - 1)
        return date, 1
    if match.group("rel"):
        if lower in {"yesterday", "last night"}:
            return published - dt.timedelta(days=1), 1
        if lower in {"today", "tonight"}:
            return published, 1
        if "week" in lower:
            # Weeks run Sunday to Saturday (news usage: "last week" told on a Sunday is the week that ended
            # the day before); a week still running ends at publication, so "this week" is never a later day.
            sunday = published - dt.timedelta(days=(published.weekday() + 1) % 7)
            if "last" in lower:
                return sunday - dt.timedelta(days=4), 2
            if "next" in lower:
                return sunday + dt.timedelta(days=10), 2
            end = published - dt.timedelta(days=1) if "earlier" in lower and published > sunday else published
            return sunday + dt.timedelta(days=((end - sunday).days + 1) // 2), 2
        month = published.replace(day=15)
        if "last month" in lower:
            month = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
        elif "next month" in lower:
            month = (published.replace(day=28) + dt.timedelta(days=10)).replace(day=15)
        return month, 3
    if match.group("season"):
        middle = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}[lower.split()[-1]]
        date = dt.date(published.year, middle, 15)
        if date > published:
            date = date.replace(year=published.year - 1)
        return date, 3
    if match.group("year"):
        year = int(re.findall(r"\d{4}", expr)[-1])
        if year == published.year:
            return None  # "in 2016" written in 2016: no date for an event, only a span of the year
        return dt.date(year, 7, 1), 3
    if match.group("ago"):
        years = 1 if lower.startswith(("last", "a ", "one")) else parse_number(lower.split()[0]) or 1
        return dt.date(published.year - years, 7, 1), 3
    if match.group("month"):
        name = re.search(rf"(?:{_MONTH_RE})", expr)
        if name is None:
            return None
        date = _dateparser(name.group() + (" " + m.group() if (m := re.search(r"\d{4}", expr)) else ""), published)
        return (date.replace(day=15), 3) if date else None
    return None
