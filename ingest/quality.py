"""Is a page's text readable Indonesian, or garbage? A score in [0, 1] that needs no model.

A text layer can exist and still be useless: a bad OCR layer under a scan, letter-spaced text
("ba h wa da la m"), glyphs mapped to the wrong characters. :func:`score_text` counts how many
alphabetic tokens look like words: a common Indonesian word, a longer token with a vowel and a
sane letter case, or a short capitalised acronym (UU, DPRD, APBD). Fragments such as single
letters (apart from list markers "a." and the "x" of "1 x tindakan"), vowel-less runs and
2-3 letter pieces that are not words count against it. Tariff tables and medical terms score
high (long real words), letter-spaced and mis-decoded text scores low.

    >>> score_text("bahwa dalam rangka pelaksanaan Pasal 5 ayat (1) Undang-Undang").score > 0.9
    True
    >>> score_text("b a h w a d a l a m r a n g k a p e l a k s a n a a n").garbage
    True
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Common Indonesian function words and the words of legal drafting (all real words), the
# short ones especially: a 2-3 letter token outside this list counts as a fragment.
COMMON_WORDS: frozenset[str] = frozenset(
    """
    ada adalah agar akan antara apa apabila atas atau ayat bab bagi bagian bahwa baik baru
    bawah belum berdasarkan beberapa berlaku bersama besar bila boleh bukan bulan cara cukup
    dalam dan dapat dari daerah dasar demi dengan di dia diatur dimaksud dua guna hak hal
    hanya harus hari hingga huruf hukum ia ialah ini itu jam jasa jika jelas juga kali kami
    karena ke kecuali kepada ketentuan kita lain lainnya lalu lama lebih lima maka masa
    masing maupun melalui memuat mengenai menjadi menurut mereka nama negara nomor oleh
    orang pada paling pasal pihak per peraturan perlu pula pun rp saat sama sampai satu
    secara sebagai sebagaimana sebelum sedang sejak selain selama sampai sehingga sendiri
    serta sesuai setiap sudah tahun tanpa telah tempat tentang terhadap tersebut tertentu
    tiap tiga tidak tujuan untuk undang undangan uang wajib yaitu yakni yang
    air alat anak asas aset bea beban biaya bumi data dewan dana duta gaji ganti guru hasil
    izin jual kas kota laut luar mata mana muka naik nilai pajak pokok pos pusat putusan raya
    sah sanksi tanah tata tarif tugas umum usaha
    """.split()
)

_TOKEN = re.compile(r"[^\W\d_]+")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
# a single letter that is a list marker ("a.", "b)") or an abbreviation ("s.d"), and a unit
# after a number ("5 m²", "3-5 cm", "1 x tindakan") are not fragments
_MARKER_AFTER = re.compile(r"[.)]")
_MARKER_BEFORE = re.compile(r"(?:\.|\d\s*)$")

GARBAGE_BELOW = 0.75  # calibrated on the corpus: its worst real page scores 0.8 (docs/parse-benchmark.md)
MIN_TOKENS = 12  # fewer tokens than this: too little to judge


@dataclass(frozen=True)
class TextQuality:
    tokens: int  # alphabetic tokens judged (markers excluded)
    good: int
    common: int  # tokens found in COMMON_WORDS
    score: float  # good / tokens; 1.0 when there is nothing to judge

    @property
    def garbage(self) -> bool:
        return self.tokens >= MIN_TOKENS and self.score < GARBAGE_BELOW


def _good(tok: str) -> bool:
    low = tok.lower()
    if low in COMMON_WORDS:
        return True
    if len(tok) >= 2 and len(tok) <= 6 and tok.isupper():
        return True  # acronyms: UU, DPRD, APBD, BSSN
    if len(tok) == 3 and tok[0].isupper() and tok[1:].islower() and _VOWEL.search(tok):
        return True  # names and abbreviations in tables: "Mas", "Nep"
    if len(tok) >= 4 and _VOWEL.search(tok):
        # sane case: lower, Title or UPPER; "sEsUal" or "PrESIDEN" is OCR noise
        return tok.islower() or tok.isupper() or (tok[0].isupper() and tok[1:].islower())
    return False


def score_text(text: str) -> TextQuality:
    """Score how word-like a page's text is (see the module docstring)."""
    tokens = good = common = 0
    for m in _TOKEN.finditer(text):
        tok = "".join(c for c in m.group() if c.isalpha())  # "m²" -> "m"
        if not tok:
            continue
        if len(tok) == 1 and _MARKER_AFTER.match(text, m.end()):
            continue
        if len(tok) <= 3 and _MARKER_BEFORE.search(text, max(0, m.start() - 4), m.start()):
            continue
        tokens += 1
        if tok.lower() in COMMON_WORDS:
            common += 1
        if _good(tok):
            good += 1
    return TextQuality(tokens, good, common, good / tokens if tokens else 1.0)
