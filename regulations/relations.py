"""Relations between works, stored once in the active voice; status and the passive side derived.

A parsed regulation states its own relations (``Regulation.relations``: mengubah, mencabut,
mencabut_sebagian, dasar_hukum) and its amendment items name the work they change. From the set
of ingested works this module derives, for every work, the relations it states (outgoing), the
relations other works state about it (incoming, in the passive voice: ``diubah_dengan``,
``dicabut_dengan`` ...) and its status:

- ``dicabut`` when an ingested work revokes it (mencabut);
- ``diubah`` when an ingested work amends it (mengubah) or revokes part of it (mencabut_sebagian);
- ``berlaku`` otherwise (nothing in the knowledge base says it changed).

Text in, plain dataclasses out; no hidden state.

>>> g = RelationGraph.from_regulations({
...     "uu-19-2016": {"relations": [{"type": "mengubah", "target": "uu-11-2008",
...                                   "citation": "Undang-Undang Nomor 11 Tahun 2008"}]},
...     "uu-11-2008": {"relations": []},
... })
>>> g.status("uu-11-2008"), g.status("uu-19-2016")
('diubah', 'berlaku')
>>> [(r.type, r.other) for r in g.incoming("uu-11-2008")]
[('diubah_dengan', 'uu-19-2016')]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ingest.models import Relation
from ingest.vocabulary import PASSIVE, STATUS_BY_RELATION

__all__ = ["Relation", "RelationGraph", "RelationView", "derive_status", "relations_of"]


@dataclass(frozen=True)
class RelationView:
    """A relation seen from one work: ``type`` is active (outgoing) or passive (incoming)."""

    type: str
    direction: str  # outgoing | incoming
    other: str | None  # the other work's canonical id
    citation: str = ""
    article: str | None = None


def relations_of(work_id: str, regulation: Mapping[str, Any] | None) -> list[Relation]:
    """The relations a parsed regulation (``Regulation.to_dict()``) states, deduplicated.

    Amendment items count as ``mengubah`` of the work they name, even where the heading's
    relation was not recognised.
    """
    if not regulation:
        return []
    out: dict[tuple, Relation] = {}
    for r in regulation.get("relations") or []:
        rel = Relation(r.get("type"), r.get("target"), r.get("citation") or "", r.get("article"), source=work_id)
        if rel.target == work_id:
            continue
        out.setdefault((rel.type, rel.target, rel.article if rel.target is None else None), rel)
    for item in regulation.get("amendments") or []:
        target = item.get("target_work")
        if target and target != work_id and ("mengubah", target, None) not in out:
            out[("mengubah", target, None)] = Relation("mengubah", target, item.get("instruction") or "", source=work_id)
    return list(out.values())


def derive_status(work_id: str, incoming: Iterable[Relation]) -> str:
    """``dicabut`` / ``diubah`` / ``berlaku`` from the active relations that target ``work_id``."""
    types = {r.type for r in incoming if r.target == work_id}
    for rel_type, status in STATUS_BY_RELATION:
        if rel_type in types:
            return status
    return "berlaku"


class RelationGraph:
    """All relations among a set of works, indexed both ways."""

    def __init__(self, relations: Iterable[Relation]):
        self.relations = list(relations)
        self._out: dict[str, list[Relation]] = {}
        self._in: dict[str, list[Relation]] = {}
        for r in self.relations:
            self._out.setdefault(r.source, []).append(r)
            if r.target:
                self._in.setdefault(r.target, []).append(r)

    @classmethod
    def from_regulations(cls, regulations: Mapping[str, Mapping[str, Any] | None]) -> "RelationGraph":
        """From ``{work_id: Regulation.to_dict() or None}``."""
        return cls(r for wid, reg in regulations.items() for r in relations_of(wid, reg))

    def outgoing(self, work_id: str) -> list[RelationView]:
        return [RelationView(r.type, "outgoing", r.target, r.citation, r.article) for r in self._out.get(work_id, [])]

    def incoming(self, work_id: str) -> list[RelationView]:
        return [RelationView(PASSIVE.get(r.type, r.type), "incoming", r.source, r.citation, r.article)
                for r in self._in.get(work_id, [])]

    def status(self, work_id: str) -> str:
        return derive_status(work_id, self._in.get(work_id, []))
