"""Load test of GET /api/v1/search against a live server on 127.0.0.1, bounded in time.

Starts ``uvicorn --factory jdih_server.app:create_app`` on a free port over an ingested knowledge
base (rate limit off), warms it up, then drives it at increasing concurrency with the 36
development questions (eval/dev-questions.jsonl) in rotation, so no two consecutive
requests repeat a query. Uses ``wrk`` when installed (a C load generator: little CPU taken from
the server on a small machine), else an asyncio/httpx client.

Reports, per concurrency level: requests/s, p50/p95/p99 latency, errors (non-2xx or socket
errors), the load average (1 min) before and after the level; and the *sustained* figure: the
highest requests/s of a level with p95 < 100 ms and zero errors.

``--workers 1,2,4`` runs the whole test once per worker count, each on a fresh server started as
``jdih serve --workers N`` does (jdih_server.serving: N uvicorn processes on one port), and
reports the memory of each worker process after the run: RSS, PSS (resident pages divided by
the number of processes sharing them: what a worker really costs) and USS (its private pages),
from /proc/<pid>/smaps_rollup. ``JDIH_SHARED_INDEXES=0 JDIH_SERVE_WITHOUT_TORCH=0`` in the
environment give the state before issue 17 item 11 (every worker builds its own copy of the
store's indexes and imports torch), for comparison.

Usage::

    JDIH_DATA_DIR=/tmp/apitest .venv/bin/python benchmarks/load_test.py --duration 15 --mode hybrid
    JDIH_DATA_DIR=/tmp/apitest .venv/bin/python benchmarks/load_test.py --workers 1,2,4 --concurrency 1,2,4,8
    .venv/bin/python benchmarks/load_test.py --url http://127.0.0.1:8000 --concurrency 1,2,4
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
P95_BUDGET_MS = 100.0


def load_queries() -> list[str]:
    for path in (ROOT / "eval" / "dev-questions.jsonl",):
        if path.exists():
            return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    raise SystemExit("eval/dev-questions.jsonl not found")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int = 1) -> subprocess.Popen:
    env = dict(os.environ, JDIH_RATE_LIMIT="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HAYSTACK_TELEMETRY_ENABLED="False")
    # `jdih serve`: the product's uvicorn options (jdih_server.serving), N worker processes
    cmd = [sys.executable, "-m", "jdih_cli.main", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    # the app's JSON access log is written (it is part of the cost) but discarded; never a PIPE
    # nobody reads: a full pipe would block the server
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server at {base} not ready after {timeout:.0f} s (is the knowledge base ingested?)")


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out.extend(int(c) for c in children)
        todo.extend(int(c) for c in children)
    return out


def process_memory(pid: int) -> dict | None:
    """RSS, PSS and USS (MiB) of one process, from /proc/<pid>/smaps_rollup."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])  # kB
    except (OSError, ValueError):
        return None
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"pid": pid, "rss_mib": round(fields.get("Rss", 0) / 1024, 1), "pss_mib": round(fields.get("Pss", 0) / 1024, 1),
            "uss_mib": round(uss / 1024, 1), "cmd": cmdline[:80]}


def worker_memory(server: subprocess.Popen) -> list[dict]:
    """The memory of the processes that serve requests: the server itself when it runs one worker,
    else its worker children (not uvicorn's supervisor, not multiprocessing's resource tracker)."""
    found = [process_memory(p) for p in _descendants(server.pid)]
    workers = [m for m in found if m and "resource_tracker" not in m["cmd"]]
    if not workers:
        only = process_memory(server.pid)
        workers = [only] if only else []
    return workers


def warm_workers(base: str, paths: list[str], workers: int) -> None:
    """Every worker sees every query (each has its own model and query-embedding cache): the
    queries sent several times over with as many connections as there are workers."""
    if workers <= 1:
        warm_up(base, paths)
        return
    from concurrent.futures import ThreadPoolExecutor

    def get(p):
        with urllib.request.urlopen(base + p, timeout=120) as r:
            r.read()

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(get, paths * (2 * workers)))


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def search_paths(queries: list[str], mode: str) -> list[str]:
    return ["/api/v1/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "limit": 10}) for q in queries]


def warm_up(base: str, paths: list[str]) -> None:
    for p in paths:  # every query once: the model is loaded and every code path has run
        with urllib.request.urlopen(base + p, timeout=60) as r:
            r.read()


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def run_wrk(base: str, paths: list[str], concurrency: int, duration: int) -> dict:
    lua = WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{duration}s", "--timeout", "2s", "-s", f.name, base],
                             capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    r = json.loads(line[len("WRKJSON "):])
    secs = r["duration_us"] / 1e6
    return {"concurrency": concurrency, "requests": r["requests"], "rps": r["requests"] / secs,
            "p50_ms": r["p50"] / 1000, "p95_ms": r["p95"] / 1000, "p99_ms": r["p99"] / 1000,
            "errors": r["errors"], "tool": "wrk"}


async def _run_httpx(base: str, paths: list[str], concurrency: int, duration: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = 0
    stop = time.monotonic() + duration

    async def worker(client):
        nonlocal errors, counter
        while time.monotonic() < stop:
            path = paths[counter % len(paths)]
            counter += 1
            t0 = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    secs = time.monotonic() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"concurrency": concurrency, "requests": len(latencies), "rps": len(latencies) / secs,
            "p50_ms": q[49], "p95_ms": q[94], "p99_ms": q[98], "errors": errors, "tool": "httpx"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="test a running server instead of starting one")
    ap.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    ap.add_argument("--concurrency", default="1,2,4,8", help="comma-separated connection counts")
    ap.add_argument("--duration", type=int, default=15, help="seconds per level")
    ap.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--workers", default="1",
                    help="comma-separated worker process counts: one fresh server (jdih serve --workers N) each")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    runs = []
    for workers in ([None] if args.url else [int(x) for x in args.workers.split(",")]):
        runs.append(run_server(args, tool, workers))
    report = runs[0] if len(runs) == 1 else {"runs": runs, "cpus": os.cpu_count(), "mode": args.mode,
                                             "shared_indexes": os.environ.get("JDIH_SHARED_INDEXES", "1")}
    if args.json:
        print(json.dumps(report, indent=2))
    for summary in runs:
        print(f"workers={summary['workers']}: sustained {summary['sustained_rps']} req/s with p95 < "
              f"{P95_BUDGET_MS:.0f} ms and zero errors (concurrency {summary['at_concurrency']}, mode {args.mode}, "
              f"{os.cpu_count()} CPUs); memory per worker: "
              + ", ".join(f"RSS {m['rss_mib']} / PSS {m['pss_mib']} / USS {m['uss_mib']} MiB" for m in summary["memory"]),
              file=sys.stderr if args.json else sys.stdout)
    return 0


def run_server(args, tool: str, workers: int | None) -> dict:
    """One server (``workers`` processes; None: the running one at --url) through every level."""
    server = None
    base = args.url
    if not base:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, workers)
    try:
        wait_ready(base)
        paths = search_paths(load_queries(), args.mode)
        warm_workers(base, paths, workers or 1)
        results = []
        for c in (int(x) for x in args.concurrency.split(",")):
            before = loadavg()
            r = run_wrk(base, paths, c, args.duration) if tool == "wrk" else asyncio.run(
                _run_httpx(base, paths, c, args.duration))
            r.update(mode=args.mode, workers=workers, load_before=before, load_after=loadavg())
            results.append(r)
            print(f"workers={workers} mode={args.mode} c={c:>3}  {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                  f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  "
                  f"load {before}->{r['load_after']}  ({r['requests']} requests, {tool})", file=sys.stderr)
        memory = worker_memory(server) if server is not None else []
        ok = [r for r in results if r["requests"] > 0 and r["p95_ms"] < P95_BUDGET_MS and r["errors"] == 0]
        best = max(ok, key=lambda r: r["rps"]) if ok else None
        return {"mode": args.mode, "workers": workers, "levels": results,
                "sustained_rps": round(best["rps"], 1) if best else None,
                "at_concurrency": best["concurrency"] if best else None, "cpus": os.cpu_count(),
                "memory": memory, "shared_indexes": os.environ.get("JDIH_SHARED_INDEXES", "1")}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    raise SystemExit(main())
