"""Real article texts for store and retriever tests, sliced from the corpus by their headings.

Only articles whose heading stands on its own line ("Pasal 6") in the body (before the
Penjelasan) are returned; the text is the document's own, unchanged."""
from __future__ import annotations

import re
from functools import lru_cache

from tests.conftest import corpus_path

HEADING_RE = re.compile(r"(?m)^Pasal (\d+[A-Z]?)\s*$")


@lru_cache(maxsize=None)
def real_articles(name: str = "pp-71-2019-pste.md") -> dict[str, str]:
    """{pasal number: article text} for the corpus file ``name`` (first occurrence of a number)."""
    text = corpus_path(name).read_text(encoding="utf-8")
    body = text.split("PENJELASAN ATAS")[0]
    headings = list(HEADING_RE.finditer(body))
    articles: dict[str, str] = {}
    for here, after in zip(headings, headings[1:] + [None]):
        chunk = body[here.end() : after.start() if after else len(body)].strip()
        if chunk:
            articles.setdefault(here.group(1), chunk)
    return articles
