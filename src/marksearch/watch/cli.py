"""``marksearch watch ...``: watched marks, portfolios, runs, alerts, reports and webhook deliveries.

A thin shell over :mod:`marksearch.watch` (storage, alerts, delivery,
reports), added to the ``marksearch`` group by :mod:`marksearch.cli`.  Every
command takes ``--db`` like the others; those that print results take
``--json``.  A user's mistake gets a one-line message and exit status 2.

::

    marksearch watch add KOKA --class 32 --portfolio acme [--backfill]
    marksearch watch list | change ID ... | delete ID
    marksearch watch portfolio list | add NAME | rename NAME NEW | delete NAME
    marksearch watch portfolio webhook NAME URL [--secret S] | --unset
    marksearch watch run [--all] | alerts [--new] | seen [ID...] [--all]
    marksearch watch report --format pdf --output watch.pdf
    marksearch watch deliver [--retry-now]
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from marksearch.display import shown
from marksearch.errors import MarksearchError, UsageError
from marksearch.scoring.shown import shown_score
from marksearch.store import DEFAULT_DB, Store, open_store
from marksearch.watch.storage import (
    DEFAULT_PORTFOLIO,
    Alert,
    Portfolio,
    Watch,
    WatchStore,
)

__all__ = ["watch_command"]

F = TypeVar("F", bound=Callable[..., Any])


def _db(func: F) -> F:
    return click.option("--db", envvar="MARKSEARCH_DB", default=DEFAULT_DB, show_default=True,
                        help="The register: a SQLite file path or a postgresql:// URL (env MARKSEARCH_DB).")(func)


def _json(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


@contextmanager
def _watch_store(db: str) -> Iterator[WatchStore]:
    """The register's watch tables; a library error becomes a message and exit status 2.

    The register must exist (as for ``search`` and ``show``): a mistyped ``--db`` is refused with
    ``no register at ...``, never made into a new, empty register whose watch lists are empty."""
    try:
        with open_store(db, create=False) as store:
            yield WatchStore(store)
    except MarksearchError as exc:
        click.echo(f"marksearch: error: {exc}", err=True)
        sys.exit(2)


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _watch_line(w: Watch) -> str:
    classes = ",".join(map(str, w.classes)) or "all"
    offices = ",".join(w.offices) or "all"
    goods = f" goods {w.goods!r}" if w.goods else ""
    return shown(f"#{w.id}  {w.text}  [{w.portfolio}]  classes {classes}  offices {offices}  "
                 f"threshold {threshold_text(w.threshold)}{goods}")


def threshold_text(threshold: float) -> str:
    """A threshold as it was given (0.794 stays 0.794: rounded to 2 places it read as 0.79).

    >>> threshold_text(0.794), threshold_text(0.7937), threshold_text(1.0)
    ('0.794', '0.7937', '1')
    """
    return format(threshold, ".12g")


def _alert_line(a: Alert) -> str:
    mark = "new " if a.new else "    "
    reasons = "; ".join(a.reasons[:2])
    return shown(f"{mark}#{a.id}  {shown_score(a.score):.3f}  {a.office} {a.application_number}  "
                 f"{a.mark_text or '(no text)'}  ~ {a.watch_text} [{a.portfolio}]  {reasons}")


def _portfolio_line(p: Portfolio) -> str:
    hook = f"webhook {p.webhook_url}" if p.webhook_url else "no webhook"
    return shown(f"{p.name}  {p.watches} watched marks  {p.new_alerts} new alerts  {hook}")


@click.group("watch")
def watch_command() -> None:
    """Watch lists: alerts when a new filing resembles a watched mark (docs/watch.md)."""


# -- watched marks ----------------------------------------------------------------------------------


@watch_command.command("add")
@click.argument("text")
@click.option("--portfolio", default=DEFAULT_PORTFOLIO, show_default=True, help="The portfolio (made when new).")
@click.option("--class", "classes", multiple=True, type=click.IntRange(1, 45),
              help="Nice class the mark covers (repeatable): feeds the goods signal; a filing must share one.")
@click.option("--goods", default=None, help="Goods and services in words ('coffee; tea'); without --class "
                                            "the classes are read from them.")
@click.option("--office", "offices", multiple=True, help="Office code to watch, e.g. EM (repeatable; default all).")
@click.option("--threshold", default=0.7, show_default=True, type=float, help="Score a filing must reach (0-1].")
@click.option("--backfill", is_flag=True, help="Also run it against the whole register now.")
@_db
@_json
def add(text: str, portfolio: str, classes: tuple[int, ...], goods: str | None, offices: tuple[str, ...],
        threshold: float, backfill: bool, db: str, as_json: bool) -> None:
    """Watch TEXT: alert on filings from now on that resemble it."""
    with _watch_store(db) as ws:
        watch = ws.add_watch(portfolio, text, classes=classes, goods=goods, offices=offices, threshold=threshold)
        result: dict[str, Any] = {"watch": watch.to_dict()}
        if backfill:
            from marksearch.watch.alerts import backfill as run_backfill

            result["backfill"] = run_backfill(ws.store, [watch.id]).to_dict()
    if as_json:
        _emit(result)
        return
    click.echo(f"watching {_watch_line(watch)}")
    if backfill:
        b = result["backfill"]
        click.echo(f"backfill: {b['filings']} marks, {b['created']} new alerts (marksearch watch alerts --new)")


@watch_command.command("list")
@click.option("--portfolio", default=None, help="Only this portfolio's watched marks.")
@_db
@_json
def list_watches(portfolio: str | None, db: str, as_json: bool) -> None:
    """The watched marks."""
    with _watch_store(db) as ws:
        watches = ws.watches(portfolio=portfolio)
    if as_json:
        _emit([w.to_dict() for w in watches])
        return
    if not watches:
        click.echo("no watched marks (marksearch watch add TEXT)")
    for w in watches:
        click.echo(_watch_line(w))


@watch_command.command("change")
@click.argument("watch_id", type=int)
@click.option("--text", default=None, help="The watched mark's new text.")
@click.option("--class", "classes", multiple=True, type=click.IntRange(1, 45), help="Replace the classes (repeatable).")
@click.option("--all-classes", is_flag=True, help="No class filter any more.")
@click.option("--goods", default=None, help="New goods and services; without --class the classes are read from them.")
@click.option("--office", "offices", multiple=True, help="Replace the offices (repeatable).")
@click.option("--all-offices", is_flag=True, help="Watch every office.")
@click.option("--threshold", default=None, type=float, help="New threshold (0-1].")
@click.option("--portfolio", default=None, help="Move it to this portfolio (made when new).")
@_db
@_json
def change(watch_id: int, text: str | None, classes: tuple[int, ...], all_classes: bool, goods: str | None,
           offices: tuple[str, ...], all_offices: bool, threshold: float | None, portfolio: str | None,
           db: str, as_json: bool) -> None:
    """Change watched mark WATCH_ID (a new text or classes score its alerts again)."""
    if (classes and all_classes) or (offices and all_offices):
        _fail("give either --class or --all-classes (and either --office or --all-offices)")
    with _watch_store(db) as ws:
        watch = ws.change_watch(watch_id, text=text, classes=() if all_classes else (classes or None),
                                goods=goods, offices=() if all_offices else (offices or None),
                                threshold=threshold, portfolio=portfolio)
    if as_json:
        _emit(watch.to_dict())
    else:
        click.echo(f"changed {_watch_line(watch)}")


@watch_command.command("delete")
@click.argument("watch_id", type=int)
@_db
@_json
def delete(watch_id: int, db: str, as_json: bool) -> None:
    """Stop watching WATCH_ID; its alerts and their pending deliveries go too."""
    with _watch_store(db) as ws:
        watch = ws.delete_watch(watch_id)
    if as_json:
        _emit({"deleted": watch.to_dict()})
    else:
        click.echo(f"deleted {_watch_line(watch)}")


# -- portfolios --------------------------------------------------------------------------------------


@watch_command.group("portfolio")
def portfolio_command() -> None:
    """Portfolios: named sets of watched marks, each with an optional webhook."""


@portfolio_command.command("list")
@_db
@_json
def portfolio_list(db: str, as_json: bool) -> None:
    """The portfolios, their watched marks and new alerts."""
    with _watch_store(db) as ws:
        found = ws.portfolios()
    if as_json:
        _emit([p.to_dict() for p in found])
        return
    if not found:
        click.echo("no portfolios (marksearch watch portfolio add NAME)")
    for p in found:
        click.echo(_portfolio_line(p))


@portfolio_command.command("add")
@click.argument("name")
@_db
@_json
def portfolio_add(name: str, db: str, as_json: bool) -> None:
    """Make an empty portfolio."""
    with _watch_store(db) as ws:
        made = ws.add_portfolio(name)
    if as_json:
        _emit(made.to_dict())
    else:
        click.echo(f"made portfolio {_portfolio_line(made)}")


@portfolio_command.command("rename")
@click.argument("name")
@click.argument("new_name")
@_db
@_json
def portfolio_rename(name: str, new_name: str, db: str, as_json: bool) -> None:
    """Rename portfolio NAME to NEW_NAME."""
    with _watch_store(db) as ws:
        changed = ws.change_portfolio(name, new_name=new_name)
    if as_json:
        _emit(changed.to_dict())
    else:
        click.echo(f"renamed: {_portfolio_line(changed)}")


@portfolio_command.command("delete")
@click.argument("name")
@_db
@_json
def portfolio_delete(name: str, db: str, as_json: bool) -> None:
    """Delete portfolio NAME with its watched marks, alerts and pending deliveries."""
    with _watch_store(db) as ws:
        gone = ws.delete_portfolio(name)
    if as_json:
        _emit({"deleted": gone.to_dict()})
    else:
        click.echo(f"deleted portfolio {gone.name}")


@portfolio_command.command("webhook")
@click.argument("name")
@click.argument("url", required=False)
@click.option("--secret", envvar="MARKSEARCH_WEBHOOK_SECRET", default=None,
              help="The signing secret, 16 characters at least (env MARKSEARCH_WEBHOOK_SECRET); "
                   "a new one is made and printed once when none is given.")
@click.option("--unset", is_flag=True, help="Remove the webhook (deliveries not yet made are dropped).")
@_db
@_json
def portfolio_webhook(name: str, url: str | None, secret: str | None, unset: bool, db: str, as_json: bool) -> None:
    """Send NAME's alerts to URL, signed with HMAC-SHA256 (or --unset)."""
    if unset == bool(url):
        _fail("give the webhook URL, or --unset")
    made_secret = None
    with _watch_store(db) as ws:
        if unset:
            changed = ws.change_portfolio(name, unset_webhook=True)
        else:
            current = ws.portfolio(name)
            if secret is None and not current.webhook_secret:
                secret = made_secret = secrets.token_urlsafe(32)
            changed = ws.change_portfolio(name, webhook_url=url, webhook_secret=secret)
    if as_json:
        _emit({**changed.to_dict(), **({"webhook_secret": made_secret} if made_secret else {})})
        return
    click.echo(_portfolio_line(changed))
    if made_secret:
        click.echo(f"webhook secret (shown once; verify X-Marksearch-Signature with it): {made_secret}")


# -- running, alerts, reports, deliveries ---------------------------------------------------------------


@watch_command.command("run")
@click.option("--all", "everything", is_flag=True, help="Run every watched mark against the whole register.")
@click.option("--watch", "watch_ids", multiple=True, type=int,
              help="Run this watched mark against the whole register (repeatable).")
@click.option("--no-deliver", is_flag=True, help="Do not send webhooks now (marksearch watch deliver does).")
@_db
@_json
def run(everything: bool, watch_ids: tuple[int, ...], no_deliver: bool, db: str, as_json: bool) -> None:
    """Match the filings changed since the last run (ingest does this by itself) and send webhooks."""
    from marksearch.watch.alerts import backfill, run_watches
    from marksearch.watch.delivery import deliver

    with _watch_store(db) as ws:
        for watch_id in watch_ids:
            ws.watch(watch_id)  # an id that names no watched mark: said before anything runs
        summary = run_watches(ws.store)
        result: dict[str, Any] = {"run": summary.to_dict()}
        if everything or watch_ids:
            result["backfill"] = backfill(ws.store, list(watch_ids) if watch_ids else None).to_dict()
        if not no_deliver:
            result["delivery"] = deliver(ws.store).to_dict()
    if as_json:
        _emit(result)
        return
    click.echo(run_text(result))
    _delivery_errors(result.get("delivery"))


def run_text(result: dict[str, Any]) -> str:
    """A run's summary in a line or two (also what ingest prints)."""
    r = result["run"]
    lines = [(f"watch: {r['filings']} new or changed filings against {r['watches']} watched marks: "
              f"{r['created']} new alerts, {r['changed']} raised again (a mark text changed)")]
    if "backfill" in result:
        b = result["backfill"]
        lines.append(f"watch: {b['watches']} watched marks against the whole register ({b['filings']} marks): "
                     f"{b['created']} new alerts, {b['changed']} raised again")
    d = result.get("delivery")
    if d and (d["attempted"] or d["pending"]):
        deferred = f", {d['deferred']} of them not tried: their receiver did not answer" if d.get("deferred") else ""
        lines.append(f"watch: webhooks: {d['delivered']} delivered, {d['failed']} failed, "
                     f"{d['pending']} waiting{deferred} (marksearch watch deliver)")
    return "\n".join(lines)


def _delivery_errors(delivery: dict[str, Any] | None) -> None:
    for error in (delivery or {}).get("errors", [])[:5]:
        click.echo(f"watch: webhook not delivered, will retry: {error}", err=True)


@watch_command.command("alerts")
@click.option("--new", "new_only", is_flag=True, help="Only alerts not yet marked seen.")
@click.option("--portfolio", default=None, help="Only this portfolio's alerts.")
@click.option("--watch", "watch_id", default=None, type=int, help="Only this watched mark's alerts.")
@click.option("--limit", default=None, type=click.IntRange(1), help="At most this many (newest first).",
              callback=lambda _ctx, _param, value: _bounded("--limit", value))
@_db
@_json
def alerts(new_only: bool, portfolio: str | None, watch_id: int | None, limit: int | None, db: str,
           as_json: bool) -> None:
    """Filings that resemble a watched mark, newest first, with their signals and reasons."""
    with _watch_store(db) as ws:
        if watch_id is not None:
            ws.watch(watch_id)  # a clear error for an id that names no watched mark
        found = ws.alerts(portfolio=portfolio, watch_id=watch_id, new=new_only, limit=limit)
    if as_json:
        _emit([a.to_dict() for a in found])
        return
    if not found:
        click.echo("no new alerts" if new_only else "no alerts")
    for a in found:
        click.echo(_alert_line(a))


@watch_command.command("seen")
@click.argument("alert_ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every new alert (of --portfolio).")
@click.option("--portfolio", default=None, help="With --all: only this portfolio's alerts.")
@_db
@_json
def seen(alert_ids: tuple[int, ...], everything: bool, portfolio: str | None, db: str, as_json: bool) -> None:
    """Mark alerts seen: ALERT_IDS, or --all."""
    if bool(alert_ids) == everything:
        _fail("give alert ids, or --all")
    with _watch_store(db) as ws:
        if alert_ids:
            known = {a.id for a in ws.alerts(ids=list(alert_ids))}
            missing = sorted(set(alert_ids) - known)
            if missing:
                raise UsageError(f"no alert {missing[0]} (marksearch watch alerts)")
        n = ws.mark_seen(ids=list(alert_ids) if alert_ids else None, portfolio=portfolio)
    if as_json:
        _emit({"marked_seen": n})
    else:
        click.echo(f"marked {n} alerts seen")


@watch_command.command("report")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "html", "pdf"]), required=True)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write ('-' for standard output).")
@click.option("--portfolio", default=None, help="Only this portfolio.")
@click.option("--new", "new_only", is_flag=True, help="Only alerts not yet marked seen.")
@_db
def report(fmt: str, output: str, portfolio: str | None, new_only: bool, db: str) -> None:
    """The watched marks and their alerts as CSV, JSON, HTML or a PDF report."""
    from marksearch.watch.reports import FORMATS
    from marksearch.watch.reports import report as gather

    from marksearch.ingest import register_files

    with _watch_store(db) as ws:
        data = gather(ws.store, portfolio=portfolio, new_only=new_only)
        content = FORMATS[fmt](data)
        own = register_files(ws.store)
    if output == "-":
        sys.stdout.buffer.write(content)
        return
    target = Path(output)
    if own(target):  # -o reg.sqlite replaced the register with the report
        _fail(f"cannot write {output}: it is one of the register's own files; give the report another name")
    if not target.parent.is_dir():
        _fail(f"cannot write {output}: folder {target.parent} does not exist")
    try:
        target.write_bytes(content)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"wrote {len(data['alerts'])} alerts of {len(data['watches'])} watched marks to {output}", err=True)


@watch_command.command("deliver")
@click.option("--retry-now", is_flag=True, help="Send every pending delivery now, whatever its backoff says.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 120),
              help="Seconds to wait for each receiver.")
@_db
@_json
def deliver_command(retry_now: bool, timeout: float, db: str, as_json: bool) -> None:
    """Send the webhook deliveries that are due (retried with backoff until a 2xx answer)."""
    from marksearch.watch.delivery import deliver
    from marksearch.watch.storage import utcnow

    with _watch_store(db) as ws:
        if retry_now:
            ws.retry_now(utcnow())
        summary = deliver(ws.store, timeout=timeout).to_dict()
        pending = [d.to_dict() for d in ws.deliveries(pending=True)]
    if as_json:
        _emit({**summary, "waiting": pending})
        return
    click.echo(f"{summary['delivered']} delivered, {summary['failed']} failed, {summary['pending']} waiting")
    for d in pending[:20]:
        click.echo(f"  {d['delivery_id']}  {d['event']}  attempts {d['attempts']}  next {d['next_attempt']}"
                   + (f"  last error: {d['last_error']}" if d["last_error"] else ""))
    _delivery_errors(summary)


# -- ingest ----------------------------------------------------------------------------------------------


def after_ingest(store: Store, *, quiet: bool, deliver: bool = True) -> dict[str, Any] | None:
    """Run the watches after an ingest, and send the webhooks that are due unless not ``deliver``
    (``ingest --no-deliver``); prints a summary unless ``quiet``.  ``None`` when nothing is watched.

    A failure here does not undo the ingest, which is committed: it is reported and re-raised."""
    from marksearch.watch.alerts import after_ingest as run_after

    result = run_after(store, deliver=deliver)
    if result is not None and not quiet:
        click.echo(run_text(result), err=True)
        _delivery_errors(result.get("delivery"))
    return result


# -- errors ---------------------------------------------------------------------------------------------

MAX_INT = 2**63 - 1  # what SQLite and PostgreSQL can bind (a larger --limit ended in a traceback)


def _bounded(option: str, value: int | None) -> int | None:
    """An integer option at most :data:`MAX_INT`, else a one-line message and exit status 2."""
    if value is not None and value > MAX_INT:
        _fail(f"{option} is at most {MAX_INT}, not {str(value)[:30]}")
    return value


def _fail(message: str) -> None:
    click.echo(f"marksearch: error: {message}", err=True)
    sys.exit(2)
