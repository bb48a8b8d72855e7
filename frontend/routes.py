"""The web pages, server-rendered with Jinja2 over the same knowledge base as the API.

Pages (every one has a JSON twin, linked from the page with ``<link rel="alternate">``):

| page | JSON twin |
|---|---|
| ``/`` search (``?q=&jenis=&tahun=&status=&dimension=&page=``) | ``/api/v1/search`` (``/api/v1/regulations`` without ``q``) |
| ``/tanya?q=`` ask | ``POST /api/v1/ask`` |
| ``/akn/...`` reader (a browser's ``Accept: text/html``), ``/peraturan/{id}`` | the same ``/akn/...`` as JSON, ``/api/v1/regulations/{id}`` |
| ``/dimensi``, ``/dimensi/{id}`` Smart City explorer | ``/api/v1/dimensions``, ``/api/v1/dimensions/{id}`` |
| ``/staf`` staff upload and edit screens (all work is done by the staff API from the browser) | |

Install with ``install(app)`` before the API's permalink router: the ``/akn/`` page route only
matches requests that prefer HTML, every other request falls through to the JSON permalink.

Progressive enhancement: every page works without JavaScript (GET forms, links); with it, search
results refresh as one types (a debounced fetch of the same page with ``X-Fragment: results``,
answered with the results fragment only), and the ask form does the same.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.routing import Match

from frontend.i18n import COOKIE, pick_lang, translator
from ingest.ids import JENIS, RegulationId
from search_api.deps import get_kb
from search_api.errors import ApiProblem
from search_api.filters import check_filters
from search_api.kb import KnowledgeBase, Snapshot, Work, _pasal_key
from search_api.models import RegulationFilters, SearchParams
from search_api.views import article_uri, regulation_detail

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


router = APIRouter(include_in_schema=False)
html_router = APIRouter(include_in_schema=False, route_class=HtmlOnlyRoute)


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes (call before the API's permalink router)."""
    from frontend import consolidated

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(consolidated.router)
    app.include_router(router)
    app.include_router(html_router)


@lru_cache(maxsize=None)
def static_version(name: str) -> str:
    """Content hash of a static file: its URL changes when it does, so it can be cached for long."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


# ---- rendering ---------------------------------------------------------------------------------

def _page_context(request: Request) -> dict[str, Any]:
    lang, remember = pick_lang(request.query_params.get("lang"), request.cookies.get(COOKIE))
    other = "en" if lang == "id" else "id"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch_url = request.url.path + "?" + urlencode(params + [("lang", other)])
    return {"request": request, "lang": lang, "t": translator(lang), "switch_url": switch_url,
            "remember_lang": remember, "static": lambda name: f"/static/{name}?v={static_version(name)}",
            "status_names": {s: translator(lang)(f"status.{s}") for s in ("berlaku", "diubah", "dicabut_sebagian", "dicabut")},
            "dim_name": lambda d: dimension_name(d, lang), "jenis_name": jenis_name,
            "cite_label": cite_label}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    ctx = _page_context(request)
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
def _taxonomy():
    from pipelines.indexing.dimensions import default_taxonomy

    return default_taxonomy()


def dimension_name(dimension_id: str, lang: str = "id") -> str:
    try:
        d = _taxonomy().get(dimension_id)
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


# ---- search ------------------------------------------------------------------------------------

FILTER_NAMES = ("jenis", "tahun", "status", "dimension")
EXAMPLE_QUERIES = ("pusat data", "informasi publik", "retribusi daerah", "data pribadi", "data centre",
                   "transformasi digital")


def _filters_from(request: Request) -> dict[str, str]:
    return {k: request.query_params[k].strip() for k in FILTER_NAMES if request.query_params.get(k, "").strip()}


def _url(path: str, params: dict[str, Any]) -> str:
    clean = [(k, v) for k, v in params.items() if v not in (None, "")]
    return path + ("?" + urlencode(clean) if clean else "")


def _problem_text(exc: Exception, lang: str) -> str:
    if isinstance(exc, ApiProblem):
        return exc.detail if lang == "en" else exc.detail_id
    if isinstance(exc, ValidationError):
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return (f"Invalid value for: {fields}." if lang == "en" else f"Nilai tidak valid untuk: {fields}.")
    return str(exc)


def _browse(snap: Snapshot, filters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"regulation": w.summary(), "score": 0.0, "articles": []} for w in snap.ordered(snap.filter(**filters))]


def _vocabulary(snap: Snapshot) -> tuple[str, ...]:
    """Words of the corpus (titles and article texts, 4+ letters, seen twice or more), for spelling
    hints; computed once per snapshot (a new ingest makes a new snapshot) and kept on it."""
    vocab = getattr(snap, "_frontend_vocabulary", None)
    if vocab is None:
        from collections import Counter

        from search_api.kb import work_text_units

        counts: Counter = Counter()
        for w in snap.works.values():
            for text in [w.field("judul") or "", *work_text_units(w)]:
                counts.update(m.lower() for m in re.findall(r"[A-Za-z]{4,}", text))
        vocab = tuple(sorted(word for word, n in counts.items() if n >= 2))
        snap._frontend_vocabulary = vocab
    return vocab


def spelling_suggestions(snap: Snapshot, q: str) -> list[str]:
    """The query with each unknown word replaced by the closest corpus word, when any is close."""
    vocab = _vocabulary(snap)
    known = set(vocab)
    changed, out = False, []
    for word in re.findall(r"\w+", q.lower()):
        close = [] if len(word) < 4 or word in known or word.isdigit() else \
            difflib.get_close_matches(word, vocab, n=1, cutoff=0.78)
        out.append(close[0] if close else word)
        changed = changed or bool(close)
    return [" ".join(out)] if changed else []


def language_hints(q: str) -> list[str]:
    """Glossary equivalents of the query's terms in the other language (``data centre`` -> ``pusat data``)."""
    from pipelines.analysis.analyzer import expansions

    return expansions(q)[:6]


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    lang = _page_context(request)["lang"]
    q = (request.query_params.get("q") or "").strip()
    raw_filters = _filters_from(request)
    mode = request.query_params.get("mode") or "hybrid"
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    snap = kb.snapshot()
    error, results, filters = None, [], {}
    try:
        if q:
            params = SearchParams(q=q, mode=mode, **raw_filters)
        else:
            params = RegulationFilters(**raw_filters)
        filters = check_filters(params)
        if q:
            from search_api.search import run_search

            results = await run_in_threadpool(run_search, kb, snap, q, params.mode.value, filters)
        elif raw_filters or request.query_params.get("semua"):
            results = _browse(snap, filters)
    except (ApiProblem, ValidationError) as exc:
        error = _problem_text(exc, lang)

    from search_api.search import facet_counts

    facets = facet_counts([r["regulation"] for r in results]) if results else None
    pages = max(1, -(-len(results) // PER_PAGE))
    page = min(page, pages)
    shown = results[(page - 1) * PER_PAGE: page * PER_PAGE]
    base = {"q": q, **raw_filters}
    if mode != "hybrid":
        base["mode"] = mode

    def link(**change: Any) -> str:
        params = {**base, **change}
        if params.get("page") == 1:
            del params["page"]
        return _url("/", params)

    active = [{"name": k, "value": v, "remove": link(**{k: None})} for k, v in raw_filters.items()]
    # hybrid search always finds something by meaning; when no passage holds a query word,
    # say so and offer the same help as for no results
    exact = any("<mark>" in (a.get("snippet") or "") for r in results for a in r["articles"])
    hints = {}
    if q and not exact and not error:
        hints = {"spelling": spelling_suggestions(snap, q), "language": language_hints(q)}
    if q:
        json_url = _url("/api/v1/search", {"q": q, **raw_filters, "mode": mode if mode != "hybrid" else None})
    else:
        json_url = _url("/api/v1/regulations", raw_filters)
    works = list(snap.works.values())
    context = dict(q=q, mode=mode, results=shown, total=len(results), facets=facets, filters=raw_filters,
                   active=active, link=link, page=page, pages=pages, error=error, hints=hints,
                   examples=EXAMPLE_QUERIES, json_url=json_url, exact=exact, browsing=not q and bool(results),
                   corpus={"works": len(works), "text": sum(1 for w in works if w.has_text)},
                   reader_url=reader_url, passages_shown=PASSAGES_SHOWN)
    if request.headers.get(FRAGMENT_HEADER) == "results":
        return render(request, "_results.html", **context)
    return render(request, "search.html", section="search", **context)


# ---- ask ---------------------------------------------------------------------------------------

EXAMPLE_QUESTIONS = ("Aturan apa tentang pusat data pemerintah?", "Siapa yang wajib menyediakan informasi publik?",
                     "Peraturan apa yang mendukung smart governance?")


def confidence_level(c: float) -> str:
    """The band of a calibrated confidence (search_api.calibration.BANDS, from the benchmark)."""
    from search_api.calibration import band

    return band(c)


@router.get("/tanya", response_class=HTMLResponse)
async def ask_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    lang = _page_context(request)["lang"]
    q = (request.query_params.get("q") or "").strip()
    result, error = None, None
    if q:
        from search_api.answering import Answerer
        from search_api.models import AskRequest

        try:
            AskRequest(question=q)
            result = await run_in_threadpool(Answerer(kb).ask, q)
        except (ApiProblem, ValidationError) as exc:
            error = _problem_text(exc, lang)
    context = dict(q=q, result=result, error=error, examples=EXAMPLE_QUESTIONS, json_url=None,
                   reader_url=reader_url, level=confidence_level, full_title=full_title)
    if request.headers.get(FRAGMENT_HEADER) == "results":
        return render(request, "_answer.html", **context)
    return render(request, "ask.html", section="ask", **context)


# ---- reader ------------------------------------------------------------------------------------

JDIHN_FIELDS = ("sumber", "subjek", "bidangHukum", "teuBadan", "penerbit", "bahasa", "deskripsiFisik")


def _changed_by(snap: Snapshot, work: Work) -> dict[str, list[dict[str, Any]]]:
    """Pasal of ``work`` -> the amendment items (of other works in the corpus) that change it.
    An item whose target article the parser left empty is placed by its target text ("Pasal 27")."""
    out: dict[str, list[dict[str, Any]]] = {}
    for other in snap.works.values():
        for item in (other.regulation or {}).get("amendments") or []:
            if item.get("target_work") != work.id:
                continue
            pasal = item.get("target_article")
            if not pasal:
                m = re.fullmatch(r"\s*Pasal\s+(\w+)\s*", item.get("target") or "")
                pasal = m.group(1) if m else None
            if not pasal:
                continue
            enacted = [a.get("number") for a in item.get("articles") or []]
            summary = other.summary()
            url = reader_url(summary, str(enacted[0])) if enacted else \
                (summary.get("uri") or f"/peraturan/{other.id}") + f"#angka-{item.get('number')}"
            out.setdefault(_pasal_key(str(pasal)), []).append({
                "by": summary, "item": item.get("number"), "operation": item.get("operation"), "url": url})
    for changes in out.values():  # oldest amendment first: the order in which the text changed
        changes.sort(key=lambda c: (c["by"].get("tahun") or 0, c["by"]["id"], str(c["item"])))
    return out


def _versions(kb: KnowledgeBase, work_id: str) -> list[dict[str, Any]]:
    """The staff side's versions of a work (oldest first); none when the store keeps no versions."""
    try:
        from pipelines.staff import versions

        return versions.list_versions(kb.store._conn(), work_id)  # noqa: SLF001 - read-only use of the store's connection
    except Exception:  # noqa: BLE001 - a store without the staff tables (e.g. Elasticsearch): no history to show
        return []


def _has_original(settings, source: dict[str, Any]) -> bool:
    """Whether GET /api/v1/regulations/{id}/file can serve this source: its bytes are in the file
    store, or it is a shipped corpus file (the staff API adopts those on first download)."""
    sha = (source.get("sha256") or "").lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        return False
    try:
        from pipelines.staff.files import FileStore

        if FileStore(settings.files_dir).exists(sha):
            return True
    except Exception:  # noqa: BLE001
        pass
    name = Path(str(source.get("path") or "")).name
    return bool(name) and (HERE.parent / "regulations" / "corpus" / name).is_file()


def reader_context(request: Request, snap: Snapshot, work: Work) -> dict[str, Any]:
    detail = regulation_detail(snap, work)
    changed_by = _changed_by(snap, work)
    own = detail["articles"]
    own_keys = {_pasal_key(a["pasal"]) for a in own}
    from search_api.consolidated import consolidation_links

    cons_links = consolidation_links(snap, work)
    for a in own:
        a["anchor"] = pasal_anchor(a["pasal"])
        a["changed_by"] = changed_by.get(_pasal_key(a["pasal"]), [])
        a["article_status"] = cons_links["article_status"].get(_pasal_key(a["pasal"]))
    for item in detail["amendments"]:
        item["target_url"] = None
        if item.get("target_work") and item["target_work"] in snap.works and item.get("target_article"):
            item["target_url"] = reader_url(snap.works[item["target_work"]].summary(), item["target_article"])
        elif item.get("target_work"):
            item["target_url"] = article_uri(item["target_work"], item.get("target_article"))
        item["target_in_corpus"] = item.get("target_work") in snap.works
        for a in item["articles"]:
            a["anchor"] = pasal_anchor(a["pasal"], "ubah-" if _pasal_key(a["pasal"]) in own_keys else "")
            a["changed_by"] = []
    versions = _versions(request.app.state.kb, work.id)
    downloads = []
    current = next((v for v in reversed(versions) if v.get("file_sha256")), None)
    if current or any(_has_original(request.app.state.settings, x) for x in detail["sources"]):
        name = (current or {}).get("file_name") or next((Path(x["path"]).name for x in detail["sources"] if x.get("path")), "")
        downloads.append({"name": name, "url": f"/api/v1/regulations/{work.id}/file",
                          "pages": next((x.get("pages") for x in detail["sources"] if x.get("pages")), None)})
    for v in versions:
        v["url"] = f"/api/v1/regulations/{work.id}/versions/{v['n']}/file" if v.get("file_sha256") else None
    rec = detail["catalogue"]
    fields = [(f"field.{k}", rec.get(k)) for k in JDIHN_FIELDS if rec.get(k) not in (None, "", [])]
    amending = [r for r in detail["relations"] if r["direction"] == "incoming" and r["type"].startswith(("diubah", "dicabut"))]
    in_tree = {p for node in _walk(detail["tree"]) for p in node["articles"]}
    outside = [a for a in own if a["pasal"] not in in_tree] if detail["tree"] else []
    return dict(reg=detail, title=full_title(detail), fields=fields, downloads=downloads, amending=amending,
                versions=versions, outside=outside, json_url=f"/api/v1/regulations/{work.id}",
                cite_base=full_title(detail), reader_url=reader_url, origin=str(request.base_url).rstrip("/"),
                rel_name=lambda kind: relation_name(kind, _page_context(request)["lang"]),
                article_map={a["pasal"]: a for a in own}, consolidated=cons_links)


def relation_name(kind: str, lang: str) -> str:
    from frontend.i18n import STRINGS

    key = f"rel.{kind}"
    return translator(lang)(key) if key in STRINGS else kind.replace("_", " ").capitalize()


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.get("children") or [])


def _reader(request: Request, snap: Snapshot, work_id: str, target: tuple[str, str | None] | None = None) -> HTMLResponse:
    work = snap.get(work_id)
    if work is None:
        lang = _page_context(request)["lang"]
        return error_page(request, 404, f"{'Regulation' if lang == 'en' else 'Peraturan'} {work_id}: "
                                        + translator(lang)("error.not_found"))
    context = reader_context(request, snap, work)
    if target:
        pasal, ayat = target
        found = next((a for a in context["reg"]["articles"] + [a for m in context["reg"]["amendments"] for a in m["articles"]]
                      if _pasal_key(a["pasal"]) == _pasal_key(pasal)), None)
        if found:
            found["is_target"] = True
            anchor = found["anchor"] + (f"-ayat-{ayat.lower()}" if ayat else "")
            context.update(target={"pasal": found["pasal"], "ayat": ayat, "anchor": anchor},
                           json_url=f"/api/v1/regulations/{work.id}/articles/{found['pasal']}")
    return render(request, "reader.html", section="search", **context)


_PORTION = re.compile(r"/~pasal_(?P<pasal>[0-9A-Za-z]+)(?:__ayat_(?P<ayat>[0-9A-Za-z]+))?/?$")


@html_router.get("/akn/{frbr_path:path}", response_class=HTMLResponse)
def permalink_page(request: Request, frbr_path: str, kb: KnowledgeBase = Depends(get_kb)):
    """The reader at a work's permalink. At an article's permalink (``~pasal_27``, the address
    people cite) the same reader opens on that Pasal: marked, focused and scrolled to by the
    script, and offered as a "go to Pasal 27" link at the top without it."""
    uri = "/akn/" + frbr_path
    if "@" in frbr_path:  # a dated expression: the consolidated text of that day
        from frontend.consolidated import expression_page
        from ingest.ids import FrbrUri

        try:
            return expression_page(request, kb.snapshot(), FrbrUri.parse(uri))
        except ValueError:
            return error_page(request, 404)
    try:
        rid = RegulationId.from_frbr_uri(uri)
    except ValueError:
        return error_page(request, 404)
    portion = _PORTION.search(uri)
    rest = uri[len(rid.frbr_uri()):]
    if rest.strip("/") and not portion:
        return error_page(request, 404)
    snap = kb.snapshot()
    if not portion:
        return _reader(request, snap, str(rid))
    work = snap.get(str(rid))
    art = work.article(portion["pasal"]) if work else None
    if art is None:
        return error_page(request, 404)
    ayat = portion["ayat"]
    if ayat and not any(str(y.get("number")) == ayat for y in art.get("ayat") or []):
        return error_page(request, 404)
    return _reader(request, snap, str(rid), target=(str(art.get("number")), ayat))


@router.get("/peraturan/{work_id}", response_class=HTMLResponse)
def regulation_page(request: Request, work_id: str, kb: KnowledgeBase = Depends(get_kb)):
    return _reader(request, kb.snapshot(), work_id)


# ---- Smart City explorer -------------------------------------------------------------------------

def _subdimension_counts(snap: Snapshot, dim) -> dict[str, int]:
    """Sub-dimension id -> works whose evidence terms for the dimension include one of its terms."""
    counts = {}
    for sub in dim.subdimensions:
        texts = {t.text.lower() for t in sub.terms}
        counts[sub.id] = sum(
            1 for w in snap.works.values()
            if any(str(term).lower() in texts
                   for ev in ((w.dimensions.get(dim.id) or {}).get("evidence") or []) for term in ev.get("terms") or []))
    return counts


BAR_COLOURS = {"smart-governance": "#1d4ed8", "smart-branding": "#a21caf", "smart-economy": "#b45309",
               "smart-living": "#047857", "smart-society": "#be123c", "smart-environment": "#3f6212"}


def bar_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (drawn by the template as inline SVG): each dimension's
    name on its own line above its bar, so long names fit a phone's width."""
    top = max([r["count"] for r in rows] + [1])
    bar_w, row_h = 300, 52
    bars = []
    for i, r in enumerate(rows):
        w = 0 if r["count"] == 0 else max(4, round(bar_w * r["count"] / top))
        bars.append({**r, "y": i * row_h, "w": w, "colour": BAR_COLOURS.get(r["id"], "#1d4ed8")})
    return {"bars": bars, "width": bar_w + 40, "height": len(rows) * row_h, "row_h": row_h}


@router.get("/dimensi", response_class=HTMLResponse)
def dimensions_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    from search_api.dimensions import summary

    lang = _page_context(request)["lang"]
    snap = kb.snapshot()
    rows = []
    for dim in _taxonomy().dimensions:
        s = summary(dim, snap)
        subs = _subdimension_counts(snap, dim)
        rows.append({"id": dim.id, "name": dimension_name(dim.id, lang), "count": s["regulations"],
                     "description": s["description_en"] if lang == "en" else s["description_id"],
                     "subs": [{"id": x["id"], "name": x["name_en"] if lang == "en" else x["name_id"],
                               "count": subs.get(x["id"], 0)} for x in s["subdimensions"]]})
    t = translator(lang)
    summary_text = "; ".join(f"{r['name']}: {t('dim.n_regulations', n=r['count'])}" for r in rows)
    return render(request, "dimensions.html", section="dimensions", rows=rows, chart=bar_chart(rows), summary_text=summary_text,
                  json_url="/api/v1/dimensions")


@router.get("/dimensi/{dimension_id}", response_class=HTMLResponse)
def dimension_page(request: Request, dimension_id: str, kb: KnowledgeBase = Depends(get_kb)):
    from search_api.dimensions import linked, summary

    lang = _page_context(request)["lang"]
    try:
        dim = _taxonomy().get(dimension_id)
    except KeyError:
        return error_page(request, 404)
    snap = kb.snapshot()
    s = summary(dim, snap)
    subs = _subdimension_counts(snap, dim)
    links = linked(snap, dim.id)
    for link in links:  # evidence of a record without text names no Pasal (the API may spell that "None")
        link["evidence"] = [dict(e, pasal=None if str(e.get("pasal")) in ("None", "") else e["pasal"])
                            for e in link["evidence"]]
        link["evidence"] = [dict(e, url=reader_url(link["regulation"], e["pasal"]) if e["pasal"] else None)
                            for e in link["evidence"]]
    return render(request, "dimension.html", section="dimensions", dim=s, name=dimension_name(dim.id, lang),
                  description=s["description_en"] if lang == "en" else s["description_id"],
                  subs=[{"name": x["name_en"] if lang == "en" else x["name_id"], "count": subs.get(x["id"], 0)}
                        for x in s["subdimensions"]],
                  links=links, json_url=f"/api/v1/dimensions/{dim.id}", reader_url=reader_url,
                  all_dims=[(d.id, dimension_name(d.id, lang)) for d in _taxonomy().dimensions])


# ---- staff ---------------------------------------------------------------------------------------

def _staff_api(app) -> bool:
    """Whether the staff side (uploads, jobs, edits: search_api.staff) is installed in this app."""
    return getattr(app.state, "staff", None) is not None


@router.get("/staf", response_class=HTMLResponse)
def staff_page(request: Request):
    settings = request.app.state.settings
    size_mb = f"{settings.max_file_bytes / (1024 * 1024):.0f} MB"
    relation_types = ("mengubah", "mencabut", "mencabut_sebagian")
    return render(request, "staff.html", section="staff", json_url=None, max_bytes=settings.max_file_bytes, max_size=size_mb,
                  api=_staff_api(request.app), relation_types=relation_types,
                  jenis_options=sorted(JENIS.items(), key=lambda kv: kv[1][0]))


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)
