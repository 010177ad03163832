"""A character Markov model of real brand words, sampled in numpy batches.

Trained on the words of the real marks in ``../shared/data/names`` (the
17,981 EUIPO word elements of TradeMarks2020 and the 3,453 Simple Icons
brand titles), so invented names have the letter patterns of real ones
(``frabline``, ``gostonat``) rather than of random letters.

Sampling is vectorised: every context of the model owns a slice of one
global cumulative-probability array, shifted by the context's number, so
one ``np.searchsorted`` draws the next letter of a whole batch of words.

>>> model = MarkovModel.train(["alpha", "alpine", "alps"], order=2)
>>> words = model.sample(np.random.default_rng(1), 5, min_len=3)
>>> all(w.isalpha() and len(w) >= 3 for w in words)
True
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
NAMES = SHARED / "names"
EUIPO_NAMES = NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv"
BRAND_TITLES = NAMES / "simple-icons_brand_titles.txt"

_START, _END = "\x02", "\x03"
# Letters only, Latin script with its diacritics (the model is for Latin marks).
_WORD = re.compile(r"[a-zà-öø-ÿā-ž]+")


def real_names() -> list[str]:
    """The real mark texts: EUIPO word elements, then Simple Icons titles."""
    with EUIPO_NAMES.open(encoding="utf-8", newline="") as f:
        names = [r["verbal_text"].strip() for r in csv.DictReader(f) if r["verbal_text"].strip()]
    titles = BRAND_TITLES.read_text(encoding="utf-8").splitlines()
    return names + [t.strip() for t in titles if t.strip()]


def words_of(texts: Iterable[str]) -> Counter[str]:
    """Lower-case Latin words of two letters or more, with their counts."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in _WORD.findall(text.lower()) if len(w) >= 2)
    return counts


@dataclass(frozen=True)
class MarkovModel:
    """An order-``order`` character model: contexts, letters, transitions."""

    order: int
    alphabet: np.ndarray  # code point of each letter id; id 0 is the end mark
    cumulative: np.ndarray  # per transition: context id + cumulative probability
    next_letter: np.ndarray  # per transition: letter id (0 = end of word)
    next_context: np.ndarray  # per transition: the context after that letter
    start: int  # the context id of a word's start

    @classmethod
    def train(cls, words: Iterable[str], *, order: int = 3) -> MarkovModel:
        """Count transitions over ``words`` (each counted once per occurrence)."""
        transitions: dict[str, Counter[str]] = {}
        for word in words:
            padded = _START * order + word + _END
            for i in range(order, len(padded)):
                transitions.setdefault(padded[i - order:i], Counter())[padded[i]] += 1
        contexts = sorted(transitions)
        context_id = {c: i for i, c in enumerate(contexts)}
        letters = [_END] + sorted({ch for c in transitions.values() for ch in c} - {_END})
        letter_id = {ch: i for i, ch in enumerate(letters)}
        cumulative, next_letter, next_context = [], [], []
        for cid, context in enumerate(contexts):
            counts = sorted(transitions[context].items())
            total = sum(n for _, n in counts)
            running = 0
            for letter, n in counts:
                running += n
                cumulative.append(cid + running / total)
                next_letter.append(letter_id[letter])
                after = (context + letter)[1:]
                next_context.append(context_id.get(after, 0) if letter != _END else 0)
            cumulative[-1] = cid + 1.0  # exact, whatever the rounding
        alphabet = np.array([0] + [ord(ch) for ch in letters[1:]], dtype=np.uint32)
        return cls(order, alphabet, np.array(cumulative), np.array(next_letter, dtype=np.int32),
                   np.array(next_context, dtype=np.int64), context_id[_START * order])

    def sample(self, rng: np.random.Generator, count: int, *, min_len: int = 3,
               max_len: int = 12) -> list[str]:
        """``count`` words of ``min_len`` to ``max_len`` letters (draws until enough)."""
        found: list[str] = []
        while len(found) < count:
            batch = max(64, int((count - len(found)) * 1.5))
            found += self._batch(rng, batch, min_len, max_len)
        return found[:count]

    def _batch(self, rng: np.random.Generator, batch: int, min_len: int, max_len: int) -> list[str]:
        state = np.full(batch, self.start, dtype=np.int64)
        letters = np.zeros((batch, max_len), dtype=np.int32)
        alive = np.ones(batch, dtype=bool)
        ended = np.zeros(batch, dtype=bool)
        for t in range(max_len + 1):
            idx = np.searchsorted(self.cumulative, state + rng.random(batch), side="right")
            idx = np.minimum(idx, len(self.cumulative) - 1)
            letter = np.where(alive, self.next_letter[idx], 0)
            ended |= alive & (letter == 0)
            alive &= letter != 0
            if t == max_len or not alive.any():
                break
            letters[:, t] = letter
            state = self.next_context[idx]
        keep = ended & ((letters != 0).sum(axis=1) >= min_len)
        points = self.alphabet[letters[keep]]
        return [str(w) for w in points.view(f"<U{max_len}").ravel().tolist()]


@lru_cache(maxsize=1)
def brand_model() -> MarkovModel:
    """The order-3 model of the real names' distinct words (built once per process)."""
    return MarkovModel.train(sorted(words_of(real_names())), order=3)


@lru_cache(maxsize=1)
def real_vocabulary() -> tuple[tuple[str, ...], np.ndarray]:
    """Real words and their sampling probabilities (count ** 0.75, as word2vec
    flattens a Zipf curve, so ``the`` does not drown every other word)."""
    counts = words_of(real_names())
    words = tuple(sorted(counts))
    weights = np.array([counts[w] for w in words], dtype=np.float64) ** 0.75
    return words, weights / weights.sum()
