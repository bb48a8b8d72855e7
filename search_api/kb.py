"""The knowledge base as the API sees it: the works table read into a snapshot, the searcher.

A :class:`Snapshot` holds every work (catalogue record, parsed text, dimension links), the relation
graph and the derived status, read in one go from the store's SQLite file; it is rebuilt when the
store's write ``generation`` changes (a new ingest), so readers never see half an ingest and the
many small endpoints (/regulations, /dimensions, the JDIHN feed) never touch the disk.
"""
from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterable

from ingest.ids import JENIS, RegulationId
from ingest.lampiran import parse_lampiran, replaced_lampiran
from ingest.models import Regulation
from ingest.vocabulary import STATUSES
from pipelines.analysis.analyzer import analyze
from pipelines.search.query import get_searcher
from pipelines.staff.control import ControlPlane
from pipelines.staff.relation_edits import effective_graph
from pipelines.stores.factory import open_store
from pipelines.stores.works import read_rows_at
from regulations.consolidation import consolidate
from regulations.relations import RelationGraph

RECHECK_S = 1.0  # how often the store's generation counter is read at most


def pasal_key(pasal: str) -> str:
    return str(pasal).strip().upper()


@dataclass
class Work:
    id: str
    record: dict[str, Any]
    regulation: dict[str, Any] | None
    dimensions: dict[str, Any]
    chunks: int
    has_text: bool
    updated_at: str | None
    status: str = "berlaku"

    @cached_property
    def rid(self) -> RegulationId | None:
        try:
            return RegulationId.parse(self.id)
        except ValueError:
            return None

    def field(self, name: str, *record_names: str) -> Any:
        """A metadata value: the catalogue record first (curated, its case normalised), then the
        parsed text. ``record_names`` are the record's spellings (JDIHN names such as noPeraturan)."""
        for key in (*record_names, name):
            value = self.record.get(key)
            if value not in (None, "", []):
                return value
        value = (self.regulation or {}).get(name)
        return None if value in ("", []) else value

    @property
    def jenis_code(self) -> str | None:
        return self.rid.jenis if self.rid else None

    @property
    def jenis(self) -> str | None:
        return self.field("jenis") or (self.rid.jenis_name if self.rid else None)

    @property
    def singkatan(self) -> str | None:
        return self.field("singkatan", "singkatanJenis") or (self.rid.singkatan if self.rid else None)

    @property
    def tahun(self) -> int | None:
        value = self.field("tahun") or (self.rid.tahun if self.rid else None)
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def nomor(self) -> str | None:
        value = self.field("nomor", "noPeraturan") or (self.rid.nomor if self.rid else None)
        return str(value) if value not in (None, "") else None

    @property
    def region(self) -> str | None:
        return self.field("region") or (self.rid.region if self.rid else None)

    @property
    def uri(self) -> str | None:
        return self.rid.frbr_uri() if self.rid else None

    @property
    def verified(self) -> bool:
        v = self.record.get("verified", True)
        return not (v is False or (isinstance(v, str) and v.strip().lower().startswith(("false", "no"))))

    @property
    def dimension_ids(self) -> list[str]:
        return sorted(self.dimensions, key=lambda d: -float((self.dimensions[d] or {}).get("score", 0)))

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "judul": self.field("judul"),
            "judul_en": self.record.get("judul_en"),
            "jenis": self.jenis,
            "jenis_code": self.jenis_code,
            "singkatan": self.singkatan,
            "nomor": self.nomor,
            "tahun": self.tahun,
            "region": self.region,
            "status": self.status,
            "dimensions": self.dimension_ids,
            "has_text": self.has_text,
            "verified": self.verified,
            "uri": self.uri,
        }

    # ---- articles ----

    def articles(self) -> list[dict[str, Any]]:
        """Own articles, then the articles enacted by amendment items (with ``amends``)."""
        reg = self.regulation or {}
        out = [dict(a, amends=None, amendment_item=None) for a in reg.get("articles") or []]
        for item in reg.get("amendments") or []:
            for a in item.get("articles") or []:
                out.append(dict(a, amends=item.get("target_work"), amendment_item=item.get("number")))
        return out

    def article(self, pasal: str) -> dict[str, Any] | None:
        key = pasal_key(pasal)
        for a in self.articles():
            if pasal_key(a.get("number", "")) == key:
                return a
        return None

    def lampiran_section(self, citation: str) -> dict[str, Any] | None:
        """The Lampiran section cited "Lampiran I, A.1.a" (lampiran_sections)."""
        return next((s for s in lampiran_sections(self.regulation or {}) if s["citation"] == citation), None)

    def article_dimensions(self) -> dict[str, list[str]]:
        """Pasal -> the dimensions whose evidence names it."""
        out: dict[str, list[str]] = {}
        for dim in self.dimension_ids:
            for ev in (self.dimensions.get(dim) or {}).get("evidence") or []:
                if ev.get("pasal") is not None:
                    out.setdefault(pasal_key(ev["pasal"]), []).append(dim)
        return out

    def matches(self, *, jenis: str | None = None, tahun: int | None = None, status: str | None = None,
                dimension: str | None = None, has_text: bool | None = None) -> bool:
        if jenis:
            j = jenis.strip().casefold()
            if j not in {(self.jenis_code or "").casefold(), (self.jenis or "").casefold(),
                         (self.singkatan or "").casefold()}:
                return False
        if tahun is not None and self.tahun != tahun:
            return False
        if status and self.status != status:
            return False
        if dimension and dimension not in self.dimensions:
            return False
        if has_text is not None and self.has_text != has_text:
            return False
        return True


@dataclass
class Snapshot:
    generation: int | None
    works: dict[str, Work]
    graph: RelationGraph
    loaded_at: float = field(default_factory=time.time)

    def __post_init__(self):
        self._stats_lock = threading.Lock()
        self._stats: TermStats | None = None
        self._consolidations: dict[str, Any] = {}
        self._amending: dict[str, list[Work]] | None = None
        self._cons_lock = threading.RLock()  # consolidation() reads amending() under it
        self._memo: dict[Any, Any] = {}
        self._memo_lock = threading.Lock()

    def memo(self, key: Any, compute):
        """``compute()`` once per snapshot (what is derived from the works alone, e.g. the services'
        proposed legal basis): a new ingest or edit makes a new snapshot, which computes it again."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def amending(self, work_id: str) -> list[Work]:
        """The works of the knowledge base whose change items amend ``work_id``."""
        with self._cons_lock:
            if self._amending is None:  # target -> amending works, once per snapshot
                index: dict[str, list[Work]] = {}
                for w in self.works.values():
                    for t in dict.fromkeys(i.get("target_work") for i in (w.regulation or {}).get("amendments") or []):
                        if t and t != w.id:
                            index.setdefault(t, []).append(w)
                self._amending = index
        return list(self._amending.get(work_id, []))

    def consolidation(self, work_id: str):
        """The dated versions of a work with text (regulations.consolidation), computed once per snapshot;
        None for a work without text."""
        work = self.get(work_id)
        if work is None or not (work.regulation or {}).get("articles"):
            return None
        with self._cons_lock:
            if work.id not in self._consolidations:
                def reg(w: Work) -> Regulation:
                    r = Regulation.from_dict(w.regulation)
                    r.id = w.id  # the dates as curated in the catalogue, else as read from the text
                    for name, rec_name in (("tanggal_pengundangan", "diundangkan"), ("tanggal_penetapan", "ditetapkan")):
                        values = [w.record.get(name), w.record.get(rec_name), getattr(r, name)]
                        setattr(r, name, next((d for d in map(_date_str, values) if d), None))
                    return r

                self._consolidations[work.id] = consolidate(reg(work), [reg(w) for w in self.amending(work.id)])
            return self._consolidations[work.id]

    def get(self, work_id: str) -> Work | None:
        return self.works.get(work_id.strip().lower())

    def filter(self, **filters: Any) -> list[Work]:
        return [w for w in self.works.values() if w.matches(**filters)]

    def ordered(self, works: Iterable[Work]) -> list[Work]:
        """Newest first, then by type and number: a stable order for listings."""
        return sorted(works, key=lambda w: (-(w.tahun or 0), w.jenis_code or "", _num(w.nomor), w.id))

    @property
    def regions(self) -> set[str]:
        return {w.region for w in self.works.values() if w.region}

    def term_stats(self) -> "TermStats":
        with self._stats_lock:
            if self._stats is None:
                self._stats = TermStats.from_works(self.works.values())
            return self._stats


def _date_str(value: Any) -> str | None:
    text = str(value or "")[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _num(nomor: str | None) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", nomor or "")
    return (int(m.group(1)), m.group(2)) if m else (10**9, nomor or "")


def work_text_units(work: Work) -> Iterable[str]:
    """The texts the corpus statistics count: one per article, or the catalogue facts."""
    arts = work.articles()
    if arts:
        for a in arts:
            yield a.get("text") or ""
    else:
        rec = work.record
        yield " ".join(str(x) for x in [rec.get("judul") or "", rec.get("judul_en") or "", *(rec.get("facts") or [])])


@dataclass
class TermStats:
    """Document frequencies of analysed terms over articles (the evidence /ask weighs)."""

    n: int
    df: Counter

    @classmethod
    def from_works(cls, works: Iterable[Work]) -> "TermStats":
        df: Counter = Counter()
        n = 0
        for w in works:
            for text in work_text_units(w):
                n += 1
                df.update(set(analyze(text)))
        return cls(n, df)

    def idf(self, term: str) -> float:
        """BM25's idf: high for rare terms, the highest for terms the corpus never uses."""
        d = self.df.get(term, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))


# a catalogue's own status (JDIHN free text or ours) -> status
_RECORD_STATUS = {**{s: s for s in STATUSES}, "tidak berlaku": "dicabut", "mengalami perubahan": "diubah"}


def read_snapshot(db_path, generation: int | None, rows: list[tuple] | None = None) -> Snapshot:
    """Read every work row (one read transaction) into a Snapshot; empty if there is no table.
    ``rows``: the same rows from a store that keeps its works elsewhere (Elasticsearch)."""
    works: dict[str, Work] = {}
    if rows is None:
        rows = read_rows_at(db_path)
        if rows is None:
            return Snapshot(generation, {}, RelationGraph([]))
    for row in rows:
        works[row[0]] = Work(row[0], json.loads(row[1] or "{}"), json.loads(row[2]) if row[2] else None,
                             json.loads(row[3] or "{}"), row[4] or 0, bool(row[5]), row[6])

    graph = effective_graph(db_path, {w.id: w.regulation for w in works.values()})
    for w in works.values():
        w.status = graph.status(w.id)
        explicit = _RECORD_STATUS.get(str(w.record.get("status") or "").strip().lower())
        if w.status == "berlaku" and explicit:
            w.status = explicit  # a catalogue that knows more (e.g. from peraturan.bpk.go.id)
    return Snapshot(generation, works, graph)


class KnowledgeBase:
    """The store, the works snapshot and the searcher of one data directory."""

    def __init__(self, settings, *, searcher=None):
        self.settings = settings
        self._searcher = searcher
        self._store = None
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    @property
    def store(self):
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    @property
    def control(self) -> ControlPlane:
        """The control plane of this knowledge base's store (accounts, jobs, versions, audit...)."""
        return ControlPlane(self.store)

    @property
    def home_region(self) -> str:
        """This deployment's region (``JDIH_HOME_REGION``, Malang by default): the region whose
        rules come first when a question names none."""
        return getattr(self.settings, "home_region", None) or "malang"

    @property
    def searcher(self):
        if self._searcher is None:
            with self._lock:
                if self._searcher is None:  # one per knowledge base in the process: the model loads once
                    self._searcher = get_searcher(self.settings)
        return self._searcher

    def _generation(self) -> int | None:
        try:
            return self.store.generation()
        except Exception:  # noqa: BLE001 - a store without the counter: reread on every check
            return None

    def snapshot(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < RECHECK_S:
            return snap
        gen = self._generation()
        self._checked = now
        if snap is not None and gen is not None and snap.generation == gen:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != gen or gen is None:
                rows = self.store.work_rows() if hasattr(self.store, "work_rows") else None
                self._snapshot = read_snapshot(self.settings.db_path, gen, rows)
            return self._snapshot

    def jenis_codes(self) -> list[str]:
        return sorted(JENIS)


def lampiran_sections(reg: dict[str, Any]) -> list[dict[str, Any]]:
    """The Lampiran as sections and table rows (ingest.lampiran), each with its citation and the
    reader's anchor; a Lampiran that replaces one of the amended work says which."""
    sections = [dict(s) for s in _parsed_lampiran(reg.get("lampiran") or "")]
    replaces = replaced_lampiran(reg.get("amendments") or [])
    for s in sections:
        rep = replaces.get(s["lampiran"])
        s["replaces"] = {k: rep[k] for k in ("work", "lampiran", "item")} if rep else None
    return sections


@lru_cache(maxsize=16)
def _parsed_lampiran(text: str) -> tuple[dict[str, Any], ...]:
    return tuple(s.to_dict() for s in parse_lampiran(text))
