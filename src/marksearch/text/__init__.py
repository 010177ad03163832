"""Text keys: how marks are read and heard, across scripts.

Pure functions, no I/O.  The pipeline, one module per step:

``fold``          NFKC, case folding, words, conjunctions, diacritics
``confusables``   the visual skeleton (0/O, 1/l/I, rn/m, vv/w)
``scripts``       ISO 15924 script of characters, words and marks
``chinese``       pinyin readings, syllables, initials, loanword respelling
``japanese``      cutlet and kana readings, long vowels, loanword respelling
``korean``        Revised Romanisation, plain, pronounced and loanword
``romanise``      one reading function for every script (anyascii fallback)
``phonetic``      Double Metaphone, sound keys, loose keys
``words``         dominant, generic and legal-form words
``keys``          :func:`mark_keys` and :class:`MarkKeys`, what the store keeps
``similarity``    :func:`key_similarity`, the cross-script signal

>>> keys = mark_keys("COCA-COLA")
>>> keys.compact, keys.dominant, key_similarity(keys, mark_keys("コカ・コーラ"))
('cocacola', ('coca',), 1.0)
"""

from marksearch.text.fold import fold_tokens, has_words, strip_diacritics
from marksearch.text.keys import MarkKeys, WordKeys, mark_keys
from marksearch.text.phonetic import loose_key, metaphone_codes, sound_key
from marksearch.text.romanise import romanise_word
from marksearch.text.scripts import char_script, mark_scripts, word_script
from marksearch.text.similarity import CROSS_SCRIPT_THRESHOLD, key_similarity
from marksearch.text.words import roles

__all__ = [
    "CROSS_SCRIPT_THRESHOLD",
    "MarkKeys",
    "WordKeys",
    "char_script",
    "fold_tokens",
    "has_words",
    "key_similarity",
    "loose_key",
    "mark_keys",
    "mark_scripts",
    "metaphone_codes",
    "roles",
    "romanise_word",
    "sound_key",
    "strip_diacritics",
    "word_script",
]
