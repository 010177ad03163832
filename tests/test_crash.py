"""``kill -9`` in the middle of an ingest, then the same ingest again, gives the store of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from marksearch.store import open_store
from tests.conftest import FORMATS
from tests.test_ingest import snapshot

BULK = FORMATS / "st66" / "euipo_bulk_sample"


def ingest_cmd(db: Path) -> list[str]:
    return [sys.executable, "-m", "marksearch", "ingest", str(BULK), "--db", str(db),
            "--batch-size", "7", "--quiet", "--json"]


def count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet, or busy


def assert_no_orphans(marker: str) -> None:
    """The killed ingest's worker processes end with it."""
    deadline = time.monotonic() + 10
    while True:
        alive = []
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                if marker.encode() in (proc_dir / "cmdline").read_bytes():
                    alive.append(proc_dir.name)
            except OSError:
                continue
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not alive, f"worker processes outlived the killed ingest: {alive}"


def test_kill_9_then_rerun_equals_uninterrupted(tmp_path: Path) -> None:
    reference = tmp_path / "reference.sqlite"
    subprocess.run(ingest_cmd(reference), check=True, capture_output=True)

    crashed = tmp_path / "crashed.sqlite"
    proc = subprocess.Popen(ingest_cmd(crashed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count(crashed) < 100 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert_no_orphans(str(crashed))
    interrupted_at = count(crashed)
    assert 0 < interrupted_at < 587, f"the kill did not land mid-ingest ({interrupted_at} records)"

    with open_store(str(crashed)) as store:  # consistent: every stored record reads back whole
        assert sum(1 for _ in store.iter_records()) == interrupted_at
    rerun = subprocess.run(ingest_cmd(crashed), check=True, capture_output=True, text=True)
    assert '"inserted": ' + str(587 - interrupted_at) in rerun.stdout

    with open_store(str(reference)) as ref, open_store(str(crashed)) as got:
        assert snapshot(got) == snapshot(ref)
        assert got.stats().to_dict() == ref.stats().to_dict()
