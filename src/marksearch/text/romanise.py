"""Romanisation: every word of every script to lower-case ASCII readings.

One entry point, :func:`romanise_word`, picks the romaniser by script:

==========  ==========================================================
Latn        the word without diacritics (``müller`` -> ``muller``), and a
            loan reading with German umlauts as ae, oe, ue (``mueller``)
Hani        pinyin, Western names (CC-CEDICT), then Japanese readings;
            Japanese only if the mark has kana
Hira Kana   Japanese readings (cutlet and the kana table)
Jpan        Japanese readings
Hang        Revised Romanisation, plain and pronounced
Grek        anyascii, and a loan reading by modern sounds (μπ -> b)
Arab Hebr   anyascii, and a loan reading with the vowel letters read
            (كوكا -> koka)
other       anyascii (Cyrillic, Thai, ...)
==========  ==========================================================

Each word also gets a *loan* reading where its script renders Western words
(Korean, kana, Chinese, Greek, Arabic, Hebrew): the reading that brings 스타벅스 near STARBUCKS.

>>> romanise_word("任天堂", "Hani", han_as_japanese=True).readings
('nintendou', 'nintendo')
>>> romanise_word("Москва", "Cyrl", han_as_japanese=False).readings
('moskva',)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from marksearch.text.chinese import chinese_readings, pinyin_initials, pinyin_loan, pinyin_syllables
from marksearch.text.fold import strip_diacritics
from marksearch.text.japanese import japanese_loan_reading, japanese_readings
from marksearch.text.korean import korean_loan, korean_readings
from marksearch.text.names import western_names

__all__ = ["Romanised", "abjad_loan", "ascii_key", "greek_loan", "romanise_word"]

_JAPANESE = frozenset({"Hira", "Kana", "Jpan"})
# Readings kept per word, most likely first; enough for the Chinese phrase
# reading with two polyphones and the two Japanese readings.
MAX_READINGS = 6


@dataclass(frozen=True, slots=True)
class Romanised:
    """The Latin readings of one word."""

    readings: tuple[str, ...]
    loan: str = ""
    syllables: tuple[str, ...] = ()
    initials: str = ""


def ascii_key(text: str) -> str:
    """Lower-case ASCII letters and digits of a romanisation.

    >>> ascii_key("Coca/Cola 2"), ascii_key("Ё")
    ('cocacola2', 'e')
    """
    spelled = text if text.isascii() else anyascii(text)
    return "".join(c for c in spelled.lower() if c.isascii() and c.isalnum())


def _chinese(word: str, *, also_japanese: bool) -> Romanised:
    """Pinyin first, then the Western names the word stands for (必胜客:
    pizzahut, :mod:`.names`), the Japanese readings next, other pinyin
    readings last, so that the n-th readings of the words of a mark tend to
    be in one language when they are joined."""
    pinyin_readings = chinese_readings(word)
    japanese = japanese_readings(word)[:2] if also_japanese else ()
    readings = pinyin_readings[:1] + western_names(word) + japanese + pinyin_readings[1:]
    return Romanised(readings, pinyin_loan(word), pinyin_syllables(word), pinyin_initials(word))


# German writes ä, ö and ü as ae, oe and ue where it cannot write them (MUELLER is MÜLLER, GOETHE
# GÖTHE), and registers hold both spellings; ß is ss already (case folding).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _by_script(word: str, script: str, han_as_japanese: bool) -> Romanised:
    if script == "Latn":
        # the umlauts' transliteration is heard as well (a loan reading: sound keys, no latin key)
        spelt = word.translate(_UMLAUTS)
        loan = ascii_key(strip_diacritics(spelt)) if spelt != word else ""
        return Romanised((ascii_key(strip_diacritics(word)),), loan)
    if script == "Hani":
        if han_as_japanese:
            return Romanised(japanese_readings(word))
        return _chinese(word, also_japanese=True)
    if script in _JAPANESE:
        return Romanised(japanese_readings(word), japanese_loan_reading(word))
    if script == "Hang":
        return Romanised(korean_readings(word), korean_loan(word))
    if script == "Grek":
        return Romanised((ascii_key(word),), greek_loan(word))
    if script in _ABJADS:
        return Romanised((ascii_key(word),), abjad_loan(word, script))
    return Romanised((ascii_key(word),))


# Modern Greek writes the Western b, d and g of loanwords as μπ, ντ and γκ, and reads
# several vowel pairs as one vowel; letter for letter (anyascii), Σταρμπάκς (Starbucks)
# reads "starmpaks".  The loan reading follows the modern pronunciation instead.  Written
# by hand: anyascii and the ISO 843 / ELOT 743 transliterations spell letters, not sounds.
_GREEK_PAIRS = {"μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng", "τσ": "ts", "τζ": "dz", "ου": "u", "αι": "e",
                "ει": "i", "οι": "i", "υι": "i", "αυ": "av", "ευ": "ev"}
_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                          ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r",
                           "s", "s", "t", "i", "f", "ch", "ps", "o"], strict=True))


def greek_loan(word: str) -> str:
    """The reading of a Greek rendering of a Western word, by its modern sounds.

    >>> [greek_loan(w) for w in ("σταρμπάκς", "μπενετόν", "ντόνατ", "γκούτσι", "κόκα-κόλα")]
    ['starbaks', 'beneton', 'donat', 'gutsi', 'kokakola']
    """
    text = strip_diacritics(word.lower())
    out: list[str] = []
    at = 0
    while at < len(text):
        pair = _GREEK_PAIRS.get(text[at : at + 2])
        if pair is not None:
            out.append(pair)
            at += 2
            continue
        c = text[at]
        out.append(_GREEK_LETTERS.get(c, c if c.isascii() and c.isalnum() else ""))
        at += 1
    return "".join(out)


# Arabic and Hebrew write few vowels: letter for letter (anyascii) كوكا كولا (Coca-Cola) reads
# "kwk kwl", and a Western name loses every vowel its sound keys need.  Where they render Western
# names they write the vowels with the letters that also stand for w, y and glottal stops (matres
# lectionis): alef a, waw o, yeh i, and Hebrew he at a word's end a.  The loan reading reads
# them so: a waw or yeh is a consonant at a word's start or after a vowel, a vowel after a
# consonant.  Written by hand because the romanisations at hand (anyascii, ICU's) transliterate
# letters and keep waw and yeh as w and y.
_ABJADS = frozenset({"Arab", "Hebr"})
_ABJAD_CONSONANTS = {
    # Arabic (and the Persian letters used for Western p, ch, zh, v, g)
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
    "ق": "k", "ك": "k", "ک": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "پ": "p", "چ": "ch",
    "ژ": "zh", "ڤ": "v", "گ": "g",
    # Hebrew (final forms alike; bet and pe read b and p, as loans mostly are)
    "ב": "b", "ג": "g", "ד": "d", "ה": "h", "ז": "z", "ח": "kh", "ט": "t", "כ": "k", "ך": "k",
    "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "פ": "p", "ף": "f", "צ": "ts",
    "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh", "ת": "t",
}
_ABJAD_VOWELS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a", "ة": "a", "א": "a",
    "\u064e": "a", "\u064f": "u", "\u0650": "i",  # Arabic short vowel signs, where written
}
_ABJAD_GLIDES = {"و": ("w", "o"), "ي": ("y", "i"), "ی": ("y", "i"), "ו": ("v", "o"), "י": ("y", "i")}


def abjad_loan(word: str, script: str) -> str:
    """The reading of an Arabic or Hebrew rendering of a Western word, its vowel letters read.

    >>> [abjad_loan(w, "Arab") for w in ("كوكا", "كولا", "تويوتا", "أديداس")]
    ['koka', 'kola', 'toyota', 'adidas']
    >>> [abjad_loan(w, "Hebr") for w in ("קוקה", "טויוטה", "אדידס")]  # Hebrew leaves out a's
    ['koka', 'toyota', 'adids']
    """
    out: list[str] = []
    after_vowel = True  # a word's start reads a glide as a consonant, as after a vowel
    letters = word.replace("וו", "ו\u200b")  # Hebrew double vav: one v
    for i, c in enumerate(letters):
        if c == "\u200b":
            continue
        if c in _ABJAD_GLIDES:
            consonant, vowel = _ABJAD_GLIDES[c]
            double = i + 1 < len(letters) and letters[i + 1] == "\u200b"
            if after_vowel or double:
                out.append(consonant)
                after_vowel = False
            else:
                out.append(vowel)
                after_vowel = True
        elif c in _ABJAD_VOWELS:
            out.append(_ABJAD_VOWELS[c])
            after_vowel = True
        elif c == "ה" and script == "Hebr" and i == len(letters) - 1:
            out.append("a")  # a final he is a vowel
            after_vowel = True
        elif c in _ABJAD_CONSONANTS:
            out.append(_ABJAD_CONSONANTS[c])
            after_vowel = False
        elif c.isascii() and c.isalnum():
            out.append(c.lower())
            after_vowel = c.lower() in "aeiou"
    return "".join(out)


@lru_cache(maxsize=131072)
def romanise_word(word: str, script: str, *, han_as_japanese: bool) -> Romanised:
    """The readings of one folded word of one script; never raises.

    Third-party romanisers meet arbitrary text at ingest; if one fails, the
    word falls back to anyascii rather than stopping the ingest.

    >>> romanise_word("스타벅스", "Hang", han_as_japanese=False)
    Romanised(readings=('seutabeogseu', 'seutabeokseu'), loan='staboks', syllables=(), initials='')
    """
    try:
        found = _by_script(word, script, han_as_japanese)
    except Exception:  # noqa: BLE001 - see docstring
        found = Romanised(())
    readings = tuple(dict.fromkeys(r for r in found.readings if r))[:MAX_READINGS]
    if not readings:
        fallback = ascii_key(word)
        readings = (fallback,) if fallback else ()
    return Romanised(readings, found.loan, found.syllables, found.initials)
