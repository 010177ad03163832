"""Held-back evaluation of class suggestion (used by ``bench/goods.py`` and the tests).

The NCL sample: a seeded share of the WIPO term ids is held back, with
every label of those ids (main indication and synonyms).  The suggester is
then built from everything else and nothing of the sample: no NCL label of
a held-back id, no CNIPA item joined to one, and no term of any source
whose wording (:func:`~marksearch.goods.tokens.term_key`) or English gloss
is the wording of a held-back label.

The EUIPO sample: a seeded share of the records is held back; the
suggester is built from the reference terms and the other records' goods,
and each held-back record's terms (and whole class lists) are classified
per language.

>>> hold = HoldOut.of_ids(["U1", "U2", "U3", "U4"], seed=1, fraction=0.5)
>>> len(hold.ids)
2
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from marksearch.goods.analysis import GoodsModel
from marksearch.goods.base import TermBase
from marksearch.goods.sources import SourceTerm
from marksearch.goods.tokens import term_key

__all__ = ["HoldOut", "Score", "held_back_records", "ncl_sample", "ranked_list", "score_terms"]

SEED = 2024
FRACTION = 0.1


@dataclass(frozen=True)
class HoldOut:
    """WIPO ids held back, and the wordings of their labels."""

    ids: frozenset[str]
    keys: frozenset[str] = frozenset()

    @classmethod
    def of_ids(cls, ids: Iterable[str], *, seed: int = SEED, fraction: float = FRACTION) -> HoldOut:
        pool = sorted(set(ids))
        return cls(frozenset(random.Random(seed).sample(pool, round(len(pool) * fraction))))

    def with_labels(self, terms: Iterable[SourceTerm]) -> HoldOut:
        keys = {term_key(t.text) for t in terms if t.term_id in self.ids and t.source.startswith("ncl")}
        return HoldOut(self.ids, frozenset(keys))

    def keeps(self, t: SourceTerm) -> bool:
        """Whether ``t`` may be used to build the suggester."""
        if t.term_id in self.ids or term_key(t.text) in self.keys:
            return False
        return not (t.gloss and term_key(t.gloss) in self.keys)


def ncl_sample(terms: Sequence[SourceTerm], *, seed: int = SEED, fraction: float = FRACTION,
               ) -> tuple[list[SourceTerm], list[SourceTerm]]:
    """``(build_from, held_back)``: the reference terms split as described above;
    ``held_back`` are the NCL labels (main and synonyms) of the held-back ids."""
    ncl = [t for t in terms if t.source in ("ncl", "ncl-synonym")]
    hold = HoldOut.of_ids((t.term_id for t in ncl), seed=seed, fraction=fraction).with_labels(ncl)
    return [t for t in terms if hold.keeps(t)], [t for t in ncl if t.term_id in hold.ids]


def held_back_records(count: int, *, seed: int = SEED, fraction: float = 0.2) -> frozenset[int]:
    """Positions of the held-back records among ``count`` (sorted by key beforehand)."""
    return frozenset(random.Random(seed).sample(range(count), round(count * fraction)))


@dataclass
class Score:
    """Top-1 and top-3 hits over ``n`` cases."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[str, int, tuple[int, ...]]] = field(default_factory=list, repr=False)

    def add(self, text: str, truth: int, ranked: Sequence[int]) -> None:
        self.n += 1
        self.top1 += bool(ranked) and ranked[0] == truth
        self.top3 += truth in ranked[:3]
        if truth not in ranked[:3]:
            self.misses.append((text, truth, tuple(ranked[:3])))

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0


def score_terms(base: TermBase, cases: Iterable[tuple[str, int]], *,
                model: GoodsModel | None = None, languages: Sequence[str] | None = None) -> Score:
    """Classify each ``(term, class)`` case as one item."""
    model = model or GoodsModel()
    mask = base.language_mask(languages) if languages else None
    score = Score()
    for text, truth in cases:
        item = model.item(base, text, mask)
        score.add(text, truth, [c for c, _ in item.classes])
    return score


def ranked_list(base: TermBase, text: str, *, model: GoodsModel | None = None) -> list[int]:
    """Classes for a whole list (:meth:`GoodsAnalysis.suggestion`), best first."""
    model = model or GoodsModel()
    return [s.nice_class for s in model.analyse(text, base=base).suggestion()]
