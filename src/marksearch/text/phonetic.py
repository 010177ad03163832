"""Phonetic keys: how a Latin spelling (or a romanisation) sounds.

Two families:

* Double Metaphone (Lawrence Philips, 2000), primary and alternate codes,
  from the ``doublemetaphone`` package, which does not cut codes at four
  letters (it caps them at 32).  Tuned for English and the names English
  speakers meet.
* The *sound key* (:func:`sound_key`), a small normaliser written here for
  the spellings met in European registers and in romanised Asian marks:
  c/k/q -> k, ph -> f, w -> v, y -> i, z -> s, ch/sh/sch -> x, silent h and
  final e dropped, doubled letters single.  KOKA and COCA, XCEED and X-SEED,
  ISHINE and ICE SHINE get one key each.  Its alphabet is lower-case ASCII;
  ``x`` stands for the sh sound and never for ks.

* The *loose key* (:func:`loose_key`), a coarser sound key for comparing
  across languages: one vowel, voicing ignored, r = l, s = sh.  It is what
  lets 沃尔玛 (wo-er-ma) come near WALMART and 喜来登 near SHERATON.

>>> sound_key("koka") == sound_key("coca"), sound_key("xceed") == sound_key("xseed")
(True, True)
>>> metaphone_codes("cocacola"), sound_key_of_words(["ice", "shine"]) == sound_key("ishine")
(('KKKL',), True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby

from doublemetaphone import doublemetaphone

__all__ = ["loose_key", "metaphone_codes", "sound_key", "sound_key_of_words"]

# Ordered rewrites of the sound key.  Each row says which spelling habit it
# undoes; sources: the Double Metaphone rules (Philips 2000) for English,
# Kölner Phonetik (Postel 1969) for German (z, sch, ph, dt), and the
# spelling-to-sound rules of French, Italian and Spanish that registers meet
# most (silent h, c before e/i, qu).
_REWRITES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (trigger, re.compile(pattern), replacement)
    # The trigger is a letter (or letters) every match contains: a word
    # without it skips the rewrite, which saves most of the 28 regex passes
    # per word at ingest (a pattern with no match would leave the word as is).
    for trigger, pattern, replacement in (
        ("igh", r"igh", "ai"),            # English long i: right, light
        ("x", r"x", "ks"),                # x is ks (X-SEED), freeing x for the sh sound
        ("h", r"tsch|sch|sh|ch", "x"),    # one sh-like sound (German, English, French)
        ("mc", r"^mc", "mak"),            # Mc and Mac are both said mak (McDonald's)
        ("ph", r"ph", "f"),
        ("gh", r"gh", "g"),
        ("th", r"th", "t"),
        ("wh", r"wh", "v"),
        ("dt", r"dt", "t"),
        ("ck", r"ck", "k"),
        ("qu", r"qu", "kv"),
        ("q", r"q", "k"),
        ("sc", r"sc(?=[eiy])", "s"),
        ("c", r"c(?=[eiy])", "s"),
        ("c", r"c", "k"),
        ("dg", r"dg(?=[eiy])", "j"),
        ("kn", r"^kn", "n"),
        ("wr", r"^wr", "r"),
        ("a", r"aw|au", "o"),
        ("w", r"w", "v"),
        ("y", r"y", "i"),
        ("z", r"z", "s"),
        ("e", r"ee|ea", "i"),
        ("", r"oo|ou|ue", "u"),           # no one letter is in every match: always run
        ("e", r"ae|oe", "e"),
        ("h", r"(?<=.)h", ""),            # h is silent after the first letter
        ("e", r"(?<=.[^aeiou])e$", ""),   # final silent e: shine, tide, coke
    )
)
_NOT_KEPT = re.compile(r"[^a-z0-9]")  # what a sound key does not keep
# Across word boundaries and after the rewrites: s before the sh sound merges
# into it (ICE SHINE ~ ISHINE), doubled letters are said once.
_ASSIMILATE = re.compile(r"sx")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=131072)
def _word_sound(word: str) -> str:
    key = word.lower()
    if not (key.isascii() and key.isalnum()):
        key = _NOT_KEPT.sub("", key)
    for trigger, pattern, replacement in _REWRITES:
        if trigger in key:
            key = pattern.sub(replacement, key)
    return key


def _tidy(key: str) -> str:
    if "sx" in key:
        key = _ASSIMILATE.sub("x", key)
    # groupby, not _DOUBLES.sub(r"\1", ...): expanding the template per match in Python
    # cost more than the rest of the sound key.
    return "".join(letter for letter, _ in groupby(key)) if _DOUBLES.search(key) else key


def sound_key(word: str) -> str:
    """The sound key of one word or compact mark.

    >>> [sound_key(w) for w in ("coca", "koka", "photo", "foto", "muller", "mueller")]
    ['koka', 'koka', 'foto', 'foto', 'muler', 'muler']
    """
    return _tidy(_word_sound(word))


def sound_key_of_words(words: tuple[str, ...] | list[str]) -> str:
    """The sound key of a mark from its words, so that word-final rules (the
    silent e of ICE) apply to each word.

    >>> sound_key_of_words(["ice", "shine"]), sound_key_of_words(["x", "seed"])
    ('ixin', 'ksid')
    """
    return _tidy("".join(_word_sound(w) for w in words))


@lru_cache(maxsize=131072)
def metaphone_codes(word: str) -> tuple[str, ...]:
    """Double Metaphone primary and alternate codes (one when equal, none for
    a word with no letters it codes).

    >>> metaphone_codes("wendy"), metaphone_codes("42")
    (('ANT', 'FNT'), ())
    """
    ascii_word = (word.lower() if word.isascii() and word.isalpha()
                  else "".join(c for c in word.lower() if c.isascii() and c.isalpha()))
    if not ascii_word:
        return ()
    primary, alternate = doublemetaphone(ascii_word)
    return tuple(dict.fromkeys(code for code in (primary, alternate) if code))


# What borrowing languages do not keep apart when they render a Western name
# (and Western ears when they hear one back): Chinese, Korean and Japanese
# lack the voicing contrast of b/p, d/t, g/k in the Western sense
# (Mandarin and Korean contrast aspiration instead), Japanese and Korean
# have one liquid for r and l, Mandarin has no v, and vowel qualities are
# changed freely (Y. Kang, "Loanword phonology", in the Blackwell Companion
# to Phonology, 2011).  So the loose key keeps the consonant frame and where
# vowels are, not which.
# Non-rhotic: an r after a vowel and before a consonant or the end is not
# rendered (Chinese, Korean and Japanese borrow British pronunciations:
# STARBUCKS -> 스타벅스, スターバックス).
_POSTVOCALIC_R = re.compile(r"(?<=[aeiou])r(?=[^aeiou]|$)")
_LOOSE = str.maketrans({"b": "p", "d": "t", "g": "k", "v": "f", "w": "f", "z": "s",
                        "j": "s", "c": "s", "x": "s", "r": "l", "q": "k", "h": None,
                        "e": "a", "i": "a", "o": "a", "u": "a", "y": "a"})


@lru_cache(maxsize=131072)
def loose_key(sound: str) -> str:
    """The loose key of a sound key (see :func:`sound_key`).

    >>> loose_key(sound_key("walmart")), loose_key(sound_key("volma"))
    ('falmat', 'falma')
    >>> loose_key(sound_key("sheraton")) == loose_key(sound_key("shiledeng"))
    True
    """
    frame = _POSTVOCALIC_R.sub("", sound).replace("ng", "n").translate(_LOOSE)
    return _DOUBLES.sub(r"\1", frame)
