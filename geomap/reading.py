"""
Read a news report's syntax the way an analyst does: who acts, what is counted, when, and what is context.

Event extraction (:mod:`geomap.events`) finds cue words; this module answers, from the one
spaCy dependency parse of the document (:mod:`geomap.nlp`), the questions that decide whether a
cue is a mappable event:

* **roles of place names** — a dateline is the reporter's location; a name that modifies
  "-led/-backed/-brokered/-based", speaks ("X says"), is appealed to ("appealed to X"), is accused
  ("accused X"), or acts ("shelling by X") is an actor, never where the event happened;
* **counts** — a number counts victims only when the parse attaches it to the trigger (the
  number's noun is the trigger's subject or object, or the trigger itself), so populations,
  crowds and numbers of other clauses never become casualties;
* **time per clause** — each trigger takes the date expression of its own clause (or of the clause
  that governs it), never one from a neighbouring clause;
* **tense and aspect** — planned events (will, scheduled, to be held) and cumulative tolls
  ("the toll rose to", "killed since April") are told apart from new incidents;
* **headlines** — a short first line without final punctuation is context for the lead.

Every rule is about syntax and word classes; none names a place.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "ACTOR_HEADS",
    "actor_role",
    "attached_to",
    "clause_chain",
    "clause_head",
    "dateline_end",
    "ensure_parse",
    "headline_end",
    "in_description",
    "in_quote_apart",
    "is_acronym_of_name",
    "is_definite_mention",
    "is_negated",
    "is_planned",
    "is_search",
    "is_toll",
    "is_trigger",
    "ordered_in_court",
    "participle_subject",
    "same_scene",
    "span_root",
    "token_at",
    "tokens_in",
    "told_as_earlier",
    "told_in_court",
    "victims_of",
]

ACTOR_HEADS = frozenset(
    {"led", "backed", "brokered", "based", "funded", "sponsored", "allied", "supported", "owned", "run", "controlled"}
)
"""Participles that make the name before their hyphen an actor: "the X-led coalition"."""

_SPEECH = frozenset(
    {
        "say",
        "tell",
        "announce",
        "report",
        "claim",
        "state",
        "deny",
        "accuse",
        "blame",
        "condemn",
        "warn",
        "urge",
        "insist",
        "confirm",
        "add",
        "reject",
        "demand",
        "vow",
        "threaten",
        "welcome",
        "criticize",
        "criticise",
        "express",
        "issue",
        "appeal",
        "ask",
        "request",
        "call",
        "praise",
        "respond",
        "argue",
        "believe",
        "want",
        "agree",
        "decide",
        "seek",
        "offer",
        "promise",
        "pledge",
        "suggest",
        "acknowledge",
        "admit",
        "describe",
        "note",
        "estimate",
    }
)
"""Verbs whose subject is a speaker or a decision-maker, not a scene."""

_SCENE_VERBS = frozenset(
    {"be", "remain", "become", "see", "witness", "experience", "suffer", "face", "host", "erupt", "burn", "shake"}
)
"""Verbs whose subject is a scene ("X has seen fighting"), not an actor."""
_ORIGIN_VERBS = frozenset({"visit", "come", "travel", "arrive", "hail", "return", "fly", "move", "emigrate"})
_APPEAL = frozenset({"appeal", "call", "ask", "plead", "turn", "request", "urge", "write", "apply", "petition"})
_ACCUSE = frozenset({"accuse", "blame", "condemn", "criticize", "criticise", "sanction", "warn", "thank", "praise"})
_ROLE_NOUNS = frozenset(
    {
        "ambassador",
        "envoy",
        "embassy",
        "consulate",
        "delegation",
        "representative",
        "mission",
        "relations",
        "ties",
        "aid",
        "support",
        "help",
        "sales",
        "exports",
        "imports",
        "export",
        "import",
        "sale",
        "threat",
        "ally",
        "allies",
        "counterpart",
        "minister",
        "president",
        "leader",
        "government",
        "citizen",
        "citizens",
        "national",
        "nationals",
    }
)
_EVENT_NOUNS = frozenset(
    {
        "attack",
        "strike",
        "airstrike",
        "raid",
        "bombing",
        "shelling",
        "offensive",
        "assault",
        "incursion",
        "invasion",
        "operation",
        "campaign",
        "forces",
        "troops",
        "army",
        "military",
        "police",
        "militia",
    }
)
_PLAN_VERBS = frozenset(
    {
        "plan",
        "schedule",
        "expect",
        "intend",
        "threaten",
        "vow",
        "prepare",
        "propose",
        "aim",
        "hope",
        "seek",
        "want",
        "plot",
        "conspire",
        "attempt",
        "try",
    }
)
_DEMAND_VERBS = frozenset({"push", "call", "press", "urge", "demand", "lobby", "campaign", "ask", "plead"})
"""Verbs that ask "for" something: what they ask for has not happened."""
_TOLL_NOUNS = frozenset({"toll", "tally"})
_TOLL_ADVERBS = re.compile(
    r"\b(?:since|so far|to date|this year|in total|altogether|overall|cumulative|in all|all told|"
    r"over (?:the )?(?:past |last )?\w+ (?:years|decades|months)|in recent (?:years|months))\b",
    re.I,
)


def ensure_parse(text: str, sdoc: Any) -> Any:
    """
    Return the document's parse, parsing it here only when no stage has done so.

    Parameters
    ----------
    text
        The document text.
    sdoc
        The shared parse (:func:`geomap.nlp.parse`) or None.

    Returns
    -------
    spacy.tokens.Doc or None
        The parse; None when spaCy or its model is not installed (reading falls back to cue words).
    """
    if sdoc is not None:
        return sdoc
    from geomap.nlp import NlpUnavailableError, load_pipeline, parse

    try:
        nlp = load_pipeline()
    except NlpUnavailableError:
        return None
    return parse(text, nlp)


def token_at(sdoc: Any, char: int) -> Any:
    """
    Return the token that covers a character offset (or the next one), None outside the text.

    Parameters
    ----------
    sdoc
        The parse.
    char
        A character offset into the document.

    Returns
    -------
    spacy.tokens.Token or None
        The token.
    """
    span = sdoc.char_span(char, char + 1, alignment_mode="expand")
    if span is not None and len(span):
        return span[0]
    starts = _cached(sdoc, "geomap_token_starts", lambda: [tok.idx for tok in sdoc])
    i = bisect.bisect_left(starts, char)
    return sdoc[i] if i < len(starts) else None


def _cached(sdoc: Any, key: str, build: Callable[[], Any]) -> Any:
    """Keep a value derived from the whole parse in its user data: computed once per document."""
    data = sdoc.user_data
    if key not in data:
        data[key] = build()
    return data[key]


def doc_text(sdoc: Any) -> str:
    """
    Return the parse's text, built once per document (spaCy joins every token at each ``Doc.text``).

    Parameters
    ----------
    sdoc
        The parse.

    Returns
    -------
    str
        The text.
    """
    return str(_cached(sdoc, "geomap_text", lambda: sdoc.text))


def tokens_in(sdoc: Any, start: int, end: int) -> list[Any]:
    """
    Return the tokens that overlap ``[start, end)``.

    Parameters
    ----------
    sdoc
        The parse.
    start, end
        Character offsets.

    Returns
    -------
    list of spacy.tokens.Token
        The tokens, in order.
    """
    span = sdoc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def span_root(sdoc: Any, start: int, end: int) -> Any:
    """
    Return the syntactic head of the tokens of ``[start, end)`` (the one whose head lies outside).

    Parameters
    ----------
    sdoc
        The parse.
    start, end
        Character offsets of a mention.

    Returns
    -------
    spacy.tokens.Token or None
        The head token.
    """
    toks = tokens_in(sdoc, start, end)
    if not toks:
        return None
    ids = {t.i for t in toks}
    for tok in toks:
        if tok.head.i not in ids or tok.head.i == tok.i:
            return tok
    return toks[-1]


def clause_head(tok: Any) -> Any:
    """
    Return the finite verb that heads a token's clause (the token itself when it is that verb).

    Participles used as adjectives ("the X-led coalition") and clauses without a subject of their own
    ("killing 12", "beginning on Monday") belong to the clause above them.

    Parameters
    ----------
    tok
        A token.

    Returns
    -------
    spacy.tokens.Token
        The clause's head (the sentence root when no finite verb is above).
    """
    t = tok
    while True:
        if t.pos_ in {"VERB", "AUX"} and t.dep_ not in {"amod", "compound", "aux", "auxpass"} and _finite(t):
            return t
        if t.head.i == t.i:
            return t
        t = t.head


def _finite(verb: Any) -> bool:
    if verb.dep_ == "ROOT" or verb.tag_ in {"VBD", "VBZ", "VBP", "MD"}:
        return True
    return any(
        c.dep_ in {"nsubj", "nsubjpass", "expl", "csubj", "aux", "auxpass"} and c.lower_ != "to" for c in verb.children
    )


def clause_chain(tok: Any, *, through_conj: bool = True) -> list[Any]:
    """
    Return the token's clause head and then the heads of the clauses that govern it, nearest first.

    Parameters
    ----------
    tok
        A token.
    through_conj
        Whether a coordinated clause ("... and discussed talks in X") climbs to its first conjunct.

    Returns
    -------
    list of spacy.tokens.Token
        Clause heads up to the sentence root.
    """
    chain = [clause_head(tok)]
    while chain[-1].head.i != chain[-1].i and len(chain) < 8:
        if not through_conj and chain[-1].dep_ == "conj":
            break
        chain.append(clause_head(chain[-1].head))
        if chain[-1].i == chain[-2].i:
            chain.pop()
            break
    return chain


_REPORTING = frozenset({"say", "tell", "announce", "report", "confirm", "add", "state", "write", "note"})


def is_reporting_verb(tok: Any) -> bool:
    """
    Tell whether a clause head is a verb of reporting ("said Monday", "told reporters on Friday").

    Its time is when the news was told, not when the event it reports happened.
    """
    return tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in _REPORTING


def dateline_end(text: str) -> int:
    """
    Return the end offset of the report's dateline ("BEIRUT (AP) —", "PARIS, Dec. 12 -"), 0 when none.

    Parameters
    ----------
    text
        The document text.

    Returns
    -------
    int
        Characters of the dateline, separator included.

    Examples
    --------
    >>> dateline_end("KABUL (Reuters) - Gunmen attacked a bank.")
    18
    >>> dateline_end("Gunmen attacked a bank in Kabul.")
    0
    >>> dateline_end("Moscow, SANA- The ministry said ...")
    14
    >>> dateline_end("LONDON The Latest on the talks ...")
    7
    >>> dateline_end("US forces left.")
    0
    """
    # "Moscow, SANA -": a wire agency's capitals after the town's name
    agency = re.match(r"\s*[A-Z][A-Za-z.'’ -]{1,30},\s*[A-Z]{2,6}\s*(?:[—–:-]|--)\s*", text)
    if agency is not None:
        return agency.end()
    # "LONDON The Latest ...": a town in capitals without a separator, before a capitalised word
    caps = re.match(r"\s*[A-Z][A-Z.'’-]{2,}(?:\s+[A-Z][A-Z.'’-]+){0,3}\s+(?=[A-Z][a-z])", text)
    if caps is not None:
        return caps.end()
    m = re.match(
        r"\s*(?:[A-Z][A-Za-z.'’-]*(?:[ ,]+[A-Z][A-Za-z.'’-]*){0,4})"
        r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
        # a wire agency or outlet in parentheses: capitals or a capitalised name ("(AP)", "(Reuters)"), or a
        # short lower-case acronym ("(dpa)")
        r"\s*(?:\((?:[A-Z][A-Za-z]{1,11}|[a-z]{2,4})\)\s*)?"
        r"(?:[—–:-]|\ufffd|--)\s*",
        text,
    )
    if m is None:
        return 0
    head = text[: m.end()]
    letters = [c for c in head if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    if "(" in head or (letters and capitals / len(letters) > 0.8):
        return m.end()
    return 0


def headline_end(text: str) -> int:
    r"""
    Return where the report's headline block ends: short lines without final punctuation at the top.

    Parameters
    ----------
    text
        The document text.

    Returns
    -------
    int
        Offset of the first line that reads as running text (0 when the text starts with it).

    Examples
    --------
    >>> text = "Riots Spread in the South\n\nRiots spread on Friday, police said."
    >>> text[headline_end(text):]
    'Riots spread on Friday, police said.'
    """
    end = 0
    for line in re.finditer(r"[^\n]*\n?", text):
        body = line.group().strip()
        if not body:
            end = line.end()
            continue
        words = body.split()
        if len(words) <= 16 and not re.search(r"[.!?:\"”’)]$", body):
            end = line.end()
            continue
        break
    return end if end < len(text) else 0


_NAME_LINKS = frozenset({"of", "for", "and", "the", "on", "de", "du", "des", "la", "al"})
"""Small words inside an organisation's name that its acronym skips ("Ministry of Defence" -> MoD)."""


def is_acronym_of_name(text: str, start: int, end: int) -> bool:
    """
    Tell whether a name in parentheses abbreviates the capitalised name just before it.

    "the Ministry of Defence (MoD)" or "Internally Displaced Persons (IDP)": the short form is
    the organisation or thing named, even when a gazetteer lists a place spelled the same.

    Parameters
    ----------
    text
        The document text.
    start, end
        Character offsets of the short form.

    Returns
    -------
    bool
        True when the span sits in parentheses and its capital letters are the initials of the
        last two or more capitalised words before the opening parenthesis.

    Examples
    --------
    >>> t = "The Ministry of Defence (MoD) named him."
    >>> is_acronym_of_name(t, t.index("MoD"), t.index("MoD") + 3)
    True
    >>> t = "He died in the town (Gao) on Monday."
    >>> is_acronym_of_name(t, t.index("Gao"), t.index("Gao") + 3)
    False
    """
    if text[max(0, start - 1) : start] != "(" or text[end : end + 1] != ")":
        return False
    short = "".join(c for c in text[start:end] if c.isupper())
    if len(short) < 2:
        return False
    words = re.findall(r"[\w'’-]+", text[max(0, start - 120) : start - 1])
    initials = [w[0] for w in words if w.lower() not in _NAME_LINKS]
    tail = initials[-len(short) :]
    return len(tail) == len(short) and "".join(tail) == short


_QUOTE_PAIRS = (("“", "”"), ('"', '"'))


def in_quote_apart(text: str, start: int, end: int, sentence: tuple[int, int], anchors: Iterable[int]) -> bool:
    """
    Tell whether a name is inside quoted words of its sentence that hold none of the anchors.

    A place in a shouted slogan or a quoted remark ("Don't forget X!") is what someone said,
    not where the sentence's event (the anchors: its trigger words) happened.

    Parameters
    ----------
    text
        The document text.
    start, end
        Character offsets of the name.
    sentence
        ``(start, end)`` offsets of the sentence.
    anchors
        Character offsets of the event's trigger words.

    Returns
    -------
    bool
        True when a quotation of the sentence (an opening mark without its closing one runs to the
        sentence's end) covers the name and no anchor.

    Examples
    --------
    >>> t = 'Police shot a man who shouted "Free Kobani!" at the gate.'
    >>> in_quote_apart(t, t.index("Kobani"), t.index("Kobani") + 6, (0, len(t)), [t.index("shot")])
    True
    >>> in_quote_apart(t, t.index("Kobani"), t.index("Kobani") + 6, (0, len(t)), [t.index("Free")])
    False
    """
    lo, hi = sentence
    marks = list(anchors)
    for opening, closing in _QUOTE_PAIRS:
        pos = lo
        while True:
            q_start = text.find(opening, pos, hi)
            if q_start < 0:
                break
            q_end = text.find(closing, q_start + 1, hi)
            q_end = hi if q_end < 0 else q_end
            if q_start < start and end <= q_end:
                return not any(q_start < m < q_end for m in marks)
            pos = q_end + 1
    return False


def actor_role(sdoc: Any, start: int, end: int) -> str:
    """
    Tell whether a place name is used for an actor, from its role in the parse.

    Parameters
    ----------
    sdoc
        The parse.
    start, end
        Character offsets of the name.

    Returns
    -------
    str
        The actor role ("modifier", "speaker", "addressee", "accused", "agent", "relation",
        "attacker"), or ``""`` when the name may be a scene.
    """
    root = span_root(sdoc, start, end)
    if root is None:
        return ""
    head = root.head
    after = doc_text(sdoc)[end : end + 14].lower()
    if re.match(r"^[-–](?:" + "|".join(ACTOR_HEADS) + r")\b", after):
        return "modifier"
    if root.dep_ in {"npadvmod", "compound", "nmod", "amod"} and head.lower_ in ACTOR_HEADS:
        return "modifier"
    if root.dep_ in {"nsubj", "nsubjpass"} and head.lemma_.lower() in _SPEECH and head.dep_ != "amod":
        return "speaker"
    if root.dep_ == "pobj" and head.lower_ in {"to", "on", "upon", "for"} and head.head.lemma_.lower() in _APPEAL:
        return "addressee"
    if root.dep_ == "dobj" and head.lemma_.lower() in _APPEAL | _ACCUSE:
        return "addressee" if head.lemma_.lower() in _APPEAL else "accused"
    if root.dep_ == "pobj" and head.lower_ == "by" and head.head.pos_ in {"VERB", "NOUN"}:
        return "agent"
    if root.dep_ == "nsubj" and head.pos_ == "VERB" and head.lemma_.lower() not in _SCENE_VERBS:
        return "subject"  # "X fired on Y", "X has sent troops": the name stands for its government
    if root.dep_ == "pobj" and head.lower_ == "from" and head.head.lemma_.lower() in _ORIGIN_VERBS:
        return "origin"  # "a woman visiting from X"
    if root.dep_ == "pobj" and head.lower_ == "of" and head.head.ent_type_ == "PERSON":
        return "origin"  # "Sgt Smith of X": a hometown
    if root.dep_ == "pobj" and head.lower_ in {"in", "at"} and head.head.lemma_.lower() in {"base", "headquarter"}:
        return "modifier"  # "an activist based in X": where someone works from, not where it happened
    if root.dep_ in {"compound", "nmod"} and head.pos_ == "NOUN" and head.lemma_.lower() in _NATIONALS:
        return "origin"  # "a US serviceman", "a British diplomat": a nationality, not where it happened
    if (
        root.dep_ in {"appos", "npadvmod", "conj"}
        and head.pos_ == "PROPN"
        and head.dep_ == "pobj"
        and head.head.lower_ == "of"
        and head.head.head.ent_type_ == "PERSON"
    ):
        return "origin"  # "Sgt Smith of Austin, Texas": the container of a hometown is the hometown's
    if root.dep_ == "pobj" and head.lower_ in {"to", "with", "from"} and head.head.lemma_.lower() in _ROLE_NOUNS:
        return "relation"
    if root.dep_ == "poss" and head.lemma_.lower() in _ROLE_NOUNS | _EVENT_NOUNS:
        return "relation"
    if root.dep_ in {"compound", "amod"} and head.lemma_.lower() in _EVENT_NOUNS:
        # "an X attack near Y": X is the side that attacked when a scene is named for the same noun.
        if any(c.dep_ == "prep" and c.lower_ in {"in", "near", "at", "on", "outside", "inside"} for c in head.children):
            return "attacker"
        if head.lemma_.lower() in {"forces", "troops", "army", "military", "militia"}:
            return "attacker"
    return ""


_NATIONALS = frozenset(
    {
        "serviceman",
        "servicemen",
        "servicewoman",
        "soldier",
        "sailor",
        "airman",
        "marine",
        "pilot",
        "diplomat",
        "ambassador",
        "envoy",
        "national",
        "citizen",
        "tourist",
        "journalist",
        "reporter",
        "aid worker",
    }
)
"""People a country name before them gives a nationality to ("a US serviceman", "a French national")."""


def _number_tokens(tokens: Iterable[Any]) -> list[Any]:
    return [t for t in tokens if t.like_num or t.pos_ == "NUM" or t.lower_ in {"dozens", "hundreds", "thousands"}]


def attached_to(sdoc: Any, start: int, end: int, triggers: list[Any]) -> bool:
    """
    Tell whether a count (its wording at ``[start, end)``) counts what one of the trigger tokens says.

    The count's noun (the noun a number modifies, or the number itself) must be the trigger, its
    subject or object, a noun the trigger modifies ("12 wounded people"), or a conjunct of one
    of these, within the trigger's clause. A count must also begin and end on token boundaries.

    Parameters
    ----------
    sdoc
        The parse.
    start, end
        The count's wording.
    triggers
        Tokens of the trigger words ("killed", "dead", "arrested").

    Returns
    -------
    bool
        True when the parse ties the number to a trigger.
    """
    toks = tokens_in(sdoc, start, end)
    if not toks or toks[0].idx != start or toks[-1].idx + len(toks[-1].text) != end:
        return False
    nums = _number_tokens(toks)
    if not nums:
        # "a man", "he was": the wording's head stands for one person.
        nums = [span_root(sdoc, start, end)]
    num = nums[-1]
    if num.dep_ == "appos" or re.match(
        r"^\s*(?:[ap]\.?m\b|o'clock|%|percent|per cent)", sdoc.text[end : end + 10], re.I
    ):
        return False  # "Smith, 53, was arrested": an age; "5 p.m.": a time; "30 percent": a share
    prons = [t for t in toks if t.pos_ == "PRON" and t.dep_ != "poss"]
    if not _number_tokens(toks) and prons:
        num = prons[0]
    noun = num.head if num.dep_ in {"nummod", "quantmod", "compound", "amod", "advmod", "det"} else num
    if noun.pos_ == "NUM" and noun.dep_ == "nummod":
        noun = noun.head
    # "dozens of people", "five of them"
    candidates = {noun.i}
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            candidates.update(g.i for g in child.children if g.dep_ == "pobj")
    up = noun
    while up.dep_ == "conj" and up.head.i != up.i:
        up = up.head
        candidates.add(up.i)
    if up.dep_ == "pobj" and up.head.lower_ == "of" and up.head.head.pos_ in {"NUM", "NOUN", "PRON"}:
        candidates.add(up.head.head.i)  # "five of the soldiers were killed": the head of "five of"
    if up.dep_ == "appos":
        candidates.add(up.head.i)
    for trig in triggers:
        if trig.i in candidates:
            return True
        for cand_i in candidates:
            cand = sdoc[cand_i]
            if cand.head.i == trig.i and cand.dep_ in {
                "nsubj",
                "nsubjpass",
                "dobj",
                "attr",
                "oprd",
                "npadvmod",
                "appos",
                "dative",
                "obj",
            }:
                return True
            if trig.head.i == cand.i and trig.dep_ in {"amod", "acl", "relcl", "advmod", "acomp"}:
                return True
            # "two protesters were shot dead": the trigger is a secondary predicate of the count's verb.
            if (
                trig.dep_ in {"oprd", "acomp", "xcomp"}
                and cand.head.i == trig.head.i
                and cand.dep_
                in {
                    "nsubj",
                    "nsubjpass",
                    "dobj",
                }
            ):
                return True
            # "the toll rose to 25": the figure the toll's verb reaches
            if (
                trig.lemma_.lower() in _TOLL_NOUNS
                and cand.dep_ == "pobj"
                and cand.head.lower_ in {"to", "at"}
                and cand.head.head.i == trig.head.i
                and trig.dep_ in {"nsubj", "nsubjpass"}
            ):
                return True
            # "left 12 dead", "leaving at least 10 dead": the count's noun is the trigger adjective itself.
            if cand.i == trig.head.i and trig.dep_ in {"conj"}:
                continue
            # "killed 12, wounding 30": the count is the object of the trigger's conjoined / governing verb.
            if cand.head.i == trig.i and cand.dep_ in {"conj"}:
                return True
    return False


def same_scene(place_tok: Any, triggers: list[Any]) -> bool:
    """
    Tell whether a place name belongs to a trigger's clause (or a clause the trigger governs or that governs it).

    "police said 12 were killed in X" and "in X, 12 were killed when a bomb exploded in Y" tie X and Y to
    the killing; "... the attack, while the president was on vacation in X" does not tie X.

    Parameters
    ----------
    place_tok
        The head token of the place name.
    triggers
        Tokens of the event's cue words.

    Returns
    -------
    bool
        True when the parse links them.
    """
    own = clause_chain(place_tok, through_conj=False)
    own_ids = [t.i for t in own]
    for trig in triggers:
        chain = clause_chain(trig)
        if own[0].i in {t.i for t in chain}:
            return True
        if chain[0].i in own_ids:
            # a clause under the trigger's: "killed when a bomb exploded in X", but not a quote or a
            # speech under it ("shouting: 'Don't forget X!'")
            between = own[: own_ids.index(chain[0].i)]
            if len(between) <= 2 and not any(
                t.dep_ in {"ccomp", "parataxis"} or t.lemma_.lower() in _SPEECH for t in between
            ):
                return True
    return False


def in_governing_clause(place_tok: Any, triggers: list[Any]) -> bool:
    """
    Tell whether a place name sits only in a clause that governs the triggers' clauses, not in theirs.

    "After searching in X, police learned that officers had detained him near Y": X tells where the
    search was, Y where the arrest was.
    """
    own = clause_chain(place_tok, through_conj=False)[0].i
    chains = [[t.i for t in clause_chain(trig)] for trig in triggers]
    return bool(chains) and all(own in chain[1:] for chain in chains)


def is_definite_mention(tok: Any) -> bool:
    """
    Tell whether a nominal cue refers back to an event already told ("the attack", "Sunday's explosion").

    Parameters
    ----------
    tok
        The cue's token.

    Returns
    -------
    bool
        True for a noun with a definite determiner or a possessor.
    """
    if tok.pos_ not in {"NOUN", "PROPN"}:
        return False
    return any(
        (c.dep_ == "det" and c.lower_ in {"the", "this", "that", "these", "those"}) or c.dep_ == "poss"
        for c in tok.children
    )


_LAW_NOUNS = frozenset(
    {"police", "officer", "agent", "investigator", "authority", "prosecutor", "detective", "inspector", "customs"}
)
_PREMISES = frozenset(
    {"office", "home", "house", "premises", "shop", "store", "apartment", "flat", "headquarters", "building"}
)


def is_search(tok: Any) -> bool:
    """
    Tell whether a raid cue is a police search ("police raided his home"), not an armed attack.

    Parameters
    ----------
    tok
        The cue's token ("raid", "raided").

    Returns
    -------
    bool
        True when law enforcement carries it out or it targets premises.
    """
    if tok.lemma_.lower() not in {"raid", "search"}:
        return False
    related = [*tok.children, tok.head]
    # "a series of raids by police": the agent may hang on the noun that governs the cue
    related += [c for anc in (tok.head, tok.head.head) for c in anc.children if c.dep_ == "prep" and c.lower_ == "by"]
    for rel in list(related):
        related.extend(g for g in rel.children if rel.dep_ == "agent" or (rel.dep_ == "prep" and rel.lower_ == "by"))
    for rel in related:
        lemma = rel.lemma_.lower()
        if lemma in _LAW_NOUNS or any(c.lemma_.lower() in _LAW_NOUNS for c in rel.children if c.dep_ == "compound"):
            return True
        if lemma in _PREMISES and rel.dep_ in {"dobj", "nsubjpass", "pobj"}:
            return True
    return any(c.dep_ == "prep" and any(g.lemma_.lower() in _PREMISES for g in c.children) for c in tok.children)


_HOLD_VERBS = frozenset({"have", "host", "shelter", "house", "receive", "accommodate", "manage", "hold"})
_DESCRIPTIVE_NOUNS = frozenset({"recipient", "centre", "center", "hub", "birthplace", "cradle", "home", "site"})


def in_description(tok: Any) -> bool:
    """
    Tell whether a cue only describes a population or a place's past.

    "hosts 150,000 people fleeing attacks", "a haven for families fleeing violence", "the centre of
    protests that began years ago".

    Parameters
    ----------
    tok
        The cue's token.

    Returns
    -------
    bool
        True when the cue sits in the object of a verb of holding or under a descriptive noun.
    """
    up = tok
    for _ in range(6):
        if up.head.i == up.i:
            return False
        if up.dep_ in {"dobj", "attr"} and up.head.lemma_.lower() in _HOLD_VERBS and up.tag_ in {"NNS", "NNPS"}:
            return True  # a population held ("has 150,000 displaced persons"), not "had a gunshot wound"
        up = up.head
        if up.lemma_.lower() in _DESCRIPTIVE_NOUNS and up.pos_ == "NOUN":
            return True
    return False


_WEAPONS = frozenset(
    {"artillery", "mortar", "missile", "rocket", "grenade", "bomb", "landmine", "ied", "explosive", "weapon", "arm"}
)
"""Attack cues that name a weapon, not its use."""
_TRANSFER = frozenset(
    {
        "sell", "sale", "buy", "purchase", "supply", "deliver", "delivery", "ship", "shipment", "export", "import",
        "transfer", "deal", "contract", "order", "stockpile", "arsenal", "acquire", "provide", "approve",
        "manufacture", "produce", "develop", "smuggle", "seize", "display", "parade", "stock", "cache", "package",
    }
)  # fmt: skip
"""Words of trade, possession and display: a weapon they govern is goods, not an attack ("selling artillery")."""
_OFFICIALS = frozenset(
    {
        "diplomat", "ambassador", "envoy", "official", "staff", "attache", "consul", "journalist", "correspondent",
        "reporter", "representative", "delegation", "spy", "agent", "employee",
    }
)  # fmt: skip
"""People an expulsion or deportation sends home as a measure against a state or employer, not displaced people."""
_NOT_FOES = frozenset(
    {
        "blaze", "fire", "flame", "wildfire", "flood", "disease", "cancer", "illness", "addiction", "infection",
        "epidemic", "outbreak", "virus", "drought", "hunger", "poverty", "corruption", "crime", "inflation", "odds",
    }
)  # fmt: skip
"""What one battles or fights that is no armed opponent ("firefighters battled the blaze")."""
_NATURAL_CAUSES = frozenset(
    {
        "disease", "illness", "virus", "outbreak", "epidemic", "pandemic", "infection", "cholera", "malaria",
        "meningitis", "measles", "ebola", "flu", "influenza", "covid", "typhoid", "dengue", "tuberculosis",
        "hunger", "starvation", "malnutrition", "famine", "drought", "flood", "flooding", "storm", "cyclone",
        "hurricane", "typhoon", "earthquake", "quake", "landslide", "mudslide", "avalanche", "tsunami",
        "heatwave", "lightning", "accident", "crash", "collision", "overdose", "poisoning", "liquor",
        "alcohol", "drowning", "cancer",
    }
)  # fmt: skip
"""Causes of death and injury that are no violence ("died of meningitis", "floods killed 20")."""
_CESSATION = frozenset(
    {"lull", "halt", "pause", "end", "break", "respite", "cessation", "decline", "drop", "reduction"}
)
"""Nouns whose object is an absence of the event ("a lull in the fighting")."""
_BLAME = frozenset({"blame", "accuse", "punish", "retaliate"})
"""Verbs whose ``for``/``of`` object is an event already known, referred to, not told ("blamed X for the attack")."""
_NOUN_SENSE_NO_EVENT = frozenset({"beat"})
"""Cue verbs whose noun is no event ("officers on the beat")."""


def is_negated(tok: Any) -> bool:
    """
    Tell whether a cue is negated by the parse: "not" on it, or "no" as its determiner ("no request").

    Parameters
    ----------
    tok
        The cue's token.

    Returns
    -------
    bool
        True when the cue says the event did not happen.
    """
    return any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in {"no", "none"}) for c in tok.children)


def _sense_holds(tok: Any, kind: str) -> bool:
    """Tell whether a cue is used in its event sense, by its arguments and what governs it in the parse."""
    lemma = tok.lemma_.lower()
    if tok.pos_ == "NOUN" and lemma in _NOUN_SENSE_NO_EVENT:
        return False
    if tok.tag_ == "JJ" and tok.dep_ == "amod" and kind not in {"killed", "injured"}:
        return False  # "an offensive weapon": a quality, not an event
    if kind == "attack" and lemma in _WEAPONS:
        up = tok
        for _ in range(4):
            if up.head.i == up.i:
                break
            up = up.head
            if up.lemma_.lower() in _TRANSFER or up.ent_type_ == "MONEY":
                return False  # "approved selling artillery to X", "$3 million in rockets": goods
            if up.pos_ in {"VERB", "AUX"} and up.dep_ not in {"amod", "compound"}:
                if any(c.dep_ in {"nsubj", "nsubjpass", "dobj"} and c.lemma_.lower() in _TRANSFER for c in up.children):
                    return False  # "the deal includes 180 artillery systems"
                break
    if kind == "displacement" and lemma in {"expel", "deport", "expulsion", "deportation"}:
        people = [c for c in tok.children if c.dep_ in {"nsubjpass", "dobj", "pobj"}]
        people += [p for c in tok.children if c.dep_ == "prep" for p in c.children if p.dep_ == "pobj"]
        if tok.dep_ in {"acl", "amod", "relcl"}:
            people.append(tok.head)
        # "23 of the other's diplomats", "hundreds of diplomats": the people a number counts
        people += [p for c in people for o in c.children if o.lower_ == "of" for p in o.children]
        if any(p.lemma_.lower() in _OFFICIALS for p in people):
            return False
    if kind in {"killed", "injured"}:
        causes = [c for c in tok.children if c.dep_ in {"nsubj", "agent"} or c.lower_ in {"of", "from", "by"}]
        causes += [p for c in causes for p in c.children if c.dep_ in {"agent", "prep"} and p.dep_ == "pobj"]
        # "as diseases spread through the camps": the cause told by a clause of the cue
        causes += [n for c in tok.children if c.dep_ == "advcl" for n in c.children if n.dep_ == "nsubj"]
        if tok.dep_ == "conj":  # "the disease had symptoms of X but the patients died quickly"
            causes += [n for n in tok.head.children if n.dep_ in {"nsubj", "nsubjpass"}]
        if any(c.lemma_.lower() in _NATURAL_CAUSES for c in causes):
            return False
    if kind == "clashes" and lemma in {"battle", "fight"}:
        foes = [c for c in tok.children if c.dep_ == "dobj"]
        foes += [p for c in tok.children if c.dep_ == "prep" for p in c.children if p.dep_ == "pobj"]
        if any(f.lemma_.lower() in _NOT_FOES for f in foes):
            return False  # "firefighters battled the blaze"
    if tok.dep_ == "pobj" and tok.head.head.i != tok.head.i:
        governor = tok.head.head.lemma_.lower()
        before = tok.doc[tok.head.i - 1].lemma_.lower() if tok.head.i > 0 else ""
        if governor in _CESSATION or (tok.head.lower_ in {"in", "to", "of"} and before in _CESSATION):
            return False  # "a lull in the fighting", however the preposition is attached
        if tok.head.lower_ in {"for", "of"} and governor in _BLAME:
            return False  # "blamed the government for the attack": an event referred to
    return True


def is_trigger(tok: Any, kind: str) -> bool:
    """
    Tell whether a cue word tells an event.

    Not a modifier of another noun ("detention centre"), not a state ("the detained lawyer"), not a
    condition or question ("if he is dead").

    Parameters
    ----------
    tok
        The cue's token.
    kind
        Its event kind.

    Returns
    -------
    bool
        True when the cue may make an event.
    """
    if tok.dep_ == "compound" and tok.head.pos_ in {"NOUN", "PROPN"}:
        return False
    if kind == "arrests" and tok.dep_ == "amod":
        return False
    if kind == "arrests" and tok.pos_ == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ == "for":
        return False  # "four warrants out for her arrest", "calls for the arrest of X": sought, not made
    if kind == "arrests" and tok.lemma_.lower() == "charge" and not charged_person(tok):
        return False  # "police charged at the crowd", "a charged debate": no one charged with an offence
    if kind == "displacement" and tok.lemma_.lower() in {"arrive", "enter", "cross"} and not counted_arrival(tok):
        return False  # "police entered the house", "800 a day are entering": no counted group of people arriving
    if kind in _NAMED_IN_CHARGES and in_charge_list(tok):
        return False  # "charged with ... fleeing or evading police", "two counts of felony vandalism"
    if kind == "aid" and is_needed(tok):
        return False  # "in dire need of humanitarian assistance": a need, not aid delivered
    if kind == "arrests" and tok.lower_ == "captured" and not _captured_people(tok):
        return False  # "rebels captured the town": ground taken, not people
    if kind == "attack" and tok.lemma_.lower() == "take" and not taken_away(tok):
        return False  # "taken to hospital", "taken in by police": no abduction
    if kind == "attack" and is_search(tok):
        return False
    if in_description(tok):
        return False
    if is_negated(tok):
        return False  # "was not arrested", "there was no request"
    if not _sense_holds(tok, kind):
        return False
    if any(
        c.dep_ in {"nsubj", "nsubjpass"} and any(d.dep_ == "det" and d.lower_ in {"no", "none"} for d in c.children)
        for c in tok.children
    ):
        return False  # "no person died"
    head = clause_head(tok)
    return not any(c.dep_ == "mark" and c.lower_ in {"if", "whether", "unless"} for c in head.children)


_NAMED_IN_CHARGES = frozenset({"displacement", "looting", "arrests", "other"})
"""Kinds whose cue, inside the list of offences of a charge, names the offence, not an event."""
_CHARGE_WORDS = frozenset({"charge", "count", "accuse", "convict", "indict", "arrest", "book", "cite", "suspicion"})
_CHARGE_PREPS = frozenset({"with", "for", "on", "of"})


def taken_away(tok: Any) -> bool:
    """
    Tell whether "taken" tells people abducted: "the boys were taken by a woman", "three men were taken hostage".

    Parameters
    ----------
    tok
        A token of the verb "take".

    Returns
    -------
    bool
        True for a passive "taken" whose subject names people and whose agent is a person (not the police),
        or that is told "hostage" or "captive"; never with a destination ("taken to hospital", "into custody").
    """
    if tok.pos_ != "VERB" or not any(c.dep_ == "auxpass" for c in tok.children):
        return False
    who = [c for c in tok.children if c.dep_ == "nsubjpass"]
    if not who or not any(_names_a_person(c) or _PERSON_NOUN.match(c.lemma_.lower()) for c in who):
        return False
    if any(c.dep_ in {"prep", "prt"} and c.lower_ in {"to", "into", "away", "for", "off", "out"} for c in tok.children):
        return False
    if any(c.lower_ in {"hostage", "hostages", "captive"} for c in tok.children):
        return True
    agents = [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    return any(
        (a.ent_type_ == "PERSON" or _PERSON_NOUN.match(a.lemma_.lower()) or a.lemma_.lower() in _ARMED_GROUPS)
        and a.lemma_.lower() not in _LAW_NOUNS
        and not any(c.lemma_.lower() in _LAW_NOUNS for c in a.children)
        for a in agents
    )


_ARMED_GROUPS = frozenset({"gunman", "militant", "rebel", "insurgent", "bandit", "kidnapper", "abductor", "militia"})


_NOT_PEOPLE_ENTITIES = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})
"""Entity labels of names that are no person (a club, a firm, a state)."""


def charged_person(tok: Any) -> bool:
    """
    Tell whether "charged" tells a person charged with an offence ("X was charged with assault", "police charged him").

    Parameters
    ----------
    tok
        A token of the verb "charge".

    Returns
    -------
    bool
        True for the verb with an offence ("with"), a person charged as its passive subject or its object;
        False for a rush ("charged at the crowd", "charged into") or any other use.
    """
    if tok.pos_ != "VERB" or tok.dep_ == "acl":
        return False  # "the head of a facility charged with fraud": a description of someone, not the news
    preps = {c.lower_ for c in tok.children if c.dep_ == "prep"}
    if preps & {"at", "into", "toward", "towards", "through", "across", "up", "down"}:
        return False
    passive = any(c.dep_ == "auxpass" for c in tok.children)
    people = [c for c in tok.children if c.dep_ == ("nsubjpass" if passive else "dobj")]
    if any(c.ent_type_ in _NOT_PEOPLE_ENTITIES and not _names_a_person(c) for c in people):
        return False  # "UEFA charged Liverpool with acts of damage": a club, a firm, a state is not arrested
    if "with" in preps:
        return True
    return any(_names_a_person(c) or (c.tag_ in {"NNS", "NNPS"} and c.pos_ == "NOUN") for c in people)


_MIGRANT_NOUNS = frozenset({"refugee", "migrant", "seeker", "asylum-seeker", "evacuee"})
_RATE_NOUNS = frozenset({"day", "week", "month", "hour", "night", "year"})


def counted_arrival(tok: Any) -> bool:
    """
    Tell whether an arrival verb tells a displacement flow: a counted group of people of a nation, or refugees.

    "More than 40,000 Nicaraguans have arrived in Costa Rica", "3,000 refugees crossed into Chad"; not "police
    entered the house", nor a rate ("600 Nicaraguans are entering each day").

    Parameters
    ----------
    tok
        The verb ("arrived", "entered", "crossed").

    Returns
    -------
    bool
        True when its subject is a nationality (a demonym entity) or refugees or migrants, with a number, and
        no "each day", "a week" makes the figure a rate.
    """
    if tok.pos_ != "VERB":
        return False
    who = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if who is None or not (who.ent_type_ == "NORP" or who.lemma_.lower() in _MIGRANT_NOUNS):
        return False
    if not any(c.dep_ == "nummod" or c.lower_ in {"thousands", "hundreds", "dozens"} for c in who.subtree):
        return False
    for c in tok.subtree:
        if c.lemma_.lower() in _RATE_NOUNS and any(d.lower_ in {"each", "every", "a", "per"} for d in c.children):
            return False
    return True


def in_charge_list(tok: Any) -> bool:
    """
    Tell whether a cue word names an offence in the list of a charge or an arrest.

    "Hacker was charged with theft, second-degree fleeing or evading police and burglary", "arrested for
    battery and two counts of felony vandalism", "on suspicion of looting": the offence is told as the ground
    of the charge (the act, if any, is told elsewhere), never as an event of its own.

    Parameters
    ----------
    tok
        The cue's token.

    Returns
    -------
    bool
        True when the cue hangs, through a preposition (with, for, on, of) and any list of nouns or
        verbal nouns, under a word of charging (charge, count, accuse, arrest, suspicion ...).
    """
    up = tok
    through_prep = False
    for _ in range(12):
        if up.head.i == up.i:
            return False
        if up.dep_ == "prep":
            if up.lower_ in _CHARGE_PREPS:
                through_prep = True
        elif up.dep_ in {"advcl", "conj"} and up.pos_ == "NOUN":
            # a long list the parser hangs item by item on the charge verb ("charged with theft, ... fleeing")
            through_prep = through_prep or any(c.dep_ == "prep" and c.lower_ in _CHARGE_PREPS for c in up.head.children)
        elif up.dep_ not in {"conj", "pobj", "pcomp", "dobj", "appos", "compound", "amod", "nmod", "cc", "advmod"}:
            return False  # a clause of its own: "charged after he fled the scene" keeps the flight
        up = up.head
        if through_prep and up.lemma_.lower() in _CHARGE_WORDS:
            return True
    return False


def is_needed(tok: Any) -> bool:
    """Tell whether a noun is what people need or lack ("in need of food aid", "a lack of assistance")."""
    up = tok
    for _ in range(3):
        if up.head.i == up.i:
            return False
        up = up.head
        if up.lemma_.lower() in {"need", "lack", "shortage", "short", "without", "require", "deprive"}:
            return True
        if up.pos_ == "VERB" and up.lemma_.lower() not in {"need", "lack", "require"}:
            return False
    return False


_HELD_PEOPLE = frozenset(
    {"inmate", "prisoner", "fugitive", "escapee", "suspect", "accomplice", "gunman", "man", "woman", "teen", "teenager"}
)


def _captured_people(tok: Any) -> bool:
    """Tell whether "captured" takes people: "the inmates were captured", "police captured the suspect"."""
    passive = any(c.dep_ == "auxpass" for c in tok.children)
    held = [c for c in tok.children if c.dep_ == ("nsubjpass" if passive else "dobj")]
    for noun in held:
        if noun.ent_type_ == "PERSON" or noun.lemma_.lower() in _HELD_PEOPLE or noun.lower_ in {"he", "she", "they"}:
            return True
        if noun.lower_ in {"all", "both"} or noun.like_num:  # "all three were captured"
            return True
    return False


_PERSON_NOUN = re.compile(
    r"^(?:man|woman|boy|girl|child|teen|teenager|youth|person|resident|villager|civilian|soldier|officer|"
    r"policeman|guard|driver|student|worker|journalist|reporter|lawyer|activist|aide|official|mayor|"
    r"suspect|gunman|attacker|shooter|assailant|father|mother|son|daughter|brother|sister|wife|husband|"
    r"roommate|friend|neighbour|neighbor|tourist|pastor|priest|imam|leader|member|employee|owner|victim|"
    r"uncle|aunt|cousin|nephew|niece|grandfather|grandmother|grandson|granddaughter|parent|relative|"
    r"[a-z]+(?:er|or|ist|ian|ant|ent))$"
)


def victims_of(trig: Any) -> tuple[int, Any] | None:
    """
    Count the people a trigger verb acts on when no number is written.

    "a man was arrested" (1), "his mother, father and sister were detained" (3), "police shot him" (1).

    Parameters
    ----------
    trig
        The trigger token (a verb, or a noun in "placed under arrest", "taken into custody").

    Returns
    -------
    tuple or None
        The count and the noun token that names the people; None for a plural without a number.
    """
    verb = trig
    if trig.pos_ == "NOUN" and trig.tag_ == "NN":
        made = _one_arrest_made(trig)
        if made is not None:
            return made
    if trig.pos_ == "NOUN" and trig.dep_ == "pobj" and trig.head.head.pos_ in {"VERB", "AUX"}:
        verb = trig.head.head  # "placed under arrest", "taken into custody", "is in custody"
    elif trig.pos_ == "ADJ" and trig.dep_ == "acomp" and trig.head.lemma_.lower() == "be":
        verb = trig.head  # "a man is dead after being stabbed"
    copula = verb.lemma_.lower() == "be" and trig is not verb
    if verb.pos_ != "VERB" and not copula:
        return None
    passive = any(c.dep_ == "auxpass" for c in verb.children) or (verb.dep_ in {"acl", "relcl"} and verb.tag_ == "VBN")
    wanted = {"nsubjpass"} if passive else {"nsubj"} if copula else {"dobj"}
    held = [c for c in verb.children if c.dep_ in wanted and _same_line(c, verb)]
    # a dateline the parser hangs on the verb as a subject, the lead's subject on it or beside it
    # ("HOLLIDAY, Mo. - A man was arrested")
    people = [t for c in held for t in c.subtree if t.i == c.i or (t.dep_ == "appos" and t.i > c.i)]
    noun = next((c for c in people if _names_a_person(c) and c.dep_ != "poss"), held[0] if held else None)
    if noun is None and not passive and verb.tag_ in {"VBD", "VBN"}:
        noun = next((c for c in verb.children if c.dep_ == "nsubj"), None)  # headline style: "Man arrested"
    if noun is None and passive and verb.dep_ == "acl":
        noun = verb.head  # "a man arrested on Monday"
    if noun is not None and noun.lower_ in {"who", "that"} and verb.dep_ in {"relcl", "ccomp"}:
        noun = verb.head  # "the soldier who was killed by a bomb" (the parser may hang "who is" as a ccomp)
    if noun is None:
        return None
    # "his mother, father and sister": conjuncts (the parser may hang a list's middle on an apposition)
    listed = [c for c in noun.subtree if c.i != noun.i and c.dep_ in {"conj", "appos"} and c.pos_ in {"NOUN", "PROPN"}]
    if not any(c.dep_ == "conj" for c in listed):
        listed = []
    people = [noun, *listed]
    total = 0
    for person in people:
        # a number hung on it across a line break belongs to the line above (a dateline's "1:19PM")
        numbers = [c for c in person.children if c.dep_ == "nummod" and _same_line(c, person)]
        if numbers or person.tag_ in {"NNS", "NNPS"}:
            return None
        if person.pos_ == "PRON":
            if person.lower_ not in {"he", "she", "him", "her"}:
                return None
        elif not (
            person.ent_type_ == "PERSON"
            or _PERSON_NOUN.match(person.lower_)
            or _is_age_noun(person)
            or (person.pos_ == "PROPN" and any(_is_age_noun(c) for c in person.children))
        ):
            return None  # "38-year-old Smith" is a person told with an age, whatever the recogniser says
        total += 1
    return total, noun


def _names_a_person(tok: Any) -> bool:
    """Tell whether a noun names one or more people ("a man", "Smith", "he", "the 30-year-old")."""
    if tok.pos_ == "PRON":
        return tok.lower_ in {"he", "she", "him", "her", "they", "them"}
    return tok.ent_type_ == "PERSON" or bool(_PERSON_NOUN.match(tok.lower_)) or _is_age_noun(tok)


def _one_arrest_made(trig: Any) -> tuple[int, Any] | None:
    """
    Count one person for a singular arrest noun that police make ("police made the arrest", "an arrest was made").

    "the arrest of a man" counts the people the noun's "of" names instead, when they are one person.
    """
    if trig.lemma_.lower() != "arrest":
        return None
    of = next((g for c in trig.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children), None)
    if of is not None:
        if of.dep_ != "pobj" or of.tag_ in {"NNS", "NNPS"} or not _names_a_person(of):
            return None
        if any(c.dep_ in {"conj", "nummod"} for c in of.children):
            return None
        return 1, of
    article = any(c.dep_ == "det" and c.lower_ in {"a", "an", "the"} for c in trig.children)
    made = trig.head.lemma_.lower() == "make" and trig.dep_ in {"dobj", "nsubjpass"}
    return (1, trig) if article and made else None


def _is_age_noun(tok: Any) -> bool:
    """Tell whether a token is an age told as a person: "the 12 year old", "a 30-year-old"."""
    return tok.lower_ == "old" and any(c.lemma_.lower() == "year" and c.dep_ == "npadvmod" for c in tok.children)


def _same_line(a: Any, b: Any) -> bool:
    """Tell whether two tokens stand on one line (the parser may hang a dateline's words on the lead's verb)."""
    return "\n" not in a.doc[min(a.i, b.i) : max(a.i, b.i)].text


def _number_of(noun: Any) -> int | None:
    """Return the written number (digits or a word up to twenty) that counts a noun, else None."""
    from geomap.attributes import iter_counts

    num = next((c for c in noun.children if c.dep_ == "nummod"), None)
    if num is None:
        return None
    found = iter_counts(num.text)
    return found[0].best if found and found[0].best is not None else None


def companions(trig: Any) -> tuple[int, Any, Any] | None:
    """
    Find "N others" told with one named person ("X was arrested along with nine others").

    Also "X and four others were detained" and "police held X and two other men".

    Parameters
    ----------
    trig
        The trigger verb.

    Returns
    -------
    tuple or None
        The others' number, the person's token and the others' token; None when the parse tells no such pair.
    """
    verb = trig
    if trig.pos_ == "NOUN" and trig.dep_ == "pobj" and trig.head.head.pos_ == "VERB":
        verb = trig.head.head
    if verb.pos_ != "VERB":
        return None
    person = next((c for c in verb.children if c.dep_ in {"nsubjpass", "dobj"}), None)
    if person is None or person.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "nummod" for c in person.children):
        return None
    named = person.ent_type_ == "PERSON" or (person.pos_ == "PROPN" and person.ent_type_ in {"", "PERSON"})
    if not (named or _PERSON_NOUN.match(person.lower_) or person.lower_ in {"he", "she"}):
        return None
    others = [c for c in person.children if c.dep_ == "conj"]
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ in {"with", "along", "together"}:
            others += [c for c in prep.subtree if c.dep_ == "pobj" and c.head.lower_ == "with"]
    for noun in others:
        if noun.lower_ != "others" and not any(c.lower_ == "other" for c in noun.children):
            continue  # "X and four children": not told as the same group
        number = _number_of(noun)
        if number:
            return number, person, noun
    return None


def is_planned(trig: Any) -> bool:
    """
    Tell whether a trigger's clause tells of a plan, not something that happened.

    "will meet", "is to be held", "plans to march", "scheduled for", "upcoming vote".

    Parameters
    ----------
    trig
        The trigger token.

    Returns
    -------
    bool
        True for future or planned events.
    """
    # "plotted to execute X and then attack Y" with "attack" hung on the finite verb: the bare form
    # goes on the "to" infinitive before it, and shares its plan
    bare = trig.tag_ == "VB" and trig.dep_ == "conj" and trig.head.tag_ != "VB"
    if bare and not any(c.dep_ == "aux" for c in trig.children):
        before = [
            t
            for t in trig.head.subtree
            if t.i < trig.i and t.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in t.children)
        ]
        if before and before[-1].i != trig.i and is_planned(before[-1]):
            return True
    noun = participle_subject(trig)
    if noun is not None:
        return is_planned(noun)  # "as protesting teachers continue to fill ...": the time of "continue"
    # "... to execute X and then attack Y": a conjunct shares the plan of its first verb; one with a
    # subject of its own ("lawmakers will convene as teachers continue") is a clause of its own
    first = trig
    while first.dep_ == "conj" and first.head.i != first.i and not _has_subject(first):
        first = first.head
    chain = clause_chain(trig)
    if _continues(trig, chain[0]):
        return False  # "the protests will continue", "will continue to march": already going on
    # a clause with a tense of its own ("died after being shot", "who was injured") tells a fact even
    # under a plan or a try of the clause above ("they are trying to understand ...: X is dead")
    own = _own_tense(chain[0])
    heads = [chain[0]] if own else chain[:2]
    # "accused of planning a bombing", "a plan to bomb": a plan word between the cue and its clause
    up = trig
    for _ in range(0 if own and chain[0].i == trig.i else 4):
        if up.head.i == up.i:
            break
        up = up.head
        if up.lemma_.lower() in _PLAN_VERBS | {"plot", "plan", "threat", "attempt"} and up.i != trig.i:
            return True
        if up.dep_ == "prep" and up.lower_ == "for" and up.head.lemma_.lower() in _DEMAND_VERBS:
            return True  # "pressed for a pullout", "called for a ceasefire": asked for, not done
        if up.pos_ in {"VERB", "AUX"} and _finite(up):
            break
    irrealis = {"will", "shall", "'ll", "wo", "would", "could", "might", "may", "should"}
    for head in [*heads, first]:
        if any(c.dep_ == "aux" and c.lower_ in irrealis for c in head.children):
            return True
        if head.lemma_.lower() in _PLAN_VERBS and head.i != trig.i:
            return True
        if head.dep_ == "xcomp" and head.head.lemma_.lower() in _PLAN_VERBS:
            return True
        if any(c.dep_ in {"aux", "auxpass"} and c.lower_ == "to" for c in head.children) and head.dep_ in {
            "xcomp",
            "ccomp",
            "advcl",
            "relcl",
            "acl",
        }:
            parent = head.head
            if parent.lemma_.lower() in _PLAN_VERBS or parent.lemma_.lower() in {"be", "set", "due"}:
                return True
    return any(c.dep_ == "amod" and c.lower_ in {"planned", "upcoming", "proposed", "scheduled"} for c in trig.children)


_CONTINUE_VERBS = frozenset({"continue", "persist"})
_CONDITION_MARKS = frozenset({"if", "unless", "until", "till", "once", "whether", "before", "when"})


def _has_subject(verb: Any) -> bool:
    return any(c.dep_ in {"nsubj", "nsubjpass", "expl", "csubj"} for c in verb.children)


def _own_tense(verb: Any) -> bool:
    """Tell whether a clause head carries a present or past tense of its own ("is", "was injured", "fled")."""
    if verb.pos_ not in {"VERB", "AUX"}:
        return False
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.tag_ == "MD" or c.lower_ == "to" for c in auxes):
        return False
    if any(c.dep_ == "mark" and c.lower_ in _CONDITION_MARKS for c in verb.children):
        return False  # "should limit cooperation until the guard was withdrawn": a condition, not a fact
    if verb.tag_ == "VBD" or any(c.tag_ in {"VBD", "VBZ", "VBP"} for c in auxes):
        return True  # "fled", "was injured", "has been detained", "are fleeing"
    # a present of its own only as "be" ("is dead"); "which causes the group to attack" may tell a story
    return verb.tag_ in {"VBZ", "VBP"} and verb.lemma_.lower() == "be"


def _continues(trig: Any, head: Any) -> bool:
    """Tell whether a cue is what "continues" ("the protests will continue", "will continue to march")."""
    if trig.dep_ in {"nsubj", "nsubjpass"} and trig.head.lemma_.lower() in _CONTINUE_VERBS:
        return True
    return trig.dep_ == "xcomp" and trig.head.lemma_.lower() in _CONTINUE_VERBS and head.i == trig.head.i


def participle_subject(trig: Any) -> Any:
    """
    Return the noun a bare participle cue describes ("protesting teachers continue"), else None.

    The parser may hang a participle before a noun on a preposition ("as protesting teachers continue to
    fill ..."); the participle has no words of its own and the noun after it is the subject or object of
    a verb, whose clause tells the event's time.

    Parameters
    ----------
    trig
        The trigger token.

    Returns
    -------
    spacy.tokens.Token or None
        The described noun.
    """
    if trig.tag_ != "VBG" or list(trig.children) or trig.i + 1 >= len(trig.doc):
        return None
    noun = trig.head if trig.dep_ == "amod" else trig.doc[trig.i + 1]
    while noun.dep_ in {"compound", "amod"} and noun.head.i > noun.i:
        noun = noun.head
    if noun.pos_ not in {"NOUN", "PROPN"} or noun.dep_ not in {"nsubj", "nsubjpass", "dobj"}:
        return None
    if noun.tag_ not in {"NNS", "NNPS"}:
        return None  # "protesting teachers", "striking workers": people told by what they do
    return noun


def told_as_earlier(trig: Any) -> tuple[bool, int | None]:
    """
    Tell whether a trigger's clause tells an earlier event the report's news "comes after".

    "It comes a week after 30 people were killed", "the blast came two days after bombs killed six".

    Parameters
    ----------
    trig
        The trigger token.

    Returns
    -------
    tuple
        ``(earlier, days)``: whether it is earlier, and how many days earlier when the text says so.
    """
    news_verbs = {"come", "follow", "happen", "occur"}
    if trig.dep_ == "pobj" and trig.head.lower_ in {"after", "amid"} and trig.head.head.lemma_.lower() in news_verbs:
        return True, None  # "the shooting comes after the killing of ..."
    for head in clause_chain(trig)[:2]:
        marks = [c for c in head.children if c.dep_ in {"mark", "prep"} and c.lower_ in {"after", "following", "amid"}]
        if not marks or head.head.lemma_.lower() not in news_verbs:
            continue
        days: int | None = None
        for c in head.children:
            if c.dep_ == "npadvmod" and c.lemma_.lower() in {"day", "week", "month"}:
                number = next((n for n in c.children if n.dep_ == "nummod"), None)
                amount = 1
                if number is not None:
                    from geomap.attributes import parse_number

                    amount = parse_number(number.text) or 1
                days = amount * {"day": 1, "week": 7, "month": 30}[c.lemma_.lower()]
        return True, days
    return False, None


_COURT_NOUNS = frozenset({"court", "jury", "trial", "tribunal", "judge", "prosecutor", "prosecution", "inquest"})
_JUDICIAL_VERBS = frozenset({"convict", "sentence", "charge", "plead", "jail", "acquit", "indict", "try", "testify"})


_BENCH_NOUNS = frozenset({"court", "magistrate", "judge", "tribunal", "bench"})


def ordered_in_court(trig: Any) -> bool:
    """
    Tell whether a detention follows a court appearance: a court's order (remand, committal), not an arrest.

    "detained under the Act after appearing at the Crown Court", "remanded in custody after she appeared before
    magistrates".

    Parameters
    ----------
    trig
        The arrest trigger (a verb, or the noun of "in custody").

    Returns
    -------
    bool
        True when the trigger's verb has an "appear" clause whose place is a court, magistrates or a judge.
    """
    verb = trig.head.head if trig.pos_ == "NOUN" and trig.dep_ == "pobj" else trig
    for child in verb.children:
        steps = [child, *(g for g in child.children if g.dep_ == "pcomp")]
        for step in steps:
            if step.lemma_.lower() not in {"appear", "appearance"}:
                continue
            if any(t.lemma_.lower() in _BENCH_NOUNS and t.pos_ in {"NOUN", "PROPN"} for t in step.subtree):
                return True
    return False


def _attempt(verb: Any) -> bool:
    """Tell whether "try" is an attempt ("are trying to understand"), not a trial ("was tried for murder")."""
    return verb.lemma_.lower() == "try" and any(c.dep_ == "xcomp" for c in verb.children)


def told_in_court(trig: Any) -> bool:
    """
    Tell whether a trigger tells a crime as heard in court or as the ground of a charge, i.e. earlier.

    "A man was shot dead, a court heard", "convicted over the fight", "charged with murder in the shooting".

    Parameters
    ----------
    trig
        The trigger token.

    Returns
    -------
    bool
        True when a court, jury or charge governs the trigger's clause.
    """
    for head in clause_chain(trig):
        lemma = head.lemma_.lower() if head.i != trig.i else ""
        if lemma in _JUDICIAL_VERBS and not _attempt(head):
            return True
        if lemma in {"hear", "tell", "say", "allege", "claim"} and any(
            c.dep_ in {"nsubj", "nsubjpass"} and c.lemma_.lower() in _COURT_NOUNS for c in head.children
        ):
            return True
        # ", a court heard" hung on the clause as a parenthesis
        for c in head.children:
            if c.lemma_.lower() in _COURT_NOUNS and any(g.lemma_.lower() in {"hear", "tell"} for g in c.children):
                return True
    # "convicted over the fight", "charged with murder in the shooting death": the crime is a noun under the charge
    up = trig
    for _ in range(4):
        if up.head.i == up.i:
            break
        up = up.head
        if up.lemma_.lower() in _JUDICIAL_VERBS and up.pos_ == "VERB" and not _attempt(up):
            return True
    return False


def is_toll(trig: Any) -> bool:
    """
    Tell whether a casualty trigger states a cumulative toll rather than one incident.

    "the death toll rose to 97", "3,000 killed since April", "killed so far this year".

    Parameters
    ----------
    trig
        The trigger token.

    Returns
    -------
    bool
        True for tolls and totals.
    """
    head = clause_head(trig)
    words = [head, trig, *head.children, *trig.children]
    if any(w.lemma_.lower() in _TOLL_NOUNS for w in words if w.pos_ == "NOUN"):
        return True
    if trig.lemma_.lower() in _TOLL_NOUNS:
        return True
    if trig.head.lemma_.lower() in _TOLL_NOUNS:
        return True
    for tok in (head, trig):
        for child in tok.children:
            if child.lower_ == "since" or (child.dep_ == "prep" and child.lower_ in {"since"}):
                return True
            if child.dep_ in {"advmod", "npadvmod", "prep"}:
                phrase = " ".join(t.text for t in child.subtree)
                if _TOLL_ADVERBS.search(phrase) and not re.search(r"\bsince\s+(?:then|the attack)\b", phrase, re.I):
                    return True
    return False
