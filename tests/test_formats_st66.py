"""The ST.66 reader: golden files for every real sample, the bulk sample, TMview variants."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import FORMATS, assert_golden
from marksearch.formats import st66, st96
from marksearch.records import Deletion, Entry, Feature, Kind, Record, Rejection, Status

ST66 = FORMATS / "st66"
OPEN_DATA = sorted((ST66 / "euipo_open_data_EM-TM-V3-4").glob("*.xml"))
BULK = sorted((ST66 / "euipo_bulk_sample").glob("*.xml"))
USPTO = ST66 / "uspto_tsdr_sn76044902_ST66.xml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "st66"
EUIPO_NS = b"http://euipo.europa.eu/trademark/data"


def read_path(path: Path, source: str | None = None) -> list[Entry]:
    """Read a file the way ingest does: sniff on the head, then hand the head on."""
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
        assert st66.READER.sniff(head), path
        return list(st66.READER.read(stream, source or path.name, head=head))


def read_bytes(data: bytes) -> list[Entry]:
    return list(st66.READER.read(io.BytesIO(data), "test.xml"))


def only_record(entries: list[Entry]) -> Record:
    assert len(entries) == 1 and isinstance(entries[0], Record), entries
    return entries[0]


# --------------------------------------------------------------------------
# Golden files: every real sample.


@pytest.mark.parametrize("path", [*OPEN_DATA, USPTO], ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    entries = read_path(path, str(path.relative_to(FORMATS)))
    assert_golden(entries, f"st66_{path.stem}")


def test_there_are_samples() -> None:
    assert len(OPEN_DATA) == 17
    assert len(BULK) == 587
    assert USPTO.exists()


# --------------------------------------------------------------------------
# The EUIPO bulk sample: every file reads cleanly.


@pytest.mark.slow
def test_euipo_bulk_sample_reads_cleanly() -> None:
    records: list[Record] = []
    for path in BULK:
        entries = read_path(path)
        assert not [e for e in entries if not isinstance(e, Record)], path
        records.extend(e for e in entries if isinstance(e, Record))
    assert len(records) == len(BULK)
    for r in records:
        assert r.office == "EM"
        assert re.fullmatch(r"\d{9}", r.application_number), r.application_number
        assert r.nice_classes and all(1 <= c <= 45 for c in r.nice_classes), r.key
        assert r.status is not Status.UNKNOWN, (r.key, r.status_text)
        assert r.status_code and "/" in r.status_code
        assert r.kind is not Kind.UNKNOWN, (r.key, r.kind_raw)
        assert r.feature is not Feature.UNKNOWN, (r.key, r.feature_raw)
        assert r.as_of is not None
        assert all(re.fullmatch(r"\d\d\.\d\d(\.\d\d)?", v) for v in r.vienna_codes)
        assert (r.registration_number == r.application_number) == (r.date("registration") is not None)


def _reference(path: Path) -> dict[str, object]:
    """The same fields by a slow, plain route: parse the whole file, ask XPath."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    (tm,) = tree.xpath("//*[local-name()='TradeMark']")

    def at(path_: str) -> list[str]:
        steps = "/".join(f"*[local-name()='{s}']" for s in path_.split("/"))
        return [(n.text or "").strip() for n in tm.xpath(steps)]

    goods = [
        (int(cd.xpath("string(*[local-name()='ClassNumber'])")), d.get("languageCode"), d.text.strip())
        for cd in tm.xpath(".//*[local-name()='ClassDescription']")
        for d in cd.xpath("*[local-name()='GoodsServicesDescription']")
    ]
    return {
        "number": at("ApplicationNumber"),
        "verbal": at("WordMarkSpecification/MarkVerbalElementText"),
        "classes": sorted({int(c) for c in at(
            "GoodsServicesDetails/GoodsServices/ClassDescriptionDetails/ClassDescription/ClassNumber")}),
        "goods": goods,
        "vienna": list(dict.fromkeys(at(
            "MarkImageDetails/MarkImage/MarkImageCategory/CategoryCodeDetails/CategoryCode"))),
        "images": at("MarkImageDetails/MarkImage/MarkImageURI"),
        "applicants": at("ApplicantDetails/ApplicantKey/Identifier"),
        "representatives": at("RepresentativeDetails/RepresentativeKey/Identifier"),
        "filing": at("ApplicationDate"),
    }


@pytest.mark.slow
def test_bulk_sample_matches_a_plain_xpath_reading() -> None:
    for path in BULK[::3]:
        r = only_record(read_path(path))
        ref = _reference(path)
        got = {
            "number": [r.application_number],
            "verbal": [v.text for v in r.verbal_elements],
            "classes": list(r.nice_classes),
            "goods": [(g.nice_class, g.language, g.text) for g in r.goods],
            "vienna": list(r.vienna_codes),
            "images": list(r.images),
            "applicants": [p.identifier for p in r.parties_in("applicant")],
            "representatives": [p.identifier for p in r.parties_in("representative")],
            "filing": [d.raw for d in r.dates if d.role == "filing"],
        }
        assert got == ref, path


# --------------------------------------------------------------------------
# A bulk feed: many TradeMark elements under one TradeMarkDetails.


def _trademark_xml(path: Path) -> bytes:
    data = path.read_bytes()
    start = data.index(b"<TradeMark ")
    end = data.index(b"</TradeMark>") + len(b"</TradeMark>")
    return data[start:end]


def _bulk(trademarks: list[bytes]) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="' + EUIPO_NS + b'">\n'
        b"<TransactionHeader><SenderDetails><RequestProducerDateTime>2021-01-02T03:04:05"
        b"</RequestProducerDateTime></SenderDetails></TransactionHeader>\n"
        b"<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>\n<TradeMarkDetails>\n"
        + b"\n".join(trademarks)
        + b"\n</TradeMarkDetails>\n</TransactionData></TransactionContentDetails>"
        b"</TradeMarkTransactionBody></Transaction>\n"
    )


def test_bulk_feed_insert_update_delete_in_order() -> None:
    samples = [_trademark_xml(p) for p in OPEN_DATA[:4]]
    samples[1] = samples[1].replace(b'operationCode="Insert"', b'operationCode="Update"', 1)
    samples[2] = samples[2].replace(b'operationCode="Insert"', b'operationCode="Delete"', 1)
    data = _bulk(samples)
    assert st66.READER.sniff(data)
    entries = read_bytes(data)
    assert [type(e) for e in entries] == [Record, Record, Deletion, Record]
    kept = [e for e in entries if not isinstance(e, Rejection)]
    assert [e.key for e in kept] == [("EM", p.stem) for p in OPEN_DATA[:4]]
    lines = [int(e.provenance.position.split()[1]) for e in kept if e.provenance]
    assert lines == sorted(lines) and len(set(lines)) == 4
    # The same TradeMark read alone and inside the bulk feed gives the same record.
    alone = only_record(read_path(OPEN_DATA[1]))
    assert entries[1] == dataclasses.replace(alone, as_of="2021-01-02")  # the bulk's production date


def test_bulk_feed_as_of_falls_back_to_the_transaction_date() -> None:
    tm = _trademark_xml(OPEN_DATA[0])
    tm = re.sub(rb"<MarkCurrentStatusDate>[^<]*</MarkCurrentStatusDate>", b"", tm)
    record = only_record(read_bytes(_bulk([tm])))
    assert record.as_of == "2021-01-02"
    assert record.date("status") is None


def test_missing_application_number_is_rejected_and_reading_goes_on() -> None:
    good = [_trademark_xml(p) for p in OPEN_DATA[:2]]
    bad = re.sub(rb"<ApplicationNumber>[^<]*</ApplicationNumber>", b"", good[0])
    data = _bulk([good[1], bad, good[1]])
    entries = read_bytes(data)
    assert [type(e) for e in entries] == [Record, Rejection, Record]
    rejection = entries[1]
    assert isinstance(rejection, Rejection)
    line = data[: data.index(bad)].count(b"\n") + 1
    assert rejection.position == f"line {line}"
    assert rejection.source == "test.xml"
    assert "ApplicationNumber" in rejection.reason
    assert rejection.excerpt.startswith("<TradeMark")


def test_rejection_of_the_first_trademark_does_not_hold_the_next() -> None:
    bad = b"<TradeMark><RegistrationOfficeCode>EM</RegistrationOfficeCode></TradeMark>"
    entries = read_bytes(_bulk([bad, _trademark_xml(OPEN_DATA[0])]))
    assert [type(e) for e in entries] == [Rejection, Record]


def test_transaction_level_applicants_are_not_spread_over_a_bulk_feed() -> None:
    # In a bulk feed, parties beside TradeMarkDetails cannot be told apart, so no
    # record gets them (documented: only one-case transactions are resolved).
    data = _bulk([_trademark_xml(p) for p in OPEN_DATA[:2]]).replace(
        b"</TradeMarkDetails>",
        b"</TradeMarkDetails><ApplicantDetails><Applicant><ApplicantIdentifier>1</ApplicantIdentifier>"
        b"<ApplicantAddressBook><FormattedNameAddress><Name><FreeFormatName><FreeFormatNameDetails>"
        b"<FreeFormatNameLine>X</FreeFormatNameLine></FreeFormatNameDetails></FreeFormatName></Name>"
        b"</FormattedNameAddress></ApplicantAddressBook></Applicant></ApplicantDetails>",
    )
    entries = read_bytes(data)
    assert all(isinstance(e, Record) and not any(p.name for p in e.parties) for e in entries)


def test_parties_an_update_removes_are_left_out() -> None:
    tm = _trademark_xml(OPEN_DATA[0]).replace(
        b"<ApplicantDetails>",
        b"<ApplicantDetails><Applicant operationCode=\"Delete\"><ApplicantIdentifier>42"
        b"</ApplicantIdentifier></Applicant>",
    )
    record = only_record(read_bytes(_bulk([tm])))
    assert [p.identifier for p in record.parties_in("applicant")] == ["770564"]


def test_memory_stays_bounded_on_a_long_feed() -> None:
    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("needs /proc to read the resident set size")
    tm = _trademark_xml(OPEN_DATA[0])  # about 10 KB with 23 languages of goods

    class Feed(io.RawIOBase):
        """4,000 TradeMarks (about 40 MB of XML) produced on the fly."""

        def __init__(self) -> None:
            head, tail = _bulk([b"@@"]).split(b"@@")
            self.parts: Iterator[bytes] = iter([head, *([tm] * 4_000), tail])
            self.buffer = b""

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            while len(self.buffer) < len(b):
                part = next(self.parts, None)
                if part is None:
                    break
                self.buffer += part
            n = min(len(b), len(self.buffer))
            b[:n] = self.buffer[:n]
            self.buffer = self.buffer[n:]
            return n

    def rss() -> int:
        return int(statm.read_text().split()[1]) * 4096

    before = rss()
    peak = before
    count = 0
    for entry in st66.READER.read(io.BufferedReader(Feed()), "feed.xml"):
        assert isinstance(entry, Record)
        count += 1
        if count % 200 == 0:
            peak = max(peak, rss())
    assert count == 4_000
    assert peak - before < 40 * 1024 * 1024  # the whole tree would take several hundred MB


# --------------------------------------------------------------------------
# USPTO TSDR profile: applicants outside the TradeMark.


def test_uspto_applicants_outside_the_trademark_are_attached() -> None:
    record = only_record(read_path(USPTO))
    owners = record.parties_in("applicant", "owner")
    # Party types 30 and 20 are owners, 10 the applicant, as in the daily XML.
    assert [(p.role, p.description) for p in owners] == [
        ("owner", "ORIGINAL REGISTRANT"), ("owner", "OWNER AT PUBLICATION"), ("applicant", "ORIGINAL APPLICANT")]
    assert owners[0].name == "PYTHON SOFTWARE FOUNDATION"
    assert owners[0].country == "US"
    assert owners[0].address == "P.O. Box 37, Wolfeboro Falls, NEW HAMPSHIRE, 038960037"
    reps = record.parties_in("representative")
    assert [p.description for p in reps] == ["Attorney of Record", "Domestic Correspondent"]
    assert (record.status, record.status_code) == (Status.REGISTERED, "702")
    assert (record.feature, record.kind) == (Feature.WORD, Kind.INDIVIDUAL)
    assert record.nice_classes == (9, 42)
    assert record.national_classes == ("021", "023", "026", "036", "038", "100", "101")


# --------------------------------------------------------------------------
# TMview national variants.


def test_tmview_ro() -> None:
    record = only_record(read_path(FIXTURES / "tmview_ro.xml"))
    assert record.key == ("RO", "M 2012 00091")
    assert record.registration_number == "119857"
    verbal = record.verbal_elements[0]
    assert (verbal.text, verbal.language, verbal.translation) == ("Casa Veche", "ro", "old house")
    assert record.vienna_codes == ("07.01.01", "27.05.01")  # each was repeated 5 times
    assert record.images == ("RO502012000091.gif",)
    assert (record.status, record.status_code, record.status_text) == (Status.ENDED, None, "Expired")
    assert (record.feature, record.kind) == (Feature.COMBINED, Kind.COLLECTIVE)
    assert record.nice_classes == (33, 43)
    assert [(g.nice_class, g.language) for g in record.goods] == [(33, "ro"), (43, "ro")]
    assert record.languages == ("ro",)
    assert record.as_of == "2020-07-01"  # no status date: the transaction's date
    assert [(p.country, p.number, p.date.raw if p.date else None) for p in record.priorities] == [
        ("MD", "029123", "2011-08-01")]
    assert record.provenance is not None and record.provenance.position == "line 15"


def test_tmview_gb_resolves_applicant_and_representative_keys() -> None:
    record = only_record(read_path(FIXTURES / "tmview_gb.xml"))
    assert record.key == ("GB", "UK00003000001")
    assert record.registration_number == "UK00003000001"
    applicants = record.parties_in("applicant")
    assert [(p.identifier, p.name) for p in applicants] == [
        ("507001", "Heron Holdings Limited"), ("507002", None)]  # 507002 is not in the file
    assert applicants[0].country == "GB"
    assert applicants[0].address == "1 Example Street, LONDON, EC1A 1AA"
    (rep,) = record.parties_in("representative")
    assert (rep.identifier, rep.name, rep.country, rep.address) == (
        "9001", "Example & Co LLP", "GB", "2 Sample Road, Manchester")
    assert record.verbal_elements[0].language == "en"
    assert record.as_of == "2024-02-21"


def test_ns2_prefixed_root_with_update_and_delete() -> None:
    entries = read_path(FIXTURES / "tmview_se_ns2.xml")
    assert [type(e) for e in entries] == [Record, Deletion]
    assert entries[0].key == ("SE", "1900-62281")
    assert entries[1].key == ("SE", "1900-62282")
    record = entries[0]
    assert isinstance(record, Record)
    assert record.status is Status.PENDING
    assert record.mark_text == "NORDSTJÄRNA"


@pytest.mark.parametrize(
    "path", [OPEN_DATA[0], OPEN_DATA[1], USPTO, *sorted(FIXTURES.glob("*.xml"))], ids=lambda p: p.stem
)
def test_comments_and_processing_instructions_change_nothing(path: Path) -> None:
    data = path.read_bytes()
    noisy = re.sub(rb"(>\s*)(<[A-Za-z])", rb"\1<!-- note --><?pi x?>\2", data)
    assert noisy.count(b"<!-- note -->") > 10

    def plain(entries: list[Entry]) -> list[object]:
        return [e.to_dict() | {"provenance": None} if isinstance(e, Record) else e for e in entries]

    assert plain(read_bytes(noisy)) == plain(read_bytes(data))


# --------------------------------------------------------------------------
# Sniffing.


def test_sniff_tells_st66_from_st96() -> None:
    for path in [*OPEN_DATA, USPTO, *FIXTURES.glob("*.xml")]:
        head = path.read_bytes()[:65536]
        assert st66.READER.sniff(head) and not st96.READER.sniff(head), path
    for path in (FORMATS / "st96").glob("*.xml"):
        head = path.read_bytes()[:65536]
        assert st96.READER.sniff(head) and not st66.READER.sniff(head), path


def test_sniff_refuses_other_xml() -> None:
    assert not st66.READER.sniff(b"<?xml version='1.0'?><trademark-applications-daily/>")
    assert not st66.READER.sniff(b"<Transaction><Other/></Transaction>")
    assert not st66.READER.sniff(b"")


def test_sniff_reads_utf16() -> None:
    head = OPEN_DATA[0].read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert st66.READER.sniff(head.encode("utf-16")[:65536])
