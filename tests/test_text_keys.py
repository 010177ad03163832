"""MarkKeys: the public entry point the store calls at ingest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marksearch.text
from marksearch.text import MarkKeys, WordKeys, mark_keys

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
# Text drawn mostly from the scripts marks are written in, so that the
# romanisers, not only the fallbacks, meet arbitrary input.
MARK_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x24F),
        st.characters(min_codepoint=0x400, max_codepoint=0x4FF),
        st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.sampled_from(" -&.'"),
    ),
    max_size=16,
)


def test_public_names() -> None:
    assert sorted(marksearch.text.__all__) == marksearch.text.__all__
    for name in marksearch.text.__all__:
        assert getattr(marksearch.text, name) is not None
    assert {"mark_keys", "MarkKeys", "WordKeys", "key_similarity"} <= set(marksearch.text.__all__)


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        # Latin
        ("COCA-COLA", "folded", "coca cola"),
        ("COCA-COLA", "compact", "cocacola"),
        ("COCA-COLA", "latin", ("cocacola",)),
        ("COCA-COLA", "dominant", ("coca",)),
        ("COCA-COLA", "phonetic", ("KKKL", "KK")),
        ("Müller", "folded", "müller"),
        ("Müller", "plain", "muller"),
        ("Müller", "latin", ("muller",)),
        ("C0CA", "skeleton", "coca"),
        ("C0CA", "compact", "c0ca"),
        ("ＳＯＮＹ", "compact", "sony"),
        ("Marks & Spencer", "compact", "marksspencer"),
        ("Coca-Cola Company", "core", ("coca",)),
        # Cyrillic, Greek, Arabic
        ("Кока-Кола", "latin", ("kokakola",)),
        ("Кока-Кола", "scripts", ("Cyrl",)),
        ("ΑΘΗΝΑ", "latin", ("athina",)),
        ("مرسيدس", "scripts", ("Arab",)),
        # Chinese
        ("可口可乐", "scripts", ("Hani",)),
        ("可口可乐", "dominant", ("kekou",)),
        # Japanese
        ("スターバックス", "scripts", ("Kana",)),
        ("株式会社トヨタ", "dominant", ("toyota",)),
        # Korean, and a mixed KIPRIS title
        ("스타벅스", "latin", ("seutabeogseu", "seutabeokseu", "stavoks")),  # ㅂ may write v (볼보 Volvo)
        ("라잇템 Right tem", "scripts", ("Hang", "Latn")),
        # nothing to key
        ("", "compact", ""),
        ("😀", "latin", ()),
    ],
)
def test_mark_keys_table(text: str, field: str, expected: object) -> None:
    assert getattr(mark_keys(text), field) == expected


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("任天堂", "nintendo"),  # pure Han: Japanese reading given too
        ("任天堂", "rentiantang"),  # ... beside the pinyin
        ("可口可乐", "kekoukele"),
        ("スターバックス", "starbucks"),
        ("コカ・コーラ", "cocacola"),
        ("東京ディズニーランド", "tokyodisneyland"),
        ("스타벅스", "seutabeokseu"),
        ("라잇템 Right tem", "righttem"),  # each part of a mixed mark is keyed
        ("라잇템 Right tem", "raittem"),
        ("abc中文", "zhongwen"),
    ],
)
def test_latin_readings(text: str, reading: str) -> None:
    assert reading in mark_keys(text).latin


def test_a_part_of_a_word_in_another_script_is_keyed_alone_only_when_it_reads_three_letters() -> None:
    """The Ω of "Ωmega" and the Latin O typed into the Greek "Oίνος" are letters of a word, not
    marks: keyed alone they sounded exactly like every mark O.  A part written apart (LG of
    "LG 생활건강") is keyed alone however short, and so is a long part (APPLE of "苹果APPLE")."""
    assert "o" not in mark_keys("Ωmega").sound and "omega" in mark_keys("Ωmega").sound
    assert "o" not in mark_keys("Oίνος").latin
    assert "o" in mark_keys("Ω mega").sound  # written apart
    assert "lg" in mark_keys("LG 생활건강").latin
    assert {"apple", "pingguo"} <= set(mark_keys("苹果APPLE").latin)
    assert "x" not in mark_keys("X光").latin and "guang" in mark_keys("X光").latin


def test_a_word_spelt_in_two_alphabets_reads_as_the_latin_word_it_shows() -> None:
    """ΑΡΡLE (Greek Α, Ρ) was cut into ΑΡΡ, read "arr", and LE: it found AR first, "sounds like".
    One such word shows the mark imitates a Latin one, so its other words of look-alike letters
    are read as Latin too (the СОСА of СОСА-СОLА); a mark of whole words in two alphabets keeps
    each word's own reading."""
    apple = mark_keys("ΑΡΡLE")
    assert apple.latin == ("apple",) and apple.plain == "αρρle" and apple.skeleton == "apple"
    coca = mark_keys("СОСА-СОLА")
    assert coca.dominant == ("coca",) and "kokakola" in coca.sound
    assert coca.sound == mark_keys("COCA-COLA").sound
    sea = mark_keys("МОРЕ Fresh")  # the sea in Russian, and an English word: no imitation
    assert sea.words[0].text == "море" and "more" in sea.latin[0]


def test_han_with_kana_is_read_in_japanese_only() -> None:
    keys = mark_keys("任天堂ゲーム")
    assert keys.latin[0].startswith("nintendo")
    assert not any(r.startswith("rentiantang") for r in keys.latin)


def test_spelling_variants_meet() -> None:
    assert {mark_keys(t).compact for t in ("COCA-COLA", "COCA COLA", "COCACOLA")} == {"cocacola"}
    assert mark_keys("COCA COLA").folded == "coca cola"
    assert mark_keys("C0CA").skeleton == mark_keys("COCA").skeleton
    assert set(mark_keys("C0CA").sound) & set(mark_keys("COCA").sound)
    assert set(mark_keys("KOKA").sound) & set(mark_keys("COCA").sound)
    assert set(mark_keys("XCEED").sound) & set(mark_keys("X-SEED").sound)
    assert set(mark_keys("ISHINE").sound) & set(mark_keys("ICE SHINE").sound)


def test_word_keys() -> None:
    keys = mark_keys("Coca-Cola GmbH")
    assert [(w.text, w.script, w.role, w.dominant) for w in keys.words] == [
        ("coca", "Latn", "dominant", True),
        ("cola", "Latn", "generic", False),
        ("gmbh", "Latn", "legal", False),
    ]
    chinese = mark_keys("必胜客").words[0]
    assert chinese.syllables == ("bi sheng ke", "bi4 sheng4 ke4")
    assert chinese.initials == "bsk"
    assert "bishengke" in chinese.romanised


def test_lookup_keys() -> None:
    pairs = list(mark_keys("COCA-COLA").lookup_keys())
    assert len(pairs) == len(set(pairs))
    assert ("compact", "cocacola") in pairs
    assert ("phon", "KKKL") in pairs
    assert ("word", "coca") in pairs
    assert ("wphon", "KK") in pairs
    assert ("core", "coca") in pairs
    chinese = set(mark_keys("可口可乐").lookup_keys())
    assert ("latin", "kekoukele") in chinese
    assert ("pinyin", "ke3kou3ke3le4") in chinese or ("pinyin", "ke3kou3") in chinese
    kinds = {kind for kind, _ in mark_keys("可口可乐").lookup_keys()}
    assert {"pinyin", "initials", "sound", "loose"} <= kinds


KINDS = {"compact", "plain", "skeleton", "latin", "core", "phon", "sound", "loose",
         "word", "wphon", "wsound", "pinyin", "initials"}


@settings(deadline=None)
@given(ANY_TEXT)
def test_mark_keys_is_total_on_any_text(text: str) -> None:
    keys = mark_keys(text)
    assert keys.text == text
    pairs = list(keys.lookup_keys())
    assert len(pairs) == len(set(pairs))
    assert all(kind in KINDS and key for kind, key in pairs)


@settings(deadline=None)
@given(MARK_TEXT)
def test_mark_keys_is_deterministic(text: str) -> None:
    first = mark_keys(text)
    assert mark_keys(text) == first
    assert all(set(k) <= set("abcdefghijklmnopqrstuvwxyz0123456789") for k in first.latin)


@settings(deadline=None)
@given(MARK_TEXT)
def test_mark_keys_round_trip_through_json(text: str) -> None:
    keys = mark_keys(text)
    data = json.loads(json.dumps(keys.to_dict(), ensure_ascii=False))
    assert MarkKeys.from_dict(data) == keys
    for word in keys.words:
        assert WordKeys.from_dict(word.to_dict()) == word


def test_keys_are_compact() -> None:
    # A long multi-word Chinese mark must not explode into a product of readings.
    keys = mark_keys("重庆长城银行重重有限公司 乐乐乐")
    assert len(keys.latin) <= 12
    assert len(keys.sound) <= 40
    assert len(mark_keys(" ".join(["word"] * 200)).words) == 32


def test_partial_keys_read_only_the_dominant_words_of_a_mark_with_a_goods_word() -> None:
    cola = mark_keys("可口可乐")  # 可乐 "cola" is a goods word: the core is 可口
    assert {"kekou", "keko"} <= set(cola.partial)  # the core's reading and its sound key
    assert not {"kekoukele", "cocacola", "kokakola"} & set(cola.partial)  # the whole mark's
    assert set(cola.partial) <= {*cola.core, *cola.sound, *cola.phonetic, *cola.loose}
    assert cola.to_dict()["partial"] == list(cola.partial)
    assert MarkKeys.from_dict(cola.to_dict()) == cola
    # Legal forms are not part of a mark: ACME GMBH is ACME, and reads it in full.
    acme = mark_keys("ACME GMBH")
    assert acme.core == ("acme",) and acme.partial == ()
    # Most marks have none, and their stored keys have no such entry.
    assert "partial" not in mark_keys("三星").to_dict()
    assert "partial" not in mark_keys("MOUNTAIN DEW").to_dict()
