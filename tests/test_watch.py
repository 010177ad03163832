"""Watch lists and alerts over every back-end: tables on first use, CRUD, runs over the change log,
de-duplication, changed filings, backfill, seen/new."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from marksearch.errors import UsageError
from marksearch.ingest import ingest, record_keys
from marksearch.records import Record, Status, VerbalElement
from marksearch.store import Store, open_store
from marksearch.watch import WatchStore, backfill, run_watches
from marksearch.watch.match import Match
from tests.test_watch_helpers import WATCHED, batches, register  # noqa: F401 - the fixture

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(register: str) -> Iterator[Store]:  # noqa: F811 - the fixture imported above
    with open_store(register) as s:
        yield s


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    return batches(tmp_path)


def load(store: Store, path: Path) -> None:
    ingest(store, [path], format="jsonl", workers=1)


def watch_all(ws: WatchStore) -> None:
    for portfolio, text, classes in WATCHED:
        ws.add_watch(portfolio, text, classes=classes, now=T0)


def pairs(ws: WatchStore) -> list[tuple[str, str, str]]:
    return sorted((a.watch_text, a.office, a.application_number) for a in ws.alerts())


# -- tables and lists -------------------------------------------------------------------------------------


def test_tables_are_made_on_first_use_only(store: Store) -> None:
    assert WatchStore.existing(store) is None
    ws = WatchStore(store)
    assert WatchStore.existing(store) is not None
    assert ws.portfolios() == [] and ws.watches() == [] and ws.alerts() == []
    WatchStore(store)  # again: nothing to make, nothing lost


def test_portfolios_and_watched_marks_are_listed_changed_and_deleted(store: Store) -> None:
    ws = WatchStore(store)
    acme = ws.add_portfolio("acme", webhook_url="https://hooks.example/x", webhook_secret="s" * 20)
    assert acme.to_dict()["webhook_secret_set"] and "webhook_secret" not in acme.to_dict()
    koka = ws.add_watch("acme", "KOKA", classes=(32, 33), offices=("em", "US"), threshold=0.8)
    coffee = ws.add_watch("beans", "LION", goods="coffee; tea")  # a new portfolio, classes read from the goods
    assert (koka.classes, koka.offices, koka.threshold) == ((32, 33), ("EM", "US"), 0.8)
    assert coffee.classes == (30,) and coffee.goods == "coffee; tea" and coffee.portfolio == "beans"
    assert [p.name for p in ws.portfolios()] == ["acme", "beans"]
    assert [w.text for w in ws.watches(portfolio="acme")] == ["KOKA"]

    changed = ws.change_watch(koka.id, text="COCA", offices=(), threshold=0.75, portfolio="beans")
    assert (changed.text, changed.offices, changed.threshold, changed.portfolio) == ("COCA", (), 0.75, "beans")
    assert changed.classes == (32, 33)
    renamed = ws.change_portfolio("acme", new_name="acme-inc", unset_webhook=True)
    assert renamed.webhook_url is None and renamed.watches == 0

    ws.delete_watch(coffee.id)
    assert [w.text for w in ws.watches()] == ["COCA"]
    ws.delete_portfolio("beans")
    assert ws.watches() == [] and [p.name for p in ws.portfolios()] == ["acme-inc"]


def test_the_same_mark_is_not_watched_twice_in_a_portfolio(store: Store) -> None:
    # Two identical watches raise every alert twice; wording differences the keys do not read
    # (case, hyphens) and a second threshold do not make another watch.
    ws = WatchStore(store)
    first = ws.add_watch("acme", "TERRA NOVA", classes=(3,), offices=("EM", "US"))
    for again in ({"text": "Terra-Nova"}, {"threshold": 0.9}, {"offices": ("us", "em")}):
        args: dict[str, object] = {"text": "TERRA NOVA", "classes": (3,), "offices": ("EM", "US"), **again}
        with pytest.raises(UsageError, match=f"already watched .* as watched mark #{first.id}"):
            ws.add_watch("acme", **args)  # type: ignore[arg-type]
    # Goods worded otherwise that read as the same classes: the same watch (matching reads the classes).
    with pytest.raises(UsageError, match=f"as watched mark #{first.id}"):
        ws.add_watch("acme", "TERRA NOVA", classes=(3,), offices=("EM", "US"), goods="soaps")
    # Another portfolio, other classes or offices: another watch.
    ws.add_watch("beans", "TERRA NOVA", classes=(3,), offices=("EM", "US"))
    ws.add_watch("acme", "TERRA NOVA", classes=(4,), offices=("EM", "US"))
    ws.add_watch("acme", "TERRA NOVA", classes=(3,))
    assert len(ws.watches()) == 4
    # Nor can a change make one watched mark the twin of another; changing a mark's own threshold can.
    other = ws.add_watch("acme", "TERRA NOVA", classes=(5,), offices=("EM", "US"))
    with pytest.raises(UsageError, match=f"as watched mark #{first.id}"):
        ws.change_watch(other.id, classes=(3,))
    assert ws.change_watch(first.id, threshold=0.8, text="Terra Nova").threshold == 0.8


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"text": " "}, "text is empty"),
    ({"text": "★"}, "no letters or digits"),
    ({"text": "K" * 201}, "longer than 200"),
    ({"threshold": 0.0}, "threshold"),
    ({"threshold": 1.5}, "threshold"),
    ({"offices": ("EUR",)}, "two-letter"),
    ({"offices": ("EU",)}, "the EUIPO's is EM"),
    ({"offices": ("ZZ",)}, "not a WIPO ST.3 office code"),
    ({"classes": (46,)}, "Nice class"),
    ({"goods": "zzqx vvbn"}, "no Nice class"),
    ({"text": "KO\x00KA"}, "control"),
    ({"text": "KO\ud800KA"}, "not valid Unicode"),
    ({"goods": "coffee " * 300, "classes": (30,)}, "longer than 2000"),  # as the API: read item by item
    ({"goods": "; ".join(["tea"] * 51), "classes": (30,)}, "at most 50 goods"),
    ({"goods": ";;", "classes": (30,)}, "name the goods"),
])
def test_mistakes_in_a_watched_mark_are_usage_errors(store: Store, kwargs: dict[str, object], message: str) -> None:
    ws = WatchStore(store)
    args: dict[str, object] = {"text": "KOKA", **kwargs}
    text = str(args.pop("text"))
    with pytest.raises(UsageError, match=message):
        ws.add_watch("p", text, **args)  # type: ignore[arg-type]
    assert ws.watches() == []


@pytest.mark.parametrize(("url", "secret", "message"), [
    ("ftp://x.example/", "s" * 20, "http:// or https://"),
    ("http:///nohost", "s" * 20, "names no host"),
    ("http://[::1", "s" * 20, "webhook URL"),
    ("https://x.example/", "short", "16 characters"),
    (None, "s" * 20, "needs a webhook URL"),
])
def test_a_webhook_needs_a_good_url_and_secret(store: Store, url: str | None, secret: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        WatchStore(store).add_portfolio("p", webhook_url=url, webhook_secret=secret)


def test_unknown_names_and_ids_say_so(store: Store) -> None:
    ws = WatchStore(store)
    with pytest.raises(UsageError, match="no portfolio 'nope'"):
        ws.watches(portfolio="nope")
    with pytest.raises(UsageError, match="no watched mark 9"):
        ws.change_watch(9, text="X")
    ws.add_portfolio("acme")
    with pytest.raises(UsageError, match="already"):
        ws.add_portfolio("acme")


# -- runs ---------------------------------------------------------------------------------------------------


def test_a_batch_alerts_once_and_again_adds_none(store: Store, files: tuple[Path, Path, Path]) -> None:
    register_file, batch2, batch3 = files
    load(store, register_file)
    ws = WatchStore(store)
    watch_all(ws)
    assert run_watches(store).matches == 0  # nothing filed since the watches were added

    load(store, batch2)
    first = run_watches(store, clock=lambda: T0)
    assert first.filings == 50 and first.created == len(ws.alerts()) > 0
    assert ("OLYMEL", "EM", "018229845") in pairs(ws) and ("PYTON", "US", "76044902") in pairs(ws)
    assert ("HANTTRE", "KR", "4020110062801") in pairs(ws)  # 한뜨레, read across scripts
    before = pairs(ws)

    assert run_watches(store).filings == 0
    load(store, batch2)  # the same file again: no change logged, nothing to match
    assert run_watches(store).created == 0 and pairs(ws) == before

    load(store, batch3)
    third = run_watches(store)
    assert third.created > 0
    assert ("SHOEPLACE", "KR", "4020150095902") in pairs(ws)  # 슈플레이스 in class 25
    assert all(a.watch_text != "SHOEPLACE" or 25 in a.filing["nice_classes"] for a in ws.alerts())
    alert = next(a for a in ws.alerts() if a.mark_text == "OLIMEL")
    assert alert.new and alert.score >= 0.7 and alert.reasons and set(alert.signals) >= {"spelling", "sound"}
    assert alert.filing["office"] == "EM" and alert.filing["url"] == "/marks/EM/018229845"


def test_a_rerun_from_an_older_cursor_makes_no_duplicate(store: Store, files: tuple[Path, Path, Path]) -> None:
    load(store, files[0])
    ws = WatchStore(store)
    watch_all(ws)
    load(store, files[1])
    run_watches(store)
    before = pairs(ws)
    ws.execute("UPDATE watch_state SET value = '0' WHERE key = 'last_seq'")  # as if the run had crashed
    again = run_watches(store)
    assert again.matches == len(before) and again.created == 0 and pairs(ws) == before


def test_a_new_watch_sees_later_filings_and_backfill_finds_earlier_ones(
        store: Store, files: tuple[Path, Path, Path]) -> None:
    load(store, files[0])
    load(store, files[1])
    ws = WatchStore(store)
    olymel = ws.add_watch("acme", "OLYMEL", classes=(29,))
    assert run_watches(store).created == 0  # OLIMEL was filed before the watch
    summary = backfill(store, [olymel.id])
    assert summary.created == 1 and [a.mark_text for a in ws.alerts()] == ["OLIMEL"]
    assert backfill(store).created == 0  # every watch, again: nothing new


def filing(number: str, text: str, *, as_of: str, status: Status = Status.PENDING) -> Record:
    return Record(office="EM", application_number=number, verbal_elements=(VerbalElement(text),),
                  nice_classes=(32,), status=status, as_of=as_of)


def write(store: Store, record: Record) -> None:
    from marksearch.ingest import record_keys

    store.write([record], [record_keys(record)])


def test_a_changed_filing_updates_its_alert_and_a_new_mark_text_alerts_again(store: Store) -> None:
    ws = WatchStore(store)
    watch = ws.add_watch("acme", "KOKA", classes=(32,), threshold=0.7)
    write(store, filing("1", "COCA", as_of="2025-01-01"))
    run_watches(store)
    (alert,) = ws.alerts()
    ws.mark_seen(ids=[alert.id])

    write(store, filing("1", "COCA", as_of="2025-02-01", status=Status.REGISTERED))  # the same sign
    assert run_watches(store).matches == 1
    (same,) = ws.alerts()
    assert (same.id, same.version, same.new, same.filing["status"]) == (alert.id, 1, False, "registered")

    write(store, filing("1", "KOKA-COLA", as_of="2025-03-01"))  # a new sign that still matches
    changed = run_watches(store)
    (again,) = ws.alerts()
    assert changed.changed == 1 and (again.id, again.version, again.new) == (alert.id, 2, True)
    assert again.mark_text == "KOKA-COLA" and again.watch_id == watch.id


def test_alerts_are_marked_seen(store: Store) -> None:
    ws = WatchStore(store)
    ws.add_watch("a", "KOKA", classes=(32,))
    ws.add_watch("b", "COCA", classes=(32,))
    write(store, filing("1", "KOKO", as_of="2025-01-01"))
    write(store, filing("2", "COKA", as_of="2025-01-01"))
    run_watches(store)
    assert ws.count_alerts(new=True) == len(ws.alerts()) >= 3
    first = ws.alerts()[-1]
    assert ws.mark_seen(ids=[first.id]) == 1 and ws.mark_seen(ids=[first.id]) == 0
    assert ws.mark_seen(portfolio="a") == ws.count_alerts(portfolio="a") - (first.portfolio == "a")
    assert ws.count_alerts(portfolio="a", new=True) == 0 and ws.count_alerts(portfolio="b", new=True) > 0
    assert ws.mark_seen() > 0 and ws.alerts(new=True) == []


def test_deleting_a_watch_deletes_its_alerts(store: Store) -> None:
    ws = WatchStore(store)
    keep = ws.add_watch("a", "KOKA", classes=(32,))
    drop = ws.add_watch("a", "KOKO", classes=(32,))
    write(store, filing("1", "KOKA", as_of="2025-01-01"))
    run_watches(store)
    assert {a.watch_id for a in ws.alerts()} == {keep.id, drop.id}
    ws.delete_watch(drop.id)
    assert {a.watch_id for a in ws.alerts()} == {keep.id}


def test_a_deleted_filing_is_not_matched(store: Store) -> None:
    from marksearch.records import Deletion

    ws = WatchStore(store)
    ws.add_watch("a", "KOKA", classes=(32,))
    write(store, filing("1", "KOKA", as_of="2025-01-01"))
    store.write([Deletion("EM", "1")])
    assert run_watches(store).matches == 0 and ws.alerts() == []


def test_stored_objects_are_frozen(store: Store) -> None:
    watch = WatchStore(store).add_watch("a", "KOKA")
    with pytest.raises(dataclasses.FrozenInstanceError):
        watch.text = "X"  # type: ignore[misc]


@pytest.mark.parametrize("module", ["checks", "storage", "alerts", "delivery", "reports", "match", "cli"])
def test_docstring_examples_run(module: str) -> None:
    assert doctest.testmod(importlib.import_module(f"marksearch.watch.{module}")).failed == 0


def stale_keys(record: Record) -> dict[str, object] | None:
    """Keys as an older marksearch might have stored them: another mark's readings under the record's
    text (``marksearch rekey`` computes the keys afresh from that text)."""
    from marksearch.ingest import record_keys

    keys = record_keys(dataclasses.replace(record, verbal_elements=(VerbalElement("XYLOPHAGE"),)))
    assert keys is not None
    return {**keys, "text": record.mark_text}


def test_a_rekey_is_no_new_filing(store: Store) -> None:
    """``marksearch rekey`` logs every record it re-keys as an update; a run after it must not take the
    register's past for new filings: an old filing that the new keys make match raises no alert
    (a backfill finds it), one filed since the watched mark was added does, and an alert that a
    re-keyed filing has is brought up to date in place, staying seen."""
    from marksearch.ingest import rekey

    old, seen = filing("1", "COCA", as_of="2025-01-01"), filing("2", "KOKA", as_of="2025-01-01")
    store.write([old, seen], [stale_keys(old), stale_keys(seen)])
    ws = WatchStore(store)
    ws.execute("UPDATE records SET ingested_at = ?", ("2024-01-01T00:00:00+00:00",))  # filed long ago
    watch = ws.add_watch("acme", "KOKA", classes=(32,), threshold=0.7)
    ws.save_match(watch, _match_of(store, watch.id, "2"), _filing_of(store, "2"), now=T0,
                  webhook=None)  # an alert a backfill made, under the old keys
    ws.mark_seen()
    later = filing("3", "COCA", as_of="2025-06-01")  # filed after the watched mark was added
    store.write([later], [stale_keys(later)])
    assert run_watches(store).created == 0  # under their old keys, nothing resembles KOKA

    assert rekey(store).rekeyed == 3
    summary = run_watches(store)
    assert summary.created == 1 and [a.application_number for a in ws.alerts(new=True)] == ["3"]
    (refreshed,) = ws.alerts(ids=[a.id for a in ws.alerts() if a.application_number == "2"])
    assert not refreshed.new and refreshed.version == 1 and refreshed.score > 0.9  # up to date, still seen
    assert backfill(store).created == 1  # the old COCA: the register's past comes in through a backfill
    assert sorted(a.application_number for a in ws.alerts()) == ["1", "2", "3"]


def _match_of(store: Store, watch_id: int, number: str) -> Match:
    stored = store.get("EM", number)
    assert stored is not None
    return Match(watch_id, stored.id, 0.5, {"spelling": 0.5}, ["old"])


def _filing_of(store: Store, number: str) -> dict[str, object]:
    from marksearch.watch.alerts import filing_dict

    stored = store.get("EM", number)
    assert stored is not None
    return filing_dict(stored.record, stored.id)


def test_a_portfolio_name_is_one_whatever_its_unicode_form(store: Store) -> None:
    """"Café" composed (NFC) and with a combining accent (NFD, as macOS gives it) look the same and
    are one portfolio: made twice, a watched mark in both raised each alert twice."""
    composed, combining = "Caf\u00e9", "Cafe\u0301"
    ws = WatchStore(store)
    first = ws.add_watch(composed, "KOKA", classes=(32,))
    with pytest.raises(UsageError, match="already watched"):
        ws.add_watch(combining, "KOKA", classes=(32,))
    ws.add_watch(combining, "PEPSI", classes=(32,))
    assert [p.name for p in ws.portfolios()] == [composed] and ws.portfolio(f" {combining} ").watches == 2
    assert first.portfolio == composed and [w.text for w in ws.watches(portfolio=combining)] == ["KOKA", "PEPSI"]
    with pytest.raises(UsageError, match="there is a portfolio"):
        ws.add_portfolio(combining)
    renamed = ws.change_portfolio(combining, new_name="O\u0301le")
    assert renamed.name == "\u00d3le" and ws.portfolio("\u00d3le").id == renamed.id


def test_goods_are_checked_as_the_api_checks_them_when_a_watch_changes(store: Store) -> None:
    ws = WatchStore(store)
    watch = ws.add_watch("p", "KOKA", goods="coffee")
    for goods, message in (("coffee " * 300, "longer than 2000"), ("; ".join(["tea"] * 51), "at most 50 goods")):
        for classes in (None, (30,)):
            with pytest.raises(UsageError, match=message):
                ws.change_watch(watch.id, goods=goods, classes=classes)
    assert ws.watch(watch.id).goods == "coffee"
    assert ws.change_watch(watch.id, goods=" ").goods is None  # blank: no goods any more, as before


def test_a_filing_with_a_nul_alerts_on_every_back_end(store: Store) -> None:
    """PostgreSQL text cannot hold NUL: a filing whose mark text had one stopped every watch run
    there for good (the register's own columns store it as U+FFFD; the watch tables did not)."""
    ws = WatchStore(store)
    ws.add_watch("acme", "ACME ROCKET", threshold=0.6)
    nul = Record(office="US", application_number="8800\x0001", verbal_elements=(VerbalElement("ACME\x00ROCKET"),),
                 status=Status.REGISTERED, nice_classes=(9,))
    store.write([nul], [record_keys(nul)])
    assert run_watches(store).created == 1
    later = Record(office="US", application_number="88000002", verbal_elements=(VerbalElement("ACME ROCKETS"),),
                   status=Status.REGISTERED, nice_classes=(9,))
    store.write([later], [record_keys(later)])
    assert run_watches(store).created == 1  # the runs go on
