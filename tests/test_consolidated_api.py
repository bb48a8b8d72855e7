"""The consolidated text over HTTP: /expressions, /consolidated?date=, dated expression permalinks.
Expectations read from UU 11/2008, UU 19/2016 and UU 1/2024 (and the Kotabaru amendment, whose
base is not in the knowledge base)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(ingested_settings):
    from search_api.app import create_app

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
                               "expressions_url": None, "note": body["amends"][0]["note"]}]
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
