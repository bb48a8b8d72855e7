"""Find and resolve citations of regulations in free text: text in, plain dataclasses out.

The patterns live in :mod:`ingest.citation_patterns`; this module compiles and applies them.
Nothing here keeps state between calls.

>>> [c.work_id for c in find_citations(
...     "Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik "
...     "sebagaimana telah diubah dengan Undang-Undang Nomor 19 Tahun 2016")]
['uu-11-2008', 'uu-19-2016']
>>> c = resolve("Perda Kota Malang No. 4 Tahun 2023 Pasal 5 ayat (2)")
>>> (c.work_id, c.pasal, c.ayat, c.frbr_uri())
('perda-malang-4-2023', '5', '2', '/akn/id-malang/act/perda/2023/4/~pasal_5__ayat_2')
>>> resolve("PP 71/2019").work_id
'pp-71-2019'
>>> [c.work_id for c in find_citations("Peraturan Daerah Nomor 8 Tahun 2023", default_region="banjarnegara")]
['perda-banjarnegara-8-2023']
>>> find_citations("sebagaimana dimaksud dalam Pasal 5 ayat (2)")
[]
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest import citation_patterns as P
from ingest.ids import JENIS, FrbrUri, RegulationId, slug

_FLAGS = re.IGNORECASE | re.VERBOSE


def _alternation(types: tuple[tuple[str, str], ...]) -> str:
    return "|".join(f"(?:{pattern})" for _, pattern in types)


_NATIONAL = re.compile(
    rf"(?<![A-Za-z])(?P<jenis_text>{_alternation(P.NATIONAL_TYPES)})(?![A-Za-z]){P.REPUBLIK}{P.NUMBER_YEAR}", _FLAGS
)
_REGIONAL = re.compile(
    rf"(?<![A-Za-z])(?P<jenis_text>{_alternation(P.REGIONAL_TYPES)})(?![A-Za-z]){P.REGION}{P.NUMBER_YEAR}", _FLAGS
)
_GENERIC_PERMEN = re.compile(rf"(?<![A-Za-z]){P.GENERIC_PERMEN}", _FLAGS)
_UUD = re.compile(rf"(?<![A-Za-z])(?:{P.UUD})", _FLAGS)
_TAP = re.compile(rf"(?<![A-Za-z])(?:{P.TAP_MPR})", _FLAGS)
_TYPE_RES = {
    "national": [(code, re.compile(rf"(?:{pat})\Z", _FLAGS)) for code, pat in P.NATIONAL_TYPES],
    "regional": [(code, re.compile(rf"(?:{pat})\Z", _FLAGS)) for code, pat in P.REGIONAL_TYPES],
}
_PIN_LIST_BEFORE = re.compile(rf"(?:{P.PIN_LIST}){P.PIN_TO_WORK}\Z", _FLAGS)
_PIN_LIST_AFTER = re.compile(rf"\A{P.WORK_TO_PIN}(?P<list>{P.PIN_LIST})", _FLAGS)
_PIN_LIST = re.compile(P.PIN_LIST, _FLAGS)
_PIN_ITEM = re.compile(P.PIN_ITEM, _FLAGS)
_LOOKBEHIND = 600  # characters searched before a work for a pinpoint list


@dataclass(frozen=True)
class Pinpoint:
    """One cited portion of a work: Pasal, optionally its ayat and huruf."""

    pasal: str
    ayat: str | None = None
    huruf: str | None = None


@dataclass(frozen=True)
class Citation:
    """A citation of a regulation (a work), optionally pinned to one Pasal / ayat / huruf.

    ``work_id`` is the canonical id (``ingest.ids.RegulationId``) or None when the work cannot
    be identified (a type outside the id scheme, an unreadable year, a regional act whose region
    is unknown). ``pasal``/``ayat``/``huruf`` are set when exactly one portion is cited;
    ``pinpoints`` lists every cited portion ("Pasal 20, Pasal 21, dan Pasal 22A UUD 1945").
    ``text`` is ``source[start:end]``.
    """

    work_id: str | None
    jenis: str | None
    nomor: str | None
    tahun: int | None
    region: str | None
    pasal: str | None
    ayat: str | None
    huruf: str | None
    text: str
    start: int
    end: int
    pinpoints: tuple[Pinpoint, ...] = field(default=())

    def regulation_id(self) -> RegulationId | None:
        return RegulationId.parse(self.work_id) if self.work_id else None

    def frbr_uri(self) -> str | None:
        rid = self.regulation_id()
        return rid.frbr_uri(self.pasal, self.ayat) if rid else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["pinpoints"] = [asdict(p) for p in self.pinpoints]
        return d


@dataclass(frozen=True)
class ArticleRef:
    """A reference to an article with no work named ("sebagaimana dimaksud dalam Pasal 5 ayat (2)"):
    an internal reference, to be read against the citing document itself."""

    pasal: str
    ayat: str | None
    huruf: str | None
    text: str
    start: int
    end: int


# --- small readers --------------------------------------------------------------------------


def _ocr_number(token: str) -> str | None:
    """'1l' -> '11', 'L2' -> '12', '2OO8' -> '2008'; None when too little of it is a digit."""
    if token is None:
        return None
    real = sum(ch.isdigit() for ch in token)
    if real == 0:
        return None
    fixed = token.translate(P.OCR_DIGITS)
    return str(int(fixed)) if fixed.isdigit() else None


def _year(token: str | None) -> int | None:
    """A plausible year, or None: an impossible reading ("Tahun 2074" in an OCR'd 2019 text) is
    left unknown rather than guessed."""
    fixed = _ocr_number(token.replace(" ", "")) if token else None
    if fixed is None:
        return None
    year = int(fixed)
    return year if 1900 <= year <= _dt.date.today().year + 1 else None


def _roman(numeral: str) -> int | None:
    values = [P.ROMAN_VALUES.get(ch) for ch in numeral.upper()]
    if not values or None in values:
        return None
    total = 0
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


def _pasal_number(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _ayat_number(text: str | None) -> str | None:
    return text.translate(P.OCR_DIGITS) if text else None


def _type_code(kind: str, jenis_text: str) -> str:
    flat = re.sub(r"\s+", " ", jenis_text.strip())
    for code, rx in _TYPE_RES[kind]:
        if rx.match(flat) or rx.match(jenis_text.strip()):
            return code
    raise AssertionError(f"type pattern matched but no code found for {jenis_text!r}")  # pragma: no cover


def _region(jenis: str, rtype: str | None, rname: str | None) -> str | None:
    if not rname:
        return None
    name = slug(rname)
    level = P.REGION_LEVELS.get(re.sub(r"\s+", " ", rtype.lower())) if rtype else None
    if level == "kabupaten" and name in P.KOTA_KABUPATEN_TWINS:
        return f"kabupaten-{name}"
    if level == "provinsi" and jenis == "perda":
        return f"provinsi-{name}"
    return name


def _work_id(jenis: str | None, nomor: str | None, tahun: int | None, region: str | None) -> str | None:
    if not jenis or jenis not in JENIS or jenis in P.UNIDENTIFIED_TYPES or tahun is None:
        return None
    if jenis in ("perda", "perwal", "perbup", "pergub", "kepwal") and not region:
        return None
    if not nomor and jenis != "uud":
        return None
    return str(RegulationId(jenis, nomor or "", tahun, region))


def _pinpoints(list_text: str) -> tuple[Pinpoint, ...]:
    pins: list[Pinpoint] = []
    for m in _PIN_ITEM.finditer(list_text):
        if m["pasal"]:
            pins.append(Pinpoint(_pasal_number(m["pasal"]), _ayat_number(m["ayat"]), m["huruf"]))
        elif m["ayat_only"] and pins:
            pins.append(Pinpoint(pins[-1].pasal, _ayat_number(m["ayat_only"])))
    # "Pasal 28H ayat (1), ayat (2)": the first item is one of the list, not a bare Pasal 28H.
    return tuple(pins)


def _is_heading(text: str, start: int, end: int) -> bool:
    """A lone "Pasal 5" on its own line is an article heading, not a pinpoint of what follows."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and "\n" in text[start:end] and "ayat" not in text[start:end].lower()


# --- finding --------------------------------------------------------------------------------


def _candidates(text: str, default_region: str | None) -> list[tuple[int, int, dict[str, Any]]]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    for m in _NATIONAL.finditer(text):
        jenis = _type_code("national", m["jenis_text"])
        found.append((m.start(), m.end(), {"jenis": jenis, "nomor": _ocr_number(m["nomor"]),
                                           "tahun": _year(m["tahun"]), "region": None}))
    for m in _REGIONAL.finditer(text):
        jenis = _type_code("regional", m["jenis_text"])
        region = _region(jenis, m["rtype"], m["rname"]) or default_region
        found.append((m.start(), m.end(), {"jenis": jenis, "nomor": _ocr_number(m["nomor"]),
                                           "tahun": _year(m["tahun"]), "region": region}))
    for m in _GENERIC_PERMEN.finditer(text):
        found.append((m.start(), m.end(), {"jenis": "permen", "nomor": _ocr_number(m["nomor"]),
                                           "tahun": _year(m["tahun"]), "region": None}))
    for m in _UUD.finditer(text):
        found.append((m.start(), m.end(), {"jenis": "uud", "nomor": None, "tahun": 1945, "region": None}))
    for m in _TAP.finditer(text):
        num = _roman(m["nomor"])
        found.append((m.start(), m.end(), {"jenis": "tap-mpr" if m["body"].upper() == "MPR" else "tap-mprs",
                                           "nomor": str(num) if num else None,
                                           "tahun": _year(m["tahun"]), "region": None}))
    # Overlaps: the earliest start wins, then the longest ("Peraturan Pemerintah Pengganti
    # Undang-Undang Nomor 1 ..." is one perppu, not also a UU).
    found.sort(key=lambda c: (c[0], -c[1]))
    chosen: list[tuple[int, int, dict[str, Any]]] = []
    for cand in found:
        if not chosen or cand[0] >= chosen[-1][1]:
            chosen.append(cand)
    return chosen


def find_citations(text: str, default_region: str | None = None) -> list[Citation]:
    """Every citation of a regulation in ``text``, in order of appearance.

    ``default_region`` is the citing document's own region (e.g. ``"malang"``): a regional act
    cited without its region ("Peraturan Daerah Nomor 8 Tahun 2023") is read as that region's.
    Bare article references ("Pasal 5 ayat (2)") are not citations of a work: see
    :func:`find_article_refs`.
    """
    if not text:
        return []
    default_region = slug(default_region) if default_region else None
    out: list[Citation] = []
    prev_end = 0
    works = _candidates(text, default_region)
    for i, (start, end, f) in enumerate(works):
        next_start = works[i + 1][0] if i + 1 < len(works) else len(text)
        pins: tuple[Pinpoint, ...] = ()
        window_start = max(prev_end, start - _LOOKBEHIND)
        before = _PIN_LIST_BEFORE.search(text, window_start, start)
        if before and not _is_heading(text, before.start(), start):
            pins = _pinpoints(before.group(0))
            start = before.start()
        else:
            after = _PIN_LIST_AFTER.match(text[end:next_start])
            if after:
                pins = _pinpoints(after["list"])
                end += after.end()
        one = pins[0] if len(pins) == 1 else None
        out.append(Citation(
            work_id=_work_id(f["jenis"], f["nomor"], f["tahun"], f["region"]),
            jenis=f["jenis"], nomor=f["nomor"], tahun=f["tahun"], region=f["region"],
            pasal=one.pasal if one else None, ayat=one.ayat if one else None, huruf=one.huruf if one else None,
            text=text[start:end], start=start, end=end, pinpoints=pins,
        ))
        prev_end = end
    return out


def find_article_refs(text: str) -> list[ArticleRef]:
    """Article references that name no work ("dalam Pasal 5 ayat (2)"), outside every work citation."""
    taken = [(c.start, c.end) for c in find_citations(text)]
    refs: list[ArticleRef] = []
    for lst in _PIN_LIST.finditer(text):
        if any(s < lst.end() and lst.start() < e for s, e in taken) or _is_heading(text, lst.start(), lst.end() + 1):
            continue
        for m in _PIN_ITEM.finditer(text, lst.start(), lst.end()):
            if m["pasal"]:
                refs.append(ArticleRef(_pasal_number(m["pasal"]), _ayat_number(m["ayat"]), m["huruf"],
                                       m.group(0), m.start(), m.end()))
    return refs


def _from_identifier(text: str) -> Citation | None:
    """A canonical id ("uu-11-2008") or permalink ("/akn/id/act/uu/2008/11/~pasal_27")."""
    try:
        if text.startswith("/akn/"):
            uri = FrbrUri.parse(text)
            rid, pasal, ayat = uri.work, uri.pasal, uri.ayat
        else:
            rid, pasal, ayat = RegulationId.parse(text), None, None
    except ValueError:
        return None
    pins = (Pinpoint(pasal, ayat),) if pasal else ()
    return Citation(str(rid), rid.jenis, rid.nomor or None, rid.tahun, rid.region, pasal, ayat, None,
                    text, 0, len(text), pins)


def resolve(text: str, default_region: str | None = None) -> Citation | None:
    """The citation a short string means: a canonical id, a permalink, or the first citation in
    it that identifies a work (else the first citation found); None when there is none.

    >>> resolve("uu-11-2008").work_id, resolve("Law No. 11 of 2008 Article 27(1)").ayat
    ('uu-11-2008', '1')
    """
    if not text or not text.strip():
        return None
    stripped = text.strip()
    ident = _from_identifier(stripped)
    if ident:
        offset = text.index(stripped)
        return Citation(**{**ident.__dict__, "text": stripped, "start": offset, "end": offset + len(stripped)})
    found = find_citations(text, default_region=default_region)
    return next((c for c in found if c.work_id), found[0] if found else None)
