"""The `jdih` command: one entry point for parsing, ingesting, searching, evaluating and serving.

Each subcommand imports what it needs lazily, so `jdih parse` never loads torch.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PARSEABLE = {".pdf", ".txt", ".md"}


def _err(msg: str, code: int = 1) -> int:
    print(f"jdih: error: {msg}", file=sys.stderr)
    return code


def _iter_files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in PARSEABLE and f.name != "MANIFEST.md"))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return out


def cmd_parse(args: argparse.Namespace) -> int:
    from ingest.errors import IngestError
    from ingest.parser import parse_file

    if args.report:
        return _parse_report(args.report)
    if not args.file:
        return _err("give a FILE to parse, or --report DIR")
    try:
        reg = parse_file(args.file)
    except IngestError as exc:
        return _err(f"{args.file}: {exc} [{exc.code}]", 2)
    except FileNotFoundError as exc:
        return _err(str(exc), 2)
    if args.json:
        json.dump(reg.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(f"{reg.id}  {reg.jenis} Nomor {reg.nomor} Tahun {reg.tahun} tentang {reg.judul}")
        print(f"  menimbang: {len(reg.menimbang)}  mengingat: {len(reg.mengingat)}  articles: {len(reg.articles)}"
              f"  amendment items: {len(reg.amendments)}  relations: {len(reg.relations)}")
        for w in reg.warnings:
            print(f"  warning [{w.code}]" + (f" p.{w.page}" if w.page else "") + f": {w.message}")
    return 0


def _parse_report(directory: str) -> int:
    from ingest.errors import IngestError
    from ingest.parser import parse_file

    rows = []
    for f in _iter_files([directory]):
        if f.suffix.lower() not in (".pdf", ".md", ".txt") or f.name.endswith("-metadata.txt"):
            continue
        t0 = time.perf_counter()
        try:
            reg = parse_file(f)
            pages = reg.sources[0].pages if reg.sources else None
            rows.append((f.name, reg.id or "?", pages or "", len(reg.articles),
                         len(reg.amendments), len(reg.warnings),
                         time.perf_counter() - t0))
        except IngestError as exc:
            rows.append((f.name, f"error: {exc.code}", "", 0, 0, 1, time.perf_counter() - t0))
    print("| file | work | pages | articles | amendment items | warnings | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.2f} |")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.indexing.pipeline import ingest_paths

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return _err(f"no such file or directory: {', '.join(missing)}", 2)
    # folders go through as folders: regulations/ also brings its metadata-only catalogue records
    summary = ingest_paths([Path(p) for p in args.paths], progress=not args.quiet, force=args.force)
    print(summary.describe())
    return 1 if summary.failed else 0


def cmd_search(args: argparse.Namespace) -> int:
    from pipelines.search.query import get_searcher

    result = get_searcher().search(args.query, mode=args.mode, limit=args.limit)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not result["results"]:
        print("no results")
    for i, group in enumerate(result["results"], 1):
        reg = group["regulation"]
        print(f"{i}. {reg['id']}  {reg.get('judul') or ''}  [{reg.get('status')}]  score {group['score']:.4f}")
        for art in group["articles"]:
            where = f"Pasal {art['pasal']}" if art.get("pasal") else "(catalogue record)"
            print(f"   {where}: {art['plain_snippet']}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pipelines.search.evaluation import evaluate, format_report, load_questions

    questions = load_questions(args.questions)
    report = evaluate(questions, modes=args.modes.split(","))
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_report(report))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ingest.config import get_settings
    from pipelines.embedding.models import EmbeddingModelMismatch, configured_model, ensure_compatible
    from pipelines.stores.factory import open_store

    model = configured_model()
    try:  # a knowledge base another model embedded is refused now, not at the first query
        ensure_compatible(open_store(get_settings()), model)
    except EmbeddingModelMismatch as exc:
        return _err(str(exc), 2)
    if model.kind == "e5":
        from pipelines.embedding.e5 import e5_engine, onnx_model_path

        if e5_engine() == "onnx":  # made once from the packaged weights (~30 s), then reused
            print(f"embedding model: {model.name}, ONNX encoder {onnx_model_path()}", file=sys.stderr)

    from jdih_server.serving import serve

    serve(args.host, args.port, workers=args.workers)
    return 0


def cmd_es_init(args: argparse.Namespace) -> int:
    from pipelines.stores.elasticsearch import ElasticsearchStore, dry_run_definitions

    if args.dry_run:
        json.dump(dry_run_definitions(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    from ingest.config import get_settings

    try:
        store = ElasticsearchStore.from_env(get_settings().elasticsearch_url, control_db=get_settings().db_path,
                                            auto_create=False)
        created = store.init_indices()
        published = store.publish_works() if store.role == "writer" else 0
    except Exception as exc:  # noqa: BLE001 - unreachable cluster, bad credentials: one clear line
        return _err(f"elasticsearch: {exc}", 2)
    print(f"created {', '.join(created)}" if created else "all indices exist already")
    if published:
        print(f"published {published} work record(s) from {store.control_db}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    import dataclasses

    from ingest.config import get_settings
    from pipelines.indexing.reindex import ReindexError, reindex
    from pipelines.stores.factory import open_store

    settings = get_settings()
    if args.to is None:  # rebuild the configured store's search index from its stored records
        from pipelines.staff.transfer import rebuild_index

        rebuilt = rebuild_index(settings, progress=not args.quiet)
        print(rebuilt.describe())
        return 1 if rebuilt.failed else 0
    source_kind = "embedded" if args.to == "elasticsearch" else "elasticsearch"
    try:
        source = open_store(dataclasses.replace(settings, store=source_kind))
        target = open_store(dataclasses.replace(settings, store=args.to))
        summary = reindex(source, target, replace=args.replace, progress=not args.quiet)
    except (ReindexError, ValueError) as exc:
        return _err(str(exc), 2)
    print(summary.describe())
    return 0 if summary.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jdih", description="JDIH regulation knowledge base")
    sub = p.add_subparsers(dest="command", required=True)

    sp = sub.add_parser("parse", help="parse one regulation file (PDF, scanned PDF, .txt/.md)")
    sp.add_argument("file", nargs="?")
    sp.add_argument("--json", action="store_true", help="print the structured record as JSON")
    sp.add_argument("--report", metavar="DIR", help="parse every file under DIR and print a table")
    sp.set_defaults(func=cmd_parse)

    sp = sub.add_parser("ingest", help="parse, chunk, embed and store files or folders")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--force", action="store_true", help="re-ingest even when the source is unchanged")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_ingest)

    sp = sub.add_parser("search", help="search the knowledge base")
    sp.add_argument("query")
    sp.add_argument("--mode", choices=["bm25", "dense", "hybrid"], default="hybrid")
    sp.add_argument("--limit", type=int, default=10)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_search)

    sp = sub.add_parser("eval", help="retrieval evaluation on a question file")
    sp.add_argument("--questions", default="eval/dev-questions.jsonl")
    sp.add_argument("--modes", default="bm25,dense,hybrid")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("serve", help="serve the API and web pages")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--workers", type=int, default=None,
                    help="worker processes (default JDIH_WORKERS or 1); they share the memory-mapped indexes")
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("es", help="Elasticsearch backend: create the indices (settings + mappings)")
    es_sub = sp.add_subparsers(dest="es_command", required=True)
    ep = es_sub.add_parser("init", help="create the indices if missing (JDIH_STORE=elasticsearch, ELASTICSEARCH_URL)")
    ep.add_argument("--dry-run", action="store_true", help="print the index definitions as JSON; no server needed")
    ep.set_defaults(func=cmd_es_init)

    sp = sub.add_parser("reindex", help="rebuild the search index from the stored records, or move the "
                                          "knowledge base between the embedded store and Elasticsearch (--to)")
    sp.add_argument("--to", choices=["elasticsearch", "embedded"],
                    help="the target store; without it, the configured store's index is rebuilt in place")
    sp.add_argument("--replace", action="store_true", help="empty a non-empty target first")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=cmd_reindex)

    from jdih_cli.staff import add_parsers as add_staff_parsers  # token, export, import

    add_staff_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func is cmd_serve:  # before anything imports Haystack (and with it torch)
        from jdih_server.serving import prepare_process

        prepare_process()
    from pipelines.embedding.e5 import E5Unavailable
    from pipelines.embedding.models import EmbeddingModelMismatch

    try:
        return args.func(args)
    except (EmbeddingModelMismatch, E5Unavailable) as exc:  # one clear line, what to do included
        return _err(str(exc), 2)
    except KeyboardInterrupt:
        return _err("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
