"""Folding fixes, checked through the public keys and the scorer.

* A lone N between letters spelt one by one (T.N.T., S O N Y) is a letter of the acronym, not the
  "and" of Rock 'n' Roll, which still reads as a conjunction between words.
* The Arabic tatweel (kashida, U+0640) only stretches a letter: it is dropped like vowel points.
"""

from __future__ import annotations

from typing import Any

import pytest

from marksearch.scoring import Candidate, ScoringModel
from marksearch.text import mark_keys
from marksearch.text.fold import has_words

_MODEL = ScoringModel()


def score(a: str, b: str) -> tuple[float, list[str]]:
    result = _MODEL.scorer(a)(Candidate.from_text(1, b))
    return result.score, list(result.reasons)


def keys_but_text(text: str) -> dict[str, Any]:
    """Every stored key of a mark except the text it was made from."""
    d = mark_keys(text).to_dict()
    del d["text"]
    return d


# -- bug 1: N in spelt-out acronyms ----------------------------------------------


@pytest.mark.parametrize(("spelt", "acronym"), [
    ("T.N.T.", "TNT"),
    ("D.N.A.", "DNA"),
    ("S O N Y", "SONY"),
    ("B.N.P.", "BNP"),
    ("U.N.O.", "UNO"),
    ("C.N.N.", "CNN"),
    ("A.N.A.", "ANA"),
    ("I.N.G.", "ING"),
    ("A N F A", "ANFA"),
    ("t-n-t", "TNT"),
])
def test_spelt_acronym_keeps_its_n(spelt: str, acronym: str) -> None:
    keys = mark_keys(spelt)
    assert "&" not in keys.folded.split()
    assert keys.compact == keys.plain == acronym.lower()
    assert keys.folded == " ".join(acronym.lower())


@pytest.mark.parametrize(("spelt", "acronym"), [
    ("T.N.T.", "TNT"), ("D.N.A.", "DNA"), ("S O N Y", "SONY"), ("C.N.N.", "CNN"), ("A N F A", "ANFA"),
])
def test_spelt_acronym_scores_like_other_spelt_acronyms(spelt: str, acronym: str) -> None:
    reference, _ = score("A.B.C.", "ABC")  # letters spelt apart against the acronym: same letters
    value, reasons = score(spelt, acronym)
    assert value == pytest.approx(reference)
    assert f"spelling: same letters ({spelt} ~ {acronym})" in reasons


def test_spelt_acronym_no_longer_matches_the_acronym_without_n() -> None:
    assert mark_keys("T.N.T.").compact != mark_keys("TT").compact
    assert score("T.N.T.", "TT")[0] < score("T.N.T.", "TNT")[0]


@pytest.mark.parametrize("text", [
    "Rock 'n' Roll", "ROCK N ROLL", "rock-n-roll", "Rock n Roll", "ROCK 'N ROLL",
    "Rock N' Roll", "ROCK+N+ROLL",
])
def test_n_between_words_is_still_and(text: str) -> None:
    keys = mark_keys(text)
    assert keys.folded == "rock & roll"
    assert keys_but_text(text) == keys_but_text("ROCK AND ROLL")
    assert score(text, "ROCK AND ROLL")[0] == pytest.approx(score("A.B.C.", "ABC")[0])


@pytest.mark.parametrize(("text", "folded"), [
    ("GUNS N ROSES", "guns & roses"),  # words both sides
    ("A N ROSES", "a & roses"),  # one word of more than one letter is enough
    ("ROCK N A", "rock & a"),
    ("4 N 1", "4 & 1"),  # digits are not letters spelt out
    ("N A", "n a"),  # a leading N is a word, as before
    ("A N", "a n"),  # and so is a trailing one
    ("A & B", "a & b"),  # the signs & and + are conjunctions between anything
    ("A AND B", "a & b"),  # and so are the words
])
def test_n_conjunction_neighbours(text: str, folded: str) -> None:
    assert mark_keys(text).folded == folded


# -- bug 2: the Arabic tatweel ---------------------------------------------------


@pytest.mark.parametrize(("stretched", "plain"), [
    ("نايـك", "نايك"),
    ("نايــــك", "نايك"),  # however long the stretch
    ("كوكـا كولـا", "كوكا كولا"),
    ("تُويُـوتَا", "تويوتا"),  # with vowel points too
])
def test_tatweel_is_dropped(stretched: str, plain: str) -> None:
    keys = mark_keys(stretched)
    assert "\u0640" not in keys.folded + keys.compact + keys.plain + keys.skeleton
    assert keys_but_text(stretched) == keys_but_text(plain)


def test_tatweel_scores_identical() -> None:
    value, reasons = score("نايـك", "نايك")
    reference, _ = score("نايك", "نايك")
    assert value == pytest.approx(reference)
    assert "spelling: same letters (نايـك ~ نايك)" in reasons


def test_tatweel_alone_is_no_word() -> None:
    assert not has_words("ـ")
    assert not has_words("ـــ ـ")
    assert mark_keys("ـ").folded == ""
    assert mark_keys("نايـك ـ").folded == mark_keys("نايك").folded


# -- one letter, one form: Persian letters, hamza and madda on alef, digits of every script ------------


@pytest.mark.parametrize(("written", "plain"), [
    ("کیا", "كيا"),  # Persian keheh and farsi yeh: the KIA of Iran and of the Arab world
    ("مصطفى", "مصطفي"),  # alef maksura for a final yeh (Egypt)
    ("أحمد", "احمد"), ("إسلام", "اسلام"), ("آرامکو", "ارامكو"),  # a hamza or madda on the alef, or none
    ("٧-ELEVEN", "7-ELEVEN"), ("۲۰ ۲۰", "20 20"),  # Arabic-Indic and Persian digits
])
def test_one_letter_in_two_forms_is_spelt_one_way(written: str, plain: str) -> None:
    assert keys_but_text(written) == keys_but_text(plain)
    value, reasons = score(written, plain)
    assert value == pytest.approx(score(plain, plain)[0]) and any("same letters" in r for r in reasons)


# -- a closing + is said "plus" -------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "said"), [("DISNEY+", "DISNEY PLUS"), ("Canal+", "CANAL PLUS"),
                                               ("C++", "C PLUS PLUS"), ("Paramount +", "PARAMOUNT PLUS")])
def test_a_closing_plus_is_said_plus(written: str, said: str) -> None:
    assert mark_keys(written).folded == mark_keys(said).folded
    assert score(written, said)[0] == pytest.approx(score(said, said)[0])


def test_a_plus_between_words_is_still_and() -> None:
    assert mark_keys("A+B").folded == mark_keys("A & B").folded == mark_keys("A AND B").folded == "a & b"
    assert mark_keys("+ROCK").folded == "rock"  # an opening + is no word, as before
