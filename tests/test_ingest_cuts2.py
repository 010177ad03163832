"""Cutting files for parallel ingest: what belongs to a record stays with it, markup inside comments is
not a cut point, cutting is linear, line numbers are the file's; and the inputs around it (zip members,
compressed streams, truncated files)."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marksearch.errors import InputError
from marksearch.formats import get_reader, split
from marksearch.ingest import ingest
from marksearch.inputs import expand_paths
from marksearch.records import Record
from marksearch.store import Store, open_store
from tests.conftest import FORMATS

US_TSDR = FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"
BULK = FORMATS / "st66" / "euipo_bulk_sample"
_TM = re.compile(rb"<TradeMark\b.*?</TradeMark>", re.S)


# -- helpers ---------------------------------------------------------------------------


def reference(path: Path, fmt: str = "st66") -> dict[tuple[str, str], dict[str, Any]]:
    """One streaming pass of the reader over the whole file: what a cut ingest must give."""
    with open(path, "rb") as f:
        return {e.key: comparable(e) for e in get_reader(fmt).read(f, str(path)) if isinstance(e, Record)}


def comparable(record: Record) -> dict[str, Any]:
    out = record.to_dict()
    provenance = out.pop("provenance")
    out["position"] = provenance["position"]
    return out


def stored(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    return {s.record.key: comparable(s.record) for s in store.iter_records()}


def spans(path: Path, record: str = "TradeMark", chunk: int | None = None) -> list[split.Span]:
    with open(path, "rb") as f:
        return list(split.plan_xml(f, record, str(path), size=path.stat().st_size, chunk=chunk))


def gzipped(path: Path) -> Path:
    packed = path.with_name(path.name + ".gz")
    packed.write_bytes(gzip.compress(path.read_bytes(), compresslevel=1))
    return packed


def uspto_feed(path: Path, copies: int) -> Path:
    """The USPTO TSDR sample's transaction ``copies`` times (one case each, its applicants beside its
    TradeMark), each with its own serial number and owner name, one transaction a line."""
    data = US_TSDR.read_bytes()
    start = data.index(b"<TransactionContentDetails>")
    end = data.index(b"</TransactionContentDetails>") + len(b"</TransactionContentDetails>")
    body = data[start:end]
    parties = body.index(b"</TradeMarkDetails>")
    parts = []
    for i in range(copies):
        mark = body[:parties].replace(b"<ApplicationNumber>76044902<", f"<ApplicationNumber>{76100000 + i}<".encode())
        parts.append(mark + body[parties:].replace(b"PYTHON SOFTWARE FOUNDATION", f"OWNER {i}".encode()))
    path.write_bytes(data[:start] + b"\n" + b"\n".join(parts) + b"\n" + data[end:])
    return path


_GB_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="http://gb.tmview.europa.eu/trademark/data">\n'
    "<TransactionHeader><SenderDetails><RequestProducerDateTime>2018-03-05T10:00:00</RequestProducerDateTime>"
    "</SenderDetails></TransactionHeader>\n<TradeMarkTransactionBody>\n"
)
_GB_TRANSACTION = """<TransactionContentDetails><TransactionIdentifier>{i}</TransactionIdentifier>
<TransactionCode>GB-Trade Mark</TransactionCode>
<TransactionData>
<TradeMarkDetails>
<TradeMark operationCode="Insert">
<RegistrationOfficeCode>GB</RegistrationOfficeCode>
<ApplicationNumber>UK{i:011d}</ApplicationNumber>
<MarkFeature>Word</MarkFeature>
<WordMarkSpecification><MarkVerbalElementText languageCode="en">FINCH {i}</MarkVerbalElementText>
</WordMarkSpecification>
<GoodsServicesDetails><GoodsServices><ClassDescriptionDetails><ClassDescription><ClassNumber>09</ClassNumber>
<GoodsServicesDescription languageCode="en">{goods}</GoodsServicesDescription></ClassDescription>
</ClassDescriptionDetails></GoodsServices></GoodsServicesDetails>
<ApplicantDetails><ApplicantKey><URI>http://www.ipo.gov.uk/trademark/applicant/{party}</URI></ApplicantKey>
</ApplicantDetails>
</TradeMark>
</TradeMarkDetails>
<ApplicantDetails><Applicant>
<ApplicantIdentifier>{party}</ApplicantIdentifier>
<ApplicantAddressBook><FormattedNameAddress><Name><FreeFormatName><FreeFormatNameDetails>
<FreeFormatNameLine>Finch {i} Ltd</FreeFormatNameLine></FreeFormatNameDetails></FreeFormatName></Name>
</FormattedNameAddress></ApplicantAddressBook>
</Applicant></ApplicantDetails>
</TransactionData></TransactionContentDetails>
"""


def gb_feed(path: Path, copies: int) -> Path:
    """A TMview GB feed: each transaction a TradeMark with an applicant key, the applicant in full beside it."""
    goods = "Computer software; " * 200
    body = "".join(_GB_TRANSACTION.format(i=i, party=500000 + i, goods=goods) for i in range(copies))
    path.write_text(_GB_HEAD + body + "</TradeMarkTransactionBody></Transaction>\n", encoding="utf-8")
    return path


def euipo_feed(path: Path, count: int, *, inside: bytes = b"", between: bytes = b"\n") -> Path:
    """``count`` real EUIPO records as one bulk feed; ``inside`` is put into every record after each
    goods text, and ``between`` between records."""
    bodies = [m for f in sorted(BULK.glob("*.xml"))[:count] for m in _TM.findall(f.read_bytes())]
    if inside:
        bodies = [b.replace(b"</GoodsServicesDescription>", b"</GoodsServicesDescription>" + inside) for b in bodies]
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="http://euipo.europa.eu/trademark/data">\n'
        b"<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>\n<TradeMarkDetails>\n"
        + between.join(bodies)
        + b"\n</TradeMarkDetails>\n</TransactionData></TransactionContentDetails></TradeMarkTransactionBody>\n"
        b"</Transaction>\n"
    )
    return path


class Counting(io.RawIOBase):
    """A file that counts the bytes read from it."""

    def __init__(self, path: Path) -> None:
        self.inner = open(path, "rb")
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.read_bytes += len(data)
        return data

    def close(self) -> None:
        self.inner.close()
        super().close()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "CHUNK", 64 * 1024)


# -- 1. a record keeps what sits beside it in its transaction ------------------------------


@pytest.mark.parametrize(("feed", "packed", "workers"), [
    ("uspto", False, 1), ("uspto", False, 2), ("uspto", True, 2), ("gb", False, 2), ("gb", True, 2),
])
def test_applicants_beside_the_trademark_stay_with_it_at_every_cut(
    tmp_path: Path, small_chunks: None, feed: str, packed: bool, workers: int
) -> None:
    # Over 2 MB, the size of a piece when a stream is cut with the default size.
    path = uspto_feed(tmp_path / "us.xml", 72) if feed == "uspto" else gb_feed(tmp_path / "gb.xml", 450)
    assert path.stat().st_size > 2 << 20
    assert path.stat().st_size > 4 * split.CHUNK
    assert len(spans(path)) > 2
    store = open_store(":memory:")
    summary = ingest(store, [gzipped(path) if packed else path], workers=workers)
    assert not summary.errors
    got, expected = stored(store), reference(path)
    assert got == expected
    for (_office, number), record in got.items():
        names = sorted(p["name"] for p in record["parties"] if p["role"] in ("applicant", "owner"))
        if feed == "gb":
            assert names == [f"Finch {int(number[2:])} Ltd"]
        else:
            i = int(number) - 76100000
            assert names == ["Corporation for National Research Initiatives", f"OWNER {i}", f"OWNER {i}"]


def test_cuts_between_transactions_open_only_the_ancestors_still_open(tmp_path: Path) -> None:
    path = uspto_feed(tmp_path / "us.xml", 12)
    data = path.read_bytes()
    cut = spans(path, chunk=64 * 1024)
    assert b"".join(data[s.offset : s.offset + s.length] for s in cut) == data[cut[0].offset :]
    for before, after in zip(cut, cut[1:]):
        body = data[before.offset : before.offset + before.length]
        assert body.endswith(b"</TransactionContentDetails>")
        assert before.suffix == b"</TradeMarkTransactionBody></Transaction>"
        assert after.prefix.rstrip(b"\n").endswith(b"<TradeMarkTransactionBody>")
        assert after.prefix.count(b"\n") == cut[0].prefix.count(b"\n")  # the same line shift
    for s in cut:  # every piece is a document the reader reads
        payload = s.prefix + data[s.offset : s.offset + s.length] + s.suffix
        assert list(get_reader("st66").read(io.BytesIO(payload), "piece"))


# -- 2. line numbers of a large plain JSON Lines file ----------------------------------------


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_jsonl_lines_of_a_large_plain_file_are_counted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            packed: bool) -> None:
    monkeypatch.setattr(split, "CHUNK", 16 * 1024)
    goods = "Computer software; " * 60  # over 2 MB in all, the size of a piece when not set smaller
    lines = [f'{{"office": "EM", "application_number": "{i:09d}", "goods": [{{"nice_class": 9, "text": "{goods}"}}]}}'
             for i in range(1, 2001)]
    lines[1499] = '{"office": "EM", "application_number": "x", "status": "live"}'
    lines[1799] = '{"office": "EM", broken'
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 2 << 20
    store = open_store(":memory:")
    summary = ingest(store, [gzipped(path) if packed else path], workers=2)
    assert (summary.counts.inserted, summary.counts.quarantined) == (1998, 2)
    assert sorted(row.rejection.position for row in store.quarantined()) == ["line 1500", "line 1800"]
    for number in (1, 1000, 1999, 2000):
        held = store.get("EM", f"{number:09d}")
        assert held is not None and held.record.provenance is not None
        assert held.record.provenance.position == f"line {number}"


# -- 3. markup inside comments, CDATA and PIs is no cut point --------------------------------

_HIDING = b"<!-- old: </TradeMark> <TradeMark> -->\n<?note </TradeMark>?><Note><![CDATA[ </TradeMark> ]]></Note>"


@pytest.fixture(scope="module")
def hiding_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return euipo_feed(tmp_path_factory.mktemp("hiding") / "feed.xml", 40, inside=_HIDING,
                      between=b"\n<!-- next: </TradeMark> --><?pi </TradeMark>?>\n")


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_end_tags_in_comments_cdata_and_pis_are_not_cut_at(hiding_feed: Path, small_chunks: None,
                                                           packed: bool) -> None:
    data = hiding_feed.read_bytes()
    cut = spans(hiding_feed)
    assert len(cut) > 10
    for s in cut[:-1]:
        body = data[s.offset : s.offset + s.length]
        assert body.endswith(b"</TradeMark>") and not body.endswith(b"<!-- old: </TradeMark>")
    store = open_store(":memory:")
    summary = ingest(store, [gzipped(hiding_feed) if packed else hiding_feed], workers=2)
    assert not summary.errors
    assert stored(store) == reference(hiding_feed)


def test_a_cut_piece_reports_an_error_where_one_pass_does(hiding_feed: Path, tmp_path: Path,
                                                          small_chunks: None) -> None:
    data = hiding_feed.read_bytes()
    at = data.index(b"<ApplicationNumber>", len(data) * 2 // 3)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(data[:at] + b"<Oops>a & b</Oops>" + data[at:])
    with open(broken, "rb") as f, pytest.raises(InputError) as streaming:
        list(get_reader("st66").read(f, str(broken)))
    (failed,) = ingest(open_store(":memory:"), [broken], workers=2).errors
    assert failed.error is not None
    assert str(failed.error) == str(streaming.value)


def test_split_xml_and_plan_xml_cut_alike_whatever_the_reads(hiding_feed: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream is cut where a plain file is, also with reads that cut every token in two."""
    monkeypatch.setattr(split, "_SCAN", 3, raising=False)
    data = hiding_feed.read_bytes()[: 400_000]
    data = data[: data.rindex(b"</TradeMark>") + 12]
    small = hiding_feed.with_name("small.xml")
    small.write_bytes(data)
    planned = spans(small, chunk=20_000)
    monkeypatch.setattr(split, "_SCAN", 1 << 20, raising=False)
    assert planned == spans(small, chunk=20_000)
    monkeypatch.setattr(split, "_SCAN", 5, raising=False)
    pieces = list(split.split_xml(io.BytesIO(data[100:]), data[:100], "TradeMark", "s", chunk=20_000))
    assert [(p.offset, len(p.body), p.prefix, p.suffix) for p in pieces] == \
        [(s.offset, s.length, s.prefix, s.suffix) for s in planned]


_ID = st.integers(0, 99)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """Transactions of one or more TradeMarks (comments, CDATA and PIs hiding tags here and there);
    one-mark transactions may have their applicants beside the mark, as USPTO and TMview GB write."""
    noise = st.sampled_from([b"", b"\n", b"<!-- </TradeMark> -->", b"<?p </TradeMark><TradeMark>?>",
                             b"<Note><![CDATA[</TradeMark>]]></Note>", b"<Empty/>"])
    parts = [b'<?xml version="1.0"?>\n<Transaction xmlns="urn:t">', draw(noise),
             b"<TransactionHeader/><TradeMarkTransactionBody>"]
    number = 0
    for group in range(draw(st.integers(1, 6))):
        parts.append(b"<TransactionContentDetails>" + draw(noise) + b"<TransactionData><TradeMarkDetails>")
        marks = draw(st.integers(1, 4))
        for _ in range(marks):
            number += 1
            parts.append(b"<TradeMark><RegistrationOfficeCode>US</RegistrationOfficeCode>" + draw(noise)
                         + f"<ApplicationNumber>{number}</ApplicationNumber>".encode() + draw(noise)
                         + b"x" * draw(st.integers(0, 300)) + b"</TradeMark>" + draw(noise))
        parts.append(b"</TradeMarkDetails>")
        if marks == 1 and draw(st.booleans()):
            parts.append(f"<ApplicantDetails><Applicant><ApplicantIdentifier>{group}</ApplicantIdentifier>"
                         "<ApplicantAddressBook><FormattedNameAddress><Name><FreeFormatName><FreeFormatNameDetails>"
                         f"<FreeFormatNameLine>Owner {group}</FreeFormatNameLine></FreeFormatNameDetails>"
                         "</FreeFormatName></Name></FormattedNameAddress></ApplicantAddressBook></Applicant>"
                         "</ApplicantDetails>".encode())
        parts.append(b"</TransactionData>" + draw(noise) + b"</TransactionContentDetails>\n")
    parts.append(b"</TradeMarkTransactionBody></Transaction>\n")
    return b"".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=documents(), chunk=st.integers(1, 600), scan=st.integers(1, 40))
def test_pieces_read_as_the_whole_file_reads(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                             chunk: int, scan: int) -> None:
    """The fast path (pieces) against the plain one (one pass): the same records, parties, lines."""
    path = tmp_path_factory.mktemp("doc") / "doc.xml"
    path.write_bytes(data)
    whole = reference(path)
    with mock.patch.object(split, "_SCAN", scan, create=True):
        cut = spans(path, chunk=chunk)
        pieces = list(split.split_xml(io.BytesIO(data), b"", "TradeMark", "s", chunk=chunk))
    assert [(p.offset, p.body, p.prefix, p.suffix) for p in pieces] == \
        [(s.offset, data[s.offset : s.offset + s.length], s.prefix, s.suffix) for s in cut]
    assert b"".join(p.body for p in pieces) == data[cut[0].offset :]
    got = {}
    for piece in pieces:
        for entry in get_reader("st66").read(io.BytesIO(piece.payload), "s"):
            assert isinstance(entry, Record)
            record = comparable(entry)
            record["position"] = split.shift_lines(record["position"], piece.line_delta)
            got[entry.key] = record
    assert got == whole


# -- 4. cutting is linear, and gives up early where there is nothing to cut at ---------------


def applicants_only(path: Path, size: int) -> Path:
    """A TMview GB applicant file: no TradeMark at all."""
    line = ('<Applicant operationCode="Insert"><ApplicantIdentifier>{i}</ApplicantIdentifier>'
            "<ApplicantAddressBook><FormattedNameAddress><Name><FreeFormatName><FreeFormatNameDetails>"
            "<FreeFormatNameLine>Applicant {i} Limited</FreeFormatNameLine></FreeFormatNameDetails>"
            "</FreeFormatName></Name></FormattedNameAddress></ApplicantAddressBook></Applicant>\n")
    count = size // len(line)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="http://gb.tmview.europa.eu/trademark/data">'
        "<TradeMarkTransactionBody><TransactionContentDetails><TransactionData><ApplicantDetails>\n"
        + "".join(line.format(i=i) for i in range(count))
        + "</ApplicantDetails></TransactionData></TransactionContentDetails></TradeMarkTransactionBody>"
        "</Transaction>\n",
        encoding="utf-8",
    )
    return path


_MB = 1 << 20


def test_a_file_without_records_near_its_start_is_one_piece_found_in_bounded_reading(tmp_path: Path) -> None:
    path = applicants_only(tmp_path / "applicants.xml", 6 * _MB)
    summary = ingest(open_store(":memory:"), [path, gzipped(path)], workers=2)
    assert not summary.errors and summary.counts.read == 0
    counting = Counting(path)
    with counting:
        cut = list(split.plan_xml(counting, "TradeMark", str(path), size=path.stat().st_size))
    assert cut == [split.Span(0, path.stat().st_size)]
    # It gives up past the first megabyte; it read no byte twice.
    assert counting.read_bytes <= 3 * _MB and split.PREFIX_LIMIT + 2 * split._SCAN <= 3 * _MB


def test_a_record_far_into_the_file_is_still_read(tmp_path: Path, small_chunks: None) -> None:
    late = applicants_only(tmp_path / "late.xml", 2 * _MB)
    text = late.read_text(encoding="utf-8")
    record = ("<TradeMarkDetails><TradeMark><RegistrationOfficeCode>GB</RegistrationOfficeCode>"
              "<ApplicationNumber>UK1</ApplicationNumber></TradeMark></TradeMarkDetails>")
    more = f"<TransactionContentDetails><TransactionData>{record}</TransactionData></TransactionContentDetails>"
    late.write_text(text.replace("</TransactionContentDetails>", "</TransactionContentDetails>" + more),
                    encoding="utf-8")
    for path in (late, gzipped(late)):
        store = open_store(":memory:")
        assert not ingest(store, [path], workers=2).errors
        assert store.get("GB", "UK1") is not None


def test_utf16_is_not_searched_as_bytes_but_read_whole_as_it_streams(
    tmp_path: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    utf8 = euipo_feed(tmp_path / "feed.xml", 12)
    utf16 = tmp_path / "feed16.xml"
    utf16.write_bytes(utf8.read_bytes().decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
                      .encode("utf-16"))
    real = split.split_xml

    def refuse(stream: IO[bytes], head: bytes, *args: Any, **kwargs: Any) -> Iterator[split.Piece]:
        assert not head.startswith(b"\xff\xfe"), "a UTF-16 stream was searched as bytes (and held whole)"
        return real(stream, head, *args, **kwargs)

    monkeypatch.setattr(split, "split_xml", refuse)
    stores = [open_store(":memory:") for _ in range(3)]
    for store, path in zip(stores, [utf8, utf16, gzipped(utf16)]):
        assert not ingest(store, [path], workers=2).errors
    texts = [{k: v["verbal_elements"] for k, v in stored(store).items()} for store in stores]
    assert texts[0] == texts[1] == texts[2] and len(texts[0]) == 12
    counting = Counting(utf16)
    with counting:
        assert list(split.plan_xml(counting, "TradeMark", "x", size=utf16.stat().st_size)) == \
            [split.Span(0, utf16.stat().st_size)]
    assert counting.read_bytes <= _MB
    with open(tmp_path / "feed16.xml.gz", "rb") as raw, gzip.GzipFile(fileobj=raw) as stream:
        head, cuttable = split.read_prefix(stream, stream.read(100), "TradeMark")
    assert not cuttable and len(head) <= _MB + 100


# -- 5 and 6. zip members --------------------------------------------------------------------


def test_macos_resource_forks_and_dot_files_in_a_zip_are_skipped(tmp_path: Path) -> None:
    sample = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4" / "018222197.xml"
    archive = tmp_path / "mac.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(sample, "EUTM/2020/018222197.xml")
        z.writestr("__MACOSX/EUTM/2020/._018222197.xml", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
        z.writestr("EUTM/.hidden.xml", b"junk")
        z.writestr("__MACOSX/EUTM/2020/notes.xml", b"junk")
    assert [s.name for s in expand_paths([archive])] == [f"{archive}!EUTM/2020/018222197.xml"]
    summary = ingest(open_store(":memory:"), [archive])
    assert not summary.errors and summary.counts.inserted == 1


def test_a_gz_inside_a_zip_is_cut_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = euipo_feed(tmp_path / "feed.xml", 12)
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(gzipped(feed), "feed.xml.gz")
    # The .gz is smaller than a piece, what it unpacks to several pieces.
    monkeypatch.setattr(split, "CHUNK", (tmp_path / "feed.xml.gz").stat().st_size + 1)
    assert feed.stat().st_size > 2 * split.CHUNK
    (source,) = expand_paths([archive])
    assert source.size is None  # the .gz's own size says nothing of what it unpacks to
    calls = []
    real = split.split_xml

    def spy(*args: Any, **kwargs: Any) -> Iterator[split.Piece]:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(split, "split_xml", spy)
    store = open_store(":memory:")
    assert not ingest(store, [archive], workers=2).errors
    assert calls and len(stored(store)) == 12


# -- 7. messages for truncated files ----------------------------------------------------------


def test_a_small_file_cut_inside_an_attribute_says_it_is_truncated(tmp_path: Path) -> None:
    data = euipo_feed(tmp_path / "feed.xml", 1).read_bytes()
    path = tmp_path / "trunc.xml"
    kept = data[: data.index(b'languageCode="', 3000) + 16]
    path.write_bytes(kept)
    (failed,) = ingest(open_store(":memory:"), [path]).errors
    assert failed.error is not None
    line = kept.count(b"\n") + 1
    assert str(failed.error).startswith(f"{path}:{line}:")
    assert "file is truncated" in str(failed.error)


def test_a_truncated_cut_file_names_the_files_lines_in_its_message(tmp_path: Path, small_chunks: None) -> None:
    data = euipo_feed(tmp_path / "feed.xml", 20).read_bytes()
    path = tmp_path / "trunc.xml"
    inside = data.index(b">", data.index(b"<GoodsServicesDescription", len(data) * 3 // 4)) + 20
    path.write_bytes(data[:inside])
    assert len(spans(path)) > 3
    with open(path, "rb") as f, pytest.raises(InputError) as streaming:
        list(get_reader("st66").read(f, str(path)))
    (failed,) = ingest(open_store(":memory:"), [path], workers=2).errors
    assert str(failed.error) == str(streaming.value)
    assert "truncated" in str(failed.error) and re.search(r"line \d+", str(failed.error))


def test_a_truncated_gz_says_so_and_where_its_data_ends(tmp_path: Path) -> None:
    lines = [f'{{"office": "EM", "application_number": "{i:09d}", "pad": "{i * 7919 % 100003}"}}'
             for i in range(20000)]
    packed = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    unpacked = zlib.decompressobj(wbits=31).decompress(packed[: len(packed) // 2])
    (failed,) = ingest(open_store(":memory:"), [path]).errors
    assert failed.error is not None
    assert "file is truncated" in str(failed.error) and "after 0 bytes" not in str(failed.error)
    assert failed.error.line == unpacked.count(b"\n") + 1


def test_reading_through_counts_every_byte_before_a_truncated_stream_fails(tmp_path: Path) -> None:
    from marksearch.inputs import CountingReader

    packed = gzip.compress(bytes(range(256)) * 4000)
    stream: IO[bytes] = gzip.GzipFile(fileobj=io.BytesIO(packed[: len(packed) // 2]))
    unpacked = zlib.decompressobj(wbits=31).decompress(packed[: len(packed) // 2])
    counting = CountingReader(stream)
    got = counting.read(10 ** 7)
    assert got == unpacked and counting.count == len(unpacked)
    with pytest.raises(EOFError):
        counting.read(10)
