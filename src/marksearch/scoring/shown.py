"""Scores as they are shown: 4 places in JSON, in alerts and in the exports' numbers; 3 places on
the command line, the web pages, the reports and the PDF.

The 3 places are those of the 4-place score, rounded half up, so that a pair shows one score
wherever it is shown.  Rounding the raw score to 3 places instead made KOKA ~ KOKO (0.69048)
0.690 in a search and 0.691 in a watch alert, whose stored score is the 4-place 0.6905: a
threshold typed from one did not catch the filing the other showed.  (Python's float formatting
rounds the binary value, which for 0.6905 lies above it, and Babel's rounds the decimal half
to even: neither is "the 4 places, rounded" for every score.)
"""

from __future__ import annotations

__all__ = ["shown_score"]


def shown_score(score: float, places: int = 3) -> float:
    """``score`` as it is shown at ``places`` (3 or 4) decimal places.

    >>> shown_score(0.6904834), shown_score(0.6904834, 4), shown_score(0.79349), shown_score(0.79344)
    (0.691, 0.6905, 0.794, 0.793)
    """
    units: int = round(round(score, 4) * 10_000)  # the 4-place score, as an integer
    if places >= 4:
        return units / 10_000
    step: int = 10 ** (4 - places)
    return ((units + step // 2) // step) / 10.0**places
