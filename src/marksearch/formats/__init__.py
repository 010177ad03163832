"""Readers: one per office format, each turning a byte stream into entries.

A reader is an object with a ``name``, a ``sniff(head)`` test on the first
bytes of a file, and ``read(stream, source, head=...)`` that yields
:data:`marksearch.records.Entry` values (records, deletions, rejections) in
file order, in constant memory.  A reader raises
:class:`marksearch.errors.InputError` only when the whole file is unusable;
a single bad record becomes a :class:`marksearch.records.Rejection`.

>>> sorted(readers())  # doctest: +NORMALIZE_WHITESPACE
['csv', 'jsonl', 'kipris', 'st66', 'st96', 'uspto-daily']
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import IO, Protocol

from marksearch.errors import UnknownFormatError, UsageError
from marksearch.records import Entry

__all__ = ["Reader", "get_reader", "readers", "sniff"]


class Reader(Protocol):
    name: str
    description: str

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes of a file look like this format."""
        ...

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        """Entries in file order; ``head`` is what was already read from ``stream``."""
        ...


@functools.cache
def readers() -> dict[str, Reader]:
    """Every known reader by name, in sniffing order."""
    from marksearch.formats import kipris, st66, st96, tabular, uspto_daily

    found: list[Reader] = [
        st66.READER,
        st96.READER,
        uspto_daily.READER,
        kipris.READER,
        tabular.JSONL_READER,
        tabular.CSV_READER,
    ]
    return {r.name: r for r in found}


def get_reader(name: str) -> Reader:
    try:
        return readers()[name]
    except KeyError:
        raise UsageError(
            f"unknown format {name!r}; choose one of: {', '.join(sorted(readers()))}"
        ) from None


def sniff(head: bytes, source: str) -> Reader:
    """The reader for a file, judged from its first bytes (64 KiB is plenty)."""
    for reader in readers().values():
        if reader.sniff(head):
            return reader
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"["):  # a .json file beside the data
        from marksearch.formats.tabular import JSON_ARRAY

        raise UnknownFormatError(JSON_ARRAY, source=source)
    raise UnknownFormatError(
        "could not recognise the format (give --format; known: "
        + ", ".join(sorted(readers()))
        + ")",
        source=source,
    )
