"""
Resolve recognised mentions to gazetteer places using the whole story as context.

Each candidate's score is its context-free prior (population, feature kind)
plus evidence from the document:

- **country context**: countries the story names or whose people it names
  (demonyms), weighted by how often, not counting the mention itself;
- **containment**: "Osh, Kyrgyzstan" or "Portland, Oregon" restrict the first
  name to the second;
- **area names**: a country, capital, continent or macro-region name means that
  area unless the text says otherwise (the "Mexico is not Mexico, Missouri"
  rule); a region phrase ("the Osh region") asks for the region;
- **coherence**: places near the story's other confidently placed places win
  (a story stays in one region);
- **the text's own country**: without a hint, admin-1 regions only one country
  has, read as regions by their context ("X (Y, Ituri)", "Kaduna State",
  "X district, Ghazni"), act as that country's hint
  (:attr:`Resolution.text_country`).

One sense per discourse: every mention of one name in one role shares its
resolution. Each resolution carries its score, runner-up candidates and a
short reason, logged at DEBUG.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from geomap.geo import haversine_km
from geomap.names import normalize_name
from geomap.resolver_model import FEATURES, ResolverModel, load_resolver_model
from geomap.toponyms import ADMIN_UNITS, unit_pattern, without_direction

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geomap.focus import AreaPrior
    from geomap.gazetteer import Gazetteer
    from geomap.model import Candidate, Place
    from geomap.toponyms import Mention

__all__ = [
    "Resolution",
    "geo_precision",
    "is_metonymic",
    "resolve_mentions",
    "where_precision",
]

logger = logging.getLogger(__name__)

Role = Literal["place", "region", "demonym"]
TOP_K = 30
"""Candidates considered per name."""
CONFIDENT = 0.6
"""Round-one confidence from which a place (not a country) anchors the story's focus."""

_AREA_BONUS = 0.5
_COUNTRY_BONUS = 1.0
_CITY_POPULATION = 100_000
"""A same-named town at least this big outranks its admin-1 region even when their codes differ."""
_EARTH_RADIUS_KM = 6371.0088
_NEAR_KM = 161.0
"""The evaluation's "same place" radius: a focus holds the story's places within it."""
_WORLD_CITY = 1_000_000
"""Cities this big (and capitals) are known far beyond their region."""
KNOWN_ABROAD_POPULATION = 100_000
"""With a country hint, a place abroad is kept only when it has no namesake in the country and is this large
(or a capital)."""

_REGION_BEFORE = re.compile(r"\b(?:region|province|oblast|state|district|governorate|county|prefecture)\s+of\s+$", re.I)
_REGION_AFTER = re.compile(
    r"^\s+(?:region|province|oblast|governorate|prefecture|district)\b"
    # "Riverside District Court", "the Lakeview District Hospital": an institution's name, not the area
    r"(?!\s+(?:[Cc]ourt|[Hh]ospital|[Jj]ail|[Pp]rison|[Ss]chool|[Cc]ouncil|[Aa]ttorney|[Jj]udge|[Mm]agistrate|[Pp]olice)s?\b)",
    re.I,
)
_SPEECH = (
    r"(?:says|said|say|has said|had said|announced|has announced|called|calls|has called|have called|urged|urges|"
    r"warned|warns|refused|refuses|rejected|rejects|denied|denies|accused|accuses|condemned|condemns|insists|"
    r"insisted|claimed|claims|agreed|agrees|wants|wanted|threatened|threatens|demanded|demands|responded|"
    r"protested|vowed|pledged|offered|promised|criticized|criticised|welcomed|recognized|recognised|imposed|"
    r"sanctioned|signed|voted|decided|declined|expelled|summoned|believes|hopes|fears|would|will|has been|has)"
)
_FEATURE_WORD = re.compile(
    r"^\s+(?:town|city|village|villages|area|camp|neighbou?rhood|locality|"
    + unit_pattern(ADMIN_UNITS)
    + r")(?=\s*[,(]|\s+in\s)"
)
# "in Y", "in the northern Y", "in southern Y".
_IN_CONTAINER = re.compile(r"\s+in\s+(?:the\s+)?(?:(?:north|south|east|west|centr)[a-z-]*\s+)?")
_PLACE_NOUN = (
    r"(?:town|city|village|hamlet|settlement|district|municipality|township|area|camp|county|province|region|"
    r"state|governorate|suburb|neighbou?rhood|locality|commune|port|capital|community|enclave|outpost|"
    r"towns|cities|villages|districts|suburbs|neighbou?rhoods|areas|communities)"
)
# "X is a small town in Y", "X, a village in Y", "X, the capital of Y".
_COPULA_IN = re.compile(
    r"\s*,?\s+(?:(?:is|was|are|were|lies|sits)\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?"
    + _PLACE_NOUN
    + r"\s+(?:in|of)\s+(?:the\s+)?(?:(?:north|south|east|west|centr)[a-z-]*\s+)?"
)
# "the southern Y town of X": Y (a place or its people's adjective) then a place noun and "of".
_NOUN_OF = re.compile(r"\s+(?:[a-z-]+\s+)?" + _PLACE_NOUN + r"\s+of\s+")
_AREA_NOUN_OF = re.compile(
    r"\b(?:district|municipality|county|province|region|state|governorate|prefecture|oblast)\s+of\s+$", re.I
)
_NANP_PHONE = re.compile(r"(?<![\d-])(?:1[-. ])?(?:\([2-9]\d\d\)\s?|[2-9]\d\d[-.])[2-9]\d\d[-.]\d{4}(?![\d-])")
"""A North American phone number ("519-661-5670", "(416) 555-0199", "1-800-222-8477"): a US or Canadian story."""
_NANP_COUNTRIES = ("US", "CA")
_SETTLEMENT_AFTER = re.compile(r"^\s+(?:city|town|village)\b")
"""A settlement noun after a name ("Amara city"): a town is meant, not a region the name also reads as."""
_TOWN_BEFORE = re.compile(r"\b(?:town|city|village|hamlet|suburb)\s+(?:of\s+)?$", re.I)
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])|\n+")
_DATELINE_AFTER = re.compile(r"^(?:,\s*[A-Za-z.][A-Za-z. ]{0,30})?\s*(?:\([A-Za-z .]{1,30}\)\s*)?[-—–:]")
_METONYMY_AFTER = re.compile(
    r"^(?:\s+and\s+[A-Z][\w.-]+)?\s+(?:also\s+|has\s+|have\s+|had\s+)?" + _SPEECH + r"\b", re.I
)
_METONYMY_BEFORE = re.compile(
    r"(?:\b(?:statement|statements|officials?|government|authorities|leaders?|spokes(?:wo)?man|spokesperson|embassy|"
    r"ministry|envoy|diplomats?|talks|relations|ties|sanctions|pressure|support|help|aid)\s+(?:from|of|with|by|on|"
    r"between)"
    # "the government in Kabul" is Kabul speaking; "the embassy in Canberra", "talks in Geneva" happen there.
    r"|\b(?:government|authorities|leaders(?:hip)?|regime)\s+in)\s+(?:the\s+)?$",
    re.I,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """Where a mention was resolved to, how sure, and why."""

    mention: Mention
    """The mention resolved."""
    place: Place | None
    """The chosen place, or None when no candidate fits."""
    score: float
    """Confidence in [0, 1] (share of the evidence the chosen place holds)."""
    reason: str
    """Short account of the evidence, e.g. ``"prior .71 + country KG .43 + near .28"``."""
    alternatives: tuple[Candidate, ...] = ()
    """Runner-up candidates, best first (at most 3)."""
    role: Role = "place"
    """``place``, ``region`` (asked for an area: "the Osh region") or ``demonym``."""
    metonymic: bool = False
    """True when the name stands for its government or people ("Moscow says no")."""
    seat: Place | None = None
    """For a region, the town of the same name inside it that stands for it as a point
    (ACLED codes a region to its capital); None otherwise."""
    text_country: str = ""
    """The country the text's own admin-1 names put it in, read as a country hint (ISO alpha-2; "" when
    the source gave a hint or the text names no such region)."""

    @property
    def point(self) -> tuple[float, float] | None:
        """Return ``(lat, lon)`` to draw: the seat of a region, else the place's own point."""
        anchor = self.seat or self.place
        return None if anchor is None else (anchor.lat, anchor.lon)

    @property
    def is_resolved(self) -> bool:
        """Return True when a place was chosen."""
        return self.place is not None


def geo_precision(place: Place) -> int:
    """
    Return ACLED's ``geo_precision`` for a place: 1 town, 2 district, 3 region.

    Parameters
    ----------
    place
        A gazetteer entry.

    Returns
    -------
    int
        1, 2 or 3.

    Examples
    --------
    >>> from geomap.model import Place
    >>> geo_precision(Place(place_id="x", geonameid=None, name="x", lat=0, lon=0, feature="A.ADM1",
    ...                     country_code="", admin1_code="", population=0, source=""))
    3
    """
    if place.feature_class in {"P", "S"}:
        return 1
    if place.feature in {"A.ADM2", "A.ADM3", "A.ADM4"} or place.feature_class in {"H", "T", "V"}:
        return 2
    return 3


def where_precision(place: Place) -> int:
    """
    Return UCDP's ``where_prec`` (1 exact … 6 country, 7 beyond one country).

    Parameters
    ----------
    place
        A gazetteer entry.

    Returns
    -------
    int
        1 town, 3 ADM2, 4 ADM1, 5 larger region or natural feature, 6 country, 7 continent.
    """
    if place.feature_class in {"P", "S"}:
        return 1
    if place.feature in {"A.ADM2", "A.ADM3", "A.ADM4"}:
        return 3
    if place.feature == "A.ADM1":
        return 4
    if place.is_country:
        return 6
    if place.feature == "L.CONT" or (place.feature == "L.RGN" and not place.country_code):
        return 7
    return 5


def is_metonymic(text: str, mention: Mention) -> bool:
    """
    Tell whether a place name stands for its government or people here.

    Parameters
    ----------
    text
        The document text.
    mention
        A place mention.

    Returns
    -------
    bool
        True for "Moscow says no", "a statement from Moscow", "Russia and China have called".

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> text = "A statement from Moscow said no."
    >>> is_metonymic(text, Mention(doc_id="", text="Moscow", start_char=17, end_char=23, kind="place", key="moscow"))
    True
    """
    after = text[mention.end_char : mention.end_char + 60]
    before = text[max(0, mention.start_char - 60) : mention.start_char]
    return bool(_METONYMY_AFTER.match(after) or _METONYMY_BEFORE.search(before))


def _role(text: str, mention: Mention) -> Role:
    """
    Tell whether a mention is a demonym, a region phrase ("the Osh region") or a plain place name.

    Examples
    --------
    >>> from geomap.toponyms import Mention
    >>> text = "Clashes in Kasese district. He appeared at Kasese District Court."
    >>> [_role(text, Mention(doc_id="d", text="Kasese", start_char=i, end_char=i + 6, key="kasese", kind="place"))
    ...  for i in (11, 43)]
    ['region', 'place']
    """
    if mention.kind == "demonym":
        return "demonym"
    before = text[max(0, mention.start_char - 40) : mention.start_char]
    after = text[mention.end_char : mention.end_char + 20]
    if _REGION_BEFORE.search(before) or _REGION_AFTER.match(after):
        return "region"
    return "place"


def _area_bonus(cand: Candidate, cands: Sequence[Candidate], key: str) -> float:
    """
    Return the bonus for a name that means an area: a country name is a country.

    Countries get the large bonus unless another candidate bears the name as its
    own main name (then "Tunis" stays the city, not Tunisia's alias); capitals,
    continents and macro-regions the normal one; an admin-1 region too, unless
    a town of its country shares its name (Osh the city, not Osh Oblast).
    """
    place = cand.place
    if place.is_country:
        own = normalize_name(place.name) == key
        rival = any(c is not cand and normalize_name(c.place.name) == key for c in cands)
        return _COUNTRY_BONUS if own or not rival else 0.0
    if place.feature in {"L.CONT", "L.RGN", "P.PPLC"}:
        return _AREA_BONUS
    if (
        place.feature == "A.ADM1"
        and normalize_name(place.name) != key
        and any(
            c is not cand and c.place.feature_class in {"A", "L"} and normalize_name(c.place.name) == key for c in cands
        )
    ):
        return 0.0  # an admin-1 region known also by another area's own name (England for a county): that area
    if place.feature == "A.ADM1" and any(
        c.place.feature_class == "P" and c.place.population >= _WORLD_CITY and normalize_name(c.place.name) == key
        for c in cands
    ):
        return 0.0  # a world city's name (Sofia) means the city, not a region of that name
    # A town of the same name inside it, or a city of the same name in its country (Spain's Natural Earth regions
    # are provinces whose codes GeoNames towns do not carry), is what a bare name means: "protested in Barcelona".
    # Small same-named towns elsewhere in the country (Wyoming, Michigan) leave the state its bonus.
    if place.feature == "A.ADM1" and not any(
        c.place.feature_class == "P"
        and c.place.country_code == place.country_code
        and (
            c.place.admin1_code == place.admin1_code
            or place.admin1_code.endswith(".")  # the region's own code is unknown
            or c.place.population >= _CITY_POPULATION
        )
        and c.place.population > 0
        for c in cands
    ):
        return _AREA_BONUS
    return 0.0


def _spelled_short_forms(cands: list[Candidate], surface: str) -> list[Candidate]:
    """
    Keep, for a capitalised short form, the places spelled so when there are any.

    "EU" is the European Union, not the French town "Eu" that case-folding also finds
    (as airport codes match only when written so, :meth:`geomap.model.Candidate.is_code_only`).
    """
    letters = surface.replace(".", "")
    if not (letters.isupper() and len(letters) <= 5):
        return cands
    spelled = [c for c in cands if surface in c.spellings]
    return spelled or cands


def _drop_alias_countries(cands: list[Candidate], key: str) -> list[Candidate]:
    """
    Drop a country that a name matches only as an alias when it is its capital's own name.

    "Tunis" is an old alias of Tunisia and the capital's own name: the capital is meant.
    """
    capitals = {
        c.place.country_code for c in cands if c.place.feature == "P.PPLC" and normalize_name(c.place.name) == key
    }
    if not capitals:
        return cands
    return [
        c
        for c in cands
        if not (c.place.is_country and c.place.country_code in capitals and normalize_name(c.place.name) != key)
    ]


_SEAT_KM = 60.0
"""How far from an area's centre a same-named town may lie to count as its seat when their codes differ."""


def _seat(cand: Candidate, cands: Sequence[Candidate]) -> Place | None:
    """Return the most populous same-named town inside a chosen admin-1 or admin-2 unit ("Aravan district")."""
    area = cand.place
    if area.feature not in {"A.ADM1", "A.ADM2"}:
        return None
    # An area coded apart from its towns (a province under a region's code) holds the same-named town near it.
    towns = [
        c.place
        for c in cands
        if c.place.feature_class == "P"
        and c.place.country_code == area.country_code
        and (
            c.place.admin1_code == area.admin1_code
            or haversine_km(c.place.lat, c.place.lon, area.lat, area.lon) <= _SEAT_KM
        )
    ]
    return max(towns, key=lambda p: p.population) if towns else None


def _softmax(logits: np.ndarray) -> np.ndarray:
    weights = np.exp(logits - logits.max())
    return np.asarray(weights / weights.sum())


@dataclass(slots=True)
class _Group:
    """All mentions of one name in one role."""

    key: str
    role: Role
    indices: list[int]
    cands: list[Candidate]
    every: list[Candidate]
    surfaces: set[str]
    hint_countries: set[str] = field(default_factory=set)
    """Countries named as containers ("Osh, Kyrgyzstan")."""
    hint_admin1: set[str] = field(default_factory=set)
    """Admin-1 codes of named containers ("Jefferson County, Colo.")."""
    hint_admin1_countries: set[str] = field(default_factory=set)
    """Countries of those admin-1 containers (a weaker cue than the admin-1 itself)."""
    sentences: set[int] = field(default_factory=set)
    """Indices of the sentences its mentions are in."""
    outside_container: set[tuple[str, Role]] = field(default_factory=set)
    """Keys of named containers ("X, a district of Y") none of whose area readings holds a reading of this name."""
    holds: set[str] = field(default_factory=set)
    within_admin1: set[str] = field(default_factory=set)
    """Admin-1 codes of containers named by their own name ("X, Chihuahua") that hold a reading of this name."""
    """Place ids of this name's area readings that hold a reading of a name the text puts inside it."""
    town_word: bool = False
    directional: bool = False
    """True when the name was found without its leading direction word ("South Florida")."""
    """True when a settlement noun follows or precedes a mention ("Kartal town", "the town of X")."""
    settlement: bool = False
    """True when "city", "town" or "village" follows a mention, or "the town of" precedes it."""
    found: tuple[Mention, list[Candidate]] | None = None
    """A common name's first mention and all its readings (more than :data:`TOP_K`), read without a hint."""


@dataclass(slots=True)
class _Story:
    """What the whole document says, shared by the candidate features of every name."""

    counts: Counter[str]
    by_group_country: dict[tuple[str, Role], str]
    sentence_countries: dict[int, list[tuple[tuple[str, Role], str]]]
    admin1_named: dict[str, set[tuple[str, Role]]]
    hint: str
    dateline: tuple[str, Role] | None
    prior: AreaPrior | None = None
    """Where the source's stories usually are (region hint or feed focus): a soft prior."""


def _top_candidates(
    found: list[Candidate], mention: Mention, role: Role, country: str
) -> tuple[list[Candidate], list[Candidate]]:
    """Return a name's :data:`TOP_K` readings and, of those, its candidates (areas for a region)."""
    if country and len(found) > TOP_K:
        # a name common worldwide ("Buenos Aires"): the hinted country's readings, however small, stay in
        found = sorted(found, key=lambda c: c.place.country_code != country)
    every = [c for c in found if not c.is_code_only(mention.text)][:TOP_K]
    every = _spelled_short_forms(every, mention.text)
    cands = _drop_alias_countries(every, mention.key)
    if role == "region":
        areas = [c for c in every if c.place.feature in {"A.ADM1", "A.ADM2", "L.RGN"}]
        cands = areas or every
    return every, cands


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_BREAK.finditer(text)]


def _dateline_key(mentions: Sequence[Mention], roles: Sequence[Role], text: str) -> tuple[str, Role] | None:
    """Return the group of a dateline's place ("OSH, Kyrgyzstan (AP) —"), if the text opens with one."""
    if not mentions:
        return None
    first = mentions[0]
    if text[: first.start_char].strip() or first.kind != "place":
        return None
    if first.text.isupper() or _DATELINE_AFTER.match(text[first.end_char : first.end_char + 48]):
        return (first.key, roles[0])
    return None


def resolve_mentions(
    mentions: Sequence[Mention],
    text: str,
    gazetteer: Gazetteer,
    *,
    country: str = "",
    model: ResolverModel | None = None,
    prior: AreaPrior | None = None,
    region: AreaPrior | None = None,
    collect: list[tuple[list[int], list[Candidate], np.ndarray, np.ndarray]] | None = None,
) -> list[Resolution]:
    """
    Resolve every mention of a document, using the others as context.

    Parameters
    ----------
    mentions
        Recognised mentions in text order.
    text
        The document text (for roles, containment and metonymy).
    gazetteer
        The name index.
    country
        ISO alpha-2 code of the country the source says the text is about ("" when unknown):
        candidates outside it are vetoed unless the text names another country for that place
        or no candidate lies inside it.
    model
        The fitted candidate scorer; default :func:`geomap.resolver_model.load_resolver_model`.
    prior
        Where the source's stories usually are (:mod:`geomap.focus`: a region hint or the feed
        focus); unlike ``country`` it vetoes nothing.
    region
        The countries or admin-1 regions the source says the text is about (``--region``): read
        as if the story had named them, confidently (its admin-1 regions anchor the story's
        focus from round two, its countries count as named).
    collect
        When given, receives per name (mention indices, candidates, round-one and round-two
        feature matrices): what ``scripts/fit_resolver.py`` learns from.

    Returns
    -------
    list of Resolution
        One per mention, in the same order.
    """
    model = model or load_resolver_model()
    demonyms = gazetteer.demonyms
    groups: dict[tuple[str, Role], _Group] = {}
    roles = [_role(text, m) for m in mentions]
    starts = _sentence_starts(text)
    for idx, (mention, role) in enumerate(zip(mentions, roles, strict=True)):
        group = groups.get((mention.key, role))
        if group is None:
            found, directional = ([], False) if role == "demonym" else _lookup(gazetteer, mention.text)
            every, cands = _top_candidates(found, mention, role, country)
            group = _Group(mention.key, role, [], cands, every, set(), directional=directional)
            if len(found) > TOP_K and not country:
                group.found = (mention, found)
            groups[(mention.key, role)] = group
        group.indices.append(idx)
        group.surfaces.add(mention.text)
        group.sentences.add(bisect.bisect_right(starts, mention.start_char) - 1)
        before = text[max(0, mention.start_char - 16) : mention.start_char]
        after = text[mention.end_char : mention.end_char + 30]
        if _TOWN_BEFORE.search(before) or _FEATURE_WORD.match(after):
            group.town_word = True
        if _TOWN_BEFORE.search(before) or _SETTLEMENT_AFTER.match(after):
            group.settlement = True
    inferred = ""
    if not country and not region:
        country = inferred = _admin1_country(mentions, text, groups, roles)
        for group in groups.values() if inferred else ():
            if group.found is not None:  # the text's country's readings of a common name, however small
                group.every, group.cands = _top_candidates(group.found[1], group.found[0], group.role, inferred)
    if country:
        _hinted_admin1_containers(mentions, text, groups, roles, country)
    _add_containment_hints(mentions, text, groups, roles, demonyms)
    if country:
        for group in groups.values():
            if (group.hint_countries | group.hint_admin1_countries) - {country}:
                continue  # the text puts this place in another country
            inside = [
                c
                for c in group.cands
                if c.place.country_code == country
                or (c.place.is_country and (_own_name(c, group.key) or c.place.population >= _WORLD_CITY))
                or _macro_region(c.place)  # a region of several countries is not "abroad"
            ]
            if not inside:
                # Nothing of that name in the country: only a place known abroad by its own name ("and in Moscow")
                # may be meant; a village abroad, or a city's name in another language ("Bin" for Vienna), is a
                # namesake of one the gazetteer lacks.
                inside = [c for c in group.cands if _known_abroad(c.place) and _own_name(c, group.key)]
            if len(inside) < len(group.cands):
                group.cands = inside
    for group in groups.values():
        # A continent's or region's own name ("the Middle East", "Siberia") means the region unless the text puts
        # the name in a container ("Levant, Maine"): its small namesakes are not meant, as a country's name is
        # the country.
        if not (group.hint_countries or group.hint_admin1 or group.within_admin1) and any(
            c.place.feature in {"L.CONT", "L.RGN"} and normalize_name(c.place.name) == group.key for c in group.cands
        ):
            group.cands = [
                c for c in group.cands if c.place.feature_class != "P" or c.place.population >= _CITY_POPULATION
            ]
        # "X, Y" with Y a region holding a reading of X: a namesake elsewhere is not meant ("Paris, Texas").
        within = [c for c in group.cands if c.place.admin1_code in group.within_admin1 and not c.place.is_country]
        if within and len(within) < len(group.cands):
            group.cands = within

    # Country context: how often each country is named (as a country or by its people), and where.
    counts: Counter[str] = Counter()
    if country:
        counts[country] += 1
    for code in region.countries if region else ():
        counts[code] += 1
    by_group_country: dict[tuple[str, Role], str] = {}
    sentence_countries: dict[int, list[tuple[tuple[str, Role], str]]] = {}
    admin1_named: dict[str, set[tuple[str, Role]]] = {}
    for gkey, group in groups.items():
        code = ""
        if group.role == "demonym":
            code = demonyms.get(group.key, "")
            code = code if ":" not in code else ""
        elif group.cands and group.cands[0].place.is_country:
            code = group.cands[0].place.country_code
        elif group.cands and group.cands[0].place.feature == "A.ADM1":
            admin1_named.setdefault(group.cands[0].place.admin1_code, set()).add(gkey)
        if code:
            by_group_country[gkey] = code
            counts[code] += len(group.indices)
            for sid in group.sentences:
                sentence_countries.setdefault(sid, []).append((gkey, code))
    if not country and not region and not set(counts) - set(_NANP_COUNTRIES) and _NANP_PHONE.search(text):
        # A tip line or office number of the North American plan in a story that names no country beyond it:
        # the story is local to the US or Canada, and a bare "London" is the namesake there, not the world city.
        for group in groups.values():
            if group.role == "demonym" or group.hint_countries or group.hint_admin1_countries:
                continue
            inside = [c for c in group.cands if c.place.country_code in _NANP_COUNTRIES]
            if inside and len(inside) < len(group.cands) and not group.cands[0].place.is_country:
                group.cands = inside
    story = _Story(
        counts=counts,
        by_group_country=by_group_country,
        sentence_countries=sentence_countries,
        admin1_named=admin1_named,
        hint=country,
        dateline=_dateline_key(mentions, roles, text),
        prior=prior,
    )

    chosen: dict[tuple[str, Role], tuple[Candidate | None, float, str, tuple[Candidate, ...]]] = {}
    first_features: dict[tuple[str, Role], np.ndarray] = {}
    # A declared region is a place the story is about, known for sure: it anchors the focus.
    anchors: list[tuple[tuple[str, Role], Place]] = [(("", "region"), p) for p in (region.places if region else ())]
    dateline_place: Place | None = None
    for rnd in range(2):
        for gkey, group in groups.items():
            if group.role == "demonym" or not group.cands:
                chosen[gkey] = (None, 0.0, "no gazetteer candidate", ())
                continue
            if len(group.cands) == 1 and collect is None:
                chosen[gkey] = (group.cands[0], 1.0, "the only candidate", ())
                continue
            feats = candidate_features(group, gkey, story, anchors if rnd else [], dateline_place if rnd else None)
            if rnd == 0:
                first_features[gkey] = feats
            elif collect is not None:
                collect.append((list(group.indices), list(group.cands), first_features[gkey], feats))
            chosen[gkey] = _pick(group, feats, model, first_round=rnd == 0)
        if rnd == 0:
            for gkey, (cand, conf, _, _) in chosen.items():
                if cand is None:
                    continue
                if gkey == story.dateline:
                    dateline_place = cand.place
                if conf >= CONFIDENT and not cand.place.is_country and cand.place.feature != "L.CONT":
                    anchors.append((gkey, cand.place))

    _prefer_named_country(groups, chosen, story)
    focus = _story_focus(chosen, groups)
    common = gazetteer.common_words
    results: list[Resolution] = []
    for mention, role in zip(mentions, roles, strict=True):
        gkey = (mention.key, role)
        container = _unlisted_container(groups[gkey], chosen)
        if role != "demonym" and container is not None:
            # "X, a district of Y" and no X of the gazetteer lies in Y: the gazetteer lacks this X; it is in Y.
            results.append(
                Resolution(
                    mention=mention,
                    place=approximate_at(container, mention.text),
                    score=round(CONFIDENT / 2, 4),
                    reason=f"not in the gazetteer inside {container.name}: placed at {container.name}",
                    role=role,
                    metonymic=is_metonymic(text, mention),
                )
            )
            continue
        if role != "demonym" and not groups[gkey].cands and focus is not None and _reads_as_name(mention, common):
            # A place the gazetteer lacks (a street, a building, a neighbourhood) lies, most likely,
            # where the story is: its focus, at the focus's precision.
            focus_place, share = focus
            results.append(
                Resolution(
                    mention=mention,
                    place=approximate_at(focus_place, mention.text),
                    score=round(share * CONFIDENT, 4),
                    reason=f"not in the gazetteer: the story's focus, {focus_place.name} ({share:.2f} of its places)",
                    role=role,
                    metonymic=is_metonymic(text, mention),
                )
            )
            continue
        if role == "demonym":
            code = demonyms.get(mention.key, "")
            place = gazetteer.resolve_code(code) if code else None
            results.append(
                Resolution(
                    mention=mention,
                    place=place,
                    score=1.0 if place else 0.0,
                    reason=f"demonym of {code}" if code else "unknown demonym",
                    role=role,
                )
            )
            continue
        cand, conf, reason, runners = chosen[gkey]
        if cand is not None and focus is not None and _stray_namesake(cand.place, groups[gkey], story, focus, gkey):
            # A small place abroad whose country the story never names, in a story about another country: the
            # gazetteer lacks the local place ("the Shankill area" of a Belfast story is no Dublin suburb).
            focus_place, share = focus
            results.append(
                Resolution(
                    mention=mention,
                    place=approximate_at(focus_place, mention.text),
                    score=round(share * CONFIDENT, 4),
                    reason=f"only a small namesake abroad: the story's focus, {focus_place.name}",
                    role=role,
                    metonymic=is_metonymic(text, mention),
                )
            )
            continue
        seat = _seat(cand, groups[gkey].every) if cand else None
        res = Resolution(
            mention=mention,
            place=cand.place if cand else None,
            score=round(conf, 4),
            reason=reason,
            alternatives=runners,
            role=role,
            metonymic=bool(cand) and is_metonymic(text, mention),
            seat=seat,
        )
        logger.debug(
            "%s %r -> %s (%.2f): %s",
            mention.doc_id,
            mention.text,
            res.place.place_id if res.place else None,
            res.score,
            reason,
        )
        results.append(res)
    if inferred:
        results = [dc_replace(r, text_country=inferred) for r in results]
    return results


def _prefer_named_country(
    groups: dict[tuple[str, Role], _Group],
    chosen: dict[tuple[str, Role], tuple[Candidate | None, float, str, tuple[Candidate, ...]]],
    story: _Story,
) -> None:
    """
    Move a city's name to its namesake in the country the story names, when the chosen one's is never named.

    "Paris" in a report that says the family is "in France" is the French capital, not the Kentucky town
    near the dateline; "London" in a report that names Canada three times and Britain never is the
    Ontario city. The namesake must be the capital of a named country (over a town that is no world
    city), or a city of at least ``_CITY_POPULATION`` people in a country named twice; a world city gives
    way only when no other place of the story lies in its country. A container the text gives
    ("Paris, Ky.") settles it first.
    """
    places = [c.place for c, *_ in chosen.values() if c is not None]
    for gkey, (cand, _conf, _reason, runners) in list(chosen.items()):
        group = groups[gkey]
        if cand is None or group.role == "demonym" or gkey == story.dateline:
            continue
        if group.hint_countries or group.hint_admin1 or cand.place.is_country or cand.place.feature_class != "P":
            continue
        own = cand.place.country_code
        if not own or story.counts.get(own, 0) > 0:
            continue
        world = cand.place.feature == "P.PPLC" or cand.place.population >= _WORLD_CITY
        if world and any(p.country_code == own and p is not cand.place for p in places):
            continue
        rivals = [
            c
            for c in group.cands
            if c.place.feature_class == "P"
            and c.place.country_code != own
            and _own_name(c, group.key)
            and (
                (c.place.feature == "P.PPLC" and not world and story.counts.get(c.place.country_code, 0) >= 1)
                or (c.place.population >= _CITY_POPULATION and story.counts.get(c.place.country_code, 0) >= 2)
            )
        ]
        if not rivals:
            continue
        best = max(rivals, key=lambda c: (story.counts[c.place.country_code], c.place.population))
        reason = f"a city of {best.place.country_code}, the country the story names (not {own})"
        chosen[gkey] = (best, CONFIDENT, reason, (cand, *(r for r in runners if r is not best))[:3])


def _unlisted_container(
    group: _Group, chosen: dict[tuple[str, Role], tuple[Candidate | None, float, str, tuple[Candidate, ...]]]
) -> Place | None:
    """Return the area a name is said to lie in when none of its gazetteer readings does (else None)."""
    for key in sorted(group.outside_container):
        cand = chosen.get(key, (None,))[0]
        if cand is not None and (cand.place.is_country or cand.place.feature in {"A.ADM1", "A.ADM2"}):
            return cand.place
    return None


def _macro_region(place: Place) -> bool:
    """Tell whether a place is a continent or a region of several countries ("the Sahel", "the Middle East")."""
    return place.feature in {"L.CONT", "L.RGN"} and not place.country_code


def _own_name(cand: Candidate, key: str) -> bool:
    """Tell whether a name is the place's own (main) name or a short all-capitals code of it ("US")."""
    return normalize_name(cand.place.name) == key or any(len(s) <= 3 and s.isupper() for s in cand.spellings)


FOCUS_FEATURE = "L.FOCUS"
"""Feature code of a place the gazetteer lacks, put at the story's focus (ACLED geo_precision 3)."""


def approximate_at(focus: Place, name: str) -> Place:
    """
    Return a place the gazetteer lacks, drawn at the story's focus and marked as approximate.

    It keeps the focus's country and admin-1 and its point, has no GeoNames id, and its
    feature :data:`FOCUS_FEATURE` gives it ACLED's ``geo_precision`` 3: the place is somewhere
    in the area the story is about, not at that point.

    Examples
    --------
    >>> from geomap.model import Place
    >>> town = Place(place_id="gn:1", geonameid=1, name="Osh", lat=40.5, lon=72.8, feature="P.PPLA",
    ...              country_code="KG", admin1_code="KG.08", population=1, source="")
    >>> lane = approximate_at(town, "Kurmanjan Datka Street")
    >>> lane.name, lane.geonameid, geo_precision(lane), lane.country_code
    ('Kurmanjan Datka Street', None, 3, 'KG')
    """
    from dataclasses import replace

    return replace(
        focus,
        place_id=f"focus:{focus.place_id}",
        geonameid=None,
        name=name,
        feature=FOCUS_FEATURE,
        population=0,
    )


def _reads_as_name(mention: Mention, common: dict[str, float]) -> bool:
    """Tell whether a span reads as a proper name: not one everyday English word ("Talks", "Reading")."""
    return " " in mention.text.strip() or normalize_name(mention.text) not in common


_STRAY_POPULATION = 50_000
"""A namesake abroad smaller than this, in a country the story never names, is no reading of a local name."""


def _stray_namesake(
    place: Place, group: _Group, story: _Story, focus: tuple[Place, float], gkey: tuple[str, Role]
) -> bool:
    """
    Tell whether a resolved name is a small town of a country the story never names, far from its focus.

    Reporters name the country of a small foreign town ("Kapan, Armenia", "the Irish town of X"); a bare
    name in a story confidently about another country is a local place the gazetteer lacks.
    """
    focus_place, share = focus
    return (
        place.feature_class == "P"
        and place.population < _STRAY_POPULATION
        and bool(place.country_code)
        and place.country_code != focus_place.country_code
        and story.counts.get(place.country_code, 0) == 0
        and story.hint != place.country_code
        and share >= 0.5
        and gkey != story.dateline
        and not (group.hint_countries or group.hint_admin1 or group.within_admin1)
        and haversine_km(place.lat, place.lon, focus_place.lat, focus_place.lon) > 25.0
    )


def _story_focus(
    chosen: dict[tuple[str, Role], tuple[Candidate | None, float, str, tuple[Candidate, ...]]],
    groups: dict[tuple[str, Role], _Group],
) -> tuple[Place, float] | None:
    """
    Return the story's focus and the share of its confident places near it (within 161 km).

    The focus is the medoid of the confidently placed places (countries, continents and
    macro-regions left out), each weighted by how often the story names it: the place
    closest, in summed distance, to all the others. None when nothing is confident.
    """
    weights: dict[str, int] = {}
    places: dict[str, Place] = {}
    for gkey, (cand, conf, _, _) in chosen.items():
        if cand is None or conf < CONFIDENT:
            continue
        place = cand.place
        if place.is_country or place.feature in {"L.CONT", "L.RGN"}:
            continue
        places[place.place_id] = place
        weights[place.place_id] = weights.get(place.place_id, 0) + len(groups[gkey].indices)
    if not places:
        return None
    ids = sorted(places)
    pts = [places[i] for i in ids]
    dist = _place_distances(pts, pts)
    w = np.array([weights[i] for i in ids], dtype=float)
    best = int(np.argmin(dist @ w))
    share = float(w[dist[best] <= _NEAR_KM].sum() / w.sum())
    return pts[best], share


def _lookup(gazetteer: Gazetteer, surface: str) -> tuple[list[Candidate], bool]:
    """
    Return a name's candidates, and whether they were found without a leading direction word.

    "South Florida", when not a name of its own, names a part of Florida.
    """
    cands = gazetteer.lookup(surface)
    inner = without_direction(surface)
    if cands or not inner:
        return cands, False
    return gazetteer.lookup(inner), True


def _known_abroad(place: Place) -> bool:
    """Tell whether a place is known well enough to be named without its country: a capital or a large city."""
    return place.feature in {"P.PPLC", "L.CONT"} or place.population >= KNOWN_ABROAD_POPULATION


def _containers(
    mentions: Sequence[Mention], text: str, groups: dict[tuple[str, Role], _Group], roles: Sequence[Role]
) -> tuple[dict[int, list[int]], set[tuple[int, int]]]:
    """
    Return, per mention index, the indices of the mentions the text says contain it.

    Also return the (contained, container) pairs that a place noun or a copula states outright
    ("X, a district of Y", "X town in Y", "the Y town of X"), unlike a bare comma that lists
    as often as it contains.
    """
    out: dict[int, list[int]] = {}
    explicit: set[tuple[int, int]] = set()
    listed = _listed(mentions, text)
    for k in range(len(mentions) - 1):
        first = mentions[k]
        second = mentions[k + 1]
        raw_gap = text[first.end_char : second.start_char]
        # "Kartal town, Istanbul", "X city (Y, Z)": a feature word may stand between.
        gap = _FEATURE_WORD.sub("", raw_gap, count=1)
        nxt = groups[(second.key, roles[k + 1])]
        is_area = bool(nxt.cands) and (nxt.role == "region" or nxt.cands[0].place.feature_class in {"A", "L"})
        if gap in {", ", ","}:
            if k in listed:
                continue  # "Michigan, Oregon, New Mexico and Ohio": a list, not "Oregon in New Mexico"
            out.setdefault(k, []).append(k + 1)
            if gap != raw_gap:
                explicit.add((k, k + 1))  # "Kartal town, Istanbul"
        elif _IN_CONTAINER.fullmatch(gap) or _COPULA_IN.fullmatch(raw_gap):
            # "X township in Y region", "X is a town in Y": only when the second is an area.
            if is_area or second.kind == "demonym":
                out.setdefault(k, []).append(k + 1)
                if gap != raw_gap or _COPULA_IN.fullmatch(raw_gap):
                    explicit.add((k, k + 1))
        elif (
            _NOUN_OF.fullmatch(raw_gap)
            and _AREA_NOUN_OF.search(raw_gap)
            and not _is_country_group(groups, first, roles[k])
        ):
            # "the Y province of X": the first is an area of the second (but "the US state of X").
            if first.kind == "place" and (is_area or second.kind == "demonym"):
                out.setdefault(k, []).append(k + 1)
                explicit.add((k, k + 1))
        elif _NOUN_OF.fullmatch(raw_gap) and (first.kind == "demonym" or _is_area_group(groups, first, roles[k])):
            out.setdefault(k + 1, []).append(k)  # "the Syrian town of X", "the Y region's town of X"
            explicit.add((k + 1, k))
        elif gap.strip() in {"(", "-", "–"} or re.fullmatch(r"\s*\(\s*", gap):
            close = text.find(")", first.end_char)
            j = k + 1
            while j < len(mentions) and close != -1 and mentions[j].start_char < close:
                out.setdefault(k, []).append(j)
                j += 1
    # A container's own containers hold it too: "X is a town in Y County, Z".
    for k in list(out):
        extra = [c2 for c in out[k] for c2 in out.get(c, []) if c2 != k and c2 not in out[k]]
        out[k].extend(extra)
    return out, explicit


_LIST_GAP = re.compile(r",?\s+(?:and|or)\s+")


def _listed(mentions: Sequence[Mention], text: str) -> set[int]:
    """
    Return the indices of mentions that are items of a list ("A, B, C and D"), not a containment chain.

    A run of names joined by commas is a list when it has four names or more, or three or more
    with "and"/"or" before the last; "Kartal, Istanbul, Turkey" stays a chain.
    """
    listed: set[int] = set()
    k = 0
    while k < len(mentions):
        j = k
        closed = False
        while j + 1 < len(mentions):
            gap = text[mentions[j].end_char : mentions[j + 1].start_char]
            if gap in {", ", ","}:
                j += 1
            elif _LIST_GAP.fullmatch(gap):
                j += 1
                closed = True
                break
            else:
                break
        size = j - k + 1
        if size >= 4 or (closed and size >= 3):
            listed.update(range(k, j + 1))
        k = j + 1 if j > k else k + 1
    return listed


def _is_country_group(groups: dict[tuple[str, Role], _Group], mention: Mention, role: Role) -> bool:
    if mention.kind == "demonym":
        return True
    group = groups[(mention.key, role)]
    return bool(group.cands) and group.cands[0].place.is_country


def _is_area_group(groups: dict[tuple[str, Role], _Group], mention: Mention, role: Role) -> bool:
    group = groups[(mention.key, role)]
    return bool(group.cands) and group.cands[0].place.feature_class in {"A", "L"}


_CLOSING_CONTAINER = re.compile(r"^\s*[)\]]")
_OPENING_CONTAINER = re.compile(r"(?:[(\[]|[(\[][^()\[\]]{1,60},)\s*$")


# "Kaduna State", "Sagaing region": the region itself, not an attribute ("Guerrero state police").
_ATTRIBUTE = (
    r"\s+(?:police|government|governor|authorities|officials?|assembly|legislature|lawmakers|security|forces|"
    r"troops|command|council|house|ministry|court|university|media|election|elections|capital|chapter|branch)\b"
)
_ATTRIBUTE_AFTER = re.compile(_ATTRIBUTE, re.I)
_ADMIN1_WORD_AFTER = re.compile(r"^\s+(?:state|province|region|governorate|oblast)\b(?!" + _ATTRIBUTE + ")", re.I)
_ADMIN1_WORD_END = re.compile(r"\s(?:state|province|region|governorate|oblast)$", re.I)
_ADMIN2_WORD_AFTER = re.compile(r"^\s+(?:district|LGA|county|municipality|township)\b(?!" + _ATTRIBUTE + ")", re.I)
_UNIT_COMMA_BEFORE = re.compile(
    r"\b(?:district|LGA|township|sub-?county|municipality|commune|department|county|tehsil|woreda)\b"
    r"(?:\s*[\[(][^\[\]()]{0,60}[\])])?\s*,\s*$",
    re.I,
)


def _admin1_country(
    mentions: Sequence[Mention],
    text: str,
    groups: dict[tuple[str, Role], _Group],
    roles: Sequence[Role],
) -> str:
    """
    Return the country a text puts its places in by naming admin-1 regions only one country has ("" if none).

    A name read as an admin-1 region by its context ("Bui, Nord-Ouest)", "Kaduna State", "X district,
    Ghazni") whose admin-1 readings all lie in one country, and which names no country, says where the
    story is as plainly as a country hint: the text's other places are read as if the source had
    given that country. Two such names in different countries say nothing.
    """
    found: set[str] = set()
    for mention, role in zip(mentions, roles, strict=True):
        group = groups.get((mention.key, role))
        if group is None or role == "demonym":
            continue
        before = text[max(0, mention.start_char - 96) : mention.start_char]
        after = text[mention.end_char : mention.end_char + 32]
        closing = bool(_OPENING_CONTAINER.search(before[-64:]) and _CLOSING_CONTAINER.match(after))
        worded = bool(
            _ADMIN1_WORD_AFTER.match(after)
            or (_ADMIN1_WORD_END.search(mention.text) and not _ATTRIBUTE_AFTER.match(after))
            or _ADMIN2_WORD_AFTER.match(after)
            or _UNIT_COMMA_BEFORE.search(before)
        )
        if not (closing or worded):
            continue
        if any(c.place.is_country for c in group.every):
            continue  # "(Niger)": the country or a region of that name
        kinds = {"A.ADM1", "A.ADM2"} if _ADMIN2_WORD_AFTER.match(after) else {"A.ADM1"}
        codes = {c.place.country_code for c in group.every if c.place.feature in kinds and c.place.country_code}
        if not worded and any(
            c.place.feature_class == "P"
            and (c.place.feature == "P.PPLC" or c.place.population >= _WORLD_CITY)
            and c.place.country_code not in codes
            for c in group.every
        ):
            continue  # "Rabat (Rabat)": the parentheses may hold a capital's own region, not the one abroad
        if len(codes) == 1:
            found |= codes
    return next(iter(found)) if len(found) == 1 else ""


def _hinted_admin1_containers(
    mentions: Sequence[Mention],
    text: str,
    groups: dict[tuple[str, Role], _Group],
    roles: Sequence[Role],
    country: str,
) -> None:
    """
    Read a parenthesised container that names both another country and a region of the hinted one as the region.

    "X LGA (Y)" in a note about one country, with Y both a state of it and a neighbouring country, closes
    the chain of a place of the hinted country with the state, not the other country: the parentheses
    hold where in the hinted country the place lies.
    """
    for mention, role in zip(mentions, roles, strict=True):
        group = groups.get((mention.key, role))
        if group is None or role == "demonym":
            continue
        regions = [
            c for c in group.cands if c.place.country_code == country and c.place.feature in {"A.ADM1", "A.ADM2"}
        ]
        abroad = [c for c in group.cands if c.place.is_country and c.place.country_code != country]
        if not regions or not abroad:
            continue
        if _OPENING_CONTAINER.search(text[max(0, mention.start_char - 64) : mention.start_char]) and (
            _CLOSING_CONTAINER.match(text[mention.end_char : mention.end_char + 3])
        ):
            group.cands = [c for c in group.cands if c not in abroad]


def _add_containment_hints(
    mentions: Sequence[Mention],
    text: str,
    groups: dict[tuple[str, Role], _Group],
    roles: Sequence[Role],
    demonyms: dict[str, str],
) -> set[tuple[str, Role]]:
    """
    Record containment: "X, Y", "X (Z, Y)", "X is a town in Y", "the Y town of X" say X is inside Y.

    A country container adds a country hint; an admin-1 (or admin-2) container adds only its
    admin-1 code, its country being kept apart as a weaker cue (so "Jefferson County, Colo."
    does not make every place of the United States equally likely).

    Returns the keys of the names that serve as containers: they restate where the
    contained place is and are not separate evidence of the story's focus.
    """
    used: set[tuple[str, Role]] = set()
    contains, explicit = _containers(mentions, text, groups, roles)
    for k, containers in contains.items():
        group = groups[(mentions[k].key, roles[k])]
        for j in containers:
            second = mentions[j]
            if second.kind == "demonym":
                code = demonyms.get(second.key, "")
                if code and ":" not in code:
                    group.hint_countries.add(code)
                continue
            container = groups[(second.key, roles[j])]
            if container is group:
                # "Rabat (Rabat)": a town in its same-named region; no namesake outside such a region is meant.
                own = {
                    c.place.admin1_code
                    for c in group.every
                    if c.place.feature == "A.ADM1"
                    and _own_name(c, group.key)
                    and c.place.admin1_code
                    and not c.place.admin1_code.endswith(".")
                }
                towns = [c for c in group.cands if c.place.feature_class == "P"]
                group.within_admin1 |= {c.place.admin1_code for c in towns if c.place.admin1_code in own}
                continue
            used.add((second.key, roles[j]))
            # The container's readings that hold a reading of the name ("Parkland, Florida": the US state, however
            # far down its namesakes it ranks), else its leading readings.
            areas = [c for c in container.cands if c.place.is_country or c.place.feature in {"A.ADM1", "A.ADM2"}]
            joint = [a for a in areas if any(_is_inside(c.place, a.place) for c in group.cands)]
            for area in joint:
                container.holds.add(area.place.place_id)
                if area.place.feature == "A.ADM1" and _own_name(area, container.key):
                    group.within_admin1.add(area.place.admin1_code)
            if areas and not joint and (k, j) in explicit:
                group.outside_container.add((second.key, roles[j]))
            for cand in joint or container.cands[:5]:
                if cand.place.is_country:
                    group.hint_countries.add(cand.place.country_code)
                elif cand.place.feature in {"A.ADM1", "A.ADM2"} and cand.place.admin1_code:
                    group.hint_admin1.add(cand.place.admin1_code)
                    group.hint_admin1_countries.add(cand.place.country_code)
    return used


def _is_inside(place: Place, area: Place) -> bool:
    """Tell whether a place lies in an area (a country, or an admin-1/admin-2 region by its admin-1 code)."""
    if place.is_country or place.place_id == area.place_id:
        return False
    if area.is_country:
        return place.country_code == area.country_code
    return bool(area.admin1_code) and place.admin1_code == area.admin1_code


def candidate_features(
    group: _Group,
    gkey: tuple[str, Role],
    story: _Story,
    anchors: Sequence[tuple[tuple[str, Role], Place]],
    dateline: Place | None,
) -> np.ndarray:
    """
    Describe each candidate of one name by the features of :data:`geomap.resolver_model.FEATURES`.

    Parameters
    ----------
    group
        The name (all its mentions in one role) and its candidates.
    gkey
        The name's key.
    story
        Country, sentence and admin-1 context of the document.
    anchors
        Round one's confident places (empty in round one).
    dateline
        Round one's place of the dateline, if any.

    Returns
    -------
    numpy.ndarray
        ``(len(group.cands), len(FEATURES))``.
    """
    cands = group.cands
    own = story.by_group_country.get(gkey)
    counts = story.counts.copy()
    if own:
        counts[own] -= len(group.indices)
    total = sum(v for v in counts.values() if v > 0)
    in_sentence = {
        code for sid in group.sentences for other, code in story.sentence_countries.get(sid, []) if other != gkey
    }
    by_population = sorted(range(len(cands)), key=lambda i: -cands[i].place.population)
    rank = {i: r for r, i in enumerate(by_population)}
    top_prior = max(c.prior for c in cands)
    contained = bool(group.hint_countries or group.hint_admin1)
    other_anchors = [p for k, p in anchors if k != gkey]
    anchor_countries = Counter(p.country_code for p in other_anchors)
    distances = _distance_matrix(cands, other_anchors) if other_anchors else np.zeros((len(cands), 0))
    big_city_countries = {
        c.place.country_code for c in cands if c.place.feature_class == "P" and c.place.population >= _CITY_POPULATION
    }
    alias_country = any(c.place.is_country and normalize_name(c.place.name) != group.key for c in cands)
    caps = any(surface.replace(".", "").isupper() and len(surface) <= 5 for surface in group.surfaces)
    rows = np.zeros((len(cands), len(FEATURES)))
    for i, cand in enumerate(cands):
        place = cand.place
        feature = place.feature
        fclass = place.feature_class
        share = counts.get(place.country_code, 0) / total if total and place.country_code else 0.0
        area = 0.0 if contained or (group.settlement and feature == "A.ADM1") else _area_bonus(cand, cands, group.key)
        in_country = place.country_code in group.hint_countries and not place.is_country
        in_admin1 = place.admin1_code in group.hint_admin1 and not place.is_country
        in_admin1_country = place.country_code in group.hint_admin1_countries and not place.is_country
        near = distances[i]
        has_near = bool(other_anchors)
        nearest = float(near.min()) if has_near else math.inf
        within = int((near <= 500.0).sum())
        focus_share = within / len(near) if has_near else 0.0
        world_city = fclass == "P" and (place.population >= _WORLD_CITY or feature == "P.PPLC")
        named_admin1 = story.admin1_named.get(place.admin1_code, set()) - {gkey} if place.admin1_code else set()
        values = {
            "prior": cand.prior,
            "log_population": min(1.0, math.log10(place.population + 1) / 7.0),
            "population_rank_inverse": 1.0 / (1 + rank[i]) if place.population > 0 else 0.0,
            "most_populous": float(rank[i] == 0 and place.population > 0),
            "highest_prior": float(cand.prior >= top_prior),
            "is_country": float(place.is_country),
            "is_admin1": float(feature == "A.ADM1"),
            "is_admin2": float(feature in {"A.ADM2", "A.ADM3", "A.ADM4"}),
            "is_capital": float(feature == "P.PPLC"),
            "is_admin_seat": float(feature in {"P.PPLA", "P.PPLA2"}),
            "class_p": float(fclass == "P"),
            "class_a_other": float(fclass == "A" and not place.is_country and feature[2:6] != "ADM"),
            "class_l": float(fclass == "L"),
            "class_htv": float(fclass in {"H", "T", "V"}),
            "class_other": float(fclass not in {"P", "A", "L", "H", "T", "V"}),
            "main_name": float(normalize_name(place.name) == group.key),
            "exact_spelling": float(bool(group.surfaces.intersection(cand.spellings))),
            "country_share": share,
            "country_named": float(share > 0),
            "country_in_sentence": float(place.country_code in in_sentence),
            "hint_country": float(bool(story.hint) and place.country_code == story.hint),
            "hint_other_country": float(bool(story.hint) and place.country_code != story.hint),
            "container_country": float(in_country),
            "container_admin1": float(in_admin1),
            "container_admin1_country": float(in_admin1_country),
            "container_missed": float(contained and not (in_country or in_admin1_country)),
            "country_name_rule": float(area >= _COUNTRY_BONUS),
            "area_name_rule_admin1": float(0 < area < _COUNTRY_BONUS and feature == "A.ADM1"),
            "area_name_rule_capital_region": float(0 < area < _COUNTRY_BONUS and feature != "A.ADM1"),
            "admin1_big_city_rival": float(feature == "A.ADM1" and big_city_countries - {place.country_code} != set()),
            "country_alternate_name": float(place.is_country and normalize_name(place.name) != group.key),
            "own_name_over_country_alias": float(
                not place.is_country and normalize_name(place.name) == group.key and alias_country
            ),
            "case_mismatch": float(caps and not group.surfaces.intersection(cand.spellings)),
            "region_asked_area": float(group.role == "region" and fclass in {"A", "L"}),
            "admin1_of_confident": float(
                bool(place.admin1_code) and any(p.admin1_code == place.admin1_code for p in other_anchors)
            ),
            "admin1_named": float(bool(named_admin1)),
            "near_300km": math.exp(-nearest / 300.0),
            "near_50km": math.exp(-nearest / 50.0),
            "has_confident": float(has_near),
            "world_city": float(world_city),
            "world_city_off_focus": float(world_city and has_near) * (1.0 - focus_share),
            "focus_country_share": anchor_countries[place.country_code] / len(near) if has_near else 0.0,
            "focus_500km_count": min(3, within) / 3.0,
            "focus_500km_share": focus_share,
            "dateline_country": float(dateline is not None and place.country_code == dateline.country_code),
            "dateline_near": math.exp(-haversine_km(place.lat, place.lon, dateline.lat, dateline.lon) / 300.0)
            if dateline is not None and gkey != story.dateline
            else 0.0,
            "log_candidates": math.log1p(len(cands)) / 3.5,
            "feature_word_town": float(group.town_word and fclass == "P"),
            "holds_contained": float(place.place_id in group.holds),
            "direction_small_town": float(group.directional and fclass == "P" and place.population < _CITY_POPULATION),
            "prior_country": story.prior.country_share(place.country_code) if story.prior else 0.0,
            "prior_admin1": story.prior.admin1_share(place.admin1_code) if story.prior else 0.0,
        }
        rows[i] = [values[name] for name in FEATURES]
    return rows


def _distance_matrix(cands: Sequence[Candidate], places: Sequence[Place]) -> np.ndarray:
    """Return great-circle distances in km, candidates by places (haversine, as :func:`haversine_km`)."""
    return _place_distances([c.place for c in cands], places)


def _place_distances(first: Sequence[Place], second: Sequence[Place]) -> np.ndarray:
    """Return great-circle distances in km, ``first`` by ``second``."""
    lat1 = np.radians([p.lat for p in first])[:, None]
    lon1 = np.radians([p.lon for p in first])[:, None]
    lat2 = np.radians([p.lat for p in second])[None, :]
    lon2 = np.radians([p.lon for p in second])[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _pick(
    group: _Group, feats: np.ndarray, model: ResolverModel, *, first_round: bool
) -> tuple[Candidate | None, float, str, tuple[Candidate, ...]]:
    logits = model.logits(feats, first_round=first_round)
    order = sorted(range(len(group.cands)), key=lambda i: (-logits[i], group.cands[i].place.place_id))
    probs = _softmax(logits)
    best = order[0]
    weights = model.first if first_round else model.second
    contrib = feats[best] * weights
    top = np.argsort(-np.abs(contrib))[:4]
    reason = " + ".join(f"{FEATURES[t]} {contrib[t]:+.2f}" for t in top if contrib[t] != 0)
    runners = tuple(group.cands[i] for i in order[1:4])
    return group.cands[best], float(probs[best]), f"{reason} = {logits[best]:.2f}", runners
