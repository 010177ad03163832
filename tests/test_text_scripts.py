"""Script detection per character, word and mark (ISO 15924)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.text.scripts import char_script, mark_scripts, split_script_runs, word_script

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)


@pytest.mark.parametrize(
    ("char", "script"),
    [
        ("a", "Latn"), ("é", "Latn"), ("ß", "Latn"), ("Ж", "Cyrl"), ("λ", "Grek"),
        ("ا", "Arab"), ("ש", "Hebr"), ("ก", "Thai"), ("क", "Deva"), ("ა", "Geor"),
        ("Ա", "Armn"), ("가", "Hang"), ("ㄱ", "Hang"), ("ᄀ", "Hang"), ("あ", "Hira"),
        ("ア", "Kana"), ("ｱ", "Kana"), ("ー", "Kana"), ("中", "Hani"), ("々", "Hani"),
        ("𠀀", "Hani"), ("1", "Zyyy"), ("&", "Zyyy"), (" ", "Zyyy"), ("\u0301", "Zinh"),
        ("😀", "Zyyy"),
    ],
)
def test_char_script(char: str, script: str) -> None:
    assert char_script(char) == script


@pytest.mark.parametrize(
    ("word", "script"),
    [
        ("coca", "Latn"), ("c0ca", "Latn"), ("москва", "Cyrl"), ("任天堂", "Hani"),
        ("ひらがな", "Hira"), ("スターバックス", "Kana"), ("トヨタ自動車", "Jpan"),
        ("ひらがなカタカナ", "Jpan"), ("스타벅스", "Hang"), ("三星전자", "Kore"), ("2024", "Zyyy"),
        ("", "Zyyy"),
    ],
)
def test_word_script(word: str, script: str) -> None:
    assert word_script(word) == script


@pytest.mark.parametrize(
    ("word", "runs"),
    [
        ("라잇템right", ("라잇템", "right")),
        ("abc中文", ("abc", "中文")),
        ("中文abc", ("中文", "abc")),
        ("21世纪", ("21世纪",)),
        ("c0ca", ("c0ca",)),
        ("東京ディズニーランド", ("東京ディズニーランド",)),
        ("三星전자", ("三星", "전자")),
        ("cocaкола", ("coca", "кола")),
        ("", ()),
    ],
)
def test_split_script_runs(word: str, runs: tuple[str, ...]) -> None:
    assert split_script_runs(word) == runs


@pytest.mark.parametrize(
    ("mark", "scripts"),
    [
        ("라잇템 Right tem", ("Hang", "Latn")),  # a KIPRIS title, Korean then Latin
        ("Coca-Cola コカ・コーラ", ("Latn", "Kana")),
        ("1&1", ()),
        ("株式会社トヨタ", ("Hani", "Kana")),
    ],
)
def test_mark_scripts(mark: str, scripts: tuple[str, ...]) -> None:
    assert mark_scripts(mark) == scripts


@given(ANY_TEXT)
def test_script_functions_are_total(text: str) -> None:
    runs = split_script_runs(text)
    assert "".join(runs) == text
    assert word_script(text) == word_script(text)
    assert all(len(code) == 4 for code in mark_scripts(text))
