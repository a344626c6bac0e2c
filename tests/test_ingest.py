import datetime as dt
import json
from pathlib import Path

import pytest

from geomap.errors import InputError
from geomap.ingest import MAX_DOCUMENT_BYTES, read_documents

SEED = Path(__file__).resolve().parent.parent / "seeds" / "osh-2010-06-12.txt"


def test_ingest_seed_with_sidecar_metadata() -> None:
    (doc,) = read_documents(SEED)
    assert doc.doc_id == "osh-2010-06-12"
    assert doc.published == dt.date(2010, 6, 12)
    assert doc.title.startswith("Kyrgyzstan Seeks Russian Help")


def test_ingest_jsonl_keeps_extra_keys_and_applies_default_date(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "text": "Osh.", "toponyms": [{"start": 0, "end": 3}]},
        {"id": 2, "text": "Bishkek.", "published": "2010-06-11"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    docs = list(read_documents(path, published=dt.date(2020, 1, 1)))
    assert [d.doc_id for d in docs] == ["a", "2"]
    assert docs[0].extra["toponyms"] == [{"start": 0, "end": 3}]
    assert docs[0].published == dt.date(2020, 1, 1)
    assert docs[1].published == dt.date(2010, 6, 11)


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Oš in Kyrgyzstan".encode("latin-1", "replace") + b"\xe9\xff", "not valid UTF-8"),
        ("bad.jsonl", b'{"id": "a", "text": "x"}\n{"id": "b", "text": \n', r"bad\.jsonl:2: malformed JSON"),
        ("notext.jsonl", b'{"id": "a"}\n', "'text' must be a string"),
        ("dup.jsonl", b'{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "duplicate document id"),
        ("nul.jsonl", b'{"id": "a", "text": "x"}\x00\n', "NUL"),
        ("none.jsonl", b"\n\n", "no documents"),
        ("date.jsonl", b'{"id": "a", "text": "x", "published": "June 2010"}\n', "not YYYY-MM-DD"),
        ("list.jsonl", b"[1, 2]\n", "expected a JSON object"),
    ],
)
def test_ingest_bad_input_is_a_clear_error(tmp_path: Path, name: str, payload: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(InputError, match=message):
        list(read_documents(path))


def test_ingest_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Osh " * (MAX_DOCUMENT_BYTES // 4 + 10))
    with pytest.raises(InputError, match="over the"):
        list(read_documents(path))


def test_ingest_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No such input file"):
        list(read_documents(tmp_path / "nope.txt"))


def test_ingest_mixed_scripts_read_fine(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text("Беспорядки в Ош — riots in Osh, 奥什, أوش.", encoding="utf-8")
    (doc,) = read_documents(path)
    assert "Ош" in doc.text
