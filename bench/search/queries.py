"""Queries of several kinds, made from a sample of a register: :func:`generate_queries`.

=============  ==============================================================
typo           one or two edits (substitute, insert, delete, swap) of a mark
phonetic       the same sound spelt otherwise (c/k, ph/f, y/i, doubled letters)
added_word     a mark with a word before or after it (``GROUP``, a legal form)
dropped_word   a mark of several words with one left out
other_script   a Latin mark rendered in Cyrillic, Hangul, katakana or Han, or a
               brand of ``relevance/cross_script.csv`` in its other script
unrelated      a fresh invented name, seeded apart from the register
=============  ==============================================================

``source_id`` is the id of the mark a query was made from (``None`` for
unrelated queries, and for cross-script pairs not in the sample).

>>> from bench.search.generate import generate_register
>>> sample = list(generate_register(3000, seed=1))
>>> queries = generate_queries(sample, seed=2, n_per_kind=5)
>>> sorted({q.kind for q in queries}) == sorted(KINDS), len(queries)
(True, 30)
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

if __package__ in (None, ""):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.search.generate import (HAN_SUFFIXES, HANGUL_SUFFIXES, KATAKANA, LEGAL_FORMS,
                                   GeneratedMark, _cross_script_pairs, _tables)
from bench.search.markov import brand_model
from bench.search.translit import TRANSLITERATORS

__all__ = ["KINDS", "Query", "generate_queries"]

KINDS = ("typo", "phonetic", "added_word", "dropped_word", "other_script", "unrelated")


class Query(NamedTuple):
    kind: str
    text: str
    source_id: int | None


# -- typo ---------------------------------------------------------------------

_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"


def _alphabet(c: str) -> str:
    if "\u4e00" <= c <= "\u9fff":
        return _tables().han
    if "\uac00" <= c <= "\ud7a3":
        return "".join(chr(0xAC00 + 28 * i) for i in range(0, 399, 7))  # open syllables
    if "\u30a0" <= c <= "\u30ff":
        return KATAKANA
    if "\u0400" <= c <= "\u04ff":
        return _CYRILLIC
    return _LATIN


def _same_case(new: str, old: str) -> str:
    return new.upper() if old.isupper() else new


def _typo(text: str, rng: random.Random) -> str:
    """One edit at a random letter: substitute, insert, delete or swap."""
    spots = [i for i, c in enumerate(text) if c.isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    op = rng.random()
    if op < 0.4:
        pool = _alphabet(text[i])
        return text[:i] + _same_case(rng.choice(pool), text[i]) + text[i + 1:]
    if op < 0.6:
        return text[:i] + _same_case(rng.choice(_alphabet(text[i])), text[i]) + text[i:]
    if op < 0.8 and len(spots) > 2:
        return text[:i] + text[i + 1:]
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i + 1:] if len(spots) > 2 else text + text[i]


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


# Respelling a mark of three letters or fewer makes another mark, not a
# variant of it (HY -> HI, CNV -> CNW): those are left out of typo and
# phonetic queries in alphabets (Chinese, Korean and Japanese marks are
# short by nature and kept).
MIN_LETTERS = 4


def _too_short(mark: GeneratedMark) -> bool:
    return mark.script in ("Latn", "Cyrl") and _letters(mark.mark_text) < MIN_LETTERS


def typo_query(mark: GeneratedMark, rng: random.Random) -> str | None:
    if _too_short(mark):
        return None
    edits = 1 if rng.random() < 0.7 else 2
    text = mark.mark_text
    for _ in range(edits):
        text = _typo(text, rng)
    return text if text != mark.mark_text else None


# -- phonetic respelling ------------------------------------------------------
# Spellings of one sound that brand names trade for each other (Kodak/Codak,
# Fone/Phone, Kwik/Quick, Lite/Light), applied to the lower-cased mark.
RESPELLINGS: tuple[tuple[str, str], ...] = (
    (r"c(?=[aou])", "k"), (r"k(?=[aou])", "c"), (r"ph", "f"), (r"f(?=[aeiou])", "ph"),
    (r"(?<=[a-z])y(?=[^aeiou]|$)", "i"), (r"(?<=[^aeiou])i(?=[^aeiou]|$)", "y"),
    (r"([bdfglmnprst])\1", r"\1"), (r"(?<=[aeiou])([lnrst])(?=[aeiou])", r"\1\1"),
    (r"(?<=[aeiou])s(?=[aeiou])", "z"), (r"z", "s"), (r"x", "ks"), (r"ks", "x"),
    (r"qu", "kw"), (r"kw", "qu"), (r"ck", "k"), (r"ee", "i"), (r"oo", "u"), (r"ou", "u"),
    (r"w(?=[aeiou])", "v"), (r"v", "w"), (r"th", "t"), (r"(?<=[aeiou])t(?=[aeiou])", "th"),
    (r"er$", "a"), (r"ight", "ite"), (r"s$", "z"), (r"ea", "ee"),
)
_RESPELL = [(re.compile(p), r) for p, r in RESPELLINGS]


def _respell_once(text: str, rng: random.Random) -> str | None:
    options = [(rx, rep, m) for rx, rep in _RESPELL for m in rx.finditer(text)]
    if not options:
        return None
    rx, rep, m = rng.choice(options)
    return text[:m.start()] + m.expand(rep) + text[m.end():]


def phonetic_query(mark: GeneratedMark, rng: random.Random) -> str | None:
    if mark.script != "Latn" or not mark.mark_text.isascii() or _too_short(mark):
        return None
    lower = mark.mark_text.lower()
    text = _respell_once(lower, rng)
    if text and rng.random() < 0.3:
        text = _respell_once(text, rng) or text
    if not text or text == lower:
        return None
    if mark.mark_text.isupper():
        return text.upper()
    return text.title() if mark.mark_text.istitle() else text


# -- added and dropped words --------------------------------------------------

ADDED_WORDS = ("GROUP", "PLUS", "PRO", "ONE", "STORE", "LAB", "THE", "MY", "NEW", "GLOBAL",
               "INTERNATIONAL", "COFFEE", "FASHION", "SYSTEMS", "BY", "HOME", "KIDS", "ORIGINAL")
_SUFFIXES = {"Hani": HAN_SUFFIXES, "Hang": HANGUL_SUFFIXES, "Kana": ("ジャパン", "ストア", "ラボ")}


def added_word_query(mark: GeneratedMark, rng: random.Random) -> str | None:
    text = mark.mark_text
    if mark.script in _SUFFIXES:
        return text + rng.choice(_SUFFIXES[mark.script])
    if mark.script != "Latn":
        return None
    u = rng.random()
    word = (rng.choice(LEGAL_FORMS) if u < 0.2 else rng.choice(ADDED_WORDS) if u < 0.7
            else rng.choice(_tables().real_words))
    if not text.isupper():
        word = word.capitalize() if word.isupper() else word
    elif u >= 0.2:
        word = word.upper()
    return f"{word} {text}" if rng.random() < 0.3 and u >= 0.2 else f"{text} {word}"


def dropped_word_query(mark: GeneratedMark, rng: random.Random) -> str | None:
    if mark.script in _SUFFIXES:
        for suffix in _SUFFIXES[mark.script]:
            if mark.mark_text.endswith(suffix) and len(mark.mark_text) > len(suffix) + 1:
                return mark.mark_text[:-len(suffix)]
        return None
    words = mark.mark_text.split()
    if len(words) < 2:
        return None
    # mostly a later word: the fancy name stays, a descriptive word goes
    del words[rng.randrange(1, len(words)) if rng.random() < 0.8 else 0]
    # what is left must still be a name, not "GmbH" or "N"
    if not any(len(w) > 2 and w not in LEGAL_FORMS for w in words):
        return None
    return " ".join(words)


# -- other script -------------------------------------------------------------

OTHER_SCRIPTS = (("Cyrl", 0.3), ("Hang", 0.25), ("Kana", 0.25), ("Hani", 0.2))


def other_script_query(mark: GeneratedMark, rng: random.Random) -> str | None:
    if mark.script != "Latn":
        return None
    words = [w for w in mark.mark_text.split() if len(w) > 2 and re.search(r"[aeiouy]", w, re.I)]
    if not words or len(words) > 3:
        return None
    target = rng.choices([s for s, _ in OTHER_SCRIPTS], [w for _, w in OTHER_SCRIPTS])[0]
    return TRANSLITERATORS[target](" ".join(words)) or None


def _cross_script_queries(sample: Sequence[GeneratedMark], rng: random.Random, count: int) -> list[Query]:
    """Known brands in their other script (Adidas -> 阿迪达斯 and back)."""
    ids = {m.mark_text: m.id for m in sample}
    queries = []
    for latin, native, _script in _cross_script_pairs():
        if native in ids:
            queries.append(Query("other_script", latin, ids[native]))
        if latin in ids:
            queries.append(Query("other_script", native, ids[latin]))
    rng.shuffle(queries)
    return queries[:count]


# -- unrelated ----------------------------------------------------------------


def unrelated_queries(seed: int, count: int, existing: set[str]) -> list[Query]:
    np_rng = np.random.default_rng([seed, 99])
    rng = random.Random(seed + 99)
    words = [w for w in brand_model().sample(np_rng, count * 4, min_len=4) if w not in existing]
    queries: list[Query] = []
    while words and len(queries) < count:
        text = words.pop()
        if words and rng.random() < 0.3:
            text += " " + words.pop()
        queries.append(Query("unrelated", text.upper() if rng.random() < 0.6 else text.title(), None))
    return queries


# -- all kinds ----------------------------------------------------------------

MAKERS: dict[str, Callable[[GeneratedMark, random.Random], str | None]] = {
    "typo": typo_query, "phonetic": phonetic_query, "added_word": added_word_query,
    "dropped_word": dropped_word_query, "other_script": other_script_query,
}
CROSS_SCRIPT_SHARE = 0.2  # of other_script queries, when the sample holds the brands


def generate_queries(register_sample: Sequence[GeneratedMark], seed: int, n_per_kind: int) -> list[Query]:
    """``n_per_kind`` queries of each kind in :data:`KINDS` (fewer only when the
    sample has no mark a kind can use), the same for the same arguments."""
    rng = random.Random(seed)
    queries: list[Query] = []
    for kind, make in MAKERS.items():
        made: list[Query] = []
        seen: set[str] = set()
        if kind == "other_script":
            made = _cross_script_queries(register_sample, rng, int(n_per_kind * CROSS_SCRIPT_SHARE))
        attempts = 0
        while len(made) < n_per_kind and attempts < 200 * n_per_kind and register_sample:
            attempts += 1
            mark = register_sample[rng.randrange(len(register_sample))]
            text = make(mark, rng)
            if text and text.strip() and text != mark.mark_text and text not in seen:
                seen.add(text)
                made.append(Query(kind, text, mark.id))
        queries += made
    existing = {m.mark_text.lower() for m in register_sample}
    return queries + unrelated_queries(seed, n_per_kind, existing)
