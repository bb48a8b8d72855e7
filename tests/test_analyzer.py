"""The Indonesian analyser and the bilingual glossary, on words and sentences of the real corpus."""
from __future__ import annotations

import pytest

from pipelines.analysis import analyzer
from pipelines.analysis.analyzer import (
    analyze,
    analyze_query,
    expand_query,
    expansions,
    glossary,
    glossary_matches,
    parse_glossary,
    protected_terms,
    stopwords,
)
from tests.contract.articles import real_articles


@pytest.mark.parametrize(
    "word,wrong_stem",
    [("pengadaan", "ada"), ("pemerintahan", "perintah"), ("peraturan", "atur"), ("perdata", "data"), ("keuangan", "uang")],
)
def test_protected_terms_are_not_stemmed(word, wrong_stem):
    assert analyzer.stem(word) == word
    assert analyze(word.upper()) == [word]
    assert wrong_stem not in analyze(f"{word} {word.capitalize()}")


@pytest.mark.parametrize("term", ["pasal", "ayat", "perda", "perwal", "perbup", "retribusi", "pengadaan", "pemerintahan"])
def test_terms_of_law_are_protected_and_never_stopwords(term):
    assert term in protected_terms()
    assert term not in stopwords()


def test_hyphenated_terms_of_law_stay_whole_and_reduplication_folds():
    assert analyze("Peraturan Perundang-undangan") == ["peraturan", "perundang-undangan"]
    assert analyze("Undang-Undang Nomor 11") == ["undang-undang", "nomor", "11"]
    assert analyze("anak-anak") == analyze("anak") == ["anak"]


def test_other_words_are_stemmed_consistently():
    # document and query forms of the same word meet on one stem
    assert analyze("pendaftaran")[0] == analyze("daftar")[0] == "daftar"
    assert analyze("pelindungan") == analyze("perlindungan") == ["lindung"]
    assert analyze("kewajiban") == analyze("wajib")


def test_stopwords_dropped_but_words_that_matter_in_law_kept():
    assert analyze("yang dan atau dengan untuk") == []
    # deadlines and headings keep their words: "paling lama ... hari", "Ketentuan Umum", "Perubahan Kedua"
    terms = analyze("paling lama 14 (empat belas) hari kerja, Ketentuan Umum, Perubahan Kedua")
    for kept in ("paling", "lama", "14", "hari", "kerja", "umum", "kedua"):
        assert analyze(kept) and analyze(kept)[0] in terms


def test_numbers_and_article_numbers():
    assert analyze("Pasal 45A ayat (2)") == ["pasal", "45a", "ayat", "2"]
    assert "50000000_00" in analyze("denda paling banyak Rp50.000.000,00")
    assert analyze("3 x 24 jam") == ["3", "24", "jam"]


def test_unicode_normalisation():
    assert analyze("ＰＡＳＡＬ") == ["pasal"]  # full-width letters (NFKC)
    assert analyze("Pasal\u00a05") == ["pasal", "5"]


def test_analyses_a_real_article():
    text = real_articles()["6"]  # PP 71/2019 Pasal 6: registration of electronic system operators
    terms = analyze(text)
    assert "daftar" in terms and "sistem" in terms and "elektronik" in terms
    for stop in ("yang", "dan", "sebagaimana", "dimaksud", "pada"):
        assert stop in text.lower().split() and stop not in terms
    assert all(t == t.lower() and " " not in t for t in terms)


def test_query_expansion_data_center():
    terms = analyze_query("data center")
    assert "pusat" in terms and "data" in terms
    assert "pusat data" in expansions("data center")
    assert expand_query("data center").startswith("data center ; ")


def test_query_expansion_is_bilingual_and_longest_phrase_first():
    assert "pengadaan" in analyze_query("public procurement rules")
    # Indonesian -> English and abbreviations
    assert {"peraturan daerah", "regional regulation"} <= set(expansions("perda kota malang"))
    # "regional tax" is one concept, found before "tax" alone
    matches = glossary_matches("regional tax rates")
    assert matches[0].term == "regional tax" and "pajak daerah" in matches[0].equivalents
    # English plural folds onto the glossary's singular
    assert "kabupaten" in analyze_query("regencies and cities")


def test_query_drops_english_stopwords_and_duplicates():
    terms = analyze_query("What is the penalty for the penalty", expand=False)
    assert terms == ["penalty"]


def test_glossary_file_is_well_formed():
    concepts = glossary()
    assert 80 <= len(concepts) <= 300
    for concept in concepts:
        assert concept.english and concept.indonesian
    with pytest.raises(ValueError, match="line 2"):
        parse_glossary("# header\nonly one column\n")


# --- the English -> Indonesian dictionary (FreeDict eng-ind) -----------------------------------


def test_dictionary_translates_english_words_the_glossary_does_not_know():
    # "dana abadi" is what Indonesian law calls a perpetual endowment fund; the glossary has no line for it
    assert "abadi" in analyzer.translations("perpetual endowment fund")
    assert "abad" in analyze_query("perpetual endowment fund")  # stemmed like the index
    assert "abad" not in analyze_query("perpetual endowment fund", expand=False)
    # a plural folds onto the headword; each sense comes, in the source's order
    assert analyzer.translations("citizens")[:3] == ["warga sipil", "rakyat", "warga negara"]
    # a multi-word headword wins over its words
    assert "membakar" in analyzer.translations("set on fire")
    assert "himpunan" not in analyzer.translations("set on fire")


def test_dictionary_leaves_indonesian_queries_and_glossary_terms_alone():
    assert analyzer.translations("pengertian sistem elektronik menurut UU ITE") == []
    assert analyzer.translations("berapa tarif pajak hotel di kota malang") == []
    # the glossary's own concept is not translated again word by word ("data center" -> pusat data)
    assert analyzer.translations("data center") == []
    # stopwords and question framing are not translated ("what" -> apa, "rule" is the glossary's)
    assert analyzer.translations("What is the rule for the city?") == []


def test_dictionary_file_is_the_converted_freedict_and_well_formed():
    text = (analyzer.DATA_DIR / "dictionary-en-id.tsv").read_text(encoding="utf-8")
    assert "FreeDict" in text and "CC-BY-SA-3.0" in text and "2022.11.18" in text
    lexicon = analyzer.dictionary()
    assert 9000 <= len(lexicon.entries) <= 11000
    assert ("ite",) not in lexicon.entries  # the suffix "-ite" ("it") is not a word
    assert lexicon.entries[("ceiling",)] == ("plafon", "pagu", "langit-langit")
    with pytest.raises(ValueError, match="line 2"):
        analyzer.parse_dictionary("# header\nno tab here\n")
