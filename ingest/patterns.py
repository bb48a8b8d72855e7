"""Regular expressions for the structure of Indonesian regulations, kept apart from the code
that applies them (ingest.normalize, ingest.structure, ingest.heading, ingest.preamble,
ingest.penjelasan, ingest.amendments).

Every pattern here is linear: no nested unbounded quantifiers, so a 200-page text is
scanned in milliseconds.
"""
from __future__ import annotations

import re

# --- page furniture -----------------------------------------------------------------------
_SP = r"[ \t]?"
PRESIDEN_WORD = rf"[PF]{_SP}R{_SP}E{_SP}S{_SP}[Il1l]{_SP}(?:D|E{_SP}I|O|Ð){_SP}[EI]{_SP}N"
REPUBLIK_WORD = rf"R{_SP}E{_SP}P{_SP}U{_SP}[BE]{_SP}(?:L{_SP}[Il1]|U){_SP}K"
INDONESIA_WORD = rf"[Il1]{_SP}N{_SP}[DO0]{_SP}[O0]{_SP}N{_SP}E{_SP}S{_SP}[Il1\],]{{1,2}}{_SP}A"

# a page number as OCR reads it: digits with letters read for some of them ("-t37-", "-9L-")
OCR_PAGE_NO = r"-\s?(?=[0-9tlIOoLr]{0,2}\d)[0-9tlIOoLr]{1,3}\s?-"

FURNITURE_LINE = re.compile(
    rf"""^(?:
        (?:{PRESIDEN_WORD})(?:\s+{REPUBLIK_WORD}(?:\s+{INDONESIA_WORD})?)?,?
      | {REPUBLIK_WORD}\s+{INDONESIA_WORD},?
      | -+\s*\d{{1,3}}\s*-*          # - 2 -, -2-, -2
      | -\s?[0-9tlIOo]{{1,3}}\s?-      # OCR'd page numbers: -t2-
      | {OCR_PAGE_NO}                 # -9L-, -to2-, -r22-
      | SK\s+No\s*[.:]?\s*\d{{4,}}\s*[A-Z]?   # serial number of the State Secretariat's paper
      | \d{{1,3}}\s*-+               # 13 -
      | -+                           # a lone dash (page number split over two lines)
      | \d{{1,3}}                    # a bare page number
      | \d{{1,3}}\s*/\s*\d{{1,3}}    # 1 / 3
      | S\s?A\s?L\s?I\s?N\s?A\s?N\.?
      | Salinan\s+sesuai\s+dengan\s+aslinya.*
      | Dokumen\s+ini\s+telah\s+ditandatangani\s+secara\s+elektronik.*
      | diterbitkan\s+oleh\s+Balai\s+Besar\s+Sertifikasi\s+Elektronik.*
      | .*\(BSrE\).*\(BSSN\)\.?
      | ```.*
      | ttd\.?
    )\s*$""",
    re.X,
)

# The same furniture glued inside a long line of the flattened .md texts:
# "... SALINA N PRES I DEN REPUBLIK INDONESIA -2- ...". Only with its page number, so real
# text that names the President is never eaten.
INLINE_FURNITURE = re.compile(
    rf"(?:S\s?A\s?L\s?I\s?N\s?A\s?N\s+)?{PRESIDEN_WORD}\s+{REPUBLIK_WORD}\s+{INDONESIA_WORD}\s*(?:-\s?\d{{1,3}}\s?-|{OCR_PAGE_NO})"
)

# "Pasal 20 . . ." / "Agar. . ." / "5. Sistem . . ." at the foot of a page: the first words of
# the next page, repeated.
CONTINUATION_LINE = re.compile(r"^\S.{0,70}?(?:\s?\.\s?\.\s?\.|…)\s*$")

# Converter header of the .md files: "# PMK 009 2025 ... **Source File:** ... ---"
CONVERTER_HEADER = re.compile(r"\A\s*#[^\n]*\n(?:(?!---\s*\n)[^\n]*\n){0,40}?---\s*\n")
MD_METADATA_HEADER = re.compile(r"\A\s*#[^\n]*\n(?:[^\n]*\n){0,40}?## Isi Peraturan\s*\n(?:```[^\n]*\n)?")

# --- split words --------------------------------------------------------------------------
SPLIT_WORDS = [
    (re.compile(r"\bP\s+asal\b"), "Pasal"),
    (re.compile(r"\bPa\s+sal\b"), "Pasal"),
    (re.compile(r"\bPas\s+al\b"), "Pasal"),
    (re.compile(r"\bB\s+AB\b"), "BAB"),
    (re.compile(r"\bBA\s+B\b(?=\s+[IVXL]+\b)"), "BAB"),
    (re.compile(r"\bBAB(?=[IVXL]+\b)"), "BAB "),
    (re.compile(r"\bM\s?E\s?M\s?U\s?T\s?U\s?S\s?(?:K|I\(|\|<)\s?A\s?N\b"), "MEMUTUSKAN"),
    (re.compile(r"\bM\s?e\s?n\s?i\s?m\s?b\s?a\s?n\s?g\b"), "Menimbang"),
    (re.compile(r"\bM\s?e\s?n\s?g\s?i\s?n\s?g\s?a\s?t\b"), "Mengingat"),
    (re.compile(r"\bP\s?E\s?N\s?J\s?E\s?(?:L|I,|[I1l])\s?A\s?S\s?A\s?N\b"), "PENJELASAN"),
]

# --- inline structural headings to put on their own line ------------------------------------
ROMAN = r"[IVXLC]+"
ROMAN_OCR = r"[IVXLC][IVXLCvxl]*|x[IVXLCvxl]*"  # OCR lower-cases Roman digits: "BAB xI", "BAB xII"
ORDINAL = r"Ke(?:satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|[a-z]+\s?(?:belas|puluh)(?:\s[a-z]+)?)"
# A BAB heading glued after a sentence end or after an upper-case run (Menetapkan ... BAB I),
# followed by an upper-case title.
INLINE_BAB = re.compile(
    rf"(?:(?<=[.;:·])|(?<=[.;:·]\s)|(?<=[A-Z]\s))(?=BAB\s(?:{ROMAN_OCR})[A-Z]?\s+[A-Z][A-Z,/\-]+(?:\s|$))"
)
INLINE_BAGIAN = re.compile(rf"(?:(?<=[.;:·])|(?<=[.;:·]\s))(?=Bagian\s{ORDINAL}\s+[A-Z])")
INLINE_BAGIAN_AFTER_UPPER = re.compile(rf"(?<=[A-Z]{{2}}\s)(?=Bagian\s{ORDINAL}\s+[A-Z])")
INLINE_PARAGRAF = re.compile(r"(?:(?<=[.;:·])|(?<=[.;:·]\s)|(?<=[a-z]\s))(?=Paragraf\s\d{1,2}\s+[A-Z])")
INLINE_PENJELASAN = re.compile(r"(?<=\S)\s+(?=PENJELASAN\s+ATAS\b)")
INLINE_UMUM = re.compile(r"(?<=\S)\s+(?=I\.\s+UMUM\b)")
INLINE_PDP = re.compile(r"(?<=\S)\s+(?=II\.\s+PASAL\s+DEMI\s+PASAL\b)")
INLINE_LAMPIRAN = re.compile(
    r"(?<=\S)\s+(?=LAMPIRAN(?:\s+[IVX]+)?\s+(?:UNDANG|PERATURAN|KEPUTUSAN|KETETAPAN)\b)"
)
INLINE_TLN = re.compile(r"(?<=\S)\s+(?=TAMBAHAN\s+LEMBARAN\s+(?:NEGARA|DAERAH)\b)")
INLINE_CLOSING = re.compile(r"(?<=\S)\s+(?=Agar\s+setiap\s+orang\s+mengetahuinya\s*,?\s*memerintahkan)")

# --- structural headings (whole line, after normalisation) ------------------------------------
BAB_LINE = re.compile(rf"^BAB\s+(?P<num>(?:{ROMAN_OCR})[A-Z]?)\b\s*(?P<title>.*)$")
BAGIAN_LINE = re.compile(rf"^Bagian\s+(?P<num>{ORDINAL})\b\s*(?P<title>.*)$", re.I)
PARAGRAF_LINE = re.compile(r"^Paragraf\s+(?P<num>\d{1,2}[A-Z]?)\b\s*(?P<title>.*)$")

# A Pasal heading candidate anywhere in a text. The prefix tolerates OCR damage of "Pasal"
# ("Pasa]", "PasaJ", "Pasa7", "Pasil", "PasaT"); the number group takes what the OCR may have
# made of digits. Repair happens in ingest.normalize.heading_readings, and only for these.
PASAL_CANDIDATE = re.compile(
    r"(?<![A-Za-z])(?P<prefix>P ?a ?s ?[ai] ?-?(?P<l>[lI1J\]\|!7T])?)"
    r"(?P<sp>[ \t]?)(?P<num>[0-9OoIlLTSZB\]\|!+]{1,4}[A-Ha-h]?(?:[ \t][0-9OoIl]{1,2}(?![0-9A-Za-z])){0,2})"
    r"(?![A-Za-z0-9(])"
)
ROMAN_PASAL = re.compile(r"^Pasal\s+(?P<num>[IVX]{1,4})\s*$")

# A numbered ayat at the start of a line or glued after a sentence end: "(1)", "(2a)", OCR "(l)",
# "(21" (a closing parenthesis read as 1 is not repaired: too ambiguous).
AYAT_MARK = re.compile(r"(?:(?<=^)|(?<=[\s]))\((?P<num>[0-9lIO]{1,2}[a-z]?)\)\s")

# --- preamble -------------------------------------------------------------------------------
MENIMBANG = re.compile(r"\bM(?:enimbang|ENIMBANG)\b\s*:?")
MENGINGAT = re.compile(r"\bM(?:engingat|ENGINGAT)\b\s*:?")
MEMPERHATIKAN = re.compile(r"\bM(?:emperhatikan|EMPERHATIKAN)\b\s*:?")
MENETAPKAN = re.compile(r"\bM(?:enetapkan|ENETAPKAN)\b\s*:?")
MEMUTUSKAN = re.compile(r"\bMEMUTUSKAN\b\s*:?")
DENGAN_RAHMAT = re.compile(r"DENGAN\s+RAHMAT\s*TUHAN", re.I)
PERSETUJUAN = re.compile(r"\bDengan\s+Persetujuan\s+Bersama\b", re.I)
MENIMBANG_ITEM = re.compile(r"(?:(?<=\s)|^|(?<=:))(?P<label>[a-z])\s?\.\s+(?=[Bb]ahwa\b)")
BAHWA_START = re.compile(r"(?:^|(?<=[;:]\s)|(?<=[;:])|(?<=\n))\s*(?:[a-z]\.\s*)?(?=[Bb]ahwa\b)")
NUMBERED_ITEM = re.compile(r"(?:^|(?<=\s)|(?<=[;:]))(?P<num>\d{1,2})\s?\.(?=\s|$|[A-Z])")  # "10.Peraturan": no space

# --- closing, penjelasan, lampiran ------------------------------------------------------------
CLOSING = re.compile(r"^Agar\s*setiap\s*orang\s*mengetahuinya", re.I)
SIGNED = re.compile(r"^(?:Ditetapkan|Disahkan)\s+di\b", re.I)
PENJELASAN_HEAD = re.compile(r"^PENJELASAN(?:\s+ATAS\b.*)?\s*$")
UMUM_HEAD = re.compile(r"^(?:I\s?\.\s*)?UMUM\b")
PDP_HEAD = re.compile(r"^II\s?\.\s*PASAL\s+DEMI\s+PASAL\b", re.I)
LAMPIRAN_HEAD = re.compile(r"^LAMPIRAN(?:\s+[IVX]+)?(?:\s*:)?(?:\s+(?:UNDANG|PERATURAN|KEPUTUSAN|KETETAPAN)\b.*)?\s*$")

# Dates: "Ditetapkan di Jakarta pada tanggal 25 April 2019"
MONTHS = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "nopember": 11, "november": 11,
    "desember": 12,
}
# The place may be lost ("Disahkan di pada tanggal 30 April 2008"), the year glued to the month
# ("2 Januari2024"), the date written in figures ("30-12-2025").
PLACE_DATE = re.compile(
    r"(?P<kind>Ditetapkan|Disahkan|Diundangkan)\s+[Dd]i\s*(?:(?!pada\b)(?P<place>[A-Z][A-Za-z .]{1,40}?)\s*,?\s*)?"
    r"(?:pada\s+)?(?:tanggal\s+)?(?:"
    r"(?P<day>[0-9OolIL]{1,2})\s+(?P<month>[A-Za-z]{3,9})\s*(?P<year>[0-9OolIL]{4})"
    r"|(?P<nday>\d{1,2})\s?[-/.]\s?(?P<nmonth>\d{1,2})\s?[-/.]\s?(?P<nyear>\d{4}))"
)

# --- amendments -------------------------------------------------------------------------------
AMEND_VERBS = re.compile(r"\b(diubah|disisipkan|disisipi|dihapus|ditambah(?:kan)?|tetap dengan perubahan)\b", re.I)
ITEM_START = re.compile(
    r"^(?:(?P<num>[0-9lI](?:\s?[0-9lI])?)\s?[.,]?\s*)?(?=(?:Ketentuan|Di\s?antara|Penjelasan|Pasal\s+\S+\s+(?:dihapus|diubah)|"
    r"BAB\s+[IVXL]+[A-Z]?\s+dihapus|Judul|Lampiran|Bagian|Paragraf|Diantara|Menambahkan|Menyisipkan)\b)"
)
INLINE_ITEM = re.compile(
    r"(?<=[.:;])\s+(?P<num>\d(?:\s?\d)?)\s?\.\s*(?=(?:Ketentuan|Di\s?antara|Penjelasan|Pasal\s+\S+\s+dihapus|Judul|Lampiran)\b)"
)
AMENDED_WORK_OPENING = re.compile(
    r"(?:Beberapa\s+)?[Kk]etentuan(?:\s+dalam)?\s+(?P<cite>.{10,400}?)\s*(?:\([^()]{0,300}\))?\s*,?\s*"
    r"(?:diubah|disisipkan|dihapus|ditambah)",
    re.S,
)
PERUBAHAN_TITLE = re.compile(r"PERUBAHAN\s+(?:[A-Z]+\s+)?ATAS\s+(?P<cite>.+)$", re.I | re.S)
REVOKE = re.compile(r"dicabut\s+dan\s+dinyatakan\s+tidak\s+berlaku", re.I)

# --- Pasal headings and divisions (ingest.structure) ------------------------------------------
# Words after which a line-final "Pasal N" is the end of a cross-reference, not a heading.
CONNECTOR_END = re.compile(
    r"(?:\b(?:dalam|dan|atau|pada|dengan|sampai|oleh|tentang|serta|ke|di|dari|yakni|yaitu|dimaksud|menjadi|ayat)|[,(])\s*$",
    re.I,
)
XREF_FOLLOW = re.compile(r"^\s*(?:(?-i:ayat|huruf|angka)|sampai|dan\b|atau\b|,|sebagaimana|Undang|Peraturan|UUD|yang\b|tentang|juncto|jo\.|s\.d)", re.I)
HEADING_FOLLOW = re.compile(r"^\s*(?:\(\s?[0-9lI]{1,2}[a-z]?\s?\)|[A-Z\"“]|Cukup|Ayat|Huruf|Angka)")
# words before a "Pasal" line that make it a cross-reference ("sebagaimana dimaksud dalam / Pasal")
XREF_LEAD = re.compile(r"\b(?:dalam|pada|dimaksud|menurut|berdasarkan|sesuai|terhadap)\s*$", re.I)
AYAT_FOLLOW = re.compile(r"^\s*\(\s?[1lI]\s?\)\s*[A-Z\"“]")
# a sentence end, possibly followed by an OCR speck or a list label that lost its dot ("hukum. ' Pasal 23")
SENTENCE_END = re.compile(r"(?:[.;:·]|^)\s*(?:[^\sA-Za-z0-9]{1,2}\s*|[a-z]\s+)?$")
# a division heading and its title just before a Pasal on the same line: "BAB xI PARTISIPASI
# MASYARAKAT Pasal 63 (1) ..."; OCR damage in an upper-case title ("PEI{YELESAI,AN") is tolerated.
TITLE_BEFORE = re.compile(
    rf"^(?:BAB\s+(?:{ROMAN_OCR})[A-Z]?\s+[^a-z\n]+|Bagian\s+Ke\w+\s+[A-Z][\w ,/\-]+|Paragraf\s+\d+\s+[A-Z][\w ,/\-]+)\s$"
)
TITLE_TAIL = re.compile(rf"(?:^|[.;:]\s|\s)BAB\s+(?:{ROMAN_OCR})[A-Z]?\s+[A-Z][^a-z\n]{{2,120}}\s$")

# --- the issuing official and region of a heading (ingest.heading, the staff upload check) ----
OFFICIAL_LINE = re.compile(r"^(?:BUPATI|WALI\s?KOTA|GUBERNUR)\s+(?P<r>[A-Z][A-Z .\-]{2,40}?)\s*,?\s*$")
REGION_IN_TITLE = re.compile(
    r"PERATURAN\s+(?:DAERAH|BUPATI|WALI\s?KOTA|GUBERNUR)\s+(?:(?:KABUPATEN|KOTA|PROVINSI)\s+)?(?P<r>[A-Z][A-Z \-]{2,40}?)\s+NOMOR\b"
)

# --- Menimbang / Mengingat lists (ingest.preamble) ----------------------------------------------
# labels and layout debris before the first Mengingat item: ". . . b c", "1 2", "T{IItrtrIXN"
LEAD_DEBRIS = re.compile(r"^(?:\s|\.|\b[a-z0-9]{1,2}\b|\S*[{}|\\]\S*)+")

# the end of a list item: ";" then (a displaced label and) the capitalised start of the next;
# in OCR text the ";" after the closing "(... Tambahan Lembaran Negara ... Nomor 4438)" may be
# read as "," or ":"
ITEM_END = re.compile(
    r"(?:;|(?<=Nomor\s\d{4})\s?[,:])(?=\s*(?:\d{1,2}\s?[.,]\s*)*[A-Z])|(?<=Nomor\s\d{4}\))\s?[,:;]"
)

# a numbered label followed by what opens a Mengingat item (not by a displaced "Nomor 701);")
ITEM_OPENING = re.compile(
    r"\d{1,2}\s?\.\s*(?:Undang|Peraturan|Keputusan|Ketetapan|Instruksi|Pasal|Qanun|Surat|Perpu|UUD)"
)

# the first numbered item after the last "bahwa" (where a Mengingat label is lost)
FIRST_NUMBERED_ITEM = re.compile(r"(?:^|(?<=[\s;:]))1\s?\.\s+(?=\S)")
