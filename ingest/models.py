"""The regulation model: plain dataclasses that every layer above ingest/ uses.

Data flows one way: file -> :class:`Regulation` (this module) -> chunks -> store -> API.
Nothing here knows about files, stores or HTTP; ``to_dict()`` gives the JSON that
``jdih parse --json`` prints and that the catalogue stores.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ingest.vocabulary import RelationType

AmendmentOp = Literal["diubah", "disisipkan", "dihapus"]


@dataclass
class Ayat:
    """One numbered paragraph of an article: ``(1)``, ``(2)``..."""

    number: str  # "1", "2", "2a"
    text: str


@dataclass
class Article:
    """One Pasal. ``number`` is a string: "5", "45A"."""

    number: str
    text: str  # the whole article body, heading excluded
    ayat: list[Ayat] = field(default_factory=list)
    bab: str | None = None  # "BAB I KETENTUAN UMUM"
    bagian: str | None = None  # "Bagian Kesatu Umum"
    paragraf: str | None = None  # "Paragraf 1 Pendaftaran"
    penjelasan: str | None = None  # "Pasal demi Pasal" explanation of this article
    page: int | None = None  # 1-based page where the heading was read (PDF sources)

    @property
    def path(self) -> list[str]:
        return [p for p in (self.bab, self.bagian, self.paragraf) if p]


@dataclass
class AmendmentItem:
    """One numbered change item inside Pasal I of an amending regulation.

    ``articles`` are the quoted new articles: they belong to the amended work
    (``target_work``), never to the amending regulation's own body.
    """

    number: str  # the item number inside Pasal I: "1", "2", ...
    operation: AmendmentOp
    instruction: str  # "Ketentuan Pasal 27 diubah sehingga berbunyi sebagai berikut:"
    target_work: str | None  # canonical id of the amended work, when resolvable
    target_article: str | None  # "27", "45A"; None when the item targets something else
    target: str  # what the item changes, as written: "Pasal 27", "Penjelasan Pasal 5", "BAB XA"
    text: str = ""  # the new text as published (empty for dihapus)
    articles: list[Article] = field(default_factory=list)
    page: int | None = None


@dataclass(frozen=True)
class Relation:
    """A relation in the active voice: ``source`` <type> ``target``. The one relation type of the
    code base: a parsed regulation states its own (``source`` None in ``Regulation.relations``:
    the regulation itself), the relation graph (regulations.relations) and the staff's edits give
    each its source."""

    type: RelationType
    target: str | None  # canonical id when the citation resolved, else None
    citation: str = ""  # the text it was read from
    article: str | None = None  # a cited article ("27") when the citation names one
    note: str | None = None
    source: str | None = None  # the stating work's canonical id (None inside its own record)


@dataclass
class ParseWarning:
    code: str  # machine-readable: "no_articles", "ocr_low_confidence", "sequence_gap", ...
    message: str
    page: int | None = None


@dataclass
class SourceInfo:
    path: str  # file name as given (never trusted as a path elsewhere)
    sha256: str
    media_type: str  # application/pdf, text/plain
    pages: int | None = None
    method: str = "text"  # text | pdf-text | ocr | reocr
    seconds: float | None = None


@dataclass
class Regulation:
    id: str | None  # canonical id: jenis[-region]-nomor-tahun, lowercase
    jenis: str | None  # full type: "Undang-Undang", "Peraturan Wali Kota"
    singkatan: str | None  # "UU", "PERWAL"
    nomor: str | None
    tahun: int | None
    judul: str | None  # title after TENTANG
    region: str | None = None  # "malang" for Kota Malang, None for national
    tempat: str | None = None
    tanggal_penetapan: str | None = None  # YYYY-MM-DD
    tanggal_pengundangan: str | None = None
    menimbang: list[str] = field(default_factory=list)
    mengingat: list[str] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    penjelasan_umum: str | None = None
    lampiran: str | None = None
    amendments: list[AmendmentItem] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for a, src in zip(d["articles"], self.articles):
            a["path"] = src.path
        for item, src in zip(d["amendments"], self.amendments):
            for a, asrc in zip(item["articles"], src.articles):
                a["path"] = asrc.path
        for r in d["relations"]:  # inside its own record a relation's source is the record
            if r.get("source") is None:
                r.pop("source", None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Regulation":
        def art(a: dict) -> Article:
            a = {k: v for k, v in a.items() if k != "path"}
            a["ayat"] = [Ayat(**y) for y in a.get("ayat", [])]
            return Article(**a)

        d = dict(d)
        d["articles"] = [art(a) for a in d.get("articles", [])]
        d["amendments"] = [
            AmendmentItem(**{**m, "articles": [art(a) for a in m.get("articles", [])]})
            for m in d.get("amendments", [])
        ]
        d["relations"] = [Relation(**r) for r in d.get("relations", [])]
        d["warnings"] = [ParseWarning(**w) for w in d.get("warnings", [])]
        d["sources"] = [SourceInfo(**s) for s in d.get("sources", [])]
        return cls(**d)
