"""The visual skeleton: glyphs a reader can take for one another, made equal.

Cyrillic and Greek letters drawn like Latin ones are read as those Latin
letters (СОСА-СОLА, with Cyrillic С, О and А, reads ``cocacola``).

Decision: the skeleton is its own key, so it may be lossy.  Letter shapes
(``rn``/``m``, ``vv``/``w``, ``I``/``l``) are mapped in every word, in either
case, because word marks are protected in any case and upper-case ``I`` and
lower-case ``l`` look the same in most typefaces.  Digits are mapped only in
words that mix digits and letters, with fewer digits than letters (``C0CA``,
``5PORT``), so that numbers that are numbers ("Century 21", "1&1", ``B52``,
``135º``, ``3M``) keep their meaning.

>>> skeleton_of(("c0ca",)), skeleton_of(("century", "21")), skeleton_of(("rnilk",))
('coca', 'century21', 'mllk')
"""

from __future__ import annotations

__all__ = ["digits_as_letters", "i_as_l", "latin_lookalike", "skeleton_of", "skeleton_word"]

# Digits read as letters inside mixed words.  0->o, 1->l follow UTS #39
# confusables.txt (U+0030 -> U+004F, U+0031 -> U+006C); 3, 4, 5, 7, 8 are not
# in UTS #39: they are the "leetspeak" substitutions commonly met in marks
# ("5PORT", "L3GO"), chosen here, not taken from a published table.
_DIGIT_LETTERS = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a",
                                "5": "s", "7": "t", "8": "b"})

# Letter confusables, after case folding.  Source: UTS #39 confusables.txt
# (Unicode 15.0): "rn" -> "m" (U+006D), "vv" -> "w" (U+0077), "I" (U+0049) and
# "|" -> "l" (U+006C); since keys are case-folded, "i" stands for "I".
_LETTER_CLUSTERS: tuple[tuple[str, str], ...] = (("rn", "m"), ("vv", "w"))
_LETTER_SINGLES = str.maketrans({"i": "l", "|": "l"})

# Cyrillic and Greek letters drawn like Latin ones, read as those: СОСА-СОLА and
# РЕРSI (Cyrillic С, О, А, Р, Е among Latin letters) look exactly like COCA-COLA
# and PEPSI.  Source: UTS #39 confusables.txt (Unicode 15.0), the entries whose
# target is a single Latin letter (U+0441 с -> c, U+0420 Р -> P, U+0391 Α -> A,
# ...).  Written here rather than taken from a confusables package: keys are
# case-folded, so each lower-case letter stands for both its cases, and where the
# two cases look like different Latin letters (Greek Η/η, Ν/ν, Υ/υ; Cyrillic Н/н)
# the capital's look-alike is taken, as word marks are mostly written in capitals;
# the full UTS #39 skeleton would also map Latin letters among themselves ("m" ->
# "rn") and many other scripts, which these keys do not want.
_SCRIPT_LOOKALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "һ": "h", "ӏ": "l", "ԛ": "q",
    "ԝ": "w",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x",
})
_LOOKALIKE_LETTERS = frozenset(chr(c) for c in _SCRIPT_LOOKALIKES)


def latin_lookalike(word: str, *, alone: bool = False) -> str | None:
    """The Latin word a folded word spells when it mixes Latin letters with Cyrillic or Greek
    ones that are all drawn like Latin letters (``αρρle``, with Greek α and ρ, is ``apple``),
    else ``None``.  With ``alone``, a word wholly of such letters is read so too (the ``соса``
    of СОСА-СОLА): for the other words of a mark that one mixed word shows to imitate a Latin
    mark, since a word wholly in Cyrillic or Greek otherwise keeps its own reading (МОРЕ is the
    sea, not "mope").

    >>> latin_lookalike("αρρle"), latin_lookalike("соlа"), latin_lookalike("сола"), latin_lookalike("Ωmega")
    ('apple', 'cola', None, None)
    >>> latin_lookalike("соса", alone=True), latin_lookalike("coca", alone=True)
    ('coca', None)
    """
    if word.isascii():
        return None
    lookalike = False
    latin = False
    for c in word:
        if "a" <= c <= "z":
            latin = True
        elif c in _LOOKALIKE_LETTERS:
            lookalike = True
        elif c.isalpha():
            return None
    return word.translate(_SCRIPT_LOOKALIKES) if lookalike and (latin or alone) else None


def _is_mixed(word: str) -> bool:
    """A word of letters with digits among them, fewer digits than letters.  A number with a
    letter or a sign beside it (``135º``, whose ``º`` NFKC makes ``o``; ``B52``) is a number,
    not a word in disguise, and ``3M`` is not ``EM``."""
    if word.isalpha() or word.isdigit():  # nearly every word: answered in C, at ingest speed
        return False
    digits = sum(c.isdigit() for c in word)
    return 0 < digits < sum(c.isalpha() for c in word)


def digits_as_letters(word: str) -> str:
    """Digits read as the letters they imitate, in a word mixing both; the
    reading the phonetic keys use for ``C0CA``.

    >>> digits_as_letters("c0ca"), digits_as_letters("1984"), digits_as_letters("135o")
    ('coca', '1984', '135o')
    """
    return word.translate(_DIGIT_LETTERS) if _is_mixed(word) else word


def skeleton_word(word: str) -> str:
    """The skeleton of one folded, plain word.

    >>> skeleton_word("c0ca"), skeleton_word("2024"), skeleton_word("vvork"), skeleton_word("сосаcоlа")
    ('coca', '2024', 'work', 'cocacola')
    """
    if not word.isascii():
        word = word.translate(_SCRIPT_LOOKALIKES)
    word = digits_as_letters(word).translate(_LETTER_SINGLES)
    for cluster, letter in _LETTER_CLUSTERS:
        word = word.replace(cluster, letter)
    return word


def i_as_l(text: str) -> str:
    """The skeleton's letter singles alone (``I`` and ``|`` read as ``l``), no digit, cluster or
    other script read: what tells a likeness of letter shapes in one case only (the capital I
    and the small l) from a digit or glyph written for a letter (``G00GLE``, ``RNILK``).

    >>> i_as_l("samurai"), i_as_l("l1on")
    ('samural', 'l1on')
    """
    return text.translate(_LETTER_SINGLES)


def skeleton_of(words: tuple[str, ...]) -> str:
    """The compact skeleton of a mark's folded, plain words (``&`` dropped).

    >>> skeleton_of(("m1lk", "&", "c0la")), skeleton_of(("milk", "cola")), skeleton_of(("3m",))
    ('mllkcola', 'mllkcola', '3m')
    """
    return "".join(skeleton_word(w) for w in words if w != "&")
