"""The ST.96 reader: golden files for every real sample, both schema versions, odd cases."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from marksearch.formats import st66, st96
from marksearch.records import Deletion, Entry, Feature, Kind, Record, Rejection, Status
from tests.conftest import FORMATS, assert_golden

ST96 = FORMATS / "st96"
SAMPLES = sorted(ST96.glob("*.xml"))
V1 = ST96 / "uspto_tsdr_rn2178784_ST96-1.0.1-D3.xml"
V2 = ST96 / "uspto_tsdr_rn2178784_ST96-2.1.xml"
PYTHON = ST96 / "uspto_tsdr_sn76044902_ST96-2.1.xml"

NS = (
    b' xmlns="http://www.wipo.int/standards/XMLSchema/ST96/Trademark"'
    b' xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common"'
)


def read_path(path: Path, source: str | None = None) -> list[Entry]:
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
        assert st96.READER.sniff(head), path
        return list(st96.READER.read(stream, source or path.name, head=head))


def read_bytes(data: bytes) -> list[Entry]:
    assert st96.READER.sniff(data)
    return list(st96.READER.read(io.BytesIO(data), "test.xml"))


def only_record(entries: list[Entry]) -> Record:
    assert len(entries) == 1 and isinstance(entries[0], Record), entries
    return entries[0]


def transaction(*trademarks: bytes) -> bytes:
    return (
        b"<?xml version='1.0' encoding='UTF-8'?>\n<TrademarkTransaction" + NS + b">\n"
        b"<TrademarkTransactionBody><TransactionContentBag><TransactionData><TrademarkBag>\n"
        + b"\n".join(trademarks)
        + b"\n</TrademarkBag></TransactionData></TransactionContentBag></TrademarkTransactionBody>\n"
        b"</TrademarkTransaction>\n"
    )


def trademark(number: str | None, extra: bytes = b"", attrs: bytes = b"") -> bytes:
    app = (
        b"<com:ApplicationNumber><com:ApplicationNumberText>" + number.encode()
        + b"</com:ApplicationNumberText></com:ApplicationNumber>"
        if number else b""
    )
    return (b"<Trademark" + attrs + b"><com:RegistrationOfficeCode>US</com:RegistrationOfficeCode>"
            + app + extra + b"</Trademark>")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    entries = read_path(path, str(path.relative_to(FORMATS)))
    assert_golden(entries, f"st96_{path.stem}")


def test_there_are_samples() -> None:
    assert len(SAMPLES) == 3


def test_both_schema_versions_give_the_same_record() -> None:
    old, new = only_record(read_path(V1)), only_record(read_path(V2))
    # v1 also writes the USPTO words (TYPESET WORD(S) ...); both write the drawing code, which
    # is kept, so that re-ingesting both files changes nothing.
    assert (old.feature_raw, new.feature_raw) == ("1", "1")
    assert old.feature is new.feature is Feature.WORD
    assert old == new


def test_python_registration() -> None:
    record = only_record(read_path(PYTHON))
    assert record.key == ("US", "76044902")
    assert record.registration_number == "2824281"
    assert (record.status, record.status_code) == (Status.REGISTERED, "800")
    assert record.status_text == "The registration has been renewed."
    assert (record.kind, record.kind_raw) == (Kind.INDIVIDUAL, "Trademark, Service mark")
    assert record.nice_classes == (9, 42)
    assert record.national_classes == ("021", "023", "026", "036", "038", "100", "101")
    assert [g.nice_class for g in record.goods] == [9, 42]
    assert record.images == ("76044902.png",)
    renewal = record.date("renewal")
    assert renewal is not None and renewal.raw == "2014-03-23"
    owners = record.parties_in("applicant", "owner")
    assert [(p.role, p.description) for p in owners] == [
        ("owner", "ORIGINAL REGISTRANT"), ("owner", "OWNER AT PUBLICATION"), ("applicant", "ORIGINAL APPLICANT")]
    assert owners[2].name == "Corporation for National Research Initiatives"
    assert owners[2].address == "1895 Preston White Drive, Reston, VIRGINIA, 20191"
    reps = record.parties_in("representative")
    assert [(p.name, p.description) for p in reps] == [
        ("David A. Bell", "Attorney of Record"),
        ("David A. Bell, HAYNES AND BOONE, LLP", "Domestic Correspondent"),
    ]  # the empty NationalRepresentative is left out


def test_no_image_available_is_not_an_image() -> None:
    assert only_record(read_path(V1)).images == ()
    assert only_record(read_path(V2)).images == ()


def test_missing_application_number_is_rejected_and_reading_goes_on() -> None:
    data = transaction(trademark("1"), trademark(None), trademark("3"))
    entries = read_bytes(data)
    assert [type(e) for e in entries] == [Record, Rejection, Record]
    rejection = entries[1]
    assert isinstance(rejection, Rejection)
    assert rejection.position == "line 5"
    assert "ApplicationNumber" in rejection.reason
    assert [e.key for e in entries if isinstance(e, Record)] == [("US", "1"), ("US", "3")]


def test_delete_operation() -> None:
    entries = read_bytes(transaction(trademark("77", attrs=b' com:operationCategory="Delete"')))
    assert [type(e) for e in entries] == [Deletion]
    assert entries[0].key == ("US", "77")


def test_drawing_code_and_plain_application_number() -> None:
    extra = (
        b"<MarkRepresentation><MarkDescriptionBag><NationalMarkDescription>"
        b"<MarkFeatureCode>3</MarkFeatureCode></NationalMarkDescription></MarkDescriptionBag>"
        b"<MarkReproduction><MarkImageBag><MarkImage><com:FileName>x.png</com:FileName>"
        b"<NationalDesignSearchCodeBag><NationalDesignSearchCode>260117</NationalDesignSearchCode>"
        b"<NationalDesignSearchCode>260117</NationalDesignSearchCode></NationalDesignSearchCodeBag>"
        b"</MarkImage></MarkImageBag></MarkReproduction></MarkRepresentation>"
        b"<MarkCurrentStatusCode>602</MarkCurrentStatusCode>"
        b"<MarkCategory>Collective Membership Mark</MarkCategory>"
    )
    data = transaction(
        b"<Trademark><com:RegistrationOfficeCode>US</com:RegistrationOfficeCode>"
        b"<com:ApplicationNumber> 75000001 </com:ApplicationNumber>" + extra + b"</Trademark>"
    )
    record = only_record(read_bytes(data))
    assert record.application_number == "75000001"
    assert (record.feature, record.feature_raw) == (Feature.COMBINED, "3")
    assert record.vienna_codes == ("26.01.17",)
    assert record.images == ("x.png",)
    assert record.status is Status.ENDED
    assert record.kind is Kind.COLLECTIVE


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_comments_and_processing_instructions_change_nothing(path: Path) -> None:
    data = path.read_bytes()
    noisy = re.sub(rb"(>\s*)(<[A-Za-z])", rb"\1<!-- note --><?pi x?>\2", data)
    assert noisy.count(b"<!-- note -->") > 10
    plain, quiet = only_record(read_bytes(noisy)), only_record(read_bytes(data))
    assert plain.to_dict() | {"provenance": None} == quiet.to_dict() | {"provenance": None}


def test_sniff_tells_st96_from_st66() -> None:
    for path in SAMPLES:
        head = path.read_bytes()[:65536]
        assert st96.READER.sniff(head) and not st66.READER.sniff(head), path
    # ST.96 1.0.1 has a root named Transaction, like ST.66.
    assert st96.READER.sniff(V1.read_bytes()[:400])
    assert not st96.READER.sniff((FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml").read_bytes())
    assert not st96.READER.sniff(b"<Transaction/>")
