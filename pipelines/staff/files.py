"""Original files, stored by content: ``JDIH_DATA_DIR/files/sha256/ab/cd/abcd...``.

A file's name on disk is its SHA-256, so a hostile upload name (``../../etc/passwd``,
``<script>.pdf``) is never used as a path; the name as given is kept only as data (cleaned by
:func:`safe_filename` before it goes into a Content-Disposition header). The same bytes are
stored once, whatever the number of works or versions that point at them, so download links
never break when a new version arrives.

    from pipelines.staff.files import FileStore
    fs = FileStore(settings.files_dir)
    sha = fs.put_path(Path("uu-11-2008-ite.pdf"))
    fs.path(sha).read_bytes()[:5]      # b'%PDF-'

The ``files`` table (same SQLite file as the store) records size, media type and first name.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    original_name TEXT,            -- as uploaded, cleaned; data only, never a path
    created_at TEXT NOT NULL
)
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)


def safe_filename(name: str | None, *, default: str = "dokumen", suffix: str | None = None) -> str:
    """A file name fit for display and Content-Disposition: the last path component, ASCII letters,
    digits, ``.-_`` only, no leading dots, at most 120 characters.

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename('<img src=x onerror=alert(1)>.pdf')
    'img-src-x-onerror-alert-1.pdf'
    >>> safe_filename("Perwal Nomor 9 Tahun 2022.PDF")
    'Perwal-Nomor-9-Tahun-2022.PDF'
    """
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:100]
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    if suffix and ext.lower() != suffix.lstrip(".").lower():
        ext = suffix.lstrip(".")
    stem = stem or default
    return f"{stem}.{ext}" if ext else stem


class FileStore:
    """Content-addressed files under ``root/sha256/``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not SHA256_RE.match(sha256 or ""):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file()
        except ValueError:
            return False

    def _tmpdir(self) -> Path:
        d = self.root / "tmp"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def spool(self, stream: BinaryIO, *, limit: int | None = None, suffix: str = "") -> tuple[Path, str, int]:
        """Copy a stream to a temporary file in this store, hashing it; returns (tmp path, sha256,
        size). Raises :class:`OverflowError` past ``limit`` bytes (the partial file is removed).
        ``suffix`` (".pdf", ".txt") is the type the client claimed: the loader checks it against
        the magic bytes."""
        h = hashlib.sha256()
        size = 0
        # the owner's pid in the name: a sweep at start-up removes what a dead process left
        fd, tmp = tempfile.mkstemp(dir=self._tmpdir(), prefix=f"upload-{os.getpid()}-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    size += len(block)
                    if limit is not None and size > limit:
                        raise OverflowError(size)
                    h.update(block)
                    out.write(block)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Path(tmp), h.hexdigest(), size

    def adopt(self, tmp: Path, sha256: str) -> Path:
        """Move a spooled file to its content address (atomic rename; a file already there wins)."""
        dest = self.path(sha256)
        if dest.exists():
            tmp.unlink(missing_ok=True)
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
        return dest

    def put_path(self, source: str | Path) -> str:
        """Copy a file in; returns its SHA-256."""
        with open(source, "rb") as fh:
            tmp, sha, _ = self.spool(fh)
        self.adopt(tmp, sha)
        return sha

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def all(self) -> list[str]:
        base = self.root / "sha256"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.glob("*/*/*") if SHA256_RE.match(p.name))

    def sweep(self, conn: sqlite3.Connection, *, stale_s: float = 3600) -> dict[str, list[str]]:
        """Remove what nothing owns: temporary files of processes that are gone (killed mid-upload,
        or older than ``stale_s``) and stored files that no ``files`` row, version or pending job
        holds (a job that failed on a full disk). Run inside a write transaction, so an upload of
        another process (which adopts its file and queues its job in one) is never half seen.
        Returns ``{"tmp": [names], "orphans": [sha256s]}``."""
        import time

        removed: dict[str, list[str]] = {"tmp": [], "orphans": []}
        tmpdir = self.root / "tmp"
        if tmpdir.is_dir():
            now = time.time()
            for p in tmpdir.iterdir():
                m = re.match(r"^(?:upload|job)-(\d+)-", p.name)
                try:
                    old = now - p.lstat().st_mtime > stale_s
                except FileNotFoundError:
                    continue
                dead = bool(m) and not pid_alive(int(m.group(1)))
                if p.name.startswith("upload-") and (dead or old or not m):
                    p.unlink(missing_ok=True)
                    removed["tmp"].append(p.name)
                elif p.name.startswith("job-") and p.is_symlink() and (old or not p.exists()):
                    p.unlink(missing_ok=True)
                    removed["tmp"].append(p.name)
        stored = self.all()
        if stored:
            ensure_schema(conn)
            held = {r[0] for r in conn.execute("SELECT sha256 FROM files")}
            for table, where in (("work_versions", "file_sha256 IS NOT NULL"),
                                 ("jobs", "file_sha256 IS NOT NULL AND state IN ('queued', 'running')")):
                try:
                    held |= {r[0] for r in conn.execute(f"SELECT file_sha256 FROM {table} WHERE {where}")}
                except sqlite3.OperationalError:  # table not made yet
                    pass
            for sha in stored:
                if sha not in held:
                    self.remove(sha)
                    removed["orphans"].append(sha)
        return removed

    def copy_to(self, sha256: str, dest_root: Path) -> None:
        dest = FileStore(dest_root).path(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(sha256), dest)


def is_storage_full(exc: BaseException | None) -> bool:
    """A full disk (or quota) anywhere in the exception's chain: ``OSError`` ENOSPC/EDQUOT or
    SQLite's "database or disk is full"."""
    import errno
    import sqlite3

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def pid_alive(pid: int) -> bool:
    """Whether a process of this host runs under ``pid`` (one owned by another user counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def register(conn: sqlite3.Connection, sha256: str, *, size: int, media_type: str, original_name: str | None,
             created_at: str) -> None:
    ensure_schema(conn)
    conn.execute("INSERT OR IGNORE INTO files (sha256, size, media_type, original_name, created_at) VALUES (?, ?, ?, ?, ?)",
                 (sha256, size, media_type, original_name, created_at))


def info(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    ensure_schema(conn)
    row = conn.execute("SELECT sha256, size, media_type, original_name, created_at FROM files WHERE sha256 = ?",
                       (sha256,)).fetchone()
    return dict(zip(("sha256", "size", "media_type", "original_name", "created_at"), row)) if row else None
