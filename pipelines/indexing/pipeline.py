"""The indexing pipeline: convert -> parse -> chunk by article -> tag dimensions -> embed -> write.

One Haystack pipeline runs per work (a regulation with all its source files). Writing is atomic
per work: the old chunks, the new chunks and the work record change in ONE SQLite transaction,
so a reader sees the whole regulation or nothing, and a crash (kill -9 included) leaves the
previous state. A work whose sources are unchanged is skipped by content hash.

Usage::

    summary = ingest_paths([Path("regulations/")])
    print(summary.describe())
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from haystack import Document, Pipeline, component

from ingest.config import get_settings
from ingest.errors import IngestError
from ingest.loader import sha256_file
from ingest.models import ParseWarning, Regulation
from ingest.parser import parse_file
from pipelines.embedding.embedder import document_embedder
from pipelines.embedding.models import EmbeddingModel, ensure_compatible, resolve_model
from pipelines.indexing.chunking import EMBEDDED_META_FIELDS, ArticleChunker
from pipelines.indexing.dimensions import DimensionTagger, aggregate_work, apply_curated
from pipelines.stores.factory import open_store
from pipelines.stores.works import WorkRepository
from regulations.catalogue import load_catalogue
from regulations.provenance import keep_staff_fields

log = logging.getLogger(__name__)

# Bump when parsing/chunking/tagging/embedding changes in a way that must re-index unchanged files.
PIPELINE_VERSION = "3"  # 3: Lampiran chunks
UPLOAD_HASH_PREFIX = "upload:"  # works.content_hash of a work whose current version a staff upload made


def _as_dict(record: Any) -> dict[str, Any]:
    if record is None:
        return {}
    if isinstance(record, dict):
        return dict(record)
    if dataclasses.is_dataclass(record):
        return dataclasses.asdict(record)
    if hasattr(record, "to_dict"):
        return record.to_dict()
    raise TypeError(f"unsupported catalogue record type: {type(record).__name__}")


def _quality(reg: Regulation) -> tuple:
    """Which text of a work reads better: more articles and amendment items, fewer warnings."""
    return (len(reg.articles) + sum(len(m.articles) or 1 for m in reg.amendments), -len(reg.warnings))


@dataclass
class WorkSources:
    """One work to index: its catalogue record (may be empty) and its text sources."""

    work_id: str | None
    record: dict[str, Any]
    files: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What Haystack's pipeline snapshots record of this input."""
        return {"work_id": self.work_id, "files": [str(f) for f in self.files]}

    def content_hash(self) -> str:
        h = hashlib.sha256(PIPELINE_VERSION.encode())
        if not self.files:  # a metadata-only work: its chunk is the catalogue chunk
            from pipelines.indexing.chunking import CATALOGUE_CHUNK_VERSION

            h.update(b"catalogue-chunk:" + CATALOGUE_CHUNK_VERSION.encode())
        for f in sorted(self.files, key=lambda p: p.name):
            h.update(f.name.encode() + b"\0" + sha256_file(f).encode())
        rec = {k: v for k, v in self.record.items() if k != "sources"}
        h.update(repr(sorted(rec.items(), key=lambda kv: kv[0])).encode())
        return h.hexdigest()


@component
class RegulationParser:
    """Convert + parse: reads every text source of a work and keeps the one that reads best.

    Usage::

        RegulationParser().run(work=WorkSources("uu-27-2022", record, [pdf, md]))
    """

    @component.output_types(regulations=list[Regulation | None], records=list[dict[str, Any] | None])
    def run(self, work: WorkSources):
        parsed: list[Regulation] = [parse_file(f) for f in work.files]
        record = dict(work.record)
        if not parsed:
            return {"regulations": [None], "records": [record]}
        best = max(parsed, key=_quality)
        # every source is remembered, the better text wins
        best.sources = [s for reg in sorted(parsed, key=lambda r: r is not best) for s in reg.sources]
        if work.work_id and best.id and best.id != work.work_id:
            best.warnings.append(_warning(
                "id_mismatch", f"the document's heading reads {best.id}, the catalogue says {work.work_id}"))
        if work.work_id:
            best.id = work.work_id
        record.setdefault("id", best.id)
        return {"regulations": [best], "records": [record]}


def _warning(code: str, message: str):
    return ParseWarning(code=code, message=message)


@component
class WorkWriter:
    """Replaces one work's chunks and record in a single transaction.

    Usage::

        WorkWriter(store).run(documents=docs, regulations=[reg], records=[record], content_hash=h)
    """

    def __init__(self, document_store):
        self.document_store = document_store

    @component.output_types(written=int)
    def run(self, documents: list[Document], regulations: list[Regulation | None],
            records: list[dict[str, Any] | None], content_hash: str = ""):
        reg = regulations[0]
        record = records[0] or {}
        work_id = record.get("id") or (reg.id if reg else None)
        if not work_id:
            raise ValueError("the document's heading gives no regulation id and the catalogue has none")
        dims = _work_dimensions(documents, record)
        for d in documents:  # work-level links on every chunk: the dimension filter and facet
            d.meta["work_dimensions"] = list(dims)
        with self.document_store.transaction():
            repo = WorkRepository.of(self.document_store)
            self.document_store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": work_id})
            self.document_store.write_documents(documents)
            repo.upsert(work_id, record=record, regulation=reg, content_hash=content_hash,
                        chunks=len(documents), dimensions=dims)
        return {"written": len(documents)}


def _work_dimensions(documents: list[Document], record: dict) -> dict:
    # evidence is articles: a catalogue chunk (no Pasal) or an item without one is no evidence
    tags = [{"pasal": d.meta["pasal"], "dimensions": d.meta.get("dimensions", {}),
             "evidence": d.meta.get("dimension_evidence", {})} for d in documents if d.meta.get("pasal")]
    work = aggregate_work(tags)
    if record.get("dimensions"):
        work = apply_curated(work, record["dimensions"])
    return work


def build_indexing_pipeline(document_store, *, embedder=None, tagger=None, model=None) -> Pipeline:
    """``model``: the EmbeddingModel when ``embedder`` is not given (default: the configured one)."""
    p = Pipeline()
    p.add_component("parse", RegulationParser())
    p.add_component("chunk", ArticleChunker())
    if tagger is None:
        tagger = DimensionTagger()
    p.add_component("tag", tagger)
    p.add_component("embed", embedder or document_embedder(model, meta_fields_to_embed=EMBEDDED_META_FIELDS))
    p.add_component("write", WorkWriter(document_store))
    p.connect("parse.regulations", "chunk.regulations")
    p.connect("parse.records", "chunk.records")
    p.connect("chunk.documents", "tag.documents")
    p.connect("tag.documents", "embed.documents")
    p.connect("embed.documents", "write.documents")
    p.connect("parse.regulations", "write.regulations")
    p.connect("parse.records", "write.records")
    return p


@dataclass
class IngestSummary:
    indexed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # a staff upload is their current version
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        lines = [f"indexed {len(self.indexed)} work(s), {self.chunks} chunks; skipped {len(self.skipped)} unchanged;"
                 f" failed {len(self.failed)}; {self.seconds:.1f} s"]
        lines += [f"  kept: {name}: its current version was uploaded by staff; `jdih ingest --force` replaces it"
                  f" with these files" for name in self.kept]
        lines += [f"  failed: {name}: {why}" for name, why in self.failed]
        return "\n".join(lines)


def plan_works(paths: Iterable[Path], catalogue: list | None = None) -> list[WorkSources]:
    """Group files into works using the catalogue; files it does not know are works of their own.

    A folder that holds the catalogue (regulations/) also brings its metadata-only records.
    """
    if catalogue is None:
        catalogue = load_catalogue()
    paths = [Path(p) for p in paths]
    records = [_as_dict(r) for r in catalogue]
    by_file: dict[str, dict] = {}
    for rec in records:
        for src in rec.get("sources") or []:
            by_file[src["file"]] = rec
    files: list[Path] = []
    include_catalogue = False
    for p in paths:
        if p.is_dir():
            include_catalogue |= (p / "catalogue.yaml").exists()
            files += sorted(f for f in p.rglob("*") if f.is_file())
        else:
            files.append(p)
    works: dict[str, WorkSources] = {}
    for f in files:
        rec = by_file.get(f.name)
        if rec is None:
            if f.suffix.lower() in (".pdf", ".txt", ".md") and f.name != "MANIFEST.md":
                works[f"file:{f}"] = WorkSources(None, {}, [f])
            continue
        role = next((s.get("role") for s in rec["sources"] if s["file"] == f.name), "primary")
        if role not in ("primary", "secondary"):
            continue  # abstracts and metadata sheets are not the text of the law
        works.setdefault(rec["id"], WorkSources(rec["id"], rec)).files.append(f)
    if include_catalogue:
        for rec in records:
            if not rec.get("has_text", True) and rec["id"] not in works:
                works[rec["id"]] = WorkSources(rec["id"], rec, [])
    return list(works.values())


def ingest_paths(paths: Iterable[Path], *, progress: bool = True, force: bool = False, settings=None,
                 store=None, pipeline: Pipeline | None = None, catalogue: list | None = None) -> IngestSummary:
    settings = settings or get_settings()
    store = store or open_store(settings)

    model = resolve_model(settings.embedding_model)
    _ensure_model(store, pipeline, model)
    works = plan_works(paths, catalogue)
    summary = IngestSummary()
    t0 = time.perf_counter()
    todo = []
    with store.transaction():
        repo = WorkRepository.of(store)
        for w in works:
            h = w.content_hash()
            stored = repo.content_hash(w.work_id) if w.work_id else None
            if not force and stored == h:
                summary.skipped.append(w.work_id)
            elif not force and stored and stored.startswith(UPLOAD_HASH_PREFIX):
                summary.kept.append(w.work_id)  # staff uploaded a newer version: never overwritten silently
            else:
                if stored:  # re-indexed from changed files: the metadata staff corrected stays
                    w = dataclasses.replace(w, record=keep_staff_fields((repo.get(w.work_id) or {}).get("record"),
                                                                        w.record))
                todo.append((w, h))
    if not todo:
        summary.seconds = time.perf_counter() - t0
        return summary
    pipeline = pipeline or build_indexing_pipeline(store, model=model)
    bar = _progress(len(todo), progress)
    for w, h in todo:
        name = w.work_id or w.files[0].name
        bar.set_postfix_str(name)
        try:
            out = pipeline.run({"parse": {"work": w}, "write": {"content_hash": h}})
            summary.indexed.append(name)
            summary.chunks += out["write"]["written"]
        except Exception as exc:  # one bad work must not stop the others; nothing of it was written
            cause = exc if isinstance(exc, IngestError) else exc.__cause__
            if isinstance(cause, IngestError):
                summary.failed.append((name, f"{cause} [{cause.code}]"))
            else:
                log.exception("ingest of %s failed", name)
                summary.failed.append((name, f"{type(exc).__name__}: {exc}"))
        bar.update(1)
    bar.close()
    summary.seconds = time.perf_counter() - t0
    return summary


def _ensure_model(store, pipeline: Pipeline | None, model) -> None:
    """The knowledge base must hold vectors of the model this ingest embeds with (or none yet):
    checked before any work is skipped as unchanged, and recorded on the first write."""
    embed = pipeline.get_component("embed") if pipeline is not None and "embed" in pipeline.graph.nodes else None
    name = getattr(embed, "model_name", None)
    ensure_compatible(store, EmbeddingModel(name, "custom") if name and name != model.name else model, writing=True)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="work", desc="ingest", disable=not enabled,
                file=sys.stderr)
