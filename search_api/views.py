"""Turning works of the snapshot into the response shapes of models.py."""
from __future__ import annotations

from typing import Any

from ingest.ids import RegulationId, article_uri
from search_api.kb import Snapshot, Work, lampiran_sections, pasal_key


def article_view(work: Work, a: dict[str, Any], dims: dict[str, list[str]] | None = None) -> dict[str, Any]:
    pasal = str(a.get("number"))
    dims = work.article_dimensions() if dims is None else dims
    return {
        "pasal": pasal,
        "text": a.get("text") or "",
        "ayat": [{"number": str(y.get("number")), "text": y.get("text") or ""} for y in a.get("ayat") or []],
        "bab": a.get("bab"),
        "bagian": a.get("bagian"),
        "paragraf": a.get("paragraf"),
        "penjelasan": a.get("penjelasan"),
        "page": a.get("page"),
        "amends": a.get("amends"),
        "amendment_item": a.get("amendment_item"),
        "regulation_id": work.id,
        "uri": article_uri(work.id, pasal),
        "dimensions": [] if a.get("amends") else dims.get(pasal_key(pasal), []),
    }


def build_tree(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """BAB > Bagian > Paragraf headings in reading order, each with the Pasal directly under it.

    Articles outside any BAB (short regulations) appear in no node: the tree then is empty.
    """
    roots: list[dict[str, Any]] = []
    index: dict[tuple, dict[str, Any]] = {}
    for a in articles:
        path = [(k, a.get(k)) for k in ("bab", "bagian", "paragraf") if a.get(k)]
        if not path:
            continue
        siblings, key = roots, ()
        node = None
        for kind, heading in path:
            key = key + ((kind, heading),)
            node = index.get(key)
            if node is None:
                node = {"kind": kind, "heading": heading, "articles": [], "children": []}
                index[key] = node
                siblings.append(node)
            siblings = node["children"]
        node["articles"].append(str(a.get("number")))
    return roots


def relations_view(snap: Snapshot, work: Work) -> list[dict[str, Any]]:
    out = []
    for r in snap.graph.outgoing(work.id) + snap.graph.incoming(work.id):
        other_uri = None
        if r.other:
            try:
                other_uri = RegulationId.parse(r.other).frbr_uri(r.article if r.direction == "outgoing" else None)
            except ValueError:
                pass
        out.append({"type": r.type, "direction": r.direction, "other": r.other, "other_uri": other_uri,
                    "in_corpus": bool(r.other and r.other in snap.works), "citation": r.citation,
                    "article": r.article})
    return out


def regulation_detail(snap: Snapshot, work: Work) -> dict[str, Any]:
    reg = work.regulation or {}
    dims = work.article_dimensions()
    own = [dict(a, amends=None, amendment_item=None) for a in reg.get("articles") or []]
    amendments = []
    for item in reg.get("amendments") or []:
        amendments.append({
            "number": str(item.get("number")),
            "operation": item.get("operation") or "",
            "instruction": item.get("instruction") or "",
            "target_work": item.get("target_work"),
            "target_article": item.get("target_article"),
            "target": item.get("target") or "",
            "text": item.get("text") or "",
            "articles": [article_view(work, dict(a, amends=item.get("target_work"), amendment_item=item.get("number")), dims)
                         for a in item.get("articles") or []],
        })
    rec = work.record
    return {
        **work.summary(),
        "tempat": _s(work.field("tempat", "tempatTerbit")),
        "tanggal_penetapan": _s(work.field("tanggal_penetapan", "ditetapkan")),
        "tanggal_pengundangan": _s(work.field("tanggal_pengundangan", "diundangkan")),
        "menimbang": reg.get("menimbang") or [],
        "mengingat": reg.get("mengingat") or [],
        "tree": build_tree(own),
        "articles": [article_view(work, a, dims) for a in own],
        "amendments": amendments,
        "penjelasan_umum": reg.get("penjelasan_umum"),
        "lampiran": reg.get("lampiran"),
        "lampiran_sections": lampiran_sections(reg),
        "relations": relations_view(snap, work),
        "sources": [{k: s.get(k) for k in ("path", "sha256", "media_type", "pages", "method")}
                    for s in reg.get("sources") or []] or
                   [{"path": s.get("file") or s.get("path") or "", "sha256": s.get("sha256"), "media_type": None,
                     "pages": None, "method": None} for s in rec.get("sources") or [] if isinstance(s, dict)],
        "warnings": [{k: w.get(k) for k in ("code", "message", "page")} for w in reg.get("warnings") or []],
        "facts": [str(f) for f in rec.get("facts") or []],
        "catalogue": rec,
        "updated_at": work.updated_at,
    }


def _s(v: Any) -> str | None:
    return None if v in (None, "") else str(v)
