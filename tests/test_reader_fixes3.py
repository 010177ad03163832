"""Fixes from the third reader bug hunt: records before an XML syntax error, comments and
processing instructions inside values, US classes in USPTO goods codes, KIPRIS numbers in
archive members' names, office codes outside ST.3 in XML, and a party's country in the USPTO
daily XML."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from marksearch.errors import MalformedInputError
from marksearch.formats import Reader, kipris, sniff, st66, st96, uspto_daily, xmlsafe
from marksearch.ingest import ingest
from marksearch.records import Deletion, Entry, Record, Rejection
from marksearch.store import open_store
from tests.conftest import FORMATS, entry_dict

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"
BULK = FORMATS / "st66" / "euipo_bulk_sample"
USPTO_ST66 = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"
ST96_21 = FORMATS / "st96" / "uspto_tsdr_sn76044902_ST96-2.1.xml"
DAILY = FORMATS / "uspto_daily_xml" / "apc240925_assembled_1record.xml"
KIPRIS = FORMATS / "kipris"
KIPRIS_GOODS = KIPRIS / "kipris_plus_trademarkDesignationGoodstInfo.xml"
KIPRIS_INFO = KIPRIS / "kipris_plus_tradeMarkInfo_4020190000011.xml"


def read(reader: Reader, data: bytes, source: str = "t.xml") -> list[Entry]:
    return list(reader.read(io.BytesIO(data), source))


def records(entries: list[Entry]) -> list[Record]:
    return [e for e in entries if isinstance(e, Record)]


def keys(entries: list[Entry]) -> list[tuple[str, str]]:
    assert not [e for e in entries if isinstance(e, Rejection)]
    return [e.key for e in entries if not isinstance(e, Rejection)]


def read_until_error(data: bytes) -> tuple[list[Entry], MalformedInputError]:
    """What the ST.66 reader hands out before the error it then raises."""
    out: list[Entry] = []
    with pytest.raises(MalformedInputError) as caught:
        for entry in st66.READER.read(io.BytesIO(data), "bulk.xml"):
            out.append(entry)
    return out, caught.value


def bulk(count: int) -> tuple[str, list[str]]:
    """An EUIPO bulk file of ``count`` TradeMarks (from the bulk samples) and their numbers."""
    files = sorted(BULK.glob("*.xml"))[:count]
    head = files[0].read_text(encoding="utf-8")
    before = head[: head.index("<TradeMarkDetails>") + len("<TradeMarkDetails>")]
    after = head[head.index("</TradeMarkDetails>") :]
    marks = []
    for path in files:
        found = re.search(r"<TradeMark .*?</TradeMark>", path.read_text(encoding="utf-8"), re.S)
        assert found is not None
        marks.append(found.group())
    return before + "\n" + "\n".join(marks) + "\n" + after, [p.stem for p in files]


def broken_in(text: str, index: int) -> bytes:
    """``text`` with a mismatched end tag in its TradeMark number ``index`` (from 0)."""
    start = [m.start() for m in re.finditer(r"<TradeMark ", text)][index]
    at = text.index("</MarkFeature>", start)
    return (text[:at] + "</MarkFeatur>" + text[at + len("</MarkFeature>") :]).encode()


# -- 2. the records before an XML syntax error are kept ---------------------------------------


def test_elements_that_ended_before_a_syntax_error_are_handed_out_first() -> None:
    data = b"<r><a>1</a><a>2</a><a><b>3</c></a><a>4</a></r>"
    got: list[str | None] = []
    with pytest.raises(MalformedInputError, match="mismatch"):
        for elem in xmlsafe.iter_records(io.BytesIO(data), "t.xml", {"a"}):
            got.append(elem.text)
    assert got == ["1", "2"]


def test_an_element_cut_short_by_the_end_of_the_file_is_never_handed_out() -> None:
    # lxml ends every element still open when it closes a truncated document: those are not records.
    for data in (b"<r><a>1</a><a>2</a><a>3", b"<r><a>1</a><a>2</a><a><b>3</b>", b"<r><a>1</a><a>2</a><a x='3"):
        got: list[str | None] = []
        with pytest.raises(MalformedInputError, match="truncated"):
            for elem in xmlsafe.iter_records(io.BytesIO(data), "t.xml", {"a", "r"}):
                got.append(elem.text)
        assert got == ["1", "2"]


def test_records_before_a_broken_record_are_read_then_the_error() -> None:
    text, numbers = bulk(5)
    entries, error = read_until_error(broken_in(text, 2))
    assert keys(entries) == [("EM", n) for n in numbers[:2]]
    assert error.line is not None and "mismatch" in str(error)


def test_the_first_record_is_kept_when_the_second_is_broken() -> None:
    # The first TradeMark of a transaction waits for parties beside it until a second one begins.
    text, numbers = bulk(3)
    entries, _ = read_until_error(broken_in(text, 1))
    assert keys(entries) == [("EM", numbers[0])]


def test_records_handed_out_before_an_error_are_whole() -> None:
    text, numbers = bulk(4)
    whole = {e.application_number: entry_dict(e) for e in records(read(st66.READER, text.encode(), "bulk.xml"))}
    third = [m.start() for m in re.finditer(r"<TradeMark ", text)][2]
    entries, error = read_until_error(text[: third + 3000].encode())  # cut inside the third
    assert "truncated" in str(error)
    assert [entry_dict(e) for e in entries] == [whole[n] for n in numbers[:2]]


def test_a_record_whose_parties_were_cut_off_is_not_handed_out() -> None:
    # USPTO lists the applicants after the TradeMark: without them the record would lose its owners.
    data = USPTO_ST66.read_bytes()
    cut = data.index(b"<ApplicantDetails>") + 500
    entries, _ = read_until_error(data[:cut])
    assert entries == []


def test_ingest_keeps_the_records_before_a_syntax_error(tmp_path: Path) -> None:
    text, numbers = bulk(5)
    path = tmp_path / "bulk5_malformed.xml"
    path.write_bytes(broken_in(text, 2))
    store = open_store(":memory:")
    summary = ingest(store, [path])
    (failed,) = summary.errors
    assert failed.error is not None and "mismatch" in str(failed.error)
    assert summary.counts.read == 2
    assert {s.record.application_number for s in store.iter_records()} == set(numbers[:2])


# -- 4. a comment or processing instruction inside a value ---------------------------------

_VALUE = re.compile(r">([^<\s][^<]*)</")


def _interrupted(match: re.Match[str]) -> str:
    """A value with a comment before it, a processing instruction after it, and a comment in it
    at its first blank (never inside an entity reference)."""
    value = match.group(1)
    value = value.replace(" ", "<!-- checked --> ", 1)
    return f"><!-- from the office -->{value}<?office note?></"


def interrupted(data: bytes) -> bytes:
    """Every leaf value of a document (after any DTD) split by comments and PIs."""
    text = data.decode("utf-8")
    start = text.index("]>") + 2 if "<!DOCTYPE" in text[:200] else 0
    return (text[:start] + _VALUE.sub(_interrupted, text[start:])).encode("utf-8")


@pytest.mark.parametrize(
    "path",
    [EUIPO / "018222197.xml", EUIPO / "018222200.xml", USPTO_ST66, ST96_21,
     FORMATS / "st96" / "uspto_tsdr_rn2178784_ST96-1.0.1-D3.xml", DAILY,
     FORMATS / "uspto_daily_xml" / "daily-na-98763166.xml", KIPRIS_INFO,
     KIPRIS / "kipris_plus_applicantNameSearch_120070120001.xml", KIPRIS_GOODS],
    ids=lambda p: p.name,
)
def test_comments_and_pis_inside_values_change_nothing(path: Path) -> None:
    data = path.read_bytes()
    changed = interrupted(data)
    assert b"<!-- checked -->" in changed and changed.count(b"<?office note?>") > 10
    reader = sniff(data[:65536], path.name)
    want = [entry_dict(e) for e in read(reader, data, path.name)]
    got = [entry_dict(e) for e in read(reader, changed, path.name)]
    assert want and got == want


def test_the_testers_euipo_comment_file_keeps_its_fields() -> None:
    data = (EUIPO / "018222197.xml").read_bytes()
    data = data.replace(b"<MarkVerbalElementText>", b"<MarkVerbalElementText><!-- verified -->", 1)
    data = re.sub(rb"(<MarkCurrentStatusCode[^>]*>)", rb"\1<!--x-->", data, count=1)
    data = re.sub(rb"<ClassNumber>", b"<ClassNumber><?pi x?>", data)
    [record] = read(st66.READER, data)
    assert isinstance(record, Record)
    assert record.mark_text and record.status.value != "unknown"
    assert record.nice_classes and all(g.nice_class is not None for g in record.goods)


def test_own_text_joins_the_text_around_comments_and_pis() -> None:
    from lxml import etree

    from marksearch.formats.elements import own_text, text

    assert own_text(etree.fromstring(b"<x>A<!--c-->B<?p q?>C</x>")) == "ABC"
    assert text(etree.fromstring(b"<x> <!--c--> TERRA </x>")) == "TERRA"
    assert own_text(etree.fromstring(b"<x><!--c--><?p?></x>")) is None
    assert own_text(etree.fromstring(b"<x>plain</x>")) == "plain"


# -- 5. a US class in a USPTO goods statement's code is not a Nice class ---------------------


def daily_case(classifications: str, statements: str) -> bytes:
    return (
        "<case-file><serial-number>70123456</serial-number>"
        "<case-file-header><mark-identification>SUVENEER</mark-identification></case-file-header>"
        f"<case-file-statements>{statements}</case-file-statements>"
        f"<classifications>{classifications}</classifications></case-file>"
    ).encode()


def test_a_us_class_in_the_goods_code_is_not_a_nice_class() -> None:
    data = daily_case(
        "<classification><us-code>021</us-code><primary-code>021</primary-code></classification>",
        "<case-file-statement><type-code>GS0211</type-code><text>Electric batteries</text></case-file-statement>",
    )
    [record] = read(uspto_daily.READER, data)
    assert isinstance(record, Record)
    assert record.nice_classes == () and record.national_classes == ("021",)
    assert [(g.nice_class, g.text) for g in record.goods] == [(None, "Electric batteries")]


def test_a_nice_class_of_the_case_in_the_goods_code_is_kept() -> None:
    data = daily_case(
        "<classification><international-code>009</international-code><us-code>021</us-code>"
        "<primary-code>009</primary-code></classification>",
        "<case-file-statement><type-code>GS0091</type-code><text>Software</text></case-file-statement>"
        "<case-file-statement><type-code>GS0211</type-code><text>Batteries</text></case-file-statement>",
    )
    [record] = read(uspto_daily.READER, data)
    assert isinstance(record, Record)
    assert record.nice_classes == (9,)
    assert [(g.nice_class, g.text) for g in record.goods] == [(9, "Software"), (None, "Batteries")]


# -- 7. a KIPRIS number comes from an archive member's own name --------------------------------


def test_the_number_is_read_from_the_members_name_not_the_archives() -> None:
    assert kipris.number_in_name("kz/kipris_4020240000001_dump.zip!4020190000011.xml") == "4020190000011"
    assert kipris.number_in_name("kz/kipris_4020240000001_dump.zip!info.xml") is None
    assert kipris.number_in_name("kz/dump.zip!goods/4020190000011.xml") == "4020190000011"


def test_goods_in_a_zip_named_with_another_number_are_added(tmp_path: Path) -> None:
    archive = tmp_path / "kipris_4020240000001_dump.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("4020190000011.xml", KIPRIS_GOODS.read_bytes())
    store = open_store(":memory:")
    ingest(store, [KIPRIS_INFO])
    summary = ingest(store, [archive])
    assert not summary.errors and summary.counts.quarantined == 0
    [stored] = [s.record for s in store.iter_records() if s.record.application_number == "4020190000011"]
    assert any(g.language == "ko" and g.nice_class == 43 for g in stored.goods)


# -- 9. office codes in ST.66 and ST.96 are checked as in CSV and JSON Lines -------------------


def test_an_st66_record_under_a_non_st3_office_is_quarantined() -> None:
    data = (EUIPO / "018222197.xml").read_bytes()
    data = data.replace(b"<RegistrationOfficeCode>EM<", b"<RegistrationOfficeCode>UK<")
    [entry] = read(st66.READER, data)
    assert isinstance(entry, Rejection)
    assert "'UK' is not a WIPO ST.3 office code" in entry.reason and "RegistrationOfficeCode" in entry.reason


def test_an_st66_deletion_under_a_non_st3_office_is_quarantined() -> None:
    data = (EUIPO / "018222197.xml").read_bytes()
    data = re.sub(rb'operationCode="\w+"', b'operationCode="Delete"', data, count=1)
    assert isinstance(read(st66.READER, data)[0], Deletion)
    [entry] = read(st66.READER, data.replace(b"<RegistrationOfficeCode>EM<", b"<RegistrationOfficeCode>EU<"))
    assert isinstance(entry, Rejection) and "the EUIPO's is EM" in entry.reason


def test_an_st96_record_under_a_non_st3_office_is_quarantined() -> None:
    data = ST96_21.read_bytes()
    assert data.count(b"RegistrationOfficeCode>US<") == 1
    [entry] = read(st96.READER, data.replace(b"RegistrationOfficeCode>US<", b"RegistrationOfficeCode>UK<"))
    assert isinstance(entry, Rejection) and "'UK' is not a WIPO ST.3 office code" in entry.reason


def test_lower_case_st3_codes_are_still_read() -> None:
    data = (EUIPO / "018222197.xml").read_bytes().replace(b"<RegistrationOfficeCode>EM<", b"<RegistrationOfficeCode>em<")
    [record] = read(st66.READER, data)
    assert isinstance(record, Record) and record.office == "EM"


def test_every_real_xml_sample_is_read_without_a_rejection() -> None:
    paths = [p for folder in ("st66", "st96", "uspto_daily_xml") for p in sorted((FORMATS / folder).rglob("*.xml"))]
    paths += sorted((Path(__file__).parent / "fixtures" / "st66").glob("*.xml"))  # TMview GB, RO, SE
    assert len(paths) > 600
    for path in paths:
        data = path.read_bytes()
        entries = read(sniff(data[:65536], path.name), data, path.name)
        assert not [e for e in entries if isinstance(e, Rejection)], path


# -- 10. a party's country is where it is, in every format -------------------------------------


def owner_case(owner: str) -> bytes:
    return (f"<case-file><serial-number>70123456</serial-number><case-file-owners><case-file-owner>"
            f"<party-type>10</party-type>{owner}<party-name>Falcon Ltd</party-name>"
            f"</case-file-owner></case-file-owners></case-file>").encode()


@pytest.mark.parametrize(
    ("owner", "country"),
    [("<nationality><state>DE</state></nationality><city>London</city><country>GB</country>", "GB"),
     ("<nationality><country>VN</country></nationality><city>Paris</city><country>FR</country>", "FR"),
     ("<nationality><country>VN</country></nationality><city>Hanoi</city>", "VN"),
     ("<nationality><state>DE</state></nationality><city>Wilmington</city>", "US"),
     ("<city>Nowhere</city>", None)],
    ids=["delaware-in-london", "vietnamese-in-paris", "no-address-country", "state-only", "nothing"],
)
def test_a_daily_owners_country_is_its_address_country_then_its_nationality(owner: str, country: str | None) -> None:
    [record] = read(uspto_daily.READER, owner_case(owner))
    assert isinstance(record, Record)
    [party] = record.parties
    assert party.country == country


def test_a_text_too_long_to_read_is_said_in_the_user_s_terms() -> None:
    """libxml2 refuses a text node of more than 10 MB with "try XML_PARSE_HUGE", a switch the user
    cannot reach (and marksearch keeps off): the message says what is wrong with the file instead."""
    data = b"<r><TradeMark><x>" + b"a" * 10_000_010 + b"</x></TradeMark></r>"
    with pytest.raises(MalformedInputError) as caught:
        list(xmlsafe.iter_records(io.BytesIO(data), "huge.xml", frozenset({"TradeMark"})))
    message = str(caught.value)
    assert message.startswith("huge.xml:1:") and "longer than 10,000,000 characters" in message
    assert "XML_PARSE_HUGE" not in message
