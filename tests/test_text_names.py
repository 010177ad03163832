"""Western names of Chinese words (marksearch.text.names, CC-CEDICT)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.text import key_similarity, mark_keys
from marksearch.text.names import western_names


@pytest.mark.parametrize(
    ("word", "names"),
    [
        ("必胜客", ("pizzahut",)),
        ("必勝客", ("pizzahut",)),  # traditional
        ("宝马", ("bmw",)),
        ("夏普", ("sharp",)),  # "Sharp Corporation": the company form is dropped
        ("沃尔玛", ("walmart",)),  # "Wal-Mart": folded to a key
        ("北京", ()),  # Beijing: the pinyin already spells it
        ("可口", ()),  # not a proper noun
        ("", ()),
    ],
)
def test_western_names(word: str, names: tuple[str, ...]) -> None:
    assert western_names(word) == names


def test_a_name_is_a_reading_of_the_mark() -> None:
    keys = mark_keys("优衣库")
    assert keys.latin[:2] == ("youyiku", "uniqlo")
    assert key_similarity(keys, mark_keys("UNIQLO")) == 1.0


def test_a_run_cut_into_words_keeps_its_name() -> None:
    keys = mark_keys("百事可乐")
    assert [w.text for w in keys.words] == ["百事", "可乐"]
    assert "pepsi" in keys.latin


def test_names_do_not_make_unrelated_marks_meet() -> None:
    assert key_similarity(mark_keys("必胜客"), mark_keys("BMW")) < 0.6
    assert key_similarity(mark_keys("宝马"), mark_keys("PIZZA HUT")) < 0.6


@given(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=6))
def test_western_names_is_total(word: str) -> None:
    assert all(name.isascii() and name.isalnum() for name in western_names(word))


def test_without_the_table_chinese_marks_are_read_by_sound_only(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    from marksearch.text import names

    monkeypatch.setattr(names, "resources", _Files(tmp_path))
    names._table.cache_clear()
    try:
        assert western_names("必胜客") == ()
    finally:
        monkeypatch.undo()
        names._table.cache_clear()
    assert western_names("必胜客") == ("pizzahut",)


class _Files:
    """importlib.resources with an empty package folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self, package: str) -> Path:
        return self.folder
