"""Lookups that read a question the way a lawyer would, before any ranking.

- ``CitationLookup``: "PP 71/2019 Pasal 59", "Pasal 40A UU ITE" -> that article (in the work itself,
  or in the amendment items that rewrite it).
- ``WorkScope``: a question that names a law ("... menurut UU ITE", "Perwal Malang 9/2022")
  -> the BM25 ranking within that law and the regulations that amend it.
- ``DefinitionLookup``: "apa yang dimaksud dengan Naskah Akademik", "pengertian X", "what is X"
  -> the articles that define X ("X adalah ...", the Ketentuan Umum).

Patterns live in this module's top, apart from the code; law nicknames are a data file
(pipelines/data/law-nicknames.tsv).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from haystack import Document, component, default_to_dict

from ingest.citations import find_article_refs, find_citations
from pipelines.analysis.analyzer import glossary_matches, term_equivalents
from pipelines.stores.references import reference

DATA = Path(__file__).resolve().parents[1] / "data"

# "apa yang dimaksud dengan X", "pengertian X", "what is X" ... -> X (stops before "menurut ...").
DEFINITION_CUE = re.compile(
    r"^\s*(?:apa\s+(?:yang\s+)?(?:di)?maksud(?:kan)?(?:\s+dengan)?|apa\s+itu|apakah\s+yang\s+dimaksud\s+dengan|"
    r"(?:apa\s+)?(?:pengertian|definisi|arti(?:\s+dari)?|makna)|siapa\s+yang\s+(?:di)?sebut|yang\s+dimaksud\s+dengan|"
    r"what\s+(?:is|are)\s+(?:meant\s+by\s+)?(?:an?\s+|the\s+)?|(?:the\s+)?(?:legal\s+)?(?:definition|meaning)\s+of\s+(?:an?\s+|the\s+)?|"
    r"who\s+(?:is|are)\s+(?:called\s+)?(?:an?\s+|the\s+)?|define\s+)"
    r"(?P<term>.+?)\s*(?:\b(?:menurut|dalam|pada|di\s+dalam|according\s+to|under|in\s+the)\b.*)?[?.!]*\s*$",
    re.I,
)
_WS = re.compile(r"\s+")
_ABBREVIATED = re.compile(r"^(.+?)\s*\(([^()]+)\)$")  # a term followed by its short form


def _nickname_table() -> list[tuple[re.Pattern, str]]:
    rows = []
    for line in (DATA / "law-nicknames.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        alias, work = line.split("\t")
        words = r"\s+".join(map(re.escape, alias.split()))
        rows.append((re.compile(rf"(?<!\w){words}(?!\w)", re.I), work.strip()))
    return rows


_NICKNAMES = lru_cache(maxsize=1)(_nickname_table)


def mentioned_works(question: str) -> list[str]:
    """Canonical ids of the works a question names, by citation or by popular short name."""
    ids = [c.work_id for c in find_citations(question) if c.work_id]
    ids += [work for pattern, work in _NICKNAMES() if pattern.search(question)]
    return list(dict.fromkeys(ids))


def _work_family_filter(work_ids: list[str]) -> dict[str, Any]:
    return {"operator": "OR", "conditions": [
        {"field": "meta.work_id", "operator": "in", "value": work_ids},
        {"field": "meta.amends", "operator": "in", "value": work_ids},
    ]}


def _output(docs: list[Document], meta_fields: list[str] | None) -> dict[str, list[Document]]:
    if meta_fields is not None:
        docs = [reference(d, meta_fields) for d in docs]
    return {"documents": docs}


class _TextMatchLookup:
    """Shared by the lookups that ask BM25 for candidates and keep those whose text matches a
    pattern: the retriever is used inside the component, not added to a pipeline. With
    ``meta_fields``, the lookup outputs light references (pipelines.stores.references)."""

    def __init__(self, retriever, meta_fields: list[str] | None = None):
        self.retriever = retriever
        self.meta_fields = list(meta_fields) if meta_fields is not None else None

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, retriever=self.retriever.to_dict(), meta_fields=self.meta_fields)

    def _matching(self, searches: list[tuple[str, re.Pattern]], filters: dict[str, Any] | None) -> list[Document]:
        found: dict[str, Document] = {}
        for query, pattern in searches:
            for doc in self.retriever.run(query=query, filters=filters)["documents"]:
                if doc.content and pattern.search(doc.content):
                    found.setdefault(doc.id, doc)
        return list(found.values())


@component
class CitationLookup:
    """Articles a question cites explicitly.

    Usage::

        CitationLookup(store).run(query="PP 71 tahun 2019 pasal 59")["documents"]
    """

    def __init__(self, document_store, meta_fields: list[str] | None = None):
        self.document_store = document_store
        self.meta_fields = list(meta_fields) if meta_fields is not None else None

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, meta_fields=self.meta_fields)

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None):
        found: dict[str, Document] = {}
        works = mentioned_works(query)
        pasals = [c.pasal for c in find_citations(query) if c.pasal]
        pasals += [r.pasal for r in find_article_refs(query) if getattr(r, "pasal", None)]
        for pasal in dict.fromkeys(pasals):
            if not works:
                break
            conditions = [{"field": "meta.pasal", "operator": "==", "value": pasal}, _work_family_filter(works)]
            if filters:
                conditions.append(filters)
            for doc in self.document_store.filter_documents(filters={"operator": "AND", "conditions": conditions},
                                                            return_embedding=False):
                found.setdefault(doc.id, doc)
        return _output(list(found.values()), self.meta_fields)


@component
class WorkScope(_TextMatchLookup):
    """BM25 within the works a question names (and their amendments).

    Usage::

        WorkScope(SQLiteBM25Retriever(store)).run(query="pengertian sistem elektronik menurut UU ITE")

    ``retriever`` is any BM25 retriever component of the configured store.
    """

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None):
        works = mentioned_works(query)
        if not works:
            return {"documents": []}
        scope = _work_family_filter(works)
        if filters:
            scope = {"operator": "AND", "conditions": [scope, filters]}
        return _output(self.retriever.run(query=query, filters=scope)["documents"], self.meta_fields)


def definition_term(question: str) -> str | None:
    m = DEFINITION_CUE.match(question)
    if not m:
        return None
    term = _WS.sub(" ", m.group("term")).strip(" ,;:\"'")
    return term if 2 <= len(term) <= 80 else None


def _definition_pattern(term: str) -> re.Pattern:
    words = r"\s+".join(map(re.escape, term.split()))
    # "X adalah", "X, yang selanjutnya disebut Y, adalah", "X yang selanjutnya disingkat Y adalah"
    return re.compile(
        rf"(?<!\w){words}(?:\s*,?\s*yang\s+selanjutnya\s+(?:disebut|disingkat)\s+[^,.;]{{1,60}}?,?)?\s+adalah\b", re.I)


@component
class DefinitionLookup(_TextMatchLookup):
    """The articles that define the term a definition question asks about.

    Usage::

        DefinitionLookup(SQLiteBM25Retriever(store, top_k=50)).run(query="apa yang dimaksud dengan Naskah Akademik")
    """

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None):
        term = definition_term(query)
        if not term:
            return {"documents": []}
        # an English term's Indonesian twins: of the asked term as a whole, not of the glossary
        # terms inside a longer phrase (their definitions are not the answer)
        names = [term]
        abbreviated = _ABBREVIATED.match(term)  # "electronic-based government system (SPBE)": both names
        if abbreviated:
            names = [abbreviated.group(1).strip(), abbreviated.group(2).strip()]
        terms = list(dict.fromkeys(names + [t for n in names for t in term_equivalents(n) if len(t) > 3]))
        return _output(self._matching([(t, _definition_pattern(t)) for t in terms], filters), self.meta_fields)

def query_phrases(question: str) -> list[str]:
    """Multiword terms of art in a question, and their Indonesian glossary twins:
    "government data centers" -> ["data centers", "pusat data"]. Single words are left to BM25."""
    phrases: dict[str, None] = {}
    for match in glossary_matches(question):
        # the regulations are written in Indonesian: an English twin would cost a search and
        # match nothing, so only the question's own term and its Indonesian equivalents count
        for term in (match.term, *match.concept.indonesian):
            if len(term.split()) >= 2 and "/" not in term:
                phrases.setdefault(term.lower(), None)
    return list(phrases)


@component
class PhraseLookup(_TextMatchLookup):
    """Articles that contain a multiword term of the question as a phrase ("pusat data"), which
    bag-of-words BM25 can't tell from "data" here and "pusat" there.

    Usage::

        PhraseLookup(SQLiteBM25Retriever(store, top_k=50)).run(query="pusat data pemerintah")
    """

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None):
        searches = [(p, re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, p.split())) + r"(?!\w)", re.I))
                    for p in query_phrases(query)]
        return _output(self._matching(searches, filters), self.meta_fields)
