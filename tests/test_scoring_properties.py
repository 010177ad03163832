"""Properties of the signals, the fused model, the bounds and the reference
(Hypothesis; RapidFuzz's habit of testing fast code against plain truths)."""

from __future__ import annotations

import math
import random
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from marksearch.scoring import (
    SIGNALS,
    TEXT_SIGNALS,
    Candidate,
    KeyLengths,
    ScoringModel,
    exhaustive_search,
    max_levenshtein_for_lengths,
    max_levenshtein_for_qgrams,
    max_scored,
    max_spelling_for_lengths,
    prepare_query,
)
from marksearch.scoring.bounds import (
    max_containment,
    max_containment_for_lengths,
    max_cross_script,
    max_sound,
    max_spelling,
)
from marksearch.scoring.signals import spelling
from marksearch.text import mark_keys

# Letters that fold, confuse (0/O, 1/l, rn/m), carry accents, join words, and
# a few Chinese, Korean, Japanese and Cyrillic characters for cross-script pairs.
LATIN = "abcdeiklmnorstuvyzABCKO01 -&'éü"
OTHER = "可口乐任天堂拉菲庄园宝马샤넬스타벅코카콜라スターバックロソンКОЛАкола"
REAL = ["COCA-COLA", "KOKA", "C0CA", "BUD", "BUDMEN", "LION CAPITAL", "STONE LION CAPITAL",
        "XCEED", "X-SEED", "Chanel", "샤넬", "任天堂", "Nintendo", "可口可乐", "VEUVE CLICQUOT",
        "ICE SHINE", "ISHINE", "Müller & Söhne GmbH", "1&1", "21世纪不动产", "スターバックス"]

marks = st.one_of(
    st.text(alphabet=LATIN, max_size=18),
    st.text(alphabet=LATIN + OTHER, max_size=12),
    st.sampled_from(REAL),
)
latin_marks = st.text(alphabet=LATIN, min_size=1, max_size=18)
classes = st.lists(st.integers(1, 45), max_size=3)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def candidate(text: str, nice_classes: list[int] | None = None, record_id: int = 1) -> Candidate:
    return Candidate.from_keys(record_id, mark_keys(text).to_dict(), nice_classes or ())


@SETTINGS
@given(marks, marks, classes, classes)
def test_every_signal_lies_in_the_unit_interval(a: str, b: str, ca: list[int], cb: list[int]) -> None:
    q, c = prepare_query(a, classes=ca), candidate(b, cb)
    for name, function in SIGNALS.items():
        signal = function(q, c)
        assert 0.0 <= signal.score <= 1.0, name
        assert isinstance(signal.reason, str)
    assert 0.0 <= ScoringModel().scorer(a, classes=ca)(c).score <= 1.0


@SETTINGS
@given(marks, marks, classes, classes)
def test_every_signal_is_symmetric(a: str, b: str, ca: list[int], cb: list[int]) -> None:
    qa, qb = prepare_query(a, classes=ca), prepare_query(b, classes=cb)
    ca_, cb_ = candidate(a, ca), candidate(b, cb)
    for name, function in SIGNALS.items():
        assert function(qa, cb_).score == function(qb, ca_).score, name


@SETTINGS
@given(marks)
def test_a_mark_is_identical_to_itself(text: str) -> None:
    keys = mark_keys(text)
    assume(keys.plain)
    q, c = prepare_query(keys), candidate(text)
    assert SIGNALS["spelling"](q, c).score == 1.0
    assert SIGNALS["containment"](q, c).score == 1.0
    assert SIGNALS["sound"](q, c).score == (1.0 if any(keys.sound) else 0.0)
    assert SIGNALS["cross_script"](q, c).score == 0.0  # one script: not a transliteration
    hit = ScoringModel().scorer(keys)(c)
    assert ScoringModel().text_score(hit.signals) == 1.0


@SETTINGS
@given(marks, marks, classes, classes)
def test_the_quick_score_is_the_explained_score(a: str, b: str, ca: list[int], cb: list[int]) -> None:
    model = ScoringModel()
    scorer = model.scorer(a, classes=ca)
    c = candidate(b, cb)
    hit = scorer(c)
    assert scorer.score(c) == hit.score
    assert math.isclose(model.fuse(hit.signals), hit.score, abs_tol=1e-12)
    assert hit.reasons == [r for r in hit.reasons if r]


# -- bounds -------------------------------------------------------------------


def qgrams(text: str, q: int) -> Counter[str]:
    return Counter(text[i:i + q] for i in range(len(text) - q + 1))


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="abcde", max_size=14), st.text(alphabet="abcde", max_size=14),
       st.integers(1, 4))
def test_levenshtein_bounds_are_never_below_the_similarity(a: str, b: str, q: int) -> None:
    sim = Levenshtein.normalized_similarity(a, b)
    assert sim <= max_levenshtein_for_lengths(len(a), len(b)) + 1e-12
    shared = sum((qgrams(a, q) & qgrams(b, q)).values())
    assert sim <= max_levenshtein_for_qgrams(len(a), len(b), shared, q=q) + 1e-12


@SETTINGS
@given(marks, marks, classes, classes)
def test_signal_bounds_are_never_below_the_signals(a: str, b: str, ca: list[int], cb: list[int]) -> None:
    q, c = prepare_query(a, classes=ca), candidate(b, cb)
    lengths = KeyLengths.of(c)
    for name, bound in [("spelling", max_spelling), ("sound", max_sound),
                        ("cross_script", max_cross_script), ("containment", max_containment)]:
        assert SIGNALS[name](q, c).score <= bound(q, lengths) + 1e-12, name
    goods = SIGNALS["goods"](q, c).score
    assert ScoringModel().scorer(a, classes=ca).score(c) <= max_scored(q, lengths, goods=goods) + 1e-12


@SETTINGS
@given(latin_marks, latin_marks)
def test_spelling_bound_for_plain_lengths(a: str, b: str) -> None:
    ka, kb = mark_keys(a), mark_keys(b)
    assume(ka.skeleton == ka.plain and kb.skeleton == kb.plain)
    score = spelling(prepare_query(ka), candidate(b)).score
    assert score <= max_spelling_for_lengths(len(ka.plain), len(kb.plain)) + 1e-12


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 20), st.integers(1, 20), st.integers(1, 30))
def test_containment_bound_is_monotone_in_the_unit(unit: int, denominator: int, container: int) -> None:
    value = max_containment_for_lengths(unit, denominator, container)
    assert 0.0 <= value < 1.0
    if value:
        assert max_containment_for_lengths(unit, denominator, container + 1) <= value
    if unit < 3 or unit > container:
        assert value == 0.0


# -- the reference ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(marks, min_size=1, max_size=25), marks, st.integers(1, 10), st.randoms())
def test_exhaustive_search_is_the_sorted_scores(texts: list[str], query: str, limit: int,
                                                 rng: random.Random) -> None:
    candidates = [candidate(t, record_id=i) for i, t in enumerate(texts)]
    hits = exhaustive_search(query, candidates, limit=limit)
    scorer = ScoringModel().scorer(query)
    truth = sorted(((scorer(c).score, c.record_id) for c in candidates), key=lambda r: (-r[0], r[1]))
    assert [(h.score, h.record_id) for h in hits] == truth[:limit]
    rng.shuffle(candidates)
    assert exhaustive_search(query, candidates, limit=limit) == hits


def test_text_signals_are_the_fused_ones() -> None:
    assert set(TEXT_SIGNALS) | {"goods"} == set(SIGNALS)
