"""
Fuzzing in process: every input gives a result or a GeomapError, never anything else.

The profile here is short (CI); ``bench/fuzz.py`` runs the same properties over 20,000 inputs.
Set ``GEOMAP_FUZZ_EXAMPLES`` to change the number of examples per property.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import string
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.errors import GeomapError
from geomap.ingest import Document, document_from_mapping, read_documents
from geomap.pipeline import acled_documents, acled_layers, process_document, read_acled_csv

if TYPE_CHECKING:
    from pathlib import Path

    from geomap.gazetteer import Gazetteer

EXAMPLES = int(os.environ.get("GEOMAP_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# Words that make the pipeline work: places, counts, dates, event verbs (written for these tests).
WORDS = [
    "Osh", "Jalal-Abad", "Kyrgyzstan", "Uzbekistan", "Bishkek", "Nairobi", "Kenya", "Paris", "Georgia",
    "killed", "wounded", "injured", "fled", "displaced", "curfew", "state of emergency", "riots", "clashes",
    "at least", "more than", "dozens", "hundreds", "thousands", "77", "1,000", "3.5 million", "-4", "1e308",
    "on Friday", "last week", "June 12", "2010", "since April", "in", "near", "the", "border", "with", "of",
    "said", "troops", "refugees", "toll rose to", "\u202e", "\u0000", "\ud7ff", "<script>", "&amp;", "{{ x }}",
    "Ош", "Жалал-Абад", "北京", "القاهرة", "\n", "\r\n", "\t", ".", ",", "—", "“", "”", "(", ")",
]  # fmt: skip
PIECES = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(-(10**20), 10**20).map(str))
TEXTS = st.lists(PIECES, max_size=60).map(" ".join)
DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))


def _check_result(doc: Document, result: Any) -> None:
    for event in result.events:
        assert doc.text[event.evidence_start : event.evidence_end] == event.evidence
        for count in (event.killed, event.injured, event.displaced):
            if count is not None and count.best is not None:
                assert math.isfinite(count.best)
                assert count.best >= 0


@FUZZ
@given(text=TEXTS, published=DATES)
def test_fuzz_documents_give_events_or_a_clear_error(
    gazetteer: Gazetteer, text: str, published: dt.date | None
) -> None:
    try:
        doc = document_from_mapping({"id": "f", "text": text}, "fuzz")
        doc = Document(doc_id=doc.doc_id, text=doc.text, published=published)
        result = process_document(doc, gazetteer)
    except GeomapError:
        return
    _check_result(doc, result)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
DOC_OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=10), st.integers(), JSON_VALUES),
        "text": st.one_of(TEXTS, JSON_VALUES),
        "published": st.one_of(st.dates().map(str), st.text(max_size=12), JSON_VALUES),
        "title": JSON_VALUES,
        "country": st.one_of(st.sampled_from(["KG", "kg", "Kyrgyzstan", "XX", "", "Narnia"]), JSON_VALUES),
    },
)
LINES = st.one_of(
    DOC_OBJECTS.map(lambda obj: json.dumps(obj).encode()),
    st.binary(max_size=80),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.just(b"[" * 5000 + b"]" * 5000),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(lines=st.lists(LINES, min_size=1, max_size=6))
def test_fuzz_jsonl_lines_are_read_or_reported(gazetteer: Gazetteer, tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
    problems: list[GeomapError] = []
    try:
        docs = list(read_documents(path, on_error=problems.append))
    except GeomapError:
        return  # e.g. no document at all
    for doc in docs:
        try:
            result = process_document(doc, gazetteer)
        except GeomapError:
            continue
        _check_result(doc, result)
    assert all(str(p) for p in problems)


@FUZZ
@given(text=TEXTS, sidecar=st.one_of(DOC_OBJECTS.map(json.dumps), st.text(max_size=30), st.binary(max_size=30)))
def test_fuzz_sidecars(tmp_path: Path, text: str, sidecar: str | bytes) -> None:
    report = tmp_path / "r.txt"
    report.write_bytes(text.encode("utf-8", "surrogatepass"))
    meta = tmp_path / "r.json"
    if isinstance(sidecar, bytes):
        meta.write_bytes(sidecar)
    else:
        meta.write_text(sidecar, encoding="utf-8", errors="surrogatepass")
    try:
        docs = list(read_documents(report))
    except GeomapError:
        return
    assert len(docs) == 1


ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "country", "admin1", "location",
    "latitude", "longitude", "geo_precision", "time_precision", "fatalities", "notes",
]  # fmt: skip
CELLS = st.one_of(
    st.text(alphabet=string.printable, max_size=15),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "-91", "181", "40.5", "72.8", "3", "0", "2010-06-12"]),
    TEXTS,
)


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries(dict.fromkeys(ACLED_COLUMNS, CELLS)), min_size=1, max_size=4))
def test_fuzz_acled_rows(gazetteer: Gazetteer, tmp_path: Path, rows: list[dict[str, str]]) -> None:
    import csv

    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    try:
        read = read_acled_csv(path)
        layers = acled_layers(read)
        for doc in acled_documents(read, str(path)):
            process_document(doc, gazetteer)
    except GeomapError:
        return
    for lat, lon in zip(layers.events["lat"], layers.events["lon"], strict=True):
        if lat is not None and not (isinstance(lat, float) and math.isnan(lat)):
            assert -90 <= lat <= 90
            assert -180 <= lon <= 180


@pytest.mark.parametrize("depth", [10, 100_000])
def test_deeply_nested_json_line_is_a_clear_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * depth + "]" * depth + "\n", encoding="utf-8")
    with pytest.raises(GeomapError):
        list(read_documents(path))
