"""Normalising steps every reader shares: Vienna codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.formats.common import vienna

# Three parts: six digits (USPTO design search codes, KIPRIS), dotted, spaced.
THREE_PARTS = [
    ("261112", "26.11.12"), ("010102", "01.01.02"), ("1.1.2", "01.01.02"),
    ("24.07.01", "24.07.01"), (" 26.01.03 ", "26.01.03"), ("26 1 3", "26.01.03"),
]
NOT_CODES = ["2803", "26110", "2611120", "1.2.3.4", "28", "123.1.1", "a.b.c", "26..03", "", None]


@pytest.mark.parametrize("allow_division", [False, True])
@pytest.mark.parametrize(("raw", "code"), [*THREE_PARTS, *((n, None) for n in NOT_CODES)])
def test_vienna(raw: str | None, code: str | None, allow_division: bool) -> None:
    assert vienna(raw, allow_division=allow_division) == code


@pytest.mark.parametrize(("raw", "code"), [("28.03", "28.03"), ("28.3", "28.03"), ("98.04", "98.04")])
def test_vienna_division_only_when_allowed(raw: str, code: str) -> None:
    """EUIPO writes divisions without sections; the CSV reader refuses them."""
    assert vienna(raw, allow_division=True) == code
    assert vienna(raw) is None


_part = st.integers(min_value=0, max_value=99)


@given(st.lists(_part, min_size=2, max_size=3), st.sampled_from([".", " "]), st.booleans())
def test_vienna_is_stable_and_padded(parts: list[int], sep: str, pad: bool) -> None:
    raw = sep.join(f"{p:02d}" if pad else str(p) for p in parts)
    code = vienna(raw, allow_division=True)
    assert code == ".".join(f"{p:02d}" for p in parts)
    assert vienna(code, allow_division=True) == code
    assert vienna(raw) == (code if len(parts) == 3 else None)
