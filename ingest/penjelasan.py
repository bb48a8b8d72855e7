"""The Penjelasan: its "I. UMUM" and "II. PASAL DEMI PASAL" parts and the explanation of each
article."""
from __future__ import annotations

import re

from ingest import patterns as P
from ingest.normalize import Line, join_lines
from ingest.structure import segment_articles

# --------------------------------------------------------------------------------------------
# Penjelasan


def penjelasan_parts(lines: list[Line]) -> tuple[str | None, list[Line]]:
    """(text of "I. UMUM", lines of "II. PASAL DEMI PASAL")."""
    umum_i = next((i for i, ln in enumerate(lines) if P.UMUM_HEAD.match(ln.text)), None)
    pdp_i = next((i for i, ln in enumerate(lines) if P.PDP_HEAD.match(ln.text)), None)
    umum = None
    if umum_i is not None:
        end = pdp_i if pdp_i is not None and pdp_i > umum_i else len(lines)
        first = P.UMUM_HEAD.sub("", lines[umum_i].text).strip()
        umum = join_lines(([first] if first else []) + [ln.text for ln in lines[umum_i + 1:end]]) or None
    if pdp_i is not None:
        first = P.PDP_HEAD.sub("", lines[pdp_i].text).strip()
        rest = ([Line(first, lines[pdp_i].page)] if first else []) + lines[pdp_i + 1:]
        return umum, rest
    if umum_i is None:
        return None, lines
    return umum, []


def penjelasan_by_article(lines: list[Line], *, roman: bool = False) -> dict[str, str]:
    """Map article number -> its "Pasal demi Pasal" explanation."""
    out: dict[str, str] = {}
    arts, _ = segment_articles(lines, roman=roman, with_divisions=False)
    for a in arts:
        t = re.sub(r"\s*TAMBAHAN\s+LEMBARAN\s+(?:NEGARA|DAERAH).*$", "", a.text).strip()
        if a.number not in out:
            out[a.number] = t
    return out
