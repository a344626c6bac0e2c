"""
Typed records handed between geomap's stages.

Every record is a frozen, slotted, keyword-only dataclass so that stages stay
pure functions of their inputs and results can cross process boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Candidate", "Place"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """One gazetteer entry: a populated place, region, country or area."""

    place_id: str
    """Stable key: ``gn:<geonameid>``, ``ne1:<adm1_code>``, ``fips:<code>`` or ``geomap:<slug>``."""
    geonameid: int | None
    """GeoNames id, or None for entries that have none (curated areas, US counties)."""
    name: str
    """The name a reader knows the place by (not always GeoNames' own)."""
    lat: float
    """Latitude of the reference point, WGS84 degrees."""
    lon: float
    """Longitude of the reference point, WGS84 degrees."""
    feature: str
    """GeoNames feature class and code, e.g. ``P.PPL``, ``A.ADM1``, ``A.PCLI``, ``L.CONT``."""
    country_code: str
    """ISO 3166-1 alpha-2 code, or empty for areas spanning countries."""
    admin1_code: str
    """GeoNames admin-1 code with its country, e.g. ``KG.08``; empty when unknown."""
    population: int
    """Population as GeoNames reports it; 0 when unknown."""
    source: str
    """Where the entry comes from: ``geonames``, ``naturalearth``, ``us-atlas``, ``curated``."""

    @property
    def feature_class(self) -> str:
        """Return the one-letter GeoNames feature class (``P``, ``A``, ``L`` …)."""
        return self.feature.split(".", 1)[0]

    @property
    def is_country(self) -> bool:
        """Return True for an independent or dependent political entity."""
        return self.feature.startswith("A.PCL")


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A gazetteer entry that a name matched, with the prior used to rank it."""

    place: Place
    """The matched entry."""
    matched_name: str
    """The gazetteer spelling the query matched (the name or one alternate)."""
    prior: float
    """Context-free plausibility in [0, 1] from population and feature kind."""
    spellings: tuple[str, ...] = ()
    """Every gazetteer spelling of this place with the same key ("EU", "E.U."), for case checks."""

    def is_code_only(self, surface: str) -> bool:
        """
        Tell whether only a short all-capitals code spells this place so, and the text does not write it.

        GeoNames lists airport codes among a city's names ("BER" for Berlin): "Ber",
        a town in Mali, must not become Berlin.

        Parameters
        ----------
        surface
            The name as the text writes it.

        Returns
        -------
        bool
            True when every matching spelling is an all-capitals code of at most four
            letters and ``surface`` is none of them.

        Examples
        --------
        >>> berlin = Place(place_id="gn:1", geonameid=1, name="Berlin", lat=52.5, lon=13.4, feature="P.PPLC",
        ...                country_code="DE", admin1_code="DE.16", population=3_426_354, source="geonames")
        >>> cand = Candidate(place=berlin, matched_name="BER", prior=0.9, spellings=("BER",))
        >>> cand.is_code_only("Ber"), cand.is_code_only("BER")
        (True, False)
        """
        return (
            bool(self.spellings)
            and all(len(s) <= 4 and s.isalpha() and s.isupper() for s in self.spellings)
            and surface not in self.spellings
        )
