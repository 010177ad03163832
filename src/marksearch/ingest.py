"""Read office files into the register: sniff, parse, key, write in batches.

Parsing, normalising and keying records is CPU work that needs no database,
so it runs in worker processes: small files go to a worker whole, large bulk
files are cut at record boundaries (:mod:`marksearch.formats.split`).  The
calling process only writes, in file order, one transaction per batch.

Goods that a file gives for a record it does not hold (KIPRIS designated goods, a
:class:`~marksearch.records.GoodsAddition`) are written at the end of the run, so
that they find their record whichever file of the run holds it.

A record that cannot be read is quarantined and the run goes on; a file that
cannot be read at all (not XML, truncated, unsafe, wrong encoding) is
reported with its position, the records read before the problem are kept,
and the run goes on with the next file.

>>> from marksearch.store import open_store
>>> summary = ingest(open_store(":memory:"), [])
>>> summary.counts.read
0
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import io
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

import orjson

from marksearch import errors
from marksearch.cores import usable_cores
from marksearch.errors import InputError, MalformedInputError, UnknownFormatError
from marksearch.formats import Reader, get_reader, sniff, split
from marksearch.inputs import CountingReader, Source, expand_paths, leaves, reading
from marksearch.records import Deletion, Entry, GoodsAddition, Record, Rejection
from marksearch.store import IndexRow, Item, Prepared, Store, WriteCounts
from marksearch.versions import KEYS_VERSION

__all__ = ["FileResult", "IngestSummary", "RekeyCounts", "default_workers", "ingest", "record_keys", "register_files",
           "rekey"]

BATCH_SIZE = 500
_HEAD = 64 * 1024


@dataclass
class FileResult:
    source: str
    format: str | None
    counts: WriteCounts = field(default_factory=WriteCounts)
    bytes: int = 0
    error: InputError | None = None
    additions: list[Item] = field(default_factory=list)  # goods for records, written at the run's end

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "bytes": self.bytes,
            **self.counts.to_dict(),
            "error": str(self.error) if self.error else None,
        }


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    counts: WriteCounts = field(default_factory=WriteCounts)
    seconds: float = 0.0

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.error is not None]

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counts.to_dict(),
            "files": len(self.files),
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "errors": [str(f.error) for f in self.errors],
            "by_file": [f.to_dict() for f in self.files],
        }


def record_keys(record: Record) -> dict[str, Any] | None:
    """The text keys stored with a record, computed once at ingest (as a dict)."""
    text = record.mark_text
    return orjson.loads(_serialised_keys(text)) if text else None


@functools.lru_cache(maxsize=1 << 16)
def _serialised_keys(text: str) -> bytes:
    """Keys of a mark text as stored JSON.  Registers repeat texts (one mark
    filed in several offices and classes, re-filings), so each worker keeps
    the most recent ones instead of computing them again.

    Copied to bytes of their own size: orjson's output keeps a buffer of at
    least 4 KB, which the cache's 65,536 entries would hold (256 MB a worker).
    """
    from marksearch.text import mark_keys

    return bytes(memoryview(orjson.dumps(mark_keys(text).to_dict())))


@dataclass
class RekeyCounts:
    """What :func:`rekey` did: records read, and those whose keys it replaced."""

    records: int = 0
    rekeyed: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"records": self.records, "rekeyed": self.rekeyed}


def rekey(store: Store, *, batch_size: int = BATCH_SIZE) -> RekeyCounts:
    """Give every record the text keys this marksearch computes, where its stored
    ones differ (a register keyed by an earlier version: a re-ingest would not
    change them, since the records are the same).  Each record re-keyed is
    logged as an update, so the search index and watches follow; the register
    then says its keys are of this version (``Store.keys_version``).
    """
    counts = RekeyCounts()
    pending: list[tuple[IndexRow, bytes]] = []
    for row in store.iter_index_rows():
        counts.records += 1
        text = row.keys.get("text") if row.keys else None
        if not text:
            continue
        fresh = _serialised_keys(str(text))
        if orjson.loads(fresh) != row.keys:
            pending.append((row, fresh))
        if len(pending) >= batch_size:
            counts.rekeyed += store.update_keys(pending)
            pending = []
    if pending:
        counts.rekeyed += store.update_keys(pending)
    store.set_keys_version(KEYS_VERSION)
    return counts


def default_workers() -> int:
    """Worker processes for parsing: one per core (the writer mostly waits on them)."""
    return usable_cores()


def ingest(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_file: Callable[[Source], None] | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths`` into ``store``; see the module docstring.

    ``workers=1`` parses in this process (no pool); the result is the same.
    """
    reader = get_reader(format) if format else None
    summary = IngestSummary()
    started = time.perf_counter()
    sources = list(expand_paths(paths, skip=register_files(store)))
    with _Pool(workers or default_workers()) as pool:
        for source in leaves(sources):  # an archive inside an archive is unpacked as it comes
            if on_file is not None:
                on_file(source)
            result = _ingest_source(store, pool, source, reader, batch_size, on_bytes)
            summary.files.append(result)
    # Goods additions (KIPRIS designated goods) go to records: written last, they find the records
    # of this run whatever the order of its files.
    for result in summary.files:
        for start in range(0, len(result.additions), batch_size):
            result.counts.add(store.write_prepared(result.additions[start : start + batch_size]))
        result.additions = []
        summary.counts.add(result.counts)
    summary.seconds = time.perf_counter() - started
    return summary


def register_files(store: Store) -> Callable[[Path], bool]:
    """A test for files a folder's walk must not read as data: a register's own files beside its
    SQLite file, and any register's search index.  The default register is ``marksearch.sqlite`` in
    the current folder, so ``marksearch ingest .`` would otherwise walk into its search index and
    quarantine the index's ``meta.json`` as a record; and a folder may hold other registers too."""
    from marksearch.goods.bases import cache_path
    from marksearch.search import index_folder

    own: set[Path] = set()
    inside: Path | None = None
    url = store.url
    if url != ":memory:" and "://" not in url:
        register = Path(url).resolve()
        own = {Path(str(register) + end) for end in ("", "-wal", "-shm", "-journal")}
        goods = cache_path(store)
        if goods is not None:
            own.add(goods.resolve())
        index = index_folder(store)
        inside = index.resolve() if index is not None else None

    @functools.lru_cache(maxsize=4096)
    def index_like(folder: Path) -> bool:
        return _is_index_folder(folder)

    def skip(path: Path) -> bool:
        resolved = path.resolve()
        if resolved in own or (inside is not None and resolved.is_relative_to(inside)):
            return True
        if _is_register_file(path):
            return True
        return any(index_like(folder) for folder in path.parents)

    return skip


_INDEX_NAME = re.compile(r"(?P<register>.+)\.index(?:\.(?:new|old)(?:-[\w-]*)?)?")
_REGISTER_ENDS = ("-wal", "-shm", "-journal", ".goods.npz", ".index.lock")


def _is_index_folder(folder: Path) -> bool:
    """A marksearch search index (or one a process was writing): ``NAME.index`` beside a register
    ``NAME``, or a folder whose ``meta.json`` is an index's."""
    match = _INDEX_NAME.fullmatch(folder.name)
    if match is not None and (folder.parent / match["register"]).is_file():
        return True
    meta = folder / "meta.json"
    if not (meta.is_file() and (folder / "record_ids.npy").is_file()):
        return False
    try:
        data = orjson.loads(meta.read_bytes()[:100_000])
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(data, dict) and {"version", "seq", "office_codes"} <= data.keys()


def _is_register_file(path: Path) -> bool:
    """Another register's files beside it: its log, its goods base, its index lock."""
    name = path.name
    return any(name.endswith(end) and (path.parent / name[: -len(end)]).is_file() for end in _REGISTER_ENDS)


# -- work units ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Unit:
    """A self-contained piece of one file for a worker to parse.

    A piece of a plain file travels as where it lies (``path``, ``offset``,
    ``length``) and the worker reads it; pickling hundreds of megabytes through
    pipes is a noticeable part of an EUIPO ingest for the writer and the workers.  Pieces
    of archives and compressed files travel as their bytes.
    """

    source: str
    reader: str
    line_delta: int | None  # None: unknown when cut; the worker counts the piece's lines
    payload: bytes = b""
    path: str | None = None
    offset: int = 0
    length: int = 0
    prefix: bytes = b""
    suffix: bytes = b""

    @classmethod
    def of(cls, source: Source, reader: str, piece: split.Piece) -> _Unit:
        if source.path is None:
            return cls(source.name, reader, piece.line_delta, piece.payload)
        return cls(source.name, reader, piece.line_delta, path=source.path, offset=piece.offset,
                   length=len(piece.body), prefix=piece.prefix, suffix=piece.suffix)

    @classmethod
    def of_span(cls, source: Source, reader: str, span: split.Span) -> _Unit:
        assert source.path is not None
        return cls(source.name, reader, None, path=source.path, offset=span.offset, length=span.length,
                   prefix=span.prefix, suffix=span.suffix)

    def open(self) -> IO[bytes] | split.SpanStream:
        """The piece as a stream: its bytes, or its span of the file, read as it is parsed."""
        if self.path is None:
            return io.BytesIO(self.payload)
        return split.SpanStream(self.path, self.offset, self.length, self.source, self.prefix, self.suffix)


@dataclass(frozen=True, slots=True)
class _Outcome:
    items: list[Item]
    error: tuple[str, str, int | None, int | None] | None  # class name, reason, line, column
    lines: int | None = None  # the piece's own lines, when its line offset was unknown (see _placed)
    prefix_lines: int = 0  # line breaks in the piece's prefix: lines up to these are the file's own


def _parse_unit(unit: _Unit) -> _Outcome:
    """Worker side: parse, normalise, key and prepare every entry of a piece."""
    items: list[Item] = []
    delta = unit.line_delta or 0
    lines = None
    span: split.SpanStream | None = None  # a piece cut without counting its lines
    prefix_lines = unit.prefix.count(b"\n")
    try:
        with unit.open() as stream:
            # A piece whose line offset is known is shifted by it here; only the others count their lines.
            if isinstance(stream, split.SpanStream) and unit.line_delta is None:
                span = stream
            for entry in get_reader(unit.reader).read(cast(IO[bytes], stream), unit.source):
                items.append(_prepare(entry, delta))
            if span is not None:
                lines = span.finish()
    except InputError as exc:
        # Nothing after a file's fatal error is written, so the lines read so far will do:
        # they only mark the error's line as one to shift (see _placed).
        line = exc.line + delta if exc.line is not None else None
        # The parser's words may name lines too ("Premature end of data in tag X line 12").
        reason = split.shift_lines(exc.reason, delta, above=prefix_lines)
        return _Outcome(items, (type(exc).__name__, reason, line, exc.column), span.lines if span else None,
                        prefix_lines)
    return _Outcome(items, None, lines, prefix_lines)


MAX_NUMBER = 100  # characters of an application number; the longest real ones are about 20


def _key_problem(entry: Record | Deletion) -> str | None:
    """Why a record's or deletion's key cannot be a register's key, else None: no office number is
    that long or holds a control character, and PostgreSQL's index on the key refused a long one
    (the whole batch with it), and held a NUL as U+FFFD, where it met another number's key."""
    number = entry.application_number
    if len(number) > MAX_NUMBER:
        return f"ApplicationNumber is longer than {MAX_NUMBER} characters ({len(number):,})"
    if any(ord(c) < 32 or ord(c) == 127 for c in number):
        return "ApplicationNumber holds a control character"
    return None


def _prepare(entry: Entry, delta: int) -> Item:
    if isinstance(entry, Record | Deletion) and (problem := _key_problem(entry)) is not None:
        prov = entry.provenance
        entry = Rejection(prov.source if prov else "", prov.position if prov else "", problem,
                          f"{entry.office} {entry.application_number[:80]!r}")
    if isinstance(entry, Record):
        text = entry.mark_text
        prepared = Prepared.from_record(entry, _serialised_keys(text) if text else None)
        # The position is shifted on the small prepared form: the record itself is not stored with it.
        return replace(prepared, position=split.shift_lines(prepared.position, delta)) if delta else prepared
    if isinstance(entry, Rejection):
        return replace(entry, position=split.shift_lines(entry.position, delta)) if delta else entry
    return entry


def _rebuild(error: tuple[str, str, int | None, int | None], source: str) -> InputError:
    name, reason, line, column = error
    cls = getattr(errors, name, InputError)
    if not (isinstance(cls, type) and issubclass(cls, InputError)):
        cls = InputError
    return cls(reason, source=source, line=line, column=column)


def _small(source: Source) -> bool:
    """A file small enough to send to a worker whole."""
    return source.size is not None and source.size <= split.CHUNK


def _cuttable(reader: Reader) -> bool:
    return reader.name in split.RECORD_ELEMENTS or reader.name == "jsonl"


def _units(stream: CountingReader, head: bytes, reader: Reader, source: Source) -> Iterator[_Unit]:
    """Cut a file into units (it is small, or of a format that can be cut); a small file makes one.

    A compressed stream is cut up to where its data ends early or is damaged, as if it ended
    there; the last piece of a line format then ends at its last whole line (the writer reports
    the damage after the pieces, see :func:`_ingest_source`).
    """
    if source.path is not None and source.size is not None and not _small(source) \
            and reader.name in split.RECORD_ELEMENTS:
        # A plain file is cut by seeking: this process reads only around each cut.
        with open(source.path, "rb") as f:
            for span in split.plan_xml(f, split.RECORD_ELEMENTS[reader.name], source.name, size=source.size):
                stream.advance_to(span.offset + span.length)
                yield _Unit.of_span(source, reader.name, span)
        return
    upto = _UpToDamage(stream)
    if _small(source) or not _cuttable(reader):  # or a stream damaged within what was read to tell
        pieces = iter([split.Piece(head + upto.read(), 0)])  # whole: offset 0
    elif reader.name in split.RECORD_ELEMENTS:
        pieces = split.split_xml(cast(IO[bytes], upto), head, split.RECORD_ELEMENTS[reader.name], source.name,
                                 chunk=split.CHUNK)
    else:
        pieces = split.split_lines(cast(IO[bytes], upto), head, chunk=split.CHUNK)
    last: split.Piece | None = None  # held back until the next comes: the last may be cut short
    for piece in pieces:
        if last is not None:
            yield _Unit.of(source, reader.name, last)
        last = piece
    if last is None:
        return
    if stream.damage is not None and reader.name in _LINE_FORMATS:
        # A line cut short by the damage would read as a line of its own (a CSV row missing its end).
        last = replace(last, body=last.body[: last.body.rfind(b"\n") + 1])
    yield _Unit.of(source, reader.name, last)


_LINE_FORMATS = ("csv", "jsonl")


class _UpToDamage:
    """A compressed stream read to where its data is damaged or ends early, as to its end."""

    def __init__(self, stream: CountingReader) -> None:
        self.read = stream.to_damage


def _streams_whole(reader: Reader, source: Source, stream: CountingReader, head: bytes) -> tuple[bool, bytes]:
    """Large files of formats that cannot be cut are parsed here, streaming, in constant memory; so are
    XML streams that cannot be cut (UTF-16, or no record near the start), which split.split_xml would
    hold whole.  Returns the answer and ``head`` read on as far as it took to tell.  A stream whose
    compressed data broke within that is cut instead: its head is all there is of it."""
    if _small(source):
        return False, head
    if source.path is None and reader.name in split.RECORD_ELEMENTS:
        head, cuttable = split.read_prefix(cast(IO[bytes], _UpToDamage(stream)), head,
                                           split.RECORD_ELEMENTS[reader.name])
        return not cuttable and stream.damage is None, head
    return not _cuttable(reader) and stream.damage is None, head


# -- the writer side ---------------------------------------------------------------


def _ingest_source(
    store: Store,
    pool: _Pool,
    source: Source,
    reader: Reader | None,
    batch_size: int,
    on_bytes: Callable[[int], None] | None,
) -> FileResult:
    result = FileResult(source.name, reader.name if reader else None)
    try:
        with reading(source, on_bytes) as stream:
            try:
                try:
                    _read_source(store, pool, source, reader, batch_size, stream, result)
                except InputError as exc:
                    raise _with_damage(exc, stream) from None
                damage = _damage(stream)
                if damage is not None:  # what was read before it is written; the file ends in its error
                    raise damage
            finally:
                result.bytes = stream.count
    except InputError as exc:
        result.error = exc
    return result


def _read_source(store: Store, pool: _Pool, source: Source, reader: Reader | None, batch_size: int,
                 stream: CountingReader, result: FileResult) -> None:
    head = stream.read(_HEAD)
    if not head.strip():
        raise MalformedInputError("file is empty", source=source.name, line=1, column=1)
    chosen = reader or sniff(head, source.name)
    result.format = chosen.name
    whole, head = _streams_whole(chosen, source, stream, head)
    if whole:
        entries = chosen.read(cast(IO[bytes], stream), source.name, head=head)
        outcomes: Iterable[_Outcome] = _in_process(entries)
    else:
        outcomes = _placed(pool.map_ordered(_units(stream, head, chosen, source)))
    # A file read with a --format it may not be in: what it quarantines is held back until
    # it gives a record, so that a file reported as in another format leaves nothing behind.
    wrong = _forced_mismatch(reader, head, source.name) if reader is not None else None
    _write(store, outcomes, batch_size, result, source.name, wrong)


def _damage(stream: CountingReader) -> InputError | None:
    """The error of a compressed stream whose data ends early or is damaged, read to its end to
    tell (a damaged stream may unpack to garbage and fail only its checksum at the end)."""
    while stream.packed and stream.damage is None and stream.to_damage(_DRAIN):
        pass
    failure = stream.failure() if stream.damage is not None else None
    return failure if isinstance(failure, InputError) else None  # one opened by reading() has a source


_DRAIN = 1 << 20


def _with_damage(error: InputError, stream: CountingReader) -> InputError:
    """A file's error where its compressed data is also damaged: that of the data where the parser
    stopped at their end (``Premature end of data``), else the parser's, which the damage may
    explain, with it.  An error at no line (an unknown format) is left as it is, unless the damage is
    known already: the rest of the file is not read just to tell."""
    damage = _damage(stream) if error.line is not None or stream.damage is not None else None
    if damage is None:
        return error
    if error.line is None or damage.line is None or error.line >= damage.line - 1:
        return damage
    return type(error)(f"{error.reason}; {damage.reason}", source=error.source, line=error.line,
                       column=error.column)


def _forced_mismatch(reader: Reader, head: bytes, source: str) -> UnknownFormatError | None:
    """The error of a file read with a ``--format`` it does not look like, should it give no record
    (nothing, or only quarantined lines: a CSV read as JSON Lines fails every line): it was read
    with the wrong format, which is said rather than the file reported as read."""
    try:
        looks = sniff(head, source)
    except UnknownFormatError:
        return None
    if looks.name == reader.name:
        return None
    return UnknownFormatError(
        f"no {reader.name} records found; the file looks like {looks.name} "
        f"(leave out --format, or give --format {looks.name})",
        source=source,
    )


HELD_REJECTIONS = 10_000  # a file in the wrong format is told by then, before its rejections fill memory


def _placed(outcomes: Iterable[_Outcome]) -> Iterator[_Outcome]:
    """Positions of pieces cut without counting lines, shifted to the file's lines, in order:
    each such piece moves the next ones by the lines its worker counted."""
    delta = 0
    for outcome in outcomes:
        if outcome.lines is None:
            yield outcome
            continue
        if delta:
            error = outcome.error
            if error is not None:
                name, reason, line, column = error
                reason = split.shift_lines(reason, delta, above=outcome.prefix_lines)
                error = (name, reason, line + delta if line is not None else None, column)
            outcome = _Outcome([_shifted(item, delta) for item in outcome.items], error, outcome.lines)
        yield outcome
        delta += outcome.lines or 0


def _shifted(item: Item, delta: int) -> Item:
    if isinstance(item, Prepared | Rejection):
        return replace(item, position=split.shift_lines(item.position, delta))
    return item


def _in_process(entries: Iterable[Entry]) -> Iterator[_Outcome]:
    """Streaming path: prepare entries here, a batch at a time."""
    batch: list[Item] = []
    try:
        for entry in entries:
            batch.append(_prepare(entry, 0))
            if len(batch) >= BATCH_SIZE:
                yield _Outcome(batch, None)
                batch = []
    except InputError as exc:
        yield _Outcome(batch, (type(exc).__name__, exc.reason, exc.line, exc.column))
        return
    yield _Outcome(batch, None)


def _write(
    store: Store, outcomes: Iterable[_Outcome], batch_size: int, result: FileResult, source: str,
    wrong: UnknownFormatError | None = None,
) -> None:
    """Write a file's outcomes in batches.  With ``wrong`` (the file does not look like the format
    it is read in), its rejections are held until it gives anything else; a file that gives only
    rejections then writes none of them and fails with ``wrong``."""
    held: list[Item] | None = [] if wrong is not None else None
    for outcome in outcomes:
        items = outcome.items
        if any(isinstance(item, GoodsAddition) for item in items):
            result.additions += [item for item in items if isinstance(item, GoodsAddition)]
        if held is not None:
            if all(isinstance(item, Rejection) for item in items):
                held += items
                if outcome.error is None and len(held) <= HELD_REJECTIONS:
                    continue
                if outcome.error is None:
                    raise cast(UnknownFormatError, wrong)
                items = []  # a fatal error: what was read before it is kept, as in any file
            items, held = held + items, None  # it gave a record: it is read in its format after all
        if any(isinstance(item, GoodsAddition) for item in items):
            items = [item for item in items if not isinstance(item, GoodsAddition)]
        for start in range(0, len(items), batch_size):
            result.counts.add(store.write_prepared(items[start : start + batch_size]))
        if outcome.error is not None:
            # Whatever was read before a fatal error in the file is complete and valid: it is kept.
            raise _rebuild(outcome.error, source)
    if held is not None and not result.additions:
        raise cast(UnknownFormatError, wrong)


def _start_worker(parent: int, load_tables: bool) -> None:
    """Worker start: end with the writer, even when it is killed with ``kill -9`` (without
    this, a killed ingest would leave its workers waiting forever); then freeze what the
    worker inherited.

    A forked worker shares the writer's modules and text-key tables, a few hundred
    thousand objects, page by page until a page is written to.  A full garbage
    collection writes to the header of every object it walks, so each worker would
    soon hold its own copy of them all; ``gc.freeze``, meant for this after a fork,
    leaves them out of collections.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the writer died before prctl took effect
        os._exit(1)
    # Ctrl-C reaches the terminal's whole process group: the writer stops the workers (_Pool.stop),
    # and a worker that took it itself would only print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if load_tables:  # a spawned worker; a forked one has the writer's
        _load_key_tables()
    gc.freeze()


def _load_key_tables() -> None:
    """Load the tables behind text keys (they load on first use), here rather than in each
    worker: a forked worker then shares them with the writer's memory."""
    from marksearch.text import mark_keys

    mark_keys(_EVERY_SCRIPT)


_EVERY_SCRIPT = "Coca 可口可乐 コカ・コーラ 코카콜라 Кока-Кола Κόκα"


_PR_SET_PDEATHSIG = 1


class _Pool:
    """Ordered parallel map with a bounded number of pieces in flight (constant memory)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if self.executor is None:
            return
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt | SystemExit):
            self.stop()
        else:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """End the workers now, without waiting for the pieces they are parsing (Ctrl-C): they
        hold nothing that is written, and the writer commits only whole batches."""
        executor = self.executor
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
                process.join(timeout=5)
        self.executor = None

    def map_ordered(self, units: Iterator[_Unit]) -> Iterator[_Outcome]:
        if self.workers <= 1:
            yield from map(_parse_unit, units)
            return
        if self.executor is None:
            # fork shares the loaded readers and key tables with the workers at no cost.
            forked = "fork" in multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if forked else "spawn")
            if forked:
                _load_key_tables()
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), not forked)
            )
        window: deque[Future[_Outcome]] = deque()
        for unit in units:
            window.append(self.executor.submit(_parse_unit, unit))
            if len(window) >= 2 * self.workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
