"""OCR of PDF pages: pypdfium2 rasterises, Tesseract (Indonesian model) reads, page-parallel.

Tesseract's own threading fights on a small machine (13 s a page with default threads on
2 cores against ~1 s with ``OMP_THREAD_LIMIT=1``, docs/parse-benchmark.md), so every page is
one single-threaded ``tesseract`` process and ``workers`` of them run at once. Rendering stays
in the calling thread (pdfium is not thread-safe); the pool only waits on the subprocesses.

    from ingest.ocr import ocr_pdf_pages
    texts = ocr_pdf_pages("scan.pdf", [0, 1, 2], workers=2,
                          progress=lambda done, total: print(done, "/", total))

Debian packages: ``tesseract-ocr`` and ``tesseract-ocr-ind``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError

LANG = "ind"
DPI = 200  # chosen by measurement: 300 dpi was slower and no more accurate (docs/parse-benchmark.md)
PSM = 6  # one uniform block: keeps "Menimbang : a." labels on their lines (docs/parse-benchmark.md)
PAGE_TIMEOUT_S = 300  # one page; the whole read is bounded by the loader's parse timeout

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrConfig:
    dpi: int = DPI
    psm: int = PSM
    lang: str = LANG
    workers: int = 1
    thread_limit: int | None = 1  # OMP_THREAD_LIMIT for each tesseract; None keeps its default


def tesseract_path() -> str:
    """The tesseract binary, or IngestError(ocr_unavailable) naming the Debian packages."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise IngestError.of("ocr_unavailable", detail="the tesseract program was not found on PATH")
    return exe


def check_language(lang: str = LANG) -> None:
    """Raise ocr_unavailable when tesseract lacks the language model (tesseract-ocr-ind)."""
    exe = tesseract_path()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise IngestError.of("ocr_unavailable", detail=f"tesseract --list-langs failed: {exc}") from exc
    langs = {line.strip() for line in (out.stdout + out.stderr).splitlines()}
    if lang not in langs:
        raise IngestError.of("ocr_unavailable", detail=f"Tesseract has no '{lang}' language model")


def render_pgm(page, dpi: int) -> bytes:
    """Render one pypdfium2 page as an 8-bit grayscale PGM (what Tesseract reads from stdin)."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buf = bytes(bitmap.buffer)
        if stride != w:
            buf = b"".join(buf[row * stride : row * stride + w] for row in range(h))
        return b"P5\n%d %d\n255\n" % (w, h) + buf
    finally:
        bitmap.close()


def ocr_image(image: bytes, config: OcrConfig = OcrConfig()) -> str:
    """OCR one image (any format Leptonica reads: PGM, PNG...) with one tesseract process."""
    env = dict(os.environ)
    if config.thread_limit is not None:
        env["OMP_THREAD_LIMIT"] = str(config.thread_limit)
    cmd = [tesseract_path(), "stdin", "stdout", "-l", config.lang, "--psm", str(config.psm)]
    try:
        out = subprocess.run(cmd, input=image, capture_output=True, env=env, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise IngestError.of("timeout", detail=f"tesseract took over {PAGE_TIMEOUT_S} s on one page") from exc
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip()
        if "Failed loading language" in err or "Error opening data file" in err:
            raise IngestError.of("ocr_unavailable", detail=f"Tesseract has no '{config.lang}' language model")
        raise IngestError.of("ocr_failed", detail=err[-500:] or f"tesseract exited with {out.returncode}")
    return out.stdout.decode("utf-8", "replace").replace("\f", "").strip("\n")


def ocr_pdf_pages(
    path: str | Path,
    page_indexes: Iterable[int],
    *,
    workers: int = 1,
    config: OcrConfig | None = None,
    progress: Progress | None = None,
    document=None,
) -> dict[int, str]:
    """OCR the given 0-based pages of a PDF; returns {page_index: text}.

    ``document`` lets a caller that already opened the PDF with pypdfium2 pass it in.
    """
    import pypdfium2 as pdfium

    indexes = list(page_indexes)
    if not indexes:
        return {}
    config = config or OcrConfig(workers=workers)
    check_language(config.lang)
    doc = document if document is not None else pdfium.PdfDocument(str(path))
    results: dict[int, str] = {}
    total = len(indexes)
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pending: dict = {}

            def collect(block_until_one: bool) -> None:
                if not pending:
                    return
                finished, _ = wait(pending, return_when=FIRST_COMPLETED if block_until_one else ALL_COMPLETED)
                for fut in finished:
                    results[pending.pop(fut)] = fut.result()
                    if progress is not None:
                        progress(len(results), total)

            for i in indexes:
                # render here (pdfium is not thread-safe), OCR in the pool; keep at most two
                # rendered pages per worker in memory (a 300-dpi page is ~10 MB)
                while len(pending) >= 2 * max(1, workers):
                    collect(True)
                page = doc[i]
                try:
                    image = render_pgm(page, config.dpi)
                finally:
                    page.close()
                pending[pool.submit(ocr_image, image, config)] = i
            collect(False)
    finally:
        if document is None:
            doc.close()
    return results
