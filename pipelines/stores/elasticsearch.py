"""The Elasticsearch backend: the same knowledge base on a search cluster (JDIH_STORE=elasticsearch).

A subclass of elasticsearch-haystack's ``ElasticsearchDocumentStore``, so the integration's
``ElasticsearchBM25Retriever`` and ``ElasticsearchEmbeddingRetriever`` work on it unchanged, plus what
the embedded ``SQLiteDocumentStore`` offers the rest of the project: ``transaction()``,
``delete_by_filter``, ``bm25_search``, ``embedding_search``, ``generation()``, the works catalogue.

Usage::

    from pipelines.stores.elasticsearch import ElasticsearchStore
    from pipelines.stores.es_index import index_definition

    store = ElasticsearchStore.from_env()          # ELASTICSEARCH_URL, credentials, JDIH_ES_INDEX
    store.init_indices()                           # `jdih es init`: settings + mappings, idempotent
    with store.transaction():                      # one work: new chunks first, stale ones after
        store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": "uu-27-2022"})
        store.write_documents(chunks)
    hits = store.bm25_search("pusat data", top_k=10)
    print(json.dumps(index_definition(), indent=2))  # what `jdih es init --dry-run` prints

Indices (``JDIH_ES_INDEX``, default ``jdih-chunks``; each an alias over ``<name>-v2`` so the mappings
can change later by reindex-and-swap):

- ``<index>``: the chunks (Haystack documents, meta flattened to top-level fields);
- ``<index>-works``: one document per work (catalogue record, parsed text, dimension links, content
  hash): what the embedded store keeps in its ``works`` table;
- ``<index>-state``: the ``generation`` counter (bumped after every committed write, by any replica).

The control plane (jobs, audit log, accounts and tokens, versions, file records, and the works table
they are written with) stays in ONE SQLite file owned by the single *writer* replica
(``control_db``, JDIH_DATA_DIR/jdih.sqlite3): the project's code reaches it through ``store._conn()``
and ``store.transaction()`` exactly as on the embedded store. On commit the store applies the
transaction's chunk writes to Elasticsearch, publishes every works row changed in the transaction
(captured by TEMP triggers into an outbox) to ``<index>-works``, then commits SQLite. Read replicas
(JDIH_ROLE=reader) have no control file: they search the cluster and read works from
``<index>-works``. See docs/deployment.md.

The index definition is pipelines.stores.es_index, the query bodies and filters
pipelines.stores.es_queries (pure functions); this module is the store, its configuration, its
retrievers and the works reader.

One analyser for both stores: every chunk is indexed with ``analysed_text``, the terms
``pipelines.analysis.analyzer`` makes of its breadcrumb and content (what the embedded FTS5 index holds), in a
field searched with the pre-built ``whitespace`` analyzer; a query sends the terms of
``analyzer.analyze_query`` (expanded in Python with the glossary and the dictionary). BM25 on either store ranks the same words,
and the index needs no plugin: it runs on Elastic's minimal distribution (no analysis-common, no
reindex module, no painless; deletes are by id in bulk, the generation counter is a document's
``_version``). Hybrid search stays in Python (Haystack's DocumentJoiner, reciprocal rank fusion):
Elasticsearch's ``rrf`` retriever needs a paid licence.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from haystack import component, default_from_dict, default_to_dict, logging
from haystack.dataclasses import Document
from haystack.document_stores.errors import DocumentStoreError, DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy, apply_filter_policy
from haystack.errors import FilterError
from haystack.utils import Secret, deserialize_secrets_inplace
from haystack.utils.filters import document_matches_filter
from haystack_integrations.components.retrievers.elasticsearch import (
    ElasticsearchBM25Retriever as _IntegrationBM25Retriever,
)
from haystack_integrations.components.retrievers.elasticsearch import (
    ElasticsearchEmbeddingRetriever as _IntegrationEmbeddingRetriever,
)
from haystack_integrations.document_stores.elasticsearch import ElasticsearchDocumentStore

from pipelines.analysis import analyzer
from pipelines.stores.es_index import (
    ANALYSED_FIELD,
    DEFAULT_INDEX,
    EMBEDDING_DIM,
    SCHEMA_VERSION,
    all_definitions,
    analysed_text,
    chunk_mappings,
)
from pipelines.stores.es_queries import (
    _MATCH_ALL,
    bm25_query_body,
    checked_in_python,
    es_filter,
    facets_body,
    knn_query_body,
    matching_works_body,
)
from pipelines.stores.works import LEGACY_WORK_KEY

logger = logging.getLogger(__name__)

SCAN_BATCH = 500
BULK_DOCS = 250  # chunks per bulk request (each carries a 384-float vector and its text)
BULK_BYTES = 20 * 1024 * 1024
ROLES = ("writer", "reader")

# --- configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class EsConfig:
    """Connection settings from the environment: ELASTICSEARCH_URL (commas for several nodes),
    ELASTICSEARCH_USERNAME/PASSWORD or ELASTICSEARCH_API_KEY (+ optional _API_KEY_ID),
    ELASTICSEARCH_CA_CERTS, JDIH_ES_INDEX, JDIH_ES_SHARDS, JDIH_ES_REPLICAS."""

    hosts: list[str]
    index: str = DEFAULT_INDEX
    shards: int = 1
    replicas: int = 1
    ca_certs: str | None = None
    role: str = "writer"

    @classmethod
    def from_env(cls, url: str | None = None) -> EsConfig:
        url = url or os.environ.get("ELASTICSEARCH_URL")
        if not url:
            raise ValueError("JDIH_STORE=elasticsearch needs ELASTICSEARCH_URL (e.g. http://localhost:9200)")
        return cls(
            hosts=[u.strip() for u in url.split(",") if u.strip()],
            index=os.environ.get("JDIH_ES_INDEX") or DEFAULT_INDEX,
            shards=_env_int("JDIH_ES_SHARDS", 1),
            replicas=_env_int("JDIH_ES_REPLICAS", 1),
            ca_certs=os.environ.get("ELASTICSEARCH_CA_CERTS") or None,
            role=_role(os.environ.get("JDIH_ROLE") or "writer"),
        )


def _role(value: str) -> str:
    value = value.strip().lower()
    if value not in ROLES:
        raise ValueError(f"JDIH_ROLE must be 'writer' or 'reader', got {value!r}")
    return value


class ReadOnlyReplicaError(DocumentStoreError):
    """A write was attempted on a read replica (JDIH_ROLE=reader): route it to the writer."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _secret(name: str) -> Secret:
    return Secret.from_env_var(name, strict=False)


# --- the store -----------------------------------------------------------------------------


class _Pending:
    """The writes of one transaction, applied in order new-chunks-first on commit."""

    def __init__(self) -> None:
        self.writes: list[tuple[list[Document], DuplicatePolicy]] = []
        self.delete_filters: list[dict[str, Any] | None] = []  # None: everything
        self.delete_ids: list[str] = []

    def mark(self) -> tuple[int, int, int]:
        return len(self.writes), len(self.delete_filters), len(self.delete_ids)

    def rollback_to(self, mark: tuple[int, int, int]) -> None:
        del self.writes[mark[0]:], self.delete_filters[mark[1]:], self.delete_ids[mark[2]:]


class ElasticsearchStore(ElasticsearchDocumentStore):
    """The project's DocumentStore on Elasticsearch 8 (see the module docstring).

    :param hosts: node URLs; :param index: the chunk index alias (other indices derive from it);
    :param username/password/api_key/api_key_id: Secrets (environment variables by default), never
        serialised as values; :param embedding_dim: 384 for multilingual-e5-small and all-MiniLM-L6-v2;
    :param shards/replicas: used when the indices are created; :param auto_create: create missing
        indices on first use (``jdih es init`` does it explicitly);
    :param kwargs: passed to the ``elasticsearch.Elasticsearch`` client (e.g. ``ca_certs``).
    """

    backend = "elasticsearch"
    partial_results = True  # bm25_search / embedding_search take meta_fields and return_content

    def __init__(
        self,
        *,
        hosts: Any = None,
        index: str = DEFAULT_INDEX,
        username: Secret | None = None,
        password: Secret | None = None,
        api_key: Secret | None = None,
        api_key_id: Secret | None = None,
        embedding_dim: int = EMBEDDING_DIM,
        shards: int = 1,
        replicas: int = 1,
        auto_create: bool = True,
        control_db: str | None = None,
        role: str = "writer",
        **kwargs: Any,
    ) -> None:
        self.username = username if username is not None else _secret("ELASTICSEARCH_USERNAME")
        self.password = password if password is not None else _secret("ELASTICSEARCH_PASSWORD")
        self.embedding_dim = embedding_dim
        self.shards = shards
        self.replicas = replicas
        self.auto_create = auto_create
        self.control_db = str(control_db) if control_db else None
        self.role = _role(role)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        super().__init__(
            hosts=hosts, index=index, custom_mapping=chunk_mappings(embedding_dim),
            api_key=api_key if api_key is not None else _secret("ELASTICSEARCH_API_KEY"),
            api_key_id=api_key_id if api_key_id is not None else _secret("ELASTICSEARCH_API_KEY_ID"),
            embedding_similarity_function="cosine", **kwargs,
        )

    @classmethod
    def from_env(cls, url: str | None = None, *, control_db: str | Path | None = None, **overrides: Any) -> ElasticsearchStore:
        """From the environment (EsConfig); ``control_db``: the writer's SQLite file (ignored on a reader)."""
        cfg = EsConfig.from_env(url)
        params: dict[str, Any] = {
            "hosts": cfg.hosts, "index": cfg.index, "shards": cfg.shards, "replicas": cfg.replicas, "role": cfg.role,
            "control_db": str(control_db) if control_db and cfg.role == "writer" else None,
        }
        if cfg.ca_certs:
            params["ca_certs"] = cfg.ca_certs
        params.update(overrides)
        return cls(**params)

    # --- names, client, indices -----------------------------------------------------------

    @property
    def index(self) -> str:
        return self._index

    @property
    def path(self) -> Path | None:
        """The writer's control file (as ``SQLiteDocumentStore.path``); None on a reader."""
        return Path(self.control_db) if self.control_db else None

    def index_name(self, kind: str | None = None) -> str:
        """The alias of the chunk index (``kind=None``) or of ``works``, ``state``, ``jobs``, ..."""
        return self._index if kind is None else f"{self._index}-{kind}"

    def definitions(self) -> dict[str, dict[str, Any]]:
        return all_definitions(self._index, self.embedding_dim, shards=self.shards, replicas=self.replicas)

    def _ensure_initialized(self) -> None:
        if self._client is None:
            from elasticsearch import Elasticsearch

            auth: dict[str, Any] = {}
            user, pwd = self.username.resolve_value(), self.password.resolve_value()
            if user and pwd:
                auth["basic_auth"] = (user, pwd)
            api_key = self._handle_auth()
            if api_key:
                auth["api_key"] = api_key
            client = Elasticsearch(self._hosts, headers=self._headers, **auth, **self._kwargs)
            # No client.info() (the integration's check): GET / is not in the minimal distribution
            # (docs/deployment.md). The first request below fails with the cluster's own message
            # (auth, TLS, unreachable), and the client checks the X-Elastic-Product header on it.
            self._client = client
            try:
                if self.auto_create:
                    created = self.init_indices()
                    if self.role == "writer" and f"{self._index}-v{SCHEMA_VERSION}" not in created:
                        self.migrate_work_key()
                else:
                    client.indices.exists(index=self._index)
            except BaseException:
                self._client = None
                client.close()
                raise

    def init_indices(self) -> list[str]:
        """Create every missing index (settings + mappings) behind its alias; returns the concrete
        indices created. Safe to run on every start and from several replicas at once."""
        from elasticsearch import BadRequestError

        client = self.client if self._client is None else self._client
        created = []
        for alias, definition in self.definitions().items():
            if client.indices.exists(index=alias):
                continue
            concrete = f"{alias}-v{SCHEMA_VERSION}"
            try:
                client.indices.create(index=concrete, aliases={alias: {"is_write_index": True}}, **definition)
                created.append(concrete)
            except BadRequestError as exc:  # another replica created it a moment ago
                if "resource_already_exists_exception" not in str(exc):
                    raise
        return created

    def migrate_work_key(self) -> int:
        """Chunks written before the meta key ``regulation_id`` became ``work_id`` get the new key
        (rewritten whole, vectors kept; the mapping has both keywords), then one refresh and a
        generation bump. Run by the writer when it opens an existing index; a no-op (one count)
        once done. Returns the number of chunks rewritten."""
        from elasticsearch import helpers

        legacy = {"exists": {"field": LEGACY_WORK_KEY}}
        client = self.client if self._client is None else self._client
        if not client.count(index=self._index, query=legacy)["count"]:
            return 0
        batch: list[Document] = []
        n = 0
        for hit in helpers.scan(client, index=self._index, query={"query": legacy}, size=SCAN_BATCH,
                                preserve_order=False):
            hit.setdefault("_score", None)
            doc = self._deserialize_document(hit)
            batch.append(dataclasses.replace(doc, meta={("work_id" if k == LEGACY_WORK_KEY else k): v
                                                        for k, v in doc.meta.items()}))
            if len(batch) >= SCAN_BATCH:
                n += self._bulk_write(batch, policy=DuplicatePolicy.OVERWRITE, refresh=False)
                batch = []
        if batch:
            n += self._bulk_write(batch, policy=DuplicatePolicy.OVERWRITE, refresh=False)
        client.indices.refresh(index=self._index)
        self._bump_generation()
        logger.warning("{index}: chunk meta migrated ({n} chunks: regulation_id -> work_id)", index=self._index, n=n)
        return n

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self, hosts=self._hosts, index=self._index, username=self.username.to_dict(),
            password=self.password.to_dict(), api_key=self._api_key.to_dict() if isinstance(self._api_key, Secret) else None,
            api_key_id=self._api_key_id.to_dict() if isinstance(self._api_key_id, Secret) else None,
            embedding_dim=self.embedding_dim, shards=self.shards, replicas=self.replicas,
            auto_create=self.auto_create, control_db=self.control_db, role=self.role, **self._kwargs,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ElasticsearchStore:
        data = {**data, "init_parameters": dict(data.get("init_parameters", {}))}
        deserialize_secrets_inplace(data["init_parameters"], keys=["username", "password", "api_key", "api_key_id"])
        return default_from_dict(cls, data)

    # --- generation: a counter document bumped after each committed write -------------------

    def generation(self) -> int:
        """The ``_version`` of the ``generation`` document: Elasticsearch increments it atomically
        on every index of that document (no script needed; the minimal distribution has none)."""
        from elasticsearch import NotFoundError

        try:
            return int(self.client.get(index=self.index_name("state"), id="generation", source=False)["_version"])
        except NotFoundError:
            return 0

    def embedding_model(self) -> str | None:
        """The embedding model recorded for the chunks' vectors (the ``embedding_model`` document
        of the state index; None: no record)."""
        from elasticsearch import NotFoundError

        try:
            return self.client.get(index=self.index_name("state"), id="embedding_model")["_source"].get("value")
        except NotFoundError:
            return None

    def set_embedding_model(self, name: str) -> None:
        """Record the embedding model of this knowledge base (pipelines.embedding.models)."""
        self.client.index(index=self.index_name("state"), id="embedding_model", refresh=True,
                          document={"value": name})

    def _bump_generation(self) -> None:
        from datetime import datetime, timezone

        self.client.index(index=self.index_name("state"), id="generation", refresh=True,
                          document={"updated_at": datetime.now(timezone.utc).isoformat()})

    # --- the writer's control file and transactions ----------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """The control SQLite connection of this thread (jobs, audit, accounts, versions, works...),
        as ``SQLiteDocumentStore._conn()``; works rows changed through it are published to
        ``<index>-works`` when the transaction commits."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self.role != "writer" or not self.control_db:
            raise ReadOnlyReplicaError(
                "this replica is read-only (JDIH_ROLE=reader, or no control database): send writes to the writer")
        from pipelines.stores.works import ensure_schema

        Path(self.control_db).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.control_db, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        ensure_schema(conn)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS works_changed (id TEXT PRIMARY KEY)")
        # not INSERT OR IGNORE: an outer statement's conflict clause (the works upsert's ON CONFLICT
        # DO UPDATE) overrides a trigger's, and the UPDATE trigger's old.id == new.id then aborts it
        for event, ids in (("INSERT", ("new.id",)), ("UPDATE", ("old.id", "new.id")), ("DELETE", ("old.id",))):
            body = " ".join(f"INSERT INTO works_changed SELECT {i} WHERE NOT EXISTS "
                            f"(SELECT 1 FROM works_changed WHERE id = {i});" for i in ids)
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS works_outbox_{event.lower()} "
                         f"AFTER {event} ON main.works BEGIN {body} END")
        self._local.conn = conn
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    # --- the boundary the rest of the code uses (as SQLiteDocumentStore's) -------------------

    def control(self) -> sqlite3.Connection:
        """The writer's control file (works, accounts, jobs, files, versions, audit, relations,
        changes); its writes join ``transaction()`` and changed works rows are published on commit."""
        return self._conn()

    def bump_generation(self) -> None:
        """Make every reader re-read the knowledge base."""
        self._bump_generation()

    def update_chunk_meta(self, work_id: str, values: dict[str, Any]) -> int:
        """Set ``meta[key] = value`` for each of ``values`` on every chunk of ``work_id`` (chunks
        rewritten whole, vectors kept; inside ``transaction()`` they are written on commit)."""
        docs = self.filter_documents({"field": "meta.work_id", "operator": "==", "value": work_id},
                                     return_embedding=True)
        changed = [d for d in docs if any(d.meta.get(k) != v for k, v in values.items())]
        for d in changed:
            d.meta.update(values)
        if changed:
            self.write_documents(changed, policy=DuplicatePolicy.OVERWRITE)
        return len(changed)

    def _control(self) -> sqlite3.Connection | None:
        try:
            return self._conn()
        except ReadOnlyReplicaError:
            return None

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._connections.clear()
        self._local = threading.local()
        super().close()

    def _pending(self) -> _Pending | None:
        return getattr(self._local, "pending", None)

    @contextmanager
    def transaction(self) -> Iterator[ElasticsearchStore]:
        """Collect the writes of the block and apply them on exit: new chunks first (overwriting by
        id), then the deletes minus the ids just written, then the changed work records, one
        refresh, one generation bump, and last the control file's COMMIT. A reader never sees a
        work without chunks; an exception in the block writes nothing anywhere (nested blocks are
        savepoints: their chunk writes are dropped with them). Elasticsearch has no multi-document
        transactions: a process killed during the commit leaves some chunks new while the control
        file rolls back (the job is retried, the work's content hash still differs), so the next
        run redoes the work idempotently (docs/deployment.md)."""
        pending = self._pending()
        conn = self._control()
        if pending is not None:  # nested: a savepoint
            depth = self._local.depth
            mark = pending.mark()
            if conn is not None:
                conn.execute(f"SAVEPOINT es_sp{depth}")
            self._local.depth = depth + 1
            try:
                yield self
            except BaseException:
                pending.rollback_to(mark)
                if conn is not None:
                    conn.execute(f"ROLLBACK TO es_sp{depth}")
                    conn.execute(f"RELEASE es_sp{depth}")
                raise
            else:
                if conn is not None:
                    conn.execute(f"RELEASE es_sp{depth}")
            finally:
                self._local.depth = depth
            return
        self._local.pending = pending = _Pending()
        self._local.depth = 1
        if conn is not None:
            conn.execute("BEGIN IMMEDIATE")
        try:
            try:
                yield self
            finally:
                self._local.pending = None
                self._local.depth = 0
            self._commit(pending, conn)
        except BaseException:
            if conn is not None:
                conn.execute("ROLLBACK")
                conn.execute("DELETE FROM temp.works_changed")
            raise
        if conn is not None:
            conn.execute("COMMIT")

    def _commit(self, p: _Pending, conn: sqlite3.Connection | None = None) -> None:
        works = self._changed_works(conn) if conn is not None else {}
        if not (p.writes or p.delete_filters or p.delete_ids or works):
            return
        written: list[str] = []
        for docs, policy in p.writes:
            deleted_ids = set(p.delete_ids)
            replacing = [d for d in docs if d.id in deleted_ids or any(
                f is None or _matches(f, d) for f in p.delete_filters)]
            replaced = {d.id for d in replacing}
            others = [d for d in docs if d.id not in replaced]
            if replacing:
                self._bulk_write(replacing, policy=DuplicatePolicy.OVERWRITE, refresh=False)
            if others:
                self._bulk_write(others, policy=policy, refresh=False)
            written.extend(d.id for d in docs)
        kept = set(written)
        for f in p.delete_filters:  # None: everything
            self._delete_ids([i for i in self._ids_for_filter(f) if i not in kept], refresh=False)
        stale = [i for i in dict.fromkeys(p.delete_ids) if i not in set(written)]
        if stale:
            self._delete_ids(stale, refresh=False)
        if works:
            self._write_works(works)
        self.client.indices.refresh(index=[self._index, self.index_name("works")])
        self._bump_generation()

    @staticmethod
    def _changed_works(conn: sqlite3.Connection) -> dict[str, dict[str, Any] | None]:
        """The works rows changed in this transaction (the outbox), as ``<index>-works`` documents;
        ``None`` for a deleted work. The outbox is emptied (inside the same transaction)."""
        ids = [r[0] for r in conn.execute("SELECT id FROM temp.works_changed")]
        if not ids:
            return {}
        out: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
        for i in range(0, len(ids), SCAN_BATCH):
            batch = ids[i:i + SCAN_BATCH]
            rows = conn.execute(
                "SELECT id, record, regulation, dimensions, content_hash, chunks, has_text, updated_at FROM works "
                f"WHERE id IN ({', '.join('?' * len(batch))})", batch)
            for row in rows:
                out[row[0]] = _work_document(row)
        conn.execute("DELETE FROM temp.works_changed")
        return out

    def publish_works(self, *, delete_missing: bool = False) -> int:
        """Copy every works row of the control file to ``<index>-works`` (`jdih es init` on the
        writer: repairs a lost works index); with ``delete_missing``, also delete the records of
        works the control file does not have. Returns the number of rows copied."""
        conn = self._conn()
        rows = conn.execute(
            "SELECT id, record, regulation, dimensions, content_hash, chunks, has_text, updated_at FROM works").fetchall()
        docs: dict[str, dict[str, Any] | None] = {r[0]: _work_document(r) for r in rows}
        if delete_missing:
            for w in self.work_reader().scan():
                docs.setdefault(w["id"], None)
        if docs:
            self._write_works(docs)
            self.client.indices.refresh(index=self.index_name("works"))
            self._bump_generation()
        return len(rows)

    def _write_works(self, works: dict[str, dict[str, Any] | None]) -> None:
        from elasticsearch import helpers

        actions = [
            {"_op_type": "delete", "_id": wid} if doc is None else {"_op_type": "index", "_id": wid, "_source": doc}
            for wid, doc in works.items()
        ]
        _ok, errors = helpers.bulk(self.client, actions, index=self.index_name("works"), raise_on_error=False, refresh=False)
        errors = [e for e in errors if not (e.get("delete") or {}).get("status") == 404]
        if errors:
            raise DocumentStoreError(f"writing work records failed: {errors[:3]}")

    # --- the bulk writes every write goes through ------------------------------------------

    def _bulk_write(self, documents: list[Document], *, policy: DuplicatePolicy, refresh: Any) -> int:
        """Index (OVERWRITE) or create (FAIL, SKIP) the documents in bulk, each with its analysed
        terms (``analysed_text``); the integration's write_documents has no place for a field of
        our own, so this is its loop with that field added and the same errors raised."""
        from elasticsearch import helpers

        op = "index" if policy == DuplicatePolicy.OVERWRITE else "create"
        actions = []
        for doc in documents:
            source = doc.to_dict()
            for name in ("embedding", "blob", "score", "sparse_embedding"):
                if source.get(name) is None:
                    source.pop(name, None)
            source[ANALYSED_FIELD] = analysed_text(doc)
            actions.append({"_op_type": op, "_id": doc.id, "_source": source})
        written, errors = helpers.bulk(self.client, actions, index=self._index, refresh=refresh,
                                       raise_on_error=False, stats_only=False, chunk_size=BULK_DOCS,
                                       max_chunk_bytes=BULK_BYTES)
        duplicates, others = [], []
        for error in errors if isinstance(errors, list) else []:
            item = next(iter(error.values()))
            if (item.get("error") or {}).get("type") == "version_conflict_engine_exception":
                if policy == DuplicatePolicy.FAIL:
                    duplicates.append(item.get("_id"))
                continue  # SKIP: an existing document stays
            others.append(error)
        if duplicates:
            raise DuplicateDocumentError(f"IDs '{', '.join(map(str, duplicates))}' already exist in the document store.")
        if others:
            raise DocumentStoreError(f"Failed to write documents to Elasticsearch. Errors:\n{others[:5]}")
        return written

    def _ids_matching(self, query: dict[str, Any]) -> list[str]:
        """The ids of the chunks a query matches (scroll, ids only): what a delete by filter deletes,
        by id, since the minimal distribution has no _delete_by_query."""
        from elasticsearch import helpers

        body = {"query": query, "_source": False}
        return [h["_id"] for h in helpers.scan(self.client, index=self._index, query=body, size=SCAN_BATCH * 4)]

    def _delete_ids(self, ids: list[str], *, refresh: Any = False) -> int:
        """Delete chunks by id in bulk; returns how many existed."""
        from elasticsearch import helpers

        if not ids:
            return 0
        _ok, errors = helpers.bulk(self.client, ({"_op_type": "delete", "_id": i} for i in ids), index=self._index,
                                   refresh=refresh, raise_on_error=False, stats_only=False, chunk_size=BULK_DOCS * 4)
        missing = [e for e in errors if (e.get("delete") or {}).get("status") == 404]
        others = [e for e in errors if (e.get("delete") or {}).get("status") != 404]
        if others:
            raise DocumentStoreError(f"Failed to delete documents from Elasticsearch. Errors:\n{others[:5]}")
        return len(ids) - len(missing)

    # --- DocumentStore protocol, with the embedded store's semantics ------------------------

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE,
                        refresh: Any = "wait_for") -> int:
        """Write documents; ``DuplicatePolicy.NONE`` means FAIL. Inside ``transaction()`` the write
        is applied on commit (and the count returned is the number handed in)."""
        if not isinstance(documents, (list, tuple)) or any(not isinstance(d, Document) for d in documents):
            raise ValueError("Please provide a list of Documents.")
        documents = list(documents)
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        if policy == DuplicatePolicy.FAIL:
            ids = [d.id for d in documents]
            if len(set(ids)) != len(ids):
                dup = next(i for i in ids if ids.count(i) > 1)
                raise DuplicateDocumentError(f"ID '{dup}' already exists.")
        if not documents:
            return 0
        pending = self._pending()
        if pending is not None:
            pending.writes.append((documents, policy))
            return len(documents)
        written = self._bulk_write(documents, policy=policy, refresh=refresh)
        self._bump_generation()
        return written

    def delete_documents(self, document_ids: list[str], refresh: Any = "wait_for") -> None:
        if not document_ids:
            return
        pending = self._pending()
        if pending is not None:
            pending.delete_ids.extend(document_ids)
            return
        self._delete_ids(list(document_ids), refresh=refresh)
        self._bump_generation()

    def delete_by_filter(self, filters: dict[str, Any], refresh: bool = True) -> int:
        """Delete the documents matching the filter; returns how many match. Inside a transaction
        the delete runs on commit, after the transaction's new chunks are written."""
        pending = self._pending()
        if pending is not None:
            count = self.count_documents_by_filter(filters)
            pending.delete_filters.append(filters)
            return count
        deleted = self._delete_ids(self._ids_for_filter(filters), refresh=refresh)
        self._bump_generation()
        return deleted

    def delete_all_documents(self, recreate_index: bool = False, refresh: bool = True) -> None:
        pending = self._pending()
        if pending is not None:
            pending.delete_filters.append(None)
            return
        self._delete_ids(self._ids_matching(_MATCH_ALL), refresh=refresh)
        self._bump_generation()

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        if checked_in_python(filters):
            return sum(1 for _ in self.iter_documents(filters, return_embedding=False))
        return self.client.count(index=self._index, query={"bool": {"filter": [es_filter(filters)]}})["count"]

    def _ids_for_filter(self, filters: dict[str, Any] | None) -> list[str]:
        if checked_in_python(filters):
            return [d.id for d in self.iter_documents(filters, return_embedding=False)]
        return self._ids_matching({"bool": {"filter": [es_filter(filters)]}})

    def iter_documents(self, filters: dict[str, Any] | None = None, *, return_embedding: bool = True,
                       batch_size: int = SCAN_BATCH) -> Iterator[Document]:
        """Every matching document in index order, streamed with the scroll API (no 10,000 cap)."""
        from elasticsearch import helpers

        body: dict[str, Any] = {"query": {"bool": {"filter": [es_filter(filters)]}}}
        check = checked_in_python(filters)
        if not return_embedding:
            body["_source"] = {"excludes": ["embedding"]}
        for hit in helpers.scan(self.client, index=self._index, query=body, size=batch_size, preserve_order=False):
            hit.setdefault("_score", None)
            doc = self._deserialize_document(hit)
            if not check or _matches(filters, doc):
                yield doc

    def filter_documents(self, filters: dict[str, Any] | None = None, *, return_embedding: bool = True) -> list[Document]:
        """Documents matching the Haystack filter (index order)."""
        return [replace_score(d, None) for d in self.iter_documents(filters, return_embedding=return_embedding)]

    def get_documents_by_id(self, document_ids: list[str], *, return_embedding: bool = True) -> list[Document]:
        if not document_ids:
            return []
        found = {d.id: d for d in self.filter_documents({"field": "id", "operator": "in", "value": list(document_ids)},
                                                      return_embedding=return_embedding)}
        return [found[i] for i in document_ids if i in found]

    # --- search ----------------------------------------------------------------------------

    def _hits(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        return self.client.search(index=self._index, **body)["hits"]["hits"]

    def _document(self, hit: dict[str, Any], score: float | None) -> Document:
        doc = self._deserialize_document({**hit, "_source": dict(hit["_source"])})
        return replace_score(doc, score)

    def bm25_search(self, query: str, top_k: int = 10, filters: dict[str, Any] | None = None, *, expand: bool = True,
                    return_embedding: bool = False, fuzziness: str = "0", meta_fields: list[str] | None = None,
                    return_content: bool = True) -> list[Document]:
        """Best ``top_k`` chunks by BM25 (``Document.score``, higher is better) for the query's
        analysed terms, glossary-expanded with ``expand`` (as ``SQLiteDocumentStore.bm25_search``);
        ``meta_fields`` and ``return_content=False`` give light references (pipelines.stores.references)."""
        if not query or not query.strip() or top_k <= 0:
            return []
        body = bm25_query_body(query, top_k=top_k, filters=filters, expand=expand, fuzziness=fuzziness,
                               return_embedding=return_embedding, meta_fields=meta_fields,
                               return_content=return_content)
        if body is None:
            if filters:
                es_filter(filters)  # a bad filter is an error even when there is nothing to search
            return []
        return [self._document(h, h.get("_score")) for h in self._hits(body)]

    def embedding_search(self, query_embedding: Any, top_k: int = 10, filters: dict[str, Any] | None = None, *,
                         return_embedding: bool = False, num_candidates: int | None = None,
                         meta_fields: list[str] | None = None, return_content: bool = True) -> list[Document]:
        """Nearest ``top_k`` chunks; ``Document.score`` is the cosine similarity (Elasticsearch's
        ``(1 + cos) / 2`` score mapped back, so both backends report the same number)."""
        vector = [float(x) for x in (query_embedding.tolist() if hasattr(query_embedding, "tolist") else query_embedding)]
        if len(vector) != self.embedding_dim:
            raise ValueError(f"query embedding has {len(vector)} dimensions, the store's embeddings have {self.embedding_dim}")
        if top_k <= 0:
            return []
        body = knn_query_body(vector, top_k=top_k, filters=filters, num_candidates=num_candidates,
                              return_embedding=return_embedding, meta_fields=meta_fields,
                              return_content=return_content)
        return [self._document(h, 2.0 * h["_score"] - 1.0 if h.get("_score") is not None else None)
                for h in self._hits(body)]

    def matching_works(self, query: str, filters: dict[str, Any] | None = None, *, expand: bool = True,
                       key: str = "work_id", size: int = 10_000) -> list[tuple[str, float]]:
        """Every work (``meta[key]``) with a chunk the keyword query matches (the BM25 match set,
        as on the embedded store), with its best chunk's score, best first: one ``terms``
        aggregation over ``work_id`` with each bucket's best hit (``top_hits``). Its buckets are
        exact (a ``cardinality`` aggregation would only estimate); ``size`` bounds the works."""
        if not query or not query.strip():
            return []
        body = matching_works_body(query, filters=filters, expand=expand, key=key, size=size)
        if body is None:
            return []
        aggs = self.client.search(index=self._index, **body)["aggregations"]
        out = [(b["key"], float(b["best"]["hits"]["max_score"] or 0.0)) for b in aggs["works"]["buckets"]]
        return sorted(out, key=lambda x: (-x[1], x[0]))

    def matching_work_chunks(self, query: str, filters: dict[str, Any] | None = None, *, expand: bool = True,
                             key: str = "work_id", exclude=(), size: int = 10_000) -> list[Document]:
        """The best chunk of every matching work but those in ``exclude``, best first (as on the
        embedded store): the same aggregation, each bucket's ``top_hits`` returning its chunk."""
        if not query or not query.strip():
            return []
        body = matching_works_body(query, filters=filters, expand=expand, key=key, size=size)
        if body is None:
            return []
        body["aggs"]["works"]["aggs"]["best"]["top_hits"]["_source"] = {"excludes": ["embedding"]}
        skip = set(exclude)
        aggs = self.client.search(index=self._index, **body)["aggregations"]
        docs = [self._document(b["best"]["hits"]["hits"][0], b["best"]["hits"]["hits"][0].get("_score"))
                for b in aggs["works"]["buckets"] if b["key"] not in skip and b["best"]["hits"]["hits"]]
        return sorted(docs, key=lambda d: (-(d.score or 0.0), str(d.meta.get(key))))

    def facets(self, query: str | None = None, *, filters: dict[str, Any] | None = None,
               fields: dict[str, str] | None = None, size: int = 50) -> dict[str, list[dict[str, Any]]]:
        """``{facet: [{"value", "count"}]}``: regulations per value, from terms aggregations."""
        body = facets_body(query, filters=filters, fields=fields, size=size)
        aggs = self.client.search(index=self._index, **body)["aggregations"]
        return {name: [{"value": b["key"], "count": b["regulations"]["value"]} for b in agg["buckets"]]
                for name, agg in aggs.items()}

    # the integration's retrievers call these two
    def _bm25_retrieval(self, query: str, *, filters: dict[str, Any] | None = None, fuzziness: str = "0",
                        top_k: int = 10, scale_score: bool = False) -> list[Document]:
        # Like the embedded retriever: the glossary and the dictionary widen only what is not widened
        # yet (the Searcher expands in Python before retrieval, so its queries are searched without synonyms).
        widen = bool(analyzer.expansions(query) or analyzer.translations(query))
        docs = self.bm25_search(query, top_k=top_k, filters=filters, expand=widen, fuzziness=fuzziness)
        if scale_score:
            import math

            docs = [replace_score(d, 1 / (1 + math.exp(-(d.score or 0.0) / 8))) for d in docs]
        return docs

    def _embedding_retrieval(self, query_embedding: list[float], *, filters: dict[str, Any] | None = None,
                             top_k: int = 10, num_candidates: int | None = None) -> list[Document]:
        return self.embedding_search(query_embedding, top_k=top_k, filters=filters, num_candidates=num_candidates)

    # --- the works catalogue as the readers see it -------------------------------------------

    def work_reader(self) -> EsWorkReader:
        """Read-only access to ``<index>-works`` (any replica; the reindex source)."""
        return EsWorkReader(self)

    def work_rows(self) -> list[tuple]:
        """Every work as the embedded ``works`` table's row: (id, record JSON, regulation JSON,
        dimensions JSON, chunks, has_text, updated_at) — what search_api.kb reads into a Snapshot."""
        return [
            (w["id"], json.dumps(w.get("record") or {}, ensure_ascii=False),
             json.dumps(w["regulation"], ensure_ascii=False) if w.get("regulation") else None,
             json.dumps(w.get("dimensions") or {}, ensure_ascii=False), w.get("chunks") or 0,
             bool(w.get("has_text")), w.get("updated_at"))
            for w in self.work_reader().scan(include_regulation=True)
        ]


@component
class ElasticsearchBM25Retriever(_IntegrationBM25Retriever):
    """The integration's BM25 retriever with the embedded retriever's switches: ``expand_query``
    (``True`` widens the query with the glossary, in Python, pipelines.analysis.analyzer; ``False`` searches
    its analysed terms as they are: the Searcher's lookups, which expand phrase by phrase) and
    ``meta_fields`` / ``return_content`` (light references, pipelines.stores.references)."""

    def __init__(self, *, document_store: ElasticsearchStore, expand_query: bool = True,
                 meta_fields: list[str] | None = None, return_content: bool = True, **kwargs: Any) -> None:
        # explicit base calls: @component rebuilds the class, so zero-argument super() would fail
        _IntegrationBM25Retriever.__init__(self, document_store=document_store, **kwargs)
        self.expand_query = expand_query
        self.meta_fields = list(meta_fields) if meta_fields is not None else None
        self.return_content = return_content

    def to_dict(self) -> dict[str, Any]:
        data = _IntegrationBM25Retriever.to_dict(self)
        data["init_parameters"].update(expand_query=self.expand_query, meta_fields=self.meta_fields,
                                       return_content=self.return_content)
        return data

    @component.output_types(documents=list[Document])
    def run(self, query: str, filters: dict[str, Any] | None = None, top_k: int | None = None) -> dict[str, list[Document]]:
        filters = apply_filter_policy(self._filter_policy, self._filters, filters)
        docs = self._document_store.bm25_search(query, top_k=top_k or self._top_k, filters=filters,
                                                expand=self.expand_query, fuzziness=self._fuzziness,
                                                meta_fields=self.meta_fields, return_content=self.return_content)
        return {"documents": docs}

    @component.output_types(documents=list[Document])
    async def run_async(self, query: str, filters: dict[str, Any] | None = None,
                        top_k: int | None = None) -> dict[str, list[Document]]:
        return self.run(query, filters=filters, top_k=top_k)  # the store's search is synchronous


@component
class ElasticsearchEmbeddingRetriever(_IntegrationEmbeddingRetriever):
    """The integration's kNN retriever with ``meta_fields`` / ``return_content`` (light references)."""

    def __init__(self, *, document_store: ElasticsearchStore, meta_fields: list[str] | None = None,
                 return_content: bool = True, **kwargs: Any) -> None:
        _IntegrationEmbeddingRetriever.__init__(self, document_store=document_store, **kwargs)
        self.meta_fields = list(meta_fields) if meta_fields is not None else None
        self.return_content = return_content

    def to_dict(self) -> dict[str, Any]:
        data = _IntegrationEmbeddingRetriever.to_dict(self)
        data["init_parameters"].update(meta_fields=self.meta_fields, return_content=self.return_content)
        return data

    @component.output_types(documents=list[Document])
    def run(self, query_embedding: list[float], filters: dict[str, Any] | None = None,
            top_k: int | None = None) -> dict[str, list[Document]]:
        filters = apply_filter_policy(self._filter_policy, self._filters, filters)
        docs = self._document_store.embedding_search(query_embedding, top_k=top_k or self._top_k, filters=filters,
                                                     num_candidates=self._num_candidates,
                                                     meta_fields=self.meta_fields, return_content=self.return_content)
        return {"documents": docs}

    @component.output_types(documents=list[Document])
    async def run_async(self, query_embedding: list[float], filters: dict[str, Any] | None = None,
                        top_k: int | None = None) -> dict[str, list[Document]]:
        return self.run(query_embedding, filters=filters, top_k=top_k)


def _work_document(row: tuple) -> dict[str, Any]:
    """A works table row (id, record, regulation, dimensions, content_hash, chunks, has_text,
    updated_at; JSON as text) as a ``<index>-works`` document."""
    return {
        "id": row[0], "record": json.loads(row[1] or "{}"), "regulation": json.loads(row[2]) if row[2] else None,
        "dimensions": json.loads(row[3] or "{}"), "content_hash": row[4], "chunks": row[5] or 0,
        "has_text": bool(row[6]), "updated_at": row[7],
    }


def replace_score(doc: Document, score: float | None) -> Document:
    return dataclasses.replace(doc, score=score)


def _matches(filters: dict[str, Any], doc: Document) -> bool:
    try:
        return document_matches_filter(filters, doc)
    except FilterError:
        return False


class EsWorkReader:
    """``<index>-works`` read with the methods of ``pipelines.stores.works.WorkRepository`` that read."""

    def __init__(self, store: ElasticsearchStore):
        self.store = store
        self.index = store.index_name("works")

    def _get(self, work_id: str, fields: list[str] | None = None) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        try:
            return self.store.client.get(index=self.index, id=work_id, source_includes=fields)["_source"]
        except NotFoundError:
            return None

    def content_hash(self, work_id: str) -> str | None:
        doc = self._get(work_id, ["content_hash"])
        return doc.get("content_hash") if doc else None

    def get(self, work_id: str) -> dict[str, Any] | None:
        doc = self._get(work_id)
        return _work_view(doc) if doc else None

    def scan(self, *, include_regulation: bool = False) -> Iterator[dict[str, Any]]:
        from elasticsearch import helpers

        body: dict[str, Any] = {"query": _MATCH_ALL}
        if not include_regulation:
            body["_source"] = {"excludes": ["regulation"]}
        for hit in helpers.scan(self.store.client, index=self.index, query=body, size=SCAN_BATCH):
            yield hit["_source"]

    def all(self) -> list[dict[str, Any]]:
        return sorted((_work_view({**w, "regulation": None}) for w in self.scan()), key=lambda w: w["id"])

    def count(self) -> int:
        return self.store.client.count(index=self.index)["count"]


def _work_view(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"], "record": doc.get("record") or {}, "regulation": doc.get("regulation"),
        "dimensions": doc.get("dimensions") or {}, "chunks": doc.get("chunks") or 0,
        "has_text": bool(doc.get("has_text")), "updated_at": doc.get("updated_at"),
    }


def dry_run_definitions() -> dict[str, Any]:
    """What ``jdih es init --dry-run`` prints: the configured index names (from JDIH_ES_INDEX,
    JDIH_ES_SHARDS, JDIH_ES_REPLICAS; no URL needed) and each index's PUT body."""
    index = os.environ.get("JDIH_ES_INDEX") or DEFAULT_INDEX
    return {
        f"{alias}-v{SCHEMA_VERSION}": {"aliases": {alias: {"is_write_index": True}}, **definition}
        for alias, definition in all_definitions(index, shards=_env_int("JDIH_ES_SHARDS", 1),
                                                 replicas=_env_int("JDIH_ES_REPLICAS", 1)).items()
    }
