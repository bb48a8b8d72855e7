"""The IngestError family: every bad input gets a clear error, in English and Indonesian.

``str(err)`` is the English human message, ``err.message_id`` the Indonesian one (the API
shows both), ``err.code`` the machine-readable code. Each code has its own subclass, so a
caller can catch ``EncryptedPdfError`` or test ``err.code == "encrypted_pdf"``.

    from ingest.errors import IngestError
    try:
        doc = load_document(path)
    except IngestError as err:
        return {"error": err.code, "message": str(err), "message_id": err.message_id}

Messages live in :data:`MESSAGES`, apart from the code that raises them.
"""
from __future__ import annotations

from typing import Any

OCR_PACKAGES = "tesseract-ocr tesseract-ocr-ind"

# code -> (English, Indonesian). "{detail}" is filled with the specific reason when one is known.
MESSAGES: dict[str, tuple[str, str]] = {
    "unsupported_type": (
        "Unsupported file type{detail}: only PDF and plain-text (UTF-8) files can be read.",
        "Jenis berkas tidak didukung{detail}: hanya berkas PDF dan teks biasa (UTF-8) yang dapat dibaca.",
    ),
    "too_large": (
        "The file is too large{detail}.",
        "Berkas terlalu besar{detail}.",
    ),
    "encrypted_pdf": (
        "The PDF is password-protected{detail}: upload a copy without a password.",
        "PDF dilindungi kata sandi{detail}: unggah salinan tanpa kata sandi.",
    ),
    "corrupt_pdf": (
        "The PDF is damaged and cannot be read{detail}.",
        "PDF rusak dan tidak dapat dibaca{detail}.",
    ),
    "empty_pdf": (
        "The PDF has no pages{detail}.",
        "PDF tidak memiliki halaman{detail}.",
    ),
    "timeout": (
        "Reading the file took too long and was stopped{detail}.",
        "Pembacaan berkas terlalu lama dan dihentikan{detail}.",
    ),
    "ocr_unavailable": (
        "The document needs OCR but Tesseract is not available{detail}; install the Debian packages "
        + OCR_PACKAGES
        + " (apt-get install "
        + OCR_PACKAGES
        + ").",
        "Dokumen memerlukan OCR tetapi Tesseract tidak tersedia{detail}; pasang paket Debian "
        + OCR_PACKAGES
        + " (apt-get install "
        + OCR_PACKAGES
        + ").",
    ),
    "ocr_failed": (
        "OCR failed{detail}.",
        "OCR gagal{detail}.",
    ),
    "no_text": (
        "No text could be read from the file{detail}.",
        "Tidak ada teks yang dapat dibaca dari berkas{detail}.",
    ),
}


class IngestError(Exception):
    """Base of the family. Build one with ``IngestError.of(code, detail=...)``."""

    code: str = "ingest_error"

    def __init__(self, message: str, *, message_id: str | None = None, code: str | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.message_id = message_id or message
        self.detail = detail

    @classmethod
    def of(cls, code: str, *, detail: str | None = None, detail_id: str | None = None) -> "IngestError":
        """The error for ``code`` (its subclass), with an optional specific reason.

        ``detail`` is appended in both languages unless ``detail_id`` gives the Indonesian one.
        """
        en, id_ = MESSAGES[code]
        d_en = f" ({detail})" if detail else ""
        d_id = f" ({detail_id or detail})" if detail else ""
        klass = _BY_CODE.get(code, IngestError)
        return klass(en.format(detail=d_en), message_id=id_.format(detail=d_id), code=code, detail=detail)

    @classmethod
    def of_dict(cls, d: dict[str, Any]) -> "IngestError":
        """Rebuild an error from :meth:`to_dict` (it crosses the PDF reader's process boundary)."""
        return _rebuild(d["code"], d["message"], d.get("message_id") or d["message"], d.get("detail"))

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_id": self.message_id, "detail": self.detail}

    def __reduce__(self):  # pickles with its code and both messages
        return (_rebuild, (self.code, self.message, self.message_id, self.detail))


def _rebuild(code: str, message: str, message_id: str, detail: str | None) -> IngestError:
    return _BY_CODE.get(code, IngestError)(message, message_id=message_id, code=code, detail=detail)


class UnsupportedTypeError(IngestError):
    code = "unsupported_type"


class TooLargeError(IngestError):
    code = "too_large"


class EncryptedPdfError(IngestError):
    code = "encrypted_pdf"


class CorruptPdfError(IngestError):
    code = "corrupt_pdf"


class EmptyPdfError(IngestError):
    code = "empty_pdf"


class ParseTimeoutError(IngestError):
    code = "timeout"


class OcrUnavailableError(IngestError):
    code = "ocr_unavailable"


class OcrFailedError(IngestError):
    code = "ocr_failed"


class NoTextError(IngestError):
    code = "no_text"


_BY_CODE: dict[str, type[IngestError]] = {
    k.code: k
    for k in (UnsupportedTypeError, TooLargeError, EncryptedPdfError, CorruptPdfError, EmptyPdfError,
              ParseTimeoutError, OcrUnavailableError, OcrFailedError, NoTextError)
}
