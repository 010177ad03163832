"""Numbers heard as words (keys version 5): the table of text.numbers, and the marks it brings together."""

from __future__ import annotations

import pytest

from marksearch.scoring import Candidate, ScoringModel
from marksearch.text import mark_keys
from marksearch.text.numbers import spoken


@pytest.mark.parametrize(
    ("word", "plain", "puns"),
    [
        ("7", "seven", "seven"),
        ("0", "zero", "zero"),
        ("07", "zeroseven", "zeroseven"),  # a leading zero is said digit by digit
        ("13", "thirteen", "thirteen"),
        ("21", "twentyone", "twentyone"),
        ("40", "forty", "forty"),
        ("99", "ninetynine", "ninetynine"),
        ("4ever", "fourever", "forever"),
        ("2gether", "twogether", "together"),
        ("gr8", "greight", "greight"),  # puns only in words of three letters or more
        ("4d", "fourd", "fourd"),  # the letter is said by its name: 4D is not "ford"
        ("b4", "bfour", "bfour"),
        ("4you", "fouryou", "foryou"),
        ("4", "four", "for"),  # a number written apart: "4 EVER"
        ("1st", "first", "first"),  # an ordinal is said as one, never as a pun
        ("2nd", "second", "second"),
        ("3rd", "third", "third"),
        ("11th", "eleventh", "eleventh"),
        ("12th", "twelfth", "twelfth"),
        ("20th", "twentieth", "twentieth"),
        ("21st", "twentyfirst", "twentyfirst"),
        ("22nd", "twentysecond", "twentysecond"),
        ("2th", "twoth", "twoth"),  # an ending that is not the number's own is read as letters
        ("747", "747", "747"),  # three digits or more stay digits
        ("1984", "1984", "1984"),
        ("a1b22c333", "aonebtwentytwoc333", "awonbtwentytwoc333"),
        ("coca", "coca", "coca"),
    ],
)
def test_spoken(word: str, plain: str, puns: str) -> None:
    assert spoken(word) == plain
    assert spoken(word, puns=True) == puns


@pytest.mark.parametrize(
    ("left", "right"),
    [("7-ELEVEN", "SEVEN ELEVEN"), ("4EVER", "FOREVER"), ("4 EVER", "FOREVER"), ("2GETHER", "TOGETHER"),
     ("FOREVER 21", "FOREVER TWENTY ONE"),
     ("1 DIRECTION", "ONE DIRECTION"), ("3M", "THREE M"), ("1ST CLASS", "FIRST CLASS")],
)
def test_a_number_sounds_like_its_words(left: str, right: str) -> None:
    assert set(mark_keys(left).sound) & set(mark_keys(right).sound)
    scored = ScoringModel().scorer(mark_keys(left))(Candidate.from_keys(1, mark_keys(right).to_dict(), ()))
    assert scored.signals["sound"] == 1.0
    assert f"sounds like: {left} ~ {right}" in scored.reasons


def test_a_letter_beside_a_number_is_no_pun() -> None:
    """4D is said "four dee": heard as "for" plus D it sounded exactly like FORD (Ford's
    relevance row lost a rank to it)."""
    assert not set(mark_keys("4D").sound) & set(mark_keys("FORD").sound)


def test_numbers_add_only_sound_keys() -> None:
    """The readings of numbers are heard, not read: no latin key spells them, and a mark with no
    digit keeps exactly the keys it had."""
    keys = mark_keys("7-ELEVEN")
    assert keys.latin == ("7eleven",) and keys.compact == "7eleven"
    assert "seveneleven" in keys.sound
    assert mark_keys("SEVEN ELEVEN").sound == ("seveneleven",)
    # digits in a Cyrillic or Chinese word are not read in English
    assert not any("seven" in s for s in mark_keys("7небо").sound)
    assert not any("seven" in s for s in mark_keys("7天").sound)


def test_a_search_in_words_finds_the_mark_in_numbers() -> None:
    from marksearch.ingest import record_keys
    from marksearch.records import Record, Status, VerbalElement
    from marksearch.search import Query, Searcher
    from marksearch.store import open_store
    from tests.test_search import register

    marks = ["7-ELEVEN", "2GETHER", "ELEVATE", "SEVEN SEAS", "TOGETHER WE"]
    records = [*register(3, 300), *(Record(office="EM", application_number=f"9{i:07d}", status=Status.REGISTERED,
                                           verbal_elements=(VerbalElement(t),)) for i, t in enumerate(marks))]
    store = open_store(":memory:")
    store.write(records, [record_keys(r) for r in records])
    searcher = Searcher(store)
    for query, mark in [("SEVEN ELEVEN", "7-ELEVEN"), ("TOGETHER", "2GETHER")]:
        top = searcher.search(Query(query, statuses=("all",), limit=1)).hits[0]
        assert top.record.mark_text == mark
        assert f"sounds like: {query} ~ {mark}" in top.scored.reasons
