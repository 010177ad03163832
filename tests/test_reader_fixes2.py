"""Fixes found by an ingest bug hunt: digits that are not 0-9, deletions that an older record
undid, CSV dates read day-first, one USPTO mark that flipped between its ST.96 versions, and
USPTO owners that the ST.66 and ST.96 readers called applicants."""

from __future__ import annotations

import io
import random
import re
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksearch.errors import InputError
from marksearch.formats import Reader, kipris, st66, st96, tabular, uspto_daily
from marksearch.formats.common import nice_class, parse_date, vienna
from marksearch.ingest import ingest
from marksearch.records import Deletion, Entry, GoodsAddition, Provenance, Record, Rejection, VerbalElement
from marksearch.store import Store, open_store
from marksearch.store.pgcluster import PgServer
from tests.conftest import FORMATS
from tests.test_store import store  # noqa: F401 - the fixture: memory, file and PostgreSQL

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"
EUIPO_197 = EUIPO / "018222197.xml"
ST96 = FORMATS / "st96"
USPTO_ST66 = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"

# Digits that str.isdigit() (or \d) takes and int() refuses, or reads as a number no office wrote.
NOT_ASCII_DIGITS = ["²", "³", "9²", "３", "０９", "٣", "४२", "½", "Ⅸ"]


def read(reader: Reader, data: bytes, source: str = "t") -> list[Entry]:
    return list(reader.read(io.BytesIO(data), source))


def rejections(entries: list[Entry]) -> list[Rejection]:
    return [e for e in entries if isinstance(e, Rejection)]


def records(entries: list[Entry]) -> list[Record]:
    return [e for e in entries if isinstance(e, Record)]


# -- 1. digits other than 0-9 --------------------------------------------------------------


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_a_class_in_other_digits_is_an_error_not_a_class(raw: str) -> None:
    with pytest.raises(ValueError, match="digits 0 to 9"):
        nice_class(raw)


@pytest.mark.parametrize(("raw", "want"), [("9", 9), ("009", 9), ("45", 45), ("46", None), ("A", None),
                                           ("200", None), ("", None), (None, None)])
def test_ascii_classes_read_as_before(raw: str | None, want: int | None) -> None:
    assert nice_class(raw) == want


@pytest.mark.parametrize("raw", ["²6.01.03", "26.01.0３", "２６０１０３", "26.٠1.03"])
def test_vienna_codes_take_only_ascii_digits(raw: str) -> None:
    assert vienna(raw) is None


@pytest.mark.parametrize("raw", ["２０２１-03-15", "2021031５", "15.0３.2021"])
def test_dates_take_only_ascii_digits(raw: str) -> None:
    date = parse_date("filing", raw)
    assert date is not None and date.value is None and date.raw == raw


def test_csv_row_with_a_superscript_class_is_quarantined_and_reading_goes_on() -> None:
    data = ("office,application_number,mark_text,nice_classes,goods\n"
            "EM,018000001,ALPHA,9,\n"
            "EM,018000002,BETA,9;²,\n"
            "EM,018000003,GAMMA,,٩: software\n"
            "EM,018000004,DELTA,42,note: a | 9: b\n"
            "EM,018000005,EPSILON,,9: apps | ²: toys\n").encode()
    entries = read(tabular.CSV_READER, data, "a.csv")
    assert [r.mark_text for r in records(entries)] == ["ALPHA", "DELTA"]
    assert [(r.position, r.reason) for r in rejections(entries)] == [
        ("line 3", "nice_classes: class '²' is not written in the digits 0 to 9"),
        ("line 4", "goods: class '٩' is not written in the digits 0 to 9"),
        ("line 6", "goods: class '²' is not written in the digits 0 to 9"),
    ]


def _kipris(*items: str) -> bytes:
    body = "".join(f"<TradeMarkInfo><ApplicationNumber>{n}</ApplicationNumber>"
                   f"<GoodClassificationCode>{c}</GoodClassificationCode><Title>T{n[-1]}</Title></TradeMarkInfo>"
                   for n, c in (i.split(" ") for i in items))
    return (f"<response><header><resultCode></resultCode></header><body><items>{body}</items></body>"
            "</response>").encode()


def test_kipris_record_with_a_superscript_class_is_quarantined_and_reading_goes_on() -> None:
    entries = read(kipris.READER, _kipris("4020200000001 09|42", "4020200023099 38|³", "4020200000003 43"))
    assert [(r.application_number, r.nice_classes) for r in records(entries)] == [
        ("4020200000001", (9, 42)), ("4020200000003", (43,))]
    [bad] = rejections(entries)
    assert bad.position == "line 1" and "4020200023099" in bad.reason and "'³'" in bad.reason


def test_kipris_designated_good_with_a_superscript_class_is_quarantined_alone() -> None:
    goods = "".join(
        f"<trademarkDesignationGoodstInfo><DesignationGoodsClassificationInformationCode>{c}"
        f"</DesignationGoodsClassificationInformationCode><SimilargroupCode>G0301</SimilargroupCode>"
        f"<DesignationGoodsHangeulName>{name}</DesignationGoodsHangeulName></trademarkDesignationGoodstInfo>\n"
        for c, name in (("43", "식당업"), ("4³", "카페업")))
    data = f"<response><header><resultCode>00</resultCode></header><body><items>\n{goods}</items></body></response>"
    entries = read(kipris.READER.for_application("4020190000011"), data.encode())
    [bad] = rejections(entries)
    assert bad.position == "line 3" and "'4³'" in bad.reason
    [addition] = [e for e in entries if isinstance(e, GoodsAddition)]
    assert [g.text for g in addition.goods.goods] == ["식당업"]


def _euipo(class_number: str) -> bytes:
    text = EUIPO_197.read_text(encoding="utf-8")
    return text.replace("<ClassNumber>1</ClassNumber>", f"<ClassNumber>{class_number}</ClassNumber>", 1).encode()


@pytest.mark.parametrize("raw", ["²", "０１"])
def test_st66_record_with_a_class_in_other_digits_is_quarantined(raw: str) -> None:
    [entry] = read(st66.READER, _euipo(raw))
    assert isinstance(entry, Rejection) and "digits 0 to 9" in entry.reason


def test_st96_record_with_a_class_in_other_digits_is_quarantined() -> None:
    text = (ST96 / "uspto_tsdr_sn76044902_ST96-2.1.xml").read_text(encoding="utf-8")
    text, n = re.subn(r"<ns2:ClassNumber>009</ns2:ClassNumber>", "<ns2:ClassNumber>００９</ns2:ClassNumber>", text)
    assert n
    [entry] = read(st96.READER, text.encode())
    assert isinstance(entry, Rejection) and "digits 0 to 9" in entry.reason


def _case_file(serial: str, extra: str) -> str:
    return (f"<case-file><serial-number>{serial}</serial-number><case-file-header>"
            f"<mark-identification>M{serial}</mark-identification></case-file-header>{extra}</case-file>")


def _daily(*cases: str) -> bytes:
    return ("<trademark-applications-daily><application-information><file-segments><action-keys>"
            + "".join(cases) + "</action-keys></file-segments></application-information>"
            "</trademark-applications-daily>").encode()


def test_uspto_daily_record_with_a_class_in_other_digits_is_quarantined() -> None:
    bad = ("<classifications><classification><international-code>００９</international-code>"
           "</classification></classifications>")
    entries = read(uspto_daily.READER, _daily(_case_file("1", bad), _case_file("2", "")))
    assert [r.application_number for r in records(entries)] == ["2"]
    assert "digits 0 to 9" in rejections(entries)[0].reason


def test_uspto_party_type_in_other_digits_is_not_a_number() -> None:
    assert uspto_daily.party_type_text("²0") is None


# One cell or element of each reader, filled with any text: a bad value quarantines its record
# or line; only a file that is unusable as a whole may raise (InputError).
_values = st.one_of(
    st.sampled_from(NOT_ASCII_DIGITS + ["03/04/2021", "2021-03-15 (approx)", "9;²", "38|³", "26.01.0３"]),
    st.text(st.characters(codec="utf-8"), max_size=12),
)


def _csv(value: str) -> bytes:
    cell = '"' + value.replace('"', '""') + '"'
    row = ",".join(["EM", "1", "X", cell, cell, cell, cell, cell, cell])
    header = "office,application_number,mark_text,nice_classes,filing_date,vienna_codes,goods,applicant_country,feature"
    return f"{header}\n{row}\n".encode()


def _kipris_value(value: str) -> bytes:
    v = escape(value)
    return (f"<response><header><resultCode></resultCode></header><body><items><TradeMarkInfo>"
            f"<ApplicationNumber>4020200000001</ApplicationNumber><GoodClassificationCode>{v}</GoodClassificationCode>"
            f"<ViennaCode>{v}</ViennaCode><ApplicationDate>{v}</ApplicationDate>"
            f"<PriorityClaimDate>{v}</PriorityClaimDate>"
            f"<Title>{v}</Title></TradeMarkInfo><trademarkDesignationGoodstInfo>"
            f"<DesignationGoodsClassificationInformationCode>{v}</DesignationGoodsClassificationInformationCode>"
            f"</trademarkDesignationGoodstInfo></items></body></response>").encode()


def _st66_value(value: str) -> bytes:
    v = escape(value)
    text = EUIPO_197.read_text(encoding="utf-8")
    text = text.replace("<ClassNumber>1</ClassNumber>", f"<ClassNumber>{v}</ClassNumber>", 1)
    return re.sub(r"<ApplicationDate>[^<]*<", lambda _: f"<ApplicationDate>{v}<", text).encode()


def _st96_value(value: str) -> bytes:
    v = escape(value)
    text = (ST96 / "uspto_tsdr_sn76044902_ST96-2.1.xml").read_text(encoding="utf-8")
    text = text.replace("<ns2:ClassNumber>009</ns2:ClassNumber>", f"<ns2:ClassNumber>{v}</ns2:ClassNumber>")
    text = text.replace("<ns2:MarkCurrentStatusCode>", f"<ns2:MarkCurrentStatusCode>{v}", 1)
    return text.replace("<ns2:MarkFeatureCode>1<", f"<ns2:MarkFeatureCode>{v}<").encode()


def _daily_value(value: str) -> bytes:
    v = escape(value)
    extra = (f"<transaction-date>{v}</transaction-date><classifications><classification><international-code>{v}"
             f"</international-code></classification></classifications><case-file-statements><case-file-statement>"
             f"<type-code>GS{v}</type-code><text>x</text></case-file-statement></case-file-statements>"
             f"<case-file-owners><case-file-owner><party-type>{v}</party-type><party-name>N</party-name>"
             f"</case-file-owner></case-file-owners><design-searches><design-search><code>{v}</code></design-search>"
             "</design-searches>")
    return _daily(_case_file("1", extra))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_values)
def test_no_reader_raises_for_one_bad_value(value: str) -> None:
    cases: list[tuple[Reader, bytes]] = [
        (tabular.CSV_READER, _csv(value)), (kipris.READER.for_application("4020200000001"), _kipris_value(value)),
        (st66.READER, _st66_value(value)), (st96.READER, _st96_value(value)), (uspto_daily.READER, _daily_value(value)),
    ]
    for reader, data in cases:
        try:
            entries = read(reader, data)
        except InputError:
            continue  # the whole file is unusable (a character XML cannot hold): said in words
        assert entries


def test_ingest_goes_on_past_a_bad_class_in_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("office,application_number,mark_text,nice_classes\n"
                                    "EM,018000001,ALPHA,9\nEM,018000002,BETA,9;²\n", encoding="utf-8")
    (tmp_path / "kr.xml").write_bytes(_kipris("4020200000001 09", "4020200023099 38|³"))
    (tmp_path / "z.xml").write_bytes(EUIPO_197.read_bytes())
    with open_store(":memory:") as store:
        summary = ingest(store, [tmp_path], workers=1)
        assert not summary.errors
        assert (summary.counts.inserted, summary.counts.quarantined) == (3, 2)


# -- 2. a deletion keeps its date --------------------------------------------------------


def mark(number: str, text: str, as_of: str | None) -> Record:
    return Record(office="EM", application_number=number, verbal_elements=(VerbalElement(text),), as_of=as_of,
                  provenance=Provenance("t.jsonl", f"line {number}"))


def gone(number: str, as_of: str | None) -> Deletion:
    return Deletion("EM", number, Provenance("d.xml", "line 1"), as_of=as_of)


def write(store: Store, *entries: Record | Deletion) -> dict[str, int]:
    return store.write(list(entries)).to_dict()


def held(store: Store, number: str) -> str | None:
    stored = store.get("EM", number)
    return stored.record.mark_text if stored else None


def test_an_older_insert_read_after_the_delete_does_not_bring_the_record_back(store: Store) -> None:
    assert write(store, gone("1", "2020-09-01"))["unchanged"] == 1
    late = write(store, mark("1", "KOKA", "2020-07-29"))
    assert (late["inserted"], late["unchanged"], late["older"]) == (0, 1, 1)
    same_day = write(store, mark("1", "KOKA", "2020-09-01"))
    assert (same_day["inserted"], same_day["older"]) == (0, 1)
    assert held(store, "1") is None
    newer = write(store, mark("1", "KOKA II", "2021-01-01"))
    assert newer["inserted"] == 1 and held(store, "1") == "KOKA II"


def test_a_delete_before_an_older_insert_in_one_batch(store: Store) -> None:
    counts = write(store, gone("1", "2020-09-01"), mark("1", "KOKA", "2020-07-29"), mark("2", "COCA", "2020-07-29"))
    assert (counts["inserted"], counts["unchanged"], counts["older"]) == (1, 2, 1)
    assert held(store, "1") is None and held(store, "2") == "COCA"
    # the tombstone outlives the batch
    assert write(store, mark("1", "KOKA", "2020-08-01"))["older"] == 1


def test_a_deletion_older_than_the_record_held_is_skipped(store: Store) -> None:
    write(store, mark("1", "KOKA", "2021-01-01"))
    stale = write(store, gone("1", "2020-09-01"))
    assert (stale["deleted"], stale["unchanged"], stale["older"]) == (0, 1, 1)
    assert held(store, "1") == "KOKA"
    assert write(store, gone("1", "2021-01-01"))["deleted"] == 1  # as new as the record: deleted


def test_any_order_of_the_same_files_gives_the_same_register(store: Store) -> None:
    """Insert, delete, re-insert: read again, in any order, nothing changes."""
    entries: list[Record | Deletion] = [mark("1", "KOKA", "2020-07-29"), gone("1", "2020-09-01"),
                                        mark("1", "KOKA II", "2021-01-01"), mark("2", "COCA", "2020-07-29"),
                                        gone("2", "2020-09-01")]
    write(store, *entries)
    for order in ([1, 0, 2, 4, 3], [4, 3, 2, 1, 0], [0, 1, 2, 3, 4]):
        again = write(store, *(entries[i] for i in order))
        assert (again["inserted"], again["updated"], again["deleted"]) == (0, 0, 0), order
    assert (held(store, "1"), held(store, "2")) == ("KOKA II", None)


def test_a_deletion_without_as_of_leaves_no_tombstone(store: Store) -> None:
    write(store, mark("1", "KOKA", "2021-01-01"))
    assert write(store, gone("1", None))["deleted"] == 1
    assert write(store, mark("1", "KOKA", "2019-01-01"))["inserted"] == 1


def test_a_record_without_as_of_is_always_written(store: Store) -> None:
    write(store, gone("1", "2020-09-01"))
    assert write(store, mark("1", "KOKA", None))["inserted"] == 1


def _delta_files(folder: Path) -> None:
    """The bug hunt's files: a Delete produced 2020-09-01 read before the Insert of 2020-08-07."""
    text = EUIPO_197.read_text(encoding="utf-8")
    delete = text.replace('operationCode="Insert"', 'operationCode="Delete"').replace(
        "<RequestProducerDateTime>2020-08-07T08:04:16<", "<RequestProducerDateTime>2020-09-01T08:00:00<")
    (folder / "a_delete_20200901.xml").write_text(delete, encoding="utf-8")
    (folder / "b_insert_20200807.xml").write_text(text, encoding="utf-8")


def test_st66_delete_carries_the_later_of_its_dates() -> None:
    text = EUIPO_197.read_text(encoding="utf-8").replace('operationCode="Insert"', 'operationCode="Delete"')
    [deletion] = read(st66.READER, text.encode())
    assert isinstance(deletion, Deletion) and deletion.as_of == "2020-08-07"
    later = text.replace("2020-08-07T08:04:16", "2020-09-01T08:00:00")
    assert [e.as_of for e in read(st66.READER, later.encode()) if isinstance(e, Deletion)] == ["2020-09-01"]


def test_st96_delete_carries_its_date() -> None:
    text = (ST96 / "uspto_tsdr_sn76044902_ST96-2.1.xml").read_text(encoding="utf-8")
    text = text.replace("<ns2:Trademark>", '<ns2:Trademark ns2:operationCategory="Delete">', 1)
    [deletion] = read(st96.READER, text.encode())
    assert isinstance(deletion, Deletion) and deletion.as_of is not None


def test_ingest_of_a_delete_then_an_older_insert_leaves_it_deleted(store: Store, tmp_path: Path) -> None:
    _delta_files(tmp_path)
    for _ in range(2):
        summary = ingest(store, [tmp_path], workers=1)
        assert (summary.counts.inserted, summary.counts.unchanged, summary.counts.older) == (0, 2, 1)
    assert store.get("EM", "018222197") is None


def test_jsonl_deletion_may_carry_as_of() -> None:
    data = (b'{"delete": true, "office": "em", "application_number": "1", "as_of": "2020-09-01"}\n'
            b'{"delete": true, "office": "EM", "application_number": "2", "as_of": "2020-9-1"}\n'
            b'{"delete": true, "office": "EM", "application_number": "3"}\n')
    first, second, third = read(tabular.JSONL_READER, data)
    assert isinstance(first, Deletion) and (first.key, first.as_of) == (("EM", "1"), "2020-09-01")
    assert isinstance(second, Rejection) and "as_of must be an ISO date" in second.reason
    assert isinstance(third, Deletion) and third.as_of is None


def test_a_schema_2_sqlite_register_gets_tombstones(tmp_path: Path) -> None:
    path = tmp_path / "reg.sqlite"
    with open_store(str(path)) as s:
        write(s, mark("1", "KOKA", "2020-01-01"))
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE tombstones")
        db.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    with open_store(str(path)) as s:
        assert write(s, gone("1", "2020-09-01"))["deleted"] == 1
        assert write(s, mark("1", "KOKA", "2020-01-01"))["older"] == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "4"


def test_a_schema_1_postgres_register_gets_tombstones(pg_server: PgServer) -> None:
    url = pg_server.create_database()
    with open_store(url) as s:
        write(s, mark("1", "KOKA", "2020-01-01"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE tombstones")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with open_store(url) as s:
        assert write(s, gone("1", "2020-09-01"))["deleted"] == 1
        assert write(s, mark("1", "KOKA", "2020-01-01"))["older"] == 1
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert row is not None and row[0] == "3"


def test_random_deletions_with_dates_give_the_same_register_in_both_stores(pg_server: PgServer,
                                                                          tmp_path: Path) -> None:
    from tests.test_postgres import dump

    rng = random.Random(11)
    dates = [None, "2019-05-01", "2020-01-01", "2021-07-15"]
    with open_store(str(tmp_path / "reg.sqlite")) as lite, \
            open_store(pg_server.create_database()) as pg:
        for _ in range(40):
            batch: list[Record | Deletion] = [
                gone(str(rng.randrange(6)), rng.choice(dates)) if rng.random() < 0.35
                else mark(str(rng.randrange(6)), rng.choice(["KOKA", "COCA", "PYTHON"]), rng.choice(dates))
                for _ in range(rng.randrange(1, 12))
            ]
            assert lite.write(batch).to_dict() == pg.write(batch).to_dict(), batch
            assert dump(pg) == dump(lite), batch


# -- 3. CSV dates as documented ------------------------------------------------------------


def _csv_dates(*dates: str) -> list[Entry]:
    rows = "".join(f"EM,{i},M{i},{d}\n" for i, d in enumerate(dates, 1))
    return read(tabular.CSV_READER, f"office,application_number,mark_text,filing_date\n{rows}".encode())


@pytest.mark.parametrize("raw", ["03/04/2021", "12/31/2022", "3/4/2021"])
def test_csv_date_with_slashes_is_refused_as_ambiguous(raw: str) -> None:
    [entry] = _csv_dates(raw)
    assert isinstance(entry, Rejection)
    assert entry.reason == f"filing_date {raw!r} could be day/month or month/day: write YYYY-MM-DD"


@pytest.mark.parametrize("raw", ["2021-03-15 (approx)", "2021-03-15 approx", "2021-03-15T", "2021-03-15Tnoon",
                                 "15.03.2021 or so", "2021-03-15 10"])
def test_csv_date_with_text_after_it_is_refused(raw: str) -> None:
    [entry] = _csv_dates(raw)
    assert isinstance(entry, Rejection) and entry.reason == f"filing_date {raw!r} is not a date (write YYYY-MM-DD)"


@pytest.mark.parametrize("raw", ["2021-03-15", "20210315", "15.03.2021", "2021-03-15T10:00:00",
                                 "2021-03-15T10:00:00Z", "2021-03-15T10:00+02:00"])
def test_documented_csv_dates_read(raw: str) -> None:
    [entry] = _csv_dates(raw)
    assert isinstance(entry, Record)
    date = entry.date("filing")
    assert date is not None and date.value is not None and date.value.isoformat() == "2021-03-15"


@pytest.mark.parametrize(("raw", "value"), [("2020-04-21T23:02:10", "2020-04-21"), ("2000-05-09-04:00", "2000-05-09"),
                                            ("2020-04-08", "2020-04-08"), ("20200408", "2020-04-08"),
                                            ("2020-04-21 23:02:10", "2020-04-21"), ("03/04/2021", None),
                                            ("2021-03-15 (approx)", None)])
def test_office_dates(raw: str, value: str | None) -> None:
    date = parse_date("status", raw)
    assert date is not None and (date.value.isoformat() if date.value else None) == value


# -- 4. one USPTO mark, two ST.96 versions -----------------------------------------------


def test_the_same_mark_in_both_st96_versions_is_one_record() -> None:
    [old] = read(st96.READER, (ST96 / "uspto_tsdr_rn2178784_ST96-1.0.1-D3.xml").read_bytes())
    [new] = read(st96.READER, (ST96 / "uspto_tsdr_rn2178784_ST96-2.1.xml").read_bytes())
    assert isinstance(old, Record) and isinstance(new, Record)
    assert old.feature_raw == new.feature_raw == "1"
    assert old.to_json_bytes() == new.to_json_bytes()  # what the store hashes


def test_reingesting_the_office_samples_changes_nothing() -> None:
    paths = [ST96, USPTO_ST66, FORMATS / "uspto_daily_xml", EUIPO]
    with open_store(":memory:") as store:
        ingest(store, paths, workers=1)
        again = ingest(store, paths, workers=1)
        assert (again.counts.inserted, again.counts.updated, again.counts.deleted) == (0, 0, 0)


# -- 5. USPTO owners are owners in every reader --------------------------------------------

_OWNER_TYPES = [("10", "ORIGINAL APPLICANT"), ("20", "OWNER AT PUBLICATION"), ("30", "ORIGINAL REGISTRANT"),
                ("41", "2ND NEW OWNER ENTERED AFTER REGISTRATION")]


def _st66_uspto(types: list[tuple[str, str]]) -> bytes:
    applicants = "".join(
        f"<Applicant><ApplicantAddressBook><FormattedNameAddress><Name><FreeFormatName><FreeFormatNameDetails>"
        f"<FreeFormatNameLine>P{code}</FreeFormatNameLine></FreeFormatNameDetails></FreeFormatName></Name>"
        f"</FormattedNameAddress></ApplicantAddressBook><ApplicantExt><ns2:PartyTypeCode>{code}</ns2:PartyTypeCode>"
        f"<ns2:PartyTypeDescriptionText>{words}</ns2:PartyTypeDescriptionText></ApplicantExt></Applicant>"
        for code, words in types)
    return ('<Transaction xmlns="http://www.wipo.int/standards/XMLSchema/trademarks" '
            'xmlns:ns2="urn:us:gov:doc:uspto:trademark:status"><TradeMarkTransactionBody><TransactionContentDetails>'
            "<TransactionData><TradeMarkDetails><TradeMark><RegistrationOfficeCode>US</RegistrationOfficeCode>"
            "<ApplicationNumber>1</ApplicationNumber></TradeMark></TradeMarkDetails>"
            f"<ApplicantDetails>{applicants}</ApplicantDetails></TransactionData></TransactionContentDetails>"
            "</TradeMarkTransactionBody></Transaction>").encode()


def _st96_uspto(types: list[tuple[str, str]]) -> bytes:
    applicants = "".join(
        f'<Applicant com:sequenceNumber="{code}"><com:CommentText>{words}</com:CommentText><com:Contact><com:Name>'
        f"<com:EntityName>P{code}</com:EntityName></com:Name></com:Contact></Applicant>" for code, words in types)
    return ('<TrademarkTransaction xmlns="http://www.wipo.int/standards/XMLSchema/ST96/Trademark" '
            'xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common"><TrademarkTransactionBody>'
            "<TransactionContentBag><TransactionData><TrademarkBag><Trademark>"
            "<com:RegistrationOfficeCode>US</com:RegistrationOfficeCode><com:ApplicationNumber>"
            "<com:ApplicationNumberText>1</com:ApplicationNumberText></com:ApplicationNumber>"
            f"<ApplicantBag>{applicants}</ApplicantBag></Trademark></TrademarkBag></TransactionData>"
            "</TransactionContentBag></TrademarkTransactionBody></TrademarkTransaction>").encode()


def _daily_uspto(types: list[tuple[str, str]]) -> bytes:
    owners = "".join(f"<case-file-owner><party-type>{code}</party-type><party-name>P{code}</party-name>"
                     "</case-file-owner>" for code, _ in types)
    return _daily(_case_file("1", f"<case-file-owners>{owners}</case-file-owners>"))


def _roles(reader: Reader, data: bytes) -> list[tuple[str | None, str]]:
    [record] = records(read(reader, data))
    return [(p.name, p.role) for p in record.parties]


def test_uspto_party_roles_are_the_same_in_every_reader() -> None:
    want = [("P10", "applicant"), ("P20", "owner"), ("P30", "owner"), ("P41", "owner")]
    assert _roles(uspto_daily.READER, _daily_uspto(_OWNER_TYPES)) == want
    assert _roles(st66.READER, _st66_uspto(_OWNER_TYPES)) == want
    assert _roles(st96.READER, _st96_uspto(_OWNER_TYPES)) == want


def test_uspto_samples_give_owners_and_one_applicant() -> None:
    for reader, path in ((st66.READER, USPTO_ST66), (st96.READER, ST96 / "uspto_tsdr_sn76044902_ST96-2.1.xml")):
        [record] = records(read(reader, path.read_bytes()))
        assert [(p.role, p.description) for p in record.parties_in("applicant", "owner")] == [
            ("owner", "ORIGINAL REGISTRANT"), ("owner", "OWNER AT PUBLICATION"), ("applicant", "ORIGINAL APPLICANT")]


def test_euipo_applicants_stay_applicants() -> None:
    [record] = records(read(st66.READER, EUIPO_197.read_bytes()))
    assert record.parties_in("applicant") and not record.parties_in("owner")
