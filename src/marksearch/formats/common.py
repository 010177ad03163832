"""Small normalising steps shared by every reader: dates, classes, Vienna codes.

>>> parse_date("filing", "2000-05-09-04:00").value
datetime.date(2000, 5, 9)
>>> parse_date("first_use", "18790000").precision
'year'
>>> vienna("261112"), vienna("1.1.2"), vienna("24.07.01")
('26.11.12', '01.01.02', '24.07.01')
>>> nice_class("009"), nice_class("107")
(9, None)
"""

from __future__ import annotations

import datetime as dt
import re

from marksearch.records import MarkDate

__all__ = ["clean", "iso_day", "nice_class", "parse_date", "split_pipes", "vienna"]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*|Z|[+-]\d{2}:?\d{2})?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def parse_date(role: str, raw: str | None) -> MarkDate | None:
    """Parse an office date (ISO with or without zone, ``YYYYMMDD``, partial, ``DD.MM.YYYY``).

    Returns ``None`` for empty input; unparseable text keeps ``raw`` with ``value=None``.
    """
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    match = _ISO.match(text) or _COMPACT.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return MarkDate(role=role, raw=text, value=None, precision="none")
    precision = "day"
    if month == 0:
        month, day, precision = 1, 1, "year"
    elif day == 0:
        day, precision = 1, "month"
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return MarkDate(role=role, raw=text, value=None, precision="none")
    if year < 1800:  # USPTO placeholders such as 00000000 or 0001-01-01
        return MarkDate(role=role, raw=text, value=None, precision="none")
    return MarkDate(role=role, raw=text, value=value, precision=precision)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_day(text: object) -> dt.date | None:
    """The day of an ISO ``YYYY-MM-DD`` text in ASCII digits, else ``None``: stricter than
    ``date.fromisoformat``, which also reads ``20250105``, week dates and other scripts' digits.

    >>> iso_day("2025-01-05"), iso_day("2025-1-5"), iso_day("2021-W01-1"), iso_day("2020-02-30")
    (datetime.date(2025, 1, 5), None, None, None)
    """
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def nice_class(raw: str | None) -> int | None:
    """Nice class 1 to 45 from ``"9"``, ``"09"`` or ``"009"``; ``None`` for national classes."""
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= 45 else None


def vienna(raw: str | None, *, allow_division: bool = False) -> str | None:
    """Normalise a Vienna code to ``CC.DD.SS`` (from ``1.1.2``, ``01.01.02`` or ``010102``).

    Six digits, or three parts of one or two digits split by dots or blanks;
    anything else gives ``None``.  With ``allow_division``, two parts are a
    division written without a section and come back as ``CC.DD``: EUIPO
    writes ``28.03`` (inscriptions in Chinese or Japanese characters) and
    ``98.04``.  Without it they are refused, so that a CSV row's ``26.01``
    (a section left out) is reported rather than kept.

    >>> vienna("28.3", allow_division=True), vienna("98.04", allow_division=True), vienna("28.03")
    ('28.03', '98.04', None)
    >>> vienna("2803", allow_division=True), vienna("1.2.3.4"), vienna("x")
    (None, None, None)
    """
    if raw is None:
        return None
    text = raw.strip()
    parts = re.split(r"[.\s]", text) if re.search(r"[.\s]", text) else None
    if parts is None:
        if not (text.isdigit() and len(text) == 6):
            return None
        parts = [text[0:2], text[2:4], text[4:6]]
    if len(parts) not in ((2, 3) if allow_division else (3,)):
        return None
    if not all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        return None
    return ".".join(p.zfill(2) for p in parts)


def split_pipes(raw: str | None) -> list[str]:
    """KIPRIS packs several values into one element separated by ``|``."""
    if not raw:
        return []
    return [p.strip() for p in raw.split("|") if p.strip()]


def clean(raw: str | None) -> str | None:
    """Collapse whitespace; ``None`` for empty text."""
    if raw is None:
        return None
    text = " ".join(raw.split())
    return text or None
