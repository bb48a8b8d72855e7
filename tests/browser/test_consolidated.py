"""The consolidated UU ITE in a browser: the version picker, the marks, an article's history with
its word-level diff. The screenshot goes to test-output/screenshots/consolidated-uu-ite.png (a copy is
docs/screenshots/consolidated-uu-ite.png)."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_consolidated_uu_ite_with_history_and_diff(live_server, page, shot):
    page.goto(live_server.url + "/akn/id/act/uu/2008/11/ind@2024-01-02/~pasal_27")
    expect(page.locator("h1")).to_contain_text("Informasi dan Transaksi Elektronik")
    a27 = page.locator("#pasal-27")
    expect(a27.locator(".article-status")).to_contain_text("Pasal 27 diubah oleh UU 1/2024")
    history = a27.locator("details.history")
    expect(history).to_have_attribute("open", "")  # the article asked for opens on its history
    expect(history.locator("ins").first).to_be_visible()
    expect(history.locator("del").first).to_be_visible()
    expect(page.locator("#pasal-27A .mark-inserted")).to_be_visible()
    a27.scroll_into_view_if_needed()
    shot(page, "consolidated-uu-ite")  # copied by hand to docs/screenshots/ when the page changes


def test_version_picker_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/peraturan/uu-11-2008/konsolidasi")
    page.select_option("#tanggal", "2016-11-25")
    page.click(".version-picker button[type=submit]")
    page.wait_for_url(re.compile(r"tanggal=2016-11-25"))
    expect(page.locator("#pasal-27A")).to_have_count(0)
    expect(page.locator("#pasal-45A .mark-inserted")).to_be_visible()
    expect(page.locator("#pasal-26 ol.ayat > li")).to_have_count(5)
    context.close()
