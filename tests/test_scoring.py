"""Signals, the fused model and the exhaustive reference, on judged examples."""

from __future__ import annotations

import random

import pytest

import marksearch.scoring as scoring
from marksearch.records import Record, Status, VerbalElement
from marksearch.scoring import (
    SIGNALS,
    Candidate,
    Filters,
    ScoringModel,
    class_similarity,
    containment,
    cross_script,
    exhaustive_search,
    goods,
    prepare_query,
    sound,
    spelling,
)
from marksearch.scoring.candidate import word_boundaries
from marksearch.scoring.signals import PART_WEIGHT, SOUND_EXPONENT
from marksearch.store import open_store
from marksearch.text import mark_keys


def signal(function: scoring.SignalFunction, a: str, b: str) -> scoring.Signal:
    return function(prepare_query(a), Candidate.from_text(1, b))


# -- one table per signal ------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "low", "high", "reason"), [
    # letters alike in shape are not the same letters: short of identity
    ("C0CA", "COCA", 0.95, 0.95, "spelling: looks alike (C0CA ~ COCA)"),
    ("MATTEI", "MATTEL", 0.95, 0.95, "spelling: looks alike (MATTEI ~ MATTEL)"),  # I ~ l: below MATTEI
    # the skeleton (I read as l) scores better, but 5 letters differ as written: not "looks alike"
    ("McDonalds", "MCNAIR", 0.45, 0.55, "spelling: 5 letters differ (McDonalds ~ MCNAIR)"),
    ("FIAT", "FLOAT", 0.6, 0.8, "spelling: 2 letters differ (FIAT ~ FLOAT)"),  # flat ~ float: 1 as read
    # looking the same as a whole, they look the same word for word (the dominant word spelt c0ca)
    ("C0CA COFFEE", "COCA COFFEE", 0.95, 0.95, "spelling: looks alike (C0CA COFFEE ~ COCA COFFEE)"),
    ("HOTEL ВООК", "HOTEL BOOK", 0.95, 0.95, "spelling: looks alike (HOTEL ВООК ~ HOTEL BOOK)"),
    ("LEGO", "135º", 0.0, 0.3, ""),  # 135º is a number: its digits are not read as letters
    # Cyrillic С, О and А among Latin letters
    ("СОСА-СОLА", "COCA-COLA", 0.95, 0.99, "spelling: looks alike (СОСА-СОLА ~ COCA-COLA)"),
    ("COCA", "COCA", 1.0, 1.0, "spelling: identical"),
    ("Coca-Cola", "COCA COLA", 1.0, 1.0, "spelling: same letters (Coca-Cola ~ COCA COLA)"),
    ("DIMOND", "DIAMOND", 0.8, 0.9, "spelling: 1 letter differs (DIMOND ~ DIAMOND)"),
    ("COMMCASH", "COMMUNICASH", 0.7, 0.75, "spelling: 3 letters differ (COMMCASH ~ COMMUNICASH)"),
    ("XCEED", "X-SEED", 0.7, 0.8, "spelling: 1 letter differs (XCEED ~ X-SEED)"),
    ("LION CAPITAL", "LION CAPITOL", 0.9, 0.95, "spelling: 1 letter differs (LION CAPITAL ~ LION CAPITOL)"),
    ("LION CAPITAL GMBH", "LION CAPITAL", 0.9, 0.95, "spelling: same dominant words (LION CAPITAL GMBH ~ LION CAPITAL)"),
    ("COCA", "PEPSI", 0.0, 0.0, ""),
    ("可口可乐", "COCA-COLA", 0.0, 0.0, ""),  # no shared script: cross_script's question
    ("★ !!!", "", 0.0, 0.0, ""),  # no letters on either side (a figurative mark): nothing spelt alike
    ("COCA", "", 0.0, 0.0, ""),
])
def test_spelling(a: str, b: str, low: float, high: float, reason: str) -> None:
    got = signal(spelling, a, b)
    assert low <= got.score <= high
    assert got.reason == reason


def test_a_figurative_mark_matches_nothing_by_its_text() -> None:
    # Two marks without letters were "spelt alike" (RapidFuzz calls two empty strings
    # identical): a watch on a symbol alerted on every figurative filing at 0.875.
    scored = ScoringModel().scorer("®")(Candidate.from_text(1, ""))
    assert scored.score == 0.0 and scored.reasons == []


def test_spelling_weighs_the_beginning_and_the_dominant_words() -> None:
    # One letter changed at the start costs more than one at the end.
    assert signal(spelling, "COCA", "KOCA").score < signal(spelling, "COCA", "COCO").score
    # A difference in the dominant word costs more than one in a generic word.
    assert (signal(spelling, "LION CAPITAL", "LYON CAPITAL").score
            < signal(spelling, "LION CAPITAL", "LION BANK").score
            < signal(spelling, "LION CAPITAL", "LION CAPITAL LTD").score)


@pytest.mark.parametrize(("a", "b", "low", "reason"), [
    ("KOKA", "COCA", 1.0, "sounds like: KOKA ~ COCA"),
    ("XCEED", "X-SEED", 1.0, "sounds like: XCEED ~ X-SEED"),
    ("ISHINE", "ICE SHINE", 1.0, "sounds like: ISHINE ~ ICE SHINE"),
    ("PHOTO", "FOTO", 1.0, "sounds like: PHOTO ~ FOTO"),
    ("护士宝", "护舒宝", 0.75, "sounds like: 护士宝 ~ 护舒宝"),
])
def test_sound(a: str, b: str, low: float, reason: str) -> None:
    got = signal(sound, a, b)
    assert got.score >= low
    assert got.reason == reason


def test_sound_is_calibrated_below_spelling_for_unrelated_marks() -> None:
    # Consonant frames alone (Double Metaphone) are weak evidence.
    assert signal(sound, "BUDMEN", "BY THE MOON").score < 0.6
    assert signal(sound, "COCA", "PEPSI").score < 0.3
    assert signal(sound, "可口可乐", "COCA-COLA") == scoring.Signal(0.0, "")


@pytest.mark.parametrize(("a", "b", "low", "reads"), [
    ("可口可乐", "COCA-COLA", 1.0, "cocacola"),  # CC-CEDICT's name of the word
    ("可口可樂", "KOKA", 0.9, "koka"),  # the pinyin respelled
    ("Chanel", "샤넬", 1.0, ", alike in sound"),  # by sound keys (xanel), which are no reading to show
    ("任天堂", "Nintendo", 1.0, "nintendo"),
    ("Starbucks", "スターバックス", 1.0, "starbucks"),
    ("Lawson", "ローソン", 0.8, ", alike in sound"),  # by sound keys
    ("Walmart", "沃尔玛", 0.7, ""),
])
def test_cross_script(a: str, b: str, low: float, reads: str) -> None:
    got = signal(cross_script, a, b)
    assert got.score >= low
    if reads.startswith(","):
        assert got.reason == f"transliteration: {a} ~ {b}{reads}"
    else:
        assert got.reason.startswith(f"transliteration: {a} reads ")
        assert f"reads {reads}" in got.reason


def test_a_reading_of_part_of_a_mark_counts_as_a_containment() -> None:
    # 可口可乐 reads cocacola as a whole, keko by its dominant word 可口 alone (可乐 is "cola").
    register = [Candidate.from_text(1, "KEKO"), Candidate.from_text(2, "COCA-COLA")]
    hits = exhaustive_search("可口可乐", register)
    assert [h.record_id for h in hits] == [2, 1]
    assert hits[0].scored.signals["cross_script"] == 1.0
    assert hits[1].scored.signals["cross_script"] == pytest.approx(PART_WEIGHT)
    assert hits[1].scored.reasons[0] == "transliteration: 可口可乐 ~ KEKO, partly alike in sound"
    # Either way round, and in sound when the marks share a script.
    assert signal(cross_script, "KEKO", "可口可乐").score == pytest.approx(PART_WEIGHT)
    assert signal(sound, "可口", "可口可乐").score == pytest.approx(PART_WEIGHT ** SOUND_EXPONENT)
    assert signal(sound, "可口", "可口").score == 1.0
    # A legal form is not part of the mark: ACME GMBH sounds like ACME in full.
    assert signal(sound, "ACME", "ACME GMBH").score == 1.0
    # A register keyed before partial keys existed reads the core in full, as it did.
    old = {k: v for k, v in mark_keys("可口可乐").to_dict().items() if k != "partial"}
    assert cross_script(prepare_query("KEKO"), Candidate.from_keys(1, old)).score == 1.0


def test_a_chinese_wine_mark_is_read_without_its_estate() -> None:
    # 庄园 "estate" names the goods: 拉菲庄园 meets 拉菲 by sound, as a part of it, which containment
    # (three characters at least) cannot see.
    hits = exhaustive_search("拉菲庄园", [Candidate.from_text(1, "拉菲"), Candidate.from_text(2, "拉面")])
    assert hits[0].record_id == 1
    assert hits[0].scored.signals["sound"] == pytest.approx(PART_WEIGHT ** SOUND_EXPONENT)


def test_cross_script_only_between_scripts() -> None:
    assert signal(cross_script, "KOKA", "COCA").score == 0.0
    assert signal(cross_script, "可口可乐", "可口可乐").score == 0.0
    # A mark sharing a script is compared by spelling, sound and containment.
    assert signal(cross_script, "Nintendo 任天堂", "任天堂").score == 0.0
    assert signal(containment, "Nintendo 任天堂", "任天堂").score > 0.6


def test_short_loose_keys_count_less() -> None:
    # FIAT and VEED share the loose key "fat" with 福特 (fu-te): a three-letter frame.
    assert signal(cross_script, "福特", "FIAT").score < 0.6
    assert signal(cross_script, "福特", "Ford").score == 1.0  # its CC-CEDICT name
    assert signal(cross_script, "沃尔玛", "Walmart").score > signal(cross_script, "沃尔玛", "FAMA").score


@pytest.mark.parametrize(("a", "b", "low", "high", "reason"), [
    ("BUDMEN", "BUD", 0.7, 0.8, "contains: BUD in BUDMEN"),
    ("BUD", "BUDMEN", 0.7, 0.8, "contains: BUD in BUDMEN"),
    ("STONE LION CAPITAL", "LION CAPITAL", 0.75, 0.85, "contains: LION CAPITAL in STONE LION CAPITAL"),
    ("LINGO BUS", "LINGO", 0.75, 0.9, "contains: LINGO in LINGO BUS"),
    ("JEAN LEON'S LA SCALA", "JEAN LEON", 0.65, 0.8, "contains: JEAN LEON in JEAN LEON'S LA SCALA"),
    ("VEUVE ROYALE", "VEUVE CLICQUOT", 0.5, 0.6,
     "contains: VEUVE (from VEUVE ROYALE) in VEUVE CLICQUOT"),
    ("LION CAPITAL", "LION", 0.9, 0.95, "contains: LION (from LION CAPITAL) in LION"),
    ("护舒宝卫生巾", "护舒宝", 0.6, 0.9, "contains: 护舒宝 in 护舒宝卫生巾"),
    ("拉菲庄园", "拉菲", 0.0, 0.0, ""),  # two characters: under MIN_CONTAINED (a known limit)
    ("ALPHA", "A", 0.0, 0.0, ""),  # shorter than MIN_CONTAINED: not inside
    ("BUDMEN", "PEPSI", 0.0, 0.0, ""),
])
def test_containment(a: str, b: str, low: float, high: float, reason: str) -> None:
    got = signal(containment, a, b)
    assert low <= got.score <= high
    assert got.reason == reason


def test_containment_prefers_the_beginning_and_word_boundaries() -> None:
    start = signal(containment, "ALPHA OMEGA", "ALPHA DELTA").score
    later = signal(containment, "ALPHA OMEGA", "DELTA OMEGA").score
    assert start > later
    whole_word = signal(containment, "BUD LIGHT", "BUD").score
    inside_word = signal(containment, "ROSEBUDS", "BUD").score
    assert whole_word > inside_word


@pytest.mark.parametrize(("a", "b", "low", "high", "reason"), [
    # digits written for letters: G00GLE is GOOGLE as it looks, in either direction
    ("G00GLE LABS", "GOOGLE", 0.9, 0.91, "contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE"),
    ("GOOGLE", "G00GLE LABS", 0.9, 0.91, "contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE"),
    ("SPORT", "5PORT LINE", 0.75, 0.8, "contains, looks alike: SPORT in 5PORT LINE"),
    ("LION", "L1ON KING", 0.7, 0.8, "contains, looks alike: LION in L1ON KING"),  # 1 for I, read l as I is
    ("MILK", "RNILK SHAKE", 0.7, 0.8, "contains, looks alike: MILK in RNILK SHAKE"),  # rn for m
    ("COCA COLA", "СОСА", 0.9, 0.91, "contains, looks alike: COCA (from COCA COLA) in СОСА"),  # Cyrillic С, О, А
])
def test_containment_as_the_marks_look(a: str, b: str, low: float, high: float, reason: str) -> None:
    """A mark written with look-alike glyphs holds what it shows, at VISUAL_WEIGHT of a plain containment."""
    got = signal(containment, a, b)
    assert low <= got.score <= high
    assert got.reason == reason


def test_letters_alike_in_one_case_only_make_no_containment() -> None:
    """The skeleton reads every i as l (a capital I looks like a small l), which would put short
    units inside unrelated marks: containment as the marks look needs a digit or a glyph."""
    assert signal(containment, "G00GLE LABS", "GOOGLE").score > 0.9
    for a, b in [("SAMURAI", "MURAL"), ("WII U", "WILDLIFE"), ("WELLS FARGO", "IIS"), ("CAROLINA", "NT-ROLL"),
                 ("TROLL", "OIL"), ("MATTEL TOYS", "MATTEI")]:
        assert signal(containment, a, b) == scoring.Signal(0.0, ""), (a, b)
    assert signal(containment, "G00GLE SAMURAI", "MURAL").score == 0.0  # the glyph lies elsewhere
    # numbers stay numbers (the skeleton reads digits only in words of more letters than digits)
    assert signal(containment, "100 MONKEYS", "LOO").score == 0.0
    assert signal(containment, "B52", "BS2").score == 0.0


def test_a_mark_written_with_digits_for_letters_ranks_with_the_mark_it_shows() -> None:
    """G00GLE LABS against GOOGLE scored 0.56 fused (sound alone), below GOOGLE against GOGGLES."""
    scorer = ScoringModel().scorer("GOOGLE")
    disguised = scorer(Candidate.from_text(1, "G00GLE LABS"))
    assert disguised.score > 0.7
    assert disguised.reasons[0] == "contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE"
    assert disguised.score > scorer(Candidate.from_text(2, "GOGGLES")).score


def test_identical_marks_are_contained_without_a_reason() -> None:
    assert signal(containment, "A", "A") == scoring.Signal(1.0, "")


@pytest.mark.parametrize(("q", "c", "score", "reason"), [
    ([9], [9, 42], 1.0, "goods: same class 9"),
    ([9], [42], 0.6, "goods: related classes 9 ~ 42"),
    ([32], [33], 0.6, "goods: related classes 32 ~ 33"),
    ([3], [5], 0.5, "goods: related classes 3 ~ 5"),
    ([25], [35], 0.4, "goods: related classes 25 ~ 35"),
    ([1], [45], 0.0, "goods: unrelated classes"),
    ([], [9], 0.5, "goods: no classes to compare"),
    ([9], [], 0.5, "goods: no classes to compare"),
    ([99], [99], 1.0, "goods: same class 99"),  # not a Nice class, but the same one
])
def test_goods(q: list[int], c: list[int], score: float, reason: str) -> None:
    got = goods(prepare_query("X", classes=q), Candidate.from_text(1, "Y", c))
    assert got == scoring.Signal(score, reason)


def test_class_similarity_is_symmetric_and_retail_meets_goods_only() -> None:
    for a in range(1, 46):
        for b in range(1, 46):
            assert class_similarity(a, b) == class_similarity(b, a)
    assert class_similarity(35, 34) == 0.4
    assert class_similarity(35, 36) == 0.3  # the business/finance pair, not retail


def test_signals_share_one_signature() -> None:
    q, c = prepare_query("KOKA", classes=[32]), Candidate.from_text(1, "COCA", [32])
    for function in SIGNALS.values():
        assert function(q, c, explain=False).reason == ""
        assert function(q, c).score == function(q, c, explain=False).score


# -- the fused model -------------------------------------------------------------


def test_scored_carries_signals_and_reasons_strongest_first() -> None:
    hit = ScoringModel().scorer("KOKA", classes=[32])(Candidate.from_text(1, "COCA", [32]))
    assert set(hit.signals) == {"spelling", "sound", "cross_script", "containment", "goods"}
    assert hit.reasons == ["sounds like: KOKA ~ COCA", "spelling: 2 letters differ (KOKA ~ COCA)",
                           "goods: same class 32"]
    assert hit.score == pytest.approx(0.95 + 0.25 * 0.05 * hit.signals["spelling"])


def test_goods_modulate_text() -> None:
    scorer = ScoringModel().scorer("COCA", classes=[32])
    same = scorer(Candidate.from_text(1, "COCA", [32])).score
    none = scorer(Candidate.from_text(2, "COCA")).score
    unrelated = scorer(Candidate.from_text(3, "COCA", [1])).score
    assert (same, none, unrelated) == (1.0, 0.875, 0.75)


def test_ranking_of_a_small_register() -> None:
    marks = ["PEPSI", "COCA-COLA", "COCA", "KOKA", "C0CA", "COLA", "COCO"]
    candidates = [Candidate.from_text(i, t) for i, t in enumerate(marks)]
    ranked = [marks[h.record_id] for h in exhaustive_search("COCA", candidates, limit=len(marks))]
    assert ranked[:2] == ["COCA", "C0CA"]  # identical, looks identical
    assert set(ranked[2:4]) == {"KOKA", "COCA-COLA"}  # sounds identical, holds it as its dominant word
    assert ranked[-1] == "PEPSI"


@pytest.mark.parametrize(("query", "alike"), [("MATTEI", "MATTEL"), ("FIAT", "FLAT"), ("MODERN", "MODEM")])
def test_an_identical_mark_ranks_above_one_that_only_looks_alike(query: str, alike: str) -> None:
    # the look-alike has the lower record id, which would win a tie
    candidates = [Candidate.from_text(0, alike), Candidate.from_text(1, query)]
    hits = exhaustive_search(query, candidates)
    assert [h.record_id for h in hits] == [1, 0]
    assert hits[0].score > hits[1].score


@pytest.mark.parametrize("bad", [
    {"weights": {"spelling": 1.5}},
    {"weights": {"meaning": 1.0}},
    {"agreement": -0.1},
    {"goods_floor": 2.0},
])
def test_model_refuses_bad_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ScoringModel(**bad)  # type: ignore[arg-type]


def test_fuse_matches_the_scorer() -> None:
    model = ScoringModel()
    scorer = model.scorer("STONE LION CAPITAL", classes=[36])
    for text, classes in [("LION CAPITAL", [36]), ("LYON", [35]), ("ライオン", []), ("X", [1])]:
        hit = scorer(Candidate.from_text(1, text, classes))
        assert model.fuse(hit.signals) == pytest.approx(hit.score, abs=1e-12)


def test_a_model_without_a_signal() -> None:
    model = ScoringModel(weights={"spelling": 1.0})
    hit = model.scorer("KOKA")(Candidate.from_text(1, "COCA"))
    assert "sound" not in hit.signals
    assert hit.reasons == ["spelling: 2 letters differ (KOKA ~ COCA)"]


# -- the exhaustive reference ----------------------------------------------------------


def test_ties_are_broken_by_record_id_whatever_the_order() -> None:
    candidates = [Candidate.from_text(i, "COCA" if i % 3 else "KOKA") for i in range(30)]
    expected = exhaustive_search("COCA", candidates, limit=12)
    assert [h.record_id for h in expected[:4]] == [1, 2, 4, 5]
    for seed in range(5):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        assert exhaustive_search("COCA", shuffled, limit=12) == expected


def test_filters() -> None:
    candidates = [
        Candidate.from_text(1, "COCA", [32], status="registered"),
        Candidate.from_text(2, "COCA", [33], status="ended"),
        Candidate.from_text(3, "COCA", [9], status="pending"),
    ]
    ids = lambda f: [h.record_id for h in exhaustive_search("COCA", candidates, filters=f)]  # noqa: E731
    assert ids(None) == [1, 2, 3]
    assert ids(Filters(classes={32, 9})) == [1, 3]
    assert ids(Filters(statuses={"registered", "pending"})) == [1, 3]
    assert ids(Filters(exclude={1})) == [2, 3]
    assert exhaustive_search("COCA", candidates, limit=0) == []


def test_query_classes_feed_goods_not_filters() -> None:
    candidates = [Candidate.from_text(1, "COCA", [1]), Candidate.from_text(2, "COCA", [32])]
    hits = exhaustive_search("COCA", candidates, classes=[32])
    assert [h.record_id for h in hits] == [2, 1]


def test_candidates_from_a_store() -> None:
    """The path an index takes: stored keys, classes and status."""
    records = [Record(office="EM", application_number=str(i), verbal_elements=(VerbalElement(t),),
                      nice_classes=(32,), status=Status.REGISTERED)
               for i, t in enumerate(["KOKA", "PEPSI"])]
    with open_store(":memory:") as store:
        store.write(records, [mark_keys(r.mark_text).to_dict() for r in records])
        candidates = [Candidate.from_keys(s.id, s.keys or {}, s.record.nice_classes,
                                          status=s.record.status.value)
                      for s in store.iter_records()]
    hits = exhaustive_search("COCA", candidates, classes=[32],
                             filters=Filters(statuses={Status.REGISTERED.value}))
    assert hits[0].scored.reasons == ["sounds like: COCA ~ KOKA",
                                      "spelling: 2 letters differ (COCA ~ KOKA)", "goods: same class 32"]


def test_candidate_keeps_what_signals_need() -> None:
    c = Candidate.from_text(5, "Coca-Cola GmbH", [32, 30])
    assert (c.record_id, c.plain, c.dominant, c.words, c.dominant_words) == (
        5, "cocacolagmbh", "coca", ("coca", "cola", "gmbh"), ("coca",))
    assert c.classes == frozenset({30, 32}) and c.scripts == frozenset({"Latn"})
    assert Candidate.from_text(1, "Müller").plain == "muller"
    assert Candidate.from_keys(1, {"plain": "", "text": ""}).plain == ""
    assert word_boundaries(("lion", "capital"), "lioncapital") == frozenset({0, 4, 11})
    assert word_boundaries(("lion",), "lioncapital") == frozenset()


def test_public_api() -> None:
    for name in scoring.__all__:
        assert getattr(scoring, name) is not None
    assert sorted(scoring.__all__) == sorted(set(scoring.__all__))


def test_hiragana_and_katakana_are_one_script() -> None:
    """トウキョウ is とうきょう in the other kana: spelt alike, heard alike, ranked above misspellings."""
    marks = ["トウキョウ", "ときょう", "とうきょ", "東京", "TOKYO"]
    candidates = [Candidate.from_text(i, t) for i, t in enumerate(marks)]
    hits = exhaustive_search("とうきょう", candidates, limit=len(marks))
    assert marks[hits[0].record_id] == "トウキョウ"
    assert hits[0].scored.signals["spelling"] == 1.0 and hits[0].scored.signals["cross_script"] == 0.0
    assert signal(cross_script, "とうきょう", "TOKYO").score > 0.8  # other scripts still cross


@pytest.mark.parametrize(("traditional", "simplified"), [("可口可樂", "可口可乐"), ("麥當勞", "麦当劳")])
def test_traditional_and_simplified_chinese_are_spelt_alike(traditional: str, simplified: str) -> None:
    hits = exhaustive_search(traditional, [Candidate.from_text(1, simplified), Candidate.from_text(2, "可口")],
                             limit=2)
    assert hits[0].record_id == 1 and hits[0].scored.signals["spelling"] == 1.0
