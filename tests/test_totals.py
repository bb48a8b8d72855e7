"""``total`` and the facets of /api/v1/search count every regulation that matches the query and
the filters (not the retrievers' candidates), and stay the same on every page of a cursor."""
from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(ingested_settings):
    from jdih_server.app import create_app

    with TestClient(create_app(ingested_settings, rate_limit="0")) as c:
        yield c


def full_scan(settings, query: str, *, as_shown: bool = False) -> set[str]:
    """The regulations with a chunk that holds an analysed query term, by reading every chunk.
    ``as_shown``: an article an amendment enacts is shown as in force under the work it amends
    (search_api.consolidated), so such a chunk counts for that work when the knowledge base holds it."""
    import json

    from pipelines.analysis.analyzer import analyze, analyze_query

    terms = set(analyze_query(query, expand=True))
    found = set()
    with sqlite3.connect(settings.db_path) as conn:
        works = {r[0] for r in conn.execute("SELECT id FROM works")}
        for content, meta in conn.execute("SELECT content, meta FROM documents"):
            meta = json.loads(meta)
            text = " ".join([content or "", str(meta.get("breadcrumb") or "")])
            if terms & set(analyze(text)):
                amended = meta.get("amends") if as_shown and meta.get("kind") == "amendment" and meta.get("pasal") else None
                found.add(amended if amended in works else meta["work_id"])
    return found


def pages(client, **params):
    out, cursor = [], None
    while True:
        r = client.get("/api/v1/search", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        out.append(body)
        cursor = body["next_cursor"]
        if not cursor:
            return out


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_paging_through_gives_every_match_once_with_the_same_total_and_facets(client, mode):
    got = pages(client, q="pusat data", mode=mode, limit=3)
    total = got[0]["total"]
    ids = [r["regulation"]["id"] for page in got for r in page["results"]]
    assert len(got) == -(-total // 3) > 3  # more matches than the retrievers' first page of candidates
    assert all(p["total"] == total and p["facets"] == got[0]["facets"] for p in got)
    assert len(ids) == len(set(ids)) == total
    assert sum(f["count"] for f in got[0]["facets"]["status"]) == total


def test_total_is_the_number_of_regulations_a_full_scan_finds(client, ingested_settings):
    from pipelines.search.query import get_searcher
    from search_api.kb import KnowledgeBase

    searcher = get_searcher(ingested_settings)
    snap = KnowledgeBase(ingested_settings).snapshot()
    for q in ("pusat data", "retribusi parkir", "Komisi Informasi", "tarif rawat jalan"):
        # the store counts exactly the works a scan of every chunk finds
        assert {w for w, _ in searcher.matching_regulations(q)} == full_scan(ingested_settings, q), q
        body = client.get("/api/v1/search", params={"q": q, "mode": "bm25", "limit": 1}).json()
        shown = full_scan(ingested_settings, q, as_shown=True)
        listed = {r["regulation"]["id"] for p in pages(client, q=q, mode="bm25", limit=50) for r in p["results"]}
        assert body["total"] == len(listed) and listed <= shown, q
        # what is not listed is an amending work whose matching articles are shown, as in force,
        # in the work they amend (or no longer in force: search_api.consolidated)
        for work_id in shown - listed:
            assert snap.get(work_id).regulation.get("amendments") or any(
                r.type == "mengubah" for r in snap.graph.outgoing(work_id)), (q, work_id)
    assert body["total"] > 1
    for q in ("pusat data", "retribusi parkir"):
        body = client.get("/api/v1/search", params={"q": q, "mode": "bm25", "limit": 1}).json()
        assert body["total"] == len(full_scan(ingested_settings, q, as_shown=True)), q
    # hybrid may rank a dense-only neighbour too: every keyword match is still in, and counted
    body = client.get("/api/v1/search", params={"q": "pusat data", "limit": 50}).json()
    assert full_scan(ingested_settings, "pusat data", as_shown=True) <= {r["regulation"]["id"] for r in body["results"]}
    assert body["total"] == len(body["results"])


def test_filtered_totals_and_facets_count_the_filtered_matches(client, ingested_settings):
    every = client.get("/api/v1/search", params={"q": "pusat data", "mode": "bm25", "limit": 100}).json()
    uu = client.get("/api/v1/search", params={"q": "pusat data", "mode": "bm25", "jenis": "uu", "limit": 100}).json()
    expected = {r["regulation"]["id"] for r in every["results"] if r["regulation"]["jenis_code"] == "uu"}
    assert {r["regulation"]["id"] for r in uu["results"]} == expected and uu["total"] == len(expected) > 0
    assert uu["facets"]["jenis"] == [{"value": "uu", "count": len(expected)}]
    by_jenis = {f["value"]: f["count"] for f in every["facets"]["jenis"]}
    assert by_jenis["uu"] == uu["total"]


def test_the_embedded_store_gives_the_best_chunk_of_every_matching_work(ingested_settings):
    from pipelines.search.query import get_searcher

    store = get_searcher(ingested_settings).store
    works = store.matching_works("retribusi parkir")
    chunks = store.matching_work_chunks("retribusi parkir", exclude=[works[0][0]])
    assert [d.meta["work_id"] for d in chunks] == [w for w, _ in works[1:]]
    everything = store.bm25_search("retribusi parkir", top_k=100_000)
    for d in chunks:  # the best-scoring chunk of its work, as a full scan of BM25 ranks them
        best = max((x for x in everything if x.meta["work_id"] == d.meta["work_id"]), key=lambda x: x.score)
        assert d.score == pytest.approx(best.score) and d.content
