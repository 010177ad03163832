"""The fused score: a :class:`ScoringModel` holds the weights,
:meth:`ScoringModel.scorer` prepares one query and scores many candidates
(whoosh ``WeightingModel.scorer``).

How the signals fuse (the reasoning is in ``docs/scoring.md``):

1. each text signal is multiplied by its weight (:data:`DEFAULT_WEIGHTS`):
   an identical spelling is the strongest evidence, an identical sound next,
   then an identical reading in another script or a containment (whose
   signal stops at 0.95 short of identity);
2. the text score is the best weighted signal, plus credit for agreement:
   ``text = s1 + agreement * (1 - s1) * s2`` with ``s1 >= s2`` the two best
   weighted signals, so two signals that agree lift a pair above one signal
   alone, and nothing passes 1.  The credit is small (0.25) because spelling
   and sound mostly agree anyway: their agreement is little new evidence;
3. goods modulate the text score: ``fused = text * (goods_floor + (1 -
   goods_floor) * goods)``.  Unrelated goods keep ``goods_floor`` (0.75) of
   the text score, because a near-identical mark stays worth a look whatever
   the goods; with no classes given the goods signal is neutral (0.5), which
   leaves the order of the results to the text alone.

Every step is monotone in every signal, so an upper bound of each signal
gives an upper bound of the fused score (:meth:`ScoringModel.fuse`).

>>> scorer = ScoringModel().scorer("KOKA", classes=[32])
>>> hit = scorer(Candidate.from_text(1, "COCA", [32]))
>>> round(hit.score, 3), hit.reasons
(0.955, ['sounds like: KOKA ~ COCA', 'spelling: 2 letters differ (KOKA ~ COCA)', 'goods: same class 32'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from marksearch.scoring.candidate import Candidate, PreparedQuery, prepare_query
from marksearch.scoring.signals import SIGNALS, SignalFunction, goods
from marksearch.text.keys import MarkKeys

__all__ = ["DEFAULT_WEIGHTS", "TEXT_SIGNALS", "Scored", "Scorer", "ScoringModel"]

TEXT_SIGNALS = ("spelling", "sound", "cross_script", "containment")

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "spelling": 1.0,
    "sound": 0.95,
    "cross_script": 0.9,
    "containment": 0.9,
})


class Scored(NamedTuple):
    """One candidate scored: the fused score, every signal's score (goods
    included), and the reasons, strongest first."""

    score: float
    signals: dict[str, float]
    reasons: list[str]


@dataclass(frozen=True)
class ScoringModel:
    """Weights and how the signals fuse; see the module docstring."""

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    agreement: float = 0.25
    goods_floor: float = 0.75

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(TEXT_SIGNALS)
        if unknown:
            raise ValueError(f"no such text signal: {', '.join(sorted(unknown))}")
        for name, value in [*self.weights.items(), ("agreement", self.agreement),
                            ("goods_floor", self.goods_floor)]:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], not {value}")

    def text_score(self, signals: Mapping[str, float]) -> float:
        """The text score of signal scores (missing signals count 0).

        >>> ScoringModel().text_score({"spelling": 0.8, "sound": 1.0})
        0.96
        """
        first = second = 0.0
        for name, weight in self.weights.items():
            value = weight * signals.get(name, 0.0)
            if value > first:
                first, second = value, first
            elif value > second:
                second = value
        return first + self.agreement * (1.0 - first) * second

    def fuse(self, signals: Mapping[str, float]) -> float:
        """The fused score of signal scores; monotone in each, so it also
        turns upper bounds of the signals into an upper bound of the score.

        >>> ScoringModel().fuse({"spelling": 1.0, "goods": 0.0})
        0.75
        """
        goods_score = signals.get("goods", 0.5)
        return self.text_score(signals) * (self.goods_floor + (1.0 - self.goods_floor) * goods_score)

    def scorer(self, query: str | MarkKeys | Mapping[str, Any], *,
               classes: Iterable[int] = (),
               goods: Mapping[int, tuple[float, str]] | None = None) -> Scorer:
        """Prepare ``query`` (its text, its keys, or a stored keys dict) and
        return the callable that scores candidates against it; ``goods`` as
        in :func:`~marksearch.scoring.candidate.prepare_query`."""
        return Scorer(self, prepare_query(query, classes=classes, goods=goods))


class Scorer:
    """Scores candidates against one prepared query.

    ``scorer(candidate)`` gives a :class:`Scored` with reasons;
    ``scorer.score(candidate)`` only the fused score, for re-ranking many
    candidates before explaining the few shown (the same number: both run
    the same signals, one without formatting reasons).
    """

    __slots__ = ("model", "query", "_text", "_floor", "_agreement")

    def __init__(self, model: ScoringModel, query: PreparedQuery) -> None:
        self.model = model
        self.query = query
        self._text: tuple[tuple[str, SignalFunction, float], ...] = tuple(
            (name, SIGNALS[name], model.weights.get(name, 0.0)) for name in TEXT_SIGNALS
            if model.weights.get(name, 0.0) > 0.0)
        self._floor = model.goods_floor
        self._agreement = model.agreement

    def score(self, candidate: Candidate) -> float:
        """The fused score alone."""
        q = self.query
        first = second = 0.0
        for _, function, weight in self._text:
            value = weight * function(q, candidate, explain=False).score
            if value > first:
                first, second = value, first
            elif value > second:
                second = value
        text = first + self._agreement * (1.0 - first) * second
        goods_score = goods(q, candidate, explain=False).score
        return text * (self._floor + (1.0 - self._floor) * goods_score)

    def __call__(self, candidate: Candidate) -> Scored:
        q = self.query
        scores: dict[str, float] = {}
        explained: list[tuple[float, str]] = []
        first = second = 0.0
        for name, function, weight in self._text:
            signal = function(q, candidate)
            scores[name] = signal.score
            value = weight * signal.score
            if value > first:
                first, second = value, first
            elif value > second:
                second = value
            if signal.reason:
                explained.append((-value, signal.reason))
        text = first + self._agreement * (1.0 - first) * second
        goods_signal = goods(q, candidate)
        scores["goods"] = goods_signal.score
        score = text * (self._floor + (1.0 - self._floor) * goods_signal.score)
        explained.sort(key=lambda row: row[0])
        reasons = [reason for _, reason in explained]
        if q.classes and candidate.classes:
            reasons.append(goods_signal.reason)
        return Scored(score, scores, reasons)
