"""Loanword renderings of Latin names in Cyrillic, Hangul, katakana and Han.

Rough on purpose: a register's foreign-script marks are renderings made by
people, and these tables only need to make renderings of the same kind, for
generated marks and for "other script" queries.  Each table cites where its
conventions come from.

A Latin word is first respelled as a string of sounds (:func:`sounds`):
vowels ``a e i o u``, consonants as written, and ``S`` (sh), ``C`` (ch),
``j`` (dzh), ``N`` (ng).  Then it is cut into syllables, each written in
the target script.

>>> to_katakana("star"), to_hangul("star"), to_cyrillic("STAR"), to_han("kodak")
('スター', '스타', 'СТАР', '科达克')
>>> to_katakana("coca cola"), to_hangul("coca cola uniqlo"), to_han("baskin")
('コカ コラ', '코카 콜라 우니클로', '巴斯金')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["HAN_CHARACTERS", "TRANSLITERATORS", "sounds", "syllables", "to_cyrillic", "to_han", "to_hangul", "to_katakana"]

_VOWELS = frozenset("aeiou")

# English spelling to sound, in order (longest first where they overlap).
_RESPELL: tuple[tuple[str, str], ...] = (
    ("sch", "S"), ("sh", "S"), ("tch", "C"), ("ch", "C"), ("ph", "f"), ("th", "t"),
    ("ck", "k"), ("qu", "kw"), ("q", "k"), ("x", "ks"), ("gh", "g"), ("wh", "w"),
    ("ee", "i"), ("oo", "u"), ("ou", "u"), ("ea", "i"),
)
_C_SOFT = re.compile(r"c(?=[eiy])")
_Y_CONSONANT = re.compile(r"y(?=[aeiou])")
_DOUBLE = re.compile(r"([bcdfgjklmnprstvz])\1")
_NG = re.compile(r"ng(?![aeiou])")
_SILENT_H = re.compile(r"(?<=[aeiou])h(?![aeiou])")
_W_VOWEL = re.compile(r"(?<=[aeiou])w(?![aeiou])")


def _ascii_lower(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def sounds(word: str) -> str:
    """A Latin word respelled as sounds.

    >>> sounds("Schweppes"), sounds("Cinema"), sounds("Young")
    ('Swepes', 'sinema', 'yuN')
    """
    s = _ascii_lower(word)
    s = _C_SOFT.sub("s", s)
    for old, new in _RESPELL:
        s = s.replace(old, new)
    s = s.replace("c", "k")
    s = _NG.sub("N", s)
    s = _DOUBLE.sub(r"\1", s)
    s = _SILENT_H.sub("", s)
    s = _W_VOWEL.sub("u", s)
    s = _Y_CONSONANT.sub("Y", s).replace("y", "i").replace("Y", "y")
    return s


def syllables(word: str) -> list[tuple[str, str]]:
    """``(onset, vowel)`` pairs; a consonant with no vowel of its own gets
    vowel ``""`` (the target script adds its epenthetic vowel or a coda).

    >>> syllables("kodak")
    [('k', 'o'), ('d', 'a'), ('k', '')]
    """
    s = sounds(word)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c in _VOWELS:
            out.append(("", c))
            i += 1
        elif i + 1 < len(s) and s[i + 1] in _VOWELS:
            if c == "N":  # "ngy" -> "Ni": n, then g with the vowel
                out.append(("n", ""))
                c = "g"
            out.append((c, s[i + 1]))
            i += 2
        else:
            out.append((c, ""))
            i += 1
    return out


def _after_vowel(parts: list[tuple[str, str]], i: int) -> bool:
    return i > 0 and parts[i - 1][1] != ""


def _words(text: str, render: Callable[[str], str]) -> str:
    return " ".join(r for r in (render(w) for w in text.split()) if r)


# -- Katakana ---------------------------------------------------------------
# Hepburn kana table (the gojūon chart) with the extended katakana for foreign
# sounds (ファ, ティ, ウィ...) recommended in the Japanese Cabinet notice on
# loanword spelling, 外来語の表記 (1991).  A consonant without a vowel takes u
# (o after t and d); an r after a vowel and before a consonant or the end
# lengthens the vowel (ー), as English loanwords do (star -> スター).
_KANA_ROWS: dict[str, str] = {
    "": "アイウエオ", "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サシスセソ", "z": "ザジズゼゾ",
    "t": "タ ティ トゥ テ ト", "d": "ダ ディ ドゥ デ ド", "n": "ナニヌネノ", "h": "ハヒフヘホ",
    "b": "バビブベボ", "p": "パピプペポ", "m": "マミムメモ", "y": "ヤ イ ユ イェ ヨ",
    "r": "ラリルレロ", "l": "ラリルレロ", "w": "ワ ウィ ウ ウェ ウォ", "f": "ファ フィ フ フェ フォ",
    "v": "バビブベボ", "S": "シャ シ シュ シェ ショ", "C": "チャ チ チュ チェ チョ",
    "j": "ジャ ジ ジュ ジェ ジョ",
}
_KANA: dict[tuple[str, str], str] = {
    (onset, vowel): cell
    for onset, row in _KANA_ROWS.items()
    for vowel, cell in zip("aiueo", row.split() if " " in row else list(row))
}
_KANA_ALONE = {"k": "ク", "g": "グ", "s": "ス", "z": "ズ", "t": "ト", "d": "ド", "n": "ン", "N": "ング",
               "h": "フ", "b": "ブ", "p": "プ", "m": "ム", "r": "ル", "l": "ル", "f": "フ", "v": "ブ",
               "S": "シュ", "C": "チ", "j": "ジ", "w": "ウ", "y": "イ"}


def _katakana_word(word: str) -> str:
    parts = syllables(word)
    out: list[str] = []
    for i, (onset, vowel) in enumerate(parts):
        if vowel:
            out.append(_KANA[onset, vowel])
        elif onset == "r" and _after_vowel(parts, i):
            out.append("ー")
        else:
            out.append(_KANA_ALONE.get(onset, ""))
    return "".join(out)


def to_katakana(text: str) -> str:
    """Katakana loanword rendering, word by word."""
    return _words(text, _katakana_word)


# -- Hangul -----------------------------------------------------------------
# Korean loanword orthography (외래어 표기법, Ministry of Education notice
# 85-11, 1986): p t k as aspirates ㅍ ㅌ ㅋ, b d g as ㅂ ㄷ ㄱ, f as ㅍ, v as
# ㅂ, l and r as ㄹ.  After a vowel, a lone m, n, l or ng is a batchim
# (ㅁ ㄴ ㄹ ㅇ), and so is a lone p, t or k unless l, r, m or n follows
# (ㅂ ㅅ ㄱ: act -> 악트, but uniqlo -> 우니클로); other lone consonants take
# ㅡ (s -> 스); an l between vowels is written ㄹㄹ (cola -> 콜라); an r after
# a vowel and before a consonant or the end is dropped (star -> 스타).
# Syllables are composed arithmetically (The Unicode Standard 15.0, section
# 3.12, Hangul syllable composition).
_CHO = {"": 11, "g": 0, "k": 15, "n": 2, "d": 3, "t": 16, "r": 5, "l": 5, "m": 6, "b": 7, "p": 17,
        "f": 17, "v": 7, "s": 9, "S": 9, "z": 12, "j": 12, "C": 14, "h": 18, "y": 11, "w": 11}
_JUNG = {"a": 0, "e": 5, "i": 20, "o": 8, "u": 13, "": 18}
_JUNG_Y = {"a": 2, "e": 7, "i": 20, "o": 12, "u": 17, "": 20}
_JUNG_W = {"a": 9, "e": 15, "i": 16, "o": 14, "u": 13, "": 13}
_JONG = {"k": 1, "n": 4, "l": 8, "m": 16, "p": 17, "t": 19, "N": 21}
_LIQUIDS = frozenset("lrmn")


def _hangul(onset: str, vowel: str, coda: int = 0) -> str:
    table = _JUNG_Y if onset in ("y", "S") else _JUNG_W if onset == "w" else _JUNG
    return chr(0xAC00 + (_CHO.get(onset, 11) * 21 + table[vowel]) * 28 + coda)


def _open(syllable: str) -> bool:
    return (ord(syllable) - 0xAC00) % 28 == 0


def _hangul_word(word: str) -> str:
    parts = syllables(word)
    out: list[str] = []
    for i, (onset, vowel) in enumerate(parts):
        open_before = bool(out) and _after_vowel(parts, i) and _open(out[-1])
        following = parts[i + 1][0] if i + 1 < len(parts) else ""
        if vowel:
            if onset == "l" and out and _open(out[-1]):
                out[-1] = chr(ord(out[-1]) + _JONG["l"])  # cola -> 콜라
            out.append(_hangul(onset, vowel))
        elif onset == "r" and _after_vowel(parts, i):
            continue
        elif open_before and (onset in "nmlN" or (onset in "ptk" and following not in _LIQUIDS)):
            out[-1] = chr(ord(out[-1]) + _JONG[onset])
        elif onset == "N":
            out.append(_hangul("", "", 21))
        else:
            out.append(_hangul(onset, ""))
    return "".join(out)


def to_hangul(text: str) -> str:
    """Hangul loanword rendering, word by word."""
    return _words(text, _hangul_word)


# -- Cyrillic ---------------------------------------------------------------
# Russian practical transcription of English names (Гиляревский, Старостин,
# "Иностранные имена и названия в русском тексте", 1985), reduced to one
# letter per sound: sh ш, ch ч, j дж, y before a vowel я ю (йо, йи).
_CYRL = {"a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "дж",
         "k": "к", "l": "л", "m": "м", "n": "н", "N": "нг", "o": "о", "p": "п", "r": "р", "s": "с",
         "t": "т", "u": "у", "v": "в", "w": "у", "y": "й", "z": "з", "S": "ш", "C": "ч"}
_CYRL_Y = {"a": "я", "e": "е", "u": "ю", "o": "йо", "i": "йи"}


def _cyrillic_word(word: str) -> str:
    s = sounds(word)
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == "y" and i + 1 < len(s) and s[i + 1] in _CYRL_Y:
            out.append(_CYRL_Y[s[i + 1]])
            i += 2
            continue
        if s[i] == "e" and i == 0:
            out.append("э")
        elif s[i] == "w" and i + 1 < len(s) and s[i + 1] in _VOWELS:
            out.append("в")
        else:
            out.append(_CYRL.get(s[i], ""))
        i += 1
    rendered = "".join(out)
    if word.isupper():
        return rendered.upper()
    return rendered.capitalize() if word[:1].isupper() else rendered


def to_cyrillic(text: str) -> str:
    """Cyrillic (Russian) rendering, word by word, keeping upper case."""
    return _words(text, _cyrillic_word)


# -- Han --------------------------------------------------------------------
# Characters for syllables, simplified after the Xinhua transliteration table
# for English names (《英语姓名译名手册》, 新华通讯社译名室, 4th ed. 2004): one
# character per onset and vowel, one per onset, vowel and final n, and one for
# a consonant on its own (s 斯, t 特, n 恩, l 尔).  Marks written this way are
# the "phonetic transliteration" rows of ../shared/data/relevance/cross_script.csv
# (阿迪达斯 Adidas, 沃尔玛 Walmart, 福特 Ford).  An r or h after a vowel is left
# out (Ford 福特 drops it, Walmart 沃尔玛 keeps it: dropping is the commoner
# choice for short marks).
_HAN_ROWS: dict[str, str] = {
    "": "阿埃伊奥乌", "b": "巴贝比博布", "p": "帕佩皮波普", "m": "马梅米莫穆", "f": "法费菲福富",
    "d": "达德迪多杜", "t": "塔特蒂托图", "n": "纳内尼诺努", "l": "拉莱利洛卢", "r": "拉雷里罗鲁",
    "g": "加格吉戈古", "k": "卡凯基科库", "h": "哈赫希霍胡", "j": "贾杰吉乔朱", "C": "查切奇乔丘",
    "S": "沙谢希肖舒", "s": "萨塞西索苏", "z": "扎泽齐佐祖", "v": "瓦维维沃武", "w": "瓦韦威沃伍",
    "y": "亚耶伊约尤",
}
_HAN_N_ROWS: dict[str, str] = {
    "": "安恩因昂温", "b": "班本宾邦本", "p": "潘彭平庞彭", "m": "曼门明蒙蒙", "f": "范芬芬丰丰",
    "d": "丹登丁东敦", "t": "坦滕廷通顿", "n": "南嫩宁农农", "l": "兰伦林隆伦", "r": "兰伦林龙伦",
    "g": "甘根金贡贡", "k": "坎肯金孔昆", "h": "汉亨欣洪洪", "s": "桑森辛松孙", "v": "万文文冯文",
    "w": "万温温翁温", "z": "赞曾津宗尊", "j": "詹任金琼君",
}
_HAN = {(onset, v): ch for onset, row in _HAN_ROWS.items() for v, ch in zip("aeiou", row)}
_HAN_N = {(onset, v): ch for onset, row in _HAN_N_ROWS.items() for v, ch in zip("aeiou", row)}
_HAN_ALONE = {"b": "布", "p": "普", "m": "姆", "f": "夫", "d": "德", "t": "特", "n": "恩", "N": "恩",
              "l": "尔", "r": "尔", "g": "格", "k": "克", "h": "赫", "j": "奇", "C": "奇", "S": "什",
              "s": "斯", "z": "兹", "v": "夫", "w": "夫", "y": "伊"}


def _han_word(word: str) -> str:
    parts = syllables(word)
    out: list[str] = []
    i = 0
    while i < len(parts):
        onset, vowel = parts[i]
        nasal = i + 1 < len(parts) and parts[i + 1] == ("n", "")
        if vowel and nasal and (onset, vowel) in _HAN_N:
            out.append(_HAN_N[onset, vowel])
            i += 2
            continue
        if vowel:
            out.append(_HAN[onset, vowel])
        elif not (onset in ("r", "h") and _after_vowel(parts, i)):
            out.append(_HAN_ALONE.get(onset, ""))
        i += 1
    return "".join(out)


def to_han(text: str) -> str:
    """Chinese phonetic rendering (no spaces between words, as Chinese writes)."""
    return "".join(_han_word(w) for w in text.split())


# Every character the Han tables use (for generated Chinese marks).
HAN_CHARACTERS = "".join(dict.fromkeys("".join(_HAN_ROWS.values()) + "".join(_HAN_N_ROWS.values())
                                       + "".join(_HAN_ALONE.values())))

TRANSLITERATORS: dict[str, Callable[[str], str]] = {
    "Cyrl": to_cyrillic, "Hang": to_hangul, "Kana": to_katakana, "Hani": to_han,
}
