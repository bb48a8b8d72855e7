"""Text clean-up before structure parsing: converter headers, page furniture, split words,
inline headings put on their own line, and the repair of OCR-damaged Pasal numbers.

Everything works line by line and keeps the page of every line, so warnings can name pages.

>>> heading_readings("2T")
['27']
>>> heading_readings("278")[:2]
['278', '27B']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import patterns as P


@dataclass
class Line:
    text: str
    page: int | None = None


# Characters that OCR produces for digits, only ever applied inside a heading number.
_DIGIT_FOR = {
    "O": "0", "o": "0", "D": "0", "Q": "0",
    "I": "1", "l": "1", "|": "1", "!": "1", "]": "1", "i": "1", "L": "1", "J": "1",
    "T": "7", "S": "5", "s": "5", "Z": "2", "z": "2", "B": "8", "+": "4", "G": "6", "b": "6",
    "g": "9", "q": "9",
}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def strip_converter_header(text: str) -> str:
    """Drop the "# PMK 009 2025 ... ---" header that the .md converter put on top (it names
    the wrong regulation) and the markdown metadata block of the JDIH backups."""
    m = P.MD_METADATA_HEADER.match(text)
    if m:
        return text[m.end():]
    m = P.CONVERTER_HEADER.match(text)
    if m:
        return text[m.end():]
    return text


def _digits(s: str) -> str | None:
    out = []
    for ch in s:
        if ch.isdigit():
            out.append(ch)
        elif ch in _DIGIT_FOR:
            out.append(_DIGIT_FOR[ch])
        else:
            return None
    return "".join(out) or None


def heading_readings(raw: str, glued: str | None = None) -> list[str]:
    """Possible article numbers for the number part of a Pasal heading, best first.

    ``raw`` is what follows "Pasal" ("27", "2T", "l+O", "4OA", "2 1", "278");
    ``glued`` is a character read in place of the "l" of "Pasal" ("Pasa722": glued="7",
    raw="22"). Readings are canonical ("27", "45A"); several readings are returned where the
    text is ambiguous ("278" may be 278 or 27B) and the caller chooses by the sequence.
    Roman "I".."X" come back as Roman ("I") first, then as what OCR may have meant ("1").
    """
    raw = raw.strip()
    out: list[str] = []

    def add(x: str | None) -> None:
        if x and x not in out and not x.startswith("0"):
            out.append(x)

    if glued is None and raw in _ROMAN:
        add(raw)
    groups = raw.split()
    # "1 1 1" (111), "21 1" (211), "1 10" (110): digits split by OCR; the first group alone last
    bodies = ["".join(groups)] + (["".join(groups[:2])] if len(groups) > 2 else []) + ([groups[0]] if len(groups) > 1 else [])
    for body in bodies:
        suffix = ""
        if len(body) > 1 and body[-1] in "ABCDEFGHabcdefgh" and body[-2] not in "ABCDEFGH":
            # "45A", "4OA", "2TA"; a trailing B after digits is a letter suffix here, while
            # "278" (8 read for B) is handled below.
            d = _digits(body[:-1])
            if d:
                suffix = body[-1].upper()
                add(d + suffix)
                continue
        d = _digits(body)
        if d:
            add(d)
            if len(d) >= 2 and d[-1] == "8" and body[-1] in "8B":
                add(d[:-1] + "B")  # "Pasal 278" = 27B, "Pasal 168" = 16B
    if glued:
        g = _DIGIT_FOR.get(glued, glued if glued.isdigit() else None)
        if g:
            for r in list(out):
                if r.isdigit() or r[:-1].isdigit():
                    add(g + r)
    return out


def repair_digits(s: str) -> str | None:
    """Digits of a number in a heading ("2OL9" -> "2019", "L2" -> "12"); None if not one."""
    return _digits(s.replace(" ", ""))


def roman_to_int(s: str) -> int | None:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "M": 1000}
    s = s.upper().strip()
    if not s or any(c not in vals for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = vals[c]
        if i + 1 < len(s) and vals[s[i + 1]] > v:
            total -= v
        else:
            total += v
    return total


def _fix_split_words(line: str) -> str:
    for rx, rep in P.SPLIT_WORDS:
        line = rx.sub(rep, line)
    return line


def _presplit(line: str) -> list[str]:
    """Put structural headings glued inside a line on their own line."""
    if len(line) < 8:
        return [line]
    cuts: set[int] = set()
    # each pattern only where its keyword occurs: most lines hold none, and a scan is not free
    for key, rx in (("BAB", P.INLINE_BAB), ("Bagian", P.INLINE_BAGIAN), ("Bagian", P.INLINE_BAGIAN_AFTER_UPPER),
                    ("Paragraf", P.INLINE_PARAGRAF)):
        if key in line:
            for m in rx.finditer(line):
                if m.start() > 0:
                    cuts.add(m.start())
    for key, rx in (("PENJELASAN", P.INLINE_PENJELASAN), ("UMUM", P.INLINE_UMUM), ("PASAL", P.INLINE_PDP),
                    ("LAMPIRAN", P.INLINE_LAMPIRAN), ("TAMBAHAN", P.INLINE_TLN), ("Agar", P.INLINE_CLOSING)):
        if key in line:
            for m in rx.finditer(line):
                cuts.add(m.end())
    if re.match(r"^(?:BAB\s+[IVXLC]+|Bagian\s+Ke\w+|Paragraf\s+\d+)\s", line):
        # "BAB III JENIS DATA PRIBADI Pasal 4 (1) ...": the heading ends where the Pasal starts
        m = re.search(r"\sPasal\s+\S{1,4}\s+(?:\(|[A-Z])", line)
        if m and not re.search(r"[.;,]", line[: m.start()]):
            cuts.add(m.start() + 1)
    if line.startswith("PENJELASAN"):
        m = re.search(r"\s(?=(?:I\s?\.\s*)?UMUM\s+[A-Z][a-z])", line)
        if m:
            cuts.add(m.end())
    if not cuts:
        return [line]
    parts, prev = [], 0
    for c in sorted(cuts):
        parts.append(line[prev:c].strip())
        prev = c
    parts.append(line[prev:].strip())
    out: list[str] = []
    for p in parts:
        if not p:
            continue
        # "BAB III PENYELENGGARA AGEN ELEKTRONIK" stays one line; a BAB number and the start of
        # its title are never separated here.
        out.append(p)
    return out


_EDGE = 4  # lines at the top and at the foot of a page where a bare page number may stand


def clean_pages(pages: list[str], *, paged: bool) -> list[Line]:
    """Clean each page's text and return its lines, page-numbered (1-based) when ``paged``.

    Removes page furniture (the President's letterhead and its OCR variants, page numbers,
    SALINAN, BSrE/BSSN e-signature footers), the repeated first words of the next page at a
    page foot ("Pasal 20 . . ."), fixes split words ("P asal 53") and puts inline BAB, Bagian,
    Paragraf, PENJELASAN and LAMPIRAN headings on their own lines.
    """
    lines: list[Line] = []
    for i, page in enumerate(pages):
        pno = i + 1 if paged else None
        raw = page.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
        page_lines: list[str] = []
        raw_lines = [t for t in (re.sub(r"[ \t\u2000-\u200b]+", " ", x).strip() for x in raw.split("\n")) if t]
        for k, ln in enumerate(raw_lines):
            if paged and ln.isdigit() and _EDGE <= k < len(raw_lines) - _EDGE:
                # a bare number inside a page is text (a number split off by a justified
                # layout: "Peraturan Bupati / Nomor / 24 / Tahun"), not the page number
                page_lines.append(ln)
                continue
            if "PRES" in ln or "FRES" in ln:
                ln = P.INLINE_FURNITURE.sub(" ", ln).strip()
                if not ln:
                    continue
            if "_" in ln:
                ln = re.sub(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])", "", ln).strip()  # markdown italics
            ln = re.sub(r"^['`‘’\"·,.]+\s*(?=Pas)", "", ln)  # OCR specks before a heading
            if P.FURNITURE_LINE.match(ln):
                continue
            if ln.startswith("- ") and len(ln.split()) > 3 and not ln.rstrip().endswith("-"):
                ln = ln[2:]  # the trailing dash of a page number "- 11 -" glued to the next line
            page_lines.append(ln)
        # footer continuation: last line(s) of a page ending in ". . ."
        while page_lines and P.CONTINUATION_LINE.match(page_lines[-1]) and len(page_lines[-1].split()) <= 8:
            page_lines.pop()
        for ln in page_lines:
            if not paged and P.CONTINUATION_LINE.match(ln) and len(ln.split()) <= 4 and re.search(r"\.\s?\.\s?\.\s*$", ln):
                continue  # joined text: continuation footers wherever they are
            ln = _fix_split_words(ln)
            for part in _presplit(ln):
                lines.append(Line(part, pno))
    return lines


def split_pages(text: str) -> list[str]:
    """Pages of a joined text: form feeds separate pages when the extractor kept them."""
    return text.split("\f") if "\f" in text else [text]


def join_lines(lines: list[str]) -> str:
    """Join text lines into running text. A line-end hyphen is kept and joined without a space
    ("Undang-" + "Undang" -> "Undang-Undang"): in Indonesian legal text it is a real hyphen."""
    out: list[str] = []
    for ln in lines:
        if out and out[-1].endswith("-") and not out[-1].endswith(" -"):
            out[-1] = out[-1] + ln
        else:
            out.append(ln)
    return " ".join(out).strip()
