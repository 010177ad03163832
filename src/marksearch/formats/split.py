"""Cut a large office file into self-contained pieces that worker processes can parse.

Bulk feeds are long runs of sibling record elements (ST.66 ``TradeMark``,
ST.96 ``Trademark``, USPTO ``case-file``) or lines (JSON Lines).  A piece is
the file's prolog and open ancestors (everything before the first record),
a run of whole records, and closing tags for those ancestors: a well-formed
document that the ordinary reader parses, with the same entity checks.

A cut never parts a record from what belongs to it.  Between two sibling
records (a bulk feed) the cut is right after the first one's end tag.  Where
a record is the last of its group, its group may go on with elements that
belong to it: USPTO TSDR and TMview GB put a transaction's applicants in
``TransactionData`` *beside* its ``TradeMarkDetails``.  There the cut is made
where the group has ended, at the shallowest point before the next record (between
two ``TransactionContentDetails``, say), and the next piece opens only the
ancestors still open there.

Cut points are found by reading the file once, forward: markup inside
comments, CDATA sections and processing instructions is skipped (a comment
may well hold ``</TradeMark>``).  A file in UTF-16 or UTF-32, or whose first
record starts past :data:`PREFIX_LIMIT`, is not cut: it is one piece.

Line numbers inside a piece are shifted back to the file's own by
:attr:`Piece.line_delta`, so positions in quarantine and errors still point
into the original file.  A piece that opens fewer ancestors than the file's
prefix has as many line breaks in its prefix, so that the shift is the same.

Written by hand because no library splits XML at record boundaries without
parsing it; a byte search for tags is what makes the cut cheap.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, cast

import numpy as np
from lxml import etree

from marksearch.errors import InputError, MalformedInputError
from marksearch.formats import xmlsafe

__all__ = [
    "PREFIX_LIMIT", "RECORD_ELEMENTS", "Piece", "Span", "SpanStream", "count_lines", "plan_xml", "read_prefix",
    "shift_lines", "split_lines", "split_xml",
]

RECORD_ELEMENTS = {"st66": "TradeMark", "st96": "Trademark", "uspto-daily": "case-file"}
"""Readers whose files may be cut, and the local name of their record element."""

CHUNK = 2 << 20  # small enough to keep two workers busy on a 30 MB file

PREFIX_LIMIT = 1 << 20
"""A file is cut only when its first record starts within this many bytes: every piece repeats them."""

_SCAN = 1 << 20  # bytes read at a time while looking for cut points
_REGION_LIMIT = 1 << 20  # how far past a record's end tag to look for the next record before giving up a cut
_TAG_LIMIT = 1 << 20  # the longest tag read whole


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
    """Cut an XML stream at the points :func:`plan_xml` would, keeping each piece's bytes.

    ``head`` is what was read of the stream already.  A stream that cannot be cut
    (see :func:`read_prefix`, which a caller asks first) is one piece, read whole.
    """
    win = _Window(stream.read, head)
    first = _first_record(win, record)
    if first is None:  # no record to cut at: the reader judges the whole file
        while win.more(win.end):
            pass
        yield Piece(win.slice(0), 0)
        return
    start, qname = first
    layout = _layout(bytes(win.buf[:start]), source)
    prefix_lines = layout.prefix.count(b"\n")
    win.keep = start
    offset, depth, lines_before = start, 0, prefix_lines
    for cut, cut_depth in _cuts(win, layout, qname, start, chunk):
        body = win.slice(offset, cut)
        yield Piece(body, lines_before - prefix_lines, offset, layout.opening(depth), layout.closing(cut_depth))
        lines_before += count_lines(body)
        offset, depth = cut, cut_depth
        win.keep = cut
    while win.more(win.end):
        pass
    yield Piece(win.slice(offset), lines_before - prefix_lines, offset, layout.opening(depth))


def read_prefix(stream: IO[bytes], head: bytes, record: str) -> tuple[bytes, bool]:
    """Read ``stream`` on from ``head`` (what was read of it) to where its first record starts.

    Returns the bytes read, ``head`` included, and whether the stream can be cut: a
    record starts within :data:`PREFIX_LIMIT` bytes, in an encoding that writes markup
    in ASCII (not UTF-16 or UTF-32).  A stream that cannot be cut is best parsed as it
    is read, in constant memory; :func:`split_xml` would hold it whole.

    >>> read_prefix(io.BytesIO(b"<TradeMark/></a>"), b"<a>", "TradeMark")
    (b'<a><TradeMark/></a>', True)
    """
    win = _Window(stream.read, head)
    found = _first_record(win, record) is not None
    return bytes(win.buf), found


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
    """Cut a plain file of ``size`` bytes into spans that workers read themselves.

    The file is read once, forward, to find the cut points (see the module
    docstring); only a window of it is held.  Spans are cut at the first record
    end at or past ``chunk`` bytes, so they are at least ``chunk`` long (except
    the last).
    """
    chunk = chunk or CHUNK
    f.seek(0)
    win = _Window(f.read)
    first = _first_record(win, record)
    if first is None:  # no record to cut at: one piece, that the reader judges
        yield Span(0, size)
        return
    start, qname = first
    layout = _layout(bytes(win.buf[:start]), source)
    win.keep = None
    offset, depth = start, 0
    for cut, cut_depth in _cuts(win, layout, qname, start, chunk):
        if cut >= size:
            break
        yield Span(offset, cut - offset, layout.opening(depth), layout.closing(cut_depth))
        offset, depth = cut, cut_depth
    yield Span(offset, size - offset, layout.opening(depth))


# -- finding cut points ------------------------------------------------------------


class _Window:
    """A file or stream read forward, a window at a time: ``buf`` holds its bytes from ``base`` on.

    A search resumes where the one before stopped (less the few bytes where a token
    cut by a read may start), so that looking through a file costs one pass over it,
    not one per read.
    """

    def __init__(self, read: Callable[[int], bytes], head: bytes = b"") -> None:
        self._read = read
        self.buf = bytearray(head)
        self.base = 0
        self.eof = False
        self.keep: int | None = 0  # bytes from here on are kept; None: only those a search needs

    @property
    def end(self) -> int:
        return self.base + len(self.buf)

    def more(self, need: int) -> bool:
        """Read on (``False`` at the end); bytes before ``need`` may be forgotten."""
        if self.eof:
            return False
        data = self._read(_SCAN)
        if not data:
            self.eof = True
            return False
        drop = need if self.keep is None else min(need, self.keep)
        if drop > self.base:
            del self.buf[: drop - self.base]
            self.base = drop
        self.buf += data
        return True

    def search(self, pattern: re.Pattern[bytes], pos: int, tail: int,
               limit: int | None = None) -> re.Match[bytes] | None:
        """The first match at or after ``pos`` (``None``: none, or none before ``limit``).
        ``tail``: the longest match, so that one cut by a read is found whole after it."""
        while True:
            found = pattern.search(self.buf, pos - self.base)
            if found is not None:
                return found
            pos = max(pos, self.end - tail)
            if (limit is not None and pos > limit) or not self.more(pos):
                return None

    def find(self, sub: bytes, pos: int, limit: int | None = None) -> int:
        """Where ``sub`` next occurs at or after ``pos``; -1 where it does not (before ``limit``)."""
        while True:
            at = self.buf.find(sub, pos - self.base)
            if at >= 0:
                return self.base + at
            pos = max(pos, self.end - len(sub) + 1)
            if (limit is not None and pos > limit) or not self.more(pos):
                return -1

    def match(self, pattern: re.Pattern[bytes], pos: int) -> re.Match[bytes] | None:
        """``pattern`` matched at ``pos``, reading on until it matches, the file ends or
        ``_TAG_LIMIT`` bytes would not do."""
        while True:
            found = pattern.match(self.buf, pos - self.base)
            if found is not None or self.end - pos > _TAG_LIMIT or not self.more(pos):
                return found

    def slice(self, start: int, stop: int | None = None) -> bytes:
        """The bytes from ``start`` to ``stop`` (the end of the window), copied once."""
        with memoryview(self.buf) as view:
            return bytes(view[start - self.base : None if stop is None else stop - self.base])

    def peek(self, pos: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``pos`` on."""
        while self.end - pos < size and self.more(pos):
            pass
        return bytes(self.buf[pos - self.base : pos - self.base + size])


_CONSTRUCTS = (b"<!--", b"<![CDATA[", b"<?", b"<!DOCTYPE", b"<!doctype")
_CONSTRUCT = rb"!(?:--|\[CDATA\[|DOCTYPE|doctype)|\?"  # after "<": where a tag may be text, not markup
_CLOSERS = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_END_TAG = re.compile(rb"</([^\s>]+)\s*>")
_START_TAG = re.compile(rb"<([^\s/>]+)[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")  # quoted values may hold ">"


def _skip(win: _Window, at: int, opener: bytes, limit: int | None = None) -> int:
    """Where the comment, CDATA section, PI or DOCTYPE that starts at ``at`` ends; -1: it does not
    (or not before ``limit``)."""
    if opener.upper() == b"<!DOCTYPE":
        while (close := xmlsafe._doctype_end(bytes(win.buf), at - win.base)) < 0:
            if (limit is not None and win.end > limit) or not win.more(at):
                return -1
        return win.base + close + 1
    closer = _CLOSERS[opener]
    close = win.find(closer, at + len(opener), limit)
    return close + len(closer) if close >= 0 else -1


def _find(win: _Window, pos: int, pattern: re.Pattern[bytes], tail: int,
          limit: int | None = None) -> re.Match[bytes] | None:
    """The next match of ``pattern``'s group ``t`` outside comments, CDATA, PIs and the DOCTYPE.

    ``pattern`` is ``<`` then :data:`_CONSTRUCT` or ``t`` (one alternation after ``<``: a search for
    several is many times slower); positions in the match are in ``win.buf``.
    """
    while True:
        found = win.search(pattern, pos, tail, limit)
        if found is None or found.group("t") is not None:
            return found
        pos = _skip(win, win.base + found.start(), found.group(), limit)
        if pos < 0:
            return None


def _wide(head: bytes) -> bool:
    """UTF-16 or UTF-32: markup is not ASCII bytes, and a byte search cannot find it."""
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]


def _first_record(win: _Window, record: str) -> tuple[int, bytes] | None:
    """Where the first record starts and its qualified name; ``None`` when the file cannot be cut."""
    if _wide(win.peek(0, 4)):
        return None
    name = rb"(?P<q>(?:[A-Za-z_][\w.\-]*:)?" + re.escape(record.encode()) + rb")"
    pattern = re.compile(rb"<(?:" + _CONSTRUCT + rb"|(?P<t>" + name + rb"[\s>/]))")
    found = _find(win, 0, pattern, 1024, PREFIX_LIMIT)  # 1024: room for any sane namespace prefix
    if found is None or win.base + found.start() > PREFIX_LIMIT:
        return None
    return win.base + found.start(), found.group("q")


def _token(win: _Window, pos: int) -> tuple[int, int, int, bytes] | None:
    """The next piece of markup at or after ``pos``: (change of depth, start, end, tag name).

    Comments, CDATA, PIs and the DOCTYPE change nothing and have no name.  ``None``
    at the end, or at markup that is not well-formed (the parser will say where).
    """
    at = win.find(b"<", pos)
    if at < 0:
        return None
    head = win.peek(at, 9)
    opener = next((o for o in _CONSTRUCTS if head.startswith(o)), None)
    if opener is not None:
        end = _skip(win, at, opener)
        return (0, at, end, b"") if end >= 0 else None
    if head.startswith(b"<!"):
        return None
    if head.startswith(b"</"):
        found = win.match(_END_TAG, at)
        return (-1, at, win.base + found.end(), found.group(1)) if found else None
    found = win.match(_START_TAG, at)
    if found is None:
        return None
    return (0 if found.group().endswith(b"/>") else 1), at, win.base + found.end(), found.group(1)


@dataclass(frozen=True, slots=True)
class _Layout:
    """What lies around the records: the file's ``prefix``, the ancestors it leaves open
    (``names``), and where each one's start tag ends in it (``ends``; empty when it could
    not be read, and then only sibling records are cut apart)."""

    prefix: bytes
    suffix: bytes
    names: tuple[bytes, ...]
    ends: tuple[int, ...]

    def opening(self, depth: int) -> bytes:
        """The prefix of a piece that starts ``-depth`` levels above the records."""
        if depth == 0:
            return self.prefix
        part = self.prefix[: self.ends[len(self.names) + depth - 1]]
        return part + b"\n" * (self.prefix.count(b"\n") - part.count(b"\n"))

    def closing(self, depth: int) -> bytes:
        """The suffix of a piece that ends ``-depth`` levels above the records."""
        if depth == 0:
            return self.suffix
        return b"".join(b"</" + name + b">" for name in reversed(self.names[: len(self.names) + depth]))


def _layout(prefix: bytes, source: str) -> _Layout:
    suffix = _closing_tags(prefix, source)
    win = _Window(lambda _size: b"", prefix)
    stack: list[tuple[bytes, int]] = []
    pos = 0
    while (token := _token(win, pos)) is not None:
        step, _start, pos, name = token
        if step > 0:
            stack.append((name, pos))
        elif step < 0 and stack and stack[-1][0] == name:
            stack.pop()
        elif step < 0:
            stack = []
            break
    names = tuple(name for name, _ in stack)
    if not suffix or b"".join(b"</" + name + b">" for name in reversed(names)) != suffix:
        return _Layout(prefix, suffix, (), ())
    return _Layout(prefix, suffix, names, tuple(end for _, end in stack))


def _cuts(win: _Window, layout: _Layout, qname: bytes, offset: int, chunk: int) -> Iterator[tuple[int, int]]:
    """Cut points after the first record (at ``offset``), each ``chunk`` bytes or more past the one
    before: (where, depth), the depth being how many levels above the records the cut is (0 or less)."""
    pattern = re.compile(rb"<(?:" + _CONSTRUCT + rb"|(?P<t>/" + re.escape(qname) + rb"[\s>]))")
    pos = last = offset
    while True:
        found = _find(win, pos, pattern, len(qname) + 3)
        if found is None:
            return
        end = win.find(b">", win.base + found.end() - 1) + 1
        if end <= 0:
            return
        pos = end
        if end < last + chunk:
            continue
        cut, depth, pos = _boundary(win, end, qname, layout)
        if pos < 0:
            return
        if cut >= 0:
            yield cut, depth
            last = cut


def _boundary(win: _Window, end: int, qname: bytes, layout: _Layout) -> tuple[int, int, int]:
    """Where to cut after a record whose end tag ends at ``end``: (cut, depth, where to look on).

    The markup up to the next record is followed level by level: the cut is at its
    shallowest point, so that whatever follows the record in its group (a transaction's
    applicants) stays with it.  ``cut`` is -1 where there is none here; "where to look on"
    is -1 where no cut can follow (the document ends, or records sit at another depth).
    """
    depth = low = 0
    low_at = pos = end
    while pos - end <= _REGION_LIMIT:
        token = _token(win, pos)
        if token is None:
            return -1, 0, -1
        step, start, pos, name = token
        if name == qname and step >= 0:
            if depth != 0:
                return -1, 0, -1
            if low == 0:
                return end, 0, start
            return (low_at, low, start) if layout.ends else (-1, 0, start)
        depth += step
        if depth < low:
            if -depth >= len(layout.names) and layout.ends:
                return -1, 0, -1  # past the root: no record follows
            low, low_at = depth, pos
    return -1, 0, pos


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


def shift_lines(position: str, delta: int, *, above: int = 0) -> str:
    """``"line 12"`` shifted by ``delta``; other positions, and lines up to ``above``, unchanged.

    ``above`` is for a parser's message about a piece: lines of the piece's prefix are
    the file's own lines already.

    >>> shift_lines("tag a line 2, tag b line 40", 100, above=3)
    'tag a line 2, tag b line 140'
    """
    if not delta:
        return position
    return _LINE.sub(lambda m: f"line {int(m.group(1)) + delta}" if int(m.group(1)) > above else m.group(), position)
