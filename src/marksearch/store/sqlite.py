"""The embedded store: one SQLite file, no server.

The file runs in WAL mode with ``synchronous=NORMAL``: every committed batch
survives a ``kill -9`` of the writer, a reader never sees half a batch, and
readers are not blocked while an ingest writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from marksearch.errors import StoreError
from marksearch.records import Deletion, Record, Rejection
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
    record_owners,
    stored_from_row,
    stored_keys,
)
from marksearch.store.packing import unpack
from marksearch.versions import KEYS_VERSION

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 4
# 1: records.data held the record's JSON as text.
# 2: records.data holds it zstd-compressed (store.packing); rows of schema 1 are still read.
# 3: tombstones: the as_of of each deleted key, so that an older version read later does not
#    bring the record back.  A register of schema 1 or 2 gets the (empty) table on opening.
# 4: records.owners holds the names in owner_form (case folded in any script, no diacritics); a
#    register of an earlier schema has its column folded on opening.  The first releases of schema 1
#    had no owners column at all (it came later without a new version): it is added, and filled
#    from the records, on opening.

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    office TEXT NOT NULL,
    application_number TEXT NOT NULL,
    registration_number TEXT,
    mark_text TEXT NOT NULL,
    status TEXT NOT NULL,
    feature TEXT NOT NULL,
    kind TEXT NOT NULL,
    filing_date TEXT,
    as_of TEXT,
    content_hash TEXT NOT NULL,
    keys TEXT,
    owners TEXT NOT NULL DEFAULT '',
    source TEXT,
    position TEXT,
    ingested_at TEXT,
    seq INTEGER NOT NULL,
    -- packing.pack(record JSON), text in registers of schema 1.  Last, because SQLite
    -- reads a row's columns in order, through the overflow pages of a long value:
    -- the index reads keys without wading through the record.
    data BLOB NOT NULL,
    UNIQUE (office, application_number)
);
CREATE TABLE IF NOT EXISTS record_classes (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    nice_class INTEGER NOT NULL,
    PRIMARY KEY (record_id, nice_class)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_classes_by_class ON record_classes (nice_class);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    office TEXT NOT NULL,
    application_number TEXT NOT NULL,
    record_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_record ON changes (office, application_number);
CREATE TABLE IF NOT EXISTS tombstones (
    office TEXT NOT NULL,
    application_number TEXT NOT NULL,
    as_of TEXT NOT NULL,  -- of the newest deletion of the key
    PRIMARY KEY (office, application_number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    position TEXT NOT NULL,
    reason TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source, position, reason)
);
"""


class SQLiteStore(Store):
    """A register in one SQLite file (``":memory:"`` gives a throwaway in-memory twin).

    >>> with SQLiteStore(":memory:") as store:
    ...     store.stats().total
    0
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        """``create=False`` (the commands that only read) opens only a file that is a marksearch
        register, and writes nothing to any other: an empty file, or another application's
        SQLite database, is refused with a :class:`StoreError`.  A register in a folder that
        cannot be written (a read-only mount) is then opened read-only."""
        self.path = str(path)
        self.url = self.path
        self.read_only = False
        self._derived_id: str | None = None
        self._id_kept = False  # whether this register is known to keep its register_id
        self._laid = SameFileTombstones()
        target = self.path
        uri = False
        if self.path != ":memory:":
            file = Path(self.path).expanduser().resolve()
            parent = file.parent
            if not parent.is_dir():
                raise StoreError(f"cannot create the register {self.path}: folder {parent} does not exist")
            if file.is_dir():  # whether it may be created or not: SQLite's words sent the user to permissions
                raise StoreError(f"{self.path} is a folder, not a marksearch register: give the path of a "
                                 "register file in it, such as " + str(Path(self.path) / "marksearch.sqlite"))
            if not create:
                _check_register_file(file, self.path)
                if not _folder_writable(parent):
                    target, uri = self._read_only_uri(file, parent), True
                    self.read_only = True
        try:
            self.db = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the register {self.path}: {_problem(exc, self.path)}") from None
        try:
            if not create and not self._is_register():
                raise StoreError(
                    f"{self.path} is not a marksearch register (an SQLite database without marksearch's "
                    "tables); it was left as it was: give the path of a register, or make one with "
                    "`marksearch ingest`")
            # SQLite's default page cache, 2 MB, holds 128 such pages: a bulk write then reads
            # the pages of its indexes back from the OS again and again, which shows as system
            # time once the register outgrows the OS page cache.  64 MB, used only as filled.
            self.db.execute("PRAGMA cache_size=-65536")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            if not self.read_only:
                # A new register gets 16 KB pages (a no-op on an existing one): records of about
                # 18 KB, packed, then take one page and one overflow page instead of five pages,
                # which made bulk writes cheaper in an ad-hoc trial.
                self.db.execute("PRAGMA page_size=16384")
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except (sqlite3.DatabaseError, StoreError) as exc:
            self.db.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the register {self.path}: {_problem(exc, self.path)}") from None

    def _read_only_uri(self, file: Path, parent: Path) -> str:
        """How to open a register whose folder cannot be written.  SQLite cannot open a WAL-mode
        file read-only without a ``-shm`` file beside it that it may create; a register whose log
        is checkpointed (no ``-wal`` file, or an empty one: every closed register) is opened as
        immutable, which needs none (and which assumes that no one else writes to it meanwhile, as
        no one can on a read-only mount)."""
        wal = Path(str(file) + "-wal")
        name = quote(str(file))
        if wal.exists() and wal.stat().st_size > 0:
            if Path(str(file) + "-shm").exists():
                return f"file:{name}?mode=ro"
            raise StoreError(
                f"cannot open the register {self.path}: its folder {parent} is read-only and the register "
                "has changes not yet checkpointed into it (a -wal file); open it once where its folder can "
                "be written (any marksearch command does), or copy the register with its -wal file to a "
                "writable folder")
        return f"file:{name}?mode=ro&immutable=1"

    def _is_register(self) -> bool:
        """Whether the open file holds marksearch's tables (read without writing anything)."""
        row = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if row is None:
            return False
        return self.db.execute("SELECT 1 FROM meta WHERE key='schema_version'").fetchone() is not None

    def _migrate(self) -> None:
        row = None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            # a new file: no meta table yet
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"the register {self.path} was written by a newer marksearch "
                f"(schema {row[0]}, this one knows {SCHEMA_VERSION})"
            )
        if row is not None and int(row[0]) == SCHEMA_VERSION:
            return
        if self.read_only:
            raise StoreError(
                f"the register {self.path} was written by an earlier marksearch and must be upgraded once, "
                f"but its folder is read-only: run any marksearch command on it where it can be written")
        # executescript commits on its own, so the transaction is spelled out in the script.
        # Schema 1 needs no change of its tables: its text rows stay readable beside packed ones.
        # A new register is keyed by this version; an older one keeps what it had (1 if nothing).
        new = "" if row is not None else (
            f"INSERT OR IGNORE INTO meta VALUES ('keys_version', '{KEYS_VERSION}');"
            f"INSERT OR IGNORE INTO meta VALUES ('register_id', '{uuid.uuid4().hex}');")
        if row is not None and int(row[0]) < 4:  # owner names as the owner filter now compares them
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(records)")}
            self.db.create_function("marksearch_owner_form", 1, owner_form, deterministic=True)
            if "owners" not in columns:
                # the first releases of schema 1 had no owners column: made from the records themselves
                self.db.create_function("marksearch_owners", 1, _owners_of_data, deterministic=True)
                new += ("ALTER TABLE records ADD COLUMN owners TEXT NOT NULL DEFAULT '';"
                        "UPDATE records SET owners = marksearch_owners(data);")
            else:
                new += "UPDATE records SET owners = marksearch_owner_form(owners) WHERE owners <> '';"
        self.db.executescript(
            "BEGIN IMMEDIATE;" + _SCHEMA + "INSERT OR REPLACE INTO meta VALUES "
            f"('schema_version', '{SCHEMA_VERSION}');" + new + " COMMIT;"
        )

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """SQLite's errors while reading (a damaged file, a register locked past the busy timeout)
        as a :class:`StoreError` with a message for people."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read the register {self.path}: {_problem(exc, self.path)}") from None

    def _transaction(self) -> _Tx:
        return _Tx(self.db)

    # -- writing -------------------------------------------------------------

    def write_prepared(self, items: Sequence[Item]) -> WriteCounts:
        counts = WriteCounts()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            with self._transaction():
                if not self._id_kept:  # a register of an earlier release gets its id from its first writer
                    self.db.execute("INSERT OR IGNORE INTO meta VALUES ('register_id', ?)", (uuid.uuid4().hex,))
                for item in self.completed(items):
                    if isinstance(item, Prepared):
                        self._put(item, now, counts)
                    elif isinstance(item, Deletion):
                        self._delete(item, counts)
                    else:
                        self._quarantine(item, now)
                        counts.quarantined += 1
        except sqlite3.DatabaseError as exc:
            self._laid.forget()  # the batch was rolled back, its tombstones with it
            raise StoreError(f"cannot write to the register {self.path}: {_problem(exc, self.path)}") from None
        except BaseException:
            self._laid.forget()
            raise
        self._id_kept = True
        return counts

    def _put(self, p: Prepared, now: str, counts: WriteCounts) -> None:
        row = self.db.execute(
            "SELECT id, content_hash, as_of FROM records WHERE office=? AND application_number=?",
            p.key,
        ).fetchone()
        if row is not None and row[1] == p.digest:
            counts.unchanged += 1
            return
        if row is not None and row[2] and p.as_of and p.as_of < row[2]:
            counts.unchanged += 1
            counts.older += 1
            return
        if row is None and p.as_of:
            # A key deleted by data as new as this version, or newer, stays deleted, unless the
            # deletion was read earlier in this version's own file (SameFileTombstones).
            tomb = self.db.execute(
                "SELECT as_of FROM tombstones WHERE office=? AND application_number=?", p.key
            ).fetchone()
            if tomb is not None and (p.as_of < tomb[0] or (
                    p.as_of == tomb[0] and not self._laid.earlier_in(p.key, p.as_of, p.source))):
                counts.unchanged += 1
                counts.older += 1
                return
        values = (
            p.registration_number,
            p.mark_text,
            p.status,
            p.feature,
            p.kind,
            p.filing_date,
            p.as_of,
            p.digest,
            p.data,
            p.keys.decode() if p.keys is not None else None,
            p.owners,
            p.source,
            p.position,
            now,
        )
        # The change is logged first so that the record row, which can be large, is written once.
        op = "insert" if row is None else "update"
        seq = self._log(op, p.office, p.application_number, 0 if row is None else int(row[0]))
        if row is None:
            cur = self.db.execute(
                "INSERT INTO records (registration_number, mark_text, status, feature, kind, "
                "filing_date, as_of, content_hash, data, keys, owners, source, position, ingested_at, "
                "office, application_number, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, *p.key, seq),
            )
            record_id = int(cur.lastrowid or 0)
            self.db.execute("UPDATE changes SET record_id=? WHERE seq=?", (record_id, seq))
            self.db.execute("DELETE FROM tombstones WHERE office=? AND application_number=?", p.key)
            counts.inserted += 1
        else:
            record_id = int(row[0])
            self.db.execute(
                "UPDATE records SET registration_number=?, mark_text=?, status=?, feature=?, "
                "kind=?, filing_date=?, as_of=?, content_hash=?, data=?, keys=?, owners=?, source=?, "
                "position=?, ingested_at=?, seq=? WHERE id=?",
                (*values, seq, record_id),
            )
            self.db.execute("DELETE FROM record_classes WHERE record_id=?", (record_id,))
            counts.updated += 1
        self.db.executemany(
            "INSERT OR IGNORE INTO record_classes VALUES (?, ?)",
            [(record_id, c) for c in p.nice_classes],
        )

    def update_keys(self, updates: Sequence[tuple[IndexRow, bytes]]) -> int:
        done = 0
        try:
            with self._transaction():
                for row, keys in updates:
                    held = self.db.execute("SELECT keys FROM records WHERE id=? AND office=? AND application_number=?",
                                           (row.id, row.office, row.application_number)).fetchone()
                    if held is None or stored_keys(held[0]) != row.keys:
                        continue  # deleted or written since it was read: those keys are not to be replaced
                    seq = self._log("rekey", row.office, row.application_number, row.id)
                    self.db.execute("UPDATE records SET keys=?, seq=? WHERE id=?", (keys.decode(), seq, row.id))
                    done += 1
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot write to the register {self.path}: {_problem(exc, self.path)}") from None
        return done

    def _delete(self, deletion: Deletion, counts: WriteCounts) -> None:
        row = self.db.execute(
            "SELECT id, as_of FROM records WHERE office=? AND application_number=?", deletion.key
        ).fetchone()
        if deletion.as_of:
            if row is not None and row[1] and row[1] > deletion.as_of:
                counts.unchanged += 1  # the register holds a newer version than the deletion
                counts.older += 1
                return
            self.db.execute(
                "INSERT INTO tombstones VALUES (?,?,?) ON CONFLICT (office, application_number) "
                "DO UPDATE SET as_of = max(as_of, excluded.as_of)",
                (*deletion.key, deletion.as_of),
            )
            source = deletion.provenance.source if deletion.provenance else ""
            self._laid.lay(deletion.key, deletion.as_of, source)
        if row is None:
            counts.unchanged += 1  # already gone: deleting again changes nothing
            return
        self.db.execute("DELETE FROM records WHERE id=?", (row[0],))
        self._log("delete", deletion.office, deletion.application_number, int(row[0]))
        counts.deleted += 1

    def _log(self, op: str, office: str, number: str, record_id: int) -> int:
        cur = self.db.execute(
            "INSERT INTO changes (op, office, application_number, record_id) VALUES (?,?,?,?)",
            (op, office, number, record_id),
        )
        return int(cur.lastrowid or 0)

    def _quarantine(self, rejection: Rejection, now: str) -> None:
        self.db.execute(
            "INSERT INTO quarantine (source, position, reason, excerpt, first_seen) "
            "VALUES (?,?,?,?,?) ON CONFLICT (source, position, reason) "
            "DO UPDATE SET times_seen = times_seen + 1",
            (*quarantine_key(rejection), rejection.excerpt[:2000], now),
        )

    # -- reading -------------------------------------------------------------
    # Every read runs in _reading: a damaged file or a register locked too long is a StoreError.

    _COLUMNS = "id, data, keys, seq, source, position, ingested_at"

    def _stored(self, row: tuple[Any, ...]) -> StoredRecord:
        """A record row read back; one whose bytes are damaged (which SQLite does not check) is a StoreError."""
        try:
            return stored_from_row(row)
        except Exception as exc:  # noqa: BLE001 - zstd, JSON or record errors alike
            raise StoreError(f"cannot read record {row[0]} of the register {self.path}: {exc}: the file is "
                             "damaged; restore it from a backup, or ingest the office files again into a new "
                             "register") from None

    def _keys(self, record_id: int, keys: str | bytes | None) -> dict[str, Any] | None:
        try:
            return stored_keys(keys)
        except ValueError as exc:
            raise StoreError(f"cannot read the text keys of record {record_id} of the register {self.path}: "
                             f"{exc}: the file is damaged; restore it from a backup, or ingest the office files again into a "
                             "new register") from None

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        """The rows of a query, read whole."""
        with self._reading():
            return self.db.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[object] = ()) -> Any:
        with self._reading():
            return self.db.execute(sql, params).fetchone()

    def get(self, office: str, application_number: str) -> StoredRecord | None:
        row = self._one(
            f"SELECT {self._COLUMNS} FROM records WHERE office=? AND application_number=?",
            (office, application_number),
        )
        return self._stored(row) if row else None

    def numbers_like(self, office: str, application_number: str, limit: int = 5) -> list[str]:
        bare = bare_number(application_number)
        rows = self._all(
            "SELECT application_number FROM records WHERE office=? AND upper(ltrim(application_number, '0'))=upper(?) "
            "ORDER BY application_number LIMIT ?", (office, bare, limit))
        return [r[0] for r in rows]

    def iter_records(self, *, after_id: int = 0) -> Iterator[StoredRecord]:
        last = after_id
        while True:
            rows = self._all(
                f"SELECT {self._COLUMNS} FROM records WHERE id > ? ORDER BY id LIMIT 1000", (last,)
            )
            if not rows:
                return
            for row in rows:
                yield self._stored(row)
            last = rows[-1][0]

    def iter_index_rows(self, *, after_id: int = 0, ids: Sequence[int] | None = None) -> Iterator[IndexRow]:
        if ids is not None:
            for start in range(0, len(ids), 500):
                chunk = sorted(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                yield from self._index_rows(f"r.id IN ({marks})", chunk)
            return
        last = after_id
        while True:
            rows = list(self._index_rows("r.id > ? ORDER BY r.id LIMIT 5000", [last]))
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def _index_rows(self, where: str, params: Sequence[object]) -> Iterator[IndexRow]:
        rows = self._all(
            "SELECT r.id, r.office, r.application_number, r.status, r.feature, r.filing_date, r.keys, "
            "(SELECT group_concat(nice_class) FROM record_classes c WHERE c.record_id = r.id) "
            f"FROM records r WHERE {where}",
            params,
        )
        for rid, office, number, status, feature, filing, keys, classes in rows:
            yield IndexRow(
                id=int(rid),
                office=office,
                application_number=number,
                status=status,
                feature=feature,
                filing_date=filing,
                nice_classes=tuple(sorted(int(c) for c in classes.split(","))) if classes else (),
                keys=self._keys(rid, keys),
            )

    def owner_ids(self, owner: str) -> list[int]:
        owner = owner_form(owner)
        if not owner:  # only marks that fold away (a lone accent): no name holds it
            return []
        pattern = "%" + owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._all("SELECT id, owners FROM records WHERE owners LIKE ? ESCAPE '\\' ORDER BY id", (pattern,))
        return [int(r[0]) for r in rows if "|" not in owner or in_one_name(r[1], owner)]

    def get_by_ids(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        found: dict[int, StoredRecord] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._all(f"SELECT {self._COLUMNS} FROM records WHERE id IN ({marks})", chunk):
                stored = self._stored(row)
                found[stored.id] = stored
        return found

    def changes(self, *, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        rows = self._all(
            "SELECT seq, op, office, application_number, record_id FROM changes "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [Change(*row) for row in rows]

    def history(self, office: str, application_number: str) -> list[Change]:
        rows = self._all(
            "SELECT seq, op, office, application_number, record_id FROM changes "
            "WHERE office=? AND application_number=? ORDER BY seq", (office, application_number))
        return [Change(int(seq), op, o, n, int(rid)) for seq, op, o, n, rid in rows]

    def currency(self) -> list[tuple[str, int, str | None, str | None]]:
        rows = self._all(
            "SELECT office, COUNT(*), MAX(ingested_at), MAX(COALESCE(as_of, filing_date)) "
            "FROM records GROUP BY office ORDER BY COUNT(*) DESC, office")
        return [(str(o), int(n), i, d) for o, n, i, d in rows]

    def last_seq(self) -> int:
        row = self._one("SELECT COALESCE(MAX(seq), 0) FROM changes")
        return int(row[0])

    def keys_version(self) -> int:
        row = self._one("SELECT value FROM meta WHERE key='keys_version'")
        return int(row[0]) if row else 1

    @property
    def register_id(self) -> str:
        """A random id kept in the register, made with it (as PostgreSQL's is made with the schema):
        a register made again at the same path is another register, and the goods base and index
        kept beside the old one are not its own.

        A register made before the id was (or by a bare ingest of an earlier release) gets one here
        only when that costs no wait: a reader never waits behind a writer, nor writes to a register
        opened read-only.  Until then its id is derived from its first change, which a register made
        anew does not share (the time it was written is part of it)."""
        query = "SELECT value FROM meta WHERE key='register_id'"
        row = self._one(query)
        if row is not None:
            return str(row[0])
        if not self.read_only and self._try_write_id():
            row = self._one(query)
            if row is not None:
                return str(row[0])
        if self._derived_id is None:
            first = self._one("SELECT c.seq, c.office, c.application_number, r.ingested_at FROM changes c "
                              "LEFT JOIN records r ON r.id = c.record_id ORDER BY c.seq LIMIT 1")
            self._derived_id = "derived-" + hashlib.sha256(repr(first).encode()).hexdigest()[:32]
        return self._derived_id

    def _try_write_id(self) -> bool:
        """Write a register id if the write lock is free now; never wait for it."""
        try:
            self.db.execute("PRAGMA busy_timeout=0")
            try:
                with self._transaction():
                    self.db.execute("INSERT OR IGNORE INTO meta VALUES ('register_id', ?)", (uuid.uuid4().hex,))
            finally:
                self.db.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError:
            return False  # busy, or the file cannot be written: derived instead
        return True

    def set_keys_version(self, version: int) -> None:
        try:
            with self._transaction():
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('keys_version', ?)", (str(version),))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot write to the register {self.path}: {_problem(exc, self.path)}") from None

    def stats(self) -> Stats:
        def grouped(column: str) -> dict[str, int]:
            rows = self._all(
                f"SELECT {column}, COUNT(*) FROM records GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
            )
            return {str(k): int(n) for k, n in rows}

        classes = self._all(
            "SELECT nice_class, COUNT(*) FROM record_classes GROUP BY nice_class ORDER BY nice_class"
        )
        return Stats(
            total=int(self._one("SELECT COUNT(*) FROM records")[0]),
            by_office=grouped("office"),
            by_status=grouped("status"),
            by_feature=grouped("feature"),
            by_class={int(c): int(n) for c, n in classes},
            quarantined=int(self._one("SELECT COUNT(*) FROM quarantine")[0]),
        )

    def quarantined(self) -> list[Quarantined]:
        rows = self._all(
            "SELECT source, position, reason, excerpt, first_seen, times_seen FROM quarantine ORDER BY id"
        )
        return [Quarantined(Rejection(s, p, r, e), first, int(n)) for s, p, r, e, first, n in rows]

    dialect = "sqlite"

    def connection(self) -> sqlite3.Connection:
        return self.db

    def close(self) -> None:
        self.db.close()


def _check_register_file(file: Path, shown: str) -> None:
    """Refuse, before SQLite opens it, a file that cannot be a register: an empty one (SQLite would
    take it for a new database) or a folder."""
    if file.is_dir():
        raise StoreError(f"{shown} is a folder, not a marksearch register")
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise StoreError(f"cannot open the register {shown}: {exc.strerror or exc}") from None
    if size == 0:
        raise StoreError(f"{shown} is an empty file, not a marksearch register; it was left as it was: give "
                         "the path of a register, or make one with `marksearch ingest`")


def _folder_writable(folder: Path) -> bool:
    """Whether files can be made in ``folder`` (SQLite makes a register's -wal and -shm there)."""
    if not os.access(folder, os.W_OK):
        return False
    try:
        return not os.statvfs(folder).f_flag & os.ST_RDONLY  # root may "write" to a read-only mount
    except OSError:
        return True


def _problem(exc: sqlite3.DatabaseError, path: str) -> str:
    """SQLite's words, with what to do where they do not say it."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (f"{text}: another process has been writing to it for longer than marksearch waits "
                "(an ingest?); try again when it is done")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return (f"{text}: the file is damaged; restore it from a backup, or ingest the office files "
                "again into a new register")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (f"{text}: check that the register and its folder {Path(path).parent} can be "
                "written, or copy the register to a folder that can")
    return text


def _owners_of_data(data: str | bytes) -> str:
    """A stored record's owner names in owner_form (for a register made before the column was)."""
    try:
        return record_owners(Record.from_dict(orjson.loads(unpack(data))))
    except Exception:  # noqa: BLE001 - a record that does not read stays without owner names
        return ""


class _Tx:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
