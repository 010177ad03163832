"""Folding and the visual skeleton: tables, then properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.text.confusables import digits_as_letters, skeleton_of, skeleton_word
from marksearch.text.fold import (
    clean,
    compact_of,
    fold,
    fold_case,
    fold_tokens,
    split_tokens,
    strip_diacritics,
)
from marksearch.text.keys import mark_keys

# Any code point, lone surrogates and controls included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)


@pytest.mark.parametrize(
    ("text", "folded", "compact"),
    [
        ("COCA-COLA", "coca cola", "cocacola"),
        ("COCA COLA", "coca cola", "cocacola"),
        ("COCACOLA", "cocacola", "cocacola"),
        ("Coca·Cola®", "coca cola", "cocacola"),
        ("NIKE™", "nike", "nike"),  # a notice, not the letters TM that NFKC makes of it
        ("Nike℠ ©", "nike", "nike"),
        ("MY™BRAND", "my brand", "mybrand"),
        ("ＣＯＣＡ－ＣＯＬＡ", "coca cola", "cocacola"),  # full-width forms
        ("  coca\tcola\n", "coca cola", "cocacola"),
        ("Straße", "strasse", "strasse"),
        ("Müller", "müller", "müller"),
        ("Wendy's", "wendys", "wendys"),
        ("L’Oréal Paris", "loréal paris", "loréalparis"),
        ("Marks & Spencer", "marks & spencer", "marksspencer"),
        ("Marks and Spencer", "marks & spencer", "marksspencer"),
        ("Marks UND Spencer", "marks & spencer", "marksspencer"),
        ("Marks et Spencer", "marks & spencer", "marksspencer"),
        ("Marks + Spencer", "marks & spencer", "marksspencer"),
        ("AND1", "and1", "and1"),  # a leading AND is a word, not a conjunction
        ("ET CETERA", "et cetera", "etcetera"),
        ("Bread and", "bread and", "breadand"),
        ("AT&T", "at & t", "att"),
        ("1&1", "1 & 1", "11"),
        (".NET", "net", "net"),
        ("ﬁne", "fine", "fine"),  # ligature, by NFKC
        ("Ⅻ", "xii", "xii"),
        ("スターバックス・コーヒー", "スターバックス コーヒー", "スターバックスコーヒー"),
        ("ｽﾀｰﾊﾞｯｸｽ", "スターバックス", "スターバックス"),  # half-width kana
        ("㈜라잇템", "주 라잇템", "주라잇템"),
        ("", "", ""),
        ("😀🎉", "", ""),
        ("a\u200db", "a b", "ab"),
        ("CA$H", "cash", "cash"),  # a $ or € beside a letter is the letter it stands for
        ("KE$HA", "kesha", "kesha"),
        ("€URO", "euro", "euro"),
        ("5 $ OFF", "5 off", "5off"),  # beside a digit or alone, a sign
        ("$5", "5", "5"),
        ("I ♥ NY", "i love ny", "iloveny"),  # a heart is the word
        ("I ❤️ NY", "i love ny", "iloveny"),  # and its emoji variation selector no word of its own
        ("\u0301abc", "abc", "abc"),  # an accent typed before any letter is dropped
    ],
)
def test_fold_table(text: str, folded: str, compact: str) -> None:
    assert fold(text) == folded
    assert compact_of(fold_tokens(text)) == compact


def test_spacing_variants_share_the_compact_key() -> None:
    forms = ["COCA-COLA", "COCA COLA", "COCACOLA", "Coca.Cola", "coca/cola", "Coca_Cola"]
    assert {compact_of(fold_tokens(f)) for f in forms} == {"cocacola"}


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("müller", "muller"),
        ("crème brûlée", "creme brulee"),
        ("łódź", "lodz"),
        ("øresund", "oresund"),
        ("æon", "aeon"),
        ("ἀθῆναι", "αθηναι"),
        ("çağ", "cag"),
        ("가나", "가나"),  # Hangul is not decomposed
        ("ガ", "が"),  # nor is the kana voicing mark (katakana is written as hiragana)
        ("トウキョウ", "とうきょう"), ("ヷ", "ヷ"),  # ヷ has no hiragana
        ("可口可樂", "可口可乐"), ("東京", "东京"),  # traditional Chinese as simplified
        ("й", "й"),  # Cyrillic letters keep their marks; romanisation handles them
    ],
)
def test_strip_diacritics(text: str, plain: str) -> None:
    assert strip_diacritics(text) == plain


def test_split_tokens_keeps_joiners_and_drops_apostrophes() -> None:
    assert split_tokens("rock'n'roll & co+op") == ("rocknroll", "&", "co", "+", "op")


@pytest.mark.parametrize(("written", "plain"), [
    ("تُويُوتَا", "تويوتا"),  # TOYOTA with its short vowels written: they stayed in its plain key
    ("كُوكَا كُولَا", "كوكا كولا"),
    ("קוֹקָה קוֹלָה", "קוקה קולה"),  # Hebrew vowel points
    ("ЁЛКА", "ЕЛКА"),
])
def test_vowel_points_and_yo_fold_away(written: str, plain: str) -> None:
    assert fold_tokens(written) == fold_tokens(plain)
    assert mark_keys(written).to_dict() | {"text": ""} == mark_keys(plain).to_dict() | {"text": ""}


@pytest.mark.parametrize("typed", ["ג'יפ", "ג\u05f3יפ", "ג\u2019יפ"])
def test_a_geresh_stays_on_its_letter_however_typed(typed: str) -> None:
    assert split_tokens(typed) == ("ג\u05f3יפ",)
    assert split_tokens("ש'") == ("ש",)  # after another letter an apostrophe is dropped as in Latin words


def test_clean_replaces_what_is_not_text() -> None:
    assert clean("a\x00b\ud800c\u200ed\ue000e") == "a b c d e"


@pytest.mark.parametrize(
    ("words", "skeleton"),
    [
        (("c0ca",), "coca"),
        (("coca",), "coca"),
        (("5port",), "sport"),
        (("rnilk",), "mllk"),
        (("milk",), "mllk"),
        (("vvolf",), "wolf"),
        (("century", "21"), "century21"),  # numbers that are numbers stay
        (("1", "&", "1"), "11"),
        (("ikea",), "lkea"),
        (("b4",), "b4"),  # as many digits as letters: 3M is not EM
        (("b52",), "b52"),  # more digits than letters: a number with a letter
        (("l3go",), "lego"),
        (("сосасоlа",), "cocacola"),  # Cyrillic С, О, А among Latin L: COCA-COLA to the eye
        (("рерsi",), "pepsl"),
        (("τουοτα",), "toyota"),  # Greek capitals ΤΟΥΟΤΑ
        (("135o",), "135o"),  # 135º (NFKC makes it 135o) is a number
    ],
)
def test_skeleton_table(words: tuple[str, ...], skeleton: str) -> None:
    assert skeleton_of(words) == skeleton


def test_skeleton_meets_look_alikes() -> None:
    assert skeleton_word("c0ca") == skeleton_word("coca")
    assert skeleton_word("rnicrosoft") == skeleton_word("microsoft")
    assert skeleton_word("1kea") == skeleton_word("ikea") == skeleton_word("lkea")
    assert digits_as_letters("c0ca") == "coca"


@given(ANY_TEXT)
def test_folding_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert fold_case(fold_case(text)) == fold_case(text)
    assert strip_diacritics(strip_diacritics(once)) == strip_diacritics(once)


@given(ANY_TEXT)
def test_fold_steps_are_total_and_deterministic(text: str) -> None:
    words = fold_tokens(text)
    assert words == fold_tokens(text)
    assert all(w and " " not in w for w in words)
    skeleton = skeleton_of(tuple(strip_diacritics(w) for w in words))
    assert skeleton == skeleton_of(tuple(strip_diacritics(w) for w in words))
    assert compact_of(words) == compact_of(words)


@given(ANY_TEXT)
def test_spacing_and_hyphens_never_change_the_compact_key(text: str) -> None:
    words = fold_tokens(text)
    respaced = "-".join(w for w in words if w != "&")
    assert compact_of(fold_tokens(respaced)) == compact_of(words).replace("&", "")
