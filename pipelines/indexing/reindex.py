"""Move a knowledge base between stores (embedded SQLite <-> Elasticsearch), work by work.

Each work (catalogue record + its chunks, embeddings included) is copied in one target
``transaction()``, as the indexing pipeline writes it, keeping its content hash, so a later
``jdih ingest`` on the target skips unchanged works. At the end the chunk and work counts of source
and target are compared.

`jdih reindex --to elasticsearch|embedded` moves a knowledge base in place: both stores are opened
on the same data directory, so the Elasticsearch store's control file IS the embedded store's
SQLite file (works, accounts, versions, audit, relations, jobs stay where they are). Then only
the chunks are copied (the works rows are already the target's), and an Elasticsearch target
publishes the rows to its works index; the source's chunks are left as they were.

Usage::

    from pipelines.indexing.reindex import reindex
    summary = reindex(source_store, target_store)
    print(summary.describe()); assert summary.ok
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from haystack.document_stores.types import DuplicatePolicy

from ingest.models import Regulation
from pipelines.stores.works import WorkRepository


class ReindexError(RuntimeError):
    """The target is not empty (and replace was not asked) or the counts disagree."""


@dataclass
class ReindexSummary:
    works: int = 0
    chunks: int = 0
    source_chunks: int = 0
    target_chunks: int = 0
    source_works: int = 0
    target_works: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.source_chunks == self.target_chunks and self.source_works == self.target_works

    def describe(self) -> str:
        check = "count check OK" if self.ok else "COUNT CHECK FAILED"
        lines = [f"copied {self.works} work(s), {self.chunks} chunks in {self.seconds:.1f} s; {check}: "
                 f"chunks {self.source_chunks} -> {self.target_chunks}, works {self.source_works} -> {self.target_works}"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def _clear(store, repo) -> None:
    with store.transaction():
        store.delete_all_documents()
        repo.clear()


def _reader(store):
    """Where a store's readers find its works: Elasticsearch's works index, the embedded table."""
    return store.work_reader() if hasattr(store, "work_reader") else WorkRepository.of(store)


def shares_control(source, target) -> bool:
    """Whether the two stores keep their works rows in the same SQLite file (an in-place move:
    the embedded store and an Elasticsearch store whose control file is that store's file)."""
    a, b = getattr(source, "path", None), getattr(target, "path", None)
    return a is not None and b is not None and Path(a).resolve() == Path(b).resolve()


def _target_works(target, shared: bool) -> int:
    """The works a target holds of its own: its works index on Elasticsearch, its works table on the
    embedded store unless that table is the source's too."""
    if hasattr(target, "work_reader"):
        return target.work_reader().count()
    return 0 if shared else WorkRepository.of(target).count()


def reindex(source, target, *, replace: bool = False, progress: bool = True) -> ReindexSummary:
    """Copy every work of ``source`` into ``target``.

    :param replace: empty the target first; without it a non-empty target is refused.
    :raises ReindexError: the target holds documents and ``replace`` is False.

    Where both share their control file (:func:`shares_control`), the works rows are not copied
    (nor cleared by ``replace``): only the chunks move, and an Elasticsearch target's works index is
    published from the rows.
    """
    t0 = time.perf_counter()
    shared = shares_control(source, target)
    src_repo = _reader(source)
    dst_repo = WorkRepository.of(target)
    held_chunks, held_works = target.count_documents(), _target_works(target, shared)
    if held_chunks or held_works:
        if not replace:
            raise ReindexError(
                f"the target already holds {held_chunks} chunks and {held_works} works; "
                "use --replace to empty it first")
        if shared:
            with target.transaction():
                target.delete_all_documents()
        else:
            _clear(target, dst_repo)
        dst_repo = WorkRepository.of(target)
    summary = ReindexSummary()
    from pipelines.embedding.models import recorded_model

    model = recorded_model(source)  # the vectors move as they are: the target records their model
    if model:
        target.set_embedding_model(model)
    works = [w["id"] for w in src_repo.all()]
    bar = _progress(len(works), progress)
    for work_id in works:
        bar.set_postfix_str(work_id)
        row = src_repo.get(work_id)
        chunk_filter = {"field": "meta.work_id", "operator": "==", "value": work_id}
        docs = source.filter_documents(chunk_filter)
        regulation = Regulation.from_dict(row["regulation"]) if row.get("regulation") else None
        with target.transaction():
            target.delete_by_filter(chunk_filter)
            target.write_documents(docs, policy=DuplicatePolicy.OVERWRITE)
            if not shared:
                WorkRepository.of(target).upsert(
                    work_id, record=row["record"], regulation=regulation,
                    content_hash=src_repo.content_hash(work_id) or "", chunks=row["chunks"],
                    dimensions=row["dimensions"])
        if row["chunks"] != len(docs):
            summary.problems.append(f"{work_id}: the work record says {row['chunks']} chunks, the store holds {len(docs)}")
        summary.works += 1
        summary.chunks += len(docs)
        bar.update(1)
    bar.close()
    if shared and hasattr(target, "publish_works"):  # the rows are the target's already: its readers need them
        target.publish_works(delete_missing=True)
    summary.source_chunks = source.count_documents()
    summary.target_chunks = target.count_documents()
    summary.source_works = src_repo.count()
    summary.target_works = _reader(target).count()
    if summary.chunks != summary.source_chunks:
        summary.problems.append(
            f"{summary.source_chunks - summary.chunks} chunk(s) of the source belong to no work record and were not copied")
    summary.seconds = time.perf_counter() - t0
    return summary


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="work", desc="reindex", disable=not enabled, file=sys.stderr)
