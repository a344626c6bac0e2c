from pathlib import Path

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geomap.errors import GeocoderError, InputError
from geomap.geocoder import CachedGeocoder, OfflineGeocoder, build_online_fallback


def test_geocoder_is_a_geopy_geocoder(geocoder: OfflineGeocoder) -> None:
    assert isinstance(geocoder, Geocoder)


def test_geocoder_geocode_returns_a_geopy_location(geocoder: OfflineGeocoder) -> None:
    loc = geocoder.geocode("Jalalabad", country_codes="kg")
    assert isinstance(loc, Location)
    assert (loc.latitude, loc.longitude) == pytest.approx((40.94, 72.99), abs=0.01)
    assert loc.raw["geonameid"] == 1528249
    assert loc.raw["country_code"] == "KG"
    assert loc.raw["admin1_code"] == "KG.03"
    assert loc.raw["feature"] == "P.PPL"
    assert loc.raw["population"] > 100_000
    assert loc.address == "Jalal-Abad, Jalal-Abad, Kyrgyzstan"


def test_geocoder_list_mode_and_limit(geocoder: OfflineGeocoder) -> None:
    locs = geocoder.geocode("Jalalabad", exactly_one=False, limit=3)
    assert isinstance(locs, list)
    assert len(locs) == 3
    assert geocoder.geocode("zzqxqzzqxq") is None
    assert geocoder.geocode("zzqxqzzqxq", exactly_one=False) == []


def test_geocoder_viewbox_bounded(geocoder: OfflineGeocoder) -> None:
    box = [(39.0, 69.0), (43.0, 75.0)]
    loc = geocoder.geocode("Jalalabad", viewbox=box, bounded=True)
    assert loc.raw["country_code"] == "KG"
    ranked = geocoder.geocode("Jalalabad", viewbox=box, exactly_one=False)
    assert ranked[0].raw["country_code"] == "KG"
    assert any(x.raw["country_code"] == "AF" for x in ranked)


def test_geocoder_featuretype(geocoder: OfflineGeocoder) -> None:
    assert geocoder.geocode("Osh", featuretype="state").raw["feature"] == "A.ADM1"
    assert geocoder.geocode("Georgia", featuretype="country").raw["country_code"] == "GE"


def test_geocoder_reverse(geocoder: OfflineGeocoder) -> None:
    loc = geocoder.reverse("40.53, 72.80")
    assert loc.raw["geonameid"] == 1527534
    several = geocoder.reverse((40.53, 72.80), exactly_one=False, limit=4)
    assert len(several) == 4


def test_geocoder_reverse_rejects_non_points(geocoder: OfflineGeocoder) -> None:
    with pytest.raises(InputError, match="point"):
        geocoder.reverse("not a point")


def test_geocoder_rejects_non_text(geocoder: OfflineGeocoder) -> None:
    with pytest.raises(InputError, match="string"):
        geocoder.geocode(42)  # type: ignore[arg-type]


def test_geocoder_fallback_is_off_by_default(geocoder: OfflineGeocoder) -> None:
    assert geocoder.online_fallback is None


def test_geocoder_cache_answers_repeated_queries_without_calling_again(
    geocoder: OfflineGeocoder, tmp_path: Path
) -> None:
    # The "online" geocoder here is the offline one: no network in tests.
    cached = CachedGeocoder(geocoder, tmp_path / "cache.sqlite")
    first = cached("Osh")
    again = CachedGeocoder(geocoder, tmp_path / "cache.sqlite")("Osh")
    assert cached.calls == 1
    assert isinstance(first, Location)
    assert isinstance(again, Location)
    assert (again.latitude, again.longitude, again.raw["geonameid"]) == (first.latitude, first.longitude, 1527534)


def test_geocoder_fallback_is_used_only_when_offline_finds_nothing(geocoder: OfflineGeocoder) -> None:
    asked: list[str] = []

    def fake_online(query: str, *, exactly_one: bool = True) -> None:
        asked.append(query)

    both = OfflineGeocoder(geocoder.gazetteer, online_fallback=fake_online)
    assert both.geocode("Osh") is not None
    assert both.geocode("zzqxqzzqxq") is None
    assert asked == ["zzqxqzzqxq"]


def test_geocoder_cache_refuses_fast_rates(geocoder: OfflineGeocoder, tmp_path: Path) -> None:
    with pytest.raises(GeocoderError, match="one request per second"):
        CachedGeocoder(geocoder, tmp_path / "c.sqlite", min_delay_seconds=0.2)


@pytest.mark.parametrize("agent", ["", "geopy/2.5.0"])
def test_geocoder_online_fallback_needs_a_real_user_agent(agent: str, tmp_path: Path) -> None:
    with pytest.raises(GeocoderError, match="user agent"):
        build_online_fallback(agent, cache_path=tmp_path / "n.sqlite")
