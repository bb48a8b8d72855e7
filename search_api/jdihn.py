"""GET /api/jdihn: the JDIHN harvest feed, one object per work, field names as JDIHN spells them.

Conventions (shared/reference/jdihn-fields.md): every value is a string; a fact the knowledge base
does not hold is the empty string (never guessed); fields that do not apply to a regulation
(library call number, ISBN, accession number) are "-"; ``operasi`` is "4" and ``display`` "1" as
in every member implementation seen. A catalogue record that already carries a JDIHN field under
its JDIHN name (e.g. ``sumber``, ``bidangHukum``, ``teuBadan``) gives its value.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from pipelines.relations import JDIHN_STATUS
from search_api.deps import get_snapshot
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


def jdihn_record(work: Work, base_url: str) -> dict[str, str]:
    reg = work.regulation or {}
    tgl = _s(reg.get("tanggal_pengundangan")) or _record_value(work, "tanggal_pengundangan", "diundangkan")
    sources = reg.get("sources") or []
    pages = [s.get("pages") for s in sources if s.get("pages")]
    pdf = next((s.get("path") for s in sources if (s.get("media_type") == "application/pdf"
                                                     or str(s.get("path", "")).lower().endswith(".pdf"))), None)
    url_download = _record_value(work, "urlDownload", "url_download")
    out = {
        "idData": work.id,
        "tahun_pengundangan": tgl[:4] if tgl else _s(work.tahun),
        "tanggal_pengundangan": tgl,
        "jenis": _s(work.jenis),
        "noPeraturan": _s(work.nomor),
        "judul": _s(work.field("judul")),
        "noPanggil": NOT_APPLICABLE,
        "singkatanJenis": _s(work.singkatan).upper(),
        "tempatTerbit": _s(reg.get("tempat")) or _record_value(work, "tempatTerbit", "tempat"),
        "penerbit": _record_value(work, "penerbit"),
        "deskripsiFisik": f"{max(pages)} hlm." if pages else _record_value(work, "deskripsiFisik"),
        "sumber": _record_value(work, "sumber"),
        "subjek": _record_value(work, "subjek"),
        "isbn": NOT_APPLICABLE,
        "status": JDIHN_STATUS.get(work.status, ""),
        "bahasa": _record_value(work, "bahasa") or "Indonesia",
        "bidangHukum": _record_value(work, "bidangHukum", "bidang_hukum"),
        "teuBadan": _record_value(work, "teuBadan", "teu_badan"),
        "nomorIndukBuku": NOT_APPLICABLE,
        "fileDownload": _record_value(work, "fileDownload") or (pdf.rsplit("/", 1)[-1] if pdf else ""),
        "urlDownload": url_download,
        "urlDetailPeraturan": base_url.rstrip("/") + work.uri if work.uri else "",
        "operasi": "4",
        "display": "1",
    }
    return {k: out[k] for k in FIELDS}


@router.get("/api/jdihn", response_model=list[JdihnRecord], responses=PROBLEMS,
            summary="JDIHN harvest feed (one object per work)")
def jdihn_feed(request: Request, params: Annotated[NoParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    base = str(request.base_url)
    return [jdihn_record(w, base) for w in snap.ordered(snap.works.values())]
