"""Chinese: Hanyu Pinyin readings of Han characters, with polyphones.

pypinyin picks the reading of each character from its phrase dictionary
(银行 -> ``yinhang``).  Where a character has other readings, up to
:data:`MAX_EXTRA_READINGS` further readings change one polyphonic character
each: traditional characters are not always in the phrase dictionary (長城
reads ``zhangcheng`` before ``changcheng``), and a mark is not a phrase.

Also kept: the syllables with and without tones (``bi4 sheng4 ke4``), the
initials (``bsk``, the 拼音首字母 used by Chinese search boxes), and a
loanword respelling for the sound keys (:func:`pinyin_loan`).

>>> chinese_readings("必胜客")[0], pinyin_syllables("必胜客")
('bishengke', ('bi sheng ke', 'bi4 sheng4 ke4'))
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin

__all__ = [
    "MAX_EXTRA_READINGS",
    "chinese_readings",
    "pinyin_initials",
    "pinyin_loan",
    "pinyin_syllables",
]

MAX_EXTRA_READINGS = 2


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits; ü (pinyin v) is written u."""
    return "".join(c for c in text.lower().replace("ü", "u") if c.isascii() and c.isalnum())


@lru_cache(maxsize=65536)
def _toned(word: str) -> tuple[tuple[str, ...], ...]:
    """Every reading of each character with its tone number (5: neutral),
    the phrase reading first: one pypinyin call serves every key.

    A character pypinyin has no reading for (𠮷, a variant of 吉) has none here: pypinyin gives
    it back with a neutral tone (``𠮷5``), which would read as the digit 5.

    >>> _toned("𠮷野")
    ((), ('ye3', 'shu4'))
    """
    per_char = pinyin(word, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True,
                      v_to_u=True, errors="default")
    return tuple(tuple(dict.fromkeys(_ascii(r) for r in readings if r.replace("ü", "").isascii()))
                 for readings in per_char)


def _toneless(syllable: str) -> str:
    return syllable.rstrip("012345") if not syllable.isdigit() else syllable


def _syllables(word: str) -> tuple[str, ...]:
    """Toneless syllables of the phrase reading, one per character; other
    characters (digits, Latin) come through as they are."""
    return tuple(_toneless(readings[0]) if readings else "" for readings in _toned(word))


@lru_cache(maxsize=65536)
def chinese_readings(word: str) -> tuple[str, ...]:
    """The phrase reading, then readings that change one polyphone each.

    >>> chinese_readings("長城"), chinese_readings("可口可乐")
    (('zhangcheng', 'changcheng'), ('kekoukele',))
    """
    base = list(_syllables(word))
    readings = ["".join(base)]
    for i, options in enumerate(_toned(word)):
        for option in dict.fromkeys(map(_toneless, options)):
            if len(readings) > MAX_EXTRA_READINGS:
                break
            if option and option != base[i]:
                readings.append("".join(base[:i] + [option] + base[i + 1:]))
    return tuple(dict.fromkeys(r for r in readings if r))


@lru_cache(maxsize=65536)
def pinyin_syllables(word: str) -> tuple[str, ...]:
    """The phrase reading as spaced syllables, without and with tone numbers
    (5 for the neutral tone).

    >>> pinyin_syllables("可口可乐")
    ('ke kou ke le', 'ke3 kou3 ke3 le4')
    """
    plain = " ".join(s for s in _syllables(word) if s)
    toned = " ".join(readings[0] for readings in _toned(word) if readings and readings[0])
    return tuple(dict.fromkeys(s for s in (plain, toned) if s))


def pinyin_initials(word: str) -> str:
    """The first letter of each syllable.

    >>> pinyin_initials("宝马"), pinyin_initials("必胜客")
    ('bm', 'bsk')
    """
    return "".join(s[0] for s in _syllables(word) if s)


# Pinyin letters that English readers would spell otherwise (Hanyu Pinyin
# Fang'an, 1958: x = [ɕ], q = [tɕʰ], zh = [ʈʂ], c = [tsʰ], z = [ts]).
_INITIAL_SPELLING = (("zh", "j"), ("ch", "ch"), ("sh", "sh"), ("x", "sh"), ("q", "ch"),
                     ("c", "ts"), ("z", "z"))
# Finals as Western spellings render them in transliterated names.  Pinyin
# ai is [aɪ], the vowel English writes i or y, and transliterations render
# English [aɪ] with ai syllables (Tide 汰渍, Tyson 泰森, Dyson 戴森, Michael
# 迈克尔, Titanic 泰坦尼克).
_FINAL_SPELLING = (("iang", "iang"), ("uang", "wang"), ("ian", "ien"), ("ai", "i"),
                   ("ei", "e"), ("ao", "o"), ("ou", "o"), ("uo", "o"), ("ie", "e"))
# Syllables that stand for a lone Western consonant when they are not the
# first syllable: 斯 si for s, 克 ke for k, 特 te for t, 尔 er for l (a final r
# is not rendered, a final l is: 沃尔 Wal-), 夫 fu for f
# (Xinhua Agency, 世界人名翻译大辞典 / Names of the World's Peoples, 1993,
# transcription tables for English and French).
_CONSONANT_SYLLABLES = {
    "si": "s", "zi": "z", "ci": "ts", "shi": "sh", "ke": "k", "te": "t", "de": "d",
    "er": "l", "fu": "f", "bu": "b", "pu": "p", "ge": "g", "mu": "m", "le": "l",
    "ri": "r", "ku": "k", "tu": "t",
}


def _respell(syllable: str, *, first: bool) -> str:
    if not first and syllable in _CONSONANT_SYLLABLES:
        return _CONSONANT_SYLLABLES[syllable]
    for pinyin_initial, spelling in _INITIAL_SPELLING:
        if syllable.startswith(pinyin_initial):
            syllable = spelling + syllable[len(pinyin_initial):]
            break
    for final, spelling in _FINAL_SPELLING:
        if syllable.endswith(final):
            return syllable[: -len(final)] + spelling
    return syllable


@lru_cache(maxsize=65536)
def pinyin_loan(word: str) -> str:
    """Read a Chinese transliteration of a Western name back: pinyin respelled
    the Western way, one-consonant syllables reduced to their consonant.

    >>> pinyin_loan("阿迪达斯"), pinyin_loan("沃尔玛"), pinyin_loan("喜来登")
    ('adidas', 'wolma', 'shilideng')
    """
    syllables = [s for s in _syllables(word) if s]
    return "".join(_respell(s, first=(i == 0)) for i, s in enumerate(syllables))
