"""Both stores measured in ONE run (issue 12, item 6): the embedded SQLite store and Elasticsearch
on one live node.

1. the knowledge base of ``$JDIH_DATA_DIR`` (an ingested regulations/) is copied into a temporary
   directory and moved onto the node with ``jdih reindex --to elasticsearch`` (in place: the works
   rows stay in the copy's SQLite file, the chunks with their vectors go to the node): the real
   corpus's ingest throughput into the cluster without the embedding;
2. ``jdih eval --json`` on the dev set (eval/dev-questions.jsonl), once with JDIH_STORE=embedded and
   once with JDIH_STORE=elasticsearch, on that same knowledge base: every metric of every mode side
   by side, their difference, and the questions whose first relevant rank differs;
3. ``benchmarks/search_bench.py`` with ``--stores embedded,elasticsearch`` on the same node: N
   synthetic chunks built from the real ones (default 100,000), write time (= bulk ingest
   throughput into the cluster), p50/p95 of bm25, dense and hybrid, and the node's heap and RSS;
4. with ``--ingest``: ``ingest_paths(regulations/)`` (parse, chunk, tag, embed, write) into a fresh
   embedded directory and into a fresh index on the node.

The node is a local one (``pipelines.stores.es_local``: Elastic's minimal distribution, 512m
heap) started here and stopped at the end, or ``--es-url``.

Usage::

    JDIH_DATA_DIR=/tmp/kbfull .venv/bin/python benchmarks/store_compare.py --json > compare.json
    JDIH_DATA_DIR=/tmp/kbfull .venv/bin/python benchmarks/store_compare.py --chunks 20000 --ingest
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks import search_bench  # noqa: E402

INDEX = "compare-chunks"
TOLERANCE = 0.01


def _env(data_dir: Path, store: str, es_url: str, index: str = INDEX) -> dict[str, str]:
    return {**os.environ, "JDIH_DATA_DIR": str(data_dir), "JDIH_STORE": store, "ELASTICSEARCH_URL": es_url,
            "JDIH_ES_INDEX": index, "JDIH_ES_REPLICAS": "0", "PYTHONPATH": str(ROOT)}


def _jdih(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "jdih_cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"jdih {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def copy_kb(src: Path, dest: Path) -> None:
    """The SQLite file (by the backup API: consistent while others read it) and the files folder (a link)."""
    dest.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(src / "jdih.sqlite3")) as a, \
            contextlib.closing(sqlite3.connect(dest / "jdih.sqlite3")) as b:
        a.backup(b)
    if (src / "files").exists():
        (dest / "files").symlink_to((src / "files").resolve(), target_is_directory=True)


def move_to_node(kb: Path, es_url: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    out = _jdih(["reindex", "--to", "elasticsearch", "--quiet"], _env(kb, "elasticsearch", es_url)).stdout
    wall = time.perf_counter() - t0
    m = re.search(r"copied (\d+) work\(s\), (\d+) chunks in ([\d.]+) s; count check OK", out)
    if not m:
        raise SystemExit(f"jdih reindex --to elasticsearch: {out}")
    works, chunks, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
    return {"works": works, "chunks": chunks, "seconds": seconds, "chunks_per_s": round(chunks / seconds, 1),
            "command_s": round(wall, 1), "summary": out.strip()}


def evaluate_both(kb: Path, es_url: str) -> dict[str, Any]:
    reports = {}
    for store in ("embedded", "elasticsearch"):
        t0 = time.perf_counter()
        reports[store] = json.loads(_jdih(["eval", "--json"], _env(kb, store, es_url)).stdout)
        reports[store]["seconds"] = round(time.perf_counter() - t0, 1)
    e, x = reports["embedded"], reports["elasticsearch"]
    diff = {mode: {k: round(x["modes"][mode][k] - v, 4) for k, v in vals.items()} for mode, vals in e["modes"].items()}
    differing = []
    for qid, modes in e["per_question"].items():
        for mode, got in modes.items():
            other = x["per_question"].get(qid, {}).get(mode, {})
            if got.get("first_relevant_rank") != other.get("first_relevant_rank"):
                differing.append({"id": qid, "mode": mode, "embedded": got.get("first_relevant_rank"),
                                  "elasticsearch": other.get("first_relevant_rank"),
                                  "top5_embedded": got.get("top5"), "top5_elasticsearch": other.get("top5")})
    same_top5 = {mode: sum(1 for qid in e["per_question"]
                           if e["per_question"][qid][mode]["top5"] == x["per_question"].get(qid, {}).get(mode, {}).get("top5"))
                 for mode in e["modes"]}
    worst = max((abs(v) for m in diff.values() for v in m.values()), default=0.0)
    return {"questions": e["questions"], "embedded": e["modes"], "elasticsearch": x["modes"], "difference": diff,
            "max_abs_difference": round(worst, 4), "within_tolerance": worst <= TOLERANCE,
            "same_top5": same_top5, "differing_first_rank": differing,
            "seconds": {"embedded": e["seconds"], "elasticsearch": x["seconds"]}}


def ingest_both(tmp: Path, es_url: str) -> dict[str, Any]:
    """`jdih ingest regulations/` into a fresh directory on each store."""
    out = {}
    for store in ("embedded", "elasticsearch"):
        data = tmp / f"ingest-{store}"
        t0 = time.perf_counter()
        text = _jdih(["ingest", "regulations/", "--quiet"], _env(data, store, es_url, index="compare-ingest")).stdout
        wall = time.perf_counter() - t0
        m = re.search(r"indexed (\d+) work\(s\), (\d+) chunks; .*failed (\d+); ([\d.]+) s", text)
        works, chunks, failed, seconds = (int(m.group(1)), int(m.group(2)), int(m.group(3)), float(m.group(4))) if m \
            else (None, None, None, wall)
        out[store] = {"works": works, "chunks": chunks, "failed": failed, "seconds": seconds,
                      "chunks_per_s": round(chunks / seconds, 1) if chunks else None, "summary": text.strip()[-300:]}
    return out


def run(args) -> dict[str, Any]:
    from pipelines.stores.es_local import LocalNode, node_stats, node_version

    src = Path(args.kb or os.environ.get("JDIH_DATA_DIR") or "data")
    if not (src / "jdih.sqlite3").is_file():
        raise SystemExit(f"{src}/jdih.sqlite3: no knowledge base (JDIH_DATA_DIR=... jdih ingest regulations/ first)")
    result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                              "loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    with contextlib.ExitStack() as stack:
        node = None
        es_url = args.es_url
        if not es_url:
            node = stack.enter_context(LocalNode())
            es_url = node.url
        result["elasticsearch"] = {"version": node_version(es_url), "heap": node.heap if node else None}
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="store-compare-")))
        kb = tmp / "kb"
        copy_kb(src, kb)
        print("[1/4] jdih reindex --to elasticsearch", file=sys.stderr, flush=True)
        result["reindex_to_node"] = move_to_node(kb, es_url)
        print("[2/4] jdih eval on both stores", file=sys.stderr, flush=True)
        result["eval"] = evaluate_both(kb, es_url)
        result["node_after_eval"] = _mb(node_stats(es_url, node.process if node else None))
        if args.chunks:
            print(f"[3/4] search benchmark, {args.chunks} chunks", file=sys.stderr, flush=True)
            result["search"] = search_bench.run(args.chunks, args.queries, kb / "jdih.sqlite3",
                                                ("embedded", "elasticsearch"), args.torch_threads, es_url)
        if args.ingest:
            print("[4/4] jdih ingest regulations/ on both stores", file=sys.stderr, flush=True)
            result["ingest"] = ingest_both(tmp, es_url)
        result["node_at_end"] = _mb(node_stats(es_url, node.process if node else None))
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"] = search_bench.machine()
    return result


def _mb(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v / 2**20, 1) if isinstance(v, (int, float)) else v for k, v in stats.items()}


def tables(r: dict[str, Any]) -> str:
    ev = r["eval"]
    lines = [f"{r['date']}; Elasticsearch {r['elasticsearch']['version']}; load average before "
             f"{r['loadavg_before']}, after {r['loadavg_after']}", "",
             f"jdih eval, {ev['questions']} questions (embedded / elasticsearch / difference):", "",
             "| mode | " + " | ".join(next(iter(ev["embedded"].values()))) + " |",
             "|---|" + "---|" * len(next(iter(ev["embedded"].values())))]
    for mode, vals in ev["embedded"].items():
        cells = [f"{v:.3f} / {ev['elasticsearch'][mode][k]:.3f} / {ev['difference'][mode][k]:+.3f}" for k, v in vals.items()]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    lines.append(f"max |difference| {ev['max_abs_difference']} (tolerance {TOLERANCE}); same top 5: {ev['same_top5']}")
    for d in ev["differing_first_rank"]:
        lines.append(f"  {d['id']} {d['mode']}: first relevant rank {d['embedded']} embedded, {d['elasticsearch']} elasticsearch")
    rt = r["reindex_to_node"]
    lines += ["", f"jdih reindex --to elasticsearch: {rt['works']} works, {rt['chunks']} chunks in {rt['seconds']} s "
              f"= {rt['chunks_per_s']} chunks/s"]
    if "search" in r:
        lines += ["", search_bench.table(r["search"])]
    if "ingest" in r:
        for store, v in r["ingest"].items():
            lines.append(f"jdih ingest regulations/ on {store}: {v['works']} works, {v['chunks']} chunks in {v['seconds']} s "
                         f"= {v['chunks_per_s']} chunks/s")
    lines.append(f"node at the end: {r['node_at_end']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kb", default=None, help="the ingested data directory (default $JDIH_DATA_DIR)")
    ap.add_argument("--es-url", default=None, help="a running node (default: a local one started here)")
    ap.add_argument("--chunks", type=int, default=100_000, help="search benchmark corpus size (0: no benchmark)")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--ingest", action="store_true", help="also time jdih ingest regulations/ on both stores")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args)
    print(json.dumps(result, ensure_ascii=False) if args.json else tables(result))
    if args.json:
        print(tables(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
