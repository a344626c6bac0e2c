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


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Clashes spread in the south | The Example Courier</title>
<meta property="og:title" content="Clashes spread in the south">
<meta property="article:published_time" content="2010-06-13T08:00:00Z">
<link rel="canonical" href="https://news.example.org/world/clashes-south">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Clashes spread in the south</h1>
<p>At least twelve people were killed in Osh on Saturday as clashes spread between rival groups,
the health ministry said in a statement issued late in the evening.</p>
<p>Thousands of residents fled toward the border with Uzbekistan, where officials opened crossings
and set up tents for the families arriving through the night.</p>
<p>A curfew was imposed in Jalal-Abad, and the interim government asked for outside help to restore
order in the region after two days of violence.</p>
</article>
<footer>Subscribe to our newsletter. Cookie settings. Contact us.</footer>
</body></html>
"""


def test_ingest_web_page_gives_body_title_date_and_url(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = read_documents(path)
    assert doc.text.startswith("At least twelve people were killed in Osh")
    assert "Jalal-Abad" in doc.text
    assert "newsletter" not in doc.text
    assert "Sport" not in doc.text
    assert doc.title == "Clashes spread in the south"
    assert doc.published == dt.date(2010, 6, 13)
    assert doc.source == "https://news.example.org/world/clashes-south"


def test_ingest_web_page_is_recognised_without_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = read_documents(path)
    assert "<p>" not in doc.text
    assert doc.text.startswith("At least twelve")


def test_ingest_page_without_an_article_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<!doctype html><html><body><nav>Home</nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no article text"):
        list(read_documents(path))


def test_ingest_pdf_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(InputError, match="is a PDF; extract its text first"):
        list(read_documents(path))


def test_ingest_first_line_is_the_title_when_it_reads_as_a_headline(tmp_path: Path) -> None:
    path = tmp_path / "wire.txt"
    path.write_text("Curfew extended in Osh\n\nThe curfew in Osh was extended on Sunday.\n", encoding="utf-8")
    (doc,) = read_documents(path, published=dt.date(2010, 6, 13))
    assert doc.title == "Curfew extended in Osh"
    prose = tmp_path / "prose.txt"
    prose.write_text("The curfew in Osh was extended.\nOfficials said so.\n", encoding="utf-8")
    (doc,) = read_documents(prose, published=dt.date(2010, 6, 13))
    assert doc.title == ""


FRENCH = (
    "Des émeutes ont éclaté à Och vendredi soir, faisant au moins douze morts selon le ministère de la "
    "Santé, et des milliers de personnes ont fui vers la frontière avec l'Ouzbékistan pendant la nuit."
)


def test_ingest_warns_on_a_report_that_is_not_english(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "fr.txt"
    path.write_text(FRENCH, encoding="utf-8")
    with caplog.at_level("WARNING", logger="geomap"):
        (doc,) = read_documents(path, published=dt.date(2010, 6, 12))
    assert doc.text == FRENCH
    assert any("reads as French (fr), not English" in r.getMessage() for r in caplog.records)


def test_ingest_english_report_is_not_flagged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="geomap"):
        list(read_documents(SEED))
    assert not any("not English" in r.getMessage() for r in caplog.records)


def test_ingest_warns_when_relative_dates_cannot_be_anchored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "undated.txt"
    path.write_text("Two people were killed in Osh on Friday, officials said.", encoding="utf-8")
    with caplog.at_level("WARNING", logger="geomap"):
        list(read_documents(path))
    assert any("'Friday'" in r.getMessage() and "cannot be anchored" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level("WARNING", logger="geomap"):
        list(read_documents(path, published=dt.date(2010, 6, 12)))
    assert not any("anchored" in r.getMessage() for r in caplog.records)


def test_ingest_refuses_a_fifo(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        list(read_documents(fifo))
