"""POST /api/v1/ask: the governing regulation(s) and article(s), quoted, or a reasoned refusal."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from search_api import services
from search_api.answering import Answerer
from search_api.deps import get_kb
from search_api.errors import ApiProblem
from search_api.kb import KnowledgeBase
from search_api.models import AskRequest, AskResponse
from search_api.responses import PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["ask"])


def answer(kb: KnowledgeBase, question: str) -> dict:
    """A question naming a service of the register is answered with its legal basis (confirmed
    links first, search_api.services.answer); any other by the Answerer."""
    return services.answer(kb, question) or Answerer(kb).ask(question)


@router.post("/ask", response_model=AskResponse, responses=PROBLEMS,
             summary="Which rule governs X? Quoted articles with permalinks, or a refusal")
async def ask(body: AskRequest, request: Request, kb: KnowledgeBase = Depends(get_kb)):
    """Answers in Indonesian or English questions with the text of the governing articles (quoted,
    never generated), their permalinks, the Smart City dimensions involved and a confidence; or
    ``{"refused": true, "reason": ...}`` when nothing in the knowledge base answers. A question
    naming a dimension ("smart environment", "tata kelola cerdas") is answered from the dimension
    links; one naming a service of the city ("aturan apa yang mendasari Ngalam Command Center?")
    with the service's legal basis (``basis: service``, the service recognised in ``services``,
    staff-confirmed links first). ``evidence`` shows what the decision rested on."""
    if not body.question.strip():
        raise ApiProblem("validation-error", "'question' is empty.", "'question' kosong.")
    result = await run_in_threadpool(answer, kb, body.question)
    if result["refused"]:
        request.app.state.metrics.ask_refusals.inc()
    return result
