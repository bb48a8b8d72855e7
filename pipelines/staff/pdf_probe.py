"""Opening an uploaded PDF in a child process before it is stored (:func:`probe_pdf`): an
address-space limit, a timeout and its own process group, so a hostile PDF can neither exhaust
the server nor hang the request. This module imports only what opening a PDF needs: it is the
child's ``__main__`` (``python -m pipelines.staff.pdf_probe probe PATH LIMIT``)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ingest.errors import IngestError
from ingest.pdf import open_pdf
from pipelines.staff.records import UploadRejected

PROBE_TIMEOUT_S = 60
PROBE_MEMORY_BYTES = 2 * 1024**3


def probe_pdf(path: Path, *, settings=None, timeout_s: float = PROBE_TIMEOUT_S,
              memory_limit: int = PROBE_MEMORY_BYTES) -> int:
    """Open a PDF in a child process (address-space limit, timeout, own process group) and count
    its pages; an IngestError (encrypted_pdf, corrupt_pdf, empty_pdf, timeout) becomes
    :class:`UploadRejected`."""
    from ingest.loader import child_env

    env = child_env(str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.staff.pdf_probe", "probe", str(path), str(memory_limit)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.communicate()
        raise UploadRejected.from_ingest(IngestError.of("timeout", detail=f"opening the PDF took over {timeout_s:g} s",
                                                        detail_id=f"membuka PDF lebih dari {timeout_s:g} detik")) from None
    try:
        answer = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        why = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        raise UploadRejected.from_ingest(IngestError.of(
            "corrupt_pdf", detail=f"the PDF reader stopped unexpectedly ({why})")) from None
    if "error" in answer:
        raise UploadRejected.from_ingest(IngestError.of_dict(answer["error"]))
    return int(answer["pages"])


def _probe_main(path: str, memory_limit: int) -> int:
    """Child side of :func:`probe_pdf`: prints ``{"pages": n}`` or ``{"error": {...}}``."""
    from ingest.loader import die_with_parent

    die_with_parent()
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    except (ImportError, ValueError, OSError):
        pass

    def answer(obj) -> int:
        print(json.dumps(obj, ensure_ascii=False))
        return 0

    try:
        try:
            doc = open_pdf(path)
        except IngestError as exc:
            if exc.code != "corrupt_pdf":
                raise
            # as the reader does: pypdf's lenient parser tells "no pages" from "damaged"
            import logging as _logging

            import pypdf

            _logging.getLogger("pypdf").setLevel(_logging.ERROR)
            try:
                n = len(pypdf.PdfReader(path, strict=False).pages)
            except Exception:  # noqa: BLE001
                raise exc from None
            if n == 0:
                raise IngestError.of("empty_pdf") from None
            return answer({"pages": n, "repaired": True})
        n = len(doc)
        doc.close()
        if n == 0:
            raise IngestError.of("empty_pdf")
        return answer({"pages": n})
    except IngestError as exc:
        return answer({"error": exc.to_dict()})
    except MemoryError:
        return answer({"error": IngestError.of("too_large", detail="opening it needs more memory than allowed").to_dict()})
    except Exception as exc:  # noqa: BLE001
        return answer({"error": IngestError.of("corrupt_pdf", detail=f"{type(exc).__name__}: {exc}").to_dict()})


if __name__ == "__main__" and len(sys.argv) >= 3 and sys.argv[1] == "probe":
    sys.exit(_probe_main(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else PROBE_MEMORY_BYTES))
