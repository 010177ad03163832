"""Parallel ingest of files cut into pieces gives exactly what one streaming pass gives."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marksearch.errors import InputError
from marksearch.formats import get_reader, split
from marksearch.ingest import ingest, record_keys
from marksearch.records import Record
from marksearch.store import Store, open_store
from tests.conftest import FORMATS
from tests.test_ingest import snapshot

BULK = FORMATS / "st66" / "euipo_bulk_sample"
_TM = re.compile(r"<TradeMark\b.*?</TradeMark>", re.S)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One EUIPO bulk feed of 587 real records (about 31 MB), as EUIPO concatenates them."""
    bodies = [m for f in sorted(BULK.glob("*.xml")) for m in _TM.findall(f.read_text(encoding="utf-8"))]
    path = tmp_path_factory.mktemp("feed") / "feed.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="http://euipo.europa.eu/trademark/data">\n'
        "<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>\n<TradeMarkDetails>\n"
        + "\n".join(bodies)
        + "\n</TradeMarkDetails>\n</TransactionData></TransactionContentDetails></TradeMarkTransactionBody>\n"
        "</Transaction>\n",
        encoding="utf-8",
    )
    return path


def streamed(path: Path, fmt: str) -> Store:
    """The reference: one streaming pass of the reader, written as it comes."""
    store = open_store(":memory:")
    with open(path, "rb") as f:
        entries = list(get_reader(fmt).read(f, str(path)))
    keys = [record_keys(e) if isinstance(e, Record) else None for e in entries]
    store.write(entries, keys)
    return store


@pytest.mark.parametrize("workers", [1, 2])
def test_cut_feed_equals_streaming_pass(feed: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "CHUNK", 256 * 1024)
    monkeypatch.setattr(split, "_WINDOW", 4096)  # end tags straddle the reads around a cut
    store = open_store(":memory:")
    summary = ingest(store, [feed], workers=workers)
    assert not summary.errors and summary.counts.inserted == 587
    assert without_positions(snapshot(store)) == without_positions(snapshot(streamed(feed, "st66")))
    # Every position points at the record's start tag in the original file.  (The streaming
    # pass itself is off by one past line 65,535, a libxml2 line-counter limit, so it is not
    # the reference for positions.)
    lines = feed.read_text(encoding="utf-8").split("\n")
    for s in store.iter_records():
        assert s.record.provenance is not None
        line = int(s.record.provenance.position.removeprefix("line "))
        assert lines[line - 1].lstrip().startswith("<TradeMark "), s.record.provenance


def test_gzipped_feed_is_cut_by_reading_and_equals_the_plain_one(feed: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain file is cut by seeking (split.plan_xml), a compressed one by reading it (split.split_xml)."""
    monkeypatch.setattr(split, "CHUNK", 256 * 1024)
    packed = tmp_path / "feed.xml.gz"
    with open(feed, "rb") as f, gzip.open(packed, "wb", compresslevel=1) as out:
        shutil.copyfileobj(f, out)
    plain, gzipped = open_store(":memory:"), open_store(":memory:")
    assert ingest(plain, [feed], workers=2).counts.inserted == 587
    assert ingest(gzipped, [packed], workers=2).counts.inserted == 587
    assert without_source(snapshot(plain)) == without_source(snapshot(gzipped))


def without_source(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    for _key, record, _keys in rows:
        record["provenance"].pop("source")  # type: ignore[index]
    return rows


@pytest.mark.parametrize("window", [5, 16, 4096, 65536])
def test_plan_xml_spans_cover_the_records_and_end_on_end_tags(feed: Path, window: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "_WINDOW", window)
    data = feed.read_bytes()
    with open(feed, "rb") as f:
        spans = list(split.plan_xml(f, "TradeMark", str(feed), size=len(data), chunk=300_000))
    first = data.index(b"<TradeMark ")
    assert spans[0].offset == first and len(spans) > 50
    assert b"".join(data[s.offset : s.offset + s.length] for s in spans) == data[first:]
    for span in spans[:-1]:
        body = data[span.offset : span.offset + span.length]
        assert span.length >= 300_000 and body.endswith(b"</TradeMark>")
        assert span.prefix == data[:first] and span.suffix.startswith(b"</TradeMarkDetails>")
    assert spans[-1].suffix == b""


def without_positions(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    for _key, record, _keys in rows:
        record["provenance"].pop("position")  # type: ignore[index]
    return rows


def test_truncated_feed_reports_the_same_line_as_streaming(feed: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "CHUNK", 256 * 1024)
    data = feed.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: int(len(data) * 0.7)])
    with open(cut, "rb") as f, pytest.raises(InputError) as streaming:
        list(get_reader("st66").read(f, str(cut)))
    store = open_store(":memory:")
    (failed,) = ingest(store, [cut], workers=2).errors
    assert failed.error is not None
    assert (failed.error.line, failed.error.column) == (streaming.value.line, streaming.value.column)
    assert str(failed.error).startswith(f"{cut}:{streaming.value.line}:")
    # everything before the cut is kept, in order
    kept = [s.record.application_number for s in store.iter_records()]
    assert 0 < len(kept) < 587 and kept == sorted(kept)


def test_jsonl_cut_keeps_line_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "CHUNK", 4096)
    lines = [f'{{"office": "EM", "application_number": "{i:09d}", "verbal_elements": [{{"text": "MARK {i}"}}]}}'
             for i in range(2000)]
    lines[1234] = '{"office": "EM", broken'
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    store = open_store(":memory:")
    summary = ingest(store, [path], workers=2)
    assert (summary.counts.inserted, summary.counts.quarantined) == (1999, 1)
    (row,) = store.quarantined()
    assert row.rejection.position == "line 1235"
    stored = store.get("EM", "000001999")
    assert stored is not None and stored.record.provenance is not None
    assert stored.record.provenance.position == "line 2000"


_LINE_PARTS = st.sampled_from([b"\n", b"\r\n", b"\r", b"<a>", b"\xe2\x80\xa8"])


@given(st.binary(max_size=300) | st.lists(_LINE_PARTS).map(b"".join))
def test_count_lines_counts_line_feeds(data: bytes) -> None:
    assert split.count_lines(data) == data.count(b"\n")


def test_shift_lines() -> None:
    assert split.shift_lines("line 3", 10) == "line 13"
    assert split.shift_lines("record 3", 10) == "record 3"


@given(
    data=st.binary(max_size=400) | st.lists(_LINE_PARTS, max_size=60).map(b"".join),
    cut=st.tuples(st.integers(0, 400), st.integers(0, 400)),
    prefix=st.binary(max_size=20),
    suffix=st.binary(max_size=20),
    sizes=st.lists(st.integers(-1, 50), min_size=1, max_size=40),
)
def test_span_stream_reads_prefix_span_suffix(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                              cut: tuple[int, int], prefix: bytes, suffix: bytes,
                                              sizes: list[int]) -> None:
    """Whatever sizes a reader asks for, it gets ``prefix + span + suffix`` in order; the
    stream counts the span's line breaks (only those: the prefix and suffix are not the
    file's), also those of a part that the reader left unread."""
    path = tmp_path_factory.mktemp("span") / "file"
    path.write_bytes(data)
    offset = min(cut[0], len(data))
    length = min(cut[1], len(data) - offset)
    span = data[offset : offset + length]
    whole = prefix + span + suffix
    with split.SpanStream(str(path), offset, length, "file", prefix, suffix) as stream:
        got = b""
        for size in sizes:
            part = stream.read(size)
            assert len(part) == (len(whole) - len(got) if size < 0 else min(size, len(whole) - len(got)))
            got += part
        assert got == whole[: len(got)]
        assert stream.finish() == stream.lines == span.count(b"\n")
    with split.SpanStream(str(path), offset, length, "file", prefix, suffix) as stream:
        assert stream.read() == whole and stream.read(10) == b""


def test_span_stream_reports_a_file_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b"<a>" * 1000)
    with split.SpanStream(str(path), 0, 3000, "feed.xml") as stream:
        assert stream.read(100) == b"<a>" * 33 + b"<"
        path.write_bytes(b"<a>" * 10)
        with pytest.raises(InputError, match="changed while it was being read"):
            stream.read()
    with pytest.raises(InputError, match="cannot open"):
        split.SpanStream(str(tmp_path / "gone.xml"), 0, 10, "gone.xml")
