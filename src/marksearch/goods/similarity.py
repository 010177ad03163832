"""Similarity of goods: which terms of two lists of goods and services meet, and why.

Each side is a list of items: the terms of a record's goods (their class is
given) or of an analysed description (its classes are suggested, with
weights).  A pair of items scores, from the strongest reason down:

=====================  =====  ==========================================================
same term              1.0    same wording (:func:`~marksearch.goods.tokens.term_key`)
                              or same WIPO/CNIPA term id, in the same class
same similar group     0.85   an office similar group in common (CNIPA ``3001``,
                              KIPO ``G0301``): that office examines them as similar
same class             0.6    plus up to 0.3 for similar wording (cosine of the
                              TF-IDF features)
related classes        0.6 x  :func:`~marksearch.scoring.goods.class_similarity`
                              (9 ~ 42 software, 35 retail ~ goods, food and drink)
similar wording        0.5 x  cosine, at least 0.5, in classes not related
=====================  =====  ==========================================================

Two lists are as similar as their closest pair: a conflict needs one good
in common, however many others differ.  The score is symmetric.

>>> from marksearch.records import ClassGoods
>>> score, reasons = similarity("coffee; tea", [ClassGoods(30, "Coffee; Cocoa", "en")])
>>> score, reasons[0]
(1.0, 'same term: coffee ~ Coffee (class 30)')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from marksearch.goods.analysis import GoodsAnalysis, analyse
from marksearch.goods.base import TermBase
from marksearch.goods.bases import default_base
from marksearch.goods.index import feature_hash
from marksearch.goods.tokens import key_and_features, split_terms
from marksearch.records import ClassGoods
from marksearch.scoring.goods import class_similarity

__all__ = ["GoodsItem", "GoodsOverlap", "GoodsPair", "items_of", "overlap", "similarity"]

SAME_TERM = 1.0
SAME_GROUP = 0.85
CLASS_BASE = 0.6
WORDING_BONUS = 0.3
WORDING_ALONE = 0.5
MIN_WORDING = 0.5
MIN_SHOWN = 0.2  # pairs weaker than this are not listed as overlapping

Goods = str | GoodsAnalysis | Sequence[ClassGoods]


@dataclass(frozen=True, slots=True)
class GoodsItem:
    """One term of one side, with what it is compared by."""

    text: str
    key: str
    classes: tuple[tuple[int, float], ...]  # (class, weight 0 to 1)
    term_id: str
    groups: frozenset[str]
    vector: dict[int, float]  # feature hash -> IDF weight, unit length


@dataclass(frozen=True, slots=True)
class GoodsPair:
    """Two items that meet, how much and why."""

    a: str
    b: str
    class_a: int | None
    class_b: int | None
    kind: str  # "same-term", "same-group", "same-class", "related-classes", "similar-wording"
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "class_a": self.class_a, "class_b": self.class_b,
                "kind": self.kind, "score": round(self.score, 4), "reason": self.reason}


@dataclass(frozen=True)
class GoodsOverlap:
    """What of one list meets another: the best pair's score and the pairs
    (best pair for each term of the second list, strongest first)."""

    score: float
    pairs: tuple[GoodsPair, ...]

    @property
    def reasons(self) -> list[str]:
        return list(dict.fromkeys(p.reason for p in self.pairs))

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "pairs": [p.to_dict() for p in self.pairs]}


# -- items ---------------------------------------------------------------------------


def _vector(base: TermBase, feats: Iterable[str]) -> dict[int, float]:
    hashes = np.fromiter(set(map(feature_hash, feats)), dtype=np.uint32)
    if not len(hashes) or not len(base.index.hashes):
        return {}
    at = np.minimum(np.searchsorted(base.index.hashes, hashes), len(base.index.hashes) - 1)
    idf = np.where(base.index.hashes[at] == hashes, base.index.idf[at], base.index.unseen_idf)
    norm = float(np.sqrt(np.sum(idf.astype(np.float64) ** 2)))
    return {int(h): float(w) / norm for h, w in zip(hashes, idf)}


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(w * b[h] for h, w in a.items() if h in b))


def _record_items(base: TermBase, goods: Sequence[ClassGoods],
                  languages: Sequence[str] = ()) -> list[GoodsItem]:
    """The terms of a record's goods, one language per class (the first of
    ``languages`` it has, else English, else the first given)."""
    items: list[GoodsItem] = []
    for cg in _one_language_per_class(goods, languages):
        classes = ((cg.nice_class, 1.0),) if cg.nice_class is not None else ()
        for text in split_terms(cg.text):
            key, feats = key_and_features(text)
            term_id, groups = _known(base, key, cg.nice_class)
            items.append(GoodsItem(text, key, classes, term_id, frozenset(groups) | set(cg.similar_groups),
                                   _vector(base, feats)))
    return items


def _one_language_per_class(goods: Sequence[ClassGoods], languages: Sequence[str]) -> list[ClassGoods]:
    order: dict[str, int] = {}
    for lang in [*languages, "en"]:
        order.setdefault(lang.lower(), len(order))
    chosen: dict[int | None, ClassGoods] = {}
    for cg in goods:
        held = chosen.get(cg.nice_class)
        rank = order.get((cg.language or "en").lower(), len(order))
        if held is None or rank < order.get((held.language or "en").lower(), len(order)):
            chosen[cg.nice_class] = cg
    return list(chosen.values())


def _known(base: TermBase, key: str, nice_class: int | None) -> tuple[str, tuple[str, ...]]:
    """The term id and groups of the base's term with this wording and class."""
    for row in base.rows_of_key(key):
        if nice_class is None or base.classes[row] == nice_class:
            term = base.term(row)
            if term.term_id or term.groups:
                return term.term_id, term.groups
    return "", ()


def _analysis_items(base: TermBase, analysis: GoodsAnalysis) -> list[GoodsItem]:
    items = []
    for item in analysis.items:
        same = item.same_term
        # An item no term comes near (confidence 0) has no class, only a guess, which would pair it
        # with any goods of that class: it is compared by its wording alone.
        classes = item.classes if item.confidence > 0 else ()
        items.append(GoodsItem(item.text, item.key, classes, same.term.term_id if same else "",
                               frozenset(item.groups), _vector(base, item.features)))
    return items


def items_of(goods: Goods, *, base: TermBase | None = None, languages: Sequence[str] = ()) -> list[GoodsItem]:
    """The items of a description (text or analysis) or of a record's goods."""
    base = base if base is not None else default_base()
    if isinstance(goods, str):
        goods = analyse(goods, base=base)
    if isinstance(goods, GoodsAnalysis):
        return _analysis_items(base, goods)
    return _record_items(base, goods, languages)


# -- pairs ---------------------------------------------------------------------------


def _best_classes(a: GoodsItem, b: GoodsItem) -> tuple[float, int | None, int | None]:
    best: tuple[float, int | None, int | None] = (0.0, a.classes[0][0] if a.classes else None,
                                                  b.classes[0][0] if b.classes else None)
    for ca, wa in a.classes:
        for cb, wb in b.classes:
            score = wa * wb * class_similarity(ca, cb)
            if score > best[0]:
                best = (score, ca, cb)
    return best


def pair(a: GoodsItem, b: GoodsItem) -> GoodsPair:
    """How two items meet (see the module docstring); symmetric in score."""
    related, ca, cb = _best_classes(a, b)
    same_class = ca is not None and ca == cb and related > 0
    unclassed = not a.classes or not b.classes
    if (same_class or unclassed) and (a.key == b.key or (a.term_id and a.term_id == b.term_id)):
        where = f" (class {ca})" if same_class else ""
        return GoodsPair(a.text, b.text, ca, cb, "same-term", SAME_TERM, f"same term: {a.text} ~ {b.text}{where}")
    shared = sorted(a.groups & b.groups)
    if shared:
        return GoodsPair(a.text, b.text, ca, cb, "same-group", SAME_GROUP,
                         f"same similar group {shared[0]} ({_office(shared[0])}): {a.text} ~ {b.text}")
    wording = _cosine(a.vector, b.vector)
    by_class = related * (CLASS_BASE + WORDING_BONUS * wording)
    alone = WORDING_ALONE * wording if wording >= MIN_WORDING else 0.0
    if by_class >= alone and by_class > 0:
        if same_class:
            similar = " (similar wording)" if wording >= MIN_WORDING else ""
            return GoodsPair(a.text, b.text, ca, cb, "same-class", by_class,
                             f"same class {ca}: {a.text} ~ {b.text}{similar}")
        return GoodsPair(a.text, b.text, ca, cb, "related-classes", by_class,
                         f"related classes {ca} ~ {cb}: {a.text} ~ {b.text}")
    if alone > 0:
        return GoodsPair(a.text, b.text, ca, cb, "similar-wording", alone,
                         f"similar wording: {a.text} ({ca}) ~ {b.text} ({cb})")
    return GoodsPair(a.text, b.text, ca, cb, "none", 0.0, "")


def _office(group: str) -> str:
    return "CNIPA" if group.isdigit() else "KIPO"


def _pairs(a_items: Sequence[GoodsItem], b_items: Sequence[GoodsItem], limit: int) -> GoodsOverlap:
    best_for_b: dict[int, GoodsPair] = {}
    for j, b in enumerate(b_items):
        for a in a_items:
            p = pair(a, b)
            if p.score > best_for_b.get(j, _NONE).score:
                best_for_b[j] = p
    ranked = sorted(best_for_b.values(), key=lambda p: -p.score)
    score = ranked[0].score if ranked else 0.0
    return GoodsOverlap(score, tuple(p for p in ranked if p.score >= MIN_SHOWN)[:limit])


_NONE = GoodsPair("", "", None, None, "none", 0.0, "")


def overlap(analysis: GoodsAnalysis, record_goods: Sequence[ClassGoods], *,
            base: TermBase | None = None, limit: int = 10) -> GoodsOverlap:
    """Which of a record's goods meet an analysed description (for the top hits of a search)."""
    base = base if base is not None else default_base()
    languages = [*analysis.languages, *(m.term.language for item in analysis.items if item.confidence > 0
                                         for m in item.matches[:1])]
    return _pairs(_analysis_items(base, analysis), _record_items(base, record_goods, languages), limit)


def similarity(goods_a: Goods, goods_b: Goods, *, base: TermBase | None = None,
               limit: int = 5) -> tuple[float, list[str]]:
    """How similar two lists of goods are (0 to 1) and the reasons, strongest first.

    Each side is a description (text, or an analysis) or a record's goods
    (a sequence of :class:`~marksearch.records.ClassGoods`).
    """
    base = base if base is not None else default_base()
    result = _pairs(items_of(goods_a, base=base), items_of(goods_b, base=base), limit)
    return result.score, result.reasons
