"""Regular expressions and tables for citations of regulations, kept apart from the code that
applies them (:mod:`ingest.citations`), in the manner of eyecite's ``regexes.py``.

Everything here is a plain string or an immutable table; ``ingest.citations`` compiles them once.
Patterns are written for ``re.IGNORECASE | re.VERBOSE``: spaces inside them are not literal,
``\\s`` is.

What the patterns must survive (all seen in shared/corpus): hyphen variants and line breaks
inside "Undang-Undang" ("Undang- Undang", "Undang-\\nUndang"), OCR noise inside words
("Und.ang-Undang", "ten tang"), letters read for digits ("Nomor 1l", "Tahun 2OO8", "Tahun L945",
"Tahun 20ll", "Tahun 2OO+"), and hard-wrapped lines anywhere between the parts of a citation.
"""
from __future__ import annotations

# --- building blocks ---------------------------------------------------------------------

# A hyphen (any dash, optionally spaced or line-broken) or a plain space between the two
# halves of "Undang-Undang".
HYPHEN = r"(?:\s*[-\u2010\u2011\u2012\u2013\u2014]\s*|\s+)"

# "Undang" with an optional stray dot/comma/space after any letter ("Und.ang", "Un dang").
_N = r"[.,'\u00b7]?"
UNDANG = rf"U{_N}n{_N}d{_N}a{_N}n{_N}g"
UNDANG_UNDANG = rf"{UNDANG}{HYPHEN}{UNDANG}"

# Keywords between the type and the number / year.
NOMOR = r"(?:Nomor|Nornor|Nomer|Number|No)\s*[.:]?"
TAHUN = r"(?:Tahun|Tahtin|Tabun|Thn|Th)\s*\.?"

# Characters OCR puts in place of digits. A number token must still hold at least one real
# digit (checked in code), so words are never read as numbers.
OCR_DIGIT_CLASS = r"0-9OoQIlL|+"
OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "Q": "0", "I": "1", "l": "1", "L": "1", "|": "1", "+": "4"})

# Regulation number: "11", "1l", "L2"; ministerial prefixes such as "PM 5" (Permenhub) are
# dropped: the canonical id keeps the number only.
NUMBER = rf"(?:PM\s*\.?\s*)?(?P<nomor>[{OCR_DIGIT_CLASS}]{{0,3}}[0-9][{OCR_DIGIT_CLASS}]{{0,3}})(?![0-9A-Za-z])"

# Year: four characters, checked in code (at least two real digits, a plausible year).
YEAR = rf"(?P<tahun>[12IlL|][{OCR_DIGIT_CLASS}]{{3}})(?![0-9A-Za-z])"

# "Nomor 11 Tahun 2008", "No. 11 Tahun 2008", "11 Tahun 2008", "11/2008", "No. 11 of 2008".
NUMBER_YEAR = rf"""
    (?: \s*,?\s* {NOMOR} \s* | \s+ )
    {NUMBER}
    (?: \s+ {TAHUN} \s* | \s+ of \s+ | \s* / \s* )
    {YEAR}
"""

# "Republik Indonesia" / "RI" after a national type: "Undang-Undang Republik Indonesia Nomor ..."
REPUBLIK = r"(?:\s+Republik\s+Indonesia|\s+RI(?![A-Za-z]))?"

# --- types of regulation -------------------------------------------------------------------
# (short code, pattern of the type's name). Order matters only for readability: overlapping
# matches are settled in code (earliest start, then longest match).
# A code that is not a key of ingest.ids.JENIS gives a citation with work_id None.

NATIONAL_TYPES: tuple[tuple[str, str], ...] = (
    ("perppu", rf"Peraturan\s+Pemerintah\s+Pengganti\s+{UNDANG_UNDANG} | Perppu | Perpu"),
    # "... Pengganti Undang-Undang Nomor 1 Tahun 2020" is a Perppu even when scrambled columns
    # have moved "Peraturan Pemerintah" away (perbup-mamuju-tengah-34-2021).
    ("perppu", rf"Pengganti\s+{UNDANG_UNDANG}"),
    ("perppu", r"Government\s+Regulation\s+in\s+Lieu\s+of\s+(?:a\s+)?Law"),
    ("pp", r"Peraturan\s+Pemerintah | PP"),
    ("pp", r"Government\s+Regulation"),
    ("uu-darurat", rf"{UNDANG_UNDANG}\s+Darurat | UU\s*Drt\.?"),
    ("uu", rf"{UNDANG_UNDANG} | UU"),
    ("uu", r"(?<!By-)(?<!By\s)Law"),
    ("perpres", r"Peraturan\s+Presiden | Perpres"),
    ("perpres", r"Presidential\s+Regulation"),
    ("keppres", r"Keputusan\s+Presiden | Keppres"),
    ("keppres", r"Presidential\s+Decree"),
    ("inpres", r"Instruksi\s+Presiden | Inpres"),
    ("inpres", r"Presidential\s+Instruction"),
    ("permendagri", r"Peraturan\s+Menteri\s+Dalam\s+Negeri | Permendagri"),
    ("permendagri", r"(?:Minister\s+of\s+Home\s+Affairs|Home\s+Affairs\s+Minister(?:ial)?)\s+Regulation"),
    ("permenhub", r"Peraturan\s+Menteri\s+Perhubungan | Permenhub"),
    ("permenhub", r"(?:Minister\s+of\s+Transportation|Transportation\s+Minister(?:ial)?)\s+Regulation"),
    ("permenkeu", r"Peraturan\s+Menteri\s+Keuangan | Permenkeu | PMK"),
    ("permenkeu", r"(?:Minister\s+of\s+Finance|Finance\s+Minister(?:ial)?)\s+Regulation"),
    ("permenkominfo", r"Peraturan\s+Menteri\s+Komunikasi\s+dan\s+Informatika | Permenkominfo"),
    ("permenpanrb", r"Peraturan\s+Menteri\s+Pendayagunaan\s+Aparatur\s+Negara\s+dan\s+Reformasi\s+Birokrasi"
                    r" | Permen\s*PAN\s*-?\s*RB"),
)

# Any other minister: the ministry's name is not part of the canonical id scheme, so such a
# citation is found (it is one) but not resolved (work_id None). The Nomor keyword is required
# so that "Peraturan Menteri ini ..." is never taken for a citation.
GENERIC_PERMEN = rf"""
    (?P<jenis_text> Peraturan\s+Menteri (?: \s+ (?!(?:Nomor|Nornor|No)\b) [A-Za-z][\w.,]* ){{1,8}}? )
    \s*,?\s* {NOMOR} \s* {NUMBER} \s+ {TAHUN} \s* {YEAR}
"""

# Types that are found but cannot make a canonical id: "permen" names no ministry.
UNIDENTIFIED_TYPES: frozenset[str] = frozenset({"permen"})

REGIONAL_TYPES: tuple[tuple[str, str], ...] = (
    ("perda", r"Peraturan\s+Daerah | Perda"),
    ("perda", r"Regional\s+Regulation"),
    ("perwal", r"Peraturan\s+Wali\s*kota | Perwal(?:i|kot)?"),
    ("perwal", r"Mayor(?:'s|al)?\s+Regulation"),
    ("perbup", r"Peraturan\s+Bupati | Perbup"),
    ("perbup", r"Regent(?:'s)?\s+Regulation"),
    ("pergub", r"Peraturan\s+Gubernur | Pergub"),
    ("pergub", r"Governor(?:'s)?\s+Regulation"),
    ("kepwal", r"Keputusan\s+Wali\s*kota | Kepwal"),
)

# "Kota Malang", "Kabupaten Banjarnegara", "Kab. Mamuju Tengah", "Provinsi Jawa Timur", "Malang".
REGION_TYPE = r"(?P<rtype>Kota|Kabupaten|Kab\.?|Provinsi|Prov\.?|City\s+of|Regency\s+of|Province\s+of)"
_REGION_WORD = (
    r"(?!(?:Nomor|Nornor|Nomer|Number|No|Tahun|tentang|Republik|dan|of|Kota|Kabupaten|Provinsi)(?![A-Za-z]))"
    r"[A-Za-z][A-Za-z'-]*"
)
REGION = rf"(?: \s+ (?: {REGION_TYPE} \s+ )? (?P<rname> {_REGION_WORD} (?: \s+ {_REGION_WORD} ){{0,2}}? ) )??"

# Region types as written -> level ("kota", "kabupaten", "provinsi").
REGION_LEVELS: dict[str, str] = {
    "kota": "kota", "city of": "kota",
    "kabupaten": "kabupaten", "kab": "kabupaten", "kab.": "kabupaten", "regency of": "kabupaten",
    "provinsi": "provinsi", "prov": "provinsi", "prov.": "provinsi", "province of": "provinsi",
}

# Names borne by both a kota and a kabupaten. The canonical id of the kota keeps the bare name
# ("perda-malang-4-2023" is Kota Malang's, as ingest/ids.py has it); the kabupaten's gets the
# prefix "kabupaten-" so that a citation of Kabupaten Malang never links to the city's law.
KOTA_KABUPATEN_TWINS: frozenset[str] = frozenset({
    "malang", "bandung", "bekasi", "bogor", "cirebon", "serang", "tangerang", "sukabumi",
    "tasikmalaya", "tegal", "pekalongan", "magelang", "semarang", "kediri", "blitar", "madiun",
    "mojokerto", "pasuruan", "probolinggo", "solok", "kupang", "jayapura", "sorong", "banjar",
})

# --- the constitution and MPR decrees ------------------------------------------------------

UUD = rf"""
    (?: {UNDANG_UNDANG} \s+ Dasar (?:\s+Negara)? (?:\s+Republik\s+Indonesia)? (?:\s+{TAHUN})?
      | UUD (?:\s*NRI|\s*RI)? (?:\s+{TAHUN})?
    ) \s* (?P<tahun>[1IlL|]\s?9\s?4\s?5) (?![0-9A-Za-z])
  | (?:the\s+)? (?P<tahun_en>1945) \s+ Constitution
  | Constitution \s+ of \s+ the \s+ Republic \s+ of \s+ Indonesia (?: \s+ of \s+ (?P<tahun_en2>1945) )?
"""

ROMAN = r"[IVXLC]+"
TAP_MPR = rf"""
    (?: Ketetapan \s+ (?: Majelis\s+Permusyawaratan\s+Rakyat (?:\s+Sementara)? (?:\s+Republik\s+Indonesia)?
                        | MPRS? (?:\s*RI)? )
      | TAP \s*\.?\s* MPRS? (?:\s*RI)?
      | MPR \s+ Decree
    )
    \s* ,? \s* (?: {NOMOR} \s* )?
    (?P<nomor>{ROMAN}) \s* / \s* (?P<body>MPRS?) \s* / \s* {YEAR}
"""
ROMAN_VALUES: dict[str, int] = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

# --- pinpoints: Pasal / ayat / huruf ---------------------------------------------------------

# "5", "45A", "28 F" (a capital letter, optionally spaced, that does not start a word).
PASAL_NUMBER = r"\d{1,3}(?:\s?(?-i:[A-Z])(?![A-Za-z]))?"
AYAT = r"(?:(?:ayat|paragraph|para\.?)\s*|(?<=\d)(?=\())\(\s*(?P<ayat>[0-9lI]{1,3}[a-z]?)\s*\)"
HURUF = r"(?:huruf|letter|point|item)\s+(?P<huruf>[a-z])(?![A-Za-z])"
PIN = rf"(?:Pasal|Article|Art\.)\s+(?P<pasal>{PASAL_NUMBER})(?:\s*{AYAT})?(?:\s+{HURUF})?"

# A list of pinpoints: "Pasal 20, Pasal 21, dan Pasal 22A", "Pasal 28H ayat (1), ayat (2), ayat (4)".
_PIN_PLAIN = PIN.replace("?P<pasal>", "?:").replace("?P<ayat>", "?:").replace("?P<huruf>", "?:")
_AYAT_PLAIN = AYAT.replace("?P<ayat>", "?:")
PIN_LIST = rf"""
    {_PIN_PLAIN}
    (?: (?: \s*,\s* (?:dan\s+|serta\s+|and\s+)? | \s+(?:dan|serta|and)\s+ ) (?: {_PIN_PLAIN} | {_AYAT_PLAIN} ) ){{0,30}}
"""
# The list's items, read one by one from a matched list.
PIN_ITEM = rf"{PIN} | {AYAT.replace('?P<ayat>', '?P<ayat_only>')}"

# Between a pinpoint list written before the work and the work: "Pasal 27 Undang-Undang ...",
# "Article 27 of Law ...".
PIN_TO_WORK = r"\s*,?\s*(?:(?:of|dari)\s+(?:the\s+)?)?"
# After the work, on the same line: "UU No. 11 Tahun 2008 Pasal 27 ayat (1)".
WORK_TO_PIN = r"[ \t]*,?[ \t]*"
