"""The heading of a regulation: its type, number, year, region and title (``parse_heading``)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import patterns as P
from ingest.models import ParseWarning
from ingest.normalize import Line, repair_digits, roman_to_int

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
        rm = P.REGION_IN_TITLE.search(up)
        region = None
        if rm and not rm.group("r").startswith(("NOMOR", "REPUBLIK", "KABUPATEN", "KOTA", "PROVINSI")):
            region = rm.group("r")
        if region is None:
            for ln in head_lines:
                om = P.OFFICIAL_LINE.match(ln.text.upper())
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
