"""Load one file into page texts: type by magic bytes, size limit, PDFs read in a child process.

    from ingest.loader import load_document
    doc = load_document("uu-11-2008-ite.pdf")
    len(doc.pages), doc.source.method, [w.message for w in doc.warnings]

A PDF is read in a child process (``python -m ingest.loader``, ~0.1 s to start; it imports
only ingest.pdf and pypdfium2, never the caller's torch). The child gets an address-space
limit (RLIMIT_AS, 4 GiB) against PDF bombs and its own process group; when
``settings.parse_timeout_s`` passes, the whole group (the child and its Tesseract processes)
is killed and the caller gets ``IngestError(code="timeout")`` back. Text files are read here: UTF-8, or cp1252 with a
warning; form feeds split pages.

Every failure is an :class:`ingest.errors.IngestError` with a ``code``.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.config import Settings, get_settings
from ingest.errors import IngestError
from ingest.models import ParseWarning, SourceInfo
from ingest.pdf import HEADER_WINDOW, PDF_MAGIC, PdfText, find_header

MEMORY_LIMIT_BYTES = 4 * 1024**3  # address space of the PDF-reading child
Progress = Callable[[int, int], None]

# Magic bytes of files people upload by mistake, to name them in the error.
OTHER_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


@dataclass
class LoadedDocument:
    pages: list[str]  # one text per page; a text file is one page unless split by form feeds
    source: SourceInfo
    warnings: list[ParseWarning] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)


def _sniff_other(head: bytes) -> str | None:
    for magic, what in OTHER_TYPES:
        if head.startswith(magic):
            return what
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    return None


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks: the content address used everywhere."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_document(path: str | Path, settings: Settings | None = None, *,
                  progress: Progress | None = None) -> LoadedDocument:
    """Read a PDF or text file into page texts (see the module docstring).

    ``progress(done_pages, total_pages)`` is called as OCR pages finish (PDFs needing OCR only).
    """
    settings = settings or get_settings()
    path = Path(path)
    started = time.monotonic()
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"no such file: {path}") from exc
    if size > settings.max_file_bytes:
        raise IngestError.of(
            "too_large",
            detail=f"{size:,} bytes; the limit is {settings.max_file_bytes:,}",
            detail_id=f"{size:,} bita; batasnya {settings.max_file_bytes:,}",
        )
    if size == 0:
        raise IngestError.of("no_text", detail="the file is empty", detail_id="berkas kosong")
    with open(path, "rb") as fh:
        head = fh.read(HEADER_WINDOW + len(PDF_MAGIC))

    if find_header(head) >= 0:
        result = _read_pdf_isolated(path, settings, progress)
        pages, method, warnings, media_type = result.pages, result.method, result.warnings, "application/pdf"
    else:
        other = _sniff_other(head)
        if path.suffix.lower() == ".pdf":
            what = f"; it looks like {other}" if other else ""
            raise IngestError.of("corrupt_pdf", detail=f"the file is named .pdf but has no %PDF- header{what}")
        if other or b"\x00" in head:
            raise IngestError.of("unsupported_type", detail=other or "binary data",
                                 detail_id=other or "data biner")
        pages, warnings = _read_text(path)
        method, media_type = "text", "text/plain"

    source = SourceInfo(
        path=path.name,
        sha256=sha256_file(path),
        media_type=media_type,
        pages=len(pages),
        method=method,
        seconds=round(time.monotonic() - started, 3),
    )
    return LoadedDocument(pages=pages, source=source, warnings=warnings)


def _read_text(path: Path) -> tuple[list[str], list[ParseWarning]]:
    raw = path.read_bytes()
    warnings: list[ParseWarning] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise IngestError.of("unsupported_type", detail="text that is neither UTF-8 nor cp1252",
                                 detail_id="teks yang bukan UTF-8 maupun cp1252") from exc
        warnings.append(ParseWarning(
            "text_encoding_cp1252",
            f"not valid UTF-8 (byte {exc.start}); read as Windows-1252 (cp1252): check accented characters"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    if not any(p.strip() for p in pages):
        raise IngestError.of("no_text", detail="the file holds only white space",
                             detail_id="berkas hanya berisi spasi")
    return pages, warnings


# --- the PDF-reading child process -------------------------------------------------------
# A plain subprocess (``python -m ingest.loader``), not multiprocessing: it never re-imports the
# caller's __main__ (a CLI or a server that has torch loaded), works from threads and daemon
# processes, and costs ~0.1 s to start. It speaks JSON lines on stdout.

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


def die_with_parent() -> None:
    """In a reader child: be killed (SIGKILL) when the process that started it dies, so a server
    killed with -9 leaves no PDF reader behind. Linux only (prctl PR_SET_PDEATHSIG); the parent's
    pid comes in ``JDIH_PARENT_PID`` so that a parent already gone is noticed too."""
    import ctypes
    import signal as _signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, _signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    expected = os.environ.get("JDIH_PARENT_PID", "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)  # the parent died before prctl took effect


def child_env(extra_path: str) -> dict[str, str]:
    """The environment of a reader child: ours, the package on PYTHONPATH, our pid as its parent."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, env.get("PYTHONPATH")) if p)
    env["JDIH_PARENT_PID"] = str(os.getpid())
    return env


def _worker_main(argv: list[str]) -> int:
    """Child side: ``python -m ingest.loader PATH SETTINGS_JSON MEMORY_LIMIT``."""
    import json
    import sys

    die_with_parent()

    from ingest.pdf import read_pdf

    path, settings_json, memory_limit = argv[0], argv[1], int(argv[2])
    if memory_limit:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):
            pass
    raw = json.loads(settings_json)
    settings = Settings(**{**raw, "data_dir": Path(raw["data_dir"])})
    out = sys.stdout

    def send(obj) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()

    try:
        result = read_pdf(path, settings=settings, progress=lambda d, t: send({"progress": [d, t]}))
        send({"ok": asdict(result)})
    except IngestError as exc:
        send({"error": exc.to_dict()})
    except MemoryError:
        mb = memory_limit // 1024**2
        send({"error": IngestError.of(
            "too_large", detail=f"reading it needs more than {mb:,} MB of memory",
            detail_id=f"pembacaannya memerlukan lebih dari {mb:,} MB memori").to_dict()})
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file triggers, the caller gets a code
        send({"error": IngestError.of("corrupt_pdf", detail=f"{type(exc).__name__}: {exc}").to_dict()})
    return 0


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child and any Tesseract it started
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()


def _read_pdf_isolated(path: Path, settings: Settings, progress: Progress | None,
                       memory_limit: int = MEMORY_LIMIT_BYTES) -> PdfText:
    import json
    import selectors
    import sys
    import tempfile

    settings_json = json.dumps({**asdict(settings), "data_dir": str(settings.data_dir)})
    env = child_env(_PACKAGE_ROOT)
    timeout = float(settings.parse_timeout_s)
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.loader", str(path), settings_json, str(memory_limit)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errfile, env=env,
            start_new_session=True,  # own process group, so a timeout kills Tesseract too
        )
        buf = b""
        answered = False
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                while True:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise IngestError.of("timeout", detail=f"limit {timeout:g} s",
                                             detail_id=f"batas {timeout:g} detik")
                    if not sel.select(min(remaining, 1.0)):
                        continue
                    chunk = os.read(proc.stdout.fileno(), 1 << 20)
                    if not chunk:  # the child ended without an answer: killed or crashed
                        proc.wait()
                        errfile.seek(0)
                        tail = errfile.read()[-300:].decode("utf-8", "replace").strip()
                        why = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
                        if proc.returncode == -signal.SIGKILL:
                            why += ", perhaps out of memory"
                        raise IngestError.of("corrupt_pdf", detail=f"the PDF reader stopped unexpectedly ({why})"
                                             + (f": {tail}" if tail else ""))
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        msg = json.loads(line)
                        if "progress" in msg:
                            if progress is not None:
                                progress(*msg["progress"])
                        elif "ok" in msg:
                            answered = True
                            d = msg["ok"]
                            d["warnings"] = [ParseWarning(**w) for w in d["warnings"]]
                            return PdfText(**d)
                        else:
                            answered = True
                            raise IngestError.of_dict(msg["error"])
        finally:
            try:  # a child that answered is exiting; any other is killed at once
                proc.wait(timeout=0.5 if answered else 0)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
            proc.stdout.close()


if __name__ == "__main__":
    import sys

    sys.exit(_worker_main(sys.argv[1:]))
