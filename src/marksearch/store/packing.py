"""How a record's JSON is kept in a store: zstd-compressed.

EUIPO records carry their goods in up to 23 languages, about 50 KB of JSON
each; compressed they take a third of that.  Writing a third of the bytes
(twice, in SQLite's WAL mode) and passing a third from the ingest workers to
the writer costs less than compressing does, so ingest gets faster and the
register smaller.  zstd level 1 was chosen over zlib for speed at a
similar ratio (an ad-hoc trial on these records, not a kept bench).

LZ4 compresses faster but keeps about half the JSON instead of a third
(``bench/ingest.py --phases`` times both on the same records).  A trial of it
(commit 78f8163, reverted) gave no faster ``bench/ingest.py`` run at 200,000
records (median ratio to the bare pass 0.444, against 0.473 with zstd the same
day): what it spared the workers, writing a register a third larger (5.9 GB
against 4.4) seems to have given back.

Registers written before compression hold the JSON as text; :func:`unpack`
reads both.
"""

from __future__ import annotations

import threading

import zstandard

__all__ = ["pack", "unpack"]

_LEVEL = 1
_local = threading.local()  # zstd contexts are not thread-safe; one per thread


def _contexts() -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
    pair: tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor] | None = getattr(_local, "pair", None)
    if pair is None:
        pair = (zstandard.ZstdCompressor(level=_LEVEL), zstandard.ZstdDecompressor())
        _local.pair = pair
    return pair


def pack(data: bytes) -> bytes:
    """The stored form of a record's JSON bytes.

    >>> unpack(pack(b'{"office":"EM"}'))
    b'{"office":"EM"}'
    """
    return _contexts()[0].compress(data)


def unpack(stored: bytes | memoryview | str) -> bytes | str:
    """The JSON back from what a store holds (compressed bytes, a database driver's buffer of
    them, or text from an older register)."""
    if isinstance(stored, str):
        return stored
    return _contexts()[1].decompress(stored)
