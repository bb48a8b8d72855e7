"""The ask page ``/tanya?q=`` (JSON twin ``POST /api/v1/ask``): a cited answer or an honest "not found"."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from frontend.rendering import FRAGMENT_HEADER, full_title, page_context, problem_text, reader_url, render
from search_api.ask import answer
from search_api.calibration import band
from search_api.deps import get_kb
from search_api.errors import ApiProblem
from search_api.kb import KnowledgeBase
from search_api.models import AskRequest

router = APIRouter(include_in_schema=False)

EXAMPLE_QUESTIONS = ("Aturan apa tentang pusat data pemerintah?", "Siapa yang wajib menyediakan informasi publik?",
                     "Peraturan apa yang mendukung smart governance?")


def confidence_level(c: float) -> str:
    """The band of a calibrated confidence (search_api.calibration.BANDS, from the benchmark)."""
    return band(c)


@router.get("/tanya", response_class=HTMLResponse)
async def ask_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    lang = page_context(request)["lang"]
    q = (request.query_params.get("q") or "").strip()
    result, error = None, None
    if q:
        try:
            AskRequest(question=q)
            result = await run_in_threadpool(answer, kb, q)
        except (ApiProblem, ValidationError) as exc:
            error = problem_text(exc, lang)
    context = dict(q=q, result=result, error=error, examples=EXAMPLE_QUESTIONS, json_url=None,
                   reader_url=reader_url, level=confidence_level, full_title=full_title)
    if request.headers.get(FRAGMENT_HEADER) == "results":
        return render(request, "_answer.html", **context)
    return render(request, "ask.html", section="ask", **context)

