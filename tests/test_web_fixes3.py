"""The web app against a tester's third round: query bytes that are not UTF-8, the search form keeping
every filter of a link, forms sent from another site, blank API fields, the token out of the address,
the search page past its end, the API's unknown export format, record links with dot segments, and
error details in the reader's language."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.records import Record, VerbalElement
from marksearch.web import create_app, watch
from tests.conftest import SamplesRegister
from tests.test_web_hardening import AUTH, TOKEN, hrefs, pages, private, watching, xpath  # noqa: F401 - fixtures

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
DOTTED = "../../x/1"  # an application number with dot segments, which a browser would resolve
SEARCH_ROUTES = ("/api/v1/search", "/api/v1/facets", "/api/v1/search/export.csv")


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register(samples_register: SamplesRegister) -> str:
    dotted = Record(office="US", application_number=DOTTED, verbal_elements=(VerbalElement("DOTMARK"),))
    return samples_register.copy("web-fixes3", dotted)


def new_alerts(client: TestClient) -> int:
    r = client.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def post_seen_form(client: TestClient, headers: dict[str, str]) -> Any:
    """The alerts page's "mark seen" form, sent by a browser holding the token cookie, with ``headers``."""
    client.cookies.set("token", TOKEN)
    try:
        return client.post("/watch/alerts/seen", content="back=/watch/alerts", follow_redirects=False,
                           headers={"Content-Type": watch.FORM_TYPE, **headers})
    finally:
        client.cookies.clear()


def form_values(html: str, name: str) -> list[str]:
    """What the search form sends for ``name``: its selected options or its hidden inputs."""
    form = "//form[@id='search-form']"
    chosen = xpath(html, f"{form}//select[@name='{name}']/option[@selected]")
    hidden = xpath(html, f"{form}//input[@type='hidden'][@name='{name}']")
    return [str(e.get("value")) for e in [*chosen, *hidden]]


# -- 1: query bytes that are not UTF-8 ---------------------------------------------------------------------


@pytest.mark.parametrize(("query", "param"), [
    ("q=A&status=all&owner=%B5%BF%C0%C7%B4%EB%C7%D0%B1%B3", "owner"),  # EUC-KR
    ("q=%C4%DA%C4%AB%C4%DD%B6%F3", "q"),
    ("q=KO%FFKA", "q"),
    ("q=KOKA&goods=caf%E9", "goods"),  # Latin-1
    ("q=KOKA&office=E%80", "office"),
])
def test_query_bytes_that_are_not_utf8_are_refused(pages: TestClient, query: str, param: str) -> None:
    for path in ("/api/v1/search", "/search/export.csv"):
        r = pages.get(f"{path}?{query}", headers={"Accept": "application/json"})
        assert r.status_code == 400 and r.headers["content-type"] == PROBLEM, (path, r.text)
        assert r.json()["param"] == param and "not valid UTF-8" in r.json()["detail"]
    page = pages.get(f"/search?{query}")
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]
    assert "not valid UTF-8" in page.text
    assert pages.get(f"/search?{query}&lang=ja").status_code == 400


def test_valid_utf8_is_still_read(pages: TestClient) -> None:
    r = pages.get("/api/v1/search?q=%EC%BD%94%EC%B9%B4&status=all&owner=%EB%8C%80")  # 코카, 대
    assert r.status_code == 200 and r.json()["query"]["q"] == "코카"


def test_the_goods_page_refuses_bytes_that_are_not_utf8(pages: TestClient) -> None:
    r = pages.get("/api/v1/goods?q=caf%E9")
    assert r.status_code == 400 and r.json()["param"] == "q"


# -- 2: the search form keeps every filter of a link ----------------------------------------------------------


def test_the_search_form_keeps_every_filter_it_was_given(pages: TestClient) -> None:
    query = "q=KOKA&status=pending&status=ended&feature=word&feature=figurative&office=FR&office=em&cls=9&cls=30"
    r = pages.get(f"/search?{query}")
    assert r.status_code == 200, r.text
    assert sorted(form_values(r.text, "status")) == ["ended", "pending"]
    assert sorted(form_values(r.text, "feature")) == ["figurative", "word"]
    assert sorted(form_values(r.text, "office")) == ["EM", "FR"]
    assert sorted(form_values(r.text, "cls")) == ["30", "9"]
    plain = pages.get("/search?q=KOKA")
    assert form_values(plain.text, "status") == ["live"] and form_values(plain.text, "feature") == [""]


# -- 3: a form sent from another site -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver:8081"},  # another port: the same site for SameSite=Strict
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Referer": "http://testserver:8081/attack.html"},
], ids=["other-port", "other-host", "null", "same-site", "cross-site", "referer"])
def test_the_seen_form_refuses_another_site(watching: TestClient, headers: dict[str, str]) -> None:
    before = new_alerts(watching)
    assert before > 1
    r = post_seen_form(watching, headers)
    assert r.status_code == 403, r.text
    assert new_alerts(watching) == before  # least of all every alert


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}, {"Referer": "http://testserver/watch/alerts"},
    {},  # no browser's header at all: a script
], ids=["origin", "sec-fetch-site", "referer", "none"])
def test_the_seen_form_from_its_own_page_is_taken(watching: TestClient, headers: dict[str, str]) -> None:
    r = post_seen_form(watching, headers)
    assert r.status_code == 303, r.text
    assert new_alerts(watching) == 0


def test_the_api_with_its_bearer_token_is_taken_from_any_origin(watching: TestClient) -> None:
    r = watching.post("/api/v1/watch/alerts/seen", json={"all": True},
                      headers={**AUTH, "Origin": "https://tool.example"})
    assert r.status_code == 200, r.text
    assert new_alerts(watching) == 0


# -- 4: blank API fields are absent, as the form sends them ---------------------------------------------------


@pytest.mark.parametrize("name", ["office", "cls", "status", "feature", "filed_from", "filed_to", "owner",
                                  "goods", "page", "per_page"])
@pytest.mark.parametrize("blank", ["", " ", "%20"])
def test_the_api_takes_a_blank_field_as_absent(pages: TestClient, name: str, blank: str) -> None:
    for path in SEARCH_ROUTES:
        if path == "/api/v1/facets" and name in ("page", "per_page"):
            continue
        plain = pages.get(f"{path}?q=KOKA")
        r = pages.get(f"{path}?q=KOKA&{name}={blank}")
        assert r.status_code == 200, (path, r.text)
        if path != "/api/v1/search/export.csv":
            assert r.json()["query"] == plain.json()["query"] and r.json()["total"] == plain.json()["total"]


def test_the_api_takes_the_form_as_the_page_sends_it(pages: TestClient) -> None:
    query = "q=KOKA&goods=&status=live&feature=&filed_from=&filed_to=&owner=&per_page=20"
    api = pages.get(f"/api/v1/search?{query}")
    assert api.status_code == 200, api.text
    twin = pages.get(f"/search?{query}&format=json")
    assert api.json()["query"] == twin.json()["query"] and api.json()["total"] == twin.json()["total"]


def test_a_blank_last_value_counts_as_on_the_pages(pages: TestClient) -> None:
    api = pages.get("/api/v1/search?q=KOKA&page=2&page=&cls=9&cls=")
    twin = pages.get("/search?q=KOKA&page=2&page=&cls=9&cls=&format=json")
    assert api.status_code == twin.status_code == 200, api.text
    assert api.json()["query"] == twin.json()["query"]
    assert api.json()["query"]["page"] == 1 and api.json()["query"]["classes"] == [9]


def test_a_bad_value_beside_a_blank_one_is_still_refused(pages: TestClient) -> None:
    r = pages.get("/api/v1/search?q=KOKA&cls=&cls=46")
    assert r.status_code == 422 and r.json()["param"] == "cls"
    assert pages.get("/api/v1/search?q=").status_code == 422  # q is asked for, blank or not


# -- 5: the token leaves the address once its cookie is set -----------------------------------------------------


def test_the_token_in_the_address_redirects_without_it(private: TestClient) -> None:
    try:
        r = private.get(f"/search?q=KOKA&token={TOKEN}&lang=ko", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/search?q=KOKA&lang=ko"
        cookie = r.headers["set-cookie"]
        assert f"token={TOKEN}" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
        assert private.get(r.headers["location"]).status_code == 200  # by the cookie
    finally:
        private.cookies.clear()
    try:
        r = private.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
    finally:
        private.cookies.clear()
    try:  # an API client is answered as it asked
        r = private.get(f"/api/v1/search?q=KOKA&token={TOKEN}", follow_redirects=False)
        assert r.status_code == 200 and r.json()["total"] > 0
    finally:
        private.cookies.clear()


def test_the_token_cookie_is_secure_over_https(register: str) -> None:
    with TestClient(create_app(register, token=TOKEN), base_url="https://testserver") as c:
        r = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


# -- 6: a search page past the last one links back ---------------------------------------------------------------


def test_a_search_page_past_the_last_links_to_the_last(pages: TestClient) -> None:
    twin = pages.get("/search", params={"q": "KOKA", "status": "all", "format": "json"}).json()
    last = twin["pages"]
    assert twin["total"] > 0 and last >= 1
    r = pages.get("/search", params={"q": "KOKA", "status": "all", "page": 2000})
    assert r.status_code == 200 and "This page is past the last one." in r.text
    back = xpath(r.text, "//a[@class='last-page']")
    assert back and str(back[0].get("href")).endswith(f"page={last}" if last > 1 else "status=all")
    prev = xpath(r.text, "//nav[@class='pages']/a[@rel='prev']")
    assert prev and prev[0].get("href") == back[0].get("href")
    shown = pages.get(str(back[0].get("href")))
    assert shown.status_code == 200 and xpath(shown.text, "//li[contains(@class, 'hit')]")


# -- 8: the API's unknown export format is a 404 ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=KOKA", "q=KOKA&cls=99", ""])
def test_the_api_answers_an_unknown_export_format_404(pages: TestClient, query: str) -> None:
    r = pages.get(f"/api/v1/search/export.json?{query}")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, r.text
    assert "json" in r.json()["detail"]
    assert pages.get(f"/search/export.json?{query}").status_code == 404  # as the page route answers
    schema = pages.get("/openapi.json").json()
    fmt = schema["paths"]["/api/v1/search/export.{fmt}"]["get"]["parameters"][0]
    assert fmt["name"] == "fmt" and fmt["schema"]["enum"] == ["csv", "xlsx", "pdf"]


# -- 9: a record's links keep its number encoded ---------------------------------------------------------------------


def test_a_record_with_dot_segments_links_to_itself(pages: TestClient) -> None:
    hits = pages.get("/api/v1/search", params={"q": "DOTMARK", "status": "all"}).json()["hits"]
    url = next(h["url"] for h in hits if h["application_number"] == DOTTED)
    assert url == "/marks/US/..%2F..%2Fx%2F1"
    r = pages.get(url)
    assert r.status_code == 200, r.text
    switcher = [str(a.get("href")) for a in xpath(r.text, "//nav[@id='lang']/a")]
    json_links = [h for h in hrefs(r.text) if "format=json" in h]
    assert switcher and json_links
    for href in [*switcher, *json_links]:
        assert href.startswith(url + "?"), href
        assert pages.get(href).status_code == 200


# -- 7: error details in the reader's language -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "english"), [
    ("/search?q=KOKA&cls=46", "Nice classes run from 1 to 45"),
    ("/search?q=%20", "give the mark to search for"),
    ("/search?q=KOKA&filed_from=2021-02-01&filed_to=2021-01-01", "is before filed_from"),
    ("/search?q=KOKA&office=EU", "is not a WIPO ST.3 office code"),
    ("/search?q=KOKA&page=abc", "is not a whole number"),
    ("/search?q=KOKA&status=gone", "is not one of"),
    ("/search?q=KO%FFKA", "not valid UTF-8"),
    ("/goods?q=%3B%3B", "name the goods or services"),
    ("/marks/EM/9635525", "in this register"),
    ("/marks/EU/1", "is not a WIPO ST.3 office code"),
    ("/search/export.json", "no export format"),
])
@pytest.mark.parametrize("lang", ["ja", "ko", "zh"])
def test_error_details_are_in_the_reader_s_language(pages: TestClient, path: str, english: str, lang: str) -> None:
    joined = "&" if "?" in path else "?"
    try:
        r = pages.get(f"{path}{joined}lang={lang}")
        assert r.status_code >= 400 and "text/html" in r.headers["content-type"]
        assert english not in r.text, r.text
        assert english in pages.get(f"{path}{joined}lang=en").text  # the English page says it
    finally:
        pages.cookies.clear()  # the language cookie


@pytest.mark.parametrize("lang", ["ja", "ko", "zh"])
def test_token_errors_are_in_the_reader_s_language(private: TestClient, register: str, lang: str) -> None:
    r = private.get("/", params={"lang": lang})
    assert r.status_code == 401 and "asks for a token" not in r.text
    assert "asks for a token" in private.get("/", params={"lang": "en"}).text
    with TestClient(create_app(register)) as open_server:
        r = open_server.get("/watch/alerts", params={"lang": lang})
        assert r.status_code == 403 and "watch lists need a token" not in r.text.lower()
    api = private.get("/api/v1/vocabularies", params={"lang": lang})
    assert api.json()["detail"] == "this server asks for a token"  # problem+json stays in English


def test_the_cross_site_refusal_is_in_the_reader_s_language(watching: TestClient) -> None:
    r = watching.post("/watch/alerts/seen?lang=ja", content="", headers={
        "Content-Type": watch.FORM_TYPE, "Origin": "https://evil.example", "Cookie": f"token={TOKEN}"})
    assert r.status_code == 403 and "another site" not in r.text


@pytest.mark.parametrize(("body", "type_", "status", "english"), [
    ("ids=1", "text/plain", 415, "the seen form is sent as"),
    ("ids=1", "", 415, "the seen form is sent as"),
    ("ids=" + "1" * 200_000, watch.FORM_TYPE, 413, "the form is longer than"),
    ("x" * 3_000_000, watch.FORM_TYPE, 413, "a request body has at most"),
    ("portfolio=nope", watch.FORM_TYPE, 400, "(marksearch watch portfolio list)"),
], ids=["text-plain", "no-type", "long-form", "long-body", "no-portfolio"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_seen_form_s_refusals_are_in_the_reader_s_language(
        watching: TestClient, body: str, type_: str, status: int, english: str, lang: str) -> None:
    """413 and 415 were shown in English on every page, and a portfolio that is not there named the
    CLI command that lists them."""
    headers = {"Cookie": f"token={TOKEN}"} | ({"Content-Type": type_} if type_ else {})
    r = watching.post(f"/watch/alerts/seen?lang={lang}", content=body, headers=headers)
    assert r.status_code == status and "text/html" in r.headers["content-type"]
    assert english not in r.text and "marksearch watch" not in r.text


@pytest.mark.parametrize("lang", ["ja", "ko", "zh"])
def test_the_record_s_position_in_its_file_is_translated(pages: TestClient, lang: str) -> None:
    hit = pages.get("/api/v1/search", params={"q": "KOKA", "status": "all"}).json()["hits"][0]
    position = pages.get(f"{hit['url']}?format=json").json()["provenance"]["position"]
    assert position.startswith("line ")
    shown = xpath(pages.get(hit["url"], params={"lang": lang}).text, "//section[@id='provenance']//dd")
    pages.cookies.clear()  # the language cookie
    assert position not in [d.text_content().strip() for d in shown]
    assert position.split()[1] in " ".join(d.text_content() for d in shown)


# -- a fourth round: padded API values, a blank portfolio, a path that is not UTF-8 -------------------------


@pytest.mark.parametrize("padded", ["office=%20us%20", "status=%20all", "feature=word%20", "q=KOKA%20",
                                    "owner=%20" + "o" * 199])
def test_the_api_reads_padded_values_as_the_pages_do(pages: TestClient, padded: str) -> None:
    """The pages strip the spaces around a text; the API's declared checks (an office's pattern, a
    status word, a length) ran on the value as sent and answered 422 for a link the pages answered."""
    query = padded if padded.startswith("q=") else f"q=KOKA&{padded}"
    page = pages.get(f"/search?{query}&format=json")
    assert page.status_code == 200, page.text
    for route in SEARCH_ROUTES:
        answer = pages.get(f"{route}?{query}")
        assert answer.status_code == 200, (route, answer.text)
    api = pages.get(f"/api/v1/search?{query}").json()
    assert api["total"] == page.json()["total"]
    assert [h["application_number"] for h in api["hits"]] == [h["application_number"] for h in page.json()["hits"]]


def test_a_blank_portfolio_lists_every_portfolios_alerts(watching: TestClient) -> None:  # noqa: F811
    everything = watching.get("/api/v1/watch/alerts", headers=AUTH).json()["total"]
    assert everything > 0
    assert watching.get("/api/v1/watch/alerts?portfolio=%20", headers=AUTH).json()["total"] == everything
    page = watching.get("/watch/alerts?portfolio=%20", headers=AUTH)
    assert page.status_code == 200, page.text


@pytest.mark.parametrize("path", ["/marks/EM/%FF%FE", "/api/v1/marks/%FF/1", "/marks/EM/%ED%A0%80"])
def test_a_path_that_is_not_utf8_is_refused_not_looked_up_as_replaced_characters(pages: TestClient,  # noqa: F811
                                                                                  path: str) -> None:
    answer = pages.get(path)
    assert answer.status_code == 400 and "not valid UTF-8" in answer.text
    assert "\ufffd" not in answer.text


@pytest.mark.parametrize(("lang", "expected"), [("ja", "20 文字まで"), ("ko", None), ("zh", None)])
def test_a_declared_parameters_422_reason_is_in_the_readers_language(pages: TestClient, lang: str,  # noqa: F811
                                                                     expected: str | None) -> None:
    """FastAPI's checks of the declared parameters answer in pydantic's English words; the error page
    showed them so under a translated "parameter" heading."""
    answer = pages.get(f"/marks/{'X' * 21}/1", params={"lang": lang})
    assert answer.status_code == 422
    assert "String should" not in answer.text and "characters" not in answer.text
    if expected:
        assert expected in answer.text


@pytest.mark.parametrize(("query", "english"), [("page=0", "greater than or equal"), ("new=maybe", "valid boolean")])
def test_the_alerts_pages_422_reasons_are_translated(private: TestClient, query: str,  # noqa: F811
                                                    english: str) -> None:
    for lang in ("ja", "ko", "zh"):
        answer = private.get(f"/watch/alerts?{query}&lang={lang}", headers=AUTH)
        assert answer.status_code == 422 and english not in answer.text, (lang, answer.text[:300])


@pytest.mark.parametrize("path", ["/", "/search?q=KOKA", "/api/v1/search?q=KOKA", "/healthz", "/static/style.css"])
def test_head_is_answered_as_get_without_the_body(pages: TestClient, path: str) -> None:  # noqa: F811
    """RFC 9110: a general-purpose server answers HEAD wherever it answers GET (uptime monitors,
    ``curl -I``); FastAPI's GET routes answered it 405."""
    got = pages.get(path)
    head = pages.head(path)
    assert got.status_code == head.status_code == 200, head.text
    assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


def test_head_on_a_watch_route_asks_for_the_token_as_get_does(private: TestClient) -> None:  # noqa: F811
    assert private.head("/api/v1/watch/alerts").status_code == private.get("/api/v1/watch/alerts").status_code == 401
    assert private.head("/api/v1/watch/alerts", headers=AUTH).status_code == 200
