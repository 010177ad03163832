"""Korean: three Latin readings of a Hangul word, none of which can fail.

* :func:`korean_plain` - Revised Romanisation letter by letter (the
  ``academic`` rule of hangul-romanize, hyphens dropped): 스타벅스 ->
  ``seutabeogseu``.  Keeps the spelling, not the sound.
* :func:`korean_pronounced` - Revised Romanisation of the pronunciation, with
  the main sound changes: 국물 -> ``gungmul``, 신라 -> ``silla``, 스타벅스 ->
  ``seutabeokseu``.
* :func:`korean_loan` - how a Korean rendering of a Western word reads back:
  the epenthetic 으 is dropped, ㅓ is read o, ㅐ a, 샤 sha: 스타벅스 ->
  ``staboks``, 샤넬 -> ``shanel``, 유니클로 -> ``yunikllo``;
  :func:`korean_western` its Western readings, with the Western letters that
  Korean writes as its own (ㅍ as f, ㅂ as v: 포드 -> ``fod``, 볼보 -> ``volvo``).

Jamo that do not form a syllable are spelled with anyascii.

>>> korean_plain("국물"), korean_pronounced("국물"), korean_loan("스타벅스")
('gugmul', 'gungmul', 'staboks')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from hangul_romanize import Transliter
from hangul_romanize.rule import academic

__all__ = ["korean_loan", "korean_plain", "korean_pronounced", "korean_readings", "korean_western"]

_FIRST, _LAST = 0xAC00, 0xD7A3
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
           "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i")
# Final consonants as the jamo they are written with (clusters as two).
_FINALS = ("", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ",
           "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ",
           "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
_NULL = "ㅇ"
_EU, _I = 18, 20

# Revised Romanization of Korean (Ministry of Culture and Tourism notice
# 2000-8), section 2, items 1-2: consonants before a vowel, and final
# consonants (only the seven representative sounds occur there).
_ONSET_RR = dict(zip(_INITIALS, ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
                                 "ss", "", "j", "jj", "ch", "k", "t", "p", "h")))
_CODA_RR = {"ㄱ": "k", "ㄴ": "n", "ㄷ": "t", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p", "ㅇ": "ng"}

# Standard Pronunciation of Korean (표준 발음법, 1988), chapter 4, articles
# 9-11: a final cluster or consonant is said as one of seven sounds.
_NEUTRAL = {
    "ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄱㅅ": "ㄱ", "ㄹㄱ": "ㄱ", "ㅅ": "ㄷ", "ㅆ": "ㄷ",
    "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ", "ㅎ": "ㄷ", "ㅍ": "ㅂ", "ㄹㅍ": "ㅂ",
    "ㅂㅅ": "ㅂ", "ㄴㅈ": "ㄴ", "ㄴㅎ": "ㄴ", "ㄹㅁ": "ㅁ", "ㄹㅂ": "ㄹ",
    "ㄹㅅ": "ㄹ", "ㄹㅌ": "ㄹ", "ㄹㅎ": "ㄹ",
}
# Articles 12 and 17 (aspiration with ㅎ; palatalisation before 이).
_ASPIRATE = {"ㄱ": "ㅋ", "ㄲ": "ㅋ", "ㅋ": "ㅋ", "ㄷ": "ㅌ", "ㅅ": "ㅌ", "ㅆ": "ㅌ",
             "ㅌ": "ㅌ", "ㅈ": "ㅊ", "ㅊ": "ㅊ", "ㅂ": "ㅍ", "ㅍ": "ㅍ"}
_PALATAL = {"ㄷ": "ㅈ", "ㅌ": "ㅊ"}
# Article 18 (nasalisation of ㄱ, ㄷ, ㅂ before ㄴ, ㅁ).
_NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}

_TRANSLITER = Transliter(academic)


@dataclass(slots=True)
class _Syllable:
    onset: str
    vowel: int
    coda: str


def _syllable(c: str) -> _Syllable | None:
    cp = ord(c)
    if not _FIRST <= cp <= _LAST:
        return None
    index = cp - _FIRST
    return _Syllable(_INITIALS[index // 588], (index // 28) % 21, _FINALS[index % 28])


def _spell_other(c: str) -> str:
    return "".join(ch for ch in anyascii(c).lower() if ch.isalnum())


def _ascii(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


@lru_cache(maxsize=65536)
def korean_plain(word: str) -> str:
    """Letter-by-letter Revised Romanisation (hangul-romanize), total.

    >>> korean_plain("스타벅스"), korean_plain("ㄱ")
    ('seutabeogseu', 'g')
    """
    out = _TRANSLITER.translit(word)
    return "".join(_ascii(c) if c.isascii() else _spell_other(c) for c in out)


def _runs(word: str) -> list[list[_Syllable] | str]:
    """Split a word into runs of syllables and single other characters."""
    runs: list[list[_Syllable] | str] = []
    for c in word:
        syl = _syllable(c)
        if syl is None:
            runs.append(c)
        elif runs and isinstance(runs[-1], list):
            runs[-1].append(syl)
        else:
            runs.append([syl])
    return runs


def _link_vowel(left: _Syllable, right: _Syllable) -> None:
    """Liaison (연음, articles 13-14): a final moves to a following 'ㅇ'."""
    coda = left.coda
    if coda in ("", "ㅇ"):
        return
    if coda.endswith("ㅎ"):  # article 12.4: ㅎ is silent before a vowel
        coda = coda[:-1]
    if not coda:
        left.coda = ""
        return
    left.coda, moved = coda[:-1], coda[-1]
    if right.vowel == _I and moved in _PALATAL:
        moved = _PALATAL[moved]
    right.onset = moved


def _link_consonant(left: _Syllable, right: _Syllable) -> None:
    """Aspiration, neutralisation, nasalisation, liquidisation at a boundary."""
    coda, onset = left.coda, right.onset
    if coda.endswith("ㅎ") and onset in "ㄱㄷㅈ":
        coda, onset = coda[:-1], _ASPIRATE[onset]
    elif coda.endswith("ㅎ") and onset == "ㅅ":
        coda, onset = coda[:-1], "ㅆ"
    elif onset == "ㅎ" and coda and coda[-1] in _ASPIRATE:
        coda, onset = coda[:-1], _ASPIRATE[coda[-1]]
    coda = _NEUTRAL.get(coda, coda)
    if onset == "ㄹ" and coda in ("ㅁ", "ㅇ", "ㄱ", "ㄷ", "ㅂ"):
        onset = "ㄴ"  # article 19
    if onset in ("ㄴ", "ㅁ") and coda in _NASAL:
        coda = _NASAL[coda]
    if coda == "ㄴ" and onset == "ㄹ":
        coda = "ㄹ"  # article 20: 신라 -> 실라
    elif coda == "ㄹ" and onset == "ㄴ":
        onset = "ㄹ"  # article 20: 설날 -> 설랄
    left.coda, right.onset = coda, onset


def _apply_sound_changes(run: list[_Syllable]) -> None:
    for left, right in zip(run, run[1:]):
        if right.onset == _NULL:
            _link_vowel(left, right)
        elif left.coda:
            _link_consonant(left, right)
    last = run[-1]
    last.coda = _NEUTRAL.get(last.coda, last.coda)


def _spell_pronounced(run: list[_Syllable]) -> str:
    parts: list[str] = []
    previous_coda = ""
    for syl in run:
        onset = "l" if (syl.onset == "ㄹ" and previous_coda == "ㄹ") else _ONSET_RR[syl.onset]
        parts.append(onset + _VOWELS[syl.vowel] + _CODA_RR.get(syl.coda, ""))
        previous_coda = syl.coda
    return "".join(parts)


@lru_cache(maxsize=65536)
def korean_pronounced(word: str) -> str:
    """Revised Romanisation after the main sound changes of standard Korean.

    Implemented (표준 발음법): neutralisation of finals, liaison, ㅎ-aspiration,
    palatalisation, nasalisation, ㄹ -> ㄴ after nasals, liquidisation.  Not
    implemented: tensification (RR does not write it), ㄴ-insertion and the
    사이시옷 rules, which depend on word structure.

    >>> [korean_pronounced(w) for w in ("국물", "신라", "설날", "같이", "좋다", "종로")]
    ['gungmul', 'silla', 'seollal', 'gachi', 'jota', 'jongno']
    """
    parts: list[str] = []
    for run in _runs(word):
        if isinstance(run, str):
            parts.append(_spell_other(run))
            continue
        _apply_sound_changes(run)
        parts.append(_spell_pronounced(run))
    return "".join(parts)


# Reading Korean renderings of Western words back (외래어 표기법, Korean
# loanword orthography, 1986, chapter 3): ㅡ is inserted after consonants
# that have no vowel in the source word, ㅓ renders English /ʌ/ and /ə/, ㅐ
# renders /æ/, ㅅ+y-vowel renders /ʃ/, and a final ㅅ renders /t/.
_LOAN_VOWELS = dict(enumerate(_VOWELS)) | {4: "o", 1: "a", 6: "yo", 10: "we"}
_LOAN_ONSET = _ONSET_RR | {"ㄸ": "t", "ㅃ": "p", "ㄲ": "k", "ㅆ": "s", "ㅉ": "j"}
_LOAN_CODA = {"ㄱ": "k", "ㄲ": "k", "ㅋ": "k", "ㄴ": "n", "ㄷ": "t", "ㅅ": "t", "ㅆ": "t",
              "ㅈ": "t", "ㅊ": "t", "ㅌ": "t", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p", "ㅍ": "p",
              "ㅇ": "ng", "ㅎ": ""}
# ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ after ㅅ ㅈ ㅊ: the y only marks the palatal consonant.
_Y_VOWELS = {2: "a", 3: "a", 6: "o", 7: "e", 12: "o", 17: "u"}
_PALATAL_SPELLING = {"ㅅ": "sh", "ㅆ": "sh", "ㅈ": "j", "ㅉ": "j", "ㅊ": "ch"}


# Korean has no f: loans write it ㅍ, as they write p (포드 Ford, 필립스 Philips, 페이스북 Facebook;
# 펩시 Pepsi, 파리 Paris), so ㅍ has two Western values and no rule tells which.  Nor has it v: loans
# write it ㅂ (볼보 Volvo, 비자 Visa, 버진 Virgin), as they write b, and b far more often (스타벅스,
# 버거킹, 바게뜨, 페이스북), so the v is a reading of its own beside the one with b.  And it writes the
# English long i, [aɪ], as 아이 (나이키 Nike, 나이스 nice, 타이드 Tide), which English spells i (the
# sound keys hear the i of NIKE and TIDE so), more often than ai or ei.
_WESTERN_LABIALS = {"ㅍ": "f"}
_WESTERN_V = {"ㅂ": "v"}
_A, _NO_CODA = 0, ""


def _loan_syllable(syl: _Syllable, previous_coda: str, onsets: dict[str, str] = _LOAN_ONSET) -> str:
    if syl.onset in _PALATAL_SPELLING and syl.vowel in _Y_VOWELS:
        head = _PALATAL_SPELLING[syl.onset] + _Y_VOWELS[syl.vowel]
    elif syl.vowel == _EU and syl.onset != _NULL:
        head = onsets[syl.onset]
    else:
        onset = "l" if (syl.onset == "ㄹ" and previous_coda == "ㄹ") else onsets[syl.onset]
        head = onset + _LOAN_VOWELS[syl.vowel]
    coda = "".join(_LOAN_CODA.get(j, "") for j in syl.coda[:1])
    return head + coda


@lru_cache(maxsize=65536)
def korean_loan(word: str, *, western: bool = False, v: bool = False) -> str:
    """The reading of a Korean rendering of a Western word, for matching the
    Western spelling: epenthetic 으 dropped, ㅓ -> o, ㅐ -> a, 샤 -> sha.
    ``western``: ㅍ before a vowel read as the Western f it also renders, and 아이 as the
    English long i; with ``v`` too, ㅂ before a vowel read as the Western v it also renders.

    >>> [korean_loan(w) for w in ("스타벅스", "샤넬", "유니클로", "라잇템", "배스킨라빈스")]
    ['staboks', 'shanel', 'yunikllo', 'raittem', 'baskinrabins']
    >>> [korean_loan(w, western=True) for w in ("포드", "필립스", "폭스바겐", "나이키", "타이드")]
    ['fod', 'fillips', 'foksbagen', 'niki', 'tid']
    >>> [korean_loan(w, western=True, v=True) for w in ("볼보", "비자", "버진", "페이스북")]
    ['volvo', 'vija', 'vojin', 'feisvuk']
    """
    onsets = _LOAN_ONSET
    if western:
        onsets = onsets | _WESTERN_LABIALS | (_WESTERN_V if v else {})
    parts: list[str] = []
    for run in _runs(word):
        if isinstance(run, str):
            parts.append(_spell_other(run))
            continue
        previous = ""
        skip = False
        for i, syl in enumerate(run):
            if skip:
                skip = False
                previous = syl.coda
                continue
            following = run[i + 1] if i + 1 < len(run) else None
            if western and syl.vowel == _A and syl.coda == _NO_CODA and following is not None \
                    and following.onset == _NULL and following.vowel == _I:
                # 아이: the long i, the 이 read with it (its final, if any, is kept)
                parts.append(_loan_syllable(_Syllable(syl.onset, _I, following.coda), previous, onsets))
                skip = True
                continue
            parts.append(_loan_syllable(syl, previous, onsets))
            previous = syl.coda
    return "".join(parts)


def korean_western(word: str) -> tuple[str, ...]:
    """The Western readings of a Korean rendering (:func:`korean_loan` with ``western``): ㅍ read
    f, then ㅍ read f and ㅂ read v, without repeats.  Each letter's other value stays in the
    plain loan reading, and the b in the first of these, for the many words that write b with ㅂ
    and f with ㅍ (페이스북 Facebook).

    >>> korean_western("볼보"), korean_western("포드"), korean_western("페이스북")
    (('bolbo', 'volvo'), ('fod',), ('feisbuk', 'feisvuk'))
    """
    return tuple(dict.fromkeys((korean_loan(word, western=True), korean_loan(word, western=True, v=True))))


def korean_readings(word: str) -> tuple[str, ...]:
    """Plain and pronounced Revised Romanisation, deduplicated, in that order.

    >>> korean_readings("국물"), korean_readings("삼성")
    (('gugmul', 'gungmul'), ('samseong',))
    """
    readings = (korean_plain(word), korean_pronounced(word))
    return tuple(dict.fromkeys(r for r in readings if r))
