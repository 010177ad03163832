"""bench/scoring: the cost of scoring one candidate, on real EUIPO word elements.

The fast index re-ranks up to a few thousand candidates per query, so a
Latin candidate should cost under 20 µs (``docs/scoring.md`` gives the
measurements).  ``python bench/scoring.py`` prints CPU microseconds per
candidate, the best of five runs (a bench, not a test: no timed assertion
runs in CI).
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from pathlib import Path

from marksearch.scoring import Candidate, ScoringModel
from marksearch.text import mark_keys

NAMES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "names"
QUERIES = ["COCA-COLA", "BUDMEN", "VEUVE ROYALE", "Krispy Kreme", "DIMOND", "STONE LION CAPITAL GMBH",
           "可口可乐"]


def _latin_keys(count: int) -> list[dict[str, object]]:
    with open(NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv",
              encoding="utf-8", newline="") as f:
        names = [r["verbal_text"] for r in csv.DictReader(f) if r["verbal_text"]]
    sample = random.Random(1).sample(names, count)
    return [mark_keys(t).to_dict() for t in sample]


def _per_item(work: Callable[[], object], items: int, repeats: int = 5) -> float:
    """Microseconds of CPU per item, the best of ``repeats`` (other processes
    on the machine count least this way)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best / items * 1e6


def measure(count: int = 3000) -> dict[str, float]:
    keys = _latin_keys(count)
    found = {"from_keys": _per_item(lambda: [Candidate.from_keys(i, k, (9,)) for i, k in enumerate(keys)],
                                    count)}
    candidates = [Candidate.from_keys(i, k, (9,)) for i, k in enumerate(keys)]
    model = ScoringModel()
    for query in QUERIES:
        scorer = model.scorer(query, classes=[9, 30])
        found[f"score {query}"] = _per_item(lambda: [scorer.score(c) for c in candidates], count)
        found[f"explain {query}"] = _per_item(lambda: [scorer(c) for c in candidates], count)
    return found


if __name__ == "__main__":
    for name, cost in measure().items():
        print(f"{name:40s} {cost:6.2f} µs")
