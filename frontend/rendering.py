"""What every web page shares: templates, the page context (language, translator, static URLs),
rendering with the security headers, the HTML-only route class and the small naming helpers
(dimension, jenis, citation label, reader URL). The pages themselves are in ``frontend/pages/``."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.requests import Request
from starlette.routing import Match

from frontend.i18n import COOKIE, STRINGS, pick_lang, translator
from ingest.ids import JENIS
from ingest.vocabulary import STATUSES
from pipelines.indexing.dimensions import default_taxonomy
from search_api.errors import ApiProblem

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PER_PAGE = 10
PASSAGES_SHOWN = 3
FRAGMENT_HEADER = "x-fragment"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

templates = Jinja2Templates(directory=str(HERE / "templates"))


# ---- routing helpers ---------------------------------------------------------------------------

def prefers_html(headers: dict[str, str]) -> bool:
    """True when the Accept header ranks text/html before JSON (what a browser sends)."""
    accept = headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    if "application/json" not in accept:
        return True
    return accept.index("text/html") < accept.index("application/json")


class HtmlOnlyRoute(APIRoute):
    """A route that matches only requests preferring HTML, so the JSON route of the same path
    (registered after it) answers everything else."""

    def matches(self, scope):
        match, child = super().matches(scope)
        if match is not Match.NONE:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if not prefers_html(headers):
                return Match.NONE, {}
        return match, child



@lru_cache(maxsize=None)
def static_version(name: str) -> str:
    """Content hash of a static file: its URL changes when it does, so it can be cached for long."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


# ---- rendering ---------------------------------------------------------------------------------

def page_context(request: Request) -> dict[str, Any]:
    lang, remember = pick_lang(request.query_params.get("lang"), request.cookies.get(COOKIE))
    other = "en" if lang == "id" else "id"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch_url = request.url.path + "?" + urlencode(params + [("lang", other)])
    return {"request": request, "lang": lang, "t": translator(lang), "switch_url": switch_url,
            "remember_lang": remember, "static": lambda name: f"/static/{name}?v={static_version(name)}",
            "status_names": {s: translator(lang)(f"status.{s}") for s in STATUSES},
            "dim_name": lambda d: dimension_name(d, lang), "jenis_name": jenis_name,
            "cite_label": cite_label}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    ctx = page_context(request)
    ctx.setdefault("section", None)
    ctx.update(context)
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if ctx["remember_lang"]:
        response.set_cookie(COOKIE, ctx["lang"], max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    response.headers["Vary"] = "Accept, Cookie, X-Fragment"
    # scripts and styles only from our own files: text from documents and staff input can never run
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Language"] = ctx["lang"]
    return response


def error_page(request: Request, status_code: int, message: str | None = None) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message, json_url=None)


@lru_cache(maxsize=None)
def taxonomy():
    return default_taxonomy()


def dimension_name(dimension_id: str, lang: str = "id") -> str:
    try:
        d = taxonomy().get(dimension_id)
    except KeyError:
        return dimension_id
    return d.name["en"] if lang == "en" else d.name["id"]


def jenis_name(code: str) -> str:
    return JENIS.get(code, (code, code))[0]


def cite_label(reg: dict[str, Any]) -> str:
    """``PP 71/2019``: the short name people cite a work by."""
    abbr = reg.get("singkatan") or reg.get("jenis") or ""
    region = reg.get("region")
    where = f" {str(region).replace('-', ' ').title()}" if region else ""
    number = reg.get("nomor") or ""
    return f"{abbr}{where} {number}/{reg.get('tahun') or ''}".strip() if number else f"{abbr}{where} {reg.get('tahun') or ''}".strip()


def full_title(reg: dict[str, Any]) -> str:
    """``Peraturan Pemerintah Nomor 71 Tahun 2019 tentang ...`` (the form a citation takes)."""
    parts = [reg.get("jenis") or reg.get("singkatan") or ""]
    if reg.get("region") and reg.get("jenis_code") not in (None, "uu", "pp", "perpres"):
        parts.append(str(reg["region"]).replace("-", " ").title())
    if reg.get("nomor"):
        parts.append(f"Nomor {reg['nomor']}")
    if reg.get("tahun"):
        parts.append(f"Tahun {reg['tahun']}")
    title = " ".join(p for p in parts if p)
    return f"{title} tentang {reg['judul']}" if reg.get("judul") else title


def pasal_anchor(pasal: str, prefix: str = "") -> str:
    """``pasal-27`` (the reader's fragment for Pasal 27); ``45A`` -> ``pasal-45a``."""
    return prefix + "pasal-" + re.sub(r"[^0-9a-z]+", "-", str(pasal).lower()).strip("-")


def reader_url(reg: dict[str, Any], pasal: str | None = None) -> str:
    base = reg.get("uri") or f"/peraturan/{reg['id']}"
    return base + (f"#{pasal_anchor(pasal)}" if pasal else "")


def problem_text(exc: Exception, lang: str) -> str:
    if isinstance(exc, ApiProblem):
        return exc.detail if lang == "en" else exc.detail_id
    if isinstance(exc, ValidationError):
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return (f"Invalid value for: {fields}." if lang == "en" else f"Nilai tidak valid untuk: {fields}.")
    return str(exc)



def relation_name(kind: str, lang: str) -> str:
    key = f"rel.{kind}"
    return translator(lang)(key) if key in STRINGS else kind.replace("_", " ").capitalize()

