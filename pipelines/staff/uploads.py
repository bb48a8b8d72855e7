"""Uploads by staff: checks before anything is stored, and the ingest job that follows.

Checks made while the request waits (:func:`check_upload`), each failure an
:class:`UploadRejected` with a code, an HTTP status and messages in English and Indonesian:

- size: over ``settings.max_file_bytes`` -> ``too_large`` (the API also refuses early on the
  Content-Length header, before the body is read);
- type by magic bytes, never by name: ``%PDF-`` within the first 1024 bytes (so the stray
  leading byte of the Banjarnegara file passes); a file named .pdf without it is ``corrupt_pdf``
  and says what it looks like (PNG, ZIP...); other binary data is ``unsupported_type``;
- a PDF is opened in a child process (:func:`probe_pdf`: RLIMIT_AS, timeout) for ``encrypted_pdf``,
  ``corrupt_pdf`` and ``empty_pdf`` (zero pages); reading every page (and OCR) is left to the job;
- a plain text is parsed at once: no article -> ``no_articles`` unless ``metadata_only``;
- metadata fields are validated (:func:`clean_metadata`); unknown fields are refused.

The job (:class:`UploadIngester`) reads the stored file (OCR where needed, reporting pages),
parses it, compares the document's own heading with the metadata given (``metadata_mismatch``
warnings in the result: staff decide), chunks, tags and embeds, then in ONE transaction writes
the work (via :class:`pipelines.indexing.WorkWriter`), its version, the file record, the audit
entry, the status of every work whose relations changed, and marks the job done.
"""
from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.loader import load_document
from ingest.parser import parse_text
from ingest.pdf import HEADER_WINDOW, PDF_MAGIC, find_header
from pipelines.embedding.embedder import document_embedder
from pipelines.embedding.models import embedder_model, ensure_compatible, resolve_model
from pipelines.indexing.chunking import EMBEDDED_META_FIELDS, ArticleChunker
from pipelines.indexing.dimensions import DimensionTagger
from pipelines.staff import curation, jobs
from pipelines.staff.control import ControlPlane
from pipelines.staff.files import FileStore
from pipelines.staff.jobs import JobFailed
from pipelines.staff.pdf_probe import probe_pdf
from pipelines.staff.records import UploadRejected

log = logging.getLogger(__name__)

EMBED_BATCH = 32  # chunks embedded between two progress reports (and cancel / time-limit checks)
# --- checks before storing --------------------------------------------------------------------

@dataclass
class UploadCheck:
    media_type: str  # application/pdf | text/plain
    pages: int | None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    heading_id: str | None = None  # a text's id from its heading (PDFs: read by the job)
    heading_region: str | None = None
    heading_read: bool = False  # True when the heading was read now (texts)


_REGIONAL = frozenset({"perda", "pergub", "perbup", "perwal", "kepwal"})


def id_from_metadata(metadata: dict[str, Any], *, region: str | None = None,
                     home_region: str | None = None) -> str | None:
    """The work id the staff's fields give (``jenis`` or ``singkatanJenis``, ``noPeraturan``,
    ``tahun``), or None when they do not give one. A regional type takes its region from the
    heading, else ``teuBadan``/``tempatTerbit`` ("Kabupaten Kotabaru"), else the home region.

    >>> id_from_metadata({"jenis": "Peraturan Bupati", "noPeraturan": "1", "tahun": 2019}, region="kotabaru")
    'perbup-kotabaru-1-2019'
    >>> id_from_metadata({"jenis": "Undang-Undang", "noPeraturan": "11", "tahun": 2008})
    'uu-11-2008'
    """
    from ingest.ids import JENIS, RegulationId, slug

    code = None
    for key in ("jenis", "singkatanJenis"):
        value = str(metadata.get(key) or "").strip().lower()
        if not value:
            continue
        for c, (name, short) in JENIS.items():
            if value in (c, name.lower(), short.lower()):
                code = c
                break
        if code:
            break
    nomor = slug(str(metadata.get("noPeraturan") or "")).replace("-", "")
    tahun = metadata.get("tahun")
    if not code or not nomor or not tahun:
        return None
    if code in _REGIONAL and not region:
        for key in ("teuBadan", "tempatTerbit"):
            value = str(metadata.get(key) or "").strip().lower()
            value = re.sub(r"^(?:pemerintah\s+)?(?:kota|kabupaten|kab\.?|provinsi)\s+", "", value)
            if value:
                region = slug(value)
                break
        region = region or home_region
    try:
        return str(RegulationId(code, nomor, int(tahun), region if code in _REGIONAL else None))
    except (ValueError, TypeError):
        return None


def heading_region(text: str) -> str | None:
    """The region a heading names ("BUPATI KOTABARU" -> "kotabaru") even when it gives no number
    (the parser reads the region only with a full type-number-year heading)."""
    from ingest.ids import slug
    from ingest.patterns import OFFICIAL_LINE, REGION_IN_TITLE  # the parser's own patterns

    lines = [ln.strip() for ln in text[:4000].splitlines() if ln.strip()][:40]
    for ln in lines:
        m = OFFICIAL_LINE.match(ln.upper())
        if m:
            return slug(re.sub(r"^(?:KABUPATEN|KOTA|PROVINSI)\s+", "", m.group("r").strip())) or None
    m = REGION_IN_TITLE.search(" ".join(lines).upper())
    return slug(m.group("r")) if m else None


def max_articles() -> int:
    """``JDIH_MAX_ARTICLES`` (default 3000): more Pasal and amendment items than any real
    regulation has (the KUHP has 624) is refused, not embedded for minutes."""
    raw = os.environ.get("JDIH_MAX_ARTICLES", "").strip()
    return int(raw) if raw.isdigit() else 3000


def too_many_articles_error(n: int, limit: int) -> UploadRejected:
    return UploadRejected("too_many_articles", f"The document has {n:,} articles; the limit is {limit:,} (JDIH_MAX_ARTICLES).",
                          f"Dokumen memiliki {n:,} pasal; batasnya {limit:,} (JDIH_MAX_ARTICLES).")


def no_id_error() -> UploadRejected:
    return UploadRejected(
        "no_id", "The document's heading gives no type, number and year, and neither do the fields: give "
        "work_id, or jenis, noPeraturan and tahun.",
        "Kepala dokumen tidak menyebut jenis, nomor dan tahun, dan kolom juga tidak: berikan work_id, atau "
        "jenis, noPeraturan dan tahun.")


def check_upload(path: Path, *, settings, metadata_only: bool = False) -> UploadCheck:
    """Validate a spooled upload (its suffix is the one the client claimed, cleaned). Raises
    :class:`UploadRejected`; reads a PDF's pages only as far as opening it (a child process)."""
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise UploadRejected.from_ingest(IngestError.of(
            "too_large", detail=f"{size:,} bytes; the limit is {settings.max_file_bytes:,}",
            detail_id=f"{size:,} bita; batasnya {settings.max_file_bytes:,}"))
    with open(path, "rb") as fh:
        head = fh.read(HEADER_WINDOW + len(PDF_MAGIC))
    offset = find_header(head)
    if offset >= 0:
        pages = probe_pdf(path, settings=settings)
        warnings = [{"code": "pdf_header_offset", "message": f"{offset} stray byte(s) before the %PDF- header ignored"}] if offset else []
        return UploadCheck("application/pdf", pages, warnings)

    try:  # text, or junk: the loader names what it is (its suffix check covers "named .pdf")
        doc = load_document(path, settings)
    except IngestError as err:
        raise UploadRejected.from_ingest(err) from None
    reg = parse_text("\n".join(doc.pages), page_texts=doc.pages)
    if not (reg.articles or reg.amendments) and not metadata_only:
        raise no_articles_error()
    if len(reg.articles) + len(reg.amendments) > max_articles():
        raise too_many_articles_error(len(reg.articles) + len(reg.amendments), max_articles())
    return UploadCheck("text/plain", len(doc.pages), [{"code": w.code, "message": w.message} for w in doc.warnings],
                       heading_id=reg.id, heading_region=reg.region or heading_region("\n".join(doc.pages)),
                       heading_read=True)


def no_articles_error() -> UploadRejected:
    return UploadRejected(
        "no_articles",
        "No article (Pasal) was found in the text: it may not be a regulation. To keep it as a "
        "metadata-only record, upload it again with metadata_only=true.",
        "Tidak ada pasal yang ditemukan dalam teks: mungkin ini bukan peraturan. Untuk menyimpannya "
        "sebagai rekaman metadata saja, unggah lagi dengan metadata_only=true.")


# --- the ingest job -----------------------------------------------------------------------------

def _norm(s: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(s or "").lower()).strip()


def heading_mismatches(reg, metadata: dict[str, Any], work_id: str | None) -> list[dict[str, str]]:
    """Where the metadata given contradicts the document's own heading (staff decide)."""
    out = []
    if work_id and reg.id and work_id != reg.id:
        out.append({"field": "work_id", "given": work_id, "document": reg.id})
    pairs = (("noPeraturan", reg.nomor), ("tahun", reg.tahun), ("judul", reg.judul), ("jenis", reg.jenis))
    for key, read in pairs:
        given = metadata.get(key)
        if given in (None, "") or read in (None, ""):
            continue
        if _norm(given) != _norm(read):
            out.append({"field": key, "given": str(given), "document": str(read)})
    return [dict(m, code="metadata_mismatch",
                 message=f"{m['field']}: the metadata says {m['given']!r}, the document's heading reads {m['document']!r}")
            for m in out]


class UploadIngester:
    """The handler of ``upload`` jobs. Heavy parts (the embedder, the dimension tagger) load once,
    on the first job, in the worker thread.

    Usage::

        ingester = UploadIngester(store, settings)
        Worker(queue, {"upload": ingester}).start()
    """

    def __init__(self, store, settings, *, embedder=None, tagger=None):
        self.store = store
        self.settings = settings
        self._embedder = embedder
        self._tagger = tagger
        self._pipeline = None

    def warm_up(self):
        if self._pipeline is None:
            from haystack import Pipeline

            tagger = self._tagger
            if tagger is None:
                tagger = DimensionTagger()
            embedder = self._embedder
            if embedder is None:
                model = resolve_model(self.settings.embedding_model) if self.settings is not None else None
                embedder = document_embedder(model, meta_fields_to_embed=EMBEDDED_META_FIELDS)
            p = Pipeline()
            p.add_component("chunk", ArticleChunker())
            p.add_component("tag", tagger)
            p.connect("chunk.documents", "tag.documents")
            if hasattr(embedder, "warm_up"):
                embedder.warm_up()
            self._embed_component = embedder
            self._pipeline = p
        return self._pipeline

    def embedding_component(self):
        """The document embedder (loaded)."""
        self.warm_up()
        return self._embed_component

    def embed(self, reg, record, progress=None, batch: int = EMBED_BATCH) -> list:
        """Chunk, tag and embed; ``progress(done, total)`` after each batch of chunks (the job's
        progress and ETA, and the point where a cancel or the time limit stops it)."""
        docs = self.warm_up().run({"chunk": {"regulations": [reg], "records": [record]}})["tag"]["documents"]
        out: list = []
        for i in range(0, len(docs), batch):
            out += self._embed_component.run(documents=docs[i:i + batch])["documents"]
            if progress is not None:
                progress(len(out), len(docs))
        return out

    def __call__(self, job, queue) -> dict[str, Any]:
        p = job.params
        files = FileStore(self.settings.files_dir)
        path = files.path(p["sha256"])
        if not path.exists():
            raise JobFailed("file_missing", "The uploaded file is no longer in the file store; upload it again.",
                            "Berkas yang diunggah tidak ada lagi di penyimpanan berkas; unggah lagi.")
        queue.progress(job.id, stage="reading", pages_total=p.get("pages"))

        def ocr_progress(done: int, total: int) -> None:
            queue.progress(job.id, ocr_pages_done=done, ocr_pages_total=total)

        # the loader decides PDF or text by magic bytes; give it a name with the claimed suffix
        link = files.root / "tmp" / f"job-{job.id}{'.pdf' if p['media_type'] == 'application/pdf' else '.txt'}"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        os.symlink(path, link)
        try:
            doc = load_document(link, self.settings, progress=ocr_progress)
        except IngestError as err:
            self._discard(p["sha256"])
            raise JobFailed(err.code, str(err), err.message_id) from None
        finally:
            link.unlink(missing_ok=True)
        doc.source.path = p["file_name"]
        ocr_pages = sum(1 for w in doc.warnings if w.code in ("ocr_used",)) + sum(
            1 for w in doc.warnings if w.code == "text_layer_garbage" and "OCR used" in w.message)
        queue.progress(job.id, stage="parsing", pages_read=len(doc.pages), ocr_pages=ocr_pages, method=doc.source.method)
        reg = parse_text("\n".join(doc.pages), page_texts=doc.pages, source=doc.source)
        reg.warnings = list(doc.warnings) + reg.warnings
        if not (reg.articles or reg.amendments) and not p.get("metadata_only"):
            self._discard(p["sha256"])
            err = no_articles_error()
            raise JobFailed(err.code, err.message, err.message_id)
        metadata = p.get("metadata") or {}
        from_fields = id_from_metadata(metadata, region=reg.region or heading_region("\n".join(doc.pages)), home_region=getattr(self.settings, "home_region", None))
        work_id = p.get("work_id") or reg.id or from_fields
        if not work_id:
            self._discard(p["sha256"])
            raise JobFailed("no_id", "The document's heading gives no type, number and year, and no work_id was given.",
                            "Kepala dokumen tidak menyebut jenis, nomor dan tahun, dan work_id tidak diberikan.")
        warnings = heading_mismatches(reg, metadata, p.get("work_id"))
        if not reg.id and from_fields and not p.get("work_id"):
            warnings.append({"field": "work_id", "given": from_fields, "document": None,
                             "message": "the heading gives no number; the id was formed from jenis, noPeraturan and tahun"})
        if reg.id and reg.id != work_id:
            pass  # kept under the id staff gave; the mismatch is in the warnings
        reg.id = work_id
        conn = self.store.control()
        plan = curation.plan_record(conn, work_id, metadata, actor=job.created_by)
        limit = max_articles()
        if len(reg.articles) + len(reg.amendments) > limit:
            err = too_many_articles_error(len(reg.articles) + len(reg.amendments), limit)
            raise JobFailed(err.code, err.message, err.message_id)
        queue.progress(job.id, stage="embedding", articles=len(reg.articles), amendment_items=len(reg.amendments))

        ensure_compatible(self.store, embedder_model(self.embedding_component(), self.settings), writing=True)
        started = time.monotonic()

        def embed_progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            queue.progress(job.id, chunks_embedded=done, chunks_total=total,
                           eta_s=round(elapsed / done * (total - done), 1) if done else None)
            queue.check(job.id)  # raises JobFailed when staff cancelled it or it ran past its time limit

        documents = self.embed(reg, plan.record, progress=embed_progress)
        queue.progress(job.id, stage="writing", chunks_embedded=len(documents))
        result = curation.write_upload(
            self.store, job=job, queue=queue, work_id=work_id, reg=reg, record=plan.record, documents=documents,
            file_sha256=p["sha256"], file_name=p["file_name"], media_type=p["media_type"], size=p.get("size"),
            actor=job.created_by, warnings=warnings)
        result["progress"] = {"pages_read": len(doc.pages), "ocr_pages": ocr_pages, "chunks_embedded": len(documents)}
        result["parse_warnings"] = [{"code": w.code, "message": w.message, "page": w.page} for w in reg.warnings][:200]
        return result

    def _discard(self, sha256: str) -> None:
        """A failed upload leaves nothing behind: its file goes unless something else holds it."""
        control = ControlPlane(self.store)
        held = control.find_duplicate(sha256)
        if held and not held.get("job_id"):
            return
        if len(jobs.active_with_file(control.conn, sha256)) <= 1:
            FileStore(self.settings.files_dir).remove(sha256)

