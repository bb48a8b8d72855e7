"""Change items of an amending regulation: the numbered items of its "Pasal I".

Each item is an instruction ("Ketentuan Pasal 27 diubah sehingga berbunyi sebagai berikut:",
"Di antara Pasal 45 dan Pasal 46 disisipkan 2 (dua) pasal, yakni Pasal 45A dan Pasal 45B",
"Pasal 22 dihapus.") followed by the quoted new articles. The quoted articles belong to the
amended work (``target_work``), never to the amending regulation's own body.

>>> from ingest.normalize import Line
>>> items = parse_items([Line("Beberapa ketentuan dalam Undang-Undang Nomor 11 Tahun 2008 diubah sebagai berikut:"),
...     Line("1. Ketentuan Pasal 27 diubah sehingga berbunyi sebagai berikut:"), Line("Pasal 27"),
...     Line("(1) Teks."), Line("2. Pasal 28 dihapus.")], target_work="uu-11-2008")
>>> [(i.number, i.operation, i.target_article, [a.number for a in i.articles]) for i in items]
[('1', 'diubah', '27', ['27']), ('2', 'dihapus', '28', [])]
"""
from __future__ import annotations

import re

from ingest import patterns as P
from ingest.models import AmendmentItem, Article, ParseWarning
from ingest.normalize import Line, heading_readings, join_lines
from ingest.structure import Region, _num_key, segment_articles

_TARGET_RX = re.compile(r"\bPasa[l1I]\s?(?P<num>[0-9OoIlTSB]{1,4}[A-H]?)\b")
_BETWEEN = re.compile(
    r"Di\s?antara\s+Pasa[l1I]\s?(?P<a>[0-9OoIlTSB]{1,4}[A-H]?)\s+dan\s+Pasa[l1I]\s?(?P<b>[0-9OoIlTSB]{1,4}[A-H]?)", re.I
)
_YAKNI = re.compile(r"yakni\s+(?P<list>(?:Pasa[l1I]|Pasil|PasaT)\s?[0-9OoIlTSB]{1,4}[A-H]?(?:\s*(?:,|dan)\s*(?:Pasa[l1I]|Pasil|PasaT)\s?[0-9OoIlTSB]{1,4}[A-H]?)*)", re.I)
_BAB_INSERT = re.compile(r"yakni\s+(?P<bab>BAB\s+[IVXL]+[A-Z]?)", re.I)
_LAMPIRAN_T = re.compile(r"\b(?P<l>Lampiran(?:\s+[IVX]+)?)\b")
_IS_INSTRUCTION = re.compile(r"sebagai(?:mana)?\s+(?:berikut|tercantum|ditetapkan)|dihapus|penjelasan|menjadi|berbunyi", re.I)
_HAS_TARGET = re.compile(r"\b(?:Pasa[l1I]|Pasil|BAB|Bagian|Paragraf|Lampiran|Judul|Penjelasan|angka|huruf|ayat)\b", re.I)


_INSERTS_UNITS = re.compile(
    r"disisip\w*\s+(?:\d+\s*\(\w+\)\s*|[IVXl]\s*\(\w+\)\s*)?(?:pasal|bab|bagian|paragraf)\b|disisip\w*\s+sebagai\s+berikut", re.I
)


def _operation(instr: str) -> str:
    """disisipkan when whole units (pasal, bab) are inserted; dihapus when the target goes away
    without being restated; otherwise the target is restated as changed: diubah (an ayat
    inserted into or deleted from an article restates that article)."""
    m = P.AMEND_VERBS.search(instr)
    first = m.group(1).lower() if m else "diubah"
    if first.startswith("disisip"):
        return "disisipkan" if _INSERTS_UNITS.search(instr) else "diubah"
    if first == "dihapus" and not re.search(r"berbunyi|sebagai\s+berikut", instr, re.I):
        return "dihapus"
    return "diubah"


def _readings(num: str) -> list[str]:
    return [r for r in heading_readings(num) if r[0].isdigit()]


def _expected_numbers(instr: str) -> list[str]:
    """Article numbers an instruction announces, OCR readings included, bounded by
    "Di antara Pasal X dan Pasal Y" when there is one."""
    nums: list[str] = []
    for m in _TARGET_RX.finditer(instr):
        for r in _readings(m.group("num")):
            if r not in nums:
                nums.append(r)
    for m in re.finditer(r"\b(?:Pasil|PasaT)\s?(?P<num>[0-9OoIlTSB]{1,4}[A-H]?)\b", instr):
        for r in _readings(m.group("num")):
            if r not in nums:
                nums.append(r)
    b = _BETWEEN.search(instr)
    if b:
        lo = next(iter(_readings(b.group("a"))), None)
        hi = next(iter(_readings(b.group("b"))), None)
        if lo and hi:
            klo, khi = _num_key(lo), _num_key(hi)
            inside = [n for n in nums if klo < _num_key(n) < khi]
            if inside:
                return inside
    return nums


def _target(instr: str, articles: list[Article]) -> tuple[str | None, str]:
    bab = _BAB_INSERT.search(instr)
    if bab and not _YAKNI.search(instr):
        return None, re.sub(r"\s+", " ", bab.group("bab"))
    y = _YAKNI.search(instr)
    if y:
        first = _TARGET_RX.search(y.group("list")) or re.search(r"(?:Pasil|PasaT)\s?(?P<num>\S+)", y.group("list"))
        exp = _expected_numbers(instr)
        art = articles[0].number if articles else (exp[0] if exp else None)
        if art is None and first:
            art = next(iter(_readings(first.group("num"))), None)
        return art, f"Pasal {art}" if art else y.group("list")
    if articles:
        art = articles[0].number
    else:
        text = _BETWEEN.sub(" ", instr)
        m = _TARGET_RX.search(text)
        art = next(iter(_readings(m.group("num"))), None) if m else None
    if re.match(r"\s*Penjelasan\b", instr, re.I):
        return art, f"Penjelasan Pasal {art}" if art else "Penjelasan"
    if art is None:
        lm = _LAMPIRAN_T.search(instr)
        if lm:
            return None, lm.group("l")
        return None, re.sub(r"\s+", " ", instr[:80]).strip()
    return art, f"Pasal {art}"


def _split_inline_items(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    for ln in lines:
        t = ln.text
        cuts = [m.start() for m in P.INLINE_ITEM.finditer(t)]
        if not cuts:
            out.append(ln)
            continue
        prev = 0
        for c in cuts:
            if t[prev:c].strip():
                out.append(Line(t[prev:c].strip(), ln.page))
            prev = c
        out.append(Line(t[prev:].strip(), ln.page))
    return out


def parse_items(
    lines: list[Line], *, target_work: str | None, warnings: list[ParseWarning] | None = None
) -> list[AmendmentItem]:
    """Items of the text of Pasal I (heading excluded)."""
    lines = _split_inline_items(lines)
    # item starts: a line that opens with (a number and) an instruction
    starts: list[tuple[int, str | None]] = []
    for i, ln in enumerate(lines):
        m = P.ITEM_START.match(ln.text)
        if not m:
            continue
        # the instruction runs to the line that ends with ":" or "." (at most 6 lines)
        instr_lines = []
        for j in range(i, min(i + 7, len(lines))):
            instr_lines.append(lines[j].text)
            if re.search(r"(?:berikut|berbunyi)\s*:?\s*$|[:.]\s*$", lines[j].text):
                break
        instr = " ".join(instr_lines)
        if len(instr) < 12 or not P.AMEND_VERBS.search(instr[:600]) or not _IS_INSTRUCTION.search(instr[:600]):
            continue
        if not _HAS_TARGET.search(instr[:300]):
            continue
        if re.match(r"^Ketentuan\s+(?:lebih\s+lanjut|mengenai|sebagaimana)", ln.text, re.I) and not m.group("num"):
            continue
        num = m.group("num")
        starts.append((i, num))
    # the item number: as written (OCR-repaired), else the previous one plus one;
    # a repeated start of the same item (a footer continuation) is dropped
    items: list[AmendmentItem] = []
    kept: list[tuple[int, str]] = []
    n_prev = 0
    for i, num in starts:
        d = None
        if num:
            d = num.replace("l", "1").replace("I", "1").replace(" ", "")
            if not d.isdigit():
                d = None
        n = int(d) if d else n_prev + 1
        if kept and n == n_prev and d:
            kept[-1] = (i, str(n))  # the later copy is the real one
            continue
        if d and n != n_prev + 1 and abs(n - (n_prev + 1)) > 2:
            n = n_prev + 1
        kept.append((i, str(n)))
        n_prev = n
    for k, (i, number) in enumerate(kept):
        end = kept[k + 1][0] if k + 1 < len(kept) else len(lines)
        seg = lines[i:end]
        # instruction: up to the first quoted heading (Pasal or BAB alone on its line)
        j = 0
        for j in range(len(seg)):
            t = seg[j].text
            if j > 0 and (re.match(r"^(?:Pasa\S*|PasaT|Pasil)\s?\S{0,6}$", t) or P.BAB_LINE.match(t) and j > 0):
                break
        else:
            j = len(seg)
        instr_lines = [s.text for s in seg[:j]] if j else [seg[0].text]
        instr = join_lines(instr_lines)
        instr = P.ITEM_START.sub("", instr, count=1).strip()
        quoted = list(seg[j:])
        # "... sebagai berikut: Pasal 71A Dalam hal ..." on one line: the rest is quoted text
        cut = re.search(r"(?:sebagai\s+berikut|berbunyi)\s*:", instr)
        if cut and instr[cut.end():].strip():
            quoted.insert(0, Line(instr[cut.end():].strip(), seg[0].page))
            instr = instr[: cut.end()]
        instr_exp = _expected_numbers(instr)
        arts: list[Article] = []
        if quoted:
            arts, _region = segment_articles(quoted, expected=instr_exp, warnings=warnings)
        art, target = _target(instr, arts)
        if not arts and re.search(r"penjelasan", instr, re.I) and not re.search(r"\bdihapus\b", instr, re.I):
            art = None  # only the Penjelasan changes: no article of the amended work is restated
        text = join_lines([s.text for s in quoted]) if quoted else ""
        items.append(AmendmentItem(
            number=number, operation=_operation(instr), instruction=re.sub(r"\s+", " ", instr).strip(),
            target_work=target_work, target_article=art, target=target, text=text, articles=arts,
            page=seg[0].page,
        ))
    return items


def attach_penjelasan(items: list[AmendmentItem], pdp_lines: list[Line]) -> None:
    """Attach the "Pasal I ... Angka N ... Pasal X ..." explanations of an amending regulation to
    the quoted articles of its items."""
    if not pdp_lines or not items:
        return
    region = Region(pdp_lines)
    text = region.text
    # restrict to Pasal I: up to "Pasal II" alone on its line
    m2 = re.search(r"(?m)^Pasal\s+II\s*$", text)
    body = text[: m2.start()] if m2 else text
    # "Angka N" markers split the explanations per item
    angka = list(re.finditer(r"(?:(?<=\n)|(?<=[.:]\s)|^)Angka\s+(?P<n>[0-9lIO]{1,3})\b", body))
    by_item = {it.number: it for it in items}
    segments: list[tuple[str | None, str]] = []
    if angka:
        for k, m in enumerate(angka):
            e = angka[k + 1].start() if k + 1 < len(angka) else len(body)
            n = m.group("n").replace("l", "1").replace("I", "1").replace("O", "0")
            segments.append((n, body[m.end():e]))
    else:
        segments.append((None, body))
    for n, seg in segments:
        seg_lines = [Line(s.strip()) for s in seg.split("\n") if s.strip()]
        it = by_item.get(n) if n else None
        cands = [it] if it else items
        exp = [a.number for c in cands for a in c.articles]
        arts, _ = segment_articles(seg_lines, expected=exp, with_divisions=False)
        for a in arts:
            for c in cands:
                target = next((x for x in c.articles if x.number == a.number and x.penjelasan is None), None)
                if target is not None:
                    target.penjelasan = a.text
                    break
