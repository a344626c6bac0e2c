"""
Read a report's own statement of its death toll, by ACLED's coding rules.

ACLED notes (and some news reports) end with the coder's toll: "3 fatalities.",
"13 total fatalities split between 2 events", "fatalities coded as 10",
"an unknown number of people were killed" (ACLED codes 3). Such a statement
outranks the counts read clause by clause, which would count the same dead
twice or miss a share split across events. :func:`stated_toll` finds it.

Rules (checked against ACLED's coding of its own notes):

* a toll split across *k* events or locations counts *n / k* for this event,
  rounded half up, unless the share is stated ("coded as 6");
* "coded N fatalities in this event" and "fatalities coded as N" count N;
* a stated total ("7 total fatalities", "1 fatality.") counts as stated;
* an unknown number killed counts 3; unknown *casualties* (dead or hurt) count
  nothing, as in ACLED.
"""

from __future__ import annotations

import re

from geomap.attributes import WORD_NUMBERS, Count, Qualifier, parse_number

__all__ = ["NO_FATALITY_SUB_TYPES", "SHORT_REPORT_CHARS", "UNKNOWN_TOLL", "named_victims", "report_toll", "stated_toll"]

SHORT_REPORT_CHARS = 1000
"""A report this short (an ACLED note, a news brief) tells one event: its stated toll is that event's."""

NO_FATALITY_SUB_TYPES = frozenset(
    {
        "Peaceful protest",
        "Protest with intervention",
        "Abduction/forced disappearance",
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
    }
)
"""Sub-event types ACLED codes without deaths: deaths they mention belong to another event."""

UNKNOWN_TOLL = 3
"""ACLED's count for "an unknown number killed"."""

_N = "|".join(
    sorted((re.escape(w) for w in WORD_NUMBERS if " " not in w and w not in {"a", "an", "single"}), key=len)[::-1]
)
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{_N})"
_FAT = r"fatalit(?:y|ies)"
_KILL_WORDS = r"(?:kill\w*|shot\s+(?:dead|to\s+death)|murder\w*|lynch\w*)"
_UNKNOWN = r"(?:unknown|unidentified|unspecified|undisclosed|unconfirmed)"
_SHARE_OF = r"(?:events?|locations?|incidents?|days?|villages?|areas?|districts?|fronts?)"
_SPLIT = (
    rf"(?:split|spread|spilt|divided|distributed)(?:\s+evenly)?\s+(?:across|between|among|amongst|over|into)\s+"
    rf"(?:the\s+)?(?:(?P<k>{_NUM}|both)\s+(?:separate\s+|different\s+)?{_SHARE_OF}"
    rf"(?:\s+and\s+(?P<k2>{_NUM})\s+{_SHARE_OF})?|(?P<kboth>both)\b)"
)
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("share", re.compile(rf"\bcoded(?:\s+as)?\s+(?P<n>{_NUM})\s+{_FAT}\s+(?:in|for|to)\s+this\s+event", re.I)),
    (
        "split",
        re.compile(
            rf"\b(?P<n>{_NUM})\s+(?:total\s+|reported\s+)?{_FAT}(?:\s+(?:were|was|reported|and))?\s+{_SPLIT}"
            rf"(?:[^.;]{{0,40}}?\bcoded\s+as\s+(?P<share>{_NUM})\b)?",
            re.I,
        ),
    ),
    (
        "split",
        re.compile(
            rf"\b(?:{_FAT}|casualties|deaths)\s+(?:were\s+)?coded\s+(?:as|to)\s+(?P<n>{_NUM}),?\s+and\s+{_SPLIT}",
            re.I,
        ),
    ),
    (
        "coded",
        re.compile(
            rf"\b(?:{_FAT}|casualties|deaths)(?:\s+(?:were|was|are|is))?\s+coded\s+(?:as|to|at)\s+(?P<n>{_NUM})\b", re.I
        ),
    ),
    (
        "unknown",
        re.compile(
            rf"\bkill(?:ed|ing)\s+(?:an\s+)?{_UNKNOWN}\s+number\b|"
            rf"\b{_UNKNOWN}\s+(?:number\s+of\s+)?(?:{_FAT}|deaths)|"
            rf"\b{_UNKNOWN}\s+number\s+of\s+(?:[\w-]+\s+){{0,3}}?(?:were\s+|was\s+)?killed",
            re.I,
        ),
    ),
    (
        "total",
        re.compile(
            rf"(?:^|[.;]\s+|[(\[])(?:a\s+)?(?:total(?:\s+of)?\s+)?(?P<n>{_NUM})\s+(?:total\s+)?{_FAT}"
            rf"(?:\s+in\s+total|\s+total|\s+reported|\s+were\s+reported|\s+recorded)?\s*(?:[.)\]]|$)",
            re.I,
        ),
    ),
)


_SPLIT_SHARE = re.compile(
    rf"\b{_FAT}\s+(?:are\s+|were\s+|is\s+|was\s+)?{_SPLIT}(?:[^.;]{{0,40}}?\bcoded\s+as\s+(?P<share>{_NUM})\b)?", re.I
)
_CODED_ELSEWHERE = re.compile(
    rf"\b(?:{_KILL_WORDS}|death\s+of|died)\b[^.;]{{0,120}}?[(\[]coded\s+separately[)\]]", re.I
)
_RIOT_SUB_TYPES = frozenset({"Violent demonstration", "Mob violence"})


def _share(total: int, k: int) -> int:
    return int(total / k + 0.5) if k > 0 else total


def stated_toll(text: str, *, offset: int = 0) -> Count | None:
    """
    Find the toll a report states for itself, by ACLED's rules.

    Parameters
    ----------
    text
        The report (an ACLED note, a news text).
    offset
        Offset of ``text`` in the document, added to the returned offsets.

    Returns
    -------
    Count or None
        The toll this event carries, or None when the report states none.

    Examples
    --------
    >>> stated_toll("Gunmen shot a trader. 1 fatality.").best
    1
    >>> stated_toll("Three were killed in two towns. 3 fatalities split between 2 events.").best
    2
    >>> stated_toll("Unknown gunmen killed a trader.") is None
    True
    >>> stated_toll("An unknown number of fighters were killed.").best
    3
    """
    for name, pattern in _RULES:
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        if name == "unknown":
            value = UNKNOWN_TOLL
        else:
            value = parse_number(groups["n"]) or 0
            if name == "split":
                if groups.get("share"):
                    value = parse_number(groups["share"]) or 0
                else:
                    k = (
                        2
                        if (groups.get("kboth") or groups.get("k") == "both")
                        else parse_number(groups["k"] or "") or 1
                    )
                    k *= parse_number(groups.get("k2") or "") or 1
                    value = _share(value, k)
        words = match.group().strip(" .;([)]")
        start = offset + match.start() + match.group().find(words)
        qualifier: Qualifier = "vague" if name == "unknown" else "exact"
        return Count(
            text=words,
            start_char=start,
            end_char=start + len(words),
            qualifier=qualifier,
            low=value,
            best=value,
            high=value,
        )
    return None


_KILL = (
    r"(?:killed|killing|shot\s+dead|stabbed\s+to\s+death|beat(?:en)?\s+to\s+death|hacked\s+to\s+death|"
    r"burn(?:ed|t)\s+to\s+death|lynched|beheaded|executed|murdered|assassinated)"
)
_ARTICLE_WORDS = {"a": 1, "an": 1, "the": 1, "one": 1, "his": 1, "her": 1, "their": 1, "another": 1}
_NP_END = re.compile(
    r"[,.;:()\[\]]|\s(?:in|at|near|on|during|while|who|whom|which|after|when|from|with|by|as|for|inside|"
    r"outside|following|before|over|and\s+(?:injur|wound|abduct|loot|torch|burn|set|stole|took|fled|then)\w*)\s",
    re.I,
)
_OBJECT_AFTER = re.compile(rf"\b{_KILL}\s+(?!by\b|in\b|at\b|on\b|during\b)", re.I)
_SUBJECT_BEFORE = re.compile(
    rf"(?:^|[.;]\s+|,\s+|\b(?:and|as a result,?|where|after|when)\s+)"
    rf"(?P<np>(?:a|an|the|one|{_NUM})\s+(?:[\w'-]+\s+){{0,6}}?)(?:was|were|has\s+been|have\s+been|had\s+been)\s+"
    rf"(?:(?:reportedly|allegedly|later|also|then)\s+)?(?:(?:shot|stabbed|beaten|attacked)\s+and\s+)?{_KILL}\b|"
    rf"(?:^|[.;]\s+|,\s+|\b(?:and|as a result,?)\s+)(?P<np2>(?:a|an|the|one|1)\s+(?:[\w'-]+\s+){{0,6}}?)died\b",
    re.I,
)
_OF = re.compile(
    rf"\b(?:killing|death|deaths|murder)\s+of\s+(?:at\s+least\s+|more\s+than\s+|about\s+)?"
    rf"(?P<np>(?:{_NUM}|a|an|the|one)\b[^,.;()]*)",
    re.I,
)


def _np_value(np_text: str) -> int | None:
    """Count the people in a noun phrase: "a trader" 1, "the two soldiers" 2, "a chief and 40 of his men" 41."""
    total = 0
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", np_text.strip()):
        words = part.split()
        if not words:
            continue
        first = words[0].lower()
        second = words[1].lower() if len(words) > 1 else ""
        number = parse_number(first) if first not in _ARTICLE_WORDS else None
        if first == "the" and parse_number(second) is not None:
            number = parse_number(second)
        if number is None and first in _ARTICLE_WORDS:
            last = re.sub(r"[^a-z]", "", words[-1].lower())
            if first == "the" and last.endswith("s") and not last.endswith(("ss", "us")):
                return None  # "the soldiers": how many is not said
            number = 1
        if number is None:
            if total:
                continue  # "an imam and religious scholar": one person with two titles
            return None
        total += number
    return total or None


def named_victims(text: str) -> int | None:
    """
    Count the dead a report names one by one when it states no number.

    Parameters
    ----------
    text
        The report.

    Returns
    -------
    int or None
        The people named as killed in the first clause that names any, or None.

    Examples
    --------
    >>> named_victims("Gunmen shot and killed a trader in the market.")
    1
    >>> named_victims("Troops killed a rebel commander and two of his guards near the river.")
    3
    >>> named_victims("The village chief was shot dead at his home.")
    1
    >>> named_victims("Soldiers killed the militants.") is None
    True
    """
    found = _named_victims(text)
    return found[0] if found else None


def _named_victims(text: str) -> tuple[int, int, int] | None:
    """Return ``(count, start, end)`` of the first clause naming the dead one by one (claims skipped)."""
    found: list[tuple[int, int, int]] = []
    for match in _OBJECT_AFTER.finditer(text):
        rest = text[match.end() :]
        end = _NP_END.search(rest)
        phrase = rest[: end.start()] if end else rest
        if re.match(rf"(?:{_NUM}|a|an|the|one|his|her|their|another)\b", phrase, re.I) and not _claimed(
            text, match.start()
        ):
            value = _np_value(phrase)
            if value is not None:
                found.append((match.start(), value, match.end() + len(phrase.rstrip())))
    for match in _SUBJECT_BEFORE.finditer(text):
        start = match.start("np") if match.group("np") else match.start("np2")
        value = _np_value(match.group("np") or match.group("np2"))
        if value is not None and not _claimed(text, start):
            found.append((start, value, match.end()))
    of = _OF.search(text)
    if of is not None and not _claimed(text, of.start()):
        end = _NP_END.search(of.group("np"))
        phrase = of.group("np")[: end.start()] if end else of.group("np")
        value = _np_value(phrase)
        if value is not None:
            found.append((of.start(), value, of.start("np") + len(phrase.rstrip())))
    if not found:
        return None
    first, value, last = min(found)
    return value, first, last


def _claimed(text: str, start: int) -> bool:
    """Tell whether a clause is a party's claim ("IS claimed it killed 100"): ACLED does not code claims."""
    sentence_start = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start), 0)
    return bool(re.search(r"\b(?:claim\w*|said|says|alleged\w*)\b", text[sentence_start:start], re.I))


def report_toll(report: str, counted: Count | None, sub_event_type: str = "") -> Count | None:
    """
    Return a short report's stated toll when it states one, else the toll counted in its clauses.

    Parameters
    ----------
    report
        The whole document; only one of at most ``SHORT_REPORT_CHARS`` is read for a stated toll.
    counted
        The main event's toll read clause by clause (or None).
    sub_event_type
        The main event's ACLED sub-event type; those in ``NO_FATALITY_SUB_TYPES`` carry no deaths.

    Returns
    -------
    Count or None
        The toll of the report's main event.

    Examples
    --------
    >>> report_toll("Two men were shot dead. Three others were killed later. 5 fatalities.", None).best
    5
    """
    if len(report) > SHORT_REPORT_CHARS:
        return counted
    if sub_event_type in NO_FATALITY_SUB_TYPES:
        return None
    if sub_event_type in _RIOT_SUB_TYPES and _CODED_ELSEWHERE.search(report):
        return None  # the riot is over a killing coded as its own event
    stated = stated_toll(report)
    if stated is not None:
        return stated
    split = _SPLIT_SHARE.search(report)
    if split is not None and (split.group("share") or counted is not None):
        groups = split.groupdict()
        k = 2 if (groups.get("kboth") or groups.get("k") == "both") else parse_number(groups["k"] or "") or 1
        k *= parse_number(groups.get("k2") or "") or 1
        value = parse_number(groups["share"]) if groups["share"] else _share(counted.best if counted else 0, k)
        value = value or 0
        return Count(
            text=split.group(),
            start_char=split.start(),
            end_char=split.end(),
            qualifier="exact",
            low=value,
            best=value,
            high=value,
        )
    if counted is None or counted.best == 0:
        found = _named_victims(report)
        if found is not None:
            value, start, end = found
            return Count(
                text=report[start:end],
                start_char=start,
                end_char=end,
                qualifier="exact",
                low=value,
                best=value,
                high=value,
            )
    return counted
