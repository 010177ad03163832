"""Running the watches: new or changed filings against every watched mark, matches stored as alerts.

:func:`run_watches` follows the register's change log from where the last run
stopped (``watch_state.last_seq``), a page of changes at a time: the filings
inserted or updated in the page are matched against every watched mark
(:class:`marksearch.watch.match.WatchIndex`, reading the keys computed at
ingest), and the page's alerts, their webhook deliveries and the new cursor
are written in one transaction.  A crash mid-run loses nothing and a second
run finds the same alerts already stored: alerts are unique per (watched
mark, filing), so running again, or ingesting the same file again (which
logs no change), adds none.

A watched mark sees the filings changed after it was added (its
``since_seq``); :func:`backfill` runs chosen watched marks against the whole
register instead (:func:`marksearch.watch.match.match_register`).  A record
that ``marksearch rekey`` only gave new keys is no changed filing
(:func:`written_since`): it raises no alert, though an alert it has is brought
up to date.  A watched mark whose text or classes change has its alerts scored
again against them (:func:`reassess`).

>>> from marksearch.store import open_store
>>> from marksearch.watch.storage import WatchStore
>>> store = open_store(":memory:")
>>> _ = WatchStore(store).add_watch("acme", "KOKA", classes=(32,))
>>> run_watches(store).matches
0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marksearch.scoring import Scored
from marksearch.store import Store, StoredRecord
from marksearch.watch.storage import Portfolio, Watch, WatchStore, utcnow

if TYPE_CHECKING:
    from marksearch.search import Searcher

__all__ = ["RunSummary", "after_ingest", "backfill", "filing_dict", "reassess", "run_watches"]

Clock = Callable[[], dt.datetime]
PAGE = 10_000  # changes read and matched at a time


@dataclass
class RunSummary:
    """What a run did: changes read, filings matched, matches found, alerts made or renewed."""

    from_seq: int = 0
    to_seq: int = 0
    watches: int = 0
    filings: int = 0
    matches: int = 0
    created: int = 0
    changed: int = 0

    def add(self, event: str | None) -> None:
        self.matches += 1
        if event == "alert.created":
            self.created += 1
        elif event == "alert.changed":
            self.changed += 1

    @property
    def alerts(self) -> int:
        """Alerts that are new to their owner: created, or raised again by a changed mark text
        (the filing's, or the watched mark's since the alert was scored)."""
        return self.created + self.changed

    def to_dict(self) -> dict[str, int]:
        return {"from_seq": self.from_seq, "to_seq": self.to_seq, "watches": self.watches,
                "filings": self.filings, "matches": self.matches, "created": self.created,
                "changed": self.changed}


def filing_dict(record: Any, record_id: int) -> dict[str, Any]:
    """A filing's fields as a search hit shows them (without the score, which the alert holds)."""
    from marksearch.search import Hit
    from marksearch.web.service import hit_dict

    shown = hit_dict(0, Hit(0.0, record_id, Scored(0.0, {}, []), record))
    for key in ("rank", "score", "signals", "reasons", "goods_overlap"):
        shown.pop(key, None)
    return shown


def run_watches(store: Store, *, clock: Clock = utcnow, page: int = PAGE) -> RunSummary:
    """Match the filings changed since the last run against every watched mark; see the module docstring."""
    ws = WatchStore(store)
    watches = {w.id: w for w in ws.watches()}
    summary = RunSummary(from_seq=ws.last_seq(), to_seq=ws.last_seq(), watches=len(watches))
    if not watches:
        with ws.transaction():
            ws.set_last_seq(store.last_seq())  # nothing to match: the cursor moves on
        summary.to_seq = ws.last_seq()
        return summary
    from marksearch.watch.match import WatchIndex

    index = WatchIndex([w.watched() for w in watches.values()])
    while True:
        changes = store.changes(after_seq=summary.to_seq, limit=page)
        if not changes:
            return summary
        latest: dict[int, int] = {}  # record id -> the sequence number of its last change in the page
        written: dict[int, int] = {}  # record id -> that of its last insert or update in the page (not a rekey)
        for change in changes:
            if change.op == "delete":
                latest.pop(change.record_id, None)
                written.pop(change.record_id, None)
            else:
                latest[change.record_id] = change.seq
                if change.op != "rekey":
                    written[change.record_id] = change.seq
        rows = list(store.iter_index_rows(ids=sorted(latest)))
        summary.filings += len(rows)
        matches = [m for m in index.match(rows) if latest[m.record_id] > watches[m.watch_id].since_seq]

        def filed_since(watch: Watch, stored: StoredRecord) -> bool:
            return written.get(stored.id, 0) > watch.since_seq or written_since(stored, watch)

        _save(ws, watches, matches, clock(), summary, cursor=changes[-1].seq, filed_since=filed_since)
        summary.to_seq = changes[-1].seq


def written_since(stored: StoredRecord, watch: Watch) -> bool:
    """Whether the filing itself was written (inserted, or changed by an ingest) since the watched
    mark was added, rather than only given new keys by ``marksearch rekey``.

    A rekey rewrites the keys of every record, the oldest too: its changes (logged as ``rekey``
    since keys version 7; as ``update`` by earlier releases) are no new or changed filings, and a
    watched mark sees those only (the register's past comes in through a backfill).  A filing
    inserted or updated in the page of changes being run counts as written then; one written
    earlier (in an earlier run), by the time of its last write by an ingest (``ingested_at``, to
    the second), which a rekey leaves as it was: written in the second the watched mark was added
    or later, it counts as changed since.  A record without that time counts as changed."""
    written = stored.record.provenance.ingested_at if stored.record.provenance else None
    try:
        when = dt.datetime.fromisoformat(str(written))
        added = dt.datetime.fromisoformat(watch.created_at)
    except ValueError:
        return True
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when >= added.replace(microsecond=0)


def backfill(store: Store, watch_ids: Sequence[int] | None = None, *, clock: Clock = utcnow,
             searcher: Searcher | None = None) -> RunSummary:
    """Run watched marks (all, or those with ``watch_ids``) against the whole register
    (through ``searcher``'s index when given, as the web app's; else one opened here)."""
    from marksearch.search import Searcher
    from marksearch.watch.match import match_register

    ws = WatchStore(store)
    chosen = [ws.watch(i) for i in watch_ids] if watch_ids is not None else ws.watches()
    summary = RunSummary(from_seq=0, to_seq=store.last_seq(), watches=len(chosen))
    if not chosen:
        return summary
    searcher = searcher or Searcher(store)
    searcher.refresh()
    summary.filings = searcher.segment.size + len(searcher.delta)
    matches = [m for w in chosen for m in match_register(w.watched(), searcher)]
    _save(ws, {w.id: w for w in chosen}, matches, clock(), summary, cursor=None)
    return summary


def reassess(ws: WatchStore, watch: Watch, *, now: dt.datetime) -> RunSummary:
    """Score the alerts of ``watch`` again, its text or classes having changed (call inside
    :meth:`WatchStore.transaction`, after the change): each alert's filing, as the register
    holds it now, is matched against the watched mark with the matching code of a run
    (:class:`~marksearch.watch.match.WatchIndex`).  One that still reaches the threshold is
    brought up to date in place, with the new score, signals, reasons and watched text and
    classes, and raised again (``alert.changed``: marked new, its version one more, delivered
    again), as for a filing whose mark text changed.  One that does not (nor one whose filing
    is gone from the register) is kept as it was, with the text and classes it was scored
    against: as a filing that stops matching keeps its alert (a later change of the filing
    that matches raises it again, :meth:`WatchStore.save_match`)."""
    from marksearch.watch.match import WatchIndex

    summary = RunSummary(from_seq=ws.last_seq(), to_seq=ws.last_seq(), watches=1)
    records: dict[int, StoredRecord] = {}
    for alert in ws.alerts(watch_id=watch.id):
        stored = ws.store.get(alert.office, alert.application_number)
        if stored is not None:
            records[stored.id] = stored
    summary.filings = len(records)
    if records:
        matches = WatchIndex([watch.watched()]).match(ws.store.iter_index_rows(ids=sorted(records)))
        _save_matches(ws, {watch.id: watch}, matches, records, now, summary)
    return summary


def _save(ws: WatchStore, watches: dict[int, Watch], matches: Sequence[Any], now: dt.datetime,
          summary: RunSummary, *, cursor: int | None,
          filed_since: Callable[[Watch, StoredRecord], bool] | None = None) -> None:
    """The matches as alerts, their deliveries and the cursor, in one transaction.

    ``filed_since(watch, record)``: whether the filing is new or changed for that watched mark;
    one that is not (a record only re-keyed) brings an alert it has up to date in place, and
    raises none (``None``: every match is a filing to alert on, as a backfill's)."""
    records = ws.store.get_by_ids(sorted({m.record_id for m in matches})) if matches else {}
    with ws.transaction():
        # A watched mark changed (or deleted) since the run read it: its matches were scored
        # against what it no longer is (the change scored its alerts again): they are dropped.
        now_watched = {w.id: (w.text, w.classes) for w in ws.watches()}
        current = [m for m in matches
                   if now_watched.get(m.watch_id) == (watches[m.watch_id].text, watches[m.watch_id].classes)]
        _save_matches(ws, watches, current, records, now, summary, filed_since=filed_since)
        if cursor is not None:
            ws.set_last_seq(cursor)


def _save_matches(ws: WatchStore, watches: dict[int, Watch], matches: Sequence[Any],
                  records: dict[int, StoredRecord], now: dt.datetime, summary: RunSummary, *,
                  filed_since: Callable[[Watch, StoredRecord], bool] | None = None) -> None:
    """The matches as alerts and their deliveries (call inside :meth:`WatchStore.transaction`); see :func:`_save`."""
    webhooks: dict[str, Portfolio | None] = {}
    for match in matches:
        stored = records.get(match.record_id)
        if stored is None:
            continue  # deleted since it was matched
        watch = watches[match.watch_id]
        if watch.portfolio not in webhooks:
            found = ws.portfolio(watch.portfolio)
            webhooks[watch.portfolio] = found if found.webhook_url else None
        refresh_only = filed_since is not None and not filed_since(watch, stored)
        event = ws.save_match(watch, match, filing_dict(stored.record, stored.id), now=now,
                              webhook=webhooks[watch.portfolio], refresh_only=refresh_only)
        if event is not None or not refresh_only:
            summary.add(event)


def after_ingest(store: Store, *, deliver: bool = True, **delivery_options: Any) -> dict[str, Any] | None:
    """What ``marksearch ingest`` does last: run the watches over what it changed and send the
    deliveries that are due; ``None`` when the register has no watch tables (nothing is created)."""
    if WatchStore.existing(store) is None:
        return None
    result: dict[str, Any] = {"run": run_watches(store).to_dict()}
    if deliver:
        from marksearch.watch.delivery import deliver as send_due

        result["delivery"] = send_due(store, **delivery_options).to_dict()
    return result
