"""Relevance across scripts: the transliteration rows of ``cross_script`` find each other.

The register, the ranking and the bar are those of :mod:`tests.test_relevance`
(see its docstring); this check is a file of its own so that the test
workers search for it while another searches for the conflicts.
"""

from __future__ import annotations

import pytest

from tests.test_relevance import CROSS_BAR, RELEVANCE, TOP, Ranked, Register, Row, _cached_register, cross_ranks, cross_rate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def transliterations() -> list[tuple[Row, Ranked, Ranked]]:
    if not RELEVANCE.is_dir():
        pytest.fail(f"the relevance data is missing: {RELEVANCE}")
    return cross_ranks(Register(_cached_register()), transliterations_only=True)


def test_transliterations_find_each_other(transliterations: list[tuple[Row, Ranked, Ranked]]) -> None:
    rate, misses = cross_rate(transliterations)
    assert rate >= CROSS_BAR, f"{rate:.0%} both ways in the top {TOP}; missed: {misses}"
