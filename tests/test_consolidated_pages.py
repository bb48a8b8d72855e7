"""The "Teks konsolidasi / Consolidated text" pages without a browser (browser: tests/browser/
test_consolidated.py). Expectations read from UU 11/2008, UU 19/2016, UU 1/2024."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(ingested_settings):
    from jdih_server.app import create_app

    with TestClient(create_app(ingested_settings, rate_limit="0")) as c:
        yield c


def section(html: str, anchor: str) -> str:
    m = re.search(rf'<section class="pasal[^"]*" id="{re.escape(anchor)}".*?</section>', html, re.S)
    assert m, anchor
    return m.group(0)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_consolidated_page_renders_in_both_languages(client, lang):
    for path in ["/akn/id/act/uu/2008/11/ind@2024-01-02", "/peraturan/uu-11-2008/konsolidasi?tanggal=2016-11-25",
                 "/akn/id/act/uu/2008/11/ind@2008-04-21/~pasal_27", "/peraturan/uu-12-2011/konsolidasi"]:
        r = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
        assert r.status_code == 200, path
        assert f'<html lang="{lang}">' in r.text
        assert "{" not in r.text.split("<main", 1)[1], path


def test_current_version_marks_inserted_articles_history_and_diff(client):
    r = client.get("/akn/id/act/uu/2008/11/ind@2024-01-02?lang=id", headers=HTML)
    html = r.text
    assert '<link rel="alternate" type="application/json" href="/api/v1/regulations/uu-11-2008/consolidated?date=2024-01-02">' in html
    # the version picker works without JavaScript: a GET form with every version
    form = re.search(r'<form class="version-picker" method="get" action="/peraturan/uu-11-2008/konsolidasi">.*?</form>', html, re.S).group(0)
    assert re.findall(r'<option value="([\d-]+)"', form) == ["2008-04-21", "2016-11-25", "2024-01-02"]
    assert 'value="2024-01-02" selected' in form
    a27a = section(html, "pasal-27A")
    assert "mark-inserted" in a27a and "Pasal 27A disisipkan oleh UU 1/2024" in a27a
    assert 'href="/akn/id/act/uu/2024/1/~pasal_27A"' in a27a  # the amending item's text
    a27 = section(html, "pasal-27")
    assert "Pasal 27 diubah oleh UU 1/2024" in a27 and "SK No" not in a27
    assert "berlaku sampai dengan diberlakukannya Undang-Undang Nomor 1 Tahun" in a27  # Pasal II of UU 1/2024
    history = re.search(r'<details class="history".*?</details>', a27, re.S).group(0)
    assert history.count("<li>") == 3  # 2008, the 2016 Penjelasan, the 2024 text
    assert "<ins>" in history and "<del>" in history and "menyiarkan" in re.sub(r"\s+", " ", history)
    assert html.index('id="pasal-27"') < html.index('id="pasal-27A"') < html.index('id="pasal-27B"') < html.index('id="pasal-28"')


def test_an_older_version_says_it_is_not_current(client):
    html = client.get("/peraturan/uu-11-2008/konsolidasi?tanggal=2020-01-01&lang=id", headers=HTML).text
    assert 'value="2016-11-25" selected' in html and 'id="pasal-27A"' not in html
    assert 'href="/akn/id/act/uu/2008/11/ind@2024-01-02"' in html  # to the version in force now
    a26 = section(html, "pasal-26")
    assert a26.count('<li id="pasal-26-ayat-') == 5  # UU 19/2016 added ayat (3)-(5)
    assert client.get("/peraturan/uu-11-2008/konsolidasi?tanggal=1999-01-01", headers=HTML).status_code == 404
    assert client.get("/peraturan/uu-11-2008/konsolidasi?tanggal=besok", headers=HTML).status_code == 422
    assert client.get("/peraturan/perbup-kotabaru-26-2017/konsolidasi", headers=HTML).status_code == 404


def test_regulation_page_links_to_the_consolidated_text_with_article_status(client):
    html = client.get("/akn/id/act/uu/2008/11?lang=id", headers=HTML).text
    assert '<a class="button" href="/akn/id/act/uu/2008/11/ind@2024-01-02">' in html
    assert "<strong>Pasal 27 diubah oleh UU 1/2024</strong>" in html
    assert "<strong>Penjelasan Pasal 15 diubah oleh UU 1/2024</strong>" in html
    en = client.get("/akn/id/act/uu/2008/11?lang=en", headers=HTML).text
    assert "<strong>Article 27 amended by UU 1/2024</strong>" in en
    # an amendment whose base is not in the knowledge base: said, nothing invented
    kotabaru = client.get("/peraturan/perbup-kotabaru-18-2019?lang=id", headers=HTML).text
    assert "PERBUP 26/2017) tidak ada di basis pengetahuan" in kotabaru and "ind@" not in kotabaru


def test_search_and_ask_pages_show_article_status(client):
    html = client.get("/?q=pencemaran+nama+baik&lang=id", headers=HTML).text
    assert "Pasal 27 diubah oleh UU 1/2024" in html
    assert 'href="/akn/id/act/uu/2008/11/ind@2024-01-02/~pasal_27"' in html
    ask = client.get("/tanya?q=" + "ancaman pidana pencemaran nama baik menurut UU ITE sekarang".replace(" ", "+")
                     + "&lang=id", headers=HTML).text
    assert "diubah oleh UU 1/2024" in ask and "Teks konsolidasi 2024-01-02" in ask


def test_an_amending_work_links_to_the_version_it_made(client):
    html = client.get("/akn/id/act/uu/2016/19?lang=id", headers=HTML).text
    assert 'href="/akn/id/act/uu/2008/11/ind@2016-11-25"' in html and "sesudah perubahan ini" in html
