"""The text of a PDF, page by page: its text layer where it reads well, OCR where it does not.

The text layer comes from pypdfium2 (PDFium). Measured on the corpus it reads the same
pages as pypdf with cleaner spacing and no split words ("P asal 53" 51 times in UU 11/2008
with pypdf, none with PDFium) at 10-20x the speed (docs/parse-benchmark.md).

Each page is decided on its own:

- no letters in the text layer but something drawn (an image-only scan, a page whose heading
  is drawn as curves), or a sparse layer over a page-sized image -> OCR
  (method ``ocr``);
- a text layer that :func:`ingest.quality.score_text` judges garbage -> OCR again, and keep
  the OCR text only when it scores better (method ``reocr``);
- otherwise the text layer (method ``pdf-text``).

Every page that was not read from its layer gets a :class:`~ingest.models.ParseWarning` with
its page number. This module runs in the calling process; :func:`ingest.loader.load_document`
runs it in a child process with a timeout and a memory limit.

    from ingest.pdf import read_pdf
    result = read_pdf("uu-11-2008-ite.pdf")
    result.page_count, result.method, result.pages[0][:40]
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.config import Settings
from ingest.errors import IngestError
from ingest.models import ParseWarning
from ingest.quality import score_text

PDF_MAGIC = b"%PDF-"
HEADER_WINDOW = 1024  # stray bytes before %PDF- are tolerated this far (as readers do)
SPARSE_LETTERS = 20  # a layer with fewer letters than this over a scanned image is OCR'd
SCAN_COVERAGE = 0.5  # an image covering this share of the page makes it a scan

# PDFium's FPDF_GetLastError codes
_ERR_FILE, _ERR_FORMAT, _ERR_PASSWORD, _ERR_SECURITY = 2, 3, 4, 5

Progress = Callable[[int, int], None]


@dataclass
class PdfText:
    pages: list[str]
    method: str  # pdf-text | ocr | reocr: the one that gave most pages
    warnings: list[ParseWarning] = field(default_factory=list)
    page_count: int = 0
    page_methods: list[str] = field(default_factory=list)  # per page: pdf-text | ocr | reocr


def find_header(head: bytes) -> int:
    """Offset of ``%PDF-`` in the first bytes of a file, or -1."""
    return head.find(PDF_MAGIC, 0, HEADER_WINDOW + len(PDF_MAGIC))


def clean_layer_text(text: str) -> str:
    """PDFium's text: CRLF lines, U+FFFE where a hyphen ended a line ("Undang\\ufffeUndang")."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-").replace("\x02", "-")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def open_pdf(path: str | Path):
    """Open with PDFium (which tries the empty user password itself); errors -> IngestError."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (_ERR_PASSWORD, _ERR_SECURITY):
            raise IngestError.of("encrypted_pdf", detail="it does not open with an empty password") from exc
        if code == _ERR_FILE:
            raise IngestError.of("corrupt_pdf", detail="the file could not be opened") from exc
        if code == _ERR_FORMAT:
            raise IngestError.of("corrupt_pdf", detail="its structure is damaged or incomplete",
                                 detail_id="strukturnya rusak atau tidak lengkap") from exc
        raise IngestError.of("corrupt_pdf", detail=str(exc)) from exc


def _page_is_scan(page) -> bool:
    """Does an image cover at least half of the page (a scan, not an emblem or a signature)?"""
    import pypdfium2.raw as pdfium_c

    try:
        width, height = page.get_size()
        area = max(width * height, 1.0)
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= SCAN_COVERAGE * area:
                return True
        return False
    except Exception:  # noqa: BLE001 - an unreadable object tree: assume a scan, OCR costs little
        return True


def _page_has_objects(page) -> bool:
    """Is anything drawn on the page? A truly blank page has nothing for OCR to read."""
    try:
        return any(True for _ in page.get_objects(max_depth=1))
    except Exception:  # noqa: BLE001
        return True


def read_text_layer(doc, warnings: list[ParseWarning]) -> tuple[list[str], list[bool]]:
    """Per page: the cleaned text layer and whether OCR could add to it (an empty page with
    something drawn on it, a sparse page over a scan)."""
    pages: list[str] = []
    images: list[bool] = []
    for i in range(len(doc)):
        try:
            page = doc[i]
        except Exception as exc:  # noqa: BLE001 - a damaged page must not lose the others
            warnings.append(ParseWarning("page_unreadable", f"page {i + 1}: cannot be read ({exc})", i + 1))
            pages.append("")
            images.append(False)
            continue
        try:
            textpage = page.get_textpage()
            try:
                text = clean_layer_text(textpage.get_text_range())
            finally:
                textpage.close()
            pages.append(text)
            # only an empty or sparse page needs the (slow) walk over its objects
            letters = _letters(text)
            if letters == 0:
                images.append(_page_has_objects(page))
            else:
                images.append(letters < SPARSE_LETTERS and _page_is_scan(page))
        except Exception as exc:  # noqa: BLE001
            warnings.append(ParseWarning("page_unreadable", f"page {i + 1}: text layer unreadable ({exc})", i + 1))
            pages.append("")
            images.append(True)
        finally:
            page.close()
    return pages, images


def plan_page(text: str, visual: bool) -> str:
    """What a page needs: ``keep`` its layer, ``ocr`` (no usable layer) or ``reocr`` (garbage).

    ``visual``: for an empty layer, whether anything is drawn on the page (a blank page is
    kept as it is); for a sparse layer, whether the page is a scan.
    """
    letters = _letters(text)
    if letters < SPARSE_LETTERS and visual:
        return "ocr"
    if score_text(text).garbage:
        return "reocr"
    return "keep"


def choose_text(layer: str, ocr: str, plan: str) -> tuple[str, str]:
    """Pick between a page's text layer and its OCR text: (text, method)."""
    if plan == "ocr":
        return (ocr, "ocr") if _letters(ocr) > _letters(layer) else (layer, "pdf-text")
    if plan == "reocr":
        if _letters(ocr) and score_text(ocr).score > score_text(layer).score:
            return ocr, "reocr"
        return layer, "pdf-text"
    return layer, "pdf-text"


def _read_leniently(path: Path, warnings: list[ParseWarning], failure: IngestError) -> PdfText:
    """PDFium refused the file: pypdf's lenient parser tells a PDF with no pages from a damaged
    one, and sometimes still reads the text of a damaged one (no OCR: nothing can render it)."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        n = len(reader.pages)
    except Exception:  # noqa: BLE001 - pypdf cannot read it either: the first diagnosis stands
        raise failure from None
    if n == 0:
        raise IngestError.of("empty_pdf")
    pages: list[str] = []
    for i in range(n):
        try:
            pages.append(reader.pages[i].extract_text() or "")
        except Exception as exc:  # noqa: BLE001
            warnings.append(ParseWarning("page_unreadable", f"page {i + 1}: cannot be read ({exc})", i + 1))
            pages.append("")
    if not any(_letters(t) for t in pages):
        raise failure
    warnings.append(ParseWarning(
        "pdf_repaired", f"PDFium could not open the file ({failure.detail}); text read with pypdf's lenient parser"))
    for i, t in enumerate(pages):
        if not _letters(t):
            warnings.append(ParseWarning("empty_page", f"page {i + 1}: no text (damaged file, OCR not possible)", i + 1))
    return PdfText(pages=pages, method="pdf-text", warnings=warnings, page_count=n, page_methods=["pdf-text"] * n)


def read_pdf(path: str | Path, *, settings: Settings | None = None, progress: Progress | None = None) -> PdfText:
    """Read every page of a PDF in this process (see the module docstring)."""
    from ingest.config import get_settings
    from ingest.ocr import ocr_pdf_pages

    settings = settings or get_settings()
    path = Path(path)
    warnings: list[ParseWarning] = []
    with open(path, "rb") as fh:
        head = fh.read(HEADER_WINDOW + len(PDF_MAGIC))
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    offset = find_header(head)
    if offset < 0:
        raise IngestError.of("corrupt_pdf", detail="no %PDF- header in the first 1024 bytes")
    if offset > 0:
        warnings.append(ParseWarning("pdf_header_offset", f"{offset} stray byte(s) before the %PDF- header ignored"))
    if b"%%EOF" not in tail:
        warnings.append(ParseWarning("pdf_truncated", "the file does not end with %%EOF: it may be incomplete"))

    try:
        doc = open_pdf(path)
    except IngestError as exc:
        if exc.code != "corrupt_pdf":
            raise
        return _read_leniently(path, warnings, exc)
    try:
        n = len(doc)
        if n == 0:
            raise IngestError.of("empty_pdf")
        layer, images = read_text_layer(doc, warnings)
        plans = [plan_page(t, img) for t, img in zip(layer, images)]
        todo = [i for i, p in enumerate(plans) if p != "keep"]
        ocr: dict[int, str] = {}
        if todo:
            try:
                ocr = ocr_pdf_pages(path, todo, workers=settings.ocr_workers, progress=progress, document=doc)
            except IngestError as exc:
                # without Tesseract, a document whose other pages have text is still read
                # (each page without text is named in a warning); one with no text at all is not
                if exc.code != "ocr_unavailable" or not any(_letters(t) for t in layer):
                    raise
                for i in todo:
                    why = "has no text layer" if plans[i] == "ocr" else "has an unreadable text layer"
                    warnings.append(
                        ParseWarning("ocr_unavailable", f"page {i + 1}: {why} and OCR is unavailable: {exc}", i + 1)
                    )
    finally:
        doc.close()

    pages: list[str] = []
    methods: list[str] = []
    for i, (text, plan) in enumerate(zip(layer, plans)):
        if plan == "keep" or i not in ocr:
            pages.append(text)
            methods.append("pdf-text")
            continue
        chosen, method = choose_text(text, ocr[i], plan)
        pages.append(chosen)
        methods.append(method)
        before, after = score_text(text).score, score_text(ocr[i]).score
        if plan == "ocr" and method == "ocr":
            warnings.append(ParseWarning("ocr_used", f"page {i + 1}: no text layer, OCR used", i + 1))
        elif plan == "ocr" and not _letters(text):
            warnings.append(ParseWarning("empty_page", f"page {i + 1}: no text found, even by OCR", i + 1))
        elif method == "reocr":
            warnings.append(ParseWarning(
                "text_layer_garbage",
                f"page {i + 1}: text layer unreadable (score {before:.2f}), OCR used (score {after:.2f})", i + 1))
        else:
            warnings.append(ParseWarning(
                "text_layer_garbage",
                f"page {i + 1}: text layer reads poorly (score {before:.2f}) and OCR did no better "
                f"(score {after:.2f}); text layer kept", i + 1))

    if not any(_letters(t) for t in pages):
        raise IngestError.of("no_text", detail=f"none of the {n} pages has a text layer or text that OCR could read")
    # the document's method is the one that gave most of its pages (ties: the more costly);
    # page_methods and the warnings name every page read otherwise
    method = max(("reocr", "ocr", "pdf-text"), key=methods.count)
    return PdfText(pages=pages, method=method, warnings=warnings, page_count=n, page_methods=methods)
