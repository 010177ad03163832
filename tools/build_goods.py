"""Build the shipped goods term base from the reference classifications in ``../shared/data``.

Writes ``src/marksearch/data/goods/termbase.npz``, which
:func:`marksearch.goods.default_base` loads: the NCL 12-2024 list, class
headings and explanatory notes (WIPO, English), CNIPA's Similar Goods and
Services table NCL 12-2025 (Chinese, joined to the WIPO ids) and the KIPO
designated-goods list sample and KIPRIS designated-goods responses (Korean),
and the English goods terms of the 604 real EUIPO sample records
(``formats/st66``).  A register adds its own goods in every language (see
``marksearch.goods.bases``).

Run: ``python tools/build_goods.py``.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path

from marksearch.goods.base import TermBase
from marksearch.goods.sources import reference_terms, shipped_record_terms, st66_records

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CLASSIFICATIONS = SHARED / "classifications"
KIPRIS = SHARED / "formats" / "kipris"
EUIPO = [SHARED / "formats" / "st66" / "euipo_bulk_sample", SHARED / "formats" / "st66" / "euipo_open_data_EM-TM-V3-4"]
TARGET = REPO / "src" / "marksearch" / "data" / "goods" / "termbase.npz"


def main() -> None:
    started = time.perf_counter()
    terms = reference_terms(CLASSIFICATIONS, kipris=KIPRIS) + shipped_record_terms(st66_records(EUIPO))
    base = TermBase.build(terms)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    base.save(TARGET, meta={"sources": dict(collections.Counter(t.source for t in terms))})
    print(f"{len(terms):,} source terms -> {len(base):,} rows, {len(base.index.postings):,} postings, "
          f"{TARGET.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")
    print("languages:", ", ".join(f"{lang} {n:,}" for lang, n in collections.Counter(
        base.term(i).language for i in range(len(base))).most_common()))


if __name__ == "__main__":
    main()
