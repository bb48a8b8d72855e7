"""The consolidated text over HTTP: /expressions, /consolidated?date=, dated expression permalinks.
Expectations read from UU 11/2008, UU 19/2016 and UU 1/2024 (and the Kotabaru amendment, whose
base is not in the knowledge base)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(ingested_settings):
    from jdih_server.app import create_app

    with TestClient(create_app(ingested_settings, rate_limit="0")) as c:
        yield c


def test_expressions_of_uu_ite(client):
    r = client.get("/api/v1/regulations/uu-11-2008/expressions")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["amended"] is True and body["current"] == "2024-01-02"
    ex = body["expressions"]
    assert [(e["date"], e["amended_by"]) for e in ex] == [
        ("2008-04-21", None), ("2016-11-25", "uu-19-2016"), ("2024-01-02", "uu-1-2024")]
    assert ex[0]["uri"] == "/akn/id/act/uu/2008/11/ind@2008-04-21"
    assert ex[1]["until"] == "2024-01-01" and ex[2]["current"] is True
    changes_2016 = {(c["pasal"], c["operation"], c.get("what")) for c in ex[1]["changes"]}
    assert ("26", "diubah", None) in changes_2016 and ("45A", "disisipkan", None) in changes_2016
    assert ("5", "diubah", "penjelasan") in changes_2016
    assert {c["pasal"] for c in ex[2]["changes"] if c["operation"] == "disisipkan"} == {
        "13A", "16A", "16B", "18A", "27A", "27B", "40A"}
    assert body["not_applied"] == []
    assert {t["pasal"] for t in body["time_limits"]} == {"27", "27A", "28", "36", "45", "45A"}
    # the file versions (staff side) are another thing: said in docs/api.md
    assert body["amending_works"][0]["label"] == "UU 19/2016"


def test_consolidated_on_a_date(client):
    r = client.get("/api/v1/regulations/uu-11-2008/consolidated", params={"date": "2020-01-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expression"]["date"] == "2016-11-25"
    arts = {a["number"]: a for a in body["articles"]}
    assert "27A" not in arts and "45A" in arts
    assert [y["number"] for y in arts["26"]["ayat"]] == ["1", "2", "3", "4", "5"]
    assert arts["26"]["source"] == {"work": "uu-19-2016", "label": "UU 19/2016", "item": "3",
                                    "uri": "/akn/id/act/uu/2016/19/~pasal_26"}
    now = client.get("/api/v1/regulations/uu-11-2008/consolidated").json()  # today
    arts = {a["number"]: a for a in now["articles"]}
    assert now["expression"]["date"] == "2024-01-02"
    a27 = arts["27"]
    assert a27["text"].startswith("(1) Setiap Orang dengan sengaja dan tanpa hak menyiarkan")
    assert "SK No" not in a27["text"]
    assert a27["article_status"]["text_id"] == "Pasal 27 diubah oleh UU 1/2024"
    assert a27["article_status"]["text_en"] == "Article 27 amended by UU 1/2024"
    assert [h["work"] for h in a27["history"]] == ["uu-11-2008", "uu-19-2016", "uu-1-2024"]
    assert arts["27A"]["article_status"]["text_id"] == "Pasal 27A disisipkan oleh UU 1/2024"
    assert arts["5"]["article_status"]["text_id"] == "Pasal 5 diubah oleh UU 1/2024"
    assert arts["1"]["status"] == "diubah" and arts["2"]["status"] == "asli" and arts["2"]["article_status"] is None
    assert arts["27A"]["time_limits"][0]["article"] == "II"


def test_consolidated_errors(client):
    r = client.get("/api/v1/regulations/uu-11-2008/consolidated", params={"date": "2000-01-01"})
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    assert "2008-04-21" in r.json()["detail"]
    assert client.get("/api/v1/regulations/uu-11-2008/consolidated", params={"date": "2024-02-30"}).status_code == 422
    assert client.get("/api/v1/regulations/uu-11-2008/consolidated", params={"date": "kemarin"}).status_code == 422
    assert client.get("/api/v1/regulations/uu-11-2008/consolidated", params={"tanggal": "2024-01-01"}).status_code == 422
    assert client.get("/api/v1/regulations/uu-99-2099/expressions").status_code == 404


def test_base_not_in_the_knowledge_base_is_not_invented(client):
    # Perbup Kotabaru 18/2019 amends Perbup Kotabaru 26/2017, which the knowledge base does not hold
    assert client.get("/api/v1/regulations/perbup-kotabaru-26-2017/expressions").status_code == 404
    body = client.get("/api/v1/regulations/perbup-kotabaru-18-2019/expressions").json()
    assert body["amends"] == [{"work": "perbup-kotabaru-26-2017", "label": "PERBUP 26/2017", "in_corpus": False,
                               "expressions_url": None, "expression_uri": None, "note": body["amends"][0]["note"]}]
    uu19 = client.get("/api/v1/regulations/uu-19-2016/expressions").json()
    assert uu19["amends"][0]["expression_uri"] == "/akn/id/act/uu/2008/11/ind@2016-11-25"
    assert "not in the knowledge base" in body["amends"][0]["note"]
    assert body["amended"] is False and len(body["expressions"]) == 1
    # its own page still shows the amendment item
    detail = client.get("/api/v1/regulations/perbup-kotabaru-18-2019").json()
    assert [a["pasal"] for m in detail["amendments"] for a in m["articles"]] == ["5A"]
    banjarnegara = client.get("/api/v1/regulations/perda-banjarnegara-8-2025/expressions").json()
    assert banjarnegara["amends"][0]["work"] == "perda-banjarnegara-8-2023"
    assert banjarnegara["amends"][0]["in_corpus"] is False


def test_expression_permalinks_json(client):
    r = client.get("/akn/id/act/uu/2008/11/ind@2016-11-25/~pasal_26")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["number"] == "26" and len(a["ayat"]) == 5 and a["expression"]["date"] == "2016-11-25"
    assert a["uri"] == "/akn/id/act/uu/2008/11/ind@2016-11-25/~pasal_26"
    # a day inside a version's period goes to that version's permalink
    r = client.get("/akn/id/act/uu/2008/11/ind@2020-05-05/~pasal_26", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/akn/id/act/uu/2008/11/ind@2016-11-25/~pasal_26"
    r = client.get("/akn/id/act/uu/2008/11/ind@", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/akn/id/act/uu/2008/11/ind@2024-01-02"
    whole = client.get("/akn/id/act/uu/2008/11/ind@2024-01-02").json()
    assert [a["number"] for a in whole["articles"]].index("27A") == [a["number"] for a in whole["articles"]].index("27") + 1
    assert client.get("/akn/id/act/uu/2008/11/ind@2016-11-25/~pasal_27A").status_code == 404
    assert client.get("/akn/id/act/uu/2008/11/ind@2000-01-01").status_code == 404
    # the work permalink is unchanged
    assert client.get("/akn/id/act/uu/2008/11").json()["id"] == "uu-11-2008"


def _copies(results, work="uu-11-2008", amending=("uu-19-2016", "uu-1-2024")):
    """(regulation, pasal) entries that are a version of an article of ``work``."""
    return [(g["regulation"]["id"], a["pasal"]) for g in results for a in g["articles"]
            if g["regulation"]["id"] == work or g["regulation"]["id"] in amending]


def test_search_gives_each_amended_article_once_as_in_force(client):
    body = client.get("/api/v1/search", params={"q": "pencemaran nama baik"}).json()
    copies = _copies(body["results"])
    assert len(copies) == len(set(p for _, p in copies))  # never two versions of one Pasal
    assert all(rid == "uu-11-2008" for rid, _ in copies)
    ite = next(g for g in body["results"] if g["regulation"]["id"] == "uu-11-2008")
    a27 = next(a for a in ite["articles"] if a["pasal"] == "27")
    assert a27["consolidated"]["expression"] == "2024-01-02" and a27["consolidated"]["source_work"] == "uu-1-2024"
    assert a27["article_status"]["text_id"] == "Pasal 27 diubah oleh UU 1/2024"
    assert a27["uri"] == "/akn/id/act/uu/2008/11/ind@2024-01-02/~pasal_27"
    assert "pencemaran" not in a27["snippet"]  # the text in force, not the 2008 one that matched


def test_as_of_filter(client):
    old = client.get("/api/v1/search", params={"q": "pencemaran nama baik", "as_of": "2015-01-01"}).json()
    ite = next(g for g in old["results"] if g["regulation"]["id"] == "uu-11-2008")
    a27 = next(a for a in ite["articles"] if a["pasal"] == "27")
    assert a27["consolidated"]["expression"] == "2008-04-21" and "pencemaran" in a27["snippet"]
    # works not yet in force on that day are filtered out: UU 27/2022 (PDP), UU 1/2024
    ids = {g["regulation"]["id"] for g in client.get("/api/v1/search", params={
        "q": "data pribadi", "as_of": "2015-01-01", "limit": 100}).json()["results"]}
    assert "uu-27-2022" not in ids and "uu-1-2024" not in ids and "uu-19-2016" not in ids
    assert "uu-27-2022" in {g["regulation"]["id"] for g in client.get("/api/v1/search", params={
        "q": "data pribadi", "limit": 100}).json()["results"]}
    r = client.get("/api/v1/search", params={"q": "data", "as_of": "2015-13-01"})
    assert r.status_code == 422


def test_ask_quotes_the_article_in_force_once_with_its_source(client):
    body = client.post("/api/v1/ask", json={
        "question": "Berapa ancaman pidana bagi orang yang menyerang kehormatan atau nama baik orang lain "
                    "melalui Sistem Elektronik menurut UU ITE yang berlaku sekarang?"}).json()
    assert body["refused"] is False
    quoted = [(a["regulation"]["id"], x["pasal"]) for a in body["answers"] for x in a["articles"]]
    assert not any(rid in ("uu-19-2016", "uu-1-2024") for rid, _ in quoted)
    ite = [x for a in body["answers"] if a["regulation"]["id"] == "uu-11-2008" for x in a["articles"]]
    assert ite and len({x["pasal"] for x in ite}) == len(ite)
    for x in ite:
        assert x["consolidated"]["expression"] == "2024-01-02"
    hit = next((x for x in ite if x["pasal"] in ("45", "27A")), None)
    assert hit is not None, quoted
    assert hit["consolidated"]["source_work"] == "uu-1-2024"
    assert hit["article_status"]["by_label"] == "UU 1/2024"
    if hit["pasal"] == "45":  # UU 1/2024 item 16: Pasal 45(4), 2 years and Rp400.000.000,00
        assert "paling lama 2 (dua) tahun" in hit["text"] and "Rp400.000.000,00" in hit["text"]


def test_ask_naming_a_version_gets_that_version(client):
    body = client.post("/api/v1/ask", json={
        "question": "ancaman pidana pencemaran nama baik menurut UU ITE sebagaimana diubah UU Nomor 19 Tahun 2016"}).json()
    ite = [x for a in body["answers"] if a["regulation"]["id"] == "uu-11-2008" for x in a["articles"]]
    assert ite and all(x["consolidated"]["expression"] == "2016-11-25" for x in ite)
    a45 = next(x for x in ite if x["pasal"] == "45")
    # UU 19/2016 item 8: Pasal 45(3) "penghinaan dan/atau pencemaran nama baik ... paling lama 4 (empat) tahun"
    assert "pencemaran nama baik" in a45["text"] and "paling lama 4 (empat) tahun" in a45["text"]
    old = client.post("/api/v1/ask", json={"question": "ancaman pidana pencemaran nama baik UU ITE pada tahun 2010"}).json()
    ite = [x for a in old["answers"] if a["regulation"]["id"] == "uu-11-2008" for x in a["articles"]]
    assert ite and all(x["consolidated"]["expression"] == "2008-04-21" for x in ite)


def test_jdihn_feed_links_an_amended_work_to_its_text_in_force(client):
    by_id = {r["idData"]: r for r in client.get("/api/jdihn").json()}
    assert by_id["uu-11-2008"]["urlDetailPeraturan"].endswith("/akn/id/act/uu/2008/11/ind@2024-01-02")
    assert by_id["uu-12-2011"]["urlDetailPeraturan"].endswith("/akn/id/act/uu/2011/12/ind@2019-10-04")
    assert by_id["uu-1-2024"]["urlDetailPeraturan"].endswith("/akn/id/act/uu/2024/1")  # nobody amends it


def test_a_work_whose_date_is_unknown_has_no_dated_permalink(client):
    # Perbup Kotabaru 18/2019: the text names no date of promulgation ("mulai berlaku pada tanggal")
    body = client.get("/api/v1/regulations/perbup-kotabaru-18-2019/expressions").json()
    assert body["expressions"][0]["date"] == "" and body["expressions"][0]["uri"] is None
    r = client.get("/akn/id-kotabaru/act/perbup/2019/18/ind@", follow_redirects=False)
    assert r.status_code == 404
    r = client.get("/akn/id-kotabaru/act/perbup/2019/18/ind@", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 404


def test_versions_named_in_words(client):
    from search_api.consolidated import version_asked

    snap = client.app.state.kb.snapshot()
    assert version_asked(snap, "bunyi Pasal 27 UU ITE sebelum diubah", "uu-11-2008") == "2008-04-21"
    assert version_asked(snap, "Pasal 27 UU ITE setelah perubahan pertama", "uu-11-2008") == "2016-11-25"
    assert version_asked(snap, "Article 27 of the ITE law after the second amendment", "uu-11-2008") == "2024-01-02"
    assert version_asked(snap, "Pasal 27 UU ITE per 1 Januari 2020", "uu-11-2008") == "2020-01-01"
    assert version_asked(snap, "Pasal 27 Undang-Undang Nomor 11 Tahun 2008", "uu-11-2008") is None  # in force today
    body = client.post("/api/v1/ask", json={"question": "bunyi pasal pencemaran nama baik UU ITE sebelum diubah"}).json()
    ite = [x for a in body["answers"] if a["regulation"]["id"] == "uu-11-2008" for x in a["articles"]]
    assert ite and all(x["consolidated"]["expression"] == "2008-04-21" for x in ite)
