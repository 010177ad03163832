"""JSON Lines and CSV readers: fixtures against golden files, round trips, quarantine, errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marksearch.errors import InputError, MalformedInputError
from marksearch.formats.common import parse_date
from marksearch.formats.tabular import CSV_COLUMNS, CSV_READER, JSONL_READER
from marksearch.records import (
    ClassGoods,
    Deletion,
    Entry,
    Feature,
    Kind,
    MarkDate,
    Party,
    Priority,
    Record,
    Rejection,
    Seniority,
    Status,
    VerbalElement,
)
from marksearch.vocab_data import offices
from tests.conftest import assert_golden

FIXTURES = Path(__file__).parent / "fixtures" / "tabular"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "record-format.md"


def read_jsonl(data: bytes, source: str = "t.jsonl") -> list[Entry]:
    return list(JSONL_READER.read(io.BytesIO(data), source))


def read_csv(data: bytes, source: str = "t.csv") -> list[Entry]:
    return list(CSV_READER.read(io.BytesIO(data), source))


def position(entry: Entry) -> str | None:
    if isinstance(entry, Rejection):
        return entry.position
    return entry.provenance.position if entry.provenance else None


def read_fixture(name: str) -> list[Entry]:
    reader = JSONL_READER if name.endswith(".jsonl") else CSV_READER
    with (FIXTURES / name).open("rb") as stream:
        return list(reader.read(stream, name))


@pytest.mark.parametrize("name", ["good.jsonl", "bad_lines.jsonl", "marks.csv", "bad_rows.csv"])
def test_fixture_matches_golden(name: str) -> None:
    assert_golden(read_fixture(name), "tabular_" + name.replace(".", "_"))


# -- JSON Lines -------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_opt_text = st.none() | _text
_key_text = st.text(st.characters(exclude_categories=["Cs", "Z", "Cc"]), min_size=1, max_size=12)
# Language codes as every reader keeps them (lower case); see test_tabular_fixes for the others.
_code = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=5).filter(lambda c: c.strip("-") == c)
_dates = st.builds(
    MarkDate,
    role=st.sampled_from(["filing", "registration", "expiry", "priority", "first_use"]),
    raw=_text,
    value=st.none() | st.dates(dt.date(1800, 1, 1), dt.date(2200, 12, 31)),
    precision=st.sampled_from(["day", "month", "year", "none"]),
).filter(  # as every reader keeps dates: the value is what raw parses to, where raw parses
    lambda d: (p := parse_date(d.role, d.raw)) is None or p.value is None
).map(lambda d: d if d.value is not None else dataclasses.replace(d, precision="none"))
_records = st.builds(
    Record,
    office=st.sampled_from(sorted(offices())),  # a WIPO ST.3 code, upper case, as every reader gives it
    application_number=_key_text,
    registration_number=_opt_text,
    international_registration_number=_opt_text,
    verbal_elements=st.lists(
        st.builds(VerbalElement, _key_text, st.none() | _code, _opt_text, _opt_text, _opt_text), max_size=3
    ).map(tuple),
    feature=st.sampled_from(Feature),
    feature_raw=_opt_text,
    kind=st.sampled_from(Kind),
    kind_raw=_opt_text,
    status=st.sampled_from(Status),
    status_code=_opt_text,
    status_text=_opt_text,
    dates=st.lists(_dates, max_size=3).map(tuple),
    nice_classes=st.sets(st.integers(1, 45), max_size=4).map(sorted).map(tuple),  # as every reader keeps them
    national_classes=st.lists(_text, max_size=3).map(tuple),
    goods=st.lists(
        st.builds(ClassGoods, st.none() | st.integers(1, 45), _text, st.none() | _code,
                  st.lists(_text, max_size=2).map(tuple)),
        max_size=3,
    ).map(tuple),
    parties=st.lists(
        st.builds(Party, st.sampled_from(["applicant", "owner", "representative"]), _opt_text, _opt_text,
                  st.none() | st.sampled_from(["US", "DE", "CN"]), _opt_text, _opt_text),
        max_size=3,
    ).map(tuple),
    vienna_codes=st.lists(st.sampled_from(["26.01.03", "27.05.01", "28.03"]), max_size=3).map(tuple),
    images=st.lists(_text, max_size=2).map(tuple),
    priorities=st.lists(
        st.builds(Priority, _opt_text, _opt_text, st.none() | _dates), max_size=2
    ).map(tuple),
    seniorities=st.lists(
        st.builds(Seniority, _opt_text, _opt_text, _opt_text, st.none() | _dates), max_size=2
    ).map(tuple),
    languages=st.lists(_code, max_size=2, unique=True).map(tuple),
    as_of=st.none() | st.dates(dt.date(1800, 1, 1), dt.date(2200, 12, 31)).map(dt.date.isoformat),
).map(lambda r: dataclasses.replace(r, nice_classes=tuple(sorted(  # every reader joins the goods' classes
    {*r.nice_classes, *(g.nice_class for g in r.goods if g.nice_class is not None)}))))


@settings(max_examples=200, deadline=None)
@given(st.lists(_records, min_size=1, max_size=4))
def test_any_record_survives_jsonl(originals: list[Record]) -> None:
    data = "".join(r.to_json() + "\n" for r in originals).encode()
    back = read_jsonl(data)
    assert back == originals
    positions = [r.provenance.position for r in back if isinstance(r, Record) and r.provenance]
    assert positions == [f"line {i}" for i in range(1, len(originals) + 1)]


def test_keys_are_st3_codes_in_upper_case_and_numbers_without_blanks() -> None:
    lines = b'{"office": "em", "application_number": " 1 "}\n{"office": "EU", "application_number": "2"}\n' \
        b'{"delete": true, "office": " us ", "application_number": "3"}\n'
    record, wrong, deletion = read_jsonl(lines)
    assert isinstance(record, Record) and record.key == ("EM", "1")  # "em" and " 1 " were keys of their own
    assert isinstance(wrong, Rejection) and wrong.reason == "'EU' is not a WIPO ST.3 office code (the EUIPO's is EM)"
    assert isinstance(deletion, Deletion) and (deletion.office, deletion.application_number) == ("US", "3")
    first, second = read_csv(b"office,application_number\nkr,4020190000011\nZZ,5\n")
    assert isinstance(first, Record) and first.office == "KR"
    assert isinstance(second, Rejection) and "'ZZ' is not a WIPO ST.3 office code" in second.reason


def test_bad_lines_are_quarantined_with_line_numbers() -> None:
    entries = read_fixture("bad_lines.jsonl")
    kinds = {position(e): type(e).__name__ for e in entries}
    assert kinds["line 1"] == "Record" and kinds["line 16"] == "Record"
    assert all(kinds[f"line {n}"] == "Rejection" for n in range(2, 16))
    reasons = {e.position: e.reason for e in entries if isinstance(e, Rejection)}
    assert "not valid JSON" in reasons["line 2"]
    assert "missing key 'office'" in reasons["line 4"]
    assert "'live' is not a valid Status" in reasons["line 6"]
    assert "mark_text" in reasons["line 7"] and "verbal_elements" in reasons["line 7"]
    assert "46" in reasons["line 8"]
    # values of the wrong type are named where they are, not coerced (true was class 1, a string of
    # similar groups five groups of one letter), and an as_of that is not ISO is refused (it is
    # compared as text: 2025-1-5 would stay newer than every later snapshot)
    assert all(kinds[f"line {n}"] == "Rejection" for n in range(17, 25))
    assert reasons["line 17"] == "nice_classes[0] must be an integer"
    assert reasons["line 18"] == "goods[0].similar_groups must be a list"
    assert reasons["line 19"] == "as_of must be an ISO date YYYY-MM-DD, not '2025-1-5'"
    assert reasons["line 20"] == "verbal_elements[0].text must be a string"
    assert reasons["line 21"] == "parties[0].country must be two capital letters, not 'USA'"
    assert "vienna_codes[0]" in reasons["line 22"]
    assert "dates[0].precision" in reasons["line 23"]
    assert reasons["line 24"] == "seniorities[0].date must be an object"


def test_deletion_lines() -> None:
    [deletion] = read_jsonl(b'{"delete": true, "office": "EM", "application_number": "018222197"}\n')
    assert isinstance(deletion, Deletion) and deletion.key == ("EM", "018222197")
    assert deletion.provenance is not None and deletion.provenance.position == "line 1"


def test_jsonl_provenance_is_this_file() -> None:
    line = Record(office="EM", application_number="1").to_dict()
    line["provenance"] = {"source": "old.xml", "position": "line 9"}
    [record] = read_jsonl(Record.from_dict(line).to_json().encode(), "new.jsonl")
    assert isinstance(record, Record) and record.provenance is not None
    assert (record.provenance.source, record.provenance.position) == ("new.jsonl", "line 1")


def test_jsonl_line_separators_inside_strings_do_not_split_lines() -> None:
    mark = VerbalElement("A\u2028B\x85C\rD")
    record = Record(office="EM", application_number="1", verbal_elements=(mark,))
    assert read_jsonl(record.to_json().encode()) == [record]


def test_jsonl_without_final_newline_and_with_bom_and_crlf() -> None:
    data = (b'\xef\xbb\xbf{"office": "EM", "application_number": "1"}\r\n\r\n'
            b'{"office": "EM", "application_number": "2"}')
    entries = read_jsonl(data)
    assert [e.application_number for e in entries if isinstance(e, Record)] == ["1", "2"]
    assert [position(e) for e in entries] == ["line 1", "line 3"]


def test_jsonl_wrong_encoding_names_file_and_line() -> None:
    data = ('{"office": "EM", "application_number": "1"}\n'
            '{"office": "DE", "application_number": "Müller"}\n')
    with pytest.raises(MalformedInputError) as caught:
        read_jsonl(data.encode("latin-1"), "latin1.jsonl")
    error = caught.value
    assert (error.source, error.line) == ("latin1.jsonl", 2)
    assert error.column == 42 and "not UTF-8" in error.reason
    assert str(error).startswith("latin1.jsonl:2:42:")


def test_utf16_is_refused_at_once() -> None:
    data = '{"office": "EM", "application_number": "1"}\n'.encode("utf-16")
    with pytest.raises(MalformedInputError, match="UTF-16"):
        read_jsonl(data)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize(("text", "reader"), [('{"office": "EM", "application_number": "1"}\n', "jsonl"),
                                              ("office,application_number\nEM,1\n", "csv")])
def test_a_utf16_file_is_recognised_and_refused_with_the_reason(tmp_path: Path, codec: str, text: str,
                                                                reader: str) -> None:
    """Without --format it was "could not recognise the format": the reason (save it as UTF-8)
    came only after a second try with --format."""
    from marksearch.ingest import ingest
    from marksearch.store import open_store

    path = tmp_path / f"marks.{reader}"
    path.write_bytes(("\ufeff" if codec.endswith("-be") else "").encode(codec) + text.encode(codec))
    (failed,) = ingest(open_store(":memory:"), [path]).errors
    assert "text is UTF-16 or UTF-32; save the file as UTF-8" in str(failed.error)


def test_lines_already_read_as_head_are_used() -> None:
    data = b'{"office": "EM", "application_number": "1"}\n{"office": "EM", "application_number": "2"}\n'
    for cut in (0, 3, 44, 45, len(data)):
        stream = io.BytesIO(data)
        head = stream.read(cut)
        got = list(JSONL_READER.read(stream, "t.jsonl", head=head))
        assert [e.application_number for e in got if isinstance(e, Record)] == ["1", "2"], cut


def test_long_files_stream_in_chunks() -> None:
    line = Record(office="EM", application_number="x" * 1000).to_json() + "\n"
    data = (line * 600).encode()  # more than two read chunks
    assert len(read_jsonl(data)) == 600


# -- CSV -------------------------------------------------------------------------


def test_csv_rows() -> None:
    entries = read_fixture("marks.csv")
    assert [type(e).__name__ for e in entries] == ["Record"] * 4
    us = entries[1]
    assert isinstance(us, Record)
    assert us.nice_classes == (9, 42)
    assert [(g.nice_class, g.text) for g in us.goods] == [
        (9, "computer software, apps"), (42, "design of software")]
    assert [(p.role, p.name, p.country) for p in us.parties] == [
        ("applicant", "Acme Rocket Corp.", "US"), ("applicant", "Acme, Ltd.", "GB"),
        ("representative", "John Attorney", None)]
    assert us.vienna_codes == ("26.01.21", "26.11.12")
    assert us.feature is Feature.COMBINED  # "Combined" in the file: case does not matter
    kr = entries[2]
    assert isinstance(kr, Record) and kr.key == ("KR", "4020200209515")
    multi = entries[3]
    assert isinstance(multi, Record) and multi.mark_text == "MULTI LINE"
    assert multi.provenance is not None and multi.provenance.position == "line 6"


def test_csv_bad_rows_are_quarantined_with_line_numbers() -> None:
    entries = read_fixture("bad_rows.csv")
    assert isinstance(entries[0], Record) and isinstance(entries[-1], Record)
    rejections = [e for e in entries if isinstance(e, Rejection)]
    assert [r.position for r in rejections] == [f"line {n}" for n in range(3, 16)]


def test_csv_unknown_column_is_an_error_naming_it() -> None:
    with pytest.raises(InputError, match="unknown column 'colour'") as caught:
        read_csv(b"office,application_number,colour\nEM,1,red\n", "c.csv")
    assert (caught.value.source, caught.value.line) == ("c.csv", 1)


@pytest.mark.parametrize(
    ("header", "message"),
    [(b"office,mark_text\n", "required column 'application_number'"),
     (b"application_number\n", "required column 'office'"),
     (b"office,application_number,office\n", "'office' appears twice")],
)
def test_csv_header_errors(header: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_csv(header + b"EM,1\n")


def test_csv_empty_file_is_an_error() -> None:
    with pytest.raises(MalformedInputError, match="empty"):
        read_csv(b"")


def test_csv_wrong_encoding_names_file_and_line() -> None:
    data = "office,application_number,mark_text\nEM,1,CAFE\nEM,2,CAFÉ\n".encode("cp1252")
    with pytest.raises(MalformedInputError) as caught:
        read_csv(data, "excel.csv")
    assert (caught.value.source, caught.value.line, caught.value.column) == ("excel.csv", 3, 9)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_saved_with_semicolons_or_tabs(delimiter: str) -> None:
    # Excel saves "CSV" with ";" where the decimal mark is a comma (Germany, France, Spain,
    # Italy, ...): the header line says which delimiter the file uses.
    rows = [["office", "application_number", "mark_text", "nice_classes", "applicant"],
            ["EM", "018222202", "IRIS; VIVALDI", "9,42", "Acme, Inc."]]
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\n"
    assert CSV_READER.sniff(text.encode())
    [record] = read_csv(text.encode())
    assert isinstance(record, Record) and record.key == ("EM", "018222202")
    assert (record.mark_text, record.nice_classes) == ("IRIS; VIVALDI", (9, 42))
    assert [p.name for p in record.parties] == ["Acme, Inc."]


def test_csv_header_with_bom_and_spaces() -> None:
    [record] = read_csv(b"\xef\xbb\xbf Office , APPLICATION_NUMBER \nEM,018222202\n")
    assert isinstance(record, Record) and record.key == ("EM", "018222202")


def test_csv_columns_are_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for column in CSV_COLUMNS:
        assert f"| `{column}` |" in text, column


# -- the documented examples -------------------------------------------------------


def _blocks(language: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_documented_jsonl_examples_read_cleanly() -> None:
    blocks = _blocks("jsonl")
    assert len(blocks) == 3
    entries = read_jsonl("".join(blocks).encode())
    assert [type(e).__name__ for e in entries] == ["Record", "Record", "Deletion"]


def test_documented_csv_example_reads_cleanly() -> None:
    [block] = _blocks("csv")
    entries = read_csv(block.encode())
    assert [type(e).__name__ for e in entries] == ["Record"] * 3


# -- sniffing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "jsonl", "csv"),
    [
        (b'{"office": "EM"}\n', True, False),
        (b'\xef\xbb\xbf\n  \n {"office": "EM"}', True, False),
        (b"office,application_number,mark_text\nEM,1,X\n", False, True),
        (b'\xef\xbb\xbf"office","application_number"\r\n', False, True),
        (b"application_number,Office\n", False, True),
        (b"office;application_number\n", False, True),  # spreadsheets in most of Europe
        (b"office\tapplication_number\n", False, True),
        (b"office|application_number\n", False, False),
        (b"<?xml version='1.0'?><response/>", False, False),
        (b"[1, 2]", False, False),
    ],
)
def test_sniffing(head: bytes, jsonl: bool, csv: bool) -> None:
    assert JSONL_READER.sniff(head) is jsonl
    assert CSV_READER.sniff(head) is csv
