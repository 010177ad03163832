"""Folding: the small steps that make two spellings of one mark compare equal.

Each step is a pure function of a ``str``; :func:`fold_tokens` chains them in
the order that matters (clean, NFKC, case fold, split, conjunctions).  The
forms kept for a mark are:

* the *folded* form, tokens joined by one space: ``"coca cola"``;
* the *compact* form, tokens run together, conjunctions dropped: ``"cocacola"``;
* the *plain* form, the compact form without diacritics: ``"muller"``.

>>> fold("COCA-COLA"), fold("Coca Cola"), compact_of(fold_tokens("COCACOLA"))
('coca cola', 'coca cola', 'cocacola')
>>> fold("Müller & Söhne"), plain("müller")
('müller & söhne', 'muller')
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from anyascii import anyascii

from marksearch.text.scripts import char_script

__all__ = [
    "AMPERSAND",
    "CONJUNCTIONS",
    "clean",
    "compact_of",
    "fold",
    "fold_case",
    "fold_tokens",
    "plain",
    "split_tokens",
    "strip_diacritics",
]

# The token that stands for every conjunction in the folded form.
AMPERSAND = "&"

# "and" as marks write it: English AND, German UND, French and Latin ET, the
# signs & and +, and the N of "Rock 'n' Roll" once its apostrophes are gone.
# Only a word *between* two others counts, so "AND1" and "ET CETERA" keep
# their first word.  Not included: Spanish Y, Italian E, Dutch EN, which are
# also letters or common words in marks ("VITAMIN E", "EN VOGUE").
CONJUNCTIONS = frozenset({"&", "+", "and", "und", "et", "n"})
# Conjunctions that are also letters: N is "and" only beside a word of more than one letter
# (ROCK N ROLL, GUNS N ROSES); between two single letters it is one of the letters of an acronym
# spelt out (T.N.T., D.N.A., S O N Y are TNT, DNA, SONY, as A.B.C. is ABC).  Digits are not
# spelt letters, so 4 N 1 keeps its "and".  N is the only letter among the conjunctions; should
# Y, E or U (Spanish, Italian, Portuguese "and") ever join them, they take the same rule.
_LETTER_CONJUNCTIONS = frozenset(w for w in CONJUNCTIONS if len(w) == 1 and w.isalpha())

# Apostrophes vanish inside a word ("Wendy's" -> "wendys", "L'Oréal" ->
# "loreal") because registers write them inconsistently; every other
# punctuation sign separates words.
_APOSTROPHES = frozenset("'\u2019\u02bc\u02b9\u0060\u00b4\u2018\u2032")
_JOINERS = frozenset({"&", "+"})
# Signs that stand for a letter inside a word (CA$H is CASH, KE$HA is KESHA, €URO is EURO): read
# as the letter when a letter is beside them and no digit is (US$ 5 and 5 € stay signs).
_LETTER_SIGNS = {"$": "s", "€": "e"}
# Hearts stand for the word (I ♥ NY is I LOVE NY).
_HEARTS = frozenset("\u2665\u2764\u2661")
_HEART_WORD = "love"


# The trade mark and service mark signs are notices, not part of a mark; NFKC
# would turn them into the letters TM and SM (NIKE™ would read "niketm").  The
# registered and copyright signs (® ©) are symbols that NFKC keeps, and that
# splitting drops with every other sign.
_NOTICES = frozenset("\u2122\u2120")


def clean(text: str) -> str:
    """Replace what is not text (controls, format characters, lone surrogates,
    unassigned and private-use code points) by spaces, so later steps and C
    libraries only ever see well-formed text; and the signs ™ and ℠.

    >>> clean("a\\x00b\\u200dc\\ud800d"), clean("NIKE™")
    ('a b c d', 'NIKE ')
    """
    if text.isascii() and text.isprintable():
        return text
    return "".join(" " if c in _NOTICES or unicodedata.category(c)[0] == "C" else c for c in text)


def fold_case(text: str) -> str:
    """NFKC and case folding, repeated until stable.

    One round is not always enough: case folding can produce sequences that
    NFKC composes again (and the reverse), so folding must be idempotent by
    construction, which the Hypothesis tests check.

    >>> fold_case("ＣＯＣＡ Straße")
    'coca strasse'
    """
    current = unicodedata.normalize("NFKC", text)
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", current.casefold())
        if folded == current:
            break
        current = folded
    return current


def _is_word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN"


# Arabic and Hebrew write their short vowels and other readings as marks over and under the
# letters, mostly left out (كوكا كولا, קוקה קולה) and sometimes written (كُوكَا كُولَا, קוֹקָה קוֹלָה);
# one mark either way, so they are dropped.  Russian writes ё as е as often as not (ЁЛКА, ЕЛКА).
_SILENT_MARK_SCRIPTS = frozenset({"Arab", "Hebr"})
# Arabic script has letter forms that spell one letter: Persian and Urdu write kaf and yeh as
# keheh and farsi yeh (کیا and كيا are one KIA), Egypt writes a final yeh as alef maksura, and
# the hamza and madda on an alef are left out as often as written (أ, إ, آ, ٱ): each is spelt as
# the plain letter, as Arabic search engines fold them (Lucene's Arabic and Persian normalisers).
_LETTER_FORMS = {"ё": "е", "ک": "ك", "ی": "ي", "ى": "ي", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}


@lru_cache(maxsize=1024)
def _letter_form(c: str) -> str:
    """The one form of a letter or digit: the letter forms above, and a decimal digit of any script
    as its ASCII digit (٧ and ۷ are 7; NFKC leaves them, as it does not full-width ７)."""
    if c in _LETTER_FORMS:
        return _LETTER_FORMS[c]
    if not c.isascii() and unicodedata.category(c) == "Nd":
        return str(unicodedata.decimal(c))
    return c


# The Arabic tatweel (kashida) only stretches the joining line between two letters (نايـك is
# نايك written wider); no letter of its own, so it is dropped like the vowel points.
_TATWEEL = "\u0640"
# Hebrew writes the Western sounds J, ZH and CH as gimel, zayin and tsadi with a geresh (ג׳יפ,
# Jeep), often typed as an apostrophe (ג'יפ): the mark stays on the word, as the geresh.
_GERESH = "\u05f3"
_GERESH_LETTERS = frozenset("גזצץ")


@lru_cache(maxsize=1024)
def _silent_mark(c: str) -> bool:
    return unicodedata.category(c)[0] == "M" and char_script(c) in _SILENT_MARK_SCRIPTS


def split_tokens(text: str) -> tuple[str, ...]:
    """Split folded text into words: runs of letters, marks and digits.

    Apostrophes are dropped inside a word; ``&`` and ``+`` are kept as words
    of their own so that conjunctions can be recognised; ``$`` and ``€``
    beside a letter are the letters they stand for, and a heart the word
    *love*; every other sign separates words.  A combining mark that follows
    no letter (the emoji variation selector of ❤️, an accent typed first) is
    dropped: it would be an invisible word of its own; so are Arabic and
    Hebrew vowel points and the Arabic tatweel; ё is written е, Persian
    letters and alefs with a hamza or madda as the plain Arabic letter, and
    digits of every script as ASCII digits.

    >>> split_tokens("wendy's coca-cola at&t")
    ('wendys', 'coca', 'cola', 'at', '&', 't')
    >>> split_tokens("ca$h us$ 5 i\u2764\ufe0fny")
    ('cash', 'uss', '5', 'i', 'love', 'ny')
    >>> split_tokens("تُويُوتَا קוֹקָה ёлка") == split_tokens("تويوتا קוקה елка")  # vowel points, ё
    True
    >>> split_tokens("نايـك") == split_tokens("نايك")  # a tatweel stretches a letter
    True
    >>> split_tokens("کیا ٧ أحمد ۲۰") == split_tokens("كيا 7 احمد 20")  # Persian letters, hamza, digits
    True
    >>> split_tokens("ג'יפ") == split_tokens("ג\u05f3יפ") == ("ג\u05f3יפ",)  # a geresh, however typed
    True
    """
    words: list[str] = []
    current: list[str] = []
    lettered = False
    for i, c in enumerate(text):
        if c in _LETTER_SIGNS and _stands_for_letter(text, i):
            c = _LETTER_SIGNS[c]
            lettered = True
        if _is_word_char(c):
            if c == _TATWEEL or _silent_mark(c):
                continue
            if current or unicodedata.category(c)[0] != "M":
                current.append(_letter_form(c))
        elif (c in _APOSTROPHES or c == _GERESH) and current:
            if current[-1] in _GERESH_LETTERS:  # ג׳ is J, ז׳ ZH, צ׳ CH: one letter, kept so
                current.append(_GERESH)
            continue
        else:
            if current:
                words.append("".join(current))
                current = []
            if c in _JOINERS:
                words.append(c)
            elif c in _HEARTS:
                words.append(_HEART_WORD)
    if current:
        words.append("".join(current))
    if lettered:  # an accent after CA$H's $ now composes with its s: keep the words NFKC
        return tuple(unicodedata.normalize("NFKC", w) for w in words)
    return tuple(words)


def _stands_for_letter(text: str, i: int) -> bool:
    beside = text[i - 1 : i] + text[i + 1 : i + 2]
    return any(c.isalpha() for c in beside) and not any(c.isdigit() for c in beside)


def _mark_conjunctions(words: tuple[str, ...]) -> tuple[str, ...]:
    """Turn a conjunction between two words into ``&``; drop stray joiners.  A letter that is
    a conjunction (N) stays a letter between two single letters (T.N.T.); a ``+`` that closes a
    mark is said "plus" (DISNEY+, CANAL+ and C++ are DISNEY PLUS, CANAL PLUS and C PLUS PLUS).

    >>> _mark_conjunctions(("disney", "+")), _mark_conjunctions(("c", "+", "+")), _mark_conjunctions(("a", "+", "b"))
    (('disney', 'plus'), ('c', 'plus', 'plus'), ('a', '&', 'b'))
    """
    out: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        if word == "+" and out and all(w == "+" for w in words[i:]):
            out.append("plus")
        elif word in CONJUNCTIONS and 0 < i < last and not (
            word in _LETTER_CONJUNCTIONS and _spelt_letter(words[i - 1]) and _spelt_letter(words[i + 1])
        ):
            if out and out[-1] != AMPERSAND:
                out.append(AMPERSAND)
        elif word not in _JOINERS:
            out.append(word)
    while out and out[-1] == AMPERSAND:
        out.pop()
    return tuple(out)


def _spelt_letter(word: str) -> bool:
    """Whether a word is one letter alone, as an acronym spelt out letter by letter writes it."""
    return len(word) == 1 and word.isalpha()


@lru_cache(maxsize=65536)
def fold_tokens(text: str) -> tuple[str, ...]:
    """The folded words of a mark, conjunctions shown as ``&``.

    >>> fold_tokens("Marks and Spencer"), fold_tokens("MARKS & SPENCER")
    (('marks', '&', 'spencer'), ('marks', '&', 'spencer'))
    """
    return _mark_conjunctions(split_tokens(fold_case(clean(text))))


def fold(text: str) -> str:
    """The folded, spaced form of a mark.

    >>> fold("  COCA-COLA® ")
    'coca cola'
    """
    return " ".join(fold_tokens(text))


def has_words(text: str) -> bool:
    """Whether a text has letters or digits for the keys to compare: symbols and
    punctuation alone have none, and would be compared as nothing with nothing.

    Modifier letters alone (the iteration marks 々 and ゝ, the length mark ー) are no words
    either: they repeat or lengthen a letter beside them, and no key reads them; the Arabic
    tatweel ـ, which stretches one, is dropped by :func:`split_tokens`.

    >>> has_words("C++"), has_words("可口可乐"), has_words("★ !!! ®"), has_words("々 ー ـ")
    (True, True, False, False)
    """
    return any(_is_read(c) for token in fold_tokens(text) for c in token)


def _is_read(c: str) -> bool:
    category = unicodedata.category(c)
    return (category[0] == "L" and category != "Lm") or category[0] == "N"


def compact_of(words: tuple[str, ...]) -> str:
    """Words run together, conjunctions dropped: the key that spacing and
    hyphenation cannot change.

    >>> compact_of(("johnson", "&", "johnson"))
    'johnsonjohnson'
    """
    return "".join(w for w in words if w != AMPERSAND)


# Latin letters without a canonical decomposition into base + accent; NFD
# leaves them alone, so they are spelled out here: the base letter their
# Unicode name gives (LATIN SMALL LETTER O WITH STROKE -> o), ligatures as two
# letters (Latin-1 Supplement and Latin Extended-A charts, Unicode 15.0).
# Other Latin letters without decomposition go through anyascii.
_LATIN_LETTERS = {
    "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ß": "ss", "ĸ": "k", "ŀ": "l",
}


@lru_cache(maxsize=4096)
def _plain_char(c: str) -> str:
    script = char_script(c)
    if script == "Latn":
        if c in _LATIN_LETTERS:
            return _LATIN_LETTERS[c]
        base = "".join(d for d in unicodedata.normalize("NFD", c)
                       if not unicodedata.combining(d))
        if base.isascii():
            return base
        return "".join(ch for ch in anyascii(c).lower() if ch.isalnum()) or c
    if script == "Kana" and "\u30a1" <= c <= "\u30f6":
        # Katakana as hiragana: one language's sounds in its two kana, as a Japanese reader
        # takes トウキョウ and とうきょう for the same word (case is the Latin likeness).
        return chr(ord(c) - 0x60)
    if script == "Grek" or (script == "Zinh" and unicodedata.combining(c)):
        base = "".join(d for d in unicodedata.normalize("NFD", c)
                       if not unicodedata.combining(d))
        return base
    if script == "Hani":
        return _simplified().get(c, c)
    return c


def strip_diacritics(text: str) -> str:
    """Remove accents from Latin and Greek letters, write katakana as hiragana and traditional
    Chinese characters as simplified; other scripts are left alone because NFD would break
    Hangul syllables and kana voicing marks.

    >>> strip_diacritics("crème brûlée ø ά 가 トウキョウ 可口可樂")
    'creme brulee o α 가 とうきょう 可口可乐'
    """
    if text.isascii():
        return text
    return "".join(_plain_char(c) for c in text)


@lru_cache(maxsize=1)
def _simplified() -> dict[str, str]:
    """Traditional Chinese characters and their simplified forms, from OpenCC's character table
    (``TSCharacters.txt`` of opencc-python-reimplemented): 可口可樂 and 可口可乐 are one mark to a
    Chinese examiner, as are the Japanese forms that equal the traditional ones (東京, 东京).

    Read character by character, once, rather than through OpenCC's phrase conversion, which
    took about 10 µs a word, and words are made plain again each time a search scores a mark
    (``Candidate.from_keys``).  A character the table gives several simplified forms, itself
    among them (乾: 干 or 乾), stays as it is.
    """
    from importlib.resources import files

    table: dict[str, str] = {}
    for line in files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text("utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        forms = simplified.split()
        if len(traditional) == 1 and forms and traditional not in forms:
            table[traditional] = forms[0]
    return table


def plain(compact: str) -> str:
    """The compact form without diacritics (alias kept for readability).

    >>> plain("lorealparis"), plain("löwenbräu")
    ('lorealparis', 'lowenbrau')
    """
    return strip_diacritics(compact)
