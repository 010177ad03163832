"""Ingest end to end on real samples: idempotence, deltas, bad and hostile input."""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import shutil
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from marksearch.errors import MalformedInputError, UsageError
from marksearch.ingest import ingest, record_keys
from marksearch.records import ClassGoods, Deletion, GoodsAddition, Provenance, Record, Status, VerbalElement
from marksearch.store import Store, open_store
from tests.conftest import FORMATS

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"


@pytest.fixture
def store() -> Store:
    return open_store(":memory:")


def snapshot(store: Store) -> list[tuple[object, ...]]:
    """Everything stored except ingest times: two equal snapshots are the same register."""
    rows = []
    for s in store.iter_records():
        record = s.record.to_dict()
        record["provenance"].pop("ingested_at")
        rows.append((s.record.key, record, s.keys))
    return sorted(rows, key=lambda r: r[0])  # type: ignore[arg-type, return-value]


def test_real_folder_ingests_and_reingest_changes_nothing(store: Store) -> None:
    first = ingest(store, [EUIPO])
    before = snapshot(store)
    again = ingest(store, [EUIPO])
    assert first.counts.inserted == 17 and first.counts.quarantined == 0
    assert (again.counts.unchanged, again.counts.inserted, again.counts.updated) == (17, 0, 0)
    assert snapshot(store) == before
    stored = store.get("EM", "018222197")
    assert stored is not None and stored.keys is not None  # keys are computed at ingest


def test_every_format_sample_ingests(store: Store) -> None:
    summary = ingest(
        store,
        [FORMATS / "st66", FORMATS / "st96", FORMATS / "uspto_daily_xml",
         FORMATS / "kipris" / "kipris_plus_applicantNameSearch_120070120001.xml"],
    )
    assert not summary.errors
    assert {"EM", "US", "KR"} <= set(store.stats().by_office)


def _delta(tmp_path: Path, op: str, number: str = "018222197", *, date: str | None = None) -> Path:
    """A real record turned into an Update (with a later status date) or a Delete delta."""
    text = (EUIPO / f"{number}.xml").read_text(encoding="utf-8")
    text = text.replace('operationCode="Insert"', f'operationCode="{op}"')
    date = date or ("2099-01-01" if op == "Update" else None)
    if date is not None:
        text = re.sub(
            r"<MarkCurrentStatusDate>[^<]*</MarkCurrentStatusDate>",
            f"<MarkCurrentStatusDate>{date}</MarkCurrentStatusDate>",
            text,
        )
    path = tmp_path / f"{op}-{date}-{number}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_update_and_delete_deltas(store: Store, tmp_path: Path) -> None:
    ingest(store, [EUIPO])
    update = _delta(tmp_path, "Update")
    updated = ingest(store, [update])
    stored = store.get("EM", "018222197")
    assert stored is not None
    assert updated.counts.updated == 1, updated.to_dict()
    assert stored.record.as_of == "2099-01-01"
    # A Delete dated before the Update is older than the record held: skipped.
    stale = ingest(store, [_delta(tmp_path, "Delete")])
    assert (stale.counts.deleted, stale.counts.older) == (0, 1)
    assert store.get("EM", "018222197") is not None
    deleted = ingest(store, [_delta(tmp_path, "Delete", date="2099-02-01")])
    assert deleted.counts.deleted == 1
    assert store.get("EM", "018222197") is None
    assert store.stats().total == 16


def test_zip_and_gz_archives(store: Store, tmp_path: Path) -> None:
    files = sorted(EUIPO.glob("*.xml"))
    with zipfile.ZipFile(tmp_path / "feed.zip", "w") as z:
        for f in files[:10]:
            z.write(f, f"sub/{f.name}")
    for f in files[10:]:
        with gzip.open(tmp_path / f"{f.name}.gz", "wb") as g:
            g.write(f.read_bytes())
    summary = ingest(store, [tmp_path])
    assert summary.counts.inserted == 17
    assert any("feed.zip!sub/" in f.source for f in summary.files)


def test_a_damaged_zip_is_reported_and_the_other_files_are_read(store: Store, tmp_path: Path) -> None:
    # A folder of downloaded archives with one damaged: that one is the run's error, not the end of it.
    (tmp_path / "a_damaged.zip").write_bytes(b"PK\x03\x04 cut short by a failed download")
    shutil.copy(EUIPO / "018222197.xml", tmp_path)
    summary = ingest(store, [tmp_path])
    assert summary.counts.inserted == 1
    (failed,) = summary.errors
    assert Path(failed.source).name == "a_damaged.zip"
    assert isinstance(failed.error, MalformedInputError) and "not a readable zip archive" in str(failed.error)


def _zip_with_header(path: Path, member: Path, offset: int, value: int) -> None:
    """A one-member zip whose local and central headers carry ``value`` at ``offset`` (2 bytes,
    counted in the local header: 6 is the flag bits, 8 the compression method)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(member, member.name)
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    data[offset : offset + 2] = struct.pack("<H", value)
    data[central + offset + 2 : central + offset + 4] = struct.pack("<H", value)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("offset", "value", "reason"), [
    (6, 0x1, "the member is encrypted"),  # zipfile raised RuntimeError, and the whole run ended in a traceback
    (8, 9, "compressed in a way Python's zipfile cannot read"),  # Deflate64: NotImplementedError
])
def test_a_zip_member_zipfile_cannot_open_is_that_members_error(store: Store, tmp_path: Path, offset: int,
                                                                value: int, reason: str) -> None:
    _zip_with_header(tmp_path / "a_locked.zip", EUIPO / "018222200.xml", offset, value)
    shutil.copy(EUIPO / "018222197.xml", tmp_path)
    summary = ingest(store, [tmp_path])
    assert summary.counts.inserted == 1
    (failed,) = summary.errors
    assert failed.source.endswith("a_locked.zip!018222200.xml") and reason in str(failed.error)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_read_as_a_stream(store: Store, tmp_path: Path) -> None:
    # marksearch ingest <(zcat feed.xml.gz): the shell passes a pipe, which has no size and
    # cannot be read twice, as a path (it was refused as "no such file or folder").
    pipe = tmp_path / "feed"
    os.mkfifo(pipe)
    data = b"".join(f.read_bytes() for f in sorted(EUIPO.glob("*.xml"))[:1])
    writer = threading.Thread(target=pipe.write_bytes, args=(data,))
    writer.start()
    try:
        summary = ingest(store, [pipe])
    finally:
        if writer.is_alive():  # the ingest did not read the pipe: read it here, or the writer waits forever
            pipe.read_bytes()
        writer.join()
    assert summary.counts.inserted == 1 and not summary.errors
    assert summary.files[0].bytes == len(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Transaction xmlns="http://euipo.europa.eu/trademark/data"><TradeMark operationCode="Insert">
<RegistrationOfficeCode>EM</RegistrationOfficeCode><ApplicationNumber>1</ApplicationNumber>
<WordMarkSpecification><MarkVerbalElementText>&lol3;</MarkVerbalElementText></WordMarkSpecification>
</TradeMark></Transaction>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Transaction [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Transaction xmlns="http://euipo.europa.eu/trademark/data"><TradeMark operationCode="Insert">
<RegistrationOfficeCode>EM</RegistrationOfficeCode><ApplicationNumber>1</ApplicationNumber>
<WordMarkSpecification><MarkVerbalElementText>&xxe;</MarkVerbalElementText></WordMarkSpecification>
</TradeMark></Transaction>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE Transaction [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<Transaction xmlns="http://euipo.europa.eu/trademark/data"/>
"""


# A "]>" inside a processing instruction of the internal subset once ended a byte scan of the
# DOCTYPE early, and a declaration behind a megabyte of comment was past what the scan read.
XXE_BEHIND_PI = XXE.replace(b"[<!ENTITY", b"[<?pi ]><fake>?> <!ENTITY")
XXE_BEHIND_COMMENT = XXE.replace(b"<!DOCTYPE", b"<!-- " + b"x" * ((1 << 20) + 100) + b" -->\n<!DOCTYPE")
LAUGHS_BEHIND_COMMENT = BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!-- " + b"x" * ((1 << 20) + 100) + b" -->\n<!DOCTYPE")


@pytest.mark.parametrize(
    ("content", "fmt"),
    [(BILLION_LAUGHS, None), (XXE, None), (XXE_PARAMETER, None), (BILLION_LAUGHS, "st66"), (XXE_BEHIND_PI, None),
     (XXE_BEHIND_COMMENT, "st66"), (LAUGHS_BEHIND_COMMENT, "st66")],
    ids=["laughs", "xxe", "xxe-parameter", "laughs-st66", "xxe-behind-pi", "xxe-behind-comment",
         "laughs-behind-comment"],
)
def test_entity_tricks_are_refused_and_store_kept(store: Store, tmp_path: Path, content: bytes, fmt: str | None) -> None:
    ingest(store, [EUIPO])
    path = tmp_path / "evil.xml"
    path.write_bytes(content)
    summary = ingest(store, [path], format=fmt)
    (failed,) = summary.errors
    assert "entity declarations are not allowed" in str(failed.error)
    assert str(path) in str(failed.error)
    assert summary.counts.read == 0
    assert store.stats().total == 17


def test_truncated_file_names_file_and_position_and_keeps_earlier(store: Store, tmp_path: Path) -> None:
    ingest(store, [EUIPO])
    data = (EUIPO / "018222200.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    summary = ingest(store, [path], format="st66")
    (failed,) = summary.errors
    message = str(failed.error)
    assert message.startswith(f"{path}:") and "truncated" in message
    assert failed.error is not None and failed.error.line is not None
    assert store.stats().total == 17


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"office,application_number\n", None),
        (b"%PDF-1.4 binary junk \x00\x01", "could not recognise the format"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="http://euipo.europa.eu/trademark/data">'
         b"<TradeMark><ApplicationNumber>caf\xe9</ApplicationNumber></TradeMark></Transaction>", "encoding"),
    ],
)
def test_bad_files_get_clear_errors(store: Store, tmp_path: Path, content: bytes, expected: str | None) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    summary = ingest(store, [path])
    if expected is None:
        assert not summary.errors  # a header-only CSV is a valid empty file
        return
    (failed,) = summary.errors
    assert str(path) in str(failed.error) and expected in str(failed.error)


def test_not_xml_with_format_given(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    path.write_text("just some words, not markup\n")
    (failed,) = ingest(store, [path], format="st66").errors
    assert f"{path}:1:1" in str(failed.error) and "not an XML document" in str(failed.error)


def test_unknown_format_name_is_a_usage_error(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown format"):
        ingest(store, [EUIPO], format="st99")


def test_quarantine_counts_add_up(store: Store, tmp_path: Path) -> None:
    text = (EUIPO / "018222197.xml").read_text(encoding="utf-8")
    body = text.split("<TradeMarkDetails>")[1].split("</TradeMarkDetails>")[0]
    broken = body.replace("<ApplicationNumber>018222197</ApplicationNumber>", "")
    other = (EUIPO / "018222200.xml").read_text(encoding="utf-8")
    other_body = other.split("<TradeMarkDetails>")[1].split("</TradeMarkDetails>")[0]
    feed = text.replace(body, broken + body + other_body)
    path = tmp_path / "feed.xml"
    path.write_text(feed, encoding="utf-8")
    summary = ingest(store, [path])
    c = summary.counts
    assert (c.inserted, c.quarantined) == (2, 1)
    assert c.read == c.inserted + c.updated + c.unchanged + c.deleted + c.quarantined == 3
    (row,) = store.quarantined()
    assert row.rejection.source == str(path) and row.rejection.position.startswith("line ")


def test_bulk_sample_has_zero_quarantined(store: Store) -> None:
    summary = ingest(store, [FORMATS / "st66" / "euipo_bulk_sample"])
    assert not summary.errors
    assert summary.counts.quarantined == 0
    assert summary.counts.inserted == 587


def test_missing_path_is_reported(store: Store, tmp_path: Path) -> None:
    from marksearch.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        ingest(store, [tmp_path / "absent.xml"])


def test_folder_skips_non_data_files(store: Store, tmp_path: Path) -> None:
    shutil.copy(EUIPO / "018222197.xml", tmp_path)
    (tmp_path / "README.md").write_text("notes")
    summary = ingest(store, [tmp_path])
    assert [Path(f.source).name for f in summary.files] == ["018222197.xml"]


def test_a_note_about_a_format_is_not_that_format(tmp_path: Path) -> None:
    note = tmp_path / "notes.xml"
    note.write_text("The daily files begin with <!DOCTYPE trademark-applications-daily [ ... ]>\n")
    (failed,) = ingest(open_store(":memory:"), [note]).errors
    assert "could not recognise the format" in str(failed.error)


@pytest.mark.parametrize("forced", ["kipris", "st96", "uspto-daily"])
def test_a_wrong_format_given_is_an_error_not_an_empty_file(forced: str) -> None:
    # --format kipris on an EUIPO file finds no KIPRIS records: the file was not empty.
    summary = ingest(open_store(":memory:"), [EUIPO / "018222197.xml"], format=forced)
    (failed,) = summary.errors
    assert summary.counts.read == 0
    assert f"no {forced} records found; the file looks like st66" in str(failed.error)
    assert "018222197.xml" in str(failed.error)


def test_a_csv_read_as_json_lines_is_an_error_not_a_file_of_bad_lines(tmp_path: Path) -> None:
    # every line of a CSV fails as JSON: it was quarantined line by line and the run exited 0
    table = tmp_path / "plain.csv"
    table.write_text("office,application_number,mark_text\nEM,C1,ALPHA\nEM,C2,BETA\n")
    store = open_store(":memory:")
    summary = ingest(store, [table], format="jsonl")
    (failed,) = summary.errors
    assert "no jsonl records found; the file looks like csv" in str(failed.error)
    # the file is counted once, as that error: its lines are not also quarantined, now or for good
    counts = summary.counts
    assert counts.read == counts.quarantined == 0
    assert store.quarantined() == [] and store.stats().quarantined == 0
    # a JSON Lines file whose every line is bad is still that format's file of bad lines
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"office": "EM"}\n{"office": "EM", "application_number": "1", "status": "live"}\n')
    summary = ingest(open_store(":memory:"), [bad], format="jsonl")
    assert not summary.errors and summary.counts.quarantined == 2


def test_an_empty_feed_in_the_format_given_is_not_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "delta.xml"
    empty.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<Transaction xmlns="http://euipo.europa.eu/trademark/data">'
                     "<TradeMarkTransactionBody/></Transaction>\n")
    summary = ingest(open_store(":memory:"), [empty], format="st66")
    assert not summary.errors and summary.counts.read == 0


# -- goods added to records held: KIPRIS designated goods ------------------------------------------

KIPRIS = FORMATS / "kipris"


def _kipris_folder(tmp_path: Path) -> Path:
    """A TradeMarkInfo response and its application's designated goods, saved under its number."""
    folder = tmp_path / "kipris"
    folder.mkdir()
    shutil.copy(KIPRIS / "kipris_plus_tradeMarkInfo_4020190000011.xml", folder)
    shutil.copy(KIPRIS / "kipris_plus_trademarkDesignationGoodstInfo.xml", folder / "4020190000011.xml")
    return folder


def test_kipris_designated_goods_are_added_to_their_record(store: Store, tmp_path: Path) -> None:
    folder = _kipris_folder(tmp_path)
    first = ingest(store, [folder])  # the goods file is read first (it sorts first), and written last
    assert (first.counts.read, first.counts.inserted, first.counts.updated, first.counts.quarantined) == (2, 1, 1, 0)
    by_file = {Path(f.source).name: (f.counts.inserted, f.counts.updated) for f in first.files}
    assert by_file == {"4020190000011.xml": (0, 1), "kipris_plus_tradeMarkInfo_4020190000011.xml": (1, 0)}
    stored = store.get("KR", "4020190000011")
    assert stored is not None
    record = stored.record
    assert record.mark_text == "돈퍼" and record.status is Status.REGISTERED and record.nice_classes == (43,)
    assert {g.language for g in record.goods} == {"ko"} and "중국음식점업" in record.goods[0].text
    assert record.goods[0].similar_groups == ("G0301", "G0502", "S120602")
    assert stored.keys == record_keys(record)
    assert record.provenance is not None and Path(record.provenance.source).name == "4020190000011.xml"
    before = snapshot(store)
    again = ingest(store, [folder])
    assert (again.counts.unchanged, again.counts.updated, again.counts.inserted) == (2, 0, 0)
    assert snapshot(store) == before
    # TradeMarkInfo never carries goods: read again alone, it leaves the goods added to it.
    alone = ingest(store, [folder / "kipris_plus_tradeMarkInfo_4020190000011.xml"])
    assert (alone.counts.unchanged, alone.counts.updated) == (1, 0)
    assert store.get("KR", "4020190000011").record.goods == record.goods  # type: ignore[union-attr]


def test_goods_for_a_record_not_held_are_quarantined(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "4020190000011.xml"
    shutil.copy(KIPRIS / "kipris_plus_trademarkDesignationGoodstInfo.xml", path)
    summary = ingest(store, [path])
    assert (summary.counts.read, summary.counts.quarantined, store.stats().total) == (1, 1, 0)
    [held] = store.quarantined()
    assert held.rejection.source == str(path) and held.rejection.position == "line 8"
    assert "KR 4020190000011, which the register does not hold" in held.rejection.reason
    assert "중국음식점업" in held.rejection.excerpt


def _koka(**changes: object) -> Record:
    goods = (ClassGoods(9, "computer software", "en"), ClassGoods(42, "software as a service", "en"))
    record = Record(office="EM", application_number="1", verbal_elements=(VerbalElement("KOKA"),),
                    nice_classes=(9, 42), goods=goods, provenance=Provenance("a.jsonl", "line 1"))
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def test_a_record_without_goods_texts_keeps_those_held_for_its_classes(store: Store) -> None:
    full = _koka()
    store.write([full])
    bare = _koka(nice_classes=(9,), goods=())  # class 42 dropped; no goods texts said
    assert store.write([bare]).updated == 1
    kept = store.get("EM", "1")
    assert kept is not None and kept.record.goods == full.goods[:1] and kept.record.nice_classes == (9,)
    assert store.write([bare]).unchanged == 1  # the same again: nothing to do
    other = _koka(nice_classes=(25,), goods=())  # nothing held for its class: nothing kept
    assert store.write([other]).updated == 1 and store.get("EM", "1").record.goods == ()  # type: ignore[union-attr]


def test_goods_additions_meet_the_records_of_their_own_batch(store: Store) -> None:
    goods = Record(office="EM", application_number="1", nice_classes=(30,),
                   goods=(ClassGoods(30, "coffee", "en"),), provenance=Provenance("g.xml", "line 3"))
    koka = _koka(goods=())
    counts = store.write([koka, GoodsAddition(goods)], [record_keys(koka), None])
    assert (counts.inserted, counts.updated) == (1, 1)
    joined = store.get("EM", "1")
    assert joined is not None and joined.record.nice_classes == (9, 42, 30)
    assert joined.record.goods == goods.goods and joined.keys == record_keys(koka)  # the record's keys kept
    counts = store.write([Deletion("EM", "1"), GoodsAddition(goods)])  # deleted first: nothing to add to
    assert (counts.deleted, counts.quarantined, store.stats().total) == (1, 1, 0)
