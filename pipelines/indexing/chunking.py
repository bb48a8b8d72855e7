"""Chunk a parsed regulation by article: one chunk per Pasal, long ones split at ayat; the
Lampiran by its own structure (LAMPIRAN I/II, lettered and numbered headings, table rows kept
whole with their column header and units; see ingest.lampiran).

Every chunk carries its citation in ``meta`` (work id, title, BAB path, Pasal, ayat range, the
amended work for amendment items) and a short ``breadcrumb`` that is embedded with the text.
A catalogue record without text (the six Malang regulations) becomes one chunk of title,
English title, facts and abstract.

>>> from haystack import Document
>>> chunker = ArticleChunker(max_chars=1200)
>>> # docs = chunker.run(regulations=[regulation], records=[record])["documents"]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Iterable

from haystack import Document, component, default_from_dict, default_to_dict

from ingest.ids import RegulationId, article_uri
from ingest.lampiran import parse_lampiran, replaced_lampiran
from ingest.models import AmendmentItem, Article, Ayat, Regulation
from regulations.catalogue import regional_name

# Meta fields embedded with a chunk's content (the document embedders' meta_fields_to_embed):
# the citation path, and a metadata-only record's English description (see _catalogue_chunk).
EMBEDDED_META_FIELDS = ["breadcrumb", "description_en"]
# Bumped when a catalogue record's chunk changes shape: the metadata-only works re-ingest.
CATALOGUE_CHUNK_VERSION = "3"  # 2: English description out of the BM25 text (description_en); 3: "Peraturan Daerah Kota Malang"

_PENJELASAN_LABEL = "Penjelasan: "  # what introduces an article's explanation in its chunk
# Penjelasan that says nothing is not worth indexing.
_EMPTY_PENJELASAN = re.compile(r"^\s*(cukup\s+jelas\.?|-)?\s*$", re.I)
# Numbered items inside an article without ayat ("1. Sistem Elektronik adalah ...").
_ITEM_START = re.compile(r"(?:(?<=\n)|(?<=[;:.]\s))(?=\d{1,3}\.\s+[A-Z])")


@dataclass
class _Piece:
    text: str
    ayat_from: str | None = None
    ayat_to: str | None = None
    penjelasan: bool = False  # a part that holds only the article's Penjelasan


def _work_meta(reg: Regulation | None, record: dict[str, Any] | None) -> dict[str, Any]:
    """The regulation-level fields every chunk of a work repeats (for filters and grouping)."""
    record = record or {}
    rid = (reg.id if reg else None) or record.get("id")
    def pick(field: str, *record_keys: str):
        """The catalogue's curated value first, then what the parser read from the heading."""
        for k in (field, *record_keys):
            if record.get(k) not in (None, ""):
                return record[k]
        return getattr(reg, field, None) if reg else None

    meta: dict[str, Any] = {
        "work_id": rid,
        "judul": pick("judul"),
        "jenis": pick("jenis"),
        "singkatan": pick("singkatan", "singkatanJenis"),
        "nomor": pick("nomor", "noPeraturan"),
        "tahun": pick("tahun", "tahun_pengundangan"),
        "region": pick("region"),
        "status": record.get("status") or "berlaku",
        "has_text": reg is not None and bool(reg.articles or reg.amendments),
    }
    try:
        meta["uri"] = RegulationId.parse(rid).frbr_uri() if rid else None
    except ValueError:
        meta["uri"] = None
    return meta


def _title_line(meta: dict[str, Any]) -> str:
    parts = [meta.get("singkatan") or meta.get("jenis") or "", ]
    if meta.get("nomor"):
        parts.append(f"{meta['nomor']}/{meta.get('tahun') or '?'}")
    head = " ".join(p for p in parts if p)
    return f"{head} tentang {meta['judul']}" if meta.get("judul") else head


def _wrap(text: str, max_chars: int) -> list[str]:
    """``text`` in slices of at most ``max_chars``, cut at whitespace (mid-word only where one
    word is longer than that): a text with no ayat, item or sentence end still gets small chunks.
    """
    if len(text) <= max_chars:
        return [text]
    out: list[str] = []
    rest = text.strip()
    while len(rest) > max_chars:
        cut = rest.rfind(" ", 0, max_chars + 1)
        cut = max(cut, rest.rfind("\n", 0, max_chars + 1))
        if cut <= 0:
            cut = max_chars
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        out.append(rest)
    return out


def _split_pieces(article: Article, max_chars: int) -> list[_Piece]:
    """Split a long article at ayat boundaries (or numbered items), keeping ayat ranges."""
    if len(article.text) <= max_chars:
        first = article.ayat[0].number if article.ayat else None
        last = article.ayat[-1].number if article.ayat else None
        return [_Piece(article.text, first, last)]
    if article.ayat:
        groups: list[list[Ayat]] = [[]]
        size = 0
        for ay in article.ayat:
            if groups[-1] and size + len(ay.text) > max_chars:
                groups.append([])
                size = 0
            groups[-1].append(ay)
            size += len(ay.text)
        return [
            _Piece(part, g[0].number, g[-1].number)
            for g in groups
            for part in _wrap("\n".join(f"({a.number}) {a.text}" for a in g), max_chars)
        ]
    # No ayat: split at numbered items, else at sentence ends, never mid-word.
    units = [u for u in _ITEM_START.split(article.text) if u.strip()]
    if len(units) <= 1:
        units = re.split(r"(?<=[.;])\s+", article.text)
    units = [part for u in units for part in _wrap(u, max_chars)]
    pieces: list[_Piece] = []
    buf = ""
    for u in units:
        if buf and len(buf) + len(u) > max_chars:
            pieces.append(_Piece(buf.strip()))
            buf = ""
        buf += u if buf.endswith((" ", "\n")) or not buf else " " + u
    if buf.strip():
        pieces.append(_Piece(buf.strip()))
    return pieces


@component
class ArticleChunker:
    """Turns parsed regulations (and text-less catalogue records) into one Document per article.

    Usage::

        chunker = ArticleChunker()
        docs = chunker.run(regulations=[reg], records=[catalogue_record])["documents"]

    ``regulations[i]`` may be None for a catalogue record without text; ``records[i]`` is the
    catalogue record (a dict) for the same work, or None.
    """

    def __init__(self, max_chars: int = 1500):
        if max_chars < 200:
            raise ValueError("max_chars must be at least 200")
        self.max_chars = max_chars

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, max_chars=self.max_chars)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ArticleChunker":
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, regulations: list[Regulation | None], records: list[dict[str, Any] | None] | None = None):
        records = records or [None] * len(regulations)
        if len(records) != len(regulations):
            raise ValueError("regulations and records must have the same length")
        docs: list[Document] = []
        for reg, rec in zip(regulations, records):
            docs.extend(self.chunk(reg, rec))
        return {"documents": docs}

    def chunk(self, reg: Regulation | None, record: dict[str, Any] | None = None) -> list[Document]:
        base = _work_meta(reg, record)
        rid = base["work_id"]
        if not rid:
            raise ValueError("cannot chunk a regulation without an id")
        title = _title_line(base)
        if reg is None or not (reg.articles or reg.amendments):
            return [self._catalogue_chunk(base, title, record or {})]
        docs: list[Document] = []
        for art in reg.articles:
            if reg.amendments and art.number == "I":
                # Pasal I is the frame of the change items; its items become their own chunks.
                continue
            docs.extend(self._article_chunks(base, title, art, key=f"pasal-{art.number}"))
        for item in reg.amendments:
            docs.extend(self._amendment_chunks(base, title, item))
        docs.extend(self._lampiran_chunks(base, title, reg))
        return _unique_ids(docs)

    def _lampiran_chunks(self, base: dict, title: str, reg: Regulation) -> list[Document]:
        """The Lampiran by its own structure (ingest.lampiran): one chunk per section, long tables
        cut between rows, never inside one; each row repeats its group labels, so a chunk reads
        alone: "baris 1: 1. Tarif Pelayanan Non Medis › a. Pelayanan rawat jalan | Per Kunjungan | 10.000".
        A Lampiran that replaces one of the amended work says so in its text and ``meta``."""
        sections = parse_lampiran(reg.lampiran)
        if not sections:
            return []
        replaces = replaced_lampiran(reg.amendments)
        out = []
        for n, sec in enumerate(sections, 1):
            head = [f"Lampiran {sec.lampiran}".strip() + (f" – {sec.title}" if sec.title else "")]
            rep = replaces.get(sec.lampiran)
            if rep:
                head.append(f"Mengganti Lampiran {rep['lampiran']} {_work_label(rep['work'])}"
                            + (f" (Pasal I angka {rep['item']})" if rep["item"] else ""))
            if sec.headings:
                head.append(" › ".join(sec.headings))
            if sec.header:
                head.append(f"Kolom: {sec.header}")
            # each row whole on its line ("baris 1: a. Pelayanan rawat jalan | Per Kunjungan |
            # 10.000"); the group labels above rows once, where they change (and again at the top
            # of every chunk), so a chunk reads alone without repeating them on every row
            groups: list[list[tuple[int | None, str]]] = [[]]
            base_size = sum(len(h) for h in head)
            size, shown = base_size, None
            for r in sec.rows:
                label = " › ".join(r.groups)
                row_line = f"baris {r.number}: {r.cells}"
                extra = [] if (label == shown or not label) else [label]
                if groups[-1] and size + len(row_line) + sum(len(x) for x in extra) > self.max_chars:
                    groups.append([])
                    size = base_size
                    extra = [label] if label else []
                for x in extra:
                    groups[-1].append((None, x))
                    size += len(x) + 1
                shown = label
                groups[-1].append((r.number, row_line))
                size += len(row_line) + 1
            for ln in list(sec.notes) + list(sec.text):
                if groups[-1] and size + len(ln) > self.max_chars:
                    groups.append([])
                    size = base_size
                groups[-1].append((None, ln))
                size += len(ln) + 1
            anchor = sec.anchor
            for i, group in enumerate(groups):
                nums = [x for x, _ in group if x is not None]
                rows = (f"baris {nums[0]}" + (f"-{nums[-1]}" if nums[-1] != nums[0] else "")) if nums else ""
                where = sec.citation + (f", {rows}" if rows else "")
                meta = {
                    **base,
                    "kind": "lampiran",
                    "pasal": None,
                    "ayat_from": None,
                    "ayat_to": None,
                    "bab": None,
                    "bagian": None,
                    "paragraf": None,
                    "lampiran": sec.citation,
                    "lampiran_number": sec.lampiran,
                    "lampiran_path": sec.path_label,
                    "rows_from": nums[0] if nums else None,
                    "rows_to": nums[-1] if nums else None,
                    # short: the breadcrumb is indexed, and the work's long title on every
                    # table chunk would weigh its words down in every other search
                    "breadcrumb": f"{_work_label(base['work_id'])} › {where}",
                    "part": i + 1,
                    "parts": len(groups),
                    "page": None,
                    "article_uri": (f"{base['uri']}#{anchor}" if base.get("uri") else None),
                }
                if rep:
                    meta["amends"] = rep["work"]
                    meta["replaces_lampiran"] = {k: rep[k] for k in ("work", "lampiran", "item")}
                doc_id = f"{base['work_id']}#{anchor}" + (f"-part{i + 1}" if len(groups) > 1 else "")
                out.append(Document(id=doc_id, content="\n".join(head + [ln for _, ln in group]), meta=meta))
        return out

    def _article_chunks(
        self, base: dict, title: str, art: Article, *, key: str, extra: dict | None = None, prefix: str = ""
    ) -> list[Document]:
        pieces = _split_pieces(art, self.max_chars)
        path = " › ".join(art.path)
        penjelasan = art.penjelasan if art.penjelasan and not _EMPTY_PENJELASAN.match(art.penjelasan) else None
        if penjelasan and len(pieces[0].text) + len(penjelasan) > self.max_chars:
            # too long to ride with the article's first part: the explanation gets parts of its own
            pieces += [_Piece(f"{_PENJELASAN_LABEL}{part}", None, None, penjelasan=True)
                       for part in _wrap(penjelasan, self.max_chars - len(_PENJELASAN_LABEL))]
            penjelasan = None
        out = []
        for i, piece in enumerate(pieces):
            ayat = ""
            if len(pieces) > 1 and piece.ayat_from:
                ayat = f" ayat ({piece.ayat_from})" + (f"-({piece.ayat_to})" if piece.ayat_to != piece.ayat_from else "")
            crumb = " › ".join(p for p in (title, path, f"{prefix}Pasal {art.number}{ayat}") if p)
            if piece.penjelasan:
                crumb += " › Penjelasan"
            content = piece.text
            if penjelasan and i == 0:
                content += f"\n\n{_PENJELASAN_LABEL}{penjelasan}"
            meta = {
                **base,
                "kind": "article",
                "pasal": art.number,
                "ayat_from": piece.ayat_from,
                "ayat_to": piece.ayat_to,
                "bab": art.bab,
                "bagian": art.bagian,
                "paragraf": art.paragraf,
                "breadcrumb": crumb,
                "part": i + 1,
                "parts": len(pieces),
                "page": art.page,
                **(extra or {}),
            }
            meta["article_uri"] = article_uri(base["work_id"], art.number)
            doc_id = f"{base['work_id']}#{key}" + (f"-part{i + 1}" if len(pieces) > 1 else "")
            out.append(Document(id=doc_id, content=content, meta=meta))
        return out

    def _amendment_chunks(self, base: dict, title: str, item: AmendmentItem) -> list[Document]:
        extra = {
            "kind": "amendment",
            "amends": item.target_work,
            "amendment_item": item.number,
            "operation": item.operation,
            "instruction": item.instruction,
        }
        prefix = f"Pasal I angka {item.number} › "
        if item.articles:
            return [
                doc
                for art in item.articles
                for doc in self._article_chunks(
                    base, title, art, key=f"amend-{item.number}-pasal-{art.number}", extra=extra, prefix=prefix
                )
            ]
        # An item without a quoted article: "Pasal 22 dihapus", "Penjelasan Pasal 5 diubah".
        text = "\n".join(t for t in (item.instruction, item.text) if t)
        meta = {
            **base,
            **extra,
            "pasal": item.target_article,
            "ayat_from": None,
            "ayat_to": None,
            "bab": None,
            "bagian": None,
            "paragraf": None,
            "breadcrumb": f"{title} › {prefix}{item.target}",
            "part": 1,
            "parts": 1,
            "page": item.page,
            "article_uri": article_uri(base["work_id"], item.target_article) if item.target_article else None,
        }
        return [Document(id=f"{base['work_id']}#amend-{item.number}", content=text, meta=meta)]

    def _catalogue_chunk(self, base: dict, title: str, record: dict[str, Any]) -> Document:
        """A record without text is what its catalogue entry says of it, each part in its own
        language: the content (which the BM25 index reads, with the breadcrumb) holds what is known
        in Indonesian, the language of the corpus and of its analyser: the title, the abstract,
        the chapter headings. The English title and the English notes from the sources
        (``judul_en``, ``facts``) go to ``description_en``, which the multilingual embedding reads
        with the rest (EMBEDDED_META_FIELDS) but the Indonesian word index does not: in an
        Indonesian index English words occur in these few records only, so their rarity alone
        (BM25's IDF) would put a catalogue record above the articles for any English question
        that shares "data" or "government" with it."""
        lines = [title]
        name = regional_name(base.get("jenis"), base.get("region"), record)
        if name and base.get("nomor") and base.get("judul"):  # "Peraturan Wali Kota Malang Nomor 9 Tahun 2022 tentang ..."
            lines.append(f"{name} Nomor {base['nomor']} Tahun {base.get('tahun') or '?'} tentang {base['judul']}")
        if record.get("abstrak"):
            lines.append(str(record["abstrak"]))
        if record.get("bab"):
            lines.append("BAB: " + "; ".join(record["bab"]))
        english = ([record["judul_en"]] if record.get("judul_en") else []) + [str(f) for f in record.get("facts") or []]
        meta = {
            **base,
            "kind": "catalogue",
            "pasal": None,
            "ayat_from": None,
            "ayat_to": None,
            "bab": None,
            "bagian": None,
            "paragraf": None,
            "breadcrumb": title,
            "part": 1,
            "parts": 1,
            "page": None,
            "article_uri": None,
        }
        if english:
            meta["description_en"] = "\n".join(english)
        return Document(id=f"{base['work_id']}#catalogue", content="\n".join(lines), meta=meta)


def _work_label(work_id: str | None) -> str:
    """"Perda Banjarnegara 8/2023" for ``perda-banjarnegara-8-2023``."""
    if not work_id:
        return "peraturan yang diubah"
    try:
        rid = RegulationId.parse(work_id)
    except ValueError:
        return work_id
    region = f" {rid.region.replace('-', ' ').title()}" if rid.region else ""
    return f"{rid.jenis.capitalize() if len(rid.jenis) > 2 else rid.jenis.upper()}{region} {rid.nomor}/{rid.tahun}"


def _unique_ids(docs: list[Document]) -> list[Document]:
    """A damaged source can repeat a Pasal number (the parser warns of it): keep both chunks."""
    seen: dict[str, int] = {}
    out = []
    for d in docs:
        n = seen[d.id] = seen.get(d.id, 0) + 1
        out.append(replace(d, id=f"{d.id}-dup{n}") if n > 1 else d)
    return out


def chunk_all(pairs: Iterable[tuple[Regulation | None, dict | None]], max_chars: int = 1500) -> list[Document]:
    chunker = ArticleChunker(max_chars=max_chars)
    return [d for reg, rec in pairs for d in chunker.chunk(reg, rec)]
