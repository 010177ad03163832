"""bench/watch: watch matching against RapidFuzz ``cdist`` brute force, and the exhaustive scorer.

Two cases, each timed in the same run against brute force:

* **(a) new filings x watched marks**: ``--filings`` generated filings (the
  register of :mod:`bench.search.generate`, keys as ingest stores them)
  against ``--watched`` watched marks made from them by
  :func:`bench.search.queries.generate_queries` (typos, sound-alikes, added
  and dropped words, other scripts, unrelated names), each with the first
  Nice class of its source (``--no-classes``: none), through
  :meth:`marksearch.watch.match.WatchIndex.match`, all at once, then with a
  second index a page of :data:`marksearch.watch.alerts.PAGE` filings at a
  time, as ``marksearch watch run`` matches the changes after an ingest;
* **(b) one new watched mark x a register**: :func:`marksearch.watch.match.match_register`
  over a segment of ``--register`` marks, for ``--b-marks`` watched marks, after an
  untimed warm-up by each method, as bench/search warms each system and as the brute
  force's folded texts are made before it is timed: one look-up of another watched mark
  (its time is printed: what a one-shot ``watch add --backfill`` pays, decoding only the
  strings it reads), then the key spaces decoded whole (``Segment.warm``, as ``marksearch
  serve`` does at start; its time is printed too).

Brute force is ``rapidfuzz.process.cdist(watched, filings,
scorer=Levenshtein.normalized_similarity, score_cutoff=threshold,
workers=-1)`` over the folded texts (chunked to bound memory), the class
filter applied to what it returns.  Recall is the share of the pairs the
exhaustive scorer (every pair scored by :func:`exhaustive_matches`) puts
at or above the threshold that a method returns; in (a) all pairs cannot
be scored in Python, so the exhaustive scorer runs on ``--sample`` random
watched marks against every filing.

Usage::

    python bench/watch.py --filings 100000 --watched 10000 --register 100000 [--threshold 0.7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report import OUT, machine, table
from bench.search.queries import generate_queries
from bench.search.run import index_rows, load_register
from marksearch.index.segment import build_segment
from marksearch.scoring import Candidate, ScoringModel
from marksearch.store import IndexRow
from marksearch.text.fold import fold
from marksearch.watch.alerts import PAGE
from marksearch.watch.match import (
    WatchedMark,
    WatchIndex,
    exhaustive_matches,
    match_register,
)

CHUNK = 500  # watched marks per cdist call: 500 x 100,000 float32 is 200 MB


def watched_marks(register: Any, count: int, seed: int, classes: bool, threshold: float) -> list[WatchedMark]:
    rng = random.Random(seed)
    sample = rng.sample(register.marks, min(len(register.marks), max(3 * count, 1000)))
    queries = generate_queries(sample, seed, -(-count // 6))
    rng.shuffle(queries)
    out = []
    for i, q in enumerate(queries[:count]):
        source = register.marks[q.source_id] if q.source_id is not None else None
        cls = (source.nice_classes[:1] if source is not None and source.nice_classes
               else (rng.randint(1, 45),)) if classes else ()
        out.append(WatchedMark(i + 1, q.text, tuple(cls), (), threshold))
    return out


def brute_force(watched: Sequence[WatchedMark], texts: Sequence[str], classes: Sequence[frozenset[int]],
                ids: Sequence[int], threshold: float) -> tuple[float, set[tuple[int, int]]]:
    """cdist over folded texts (timed), then the class filter on what it found (not timed)."""
    queries = [fold(w.text) for w in watched]
    seconds = 0.0
    found: set[tuple[int, int]] = set()
    for start in range(0, len(queries), CHUNK):
        began = time.perf_counter()
        scores = process.cdist(queries[start : start + CHUNK], texts, scorer=Levenshtein.normalized_similarity,
                               score_cutoff=threshold, workers=-1, dtype=np.float32)
        rows, cols = np.nonzero(scores)
        seconds += time.perf_counter() - began
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            w = watched[start + r]
            if not w.classes or not classes[c].isdisjoint(w.classes):
                found.add((w.id, ids[c]))
    return seconds, found


def recall(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> str:
    return "n/a" if not truth else f"{len(found & truth) / len(truth):.4f}"


def case_a(args: argparse.Namespace) -> list[list[object]]:
    register = load_register(args.filings, 1, args.cache_dir)
    rows = list(index_rows(register))
    watched = watched_marks(register, args.watched, 2, not args.no_classes, args.threshold)
    began = time.perf_counter()
    index = WatchIndex(watched)
    prepared = time.perf_counter() - began
    began = time.perf_counter()
    matches = index.match(rows)
    ours_s = time.perf_counter() - began
    ours = {(m.watch_id, m.record_id) for m in matches}
    # As `watch run` matches them: a page of PAGE changes at a time, with one index.
    paged_index = WatchIndex(watched)
    began = time.perf_counter()
    paged = {(m.watch_id, m.record_id) for start in range(0, len(rows), PAGE)
             for m in paged_index.match(rows[start : start + PAGE])}
    paged_s = time.perf_counter() - began
    texts = [fold(m.mark_text) for m in register.marks]
    classes = [frozenset(r.nice_classes) for r in rows]
    bf_s, bf = brute_force(watched, texts, classes, [r.id for r in rows], args.threshold)
    sample = random.Random(3).sample(watched, min(args.sample, len(watched)))
    began = time.perf_counter()
    truth = {(m.watch_id, m.record_id) for m in exhaustive_matches(sample, rows)}
    truth_s = time.perf_counter() - began
    picked = {w.id for w in sample}
    ours_in = {p for p in ours if p[0] in picked}
    paged_in = {p for p in paged if p[0] in picked}
    bf_in = {p for p in bf if p[0] in picked}
    pairs = len(sample) * len(rows)
    print(f"(a) matches {len(ours)}, brute force pairs {len(bf)}, exhaustive on {len(sample)} watched marks: "
          f"{len(truth)} pairs in {truth_s:.1f} s ({truth_s / pairs * 1e6:.2f} us per pair); "
          f"WatchIndex prepared in {prepared:.2f} s (not counted)")
    full = truth_s / pairs * len(watched) * len(rows)
    return [
        [f"(a) {len(rows):,} filings x {len(watched):,} watched", "WatchIndex.match", f"{ours_s:.2f}",
         f"{bf_s / ours_s:.1f}x", recall(ours_in, truth), len(ours)],
        ["", f"WatchIndex.match, pages of {PAGE:,} (as watch run)", f"{paged_s:.2f}", f"{bf_s / paged_s:.1f}x",
         recall(paged_in, truth), len(paged)],
        ["", "cdist brute force", f"{bf_s:.2f}", "1.0x", recall(bf_in, truth), len(bf)],
        ["", f"exhaustive scorer (projected from {len(sample)} marks)", f"{full:.0f}", f"{bf_s / full:.3f}x",
         "1 (reference)", ""],
    ]


class _Held:
    """The part of a :class:`~marksearch.search.Searcher` that :func:`match_register` reads, over a
    segment built in memory from generated rows (no store: the register has no records to show)."""

    def __init__(self, rows: Sequence[IndexRow]) -> None:
        self.model = ScoringModel()
        self.segment = build_segment(rows, seq=0)
        self.stale = np.zeros(self.segment.size, dtype=bool)
        self.delta: dict[int, tuple[Candidate, IndexRow]] = {}

    def refresh(self) -> int:
        return 0


def case_b(args: argparse.Namespace) -> list[list[object]]:
    register = load_register(args.register, 1, args.cache_dir)
    rows = list(index_rows(register))
    began = time.perf_counter()
    held = _Held(rows)
    built = time.perf_counter() - began
    texts = [fold(m.mark_text) for m in register.marks]
    classes = [frozenset(r.nice_classes) for r in rows]
    ids = [r.id for r in rows]
    watched = watched_marks(register, args.b_marks, 4, not args.no_classes, args.threshold)
    # Warm-up, untimed, as bench/search warms each system: the brute force gets its folded texts
    # ready above; the index first answers one look-up as a one-shot process does (`watch add
    # --backfill`: it decodes only the strings it reads), then decodes its key spaces whole, as
    # `marksearch serve` does at start.
    warm = watched_marks(register, 1, 5, not args.no_classes, args.threshold)[0]
    began = time.perf_counter()
    match_register(warm, held)  # type: ignore[arg-type]
    first_ms = (time.perf_counter() - began) * 1e3
    began = time.perf_counter()
    held.segment.warm()
    decode_s = time.perf_counter() - began
    brute_force([warm], texts, classes, ids, args.threshold)
    ours_s = bf_s = 0.0
    ours: set[tuple[int, int]] = set()
    bf: set[tuple[int, int]] = set()
    truth: set[tuple[int, int]] = set()
    for w in watched:
        began = time.perf_counter()
        ours |= {(m.watch_id, m.record_id) for m in match_register(w, held)}  # type: ignore[arg-type]
        ours_s += time.perf_counter() - began
        seconds, found = brute_force([w], texts, classes, ids, args.threshold)
        bf_s += seconds
        bf |= found
        truth |= {(m.watch_id, m.record_id) for m in exhaustive_matches([w], rows)}
    n = len(watched)
    print(f"(b) segment of {len(rows):,} marks built in {built:.1f} s (not counted); {len(truth)} true pairs; "
          f"warm-up (not counted): a first look-up (another watched mark, as a one-shot process makes it) "
          f"{first_ms:.1f} ms, then the key spaces decoded whole in {decode_s:.2f} s")
    return [
        [f"(b) 1 watched x {len(rows):,} register (mean of {n})", "match_register", f"{ours_s / n * 1e3:.1f} ms",
         f"{bf_s / ours_s:.1f}x", recall(ours, truth), len(ours)],
        ["", "cdist brute force", f"{bf_s / n * 1e3:.1f} ms", "1.0x", recall(bf, truth), len(bf)],
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filings", type=int, default=100_000)
    parser.add_argument("--watched", type=int, default=10_000)
    parser.add_argument("--register", type=int, default=10_000_000)
    parser.add_argument("--b-marks", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--sample", type=int, default=50, help="watched marks scored exhaustively in (a)")
    parser.add_argument("--no-classes", action="store_true", help="watched marks without Nice classes")
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-b", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows: list[list[object]] = []
    if not args.skip_a:
        rows += case_a(args)
    if not args.skip_b:
        rows += case_b(args)
    print(f"\nthreshold {args.threshold}, watched marks {'without' if args.no_classes else 'with'} classes; "
          f"{machine()}\n")
    print(table(["case", "method", "time", "vs brute force", "recall", "pairs found"], rows))


if __name__ == "__main__":
    main()
