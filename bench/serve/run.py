#!/usr/bin/env python3
"""bench/serve/run: ``marksearch serve`` under load from wrk, on the demo register.

One run starts ``marksearch serve --workers N`` on loopback over the demo
register (20,702 real marks of EUIPO, USPTO and KIPRIS), then points wrk at it
for a bounded time with a Lua script (``wrk.lua``) that cycles through search
requests built from real brand names (Simple Icons titles with their Chinese,
Japanese, Korean and Cyrillic names, and EU trade marks of TradeMarks2020),
one in ten of them a localised name, a quarter of them with filters (Nice
class, office, status, filing dates).
It prints, and writes to ``docs/benchmarks.md`` unless ``--no-write``:
requests per second, p50 and p99 latency, and the errors: socket errors,
non-2xx answers and, apart, 5xx answers (the bar is zero).

Usage::

    python bench/serve/run.py --workers 1 2 --connections 4 16 --duration 30 [--endpoint api|html]

wrk and the server share the machine's cores, so on a small machine the
numbers are those of both together.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench._report import OUT, SHARED, machine, table, write_section  # noqa: E402
from bench.serve.server import demo_register, running_server  # noqa: E402

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk.lua"
NAMES = SHARED / "names"
ENDPOINTS = {"api": "/api/v1/search", "html": "/search"}
# Filters a user adds to a search (class 9 and 25 are the busiest Nice classes).
FILTERS: tuple[dict[str, str | list[str]], ...] = (
    {"cls": "9"}, {"office": "EM"}, {"status": "all"}, {"cls": ["25", "35"], "office": ["EM", "KR"]},
    {"filed_from": "2010-01-01", "filed_to": "2019-12-31"}, {"status": "registered", "cls": "42"},
)


def real_names() -> dict[str, list[str]]:
    """Brand names from ``../shared/data/names`` in three pools: Simple Icons titles, their
    localised names (Chinese, Japanese, Korean, Cyrillic...) and the verbal texts of EU trade marks."""
    icons = json.loads((NAMES / "simple-icons_brands.json").read_text())
    icons = icons["icons"] if isinstance(icons, dict) else icons
    with (NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv").open(newline="") as f:
        eu = [row["verbal_text"] for row in csv.DictReader(f)]
    pools = {
        "titles": [i["title"] for i in icons],
        "localised": [loc for i in icons for loc in ((i.get("aliases") or {}).get("loc") or {}).values()],
        "eu_marks": eu,
    }
    return {k: [n for n in dict.fromkeys(n.strip() for n in v) if n and len(n) <= 200] for k, v in pools.items()}


# Shares of the pools in the load: the localised names are few, so they are drawn more often than their share.
POOL_WEIGHTS = {"titles": 0.45, "localised": 0.1, "eu_marks": 0.45}


def request_paths(count: int, *, endpoint: str = "api", seed: int = 1) -> list[str]:
    """``count`` URL-encoded search paths; every fourth carries one of :data:`FILTERS`.

    >>> paths = request_paths(8)
    >>> len(paths), paths[0].startswith("/api/v1/search?q="), sum("&" in p for p in paths) >= 2
    (8, True, True)
    """
    rng = random.Random(seed)
    pools = real_names()
    kinds, weights = list(POOL_WEIGHTS), list(POOL_WEIGHTS.values())
    paths = []
    for i in range(count):
        params: dict[str, str | list[str]] = {"q": rng.choice(pools[rng.choices(kinds, weights)[0]])}
        if i % 4 == 3:
            params.update(FILTERS[(i // 4) % len(FILTERS)])
        paths.append(ENDPOINTS[endpoint] + "?" + urlencode(params, doseq=True))
    return paths


@dataclass(frozen=True)
class LoadResult:
    """What wrk.lua's ``done`` reports, plus the run's settings."""

    workers: int
    connections: int
    duration_s: float
    requests: int
    p50_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx: int
    status_5xx: int
    load_before: float = 0.0  # the machine's 1-minute load average as the run began (others share it)

    @property
    def per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx

    @classmethod
    def parse(cls, output: str, *, workers: int, connections: int, load_before: float = 0.0) -> LoadResult:
        """From wrk's output: the last line that is wrk.lua's JSON summary.

        >>> line = ('{"requests": 300, "duration_us": 3000000, "p50_us": 5000, "p90_us": 9000, "p99_us": 20000, '
        ...         '"max_us": 30000, "connect_errors": 0, "read_errors": 1, "write_errors": 0, "timeouts": 2, '
        ...         '"status_2xx": 296, "status_3xx": 0, "status_4xx": 3, "status_5xx": 1}')
        >>> r = LoadResult.parse("Running 3s test\\n" + line, workers=2, connections=8)
        >>> r.per_second, r.p99_ms, r.errors, r.status_5xx
        (100.0, 20.0, 7, 1)
        """
        line = next((ln for ln in reversed(output.splitlines()) if ln.startswith("{")), None)
        if line is None:
            raise ValueError(f"wrk printed no summary (is wrk.lua in use?):\n{output[-2000:]}")
        s = json.loads(line)
        return cls(
            workers=workers, connections=connections, duration_s=s["duration_us"] / 1e6, requests=s["requests"],
            p50_ms=s["p50_us"] / 1000, p99_ms=s["p99_us"] / 1000,
            socket_errors=s["connect_errors"] + s["read_errors"] + s["write_errors"] + s["timeouts"],
            non_2xx=s["status_3xx"] + s["status_4xx"] + s["status_5xx"], status_5xx=s["status_5xx"],
            load_before=load_before,
        )


HEADERS = ("workers", "connections", "duration", "requests", "requests/s", "p50", "p99",
           "errors (socket + non-2xx)", "5xx", "load before")


def row(r: LoadResult) -> list[object]:
    return [r.workers, r.connections, f"{r.duration_s:.0f} s", f"{r.requests:,}", f"{r.per_second:,.1f}",
            f"{r.p50_ms:.1f} ms", f"{r.p99_ms:.1f} ms", f"{r.errors:,}", f"{r.status_5xx:,}", f"{r.load_before:.1f}"]


def run_wrk(url: str, paths_file: Path, *, connections: int, duration: int, threads: int,
            workers: int) -> LoadResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(LUA), url, "--", str(paths_file)]
    load = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return LoadResult.parse(done.stdout, workers=workers, connections=connections, load_before=load)


def main(argv: Sequence[str] | None = None) -> list[LoadResult]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2],
                        help="server worker processes (several: one run each)")
    parser.add_argument("--connections", type=int, nargs="+", default=[16],
                        help="open connections (several: one run each, on the same server)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="api")
    parser.add_argument("--requests", type=int, default=2000, help="distinct request paths to cycle through")
    parser.add_argument("--db", type=Path, default=OUT / "serve_demo.sqlite",
                        help="register (built from the demo when absent)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    db = demo_register(args.db)
    paths_file = OUT / f"serve_paths_{args.endpoint}.txt"
    paths_file.write_text("\n".join(request_paths(args.requests, endpoint=args.endpoint)) + "\n")
    results = []
    for workers in args.workers:
        log = OUT / f"serve_{workers}.log"
        with running_server(db, log=log, workers=workers) as url:
            first = request_paths(1, endpoint=args.endpoint)[0]
            with urllib.request.urlopen(url + first, timeout=60) as warm:  # the first search maps the index
                warm.read()
            for connections in args.connections:
                results.append(run_wrk(url, paths_file, connections=connections, duration=args.duration,
                                       threads=min(args.threads, connections), workers=workers))
                print(table(HEADERS, [row(results[-1])]), flush=True)
    body = table(HEADERS, [row(r) for r in results])
    print(f"\n{body}\n\n{machine()}")
    if not args.no_write:
        write_section("Web server (bench/serve)", _notes(args) + "\n\n" + body)
    return results


def _notes(args: argparse.Namespace) -> str:
    return (
        f"`python bench/serve/run.py --workers {' '.join(map(str, args.workers))} "
        f"--connections {' '.join(map(str, args.connections))} "
        f"--duration {args.duration} --endpoint {args.endpoint}`: `marksearch serve` on the demo register "
        f"(20,702 real marks) on loopback, loaded by wrk ({args.threads} threads) cycling through "
        f"{args.requests:,} `{ENDPOINTS[args.endpoint]}` requests for real brand names (Simple Icons titles and "
        "their CJK/Cyrillic names, TradeMarks2020 EU marks), a quarter with filters (class, office, status, "
        "dates); 20 hits per page. wrk runs on the same cores as the server. Latency is per request; "
        "errors are socket errors plus non-2xx answers, 5xx counted apart; \"load before\" is the machine's "
        "1-minute load average as the run began (other work on the shared cores slows the run)."
    )


if __name__ == "__main__":
    main()
