"""The body of a regulation text: BAB/Bagian/Paragraf/Pasal/ayat. The heading is read by
ingest.heading, Menimbang/Mengingat and the dates by ingest.preamble, the Penjelasan by
ingest.penjelasan; the patterns of all of them live in ingest.patterns.

Works on cleaned, page-numbered lines (ingest.normalize.clean_pages). Pasal headings are found
as candidates anywhere in the text and accepted by rules that look at their position (alone on
a line, after a sentence end) and at the sequence of numbers (26 -> 27 -> 28), which is also
how OCR-damaged numbers are read ("Pasal2T" after Pasal 26 is Pasal 27).

>>> from ingest.normalize import Line
>>> arts, _ = segment_articles([Line("Pasal 1"), Line("Ini teks."), Line("Pasal 2"), Line("(1) Satu."), Line("(2) Dua.")])
>>> [(a.number, [y.number for y in a.ayat]) for a in arts]
[('1', []), ('2', ['1', '2'])]
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ingest import patterns as P
from ingest.models import Article, Ayat, ParseWarning
from ingest.normalize import Line, heading_readings, join_lines, repair_digits, roman_to_int


# --------------------------------------------------------------------------------------------
# A region of lines as one string, with line offsets and pages


@dataclass
class Region:
    lines: list[Line]
    text: str = ""
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts, pos = [], 0
        for ln in self.lines:
            self.starts.append(pos)
            parts.append(ln.text)
            pos += len(ln.text) + 1
        self.text = "\n".join(parts)

    def line_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def page_of(self, offset: int) -> int | None:
        if not self.lines:
            return None
        return self.lines[self.line_of(offset)].page

    def line_end(self, idx: int) -> int:
        return self.starts[idx] + len(self.lines[idx].text)

    def slice_text(self, a: int, b: int) -> str:
        """Running text between two offsets (lines joined, line-end hyphens kept)."""
        return join_lines([s.strip() for s in self.text[a:b].split("\n") if s.strip()])


# --------------------------------------------------------------------------------------------
# Pasal numbers and their sequence


def _num_key(n: str) -> tuple[int, str]:
    m = re.match(r"^(\d+)([A-Z]*)$", n)
    if not m:
        r = roman_to_int(n) or 0
        return (r, "")
    return (int(m.group(1)), m.group(2))


def successors(last: str | None) -> list[str]:
    """Numbers that may follow ``last`` in a sequence, most likely first."""
    if last is None:
        return ["1"]
    base, suf = _num_key(last)
    out = [str(base + 1)]
    if suf:
        out.insert(0, f"{base}{chr(ord(suf[-1]) + 1)}")
    else:
        out.append(f"{base}A")
    return out


def _gap(last: str | None, n: str) -> int:
    if last is None:
        return _num_key(n)[0] - 1
    return _num_key(n)[0] - _num_key(last)[0]


@dataclass
class Heading:
    number: str
    start: int  # offset of the heading in the region text
    end: int  # offset where the article text starts
    raw: str
    repaired: bool = False


@dataclass
class _Candidate:
    """One "Pasal N" occurrence with what its surroundings say about it."""
    start: int
    end: int  # where the article text would start
    raw: str  # the heading as written ("Pasa] 107", "Pasal\n12")
    num: str  # its number part as written ("" when the number is lost)
    readings: list[str]
    glued: str | None
    alone: bool  # "Pasal N" alone on its line
    place: str  # start | sentence | title | mid | connector: what precedes it on its line
    follow: str  # ayat | cap | xref | other: what follows it
    line: int
    xref: bool = False  # reads like a cross-reference ("dimaksud dalam Pasal 5", "Pasal 5 ayat")
    lost: bool = False  # the word "Pasal" alone on its line, its number lost to the layout

    @property
    def strong(self) -> bool:
        """Heading-shaped by position alone: alone on its line, or opening a line / following a
        sentence end or a division title, and followed by an ayat or a capitalised word."""
        if self.lost:
            return False
        return self.alone or (self.place in ("start", "sentence", "title") and self.follow in ("ayat", "cap"))

    @property
    def weak(self) -> bool:
        """Possibly a heading that lost its position or its number to the layout (scrambled
        columns): accepted only when the sequence confirms it. After a sentence end whatever
        follows; mid-sentence only when an ayat "(1)" follows at once (a cross-reference says
        "Pasal 18 ayat (1)"); "Pasal" alone on its line without a number."""
        if self.lost:
            return not self.xref
        if self.strong:
            return False
        if self.place in ("start", "sentence", "title"):
            return True
        return self.follow == "ayat"


def _place(region: Region, li: int, start: int) -> str:
    """What precedes an offset on its line: start | sentence | title | connector | mid. Only the
    last 400 characters are looked at, so long flattened lines stay linear."""
    text = region.text
    ls = region.starts[li]
    before = text[max(ls, start - 400):start]
    whole = start - ls <= 400  # ``before`` is the whole line prefix
    tail = before[-40:]
    if whole and before.strip() in ("", "·"):
        return "start"
    if P.SENTENCE_END.search(tail):
        return "sentence"
    if (whole and P.TITLE_BEFORE.match(before)) or P.TITLE_TAIL.search(before[-160:]):
        return "title"  # "BAB III JENIS DATA PRIBADI Pasal 4 (1) ..."
    if P.CONNECTOR_END.search(tail):
        return "connector"
    return "mid"


def _follow(follow_text: str) -> str:
    if P.AYAT_FOLLOW.match(follow_text):
        return "ayat"
    if P.XREF_FOLLOW.match(follow_text):
        return "xref"
    if P.HEADING_FOLLOW.match(follow_text):
        return "cap"
    return "other"


def _prev_line(region: Region, li: int) -> str:
    return region.text[region.starts[li - 1]:region.line_end(li - 1)][-40:] if li > 0 else ""


def _candidates(region: Region) -> list[_Candidate]:
    text = region.text
    out = []
    for m in P.PASAL_CANDIDATE.finditer(text):
        glued = m.group("l")
        num = m.group("num")
        li = region.line_of(m.start())
        le = region.line_end(li)
        place = _place(region, li, m.start())
        end, lost = m.end(), False
        if glued is None and m.group("sp") == "" and num in ("l", "I", "1") and m.end() == le and place == "start":
            # the word "Pasal" alone on its line (its "l" taken for the number): the number may
            # stand at the start of the next line ("Pasal" / "12" in scrambled columns) or be lost
            glued = "l"
            nm = re.match(r"[0-9OoIl]{1,3}[A-Z]?(?=\s|$)", text[le + 1:le + 8]) if li + 1 < len(region.lines) else None
            if nm:
                num, end = nm.group(0), le + 1 + nm.end()
            else:
                num, lost = "", True
        if glued in ("l", None) or (glued == "I" and m.group("sp") == ""):
            glued_char = None
        else:
            glued_char = glued if glued in "17TI|" else None
        readings = heading_readings(num, glued_char) if num else []
        rest_end = region.line_end(region.line_of(end)) if end <= len(text) else end
        alone = place == "start" and text[end:rest_end].strip() in ("", ".", ":")
        follow_text = text[end:end + 40]
        follow = _follow(follow_text)
        if lost:
            # nothing to read after a number that is not there: what follows must open a
            # sentence or an ayat, and the line before must not lead into a reference
            xref = bool(P.XREF_LEAD.search(_prev_line(region, li))) or not re.match(r"\s*[A-Z(\"“]", follow_text)
        elif place == "start":
            prev = _prev_line(region, li)
            xref = bool(P.XREF_LEAD.search(prev)) or follow == "xref"
        else:
            xref = place == "connector" or follow == "xref"
        out.append(_Candidate(m.start(), end, text[m.start():end], num, readings, glued, alone, place,
                              follow, li, xref, lost))
    return out


_LOOKAHEAD = 60  # candidates scanned to confirm a sequence


def _confirmed(cands: list[_Candidate], k: int, number: str, depth: int = 2,
               memo: dict | None = None) -> bool:
    """True when the next heading-shaped candidate after cands[k] continues the sequence from
    ``number`` (and no heading-shaped copy of ``number`` itself comes first). A weak candidate
    for the next number that is itself confirmed continues the chain (two damaged headings in a
    row), at most ``depth`` links deep. Cross-reference-like candidates are passed over.
    ``memo`` caches answers, so that a text full of candidates stays linear."""
    if memo is None:
        memo = {}
    key = (k, number, depth)
    if key not in memo:
        memo[key] = _confirm(cands, k, number, depth, memo)
    return memo[key]


def _confirm(cands: list[_Candidate], k: int, number: str, depth: int, memo: dict) -> bool:
    nxt = successors(number)
    for j in range(k + 1, min(len(cands), k + 1 + _LOOKAHEAD)):
        c = cands[j]
        if c.xref:
            continue
        if c.strong:
            if number in c.readings:
                return False
            if any(r in nxt for r in c.readings):
                return True
        elif depth > 0 and c.weak:
            r = nxt[0] if c.lost else next((r for r in c.readings if r in nxt), None)
            if r is not None and _confirmed(cands, j, r, depth - 1, memo):
                return True
    # the last article of the region: nothing after it that could be a heading
    if k + 1 + _LOOKAHEAD < len(cands):
        return False
    return not any(not c.xref for c in cands[k + 1:])


def find_pasal_headings(
    region: Region,
    *,
    roman: bool = False,
    start_number: str | None = None,
    expected: list[str] | None = None,
    allow_inline: bool = True,
    warnings: list[ParseWarning] | None = None,
    end_limits: list[int] | None = None,
) -> list[Heading]:
    """Accepted Pasal headings of a region, in order.

    roman: headings are Roman ("Pasal I", "Pasal II": the body of an amending regulation).
    expected: numbers announced by an amendment instruction ("yakni Pasal 45A dan Pasal 45B").

    A candidate is accepted when its number continues the sequence and its position looks like
    a heading (alone on its line; or opening a line, after a sentence end or a division title,
    followed by an ayat or a capitalised word). A candidate whose position was lost to the layout
    (mid-sentence but followed by "(1)", or after a sentence end but followed by a lower-case
    word), or whose number was lost ("Pasal" alone on its line), is accepted only when the next
    heading-shaped candidate continues the sequence from it. A heading-shaped candidate that
    skips one or two numbers (a heading lost or unreadable) is accepted the same way. A repeated
    heading with nothing between the two copies (a page-footer copy of the next heading) keeps
    the later copy.
    """
    text = region.text
    out: list[Heading] = []
    cands = _candidates(region)
    if roman:
        for c in cands:
            raw_num = c.num.strip()
            if not c.alone or c.lost or raw_num not in ("I", "II", "III", "IV", "V", "l", "ll", "Il"):
                continue
            out.append(Heading({"l": "I", "ll": "II", "Il": "II"}.get(raw_num, raw_num), c.start, c.end, c.raw))
        return out
    last = start_number
    memo: dict = {}
    for k, c in enumerate(cands):
        readings = [r for r in c.readings if r[0].isdigit()]
        if not readings and not c.lost:
            continue
        if allow_inline is False and not c.alone:
            continue
        # a copy of the last heading with nothing in between: the later copy is the heading
        if out and last in readings and re.fullmatch(r"[\s.:·'\",\-]{0,6}", text[out[-1].end:c.start]):
            out[-1] = Heading(last, c.start, _heading_end(text, c), c.raw, out[-1].repaired)
            continue
        choice = next((r for r in readings if r in (expected or [])), None)
        if choice is None:
            choice = next((r for r in readings if r in successors(last)), None)
        if c.lost:
            choice = next(iter(expected or []), None) if expected else successors(last)[0]
            if choice is None or not c.weak or not _confirmed(cands, k, choice, memo=memo):
                continue
        elif c.alone:
            if choice is None:
                # a cross-reference wrapped so that "Pasal N" sits alone on its line
                prev_text = _prev_line(region, c.line)
                nxt = text[c.end:c.end + 40].lstrip("\n :.")
                if P.CONNECTOR_END.search(prev_text) or P.XREF_FOLLOW.match(nxt):
                    continue
                # choose the reading nearest above the last one; never one below it
                ahead = [r for r in readings if last is None or _num_key(r) > _num_key(last)]
                if not ahead:
                    continue
                choice = min(ahead, key=lambda r: (_gap(last, r), r))
                if last is not None and _gap(last, choice) > 25 and out:
                    continue  # an impossible jump: not a heading (e.g. a number in a table)
        elif c.strong:
            if choice is None:
                # a lost heading before this one: a jump of two or three, confirmed by the next
                skip = [r for r in readings if 2 <= _gap(last, r) <= 3 and r[-1].isdigit()]
                if not (skip and out and _confirmed(cands, k, skip[0], memo=memo)):
                    continue
                choice = skip[0]
        elif c.weak and choice is not None:
            if not _confirmed(cands, k, choice, memo=memo):
                continue
        else:
            continue
        literal = c.num.replace(" ", "")
        repaired = choice != literal or (c.glued is not None and c.glued != "l")
        if repaired and warnings is not None:
            what = f"heading {c.raw!r} without its number" if c.lost else f"heading {c.raw!r}"
            warnings.append(ParseWarning(
                "ocr_repair", f"{what} read as Pasal {choice}", region.page_of(c.start)
            ))
        out.append(Heading(choice, c.start, _heading_end(text, c), c.raw, repaired))
        last = choice
    return out


def _heading_end(text: str, c: _Candidate) -> int:
    end = c.end
    if c.alone and text[end:end + 1] in (".", ":"):
        end += 1
    return end


# --------------------------------------------------------------------------------------------
# BAB / Bagian / Paragraf


@dataclass
class Division:
    kind: str  # bab | bagian | paragraf
    title: str
    start: int
    end: int


def _is_upper_title(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def find_divisions(region: Region, heading_starts: list[int]) -> list[Division]:
    out: list[Division] = []
    lines = region.lines
    hs = set(region.line_of(h) for h in heading_starts)
    i = 0
    while i < len(lines):
        t = lines[i].text
        kind = None
        m = P.BAB_LINE.match(t)
        if m and (m.group("title") == "" or _is_upper_title(m.group("title"))):
            kind = "bab"
        else:
            m = P.BAGIAN_LINE.match(t)
            if m and t[0] == "B":
                kind = "bagian"
            else:
                m = P.PARAGRAF_LINE.match(t)
                if m:
                    kind = "paragraf"
        if not kind or i in hs:
            i += 1
            continue
        title_parts = [t]
        j = i + 1
        # the title continues on the next lines up to the next heading (at most 3 lines)
        while j < len(lines) and j - i <= 3 and j not in hs:
            nt = lines[j].text
            if P.BAB_LINE.match(nt) or P.BAGIAN_LINE.match(nt) or P.PARAGRAF_LINE.match(nt):
                break
            if kind == "bab":
                if not _is_upper_title(nt) or (m.group("title") and j > i + 1):
                    break
                if m.group("title") and not _is_upper_title(nt):
                    break
            else:
                if m.group("title") or nt.startswith("(") or len(nt) > 90:
                    break
            title_parts.append(nt)
            j += 1
        if kind != "bab" and j < len(lines) and j not in hs and not m.group("title"):
            pass
        if kind == "bab" and not m.group("title") and len(title_parts) == 1:
            i += 1
            continue
        title = " ".join(title_parts)
        out.append(Division(kind, re.sub(r"\s+", " ", title).strip(), region.starts[i], region.line_end(j - 1)))
        i = j
    return out


# --------------------------------------------------------------------------------------------
# Ayat


def split_ayat(text: str) -> list[Ayat]:
    """Numbered ayat of an article text, in sequence ("(1)", "(2)", "(2a)"); a marker that does
    not continue the sequence (a cross-reference "ayat (1)") is left in the text."""
    marks: list[tuple[int, int, str]] = []
    expect = 1
    for m in P.AYAT_MARK.finditer(text):
        raw = m.group("num")
        d = repair_digits(re.sub(r"[a-z]$", "", raw)) if raw[-1:].islower() and len(raw) > 1 else repair_digits(raw)
        if d is None:
            continue
        suf = raw[-1] if raw[-1:].islower() and len(raw) > 1 and raw[-1] not in "l" else ""
        n = int(d)
        before = text[max(0, m.start() - 12):m.start()]
        if re.search(r"(?:ayat|dan|atau|,)\s*$", before, re.I):
            continue
        if not (m.start() == 0 or re.search(r"(?:[.;:]\s*|\n\s*|^\s*)$", before)):
            continue
        if suf and n == expect - 1:
            marks.append((m.start(), m.end(), f"{n}{suf}"))
        elif n == expect:
            marks.append((m.start(), m.end(), str(n)))
            expect += 1
    if not marks:
        return []
    out = []
    for k, (s, e, num) in enumerate(marks):
        nxt = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        out.append(Ayat(num, re.sub(r"\s+", " ", text[e:nxt]).strip()))
    return out


# --------------------------------------------------------------------------------------------
# Articles of a region


def segment_articles(
    lines: list[Line],
    *,
    roman: bool = False,
    expected: list[str] | None = None,
    warnings: list[ParseWarning] | None = None,
    with_divisions: bool = True,
) -> tuple[list[Article], Region]:
    region = Region(lines)
    heads = find_pasal_headings(region, roman=roman, expected=expected, warnings=warnings)
    divs = find_divisions(region, [h.start for h in heads]) if with_divisions else []
    # drop divisions that sit inside a heading's own line
    bounds = sorted([h.start for h in heads] + [d.start for d in divs])
    arts: list[Article] = []
    bab = bagian = paragraf = None
    di = 0
    for k, h in enumerate(heads):
        while di < len(divs) and divs[di].start < h.start:
            d = divs[di]
            if d.kind == "bab":
                bab, bagian, paragraf = d.title, None, None
            elif d.kind == "bagian":
                bagian, paragraf = d.title, None
            else:
                paragraf = d.title
            di += 1
        nxt = bounds[bisect.bisect_right(bounds, h.start)] if bisect.bisect_right(bounds, h.start) < len(bounds) else len(region.text)
        body_raw = region.text[h.end:nxt]
        body = region.slice_text(h.end, nxt)
        body = re.sub(r"\s+Agar$", "", body)
        arts.append(Article(
            number=h.number, text=body, ayat=split_ayat(body_raw.strip()),
            bab=bab, bagian=bagian, paragraf=paragraf, page=region.page_of(h.start),
        ))
    for a in arts:
        for y in a.ayat:
            y.text = re.sub(r"\s+Agar$", "", y.text)
    return arts, region


def sequence_warnings(arts: list[Article]) -> list[ParseWarning]:
    out: list[ParseWarning] = []
    seen: dict[str, int] = {}
    prev: Article | None = None
    for a in arts:
        if a.number in seen:
            out.append(ParseWarning("duplicate_article", f"Pasal {a.number} appears more than once", a.page))
        seen[a.number] = 1
        if prev is not None and a.number[0].isdigit() and prev.number[0].isdigit():
            g = _gap(prev.number, a.number)
            if g > 1:
                missing = [str(_num_key(prev.number)[0] + i) for i in range(1, g)]
                out.append(ParseWarning(
                    "sequence_gap",
                    f"Pasal {prev.number} is followed by Pasal {a.number}: missing Pasal {', '.join(missing)}",
                    a.page,
                ))
            elif g < 0:
                out.append(ParseWarning("sequence_break", f"Pasal {a.number} follows Pasal {prev.number}", a.page))
        prev = a
    return out
