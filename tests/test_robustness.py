"""What a register and its index survive: several processes at once, damage, foreign and old files,
a full disk, a busy writer, a read-only folder, Ctrl-C, and folders that hold other registers."""

from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from marksearch import ingest as ingest_mod
from marksearch.cli import cli
from marksearch.errors import StoreError
from marksearch.index.segment import Segment
from marksearch.ingest import ingest, record_keys
from marksearch.records import Party, Provenance, Record, VerbalElement
from marksearch.search import Query, Searcher
from marksearch.store import open_store
from tests.conftest import FORMATS
from tests.test_search import register

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register of 3,000 generated marks, closed (no -wal beside it), without an index."""
    path = tmp_path_factory.mktemp("made") / "reg.sqlite"
    records = register(11, 3000)
    with open_store(str(path)) as store:
        store.write(records, [record_keys(r) for r in records])
    return path


@pytest.fixture
def db(made: Path, tmp_path: Path) -> Path:
    """A private copy of the made register."""
    path = tmp_path / "reg.sqlite"
    shutil.copy(made, path)
    return path


def texts(searcher: Searcher, text: str = "coca cola") -> list[str]:
    return [h.record.mark_text for h in searcher.search(Query(text, statuses=("all",))).hits]


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".index." in p.name and not p.name.endswith(".lock"))


# -- 1: several processes find the index missing at once ----------------------------------------------

SEARCH = """
import sys
from marksearch.search import Query, Searcher
from marksearch.store import open_store
with open_store(sys.argv[1], create=False) as store:
    hits = Searcher(store).search(Query("coca cola", statuses=("all",))).hits
    print(len(hits), [h.record_id for h in hits])
"""


def test_processes_that_find_the_index_missing_at_once_all_search(db: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", SEARCH, str(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    answers = [p.communicate() for p in procs]
    for proc, (out, err) in zip(procs, answers, strict=True):
        assert proc.returncode == 0 and "Traceback" not in err, err
    assert len({out for out, _ in answers}) == 1  # the same answer from each
    assert leftovers(db) == []
    with open_store(str(db), create=False) as store:
        assert Segment.load(Path(str(db) + ".index")).size == 3000
        assert texts(Searcher(store)) == texts(Searcher(store, persist=False))


def test_folders_left_by_a_process_killed_while_saving_are_cleared(db: Path) -> None:
    for name in ("reg.sqlite.index.new", "reg.sqlite.index.new-999999-abcd", "reg.sqlite.index.old-999999"):
        (db.parent / name).mkdir()
        (db.parent / name / "meta.json").write_text("{")
    with open_store(str(db), create=False) as store:
        assert texts(Searcher(store))
    assert leftovers(db) == []


# -- 2: a damaged register ----------------------------------------------------------------------------------


def damage(path: Path) -> None:
    """Random bytes over the pages after the first few (the header and schema stay readable)."""
    rng = random.Random(3)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        for at in range(4 * 16384, size, 16384):
            f.seek(at)
            f.write(rng.randbytes(16384))


def test_a_damaged_register_is_a_store_error_not_a_traceback(db: Path) -> None:
    damage(db)
    calls = {
        "stats": lambda s: s.stats(),
        "quarantined": lambda s: s.quarantined(),
        "records": lambda s: list(s.iter_records()),
        "index rows": lambda s: list(s.iter_index_rows()),
        "by ids": lambda s: s.get_by_ids(list(range(1, 3001))),
        "currency": lambda s: s.currency(),
        "search": lambda s: Searcher(s, persist=False),
    }
    for name, call in calls.items():
        with pytest.raises(StoreError, match="damaged"):  # at opening, or when read
            with open_store(str(db), create=False) as store:
                call(store)
            pytest.fail(f"{name} read a damaged register without noticing")
    for command in (["stats"], ["quarantine"], ["search", "coca"], ["index"], ["show", "EM", "00000001"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(db)])
        assert result.exit_code == 2, (command, result.output, result.exception)
        assert "error:" in result.output and "damaged" in result.output


# -- 3: files that are not registers -------------------------------------------------------------------------


def test_another_applications_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match="not a marksearch register"):
        open_store(str(other), create=False)
    for command in (["search", "coca"], ["stats"], ["index"], ["rekey"], ["quarantine"]):
        result = CliRunner().invoke(cli, [*command, "--db", str(other)])
        assert result.exit_code == 2 and "not a marksearch register" in result.output, result.output
    assert other.read_bytes() == before  # not turned to WAL mode, no tables added
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


def test_an_empty_file_is_not_an_empty_register(tmp_path: Path) -> None:
    empty = tmp_path / "typo.sqlite"
    empty.touch()
    with pytest.raises(StoreError, match="empty file"):
        open_store(str(empty), create=False)
    result = CliRunner().invoke(cli, ["search", "coca", "--db", str(empty)])
    assert result.exit_code == 2 and "empty file" in result.output
    assert empty.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["typo.sqlite"]
    with open_store(str(empty)) as store:  # a command that makes registers may still make one there
        assert store.stats().total == 0


# -- 4: a register of the first release of schema 1 ------------------------------------------------------

# The tables of a register written by the first releases (commit 28eae1b): schema 1, no owners column.
FIRST_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    id INTEGER PRIMARY KEY, office TEXT NOT NULL, application_number TEXT NOT NULL,
    registration_number TEXT, mark_text TEXT NOT NULL, status TEXT NOT NULL, feature TEXT NOT NULL,
    kind TEXT NOT NULL, filing_date TEXT, as_of TEXT, content_hash TEXT NOT NULL, data TEXT NOT NULL,
    keys TEXT, source TEXT, position TEXT, ingested_at TEXT, seq INTEGER NOT NULL,
    UNIQUE (office, application_number)
);
CREATE TABLE record_classes (
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    nice_class INTEGER NOT NULL, PRIMARY KEY (record_id, nice_class)
) WITHOUT ROWID;
CREATE INDEX record_classes_by_class ON record_classes (nice_class);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, office TEXT NOT NULL,
    application_number TEXT NOT NULL, record_id INTEGER NOT NULL
);
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, position TEXT NOT NULL, reason TEXT NOT NULL,
    excerpt TEXT NOT NULL, first_seen TEXT NOT NULL, times_seen INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source, position, reason)
);
INSERT INTO meta VALUES ('schema_version', '1');
"""


def test_a_register_of_the_first_release_without_owner_names_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    record = Record(office="DE", application_number="1", verbal_elements=(VerbalElement("KOKA"),),
                    parties=(Party("owner", name="MÜLLER GmbH"),), provenance=Provenance("old.jsonl", "line 1"))
    keys = orjson.dumps(record_keys(record)).decode()
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_SCHEMA)
        conn.execute("INSERT INTO changes (op, office, application_number, record_id) VALUES ('insert','DE','1',1)")
        conn.execute("INSERT INTO records (id, office, application_number, mark_text, status, feature, kind, "
                     "content_hash, data, keys, source, position, seq) "
                     "VALUES (1, 'DE', '1', 'KOKA', 'unknown', 'word', 'individual', 'x', ?, ?, 'old.jsonl', "
                     "'line 1', 1)", (record.to_json_bytes().decode(), keys))
    conn.close()
    with open_store(str(path)) as store:
        assert store.owner_ids("muller") == [1]  # filled from the records themselves
        assert texts(Searcher(store, persist=False), "coca") == ["KOKA"]
        summary = ingest(store, [EUIPO / "018222197.xml"], workers=1)
        assert summary.counts.inserted == 1 and not summary.errors
    result = CliRunner().invoke(cli, ["rekey", "--db", str(path)])
    assert result.exit_code == 0, result.output


# -- 6: a damaged index ------------------------------------------------------------------------------------


@pytest.mark.parametrize("damaged", ["record_ids.npy", "meta.json"])
def test_a_damaged_index_is_rebuilt(db: Path, damaged: str) -> None:
    with open_store(str(db), create=False) as store:
        want = texts(Searcher(store))
    index = Path(str(db) + ".index")
    target = index / damaged if (index / damaged).exists() else next(index.glob("spell.*.npy"))
    target.write_bytes(b"")  # a power loss: a file of no bytes
    with open_store(str(db), create=False) as store:
        assert texts(Searcher(store)) == want
    assert Segment.load(index).size == 3000
    target.write_bytes(b"")
    result = CliRunner().invoke(cli, ["index", "--db", str(db)])
    assert result.exit_code == 0 and "indexed 3000 marks" in result.output, result.output


def test_an_index_that_is_a_plain_file_is_replaced(db: Path) -> None:
    index = Path(str(db) + ".index")
    index.write_text("not an index")
    with open_store(str(db), create=False) as store:
        assert texts(Searcher(store))
    assert index.is_dir() and Segment.load(index).size == 3000


# -- 7: no room to save the index --------------------------------------------------------------------------


def test_an_index_that_cannot_be_saved_is_searched_from_memory(db: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    real_save = Segment.save

    def full_disk(self: Segment, folder: Path) -> None:
        real_save(self, folder)  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    with open_store(str(db), create=False) as store:
        want = texts(Searcher(store, persist=False))
        monkeypatch.setattr(Segment, "save", full_disk)
        assert texts(Searcher(store)) == want
    assert "could not save the search index" in capsys.readouterr().err
    assert leftovers(db) == [] and not Path(str(db) + ".index").exists()


# -- 8: a reader writes nothing, and waits for no writer -----------------------------------------------------


def test_a_register_gets_its_id_when_it_is_made(tmp_path: Path) -> None:
    path = tmp_path / "reg.sqlite"
    with open_store(str(path)) as store:
        store.write(register(1, 5))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='register_id'").fetchone() is not None
    conn.close()


def test_a_search_does_not_wait_behind_a_writer_for_a_register_without_an_id(db: Path) -> None:
    with sqlite3.connect(db) as conn:  # as an earlier release's ingest left it
        conn.execute("DELETE FROM meta WHERE key='register_id'")
    conn.close()
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long ingest holds the write lock
    try:
        with open_store(str(db), create=False) as store:
            store.db.execute("PRAGMA busy_timeout=100")  # a reader that waited would fail, not hang
            first = texts(Searcher(store))
        with open_store(str(db), create=False) as store:
            assert texts(Searcher(store)) == first  # the index saved under the derived id is read again
            assert Segment.load(Path(str(db) + ".index")).register == store.register_id
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with open_store(str(db), create=False) as store:
        real = store.register_id  # written now that the lock is free
        assert not real.startswith("derived-") and texts(Searcher(store)) == first


def test_a_register_locked_too_long_is_a_store_error(db: Path) -> None:
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with open_store(str(db)) as store:
            store.db.execute("PRAGMA busy_timeout=50")
            with pytest.raises(StoreError, match="another process has been writing"):
                store.write(register(2, 1))
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# -- 9: a register in a folder that cannot be written ----------------------------------------------------------


def test_a_register_in_a_read_only_folder_is_read_without_writing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marksearch.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "_folder_writable", lambda folder: False)
    with open_store(str(db), create=False) as store:
        assert store.stats().total == 3000
        assert texts(Searcher(store, persist=False))
        assert store.register_id  # read, or derived without writing
        assert not Path(str(db) + "-wal").exists() and not Path(str(db) + "-shm").exists()
    # a log not yet checkpointed cannot be read without writing beside it: said so
    Path(str(db) + "-wal").write_bytes(b"x" * 100)
    with pytest.raises(StoreError, match="read-only"):
        open_store(str(db), create=False)


# -- 10: Ctrl-C during an ingest ---------------------------------------------------------------------------------


def _slow_unit(unit: object) -> object:
    """A piece that takes long to parse; it says when it starts, and when it is done."""
    folder = Path(os.environ["MARKSEARCH_TEST_FOLDER"])
    (folder / f"started-{os.getpid()}").touch()
    time.sleep(3)
    (folder / f"done-{os.getpid()}").touch()
    return None


def test_ctrl_c_stops_the_ingest_workers_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKSEARCH_TEST_FOLDER", str(tmp_path))
    monkeypatch.setattr(ingest_mod, "_parse_unit", _slow_unit)

    def units() -> Iterator[object]:
        yield "a"
        yield "b"
        while len(list(tmp_path.glob("started-*"))) < 2:  # both workers are parsing
            time.sleep(0.01)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), ingest_mod._Pool(2) as pool:
        for _ in pool.map_ordered(units()):  # type: ignore[arg-type]
            pass
    assert not list(tmp_path.glob("done-*"))  # not waited for: stopped
    assert pool.executor is None


# -- 11, 12: what a folder's walk and a --format read ------------------------------------------------------------


def test_an_xml_file_read_as_json_lines_leaves_no_quarantined_line(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "reg.sqlite")) as store:
        summary = ingest(store, [EUIPO / "018222197.xml"], format="jsonl", workers=1)
        (failed,) = summary.errors
        assert "the file looks like st66" in str(failed.error)
        assert summary.counts.read == summary.counts.quarantined == 0
        assert store.quarantined() == []


def test_a_folder_walk_leaves_out_other_registers_and_their_indexes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(EUIPO / "018222197.xml", data / "018222197.xml")
    with open_store(str(data / "other.sqlite")) as other:  # another register kept in the folder
        ingest(other, [data / "018222197.xml"], workers=1)
        Searcher(other)
    (data / "other.sqlite.index.new-1-ab").mkdir()  # left by a killed process
    shutil.copy(data / "other.sqlite.index" / "meta.json", data / "other.sqlite.index.new-1-ab" / "meta.json")
    moved = data / "moved"  # an index copied away from its register
    shutil.copytree(data / "other.sqlite.index", moved)
    assert (data / "other.sqlite.index" / "meta.json").exists()
    with open_store(str(tmp_path / "reg.sqlite")) as store:
        summary = ingest(store, [data], workers=1)
        assert [Path(f.source).name for f in summary.files] == ["018222197.xml"]
        assert summary.counts.inserted == 1 and store.quarantined() == []
