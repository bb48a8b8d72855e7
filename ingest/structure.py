"""Structure of a regulation text: heading, Menimbang, Mengingat, BAB/Bagian/Paragraf/Pasal/ayat,
Penjelasan and Lampiran.

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
import difflib
import re
from dataclasses import dataclass, field

from ingest import patterns as P
from ingest.models import Article, Ayat, ParseWarning
from ingest.normalize import Line, heading_readings, join_lines, repair_digits, roman_to_int

# Words after which a line-final "Pasal N" is the end of a cross-reference, not a heading.
_CONNECTOR_END = re.compile(
    r"(?:\b(?:dalam|dan|atau|pada|dengan|sampai|oleh|tentang|serta|ke|di|dari|yakni|yaitu|dimaksud|menjadi|ayat)|[,(])\s*$",
    re.I,
)
_XREF_FOLLOW = re.compile(r"^\s*(?:ayat|huruf|angka|sampai|dan\b|atau\b|,|sebagaimana|Undang|Peraturan|UUD|yang\b|tentang|juncto|jo\.|s\.d)", re.I)
_HEADING_FOLLOW = re.compile(r"^\s*(?:\(\s?[0-9lI]{1,2}[a-z]?\s?\)|[A-Z\"“]|Cukup|Ayat|Huruf|Angka)")
# words before a "Pasal" line that make it a cross-reference ("sebagaimana dimaksud dalam / Pasal")
_XREF_LEAD = re.compile(r"\b(?:dalam|pada|dimaksud|menurut|berdasarkan|sesuai|terhadap)\s*$", re.I)
_AYAT_FOLLOW = re.compile(r"^\s*\(\s?[1lI]\s?\)\s*[A-Z\"“]")
# a sentence end, possibly followed by an OCR speck or a list label that lost its dot ("hukum. ' Pasal 23")
_SENTENCE_END = re.compile(r"(?:[.;:·]|^)\s*(?:[^\sA-Za-z0-9]{1,2}\s*|[a-z]\s+)?$")
# a division heading and its title just before a Pasal on the same line: "BAB xI PARTISIPASI
# MASYARAKAT Pasal 63 (1) ..."; OCR damage in an upper-case title ("PEI{YELESAI,AN") is tolerated.
_TITLE_BEFORE = re.compile(
    rf"^(?:BAB\s+(?:{P.ROMAN_OCR})[A-Z]?\s+[^a-z\n]+|Bagian\s+Ke\w+\s+[A-Z][\w ,/\-]+|Paragraf\s+\d+\s+[A-Z][\w ,/\-]+)\s$"
)
_TITLE_TAIL = re.compile(rf"(?:^|[.;:]\s|\s)BAB\s+(?:{P.ROMAN_OCR})[A-Z]?\s+[A-Z][^a-z\n]{{2,120}}\s$")


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
    if _SENTENCE_END.search(tail):
        return "sentence"
    if (whole and _TITLE_BEFORE.match(before)) or _TITLE_TAIL.search(before[-160:]):
        return "title"  # "BAB III JENIS DATA PRIBADI Pasal 4 (1) ..."
    if _CONNECTOR_END.search(tail):
        return "connector"
    return "mid"


def _follow(follow_text: str) -> str:
    if _AYAT_FOLLOW.match(follow_text):
        return "ayat"
    if _XREF_FOLLOW.match(follow_text):
        return "xref"
    if _HEADING_FOLLOW.match(follow_text):
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
            xref = bool(_XREF_LEAD.search(_prev_line(region, li))) or not re.match(r"\s*[A-Z(\"“]", follow_text)
        elif place == "start":
            prev = _prev_line(region, li)
            xref = bool(_XREF_LEAD.search(prev)) or follow == "xref"
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
                if _CONNECTOR_END.search(prev_text) or _XREF_FOLLOW.match(nxt):
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


# --------------------------------------------------------------------------------------------
# Heading of the document

_JENIS_SQ = [
    ("tap-mpr", r"KETETAPANMAJELISPERMUSYAWARATANRAKYAT(?:REPUBLIKINDONESIA)?"),
    ("perppu", r"PERATURANPEMERINTAHPENGGANTIUNDANGUNDANG"),
    ("uu", r"(?<!PENGGANTI)UNDANGUNDANG(?:REPUBLIKINDONESIA)?(?=NOMOR)"),
    ("pp", r"PERATURANPEM[A-Z]{3,6}TAH(?:REPUBLIKINDONESIA)?(?=NOMOR)"),
    ("perpres", r"PERATURANPRESIDEN(?:REPUBLIKINDONESIA)?(?=NOMOR)"),
    ("permen", r"PERATURANMENTERI(?:(?!TENTANG|ATAS)[A-Z]){0,80}?(?=NOMOR)"),
    ("perda", r"PERATURANDAERAH(?:(?!TENTANG|ATAS)[A-Z]){0,40}?(?=NOMOR)"),
    ("perbup", r"PERATURANBUPATI(?:(?!TENTANG|ATAS)[A-Z]){0,40}?(?=NOMOR)"),
    ("perwal", r"PERATURANWALI ?KOTA(?:(?!TENTANG|ATAS)[A-Z]){0,40}?(?=NOMOR)"),
    ("pergub", r"PERATURANGUBERNUR(?:(?!TENTANG|ATAS)[A-Z]){0,40}?(?=NOMOR)"),
    ("kepwal", r"KEPUTUSANWALIKOTA(?:(?!TENTANG|ATAS)[A-Z]){0,40}?(?=NOMOR)"),
]
_MINISTRY = {
    "PERHUBUNGAN": "permenhub", "KEUANGAN": "permenkeu", "DALAMNEGERI": "permendagri",
    "KOMUNIKASIDANINFORMATIKA": "permenkominfo",
    "PENDAYAGUNAANAPARATURNEGARADANREFORMASIBIROKRASI": "permenpanrb",
}
_REGIONAL = {"perda", "perbup", "perwal", "pergub", "kepwal"}
_OFFICIAL_LINE = re.compile(r"^(?:BUPATI|WALI\s?KOTA|GUBERNUR)\s+(?P<r>[A-Z][A-Z .\-]{2,40}?)\s*,?\s*$")
_REGION_IN_TITLE = re.compile(
    r"PERATURAN\s+(?:DAERAH|BUPATI|WALI\s?KOTA|GUBERNUR)\s+(?:(?:KABUPATEN|KOTA|PROVINSI)\s+)?(?P<r>[A-Z][A-Z \-]{2,40}?)\s+NOMOR\b"
)


@dataclass
class HeadingInfo:
    jenis: str | None = None  # short code
    nomor: str | None = None
    tahun: int | None = None
    region: str | None = None
    judul: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list)


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def parse_heading(head_lines: list[Line]) -> HeadingInfo:
    info = HeadingInfo()
    text = " ".join(ln.text for ln in head_lines)
    up = text.upper().replace("!", "I")
    # squeezed text with a map back to the spaced one
    sq_chars, sq_pos = [], []
    for i, ch in enumerate(up):
        if ch.isalnum() and ch.isascii():
            sq_chars.append(ch)
            sq_pos.append(i)
    sq = "".join(sq_chars)
    best = None
    for code, pat in _JENIS_SQ:
        m = re.search(pat + r"NOMOR(?:PM|KM)?(?P<nomor>[0-9OIL]{1,4}|[IVXLC]{1,6}MPR)(?:[0-9]{4})?(?:TAHUN)?(?P<tahun>[0-9OIL]{4})", sq)
        first_tentang = sq.find("TENTANG")
        if m and 0 <= first_tentang < m.start():
            m = None  # a regulation cited in a title ("... PERUBAHAN ATAS PERATURAN DAERAH NOMOR 8 ...")
        if m and (best is None or m.start() < best[1].start()):
            best = (code, m)
    page = head_lines[0].page if head_lines else None
    if best is None:
        info.warnings.append(ParseWarning("no_heading", "the regulation's type, number and year could not be read", page))
        return info
    code, m = best
    if code == "permen":
        mid = m.group(0)[len("PERATURANMENTERI"):]
        mid = re.sub(r"REPUBLIKINDONESIA.*$", "", mid.split("NOMOR")[0])
        code = next((v for k, v in _MINISTRY.items() if mid.startswith(k)), "permen")
    raw_nomor, raw_tahun = m.group("nomor"), m.group("tahun")
    if code == "tap-mpr":
        rn = raw_nomor[:-3] if raw_nomor.endswith("MPR") else raw_nomor
        val = roman_to_int(rn)
        nomor = str(val) if val else repair_digits(rn)
    else:
        nomor = repair_digits(raw_nomor)
    tahun = repair_digits(raw_tahun)
    if (nomor and nomor != raw_nomor and code != "tap-mpr") or tahun != raw_tahun:
        info.warnings.append(ParseWarning("ocr_repair", f"heading number {raw_nomor}/{raw_tahun} read as {nomor}/{tahun}", page))
    info.jenis, info.nomor = code, nomor
    info.tahun = int(tahun) if tahun else None
    if code in _REGIONAL:
        rm = _REGION_IN_TITLE.search(up)
        region = None
        if rm and not rm.group("r").startswith(("NOMOR", "REPUBLIK", "KABUPATEN", "KOTA", "PROVINSI")):
            region = rm.group("r")
        if region is None:
            for ln in head_lines:
                om = _OFFICIAL_LINE.match(ln.text.upper())
                if om:
                    region = om.group("r")
                    break
        if region:
            info.region = _slug(re.sub(r"^(?:KABUPATEN|KOTA|PROVINSI)\s+", "", region.strip()))
    # title: after the first TENTANG that follows the number
    spaced_end = sq_pos[m.end() - 1] + 1 if m.end() - 1 < len(sq_pos) else len(up)
    tm = re.search(r"\bTENTANG\b", text[spaced_end:], re.I)
    if tm:
        rest = text[spaced_end + tm.end():]
        stop = re.search(
            r"DENGAN\s+RAHMAT|\bMenimbang\b|\bMengingat\b|\b(?:PRESIDEN|BUPATI|WALI\s?KOTA|GUBERNUR|MENTERI)\b[A-Z ]*,|MAJELIS PERMUSYAWARATAN RAKYAT,",
            rest,
        )
        judul = rest[: stop.start()] if stop else rest[:400]
        judul = re.sub(r"\s+", " ", judul).strip(" ,.")
        info.judul = judul or None
    return info


# --------------------------------------------------------------------------------------------
# Menimbang / Mengingat


def _clean_item(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _bahwa_items(men_text: str) -> list[str]:
    """Menimbang items split where a "bahwa" opens an item: at the start, after a label ("c.",
    even when it stands apart from its text), after ";" or ":", or a capitalised "Bahwa" after a
    full stop. A "bahwa" inside a sentence ("menegaskan antara lain bahwa") opens nothing."""
    starts = []
    for bm in re.finditer(r"\b[Bb]ahwa\b", men_text):
        prev = re.sub(r"\s+", " ", men_text[max(0, bm.start() - 16):bm.start()]).rstrip()
        if (
            not men_text[:bm.start()].strip()
            or prev.endswith((";", ":"))
            or re.search(r"(?:^|\s)[a-z]\s?\.$", prev)
            or (bm.group(0) == "Bahwa" and prev.endswith("."))
        ):
            starts.append(bm.start())
    items = []
    for k, st in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(men_text)
        it = men_text[st:e]
        it = re.sub(r"(?<=[;.])(?:\s+[a-z]\s?\.)+\s*$", "", it)  # labels left behind by the layout
        it = _clean_item(it)
        if it:
            items.append(it)
    return items


def parse_preamble(text: str) -> tuple[list[str], list[str]]:
    """Menimbang items and Mengingat items of the preamble text (between the title and
    MEMUTUSKAN). Labels may sit far from their text ("Menimbang Mengingat" on the title line)."""
    # end of the preamble proper
    endm = None
    for rx in (P.PERSETUJUAN, P.MEMPERHATIKAN, P.MEMUTUSKAN, P.MENETAPKAN):
        for mm in rx.finditer(text):
            after = text[mm.end():mm.end() + 30]
            if rx is P.MENETAPKAN and not re.match(r"\s*:?\s*(?!MEMUTUSKAN)[A-Z]{3,}", after):
                continue  # a dangling label
            if endm is None or mm.start() < endm:
                endm = mm.start()
            break
    body = text[:endm] if endm is not None else text
    # in-place Mengingat label: followed by content, not by another label
    ming = None
    for mm in P.MENGINGAT.finditer(body):
        after = body[mm.end():mm.end() + 40]
        if re.match(r"\s*(?:Menetapkan|Menimbang|MEMUTUSKAN|Mengingat|DENGAN|$)", after):
            continue
        if re.match(r"\s*[a-z]\.\s*bahwa", after):
            continue
        ming = mm
        break
    first_bahwa = re.search(r"\b[Bb]ahwa\b", body)
    if not first_bahwa:
        men_text, ing_text = "", (body[ming.end():] if ming else "")
    else:
        s = first_bahwa.start()
        lab = re.search(r"(?:^|(?<=[\s:]))[a-z]\s?\.\s*$", body[max(0, s - 8):s])
        if lab:
            s = max(0, s - 8) + lab.start()
        if ming and ming.start() > s:
            men_text, ing_text = body[s:ming.start()], body[ming.end():]
        else:
            # boundary: the first "1." item after the last "bahwa" item, else the ";" that ends
            # the item "bahwa berdasarkan pertimbangan ..."
            last_b = None
            for bm in re.finditer(r"\b[Bb]ahwa\b", body):
                last_b = bm
            cut = None
            one = re.compile(r"(?:^|(?<=[\s;:]))1\s?\.\s+(?=\S)").search(body, last_b.start())
            semi = body.find(";", last_b.start())
            if one and (semi < 0 or one.start() > semi):
                cut = one.start()
            elif semi >= 0:
                cut = semi + 1
            men_text = body[s:cut] if cut else body[s:]
            ing_text = body[cut:] if cut else ""
    for lab in (P.MENIMBANG, P.MENGINGAT, P.MENETAPKAN, P.MEMPERHATIKAN):
        men_text = lab.sub(" ", men_text)
        ing_text = lab.sub(" ", ing_text)
    ing_text = P.DENGAN_RAHMAT.sub(" ", ing_text)
    # Menimbang items: a., b., ... in sequence; else "bahwa" items
    men: list[str] = []
    marks, expect = [], "a"
    for mm in P.MENIMBANG_ITEM.finditer(men_text):
        if mm.group("label") == expect:
            marks.append(mm)
            expect = chr(ord(expect) + 1)
    if marks:
        lead = men_text[:marks[0].start()].strip()
        for k, mm in enumerate(marks):
            e = marks[k + 1].start() if k + 1 < len(marks) else len(men_text)
            men.append(_clean_item(men_text[mm.end():e]))
        if lead and re.match(r"[Bb]ahwa", lead):
            men.insert(0, _clean_item(lead))
        by_bahwa = _bahwa_items(men_text)
        if len(by_bahwa) > len(men):
            men = by_bahwa  # labels detached from their text ("b." "c." alone on their lines)
    else:
        starts = [mm.start() for mm in re.finditer(r"(?:^|(?<=[;:]\s)|(?<=[;:])|(?<=\n))\s*(?=[Bb]ahwa\b)", men_text)]
        starts = sorted(set([0] + starts))
        for k, st in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(men_text)
            it = _clean_item(re.sub(r"^\s*[a-z]\s?\.\s*", "", men_text[st:e]))
            if it:
                men.append(it)
    men = [m for m in (re.sub(r"^[a-z]\s?\.\s*", "", x).strip() for x in men) if m]
    # Mengingat items: 1., 2., ... in sequence
    ing: list[str] = []
    marks, n = [], 1
    for mm in P.NUMBERED_ITEM.finditer(ing_text):
        if int(mm.group("num")) == n:
            marks.append(mm)
            n += 1
    if marks:
        texts = []
        for k, mm in enumerate(marks):
            e = marks[k + 1].start() if k + 1 < len(marks) else len(ing_text)
            texts.append(_clean_item(ing_text[mm.end():e]))
        if sum(1 for t in texts if not t) >= max(1, len(texts) // 2):
            # labels separated from their text ("1. 2. 3. Pasal 5 ...; Undang-Undang ...;")
            joined = _clean_item(" ".join(texts))
            ing = [x.strip() + ";" for x in joined.split(";") if x.strip()]
            if ing and not joined.rstrip().endswith(";"):
                ing[-1] = ing[-1][:-1]
        else:
            ing = [t for t in texts if t]
    # labels lost, displaced or printed without their dots: the items still end with ";"
    by_semicolon = _semicolon_items(ing_text)
    if len(by_semicolon) > len(ing):
        ing = by_semicolon
    return men, ing


# labels and layout debris before the first Mengingat item: ". . . b c", "1 2", "T{IItrtrIXN"
_LEAD_DEBRIS = re.compile(r"^(?:\s|\.|\b[a-z0-9]{1,2}\b|\S*[{}|\\]\S*)+")


# the end of a list item: ";" then (a displaced label and) the capitalised start of the next;
# in OCR text the ";" after the closing "(... Tambahan Lembaran Negara ... Nomor 4438)" may be
# read as "," or ":"
_ITEM_END = re.compile(
    r"(?:;|(?<=Nomor\s\d{4})\s?[,:])(?=\s*(?:\d{1,2}\s?[.,]\s*)*[A-Z])|(?<=Nomor\s\d{4}\))\s?[,:;]"
)


# a numbered label followed by what opens a Mengingat item (not by a displaced "Nomor 701);")
_ITEM_OPENING = re.compile(
    r"\d{1,2}\s?\.\s*(?:Undang|Peraturan|Keputusan|Ketetapan|Instruksi|Pasal|Qanun|Surat|Perpu|UUD)"
)


def _semicolon_items(text: str) -> list[str]:
    """Items of a list whose labels are lost or displaced: the text split after each ";" that
    is followed by the capitalised start of the next item. A short tail without a number
    ("Dengan", the first word of "Dengan Persetujuan Bersama") stays with the last item."""
    # boundaries: the item ends, and a numbered label that is ahead of the count of items so
    # far (the separator before it was lost: "... Tahun 2018, 23. Peraturan ...")
    events = [(m.end(), "end", 0) for m in _ITEM_END.finditer(text)]
    events += [(m.start(), "label", int(m.group("num"))) for m in P.NUMBERED_ITEM.finditer(text)]
    events.sort()
    cuts, count, last_label = [], 1, 0
    for pos, kind, n in events:
        if kind == "end":
            cuts.append(pos)
            count += 1
        elif last_label < n <= last_label + 10:
            last_label = n
            if n > count and text[cuts[-1] if cuts else 0:pos].strip() and _ITEM_OPENING.match(text, pos):
                cuts.append(pos)
                count = n
    pieces, prev = [], 0
    for c in cuts:
        pieces.append(text[prev:c])
        prev = c
    pieces.append(text[prev:])
    items = [_clean_item(re.sub(r"^\s*(?:\d{1,2}\s?[.,]\s*)+", "", x)) for x in pieces]
    items = [re.sub(r"(?<=[.;)])(?:\s+\d{1,2}\s?\.)+$", "", x) for x in items]  # orphan labels
    items = [x for x in items if x]
    if items:
        items[0] = _clean_item(_LEAD_DEBRIS.sub("", items[0])) or items[0]
    if len(items) > 1 and not re.search(r"\d", items[-1]) and len(items[-1].split()) <= 3:
        tail = items.pop()
        items[-1] = f"{items[-1]} {tail}"
    return items


# --------------------------------------------------------------------------------------------
# Dates


def _date(day: str, month: str, year: str) -> str | None:
    d, y = repair_digits(day), repair_digits(year)
    if month.isdigit():
        mo = int(month) if 1 <= int(month) <= 12 else None
    else:
        mo = P.MONTHS.get(month.lower())
        if mo is None:
            # OCR: "Jtuli" -> juli, "Jarruari" -> januari: the closest month name, if close enough
            close = difflib.get_close_matches(month.lower(), list(P.MONTHS), n=1, cutoff=0.7)
            mo = P.MONTHS[close[0]] if close else None
    if not (d and y and mo) or not 1 <= int(d) <= 31:
        return None
    return f"{int(y):04d}-{mo:02d}-{int(d):02d}"


def parse_dates(text: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {"tempat": None, "tanggal_penetapan": None, "tanggal_pengundangan": None}
    flat = re.sub(r"\s+", " ", text)
    for m in P.PLACE_DATE.finditer(flat):
        if m.group("day"):
            d = _date(m.group("day"), m.group("month"), m.group("year"))
        else:
            d = _date(m.group("nday"), m.group("nmonth"), m.group("nyear"))
        if m.group("kind").lower() == "diundangkan":
            out["tanggal_pengundangan"] = out["tanggal_pengundangan"] or d
        else:
            if out["tanggal_penetapan"] is None:
                out["tanggal_penetapan"] = d
                out["tempat"] = (m.group("place") or "").strip(" ,.") or None
    if out["tempat"] is None:
        m = re.search(r"(?:Ditetapkan|Disahkan)\s+[Dd]i\s*([A-Z][a-z]+)", flat)
        if m:
            out["tempat"] = m.group(1)
    return out


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
