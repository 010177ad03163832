"""Class suggestion on NCL terms the suggester has never seen.

10% of the WIPO term ids of NCL 12-2024 (seed 2024) are held back with
every label they have; the suggester is built from what is shipped (the
other NCL terms, the class headings and notes, the CNIPA items and the
English terms of the EUIPO sample records), minus anything worded like a
held-back label or joined to a held-back id (``marksearch.goods.evaluate``).

The issue asks for the right class in the top 3 for 90% of such terms.
Measured: 88.6% (top-1 70.9%); labels of three words or more reach 93.3%,
single words 70.1% (``bench/goods.py``, docs/benchmarks.md).  The test holds
the measured level so that a change that loses accuracy fails; the 90% bar
is not met (see docs/goods.md, "What is weak").
"""

from __future__ import annotations

import time

from marksearch.goods.base import TermBase
from marksearch.goods.evaluate import ncl_sample, score_terms
from marksearch.goods.sources import reference_terms, shipped_record_terms, st66_records
from marksearch.goods.tokens import term_key

from .conftest import FORMATS, SHARED

MEASURED_TOP3 = 0.886
MEASURED_TOP1 = 0.709


def test_held_back_ncl_terms_top3() -> None:
    started = time.perf_counter()
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
    base = TermBase.build(build_from)
    score = score_terms(base, ((t.text, t.nice_class) for t in held))
    assert score.top3_rate >= MEASURED_TOP3 - 0.005, (score.top3_rate, score.misses[:20])
    assert score.top1_rate >= MEASURED_TOP1 - 0.01
    assert time.perf_counter() - started < 20
