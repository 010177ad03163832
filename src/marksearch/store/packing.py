"""How a record's JSON is kept in a store: LZ4-compressed (frame format).

EUIPO records carry their goods in up to 23 languages, about 50 KB of JSON
each.  Writing fewer bytes (twice, in SQLite's WAL mode) and passing fewer
from the ingest workers to the writer costs less than compressing does.

LZ4 was chosen over zstd level 1 for the time it takes: on the records of
``bench/ingest.py``, compressing one took 0.097 ms against zstd's 0.142
(a third of the CPU an ingest spends on a record beyond parsing and mapping
it), and reading one back 0.018 ms against 0.043, for 47% of the JSON's
size against 34%.  Ingest speed is the bar this store is held to; disk is
the cheaper resource.  Both figures are from a trial on this machine, not a
kept bench: ``bench/ingest.py`` measures what the choice does to an ingest.

Registers hold what earlier versions wrote too, and :func:`unpack` reads
it all: zstd frames (store schema 2, told apart by the zstd magic number)
and JSON text (schema 1).
"""

from __future__ import annotations

import threading

import lz4.frame
import zstandard

__all__ = ["pack", "unpack"]

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_local = threading.local()  # zstd contexts are not thread-safe; one per thread


def _unzstd() -> zstandard.ZstdDecompressor:
    context: zstandard.ZstdDecompressor | None = getattr(_local, "unzstd", None)
    if context is None:
        context = _local.unzstd = zstandard.ZstdDecompressor()
    return context


def pack(data: bytes) -> bytes:
    """The stored form of a record's JSON bytes (an LZ4 frame that records its size).

    >>> unpack(pack(b'{"office":"EM"}'))
    b'{"office":"EM"}'
    """
    packed: bytes = lz4.frame.compress(data, store_size=True)  # lz4 ships no type hints
    return packed


def unpack(stored: bytes | memoryview | str) -> bytes | str:
    """The JSON back from what a store holds: packed bytes (LZ4, or zstd from a register
    of schema 2), a database driver's buffer of them, or text from a register of schema 1.

    >>> unpack(zstandard.ZstdCompressor().compress(b'{"office":"EM"}'))
    b'{"office":"EM"}'
    """
    if isinstance(stored, str):
        return stored
    if stored[:4] == _ZSTD_MAGIC:
        return _unzstd().decompress(stored)
    data: bytes = lz4.frame.decompress(stored)
    return data
