"""Turn the paths a user gives into byte streams: files, folders, .zip and .gz.

An archive inside an archive (a year's zip of daily zips) is read too, up to
:data:`ARCHIVE_DEPTH` archives deep, its members named ``outer.zip!inner.zip!file.xml``.
Reading a zip needs random access, so each inner archive is copied, still
packed, to a temporary file while its members are read (see :func:`leaves`):
memory holds no more than a buffer of it, and the disk one packed archive a level.

>>> [s.name for s in expand_paths([])]
[]
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from marksearch.errors import InputError, MalformedInputError

__all__ = ["ARCHIVE_DEPTH", "DAMAGE", "DATA_SUFFIXES", "Source", "damaged", "expand_paths", "leaves", "reading"]

# Inside a folder only files that look like data are read; a file named
# explicitly is always read (and its format sniffed).
DATA_SUFFIXES = (".xml", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".gz", ".zip")

# tar archives are not read (a tar is read front to back, member by member, which is not how
# sources are handed out here): named, they get a message that says so, instead of their
# unpacked bytes being sniffed as XML or CSV and failing at line 1.
_TARS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")

ARCHIVE_DEPTH = 3
"""The most zip archives read one inside another: ``year.zip!month.zip!day.zip!file.xml``.
Deeper ones are that member's error: a bound on what a zip bomb of nested archives can ask for."""

_ARCHIVES = (".zip", ".zip.gz")

DAMAGE = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)
"""What reading compressed data raises where it ends early or is damaged."""


@dataclass(frozen=True)
class Source:
    """One logical input: a file, or a member of an archive."""

    name: str
    size: int | None
    opener: Callable[[], IO[bytes]]
    path: str | None = None  # a plain file's path, where its bytes can be read at any offset
    # An archive inside an archive: its members, read one at a time (see leaves).
    members: Callable[[], Iterator[Source]] | None = None


def leaves(sources: Iterable[Source]) -> Iterator[Source]:
    """``sources`` with each archive inside an archive replaced by its members, as it comes.

    Each member must be read before the next is asked for: the archive is held in a
    temporary file until its last member has been handed out.
    """
    for source in sources:
        if source.members is None:
            yield source
        else:
            yield from leaves(source.members())


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
            found = False
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                if sub.name.lower().endswith(DATA_SUFFIXES) and not sub.name.startswith(".") \
                        and not (skip is not None and skip(sub)):
                    found = True
                    yield from _file_sources(sub)
            if not found:  # a wrong or empty folder is that input's error, not a run that read nothing
                yield Source(str(path), None, _fails(InputError(
                    f"the folder holds no data files (files named {', '.join(DATA_SUFFIXES)})", source=str(path))))
        elif path.exists():  # a file, or a pipe: marksearch ingest <(zcat feed.xml.gz)
            yield from _file_sources(path)
        else:
            raise InputError("no such file or folder", source=str(path))


def _file_sources(path: Path) -> Iterator[Source]:
    name = str(path)
    lower = path.name.lower()
    if lower.endswith(_TARS):
        yield _tar(name)
    elif lower.endswith(".zip"):
        yield from _zip_sources(name, path, 1)
    elif lower.endswith(".zip.gz"):  # a zip, packed again: unpacked to a temporary file to be read
        yield _nested(name, lambda: cast(IO[bytes], gzip.open(path, "rb")), 1)
    elif lower.endswith(".gz"):
        yield Source(name, None, lambda: cast(IO[bytes], gzip.open(path, "rb")))
    elif stat.S_ISREG((info := path.stat()).st_mode):
        yield Source(name, info.st_size, lambda: open(path, "rb"), path=name)
    else:  # a pipe or a device: read as a stream, of unknown size, that cannot be read twice
        yield Source(name, None, lambda: open(path, "rb"))


def _zip_sources(name: str, path: Path, depth: int) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        # Reported as this file's error when the ingest comes to it: the other files are still read.
        yield _unreadable(name, exc)
        return
    with archive:
        members = _listed(archive)
    if not members:
        yield _no_members(name)
        return
    opened = [m for m in members if not m.filename.lower().endswith(_TARS)]  # a tar member is never opened
    shared = _Archive(path, opened[-1] if opened else None)
    for member in members:
        yield _zip_member(name, shared, member, depth)


class _Archive:
    """A zip on disk whose members are sources, listed before any is read: it is opened once for
    all of them, when the first is read, and closed once the last is opened (an open member
    keeps the file open until it is closed itself).  Reading a zip's directory takes time in
    proportion to its members, and opening the zip again for each member made a zip of 2,000
    small files take 47 s to read, most of it in reading the same directory 2,000 times."""

    def __init__(self, path: Path, last: zipfile.ZipInfo | None) -> None:
        self.path = path
        self.last = last
        self.zip: zipfile.ZipFile | None = None

    def __del__(self) -> None:  # an ingest that stopped before its last member
        if self.zip is not None:
            self.zip.close()

    def open(self, member: zipfile.ZipInfo) -> IO[bytes]:
        if self.zip is None:
            self.zip = zipfile.ZipFile(self.path)
        archive = self.zip
        try:
            return archive.open(member)
        finally:
            if member is self.last:  # opened again later (a source read twice), it is opened again
                archive.close()
                self.zip = None


def _unreadable(name: str, exc: Exception) -> Source:
    return Source(name, None, _fails(MalformedInputError(f"not a readable zip archive ({exc})", source=name)))


def _no_members(name: str) -> Source:
    return Source(name, None, _fails(InputError(
        f"the zip archive holds no data files (members named {', '.join(DATA_SUFFIXES)})", source=name)))


def _tar(name: str) -> Source:
    return Source(name, None, _fails(InputError(
        "a tar archive is not read: unpack it first (tar -xf) and give marksearch its files or their folder, "
        "or pack them as .zip", source=name)))


def _listed(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members worth reading, in order of their names."""
    members = sorted((m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename)
    return [m for m in members if m.filename.lower().endswith(DATA_SUFFIXES) and not _hidden(m.filename)]


def _nested(name: str, opener: Callable[[], IO[bytes]], depth: int, size: int | None = None) -> Source:
    """An archive ``depth`` archives deep (``size`` bytes, where its outer archive says), read by
    :func:`leaves`: its members, or, past :data:`ARCHIVE_DEPTH`, its error."""
    if depth > ARCHIVE_DEPTH:
        return Source(name, None, _fails(InputError(
            f"an archive inside {ARCHIVE_DEPTH} others is not read; unpack the outer archives first",
            source=name)))
    return Source(name, size, opener, members=lambda: _unpacked(name, opener, depth, size))


def _unpacked(name: str, opener: Callable[[], IO[bytes]], depth: int, size: int | None) -> Iterator[Source]:
    """The members of an archive inside an archive, from a temporary copy of it, still packed:
    a zip is read at random, which its stream out of the outer archive cannot be.  The copy
    is removed once the last member has been handed out (or the ingest stops)."""
    folder = tempfile.gettempdir()
    try:
        free = shutil.disk_usage(folder).free if size is not None else None
        if size is not None and free is not None and size > free:  # a zip bomb's, or a small disk: not filled
            raise OSError(f"it takes {size:,} bytes, and {folder} has {free:,} free")
        copy = tempfile.TemporaryFile(prefix="marksearch-")
    except OSError as exc:
        yield _no_room(name, exc)
        return
    with copy:
        try:
            with opener() as stream:
                shutil.copyfileobj(stream, copy, 1 << 20)
        except DAMAGE as exc:
            yield Source(name, None, _fails(damaged(exc, name, copy.tell())))
            return
        except InputError as exc:  # the outer member could not be opened (encrypted, ...)
            yield Source(name, None, _fails(exc))
            return
        except OSError as exc:  # the disk is full
            yield _no_room(name, exc)
            return
        try:
            archive = zipfile.ZipFile(copy)
        except (zipfile.BadZipFile, OSError) as exc:
            yield _unreadable(name, exc)
            return
        with archive:  # open while its members are read: one reading of its directory
            members = _listed(archive)
            if not members:
                yield _no_members(name)
            for member in members:
                yield _zip_member(name, archive, member, depth)


def _no_room(name: str, exc: OSError) -> Source:
    return Source(name, None, _fails(InputError(
        f"cannot unpack it to a temporary file ({exc.strerror or exc}); unpack it first, or give TMPDIR "
        "a folder with room for it", source=name)))


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


def _zip_member(archive_name: str, where: _Archive | zipfile.ZipFile, member: zipfile.ZipInfo, depth: int) -> Source:
    """A member of the zip ``where`` (one on disk, or one held open while its members are read),
    itself inside ``depth - 1`` archives."""
    name = f"{archive_name}!{member.filename}"
    lower = member.filename.lower()
    if lower.endswith(_TARS):
        return _tar(name)

    def opener() -> IO[bytes]:
        try:
            stream = where.open(member)
        except (RuntimeError, NotImplementedError) as exc:  # zipfile's words for these two
            if member.flag_bits & _ENCRYPTED:
                raise InputError("the member is encrypted: give marksearch the archive without a password",
                                 source=name) from None
            raise InputError(f"the member is compressed in a way Python's zipfile cannot read ({exc}); "
                             "store it with deflate", source=name) from None
        except zipfile.BadZipFile as exc:  # its local header is damaged
            raise MalformedInputError(f"the member cannot be read from the archive ({exc})", source=name) from None
        if lower.endswith(".gz"):
            return cast(IO[bytes], _MemberGzip(stream))
        return stream

    if lower.endswith(_ARCHIVES):
        return _nested(name, opener, depth + 1, None if lower.endswith(".gz") else member.file_size)
    # A compressed member's unpacked size is not known (file_size is that of the .gz): unknown, it is
    # cut or streamed, never read whole.
    size = None if lower.endswith(".gz") else member.file_size
    return Source(name, size, opener)


class _MemberGzip(gzip.GzipFile):
    """A ``.gz`` member of a zip, unpacked; closed, it closes the member's stream too (a GzipFile
    leaves a stream it was given open, and the archive's file with it)."""

    def __init__(self, member: IO[bytes]) -> None:
        super().__init__(fileobj=member)
        self._member = member

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._member.close()


class CountingReader(io.RawIOBase):
    """Counts the bytes and lines read through it, for progress bars, MB/s and where a stream broke.

    A compressed stream that ends early or is damaged raises (one of :data:`DAMAGE`) on the
    read that meets the problem, and what that read had unpacked is lost with it; so a stream
    that can read a block at a time (``read1``) is read so, and the error is kept for the next
    read: every byte that could be unpacked is handed on and counted first.  Given its
    ``source``, it raises that error as :class:`MalformedInputError` (see :func:`damaged`);
    :attr:`damage` holds it once met, and :meth:`to_damage` reads up to it without raising.
    """

    def __init__(self, inner: IO[bytes], on_read: Callable[[int], None] | None = None, *,
                 source: str | None = None) -> None:
        self.inner = inner
        self.count = 0
        self.lines = 0
        self.on_read = on_read
        self.source = source
        self.damage: Exception | None = None  # what the compressed data raised, once met
        self._blocked = hasattr(inner, "read1")
        self._plain = isinstance(inner, io.BufferedReader)  # a file or a pipe: nothing to unpack
        self.packed = self._blocked and not self._plain  # compressed: its data may be damaged

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.damage is not None:
            raise self.failure()
        try:
            # A plain file read to its end is read in one call; compressed data a block at a time.
            data = self._blocks(size) if self._blocked and not (size < 0 and self._plain) else self.inner.read(size)
        except DAMAGE as exc:
            self.damage = exc
            raise self.failure() from None
        self.count += len(data)
        self.lines += data.count(b"\n")
        if self.on_read is not None and data:
            self.on_read(len(data))
        return data

    def _blocks(self, size: int) -> bytes:
        parts: list[bytes] = []
        left = size if size >= 0 else None
        while left is None or left > 0:
            try:
                part = cast(io.BufferedIOBase, self.inner).read1(_BLOCK if left is None else left)
            except DAMAGE as exc:
                if not parts:
                    raise
                self.damage = exc
                break
            if not part:
                break
            parts.append(part)
            if left is not None:
                left -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def failure(self) -> Exception:
        """What a read raises once the data is damaged: :attr:`damage`, or with a ``source``, its
        :class:`MalformedInputError` at the line where the data broke off."""
        assert self.damage is not None
        if self.source is None:
            return self.damage
        return damaged(self.damage, self.source, self.count, self.lines + 1)

    def to_damage(self, size: int = -1) -> bytes:
        """Like :meth:`read`, but ``b""`` where the data is damaged or ends early, as at its end:
        what is cut into pieces is cut up to there, and the damage reported after the pieces."""
        if self.damage is not None:
            return b""
        try:
            return self.read(size)
        except (InputError, EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile):
            if self.damage is None:
                raise
            return b""

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


_BLOCK = 1 << 20  # a read to the end of compressed data, a block at a time


def damaged(exc: BaseException, source: str, count: int, line: int | None = None) -> MalformedInputError:
    """The error for compressed data that ends early or is damaged after ``count`` bytes unpacked.

    >>> str(damaged(EOFError("cut"), "feed.xml.gz", 1200, 31))
    'feed.xml.gz:31: file is truncated: its compressed data ends early, 1,200 bytes unpacked (cut)'
    """
    if isinstance(exc, EOFError):
        reason = f"file is truncated: its compressed data ends early, {count:,} bytes unpacked ({exc})"
    else:
        reason = f"compressed data is damaged, {count:,} bytes unpacked ({exc})"
    return MalformedInputError(reason, source=source, line=line)


@contextmanager
def reading(source: Source, on_read: Callable[[int], None] | None = None) -> Iterator[CountingReader]:
    # CountingReader reads like IO[bytes] for every use a reader makes of it (read(n)).
    """Open a source; archive and decompression errors become :class:`MalformedInputError`."""
    try:
        stream = CountingReader(source.opener(), on_read, source=source.name)
    except OSError as exc:
        raise InputError(f"cannot open ({exc.strerror or exc})", source=source.name) from None
    try:
        yield stream
    except DAMAGE as exc:
        raise damaged(exc, source.name, stream.count, stream.lines + 1) from None
    finally:
        stream.close()
