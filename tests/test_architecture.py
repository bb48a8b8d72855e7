"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml,
[tool.importlinter]) over the project's packages, so an upward import fails the suite."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    return subprocess.run([str(exe), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: a module of pipelines importing the API breaks the layers contract."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    pkg = tmp_path / "lower"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import upper\n")  # the lower layer imports the upper one
    (tmp_path / "upper").mkdir()
    (tmp_path / "upper" / "__init__.py").write_text("")
    (tmp_path / ".importlinter").write_text("[importlinter]\nroot_packages =\n    lower\n    upper\n\n"
                                            "[importlinter:contract:layers]\nname = layers\ntype = layers\n"
                                            "layers =\n    upper\n    lower\n")
    result = subprocess.run([str(exe), "--no-cache"], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(tmp_path)),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "BROKEN" in result.stdout


# --- the control plane: nothing above pipelines holds a SQLite connection -------------------------

ABOVE_PIPELINES = ("search_api", "frontend", "jdih_cli", "jdih_server")


def connection_uses(source: str) -> list[str]:
    """What in ``source`` touches a SQLite connection directly: an import of sqlite3, a call of a
    store's ``control()`` or ``_conn()`` (the code above pipelines uses pipelines.staff.control)."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlite3" for a in node.names):
            found.append(f"line {node.lineno}: import sqlite3")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlite3":
            found.append(f"line {node.lineno}: from sqlite3 import")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("control", "_conn")):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return sorted(found)


def test_connection_uses_are_found():
    source = "import sqlite3\nfrom sqlite3 import Row\ndef f(kb):\n    return kb.store.control().execute('x'), kb.store._conn()\n"
    assert connection_uses(source) == ["line 1: import sqlite3", "line 2: from sqlite3 import",
                                       "line 4: ._conn()", "line 4: .control()"]
    assert connection_uses("def f(kb):\n    return kb.control.versions('uu-1-2022')\n") == []


def test_nothing_above_pipelines_touches_a_sqlite_connection():
    offenders = {str(p.relative_to(ROOT)): uses for pkg in ABOVE_PIPELINES for p in sorted((ROOT / pkg).rglob("*.py"))
                 if (uses := connection_uses(p.read_text(encoding="utf-8")))}
    assert offenders == {}
