"""Fixes from the fifth reader bug hunt: the USPTO first-use dates in all three USPTO readers, the
language of USPTO goods in the ST.66 and ST.96 readers, and an unknown ST.66/ST.96 operation code,
which was read as an Insert."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from marksearch.formats import Reader, st66, st96, tabular, uspto_daily
from marksearch.records import DATE_ROLES, Deletion, Entry, MarkDate, Record, Rejection
from tests.conftest import FORMATS, REPO

USPTO_ST66 = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"
ST96_21 = FORMATS / "st96" / "uspto_tsdr_sn76044902_ST96-2.1.xml"
ST96_RN_21 = FORMATS / "st96" / "uspto_tsdr_rn2178784_ST96-2.1.xml"
ST96_RN_D3 = FORMATS / "st96" / "uspto_tsdr_rn2178784_ST96-1.0.1-D3.xml"
DAILY = FORMATS / "uspto_daily_xml" / "daily-na-98763166.xml"
BULK = FORMATS / "st66" / "euipo_bulk_sample"
FIRST_USE = ("first_use", "first_use_in_commerce")


def read(reader: Reader, data: bytes, source: str = "t.xml") -> list[Entry]:
    return list(reader.read(io.BytesIO(data), source))


def only_record(reader: Reader, data: bytes) -> Record:
    [record] = read(reader, data)
    assert isinstance(record, Record), record
    return record


def first_use(record: Record) -> dict[str, list[tuple[str, dt.date | None, str]]]:
    """The record's first-use dates by role: (raw, value, precision), in the record's order."""
    return {role: [(d.raw, d.value, d.precision) for d in record.dates if d.role == role] for role in FIRST_USE}


# -- 1. first-use dates -----------------------------------------------------------------------

# sn76044902 (PYTHON): class 9 first used 1995-10-13, class 42 1995-07-18, anywhere and in commerce.
PYTHON_FIRST_USE = [("19950718", dt.date(1995, 7, 18), "day"), ("19951013", dt.date(1995, 10, 13), "day")]


@pytest.mark.parametrize(("reader", "path"), [(st66.READER, USPTO_ST66), (st96.READER, ST96_21)],
                         ids=["st66", "st96"])
def test_tsdr_readers_keep_the_first_use_dates_of_every_class_earliest_first(reader: Reader, path: Path) -> None:
    record = only_record(reader, path.read_bytes())
    assert first_use(record) == {"first_use": PYTHON_FIRST_USE, "first_use_in_commerce": PYTHON_FIRST_USE}
    assert record.date("first_use") == MarkDate("first_use", "19950718", dt.date(1995, 7, 18))
    # the other dates are as before, first use after them
    assert [d.role for d in record.dates][:4] == ["filing", "registration", "publication", "status"]


@pytest.mark.parametrize("path", [ST96_RN_21, ST96_RN_D3], ids=["2.1", "1.0.1-D3"])
def test_st96_keeps_a_partial_first_use_date_with_its_precision(path: Path) -> None:
    record = only_record(st96.READER, path.read_bytes())
    month = [("19960100", dt.date(1996, 1, 1), "month")]  # January 1996, the day unknown
    assert first_use(record) == {"first_use": month, "first_use_in_commerce": month}


def test_daily_reader_keeps_the_first_use_dates_of_its_classification() -> None:
    record = only_record(uspto_daily.READER, DAILY.read_bytes())
    day = [("20240612", dt.date(2024, 6, 12), "day")]
    assert first_use(record) == {"first_use": day, "first_use_in_commerce": day}


def test_daily_reader_keeps_each_distinct_first_use_date_once_by_date_and_partial_ones() -> None:
    text = DAILY.read_text(encoding="utf-8")
    found = re.search(r"<classification>.*?</classification>", text, re.S)
    assert found is not None
    one = found.group()
    # Three classes: the sample's (2024-06-12), one used since 1879 (year only) and one that
    # repeats the sample's dates; in commerce, the second class gives no date (00000000).
    older = one.replace("<first-use-anywhere-date>20240612", "<first-use-anywhere-date>18790000")
    older = older.replace("<first-use-in-commerce-date>20240612", "<first-use-in-commerce-date>00000000")
    record = only_record(uspto_daily.READER, text.replace(one, one + older + one).encode())
    assert first_use(record) == {
        "first_use": [("18790000", dt.date(1879, 1, 1), "year"), ("20240612", dt.date(2024, 6, 12), "day")],
        "first_use_in_commerce": [("20240612", dt.date(2024, 6, 12), "day")],
    }


def test_first_use_roles_are_date_roles_and_read_back_from_json_lines() -> None:
    assert set(FIRST_USE) <= set(DATE_ROLES)
    record = only_record(st66.READER, USPTO_ST66.read_bytes())
    line = json.dumps(record.to_dict()) + "\n"
    [back] = read(tabular.JSONL_READER, line.encode(), "t.jsonl")
    assert isinstance(back, Record), back
    assert back.dates == record.dates and first_use(back) == first_use(record)


def test_the_record_format_documents_every_date_role() -> None:
    assert set(FIRST_USE) <= set(DATE_ROLES)
    doc = (REPO / "docs" / "record-format.md").read_text(encoding="utf-8")
    missing = [role for role in DATE_ROLES if f"`{role}`" not in doc]
    assert not missing, f"docs/record-format.md does not name the date roles {missing}"


# -- 2. USPTO goods are English ---------------------------------------------------------------


def test_uspto_goods_are_english_from_every_reader_and_other_offices_stay_unknown() -> None:
    from_st66 = only_record(st66.READER, USPTO_ST66.read_bytes())
    from_st96 = only_record(st96.READER, ST96_21.read_bytes())
    [daily] = read(uspto_daily.READER, DAILY.read_bytes())
    assert isinstance(daily, Record)
    for record in (from_st66, from_st96, daily):
        assert record.goods and {g.language for g in record.goods} == {"en"}, record.provenance
    assert [(g.nice_class, g.text) for g in from_st66.goods] == [(g.nice_class, g.text) for g in from_st96.goods]
    # The same texts under another office's code: no language is guessed for them.
    office = "<RegistrationOfficeCode>US</RegistrationOfficeCode>"
    canadian = USPTO_ST66.read_text(encoding="utf-8").replace(office, office.replace("US", "CA"))
    assert {g.language for g in only_record(st66.READER, canadian.encode()).goods} == {None}
    office96 = "<ns1:RegistrationOfficeCode>US</ns1:RegistrationOfficeCode>"
    text96 = ST96_21.read_text(encoding="utf-8")
    assert office96 in text96
    canadian96 = text96.replace(office96, office96.replace("US", "CA"))
    assert {g.language for g in only_record(st96.READER, canadian96.encode()).goods} == {None}


# -- 3. an unknown operation code is quarantined ----------------------------------------------


def bulk(codes: list[str | None]) -> bytes:
    """An EUIPO bulk file of TradeMarks from the bulk samples, the i-th with operation code
    ``codes[i]`` (``None``: no code)."""
    files = sorted(BULK.glob("*.xml"))[: len(codes)]
    head = files[0].read_text(encoding="utf-8")
    before = head[: head.index("<TradeMarkDetails>") + len("<TradeMarkDetails>")]
    after = head[head.index("</TradeMarkDetails>") :]
    marks = []
    for path, code in zip(files, codes, strict=True):
        found = re.search(r'<TradeMark operationCode="Insert">.*?</TradeMark>', path.read_text(encoding="utf-8"), re.S)
        assert found is not None
        opening = "<TradeMark>" if code is None else f'<TradeMark operationCode="{code}">'
        marks.append(found.group().replace('<TradeMark operationCode="Insert">', opening, 1))
    return (before + "\n" + "\n".join(marks) + "\n" + after).encode()


def test_st66_unknown_operation_code_is_quarantined_and_the_run_goes_on() -> None:
    numbers = [p.stem for p in sorted(BULK.glob("*.xml"))[:6]]
    entries = read(st66.READER, bulk(["Insert", "Frobnicate", "Deleted", "update", None, " delete "]), "bulk.xml")
    assert [type(e) for e in entries] == [Record, Rejection, Rejection, Record, Record, Deletion]
    assert [e.key for e in entries if not isinstance(e, Rejection)] == [("EM", n) for n in (*numbers[:1], *numbers[3:])]
    bad = [e for e in entries if isinstance(e, Rejection)]
    assert [e.reason for e in bad] == ["unknown operationCode 'Frobnicate' (Insert, Update or Delete)",
                                       "unknown operationCode 'Deleted' (Insert, Update or Delete)"]
    for rejection, number in zip(bad, numbers[1:3], strict=True):
        assert rejection.source == "bulk.xml" and re.fullmatch(r"line [0-9]+", rejection.position)
        assert rejection.excerpt.startswith("<TradeMark") and number in rejection.excerpt


@pytest.mark.parametrize("attribute", ["operationCategory", "operationCode"])
def test_st96_unknown_operation_is_quarantined(attribute: str) -> None:
    text = ST96_21.read_text(encoding="utf-8")
    assert text.count("<ns2:Trademark>") == 1
    marked = text.replace("<ns2:Trademark>", f'<ns2:Trademark {attribute}="Frobnicate">').encode()
    [entry] = read(st96.READER, marked)
    assert isinstance(entry, Rejection), entry
    assert entry.reason == f"unknown {attribute} 'Frobnicate' (Insert, Update or Delete)"
    assert entry.position == "line 8" and entry.excerpt.startswith("<ns2:Trademark")
    # the known codes in any case still read as before
    deleted = text.replace("<ns2:Trademark>", f'<ns2:Trademark {attribute}="DELETE">').encode()
    assert [type(e) for e in read(st96.READER, deleted)] == [Deletion]
