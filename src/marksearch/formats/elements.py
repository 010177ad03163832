"""Element access and shared fields for the WIPO XML readers (ST.66 and ST.96).

Both standards are matched on local names only, because every office uses its
own namespaces.  :func:`kids` makes one pass over an element's direct children
and groups them by local name; the other helpers are dict lookups on that.
Scanning whole subtrees per field (:func:`xmlsafe.texts`) costs a walk per
field, and the ingest bench compares with a bare iterparse pass, so each level
is walked once.

>>> from lxml import etree
>>> k = kids(etree.fromstring(b'<a xmlns="urn:x"><b> 018222197 </b><c/><b>2</b></a>'))
>>> sorted(k), ktext(k, "b"), ktext(k, "c"), ktext(k, "d")
(['b', 'c'], '018222197', None, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

from marksearch.formats.common import clean, snapshot_as_of
from marksearch.formats.xmlsafe import sniff_root
from marksearch.records import MarkDate, Rejection, VerbalElement

__all__ = [
    "Element",
    "Kids",
    "as_of",
    "attr",
    "elements",
    "first",
    "kids",
    "ktext",
    "number",
    "own_text",
    "rejection",
    "sniff_root_and_hints",
    "text",
    "verbal_elements",
]

Element = etree._Element
Kids = dict[str, list[Element]]


def elements(elem: Element) -> Iterator[Element]:
    """Child elements only: comments and processing instructions are skipped."""
    return elem.iterchildren(etree.Element)


def kids(elem: Element | None) -> Kids:
    """Direct child elements of ``elem`` grouped by local name, in document order."""
    out: Kids = {}
    if elem is None:
        return out
    for node in elem.iterchildren(etree.Element):
        tag = node.tag
        out.setdefault(tag[tag.rfind("}") + 1 :], []).append(node)
    return out


def first(k: Kids, name: str) -> Element | None:
    nodes = k.get(name)
    return nodes[0] if nodes else None


def own_text(node: Element) -> str | None:
    """The text an element holds itself, unstripped: all its text nodes, joined.

    lxml's ``.text`` is only the text before the first child node, and a comment or
    processing instruction is a child: ``<X><!-- checked -->TERRA</X>`` has ``.text``
    ``None`` and ``TERRA`` as the comment's tail.  Each child's tail is the element's
    own text too, so they are joined.  Most values have no child, and then ``.text``
    is read once (each read decodes the text anew) and nothing else is done.

    >>> from lxml import etree
    >>> own_text(etree.fromstring(b"<x>TERRA <!-- c -->S<?pi x?> NOVA</x>"))
    'TERRA S NOVA'
    >>> own_text(etree.fromstring(b"<x>PLAIN</x>")), own_text(etree.fromstring(b"<x><!--c--></x>"))
    ('PLAIN', None)
    """
    value = node.text
    if not len(node):  # a C call; comments and processing instructions count as children
        return value
    parts = [value] if value else []
    parts.extend(tail for child in node if (tail := child.tail))
    return "".join(parts) or None


def text(node: Element | None) -> str | None:
    """Stripped text of one element, ``None`` when absent or blank."""
    if node is None:
        return None
    # own_text's fast path inline: this runs for most fields of every record.
    value = node.text if not len(node) else own_text(node)
    if value is None:
        return None
    return value.strip() or None


def ktext(k: Kids, name: str) -> str | None:
    return text(first(k, name))


def attr(node: Element, name: str) -> str | None:
    """An attribute by local name (ST.96 qualifies them: ``ns1:languageCode``)."""
    value = node.get(name)
    if value is None and len(node.attrib):
        suffix = "}" + name
        value = next((str(v) for key, v in node.attrib.items() if str(key).endswith(suffix)), None)
    if value is None:
        return None
    return value.strip() or None


def number(raw: str | None) -> str | None:
    """An office number as the office writes it: outer space stripped, runs collapsed.

    Leading zeros stay (EUIPO ``018222197``) and inner spaces stay single (RO
    ``M 2012 00091``), so the key reads as the office prints the number.
    """
    return clean(raw)


def rejection(elem: Element, source: str, reason: str) -> Rejection:
    """A quarantined record with where it was and the start of its XML."""
    excerpt = etree.tostring(elem, encoding="unicode", with_tail=False)
    return Rejection(source, f"line {elem.sourceline}", reason, excerpt[:400])


# Namespaces sit on the root and the first elements follow it, so the first
# 8 KiB decide; scanning the whole 64 KiB head cost more than parsing a file.
_SNIFF_BYTES = 8192


def sniff_root_and_hints(
    head: bytes, roots: tuple[str, ...], wanted: tuple[bytes, ...], unwanted: tuple[bytes, ...]
) -> bool:
    """Root local name in ``roots``, a ``wanted`` hint and no ``unwanted`` one near the top."""
    short = head[:_SNIFF_BYTES]
    if (sniff_root(short) or sniff_root(head)) not in roots:
        return False
    view = short.replace(b"\x00", b"")  # UTF-16 files: search the markup as ASCII
    return not any(h in view for h in unwanted) and any(h in view for h in wanted)


# --------------------------------------------------------------------------
# Fields that ST.66 and ST.96 spell alike.


def verbal_elements(spec: Kids) -> tuple[VerbalElement, ...]:
    """Verbal elements from a ``WordMarkSpecification`` (ST.66 and ST.96 spellings)."""
    transliteration = ktext(spec, "MarkTransliteration")
    translation = ktext(spec, "MarkTranslation") or next(
        (t for n in spec.get("MarkTranslationText", ()) if (t := clean(own_text(n)))), None
    )
    out: list[VerbalElement] = []
    for node in spec.get("MarkVerbalElementText", ()):
        value = clean(own_text(node))
        if value is None:
            continue
        lang = attr(node, "languageCode")
        lang = lang.lower() if lang else None
        if out:  # transliteration and translation belong to the first element
            out.append(VerbalElement(value, language=lang))
        else:
            out.append(VerbalElement(value, lang, None, transliteration, translation))
    return tuple(out)


def as_of(dates: Iterable[MarkDate], header_as_of: str | None) -> str | None:
    """The office's snapshot date: the file's production date, or the status date where newer or
    alone (:func:`~marksearch.formats.common.snapshot_as_of`, the rule of a Delete too)."""
    status = next((d for d in dates if d.role == "status" and d.value is not None), None)
    return snapshot_as_of(status, header_as_of)
