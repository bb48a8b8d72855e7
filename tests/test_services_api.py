"""The services' legal basis over HTTP, on the real corpus (issue 16): what the system proposes
for each service of the register (the ask and search machinery over its function), the staff's
decisions (confirm, remove, add; audited; a wrong token refused), the gaps, the pages, and /ask
with a service name.

The staff's writes go to a COPY of the ingested knowledge base (sqlite3 backup), so the session's
shared one (JDIH_TEST_DATA_DIR) is never changed by this module.

    JDIH_TEST_DATA_DIR=/tmp/kb pytest -q tests/test_services_api.py
"""
from __future__ import annotations

import pytest

from regulations.services import load_register
from tests.conftest import copy_kb, staff_token

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402


@pytest.fixture(scope="module")
def kb(ingested_settings, tmp_path_factory):
    from jdih_server.app import create_app

    settings = copy_kb(ingested_settings, tmp_path_factory.mktemp("services-kb"), share_files=True)
    staff = {"Authorization": f"Bearer {staff_token(settings, 'staff', 'hukum-1')}"}
    admin = {"Authorization": f"Bearer {staff_token(settings, 'admin', 'admin-svc')}"}
    app = create_app(settings, rate_limit="0")
    with TestClient(app) as client:
        yield {"client": client, "staff": staff, "admin": admin, "app": app, "settings": settings}


def _links(detail: dict) -> dict[str, dict]:
    basis = detail["legal_basis"]
    return {x["regulation"]["id"]: x for x in basis["local"] + basis["national"]}


def _audit(kb, action: str) -> list[dict]:
    r = kb["client"].get("/api/v1/audit", headers=kb["admin"], params={"action": action})
    assert r.status_code == 200
    return r.json()["results"]


# ---- reading: the register, the proposals, the gaps ---------------------------------------------

def test_the_list_holds_the_register_with_gaps_and_the_2023_realisation(kb):
    r = kb["client"].get("/api/v1/services")
    assert r.status_code == 200
    data = r.json()
    register = load_register()
    assert [s["name"] for s in data["services"]] == [s.name for s in register.services]
    assert len(data["services"]) == 14
    # nothing is confirmed in a fresh knowledge base: every service is a gap, and says so
    assert data["gaps"] == [s.id for s in register.services]
    assert all(s["gap"] and s["counts"]["confirmed"] == 0 for s in data["services"])
    real = {d["id"]: d["realisation"] for d in data["dimensions"]}
    assert real == {"smart-governance": 100, "smart-branding": 89, "smart-economy": 86, "smart-living": 100,
                    "smart-society": 100, "smart-environment": 100}
    assert data["realisation"]["average"] == 96.2 and "9 November 2023" in data["realisation"]["source_text"]
    # the regulations serving a dimension are those linked to its services, local first
    gov = next(d for d in data["dimensions"] if d["id"] == "smart-governance")
    served = [x["regulation"]["id"] for x in gov["regulations"]]
    assert "perda-malang-4-2023" in served and "pp-12-2019" in served
    locals_first = [x["local"] for x in gov["regulations"]]
    assert locals_first == sorted(locals_first, reverse=True)
    assert next(d for d in data["dimensions"] if d["id"] == "smart-environment")["regulations"] == []  # no service there


def test_proposals_quote_the_article_as_stored_with_its_permalink(kb):
    detail = kb["client"].get("/api/v1/services/simpatda").json()
    links = _links(detail)
    # the regional revenue information system: PP 12/2019 Pasal 214 (informasi keuangan daerah) and,
    # first as the local rule, Perda Malang 4/2023 (a catalogue record: what the catalogue knows)
    pp12 = links["pp-12-2019"]
    assert pp12["state"] == "proposed" and pp12["origin"] == "system" and pp12["proposed"]
    assert 0 < pp12["confidence"] <= 1 and pp12["how"] in ("ask", "search")
    art = next(a for a in pp12["articles"] if a["pasal"] == "214")
    assert art["uri"] == "/akn/id/act/pp/2019/12/~pasal_214"
    snap = kb["app"].state.kb.snapshot()
    assert art["text"] == snap.get("pp-12-2019").article("214")["text"]
    assert "informasi keuangan daerah" in art["text"].lower()
    local = detail["legal_basis"]["local"]
    assert [x["regulation"]["id"] for x in local] == ["perda-malang-4-2023"]
    assert local[0]["metadata_only"] and any("Pajak Daerah" in k for k in local[0]["known"])
    assert detail["gap"] and detail["local_proposed"]


def test_no_rule_of_another_region_is_proposed(kb):
    data = kb["client"].get("/api/v1/services").json()
    for s in data["services"]:
        detail = kb["client"].get(f"/api/v1/services/{s['id']}").json()
        for link in _links(detail).values():
            assert link["regulation"]["region"] in (None, "malang"), (s["id"], link["regulation"]["id"])
        assert all(x["local"] for x in detail["legal_basis"]["local"])


def test_a_revoked_law_is_proposed_after_the_laws_in_force(kb):
    """SI APEL: UU 28/2009 (revoked by UU 1/2022) is still proposed on its evidence (the levy for
    printing KTP and civil-registry deeds), but after the laws in force, its status shown."""
    national = kb["client"].get("/api/v1/services/si-apel").json()["legal_basis"]["national"]
    statuses = [x["regulation"]["status"] for x in national]
    assert "dicabut" in statuses and statuses == sorted(statuses, key=lambda s: s == "dicabut")
    uu28 = next(x for x in national if x["regulation"]["id"] == "uu-28-2009")
    assert uu28["regulation"]["status"] == "dicabut"
    assert any(a["pasal"] == "113" and "Kartu Tanda Penduduk" in a["text"] for a in uu28["articles"])


def test_unknown_service_and_bad_input_are_problems(kb):
    c = kb["client"]
    r = c.get("/api/v1/services/no-such-service")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail_id"]
    assert c.get("/api/v1/services/NOT_A_SLUG").status_code == 422
    assert c.get("/api/v1/services", params={"bogus": 1}).status_code == 422


def test_openapi_documents_the_services_api(kb):
    paths = kb["client"].get("/openapi.json").json()["paths"]
    assert "/api/v1/services" in paths and "/api/v1/services/{service_id}" in paths
    get = paths["/api/v1/services/{service_id}"]["get"]
    assert "application/problem+json" in get["responses"]["404"]["content"]
    assert "/api/v1/services/{service_id}/links/{work_id}/confirm" in paths
    assert "delete" in paths["/api/v1/services/{service_id}/links/{work_id}"]


# ---- the staff's decisions over HTTP ---------------------------------------------------------------

def test_writes_need_a_staff_token_and_a_wrong_one_is_refused(kb):
    c = kb["client"]
    before = len(_audit(kb, "service_link_confirm"))
    url = "/api/v1/services/simpatda/links/perda-malang-4-2023/confirm"
    assert c.post(url).status_code == 401
    r = c.post(url, headers={"Authorization": "Bearer jdih_" + "x" * 43})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert c.delete("/api/v1/services/simpatda/links/uu-11-2008", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.post("/api/v1/services/srikandi/links", json={"regulation": "uu-14-2008"}).status_code == 401
    assert len(_audit(kb, "service_link_confirm")) == before  # nothing was written
    assert _links(c.get("/api/v1/services/simpatda").json())["perda-malang-4-2023"]["state"] == "proposed"


def test_staff_confirm_a_local_proposal_and_the_gap_closes_with_an_audit_entry(kb):
    c = kb["client"]
    r = c.post("/api/v1/services/simpatda/links/perda-malang-4-2023/confirm", headers=kb["staff"],
               json={"note": "Perda PDRD Kota Malang: pendapatan daerah"})
    assert r.status_code == 200, r.text
    detail = r.json()
    link = detail["legal_basis"]["local"][0]
    assert link["regulation"]["id"] == "perda-malang-4-2023"
    assert link["state"] == "confirmed" and link["origin"] == "system" and link["proposed"]
    assert link["decision"]["by"].startswith("hukum-1 (") and link["decision"]["note"].startswith("Perda PDRD")
    assert not detail["gap"]
    assert "simpatda" not in c.get("/api/v1/services").json()["gaps"]
    entry = _audit(kb, "service_link_confirm")[-1]
    assert entry["work_id"] == "perda-malang-4-2023" and entry["actor"].startswith("hukum-1 (")
    assert entry["before"]["state"] == "proposed" and entry["after"] == {
        "service": "simpatda", "state": "confirmed", "origin": "system", "articles": []}
    again = c.post("/api/v1/services/simpatda/links/perda-malang-4-2023/confirm", headers=kb["staff"])
    assert again.status_code == 409 and again.json()["code"] == "link_exists"
    # a national rule confirmed does not close a gap: only a local one does
    r = c.post("/api/v1/services/simbada/links/pp-12-2019/confirm", headers=kb["staff"], json={"articles": ["65"]})
    assert r.status_code == 200
    detail = r.json()
    pp12 = _links(detail)["pp-12-2019"]
    assert pp12["state"] == "confirmed" and pp12["articles"][0]["pasal"] == "65"
    assert detail["gap"]


def test_a_removed_proposal_stays_removed(kb):
    c = kb["client"]
    assert "uu-11-2008" in _links(c.get("/api/v1/services/simpatda").json())
    r = c.delete("/api/v1/services/simpatda/links/uu-11-2008", headers=kb["staff"],
                 params={"note": "UU ITE does not govern regional revenue"})
    assert r.status_code == 200, r.text
    basis = r.json()["legal_basis"]
    assert "uu-11-2008" not in _links(r.json())
    removed = {x["regulation"]["id"]: x for x in basis["removed"]}
    assert removed["uu-11-2008"]["state"] == "removed" and removed["uu-11-2008"]["proposed"]
    entry = _audit(kb, "service_link_remove")[-1]
    assert entry["work_id"] == "uu-11-2008" and entry["after"]["state"] == "removed"
    assert entry["detail"] == "service simpatda: UU ITE does not govern regional revenue"
    # a new snapshot computes the proposals again: the system still proposes it, it stays removed
    store = kb["app"].state.kb.store
    store.bump_generation()
    kb["app"].state.kb._checked = 0.0  # noqa: SLF001 - read the new generation now
    detail = c.get("/api/v1/services/simpatda").json()
    assert "uu-11-2008" not in _links(detail)
    assert [x["regulation"]["id"] for x in detail["legal_basis"]["removed"]] == ["uu-11-2008"]
    assert c.delete("/api/v1/services/simpatda/links/uu-11-2008", headers=kb["staff"]).status_code == 404
    # staff can take a removal back by confirming the proposal
    r = c.post("/api/v1/services/simpatda/links/uu-11-2008/confirm", headers=kb["staff"])
    assert r.status_code == 200 and _links(r.json())["uu-11-2008"]["state"] == "confirmed"


def test_staff_add_a_regulation_the_system_did_not_propose(kb):
    c = kb["client"]
    detail = c.get("/api/v1/services/srikandi").json()
    assert "uu-14-2008" not in _links(detail)
    r = c.post("/api/v1/services/srikandi/links/uu-14-2008/confirm", headers=kb["staff"])
    assert r.status_code == 409 and r.json()["code"] == "not_proposed"
    r = c.post("/api/v1/services/srikandi/links", headers=kb["staff"],
               json={"regulation": "uu-14-2008", "articles": ["8"], "note": "kearsipan Informasi Publik"})
    assert r.status_code == 201, r.text
    link = _links(r.json())["uu-14-2008"]
    assert link["state"] == "confirmed" and link["origin"] == "staff" and not link["proposed"]
    assert link["confidence"] is None
    assert link["articles"][0]["pasal"] == "8" and "kearsipan" in link["articles"][0]["text"]
    assert link["articles"][0]["uri"] == "/akn/id/act/uu/2008/14/~pasal_8"
    entry = _audit(kb, "service_link_add")[-1]
    assert entry["work_id"] == "uu-14-2008" and entry["after"]["origin"] == "staff" and entry["after"]["articles"] == ["8"]
    # refused: a duplicate, a proposal (confirm it instead), an article the law lacks, an unknown regulation
    assert c.post("/api/v1/services/srikandi/links", headers=kb["staff"], json={"regulation": "uu-14-2008"}).json()["code"] == "link_exists"
    r = c.post("/api/v1/services/simpeg/links", headers=kb["staff"], json={"regulation": "pp-12-2019"})
    assert r.status_code == 409 and r.json()["code"] == "link_proposed"
    r = c.post("/api/v1/services/srikandi/links", headers=kb["staff"], json={"regulation": "uu-27-2022", "articles": ["999"]})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert c.post("/api/v1/services/srikandi/links", headers=kb["staff"], json={"regulation": "uu-99-2099"}).status_code == 404
    assert c.post("/api/v1/services/no-such/links", headers=kb["staff"], json={"regulation": "uu-14-2008"}).status_code == 404
    # removing a staff-added link: gone from the basis, listed as removed
    r = c.delete("/api/v1/services/srikandi/links/uu-14-2008", headers=kb["staff"])
    assert r.status_code == 200 and "uu-14-2008" not in _links(r.json())
    assert [x["origin"] for x in r.json()["legal_basis"]["removed"]] == ["staff"]


# ---- /ask with a service name ----------------------------------------------------------------------

def test_ask_recognises_a_service_and_answers_with_its_legal_basis(kb):
    c = kb["client"]
    r = c.post("/api/v1/ask", json={"question": "aturan apa yang mendasari Ngalam Command Center?"})
    assert r.status_code == 200
    out = r.json()
    assert out["basis"] == "service" and not out["refused"]
    assert [s["id"] for s in out["services"]] == ["ngalam-command-center"]
    proposed = _links(c.get("/api/v1/services/ngalam-command-center").json())
    assert [a["regulation"]["id"] for a in out["answers"]] and \
        {a["regulation"]["id"] for a in out["answers"]} == set(proposed)
    assert all(a["link_state"] == "proposed" and "proposed by the system" in a["note"] for a in out["answers"])
    # confirmed links come first: SIMPATDA's confirmed local rule (confirmed above) leads its answer
    out = c.post("/api/v1/ask", json={"question": "dasar hukum SIMPATDA"}).json()
    assert out["basis"] == "service" and out["services"][0]["id"] == "simpatda" and not out["services"][0]["gap"]
    first = out["answers"][0]
    assert first["regulation"]["id"] == "perda-malang-4-2023" and first["link_state"] == "confirmed"
    assert "confirmed by staff" in first["note"] and out["confidence"] == 1.0
    # a question naming no service is the ordinary ask
    assert c.post("/api/v1/ask", json={"question": "aturan tentang pusat data pemerintah"}).json()["basis"] == "search"


def test_ask_page_says_which_service_was_recognised(kb):
    r = kb["client"].get("/tanya", params={"q": "aturan apa yang mendasari Ngalam Command Center?", "lang": "en"})
    assert r.status_code == 200
    assert "The question names the service Ngalam Command Center" in r.text
    assert 'href="/layanan/ngalam-command-center"' in r.text and "Proposed by the system" in r.text


# ---- the pages -------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_pages_render_in_both_languages_with_a_json_twin(kb, lang):
    c = kb["client"]
    r = c.get("/layanan", params={"lang": lang})
    assert r.status_code == 200 and r.headers["content-language"] == lang
    html = r.text
    assert '<link rel="alternate" type="application/json" href="/api/v1/services">' in html
    assert 'href="/layanan" aria-current="page"' in html  # in the site nav
    assert html.count('<tr id="svc-') == 14 and html.count('<tr id="dim-') == 6  # services; the chart's table
    assert 'role="img"' in html and ("89%" in html and "86%" in html)
    word = "Gap: no confirmed local rule" if lang == "en" else "Celah: belum ada aturan daerah terkonfirmasi"
    assert word in html
    r = c.get("/layanan/simpatda", params={"lang": lang})
    assert r.status_code == 200
    assert ("Confirmed by staff" if lang == "en" else "Dikonfirmasi staf") in r.text
    assert ("Proposed by the system" if lang == "en" else "Diusulkan sistem") in r.text
    assert "/akn/id/act/pp/2019/12/~pasal_214" in r.text
    assert c.get("/layanan/no-such", params={"lang": lang}).status_code == 404


def test_the_pages_answer_json_to_a_client_that_asks_for_it(kb):
    c = kb["client"]
    r = c.get("/layanan", headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["gaps"] == c.get("/api/v1/services").json()["gaps"]
    r = c.get("/layanan/simpatda", headers={"Accept": "application/json"})
    assert r.json()["id"] == "simpatda" and "legal_basis" in r.json()
    r = c.get("/layanan/no-such", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_the_site_nav_links_the_services_view(kb):
    html = kb["client"].get("/dimensi").text
    assert '<a href="/layanan" >' in html or 'href="/layanan"' in html


# ---- the store boundary ----------------------------------------------------------------------------

def test_decisions_live_in_the_control_file_and_travel_with_an_export(kb, tmp_path):
    from pipelines.staff.service_links import decisions
    from pipelines.staff.transfer import export_kb

    store = kb["app"].state.kb.store
    stored = decisions(store.control())
    assert stored["simpatda"]["perda-malang-4-2023"]["state"] == "confirmed"
    assert stored["srikandi"]["uu-14-2008"]["state"] == "removed"
    manifest = export_kb(kb["settings"], tmp_path / "export")
    assert manifest["counts"]["service_links"] == sum(len(v) for v in stored.values())


# ---- both stores -----------------------------------------------------------------------------------

def test_the_legal_basis_on_each_store(kb_settings):
    """The same proposals on the embedded store and on Elasticsearch; on Elasticsearch (a knowledge
    base of this session) a staff decision goes through the store boundary into its control file."""
    from jdih_server.app import create_app
    from pipelines.staff.service_links import decisions

    app = create_app(kb_settings, rate_limit="0")
    with TestClient(app) as c:
        detail = c.get("/api/v1/services/simpatda").json()
        links = _links(detail)
        assert "214" in [a["pasal"] for a in links["pp-12-2019"]["articles"]]
        assert [x["regulation"]["id"] for x in detail["legal_basis"]["local"]] == ["perda-malang-4-2023"]
        if kb_settings.store != "elasticsearch":
            return  # the embedded knowledge base is the session's shared one: no writes here
        headers = {"Authorization": f"Bearer {staff_token(kb_settings, 'staff', 'hukum-es')}"}
        r = c.post("/api/v1/services/simbada/links/pp-12-2019/confirm", headers=headers, json={"articles": ["64"]})
        assert r.status_code == 200, r.text
        assert _links(r.json())["pp-12-2019"]["state"] == "confirmed"
        stored = decisions(app.state.kb.store.control(), "simbada")
        assert stored["pp-12-2019"]["articles"] == ["64"] and stored["pp-12-2019"]["decided_by"].startswith("hukum-es (")
        r = c.delete("/api/v1/services/simbada/links/pp-12-2019", headers=headers)
        assert r.status_code == 200 and "pp-12-2019" not in _links(r.json())


def test_serve_prewarms_the_services_legal_basis_in_the_background(ingested_settings, monkeypatch):
    """With JDIH_PREWARM=1 (what `jdih serve` sets) the app computes the proposals at start, on a
    thread of its own; without it (test apps) nothing runs at start."""
    from fastapi.testclient import TestClient

    import jdih_server.app as app_module
    from search_api import services

    started = []
    real = app_module.prewarm
    monkeypatch.setattr(app_module, "prewarm", lambda kb: started.append(real(kb)))
    monkeypatch.delenv("JDIH_PREWARM", raising=False)
    with TestClient(app_module.create_app(ingested_settings, rate_limit="0")):
        assert started == []
    monkeypatch.setenv("JDIH_PREWARM", "1")
    app = app_module.create_app(ingested_settings, rate_limit="0")
    with TestClient(app) as client:
        (thread,) = started
        thread.join(timeout=600)
        assert not thread.is_alive()
        kb = app.state.kb
        memo = kb.snapshot()._memo  # computed by the thread, before any request asked
        assert [k for k in memo if isinstance(k, tuple) and k[0] == "service-proposals"]
        assert set(services.proposals(kb)) >= {"si-apel", "srikandi"}
        assert client.get("/api/v1/services/si-apel").status_code == 200
