"""Numbers as they are said: ``7-ELEVEN`` sounds like ``SEVEN ELEVEN``, ``4EVER`` like ``FOREVER``.

Offices compare marks as they are spoken, and a numeral is spoken as a word
(the doctrine is settled: 2GETHER and TOGETHER, 4EVER and FOREVER are
aurally identical).  The sound keys therefore also hear each run of one or
two digits as its English words, and an ordinal (``1ST``, ``21st``) as its
ordinal.  Written by hand because the readings wanted are a few dozen words
with a regular rule; a number-to-words library would add a dependency for
one line of use, and would spell the long numbers that this deliberately
leaves alone.

* **English only.**  A mark's language is rarely known and English is the
  language numbers in brand names are read in most (FOREVER 21, 7-ELEVEN,
  4KIDS); a German reader hears ``sieben``, which these keys do not give.
* **Runs of three digits or more stay digits.**  ``747``, ``1984`` and
  ``4711`` are said in several ways (digit by digit, in pairs), and a mark
  is rarely such a number spelt out.
* **Puns**: :func:`spoken` with ``puns=True`` hears 1, 2, 4 and 8 as the
  short words they stand for in brand names (won, to, for, ate):
  ``2GETHER`` is *together*, ``4 EVER`` *for ever*.  Only in a number
  written apart or in a word of three letters or more besides the digits:
  the letter beside the number in ``4D`` or ``3M`` is said by its name
  ("four dee"), so 4D is not *ford*.

>>> spoken("7"), spoken("4ever"), spoken("forever21"), spoken("1st"), spoken("747")
('seven', 'fourever', 'forevertwentyone', 'first', '747')
>>> spoken("2gether", puns=True), spoken("4d", puns=True), spoken("4711", puns=True)
('together', 'fourd', '4711')
"""

from __future__ import annotations

import re

__all__ = ["has_digit", "spoken"]

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# The ordinals that do not add -th to the cardinal (and -y becomes -ieth).
_ORDINAL_ENDS = (("one", "first"), ("two", "second"), ("three", "third"), ("five", "fifth"),
                 ("eight", "eighth"), ("nine", "ninth"), ("twelve", "twelfth"))
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}
_PUNS = {1: "won", 2: "to", 4: "for", 8: "ate"}
_PUN_LETTERS = 3  # letters a word needs besides its digits for a number in it to be a pun
# A run of one or two digits, not part of a longer run, with an ordinal ending if it has one.
_DIGIT = re.compile(r"[0-9]")
_RUN = re.compile(r"(?<![0-9])([0-9]{1,2})(st|nd|rd|th)?(?![0-9])")


def has_digit(text: str) -> bool:
    # isalpha answers in C for nearly every word (at ingest speed); only the rest is scanned
    return not text.isalpha() and _DIGIT.search(text) is not None


def _cardinal(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (_ONES[ones] if ones else "")


def _ordinal(n: int) -> str:
    word = _cardinal(n)
    for end, ordinal in _ORDINAL_ENDS:
        if word.endswith(end):
            return word[: -len(end)] + ordinal
    return word[:-1] + "ieth" if word.endswith("y") else word + "th"


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 19 else _SUFFIXES.get(n % 10, "th")


def _say(match: re.Match[str], puns: bool) -> str:
    digits, ending = match.group(1), match.group(2) or ""
    if len(digits) == 2 and digits[0] == "0":  # 07: digit by digit
        return _ONES[0] + _ONES[int(digits[1])] + ending
    n = int(digits)
    if ending:
        return _ordinal(n) if ending == _suffix(n) else _cardinal(n) + ending
    if puns and n in _PUNS:
        return _PUNS[n]
    return _cardinal(n)


def spoken(word: str, *, puns: bool = False) -> str:
    """``word`` (folded, ASCII digits) with each run of one or two digits said in English words."""
    if not has_digit(word):
        return word
    letters = sum(c.isalpha() for c in word)
    puns = puns and (letters == 0 or letters >= _PUN_LETTERS)  # the 4 of "4 EVER" is one too
    return _RUN.sub(lambda m: _say(m, puns), word)
