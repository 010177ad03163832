"""The server store: one PostgreSQL database, shared by every worker on every machine.

Chosen by URL (``--db postgresql://user@host/dbname`` or ``MARKSEARCH_DB``);
it keeps the embedded store's semantics exactly: the same counts for the same
input, the same record ids and change sequence numbers, the same quarantine.

Writing.  A batch is one transaction.  Writers take a transaction-level
advisory lock first, so batches of concurrent ingests apply one after another
(as SQLite's ``BEGIN IMMEDIATE`` makes them) and change sequence numbers are
handed out in commit order: a reader following the change log never sees a
later change before an earlier one.  Under the lock, one query reads the
stored id, content hash and ``as_of`` of the batch's keys, and one their
tombstones (the ``as_of`` of their last deletion); the batch is then
applied in memory by the embedded store's rules, and only what changes goes
to the server: new records with ``COPY ... FROM STDIN`` (binary) straight
into ``records``, changed ones through a temporary table and one ``UPDATE``,
the change log with ``COPY``.  Ingesting the same file again sends no record
at all.  A committed batch notifies the channel ``marksearch_changes`` with
its last sequence number.

Reading.  The connection runs in autocommit mode: every read sees everything
committed before it, never half a batch (MVCC), and never waits for a writer.
A read that finds the connection broken (the server restarted) reconnects
once and tries again.

Schema.  ``meta.schema_version`` says which migrations have run; missing ones
run in one transaction under an advisory lock, so workers starting together
do not race.

>>> store = PostgresStore("postgresql://marksearch@db.example/marks")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

import psycopg
from psycopg import IsolationLevel

from marksearch.errors import StoreError, UsageError
from marksearch.records import Deletion, Rejection
from marksearch.store.base import (
    Change,
    IndexRow,
    Item,
    Prepared,
    Quarantined,
    SameFileTombstones,
    Stats,
    Store,
    StoredRecord,
    WriteCounts,
    bare_number,
    in_one_name,
    owner_form,
    quarantine_key,
    stored_from_row,
    stored_keys,
)
from marksearch.versions import KEYS_VERSION

__all__ = ["CHANNEL", "SCHEMA_VERSION", "PostgresStore", "redact"]

SCHEMA_VERSION = 3
CHANNEL = "marksearch_changes"
"""What a committed batch notifies, with its last change sequence number as the payload."""

# Advisory lock keys (pg_advisory_xact_lock(int, int)); locks are per database.
_LOCK_SPACE = 0x6D61726B  # "mark"
_LOCK_MIGRATE = 1
_LOCK_WRITE = 2

# Text columns compare as bytes (COLLATE "C"), as SQLite's BINARY collation
# does: the same order of stats and the same as_of comparisons whatever the
# cluster's locale, and cheaper key lookups.
_MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
-- Names this register wherever it is reached from (a local index cache can be keyed by it).
INSERT INTO meta VALUES ('register_id', gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING;
CREATE TABLE records (
    id bigint PRIMARY KEY,
    office text COLLATE "C" NOT NULL,
    application_number text COLLATE "C" NOT NULL,
    registration_number text COLLATE "C",
    mark_text text COLLATE "C" NOT NULL,
    status text COLLATE "C" NOT NULL,
    feature text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    filing_date text COLLATE "C",
    as_of text COLLATE "C",
    nice_classes integer[] NOT NULL,
    content_hash text NOT NULL,
    keys text,
    owners text COLLATE "C" NOT NULL DEFAULT '',
    source text,
    position text,
    ingested_at text,
    seq bigint NOT NULL,
    data bytea NOT NULL,
    UNIQUE (office, application_number)
);
-- The record is zstd-packed already: no second compression by TOAST.
ALTER TABLE records ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE TABLE changes (
    seq bigint PRIMARY KEY,
    op text NOT NULL,
    office text COLLATE "C" NOT NULL,
    application_number text COLLATE "C" NOT NULL,
    record_id bigint NOT NULL
);
CREATE INDEX changes_by_key ON changes (office, application_number);  -- a record's history
CREATE TABLE quarantine (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source text NOT NULL,
    position text NOT NULL,
    reason text NOT NULL,
    excerpt text NOT NULL,
    first_seen text NOT NULL,
    times_seen integer NOT NULL DEFAULT 1,
    UNIQUE (source, position, reason)
);
""",
    # The as_of of each deleted key, so that an older version read later does not bring it back.
    2: """
CREATE TABLE tombstones (
    office text COLLATE "C" NOT NULL,
    application_number text COLLATE "C" NOT NULL,
    as_of text COLLATE "C" NOT NULL,
    PRIMARY KEY (office, application_number)
);
""",
    # records.owners in owner_form (case folded in any script, no diacritics): _fold_owners
    # folds a register's existing names, which needs Python's case folding.
    3: "",
}


_GONE = object()  # a key no longer held


def _fold_owners(db: psycopg.Connection[Any]) -> None:
    """Migration 3 of a register written before it: its owner names in :func:`owner_form`."""
    changed: list[tuple[str, int]] = []
    with db.cursor(name="marksearch_owners") as cursor:  # server side: constant memory
        cursor.execute("SELECT id, owners FROM records WHERE owners <> ''")
        for record_id, owners in cursor:
            if (folded := owner_form(owners)) != owners:
                changed.append((folded, int(record_id)))
    with db.cursor() as cursor:
        for start in range(0, len(changed), 5000):
            cursor.executemany("UPDATE records SET owners = %s WHERE id = %s", changed[start : start + 5000])


_PYTHON_STEPS = {3: _fold_owners}  # run after the step's SQL, on registers that had data before it

# Where updated rows wait for their UPDATE (new rows are copied straight into records).
_INCOMING = "CREATE TEMP TABLE IF NOT EXISTS incoming (LIKE records INCLUDING STORAGE) ON COMMIT DELETE ROWS"
_ROW_COLUMNS = (
    "id", "office", "application_number", "registration_number", "mark_text", "status", "feature", "kind",
    "filing_date", "as_of", "nice_classes", "content_hash", "keys", "owners", "source", "position",
    "ingested_at", "seq", "data",
)
_ROW_TYPES = ["int8"] + ["text"] * 9 + ["int4[]"] + ["text"] * 6 + ["int8", "bytea"]
_UPDATE = (
    f"UPDATE records r SET ({', '.join(_ROW_COLUMNS[3:])}) = ({', '.join('i.' + c for c in _ROW_COLUMNS[3:])}) "
    "FROM incoming i WHERE r.id = i.id"
)

# The stored state of a batch's keys.  LATERAL ... LIMIT 1 keeps each look-up an index probe.
_LOOKUP = """
SELECT k.office, k.application_number, r.id, r.content_hash, r.as_of
FROM unnest(%s::text[], %s::text[]) AS k(office, application_number)
JOIN LATERAL (
    SELECT id, content_hash, as_of FROM records
    WHERE office = k.office AND application_number = k.application_number LIMIT 1
) r ON true
"""

# The tombstones of a batch's keys.
_TOMBSTONES = """
SELECT t.office, t.application_number, t.as_of
FROM unnest(%s::text[], %s::text[]) AS k(office, application_number)
JOIN tombstones t ON t.office = k.office AND t.application_number = k.application_number
"""
_BURY = """
INSERT INTO tombstones (office, application_number, as_of)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[])
ON CONFLICT (office, application_number) DO UPDATE SET as_of = excluded.as_of
"""
_UNBURY = """
DELETE FROM tombstones t USING unnest(%s::text[], %s::text[]) AS k(office, application_number)
WHERE t.office = k.office AND t.application_number = k.application_number
"""

_QUARANTINE = """
INSERT INTO quarantine (source, position, reason, excerpt, first_seen, times_seen)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (source, position, reason) DO UPDATE SET times_seen = quarantine.times_seen + excluded.times_seen
"""

_COLUMNS = "id, data, keys, seq, source, position, ingested_at"
_INDEX_COLUMNS = "id, office, application_number, status, feature, filing_date, nice_classes, keys"

T = TypeVar("T")


_TABLES = ("meta", "records", "changes", "quarantine", "tombstones")  # a register's tables, as the migrations make them


_USERINFO_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:@/?#]*:)(.*)@(?=[^@]*$)")
_PARAMETER_PASSWORD = re.compile(r"(password\s*=\s*)([^&\s]*)", re.IGNORECASE)


def redact(url: str) -> str:
    """The URL without its password, for messages.  The user information is masked to the last
    ``@``, whatever it holds: a password with ``/``, ``?``, ``#`` or ``@`` in it must be
    percent-encoded for libpq, which otherwise stops reading it there, but a URL written so
    still hides it (masking too much of a URL with an ``@`` further on is the safe side).

    >>> redact("postgresql://ms:s3cret@db:5432/marks?sslmode=require&password=x")
    'postgresql://ms:***@db:5432/marks?sslmode=require&password=***'
    >>> redact("POSTGRESQL://u2:pa?ss#1/x@db/e"), redact("postgres://db/e"), redact("postgresql://u:a@b@db/e")
    ('POSTGRESQL://u2:***@db/e', 'postgres://db/e', 'postgresql://u:***@db/e')
    """
    url = _USERINFO_PASSWORD.sub(r"\1***@", url)
    return _PARAMETER_PASSWORD.sub(r"\1***", url)


def _secrets(url: str) -> list[str]:
    """What of ``url`` a message must not show: its passwords as written and percent-decoded, and
    each part of them that libpq may quote alone (it stops at ``/``, ``?``, ``#``, ``@``, ``&``),
    longest first."""
    found = [m.group(2) for m in (_USERINFO_PASSWORD.search(url),) if m]
    found += [m.group(2) for m in _PARAMETER_PASSWORD.finditer(url)]
    parts: set[str] = set()
    for secret in found:
        for whole in (secret, unquote(secret)):
            parts.add(whole)
            parts.update(p for p in re.split(r"[/?#@&=:]", whole) if len(p) >= 3)
    return sorted((p for p in parts if p), key=len, reverse=True)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; it becomes U+FFFD (records themselves are stored whole in ``data``)."""
    return value.replace("\x00", "\ufffd") if value is not None and "\x00" in value else value


class PostgresStore(Store):
    """A register in one PostgreSQL database; see the module docstring."""

    def __init__(self, url: str, *, connect_timeout: int = 10, create: bool = True) -> None:
        self.url = redact(url)
        # libpq reads the scheme in lower case only (POSTGRES:// was a keyword string to it).
        self._dsn = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", lambda m: m.group().lower(), url)
        self._secrets = _secrets(url)
        self._connect_timeout = connect_timeout
        self._incoming = False  # whether this session's temporary table exists
        self._laid = SameFileTombstones()
        self.db = self._connect()
        try:
            if not create and self._schema_version() is None:
                # as a mistyped SQLite path: a database that is no register is not an empty one
                raise UsageError(f"no marksearch register in {self.url} "
                                 "(`marksearch ingest` or `marksearch demo` makes one)")
            self._migrate()
        except psycopg.Error as exc:
            self.db.close()
            raise StoreError(f"cannot open the register {self.url}: {self._said(exc)}") from None
        except (StoreError, UsageError):
            self.db.close()
            raise

    def _said(self, exc: BaseException) -> str:
        """A driver's message on one line, without the password: libpq quotes the URL, or the part
        of it it could not read, as written."""
        said = _one_line(exc)
        for secret in self._secrets:
            said = said.replace(secret, "***")
        return said

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self._dsn, autocommit=True, application_name="marksearch",
                                   connect_timeout=self._connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the register {self.url}: {self._said(exc)}") from None
        # Writers rely on each statement seeing what the previous holder of the write lock committed.
        conn.isolation_level = IsolationLevel.READ_COMMITTED
        self._incoming = False
        return conn

    # -- schema ----------------------------------------------------------------

    def _schema_version(self) -> int | None:
        row = self.db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return None
        try:
            with self.db.transaction():
                row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return int(row[0]) if row else None
        except (psycopg.Error, ValueError):  # a table of the same name that is not ours
            return None

    def _check_foreign_tables(self) -> None:
        """Refuse a database whose own tables carry a register table's name: creating the
        register beside them failed with a cryptic SQL error (or mixed the two)."""
        names = [name for name in _TABLES
                 if (row := self.db.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()) and row[0]]
        if names:
            raise StoreError(f"the database of {self.url} is not a marksearch register but has tables named "
                             f"{', '.join(names)}: give marksearch a database of its own")

    def _migrate(self) -> None:
        version = self._schema_version()
        if version == SCHEMA_VERSION:
            return
        # A session lock taken before the transaction, not a transaction lock taken in it: a
        # transaction that began before another worker's migration committed would still find
        # the tables missing in its catalog cache, and create them a second time.
        self.db.execute("SELECT pg_advisory_lock(%s, %s)", (_LOCK_SPACE, _LOCK_MIGRATE))
        try:
            with self.db.transaction():
                version = self._schema_version()  # again: another worker may have migrated meanwhile
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(
                        f"the register {self.url} was written by a newer marksearch "
                        f"(schema {version}, this one knows {SCHEMA_VERSION})"
                    )
                if version is None:
                    self._check_foreign_tables()
                for step in range((version or 0) + 1, SCHEMA_VERSION + 1):
                    if _MIGRATIONS[step]:
                        self.db.execute(_MIGRATIONS[step].encode())  # no parameters: several statements run
                    if version is not None and step in _PYTHON_STEPS:
                        _PYTHON_STEPS[step](self.db)
                if version is None:  # a new register is keyed by this version; an older one kept what it had
                    self.db.execute("INSERT INTO meta VALUES ('keys_version', %s) ON CONFLICT (key) DO NOTHING",
                                    (str(KEYS_VERSION),))
                self.db.execute(
                    "INSERT INTO meta VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
        finally:
            if not self.db.broken:
                self.db.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_SPACE, _LOCK_MIGRATE))

    # -- writing ---------------------------------------------------------------

    def write_prepared(self, items: Sequence[Item]) -> WriteCounts:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._reconnect_if_broken()
        try:
            with self.db.transaction():
                self.db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, _LOCK_WRITE))
                whole = self.completed(items)  # under the lock: against what the register holds now
                rejections = _grouped_rejections(whole)
                batch = self._plan(whole)
                self._apply(batch, now)
                if rejections:
                    with self.db.cursor() as cur:
                        cur.executemany(_QUARANTINE, [(*key, excerpt, now, n) for key, (excerpt, n) in
                                                      rejections.items()])
                    batch.counts.quarantined = sum(n for _, n in rejections.values())
                if batch.changes:
                    self.db.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(batch.seq)))
            self._incoming = self._incoming or bool(batch.updates)
        except psycopg.Error as exc:
            self._laid.forget()  # the batch was rolled back, its tombstones with it
            raise StoreError(f"cannot write to the register {self.url}: {self._said(exc)}") from None
        except BaseException:
            self._laid.forget()
            raise
        return batch.counts

    def update_keys(self, updates: Sequence[tuple[IndexRow, bytes]]) -> int:
        self._reconnect_if_broken()
        try:
            with self.db.transaction():
                self.db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, _LOCK_WRITE))
                stored = {(int(r[0]), r[1], r[2]): r[3] for r in self.db.execute(
                    "SELECT id, office, application_number, keys FROM records WHERE id = ANY(%s)",
                    ([row.id for row, _ in updates],)).fetchall()}
                # A row deleted or written since it was read is skipped: its id may even hold another
                # record now, and keys an ingest wrote meanwhile are not to be replaced.
                kept = []
                for row, keys in updates:
                    held = stored.get((row.id, *_db_key((row.office, row.application_number))), _GONE)
                    if held is not _GONE and stored_keys(held) == row.keys:
                        kept.append((row, keys))
                if not kept:
                    return 0
                first = self.db.execute("SELECT COALESCE(max(seq), 0) FROM changes").fetchone()
                seq = int(first[0]) if first else 0
                changes = [(seq + i + 1, "rekey", row.office, row.application_number, row.id)
                           for i, (row, _) in enumerate(kept)]
                with self.db.cursor() as cur:
                    cur.executemany("UPDATE records SET keys = %s, seq = %s WHERE id = %s",
                                    [(keys.decode(), change[0], row.id) for (row, keys), change in zip(kept, changes)])
                self._copy("changes", ("seq", "op", "office", "application_number", "record_id"),
                           ["int8", "text", "text", "text", "int8"], iter(changes))
                self.db.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(changes[-1][0])))
        except psycopg.Error as exc:
            raise StoreError(f"cannot write to the register {self.url}: {self._said(exc)}") from None
        return len(kept)

    def _plan(self, items: Sequence[Item]) -> _Batch:
        """The batch applied in memory to the stored state of its keys (read under the write lock)."""
        keys = list(dict.fromkeys(_db_key(i.key) for i in items if not isinstance(i, Rejection)))
        stored: dict[tuple[str, str], tuple[int, str, str | None]] = {}
        tombs: dict[tuple[str, str], str] = {}
        if keys:
            columns = ([k[0] for k in keys], [k[1] for k in keys])
            rows = self.db.execute(_LOOKUP, columns).fetchall()
            stored = {(office, number): (int(rid), digest, as_of) for office, number, rid, digest, as_of in rows}
            tombs = {(office, number): as_of for office, number, as_of in self.db.execute(_TOMBSTONES, columns)}
        row = self.db.execute("SELECT (SELECT COALESCE(max(id), 0) FROM records), "
                              "(SELECT COALESCE(max(seq), 0) FROM changes)").fetchone()
        assert row is not None
        batch = _Batch(stored, max_id=int(row[0]), seq=int(row[1]), largest_below=self._largest_id_below,
                       tombs=tombs, laid=self._laid)
        for item in items:
            if isinstance(item, Prepared):
                batch.put(item)
            elif isinstance(item, Deletion):
                batch.delete(item)
        return batch

    def _largest_id_below(self, below: int, gone: set[int]) -> int:
        row = self.db.execute("SELECT COALESCE(max(id), 0) FROM records WHERE id < %s AND NOT id = ANY(%s)",
                              (below, sorted(gone))).fetchone()
        return int(row[0]) if row else 0

    def _apply(self, batch: _Batch, now: str) -> None:
        """Deletions first: a key deleted and written again, or an id handed out again, is then free."""
        if batch.deletes:
            self.db.execute("DELETE FROM records WHERE id = ANY(%s)", (batch.deletes,))
        if batch.updates:
            if not self._incoming:
                self.db.execute(_INCOMING)
            self._copy("incoming", _ROW_COLUMNS, _ROW_TYPES, (_record_row(*u, now) for u in batch.updates))
            self.db.execute(_UPDATE)
        if batch.inserts:
            self._copy("records", _ROW_COLUMNS, _ROW_TYPES, (_record_row(*i, now) for i in batch.inserts))
        if batch.changes:
            self._copy("changes", ("seq", "op", "office", "application_number", "record_id"),
                       ["int8", "text", "text", "text", "int8"], iter(batch.changes))
        buried, unburied = batch.tombstones
        if buried:
            self.db.execute(_BURY, ([k[0] for k, _ in buried], [k[1] for k, _ in buried], [a for _, a in buried]))
        if unburied:
            self.db.execute(_UNBURY, ([k[0] for k in unburied], [k[1] for k in unburied]))

    def _copy(self, table: str, columns: Sequence[str], types: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with self.db.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    # -- reading ---------------------------------------------------------------

    def _reconnect_if_broken(self) -> None:
        if self.db.broken:
            self.db.close()
            self.db = self._connect()

    def _read(self, run: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run a read; once more on a new connection when the server dropped the old one."""
        for attempt in (1, 2):
            self._reconnect_if_broken()
            try:
                return run(self.db)
            except psycopg.OperationalError as exc:
                if attempt == 1 and self.db.broken:
                    continue
                raise StoreError(f"cannot read the register {self.url}: {self._said(exc)}") from None
            except psycopg.Error as exc:
                raise StoreError(f"cannot read the register {self.url}: {self._said(exc)}") from None
        raise AssertionError("unreachable")

    def _fetch(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self._read(lambda db: db.execute(sql, params).fetchall())

    def get(self, office: str, application_number: str) -> StoredRecord | None:
        rows = self._fetch(f"SELECT {_COLUMNS} FROM records WHERE office = %s AND application_number = %s",
                           (_text(office), _text(application_number)))
        return stored_from_row(rows[0]) if rows else None

    def numbers_like(self, office: str, application_number: str, limit: int = 5) -> list[str]:
        rows = self._fetch("SELECT application_number FROM records WHERE office = %s "
                           "AND upper(ltrim(application_number, '0')) = upper(%s) ORDER BY application_number LIMIT %s",
                           (_text(office), _text(bare_number(application_number)), limit))
        return [r[0] for r in rows]

    def iter_records(self, *, after_id: int = 0) -> Iterator[StoredRecord]:
        last = after_id
        while True:
            rows = self._fetch(f"SELECT {_COLUMNS} FROM records WHERE id > %s ORDER BY id LIMIT 1000", (last,))
            if not rows:
                return
            for row in rows:
                yield stored_from_row(row)
            last = rows[-1][0]

    def iter_index_rows(self, *, after_id: int = 0, ids: Sequence[int] | None = None) -> Iterator[IndexRow]:
        if ids is not None:
            for start in range(0, len(ids), 5000):
                chunk = sorted(ids[start : start + 5000])
                rows = self._fetch(f"SELECT {_INDEX_COLUMNS} FROM records WHERE id = ANY(%s) ORDER BY id",
                                   (chunk,))
                yield from map(_index_row, rows)
            return
        last = after_id
        while True:
            rows = self._fetch(f"SELECT {_INDEX_COLUMNS} FROM records WHERE id > %s ORDER BY id LIMIT 5000",
                               (last,))
            if not rows:
                return
            yield from map(_index_row, rows)
            last = rows[-1][0]

    def owner_ids(self, owner: str) -> list[int]:
        owner = owner_form(owner)  # as the column holds the names
        if not owner:  # only marks that fold away (a lone accent): no name holds it
            return []
        pattern = "%" + owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._fetch("SELECT id, owners FROM records WHERE owners ILIKE %s ESCAPE '\\' ORDER BY id",
                           (_text(pattern),))
        return [int(r[0]) for r in rows if "|" not in owner or in_one_name(r[1], owner)]

    def get_by_ids(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        found: dict[int, StoredRecord] = {}
        for start in range(0, len(ids), 5000):
            chunk = [int(i) for i in ids[start : start + 5000]]
            for row in self._fetch(f"SELECT {_COLUMNS} FROM records WHERE id = ANY(%s)", (chunk,)):
                stored = stored_from_row(row)
                found[stored.id] = stored
        return found

    def changes(self, *, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        rows = self._fetch(
            "SELECT seq, op, office, application_number, record_id FROM changes "
            "WHERE seq > %s ORDER BY seq LIMIT %s",
            (after_seq, limit),
        )
        return [Change(int(s), op, office, number, int(rid)) for s, op, office, number, rid in rows]

    def last_seq(self) -> int:
        rows = self._fetch("SELECT COALESCE(max(seq), 0) FROM changes")
        return int(rows[0][0])

    def keys_version(self) -> int:
        rows = self._fetch("SELECT value FROM meta WHERE key = 'keys_version'")
        return int(rows[0][0]) if rows else 1

    def set_keys_version(self, version: int) -> None:
        self._reconnect_if_broken()
        try:
            with self.db.transaction():
                self.db.execute("INSERT INTO meta VALUES ('keys_version', %s) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
        except psycopg.Error as exc:
            raise StoreError(f"cannot write to the register {self.url}: {self._said(exc)}") from None

    def stats(self) -> Stats:
        return self._read(_stats)

    def quarantined(self) -> list[Quarantined]:
        rows = self._fetch(
            "SELECT source, position, reason, excerpt, first_seen, times_seen FROM quarantine ORDER BY id"
        )
        return [Quarantined(Rejection(s, p, r, e), first, int(n)) for s, p, r, e, first, n in rows]

    # Not in the Store base class (yet): what the web app shows beside a record and in its footer,
    # and a name for the register that does not depend on the URL it was reached by.

    @property
    def register_id(self) -> str:
        """A UUID made when the schema was created: the same for every worker, new for a new register."""
        rows = self._fetch("SELECT value FROM meta WHERE key = 'register_id'")
        return str(rows[0][0])

    def history(self, office: str, application_number: str) -> list[Change]:
        """The change log entries of one record, oldest first."""
        rows = self._fetch("SELECT seq, op, office, application_number, record_id FROM changes "
                           "WHERE office = %s AND application_number = %s ORDER BY seq",
                           (_text(office), _text(application_number)))
        return [Change(int(s), op, o, n, int(rid)) for s, op, o, n, rid in rows]

    def currency(self) -> list[tuple[str, int, str | None, str | None]]:
        """Per office, most records first: records, the latest ingest time, the newest office date."""
        rows = self._fetch(
            "SELECT office, count(*), max(ingested_at), max(COALESCE(as_of, filing_date)) "
            "FROM records GROUP BY office ORDER BY count(*) DESC, office"
        )
        return [(str(o), int(n), i, d) for o, n, i, d in rows]

    dialect = "postgres"

    def connection(self) -> psycopg.Connection[Any]:
        self._reconnect_if_broken()
        return self.db

    def close(self) -> None:
        self.db.close()


# -- helpers -----------------------------------------------------------------------


def _db_key(key: tuple[str, str]) -> tuple[str, str]:
    office, number = key
    return (_text(office) or "", _text(number) or "")


class _Batch:
    """A batch applied, in order, to the stored state of its keys, by the rules of
    :class:`~marksearch.store.sqlite.SQLiteStore` (``_put`` and ``_delete``), and what
    it leaves to write: ids and change sequence numbers as SQLite hands them out.

    A record's new id is one more than the largest id left, as for an SQLite
    ``INTEGER PRIMARY KEY``; when a batch deleted that record, ``largest_below``
    asks the database for the largest id below it that the batch has not deleted.
    """

    def __init__(self, stored: dict[tuple[str, str], tuple[int, str, str | None]], *, max_id: int, seq: int,
                 largest_below: Callable[[int, set[int]], int],
                 tombs: dict[tuple[str, str], str] | None = None, laid: SameFileTombstones | None = None) -> None:
        self.state = dict(stored)  # key -> (id, content hash, as_of) as the batch goes
        self.tombs = dict(tombs or {})  # key -> as_of of its newest deletion, as the batch goes
        self.laid = laid if laid is not None else SameFileTombstones()  # the store's, laid as the batch goes
        self._tombs_before = dict(self.tombs)
        self.before = {key: row[0] for key, row in stored.items()}
        self.written: dict[tuple[str, str], tuple[int, Prepared]] = {}  # key -> (seq, last version written)
        self.changes: list[tuple[int, str, str, str, int]] = []
        self.counts = WriteCounts()
        self.seq = seq
        self._max_id, self._largest_below = max_id, largest_below
        self._new: set[int] = set()  # ids handed out by this batch and not deleted since
        self._gone: set[int] = set()  # stored ids this batch deleted

    def put(self, p: Prepared) -> None:
        key = _db_key(p.key)
        row = self.state.get(key)
        if row is not None and row[1] == p.digest:
            self.counts.unchanged += 1
            return
        if row is not None and row[2] and p.as_of and p.as_of < row[2]:
            self.counts.unchanged += 1
            self.counts.older += 1
            return
        tomb = self.tombs.get(key) if row is None and p.as_of else None
        if tomb is not None and p.as_of and (p.as_of < tomb or (
                p.as_of == tomb and not self.laid.earlier_in(key, p.as_of, p.source))):
            # deleted by data as new as this version, or newer, but for earlier in its own file
            self.counts.unchanged += 1
            self.counts.older += 1
            return
        if row is None:
            self.tombs.pop(key, None)
            record_id = self._next_id()
            self._new.add(record_id)
            self.counts.inserted += 1
        else:
            record_id = row[0]
            self.counts.updated += 1
        self.seq += 1
        self.changes.append((self.seq, "insert" if row is None else "update", *key, record_id))
        self.state[key] = (record_id, p.digest, p.as_of)
        self.written[key] = (self.seq, p)

    def delete(self, d: Deletion) -> None:
        key = _db_key(d.key)
        if d.as_of:
            held = self.state.get(key)
            if held is not None and held[2] and held[2] > d.as_of:
                self.counts.unchanged += 1  # the register holds a newer version than the deletion
                self.counts.older += 1
                return
            self.tombs[key] = max(self.tombs.get(key, d.as_of), d.as_of)
            self.laid.lay(key, d.as_of, d.provenance.source if d.provenance else "")
        row = self.state.pop(key, None)
        if row is None:
            self.counts.unchanged += 1  # already gone: deleting again changes nothing
            return
        self.written.pop(key, None)
        if row[0] in self._new:
            self._new.discard(row[0])
        else:
            self._gone.add(row[0])
        self.seq += 1
        self.changes.append((self.seq, "delete", *key, row[0]))
        self.counts.deleted += 1

    def _next_id(self) -> int:
        if self._new:
            return max(self._new) + 1  # above every stored id
        while self._max_id in self._gone:
            self._max_id = self._largest_below(self._max_id, self._gone)
        return self._max_id + 1

    @property
    def tombstones(self) -> tuple[list[tuple[tuple[str, str], str]], list[tuple[str, str]]]:
        """(key, as_of) of tombstones to write, and keys whose tombstone is gone."""
        buried = [(k, a) for k, a in self.tombs.items() if self._tombs_before.get(k) != a]
        return buried, [k for k in self._tombs_before if k not in self.tombs]

    @property
    def deletes(self) -> list[int]:
        """Stored rows to delete: their key is gone, or it came back under a new id."""
        return sorted(rid for key, rid in self.before.items() if self.state.get(key, (None,))[0] != rid)

    @property
    def updates(self) -> list[tuple[int, int, Prepared]]:
        """(id, seq, version) of stored rows written in place."""
        return [(self.state[k][0], seq, p) for k, (seq, p) in self.written.items()
                if self.before.get(k) == self.state[k][0]]

    @property
    def inserts(self) -> list[tuple[int, int, Prepared]]:
        """(id, seq, version) of new rows, in id order."""
        return sorted((self.state[k][0], seq, p) for k, (seq, p) in self.written.items()
                      if self.before.get(k) != self.state[k][0])


def _record_row(record_id: int, seq: int, p: Prepared, now: str) -> tuple[Any, ...]:
    """A row of ``records`` in the order of :data:`_ROW_COLUMNS`."""
    return (
        record_id, _text(p.office), _text(p.application_number), _text(p.registration_number),
        _text(p.mark_text), p.status, p.feature, p.kind, _text(p.filing_date), _text(p.as_of),
        sorted(set(p.nice_classes)), p.digest, p.keys.decode() if p.keys is not None else None,
        _text(p.owners), _text(p.source), _text(p.position), now, seq, p.data,
    )


def _grouped_rejections(items: Sequence[Item]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """Rejections by (source, position, reason): the first excerpt and how many times, first seen first."""
    grouped: dict[tuple[str, str, str], tuple[str, int]] = {}
    for item in items:
        if isinstance(item, Rejection):
            source, position, reason = quarantine_key(item)
            key = (_text(source) or "", _text(position) or "", _text(reason) or "")
            excerpt, n = grouped.get(key, (_text(item.excerpt[:2000]) or "", 0))
            grouped[key] = (excerpt, n + 1)
    return grouped


def _stats(db: psycopg.Connection[Any]) -> Stats:
    """Every count from one snapshot, even while an ingest writes."""
    with db.transaction():
        db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

        def grouped(column: str) -> dict[str, int]:
            rows = db.execute(
                f"SELECT {column}, count(*) FROM records GROUP BY {column} ORDER BY count(*) DESC, {column}"
            )
            return {str(k): int(n) for k, n in rows}

        classes = db.execute(
            "SELECT c, count(*) FROM records, unnest(nice_classes) c GROUP BY c ORDER BY c"
        ).fetchall()
        total = db.execute("SELECT count(*) FROM records").fetchone()
        quarantined = db.execute("SELECT count(*) FROM quarantine").fetchone()
        return Stats(
            total=int(total[0]) if total else 0,
            by_office=grouped("office"),
            by_status=grouped("status"),
            by_feature=grouped("feature"),
            by_class={int(c): int(n) for c, n in classes},
            quarantined=int(quarantined[0]) if quarantined else 0,
        )


def _index_row(row: tuple[Any, ...]) -> IndexRow:
    rid, office, number, status, feature, filing, classes, keys = row
    return IndexRow(
        id=int(rid),
        office=office,
        application_number=number,
        status=status,
        feature=feature,
        filing_date=filing,
        nice_classes=tuple(classes),
        keys=stored_keys(keys),
    )
