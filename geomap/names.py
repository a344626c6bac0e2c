"""
Name normalisation shared by the data build, the name index and the geoparser.

A key is the name case-folded, with diacritics stripped and every character
that is not a letter or a digit removed, so that spelling variants of one name
meet: "Jalal-Abad", "Jalalabad", "JALAL ABAD" all give ``"jalalabad"``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["is_latin", "normalize_name"]

# Letters that NFKD does not decompose but that readers treat as plain Latin.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ʻ": "",
        "ʼ": "",
        "ʿ": "",
        "ʾ": "",
    }
)


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """
    Return the matching key of a place name.

    Parameters
    ----------
    name
        Any place name, in any script.

    Returns
    -------
    str
        Case-folded, diacritic-free letters and digits only; empty when the
        name has none.

    Examples
    --------
    >>> normalize_name("Jalal-Abad") == normalize_name("Jalalabad")
    True
    >>> normalize_name("Oš"), normalize_name("Ош"), normalize_name("U.S.")
    ('os', 'ош', 'us')
    """
    key = _fold_once(name)
    # Compatibility decomposition can reveal capitals (e.g. "℠" -> "SM") and case folding
    # can reveal decomposable letters, so fold until stable; ASCII keys already are.
    for _ in range(3):
        if key.isascii():
            break
        again = _fold_once(key)
        if again == key:
            break
        key = again
    return key


def _fold_once(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).casefold().translate(_FOLD)
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if ch.isalnum())


def is_latin(name: str) -> bool:
    """
    Tell whether every letter of a name is Latin script.

    Parameters
    ----------
    name
        The name to test.

    Returns
    -------
    bool
        True when the name has letters and all of them are Latin.

    Examples
    --------
    >>> is_latin("Jalal-Abad"), is_latin("Ош"), is_latin("123")
    (True, False, False)
    """
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)
