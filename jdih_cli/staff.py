"""`jdih token ...`, `jdih export DIR`, `jdih import DIR`: thin handlers over pipelines/.

    jdih token create --role staff --name bagian-hukum-1   # prints the token once
    jdih token list
    jdih token revoke bagian-hukum-1                        # a name or an account id
    jdih export /backup/jdih-2025-01-31
    jdih import /backup/jdih-2025-01-31                     # into an empty JDIH_DATA_DIR; rebuilds the index
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys


def _err(msg: str, code: int = 1) -> int:
    print(f"jdih: error: {msg}", file=sys.stderr)
    return code


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in a container
        return "cli"


def cmd_token(args: argparse.Namespace) -> int:
    from ingest.config import get_settings
    from pipelines.staff.accounts import AccountError
    from pipelines.staff.control import ControlPlane

    control = ControlPlane.open(get_settings())
    try:
        if args.action == "create":
            with control.transaction():
                account, token = control.create_account(name=args.name, role=args.role, created_by=_actor(),
                                                        expires_in_days=args.expires_in_days)
                control.audit(actor=_actor(), action="token_create", after=account.to_dict())
            until = f"valid until {account.expires_at}" if account.expires_at else "valid until revoked"
            print(f"created {account.role} account {account.name!r} (id {account.id}), {until}; "
                  f"the token is shown once:", file=sys.stderr)
            print(token)
        elif args.action == "revoke":
            with control.transaction():
                done = control.revoke_account(args.name_or_id)
                for a in done:
                    control.audit(actor=_actor(), action="token_revoke",
                                  before={"id": a.id, "name": a.name, "role": a.role})
            for a in done:
                print(f"revoked {a.role} account {a.name!r} (id {a.id})")
        else:
            rows = control.accounts(include_revoked=args.all)
            if args.json:
                json.dump([a.to_dict() for a in rows], sys.stdout, ensure_ascii=False, indent=2)
                print()
            else:
                for a in rows:
                    if a.revoked_at:
                        state = f"revoked {a.revoked_at}"
                    elif a.expired:
                        state = f"expired {a.expires_at}"
                    else:
                        state = f"active until {a.expires_at}" if a.expires_at else "active"
                    print(f"{a.id}  {a.role:5}  {a.name:30}  created {a.created_at}  last used {a.last_used_at or '-'}  {state}")
    except AccountError as exc:
        return _err(str(exc), 2)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ingest.config import get_settings
    from pipelines.staff.transfer import TransferError, export_kb

    try:
        manifest = export_kb(get_settings(), args.dir)
    except TransferError as exc:
        return _err(str(exc), 2)
    counts = ", ".join(f"{k} {v}" for k, v in manifest["counts"].items())
    print(f"exported to {args.dir}: {counts}; {manifest['files_copied']} file(s)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ingest.config import get_settings
    from pipelines.staff.transfer import TransferError, import_kb

    try:
        out = import_kb(args.dir, get_settings(), reindex=not args.no_reindex, actor=_actor(), progress=not args.quiet)
    except TransferError as exc:
        return _err(str(exc), 2)
    print("imported: " + ", ".join(f"{k} {v}" for k, v in out["counts"].items()))
    if "rebuild" in out:
        print(out["rebuild"])
    return 0


def add_parsers(sub) -> None:
    from pathlib import Path

    from pipelines.staff.accounts import DEFAULT_EXPIRY_DAYS

    sp = sub.add_parser("token", help="create, list or revoke API tokens (staff, admin)")
    tsub = sp.add_subparsers(dest="action", required=True)
    c = tsub.add_parser("create", help="create an account and print its token once")
    c.add_argument("--role", choices=["staff", "admin"], required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--expires-in-days", type=int, default=DEFAULT_EXPIRY_DAYS, metavar="DAYS",
                   help="the token stops working after DAYS days (default 365; 0: never)")
    r = tsub.add_parser("revoke", help="revoke an account's token")
    r.add_argument("name_or_id")
    ls = tsub.add_parser("list", help="list accounts (never their tokens)")
    ls.add_argument("--all", action="store_true", help="include revoked accounts")
    ls.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_token)

    sp = sub.add_parser("export", help="export the whole knowledge base to a folder")
    sp.add_argument("dir", type=Path)
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("import", help="import an export into an empty knowledge base and rebuild the index")
    sp.add_argument("dir", type=Path)
    sp.add_argument("--no-reindex", action="store_true", help="load the tables and files only")
    sp.add_argument("--quiet", action="store_true")
    sp.set_defaults(func=cmd_import)
