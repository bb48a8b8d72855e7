"""The web pages without a browser: every page renders in Indonesian and English over the
ingested corpus, escaping holds, the palette meets WCAG AA contrast. (Browser tests: tests/browser/.)"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from frontend.i18n import STRINGS, pick_lang, translator

HTML = {"accept": "text/html"}
PAGES = ["/", "/?q=pusat+data", "/?q=pusat+data&jenis=pp", "/?semua=1&status=diubah", "/tanya",
         "/tanya?q=Aturan+apa+tentang+pusat+data+pemerintah%3F", "/akn/id/act/pp/2019/71",
         "/akn/id/act/pp/2019/71/~pasal_20", "/akn/id/act/uu/2016/19", "/akn/id-malang/act/perwal/2022/9",
         "/peraturan/uu-14-2008", "/dimensi", "/dimensi/smart-governance", "/layanan",
         "/layanan/ngalam-command-center", "/staf"]


@pytest.fixture(scope="module")
def client(ingested_settings):
    from jdih_server.app import create_app

    with TestClient(create_app(ingested_settings, rate_limit="0")) as c:
        yield c


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_renders_in_both_languages(client, lang):
    for path in PAGES:
        r = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
        assert r.status_code == 200, path
        assert f'<html lang="{lang}">' in r.text and "Content-Security-Policy" in r.headers, path
        # no unformatted placeholder reaches a page (the law's own text, quoted as stored, may hold
        # an OCR "{": UU PDP Pasal 63 "PEI{YELESAI,AN")
        page = re.sub(r"<script type=\"application/json\".*?</script>|<blockquote.*?</blockquote>", "", r.text, flags=re.S)
        assert "{" not in page.split("<main", 1)[1].replace("{}", ""), path


def test_permalinks_keep_json_for_clients_and_html_for_browsers(client):
    assert client.get("/akn/id/act/pp/2019/71/~pasal_20").json()["pasal"] == "20"
    page = client.get("/akn/id/act/pp/2019/71/~pasal_20", headers=HTML)
    assert 'data-target="pasal-20"' in page.text and "/api/v1/regulations/pp-71-2019/articles/20" in page.text
    assert client.get("/akn/id/act/pp/2019/71/~pasal_9999", headers=HTML).status_code == 404
    assert client.get("/peraturan/uu-99-2099", headers=HTML).status_code == 404


def test_fragment_request_returns_only_the_results(client):
    r = client.get("/?q=pusat+data", headers={**HTML, "X-Fragment": "results"})
    assert r.status_code == 200 and "<html" not in r.text and "li class=\"hit\"" in r.text


def test_language_choice_and_cookie():
    assert pick_lang("en", None) == ("en", True)
    assert pick_lang(None, "en") == ("en", False)
    assert pick_lang("xx", None) == ("id", False)
    assert translator("en")("search.button") == "Search" and translator("id")("search.button") == "Cari"
    assert all(len(v) == 2 and all(v) for v in STRINGS.values())


def test_synthetic_hostile_title_is_escaped_and_only_snippets_keep_mark():
    """A hostile title (as a staff edit could store) is escaped; the API's snippet keeps <mark>."""
    from starlette.requests import Request

    from frontend.rendering import render

    request = Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []})
    reg = {"id": "x", "judul": "<script>alert(1)</script>", "status": "berlaku", "has_text": True,
           "dimensions": [], "singkatan": "PP", "nomor": "1", "tahun": 2000, "uri": "/akn/id/act/pp/2000/1"}
    out = render(request, "_results.html", q="q", results=[{"regulation": reg, "articles": [
        {"pasal": "1", "snippet": "a &lt;b&gt; <mark>q</mark>"}]}], total=1, facets=None, filters={}, active=[],
        link=lambda **k: "/", page=1, pages=1, error=None, hints={}, examples=[], exact=True, browsing=False,
        reader_url=lambda r, p=None: "/", passages_shown=3).body.decode()
    assert "<script>alert" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "a &lt;b&gt; <mark>q</mark>" in out


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_meets_wcag_aa():
    css = (Path(__file__).resolve().parents[1] / "frontend" / "static" / "site.css").read_text()
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("ink", "paper"), ("muted", "paper"), ("muted", "soft"), ("link", "paper"), ("link", "soft"),
             ("brand-ink", "brand"), ("ok", "ok-bg"), ("warn", "warn-bg"), ("bad", "bad-bg"), ("ink", "mark")]
    for fg, bg in pairs:
        assert contrast(var[fg], var[bg]) >= 4.5, (fg, bg, round(contrast(var[fg], var[bg]), 2))
