"""The REST API over a real register: ranked hits, filters, paging, records, facets, problems, exports.

The register is the demo's real office samples (EUIPO, KIPRIS, USPTO); totals
are checked against the sample file itself and rankings against the library.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.cli import cli
from marksearch.demo import demo_files
from marksearch.goods.bases import base_for_store
from marksearch.ingest import record_keys
from marksearch.records import Record, VerbalElement
from marksearch.search import Searcher
from marksearch.store import open_store
from marksearch.text import mark_keys
from marksearch.web import create_app
from marksearch.web.api import StatusWord
from marksearch.web.service import STATUS_WORDS, SearchParams, Service
from tests.conftest import SamplesRegister

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)  # httpx2 is not on PyPI's stable track yet
    from fastapi.testclient import TestClient

SAMPLES = next(p for p in demo_files() if "office-samples" in p.name)
PROBLEM = "application/problem+json"


def sample_records() -> list[Record]:
    with gzip.open(SAMPLES, "rt", encoding="utf-8") as f:
        return [Record.from_dict(json.loads(line)) for line in f]


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return sample_records()


@pytest.fixture(scope="module")
def db(samples_register: SamplesRegister) -> str:
    """The sample file ingested, with its goods base grown (a copy of this module's own)."""
    return samples_register.copy("web-api")


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def get(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def live(r: Record) -> bool:
    return r.status.live


# -- search --------------------------------------------------------------------------------------------


def test_search_ranks_hits_with_signals_and_reasons(client: TestClient) -> None:
    data = get(client, "/api/v1/search", q="IRIS VIVALDI")
    first = data["hits"][0]
    assert (first["office"], first["application_number"], first["mark_text"]) == ("EM", "018222202", "IRIS VIVALDI")
    assert first["score"] > data["hits"][1]["score"] and first["rank"] == 1 and first["url"] == "/marks/EM/018222202"
    assert first["office_name"] == "European Union Intellectual Property Office"
    assert first["nice_classes"] == [16] and first["filing_date"] == "2020-04-08"
    assert first["expiry_date"] == "2030-04-08" and first["status"] == "registered"
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert [h["rank"] for h in data["hits"]] == list(range(1, len(data["hits"]) + 1))
    for hit in data["hits"]:
        assert set(hit["signals"]) == {"spelling", "sound", "cross_script", "containment", "goods"}
        assert all(0.0 <= v <= 1.0 for v in hit["signals"].values())
    assert first["reasons"] and first["signals"]["spelling"] == 1.0


def test_search_across_scripts_explains_the_reading(client: TestClient) -> None:
    data = get(client, "/api/v1/search", q="Hanttre", status="all", office="KR", per_page=5)
    texts = [h["mark_text"] for h in data["hits"]]
    assert texts == ["Hanttre"] * 3 + ["한뜨레"] * 2  # the same mark, filed in Latin and in Hangul
    hangul = data["hits"][3]
    assert hangul["signals"]["cross_script"] == 1.0 and hangul["signals"]["spelling"] == 0.0
    assert any(r.startswith("transliteration:") for r in hangul["reasons"])


@pytest.mark.parametrize("q, params", [
    ("KOKA", {}),
    ("아치케어", {"status": "all"}),
    ("SHOE", {"cls": [25, 10], "office": ["KR"]}),
    ("PAPER", {"filed_from": "2020-04-01", "filed_to": "2020-04-30", "per_page": 7, "page": 3}),
    ("Dolceria", {"goods": "coffee; pastries", "status": "all"}),
])
def test_search_is_the_library_ranking(client: TestClient, db: str, q: str, params: dict[str, Any]) -> None:
    data = get(client, "/api/v1/search", q=q, **params)
    p = SearchParams.parse([("q", q), *((k, str(x)) for k, v in params.items()
                                         for x in (v if isinstance(v, list) else [v]))])
    with open_store(db) as store:
        # The app reads a goods description against the term base grown with the register, as here.
        base = base_for_store(store) if p.goods else None
        expected = Searcher(store, persist=False).search(p.to_query(), goods_base=base)
    assert data["total"] == expected.total
    assert [h["record_id"] for h in data["hits"]] == [h.record_id for h in expected.hits]
    assert [h["score"] for h in data["hits"]] == [round(h.score, 4) for h in expected.hits]


def test_filters_against_the_sample_file(client: TestClient, records: list[Record]) -> None:
    def total(**params: Any) -> int:
        return int(get(client, "/api/v1/search", q="MARK", per_page=1, **params)["total"])

    assert total() == sum(live(r) for r in records)
    assert total(status="all") == len(records)
    assert total(office="KR") == sum(live(r) for r in records if r.office == "KR")
    assert total(office="kr", status="ended") == sum(r.status.value == "ended" for r in records if r.office == "KR")
    assert total(cls=[9, 42], status="all") == sum(bool({9, 42} & set(r.nice_classes)) for r in records)
    assert total(status=["registered", "pending"]) == sum(r.status.value in ("registered", "pending")
                                                          for r in records)

    def filed(r: Record) -> dt.date | None:
        d = r.date("filing")
        return d.value if d else None

    start, end = dt.date(2020, 4, 1), dt.date(2020, 4, 15)
    assert total(status="all", filed_from=start.isoformat(), filed_to=end.isoformat()) == \
        sum(1 for r in records if (f := filed(r)) is not None and start <= f <= end)
    owned = get(client, "/api/v1/search", q="SHOE", owner="동의대학교", status="all")
    assert owned["total"] == sum(any("동의대학교" in (p.name or "") for p in r.parties_in("applicant", "owner"))
                                 for r in records)
    hits = get(client, "/api/v1/search", q="SHOE", office="KR", cls=25, per_page=100)["hits"]
    assert hits and all(h["office"] == "KR" and 25 in h["nice_classes"] for h in hits)


def test_paging_has_no_cap_and_ends_empty(client: TestClient, records: list[Record]) -> None:
    seen: list[int] = []
    page = 1
    while True:
        data = get(client, "/api/v1/search", q="CARE", status="all", per_page=100, page=page)
        assert data["total"] == len(records) and data["pages"] == -(-len(records) // 100)
        if not data["hits"]:
            break
        assert data["hits"][0]["rank"] == (page - 1) * 100 + 1
        seen += [h["record_id"] for h in data["hits"]]
        page += 1
    assert len(seen) == len(set(seen)) == len(records)  # every mark ranked once, none capped
    far = get(client, "/api/v1/search", q="CARE", page=10**12)
    assert far["hits"] == [] and far["total"] == sum(live(r) for r in records) and far["page"] == 10**12
    split = get(client, "/api/v1/search", q="CARE", per_page=5, page=2)["hits"]
    whole = get(client, "/api/v1/search", q="CARE", per_page=10)["hits"]
    assert [h["record_id"] for h in split] == [h["record_id"] for h in whole[5:]]


# -- goods and services --------------------------------------------------------------------------------------


def test_a_goods_description_reranks_and_hits_show_the_goods_that_overlap(client: TestClient) -> None:
    """The EUIPO sample mark Dolceria degli Elfi is in classes 30 and 43: with bakery goods the marks
    in class 30 come up, and each hit says which of its goods meet the description."""
    params = {"q": "Dolceria degli Elfi", "status": "all", "per_page": 10}
    plain = get(client, "/api/v1/search", **params)
    with_goods = get(client, "/api/v1/search", goods="coffee; pastries", **params)
    assert plain["total"] == with_goods["total"]  # the description filters nothing
    assert [h["record_id"] for h in plain["hits"]] != [h["record_id"] for h in with_goods["hits"]]
    assert all(h["goods_overlap"] is None for h in plain["hits"])
    assert with_goods["query"]["goods"] == "coffee; pastries" and plain["query"]["goods"] is None
    first = with_goods["hits"][0]
    assert first["mark_text"] == "Dolceria degli Elfi" and first["signals"]["goods"] == 1.0
    assert "goods: coffee (class 30) ~ class 30" in first["reasons"]
    pairs = first["goods_overlap"]["pairs"]
    assert pairs and all(p["a"] in ("coffee", "pastries") and p["class_b"] in (30, 43) for p in pairs)
    assert all(p["reason"] and 0 < p["score"] <= 1 for p in pairs)
    assert first["goods_overlap"]["score"] == max(p["score"] for p in pairs)
    in_30 = [h for h in with_goods["hits"] if 30 in h["nice_classes"]]
    assert len(in_30) > len([h for h in plain["hits"] if 30 in h["nice_classes"]])
    assert all(h["goods_overlap"]["pairs"] for h in in_30)
    unrelated = [h for h in with_goods["hits"] if h["nice_classes"] and h["signals"]["goods"] < 0.5]
    assert all(h["score"] < first["score"] for h in unrelated)


def test_facets_and_exports_take_goods(client: TestClient) -> None:
    facets = get(client, "/api/v1/facets", goods="coffee", status="all")
    assert facets["query"]["goods"] == "coffee"
    assert facets["total"] == get(client, "/api/v1/facets", status="all")["total"]  # goods filter nothing
    r = client.get("/api/v1/search/export.csv", params={"q": "Dolceria degli Elfi", "goods": "coffee", "per_page": 3})
    assert r.status_code == 200
    lines = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0]["Mark"] == "Dolceria degli Elfi" and "coffee ~ " in lines[0]["Goods overlap"]


@pytest.mark.parametrize("q, nice_class, within", [
    ("咖啡", 30, 1),  # Chinese: CNIPA's table
    ("phone cases", 9, 3),
    ("Kaffee; Tee", 30, 1),  # German: the EUIPO records' goods joined the term base
    ("vêtements; chaussures", 25, 1),  # French
    ("coffee\npastries\ncakes", 30, 1),
])
def test_goods_suggests_classes(client: TestClient, q: str, nice_class: int, within: int) -> None:
    data = get(client, "/api/v1/goods", q=q)
    assert data["query"]["q"] == q
    ranked = [c["nice_class"] for c in data["classes"]]
    assert nice_class in ranked[:within], ranked
    best = data["classes"][0]
    assert best["heading"] and best["kind"] in ("good", "service") and 0 < best["score"] <= 1
    assert len(data["items"]) == len([t for t in re.split(r"[;\n]", q) if t.strip()])
    for item in data["items"]:
        assert item["terms"], item["text"]
        term = item["terms"][0]
        assert {"text", "language", "nice_class", "term_id", "groups", "score"} <= set(term)
        assert item["classes"][0]["heading"] and item["best_class"] == item["classes"][0]["nice_class"]
    assert data["term_base"]["terms"] > 10_000 and {"en", "zh", "de", "fr"} <= set(data["term_base"]["languages"])


def test_goods_terms_carry_ids_groups_and_languages(client: TestClient) -> None:
    coffee, kaffee = get(client, "/api/v1/goods", q="coffee; Kaffee")["items"]
    same = coffee["terms"][0]
    assert (same["text"], same["language"], same["nice_class"], same["score"]) == ("coffee", "en", 30, 1.0)
    assert same["term_id"] and same["term_id"].startswith("U") and same["groups"]  # WIPO id, CNIPA group
    german = kaffee["terms"][0]
    assert german["language"] == "de" and german["nice_class"] == 30 and german["term_id"] == same["term_id"]


def test_goods_item_names_the_category_that_voted(client: TestClient) -> None:
    ukulele, coffee = get(client, "/api/v1/goods", q="ukulele; coffee")["items"]
    assert ukulele["best_class"] == 15
    assert ukulele["category"]["name"] == "stringed instrument" and ukulele["category"]["weight"] > 0.5
    assert coffee["category"] is None  # a term worded like it: no guess needed


@pytest.mark.parametrize("params, status", [
    ({}, 422),
    ({"q": ""}, 422),
    ({"q": "x" * 2001}, 422),
    ({"q": "   "}, 400),
    ({"q": ";;\n;"}, 400),
    ({"q": "; ".join(["tea"] * 51)}, 400),
])
def test_bad_goods_are_problems(client: TestClient, params: dict[str, Any], status: int) -> None:
    r = client.get("/api/v1/goods", params=params)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM
    assert r.json()["param"] == "q"


# -- records -----------------------------------------------------------------------------------------------


def test_record_has_every_field_and_the_named_codes(client: TestClient, records: list[Record]) -> None:
    data = get(client, "/api/v1/marks/em/018222205")
    source = next(r for r in records if r.application_number == "018222205")
    assert data["mark_text"] == source.mark_text and data["office_name"].startswith("European Union")
    for name, value in source.to_dict().items():
        if name != "provenance":
            assert data[name] == value, name
    assert data["provenance"]["source"].endswith("02-office-samples.jsonl.gz")
    assert data["provenance"]["ingested_at"]
    assert [v["code"] for v in data["vienna"]] == list(source.vienna_codes)
    first = data["vienna"][0]["path"]
    assert [p["code"] for p in first] == ["27", "27.05", "27.05.22"] and all(p["description"] for p in first)
    assert {n["number"] for n in data["nice"]} == set(source.nice_classes)
    assert all(n["heading"] for n in data["nice"])
    assert [h["op"] for h in data["history"]] == ["insert"]


def test_unknown_mark_is_a_404_problem(client: TestClient) -> None:
    r = client.get("/api/v1/marks/EM/000000000")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == 404 and body["title"] and "000000000" in body["detail"] and body["type"]
    em = next(r for r in sample_records() if r.office == "EM" and r.application_number.startswith("0"))
    missed = client.get(f"/api/v1/marks/EM/{em.application_number.lstrip('0')}")  # typed without its zeros
    assert missed.status_code == 404 and missed.json()["detail"].endswith(f"did you mean EM {em.application_number}?")
    eu = client.get(f"/api/v1/marks/EU/{em.application_number}")
    assert eu.status_code == 404
    assert eu.json()["detail"].endswith("; 'EU' is not a WIPO ST.3 office code (the EUIPO's is EM)")


# -- problems ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params, status, param", [
    ({"q": "K" * 201}, 422, "q"),
    ({}, 422, "q"),
    ({"q": "KOKA", "per_page": 101}, 422, "per_page"),
    ({"q": "KOKA", "per_page": 0}, 422, "per_page"),
    ({"q": "KOKA", "page": 0}, 422, "page"),
    ({"q": "KOKA", "cls": 46}, 422, "cls"),
    ({"q": "KOKA", "cls": "nine"}, 422, "cls"),
    ({"q": "KOKA", "filed_from": "2020-02-30"}, 422, "filed_from"),
    ({"q": "KOKA", "status": "alive"}, 422, "status"),
    ({"q": "KOKA", "office": "EUR"}, 422, "office"),
    ({"q": "KOKA", "office": "ZZ"}, 400, "office"),
    ({"q": "KOKA", "filed_from": "2021-01-01", "filed_to": "2020-01-01"}, 400, "filed_to"),
    ({"q": "   "}, 400, "q"),
    ({"q": "!!!"}, 400, "q"),
    ({"q": "KOKA", "goods": "x" * 2001}, 422, "goods"),
    ({"q": "KOKA", "goods": "; ".join(["tea"] * 51)}, 400, "goods"),
    ({"q": "KOKA", "goods": ";;"}, 400, "goods"),
])
def test_bad_parameters_are_problems(client: TestClient, params: dict[str, Any], status: int, param: str) -> None:
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert body["param"] == param and body["invalid-params"][0]["name"] == param


@pytest.mark.parametrize("q", ["\x00", "<script>alert(1)</script>", "\u202eevil", "%", "🙂" * 50, "a\u0301" * 100,
                               "可口可乐" * 50, "' OR 1=1 --", "\\", "_%_"])
def test_odd_text_never_breaks_the_api(client: TestClient, q: str) -> None:
    for path in ("/api/v1/search", "/api/v1/facets", "/search"):
        r = client.get(path, params={"q": q, "owner": q[:200], "goods": q, "format": "json"})
        assert r.status_code in (200, 400), (path, r.text)
    for path in ("/api/v1/goods", "/goods"):
        r = client.get(path, params={"q": q, "format": "json"})
        assert r.status_code in (200, 400), (path, r.text)
    r = client.get("/api/v1/marks/" + "%00" + "/" + "%2F..%2F")
    assert r.status_code == 404


# -- facets and vocabularies ---------------------------------------------------------------------------------


def test_facets_add_up_to_the_search_total(client: TestClient, records: list[Record]) -> None:
    params = {"q": "CARE", "status": "all", "cls": [25, 10]}
    facets = get(client, "/api/v1/facets", **params)
    total = get(client, "/api/v1/search", **params)["total"]
    assert facets["total"] == total
    for name in ("office", "status", "feature", "filing_year"):
        assert sum(facets[name].values()) == total, name
    chosen = [r for r in records if {25, 10} & set(r.nice_classes)]
    assert facets["office"] == dict(Counter(r.office for r in chosen))
    assert facets["nice_class"]["25"] == sum(25 in r.nice_classes for r in chosen)
    years = Counter(str(d.value.year) if (d := r.date("filing")) and d.value else "unknown" for r in chosen)
    assert facets["filing_year"] == dict(years)
    assert list(facets["filing_year"]) == sorted(facets["filing_year"], reverse=True)


def test_facets_without_text_count_the_register(client: TestClient, records: list[Record]) -> None:
    facets = get(client, "/api/v1/facets")
    assert facets["total"] == sum(live(r) for r in records)
    assert "ended" not in facets["status"]
    kr = get(client, "/api/v1/facets", office="KR", status="all")
    assert kr["office"] == {"KR": sum(r.office == "KR" for r in records)}


def test_vocabularies(client: TestClient, records: list[Record]) -> None:
    vocab = get(client, "/api/v1/vocabularies")
    assert [c["number"] for c in vocab["nice_classes"]] == list(range(1, 46))
    assert "computer" in vocab["nice_classes"][8]["heading"].lower()
    assert {o["code"]: o["records"] for o in vocab["offices"]} == dict(Counter(r.office for r in records))
    assert {s["code"] for s in vocab["statuses"]} == {"pending", "registered", "ended", "unknown"}
    assert "word" in vocab["features"] and "collective" in vocab["kinds"]
    assert vocab["status_filters"] == list(STATUS_WORDS) == [s.value for s in StatusWord]


def test_openapi_documents_the_api_and_its_problems(client: TestClient) -> None:
    spec = get(client, "/openapi.json")
    paths = spec["paths"]
    for path in ("/api/v1/search", "/api/v1/facets", "/api/v1/marks/{office}/{application_number}",
                 "/api/v1/goods", "/api/v1/vocabularies", "/api/v1/search/export.{fmt}", "/healthz"):
        assert path in paths, path
    search = paths["/api/v1/search"]["get"]
    bounds = {p["name"]: p["schema"] for p in search["parameters"]}
    assert bounds["q"]["maxLength"] == 200 and bounds["per_page"]["maximum"] == 100
    assert bounds["goods"]["anyOf"][0]["maxLength"] == 2000
    goods = {p["name"]: p for p in paths["/api/v1/goods"]["get"]["parameters"]}
    assert goods["q"]["required"] and goods["q"]["schema"]["maxLength"] == 2000
    assert list(search["responses"]["422"]["content"]) == [PROBLEM]
    assert "Problem" in spec["components"]["schemas"]
    assert "/search" not in paths  # pages are not part of the API


# -- exports ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, media, magic", [
    ("csv", "text/csv", b"\xef\xbb\xbf"), ("xlsx", "application/vnd.openxmlformats", b"PK"), ("pdf", "application/pdf", b"%PDF-"),
])
@pytest.mark.parametrize("prefix", ["/api/v1", ""])
def test_exports(client: TestClient, prefix: str, fmt: str, media: str, magic: bytes) -> None:
    r = client.get(f"{prefix}/search/export.{fmt}", params={"q": "아치케어", "status": "all", "per_page": 5})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.content.startswith(magic) and len(r.content) > 100
    assert r.headers["content-disposition"].startswith("attachment; filename=\"marksearch-")
    if fmt == "csv":
        lines = r.content.decode("utf-8-sig").splitlines()
        hits = get(client, "/api/v1/search", q="아치케어", status="all", per_page=5)["hits"]
        assert len(lines) == 1 + len(hits) and hits[0]["application_number"] in lines[1]


def test_export_of_an_unknown_format_or_bad_query(client: TestClient) -> None:
    assert client.get("/search/export.doc", params={"q": "A"}).status_code == 404
    r = client.get("/api/v1/search/export.csv", params={"q": "A", "cls": 99})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


# -- concurrency and the token ---------------------------------------------------------------------------------


def test_threads_and_a_concurrent_ingest(tmp_path: Path, records: list[Record]) -> None:
    db = str(tmp_path / "busy.sqlite")
    with open_store(db) as store:
        store.write(records[:300], [record_keys(r) for r in records[:300]])
    service = Service.open(db)
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching() -> None:
        try:
            while not stop.is_set():
                result = service.search(SearchParams(q="HANTTRE", statuses=("all",), per_page=50))
                assert result["total"] >= 300 and len(result["hits"]) == 50
                assert service.facets(SearchParams(statuses=("all",)))["total"] >= 300
        except BaseException as exc:  # noqa: BLE001 (handed to the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    with open_store(db) as writer:  # another connection, as a separate ingest would be
        for start in range(300, len(records), 100):
            batch = records[start : start + 100]
            writer.write(batch, [record_keys(r) for r in batch])
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    result = service.search(SearchParams(q="Hanttre", statuses=("all",)))
    assert result["total"] == len(records)  # the marks written meanwhile are searched
    assert result["hits"][0]["application_number"] == "4020110062806"
    service.close()


def test_a_mark_ingested_while_serving_is_found(client: TestClient, db: str) -> None:
    text = "ZYXWVU QUIRKY"
    assert get(client, "/api/v1/search", q=text)["hits"][0]["mark_text"] != text
    with open_store(db) as store:
        store.write([Record(office="US", application_number="99999999", verbal_elements=(VerbalElement(text),))],
                    [mark_keys(text).to_dict()])
    hit = get(client, "/api/v1/search", q=text)["hits"][0]
    assert (hit["mark_text"], hit["url"]) == (text, "/marks/US/99999999")
    assert get(client, hit["url"], format="json")["history"] == [{"seq": hit_seq(db, "99999999"), "op": "insert"}]


def hit_seq(db: str, number: str) -> int:
    with open_store(db) as store:
        found = store.get("US", number)
        assert found is not None
        return found.seq


def test_token(db: str) -> None:
    with TestClient(create_app(db, token="s3cret")) as c:
        r = c.get("/api/v1/vocabularies")
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"] == "Bearer"
        assert c.get("/api/v1/vocabularies", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/api/v1/vocabularies", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/healthz").status_code == 200
        assert c.get("/", params={"token": "s3cret"}).status_code == 200  # sets the cookie
        assert c.get("/api/v1/vocabularies").status_code == 200


# -- marksearch serve -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_the_url_and_serves(tmp_path: Path) -> None:
    db, port = str(tmp_path / "served.sqlite"), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "marksearch", "serve", "--db", db, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert f"http://127.0.0.1:{port}/" in line and "0 marks" in line
        body = _wait_for(f"http://127.0.0.1:{port}/healthz", proc)
        assert body["status"] == "ok" and body["records"] == 0
        assert body["goods_term_base"] in {"building", "ready"}  # grown in the background (below)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def _kaffee_register(tmp_path: Path) -> str:
    """A register of two real EUIPO records whose German goods say Kaffee, no goods base beside it."""
    db = str(tmp_path / "kaffee.sqlite")
    kaffee = [r for r in sample_records() if any(g.language == "de" and "Kaffee" in g.text for g in r.goods)]
    with open_store(db) as store:
        store.write(kaffee[:2])
    return db


class _HeldBuild:
    """``base_for_store`` held until :meth:`release`, recording whether it had to wait long."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from marksearch.goods import bases

        self.event = threading.Event()
        self.waited_too_long: list[bool] = []
        real = bases.base_for_store

        def held(store: Any, **kwargs: Any) -> Any:
            self.waited_too_long.append(not self.event.wait(60))
            return real(store, **kwargs)

        monkeypatch.setattr(bases, "base_for_store", held)

    def release(self) -> None:
        self.event.set()


def _builder(service: Service) -> threading.Thread:
    assert service._goods_builder is not None
    return service._goods_builder


def test_the_goods_base_grows_in_the_background_while_searches_are_answered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `marksearch serve` does on one SQLite file: it answers at once, and only goods requests
    wait for the register's term base."""
    db = _kaffee_register(tmp_path)
    build, lines = _HeldBuild(monkeypatch), []
    service = Service.open(db, goods_in_background=True, say=lines.append)
    try:
        assert service.health()["goods_term_base"] == "building"
        # While the build is held, a search and the facets are answered (did they wait for the
        # build, they would wait for the release below, which comes after them).
        assert service.search(SearchParams(q="coffee", statuses=("all",)))["total"] == 2
        assert service.facets(SearchParams(q="coffee", statuses=("all",)))["total"] == 2
        build.release()
        analysis = service.goods("Kaffee")  # waits for the build, then reads the register's terms
        assert analysis["classes"][0]["nice_class"] == 30
        _builder(service).join(60)
        assert build.waited_too_long == [False]
        assert service.health()["goods_term_base"] == "ready"
        assert lines[0].startswith("building the goods term base of ") and "in the background" in lines[0]
        assert lines[-1].startswith("goods term base ready: ")
        assert Path(db + ".goods.npz").exists()  # kept: the next start reads it
    finally:
        build.release()
        service.close()
    again = Service.open(db, goods_in_background=True, say=lines.append)
    try:
        _builder(again).join(60)
        assert again.health()["goods_term_base"] == "ready" and len(lines) == 2  # read, not built: nothing said
    finally:
        again.close()


def test_a_server_stopping_during_the_background_build_does_not_wait_for_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _kaffee_register(tmp_path)
    build = _HeldBuild(monkeypatch)
    service = Service.open(db, goods_in_background=True)
    builder = _builder(service)
    service.close()  # returns while the build is held (it would wait for the release below)
    build.release()
    builder.join(60)
    assert build.waited_too_long == [False]
    assert service._goods_store is None  # the build closed its own connection when it ended


def test_a_background_build_that_fails_says_so_and_the_next_goods_request_tries_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from marksearch.errors import StoreError
    from marksearch.goods import bases

    db = _kaffee_register(tmp_path)
    real = bases.base_for_store

    def broken(store: Any, **kwargs: Any) -> Any:
        raise StoreError("the disk is full")

    monkeypatch.setattr(bases, "base_for_store", broken)
    lines: list[str] = []
    service = Service.open(db, goods_in_background=True, say=lines.append)
    try:
        _builder(service).join(60)
        assert service.health()["goods_term_base"] == "failed"
        assert lines == ["the goods term base could not be built: the disk is full"]
        monkeypatch.setattr(bases, "base_for_store", real)
        assert service.goods("Kaffee")["classes"][0]["nice_class"] == 30
        assert service.health()["goods_term_base"] == "ready"
    finally:
        service.close()


def test_without_the_background_build_the_goods_base_is_grown_on_first_use(tmp_path: Path) -> None:
    db = _kaffee_register(tmp_path)
    service = Service.open(db)
    try:
        assert service.health()["goods_term_base"] == "on first use"
        assert service._goods_builder is None
        assert service.goods("Kaffee")["classes"][0]["nice_class"] == 30
        assert service.health()["goods_term_base"] == "ready"
    finally:
        service.close()


def _wait_for(url: str, proc: subprocess.Popen[str]) -> Any:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url).json()
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_errors_are_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "no" / "such" / "x.sqlite")])
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "x.sqlite"), "--port", str(port)])
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
