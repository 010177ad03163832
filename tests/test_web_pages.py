"""The pages: the hooks the browser tests use, JSON twins equal to what is shown, records, errors, escaping."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import lxml.html
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.demo import demo_files
from marksearch.ingest import record_keys
from marksearch.records import ClassGoods, Record, VerbalElement
from marksearch.store import open_store
from marksearch.web import create_app
from tests.conftest import SamplesRegister

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

SAMPLES = next(p for p in demo_files() if "office-samples" in p.name)
NASTY = '<b onmouseover="x()">BOLD</b> & "CO"'


@pytest.fixture(scope="module")
def client(samples_register: SamplesRegister) -> Iterator[TestClient]:
    db = samples_register.copy("web-pages")  # the sample file ingested, its goods base grown
    with open_store(db) as store:
        nasty = Record(office="EM", application_number="099000001", verbal_elements=(VerbalElement(NASTY),),
                       goods=(ClassGoods(9, "<script>alert(1)</script>", "en"),), nice_classes=(9,),
                       images=("javascript:alert(1)",))
        symbols = Record(office="EM", application_number="099000002", verbal_elements=(VerbalElement("★ + ☀"),))
        store.write([nasty, symbols], [record_keys(nasty), record_keys(symbols)])
    with TestClient(create_app(db), headers={"Accept-Language": "en"}) as c:
        yield c


def page(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params={**params, "lang": params.get("lang", "en")})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(r.text)


def twin(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(path, params={**params, "format": "json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    return r.json()


def one(doc: Any, xpath: str) -> Any:
    found = doc.xpath(xpath)
    assert len(found) == 1, (xpath, len(found))
    return found[0]


def cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def test_search_page_has_the_hooks(client: TestClient) -> None:
    doc = page(client, "/search", q="CARE", status="all")
    form = one(doc, "//form[@id='search-form']")
    for xpath in ("input[@name='q']", "select[@name='office'][@multiple]", "select[@name='cls']",
                  "select[@name='status']", "input[@name='filed_from']", "input[@name='filed_to']",
                  "button[@type='submit']"):
        one(form, ".//" + xpath)
    assert one(form, ".//input[@name='q']").get("value") == "CARE"
    hits = doc.xpath(f"//*[@id='results']//li[{cls('hit')}]")
    assert len(hits) == 20
    for hit in hits:
        one(hit, f".//a[{cls('record-link')}]")
        one(hit, f".//*[{cls('score')}]")
        signals = [s.get("data-signal") for s in hit.xpath(f".//*[{cls('signal')}]")]
        assert signals == ["spelling", "sound", "cross_script", "containment", "goods"]
    assert hits[0].xpath(f".//*[{cls('reason')}]")
    one(doc, "//*[@id='total']")
    assert doc.xpath(f"//*[@id='facets']//a[{cls('facet')}][@data-facet='office'][@data-value='EM']")
    assert [a.get("hreflang") for a in doc.xpath("//nav[@id='lang']/a")] == ["en", "zh", "ko", "ja"]
    assert [a.get("data-format") for a in doc.xpath(f"//a[{cls('export')}]")] == ["csv", "xlsx", "pdf"]
    assert one(doc, "/html").get("lang") == "en"


def test_the_json_twin_is_what_the_page_shows(client: TestClient) -> None:
    params = {"q": "아치케어", "status": "all", "per_page": 10}
    data = twin(client, "/search", **params)
    doc = page(client, "/search", **params)
    hits = doc.xpath(f"//li[{cls('hit')}]")
    assert [h.get("data-number") for h in hits] == [h["application_number"] for h in data["hits"]]
    for li, hit in zip(hits, data["hits"], strict=True):
        link = one(li, f".//a[{cls('record-link')}]")
        assert link.get("href") == hit["url"] and link.text_content() == (hit["mark_text"] or "(no verbal element)")
        assert one(li, f".//*[{cls('score')}]").get("data-score") == str(hit["score"])
        assert [r.text_content() for r in li.xpath(f".//*[{cls('reason')}]")] == hit["reasons"]
        meters = {s.get("data-signal"): float(one(s, ".//meter").get("value"))
                  for s in li.xpath(f".//*[{cls('signal')}]")}
        assert meters == hit["signals"]
    assert int(one(doc, "//*[@id='total']").get("data-total")) == data["total"]
    shown = {a.get("data-value"): int(a.getparent().xpath(f"./*[{cls('count')}]")[0].text.replace(",", ""))
             for a in doc.xpath("//a[@data-facet='office']")}
    assert shown == data["facets"]["office"]
    by_header = client.get("/search", params=params, headers={"Accept": "application/json"}).json()
    for d in (by_header, data):
        d.pop("generated_at")
    assert by_header == data


def test_images_only_when_they_are_web_urls(client: TestClient) -> None:
    doc = page(client, "/search", q="아치케어", status="all", office="KR")
    kr = doc.xpath(f"//li[{cls('hit')}]")[0]
    img = one(kr, ".//img")
    assert img.get("loading") == "lazy" and img.get("src").startswith("http://plus.kipris.or.kr/")
    em = page(client, "/search", q="MDB MARCO DE BARTOLI", office="EM")  # its image is a file name
    assert not em.xpath(f"//li[{cls('hit')}][1]//img")
    nasty = page(client, "/marks/EM/099000001")
    assert not nasty.xpath("//img")


def test_marks_are_escaped(client: TestClient) -> None:
    r = client.get("/search", params={"q": NASTY, "lang": "en"})
    assert r.status_code == 200 and "<b onmouseover" not in r.text and "&lt;b onmouseover" in r.text
    doc = lxml.html.fromstring(r.text)
    assert doc.xpath(f"//li[{cls('hit')}][1]//a[{cls('record-link')}]")[0].text_content() == NASTY
    record = client.get("/marks/EM/099000001", params={"lang": "en"}).text
    assert "<script>alert(1)</script>" not in record and "&lt;script&gt;" in record


def test_facet_links_narrow_the_search(client: TestClient) -> None:
    doc = page(client, "/search", q="SHOE", status="all")
    link = one(doc, "//a[@data-facet='office'][@data-value='KR']")
    count = int(link.getparent().xpath(f"./*[{cls('count')}]")[0].text.replace(",", ""))
    narrowed = client.get(link.get("href") + "&format=json").json()
    assert narrowed["total"] == count and narrowed["query"]["offices"] == ["KR"]
    assert {h["office"] for h in narrowed["hits"]} == {"KR"}
    year = doc.xpath("//a[@data-facet='filing_year']")[0]
    dated = client.get(year.get("href") + "&format=json").json()
    value = year.get("data-value")
    assert dated["query"]["filed_from"] == f"{value}-01-01" and dated["query"]["filed_to"] == f"{value}-12-31"
    assert all(h["filing_date"].startswith(value) for h in dated["hits"])


def test_pages_of_results(client: TestClient) -> None:
    doc = page(client, "/search", q="CARE", per_page=10)
    following = one(doc, "//a[@rel='next']").get("href")
    second = client.get(following + "&format=json").json()
    assert second["page"] == 2 and second["hits"][0]["rank"] == 11
    beyond = page(client, "/search", q="CARE", page=10_000)
    assert not beyond.xpath(f"//li[{cls('hit')}]") and one(beyond, "//*[@id='total']").get("data-total") != "0"


def test_home_shows_the_register(client: TestClient) -> None:
    data = twin(client, "/")
    assert data["facets"]["total"] == sum(data["facets"]["status"].values()) > 600
    doc = page(client, "/")
    one(doc, "//form[@id='search-form']")
    assert not doc.xpath("//*[@id='results']")
    narrowed = twin(client, "/", office="US", status="all")
    assert narrowed["facets"]["office"] == {"US": 3}


def test_record_page(client: TestClient) -> None:
    data = twin(client, "/marks/EM/018222205")
    doc = page(client, "/marks/EM/018222205")
    record = one(doc, "//*[@id='record']")
    for section in ("goods", "vienna", "dates", "parties"):
        one(record, f".//*[@id='{section}']")
    assert one(doc, "//h1").text_content().strip() == data["mark_text"]
    vienna = one(doc, "//*[@id='vienna']").text_content()
    for v in data["vienna"]:
        assert v["code"] in vienna and v["path"][-1]["description"] in vienna
    goods = one(doc, "//*[@id='goods']")
    english = [g["text"] for g in data["goods"] if g["language"] == "en"]
    firsts = goods.xpath(f".//p[{cls('goods-text')}]")
    assert [p.get("lang") for p in firsts] == ["en"] * len(english)
    assert [p.text_content().removeprefix("English ").strip() for p in firsts] == english
    languages = {g["language"] for g in data["goods"]}
    assert {dd.get("lang") for dd in goods.xpath(".//dl//dd")} == languages - {"en"}
    dates = one(doc, "//*[@id='dates']")
    assert [t.get("datetime") for t in dates.xpath(".//time")] == [d["value"] for d in data["dates"]]
    parties = one(doc, "//*[@id='parties']").text_content()
    assert all(p["identifier"] in parties for p in data["parties"])
    assert data["provenance"]["source"] in one(doc, "//*[@id='provenance']").text_content()


def test_a_record_page_links_to_the_marks_that_resemble_it(client: TestClient) -> None:
    data = twin(client, "/marks/EM/018222205")
    link = one(page(client, "/marks/EM/018222205"), "//a[@id='find-similar']")
    assert link.get("href") == data["similar_url"]
    path, _, query = data["similar_url"].partition("?")
    params = parse_qs(query)
    assert path == "/search" and params == {"q": [data["mark_text"]], "cls": [str(c) for c in data["nice_classes"]]}
    found = twin(client, "/search", **params)
    assert found["hits"][0]["url"] == data["url"] and found["hits"][0]["score"] == 1.0  # itself, first
    assert all(set(h["nice_classes"]) & set(data["nice_classes"]) for h in found["hits"])
    # A mark of symbols only, or none, cannot be searched: no link.
    for number in ("018222901", "099000002"):
        assert twin(client, f"/marks/EM/{number}")["similar_url"] is None
        assert not page(client, f"/marks/EM/{number}").xpath("//a[@id='find-similar']")


def test_record_page_with_priorities_and_seniorities(client: TestClient) -> None:
    priority = page(client, "/marks/EM/018222214")
    assert "88847418" in one(priority, "//*[@id='priorities']").text_content()
    seniority = page(client, "/marks/EM/018226181")
    assert "452642" in one(seniority, "//*[@id='seniorities']").text_content()


def test_unknown_mark_page_and_its_twin(client: TestClient) -> None:
    r = client.get("/marks/KR/0000", params={"lang": "en"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text
    r = client.get("/marks/KR/0000", params={"format": "json"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert client.get("/no/such/page", headers={"Accept": "application/json"}).json()["status"] == 404


def test_a_number_typed_without_its_zeros_links_to_the_record(client: TestClient) -> None:
    r = client.get("/marks/EM/18222214", params={"lang": "en"})  # stored as 018222214
    assert r.status_code == 404
    links = lxml.html.fromstring(r.text).xpath("//ul[@class='alike']//a")
    assert [(a.text, a.get("href")) for a in links] == [("EM 018222214", "/marks/EM/018222214")]
    assert client.get(links[0].get("href")).status_code == 200


def test_a_bad_field_shows_the_form_again(client: TestClient) -> None:
    r = client.get("/search", params={"q": "KOKA", "cls": "46", "lang": "en"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    doc = lxml.html.fromstring(r.text)
    assert one(doc, f"//*[{cls('form-error')}]").get("data-param") == "cls"
    assert one(doc, "//input[@name='q']").get("value") == "KOKA"
    r = client.get("/search", params={"q": "KOKA", "filed_from": "yesterday", "format": "json"})
    assert r.status_code == 400 and r.json()["param"] == "filed_from"
    assert client.get("/search", params={"q": "", "lang": "en"}).status_code == 400


def test_static_files(client: TestClient) -> None:
    r = client.get("/static/style.css")
    assert r.status_code == 200 and "li.hit" in r.text


# -- goods and services --------------------------------------------------------------------------------


def test_search_with_goods_shows_the_goods_that_overlap(client: TestClient) -> None:
    params = {"q": "Dolceria degli Elfi", "goods": "coffee; pastries", "per_page": 5}
    doc = page(client, "/search", **params)
    data = twin(client, "/search", **params)
    assert one(doc, "//form[@id='search-form']//textarea[@name='goods']").text == "coffee; pastries"
    which = one(doc, f"//a[{cls('which-class')}]").get("href")
    assert which.startswith("/goods?q=coffee")
    hits = doc.xpath(f"//li[{cls('hit')}]")
    for li, hit in zip(hits, data["hits"], strict=True):
        shown = [o.get("title") for o in li.xpath(f".//*[{cls('overlap')}]")]
        assert shown == [p["reason"] for p in (hit["goods_overlap"] or {}).get("pairs", [])]
    first = hits[0].xpath(f".//*[{cls('overlap')}]")
    assert first and first[0].text_content() == first[0].get("title")  # English: the reason as the library wrote it
    assert first[0].get("data-class") == "30"
    for link in [one(doc, "//a[@rel='next']").get("href"), *(a.get("href") for a in doc.xpath("//a[@data-facet]"))]:
        assert "goods=coffee" in link, link


def test_goods_page_suggests_classes_and_its_twin_is_the_api(client: TestClient) -> None:
    q = "coffee; pastries\nKaffee"
    doc = page(client, "/goods", q=q)
    assert one(doc, "//form[@id='goods-form']//textarea[@name='q']").text == q
    classes = doc.xpath(f"//li[{cls('class-suggestion')}]")
    assert classes[0].get("data-class") == "30"
    assert "Coffee, tea, cocoa" in one(classes[0], f".//*[{cls('heading')}]").text_content()
    items = doc.xpath("//article[@class='goods-item']")
    assert [i.get("data-best-class") for i in items] == ["30", "30", "30"]
    german = items[2].xpath(".//tr[@class='term']")[0]
    assert german.get("data-language") == "de" and german.get("data-class") == "30"
    assert "U113230" in german.text_content() and "German" in german.text_content()
    data = twin(client, "/goods", q=q)
    assert data == client.get("/api/v1/goods", params={"q": q}).json()
    assert [c.get("data-class") for c in classes] == [str(c["nice_class"]) for c in data["classes"]]
    form = one(doc, "//form[@id='goods-search']")
    assert form.get("action") == "/search" and one(form, ".//input[@name='goods']").get("value") == q
    found = twin(client, "/search", q="Dolceria", goods=q)  # what submitting that form asks
    assert found["query"]["goods"] == q and found["hits"][0]["goods_overlap"]["pairs"]


def test_goods_page_says_a_generic_head_left_the_class_to_the_other_words(client: TestClient) -> None:
    """'dental services' is in class 44 because of 'dental': the page and the API say so (the
    command line did; the page and the API did not)."""
    dental, beer = page(client, "/goods", q="dental services; beer").xpath("//article[@class='goods-item']")
    assert dental.get("data-best-class") == "44"
    head = one(dental, ".//p[@class='head']")
    assert head.get("data-head") == "services"
    assert "the class comes from “dental”" in head.text_content() and "class 10" in head.text_content()
    assert not beer.xpath(".//p[@class='head']")
    item = client.get("/api/v1/goods", params={"q": "dental services"}).json()["items"][0]
    assert item["head"]["words"] == ["dental"] and item["head"]["read_as"] == {"goods_class": 10,
                                                                               "service_class": 44}
    assert "类别由“dental”决定" in one(page(client, "/goods", q="dental services", lang="zh"),
                                       "//p[@class='head']").text_content()


def test_goods_page_names_the_category_that_voted(client: TestClient) -> None:
    ukulele, coffee = page(client, "/goods", q="ukulele; coffee").xpath("//article[@class='goods-item']")
    assert ukulele.get("data-best-class") == "15"
    category = one(ukulele, ".//p[@class='category']")
    assert category.get("data-category") == "stringed instrument"
    assert "A kind of stringed instrument (WordNet)" in category.text_content()
    assert not coffee.xpath(".//p[@class='category']")  # a term worded like it: no guess needed
    zh = page(client, "/goods", q="ukulele", lang="zh")
    assert "按 WordNet 属于 stringed instrument 一类" in one(zh, "//p[@class='category']").text_content()


def test_goods_page_without_a_description_and_with_a_bad_one(client: TestClient) -> None:
    empty = page(client, "/goods")
    one(empty, "//form[@id='goods-form']")
    assert not empty.xpath("//*[@id='suggestion']")
    assert twin(client, "/goods")["classes"] == []
    r = client.get("/goods", params={"q": ";;", "lang": "en"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert one(lxml.html.fromstring(r.text), f"//*[{cls('form-error')}]").get("data-param") == "q"
    r = client.get("/goods", params={"q": "x" * 2001, "format": "json"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert one(page(client, "/"), f"//a[{cls('which-class')}]").get("href") == "/goods"


@pytest.mark.parametrize("lang, words", [
    ("zh", ["类别建议", "第30类", "建议的类别", "按这些商品检索商标", "德语"]),
    ("ko", ["류 제안", "제30류", "제안된 류", "이 상품으로 상표 검색", "독일어"]),
])
def test_goods_page_speaks_the_language(client: TestClient, lang: str, words: list[str]) -> None:
    text = page(client, "/goods", q="咖啡; Kaffee", lang=lang).text_content()
    for word in words:
        assert word in text, (lang, word)
