"""Japanese: readings of kana and kanji in Japanese, not in Mandarin.

Kanji need a dictionary, so words with kanji go through cutlet (MeCab via
fugashi, with the UniDic-lite dictionary): 任天堂 -> ``nintendou``.  cutlet
also knows the Western spelling of many katakana loanwords (スターバックス ->
``starbucks``).  Pure kana words are additionally spelled by the table below,
which is faster and does not depend on the dictionary (cutlet drops the ウェ
of ウェンディーズ, for instance).  A cutlet reading with ``?`` (a character
the dictionary does not know, such as a simplified Chinese one) is dropped.

The cutlet instances are made once, lazily, on first use: creating one loads
the dictionary.

>>> japanese_readings("任天堂")
('nintendou', 'nintendo')
>>> long_vowels_dropped("toukyou"), kana_romaji("ウェンディーズ")
('tokyo', 'wendiizu')
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from cutlet import Cutlet

__all__ = [
    "japanese_loan",
    "japanese_loan_reading",
    "japanese_readings",
    "kana_romaji",
    "long_vowels_dropped",
]

_HIRAGANA_TO_KATAKANA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)}
_HIRAGANA_TO_KATAKANA |= {0x309D: 0x30FD, 0x309E: 0x30FE}

# Modified Hepburn (Kenkyusha's New Japanese-English Dictionary, 3rd ed.,
# 1954), with the extended katakana for loanwords of the Cabinet notice
# 外来語の表記 (1991), table 1 and 2.  Two-letter entries first: the reader
# takes the longest match.
_KANA: dict[str, str] = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "ビャ": "bya", "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
    "シェ": "she", "ジェ": "je", "チェ": "che", "ツァ": "tsa", "ツィ": "tsi", "ツェ": "tse",
    "ツォ": "tso", "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du", "テュ": "tyu",
    "デュ": "dyu", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "フュ": "fyu",
    "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ヴュ": "vyu", "イェ": "ye", "クァ": "kwa", "クィ": "kwi", "クェ": "kwe",
    "クォ": "kwo", "グァ": "gwa", "スィ": "si", "ズィ": "zi",
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o",
    "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so",
    "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te", "ト": "to",
    "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no",
    "ハ": "ha", "ヒ": "hi", "フ": "fu", "ヘ": "he", "ホ": "ho",
    "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo",
    "ヤ": "ya", "ユ": "yu", "ヨ": "yo", "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro",
    "ワ": "wa", "ヰ": "i", "ヱ": "e", "ヲ": "o", "ン": "n",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go",
    "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze", "ゾ": "zo",
    "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do",
    "バ": "ba", "ビ": "bi", "ブ": "bu", "ベ": "be", "ボ": "bo",
    "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po", "ヴ": "vu",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ャ": "ya", "ュ": "yu", "ョ": "yo",
    "ヮ": "wa", "ヵ": "ka", "ヶ": "ke", "ヷ": "va", "ヸ": "vi", "ヹ": "ve", "ヺ": "vo",
}
_SOKUON = "ッ"
_LONG = frozenset("ーｰ")
_ITERATION = frozenset("ヽヾ")
_VOWEL_LETTERS = frozenset("aeiou")


def _to_katakana(text: str) -> str:
    return text.translate(_HIRAGANA_TO_KATAKANA)


def _last_vowel(parts: list[str]) -> str:
    for part in reversed(parts):
        for c in reversed(part):
            if c in _VOWEL_LETTERS:
                return c
    return ""


@lru_cache(maxsize=65536)
def kana_romaji(word: str) -> str:
    """Hepburn spelling of kana; anything that is not kana is left out.

    ``ー`` repeats the vowel before it, ``ッ`` doubles the next consonant.

    >>> kana_romaji("スターバックス"), kana_romaji("ろーそん"), kana_romaji("マッチ")
    ('sutaabakkusu', 'rooson', 'matchi')
    """
    kata = _to_katakana(word)
    parts: list[str] = []
    double_next = False
    i = 0
    while i < len(kata):
        pair, single = kata[i:i + 2], kata[i]
        if pair in _KANA:
            syllable, i = _KANA[pair], i + 2
        elif single in _KANA:
            syllable, i = _KANA[single], i + 1
        else:
            i += 1
            if single == _SOKUON:
                double_next = True
            elif single in _LONG:
                parts.append(_last_vowel(parts))
            elif single in _ITERATION and parts:
                parts.append(parts[-1])
            continue
        if double_next and syllable[0] not in _VOWEL_LETTERS:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double_next = False
        parts.append(syllable)
    return "".join(parts)


_DOUBLED = re.compile(r"(ou|oo|uu|aa|ii|ee)")


def long_vowels_dropped(romaji: str) -> str:
    """Drop Japanese long vowels, as brand spellings do: ``ou``/``oo`` -> ``o``,
    ``uu`` -> ``u``, ``aa``, ``ii``, ``ee`` single.

    >>> long_vowels_dropped("nintendou"), long_vowels_dropped("sutaabakkusu")
    ('nintendo', 'sutabakkusu')
    """
    return _DOUBLED.sub(lambda m: m.group(0)[0], romaji)


# Japanese renders a consonant without a vowel with an epenthetic u (o after
# t and d, i after ch and j): ク ku for "c", ド do for "d".  Dropping them,
# where a consonant or the end of the word follows, gives back the Western
# consonant cluster (H. Kubozono, "Loanword phonology", in Handbook of Japanese
# Phonetics and Phonology, De Gruyter 2015).  A u is a real vowel, kept:
# * before the moraic n (ン, an n before a consonant or the end): a vowel
#   always precedes it (サムスン sa-mu-su-n, Samsung), where the n of ヌ, ナ, ...
#   (an n before a vowel) begins a syllable (スヌーピー snupi, Snoopy);
# * before a doubled consonant (ッ: kk, pp, ssh, tch, ...), which closes a
#   syllable and so follows a vowel (グッチ gutchi, ブック bukku).
# The final i of チ is dropped (ビーチ bich, ランチ ranch: English -ch), but not
# after ッ: a final ッチ renders English -tch (マッチ match, ウォッチ watch) or the
# Italian -cci of names (グッチ Gucci, プッチ Pucci, リッチ Ricci), and cutlet's
# Western spelling (see japanese_readings) knows the English words but not the
# names, so the loan reading reads it cci.  The final i of シ is real: the
# English final sh is written シュ (フィッシュ fisshu), シ is "si" (ペプシ Pepsi).
_DOUBLE_CONSONANT = r"tch|([bcdfghjkmprstvwz])\1"
_EPENTHETIC = re.compile(rf"(?<=[bcdfghjkmprsvz])u(?=$|n[aeiouy]|(?!{_DOUBLE_CONSONANT})[bcdfghjkmprstvwz])"
                         r"|(?<=[td])o$|(?<=ch)(?<!tch)i$")
_FINAL_TCHI = re.compile(r"tchi$")
# Japanese has no "si": シ renders the Western si, ci, cy, sea and see (シティ city,
# シーメンス Siemens, アシックス Asics, ペプシ Pepsi) more often than shi and she
# (シップ ship), so the loan reading reads it si.  シャ, シュ, ショ, シェ stay sh.


def japanese_loan(romaji: str) -> str:
    """Read a Japanese rendering of a Western word back: long vowels single,
    epenthetic vowels dropped, shi read si, a final tchi read cci.

    >>> japanese_loan("sutaabakkusu"), japanese_loan("makudonarudo"), japanese_loan("rooson")
    ('stabaks', 'makdonard', 'roson')
    >>> japanese_loan("samusun"), japanese_loan("gutchi"), japanese_loan("kukkii"), japanese_loan("pepushi")
    ('samsun', 'gucci', 'kuki', 'pepsi')
    """
    loan = _EPENTHETIC.sub("", long_vowels_dropped(romaji)).replace("kk", "k").replace("shi", "si")
    return _FINAL_TCHI.sub("cci", loan)


_LOCK = threading.Lock()
# MeCab taggers are not documented as thread-safe; ingest may use threads.
_TAGGER_LOCK = threading.Lock()
_CUTLETS: dict[bool, "Cutlet"] = {}


def _cutlet(foreign: bool) -> "Cutlet":
    """The shared cutlet instance (made on first use; loading is slow)."""
    found = _CUTLETS.get(foreign)
    if found is None:
        with _LOCK:
            found = _CUTLETS.get(foreign)
            if found is None:
                from cutlet import Cutlet

                found = Cutlet(use_foreign_spelling=foreign)
                _CUTLETS[foreign] = found
    return found


def _ascii_word(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _cutlet_reading(word: str, *, foreign: bool) -> str:
    try:
        cutlet = _cutlet(foreign)
        with _TAGGER_LOCK:
            out = cutlet.romaji(word, capitalize=False)
    except Exception:  # noqa: BLE001 - a tagger failure must not stop ingest
        return ""
    return "" if "?" in out else _ascii_word(out)


def _has_katakana(word: str) -> bool:
    return any("\u30a1" <= c <= "\u30fa" or "\uff66" <= c <= "\uff9d" for c in word)


def _is_kana(word: str) -> bool:
    kata = _to_katakana(word)
    return all(c in _KANA or c == _SOKUON or c in _LONG or c in _ITERATION for c in kata)


@lru_cache(maxsize=65536)
def japanese_readings(word: str) -> tuple[str, ...]:
    """The Japanese readings of a word, most likely first: the Western spelling
    cutlet knows for a loanword (only when it differs from the Hepburn one),
    the Hepburn reading (the kana table for kana words, cutlet otherwise),
    and the Hepburn reading with long vowels dropped.  Empty when nothing
    could be read.

    >>> japanese_readings("スターバックス"), japanese_readings("ウェンディーズ")
    (('starbucks', 'sutaabakkusu', 'sutabakkusu'), ('wendiizu', 'wendizu'))
    """
    native = _cutlet_reading(word, foreign=False)
    # Western spellings exist only for katakana words: skip the second call otherwise.
    foreign = _cutlet_reading(word, foreign=True) if _has_katakana(word) else native
    hepburn = kana_romaji(word) if _is_kana(word) else native
    readings = [foreign if foreign != native else "", hepburn, long_vowels_dropped(hepburn)]
    return tuple(dict.fromkeys(r for r in readings if r))


def japanese_loan_reading(word: str) -> str:
    """The loanword reading of a kana word (see :func:`japanese_loan`), or
    ``""`` for a word with kanji, which is not a loanword rendering.

    >>> japanese_loan_reading("ローソン"), japanese_loan_reading("任天堂")
    ('roson', '')
    """
    return japanese_loan(kana_romaji(word)) if _is_kana(word) else ""
