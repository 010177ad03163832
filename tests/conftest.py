"""Shared fixtures: where the real office samples live, golden-file comparison, a PostgreSQL cluster,
the demo's office samples as a register with its goods term base (built once, copied for each module)."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from marksearch.demo import demo_files
from marksearch.goods.bases import base_for_store
from marksearch.ingest import ingest, record_keys
from marksearch.records import Deletion, Entry, GoodsAddition, Record, Rejection
from marksearch.store import open_store
from marksearch.store.pgcluster import PgServer, pg_binaries

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FORMATS = SHARED / "formats"
GOLDEN = Path(__file__).resolve().parent / "golden"


# Files whose own fixtures take a minute or more (a register of 100,000 keyed marks; a server that
# grows its goods base, and a browser; the CLI's register with its goods base): collected first, so
# that pytest-xdist hands them out first and the other files fill the other workers meanwhile.
# Collected last, one of them would run alone on one worker while the others sat idle.
_SLOW_FILES = ("tests/test_relevance.py", "tests/test_relevance_cross.py", "tests/e2e/test_browser.py",
               "tests/test_watch_cli.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.path.as_posix()
        return next((i for i, name in enumerate(_SLOW_FILES) if path.endswith(name)), len(_SLOW_FILES))

    items.sort(key=rank)  # stable: each file's tests keep their order


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared data folder is missing: {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL cluster on loopback for the whole session (started on first use).

    Tests make their own database on it: ``pg_server.create_database()``.
    Skipped where PostgreSQL is not installed (``scripts/test.sh`` installs it).
    """
    if pg_binaries() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = PgServer(user="marksearch", prefix="marksearch-test-pg-",
                      settings={"shared_buffers": "128MB", "maintenance_work_mem": "64MB", "work_mem": "16MB",
                                "max_wal_size": "1GB"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


class SamplesRegister:
    """An SQLite register of the demo's real office samples (EUIPO, USPTO, KIPRIS records), with
    its goods term base grown and kept beside it (``REGISTER.goods.npz``), as ``marksearch serve``
    leaves it.  Growing that base takes about 35 s, so it is done once a session; each module
    takes its own copy (:meth:`copy`) and may change it freely.
    """

    def __init__(self, path: Path, factory: pytest.TempPathFactory) -> None:
        self.path = path
        self.factory = factory

    def copy(self, name: str, *records: Record) -> str:
        """A private copy of the register and what is kept beside it, in a new folder, with
        ``records`` written to it (keyed as an ingest keys them)."""
        folder = self.factory.mktemp(name)
        for part in self.path.parent.iterdir():  # the file and its goods base (no -wal once closed)
            shutil.copy(part, folder / part.name)
        db = str(folder / self.path.name)
        if records:
            with open_store(db) as store:
                store.write(list(records), [record_keys(r) for r in records])
        return db


@pytest.fixture(scope="session")
def samples_register(tmp_path_factory: pytest.TempPathFactory) -> SamplesRegister:
    """The demo's office samples ingested (one worker) with the grown goods base cached beside them.

    Under pytest-xdist (``scripts/test.sh`` runs the suite in a worker per core) the first worker
    to ask builds it in the run's shared temporary folder, under a lock, and the others wait for it:
    nobody writes to it after that, each module copies it.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder above each worker's own, one per run
    folder = root / "samples-register"
    path = folder / "register.sqlite"
    with open(root / "samples-register.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not folder.is_dir():
            partial = root / "samples-register.part"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            samples = next(p for p in demo_files() if "office-samples" in p.name)
            with open_store(str(partial / path.name)) as store:
                ingest(store, [samples], format="jsonl", workers=1)
                base_for_store(store)
            partial.rename(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["register.sqlite", "register.sqlite.goods.npz"]
    return SamplesRegister(path, tmp_path_factory)


def entry_dict(entry: Entry) -> dict[str, Any]:
    """An entry as plain JSON, without the ingest time (which changes every run)."""
    if isinstance(entry, Record):
        data = {"type": "record", **entry.to_dict()}
        if data.get("provenance"):
            data["provenance"].pop("ingested_at", None)
        return data
    if isinstance(entry, GoodsAddition):
        data = {"type": "goods_addition", **entry.goods.to_dict()}
        if data.get("provenance"):
            data["provenance"].pop("ingested_at", None)
        return data
    if isinstance(entry, Deletion):
        return {"type": "deletion", "office": entry.office,
                "application_number": entry.application_number,
                "position": entry.provenance.position if entry.provenance else None}
    assert isinstance(entry, Rejection)
    return {"type": "rejection", **dataclasses.asdict(entry)}


def assert_golden(entries: Iterable[Entry], name: str) -> None:
    """Compare entries with ``tests/golden/<name>.json``.

    Set ``MARKSEARCH_REGEN_GOLDEN=1`` to (re)write the golden file after reviewing
    a deliberate change; without it a missing golden file is a failure.
    """
    got = [entry_dict(e) for e in entries]
    path = GOLDEN / f"{name}.json"
    if os.environ.get("MARKSEARCH_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    if not path.exists():
        pytest.fail(f"no golden file {path}; review the output and regenerate with MARKSEARCH_REGEN_GOLDEN=1")
    want = json.loads(path.read_text())
    assert got == want
