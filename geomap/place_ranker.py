"""
Choose where a document's main event happened among the places of its evidence sentence, by a fitted ranker.

The sentence rules of :mod:`geomap.events` pick one place per sentence; coder summaries and wire leads
name a chain of places around it ("in X village (Y district, Z province)", "near X, Y", "X city in the
countryside of Y") and the rule's pick is often the container, a neighbourhood, or a name the recogniser
doubted. This module scores every resolved place of the main event's sentence with a linear model over
general features (syntax around the name: preposition, parentheses, comma chains, place-type nouns;
the gazetteer's feature class and size; containment between the sentence's places and their distance; agreement with the
country hint; whether the rules chose it) and keeps the best one.

The weights come from ``scripts/fit_place_ranker.py`` (ACLED rows of ``train.csv``; no text is stored,
only feature weights) and live in ``data/place_ranker.json``; without that file events keep the rules'
place.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from geomap.geo import haversine_km
from geomap.paths import packaged_data_dir
from geomap.toponyms import FIRST_LEVEL_UNITS, LOWER_LEVEL_UNITS, unit_pattern

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geomap.model import Place
    from geomap.resolve import Resolution

__all__ = ["FEATURES", "RankerModel", "candidate_matrix", "choose", "expand", "load_place_ranker"]

FEATURES = (
    "bias_current",
    "town",
    "admin1",
    "admin_lower",
    "country",
    "other_class",
    "log_population",
    "first",
    "position",
    "locative_before",
    "near_before",
    "in_parentheses",
    "opens_parentheses",
    "parentheses_after",
    "comma_place_after",
    "after_comma_place",
    "small_unit_after",
    "mid_unit_after",
    "large_unit_after",
    "contains_other",
    "inside_other",
    "hint_country",
    "score",
    "repeated",
    "coded_as",
    "region_role",
    "glued_word",
    "facility_after",
    "km_to_nearest_other",
    "from_before",
)
"""Feature names, in the order of the model's weights."""

_LOCATIVE = re.compile(r"\b(?:in|at|on|into|inside|throughout|across|of|from|to|towards?)\s+(?:the\s+)?$", re.I)
_NEAR = re.compile(r"\b(?:near|outside|around|between|outskirts\s+of|vicinity\s+of)\s+(?:the\s+)?$", re.I)
_SMALL_UNIT = re.compile(r"^[\s-]+(?:village|town|city|hamlet|settlement|neighbou?rhood|quarter|locality)\b", re.I)
_MID_UNIT = re.compile(r"^[\s-]+(?:" + unit_pattern(LOWER_LEVEL_UNITS) + r"|rural\s+municipality)\b", re.I)
_LARGE_UNIT = re.compile(r"^[\s-]+(?:" + unit_pattern(FIRST_LEVEL_UNITS) + r"|countryside)\b", re.I)
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
_CODED_AS = re.compile(r"\bcoded\s+(?:as|to|at)\s+$", re.I)
_FACILITY_AFTER = re.compile(
    r"^\s+(?:road|street|avenue|highway|university|school|college|hospital|market|square|bridge|stadium|"
    r"airport|prison|camp|mosque|church|office|court)\b",
    re.I,
)
_GLUED = re.compile(r"^[ -][A-Z][a-z]")


class RankerModel:
    """
    Linear weights over the standardised :data:`FEATURES` and their pairwise products.

    A candidate's row ``x`` is standardised (``z = (x - mean) / scale``), extended with every product
    ``z[i] * z[j]`` (``i < j``), standardised again (``mean2``, ``scale2``) and scored by ``weights``.
    """

    def __init__(
        self,
        weights: Sequence[float],
        mean: Sequence[float],
        scale: Sequence[float],
        mean2: Sequence[float],
        scale2: Sequence[float],
    ) -> None:
        self.weights = np.asarray(weights, dtype=float)
        self.mean = np.asarray(mean, dtype=float)
        self.scale = np.where(np.asarray(scale, dtype=float) == 0, 1.0, np.asarray(scale, dtype=float))
        self.mean2 = np.asarray(mean2, dtype=float)
        self.scale2 = np.where(np.asarray(scale2, dtype=float) == 0, 1.0, np.asarray(scale2, dtype=float))

    def scores(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        """
        Return the linear score of each candidate's feature row.

        Parameters
        ----------
        rows
            Values in the order of :data:`FEATURES`, one row per candidate.

        Returns
        -------
        numpy.ndarray
            Higher is more likely the event's place.
        """
        z = (np.asarray(rows, dtype=float) - self.mean) / self.scale
        q = (expand(z) - self.mean2) / self.scale2
        return np.asarray(q @ self.weights)


def expand(z: np.ndarray) -> np.ndarray:
    """
    Append the pairwise products ``z[:, i] * z[:, j]`` (``i < j``) to a feature matrix.

    Examples
    --------
    >>> expand(np.array([[1.0, 2.0, 3.0]])).tolist()
    [[1.0, 2.0, 3.0, 2.0, 3.0, 6.0]]
    """
    i, j = np.triu_indices(z.shape[1], k=1)
    return np.hstack([z, z[:, i] * z[:, j]])


@lru_cache(maxsize=1)
def load_place_ranker() -> RankerModel | None:
    """
    Load ``data/place_ranker.json``, or None when it is missing or was fitted on other features.

    Returns
    -------
    RankerModel or None
        The fitted weights.
    """
    path = packaged_data_dir() / "place_ranker.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if raw.get("features") != list(FEATURES):
        return None
    return RankerModel(raw["weights"], raw["mean"], raw["scale"], raw["mean2"], raw["scale2"])


def _is_inside(inner: Place, outer: Place) -> bool:
    if inner.country_code != outer.country_code or inner is outer or inner.place_id == outer.place_id:
        return False
    if outer.is_country:
        return not inner.is_country
    if outer.feature == "A.ADM1":
        return inner.feature != "A.ADM1" and bool(inner.admin1_code) and inner.admin1_code == outer.admin1_code
    return False


def _log_km_to_nearest(res: Resolution, candidates: Sequence[Resolution]) -> float:
    """Return log(1 + km) from a candidate to the nearest other one, over 10: chained names lie together."""
    point = res.point
    others = [c.point for c in candidates if c is not res and c.point is not None]
    if point is None or not others:
        return 0.0
    return math.log1p(min(haversine_km(point[0], point[1], lat, lon) for lat, lon in others)) / 10.0


def _within_parentheses(sentence: str, offset: int) -> bool:
    before = sentence[:offset]
    return before.count("(") > before.count(")") or before.count("[") > before.count("]")


def candidate_matrix(
    text: str,
    sentence: tuple[int, int],
    candidates: Sequence[Resolution],
    current: int | None,
    hint: str,
    counts: dict[str, int],
) -> list[list[float]]:
    """
    Describe each candidate place of a sentence by the values of :data:`FEATURES`.

    Parameters
    ----------
    text
        The document text.
    sentence
        ``(start, end)`` of the event's sentence.
    candidates
        Resolved places, in text order.
    current
        Index of the rules' pick among ``candidates`` (None when the rules chose none of them).
    hint
        The document's country hint (ISO alpha-2) or "".
    counts
        How many mentions of the document resolve to each place id.

    Returns
    -------
    list of list of float
        One row per candidate.
    """
    start, end = sentence
    chunk = text[start:end]
    rows = []
    n = len(candidates)
    for i, res in enumerate(candidates):
        place = res.place
        assert place is not None  # callers pass resolved places only
        m_start, m_end = res.mention.start_char - start, res.mention.end_char - start
        before = chunk[max(0, m_start - 30) : m_start]
        after = chunk[m_end : m_end + 40]
        following = candidates[i + 1] if i + 1 < n else None
        previous = candidates[i - 1] if i else None
        comma_after = following is not None and bool(
            re.fullmatch(r"[\s\w-]{0,25}?,\s*(?:the\s+)?", text[res.mention.end_char : following.mention.start_char])
        )
        comma_before = previous is not None and bool(
            re.fullmatch(r"[\s\w-]{0,25}?,\s*(?:the\s+)?", text[previous.mention.end_char : res.mention.start_char])
        )
        others = [c.place for j, c in enumerate(candidates) if j != i and c.place is not None]
        rows.append(
            [
                1.0 if i == current else 0.0,
                float(place.feature_class in {"P", "S"}),
                float(place.feature == "A.ADM1"),
                float(place.feature in {"A.ADM2", "A.ADM3", "A.ADM4"}),
                float(place.is_country),
                float(place.feature_class not in {"P", "S", "A"}),
                math.log1p(max(place.population, 0)) / 16.0,
                float(i == 0),
                i / max(n - 1, 1),
                float(bool(_LOCATIVE.search(before))),
                float(bool(_NEAR.search(before))),
                float(_within_parentheses(chunk, m_start)),
                float(chunk[:m_start].rstrip().endswith(("(", "["))),
                float(bool(re.match(r"^(?:\s+\w+){0,2}\s*[(\[]", after))),
                float(comma_after),
                float(comma_before),
                float(bool(_SMALL_UNIT.match(after))),
                float(bool(_MID_UNIT.match(after))),
                float(bool(_LARGE_UNIT.match(after))),
                float(any(_is_inside(o, place) for o in others)),
                float(any(_is_inside(place, o) for o in others)),
                float(bool(hint) and place.country_code == hint),
                res.score,
                float(counts.get(place.place_id, 0) > 1),
                float(bool(_CODED_AS.search(before))),
                float(res.role == "region"),
                float(bool(_GLUED.match(after))),
                float(bool(_FACILITY_AFTER.match(after))),
                _log_km_to_nearest(res, candidates),
                float(bool(_FROM.search(before))),
            ]
        )
    return rows


def choose(model: RankerModel, rows: Sequence[Sequence[float]]) -> int:
    """
    Return the index of the best-scored candidate (the first on ties).

    Parameters
    ----------
    model
        The fitted weights.
    rows
        Feature rows of :func:`candidate_matrix`.

    Returns
    -------
    int
        Index into ``rows``.
    """
    return int(np.argmax(model.scores(rows)))


COLLECT: list[dict[str, Any]] | None = None
"""When a list, :func:`geomap.events.extract_events` appends each main event's candidates here (for fitting)
instead of re-ranking them."""
