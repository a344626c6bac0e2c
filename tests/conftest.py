"""Shared fixtures: the real gazetteer and geocoder (offline, built once per session)."""

from __future__ import annotations

import pytest

from geomap.gazetteer import Gazetteer, load_gazetteer
from geomap.geocoder import OfflineGeocoder


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="session")
def geocoder(gazetteer: Gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(gazetteer)
