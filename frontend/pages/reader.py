"""The reader: a work's page at its permalink (``/akn/...`` for a browser's ``Accept: text/html``;
every other request falls through to the JSON permalink) and at ``/peraturan/{id}``; at an
article's permalink (``~pasal_27``) the same reader opens on that Pasal. JSON twin: the same
``/akn/...`` as JSON, ``/api/v1/regulations/{id}``."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from frontend.i18n import translator
from frontend.pages.consolidated import expression_page
from frontend.rendering import (
    HERE,
    HtmlOnlyRoute,
    error_page,
    full_title,
    page_context,
    pasal_anchor,
    reader_url,
    relation_name,
    render,
)
from ingest.ids import FrbrUri
from pipelines.staff.files import FileStore
from search_api.consolidated import consolidation_links
from search_api.deps import get_kb, public_base_url
from search_api.kb import KnowledgeBase, Snapshot, Work, pasal_key
from ingest.ids import article_uri
from search_api.views import regulation_detail

router = APIRouter(include_in_schema=False)
html_router = APIRouter(include_in_schema=False, route_class=HtmlOnlyRoute)

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
            out.setdefault(pasal_key(str(pasal)), []).append({
                "by": summary, "item": item.get("number"), "operation": item.get("operation"), "url": url})
    for changes in out.values():  # oldest amendment first: the order in which the text changed
        changes.sort(key=lambda c: (c["by"].get("tahun") or 0, c["by"]["id"], str(c["item"])))
    return out


def _versions(kb: KnowledgeBase, work_id: str) -> list[dict[str, Any]]:
    """The staff side's versions of a work (oldest first); none when the store keeps no versions."""
    try:
        return kb.control.versions(work_id)
    except Exception:  # noqa: BLE001 - a store without the staff tables (e.g. Elasticsearch): no history to show
        return []


def _has_original(settings, source: dict[str, Any]) -> bool:
    """Whether GET /api/v1/regulations/{id}/file can serve this source: its bytes are in the file
    store, or it is a shipped corpus file (the staff API adopts those on first download)."""
    sha = (source.get("sha256") or "").lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        return False
    try:
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
    own_keys = {pasal_key(a["pasal"]) for a in own}
    cons_links = consolidation_links(snap, work)
    for a in own:
        a["anchor"] = pasal_anchor(a["pasal"])
        a["changed_by"] = changed_by.get(pasal_key(a["pasal"]), [])
        a["article_status"] = cons_links["article_status"].get(pasal_key(a["pasal"]))
    for item in detail["amendments"]:
        item["target_url"] = None
        if item.get("target_work") and item["target_work"] in snap.works and item.get("target_article"):
            item["target_url"] = reader_url(snap.works[item["target_work"]].summary(), item["target_article"])
        elif item.get("target_work"):
            item["target_url"] = article_uri(item["target_work"], item.get("target_article"))
        item["target_in_corpus"] = item.get("target_work") in snap.works
        for a in item["articles"]:
            a["anchor"] = pasal_anchor(a["pasal"], "ubah-" if pasal_key(a["pasal"]) in own_keys else "")
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
                cite_base=full_title(detail), reader_url=reader_url, origin=public_base_url(request),
                rel_name=lambda kind: relation_name(kind, page_context(request)["lang"]),
                article_map={a["pasal"]: a for a in own}, consolidated=cons_links)



def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.get("children") or [])


def _reader(request: Request, snap: Snapshot, work_id: str, target: tuple[str, str | None] | None = None) -> HTMLResponse:
    work = snap.get(work_id)
    if work is None:
        lang = page_context(request)["lang"]
        return error_page(request, 404, f"{'Regulation' if lang == 'en' else 'Peraturan'} {work_id}: "
                                        + translator(lang)("error.not_found"))
    context = reader_context(request, snap, work)
    if target:
        pasal, ayat = target
        found = next((a for a in context["reg"]["articles"] + [a for m in context["reg"]["amendments"] for a in m["articles"]]
                      if pasal_key(a["pasal"]) == pasal_key(pasal)), None)
        if found:
            found["is_target"] = True
            anchor = found["anchor"] + (f"-ayat-{ayat.lower()}" if ayat else "")
            context.update(target={"pasal": found["pasal"], "ayat": ayat, "anchor": anchor},
                           json_url=f"/api/v1/regulations/{work.id}/articles/{found['pasal']}")
    return render(request, "reader.html", section="search", **context)


@html_router.get("/akn/{frbr_path:path}", response_class=HTMLResponse)
def permalink_page(request: Request, frbr_path: str, kb: KnowledgeBase = Depends(get_kb)):
    """The reader at a work's permalink. At an article's permalink (``~pasal_27``, the address
    people cite) the same reader opens on that Pasal: marked, focused and scrolled to by the
    script, and offered as a "go to Pasal 27" link at the top without it."""
    try:
        frbr = FrbrUri.parse("/akn/" + frbr_path)
    except ValueError:
        return error_page(request, 404)
    if frbr.language:  # a dated expression: the consolidated text of that day
        return expression_page(request, kb.snapshot(), frbr)
    snap = kb.snapshot()
    work_id = str(frbr.work)
    if not frbr.pasal:
        return _reader(request, snap, work_id)
    work = snap.get(work_id)
    art = work.article(frbr.pasal) if work else None
    if art is None:
        return error_page(request, 404)
    if frbr.ayat and not any(str(y.get("number")) == frbr.ayat for y in art.get("ayat") or []):
        return error_page(request, 404)
    return _reader(request, snap, work_id, target=(str(art.get("number")), frbr.ayat))


@router.get("/peraturan/{work_id}", response_class=HTMLResponse)
def regulation_page(request: Request, work_id: str, kb: KnowledgeBase = Depends(get_kb)):
    return _reader(request, kb.snapshot(), work_id)

