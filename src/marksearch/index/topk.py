"""Exact top-k over a segment: candidates by bounds, then the scorer.

The fused score is monotone in every signal
(:meth:`marksearch.scoring.ScoringModel.fuse`): with ``s1`` the best weighted
text signal, ``fused <= F(s1) = s1 + agreement * (1 - s1) * s1`` (the second
signal is at most the first, and the goods factor at most 1).  So for a level
``sigma``, every mark whose ``s1`` can reach ``sigma`` is gathered from the
key spaces (:func:`gather`), and every other mark scores below ``F(sigma)``.
Scoring the gathered marks and finding the ``k``-th best score at or above
``F(sigma)`` proves the top ``k`` complete; otherwise ``sigma`` drops to
``F^-1`` of the ``k``-th score found and one more round settles it.  At
``sigma = 0`` every mark is scored: the exhaustive reference.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from marksearch.index.keyspace import KeySpace, Scan
from marksearch.index.segment import OTHER_SCRIPT, Segment, script_mask
from marksearch.scoring import Scorer, ScoringModel
from marksearch.scoring.candidate import MIN_CONTAINED, PreparedQuery
from marksearch.scoring.goods import NEUTRAL_GOODS
from marksearch.scoring.signals import (
    CONTAINMENT_BASE,
    CONTAINMENT_MAX,
    LOOSE_WEIGHT,
    METAPHONE_WEIGHT,
    SOUND_EXPONENT,
    VISUAL_WEIGHT,
)

__all__ = ["Gathered", "TopK", "gather", "top_k"]

_EPS = 1e-9
_START = 0.9
BRUTE_FORCE_AT = 20_000  # marks left by a filter, at most, to score them all directly
BRUTE_FORCE_WITHIN = 1_000  # the same for a class filter, whose key spaces shrink with it
_STEP = 0.1


@dataclass
class Gathered:
    """How candidates were found, for ``--explain``."""

    rounds: list[tuple[float, int, int]] = field(default_factory=list)  # (sigma, found, scored)
    exhaustive: bool = False


@dataclass
class TopK:
    hits: list[tuple[float, int]]  # (score, position), best first, ties by record id
    scored: int
    gathered: Gathered


def goods_ceiling(q: PreparedQuery, model: ScoringModel) -> float:
    """The largest goods factor any mark can get for this query.

    With no query classes the goods signal is neutral for every mark, so the
    factor is the same for all; with classes it can reach 1.
    """
    best = max((s.score for s in q.goods.values()), default=0.0) if q.classes else NEUTRAL_GOODS
    best = max(best, NEUTRAL_GOODS)  # a mark without classes gets the neutral score
    return model.goods_floor + (1.0 - model.goods_floor) * best


def fused_ceiling(sigma: float, model: ScoringModel, goods: float = 1.0) -> float:
    """``F(sigma)``: the most a mark whose best weighted signal is below ``sigma`` can score."""
    return (sigma + model.agreement * (1.0 - sigma) * sigma) * goods


def level_for(score: float, model: ScoringModel) -> float:
    """``F^-1(score)``: the smallest ``sigma`` with ``F(sigma) >= score``."""
    a = model.agreement
    if score <= 0.0:
        return 0.0
    if a == 0.0:
        return min(score, 1.0)
    # a*s^2 - (1+a)*s + score = 0, the root in [0, 1]
    disc = (1.0 + a) ** 2 - 4.0 * a * score
    return max(0.0, ((1.0 + a) - math.sqrt(max(disc, 0.0))) / (2.0 * a))


Found = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
Similar = tuple[float, npt.NDArray[np.int64], npt.NDArray[np.float32]]  # (threshold, string ids, similarities)

_SAME, _CROSS = 0, 1  # a request for spelling or sound (marks sharing a script), or for cross_script


class _Bound(NamedTuple):
    """The most a weighted signal can be for a key similarity ``s``: ``(s * inner) ** exponent * outer``,
    for marks of ``kind`` only (the scorer gives the signal 0 to the others)."""

    inner: float
    exponent: float
    outer: float
    kind: int


def _signal_applies(marks: npt.NDArray[np.uint64], query: int, kind: int) -> npt.NDArray[np.bool_]:
    """Which marks (by their script bitmaps, :func:`script_mask`) can get a signal of ``kind``
    from a query of scripts ``query`` (a query with scripts, for ``_CROSS``).

    The scorer gives spelling and sound 0 to marks sharing no script with the
    query (both with scripts), and cross_script 0 to all others; a bitmap meeting
    the query's only at ``OTHER_SCRIPT`` may do either, so it is kept for both.
    """
    met = marks & np.uint64(query)
    if kind == _SAME:
        kept: npt.NDArray[np.bool_] = (met != 0) | (marks == 0) | (query == 0)
        return kept
    crossed: npt.NDArray[np.bool_] = (marks != 0) & ((met & np.uint64(OTHER_SCRIPT - 1)) == 0)
    return crossed


def gather(segment: Segment, q: PreparedQuery, sigma: float, model: ScoringModel, *,
           memo: dict[tuple[int, str], Similar] | None = None, ahead: float | None = None,
           within: int = 0, scans: dict[int, dict[str, Scan]] | None = None) -> Found:
    """Every mark whose best weighted text signal can reach ``sigma``, with an upper bound of it.

    A mark's bound is the best weighted similarity found for it in any key
    space; a signal not found for it is below ``sigma``, hence below the bound.

    ``memo`` keeps each key space's similar strings between the rounds of one
    query, looked up at the lower level ``ahead`` (below ``sigma``): a later
    round down to that level filters them instead of asking the key space
    again (the RapidFuzz check of a key space is most of a round).  Strings
    kept from a lower level only add candidates whose bounds are exact, so
    the result is the same set of marks that can reach ``sigma``, or more.

    ``within``, a class bitmap, limits the key spaces' similar strings to
    those held by a mark of one of these classes (:meth:`KeySpace.similar_many`):
    the marks gathered are then every mark *of those classes* that can reach
    ``sigma`` (and some others, which the caller's filter drops).

    ``scans`` (per key space, kept by the caller for one query) lets a look-up
    at a lower level check only the strings a wider length range adds
    (:class:`~marksearch.index.keyspace.Scan`).
    """
    if sigma <= 0.0:
        return np.arange(segment.size, dtype=np.int64), np.ones(segment.size, dtype=np.float64)
    m, sp, w = q.mark, segment.spaces, model.weights
    positions: list[npt.NDArray[np.uint32]] = []
    bounds: list[npt.NDArray[np.float32]] = []
    # Every key space's threshold is proportional to sigma, so the look-ahead is one factor for all
    # (the sound ones go as a power of sigma below 1: the factor takes them lower than they need).
    scale = 1.0 if memo is None or ahead is None or ahead >= sigma else max(ahead, 0.0) / sigma

    asked: list[tuple[KeySpace, str, float, _Bound]] = []  # (space, text, threshold, how a similarity bounds)

    def similar(space: KeySpace, texts: Iterable[str], threshold: float, bound: _Bound) -> None:
        if threshold <= 1.0 + _EPS:
            asked.extend((space, text, max(threshold - _EPS, 0.0), bound)
                         for text in dict.fromkeys(t for t in texts if t))

    def need(signal: str) -> tuple[float, float]:
        weight = w.get(signal, 0.0)
        return (math.inf, 0.0) if weight <= 0.0 else (sigma / weight, weight)

    spell, spell_w = need("spelling")
    similar(sp["spell"], (m.plain, m.skeleton, m.dominant), spell, _Bound(1.0, 1.0, spell_w, _SAME))
    # The sound signal is the best key similarity raised to SOUND_EXPONENT, the
    # Double Metaphone codes' weighted by METAPHONE_WEIGHT (or less) first.
    heard, heard_w = need("sound")
    heard = heard ** (1.0 / SOUND_EXPONENT) if heard <= 1.0 else heard
    similar(sp["sound"], m.sound, heard, _Bound(1.0, SOUND_EXPONENT, heard_w, _SAME))
    if heard <= METAPHONE_WEIGHT:
        similar(sp["phon"], m.phonetic, heard / METAPHONE_WEIGHT,
                _Bound(METAPHONE_WEIGHT, SOUND_EXPONENT, heard_w, _SAME))
    if q.scripts:  # a query without scripts shares one with every mark: no cross-script signal
        read, read_w = need("cross_script")
        similar(sp["latin"], m.latin, read, _Bound(1.0, 1.0, read_w, _CROSS))
        similar(sp["sound"], m.sound, read, _Bound(1.0, 1.0, read_w, _CROSS))
        similar(sp["loose"], m.loose, read / LOOSE_WEIGHT, _Bound(LOOSE_WEIGHT, 1.0, read_w, _CROSS))
    scripts = script_mask(q.scripts, segment.script_codes)
    looked = _similar(asked, scale, memo, within, scans, scripts)
    for (space, _, _, how), (sids, sims) in zip(asked, looked, strict=True):
        marks, sims = space.marks_with(sids, sims)
        keep = _signal_applies(segment.scripts[marks], scripts, how.kind)
        marks, sims = marks[keep], sims[keep]
        positions.append(marks)
        value = sims.astype(np.float64) * how.inner
        if how.exponent != 1.0:
            value = value ** how.exponent
        bounds.append((value * how.outer + 1e-6).astype(np.float32))
    inside, inside_w = need("containment")
    _contained(segment, q, inside, inside_w, positions, bounds, within)
    if len(segment.always):
        positions.append(segment.always.astype(np.uint32))
        bounds.append(np.ones(len(segment.always), dtype=np.float32))
    if not positions:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    pos = np.concatenate(positions).astype(np.int64)
    bound = np.concatenate(bounds).astype(np.float64)
    order = np.lexsort((-bound, pos))  # by position, best bound first
    pos, bound = pos[order], bound[order]
    first = np.ones(len(pos), dtype=bool)
    first[1:] = pos[1:] != pos[:-1]
    return pos[first], bound[first]


def _similar(asked: Sequence[tuple[KeySpace, str, float, _Bound]], scale: float,
             memo: dict[tuple[int, str], Similar] | None, within: int = 0,
             scans: dict[int, dict[str, Scan]] | None = None, scripts: int = 0
             ) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]]:
    """``space.similar(text, threshold)`` for each request, or a superset of it (see :func:`gather`).

    A key space is asked once for all its texts (:meth:`KeySpace.similar_many`),
    each at the lowest threshold any request gives it (the sound space serves
    two signals); each request then keeps the strings at its own threshold.
    A space asked only for the cross-script signal skips the strings whose
    every mark shares a script with the query (``scripts``, its bitmap).
    """
    crossing = {id(space) for space, _, _, how in asked if how.kind == _CROSS} \
        - {id(space) for space, _, _, how in asked if how.kind != _CROSS}
    table: dict[tuple[int, str], Similar] = {} if memo is None else memo
    wanted: dict[int, tuple[KeySpace, dict[str, float]]] = {}
    for space, text, threshold, _ in asked:
        known = table.get((id(space), text))
        if known is None or known[0] > threshold:
            texts = wanted.setdefault(id(space), (space, {}))[1]
            texts[text] = min(threshold, texts.get(text, math.inf))
    for key, (space, texts) in wanted.items():
        # With a memo, a hair below the look-ahead: the next round asks for exactly that level.
        lows = {text: max(t * scale - 1e-6, 0.0) if memo is not None else t for text, t in texts.items()}
        seen = scans.setdefault(key, {}) if scans is not None else None
        looked = space.similar_many(list(lows.items()), within=within, scans=seen,
                                    crossing=scripts if key in crossing else 0)
        for (text, low), (sids, sims) in zip(lows.items(), looked, strict=True):
            table[(key, text)] = (low, sids, sims)
    found = []
    for space, text, threshold, _ in asked:
        low, sids, sims = table[(id(space), text)]
        if low >= threshold:
            found.append((sids, sims))
        else:
            # Similarities come back nudged up by 1e-6 in float32; a looser cut keeps a few more, never fewer.
            keep = sims >= np.float32(threshold - 1e-5)
            found.append((sids[keep], sims[keep]))
    return found


def _contained(segment: Segment, q: PreparedQuery, threshold: float, weight: float,
               positions: list[npt.NDArray[np.uint32]], bounds: list[npt.NDArray[np.float32]],
               within: int = 0) -> None:
    """Marks that hold a query unit, or whose unit lies inside the query, scoring ``threshold``+
    (with ``within``, a class bitmap: those of its classes, and maybe some others).

    The plain forms are looked at, and the skeletons when the query's is not its plain form,
    whose containment counts ``VISUAL_WEIGHT``.  A query that is its own skeleton needs no
    more: the spell space holds the marks' skeletons and the unit space their skeletons' units,
    so the plain look-ups find those, with bounds above what the skeletons score."""
    if threshold > CONTAINMENT_MAX + _EPS:
        return  # only identity scores more, and spelling finds identity
    m = q.mark
    views = [(q.units, m.plain, 1.0)]
    if m.skeleton != m.plain:
        views.append((q.skeleton_units, m.skeleton, VISUAL_WEIGHT))
    for units, container, factor in views:
        _contained_view(segment, units, container, threshold / factor, np.float32(weight * factor),
                        positions, bounds, within)


def _contained_view(segment: Segment, units: Sequence[tuple[str, str, int]], container: str, need: float,
                    weight: np.float32, positions: list[npt.NDArray[np.uint32]],
                    bounds: list[npt.NDArray[np.float32]], within: int) -> None:
    """:func:`_contained` for one view of the query (its plain form or its skeleton): marks
    whose containment in that view can reach ``need``, each bound times ``weight``."""
    if need > CONTAINMENT_MAX + _EPS:
        return
    spell, unit_space = segment.spaces["spell"], segment.spaces["unit"]
    span = CONTAINMENT_MAX - CONTAINMENT_BASE
    for unit, _kind, denominator in units:
        share = min(1.0, len(unit) / denominator)
        ratio = (need - CONTAINMENT_BASE) / (span * share)
        if ratio > 1.0 + _EPS:
            continue
        longest = 255 if ratio <= 0.0 else math.floor(len(unit) / (ratio * ratio) + _EPS)
        sids = spell.containing(unit, longest, within=within)
        # Ids are numbered by length, so a string's length (in characters, as the
        # signal counts it, not UTF-8 bytes) is found in the length table.
        lengths = spell.lengths_of(sids).astype(np.float64)
        lengths = np.maximum(lengths, len(unit))
        value = CONTAINMENT_BASE + span * share * np.sqrt(len(unit) / lengths)
        marks, values = spell.marks_with(sids, np.minimum(value, 1.0).astype(np.float32))
        positions.append(marks)
        bounds.append(values * weight + np.float32(1e-6))
    if len(container) < MIN_CONTAINED:
        return
    for size in range(MIN_CONTAINED, len(container) + 1):
        value = CONTAINMENT_BASE + span * (size / len(container)) ** 0.5
        if value < need - _EPS:
            continue  # too short a piece of the query to score need
        pieces = list(dict.fromkeys(container[i : i + size] for i in range(len(container) - size + 1)))
        sids = unit_space.exact(pieces)
        marks, values = unit_space.marks_with(sids, np.full(len(sids), value, dtype=np.float32))
        positions.append(marks)
        bounds.append(values * weight + np.float32(1e-6))


def top_k(
    segment: Segment,
    scorer: Scorer,
    k: int,
    *,
    allowed: npt.NDArray[np.bool_] | None = None,
    skip: Callable[[int], bool] | None = None,
    model: ScoringModel | None = None,
    within: int = 0,
) -> TopK:
    """The ``k`` best marks of ``segment`` for ``scorer``'s query, exactly as the reference ranks them.

    ``allowed`` masks positions by the query's filters; ``skip`` drops
    positions whose record has changed since the segment was built.
    ``within`` is the class bitmap of a class filter (0: none); every allowed
    mark must have one of its classes.  The key spaces are then asked only
    about strings of such marks (:func:`gather`).
    Candidates are scored best bound first, and scoring stops where no bound
    left can reach the ``k``-th score (Fagin's threshold algorithm).
    """
    model = model or scorer.model
    if within and allowed is None:
        allowed = (segment.classes & np.uint64(within)) != 0
    ids = segment.record_ids
    scored: set[int] = set()
    heap: list[tuple[float, int, int]] = []  # (score, -record_id, position): heap[0] is the k-th best
    goods = goods_ceiling(scorer.query, model)
    gathered = Gathered()
    sigma = _START
    memo: dict[tuple[int, str], Similar] = {}
    scans: dict[int, dict[str, Scan]] = {}
    if allowed is not None and int(allowed.sum()) <= (BRUTE_FORCE_WITHIN if within else BRUTE_FORCE_AT):
        # A selective filter leaves few marks: scoring them all beats gathering
        # from key spaces that hold every mark.
        for found in np.flatnonzero(allowed).tolist():
            if skip is None or not skip(found):
                _push(heap, k, (scorer.score(segment.candidate(found)), -int(ids[found]), found))
                scored.add(found)
        gathered.rounds.append((0.0, len(scored), len(scored)))
        gathered.exhaustive = True
        return TopK([(score, p) for score, _, p in sorted(heap, reverse=True)], len(scored), gathered)
    while True:
        # The next round goes down by a step, or (the top k found) a little below the k-th score's level.
        positions, bound = gather(segment, scorer.query, sigma, model, memo=memo, ahead=sigma - _STEP,
                                  within=within, scans=scans)
        if allowed is not None and len(positions):
            keep = allowed[positions]
            positions, bound = positions[keep], bound[keep]
        ceiling = (bound + model.agreement * (1.0 - bound) * bound) * goods
        fresh = 0
        for i in np.argsort(-ceiling, kind="stable"):
            p = int(positions[i])
            if p in scored or (skip is not None and skip(p)):
                continue
            if len(heap) >= k and ceiling[i] < heap[0][0] - _EPS:
                break  # no candidate left can enter the top k
            scored.add(p)
            fresh += 1
            _push(heap, k, (scorer.score(segment.candidate(p)), -int(ids[p]), p))
        gathered.rounds.append((round(sigma, 4), len(positions), fresh))
        full = len(heap) >= k
        # Marks not gathered at this level score below F(sigma): done when the k-th is above it.
        if sigma <= 0.0 or (full and heap[0][0] >= fused_ceiling(sigma, model, goods) + _EPS):
            gathered.exhaustive = sigma <= 0.0
            best = sorted(heap, reverse=True)
            return TopK([(score, p) for score, _, p in best], len(scored), gathered)
        if not full:
            sigma = max(0.0, sigma - _STEP)  # too few found yet: widen step by step
        else:
            # Down to the k-th score's level, but a step at most: the k-th of the marks scored so far
            # is often far below the k-th of the answer, and a low level makes every look-up wide.
            # Each step's look-up was made ahead of it (the memo), and the next round may end it.
            sigma = max(0.0, min(sigma - _EPS, max(sigma - _STEP, level_for(heap[0][0] / goods, model) - 1e-6)))


def _push(heap: list[tuple[float, int, int]], k: int, item: tuple[float, int, int]) -> None:
    """Keep the ``k`` best items; ``heap[0]`` is the worst of them."""
    if len(heap) < k:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)
