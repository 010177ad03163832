"""JSON Lines and CSV read as the XML readers read: a date's value from its raw, language codes in
lower case, and ``marksearch show --json`` read back as the record it shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from marksearch.cli import cli
from marksearch.formats.common import parse_date
from marksearch.formats.tabular import CSV_READER, JSONL_READER
from marksearch.records import ClassGoods, Entry, MarkDate, Priority, Record, Rejection, VerbalElement
from tests.conftest import FORMATS


def read_jsonl(*lines: dict[str, Any]) -> list[Entry]:
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return list(JSONL_READER.read(io.BytesIO(data), "t.jsonl"))


def one_record(*lines: dict[str, Any]) -> Record:
    [entry] = read_jsonl(*lines)
    assert isinstance(entry, Record), entry
    return entry


def mark(**fields: Any) -> dict[str, Any]:
    return {"office": "US", "application_number": "97000001", **fields}


# -- a date's value from its raw ------------------------------------------------------


def test_a_date_given_only_raw_is_parsed_as_the_xml_readers_parse_it() -> None:
    raws = ["20210315", "2000-05-09-04:00", "15.03.2021", "18790000", "19790300", "2021-03-15 (approx)"]
    record = one_record(mark(
        dates=[{"role": "filing", "raw": raw} for raw in raws]
        + [{"role": "registration", "raw": "20230602", "value": None}],  # null is not given
        priorities=[{"country": "DE", "number": "1", "date": {"role": "priority", "raw": "20200101"}}],
    ))
    assert [(d.value, d.precision) for d in record.dates] == [
        (dt.date(2021, 3, 15), "day"),
        (dt.date(2000, 5, 9), "day"),
        (dt.date(2021, 3, 15), "day"),
        (dt.date(1879, 1, 1), "year"),
        (dt.date(1979, 3, 1), "month"),
        (None, "none"),  # does not parse: the register would hold it as exact
        (dt.date(2023, 6, 2), "day"),
    ]
    assert [d.raw for d in record.dates] == [*raws, "20230602"]  # raw stays as written
    assert record.priorities[0].date == MarkDate("priority", "20200101", dt.date(2020, 1, 1), "day")
    assert record.dates[:6] == tuple(parse_date("filing", raw) for raw in raws)


@pytest.mark.parametrize(("key", "date"), [
    ("dates[1]", {"role": "filing", "raw": "20210315", "value": "2021-03-16"}),
    ("dates[1]", {"role": "filing", "raw": "18790000", "value": "1880-01-01", "precision": "year"}),
    ("priorities[0].date", {"role": "priority", "raw": "15.03.2021", "value": "2021-03-16"}),
])
def test_a_value_that_its_raw_contradicts_is_quarantined_naming_both(key: str, date: dict[str, Any]) -> None:
    agrees = {"role": "expiry", "raw": "20310315", "value": "2031-03-15"}
    where = "priorities" if key.startswith("priorities") else "dates"
    line = mark(**{where: [{"country": "DE", "number": "1", "date": date}] if where == "priorities"
                   else [agrees, date]})
    [entry] = read_jsonl(line)
    assert isinstance(entry, Rejection), entry
    parsed = parse_date(date["role"], date["raw"])
    assert parsed is not None and parsed.value is not None
    assert entry.reason.startswith(f"{key} ({date['role']}): ")
    for part in (repr(date["raw"]), parsed.value.isoformat(), repr(date["value"])):
        assert part in entry.reason
    # A raw that does not parse leaves the given value as it is; one that agrees is read as given.
    kept = one_record(mark(dates=[agrees, {"role": "filing", "raw": "about March 2021", "value": "2021-03-15"}]))
    assert [d.value for d in kept.dates] == [dt.date(2031, 3, 15), dt.date(2021, 3, 15)]


# -- language codes ---------------------------------------------------------------------


def test_jsonl_language_codes_are_lower_case_as_the_xml_readers_keep_them() -> None:
    record = one_record(mark(
        verbal_elements=[{"text": "ACME", "language": "EN"}, {"text": "AKME", "language": " De "}],
        goods=[{"nice_class": 9, "text": "software", "language": "EN"},
               {"nice_class": 9, "text": "Software", "language": "de"},
               {"nice_class": 42, "text": "design", "language": ""}],
        languages=["EN", "Fr", "en"],
    ))
    assert [v.language for v in record.verbal_elements] == ["en", "de"]
    assert [g.language for g in record.goods] == ["en", "de", None]
    assert record.languages == ("en", "fr")  # as ST.66 and ST.96 give them: each once


def test_csv_language_columns_are_lower_case() -> None:
    text = b"office,application_number,mark_text,mark_language,goods,goods_language\n" \
           b"EM,1,IRIS,EN,9: software | 42: design,DE\n"
    [record] = CSV_READER.read(io.BytesIO(text), "t.csv")
    assert isinstance(record, Record), record
    assert record.verbal_elements == (VerbalElement("IRIS", language="en"),)
    assert record.goods == (ClassGoods(9, "software", "de"), ClassGoods(42, "design", "de"))


# -- against a plain reference ------------------------------------------------------------

_LANGUAGES = st.none() | st.sampled_from(["en", "EN", "De", " fr ", "", "ko"])
_RAWS = st.sampled_from(["20210315", "2021-03-15", "15.03.2021", "18790000", "19790300", "00000000",
                         "2021-03-15 (approx)", "03/04/2021", ""])


@st.composite
def _dates(draw: st.DrawFn, role: str = "filing") -> MarkDate:
    raw = draw(_RAWS)
    parsed = parse_date(role, raw)
    # The value as written: none, the one raw parses to, or (for a raw that does not parse) any.
    value = draw(st.none() | st.just(parsed.value if parsed else None)
                 | (st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)) if parsed is None or parsed.value is None
                    else st.nothing()))
    return MarkDate(role, raw, value, draw(st.sampled_from(["day", "month", "year", "none"])))


_written = st.builds(
    Record,
    office=st.just("EM"),
    application_number=st.just("1"),
    verbal_elements=st.lists(st.builds(VerbalElement, st.just("IRIS"), _LANGUAGES), max_size=2).map(tuple),
    dates=st.lists(_dates(), max_size=3).map(tuple),
    goods=st.lists(st.builds(ClassGoods, st.just(9), st.just("software"), _LANGUAGES), max_size=3).map(tuple),
    priorities=st.lists(st.builds(Priority, st.just("DE"), st.just("1"), st.none() | _dates("priority")),
                        max_size=2).map(tuple),
    languages=st.lists(_LANGUAGES.filter(lambda c: c is not None), max_size=2).map(tuple),
)


def _reference(record: Record) -> Record:
    """What the JSON Lines reader should make of ``record``, plainly: the XML readers' steps."""
    def lang(code: str | None) -> str | None:
        return (code.strip().lower() or None) if code is not None else None

    def date(d: MarkDate) -> MarkDate:
        if d.value is not None:
            return d
        parsed = parse_date(d.role, d.raw)
        return MarkDate(d.role, d.raw, parsed.value if parsed else None, parsed.precision if parsed else "none")

    languages: list[str] = []
    for code in record.languages:
        if (c := lang(code)) and c not in languages:
            languages.append(c)
    return dataclasses.replace(
        record,
        nice_classes=(9,) if record.goods else (),
        verbal_elements=tuple(VerbalElement(v.text, lang(v.language)) for v in record.verbal_elements),
        dates=tuple(date(d) for d in record.dates),
        goods=tuple(ClassGoods(g.nice_class, g.text, lang(g.language)) for g in record.goods),
        priorities=tuple(Priority(p.country, p.number, date(p.date) if p.date else None)
                         for p in record.priorities),
        languages=tuple(languages),
    )


@settings(max_examples=150, deadline=None)
@given(_written)
def test_jsonl_reads_as_the_plain_reference_and_again_the_same(written: Record) -> None:
    [read] = JSONL_READER.read(io.BytesIO(written.to_json().encode()), "t.jsonl")
    assert read == _reference(written)
    assert isinstance(read, Record)
    [again] = JSONL_READER.read(io.BytesIO(read.to_json().encode()), "t.jsonl")
    assert again == read  # normalising twice changes nothing


# -- show --json read back ----------------------------------------------------------------


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("path", "office", "number"), [
    ("st66/euipo_bulk_sample/018222202.xml", "EM", "018222202"),
    ("kipris/kipris_plus_tradeMarkInfo_4020190000011.xml", "KR", "4020190000011"),
    ("st96/uspto_tsdr_sn76044902_ST96-2.1.xml", "US", "76044902"),
    ("uspto_daily_xml/daily-na-98763166.xml", "US", "98763166"),
])
def test_show_json_is_read_back_as_the_record_it_shows(tmp_path: Path, path: str, office: str, number: str) -> None:
    first, second = str(tmp_path / "first.sqlite"), str(tmp_path / "second.sqlite")
    cli_json("ingest", str(FORMATS / path), "--db", first, "--json")
    shown = cli_json("show", office, number, "--db", first, "--json")
    assert set(shown) - {f.name for f in dataclasses.fields(Record)} == {"keys"}  # all that show adds
    line = tmp_path / "shown.jsonl"
    line.write_text(json.dumps(shown, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = cli_json("ingest", str(line), "--db", second, "--json")
    assert (summary["inserted"], summary["quarantined"]) == (1, 0), summary
    again = cli_json("show", office, number, "--db", second, "--json")
    assert again.pop("provenance")["source"] == str(line)
    shown.pop("provenance")
    assert again == shown
