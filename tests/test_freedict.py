"""The converter of FreeDict's dictd files into pipelines/data/dictionary-en-id.tsv, on a synthetic
dictd pair written here (the words are real English and Indonesian; the layout is dictd's)."""
from __future__ import annotations

import gzip

import pytest

from pipelines.analysis import analyzer, freedict

SYNTHETIC_ENTRIES = {
    "00-database-info": "00-database-info\nEnglish-Bahasa Indonesia FreeDict+WikDict dictionary\n\nEdition: 2022.11.18\nSize: 4 headwords\n",
    "ceiling": "ceiling /ˈsiːlɪŋ/ <n>\n1. plafon, pagu 2.\nupper limit\n2. langit-langit\noverhead surface of a room\n",
    "ite": "ite //-aɪt// <suffix>\nit\nused to form names of minerals and rocks\n",
    "set": "set //sɛt// <adj>\nsiap\nready, prepared\n",
    "set ": "set //sɛt// <v>\n1. atur, pasang\n 2.\nto put something down\n",
}


def _synthetic_dictd(tmp_path):
    body, index = b"", []
    for key, text in SYNTHETIC_ENTRIES.items():
        raw = text.encode("utf-8")
        index.append((key.strip().replace("-", "") if key.startswith("00") else key.strip(), len(body), len(raw)))
        body += raw
    def b64(n: int) -> str:
        digits = ""
        while True:
            digits = freedict.DICTD_DIGITS[n % 64] + digits
            n //= 64
            if not n:
                return digits
    stem = tmp_path / "synthetic-eng-ind"
    (tmp_path / "synthetic-eng-ind.index").write_text(
        "".join(f"{h}\t{b64(o)}\t{b64(n)}\n" for h, o, n in index), encoding="utf-8")
    with gzip.open(tmp_path / "synthetic-eng-ind.dict.dz", "wb") as fh:
        fh.write(body)
    return stem


def test_dictd_numbers_decode():
    assert freedict.decode_number("A") == 0 and freedict.decode_number("BA") == 64
    assert freedict.decode_number("D7v7") == 3 * 64**3 + 59 * 64**2 + 47 * 64 + 59
    with pytest.raises(ValueError):
        freedict.decode_number("a-b")


def test_converts_senses_drops_glosses_and_affixes_and_merges_parts_of_speech(tmp_path):
    stem = _synthetic_dictd(tmp_path)
    out = tmp_path / "dictionary.tsv"
    assert freedict.main([str(stem), "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert rows == [["ceiling", "plafon|pagu|langit-langit"], ["set", "siap|atur|pasang"]]
    assert "edition 2022.11.18" in text and "CC-BY-SA-3.0" in text
    lexicon = analyzer.parse_dictionary(text)  # what the analyser reads
    assert lexicon.entries[("set",)] == ("siap", "atur", "pasang")


def test_missing_files_are_a_clear_error(tmp_path, capsys):
    assert freedict.main([str(tmp_path / "nothing")]) == 2
    assert "apt-get download dict-freedict-eng-ind" in capsys.readouterr().err
