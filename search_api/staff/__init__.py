"""The legal staff's side of the API: uploads and jobs, a work's record, relations, versions and
files, the services' legal basis, the audit log, accounts, and the change feed; one router per resource, wired into the app
by :func:`install` (with the body-size limit and the job worker)."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi.concurrency import run_in_threadpool

from search_api.auth import FailureLimiter
from search_api.staff import accounts, audit, changes, records, relations, service_links, uploads, versions
from search_api.staff.service import StaffService


def install(app) -> None:
    """Add the staff side to an app made by ``create_app`` (one call there)."""
    app.state.staff = StaffService(app.state.settings, app.state.kb)
    app.state.auth_failures = FailureLimiter()
    prefix = "/api/v1"
    for module in (uploads, changes):
        app.include_router(module.router, prefix=prefix)
    for module in (records, relations, service_links, versions, audit, accounts):
        app.include_router(module.router, prefix=prefix)
    app.add_middleware(uploads.BodyLimitMiddleware, limit=app.state.settings.max_file_bytes + uploads.MULTIPART_SLACK,
                       json_limit=app.state.settings.max_json_bytes)

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        # jobs left running by a process that died are resumed (or failed) as the server starts
        # files left by a process that died are removed; its running jobs are resumed (or failed)
        try:
            await run_in_threadpool(app.state.staff.sweep_files)
        except Exception:  # noqa: BLE001 - a busy database must not stop the start
            import logging

            logging.getLogger("jdih.staff").exception("start-up sweep failed")
        await run_in_threadpool(app.state.staff.ensure_worker)
        try:
            async with inner(a) as state:
                yield state
        finally:
            app.state.staff.stop()

    app.router.lifespan_context = lifespan
