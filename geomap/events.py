"""
Extract events from one geoparsed document: what happened, where, when, how many.

Each sentence is read for event cues (riots, clashes, attacks, protests,
arrests, arson, looting, curfews, states of emergency, deadly-force orders,
displacement, troop requests, aid, meetings, referendums). Cues of one family
in one sentence make one event; events of the same family, place and date are
merged across sentences, keeping the highest stated counts with their
wording. Every event is tied to where it happened — the literal place of its
clause, "the city" to the city last named, "the region" to the region — and
never to a place named only as an actor ("Moscow says no", "the U.S. base").
An event whose place cannot be found is kept and flagged unlocated.

:func:`extract_events` is a pure function of the document, its geoparse and
the read-only gazetteer, like every other stage.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import re
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from geomap.attributes import Count, DateInfo, find_count, find_date, find_dates, iter_counts
from geomap.errors import GeomapError
from geomap.event_type import type_event
from geomap.fatalities import report_toll
from geomap.geo import haversine_km, short_line, split_polygon
from geomap.reading import (
    actor_role,
    attached_to,
    clause_chain,
    companions,
    dateline_end,
    ensure_parse,
    headline_end,
    in_governing_clause,
    in_quote_apart,
    is_acronym_of_name,
    is_definite_mention,
    is_needed,
    is_negated,
    is_planned,
    is_reporting_verb,
    is_toll,
    is_trigger,
    ordered_in_court,
    participle_subject,
    same_scene,
    span_root,
    token_at,
    told_as_earlier,
    told_in_court,
    victims_of,
)
from geomap.resolve import geo_precision, where_precision
from geomap.toponyms import ADMIN_UNITS, unit_pattern

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from shapely.geometry.base import BaseGeometry

    from geomap.gazetteer import Gazetteer
    from geomap.geoparse import BorderMention, ParsedDocument
    from geomap.ingest import Document
    from geomap.model import Place
    from geomap.resolve import Resolution

__all__ = [
    "KIND_PATTERNS",
    "Event",
    "classify",
    "event_to_json",
    "extract_events",
    "split_sentences",
]

KIND_PATTERNS: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern, re.IGNORECASE)
    for kind, pattern in {
        "killed": r"\b(?:kill(?:ed|ing|s)?|dead|died|deaths?|death toll|fatalit(?:y|ies)|coded as \d+|"
        r"lost (?:their|his|her) lives?|massacred|slain|murdered|lynched|beheaded|executed)\b",
        "injured": r"\b(?:wound(?:ed|ing|s)?|injur(?:ed|ing|ies|y)|hurt|hospitali[sz]ed)\b",
        "riots": r"\b(?:riot(?:s|ing|ers?)?|unrest|mob|lynch\w*|rampage\w*|stormed|ethnic violence|communal violence"
        r"|pogroms?|pelted|threw stones|stone[- ]pelting|m[eê]l[eé]es?|brawl(?:s|ed|ing)?)\b",
        "clashes": r"\b(?:clash(?:es|ed|ing)?|fighting|fought|gun ?battles?|firefights?|exchanged fire|shoot-?outs?"
        r"|exchange of fire|skirmish\w*|battled?|offensive)\b",
        "attack": r"\b(?:attack(?:s|ed|ing)?|ambush\w*|shell(?:ed|ing|s)|artillery|mortars?|missiles?|rockets?|"
        r"air ?strikes?|drone strikes?|bomb(?:s|ed|ing|ings)?|explosions?|exploded|IEDs?|landmines?|grenades?|"
        r"shot|shooting|opened fire|fired (?:at|on|upon)|shot at|air raids?|raids?|raided|stabbed|stabbings?|knifed|"
        r"assaulted|tortured|beat(?:en)?|"
        r"thr(?:ew|own|owing)\s+(?:[\w-]+\s+){1,4}?at\s+(?:an?\s+|the\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:bus(?:es)?|cars?|vehicles?|police|officers?|crowds?|people|him|her|them|protesters|fans|players)|"
        r"abduct\w*|kidnap\w*|taken(?= (?:hostage|captive)\b| (?:\S+ ){0,5}?by\b)|"
        r"raped?|sexual(?:ly)? "
        r"(?:assault|violence)\w*|suicide bomb\w*)\b",
        "protest": r"\b(?:protest(?:s|ed|ing|ers?|ors?)?|demonstrat(?:ion|ions|ors?|ed|ing)|rall(?:y|ies|ied)|"
        r"march(?:ed|es)|(?-i:march)(?! \d)|sit[- ]ins?|strikes? (?:by|over|against)|went on strike|picket\w*|"
        r"took to the streets|"
        r"vigils?|(?:displayed|held|holding|with) banners|blocked (?:\w+ ){0,3}(?:road|route|highway|street|access)|"
        r"gathered (?:\w+ ){0,8}to (?:protest|demand|denounce|call|complain|oppose|condemn|support|express|urge)|"
        r"gathered (?:in front of|outside|at|near))\b",
        "arrests": r"\b(?:arrest(?:s|ed|ing)?|detain(?:s|ed|ing)?|detention|custody|apprehended|rounded up|"
        r"captured|(?:was|were|been|being|is|are)\s+(?:\w+\s+)?charged|charged(?=\s+(?:[\w-]+\s+){0,4}?with\b))\b",
        "arson": r"\b(?:set (?:\w+ )?(?:on )?fire|setting (?:\w+ ){0,3}on fire|set (?:\w+ ){0,3}(?:ablaze|alight)|"
        r"set fire to|(?:fire|blaze) was set|torch(?:ed|ing)|arson|"
        r"burn(?:ed|t|ing) (?:down )?(?:homes?|houses?|shops?|vehicles?|cars?|buildings?)|firebomb\w*)\b",
        "looting": r"\b(?:loot(?:ed|ing|ers?)?|plunder(?:ed|ing)?|ransack(?:ed|ing)?|pillag\w*|vandali[sz]\w*|"
        r"property destruction|destroyed (?:property|homes|shops))\b",
        "curfew": r"\bcurfews?\b",
        "state_of_emergency": r"\b(?:state of emergency|emergency rule|martial law|emergency decree)\b",
        "deadly_force": r"\b(?:deadly force|lethal force|shoot[- ]to[- ]kill|shoot on sight)\b",
        "displacement": r"\b(?:fle(?:e|es|eing|d)|refugees?|displaced|displacement|evacuat\w*|exodus|"
        r"(?:(?-i:[A-Z][a-z]+(?:ans|ese|is|ees|ians))|refugees|migrants|asylum[- ]seekers)\s+(?:\[\d+\]\s+)?"
        r"(?:(?:have|had|has|are|were)\s+)?(?:(?:already|now|recently)\s+)?(?:arrived|entered|crossed)|"
        r"sought refuge|crossed into|expell?ed|deported|forcibly returned|uprooted|"
        r"(?:driven|forced|chased)\s+(?:out\s+)?(?:from|of)\s+(?:their|his|her)\s+homes?)\b",
        "troop_request": r"\b(?:(?:ask(?:ed|s|ing)?|request(?:ed|s|ing)?|appeal(?:ed|s)?|call(?:ed)? on)\b[^.]{0,60}"
        r"\btroops|peacekeep\w*|send troops)\b",
        "aid": r"\b(?:humanitarian (?:aid|assistance|supplies)|aid (?:convoys?|shipments?|flights?)|relief "
        r"(?:supplies|aid)|send (?:\w+ )?aid|food aid)\b",
        "meeting": r"\b(?:will meet|to meet|met (?:with|in)|summit|emergency meeting|talks (?:in|with|on))\b",
        "referendum": r"\breferend(?:um|a|ums)\b",
        "other": r"\b(?:took control|taken control|surrendered|defected|patroll?(?:ing|ed)|checkpoints?|convoy|"
        r"seized|sealed|withdr[ea]w\w*|"
        r"recovered (?:\w+ ){0,3}(?:firearms|weapons|arms|guns|rifles|ammunition|explosives)|"
        r"handed over|recruit\w*|intercept\w*|shot down|defused|dismantled|"
        r"weapons cache|established (?:a |an )?(?:base|headquarters|camp|position)|deployed|ceasefire|agreement|"
        r"signed|peace deal|truce)\b",
    }.items()
}
"""Cue patterns for each event kind (``geomap.layers.EVENT_KINDS``)."""

_FAMILIES: dict[str, str] = {
    "killed": "violence",
    "injured": "violence",
    "riots": "violence",
    "clashes": "violence",
    "attack": "violence",
    "protest": "violence",
    "arrests": "arrests",
    "arson": "property",
    "looting": "property",
    "curfew": "curfew",
    "state_of_emergency": "emergency",
    "deadly_force": "deadly_force",
    "displacement": "displacement",
    "troop_request": "troop_request",
    "aid": "aid",
    "meeting": "meeting",
    "referendum": "referendum",
    "other": "other",
}
_FAMILY_ORDER = (
    "violence",
    "property",
    "arrests",
    "displacement",
    "emergency",
    "curfew",
    "deadly_force",
    "troop_request",
    "aid",
    "meeting",
    "referendum",
    "other",
)
_KIND_ORDER = (
    "riots",
    "clashes",
    "attack",
    "protest",
    "killed",
    "injured",
    "arson",
    "looting",
    "arrests",
    "displacement",
    "state_of_emergency",
    "curfew",
    "deadly_force",
    "troop_request",
    "aid",
    "meeting",
    "referendum",
    "other",
)
# Families located at the story's country when their sentence names no literal place.
_NATIONAL = frozenset({"troop_request", "aid", "meeting", "referendum"})
# Lower-case nouns after a place name that make it an actor, not a location: "the U.S. base".
_ACTOR_NOUNS = re.compile(
    r"^['’]?s?\s+(?:and\s+[A-Z][\w.]*\s+)?(?!(?:against|to|for|by|with|over|about|after|before|near|at|in|on)\s)"
    r"(?:[a-z-]+\s+){0,2}(?:base|bases|embassy|embassies|government|officials?|forces|troops|"
    r"army|military|president|ministry|minister|authorities|leaders?|envoy|diplomats?|spokes\w+|"
    r"counterpart|security|police|(?i:sheriff['’s]*)|prosecutors?|intelligence|navy|interior|foreign|"
    r"news|media|newspapers?|television|radio|press)(?!\w)"
)
# "the military forces of Russia", "the government of Kyrgyzstan": the place is the actor.
_ACTOR_OF = re.compile(
    r"\b(?:forces|army|military|government|troops|president|ministry|minister|police|"
    r"authorities|embassy|officials|navy|parliament|regime|leaders?)\s+of\s+(?:the\s+)?$",
    re.I,
)
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|outside|inside|across|into|around|throughout|of|from|on|to|towards?)\s+"
    r"(?:the\s+)?(?:[\w-]+\s+){0,3}$",
    re.I,
)
_SUBPLACE = re.compile(
    r"^\s+(?:neighbou?rhoods?|quarter|district|sub-?district|township|ward|suburb|area|camp|"
    r"settlement|street|road)\b",
    re.I,
)
_ADMIN_UNIT = re.compile(r"^\s+(?:district|sub-?district|township)\b", re.I)
_BARE_SEAT_KM = 60.0
"""How near its unit's centre the town a bare unit name stands for must lie (a province's capital, not a state's)."""
_UNIT_NAMED = re.compile(r"^(?:['’]s)?[\s-]+(?:" + unit_pattern(ADMIN_UNITS) + r"|area|countryside|rural)\b", re.I)
_LOCATIVE_NEAR = re.compile(r"\b(?:in|near|outside|inside|across|throughout|around)\s+(?:the\s+)?$", re.I)
# A place name that names a street, school or office is not where the event is.
_COUNTRYWIDE = re.compile(r"\b(?:across|throughout|all over|nationwide|countrywide|around the country)\b", re.I)
_HELD_IN = re.compile(
    r"\b(?:jail|prison|hospital|courthouse|court|detention cent(?:er|re)|morgue)\s+(?:in|at|near)\s+$", re.I
)
_LOCAL_FORCE = re.compile(
    r"^['’]?s?\s+(?:city\s+|county\s+|municipal\s+|metropolitan\s+)?(?:police|sheriff['’s]*|fire\s+department|"
    r"fire\s+service|paramedics)\b",
    re.I,
)
_FACILITY = re.compile(
    r"^\s+(?:Road|Street|St|Avenue|Ave|Highway|Boulevard|University|School|College|Mall|Ward|"
    r"Hall|Institute|Academy|Stadium|Hospital|Council|Club|Company|Group|Party|Times|Post|Herald|Tribune|"
    r"Journal|Memorial|Elementary)\b"
)
_CITY_ANAPHOR = re.compile(r"\b(?:the|that) (?:city|town|village|capital)\b", re.I)
_REGION_ANAPHOR = re.compile(r"\b(?:the|that) (?:region|province|oblast|area|district|state)\b", re.I)
_ABBREV = re.compile(
    r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Mt|Ft|Gen|Lt|Col|Sgt|Capt|Gov|Sen|Rep|Jan|Feb|Aug|Sept|"
    r"Sep|Oct|Nov|Dec|No|vs|etc|approx|Inc|Co|Corp)\.)$"
)
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.I)
# After "p.m.": a weekday, a month or a time zone's abbreviation ("EST", "IST", "AEST", "GMT") goes on with the time.
_TIME_GOES_ON = re.compile(
    r"\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.|[A-Z]{1,4}T|GMT|UTC)\b"
)
_DESTINATION = re.compile(
    r"\b(?:fle(?:e|es|eing|d)|heading|headed|crossed|crossing|sought refuge|escap\w+)"
    r"\s+(?:[\w-]+\s+){0,3}?(?:for|to|towards?|into|across|in)\s+(?:the\s+)?$",
    re.I,
)

_CODED_AS = re.compile(r"\b(?:fatalities|casualties|deaths)\s+coded\s+as\s+(\d+)\b", re.I)
CITY_AREA_KM = 10.0
"""Radius of the area drawn for a curfew or emergency in a city (precision: city buffer)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One event: what, where, when, how many, and the sentence that says so."""

    event_id: str
    doc_id: str
    kinds: tuple[str, ...]
    """What the event reports, main kind first."""
    family: str
    event_type: str
    sub_event_type: str
    killed: Count | None = None
    injured: Count | None = None
    displaced: Count | None = None
    arrested: Count | None = None
    place: Place | None = None
    """Where it happened; None when unlocated."""
    place_mention: Resolution | None = None
    location_note: str = ""
    """How the place was chosen ("in clause", "the city", "story focus", "story country")."""
    date: DateInfo | None = None
    published_fallback: bool = False
    evidence_start: int = 0
    evidence_end: int = 0
    evidence: str = ""
    geometry: BaseGeometry | None = None
    """Flow line or area polygon when the event is not a point."""
    geometry_kind: str = ""
    origin: str = ""
    destination: str = ""
    actors: tuple[str, ...] = ()
    confidence: float = 0.5
    primary: bool = False
    extra_evidence: tuple[tuple[int, int], ...] = field(default=())
    background: bool = False
    """Told as history: clearly before the report's window (kept in exports, hidden on the map)."""
    planned: bool = False
    """Announced or scheduled, not (yet) happened."""
    toll: bool = False
    """A cumulative toll or total of an area ("the toll rose to 97"), not one incident."""
    refers_back: bool = False
    """Its cue is a definite noun ("the attack") that tells more of an event already told."""
    days_before: int | None = None
    """Days before the report's news ("two days after bombs killed six"), dated from the news."""

    @property
    def vague_history(self) -> bool:
        """Return True for background without a day or week of its own (cannot stand on a timeline)."""
        return self.background and (self.published_fallback or self.date is None or self.date.time_precision >= 3)

    @property
    def current(self) -> bool:
        """Return True for an incident of the report's own time (not background, planned or a toll)."""
        return not (self.background or self.planned or self.toll)

    @property
    def fatalities(self) -> int:
        """Return ACLED's conservative fatalities (0 when none reported)."""
        return self.killed.acled if self.killed else 0

    @property
    def located(self) -> bool:
        """Return True when the event has a place."""
        return self.place is not None

    @property
    def point(self) -> tuple[float, float] | None:
        """
        Return the ``(lat, lon)`` that stands for the event's place.

        A region stands at its capital (the seat found for its mention), as ACLED
        codes province-level events (geo_precision 3); any other place at its own point.
        """
        if self.place is None:
            return None
        res = self.place_mention
        if res is not None and res.seat is not None and res.place == self.place:
            return (res.seat.lat, res.seat.lon)
        return (self.place.lat, self.place.lon)


WRAP_WIDTH = 70
"""A line at least this long that stops mid-sentence was wrapped at a fixed width, not ended."""


def is_soft_wrap(text: str, newline: int) -> bool:
    r"""
    Tell whether the line break at ``newline`` only wraps a sentence onto the next line.

    A break inside a sentence is a wrap when the next line goes on in lower case, or when
    the line before is a full-width line (``WRAP_WIDTH``) that stops after a word or a comma.
    A short line without final punctuation (a headline, a caption title) still ends where it ends.

    Parameters
    ----------
    text
        The document.
    newline
        Offset of a ``"\n"`` in ``text``.

    Returns
    -------
    bool
        True when the two lines are one sentence.

    Examples
    --------
    >>> is_soft_wrap("Gunmen killed two guards, police\n   said on Sunday.", 32)
    True
    >>> is_soft_wrap("Riots in the South\nPolice said on Sunday.", 18)
    False
    """
    line = text[text.rfind("\n", 0, newline) + 1 : newline].strip()
    rest = text[newline + 1 :].lstrip(" \t")
    if not line or not rest or rest[0] == "\n" or re.search(r"[.!?:;\"”’)]$", line):
        return False
    if rest[0].islower():
        return True
    return len(line) >= WRAP_WIDTH and (line[-1].islower() or line[-1] == ",")


def _lines(text: str) -> list[tuple[int, int]]:
    """Return the spans of the text's lines, soft-wrapped lines joined (:func:`is_soft_wrap`)."""
    out = []
    start = 0
    for m in re.finditer("\n", text):
        if not is_soft_wrap(text, m.start()):
            out.append((start, m.start()))
            start = m.end()
    out.append((start, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def split_sentences(text: str) -> list[tuple[int, int]]:
    r"""
    Split a text into sentences, as ``(start, end)`` offsets without surrounding space.

    Parameters
    ----------
    text
        The document.

    Returns
    -------
    list of tuple
        Sentence spans in order; a line break ends a sentence unless it only wraps one
        (:func:`is_soft_wrap`).

    Examples
    --------
    >>> t = "Riots hit Osh. The U.S. base is open.\n\nMr. Karimov spoke at 5 p.m. Friday in Osh."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Riots hit Osh.', 'The U.S. base is open.', 'Mr. Karimov spoke at 5 p.m. Friday in Osh.']
    """
    spans: list[tuple[int, int]] = []
    for para_start, para_end in _lines(text):
        start = para_start
        chunk = text[para_start:para_end]
        for m in re.finditer(r"[.!?][\"”’)]?(?=\s+[\"“(]?[A-Z0-9])", chunk):
            if _ABBREV.search(chunk[: m.start() + 1]):
                continue
            if _CLOCK.search(chunk[: m.start() + 1]) and _TIME_GOES_ON.match(chunk, m.end()):
                continue  # "around 5 p.m. Wednesday in Brooklyn": the time goes on
            end = para_start + m.end()
            spans.append((start, end))
            start = end
        spans.append((start, para_end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def classify(kinds: Sequence[str], sentence: str, family: str) -> tuple[str, str]:
    """
    Map an event's kinds and wording to ACLED's event_type and sub_event_type.

    Parameters
    ----------
    kinds
        Kinds found in the event's sentences.
    sentence
        The event's text (for cues that refine the type).
    family
        The event family (violence, property, arrests, curfew ...).

    Returns
    -------
    tuple of str
        ``(event_type, sub_event_type)`` in ACLED's exact spelling.

    Examples
    --------
    >>> classify(["riots", "killed"], "ethnic riots that have killed at least 77 people", "violence")
    ('Riots', 'Mob violence')
    >>> classify(["protest"], "retirees protested in front of the fund", "violence")
    ('Protests', 'Peaceful protest')
    """
    s = sentence.lower()
    kind_set = set(kinds)
    if family == "property":
        return "Strategic developments", "Looting/property destruction"
    if family == "arrests":
        return "Strategic developments", "Arrests"
    if family != "violence":
        if re.search(r"\b(?:agreement|ceasefire|cease-fire|truce|peace deal|signed)\b", s):
            return "Strategic developments", "Agreement"
        if family == "other":
            if re.search(r"\b(?:peacefully|handed over|withdr[ea]w\w*)\b", s) and "control" in s:
                return "Strategic developments", "Non-violent transfer of territory"
            if re.search(r"\b(?:surrendered|defected|recruit\w*|joined|split|merged|change to)\b", s):
                return "Strategic developments", "Change to group/activity"
            if re.search(
                r"\b(?:defused|dismantled|weapons cache|intercept\w*|shot down|seized (?:\w+ )?weapons|"
                r"recovered (?:\w+ ){0,3}(?:firearms|weapons|arms|guns|rifles|ammunition|explosives))\b",
                s,
            ):
                return "Strategic developments", "Disrupted weapons use"
            if re.search(r"\bestablished (?:a |an )?(?:base|headquarters|camp|position)", s):
                return "Strategic developments", "Headquarters or base established"
        return "Strategic developments", "Other"
    clash = re.search(
        r"\bclash\w*|\bexchanged fire\b|\bfighting\b|\bgun ?battles?|\bshoot-?outs?\b|"
        r"\bfirefights?\b|\boffensive\b|\bengaged\b|\brepell?ed\b|\brepulsed\b",
        s,
    )
    if not clash or re.search(r"\b(?:shelled|air ?strikes?|airstrikes?|drone strikes?)\b", s):
        remote = _remote_violence(s)
        if remote:
            return "Explosions/Remote violence", remote
    protest = "protest" in kind_set or re.search(r"\b(?:protesters|demonstrators|rally)\b", s)
    if protest:
        if re.search(
            r"\b(?:clash\w*|stones?|rocks|molotov|burn\w*|vandali\w*|riot\w*|violent|damaged|"
            r"smashed|set fire|set ablaze|blocked .* with burning|attacked|pelted|threw)\b",
            s,
        ):
            return "Riots", "Violent demonstration"
        if re.search(
            r"\b(?:(?:police|security forces|troops|soldiers)[^.]{0,60}(?:killed|killing|shot dead|shooting dead)|"
            r"(?:killed|killing|shot dead)[^.]{0,30}(?:protesters|demonstrators|marchers))\b",
            s,
        ):
            return "Protests", "Excessive force against protesters"
        if re.search(
            r"\b(?:dispersed|tear ?gas|arrested|detained|water cannons?|rubber bullets|beat|beaten|"
            r"intervened|prevented|blocked by police|fired)\b",
            s,
        ):
            return "Protests", "Protest with intervention"
        return "Protests", "Peaceful protest"
    if re.search(r"\b(?:abduct\w*|kidnap\w*|disappear\w*)\b", s):
        return "Violence against civilians", "Abduction/forced disappearance"
    if re.search(r"\b(?:rap(?:e|ed|ing)|sexual(?:ly)?)\b", s):
        return "Violence against civilians", "Sexual violence"
    if (
        re.search(
            r"\b(?:mob|crowd|group of (?:people|villagers|residents|locals|youths?|men)|villagers|residents|"
            r"locals|vigilantes?)\b(?:\s+\w+){0,4}\s+(?:attacked|beat|lynched|killed|assaulted|set|burned|"
            r"torched|stoned|clashed|pelted)\b",
            s,
        )
        or "riots" in kind_set
    ):
        return "Riots", "Mob violence"
    if re.search(
        r"\bclash(?:ed|es)? between (?:\w+ ){0,4}(?:villagers|communities|residents|supporters|clans?|"
        r"tribes?|groups of|students|families)\b",
        s,
    ):
        return "Riots", "Mob violence"
    armed_target = re.search(
        r"\b(?:attacked|ambushed|fired (?:at|on|upon)|shot at|targeted|raided|assaulted|attack (?:on|against))\s+"
        r"(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}(?:forces|army|military|soldiers|troops|police(?:men)?|policeman|"
        r"officers?|checkpoints?|base|camp|post|patrol|convoy|positions?|militants?|fighters|rebels|militia\w*|"
        r"servicemen|personnel|guards?)\b",
        s,
    )
    if clash or armed_target:
        if re.search(r"\b(?:recaptured|regained|retook|took back)\b", s):
            return "Battles", "Government regains territory"
        if re.search(r"\b(?:captured|seized|took control|overran|overtook)\b", s):
            return "Battles", "Non-state actor overtakes territory"
        return "Battles", "Armed clash"
    if kind_set & {"attack", "killed", "injured"}:
        return "Violence against civilians", "Attack"
    if "clashes" in kind_set:
        return "Battles", "Armed clash"
    return "Riots", "Mob violence"


def _remote_violence(s: str) -> str:
    if re.search(r"\bsuicide (?:bomb|attack|car)", s):
        return "Suicide bomb"
    if re.search(
        r"\b(?:air ?strikes?|airstrikes?|air raids?|drones?|warplanes?|aircraft|jets?|helicopters?|"
        r"aerial)\b",
        s,
    ):
        return "Air/drone strike"
    if re.search(r"\b(?:shell(?:ed|ing|s)?|artillery|mortars?|missiles?|rockets?|grad|mlrs|projectiles?)\b", s):
        return "Shelling/artillery/missile attack"
    if re.search(
        r"\b(?:ieds?|landmines?|mines?|roadside bomb|explosive devices?|car bomb|vbied|bomb exploded|"
        r"explosion|exploded|detonated)\b",
        s,
    ):
        return "Remote explosive/landmine/IED"
    if re.search(r"\bgrenades?\b", s):
        return "Grenade"
    return ""


def _clause_date(chunk: str, kinds: Sequence[str], doc: Document, offset: int) -> DateInfo | None:
    """Return the date of the clause that holds the sentence's first event cue (else of the sentence)."""
    if not kinds:
        return find_date(chunk, doc.published, offset=offset)
    first = min(m.start() for k in kinds if (m := KIND_PATTERNS[k].search(chunk)))
    cuts = [
        0,
        *(m.end() for m in re.finditer(r",\s+(?:the|which|who|where|when|as|while|after)\b|;", chunk)),
        len(chunk),
    ]
    start = max(c for c in cuts if c <= first)
    end = min(c for c in cuts if c > first)
    return find_date(chunk[start:end], doc.published, offset=offset + start)


MAX_TRIGGERS = 6
"""Cue words of one kind read per sentence (a run-on text must not cost quadratic time)."""
WINDOW_DAYS = 8
"""Days before publication that still count as the report's own time; older events are background."""


_VERDICT = re.compile(
    r"\b(?:convicted|sentenced|found guilty|pleaded guilty|pled guilty|acquitted|jailed|imprisoned)\b", re.I
)
"""A verdict: the crime it ends happened before the news."""
_COURT_STEP = re.compile(
    r"\b(?:appear(?:ed|ance)\s+in\s+(?:\w+\s+){0,2}court|first appearance|arraign\w*|bail hearing)\b", re.I
)


def _after_publication(date: DateInfo, doc: Document) -> bool:
    return doc.published is not None and date.date > doc.published


def _in_window(date: DateInfo, doc: Document) -> bool:
    return doc.published is None or not _before_window(date, doc)


def _before_window(date: DateInfo, doc: Document) -> bool:
    """Tell whether a date lies clearly before the report's window (a month must end before it)."""
    if doc.published is None:
        return False
    last = date.date
    if date.time_precision >= 3:
        last = (date.date.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return last < doc.published - dt.timedelta(days=WINDOW_DAYS)


def _role_actor(sdoc: Any, res: Resolution, context_end: int) -> bool:
    """Tell whether a mention is the dateline or, by its role in the parse, an actor."""
    if res.mention.start_char < context_end and res.mention.end_char <= context_end:
        return res.mention.start_char >= context_end - 80 or res.mention.end_char == context_end
    if sdoc is None:
        return False
    role = actor_role(sdoc, res.mention.start_char, res.mention.end_char)
    if role in {"subject", "speaker"} and _PLACE_CHAIN_BEFORE.search(
        sdoc.text[max(0, res.mention.start_char - 60) : res.mention.start_char]
    ):
        return False  # "in X town, Y to demand ...": a misparse of a place chain, the name is no subject
    return bool(role)


_PLACE_CHAIN_BEFORE = re.compile(
    r"\b(?:[Ii]n|[Aa]t|[Nn]ear|[Oo]utside|[Ii]nside|[Aa]round)\s+(?:the\s+)?(?:[A-Z][^,;:.()\[\]]{0,40},\s*)?$"
)
"""Before a name: a locative preposition, or one and a capitalised place with a comma ("in X district, ")."""


_SEQUEL = re.compile(
    r"\b(?:at the scene|the (?:following|next) (?:day|morning)|later that (?:day|night|evening)|"
    r"shortly (?:after|afterwards)\b|(?:hours|minutes|moments) later|a day later)\b",
    re.I,
)
"""Words that tie a sentence's time to the event told just before ("arrested at the scene", "the next day")."""

_WEAK_FAMILIES = frozenset({"other", "aid", "meeting"})
"""Families whose cues ("aid", "talks", "deal", "deployed") are mostly context outside a report's lead."""


def _well_read(event: Event, lead_end: int, country: Resolution | None, seen: set[str]) -> str:
    """
    Decide whether an event is kept, merged into its family's first event, or dropped: precision over recall.

    The lead's events stay. Later, an event placed by its own clause must lie in the story's country
    (a flight may cross a border); one placed only by the story's focus is kept when it states a count
    or is the first of its family, and otherwise goes on telling that first event.
    """
    first = event.family not in seen
    seen.add(event.family)
    if event.evidence_start < lead_end:
        return "keep"
    if event.family in _WEAK_FAMILIES and event.current:
        return "drop"  # needs, appeals, talks and deals told in passing: kept only when they lead the report
    if event.location_note != "in its sentence":
        counted = any(c is not None for c in (event.killed, event.injured, event.displaced, event.arrested))
        return "keep" if first or counted else "merge"
    story = country.place.country_code if country is not None and country.place is not None else ""
    if not story or event.place is None or event.family == "displacement":
        return "keep"
    return "keep" if event.place.country_code == story else "drop"


_SLOGAN = re.compile(r"[\"“]([^\"“”]{1,60})[\"”]")
_PROTEST_WORDS = re.compile(
    r"\b(?:chant\w*|shout\w*|slogans?|banners?|placards?|signs?|rall\w+|protest\w*|march\w*)\b", re.I
)


def _slogans(chunk: str) -> list[tuple[int, int]]:
    """Spans of short quotations a crowd chants or carries ("chanting 'stop the killing'"): no events."""
    if not _PROTEST_WORDS.search(chunk):
        return []
    return [(m.start(1), m.end(1)) for m in _SLOGAN.finditer(chunk) if len(m.group(1).split()) <= 8]


_PROTEST_NOUNS = frozenset({"rally", "protest", "march", "demonstration", "vigil", "sit-in", "strike"})


def _cause_of_protest(tok: Any) -> bool:
    """
    Tell whether a violence cue is what a protest is about ("a rally against the killing of civilians").

    The cue hangs, through a preposition, under the protest's noun or under a verb that holds or makes
    one ("they held a vigil in solidarity with the besieged city").
    """
    if tok is None:
        return False
    through_prep = False
    for anc in tok.ancestors:
        if anc.dep_ == "prep":
            through_prep = True
        if anc.pos_ == "NOUN" and anc.lemma_.lower() in _PROTEST_NOUNS:
            return through_prep
        if anc.pos_ in {"VERB", "AUX"} and anc.dep_ not in {"acl", "relcl", "pcomp"}:
            # "people held a rally ... in solidarity with X", "they marched against X"
            protesting = anc.lemma_.lower() in {"protest", "march", "rally", "demonstrate"} or any(
                c.dep_ in {"dobj", "nsubj", "nsubjpass"} and c.lemma_.lower() in _PROTEST_NOUNS for c in anc.children
            )
            return through_prep and protesting
    return False


def _negated_cue(sdoc: Any, chunk: str, offset: int) -> bool:
    """Tell whether the first troop-request cue is negated ("there had been no request ... to send troops")."""
    m = KIND_PATTERNS["troop_request"].search(chunk)
    tok = token_at(sdoc, offset + m.start()) if m else None
    return tok is not None and is_negated(tok)


def _triggers(sdoc: Any, chunk: str, offset: int, kinds: Sequence[str]) -> dict[str, list[Any]]:
    """Tokens of the cue words of each kind in a sentence."""
    out: dict[str, list[Any]] = {}
    slogans = _slogans(chunk)
    for kind in kinds:
        toks = []
        for m in KIND_PATTERNS[kind].finditer(chunk):
            if kind != "protest" and any(a <= m.start() < b for a, b in slogans):
                continue
            if kind in _VIOLENT and _cause_of_protest(token_at(sdoc, offset + m.start())):
                continue
            tok = token_at(sdoc, offset + m.start())
            if tok is not None and tok.idx < offset + m.end():
                # "death toll", "opened fire": the head word of a multi-word cue stands for it.
                words = [t for t in tok.doc[tok.i : tok.i + 4] if t.idx < offset + m.end()]
                tok = next((t for t in words if t.pos_ in {"VERB", "NOUN", "ADJ"}), tok)
                if tok.dep_ == "compound" and tok.head.lemma_.lower() in {"toll", "tally"}:
                    tok = tok.head  # "the death toll rose to 25": the toll is the cue
                if kind == "aid" and is_needed(tok):
                    continue  # "in dire need of humanitarian assistance": a need, not aid delivered
                if (is_trigger(tok, kind) or len(words) > 1) and not is_negated(tok):
                    toks.append(tok)
            if len(toks) >= MAX_TRIGGERS:
                break
        if toks:
            out[kind] = toks
    return out


def _trigger_date(
    sdoc: Any, trigger: Any, chunk: str, doc: Document, offset: int, cues: set[int] | None = None
) -> DateInfo | None:
    """
    Return the date expression of the trigger's own clause, else of the clause that governs it.

    A date right after another cue belongs to that cue: in "the unrest spread to X, the scene of
    clashes last month", "last month" dates the clashes, not the unrest.
    """
    anchor = participle_subject(trigger)
    chain = [t.i for t in clause_chain(anchor if anchor is not None else trigger)]
    cues = cues or set()
    best: tuple[int, DateInfo] | None = None
    for info in find_dates(chunk, doc.published, offset=offset):
        tok = token_at(sdoc, info.start_char)
        if tok is None:
            continue
        # "on Friday": the date's own word, not the preposition, is what the parse attaches.
        words = [t for t in tok.doc[tok.i : tok.i + 4] if t.idx < info.start_char + len(info.text)]
        if words[0].i - 1 in cues and not _same_event_clause(sdoc[words[0].i - 1], sdoc[chain[0]], cues):
            continue  # "clashes last month": the date right after another cue is that cue's
        if _dates_a_noun(words, info, trigger, cues):
            continue  # "a suspect in a March burglary was caught": the burglary's date
        heads = {clause_chain(t)[0].i for t in words}
        rank: int | None = min((chain.index(h) for h in heads if h in chain), default=None)
        if rank and is_reporting_verb(sdoc[chain[rank]]) and any(_governor(t) == chain[rank] for t in words):
            continue  # "two were killed, the agency said Monday": when it was told, not when it happened
        if rank is None and any(sdoc[h].dep_ == "conj" and sdoc[h].head.i == chain[0] for h in heads):
            rank = 9  # coordinated clauses share their time: "killed 12 and wounded 30 on Monday"
        if rank is None and any(_same_event_clause(sdoc[h], sdoc[chain[0]], cues) for h in heads):
            rank = 8  # "died after being shot on Sunday": the shooting is the death's own event
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, info)
    return best[1] if best else None


def _dates_a_noun(words: list[Any], info: DateInfo, trigger: Any, cues: set[int]) -> bool:
    """
    Tell whether a date stands before a noun that is not the event ("the usual Monday meetings").

    A date before a noun dates that noun: the event's only when the noun is a cue ("a Friday raid", "Dec. 10
    bombings that killed 44") or the trigger hangs under it; "a suspect in an early February theft" or
    "the usual Monday meetings" keep their dates to themselves.
    """
    end = info.start_char + len(info.text)
    noun = words[-1].head
    while noun.idx < end and noun.head.i != noun.i and noun.i != trigger.i:
        noun = noun.head  # out of the date's own words ("early February")
    if noun.pos_ not in {"NOUN", "PROPN"} or noun.idx < end or noun.i == trigger.i:
        return False
    if any(t.i == noun.i for t in trigger.ancestors):
        return False  # "Dec. 10 bombings that killed 44": the cue tells of the dated noun
    return noun.i not in cues


def _same_event_clause(head: Any, clause: Any, cues: set[int]) -> bool:
    """Tell whether a subjectless cue clause under the event's clause tells the same event ("after being stabbed")."""
    if head.i not in cues or head.i == clause.i:
        return False
    if any(c.dep_ in {"nsubj", "nsubjpass"} for c in head.children):
        return False
    return head.dep_ in {"pcomp", "advcl"} and clause_chain(head.head)[0].i == clause.i


def _governor(tok: Any) -> int:
    """Return the index of the word a date word modifies, through its preposition ("said on Monday")."""
    head = tok.head
    if head.dep_ == "prep" and head.head.i != head.i:
        head = head.head
    return int(head.i)


_PERPETRATORS = frozenset(
    {"suspect", "gunman", "gunmen", "attacker", "assailant", "shooter", "robber", "thief", "driver", "killer"}
)


_LAW_ENFORCERS = frozenset({"police", "officer", "trooper", "deputy", "authority", "agent", "arrest", "custody"})


def _from_the_law(trig: Any) -> bool:
    """Tell whether a flight is from the police ("fleeing or evading police", "fled from officers"): an escape."""
    near = [trig, *(c for c in trig.children if c.dep_ == "conj")]
    objects = [c for t in near for c in t.children if c.dep_ == "dobj"]
    objects += [g for t in near for c in t.children if c.dep_ == "prep" and c.lower_ == "from" for g in c.children]
    return any(o.lemma_.lower() in _LAW_ENFORCERS for o in objects)


def _flight_of_people(trig: Any) -> bool:
    """Tell whether a flight cue tells people leaving their homes (a plural of civilians, or a noun cue)."""
    if _from_the_law(trig):
        return False
    if trig.pos_ == "NOUN":
        return trig.lemma_.lower() not in {"refugee"}
    who = next((c for c in trig.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if who is None and trig.dep_ in {"acl", "relcl"}:
        who = trig.head
    if who is None or who.pos_ == "PRON":
        return False
    return who.tag_ in {"NNS", "NNPS"} and who.lemma_.lower() not in _PERPETRATORS


def _flight_of_perpetrators(trig: Any) -> bool:
    """Tell whether the subject of a flight cue is a perpetrator noun ("the suspects fled")."""
    who = next((c for c in trig.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return who is not None and who.lemma_.lower() in _PERPETRATORS


def _count(sdoc: Any, chunk: str, offset: int, kind: str, triggers: dict[str, list[Any]]) -> Count | None:
    """Return the number the parse attaches to a kind's trigger (never a substring or a population)."""
    found = find_count(chunk, KIND_PATTERNS[kind], offset=offset)
    if sdoc is None:
        return found
    if kind in {"killed", "injured", "arrests"}:
        for tok in triggers.get(kind, [])[:MAX_TRIGGERS]:
            group = companions(tok)
            if group is not None:
                # "X was arrested along with nine others": the named one and the others (10)
                number, person, others = group
                first = min(person.left_edge.i, others.left_edge.i)
                last = max(person.i, others.i)
                start, end = sdoc[first].idx, sdoc[last].idx + len(sdoc[last].text)
                total = number + 1
                return Count(
                    text=sdoc.text[start:end],
                    start_char=start,
                    end_char=end,
                    qualifier="exact",
                    low=total,
                    best=total,
                    high=total,
                )
    trig = [t for t in triggers.get(kind, []) if kind != "displacement" or t.lemma_.lower() != "refugee"]
    if not trig:
        return None
    # "placed under arrest", "taken into custody", "sent fleeing": the verb carries the noun cue's count
    trig += [t.head.head for t in trig if t.dep_ == "pobj" and t.head.head.pos_ == "VERB"]
    if found is not None and (found.best == 0 or attached_to(sdoc, found.start_char, found.end_char, trig)):
        return found
    best: tuple[int, Count] | None = None
    for cand in iter_counts(chunk, offset=offset):
        if not attached_to(sdoc, cand.start_char, cand.end_char, trig):
            continue
        tok = token_at(sdoc, cand.start_char)
        distance = min(abs(tok.i - t.i) for t in trig) if tok is not None else 99
        if best is None or distance < best[0]:
            best = (distance, cand)
    if best is None and kind in {"killed", "injured", "arrests"}:
        # "a man was arrested", "his mother, father and sister were detained": people without a number
        for tok in trig:
            found_people = victims_of(tok)
            if found_people is not None:
                total, noun = found_people
                words = [t for t in noun.subtree if t.dep_ != "conj" and t.i <= noun.i] or [noun]
                start, end = words[0].idx, noun.idx + len(noun.text)
                if total > 1:
                    last = max(noun.subtree, key=lambda t: t.i)
                    end = last.idx + len(last.text)
                wording = sdoc.text[start:end]
                return Count(
                    text=wording,
                    start_char=start,
                    end_char=end,
                    qualifier="exact",
                    low=total,
                    best=total,
                    high=total,
                )
    return best[1] if best else None


_CLAUSE_JOINT = re.compile(r"[,;] | and ")


def _parts(chunk: str, sentence: tuple[int, int], family: str, sdoc: Any) -> list[tuple[int, int]]:
    """
    Split a sentence that tells two displacements, each with its own figure, where its clauses join.

    "half a million have been forced from their homes and another 9,000 have crossed into Chad": two
    movements (one inside the country, one across a border), two events. Each part's figure must be tied by
    the parse to that part's own cue.
    """
    if family != "displacement" or sdoc is None:
        return [sentence]
    from geomap.attributes import iter_counts

    offset = sentence[0]

    def counted(a: int, b: int, cue: re.Match[str]) -> bool:
        tok = token_at(sdoc, offset + cue.start())
        if tok is None:
            return False
        return any(
            c.best and attached_to(sdoc, offset + a + c.start_char, offset + a + c.end_char, [tok])
            for c in iter_counts(chunk[a:b])
        )

    cues = list(KIND_PATTERNS["displacement"].finditer(chunk))
    cuts: list[int] = []
    for first, second in itertools.pairwise(cues):
        joints = list(_CLAUSE_JOINT.finditer(chunk[first.end() : second.start()]))
        if not joints:
            continue
        cut = first.end() + joints[-1].start() + 1
        start = cuts[-1] if cuts else 0
        if counted(start, cut, first) and counted(cut, len(chunk), second):
            cuts.append(cut)
    if not cuts:
        return [sentence]
    bounds = [0, *cuts, len(chunk)]
    return [(offset + a, offset + b) for a, b in itertools.pairwise(bounds)]


def _kinds_in(sentence: str) -> list[str]:
    return [kind for kind in _KIND_ORDER if KIND_PATTERNS[kind].search(sentence)]


def _is_actor_use(text: str, res: Resolution) -> bool:
    if res.metonymic or res.role == "demonym" or res.place is None:
        return True
    if is_acronym_of_name(text, res.mention.start_char, res.mention.end_char):
        return True  # "the Ministry of Defence (MoD)": the organisation, not a place spelled the same
    if _ACTOR_OF.search(text[max(0, res.mention.start_char - 40) : res.mention.start_char]):
        return True
    return bool(_ACTOR_NOUNS.match(text[res.mention.end_char : res.mention.end_char + 30]))


def _glued(text: str, res: Resolution) -> bool:
    """Tell whether a mention is one word of a longer capitalised name ("Lone Khin", "Nahr-i-Saraj")."""
    before = text[max(0, res.mention.start_char - 20) : res.mention.start_char]
    after = text[res.mention.end_char : res.mention.end_char + 20]
    glued_before = re.search(r"(?:\b[A-Z][\w'’]*[ -]|-[a-z]{1,3}-)$", before) and not re.search(
        r"(?:^|[.!?]\s+)[A-Z][\w'’]*\s$", before
    )
    glued_after = re.match(r"^(?:[ -][A-Z][\w'’]*\b)", after) and not re.match(
        r"^\s+(?:Road|Street|Avenue|Square|District|Province|Region|State|County|City|Town|Village)\b", after
    )
    return bool(glued_before or glued_after)


_BETWEEN_CACHE: dict[int, tuple[Sequence[Resolution], list[int], list[int]]] = {}


def _between(resolutions: Sequence[Resolution], start: int, end: int) -> list[Resolution]:
    """
    Return the resolutions whose mention starts in ``[start, end)``, in text order, in log time.

    The sorted offsets of a document's resolutions are computed once (per sequence object), so reading
    every sentence of a long article stays linear instead of scanning all its places per sentence.
    """
    cached = _BETWEEN_CACHE.get(id(resolutions))
    if cached is None or cached[0] is not resolutions:
        order = sorted(range(len(resolutions)), key=lambda i: resolutions[i].mention.start_char)
        starts = [resolutions[i].mention.start_char for i in order]
        if len(_BETWEEN_CACHE) > 8:
            _BETWEEN_CACHE.clear()
        cached = _BETWEEN_CACHE[id(resolutions)] = (resolutions, order, starts)
    _, order, starts = cached
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    return [resolutions[i] for i in sorted(order[lo:hi])]


def _pick_place(
    text: str,
    sentence: tuple[int, int],
    resolutions: Sequence[Resolution],
    *,
    sdoc: Any = None,
    triggers: list[Any] | None = None,
) -> Resolution | None:
    """Choose the literal place of a sentence: in the trigger's clauses, locative phrases first, the most specific."""
    start, end = sentence
    inside = [r for r in _between(resolutions, start, end) if not _is_actor_use(text, r)]
    linked_ids: set[int] = set()
    if sdoc is not None and triggers:
        anchors = [t.idx for t in triggers]
        inside = [
            r
            for r in inside
            if _in_scene(sdoc, r, triggers)
            and not in_quote_apart(text, r.mention.start_char, r.mention.end_char, sentence, anchors)
        ]
        # the linker only reorders the clause's places: with one (or none) there is nothing to choose
        linked_ids = (
            {id(r) for r in (_linked(sdoc, triggers, inside) or [])}
            if len(inside) > 1 and LINKER and _LINKING.get()
            else set()
        )
    # "taken to the X County jail", "flown to X hospital": where people were taken, not where it happened
    inside = [r for r in inside if not _taken_to_facility(text, r) and not _in_agency_name(text, r)]
    # "police arrested John Smith, 40, of Pikeville": where a person named with an age is from
    inside = [r for r in inside if not _AGE_OF.search(text[max(0, r.mention.start_char - 20) : r.mention.start_char])]
    if not inside:
        return None

    inside = [
        r
        for r in inside
        if not _FACILITY.match(text[r.mention.end_char : r.mention.end_char + 20]) or _named_within(r, inside)
    ] or inside

    def above(res: Resolution) -> int:
        if sdoc is None or not triggers:
            return 0
        tok = span_root(sdoc, res.mention.start_char, res.mention.end_char)
        return int(tok is not None and in_governing_clause(tok, triggers))

    def rank(res: Resolution) -> tuple[int, int, int, int]:
        before = text[max(start, res.mention.start_char - 40) : res.mention.start_char]
        locative = 0 if _LOCATIVE_NEAR.search(before) else 1 if _LOCATIVE.search(before) else 2
        if (
            _SUBPLACE.match(text[res.mention.end_char : res.mention.end_char + 25])
            and res is not inside[-1]
            and not _is_seat_of_unit(text, res)
        ):
            locative += 3  # "the Alder neighborhood of Northvale": the town is the event's place (over the linker)
        if _glued(text, res) and not _named_within(res, inside):
            locative += 3  # "Upper Kem Lo village": one word of an unknown longer name
        if sdoc is not None and triggers and _modifies_cue(sdoc, res, triggers):
            locative = -1  # "a London rally", "Kabul's protests": the name modifies the cue itself
        if sdoc is not None and triggers and id(res) in linked_ids:
            locative -= 1  # the fitted linker ties this name to the cue
        assert res.place is not None
        specificity = {1: 0, 2: 1, 3: 2}[geo_precision(res.place)] + (2 if res.place.is_country else 0)
        return (above(res), locative, specificity, res.mention.start_char)

    best = min(inside, key=rank)
    # "residents of X township in Y region protested": the town inside the region is where.
    assert best.place is not None
    if best.place.is_country or best.place.feature_class in {"A", "L"}:
        within = [r for r in inside if r is not best and _inside(r.place, best.place) and not _glued(text, r)]
        if within:
            return min(within, key=rank)
    return best


_CUSTODY_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:[A-Z][a-z]+\s+){0,2}(?:jail|prison|hospital|morgue|detention|lock-?up|courthouse|penitentiary)\b",
    re.I,
)
_AGENCY_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:[A-Z][a-z]+\s+){0,2}?(?:Police|Patrol|Department|Ministry|Command|"
    r"Constabulary|Corrections|Attorney|Prosecutor|University|Agency|Bureau|Commission|Authority|Government)\b"
)


def _in_agency_name(text: str, res: Resolution) -> bool:
    """
    Tell whether a state or country is a word of an agency's name ("the Northland Police Service said").

    The agency's name tells its jurisdiction, not where the event happened; a town's own force ("Winnipeg
    police") is left to the other rules, as its town mostly is the scene.
    """
    place = res.place
    if place is None or not (place.is_country or place.feature in {"A.ADM1", "A.ADM1H"}):
        return False
    return bool(_AGENCY_AFTER.match(text[res.mention.end_char : res.mention.end_char + 40]))


_AGE_OF = re.compile(r",\s*(?:aged?\s+)?\d{1,3}\s*,\s+(?:both\s+|all\s+)?of\s+(?:the\s+)?$", re.I)
_TAKEN_TO = re.compile(r"\b(?:to|into)\s+(?:the\s+|a\s+)?$", re.I)


def _taken_to_facility(text: str, res: Resolution) -> bool:
    """Tell whether a name is that of a jail or hospital people were taken to ("booked into the X jail")."""
    if not _CUSTODY_AFTER.match(text[res.mention.end_char : res.mention.end_char + 40]):
        return False
    return bool(_TAKEN_TO.search(text[max(0, res.mention.start_char - 12) : res.mention.start_char]))


def _named_within(res: Resolution, others: Sequence[Resolution]) -> bool:
    """
    Tell whether a building's namesake town lies in a county or region the same sentence names.

    "at Kendall Elementary School in southwest Miami-Dade": the school is named after the locality it is in.
    """
    from geomap.geo import haversine_km

    place = res.place
    if place is None or place.feature_class != "P":
        return False
    return any(
        o is not res
        and o.place is not None
        and o.place.feature in {"A.ADM1", "A.ADM2", "A.ADM3"}
        and o.place.country_code == place.country_code
        and o.place.admin1_code == place.admin1_code
        and haversine_km(o.place.lat, o.place.lon, place.lat, place.lon) <= 80.0
        for o in others
    )


_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+[a-z]+,\s+)?$", re.I)
_TO_BEFORE = re.compile(r"^[^.;]{0,40}?\b(?:to|towards?)\s+(?:the\s+)?$", re.I)
_JOURNEY = re.compile(
    r"\b(?:road|route|highway|drove|driving|drive|travell?(?:ing|ed)|travel|convoy|journey|way)\b", re.I
)


def _on_the_way(
    text: str, sentence: tuple[int, int], res: Resolution, resolutions: Sequence[Resolution]
) -> Place | None:
    """
    Place an event told on a journey between two named places at their midpoint.

    "ambushed as they drove from the capital, X, to Y": the attack was on the road, neither in
    the town they left nor in the one they were heading for.
    """
    from dataclasses import replace as copy_with

    from geomap.geo import haversine_km

    start, end = sentence
    origin = res.place
    if origin is None or origin.is_country or not _JOURNEY.search(text[start:end]):
        return None
    if not _FROM_BEFORE.search(text[max(start, res.mention.start_char - 25) : res.mention.start_char]):
        return None
    for other in _between(resolutions, res.mention.end_char, end):
        goal = other.place
        if goal is None or goal.is_country or goal.country_code != origin.country_code:
            continue
        if not _TO_BEFORE.match(text[res.mention.end_char : other.mention.start_char]):
            continue
        if not 20.0 <= haversine_km(origin.lat, origin.lon, goal.lat, goal.lon) <= 800.0:
            return None
        return copy_with(
            origin,
            place_id=f"between:{origin.place_id}:{goal.place_id}",
            geonameid=None,
            name=f"between {origin.name} and {goal.name}",
            lat=round((origin.lat + goal.lat) / 2, 5),
            lon=round((origin.lon + goal.lon) / 2, 5),
            feature="R.RD",
            admin1_code=origin.admin1_code if origin.admin1_code == goal.admin1_code else "",
            population=0,
        )
    return None


LINKER = True
"""Let the fitted event→place linker (:mod:`geomap.event_location`) choose among the clause's places."""

_LINKING: ContextVar[bool] = ContextVar("linking", default=True)


@contextlib.contextmanager
def places_linked(on: bool) -> Iterator[None]:
    """
    Let the fitted linker take part in choosing events' places (``on``) or not, within the block.

    ACLED coder notes read better without it (:data:`geomap.pipeline.ACLED_LINK_PLACES`).

    Parameters
    ----------
    on
        Whether the linker is consulted.

    Yields
    ------
    None
        Nothing; the previous setting returns when the block ends.
    """
    token = _LINKING.set(on)
    try:
        yield
    finally:
        _LINKING.reset(token)


def _linked(sdoc: Any, triggers: list[Any], inside: list[Resolution]) -> list[Resolution] | None:
    """Return the clause's places the fitted linker ties to the trigger (None when it ties none or is missing)."""
    try:
        from geomap.event_location import link_event_places

        spans = [(r.mention.start_char, r.mention.end_char) for r in inside]
        found = link_event_places(sdoc, sorted({t.i for t in triggers}), spans)
    except (ImportError, OSError, ValueError):
        return None
    picked = [
        r for r in inside if any(f.start_char < r.mention.end_char and r.mention.start_char < f.end_char for f in found)
    ]
    return picked or None


def _modifies_cue(sdoc: Any, res: Resolution, triggers: list[Any]) -> bool:
    tok = span_root(sdoc, res.mention.start_char, res.mention.end_char)
    ids = {t.i for t in triggers}
    return tok is not None and tok.dep_ in {"compound", "poss", "nmod"} and tok.head.i in ids


def _is_seat_of_unit(text: str, res: Resolution) -> bool:
    """Tell whether "X district" names the unit around town X (coded to X, ACLED precision 2)."""
    place = res.seat or res.place
    return (
        place is not None
        and place.feature_class == "P"
        and bool(_ADMIN_UNIT.match(text[res.mention.end_char : res.mention.end_char + 25]))
    )


def _in_scene(sdoc: Any, res: Resolution, triggers: list[Any]) -> bool:
    tok = span_root(sdoc, res.mention.start_char, res.mention.end_char)
    return tok is None or same_scene(tok, triggers)


def _inside(inner: Place | None, outer: Place) -> bool:
    """Tell whether a town lies in a country or admin-1 region (by codes, not geometry)."""
    if inner is None or inner.feature_class != "P" or inner.country_code != outer.country_code:
        return False
    if outer.is_country:
        return True
    return outer.feature == "A.ADM1" and inner.admin1_code == outer.admin1_code


_VIOLENT = frozenset({"killed", "injured", "attack", "clashes", "riots"})


def _told_on(kinds: tuple[str, ...], more: Sequence[str], later: Event | None = None) -> tuple[str, ...]:
    """
    Return an event's kinds with those of a later sentence that goes on telling it.

    A peaceful protest stays one: a later sentence about the violence it protests against ("the
    indiscriminate killing of civilians", "reports of men being shot") adds no violence to it, unless
    that sentence counts its own dead or wounded.
    """
    counted = later is not None and (later.killed is not None or later.injured is not None)
    if "protest" in kinds and not _VIOLENT & set(kinds) and "protest" not in more and not counted:
        more = [k for k in more if k not in _VIOLENT]
    told = tuple(dict.fromkeys((*kinds, *more)))
    if "other" in told and {"killed", "injured", "attack", "clashes", "riots"} & set(told):
        # an abduction told with harm ("abducted ... later found killed") is part of that attack
        told = tuple(dict.fromkeys("attack" if k == "other" else k for k in told))
    return told


def _retyped_replace(event: Event, **changes: Any) -> Event:
    """
    Replace fields of an event told on; an abduction whose telling went on to harm is the attack it was.

    "A woman was kidnapped ... her body was found": the kinds become an attack (:func:`_told_on`), so the type does.
    """
    out = replace(event, **changes)
    if out.sub_event_type == "Abduction/forced disappearance" and "attack" in out.kinds:
        return replace(out, event_type="Violence against civilians", sub_event_type="Attack")
    return out


def _told_until(event: Event) -> int:
    """Return where the telling of an event ends so far: its sentence or the last one that went on with it."""
    return max([event.evidence_end, *(end for _, end in event.extra_evidence)])


def _local_force(text: str, res: Resolution) -> bool:
    """
    Tell whether a town names the local force that speaks for the story ("Chicago police said").

    The force's town is where its cases are, so it may be the story's focus ("London police say").
    """
    place = res.place
    if place is None or res.metonymic or res.role != "place":
        return False
    if place.feature_class != "P" and place.feature not in {"A.ADM2", "A.ADM3"}:
        return False
    return bool(_LOCAL_FORCE.match(text[res.mention.end_char : res.mention.end_char + 30]))


def _story_focus(text: str, resolutions: Sequence[Resolution]) -> tuple[Resolution | None, Resolution | None]:
    """Return the story's most-named literal town/region and its most-named country mention."""
    literal = [
        r
        for r in resolutions
        if (not _is_actor_use(text, r) or _local_force(text, r))
        and r.place is not None
        and not _FACILITY.match(text[r.mention.end_char : r.mention.end_char + 20])
        and not _HELD_IN.search(text[max(0, r.mention.start_char - 40) : r.mention.start_char])
    ]
    towns = Counter(
        r.place.place_id
        for r in literal
        if r.place and not r.place.is_country and r.place.feature_class in {"P", "A"} and r.role == "place"
    )
    countries = Counter(r.place.country_code for r in resolutions if r.place is not None and r.place.country_code)
    focus = None
    if towns:
        best_id = max(
            towns,
            key=lambda k: (towns[k], -next(i for i, r in enumerate(literal) if r.place and r.place.place_id == k)),
        )
        focus = next(r for r in literal if r.place and r.place.place_id == best_id)
        region = focus.place
        if region is not None and region.feature == "A.ADM1":
            # a state most named, "the town of X, <state>" its one town: the town
            inside = [
                r
                for r in literal
                if r.place is not None
                and r.role == "place"
                and r.place.feature_class == "P"
                and r.place.country_code == region.country_code
                and r.place.admin1_code == region.admin1_code
            ]
            if len({r.place.place_id for r in inside if r.place is not None}) == 1:
                focus = inside[0]
    country_res = None
    if countries:
        code = max(
            countries,
            key=lambda c: (
                countries[c],
                -min(i for i, r in enumerate(resolutions) if r.place and r.place.country_code == c),
            ),
        )
        country_res = next(
            (r for r in resolutions if r.place is not None and r.place.is_country and r.place.country_code == code),
            None,
        )
        if focus is not None and focus.place is not None and focus.place.country_code != code:
            pass
    return focus, country_res


def _anaphor_place(text: str, sentence: tuple[int, int], resolutions: Sequence[Resolution]) -> Resolution | None:
    start, end = sentence
    chunk = text[start:end]
    if not (_CITY_ANAPHOR.search(chunk) or _REGION_ANAPHOR.search(chunk)):
        return None  # no "the city" / "the region" to resolve: skip the scan of earlier places
    earlier = [r for r in _between(resolutions, 0, start) if not _is_actor_use(text, r)]
    if _CITY_ANAPHOR.search(chunk):
        for res in reversed(earlier):
            if res.seat is not None or (res.place is not None and res.place.feature_class == "P"):
                return res
    if _REGION_ANAPHOR.search(chunk):
        for res in reversed(earlier):
            if res.place is not None and (res.role == "region" or res.place.feature == "A.ADM1"):
                return res
    return None


def _destination(
    text: str, sentence: tuple[int, int], resolutions: Sequence[Resolution], borders: Sequence[BorderMention]
) -> tuple[str, tuple[float, float] | None, Any]:
    """Find where people fled to: a border phrase or a place after 'fleeing for/to/into'."""
    start, end = sentence
    for border in borders:
        if start <= border.start_char < end and _DESTINATION.search(text[start : border.start_char]):
            return "border", None, border
    for res in _between(resolutions, start, end):
        if (
            res.place is not None
            and res.role != "demonym"
            and _DESTINATION.search(text[start : res.mention.start_char])
        ):
            return "place", res.point, res
    return "", None, None


def extract_events(
    doc: Document, parsed: ParsedDocument, gazetteer: Gazetteer, *, sdoc: Any = None, parse: bool = True
) -> list[Event]:
    """
    Extract the events of one document.

    Parameters
    ----------
    doc
        The document (text, id, publication date).
    parsed
        Its geoparse (:func:`geomap.geoparse.geoparse_document`).
    gazetteer
        The read-only gazetteer (for country polygons and names).
    sdoc
        The document's spaCy parse (:mod:`geomap.nlp`), or None in fast mode.

    Returns
    -------
    list of Event
        In text order of first evidence; exactly one is ``primary`` when any exist.
    """
    text = doc.text
    sdoc = ensure_parse(text, sdoc) if parse and text.strip() else sdoc
    head_end = headline_end(text)
    line_end = dateline_end(text[head_end:])
    context_end = head_end + line_end if line_end else head_end
    # Datelines and actors ("X-led", "X says", "appealed to X") never hold an event.
    resolutions = tuple(r for r in parsed.resolutions if not _role_actor(sdoc, r, context_end))
    # The headline names the story's place too (a prior, never an event place); the dateline does not.
    in_headline = tuple(r for r in parsed.resolutions if r.mention.end_char <= head_end and not _role_actor(sdoc, r, 0))
    focus, country = _story_focus(text, in_headline + resolutions)
    doc_date: DateInfo | None = None
    latest_bound: DateInfo | None = None
    history: DateInfo | None = None
    raw: list[Event] = []
    sentences = split_sentences(text)
    for number, sentence in enumerate(sentences):
        s_start, s_end = sentence
        if s_end <= head_end:
            continue  # the headline is context for the lead, never its own event
        chunk = text[s_start:s_end]
        kinds = _kinds_in(chunk)
        date = _clause_date(chunk, kinds, doc, s_start)
        if (
            date is not None
            and doc_date is None
            and number < 3
            and _in_window(date, doc)
            and date.time_precision <= 2
            and not _after_publication(date, doc)
        ):
            doc_date = date  # a day after the news ("will meet on Thursday") dates no undated incident
        if (
            date is not None
            and date.time_precision == 1
            and _COURT_STEP.search(chunk)
            and _in_window(date, doc)
            and not _after_publication(date, doc)
        ):
            # a court step of the report's own time: the undated incident it follows happened by then
            # ("a woman was stabbed ..." then "he made his first appearance in court on Monday")
            latest_bound = date if latest_bound is None or date.date < latest_bound.date else latest_bound
        if number < 3 and not raw and history is None and _VERDICT.search(chunk):
            # "Four men were convicted over the fight that took place on 3 March last year": the news
            # is a verdict; the crime it ends is history
            history = next(
                (
                    d
                    for d in find_dates(chunk, doc.published, offset=s_start)
                    if d.time_precision <= 2 and _before_window(d, doc)
                ),
                None,
            )
        if not kinds:
            continue
        families: dict[str, list[str]] = {}
        for kind in kinds:
            families.setdefault(_FAMILIES[kind], []).append(kind)
        if len(families) > 1:
            families.pop("other", None)  # "other" cues only make an event when nothing else is told
        if "killed" in kinds and not (set(kinds) & {"riots", "clashes", "attack", "protest"}):
            families.setdefault("violence", [])
        work = [
            (f, families[f], part) for f in _FAMILY_ORDER if f in families for part in _parts(chunk, sentence, f, sdoc)
        ]
        for family, fam_kinds, part in work:
            event = _build_event(
                doc,
                family,
                fam_kinds,
                part,
                resolutions,
                parsed,
                focus,
                country,
                date,
                len(raw),
                gazetteer,
                sdoc=sdoc,
            )
            if event is None:
                continue
            told = raw[-1] if raw else None
            if (
                told is not None
                and told.background
                and event.current
                and event.date is None
                and _SEQUEL.search(chunk)
                and s_start - _told_until(told) < 400
            ):
                # "He was arrested at the scene" right after a dated attack of history: that history, told on
                event = replace(event, date=told.date, background=True)
            last = next((e for e in reversed(raw) if e.family == family), None)
            if (
                last is not None
                and last.background
                and event.current
                and event.location_note != "in its sentence"
                and event.date is None
                and s_start - _told_until(last) < 400
            ):
                # "She died at the scene." after a paragraph of history goes on telling that history
                at = raw.index(last)
                raw[at] = replace(
                    last, extra_evidence=(*last.extra_evidence, (event.evidence_start, event.evidence_end))
                )
                continue
            previous = next((e for e in reversed(raw) if e.family == family and e.current), None)
            if (
                previous is not None
                and previous.evidence_start < s_start  # the other part of a split sentence is another event
                and event.refers_back
                and event.current
                and (
                    event.location_note != "in its sentence"
                    or (event.place is not None and previous.place is not None and event.place == previous.place)
                )
            ):
                # More about an event already told: its evidence, never a new marker.
                at = raw.index(previous)
                if event.location_note.startswith("between") and previous.location_note.startswith("the story's"):
                    # "The attack occurred as they drove from X to Y": where the event told vaguely happened
                    previous = replace(
                        previous,
                        place=event.place,
                        place_mention=event.place_mention,
                        location_note=event.location_note,
                        geometry=event.geometry,
                        geometry_kind=event.geometry_kind,
                    )
                raw[at] = _retyped_replace(
                    previous,
                    date=previous.date or event.date,
                    kinds=_told_on(previous.kinds, event.kinds, event),
                    killed=_higher(previous.killed, event.killed),
                    injured=_higher(previous.injured, event.injured),
                    arrested=_higher(previous.arrested, event.arrested),
                    extra_evidence=(*previous.extra_evidence, (event.evidence_start, event.evidence_end)),
                )
                continue
            if (
                previous is not None
                and event.current
                and event.location_note != "in its sentence"
                and event.geometry_kind != "flow"
                and s_start - _told_until(previous) < 400
            ):
                # A sentence that names no place of its own goes on telling the previous event.
                event = replace(
                    event,
                    place=previous.place,
                    place_mention=previous.place_mention,
                    location_note=previous.location_note,
                    date=event.date or previous.date,
                    geometry=previous.geometry,
                    geometry_kind=previous.geometry_kind,
                )
            raw.append(event)
    raw = _charges_after_arrests(raw, sdoc)
    if not raw and (focus is not None or country is not None):
        # A report with no recognised cue still reports something somewhere: keep it as "other", low confidence.
        first = next((sp for sp in sentences if _pick_place(text, sp, resolutions)), sentences[0])
        other = _build_event(
            doc,
            "other",
            ["other"],
            first,
            resolutions,
            parsed,
            focus,
            country,
            _clause_date(text[first[0] : first[1]], [], doc, first[0]),
            0,
            gazetteer,
            sdoc=sdoc,
        )
        if other is not None:
            raw.append(replace(other, confidence=0.2))
    body = [sp for sp in sentences if sp[1] > head_end]
    lead_end = body[min(1, len(body) - 1)][1] if body else len(text)
    seen: set[str] = set()
    kept: list[Event] = []
    for event in raw:
        verdict = _well_read(event, lead_end, country, seen)
        if verdict == "keep":
            kept.append(event)
        elif verdict == "merge":
            # Placed only by the story's focus: it goes on telling the family's event already told.
            into = next((i for i, e in enumerate(kept) if e.family == event.family and e.current), None)
            if into is not None:
                old = kept[into]
                # casualty kinds come with their counts only ("killed" without a number is no new fact)
                added = _told_on(old.kinds, tuple(k for k in event.kinds if k not in {"killed", "injured"}))
                kept[into] = replace(
                    old,
                    date=old.date or event.date,
                    kinds=tuple(dict.fromkeys(old.kinds + added)),
                    extra_evidence=(*old.extra_evidence, (event.evidence_start, event.evidence_end)),
                )
    raw = kept
    events = _merge_home_copies(text, _merge(raw))
    fallback = doc_date
    if fallback is None and latest_bound is not None:
        fallback = DateInfo(date=latest_bound.date, time_precision=2, text="", start_char=-1)
    if fallback is None and doc.published is not None:
        # Reported without a date: the week of publication (ACLED time_precision 2).
        fallback = DateInfo(date=doc.published, time_precision=2, text="", start_char=-1)
    if fallback is not None:
        events = [
            replace(
                e,
                date=DateInfo(
                    date=fallback.date - dt.timedelta(days=e.days_before),
                    time_precision=1 if e.days_before < 7 else 2,
                    text="",
                    start_char=-1,
                ),
            )
            if e.date is None and e.days_before is not None
            else e
            for e in events
        ]
    if history is not None:
        # undated violence told after a verdict on a dated crime retells that crime ("they try to flee in
        # their car, which causes the group to attack the vehicle")
        events = [
            replace(e, date=history, background=True)
            if e.date is None and e.current and e.family not in {"arrests", "other"}
            else e
            for e in events
        ]
    events = [replace(e, date=fallback, published_fallback=True) if e.date is None and fallback else e for e in events]
    if events:
        # The main event is told in the lead: its violence first, else its first event; later background
        # ("relatives who had died in Ukraine") does not outrank it.
        pool = [e for e in events if e.current] or events
        lead = [e for e in pool if e.evidence_start < lead_end] or pool
        primary = next((e for e in lead if e.family == "violence"), lead[0])
        events = [replace(e, primary=e is primary) for e in events]
        events = [_ranked_place(doc, e, resolutions, gazetteer) if e.primary else e for e in events]
        events = [_hinted_country(doc, e, gazetteer) if e.primary and e.place is None else e for e in events]
        events = [replace(e, killed=report_toll(text, e.killed, e.sub_event_type)) if e.primary else e for e in events]
    # A demonstration that turned to clashes or rioting is a riot (ACLED's Riots), no longer a protest.
    events = [
        replace(e, kinds=tuple(k for k in e.kinds if k != "protest"))
        if "protest" in e.kinds and {"riots", "clashes"} & set(e.kinds)
        else e
        for e in events
    ]
    return [replace(e, event_id=f"{doc.doc_id}-{i + 1}") for i, e in enumerate(events)]


_ABDUCTION_LEMMAS = frozenset({"abduct", "abduction", "kidnap", "kidnapping", "take", "abductor", "kidnapper"})


def _abduction_only(triggers: dict[str, list[Any]]) -> bool:
    """Tell whether a sentence's violence cues all tell an abduction ("were taken by", "kidnapped"), no harm."""
    cues = [t for kind in ("riots", "clashes", "attack", "killed", "injured") for t in triggers.get(kind, [])]
    if any(t.dep_ == "pobj" and t.head.lower_ in {"following", "after", "before", "since"} for t in cues):
        return False  # "following the kidnapping of three (coded separately), gunmen fired": an earlier event
    return bool(cues) and all(
        t.lemma_.lower() in _ABDUCTION_LEMMAS or t.lower_.startswith(("kidnap", "abduct")) for t in cues
    )


_TAKING = re.compile(r"^(?:loot|plunder|ransack|pillag)", re.I)


def _destruction_only(chunk: str) -> bool:
    """Tell whether a sentence's property cues all tell damage ("vandalised", "destroyed homes"), none a taking."""
    cues = [m.group() for m in KIND_PATTERNS["looting"].finditer(chunk)]
    return bool(cues) and not any(_TAKING.match(c) for c in cues)


def _charges_after_arrests(raw: list[Event], sdoc: Any) -> list[Event]:
    """
    Drop the arrests told only as charges ("X has been charged with murder") when the report tells an arrest.

    A charge by police is an arrest fact when the report tells no other (ACLED's Arrests); told beside an
    arrest ("X was arrested on Wednesday"), it is a later step of that arrest, not one more marker.
    """
    if sdoc is None:
        return raw

    def charge_only(event: Event) -> bool:
        cues = _triggers(sdoc, event.evidence, event.evidence_start, ["arrests"]).get("arrests", [])
        return bool(cues) and all(t.lemma_.lower() == "charge" for t in cues)

    arrests = [e for e in raw if e.family == "arrests"]
    only_charged = [e for e in arrests if charge_only(e)]
    if not only_charged or len(only_charged) == len(arrests):
        return raw
    dropped = {id(e) for e in only_charged}
    return [e for e in raw if id(e) not in dropped]


def _hinted_country(doc: Document, event: Event, gazetteer: Gazetteer) -> Event:
    """Locate a main event its text cannot place in the country the document's hint names (precision 3)."""
    if not doc.country or event.geometry_kind not in {"point", ""}:
        return event
    try:
        place = gazetteer.resolve_code(gazetteer.country_code(doc.country))
    except GeomapError:
        return event
    if place is None:
        return event
    return replace(event, place=place, geometry_kind="point", location_note="the document's country (its hint)")


def _as_seat(text: str, res: Resolution) -> Resolution:
    """
    Return "X district", or a bare "X" read as the unit around town X, as that town, as ACLED codes it.

    "Protests in Palermo" mean the city, not its province; "in Palermo province" stays the province.
    """
    if res.seat is None or res.place is None:
        return res
    if _is_seat_of_unit(text, res) and res.place.feature != "A.ADM1":
        return replace(res, place=res.seat)
    if _UNIT_NAMED.match(text[res.mention.end_char : res.mention.end_char + 25]):
        return res
    if haversine_km(res.seat.lat, res.seat.lon, res.place.lat, res.place.lon) > _BARE_SEAT_KM:
        return res  # a state's far-off namesake town ("Rio Grande" in "Rio Grande do Sul") is not what it means
    return replace(res, place=res.seat)


_CODED_BEFORE = re.compile(r"\b(?i:coded\s+(?:as|to|at|in))\s+(?:[a-z]+[\s,]+){0,4}$")
_CODED_NOT_PLACE = re.compile(r"^(?:\s+event\b|-)", re.I)


def _coded_as(text: str, res: Resolution) -> bool:
    """Tell whether a coder's note says its event is coded at this place ("coded as X", not "coded to the X event")."""
    return (
        res.place is not None
        and not res.place.is_country
        and res.role != "demonym"
        and bool(_CODED_BEFORE.search(text[max(0, res.mention.start_char - 50) : res.mention.start_char]))
        and not _CODED_NOT_PLACE.match(text[res.mention.end_char : res.mention.end_char + 10])
    )


def _seat_of(text: str, event: Event) -> Event:
    """Put an event placed at "X" read as the unit around town X at that town (:func:`_as_seat`)."""
    res = event.place_mention
    if res is None or res.place is None or event.place is None or event.place.place_id != res.place.place_id:
        return event
    seat = _as_seat(text, res)
    return event if seat is res else replace(event, place=seat.place)


_HOME_BEFORE = re.compile(r"\b(?:an?|the)\s+(?:[\w-]+-year-old\s+)?$", re.I)
_HOME_AFTER = re.compile(
    r"^(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?,)?\s+(?:man|woman|boy|girl|teen|teenager|youth|resident|native|couple|family|mother|father)\b"
)


def _home_of_person(text: str, res: Resolution) -> bool:
    """Tell whether a place describes where a person is from ("a Metcalfe County man"): a home, not a scene."""
    start, end = res.mention.start_char, res.mention.end_char
    before = text[max(0, start - 30) : start]
    return bool(_HOME_BEFORE.search(before) and _HOME_AFTER.match(text[end : end + 40]))


def _placed_at_home(text: str, event: Event) -> bool:
    """Tell whether an event stands only at a person's home town ("a 25-year-old Paris, Missouri, man")."""
    res = event.place_mention
    return event.place is not None and res is not None and _home_of_person(text, res)


def _merge_home_copies(text: str, events: list[Event]) -> list[Event]:
    """
    Merge an event placed at a person's home town into the same event told at its scene.

    "A 30-year-old X, Ohio, man was arrested Friday" and "John Doe was arrested on June 2 in
    Y County": one arrest, of one family, day and compatible counts, in one country; the scene stands
    for it and both sentences are its evidence.

    Parameters
    ----------
    text
        The document's text.
    events
        The document's events after :func:`_merge`.

    Returns
    -------
    list of Event
        The events, each home copy folded into its scene's event.
    """
    out = list(events)
    for home in [e for e in events if e.current and _placed_at_home(text, e)]:
        scene = next(
            (
                e
                for e in out
                if e is not home
                and e.current
                and e.family == home.family
                and e.place is not None
                and home.place is not None
                and e.place.country_code == home.place.country_code
                and not _placed_at_home(text, e)
                and "flow" not in {e.geometry_kind, home.geometry_kind}
                and (e.date is None or home.date is None or abs((e.date.date - home.date.date).days) <= 1)
                and all(
                    a is None or b is None or _agree(a, b)
                    for a, b in (
                        (e.killed, home.killed),
                        (e.injured, home.injured),
                        (e.arrested, home.arrested),
                        (e.displaced, home.displaced),
                    )
                )
            ),
            None,
        )
        if scene is None or home not in out:
            continue
        at = out.index(scene)
        out[at] = replace(
            scene,
            kinds=tuple(dict.fromkeys((*scene.kinds, *home.kinds))),
            killed=scene.killed or home.killed,
            injured=scene.injured or home.injured,
            arrested=scene.arrested or home.arrested,
            displaced=scene.displaced or home.displaced,
            date=scene.date or home.date,
            extra_evidence=(*scene.extra_evidence, (home.evidence_start, home.evidence_end), *home.extra_evidence),
            primary=scene.primary or home.primary,
        )
        out.remove(home)
    return out


def _ranked_place(doc: Document, event: Event, resolutions: Sequence[Resolution], gazetteer: Gazetteer) -> Event:
    """Let the fitted ranker (:mod:`geomap.place_ranker`) choose the main event's place among its sentence's."""
    from geomap import place_ranker

    if event.geometry_kind not in {"point", ""} or (
        event.place is not None and event.place.place_id.startswith("between:")
    ):
        return event  # an area, a line, or a journey's midpoint (:func:`_on_the_way`): not one of the sentence's names
    text = doc.text
    coded = next((r for r in resolutions if _coded_as(text, r)), None)
    if coded is not None and coded.place is not None:
        # the coder's own word on where the event is coded ("[coded as X with GP2]"), wherever the note says it
        return replace(
            event, place=_as_seat(text, coded).place, place_mention=coded, location_note="coded as (the note says)"
        )
    model = place_ranker.load_place_ranker()
    if model is None and place_ranker.COLLECT is None:
        return _seat_of(text, event)
    current = event.place_mention if event.place is not None else None
    found = [
        r
        for r in _between(resolutions, event.evidence_start, event.evidence_end)
        if r.place is not None
        and r.role != "demonym"
        and not r.metonymic
        and not _is_actor_use(text, r)
        and not _taken_to_facility(text, r)
        and not _in_agency_name(text, r)
    ]
    scenes = [r for r in found if not _home_of_person(text, r)]
    found = scenes if scenes else found
    if current is not None and current.place is not None and all(c is not current for c in found):
        found = sorted([*found, current], key=lambda r: r.mention.start_char)
    hint = gazetteer.country_code(doc.country) if doc.country else ""
    # without a hint, the country the text's own admin-1 regions name stands for it
    hint = hint or next((r.text_country for r in resolutions if r.text_country), "")
    if hint:
        # A story the hint puts in one country happens there: a town abroad stays a candidate only when the
        # text names its country ("in Kano and in Niamey, Niger"), a foreign country (an actor's) never does.
        named = {
            r.place.country_code
            for r in resolutions
            if r.place is not None and r.place.is_country and r.role != "demonym"
        }
        home = [
            r
            for r in found
            if r.place is not None
            and (r.place.country_code == hint or (not r.place.is_country and r.place.country_code in named))
        ]
        if home and len(home) < len(found):
            if current is not None and all(c is not current for c in home):
                current = None  # the rules' pick lies abroad
            found = home
    only = _as_seat(text, found[0]) if len(found) == 1 and current is None else None
    if only is not None and only.place is not None and (not hint or only.place.country_code == hint):
        # the parse put the sentence's one place in another clause: still the best guess for the main event
        return replace(
            event, place=only.place, place_mention=found[0], location_note="in its sentence (its only place)"
        )
    if len(found) < 2:
        return _seat_of(text, event)
    at = next((i for i, c in enumerate(found) if c is current), None)
    cands = [_as_seat(text, r) for r in found]  # a district named after its town is that town
    counts = Counter(r.place.place_id for r in resolutions if r.place is not None)
    rows = place_ranker.candidate_matrix(text, (event.evidence_start, event.evidence_end), cands, at, hint, counts)
    if place_ranker.COLLECT is not None:
        place_ranker.COLLECT.append(
            {
                "doc_id": doc.doc_id,
                "rows": rows,
                "points": [c.point for c in cands],
                "current": at,
                "names": [c.mention.text for c in cands],
            }
        )
        return event
    assert model is not None
    pick = place_ranker.choose(model, rows)
    if pick == at:
        return _seat_of(text, event)
    best = cands[pick]
    return replace(event, place=best.place, place_mention=found[pick], location_note="in its sentence (fitted ranker)")


def _build_event(
    doc: Document,
    family: str,
    kinds: list[str],
    sentence: tuple[int, int],
    resolutions: Sequence[Resolution],
    parsed: ParsedDocument,
    focus: Resolution | None,
    country: Resolution | None,
    date: DateInfo | None,
    index: int,
    gazetteer: Gazetteer,
    *,
    sdoc: Any = None,
) -> Event | None:
    text = doc.text
    s_start, s_end = sentence
    chunk = text[s_start:s_end]
    triggers = _triggers(sdoc, chunk, s_start, kinds) if sdoc is not None else {}
    if sdoc is not None:
        kinds = [k for k in kinds if k in triggers or (k == "troop_request" and not _negated_cue(sdoc, chunk, s_start))]
        if not kinds and family != "other":
            return None
    if (
        sdoc is not None
        and family == "displacement"
        and not any(t.lemma_.lower() not in {"refugee"} for t in triggers.get("displacement", []))
    ):
        return None  # refugees as a population are a stock, not a displacement
    # The event's own cue: the first, unless it refers back to the news and a later one tells what came
    # before it ("Sunday's explosion came two days after bombs killed six").
    cues_here = sorted((t for ts in triggers.values() for t in ts), key=lambda t: t.i)
    main_trigger = cues_here[0] if cues_here else None
    if main_trigger is not None and is_definite_mention(main_trigger):
        main_trigger = next((t for t in cues_here if told_as_earlier(t)[0]), main_trigger)
    if main_trigger is not None:
        cue_ids = {t.i for kind in _kinds_in(chunk) for t in _triggers(sdoc, chunk, s_start, [kind]).get(kind, [])}
        date = _trigger_date(sdoc, main_trigger, chunk, doc, s_start, cue_ids - {main_trigger.i})
    killed = _count(sdoc, chunk, s_start, "killed", triggers) if "killed" in kinds else None
    injured = _count(sdoc, chunk, s_start, "injured", triggers) if "injured" in kinds else None
    arrested = _count(sdoc, chunk, s_start, "arrests", triggers) if "arrests" in kinds else None
    planned = main_trigger is not None and is_planned(main_trigger)
    if date is not None and doc.published is not None and date.date > doc.published + dt.timedelta(days=1):
        planned = True
    background = not planned and date is not None and _before_window(date, doc)
    if main_trigger is not None and family == "arrests" and ordered_in_court(main_trigger):
        return None  # custody a court ordered after a hearing is a step of a trial, not an arrest
    if main_trigger is not None and not planned and family != "arrests" and told_in_court(main_trigger):
        background = True  # the crime a court hears or a charge names happened before the news
    days_before: int | None = None
    if main_trigger is not None and not planned:
        earlier, days = told_as_earlier(main_trigger)
        if earlier:
            background = True
            days_before = days
            if days is not None and date is not None:
                date = DateInfo(
                    date=date.date - dt.timedelta(days=days),
                    time_precision=1 if days < 7 else 2,
                    text=date.text,
                    start_char=date.start_char,
                )
                days_before = None
            else:
                date = None  # dated below from the news it comes before
    toll = any(is_toll(t) for t in triggers.get("killed", [])) and killed is not None and killed.best > 1
    # "the attack", "Sunday's explosion": the cue refers back to an event already told.
    refers_back = bool(triggers) and all(is_definite_mention(t) for ts in triggers.values() for t in ts)
    coded = _CODED_AS.search(chunk)
    if coded:
        value = int(coded.group(1))
        killed = Count(
            text=coded.group(),
            start_char=s_start + coded.start(),
            end_char=s_start + coded.end(),
            qualifier="unspecified",
            low=None,
            best=value,
            high=None,
        )
        kinds = [*kinds, "killed"] if "killed" not in kinds else kinds
    if (
        "protest" in kinds
        and not set(kinds) & {"riots", "clashes", "attack"}
        and not re.search(
            r"\b(?:protesters|demonstrators|participants)\b[^.]{0,40}\b(?:killed|died|dead|injured|wounded)", chunk
        )
    ):
        # A protest about a killing ("justice for a man who was killed") reports no casualties.
        kinds = [k for k in kinds if k not in {"killed", "injured"}]
        killed = injured = None
    if family == "violence":
        if killed is not None and killed.best == 0:
            kinds = [k for k in kinds if k != "killed"]
            killed = None
        if injured is not None and injured.best == 0:
            kinds = [k for k in kinds if k != "injured"]
            injured = None
        if not kinds:
            return None
    displaced = None
    if family == "displacement":
        displaced = _count(sdoc, chunk, s_start, "displacement", triggers)
        flights = triggers.get(family, [])
        if sdoc is not None and displaced is None and not any(_flight_of_people(t) for t in flights):
            return None  # "the gunmen fled in a car": an escape, not a displacement
        if sdoc is not None and flights and all(_flight_of_perpetrators(t) for t in flights):
            return None  # "the drivers of both cars fled": a number does not make an escape a displacement
    abduction = family == "violence" and _abduction_only(triggers)
    if abduction:
        # "the boys were taken by a woman", "kidnapped": an abduction, kind "other" (no kind of its own)
        kinds = ["other"]
    if family == "property" and "looting" in kinds and _destruction_only(chunk):
        # vandalism, property destroyed: nothing taken, so no looting (ACLED's Looting/property destruction)
        kinds = list(dict.fromkeys("other" if k == "looting" else k for k in kinds))
    all_triggers = [t for ts in triggers.values() for t in ts]
    place_res = _pick_place(text, sentence, resolutions, sdoc=sdoc, triggers=all_triggers)
    note = "in its sentence"
    if place_res is None:
        place_res = _anaphor_place(text, sentence, resolutions)
        note = "anaphor ('the city', 'the region')"
        story = country.place.country_code if country is not None and country.place is not None else ""
        if place_res is not None and place_res.place is not None and story and place_res.place.country_code != story:
            place_res = None  # "the area" refers to the story's ground, not to a place abroad named in passing
    if place_res is None:
        if family in _NATIONAL:
            place_res, note = country, "the story's country"
        else:
            place_res, note = (focus, "the story's main place") if focus else (country, "the story's country")
    if (
        place_res is not None
        and place_res.place is not None
        and place_res.place.is_country
        and focus is not None
        and focus.place is not None
        and focus.place.country_code == place_res.place.country_code
        and family not in _NATIONAL | {"curfew", "emergency"}
    ):
        # "fighting in Syria" in a report about one Syrian town: the town, not the country's centroid
        place_res, note = focus, "the story's main place, in the country its sentence names"
    elif (
        place_res is not None
        and place_res.place is not None
        and place_res.place.is_country
        and focus is not None
        and focus.place is not None
        and focus.place.country_code != place_res.place.country_code
        and family not in _NATIONAL | {"curfew", "emergency"}
        and not toll
        and not _COUNTRYWIDE.search(chunk)
    ):
        # the story's main place is abroad (where someone lived, studied): its most named town in this country
        local, _ = _story_focus(
            text,
            [r for r in resolutions if r.place is not None and r.place.country_code == place_res.place.country_code],
        )
        if local is not None and local.place is not None and not local.place.is_country:
            place_res, note = local, "the story's main place in the country its sentence names"
    place = place_res.place if place_res else None
    if place_res is not None and place_res.seat is not None and family not in {"curfew", "emergency"}:
        place = place_res.seat if place_res.role == "region" and note.startswith("anaphor") else place
    if place_res is not None and note.startswith("anaphor") and _CITY_ANAPHOR.search(chunk) and place_res.seat:
        place = place_res.seat
    if place is not None and place_res is not None and note == "in its sentence" and family != "displacement":
        between = _on_the_way(text, sentence, place_res, resolutions)
        if between is not None:
            place, note = between, "between the two places its sentence names (a journey)"
    geometry = None
    geometry_kind = "point" if place else ""
    origin = destination = ""
    if family == "displacement" and place is not None:
        dest_kind, dest_point, dest_obj = _destination(text, sentence, resolutions, parsed.borders)
        if dest_kind:
            geometry, destination = _flow(place, dest_kind, dest_point, dest_obj, gazetteer)
            if geometry is not None:
                geometry_kind = "flow"
                origin = place.name
    if family == "displacement" and place is not None and geometry_kind == "point":
        # "40,000 Nicaraguans have arrived in Costa Rica": the place is where they arrived, their nation the origin
        arrivals = [t for t in triggers.get("displacement", []) if t.lemma_.lower() in {"arrive", "enter", "cross"}]
        nation = next(
            (
                r
                for r in _between(parsed.resolutions, s_start, s_end)
                if r.role == "demonym" and r.place is not None and r.place.country_code != place.country_code
            ),
            None,
        )
        if arrivals and nation is not None and nation.place is not None:
            origin, destination = nation.place.name, place.name
    if family in {"curfew", "emergency"} and place is not None:
        geometry = _area(place, place_res, note)
        if geometry is not None:
            geometry_kind = "area"
    literal_ids = {id(r) for r in _between(resolutions, s_start, s_end)}  # only this sentence's matter
    actors = tuple(
        dict.fromkeys(
            r.mention.text
            for r in _between(parsed.resolutions, s_start, s_end)
            if r.place is not None and (_is_actor_use(text, r) or id(r) not in literal_ids) and r.role != "demonym"
        )
    )
    event_type, sub_type = type_event(text, chunk, family, classify(kinds, chunk, family))
    if abduction:
        event_type, sub_type = "Violence against civilians", "Abduction/forced disappearance"
    confidence = 0.4 + (0.3 if note == "in its sentence" else 0.1 if place else 0.0) + (0.1 if date else 0.0)
    return Event(
        event_id=f"{doc.doc_id}-raw{index}",
        doc_id=doc.doc_id,
        kinds=tuple(kinds) if kinds else (family,),
        family=family,
        event_type=event_type,
        sub_event_type=sub_type,
        killed=killed,
        injured=injured,
        displaced=displaced,
        arrested=arrested,
        place=place,
        place_mention=place_res,
        location_note=note if place else "no place found in the sentence or the story",
        date=date,
        evidence_start=s_start,
        evidence_end=s_end,
        evidence=chunk,
        geometry=geometry,
        geometry_kind=geometry_kind,
        origin=origin,
        destination=destination,
        actors=actors,
        confidence=round(min(confidence, 0.95), 2),
        background=background,
        planned=planned,
        toll=toll,
        refers_back=refers_back,
        days_before=days_before,
    )


_MIN_FLOW_KM = 1.0
"""A flow shorter than this (origin and destination resolve to one place) is not drawn."""


def _flow(
    origin: Place, dest_kind: str, dest_point: tuple[float, float] | None, dest_obj: Any, gazetteer: Gazetteer
) -> tuple[BaseGeometry | None, str]:
    from geomap.boundaries import border_line, nearest_point

    if dest_kind == "border":
        a, b = dest_obj.country_codes
        line = border_line(a, b)
        if line is None:
            return None, ""
        lat, lon = nearest_point(line, origin.lat, origin.lon)
        names = [gazetteer.countries[c].name if c in gazetteer.countries else c for c in (a, b)]
        destination = f"{names[0]}–{names[1]} border"
    elif dest_point is None:
        return None, ""
    else:
        lat, lon = dest_point
        destination = dest_obj.place.name
    if haversine_km(origin.lat, origin.lon, lat, lon) < _MIN_FLOW_KM:
        return None, ""  # where they went is where they were: no flow to draw
    return short_line(origin.lon, origin.lat, lon, lat), destination


def _area(place: Place, res: Resolution | None, note: str) -> BaseGeometry | None:
    from geomap.boundaries import admin1_polygon, country_polygon
    from geomap.errors import GazetteerError

    try:
        if place.feature == "A.ADM1":
            return admin1_polygon(place.admin1_code)
        if place.is_country:
            return country_polygon(place.country_code)
    except GazetteerError:
        return None
    if place.feature_class == "P":
        from pyproj import Geod
        from shapely.geometry import Polygon

        geod = Geod(ellps="WGS84")
        ring = []
        for azimuth in range(0, 360, 10):
            lon, lat, _ = geod.fwd(place.lon, place.lat, azimuth, CITY_AREA_KM * 1000)
            ring.append((lon, lat))
        return split_polygon(Polygon(ring[::-1]))  # counter-clockwise, cut at the antimeridian
    return None


def _merge(events: list[Event]) -> list[Event]:
    """Merge events of one family and place whose dates agree (or are unknown); keep the highest counts."""
    merged: list[Event] = []
    for event in events:
        held = next((i for i, old in enumerate(merged) if _hurt_when_held(old, event)), None)
        if held is not None:
            # "A man is in custody after ... The man was treated for cuts": the one held was hurt
            old = merged[held]
            merged[held] = replace(
                old,
                kinds=tuple(dict.fromkeys((*old.kinds, "injured"))),
                injured=event.injured,
                extra_evidence=(*old.extra_evidence, (event.evidence_start, event.evidence_end)),
            )
            continue
        damaged = next((i for i, old in enumerate(merged) if _damage_of_the_attack(old, event)), None)
        if damaged is not None:
            # "the suspect vandalised two cars" after "a man attacked a car": the damage the attack did
            old = merged[damaged]
            merged[damaged] = replace(
                old, extra_evidence=(*old.extra_evidence, (event.evidence_start, event.evidence_end))
            )
            continue
        at = next((i for i, old in enumerate(merged) if _same_event(old, event)), None)
        if at is None:
            at = next((i for i, old in enumerate(merged) if _nested_same(old, event)), None)
            if at is not None:
                # one event told at a town and at its country or region: the town stands for it (its own
                # counts first)
                near, wide = (
                    (event, merged[at]) if _rank_place(event) < _rank_place(merged[at]) else (merged[at], event)
                )
                merged[at] = _retyped_replace(
                    near,
                    kinds=_told_on(merged[at].kinds, event.kinds, event),
                    killed=_sharper(near.killed, wide.killed),
                    injured=_sharper(near.injured, wide.injured),
                    displaced=_sharper(near.displaced, wide.displaced),
                    arrested=near.arrested or wide.arrested,
                    date=near.date or wide.date,
                    evidence_start=merged[at].evidence_start,
                    evidence_end=merged[at].evidence_end,
                    evidence=merged[at].evidence,
                    extra_evidence=(*merged[at].extra_evidence, (event.evidence_start, event.evidence_end)),
                    primary=merged[at].primary,
                    event_id=merged[at].event_id,
                )
                continue
        if at is None:
            merged.append(event)
            continue
        old = merged[at]
        merged[at] = _retyped_replace(
            old,
            kinds=_told_on(old.kinds, event.kinds, event),
            killed=_higher(old.killed, event.killed),
            injured=_wounds_of_the_dead(_higher(old.injured, event.injured), old.killed or event.killed),
            displaced=_higher(old.displaced, event.displaced),
            arrested=_higher(old.arrested, event.arrested),
            date=old.date or event.date,
            actors=tuple(dict.fromkeys(old.actors + event.actors)),
            geometry=old.geometry if old.geometry is not None else event.geometry,
            geometry_kind=old.geometry_kind if old.geometry is not None else event.geometry_kind,
            extra_evidence=(*old.extra_evidence, (event.evidence_start, event.evidence_end)),
            confidence=max(old.confidence, event.confidence),
        )
    return merged


NEAR_KM = 30.0
"""Towns this close (a city and its suburb or borough) stand for one event of one family and day."""


def _rank_place(event: Event) -> int:
    place = event.place
    if place is None:
        return 9
    if place.is_country:
        return 3
    if place.feature_class == "A" or place.feature == "A.ADM1":
        return 2
    return 0 if event.location_note == "in its sentence" else 1


def _nested_same(old: Event, new: Event) -> bool:
    """Tell whether two current events of one family and day sit at nested or neighbouring places."""
    from geomap.geo import haversine_km

    if old.family != new.family or not (old.current and new.current) or old.place is None or new.place is None:
        return False
    if old.geometry_kind in {"flow", "area"} or new.geometry_kind in {"flow", "area"}:
        return False
    if old.date is not None and new.date is not None and abs((old.date.date - new.date.date).days) > 1:
        return False
    a, b = old.place, new.place
    if a.country_code != b.country_code or not a.country_code:
        return False
    if a.is_country or b.is_country:
        return True
    if a.feature == "A.ADM1" and a.admin1_code == b.admin1_code:
        return True
    if b.feature == "A.ADM1" and a.admin1_code == b.admin1_code:
        return True
    pairs = (
        (old.killed, new.killed),
        (old.injured, new.injured),
        (old.displaced, new.displaced),
        (old.arrested, new.arrested),
    )
    counted = any(c is not None for c in (new.killed, new.injured, new.displaced, new.arrested))
    # the same toll told again at a neighbouring place ("a man was shot in Brooklyn" ... "killed in X
    # neighbourhood"), or told vaguely once ("hundreds were injured" ... "over 200 were injured"), is the
    # same event; another toll is another
    same_toll = all(n is None or (o is not None and _agree(o, n)) for o, n in pairs)
    return (not counted or same_toll) and haversine_km(a.lat, a.lon, b.lat, b.lon) <= NEAR_KM


def _same_event(old: Event, new: Event) -> bool:
    if old.family != new.family or (old.place is None) != (new.place is None):
        return False
    if (old.background, old.planned, old.toll) != (new.background, new.planned, new.toll):
        return False
    if old.place is not None and new.place is not None and old.place.place_id != new.place.place_id:
        return False
    if old.geometry_kind == "flow" or new.geometry_kind == "flow":
        return old.destination == new.destination
    return old.date is None or new.date is None or old.date.date == new.date.date


def _agree(a: Count, b: Count) -> bool:
    """Tell whether two counts may tell one toll: equal, or one a vague word whose range holds the other."""
    if a.best == b.best:
        return True
    for vague, exact in ((a, b), (b, a)):
        if vague.qualifier == "vague" and exact.qualifier != "vague":
            high = vague.high if vague.high is not None else vague.best * 10 - 1
            if vague.best <= exact.best <= high:
                return True
    return False


def _sharper(near: Count | None, wide: Count | None) -> Count | None:
    """Return the nearer place's own count, unless it is a vague word the other's number sharpens ("over 200")."""
    if near is None:
        return wide
    if wide is not None and near.qualifier == "vague" and wide.qualifier != "vague" and _agree(near, wide):
        return wide
    return near


_ONE_ALREADY_TOLD = re.compile(r"^(?:the|this|that)\s+(?:[a-z-]+\s+)?[a-z]+$|^(?:he|she|him|her)$", re.I)
"""A person told again without a number: "the victim", "the young man", "he"."""


def _wounds_of_the_dead(injured: Count | None, killed: Count | None) -> Count | None:
    """
    Drop one wounded person read from a definite reference when the event already counts a death.

    "A shooting killed a woman ... officers found the victim with gunshot wounds": the wounded victim is the dead man,
    told again, not one more casualty.
    """
    if injured is None or killed is None or injured.best != 1 or not killed.best:
        return injured
    return None if _ONE_ALREADY_TOLD.match(injured.text.strip()) else injured


def _damage_of_the_attack(old: Event, new: Event) -> bool:
    """
    Tell whether a later sentence's vandalism (property damaged, nothing taken) is what an attack told before did.

    Only damage alone (kind ``other`` of the property family, no count) at the attack's place and day is read so.
    """
    if new.family != "property" or set(new.kinds) != {"other"} or not (old.current and new.current):
        return False
    if old.family != "violence" or "attack" not in old.kinds or old.place is None or new.place is None:
        return False
    if old.place.place_id != new.place.place_id or new.evidence_start < old.evidence_start:
        return False
    return old.date is None or new.date is None or abs((old.date.date - new.date.date).days) <= 1


def _hurt_when_held(old: Event, new: Event) -> bool:
    """
    Tell whether a later sentence's one wounded person, told again by "the man" or "he", is the one person held.

    Only an injury alone (no attack, no death) at the arrest's place and day is read so.
    """
    hurt = new.injured
    if hurt is None or hurt.best != 1 or set(new.kinds) != {"injured"} or new.killed is not None:
        return False
    if not _ONE_ALREADY_TOLD.match(hurt.text.strip()):
        return False
    if old.family != "arrests" or old.arrested is None or old.arrested.best != 1 or old.injured is not None:
        return False
    if not (old.current and new.current) or old.place is None or new.place is None:
        return False
    if old.place.place_id != new.place.place_id:
        return False
    return old.date is None or new.date is None or abs((old.date.date - new.date.date).days) <= 1


def _higher(a: Count | None, b: Count | None) -> Count | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.best > a.best else a


def event_to_json(event: Event, published_date: Any = None) -> dict[str, Any]:
    """
    Describe an event as one line of ``geomap extract`` (../shared/eval/README.md).

    Parameters
    ----------
    event
        The event.
    published_date
        Unused; kept for symmetry with exporters.

    Returns
    -------
    dict
        Keys doc_id, primary, event_type, sub_event_type, fatalities, injured,
        lat, lon, location_name, geo_precision, event_date, time_precision,
        evidence, kinds, geometry and geomap's extras (counts with wording).
    """
    del published_date
    place = event.place
    res = event.place_mention
    geometry = None
    if event.geometry is not None:
        from shapely.geometry import mapping

        geometry = mapping(event.geometry)

    def count(c: Count | None) -> dict[str, Any] | None:
        if c is None:
            return None
        return {
            "text": c.text,
            "start": c.start_char,
            "end": c.end_char,
            "qualifier": c.qualifier,
            "low": c.low,
            "best": c.best,
            "high": c.high,
        }

    return {
        "event_id": event.event_id,
        "doc_id": event.doc_id,
        "primary": event.primary,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "kinds": list(event.kinds),
        "fatalities": event.fatalities,
        "injured": event.injured.best if event.injured else None,
        "killed_count": count(event.killed),
        "injured_count": count(event.injured),
        "displaced_count": count(event.displaced),
        "arrested": event.arrested.best if event.arrested else None,
        "arrested_count": count(event.arrested),
        "background": event.background,
        "planned": event.planned,
        "toll": event.toll,
        "lat": event.point[0] if event.point else None,
        "lon": event.point[1] if event.point else None,
        "location_name": place.name if place else None,
        "place_id": place.place_id if place else None,
        "country_code": place.country_code if place else None,
        "geo_precision": geo_precision(place) if place else None,
        "where_prec": where_precision(place) if place else None,
        "location_note": event.location_note,
        "place_mention": {"start": res.mention.start_char, "end": res.mention.end_char, "text": res.mention.text}
        if res is not None and place is not None
        else None,
        "event_date": event.date.date.isoformat() if event.date else None,
        "time_precision": event.date.time_precision if event.date else None,
        "date_text": event.date.text if event.date else None,
        "evidence": {"start": event.evidence_start, "end": event.evidence_end, "text": event.evidence},
        "actors": list(event.actors),
        "confidence": event.confidence,
        "located": event.located,
        "geometry_kind": event.geometry_kind,
        "origin": event.origin or None,
        "destination": event.destination or None,
        "geometry": geometry,
    }
