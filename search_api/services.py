"""The legal basis of the city's Smart City services: GET /api/v1/services and /services/{id}.

Which regulations and articles govern each service of the register (regulations/services.yaml) is
never typed in: the system *proposes* it by running the product's own machinery over the
service's function (what Table 3 of the paper says the service does), in both languages:

1. the ask pipeline (:class:`search_api.answering.Answerer`): the regulations it would answer
   "pengelolaan aset daerah" with, their articles quoted as stored; the proposal's confidence is
   the ask's calibrated confidence;
2. the hybrid search (:class:`pipelines.search.query.Searcher`): a top regulation the ask did
   not keep is proposed too when one of its articles carries the function on the ask's own
   evidence (the idf-weighted coverage of the function's words, ``COVERAGE_MIN``, or a specific
   glossary term); its confidence is half that coverage, below any answer's.

A rule of another region (a Banjarnegara tariff) governs no service of this city and is never
proposed; a revoked law (status ``dicabut``) is proposed after the laws in force, its status shown. Proposals are computed once per knowledge-base snapshot (``Snapshot.memo``: a new ingest
or edit computes them again); the legal staff's decisions (confirm, remove, add:
:mod:`pipelines.staff.service_links`, through ``kb.control``) are read at each request and laid
over them, so "proposed by the system" and "confirmed by staff" are always told apart and a
removed proposal stays removed.

The legal-basis view lists per service the local rules (region ``JDIH_HOME_REGION``, Malang)
first, then national law; a service with no confirmed local rule is a *gap*; per Smart City
dimension, the city's 2023 realisation figure stands beside the regulations serving its services.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ingest.ids import article_uri
from pipelines.indexing.dimensions import default_taxonomy
from regulations.services import Register, Service, load_register
from search_api.answering import COVERAGE_MIN, Answerer, _known
from search_api.calibration import band
from search_api.deps import get_kb
from search_api.errors import not_found
from search_api.kb import KnowledgeBase, Snapshot, Work
from search_api.models import NoParams, QuotedArticle, RegulationSummary
from search_api.responses import NOT_FOUND, PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["services"])

MAX_PROPOSALS = 6  # regulations proposed per service
ARTICLES_PER_LINK = 3
SEARCH_RESULTS = 10  # regulations of the search looked at per language (as many as the ask looks at)
SEARCH_WEIGHT = 0.5  # a search hit the ask did not keep: its confidence is this share of its coverage


# ---- proposals: the system's own machinery over the function ----------------------------------

def _quote(work: Work, art: dict[str, Any]) -> dict[str, Any] | None:
    """An article quoted as stored (an amended one as in force, as the ask quotes it)."""
    pasal = art.get("pasal")
    if art.get("lampiran"):
        return {"pasal": None, "ayat": None, "lampiran": art.get("lampiran"), "row": art.get("row"),
                "citation": art.get("citation") or art.get("lampiran"), "amends": art.get("amends"),
                "text": art.get("text") or "", "uri": art.get("uri"), "dimensions": [], "score": float(art.get("score") or 0.0)}
    if not pasal:
        return None
    if art.get("consolidated"):
        text = art.get("text") or ""
    else:
        text = (work.article(str(pasal)) or {}).get("text") or art.get("text") or ""
    return {"pasal": str(pasal), "ayat": art.get("ayat"), "lampiran": None, "row": None, "citation": None,
            "amends": art.get("amends"), "text": text, "uri": art.get("uri"), "dimensions": list(art.get("dimensions") or []),
            "score": float(art.get("score") or 0.0), "consolidated": art.get("consolidated")}


def propose(kb: KnowledgeBase, snap: Snapshot, service: Service) -> list[dict[str, Any]]:
    """The regulations the system proposes for one service, best first (see the module docstring)."""
    answerer = Answerer(kb)
    region = kb.home_region
    found: dict[str, dict[str, Any]] = {}

    def add(work: Work | None, articles: list[dict[str, Any]], confidence: float, how: str, question: str):
        if work is None or (work.region and work.region != region):
            return
        p = found.setdefault(work.id, {"work_id": work.id, "confidence": 0.0, "how": how, "questions": [],
                                       "articles": []})
        if how == "ask":
            p["how"] = "ask"
        p["confidence"] = round(max(p["confidence"], confidence), 3)
        if question not in p["questions"]:
            p["questions"].append(question)
        have = {(a["pasal"], a.get("lampiran"), a.get("row")) for a in p["articles"]}
        for art in articles:
            q = _quote(work, art)
            if q and (q["pasal"], q["lampiran"], q["row"]) not in have and len(p["articles"]) < ARTICLES_PER_LINK:
                have.add((q["pasal"], q["lampiran"], q["row"]))
                p["articles"].append(q)

    for lang in ("id", "en"):
        question = (service.function.get(lang) or "").strip()
        if not question:
            continue
        result = answerer.ask(question)
        out = kb.searcher.search(question, mode="hybrid", limit=SEARCH_RESULTS, articles_per_regulation=3)
        groups = out["results"]
        answerer.assess(question, snap, groups)  # the ask's evidence, article by article
        coverage = {g["regulation"]["id"]: g.get("coverage", 0.0) for g in groups}
        best = max(coverage.values(), default=0.0)
        if not result["refused"] and result.get("basis") == "search":
            for ans in result["answers"]:
                # the ask's confidence, scaled by how much of the function this regulation's own
                # articles carry next to the best one's
                share = min(1.0, coverage[ans["regulation"]["id"]] / best) if best and ans["regulation"]["id"] in coverage else 1.0
                add(snap.get(ans["regulation"]["id"]), ans["articles"], float(result["confidence"]) * share, "ask", question)
        for g in groups:
            work = snap.get(g["regulation"]["id"] or "")
            carried = [a for a in g["articles"] if a.get("coverage", 0.0) >= COVERAGE_MIN or a.get("domain_terms")]
            if work is None or not carried:
                continue
            if work.id in found:  # more evidence for a regulation already proposed
                add(work, [a for a in carried if a.get("pasal")], 0.0, found[work.id]["how"], question)
                continue
            add(work, [a for a in carried if a.get("pasal")], SEARCH_WEIGHT * max(a.get("coverage", 0.0) for a in carried),
                "search", question)
    # a revoked law governs nothing now: proposed last (its status shown), for staff to judge
    ranked = sorted(found.values(), key=lambda p: (p["how"] != "ask", -p["confidence"]))[:MAX_PROPOSALS]
    return sorted(ranked, key=lambda p: snap.get(p["work_id"]).status == "dicabut")


def proposals(kb: KnowledgeBase, snap: Snapshot | None = None, register: Register | None = None) -> dict[str, list[dict[str, Any]]]:
    """Service id -> its proposals, computed once per snapshot (and register file)."""
    snap = snap or kb.snapshot()
    register = register or load_register()
    try:
        stamp = register.path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return snap.memo(("service-proposals", str(register.path), stamp),
                     lambda: {s.id: propose(kb, snap, s) for s in register.services})


# ---- the legal basis: proposals with the staff's decisions laid over them -------------------------

def decisions(kb: KnowledgeBase, service_id: str | None = None) -> dict[str, Any]:
    return kb.control.service_decisions(service_id)


def _decision_view(d: dict[str, Any] | None) -> dict[str, Any] | None:
    if not d:
        return None
    return {"state": d["state"], "origin": d["origin"], "by": d["decided_by"], "at": d["decided_at"], "note": d.get("note"),
            "articles": list(d.get("articles") or [])}


def _staff_articles(work: Work, pasals: list[str]) -> list[dict[str, Any]]:
    out = []
    for p in pasals:
        a = work.article(p)
        if a:
            out.append({"pasal": str(a.get("number") or p), "ayat": None, "lampiran": None, "row": None, "citation": None,
                        "amends": a.get("amends"), "text": a.get("text") or "", "uri": article_uri(work.id, str(a.get("number") or p)),
                        "dimensions": [], "score": 0.0, "consolidated": None})
    return out


def legal_basis(kb: KnowledgeBase, service: Service, snap: Snapshot | None = None,
                proposed: list[dict[str, Any]] | None = None, decided: dict[str, Any] | None = None) -> dict[str, Any]:
    """The links of one service: local rules first, then national; within each, staff-confirmed
    links before proposals, then by confidence. Removed links are listed apart (``removed``)."""
    snap = snap or kb.snapshot()
    proposed = proposals(kb, snap)[service.id] if proposed is None else proposed
    decided = decisions(kb, service.id) if decided is None else decided
    region = kb.home_region
    links, removed = [], []
    by_work = {p["work_id"]: p for p in proposed}
    for work_id in list(by_work) + [w for w in decided if w not in by_work]:
        work = snap.get(work_id)
        if work is None:
            continue  # withdrawn since
        p, d = by_work.get(work_id), decided.get(work_id)
        state = d["state"] if d else "proposed"
        articles = list(p["articles"]) if p else []
        if d and d.get("articles"):  # the articles staff cite come first
            cited = _staff_articles(work, d["articles"])
            keep = {a["pasal"] for a in cited}
            articles = cited + [a for a in articles if a["pasal"] not in keep]
        link = {
            "regulation": work.summary(),
            "state": state,  # proposed | confirmed | removed
            "origin": d["origin"] if d else "system",
            "proposed": p is not None,
            "confidence": p["confidence"] if p else None,
            "band": band(p["confidence"]) if p else None,
            "how": p["how"] if p else None,
            "questions": list(p["questions"]) if p else [],
            "articles": articles,
            "known": _known(work),
            "local": bool(work.region and work.region == region),
            "metadata_only": not work.has_text,
            "decision": _decision_view(d),
        }
        (removed if state == "removed" else links).append(link)
    links.sort(key=lambda x: (not x["local"], x["state"] != "confirmed", x["regulation"]["status"] == "dicabut",
                              -(x["confidence"] or 0.0)))
    confirmed_local = [x for x in links if x["local"] and x["state"] == "confirmed"]
    return {
        "local": [x for x in links if x["local"]],
        "national": [x for x in links if not x["local"]],
        "removed": removed,
        "gap": not confirmed_local,
        "local_proposed": any(x["local"] and x["state"] == "proposed" for x in links),
        "confirmed": sum(1 for x in links if x["state"] == "confirmed"),
        "proposed": sum(1 for x in links if x["state"] == "proposed"),
    }


def service_view(kb: KnowledgeBase, service: Service, register: Register, basis: dict[str, Any]) -> dict[str, Any]:
    return {**service.to_dict(), "source_text": register.source_text(service.source),
            "realisation": register.realisation.get(service.dimension), "region": kb.home_region,
            "gap": basis["gap"], "local_proposed": basis["local_proposed"],
            "counts": {"confirmed": basis["confirmed"], "proposed": basis["proposed"], "removed": len(basis["removed"]),
                       "local": len(basis["local"]), "national": len(basis["national"])},
            "links": {"self": f"/api/v1/services/{service.id}", "page": f"/layanan/{service.id}"}}


def overview(kb: KnowledgeBase, bases: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every service with its counts and gap flag, and per dimension the 2023 realisation figure
    beside the regulations serving its services (the JSON of /layanan). ``bases``, when given, is
    filled with each service's :func:`legal_basis` (the page shows them)."""
    register = load_register()
    snap = kb.snapshot()
    proposed = proposals(kb, snap, register)
    decided = decisions(kb)
    services = []
    bases = {} if bases is None else bases
    for s in register.services:
        basis = bases[s.id] = legal_basis(kb, s, snap, proposed[s.id], decided.get(s.id, {}))
        services.append(service_view(kb, s, register, basis))
    dims = []
    for dim in default_taxonomy().dimensions:
        serving: dict[str, dict[str, Any]] = {}
        for s in register.by_dimension(dim.id):
            for link in bases[s.id]["local"] + bases[s.id]["national"]:
                rid = link["regulation"]["id"]
                entry = serving.setdefault(rid, {"regulation": link["regulation"], "local": link["local"], "services": [],
                                                 "confirmed": False})
                entry["services"].append(s.id)
                entry["confirmed"] = entry["confirmed"] or link["state"] == "confirmed"
        regs = sorted(serving.values(), key=lambda e: (not e["local"], not e["confirmed"], -len(e["services"]), e["regulation"]["id"]))
        dims.append({"id": dim.id, "name_id": dim.name["id"], "name_en": dim.name["en"],
                     "realisation": register.realisation.get(dim.id), "services": [s.id for s in register.by_dimension(dim.id)],
                     "regulations": regs})
    return {
        "region": kb.home_region,
        "services": services,
        "gaps": [s["id"] for s in services if s["gap"]],
        "dimensions": dims,
        "realisation": {"year": register.realisation_year, "average": register.realisation_average,
                        "source": register.realisation_source, "source_text": register.source_text(register.realisation_source)},
        "references": register.references,
        "classification_source": register.classification_source,
    }


def detail(kb: KnowledgeBase, service: Service) -> dict[str, Any]:
    register = load_register()
    basis = legal_basis(kb, service)
    return {**service_view(kb, service, register, basis), "legal_basis": basis}


# ---- /ask: a question that names a service ---------------------------------------------------------

def answer(kb: KnowledgeBase, question: str) -> dict[str, Any] | None:
    """The answer to a question naming a service of the register ("aturan apa yang mendasari
    Ngalam Command Center?"): its legal-basis links, confirmed ones first, local before national;
    None when the question names no service (the ordinary ask answers it)."""
    question = " ".join(question.split())
    register = load_register()
    named = register.named_in(question)
    if not named:
        return None
    answers, confidences = [], []
    recognised = []
    for s in named:
        basis = legal_basis(kb, s)
        recognised.append({"id": s.id, "name": s.name, "office": s.office, "function": dict(s.function),
                           "gap": basis["gap"], "uri": f"/layanan/{s.id}", "api": f"/api/v1/services/{s.id}"})
        links = sorted(basis["local"] + basis["national"], key=lambda x: (x["state"] != "confirmed", not x["local"]))
        for link in links:
            state = "confirmed by staff" if link["state"] == "confirmed" else "proposed by the system, not yet confirmed"
            state_id = ("dikonfirmasi staf hukum" if link["state"] == "confirmed"
                        else "diusulkan sistem, belum dikonfirmasi")
            answers.append({"regulation": link["regulation"], "articles": link["articles"], "strength": None,
                            "note": f"{s.name}: {state} / {state_id}", "local": link["local"], "other_region": False,
                            "metadata_only": link["metadata_only"], "known": link["known"], "service": s.id,
                            "link_state": link["state"], "confidence": link["confidence"]})
            confidences.append(1.0 if link["state"] == "confirmed" else float(link["confidence"] or 0.0))
    names = ", ".join(s.name for s in named)
    evidence = {"terms": [s.name for s in named], "domain_terms": [], "cited": [], "coverage": 1.0 if answers else 0.0,
                "bm25": None, "dense": None, "dimension": None, "raw_confidence": None}
    if not answers:
        conf = 0.5
        return {"question": question, "refused": True, "basis": "service", "services": recognised, "region": kb.home_region,
                "reason": f"Recognised the service {names}, but no regulation of the knowledge base is proposed or confirmed as its legal basis.",
                "reason_id": f"Layanan {names} dikenali, tetapi belum ada peraturan dalam basis pengetahuan yang diusulkan atau dikonfirmasi sebagai dasar hukumnya.",
                "answers": [], "dimensions": list(dict.fromkeys(s.dimension for s in named)), "confidence": conf,
                "band": band(conf), "evidence": evidence}
    conf = round(max(confidences), 3)
    return {"question": question, "refused": False, "basis": "service", "services": recognised, "region": kb.home_region,
            "answers": answers, "dimensions": list(dict.fromkeys(s.dimension for s in named)), "confidence": conf,
            "band": band(conf), "evidence": evidence}


# ---- the API -----------------------------------------------------------------------------------------

class ServiceLinkDecision(BaseModel):
    state: str = Field(description="confirmed | removed")
    origin: str = Field(description="system: a proposal staff decided on; staff: added by hand")
    by: str
    at: str
    note: Optional[str] = None
    articles: list[str] = Field([], description="the Pasal staff cite")


class ServiceLink(BaseModel):
    regulation: RegulationSummary
    state: str = Field(description="proposed (by the system, not yet confirmed) | confirmed (by staff) | removed (by staff)")
    origin: str = Field(description="system (the system proposed it) | staff (added by hand)")
    proposed: bool = Field(description="the system proposes it now")
    confidence: Optional[float] = Field(None, description="the system's confidence in its proposal (the ask's calibrated confidence; half the coverage for a search hit)")
    band: Optional[str] = None
    how: Optional[str] = Field(None, description="ask | search: which machinery proposed it")
    questions: list[str] = Field([], description="the function texts it was found with")
    articles: list[QuotedArticle] = Field(description="the evidence: articles quoted as stored, with permalinks")
    known: list[str] = Field([], description="for a metadata-only record: what the catalogue knows")
    local: bool = Field(description="a rule of this deployment's region (Malang)")
    metadata_only: bool
    decision: Optional[ServiceLinkDecision] = None


class LegalBasis(BaseModel):
    local: list[ServiceLink] = Field(description="rules of the region, first")
    national: list[ServiceLink]
    removed: list[ServiceLink] = Field(description="links staff removed: never shown as a basis again")
    gap: bool = Field(description="no confirmed local rule")
    local_proposed: bool = Field(description="a local rule is proposed, awaiting confirmation")
    confirmed: int
    proposed: int


class ServiceCounts(BaseModel):
    confirmed: int
    proposed: int
    removed: int
    local: int
    national: int


class ServiceOut(BaseModel):
    id: str = Field(examples=["ngalam-command-center"])
    name: str
    aliases: list[str] = []
    office: str
    office_note: Optional[str] = None
    function: dict[str, str] = Field(description="{id, en}: what the service does (after the paper's Table 3)")
    dimension: str
    subdimension: str
    source: str = Field(description="a key of the references")
    source_text: Optional[str] = None
    realisation: Optional[float] = Field(None, description="the 2023 realisation (percent) of the service's dimension")
    region: str
    gap: bool = Field(description="no local rule confirmed by staff")
    local_proposed: bool
    counts: ServiceCounts
    links: dict[str, str]


class ServiceDetail(ServiceOut):
    legal_basis: LegalBasis


class DimensionRegulation(BaseModel):
    regulation: RegulationSummary
    local: bool
    services: list[str]
    confirmed: bool = Field(description="confirmed by staff for at least one of the services")


class ServiceDimension(BaseModel):
    id: str
    name_id: str
    name_en: str
    realisation: Optional[float] = Field(None, description="2023 realisation of the action plan, percent (news of 9 Nov 2023)")
    services: list[str]
    regulations: list[DimensionRegulation] = Field(description="confirmed or proposed for its services, local first")


class Realisation(BaseModel):
    year: Optional[int] = None
    average: Optional[float] = Field(None, description="the news's own average")
    source: Optional[str] = None
    source_text: Optional[str] = None


class ServicesOverview(BaseModel):
    region: str
    services: list[ServiceOut]
    gaps: list[str] = Field(description="services with no confirmed local rule")
    dimensions: list[ServiceDimension]
    realisation: Realisation
    references: dict[str, str]
    classification_source: str = ""


ServiceId = Annotated[str, Path(max_length=60, pattern=r"^[a-z0-9-]+$", description="e.g. ngalam-command-center")]


def get_service_or_404(service_id: str) -> Service:
    service = load_register().get(service_id)
    if service is None:
        raise not_found(f"Service {service_id!r}", f"Layanan {service_id!r}")
    return service


@router.get("/services", response_model=ServicesOverview, responses=PROBLEMS,
            summary="The city's Smart City services and their legal basis (gaps, realisation per dimension)")
async def list_services(params: Annotated[NoParams, Query()], kb: KnowledgeBase = Depends(get_kb)):
    """The 14 services of the register (Table 3 of Kamil et al. 2025) with the counts of their
    links (proposed by the system / confirmed by staff), ``gap`` where no local rule is confirmed,
    and per Smart City dimension the 2023 realisation figure beside the regulations serving it."""
    return await run_in_threadpool(overview, kb)


@router.get("/services/{service_id}", response_model=ServiceDetail, responses={**PROBLEMS, **NOT_FOUND},
            summary="One service with its legal basis: local rules first, then national, evidence quoted")
async def get_service(service_id: ServiceId, params: Annotated[NoParams, Query()], kb: KnowledgeBase = Depends(get_kb)):
    service = get_service_or_404(service_id)
    return await run_in_threadpool(detail, kb, service)
