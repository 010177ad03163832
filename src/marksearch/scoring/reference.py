"""The exhaustive reference search: every candidate scored, the best kept.

Slow and plainly correct: it is the ground truth that a fast index must
reproduce (the same top ``limit``, in the same order) and the baseline that
benchmarks measure it against.  Ties are broken by record id, so the result
is a function of the register and the query alone.

>>> marks = [Candidate.from_text(i, t) for i, t in enumerate(["COCA", "KOKA", "PEPSI"])]
>>> [(hit.record_id, round(hit.score, 3)) for hit in exhaustive_search("COCA", marks, limit=2)]
[(0, 0.875), (1, 0.836)]
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from marksearch.scoring.candidate import Candidate
from marksearch.scoring.model import Scored, ScoringModel
from marksearch.text.keys import MarkKeys

__all__ = ["Filters", "Hit", "exhaustive_search"]


class Hit(NamedTuple):
    """One result: ``(score, record_id, scored)``."""

    score: float
    record_id: int
    scored: Scored


@dataclass(frozen=True)
class Filters:
    """Which candidates a search may return.

    ``classes``: keep a candidate with at least one of these Nice classes;
    ``statuses``: keep a candidate whose status is one of these
    (:class:`marksearch.records.Status` values); ``None``: any.
    ``exclude``: record ids never returned (the query's own record, say).

    >>> Filters(statuses={"registered"})(Candidate.from_text(1, "X", status="ended"))
    False
    """

    classes: Collection[int] | None = None
    statuses: Collection[str] | None = None
    exclude: Collection[int] = ()

    def __call__(self, candidate: Candidate) -> bool:
        if candidate.record_id in self.exclude:
            return False
        if self.statuses is not None and candidate.status not in self.statuses:
            return False
        return self.classes is None or not candidate.classes.isdisjoint(self.classes)


def exhaustive_search(query: str | MarkKeys | Mapping[str, Any],
                      candidates: Iterable[Candidate], *, limit: int = 50,
                      classes: Iterable[int] = (), filters: Filters | None = None,
                      model: ScoringModel | None = None,
                      goods: Mapping[int, tuple[float, str]] | None = None) -> list[Hit]:
    """The ``limit`` best candidates for ``query``, best first, ties by record id.

    ``classes`` are the query's own Nice classes and ``goods`` the per-class
    signals of a goods description (both feed the goods signal); ``filters``
    say which candidates may be returned.
    """
    if limit <= 0:
        return []
    scorer = (model or ScoringModel()).scorer(query, classes=classes, goods=goods)
    keep = filters or Filters()
    # Every candidate gets the fused score; only those kept are explained
    # (scorer.score and scorer(...).score are the same number, tested).
    rows = ((-scorer.score(c), c.record_id, c) for c in candidates if keep(c))
    best = heapq.nsmallest(limit, rows, key=lambda row: (row[0], row[1]))
    return [Hit(-negative, record_id, scorer(c)) for negative, record_id, c in best]
