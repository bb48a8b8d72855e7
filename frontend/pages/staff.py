"""The staff screens ``/staf``: upload and edit; all the work is done by the staff API from the browser."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from frontend.rendering import render
from ingest.ids import JENIS
from ingest.vocabulary import CHANGING_TYPES
from regulations.services import load_register

router = APIRouter(include_in_schema=False)

def _staff_api(app) -> bool:
    """Whether the staff side (uploads, jobs, edits: search_api.staff) is installed in this app."""
    return getattr(app.state, "staff", None) is not None


@router.get("/staf", response_class=HTMLResponse)
def staff_page(request: Request):
    settings = request.app.state.settings
    size_mb = f"{settings.max_file_bytes / (1024 * 1024):.0f} MB"
    relation_types = CHANGING_TYPES
    return render(request, "staff.html", section="staff", json_url=None, max_bytes=settings.max_file_bytes, max_size=size_mb,
                  api=_staff_api(request.app), relation_types=relation_types, services=load_register().services,
                  jenis_options=sorted(JENIS.items(), key=lambda kv: kv[1][0]))

