"""The web app against a tester's fifth round: record links of dot-segment numbers, the token's
landing redirect keeping an encoded path, the search form choosing the filters the search read,
the seen form's unknown alert ids, HEAD in a 405's Allow, /healthz errors as problem+json, and C0
controls of a record's text in the pages."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.records import ClassGoods, Party, Record, VerbalElement
from marksearch.web import create_app, watch
from marksearch.web.service import mark_url
from tests.conftest import SamplesRegister
from tests.test_web_fixes3 import form_values
from tests.test_web_hardening import AUTH, TOKEN, hrefs, watching, xpath  # noqa: F401 - the fixture

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
SLASHED = "../../etc/passwd"  # one path segment, its "/" encoded
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what HTML cannot hold
CONTROLLED = "CTRL1"  # a record with controls in its texts


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register(samples_register: SamplesRegister) -> str:
    dots = [Record(office="US", application_number=n, verbal_elements=(VerbalElement(f"DOTTY {w}"),))
            for n, w in (("..", "TWO"), (".", "ONE"), (SLASHED, "SLASH"))]
    controlled = Record(office="US", application_number=CONTROLLED,
                        verbal_elements=(VerbalElement("CONTROLMARK\x00X\x01", transliteration="t\x1b"),),
                        goods=(ClassGoods(30, "coffee\x1f; tea\x0b\tcake"),),
                        parties=(Party("owner", name="Owner\x00 Inc\x0c"),))
    return samples_register.copy("web-fixes5", *dots, controlled)


@pytest.fixture(scope="module")
def pages(register: str) -> Iterator[TestClient]:
    with TestClient(create_app(register), headers={"Accept-Language": "en"}) as c:
        yield c


@pytest.fixture(scope="module")
def private(register: str) -> Iterator[TestClient]:
    with TestClient(create_app(register, token=TOKEN), headers={"Accept-Language": "en"}) as c:
        yield c


# -- 1: dot-segment numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "word", "url"), [("..", "TWO", "/marks/US/%2E%2E"),
                                                      (".", "ONE", "/marks/US/%2E")])
def test_a_dot_segment_number_links_to_its_record(pages: TestClient, number: str, word: str, url: str) -> None:
    assert mark_url("US", number) == url
    assert mark_url("US", "a/..") == "/marks/US/a%2F.."  # dots inside a segment are no dot segment
    hits = pages.get("/api/v1/search", params={"q": f"DOTTY {word}", "status": "all"}).json()["hits"]
    assert next(h["url"] for h in hits if h["application_number"] == number) == url
    page = pages.get("/search", params={"q": f"DOTTY {word}", "status": "all"}).text
    assert url in hrefs(page)
    r = pages.get(url)
    assert r.status_code == 200
    switcher = [str(a.get("href")) for a in xpath(r.text, "//nav[@id='lang']/a")]
    json_links = [h for h in hrefs(r.text) if "format=json" in h]
    assert switcher and json_links
    for href in [*switcher, *json_links]:
        assert urljoin(f"http://testserver{url}", href).startswith(f"http://testserver{url}?"), href
        assert pages.get(href).status_code == 200
    assert pages.get(json_links[0]).json()["application_number"] == number


# -- 1b: the token's landing redirect -----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "number"), [("/marks/US/..%2F..%2Fetc%2Fpasswd", SLASHED),
                                              ("/marks/US/%2E%2E", "..")])
def test_the_token_redirect_keeps_the_path_as_sent(private: TestClient, path: str, number: str) -> None:
    try:
        r = private.get(f"{path}?token={TOKEN}&lang=en", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"{path}?lang=en"
        landed = private.get(r.headers["location"], headers={"Accept": "application/json"})
        assert landed.status_code == 200 and landed.json()["application_number"] == number
    finally:
        private.cookies.clear()


# -- 2: the search form chooses what the search read ---------------------------------------------------------


@pytest.mark.parametrize(("query", "name", "chosen"), [
    ("office=Em", "office", ["EM"]),
    ("cls=09", "cls", ["9"]),
    ("status=%20ended", "status", ["ended"]),
    ("feature=%20word", "feature", ["word"]),
])
def test_the_search_form_chooses_the_filters_the_search_applied(pages: TestClient, query: str, name: str,
                                                                 chosen: list[str]) -> None:
    r = pages.get(f"/search?q=KOKA&{query}")
    assert r.status_code == 200
    assert form_values(r.text, name) == chosen
    twin = pages.get(f"/api/v1/search?q=KOKA&{query}").json()
    total = re.search(r'data-total="(\d+)"', r.text)
    assert total is not None and int(total.group(1)) == twin["total"]
    home = pages.get(f"/?{query}")
    assert home.status_code == 200 and form_values(home.text, name) == chosen


# -- 3: the seen form's unknown ids ---------------------------------------------------------------------------


def test_the_seen_form_refuses_an_unknown_alert_id(watching: TestClient) -> None:  # noqa: F811
    alerts = watching.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True}).json()["alerts"]
    before = len(alerts)
    body = f"ids={alerts[0]['id']}&ids=999999&back=/watch/alerts"
    form = {"Content-Type": watch.FORM_TYPE}
    watching.cookies.set("token", TOKEN)
    try:
        page = watching.post("/watch/alerts/seen", content=body, follow_redirects=False,
                             headers={**form, "Accept-Language": "en"})
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
        assert "There is no alert 999999." in page.text
        ja = watching.post("/watch/alerts/seen", content=body, follow_redirects=False,
                           headers={**form, "Accept-Language": "ja"})
        assert ja.status_code == 404 and "アラート 999999 はありません。" in ja.text
    finally:
        watching.cookies.clear()
    problem = watching.post("/watch/alerts/seen", content=body, follow_redirects=False,
                            headers={**AUTH, **form, "Accept": "application/json"})
    assert problem.status_code == 404 and problem.headers["content-type"] == PROBLEM
    assert problem.json()["detail"] == "no alert 999999"
    after = watching.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True}).json()["total"]
    assert after == before  # none marked, not even the known one


# -- 4, 5: 405's Allow, and /healthz's errors ------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("OPTIONS", "/api/v1/search"), ("POST", "/marks/US/1"),
                                              ("POST", "/"), ("PUT", "/healthz")])
def test_a_405_allows_head_where_it_allows_get(private: TestClient, method: str, path: str) -> None:
    r = private.request(method, path, headers=AUTH)
    assert r.status_code == 405
    allowed = [m.strip() for m in r.headers["allow"].split(",")]
    assert "GET" in allowed and "HEAD" in allowed and len(allowed) == len(set(allowed))
    assert private.head(path, headers=AUTH).status_code != 405  # answered, as Allow says
    # as before: the static files' own Allow, and a route without GET has no HEAD
    assert private.post("/static/style.css", headers=AUTH).headers["allow"] == "GET, HEAD"
    assert private.put("/watch/alerts/seen", headers=AUTH).headers["allow"] == "POST"


@pytest.mark.parametrize("client", ["pages", "private"])
def test_healthz_errors_are_problem_json(request: pytest.FixtureRequest, client: str) -> None:
    c: TestClient = request.getfixturevalue(client)
    r = c.post("/healthz", headers={"Accept": "text/html"})
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM, r.text
    assert r.json()["status"] == 405 and "HEAD" in r.headers["allow"]
    assert c.get("/healthz").json()["status"] == "ok"


# -- 6: C0 controls in the pages -----------------------------------------------------------------------------


def test_control_characters_are_shown_as_replacement_characters(pages: TestClient) -> None:
    record = pages.get(f"/marks/US/{CONTROLLED}")
    assert record.status_code == 200
    assert not CONTROLS.search(record.text), CONTROLS.findall(record.text)
    assert "CONTROLMARK\ufffdX\ufffd" in record.text and "Owner\ufffd Inc\ufffd" in record.text
    assert "coffee\ufffd; tea\ufffd\tcake" in record.text  # a tab stays
    search = pages.get("/search", params={"q": "CONTROLMARK", "status": "all"})
    assert search.status_code == 200 and "CONTROLMARK\ufffdX\ufffd" in search.text
    assert not CONTROLS.search(search.text)
    for twin in (pages.get(f"/api/v1/marks/US/{CONTROLLED}").json(),
                 pages.get(f"/marks/US/{CONTROLLED}", params={"format": "json"}).json()):
        assert twin["verbal_elements"][0]["text"] == "CONTROLMARK\x00X\x01"  # the data unchanged
