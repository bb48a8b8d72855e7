"""The catalogue of the shipped corpus: one record per work, read from ``catalogue.yaml``.

>>> from regulations.catalogue import load_catalogue, get, corpus_dir
>>> rec = get("uu-27-2022")
>>> [s.file for s in rec.sources]
['uu-27-2022-pdp.pdf', 'uu-27-2022-pdp.md']
>>> rec.field("sumber")
'Lembaran Negara Republik Indonesia Tahun 2022 Nomor 196'
>>> get("perwal-malang-9-2022").has_text
False

Every value in a record is backed by a provenance line naming where it was read (a corpus file
and page/line, the source JDIH's metadata file, or ``malang-catalogue.yaml``); see the header of
``catalogue.yaml`` for the rules. Nothing is cached: each call reads the file (it is small).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from ingest.ids import RegulationId

HERE = Path(__file__).resolve().parent
DEFAULT_PATH = HERE / "catalogue.yaml"

SOURCE_ROLES = ("primary", "secondary", "abstract", "metadata")
SOURCE_FORMS = ("born-digital", "scan-ocr", "image-only", "text")

# Keys of a record that are about the record, not facts about the regulation: they need no
# provenance line.
STRUCTURAL_KEYS = frozenset({
    "id", "has_text", "metadata_only", "sources", "provenance", "notes", "discrepancies", "citations",
})
# JDIHN feed fields (shared/reference/jdihn-fields.md) a record may carry, plus
# tanggal_penetapan and abstrak which some member sites add.
JDIHN_FIELDS = (
    "jenis", "singkatanJenis", "noPeraturan", "tahun_pengundangan", "tanggal_pengundangan",
    "tanggal_penetapan", "judul", "tempatTerbit", "penerbit", "deskripsiFisik", "sumber", "subjek",
    "status", "bahasa", "bidangHukum", "teuBadan", "abstrak",
)
# Keys added on load, computed from the id and singkatanJenis (never stored in the YAML).
DERIVED_KEYS = frozenset({"region", "nomor", "singkatan"})
# Files of the corpus folder that are not the source of any one work.
NOT_SOURCES = frozenset({"MANIFEST.md", "malang-catalogue.yaml"})


class CatalogueError(ValueError):
    """The catalogue is inconsistent; ``problems`` lists every finding, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} catalogue problem(s):\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class SourceRef:
    """One file a work arrived in."""

    file: str  # name inside regulations/corpus
    role: str  # primary | secondary | abstract | metadata
    form: str  # born-digital | scan-ocr | image-only | text
    upstream: str | None = None
    pages: int | None = None

    def path(self, base: Path | None = None) -> Path:
        return (base or corpus_dir()) / self.file


class CatalogueRecord(dict):
    """One work: the record as written in the YAML (a plain dict, so it serialises and passes to
    any layer as is), plus typed accessors and a few keys derived on load from the id
    (``DERIVED_KEYS``: ``region``, ``nomor``, ``singkatan``), which are not stored in the YAML."""

    @property
    def id(self) -> str:
        return self["id"]

    @property
    def has_text(self) -> bool:
        return bool(self.get("has_text", False))

    @property
    def metadata_only(self) -> bool:
        return bool(self.get("metadata_only", False))

    @property
    def sources(self) -> list[SourceRef]:
        return [SourceRef(**s) for s in self.get("sources") or []]

    @property
    def provenance(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.get("provenance") or {}).items()}

    @property
    def data(self) -> dict[str, Any]:
        return dict(self)

    @property
    def regulation_id(self) -> RegulationId:
        return RegulationId.parse(self.id)

    @property
    def judul(self) -> str | None:
        return self.get("judul")

    @property
    def tahun(self) -> int | None:
        return self.get("tahun")

    @property
    def dimensions(self) -> list[str]:
        return list(self.get("dimensions") or [])

    @property
    def title_verified(self) -> bool | str:
        """True, False or "partly" (Malang records); True for works whose text we hold."""
        return self.get("title_verified", True)

    @property
    def primary_source(self) -> SourceRef | None:
        return next((s for s in self.sources if s.role == "primary"), None)

    def text_sources(self) -> list[SourceRef]:
        """The sources that carry the regulation's text, the primary first."""
        return [s for s in self.sources if s.role in ("primary", "secondary")]

    def field(self, name: str, default: Any = None) -> Any:
        return self.get(name, default)

    def facts(self) -> dict[str, Any]:
        """Every backed fact of the record (structural and derived keys left out)."""
        return {k: v for k, v in self.items() if k not in STRUCTURAL_KEYS and k not in DERIVED_KEYS}

    def to_dict(self) -> dict[str, Any]:
        return dict(self)

    def to_jdihn(self) -> dict[str, str]:
        """The record as one object of a JDIHN feed: strings only, unknown fields left out.
        A metadata-only record's ``facts`` become its ``abstrak``."""
        out: dict[str, str] = {"idData": self.id}
        for name in JDIHN_FIELDS:
            value = self.get(name)
            if name == "abstrak" and value is None and self.get("facts"):
                value = self["facts"]
            if value is None:
                continue
            out[name] = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        return out


def regional_name(jenis: str | None, region: str | None, record: dict[str, Any] | None = None) -> str:
    """The name a regulation is cited by, before its number: "Peraturan Wali Kota Malang",
    "Peraturan Bupati Kotabaru" (the head's office names the level), "Peraturan Daerah Kota
    Malang" (a Perda names its region's level, which the record's sources give: "Lembaran Daerah
    Kota Malang ..."; without one it stays "Peraturan Daerah Malang", the level unknown).

    >>> regional_name("Peraturan Daerah", "malang", {"sumber": "Lembaran Daerah Kota Malang Tahun 2024 Nomor 1"})
    'Peraturan Daerah Kota Malang'
    >>> regional_name("Peraturan Wali Kota", "malang")
    'Peraturan Wali Kota Malang'
    """
    place = (region or "").replace("-", " ").title()
    if jenis == "Peraturan Daerah" and place:
        for text in ((record or {}).get(k) for k in ("sumber", "teuBadan", "penerbit")):
            m = re.search(rf"\b(Kota|Kabupaten|Provinsi)\s+{re.escape(place)}\b", str(text or ""), re.I)
            if m:
                return f"{jenis} {m.group(1).title()} {place}"
    return " ".join(p for p in (jenis, place) if p)


def corpus_dir() -> Path:
    """regulations/corpus: the real files the catalogue's sources name."""
    return HERE / "corpus"


def _record(raw: dict[str, Any]) -> CatalogueRecord:
    rec = CatalogueRecord(raw)
    rec["id"] = str(raw.get("id", ""))
    try:
        rid = RegulationId.parse(rec["id"])
    except ValueError:
        return rec  # reported by validate_catalogue
    rec.setdefault("region", rid.region)
    rec.setdefault("nomor", rid.nomor or None)
    rec.setdefault("singkatan", raw.get("singkatanJenis"))
    return rec


def load_raw(path: str | Path | None = None) -> dict[str, Any]:
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise CatalogueError([f"{path or DEFAULT_PATH}: expected a mapping with a 'records' list"])
    return doc


def load_catalogue(path: str | Path | None = None, *, validate: bool = True) -> list[CatalogueRecord]:
    """All records, in file order. With ``validate`` (the default) an inconsistent catalogue
    raises :class:`CatalogueError` listing every problem."""
    records = [_record(r) for r in load_raw(path)["records"]]
    if validate:
        problems = validate_catalogue(records)
        if problems:
            raise CatalogueError(problems)
    return records


def get(work_id: str, records: Iterable[CatalogueRecord] | None = None) -> CatalogueRecord | None:
    """The record of one work by canonical id (case-insensitive), or None."""
    wanted = work_id.strip().lower()
    return next((r for r in (records if records is not None else load_catalogue()) if r.id == wanted), None)


def validate_catalogue(records: list[CatalogueRecord], base: Path | None = None) -> list[str]:
    """Problems found, as human-readable lines (empty when all is well): ids that do not parse or
    repeat, sources that are missing or listed twice, unknown roles/forms, text works without a
    primary source, facts without provenance and provenance without a fact."""
    base = base or corpus_dir()
    problems: list[str] = []
    seen_ids: set[str] = set()
    seen_files: dict[str, str] = {}
    for r in records:
        try:
            rid = RegulationId.parse(r.id)
            if str(rid) != r.id:
                problems.append(f"{r.id}: id is not canonical (canonical form: {rid})")
        except ValueError as exc:
            problems.append(f"{r.id}: {exc}")
        if r.id in seen_ids:
            problems.append(f"{r.id}: listed twice")
        seen_ids.add(r.id)
        for s in r.sources:
            if s.role not in SOURCE_ROLES:
                problems.append(f"{r.id}: source {s.file}: unknown role {s.role!r} (one of {', '.join(SOURCE_ROLES)})")
            if s.form not in SOURCE_FORMS:
                problems.append(f"{r.id}: source {s.file}: unknown form {s.form!r} (one of {', '.join(SOURCE_FORMS)})")
            if not (base / s.file).is_file():
                problems.append(f"{r.id}: source file {s.file} not found in {base}")
            if s.file in seen_files:
                problems.append(f"{r.id}: source file {s.file} is also a source of {seen_files[s.file]}")
            seen_files[s.file] = r.id
        if r.has_text and not r.primary_source:
            problems.append(f"{r.id}: has_text but no primary source")
        if not r.has_text and r.text_sources():
            problems.append(f"{r.id}: has_text false but lists text sources")
        for name, value in r.facts().items():
            if value not in (None, "", []) and not r.provenance.get(name):
                problems.append(f"{r.id}: field {name!r} has no provenance")
        for name in r.provenance:
            if name not in r:
                problems.append(f"{r.id}: provenance for absent field {name!r}")
    return problems


# --- checking provenance quotes against the documents ------------------------------------------

_CLAIM = re.compile(
    r"(?P<file>[\w.-]+\.(?:md|pdf|txt|yaml))"
    r"(?:\s+(?:p\.(?P<page>\d+)|lines?\s+(?P<lines>[\d, -]+)))?"
    r"[^:']*:\s*'(?P<quote>[^']+)'"
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def provenance_claims(provenance: str) -> list[dict[str, Any]]:
    """The quoted claims of one provenance line: file, page or lines, quote."""
    claims = []
    for m in _CLAIM.finditer(provenance):
        lines: list[tuple[int, int]] = []
        if m["lines"]:
            for part in m["lines"].split(","):
                a, _, b = part.strip().partition("-")
                if a:
                    lines.append((int(a), int(b or a)))
        claims.append({"file": m["file"], "page": int(m["page"]) if m["page"] else None,
                       "lines": lines, "quote": m["quote"]})
    return claims


def check_quotes(record: CatalogueRecord, base: Path | None = None, page_text=None) -> list[str]:
    """Problems with the record's quoted provenance: each quote (split at "...") must occur,
    whitespace and case aside, in the cited lines of a text file or the cited page of a PDF.
    ``page_text(path, page) -> str`` reads one PDF page (default: pypdf)."""
    base = base or corpus_dir()
    if page_text is None:
        readers: dict[Path, Any] = {}  # local to this call: each PDF is opened once

        def page_text(path: Path, page: int) -> str:
            from pypdf import PdfReader

            if path not in readers:
                readers[path] = PdfReader(path)
            return readers[path].pages[page - 1].extract_text() or ""

    problems: list[str] = []
    for name, prov in record.provenance.items():
        for claim in provenance_claims(prov):
            path = base / claim["file"]
            if claim["file"] == "malang-catalogue.yaml" or not path.is_file():
                continue
            if claim["file"].endswith(".pdf"):
                if not claim["page"]:
                    continue
                haystack = page_text(path, claim["page"])
            else:
                # split on newlines only, as grep and editors count lines (the .md files hold
                # form feeds, which str.splitlines() would also split on)
                all_lines = path.read_text(encoding="utf-8").split("\n")
                spans = claim["lines"] or [(1, len(all_lines))]
                haystack = "\n".join("\n".join(all_lines[a - 1:b]) for a, b in spans)
            hay = _norm(haystack)
            for part in claim["quote"].split("..."):
                if _norm(part) and _norm(part) not in hay:
                    where = f"p.{claim['page']}" if claim["page"] else f"lines {claim['lines']}"
                    problems.append(f"{record.id}: {name}: {part.strip()!r} not found in {claim['file']} {where}")
    return problems
