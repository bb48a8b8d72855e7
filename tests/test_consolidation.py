"""Consolidation on the real corpus: every expectation below was read from the documents
(UU 11/2008, UU 19/2016, UU 1/2024; UU 12/2011, UU 15/2019), not from the code."""
from __future__ import annotations

import functools
import re

import pytest

from ingest.parser import parse_file
from regulations.consolidation import amending_works, consolidate, effective_date, word_diff
from tests.conftest import corpus_path


@functools.lru_cache(maxsize=None)
def _parsed(name: str):
    return parse_file(corpus_path(name))


@pytest.fixture(scope="module")
def ite():
    base = _parsed("uu-11-2008-ite.pdf")
    amending = [_parsed("uu-1-2024-perubahan-kedua-uu-ite.pdf"), _parsed("uu-19-2016-perubahan-uu-ite.pdf")]
    return consolidate(base, amending)


@pytest.fixture(scope="module")
def pperundangan():
    return consolidate(_parsed("uu-12-2011-pembentukan-pperundangan.md"), [_parsed("uu-15-2019-perubahan-uu-12-2011.md")])


def _changed(expr, prev):
    """Articles whose text differs from the previous expression, and articles new in it."""
    before = {a.number: a for a in prev.articles}
    text = {a.number for a in expr.articles if a.number in before and a.text != before[a.number].text}
    new = {a.number for a in expr.articles if a.number not in before}
    pj = {a.number for a in expr.articles if a.number in before and a.penjelasan != before[a.number].penjelasan}
    return text, new, pj


def test_versions_in_order_of_effect_whatever_the_input_order(ite):
    # both amending works "mulai berlaku pada tanggal diundangkan": 25 Nov 2016 and 2 Jan 2024
    assert [(e.date, e.amended_by) for e in ite.expressions] == [
        ("2008-04-21", None), ("2016-11-25", "uu-19-2016"), ("2024-01-02", "uu-1-2024")]
    assert ite.expressions[0].until == "2016-11-24" and ite.expressions[1].until == "2024-01-01"
    assert ite.at("2008-04-20") is None
    assert ite.at("2020-06-01").amended_by == "uu-19-2016"
    assert ite.at("2026-12-03") is ite.current


def test_uu_19_2016_changes_exactly_what_its_pasal_I_says(ite):
    v2008, v2016 = ite.expressions[0], ite.expressions[1]
    text, new, pj = _changed(v2016, v2008)
    # items 1, 3, 5, 6, 7, 8 restate Pasal 1, 26, 31, 40, 43, 45; item 8 inserts 45A and 45B
    assert text == {"1", "26", "31", "40", "43", "45"}
    assert new == {"45A", "45B"}
    # items 2 and 4: "Ketentuan Pasal 5 / Pasal 27 tetap dengan perubahan penjelasan"
    assert {"5", "27"} <= pj
    assert v2016.article("5").text == v2008.article("5").text
    assert v2016.article("5").status == "asli"
    assert "Bahwa keberadaan Informasi Elektronik" in v2016.article("5").penjelasan
    assert "Bahwa keberadaan" not in (v2008.article("5").penjelasan or "")
    assert [c.what for c in v2016.article("5").history] == ["enacted", "penjelasan"]
    assert "“mendistribusikan” adalah mengirimkan" in v2016.article("27").penjelasan


def test_pasal_26_gains_ayat_3_to_5_in_2016(ite):
    v2008, v2016 = ite.expressions[0], ite.expressions[1]
    assert [y.number for y in v2008.article("26").ayat] == ["1", "2"]
    a = v2016.article("26")
    assert [y.number for y in a.ayat] == ["1", "2", "3", "4", "5"]
    assert a.ayat[2].text.startswith("Setiap Penyelenggara Sistem Elektronik wajib menghapus")
    assert (a.status, a.since, a.source_work, a.source_item) == ("diubah", "2016-11-25", "uu-19-2016", "3")
    assert "6a. Penyelenggara Sistem Elektronik adalah" in v2016.article("1").text
    assert "6a." not in v2008.article("1").text
    assert [y.number for y in v2016.article("40").ayat][:4] == ["1", "2", "2a", "2b"]
    assert "7a" in [y.number for y in v2016.article("43").ayat]


def test_uu_1_2024_changes_and_inserts(ite):
    v2016, v2024 = ite.expressions[1], ite.expressions[2]
    text, new, pj = _changed(v2024, v2016)
    assert {"5", "13", "17", "27", "28", "29", "36", "40", "43", "45", "45A", "45B"} <= text
    assert new == {"13A", "16A", "16B", "18A", "27A", "27B", "40A"}
    assert "15" in pj and v2024.article("15").text == v2016.article("15").text  # item 4: Penjelasan only
    # 27A and 27B only from 2024, in their place: after 27, before 28
    assert v2016.article("27A") is None and v2016.article("27B") is None
    numbers = [a.number for a in v2024.articles]
    assert numbers[numbers.index("27"):numbers.index("27") + 4] == ["27", "27A", "27B", "28"]
    assert numbers[numbers.index("16"):numbers.index("16") + 4] == ["16", "16A", "16B", "17"]
    assert v2024.article("27A").text.startswith("Setiap Orang dengan sengaja menyerang kehormatan atau nama baik")
    assert v2024.article("27A").status == "disisipkan"
    # 45A: inserted by UU 19/2016, restated by UU 1/2024
    h = [(c.work, c.item, c.operation) for c in v2024.article("45A").history]
    assert h == [("uu-19-2016", "8", "disisipkan"), ("uu-1-2024", "17", "diubah")]
    assert v2024.article("45A").status == "disisipkan"
    assert ite.not_applied == []


def test_pasal_27_as_in_force_today_is_clean(ite):
    a = ite.current.article("27")
    # UU 1/2024 angka 8: two ayat, kesusilaan and perjudian; the 2008 ayat (3) "pencemaran nama baik" is gone
    assert a.text.startswith("(1) Setiap Orang dengan sengaja dan tanpa hak menyiarkan, mempertunjukkan")
    assert [y.number for y in a.ayat] == ["1", "2"]
    assert a.ayat[1].text.endswith("yang memiliki muatan perjudian.")
    assert "pencemaran nama baik" in ite.expressions[0].article("27").text
    assert "pencemaran nama baik" not in a.text
    assert (a.source_work, a.source_item, a.since) == ("uu-1-2024", "8", "2024-01-02")
    assert a.changed_by == ["uu-19-2016", "uu-1-2024"]
    # the item's text starts with page furniture ("PasaJ2T ... SK No l90l9l A -lLIK iNf.ftIf+TA Pasal 27")
    item = next(i for i in _parsed("uu-1-2024-perubahan-kedua-uu-ite.pdf").amendments if i.number == "8")
    assert "SK No" in item.text
    for art in ite.current.articles:
        assert not re.search(r"SK\s?No|PasaJ|\bNEPUELIK|\. \. \.", art.text), (art.number, art.text[:200])
    # a catchword across a page break is dropped: "b. memberi . . . SK No ... memberi utang"
    assert "b. memberi utang, membuat pengakuan utang" in ite.current.article("27B").text


def test_time_limited_provisions_of_uu_1_2024_pasal_II(ite):
    by = {(t.pasal): t.ayat for t in ite.time_limits}
    # "Pasal 27 ayat (1), Pasal 27A, Pasal 28 ayat (2), Pasal 28 ayat (3), Pasal 36, Pasal 45 ayat (1),
    #  (2), (4), (5), (6), (7), Pasal 45A ayat (2), dan Pasal 45A ayat (3) berlaku sampai dengan
    #  diberlakukannya Undang-Undang Nomor 1 Tahun 2023 tentang Kitab Undang-Undang Hukum Pidana"
    assert by == {"27": ["1"], "27A": [], "28": ["2", "3"], "36": [], "45": ["1", "2", "4", "5", "6", "7"],
                  "45A": ["2", "3"]}
    t = ite.current.article("27A").time_limits[0]
    assert "Kitab Undang-Undang Hukum Pidana" in t.until and (t.work, t.article) == ("uu-1-2024", "II")
    assert ite.current.article("27B").time_limits == []
    assert ite.expressions[1].article("27").time_limits == []  # not before UU 1/2024


def test_uu_12_2011_as_amended_by_uu_15_2019(pperundangan):
    c = pperundangan
    assert [(e.date, e.amended_by) for e in c.expressions] == [("2011-08-12", None), ("2019-10-04", "uu-15-2019")]
    text, new, _pj = _changed(c.current, c.expressions[0])
    assert text == {"1", "20", "21", "23", "26", "47", "49", "54", "55", "58", "85", "91"}
    assert new == {"71A", "95A", "95B", "99A"}
    nums = [a.number for a in c.current.articles]
    assert nums[nums.index("71"):nums.index("71") + 3] == ["71", "71A", "72"]
    # items 15 and 17 insert BAB XA and BAB XIIA: the articles of items 16 and 18 stand in them
    assert c.current.article("95A").bab.startswith("BAB XA PEMANTAUAN DAN PENINJAUAN")
    assert c.current.article("99A").bab.startswith("BAB XIIA KETENTUAN PERALIHAN")
    assert c.current.article("96").bab.startswith("BAB XI ")
    # item 12 "Ketentuan Pasal 72 tetap, Penjelasan Pasal 72 diubah": the flattened source holds no
    # readable explanation under "Angka 12 Pasd 72": listed as not applied, never dropped
    assert [(n.item, n.target) for n in c.not_applied] == [("12", "Pasal 72")]
    assert "Penjelasan" in c.not_applied[0].reason


def test_works_whose_base_is_not_in_the_knowledge_base_consolidate_nothing():
    kotabaru = _parsed("perbup-kotabaru-18-2019-perubahan-kedua.md")
    banjarnegara = _parsed("perda-banjarnegara-8-2025-perubahan-pdrd.pdf")
    assert {i.target_work for i in kotabaru.amendments} == {"perbup-kotabaru-26-2017"}
    assert {i.target_work for i in banjarnegara.amendments} == {"perda-banjarnegara-8-2023"}
    corpus = [kotabaru, banjarnegara, _parsed("uu-11-2008-ite.pdf")]
    assert amending_works("uu-11-2008", corpus) == []


def test_effective_date_reads_the_closing_article():
    assert effective_date(_parsed("uu-19-2016-perubahan-uu-ite.pdf")) == ("2016-11-25", "tanggal_pengundangan")
    # UU 15/2019: disahkan 2 Oktober, diundangkan 4 Oktober 2019, "mulai berlaku pada tanggal diundangkan"
    assert effective_date(_parsed("uu-15-2019-perubahan-uu-12-2011.md"))[0] == "2019-10-04"


def test_word_diff_of_pasal_27_between_2016_and_2024(ite):
    d = word_diff(ite.expressions[1].article("27").text, ite.current.article("27").text)
    assert any(op == "+" and "menyiarkan, mempertunjukkan," in t for op, t in d)
    assert any(op == "-" and "pencemaran nama baik" in t for op, t in d)
    assert " ".join(t for op, t in d if op != "+").split() == ite.expressions[1].article("27").text.split()
    assert " ".join(t for op, t in d if op != "-").split() == ite.current.article("27").text.split()


def test_module_examples():
    import doctest

    import regulations.clean
    import regulations.consolidation

    for mod in (regulations.clean, regulations.consolidation):
        result = doctest.testmod(mod)
        assert result.attempted and not result.failed, mod.__name__


def test_synthetic_deletion_ayat_only_and_unmappable_items():
    """Operations the corpus does not exercise (a whole article deleted, only one ayat quoted, an
    item with no target), on a synthetic fixture: the texts below are invented for the test."""
    from ingest.models import AmendmentItem, Article, Ayat, Regulation

    base = Regulation("uu-90-2000", "Undang-Undang", "UU", "90", 2000, "Contoh sintetis", tanggal_pengundangan="2000-01-01",
                      articles=[Article("1", "(1) Satu. (2) Dua.", [Ayat("1", "Satu."), Ayat("2", "Dua.")]),
                                Article("2", "Pasal dua."), Article("3", "Pasal tiga.")])
    amd = Regulation("uu-91-2001", "Undang-Undang", "UU", "91", 2001, "Perubahan sintetis",
                     tanggal_pengundangan="2001-02-03",
                     articles=[Article("I", "..."), Article("II", "Undang-Undang ini mulai berlaku setelah 3 (tiga) "
                                                                  "bulan terhitung sejak tanggal diundangkan.")],
                     amendments=[
                         AmendmentItem("1", "diubah", "Ketentuan ayat (2) Pasal 1 diubah sehingga berbunyi sebagai berikut:",
                                       "uu-90-2000", "1", "Pasal 1", text="(2) Dua baru."),
                         AmendmentItem("2", "dihapus", "Pasal 2 dihapus.", "uu-90-2000", "2", "Pasal 2"),
                         AmendmentItem("3", "diubah", "Ketentuan Pasal 9 diubah sehingga berbunyi sebagai berikut:",
                                       "uu-90-2000", "9", "Pasal 9", articles=[Article("9", "Sembilan.")]),
                         AmendmentItem("4", "diubah", "Lampiran diubah sebagaimana tercantum dalam Lampiran.",
                                       "uu-90-2000", None, "Lampiran"),
                     ])
    c = consolidate(base, [amd])
    assert c.current.date == "2001-05-03"  # "setelah 3 (tiga) bulan terhitung sejak tanggal diundangkan"
    a1 = c.current.article("1")
    assert [(y.number, y.text) for y in a1.ayat] == [("1", "Satu."), ("2", "Dua baru.")]
    assert a1.history[-1].what == "ayat"
    a2 = c.current.article("2")
    assert (a2.status, a2.text) == ("dihapus", "Dihapus.") and c.expressions[0].article("2").text == "Pasal dua."
    assert [(n.item, n.reason.split(":")[0]) for n in c.not_applied] == [
        ("3", "Pasal 9 is not in the amended work as consolidated so far, and the item inserts no article"),
        ("4", "changes to a Lampiran are not consolidated")]
