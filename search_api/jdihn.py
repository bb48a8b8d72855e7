"""GET /api/jdihn: the JDIHN harvest feed, one object per work, field names as JDIHN spells them.

Conventions (shared/reference/jdihn-fields.md): every value is a string; a fact the knowledge base
does not hold is the empty string (never guessed); fields that do not apply to a regulation
(library call number, ISBN, accession number) are "-"; ``operasi`` is "4" and ``display`` "1" as
in every member implementation seen. ``urlDownload`` is the file endpoint of a work whose stored
original is a PDF (JDIHN: "absolute PDF URL"), empty otherwise. ``urlDetailPeraturan`` of a work that
works of the knowledge base amend is its consolidated text in force (``/akn/.../ind@YYYY-MM-DD``). A catalogue record that already carries a JDIHN field under
its JDIHN name (e.g. ``sumber``, ``bidangHukum``, ``teuBadan``) gives its value.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ingest.vocabulary import JDIHN_STATUS
from search_api.consolidated import in_force_uri
from search_api.deps import get_snapshot, public_base_url
from search_api.kb import Snapshot, Work
from search_api.models import JdihnRecord, NoParams
from search_api.responses import PROBLEMS

router = APIRouter(tags=["jdihn"])

FIELDS = list(JdihnRecord.model_fields)
NOT_APPLICABLE = "-"


def _s(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _record_value(work: Work, *names: str) -> str:
    for n in names:
        v = work.record.get(n)
        if v not in (None, "", []):
            return ", ".join(map(str, v)) if isinstance(v, list) else _s(v)
    return ""


def jdihn_record(work: Work, base_url: str, in_force_uri: str | None = None) -> dict[str, str]:
    """The record as JDIHN spells it: the catalogue's value of a field when it holds one (its
    field names are JDIHN's), else what the knowledge base derives, else "" (unknown)."""
    reg = work.regulation or {}
    rec_sources = [s for s in work.record.get("sources") or [] if isinstance(s, dict)]
    primary = next((s for s in rec_sources if s.get("role") == "primary"), rec_sources[0] if rec_sources else {})
    parsed_pages = [s.get("pages") for s in reg.get("sources") or [] if s.get("pages")]
    pages = primary.get("pages") or (max(parsed_pages) if parsed_pages else None)
    pdf = primary.get("file") if str(primary.get("file", "")).lower().endswith(".pdf") else None
    # the original the file endpoint serves (the newest version's source): a PDF gets its URL
    stored = next((s for s in reg.get("sources") or [] if s.get("sha256")), None)
    pdf_url = (base_url.rstrip("/") + f"/api/v1/regulations/{work.id}/file"
               if stored and str(stored.get("media_type", "")).startswith("application/pdf") else "")
    tgl = _s(work.field("tanggal_pengundangan", "diundangkan"))
    derived = {
        "idData": work.id,
        "tahun_pengundangan": tgl[:4] if tgl else "",
        "tanggal_pengundangan": tgl,
        "jenis": _s(work.jenis),
        "noPeraturan": _s(work.nomor),
        "judul": _s(work.field("judul")),
        "noPanggil": NOT_APPLICABLE,
        "singkatanJenis": _s(work.singkatan).upper(),
        "tempatTerbit": _s(work.field("tempat", "tempatTerbit")),
        "deskripsiFisik": f"{pages} hlm." if pages else "",
        "isbn": NOT_APPLICABLE,
        "nomorIndukBuku": NOT_APPLICABLE,
        "fileDownload": pdf or "",
        "urlDownload": pdf_url,
        # an amended work links to its consolidated text in force (search_api.consolidated)
        "urlDetailPeraturan": base_url.rstrip("/") + (in_force_uri or work.uri) if work.uri else "",
        "operasi": "4",
        "display": "1",
    }
    out = {}
    for name in FIELDS:
        if name == "status":  # derived from the relations among the works (regulations.relations)
            out[name] = JDIHN_STATUS.get(work.status, "")
        elif name in ("idData", "urlDetailPeraturan", "operasi", "display"):
            out[name] = derived[name]
        else:
            out[name] = _record_value(work, name) or derived.get(name, "")
    return out


@router.get("/api/jdihn", response_model=list[JdihnRecord], responses=PROBLEMS,
            summary="JDIHN harvest feed (one object per work)")
def jdihn_feed(request: Request, response: Response, params: Annotated[NoParams, Query()],
               snap: Snapshot = Depends(get_snapshot)):
    base = public_base_url(request)
    # harvesters poll: let caches keep it for 5 minutes (the same answer until the next upload)
    response.headers["Cache-Control"] = "public, max-age=300"

    return [jdihn_record(w, base, in_force_uri(snap, w.id)) for w in snap.ordered(snap.works.values())]
