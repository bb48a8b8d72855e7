"""Search indexes shared by every process of one knowledge base: memory-mapped ``.npy`` files.

The embedded store (pipelines.stores.sqlite) derives read-only indexes from its SQLite rows once
per ``generation``: the dense matrix (rids + unit float32 vectors) and the BM25 postings (rids,
term offsets, rows, weights, the vocabulary). Built in every worker process, each would hold its
own copy; instead the first process to need a generation's index builds it from the rows and
writes it here, and every process opens the same files with ``numpy.load(mmap_mode="r")``, so the
pages are the operating system's page cache, shared (one copy in memory however many workers).

Layout, next to the SQLite file ``jdih.sqlite3``::

    jdih.sqlite3.indexes/
        .vectors.lock                      flock: one process builds a kind at a time
        vectors-g42-5f3a...-v1/            one directory per kind and key
            meta.json                      {"format", "kind", "key", "arrays": {name: shape, dtype, crc32}}
            rids.npy  matrix.npy
        bm25-g42-5f3a...-v1k1.2b0.75i1e-06/ ...

- **The SQLite rows stay the source of truth.** The key of a set is the store's ``generation``
  counter plus a random ``token`` replaced by every write (so a restored backup whose counter
  repeats a number never meets a set built from other rows) plus the build's recipe
  (``SHARED_RECIPES`` in pipelines.stores.sqlite: a release that builds differently never opens an
  older release's set); a process only ever opens the set of the generation it reads in its own
  snapshot.
- **Atomic.** A set is written into a temporary directory (each file fsynced), then renamed into
  place (``os.replace``) and the parent fsynced: a reader sees the whole set or none.
- **Checked.** ``meta.json`` must name this kind and key and each array its shape, dtype and
  CRC-32; anything else (a stale set, a truncated or altered file) is ignored, removed and
  rebuilt from the rows, with a warning.
- **Pruned.** After a build, the sets of older generations are removed (a process that still maps
  one keeps its pages until it moves on: unlinking a mapped file is safe).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from haystack import logging

logger = logging.getLogger(__name__)

FORMAT = 1


def _crc(a: np.ndarray) -> int:
    return zlib.crc32(memoryview(np.ascontiguousarray(a)).cast("B"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class IndexFiles:
    """The shared index sets of one SQLite file (``<file>.indexes/``)."""

    def __init__(self, db_path: Path) -> None:
        self.root = db_path.parent / f"{db_path.name}.indexes"

    def path(self, kind: str, key: str) -> Path:
        return self.root / f"{kind}-{key}"

    @contextmanager
    def lock(self, kind: str) -> Iterator[None]:
        """One builder of ``kind`` at a time across processes (the others wait, then map its set)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f".{kind}.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays of the set ``kind``/``key``, memory-mapped read-only; None when there is no
        such set or it fails its checks (then it is removed)."""
        where = self.path(kind, key)
        if not where.is_dir():
            return None
        try:
            meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
            if (meta.get("format"), meta.get("kind"), meta.get("key")) != (FORMAT, kind, key):
                raise ValueError(f"meta.json names {meta.get('kind')}/{meta.get('key')} (format {meta.get('format')})")
            arrays = {}
            for name, info in meta["arrays"].items():
                a = np.load(where / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                if list(a.shape) != info["shape"] or a.dtype.str != info["dtype"]:
                    raise ValueError(f"{name}.npy is {a.dtype.str} {list(a.shape)}, meta.json says "
                                     f"{info['dtype']} {info['shape']}")
                if _crc(a) != info["crc32"]:
                    raise ValueError(f"{name}.npy fails its CRC-32")
                arrays[name] = a
            return arrays
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("ignoring the shared index {path} ({error}); rebuilding it from the rows",
                           path=str(where), error=str(exc))
            self.discard(where)
            return None

    def save(self, kind: str, key: str, arrays: dict[str, np.ndarray]) -> bool:
        """Write a set atomically (call under ``lock(kind)``); False (nothing written) when an
        array is empty (numpy cannot map an empty file; an empty index costs nothing anyway)."""
        if any(a.size == 0 for a in arrays.values()):
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{kind}-", dir=self.root))
        os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the set from workers running as another user
        try:
            meta = {"format": FORMAT, "kind": kind, "key": key, "arrays": {}}
            for name, a in arrays.items():
                a = np.ascontiguousarray(a)
                with open(tmp / f"{name}.npy", "wb") as fh:
                    np.save(fh, a, allow_pickle=False)
                    fh.flush()
                    os.fsync(fh.fileno())
                meta["arrays"][name] = {"shape": list(a.shape), "dtype": a.dtype.str, "crc32": _crc(a)}
            with open(tmp / "meta.json", "w", encoding="utf-8") as fh:
                json.dump(meta, fh)
                fh.flush()
                os.fsync(fh.fileno())
            _fsync_dir(tmp)
            target = self.path(kind, key)
            if target.exists():  # a leftover that failed its checks was discarded by load()
                self.discard(target)
            os.replace(tmp, target)
            _fsync_dir(self.root)
            return True
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def prune(self, kind: str, generation: int) -> None:
        """Remove this kind's sets of generations before ``generation`` and the temporary
        directories of builders that died (call under ``lock(kind)``: no build is running)."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            name = entry.name
            if name.startswith(f".{kind}-") and entry.is_dir():
                self.discard(entry)
            elif name.startswith(f"{kind}-g"):
                try:
                    older = int(name[len(kind) + 2:].split("-", 1)[0]) < generation
                except ValueError:
                    older = True
                if older:
                    self.discard(entry)

    @staticmethod
    def discard(where: Path) -> None:
        """Remove a set (renamed aside first, so no reader ever sees half of it)."""
        try:
            aside = where.with_name(f".{where.name.lstrip('.')}.discard-{os.getpid()}")
            os.replace(where, aside)
        except OSError:
            return
        shutil.rmtree(aside, ignore_errors=True)
