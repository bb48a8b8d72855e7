"""Read the structure of a Lampiran: LAMPIRAN I/II..., its lettered and numbered headings, and the
tables under them, one row at a time.

Regional tax and levy regulations put their tariffs in the Lampiran, as tables whose text layer
comes out one cell-fragment a line::

    A. Pelayanan Kesehatan
    1. Pelayanan Kesehatan di Puskesmas, ...
    a. Pelayanan Kesehatan di Puskesmas, Puskesmas Keliling, dan
    Puskesmas Pembantu
    NO JENIS PELAYANAN SATUAN TARIF (RP)
    1. Tarif Pelayanan Non Medis
    a. Pelayanan rawat jalan Per Kunjungan 10.000
    b. Pelayanan akomodasi rawat
    inap per hari, termasuk
    layanan gizi
    Per Kunjungan 300.000

:func:`parse_lampiran` turns that into sections (``Lampiran I``, heading path ``A.1.a``), each
with its column header and its rows; a row is every line up to the one that ends in an amount,
kept whole, with the in-table group labels above it ("1. Tarif Pelayanan Non Medis") and its unit
("Per Kunjungan") and amounts ("10.000") read apart for the reader's table. A heading is told from
an in-table group label by what follows it: a heading leads (through other heading lines) to a
column header, a group label to rows. Nothing is guessed: a line that is neither stays in the
row or note it belongs to, word for word.

The rules are layout conventions of Indonesian regulations (Permendagri 80/2015 lampiran format),
written here because no library reads them; they were checked on Perda Kabupaten Banjarnegara
8/2025 (tests/test_lampiran.py).

>>> secs = parse_lampiran("LAMPIRAN I\\nSTRUKTUR TARIF\\nA. Contoh Layanan\\nNO JENIS PELAYANAN SATUAN TARIF (RP)\\n"
...                       "1. Layanan contoh Per Kunjungan 10.000")   # synthetic doctest text
>>> s = secs[0]; s.lampiran, s.path_label, s.rows[0].unit, s.rows[0].amounts
('I', 'A', 'Per Kunjungan', ['10.000'])
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_LAMPIRAN = re.compile(r"^LAMPIRAN(?:\s+(?P<n>[IVXL]+))?\s*:?\s*(?:(?:UNDANG|PERATURAN|KEPUTUSAN|KETETAPAN)\b.*)?$")
# "A. Judul", "1. Judul", "a. Judul", "1) Judul", "a) Judul", "12 Judul" (a number alone: RSUD tables)
_LABEL = re.compile(r"^(?P<label>(?P<upper>[A-Z])\.|(?P<digit>\d{1,3})\.|(?P<lower>[a-z])\.|(?P<dparen>\d{1,3})\)|(?P<lparen>[a-z])\)|\((?P<pparen>\d{1,2})\)|(?P<bare>\d{1,3}))(?:\s+|$)")
_HEADER = re.compile(r"^N[Oo]\.?\s+[A-Za-z(]")
_NOTE = re.compile(r"^(?:Keterangan\s*:?|[➢•*]\s*\S)")
_CLOSING = re.compile(r"^(?:Ditetapkan\s+di\b|BUPATI\b|WALIKOTA\b|WALI\s+KOTA\b|GUBERNUR\b|TELAH\s+DITELITI\b)")
_AMOUNT = r"(?:Rp\.?\s?)?(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?(?:\s?/\s?[\w²³.]+)*|\d+(?:,\d+)?(?:\s?/\s?[\w²³.]+)+)"
_SMALL = r"(?:Rp\.?\s?)?\d+(?:,\d+)?(?:\s?/\s?[\w²³.]+)*|-"
# a unit right before the amounts: "Per Kunjungan", "per parameter pemeriksaan", "1 x tindakan", "1 hari"
_UNIT = r"(?:[Pp]er\s+[A-Za-z/]+(?:\s+[a-z]+)?|\d+\s*[xX]\s+[A-Za-z]+|\d+\s+(?:hari|jam|bulan|tahun|kali|orang|malam))"
_ROW_END_BIG = re.compile(rf"(?:^|\s)(?P<amounts>{_AMOUNT}(?:\s+(?:{_AMOUNT}|{_SMALL}))*)\s*$")
_ROW_END_UNIT = re.compile(rf"(?P<unit>{_UNIT})\s+(?P<amounts>(?:{_AMOUNT}|{_SMALL})(?:\s+(?:{_AMOUNT}|{_SMALL}))*)\s*$")
_AMOUNT_TOKEN = re.compile(rf"{_AMOUNT}|{_SMALL}")
_UNIT_TAIL = re.compile(rf"(?:^|\s)(?P<unit>{_UNIT})\s*$")
_STYLES = ("upper", "digit", "lower", "dparen", "lparen", "pparen", "bare")


@dataclass
class Row:
    """One table row, whole: ``number`` is its place in the section's table (``baris 1``)."""
    number: int
    text: str  # the description, with its own label ("a. Pelayanan rawat jalan")
    unit: str | None
    amounts: list[str]
    groups: list[str] = field(default_factory=list)  # in-table group labels above it
    raw: str = ""

    @property
    def cells(self) -> str:
        """The row without its group labels: description | unit | amounts."""
        return " | ".join(p for p in (self.text, self.unit, " ".join(self.amounts)) if p)

    @property
    def line(self) -> str:
        """The row as one searchable line: groups › description | unit | amounts."""
        head = " › ".join([*self.groups, self.text])
        return " | ".join(p for p in (head, self.unit, " ".join(self.amounts)) if p)


@dataclass
class Section:
    """The text under one heading of a Lampiran: its column header, rows and notes."""
    lampiran: str  # "I", "II"; "" for an unnumbered LAMPIRAN
    title: str  # "STRUKTUR DAN BESARAN TARIF RETRIBUSI JASA UMUM"
    headings: list[str]  # ["A. Pelayanan Kesehatan", "1. Pelayanan ...", "a. Pelayanan ..."]
    labels: list[str]  # ["A", "1", "a"]
    header: str | None = None  # "NO JENIS PELAYANAN SATUAN TARIF (RP)"
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # lines that are neither row nor note
    table: int = 1  # the n-th table under the same heading

    @property
    def path_label(self) -> str:
        return ".".join(self.labels)

    @property
    def citation(self) -> str:
        """"Lampiran I, A.1.a" (the section); a row adds ", baris N"."""
        head = f"Lampiran {self.lampiran}".strip()
        head = f"{head}, {self.path_label}" if self.labels else head
        return f"{head}, tabel {self.table}" if self.table > 1 else head

    @property
    def anchor(self) -> str:
        """The reader's fragment for this section: ``lampiran-i-a-1-a``."""
        return lampiran_anchor(self.lampiran, self.path_label) + (f"-tabel-{self.table}" if self.table > 1 else "")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(citation=self.citation, anchor=self.anchor, path_label=self.path_label)
        for r, row in zip(d["rows"], self.rows):
            r["line"] = row.line
        return d


def lampiran_anchor(lampiran: str, path_label: str = "", row: int | None = None) -> str:
    parts = ["lampiran", (lampiran or "").lower(), *(p.lower() for p in path_label.split(".") if p)]
    if row:
        parts += ["baris", str(row)]
    return "-".join(re.sub(r"[^0-9a-z]+", "", p) or "x" for p in parts if p)


def _label(line: str) -> tuple[str, str, str] | None:
    """(style, label, rest) of a numbered or lettered line."""
    m = _LABEL.match(line)
    if not m:
        return None
    style = next(s for s in _STYLES if m.group(s))
    return style, m.group(style), line[m.end():].strip()


def _succ(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)


def _first_label(label: str) -> bool:
    return label in ("1", "a", "A")


def _cut(stack: list[tuple[str, str, str]], style: str, label: str, *, row: bool = False) -> int:
    """Where a new label goes in an outline (``stack[:cut] + [new]``). Its elder sibling is the
    deepest entry of the same style whose label precedes it ("B" after "A", "4" after "3"): the
    same style can sit at two depths (Lampiran I "A. Pelayanan Kesehatan" and, under "b. ...
    Rumah Sakit", "A. Pelayanan Rawat Jalan"). A first label ("A", "1", "a") opens a level under
    the deepest. A row only closes the group it follows in sequence."""
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == style and _succ(stack[k][1]) == label:
            return k
    if row or _first_label(label):
        return len(stack)
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == style:
            return k
    return len(stack)


def _row_end(line: str) -> re.Match | None:
    return _ROW_END_UNIT.search(line) or _ROW_END_BIG.search(line)


def _header_line(t: str) -> bool:
    return not _label(t) and not _row_end(t) and len(t) <= 40 \
        and not re.search(r"\d", t.replace("(Rp)", "").replace("(RP)", ""))


def _same_header(current: str, line: str, lines: list[str], i: int) -> bool:
    """Whether the header at ``line`` (continued in ``lines[i:]``) repeats ``current``."""
    whole = [line]
    for t in lines[i:i + 12]:
        if not _header_line(t):
            break
        whole.append(t)
    norm = lambda x: re.sub(r"\W+", "", x).lower()  # noqa: E731
    return norm(" ".join(whole)) == norm(current) or norm(line) == norm(current)


def _leads_to_header(lines: list[str], i: int) -> bool:
    """Whether the labelled line ``i`` is a heading: through heading text it reaches a column header."""
    for j in range(i + 1, min(len(lines), i + 10)):
        t = lines[j]
        if _HEADER.match(t):
            return True
        if _row_end(t) or _LAMPIRAN.match(t) or _NOTE.match(t):
            return False
    return False


def parse_lampiran(text: str | None) -> list[Section]:
    """The sections of a Lampiran text (``Regulation.lampiran``), in order."""
    if not text:
        return []
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    sections: list[Section] = []
    lamp, title = "", ""
    stack: list[tuple[str, str, str]] = []  # (style, label, heading text) of the outline
    sec: Section | None = None
    groups: list[tuple[str, str, str]] = []  # (style, label, text) of in-table group labels
    buf: list[str] = []
    in_header = False
    skip_repeat = False
    in_note = False
    closing = False
    i = 0

    def new_section() -> Section:
        s = Section(lamp, title, [h for _, _, h in stack], [lab for _, lab, _ in stack])
        sections.append(s)
        return s

    def flush_group() -> None:
        # a labelled line without an amount followed by another label: an in-table group label
        nonlocal buf
        if not buf:
            return
        lab = _label(buf[0])
        if lab:
            del groups[_cut(groups, lab[0], lab[1]):]
            groups.append((lab[0], lab[1], " ".join(buf)))
        elif sec is not None and sec.rows:
            # an unlabelled group line between rows ("Pemakaian Kandang Lebih Dari 1 Hari"):
            # it takes the place of the group the rows above it were under
            if groups:
                groups.pop()
            groups.append(("text", "", " ".join(buf)))
        elif sec is not None:
            sec.text.append(" ".join(buf))
        buf = []

    while i < len(lines):
        t = lines[i]
        i += 1
        m = _LAMPIRAN.match(t)
        if m:
            flush_group()
            lamp = m.group("n") or ""
            # the heading block: "PERATURAN DAERAH ... NOMOR ... TENTANG ..." up to the title line
            title, stack, sec, groups, in_header, in_note, closing = "", [], None, [], False, False, False
            block: list[str] = []
            while i < len(lines) and not _label(lines[i]) and not _HEADER.match(lines[i]) and len(block) < 14:
                block.append(lines[i])
                i += 1
            # the title is what follows the regulation's own title ("STRUKTUR DAN BESARAN TARIF ...")
            k = max((n for n, b in enumerate(block) if re.match(r"^(?:TENTANG|NOMOR)\b", b)), default=-1)
            rest = block[k + 1:]
            if k >= 0 and rest:
                # the regulation's title runs on in capitals; the Lampiran's title is its last line(s)
                title = rest[-1]
            else:
                title = " ".join(block)
            continue
        if closing:
            continue
        if _CLOSING.match(t):
            flush_group()
            closing = True
            continue
        if _HEADER.match(t):
            flush_group()
            if sec is not None and sec.header and _same_header(sec.header, t, lines, i):
                # the column header repeated at the top of the next page: the same table goes on
                in_header, in_note = True, False
                skip_repeat = True
                continue
            if sec is None or sec.rows or sec.header:
                sec = new_section()
            sec.header = t
            skip_repeat = False
            groups = []
            in_header, in_note = True, False
            continue
        if in_header:
            # a header runs over several lines ("NO NAMA / FORMULA KODE SATUAN / JASA / (Rp)")
            if _header_line(t) and sec is not None:
                if not skip_repeat:
                    sec.header = f"{sec.header} {t}"
                continue
            in_header = False
        if _NOTE.match(t):
            flush_group()
            if sec is None:
                sec = new_section()
            sec.notes.append(t)
            in_note = True
            continue
        lab = _label(t)
        if in_note and not lab and not _row_end(t):
            sec.notes[-1] += " " + t  # a note runs on
            continue
        in_note = False
        if lab and lab[0] != "bare" and not _row_end(t) and (
                _leads_to_header(lines, i - 1)
                # "P. Ambulan" after "O. Gas Medik": the next capital letter of the deepest heading
                or (lab[0] == "upper" and stack and stack[-1][0] == "upper" and _succ(stack[-1][1]) == lab[1])):
            # a heading: it takes its place in the outline (see _cut)
            flush_group()
            style, label, rest = lab
            heading = [t]
            while i < len(lines) and not _label(lines[i]) and not _HEADER.match(lines[i]) \
                    and not _row_end(lines[i]) and not _NOTE.match(lines[i]) and not _LAMPIRAN.match(lines[i]):
                heading.append(lines[i])
                i += 1
            stack = stack[:_cut(stack, style, label)]
            stack.append((style, label, " ".join(heading)))
            sec, groups = None, []
            continue
        if lab and _ROW_END_UNIT.match(t):
            lab = None  # "1 x pemeriksaan 45.000" ends the row above, it opens none
        if lab and buf:
            flush_group()
        if len(buf) == 1 and _label(buf[0]) and not lab and _row_end(t) and i < len(lines) \
                and not _label(lines[i]) and _row_end(lines[i]):
            # "a. Kios Pasar Harian Kelas I" over unlabelled rows ("Ukuran < 5 m² 2.500/hari",
            # "Ukuran 5 s.d 8,9 m² 3.000/hari"): the labelled line names them, it is no row's start
            flush_group()
        buf.append(t)
        end = _row_end(" ".join(buf))
        if end:
            whole = " ".join(buf)
            if sec is None:
                sec = new_section()
            lab0 = _label(whole)
            if lab0:
                del groups[_cut(groups, lab0[0], lab0[1], row=True):]
            unit = end.groupdict().get("unit")
            desc = whole[: end.start("unit") if unit else end.start("amounts")].strip()
            sec.rows.append(Row(
                number=len(sec.rows) + 1, text=desc, unit=unit,
                amounts=_AMOUNT_TOKEN.findall(end.group("amounts")),
                groups=[g for _, _, g in groups], raw=whole,
            ))
            buf = []
    flush_group()
    out = [s for s in sections if s.rows or s.notes or s.text]
    seen: dict[str, int] = {}
    for s in out:  # two tables under one heading: "Lampiran I, A.1.b.B, tabel 2"
        n = seen[s.citation] = seen.get(s.citation, 0) + 1
        s.table = n
    return out


def replaced_lampiran(amendments) -> dict[str, dict[str, Any]]:
    """Which Lampiran of this regulation replace which of the amended work, read from the change
    items: "Ketentuan Lampiran II Peraturan Daerah Nomor 8 Tahun 2023 ... diubah sehingga menjadi
    sebagaimana tercantum dalam Lampiran II ..." gives ``{"II": {"work": ..., "lampiran": "II",
    "item": "12", "instruction": ...}}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in amendments or []:
        get = (lambda k: item.get(k)) if isinstance(item, dict) else (lambda k: getattr(item, k, None))  # noqa: E731
        instr, work = get("instruction"), get("target_work")
        if not instr:
            continue
        m = re.search(r"tercantum\s+dalam\s+Lampiran\s+(?P<n>[IVXL]+)\b", instr)
        if m and re.search(r"\bLampiran\b", instr[: m.start()]):
            target = re.search(r"\bLampiran\s+(?P<n>[IVXL]+)\b", instr[: m.start()])
            out[m.group("n")] = {"work": work, "lampiran": target.group("n") if target else m.group("n"),
                                 "item": str(get("number") or ""), "instruction": instr}
    return out
