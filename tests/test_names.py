import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.names import is_latin, normalize_name


@pytest.mark.parametrize(
    ("variant", "key"),
    [
        ("Jalalabad", "jalalabad"),
        ("Jalal-Abad", "jalalabad"),
        ("JALAL ABAD", "jalalabad"),
        ("Djalal-Abad", "djalalabad"),
        ("O'sh", "osh"),
        ("Oʻsh", "osh"),
        ("Ош", "ош"),
        ("Düsseldorf", "dusseldorf"),
        ("Łódź", "lodz"),
        ("U.S.", "us"),
        ("", ""),
        ("\x00\x07\t", ""),
    ],
)
def test_names_normalize_variants(variant: str, key: str) -> None:
    assert normalize_name(variant) == key


def test_names_is_latin() -> None:
    assert is_latin("Bazar-Korgon")
    assert not is_latin("Базар-Коргон")
    assert not is_latin("--")


@given(st.text())
def test_names_normalize_is_idempotent_and_alnum(text: str) -> None:
    key = normalize_name(text)
    assert normalize_name(key) == key
    assert all(ch.isalnum() for ch in key)
