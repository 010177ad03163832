"""Two ``marksearch serve`` workers on one PostgreSQL register: a mark ingested through the CLI
is found through both of them within :data:`STALENESS_BOUND_S` seconds.

Each worker holds its own index in memory, built from the database when it
starts; before every search it reads the changes committed since its last
look (one indexed query on the change log), so a committed batch is
searchable at the next request to any worker.  The bound below is what the
design promises, not a speed measurement: the measured delay is printed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from marksearch.store.pgcluster import PgServer, free_port
from tests.conftest import FORMATS

STALENESS_BOUND_S = 10.0
EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"
NEW = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"  # PYTHON, of the Python Software Foundation


def cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "marksearch", *args], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def serving(url: str, log: Path) -> Iterator[str]:
    """``marksearch serve`` on a free loopback port; yields its base URL, stops it afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "marksearch", "serve", "--db", url, "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def search(base: str, text: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({"q": text, "status": "all"})
    with urllib.request.urlopen(f"{base}/api/v1/search?{query}", timeout=10) as response:
        hits: list[dict[str, Any]] = json.load(response)["hits"]
        return hits


def finds(base: str) -> bool:
    return any(h["application_number"] == "76044902" for h in search(base, "PYTHON"))


def test_two_workers_find_a_new_mark(pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.create_database()
    cli("ingest", str(EUIPO), "--db", url, "--quiet")
    with ExitStack() as stack:
        workers = [stack.enter_context(serving(url, tmp_path / f"worker{i}.log")) for i in (1, 2)]
        assert not any(finds(w) for w in workers)
        summary = json.loads(cli("ingest", str(NEW), "--db", url, "--quiet", "--json"))
        assert summary["inserted"] == 1
        committed = time.monotonic()
        waiting = set(workers)
        delays = {}
        while waiting and time.monotonic() - committed < STALENESS_BOUND_S:
            for w in sorted(waiting):
                if finds(w):
                    delays[w] = time.monotonic() - committed
                    waiting.discard(w)
            time.sleep(0.05)
        assert not waiting, f"not found within {STALENESS_BOUND_S} s through {sorted(waiting)}"
        print(f"found through both workers after {max(delays.values()):.3f} s")
