"""Upper bounds of the signals from cheap features, for a fast index.

A fast index must return exactly the exhaustive top ``k``
(:func:`marksearch.scoring.reference.exhaustive_search`).  It can skip a
record only when an upper bound of its fused score is below the ``k``-th
best score found; these functions give such bounds from what an index can
keep per record without the keys themselves: key lengths
(:class:`KeyLengths`), shared q-gram counts, scripts and classes.

Each text signal is the best, over pairs of stored keys, of a normalised
Levenshtein similarity ``1 - d / max(len_a, len_b)``, adjusted by factors at
most 1 (the prefix weight of spelling, the metaphone and loose weights).
So a bound of each pair bounds the signal:

* lengths: ``d >= |len_a - len_b|``, so the similarity is at most
  ``min / max`` (:func:`max_levenshtein_for_lengths`);
* q-grams (Ukkonen 1992, "Approximate string-matching with q-grams and
  maximal matches"): ``d`` edits destroy at most ``q * d`` of the
  ``max - q + 1`` q-grams of the longer string, so ``shared`` common
  q-grams (multiset count, no padding) force ``d >= (max - q + 1 -
  shared) / q`` (:func:`max_levenshtein_for_qgrams`);
* containment needs every q-gram of the contained unit in the container,
  and its score is a function of three lengths
  (:func:`max_containment_for_lengths`), of the plain forms or (times
  ``VISUAL_WEIGHT``) of the skeletons.

The fused score is monotone in every signal
(:meth:`marksearch.scoring.model.ScoringModel.fuse`), so
:func:`max_scored` composes the signal bounds.  The Hypothesis tests check
that no bound is ever below the true score.

>>> max_levenshtein_for_lengths(4, 8), max_levenshtein_for_qgrams(8, 8, 0, q=2)
(0.5, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from marksearch.scoring.candidate import MIN_CONTAINED, Candidate, PreparedQuery, skeleton_units
from marksearch.scoring.model import ScoringModel
from marksearch.scoring.signals import (
    CONTAINMENT_BASE,
    CONTAINMENT_MAX,
    DOMINANT_SHARE,
    LOOSE_WEIGHT,
    METAPHONE_WEIGHT,
    SOUND_EXPONENT,
    VISUAL_WEIGHT,
    code_confidence,
    loose_confidence,
)

__all__ = [
    "KeyLengths",
    "max_containment",
    "max_containment_for_lengths",
    "max_cross_script",
    "max_levenshtein_for_lengths",
    "max_levenshtein_for_qgrams",
    "max_scored",
    "max_sound",
    "max_spelling",
    "max_spelling_for_lengths",
]


def max_levenshtein_for_lengths(len_a: int, len_b: int) -> float:
    """The most ``Levenshtein.normalized_similarity`` can be for strings of
    these lengths.

    >>> max_levenshtein_for_lengths(0, 0), max_levenshtein_for_lengths(3, 0)
    (1.0, 0.0)
    """
    longer = max(len_a, len_b)
    return 1.0 if longer == 0 else min(len_a, len_b) / longer


def max_levenshtein_for_qgrams(len_a: int, len_b: int, shared: int, *, q: int = 2) -> float:
    """The most the normalised Levenshtein similarity can be for strings of
    these lengths sharing ``shared`` q-grams (multiset intersection of their
    unpadded q-grams).

    >>> max_levenshtein_for_qgrams(6, 6, 5), round(max_levenshtein_for_qgrams(6, 6, 2), 3)
    (1.0, 0.667)
    """
    longer = max(len_a, len_b)
    if longer == 0:
        return 1.0
    edits = max(abs(len_a - len_b), math.ceil((longer - q + 1 - shared) / q), 0)
    return max(0.0, 1.0 - edits / longer)


def max_spelling_for_lengths(len_q: int, len_c: int) -> float:
    """The most :func:`~marksearch.scoring.signals.spelling` can be for two
    marks whose ``plain``, ``skeleton`` and dominant forms have these lengths
    (the common case: no confusable glyph, every word dominant).  Use
    :func:`max_spelling` when the lengths differ by key.

    >>> max_spelling_for_lengths(6, 7)
    0.8571428571428571
    """
    return max_levenshtein_for_lengths(len_q, len_c)


class KeyLengths(NamedTuple):
    """What an index keeps per record to bound its signals: the lengths of
    its keys and its scripts (Nice classes bound the goods signal exactly);
    ``skeleton_units`` the length and denominator of each of its
    :func:`~marksearch.scoring.candidate.skeleton_units`."""

    plain: int
    skeleton: int
    dominant: int
    dominant_words: tuple[int, ...]
    skeleton_units: tuple[tuple[int, int], ...]
    sound: tuple[int, ...]
    phonetic: tuple[int, ...]
    latin: tuple[int, ...]
    loose: tuple[int, ...]
    scripts: frozenset[str]

    @classmethod
    def of(cls, c: Candidate) -> KeyLengths:
        """The lengths of a candidate's keys.

        >>> KeyLengths.of(Candidate.from_text(1, "Coca-Cola")).dominant
        4
        """
        return cls(len(c.plain), len(c.skeleton), len(c.dominant),
                   tuple(map(len, c.dominant_words)),
                   tuple((len(unit), denominator) for unit, _, denominator in skeleton_units(c)),
                   _lengths(c.sound), _lengths(c.phonetic),
                   _lengths(c.latin), _lengths(c.loose), frozenset(c.scripts))


def _lengths(keys: Sequence[str]) -> tuple[int, ...]:
    return tuple(len(k) for k in keys if k)


def _best_for_lengths(left: Sequence[int], right: Sequence[int]) -> float:
    return max((max_levenshtein_for_lengths(a, b) for a in left for b in right), default=0.0)


def _disjoint(q: PreparedQuery, c: KeyLengths) -> bool:
    return bool(q.scripts) and bool(c.scripts) and q.scripts.isdisjoint(c.scripts)


def max_spelling(q: PreparedQuery, c: KeyLengths) -> float:
    """An upper bound of :func:`~marksearch.scoring.signals.spelling`."""
    if _disjoint(q, c):
        return 0.0
    m = q.mark
    whole = max(max_levenshtein_for_lengths(len(m.plain), c.plain),
                max_levenshtein_for_lengths(len(m.skeleton), c.skeleton))
    dominant = max_levenshtein_for_lengths(len(m.dominant), c.dominant)
    return max(whole, (1.0 - DOMINANT_SHARE) * whole + DOMINANT_SHARE * dominant)


def max_sound(q: PreparedQuery, c: KeyLengths) -> float:
    """An upper bound of :func:`~marksearch.scoring.signals.sound`."""
    if _disjoint(q, c):
        return 0.0
    best = _best_for_lengths(_lengths(q.mark.sound), c.sound)
    for a in _lengths(q.mark.phonetic):
        for b in c.phonetic:
            weight = METAPHONE_WEIGHT * code_confidence(max(a, b))
            best = max(best, weight * max_levenshtein_for_lengths(a, b))
    return math.pow(best, SOUND_EXPONENT)


def max_cross_script(q: PreparedQuery, c: KeyLengths) -> float:
    """An upper bound of :func:`~marksearch.scoring.signals.cross_script`."""
    if not _disjoint(q, c):
        return 0.0
    m = q.mark
    best = max(_best_for_lengths(_lengths(m.latin), c.latin),
               _best_for_lengths(_lengths(m.sound), c.sound))
    for a in _lengths(m.loose):
        for b in c.loose:
            weight = LOOSE_WEIGHT * loose_confidence(max(a, b))
            best = max(best, weight * max_levenshtein_for_lengths(a, b))
    return best


def max_containment_for_lengths(unit: int, denominator: int, container: int) -> float:
    """The most a unit of ``unit`` letters, standing for ``denominator``
    letters of its mark, scores inside a mark of ``container`` letters (not
    counting identity, which scores 1.0); 0.0 when it cannot be inside.

    >>> round(max_containment_for_lengths(3, 3, 6), 3)
    0.789
    """
    if unit < MIN_CONTAINED or unit > container or denominator <= 0:
        return 0.0
    share = min(1.0, unit / denominator)
    return CONTAINMENT_BASE + (CONTAINMENT_MAX - CONTAINMENT_BASE) * share * math.sqrt(unit / container)


def max_containment(q: PreparedQuery, c: KeyLengths) -> float:
    """An upper bound of :func:`~marksearch.scoring.signals.containment`."""
    m = q.mark
    if c.plain and c.plain == len(m.plain):
        return 1.0
    best = max((max_containment_for_lengths(len(u), d, c.plain) for u, _, d in q.units),
               default=0.0)
    units = [(c.plain, c.plain), (c.dominant, c.dominant)]
    if len(c.dominant_words) > 1:
        units.extend((w, c.dominant) for w in c.dominant_words)
    for unit, denominator in units:
        best = max(best, max_containment_for_lengths(unit, denominator, len(m.plain)))
    # As they look: the skeletons' units in the skeletons, VISUAL_WEIGHT of it.
    looks = max((max_containment_for_lengths(len(u), d, c.skeleton) for u, _, d in q.skeleton_units),
                default=0.0)
    for unit, denominator in c.skeleton_units:
        looks = max(looks, max_containment_for_lengths(unit, denominator, len(m.skeleton)))
    return max(best, VISUAL_WEIGHT * looks)


def max_scored(q: PreparedQuery, c: KeyLengths, *, model: ScoringModel | None = None,
               goods: float = 1.0) -> float:
    """An upper bound of the fused score of a candidate with these key
    lengths (``goods``: its goods score, exact from the classes, or 1.0).

    >>> from marksearch.scoring.candidate import prepare_query
    >>> q = prepare_query("COCA")
    >>> max_scored(q, KeyLengths.of(Candidate.from_text(1, "PEPSICOLA")), goods=0.5) < 0.875
    True
    """
    bounds = {"spelling": max_spelling(q, c), "sound": max_sound(q, c),
              "cross_script": max_cross_script(q, c), "containment": max_containment(q, c),
              "goods": goods}
    return (model or ScoringModel()).fuse(bounds)
