"""Goods text to terms, and terms to the features the term index matches on.

A goods description is a list of terms: offices separate them with ``;``
(Greek with the ano teleia ``·``, which NFKC turns into a middle dot),
people with new lines, and Chinese with ``；``, ``，`` or ``、``.  Inside
one English term a comma does not separate terms ("coffee machines,
electric"), so commas split only text written in Han characters.

Features, the words of a bag-of-words model that tolerates inflection and
compounds without a stemmer per language:

* each alphabetic word (Latin, Cyrillic, Greek, ...), folded and without
  diacritics, as itself (``w:``), by its first five letters (``p:``,
  ``phone``/``phones``, ``kaffee``/``kaffeemaschinen``) and by its last five
  (``e:``; German and Dutch put the head of a compound last:
  ``handyhullen``/``hullen``).  Truncation is a crude stemmer that does as
  well as language stemmers for retrieval in many European languages
  (McNamee and Mayfield, "Character N-Gram Tokenization for European
  Language Text Retrieval", Information Retrieval 7, 2004).  A plural ``s``
  is dropped before truncating;
* in short terms (:data:`TRIGRAM_WORDS` words at most), the character
  trigrams of each word (``t:``), which let a rare word meet its family
  (``holmium``/``-ium`` chemicals); long terms have words enough;
* the head noun (``h:``): the last word before the first preposition or
  comma ("paper for drawing", "drawing paper", "papier à dessin");
* words in the scope of a negation ("not of metal", "other than
  electronic", "nicht aus Metall") as features of their own (``!``), so
  that "padlocks of metal" (class 6) is not taken for "padlocks, not of
  metal" (class 20);
* Han, kana and Hangul: single characters (``c:``) and character pairs
  (``b:``), because Chinese and Japanese write no spaces and Korean
  compounds freely;
* the WordNet categories of the head noun (``y:``, :mod:`.senses`): what
  kind of thing it names ("kirsch": a brandy, a liquor), for the category
  vote of class suggestion.

>>> split_terms("coffee; tea;\\npastries")
['coffee', 'tea', 'pastries']
>>> split_terms("咖啡，茶、糕点")
['咖啡', '茶', '糕点']
>>> fold_goods("Acetates [chemicals]*")
'acetates [chemicals]'
>>> features("phone cases")[:8]
['w:phone', 'p:phone', 't:<ph', 't:pho', 't:hon', 't:one', 't:ne>', 'w:cases']
>>> features("咖啡机")
['c:咖', 'c:啡', 'c:机', 'b:咖啡', 'b:啡机']
>>> features("padlocks, not of metal")[:7]
['w:padlocks', 'p:padlo', 'e:dlock', 'w:!of', 'w:!metal', 'p:!metal', 'h:padlock']
>>> features("padlocks")[-5:]  # padlock, lock, fastener, restraint, device
['y:03874599', 'y:03682487', 'y:03323703', 'y:04081844', 'y:03183080']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from marksearch.goods.senses import categories

__all__ = [
    "HEAD_ENDS",
    "NEGATIONS",
    "STEM",
    "TRIGRAM_WORDS",
    "features",
    "fold_goods",
    "is_cjk",
    "key_and_features",
    "singular",
    "split_terms",
    "term_key",
    "word_features",
    "words",
]

# Letters kept by the prefix and suffix stems of an alphabetic word.
STEM = 5
# Terms of at most this many words also get character trigrams.
TRIGRAM_WORDS = 3

_SEPARATORS = re.compile(r"[;；·\u0387\n\r]+")
_HAN_SEPARATORS = re.compile(r"[,，、]+")
_HAN_TEXT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_STARS = re.compile(r"\s*\*+")
_SPACES = re.compile(r"\s+")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")
_APOSTROPHES = re.compile("['\u2019\u02bc`\u00b4]")
_HAS_APOSTROPHE = _APOSTROPHES.search
_WORDS = re.compile(r"[^\W_]+")
_SCOPE_ENDS = re.compile(r"[,()\[\]{}:]")
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uf900-\ufaff"
_CJK_RUNS = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")

# Latin letters without a decomposition into base letter and accent, as in
# marksearch.text.fold (Latin-1 Supplement and Latin Extended-A charts).
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                          "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ß": "ss"})

# Words that negate what follows them up to the next comma or bracket: the
# words EUIPO's translations of "not of metal" and "other than" use, read off
# the aligned texts of the EUIPO sample records (shared/data/formats/st66).
NEGATIONS = frozenset({
    "not", "non", "than", "except",            # en ("other than")
    "nicht", "ausgenommen", "ausser",          # de
    "ikke", "niet", "inte", "ej",              # da, nl, sv
    "sauf", "no", "excepto", "nao", "exceto",  # fr (non), es, pt
    "nu", "nie", "ne", "ei", "kuin", "nem", "nav", "mhux",  # ro, pl/cs/sk/sl/hr/lt, fi, hu, lv, mt
    "не", "οχι", "μη",                         # bg, el
})

# Words after which a term's head noun has been said ("paper for drawing",
# "papier à dessin", "Papier für Zeichnungen"): prepositions, conjunctions
# and participles of English, French, Spanish, Italian and German.
HEAD_ENDS = frozenset({
    "for", "of", "with", "in", "on", "from", "to", "by", "being", "made", "adapted",
    "used", "including", "other", "not", "and", "or", "as", "the", "a", "an",
    "de", "du", "des", "au", "aux", "pour", "en", "avec", "sans", "sur", "et", "ou",
    "del", "para", "con", "sin", "por", "y", "o", "di", "da", "per", "della", "e",
    "fur", "aus", "zum", "zur", "mit", "von", "und", "oder",
})


def split_terms(text: str) -> list[str]:
    """The terms of a goods description, stripped, empty ones dropped."""
    parts = _SEPARATORS.split(text)
    if _HAN_TEXT.search(text):
        parts = [p for part in parts for p in _HAN_SEPARATORS.split(part)]
    return [t for t in (_SPACES.sub(" ", p).strip(" .,:") for p in parts) if t]


def fold_goods(text: str) -> str:
    """Case, width and spacing folded; controls and WIPO's ``*`` dropped.

    (The asterisk marks an indication that the list also has in another
    class; it is not part of the wording.)  One round of NFKC and case
    folding, unlike :func:`marksearch.text.fold.fold_case`, which repeats
    until stable: goods text is matched, never stored as a key, and this
    runs for every term of a register.
    """
    if not text.isprintable():
        text = _CONTROLS.sub(" ", text)
    folded = unicodedata.normalize("NFKC", text.casefold())
    if "*" in folded:
        folded = _STARS.sub("", folded)
    return " ".join(folded.split())


def is_cjk(c: str) -> bool:
    """Han, kana, Hangul: written without spaces between words (or compounded freely)."""
    return _CJK_CHAR.match(c) is not None


@lru_cache(maxsize=262144)
def _plain(word: str) -> str:
    """A word without diacritics; CJK left alone (NFD would split Hangul syllables)."""
    if word.isascii() or _CJK_CHAR.search(word):
        return word
    decomposed = unicodedata.normalize("NFD", word.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(folded: str) -> list[str]:
    """Words of folded text: letters and digits, apostrophes dropped inside words."""
    if _HAS_APOSTROPHE(folded):
        folded = _APOSTROPHES.sub("", folded)
    return _WORDS.findall(folded)


def term_key(text: str) -> str:
    """What two spellings of one term share: folded words without diacritics.

    >>> term_key("Café-crème ") == term_key("cafe creme")
    True
    """
    return _key(fold_goods(text))


def _key(folded: str) -> str:
    return " ".join(words(folded) if folded.isascii() else map(_plain, words(folded)))


def features(text: str) -> list[str]:
    """The distinct features of one term, in first-seen order."""
    return _features(fold_goods(text))


def key_and_features(text: str) -> tuple[str, list[str]]:
    """:func:`term_key` and :func:`features` at the cost of one folding."""
    folded = fold_goods(text)
    return _key(folded), _features(folded)


def _features(folded: str) -> list[str]:
    out: dict[str, None] = {}
    scopes = [words(scope) for scope in _SCOPE_ENDS.split(folded)]
    trigrams = sum(len(ws) for ws in scopes) <= TRIGRAM_WORDS
    lead: list[str] = []  # the words up to the head noun
    head_said = False
    for ws in scopes:
        negated = False
        for word in ws:
            if _CJK_CHAR.search(word):
                head_said = True
                _cjk_features(word, out, trigrams)
                continue
            word = _plain(word)
            if not head_said:
                if lead and word in HEAD_ENDS:
                    head_said = True
                else:
                    lead.append(word)
            if word in NEGATIONS:
                negated = True
            else:
                _word_features(word, out, trigrams, "!" if negated else "")
        head_said = True
    if lead:
        out["h:" + singular(lead[-1])] = None
        if lead[-1].isascii():
            out.update(dict.fromkeys(categories(lead)))
    return list(out)


def singular(word: str) -> str:
    """A word without its plural ``s`` (a word of more than three letters): the form of a head noun.

    >>> singular("services"), singular("gas")
    ('service', 'gas')
    """
    return word[:-1] if len(word) > 3 and word[-1] == "s" else word


def word_features(word: str, *, trigrams: bool = True) -> list[str]:
    """The features one alphabetic word (folded, without diacritics) gives a term.

    >>> word_features("services", trigrams=False)
    ['w:services', 'p:servi', 'e:rvice']
    """
    out: dict[str, None] = {}
    _word_features(word, out, trigrams)
    return list(out)


def _word_features(word: str, out: dict[str, None], trigrams: bool, mark: str = "") -> None:
    out["w:" + mark + word] = None
    stem = singular(word)
    if len(stem) > 3:
        out["p:" + mark + stem[:STEM]] = None
    if len(stem) > STEM:
        out["e:" + mark + stem[-STEM:]] = None
    if trigrams and not mark and len(stem) > 3:
        padded = "<" + stem + ">"
        for i in range(len(padded) - 2):
            out["t:" + padded[i:i + 3]] = None


def _cjk_features(word: str, out: dict[str, None], trigrams: bool) -> None:
    # A run of letters may mix scripts ("t恤", "led灯"): cut it apart.
    for run in _CJK_RUNS.findall(word):
        if not is_cjk(run[0]):
            _word_features(_plain(run), out, trigrams)
            continue
        for c in run:
            out["c:" + c] = None
        for i in range(len(run) - 1):
            out["b:" + run[i:i + 2]] = None
