"""bench/pg: the PostgreSQL register next to the SQLite one: ingest, search, serving during an ingest.

On the same EUIPO-profile ST.66 file as ``bench/ingest.py`` (generated from
the 587 real EUIPO records as templates, real mark texts; default 20,000
records), one run:

1. ingests it into a fresh SQLite file and a fresh PostgreSQL database
   (``marksearch.ingest.ingest``, the same code as ``marksearch ingest``),
   ``--repeat`` times, alternating, and keeps the best time of each;
2. builds each register's search index in memory from the database (what a
   server worker does when it starts) and times searches of real mark texts
   through :class:`marksearch.search.Searcher`, in process;
3. starts ``--workers`` separate ``marksearch serve`` processes on each
   register, loads them with ``--clients`` threads (keep-alive HTTP, searches
   spread over the workers), first idle, then while ``marksearch ingest``
   writes ``--more`` new records into the same register; and it measures how
   long after that ingest returned its last record is found through every
   worker (staleness).

PostgreSQL runs on a throwaway cluster on loopback (``marksearch.store.pgcluster``)
with ``fsync=on`` and ``synchronous_commit=off``: like SQLite's WAL mode
with ``synchronous=NORMAL``, a crash of the machine may lose the last
commits, never consistency.  Everything shares the machine's cores: the
server, the ingest's worker processes, the web workers and the client.

Usage: ``python bench/pg.py [--records N] [--more M] [--workers W] [--clients C] [--seconds S] [--repeat R] [--no-write]``.
Benchmarks assert nothing about time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report import OUT, machine, table, write_section  # noqa: E402
from bench.ingest import NS, generate, names, templates  # noqa: E402
from marksearch.ingest import ingest  # noqa: E402
from marksearch.search import Query, Searcher  # noqa: E402
from marksearch.store import Store, open_store  # noqa: E402
from marksearch.store.pgcluster import PgServer, free_port  # noqa: E402

MARKER = "ZORBLAXIA QUENTOVIR"  # the mark text of the last record of the concurrent ingest
DURABLE = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "off", "shared_buffers": "512MB",
           "maintenance_work_mem": "256MB", "autovacuum": "on"}


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def generate_more(path: Path, count: int, seed: int) -> None:
    """``count`` new records (application numbers from 040000000), the last one named :data:`MARKER`."""
    rng = random.Random(seed)
    bodies, marks = templates(), names()
    with open(path, "w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="{NS}">\n'
                  "<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>\n<TradeMarkDetails>\n")
        for i in range(count):
            text = MARKER if i == count - 1 else rng.choice(marks)
            body = re.sub(r"<ApplicationNumber>\d+</ApplicationNumber>",
                          f"<ApplicationNumber>{40_000_000 + i:09d}</ApplicationNumber>", rng.choice(bodies), count=1)
            body = re.sub(r"<MarkVerbalElementText>[^<]*</MarkVerbalElementText>",
                          f"<MarkVerbalElementText>{escape(text)}</MarkVerbalElementText>", body, count=1)
            out.write(body + "\n")
        out.write("</TradeMarkDetails>\n</TransactionData></TransactionContentDetails></TradeMarkTransactionBody>\n"
                  "</Transaction>\n")


# -- 1 and 2: ingest and in-process search --------------------------------------------------------


def register_bytes(store_url: str) -> int:
    if "://" not in store_url:
        return sum(Path(store_url + s).stat().st_size for s in ("", "-wal") if Path(store_url + s).exists())
    import psycopg

    with psycopg.connect(store_url) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


def timed_ingest(target: str, path: Path) -> tuple[int, float]:
    with open_store(target) as store:
        started = time.perf_counter()
        summary = ingest(store, [path], format="st66")
        seconds = time.perf_counter() - started
    if summary.errors or summary.counts.quarantined:
        raise SystemExit(f"ingest reported problems: {summary.to_dict()['errors']}")
    return summary.counts.inserted, seconds


def search_latency(store: Store, queries: Sequence[str]) -> tuple[float, list[float]]:
    started = time.perf_counter()
    searcher = Searcher(store, persist=False)
    build = time.perf_counter() - started
    times = []
    for text in queries:
        t = time.perf_counter()
        searcher.search(Query(text))
        times.append(time.perf_counter() - t)
    return build, times


# -- 3: serving while an ingest writes ---------------------------------------------------------------


@contextmanager
def serving(db: str, log: Path) -> Iterator[str]:
    """One ``marksearch serve`` process on a free loopback port; yields ``host:port``."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "marksearch", "serve", "--db", db, "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not _answers(f"127.0.0.1:{port}", "/healthz"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"marksearch serve did not come up:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _answers(address: str, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection(address, timeout=5)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


@dataclass
class Window:
    """Requests answered in one phase of the load."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # by HTTP status or exception
    seconds: float = 0.0


class Load:
    """``clients`` threads searching through the workers until stopped; results go to the current window."""

    def __init__(self, workers: Sequence[str], queries: Sequence[str], clients: int) -> None:
        self.workers, self.queries = list(workers), list(queries)
        self.window = Window()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(clients)]

    def _client(self, index: int) -> None:
        rng = random.Random(index)
        conns: dict[str, http.client.HTTPConnection] = {}
        n = index
        while not self.stop.is_set():
            worker = self.workers[n % len(self.workers)]
            n += 1
            path = "/api/v1/search?" + urllib.parse.urlencode({"q": rng.choice(self.queries)})
            started = time.perf_counter()
            error = None
            for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile is opened again
                reused = worker in conns
                try:
                    conn = conns.setdefault(worker, http.client.HTTPConnection(worker, timeout=60))
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    error = None if response.status == 200 else f"HTTP {response.status}"
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conns.pop(worker, None)
                    error = type(exc).__name__
                    if not (reused and attempt == 1):
                        break
            elapsed = time.perf_counter() - started
            with self.lock:
                if error is None:
                    self.window.latencies.append(elapsed)
                else:
                    self.window.errors[error] += 1

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def next_window(self) -> Window:
        with self.lock:
            done, self.window = self.window, Window()
        return done

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def found_everywhere(workers: Sequence[str]) -> bool:
    path = "/api/v1/search?" + urllib.parse.urlencode({"q": MARKER, "status": "all"})
    for worker in workers:
        conn = http.client.HTTPConnection(worker, timeout=30)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"{worker} answered {response.status}: {body[:500]!r}")
        hits = json.loads(body)["hits"]
        if not any(h["mark_text"] == MARKER for h in hits):
            return False
    return True


def serve_during_ingest(db: str, more: Path, queries: Sequence[str], *, workers: int, clients: int,
                        seconds: float, logs: Path) -> dict[str, object]:
    with ExitStack() as stack:
        addresses = [stack.enter_context(serving(db, logs / f"serve-{i}.log")) for i in range(workers)]
        load = Load(addresses, queries, clients)
        load.start()
        try:
            time.sleep(2)  # warm-up
            load.next_window()
            started = time.perf_counter()
            time.sleep(seconds)
            idle = load.next_window()
            idle.seconds = time.perf_counter() - started
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "marksearch", "ingest", str(more), "--db", db,
                                   "--format", "st66", "--quiet", "--json"], capture_output=True, text=True, check=False)
            busy = load.next_window()
            busy.seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"the concurrent ingest failed: {done.stderr[-2000:]}")
            committed = time.perf_counter()
            while not found_everywhere(addresses):
                if time.perf_counter() - committed > 120:
                    raise SystemExit("the new mark was not found through every worker within 120 s")
                time.sleep(0.02)
            stale = time.perf_counter() - committed
        finally:
            load.close()
    return {"idle": idle, "busy": busy, "ingested": json.loads(done.stdout)["inserted"], "stale": stale}


# -- the run ----------------------------------------------------------------------------------------------


def _errors(errors: Counter[str]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in errors.most_common()) or "0"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--more", type=int, default=5_000, help="records the concurrent ingest adds")
    parser.add_argument("--workers", type=int, default=2, help="marksearch serve processes per register")
    parser.add_argument("--clients", type=int, default=4, help="client threads searching")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the idle load window")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="ingests into each register, alternating")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / f"st66_{args.records}.xml"  # the same file as bench/ingest.py makes
    more = OUT / f"st66_more_{args.more}.xml"
    if not base.exists():
        print(f"generating {args.records} records -> {base}", file=sys.stderr)
        generate(base, args.records, args.seed)
    if not more.exists():
        generate_more(more, args.more, args.seed + 1)
    size_mb = base.stat().st_size / 1e6
    queries = random.Random(args.seed).sample(names(), args.queries)
    load_before = os.getloadavg()[0]
    work = OUT / "pg-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    server = PgServer(settings=DURABLE).start()
    try:
        targets: dict[str, str] = {}
        best: dict[str, float] = {}
        for run in range(args.repeat):  # alternating, fresh registers; the best time of each counts
            for name in ("SQLite", "PostgreSQL"):
                target = str(work / f"register-{run}.sqlite") if name == "SQLite" else server.create_database(
                    f"register_{run}")
                print(f"{name}: ingest {run + 1}/{args.repeat}", file=sys.stderr)
                n, secs = timed_ingest(target, base)
                best[name] = min(secs, best.get(name, secs))
                targets[name] = target
        ingest_rows, search_rows, serve_rows = [], [], []
        for name, target in targets.items():
            secs = best[name]
            ingest_rows.append([name, n, f"{n / secs:,.0f}", f"{size_mb / secs:.1f}", f"{secs:.1f}",
                                f"{register_bytes(target) / 1e6:,.0f}"])
            print(f"{name}: search", file=sys.stderr)
            with open_store(target) as store:
                build, times = search_latency(store, queries)
            search_rows.append([name, f"{build:.1f}", len(times), ms(percentile(times, 0.5)),
                                ms(percentile(times, 0.99)), ms(sum(times) / len(times))])
        for name, target in targets.items():
            print(f"{name}: {args.workers} workers serving while {args.more} records are ingested", file=sys.stderr)
            got = serve_during_ingest(target, more, queries, workers=args.workers, clients=args.clients,
                                      seconds=args.seconds, logs=work)
            for phase in ("idle", "busy"):
                w = got[phase]
                assert isinstance(w, Window)
                serve_rows.append([name, "idle" if phase == "idle" else f"ingesting {got['ingested']:,} records",
                                   f"{w.seconds:.1f}", len(w.latencies), f"{len(w.latencies) / w.seconds:.1f}",
                                   ms(percentile(w.latencies, 0.5)), ms(percentile(w.latencies, 0.99)), _errors(w.errors),
                                   f"{got['stale']:.2f}" if phase == "busy" else ""])
    finally:
        server.stop()
        for path in work.glob("register-*"):  # the serve logs stay, for reading
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()

    body = (
        f"ST.66 (EUIPO profile) file of {args.records:,} records, {size_mb:,.0f} MB, generated from the 587 real "
        f"EUIPO records as templates (seed {args.seed}), as in `bench/ingest.py`. PostgreSQL "
        f"{server.bindir.parent.name} on a throwaway cluster on loopback (fsync on, synchronous_commit off, "
        f"shared_buffers 512MB), SQLite in WAL mode with synchronous=NORMAL; the server, the ingest workers, "
        f"the web workers and the client share the machine ({machine()}; 1-minute load average "
        f"{load_before:.1f} as the run began: other work on the shared cores slows it).\n\n"
        f"Ingest (`marksearch.ingest.ingest`, batches of 500, one transaction each; the best of {args.repeat} "
        "runs into fresh registers, SQLite and PostgreSQL alternating):\n\n"
        + table(["register", "records", "records/s", "MB/s", "seconds", "register MB"], ingest_rows)
        + f"\n\nSearch in process: the index built in memory from the register (what each server worker does "
        f"when it starts), then {args.queries} real mark texts (EU trade marks and brand names), live marks, "
        "top 20; each search first reads the change log and fetches its hits from the register:\n\n"
        + table(["register", "index build s", "searches", "p50 ms", "p99 ms", "mean ms"], search_rows)
        + f"\n\n{args.workers} separate `marksearch serve` processes per register, {args.clients} client threads "
        f"(keep-alive HTTP, `/api/v1/search?q=<real mark text>`, spread over the workers), idle for "
        f"{args.seconds:.0f} s, then while `marksearch ingest` adds {args.more:,} new records to the same register. "
        "Stale s: from the ingest's return until a search for its last record, queued behind the load's "
        "requests, has found it through every worker.\n\n"
        + table(["register", "phase", "seconds", "requests", "requests/s", "p50 ms", "p99 ms", "errors",
                 "stale s"], serve_rows)
    )
    print(body)
    if not args.no_write:
        write_section("PostgreSQL next to SQLite (bench/pg.py)", body)


if __name__ == "__main__":
    main()
