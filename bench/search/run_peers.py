"""bench/search/run_peers: the peers as candidate generators, side by side.

Generates (or reads from ``bench/out``) a register of ``--n`` marks, makes
``--per-kind`` queries of each kind from a sample of it, then for each peer:
builds its index (timed, bytes measured), asks it for ``--k`` candidates per
query (p50 and p95 latency; the loop stops at ``--budget`` seconds), and
counts how often the mark a query was made from is among them.  Exact
re-ranking by marksearch's scorer is the final bench's step: it can call
:func:`run_peer` and re-rank :attr:`PeerRun.candidates`.

Usage::

    python bench/search/run_peers.py --n 1000000 --peers rapidfuzz,fts5,tantivy,pg_trgm

The PostgreSQL server the ``pg_trgm`` peer starts is stopped and deleted at
the end, also on errors and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench._report import OUT, table, write_section
from bench.search.generate import GeneratedMark, iter_register, planted_ids
from bench.search.peers import PEERS, PREPARERS, PeerUnavailable, available, make_peer
from bench.search.queries import KINDS, Query, generate_queries

__all__ = ["PeerRun", "load_marks", "percentile", "run_peer", "summary_rows"]

WARMUP = 3
SAMPLE = 50_000


@dataclass
class PeerRun:
    """What one peer did: build, size, and per query its latency and candidates."""

    name: str
    build_s: float = 0.0
    bytes: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    candidates: list[list[int]] = field(default_factory=list)
    error: str | None = None
    stopped_early: bool = False


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0 to 1) by linear interpolation; nan when empty."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=1000, method="inclusive")[max(0, min(998, round(q * 1000) - 1))]


def load_marks(n: int, seed: int, prepare: Callable[[str], str] = PREPARERS["folded"]
               ) -> tuple[list[tuple[int, str]], list[GeneratedMark], float]:
    """Prepared ``(id, text)`` pairs, a query sample (every k-th mark plus the
    planted cross-script brands) and the seconds spent preparing texts."""
    step = max(1, n // SAMPLE)
    planted = set(planted_ids(n, seed))
    marks: list[tuple[int, str]] = []
    sample: list[GeneratedMark] = []
    prepare_s = 0.0
    for mark in iter_register(n, seed):
        started = time.perf_counter()
        marks.append((mark.id, prepare(mark.mark_text)))
        prepare_s += time.perf_counter() - started
        if mark.id % step == 0 or mark.id in planted:
            sample.append(mark)
    return marks, sample, prepare_s


def run_peer(name: str, marks: Sequence[tuple[int, str]], queries: Sequence[str], *, k: int,
             budget_s: float, build_timeout_s: float = 3600.0, query_timeout_s: float = 10.0) -> PeerRun:
    """Build one peer, query it until done or ``budget_s`` is spent, close it."""
    run = PeerRun(name)
    try:
        peer = make_peer(name, build_timeout_s=build_timeout_s, query_timeout_s=query_timeout_s)
    except PeerUnavailable as e:
        run.error = str(e)
        return run
    try:
        gc.collect()
        started = time.perf_counter()
        peer.build(marks)
        run.build_s = time.perf_counter() - started
        run.bytes = peer.bytes_used()
        for query in queries[:WARMUP]:
            peer.candidates(query, k)
        deadline = time.perf_counter() + budget_s
        for query in queries:
            if time.perf_counter() > deadline:
                run.stopped_early = True
                break
            started = time.perf_counter()
            found = peer.candidates(query, k)
            run.latencies_ms.append((time.perf_counter() - started) * 1000)
            run.candidates.append(found)
    except Exception as e:  # a peer's failure is a result, not the end of the bench
        run.error = f"{type(e).__name__}: {e}"
    finally:
        peer.close()
    return run


def summary_rows(runs: Sequence[PeerRun], n: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for run in runs:
        if run.error and not run.latencies_ms:
            rows.append([run.name, "-", "-", "-", "-", "-", run.error])
            continue
        note = "stopped at the time budget" if run.stopped_early else (run.error or "")
        rows.append([run.name, f"{run.build_s:,.1f}", f"{run.bytes / n:,.0f}",
                     f"{percentile(run.latencies_ms, 0.5):,.1f}", f"{percentile(run.latencies_ms, 0.95):,.1f}",
                     len(run.latencies_ms), note])
    return rows


def found_rows(runs: Sequence[PeerRun], queries: Sequence[Query],
               texts: Mapping[int, str]) -> list[list[object]]:
    """Per peer and query kind: share of queries whose source mark (or a mark
    with the very same prepared text, a re-filing) is among the candidates."""
    rows: list[list[object]] = []
    for run in runs:
        row: list[object] = [run.name]
        for kind in KINDS:
            asked = [(q, c) for q, c in zip(queries, run.candidates) if q.kind == kind and q.source_id is not None]
            hit = sum(_found(q.source_id, c, texts) for q, c in asked if q.source_id is not None)
            row.append(f"{hit}/{len(asked)}" if asked else "-")
        rows.append(row)
    return rows


def _found(source: int, candidates: Sequence[int], texts: Mapping[int, str]) -> bool:
    if source in candidates:
        return True
    text = texts.get(source)
    return text is not None and any(texts.get(i) == text for i in candidates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="marks in the register")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peers", default="rapidfuzz,fts5,tantivy,pg_trgm",
                        help=f"comma-separated, from: {', '.join(PEERS)}")
    parser.add_argument("--per-kind", type=int, default=50, help="queries of each kind")
    parser.add_argument("--k", type=int, default=200, help="candidates asked of each peer")
    parser.add_argument("--budget", type=float, default=300, help="seconds of queries per peer at most")
    parser.add_argument("--build-timeout", type=float, default=3600)
    parser.add_argument("--query-timeout", type=float, default=10)
    parser.add_argument("--text", choices=list(PREPARERS), default="folded",
                        help="what peers index: the folded mark, or that and its Latin reading")
    parser.add_argument("--json", type=Path, help="write every run (with candidates) here")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)

    names = [p for p in args.peers.split(",") if p]
    unknown = [p for p in names if p not in PEERS]
    if unknown:
        parser.error(f"unknown peers: {', '.join(unknown)}")
    missing = [p for p in names if p not in available([p])]
    started = time.perf_counter()
    prepare = PREPARERS[args.text]
    marks, sample, prepare_s = load_marks(args.n, args.seed, prepare)
    print(f"register: {len(marks):,} marks in {time.perf_counter() - started:.1f} s "
          f"(preparing texts {prepare_s:.1f} s)", file=sys.stderr)
    queries = generate_queries(sample, args.seed + 1, args.per_kind)
    texts = [prepare(q.text) for q in queries]
    runs = []
    for name in names:
        print(f"{name}: building and querying...", file=sys.stderr)
        if name in missing:
            runs.append(PeerRun(name, error="not installed"))
            continue
        runs.append(run_peer(name, marks, texts, k=args.k, budget_s=args.budget,
                             build_timeout_s=args.build_timeout, query_timeout_s=args.query_timeout))
        print(f"  {table(['peer', 'build s', 'bytes/mark', 'p50 ms', 'p95 ms', 'queries', 'note'], summary_rows(runs[-1:], args.n))}",
              file=sys.stderr)
    body = (
        f"Register of {args.n:,} generated marks (seed {args.seed}), {len(queries)} queries "
        f"({args.per_kind} of each kind), {args.k} candidates asked per query, peers given the "
        f"{args.text} text; latency is candidate "
        "generation only (no re-ranking), one process.\n\n"
        + table(["peer", "build s", "bytes/mark", "p50 ms", "p95 ms", "queries", "note"], summary_rows(runs, args.n))
        + "\n\nSource mark (or a re-filing with the same text) among the candidates, by query kind:\n\n"
        + table(["peer", *KINDS], found_rows(runs, queries, dict(marks)))
    )
    print(body)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"n": args.n, "seed": args.seed, "k": args.k,
                                         "queries": [q._asdict() for q in queries],
                                         "runs": [asdict(r) for r in runs]}))
    if args.write:
        write_section("Search peers (bench/search/run_peers.py)", body)
    return 0


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    raise SystemExit(main())
