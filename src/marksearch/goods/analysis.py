"""A goods description read once: its terms, classes and similar groups.

:func:`analyse` splits a description into items ("coffee; tea; pastries",
or one per line), finds each item's nearest terms in the term base and
ranks the Nice classes for it.  The class model combines two readings of
the same postings:

* the nearest terms (cosine over TF-IDF features, :mod:`.index`): each of
  the :attr:`GoodsModel.neighbours` best terms votes for its class with its
  similarity to the power :attr:`GoodsModel.power`, so one near-identical
  term outweighs many loose ones;
* multinomial naive Bayes over the word-level features (whole words, head
  nouns, prefix stems, CJK characters and pairs: :data:`BAYES_FEATURES`),
  counting how often each occurs in each class's terms: it knows what single
  words say about a class ("surgical" about class 10) when no whole term is
  near.  Character trigrams and suffixes are left out of it because they
  repeat what the words say, which naive Bayes would count several times.

  A term in which the item's head noun only qualifies another noun
  ("champagne buckets" for "champagne", "coffee machines" for "coffee")
  names another kind of thing: its vote counts
  :attr:`GoodsModel.modifier_weight` of its share, and its similarity counts
  as much towards the category gate below.  The mirror too: a term headed by
  a word that only qualifies the item's head ("coffee" for "coffee shops")
  counts :attr:`GoodsModel.qualifier_weight`;
* the item's category (WordNet, :mod:`.senses`): the class shares of the
  base's terms that fall in the nearest category above the item's head noun
  holding at least :attr:`GoodsModel.category_support` of them ("kirsch":
  brandies, liquors; "zithers": stringed instruments), so that a word no term
  shares still finds its class.  It weighs :attr:`GoodsModel.category_weight`
  when no term is near, and nothing once the nearest term's similarity reaches
  :attr:`GoodsModel.category_gate`.

Each is a share of 1; the class score is ``votes + category_weight * (1 -
nearest / category_gate) * category + bayes_weight * bayes``, and an item's
class weights are the scores over the best one (so the best class weighs
1).

A generic head, one that heads terms in many classes ("services": 1,288
terms in 13 classes, 45 % of them in class 35), tells what kind of thing the
item is and not which class (:class:`GenericHead`): the item's other words
decide.  Near terms that share only the head ("bar services" for "gym
services") vote :attr:`GoodsModel.generic_weight`, naive Bayes leaves the
head's words out, the head's own category does not vote, and the other
words' terms vote among the kind's classes with
:attr:`GoodsModel.bridge_weight`: their class shares, those of goods classes
read as the service classes of such goods (:meth:`TermBase.service_bridge`:
"dental" is mostly class 10, medical apparatus, read as 44).

The defaults were chosen on a validation split of the NCL list that
excludes the held-back test sample (``bench/goods.py --validate``).

The result is the prepared query of a search (whoosh's ``scorer()``
habit): everything that depends on the text is computed here, once, and
:meth:`GoodsAnalysis.signal_for_classes` is dictionary lookups.

>>> a = analyse("coffee")
>>> a.best_class, a.items[0].matches[0].term.text
(30, 'coffee')
>>> a.signal_for_classes([30]), a.signal_for_classes([32])[0]
((1.0, 'goods: coffee (class 30) ~ class 30'), 0.4)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from marksearch.goods.base import Term, TermBase
from marksearch.goods.bases import default_base
from marksearch.goods.classes import class_name
from marksearch.goods.index import Postings, feature_hash, top_k
from marksearch.goods.senses import category_name
from marksearch.goods.tokens import HEAD_ENDS, STEM, features, singular, split_terms, term_key, word_features
from marksearch.scoring.goods import NEUTRAL_GOODS, class_similarity

__all__ = [
    "CategoryVote",
    "ClassScores",
    "ClassSuggestion",
    "GenericHead",
    "GoodsAnalysis",
    "GoodsModel",
    "GoodsQuery",
    "ItemAnalysis",
    "TermMatch",
    "analyse",
]

_CLASSES = 46  # index 0 unused, 1 to 45
_FIRST_SERVICE_CLASS = 35  # Nice classes 1 to 34 are goods, 35 to 45 services

# A match this close is the item itself: it lends the item its WIPO id and groups.
SAME_TERM = 0.9
# An item whose best match is this close or closer is sure of its classes; at
# WEAK or below it knows nothing, and its goods signal is the neutral one.
SURE, WEAK = 0.6, 0.2
# The feature kinds (see marksearch.goods.tokens) naive Bayes reads.
BAYES_FEATURES = "whpcb"


@dataclass(frozen=True, slots=True)
class TermMatch:
    """A term of the base and how close it is to an item (cosine, 0 to 1)."""

    term: Term
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {**self.term.to_dict(), "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class CategoryVote:
    """The WordNet category that voted for an item's classes: its name
    ("brandy"), how many terms of the base fall in it, and the weight its
    vote had (there is no vote once a term is as near as the gate)."""

    name: str
    terms: int
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "terms": self.terms, "weight": round(self.weight, 4)}


@dataclass(frozen=True, slots=True)
class GenericHead:
    """An item's head that heads terms in many classes ("services": 1,288 terms of the base in 13
    classes): it tells the kind, and the item's other ``words`` ("dental") the class.  ``read_as``:
    when those words' terms are mostly goods, their largest goods class and the service class whose
    terms have the words of such goods (10, medical apparatus, read as 44, medical services).  An
    empty one is false (no generic head)."""

    word: str = ""
    terms: int = 0
    classes: int = 0
    words: tuple[str, ...] = ()
    features: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    read_as: tuple[int, int] | None = None

    def __bool__(self) -> bool:
        return bool(self.word)

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "terms": self.terms, "classes": self.classes, "words": list(self.words),
                "read_as": ({"goods_class": self.read_as[0], "service_class": self.read_as[1]}
                            if self.read_as else None)}


class ClassScores(NamedTuple):
    """What :meth:`GoodsModel.class_scores` finds for one item."""

    rows: npt.NDArray[np.int64]  # the nearest terms, best first
    sims: npt.NDArray[np.float32]  # their cosine similarities
    scores: npt.NDArray[np.float64]  # per class (index = class)
    category: CategoryVote | None
    head: GenericHead | None


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    """One item of a description: its nearest terms and its ranked classes
    (weights 0 to 1, the best 1.0)."""

    text: str
    key: str
    features: tuple[str, ...]
    matches: tuple[TermMatch, ...]
    classes: tuple[tuple[int, float], ...]
    category: CategoryVote | None = None
    head: GenericHead | None = None  # a generic head, whose other words chose the classes

    @property
    def best_class(self) -> int | None:
        return self.classes[0][0] if self.classes else None

    @property
    def confidence(self) -> float:
        """How far the classes can be trusted, from the best match's closeness:
        0 at :data:`WEAK` or below, 1 at :data:`SURE` or above."""
        best = self.matches[0].score if self.matches else 0.0
        return min(1.0, max(0.0, (best - WEAK) / (SURE - WEAK)))

    @property
    def same_term(self) -> TermMatch | None:
        """The best match when it is this item in other words (or in another language)."""
        if self.matches and self.matches[0].score >= SAME_TERM:
            return self.matches[0]
        return None

    @property
    def groups(self) -> tuple[str, ...]:
        same = self.same_term
        return same.term.groups if same else ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 4),
                "classes": [{"nice_class": c, "weight": round(w, 4), "name": class_name(c)}
                            for c, w in self.classes],
                "terms": [m.to_dict() for m in self.matches],
                "category": self.category.to_dict() if self.category else None,
                "head": self.head.to_dict() if self.head else None}


@dataclass(frozen=True, slots=True)
class ClassSuggestion:
    """A class for a whole list: its mean weight over the items (each item's
    weight for it times the item's confidence), and the items for which it is
    the best class."""

    nice_class: int
    score: float
    items: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"nice_class": self.nice_class, "name": class_name(self.nice_class),
                "score": round(self.score, 4), "items": list(self.items)}


@dataclass(frozen=True)
class GoodsAnalysis:
    """A goods description, analysed once (see the module docstring)."""

    text: str
    items: tuple[ItemAnalysis, ...]
    class_weights: Mapping[int, float]  # each class's best weight over the items, times their confidence
    groups: frozenset[str]
    signals: Mapping[int, tuple[float, str]] = field(repr=False)
    languages: tuple[str, ...] = ()  # the languages the terms were restricted to, if any

    @property
    def best_class(self) -> int | None:
        suggestion = self.suggestion()
        return suggestion[0].nice_class if suggestion else None

    def signal_for_classes(self, classes: Iterable[int]) -> tuple[float, str]:
        """The goods signal (0 to 1, and a reason) for a mark in ``classes``:
        the best of the precomputed per-class signals (see :func:`_signals`);
        neutral when the description is empty or the mark has no class."""
        best: tuple[float, str] | None = None
        for nice_class in classes:
            signal = self.signals.get(nice_class)
            if signal is not None and (best is None or signal[0] > best[0]):
                best = signal
        if best is not None:
            return best
        if not self.signals:
            return NEUTRAL_GOODS, "goods: no goods in the description"
        return NEUTRAL_GOODS, "goods: no classes to compare"

    def suggestion(self, *, limit: int = 5) -> list[ClassSuggestion]:
        """Classes for the whole list, best first."""
        share = np.zeros(_CLASSES)
        tops: dict[int, list[str]] = {}
        for item in self.items:
            for nice_class, weight in item.classes:
                share[nice_class] += weight * item.confidence
            if item.best_class is not None:
                tops.setdefault(item.best_class, []).append(item.text)
        if not self.items:
            return []
        share /= len(self.items)
        order = [int(c) for c in np.argsort(-share, kind="stable") if share[c] > 0][:limit]
        return [ClassSuggestion(c, float(share[c]), tuple(tops.get(c, ()))) for c in order]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "classes": [s.to_dict() for s in self.suggestion()],
                "groups": sorted(self.groups), "items": [i.to_dict() for i in self.items]}


# The prepared query of a search is the analysis itself.
GoodsQuery = GoodsAnalysis


@dataclass(frozen=True, slots=True)
class GoodsModel:
    """The class model's settings, and the analysis of descriptions against a base."""

    neighbours: int = 40
    power: float = 2.0
    bayes_weight: float = 0.5
    bayes_alpha: float = 0.1
    bayes_temperature: float = 4.0
    same_term_weight: float = 1.0
    category_weight: float = 1.0
    category_support: int = 3
    category_gate: float = 0.8
    modifier_weight: float = 0.5
    class_word_weight: float = 0.5
    class_word_support: int = 20
    class_word_share: float = 0.9
    kind_weight: float = 0.3
    kind_support: int = 20
    kind_share: float = 0.95
    generic_share: float = 0.5
    generic_support: int = 20
    generic_weight: float = 0.0
    generic_goods: bool = False
    bridge_weight: float = 1.0
    qualifier_weight: float = 0.5
    min_weight: float = 0.05
    max_classes: int = 5
    max_matches: int = 5

    def class_scores(self, base: TermBase, feats: Iterable[str],
                     mask: npt.NDArray[np.bool_] | None = None) -> ClassScores:
        """The nearest rows, their similarities, a score per class (index = class), the category
        that voted, if any (none once a term is near), and the item's generic head, if any."""
        feats = list(feats)
        post = base.index.query(feats)
        sims = base.index.scores(post)
        if mask is not None:
            sims = np.where(mask, sims, np.float32(0))
        rows, top = top_k(sims, self.neighbours)
        kind = self._kind_factor(base, post, feats)
        generic = self._generic_head(base, post, feats, kind)
        weights = top.astype(np.float64) ** self.power
        total = weights.sum()
        # Shares of the unweighted total: terms that only qualify the item's head lose votes
        # to naive Bayes and the category rather than to each other.
        factor = (self._modifier_factor(post, feats, rows) * self._qualifier_factor(base, post, feats, rows)
                  * self._class_word_factor(base, post, rows) * self._generic_factor(post, feats, rows, generic))
        votes: npt.NDArray[np.float64] = np.bincount(
            base.classes[rows], weights=weights * factor, minlength=_CLASSES,
        )[:_CLASSES].astype(np.float64)
        if total > 0:
            votes = votes / total
        if self.same_term_weight and len(top) and top[0] >= SAME_TERM:
            # A term worded like the item (or its translation) names its class.
            # (not a term that says more than the item with a word of another class: TOY COOKWARE)
            same = rows[(top >= max(SAME_TERM, float(top[0]) - 0.05)) & (factor == 1.0)]
            votes[np.unique(base.classes[same])] += self.same_term_weight
        vote = None
        # The nearer the closest term, the less its category adds: a known
        # wording needs no guess at what kind of thing it is (and no look-up).
        # A generic head's category is the head's own ("services"), as spread as the head.
        nearest = float((top * factor).max()) if len(top) else 0.0
        weight = 0.0 if generic else self.category_weight * max(0.0, 1.0 - nearest / self.category_gate)
        if weight > 0:
            found = self._category(base, post, [f for f in feats if f[0] == "y"])
            if found is not None:
                shares, name, terms = found
                votes = votes + weight * shares
                vote = CategoryVote(category_name(name), terms, weight)
        if self.bayes_weight:
            # (without a generic head's words, most frequent in class 35: what the item's other words say)
            bayes = self._bayes(base, post, {f for f in feats if f[0] in BAYES_FEATURES and f not in generic.features})
            if bayes is not None:
                votes = votes + self.bayes_weight * bayes
        if generic and self.bridge_weight and (kind < 1).any():
            votes, generic = self._bridge(base, post, generic, votes)
        if self.kind_weight != 1.0:
            votes = votes * kind
        return ClassScores(rows, top, votes, vote, generic or None)

    def _generic_head(self, base: TermBase, post: Postings, feats: list[str],
                      kind: npt.NDArray[np.float64]) -> GenericHead:
        """The item's head when it is generic and the item has other words: a head of at least
        :attr:`generic_support` terms of the base, fewer than :attr:`generic_share` of them in any
        one class ("services": 1,288 terms in 13 classes, 45 % of them in class 35, most of the
        rest in the other service classes; "rental", "consultancy").  Such a head tells what kind of thing the item
        is, not which class: "dental services" are whatever services "dental" says.  Only a head
        that gives the services kind (:meth:`_kind_factor`) unless :attr:`generic_goods`.  An
        empty :class:`GenericHead` (false) otherwise."""
        head = next((f for f in feats if f.startswith("h:")), None)
        if head is None or not (self.generic_goods or (kind < 1).any()):
            return GenericHead()
        rows = _rows(post, head)
        counts = np.bincount(base.classes[rows], minlength=_CLASSES)
        if len(rows) < self.generic_support or counts.max() >= self.generic_share * len(rows):
            return GenericHead()
        noun = head[2:]
        said = [f[2:] for f in feats if f.startswith("w:")]
        word = next((w for w in said if w in (noun, noun + "s")), noun)
        # the head and the words that join words ("rental of ...") say nothing of the class
        own = {head, *word_features(word), *(f for w in said if w in HEAD_ENDS for f in word_features(w))}
        others = tuple(w for w in said if "w:" + w not in own and not w.startswith("!"))
        if not others:
            return GenericHead()  # the head alone ("services"): nothing else to read the class from
        return GenericHead(word, len(rows), int(np.count_nonzero(counts)), others, frozenset(own))

    def _generic_factor(self, post: Postings, feats: list[str], rows: npt.NDArray[np.int64],
                        generic: GenericHead) -> npt.NDArray[np.float64]:
        """Each nearest row's share of its vote: :attr:`generic_weight` where the term shares
        nothing with the item but its generic head ("bar services", "IT services" for "gym
        services": they would vote for the classes most "... services" are in), 1 elsewhere."""
        factor = np.ones(len(rows))
        if not generic or not len(rows) or self.generic_weight == 1.0:
            return factor
        others = np.fromiter((feature_hash(f) for f in feats if f not in generic.features and f[0] != "y"),
                             dtype=np.uint32)
        said = np.isin(post.hashes, others)
        factor[~np.isin(rows, post.terms[np.repeat(said, post.lengths)])] = self.generic_weight
        return factor

    def _bridge(self, base: TermBase, post: Postings, generic: GenericHead,
                votes: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], GenericHead]:
        """``votes`` plus :attr:`bridge_weight` times what the item's other words say among the
        service classes: the class shares of the base's terms with each word, averaged over the
        words, the goods classes' shares read as the service classes of the same goods
        (:meth:`TermBase.service_bridge`: "dental" is mostly class 10, medical apparatus, whose
        words are mostly in class 44 among the services); and the generic head with, when the
        words' terms are mostly goods, their largest goods class and the service class it was read
        as."""
        shares = [np.bincount(base.classes[rows], minlength=_CLASSES)[:_CLASSES] / len(rows)
                  for w in generic.words if len(rows := _rows(post, "w:" + w))]
        if not shares:
            return votes, generic
        mean = np.mean(shares, axis=0)
        bridge = base.service_bridge(support=self.class_word_support, share=self.class_word_share,
                                     first=_FIRST_SERVICE_CLASS)
        goods = slice(1, _FIRST_SERVICE_CLASS)
        services = np.where(np.arange(_CLASSES) >= _FIRST_SERVICE_CLASS, mean, 0.0)
        services[_FIRST_SERVICE_CLASS:] += mean[goods] @ bridge[goods, _FIRST_SERVICE_CLASS:]
        good = int(np.argmax(mean[goods])) + 1
        if mean[goods].sum() >= 0.5 and bridge[good].max() > 0:  # the words' terms are mostly goods
            generic = replace(generic, read_as=(good, int(np.argmax(bridge[good]))))
        return votes + self.bridge_weight * services, generic

    def _kind_factor(self, base: TermBase, post: Postings, feats: list[str]) -> npt.NDArray[np.float64]:
        """Per class, :attr:`kind_weight` for the goods classes (1 to 34) when the item's head
        noun heads services in the base (at least :attr:`kind_share` of its
        :attr:`kind_support` or more terms are in classes 35 to 45: "dental services" is no
        dental apparatus); 1 elsewhere.  Not the reverse: the head noun is the last word before
        the first preposition, and "retail store services featuring clothing" would be
        clothing, goods, and lose its retail class 35.  On the
        validation split 0.3 gave top-1 69.6% and top-3 89.8%, against 69.5% and 89.8% without it
        (bench/goods.py --validate): few held-back labels are of a head that the wrong kind's
        terms outvote, but those that are ("dental services", 10 before) are wrong in kind."""
        factor = np.ones(_CLASSES)
        head = next((f for f in feats if f.startswith("h:")), None)
        if head is None:
            return factor
        rows = _rows(post, head)
        if len(rows) < self.kind_support:
            return factor
        if float(np.mean(base.classes[rows] >= _FIRST_SERVICE_CLASS)) >= self.kind_share:
            factor[1:_FIRST_SERVICE_CLASS] = self.kind_weight
        return factor

    def _modifier_factor(self, post: Postings, feats: list[str],
                         rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Each nearest row's share of its vote: :attr:`modifier_weight` where the item's
        head noun is a word of the term but not its head ("champagne flutes" for
        "champagne"), 1 elsewhere.  On the validation split (``bench/goods.py
        --validate``) 0.5 gave top-1 69.1% and top-3 89.9%, against 68.8% and 90.3%
        with a vote like any other: no better on held-back NCL labels, whose near
        terms rarely hold their head noun as a modifier, but "champagne" is then a
        wine (33) and no longer the champagne buckets and flutes of class 21."""
        factor = np.ones(len(rows))
        head = next((f for f in feats if f.startswith("h:")), None)
        if head is None or self.modifier_weight == 1.0 or not len(rows):
            return factor
        noun = head[2:]  # singular
        said = [_rows(post, "w:" + noun), _rows(post, "w:" + noun + "s")]
        if len(noun) > 3:
            said.append(_rows(post, "p:" + noun[:STEM]))
        qualifies = np.isin(rows, np.concatenate(said)) & ~np.isin(rows, _rows(post, head))
        factor[qualifies] = self.modifier_weight
        return factor

    def _qualifier_factor(self, base: TermBase, post: Postings, feats: list[str],
                          rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Each nearest row's share of its vote: :attr:`qualifier_weight` where the term is headed
        by a word that only qualifies the item's head (a word before it), and lacks that head:
        "coffee" and "instant coffee" (30) for "coffee shops" (43), the mirror of
        :meth:`_modifier_factor`.  1 elsewhere."""
        factor = np.ones(len(rows))
        head = next((f for f in feats if f.startswith("h:")), None)
        if head is None or self.qualifier_weight == 1.0 or not len(rows):
            return factor
        noun = head[2:]
        said_words = [f[2:] for f in feats if f.startswith("w:")]
        # the words before the head noun qualify it ("coffee" in "coffee shops"); those after it complete it
        at = next((i for i, w in enumerate(said_words) if singular(w) == noun), 0)
        others = {singular(w) for w in said_words[:at]} - {noun}
        if not others:
            return factor
        headed = np.concatenate([base.index.rows("h:" + w) for w in others])
        said = [base.index.rows("w:" + noun), base.index.rows("w:" + noun + "s")]
        if len(noun) > 3:
            said.append(_rows(post, "p:" + noun[:STEM]))
        factor[np.isin(rows, headed) & ~np.isin(rows, np.concatenate(said))] = self.qualifier_weight
        return factor

    def _class_word_factor(self, base: TermBase, post: Postings,
                           rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Each nearest row's share of its vote: :attr:`class_word_weight` where the term has
        a word the item lacks that puts terms in a class of its own (TOY HAND TOOLS, class 28,
        for "hand tools"; RETAIL SERVICES FOR COSMETICS, 35, for "cosmetics"), 1 elsewhere.
        Such a word is frequent, so its IDF is low and the term stays near the item by cosine,
        while it alone decides the term's class."""
        factor = np.ones(len(rows))
        if self.class_word_weight == 1.0 or not len(rows):
            return factor
        words = base.class_words(self.class_word_support, self.class_word_share)[rows]
        factor[(words != 0) & ~np.isin(words, post.hashes)] = self.class_word_weight
        return factor

    def _category(self, base: TermBase, post: Postings, categories: list[str],
                  ) -> tuple[npt.NDArray[np.float64], str, int] | None:
        """The class shares of the base's terms in the item's nearest category
        (``categories`` come nearest first) that holds at least
        :attr:`category_support` of them, with that category and its term count."""
        if not categories or not len(post.hashes):
            return None
        for name in categories:
            rows = _rows(post, name)
            if len(rows) < self.category_support:
                continue
            counts = np.bincount(base.classes[rows], minlength=_CLASSES)[:_CLASSES].astype(np.float64)
            return np.asarray(counts / counts.sum(), dtype=np.float64), name, len(rows)
        return None

    def _bayes(self, base: TermBase, post: Postings, feats: set[str]) -> npt.NDArray[np.float64] | None:
        """Naive Bayes class shares from the postings of the found ``feats``."""
        wanted = np.isin(post.hashes, np.fromiter(map(feature_hash, feats), dtype=np.uint32))
        if not wanted.any():
            return None
        lengths = post.lengths
        keep = np.repeat(wanted, lengths)
        lengths = lengths[wanted]
        found = len(lengths)
        cells = np.repeat(np.arange(found) * _CLASSES, lengths) + base.classes[post.terms[keep]]
        counts = np.bincount(cells, minlength=found * _CLASSES).reshape(found, _CLASSES)
        n_features = len(feats)
        totals, vocabulary = base.class_totals(BAYES_FEATURES)
        totals = totals[:_CLASSES]
        loglik = (np.log(counts + self.bayes_alpha).sum(axis=0)
                  - n_features * np.log(totals + self.bayes_alpha * vocabulary))
        loglik[totals == 0] = -np.inf
        shares = np.exp((loglik - loglik.max()) / self.bayes_temperature)
        return np.asarray(shares / shares.sum(), dtype=np.float64)

    def item(self, base: TermBase, text: str, mask: npt.NDArray[np.bool_] | None = None) -> ItemAnalysis:
        """One item: its nearest terms and ranked classes."""
        feats = features(text)
        rows, sims, scores, category, head = self.class_scores(base, feats, mask)
        matches = tuple(TermMatch(base.term(r), float(s)) for r, s in zip(rows[:self.max_matches],
                                                                          sims[:self.max_matches]))
        best = float(scores.max(initial=0.0))
        ranked = [int(c) for c in np.argsort(-scores, kind="stable")[:self.max_classes]
                  if best > 0 and scores[c] / best >= self.min_weight]
        return ItemAnalysis(
            text=text, key=term_key(text), features=tuple(feats), matches=matches,
            classes=tuple((c, float(scores[c] / best)) for c in ranked),
            category=category, head=head,
        )

    def analyse(self, text: str, *, languages: Iterable[str] | None = None,
                base: TermBase | None = None) -> GoodsAnalysis:
        """Analyse a description (a list of items separated by ``;`` or new lines)."""
        base = base if base is not None else default_base()
        mask = base.language_mask(languages) if languages else None
        items = tuple(self.item(base, t, mask) for t in split_terms(text))
        weights: dict[int, float] = {}
        for item in items:
            for nice_class, weight in item.classes:
                weights[nice_class] = max(weights.get(nice_class, 0.0), weight * item.confidence)
        groups = frozenset(g for item in items for g in item.groups)
        return GoodsAnalysis(text, items, weights, groups, _signals(items) if items else {},
                             tuple(languages or ()))


def _rows(post: Postings, feature: str) -> npt.NDArray[np.int32]:
    """The rows of the base that have ``feature``, among the postings a query touched."""
    found = np.flatnonzero(post.hashes == feature_hash(feature))
    if not len(found):
        return np.zeros(0, dtype=np.int32)
    ends = np.cumsum(post.lengths)
    i = int(found[0])
    return post.terms[ends[i] - post.lengths[i]:ends[i]]


def _signals(items: Iterable[ItemAnalysis]) -> dict[int, tuple[float, str]]:
    """For each class a mark may have, the best goods signal against the items.

    An item's signal for class ``c`` is ``confidence * weight(q) *
    class_similarity(q, c)`` at its best class ``q``, plus ``(1 -
    confidence) * NEUTRAL_GOODS``: an item the base barely knows pulls every
    class towards neutral rather than towards a guess.
    """
    table: dict[int, tuple[float, str]] = {}
    for item in items:
        sure = item.confidence
        floor = (1 - sure) * NEUTRAL_GOODS
        weak = "" if sure >= 1 else " (weak match)"
        label = _short(item.text)
        for other in range(1, _CLASSES):
            best, reason = floor, (f"goods: {label} unrelated to class {other}{weak}" if sure > 0
                                   else f"goods: {label} not recognised")
            for nice_class, weight in item.classes:
                score = sure * weight * class_similarity(nice_class, other) + floor
                if score > best:
                    best = score
                    reason = (f"goods: {label} (class {nice_class}) ~ class {other}{weak}" if nice_class == other
                              else f"goods: {label} ({nice_class}) related to {other} {class_name(other)}{weak}")
            if best > table.get(other, (-1.0, ""))[0]:
                table[other] = (best, reason)
    return table


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


DEFAULT_MODEL = GoodsModel()


def analyse(text: str, *, languages: Iterable[str] | None = None,
            base: TermBase | None = None, model: GoodsModel | None = None) -> GoodsAnalysis:
    """Analyse a goods description with the default model (and the shipped base
    unless ``base`` is given, e.g. one grown with a register's goods)."""
    return (model or DEFAULT_MODEL).analyse(text, languages=languages, base=base)
