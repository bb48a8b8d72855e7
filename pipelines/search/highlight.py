"""Snippets: pick the passage that best matches the query, HTML-escape it, then <mark> matches.

Escaping comes first so text from a document can never inject markup; only our own <mark>
tags are added afterwards, around whole words whose analysed form matches a query term.

>>> make_snippet("Pusat Data <b> wajib ditempatkan di Indonesia.", {"pusat", "data"}, width=80)
'<mark>Pusat</mark> <mark>Data</mark> &lt;b&gt; wajib ditempatkan di Indonesia.'
"""
from __future__ import annotations

import html
import re
from typing import Callable, Iterable

_WORD = re.compile(r"\w+(?:[-/]\w+)*", re.UNICODE)


def _norm(word: str) -> str:
    return word.lower()


def make_snippet(
    text: str,
    query_terms: Iterable[str],
    *,
    width: int = 240,
    analyze_word: Callable[[str], str] = _norm,
) -> str:
    """A window of about ``width`` characters around the densest matches, escaped and marked."""
    terms = {t for t in query_terms if t}
    flat = " ".join(text.split())
    start, end = 0, min(len(flat), width)
    if len(flat) > width:
        # The window with the most hits: one pass with two pointers over the hit positions
        # (linear in the text, however many times a term repeats).
        hits = [m.start() for m in _WORD.finditer(flat) if analyze_word(m.group()) in terms]
        if hits:
            best, best_n, j = hits[0], 0, 0
            for i, h in enumerate(hits):
                if j < i:
                    j = i
                while j < len(hits) and hits[j] < h + width:
                    j += 1
                if j - i > best_n:
                    best, best_n = h, j - i
            start = max(0, best - width // 4)
            # start on a word boundary (at most a word's length back)
            back = start
            while start > 0 and not flat[start - 1].isspace() and back - start < 30:
                start -= 1
            end = min(len(flat), start + width)
    if end < len(flat):
        while end < len(flat) and not flat[end].isspace() and end - start < width + 30:
            end += 1
    window = flat[start:end]
    out, pos = [], 0
    for m in _WORD.finditer(window):
        out.append(html.escape(window[pos:m.start()]))
        word = m.group()
        esc = html.escape(word)
        out.append(f"<mark>{esc}</mark>" if analyze_word(word) in terms else esc)
        pos = m.end()
    out.append(html.escape(window[pos:]))
    snippet = "".join(out)
    return ("… " if start > 0 else "") + snippet + (" …" if end < len(flat) else "")


def plain(snippet: str) -> str:
    """The snippet as plain text (for terminals)."""
    return html.unescape(re.sub(r"</?mark>", "", snippet))
