"""The law as in force on a date: a work's text with the change items of its amending works applied.

A pure function over the stored records (``Regulation`` of :mod:`ingest.models`): the amended
work and the works that amend it go in, dated versions (expressions) come out. Nothing here reads
a store or knows about HTTP.

- The amending works are applied in the order they took effect: the date their closing article
  names ("mulai berlaku pada tanggal ..."), else their tanggal pengundangan.
- ``diubah`` replaces the restated article (its Penjelasan with it, when the amending work
  explains it), or only the Penjelasan ("Ketentuan Pasal 5 tetap dengan perubahan penjelasan"),
  or only the ayat it quotes; ``disisipkan`` inserts the new article in number order
  (27A after 27, before 28); ``dihapus`` keeps the article, marked deleted.
- Every article carries its history: which work and which item set its text, since when.
- An item that cannot be applied (no target, a target that is not there, a Lampiran) is listed in
  ``not_applied`` with the reason, never dropped.
- A provision the amending work limits in time ("... berlaku sampai dengan diberlakukannya
  Undang-Undang Nomor 1 Tahun 2023 ...") carries that note.

>>> from ingest.models import Regulation, Article, AmendmentItem
>>> base = Regulation("uu-1-2000", "Undang-Undang", "UU", "1", 2000, "Contoh (synthetic)",
...     tanggal_pengundangan="2000-01-01", articles=[Article("1", "Teks asli."), Article("2", "Dua.")])
>>> amd = Regulation("uu-2-2001", "Undang-Undang", "UU", "2", 2001, "Perubahan (synthetic)",
...     tanggal_pengundangan="2001-05-01", amendments=[
...     AmendmentItem("1", "diubah", "Ketentuan Pasal 1 diubah", "uu-1-2000", "1", "Pasal 1",
...                   articles=[Article("1", "Teks baru.")]),
...     AmendmentItem("2", "disisipkan", "Di antara Pasal 1 dan Pasal 2 disisipkan", "uu-1-2000", "1A",
...                   "Pasal 1A", articles=[Article("1A", "Sisipan.")])])
>>> c = consolidate(base, [amd])
>>> [e.date for e in c.expressions]
['2000-01-01', '2001-05-01']
>>> [(a.number, a.status) for a in c.current.articles]
[('1', 'diubah'), ('1A', 'disisipkan'), ('2', 'asli')]
>>> c.at("2000-06-01").article("1").text
'Teks asli.'
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Iterable, Literal, Sequence

from ingest.models import AmendmentItem, Article, Ayat, Regulation
from ingest.normalize import heading_readings
from ingest.structure import _num_key, split_ayat
from regulations.clean import clean_article_text, clean_penjelasan

ArticleStatus = Literal["asli", "diubah", "disisipkan", "dihapus"]

_PASAL_IN = re.compile(r"\bPasa[l1I]\s?(?P<num>[0-9OoIlTSB]{1,4}[A-H]?)\b")
_ANGKA = re.compile(r"(?:^|(?<=[\s.:]))Angka\s+(?P<n>[0-9lIO]{1,3})\b")
_TETAP = re.compile(r"\btetap\b", re.I)
_INSERTS = re.compile(r"\b(?:disisip\w*|ditambah\w*)\b.{0,40}\bpasal\b", re.I)
_LAMPIRAN = re.compile(r"\bLampiran\b", re.I)
_BAB_ITEM = re.compile(r"^\s*BAB\s+(?P<num>[IVXL]+[A-Z]?)\b\s*(?P<title>.*)$", re.S)
_MONTHS = {"januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
           "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11, "desember": 12}
_IN_FORCE = re.compile(r"mulai\s+berlaku\s+(?P<rest>.{0,160})", re.I | re.S)
_UNTIL = re.compile(r"(?P<list>(?:Pasal.{0,400}?))\s+berlaku\s+sampai\s+dengan\s+(?P<until>[^.]{5,300})", re.I | re.S)
_PORTION = re.compile(r"Pasal\.?\s?(?P<num>[0-9OoIlTSB]{1,4}[A-H]?)(?P<ayat>(?:\s+ay[a-z]{1,2}\s+\(\s?\w{1,3}\s?\)?)?)")


def _art_num(raw: str) -> str | None:
    readings = [r for r in heading_readings(raw) if r[:1].isdigit()]
    return readings[0] if readings else None


def _key(num: str) -> tuple[int, str]:
    return _num_key(num)


@dataclass
class Change:
    """One event of an article's history."""

    date: str  # YYYY-MM-DD the change took effect
    work: str  # the amending work (or the work itself, for its original text)
    item: str | None  # the item number inside Pasal I; None for the original text
    operation: str  # "asli" | "diubah" | "disisipkan" | "dihapus"
    what: str  # "text" | "penjelasan" | "ayat" | "inserted" | "deleted" | "enacted"
    instruction: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TimeLimit:
    """A provision that applies only for a period, as the amending work says."""

    pasal: str
    ayat: list[str]  # empty: the whole article
    until: str  # the condition as written: "diberlakukannya Undang-Undang Nomor 1 Tahun 2023 ..."
    work: str  # the work that says so
    article: str  # its article that says so ("II")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ConsolidatedArticle:
    number: str
    text: str
    ayat: list[Ayat]
    status: ArticleStatus
    since: str | None  # the date its current text took effect
    source_work: str  # the work whose text this is (the base or an amending work)
    source_item: str | None  # the item of that work's Pasal I
    penjelasan: str | None = None
    penjelasan_work: str | None = None
    bab: str | None = None
    bagian: str | None = None
    paragraf: str | None = None
    history: list[Change] = field(default_factory=list)
    time_limits: list[TimeLimit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed_by(self) -> list[str]:
        """The amending works that changed this article, in order of effect."""
        seen: list[str] = []
        for c in self.history:
            if c.operation != "asli" and c.work not in seen:
                seen.append(c.work)
        return seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "text": self.text,
            "ayat": [{"number": y.number, "text": y.text} for y in self.ayat],
            "status": self.status, "since": self.since, "source_work": self.source_work,
            "source_item": self.source_item, "penjelasan": self.penjelasan, "penjelasan_work": self.penjelasan_work,
            "bab": self.bab, "bagian": self.bagian, "paragraf": self.paragraf,
            "history": [c.to_dict() for c in self.history], "time_limits": [t.to_dict() for t in self.time_limits],
            "notes": list(self.notes), "changed_by": self.changed_by,
        }


@dataclass
class AmendingWork:
    id: str
    date: str | None  # the date it took effect
    date_source: str  # "tanggal_pengundangan" | "mulai berlaku ..." as written | "unknown"


@dataclass
class Expression:
    """The work as it reads from ``date`` until the next expression."""

    work: str
    date: str
    amended_by: str | None  # None: the original text
    articles: list[ConsolidatedArticle]
    until: str | None = None  # the day before the next expression takes effect

    def article(self, number: str) -> ConsolidatedArticle | None:
        key = str(number).strip().upper()
        return next((a for a in self.articles if a.number.upper() == key), None)


@dataclass
class NotApplied:
    work: str
    item: str
    operation: str
    instruction: str
    target: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Consolidation:
    work: str
    expressions: list[Expression]
    amending: list[AmendingWork]
    not_applied: list[NotApplied]
    time_limits: list[TimeLimit]

    @property
    def current(self) -> Expression:
        return self.expressions[-1]

    @property
    def amended(self) -> bool:
        return len(self.expressions) > 1

    def at(self, day: str | date) -> Expression | None:
        """The expression in force on ``day`` (None before the work took effect)."""
        d = day.isoformat() if isinstance(day, date) else str(day)
        found = None
        for e in self.expressions:
            if e.date <= d:
                found = e
        return found

    def expression(self, day: str) -> Expression | None:
        """The expression that starts exactly on ``day``."""
        return next((e for e in self.expressions if e.date == day), None)

    def article_history(self, number: str) -> list[tuple[Expression, ConsolidatedArticle | None]]:
        """The article in each expression (None where it does not exist yet)."""
        return [(e, e.article(number)) for e in self.expressions]


# ------------------------------------------------------------------------------------------------
# dates


def _parse_date(text: str) -> str | None:
    m = re.search(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text)
    if not m:
        return None
    mo = _MONTHS.get(m.group(2).lower())
    if not mo:
        close = difflib.get_close_matches(m.group(2).lower(), list(_MONTHS), n=1, cutoff=0.7)
        mo = _MONTHS[close[0]] if close else None
    if not mo:
        return None
    try:
        return date(int(m.group(3)), mo, int(m.group(1))).isoformat()
    except ValueError:
        return None


def _add(d: str, n: int, unit: str) -> str:
    y, m, day = (int(x) for x in d.split("-"))
    if unit.startswith("tahun"):
        y += n
    elif unit.startswith("bulan"):
        m += n
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    else:
        return (date(y, m, day) + timedelta(days=n)).isoformat()
    while True:
        try:
            return date(y, m, day).isoformat()
        except ValueError:
            day -= 1


_NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
                 "sembilan": 9, "sepuluh": 10, "sebelas": 11, "dua belas": 12}


def effective_date(reg: Regulation) -> tuple[str | None, str]:
    """When the work took effect, and where that was read."""
    promulgated = reg.tanggal_pengundangan or reg.tanggal_penetapan
    for art in reversed(reg.articles):
        m = _IN_FORCE.search(art.text or "")
        if not m:
            continue
        rest = re.sub(r"\s+", " ", m.group("rest"))
        if re.match(r"pada\s+tanggal\s+diundangkan", rest, re.I):
            return promulgated, "tanggal_pengundangan"
        rel = re.match(r"(?:setelah|sejak)\s+(?P<n>\d+|[a-z ]+?)\s*(?:\([a-z ]+\)\s*)?(?P<unit>tahun|bulan|hari)\b.{0,40}?"
                       r"diundangkan", rest, re.I)
        if rel and promulgated:
            raw = rel.group("n").strip().lower()
            n = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
            if n:
                return _add(promulgated, n, rel.group("unit").lower()), f"mulai berlaku {rest[:80].strip()}"
        named = re.match(r"pada\s+tanggal\s+(?P<d>\d{1,2}\s+[A-Za-z]+\s+\d{4})", rest, re.I)
        if named and _parse_date(named.group("d")):
            return _parse_date(named.group("d")), f"mulai berlaku {named.group(0)}"
        break
    if promulgated:
        return promulgated, "tanggal_pengundangan" if reg.tanggal_pengundangan else "tanggal_penetapan"
    return None, "unknown"


# ------------------------------------------------------------------------------------------------
# the Penjelasan an amending work gives an item


def _item_penjelasan(amending: Regulation, item: AmendmentItem, pasal: str) -> str | None:
    """The explanation of ``pasal`` under "Pasal I / Angka <item>" of the amending work's Penjelasan."""
    frame = next((a for a in amending.articles if a.number == "I"), None)
    text = (frame.penjelasan if frame else None) or ""
    if not text:
        return None
    marks = [(m.start(), m.end(), (m.group("n").replace("l", "1").replace("I", "1").replace("O", "0")))
             for m in _ANGKA.finditer(text)]
    seg = None
    for k, (s, e, n) in enumerate(marks):
        if n == item.number:
            end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
            seg = text[e:end]
            break
    if seg is None:
        return None
    heads = [(m.start(), m.end(), _art_num(m.group("num"))) for m in _PASAL_IN.finditer(seg)]
    for k, (s, e, n) in enumerate(heads):
        if n == pasal and (s == 0 or not seg[:s].strip() or seg[max(0, s - 8):s].strip()[-1:] in ".:"
                           or k == 0):
            end = len(seg)
            for s2, _e2, n2 in heads[k + 1:]:
                if n2 and n2 != pasal and re.match(r"\s*$", seg[max(0, s2 - 2):s2]):
                    end = s2
                    break
            out = seg[e:end].strip()
            return out or None
    return None


# ------------------------------------------------------------------------------------------------
# time limits ("berlaku sampai dengan ...")


def time_limits(reg: Regulation) -> list[TimeLimit]:
    """Provisions an amending work's closing articles limit in time."""
    out: list[TimeLimit] = []
    for art in reg.articles:
        if art.number == "I":
            continue
        flat = re.sub(r"\s+", " ", art.text or "")
        for m in _UNTIL.finditer(flat):
            until = clean_article_text(re.sub(r"\s*\((?:Lembaran|Tambahan)[^)]*\)?", "", m.group("until"))).strip(" .,")
            by_pasal: dict[str, list[str]] = {}
            for p in _PORTION.finditer(m.group("list")):
                num = _art_num(p.group("num"))
                if not num:
                    continue
                ay = re.search(r"\(\s?(\w{1,3})", p.group("ayat") or "")
                lst = by_pasal.setdefault(num, [])
                if ay:
                    lst.append({"l": "1", "I": "1"}.get(ay.group(1), ay.group(1)))
                else:
                    lst.append("")
            for num, ayats in by_pasal.items():
                whole = "" in ayats
                out.append(TimeLimit(num, [] if whole else ayats, until, reg.id or "", art.number))
    return out


# ------------------------------------------------------------------------------------------------
# applying items


def _clean_article(a: Article) -> tuple[str, list[Ayat]]:
    text = clean_article_text(a.text)
    ayat = split_ayat(text)
    return text, ayat


def _base_article(a: Article, work: str, day: str | None) -> ConsolidatedArticle:
    text = re.sub(r"\s+", " ", a.text or "").strip()
    return ConsolidatedArticle(
        number=a.number, text=text, ayat=list(a.ayat) or split_ayat(text), status="asli", since=day,
        source_work=work, source_item=None, penjelasan=a.penjelasan, penjelasan_work=work if a.penjelasan else None,
        bab=a.bab, bagian=a.bagian, paragraf=a.paragraf,
        history=[Change(day or "", work, None, "asli", "enacted")],
    )


def _insert(articles: list[ConsolidatedArticle], new: ConsolidatedArticle) -> None:
    k = _key(new.number)
    for i, a in enumerate(articles):
        if _key(a.number) > k:
            if new.bab is None:  # the inserted article sits in the division of the one before it
                prev = articles[i - 1] if i else None
                if prev:
                    new.bab, new.bagian, new.paragraf = prev.bab, prev.bagian, prev.paragraf
            articles.insert(i, new)
            return
    if new.bab is None and articles:
        new.bab, new.bagian, new.paragraf = articles[-1].bab, articles[-1].bagian, articles[-1].paragraf
    articles.append(new)


_AYAT_AT = re.compile(r"(?:^|(?<=[.;:]\s))\((?P<n>\d{1,2}[a-z]?)\)\s")


def _ayat_only(text: str) -> list[Ayat]:
    """The ayat an item quotes without its article ("(2) ..."), which need not start at (1)."""
    t = clean_article_text(text)
    marks = list(_AYAT_AT.finditer(t))
    if not marks or marks[0].start() != 0:
        return []
    return [Ayat(m["n"], t[m.end():(marks[k + 1].start() if k + 1 < len(marks) else len(t))].strip())
            for k, m in enumerate(marks)]


def _apply(articles: list[ConsolidatedArticle], amending: Regulation, item: AmendmentItem, day: str,
           pending_bab: dict[str, str], not_applied: list[NotApplied]) -> None:
    work = amending.id or ""

    def skip(reason: str) -> None:
        not_applied.append(NotApplied(work, item.number, item.operation, item.instruction, item.target, reason))

    by_num = {a.number.upper(): a for a in articles}
    instr = item.instruction or ""

    # a BAB inserted: its heading goes to the articles the next items insert into it
    bab = _BAB_ITEM.match(item.text or "") if item.operation == "disisipkan" and not item.articles else None
    if bab or (item.operation == "disisipkan" and re.match(r"\s*BAB\b", item.target or "") and not item.articles):
        heading = re.sub(r"\s+", " ", (item.text or item.target)).strip()
        pending_bab["heading"] = heading
        pending_bab["item"] = item.number
        return

    if _LAMPIRAN.search(item.target or "") and not item.articles:
        skip("changes to a Lampiran are not consolidated: the amending work's Lampiran is the text")
        return

    if not item.articles:
        pasal = item.target_article
        if pasal is None:
            m = _PASAL_IN.search(instr)
            pasal = _art_num(m.group("num")) if m else None
        if pasal is None:
            skip("the item names no article of the amended work")
            return
        current = by_num.get(pasal.upper())
        if item.operation == "dihapus":
            if current is None:
                skip(f"Pasal {pasal} is not in the amended work as consolidated so far")
                return
            current.status = "dihapus"
            current.text, current.ayat = "Dihapus.", []
            current.since, current.source_work, current.source_item = day, work, item.number
            current.history.append(Change(day, work, item.number, "dihapus", "deleted", instr))
            return
        if current is None:
            skip(f"Pasal {pasal} is not in the amended work as consolidated so far")
            return
        only_penjelasan = re.search(r"penjelasan", instr, re.I) and (_TETAP.search(instr) or not item.text.strip()
                                                                      or re.match(r"\s*Penjelasan", instr, re.I))
        if only_penjelasan:
            new_pj = _item_penjelasan(amending, item, pasal)
            if not new_pj:
                skip(f"the new Penjelasan of Pasal {pasal} was not found in the Penjelasan of {work}")
                return
            current.penjelasan, current.penjelasan_work = clean_penjelasan(new_pj), work
            # the article's own text stays: its status says so, its history names the Penjelasan
            current.history.append(Change(day, work, item.number, "diubah", "penjelasan", instr))
            return
        new_ayat = _ayat_only(item.text or "")
        if new_ayat:  # only the named ayat are quoted: replace those, keep the others
            old = {y.number: y for y in current.ayat}
            for y in new_ayat:
                old[y.number] = y
            merged = sorted(old.values(), key=lambda y: _key(re.sub(r"[a-z]$", "", y.number)) + (y.number[-1:] if y.number[-1:].isalpha() else "",))
            current.ayat = merged
            current.text = " ".join(f"({y.number}) {y.text}" for y in merged)
            current.status = "diubah" if current.status != "disisipkan" else current.status
            current.since, current.source_work, current.source_item = day, work, item.number
            current.history.append(Change(day, work, item.number, "diubah", "ayat", instr))
            return
        skip("the item quotes no article text to apply")
        return

    for q in item.articles:
        text, ayat = _clean_article(q)
        pj = clean_penjelasan(q.penjelasan) if q.penjelasan and q.penjelasan.strip() else None
        if pj is None:
            found = _item_penjelasan(amending, item, q.number)
            pj = clean_penjelasan(found) if found else None
        current = by_num.get(q.number.upper())
        if current is None and item.operation != "disisipkan" and not _INSERTS.search(instr):
            skip(f"Pasal {q.number} is not in the amended work as consolidated so far, and the item inserts no article")
            continue
        if current is None:
            new = ConsolidatedArticle(
                number=q.number, text=text, ayat=ayat, status="disisipkan", since=day, source_work=work,
                source_item=item.number, penjelasan=pj, penjelasan_work=work if pj else None,
                bab=q.bab, bagian=q.bagian, paragraf=q.paragraf,
                history=[Change(day, work, item.number, "disisipkan", "inserted", instr)],
            )
            if pending_bab.get("heading") and new.bab is None:
                new.bab = pending_bab["heading"]
                new.bagian = new.paragraf = None
                new.notes.append(f"{pending_bab['heading']} inserted by {work} Pasal I angka {pending_bab['item']}")
            _insert(articles, new)
            by_num[new.number.upper()] = new
            continue
        if item.operation == "disisipkan" and current.status != "dihapus":
            skip(f"Pasal {q.number} is inserted, but the amended work already has a Pasal {q.number}")
            continue
        current.text, current.ayat = text, ayat
        if current.status != "disisipkan":
            current.status = "diubah"
        current.since, current.source_work, current.source_item = day, work, item.number
        if pj:
            current.penjelasan, current.penjelasan_work = pj, work
        elif current.penjelasan:
            current.notes.append(f"{work} restates Pasal {q.number}; no new Penjelasan was read from it, "
                                 f"the Penjelasan shown is that of {current.penjelasan_work}")
        current.history.append(Change(day, work, item.number, "diubah", "text", instr))


def _copy(articles: Iterable[ConsolidatedArticle]) -> list[ConsolidatedArticle]:
    return [replace(a, ayat=list(a.ayat), history=list(a.history), time_limits=list(a.time_limits),
                    notes=list(a.notes)) for a in articles]


def amending_works(base_id: str, regs: Iterable[Regulation]) -> list[Regulation]:
    """The works whose change items target ``base_id``."""
    return [r for r in regs if r.id != base_id and any(i.target_work == base_id for i in r.amendments)]


def consolidate(base: Regulation, amending: Sequence[Regulation]) -> Consolidation:
    """Every dated version of ``base``: the original, then one per amending work, in order of effect."""
    base_id = base.id or ""
    base_date, _ = effective_date(base)
    day0 = base_date or ""
    articles = [_base_article(a, base_id, base_date) for a in base.articles]
    expressions = [Expression(base_id, day0, None, _copy(articles))]
    not_applied: list[NotApplied] = []
    limits: list[TimeLimit] = []
    dated: list[tuple[str, str, Regulation, AmendingWork]] = []
    for reg in amending:
        d, src = effective_date(reg)
        dated.append((d or "9999-12-31", reg.id or "", reg, AmendingWork(reg.id or "", d, src)))
    dated.sort(key=lambda t: (t[0], t[1]))
    for d, _rid, reg, meta in dated:
        if meta.date is None:
            for it in reg.amendments:
                if it.target_work == base_id:
                    not_applied.append(NotApplied(reg.id or "", it.number, it.operation, it.instruction, it.target,
                                                  f"the date {reg.id} took effect is not known"))
            continue
        pending_bab: dict[str, str] = {}
        for it in reg.amendments:
            if it.target_work != base_id:
                continue
            _apply(articles, reg, it, d, pending_bab, not_applied)
        for tl in time_limits(reg):
            limits.append(tl)
            a = next((x for x in articles if x.number.upper() == tl.pasal.upper()), None)
            if a is not None:
                a.time_limits.append(tl)
        if expressions[-1].date == d:  # two works in force the same day: one expression
            expressions[-1] = Expression(base_id, d, expressions[-1].amended_by + "," + (reg.id or "")
                                         if expressions[-1].amended_by else reg.id, _copy(articles))
        else:
            expressions.append(Expression(base_id, d, reg.id, _copy(articles)))
    for prev, nxt in zip(expressions, expressions[1:]):
        try:
            prev.until = (date.fromisoformat(nxt.date) - timedelta(days=1)).isoformat()
        except ValueError:
            prev.until = None
    return Consolidation(base_id, expressions, [m for *_x, m in dated], not_applied, limits)


# ------------------------------------------------------------------------------------------------
# word-level difference between two texts


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op ``=`` (same), ``-`` (deleted), ``+`` (inserted), word by word.

    >>> word_diff("tanpa hak mendistribusikan", "tanpa hak menyiarkan, mendistribusikan")
    [('=', 'tanpa hak'), ('+', 'menyiarkan,'), ('=', 'mendistribusikan')]
    """
    a, b = (old or "").split(), (new or "").split()
    out: list[tuple[str, str]] = []
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("-", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("+", " ".join(b[j1:j2])))
    return out
