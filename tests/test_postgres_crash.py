"""``kill -9`` in the middle of an ingest into PostgreSQL, then the same ingest again, gives the
register of an uninterrupted run: the same records, ids, change log and quarantine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg

from marksearch.store import open_store
from marksearch.store.pgcluster import PgServer
from tests.conftest import FORMATS
from tests.test_crash import assert_no_orphans
from tests.test_postgres import dump

BULK = FORMATS / "st66" / "euipo_bulk_sample"


def ingest_cmd(url: str) -> list[str]:
    return [sys.executable, "-m", "marksearch", "ingest", str(BULK), "--db", url,
            "--batch-size", "7", "--quiet", "--json"]


def count(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT count(*) FROM records").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0  # no tables yet


def wait_for_orphan_sessions(url: str) -> None:
    """The killed ingest's session ends on the server (it aborts what it had not committed)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid()").fetchone()
            if row and row[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("the killed ingest's session is still open on the server")


def test_kill_9_then_rerun_equals_uninterrupted(pg_server: PgServer) -> None:
    reference = pg_server.create_database()
    subprocess.run(ingest_cmd(reference), check=True, capture_output=True)

    crashed = pg_server.create_database()
    proc = subprocess.Popen(ingest_cmd(crashed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count(crashed) < 100 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert_no_orphans(crashed)
    wait_for_orphan_sessions(crashed)
    interrupted_at = count(crashed)
    assert 0 < interrupted_at < 587, f"the kill did not land mid-ingest ({interrupted_at} records)"

    with open_store(crashed) as store:  # consistent: whole records, and a change log that matches them
        stored = list(store.iter_records())
        changes = store.changes(limit=10**9)
        assert len(stored) == interrupted_at == sum(c.op == "insert" for c in changes)
        assert [c.seq for c in changes] == list(range(1, store.last_seq() + 1))
        assert {(s.seq, s.id) for s in stored} == {(c.seq, c.record_id) for c in changes}
    rerun = subprocess.run(ingest_cmd(crashed), check=True, capture_output=True, text=True)
    assert '"inserted": ' + str(587 - interrupted_at) in rerun.stdout

    with open_store(reference) as ref, open_store(crashed) as got:
        assert dump(got) == dump(ref)
