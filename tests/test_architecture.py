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
