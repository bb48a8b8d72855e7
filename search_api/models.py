"""The public contract: pydantic models of every request and response (and so of /openapi.json)."""
from __future__ import annotations

from enum import Enum
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from ingest.vocabulary import STATUSES


class Mode(str, Enum):
    hybrid = "hybrid"
    bm25 = "bm25"
    dense = "dense"


Status = Enum("Status", [(s, s) for s in STATUSES], type=str)  # the values of ingest.vocabulary


MAX_QUERY = 500
MAX_LIMIT = 100


# ---- errors -------------------------------------------------------------------------------------

class FieldError(BaseModel):
    field: str
    type: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; ``detail`` in English, ``detail_id`` in Indonesian."""

    type: str = Field(examples=["/problems/validation-error"])
    title: str
    status: int
    detail: str
    detail_id: str
    instance: Optional[str] = None
    errors: Optional[list[FieldError]] = None


# ---- query parameters (unknown parameters are rejected with 422) ------------------------------

class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _jenis_names() -> list[str]:
    from ingest.ids import JENIS

    return sorted({v for code, (name, abbr) in JENIS.items() for v in (code, name, abbr)})


def _dimension_ids() -> list[str]:
    from pipelines.indexing.dimensions import DIMENSION_IDS

    return list(DIMENSION_IDS)


class RegulationFilters(_Query):
    # the schema lists the values the server knows (it also takes them in any case)
    jenis: Optional[str] = Field(None, max_length=120, json_schema_extra={"enum": _jenis_names()},
                                 description="type: short code (uu, pp, perwal), abbreviation or full name")
    tahun: Optional[int] = Field(None, ge=1900, le=2100, description="year in the regulation's number")
    status: Optional[Status] = None
    dimension: Optional[str] = Field(None, max_length=60, json_schema_extra={"enum": _dimension_ids()},
                                     description="Smart City dimension id, e.g. smart-governance")


class SearchParams(RegulationFilters):
    q: str = Field(min_length=1, max_length=MAX_QUERY, description="the question or keywords")
    mode: Mode = Mode.hybrid
    as_of: Optional[str] = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"},
                                 description="YYYY-MM-DD: only works in force that day, amended articles as they read that day")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="regulations per page")
    cursor: Optional[str] = Field(None, max_length=200, description="next_cursor of the previous page")


class RegulationListParams(RegulationFilters):
    has_text: Optional[bool] = None
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    cursor: Optional[str] = Field(None, max_length=200)


class ResolveParams(_Query):
    cite: str = Field(min_length=1, max_length=MAX_QUERY, description='a citation, e.g. "PP 71/2019 Pasal 20"')


class NoParams(_Query):
    pass


# ---- regulations ------------------------------------------------------------------------------

class RegulationSummary(BaseModel):
    id: str = Field(examples=["pp-71-2019"])
    judul: Optional[str] = None
    judul_en: Optional[str] = None
    jenis: Optional[str] = Field(None, examples=["Peraturan Pemerintah"])
    jenis_code: Optional[str] = Field(None, examples=["pp"])
    singkatan: Optional[str] = None
    nomor: Optional[str] = None
    tahun: Optional[int] = None
    region: Optional[str] = None
    status: Status
    dimensions: list[str]
    has_text: bool
    verified: bool = Field(True, description="false: catalogue metadata not yet checked against the official text")
    uri: Optional[str] = Field(None, description="permalink (Akoma Ntoso FRBR work URI)")


class ArticleHit(BaseModel):
    pasal: Optional[str] = None
    ayat: Optional[str] = None
    lampiran: Optional[str] = Field(None, description='a Lampiran section: "Lampiran I, A.1.a"')
    rows: Optional[str] = Field(None, description='the table rows of that section the hit holds: "1-9"')
    amends: Optional[str] = Field(None, description="for an article enacted by an amendment: the amended work")
    breadcrumb: Optional[str] = None
    snippet: str = Field(description="HTML-escaped text with <mark> around matching words")
    score: float
    uri: Optional[str] = None
    consolidated: Optional[dict[str, Any]] = Field(
        None, description="an amended article as in force: the expression date, the work and item that set its text")
    article_status: Optional[dict[str, Any]] = Field(None, description='"Pasal 27 diubah oleh UU 1/2024" (text_id, text_en)')


class SearchResult(BaseModel):
    regulation: RegulationSummary
    score: float
    articles: list[ArticleHit]


class FacetCount(BaseModel):
    value: str
    count: int


class Facets(BaseModel):
    jenis: list[FacetCount]
    tahun: list[FacetCount]
    status: list[FacetCount]
    dimension: list[FacetCount]


class SearchResponse(BaseModel):
    query: str
    mode: Mode
    total: int = Field(description="matching regulations, all pages")
    results: list[SearchResult]
    facets: Facets
    next_cursor: Optional[str] = None


class AyatOut(BaseModel):
    number: str
    text: str


class ArticleOut(BaseModel):
    pasal: str
    text: str
    ayat: list[AyatOut]
    bab: Optional[str] = None
    bagian: Optional[str] = None
    paragraf: Optional[str] = None
    penjelasan: Optional[str] = None
    page: Optional[int] = None
    amends: Optional[str] = Field(None, description="the work whose article this text enacts (amendment items)")
    amendment_item: Optional[str] = None
    regulation_id: str
    uri: Optional[str] = None
    dimensions: list[str] = []


class TreeNode(BaseModel):
    kind: str = Field(description="bab | bagian | paragraf")
    heading: str
    articles: list[str] = Field(description="Pasal numbers directly under this heading")
    children: list["TreeNode"] = []


class AmendmentOut(BaseModel):
    number: str
    operation: str
    instruction: str
    target_work: Optional[str] = None
    target_article: Optional[str] = None
    target: str
    text: str
    articles: list[ArticleOut]


class RelationOut(BaseModel):
    type: str = Field(description="active (mengubah, mencabut, ...) or passive (diubah_dengan, dicabut_dengan, ...)")
    direction: str = Field(description="outgoing: stated by this work; incoming: stated by the other work")
    other: Optional[str] = None
    other_uri: Optional[str] = None
    in_corpus: bool
    citation: str
    article: Optional[str] = None


class SourceOut(BaseModel):
    path: str
    sha256: Optional[str] = None
    media_type: Optional[str] = None
    pages: Optional[int] = None
    method: Optional[str] = None


class WarningOut(BaseModel):
    code: str
    message: str
    page: Optional[int] = None


class RegulationDetail(RegulationSummary):
    tempat: Optional[str] = None
    tanggal_penetapan: Optional[str] = None
    tanggal_pengundangan: Optional[str] = None
    menimbang: list[str] = []
    mengingat: list[str] = []
    tree: list[TreeNode] = []
    articles: list[ArticleOut] = []
    amendments: list[AmendmentOut] = []
    penjelasan_umum: Optional[str] = None
    lampiran: Optional[str] = None
    lampiran_sections: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the Lampiran by its structure: sections (citation, headings, column header, rows with unit and amounts, notes, anchor)")
    relations: list[RelationOut] = []
    sources: list[SourceOut] = []
    warnings: list[WarningOut] = []
    facts: list[str] = Field([], description="catalogue facts about a work without text, each with its source")
    catalogue: dict[str, Any] = Field({}, description="the catalogue record as stored")
    updated_at: Optional[str] = None


class RegulationPage(BaseModel):
    total: int
    results: list[RegulationSummary]
    next_cursor: Optional[str] = None


# ---- ask ------------------------------------------------------------------------------------------

class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=MAX_QUERY,
                          examples=["peraturan tentang pusat data pemerintah"])


class QuotedArticle(BaseModel):
    pasal: Optional[str] = None
    ayat: Optional[str] = None
    lampiran: Optional[str] = Field(None, description='a quoted Lampiran table row: "Lampiran I, A.1.a"')
    row: Optional[int] = Field(None, description="its row in that table (baris)")
    citation: Optional[str] = Field(None, description='how to cite it: "Lampiran I, A.1.a, baris 1"')
    amends: Optional[str] = None
    text: str = Field(description="the article's text, quoted from the law (never generated)")
    uri: Optional[str] = None
    dimensions: list[str] = []
    score: float
    consolidated: Optional[dict[str, Any]] = Field(
        None, description="an amended article as in force: the expression date, the work and item that set its text")
    article_status: Optional[dict[str, Any]] = Field(None, description='"Pasal 27 diubah oleh UU 1/2024" (text_id, text_en)')


class Answer(BaseModel):
    regulation: RegulationSummary
    articles: list[QuotedArticle]
    strength: Optional[float] = Field(None, description="dimension answers: link strength")
    note: Optional[str] = None
    local: bool = Field(False, description="a regulation of the region the question names (or of this deployment, JDIH_HOME_REGION): named first")
    other_region: bool = Field(False, description="a regional rule of another region than the question's (named last, with a note)")
    metadata_only: bool = Field(False, description="a catalogue record whose text is not yet in the database: nothing is quoted")
    known: list[str] = Field([], description="for a metadata-only record: what the catalogue knows (title, facts, abstract)")
    service: Optional[str] = Field(None, description="service answers: the service (regulations/services.yaml) this is a legal basis of")
    link_state: Optional[str] = Field(None, description="service answers: confirmed (by staff) | proposed (by the system, not yet confirmed)")
    confidence: Optional[float] = Field(None, description="service answers: the system's confidence in its proposal")


class AskEvidence(BaseModel):
    """The signals the answer-or-refuse decision was taken on."""

    terms: list[str]
    domain_terms: list[str] = Field(description="specific glossary concepts of the question found in a top article")
    cited: list[str] = Field([], description="works of the knowledge base the question cites")
    coverage: float = Field(description="IDF-weighted share of the question's terms found in the best article")
    bm25: Optional[float] = None
    dense: Optional[float] = None
    dimension: Optional[str] = None
    raw_confidence: Optional[float] = Field(None, description="the evidence score before calibration")


class AskResponse(BaseModel):
    question: str
    refused: bool
    reason: Optional[str] = None
    reason_id: Optional[str] = None
    basis: Optional[str] = Field(None, description="search | dimension | service")
    region: Optional[str] = Field(None, description="the region whose rules come first (named in the question, else this deployment's)")
    answers: list[Answer] = []
    dimensions: list[str] = []
    confidence: float = Field(ge=0, le=1, description="calibrated: the share of answers (or refusals) like this one that were right on the calibration set (docs/api.md)")
    band: Optional[str] = Field(None, description="high | medium | low, read off the calibrated confidence")
    services: list[dict[str, Any]] = Field([], description="the services of the register the question names (basis: service)")
    evidence: AskEvidence


# ---- dimensions ------------------------------------------------------------------------------

class SubDimension(BaseModel):
    id: str
    name_id: str
    name_en: str


class DimensionSummary(BaseModel):
    id: str
    name_id: str
    name_en: str
    description_id: Optional[str] = None
    description_en: Optional[str] = None
    subdimensions: list[SubDimension]
    regulations: int = Field(description="linked regulations")


class DimensionEvidence(BaseModel):
    pasal: Optional[str] = None
    uri: Optional[str] = None
    score: Optional[float] = None
    terms: list[str] = []


class DimensionLink(BaseModel):
    regulation: RegulationSummary
    strength: float
    curated: bool
    evidence: list[DimensionEvidence]


class DimensionDetail(DimensionSummary):
    linked: list[DimensionLink]


# ---- resolve, feed, health ----------------------------------------------------------------------

class ResolveResponse(BaseModel):
    cite: str
    text: str = Field(description="the part of the input read as a citation")
    work_id: Optional[str] = None
    jenis: Optional[str] = None
    nomor: Optional[str] = None
    tahun: Optional[int] = None
    region: Optional[str] = None
    pasal: Optional[str] = None
    ayat: Optional[str] = None
    uri: Optional[str] = None
    in_corpus: bool
    regulation: Optional[RegulationSummary] = None


class JdihnRecord(BaseModel):
    """One work in the JDIHN harvest feed (field spelling as JDIHN member sites serve it)."""

    idData: str
    tahun_pengundangan: str
    tanggal_pengundangan: str
    jenis: str
    noPeraturan: str
    judul: str
    noPanggil: str
    singkatanJenis: str
    tempatTerbit: str
    penerbit: str
    deskripsiFisik: str
    sumber: str
    subjek: str
    isbn: str
    status: str
    bahasa: str
    bidangHukum: str
    teuBadan: str
    nomorIndukBuku: str
    fileDownload: str
    urlDownload: str
    urlDetailPeraturan: str
    operasi: str
    display: str


class Health(BaseModel):
    status: str
    works: Optional[int] = None
