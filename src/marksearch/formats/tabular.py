"""JSON Lines and CSV forms of the normalised record (documented in docs/record-format.md).

For offices that publish no XML, for exports, and for tests.  Both forms are
read line by line in constant memory, as UTF-8 (a byte-order mark is
allowed); text in any other encoding is refused with
:class:`MalformedInputError` naming the file and the line.  A bad line or row
becomes a :class:`Rejection` with its line number, and reading goes on.

JSON Lines
    One :meth:`Record.to_dict` object per line; ``{"delete": true, "office":
    "EM", "application_number": "018222202"}`` is a deletion (it may carry an
    ``as_of``).  Unknown keys
    are refused (a misspelt key would otherwise vanish silently); ``provenance``
    and ``keys`` (what ``marksearch show --json`` adds) are computed, not read.
    A date without ``value`` is parsed from its ``raw`` as the XML readers parse
    it, and language codes are lower-cased as they do.

CSV
    A flat form with a header row, for people to write by hand: see
    :data:`CSV_COLUMNS`.  Cells are separated by commas, or by semicolons or
    tabs (as spreadsheets save them in many locales): the header line
    decides.  Lists inside a cell: classes and Vienna codes are
    separated by ``;``, names, images and goods by ``|``; goods are written
    ``9: computer software | 42: software design``.  An unknown or missing
    required column stops the file with :class:`InputError`.

>>> import io
>>> text = b"office,application_number,mark_text,nice_classes\\nEM,018222202,IRIS VIVALDI,9;42\\n"
>>> [r] = CSV_READER.read(io.BytesIO(text), "marks.csv")
>>> r.mark_text, r.nice_classes, r.provenance.position
('IRIS VIVALDI', (9, 42), 'line 2')
>>> [r2] = JSONL_READER.read(io.BytesIO(r.to_json().encode()), "marks.jsonl")
>>> r2 == r
True
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import enum
import functools
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, TypeVar, cast

import orjson

from marksearch.errors import InputError, MalformedInputError
from marksearch.formats.common import clean, iso_day, nice_class, parse_date, vienna
from marksearch.records import (
    ClassGoods,
    Deletion,
    Entry,
    Feature,
    Kind,
    MarkDate,
    Party,
    Provenance,
    Record,
    Rejection,
    Status,
    VerbalElement,
    unique,
)
from marksearch.vocab_data import office_problem

__all__ = ["CSV_COLUMNS", "CSV_READER", "JSONL_READER", "JSON_ARRAY", "JSON_DOCUMENT", "CsvReader",
           "JsonLinesReader"]

_V = TypeVar("_V", bound=enum.StrEnum)

_BOM = b"\xef\xbb\xbf"
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_CHUNK = 256 * 1024
_EXCERPT = 300


# -- lines -----------------------------------------------------------------------


def _lines(stream: IO[bytes], source: str, head: bytes) -> Iterator[tuple[int, str]]:
    """``(line number, text with its line end)``, decoded as UTF-8, one line in memory.

    Lines end at ``\\n`` only: U+2028 and friends may sit inside JSON strings.
    """
    pending = head
    number = 0
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        pending += chunk
        if first and (len(pending) >= 4 or not chunk):
            pending = _strip_bom(pending, source)
            first = False
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            number += 1
            yield number, _decode(pending[start : end + 1], source, number)
            start = end + 1
        pending = pending[start:]
        if not chunk:
            break
    if pending:
        yield number + 1, _decode(pending, source, number + 1)


def _strip_bom(data: bytes, source: str) -> bytes:
    if data.startswith(_BOM):
        return data[len(_BOM) :]
    if data.startswith(_UTF16_32_BOMS):
        raise MalformedInputError(
            "text is UTF-16 or UTF-32; save the file as UTF-8", source=source, line=1, column=1
        )
    return data


def _decode(raw: bytes, source: str, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
        raise MalformedInputError(
            f"text is not UTF-8 (byte 0x{raw[exc.start]:02x} {exc.reason}); save the file as UTF-8",
            source=source,
            line=line,
            column=column,
        ) from None


def _as_utf8(head: bytes) -> bytes:
    """A UTF-16 or UTF-32 head (it starts with its byte-order mark) as UTF-8, for sniffing only:
    the file is then recognised, and its reader refuses it with the reason (save it as UTF-8),
    where it was a format nobody recognised."""
    if not head.startswith(_UTF16_32_BOMS):
        return head
    codec = "utf-32" if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "utf-16"
    return head[: len(head) - len(head) % 4].decode(codec, "ignore").encode()


def _first_line(head: bytes) -> bytes:
    text = head[len(_BOM) :] if head.startswith(_BOM) else head
    return text.split(b"\n", 1)[0]


# -- JSON Lines ------------------------------------------------------------------

# ``keys``: the text keys ``marksearch show --json`` adds beside the record, computed by marksearch
# from the record; ignored like ``provenance``, so that show's JSON can be read back.
_COMPUTED_KEYS = frozenset({"keys"})
_RECORD_KEYS = frozenset(f.name for f in dataclasses.fields(Record)) | _COMPUTED_KEYS
_DELETE_KEYS = frozenset({"delete", "office", "application_number", "as_of"})


class JsonLinesReader:
    """One ``Record.to_dict()`` object per line; ``{"delete": true, ...}`` lines are deletions."""

    name = "jsonl"
    description = "JSON Lines: one normalised record (Record.to_dict) per line"

    def sniff(self, head: bytes) -> bool:
        head = _as_utf8(head)
        text = head[len(_BOM) :] if head.startswith(_BOM) else head
        return text.lstrip().startswith(b"{")

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        """Entries in file order.  A file that holds one JSON document over several lines (a JSON
        array, or a pretty-printed object: a ``.json`` file beside the data) is not JSON Lines:
        :class:`MalformedInputError` at its first line, rather than each line quarantined."""
        held: tuple[int, str] | None = None  # a first line that opens an object it does not close
        first = True
        for number, text in _lines(stream, source, head):
            line = text.strip()
            if not line:
                continue
            if first:
                first = False
                opened = _opened(line)
                if opened == "[":
                    raise MalformedInputError(JSON_ARRAY, source=source, line=number)
                if opened == "{":
                    held = number, line  # a pretty-printed object, unless the next line is a whole one
                    continue
            elif held is not None:
                if not _whole_value(line):  # the second line of a document too: it goes on over lines
                    raise MalformedInputError(JSON_DOCUMENT, source=source, line=held[0])
                yield _json_line(*held, source)  # a bad first line of a JSON Lines file
                held = None
            yield _json_line(number, line, source)
        if held is not None:
            yield _json_line(*held, source)


JSON_ARRAY = "a JSON array is not JSON Lines: write each record as an object on a line of its own (jq -c '.[]' does)"
JSON_DOCUMENT = ("a JSON object over several lines is not JSON Lines: write each record on a line of its own "
                 "(jq -c . does)")


def _opened(line: str) -> str | None:
    """``[`` or ``{`` where ``line`` starts a JSON array or object that it does not close: the first
    line of a JSON document written over several lines."""
    if not line.startswith(("[", "{")):
        return None
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return line[0] if exc.pos >= len(line) else None  # the data ended inside the value
    return None


def _whole_value(line: str) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _json_line(number: int, line: str, source: str) -> Entry:
    try:
        return _json_entry(line, source, f"line {number}")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # The checks before Record.from_dict should leave it nothing to refuse; if one
        # misses a value, its line is quarantined and reading goes on.
        reason = f"cannot read the line: {exc or type(exc).__name__}"
        return Rejection(source, f"line {number}", reason, line[:_EXCERPT])


JSONL_READER = JsonLinesReader()


def _json_entry(text: str, source: str, position: str) -> Entry:
    try:
        # orjson also refuses lone surrogate escapes ("\ud800"), which no register can store.
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        reason = f"not valid JSON ({exc.msg}, column {exc.colno})"
        return Rejection(source, position, reason, text[:_EXCERPT])
    if not isinstance(data, dict):
        reason = f"a line must hold a JSON object, not {type(data).__name__}"
        return Rejection(source, position, reason, text[:_EXCERPT])
    problem = _key_problem(data)
    if problem:
        return Rejection(source, position, problem, text[:_EXCERPT])
    where = Provenance(source, position)
    # The key as the XML readers and the CSV form give it: "em" is EM, " 018222202 " is 018222202.
    office, number = data["office"].strip().upper(), data["application_number"].strip()
    if "delete" in data:
        return Deletion(office, number, where, as_of=data.get("as_of"))
    problem = _shape_problem(Record, data, "") or _value_problems(data)
    if problem:
        return Rejection(source, position, problem, text[:_EXCERPT])
    record = Record.from_dict(data)  # which reads the record's own keys only: not "keys"
    # The record now comes from this file; where it came from before is not kept.
    return dataclasses.replace(_as_xml_reads(record), office=office, application_number=number, provenance=where)


def _as_xml_reads(record: Record) -> Record:
    """``record`` with its values as the XML readers give them, so that a record is the same read from
    any format: classes as :func:`_mark_classes` keeps them, each date's value parsed from its
    ``raw`` where none is given, language codes in lower case."""
    return dataclasses.replace(
        record,
        nice_classes=_mark_classes(record.nice_classes, record.goods),
        dates=tuple(_valued(d) for d in record.dates),
        priorities=tuple(p if p.date is None else dataclasses.replace(p, date=_valued(p.date))
                         for p in record.priorities),
        seniorities=tuple(s if s.date is None else dataclasses.replace(s, date=_valued(s.date))
                          for s in record.seniorities),
        # An EUIPO record holds some fifty goods: each is copied only where its language changes.
        verbal_elements=tuple(v if v.language == (lang := _language(v.language))
                              else dataclasses.replace(v, language=lang) for v in record.verbal_elements),
        goods=tuple(g if g.language == (lang := _language(g.language))
                    else dataclasses.replace(g, language=lang) for g in record.goods),
        languages=unique(_language(c) or "" for c in record.languages),
    )


def _valued(date: MarkDate) -> MarkDate:
    """``date`` with the value and precision its ``raw`` parses to where it gives no value, as an XML
    reader reads ``raw`` (:func:`_raw_problem` refuses a given value that ``raw`` contradicts).

    >>> _valued(MarkDate("first_use", "18790000", None, "none"))
    MarkDate(role='first_use', raw='18790000', value=datetime.date(1879, 1, 1), precision='year')
    >>> _valued(MarkDate("filing", "2021-03-15 (approx)")).precision
    'none'
    """
    if date.value is not None:
        return date
    parsed = parse_date(date.role, date.raw)
    value, precision = (parsed.value, parsed.precision) if parsed is not None else (None, "none")
    if (value, precision) == (date.value, date.precision):
        return date
    return dataclasses.replace(date, value=value, precision=precision)


def _language(code: str | None) -> str | None:
    """A language code as the XML readers keep it: lower case, blanks around it dropped, ``None`` when blank.

    >>> _language(" EN "), _language(""), _language(None)
    ('en', None, None)
    """
    return (code.strip().lower() or None) if code is not None else None


def _mark_classes(classes: Iterable[int], goods: Iterable[ClassGoods]) -> tuple[int, ...]:
    """The mark's Nice classes as both forms keep them: sorted, each once, and a class that goods
    are given in is a class of the mark even where ``nice_classes`` leaves it out (so that the same
    record read from JSON Lines or CSV is the same record, and is not rewritten when read again).

    >>> _mark_classes([42, 9, 42], [ClassGoods(nice_class=35, text="retail")])
    (9, 35, 42)
    """
    return tuple(sorted({*classes, *(g.nice_class for g in goods if g.nice_class is not None)}))


def _key_problem(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the keys and the key fields of a line, if anything."""
    if "delete" in data:
        if data["delete"] is not True:
            return '"delete" must be true'
        allowed = _DELETE_KEYS
    else:
        allowed = _RECORD_KEYS
    unknown = sorted(set(data) - allowed)
    if unknown:
        hint = ""
        if "mark_text" in unknown:
            hint = ' (write the mark as "verbal_elements": [{"text": ...}])'
        return f"unknown key{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}{hint}"
    for key in ("office", "application_number"):
        if key not in data:
            return f"missing key {key!r}"
        if not isinstance(data[key], str) or not data[key].strip():
            return f"{key} must be a non-empty string"
    if "delete" in data and data.get("as_of") is not None and iso_day(data["as_of"]) is None:
        return f"as_of must be an ISO date YYYY-MM-DD, not {data['as_of']!r}"
    return office_problem(data["office"])


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _shape_problem(kind: type, data: Any, where: str) -> str | None:
    """The first value of ``data`` whose type is not the one the record's dataclass declares for
    it (``verbal_elements[0].text must be a string``), with where it is.  Read from the
    dataclasses' own annotations, so that the check cannot drift from the record: ``from_dict``
    coerces rather than checks (``int(True)`` is class 1, ``tuple("G0301")`` five groups)."""
    if not isinstance(data, dict):
        return f"{where} must be an object"
    hints = _hints(kind)
    unknown = sorted(set(data) - set(hints))
    if unknown and where:  # the record's own keys were checked before, with a hint
        return f"unknown key {where}.{unknown[0]}"
    for f in dataclasses.fields(kind):
        name = f"{where}.{f.name}" if where else f.name
        if f.name not in data:
            if (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                    and not _admits_none(hints[f.name])):
                return f"missing key {name!r}"
            continue
        problem = _type_problem(hints[f.name], data[f.name], name)
        if problem:
            return problem
    return None


def _admits_none(kind: Any) -> bool:
    return type(None) in typing.get_args(kind)


def _type_problem(kind: Any, value: Any, where: str) -> str | None:
    args = typing.get_args(kind)
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:  # X | None
        return None if value is None else _type_problem(next(a for a in args if a is not type(None)), value, where)
    if typing.get_origin(kind) is tuple:  # tuple[X, ...]: a JSON list
        if not isinstance(value, list):
            return f"{where} must be a list"
        return next((p for i, v in enumerate(value) if (p := _type_problem(args[0], v, f"{where}[{i}]"))), None)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        names = [m.value for m in kind]
        if value in names:
            return None
        return f"{where}: {value!r} is not a valid {kind.__name__} (use {', '.join(names)})"
    if kind is dt.date:
        return None if iso_day(value) else f"{where} must be an ISO date YYYY-MM-DD, not {value!r}"
    if dataclasses.is_dataclass(kind):
        return _shape_problem(cast(type, kind), value, where)
    if kind is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else f"{where} must be an integer"
    if kind is str:
        return None if isinstance(value, str) else f"{where} must be a string"
    raise TypeError(f"no JSON check for {kind!r} ({where})")  # a new field type: teach it here


_PRECISIONS = ("day", "month", "year", "none")
_ROLES = ("applicant", "owner", "representative")


def _value_problems(data: Mapping[str, Any]) -> str | None:
    """Checks of the values whose type is right (see docs/record-format.md, 1.3)."""
    classes = [*data.get("nice_classes", ()), *(g["nice_class"] for g in data.get("goods", ())
                                                 if g.get("nice_class") is not None)]
    bad = [c for c in classes if not 1 <= c <= 45]
    if bad:
        return f"Nice classes run from 1 to 45, not {bad[0]!r}"
    if data.get("as_of") is not None and iso_day(data["as_of"]) is None:
        # compared as text to decide which version of a record is newer: 2025-1-5 would
        # be newer than 2025-01-10 for ever
        return f"as_of must be an ISO date YYYY-MM-DD, not {data['as_of']!r}"
    for i, v in enumerate(data.get("verbal_elements", ())):
        if not v["text"].strip():
            return f"verbal_elements[{i}].text is empty"
    dates = [(f"dates[{i}]", d) for i, d in enumerate(data.get("dates", ()))]
    for key in ("priorities", "seniorities"):
        dates += [(f"{key}[{i}].date", o["date"]) for i, o in enumerate(data.get(key, ())) if o.get("date")]
    for where, d in dates:
        if not d["role"].strip():
            return f"{where}.role is empty"
        if d.get("precision", "day") not in _PRECISIONS:
            return f"{where}.precision must be one of {', '.join(_PRECISIONS)}, not {d['precision']!r}"
        if (problem := _raw_problem(where, d)) is not None:
            return problem
    for i, party in enumerate(data.get("parties", ())):
        if party["role"] not in _ROLES:
            return f"parties[{i}].role must be one of {', '.join(_ROLES)}, not {party['role']!r}"
        if party.get("country") is not None and not _COUNTRY.fullmatch(party["country"]):
            return f"parties[{i}].country must be two capital letters, not {party['country']!r}"
    for i, code in enumerate(data.get("vienna_codes", ())):
        if vienna(code, allow_division=True) != code:
            return f"vienna_codes[{i}] must be written CC.DD.SS (or CC.DD), not {code!r}"
    return None


def _raw_problem(where: str, date: Mapping[str, Any]) -> str | None:
    """A date whose ``value`` is not the date its ``raw`` parses to: one of them is wrong, and the
    register would search by the value while showing the raw.  A ``raw`` that does not parse
    leaves the value as given.

    >>> _raw_problem("dates[0]", {"role": "filing", "raw": "20210315", "value": "2021-03-16"})
    "dates[0] (filing): raw '20210315' is the date 2021-03-15, not the value '2021-03-16'"
    """
    if date.get("value") is None:
        return None
    parsed = parse_date(date["role"], date["raw"])
    if parsed is None or parsed.value is None or parsed.value == iso_day(date["value"]):
        return None
    return (f"{where} ({date['role']}): raw {date['raw']!r} is the date {parsed.value.isoformat()}, "
            f"not the value {date['value']!r}")


# -- CSV ---------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "office",
    "application_number",
    "registration_number",
    "mark_text",
    "mark_language",
    "feature",
    "kind",
    "status",
    "status_text",
    "filing_date",
    "registration_date",
    "expiry_date",
    "nice_classes",
    "goods",
    "goods_language",
    "applicant",
    "applicant_country",
    "representative",
    "vienna_codes",
    "image",
)
"""The columns a CSV file may have, in any order.

Only ``office`` and ``application_number`` are required.
"""

_REQUIRED = ("office", "application_number")
_LIST = re.compile(r"[;,\s]+")
_GOODS = re.compile(r"^\s*([^\s:]{1,3})\s*:\s*(.*)$", re.DOTALL)
# 03/04/2021: the 3rd of April or the 4th of March, depending on who wrote it.
_SLASHED = re.compile(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class _RowError(ValueError):
    """One cell of a row cannot be read; the row is quarantined."""


class CsvReader:
    """A flat, hand-writable CSV form of the record; see :data:`CSV_COLUMNS`."""

    name = "csv"
    description = "CSV with a header row (office, application_number, mark_text, ...)"

    def sniff(self, head: bytes) -> bool:
        return _delimiter(_first_line(_as_utf8(head)).decode("utf-8", "replace")) is not None

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        lines = _RowLines(_lines(stream, source, head))
        first = lines.peek()
        delimiter = _delimiter(first or "") or ","
        rows = csv.reader(lines, delimiter=delimiter, strict=True)
        header = _header(next(rows, None), source)
        while True:
            lines.taken = []
            try:
                row = next(rows)
            except StopIteration:
                return
            except (csv.Error, _LongRow) as exc:
                # A row that is not valid CSV is its first line: a quote it opens and never closes would
                # otherwise take every line after it into one cell, and into quarantine with it.
                start = lines.taken[0][0]
                reason = f"not valid CSV ({exc})"
                if len(lines.taken) > 1:
                    reason = (f"not valid CSV: a quote opened on this line is not closed as it should be by "
                              f"line {lines.taken[-1][0]} ({exc}); the lines after it are read as rows")
                    lines.again(lines.taken[1:])
                rows = csv.reader(lines, delimiter=delimiter, strict=True)
                yield Rejection(source, f"line {start}", reason)
                continue
            if any(cell.strip() for cell in row):
                yield _csv_entry(header, row, source, f"line {lines.taken[0][0]}")


class _LongRow(Exception):
    """A row runs on past :data:`_ROW_LIMIT` characters (a quote left open)."""


_ROW_LIMIT = 1 << 20


class _RowLines:
    """The lines of a file for :func:`csv.reader`, each row's lines kept (``taken``) so that
    those after a bad row's first line can be read again (``again``)."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self._again: collections.deque[tuple[int, str]] = collections.deque()
        self.taken: list[tuple[int, str]] = []
        self._size = 0

    def __iter__(self) -> _RowLines:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._lines)
        if not self.taken:
            self._size = 0
        self.taken.append(line)
        self._size += len(line[1])
        if self._size > _ROW_LIMIT and len(self.taken) > 1:
            raise _LongRow(f"a row over {_ROW_LIMIT:,} characters")
        return line[1]

    def peek(self) -> str | None:
        """The first line, left to be read."""
        line = next(self._lines, None)
        if line is None:
            return None
        self._again.append(line)
        return line[1]

    def again(self, lines: list[tuple[int, str]]) -> None:
        self._again.extendleft(reversed(lines))


CSV_READER = CsvReader()

# Spreadsheets save CSV with ";" where the decimal mark is a comma (most of Europe), or tabs.
_DELIMITERS = (",", ";", "\t")


def _delimiter(header: str) -> str | None:
    """The delimiter that splits a header line into the required columns, if one does.

    >>> _delimiter("office;application_number;mark_text"), _delimiter("office,mark_text")
    (';', None)
    """
    for delimiter in _DELIMITERS:
        names = {n.strip().strip('"').strip().lower() for n in header.split(delimiter)}
        if set(_REQUIRED) <= names:
            return delimiter
    return None


def _header(row: list[str] | None, source: str) -> list[str]:
    if row is None:
        raise MalformedInputError("file is empty (a header row is needed)", source=source, line=1)
    names = [cell.strip().lower() for cell in row]
    for name in names:
        if name not in CSV_COLUMNS:
            raise InputError(
                f"unknown column {name!r}; known columns: {', '.join(CSV_COLUMNS)}",
                source=source,
                line=1,
            )
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise InputError(f"column {doubled[0]!r} appears twice", source=source, line=1)
    missing = [n for n in _REQUIRED if n not in names]
    if missing:
        raise InputError(f"required column {missing[0]!r} is missing", source=source, line=1)
    return names


def _csv_entry(header: list[str], row: list[str], source: str, position: str) -> Entry:
    excerpt = ",".join(row)[:_EXCERPT]
    if len(row) != len(header):
        reason = f"row has {len(row)} cells, the header has {len(header)}"
        return Rejection(source, position, reason, excerpt)
    cells = {name: value.strip() for name, value in zip(header, row, strict=True) if value.strip()}
    try:
        return _csv_record(cells, Provenance(source, position))
    except _RowError as exc:
        return Rejection(source, position, str(exc), excerpt)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # Every cell check above raises _RowError; a value one of them missed still
        # quarantines only its row, never stops the file with a traceback.
        return Rejection(source, position, f"cannot read the row: {exc or type(exc).__name__}", excerpt)


def _csv_record(cells: dict[str, str], where: Provenance) -> Record:
    for name in _REQUIRED:
        if name not in cells:
            raise _RowError(f"{name} is empty")
    if (problem := office_problem(cells["office"])) is not None:
        raise _RowError(problem)
    goods = _goods(cells.get("goods"), _language(cells.get("goods_language")))
    mark = clean(cells.get("mark_text"))  # a quoted cell may hold line breaks
    return Record(
        office=cells["office"].upper(),
        application_number=cells["application_number"],
        registration_number=cells.get("registration_number"),
        verbal_elements=(VerbalElement(mark, language=_language(cells.get("mark_language"))),) if mark else (),
        feature=_choice(Feature, "feature", cells.get("feature")),
        kind=_choice(Kind, "kind", cells.get("kind")),
        status=_choice(Status, "status", cells.get("status")),
        status_text=cells.get("status_text"),
        dates=_dates(cells),
        nice_classes=_mark_classes(_classes(cells.get("nice_classes")), goods),
        goods=goods,
        parties=_applicants(cells) + tuple(
            Party(role="representative", name=n) for n in _pipes(cells.get("representative"))
        ),
        vienna_codes=_vienna(cells.get("vienna_codes")),
        images=_pipes(cells.get("image")),
        provenance=where,
    )


def _choice(vocabulary: type[_V], column: str, raw: str | None) -> _V:
    if raw is None:
        return vocabulary("unknown")
    try:
        return vocabulary(raw.lower())
    except ValueError:
        allowed = ", ".join(v.value for v in vocabulary)
        raise _RowError(f"{column} {raw!r} is not one of: {allowed}") from None


def _dates(cells: dict[str, str]) -> tuple[MarkDate, ...]:
    out = []
    for role in ("filing", "registration", "expiry"):
        raw = cells.get(f"{role}_date")
        date = parse_date(role, raw)
        if date is None:
            continue
        if raw is not None and _SLASHED.match(raw):
            raise _RowError(f"{role}_date {raw!r} could be day/month or month/day: write YYYY-MM-DD")
        if date.value is None:
            raise _RowError(f"{role}_date {raw!r} is not a date (write YYYY-MM-DD)")
        out.append(date)
    return tuple(out)


def _classes(raw: str | None) -> tuple[int, ...]:
    out = []
    for part in _LIST.split(raw or ""):
        if not part:
            continue
        number = _nice_class(part, "nice_classes")
        if number is None:
            raise _RowError(f"nice_classes: {part!r} is not a Nice class (1 to 45)")
        out.append(number)
    return tuple(out)


def _nice_class(raw: str, column: str) -> int | None:
    try:
        return nice_class(raw)
    except ValueError as exc:  # written with other digits than 0 to 9 (²): not a class at all
        raise _RowError(f"{column}: {exc}") from None


def _goods(raw: str | None, language: str | None) -> tuple[ClassGoods, ...]:
    out = []
    for part in _pipes(raw):
        match = _GOODS.match(part)
        # Any digits, not only 0-9: a class written ٩ or ² is refused by name rather than
        # kept as goods text.
        if match is None or not match.group(1).isnumeric():  # no class given: keep the text, class unknown
            out.append(ClassGoods(nice_class=None, text=clean(part) or "", language=language))
            continue
        number = _nice_class(match.group(1), "goods")
        if number is None:
            raise _RowError(f"goods: class {match.group(1)!r} is not a Nice class (1 to 45)")
        # A quoted cell may hold line breaks, as mark_text may: one line of text, as it is kept.
        out.append(ClassGoods(nice_class=number, text=clean(match.group(2)) or "", language=language))
    return tuple(out)


def _applicants(cells: dict[str, str]) -> tuple[Party, ...]:
    names = _pipes(cells.get("applicant"))
    countries = _pipes(cells.get("applicant_country"))
    for country in countries:
        if not _COUNTRY.match(country.upper()):
            raise _RowError(f"applicant_country {country!r} is not a two-letter code")
    countries = tuple(c.upper() for c in countries)
    if countries and not names:
        raise _RowError("applicant_country is given without an applicant")
    if len(countries) == 1:
        countries = countries * len(names)
    elif countries and len(countries) != len(names):
        raise _RowError(f"{len(names)} applicants but {len(countries)} applicant countries")
    return tuple(
        Party(role="applicant", name=name, country=countries[i] if countries else None)
        for i, name in enumerate(names)
    )


def _vienna(raw: str | None) -> tuple[str, ...]:
    out = []
    for part in _LIST.split(raw or ""):
        if not part:
            continue
        code = vienna(part)
        if code is None:
            raise _RowError(
                f"vienna_codes: {part!r} is not a Vienna code (26.01.03, 260103 or 26.1.3)"
            )
        out.append(code)
    return unique(out)


def _pipes(raw: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (raw or "").split("|") if p.strip())
