"""Amending regulations: Pasal I change items on the real corpus files."""
from __future__ import annotations

from tests.test_structure import parsed


def item(reg, number):
    found = [i for i in reg.amendments if i.number == number]
    assert found, f"item {number} not found in {reg.id}"
    return found[0]


def test_uu_19_2016_quoted_articles_belong_to_uu_11_2008():
    reg = parsed("uu-19-2016-perubahan-uu-ite.pdf")
    assert reg.id == "uu-19-2016"
    # its own articles are Pasal I and Pasal II, never the quoted Pasal 27/31/45
    assert [a.number for a in reg.articles] == ["I", "II"]
    assert reg.articles[1].text.startswith("Undang-Undang ini mulai berlaku")
    assert {i.target_work for i in reg.amendments} == {"uu-11-2008"}
    assert any(r.type == "mengubah" and r.target == "uu-11-2008" for r in reg.relations)
    i5 = item(reg, "5")
    assert i5.operation == "diubah" and i5.target_article == "31"
    assert [a.number for a in i5.articles] == ["31"] and len(i5.articles[0].ayat) == 4
    # one item, several articles: Pasal 45 changed, 45A and 45B inserted
    i8 = item(reg, "8")
    assert [a.number for a in i8.articles] == ["45", "45A", "45B"]
    # a penjelasan-only item has no quoted article
    i4 = item(reg, "4")
    # (it names Pasal 27, whose text stays: no article is the item's target, none is quoted)
    assert i4.target == "Pasal 27" and i4.target_article is None
    assert i4.articles == [] and "perubahan penjelasan" in i4.instruction
    # the Penjelasan "Pasal I / Angka 3 / Pasal 26" goes to the item's article
    assert item(reg, "3").articles[0].penjelasan


def test_uu_1_2024_ocr_items_without_numbers_and_mangled_headings():
    reg = parsed("uu-1-2024-perubahan-kedua-uu-ite.pdf")
    assert reg.id == "uu-1-2024"
    assert {i.target_work for i in reg.amendments} == {"uu-11-2008"}
    arts = {a.number for i in reg.amendments for a in i.articles}
    # "Pasal 168" = 16B, "Pasal2TA" = 27A, "Pasal 278" = 27B, "Pasal 4OA" = 40A
    assert {"16A", "16B", "27A", "27B", "40A"} <= arts
    assert "168" not in arts and "278" not in arts
    assert [a.number for a in reg.articles] == ["I", "II"]


def test_uu_15_2019_inline_items_and_penjelasan_of_amendment():
    reg = parsed("uu-15-2019-perubahan-uu-12-2011.md")
    assert {i.target_work for i in reg.amendments} == {"uu-12-2011"}
    i16 = item(reg, "16")
    assert i16.operation == "disisipkan"
    assert [a.number for a in i16.articles] == ["95A", "95B"]
    # Penjelasan "Pasal I ... Pasal 95A ..." attaches to the item's articles, and never
    # makes top-level articles
    assert any(a.penjelasan for i in reg.amendments for a in i.articles)
    assert [a.number for a in reg.articles] == ["I", "II"]
    # "Ketentuan Pasal 72 tetap, Penjelasan Pasal 72 diubah": no quoted article
    assert item(reg, "12").target_article is None and not item(reg, "12").articles
    assert "Penjelasan Pasal 72" in item(reg, "12").instruction


def test_perda_banjarnegara_amends_2023_perda_despite_its_pasal_I_typo():
    reg = parsed("perda-banjarnegara-8-2025-perubahan-pdrd.pdf")
    # the title amends Perda 8/2023; Pasal I's opening names "Nomor 8 Tahun 2025" (a source error)
    assert {i.target_work for i in reg.amendments} == {"perda-banjarnegara-8-2023"}
    assert any(w.code == "target_mismatch" for w in reg.warnings)
    i4 = item(reg, "4")
    # "Ketentuan ayat (2) Pasal 45 dihapus, sehingga Pasal 45 berbunyi ...": the article is
    # restated, so the item changes Pasal 45
    assert i4.operation == "diubah" and i4.target_article == "45"
    assert item(reg, "8").operation == "disisipkan" and item(reg, "8").articles[0].number == "81A"
    # Pasal II revokes a Perbup
    assert any(r.type == "mencabut" and r.target == "perbup-banjarnegara-38-2025" for r in reg.relations)
    # the 115-page tariff Lampiran is kept as text, never as articles
    assert reg.lampiran and len(reg.lampiran) > 100_000


def test_perbup_kotabaru_18_single_unnumbered_item():
    reg = parsed("perbup-kotabaru-18-2019-perubahan-kedua.md")
    assert [(i.operation, i.target_article, [a.number for a in i.articles]) for i in reg.amendments] == [
        ("disisipkan", "5A", ["5A"])
    ]
    assert reg.amendments[0].target_work == "perbup-kotabaru-26-2017"


def test_perbup_kotabaru_19_is_a_perubahan_with_plain_articles():
    reg = parsed("perbup-kotabaru-19-2019-perubahan-penjabaran-apbd.md")
    assert not reg.amendments
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 11)]
