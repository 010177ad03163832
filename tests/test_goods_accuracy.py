"""Class suggestion on NCL terms the suggester has never seen.

10% of the WIPO term ids of NCL 12-2024 (seed 2024) are held back with
every label they have; the suggester is built from what is shipped (the
other NCL terms, the class headings and notes, the CNIPA items and the
English terms of the EUIPO sample records), minus anything worded like a
held-back label or joined to a held-back id (``marksearch.goods.evaluate``).

The issue asks for the right class in the top 3 for 90% of such terms.
Measured: 90.4% (top-1 71.4%); labels of three words or more reach 93.1%,
single words 82.3% (``bench/goods.py``, docs/benchmarks.md).  Without the
WordNet category vote (``marksearch.goods.senses``) it was 88.6%, single
words 70.1%.  The test asserts the bar and holds the measured top-1.
"""

from __future__ import annotations

from functools import cache

import pytest

from marksearch.goods.analysis import GoodsModel
from marksearch.goods.base import TermBase
from marksearch.goods.evaluate import ncl_sample, score_terms
from marksearch.goods.sources import reference_terms, shipped_record_terms, st66_records
from marksearch.goods.tokens import term_key

from .conftest import FORMATS, SHARED

BAR_TOP3 = 0.90
MEASURED_TOP1 = 0.714


@cache
def _held_back() -> tuple[TermBase, tuple[tuple[str, int], ...]]:
    euipo = st66_records([FORMATS / "st66" / "euipo_bulk_sample", FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"])
    reference = reference_terms(SHARED / "classifications") + shipped_record_terms(euipo)
    build_from, held = ncl_sample(reference)
    held_keys = {term_key(t.text) for t in held}
    held_ids = {t.term_id for t in held}
    assert len(held_ids) == 992 and len(held) >= 1000
    # Genuinely held back: no held-back id and no held-back wording is built from.
    assert not any(t.term_id in held_ids for t in build_from)
    assert not any(term_key(t.text) in held_keys or (t.gloss and term_key(t.gloss) in held_keys)
                   for t in build_from)
    return TermBase.build(build_from), tuple((t.text, t.nice_class) for t in held)


def test_held_back_ncl_terms_top3() -> None:
    base, held = _held_back()
    score = score_terms(base, held)
    assert score.top3_rate >= BAR_TOP3, (score.top3_rate, score.misses[:20])
    assert score.top1_rate >= MEASURED_TOP1 - 0.01


# Held-back one-word labels that share no spelling with the terms of their
# class: only what WordNet says they are (a brandy, a stringed instrument, a
# pistol, a footwear) brings their class into the top 3.
UNSEEN_WORDS = [("kirsch", 33), ("gin", 33), ("zithers", 15), ("lyres", 15), ("revolvers", 13),
                ("gunpowder", 13), ("galoshes", 25), ("laxatives", 5)]


@pytest.mark.parametrize(("label", "nice_class"), UNSEEN_WORDS)
def test_unseen_words_find_their_class_by_category(label: str, nice_class: int) -> None:
    base, held = _held_back()
    assert (label, nice_class) in held
    assert nice_class in [c for c, _ in GoodsModel().item(base, label).classes[:3]]
    # (the halved vote of near terms with a class word the item lacks also brings laxatives' class into
    # the top 3 without the category vote: compared here without both)
    without = GoodsModel(category_weight=0.0, class_word_weight=1.0).item(base, label)
    assert nice_class not in [c for c, _ in without.classes[:3]]
