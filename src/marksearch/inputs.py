"""Turn the paths a user gives into byte streams: files, folders, .zip and .gz.

>>> [s.name for s in expand_paths([])]
[]
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from marksearch.errors import InputError, MalformedInputError

__all__ = ["DATA_SUFFIXES", "Source", "expand_paths", "reading"]

# Inside a folder only files that look like data are read; a file named
# explicitly is always read (and its format sniffed).
DATA_SUFFIXES = (".xml", ".jsonl", ".ndjson", ".json", ".csv", ".gz", ".zip")


@dataclass(frozen=True)
class Source:
    """One logical input: a file, or a member of an archive."""

    name: str
    size: int | None
    opener: Callable[[], IO[bytes]]
    path: str | None = None  # a plain file's path, where its bytes can be read at any offset


def expand_paths(
    paths: Sequence[str | os.PathLike[str]], *, skip: Callable[[Path], bool] | None = None
) -> Iterator[Source]:
    """Every readable source under ``paths``, in a stable (sorted) order.

    ``skip`` leaves out files found by walking a folder (a register kept in the
    folder being read, for one: its index holds a ``meta.json``).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                if sub.name.lower().endswith(DATA_SUFFIXES) and not sub.name.startswith(".") \
                        and not (skip is not None and skip(sub)):
                    yield from _file_sources(sub)
        elif path.exists():  # a file, or a pipe: marksearch ingest <(zcat feed.xml.gz)
            yield from _file_sources(path)
        else:
            raise InputError("no such file or folder", source=str(path))


def _file_sources(path: Path) -> Iterator[Source]:
    name = str(path)
    lower = path.name.lower()
    if lower.endswith(".zip"):
        yield from _zip_sources(path)
    elif lower.endswith(".gz"):
        yield Source(name, None, lambda: cast(IO[bytes], gzip.open(path, "rb")))
    elif stat.S_ISREG((info := path.stat()).st_mode):
        yield Source(name, info.st_size, lambda: open(path, "rb"), path=name)
    else:  # a pipe or a device: read as a stream, of unknown size, that cannot be read twice
        yield Source(name, None, lambda: open(path, "rb"))


def _zip_sources(path: Path) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        # Reported as this file's error when the ingest comes to it: the other files are still read.
        yield Source(str(path), None, _fails(MalformedInputError(f"not a readable zip archive ({exc})",
                                                                  source=str(path))))
        return
    with archive:
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename
        )
    for member in members:
        if member.filename.lower().endswith(DATA_SUFFIXES) and not _hidden(member.filename):
            yield _zip_member(path, member)


def _hidden(name: str) -> bool:
    """A member that is no data: a dot-file, as a folder walk skips them, or anything under the
    ``__MACOSX`` folder where macOS zips a resource fork beside each file (``._018222202.xml``).

    >>> [_hidden(n) for n in ("EUTM/018222202.xml", "__MACOSX/EUTM/._018222202.xml", "a/.x.xml")]
    [False, True, True]
    """
    parts = name.split("/")
    return parts[-1].startswith(".") or "__MACOSX" in parts


def _fails(error: Exception) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        raise error

    return opener


_ENCRYPTED = 0x1  # the general-purpose flag bit of an encrypted zip member (APPNOTE 4.4.4)


def _zip_member(path: Path, member: zipfile.ZipInfo) -> Source:
    def opener() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        try:
            stream = archive.open(member)
        except (RuntimeError, NotImplementedError) as exc:  # zipfile's words for these two
            archive.close()
            name = f"{path}!{member.filename}"
            if member.flag_bits & _ENCRYPTED:
                raise InputError("the member is encrypted: give marksearch the archive without a password",
                                 source=name) from None
            raise InputError(f"the member is compressed in a way Python's zipfile cannot read ({exc}); "
                             "store it with deflate", source=name) from None
        if member.filename.lower().endswith(".gz"):
            return cast(IO[bytes], gzip.GzipFile(fileobj=stream))
        return stream

    # A compressed member's unpacked size is not known (file_size is that of the .gz): unknown, it is
    # cut or streamed, never read whole.
    size = None if member.filename.lower().endswith(".gz") else member.file_size
    return Source(f"{path}!{member.filename}", size, opener)


class CountingReader(io.RawIOBase):
    """Counts the bytes and lines read through it, for progress bars, MB/s and where a stream broke.

    A compressed stream that ends early raises ``EOFError`` on the read that meets the end,
    and what that read had unpacked is lost with it; so a stream that can read a block at a
    time (``read1``) is read so, and the error is kept for the next read: every byte that
    could be unpacked is handed on and counted first.
    """

    def __init__(self, inner: IO[bytes], on_read: Callable[[int], None] | None = None) -> None:
        self.inner = inner
        self.count = 0
        self.lines = 0
        self.on_read = on_read
        self._failed: EOFError | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._failed is not None:
            raise self._failed
        data = self.inner.read(size) if size < 0 or not hasattr(self.inner, "read1") else self._blocks(size)
        self.count += len(data)
        self.lines += data.count(b"\n")
        if self.on_read is not None and data:
            self.on_read(len(data))
        return data

    def _blocks(self, size: int) -> bytes:
        parts: list[bytes] = []
        while size > 0:
            try:
                part = cast(io.BufferedIOBase, self.inner).read1(size)
            except EOFError as exc:
                if not parts:
                    raise
                self._failed = exc
                break
            if not part:
                break
            parts.append(part)
            size -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def advance_to(self, position: int) -> None:
        """Count the file as read up to ``position``: ingest workers read pieces of a
        plain file themselves, and the progress bar follows the pieces handed out."""
        if position > self.count:
            if self.on_read is not None:
                self.on_read(position - self.count)
            self.count = position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


@contextmanager
def reading(source: Source, on_read: Callable[[int], None] | None = None) -> Iterator[CountingReader]:
    # CountingReader reads like IO[bytes] for every use a reader makes of it (read(n)).
    """Open a source; archive and decompression errors become :class:`MalformedInputError`."""
    try:
        stream = CountingReader(source.opener(), on_read)
    except OSError as exc:
        raise InputError(f"cannot open ({exc.strerror or exc})", source=source.name) from None
    try:
        yield stream
    except EOFError as exc:
        raise MalformedInputError(
            f"file is truncated: its compressed data ends early, {stream.count:,} bytes unpacked ({exc})",
            source=source.name, line=stream.lines + 1,
        ) from None
    except (gzip.BadGzipFile, zlib.error, zipfile.BadZipFile) as exc:
        raise MalformedInputError(
            f"compressed data is damaged, {stream.count:,} bytes unpacked ({exc})",
            source=source.name, line=stream.lines + 1,
        ) from None
    finally:
        stream.close()
