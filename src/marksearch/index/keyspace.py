"""One key space: the distinct key strings of one kind, their trigram postings,
and which marks hold each string.

Strings are numbered in order of length, so "every string of length 4 to 6"
is one contiguous range of ids, and a trigram posting list restricted to a
length range is a slice of a sorted array.  Every array is a numpy array that
is saved as ``.npy`` and opened memory-mapped.

The candidate search (:meth:`KeySpace.similar`) returns every string whose
normalised Levenshtein similarity to a query string can reach a threshold:
a length filter (similarity is at most ``min / max`` of the lengths), then a
trigram count filter (Ukkonen 1992: ``d`` edits destroy at most ``3 d`` of
the trigrams of the longer string), then a character count filter (a
string within ``d`` edits shares at least ``max(len(s), len(query)) - d``
characters with the query, see :func:`_count_bounds`), then RapidFuzz on the survivors.  It is exact: a
string it leaves out cannot reach the threshold.

Each string also carries the Nice classes of the marks that hold it (the
union of their class bitmaps), so a search filtered by class asks RapidFuzz
only about strings that some mark of those classes holds: at low thresholds
the pool is every string of a length range, and a one-class filter leaves a
small part of it.  Each class also keeps the sorted ids of its strings, so
that part of a length range is found by binary search rather than by testing
every string's classes.
"""

from __future__ import annotations

import hashlib
import math
import os
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from marksearch.cores import usable_cores

__all__ = ["OTHER_SCRIPT", "KeySpace", "KeySpaceBuilder", "Scan", "char_counts", "counts_may_reach", "mapped", "text_hash",
           "trigrams"]

Q = 3
MAX_LEN = 255
DECODED_CACHE = 2_000_000  # spaces of at most this many strings are kept decoded
IntArray = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
Offsets = npt.NDArray[np.uint32] | npt.NDArray[np.int64]  # uint32 where the values fit: half the bytes
F32 = npt.NDArray[np.float32]
Texts = npt.NDArray[np.object_] | list[str]  # of str, as RapidFuzz reads them
OTHER_SCRIPT = 1 << 63  # in a script bitmap, every script without a bit of its own (see segment.script_mask)


def text_hash(text: str) -> int:
    """A stable 64-bit hash of a string (Python's own hash changes between runs)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def trigrams(text: str) -> list[str]:
    """Unpadded trigrams, with repeats (a multiset, as the count bound needs)."""
    return [text[i : i + Q] for i in range(len(text) - Q + 1)]


# A RapidFuzz check of at least SPLIT_MIN strings is cut into THREADS parts checked at
# once: RapidFuzz lets go of the GIL while it compares, so one query's look-ups use
# every core.  (``process.cdist(..., workers=n)`` splits the queries, not the strings,
# and a look-up asks one to a few queries.)  Fewer strings are not worth a thread.
THREADS = min(usable_cores(), 4)
SPLIT_MIN = 20_000
_pool: tuple[int, ThreadPoolExecutor] | None = None  # with the pid that made it: a forked child makes its own


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(THREADS, thread_name_prefix="marksearch-keyspace"))
    return _pool[1]


def _similarities(queries: list[str], texts: Texts, cutoff: float) -> F32:
    """RapidFuzz's normalised Levenshtein similarity of each query to each text, 0 below
    ``cutoff`` (a queries x texts matrix), on ``THREADS`` threads for many texts."""
    parts = min(THREADS, len(texts) // SPLIT_MIN)
    if parts <= 1:
        return _cdist(queries, texts, cutoff)
    step = -(-len(texts) // parts)
    futures = [_threads().submit(_cdist, queries, texts[i : i + step], cutoff) for i in range(0, len(texts), step)]
    return np.hstack([f.result() for f in futures])


def _cdist(queries: list[str], texts: Texts, cutoff: float) -> F32:
    scores: F32 = process.cdist(queries, texts, scorer=Levenshtein.normalized_similarity,
                                score_cutoff=cutoff, dtype=np.float32, workers=1)
    return scores


SCAN_MARGIN = 0.3  # a whole-range check keeps similarities this far below its threshold


@dataclass
class Scan:
    """What one text's whole-range checks in a key space have seen, for later, lower ones.

    Every string of ids ``start`` to ``stop`` (of the classes asked) whose similarity to
    the text is at least ``floor`` is in ``sids``, with its similarity (``sims``, as
    RapidFuzz gives it).  A lower threshold widens the length range on both sides:
    only the strings beyond ``start`` and ``stop`` are checked then.
    """

    floor: float
    start: int
    stop: int
    sids: IntArray
    sims: F32


@dataclass
class KeySpace:
    """Read side of a key space; see the module docstring."""

    blob: npt.NDArray[np.uint8]  # UTF-8 of every string, each followed by a newline
    offsets: Offsets  # string i is blob[offsets[i]:offsets[i+1]]
    length_start: IntArray  # first string id of each length 0..MAX_LEN+1
    grams: dict[str, int]
    gram_offsets: IntArray
    gram_ids: U32  # string ids per gram, ascending
    mark_offsets: Offsets  # marks of string i: mark_ids[mark_offsets[i]:mark_offsets[i+1]]
    mark_ids: U32
    hashes: npt.NDArray[np.uint64]  # text_hash of every string, ascending (empty: no exact look-up)
    hash_sids: U32  # the string id of each hash
    classes: U64  # the Nice classes of the marks holding string i: the union of their class bitmaps
    shared: U64  # the scripts every mark holding string i has: the intersection of their script bitmaps
    # (empty: not kept; only the spaces that serve the cross-script signal alone keep it)
    class_offsets: IntArray  # the strings of Nice class c: class_ids[class_offsets[c]:class_offsets[c + 1]]
    class_ids: U32  # (ascending per class; empty offsets: not kept)
    hist: U8  # HIST_BUCKETS / 2 x size: how many characters of string i fall in each bucket, 4 bits each (char_counts)
    # (empty: not kept; the containment space, never checked with RapidFuzz, keeps none)
    _cache: npt.NDArray[np.object_] | None = field(default=None, repr=False, compare=False)
    _spent: int = field(default=0, init=False, repr=False, compare=False)  # strings decoded piecemeal (weighted)

    @property
    def size(self) -> int:
        return len(self.offsets) - 1

    def string(self, sid: int) -> str:
        return bytes(self.blob[int(self.offsets[sid]) : int(self.offsets[sid + 1]) - 1]).decode()

    def strings(self, sids: npt.NDArray[np.int64] | Sequence[int]) -> list[str]:
        """The strings with these ids."""
        return [str(s) for s in self._texts(np.asarray(sids, dtype=np.int64))]

    def _texts(self, ids: IntArray) -> Texts:
        """The strings with these ids, as RapidFuzz reads them (a sequence of ``str``).

        Spaces of up to :data:`DECODED_CACHE` strings are decoded whole once
        they are worth it, and kept as a numpy array of ``str`` objects (a few
        tens of MB at 100,000 marks): numpy picks a filtered pool out of it in
        C, where picking from a Python list was a large part of a class-filtered
        look-up.  Until then, and for larger spaces, the ids asked are decoded
        as they come: a run of ids in one call, since each string is stored with
        a newline after it (keys never hold one), or one by one when they are
        few and far apart.  "Worth it" is when the strings decoded that way add
        up to the space's size (the rent-or-buy rule: never more than twice the
        decoding that hindsight would choose).  A process that looks up once, a
        CLI search or a watch's run against the register, then decodes only what
        it reads: at 1,000,000 marks decoding the spaces whole takes far longer
        than a class-limited look-up (bench/watch prints both).
        """
        if len(ids) == 0:
            return []
        first, last = int(ids[0]), int(ids[-1])
        contiguous = last - first + 1 == len(ids) and bool(np.all(ids[1:] > ids[:-1]))
        if self.size <= DECODED_CACHE and (self._cache is not None or self._spent >= self.size):
            everything = self._decoded()
            return everything[first : last + 1] if contiguous else everything[ids]
        first, last = int(ids.min()), int(ids.max())
        if len(ids) * 8 < last - first + 1:
            self._spent += 8 * len(ids)  # one by one: some eight times the cost of a string of a run
            return [self.string(i) for i in ids.tolist()]
        self._spent += last - first + 1
        run = bytes(self.blob[int(self.offsets[first]) : int(self.offsets[last + 1]) - 1]).decode().split("\n")
        return run if contiguous else [run[i - first] for i in ids.tolist()]

    def warm(self) -> None:
        """Decode the whole space now if it is small enough to keep decoded (see :meth:`_texts`)."""
        if self.size <= DECODED_CACHE:
            self._decoded()

    def _decoded(self) -> npt.NDArray[np.object_]:
        if self._cache is None:
            texts = bytes(self.blob[: -1]).decode().split("\n") if self.size else []
            self._cache = np.empty(len(texts), dtype=object)
            self._cache[:] = texts
        return self._cache

    def marks_of(self, sids: npt.NDArray[np.int64]) -> U32:
        """Every mark holding one of these strings (with repeats)."""
        if len(sids) == 0:
            return np.empty(0, dtype=np.uint32)
        # The postings of every string, gathered in one indexing (a slice per string was a Python loop).
        starts = self.mark_offsets[sids].astype(np.int64)  # uint32 on disk: signed arithmetic below
        counts = self.mark_offsets[sids + 1].astype(np.int64) - starts
        ends = np.cumsum(counts)
        at = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
        found: U32 = self.mark_ids[at]
        return found

    def length_range(self, lo: int, hi: int) -> tuple[int, int]:
        lo, hi = max(lo, 0), min(hi, MAX_LEN)
        if lo > hi:
            return (0, 0)
        return int(self.length_start[lo]), int(self.length_start[hi + 1])

    def similar(self, query: str, threshold: float, *, within: int = 0) -> tuple[IntArray, F32]:
        """Strings whose Levenshtein similarity to ``query`` is at least ``threshold``, with it.

        ``within``, a class bitmap, keeps only strings that a mark of one of those
        classes holds (every string when 0).
        """
        return self.similar_many([(query, threshold)], within=within)[0]

    def similar_many(self, queries: Sequence[tuple[str, float]], *, within: int = 0,
                     scans: dict[str, Scan] | None = None, crossing: int = 0) -> list[tuple[IntArray, F32]]:
        """:meth:`similar` for several ``(query, threshold)`` at once.

        Where the count filter cannot bind (low thresholds), a query's pool is
        every string of a length range, often a large part of the space.
        Queries whose ranges overlap share one RapidFuzz call over the union of
        their ranges: it checks several queries against each string together
        (SIMD across queries), where one call per query went over the strings
        once each.  A string outside a query's own range cannot reach its
        threshold (the range holds every length that can), so each query gets
        the strings it would get alone, give or take the 1e-6 slack of the cut.

        ``crossing``, a query's script bitmap, skips the strings whose every mark
        shares one of its scripts (``shared``), for a cross-script look-up: the
        scorer gives those marks no cross-script signal.

        ``scans`` (one query's, kept by the caller between calls, and the same
        ``within`` and ``crossing`` each time) remembers each text's whole-range checks
        (:class:`Scan`): a later call at a lower threshold checks only the
        strings its wider range adds, where it checked the whole range again.
        """
        nothing = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))
        results: list[tuple[IntArray, F32]] = [nothing] * len(queries)
        wide: list[tuple[int, int, int]] = []  # (start, stop, query index)
        for i, (query, threshold) in enumerate(queries):
            pool = self._pool(query, threshold)
            if isinstance(pool, tuple):
                seen = scans.get(query) if scans is not None else None
                if seen is not None and seen.floor <= threshold and seen.start < pool[1] and pool[0] < seen.stop:
                    results[i] = self._widened(seen, query, threshold, *pool, within, crossing)
                else:
                    wide.append((*pool, i))
            elif pool is not None:
                results[i] = self._verify([(query, threshold)], self._within(pool, within, crossing))[0]
        wide.sort()
        while wide:
            start, stop, first = wide.pop(0)
            group = [first]
            while wide and wide[0][0] < stop:  # overlapping ranges: one pass over their union
                stop = max(stop, wide[0][1])
                group.append(wide.pop(0)[2])
            asked = [queries[i] for i in group]
            if scans is None:
                found = self._verify(asked, self._range_within(start, stop, within, crossing))
            else:
                floors = [(query, max(threshold - SCAN_MARGIN, 0.0)) for query, threshold in asked]
                kept = self._verify(floors, self._range_within(start, stop, within, crossing), nudge=False)
                found = []
                for (query, threshold), (_, floor_), (sids, sims) in zip(asked, floors, kept, strict=True):
                    scans[query] = Scan(floor_, start, stop, sids, sims)
                    found.append(_at_threshold(sids, sims, threshold))
            for i, result in zip(group, found, strict=True):
                results[i] = result
        return results

    def _widened(self, seen: Scan, query: str, threshold: float, start: int, stop: int,
                 within: int, crossing: int = 0) -> tuple[IntArray, F32]:
        """A whole-range look-up answered from an earlier one: only the ids beyond it are checked."""
        pieces = [self._range_within(a, b, within, crossing) for a, b in ((start, min(stop, seen.start)),
                                                                 (max(start, seen.stop), stop)) if a < b]
        if pieces:
            sids, sims = self._verify([(query, seen.floor)], np.concatenate(pieces), nudge=False)[0]
            seen.sids = np.concatenate([seen.sids, sids])
            seen.sims = np.concatenate([seen.sims, sims])
            seen.start, seen.stop = min(seen.start, start), max(seen.stop, stop)
        inside = (seen.sids >= start) & (seen.sids < stop)
        return _at_threshold(seen.sids[inside], seen.sims[inside], threshold)

    def _within(self, pool: IntArray, within: int, crossing: int = 0) -> IntArray:
        """The strings of ``pool`` that a mark of a class in ``within`` holds (all of them for 0),
        less those whose every mark shares a script of ``crossing`` (none for 0)."""
        if len(pool) == 0 or not (within or self._crosses(crossing)):
            return pool
        kept: IntArray = pool[self._sieve(pool, within, crossing)]
        return kept

    def _range_within(self, start: int, stop: int, within: int, crossing: int = 0) -> IntArray:
        """:meth:`_within` of the strings ``start`` to ``stop``: for a class filter, the strings of its
        classes' lists in the range (slices, where testing the range's class masks read them all)."""
        if within and len(self.class_offsets):
            return self._within(self._of_classes(start, stop, within), 0, crossing)
        if not (within or self._crosses(crossing)):
            return np.arange(start, stop, dtype=np.int64)
        return np.flatnonzero(self._sieve(slice(start, stop), within, crossing)) + start

    def _of_classes(self, start: int, stop: int, within: int) -> IntArray:
        """The ids from ``start`` to ``stop`` of the strings a mark of a class in ``within`` holds, ascending."""
        parts = []
        for c in range(1, len(self.class_offsets) - 1):
            if within >> c & 1:
                ids = self.class_ids[int(self.class_offsets[c]) : int(self.class_offsets[c + 1])]
                lo, hi = np.searchsorted(ids, [start, stop])
                if hi > lo:
                    parts.append(ids[lo:hi])
        if not parts:
            return np.empty(0, dtype=np.int64)
        found = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
        return found.astype(np.int64)

    def _crosses(self, crossing: int) -> bool:
        return bool(crossing) and len(self.shared) > 0

    def _sieve(self, ids: IntArray | slice, within: int, crossing: int) -> npt.NDArray[np.bool_]:
        if within:
            keep: npt.NDArray[np.bool_] = (self.classes[ids] & np.uint64(within)) != 0
        else:
            keep = np.ones(ids.stop - ids.start if isinstance(ids, slice) else len(ids), dtype=bool)
        if self._crosses(crossing):
            # OTHER_SCRIPT stands for several scripts: meeting there proves nothing.
            keep &= (self.shared[ids] & np.uint64(crossing & (OTHER_SCRIPT - 1))) == 0
        return keep

    def _pool(self, query: str, threshold: float) -> IntArray | tuple[int, int] | None:
        """The strings that may reach ``threshold``: ids passing the count filter, a whole
        ``(start, stop)`` range where it cannot bind, or ``None``."""
        lq = len(query)
        if lq == 0:
            return None
        lo = math.ceil(threshold * lq - 1e-9) if threshold > 0.0 else 0
        hi = MAX_LEN if threshold <= 0.0 else min(MAX_LEN, math.floor(lq / threshold + 1e-9))
        start, stop = self.length_range(lo, hi)
        if stop <= start:
            return None
        return self._count_filtered(query, threshold, start, stop, hi) if threshold > 0.0 else (start, stop)

    def marks_with(self, sids: IntArray, values: npt.NDArray[np.float32]) -> tuple[U32, npt.NDArray[np.float32]]:
        """The marks holding these strings, each with its string's value."""
        if len(sids) == 0:
            return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.float32)
        counts = self.mark_offsets[sids + 1].astype(np.int64) - self.mark_offsets[sids].astype(np.int64)
        return self.marks_of(sids), np.repeat(values, counts)

    def _count_filtered(self, query: str, threshold: float, start: int, stop: int,
                        hi: int) -> IntArray | tuple[int, int]:
        """Candidates in [start, stop) passing the trigram count bound (the range when it cannot bind)."""
        grams = trigrams(query)
        # The fewest shared trigrams any string within the threshold can have,
        # taken at the longest admissible length (where the bound is loosest).
        longest = max(hi, len(query))
        edits = math.floor((1.0 - threshold) * longest + 1e-9)
        need_multiset = len(query) - Q + 1 - Q * edits
        distinct = dict.fromkeys(grams)
        need = need_multiset - (len(grams) - len(distinct))  # repeats may count once below
        if need <= 0 or not distinct:
            return (start, stop)
        lists = []
        for gram in distinct:
            gid = self.grams.get(gram)
            if gid is None:
                continue
            ids = self.gram_ids[self.gram_offsets[gid] : self.gram_offsets[gid + 1]]
            lo, hi_ = np.searchsorted(ids, [start, stop])
            if hi_ > lo:
                lists.append(ids[lo:hi_])
        if len(lists) < need:
            return np.empty(0, dtype=np.int64)
        return _at_least(np.concatenate(lists), need, start, stop)

    def _verify(self, queries: Sequence[tuple[str, float]], pool: IntArray, *,
                nudge: bool = True) -> list[tuple[IntArray, F32]]:
        """Each query's strings of ``pool`` at or above its threshold, with their similarities
        (nudged up a hair, as bounds; as RapidFuzz gives them with ``nudge=False``)."""
        if len(pool) == 0:
            return [(pool, np.empty(0, dtype=np.float32)) for _ in queries]
        if len(pool) >= HIST_MIN and self.hist.shape[1] == self.size \
                and min(threshold for _, threshold in queries) >= HIST_FROM:
            pool = pool[self._counts_may_reach(queries, pool)]
            if len(pool) == 0:
                return [(pool, np.empty(0, dtype=np.float32)) for _ in queries]
        texts = self._texts(pool)
        lowest = min(threshold for _, threshold in queries)
        scores = _similarities([query for query, _ in queries], texts, max(lowest - 1e-6, 0.0))
        found = []
        for row, (_, threshold) in zip(scores, queries, strict=True):
            found.append(_at_threshold(pool, row, threshold) if nudge else _cut(pool, row, threshold))
        return found

    def _counts_may_reach(self, queries: Sequence[tuple[str, float]], pool: IntArray) -> npt.NDArray[np.bool_]:
        """Which strings of ``pool`` pass the character count filter for some query.

        With ``h`` a string's character counts per bucket and ``q`` a query's, a string
        within ``d`` edits of the query has ``sum min(h, q) >= max(len(s), len(query)) - d``
        (:func:`_count_bounds`).  The sum runs over the query's buckets only (a few rows,
        read as slices of a whole range) and fits a byte (each term is at most the query's
        count); ``d`` depends on the string's length only, so each length's bound is one
        number.  A count kept as 15 is 15 or more: ``min(h, q)`` is then taken as ``q``,
        never less than it is, so nothing is dropped.
        """
        first, last = int(pool[0]), int(pool[-1])
        contiguous = last - first + 1 == len(pool)
        lengths: IntArray | None = None
        keep = np.zeros(len(pool), dtype=bool)
        for query, threshold in queries:
            if threshold <= 0.0 or not query or len(query) > MAX_LEN:
                return np.ones(len(pool), dtype=bool)
            counts = np.bincount(_buckets(query), minlength=HIST_BUCKETS)
            shared = np.zeros(len(pool), dtype=np.uint8)
            for bucket in np.flatnonzero(counts).tolist():
                row = self.hist[bucket >> 1, first : last + 1] if contiguous else self.hist[bucket >> 1][pool]
                held = row >> np.uint8(4) if bucket & 1 else row & np.uint8(15)
                wanted = np.uint8(counts[bucket])
                shared += np.minimum(held, wanted) if wanted <= 15 else np.where(held == 15, wanted, held)
            need = _count_bounds(len(query), threshold)
            if contiguous:
                # Ids are numbered by length: one comparison with a number per length.
                shortest, longest = self.lengths_of(np.array([first, last])).tolist()
                for length in range(shortest, longest + 1):
                    lo = max(int(self.length_start[length]), first) - first
                    hi = min(int(self.length_start[length + 1]), last + 1) - first
                    if hi > lo:
                        keep[lo:hi] |= shared[lo:hi] >= need[length]
            else:
                if lengths is None:
                    lengths = self.lengths_of(pool)
                keep |= shared >= need[lengths]
        return keep

    def lengths_of(self, sids: IntArray) -> IntArray:
        """Each string's length in characters (ids are numbered by length: read off ``length_start``)."""
        lengths: IntArray = np.searchsorted(self.length_start, sids, side="right") - 1
        return lengths

    def containing(self, unit: str, max_length: int, *, within: int = 0) -> IntArray:
        """Ids of strings of at most ``max_length`` characters that contain ``unit``
        (with ``within``, a class bitmap: only those a mark of one of its classes holds)."""
        start, stop = self.length_range(len(unit), max_length)
        if stop <= start:
            return np.empty(0, dtype=np.int64)
        grams = list(dict.fromkeys(trigrams(unit)))
        pool: IntArray | None = None
        if grams:
            lists = []
            for gram in grams:
                gid = self.grams.get(gram)
                if gid is None:
                    return np.empty(0, dtype=np.int64)
                ids = self.gram_ids[self.gram_offsets[gid] : self.gram_offsets[gid + 1]]
                lo, hi = np.searchsorted(ids, [start, stop])
                lists.append(ids[lo:hi])
            lists.sort(key=len)
            current = self._within(lists[0].astype(np.int64), within)
            for other in lists[1:]:
                current = _in_sorted(current, other)
                if len(current) == 0:
                    break
            pool = current
        else:
            pool = self._range_within(start, stop, within)
        keep = [i for i, text in zip(pool, self._texts(pool), strict=True) if unit in text]
        return np.array(keep, dtype=np.int64)

    def exact(self, texts: Sequence[str]) -> IntArray:
        """Ids of the given strings that exist in the space (by a sorted hash table).

        Only a space built with ``exact=True`` has the table (the containment space).
        """
        if len(self.hashes) != self.size:
            raise ValueError("this key space was built without exact look-up")
        if not texts or self.size == 0:
            return np.empty(0, dtype=np.int64)
        wanted = np.array([text_hash(t) for t in texts], dtype=np.uint64)
        at = np.searchsorted(self.hashes, wanted)
        at = np.minimum(at, len(self.hashes) - 1)
        hit = self.hashes[at] == wanted
        sids = self.hash_sids[at[hit]].astype(np.int64)
        found = set(texts)
        return np.array([s for s in sids if self.string(int(s)) in found], dtype=np.int64)

    # -- persistence -----------------------------------------------------------

    _ARRAYS = (
        "blob", "offsets", "length_start", "gram_offsets", "gram_ids", "mark_offsets", "mark_ids",
        "hashes", "hash_sids", "classes", "shared", "class_offsets", "class_ids", "hist",
    )

    def save(self, folder: Path, name: str) -> None:
        for attr in self._ARRAYS:
            np.save(folder / f"{name}.{attr}.npy", getattr(self, attr))
        gram_list = sorted(self.grams, key=self.grams.__getitem__)
        (folder / f"{name}.grams.txt").write_text("\n".join(gram_list), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str) -> KeySpace:
        arrays = {a: mapped(folder / f"{name}.{a}.npy") for a in cls._ARRAYS}
        text = (folder / f"{name}.grams.txt").read_text(encoding="utf-8")
        grams = {g: i for i, g in enumerate(text.split("\n"))} if text else {}
        return cls(grams=grams, **arrays)

    def nbytes(self) -> int:
        total = sum(int(getattr(self, a).nbytes) for a in self._ARRAYS)
        return total + sum(len(g) + 60 for g in self.grams)  # the dict's keys, roughly


class KeySpaceBuilder:
    """Collects ``(string, mark)`` pairs, then builds a :class:`KeySpace`."""

    def __init__(self, *, exact: bool = True, histograms: bool = True) -> None:
        self.exact = exact  # keep a hash table of the strings for KeySpace.exact (12 bytes a string)
        self.histograms = histograms  # keep the character counts of the strings (HIST_BUCKETS / 2 bytes a string)
        self.ids: dict[str, int] = {}
        self.pairs_string = array("q")  # typed arrays: a list would hold an int object per pair
        self.pairs_mark = array("q")

    def fits(self, text: str) -> bool:
        """Whether a string can be indexed (the length table stops at MAX_LEN)."""
        return len(text) <= MAX_LEN and "\n" not in text

    def add(self, text: str, mark: int) -> None:
        if not text or not self.fits(text):
            return
        sid = self.ids.setdefault(text, len(self.ids))
        self.pairs_string.append(sid)
        self.pairs_mark.append(mark)

    def build(self, mark_classes: U64 | None = None, mark_scripts: U64 | None = None) -> KeySpace:
        """The key space; ``mark_classes`` is each mark's class bitmap, by mark number
        (none: no string has a class, and a class filter finds nothing in it);
        ``mark_scripts`` each mark's script bitmap, to keep ``shared`` (none: not kept)."""
        texts = list(self.ids)
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))
        new_id = np.empty(len(texts), dtype=np.int64)
        new_id[np.array(order, dtype=np.int64)] = np.arange(len(texts), dtype=np.int64)
        sorted_texts = [texts[i] for i in order]
        encoded = [t.encode() + b"\n" for t in sorted_texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        lengths = np.array([len(t) for t in sorted_texts], dtype=np.int64)
        length_start = np.searchsorted(lengths, np.arange(MAX_LEN + 2)).astype(np.int64)
        grams, gram_offsets, gram_ids = _postings(sorted_texts)
        mark_offsets, mark_ids = _links(new_id, self.pairs_string, self.pairs_mark, len(texts))
        hashes = np.array([text_hash(t) for t in sorted_texts] if self.exact else [], dtype=np.uint64)
        by_hash = np.argsort(hashes, kind="stable")
        classes = _per_string(np.bitwise_or, mark_offsets, mark_ids, mark_classes)
        return KeySpace(
            blob, _narrow(offsets), length_start, grams, gram_offsets, gram_ids, _narrow(mark_offsets), mark_ids,
            hashes[by_hash], by_hash.astype(np.uint32), classes,
            _per_string(np.bitwise_and, mark_offsets, mark_ids, mark_scripts)
            if mark_scripts is not None else np.empty(0, dtype=np.uint64),
            *_class_lists(classes),
            char_counts(sorted_texts) if self.histograms else np.empty((0, 0), dtype=np.uint8),
        )


def mapped(path: Path) -> npt.NDArray[Any]:
    """A saved array, memory-mapped read-only, as a plain ndarray view of the mapping.

    ``np.memmap`` indexes through a Python ``__getitem__``; scoring a candidate reads
    a few elements of several arrays, and would pay that overhead on each.
    """
    view: npt.NDArray[Any] = np.asarray(np.load(path, mmap_mode="r"))
    return view


def _narrow(offsets: IntArray) -> Offsets:
    """Offsets as uint32 where they fit (every register short of 4 GB of one kind of key)."""
    return offsets.astype(np.uint32) if len(offsets) and int(offsets[-1]) < 1 << 32 else offsets


def _cut(sids: IntArray, sims: F32, threshold: float) -> tuple[IntArray, F32]:
    """The strings at or above ``threshold`` (all of them at 0), similarities as RapidFuzz gave them."""
    if threshold <= 0.0:
        return sids, sims
    keep = sims >= threshold - 1e-6
    return sids[keep], sims[keep]


def _at_threshold(sids: IntArray, sims: F32, threshold: float) -> tuple[IntArray, F32]:
    """:func:`_cut`, with similarities nudged up: float32 rounding must never put a bound below
    the float64 score."""
    kept, values = _cut(sids, sims, threshold)
    return kept, np.minimum(values + np.float32(1e-6), np.float32(1.0))


def _in_sorted(ids: IntArray, sorted_ids: U32) -> IntArray:
    """The ids (in their order) found in ``sorted_ids``, an ascending posting list.

    A binary search per id: ``np.isin`` sorts both arrays first, and the long
    posting lists of common trigrams made that most of a containment look-up.
    """
    if len(sorted_ids) == 0:
        return ids[:0]
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    found: IntArray = ids[sorted_ids[at] == ids]
    return found


def _at_least(ids: U32, need: int, start: int, stop: int) -> IntArray:
    """The ids in ``[start, stop)`` that occur at least ``need`` times in ``ids``, ascending.

    Counting in an array over the range is one pass over each; sorting (``np.unique``)
    is much slower once the postings are many next to the range, as the common
    trigrams of a wide length range are.  Few postings in a wide range are sorted.
    """
    if len(ids) * 8 >= stop - start:
        counts = np.bincount(ids.astype(np.int64) - start, minlength=stop - start)
        return np.flatnonzero(counts >= need) + start
    values, counts = np.unique(ids, return_counts=True)
    return values[counts >= need].astype(np.int64)


def _postings(texts: Sequence[str]) -> tuple[dict[str, int], IntArray, U32]:
    grams: dict[str, int] = {}
    gram_col = array("q")  # typed arrays: a list would hold an int object per posting
    string_col = array("I")
    for sid, text in enumerate(texts):
        for gram in dict.fromkeys(trigrams(text)):
            gram_col.append(grams.setdefault(gram, len(grams)))
            string_col.append(sid)
    g = np.frombuffer(gram_col, dtype=np.int64)
    s = np.frombuffer(string_col, dtype=np.uint32)
    order = np.lexsort((s, g))
    g, s = g[order], s[order]
    offsets = np.searchsorted(g, np.arange(len(grams) + 1)).astype(np.int64)
    return grams, offsets, s


def _per_string(op: np.ufunc, mark_offsets: IntArray, mark_ids: U32, per_mark: U64 | None) -> U64:
    """Each string's marks' bitmaps combined by ``op``: their union (``np.bitwise_or``: the
    classes) or their intersection (``np.bitwise_and``: the scripts all of them have).
    Every string has one mark or more; without ``per_mark`` every string gets 0."""
    count = len(mark_offsets) - 1
    if per_mark is None or count == 0 or len(mark_ids) == 0:
        return np.zeros(count, dtype=np.uint64)
    per_link = np.asarray(per_mark, dtype=np.uint64)[mark_ids]
    combined: U64 = op.reduceat(per_link, mark_offsets[:-1]).astype(np.uint64)
    return combined


def _links(new_id: IntArray, strings: array[int], marks: array[int], count: int) -> tuple[IntArray, U32]:
    s = new_id[np.frombuffer(strings, dtype=np.int64)] if strings else np.empty(0, dtype=np.int64)
    m = np.frombuffer(marks, dtype=np.int64).astype(np.uint32)
    order = np.lexsort((m, s))
    s, m = s[order], m[order]
    keep = np.ones(len(s), dtype=bool)  # one link per (string, mark)
    if len(s) > 1:
        keep[1:] = (s[1:] != s[:-1]) | (m[1:] != m[:-1])
    s, m = s[keep], m[keep]
    offsets = np.searchsorted(s, np.arange(count + 1)).astype(np.int64)
    return offsets, m


HIST_BUCKETS = 32  # character buckets of the count filter: 4 bits per bucket and string
HIST_MIN = 256  # pools smaller than this go to RapidFuzz unfiltered (the filter's fixed cost is not worth it)
HIST_FROM = 0.5  # nor do look-ups at a lower threshold: most strings pass the filter there
_HIST_CHUNK = 1 << 20  # strings counted at a time when a space is built (bounds the temporary arrays)


def _buckets(text: str | Sequence[str]) -> IntArray:
    """The count-filter bucket of each character of ``text`` (of the texts, one after another).

    Keys are mostly Latin letters and digits: the 26 letters (either case) get a
    bucket each and the digits share the 6 left, so that the common characters
    of keys never meet in a bucket; any other character (CJK, Hangul, Cyrillic
    keys) goes to a bucket by a multiplicative hash of its code point.
    """
    joined = text if isinstance(text, str) else "".join(text)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    out = ((codes * np.uint32(2654435761)) >> np.uint32(27)).astype(np.int64)  # top 5 bits of a 32-bit product
    folded = codes | np.uint32(0x20)
    letter = (folded >= 97) & (folded <= 122) & ((codes <= 90) | (codes >= 97))
    out[letter] = folded[letter].astype(np.int64) - 97
    digit = (codes >= 48) & (codes <= 57)
    out[digit] = 26 + (codes[digit].astype(np.int64) - 48) % 6
    return out


_NICE = 45


def _class_lists(classes: U64) -> tuple[IntArray, U32]:
    """Per Nice class (bits 1 to 45 of the strings' class masks), the ids of the strings holding it:
    ``(offsets, ids)``, class ``c``'s ids at ``ids[offsets[c]:offsets[c + 1]]``, ascending."""
    lists = [np.flatnonzero(classes & np.uint64(1 << c)).astype(np.uint32) if c else np.empty(0, np.uint32)
             for c in range(_NICE + 1)]
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(ids) for ids in lists], out=offsets[1:])
    return offsets, np.concatenate(lists)


def _count_bounds(length: int, threshold: float) -> npt.NDArray[np.uint8]:
    """For each string length (0 to MAX_LEN), the least ``sum min(h, q)`` a string of that length
    within the threshold of a query of ``length`` characters has.

    The bound: an optimal alignment of two strings pairs ``m`` equal characters, and makes
    ``S`` substitutions, ``I`` insertions and ``D`` deletions, so ``len(s) = m + S + D``,
    ``len(query) = m + S + I`` and ``d = S + I + D >= max(len(s), len(query)) - m``.  The
    ``m`` equal characters are common to both, so ``m <= sum min(h, q)`` over characters,
    and merging characters into buckets only raises that sum.  Hence a string within ``d``
    edits has ``sum min(h, q) >= max(len(s), len(query)) - d``.

    The most edits is taken generous by a hair: RapidFuzz's cut-off sits a hair below the threshold.
    """
    lengths = np.arange(MAX_LEN + 1, dtype=np.int64)
    return np.clip(_least_in_common(np.maximum(lengths, length), threshold), 0, 255).astype(np.uint8)


def _least_in_common(longer: IntArray, threshold: float) -> IntArray:
    """``max(len(s), len(query)) - d`` of :func:`_count_bounds`, for each longer length."""
    edits = np.floor((1.0 - threshold) * longer + 1e-3).astype(np.int64)
    need: IntArray = longer - edits
    return need


def counts_may_reach(a: U8, b: U8, longer: IntArray, threshold: float) -> npt.NDArray[np.bool_]:
    """The count filter on pairs of strings: ``a[i]`` and ``b[i]`` are the :func:`char_counts`
    of the two strings of pair ``i`` (rows of ``char_counts(...).T``), ``longer[i]`` the longer
    one's length.  False where the pair cannot reach ``threshold`` (see :func:`_count_bounds`);
    two counts of 15 (15 or more) put no bound on the pair.
    """
    low = np.minimum(a & np.uint8(15), b & np.uint8(15))
    high = np.minimum(a >> np.uint8(4), b >> np.uint8(4))
    common = low.sum(axis=1, dtype=np.int64) + high.sum(axis=1, dtype=np.int64)
    unbounded = ((low == 15) | (high == 15)).any(axis=1)
    reach: npt.NDArray[np.bool_] = unbounded | (common >= _least_in_common(longer, threshold))
    return reach


def char_counts(texts: Sequence[str]) -> U8:
    """Each string's character counts per bucket (:func:`_buckets`), 15 standing for 15 or more,
    as HIST_BUCKETS / 2 rows of one byte per string: bucket ``2 j`` in the low 4 bits of row
    ``j``, bucket ``2 j + 1`` in the high ones (16 bytes a string; keys rarely repeat a
    character 15 times).

    Rows, not columns: the filter reads the rows of a query's buckets, each a slice of
    a length range.  The filter is hand-written because none of the string libraries
    used here (RapidFuzz, numpy) offers a vectorised bound of this kind.
    """
    hist = np.zeros((HIST_BUCKETS // 2, len(texts)), dtype=np.uint8)
    for start in range(0, len(texts), _HIST_CHUNK):
        part = texts[start : start + _HIST_CHUNK]
        lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
        owner = np.repeat(np.arange(len(part), dtype=np.int64), lengths)
        counts = np.bincount(_buckets(part) * len(part) + owner, minlength=HIST_BUCKETS * len(part))
        nibbles = np.minimum(counts, 15).astype(np.uint8).reshape(HIST_BUCKETS // 2, 2, len(part))
        hist[:, start : start + len(part)] = nibbles[:, 0] | (nibbles[:, 1] << np.uint8(4))
    return hist
