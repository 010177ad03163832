"""The web app against a tester's second round: the seen form's content type, the API reading
parameters as the pages do, numbers with a slash, the alerts page's last page, named fields of
the watch API, translated problem pages, the per-page choice, links of a POST's error page, the
body limit, strict watch bodies and times that name their zone."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.records import Record, VerbalElement
from marksearch.web import create_app, watch
from marksearch.web.app import MAX_BODY
from marksearch.web.i18n import LANGUAGES, Catalogs
from tests.conftest import SamplesRegister
from tests.test_watch_api import watched_register
from tests.test_web_hardening import AUTH, hrefs, pages, watching, xpath  # noqa: F401 - pages, watching: fixtures

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

FORM = {**AUTH, "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
SLASHED = "12/345,678"  # a number with a slash and a comma, as some offices write them


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register(samples_register: SamplesRegister) -> str:
    slashed = Record(office="US", application_number=SLASHED, verbal_elements=(VerbalElement("SLASHMARK"),))
    return samples_register.copy("web-fixes2", slashed)


def alerts(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/watch/alerts", headers=AUTH, params=params)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def new_alerts(client: TestClient, **params: Any) -> int:
    return int(alerts(client, new=True, **params)["total"])


# -- 1: the seen form is a urlencoded form, or nothing is marked -------------------------------------------


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"json": {"ids": [1]}}, 415),
    ({"json": {}}, 415),
    ({"files": {"ids": (None, "1")}}, 415),
    ({"content": b"ids=1", "headers": {"Content-Type": "text/plain"}}, 415),
    ({"content": b""}, 415),  # no type at all
], ids=["json", "json-empty", "multipart", "text", "no-type"])
def test_the_seen_form_refuses_other_bodies(watching: TestClient, kwargs: dict[str, Any], status: int) -> None:
    before = new_alerts(watching)
    assert before > 1
    headers = {**AUTH, "Accept": "application/json", **kwargs.pop("headers", {})}
    r = watching.post("/watch/alerts/seen", headers=headers, follow_redirects=False, **kwargs)
    assert r.status_code == status, r.text
    assert new_alerts(watching) == before  # least of all every alert of every portfolio


@pytest.mark.parametrize("query", ["ids=1", "ids=1&ids=2", "portfolio=acme"])
def test_the_seen_form_refuses_its_fields_in_the_query_string(watching: TestClient, query: str) -> None:
    before = new_alerts(watching)
    r = watching.post(f"/watch/alerts/seen?{query}", headers=FORM, content="back=/watch/alerts",
                      follow_redirects=False)
    assert r.status_code == 400 and r.json()["param"] == query.split("=")[0], r.text
    assert new_alerts(watching) == before


def test_the_seen_form_without_ids_marks_only_its_portfolio(watching: TestClient) -> None:
    acme, shoes = new_alerts(watching, portfolio="acme"), new_alerts(watching, portfolio="shoes")
    assert acme and shoes
    r = watching.post("/watch/alerts/seen", headers={**FORM, "Content-Type": f"{watch.FORM_TYPE}; charset=UTF-8"},
                      content="portfolio=acme&back=/watch/alerts", follow_redirects=False)
    assert r.status_code == 303
    assert new_alerts(watching, portfolio="acme") == 0 and new_alerts(watching, portfolio="shoes") == shoes


@pytest.mark.parametrize("portfolio", ["nope", "acme" + "x" * 100, "acme&portfolio=shoes"])
def test_the_seen_form_refuses_a_portfolio_that_is_none(watching: TestClient, portfolio: str) -> None:
    before = new_alerts(watching)
    body = "&".join(f"portfolio={p}" for p in portfolio.split("&portfolio="))
    r = watching.post("/watch/alerts/seen", headers=FORM, content=body, follow_redirects=False)
    assert r.status_code == 400 and r.json()["param"] == "portfolio", r.text
    assert new_alerts(watching) == before


# -- 2: the API reads parameters as the pages do -----------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [
    ("filed_from", "1609459200"), ("filed_to", "1609459200"), ("filed_from", " 2021-01-01"),
    ("cls", "5.0"), ("cls", "1_0"), ("cls", "+5"), ("cls", " 5 "),
    ("per_page", "+5"), ("per_page", " 5"), ("page", "2.0"), ("page", "+2"),
])
def test_the_api_refuses_what_the_pages_refuse(pages: TestClient, name: str, value: str) -> None:
    params = {"q": "KOKA", name: value}
    for path in ("/api/v1/search", "/api/v1/search/export.csv", "/search"):
        r = pages.get(path, params={**params, "format": "json"})
        # 422 where the declaration refuses it too (pydantic takes " 5" but not " 2021-01-01")
        assert r.status_code in ((400, 422) if path.startswith("/api/") else (400,)), (path, r.text)
        assert r.json()["param"] == name and r.json()["invalid-params"][0]["name"] == name
    if name not in ("page", "per_page"):
        r = pages.get("/api/v1/facets", params={name: value})
        assert r.status_code in (400, 422) and r.json()["param"] == name


def test_a_blank_owner_is_no_filter_in_the_api_as_on_the_pages(pages: TestClient) -> None:
    plain = pages.get("/api/v1/search", params={"q": "CARE", "status": "all"}).json()
    blank = pages.get("/api/v1/search", params={"q": "CARE", "status": "all", "owner": "  "}).json()
    assert blank["query"]["owner"] is None and blank["total"] == plain["total"] > 0
    twin = pages.get("/search", params={"q": "CARE", "status": "all", "owner": "  ", "format": "json"}).json()
    assert twin["query"] == blank["query"]
    facets = pages.get("/api/v1/facets", params={"owner": " "}).json()
    assert facets["total"] == pages.get("/api/v1/facets").json()["total"]


# -- 3: a number with a slash -------------------------------------------------------------------------------


def test_the_api_finds_a_number_with_a_slash_as_the_page_does(pages: TestClient) -> None:
    page = pages.get("/marks/US/12%2F345%2C678", params={"format": "json"})
    assert page.status_code == 200 and page.json()["application_number"] == SLASHED
    api = pages.get("/api/v1/marks/US/12%2F345%2C678")
    assert api.status_code == 200, api.text
    assert api.json() == page.json()
    schema = pages.get("/openapi.json").json()
    assert "/api/v1/marks/{office}/{application_number}" in schema["paths"]


# -- 4: the alerts page never lands past its last page -------------------------------------------------------


def test_the_alerts_page_past_the_end_shows_the_last_page(watching: TestClient,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch, "PAGE_SIZE", 1)
    total = alerts(watching)["total"]
    assert total > 2
    twin = watching.get("/watch/alerts", headers=AUTH, params={"page": 99, "format": "json"}).json()
    assert twin["page"] == twin["pages"] == total and len(twin["alerts"]) == 1
    page = watching.get("/watch/alerts", headers=AUTH, params={"page": 99})
    assert len(xpath(page.text, "//li[@data-alert]")) == 1
    assert "No alerts" not in page.text and xpath(page.text, "//nav[@class='pages']")


def test_marking_the_last_page_seen_goes_back_to_the_new_last_page(watching: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch, "PAGE_SIZE", 1)
    new = new_alerts(watching)
    assert new > 2
    last = watching.get("/watch/alerts", headers=AUTH, params={"new": "true", "page": new, "format": "json"}).json()
    assert last["page"] == new
    r = watching.post("/watch/alerts/seen", headers=FORM, follow_redirects=False,
                      content=f"ids={last['alerts'][0]['id']}&back=/watch/alerts?new=true%26page={new}")
    assert r.status_code == 303 and r.headers["location"] == f"/watch/alerts?new=true&page={new - 1}"
    shown = watching.get(r.headers["location"], headers=AUTH)
    assert len(xpath(shown.text, "//li[@data-alert]")) == 1


def test_an_empty_filter_does_not_say_there_are_no_alerts(watching: TestClient) -> None:
    watching.post("/api/v1/watch/alerts/seen", headers=AUTH, json={"all": True})
    page = watching.get("/watch/alerts", headers=AUTH, params={"new": "true"})
    assert page.status_code == 200 and not xpath(page.text, "//li[@data-alert]")
    text = xpath(page.text, "//p[@class='none']")[0].text_content()
    assert "No alerts match this filter." in text and "Watch a mark" not in text


# -- 5: the watch API names the field at fault ----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "param"), [
    ("post", "/api/v1/watch/portfolios", {"name": "acme"}, "name"),
    ("post", "/api/v1/watch/portfolios", {"name": " "}, "name"),
    ("post", "/api/v1/watch/portfolios", {"name": "x", "webhook_url": "javascript:alert(1)",
                                           "webhook_secret": "s" * 20}, "webhook_url"),
    ("post", "/api/v1/watch/portfolios", {"name": "x", "webhook_secret": "s" * 20}, "webhook_url"),
    ("post", "/api/v1/watch/portfolios", {"name": "x", "webhook_url": "https://a.example/"}, "webhook_secret"),
    ("patch", "/api/v1/watch/portfolios/1", {"webhook_url": "https://a.example/"}, "webhook_secret"),
    ("patch", "/api/v1/watch/portfolios/1", {"name": "shoes"}, "name"),
    ("post", "/api/v1/watch/marks", {"text": "KOKA", "offices": ["zz"]}, "offices"),
    ("post", "/api/v1/watch/marks", {"text": "!!!"}, "text"),
    ("post", "/api/v1/watch/marks", {"portfolio": " ", "text": "KOKA"}, "portfolio"),
    ("post", "/api/v1/watch/marks", {"portfolio": "acme", "text": "OLYMEL", "classes": [29]}, "text"),
    ("patch", "/api/v1/watch/marks/1", {"offices": ["zz"]}, "offices"),
    ("get", "/api/v1/watch/alerts?portfolio=nope", None, "portfolio"),
    ("get", "/api/v1/watch/marks?portfolio=nope", None, "portfolio"),
    ("post", "/api/v1/watch/alerts/seen", {"all": True, "portfolio": "nope"}, "portfolio"),
])
def test_watch_mistakes_name_the_field(watching: TestClient, method: str, path: str, body: dict[str, Any] | None,
                                       param: str) -> None:
    before = new_alerts(watching)
    r = watching.request(method, path, headers=AUTH, json=body)
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", r.text
    problem = r.json()
    assert problem["param"] == param and problem["invalid-params"][0]["name"] == param, problem
    assert new_alerts(watching) == before
    assert [p["name"] for p in watching.get("/api/v1/watch/portfolios", headers=AUTH).json()] == ["acme", "shoes"]


def test_the_alerts_page_names_an_unknown_portfolio(watching: TestClient) -> None:
    r = watching.get("/watch/alerts", headers=AUTH, params={"portfolio": "nope", "format": "json"})
    assert r.status_code == 400 and r.json()["param"] == "portfolio"


# -- 6: problem pages and plain HTTP errors in the reader's language -----------------------------------------


@pytest.mark.parametrize("kind", ["bad-parameter", "not-found", "unauthorized", "store-unavailable"])
def test_problem_pages_are_translated(pages: TestClient, kind: str) -> None:
    en = pages.get(f"/problems/{kind}", params={"lang": "en"})
    assert en.status_code == 200
    english = xpath(en.text, "//h1")[0].text_content()
    assert english != kind
    for lang in ("zh", "ko", "ja"):
        r = pages.get(f"/problems/{kind}", params={"lang": lang})
        heading = xpath(r.text, "//h1")[0].text_content()
        detail = xpath(r.text, "//p[@class='detail']")[0].text_content()
        assert heading not in (kind, english), (lang, heading)
        assert detail != xpath(en.text, "//p[@class='detail']")[0].text_content(), (lang, detail)
    twin = pages.get(f"/problems/{kind}", params={"format": "json"}).json()
    assert twin["kind"] == kind and twin["title"] == english


def test_not_found_and_method_not_allowed_pages_are_translated(pages: TestClient) -> None:
    t = Catalogs().get("ja")
    messages = ("There is no page at this address.",
                "This address does not answer this method: the pages are read with GET.",
                "There is no such problem type.")
    for r, status in ((pages.get("/no/such/page", params={"lang": "ja"}), 404),
                      (pages.post("/?lang=ja"), 405),
                      (pages.get("/problems/nope", params={"lang": "ja"}), 404)):
        assert r.status_code == status
        detail = xpath(r.text, "//p[@class='detail']")[0].text_content()
        assert detail not in ("Not Found", "Method Not Allowed", "There is no such problem type.")
        assert detail in {t.gettext(m) for m in messages}, detail
    # the problem+json keeps HTTP's words
    assert pages.get("/no/such/page", params={"format": "json"}).json()["detail"] == "Not Found"


# -- 7: the search form keeps a per_page it has no choice for ---------------------------------------------------


@pytest.mark.parametrize(("per_page", "options"), [("5", ["5", "10", "20", "50", "100"]),
                                                   ("50", ["10", "20", "50", "100"]),
                                                   ("7", ["7", "10", "20", "50", "100"]),
                                                   ("30", ["10", "20", "30", "50", "100"])])
def test_the_search_form_keeps_per_page(pages: TestClient, per_page: str, options: list[str]) -> None:
    r = pages.get("/search", params={"q": "CARE", "per_page": per_page})
    assert r.status_code == 200
    select = xpath(r.text, "//form[@id='search-form']//select[@name='per_page']")[0]
    assert [o.get("value") for o in select.xpath("option")] == options
    assert [o.get("value") for o in select.xpath("option[@selected]")] == [per_page]


# -- 8: the error page of a POST links to pages that answer GET -------------------------------------------------


def test_the_error_page_of_the_seen_form_links_to_the_alerts_page(watching: TestClient) -> None:
    r = watching.post("/watch/alerts/seen", headers={**AUTH, "Content-Type": watch.FORM_TYPE},
                      content="ids=abc", follow_redirects=False)
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    links = hrefs(r.text)
    assert not any(h.startswith("/watch/alerts/seen") for h in links), links
    switcher = [str(a.get("href")) for a in xpath(r.text, "//nav[@id='lang']/a")]
    assert switcher and all(h.startswith("/watch/alerts?lang=") for h in switcher), switcher
    for href in {h.split("#")[0] for h in links if h.startswith("/watch/")}:
        assert watching.get(href, headers=AUTH).status_code == 200, href


def test_the_error_page_of_another_method_links_home(pages: TestClient) -> None:
    r = pages.post("/search?q=KOKA")
    assert r.status_code == 405
    switcher = [str(a.get("href")) for a in xpath(r.text, "//nav[@id='lang']/a")]
    assert switcher and all(h.startswith("/?lang=") for h in switcher), switcher


# -- 9: request bodies are bounded, and refused before they are read -------------------------------------------


class CountedBody:
    """A request body sent in chunks, counting how many the server asked for."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.sent = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"text": "KOKA", "goods": "'
        for _ in range(self.chunks):
            self.sent += 1
            yield b"x" * self.size
        yield b'"}'


def test_a_body_over_the_limit_is_refused_unread(watching: TestClient) -> None:
    body = CountedBody(chunks=2 * MAX_BODY // (64 * 1024))
    length = str(sum(len(c) for c in CountedBody(body.chunks)))
    r = watching.post("/api/v1/watch/marks", headers={**AUTH, "Content-Type": "application/json",
                                                      "Content-Length": length}, content=body)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json", r.text
    assert str(MAX_BODY) in r.json()["detail"] and body.sent == 0
    assert r.headers["X-Frame-Options"] == "DENY"


def test_a_streamed_body_over_the_limit_is_refused(watching: TestClient) -> None:
    body = CountedBody(chunks=2 * MAX_BODY // (64 * 1024))
    r = watching.post("/api/v1/watch/marks", headers={**AUTH, "Content-Type": "application/json"}, content=body)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json", r.text
    assert watching.get("/api/v1/watch/marks", headers=AUTH).status_code == 200


def test_without_a_token_the_watch_routes_refuse_before_the_body(tmp_path: Path) -> None:
    db = watched_register(str(tmp_path / "reg.sqlite"), tmp_path)
    with TestClient(create_app(db)) as client:
        body = CountedBody(chunks=4)
        r = client.post("/api/v1/watch/marks", headers={"Content-Type": "application/json"}, content=body)
        assert r.status_code == 403 and "--token" in r.json()["detail"] and body.sent == 0
        assert client.get("/watch/alerts").status_code == 403
        assert client.get("/api/v1/search", params={"q": "KOKA"}).status_code == 200


def test_a_body_within_the_limit_is_read(watching: TestClient) -> None:
    r = watching.post("/api/v1/watch/marks", headers=AUTH, json={"text": "KOKA", "classes": [30],
                                                                  "goods": "coffee; " * 10})
    assert r.status_code == 201, r.text


# -- 10: strict watch bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "param"), [
    ("post", "/api/v1/watch/marks", {"text": "KOKA", "classes": [30], "treshold": 0.9}, "treshold"),
    ("patch", "/api/v1/watch/marks/1", {"treshold": 0.9}, "treshold"),
    ("post", "/api/v1/watch/portfolios", {"name": "x", "webhook": "https://a.example/"}, "webhook"),
    ("patch", "/api/v1/watch/portfolios/1", {"unset": True}, "unset"),
    ("post", "/api/v1/watch/alerts/seen", {"all": True, "portfolios": "acme"}, "portfolios"),
])
def test_watch_bodies_refuse_unknown_fields(watching: TestClient, method: str, path: str, body: dict[str, Any],
                                           param: str) -> None:
    before = (new_alerts(watching), watching.get("/api/v1/watch/marks", headers=AUTH).json())
    r = watching.request(method, path, headers=AUTH, json=body)
    assert r.status_code == 422 and r.json()["param"] == param, r.text
    assert (new_alerts(watching), watching.get("/api/v1/watch/marks", headers=AUTH).json()) == before


def test_unsetting_a_webhook_while_setting_one_is_refused(watching: TestClient) -> None:
    made = watching.patch("/api/v1/watch/portfolios/1", headers=AUTH,
                          json={"webhook_url": "https://hooks.example/a", "webhook_secret": "s" * 20})
    assert made.status_code == 200 and made.json()["webhook_url"] == "https://hooks.example/a"
    for body, named in (({"unset_webhook": True, "webhook_url": "https://a.example/"}, ["webhook_url"]),
                        ({"unset_webhook": True, "webhook_secret": "t" * 20}, ["webhook_secret"]),
                        ({"unset_webhook": True, "webhook_url": "https://a.example/", "webhook_secret": "t" * 20},
                         ["webhook_url", "webhook_secret"])):
        r = watching.patch("/api/v1/watch/portfolios/1", headers=AUTH, json=body)
        assert r.status_code == 400, r.text
        problem = r.json()
        assert problem["param"] == "unset_webhook"
        assert [p["name"] for p in problem["invalid-params"]] == ["unset_webhook", *named]
    kept = watching.get("/api/v1/watch/portfolios/1", headers=AUTH).json()
    assert kept["webhook_url"] == "https://hooks.example/a" and kept["webhook_secret_set"]
    r = watching.patch("/api/v1/watch/portfolios/1", headers=AUTH, json={"unset_webhook": True})
    assert r.status_code == 200 and r.json()["webhook_url"] is None


# -- 11: webhook URLs through the API ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://hooks.example\\@evil.example/", "http://hooks.example:0/",
                                 "http://user:pass@hooks.example/", "http://user@hooks.example/"])
def test_the_api_refuses_webhook_urls_people_misread(watching: TestClient, url: str) -> None:
    r = watching.post("/api/v1/watch/portfolios", headers=AUTH,
                      json={"name": "hooked", "webhook_url": url, "webhook_secret": "s" * 20})
    assert r.status_code == 400 and r.json()["param"] == "webhook_url", r.text
    shown = watching.get("/api/v1/watch/portfolios", headers=AUTH).json()
    assert "hooked" not in {p["name"] for p in shown} and "pass" not in str(shown)


# -- 12: times name their zone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_times_are_shown_with_their_zone(lang: str) -> None:
    t = Catalogs().get(lang)
    shown = t.datetime("2026-11-21T10:23:13+00:00")
    assert "UTC" in shown and "23" in shown and "2026" in shown
    assert t.datetime("2026-11-21T19:23:13+09:00") == shown  # another zone's time, shown in UTC
    assert t.datetime("2026-11-21T10:23:13") == shown  # the register's times are UTC
    assert t.datetime("not a time") == "not a time" and t.datetime(None) == ""


def test_the_alerts_and_record_pages_name_the_zone(watching: TestClient, pages: TestClient) -> None:
    for lang in ("ja", "en"):
        page = watching.get("/watch/alerts", headers=AUTH, params={"lang": lang})
        metas = [p.text_content() for p in xpath(page.text, "//p[@class='alert-meta']")]
        assert metas and all("UTC" in m for m in metas)
    record = pages.get("/marks/US/12%2F345%2C678", params={"lang": "ja"})
    provenance = xpath(record.text, "//*[@id='provenance']")[0].text_content()
    assert "UTC" in provenance
