"""Office vocabularies shared by the readers; one USPTO status table for three readers."""

from __future__ import annotations

import io
import re

import pytest

from marksearch.formats import st66, st96, uspto_daily, vocab
from marksearch.formats.vocab import USPTO_STATUS_CODES
from marksearch.records import Entry, Feature, Kind, Record, Status
from tests.conftest import FORMATS

ST66_USPTO = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"
ST96_USPTO = FORMATS / "st96" / "uspto_tsdr_sn76044902_ST96-2.1.xml"


# --------------------------------------------------------------------------
# EUIPO and TMview status words.


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Registered", Status.REGISTERED),
        ("Registration cancellation pending", Status.REGISTERED),
        ("Application filed", Status.PENDING),
        ("Application under examination", Status.PENDING),
        ("Application published", Status.PENDING),
        ("Application opposed", Status.PENDING),
        ("Appeal pending", Status.PENDING),
        ("Application withdrawn", Status.ENDED),
        ("Application refused", Status.ENDED),
        ("Registration expired", Status.ENDED),
        ("Registration surrendered", Status.ENDED),
        ("Registration cancelled", Status.ENDED),
        ("Interruption of proceedings", Status.UNKNOWN),
        (None, Status.UNKNOWN),
    ],
)
def test_status_from_text(text: str | None, status: Status) -> None:
    assert vocab.status_from_text(text) is status


# --------------------------------------------------------------------------
# USPTO status codes.


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("602", Status.ENDED), ("606", Status.ENDED), ("630", Status.PENDING),
        ("686", Status.PENDING), ("688", Status.PENDING), ("616", Status.PENDING),
        ("700", Status.REGISTERED), ("702", Status.REGISTERED), ("800", Status.REGISTERED),
        ("710", Status.ENDED), ("711", Status.ENDED), ("715", Status.PENDING),
        ("730", Status.PENDING), ("744", Status.PENDING), ("900", Status.ENDED),
        # Where the TSDR table decides what the old ranges got wrong.
        ("624", Status.REGISTERED), ("626", Status.ENDED), ("740", Status.REGISTERED),
        ("779", Status.ENDED), ("790", Status.REGISTERED), ("819", Status.PENDING),
    ],
)
def test_uspto_status(code: str, status: Status) -> None:
    assert vocab.uspto_status(code) == (status, USPTO_STATUS_CODES[code][1])


def test_uspto_status_keeps_the_records_own_description() -> None:
    text = "The registration has been renewed."
    assert vocab.uspto_status("800", text) == (Status.REGISTERED, text)
    # A listed code decides even when the description reads otherwise.
    assert vocab.uspto_status("790", "A cancellation proceeding is pending.")[0] is Status.REGISTERED


def test_uspto_status_falls_back_to_the_description_for_unlisted_codes() -> None:
    text = "Abandoned because no response was filed"
    assert vocab.uspto_status("999", text) == (Status.ENDED, text)
    assert vocab.uspto_status("999") == (Status.UNKNOWN, None)
    assert vocab.uspto_status(None) == (Status.UNKNOWN, None)


def test_uspto_status_table_is_sane() -> None:
    for code, (_status, text) in USPTO_STATUS_CODES.items():
        assert len(code) == 3 and code.isdigit() and text == text.strip()
    assert all(USPTO_STATUS_CODES[str(c)][0] is Status.ENDED for c in range(600, 610))
    assert all(USPTO_STATUS_CODES[str(c)][0] is Status.ENDED for c in range(710, 715))
    assert all(
        USPTO_STATUS_CODES[c][0] is Status.PENDING for c in USPTO_STATUS_CODES if 630 <= int(c) <= 694
    )


def _only_record(entries: list[Entry]) -> Record:
    [entry] = entries
    assert isinstance(entry, Record)
    return entry


def _tsdr(path_bytes: bytes, code: str) -> bytes:
    """A TSDR sample with another status code and no status description."""
    data = re.sub(rb"(MarkCurrentStatusCode>)\d+(<)", rb"\g<1>" + code.encode() + rb"\2", path_bytes)
    return re.sub(rb"<(\w+:)?MarkCurrentStatusExternalDescriptionText>[^<]*</\1?"
                  rb"MarkCurrentStatusExternalDescriptionText>", b"", data)


@pytest.mark.parametrize("code", ["602", "686", "702", "779", "790", "800", "819", "999"])
def test_the_three_uspto_readers_agree_on_a_status_code(code: str) -> None:
    daily = _only_record(list(uspto_daily.READER.read(io.BytesIO(
        f"<case-file><serial-number>76044902</serial-number><case-file-header>"
        f"<status-code>{code}</status-code></case-file-header></case-file>".encode()), "d.xml")))
    tsdr66 = _only_record(list(st66.READER.read(
        io.BytesIO(_tsdr(ST66_USPTO.read_bytes(), code)), "s66.xml")))
    tsdr96 = _only_record(list(st96.READER.read(
        io.BytesIO(_tsdr(ST96_USPTO.read_bytes(), code)), "s96.xml")))
    want = (*vocab.uspto_status(code), code)
    for record in (daily, tsdr66, tsdr96):
        assert (record.status, record.status_text, record.status_code) == want


# --------------------------------------------------------------------------
# Mark features and kinds.


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Word", Feature.WORD), ("Figurative", Feature.FIGURATIVE), ("3D shape", Feature.SHAPE_3D),
        ("Colour", Feature.COLOUR), ("Sound", Feature.SOUND), ("Position", Feature.POSITION),
        ("Pattern", Feature.PATTERN), ("Motion", Feature.MOTION), ("Multimedia", Feature.MULTIMEDIA),
        ("Hologram", Feature.HOLOGRAM), ("Other", Feature.OTHER),
        ("TYPESET WORD(S) /LETTER(S) /NUMBER(S)", Feature.WORD),
        ("DESIGN ONLY", Feature.FIGURATIVE),
        ("DESIGN PLUS WORD(S), LETTER(S) AND/OR NUMBER(S)", Feature.COMBINED),
        ("STYLIZED WORD(S), LETTER(S), AND/OR NUMBER(S)", Feature.STYLISED),
        ("STANDARD CHARACTER MARK", Feature.WORD),
        ("Something new", Feature.UNKNOWN),
    ],
)
def test_feature_from_text(text: str, feature: Feature) -> None:
    assert vocab.feature_from_text(text) is feature


@pytest.mark.parametrize(
    ("code", "feature"),
    [("1", Feature.WORD), ("2", Feature.FIGURATIVE), ("3", Feature.COMBINED), ("4", Feature.WORD),
     ("5", Feature.STYLISED), ("6", Feature.OTHER), ("4000", Feature.WORD), ("0", Feature.UNKNOWN),
     (" 3000 ", Feature.COMBINED), (None, Feature.UNKNOWN)],
)
def test_uspto_drawing(code: str | None, feature: Feature) -> None:
    assert vocab.uspto_drawing(code) is feature


@pytest.mark.parametrize(
    ("code", "feature"),
    [("2000", Feature.SHAPE_3D), ("3000", Feature.SHAPE_3D), ("5000", Feature.SHAPE_3D),
     ("1000", Feature.WORD), ("4000", Feature.WORD), ("6000", Feature.OTHER), ("0", Feature.UNKNOWN)],
)
def test_uspto_drawing_3d_flag_turns_only_designs_into_shapes(code: str, feature: Feature) -> None:
    assert vocab.uspto_drawing(code, shape_3d=True) is feature


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Individual", Kind.INDIVIDUAL), ("Collective", Kind.COLLECTIVE),
     ("Certification", Kind.CERTIFICATION), ("EU Certificate", Kind.CERTIFICATION),
     ("Trademark, Service Mark", Kind.INDIVIDUAL), ("Collective Membership Mark", Kind.COLLECTIVE),
     ("", Kind.UNKNOWN)],
)
def test_kind_from_text(text: str, kind: Kind) -> None:
    assert vocab.kind_from_text(text) is kind
