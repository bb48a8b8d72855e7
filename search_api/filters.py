"""Validation of the regulation filters shared by /search and /regulations."""
from __future__ import annotations

from typing import Any

from ingest.ids import JENIS
from pipelines.indexing.dimensions import DIMENSION_IDS
from search_api.errors import ApiProblem


def dimension_ids() -> tuple[str, ...]:
    return DIMENSION_IDS


def _known_jenis() -> set[str]:
    names = set()
    for code, (name, abbr) in JENIS.items():
        names |= {code.casefold(), name.casefold(), abbr.casefold()}
    return names


def check_filters(params) -> dict[str, Any]:
    """The filters as keyword arguments for ``Work.matches``; 422 for values no work can have."""
    if params.jenis and params.jenis.strip().casefold() not in _known_jenis():
        raise ApiProblem(
            "validation-error",
            f"Unknown jenis {params.jenis!r}; use a short code such as {', '.join(sorted(JENIS)[:6])}... "
            "or the full name (Peraturan Wali Kota).",
            f"Jenis {params.jenis!r} tidak dikenal; gunakan kode singkat (uu, pp, perwal, ...) atau nama lengkap.")
    if params.dimension and params.dimension not in dimension_ids():
        raise ApiProblem(
            "validation-error",
            f"Unknown dimension {params.dimension!r}; valid: {', '.join(dimension_ids())}.",
            f"Dimensi {params.dimension!r} tidak dikenal; pilihan: {', '.join(dimension_ids())}.")
    out = {"jenis": params.jenis, "tahun": params.tahun,
           "status": params.status.value if params.status else None, "dimension": params.dimension}
    if hasattr(params, "has_text"):
        out["has_text"] = params.has_text
    return {k: v for k, v in out.items() if v is not None}
