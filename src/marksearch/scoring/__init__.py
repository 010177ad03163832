"""Similarity signals, the fused model, explanations.

The pipeline: a query's keys are prepared once (:class:`PreparedQuery`),
each stored mark is read as a :class:`Candidate`, every signal scores the
pair on one scale with a reason (:mod:`~marksearch.scoring.signals`), the
:class:`ScoringModel` fuses them, and :func:`exhaustive_search` is the
plainly correct search a fast index must agree with.

>>> hits = exhaustive_search("BUDMEN", [Candidate.from_text(1, "BUD"), Candidate.from_text(2, "PEPSI")])
>>> hits[0].record_id, hits[0].scored.reasons[0]
(1, 'contains: BUD in BUDMEN')
"""

from marksearch.scoring.bounds import (
    KeyLengths,
    max_containment,
    max_containment_for_lengths,
    max_cross_script,
    max_levenshtein_for_lengths,
    max_levenshtein_for_qgrams,
    max_scored,
    max_sound,
    max_spelling,
    max_spelling_for_lengths,
)
from marksearch.scoring.candidate import MIN_CONTAINED, Candidate, PreparedQuery, prepare_query
from marksearch.scoring.goods import class_similarity
from marksearch.scoring.model import DEFAULT_WEIGHTS, TEXT_SIGNALS, Scored, Scorer, ScoringModel
from marksearch.scoring.reference import Filters, Hit, exhaustive_search
from marksearch.scoring.shown import shown_score
from marksearch.scoring.signals import (
    SIGNALS,
    Signal,
    SignalFunction,
    containment,
    cross_script,
    goods,
    sound,
    spelling,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "MIN_CONTAINED",
    "SIGNALS",
    "TEXT_SIGNALS",
    "Candidate",
    "Filters",
    "Hit",
    "KeyLengths",
    "PreparedQuery",
    "Scored",
    "Scorer",
    "ScoringModel",
    "Signal",
    "SignalFunction",
    "class_similarity",
    "containment",
    "cross_script",
    "exhaustive_search",
    "goods",
    "max_containment",
    "max_containment_for_lengths",
    "max_cross_script",
    "max_levenshtein_for_lengths",
    "max_levenshtein_for_qgrams",
    "max_scored",
    "max_sound",
    "max_spelling",
    "max_spelling_for_lengths",
    "prepare_query",
    "shown_score",
    "sound",
    "spelling",
]
