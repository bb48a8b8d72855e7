"""The web pages, server-rendered with Jinja2 over the same knowledge base as the API.

Pages (every one has a JSON twin, linked from the page with ``<link rel="alternate">``):

| page | JSON twin |
|---|---|
| ``/`` search (``?q=&jenis=&tahun=&status=&dimension=&page=``) | ``/api/v1/search`` (``/api/v1/regulations`` without ``q``) |
| ``/tanya?q=`` ask | ``POST /api/v1/ask`` |
| ``/akn/...`` reader (a browser's ``Accept: text/html``), ``/peraturan/{id}`` | the same ``/akn/...`` as JSON, ``/api/v1/regulations/{id}`` |
| ``/dimensi``, ``/dimensi/{id}`` Smart City explorer | ``/api/v1/dimensions``, ``/api/v1/dimensions/{id}`` |
| ``/layanan``, ``/layanan/{id}`` the services' legal basis | ``/api/v1/services``, ``/api/v1/services/{id}`` |
| ``/staf`` staff upload and edit screens (all work is done by the staff API from the browser) | |

Install with ``install(app)`` before the API's permalink router: the ``/akn/`` page route only
matches requests that prefer HTML, every other request falls through to the JSON permalink.

Progressive enhancement: every page works without JavaScript (GET forms, links); with it, search
results refresh as one types (a debounced fetch of the same page with ``X-Fragment: results``,
answered with the results fragment only), and the ask form does the same.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from frontend.pages import ask, consolidated, dimensions, reader, search, services, staff
from frontend.rendering import STATIC


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes (call before the API's permalink router)."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(consolidated.router)
    for module in (search, ask, reader, dimensions, services, staff):
        app.include_router(module.router)
    app.include_router(reader.html_router)
