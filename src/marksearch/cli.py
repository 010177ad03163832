"""The ``marksearch`` command: a thin shell over the library.

Every command takes ``--db`` (default: ``$MARKSEARCH_DB``, else
``marksearch.sqlite`` in the current folder) and, where it prints results,
``--json``.  A user's mistake gets a one-line message and exit status 2, never
a traceback; an ingest that could not read some file exits with status 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from marksearch import __version__
from marksearch.display import shown
from marksearch.errors import MarksearchError
from marksearch.store import DEFAULT_DB, Store, open_store

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    return click.option(
        "--db",
        envvar="MARKSEARCH_DB",
        default=DEFAULT_DB,
        show_default=True,
        help="The register: a SQLite file path (env MARKSEARCH_DB).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into a message and exit status 2."""
    try:
        yield
    except MarksearchError as exc:
        click.echo(f"marksearch: error: {exc}", err=True)
        sys.exit(2)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marksearch")
def cli() -> None:
    """marksearch: trademark search across offices and scripts."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Skip sniffing: st66, st96, uspto-daily, kipris, jsonl or csv.",
)
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Parsing processes (default: one per core; 1 parses in the writing process).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--no-deliver", is_flag=True,
              help="Run the watches but send no webhooks now (marksearch watch deliver sends them).")
@db_option
@json_option
def ingest(
    paths: tuple[str, ...],
    fmt: str | None,
    batch_size: int,
    workers: int | None,
    quiet: bool,
    no_deliver: bool,
    db: str,
    as_json: bool,
) -> None:
    """Read office files, folders, .zip or .gz archives into the register."""
    from marksearch import ingest as ingest_mod

    with user_errors(), open_store(db) as store, _progress(quiet or as_json) as (on_bytes, on_file):
        try:
            summary = ingest_mod.ingest(
                store,
                list(paths),
                format=fmt,
                batch_size=batch_size,
                workers=workers,
                on_bytes=on_bytes,
                on_file=on_file,
            )
        except KeyboardInterrupt:
            click.echo("\nmarksearch: interrupted; the batches written so far are kept, and running the "
                       "same ingest again completes it", err=True)
            sys.exit(130)
        from marksearch.watch.cli import after_ingest

        # the new and changed filings against every watched mark, and the webhooks that are due
        watched = after_ingest(store, quiet=as_json, deliver=not no_deliver)
    if as_json:
        emit_json({**summary.to_dict(), **({"watch": watched} if watched is not None else {})})
    else:
        _print_summary(summary)
    if summary.errors:
        sys.exit(1)


@contextmanager
def _progress(
    disabled: bool,
) -> Iterator[tuple[Callable[[int], None] | None, Callable[[Any], None] | None]]:
    if disabled or not sys.stderr.isatty():
        yield None, None
        return
    from tqdm import tqdm

    with tqdm(unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, leave=False) as bar:

        def on_file(source: Any) -> None:
            bar.set_description(str(source.name)[-40:])

        yield bar.update, on_file


def _print_summary(summary: Any) -> None:
    c = summary.counts
    click.echo(
        f"read {c.read} records from {len(summary.files)} files "
        f"({summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s): "
        f"{c.inserted} inserted, {c.updated} updated, {c.unchanged} unchanged"
        + (f" ({c.older} older than stored)" if c.older else "")
        + f", {c.deleted} deleted, {c.quarantined} quarantined"
    )
    if c.quarantined:
        click.echo("see what was quarantined and why: marksearch quarantine")
    for failed in summary.errors:
        click.echo(f"error: {failed.error}", err=True)


@cli.command()
@click.argument("office")
@click.argument("number")
@db_option
@json_option
def show(office: str, number: str, db: str, as_json: bool) -> None:
    """Print one record by office code and application number."""
    from marksearch.vocab_data import office_problem

    if (problem := office_problem(office)) is not None:
        click.echo(f"marksearch: error: {problem}", err=True)
        sys.exit(2)
    from marksearch.search import encodable

    if not encodable(number):
        click.echo("marksearch: error: the application number is not valid Unicode (a lone surrogate: "
                   "bytes that are not UTF-8)", err=True)
        sys.exit(2)
    # As the check read them, and as numbers are stored (outer spaces stripped): "EM " passed the check.
    office, number = office.strip().upper(), number.strip()
    with user_errors(), open_store(db, create=False) as store:
        stored = store.get(office, number)
        alike = store.numbers_like(office, number) if stored is None else []
        shown = store.url  # a database URL without its password
    if stored is None:
        hint = f"; did you mean {' or '.join(f'{office} {n}' for n in alike)}?" if alike else ""
        click.echo(f"marksearch: error: no record {office} {number} in {shown}{hint}", err=True)
        sys.exit(2)
    data = stored.record.to_dict()
    if as_json:
        emit_json({**data, "keys": stored.keys})
        return
    from marksearch.display import record_text

    click.echo(record_text(stored.record))


@cli.command()
@db_option
@json_option
def stats(db: str, as_json: bool) -> None:
    """Counts by office, status, feature and Nice class."""
    with user_errors(), open_store(db, create=False) as store:
        result = store.stats()
        shown = store.url  # a database URL without its password
        _note_older_keys(store)
    if as_json:
        emit_json({"register": shown, **result.to_dict()})
        return
    from marksearch.display import stats_text

    click.echo(stats_text(result, shown))


@cli.command()
@db_option
@json_option
def quarantine(db: str, as_json: bool) -> None:
    """What could not be read: where and why."""
    with user_errors(), open_store(db, create=False) as store:
        rows = store.quarantined()
    if as_json:
        emit_json(
            [
                {
                    "source": q.rejection.source,
                    "position": q.rejection.position,
                    "reason": q.rejection.reason,
                    "excerpt": q.rejection.excerpt,
                    "first_seen": q.first_seen,
                    "times_seen": q.times_seen,
                }
                for q in rows
            ]
        )
        return
    if not rows:
        click.echo("nothing quarantined")
    for q in rows:
        click.echo(shown(f"{q.rejection.source} {q.rejection.position}: {q.rejection.reason}"))


@cli.command()
@click.argument("text")
@click.option("--class", "classes", multiple=True, type=click.IntRange(1, 45),
              help="Nice class of the goods (repeatable): feeds the goods signal and keeps marks in it.")
@click.option("--office", "offices", multiple=True, help="Office code, e.g. EM, US, KR (repeatable).")
@click.option("--status", "statuses", multiple=True,
              help="live (default), all, or pending/registered/ended/unknown (repeatable).")
@click.option("--feature", "features", multiple=True, help="word, figurative, ... (repeatable).")
@click.option("--filed-from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD")
@click.option("--filed-to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD")
@click.option("--owner", default=None, help="Applicant or owner name contains this.")
@click.option("--goods", default=None,
              help="Goods and services in words, any language ('coffee; tea'): feeds the goods signal, "
                   "filters nothing.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--explain", is_flag=True, help="Show the normalised query, its keys and how candidates were found.")
@db_option
@json_option
def search(text: str, classes: tuple[int, ...], offices: tuple[str, ...], statuses: tuple[str, ...],
           features: tuple[str, ...], filed_from: Any, filed_to: Any, owner: str | None, goods: str | None,
           limit: int, offset: int, explain: bool, db: str, as_json: bool) -> None:
    """Earlier marks that resemble TEXT, ranked and explained."""
    from marksearch.search import Query, Searcher, parse_statuses

    query = Query(
        text=text, offices=offices, classes=classes, statuses=parse_statuses(statuses),
        features=features, filed_from=filed_from.date() if filed_from else None,
        filed_to=filed_to.date() if filed_to else None, owner=owner, limit=limit, offset=offset,
        goods=goods,
    )
    with user_errors():
        query.validate()  # before the register is opened: a mistake costs no goods base build
    with user_errors(), open_store(db, create=False) as store:
        _note_older_keys(store)
        goods_base = None
        if goods:
            from marksearch.goods.bases import base_for_store

            # The description is read in every language the register's goods use.
            goods_base = base_for_store(store, on_build=lambda line: click.echo(line + " ...", err=True))
        result = Searcher(store).search(query, explain=explain, goods_base=goods_base)
    if as_json:
        emit_json(result.to_dict())
        return
    from marksearch.display import search_text

    click.echo(search_text(result))


@cli.command()
@db_option
@json_option
def index(db: str, as_json: bool) -> None:
    """Rebuild the search index beside the register (searches also keep it current)."""
    import time

    from marksearch.search import Searcher

    with user_errors(), open_store(db, create=False) as store:
        started = time.perf_counter()
        searcher = Searcher(store)
        segment = searcher.rebuild()
        seconds = time.perf_counter() - started
    info = {"marks": segment.size, "seconds": round(seconds, 2), "bytes": segment.nbytes()}
    if as_json:
        emit_json(info)
    else:
        click.echo(f"indexed {info['marks']} marks in {info['seconds']} s ({info['bytes'] / 1e6:.1f} MB)")


def _note_older_keys(store: Store) -> None:
    """Say on standard error when the register's text keys are older than this marksearch's:
    its searches read the stored keys, so what changed since does not show until a re-key."""
    from marksearch.versions import KEYS_VERSION

    if store.keys_version() < KEYS_VERSION and store.last_seq() > 0:
        click.echo("note: this register's text keys were computed by an earlier marksearch; "
                   "`marksearch rekey` recomputes them", err=True)


@cli.command()
@db_option
@json_option
def rekey(db: str, as_json: bool) -> None:
    """Recompute the text keys of records keyed by an earlier marksearch (run after upgrading)."""
    from marksearch.ingest import rekey as rekey_store

    with user_errors(), open_store(db, create=False) as store:
        counts = rekey_store(store)
    if as_json:
        emit_json(counts.to_dict())
    else:
        click.echo(f"{counts.records} records read, {counts.rekeyed} given new keys")


@cli.command()
@db_option
@json_option
def demo(db: str, as_json: bool) -> None:
    """Load the bundled demo register (real records from several offices) and print its stats."""
    from marksearch.demo import load_demo

    with user_errors(), open_store(db) as store:
        summary = load_demo(store)
        result = store.stats()
        shown = store.url  # a database URL without its password
    if as_json:
        emit_json({"ingest": summary.to_dict(), "stats": result.to_dict()})
        return
    _print_summary(summary)
    from marksearch.display import stats_text

    click.echo(stats_text(result, shown))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="uvicorn worker processes, each with its own connection and index.")
@click.option("--demo", "with_demo", is_flag=True,
              help="Load the bundled demo register first when the register is empty.")
@click.option("--token", envvar="MARKSEARCH_TOKEN", default=None,
              help="Ask every client for this bearer token (env MARKSEARCH_TOKEN).")
@db_option
def serve(host: str, port: int, workers: int, with_demo: bool, token: str | None, db: str) -> None:
    """Serve the web app and REST API (FastAPI on uvicorn) over the register."""
    import os

    import uvicorn

    from marksearch.search import Searcher

    with user_errors():
        _check_port(host, port)
        with open_store(db) as store:
            if with_demo and store.stats().total == 0:
                from marksearch.demo import load_demo

                click.echo("loading the demo register ...", err=True)
                _print_summary(load_demo(store))
            marks = store.stats().total
            shown_db = store.url  # a database URL without its password
            _note_older_keys(store)
            Searcher(store)  # opens or builds the index once, before any worker needs it
            # The goods pages' term base, grown with the register's goods, is built once and kept
            # (beside an SQLite file; in the user's cache folder for a database server).  One server
            # process builds it in the background on a second connection and answers meanwhile
            # (only goods requests wait); several workers get it built before they start.
            background = workers == 1
            if not background:
                from marksearch.goods.bases import base_for_store

                base_for_store(store, on_build=lambda line: click.echo(line + " ...", err=True))
        app = None
        if workers == 1:
            from marksearch.web import create_app

            app = create_app(db, token=token, goods_in_background=background,
                             say=lambda line: click.echo(line, err=True))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    click.echo(f"marksearch: serving {shown_db} ({marks:,} marks) at http://{shown}:{port}/")
    if app is not None:
        uvicorn.run(app, host=host, port=port)
        return
    os.environ["MARKSEARCH_DB"] = db  # the workers' factory reads these
    if token:
        os.environ["MARKSEARCH_TOKEN"] = token
    uvicorn.run("marksearch.web.app:app_from_env", factory=True, host=host, port=port, workers=workers)


def _check_port(host: str, port: int) -> None:
    """Fail with a message, not uvicorn's log, when the address is taken or not ours."""
    import socket

    from marksearch.errors import UsageError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _add_goods_and_watch() -> None:
    from marksearch.goods.cli import goods_command
    from marksearch.watch.cli import watch_command

    cli.add_command(goods_command)
    cli.add_command(watch_command)


_add_goods_and_watch()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="marksearch")
