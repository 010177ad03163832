"""Small normalising steps shared by every reader: dates, classes, Vienna codes.

>>> parse_date("filing", "2000-05-09-04:00").value
datetime.date(2000, 5, 9)
>>> parse_date("first_use", "18790000").precision
'year'
>>> vienna("261112"), vienna("1.1.2"), vienna("24.07.01")
('26.11.12', '01.01.02', '24.07.01')
>>> nice_class("009"), nice_class("107")
(9, None)

Only ASCII digits are digits here: ``str.isdigit`` and ``\\d`` also take ``²``,
``３`` or ``٣``, which ``int`` then refuses or reads as a number no office wrote.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from marksearch.records import MarkDate

__all__ = [
    "clean",
    "first_use_dates",
    "goods_language",
    "is_digits",
    "iso_day",
    "nice_class",
    "owner_role",
    "parse_date",
    "snapshot_as_of",
    "split_pipes",
    "vienna",
]

# A time of day and a zone may follow an ISO day (ST.66 RequestProducerDateTime
# 2020-04-21T23:02:10, USPTO TSDR 2000-05-09-04:00); any other text after it may
# say the day is not exact ("2021-03-15 (approx)"), so it does not parse.
_ISO = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
# Day first, with dots only (15.03.2021, as in much of Europe).  No office format
# writes 03/04/2021, which is the 3rd of April in Europe and the 4th of March in
# the US: a guess would be silently wrong half the time, so slashes do not parse.
_DMY = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$")


def parse_date(role: str, raw: str | None) -> MarkDate | None:
    """Parse an office date (ISO with or without time and zone, ``YYYYMMDD``, partial, ``DD.MM.YYYY``).

    Returns ``None`` for empty input; unparseable text keeps ``raw`` with ``value=None``.

    >>> [parse_date("filing", t).value for t in ("2021-03-15T10:00:00Z", "15.03.2021")]
    [datetime.date(2021, 3, 15), datetime.date(2021, 3, 15)]
    >>> [parse_date("filing", t).value for t in ("03/04/2021", "2021-03-15 (approx)", "２０２１0315")]
    [None, None, None]
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


_FIRST_USE_ROLES = ("first_use", "first_use_in_commerce")


def first_use_dates(claims: Iterable[tuple[str, str | None]]) -> tuple[MarkDate, ...]:
    """A USPTO record's first-use dates from the ``(role, text)`` claims of all its classes.

    Each class claims its own first use anywhere (``first_use``) and in commerce
    (``first_use_in_commerce``); classes often repeat one date and may differ.  Each
    distinct date is kept once per role, the roles in that order and each role's dates
    from the earliest (unparseable texts last).  ``0`` and ``00000000`` say "no date".

    >>> claims = [("first_use", "19951013"), ("first_use_in_commerce", "19951013"),
    ...           ("first_use", "18790000"), ("first_use", "19951013"), ("first_use", "00000000")]
    >>> [(d.role, d.raw) for d in first_use_dates(claims)]
    [('first_use', '18790000'), ('first_use', '19951013'), ('first_use_in_commerce', '19951013')]
    """
    found: dict[MarkDate, None] = {}
    for role, raw in claims:
        if raw is None or not raw.strip().strip("0"):
            continue
        date = parse_date(role, raw)
        if date is not None:
            found[date] = None
    return tuple(sorted(found, key=_first_use_order))


def _first_use_order(date: MarkDate) -> tuple[int, bool, dt.date, str]:
    role = _FIRST_USE_ROLES.index(date.role) if date.role in _FIRST_USE_ROLES else len(_FIRST_USE_ROLES)
    return role, date.value is None, date.value or dt.date.min, date.raw


def goods_language(office: str) -> str | None:
    """The language of a goods text that names none: English for the USPTO, whose goods and
    services are written in English only (FORMATS.md 2.2, 2.4, 2.5), else unknown.

    >>> goods_language("US"), goods_language("EM")
    ('en', None)
    """
    return "en" if office == "US" else None


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
    """Nice class 1 to 45 from ``"9"``, ``"09"`` or ``"009"``; ``None`` for national classes.

    Raises ``ValueError`` for a class written with other digits than 0 to 9 (``9²``, ``３``):
    it is neither a Nice class nor a national one, and a reader quarantines its record.

    >>> nice_class("42"), nice_class("A"), nice_class("200")
    (42, None, None)
    >>> nice_class("²")
    Traceback (most recent call last):
    ValueError: class '²' is not written in the digits 0 to 9
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text.isascii():
        if any(c.isnumeric() for c in text):
            raise ValueError(f"class {text!r} is not written in the digits 0 to 9")
        return None
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
        if not (is_digits(text) and len(text) == 6):
            return None
        parts = [text[0:2], text[2:4], text[4:6]]
    if len(parts) not in ((2, 3) if allow_division else (3,)):
        return None
    if not all(is_digits(p) and 1 <= len(p) <= 2 for p in parts):
        return None
    return ".".join(p.zfill(2) for p in parts)


def is_digits(text: str) -> bool:
    """Only the digits 0 to 9 (``str.isdigit`` also takes ``²`` and ``３``)."""
    return text.isascii() and text.isdigit()


def snapshot_as_of(status: MarkDate | None, produced: str | None) -> str | None:
    """The ``as_of`` of a record or a deletion read from one office file: the date the office
    produced the file (ST.66/ST.96 ``RequestProducerDateTime``, an ISO day here), or the mark's
    status date where that is newer or the file gives no production date.

    The production date is the day the office said "this is the mark's state", and it is the one
    clock that every entry of a file and a Delete share: a Delete repeats the mark's last status
    date, weeks older than the deletion, and an Insert produced the day after a Delete may keep
    the status date it had before it.  No office file states a status dated after the file itself,
    so in real files the production date decides; the status date is the fallback (USPTO TSDR
    downloads carry no production date).  Records and deletions go through this one function, so
    that the store compares dates of one clock.

    >>> snapshot_as_of(parse_date("status", "2020-08-07"), "2020-09-02")
    '2020-09-02'
    >>> snapshot_as_of(parse_date("status", "2020-07-29"), None), snapshot_as_of(None, None)
    ('2020-07-29', None)
    """
    found = [d for d in (status.value.isoformat() if status and status.value else None, produced) if d]
    return max(found) if found else None


# USPTO owner party types (TSDR ApplicantExt/PartyTypeCode, the daily XML's party-type): 10
# is the original applicant; 20 owner at publication, 30 original registrant and the new
# owners after them (11-19, 21-29, 31-49) are owners.  ST.96 gives only the words.
_APPLICANT_WORDS = ("ORIGINAL APPLICANT",)
_OWNER_WORDS = ("OWNER", "REGISTRANT")


def owner_role(code: str | None, description: str | None) -> str:
    """``applicant`` or ``owner`` for a USPTO party, from its party-type code or its words.

    >>> owner_role("10", None), owner_role("20", None), owner_role(None, "ORIGINAL REGISTRANT")
    ('applicant', 'owner', 'owner')
    >>> owner_role(None, "ORIGINAL APPLICANT"), owner_role(None, None)
    ('applicant', 'applicant')
    """
    if code is not None and is_digits(code.strip()):
        return "applicant" if int(code) == 10 else "owner"
    words = (description or "").upper()
    if any(w in words for w in _APPLICANT_WORDS):
        return "applicant"
    return "owner" if any(w in words for w in _OWNER_WORDS) else "applicant"


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
