"""Watch: alert owners when a new filing resembles their mark.

::

    checks.py    what users give (texts, classes, thresholds, names, webhook URLs), checked
    storage.py   watch lists, alerts and the webhook outbox, in the register's own database
    match.py     which filings resemble which watched marks, exactly (WatchIndex, match_register)
    alerts.py    running the watches over the change log (after each ingest) or the whole register
    delivery.py  signed webhook POSTs from the outbox, retried with backoff
    reports.py   the alerts as CSV, JSON, HTML or PDF
    cli.py       ``marksearch watch ...``

The web app's watch API and alerts page are in :mod:`marksearch.web.watch`;
the whole feature is described in ``docs/watch.md``.
"""

from __future__ import annotations

from marksearch.watch.alerts import RunSummary, after_ingest, backfill, run_watches
from marksearch.watch.delivery import Backoff, DeliverySummary, deliver, sign, verify
from marksearch.watch.storage import Alert, Delivery, Portfolio, Watch, WatchStore

__all__ = [
    "Alert",
    "Backoff",
    "Delivery",
    "DeliverySummary",
    "Portfolio",
    "RunSummary",
    "Watch",
    "WatchStore",
    "after_ingest",
    "backfill",
    "deliver",
    "run_watches",
    "sign",
    "verify",
]
