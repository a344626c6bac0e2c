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
    "is_definite_mention",
    "is_planned",
    "is_toll",
    "is_trigger",
    "same_scene",
    "span_root",
    "token_at",
    "tokens_in",
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
    {"plan", "schedule", "expect", "intend", "threaten", "vow", "prepare", "propose", "aim", "hope", "seek", "want"}
)
_TOLL_NOUNS = frozenset({"toll", "tally"})
_TOLL_ADVERBS = re.compile(
    r"\b(?:since|so far|to date|this year|in total|altogether|overall|cumulative|in all|all told)\b", re.I
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
    16
    >>> dateline_end("Gunmen attacked a bank in Kabul.")
    0
    """
    m = re.match(
        r"\s*(?:[A-Z][A-Za-z.'’-]*(?:[ ,]+[A-Z][A-Za-z.'’-]*){0,4})"
        r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
        r"\s*(?:\((?:AP|AFP|Reuters|UPI|dpa|CNN|IANS|PTI|Xinhua|[A-Z]{2,6})\)\s*)?"
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
    >>> text = "Riots Spread in the South\\n\\nRiots spread on Friday, police said."
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
    for trig in triggers:
        chain = clause_chain(trig)
        if own[0].i in {t.i for t in chain}:
            return True
        if chain[0].i in {t.i for t in own}:
            return True
    return False


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
    head = clause_head(tok)
    return not any(c.dep_ == "mark" and c.lower_ in {"if", "whether", "unless"} for c in head.children)


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
    for head in clause_chain(trig)[:2]:
        if any(c.dep_ == "aux" and c.lower_ in {"will", "shall", "'ll", "wo"} for c in head.children):
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
