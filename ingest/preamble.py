"""Menimbang and Mengingat items (``parse_preamble``) and the dates of enactment and
promulgation (``parse_dates``)."""
from __future__ import annotations

import re
import difflib

from ingest import patterns as P
from ingest.normalize import repair_digits

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
            one = P.FIRST_NUMBERED_ITEM.search(body, last_b.start())
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


def _semicolon_items(text: str) -> list[str]:
    """Items of a list whose labels are lost or displaced: the text split after each ";" that
    is followed by the capitalised start of the next item. A short tail without a number
    ("Dengan", the first word of "Dengan Persetujuan Bersama") stays with the last item."""
    # boundaries: the item ends, and a numbered label that is ahead of the count of items so
    # far (the separator before it was lost: "... Tahun 2018, 23. Peraturan ...")
    events = [(m.end(), "end", 0) for m in P.ITEM_END.finditer(text)]
    events += [(m.start(), "label", int(m.group("num"))) for m in P.NUMBERED_ITEM.finditer(text)]
    events.sort()
    cuts, count, last_label = [], 1, 0
    for pos, kind, n in events:
        if kind == "end":
            cuts.append(pos)
            count += 1
        elif last_label < n <= last_label + 10:
            last_label = n
            if n > count and text[cuts[-1] if cuts else 0:pos].strip() and P.ITEM_OPENING.match(text, pos):
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
        items[0] = _clean_item(P.LEAD_DEBRIS.sub("", items[0])) or items[0]
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
