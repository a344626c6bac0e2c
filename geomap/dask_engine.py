"""
Run geomap on a Dask cluster: per-document stages on the workers, fusion as a shuffle.

``geomap map|add --engine dask [--scheduler ADDRESS]`` sends documents to the
cluster at ``ADDRESS`` (a ``LocalCluster`` of ``--workers`` single-threaded
processes when none is given). :func:`process_on_dask` maps
:func:`geomap.pipeline.process_document` over chunks of documents, one task
each, fetched as they finish, so a worker's memory does not grow with the
corpus (the gazetteer pickles by path, each worker opens it once);
:func:`fuse_on_dask` fuses the results as a shuffle: wire copies are found on
the client from the MinHash signatures (a few integers a document), then every
event is keyed by its country and a run of weeks — a new run starts where no
events of the country come within :data:`geomap.fusion.UPDATE_DAYS` +
:data:`geomap.fusion.WINDOW_DAYS` days of the previous ones, so no two events
that could fuse are ever apart — and each partition is fused on a worker.
Events come out identical to :func:`geomap.fusion.fuse_results` (same ids,
same order), which the tests check.

Needs the ``dask`` extra (``pip install geomap[dask]``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from geomap.errors import GeomapError
from geomap.layers import cell_text

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from geomap.gazetteer import Gazetteer
    from geomap.ingest import Document
    from geomap.layers import Layers
    from geomap.pipeline import DocumentResult

__all__ = ["DaskMissingError", "connect", "fuse_on_dask", "partition_keys", "process_on_dask"]

logger = logging.getLogger(__name__)


class DaskMissingError(GeomapError, ImportError):
    """dask[distributed] is not installed."""


def _require_dask() -> None:
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as err:
        msg = "--engine dask needs dask[distributed]; install it with: pip install 'geomap[dask]'."
        raise DaskMissingError(msg) from err


@contextmanager
def connect(scheduler: str | None = None, *, workers: int = 1, processes: bool = True) -> Iterator[Any]:
    """
    Yield a ``distributed.Client``: to the scheduler at ``scheduler``, or to a new LocalCluster.

    Parameters
    ----------
    scheduler
        Address such as ``tcp://10.0.0.5:8786``; None starts a LocalCluster.
    workers
        Workers of the LocalCluster (one thread each).
    processes
        LocalCluster workers as processes (True) or threads of this process.

    Yields
    ------
    distributed.Client
        Closed (with its LocalCluster) on exit.
    """
    _require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]  # distributed's Client is untyped
            yield client
        return
    # distributed's LocalCluster and Client are untyped. The dashboard takes any free port: with None it
    # takes 8787 and the cluster fails to start beside another one (a second run, a notebook's cluster).
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=":0"
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def _process_partition(docs: list[Document], gazetteer: Gazetteer, fast: bool = False) -> list[DocumentResult]:
    from geomap.pipeline import process_document

    nlp = False if fast else None  # False: no spaCy at any stage (--fast); None: the worker's own parse
    return [process_document(doc, gazetteer, nlp) for doc in docs]


def process_on_dask(
    docs: Sequence[Document],
    gazetteer: Gazetteer,
    *,
    scheduler: str | None = None,
    workers: int = 1,
    client: Any = None,
    partition_size: int = 64,
    fast: bool = False,
) -> list[DocumentResult]:
    """
    Run the per-document stages on a Dask cluster.

    Parameters
    ----------
    docs
        The documents.
    gazetteer
        The gazetteer (sent by path).
    scheduler
        Scheduler address; None starts a LocalCluster of ``workers`` processes.
    workers
        Workers of that LocalCluster.
    client
        An open ``distributed.Client`` to use instead (``scheduler`` and ``workers`` are then ignored).
    partition_size
        Documents per task.
    fast
        Read without spaCy at any stage (``--fast``: gazetteer and cue words only).

    Returns
    -------
    list of DocumentResult
        One per document, in input order.
    """
    _require_dask()
    from distributed import as_completed

    if not docs:
        return []
    if client is None:
        with connect(scheduler, workers=workers) as own:
            return process_on_dask(docs, gazetteer, client=own, partition_size=partition_size, fast=fast)
    docs = list(docs)
    chunks = [docs[i : i + partition_size] for i in range(0, len(docs), partition_size)]
    # One task per chunk, fetched as soon as it is done and then released: a worker holds only results
    # not yet fetched, never the corpus's (a bag's compute gathers every partition on one worker first).
    futures = client.map(_process_partition, chunks, gazetteer=gazetteer, fast=fast, pure=False)
    place = {future.key: i for i, future in enumerate(futures)}
    parts: list[list[DocumentResult]] = [[] for _ in chunks]
    for future, part in as_completed(futures, with_results=True):  # type: ignore[no-untyped-call]  # untyped
        parts[place[future.key]] = part
        future.release()
    return [result for part in parts for result in part]


def partition_keys(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """
    Key events by country and run of weeks, so that events that may fuse share a key.

    Parameters
    ----------
    rows
        Event rows with ``country_code`` and ``event_date``.

    Returns
    -------
    list of tuple
        ``(country, run)`` per row; a run is a stretch of weeks of one country in which consecutive
        event dates are never more than ``UPDATE_DAYS + WINDOW_DAYS`` apart. Undated events are run 0
        of their country, together with its first run.

    Examples
    --------
    >>> partition_keys([{"country_code": "KE", "event_date": "2024-03-03"},
    ...                 {"country_code": "KE", "event_date": "2024-05-20"},
    ...                 {"country_code": "UG", "event_date": "2024-03-04"}])
    [('KE', 0), ('KE', 1), ('UG', 0)]
    """
    from geomap.fusion import UPDATE_DAYS, WINDOW_DAYS

    gap = dt.timedelta(days=UPDATE_DAYS + WINDOW_DAYS)
    by_country: dict[str, list[dt.date]] = {}
    for row in rows:
        date = cell_text(row.get("event_date"))
        if date:
            by_country.setdefault(cell_text(row.get("country_code")), []).append(dt.date.fromisoformat(date[:10]))
    starts: dict[str, list[dt.date]] = {}
    for country, dates in by_country.items():
        ordered = sorted(set(dates))
        starts[country] = [ordered[0]] + [b for a, b in itertools.pairwise(ordered) if b - a > gap]
    keys = []
    for row in rows:
        country = cell_text(row.get("country_code"))
        date = cell_text(row.get("event_date"))
        if not date:
            keys.append((country, 0))
            continue
        day = dt.date.fromisoformat(date[:10])
        keys.append((country, sum(start <= day for start in starts[country]) - 1))
    return keys


def _is_kept(kept: frozenset[int], member: dict[str, Any]) -> bool:
    return int(member["_rank"][1]) in kept


def _fuse_partition(items: list[tuple[Any, ...]]) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    """Fuse one partition: items are (doc rank, document, rows, kept row indices) in document order."""
    from geomap.fusion import Fuser

    fuser = Fuser()
    for rank, doc, rows, kept in items:
        ranked = [{**row, "_rank": (rank, i)} for i, row in enumerate(rows)]
        fuser.add_original(doc, ranked, keep=partial(_is_kept, frozenset(kept)))
    return [(c.members[0]["_rank"], {"members": c.members, "entries": c.entries}) for c in fuser.clusters]


def fuse_on_dask(results: Sequence[DocumentResult], client: Any, *, title: str = "") -> Layers:
    """
    Fuse processed reports as a shuffle by country and run of weeks on a Dask cluster.

    Parameters
    ----------
    results
        Processed reports.
    client
        An open ``distributed.Client``.
    title
        Map title.

    Returns
    -------
    Layers
        The same events as :func:`geomap.fusion.fuse_layers` gives.
    """
    _require_dask()
    import dask.bag as db

    from geomap.fusion import FUSED_COLUMNS, Cluster, CopyIndex, _sorted_results, document_meta, fused_records, minhash
    from geomap.layers import EVENT_COLUMNS, Layers, build_layers, event_record, frame_from_records

    ordered = _sorted_results(results)
    index = CopyIndex()
    originals: list[tuple[int, Any, list[dict[str, Any]]]] = []
    copies: list[tuple[dict[str, str], str]] = []
    for rank, result in enumerate(ordered):
        doc = result.document
        signature = minhash(doc.text)
        original = index.original_of(signature)
        if original is not None:
            copies.append((document_meta(doc), original))
            continue
        index.add(doc.doc_id, signature)
        originals.append((rank, doc, [event_record(e, doc.source, doc.title) for e in result.events]))
    all_rows = [row for _, _, rows in originals for row in rows]
    keys = iter(partition_keys(all_rows))
    shards: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for rank, doc, rows in originals:
        mine: dict[tuple[str, int], list[int]] = {}
        for i in range(len(rows)):
            mine.setdefault(next(keys), []).append(i)
        for key, kept in mine.items():
            shards.setdefault(key, []).append((rank, doc, rows, kept))
    parts = [shards[key] for key in sorted(shards)]
    fused: list[tuple[tuple[int, int], dict[str, Any]]] = []
    if parts:
        bag = db.from_sequence(parts, npartitions=len(parts))  # type: ignore[no-untyped-call]  # untyped
        fused = bag.map(_fuse_partition).flatten().compute(scheduler=client)
    clusters = []
    for number, (_, state) in enumerate(sorted(fused, key=lambda item: item[0]), start=1):
        clusters.append(Cluster(cluster_id=f"E{number:06d}", members=state["members"], entries=state["entries"]))
    by_doc = {c.cluster_id: c for c in clusters}
    for meta, original in copies:
        for cluster in by_doc.values():
            if original in cluster.doc_ids():
                cluster.copies.setdefault(original, []).append(meta)
    read = {doc.doc_id for _, doc, _ in originals}
    base = build_layers([r for r in ordered if r.document.doc_id in read], title=title)
    events = frame_from_records(fused_records(clusters), {**EVENT_COLUMNS, **FUSED_COLUMNS})
    return Layers(events=events, places=base.places, borders=base.borders, title=title or base.title)
