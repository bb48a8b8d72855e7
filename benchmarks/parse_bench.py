"""Reading speed of the ingest layer on the real corpus: text-layer PDFs and OCR.

    .venv/bin/python benchmarks/parse_bench.py                 # everything (OCR takes ~1 min)
    .venv/bin/python benchmarks/parse_bench.py --skip-ocr --json
    .venv/bin/python benchmarks/parse_bench.py --threads-pages 3   # OCR threading comparison

Figures go to docs/parse-benchmark.md. The machine is described from ``lscpu``.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.config import get_settings  # noqa: E402
from ingest.loader import load_document  # noqa: E402
from ingest.ocr import DPI, PSM, OcrConfig, ocr_image, render_pgm  # noqa: E402
from ingest.pdf import clean_layer_text, read_pdf  # noqa: E402
from ingest.quality import score_text  # noqa: E402

TEXT_PDFS = [
    "uu-11-2008-ite.pdf",
    "uu-19-2016-perubahan-uu-ite.pdf",
    "uu-1-2024-perubahan-kedua-uu-ite.pdf",
    "uu-27-2022-pdp.pdf",
    "perpres-82-2023-transformasi-digital.pdf",
    "perpres-83-2025-komite-digital.pdf",
    "tap-mpr-xv-1998-otonomi-daerah.pdf",
    "perda-banjarnegara-8-2025-perubahan-pdrd.pdf",
]
OCR_PDF = "perpres-83-2025-IMAGE-ONLY-derived.pdf"
OCR_REFERENCE = "perpres-83-2025-komite-digital.pdf"  # the same scan with its OCR text layer


def corpus(name: str) -> Path:
    for base in (ROOT / "regulations" / "corpus", ROOT.parent / "shared" / "corpus"):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(name)


def machine() -> dict:
    model = None
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"^Model name:\s*(.+)$", out, re.M)
        model = m.group(1).strip() if m else None
    except OSError:
        pass
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    import pypdf
    import pypdfium2

    return {"cpu_model": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "tesseract": tess, "pypdf": pypdf.__version__,
            "pypdfium2": getattr(pypdfium2, "PYPDFIUM_INFO", None) and str(pypdfium2.PYPDFIUM_INFO)}


def bench_text(settings) -> dict:
    rows = []
    for name in TEXT_PDFS:
        path = corpus(name)
        t = time.perf_counter()
        res = read_pdf(path, settings=settings)
        inproc = time.perf_counter() - t
        t = time.perf_counter()
        doc = load_document(path, settings)
        isolated = time.perf_counter() - t
        rows.append({"file": name, "pages": res.page_count, "ocr_pages": sum(m != "pdf-text" for m in res.page_methods),
                     "read_pdf_s": round(inproc, 3), "load_document_s": round(isolated, 3),
                     "method": doc.source.method})
    pages = sum(r["pages"] for r in rows if not r["ocr_pages"])
    t_in = sum(r["read_pdf_s"] for r in rows if not r["ocr_pages"])
    t_iso = sum(r["load_document_s"] for r in rows if not r["ocr_pages"])
    return {"files": rows, "pages_without_ocr": pages, "pages_per_s_in_process": round(pages / t_in, 1),
            "pages_per_s_load_document": round(pages / t_iso, 1)}


def compare_extractors() -> dict:
    """pypdf (plain mode) against PDFium on every text-layer PDF: speed, split words, quality."""
    import logging

    import pypdf
    import pypdfium2 as pdfium

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    out = []
    for name in TEXT_PDFS:
        path = str(corpus(name))
        t = time.perf_counter()
        a = [p.extract_text(extraction_mode="plain") for p in pypdf.PdfReader(path).pages]
        ta = time.perf_counter() - t
        t = time.perf_counter()
        doc = pdfium.PdfDocument(path)
        b = [clean_layer_text(doc[i].get_textpage().get_text_range()) for i in range(len(doc))]
        tb = time.perf_counter() - t
        ja, jb = "\n".join(a), "\n".join(b)

        def stats(text: str) -> dict:
            return {"split_pasal": len(re.findall(r"\bP\s+asal\b", text)),
                    "pasal_heading_lines": len(re.findall(r"(?m)^\s*Pasal\s+\d+[A-Z]?\s*$", text)),
                    "double_spaces": text.count("  "),
                    "quality": round(score_text(text).score, 3)}

        out.append({"file": name, "pages": len(b), "pypdf_s": round(ta, 3), "pdfium_s": round(tb, 3),
                    "pypdf": stats(ja), "pdfium": stats(jb)})
    return {"files": out}


def bench_ocr(settings, workers: int) -> dict:
    seen = []
    s = dataclasses.replace(settings, ocr_workers=workers)
    t = time.perf_counter()
    doc = load_document(corpus(OCR_PDF), s, progress=lambda d, n: seen.append(d))
    elapsed = time.perf_counter() - t
    ref = "\n".join(read_pdf(corpus(OCR_REFERENCE), settings=settings).pages)
    return {"file": OCR_PDF, "pages": len(doc.pages), "method": doc.source.method, "workers": workers,
            "dpi": DPI, "psm": PSM, "seconds": round(elapsed, 2), "pages_per_s": round(len(doc.pages) / elapsed, 3),
            "s_per_page": round(elapsed / len(doc.pages), 2),
            "word_similarity_to_scan_ocr_layer": round(_similarity(ref, doc.text), 3)}


def _similarity(a: str, b: str) -> float:
    import difflib

    wa, wb = re.findall(r"\w+", a.lower()), re.findall(r"\w+", b.lower())
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def bench_threads(n_pages: int, workers: int) -> dict:
    """Tesseract single-threaded page-parallel vs its default threading (one page at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(corpus(OCR_PDF)))
    images = [render_pgm(doc[i], DPI) for i in range(n_pages)]
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda im: ocr_image(im, OcrConfig(thread_limit=1)), images))
    parallel = time.perf_counter() - t
    t = time.perf_counter()
    for im in images:
        ocr_image(im, OcrConfig(thread_limit=None))  # Tesseract's default OpenMP threads
    default = time.perf_counter() - t
    return {"pages": n_pages, "workers": workers,
            "single_thread_page_parallel_s_per_page": round(parallel / n_pages, 2),
            "default_threading_sequential_s_per_page": round(default / n_pages, 2),
            "ratio": round(default / parallel, 1),
            "omp_thread_limit_env": os.environ.get("OMP_THREAD_LIMIT")}


def bench_dpi(pages: list[int]) -> list[dict]:
    """Accuracy/speed of dpi x psm on a few pages, against the scan's own OCR layer."""
    import pypdfium2 as pdfium

    img = pdfium.PdfDocument(str(corpus(OCR_PDF)))
    ref = pdfium.PdfDocument(str(corpus(OCR_REFERENCE)))
    rows = []
    for dpi in (200, 300):
        for psm in (3, 6):
            secs, sims = 0.0, []
            for i in pages:
                im = render_pgm(img[i], dpi)
                t = time.perf_counter()
                text = ocr_image(im, OcrConfig(dpi=dpi, psm=psm))
                secs += time.perf_counter() - t
                sims.append(_similarity(ref[i].get_textpage().get_text_range(), text))
            rows.append({"dpi": dpi, "psm": psm, "s_per_page": round(secs / len(pages), 2),
                         "word_similarity": round(sum(sims) / len(sims), 3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--skip-ocr", action="store_true")
    ap.add_argument("--workers", type=int, default=None, help="OCR workers (default: settings.ocr_workers)")
    ap.add_argument("--threads-pages", type=int, default=3, help="pages for the threading comparison (0: skip)")
    ap.add_argument("--dpi-pages", type=str, default="", help="0-based pages for the dpi/psm sweep, e.g. 1,4")
    args = ap.parse_args(argv)
    settings = get_settings()
    workers = args.workers or settings.ocr_workers
    report: dict = {"machine": machine(), "text": bench_text(settings), "extractors": compare_extractors()}
    if not args.skip_ocr:
        report["ocr"] = bench_ocr(settings, workers)
        if args.threads_pages:
            report["ocr_threads"] = bench_threads(args.threads_pages, workers)
    if args.dpi_pages:
        report["ocr_dpi_psm"] = bench_dpi([int(x) for x in args.dpi_pages.split(",")])
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    m = report["machine"]
    print(f"machine: {m['cpu_model']}, {m['cores']} cores, Python {m['python']}, {m['tesseract']}")
    t = report["text"]
    print(f"text-layer PDFs: {t['pages_without_ocr']} pages, {t['pages_per_s_in_process']} pages/s in process, "
          f"{t['pages_per_s_load_document']} pages/s through load_document")
    for r in t["files"]:
        print(f"  {r['file']}: {r['pages']} pages, read_pdf {r['read_pdf_s']} s, load_document {r['load_document_s']} s"
              + (f", {r['ocr_pages']} page(s) OCR'd" if r["ocr_pages"] else ""))
    for r in report["extractors"]["files"]:
        print(f"  extractors {r['file']}: pypdf {r['pypdf_s']} s {r['pypdf']} | pdfium {r['pdfium_s']} s {r['pdfium']}")
    if "ocr" in report:
        o = report["ocr"]
        print(f"OCR {o['file']}: {o['pages']} pages in {o['seconds']} s = {o['s_per_page']} s/page "
              f"({o['workers']} workers, {o['dpi']} dpi, psm {o['psm']}); word similarity {o['word_similarity_to_scan_ocr_layer']}")
    if "ocr_threads" in report:
        o = report["ocr_threads"]
        print(f"OCR threading on {o['pages']} pages: single-threaded page-parallel {o['single_thread_page_parallel_s_per_page']} s/page, "
              f"default threading {o['default_threading_sequential_s_per_page']} s/page, ratio {o['ratio']}x")
    for r in report.get("ocr_dpi_psm", []):
        print(f"  dpi {r['dpi']} psm {r['psm']}: {r['s_per_page']} s/page, word similarity {r['word_similarity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
