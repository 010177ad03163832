"""bench/build: what building the search index costs, in time and in memory.

For each ``--n``, the generated register of bench/search (its keys as ingest stores
them, from the bench's cache) is turned into index rows, then
:func:`marksearch.index.build_segment` builds the segment from them, as ``marksearch
serve`` and ``marksearch search`` do from the store's rows.  A thread reads the
process's resident memory every 50 ms meanwhile: **peak added** is the highest
reading less the one taken just before the build (the rows themselves, held by the
bench, are not counted), **held after** what the process still holds once the build
returned, less the same; **segment** is the segment's own arrays (``nbytes()`` and the
key blob).  The build is timed on the wall clock.

Run an older commit's build by putting its ``src/`` first on ``PYTHONPATH``.

Usage::

    python bench/build.py --n 100000 1000000 [--no-write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report import OUT, REPO, table, write_section
from bench.search.run import index_rows, load_register
from marksearch.index import build_segment

_PAGE = 4096


def resident() -> int:
    """This process's resident memory in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


class Peak:
    """The highest resident memory seen while the ``with`` block runs (read every ``every`` s)."""

    def __init__(self, every: float = 0.05) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, resident())
            self._stop.wait(self.every)

    def __enter__(self) -> Peak:
        self.peak = resident()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident())


def measure(n: int, cache: Path) -> list[object]:
    register = load_register(n, 1, cache)
    rows = list(index_rows(register))
    before = resident()
    started = time.perf_counter()
    with Peak() as peak:
        segment = build_segment(rows, seq=0)
    seconds = time.perf_counter() - started
    held = resident() - before
    size = segment.nbytes() + segment.key_blob.nbytes
    mb = 1e6
    return [f"{n:,}", f"{seconds:.1f}", f"{(peak.peak - before) / mb:,.0f}", f"{held / mb:,.0f}", f"{size / mb:,.0f}",
            f"{(peak.peak - before) / n:,.0f}"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000])
    parser.add_argument("--cache-dir", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # measure here, print one JSON row
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.n[0], args.cache_dir)))
        return
    import marksearch

    source = Path(marksearch.__file__).resolve().parents[1]
    commit = subprocess.run(["git", "-C", str(source), "describe", "--always", "--dirty"], capture_output=True,
                            text=True, check=False).stdout.strip() or "?"
    rows = []
    for n in args.n:
        # Each size in a process of its own: memory a build freed stays with the process that freed it.
        done = subprocess.run([sys.executable, __file__, "--one", "--n", str(n), "--cache-dir", str(args.cache_dir)],
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    body = (f"`python bench/build.py --n {' '.join(map(str, args.n))}` (marksearch at {commit}, from "
            f"`{source.relative_to(REPO.parent) if source.is_relative_to(REPO.parent) else source}`): "
            "`build_segment` over the generated register's index rows, each size in a process of its own.  "
            "Memory in MB is resident memory less the reading just before the build.\n\n"
            + table(["marks", "build s", "peak added MB", "held after MB", "segment MB", "peak added bytes/mark"],
                    rows))
    print(body)
    if not args.no_write:
        write_section("Index build (bench/build.py)", body)


if __name__ == "__main__":
    main()
