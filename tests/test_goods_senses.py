"""WordNet categories of goods words (marksearch.goods.senses)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.goods.analysis import analyse
from marksearch.goods.cli import item_text
from marksearch.goods.senses import categories, category_name, lemma
from marksearch.goods.tokens import features


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["mice"], "mouse"),  # noun.exc
        (["zithers"], "zither"),
        (["boxes"], "box"),
        (["batteries"], "battery"),
        (["heavy", "water"], "heavy water"),  # the longest phrase WordNet has
        (["dog", "biscuits"], "dog biscuit"),
        (["leather", "belts"], "belt"),
        (["xyzzy"], None),
        ([], None),
    ],
)
def test_lemma(words: list[str], expected: str | None) -> None:
    assert lemma(words) == expected


def test_categories_of_a_plural_are_those_of_its_singular() -> None:
    assert categories(["revolvers"]) == categories(["revolver"]) != ()


def test_near_words_share_categories_and_far_ones_do_not() -> None:
    kirsch, cognac, anvil = (set(categories([w])) for w in ("kirsch", "cognac", "anvil"))
    assert kirsch & cognac  # both brandies
    assert not (kirsch & anvil)


def test_the_first_sense_only() -> None:
    # "powder" is a substance in tiny particles first; its second sense,
    # gunpowder, is left out (it put powdered foods among the explosives).
    gunpowder = categories(["gunpowder"])[0]
    assert gunpowder not in categories(["powders"])


def test_only_latin_head_nouns_get_categories() -> None:
    assert any(f.startswith("y:") for f in features("padlocks, not of metal"))
    assert not any(f.startswith("y:") for f in features("咖啡机"))
    assert not any(f.startswith("y:") for f in features("xyzzy widgets qwfp"))


@given(st.lists(st.text(max_size=12), max_size=5))
def test_categories_is_total(words: list[str]) -> None:
    kinds = categories(words)
    assert all(k.startswith("y:") and len(k) == 10 for k in kinds)


def test_category_names() -> None:
    assert [category_name(k) for k in categories(["kirsch"])][:2] == ["kirsch", "brandy"]
    assert category_name("y:00000001") == "" and category_name("y:x") == ""


def test_an_unseen_word_is_explained_by_its_category() -> None:
    item = analyse("derringer").items[0]  # not a wording of the shipped term base
    assert item.best_class == 13
    assert item.category is not None and item.category.name == "pistol" and item.category.terms >= 3
    assert item.to_dict()["category"]["name"] == "pistol"
    assert "kind: pistol (WordNet;" in item_text(item)
    assert analyse("coffee").items[0].category is None
