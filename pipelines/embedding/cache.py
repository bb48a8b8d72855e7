"""Where models made on first use are kept: ``JDIH_MODEL_CACHE`` (default ``$XDG_CACHE_HOME/jdih``
or ``~/.cache/jdih``), falling back to a per-user directory under the system's temporary
directory when that is not writable. Files are written to a temporary name and renamed, so
concurrent first uses are safe; a file that does not load is removed and made again."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """``JDIH_MODEL_CACHE``, else the XDG cache, else ``~/.cache/jdih``."""
    raw = os.environ.get("JDIH_MODEL_CACHE", "").strip()
    if raw:
        return Path(raw)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "jdih"


def fallback_dir() -> Path:
    """Where made models go when ``cache_dir()`` is not writable."""
    return Path(tempfile.gettempdir()) / f"jdih-models-{os.getuid()}"


def writable(directory: Path) -> Path:
    """``directory`` made if need be, or a per-user temporary directory when it is read-only."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-", delete=True)
        probe.close()
        return directory
    except OSError:
        from haystack import logging  # here, not at import: `jdih serve` reads cache_dir() before haystack loads

        fallback = fallback_dir()
        fallback.mkdir(parents=True, exist_ok=True)
        logging.getLogger(__name__).warning("{directory} is not writable; keeping made models in {fallback}",
                       directory=directory, fallback=fallback)
        return fallback
