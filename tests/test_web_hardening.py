"""The web app against a client's mistakes and tricks: the seen form's ids, same-site links, the token
kept out of links, date labels in every language, pages reading parameters as the API does, the
record page's bounds, security headers, and the watch API's strict bodies."""

from __future__ import annotations

import ast
import datetime as dt
import re
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.ingest import record_keys
from marksearch.records import DATE_ROLES, MarkDate, Record, VerbalElement
from marksearch.store import open_store
from marksearch.web import create_app
from marksearch.web.i18n import DATE_LABELS, LANGUAGES, Catalogs
from marksearch.web.service import MAX_GOODS_ITEMS, BadParameter, SearchParams
from marksearch.web.watch import MAX_IDS
from tests.conftest import SamplesRegister
from tests.test_watch_api import watched_register

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

TOKEN = "hardening-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORM = {**AUTH, "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
MAX_FORM = 100_000  # bytes of the seen form (web/watch.py)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
                    "Content-Security-Policy": "frame-ancestors 'none'"}
DATED = "4029900000001"  # a KIPRIS-like record with a date of every role (see ``pages``)


def every_date_role() -> set[str]:
    """Every role a reader gives a record's dates: ``records.DATE_ROLES`` and the role strings of
    the readers' sources (``parse_date("x", ...)``, ``_date("x", ...)``, ``MarkDate("x", ...)``,
    ``MarkDate(role="x")`` and the ``_DATES`` tables of (element, role) pairs)."""
    package = Path(str(resources.files("marksearch")))
    roles = set(DATE_ROLES)
    for source in [package / "records.py", *sorted((package / "formats").glob("*.py"))]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("parse_date", "_date", "MarkDate"):
                given = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "role")]
                roles |= {a.value for a in given if isinstance(a, ast.Constant) and isinstance(a.value, str)}
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_DATES" for t in node.targets):
                assert isinstance(node.value, ast.Tuple)
                roles |= {ast.literal_eval(pair)[1] for pair in node.value.elts}
    # Dates that are not a record's dates: a priority's, a seniority's, and when the office's file
    # was made (the record's as_of); the pages show them in their own places, without a role label.
    return roles - {"priority", "seniority", "produced", "as_of"}


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register(samples_register: SamplesRegister) -> str:
    db = samples_register.copy("web-hardening")
    dated = Record(office="KR", application_number=DATED, verbal_elements=(VerbalElement("DATEMARK"),),
                   dates=tuple(MarkDate(role, "2020-01-02", dt.date(2020, 1, 2))
                               for role in sorted(every_date_role())))
    with open_store(db) as store:
        store.write([dated], [record_keys(dated)])
    return db


@pytest.fixture(scope="module")
def pages(register: str) -> Iterator[TestClient]:
    with TestClient(create_app(register), headers={"Accept-Language": "en"}) as c:
        yield c


@pytest.fixture(scope="module")
def private(register: str) -> Iterator[TestClient]:
    """The same register behind a token (no cookie is kept between the tests that use it)."""
    with TestClient(create_app(register, token=TOKEN), headers={"Accept-Language": "en"}) as c:
        yield c


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[TestClient]:
    """A register with new alerts, behind a token (the watch routes ask for one)."""
    db = watched_register(str(tmp_path / "reg.sqlite"), tmp_path)
    with TestClient(create_app(db, token=TOKEN)) as c:
        yield c


def new_alerts(client: TestClient) -> int:
    r = client.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True})
    assert r.status_code == 200
    total: int = r.json()["total"]
    return total


def xpath(html: str, path: str) -> list[Any]:
    found = lxml.html.fromstring(html).xpath(path)
    assert isinstance(found, list)
    return found


def hrefs(html: str) -> list[str]:
    return [str(a.get("href")) for a in xpath(html, "//a[@href] | //link[@href]")]


# -- 1, 2: the alerts page's seen form ------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "ids=0", "ids=abc", "ids=99999999999999999999", "ids=%C2%B2", "ids=" + "9" * 5000, "ids=", "ids=-1",
    "ids=%D9%A1",  # Arabic-Indic one: a digit to str.isdigit(), not an alert id
    "ids=1&ids=abc",  # one unreadable id refuses the lot, as the API does
], ids=["zero", "letters", "too-large", "superscript", "5000-digits", "empty", "negative", "arabic-indic",
        "one-bad"])
def test_the_seen_form_refuses_ids_that_are_not_alert_ids(watching: TestClient, body: str) -> None:
    before = new_alerts(watching)
    assert before > 1
    r = watching.post("/watch/alerts/seen", headers=FORM, content=f"{body}&back=/watch/alerts",
                      follow_redirects=False)
    assert r.status_code == 400, r.text
    assert r.json()["param"] == "ids"
    assert new_alerts(watching) == before  # nothing marked, least of all every alert


def test_the_seen_form_marks_the_ticked_ids_or_all_when_none_is_ticked(watching: TestClient) -> None:
    alerts = watching.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True}).json()["alerts"]
    first, before = alerts[0]["id"], len(alerts)
    r = watching.post("/watch/alerts/seen", headers=FORM, content=f"ids={first}&back=/watch/alerts",
                      follow_redirects=False)
    assert r.status_code == 303 and new_alerts(watching) == before - 1
    page = watching.get("/watch/alerts", headers=AUTH).text  # how the page asks for all: no ids field
    form = xpath(page, "//form[@id='alerts-seen']")[0]
    assert {i.get("name") for i in form.xpath(".//input[@type='hidden']")} <= {"back", "portfolio"}
    r = watching.post("/watch/alerts/seen", headers=FORM, content="back=/watch/alerts", follow_redirects=False)
    assert r.status_code == 303 and new_alerts(watching) == 0


def test_the_seen_form_refuses_too_many_ids_and_too_long_a_form(watching: TestClient) -> None:
    before = new_alerts(watching)
    many = "&".join(["ids=1"] * (MAX_IDS + 1))
    r = watching.post("/watch/alerts/seen", headers=FORM, content=many, follow_redirects=False)
    assert r.status_code == 400 and r.json()["param"] == "ids"
    r = watching.post("/watch/alerts/seen", headers=FORM, content="back=" + "x" * MAX_FORM + "&ids=1",
                      follow_redirects=False)
    assert r.status_code == 413
    assert new_alerts(watching) == before


# -- 9: the watch API's bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body", "param"), [
    ("/api/v1/watch/marks", {"text": "KOKA", "threshold": True}, "threshold"),
    ("/api/v1/watch/marks", {"text": "KOKA", "classes": [True]}, "classes"),
    ("/api/v1/watch/marks", {"text": "KOKA", "classes": [30], "backfill": 1}, "backfill"),
    ("/api/v1/watch/alerts/seen", {"ids": [True]}, "ids"),
    ("/api/v1/watch/alerts/seen", {"all": 1}, "all"),
])
def test_watch_bodies_refuse_booleans_as_numbers(watching: TestClient, path: str, body: dict[str, Any],
                                                 param: str) -> None:
    before = new_alerts(watching)
    r = watching.post(path, headers=AUTH, json=body)
    assert r.status_code == 422 and r.json()["param"] == param, r.text
    assert new_alerts(watching) == before


def test_watch_goods_are_bounded_as_a_search_s(watching: TestClient) -> None:
    items = [f"goods item {i}" for i in range(MAX_GOODS_ITEMS + 1)]
    too_many = "; ".join(items)
    r = watching.post("/api/v1/watch/marks", headers=AUTH, json={"text": "KOKA", "classes": [30], "goods": too_many})
    assert r.status_code == 400 and r.json()["param"] == "goods"
    search = watching.get("/api/v1/search", headers=AUTH, params={"q": "KOKA", "goods": too_many})
    assert search.status_code == 400 and search.json()["detail"] == r.json()["detail"]
    made = watching.post("/api/v1/watch/marks", headers=AUTH,
                         json={"text": "KOKA", "classes": [30], "goods": "; ".join(items[:-1]), "threshold": 1})
    assert made.status_code == 201 and made.json()["threshold"] == 1.0
    r = watching.patch(f"/api/v1/watch/marks/{made.json()['id']}", headers=AUTH, json={"goods": too_many})
    assert r.status_code == 400 and r.json()["param"] == "goods"


# -- 3, 4: the links every page carries -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["//evil.example/x", "///evil.example/x", "/%5Cevil.example/x",
                                  "/%09/evil.example/x", "/%2F/evil.example/x"])
def test_error_pages_link_only_to_this_site(pages: TestClient, private: TestClient, path: str) -> None:
    for client, status in ((pages, 404), (private, 401)):
        r = client.get("http://testserver" + path)
        assert r.status_code == status
        links = hrefs(r.text)
        assert any("lang=ko" in h for h in links) and any("format=json" in h for h in links)
        for href in links:
            assert href.startswith("/") and not href.startswith(("//", "/\\")), href
            assert not re.search(r"[\x00-\x20\\]", href), href  # a browser drops tabs: /<tab>/host is //host


def test_a_path_with_query_characters_stays_one_path(pages: TestClient) -> None:
    r = pages.get("/marks/EM/a%3Fb%23c")
    assert r.status_code == 404
    switch = next(h for h in hrefs(r.text) if "lang=ko" in h)
    assert switch == "/marks/EM/a%3Fb%23c?lang=ko"


def test_the_token_is_not_copied_into_links(private: TestClient) -> None:
    try:
        r = private.get("/search", params={"q": "KOKA", "token": TOKEN})
        # the cookie set, the address without the token (web/app.py redirects)
        assert r.status_code == 200 and r.history and "token" in r.history[0].cookies
        assert "token" not in str(r.url)
        assert TOKEN not in r.text and not any("token=" in h for h in hrefs(r.text))
        assert any("q=KOKA" in h and "lang=ko" in h for h in hrefs(r.text))  # the search itself is kept
        assert private.get("/search", params={"q": "KOKA", "lang": "ko"}).status_code == 200  # by the cookie
    finally:
        private.cookies.clear()


# -- 5: date labels ---------------------------------------------------------------------------------------


def test_every_date_role_a_reader_emits_has_a_label_in_every_language() -> None:
    roles = every_date_role()
    assert {"registration_publication", "international_registration", "abandonment", "cancellation"} <= roles
    assert roles <= set(DATE_LABELS), f"no label for {sorted(roles - set(DATE_LABELS))} in web/i18n.py"
    catalogs = Catalogs()
    for code in LANGUAGES:
        t = catalogs.get(code)
        for role in roles:
            label = t.label(DATE_LABELS, role)
            assert label and label != role
            if code != "en":
                assert label != DATE_LABELS[role], f"{role} is left in English in {code}"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_record_page_names_every_date(pages: TestClient, lang: str) -> None:
    r = pages.get(f"/marks/KR/{DATED}", params={"lang": lang})
    assert r.status_code == 200
    shown = [label.text_content().strip() for label in xpath(r.text, "//*[@id='dates']//dt")]
    t = Catalogs().get(lang)
    assert sorted(shown) == sorted(t.label(DATE_LABELS, role) for role in every_date_role())
    assert not set(shown) & every_date_role()


# -- 6: pages read parameters as the API does ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [
    ("page", "２"), ("page", "٣"), ("per_page", "１０"), ("cls", "٩"), ("cls", "²"),
    ("filed_from", "2021-W01-1"), ("filed_to", "20211231"), ("filed_from", "２０２１-01-01"),
])
def test_pages_refuse_what_the_api_refuses(pages: TestClient, name: str, value: str) -> None:
    params = {"q": "KOKA", name: value}
    assert pages.get("/api/v1/search", params=params).status_code == 422
    for path in ("/search", "/search/export.csv"):
        r = pages.get(path, params={**params, "format": "json"})
        assert r.status_code == 400 and r.json()["param"] == name, (path, r.text)
    html = pages.get("/search", params=params)
    assert html.status_code == 400 and "text/html" in html.headers["content-type"]
    facets = pages.get("/", params={name: value, "format": "json"})
    assert facets.status_code == 400 and facets.json()["param"] == name


def test_the_last_of_a_repeated_parameter_counts_as_in_the_api(pages: TestClient) -> None:
    query = "q=COCA&q=KOKA&per_page=5&per_page=3&page=3&page=2&filed_from=1990-01-01&filed_from=2000-01-01&cls=30"
    api = pages.get("/api/v1/search?" + query).json()
    twin = pages.get("/search?" + query + "&format=json").json()
    assert api["query"] == twin["query"]
    assert twin["query"]["q"] == "KOKA" and twin["query"]["per_page"] == 3 and twin["query"]["page"] == 2
    assert twin["query"]["filed_from"] == "2000-01-01"
    assert [h["url"] for h in api["hits"]] == [h["url"] for h in twin["hits"]]
    exports = [pages.get(path + "?" + query) for path in ("/search/export.csv", "/api/v1/search/export.csv")]
    assert [e.status_code for e in exports] == [200, 200]
    page_rows, api_rows = ([line for line in e.text.splitlines() if "Generated" not in line] for e in exports)
    assert page_rows == api_rows and len(page_rows) > 3  # a header and page 2's three hits, at least


def test_search_params_parse_takes_ascii_numbers_and_days_only() -> None:
    assert SearchParams.parse([("page", "2"), ("page", "3"), ("cls", "9"), ("cls", "30")]).page == 3
    assert SearchParams.parse([("filed_from", "2021-01-04")]).filed_from == dt.date(2021, 1, 4)
    for name, value in (("page", "1" + "0" * 5000), ("page", "+2"), ("page", "2.0"), ("cls", "1_0")):
        with pytest.raises(BadParameter) as found:
            SearchParams.parse([(name, value)])
        assert found.value.param == name


# -- 7: the record page's bounds ---------------------------------------------------------------------------


def test_the_record_page_caps_the_number_as_the_api_does(pages: TestClient) -> None:
    long = "1" * 20_000
    assert pages.get(f"/api/v1/marks/EM/{long}").status_code == 422
    r = pages.get(f"/marks/EM/{long}", params={"format": "json"})
    assert r.status_code == 422 and r.json()["param"] == "application_number"
    html = pages.get(f"/marks/EM/{long}")
    assert html.status_code == 422 and len(html.content) < 20_000
    assert pages.get(f"/marks/{'X' * 21}/1", params={"format": "json"}).json()["param"] == "office"
    assert pages.get(f"/marks/EM/{'1' * 100}").status_code == 404  # the longest allowed: looked up


# -- 8: security headers ------------------------------------------------------------------------------------


def test_every_response_has_the_security_headers(pages: TestClient, private: TestClient) -> None:
    home = pages.get("/")
    assert home.status_code == 200 and xpath(home.text, "//form[@id='search-form']")
    answers = [home, pages.get("/search", params={"q": "KOKA"}), pages.get("/api/v1/search", params={"q": "KOKA"}),
               pages.get("/static/style.css"), pages.get("/no/such/page"), pages.get("/healthz"),
               pages.get("/openapi.json"), pages.get("/docs"), pages.get(f"/marks/KR/{DATED}"),
               private.get("/"), private.get("/api/v1/search", params={"q": "KOKA"})]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 404, 200, 200, 200, 200, 401, 401]
    for r in answers:
        for name, value in SECURITY_HEADERS.items():
            assert r.headers.get(name) == value, (r.url, name)


def test_an_unexpected_error_has_the_security_headers(register: str) -> None:
    app = create_app(register)

    def broken() -> Any:
        raise RuntimeError("a bug")

    app.state.service.currency = broken
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/")
    assert r.status_code == 500
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value
