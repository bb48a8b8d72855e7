"""Regulation identifiers: the canonical id and the permalink (FRBR URI) in one small type.

Canonical ids are ``jenis[-region]-nomor-tahun`` in lowercase, e.g. ``uu-11-2008``,
``perwal-malang-9-2022``, ``perbup-kotabaru-19-2019``, ``tap-mpr-15-1998``.

Permalinks follow Akoma Ntoso's FRBR naming (as Laws.Africa's cobalt does):
``/akn/id/act/uu/2008/11`` for national acts, ``/akn/id-malang/act/perwal/2022/9`` for a
region's acts, and ``~pasal_27`` (``~pasal_27__ayat_1``) for a portion of a work.

>>> rid = RegulationId.parse("perwal-malang-9-2022")
>>> rid.frbr_uri()
'/akn/id-malang/act/perwal/2022/9'
>>> str(RegulationId.from_frbr_uri("/akn/id/act/uu/2008/11"))
'uu-11-2008'

The constitution has no number: its id is ``uud-1945`` (``nomor`` is the empty string).

>>> uud = RegulationId.parse("uud-1945")
>>> (str(uud), uud.nomor, uud.frbr_uri("28F"))
('uud-1945', '', '/akn/id/act/uud/1945/~pasal_28F')
>>> str(RegulationId.from_frbr_uri("/akn/id/act/uud/1945"))
'uud-1945'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Short code -> (full name of the type, abbreviation as JDIHN spells it in singkatanJenis)
JENIS: dict[str, tuple[str, str]] = {
    "uud": ("Undang-Undang Dasar", "UUD"),
    "tap-mpr": ("Ketetapan Majelis Permusyawaratan Rakyat", "TAP MPR"),
    "uu": ("Undang-Undang", "UU"),
    "perppu": ("Peraturan Pemerintah Pengganti Undang-Undang", "PERPPU"),
    "pp": ("Peraturan Pemerintah", "PP"),
    "perpres": ("Peraturan Presiden", "PERPRES"),
    "keppres": ("Keputusan Presiden", "KEPPRES"),
    "inpres": ("Instruksi Presiden", "INPRES"),
    "permen": ("Peraturan Menteri", "PERMEN"),
    "permenhub": ("Peraturan Menteri Perhubungan", "PERMENHUB"),
    "permendagri": ("Peraturan Menteri Dalam Negeri", "PERMENDAGRI"),
    "permenkeu": ("Peraturan Menteri Keuangan", "PMK"),
    "permenkominfo": ("Peraturan Menteri Komunikasi dan Informatika", "PERMENKOMINFO"),
    "permenpanrb": ("Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "PERMENPANRB"),
    "perda": ("Peraturan Daerah", "PERDA"),
    "pergub": ("Peraturan Gubernur", "PERGUB"),
    "perbup": ("Peraturan Bupati", "PERBUP"),
    "perwal": ("Peraturan Wali Kota", "PERWAL"),
    "kepwal": ("Keputusan Wali Kota", "KEPWAL"),
}

# Types whose works carry no number (the constitution): id ``jenis-tahun``.
UNNUMBERED = frozenset({"uud"})

_SLUG = re.compile(r"[^a-z0-9]+")
ID_PATTERN = r"^[a-z0-9-]+$"  # what a canonical id is made of: the API's work path parameter
_ID = re.compile(r"^(?P<jenis>[a-z]+(?:-mpr)?)(?:-(?P<region>[a-z][a-z-]*?))?-(?P<nomor>[0-9a-z]+)-(?P<tahun>\d{4})$")
_ID_UNNUMBERED = re.compile(r"^(?P<jenis>[a-z]+)-(?P<tahun>\d{4})$")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


@dataclass(frozen=True, order=True)
class RegulationId:
    jenis: str  # short code, a key of JENIS
    nomor: str  # "11", "15" (Roman TAP numbers are stored in Arabic)
    tahun: int
    region: str | None = None  # "malang", "kotabaru", "mamuju-tengah"; None = national

    @classmethod
    def parse(cls, text: str) -> "RegulationId":
        """Parse a canonical id; raises ValueError naming the expected shape."""
        m = _ID_UNNUMBERED.match(text.strip().lower())
        if m and m["jenis"] in UNNUMBERED:
            return cls(m["jenis"], "", int(m["tahun"]))
        m = _ID.match(text.strip().lower())
        if not m or m["jenis"] not in JENIS:
            raise ValueError(
                f"not a canonical regulation id: {text!r} "
                "(expected jenis[-region]-nomor-tahun, e.g. uu-11-2008 or perwal-malang-9-2022)"
            )
        return cls(m["jenis"], m["nomor"], int(m["tahun"]), m["region"] or None)

    def __str__(self) -> str:
        if not self.nomor and self.jenis in UNNUMBERED:
            return f"{self.jenis}-{self.tahun}"
        parts = [self.jenis] + ([self.region] if self.region else []) + [self.nomor, str(self.tahun)]
        return "-".join(parts)

    @property
    def jenis_name(self) -> str:
        return JENIS[self.jenis][0]

    @property
    def singkatan(self) -> str:
        return JENIS[self.jenis][1]

    def frbr_uri(self, pasal: str | None = None, ayat: str | None = None) -> str:
        country = "id" + (f"-{self.region}" if self.region else "")
        uri = f"/akn/{country}/act/{self.jenis}/{self.tahun}" + (f"/{self.nomor}" if self.nomor else "")
        if pasal:
            uri += f"/~pasal_{pasal}"
            if ayat:
                uri += f"__ayat_{ayat}"
        return uri

    @classmethod
    def from_frbr_uri(cls, uri: str) -> "RegulationId":
        m = re.match(r"^/akn/id(?:-(?P<region>[a-z-]+))?/act/(?P<jenis>[a-z-]+)/(?P<tahun>\d{4})/(?P<nomor>[0-9a-z]+)", uri)
        u = re.match(r"^/akn/id/act/(?P<jenis>[a-z-]+)/(?P<tahun>\d{4})(?:/~|/?$)", uri)
        if not m and u and u["jenis"] in UNNUMBERED:
            return cls(u["jenis"], "", int(u["tahun"]))
        if not m or m["jenis"] not in JENIS:
            raise ValueError(f"not a regulation URI: {uri!r} (expected /akn/id[-region]/act/jenis/tahun/nomor)")
        return cls(m["jenis"], m["nomor"], int(m["tahun"]), m["region"])


# ------------------------------------------------------------------------------------------------
def article_uri(work_id: str | None, pasal: str | None) -> str | None:
    """The permalink of a work's article (``/akn/id/act/uu/2008/11/~pasal_27``); None without an
    article or for an id that is not canonical. The one place chunks, the API and the pages make it."""
    if not work_id or not pasal:
        return None
    try:
        return RegulationId.parse(work_id).frbr_uri(pasal)
    except ValueError:
        return None


# Work, expression and portion in one identifier (cobalt's FrbrUri, for our works)

_EXPR = re.compile(r"/(?P<lang>[a-z]{3})@(?P<date>\d{4}-\d{2}-\d{2})?(?=/|$)")
_PORTION_PART = re.compile(r"^/~pasal_(?P<pasal>[0-9A-Za-z]+)(?:__ayat_(?P<ayat>[0-9A-Za-z]+))?/?$")


@dataclass(frozen=True)
class FrbrUri:
    """An Akoma Ntoso FRBR URI: the work, optionally one dated expression of it (language and date),
    optionally a portion (an article, an ayat).

    The expression part follows the work and comes before the portion, as in Akoma Ntoso:

    >>> u = FrbrUri.parse("/akn/id/act/uu/2008/11/ind@2024-01-02/~pasal_27__ayat_1")
    >>> (str(u.work), u.language, u.date, u.pasal, u.ayat)
    ('uu-11-2008', 'ind', '2024-01-02', '27', '1')
    >>> u.work_uri, u.expression_uri
    ('/akn/id/act/uu/2008/11', '/akn/id/act/uu/2008/11/ind@2024-01-02')
    >>> str(FrbrUri(RegulationId.parse("uu-11-2008"), pasal="27"))
    '/akn/id/act/uu/2008/11/~pasal_27'
    >>> str(FrbrUri.parse("/akn/id/act/uud/1945/ind@2002-08-10/~pasal_28F"))
    '/akn/id/act/uud/1945/ind@2002-08-10/~pasal_28F'
    >>> str(FrbrUri.parse("/akn/id/act/uu/2008/11").at("2016-11-25"))
    '/akn/id/act/uu/2008/11/ind@2016-11-25'
    """

    work: RegulationId
    language: str | None = None  # "ind"; set only for an expression
    date: str | None = None  # YYYY-MM-DD: the day the expression took effect
    pasal: str | None = None
    ayat: str | None = None

    @classmethod
    def parse(cls, uri: str) -> "FrbrUri":
        """Parse a work, expression or portion URI; raises ValueError naming the expected shape."""
        language = date = None
        m = _EXPR.search(uri)
        if m:  # the work is what stands before the expression (a number never contains "@")
            language, date = m["lang"], m["date"]
            rid = RegulationId.from_frbr_uri(uri[:m.start()])
            if rid.frbr_uri() != uri[:m.start()]:
                raise ValueError(f"not a regulation URI: {uri!r} (the expression follows the work)")
            rest = uri[m.end():]
        else:
            rid = RegulationId.from_frbr_uri(uri)
            rest = uri[len(rid.frbr_uri()):]
        pasal = ayat = None
        if rest.strip("/"):
            p = _PORTION_PART.match(rest)
            if not p:
                raise ValueError(f"not a regulation URI: {uri!r} (expected /akn/id[-region]/act/jenis/tahun/nomor"
                                 "[/ind@YYYY-MM-DD][/~pasal_N[__ayat_M]])")
            pasal, ayat = p["pasal"], p["ayat"]
        return cls(rid, language, date, pasal, ayat)

    @property
    def work_uri(self) -> str:
        return self.work.frbr_uri()

    @property
    def expression_uri(self) -> str | None:
        if not self.language:
            return None
        return f"{self.work_uri}/{self.language}@{self.date or ''}"

    def at(self, date: str | None, language: str = "ind") -> "FrbrUri":
        """The same work (and portion) in the expression of ``date``."""
        return FrbrUri(self.work, language, date, self.pasal, self.ayat)

    def portion(self, pasal: str | None, ayat: str | None = None) -> "FrbrUri":
        return FrbrUri(self.work, self.language, self.date, pasal, ayat)

    def __str__(self) -> str:
        uri = self.expression_uri or self.work_uri
        if self.pasal:
            uri += f"/~pasal_{self.pasal}" + (f"__ayat_{self.ayat}" if self.ayat else "")
        return uri
