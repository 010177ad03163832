"""Class suggestion accuracy and speed of ``marksearch.goods``: ``python bench/goods.py``.

Tables (written to docs/benchmarks.md, section "Goods and services"):

* NCL held back: 10% of the WIPO term ids of NCL 12-2024 (seed 2024), every
  label of them, excluded from everything the suggester is built from (see
  ``marksearch.goods.evaluate``): the shipped terms, i.e. the reference terms
  and the EUIPO sample records' English terms (``tools/build_goods.py``);
  each held-back label is classified alone.
  Also by the label's number of words.
* EUIPO held back: 20% of the 604 real EUIPO sample records
  (``shared/data/formats/st66``, read with the ST.66 reader; seed 2024);
  the suggester is built from the reference terms and the other records'
  goods.  Per language: single terms (a seeded sample of at most
  ``--terms`` per language) and whole class lists (at most ``--lists``),
  each asked for its class.
* Speed: loading the shipped base, analysing one term and a list.
* With ``--validate``: the validation split the class model's settings were
  chosen on.  From the NCL build terms (the test sample already removed), a
  further 10% of the WIPO ids (seed 7) is held back the same way; each
  setting of the category vote, of the modifier, qualifier, class word,
  kind and generic head rules, and each setting of the WordNet features
  (depth, senses, categories as bag words, each with a base built anew), is
  scored on it.  The test sample is never used to choose.

Top-1 and top-3: the right class first, or among the first three.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from marksearch.goods import analysis, senses
from marksearch.goods import index as goods_index
from marksearch.goods.analysis import GoodsModel, analyse
from marksearch.goods.base import TermBase
from marksearch.goods.bases import default_base, shipped_path
from marksearch.goods.evaluate import (
    Score,
    held_back_records,
    ncl_sample,
    ranked_list,
    score_terms,
)
from marksearch.goods.sources import (
    SourceTerm,
    record_terms,
    reference_terms,
    shipped_record_terms,
    st66_records,
)
from marksearch.goods.tokens import split_terms, words
from marksearch.records import Record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import SHARED, table, write_section  # noqa: E402

CLASSIFICATIONS = SHARED / "classifications"
KIPRIS = SHARED / "formats" / "kipris"
EUIPO = [SHARED / "formats" / "st66" / "euipo_bulk_sample", SHARED / "formats" / "st66" / "euipo_open_data_EM-TM-V3-4"]


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def ncl(reference: list[SourceTerm]) -> tuple[str, Score]:
    started = time.perf_counter()
    build_from, held = ncl_sample(reference)
    base = TermBase.build(build_from)
    built = time.perf_counter() - started
    score = score_terms(base, ((t.text, t.nice_class) for t in held))
    by_words: dict[str, Score] = defaultdict(Score)
    for text, truth, ranked in _replay(base, held):
        n = len(words(text.lower()))
        by_words["1 word" if n == 1 else "2 words" if n == 2 else "3 or more"].add(text, truth, ranked)
    rows = [["all", score.n, pct(score.top1_rate), pct(score.top3_rate)]]
    rows += [[k, s.n, pct(s.top1_rate), pct(s.top3_rate)] for k, s in sorted(by_words.items())]
    text = (f"NCL 12-2024 held back: {len({t.term_id for t in held})} WIPO ids (10%, seed 2024), "
            f"{score.n} labels; suggester built from the shipped terms (reference and the EUIPO samples' English) "
            f"less the held-back ones, {len(base):,} terms, in {built:.1f} s.\n\n"
            + table(["labels", "n", "top-1", "top-3"], rows))
    return text, score


# Settings of the goods model compared on the validation split, each table as (label, the
# GoodsModel settings that differ from the defaults).
#
# The category vote: weight, gate, support.
VALIDATION_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("no category vote", {"category_weight": 0.0}),
    ("weight 0.5, no gate", {"category_weight": 0.5, "category_gate": 1e9}),
    ("weight 1.0, gate 0.8, support 3 (default)", {}),
    ("weight 0.7, gate 0.8, support 3", {"category_weight": 0.7}),
    ("weight 1.5, gate 0.8, support 3", {"category_weight": 1.5}),
    ("weight 1.0, gate 0.7, support 3", {"category_gate": 0.7}),
    ("weight 1.0, gate 0.9, support 3", {"category_gate": 0.9}),
    ("weight 1.0, gate 0.8, support 2", {"category_support": 2}),
    ("weight 1.0, gate 0.8, support 5", {"category_support": 5}),
]

# The vote of a term in which the item's head noun only qualifies ("champagne buckets" for
# "champagne").
MODIFIER_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("1.0 (a vote like any other)", {"modifier_weight": 1.0}),
    ("0.7", {"modifier_weight": 0.7}),
    ("0.5 (default)", {}),
    ("0.3", {"modifier_weight": 0.3}),
    ("0.1", {"modifier_weight": 0.1}),
]

# The vote of a term with a word the item lacks that puts terms in a class of its own ("toy
# cookware" for "cookware"): weight, the word's terms in the base, their share in one class.
CLASS_WORD_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("1.0 (a vote like any other)", {"class_word_weight": 1.0}),
    ("0.7, 20 terms, 90 %", {"class_word_weight": 0.7}),
    ("0.5, 20 terms, 90 % (default)", {}),
    ("0.3, 20 terms, 90 %", {"class_word_weight": 0.3}),
    ("0.5, 10 terms, 90 %", {"class_word_support": 10}),
    ("0.5, 50 terms, 90 %", {"class_word_support": 50}),
    ("0.5, 20 terms, 80 %", {"class_word_share": 0.8}),
    ("0.5, 20 terms, 95 %", {"class_word_share": 0.95}),
]

# The vote of the goods classes for an item whose head noun heads services in the base ("dental
# services" is no dental apparatus): weight, share of the head's terms in classes 35 to 45.
KIND_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("1.0 (no gate)", {"kind_weight": 1.0}),
    ("0.5, 95 %", {"kind_weight": 0.5}),
    ("0.3, 95 % (default)", {}),
    ("0.3, 90 %", {"kind_share": 0.9}),
    ("0.1, 95 %", {"kind_weight": 0.1}),
]

# An item whose head is generic (heads at least 20 terms of the base, less than so large a share of
# them in one class: "services"): the vote of near terms that share only the head, the weight of the
# other words' terms among the service classes (goods classes read through TermBase.service_bridge),
# heads of goods too.
GENERIC_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("no head is generic", {"generic_share": 0.0}),
    ("share 50 %, vote 0, bridge 1.0 (default)", {}),
    ("share 40 %", {"generic_share": 0.4}),
    ("share 60 %", {"generic_share": 0.6}),
    ("support 50 terms", {"generic_support": 50}),
    ("vote 0.3", {"generic_weight": 0.3}),
    ("vote 1.0", {"generic_weight": 1.0}),
    ("bridge 0", {"bridge_weight": 0.0}),
    ("bridge 0.5", {"bridge_weight": 0.5}),
    ("bridge 2.0", {"bridge_weight": 2.0}),
    ("heads of goods too (no bridge for them)", {"generic_goods": True}),
]

# The vote of a term headed by a word that only qualifies the item's head ("coffee" for "coffee
# shops"), the mirror of MODIFIER_SETTINGS.
QUALIFIER_SETTINGS: list[tuple[str, dict[str, Any]]] = [
    ("1.0 (a vote like any other)", {"qualifier_weight": 1.0}),
    ("0.7", {"qualifier_weight": 0.7}),
    ("0.5 (default)", {}),
    ("0.3", {"qualifier_weight": 0.3}),
]


# Settings of the WordNet features themselves, each needing a base built anew:
# (label, depth, senses, weight of ``y:`` in the cosine, ``y:`` in naive Bayes, category vote).
FEATURE_SETTINGS = [
    ("depth 4, first sense, vote only (default)", 4, 1, 0.0, False, True),
    ("depth 3", 3, 1, 0.0, False, True),
    ("depth 6", 6, 1, 0.0, False, True),
    ("two senses", 4, 2, 0.0, False, True),
    ("categories as bag words in the cosine (weight 0.3), no vote", 4, 1, 0.3, False, False),
    ("categories as bag words in the cosine (weight 1.0), no vote", 4, 1, 1.0, False, False),
    ("categories in naive Bayes, no vote", 4, 1, 0.0, True, False),
]


def validation(reference: list[SourceTerm]) -> str:
    build_from, _test = ncl_sample(reference)
    train, held = ncl_sample(build_from, seed=7)
    cases = [(t.text, t.nice_class) for t in held]
    base = TermBase.build(train)
    rows, modifier_rows, qualifier_rows, class_word_rows, kind_rows, generic_rows = (
        [[label, *_model_setting(base, cases, settings)] for label, settings in table_settings]
        for table_settings in (VALIDATION_SETTINGS, MODIFIER_SETTINGS, QUALIFIER_SETTINGS, CLASS_WORD_SETTINGS,
                               KIND_SETTINGS, GENERIC_SETTINGS))
    feature_rows = [[label, *_feature_setting(train, cases, *setting)]
                    for label, *setting in FEATURE_SETTINGS]
    return (f"Validation split (`--validate`): {len({t.term_id for t in held})} further WIPO ids (10% of the "
            f"build ids, seed 7), {len(held)} labels, held back from the NCL build terms; suggester built from "
            f"the other {len(base):,} terms. The category vote's settings were chosen here.\n\n"
            + table(["category vote", "n", "top-1", "top-3"], rows)
            + "\n\nThe vote of a near term in which the item's head noun only qualifies another noun "
              "(\"champagne buckets\" for \"champagne\"), with the category vote's defaults:\n\n"
            + table(["modifier weight", "n", "top-1", "top-3"], modifier_rows)
            + "\n\nThe vote of a near term headed by a word that only qualifies the item's head (\"coffee\" "
              "for \"coffee shops\"), with the defaults above:\n\n"
            + table(["qualifier weight", "n", "top-1", "top-3"], qualifier_rows)
            + "\n\nThe vote of a near term with a word the item lacks that puts terms in a class of their own "
              "(\"toy cookware\" for \"cookware\"; a word of at least so many terms of the base, so large a "
              "share of them in one class), with the defaults above:\n\n"
            + table(["class word weight", "n", "top-1", "top-3"], class_word_rows)
            + "\n\nThe goods classes for an item whose head noun heads services in the base (at least 20 "
              "terms, so large a share of them in classes 35 to 45), with the defaults above:\n\n"
            + table(["kind gate", "n", "top-1", "top-3"], kind_rows)
            + "\n\nAn item whose head is generic (\"services\": it heads at least 20 terms of the base, less "
              "than so large a share of them in one class): the vote of near terms that share only the head, "
              "and the weight of what the other words' terms say among the service classes (goods classes "
              "read as the service classes of such goods), with the defaults above:\n\n"
            + table(["generic head", "n", "top-1", "top-3"], generic_rows)
            + "\n\nThe WordNet features (`marksearch.goods.senses`), on the same split, each with a base built "
              "anew:\n\n"
            + table(["WordNet features", "top-1", "top-3"], feature_rows))


def _model_setting(base: TermBase, cases: list[tuple[str, int]], settings: dict[str, Any]) -> list[object]:
    """Labels, top-1 and top-3 of a goods model with ``settings`` (the defaults otherwise)."""
    score = score_terms(base, cases, model=GoodsModel(**settings))
    return [score.n, pct(score.top1_rate), pct(score.top3_rate)]


def _feature_setting(train: list[SourceTerm], cases: list[tuple[str, int]], depth: int, senses_kept: int,
                     cosine_weight: float, in_bayes: bool, vote: bool) -> list[str]:
    """Top-1 and top-3 with the WordNet features set so (module settings restored after)."""
    saved = (senses.DEPTH, senses.SENSES, float(goods_index._KIND_WEIGHT[ord("y")]), analysis.BAYES_FEATURES)
    try:
        senses.DEPTH, senses.SENSES = depth, senses_kept
        goods_index._KIND_WEIGHT[ord("y")] = cosine_weight
        analysis.BAYES_FEATURES = saved[3] + ("y" if in_bayes else "")
        senses._categories.cache_clear()
        base = TermBase.build(train)
        score = score_terms(base, cases, model=GoodsModel(category_weight=1.0 if vote else 0.0))
    finally:
        senses.DEPTH, senses.SENSES = saved[0], saved[1]
        goods_index._KIND_WEIGHT[ord("y")] = saved[2]
        analysis.BAYES_FEATURES = saved[3]
        senses._categories.cache_clear()
    return [pct(score.top1_rate), pct(score.top3_rate)]


def _replay(base: TermBase, held: list[SourceTerm]) -> list[tuple[str, int, list[int]]]:
    model = GoodsModel()
    return [(t.text, t.nice_class, [c for c, _ in model.item(base, t.text).classes]) for t in held]


def euipo_records() -> list[Record]:
    return st66_records(EUIPO)


def euipo(reference: list[SourceTerm], n_terms: int, n_lists: int) -> str:
    records = euipo_records()
    held = held_back_records(len(records))
    started = time.perf_counter()
    terms = list(reference)
    for i, r in enumerate(records):
        if i not in held:
            terms.extend(record_terms(r.goods))
    base = TermBase.build(terms)
    built = time.perf_counter() - started
    by_language_terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
    by_language_lists: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i in sorted(held):
        for g in records[i].goods:
            if g.nice_class is None or not g.language:
                continue
            by_language_lists[g.language].append((g.text, g.nice_class))
            by_language_terms[g.language].extend((t, g.nice_class) for t in split_terms(g.text))
    rng = random.Random(2024)
    rows = []
    totals = [Score(), Score()]
    started = time.perf_counter()
    for language in sorted(by_language_terms):
        cases = by_language_terms[language]
        sample = rng.sample(cases, min(n_terms, len(cases)))
        term_score = score_terms(base, sample)
        list_score = Score()
        lists = by_language_lists[language]
        for text, truth in rng.sample(lists, min(n_lists, len(lists))):
            list_score.add(text, truth, ranked_list(base, text))
        for total, s in zip(totals, (term_score, list_score)):
            total.n += s.n
            total.top1 += s.top1
            total.top3 += s.top3
        rows.append([language, term_score.n, pct(term_score.top1_rate), pct(term_score.top3_rate),
                     list_score.n, pct(list_score.top1_rate), pct(list_score.top3_rate)])
    rows.append(["all", totals[0].n, pct(totals[0].top1_rate), pct(totals[0].top3_rate),
                 totals[1].n, pct(totals[1].top1_rate), pct(totals[1].top3_rate)])
    return (f"EUIPO held back: {len(held)} of {len(records)} records (20%, seed 2024); suggester built from "
            f"the reference terms and the other records' goods, {len(base):,} terms, in {built:.1f} s; "
            f"classified in {time.perf_counter() - started:.0f} s.\n\n"
            + table(["language", "terms", "top-1", "top-3", "class lists", "top-1", "top-3"], rows))


def speed() -> str:
    started = time.perf_counter()
    base = default_base()
    loaded = time.perf_counter() - started
    queries = ["coffee", "phone cases", "咖啡", "computer software", "retail services for clothing",
               "중국음식점업", "mats of paper for beer glasses", "Kaffee"]
    single = _timed(lambda q: analyse(q, base=base), queries)
    some_lists = ["coffee; tea; pastries", "clothing\nfootwear\nheadgear\nbags", "咖啡；茶；糕点"]
    lists = _timed(lambda q: analyse(q, base=base), some_lists)
    rows = [["load the shipped base", f"{loaded * 1000:.0f} ms", f"{len(base):,} terms, "
             f"{shipped_path().stat().st_size / 1e6:.1f} MB"],
            ["analyse one term (median)", f"{single:.2f} ms", f"{len(queries)} queries, 20 runs"],
            ["analyse a list of 3 or 4 (median)", f"{lists:.2f} ms", "3 lists, 20 runs"]]
    return table(["step", "time", "note"], rows)


def _timed(fn: object, queries: list[str]) -> float:
    times = []
    for _ in range(20):
        for q in queries:
            started = time.perf_counter()
            fn(q)  # type: ignore[operator]
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=400, help="held-back EUIPO terms per language")
    parser.add_argument("--lists", type=int, default=60, help="held-back EUIPO class lists per language")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--validate", action="store_true", help="also score the settings on the validation split")
    args = parser.parse_args()
    reference = reference_terms(CLASSIFICATIONS, kipris=KIPRIS)
    parts = []
    if args.validate:
        text = validation(reference + shipped_record_terms(euipo_records()))
        print(text, "\n", flush=True)
        parts.append(text)
    # The shipped terms: the reference terms and the EUIPO samples' English terms.
    text, _score = ncl(reference + shipped_record_terms(euipo_records()))
    print(text, "\n", flush=True)
    parts.append(text)
    text = euipo(reference, args.terms, args.lists)
    print(text, "\n", flush=True)
    parts.append(text)
    text = speed()
    print(text, flush=True)
    parts.append(text)
    if not args.no_write:
        write_section("Goods and services (bench/goods.py)", "\n\n".join(parts))


if __name__ == "__main__":
    main()
