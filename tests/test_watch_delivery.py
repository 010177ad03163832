"""Webhook delivery: signed bodies, an outbox that loses nothing, backoff on an injected clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from marksearch.ingest import record_keys
from marksearch.records import Record, VerbalElement
from marksearch.store import Store, open_store
from marksearch.watch import Backoff, WatchStore, deliver, run_watches, sign, verify
from marksearch.watch.delivery import http_post
from marksearch.watch.storage import utcnow
from tests.test_watch_helpers import (  # noqa: F401
    SECRET,
    Receiver,
    expected_signature,
    receiver,
    register,
)

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand: backoff is checked without waiting."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Sender:
    """A sender that records what it would send and answers the statuses it is given (then 200)."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        self.sent.append((url, body, dict(headers)))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def store(register: str) -> Iterator[Store]:  # noqa: F811
    with open_store(register) as s:
        yield s


def filings(store: Store, *texts: str) -> None:
    records = [Record(office="EM", application_number=f"n{i}-{t}", verbal_elements=(VerbalElement(t),),
                      nice_classes=(32,), as_of="2025-01-01") for i, t in enumerate(texts)]
    store.write(records, [record_keys(r) for r in records])


def watched(store: Store, url: str = "https://hooks.example/in") -> WatchStore:
    ws = WatchStore(store)
    ws.add_portfolio("acme", webhook_url=url, webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    ws.add_watch("other", "KOKA", classes=(32,))  # no webhook: alerts, no deliveries
    return ws


def test_each_alert_is_posted_signed_with_an_id_and_a_timestamp(store: Store) -> None:
    ws = watched(store)
    filings(store, "COCA", "KOKO", "PEPSI")
    clock, send = Clock(), Sender()
    run_watches(store, clock=clock)
    summary = deliver(store, clock=clock, send=send)
    assert summary.delivered == 2 == len(send.sent) and summary.pending == 0
    alerts = {a.id: a for a in ws.alerts(portfolio="acme")}
    for url, body, headers in send.sent:
        assert url == "https://hooks.example/in"
        assert headers["X-Marksearch-Timestamp"] == str(int(T0.timestamp()))
        assert headers["X-Marksearch-Signature"] == expected_signature(SECRET, headers["X-Marksearch-Timestamp"],
                                                                       body)
        assert verify(SECRET, body, headers["X-Marksearch-Timestamp"], headers["X-Marksearch-Signature"],
                      now=T0.timestamp())
        payload = json.loads(body)
        assert payload["id"] == headers["X-Marksearch-Delivery"] and payload["event"] == "alert.created"
        assert payload["portfolio"]["name"] == "acme" and payload["watch"]["text"] == "KOKA"
        assert payload["alert"]["id"] in alerts and payload["alert"]["reasons"]
    assert len({h["X-Marksearch-Delivery"] for _, _, h in send.sent}) == 2
    assert deliver(store, clock=clock, send=send).attempted == 0  # delivered once, never again


def test_a_bad_signature_or_an_old_timestamp_does_not_verify() -> None:
    body = b'{"id": "x"}'
    good = sign(SECRET, 1000, body)
    assert verify(SECRET, body, "1000", good, now=1000)
    assert not verify(SECRET, body + b" ", "1000", good, now=1000)
    assert not verify("another-secret-123456", body, "1000", good, now=1000)
    assert not verify(SECRET, body, "1001", good, now=1000)
    assert not verify(SECRET, body, "1000", good, now=1000 + 301)
    assert not verify(SECRET, body, "soon", good, now=1000)


def test_failures_are_retried_with_exponential_backoff_until_a_2xx(store: Store) -> None:
    watched(store)
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    send = Sender(500, ConnectionRefusedError("refused"), 302, 202)
    first = deliver(store, clock=clock, send=send)
    assert (first.attempted, first.failed, first.pending) == (1, 1, 1) and "HTTP 500" in first.errors[0]
    (waiting,) = WatchStore(store).deliveries()
    assert waiting.attempts == 1 and waiting.next_attempt.startswith("2025-03-01T09:00:30")

    for wait, error in ((29, None), (1, "refused"), (59, None), (1, "HTTP 302")):
        clock.advance(wait)
        again = deliver(store, clock=clock, send=send)
        assert again.attempted == (1 if error else 0), wait
        if error:
            assert error in again.errors[0]
    clock.advance(120)  # third failure: two minutes
    done = deliver(store, clock=clock, send=send)
    assert (done.delivered, done.pending) == (1, 0) and len(send.sent) == 4
    assert len({h["X-Marksearch-Delivery"] for _, _, h in send.sent}) == 1  # one delivery, four attempts
    assert len({body for _, body, _ in send.sent}) == 1  # the same bytes every time
    assert WatchStore(store).deliveries(pending=False)[0].attempts == 4


def test_backoff_doubles_up_to_its_cap() -> None:
    b = Backoff(base=dt.timedelta(seconds=10), cap=dt.timedelta(minutes=1))
    assert [b.delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_a_delivery_being_sent_is_leased(store: Store) -> None:
    ws = watched(store)
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    claimed = ws.claim_due(clock(), lease=dt.timedelta(minutes=1))
    assert len(claimed) == 1
    assert ws.claim_due(clock(), lease=dt.timedelta(minutes=1)) == []  # another sender leaves it alone
    clock.advance(61)  # the first sender died: after the lease it is sent again
    assert deliver(store, clock=clock, send=Sender()).delivered == 1


def test_unsetting_a_webhook_drops_what_was_not_delivered(store: Store) -> None:
    ws = watched(store)
    filings(store, "COCA")
    run_watches(store)
    assert len(ws.deliveries()) == 1
    ws.change_portfolio("acme", unset_webhook=True)
    assert ws.deliveries() == [] and deliver(store, send=Sender()).attempted == 0


def test_retry_now_makes_every_waiting_delivery_due(store: Store) -> None:
    ws = watched(store)
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    deliver(store, clock=clock, send=Sender(503))
    assert deliver(store, clock=clock, send=Sender()).attempted == 0
    assert ws.retry_now(clock()) == 1
    assert deliver(store, clock=clock, send=Sender()).delivered == 1


def test_the_receiver_down_then_up_gets_every_alert_exactly_once(store: Store, receiver: Receiver) -> None:  # noqa: F811
    ws = watched(store, receiver.url)
    clock = Clock()
    filings(store, "COCA", "KOKO")
    run_watches(store, clock=clock)
    assert deliver(store, clock=clock).delivered == 2

    receiver.stop()  # down: refused connections
    filings(store, "KOKA", "COKA", "KOKAA")
    run_watches(store, clock=clock)
    down = deliver(store, clock=clock, timeout=2)  # tried once; the other two wait, due, untouched
    assert (down.delivered, down.failed, down.pending, down.deferred) == (0, 1, 3, 2)
    clock.advance(30)
    still = deliver(store, clock=clock, timeout=2)
    assert (still.failed, still.deferred) == (1, 2)  # still down

    receiver.start()  # up again, on the same port, answering 500 once
    receiver.fail_next = 1
    clock.advance(60)
    up = deliver(store, clock=clock)
    assert (up.delivered, up.failed, up.pending) == (2, 1, 1)
    clock.advance(120)
    assert deliver(store, clock=clock).delivered == 1
    clock.advance(3600)
    assert deliver(store, clock=clock).attempted == 0

    ids = receiver.delivery_ids()
    assert len(ids) == len(set(ids)) == len(ws.alerts(portfolio="acme")) == 5
    assert all(p["valid"] for p in receiver.posts) and all(p["path"] == "/hook" for p in receiver.posts)


def test_http_post_reports_a_refused_connection_as_an_oserror(receiver: Receiver) -> None:  # noqa: F811
    assert http_post(receiver.url, b"{}", {"Content-Type": "application/json"}, 5) == 204
    receiver.stop()
    with pytest.raises(OSError):
        http_post(receiver.url, b"{}", {}, 2)


def test_a_host_that_does_not_answer_is_tried_once_a_run(store: Store) -> None:
    """A receiver that never answers costs one timeout a run, not one per delivery waiting for it:
    its host's other deliveries (of every portfolio sending there) are left due and untouched, for
    the next run; other hosts are still sent to, and nothing is lost or sent twice."""
    ws = WatchStore(store)
    for name, url in (("acme", "https://stuck.example/a"), ("acme-2", "https://STUCK.example:443/b"),
                      ("fine", "https://fine.example/in")):
        ws.add_portfolio(name, webhook_url=url, webhook_secret=SECRET)
        ws.add_watch(name, "KOKA", classes=(32,))
    filings(store, "COCA", "KOKO", "KOKAA")
    clock = Clock()
    run_watches(store, clock=clock)
    sent: list[str] = []

    def send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        sent.append(headers["X-Marksearch-Delivery"])
        if "stuck" in url:
            raise TimeoutError("timed out")
        return 200

    first = deliver(store, clock=clock, send=send)
    assert (first.attempted, first.delivered, first.failed, first.deferred) == (4, 3, 1, 5)
    assert "did not answer (stuck.example)" in first.errors[-1]
    waiting = ws.deliveries()
    assert len(waiting) == 6 and sorted(d.attempts for d in waiting) == [0, 0, 0, 0, 0, 1]
    assert all(d.next_attempt == "2025-03-01T09:00:00.000000Z" for d in waiting if not d.attempts)
    second = deliver(store, clock=clock, send=send)  # the next run tries the host once again
    assert (second.attempted, second.failed, second.deferred) == (1, 1, 4)

    clock.advance(3600)
    third = deliver(store, clock=clock, send=lambda url, body, headers, timeout: sent.append(
        headers["X-Marksearch-Delivery"]) or 204)
    assert (third.delivered, third.pending, third.deferred) == (6, 0, 0)
    delivered = [d.delivery_id for d in ws.deliveries(pending=False)]
    assert len(delivered) == 9 and sorted(set(sent[-6:])) == sorted(d.delivery_id for d in waiting)


def test_retry_now_leaves_a_delivery_being_sent_alone(store: Store) -> None:
    """``watch deliver --retry-now`` while another sender holds a delivery (leased, being sent) must
    not make it due: a second sender would send it too, and the first one's failure would be lost."""
    ws = watched(store)
    filings(store, "COCA", "KOKO")
    clock = Clock()
    run_watches(store, clock=clock)
    (held,) = ws.claim_due(clock(), lease=dt.timedelta(minutes=1), limit=1)  # the first sender's
    assert ws.retry_now(clock()) == 1  # the other one only
    assert {d.id: d.next_attempt for d in ws.deliveries()}[held.id] == held.next_attempt
    second = Sender()
    assert deliver(store, clock=clock, send=second).delivered == 1  # the one not held
    assert held.delivery_id not in {h["X-Marksearch-Delivery"] for _, _, h in second.sent}
    ws.failed(held, "HTTP 503", clock() + dt.timedelta(seconds=30))  # the first sender's failure counts
    (waiting,) = ws.deliveries()
    assert (waiting.attempts, waiting.last_error) == (1, "HTTP 503")
    assert waiting.next_attempt == "2025-03-01T09:00:30.000000Z"
    assert ws.retry_now(clock()) == 1  # no longer held: made due
    clock.advance(61)
    assert deliver(store, clock=clock, send=Sender()).delivered == 1


def test_an_outbox_of_an_earlier_version_gets_the_lease_column(tmp_path: Path) -> None:
    import sqlite3

    path = str(tmp_path / "old.sqlite")
    with open_store(path) as store:
        watched(store)
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE watch_outbox DROP COLUMN leased_until")
    with open_store(path) as store:
        ws = WatchStore(store)
        filings(store, "COCA")
        run_watches(store)
        assert ws.retry_now(utcnow()) == 1 and deliver(store, send=Sender()).delivered == 1
