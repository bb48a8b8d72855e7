"""Build ``pipelines/data/dictionary-en-id.tsv`` from FreeDict's English-Indonesian dictionary.

The dictionary that the analyser uses to translate English query words into Indonesian ones
(``analyzer.translations``) is FreeDict's ``eng-ind`` (FreeDict+WikDict, edition 2022.11.18,
built from Wiktionary by WikDict, CC-BY-SA-3.0), as Debian ships it in the package
``dict-freedict-eng-ind`` (files ``freedict-eng-ind.index`` and ``freedict-eng-ind.dict.dz``).
The product ships the converted TSV; this module is how it was made, and how to remake it::

    apt-get download dict-freedict-eng-ind && dpkg -x dict-freedict-eng-ind_*.deb deb
    python -m pipelines.analysis.freedict deb/usr/share/dictd/freedict-eng-ind

The dictd format is small enough to read by hand (a tab-separated index whose offsets are in
dictd's base-64 digits, and a dictzip file, which is gzip), and no maintained Python library reads
it: the ``dictdlib`` copies on PyPI are unmaintained Python-2 era code. Each entry is::

    headword /ipa/ <pos>
    [1. ]translation, translation[ 2.]
    gloss (English, optional)
    2. translation, ...
    gloss

Translation lines are the first line after the header and every line that starts with a sense
number; gloss lines are English and are dropped. Affix entries (``<prefix>``, ``<suffix>``: "ite"
-> "it") are not words and are dropped. Nothing is edited by hand.
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

DICTD_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SKIPPED_PARTS_OF_SPEECH = frozenset({"prefix", "suffix", "infix", "affix"})
HEADER_RE = re.compile(r"<([^<>]+)>\s*$")
SENSE_RE = re.compile(r"^\s*(\d+)\.\s*(.*)$")
TRAILING_SENSE_RE = re.compile(r"\s+\d+\.\s*$")
OUTPUT = Path(__file__).resolve().parents[1] / "data" / "dictionary-en-id.tsv"

HEADER = """\
# English -> Indonesian dictionary for query translation (pipelines/analysis/analyzer.py, translations).
# One English headword a line: english <TAB> indonesian|indonesian|... (senses in the source's order).
#
# Source: FreeDict English-Bahasa Indonesia FreeDict+WikDict dictionary, edition {edition},
# {headwords} headwords, maintainer Karl Bartel, created automatically by WikDict (wikdict.com)
# from Wiktionary (wiktionary.org) data via DBnary; as shipped by Debian's dict-freedict-eng-ind.
# Licence: Creative Commons Attribution-ShareAlike 3.0 Unported (CC-BY-SA-3.0); this converted
# file is under the same licence. https://freedict.org/ https://creativecommons.org/licenses/by-sa/3.0/
# Converted by `python -m pipelines.analysis.freedict` (affix entries dropped, glosses dropped,
# parts of speech merged); not edited by hand.
"""


def decode_number(digits: str) -> int:
    """A dictd index number (base 64, dictd's alphabet) as an int."""
    value = 0
    for ch in digits:
        index = DICTD_DIGITS.find(ch)
        if index < 0:
            raise ValueError(f"not a dictd base-64 number: {digits!r}")
        value = value * 64 + index
    return value


def read_index(text: str) -> list[tuple[str, int, int]]:
    """(headword, byte offset, byte length) for each line of a dictd .index file."""
    entries = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 3:
            raise ValueError(f"index line {lineno}: expected 3 tab-separated columns: {line!r}")
        entries.append((cols[0], decode_number(cols[1]), decode_number(cols[2])))
    return entries


def parse_entry(body: str) -> tuple[str, list[str]]:
    """(part of speech, translations) of one entry's text."""
    lines = body.strip("\n").split("\n")
    match = HEADER_RE.search(lines[0])
    pos = match.group(1).strip() if match else ""
    translations: list[str] = []
    for i, line in enumerate(lines[1:]):
        sense = SENSE_RE.match(line)
        if sense:
            line = sense.group(2)
        elif i != 0:
            continue  # a gloss
        line = TRAILING_SENSE_RE.sub("", line).strip()
        for term in line.split(","):
            term = " ".join(term.split())
            if term and term not in translations:
                translations.append(term)
    return pos, translations


def convert(index_text: str, data: bytes) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The dictionary (headword -> translations, parts of speech merged) and the database's
    ``00-database-*`` information entries."""
    words: dict[str, list[str]] = {}
    info: dict[str, str] = {}
    for headword, offset, length in read_index(index_text):
        body = data[offset : offset + length].decode("utf-8")
        if headword.startswith("00database") or headword.startswith("00-database"):
            info[headword] = body
            continue
        pos, translations = parse_entry(body)
        if pos in SKIPPED_PARTS_OF_SPEECH or not translations:
            continue
        merged = words.setdefault(headword, [])
        merged.extend(t for t in translations if t not in merged)
    return words, info


def render(words: dict[str, list[str]], info: dict[str, str]) -> str:
    description = "\n".join(info.values())
    edition = re.search(r"Edition:\s*(\S+)", description)
    size = re.search(r"Size:\s*(\d+)\s*headwords", description)
    out = [HEADER.format(edition=edition.group(1) if edition else "unknown",
                         headwords=size.group(1) if size else "unknown")]
    for headword in sorted(words, key=lambda w: (w.casefold(), w)):
        terms = [t.replace("|", " ").replace("\t", " ") for t in words[headword]]
        out.append(f"{headword}\t{'|'.join(terms)}\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stem", help="path of the dictd files without extension, e.g. .../freedict-eng-ind")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    index_path, dict_path = Path(args.stem + ".index"), Path(args.stem + ".dict.dz")
    for path in (index_path, dict_path):
        if not path.is_file():
            print(f"error: {path} not found (apt-get download dict-freedict-eng-ind, then dpkg -x)", file=sys.stderr)
            return 2
    with gzip.open(dict_path) as fh:
        data = fh.read()
    words, info = convert(index_path.read_text(encoding="utf-8"), data)
    args.output.write_text(render(words, info), encoding="utf-8")
    print(f"{args.output}: {len(words)} headwords, {sum(len(v) for v in words.values())} translations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
