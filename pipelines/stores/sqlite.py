"""A Haystack DocumentStore in one SQLite file: documents, BM25 (FTS5) and dense vectors together.

Usage::

    from haystack import Document
    from pipelines.stores.sqlite import SQLiteDocumentStore

    store = SQLiteDocumentStore("index.sqlite3")
    with store.transaction():              # one regulation's chunks: all visible or none
        store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": "uu-27-2022"})
        store.write_documents(chunks)      # chunks: list[Document], embeddings optional
    hits = store.bm25_search("pusat data", top_k=10)
    hits = store.embedding_search(query_embedding, top_k=10,
                                  filters={"field": "meta.jenis", "operator": "==", "value": "pp"})

Design:

- stdlib ``sqlite3``, WAL journal, ``synchronous=NORMAL``, one connection per thread (the FastAPI
  server calls from a thread pool); writes run in ``BEGIN IMMEDIATE`` transactions, so a process
  killed mid-write leaves the previous state intact (SQLite's atomic commit).
- ``documents(rid, id, content, meta JSON, embedding float32 BLOB, blob, blob_meta, sparse_embedding)``;
  ``documents_fts`` (FTS5) holds the *analysed* text (pipelines.analysis.analyzer: Indonesian stopwords,
  protected terms, stemming), its rowid equal to ``documents.rid``. FTS5 is the index of record.
- BM25 (``bm25_index="memory"``, the default): FTS5's own BM25 formula (k1=1.2, b=0.75, its IDF
  with the 1e-6 floor) evaluated over postings held in memory: term -> (rows, weights) arrays built
  from the tokens FTS5 stores, once per ``generation`` (like the dense matrix). A query adds the
  weight arrays of its terms into one score vector (numpy), so its cost is the postings of its
  terms, not FTS5's per-row ``bm25()`` callback over every matching row (~250 ms at 100k chunks
  for a glossary-expanded question, against ~2 ms here). Scores equal ``bm25()``'s (to 1e-12;
  tested); ties break by insertion order. ``bm25_index="fts5"`` queries FTS5 directly instead.
- dense search is brute force with numpy over a float32 matrix of normalised vectors, loaded once and
  reloaded when the ``generation`` counter (bumped by every write, in any process) changes;
  filters become a candidate mask computed with SQL and cached per filter and generation.
- filters: the full Haystack syntax, translated by ``pipelines.stores.filters``.
- shared across processes (``shared_indexes=True``, the default): the dense matrix and the BM25
  postings of a generation are built once, by the first process that needs them, into
  ``<file>.indexes/`` and memory-mapped read-only by every process (numpy ``mmap_mode="r"``), so N
  server workers hold one copy in the page cache (pipelines.stores.shared_index: atomic sets keyed
  by generation and a random per-write token, CRC-checked, rebuilt from the rows when stale or
  damaged). Inside a write transaction the indexes are built from that transaction's rows and
  never shared. Per process remain the id/meta table below and the filter masks.
- partial results (``meta_fields=[...]``, ``return_content=False``) for the ranking steps of a
  query: ids and the asked meta keys come from an in-memory table built once per generation
  (rid -> id, keys), so a reference costs neither SQL nor JSON decoding (pipelines.stores.references).
"""
from __future__ import annotations

import json
import sqlite3
import threading
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from haystack import default_from_dict, default_to_dict, logging
from haystack.dataclasses import ByteStream, Document, SparseEmbedding
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from pipelines.analysis.analyzer import analyze, analyze_query
from pipelines.stores.filters import filters_to_sql, meta_expression, meta_path, sql_literal
from pipelines.stores.references import reference
from pipelines.stores.shared_index import IndexFiles
from pipelines.stores.works import LEGACY_WORK_KEY

logger = logging.getLogger(__name__)

# 2: chunk meta names the work ``work_id`` (version 1 said ``regulation_id``; migrated on open)
SCHEMA_VERSION = 2
FTS_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '-_'"
_SELECT_COLUMNS = "d.rid, d.id, d.content, d.meta, d.blob, d.blob_meta, d.sparse_embedding"
_BATCH = 500  # ids per IN (...) clause, well under SQLite's variable limit


BM25_K1 = 1.2  # FTS5's built-in bm25() parameters
BM25_B = 0.75
BM25_MIN_IDF = 1e-6  # FTS5 floors the IDF of terms in more than half of the rows here
BM25_INDEXES = ("memory", "fts5")
# How each shared index is built from the rows (part of its files' key): bump it when the build
# changes, so that sets written by an older release are never opened by a newer one.
SHARED_RECIPES = {"vectors": "v1", "bm25": f"v1k{BM25_K1}b{BM25_B}i{BM25_MIN_IDF}"}


@dataclass(frozen=True)
class _BM25Index:
    """Postings of the FTS5 rows in memory: for term ``t`` (``vocab[t]``), ``rows[indptr[t]:
    indptr[t+1]]`` are the positions (into ``rids``) of the rows holding it, ascending, and
    ``weights`` the same slice's BM25 weights (FTS5's formula), so a query's scores are sums."""

    generation: int
    rids: np.ndarray  # int64, sorted ascending: the rowids of documents_fts (= documents.rid)
    vocab: dict[str, int] | MappedVocab
    indptr: np.ndarray  # int64 (len(vocab) + 1,)
    rows: np.ndarray  # intp
    weights: np.ndarray  # float64

    def arrays(self) -> dict[str, np.ndarray]:
        """The index as arrays (for the shared, memory-mapped copy: pipelines.stores.shared_index)."""
        if isinstance(self.vocab, MappedVocab):
            vocab = {"terms": self.vocab.blob, "term_offsets": self.vocab.offsets, "term_order": self.vocab.order}
        else:
            vocab = MappedVocab.arrays(self.vocab)
        return {"rids": self.rids, "indptr": self.indptr, "rows": self.rows, "weights": self.weights, **vocab}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], generation: int) -> _BM25Index:
        return cls(generation, a["rids"], MappedVocab(a["terms"], a["term_offsets"], a["term_order"]),
                   a["indptr"], a["rows"], a["weights"])


class MappedVocab:
    """The BM25 vocabulary (term -> id) over three arrays that can be memory-mapped and shared:
    the terms' UTF-8 bytes in id order (``blob``, ``offsets``) and the ids sorted by those bytes
    (``order``); a lookup is a binary search (~17 steps at 100k terms), a Python dict per worker
    is not needed. Reads like the ``dict`` it replaces."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, order: np.ndarray) -> None:
        self.blob, self.offsets, self.order = blob, offsets, order
        self._bytes = memoryview(blob)

    @staticmethod
    def arrays(vocab: dict[str, int]) -> dict[str, np.ndarray]:
        terms = [t.encode("utf-8") for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in terms], out=offsets[1:])
        blob = np.frombuffer(b"".join(terms), dtype=np.uint8) if terms else np.zeros(0, dtype=np.uint8)
        order = np.array(sorted(range(len(terms)), key=terms.__getitem__), dtype=np.int64)
        return {"terms": blob, "term_offsets": offsets, "term_order": order}

    def _term(self, i: int) -> bytes:
        return bytes(self._bytes[self.offsets[i]:self.offsets[i + 1]])

    def get(self, term: str, default: int | None = None) -> int | None:
        key = term.encode("utf-8")
        lo, hi = 0, len(self.order)
        while lo < hi:
            mid = (lo + hi) // 2
            found = self._term(int(self.order[mid]))
            if found < key:
                lo = mid + 1
            elif found > key:
                hi = mid
            else:
                return int(self.order[mid])
        return default

    def __getitem__(self, term: str) -> int:
        i = self.get(term)
        if i is None:
            raise KeyError(term)
        return i

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __len__(self) -> int:
        return len(self.order)

    def items(self) -> Iterator[tuple[str, int]]:
        for i in range(len(self.order)):
            yield self._term(i).decode("utf-8"), i


def fts5_idf(n: int, df: np.ndarray) -> np.ndarray:
    """FTS5's BM25 IDF, ``log((N - n + 0.5) / (n + 0.5))``, floored at ``BM25_MIN_IDF`` for terms
    in more than half of the rows."""
    idf = np.log((n - df + 0.5) / (df + 0.5))
    idf[idf <= 0.0] = BM25_MIN_IDF
    return idf


def build_bm25_index(rows: list[tuple[int, str]], generation: int = 0, *,
                     idf: Callable[[int, np.ndarray], np.ndarray] = fts5_idf,
                     doc_lengths: Callable[[np.ndarray], np.ndarray] | None = None) -> _BM25Index:
    """Postings and FTS5-equal BM25 weights from ``(rowid, analysed text)`` pairs, rowids ascending.

    The analysed text is the space-joined terms FTS5 indexed (``analysed_text``): its tokens are
    exactly FTS5's (the analyser emits only letters, digits, '-' and '_', which the FTS5
    tokenizer keeps whole), so the document frequencies and lengths are FTS5's own.
    ``idf(N, df)`` and ``doc_lengths(lengths)`` (the lengths the norm reads; the average stays
    the exact one) let benchmarks/bm25_lucene_check.py score Lucene's variant of the formula.
    """
    n = len(rows)
    rids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    vocab: defaultdict[str, int] = defaultdict()
    vocab.default_factory = vocab.__len__  # a new term gets the next id
    ids = array("i")
    lengths = np.empty(n, dtype=np.int64)
    for i, (_rid, text) in enumerate(rows):
        tokens = text.split()
        lengths[i] = len(tokens)
        ids.extend(map(vocab.__getitem__, tokens))
    n_terms = len(vocab)
    if n == 0 or n_terms == 0:
        empty = np.zeros(0, dtype=np.intp)
        return _BM25Index(generation, rids, {}, np.zeros(1, dtype=np.int64), empty, np.zeros(0))
    terms = np.frombuffer(ids, dtype=np.int32).astype(np.int64)
    del ids
    keys = terms * n
    del terms
    keys += np.repeat(np.arange(n, dtype=np.int64), lengths)
    keys, tf = np.unique(keys, return_counts=True)  # sorted by term, then row
    term_of = keys // n
    row_of = (keys - term_of * n).astype(np.intp)
    del keys
    df = np.bincount(term_of, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    idf_of_term = idf(n, df)
    dl = lengths if doc_lengths is None else doc_lengths(lengths)
    tf = tf.astype(np.float64)
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * dl[row_of] / (lengths.sum() / n))
    weights = idf_of_term[term_of] * (tf * (BM25_K1 + 1.0)) / (tf + norm)
    return _BM25Index(generation, rids, dict(vocab), indptr, row_of, weights)


def top_positions(scores: np.ndarray, k: int, *, positive: bool = False) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first, ties by position (insertion order);
    with ``positive``, only scores > 0 (BM25: rows matching at least one term).

    With ``positive`` the selection runs over the non-zero scores only: numpy's introselect
    (``np.partition``) degrades on many equal values, 14 ms instead of 0.4 ms over 100k scores
    of which 98% are zero (a rare phrase)."""
    if positive:
        cand = np.flatnonzero(scores > 0.0)
        values = scores[cand]
        if k < len(cand):
            cand = cand[values >= np.partition(values, len(cand) - k)[len(cand) - k]]
    elif k < len(scores):
        cand = np.flatnonzero(scores >= np.partition(scores, len(scores) - k)[len(scores) - k])
    else:
        cand = np.arange(len(scores))
    order = np.lexsort((cand, -scores[cand]))[:k]
    return cand[order]


@dataclass(frozen=True)
class _VectorIndex:
    generation: int
    rids: np.ndarray  # int64, sorted ascending
    matrix: np.ndarray  # float32 (n, dim), rows L2-normalised

    def arrays(self) -> dict[str, np.ndarray]:
        return {"rids": self.rids, "matrix": self.matrix}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], generation: int) -> _VectorIndex:
        return cls(generation, a["rids"], a["matrix"])


class SQLiteDocumentStore:
    """Haystack DocumentStore over one SQLite file with FTS5 BM25 and numpy dense search.

    :param path: the database file (created with its tables if missing); ":memory:" is refused
        because every thread opens its own connection.
    :param text_meta_fields: meta keys whose (string) values are indexed for BM25 along with the
        content, e.g. ``["title", "breadcrumb"]``.
    :param indexed_meta_fields: meta keys that get an SQL expression index (fast equality filters),
        e.g. ``["work_id", "jenis"]``.
    :param filter_cache_size: how many filter candidate masks dense search keeps.
    :param bm25_index: ``"memory"`` (default): BM25 over in-memory postings built from the FTS5
        rows once per generation (exact FTS5 scores, every term kept); ``"fts5"``: FTS5's
        ``bm25()`` in SQL, with ``bm25_candidate_budget``.
    :param bm25_candidate_budget: with ``bm25_index="fts5"`` only. FTS5 scores every document
        that matches any query term, so a long (glossary-expanded) query with common terms costs
        ~3 us per matching document. When the summed document frequencies of the terms exceed
        this budget, the most common terms are left out of the MATCH (rarest kept first, at least
        one term), as Lucene's common-terms query does; ``None`` never prunes.
    :param shared_indexes: keep the dense matrix and the BM25 postings of each generation in
        memory-mapped files next to the database (``<file>.indexes/``, see
        pipelines.stores.shared_index), built by the first process that needs them and mapped by
        all, so N server workers hold one copy; ``False``: each process builds its own in memory.
    """

    def __init__(
        self,
        path: str | Path = "jdih.sqlite3",
        *,
        text_meta_fields: list[str] | None = None,
        indexed_meta_fields: list[str] | None = None,
        filter_cache_size: int = 64,
        bm25_index: str = "memory",
        bm25_candidate_budget: int | None = 20_000,
        shared_indexes: bool = True,
    ) -> None:
        if str(path) == ":memory:":
            raise ValueError("SQLiteDocumentStore needs a file path: each thread opens its own connection")
        if bm25_index not in BM25_INDEXES:
            raise ValueError(f"bm25_index must be one of {', '.join(BM25_INDEXES)}, got {bm25_index!r}")
        self.bm25_index = bm25_index
        self.path = Path(path)
        self.text_meta_fields = list(text_meta_fields or [])
        self.indexed_meta_fields = list(indexed_meta_fields or [])
        self.filter_cache_size = filter_cache_size
        self.bm25_candidate_budget = bm25_candidate_budget
        self.shared_indexes = shared_indexes
        self._index_files = IndexFiles(self.path) if shared_indexes else None
        self._df_cache: dict[str, int] = {}
        self._df_generation = -1
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._vector_lock = threading.Lock()
        self._vectors: _VectorIndex | None = None
        self._bm25_lock = threading.Lock()
        self._bm25: _BM25Index | None = None
        self._mask_cache: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._keys_lock = threading.Lock()
        self._key_holders: dict[tuple[str, ...], _Holder] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._create_schema()

    # --- connections and transactions ---------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.documents_vocab USING fts5vocab(main, documents_fts, 'row')")
            self._local.conn = conn
            self._local.depth = 0
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:  # closed from its own thread already
                    pass
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[SQLiteDocumentStore]:
        """Run the writes inside the ``with`` block as one atomic transaction.

        Nested blocks become savepoints. On an exception everything written in the block is rolled
        back and the exception propagates; other connections never see a partial state.
        """
        conn = self._conn()
        depth = self._local.depth
        if depth == 0:
            conn.execute("BEGIN IMMEDIATE")
        else:
            conn.execute(f"SAVEPOINT sp{depth}")
        self._local.depth = depth + 1
        try:
            yield self
        except BaseException:
            if depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO sp{depth}")
                conn.execute(f"RELEASE sp{depth}")
            raise
        else:
            if depth == 0:
                conn.execute("COMMIT")
            else:
                conn.execute(f"RELEASE sp{depth}")
        finally:
            self._local.depth = depth

    # --- the boundary the rest of the code uses (the Elasticsearch store has the same) ---------

    def control(self) -> sqlite3.Connection:
        """This thread's connection to the control file: the works table and the staff's tables
        (accounts, jobs, files, versions, audit, relations, changes) live in this same SQLite file.
        Writes made on it join ``transaction()``."""
        return self._conn()

    def bump_generation(self) -> None:
        """Make every reader, in any process, re-read the knowledge base (inside ``transaction()``)."""
        self._bump(self._conn())

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        """The generation counter + 1 and a fresh random ``token``: (generation, token) names the
        rows' state for the shared index files (a restored backup repeats a counter value, never a
        token)."""
        conn.execute("UPDATE store_state SET value = value + 1 WHERE key = 'generation'")
        conn.execute("UPDATE store_state SET value = abs(random()) WHERE key = 'token'")

    def update_chunk_meta(self, work_id: str, values: dict[str, Any]) -> int:
        """Set ``meta[key] = value`` for each of ``values`` on every chunk of ``work_id`` (only
        where it differs); returns the number of chunks changed."""
        changed = 0
        for key, value in values.items():
            changed += self._conn().execute(
                "UPDATE documents SET meta = json_set(meta, ?, ?) WHERE json_extract(meta, '$.work_id') = ? "
                "AND coalesce(json_extract(meta, ?), '') IS NOT ?", (f"$.{key}", value, work_id, f"$.{key}", value)).rowcount
        return changed

    def _write(self) -> Any:
        """A transaction that also bumps the generation counter (seen by every process)."""
        store = self

        @contextmanager
        def block():
            with store.transaction():
                yield store._conn()
                store._bump(store._conn())

        return block()

    def _create_schema(self) -> None:
        conn = self._conn()
        with self.transaction():
            conn.execute(
                """CREATE TABLE IF NOT EXISTS documents (
                    rid INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    content TEXT,
                    meta TEXT NOT NULL DEFAULT '{}',
                    embedding BLOB,
                    blob BLOB,
                    blob_meta TEXT,
                    sparse_embedding TEXT
                )"""
            )
            conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(text, tokenize=\"{FTS_TOKENIZER}\")")
            conn.execute("CREATE TABLE IF NOT EXISTS store_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            conn.execute("INSERT OR IGNORE INTO store_state VALUES ('generation', 0)")
            conn.execute("INSERT OR IGNORE INTO store_state VALUES ('token', abs(random()))")
            conn.execute("INSERT OR IGNORE INTO store_state VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            # facts about the knowledge base as text (the embedding model that made its vectors)
            conn.execute("CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            version = conn.execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()[0]
            if version == 1:
                self._migrate_work_key(conn)
            for key in self.indexed_meta_fields:
                name = "ix_meta_" + "".join(c if c.isalnum() else "_" for c in key)
                conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON documents({meta_expression(key)})")
        version = conn.execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise RuntimeError(f"{self.path}: schema version {version}, this code reads version {SCHEMA_VERSION}")

    def _migrate_work_key(self, conn: sqlite3.Connection) -> None:
        """Schema 1 -> 2, inside the opening transaction: every chunk's meta key ``regulation_id``
        becomes ``work_id`` (in place, the other keys in their order), its expression index goes
        and the generation moves, so every reader and the shared index files read the new key."""
        rows = conn.execute("SELECT rid, meta FROM documents WHERE json_type(meta, ?) IS NOT NULL",
                            (meta_path(LEGACY_WORK_KEY),)).fetchall()
        for rid, meta in rows:
            renamed = {("work_id" if k == LEGACY_WORK_KEY else k): v for k, v in json.loads(meta).items()}
            conn.execute("UPDATE documents SET meta = ? WHERE rid = ?", (json.dumps(renamed, ensure_ascii=False), rid))
        conn.execute("DROP INDEX IF EXISTS ix_meta_" + LEGACY_WORK_KEY)
        conn.execute("UPDATE store_state SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION,))
        self._bump(conn)
        logger.warning("{path}: chunk meta migrated to schema {version} ({n} chunks: regulation_id -> work_id)",
                       path=self.path, version=SCHEMA_VERSION, n=len(rows))

    def embedding_model(self) -> str | None:
        """The embedding model recorded for this knowledge base's vectors (None: no record)."""
        row = self._conn().execute("SELECT value FROM store_info WHERE key = 'embedding_model'").fetchone()
        return row[0] if row else None

    def set_embedding_model(self, name: str) -> None:
        """Record the embedding model of this knowledge base (pipelines.embedding.models)."""
        with self.transaction():
            self._conn().execute("INSERT OR REPLACE INTO store_info VALUES ('embedding_model', ?)", (name,))

    def generation(self) -> int:
        """A counter bumped by every committed write, in any process."""
        return self._conn().execute("SELECT value FROM store_state WHERE key = 'generation'").fetchone()[0]

    # --- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            path=str(self.path),
            text_meta_fields=self.text_meta_fields,
            indexed_meta_fields=self.indexed_meta_fields,
            filter_cache_size=self.filter_cache_size,
            bm25_index=self.bm25_index,
            bm25_candidate_budget=self.bm25_candidate_budget,
            shared_indexes=self.shared_indexes,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SQLiteDocumentStore:
        return default_from_dict(cls, data)

    # --- DocumentStore protocol ---------------------------------------------------------------

    def count_documents(self) -> int:
        return self._conn().execute("SELECT count(*) FROM documents").fetchone()[0]

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        where, params = filters_to_sql(filters, "d")
        return self._conn().execute(f"SELECT count(*) FROM documents d WHERE {where}", params).fetchone()[0]

    def filter_documents(self, filters: dict[str, Any] | None = None, *, return_embedding: bool = True) -> list[Document]:
        """Documents matching the Haystack filter, in insertion order."""
        where, params = filters_to_sql(filters, "d")
        columns = _SELECT_COLUMNS + (", d.embedding" if return_embedding else "")
        rows = self._conn().execute(f"SELECT {columns} FROM documents d WHERE {where} ORDER BY d.rid", params)
        return [self._document(row) for row in rows]

    def get_documents_by_id(self, document_ids: list[str], *, return_embedding: bool = True) -> list[Document]:
        """Documents with these ids, in the order of ``document_ids`` (missing ids are left out)."""
        columns = _SELECT_COLUMNS + (", d.embedding" if return_embedding else "")
        found: dict[str, Document] = {}
        for batch in _batches(list(document_ids)):
            sql = f"SELECT {columns} FROM documents d WHERE d.id IN ({', '.join('?' * len(batch))})"
            for row in self._conn().execute(sql, batch):
                doc = self._document(row)
                found[doc.id] = doc
        return [found[i] for i in document_ids if i in found]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write documents; ``DuplicatePolicy.NONE`` means FAIL (as in InMemoryDocumentStore).

        The whole call is one transaction (or part of the surrounding ``transaction()``).
        :raises DuplicateDocumentError: with FAIL, when an id exists already or twice in the input.
        """
        if not isinstance(documents, Iterable) or isinstance(documents, (str, bytes)):
            raise ValueError("Please provide a list of Documents.")
        documents = list(documents)
        if any(not isinstance(doc, Document) for doc in documents):
            raise ValueError("Please provide a list of Documents.")
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        if not documents:
            return 0
        with self._write() as conn:
            existing = self._existing_ids(conn, [d.id for d in documents])
            written = 0
            seen: set[str] = set()
            for doc in documents:
                duplicate = doc.id in existing or doc.id in seen
                if duplicate and policy == DuplicatePolicy.FAIL:
                    raise DuplicateDocumentError(f"ID '{doc.id}' already exists.")
                if duplicate and policy == DuplicatePolicy.SKIP:
                    logger.warning("ID '{document_id}' already exists", document_id=doc.id)
                    continue
                if duplicate:
                    self._delete_ids(conn, [doc.id])
                self._insert(conn, doc)
                seen.add(doc.id)
                written += 1
        return written

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete the documents with these ids; unknown ids are ignored."""
        if not document_ids:
            return
        with self._write() as conn:
            self._delete_ids(conn, list(document_ids))

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete the documents matching the filter; returns how many were deleted."""
        where, params = filters_to_sql(filters, "d")
        with self._write() as conn:
            rids = [r[0] for r in conn.execute(f"SELECT d.rid FROM documents d WHERE {where}", params)]
            for batch in _batches(rids):
                marks = ", ".join("?" * len(batch))
                conn.execute(f"DELETE FROM documents_fts WHERE rowid IN ({marks})", batch)
                conn.execute(f"DELETE FROM documents WHERE rid IN ({marks})", batch)
        return len(rids)

    def delete_all_documents(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM documents_fts")
            conn.execute("DELETE FROM documents")

    # --- writing helpers ----------------------------------------------------------------------

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for batch in _batches(list(dict.fromkeys(ids))):
            sql = f"SELECT id FROM documents WHERE id IN ({', '.join('?' * len(batch))})"
            found.update(r[0] for r in conn.execute(sql, batch))
        return found

    @staticmethod
    def _delete_ids(conn: sqlite3.Connection, ids: list[str]) -> None:
        for batch in _batches(ids):
            marks = ", ".join("?" * len(batch))
            conn.execute(f"DELETE FROM documents_fts WHERE rowid IN (SELECT rid FROM documents WHERE id IN ({marks}))", batch)
            conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", batch)

    def analysed_text(self, doc: Document) -> str:
        """The text FTS5 indexes for a document: content plus ``text_meta_fields``, analysed."""
        parts = [str(doc.meta[k]) for k in self.text_meta_fields if isinstance(doc.meta.get(k), (str, int, float))]
        if doc.content:
            parts.append(doc.content)
        return " ".join(analyze("\n".join(parts)))

    def _insert(self, conn: sqlite3.Connection, doc: Document) -> None:
        embedding = None
        if doc.embedding is not None:
            embedding = np.asarray(doc.embedding, dtype="<f4").tobytes()
        blob = blob_meta = None
        if doc.blob is not None:
            blob = doc.blob.data
            blob_meta = json.dumps({"mime_type": doc.blob.mime_type, "meta": doc.blob.meta}, ensure_ascii=False)
        sparse = json.dumps(doc.sparse_embedding.to_dict()) if doc.sparse_embedding is not None else None
        try:
            meta = json.dumps(doc.meta, ensure_ascii=False)
        except TypeError as exc:
            raise ValueError(f"Document {doc.id}: meta must be JSON-serialisable ({exc})") from exc
        cur = conn.execute(
            "INSERT INTO documents (id, content, meta, embedding, blob, blob_meta, sparse_embedding) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.content, meta, embedding, blob, blob_meta, sparse),
        )
        text = self.analysed_text(doc)
        if text:
            conn.execute("INSERT INTO documents_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, text))

    # --- reading helpers ----------------------------------------------------------------------

    @staticmethod
    def _document(row: tuple, score: float | None = None) -> Document:
        _rid, doc_id, content, meta, blob, blob_meta, sparse = row[:7]
        embedding = None
        if len(row) > 7 and row[7] is not None:
            embedding = np.frombuffer(row[7], dtype="<f4").tolist()
        bytestream = None
        if blob is not None:
            info = json.loads(blob_meta or "{}")
            bytestream = ByteStream(data=blob, mime_type=info.get("mime_type"), meta=info.get("meta") or {})
        return Document(
            id=doc_id,
            content=content,
            meta=json.loads(meta),
            embedding=embedding,
            blob=bytestream,
            sparse_embedding=SparseEmbedding.from_dict(json.loads(sparse)) if sparse else None,
            score=score,
        )

    # --- BM25 ---------------------------------------------------------------------------------

    @staticmethod
    def match_expression(terms: list[str]) -> str:
        """FTS5 MATCH expression: the analysed terms OR-ed, each quoted as a phrase."""
        return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many documents contain each analysed term (cached until the next write)."""
        generation = self.generation()
        with self._vector_lock:
            if self._df_generation != generation:
                self._df_cache = {}
                self._df_generation = generation
            missing = [t for t in terms if t not in self._df_cache]
        found = {t: 0 for t in missing}
        for term in missing:
            row = self._conn().execute("SELECT doc FROM temp.documents_vocab WHERE term = ?", (term,)).fetchone()
            found[term] = row[0] if row else 0
        with self._vector_lock:
            if self._df_generation == generation:
                self._df_cache.update(found)
            cache = dict(self._df_cache)
        return {t: cache.get(t, found.get(t, 0)) for t in terms}

    def prune_terms(self, terms: list[str]) -> list[str]:
        """Drop the most common terms when the query would score more than bm25_candidate_budget
        documents (see the class docstring); order of the kept terms is preserved."""
        if self.bm25_candidate_budget is None or len(terms) <= 1:
            return terms
        df = self.document_frequencies(terms)
        present = [t for t in terms if df[t] > 0]
        if sum(df[t] for t in present) <= self.bm25_candidate_budget:
            return present or terms
        keep: set[str] = set()
        total = 0
        for term in sorted(present, key=lambda t: df[t]):
            if keep and total + df[term] > self.bm25_candidate_budget:
                break
            keep.add(term)
            total += df[term]
        return [t for t in terms if t in keep]

    def bm25_search(
        self,
        query: str,
        top_k: int = 10,
        filters: dict[str, Any] | None = None,
        *,
        expand: bool = True,
        return_embedding: bool = False,
        meta_fields: list[str] | None = None,
        return_content: bool = True,
    ) -> list[Document]:
        """Best ``top_k`` documents by BM25 (FTS5's formula) for the analysed query (glossary-
        expanded when ``expand``); ``Document.score`` is the BM25 score (higher is better).
        ``meta_fields`` (only these meta keys) and ``return_content=False`` make lighter
        Documents for ranking steps (see ``pipelines.stores.references``)."""
        fields = _Fields(meta_fields, return_content, return_embedding)
        if self.bm25_index == "memory":
            return self._bm25_memory_search(analyze_query(query, expand=expand), top_k, filters, fields)
        docs = self.fts5_bm25_search(query, top_k, filters, expand=expand, return_embedding=return_embedding)
        return [fields.trim(d) for d in docs]

    def matching_works(
        self, query: str, filters: dict[str, Any] | None = None, *, expand: bool = True, key: str = "work_id"
    ) -> list[tuple[str, float]]:
        """Every work (``meta[key]``) with a chunk the keyword query matches, with the BM25 score
        of its best chunk, best first (ties by work id): what the search API's ``total`` and facets
        count. A chunk matches when it holds at least one analysed (glossary-expanded) query term,
        the set BM25 ranks. Counted over the in-memory postings (``bm25_index="memory"``) or in
        SQL, ``SELECT work, max(-bm25()) ... WHERE documents_fts MATCH ? GROUP BY work``, for
        ``"fts5"``; both give the same works (tested against a full scan of the chunks)."""
        return [(w, score) for w, score, _ in self._matching(query, filters, expand=expand, key=key)]

    def matching_work_chunks(
        self, query: str, filters: dict[str, Any] | None = None, *, expand: bool = True, key: str = "work_id",
        exclude: Iterable[str] = (),
    ) -> list[Document]:
        """The best chunk (by BM25) of every matching work but those in ``exclude``, best first:
        what the search lists after the ranked regulations, one pass over the postings and one
        read of those chunks."""
        skip = set(exclude)
        picked = [(w, score, rid) for w, score, rid in self._matching(query, filters, expand=expand, key=key)
                  if w not in skip]
        if not picked:
            return []
        docs = self._documents_by_rid([rid for _, _, rid in picked], [score for _, score, _ in picked],
                                      _Fields(embedding=False))
        return docs

    def _matching(self, query: str, filters: dict[str, Any] | None, *, expand: bool, key: str) -> list[tuple[str, float, int]]:
        """(work, best BM25 score, rid of that chunk) of every matching work, best first."""
        terms = analyze_query(query, expand=expand)
        if not terms:
            return []
        best: dict[str, tuple[float, int]] = {}
        if self.bm25_index != "memory":
            where, params = filters_to_sql(filters, "d")
            work = meta_expression(key, "d")
            sql = (f"SELECT {work} AS w, -bm25(documents_fts), d.rid FROM documents_fts "
                   f"JOIN documents d ON d.rid = documents_fts.rowid "
                   f"WHERE documents_fts MATCH ? AND {where} AND w IS NOT NULL")
            for w, score, rid in self._conn().execute(sql, [self.match_expression(terms), *params]):
                if score > best.get(w, (0.0, 0))[0]:
                    best[w] = (float(score), int(rid))
        else:
            index = self._bm25_postings()
            columns = [index.vocab[t] for t in dict.fromkeys(terms) if t in index.vocab]
            if not columns:
                return []
            scores = np.zeros(len(index.rids))
            for c in columns:
                start, end = index.indptr[c], index.indptr[c + 1]
                scores[index.rows[start:end]] += index.weights[start:end]
            positions = np.flatnonzero(scores > 0)
            if filters:
                positions = np.intersect1d(positions, self._candidate_rows(filters, index.rids, index.generation, "bm25"))
            keys = self._key_index((key,)).by_rid
            for pos in positions.tolist():
                rid = int(index.rids[pos])
                entry = keys.get(rid)
                w = entry[1].get(key) if entry else None
                if w is not None and scores[pos] > best.get(w, (0.0, 0))[0]:
                    best[w] = (float(scores[pos]), rid)
        return sorted(((w, s, r) for w, (s, r) in best.items()), key=lambda x: (-x[1], x[0]))

    def fts5_bm25_search(
        self,
        query: str,
        top_k: int = 10,
        filters: dict[str, Any] | None = None,
        *,
        expand: bool = True,
        return_embedding: bool = False,
    ) -> list[Document]:
        """``bm25_search`` through FTS5's ``bm25()`` in SQL (terms pruned over
        ``bm25_candidate_budget``): the reference the in-memory postings are tested against."""
        terms = self.prune_terms(analyze_query(query, expand=expand))
        if not terms or top_k <= 0:
            return []
        where, params = filters_to_sql(filters, "d")
        columns = _SELECT_COLUMNS + (", d.embedding" if return_embedding else "")
        sql = (
            f"SELECT {columns}, bm25(documents_fts) AS s FROM documents_fts "
            f"JOIN documents d ON d.rid = documents_fts.rowid "
            f"WHERE documents_fts MATCH ? AND {where} ORDER BY s LIMIT ?"
        )
        rows = self._conn().execute(sql, [self.match_expression(terms), *params, top_k]).fetchall()
        return [self._document(row[:-1], score=-row[-1]) for row in rows]

    def _bm25_postings(self) -> _BM25Index:
        """The postings of the current generation (built on first use after a write; memory-mapped
        from the shared index files with ``shared_indexes``)."""
        return self._generation_cached(
            "_bm25", self._bm25_lock,
            fetch=lambda conn: conn.execute("SELECT rowid, text FROM documents_fts ORDER BY rowid").fetchall(),
            make=lambda rows, generation: build_bm25_index(rows, generation),
            shared=("bm25", _BM25Index.from_arrays),
        )

    def _shared_key(self, conn: sqlite3.Connection, generation: int, kind: str) -> str:
        token = conn.execute("SELECT value FROM store_state WHERE key = 'token'").fetchone()
        return f"g{generation}-{token[0] if token else 0:x}-{SHARED_RECIPES[kind]}"

    def _from_shared_files(self, conn: sqlite3.Connection, generation: int, kind: str, from_arrays, build):
        """This generation's index of ``kind`` from the shared files, built (from the rows of this
        snapshot, by ``build``) and written first if no valid set exists; None when the index
        cannot be shared (empty, or the files cannot be written: then ``build``'s own is used)."""
        files = self._index_files
        key = self._shared_key(conn, generation, kind)
        arrays = files.load(kind, key)
        if arrays is None:
            try:
                with files.lock(kind):
                    arrays = files.load(kind, key)  # another process may have built it meanwhile
                    if arrays is None:
                        index = build()
                        if not files.save(kind, key, index.arrays()):
                            return index
                        files.prune(kind, generation)
                        arrays = files.load(kind, key)
            except OSError as exc:
                logger.warning("shared index files unavailable in {root} ({error}): this process keeps its own copy",
                               root=str(files.root), error=str(exc))
                return build()
            if arrays is None:
                return build()
        return from_arrays(arrays, generation)

    def _generation_cached(self, attr: str, lock: threading.Lock, *, fetch, make, on_cache=None, owner=None,
                           shared=None):
        """An index derived from the rows of the current generation, shared by BM25 and dense
        search: read from one snapshot (the counter and the rows agree), and cached (as
        ``owner.attr``, ``owner`` defaulting to the store) unless it was read inside a write
        transaction, whose rows may yet be rolled back. With ``shared=(kind, from_arrays)`` and
        ``shared_indexes``, outside a write transaction, the index is memory-mapped from the shared
        files of this generation (built and written by the first process that needs it)."""
        owner = self if owner is None else owner
        generation = self.generation()
        index = getattr(owner, attr)
        if index is not None and index.generation == generation:
            return index
        with lock:
            index = getattr(owner, attr)
            if index is not None and index.generation == generation:
                return index
            conn = self._conn()
            own_snapshot = self._local.depth == 0
            if own_snapshot:
                conn.execute("BEGIN")  # one snapshot for the counter and the rows
            index = None
            try:
                generation = self.generation()
                if shared is not None and own_snapshot and self._index_files is not None:
                    index = self._from_shared_files(conn, generation, shared[0], shared[1],
                                                    lambda: make(fetch(conn), generation))
                else:
                    data = fetch(conn)
            finally:
                if own_snapshot:
                    conn.execute("COMMIT")
            if index is None:
                index = make(data, generation)
            if own_snapshot:
                setattr(owner, attr, index)
                if on_cache is not None:
                    on_cache()
            return index

    def _bm25_memory_search(
        self, terms: list[str], top_k: int, filters: dict[str, Any] | None, fields: _Fields
    ) -> list[Document]:
        if not terms or top_k <= 0:
            return []
        index = self._bm25_postings()
        columns = [index.vocab[t] for t in terms if t in index.vocab]
        if not columns:
            return []
        scores = np.zeros(len(index.rids))
        for c in columns:
            start, end = index.indptr[c], index.indptr[c + 1]
            scores[index.rows[start:end]] += index.weights[start:end]  # rows are unique within a term
        if filters:
            rows = self._candidate_rows(filters, index.rids, index.generation, "bm25")
            if len(rows) == 0:
                return []
            top = rows[top_positions(scores[rows], top_k, positive=True)]
        else:
            top = top_positions(scores, top_k, positive=True)
        return self._documents_by_rid(index.rids[top].tolist(), scores[top].tolist(), fields)

    def _documents_by_rid(self, rids: list[int], scores: list[float], fields: _Fields) -> list[Document]:
        """The documents of ``rids`` in that order, each with its score (as much of each as
        ``fields`` asks for)."""
        if not rids:
            return []
        best = dict(zip(rids, scores))
        if fields.partial:
            return self._partial_by_rid(rids, best, fields)
        columns = _SELECT_COLUMNS + (", d.embedding" if fields.embedding else "")
        found: dict[int, Document] = {}
        sql = f"SELECT {columns} FROM documents d WHERE d.rid IN ({', '.join('?' * len(rids))})"
        for row in self._conn().execute(sql, rids):
            found[row[0]] = self._document(row, score=best[row[0]])
        return [found[r] for r in rids if r in found]

    def _partial_by_rid(self, rids: list[int], best: dict[int, float], fields: _Fields) -> list[Document]:
        """Documents of ``rids`` in that order with only the ``fields.meta`` keys, content if
        asked, no embedding: what a ranking step needs. The ids and those keys come from an
        in-memory table (``_key_index``), so a reference costs no SQL and no JSON decoding."""
        if fields.meta is None:  # every meta key, no content: whole records, trimmed
            full = self._documents_by_rid(rids, list(best.values()), _Fields(embedding=False))
            return [fields.trim(d) for d in full]
        keys = self._key_index(tuple(fields.meta)).by_rid
        contents: dict[int, str | None] = {}
        if fields.content:
            sql = f"SELECT rid, content FROM documents WHERE rid IN ({', '.join('?' * len(rids))})"
            contents = dict(self._conn().execute(sql, rids).fetchall())
        out = []
        for rid in rids:
            found = keys.get(rid)
            if found is not None and (not fields.content or rid in contents):
                out.append(Document(id=found[0], content=contents.get(rid), meta=dict(found[1]), score=best[rid]))
        return out

    def _key_index(self, keys: tuple[str, ...]) -> _KeyIndex:
        """rid -> (id, {key: value}) for every document, for these meta keys, per generation."""
        with self._keys_lock:
            holder = self._key_holders.setdefault(keys, _Holder())
        columns = "".join(f", meta -> {sql_literal(meta_path(k))}" for k in keys)

        def make(rows, generation):
            by_rid = {}
            for rid, doc_id, *values in rows:
                by_rid[rid] = (doc_id, {k: json.loads(v) for k, v in zip(keys, values) if v is not None})
            return _KeyIndex(generation, by_rid)

        return self._generation_cached(
            "index", holder.lock, owner=holder,
            fetch=lambda conn: conn.execute(f"SELECT rid, id{columns} FROM documents").fetchall(),
            make=make,
        )

    # --- dense --------------------------------------------------------------------------------

    def _vector_index(self) -> _VectorIndex:
        return self._generation_cached(
            "_vectors", self._vector_lock,
            fetch=self._load_matrix,
            make=lambda loaded, generation: _VectorIndex(generation, *loaded),
            on_cache=self._mask_cache.clear,
            shared=("vectors", _VectorIndex.from_arrays),
        )

    def _load_matrix(self, conn: sqlite3.Connection, batch: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """All stored embeddings as one preallocated C-contiguous float32 matrix of unit rows (streamed
        in batches: no second copy of the vectors is held while loading), and their rids."""
        n = conn.execute("SELECT count(*) FROM documents WHERE embedding IS NOT NULL").fetchone()[0]
        rids = np.empty(n, dtype=np.int64)
        matrix: np.ndarray | None = None
        cur = conn.execute("SELECT rid, embedding FROM documents WHERE embedding IS NOT NULL ORDER BY rid")
        done = 0
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                break
            if matrix is None:
                matrix = np.empty((n, len(rows[0][1]) // 4), dtype=np.float32)
            sizes = {len(r[1]) for r in rows}
            if sizes != {matrix.shape[1] * 4}:
                found = sorted({s // 4 for s in sizes} | {matrix.shape[1]})
                raise ValueError(f"{self.path}: stored embeddings have different dimensions ({found})")
            rids[done : done + len(rows)] = [r[0] for r in rows]
            matrix[done : done + len(rows)] = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
            done += len(rows)
        if matrix is None or done != n:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))[:, None]  # no n x dim temporary
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return rids, matrix

    def _candidate_rows(self, filters: dict[str, Any], index_rids: np.ndarray, generation: int, kind: str) -> np.ndarray:
        """Positions (ascending) into ``index_rids`` of the documents matching ``filters``,
        cached per filter, generation and index kind (``"dense"`` or ``"bm25"``)."""
        key = (kind, json.dumps(filters, sort_keys=True, default=str), generation)
        with self._vector_lock:
            cached = self._mask_cache.get(key)
            if cached is not None:
                self._mask_cache.move_to_end(key)
                return cached
        where, params = filters_to_sql(filters, "d")
        extra = " AND d.embedding IS NOT NULL" if kind == "dense" else ""
        rids = np.fromiter(
            (r[0] for r in self._conn().execute(f"SELECT d.rid FROM documents d WHERE {where}{extra}", params)),
            dtype=np.int64,
        )
        rows = np.searchsorted(index_rids, rids)
        ok = rows < len(index_rids)
        rows = rows[ok]
        rows = rows[index_rids[rows] == rids[ok]]
        rows.sort()
        if self._local.depth:  # inside a write transaction: not cached (it may be rolled back)
            return rows
        with self._vector_lock:
            self._mask_cache[key] = rows
            while len(self._mask_cache) > self.filter_cache_size:
                self._mask_cache.popitem(last=False)
        return rows

    def embedding_search(
        self,
        query_embedding: list[float] | np.ndarray,
        top_k: int = 10,
        filters: dict[str, Any] | None = None,
        *,
        return_embedding: bool = False,
        meta_fields: list[str] | None = None,
        return_content: bool = True,
    ) -> list[Document]:
        """Best ``top_k`` documents by cosine similarity to ``query_embedding`` (``Document.score``);
        ``meta_fields`` and ``return_content`` as in ``bm25_search``."""
        fields = _Fields(meta_fields, return_content, return_embedding)
        index = self._vector_index()
        if top_k <= 0 or len(index.rids) == 0:
            return []
        q = np.asarray(query_embedding, dtype=np.float32).ravel()
        if q.shape[0] != index.matrix.shape[1]:
            raise ValueError(f"query embedding has {q.shape[0]} dimensions, the store's embeddings have {index.matrix.shape[1]}")
        norm = float(np.linalg.norm(q))
        if norm > 0:
            q = q / norm
        if filters:
            rows = self._candidate_rows(filters, index.rids, index.generation, "dense")
            if len(rows) == 0:
                return []
            scores = _dot(index.matrix[rows], q) if len(rows) < len(index.rids) // 2 else _dot(index.matrix, q)[rows]
        else:
            rows = None
            scores = _dot(index.matrix, q)
        top = top_positions(scores, top_k)
        positions = top if rows is None else rows[top]
        return self._documents_by_rid(index.rids[positions].tolist(), scores[top].tolist(), fields)


@dataclass(frozen=True)
class _KeyIndex:
    generation: int
    by_rid: dict[int, tuple[str, dict[str, Any]]]


class _Holder:
    """Where one ``_key_index`` is cached, with its lock."""

    def __init__(self) -> None:
        self.index: _KeyIndex | None = None
        self.lock = threading.Lock()


@dataclass(frozen=True)
class _Fields:
    """How much of each Document a search returns: all meta keys (``meta=None``) or only these;
    content or not; the embedding or not (only with whole records)."""

    meta: list[str] | None = None
    content: bool = True
    embedding: bool = False

    @property
    def partial(self) -> bool:
        return self.meta is not None or not self.content

    def trim(self, doc: Document) -> Document:
        if not self.partial:
            return doc
        return reference(doc, doc.meta if self.meta is None else self.meta, content=self.content)


def _dot(matrix: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``matrix @ q`` for float32: numpy's own single-threaded SIMD loop (einsum), measured twice
    as fast as OpenBLAS's sgemv on this hardware (7.5 vs 15 ms for 100k x 384) and without
    waking BLAS threads that spin against the query embedder on a small shared machine."""
    return np.einsum("ij,j->i", matrix, q)


def _batches(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
