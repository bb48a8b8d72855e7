"""The law as in force on a date: a work's dated expressions and its consolidated text.

- ``GET /api/v1/regulations/{id}/expressions``: the dated versions of the text (the original, then
  one per amending work in the knowledge base, in order of effect), what each changed, the items
  that could not be applied and why. ``/versions`` (staff side) lists the uploaded FILES of a work;
  an expression is a version of the LAW, derived from the work and the works that amend it.
- ``GET /api/v1/regulations/{id}/consolidated?date=YYYY-MM-DD``: the articles in force that day,
  each with its provenance (which work and which item set its text, since when) and history.
- ``/akn/.../ind@YYYY-MM-DD[/~pasal_N]``: the same as a permalink (see search_api/permalinks.py).

A work whose base is not in the knowledge base (Perbup Kotabaru 18/2019 amends Perbup 26/2017)
has no consolidation: its amendment items are shown on its own page, nothing is invented.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ingest.citations import find_citations
from ingest.ids import FrbrUri, RegulationId
from pipelines.analysis.analyzer import analyze
from pipelines.search.highlight import make_snippet
from pipelines.search.query import _analyze_word, _expanded
from regulations.consolidation import ConsolidatedArticle, Consolidation, Expression, word_diff
from search_api.deps import get_snapshot
from search_api.errors import ApiProblem, not_found
from search_api.kb import Snapshot
from search_api.models import _Query
from search_api.params import WorkId
from search_api.responses import NOT_FOUND, PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["regulations"])

LANGUAGE = "ind"

_OPERATION_EN = {"diubah": "amended", "disisipkan": "inserted", "dihapus": "deleted"}


# ---- labels ---------------------------------------------------------------------------------------

def work_label(snap: Snapshot, work_id: str | None) -> str:
    """ "UU 1/2024" for a work of the knowledge base, else the id read as such."""
    if not work_id:
        return ""
    w = snap.get(work_id)
    if w is not None and w.singkatan and w.nomor and w.tahun:
        return f"{w.singkatan} {w.nomor}/{w.tahun}"
    try:
        rid = RegulationId.parse(work_id)
        return f"{rid.singkatan} {rid.nomor}/{rid.tahun}" if rid.nomor else f"{rid.singkatan} {rid.tahun}"
    except ValueError:
        return work_id


def expression_uri(work_id: str, date: str, pasal: str | None = None) -> str | None:
    """The expression's permalink; None when the day it took effect is not known."""
    if not is_date(date):
        return None
    try:
        return str(FrbrUri(RegulationId.parse(work_id), LANGUAGE, date, pasal))
    except ValueError:
        return None


def article_status(snap: Snapshot, cons: Consolidation | None, art: ConsolidatedArticle | None) -> dict[str, Any] | None:
    """Article-level status: "Pasal 27 diubah oleh UU 1/2024" (the latest change), with the English
    line, the amending work and item; None for an article no amending work has touched."""
    if cons is None or art is None:
        return None
    last = next((c for c in reversed(art.history) if c.operation != "asli"), None)
    if last is None:
        return None
    by = work_label(snap, last.work)
    if last.what == "penjelasan":
        line_id, line_en = f"Penjelasan Pasal {art.number} diubah oleh {by}", f"Explanation of Article {art.number} amended by {by}"
    else:
        line_id = f"Pasal {art.number} {last.operation} oleh {by}"
        line_en = f"Article {art.number} {_OPERATION_EN.get(last.operation, last.operation)} by {by}"
    return {
        "status": art.status, "operation": last.operation, "what": last.what, "since": last.date,
        "by": last.work, "by_label": by, "item": last.item,
        "item_uri": item_uri(last.work, last.item, art.number, last.what),
        "text_id": line_id, "text_en": line_en,
        "consolidated_uri": expression_uri(cons.work, cons.current.date, art.number),
        "changed_by": art.changed_by,
    }


def item_uri(work_id: str | None, item: str | None, pasal: str, what: str) -> str | None:
    """The amending item's text: the article it enacts, or the item in the amending work's reader."""
    if not work_id or not item:
        return None
    try:
        rid = RegulationId.parse(work_id)
    except ValueError:
        return None
    if what in ("text", "inserted"):
        return rid.frbr_uri(pasal)
    return rid.frbr_uri() + f"#angka-{item}"


def status_for(snap: Snapshot, work_id: str, pasal: str) -> dict[str, Any] | None:
    """The article-level status of Pasal ``pasal`` of ``work_id`` as in force today (None if unchanged)."""
    if not snap.amending(work_id):
        return None
    cons = snap.consolidation(work_id)
    if cons is None or not cons.amended:
        return None
    return article_status(snap, cons, cons.current.article(pasal))


def in_force_uri(snap: Snapshot, work_id: str) -> str | None:
    """The permalink of the consolidated text in force now, for a work that works of the knowledge
    base amend; None otherwise."""
    if not snap.amending(work_id):
        return None
    cons = snap.consolidation(work_id)
    return expression_uri(work_id, cons.current.date) if cons is not None and cons.amended else None


def consolidation_links(snap: Snapshot, work) -> dict[str, Any]:
    """What a regulation's page links to: the consolidated text in force now (when amending works
    in the knowledge base change it), each article's status line, and the works it amends."""
    out: dict[str, Any] = {"current_uri": None, "current_date": None, "article_status": {}, "amends": _amends(snap, work)}
    if not snap.amending(work.id):
        return out
    cons = snap.consolidation(work.id)
    if cons is None or not cons.amended:
        return out
    out["current_uri"] = expression_uri(work.id, cons.current.date)
    out["current_date"] = cons.current.date
    out["page_url"] = f"/peraturan/{work.id}/konsolidasi"
    for a in cons.current.articles:
        st = article_status(snap, cons, a)
        if st:
            out["article_status"][a.number.upper()] = st
    return out


# ---- views ----------------------------------------------------------------------------------------

def article_view(snap: Snapshot, cons: Consolidation, expr: Expression, art: ConsolidatedArticle,
                 previous: ConsolidatedArticle | None = None, *, diff: bool = False) -> dict[str, Any]:
    d = art.to_dict()
    d["uri"] = expression_uri(cons.work, expr.date, art.number)
    d["source"] = {"work": art.source_work, "label": work_label(snap, art.source_work), "item": art.source_item,
                   "uri": item_uri(art.source_work, art.source_item, art.number, "text")
                   if art.source_item else RegulationId.parse(art.source_work).frbr_uri(art.number)}
    for c in d["history"]:
        c["label"] = work_label(snap, c["work"])
        c["item_uri"] = item_uri(c["work"], c["item"], art.number, c["what"])
    d["article_status"] = article_status(snap, cons, art)
    if diff:
        d["diff"] = [{"op": op, "text": t} for op, t in word_diff(previous.text if previous else "", art.text)] \
            if previous is None or previous.text != art.text else []
    return d


def expression_summary(snap: Snapshot, cons: Consolidation, expr: Expression, prev: Expression | None) -> dict[str, Any]:
    before = {a.number: a for a in prev.articles} if prev else {}
    changes = []
    if prev is not None:
        for a in expr.articles:
            old = before.get(a.number)
            if old is None:
                changes.append({"pasal": a.number, "operation": "disisipkan"})
            elif a.status == "dihapus" and old.status != "dihapus":
                changes.append({"pasal": a.number, "operation": "dihapus"})
            elif a.text != old.text:
                changes.append({"pasal": a.number, "operation": "diubah"})
            elif a.penjelasan != old.penjelasan:
                changes.append({"pasal": a.number, "operation": "diubah", "what": "penjelasan"})
    return {
        "date": expr.date, "until": expr.until, "amended_by": expr.amended_by,
        "amended_by_label": work_label(snap, expr.amended_by) if expr.amended_by else None,
        "uri": expression_uri(cons.work, expr.date),
        "consolidated_url": f"/api/v1/regulations/{cons.work}/consolidated?date={expr.date}",
        "current": expr is cons.current, "articles": len(expr.articles), "changes": changes,
    }


def expressions_view(snap: Snapshot, work_id: str) -> dict[str, Any]:
    work = snap.get(work_id)
    if work is None:
        raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")
    cons = snap.consolidation(work.id)
    amends = _amends(snap, work)
    if cons is None:
        return {"work_id": work.id, "amended": False, "current": None, "expressions": [], "amending_works": [],
                "not_applied": [], "time_limits": [], "amends": amends,
                "note": "no text in the knowledge base: no expression can be derived"}
    return {
        "work_id": work.id, "amended": cons.amended, "current": cons.current.date,
        "expressions": [expression_summary(snap, cons, e, cons.expressions[i - 1] if i else None)
                        for i, e in enumerate(cons.expressions)],
        "amending_works": [{"id": a.id, "label": work_label(snap, a.id), "date": a.date, "date_source": a.date_source}
                           for a in cons.amending],
        "not_applied": [n.to_dict() for n in cons.not_applied],
        "time_limits": [t.to_dict() for t in cons.time_limits],
        "amends": amends,
    }


def _amends(snap: Snapshot, work) -> list[dict[str, Any]]:
    """The works this one amends, and whether their consolidation is in the knowledge base."""
    out: dict[str, dict[str, Any]] = {}
    for item in (work.regulation or {}).get("amendments") or []:
        t = item.get("target_work")
        if t and t not in out:
            in_corpus = snap.get(t) is not None and bool((snap.get(t).regulation or {}).get("articles"))
            made = None  # the version of the amended work this one made
            if in_corpus:
                cons = snap.consolidation(t)
                made = next((e for e in cons.expressions if work.id in (e.amended_by or "").split(",")), None) if cons else None
            out[t] = {"work": t, "label": work_label(snap, t), "in_corpus": in_corpus,
                      "expressions_url": f"/api/v1/regulations/{t}/expressions" if in_corpus else None,
                      "expression_uri": expression_uri(t, made.date) if made else None,
                      "note": None if in_corpus else
                      "the amended work's text is not in the knowledge base: its amendment items are shown, "
                      "no consolidated text is derived"}
    return list(out.values())


def consolidated_view(snap: Snapshot, work_id: str, day: str | None, *, exact: bool = False) -> dict[str, Any]:
    """The articles in force on ``day`` (today when None). ``exact``: ``day`` must be an expression's date."""
    work = snap.get(work_id)
    if work is None:
        raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")
    cons = snap.consolidation(work.id)
    if cons is None:
        raise not_found(f"The text of {work.id}", f"Teks {work.id}")
    day = day or dt.date.today().isoformat()
    expr = cons.expression(day) if exact else cons.at(day)
    if expr is None:
        first = cons.expressions[0].date
        raise not_found(f"A version of {work.id} in force on {day} (the first took effect on {first})",
                        f"Versi {work.id} yang berlaku pada {day} (versi pertama berlaku sejak {first})")
    i = cons.expressions.index(expr)
    prev = cons.expressions[i - 1] if i else None
    return {
        "work_id": work.id, "date": day, "expression": expression_summary(snap, cons, expr, prev),
        "articles": [article_view(snap, cons, expr, a) for a in expr.articles],
        "not_applied": [n.to_dict() for n in cons.not_applied if _in_force(cons, n.work, expr)],
        "amending_works": [{"id": a.id, "label": work_label(snap, a.id), "date": a.date} for a in cons.amending
                           if a.date and a.date <= expr.date],
    }


def _in_force(cons: Consolidation, work_id: str, expr: Expression) -> bool:
    a = next((x for x in cons.amending if x.id == work_id), None)
    return a is None or a.date is None or a.date <= expr.date


# ---- the public contract -----------------------------------------------------------------------------

class ExpressionChange(BaseModel):
    pasal: str
    operation: str
    what: Optional[str] = None


class ExpressionOut(BaseModel):
    date: str = Field(description="the day this version took effect (YYYY-MM-DD)")
    until: Optional[str] = Field(None, description="the last day before the next version; null for the current one")
    amended_by: Optional[str] = Field(None, description="the amending work that made this version; null: the original")
    amended_by_label: Optional[str] = None
    uri: Optional[str] = Field(None, description="the expression's permalink, /akn/.../ind@YYYY-MM-DD")
    consolidated_url: str
    current: bool
    articles: int
    changes: list[ExpressionChange] = []


class ExpressionsPage(BaseModel):
    model_config = ConfigDict(extra="allow")
    work_id: str
    amended: bool
    current: Optional[str] = None
    expressions: list[ExpressionOut]
    amending_works: list[dict[str, Any]] = []
    not_applied: list[dict[str, Any]] = Field([], description="change items that were not applied, each with the reason")
    time_limits: list[dict[str, Any]] = []
    amends: list[dict[str, Any]] = Field([], description="the works this one amends (in the knowledge base or not)")


class ConsolidatedArticleOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    number: str
    text: str
    ayat: list[dict[str, str]] = []
    status: str = Field(description="asli | diubah | disisipkan | dihapus")
    since: Optional[str] = None
    source: dict[str, Any]
    penjelasan: Optional[str] = None
    history: list[dict[str, Any]] = []
    time_limits: list[dict[str, Any]] = []
    uri: Optional[str] = None
    article_status: Optional[dict[str, Any]] = None


class ConsolidatedOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    work_id: str
    date: str
    expression: ExpressionOut
    articles: list[ConsolidatedArticleOut]
    not_applied: list[dict[str, Any]] = []
    amending_works: list[dict[str, Any]] = []


_DATE = r"^\d{4}-\d{2}-\d{2}$"


class ConsolidatedParams(_Query):
    date: Optional[str] = Field(None, pattern=_DATE, json_schema_extra={"format": "date"},
                                description="YYYY-MM-DD; default today")


def check_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ApiProblem("validation-error", f"date {value!r} is not a calendar date (YYYY-MM-DD).",
                         f"tanggal {value!r} bukan tanggal yang sah (YYYY-MM-DD).") from None


@router.get("/regulations/{work_id}/expressions", response_model=ExpressionsPage, responses={**PROBLEMS, **NOT_FOUND},
            summary="Dated versions of the law (expressions): original, as amended by each amending work")
def list_expressions(work_id: WorkId, snap: Snapshot = Depends(get_snapshot)):
    """The versions of the TEXT OF THE LAW, derived from the work and the works in the knowledge base
    that amend it (``/versions`` lists the uploaded files of one work)."""
    return expressions_view(snap, work_id)


@router.get("/regulations/{work_id}/consolidated", response_model=ConsolidatedOut,
            responses={**PROBLEMS, **NOT_FOUND}, summary="The articles in force on a date, each with its provenance")
def get_consolidated(work_id: WorkId, params: Annotated[ConsolidatedParams, Query()],
                     snap: Snapshot = Depends(get_snapshot)):
    return consolidated_view(snap, work_id, check_date(params.date))


def is_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""))


# ---- search and ask: the article in force, once, with its source named ------------------------------

_MONTHS_RX = r"(?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember|" \
             r"January|February|March|May|June|July|August|October|December)"
_DAY_ASKED = re.compile(r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b|\b(?P<d>\d{1,2})\s+(?P<m>" + _MONTHS_RX + r")\s+(?P<y>\d{4})\b", re.I)
# "pada tahun 2020", "per 2020", "in 2020", "as of 2020", "berlaku tahun 2020": not "Nomor 11 Tahun 2008"
_YEAR_ASKED = re.compile(r"\b(?:pada|per|sejak|in|as\s+of|as\s+at|berlaku)\s+(?:tahun\s+|year\s+)?(?P<y>(?:19|20)\d{2})\b", re.I)
_MONTH_NUM = {m: i for i, names in enumerate([("januari", "january"), ("februari", "february"), ("maret", "march"),
                                              ("april",), ("mei", "may"), ("juni", "june"), ("juli", "july"),
                                              ("agustus", "august"), ("september",), ("oktober", "october"),
                                              ("november",), ("desember", "december")], 1) for m in names}


def day_asked(text: str) -> str | None:
    """A date the question names ("pada tanggal 1 Januari 2020", "as of 2020-06-01", "pada tahun
    2015": the end of that year), or None."""
    m = _DAY_ASKED.search(text or "")
    if m:
        try:
            if m["iso"]:
                return dt.date.fromisoformat(m["iso"]).isoformat()
            return dt.date(int(m["y"]), _MONTH_NUM[m["m"].lower()], int(m["d"])).isoformat()
        except (ValueError, KeyError):
            return None
    y = _YEAR_ASKED.search(text or "")
    return f"{y['y']}-12-31" if y else None


def version_asked(snap: Snapshot, question: str, work_id: str) -> str | None:
    """The day whose version of ``work_id`` the question names: a date, or an amending work it cites
    ("UU 19/2016": the version that work made); None: the law in force today."""
    day = day_asked(question)
    if day:
        return day

    cons = snap.consolidation(work_id)
    if cons is None:
        return None
    cited = {c.work_id for c in find_citations(question) if c.work_id}
    for a in cons.amending:
        if a.id in cited and a.date:
            return a.date
    if _ORIGINAL.search(question):
        return cons.expressions[0].date or None
    m = _NTH.search(question)
    if m:  # "perubahan kedua", "second amendment": the version the n-th amending work made
        n = _ORDINALS[(m["id"] or m["en"]).lower()]
        if n < len(cons.expressions):
            return cons.expressions[n].date or None
    return None


_ORIGINAL = re.compile(r"\b(?:sebelum\s+(?:di\s?ubah|perubahan)|teks\s+asli(?:nya)?|bunyi\s+asli(?:nya)?|"
                       r"before\s+(?:it\s+was\s+|being\s+)?amend\w*|as\s+originally\s+enacted|original\s+text)\b", re.I)
_ORDINALS = {"pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "first": 1, "second": 2, "third": 3, "fourth": 4}
_NTH = re.compile(r"\bperubahan\s+(?P<id>pertama|kedua|ketiga|keempat)\b|\b(?P<en>first|second|third|fourth)\s+amendment\b", re.I)


def in_force_groups(snap: Snapshot, groups: list[dict[str, Any]], *, as_of: str | None = None,
                    question: str | None = None, make_snippet=None) -> list[dict[str, Any]]:
    """Search groups with every hit on a version of an amended article replaced by the article as in
    force (today, on ``as_of``, or on the day the question names), once, in the amended work's group,
    marked with the version and the work that set its text. Hits on text not in force that day
    (a later amendment's article, a superseded text) give way to it; works nobody amends are untouched.

    ``make_snippet(text)`` makes the snippet of a text the retrieval did not see."""
    today = dt.date.today().isoformat()
    out: list[dict[str, Any]] = []
    by_work: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    days: dict[str, str | None] = {}

    def group_for(work_id: str, template: dict[str, Any] | None) -> dict[str, Any]:
        g = by_work.get(work_id)
        if g is None:
            w = snap.get(work_id)
            reg = w.summary() if w is not None else (template or {}).get("regulation")
            g = {**(template or {}), "regulation": reg, "articles": []}
            by_work[work_id] = g
            out.append(g)
        return g

    for g in groups:
        rid = (g.get("regulation") or {}).get("id") or ""
        for hit in g.get("articles") or []:
            pasal = hit.get("pasal")
            target = hit.get("amends") or rid
            cons = snap.consolidation(target) if pasal and snap.amending(target) else None
            if cons is None or not cons.amended:
                group_for(rid, g)["articles"].append(hit)
                continue
            if target not in days:
                days[target] = as_of or (version_asked(snap, question, target) if question else None)
            day = days[target] or today
            expr = cons.at(day)
            art = expr.article(str(pasal)) if expr else None
            if art is None:
                continue  # not in force that day (inserted later, or before the work took effect)
            key = (target, art.number.upper())
            if key in seen:
                continue
            seen.add(key)
            same_text = art.source_work == rid
            snippet = hit.get("snippet") if same_text or make_snippet is None else make_snippet(art.text)
            consolidated = {
                "expression": expr.date, "current": expr is cons.current, "uri": expression_uri(target, expr.date, art.number),
                "source_work": art.source_work, "source_label": work_label(snap, art.source_work),
                "source_item": art.source_item, "status": art.status, "since": art.since,
                "changed_by": art.changed_by,
            }
            status = article_status(snap, cons, art)
            label = work_label(snap, target)
            crumb = f"{label} › Pasal {art.number} · teks konsolidasi {expr.date}" + \
                    (f" ({status['text_id']})" if status else "")
            group_for(target, g)["articles"].append({
                **hit, "pasal": art.number, "amends": None, "snippet": snippet, "breadcrumb": crumb,
                "ayat": hit.get("ayat") if same_text else None,  # a part of another text names other ayat
                "uri": consolidated["uri"], "consolidated": consolidated, "article_status": status,
                "text": art.text,
            })
    for g in out:  # a group merged from several works' hits: its articles in the search's rank order
        g["articles"].sort(key=lambda a: a.get("rank", float("inf")))
    return out


def in_force_on(snap: Snapshot, work, day: str) -> bool:
    """Whether a work had taken effect on ``day`` (its tanggal pengundangan, else its year); a work
    whose date is unknown is kept."""
    d = _date_of(work)
    if d:
        return d <= day
    return work.tahun is None or work.tahun <= int(day[:4])


def _date_of(work) -> str | None:
    for v in (work.record.get("tanggal_pengundangan"), work.record.get("diundangkan"),
              (work.regulation or {}).get("tanggal_pengundangan"), work.record.get("tanggal_penetapan"),
              (work.regulation or {}).get("tanggal_penetapan")):
        if is_date(str(v or "")[:10]):
            return str(v)[:10]
    return None


def snippet_maker(query: str):
    """Snippets, marked like the search's, for a consolidated text the retrieval did not see."""
    terms = set(analyze(query)) | set(analyze(_expanded(query)))
    return lambda text: make_snippet(text or "", terms, analyze_word=_analyze_word)
