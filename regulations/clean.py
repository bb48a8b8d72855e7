"""Clean article text of page furniture before it is shown as the law in force.

A quoted article of an amending regulation is read across page breaks, so its text may carry the
running header ("PRESIDEN REPUBLIK INDONESIA", OCR-mangled), the print code ("SK No 190192 A"),
the page number ("-8-"), the catchword that repeats the next page's first word ("b. memberi . . .
... memberi utang") and an ayat marker whose closing bracket OCR read as a digit ("(21 Setiap").
Text in, text out; the patterns are in this module's head, no state.

>>> clean_article_text("a. memberikan; atau b. memberi . . . SK No l90l92A NEPUELIK INDONESTA memberi utang.")
'a. memberikan; atau b. memberi utang.'
>>> clean_article_text("PasaJ2T ... SK No l90l9l A -lLIK iNf.ftIf+TA Pasal 27 (1) Setiap Orang.")
'(1) Setiap Orang.'
>>> clean_penjelasan("Ayat (2a) Cukup jelas. Ayat Ayat Ayat (2b) Yang dimaksud")
'Ayat (2a) Cukup jelas. Ayat (2b) Yang dimaksud'
>>> clean_article_text("umum. (21 Setiap Orang")
'umum. (2) Setiap Orang'
>>> clean_article_text("denda paling banyak Rp4O0.000.00O,00; Undang-Undang Nomor 1 Tahun 2O23")
'denda paling banyak Rp400.000.000,00; Undang-Undang Nomor 1 Tahun 2023'
"""
from __future__ import annotations

import difflib
import re

# the print code of a page of the State Gazette copy: "SK No 190185 A", "SK No l90l9l A"
_SK_NO = re.compile(r"\bSK\s?N[o0]\.?\s?[0-9lIO]{5,7}\s?[A-Z]?\b")
# "-8-", "- 12 -", "-2t-": a page number standing alone
_PAGE_NO = re.compile(r"(?:(?<=\s)|^)-\s?[0-9lIt]{1,3}\s?-(?=\s|$|[A-Z])")
# the running header: an all-capitals word, then an OCR reading of "INDONESIA" ("REPIJBUT INDONESIA")
_HEADER = re.compile(r"(?:\b(?:PRES\S{0,6}|FRES\S{0,6})\s+)?\b[A-Z!1|][A-Z!1|IJ]{4,}\s+IND[O0]N\S{0,6}\b")
# a catchword at the foot of a page: "(3) Setiap. . .", "b. memberi . . .", "Instansi. .."
_CATCHWORD = re.compile(r"(?P<word>[A-Za-z][\w/-]*)\s?\.\s?\.\s?\.?(?=\s|$)")
# an ayat marker whose ")" was read as "1", "l" or "t": "(21 ", "(2a1,", "(7t "
_AYAT_OCR = re.compile(r"\((?P<n>\d{1,2}[a-z]?)[1lt|](?=[\s,.;:]|$)")
_AYAT_ONE = re.compile(r"\((?:l|I|U)\)?(?=\s)")
_AYAT_L = re.compile(r"(?<![\w(])l(?P<n>\d[a-z]?)l(?=[\s,.;:]|$)")
# "Angka 4" markers of the next items left at the end of an explanation
_TRAILING_ANGKA = re.compile(r"(?:\s*\bAng\S{1,3}\s?\d{1,3}\b)+\s*$")
_AYAT_RUN = re.compile(r"\b(?:Ayat\s+)+(?=Ayat\s?\()")
_HEADER_WORDS = ["PRESIDEN", "REPUBLIK", "INDONESIA"]
# the catchword of the next item at the very end: "4. Penjelasan . . . .,("
_TRAILING_CATCHWORD = re.compile(r"\s(?:\d{1,3}\.\s)?[A-Za-z][\w/-]*\s?\.\s?\.\s?\.[\s.,(]*$")
# a heading of the quoted article left in front of its text ("PasaJ2T ... Pasal 27 (1)")
_LEAD_HEADING = re.compile(r"^.{0,80}?\bPasa\S{0,3}\s?\d{1,3}[A-Z]?\s+(?=\(1\)|[A-Z])")


def _garbage(token: str) -> bool:
    """An OCR reading of a header or seal: brackets, plus signs, capitals inside small letters."""
    t = token.strip(",.;:'\"")
    if len(t) < 3:
        return False
    if re.search(r"[{}+|!~^\\]", t):
        return True
    if re.fullmatch(r"[A-Za-z'.,;-]+", t) and re.search(r"[a-z][A-Z]", t) and len(re.findall(r"[A-Z]", t)) >= 2:
        return True
    return False


def _header_word(token: str) -> bool:
    """A lone capitals word that reads as PRESIDEN, REPUBLIK or INDONESIA (the running header)."""
    t = token.strip(",.;:'\"-")
    return len(t) >= 5 and t.isupper() and bool(difflib.get_close_matches(t, _HEADER_WORDS, n=1, cutoff=0.7))


def _drop_garbage_runs(text: str) -> str:
    return " ".join(tok for tok in text.split(" ") if not (_garbage(tok) or _header_word(tok)))


def _drop_catchwords(text: str) -> str:
    """Remove "word . . . <furniture> word" down to the repeated word."""
    while True:
        for m in _CATCHWORD.finditer(text):
            word = m.group("word")
            rest = text[m.end():m.end() + 200]
            again = re.search(r"(?:(?<=\s)|^)" + re.escape(word) + r"\b", rest)
            if again is None:
                continue
            # from the catchword (and the ayat or letter in front of it) to the repeat
            start = m.start()
            lead = re.search(r"(?:\(\s?\w{1,3}\s?\)|\b[a-z]\.)\s?$", text[:start])
            repeat_at = m.end() + again.start()
            lead_again = re.search(r"(?:\(\s?\w{1,3}\s?\)|\b[a-z]\.|\(\w{1,3})\s?$", text[:repeat_at])
            if lead and lead_again:
                start = lead.start()
            text = text[:start] + text[repeat_at:] if not (lead and lead_again) else \
                text[:start] + text[lead_again.start():]
            break
        else:
            return text


def _ocr_digits(text: str) -> str:
    """An O read for a 0 inside a figure ("Rp4O0.000.000,00", "Tahun 2O23"), an l for a 1 after Rp."""
    text = re.sub(r"\bRpl(?=[.\d])", "Rp1", text)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"(?<=\d)O(?=[\dO.,])|(?<=\d[.,])O(?=[\dO])|(?<=\d)O\b", "0", text)
    return text


def clean_article_text(text: str) -> str:
    """The article's text without page furniture, ayat markers repaired, spaces normalised."""
    t = re.sub(r"\s+", " ", (text or "").replace("^", "")).strip()
    t = _SK_NO.sub(" ", t)
    t = _HEADER.sub(" ", t)
    t = _PAGE_NO.sub(" ", t)
    t = _drop_garbage_runs(t)
    t = re.sub(r"\s+", " ", t).strip()
    t = _AYAT_OCR.sub(lambda m: f"({m.group('n')})", t)
    t = _AYAT_L.sub(lambda m: f"({m.group('n')})", t)
    t = _AYAT_ONE.sub("(1)", t)
    t = _drop_catchwords(t)
    t = re.sub(r"(?<=\w)/ (?=\w)", "/", t)  # "dan/ atau": OCR's space after a slash
    t = _ocr_digits(t)
    t = _LEAD_HEADING.sub("", t)
    t = _TRAILING_CATCHWORD.sub("", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t


def clean_penjelasan(text: str | None) -> str | None:
    if not text:
        return text
    t = clean_article_text(text)
    t = _TRAILING_ANGKA.sub("", t).strip()
    t = _AYAT_RUN.sub("", t)  # "Ayat Ayat Ayat (2b)": headings whose numbers OCR set apart
    return t or None
