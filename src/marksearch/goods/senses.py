"""What kind of thing an English goods word names: its WordNet categories.

Class suggestion from words alone fails on the words it has never seen:
"kirsch", "zithers" and "revolvers" share no spelling with the terms of
their classes.  WordNet 3.0 knows that kirsch is a brandy, a brandy a
liquor, a liquor an alcoholic beverage; that a zither is a stringed
instrument and a revolver a pistol, a firearm.  :func:`categories` gives the
synsets above a term's head (its first :data:`SENSES` senses and their
hypernyms, :data:`DEPTH` levels up), named by their WordNet
offsets, which :mod:`.tokens` adds as features (``y:``): the category vote
of :mod:`.analysis` then gives a word no term shares the classes of the
terms in its nearest category (kirsch: the brandies, in class 33).

The table (``data/goods/wordnet_nouns.npz``, built by
``tools/build_wordnet.py``) holds only lemmas, numbers and synset names.  Why not a
package at run time: the WordNet readers on PyPI either download the
database at first use, which no installation here may do, or carry 30 MB of
glosses and similarity tables that are not needed.

Nouns are brought to their lemma as WordNet's ``morphy`` does for nouns
(the irregular forms of ``noun.exc``, then the detachment rules of
``morphy(7WN)``).

>>> kinds = categories(["kirsch"])
>>> "y:07903208" in kinds  # brandy
True
>>> categories(["zithers"]) == categories(["zither"])
True
>>> lemma(["heavy", "water"]), lemma(["mice"]), lemma(["xyzzy"])
('heavy water', 'mouse', None)
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["DEPTH", "categories", "category_name", "lemma"]

# Hypernym levels above a sense that are kept.  On the validation split of
# bench/goods.py --validate, 3, 4 and 6 levels gave top-3 90.2%, 90.3% and
# 90.4%: the category vote uses the nearest level that is populated enough,
# so deeper levels only matter for rare words.
DEPTH = 4
# Senses of a lemma used, most frequent first (the table keeps two).  The
# second sense misleads more than it helps: "powder" is also gunpowder, which
# put powdered foods and cosmetics among the explosives (validation top-3
# 90.0% with two senses, 90.3% with one).
SENSES = 1
# The longest head phrase looked up ("crash test dummy").
PHRASE = 3

# morphy(7WN): the detachment rules for nouns, tried in order.
_RULES = (("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y"), ("s", ""))


class _Nouns:
    """The loaded table: lemma numbers, senses and hypernyms as arrays."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            names = data["lemmas"].tobytes().decode().split("\n")
            self.number = {name: i for i, name in enumerate(names)}
            self.sense_indptr: npt.NDArray[np.uint32] = data["sense_indptr"]
            self.senses: npt.NDArray[np.uint32] = data["senses"]
            self.offsets: list[int] = data["offsets"].tolist()
            self.synset_names = data["synset_names"].tobytes().decode().split("\n")
            self.parent_indptr: list[int] = data["parent_indptr"].tolist()
            self.parents: list[int] = data["parents"].tolist()
            pairs = data["exceptions"].tobytes().decode().split("\n")
        self.exceptions: dict[str, str] = dict(pair.split("\t", 1) for pair in pairs if "\t" in pair)

    def lemma(self, word: str) -> str | None:
        if word in self.exceptions:
            return self.exceptions[word]
        if word in self.number:
            return word
        for suffix, ending in _RULES:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                base = word[:-len(suffix)] + ending
                if base in self.number:
                    return base
        return None

    def above(self, name: str) -> list[int]:
        """The synsets of ``name``'s first senses and their hypernyms, :data:`DEPTH`
        levels up: the first sense's, nearest first, then the next sense's."""
        at = self.number[name]
        seen: dict[int, None] = {}
        first = self.sense_indptr[at]
        for sense in self.senses[first:min(first + SENSES, self.sense_indptr[at + 1])].tolist():
            level = [sense]
            seen.setdefault(sense)
            for _ in range(DEPTH):
                level = [p for s in level for p in self.parents[self.parent_indptr[s]:self.parent_indptr[s + 1]]
                         if p not in seen]
                seen.update(dict.fromkeys(level))
        return list(seen)


@functools.cache
def _nouns() -> _Nouns:
    return _Nouns(Path(str(resources.files("marksearch").joinpath("data", "goods", "wordnet_nouns.npz"))))


def lemma(words: Sequence[str]) -> str | None:
    """The WordNet noun that the last words name: the longest phrase (up to
    :data:`PHRASE` words) whose last word, brought to its lemma, makes a
    WordNet noun; ``None`` when not even the last word is one."""
    nouns = _nouns()
    for n in range(min(PHRASE, len(words)), 0, -1):
        *lead, last = words[-n:]
        base = nouns.lemma(last)
        if base is None:
            return None
        name = " ".join([*lead, base])
        if name in nouns.number:
            return name
    return None


@functools.lru_cache(maxsize=65536)
def _categories(words: tuple[str, ...]) -> tuple[str, ...]:
    name = lemma(words)
    if name is None:
        return ()
    nouns = _nouns()
    return tuple(f"y:{nouns.offsets[s]:08d}" for s in nouns.above(name))


def category_name(feature: str) -> str:
    """The name (first word) of the synset a ``y:`` feature stands for, ``""`` if none.

    >>> category_name("y:07903208")
    'brandy'
    """
    nouns = _nouns()
    try:
        offset = int(feature[2:])
    except ValueError:
        return ""
    at = bisect.bisect_left(nouns.offsets, offset)
    return nouns.synset_names[at] if at < len(nouns.offsets) and nouns.offsets[at] == offset else ""


def categories(words: Sequence[str]) -> tuple[str, ...]:
    """The category features of a head noun given with the words before it
    (folded, lower case): empty when WordNet does not know it."""
    return _categories(tuple(words[-PHRASE:]))
