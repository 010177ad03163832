"""Watch matching finds exactly the pairs the exhaustive pairwise scorer finds."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksearch.ingest import record_keys
from marksearch.records import Record, Status, VerbalElement
from marksearch.scoring import shown_score
from marksearch.search import Searcher
from marksearch.store import IndexRow, Store, open_store
from marksearch.text import mark_keys
from marksearch.watch.match import (
    Match,
    WatchedMark,
    WatchIndex,
    _distinct,
    _runs,
    exhaustive_matches,
    match_register,
)
from tests.test_search import LOOK_ALIKES, OTHER_SCRIPTS, disguise, mutate, real_names

OFFICES = ["EM", "US", "KR", "CN"]
# Classes are drawn from a few, the first and last among them, so that watches and filings often
# share one: drawn from all 45 they seldom met, and a bulk match that dropped pairs sharing a
# class went unnoticed.
CLASSES = [1, 2, 3, 9, 44, 45]


def row(record_id: int, text: str, classes: tuple[int, ...] = (), office: str = "EM") -> IndexRow:
    keys = mark_keys(text).to_dict() if text else None
    return IndexRow(record_id, office, str(record_id), "pending", "word", None, classes, keys)


@cache
def _keys(text: str) -> dict[str, object] | None:
    return mark_keys(text).to_dict() if text else None


def filings(seed: int, size: int, names: list[str]) -> list[IndexRow]:
    """Filings: real names, their typos and other scripts, as the search tests make them."""
    rng = random.Random(seed)
    out = []
    for i in range(size):
        roll = rng.random()
        text = (rng.choice(OTHER_SCRIPTS) if roll < 0.1 else
                mutate(rng.choice(names), rng) if roll < 0.5 else rng.choice(names))
        classes = tuple(sorted(rng.sample(CLASSES, rng.randint(0, 2))))
        out.append(IndexRow(i + 1, rng.choice(OFFICES), str(i), rng.choice(list(Status)).value, "word", None,
                            classes, _keys(text)))  # type: ignore[arg-type]
    return out


def watches(seed: int, size: int, names: list[str]) -> list[WatchedMark]:
    rng = random.Random(seed)
    out = []
    for i in range(size):
        text = rng.choice(OTHER_SCRIPTS) if rng.random() < 0.15 else mutate(rng.choice(names), rng)
        classes = tuple(sorted(rng.sample(CLASSES, rng.randint(0, 2))))
        offices = tuple(rng.sample(OFFICES, rng.randint(0, 2)))
        threshold = rng.choice([0.0, 0.5, 0.6, 0.7, 0.7, 0.8, 0.9, 1.0])
        out.append(WatchedMark(i + 1, text, classes, offices, threshold))
    return out


def pairs(matches: list[Match]) -> list[tuple[int, int, float]]:
    return [(m.watch_id, m.record_id, round(m.score, 9)) for m in matches]


@cache
def small_names() -> list[str]:
    """A narrow pool of names, so that generated registers hold many near pairs."""
    return real_names()[:60]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_watch=st.integers(1, 25), n_rows=st.integers(0, 80))
def test_watch_index_equals_exhaustive_pairs(seed: int, n_watch: int, n_rows: int) -> None:
    names = small_names()
    watched = watches(seed, n_watch, names)
    rows = filings(seed + 1, n_rows, names)
    assert pairs(WatchIndex(watched).match(rows)) == pairs(exhaustive_matches(watched, rows))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_watch=st.integers(1, 25), n_rows=st.integers(0, 80),
       page=st.integers(1, 30))
def test_one_index_matches_page_after_page_as_all_at_once(seed: int, n_watch: int, n_rows: int,
                                                          page: int) -> None:
    """``watch run`` matches a page of changes at a time with one index, whose watch side is made
    once: each page must find what matching all the filings together finds."""
    names = small_names()
    watched = watches(seed, n_watch, names)
    rows = filings(seed + 1, n_rows, names)
    index = WatchIndex(watched)
    paged = [m for start in range(0, len(rows), page) for m in index.match(rows[start : start + page])]
    assert sorted(pairs(paged)) == sorted(pairs(WatchIndex(watched).match(rows)))


def _store(rows: list[IndexRow]) -> Store:
    store = open_store(":memory:")
    records = [Record(office=r.office, application_number=r.application_number,
                      verbal_elements=(VerbalElement(r.keys["text"]),) if r.keys else (),
                      nice_classes=r.nice_classes, status=Status(r.status)) for r in rows]
    store.write(records, [record_keys(r) for r in records])
    return store


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_rows=st.integers(1, 120), later=st.integers(0, 20))
def test_match_register_equals_exhaustive_pairs(seed: int, n_rows: int, later: int) -> None:
    names = small_names()
    rows = filings(seed, n_rows + later, names)
    store = _store(rows[:n_rows])
    searcher = Searcher(store, persist=False)
    newer = rows[n_rows:]  # written after the segment: read from the searcher's delta
    if newer:
        records = [Record(office=r.office, application_number=f"new{r.id}",
                          verbal_elements=(VerbalElement(r.keys["text"]),) if r.keys else (),
                          nice_classes=r.nice_classes) for r in newer]
        store.write(records, [record_keys(r) for r in records])
    stored = list(store.iter_index_rows())
    for watch in watches(seed + 2, 4, names):
        assert pairs(match_register(watch, searcher)) == pairs(exhaustive_matches([watch], stored))


def test_koka_watched_coca_filed() -> None:
    (hit,) = WatchIndex([WatchedMark(1, "KOKA", (32,))]).match([row(7, "COCA", (32,)), row(8, "PEPSI", (32,))])
    assert (hit.watch_id, hit.record_id) == (1, 7) and hit.score > 0.9
    assert "sounds like: KOKA ~ COCA" in hit.reasons and hit.signals["sound"] == 1.0
    assert hit.signals["goods"] == 1.0


def test_cross_script_chanel() -> None:
    (hit,) = WatchIndex([WatchedMark(1, "CHANEL")]).match([row(3, "샤넬"), row(4, "星巴克")])
    assert hit.record_id == 3 and hit.signals["cross_script"] > 0.8
    assert any(r.startswith("transliteration:") for r in hit.reasons)


def test_office_and_class_filters() -> None:
    rows = [row(1, "COCA", (32,), "EM"), row(2, "COCA", (32,), "US"), row(3, "COCA", (9,), "EM"),
            row(4, "COCA", (), "EM")]
    assert [m.record_id for m in WatchIndex([WatchedMark(1, "COCA")]).match(rows)] == [1, 2, 3, 4]
    assert [m.record_id for m in WatchIndex([WatchedMark(1, "COCA", offices=("EM",))]).match(rows)] == [1, 3, 4]
    assert [m.record_id for m in WatchIndex([WatchedMark(1, "COCA", (32,))]).match(rows)] == [1, 2]
    assert [m.record_id for m in WatchIndex([WatchedMark(1, "COCA", (32,), ("US",))]).match(rows)] == [2]
    # A class outside 1 to 45 (a library caller's national class) is not in the bulk join's class
    # bitmaps: such pairs are left to the exact test, never dropped.
    odd = [row(5, "COCA", (99,)), row(6, "COCA", (9, 99))]
    watched = [WatchedMark(2, "COCA", (99,)), WatchedMark(3, "COCA", (32, 99))]
    assert pairs(WatchIndex(watched).match(rows + odd)) == pairs(exhaustive_matches(watched, rows + odd))
    assert {(m.watch_id, m.record_id) for m in WatchIndex(watched).match(rows + odd)} == {
        (2, 5), (2, 6), (3, 1), (3, 2), (3, 5), (3, 6)}


@pytest.mark.parametrize(("threshold", "expected"), [(0.5, [1, 2]), (0.85, [1, 2]), (0.9, [1, 2]), (0.901, [1]),
                                                    (0.8996, [1]), (1.0, [1]), (1.01, [])])
def test_thresholds(threshold: float, expected: list[int]) -> None:
    """BROMPTON ~ BROMTON scores 0.89946: shown 0.8995 in JSON and so 0.900, which 0.9 reaches."""
    from marksearch.watch.match import reaches

    rows = [row(1, "BROMPTON", (12,)), row(2, "BROMTON", (12,)), row(3, "XYLOPHAGE", (12,))]
    found = WatchIndex([WatchedMark(5, "BROMPTON", (12,), threshold=threshold)]).match(rows)
    assert [m.record_id for m in found] == expected
    assert all(reaches(m.score, threshold) for m in found)


def test_sorted_and_deduplicated() -> None:
    watched = [WatchedMark(2, "NIKE"), WatchedMark(1, "NIKEE", threshold=0.6)]
    rows = [row(5, "NIKE"), row(3, "NIKEE"), row(5, "NIKE")]
    found = WatchIndex(watched).match(rows)
    assert [(m.watch_id, m.record_id) for m in found] == [(1, 3), (1, 5), (2, 5), (2, 3)]
    assert found == sorted(found, key=lambda m: (m.watch_id, -m.score, m.record_id))


def test_empty_inputs_and_rows_without_keys() -> None:
    assert WatchIndex([]).match([row(1, "COCA")]) == []
    assert WatchIndex([WatchedMark(1, "COCA")]).match([]) == []
    assert WatchIndex([WatchedMark(1, "COCA")]).match([row(1, "")]) == []


@pytest.mark.parametrize(("watched", "filed"), [
    ("PHOTOFIX", "FOTOFIKS"), ("KOKA", "COCA"), ("XCEED", "X-SEED"),  # sound carries it
    ("LION", "LION CAPITAL"), ("STARBUCKS", "STARBUCKS COFFEE COMPANY"),  # containment and sound
    ("CHANEL", "샤넬"), ("Coca-Cola", "可口可乐"),  # a reading in another script
    ("COCA-COLA", "СОСА-СОLА"),  # the skeleton: Cyrillic С, О, А drawn like Latin letters
])
@pytest.mark.parametrize("classes", [(), (32,)])
def test_each_signal_is_joined(watched: str, filed: str, classes: tuple[int, ...]) -> None:
    marks = [WatchedMark(1, watched, classes, threshold=0.75 if classes else 0.65)]
    rows = [row(1, filed, (32,)), row(2, "UNRELATED NAME", (32,))]
    found = WatchIndex(marks).match(rows)
    assert [m.record_id for m in found] == [1]
    assert pairs(found) == pairs(exhaustive_matches(marks, rows))


def test_containment_as_the_marks_look_is_joined() -> None:
    """A unit of one mark's skeleton inside the other's skeleton (GOOGLE in G00GLE LABS) is joined
    like a plain containment, both ways, as the exhaustive scorer finds it."""
    rng = random.Random(5)
    names = [n for n in small_names() if any(c.lower() in LOOK_ALIKES for c in n)]
    texts = ["G00GLE LABS", "RNILK SHAKE", *(f"{disguise(n, rng)} {rng.choice(['LABS', 'NOVA'])}" for n in names),
             *(disguise(n, rng) for n in names), *names]
    rows = [row(i + 1, t, (9,)) for i, t in enumerate(texts)]
    marks = [WatchedMark(1, "GOOGLE", (9,), threshold=0.7), WatchedMark(2, "MILK", threshold=0.6),
             *(WatchedMark(3 + i, t, (9,), threshold=rng.choice([0.6, 0.7, 0.8])) for i, t in enumerate(texts[2:40]))]
    found = WatchIndex(marks).match(rows)
    assert pairs(found) == pairs(exhaustive_matches(marks, rows))
    assert {(m.watch_id, m.record_id) for m in found} >= {(1, 1), (2, 2)}
    assert [m.reasons[0] for m in found if (m.watch_id, m.record_id) == (1, 1)] == [
        "contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE"]


@given(st.lists(st.integers(-(2**62), 2**62)), st.integers(1, 40))
def test_distinct_is_np_unique(values: list[int], spread: int) -> None:
    """The bulk join's de-duplication equals ``np.unique``, on repeats and on distinct values."""
    array = np.array(values, dtype=np.int64) // spread
    assert np.array_equal(_distinct(array), np.unique(array))


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 5))))
def test_runs_lists_every_position_of_each_run(runs: list[tuple[int, int]]) -> None:
    """The bulk join's run expansion, against a loop (the match tests' registers seldom hold a
    run longer than one)."""
    starts = np.array([s for s, _ in runs], dtype=np.int64)
    counts = np.array([c for _, c in runs], dtype=np.int64)
    run, at = _runs(starts, counts)
    expected = [(i, s + j) for i, (s, c) in enumerate(runs) for j in range(c)]
    assert list(zip(run.tolist(), at.tolist(), strict=True)) == expected


def test_a_threshold_typed_from_either_shown_score_reaches_it() -> None:
    """Scores are shown to 3 places (the command line, the web pages) and 4 (JSON): a threshold
    typed from either form catches the filing, though the raw score is below it; one typed above
    the shown form does not; and the bulk join, whose level is derived from the threshold, finds
    what the exhaustive scorer finds."""
    from marksearch.watch.match import reaches

    assert reaches(0.79366, 0.794) and reaches(0.79366, 0.7937)  # shown 0.794, and 0.7937 in JSON
    assert not reaches(0.79352, 0.7937)  # shown 0.7935 in JSON: below a threshold typed from JSON
    assert not reaches(0.79344, 0.794) and not reaches(0.79366, 0.7938)
    assert reaches(0.79349, 0.794)  # shown 0.7935 in JSON, and so 0.794 (3 places are those 4, half up)
    names = ["ADIDAS", "ADIDOS", "KOKA", "COCA", "BROMPTON", "BROMTON", "OLYMEL", "OLIMEL", "PYTON", "PYTHON",
             "NIKE", "NIKEE", "LION", "LIONS", "STARBUCK", "STARBUCKS", "PHOTOFIX", "FOTOFIKS", "PUMA", "PUNA"]
    rows = [row(i, text, (12,)) for i, text in enumerate(names, 1)]
    rounded_up = 0
    for watched in names:
        for hit in exhaustive_matches([WatchedMark(1, watched, (12,), threshold=0.5)], rows):
            shown3, shown4 = shown_score(hit.score), shown_score(hit.score, 4)
            rounded_up += shown3 > shown4
            above3, above4 = round(shown3 + 0.001, 3), round(shown4 + 0.0001, 4)
            for threshold, caught in ((shown3, True), (shown4, True), (above3, False), (above4, False)):
                if threshold > 1.0 or (threshold == above4 and round(above4, 3) == above4):
                    continue  # 0.9599 + 0.0001 is 0.96, which a score shown 0.960 reaches
                marks = [WatchedMark(1, watched, (12,), threshold=threshold)]
                bulk = [m.record_id for m in WatchIndex(marks).match(rows)]
                assert (hit.record_id in bulk) is caught, (watched, hit.record_id, hit.score, threshold)
                assert pairs(WatchIndex(marks).match(rows)) == pairs(exhaustive_matches(marks, rows))
    assert rounded_up  # some score whose 3 places are above its 4: what a 4-place comparison missed
