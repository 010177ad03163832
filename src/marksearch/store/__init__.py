"""Where records live: the embedded SQLite default or a PostgreSQL server, chosen by path or URL.

A path, ``sqlite://PATH``, ``file://PATH`` or ``:memory:`` opens the
embedded store; ``postgresql://...`` (or ``postgres://...``, any libpq URL)
opens :class:`marksearch.store.postgres.PostgresStore`.

>>> open_store(":memory:").url
':memory:'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from marksearch.errors import UsageError
from marksearch.store.base import (
    Change,
    IndexRow,
    Item,
    Prepared,
    Quarantined,
    Stats,
    Store,
    StoredRecord,
    WriteCounts,
)
from marksearch.store.sqlite import SQLiteStore

__all__ = [
    "DEFAULT_DB",
    "Change",
    "IndexRow",
    "Item",
    "Prepared",
    "Quarantined",
    "SQLiteStore",
    "Stats",
    "Store",
    "StoredRecord",
    "WriteCounts",
    "open_store",
    "resolve_db",
]

PG_SCHEMES = ("postgresql", "postgres")

DEFAULT_DB = "marksearch.sqlite"
"""The register used when neither ``--db`` nor ``MARKSEARCH_DB`` names one (in the current folder)."""


def resolve_db(db: str | None) -> str:
    """``--db`` if given, else ``$MARKSEARCH_DB``, else :data:`DEFAULT_DB`."""
    return db or os.environ.get("MARKSEARCH_DB") or DEFAULT_DB


_CONNINFO = re.compile(r"(?:^|\s)(?:host|hostaddr|dbname|user|password|port|sslmode|service)\s*=", re.IGNORECASE)


def open_store(db: str | None = None, *, create: bool = True) -> Store:
    """Open the register named by a path or URL, creating a SQLite file when ``create``.

    Commands that only read pass ``create=False``: a mistyped path would otherwise become a new
    empty register, and a clearance search of it would report no conflicting marks.
    """
    target = resolve_db(db)
    scheme = target.split("://", 1)[0] if "://" in target else ""
    if not scheme and _CONNINFO.search(target):
        # libpq's "host=... dbname=... password=..." would otherwise name a SQLite file, password and all
        raise UsageError("a libpq keyword string is not read: give the PostgreSQL register as a URL, "
                         "postgresql://user:password@host:port/dbname")
    if scheme in ("", "sqlite", "file"):
        path = target.split("://", 1)[1] if scheme else target
        if path == ":memory:":
            return SQLiteStore(path)
        if not create and not Path(path).expanduser().exists():
            raise UsageError(f"no register at {path} (`marksearch ingest` or `marksearch demo` makes one)")
        return SQLiteStore(Path(path).expanduser(), create=create)
    if scheme.lower() in PG_SCHEMES:
        return _postgres(target, create)
    raise UsageError(
        f"unsupported register URL {target.split('://', 1)[0] + '://...'!r}: give a file path for the "
        "embedded SQLite store or a postgresql:// URL"
    )


def _postgres(url: str, create: bool) -> Store:
    try:
        from marksearch.store.postgres import PostgresStore
    except ImportError as exc:  # psycopg, or its libpq, is missing
        raise UsageError(
            f'a postgresql:// register needs psycopg (pip install "psycopg[binary]"): {exc}'
        ) from None
    return PostgresStore(url, create=create)
