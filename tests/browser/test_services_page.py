"""The services' legal-basis view in a real browser (Debian's Chromium through Playwright) over the
real corpus: the table of the 14 services with their gaps, the realisation chart and its table
alternative, a service's page with the evidence quoted, "proposed by the system" against
"confirmed by staff" after a confirmation made over the staff API, and the view without
JavaScript. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, create_token
from tests.conftest import copy_kb

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def services_server(ingested_settings, tmp_path_factory):
    """The app over a copy of the ingested corpus (a confirmation is written to it), with a staff token."""
    settings = copy_kb(ingested_settings, tmp_path_factory.mktemp("kb-services-browser"))
    with LiveServer(settings) as server:
        server.token = create_token(settings.data_dir, "hukum-browser")
        yield server


def test_the_legal_basis_view_lists_services_gaps_and_the_realisation_chart(services_server, page, shot):
    url = services_server.url
    api = page.request.get(url + "/api/v1/services").json()
    page.goto(url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Layanan").click()
    page.wait_for_url(url + "/layanan")
    expect(page.locator("h1")).to_have_text("Dasar hukum layanan Smart City")
    rows = page.locator("table.svc-table tbody tr")
    expect(rows).to_have_count(14)
    for s in api["services"]:
        row = page.locator(f"#svc-{s['id']}")
        expect(row.locator("th a").first).to_have_text(s["name"])
        expect(row.locator(".svc-badge-gap")).to_have_count(1 if s["gap"] else 0)
    expect(page.locator(".svc-gaps")).to_contain_text(f"{len(api['gaps'])} dari 14 layanan")
    # the local rule of SIMPATDA sits in the local column, marked as a proposal
    simpatda = page.locator("#svc-simpatda td").nth(0)
    expect(simpatda).to_contain_text(re.compile(r"perda malang 4/2023", re.I))
    expect(simpatda.locator(".svc-state-proposed")).to_have_text("Diusulkan sistem")
    # the chart is an image with a description, and the table says the same in text
    chart = page.locator("figure.chart svg[role='img']")
    desc = chart.locator("desc").text_content()
    for d in api["dimensions"]:
        row = page.locator(f"#dim-{d['id']}")
        value = f"{int(d['realisation'])}%"
        expect(row.locator("td.num")).to_have_text(value)
        assert value in desc
        expect(row.locator("td").nth(1).locator("li")).to_have_count(len(d["services"]))
    shot(page, "services", full_page=True)


def test_a_service_page_quotes_the_evidence_and_shows_a_staff_confirmation(services_server, page, shot):
    url = services_server.url
    page.goto(url + "/layanan")
    page.locator("#svc-simpatda th a").first.click()
    page.wait_for_url(url + "/layanan/simpatda")
    expect(page.locator("h1")).to_have_text("SIMPATDA")
    expect(page.locator(".svc-gap-note")).to_be_visible()
    pp12 = page.locator("#link-pp-12-2019")
    expect(pp12.locator(".svc-state").first).to_have_text("Diusulkan sistem")
    quote = pp12.locator("figure.quote", has=page.locator("a[href$='#pasal-214']"))
    expect(quote.locator("blockquote").first).to_contain_text("informasi keuangan daerah")
    # a long article is quoted in part; its whole text, as stored, one click (no script) away
    full = quote.locator("details.quote-more")
    expect(full.locator("blockquote")).to_be_hidden()
    full.locator("summary").click()
    expect(full.locator("blockquote")).to_contain_text("wajib disampaikan kepada Menteri")
    expect(quote.locator("a[href='/akn/id/act/pp/2019/12/~pasal_214']")).to_be_visible()

    # legal staff confirm the local proposal over the staff API; the page says so
    r = page.request.post(url + "/api/v1/services/simpatda/links/perda-malang-4-2023/confirm",
                          headers={"Authorization": f"Bearer {services_server.token}"},
                          data={"note": "dasar hukum pendapatan daerah"})
    assert r.status == 200, r.text()
    page.reload()
    local = page.locator("#link-perda-malang-4-2023")
    expect(local.locator(".svc-state").first).to_have_text("Dikonfirmasi staf")
    expect(local.locator(".svc-decision")).to_contain_text("hukum-browser")
    expect(page.locator(".svc-ok-note")).to_be_visible()
    expect(page.locator("#link-pp-12-2019 .svc-state").first).to_have_text("Diusulkan sistem")
    shot(page, "service-simpatda", full_page=True)

    page.goto(url + "/layanan/simpatda?lang=en")
    expect(page.locator("#link-perda-malang-4-2023 .svc-state").first).to_have_text("Confirmed by staff")
    page.goto(url + "/layanan")
    expect(page.locator("#svc-simpatda .svc-badge-ok")).to_have_text("Local rule confirmed")


def test_the_view_works_without_javascript_and_by_keyboard(services_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(services_server.url + "/layanan/ngalam-command-center")
    expect(page.locator("h1")).to_have_text("Ngalam Command Center")
    expect(page.locator(".svc-national .svc-link-item").first).to_be_visible()
    # nothing overflows a phone's width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(services_server.url + "/layanan")
    link = page.locator("#svc-ngalam-command-center th a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/layanan/ngalam-command-center$"))
    context.close()


def test_staff_confirm_remove_and_add_a_services_legal_basis_on_the_staff_screen(services_server, page, shot):
    url = services_server.url
    page.goto(url + "/staf")
    page.fill("#token", services_server.token)
    page.get_by_role("button", name="Masuk").click()
    panel = page.locator("#svc-panel")
    expect(panel).to_be_visible()
    # SIMPEG: the system's proposals, each with its state, confirmed and removed from the screen
    proposals = page.request.get(url + "/api/v1/services/simpeg").json()["legal_basis"]
    first = next(l for l in proposals["local"] + proposals["national"] if l["state"] == "proposed")
    work = first["regulation"]["id"]
    panel.locator("#svc-id").select_option("simpeg")
    panel.get_by_role("button", name="Muat").click()
    item = panel.locator(f"#svc-list li.svc-link", has_text=f"{first['regulation']['singkatan']} "
                         f"{first['regulation']['nomor']}/{first['regulation']['tahun']}").first
    expect(item).to_contain_text("Diusulkan sistem")
    item.get_by_role("button", name=re.compile(r"^Konfirmasi")).click()
    expect(panel.locator("#svc-list li.svc-link-confirmed")).to_have_count(1)
    after = page.request.get(url + "/api/v1/services/simpeg").json()["legal_basis"]
    assert next(l for l in after["local"] + after["national"] if l["regulation"]["id"] == work)["state"] == "confirmed"
    panel.locator("#svc-list li.svc-link-confirmed").get_by_role("button", name=re.compile(r"^Hapus")).click()
    expect(panel.locator("#svc-list li.svc-link-removed")).to_contain_text("Dihapus staf")
    after = page.request.get(url + "/api/v1/services/simpeg").json()["legal_basis"]
    assert work in [l["regulation"]["id"] for l in after["removed"]]
    # SRIKANDI: nothing proposed; staff add UU KIP Pasal 8 (public bodies keep and document their information)
    panel.locator("#svc-id").select_option("srikandi")
    panel.get_by_role("button", name="Muat").click()
    expect(panel.locator("#svc-list")).to_contain_text("Belum ada peraturan")
    panel.locator("#svc-reg").fill("uu-14-2008")
    panel.locator("#svc-articles").fill("8")
    panel.get_by_role("button", name="Tambah dasar hukum").click()
    expect(panel.locator("#svc-list li.svc-link-added")).to_contain_text("Ditambahkan staf")
    shot(page, "staff-service-links")
    audit = page.request.get(url + "/api/v1/services/srikandi").json()["legal_basis"]
    added = [l for l in audit["national"] if l["origin"] == "staff"]
    assert [(l["regulation"]["id"], l["state"], [a["pasal"] for a in l["articles"]]) for l in added] == [
        ("uu-14-2008", "confirmed", ["8"])]
