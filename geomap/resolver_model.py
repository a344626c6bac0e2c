"""
The fitted scorer of resolution candidates (``data/resolver.json``).

A linear model over candidate features (:data:`FEATURES`): its logit ranks the
candidates of one name and a softmax over them gives the confidence. Two weight
vectors are stored: ``first`` reads no distances (it picks the confident places
of round one), ``second`` reads everything. ``scripts/fit_resolver.py`` fits
them on the development corpora with scikit-learn; scoring needs numpy only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from geomap.errors import GazetteerError
from geomap.paths import packaged_data_dir

__all__ = ["FEATURES", "MODEL_ENV", "ResolverModel", "load_resolver_model"]

FEATURES: tuple[str, ...] = (
    "prior",
    "log_population",
    "population_rank_inverse",
    "most_populous",
    "highest_prior",
    "is_country",
    "is_admin1",
    "is_admin2",
    "is_capital",
    "is_admin_seat",
    "class_p",
    "class_a_other",
    "class_l",
    "class_htv",
    "class_other",
    "main_name",
    "exact_spelling",
    "country_share",
    "country_named",
    "country_in_sentence",
    "hint_country",
    "hint_other_country",
    "container_country",
    "container_admin1",
    "container_admin1_country",
    "container_missed",
    "country_name_rule",
    "area_name_rule_admin1",
    "area_name_rule_capital_region",
    "admin1_big_city_rival",
    "country_alternate_name",
    "own_name_over_country_alias",
    "case_mismatch",
    "region_asked_area",
    "admin1_of_confident",
    "admin1_named",
    "near_300km",
    "near_50km",
    "has_confident",
    "focus_500km_share",
    "focus_country_share",
    "focus_500km_count",
    "world_city",
    "world_city_off_focus",
    "dateline_country",
    "dateline_near",
    "log_candidates",
    "feature_word_town",
    "holds_contained",
    "direction_small_town",
    "prior_country",
    "prior_admin1",
)
"""Candidate features, in the order of the model's weights (see :func:`geomap.resolve.candidate_features`)."""

FIRST_ROUND_ZERO = frozenset(
    {
        "admin1_of_confident",
        "near_300km",
        "near_50km",
        "has_confident",
        "focus_500km_share",
        "focus_country_share",
        "focus_500km_count",
        "world_city_off_focus",
        "dateline_near",
        "dateline_country",
    }
)
"""Features that need round one's confident places: zero in round one."""

MODEL_ENV = "GEOMAP_RESOLVER"
"""Environment variable naming another model file (leave-one-corpus-out evaluation)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverModel:
    """Weights of the two rounds."""

    first: np.ndarray
    """Round-one weights, one per feature."""
    first_bias: float
    """Round-one intercept."""
    second: np.ndarray
    """Round-two weights."""
    second_bias: float
    """Round-two intercept."""

    def logits(self, features: np.ndarray, *, first_round: bool) -> np.ndarray:
        """
        Score candidates.

        Parameters
        ----------
        features
            ``(n_candidates, len(FEATURES))`` matrix.
        first_round
            Use the round-one weights.

        Returns
        -------
        numpy.ndarray
            One logit per candidate.
        """
        if first_round:
            return np.asarray(features @ self.first + self.first_bias)
        return np.asarray(features @ self.second + self.second_bias)


def default_model_path() -> Path:
    """
    Return the model file in use.

    Returns
    -------
    Path
        ``$GEOMAP_RESOLVER`` when set, else ``resolver.json`` in the shipped data folder.
    """
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else packaged_data_dir() / "resolver.json"


@lru_cache(maxsize=4)
def _read(path: Path) -> ResolverModel:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        msg = f"Cannot read the resolver model {str(path)!r}; refit it with scripts/fit_resolver.py."
        raise GazetteerError(msg) from err
    if tuple(raw["features"]) != FEATURES:
        msg = f"The resolver model {str(path)!r} was fitted on other features; refit it with scripts/fit_resolver.py."
        raise GazetteerError(msg)
    return ResolverModel(
        first=np.asarray(raw["first"]["coef"], dtype=float),
        first_bias=float(raw["first"]["intercept"]),
        second=np.asarray(raw["second"]["coef"], dtype=float),
        second_bias=float(raw["second"]["intercept"]),
    )


def load_resolver_model(path: Path | None = None) -> ResolverModel:
    """
    Load the fitted resolver weights (cached per path).

    Parameters
    ----------
    path
        Model file; default :func:`default_model_path`.

    Returns
    -------
    ResolverModel
        The weights.

    Raises
    ------
    GazetteerError
        When the file is missing, unreadable or fitted on other features.
    """
    return _read(path or default_model_path())
