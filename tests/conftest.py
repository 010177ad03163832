"""Shared fixtures: where the real office samples live, golden-file comparison, a PostgreSQL cluster."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from marksearch.records import Deletion, Entry, Record, Rejection
from marksearch.store.pgcluster import PgServer, pg_binaries

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FORMATS = SHARED / "formats"
GOLDEN = Path(__file__).resolve().parent / "golden"


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


def entry_dict(entry: Entry) -> dict[str, Any]:
    """An entry as plain JSON, without the ingest time (which changes every run)."""
    if isinstance(entry, Record):
        data = {"type": "record", **entry.to_dict()}
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
