"""Cut a large office file into self-contained pieces that worker processes can parse.

Bulk feeds are long runs of sibling record elements (ST.66 ``TradeMark``,
ST.96 ``Trademark``, USPTO ``case-file``) or lines (JSON Lines).  A piece is
the file's prolog and open ancestors (everything before the first record),
a run of whole records, and closing tags for those ancestors: a well-formed
document that the ordinary reader parses, with the same entity checks.

Line numbers inside a piece are shifted back to the file's own by
:attr:`Piece.line_delta`, so positions in quarantine and errors still point
into the original file.

Written by hand because no library splits XML at record boundaries without
parsing it; the byte search for the end tag is what makes the cut cheap.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, cast

import numpy as np
from lxml import etree

from marksearch.errors import InputError, MalformedInputError
from marksearch.formats import xmlsafe

__all__ = [
    "RECORD_ELEMENTS", "Piece", "Span", "SpanStream", "count_lines", "plan_xml", "shift_lines", "split_lines",
    "split_xml",
]

RECORD_ELEMENTS = {"st66": "TradeMark", "st96": "Trademark", "uspto-daily": "case-file"}
"""Readers whose files may be cut, and the local name of their record element."""

CHUNK = 2 << 20  # small enough to keep two workers busy on a 30 MB file


@dataclass(frozen=True, slots=True)
class Piece:
    """``prefix + body + suffix``, where ``body`` is the stream's bytes from ``offset`` on.

    Knowing where the body lies lets a worker read it from a plain file itself,
    so that the writer does not have to pass it through a pipe.
    """

    body: bytes
    line_delta: int  # add to a line number inside the payload to get the file's line
    offset: int = 0
    prefix: bytes = b""
    suffix: bytes = b""

    @property
    def payload(self) -> bytes:
        return self.prefix + self.body + self.suffix


def split_lines(stream: IO[bytes], head: bytes, *, chunk: int = CHUNK) -> Iterator[Piece]:
    """JSON Lines: cut after a newline; each piece starts on a line of its own."""
    buf, lines_before, offset = head, 0, 0
    while True:
        more = stream.read(chunk)
        buf += more
        if not more:
            if buf:
                yield Piece(buf, lines_before, offset)
            return
        cut = buf.rfind(b"\n") + 1
        if cut and len(buf) >= chunk:
            yield Piece(buf[:cut], lines_before, offset)
            lines_before += buf.count(b"\n", 0, cut)
            buf = buf[cut:]
            offset += cut


def split_xml(
    stream: IO[bytes], head: bytes, record: str, source: str, *, chunk: int = CHUNK
) -> Iterator[Piece]:
    """Cut XML after the end tag of a record element; see the module docstring."""
    buf, eof = head, False
    start_re = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?" + re.escape(record.encode()) + rb")[\s>/]")
    match = start_re.search(buf)
    while match is None and not eof:
        more = stream.read(chunk)
        eof = not more
        buf += more
        match = start_re.search(buf)
    if match is None:  # no record at all: the reader judges the whole (small) file
        yield Piece(buf, 0)
        return
    prefix = buf[: match.start()]
    suffix = _closing_tags(prefix, source)
    end_tag = b"</" + match.group(1) + b">"
    prefix_lines = prefix.count(b"\n")
    buf = buf[match.start() :]
    offset = match.start()  # of buf in the stream
    lines_before = prefix_lines
    while True:
        if not eof and len(buf) < chunk:
            more = stream.read(chunk)
            eof = not more
            buf += more
            continue
        if eof:
            yield Piece(buf, lines_before - prefix_lines, offset, prefix)
            return
        cut = buf.rfind(end_tag)
        if cut < 0:  # one record longer than a chunk: read on
            more = stream.read(chunk)
            eof = not more
            buf += more
            continue
        cut += len(end_tag)
        yield Piece(buf[:cut], lines_before - prefix_lines, offset, prefix, suffix)
        lines_before += buf.count(b"\n", 0, cut)
        buf = buf[cut:]
        offset += cut


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a plain file by where it lies: ``prefix + file[offset:offset + length] + suffix``.

    Its line offset in the file is not known when it is cut (the lines before
    it are never read by the one who cuts): whoever parses it counts the
    lines of its body, and positions are shifted in order afterwards.
    """

    offset: int
    length: int
    prefix: bytes = b""
    suffix: bytes = b""


class SpanStream:
    """A span of a plain file as a read-only stream: ``prefix``, then the file's bytes from
    ``offset`` to ``offset + length`` a read at a time, then ``suffix``.

    An ingest worker parses its span from this instead of reading it whole first.  A
    span read whole (2 MB and more) was copied into fresh memory, then joined with its
    prefix and suffix (a second copy), then cut again into the parser's reads (a third);
    now each of the parser's reads, a few hundred kilobytes, is one read of the file,
    and the parser starts on the first while the OS reads ahead.  ``lines`` counts the
    line breaks of the file's bytes read so far (those of ``prefix`` and ``suffix`` are
    not the file's).  Only ``read`` is offered: it is all the readers use.
    """

    def __init__(self, path: str, offset: int, length: int, source: str,
                 prefix: bytes = b"", suffix: bytes = b"") -> None:
        try:
            self._file: io.FileIO | None = io.FileIO(path, "r")
            self._file.seek(offset)
        except OSError as exc:
            raise InputError(f"cannot open ({exc.strerror or exc})", source=source) from None
        self._offset = offset
        self._at = offset
        self._end = offset + length
        self._source = source
        self._head = prefix
        self._tail = suffix
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when ``size`` is negative); ``b""`` at the end."""
        want = size if size >= 0 else self._end - self._at + len(self._head) + len(self._tail)
        parts: list[bytes] = []
        while want > 0:
            if self._head:
                part, self._head = self._head[:want], self._head[want:]
            elif self._at < self._end:
                try:
                    part = self._file.read(min(want, self._end - self._at)) if self._file else b""
                except OSError as exc:
                    raise InputError(f"cannot read ({exc.strerror or exc})", source=self._source) from None
                if not part:
                    raise MalformedInputError("the file changed while it was being read", source=self._source)
                self._at += len(part)
                self.lines += count_lines(part)
            elif self._tail:
                part, self._tail = self._tail[:want], self._tail[want:]
            else:
                break
            parts.append(part)
            want -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def finish(self) -> int:
        """Count the line breaks of the span left unread (a reader may stop before the
        end, after its last record); return those of the whole span."""
        while self._at < self._end:
            self.read(_WINDOW * 4)
        return self.lines

    def close(self) -> None:
        """Close the file, and let the OS drop what was read of it from its page cache.

        An ingest reads each byte of a bulk file once.  Left cached, a file of several
        gigabytes crowds out the register being written beside it, and the OS must
        then evict pages before it can cache any more (time counted to whichever
        process asks for memory, the workers and the writer).
        """
        if self._file is None:
            return
        if hasattr(os, "posix_fadvise") and self._at > self._offset:
            os.posix_fadvise(self._file.fileno(), self._offset, self._at - self._offset, os.POSIX_FADV_DONTNEED)
        self._file.close()
        self._file = None

    def __enter__(self) -> SpanStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_WINDOW = 64 * 1024


def plan_xml(f: IO[bytes], record: str, source: str, *, size: int, chunk: int | None = None) -> Iterator[Span]:
    """Cut a seekable file of ``size`` bytes like :func:`split_xml`, reading only around each cut.

    :func:`split_xml` reads every byte to cut a stream; a plain file can be
    cut by seeking ``chunk`` bytes on and reading until the next end tag, so
    the writer of an ingest reads a few per cent of the file instead of all of
    it (the workers read their spans themselves).  Spans are cut after the
    first end tag at or past ``chunk`` bytes, so they are at least ``chunk``
    long (except the last).
    """
    chunk = chunk or CHUNK
    start_re = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?" + re.escape(record.encode()) + rb")[\s>/]")
    f.seek(0)
    buf = b""
    match = None
    while match is None:
        more = f.read(_WINDOW)
        if not more:
            break
        buf += more
        match = start_re.search(buf)  # a start tag straddling two reads is found once both are in
    if match is None:  # no record at all: the reader judges the whole (small) file
        yield Span(0, size)
        return
    prefix = buf[: match.start()]
    suffix = _closing_tags(prefix, source)
    end_tag = b"</" + match.group(1) + b">"
    offset = match.start()
    while offset < size:
        at = offset + chunk
        if at >= size:
            break
        base = at - len(end_tag)  # where ``window`` starts in the file
        f.seek(base)
        window = b""
        cut = -1
        while cut < 0:
            more = f.read(_WINDOW)
            if not more:
                break
            window += more
            found = window.find(end_tag)
            if found >= 0:
                cut = base + found + len(end_tag)
            elif len(window) >= len(end_tag):  # keep only a tail that may start a tag cut by the read
                keep = len(end_tag) - 1
                base += len(window) - keep
                window = window[-keep:]
        if cut < 0 or cut >= size:
            break
        yield Span(offset, cut - offset, prefix, suffix)
        offset = cut
    yield Span(offset, size - offset, prefix)


def _closing_tags(prefix: bytes, source: str) -> bytes:
    """Closing tags for the elements still open at the end of ``prefix``, innermost first."""
    xmlsafe.check_prolog(prefix, source)
    parser = etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False
    )
    stack: list[str] = []
    try:
        parser.feed(prefix)
        for event, found in parser.read_events():
            elem = cast(etree._Element, found)
            if event == "start":
                name = xmlsafe.local(elem.tag)
                stack.append(f"{elem.prefix}:{name}" if elem.prefix else name)
            else:
                stack.pop()
    except etree.XMLSyntaxError:
        return b""  # the reader will report the same problem with its position
    return "".join(f"</{name}>" for name in reversed(stack)).encode()


def count_lines(data: bytes) -> int:
    r"""The line breaks in ``data``.

    ``bytes.count`` tests a byte at a time; numpy compares whole vectors, several
    times faster on a piece of a bulk file, which every piece cut without counting
    its lines pays once.

    >>> count_lines(b"<a>\n<b/>\n</a>")
    2
    """
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 0x0A))


_LINE = re.compile(r"\bline (\d+)")


def shift_lines(position: str, delta: int) -> str:
    """``"line 12"`` shifted by ``delta``; other positions unchanged."""
    if not delta:
        return position
    return _LINE.sub(lambda m: f"line {int(m.group(1)) + delta}", position)
