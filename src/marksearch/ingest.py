"""Read office files into the register: sniff, parse, key, write in batches.

Each batch is one transaction.  A record that cannot be read is quarantined
and the run goes on; a file that cannot be read at all (not XML, truncated,
unsafe, wrong encoding) is reported with its position, the records read
before the problem are kept, and the run goes on with the next file.

>>> from marksearch.store import open_store
>>> summary = ingest(open_store(":memory:"), [])
>>> summary.counts.read
0
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, cast

from marksearch.errors import InputError, MalformedInputError
from marksearch.formats import Reader, get_reader, sniff
from marksearch.inputs import Source, expand_paths, reading
from marksearch.records import Entry, Record
from marksearch.store import Store, WriteCounts

__all__ = ["FileResult", "IngestSummary", "ingest", "record_keys"]

BATCH_SIZE = 500
_HEAD = 64 * 1024


@dataclass
class FileResult:
    source: str
    format: str | None
    counts: WriteCounts = field(default_factory=WriteCounts)
    bytes: int = 0
    error: InputError | None = None

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
    """The text keys stored with a record, computed once here at ingest."""
    from marksearch.text import mark_keys  # heavy (dictionaries), loaded on first use

    text = record.mark_text
    return mark_keys(text).to_dict() if text else None


def ingest(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    *,
    format: str | None = None,
    batch_size: int = BATCH_SIZE,
    on_bytes: Callable[[int], None] | None = None,
    on_file: Callable[[Source], None] | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths`` into ``store``; see the module docstring."""
    reader = get_reader(format) if format else None
    summary = IngestSummary()
    started = time.perf_counter()
    for source in expand_paths(paths):
        if on_file is not None:
            on_file(source)
        result = _ingest_source(store, source, reader, batch_size, on_bytes)
        summary.files.append(result)
        summary.counts.add(result.counts)
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_source(
    store: Store,
    source: Source,
    reader: Reader | None,
    batch_size: int,
    on_bytes: Callable[[int], None] | None,
) -> FileResult:
    result = FileResult(source.name, reader.name if reader else None)
    try:
        with reading(source, on_bytes) as stream:
            head = stream.read(_HEAD)
            if not head.strip():
                raise MalformedInputError("file is empty", source=source.name, line=1, column=1)
            chosen = reader or sniff(head, source.name)
            result.format = chosen.name
            try:
                entries = chosen.read(cast(IO[bytes], stream), source.name, head=head)
                _write_batches(store, entries, batch_size, result)
            finally:
                result.bytes = stream.count
    except InputError as exc:
        result.error = exc
    return result


def _write_batches(
    store: Store, entries: Iterable[Entry], batch_size: int, result: FileResult
) -> None:
    batch: list[Entry] = []
    try:
        for entry in entries:
            batch.append(entry)
            if len(batch) >= batch_size:
                _flush(store, batch, result)
    except InputError:
        # Whatever was read before a fatal error in the file is complete and valid: keep it.
        if batch:
            _flush(store, batch, result)
        raise
    if batch:
        _flush(store, batch, result)


def _flush(store: Store, batch: list[Entry], result: FileResult) -> None:
    keys = [record_keys(e) if isinstance(e, Record) else None for e in batch]
    result.counts.add(store.write(batch, keys))
    batch.clear()
