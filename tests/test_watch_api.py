"""The watch REST API and the alerts page: the token, CRUD, alerts, seen, translations, OpenAPI."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from marksearch.ingest import ingest
from marksearch.store import open_store
from marksearch.watch import WatchStore, run_watches
from marksearch.web import create_app
from tests.test_watch_helpers import batches, shared_register  # noqa: F401 - the fixture

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

TOKEN = "api-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def watched_register(url: str, folder: Path) -> str:
    """Three watched marks, then batch 2 ingested and the watches run: alerts to list."""
    _, batch2, _ = batches(folder)
    with open_store(url) as store:
        ws = WatchStore(store)
        ws.add_watch("acme", "OLYMEL", classes=(29,))
        ws.add_watch("acme", "PYTON")
        ws.add_watch("shoes", "HANTTRE")
        ingest(store, [batch2], format="jsonl", workers=1)
        run_watches(store)
    return url


@pytest.fixture
def db(shared_register: str, tmp_path: Path) -> str:  # noqa: F811
    return watched_register(shared_register, tmp_path)


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module", params=["file", "postgres"])
def unchanged_client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app per back-end for the tests that change nothing and set no cookie (refused and bad
    requests, the OpenAPI document); the others get a fresh register and app each (``client``)."""
    folder = tmp_path_factory.mktemp("watch-api")
    url = (request.getfixturevalue("pg_server").create_database() if request.param == "postgres"
           else str(folder / "reg.sqlite"))
    with TestClient(create_app(watched_register(url, folder), token=TOKEN)) as c:
        yield c


def test_every_watch_route_asks_for_the_token(unchanged_client: TestClient) -> None:
    for method, path in [("get", "/api/v1/watch/portfolios"), ("post", "/api/v1/watch/marks"),
                         ("get", "/api/v1/watch/alerts"), ("post", "/api/v1/watch/alerts/seen"),
                         ("delete", "/api/v1/watch/marks/1"), ("get", "/watch/alerts")]:
        r = unchanged_client.request(method, path)
        assert r.status_code == 401, (method, path)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        r = unchanged_client.request(method, path, headers={"Authorization": "Bearer wrong-token"})
        assert r.status_code == 401
    assert unchanged_client.get("/api/v1/watch/alerts", headers=AUTH).status_code == 200


def test_without_a_server_token_watch_lists_are_off(db: str) -> None:
    with TestClient(create_app(db)) as open_client:
        r = open_client.get("/api/v1/watch/portfolios", headers=AUTH)
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert "--token" in r.json()["detail"]
        assert open_client.get("/watch/alerts").status_code == 403
        assert open_client.get("/api/v1/search", params={"q": "KOKA"}).status_code == 200  # search stays open


def test_portfolios_and_watched_marks_through_the_api(client: TestClient) -> None:
    made = client.post("/api/v1/watch/portfolios", headers=AUTH, json={
        "name": "beans", "webhook_url": "https://hooks.example/in", "webhook_secret": "s" * 24})
    assert made.status_code == 201
    beans = made.json()
    assert beans["webhook_secret_set"] and "webhook_secret" not in beans
    assert client.post("/api/v1/watch/portfolios", headers=AUTH, json={"name": "beans"}).status_code == 400
    names = [p["name"] for p in client.get("/api/v1/watch/portfolios", headers=AUTH).json()]
    assert names == ["acme", "beans", "shoes"]

    watch = client.post("/api/v1/watch/marks", headers=AUTH, json={
        "portfolio": "beans", "text": "LION", "goods": "coffee", "offices": ["em"], "threshold": 0.8})
    assert watch.status_code == 201
    lion = watch.json()
    assert (lion["classes"], lion["offices"], lion["backfill_alerts"]) == ([30], ["EM"], None)
    assert client.get(f"/api/v1/watch/marks/{lion['id']}", headers=AUTH).json()["text"] == "LION"
    changed = client.patch(f"/api/v1/watch/marks/{lion['id']}", headers=AUTH, json={"text": "LYON", "classes": []})
    assert changed.status_code == 200 and (changed.json()["text"], changed.json()["classes"]) == ("LYON", [])
    listed = client.get("/api/v1/watch/marks", headers=AUTH, params={"portfolio": "beans"}).json()
    assert [w["text"] for w in listed] == ["LYON"]

    renamed = client.patch(f"/api/v1/watch/portfolios/{beans['id']}", headers=AUTH,
                           json={"name": "coffee", "unset_webhook": True})
    assert renamed.json()["name"] == "coffee" and renamed.json()["webhook_url"] is None
    assert client.delete(f"/api/v1/watch/marks/{lion['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/api/v1/watch/marks/{lion['id']}", headers=AUTH).status_code == 404
    assert client.delete(f"/api/v1/watch/portfolios/{beans['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/api/v1/watch/portfolios/{beans['id']}", headers=AUTH).status_code == 404


def test_backfill_from_the_api(client: TestClient) -> None:
    made = client.post("/api/v1/watch/marks", headers=AUTH, json={"text": "LEITNER REISEN", "backfill": True}).json()
    assert made["backfill_alerts"] == 1
    alerts = client.get("/api/v1/watch/alerts", headers=AUTH, params={"watch": made["id"]}).json()
    assert [a["mark_text"] for a in alerts["alerts"]] == ["LEITNER REISEN"]


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("post", "/api/v1/watch/marks", {"text": ""}, 422),
    ("post", "/api/v1/watch/marks", {"text": "KOKA", "threshold": 0}, 422),
    ("post", "/api/v1/watch/marks", {"text": "KOKA", "classes": [46]}, 422),
    ("post", "/api/v1/watch/marks", {"text": "KOKA", "offices": ["EUR"]}, 422),
    ("post", "/api/v1/watch/marks", {"text": "KO\x00KA"}, 400),
    ("post", "/api/v1/watch/portfolios", {"name": "x", "webhook_url": "ftp://x", "webhook_secret": "s" * 20}, 400),
    ("patch", "/api/v1/watch/marks/99999", {"text": "X"}, 404),
    ("patch", "/api/v1/watch/marks/99999999999999999999", {"text": "X"}, 422),
    ("post", "/api/v1/watch/alerts/seen", {}, 400),
    ("post", "/api/v1/watch/alerts/seen", {"ids": [1], "all": True}, 400),
    ("get", "/api/v1/watch/alerts?watch=999999", {}, 404),  # as the CLI: no watched mark, not an empty list
    ("post", "/api/v1/watch/alerts/seen", {"ids": [9007199254740992]}, 404),  # no alert, not marked_seen 0
])
def test_bad_requests_are_problems(unchanged_client: TestClient, method: str, path: str, body: dict[str, Any],
                                   status: int) -> None:
    r = unchanged_client.request(method, path, headers=AUTH, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_alerts_listed_paged_and_marked_seen(client: TestClient) -> None:
    everything = client.get("/api/v1/watch/alerts", headers=AUTH).json()
    assert everything["total"] == len(everything["alerts"]) >= 3
    alert = everything["alerts"][0]
    assert set(alert) >= {"watch_text", "mark_text", "score", "signals", "reasons", "filing", "new"}
    page = client.get("/api/v1/watch/alerts", headers=AUTH, params={"per_page": 1, "page": 2}).json()
    assert page["pages"] == everything["total"] and page["alerts"][0]["id"] == everything["alerts"][1]["id"]
    seen = client.post("/api/v1/watch/alerts/seen", headers=AUTH, json={"ids": [alert["id"]]})
    assert seen.json() == {"marked_seen": 1}
    new = client.get("/api/v1/watch/alerts", headers=AUTH, params={"new": True}).json()
    assert new["total"] == everything["total"] - 1
    rest = client.post("/api/v1/watch/alerts/seen", headers=AUTH, json={"all": True, "portfolio": "acme"}).json()
    assert rest["marked_seen"] == sum(1 for a in new["alerts"] if a["portfolio"] == "acme")


def test_unknown_ids_are_named_as_the_command_line_names_them(client: TestClient) -> None:
    listed = client.get("/api/v1/watch/alerts", headers=AUTH, params={"watch": 999999})
    assert listed.status_code == 404 and "no watched mark 999999" in listed.json()["detail"]
    known = client.get("/api/v1/watch/alerts", headers=AUTH).json()["alerts"][0]
    seen = client.post("/api/v1/watch/alerts/seen", headers=AUTH, json={"ids": [known["id"], 9007199254740992]})
    assert seen.status_code == 404 and seen.headers["content-type"] == "application/problem+json"
    assert "no alert 9007199254740992" in seen.json()["detail"]
    assert client.get("/api/v1/watch/alerts", headers=AUTH).json()["alerts"][0]["new"] == known["new"]  # none marked
    assert client.get("/api/v1/watch/alerts", headers=AUTH, params={"watch": known["watch_id"]}).status_code == 200


def test_the_alerts_page_and_its_json_twin(client: TestClient) -> None:
    page = client.get("/watch/alerts", headers=AUTH)
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    items = doc.xpath("//li[contains(concat(' ', @class, ' '), ' alert ')]")
    assert len(items) >= 3 and "OLIMEL" in page.text and "OLYMEL" in page.text
    twin = client.get("/watch/alerts", headers=AUTH, params={"format": "json"}).json()
    assert len(twin["alerts"]) == len(items) and {p["name"] for p in twin["portfolios"]} == {"acme", "shoes"}

    zh = client.get("/watch/alerts", headers=AUTH, params={"lang": "zh"}).text
    ko = client.get("/watch/alerts", headers=AUTH, params={"lang": "ko"}).text
    assert "商标监控提醒" in zh and "与监控商标" in zh and "상표 감시 알림" in ko
    assert "听起来像" in zh or "读音" in zh or "sounds like" not in zh  # reasons translated by pattern

    first = twin["alerts"][0]["id"]
    r = client.post("/watch/alerts/seen", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
                    content=f"ids={first}&back=/watch/alerts?new=true", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/watch/alerts?new=true"
    assert client.get("/watch/alerts", headers=AUTH, params={"format": "json", "new": True}).json()["total"] \
        == len(twin["alerts"]) - 1
    r = client.post("/watch/alerts/seen", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
                    content="back=https://evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/watch/alerts"  # never sent off the site
    assert client.get("/watch/alerts", headers=AUTH, params={"format": "json", "new": True}).json()["total"] == 0


def test_a_token_in_the_query_opens_the_page_and_sets_the_cookie(client: TestClient) -> None:
    assert client.get("/watch/alerts", params={"token": TOKEN}).status_code == 200
    assert client.get("/watch/alerts").status_code == 200  # the cookie now


def test_the_openapi_document_describes_the_watch_api(unchanged_client: TestClient) -> None:
    spec = unchanged_client.get("/openapi.json", headers=AUTH).json()
    paths = spec["paths"]
    assert {"/api/v1/watch/portfolios", "/api/v1/watch/marks/{watch_id}", "/api/v1/watch/alerts",
            "/api/v1/watch/alerts/seen"} <= set(paths)
    assert "401" in paths["/api/v1/watch/alerts"]["get"]["responses"]
    assert not any(p.startswith("/watch/") for p in paths)


@pytest.fixture
def watch_schema(tmp_path: Path) -> Any:
    """The watch API's operations of an app with a token, over a small register with alerts."""
    import schemathesis

    _, batch2, _ = batches(tmp_path)
    db = str(tmp_path / "schema.sqlite")
    with open_store(db) as store:
        ingest(store, [batch2], format="jsonl", workers=1)
        WatchStore(store).add_watch("acme", "OLYMEL", classes=(29,))
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db, token=TOKEN), headers=AUTH).include(
        path_regex="^/api/v1/watch")


def _schemathesis_test() -> Any:
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.pytest.from_fixture("watch_schema")

    @schema.parametrize()
    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def test_the_watch_api_answers_as_documented(case: Any) -> None:
        case.call_and_validate(headers=AUTH, checks=[not_a_server_error, status_code_conformance,
                                                     content_type_conformance, response_schema_conformance])

    return test_the_watch_api_answers_as_documented


test_the_watch_api_answers_as_documented = _schemathesis_test()
