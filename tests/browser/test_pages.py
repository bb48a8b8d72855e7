"""The web pages in a real browser (Debian's Chromium through Playwright) against a live server
over the real corpus. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import corpus_path

pytestmark = pytest.mark.browser

PP71 = "/akn/id/act/pp/2019/71"


def summary_total(page) -> int:
    return int(re.search(r"\d+", page.locator(".results-summary").inner_text()).group())


# ---- search and reader --------------------------------------------------------------------------

def test_search_finds_pp71_data_centre_articles_and_opens_the_reader_at_the_pasal(live_server, page, shot):
    page.goto(live_server.url + "/?q=pusat+data")
    hits = page.locator("li.hit")
    expect(hits.first).to_be_visible()
    # a status badge on every hit
    assert page.locator("li.hit .hit-meta .badge[class*='status-']").count() == hits.count()
    pp71 = page.locator("li.hit", has=page.locator(f"h3 a[href^='{PP71}']"))
    expect(pp71).to_have_count(1)
    expect(pp71.locator(".badge.status-berlaku")).to_have_text("Berlaku")
    expect(pp71.locator(".snippet mark").first).to_be_visible()  # highlighted passage, not escaped markup
    assert "&lt;mark" not in page.content()
    link = pp71.locator("a.pasal-link").first
    pasal = re.search(r"Pasal (\w+)", link.inner_text()).group(1)
    shot(page, "search-results")

    link.click()
    anchor = f"pasal-{pasal.lower()}"
    page.wait_for_url(re.compile(rf"{re.escape(PP71)}#{anchor}$"))
    expect(page.locator("h1")).to_contain_text("Peraturan Pemerintah Nomor 71 Tahun 2019")
    article = page.locator(f"#{anchor}")
    expect(article).to_be_in_viewport()
    assert "pusat data" in article.inner_text().lower()  # the article the search cited
    shot(page, "reader")


def test_reader_permalink_of_a_pasal_metadata_toc_penjelasan_and_copy_citation(live_server, browser, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + PP71 + "/~pasal_20")
    assert page.url.endswith(PP71 + "/~pasal_20")  # the cited address stays in the address bar
    target = page.locator("#pasal-20")
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    # JDIHN metadata card, table of contents by BAB and Bagian, Penjelasan next to its Pasal
    card = page.locator("#data")
    expect(card).to_contain_text("Lembaran Negara Republik Indonesia Tahun 2019 Nomor 185")
    expect(page.locator("nav.toc")).to_contain_text("BAB I")
    expect(page.locator("nav.toc a[href='#pasal-20']")).to_have_count(1)
    assert page.locator("section.pasal details.penjelasan").count() > 0
    # copy citation
    target.locator("button.copy-cite").click()
    expect(target.locator("button.copy-cite")).to_have_text("Kutipan disalin")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Peraturan Pemerintah Nomor 71 Tahun 2019 tentang") and "Pasal 20" in copied
    assert copied.endswith(PP71 + "/~pasal_20)")
    # the original file is offered for download
    download = page.locator("#data a[download]")
    expect(download).to_have_count(1)
    assert page.request.get(live_server.url + download.get_attribute("href")).ok
    context.close()


def test_reader_of_an_amended_work_and_of_a_metadata_only_record(live_server, page, shot):
    page.goto(live_server.url + "/akn/id/act/uu/2008/11")
    expect(page.locator(".banner-amended")).to_contain_text("telah diubah")
    # the amendments that change Pasal 27 are shown at the Pasal and link to the new text
    # first the article's status, to the consolidated text in force; then each amendment that changed it
    expect(page.locator("#pasal-27 .changed-note.article-status")).to_contain_text("Pasal 27 diubah oleh UU 1/2024")
    notes = page.locator("#pasal-27 .changed-note:not(.article-status)")
    assert [re.search(r"UU \d+/\d+", n).group() for n in notes.all_inner_texts()] == ["UU 19/2016", "UU 1/2024"]
    note = notes.first
    note.locator("a").click()
    page.wait_for_url(re.compile(r"/akn/id/act/uu/2016/19#"))
    expect(page.locator(".reader .eyebrow")).to_contain_text("UU 19/2016")
    expect(page.locator("#hubungan")).to_contain_text("Mengubah")

    page.goto(live_server.url + "/akn/id-malang/act/perwal/2022/9")
    expect(page.locator(".banner-meta").first).to_contain_text("Metadata saja, teks belum diunggah.")
    expect(page.locator(".badge.meta-only").first).to_be_visible()


def test_facet_filtering(live_server, page, shot):
    page.goto(live_server.url + "/?q=pusat+data")
    before = summary_total(page)
    facets = page.locator("aside.facets")
    facets.get_by_role("link", name=re.compile(r"^Peraturan Pemerintah \(\d+\)$")).click()
    expect(page).to_have_url(re.compile(r"[?&]jenis=pp(&|$)"))
    cites = page.locator("li.hit .cite").all_inner_texts()
    assert cites and all(c.startswith("PP ") for c in cites)
    assert summary_total(page) == len(cites) < before
    expect(facets.locator("a[aria-current='true']")).to_contain_text("Peraturan Pemerintah")
    # the status facet: only amended works, each with its badge
    page.goto(live_server.url + "/?q=pusat+data")
    page.locator("aside.facets").get_by_role("link", name=re.compile(r"^Diubah \(\d+\)$")).click()
    badges = page.locator("li.hit .badge[class*='status-']").all_inner_texts()
    assert badges and set(badges) == {"Diubah"}
    shot(page, "search-facet-diubah")
    # removing the filter brings every result back
    page.locator(".active-filters a").first.click()
    expect(page).not_to_have_url(re.compile(r"status="))
    assert summary_total(page) == before


def test_search_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#q", "informasi publik")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=informasi\+publik"))
    expect(page.locator("li.hit", has=page.locator("a[href^='/akn/id/act/uu/2008/14']"))).to_have_count(1)
    context.close()


def test_instant_results_while_typing(live_server, page):
    page.goto(live_server.url + "/")
    page.locator("#q").press_sequentially("informasi publik", delay=20)
    expect(page.locator(".results-summary")).to_contain_text("informasi publik")
    expect(page).to_have_url(re.compile(r"\?q=informasi\+publik"))
    expect(page.locator("#search-status")).to_contain_text("informasi publik")


# ---- ask ------------------------------------------------------------------------------------------

def test_ask_shows_a_cited_answer(live_server, page, shot):
    page.goto(live_server.url + "/tanya")
    page.fill("#question", "Aturan apa tentang pusat data pemerintah?")
    page.press("#question", "Enter")
    expect(page.locator("#answer-h")).to_have_text("Jawaban")
    quote = page.locator(".quote").first
    expect(quote.locator("blockquote")).not_to_be_empty()
    expect(quote.locator("figcaption a[href^='/akn/']").first).to_be_visible()
    expect(page.locator(".confidence")).to_contain_text("%")
    # the answer quotes the law: its text is the article's text in the API
    href = quote.locator("figcaption a").first.get_attribute("href")
    m = re.match(r"(/akn/.+)#pasal-(\w+)", href)
    article = page.request.get(live_server.url + f"{m.group(1)}/~pasal_{m.group(2)}",
                               headers={"Accept": "application/json"}).json()
    assert article["text"][:80] in quote.locator("blockquote").inner_text().replace("\n", " ")
    shot(page, "ask-answer")


def test_ask_says_plainly_when_the_corpus_has_no_answer(live_server, page, shot):
    page.goto(live_server.url + "/tanya?q=" + "Bagaimana cara membuat rendang?")
    expect(page.locator(".refusal h2")).to_have_text("Basis pengetahuan tidak memuat jawaban untuk pertanyaan ini.")
    assert page.locator(".quote").count() == 0
    shot(page, "ask-refusal")


# ---- explorer ------------------------------------------------------------------------------------

def test_smart_city_explorer(live_server, page, shot):
    api = page.request.get(live_server.url + "/api/v1/dimensions").json()
    page.goto(live_server.url + "/dimensi")
    chart = page.locator("figure.chart svg[role='img']")
    expect(chart.locator("rect")).to_have_count(6)
    desc = chart.locator("desc").text_content()
    rows = page.locator("table.dim-table tbody tr")
    expect(rows).to_have_count(6)
    for d in api:
        row = rows.filter(has=page.locator(f"a[href='/dimensi/{d['id']}']"))
        assert row.locator("td.num").inner_text().strip() == str(d["regulations"])
        assert f"{d['regulations']} peraturan" in desc
        assert row.locator("ul.subs li").count() == len(d["subdimensions"])
    shot(page, "explorer", full_page=True)

    governance = page.request.get(live_server.url + "/api/v1/dimensions/smart-governance").json()
    rows.locator("a[href='/dimensi/smart-governance']").click()
    expect(page.locator("h1")).to_contain_text("Smart Governance")
    expect(page.locator("ol.hits > li.hit")).to_have_count(len(governance["linked"]))
    evidence = page.locator("ul.evidence a[href*='#pasal-']").first
    href = evidence.get_attribute("href")
    evidence.click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    expect(page.locator(href[href.index("#"):])).to_be_in_viewport()
    shot(page, "explorer-dimension")


# ---- language, keyboard, small screens -----------------------------------------------------------

def test_english_switch_is_remembered(live_server, page):
    page.goto(live_server.url + "/?q=pusat+data")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.get_by_role("link", name="Switch to English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    expect(page.locator(".results-summary")).to_contain_text("regulations for “pusat data”")
    expect(page.locator(".badge.status-berlaku").first).to_have_text("In force")
    page.goto(live_server.url + "/dimensi")  # the cookie keeps English
    expect(page.locator("h1")).to_have_text("Smart City explorer")
    page.get_by_role("link", name="Ganti ke Bahasa Indonesia").click()
    expect(page.locator("h1")).to_have_text("Penjelajah Smart City")


def test_keyboard_only_search_to_reader(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Langsung ke konten utama")  # the skip link comes first
    for _ in range(15):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("pusat data")
    page.keyboard.press("Enter")
    first = page.locator("[data-hit-link]").first
    expect(first).to_be_visible()
    for _ in range(10):
        if page.evaluate("!!document.activeElement.closest('[data-hit-link]')"):
            break
        page.keyboard.press("Tab")
    expect(first).to_be_focused()
    # focus is visible: the outline of :focus-visible is drawn
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    href = first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href.split("#")[0])))
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.parametrize("path,name", [("/?q=pusat+data", "mobile-search"), (PP71 + "/~pasal_40", "mobile-reader"),
                                       ("/dimensi", "mobile-explorer")])
def test_usable_at_360px(live_server, browser, shot, path, name):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("h1")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the screen
    shot(page, name)
    context.close()


# ---- staff ---------------------------------------------------------------------------------------

def sign_in(page, server):
    page.goto(server.url + "/staf")
    page.fill("#token", server.token)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#upload-panel")).to_be_visible()


def test_staff_sign_in_refuses_a_wrong_token(fresh_server, page):
    page.goto(fresh_server.url + "/staf")
    page.fill("#token", "not-a-real-token")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#signin-msg")).to_contain_text("Token tidak diterima.")
    expect(page.locator("#upload-panel")).to_be_hidden()


def test_staff_upload_of_a_real_pdf_ends_in_a_searchable_record(fresh_server, page, shot):
    pdf = corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf")
    sign_in(page, fresh_server)
    expect(page.locator("#allowed")).to_contain_text("PDF")
    expect(page.locator("#allowed")).to_contain_text("MB")
    page.set_input_files("#file", str(pdf))
    expect(page.locator("#chosen")).to_contain_text(pdf.name)
    shot(page, "upload")
    page.get_by_role("button", name="Unggah", exact=True).click()
    done = page.locator("[data-done]")
    expect(done).to_be_visible(timeout=600_000)
    work_id = done.get_attribute("data-done")
    assert work_id == "tap-mpr-15-1998"
    # the metadata form is prefilled from what the parser read
    expect(page.locator("#meta-form")).to_be_visible()
    expect(page.locator("#m-tahun")).to_have_value("1998")
    shot(page, "upload-done", full_page=True)
    # an edit is saved through PATCH and shows in the API
    page.fill("#m-judul_en", "Regional autonomy")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#meta-msg")).to_have_text("Tersimpan.")
    record = page.request.get(fresh_server.url + f"/api/v1/regulations/{work_id}").json()
    assert record["judul_en"] == "Regional autonomy"
    # the record opens in the reader and is found by search
    done.get_by_role("link", name=re.compile("Buka peraturan")).click()
    expect(page.locator("h1")).to_contain_text("Ketetapan")
    page.goto(fresh_server.url + "/?q=otonomi+daerah")
    expect(page.locator("li.hit a[href^='/akn/id/act/tap-mpr/1998/15']").first).to_be_visible()


def test_staff_upload_of_junk_bytes_is_rejected_with_its_message(fresh_server, page, tmp_path, shot):
    junk = tmp_path / "synthetic-junk.pdf"  # not a PDF: plain bytes given a .pdf name
    junk.write_bytes(b"these bytes are not a PDF document at all\n" * 50)
    api = httpx.post(fresh_server.url + "/api/v1/regulations", headers={"Authorization": f"Bearer {fresh_server.token}"},
                     files={"file": (junk.name, junk.read_bytes(), "application/pdf")})
    assert api.status_code in (415, 422) and api.headers["content-type"].startswith("application/problem+json")
    sign_in(page, fresh_server)
    page.set_input_files("#file", str(junk))
    page.get_by_role("button", name="Unggah", exact=True).click()
    message = page.locator("#upload-msg .msg-bad")
    expect(message).to_contain_text("Berkas ditolak")
    expect(message).to_contain_text(api.json()["detail_id"])
    shot(page, "upload-rejected")
