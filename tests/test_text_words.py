"""Word analysis: dominant words, goods words, legal forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.text.fold import fold_tokens
from marksearch.text.keys import mark_keys
from marksearch.text.words import DOMINANT, GENERIC, LEGAL, roles, split_affixes

D, G, L = DOMINANT, GENERIC, LEGAL


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        ("Coca-Cola GmbH", (D, G, L)),
        ("Apple Inc.", (D, L)),
        ("ALDI S.A.", (D, L, L)),
        ("Ferrero S.p.A.", (D, L, L, L)),
        ("Philips B.V.", (D, L, L)),
        ("Löwenbräu AG", (D, L)),
        ("Müller GmbH & Co. KG", (D, L, L, L)),
        ("Tesco PLC", (D, L)),
        ("Acme Ltd", (D, L)),
        ("Acme LLC", (D, L)),
        ("Nokia Oyj", (D, L)),
        ("Skanska AB", (D, L)),
        ("Starbucks Coffee", (D, G)),
        ("Pizza Hut", (G, D)),
        ("Deutsche Bank AG", (D, G, L)),
        ("Boulangerie Paul", (G, D)),
        ("Café Royal", (G, D)),
        ("Coffee Shop", (D, D)),  # only goods words: they are the mark
        ("AG", (D,)),  # a lone legal abbreviation is the mark
        ("AS Roma", (D, D)),  # legal forms only count at the end
        # legal forms that are everyday words too count only when spelt as letters apart
        ("Kiss Me", (D, D)),
        ("Such As", (D, D)),
        ("Volt EV", (D, D)),
        ("Day Spa", (D, D)),
        ("Kongsberg A.S.", (D, L, L)),
        ("Ferrero S.p.A.", (D, L, L, L)),
        ("ООО Ромашка", (L, D)),
        # a leading article does not dominate, even when only goods words follow it
        ("The Body Shop", (G, D, G)),
        ("La Perla", (G, D)),
        ("Der Wagen", (G, D)),
        ("The Hotels", (G, D)),
        ("The", (D,)),  # alone it is the mark
        ("The Ltd", (D, L)),
        ("Hotel de la Paix", (G, D, D, D)),  # an article inside a mark is left as it is
        ("Die Hard", (D, D)),  # DIE is an English word too
    ],
)
def test_roles_of_latin_and_cyrillic_marks(mark: str, expected: tuple[str, ...]) -> None:
    words = tuple(w for w in fold_tokens(mark) if w != "&")
    assert roles(words) == expected


@pytest.mark.parametrize(
    ("word", "pieces"),
    [
        ("株式会社トヨタ", ("株式会社", "トヨタ")),
        ("ソニー株式会社", ("ソニー", "株式会社")),
        ("百事可乐", ("百事", "可乐")),
        ("花旗银行", ("花旗", "银行")),
        ("21世纪不动产", ("21世纪", "不动产")),
        ("丰田汽车有限公司", ("丰田", "汽车", "有限公司")),
        ("크리스피크림도넛", ("크리스피크림", "도넛")),
        ("주식회사라잇템", ("주식회사", "라잇템")),
        ("拉菲庄园", ("拉菲", "庄园")),  # Château Lafite: 庄园 "estate"
        ("张裕葡萄酒", ("张裕", "葡萄酒")),
        ("银行", ("银行",)),  # the name keeps at least two characters
        ("可乐", ("可乐",)),
    ],
)
def test_split_affixes(word: str, pieces: tuple[str, ...]) -> None:
    assert split_affixes(word) == pieces


@pytest.mark.parametrize(
    ("mark", "dominant"),
    [
        ("Coca-Cola GmbH", ("coca",)),
        ("Starbucks Coffee", ("starbucks",)),
        ("株式会社トヨタ", ("toyota",)),
        ("(주)라잇템", ("laistem",)),
        ("㈜삼성전자", ("samseong",)),
        ("百事可乐", ("baishi",)),
        ("Coffee Shop", ("coffee", "shop")),
        ("The Hotels", ("hotels",)),
    ],
)
def test_mark_keys_report_dominant_words(mark: str, dominant: tuple[str, ...]) -> None:
    keys = mark_keys(mark)
    assert keys.dominant == dominant
    others = [w for w in keys.words if not w.dominant]
    assert all(w.role in (GENERIC, LEGAL) for w in others)


@given(st.lists(st.sampled_from(["acme", "gmbh", "coffee", "co", "kg", "s", "a", "bank", "x", "the", "la"]),
                max_size=8))
def test_some_word_always_dominates(words: list[str]) -> None:
    found = roles(tuple(words))
    assert len(found) == len(words)
    assert not words or DOMINANT in found
