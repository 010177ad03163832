"""Streaming XML parsing that cannot be tricked by entities or DTDs.

Office XML is parsed with lxml's ``iterparse`` with no network, no DTD
loading, no entity substitution, and a prolog check that refuses any
``<!ENTITY`` declaration before the parser starts: a billion-laughs or
external-entity file is refused with :class:`UnsafeXMLError`, never expanded.
USPTO daily files carry an internal DTD of element declarations only; that is
allowed (it declares nothing that expands).

Elements are handed to the caller one at a time and cleared afterwards, so
memory stays constant whatever the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from typing import IO, cast

from lxml import etree

from marksearch.errors import InputError, MalformedInputError, UnsafeXMLError

__all__ = ["children", "first_text", "iter_records", "local", "sniff_root", "texts"]

# The prolog (everything before the root element) is at most this big; the
# USPTO internal DTD is about 14 KB.
_PROLOG_LIMIT = 1 << 20
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<(?![?!])")
_REFUSED = ("XML entity declarations are not allowed (billion-laughs and external-entity files are refused, "
            "never expanded)")


def check_prolog(head: bytes, source: str) -> None:
    """Refuse entity declarations in the document's prolog.

    ``head`` is the first bytes of the file.  The check stops at the root
    element: entity declarations can only live in the DOCTYPE before it.
    """
    text = _to_ascii_view(head)
    root = _first_root_tag(text)
    prolog = text if root is None else text[:root]
    match = _ENTITY.search(prolog)
    if match:
        line = prolog.count(b"\n", 0, match.start()) + 1
        raise UnsafeXMLError(_REFUSED, source=source, line=line)


def _to_ascii_view(head: bytes) -> bytes:
    """Drop the NUL bytes of UTF-16/32 so that markup can be searched as bytes."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in head[:8] or b"<\x00" in head[:8]:
        return head.replace(b"\x00", b"")
    return head


def _first_root_tag(text: bytes) -> int | None:
    """Offset of the root element's start tag, skipping comments, PIs and the DOCTYPE."""
    pos = 0
    while True:
        lt = text.find(b"<", pos)
        if lt < 0:
            return None
        if text.startswith(b"<?", lt):
            end = text.find(b"?>", lt)
        elif text.startswith(b"<!--", lt):
            end = text.find(b"-->", lt)
        elif text.startswith(b"<!DOCTYPE", lt) or text.startswith(b"<!doctype", lt):
            end = _doctype_end(text, lt)
        elif text.startswith(b"<!", lt):
            end = text.find(b">", lt)
        else:
            return lt
        if end < 0:
            return None
        pos = end + 1


def _doctype_end(text: bytes, start: int) -> int:
    bracket = text.find(b"[", start)
    close = text.find(b">", start)
    if bracket < 0 or (0 <= close < bracket):
        return close
    # Internal subset: skip what may hold a "]" or ">" without ending it (comments, processing
    # instructions, quoted literals), then find "]" followed by ">".
    pos = bracket + 1
    while True:
        found = _SUBSET_TOKEN.search(text, pos)
        if found is None:
            return -1
        token = found.group()
        if token == b"]":
            return text.find(b">", found.end())
        closer = _SUBSET_CLOSERS[token]
        end = text.find(closer, found.end())
        if end < 0:
            return -1
        pos = end + len(closer)


_SUBSET_TOKEN = re.compile(rb"<!--|<\?|\"|'|\]")
_SUBSET_CLOSERS = {b"<!--": b"-->", b"<?": b"?>", b'"': b'"', b"'": b"'"}


def _check_declared(elem: etree._Element, source: str) -> None:
    """Refuse a document whose internal DTD declares entities, as the parser read it.

    The prolog check reads bytes before parsing; this asks libxml2 what it parsed, so a
    declaration that a byte scan misses (one placed after a megabyte of prolog, or behind
    markup the scan reads differently) is refused too, before any record is handed over.
    Entities are never substituted either way (``resolve_entities=False``)."""
    dtd = elem.getroottree().docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:  # type: ignore[attr-defined]
        raise UnsafeXMLError(_REFUSED, source=source, line=1)


def local(tag: object) -> str:
    """Local name of an element tag, namespace dropped (``{ns}Name`` -> ``Name``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(elem: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with local name ``name``."""
    return [c for c in elem if local(c.tag) == name]


def child(elem: etree._Element | None, *path: str) -> etree._Element | None:
    """Follow a path of local names through first matches; ``None`` when absent."""
    node = elem
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if local(c.tag) == name), None)
    return node


def first_text(elem: etree._Element | None, *path: str) -> str | None:
    """Stripped text at a path of local names, ``None`` when absent or empty."""
    node = child(elem, *path)
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def texts(elem: etree._Element | None, name: str) -> list[str]:
    """Stripped texts of every descendant with local name ``name``, in document order."""
    if elem is None:
        return []
    out = []
    for node in elem.iter():
        if local(node.tag) == name and node.text and node.text.strip():
            out.append(node.text.strip())
    return out


def sniff_root(head: bytes) -> str | None:
    """Local name of the root element, from the first bytes of a file."""
    text = _to_ascii_view(head)
    start = _first_root_tag(text)
    if start is None:
        return None
    match = re.match(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", text[start:])
    return match.group(2).decode("ascii", "replace") if match else None


def iter_records(
    stream: IO[bytes],
    source: str,
    wanted: Callable[[str], bool] | Collection[str],
    *,
    head: bytes = b"",
) -> Iterator[etree._Element]:
    """Yield each complete element whose local name ``wanted`` accepts, then free it.

    ``wanted`` is best a collection of local names (or a set's ``__contains__``):
    libxml2 then filters the events itself, which is about twice as fast as a
    Python test on every element.

    ``head`` is what the caller already read from ``stream`` (for sniffing);
    it is parsed first.  The caller must not keep references to yielded
    elements after asking for the next one.

    Raises :class:`UnsafeXMLError` for entity declarations and
    :class:`MalformedInputError` (with line and column) for anything that is
    not well-formed XML, including truncation and encoding errors; the
    elements that ended before such an error are yielded first, so that the
    records read before the problem are kept.
    """
    head = head + stream.read(max(0, 64 * 1024 - len(head)))
    if not head.strip():
        raise MalformedInputError("file is empty", source=source, line=1, column=1)
    prolog = head
    while _first_root_tag(_to_ascii_view(prolog)) is None and len(prolog) < _PROLOG_LIMIT:
        more = stream.read(64 * 1024)
        if not more:
            break
        prolog += more
    check_prolog(prolog, source)
    names = _names(wanted)
    accept = (lambda _name: True) if names is not None else wanted
    assert callable(accept)
    parser = etree.XMLPullParser(
        events=("end",),
        tag=[f"{{*}}{n}" for n in sorted(names)] if names is not None else None,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    chunk = prolog
    checked = False
    while True:
        error: InputError | None = None
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            error = _malformed(exc, source, at_end=not chunk)
            if not chunk or isinstance(error, UnsafeXMLError):
                # When closing, lxml gives an "end" event to every element still open, each
                # one cut short; what ended in the data was handed out after its feed.
                raise error from None
        # After an error in a feed too: the parser stops at the error, so the elements that
        # ended before it are complete, and are handed out before the error is raised.
        for _event, found in parser.read_events():
            elem = cast(etree._Element, found)  # "end" events carry elements
            if not checked:
                _check_declared(elem, source)
                checked = True
            if accept(local(elem.tag)):
                yield elem
                _release(elem)
        if error is not None:
            raise error
        if not chunk:
            break
        chunk = stream.read(256 * 1024)


def _names(wanted: Callable[[str], bool] | Collection[str]) -> frozenset[str] | None:
    """The local names to filter on in libxml2, when ``wanted`` is (the test of) a collection."""
    owner = getattr(wanted, "__self__", None)
    if isinstance(owner, frozenset | set):
        return frozenset(owner)
    if not callable(wanted):
        return frozenset(wanted)
    return None


def _release(elem: etree._Element) -> None:
    """Free a handled element and the siblings before it."""
    elem.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs lag lxml 5
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


_HUGE = 10_000_000  # libxml2's limit on one text node or name without XML_PARSE_HUGE (huge_tree=False)


def _malformed(exc: etree.XMLSyntaxError, source: str, *, at_end: bool = False) -> InputError:
    """The error for a document that is not well-formed.  ``at_end``: the parser met it when told
    that the data had ended, so the document is cut short, whatever libxml2 calls it
    (``AttValue: ' expected`` for a file that ends inside an attribute)."""
    line, column = exc.position if exc.position else (exc.lineno, None)
    msg = exc.msg or str(exc)
    # libxml2 reports the line/column itself inside msg; keep only the reason.
    msg = re.sub(r",? line \d+, column \d+.*$", "", msg).strip()
    if "entity" in msg.lower() and ("loop" in msg.lower() or "amplification" in msg.lower()):
        return UnsafeXMLError(f"{_REFUSED} ({msg})", source=source, line=line, column=column)
    if "XML_PARSE_HUGE" in msg or "huge text node" in msg.lower() or "too long" in msg.lower():
        # libxml2 names its own switch, which a user cannot act on (and marksearch leaves off on purpose).
        return MalformedInputError(
            f"a text or name is longer than {_HUGE:,} characters, more than marksearch reads from any file "
            "(no trademark field is that long: the file is damaged, or not an office file)",
            source=source, line=line, column=column)
    if "Document is empty" in msg or "Start tag expected" in msg:
        msg = "not an XML document (" + msg + ")"
    elif "encoding" in msg.lower() or "not proper UTF-8" in msg or "Input is not proper" in msg:
        msg = "text is not in the declared encoding (" + msg + ")"
    elif (at_end and "Extra content" not in msg) or "Premature end of data" in msg or "EndTag" in msg \
            or "end of data" in msg.lower():
        msg = "file is truncated (" + msg + ")"
    return MalformedInputError(msg, source=source, line=line, column=column)
