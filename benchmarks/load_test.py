"""Load test of GET /api/v1/search against a live server on 127.0.0.1, bounded in time.

Starts ``uvicorn --factory jdih_server.app:create_app`` on a free port over an ingested knowledge
base (rate limit off), warms it up, then drives it at increasing concurrency with the 36
development questions (eval/dev-questions.jsonl) in rotation, so no two consecutive
requests repeat a query. Uses ``wrk`` when installed (a C load generator: little CPU taken from
the server on a small machine), else an asyncio/httpx client.

Reports, per concurrency level: requests/s, p50/p95/p99 latency, errors (non-2xx or socket
errors); and the *sustained* figure: the highest requests/s of a level with p95 < 100 ms and
zero errors.

Usage::

    JDIH_DATA_DIR=/tmp/apitest .venv/bin/python benchmarks/load_test.py --duration 15 --mode hybrid
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


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, JDIH_RATE_LIMIT="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HAYSTACK_TELEMETRY_ENABLED="False")
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "jdih_server.app:create_app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
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
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    server = None
    base = args.url
    if not base:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port)
    try:
        wait_ready(base)
        paths = search_paths(load_queries(), args.mode)
        warm_up(base, paths)
        results = []
        for c in (int(x) for x in args.concurrency.split(",")):
            r = run_wrk(base, paths, c, args.duration) if tool == "wrk" else asyncio.run(
                _run_httpx(base, paths, c, args.duration))
            r["mode"] = args.mode
            results.append(r)
            print(f"mode={args.mode} c={c:>3}  {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                  f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  ({r['requests']} requests, {tool})",
                  file=sys.stderr)
        ok = [r for r in results if r["requests"] > 0 and r["p95_ms"] < P95_BUDGET_MS and r["errors"] == 0]
        best = max(ok, key=lambda r: r["rps"]) if ok else None
        summary = {"mode": args.mode, "levels": results, "sustained_rps": round(best["rps"], 1) if best else None,
                   "at_concurrency": best["concurrency"] if best else None, "cpus": os.cpu_count()}
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print(f"sustained: {summary['sustained_rps']} req/s with p95 < {P95_BUDGET_MS:.0f} ms and zero errors"
                  f" (concurrency {summary['at_concurrency']}, mode {args.mode}, {os.cpu_count()} CPUs)")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    raise SystemExit(main())
