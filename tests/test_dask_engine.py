"""The Dask engine gives the same events as the default one (a two-worker LocalCluster of threads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from geomap.fusion import fuse_layers
from geomap.ingest import read_documents
from geomap.pipeline import process_documents

pytest.importorskip("distributed")

from geomap.dask_engine import connect, fuse_on_dask, partition_keys, process_on_dask

if TYPE_CHECKING:
    from collections.abc import Iterator

CRISIS = Path(__file__).parent / "data" / "crisis"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with connect(workers=2, processes=False) as dask_client:
        yield dask_client


def _records(layers: Any) -> str:
    return json.dumps(layers.events.drop(columns="geometry").to_dict("records"), default=str, sort_keys=True)


def test_dask_engine_same_events_as_default(gazetteer: Any, client: Any) -> None:
    docs = list(read_documents(CRISIS / "reports.jsonl"))
    local = list(process_documents(docs, gazetteer))
    remote = process_on_dask(docs, gazetteer, client=client, partition_size=2)
    assert [r.document.doc_id for r in remote] == [d.doc_id for d in docs]
    assert [r.events for r in remote] == [r.events for r in local]
    expected = fuse_layers(local)
    got = fuse_on_dask(remote, client)
    assert _records(got) == _records(expected)
    assert list(got.events.geometry.to_wkt()) == list(expected.events.geometry.to_wkt())


def test_dask_engine_partitions_keep_fusable_events_together() -> None:
    rows = [
        {"country_code": "KE", "event_date": "2024-03-03"},
        {"country_code": "KE", "event_date": "2024-03-16"},
        {"country_code": "KE", "event_date": "2024-04-30"},
        {"country_code": "UG", "event_date": "2024-03-04"},
        {"country_code": "KE", "event_date": ""},
    ]
    assert partition_keys(rows) == [("KE", 0), ("KE", 0), ("KE", 1), ("UG", 0), ("KE", 0)]


def test_dask_engine_starts_beside_another_cluster() -> None:
    """A LocalCluster's dashboard takes a free port, so a run starts while another cluster (or dashboard) holds 8787."""
    from geomap.dask_engine import connect

    with connect(None, workers=1, processes=False) as first, connect(None, workers=1, processes=False) as second:
        assert first.scheduler.address != second.scheduler.address
        assert first.dashboard_link != second.dashboard_link
