"""The reference tables shipped with marksearch: Nice headings, Vienna descriptions, office names.

The files live in ``data/classifications/`` (their sources are in its
``SOURCES.md``); each table is read once, on first use.

>>> nice_headings()[9].kind
'good'
>>> vienna_path("27.05.22")[0]
('27', 'FORMS OF WRITING; NUMERALS')
>>> office("EM").name_en
'European Union Intellectual Property Office'
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

__all__ = [
    "NiceClass", "Office", "nice_headings", "office", "office_problem", "offices", "vienna_code", "vienna_path",
]

_FOLDER = ("data", "classifications")


@dataclass(frozen=True)
class NiceClass:
    """One Nice class: its number, goods or services, heading and introduction (English)."""

    number: int
    kind: str  # "good" or "service"
    heading: str
    introduction: str


@dataclass(frozen=True)
class Office:
    """A WIPO ST.3 code and its names (``name_zh`` is empty for organisations)."""

    code: str
    kind: str  # "state", "organization" or "other"
    short_name: str
    name_en: str
    name_zh: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("marksearch").joinpath(*_FOLDER, name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@functools.cache
def nice_headings() -> dict[int, NiceClass]:
    """The 45 classes of NCL 12-2024, by number."""
    return {
        int(r["class_number"]): NiceClass(int(r["class_number"]), r["kind"], r["heading"],
                                          r["explanatory_introduction"])
        for r in _rows("nice_ncl12-2024_class_headings_en.csv")
    }


@functools.cache
def _vienna() -> dict[str, str]:
    return {r["idcategory"]: r["categdesc"] for r in _rows("vienna_codes_euipo_TradeMarks2020.csv")}


def vienna_code(code: str) -> str:
    """The dotted form of a Vienna code as offices write it (``270522``, ``27.5.22``).

    >>> vienna_code("270522"), vienna_code("27.5.22"), vienna_code("A 26.1")
    ('27.05.22', '27.05.22', '26.01')
    """
    parts = re.findall(r"\d+", code)
    if len(parts) == 1 and len(parts[0]) in (4, 6):
        parts = [parts[0][i : i + 2] for i in range(0, len(parts[0]), 2)]
    return ".".join(p.zfill(2) for p in parts)


def vienna_path(code: str) -> list[tuple[str, str]]:
    """The category, division and section of a code with their descriptions, as far as known.

    An unknown code gives the known part of its path (possibly nothing).
    """
    dotted = vienna_code(code)
    table = _vienna()
    levels = dotted.split(".")[:3]
    path = []
    for depth in range(1, len(levels) + 1):
        key = "".join(levels[:depth])
        if key in table:
            path.append((".".join(levels[:depth]), table[key]))
    return path


@functools.cache
def offices() -> dict[str, Office]:
    """Every ST.3 code (states and intellectual property organisations), by code."""
    return {r["code"]: Office(r["code"], r["kind"], r["short_name"], r["name_en"], r["name_zh"])
            for r in _rows("st3_offices.csv")}


def office_problem(code: str) -> str | None:
    """Why ``code`` cannot name an office to search or watch, or ``None`` when it can.

    >>> office_problem("em"), office_problem("EU")
    (None, "'EU' is not a WIPO ST.3 office code (the EUIPO's is EM)")
    """
    if code.strip().upper() in offices():
        return None
    # EU is what most people type for the EUIPO; ST.3 gives it EM (EP is the European Patent Office).
    hint = " (the EUIPO's is EM)" if code.strip().upper() == "EU" else ""
    return f"{code!r} is not a WIPO ST.3 office code{hint}"


def office(code: str) -> Office:
    """The office with this ST.3 code; an unknown code gets its code as its name."""
    known = offices().get(code.upper())
    return known or Office(code.upper(), "other", code.upper(), code.upper(), "")
