"""USPTO Trademark Daily XML reader: real samples against golden files, mapping rules, errors."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from marksearch.errors import MalformedInputError, UnsafeXMLError
from marksearch.formats import uspto_daily
from marksearch.formats.uspto_daily import READER, party_type_text
from marksearch.formats.vocab import USPTO_STATUS_CODES
from marksearch.records import Entry, Feature, Kind, Record, Rejection, Status
from tests.conftest import FORMATS, assert_golden

SAMPLES = FORMATS / "uspto_daily_xml"
FIXTURES = Path(__file__).parent / "fixtures" / "uspto_daily"
# The DTD prolog that opens every daily file, published on its own: no records.
PROLOG_ONLY = "application-v2-current-prolog-dtd.xml"
SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.xml"))


def read(path: Path) -> list[Entry]:
    with path.open("rb") as stream:
        return list(READER.read(stream, path.name))


def read_bytes(data: bytes) -> list[Entry]:
    return list(READER.read(io.BytesIO(data), "test.xml"))


def only_record(entries: list[Entry]) -> Record:
    [entry] = entries
    assert isinstance(entry, Record)
    return entry


def test_the_samples_are_there() -> None:
    assert SAMPLE_FILES == [
        "apc240925_assembled_1record.xml", PROLOG_ONLY, "daily-na-98763166.xml"]


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_matches_golden(name: str) -> None:
    assert_golden(read(SAMPLES / name), f"uspto_daily_{Path(name).stem}")


def test_synthetic_fixture_matches_golden() -> None:
    assert_golden(read(FIXTURES / "synthetic_mixed.xml"), "uspto_daily_synthetic_mixed")


def test_assembled_file_and_bare_record_give_the_same_record() -> None:
    whole = only_record(read(SAMPLES / "apc240925_assembled_1record.xml"))
    bare = only_record(read(SAMPLES / "daily-na-98763166.xml"))
    assert whole == bare  # provenance differs and is not compared
    assert whole.provenance is not None and whole.provenance.position == "line 252"


def test_prolog_alone_is_a_file_of_no_records() -> None:
    assert read(SAMPLES / PROLOG_ONLY) == []
    stream = io.BytesIO((SAMPLES / PROLOG_ONLY).read_bytes())
    assert list(READER.read(stream, "p.xml", head=stream.read(100))) == []


@pytest.mark.parametrize(
    ("damage", "error"),
    [(lambda p: p[:-300], MalformedInputError),  # cut inside the DTD
     (lambda p: p + b"junk", MalformedInputError),
     (lambda p: p + b"<case-file>", MalformedInputError),
     (lambda p: p.replace(b"<!ELEMENT version-no (#PCDATA)>", b'<!ENTITY a "x">'), UnsafeXMLError)],
)
def test_damaged_prolog_is_still_an_error(
    damage: Callable[[bytes], bytes], error: type[Exception]
) -> None:
    with pytest.raises(error):
        read_bytes(damage((SAMPLES / PROLOG_ONLY).read_bytes()))


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sniffs_every_sample(name: str) -> None:
    assert READER.sniff((SAMPLES / name).read_bytes()[: 64 * 1024])


@pytest.mark.parametrize(
    "head",
    [b'<?xml version="1.0"?><response><header/></response>', b"{}", b"office,application_number\n",
     b'<Transaction xmlns="http://euipo.europa.eu/trademark/data"/>'],
)
def test_does_not_sniff_other_formats(head: bytes) -> None:
    assert not READER.sniff(head)


def test_missing_serial_is_rejected_and_reading_goes_on() -> None:
    entries = read_bytes(
        b"<trademark-applications-daily><case-file><registration-number>0000000</registration-number>"
        b"</case-file>\n<case-file><serial-number>97000001</serial-number></case-file>"
        b"</trademark-applications-daily>"
    )
    rejection, record = entries
    assert isinstance(rejection, Rejection) and "serial-number" in rejection.reason
    assert rejection.position == "line 1"
    assert isinstance(record, Record) and record.application_number == "97000001"
    assert record.provenance is not None and record.provenance.position == "line 2"


def case(header: str = "", body: str = "") -> bytes:
    return (
        f"<case-file><serial-number>97000001</serial-number>"
        f"<case-file-header>{header}</case-file-header>{body}</case-file>"
    ).encode()


@pytest.mark.parametrize(
    ("code", "feature"),
    [("1000", Feature.WORD), ("2000", Feature.FIGURATIVE), ("3000", Feature.COMBINED),
     ("4000", Feature.WORD), ("5T00", Feature.STYLISED), ("6000", Feature.OTHER),
     ("0", Feature.UNKNOWN), ("X", Feature.UNKNOWN)],
)
def test_drawing_code_gives_feature(code: str, feature: Feature) -> None:
    record = only_record(read_bytes(case(f"<mark-drawing-code>{code}</mark-drawing-code>")))
    assert (record.feature, record.feature_raw) == (feature, code)


def test_three_d_flag_turns_a_design_into_a_shape() -> None:
    header = (
        "<mark-drawing-code>2000</mark-drawing-code>"
        "<drawing-3d-current-in>T</drawing-3d-current-in>"
    )
    assert only_record(read_bytes(case(header))).feature is Feature.SHAPE_3D


@pytest.mark.parametrize(
    ("flags", "kind", "raw"),
    [(["trademark-in"], Kind.INDIVIDUAL, "trademark-in"),
     (["service-mark-in", "trademark-in"], Kind.INDIVIDUAL, "trademark-in, service-mark-in"),
     (["trademark-in", "collective-trademark-in"], Kind.COLLECTIVE,
      "collective-trademark-in, trademark-in"),
     (["collective-membership-mark-in"], Kind.COLLECTIVE, "collective-membership-mark-in"),
     (["trademark-in", "certification-mark-in"], Kind.CERTIFICATION,
      "certification-mark-in, trademark-in"),
     ([], Kind.UNKNOWN, None)],
)
def test_flags_give_kind(flags: list[str], kind: Kind, raw: str | None) -> None:
    header = "".join(f"<{f}>T</{f}>" for f in flags)
    header += "<collective-service-mark-in>F</collective-service-mark-in>"
    record = only_record(read_bytes(case(header)))
    assert (record.kind, record.kind_raw) == (kind, raw)


@pytest.mark.parametrize(
    ("code", "status"),
    [("630", Status.PENDING), ("686", Status.PENDING), ("688", Status.PENDING), ("602", Status.ENDED),
     ("606", Status.ENDED), ("700", Status.REGISTERED), ("702", Status.REGISTERED),
     ("800", Status.REGISTERED), ("710", Status.ENDED), ("900", Status.ENDED),
     ("616", Status.PENDING), ("790", Status.REGISTERED), ("999", Status.UNKNOWN)],
)
def test_status_code_gives_status(code: str, status: Status) -> None:
    record = only_record(read_bytes(case(f"<status-code>{code}</status-code>")))
    assert (record.status, record.status_code) == (status, code)
    assert record.status_text == (USPTO_STATUS_CODES[code][1] if code in USPTO_STATUS_CODES else None)


def test_party_type_texts() -> None:
    assert party_type_text("10") == "ORIGINAL APPLICANT"
    assert party_type_text("20") == "OWNER AT PUBLICATION"
    assert party_type_text("11") == "1ST NEW OWNER BEFORE PUBLICATION"
    assert party_type_text("29") == "9TH NEW OWNER AFTER PUBLICATION"
    assert party_type_text("49") == "10TH NEW OWNER ENTERED AFTER REGISTRATION"
    assert party_type_text("99") is None and party_type_text(None) is None


def test_goods_keep_text_of_us_only_classes() -> None:
    body = (
        "<case-file-statements>"
        "<case-file-statement><type-code>GS0091</type-code><text>Software</text></case-file-statement>"
        "<case-file-statement><type-code>GS1071</type-code><text>Old goods</text></case-file-statement>"
        "<case-file-statement><type-code>DM0000</type-code><text>A description</text>"
        "</case-file-statement>"
        "</case-file-statements>"
        # The statement's class is a Nice class only as one of the case's international classes.
        "<classifications><classification><international-code>009</international-code>"
        "</classification></classifications>"
    )
    record = only_record(read_bytes(case(body=body)))
    assert [(g.nice_class, g.text, g.language) for g in record.goods] == [
        (9, "Software", "en"), (None, "Old goods", "en")]


def test_registration_number_zeros_mean_none() -> None:
    number = b"<registration-number>0000000</registration-number>"
    data = case().replace(b"</serial-number>", b"</serial-number>" + number)
    assert only_record(read_bytes(data)).registration_number is None


def test_entity_declarations_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE case-file [<!ENTITY a "aaaa">]><case-file>&a;</case-file>'
    with pytest.raises(UnsafeXMLError):
        read_bytes(bomb)


def test_truncated_file_is_malformed_with_position() -> None:
    data = (SAMPLES / "apc240925_assembled_1record.xml").read_bytes()[:-200]
    with pytest.raises(MalformedInputError) as caught:
        read_bytes(data)
    assert caught.value.line is not None


def test_head_already_read_is_used() -> None:
    data = (SAMPLES / "apc240925_assembled_1record.xml").read_bytes()
    stream = io.BytesIO(data)
    head = stream.read(1000)
    [record] = READER.read(stream, "x.xml", head=head)
    assert isinstance(record, Record) and record.application_number == "98763166"


def test_reader_protocol_surface() -> None:
    assert uspto_daily.READER.name == "uspto-daily"
    assert uspto_daily.READER.description
