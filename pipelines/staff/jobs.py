"""A job queue persisted in SQLite, and the worker thread that runs it.

Uploads answer at once with a job; the work (reading, OCR, parsing, embedding, writing) runs
here, outside the request. A job is ``queued`` -> ``running`` -> ``done`` | ``failed``; its
``progress`` (pages read, OCR pages, chunks embedded) is updated as it goes and its ``result``
or ``error`` (code, English and Indonesian message) stays readable afterwards.

Jobs survive the process: on start, :meth:`JobQueue.recover` finds jobs left ``running`` by a
process that is gone (same host and its pid is dead, or no heartbeat for ``STALE_S``) and queues
them again, up to ``MAX_ATTEMPTS``; after that they are marked failed with the reason. Re-running
is safe because an ingest job reads its stored file again and writes the work atomically, and
marks itself done in that same transaction.

    queue = JobQueue(store)
    job = queue.enqueue("upload", params={...}, created_by="staff-1 (ab12...)")
    worker = Worker(queue, handlers={"upload": run_upload}); worker.start()
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ingest.errors import IngestError
from pipelines.staff.accounts import now
from pipelines.staff.files import pid_alive

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")
MAX_ATTEMPTS = 3
STALE_S = 300  # a running job whose owner has not written for this long is presumed dead
HEARTBEAT_S = 15
# A job is *large* when its file is a text over this many bytes or a PDF over this many pages (a
# scan is read page by page with OCR): the express worker leaves those to the main worker, so one
# long job never stalls the short ones behind it (issue 17, item 10). JDIH_JOB_LARGE_TEXT_BYTES
# and JDIH_JOB_LARGE_PAGES override them.
LARGE_TEXT_BYTES = 300_000  # the largest text of the shipped corpus, UU 12/2011, is 207 KB
LARGE_PAGES = 40

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    params TEXT NOT NULL,          -- JSON
    progress TEXT NOT NULL DEFAULT '{}',
    result TEXT,                   -- JSON, when done
    error TEXT,                    -- JSON {code, message, message_id}, when failed
    work_id TEXT,
    file_sha256 TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    heartbeat_at TEXT,
    owner TEXT,                    -- host:pid of the process running it
    attempts INTEGER NOT NULL DEFAULT 0
)
"""
_COLS = ("id", "kind", "state", "params", "progress", "result", "error", "work_id", "file_sha256", "created_by",
         "created_at", "started_at", "finished_at", "heartbeat_at", "owner", "attempts")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)
    conn.execute("CREATE INDEX IF NOT EXISTS ix_jobs_state ON jobs (state, created_at)")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_jobs_sha ON jobs (file_sha256)")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def is_large(params: dict[str, Any]) -> bool:
    """Whether a job's file will take long (see ``LARGE_TEXT_BYTES``, ``LARGE_PAGES``); a job
    that says nothing of its file (a metadata-only upload, another kind) is small."""
    pages = params.get("pages")
    if isinstance(pages, int) and pages > _env_int("JDIH_JOB_LARGE_PAGES", LARGE_PAGES):
        return True
    size = params.get("size")
    text = pages is None and not str(params.get("media_type") or "").endswith("pdf")
    return bool(text and isinstance(size, int) and size > _env_int("JDIH_JOB_LARGE_TEXT_BYTES", LARGE_TEXT_BYTES))


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobFailed(Exception):
    """Raised by a handler to fail its job with a code and messages in both languages."""

    def __init__(self, code: str, message: str, message_id: str | None = None, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.message_id, self.extra = code, message, message_id or message, extra

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_id": self.message_id, **self.extra}


@dataclass
class Job:
    id: str
    kind: str
    state: str
    params: dict[str, Any]
    progress: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    work_id: str | None = None
    file_sha256: str | None = None
    created_by: str = ""
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    heartbeat_at: str | None = None
    owner: str | None = None
    attempts: int = 0

    @classmethod
    def from_row(cls, row) -> "Job":
        d = dict(zip(_COLS, row))
        for k in ("params", "progress", "result", "error"):
            d[k] = json.loads(d[k]) if d[k] else ({} if k in ("params", "progress") else None)
        return cls(**d)

    def public(self) -> dict[str, Any]:
        """What the API shows: no internal params (file paths, actor) beyond the essentials."""
        return {"id": self.id, "kind": self.kind, "state": self.state, "progress": self.progress,
                "result": self.result, "error": self.error, "work_id": self.work_id,
                "file_sha256": self.file_sha256, "created_by": self.created_by, "created_at": self.created_at,
                "started_at": self.started_at, "finished_at": self.finished_at, "attempts": self.attempts}


def active_with_file(conn: sqlite3.Connection, sha256: str) -> list[str]:
    """The ids of the queued or running jobs on these bytes (none when the table is not made yet)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='jobs'").fetchone():
        return []
    return [r[0] for r in conn.execute("SELECT id FROM jobs WHERE file_sha256 = ? AND state IN ('queued', 'running')",
                                       (sha256,))]


class JobQueue:
    """The jobs table, over the store's per-thread connection (``store.control()``)."""

    def __init__(self, store):
        self.store = store
        self.wakeup = threading.Event()
        with store.transaction():
            ensure_schema(self.conn)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.control()

    def enqueue(self, kind: str, *, params: dict[str, Any], created_by: str, work_id: str | None = None,
                file_sha256: str | None = None) -> Job:
        job_id = uuid.uuid4().hex
        self.conn.execute(
            "INSERT INTO jobs (id, kind, state, params, work_id, file_sha256, created_by, created_at) "
            "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)",
            (job_id, kind, json.dumps(params, ensure_ascii=False), work_id, file_sha256, created_by, now()))
        self.wakeup.set()
        return self.get(job_id)

    def get(self, job_id: str) -> Job | None:
        row = self.conn.execute(f"SELECT {', '.join(_COLS)} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row else None

    def list(self, *, state: str | None = None, limit: int = 100) -> list[Job]:
        where, args = ("WHERE state = ?", (state,)) if state else ("", ())
        rows = self.conn.execute(f"SELECT {', '.join(_COLS)} FROM jobs {where} ORDER BY created_at DESC LIMIT ?",
                                 (*args, limit)).fetchall()
        return [Job.from_row(r) for r in rows]

    def pending_with_file(self, sha256: str) -> Job | None:
        row = self.conn.execute(f"SELECT {', '.join(_COLS)} FROM jobs WHERE file_sha256 = ? AND state IN ('queued', 'running') "
                                "ORDER BY created_at LIMIT 1", (sha256,)).fetchone()
        return Job.from_row(row) if row else None

    def claim(self, owner: str | None = None, *, small_only: bool = False) -> Job | None:
        """Take the oldest queued job (atomic: two workers never take the same one); with
        ``small_only``, the oldest that is not large (:func:`is_large`)."""
        owner = owner or owner_id()
        at = now()
        with self.store.transaction():
            if small_only:
                rows = self.conn.execute("SELECT id, params FROM jobs WHERE state = 'queued' "
                                         "ORDER BY created_at, id LIMIT 500").fetchall()
                row = next((r for r in rows if not is_large(json.loads(r[1] or "{}"))), None)
            else:
                row = self.conn.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1").fetchone()
            if row is None:
                return None
            self.conn.execute("UPDATE jobs SET state = 'running', owner = ?, started_at = ?, heartbeat_at = ?, "
                              "attempts = attempts + 1, error = NULL WHERE id = ? AND state = 'queued'",
                              (owner, at, at, row[0]))
        return self.get(row[0])

    def progress(self, job_id: str, **values: Any) -> None:
        job = self.get(job_id)
        if job is None:
            return
        merged = {**job.progress, **values}
        self.conn.execute("UPDATE jobs SET progress = ?, heartbeat_at = ? WHERE id = ?",
                          (json.dumps(merged, ensure_ascii=False), now(), job_id))

    def cancel(self, job_id: str, *, by: str) -> Job | None:
        """Staff cancel: a queued job fails at once with code ``cancelled``; a running one is
        flagged and stops at its next progress check (:meth:`check`). Done/failed jobs are left."""
        with self.store.transaction():
            job = self.get(job_id)
            if job is None or job.state in ("done", "failed"):
                return job
            if job.state == "queued":
                self.fail(job_id, cancelled_error(by))
            else:
                self.conn.execute("UPDATE jobs SET progress = json_set(progress, '$.cancel_requested', ?) WHERE id = ?",
                                  (by, job_id))
        return self.get(job_id)

    def check(self, job_id: str) -> None:
        """Called by a handler between steps: raises :class:`JobFailed` when staff asked to cancel
        the job or it has run longer than ``JDIH_JOB_TIMEOUT_S`` (default 1800 s)."""
        job = self.get(job_id)
        if job is None:
            return
        by = job.progress.get("cancel_requested")
        if by:
            err = cancelled_error(by)
            raise JobFailed(err["code"], err["message"], err["message_id"])
        if job.started_at:
            started = datetime.fromisoformat(job.started_at)
            if started.tzinfo is None:
                started = started.replace(tzinfo=timezone.utc)
            limit = job_timeout_s()
            if (datetime.now(timezone.utc) - started).total_seconds() > limit:
                raise JobFailed("job_timeout", f"The job ran longer than its limit ({limit:,} s, JDIH_JOB_TIMEOUT_S); nothing was stored.",
                                f"Tugas berjalan melebihi batasnya ({limit:,} dtk, JDIH_JOB_TIMEOUT_S); tidak ada yang disimpan.")

    def finish(self, job_id: str, result: dict[str, Any], *, work_id: str | None = None) -> None:
        """Mark done; call inside the transaction that wrote the job's effect."""
        self.conn.execute("UPDATE jobs SET state = 'done', result = ?, finished_at = ?, work_id = coalesce(?, work_id) "
                          "WHERE id = ?", (json.dumps(result, ensure_ascii=False, default=str), now(), work_id, job_id))

    def fail(self, job_id: str, error: dict[str, Any]) -> None:
        self.conn.execute("UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?",
                          (json.dumps(error, ensure_ascii=False, default=str), now(), job_id))

    def recover(self) -> list[tuple[str, str]]:
        """Jobs left running by a dead process: queued again, or failed after MAX_ATTEMPTS.
        Returns ``[(job_id, 'requeued' | 'failed')]``."""
        me_host = socket.gethostname()
        stale_before = (datetime.now(timezone.utc) - timedelta(seconds=STALE_S)).isoformat(timespec="seconds")
        out = []
        with self.store.transaction():
            rows = self.conn.execute("SELECT id, owner, heartbeat_at, attempts FROM jobs WHERE state = 'running'").fetchall()
            for job_id, owner, heartbeat, attempts in rows:
                host, _, pid = (owner or ":").rpartition(":")
                dead = (host == me_host and pid.isdigit() and not pid_alive(int(pid))) or (heartbeat or "") < stale_before
                if not dead:
                    continue
                if attempts >= MAX_ATTEMPTS:
                    self.fail(job_id, {
                        "code": "interrupted",
                        "message": f"The server stopped {attempts} times while running this job; it was not retried again. "
                                   "Nothing of it was stored; upload the file again.",
                        "message_id": f"Server berhenti {attempts} kali saat menjalankan tugas ini; tugas tidak diulang lagi. "
                                      "Tidak ada yang tersimpan darinya; unggah berkas itu lagi."})
                    out.append((job_id, "failed"))
                else:
                    self.conn.execute("UPDATE jobs SET state = 'queued', owner = NULL, progress = json_set(progress, "
                                      "'$.resumed_after', ?) WHERE id = ?", (f"the server stopped during attempt {attempts}", job_id))
                    out.append((job_id, "requeued"))
        if out:
            self.wakeup.set()
        return out


def job_timeout_s() -> int:
    raw = os.environ.get("JDIH_JOB_TIMEOUT_S", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1800


def cancelled_error(by: str) -> dict[str, Any]:
    return {"code": "cancelled", "message": f"Cancelled by {by}; nothing of this job was stored.",
            "message_id": f"Dibatalkan oleh {by}; tidak ada yang disimpan dari tugas ini."}


Handler = Callable[[Job, JobQueue], dict[str, Any]]


class Worker(threading.Thread):
    """Runs queued jobs one at a time (CPU-heavy: OCR and embedding use the cores themselves).
    The staff service runs two: the main worker takes the oldest job of any size, the express
    worker (``small_only``) the oldest small one, so a short upload is not queued behind a long one.

    A handler returns the job's result; it may finish the job itself (inside its write
    transaction, via ``queue.finish``). :class:`JobFailed` or any IngestError fails the job with
    its code and messages; anything else fails it as ``internal_error`` and is logged.
    """

    def __init__(self, queue: JobQueue, handlers: dict[str, Handler], *, poll_s: float = 2.0,
                 on_change: Callable[[], None] | None = None, small_only: bool = False):
        super().__init__(name="jdih-job-worker-express" if small_only else "jdih-job-worker", daemon=True)
        self.queue = queue
        self.handlers = handlers
        self.poll_s = poll_s
        self.on_change = on_change  # called after each job (readers in this process re-read at once)
        self.small_only = small_only
        self._stop_event = threading.Event()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop_event.set()
        self.queue.wakeup.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def run(self) -> None:
        if not self.small_only:  # one recovery per process: the main worker's
            try:
                self.queue.recover()
            except Exception:  # noqa: BLE001 - a locked database at start must not kill the worker
                log.exception("job recovery failed")
        while not self._stop_event.is_set():
            try:
                job = self.queue.claim(small_only=self.small_only)
            except sqlite3.OperationalError:
                log.warning("job queue busy; retrying", exc_info=True)
                job = None
            if job is None:
                self.queue.wakeup.wait(self.poll_s)
                self.queue.wakeup.clear()
                continue
            self.run_one(job)
            if self.on_change is not None:
                self.on_change()

    def _heartbeat(self, job_id: str, done: threading.Event) -> None:
        """While a job runs, its heartbeat is refreshed, so another process never takes it for dead."""
        while not done.wait(HEARTBEAT_S):
            try:
                self.queue.conn.execute("UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running'",
                                        (now(), job_id))
            except sqlite3.OperationalError:  # busy: the next beat will do
                pass

    def run_one(self, job: Job) -> None:
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job.id, done), daemon=True, name="jdih-job-heartbeat")
        beat.start()
        try:
            self._run_one(job)
        finally:
            done.set()
            beat.join(5)

    def _run_one(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise JobFailed("unknown_job", f"No handler for jobs of kind {job.kind!r}.")
            result = handler(job, self.queue)
            current = self.queue.get(job.id)
            if current is not None and current.state == "running":
                self.queue.finish(job.id, result or {})
        except JobFailed as exc:
            self.queue.fail(job.id, exc.to_dict())
        except IngestError as exc:
            self.queue.fail(job.id, exc.to_dict())
        except Exception as exc:  # noqa: BLE001 - the job fails with a reason; the worker goes on
            cause = exc.__cause__ if isinstance(exc.__cause__, IngestError) else None
            if cause is not None:
                self.queue.fail(job.id, cause.to_dict())
            elif _storage_full(exc):
                log.error("job %s failed: storage full (%s)", job.id, exc)
                self.queue.fail(job.id, {"code": "storage_full",
                                         "message": "The server's storage is full; nothing of this job was stored. Free space and upload again.",
                                         "message_id": "Penyimpanan server penuh; tidak ada yang disimpan dari tugas ini. Kosongkan ruang lalu unggah lagi."})
            else:
                log.error("job %s failed:\n%s", job.id, traceback.format_exc())
                self.queue.fail(job.id, {"code": "internal_error",
                                         "message": f"The job failed unexpectedly ({type(exc).__name__}: {exc}); it has been logged.",
                                         "message_id": f"Tugas gagal secara tak terduga ({type(exc).__name__}: {exc}); telah dicatat."})


def _storage_full(exc: BaseException) -> bool:
    from pipelines.staff.files import is_storage_full

    return is_storage_full(exc)


def wait_for(queue: JobQueue, job_id: str, *, timeout_s: float = 600, poll_s: float = 0.5) -> Job:
    """Poll until the job is done or failed (CLI and tests)."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = queue.get(job_id)
        if job is None or job.state in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(poll_s)
