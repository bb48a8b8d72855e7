"""The file reading layer on the real corpus, and on bad inputs made here at test time.

Every synthetic input is written to tmp_path as ``synthetic-*`` from real corpus files or from
plain junk bytes; none holds invented regulation text.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import re
import shutil
import subprocess

import pypdf
import pytest
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest import ocr as ocr_mod
from ingest.config import get_settings
from ingest.errors import MESSAGES, IngestError
from ingest.loader import LoadedDocument, load_document
from ingest.pdf import choose_text, plan_page, read_pdf
from ingest.quality import score_text
from tests.conftest import corpus_path

HAS_TESSERACT = shutil.which("tesseract") is not None
needs_tesseract = pytest.mark.skipif(not HAS_TESSERACT, reason="Debian tesseract-ocr not installed")


def settings(**changes):
    return dataclasses.replace(get_settings(), **changes)


def letter_space(text: str) -> str:
    """What broken PDF generators do to words: 'bahwa dalam' -> 'ba h wa da la m'."""
    out = []
    for word in text.split():
        parts, i, k = [], 0, 0
        while i < len(word):
            size = 2 if k % 2 == 0 else 1
            parts.append(word[i : i + size])
            i, k = i + size, k + 1
        out.append(" ".join(parts))
    return " ".join(out)


# --- the real corpus -----------------------------------------------------------------------


def test_born_digital_pdf_loads_every_page():
    doc = load_document(corpus_path("uu-11-2008-ite.pdf"))
    assert isinstance(doc, LoadedDocument)
    assert len(doc.pages) == 38 and doc.source.pages == 38
    assert doc.source.method == "pdf-text"
    assert doc.source.media_type == "application/pdf"
    assert doc.source.path == "uu-11-2008-ite.pdf"
    assert doc.source.sha256 == hashlib.sha256(corpus_path("uu-11-2008-ite.pdf").read_bytes()).hexdigest()
    assert doc.warnings == []
    text = doc.text
    assert "INFORMASI DAN TRANSAKSI" in text
    # PDFium keeps words whole where pypdf wrote "P asal 53" (docs/parse-benchmark.md)
    assert not re.search(r"\bP\s+asal\b", text)
    assert "\ufffe" not in text and "\r" not in text
    assert "Undang-Undang" in text


def test_stray_byte_before_pdf_header_is_tolerated_and_reported():
    path = corpus_path("perda-banjarnegara-8-2025-perubahan-pdrd.pdf")
    assert path.read_bytes()[:1] != b"%"  # the file really has the stray byte
    doc = load_document(path)
    assert len(doc.pages) == 127
    assert doc.source.method == "pdf-text"
    assert [w.code for w in doc.warnings] == ["pdf_header_offset"]
    assert "Banjarnegara".upper() in doc.text.upper()


def test_markdown_file_is_one_text_page():
    path = corpus_path("uu-14-2008-kip.md")
    doc = load_document(path)
    assert doc.source.media_type == "text/plain" and doc.source.method == "text"
    assert len(doc.pages) == 1
    assert doc.pages[0] == path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert doc.warnings == []


def test_ocr_text_layer_of_a_scan_is_kept_when_it_reads_fine():
    doc = load_document(corpus_path("uu-1-2024-perubahan-kedua-uu-ite.pdf"))
    assert len(doc.pages) == 39
    assert doc.source.method == "pdf-text"
    assert not [w for w in doc.warnings if w.code == "text_layer_garbage"]
    assert "Pasal" in doc.text


def test_no_real_corpus_page_is_judged_garbage():
    # the calibration of ingest.quality: every text-layer page of the corpus reads as text
    for name in ("uu-11-2008-ite.pdf", "uu-1-2024-perubahan-kedua-uu-ite.pdf",
                 "uu-27-2022-pdp.pdf", "perpres-82-2023-transformasi-digital.pdf",
                 "perpres-83-2025-komite-digital.pdf", "tap-mpr-xv-1998-otonomi-daerah.pdf",
                 "perda-banjarnegara-8-2025-perubahan-pdrd.pdf"):
        result = read_pdf(corpus_path(name), settings=settings())
        assert result.method == "pdf-text", name
        assert result.page_methods == ["pdf-text"] * result.page_count, name
        for i, text in enumerate(result.pages):
            assert not score_text(text).garbage, f"{name} page {i + 1}"
        assert not [w for w in result.warnings if w.code != "pdf_header_offset"], name


@needs_tesseract
def test_page_without_text_layer_in_a_born_digital_pdf_is_ocred():
    # uu-19-2016 page 14 has no text layer: its emblem, "PRESIDEN REPUBLIK INDONESIA" and page
    # number are drawn, not written. OCR reads them; the document stays a text-layer PDF.
    result = read_pdf(corpus_path("uu-19-2016-perubahan-uu-ite.pdf"), settings=settings(ocr_workers=1))
    assert result.page_count == 22 and result.method == "pdf-text"
    assert [i + 1 for i, m in enumerate(result.page_methods) if m != "pdf-text"] == [14]
    assert result.page_methods[13] == "ocr" and "PRESIDEN" in result.pages[13]
    assert [(w.code, w.page) for w in result.warnings] == [("ocr_used", 14)]
    assert result.warnings[0].message == "page 14: no text layer, OCR used"


# --- garbage detection on real text ----------------------------------------------------------


def _real_page(name: str, index: int) -> str:
    return read_pdf(corpus_path(name)).pages[index]


def test_letter_spaced_real_text_is_garbage():
    page = _real_page("uu-11-2008-ite.pdf", 1)
    assert not score_text(page).garbage and score_text(page).score > 0.9
    spaced = letter_space(page)
    assert spaced != page
    q = score_text(spaced)
    assert q.garbage and q.score < 0.5
    assert plan_page(spaced, visual=False) == "reocr"


def test_real_ocr_noise_scores_low_but_its_page_is_kept():
    # uu-1-2024 page 38: the scan's OCR layer read the emblem as a line of symbols
    page = _real_page("uu-1-2024-perubahan-kedua-uu-ite.pdf", 37)
    noise = page.splitlines()[0]
    assert "{" in noise  # tJ--f;F{f{rN irriflLrff,ff , Iff{I
    assert score_text(noise).score < 0.3
    assert not score_text(page).garbage


def test_per_page_decisions():
    assert plan_page("", visual=True) == "ocr"
    assert plan_page("", visual=False) == "keep"  # a blank page
    assert plan_page("- 3 -", visual=True) == "ocr"  # a sparse layer over a scan
    assert plan_page("- 3 -", visual=False) == "keep"
    real = _real_page("tap-mpr-xv-1998-otonomi-daerah.pdf", 0)
    assert plan_page(real, visual=False) == "keep"
    garbage = letter_space(real)
    # re-OCR output is kept only when it reads better
    assert choose_text(garbage, real, "reocr") == (real, "reocr")
    assert choose_text(real, garbage, "reocr") == (real, "pdf-text")
    assert choose_text("", real, "ocr") == (real, "ocr")
    assert choose_text("", "", "ocr") == ("", "pdf-text")


# --- bad inputs, made at test time ---------------------------------------------------------------


def _codes(path, **kw) -> str:
    with pytest.raises(IngestError) as info:
        load_document(path, settings(**kw) if kw else None)
    err = info.value
    assert str(err) and err.message_id and str(err) != err.message_id  # English and Indonesian
    return err.code


def test_junk_bytes_named_pdf(tmp_path):
    junk = tmp_path / "synthetic-junk.pdf"
    junk.write_bytes(os.urandom(4096))
    assert _codes(junk) in ("corrupt_pdf", "unsupported_type")
    html = tmp_path / "synthetic-html-error-page.pdf"
    html.write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    with pytest.raises(IngestError, match="HTML"):
        load_document(html)


def test_binary_non_pdf_is_unsupported(tmp_path):
    png = tmp_path / "synthetic-image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))
    with pytest.raises(IngestError) as info:
        load_document(png)
    assert info.value.code == "unsupported_type" and "PNG" in str(info.value)
    blob = tmp_path / "synthetic-blob.bin"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    assert _codes(blob) == "unsupported_type"


def test_a_pdf_named_txt_is_read_as_pdf(tmp_path):
    renamed = tmp_path / "synthetic-renamed.txt"
    renamed.write_bytes(corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf").read_bytes())
    doc = load_document(renamed)
    assert doc.source.media_type == "application/pdf" and len(doc.pages) == 3


def _write(writer: pypdf.PdfWriter, path):
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_encrypted_pdf(tmp_path):
    reader = pypdf.PdfReader(corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf"))
    locked = pypdf.PdfWriter(clone_from=reader)
    locked.encrypt(user_password="rahasia", owner_password="pemilik")
    assert _codes(_write(locked, tmp_path / "synthetic-encrypted.pdf")) == "encrypted_pdf"
    # encrypted with an empty user password (only an owner password): it opens, and that is fine
    owner_only = pypdf.PdfWriter(clone_from=reader)
    owner_only.encrypt(user_password="", owner_password="pemilik")
    doc = load_document(_write(owner_only, tmp_path / "synthetic-owner-password-only.pdf"))
    assert len(doc.pages) == 3 and "OTONOMI" in doc.text.upper()


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="Debian qpdf not installed")
def test_aes256_encrypted_pdf(tmp_path):
    out = tmp_path / "synthetic-aes256.pdf"
    run = subprocess.run(["qpdf", "--encrypt", "rahasia", "pemilik", "256", "--",
                          str(corpus_path("uu-11-2008-ite.pdf")), str(out)], capture_output=True)
    assert run.returncode in (0, 3), run.stderr  # 3: succeeded with warnings
    assert _codes(out) == "encrypted_pdf"


def test_pdf_with_no_pages(tmp_path):
    assert _codes(_write(pypdf.PdfWriter(), tmp_path / "synthetic-zero-pages.pdf")) == "empty_pdf"


def test_oversized_file_is_refused_before_reading(tmp_path):
    assert _codes(corpus_path("uu-11-2008-ite.pdf"), max_file_bytes=10_000) == "too_large"
    big = tmp_path / "synthetic-big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(IngestError) as info:
        load_document(big, settings(max_file_bytes=1024))
    assert info.value.code == "too_large" and "1,024" in str(info.value)


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.9, 0.999])
def test_truncated_real_pdf_never_crashes(tmp_path, fraction):
    data = corpus_path("uu-11-2008-ite.pdf").read_bytes()
    cut = tmp_path / f"synthetic-truncated-{fraction}.pdf"
    cut.write_bytes(data[: int(len(data) * fraction)])
    try:
        doc = load_document(cut)
    except IngestError as err:
        assert err.code in ("corrupt_pdf", "no_text")
    else:  # readable: then it says it may be incomplete
        assert "pdf_truncated" in {w.code for w in doc.warnings}
        assert doc.pages


@pytest.mark.timeout(60)
def test_timeout_gives_control_back():
    with pytest.raises(IngestError) as info:
        load_document(corpus_path("perda-banjarnegara-8-2025-perubahan-pdrd.pdf"), settings(parse_timeout_s=0.01))
    assert info.value.code == "timeout"
    # and the reader still works afterwards
    assert len(load_document(corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf")).pages) == 3


def test_empty_and_blank_text_files(tmp_path):
    empty = tmp_path / "synthetic-empty.txt"
    empty.write_bytes(b"")
    assert _codes(empty) == "no_text"
    blank = tmp_path / "synthetic-blank.md"
    blank.write_text(" \n\f\n ")
    assert _codes(blank) == "no_text"


def test_text_encodings_and_form_feeds(tmp_path):
    real = corpus_path("uu-15-2019-perubahan-uu-12-2011.md").read_text(encoding="utf-8")
    head = real[:2000]
    cp = tmp_path / "synthetic-cp1252.txt"
    cp.write_bytes((head + " \u201ckutipan\u201d").encode("cp1252", "replace"))
    doc = load_document(cp)
    assert [w.code for w in doc.warnings] == ["text_encoding_cp1252"]
    assert "\u201ckutipan\u201d" in doc.pages[0]
    paged = tmp_path / "synthetic-form-feeds.txt"
    paged.write_text(real[:1000] + "\f" + real[1000:2000], encoding="utf-8")
    assert load_document(paged).pages == [real[:1000], real[1000:2000]]


def test_errors_carry_code_and_both_languages():
    for code in MESSAGES:
        err = IngestError.of(code, detail="x")
        assert err.code == code and isinstance(err, IngestError)
        assert type(err).__name__ != "IngestError"  # each code has its subclass
        again = pickle.loads(pickle.dumps(err))
        assert (again.code, str(again), again.message_id) == (err.code, str(err), err.message_id)
        assert IngestError.of_dict(err.to_dict()).to_dict() == err.to_dict()
    ocr = IngestError.of("ocr_unavailable")
    assert "tesseract-ocr-ind" in str(ocr) and "tesseract-ocr-ind" in ocr.message_id


# --- OCR ------------------------------------------------------------------------------------------


def test_missing_tesseract_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    with pytest.raises(IngestError) as info:
        read_pdf(corpus_path("perpres-83-2025-IMAGE-ONLY-derived.pdf"), settings=settings())
    assert info.value.code == "ocr_unavailable"
    assert "apt-get install tesseract-ocr tesseract-ocr-ind" in str(info.value)


def test_missing_tesseract_keeps_the_pages_that_have_text(tmp_path, monkeypatch):
    mixed = pypdf.PdfWriter()
    mixed.append(str(corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf")), pages=[0])
    mixed.append(str(corpus_path("perpres-83-2025-IMAGE-ONLY-derived.pdf")), pages=[0])
    path = _write(mixed, tmp_path / "synthetic-text-plus-scan.pdf")
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    result = read_pdf(path, settings=settings())
    assert result.page_count == 2 and "OTONOMI" in result.pages[0].upper()
    assert [(w.code, w.page) for w in result.warnings] == [("ocr_unavailable", 2)]


def _overlay_invisible_text(page, text: str) -> None:
    """Give a scanned page a text layer (render mode 3: invisible), as OCR'd scans have."""
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    resources = page["/Resources"].get_object()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    fonts.get_object()[NameObject("/FSynth")] = font
    lines = [text[i : i + 90] for i in range(0, len(text), 90)][:40]
    ops = ["BT", "/FSynth 9 Tf", "3 Tr", "40 880 Td", "11 TL"]
    for line in lines:
        safe = line.replace("\\", "").replace("(", "").replace(")", "")
        ops.append(f"({safe}) '")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1", "replace"))
    contents = page.get_contents()
    contents.set_data(contents.get_data() + b"\n" + stream.get_data())
    page.replace_contents(contents)


@needs_tesseract
def test_garbage_text_layer_is_reocred(tmp_path):
    # a real scanned page whose text layer is the letter-spaced form of its own real text
    real_layer = read_pdf(corpus_path("perpres-83-2025-komite-digital.pdf")).pages[0]
    writer = pypdf.PdfWriter()
    writer.append(str(corpus_path("perpres-83-2025-IMAGE-ONLY-derived.pdf")), pages=[0])
    _overlay_invisible_text(writer.pages[0], letter_space(real_layer))
    path = _write(writer, tmp_path / "synthetic-garbage-layer.pdf")
    layer_only = __import__("pypdfium2").PdfDocument(str(path))[0].get_textpage().get_text_range()
    assert score_text(layer_only).garbage  # the overlay really is a garbage text layer

    result = read_pdf(path, settings=settings(ocr_workers=1))
    assert result.method == "reocr" and result.page_methods == ["reocr"]
    assert "PRESIDEN" in result.pages[0] and "Menimbang" in result.pages[0]
    warning = result.warnings[-1]
    assert warning.code == "text_layer_garbage" and warning.page == 1
    assert warning.message.startswith("page 1: text layer unreadable") and "OCR used" in warning.message


@pytest.mark.slow
@needs_tesseract
def test_image_only_pdf_goes_through_ocr():
    seen: list[tuple[int, int]] = []
    doc = load_document(corpus_path("perpres-83-2025-IMAGE-ONLY-derived.pdf"), settings(ocr_workers=2),
                        progress=lambda done, total: seen.append((done, total)))
    assert doc.source.method == "ocr" and len(doc.pages) == 9
    assert all(doc.pages)
    assert "PRESIDEN" in doc.text
    assert len(re.findall(r"(?m)^\s*Pasal\s+\d+\s*$", doc.text)) >= 5
    assert {w.code for w in doc.warnings} == {"ocr_used"} and sorted(w.page for w in doc.warnings) == list(range(1, 10))
    assert seen[-1] == (9, 9) and [d for d, _ in seen] == sorted(d for d, _ in seen)
