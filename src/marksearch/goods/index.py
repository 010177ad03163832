"""A TF-IDF index over the features of terms: cosine similarity by postings.

Why hand-written and not scikit-learn's ``TfidfVectorizer``: scikit-learn is
not a dependency, the model here is small (binary term frequency, smoothed
IDF, cosine), and the shipped arrays must load in milliseconds without
pickles.  Features are hashed to 32 bits (CRC-32, stable across processes,
unlike ``hash()``), so the index carries no vocabulary of strings: a sorted
array of the hashes present, the postings (term numbers) of each in CSR
form and each feature's document frequency; IDF and the terms' norms are
derived on loading, so two indexes can be merged (the shipped one and the
terms of a register) into one with common weights.

A query of ``q`` features costs ``q`` binary searches, one ``bincount`` over
the concatenated postings and one ``argpartition``: about a millisecond.

>>> index = TermIndex.build([["w:coffee"], ["w:tea"], ["w:coffee", "w:cups"]])
>>> terms, scores = index.search(["w:coffee"], k=2)
>>> terms.tolist(), [round(float(s), 2) for s in scores]
([0, 2], [1.0, 0.61])
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["KIND_WEIGHTS", "Postings", "TermIndex", "feature_hash", "top_k"]

# Each feature kind's weight on its IDF (1 unless named): character trigrams
# (``t:``) count half, so that a shared word outweighs a shared spelling.
# Chosen on a validation split of the build terms (bench/goods.py): top-3 +0.6
# points, with or without the shipped record terms.  WordNet categories
# (``y:``) are indexed for the category vote of marksearch.goods.analysis but
# weigh nothing in the cosine: as words of the bag they left top-3 on the
# validation split where it was (88.3% at weight 0.3, 88.4% at 1.0, against
# 88.3%) and cost top-1 (65.3% at 1.0, against 69.0%).
KIND_WEIGHTS: dict[str, float] = {"t": 0.5, "y": 0.0}
_KIND_WEIGHT = np.ones(256, dtype=np.float32)
for _kind, _weight in KIND_WEIGHTS.items():
    _KIND_WEIGHT[ord(_kind)] = _weight

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float32]


def feature_hash(feature: str) -> int:
    """A feature's stable 32-bit number."""
    return zlib.crc32(feature.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Postings:
    """The postings a query touches: per found feature, its query weight
    (already times its IDF) and its slice of the postings array."""

    hashes: npt.NDArray[np.uint32]
    weights: Floats
    starts: Ints
    ends: Ints
    terms: npt.NDArray[np.int32]  # the slices, concatenated

    @property
    def lengths(self) -> Ints:
        return self.ends - self.starts


class TermIndex:
    """Postings of hashed features over ``size`` terms, cosine-scored."""

    __slots__ = ("df", "hashes", "idf", "indptr", "inv_norm", "kinds", "postings", "size", "unseen_idf")

    def __init__(self, hashes: npt.NDArray[np.uint32], indptr: Ints,
                 postings: npt.NDArray[np.int32], size: int, kinds: npt.NDArray[np.uint8]) -> None:
        self.hashes = hashes
        self.kinds = kinds  # each feature's kind: the first letter of its name (``w`` of ``w:coffee``)
        self.indptr = indptr
        self.postings = postings
        self.size = size
        self.df = np.diff(indptr)
        self.idf = ((np.log((size + 1) / (self.df + 1)) + 1) * _KIND_WEIGHT[kinds]).astype(np.float32)
        self.unseen_idf = math.log(size + 1) + 1
        squares = np.bincount(postings, weights=np.repeat(self.idf.astype(np.float64) ** 2, self.df),
                              minlength=size)
        self.inv_norm = np.where(squares > 0, 1 / np.sqrt(np.maximum(squares, 1e-12)), 0).astype(np.float32)

    @classmethod
    def build(cls, term_features: Sequence[Sequence[str]]) -> TermIndex:
        """Index terms given as feature lists (row ``i`` is term ``i``)."""
        # Number the distinct features first: hashing each distinct string once
        # is much cheaper than hashing every occurrence.
        vocabulary: dict[str, int] = {}
        number = vocabulary.setdefault
        cols: list[int] = []
        lengths: list[int] = []
        for feats in term_features:
            cols.extend(number(f, len(vocabulary)) for f in feats)
            lengths.append(len(feats))
        names = list(vocabulary)
        hashes = np.fromiter(map(feature_hash, names), dtype=np.uint32, count=len(names))
        kinds = np.fromiter((ord(f[0]) for f in names), dtype=np.uint8, count=len(names))
        at = np.asarray(cols, dtype=np.int64)
        terms = np.repeat(np.arange(len(lengths), dtype=np.int32), np.asarray(lengths, dtype=np.int64))
        return cls.from_pairs(terms, hashes[at], kinds[at], len(term_features))

    @classmethod
    def from_pairs(cls, terms: npt.NDArray[np.int32], hashes: npt.NDArray[np.uint32],
                   kinds: npt.NDArray[np.uint8], size: int) -> TermIndex:
        """Index ``(term, feature hash, feature kind)`` triples; a repeated pair counts once."""
        combined = (hashes.astype(np.uint64) << np.uint64(32)) | terms.astype(np.uint64)
        combined, first = np.unique(combined, return_index=True)  # sorted by hash, then term
        hashes = (combined >> np.uint64(32)).astype(np.uint32)
        terms = (combined & np.uint64(0xFFFFFFFF)).astype(np.int32)
        kinds = kinds[first]
        unique, starts = np.unique(hashes, return_index=True)
        indptr = np.append(starts, len(hashes)).astype(np.int64)
        return cls(unique.astype(np.uint32), indptr, terms, size, kinds[starts])

    def pairs(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint32], npt.NDArray[np.uint8]]:
        """The ``(term, feature hash, feature kind)`` triples of the index."""
        return self.postings, np.repeat(self.hashes, self.df), np.repeat(self.kinds, self.df)

    def merge(self, other: TermIndex) -> TermIndex:
        """One index over this one's terms followed by ``other``'s."""
        terms, hashes, kinds = self.pairs()
        more_terms, more_hashes, more_kinds = other.pairs()
        return TermIndex.from_pairs(np.concatenate([terms, more_terms + self.size]),
                                    np.concatenate([hashes, more_hashes]),
                                    np.concatenate([kinds, more_kinds]), self.size + other.size)

    def query(self, features: Iterable[str]) -> Postings:
        """The query's weights (IDF, unit length) and the postings it touches."""
        distinct = {feature_hash(f): f for f in features}
        hashes = np.fromiter(distinct, dtype=np.uint32, count=len(distinct))
        if not len(self.hashes) or not len(hashes):
            empty = np.zeros(0, np.int64)
            return Postings(np.zeros(0, np.uint32), np.zeros(0, np.float32), empty, empty, np.zeros(0, np.int32))
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        found = self.hashes[at] == hashes
        unseen = self.unseen_idf * _KIND_WEIGHT[[ord(f[0]) for f in distinct.values()]]
        idf = np.where(found, self.idf[at], unseen)
        norm = float(np.sqrt(np.sum(idf.astype(np.float64) ** 2)))
        at = at[found]
        weights = (idf[found] ** 2 / norm).astype(np.float32)  # query weight times term weight
        starts, ends = self.indptr[at], self.indptr[at + 1]
        terms = (np.concatenate([self.postings[s:e] for s, e in zip(starts, ends)])
                 if len(at) else np.zeros(0, np.int32))
        return Postings(hashes[found], weights, starts, ends, terms)

    def rows(self, feature: str) -> npt.NDArray[np.int32]:
        """The terms that have ``feature`` (sorted), whether or not a query touched it."""
        wanted = feature_hash(feature)
        at = int(np.searchsorted(self.hashes, wanted))
        if at == len(self.hashes) or self.hashes[at] != wanted:
            return np.zeros(0, dtype=np.int32)
        return self.postings[self.indptr[at]:self.indptr[at + 1]]

    def scores(self, postings: Postings) -> Floats:
        """Cosine of the query with every term (0 for terms sharing nothing)."""
        if not len(postings.terms):
            return np.zeros(self.size, dtype=np.float32)
        acc = np.bincount(postings.terms, weights=np.repeat(postings.weights, postings.lengths),
                          minlength=self.size)
        return (acc * self.inv_norm).astype(np.float32)

    def search(self, features: Sequence[str], *, k: int = 10) -> tuple[Ints, Floats]:
        """The ``k`` best terms (best first) and their scores, zeros left out."""
        return top_k(self.scores(self.query(features)), k)

    def arrays(self) -> dict[str, Any]:
        """The index as named arrays, for :func:`numpy.savez_compressed`."""
        return {"hashes": self.hashes, "indptr": self.indptr, "postings": self.postings,
                "kinds": self.kinds, "size": np.asarray([self.size], dtype=np.int64)}

    @classmethod
    def from_arrays(cls, data: Mapping[str, Any]) -> TermIndex:
        return cls(data["hashes"], data["indptr"].astype(np.int64), data["postings"], int(data["size"][0]),
                   data["kinds"])


def top_k(scores: Floats, k: int) -> tuple[Ints, Floats]:
    """Indices of the ``k`` highest positive scores, best first (ties by index)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    cand = np.argpartition(-scores, k - 1)[:k]
    cand = cand[scores[cand] > 0]
    order = np.lexsort((cand, -scores[cand]))
    best = cand[order].astype(np.int64)
    return best, scores[best]
