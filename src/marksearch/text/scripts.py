"""Script detection: which writing system each character, word and mark uses.

Codes are ISO 15924 (``Latn``, ``Hani``, ``Hang``, ``Hira``, ``Kana``,
``Cyrl``...).  Two codes name mixtures: ``Jpan`` (Han with kana, or both kanas)
and ``Zyyy`` (nothing but digits and signs).  ``Zinh`` marks combining
characters, which take the script of the letter before them.

>>> char_script("a"), char_script("가"), char_script("ア"), char_script("中")
('Latn', 'Hang', 'Kana', 'Hani')
>>> word_script("トヨタ自動車"), split_script_runs("라잇템right")
('Jpan', ('라잇템', 'right'))
"""

from __future__ import annotations

import bisect
import unicodedata
from functools import lru_cache

__all__ = [
    "COMMON",
    "INHERITED",
    "char_script",
    "mark_scripts",
    "split_script_runs",
    "word_script",
]

COMMON = "Zyyy"
INHERITED = "Zinh"
UNKNOWN = "Zzzz"

# Ranges of the Unicode Character Database file Scripts.txt (Unicode 15.0),
# merged to blocks for the scripts met in trademark registers; a code point
# outside them is classed by its general category (letters -> Zzzz, the rest
# -> Zyyy).  Deliberate departures: U+30FC and U+FF70 (prolonged sound mark)
# are Zyyy in Scripts.txt but only occur inside kana words, so they are Kana
# here; U+3005 (々) and U+3007 (〇) are Hani as in Scripts.txt.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00AA, 0x00AA, "Latn"),
    (0x00BA, 0x00BA, "Latn"), (0x00C0, 0x00D6, "Latn"), (0x00D8, 0x00F6, "Latn"),
    (0x00F8, 0x02AF, "Latn"), (0x0300, 0x036F, INHERITED),
    (0x0370, 0x03FF, "Grek"), (0x0400, 0x052F, "Cyrl"), (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"), (0x0600, 0x06FF, "Arab"), (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"), (0x0780, 0x07BF, "Thaa"), (0x08A0, 0x08FF, "Arab"),
    (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"), (0x0B00, 0x0B7F, "Orya"), (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"), (0x1000, 0x109F, "Mymr"), (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"), (0x1200, 0x139F, "Ethi"), (0x13A0, 0x13FF, "Cher"),
    (0x1780, 0x17FF, "Khmr"), (0x1800, 0x18AF, "Mong"), (0x1AB0, 0x1AFF, INHERITED),
    (0x1C80, 0x1C8F, "Cyrl"), (0x1C90, 0x1CBF, "Geor"), (0x1D00, 0x1D7F, "Latn"),
    (0x1D80, 0x1DBF, "Latn"), (0x1DC0, 0x1DFF, INHERITED), (0x1E00, 0x1EFF, "Latn"),
    (0x1F00, 0x1FFF, "Grek"), (0x20D0, 0x20FF, INHERITED), (0x2C60, 0x2C7F, "Latn"),
    (0x2D00, 0x2D2F, "Geor"), (0x2DE0, 0x2DFF, "Cyrl"), (0x2E80, 0x2FDF, "Hani"),
    (0x3005, 0x3005, "Hani"), (0x3007, 0x3007, "Hani"), (0x3021, 0x3029, "Hani"),
    (0x3038, 0x303B, "Hani"), (0x3041, 0x3096, "Hira"), (0x3099, 0x309A, INHERITED),
    (0x309D, 0x309F, "Hira"), (0x30A1, 0x30FA, "Kana"), (0x30FC, 0x30FF, "Kana"),
    (0x3105, 0x312F, "Bopo"), (0x3131, 0x318E, "Hang"), (0x31A0, 0x31BF, "Bopo"),
    (0x31F0, 0x31FF, "Kana"), (0x3200, 0x321E, "Hang"), (0x3260, 0x327E, "Hang"),
    (0x32D0, 0x32FE, "Kana"), (0x3300, 0x3357, "Kana"), (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"), (0xA000, 0xA4CF, "Yiii"), (0xA640, 0xA69F, "Cyrl"),
    (0xA720, 0xA7FF, "Latn"), (0xA960, 0xA97F, "Hang"), (0xAB30, 0xAB6F, "Latn"),
    (0xAC00, 0xD7A3, "Hang"), (0xD7B0, 0xD7FF, "Hang"), (0xF900, 0xFAFF, "Hani"),
    (0xFB00, 0xFB06, "Latn"), (0xFB1D, 0xFB4F, "Hebr"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE20, 0xFE2F, INHERITED), (0xFE70, 0xFEFF, "Arab"), (0xFF21, 0xFF3A, "Latn"),
    (0xFF41, 0xFF5A, "Latn"), (0xFF66, 0xFF9D, "Kana"), (0xFFA0, 0xFFDC, "Hang"),
    (0x1B000, 0x1B000, "Kana"), (0x1B001, 0x1B11F, "Hira"), (0x1B120, 0x1B16F, "Kana"),
    (0x20000, 0x3134F, "Hani"),
)
_STARTS = tuple(r[0] for r in _RANGES)

_KANA = frozenset({"Hira", "Kana"})
# Scripts written together in one Japanese word.
_JAPANESE = frozenset({"Hira", "Kana", "Hani"})


@lru_cache(maxsize=8192)
def char_script(c: str) -> str:
    """The ISO 15924 script of one character.

    >>> [char_script(c) for c in "aЖ1 ー\\u0301"]
    ['Latn', 'Cyrl', 'Zyyy', 'Zyyy', 'Kana', 'Zinh']
    """
    if not c:
        return COMMON
    cp = ord(c[0])
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and _RANGES[i][0] <= cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    category = unicodedata.category(c[0])
    if category.startswith("M"):
        return INHERITED
    return UNKNOWN if category.startswith("L") else COMMON


def _family(script: str) -> str:
    """Scripts that share one word: the Japanese ones join, others stay alone."""
    return "Jpan" if script in _JAPANESE else script


def _real(script: str) -> bool:
    return script not in (COMMON, INHERITED)


def split_script_runs(word: str) -> tuple[str, ...]:
    """Cut a word where its script changes; digits and signs stay with the
    letters before them (or after them, at the start of the word).  Han and
    kana stay together because Japanese writes them in one word.

    >>> split_script_runs("라잇템right"), split_script_runs("21世纪"), split_script_runs("c0ca")
    (('라잇템', 'right'), ('21世纪',), ('c0ca',))
    """
    if word.isascii():  # the common case: one Latin (or digit) run
        return (word,) if word else ()
    runs: list[list[str]] = []
    families: list[str] = []
    for c in word:
        family = _family(char_script(c))
        if not _real(family):
            family = families[-1] if families else COMMON
        if families and (family == families[-1] or families[-1] == COMMON):
            runs[-1].append(c)
            if families[-1] == COMMON:
                families[-1] = family
        else:
            runs.append([c])
            families.append(family)
    return tuple("".join(r) for r in runs)


@lru_cache(maxsize=65536)
def word_script(word: str) -> str:
    """The script of a word: one code, ``Jpan`` for Japanese mixtures, ``Zyyy``
    when it has no letters.

    >>> word_script("coca"), word_script("ひらがなカタカナ"), word_script("42")
    ('Latn', 'Jpan', 'Zyyy')
    """
    found = {s for s in map(char_script, word) if _real(s)}
    if not found:
        return COMMON
    if len(found) == 1:
        return found.pop()
    if found <= _JAPANESE and (found & _KANA):
        return "Jpan"
    if found == {"Hang", "Hani"}:
        return "Kore"
    return min(found)


def mark_scripts(text: str) -> tuple[str, ...]:
    """The scripts of the characters of a mark, in order of first appearance.

    >>> mark_scripts("라잇템 Right tem"), mark_scripts("1&1")
    (('Hang', 'Latn'), ())
    """
    if text.isascii():
        return ("Latn",) if any(c.isalpha() for c in text) else ()
    seen: dict[str, None] = {}
    for c in text:
        script = char_script(c)
        if _real(script):
            seen.setdefault(script, None)
    return tuple(seen)
