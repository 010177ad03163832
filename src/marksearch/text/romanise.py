"""Romanisation: every word of every script to lower-case ASCII readings.

One entry point, :func:`romanise_word`, picks the romaniser by script:

==========  ==========================================================
Latn        the word without diacritics (``müller`` -> ``muller``), and a
            loan reading with German umlauts as ae, oe, ue (``mueller``)
Hani        pinyin, Western names (CC-CEDICT), then Japanese readings;
            Japanese only if the mark has kana
Hira Kana   Japanese readings (cutlet and the kana table)
Jpan        Japanese readings
Hang        Revised Romanisation, plain and pronounced, and the Western
            readings (ㅍ as f, ㅂ as v, 아이 as the long i)
Grek        anyascii, and a loan reading by modern sounds (μπ -> b)
Cyrl        anyascii, and a loan reading by the Western letters of the
            sounds (джип -> jip)
Arab Hebr   anyascii, and a loan reading with the vowel letters read
            (كوكا -> koka)
other       anyascii (Thai, Georgian, ...)
==========  ==========================================================

Each word also gets a *loan* reading where its script renders Western words
(Korean, kana, Chinese, Greek, Cyrillic, Arabic, Hebrew): the reading that brings
스타벅스 near STARBUCKS.

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
from marksearch.text.korean import korean_loan, korean_readings, korean_western
from marksearch.text.names import western_names

__all__ = ["Romanised", "abjad_loan", "ascii_key", "cyrillic_loan", "greek_loan", "romanise_word"]

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
        # ㅍ also renders f, ㅂ v, and 아이 the English long i: those readings are kept among the
        # word's readings, as Hebrew pe's f is (see _abjad), since Romanised holds one loan reading.
        loan = korean_loan(word)
        western = tuple(r for r in korean_western(word) if r != loan)
        return Romanised(korean_readings(word) + western, loan)
    if script == "Grek":
        return Romanised((ascii_key(word),), greek_loan(word))
    if script == "Cyrl":
        return Romanised((ascii_key(word),), cyrillic_loan(word))
    if script in _ABJADS:
        return _abjad(word, script)
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


# Russian (and the other Cyrillic alphabets) render a Western name by its sounds, and letter for
# letter (anyascii, which follows the scientific and passport transliterations) those sounds come
# back spelt the Russian way: ДЖИП (Jeep) reads "dzhip", ХАЙНЦ (Heinz) "khaynts", ЖИЛЛЕТТ
# (Gillette) "zhillett".  The loan reading gives each sound the Western letter it stands for in
# loans (after the practical transcription of Гиляревский and Старостин, "Иностранные имена и
# названия в русском тексте", 1985, read backwards): дж j, х h (Heinz, Hyundai, Honda), ц z
# (Heinz, Zeiss, pizza), й i after a vowel (ай, ей: the diphthongs of Heinz, Jameson) and y
# before one (Тойота), у w before a vowel at a word's start (Уолмарт, Walmart), ж the French
# soft g before е and и and at a word's end (Gillette, Givenchy, garage) and j elsewhere (Jean),
# ь and ъ silent.  Written by hand: anyascii and ICU spell the letters, not the sounds of a
# Western name.  Doubled letters stay: the sound keys say them once.
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїє")
_CYRILLIC_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "h", "ц": "z", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "я": "ya",
    # Ukrainian, Belarusian, Serbian and Macedonian letters
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "w", "ј": "y", "џ": "j", "ђ": "dj", "ћ": "ch",
    "љ": "lj", "њ": "nj", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}
_CYRILLIC_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщґўјџђћљњѓќѕ")
# ай and ей before one consonant that ends the word render the long i and a of English words with
# a silent e (НАЙК Nike, СКАЙП Skype, ГЕЙМ game, ФЕЙС face): read so, they keep the Western
# spelling's one vowel letter.  Elsewhere ай is ai (ХАЙНЦ Heinz, ХЕНДАЙ Hyundai), ей ei.
_SILENT_E_VOWELS = {"а": "i", "е": "a", "э": "a"}


def _one_consonant(rest: str) -> bool:
    return len(rest) == 1 and rest in _CYRILLIC_CONSONANTS


def cyrillic_loan(word: str) -> str:
    """The reading of a Cyrillic rendering of a Western word, by the Western letters of its sounds.

    >>> [cyrillic_loan(w) for w in ("джип", "хайнц", "джеймсон", "хендай", "жиллетт", "тойота")]
    ['jip', 'hainz', 'jeimson', 'hendai', 'gillett', 'toyota']
    >>> [cyrillic_loan(w) for w in ("уолмарт", "ёлка", "хёндэ", "хьюго", "мюллер", "жан", "найк", "фейс")]
    ['wolmart', 'yolka', 'hende', 'hugo', 'muller', 'jan', 'nik', 'fas']
    """
    text = word.lower()
    out: list[str] = []
    at = 0
    while at < len(text):
        c = text[at]
        after = text[at + 1 : at + 2]
        after_vowel = at == 0 or text[at - 1] in _CYRILLIC_VOWELS  # or at the word's start
        if c == "д" and after == "ж":
            out.append("j")
            at += 2
            continue
        if c in _SILENT_E_VOWELS and after == "й" and _one_consonant(text[at + 2 :]):
            out.append(_SILENT_E_VOWELS[c])
            at += 2
            continue
        if c == "й":
            out.append("y" if at == 0 or after in _CYRILLIC_VOWELS else "i")
        elif c == "ё":
            out.append("yo" if after_vowel else "e")  # after a consonant as the undotted е reads
        elif c == "ю":
            out.append("yu" if after_vowel else "u")  # Мюллер, Люкс, Хьюго: the Western u
        elif c == "ж":
            out.append("g" if after in ("е", "и", "") else "j")
        elif c == "у" and at == 0 and after in _CYRILLIC_VOWELS:
            out.append("w")
        elif c in _CYRILLIC_LETTERS:
            out.append(_CYRILLIC_LETTERS[c])
        elif c.isascii() and c.isalnum():
            out.append(c)
        else:
            out.append(ascii_key(c))
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
# Two letters stand for two Western consonants each, and no rule tells which: Hebrew pe is p and f
# (פפסי Pepsi, פורד Ford; a loan ends with the pe of p, ג'יפ Jeep, as the final ף is f), Arabic
# jeem is j (جيب Jeep, جونسون Johnson) and, in the Egyptian spellings brands often use, g (جوجل
# Google, جالاكسي Galaxy).  The loan reading reads them p and j, the value a pe at a word's start
# has in Hebrew and jeem's own; the *other* reading (``other=True``, f and g) is kept among the
# word's readings (see _abjad), so that both give keys with the vowels read.
_ABJAD_OTHER = {"פ": "f", "ج": "g"}
# A geresh after gimel, zayin, tsadi and tav marks the sounds Hebrew has no letter for:
# ג'יפ Jeep, ז'ילט Gillette, צ'יטוס Cheetos.
_GERESH = frozenset("'\u05f3\u2019")
_WITH_GERESH = {"ג": "j", "ז": "j", "צ": "ch", "ת": "th"}
_ABJAD_VOWELS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a", "ة": "a", "א": "a",
    "\u064e": "a", "\u064f": "u", "\u0650": "i", "\u0670": "a",  # Arabic vowel signs, where written
}
_ABJAD_GLIDES = {"و": ("w", "o"), "ي": ("y", "i"), "ی": ("y", "i"), "ו": ("v", "o"), "י": ("y", "i")}
# A short vowel sign before the letter that lengthens it (كُو, كَا, بِي) is that one long vowel: the
# sign is left out, so that the waw of كُوكَا reads o as in the unpointed كوكا, not w after u.
_LENGTHENED_BY = {"\u064e": "اى", "\u064f": "و", "\u0650": "يی"}
_HEBREW_FINALS = str.maketrans("ךםןףץ", "כמנפצ")


def _is_point(c: str) -> bool:
    """Arabic vowel signs and Hebrew points other than the short vowels the loan reading reads."""
    return ("\u064b" <= c <= "\u065f" or "\u0591" <= c <= "\u05c7" or c == "\u0670") and c not in _ABJAD_VOWELS


def _letters(word: str) -> str:
    """The word without the points that change no letter's reading (see _LENGTHENED_BY)."""
    kept = [c for c in word if not _is_point(c)]
    return "".join(c for i, c in enumerate(kept)
                   if not (c in _LENGTHENED_BY and i + 1 < len(kept) and kept[i + 1] in _LENGTHENED_BY[c]))


def abjad_loan(word: str, script: str, *, other: bool = False) -> str:
    """The reading of an Arabic or Hebrew rendering of a Western word, its vowel letters read.

    Pointed and unpointed spellings read alike; ``other`` reads Hebrew pe as f and Arabic jeem as g
    (see _ABJAD_OTHER).  Hebrew writes two like consonants side by side only with a vowel between
    them, which is read e (פפסי pepsi).

    >>> [abjad_loan(w, "Arab") for w in ("كوكا", "كُوكَا", "تويوتا", "أديداس", "جوجل")]
    ['koka', 'koka', 'toyota', 'adidas', 'jojl']
    >>> [abjad_loan(w, script, other=True) for w, script in (("جوجل", "Arab"), ("פורד", "Hebr"), ("ג׳יפ", "Hebr"))]
    ['gogl', 'ford', 'jip']
    >>> [abjad_loan(w, "Hebr") for w in ("קוקה", "טויוטה", "אדידס", "פפסי", "ג'יפ")]  # Hebrew leaves out a's
    ['koka', 'toyota', 'adids', 'pepsi', 'jip']
    """
    out: list[str] = []
    after_vowel = True  # a word's start reads a glide as a consonant, as after a vowel
    letters = _letters(word).replace("וו", "ו\u200b")  # Hebrew double vav: one v
    last = len(letters) - 1
    for i, c in enumerate(letters):
        if c == "\u200b" or c in _GERESH:
            continue
        if c in _ABJAD_GLIDES:
            consonant, vowel = _ABJAD_GLIDES[c]
            double = i < last and letters[i + 1] == "\u200b"
            if after_vowel or double:
                out.append(consonant)
                after_vowel = False
            else:
                out.append(vowel)
                after_vowel = True
        elif c in _ABJAD_VOWELS:
            out.append(_ABJAD_VOWELS[c])
            after_vowel = True
        elif c == "ה" and script == "Hebr" and i == last:
            out.append("a")  # a final he is a vowel
            after_vowel = True
        elif c in _WITH_GERESH and i < last and letters[i + 1] in _GERESH:
            out.append(_WITH_GERESH[c])
            after_vowel = False
        elif c in _ABJAD_CONSONANTS:
            if not after_vowel and script == "Hebr" and c.translate(_HEBREW_FINALS) == letters[i - 1]:
                out.append("e")  # פפסי: a vowel between like consonants
            # a word's last pe is p in either reading: the final ף is f
            alternative = other and c in _ABJAD_OTHER and (i < last or c != "פ")
            out.append(_ABJAD_OTHER[c] if alternative else _ABJAD_CONSONANTS[c])
            after_vowel = False
        elif c.isascii() and c.isalnum():
            out.append(c.lower())
            after_vowel = c.lower() in "aeiou"
    return "".join(out)


def _abjad(word: str, script: str) -> Romanised:
    """Letter for letter, and the loan reading; where a letter has another Western value
    (_ABJAD_OTHER), the loan reading with it as a second reading: Romanised holds one loan
    reading, and readings, like it, give sound keys."""
    loan = abjad_loan(word, script)
    other = abjad_loan(word, script, other=True)
    return Romanised((ascii_key(word), other) if other != loan else (ascii_key(word),), loan)


@lru_cache(maxsize=131072)
def romanise_word(word: str, script: str, *, han_as_japanese: bool) -> Romanised:
    """The readings of one folded word of one script; never raises.

    Third-party romanisers meet arbitrary text at ingest; if one fails, the
    word falls back to anyascii rather than stopping the ingest.

    >>> romanise_word("스타벅스", "Hang", han_as_japanese=False)
    Romanised(readings=('seutabeogseu', 'seutabeokseu', 'stavoks'), loan='staboks', syllables=(), initials='')
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
