"""Every key function is total on arbitrary Unicode and deterministic.

Ingest meets whatever offices publish; a key function that raises would stop
it.  Each function here is called on arbitrary text (controls, lone
surrogates, unassigned code points included), twice, with its caches emptied
in between, and must give the same answer both times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksearch.text import chinese, confusables, fold, japanese, korean, phonetic, romanise, scripts, words
from marksearch.text.keys import mark_keys
from marksearch.text.similarity import key_similarity

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=24)

FUNCTIONS: dict[str, Callable[[str], Any]] = {
    "fold.clean": fold.clean,
    "fold.fold_case": fold.fold_case,
    "fold.split_tokens": fold.split_tokens,
    "fold.fold_tokens": fold.fold_tokens,
    "fold.fold": fold.fold,
    "fold.strip_diacritics": fold.strip_diacritics,
    "fold.plain": fold.plain,
    "confusables.skeleton_word": confusables.skeleton_word,
    "confusables.digits_as_letters": confusables.digits_as_letters,
    "scripts.word_script": scripts.word_script,
    "scripts.split_script_runs": scripts.split_script_runs,
    "scripts.mark_scripts": scripts.mark_scripts,
    "chinese.chinese_readings": chinese.chinese_readings,
    "chinese.pinyin_syllables": chinese.pinyin_syllables,
    "chinese.pinyin_initials": chinese.pinyin_initials,
    "chinese.pinyin_loan": chinese.pinyin_loan,
    "japanese.japanese_readings": japanese.japanese_readings,
    "japanese.kana_romaji": japanese.kana_romaji,
    "japanese.long_vowels_dropped": japanese.long_vowels_dropped,
    "japanese.japanese_loan": japanese.japanese_loan,
    "japanese.japanese_loan_reading": japanese.japanese_loan_reading,
    "korean.korean_plain": korean.korean_plain,
    "korean.korean_pronounced": korean.korean_pronounced,
    "korean.korean_loan": korean.korean_loan,
    "korean.korean_readings": korean.korean_readings,
    "romanise.ascii_key": romanise.ascii_key,
    "phonetic.sound_key": phonetic.sound_key,
    "phonetic.metaphone_codes": phonetic.metaphone_codes,
    "phonetic.loose_key": phonetic.loose_key,
    "words.split_affixes": words.split_affixes,
    "keys.mark_keys": mark_keys,
}


def _clear(function: Callable[..., Any]) -> None:
    clear = getattr(function, "cache_clear", None)
    if callable(clear):
        clear()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_key_function_is_total_and_deterministic(name: str, text: str) -> None:
    function = FUNCTIONS[name]
    first = function(text)
    _clear(function)
    assert function(text) == first


@settings(deadline=None)
@given(ANY_TEXT, st.sampled_from(["Latn", "Hani", "Kana", "Hira", "Jpan", "Hang", "Cyrl", "Zyyy"]),
       st.booleans())
def test_romanise_word_is_total(text: str, script: str, japanese_han: bool) -> None:
    romanise.romanise_word(text, script, han_as_japanese=japanese_han)


@given(st.lists(ANY_TEXT, max_size=6))
def test_word_list_functions_are_total(items: list[str]) -> None:
    words.roles(tuple(items))
    phonetic.sound_key_of_words(items)
    fold.compact_of(tuple(items))
    confusables.skeleton_of(tuple(items))


@given(st.characters(exclude_categories=()))
def test_char_script_is_total(char: str) -> None:
    assert len(scripts.char_script(char)) == 4


@settings(deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_key_similarity_is_total(left: str, right: str) -> None:
    score = key_similarity(mark_keys(left), mark_keys(right))
    assert 0.0 <= score <= 1.0


@settings(deadline=None)
@given(ANY_TEXT)
def test_mark_keys_round_trip_on_any_text(text: str) -> None:
    from marksearch.text import MarkKeys

    keys = mark_keys(text)
    assert MarkKeys.from_dict(keys.to_dict()) == keys
