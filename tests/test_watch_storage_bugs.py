"""Watch fixes, each with the case that showed it: webhook URLs the sender cannot use, one bad
delivery stopping the others, two senders sending a delivery twice, the same wording watched twice,
deliveries left behind by a watched mark moved to another portfolio, ids past 64 bits, a threshold
typed from a shown score, portfolio names with spaces around them, booleans taken for numbers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marksearch.cli import cli
from marksearch.errors import UsageError
from marksearch.ingest import record_keys
from marksearch.records import Record, VerbalElement
from marksearch.search import Searcher
from marksearch.store import IndexRow, Store, open_store
from marksearch.text import mark_keys
from marksearch.watch import WatchStore, after_ingest, backfill, deliver, run_watches
from marksearch.watch.delivery import connection, http_post
from marksearch.watch.match import (
    WatchedMark,
    WatchIndex,
    _prepare,
    exhaustive_matches,
    match_register,
    row_candidate,
)
from marksearch.watch.storage import check_webhook_url, wording
from tests.test_watch_delivery import T0, Clock
from tests.test_watch_helpers import (  # noqa: F401 - fixtures
    SECRET,
    Receiver,
    expected_signature,
    receiver,
    register,
)

OTHER_SECRET = "another-secret-0123456789"
HUGE = "99999999999999999999"  # past a signed 64-bit integer


class Sender:
    """Records what it sends and answers 200, each send taking ``takes`` seconds of ``clock``."""

    def __init__(self, clock: Clock | None = None, *, takes: float = 0.0) -> None:
        self.clock, self.takes = clock, takes
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        self.sent.append((url, body, dict(headers)))
        if self.clock is not None:
            self.clock.advance(self.takes)
        return 200


@pytest.fixture
def store(register: str) -> Iterator[Store]:  # noqa: F811
    with open_store(register) as s:
        yield s


def filings(store: Store, *texts: str, classes: tuple[int, ...] = (32,)) -> None:
    records = [Record(office="EM", application_number=f"n{i}-{t}", verbal_elements=(VerbalElement(t),),
                      nice_classes=classes, as_of="2025-01-01") for i, t in enumerate(texts)]
    store.write(records, [record_keys(r) for r in records])


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def store_url_unchecked(ws: WatchStore, portfolio: str, url: str) -> None:
    """A webhook URL put there before the check refused it (an older version stored it)."""
    ws.execute("UPDATE watch_portfolios SET webhook_url = ?, webhook_secret = ? WHERE name = ?",
               (url, SECRET, portfolio))


# -- 1. webhook URLs the sender cannot use; one bad delivery never stops the others ---------------------

BAD_URLS = [
    ("http://a..b/x", "empty label"),
    ("http://" + "a" * 64 + ".example/hook", "IDNA"),
    ("http://-hook.example/x", "hyphen"),
    ("http://exa mple.com/\r\nX: y", "space or a control character"),
    ("http://127.0.0.1:18773/a b", "space or a control character"),
    ("http://127.0.0.1:18773/a\tb", "space or a control character"),
    ("http://hook\u200b.example/", "space or a control character"),
    ("http://[fe80::1%25eth0]/", "with a zone"),  # the brackets skipped the host check
    ("http://[fe80::1%eth0]/", "with a zone"),
    ("http://999.999.999.999/", "not an IPv4 address"),  # labels of digits passed as a domain name
    ("http://1.2.3/", "not an IPv4 address"),
    ("http://hooks.123/", "not an IPv4 address"),
    ("http://127.0.0.1./x", "not an IPv4 address"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_webhook_url_the_sender_cannot_use_is_refused(url: str, message: str) -> None:
    ws = WatchStore(open_store(":memory:"))
    with pytest.raises(UsageError, match=message) as caught:
        ws.add_portfolio("acme", webhook_url=url, webhook_secret=SECRET)
    assert "\n" not in str(caught.value)  # one line, the URL shown escaped
    assert ws.portfolios() == []
    ws.add_portfolio("acme")
    with pytest.raises(UsageError, match=message):
        ws.change_portfolio("acme", webhook_url=url, webhook_secret=SECRET)
    assert ws.portfolio("acme").webhook_url is None


def empty_register(path: Path) -> str:
    """A register with no records (the watch commands refuse a path where there is none)."""
    with open_store(str(path)):
        pass
    return str(path)


def test_the_cli_refuses_a_bad_webhook_url_in_one_line(tmp_path: Path) -> None:
    db = empty_register(tmp_path / "reg.sqlite")
    assert run_cli("watch", "portfolio", "add", "acme", "--db", db)[0] == 0
    code, _, err = run_cli("watch", "portfolio", "webhook", "acme", "http://a..b/x", "--db", db)
    assert code == 2 and err.startswith("marksearch: error: the webhook URL 'http://a..b/x'")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_non_ascii_after_the_host_is_percent_encoded_and_an_idn_host_kept() -> None:
    assert check_webhook_url("http://127.0.0.1:18774/marké") == "http://127.0.0.1:18774/mark%C3%A9"
    assert check_webhook_url(" https://bücher.example/in?q=ü&r=%20 ") == "https://bücher.example/in?q=%C3%BC&r=%20"
    assert check_webhook_url("http://[::1]:8080/hook") == "http://[::1]:8080/hook"
    assert check_webhook_url("https://hooks.example./in_1") == "https://hooks.example./in_1"


def test_what_the_check_lets_through_the_sender_can_send(receiver: Receiver) -> None:  # noqa: F811
    url = check_webhook_url(receiver.url + "/marké?q=ü")
    assert http_post(url, b"{}", {"Content-Type": "application/json"}, 5) == 204
    assert receiver.posts[-1]["path"] == "/hook/mark%C3%A9?q=%C3%BC"


@pytest.mark.parametrize(("url", "host", "port"), [
    ("http://[::1]/hook", "::1", 80), ("https://[2001:db8::abcd]/in", "2001:db8::abcd", 443),
    ("http://[::ffff:1.2.3.4]/", "::ffff:1.2.3.4", 80), ("http://[::1]:8080/h", "::1", 8080),
    ("https://hooks.example/in", "hooks.example", 443), ("http://127.0.0.1/h", "127.0.0.1", 80),
])
def test_a_webhook_without_a_port_is_sent_to_its_schemes_port(url: str, host: str, port: int) -> None:
    """The check accepts an IPv6 address in brackets without a port (docs/watch.md); http.client, given
    no port, read the address's last group as one (``::1``: host ``:``, port 1), so it was never sent."""
    conn = connection(url, 2)
    assert (conn.host, conn.port) == (host, port)
    assert check_webhook_url(url) == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/marké", "http://a..b/x", "http://" + "a" * 64 + ".example/h",
                                 "http://exa mple.com/\r\nX: y", "http://127.0.0.1:9/a b", "http://h:99999/"])
def test_http_post_turns_any_bad_url_into_an_oserror(url: str) -> None:
    with pytest.raises(OSError):
        http_post(url, b"{}", {}, 2)


def test_a_delivery_that_cannot_be_sent_fails_alone_and_is_retried(store: Store, receiver: Receiver) -> None:  # noqa: F811
    ws = WatchStore(store)
    for name in ("bad1", "bad2", "bad3", "good"):
        ws.add_portfolio(name, webhook_url=receiver.url, webhook_secret=SECRET)
        ws.add_watch(name, "KOKA", classes=(32,))
    store_url_unchecked(ws, "bad1", f"http://127.0.0.1:{receiver.port}/marké")
    store_url_unchecked(ws, "bad2", "http://a..b/x")
    store_url_unchecked(ws, "bad3", "http://exa mple.com/\r\nX: y")
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    summary = deliver(store, clock=clock)
    assert (summary.attempted, summary.delivered, summary.failed, summary.pending) == (4, 1, 3, 3)
    assert len(receiver.delivered()) == 1 and receiver.posts[0]["valid"]
    waiting = ws.deliveries()
    assert [d.attempts for d in waiting] == [1, 1, 1] and all(d.last_error for d in waiting)
    assert {d.next_attempt for d in waiting} == {"2025-03-01T09:00:30.000000Z"}  # the backoff, as other failures
    clock.advance(30)
    assert deliver(store, clock=clock).failed == 3  # retried, failing again, still not stopping anything


def test_a_sender_that_raises_anything_is_a_failed_attempt(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("acme", webhook_url="https://hooks.example/in", webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    filings(store, "COCA", "KOKO")
    clock = Clock()
    run_watches(store, clock=clock)
    calls: list[str] = []

    def send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        calls.append(headers["X-Marksearch-Delivery"])
        if len(calls) == 1:
            raise UnicodeEncodeError("ascii", "é", 0, 1, "ordinal not in range(128)")
        return 204

    summary = deliver(store, clock=clock, send=send)
    assert (summary.delivered, summary.failed, summary.pending) == (1, 1, 1)
    assert "UnicodeEncodeError" in summary.errors[0]
    (waiting,) = ws.deliveries()
    assert waiting.attempts == 1 and waiting.delivery_id == calls[0]


def test_an_ingest_with_a_bad_stored_url_ends_without_a_traceback(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("acme")
    ws.add_watch("acme", "KOKA", classes=(32,))
    store_url_unchecked(ws, "acme", "http://a..b/x")
    filings(store, "COCA")
    result = after_ingest(store)
    assert result is not None and result["run"]["created"] == 1
    assert result["delivery"]["failed"] == 1 and result["delivery"]["pending"] == 1


# -- 2. two senders at once send a delivery once -----------------------------------------------------------


def test_two_senders_at_once_never_send_a_delivery_twice(store: Store) -> None:
    """Each send takes 40 s of a 60 s lease.  While the first sender sends its second delivery
    (80 s after it began), a second sender runs: a lease taken for a whole batch would have run
    out for the deliveries not sent yet, and both senders would send them."""
    ws = WatchStore(store)
    ws.add_portfolio("acme", webhook_url="https://hooks.example/in", webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    filings(store, "COCA", "KOKO", "COKA", "KOKAA")
    clock = Clock()
    run_watches(store, clock=clock)
    assert len(ws.deliveries()) == 4
    first, second = Sender(clock, takes=40), Sender(clock, takes=40)

    def first_send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        answer = first(url, body, headers, timeout)
        if len(first.sent) == 2:  # mid-way through the first sender's run
            deliver(store, clock=clock, send=second, timeout=10)
        return answer

    deliver(store, clock=clock, send=first_send, timeout=10)
    sent = [h["X-Marksearch-Delivery"] for _, _, h in first.sent + second.sent]
    assert sorted(sent) == sorted(d.delivery_id for d in ws.deliveries(pending=False))
    assert len(sent) == len(set(sent)) == 4 and second.sent  # each sent once, by one sender or the other
    assert ws.deliveries() == []


def test_a_delivery_is_claimed_just_before_it_is_sent(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("acme", webhook_url="https://hooks.example/in", webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    filings(store, "COCA", "KOKO", "COKA")
    clock = Clock()
    run_watches(store, clock=clock)
    leases: list[list[str]] = []

    def send(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        leases.append(sorted(d.next_attempt for d in ws.deliveries()))
        clock.advance(50)
        return 200

    deliver(store, clock=clock, send=send, timeout=10)
    # while each is sent, only it is leased (a minute from when it was claimed); the others wait, due
    assert leases == [["2025-03-01T09:00:00.000000Z", "2025-03-01T09:00:00.000000Z", "2025-03-01T09:01:00.000000Z"],
                      ["2025-03-01T09:00:00.000000Z", "2025-03-01T09:01:50.000000Z"],
                      ["2025-03-01T09:02:40.000000Z"]]


def test_a_sender_whose_lease_ran_out_does_not_overwrite_the_next_one(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("acme", webhook_url="https://hooks.example/in", webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    filings(store, "COCA")
    run_watches(store, clock=Clock())
    lease = dt.timedelta(minutes=1)
    late = ws.claim_next(T0, lease=lease)
    later = ws.claim_next(T0 + dt.timedelta(minutes=2), lease=lease)  # the first lease ran out
    assert late is not None and later is not None and later.id == late.id
    ws.failed(late, "timed out", T0 + dt.timedelta(minutes=3))  # the first sender gives up, too late
    (waiting,) = ws.deliveries()
    assert waiting.next_attempt == later.next_attempt and waiting.attempts == 0  # the second one's lease holds
    ws.failed(later, "HTTP 500", T0 + dt.timedelta(minutes=4))
    (waiting,) = ws.deliveries()
    assert waiting.attempts == 1 and waiting.last_error == "HTTP 500"


# -- 3. the same wording, as the keys read it, is watched once ----------------------------------------------


@pytest.mark.parametrize("twin", ["KO-KA", "Kóka", "K O K A", "koka", "K.O.K.A."])
def test_the_same_wording_as_the_keys_read_it_is_refused(store: Store, twin: str) -> None:
    ws = WatchStore(store)
    first = ws.add_watch("acme", "KOKA", classes=(32,))
    with pytest.raises(UsageError, match=f"as watched mark #{first.id}"):
        ws.add_watch("acme", twin, classes=(32,), threshold=0.8)
    other = ws.add_watch("acme", "KOKO", classes=(32,))
    with pytest.raises(UsageError, match="already watched"):
        ws.change_watch(other.id, text=twin)
    ws.add_watch("acme", twin, classes=(33,))  # other classes, another portfolio: allowed, as before
    ws.add_watch("other", twin, classes=(32,))
    assert len(ws.watches()) == 4


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_wording_is_the_plain_key(text: str) -> None:
    assert wording(text) == mark_keys(text).plain


# -- 4. a watched mark moved to another portfolio takes its pending deliveries along ---------------------------


def test_moving_a_watch_sends_its_pending_deliveries_to_the_new_portfolio(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("old", webhook_url="https://old.example/in", webhook_secret=SECRET)
    new = ws.add_portfolio("new", webhook_url="https://new.example/in", webhook_secret=OTHER_SECRET)
    watch = ws.add_watch("old", "KOKA", classes=(32,))
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    deliver(store, clock=clock, send=Sender())  # COCA: delivered to the old portfolio
    filings(store, "KOKO")
    run_watches(store, clock=clock)
    failing = deliver(store, clock=clock, send=lambda *_: 503)  # KOKO: waits, failed once
    assert failing.failed == 1
    (waiting,) = ws.deliveries()

    ws.change_watch(watch.id, portfolio="new", now=T0 + dt.timedelta(minutes=5))
    (moved,) = ws.deliveries()
    assert (moved.delivery_id, moved.portfolio_id, moved.attempts) == (waiting.delivery_id, new.id, 0)
    assert moved.next_attempt == "2025-03-01T09:05:00.000000Z"  # due now, at a receiver that never saw it
    ws.delete_portfolio("old")  # nothing it held is pending any more: nothing lost
    send = Sender()
    clock.advance(300)
    assert deliver(store, clock=clock, send=send).delivered == 1
    ((url, body, headers),) = send.sent
    assert url == "https://new.example/in" and headers["X-Marksearch-Delivery"] == waiting.delivery_id
    assert headers["X-Marksearch-Signature"] == expected_signature(OTHER_SECRET, headers["X-Marksearch-Timestamp"],
                                                                   body)
    payload = json.loads(body)
    assert payload["portfolio"] == {"id": new.id, "name": "new"}
    assert payload["watch"]["portfolio"] == payload["alert"]["portfolio"] == "new"
    assert payload["alert"]["mark_text"] == "KOKO"


def test_moving_a_watch_to_a_portfolio_without_a_webhook_drops_its_deliveries_not_its_alerts(
        store: Store) -> None:
    ws = WatchStore(store)
    ws.add_portfolio("old", webhook_url="https://old.example/in", webhook_secret=SECRET)
    watch = ws.add_watch("old", "KOKA", classes=(32,))
    stays = ws.add_watch("old", "COCA", classes=(32,))
    filings(store, "COCA")
    run_watches(store)
    assert len(ws.deliveries()) == 2
    ws.change_watch(watch.id, portfolio="plain")  # made now, without a webhook
    (left,) = ws.deliveries()
    assert json.loads(left.body)["watch"]["id"] == stays.id  # the other watch's delivery is untouched
    assert [a.portfolio for a in ws.alerts(watch_id=watch.id)] == ["plain"]


def test_renaming_a_portfolio_renames_it_in_its_deliveries_not_yet_made(store: Store) -> None:
    ws = WatchStore(store)
    acme = ws.add_portfolio("acme", webhook_url="https://acme.example/in", webhook_secret=SECRET)
    ws.add_watch("acme", "KOKA", classes=(32,))
    filings(store, "COCA")
    clock = Clock()
    run_watches(store, clock=clock)
    deliver(store, clock=clock, send=Sender())  # COCA: delivered under the old name, history as it was
    filings(store, "KOKO")
    run_watches(store, clock=clock)
    assert deliver(store, clock=clock, send=lambda *_: 503).failed == 1  # KOKO waits

    ws.change_portfolio("acme", new_name="acme-legal")
    clock.advance(3600)
    send = Sender()
    assert deliver(store, clock=clock, send=send).delivered == 1
    ((_, body, headers),) = send.sent
    assert headers["X-Marksearch-Signature"] == expected_signature(SECRET, headers["X-Marksearch-Timestamp"], body)
    payload = json.loads(body)
    assert payload["portfolio"] == {"id": acme.id, "name": "acme-legal"}
    assert payload["watch"]["portfolio"] == payload["alert"]["portfolio"] == "acme-legal"
    assert payload["alert"]["mark_text"] == "KOKO"
    assert [a.portfolio for a in ws.alerts()] == ["acme-legal", "acme-legal"]


# -- 5. ids past 64 bits name nothing -------------------------------------------------------------------------


def test_ids_past_64_bits_name_nothing(store: Store) -> None:
    ws = WatchStore(store)
    huge = int(HUGE)
    for call in (lambda: ws.watch(huge), lambda: ws.change_watch(huge, threshold=0.5),
                 lambda: ws.delete_watch(huge), lambda: backfill(store, [huge])):
        with pytest.raises(UsageError, match=f"no watched mark {huge}"):
            call()
    assert ws.alerts(ids=[huge, -huge]) == [] and ws.alerts(watch_id=huge) == []
    assert ws.count_alerts(watch_id=huge) == 0 and ws.mark_seen(ids=[huge]) == 0
    assert ws.portfolio_by_id(huge) is None


@pytest.mark.parametrize(("args", "message"), [
    (["seen", HUGE], f"no alert {HUGE}"),
    (["delete", HUGE], f"no watched mark {HUGE}"),
    (["change", HUGE, "--threshold", "0.5"], f"no watched mark {HUGE}"),
    (["alerts", "--watch", HUGE], f"no watched mark {HUGE}"),
    (["run", "--watch", HUGE], f"no watched mark {HUGE}"),
    (["alerts", "--watch", "7"], "no watched mark 7"),
])
def test_the_cli_says_an_id_past_64_bits_names_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = run_cli("watch", *args, "--db", empty_register(tmp_path / "reg.sqlite"))
    assert code == 2 and err.startswith(f"marksearch: error: {message} (marksearch watch ")
    assert len(err.splitlines()) == 1


# -- 6. a threshold typed from a shown score catches that filing -----------------------------------------------


def shown_score(watch_text: str, filing_text: str) -> tuple[float, float]:
    """The raw score of a filing of class 32 against a watch of class 32, and as it is shown."""
    prepared = _prepare(WatchedMark(1, watch_text, (32,)), Searcher(open_store(":memory:")).model)
    row = IndexRow(1, "EM", "1", "pending", "word", None, (32,), mark_keys(filing_text).to_dict())
    raw = prepared.scorer.score(row_candidate(row))
    return raw, round(raw, 4)


def one_more(shown: float) -> float:
    """A 4-place threshold one more in the last place than ``shown`` (0.7259: 0.7261, since 0.726
    is a 3-place threshold, which a score shown 0.726 on the command line reaches)."""
    above = round(shown + 0.0001, 4)
    return above if round(above, 3) != above else round(above + 0.0001, 4)


def test_a_threshold_typed_from_the_shown_score_alerts(store: Store) -> None:
    raw, shown = shown_score("KOKA", "KOKIA")
    assert raw < shown  # 0.83436... shown as 0.8344: the raw score is below what was typed
    filings(store, "KOKIA", "KOKO")
    ws = WatchStore(store)
    watch = ws.add_watch("acme", "KOKA", classes=(32,), threshold=shown)
    backfill(store, [watch.id])
    assert [(a.mark_text, a.score) for a in ws.alerts()] == [("KOKIA", shown)]
    above = ws.add_watch("other", "KOKA", classes=(32,), threshold=one_more(shown))
    backfill(store, [above.id])
    assert ws.alerts(watch_id=above.id) == []  # one more in the last place: not reached


def test_a_run_over_new_filings_uses_the_shown_score_too(store: Store) -> None:
    _, shown = shown_score("KOKA", "KOKIA")
    ws = WatchStore(store)
    ws.add_watch("acme", "KOKA", classes=(32,), threshold=shown)
    filings(store, "KOKIA")
    assert run_watches(store).created == 1


@pytest.mark.parametrize(("watch_text", "filing_text"), [("KOKA", "KOKIA"), ("KOKA", "COKA"), ("KOKA", "KIKA"),
                                                         ("KOKA", "KODAK")])
def test_the_fast_paths_and_the_reference_agree_at_the_shown_threshold(watch_text: str, filing_text: str) -> None:
    raw, shown = shown_score(watch_text, filing_text)
    assert raw < shown
    rows = [IndexRow(1, "EM", "1", "pending", "word", None, (32,), mark_keys(filing_text).to_dict())]
    store = open_store(":memory:")
    records = [Record(office="EM", application_number="1", verbal_elements=(VerbalElement(filing_text),),
                      nice_classes=(32,))]
    store.write(records, [record_keys(r) for r in records])
    for threshold, found in ((shown, 1), (one_more(shown), 0), (round(raw, 3), 1)):
        watched = WatchedMark(1, watch_text, (32,), threshold=threshold)
        expected = exhaustive_matches([watched], rows)
        assert len(expected) == found
        assert [m.record_id for m in WatchIndex([watched]).match(rows)] == [m.record_id for m in expected]
        assert len(match_register(watched, Searcher(store, persist=False))) == found


# -- 7. portfolio names: spaces around them aside, everywhere -----------------------------------------------------


def test_a_portfolio_is_found_by_its_name_with_spaces_around(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_watch(" acme ", "KOKA", classes=(32,))
    filings(store, "COCA")
    run_watches(store)
    assert ws.portfolio("  acme\t").name == "acme"
    assert [w.text for w in ws.watches(portfolio=" acme ")] == ["KOKA"]
    assert len(ws.alerts(portfolio=" acme ")) == ws.count_alerts(portfolio=" acme ") == 1
    ws.change_portfolio(" acme ", webhook_url="https://hooks.example/in", webhook_secret=SECRET)
    assert ws.mark_seen(portfolio=" acme ") == 1
    assert ws.change_portfolio(" acme ", new_name=" acme-legal ").name == "acme-legal"
    assert ws.delete_portfolio(" acme-legal ").name == "acme-legal"
    with pytest.raises(UsageError, match="no portfolio"):
        ws.portfolio("ac\x00me")


def test_the_cli_finds_a_portfolio_by_its_name_with_spaces_around(tmp_path: Path) -> None:
    db = empty_register(tmp_path / "reg.sqlite")
    assert run_cli("watch", "portfolio", "add", " acme ", "--db", db)[0] == 0
    assert run_cli("watch", "add", "KOKA", "--portfolio", " acme ", "--db", db)[0] == 0
    code, out, _ = run_cli("watch", "list", "--portfolio", " acme ", "--json", "--db", db)
    assert code == 0 and [w["portfolio"] for w in json.loads(out)] == ["acme"]
    code, out, err = run_cli("watch", "portfolio", "webhook", " acme ", "https://hooks.example/in", "--db", db)
    assert code == 0, err
    assert run_cli("watch", "alerts", "--portfolio", " acme ", "--db", db)[0] == 0


# -- 8. booleans are not numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"threshold": True}, "threshold must be a number"),
    ({"threshold": False}, "threshold must be a number"),
    ({"classes": (True,)}, "Nice class is a number from 1 to 45, not True"),
    ({"classes": (3.5,)}, "Nice class is a number from 1 to 45, not 3.5"),
])
def test_booleans_are_not_taken_for_numbers(kwargs: dict[str, object], message: str) -> None:
    ws = WatchStore(open_store(":memory:"))
    with pytest.raises(UsageError, match=message):
        ws.add_watch("acme", "KOKA", **kwargs)  # type: ignore[arg-type]
    watch = ws.add_watch("acme", "KOKA")
    with pytest.raises(UsageError, match=message):
        ws.change_watch(watch.id, **kwargs)  # type: ignore[arg-type]
    assert ws.watch(watch.id).threshold == 0.7 and ws.watch(watch.id).classes == ()
