"""Parse one regulation text (or file) into an :class:`ingest.models.Regulation`.

>>> from ingest.parser import parse_text
>>> reg = parse_text("UNDANG-UNDANG REPUBLIK INDONESIA\\nNOMOR 1 TAHUN 2099\\nTENTANG\\nCONTOH\\n"
...                  "Pasal 1\\nTeks pasal.")   # synthetic doctest text, not a regulation
>>> reg.id, [a.number for a in reg.articles]
('uu-1-2099', ['1'])
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest import patterns as P
from ingest.amendments import attach_penjelasan, parse_items
from ingest.ids import JENIS, RegulationId
from ingest.models import Article, ParseWarning, Regulation, Relation, SourceInfo
from ingest.normalize import Line, clean_pages, join_lines, split_pages, strip_converter_header
from ingest.heading import parse_heading
from ingest.penjelasan import penjelasan_by_article, penjelasan_parts
from ingest.preamble import parse_dates, parse_preamble
from ingest.structure import Region, find_pasal_headings, segment_articles, sequence_warnings

try:  # the citation finder is another module of this package (contract in docs/architecture.md)
    from ingest.citations import find_citations
except ImportError:  # pragma: no cover - only while ingest/citations.py is being written
    find_citations = None  # type: ignore[assignment]

_REGIONAL = {"perda", "perbup", "perwal", "pergub", "kepwal"}


def _first(lines: list[Line], rx: re.Pattern, start: int = 0, stop: int | None = None, search: bool = False) -> int | None:
    stop = len(lines) if stop is None else min(stop, len(lines))
    for i in range(start, stop):
        if (rx.search if search else rx.match)(lines[i].text):
            return i
    return None


def _citations(text: str, region: str | None):
    if find_citations is None or not text:
        return []
    try:
        return find_citations(text, default_region=region)
    except TypeError:
        return find_citations(text)


def _amended_work(judul: str | None, opening: str, own_id: str | None, region: str | None,
                  warnings: list[ParseWarning]) -> str | None:
    from_title = None
    if judul:
        m = P.PERUBAHAN_TITLE.search(judul)
        if m:
            cs = [c for c in _citations(m.group("cite"), region) if c.work_id]
            from_title = cs[0].work_id if cs else None
    from_opening = None
    cs = [c for c in _citations(opening[:600], region) if c.work_id]
    if cs:
        from_opening = cs[0].work_id
    if from_opening and from_opening != own_id:
        if from_title and from_title != from_opening:
            warnings.append(ParseWarning(
                "target_mismatch",
                f"the title amends {from_title} but Pasal I names {from_opening}; {from_title} (the title) is kept",
            ))
            return from_title
        return from_opening
    if from_opening == own_id and own_id:
        warnings.append(ParseWarning(
            "target_mismatch", f"Pasal I names the regulation itself ({own_id}) as the amended work"
            + (f"; the title's {from_title} is used" if from_title else ""),
        ))
    return from_title


def _is_amending(region: Region, roman_heads) -> bool:
    nums = [h.number for h in roman_heads]
    if "I" not in nums or "II" not in nums:
        return False
    h = roman_heads[nums.index("I")]
    return bool(P.AMEND_VERBS.search(region.text[h.end:h.end + 800]))


def parse_text(text: str, *, source: SourceInfo | None = None, page_texts: list[str] | None = None) -> Regulation:
    """Parse already-extracted text. ``page_texts`` (one text per page) gives pages to articles
    and warnings; without it, form feeds in ``text`` separate pages when present."""
    warnings: list[ParseWarning] = []
    if page_texts:
        pages = list(page_texts)
        pages[0] = strip_converter_header(pages[0])
        paged = True
    else:
        pages = split_pages(strip_converter_header(text))
        paged = len(pages) > 1
    lines = clean_pages(pages, paged=paged)

    # --- landmarks
    i_rahmat = _first(lines, P.DENGAN_RAHMAT, 0, 120, search=True)
    i_menimbang = _first(lines, P.MENIMBANG, 0, 200, search=True)
    i_head_end = i_rahmat if i_rahmat is not None else (i_menimbang + 1 if i_menimbang is not None else min(len(lines), 25))
    head_lines = lines[: max(1, i_head_end + (1 if i_rahmat is not None and i_rahmat == 0 else 0))]
    if i_rahmat is not None and i_rahmat > 0:
        head_lines = lines[:i_rahmat] + [lines[i_rahmat]]
    info = parse_heading(head_lines)
    warnings.extend(info.warnings)
    pre_from = i_rahmat if i_rahmat is not None else (i_menimbang or 0)
    i_memutuskan = _first(lines, P.MEMUTUSKAN, pre_from, search=True)
    body_start = (i_memutuskan + 1) if i_memutuskan is not None else None
    if body_start is None:
        # no MEMUTUSKAN: the body starts at the first BAB or "Pasal 1" line after the preamble
        for i in range((i_menimbang or 0) + 1, len(lines)):
            t = lines[i].text
            if P.BAB_LINE.match(t) or re.match(r"^Pasal\s+[1I]\s*$", t):
                body_start = i
                break
    if body_start is None:
        body_start = next((i for i in range((i_menimbang or 0), len(lines))
                           if re.match(r"^Pasal\s+\d+[A-Z]?\s*$", lines[i].text)), len(lines))
    i_close = None
    for i in range(body_start, len(lines)):
        t = lines[i].text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if (P.CLOSING.match(t) and re.search(r"memerintahkan", t + " " + nxt)) or P.SIGNED.match(t):
            i_close = i
            break
    i_penj = _first(lines, P.PENJELASAN_HEAD, i_close if i_close is not None else body_start)
    if i_penj is None:
        after = i_close if i_close is not None else body_start
        i_penj = _first(lines, P.UMUM_HEAD, after)
        if i_penj is None and i_close is not None:
            i_penj = _first(lines, P.PDP_HEAD, after)
    lamp_from = max(x for x in (body_start, i_close, i_penj) if x is not None)
    i_lamp = _first(lines, P.LAMPIRAN_HEAD, lamp_from)
    body_end = next((x for x in (i_close, i_penj, i_lamp) if x is not None), len(lines))

    # --- preamble
    if i_memutuskan is not None or body_start < len(lines):
        pre_lines = lines[pre_from: i_memutuskan + 1 if i_memutuskan is not None else body_start]
        pre_text = "\n".join(ln.text for ln in pre_lines)
        rm = P.DENGAN_RAHMAT.search(pre_text)
        if rm:
            pre_text = pre_text[rm.end():]
        menimbang, mengingat = parse_preamble(pre_text)
    else:
        menimbang, mengingat = [], []

    own = None
    if info.jenis and info.nomor and info.tahun:
        try:
            own = RegulationId(info.jenis, info.nomor, info.tahun, info.region if info.jenis in _REGIONAL else None)
        except Exception:  # pragma: no cover
            own = None
    own_id = str(own) if own else None

    # --- body
    body_lines = lines[body_start:body_end]
    region = Region(body_lines)
    roman_heads = find_pasal_headings(region, roman=True)
    amending = _is_amending(region, roman_heads)
    amendments = []
    if amending:
        articles, _ = segment_articles(body_lines, roman=True, with_divisions=False)
        h1 = next(h for h in roman_heads if h.number == "I")
        h2 = next((h for h in roman_heads if h.number == "II" and h.start > h1.start), None)
        a, b = region.line_of(h1.end), region.line_of(h2.start) if h2 else len(body_lines)
        first = region.text[h1.end:region.line_end(a)].strip()
        i_lines = ([Line(first, body_lines[a].page)] if first else []) + body_lines[a + 1:b]
        opening = join_lines([ln.text for ln in i_lines[:12]])
        target_work = _amended_work(info.judul, opening, own_id, info.region, warnings)
        amendments = parse_items(i_lines, target_work=target_work, warnings=warnings)
        if not amendments:
            warnings.append(ParseWarning("no_amendment_items", "Pasal I has no readable change items", body_lines[a].page))
    else:
        articles, _ = segment_articles(body_lines, warnings=warnings)
        warnings.extend(sequence_warnings(articles))

    # --- penjelasan and lampiran
    penjelasan_umum = None
    if i_penj is not None:
        penj_lines = lines[i_penj: i_lamp if i_lamp is not None and i_lamp > i_penj else len(lines)]
        penjelasan_umum, pdp = penjelasan_parts(penj_lines)
        if amending:
            attach_penjelasan(amendments, pdp)
            pj = penjelasan_by_article(pdp, roman=True)
        else:
            pj = penjelasan_by_article(pdp)
        for art in articles:
            if art.number in pj:
                art.penjelasan = pj[art.number]
    lampiran = "\n".join(ln.text for ln in lines[i_lamp:]) if i_lamp is not None else None

    # --- dates
    close_end = next((x for x in (i_penj, i_lamp) if x is not None and x > body_end), len(lines))
    dates = parse_dates("\n".join(ln.text for ln in lines[body_end:close_end]))
    if not dates["tanggal_penetapan"] and i_close is None:
        dates = parse_dates("\n".join(ln.text for ln in lines))

    # --- relations
    relations: list[Relation] = []
    seen: set[tuple[str, str | None]] = set()

    def add(rel: Relation) -> None:
        key = (rel.type, rel.target or rel.citation)
        if key not in seen:
            seen.add(key)
            relations.append(rel)

    tw = amendments[0].target_work if amendments else None
    if not tw and info.judul and P.PERUBAHAN_TITLE.search(info.judul):
        # a "Perubahan atas ..." written with plain Pasal 1..N (no Pasal I): the title names the work
        tw = _amended_work(info.judul, "", own_id, info.region, [])
    if tw:
        add(Relation("mengubah", tw, tw))
    for item in mengingat:
        cs = _citations(item, info.region)
        if not cs:
            add(Relation("dasar_hukum", None, item[:300]))
        for c in cs:
            add(Relation("dasar_hukum", c.work_id, c.text, article=c.pasal))
    for art in articles:
        units = [y.text for y in art.ayat] or [art.text]
        for unit, m in ((u, m) for u in units for m in P.REVOKE.finditer(u)):
            # the revoking ayat (or article) up to "dicabut ..."; each ";"-separated list item
            # decides for itself whether a whole work or a part of it is revoked
            seg = re.sub(r"-\s+(?=[A-Z])", "-", unit[: m.start()])
            for c in _citations(seg, info.region):
                if c.work_id is None or c.work_id == own_id:
                    continue
                item_start = max(seg.rfind(";", 0, c.start), 0)
                lead = seg[item_start: c.start]
                partial = bool(c.pasal) or bool(re.search(r"\bPasal\s+\d|\bsepanjang\b|\bsebagian\b", lead, re.I))
                add(Relation("mencabut_sebagian" if partial else "mencabut", c.work_id, c.text,
                             article=c.pasal, note=f"Pasal {art.number}"))

    if not articles:
        warnings.append(ParseWarning("no_articles", "no Pasal heading was found: this may not be a regulation text"))

    jenis_name, singkatan = (JENIS[info.jenis] if info.jenis in JENIS else (None, None))
    return Regulation(
        id=own_id, jenis=jenis_name, singkatan=singkatan, nomor=info.nomor, tahun=info.tahun,
        judul=info.judul, region=info.region if info.jenis in _REGIONAL else None,
        tempat=dates["tempat"], tanggal_penetapan=dates["tanggal_penetapan"],
        tanggal_pengundangan=dates["tanggal_pengundangan"], menimbang=menimbang, mengingat=mengingat,
        articles=articles, penjelasan_umum=penjelasan_umum, lampiran=lampiran, amendments=amendments,
        relations=relations, warnings=warnings, sources=[source] if source else [],
    )


def parse_file(path: str | Path, *, settings=None) -> Regulation:
    """Load a file (PDF: text layer or OCR; text) and parse it. Bad input raises an
    ``ingest.errors.IngestError`` subclass; a text without articles carries a ``no_articles`` warning."""
    from ingest.loader import load_document

    load = load_document(path, settings)
    reg = parse_text("\n".join(load.pages), page_texts=load.pages, source=load.source)
    reg.warnings = list(load.warnings) + reg.warnings
    return reg
