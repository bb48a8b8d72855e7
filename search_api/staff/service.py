"""The legal staff's side of the API: edits, withdrawal, relations, versions, files, audit, accounts.

Routes (all under /api/v1; writes need a staff token, the audit log and accounts an admin token):

- PATCH  /regulations/{id}                  edit catalogue fields (validated; status only where no relation explains it)
- DELETE /regulations/{id}                  withdraw (soft); POST /regulations/{id}/restore brings it back
- GET    /regulations/{id}/relations        effective relations both ways and the derived status
- POST   /regulations/{id}/relations        add a relation by hand (active voice); DELETE ...?type=&target= removes one
- POST   /services/{id}/links/{work}/confirm, POST /services/{id}/links, DELETE /services/{id}/links/{work}
                                            confirm, add or remove a service's legal basis
- GET    /regulations/{id}/versions         versions; /versions/{n} one version; /versions/{n}/file its file
- GET    /regulations/{id}/file             the newest original file (Content-Type, Content-Disposition, ETag)
- GET    /withdrawn                         withdrawn works (staff)
- GET    /audit                             the audit log (admin)
- GET/POST /accounts, DELETE /accounts/{id} tokens (admin)

:func:`search_api.staff.install` wires all of it (these routers, uploads, jobs, the change feed, the body-size
limit and the job worker) into the app made by ``jdih_server.app.create_app``.
"""
from __future__ import annotations

import os
import threading

from fastapi import Request

from pipelines.staff.control import ControlPlane
from pipelines.staff.jobs import JobQueue, Worker
from pipelines.staff.records import UploadRejected
from pipelines.staff.uploads import UploadIngester
from search_api.errors import ApiProblem, not_found
from search_api.staff.uploads import rejected


class StaffService:
    """The store, job queue and worker of one app (``app.state.staff``)."""

    def __init__(self, settings, kb):
        self.settings = settings
        self.kb = kb
        self._queue = None
        self._worker = None
        self._express = None  # the express worker: small jobs only (pipelines.staff.jobs.is_large)
        self._express_ingester = None
        self._lock = threading.Lock()
        self.ingester = None

    @property
    def store(self):
        return self.kb.store

    @property
    def control(self) -> ControlPlane:
        return self.kb.control

    @property
    def queue(self):
        if self._queue is None:
            with self._lock:
                if self._queue is None:
                    with self.control.transaction() as control:
                        control.ensure_schema()
                    self._queue = JobQueue(self.store)
        return self._queue

    def ensure_worker(self) -> None:
        if os.environ.get("JDIH_JOB_WORKER", "1").strip().lower() in ("0", "off", "false", "no"):
            return
        express = os.environ.get("JDIH_JOB_EXPRESS", "1").strip().lower() not in ("0", "off", "false", "no")

        def running() -> bool:
            return (self._worker is not None and self._worker.is_alive()
                    and (not express or self._express is not None and self._express.is_alive()))

        with self._lock:
            if running():
                return
        queue = self.queue
        with self._lock:
            if running():
                return
            if self._worker is None or not self._worker.is_alive():
                self.ingester = self.ingester or UploadIngester(self.store, self.settings)
                self._worker = Worker(queue, {"upload": self.ingester}, on_change=self.invalidate)
                self._worker.start()
            if express and (self._express is None or not self._express.is_alive()):
                # a pipeline of its own (Haystack pipelines are not shared between threads)
                self._express_ingester = self._express_ingester or UploadIngester(self.store, self.settings)
                self._express = Worker(queue, {"upload": self._express_ingester}, on_change=self.invalidate,
                                       small_only=True)
                self._express.start()

    def sweep_files(self) -> dict[str, list[str]]:
        """At start-up: remove temporary files of dead processes and stored files nothing holds."""
        import logging

        self.queue  # makes the tables
        with self.control.transaction() as control:
            removed = control.sweep_files(self.settings.files_dir)
        if removed["tmp"] or removed["orphans"]:
            logging.getLogger("jdih.staff").warning("start-up sweep removed %d temporary and %d orphaned files",
                                                    len(removed["tmp"]), len(removed["orphans"]))
        return removed

    def stop(self) -> None:
        for worker in (self._worker, self._express):
            if worker is not None:
                worker.stop()

    def invalidate(self) -> None:
        """Read-your-writes: after a change made in this process, the next request re-reads the
        snapshot instead of waiting for the knowledge base's periodic generation check."""
        if hasattr(self.kb, "_checked"):
            self.kb._checked = 0.0  # noqa: SLF001 - KnowledgeBase has no public invalidate() yet


def svc(request: Request) -> StaffService:
    return request.app.state.staff


def call(request: Request, fn, *args, **kw):
    """Run a curation function; the app's readers see its effect at once."""
    try:
        return fn(svc(request).store, *args, **kw)
    except UploadRejected as exc:
        raise rejected(exc) from None
    finally:
        svc(request).invalidate()


def gone_or_missing(request: Request, work_id: str):
    if svc(request).control.is_withdrawn(work_id):
        raise ApiProblem("gone", f"Regulation {work_id!r} was withdrawn.", f"Peraturan {work_id!r} telah ditarik.",
                         links={"restore": f"/api/v1/regulations/{work_id}/restore"})
    raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")


PUBLIC_MISSING = {404: {"description": "no such regulation, version or file"},
                  410: {"description": "the regulation was withdrawn (a link to restore it, for staff)"}}
