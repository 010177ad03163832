"""Per-mark columns for filtering: office, status, feature, Nice classes, filing date.

Each column is one numpy array indexed by the mark's position in the index,
so a filter over millions of marks is a few vectorised comparisons: classes
are a 64-bit mask per mark (bit ``c`` for Nice class ``c``), so "class 9 or
42" is ``(mask & want) != 0``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from marksearch.records import Feature, Status

__all__ = ["FEATURE_CODES", "LIVE", "STATUS_CODES", "Filter", "class_mask", "day_number"]

STATUS_CODES = {s.value: i for i, s in enumerate(Status)}
LIVE = tuple(s.value for s in Status if s.live)
FEATURE_CODES = {f.value: i for i, f in enumerate(Feature)}
_EPOCH = dt.date(1800, 1, 1)
NO_DATE = -(2**31)  # below every date: days before the epoch are negative (a filing of 1799 is -1)


def class_mask(classes: Sequence[int]) -> int:
    """Bit ``c`` set for each Nice class ``c`` (1 to 45)."""
    mask = 0
    for c in classes:
        if 1 <= c <= 45:
            mask |= 1 << c
    return mask


def day_number(iso: str | None) -> int:
    """Days since 1800-01-01 for an ISO date (below 0 before it), :data:`NO_DATE` when unknown.

    >>> day_number("1800-01-02"), day_number("1799-12-31"), day_number("0201-05-01") > NO_DATE, day_number("x")
    (1, -1, True, -2147483648)
    """
    if not iso:
        return NO_DATE
    try:
        return (dt.date.fromisoformat(iso[:10]) - _EPOCH).days
    except ValueError:
        return NO_DATE


@dataclass(frozen=True)
class Filter:
    """What a query allows; empty tuples allow everything.

    ``statuses`` defaults to the live statuses (pending, registered, unknown):
    an ended mark cannot block a later one, so a clearance search leaves it
    out unless asked.
    """

    offices: tuple[str, ...] = ()
    classes: tuple[int, ...] = ()
    statuses: tuple[str, ...] = LIVE
    features: tuple[str, ...] = ()
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None

    def mask(
        self,
        *,
        office: npt.NDArray[np.uint8],
        office_codes: dict[str, int],
        status: npt.NDArray[np.uint8],
        feature: npt.NDArray[np.uint8],
        classes: npt.NDArray[np.uint64],
        filed: npt.NDArray[np.int32],
    ) -> npt.NDArray[np.bool_] | None:
        """Boolean mask over the columns, or ``None`` when nothing is filtered out."""
        keep: npt.NDArray[np.bool_] | None = None

        def both(part: npt.NDArray[np.bool_]) -> None:
            nonlocal keep
            keep = part if keep is None else keep & part

        if self.offices:
            codes = [office_codes[o] for o in self.offices if o in office_codes]
            both(np.isin(office, np.array(codes, dtype=np.uint8)))
        if set(self.statuses) != set(STATUS_CODES):
            both(np.isin(status, np.array([STATUS_CODES[s] for s in self.statuses], dtype=np.uint8)))
        if self.features:
            both(np.isin(feature, np.array([FEATURE_CODES[f] for f in self.features], dtype=np.uint8)))
        if self.classes:
            both((classes & np.uint64(class_mask(self.classes))) != 0)
        if self.filed_from is not None:
            # an undated mark is outside every range, however early it starts
            both((filed >= (self.filed_from - _EPOCH).days) & (filed != NO_DATE))
        if self.filed_to is not None:
            both((filed <= (self.filed_to - _EPOCH).days) & (filed != NO_DATE))
        return keep
