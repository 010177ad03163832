"""Watch matching: which filings resemble which watched marks, exactly.

A pair (watched mark, filing) matches when the fused score search gives it
(the watched mark as the query, the filing as the candidate) reaches the
watch's threshold, as the score is shown (to the 3 or 4 places the threshold is
written with, :func:`reaches`), and the filing passes the watch's office and class
filter.  Nothing is approximated: the result is the exhaustive pairwise scorer's (:func:`exhaustive_matches`), found without scoring every pair.

Why that can be fast: the fused score is at most ``F(s1) * goods`` with
``s1`` the best weighted text signal (:mod:`marksearch.index.topk`), so a
pair can reach a threshold ``T`` only when ``s1 >= F^-1(T / goods)``, and
every text signal is a normalised Levenshtein similarity of two short keys
(or a substring test).  Watch thresholds are high, so that level is high.

* :meth:`WatchIndex.match` (many filings against many watched marks) joins
  the two sides' keys in bulk (a pigeonhole filter per key kind and a
  substring join for containment, see ``_joined_pairs``), checks the key
  pairs with RapidFuzz, and scores only the mark pairs left;
* :func:`match_register` (one watched mark against a whole register) is a
  threshold search over the :class:`~marksearch.search.Searcher`'s segment:
  :func:`marksearch.index.topk.gather` at that level, then the scorer.

>>> from marksearch.text import mark_keys
>>> from marksearch.store import IndexRow
>>> row = IndexRow(7, "EM", "1", "pending", "word", None, (32,), mark_keys("COCA").to_dict())
>>> [(m.watch_id, m.record_id, round(m.score, 3)) for m in WatchIndex([WatchedMark(1, "KOKA", (32,))]).match([row])]
[(1, 7, 0.955)]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from marksearch.index.filters import STATUS_CODES, Filter, class_mask
from marksearch.index.keyspace import char_counts, counts_may_reach
from marksearch.index.segment import scorer_keys
from marksearch.index.topk import gather, goods_ceiling, level_for
from marksearch.scoring import Candidate, Scorer, ScoringModel
from marksearch.scoring.candidate import MIN_CONTAINED, containment_units, skeleton_units
from marksearch.scoring.shown import shown_score
from marksearch.scoring.signals import (
    CONTAINMENT_BASE,
    CONTAINMENT_MAX,
    LOOSE_WEIGHT,
    METAPHONE_WEIGHT,
    SOUND_EXPONENT,
    VISUAL_WEIGHT,
)
from marksearch.store import IndexRow
from marksearch.text import mark_keys

if TYPE_CHECKING:
    from marksearch.search import Searcher

__all__ = ["Match", "WatchIndex", "WatchedMark", "exhaustive_matches", "match_register", "reaches"]

_EPS = 1e-9
_NO_KEYS = {"plain": "", "text": ""}


@dataclass(frozen=True)
class WatchedMark:
    """One watched mark: its text (any script), the classes whose goods it
    covers, the offices watched and the score a filing must reach."""

    id: int  # the watch's row id
    text: str
    classes: tuple[int, ...] = ()  # feed the goods signal; a filing must share one when given
    offices: tuple[str, ...] = ()  # upper-case ST.3 codes; empty: every office
    threshold: float = 0.7


@dataclass(frozen=True)
class Match:
    """A filing that resembles a watched mark, with search's signals and reasons."""

    watch_id: int
    record_id: int
    score: float
    signals: dict[str, float] = field(hash=False)
    reasons: list[str] = field(hash=False)


@dataclass
class _Watch:
    """A watched mark prepared once: its scorer, filter and the level its best text signal must reach."""

    mark: WatchedMark
    scorer: Scorer
    offices: frozenset[str]
    classes: frozenset[int]
    level: float  # sigma: a filing whose best weighted text signal is below it cannot match

    def passes(self, office: str, classes: Iterable[int]) -> bool:
        if self.offices and office.upper() not in self.offices:
            return False
        return not self.classes or not self.classes.isdisjoint(classes)


def _prepare(mark: WatchedMark, model: ScoringModel) -> _Watch:
    scorer = model.scorer(mark_keys(mark.text), classes=mark.classes)
    goods = goods_ceiling(scorer.query, model)
    target = _least_raw(mark.threshold) / goods
    # F^-1 of what the text must score; above 1 nothing can match (gather then finds nothing)
    level = math.inf if target > 1.0 + _EPS else max(0.0, level_for(target, model) - 1e-6)
    return _Watch(mark, scorer, frozenset(o.upper() for o in mark.offices), frozenset(mark.classes), level)


def row_candidate(row: IndexRow) -> Candidate:
    """The scorer's view of a filing, from the keys computed at ingest (as the search index reads them)."""
    keys = scorer_keys(row.keys) if row.keys else _NO_KEYS
    return Candidate.from_keys(row.id, keys, row.nice_classes, status=row.status)


SHOWN_PLACES = (3, 4)  # scores are shown to 3 places (the CLI, the web pages) and 4 (JSON, stored alerts)


def threshold_places(threshold: float) -> int:
    """The places a threshold's score is compared at: 3 for a threshold written with 3 places or
    fewer (as the CLI and the web pages show scores), else 4 (as JSON shows and alerts store them).

    >>> threshold_places(0.8), threshold_places(0.794), threshold_places(0.7937), threshold_places(0.79375)
    (3, 3, 4, 4)
    """
    return 3 if abs(round(threshold, 3) - threshold) < _EPS else 4


def reaches(score: float, threshold: float) -> bool:
    """Whether a score reaches a threshold as the score is shown, rounded to the places the
    threshold is written with (:func:`threshold_places`): a threshold typed from a score that a
    search showed catches that filing, whether it was typed from the 3 places of the command line
    or the web pages (0.794) or the 4 of JSON (0.7937), though its raw score may be 0.79366.
    A filing whose score, shown as the threshold was typed, is below it does not match
    (0.79352, shown 0.7935, does not reach 0.7937, though both show as 0.794).  Three places
    are those of the four, rounded half up (:func:`~marksearch.scoring.shown_score`): 0.79349
    is shown 0.7935 and 0.794, and reaches 0.794.

    >>> reaches(0.79366, 0.794), reaches(0.79366, 0.7937), reaches(0.79352, 0.7937), reaches(0.79344, 0.794)
    (True, True, False, False)
    >>> reaches(0.79349, 0.794), reaches(0.6904834, 0.691)
    (True, True)
    """
    return shown_score(score, threshold_places(threshold)) >= threshold - _EPS


def _least_raw(threshold: float) -> float:
    """A raw score below which none :func:`reaches` ``threshold`` (a bound for the filters): the
    rounding to 4 places moves a score up by at most half a unit of the 4th place, and that of
    those 4 to ``p`` places by at most half a unit of the ``p``-th."""
    return threshold - 0.5 * 10.0 ** -threshold_places(threshold) - 0.5e-4 - 2 * _EPS


def _match(watch: _Watch, candidate: Candidate) -> Match | None:
    """The pair scored exactly: a :class:`Match` when it :func:`reaches` the threshold."""
    if not reaches(watch.scorer.score(candidate), watch.mark.threshold):
        return None
    scored = watch.scorer(candidate)
    return Match(watch.mark.id, candidate.record_id, scored.score, scored.signals, scored.reasons)


def _sorted(matches: Iterable[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (m.watch_id, -m.score, m.record_id))


class WatchIndex:
    """Watched marks prepared for matching many filings at once; see the module docstring."""

    def __init__(self, watched: Sequence[WatchedMark], *, model: ScoringModel | None = None) -> None:
        self.model = model or ScoringModel()
        self.watches = [_prepare(w, self.model) for w in watched]
        self._side: _WatchSide | None = None  # the joins' watch side, made on the first match

    def _watch_side(self) -> _WatchSide:
        """The watched marks' half of the bulk join, made once: ``watch run`` matches the
        changes a page at a time, and remaking it for each page took about a third of a run of
        100,000 filings against 10,000 watched marks."""
        if self._side is None:
            self._side = _WatchSide(self.watches, self.model)
        return self._side

    def match(self, rows: Iterable[IndexRow]) -> list[Match]:
        """Every (watched mark, filing) pair whose exact score reaches the watch's
        threshold and that passes its office/class filter, sorted by
        ``(watch_id, -score, record_id)``.

        ``rows``: the new or changed filings, as ``store.iter_index_rows(ids=...)``
        gives them (their keys computed at ingest are read, never recomputed).
        """
        by_id = {row.id: row for row in rows}  # a record given twice is matched once
        if not by_id or not self.watches:
            return []
        filings = list(by_id.values())
        candidates = [row_candidate(row) for row in filings]
        found: list[Match] = []
        for w, f in _candidate_pairs(self.watches, filings, candidates, self._watch_side):
            watch, row = self.watches[w], filings[f]
            if watch.passes(row.office, row.nice_classes):
                hit = _match(watch, candidates[f])
                if hit is not None:
                    found.append(hit)
        return _sorted(found)


def _candidate_pairs(watches: Sequence[_Watch], filings: Sequence[IndexRow], candidates: Sequence[Candidate],
                     watch_side: Callable[[], _WatchSide]) -> Iterable[tuple[int, int]]:
    """(watch, filing) index pairs that may match: every pair that can is among them.

    Watches whose level is too low for a selective join (thresholds far
    below a watch's purpose) are paired with every filing; the others go
    through :func:`_joined_pairs`, with the join's watch side that ``watch_side`` gives.
    """
    side = watch_side()
    for w in side.low:
        for f in range(len(filings)):
            yield w, f
    if side.high:
        for w, f in _joined_pairs(side, filings, candidates):
            yield side.high[w], f


# -- the bulk join ------------------------------------------------------------------
#
# Every text signal is at most its weight times a normalised Levenshtein
# similarity ``1 - d / L`` of two keys of one kind (L the longer length), so a
# pair whose best weighted signal reaches ``sigma`` has, in some channel, two
# keys with ``d <= k = floor((1 - t) L)`` for that channel's ``t``.  Cut the
# longer key into ``k + 1`` pieces: ``d`` edits touch at most ``d`` of them, so
# one piece appears unchanged in the other key (the pigeonhole filter of
# PassJoin, Li et al., VLDB 2011).  More: some piece ``i`` (from 0) is
# unchanged with at most ``i`` edits before it, so it appears shifted by at
# most ``i`` (their position-aware selection: with ``e_j`` the edits in piece
# ``j``, ``sum(e_j for j <= i) - (i + 1)`` starts at 0, ends below 0 and falls
# only at an unchanged piece, by one: where it first drops below 0 is such an
# ``i``).  That piece has at most ``k - i`` edits after it, so its shift also
# differs from the keys' length difference (at most 0: this key is the
# longer) by at most ``k - i``: it lies in ``[-i, min(i, k - i)]`` (their
# multi-match-aware selection, with the other key's length left open).  Both sides are
# hashed in bulk (pieces of each key as the longer one, every substring of
# the right lengths as the other), joined by sorting, and the string pairs
# found pass the character count filter of the key spaces
# (:func:`~marksearch.index.keyspace.counts_may_reach`), then RapidFuzz, before
# their marks are paired.  Keys carry a goods bucket (each Nice class of the
# mark; 0 for a watch without classes, which meets every filing), so only
# string pairs that some marks sharing a class hold are joined; the mark pairs
# they expand to are filtered by class again, on bitmaps, before scoring.
# Containment is joined apart: a unit of one mark inside the other's plain
# form, and a unit of its skeleton inside the other's skeleton, by exact
# substring hashes.

JOIN_FLOOR = 0.45  # below this level the pieces are too short to select anything
_P = np.uint64(0x100000001B3)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_U64 = npt.NDArray[np.uint64]
_I64 = npt.NDArray[np.int64]


def _channels(sigma: float, model: ScoringModel) -> dict[str, float]:
    """The Levenshtein similarity each key kind must reach for a best weighted signal of ``sigma``."""
    w = model.weights
    heard = (sigma / w["sound"]) ** (1.0 / SOUND_EXPONENT) if w.get("sound") else math.inf
    read = sigma / w["cross_script"] if w.get("cross_script") else math.inf
    spell = sigma / w["spelling"] if w.get("spelling") else math.inf
    wanted = {"spell": spell, "sound": min(heard, read), "phon": heard / METAPHONE_WEIGHT,
              "latin": read, "loose": read / LOOSE_WEIGHT}
    return {name: t - 1e-7 for name, t in wanted.items() if t <= 1.0 + _EPS}


def _channel_strings(c: Candidate, name: str) -> Sequence[str]:
    if name == "spell":
        return (c.plain, c.skeleton, c.dominant)
    return {"sound": c.sound, "phon": c.phonetic, "latin": c.latin, "loose": c.loose}[name]


class _Buckets:
    """The goods buckets of each mark of a side, flat: mark ``m``'s are ``flat[start[m]:start[m + 1]]``."""

    def __init__(self, per_mark: Sequence[Sequence[int]]) -> None:
        counts = np.fromiter((len(b) for b in per_mark), dtype=np.int64, count=len(per_mark))
        self.start: _I64 = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)])
        self.flat: _I64 = np.fromiter(itertools.chain.from_iterable(per_mark), dtype=np.int64,
                                      count=int(self.start[-1]))

    def of(self, marks: _I64) -> tuple[_I64, _I64]:
        """``(row, bucket)`` for each bucket of each ``marks[row]``, in order."""
        rows, at = _runs(self.start[marks], self.start[marks + 1] - self.start[marks])
        return rows, self.flat[at]


_BUCKET_BITS = 6  # buckets are 0 (none) and the Nice classes 1 to 45


class _Side:
    """One side's distinct strings of a channel, the marks holding each, and their buckets."""

    def __init__(self, marks: Sequence[Candidate], buckets: _Buckets, name: str) -> None:
        ids: dict[str, int] = {}
        pairs_s: list[int] = []
        pairs_m: list[int] = []
        for mark, c in enumerate(marks):
            for text in dict.fromkeys(_channel_strings(c, name)):
                if text:
                    pairs_s.append(ids.setdefault(text, len(ids)))
                    pairs_m.append(mark)
        self.strings = list(ids)
        s = np.array(pairs_s, dtype=np.int64)
        m = np.array(pairs_m, dtype=np.int64)
        order = np.argsort(s, kind="stable")
        self.link_marks = m[order]
        self.link_start = np.searchsorted(s[order], np.arange(len(self.strings) + 1))
        # (string, bucket) pairs, unique, in order (a Python set of them took a fifth of a bulk match)
        rows, bucket = buckets.of(m)
        sb = _distinct((s[rows] << _BUCKET_BITS) | bucket)
        self.sb_string, self.sb_salt = sb >> _BUCKET_BITS, _salt(sb & ((1 << _BUCKET_BITS) - 1))
        self.sb_start = np.searchsorted(self.sb_string, np.arange(len(self.strings) + 1))
        self.lengths = np.array([len(t) for t in self.strings], dtype=np.int64)

    def with_buckets(self, sids: _I64, keys: _U64) -> tuple[_I64, _U64]:
        """Each (string, key) row repeated once per bucket of the string, the bucket mixed into the key."""
        rows, at = _runs(self.sb_start[sids], self.sb_start[sids + 1] - self.sb_start[sids])
        salted: _U64 = keys[rows] ^ self.sb_salt[at]
        return sids[rows], salted


def _salt(buckets: npt.NDArray[np.int64] | _U64) -> _U64:
    """The word each goods bucket's keys are XORed with.  Keys are mixed hashes already, so one
    XOR with a random word per bucket folds the bucket in, cheaper than a full mix over arrays of
    millions; keys that meet by chance only cost a RapidFuzz check, or a class test, that drops
    them (buckets past the table share its last word: more such meetings, never fewer)."""
    salt: _U64 = _SALT[np.minimum(buckets, len(_SALT) - 1).astype(np.intp)]
    return salt


_SALT: _U64 = np.random.default_rng(0x6D61726B).integers(0, np.iinfo(np.uint64).max, size=64, dtype=np.uint64,
                                                         endpoint=True)


def _mix(a: _U64, b: _U64) -> _U64:
    x: _U64 = a ^ (b * _MIX[0])
    x = x ^ (x >> np.uint64(31))
    x = x * _MIX[1]
    mixed: _U64 = x ^ (x >> np.uint64(29))
    return mixed


def _by_length(strings: Sequence[str], lengths: _I64) -> Iterable[tuple[int, _I64, _U64]]:
    """Per length L: the string ids and their prefix hashes (n x (L + 1))."""
    for length in np.unique(lengths).tolist():
        sids = np.flatnonzero(lengths == length)
        codes = np.frombuffer("".join(strings[i] for i in sids.tolist()).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.reshape(len(sids), length).astype(np.uint64) + np.uint64(1)
        prefix = np.zeros((len(sids), length + 1), dtype=np.uint64)
        for i in range(length):
            prefix[:, i + 1] = prefix[:, i] * _P + codes[:, i]
        yield int(length), sids, prefix


def _window(prefix: _U64, start: int, size: int) -> _U64:
    """Hashes of the substrings ``[j, j + size)`` for every row, one column per ``j >= start``."""
    power = np.full(1, _P, dtype=np.uint64) ** np.uint64(size)
    window: _U64 = prefix[:, start + size:] - prefix[:, start : prefix.shape[1] - size] * power[0]
    return window


def _edits(t: float, length: int) -> int:
    return math.floor((1.0 - t) * length + 1e-9)


def _pieces(length: int, k: int) -> list[tuple[int, int]]:
    n = k + 1
    base, extra = divmod(length, n)
    out, at = [], 0
    for i in range(n):
        size = base + (1 if i >= n - extra else 0)
        out.append((at, size))
        at += size
    return out


def _piece_keys(side: _Side, t: float) -> tuple[_I64, _U64]:
    """Each string as the longer one: its pieces, keyed by (hash, every start within its shift)."""
    sids: list[_I64] = []
    keys: list[_U64] = []
    for length, ids, prefix in _by_length(side.strings, side.lengths):
        k = _edits(t, length)
        for i, (at, size) in enumerate(_pieces(length, k)):
            h = _window(prefix, at, size)[:, 0]
            for shift in range(-i, min(i, k - i) + 1):  # see the note on the bulk join above
                if at + shift >= 0:
                    sids.append(ids)
                    keys.append(_mix(h, np.full(len(h), at + shift + 1024 * size, dtype=np.uint64)))
    return side.with_buckets(np.concatenate(sids) if sids else np.empty(0, np.int64),
                             np.concatenate(keys) if keys else np.empty(0, np.uint64))


def _substring_keys(side: _Side, t: float) -> tuple[_I64, _U64]:
    """Each string as the shorter one: every substring a piece of a longer partner could be."""
    sids: list[_I64] = []
    keys: list[_U64] = []
    for length, ids, prefix in _by_length(side.strings, side.lengths):
        sizes: set[int] = set()
        for longer in range(length, math.floor(length / t + 1e-9) + 1):
            sizes.update(size for _, size in _pieces(longer, _edits(t, longer)))
        for size in sorted(sizes):
            if size > length:
                continue
            h = _window(prefix, 0, size)
            starts = np.arange(h.shape[1], dtype=np.uint64) + np.uint64(1024 * size)
            sids.append(np.repeat(ids, h.shape[1]))
            keys.append(_mix(h.ravel(), np.tile(starts, len(ids))))
    return side.with_buckets(np.concatenate(sids) if sids else np.empty(0, np.int64),
                             np.concatenate(keys) if keys else np.empty(0, np.uint64))


def _join(left: tuple[_I64, _U64], right: tuple[_I64, _U64]) -> tuple[_I64, _I64]:
    """Every (left id, right id) whose keys are equal, in no particular order.

    One side is usually the filings' substrings or pieces, millions of keys, the
    other the watched marks', a few hundred thousand at most.  Sorting the large
    side took most of a bulk match, and so did looking each of its keys up in
    the small side.  Instead the small side is sorted, and sets bits in a bitmap
    of about a hundred bits per key, by the keys' low bits (they are mixed
    hashes); a key of the large side is looked up only when its bit is set,
    about one in a hundred that meet nothing.
    """
    swap = len(left[1]) > len(right[1])
    (s_ids, s_keys), (b_ids, b_keys) = (right, left) if swap else (left, right)
    order = np.argsort(s_keys)
    s_keys, s_ids = s_keys[order], s_ids[order]
    mask = np.uint64((1 << min(_BITMAP_MAX_BITS, max(10, (len(s_keys) * 100).bit_length()))) - 1)
    bitmap = np.zeros(int(mask) + 1, dtype=bool)
    bitmap[s_keys & mask] = True
    maybe = np.flatnonzero(bitmap[b_keys & mask])
    lo = np.searchsorted(s_keys, b_keys[maybe], "left")
    counts = np.searchsorted(s_keys, b_keys[maybe], "right") - lo
    hit = np.flatnonzero(counts)
    run, at = _runs(lo[hit], counts[hit])
    rows = maybe[hit][run]
    return (b_ids[rows], s_ids[at]) if swap else (s_ids[at], b_ids[rows])


_BITMAP_MAX_BITS = 26  # a 64 MB bitmap at most


def _similar_strings(channel: _Channel, r: _Side, t: float) -> tuple[_I64, _I64]:
    """(watch string, filing string) pairs of this channel whose similarity reaches ``t``."""
    a_w, a_r = _join(channel.pieces, _substring_keys(r, t))
    b_r, b_w = _join(_piece_keys(r, t), channel.substrings)
    w, w_counts = channel.side, channel.counts
    pair = _distinct(np.concatenate([a_w, b_w]) * np.int64(len(r.strings) + 1) + np.concatenate([a_r, b_r]))
    ws, rs = pair // (len(r.strings) + 1), pair % (len(r.strings) + 1)
    lw, lr = w.lengths[ws], r.lengths[rs]
    fits = np.minimum(lw, lr) >= t * np.maximum(lw, lr) - 1e-9
    ws, rs, longer = ws[fits], rs[fits], np.maximum(lw, lr)[fits]
    if not len(ws):
        return ws, rs
    # The pieces of short keys are a letter or two long, so most pairs they join share a
    # piece by chance: the character count filter drops about nineteen in twenty of them
    # before RapidFuzz, at a fraction of its cost.
    r_counts = char_counts(r.strings).T
    reach = np.concatenate([
        counts_may_reach(w_counts[ws[i : i + _COUNT_CHUNK]], r_counts[rs[i : i + _COUNT_CHUNK]],
                         longer[i : i + _COUNT_CHUNK], t)
        for i in range(0, len(ws), _COUNT_CHUNK)])
    ws, rs = ws[reach], rs[reach]
    wt = np.array(w.strings, dtype=object)[ws]
    rt = np.array(r.strings, dtype=object)[rs]
    sims = process.cpdist(wt, rt, scorer=Levenshtein.normalized_similarity, workers=1)
    keep = sims >= t
    return ws[keep], rs[keep]


_COUNT_CHUNK = 1 << 18  # string pairs counted at a time (bounds the temporary arrays)


def _distinct(values: _I64) -> _I64:
    """The distinct values, sorted, as ``np.unique(values)`` gives them.

    Sorted and stripped of repeats here: numpy 2.4's plain ``np.unique`` goes
    through a hash table that, on the millions of mostly distinct pairs a bulk
    match joins, took many times as long as a sort.
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    kept: _I64 = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return kept


def _runs(starts: _I64, counts: _I64) -> tuple[_I64, _I64]:
    """Every position of the runs ``starts[i] .. starts[i] + counts[i] - 1``, in order, each with
    its run's index ``i``.

    >>> _runs(np.array([5, 0, 2]), np.array([2, 0, 3]))
    (array([0, 0, 2, 2, 2]), array([5, 6, 2, 3, 4]))
    """
    run = np.repeat(np.arange(len(counts)), counts)
    at = np.repeat(starts, counts) + (np.arange(len(run)) - np.repeat(np.cumsum(counts) - counts, counts))
    return run, at


def _expand(side: _Side, sids: _I64) -> tuple[_I64, _I64]:
    """(row, mark) for every mark holding string ``sids[row]``."""
    rows, at = _runs(side.link_start[sids], side.link_start[sids + 1] - side.link_start[sids])
    return rows, side.link_marks[at]


@dataclass
class _Channel:
    """One key kind of the watch side: its strings, and their keys as the longer and as the shorter string."""

    t: float
    side: _Side
    pieces: tuple[_I64, _U64]
    substrings: tuple[_I64, _U64]
    counts: npt.NDArray[np.uint8]  # char_counts of the strings, one row per string


class _WatchSide:
    """The watched marks' half of the bulk join, which every batch of filings meets alike.

    ``low`` are the watches whose level is too low for a selective join, paired with every
    filing; ``high`` those joined (a watch whose level is infinite can match nothing), whose
    indexes in the join are positions in ``high``.
    """

    def __init__(self, watches: Sequence[_Watch], model: ScoringModel) -> None:
        self.low = [w for w, watch in enumerate(watches) if watch.level < JOIN_FLOOR]
        self.high = [w for w, watch in enumerate(watches) if JOIN_FLOOR <= watch.level < math.inf]
        joined = [watches[w] for w in self.high]
        self.sigma = min((w.level for w in joined), default=math.inf)
        self.marks = [w.scorer.query.mark for w in joined]
        lists = [sorted(w.classes) or [0] for w in joined]
        self.wanted = {b for bs in lists for b in bs}  # a filing meets a watch only in a bucket both hold
        self.buckets = _Buckets(lists)
        self.classes = np.fromiter((_class_bits(w.classes) for w in joined), dtype=np.uint64, count=len(joined))
        self.channels: dict[str, _Channel] = {}
        self.contained: list[_Contained] = []  # the containment join's views: plain forms, skeletons
        if not joined:
            return
        for name, t in _channels(self.sigma, model).items():
            side = _Side(self.marks, self.buckets, name)
            if side.strings:
                self.channels[name] = _Channel(t, side, _piece_keys(side, t), _substring_keys(side, t),
                                               char_counts(side.strings).T)
        # The skeletons' containment counts VISUAL_WEIGHT: it must reach more to make up for it.
        for looks, level in ((False, self.sigma), (True, self.sigma / VISUAL_WEIGHT)):
            need = _containment_need(level, model)
            if math.isfinite(need):
                self.contained.append(_Contained(looks, need, _unit_keys(self.marks, self.buckets, need, looks=looks),
                                                 _plain_keys(self.marks, self.buckets, need, looks=looks)))


@dataclass
class _Contained:
    """The watched marks' half of the containment join in one view: as written (their plain
    forms) or, with ``looks``, as they look (their skeletons)."""

    looks: bool
    need: float  # the containment in this view a pair must reach
    units: _Keyed | None  # the watched marks' units
    plains: _Keyed  # their plain forms' (or skeletons') substrings


def _joined_pairs(side: _WatchSide, filings: Sequence[IndexRow],
                  candidates: Sequence[Candidate]) -> Iterable[tuple[int, int]]:
    r_buckets = _Buckets([[b for b in (0, *sorted(set(row.nice_classes))) if b in side.wanted] for row in filings])
    found: list[_I64] = []
    n = np.int64(len(filings))
    for name, channel in side.channels.items():
        r_side = _Side(candidates, r_buckets, name)
        if not r_side.strings:
            continue
        ws, rs = _similar_strings(channel, r_side, channel.t)
        w_rows, w_marks = _expand(channel.side, ws)
        r_rows, r_marks = _expand(r_side, rs[w_rows])
        found.append(w_marks[r_rows] * n + r_marks)
    found.append(_contained_pairs(side, candidates, r_buckets, n))
    pairs = _distinct(np.concatenate(found))
    # A key string is held by marks of many classes, and each of them was paired above: keep
    # the pairs that share a class (or whose watch has none) before they are scored one by one.
    r_classes = np.fromiter((_class_bits(row.nice_classes) for row in filings), dtype=np.uint64, count=len(filings))
    w_of, r_of = pairs // n, pairs % n
    wc = side.classes[w_of]
    pairs = pairs[(wc == 0) | ((wc & r_classes[r_of]) != 0)]
    for pair in pairs.tolist():
        yield divmod(pair, int(n))


def _class_bits(classes: Iterable[int]) -> int:
    """The Nice classes as a bitmap (:func:`class_mask`); every bit when one is outside 1 to 45,
    which the bitmap cannot hold (the pair is then left to :meth:`_Watch.passes`)."""
    held = tuple(classes)
    return class_mask(held) if all(1 <= c <= 45 for c in held) else _EVERY_CLASS


_EVERY_CLASS = (1 << 64) - 1


def _containment_need(sigma: float, model: ScoringModel) -> float:
    """The containment a pair must reach for a best weighted signal of ``sigma`` (inf: none can)."""
    weight = model.weights.get("containment", 0.0)
    need = sigma / weight if weight > 0.0 else math.inf
    return math.inf if need > CONTAINMENT_MAX + _EPS else need


def _contained_pairs(side: _WatchSide, filings: Sequence[Candidate], r_buckets: _Buckets, n: np.int64) -> _I64:
    """Pairs where a unit of one mark lies in the other's plain form (or a unit of its skeleton in
    the other's skeleton) with a containment that can reach sigma."""
    found = [np.empty(0, dtype=np.int64)]
    for view in side.contained:
        a_w, a_r = _unit_join(view.units, _plain_keys(filings, r_buckets, view.need, looks=view.looks))
        b_r, b_w = _unit_join(_unit_keys(filings, r_buckets, view.need, looks=view.looks), view.plains)
        found.append(np.concatenate([a_w, b_w]) * n + np.concatenate([a_r, b_r]))
    pairs: _I64 = np.concatenate(found)
    return pairs


def _ratio(need: float) -> float:
    """The least share of the container a unit must cover for a containment of ``need``."""
    return max(0.0, (need - CONTAINMENT_BASE) / (CONTAINMENT_MAX - CONTAINMENT_BASE))


@dataclass
class _Keyed:
    """Texts of a side's marks (units, or plain forms) keyed for :func:`_join`."""

    units: _Units
    keys: tuple[_I64, _U64]
    longest: npt.NDArray[np.float64] | None = None  # units: the longest container each may lie in


def _unit_keys(inner: Sequence[Candidate], buckets: _Buckets, need: float, *, looks: bool = False) -> _Keyed | None:
    """The units of each mark that may lie inside another mark (with ``looks``, of its skeleton),
    keyed by their whole hashes."""
    ratio = _ratio(need)
    units_of = skeleton_units if looks else containment_units
    u_marks: list[int] = []
    u_texts: list[str] = []
    u_longest: list[float] = []
    for m, c in enumerate(inner):
        for unit, _kind, denominator in units_of(c):
            share = min(1.0, len(unit) / denominator)
            longest = math.inf if ratio <= 0.0 else len(unit) * (share / ratio) ** 2 + 1e-9
            if longest >= len(unit):
                u_marks.append(m)
                u_texts.append(unit)
                u_longest.append(longest)
    if not u_texts:
        return None
    units = _Units(u_texts, np.array(u_marks, dtype=np.int64), buckets)
    keys = units.keys(np.arange(len(u_texts), dtype=np.int64), _whole_hashes(u_texts))
    return _Keyed(units, keys, np.array(u_longest))


def _plain_keys(outer: Sequence[Candidate], buckets: _Buckets, need: float, *, looks: bool = False) -> _Keyed:
    """The plain forms of each mark (with ``looks``, its skeleton), keyed by every substring a unit could be."""
    texts = [c.skeleton if looks else c.plain for c in outer]
    plains = _Units(texts, np.arange(len(outer), dtype=np.int64), buckets)
    ratio = _ratio(need)
    sub_ids, sub_hashes = _substrings(plains.texts, ratio * ratio)
    return _Keyed(plains, plains.keys(sub_ids, sub_hashes))


def _unit_join(units: _Keyed | None, plains: _Keyed) -> tuple[_I64, _I64]:
    """(inner mark, outer mark) where a unit of the inner mark lies in the outer's plain form."""
    if units is None:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    assert units.longest is not None
    u_rows, p_rows = _join(units.keys, plains.keys)
    fits = plains.units.lengths[p_rows] <= units.longest[u_rows]
    return units.units.marks[u_rows[fits]], plains.units.marks[p_rows[fits]]


class _Units:
    """Texts held by marks, keyed with each bucket of their mark."""

    def __init__(self, texts: Sequence[str], marks: _I64, buckets: _Buckets) -> None:
        self.texts = list(texts)
        self.marks = marks
        self.lengths = np.array([len(t) for t in texts], dtype=np.int64)
        counts = buckets.start[marks + 1] - buckets.start[marks]
        self.start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.salt = _salt(buckets.of(marks)[1])

    def keys(self, rows: _I64, hashes: _U64) -> tuple[_I64, _U64]:
        rep, at = _runs(self.start[rows], self.start[rows + 1] - self.start[rows])
        salted: _U64 = hashes[rep] ^ self.salt[at]
        return rows[rep], salted


def _whole_hashes(texts: Sequence[str]) -> _U64:
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    out = np.empty(len(texts), dtype=np.uint64)
    for length, ids, prefix in _by_length(texts, lengths):
        out[ids] = _mix(prefix[:, length], np.full(len(ids), length, dtype=np.uint64))
    return out


def _substrings(texts: Sequence[str], least: float) -> tuple[_I64, _U64]:
    """(text id, hash) of every substring of at least MIN_CONTAINED and ``least`` times the text's length."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    ids_out: list[_I64] = []
    hashes: list[_U64] = []
    for length, ids, prefix in _by_length(texts, lengths):
        for size in range(max(MIN_CONTAINED, math.ceil(least * length - 1e-9)), length + 1):
            h = _window(prefix, 0, size)
            ids_out.append(np.repeat(ids, h.shape[1]))
            hashes.append(_mix(h.ravel(), np.full(h.size, size, dtype=np.uint64)))
    if not ids_out:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
    return np.concatenate(ids_out), np.concatenate(hashes)


def match_register(watched: WatchedMark, searcher: Searcher) -> list[Match]:
    """One (new) watched mark against the whole register a :class:`~marksearch.search.Searcher` holds.

    A threshold search: every mark whose best text signal can reach the
    watch's level is gathered from the segment's key spaces, filtered, and
    scored exactly; records changed since the segment was built are read
    from the searcher's delta instead (stale segment entries are skipped).
    Every status counts (a watch reports filings, whatever became of them).
    """
    searcher.refresh()
    watch = _prepare(watched, searcher.model)
    segment = searcher.segment
    found: list[Match] = []
    if math.isfinite(watch.level) and segment.size:
        # A watch limited to classes asks the key spaces only about strings of marks in them.
        positions, _ = gather(segment, watch.scorer.query, watch.level, searcher.model,
                              within=class_mask(sorted(watch.classes)))
        keep = _segment_filter(watch, searcher, positions) if len(positions) else None
        if keep is not None:
            positions = positions[keep]
        for p in positions.tolist():
            if searcher.stale[p]:
                continue
            hit = _match(watch, segment.candidate(p))
            if hit is not None:
                found.append(hit)
    for candidate, row in searcher.delta.values():
        if watch.passes(row.office, row.nice_classes):
            hit = _match(watch, candidate)
            if hit is not None:
                found.append(hit)
    return _sorted(found)


def _segment_filter(watch: _Watch, searcher: Searcher,
                    positions: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_] | None:
    """Which of the gathered ``positions`` pass the watch's office and class filter (a mask over them:
    they are a small part of the segment, which a mask over every mark would read whole)."""
    flt = Filter(offices=tuple(sorted(watch.offices)), classes=tuple(sorted(watch.classes)),
                 statuses=tuple(STATUS_CODES))
    return searcher.segment.mask(flt, at=positions)


def exhaustive_matches(watched: Sequence[WatchedMark], rows: Iterable[IndexRow], *,
                       model: ScoringModel | None = None) -> list[Match]:
    """The plainly correct reference: every pair scored.  Slow; for tests and benchmarks."""
    model = model or ScoringModel()
    watches = [_prepare(w, model) for w in watched]
    filings = list({row.id: row for row in rows}.values())
    found: list[Match] = []
    for row in filings:
        candidate = row_candidate(row)
        for watch in watches:
            if watch.passes(row.office, row.nice_classes):
                hit = _match(watch, candidate)
                if hit is not None:
                    found.append(hit)
    return _sorted(found)
