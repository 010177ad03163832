"""Similarity of goods between lists, and the overlap shown on search hits.

Real goods: EUIPO sample records (ST.66 reader) and KIPRIS designated
goods; properties with Hypothesis: scores in [0, 1], symmetry, a list is
identical to itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksearch.formats import kipris
from marksearch.goods import analyse, overlap, similarity
from marksearch.goods.similarity import items_of, pair
from marksearch.records import ClassGoods, GoodsAddition, Record

from .conftest import FORMATS
from .test_goods import read_euipo

KIPRIS = FORMATS / "kipris"


@pytest.fixture(scope="module")
def euipo() -> list[Record]:
    return read_euipo()[:80]


def kipris_goods(name: str, number: str) -> Record:
    path = KIPRIS / name
    with open(path, "rb") as f:
        return next(e.goods for e in kipris.READER.for_application(number).read(f, str(path))
                    if isinstance(e, GoodsAddition))


def test_identical_terms_score_one_with_the_term_as_reason() -> None:
    score, reasons = similarity("coffee; tea", [ClassGoods(30, "Coffee; Cocoa", "en")])
    assert score == 1.0
    assert reasons[0] == "same term: coffee ~ Coffee (class 30)"


def test_same_term_across_languages_by_wipo_id() -> None:
    score, reasons = similarity("咖啡", [ClassGoods(30, "coffee", "en")])
    assert score == 1.0 and reasons[0].startswith("same term: 咖啡 ~ coffee")


def test_same_cnipa_similar_group() -> None:
    # CNIPA puts chocolate and confectionery in group 3004 (sweets), coffee in 3001.
    score, reasons = similarity("糖果", "巧克力")
    assert score == pytest.approx(0.85)
    assert reasons[0].startswith("same similar group 3004 (CNIPA)")
    assert similarity("咖啡", "巧克力")[0] < 0.85


def test_same_kipo_similar_group_from_kipris_records() -> None:
    restaurant = kipris_goods("kipris_plus_trademarkDesignationGoodstInfo.xml", "4020190000011")
    assert restaurant.goods[0].similar_groups
    score, reasons = similarity(restaurant.goods, [ClassGoods(43, "한식점업", "ko", ("G0301",))])
    assert score == pytest.approx(0.85)
    assert reasons[0].startswith("same similar group G0301 (KIPO)")


def test_related_classes_software_retail_and_drinks() -> None:
    software, reasons = similarity([ClassGoods(9, "computer software", "en")],
                                   [ClassGoods(42, "software as a service [SaaS]", "en")])
    assert 0.3 < software < 0.6 and reasons[0].startswith("related classes 9 ~ 42")
    retail, reasons = similarity([ClassGoods(25, "clothing", "en")],
                                 [ClassGoods(35, "retail services relating to clothing", "en")])
    assert 0.2 < retail < 0.5 and reasons[0].startswith("related classes 25 ~ 35")
    drinks, reasons = similarity("beer", "wine")
    assert drinks == pytest.approx(0.36) and reasons == ["related classes 32 ~ 33: beer ~ wine"]
    assert similarity("beer", "legal services")[0] < 0.1


def test_same_class_with_similar_wording_beats_same_class_alone() -> None:
    # Wordings of no reference term, so that no similar group is known for them.
    close, reasons = similarity([ClassGoods(9, "protective cases for tablet computers", "en")],
                                [ClassGoods(9, "protective covers for tablet computers", "en")])
    far, _ = similarity([ClassGoods(9, "protective cases for tablet computers", "en")],
                        [ClassGoods(9, "laboratory thermometers", "en")])
    assert 0.6 < close < 1.0 and far == pytest.approx(0.6, abs=0.05)
    assert reasons[0] == ("same class 9: protective cases for tablet computers ~ "
                          "protective covers for tablet computers (similar wording)")
    group, reasons = similarity([ClassGoods(9, "cases for smartphones", "en")],
                                [ClassGoods(9, "covers for smartphones", "en")])
    assert group == pytest.approx(0.85) and reasons[0].startswith("same similar group 0907 (CNIPA)")


def test_overlap_lists_the_record_goods_that_meet_the_query(euipo: list[Record]) -> None:
    record = next(r for r in euipo if any(g.nice_class == 9 for g in r.goods))
    english = next(g for g in record.goods if g.nice_class == 9 and g.language == "en")
    first = english.text.split(";")[0].strip()
    result = overlap(analyse(first), record.goods)
    assert result.score == 1.0
    assert result.pairs[0].kind == "same-term" and result.pairs[0].class_b == 9
    assert result.reasons[0].startswith("same term: ")
    assert all(p.score >= 0.3 for p in result.pairs)


def test_overlap_reads_a_multilingual_record_in_the_query_language(euipo: list[Record]) -> None:
    record = next(r for r in euipo if any(g.language == "de" for g in r.goods))
    german = next(g for g in record.goods if g.language == "de")
    term = german.text.split(";")[0].strip()
    result = overlap(analyse(term, languages=["de"]), record.goods)
    assert result.pairs and result.pairs[0].b == term


def test_goods_the_base_does_not_know_meet_no_class(euipo: list[Record]) -> None:
    """An item with no near term (confidence 0) is neutral in the goods signal; its guessed
    class paired it with any goods of that class, in whatever language the junk match had."""
    assert similarity("xyzzy", [ClassGoods(1, "chemicals used in industry")]) == (0.0, [])
    assert similarity("화장품", [ClassGoods(25, "clothing")]) == (0.0, [])
    record = next(r for r in euipo if len({g.language for g in r.goods}) > 3)
    assert overlap(analyse("xyzzy"), record.goods).pairs == ()
    assert similarity("coffee", [ClassGoods(30, "coffee; tea")])[0] == 1.0  # a known item still meets


def test_two_real_records_in_one_class_meet(euipo: list[Record]) -> None:
    in_25 = [r for r in euipo if any(g.nice_class == 25 for g in r.goods)][:2]
    assert len(in_25) == 2
    score, reasons = similarity(in_25[0].goods, in_25[1].goods)
    assert score >= 0.6 and reasons


# -- properties --------------------------------------------------------------------------------

TERMS = ["coffee", "tea", "clothing", "footwear", "computer software", "beer", "wine", "咖啡", "巧克力",
         "중국음식점업", "advertising", "retail services for clothing", "Kaffee", "cases for smartphones"]
goods_lists = st.lists(st.tuples(st.integers(1, 45), st.sampled_from(TERMS)), min_size=1, max_size=4).map(
    lambda pairs: [ClassGoods(c, t, "en") for c, t in pairs])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(goods_lists, goods_lists)
def test_similarity_is_symmetric_and_in_range(a: list[ClassGoods], b: list[ClassGoods]) -> None:
    ab, _ = similarity(a, b)
    ba, _ = similarity(b, a)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(ba)


@settings(max_examples=40, deadline=None)
@given(goods_lists)
def test_a_list_is_identical_to_itself(goods: list[ClassGoods]) -> None:
    assert similarity(goods, goods)[0] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_analyses_and_signals_in_range(text: str) -> None:
    result = analyse(text)
    for classes in ([], [9], [30, 35], [99]):
        score, reason = result.signal_for_classes(classes)
        assert 0.0 <= score <= 1.0 and reason.startswith("goods: ")


def test_pair_score_is_symmetric_for_items_of_both_kinds() -> None:
    a = items_of("coffee; computer software")
    b = items_of([ClassGoods(30, "coffee beans", "en"), ClassGoods(42, "software design", "en")])
    for x in a:
        for y in b:
            assert pair(x, y).score == pytest.approx(pair(y, x).score)


def test_paths_are_real() -> None:
    assert Path(KIPRIS / "kipris_plus_trademarkDesignationGoodstInfo.xml").exists()
