"""USPTO Trademark Daily XML reader (``trademark-applications-daily``, DTD V2.0).

The daily (``apcYYMMDD.zip``) and annual backfile products hold one
``case-file`` per trademark: a full snapshot of the case as of its
``transaction-date``, so the record's ``as_of`` is that date and a newer
snapshot replaces an older one.  The files open with an internal DTD of
element declarations only; :mod:`marksearch.formats.xmlsafe` allows that.
A bare ``case-file`` (a record cut out of a daily file) is read too, and the
DTD prolog published on its own reads as a file of no records.

Mapping (FORMATS.md 2.5):

* status: ``case-file-header/status-code`` through
  :data:`~marksearch.formats.vocab.USPTO_STATUS_CODES`, the USPTO TSDR
  status-code table; an unlisted code gives ``unknown``.
* feature: first digit of ``mark-drawing-code`` (1 typed and 4 standard
  characters: word, 2 design only: figurative, 3 design plus words: combined,
  5 stylised words: stylised, 6 no drawing (sound, scent): other, 0 or
  anything else: unknown); a design with ``drawing-3d-current-in`` is 3d.
* kind: the ``*-in`` flags; certification, then collective, then individual.
* owners: ``party-type`` 10 (original applicant) is the applicant, every
  later owner (20 at publication, 30 original registrant, 11-49 new owners)
  is an owner; the party type's text is kept in ``description``.  Its
  country is where it is, the address ``country``, as the ST.66 and ST.96
  readers have it; the ``nationality`` (a state of incorporation means US)
  only when no address country is given.
* first use: each ``classification``'s ``first-use-anywhere-date`` and
  ``first-use-in-commerce-date`` (partial ones such as ``18790000`` keep their
  precision), each distinct date once per role (``first_use``,
  ``first_use_in_commerce``), earliest first.
* goods: ``case-file-statement`` whose ``type-code`` is ``GS`` + 3-digit
  class + sequence digit; one :class:`ClassGoods` per statement, English.
  The class is the case's primary class, a US class in old cases, so it is
  the statement's Nice class only when it is among the ``international-code``
  classes.

>>> import io
>>> xml = (b"<case-file><serial-number>98763166</serial-number>"
...        b"<case-file-header><status-code>630</status-code>"
...        b"<mark-identification>SUVENEER</mark-identification></case-file-header>"
...        b"</case-file>")
>>> [r] = READER.read(io.BytesIO(xml), "x.xml")
>>> r.application_number, r.mark_text, r.status.value
('98763166', 'SUVENEER', 'pending')
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from lxml import etree

from marksearch.errors import MalformedInputError
from marksearch.formats import xmlsafe
from marksearch.formats.common import clean, first_use_dates, is_digits, nice_class, parse_date, vienna
from marksearch.formats.elements import own_text
from marksearch.formats.vocab import uspto_drawing, uspto_status
from marksearch.records import (
    ClassGoods,
    Entry,
    Feature,
    Kind,
    MarkDate,
    Party,
    Priority,
    Provenance,
    Record,
    Rejection,
    VerbalElement,
    unique,
)

__all__ = ["READER", "UsptoDailyReader", "party_type_text"]

_ROOTS = frozenset({"trademark-applications-daily", "case-file"})
_DOCTYPE = b"<!DOCTYPE trademark-applications-daily"
_PEEK = 64 * 1024  # the prolog published alone is the 14 KB DTD

# Kind flags in the order that decides: a certification or collective flag
# says more than the trademark/service-mark flag that may sit beside it.
_KIND_FLAGS = (
    ("certification-mark-in", Kind.CERTIFICATION),
    ("collective-trademark-in", Kind.COLLECTIVE),
    ("collective-service-mark-in", Kind.COLLECTIVE),
    ("collective-membership-mark-in", Kind.COLLECTIVE),
    ("trademark-in", Kind.INDIVIDUAL),
    ("service-mark-in", Kind.INDIVIDUAL),
)

# Header dates: element -> role.  expiry is not in the format.
_DATES = (
    ("filing-date", "filing"),
    ("registration-date", "registration"),
    ("status-date", "status"),
    ("published-for-opposition-date", "publication"),
    ("renewal-date", "renewal"),
    ("abandonment-date", "abandonment"),
    ("cancellation-date", "cancellation"),
)

_ADDRESS = ("address-1", "address-2", "city", "state", "postcode", "country")

_ORDINALS = ("1ST", "2ND", "3RD", "4TH", "5TH", "6TH", "7TH", "8TH", "9TH", "10TH")


def party_type_text(code: str | None) -> str | None:
    """USPTO owner party-type text (``10`` ORIGINAL APPLICANT, ``20`` OWNER AT PUBLICATION, ...).

    >>> party_type_text("30"), party_type_text("41")
    ('ORIGINAL REGISTRANT', '2ND NEW OWNER ENTERED AFTER REGISTRATION')
    """
    if code is None or not is_digits(code):
        return None
    value = int(code)
    fixed = {10: "ORIGINAL APPLICANT", 20: "OWNER AT PUBLICATION", 30: "ORIGINAL REGISTRANT"}
    if value in fixed:
        return fixed[value]
    if 11 <= value <= 19:
        return f"{_ORDINALS[value - 11]} NEW OWNER BEFORE PUBLICATION"
    if 21 <= value <= 29:
        return f"{_ORDINALS[value - 21]} NEW OWNER AFTER PUBLICATION"
    if 40 <= value <= 49:
        return f"{_ORDINALS[value - 40]} NEW OWNER ENTERED AFTER REGISTRATION"
    return None


class UsptoDailyReader:
    """Reads ``trademark-applications-daily`` files and bare ``case-file`` fragments."""

    name = "uspto-daily"
    description = "USPTO Trademark Daily XML (trademark-applications-daily, DTD V2.0)"

    def sniff(self, head: bytes) -> bool:
        # The DOCTYPE alone is enough when the 14 KB DTD fills a short head.
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return False  # a note that merely names the DOCTYPE is not a daily file
        return xmlsafe.sniff_root(head) in _ROOTS or _DOCTYPE in head[:4096]

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        head += stream.read(max(0, _PEEK - len(head)))
        more = stream.read(1)  # b"" only when the whole file is in head
        if not more and _prolog_only(head, source):
            return
        head += more
        for elem in xmlsafe.iter_records(stream, source, _CASE_FILE, head=head):
            yield _entry(elem, source)


READER = UsptoDailyReader()


def _prolog_only(data: bytes, source: str) -> bool:
    """True for a whole file that is just the daily file's opening: declaration and DTD.

    USPTO publishes that prolog on its own (it opens every daily file); it
    holds no records, so it reads as zero records rather than as broken XML.
    Anything cut inside the DTD, or followed by more text, is still an error
    from the parser, and entity declarations are still refused.
    """
    if _DOCTYPE not in data[:4096] or not data.rstrip().endswith(b"]>"):
        return False
    if xmlsafe.sniff_root(data) is not None:
        return False
    # Let the hardened parser judge the prolog: complete, well-formed, no entities.
    closed = io.BytesIO(data + b"<trademark-applications-daily/>")
    try:
        for _ in xmlsafe.iter_records(closed, source, _CASE_FILE):
            return False
    except MalformedInputError:
        return False
    return True


_CASE_FILE = frozenset({"case-file"})


def _entry(elem: etree._Element, source: str) -> Entry:
    position = f"line {elem.sourceline}"
    top = _index(elem)
    serial = _text(top.get("serial-number"))
    if serial is None:
        return Rejection(source, position, "case-file has no serial-number", _excerpt(elem))
    try:
        return _record(serial, top, Provenance(source, position))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # A value the record cannot hold (a class written ², ...): quarantine, go on.
        return Rejection(source, position, f"case-file {serial}: {exc or type(exc).__name__}", _excerpt(elem))


def _record(serial: str, top: dict[str, etree._Element], where: Provenance) -> Record:
    header = _leaves(top.get("case-file-header"))
    status, status_text = uspto_status(header.get("status-code"))
    feature, feature_raw = _feature(header)
    kind, kind_raw = _kind(header)
    nice, national = _classes(top.get("classifications"))
    mark = clean(header.get("mark-identification"))
    transaction = parse_date("as_of", _text(top.get("transaction-date")))
    ir = _leaves(top.get("international-registration"))
    return Record(
        office="US",
        application_number=serial,
        registration_number=_registration_number(_text(top.get("registration-number"))),
        international_registration_number=ir.get("international-registration-number"),
        verbal_elements=(VerbalElement(mark),) if mark else (),
        feature=feature,
        feature_raw=feature_raw,
        kind=kind,
        kind_raw=kind_raw,
        status=status,
        status_code=header.get("status-code"),
        status_text=status_text,
        dates=_dates(header, ir) + _first_use(top.get("classifications")),
        nice_classes=nice,
        national_classes=national,
        goods=_goods(top.get("case-file-statements"), nice),
        parties=_owners(top.get("case-file-owners")) + _representatives(header),
        vienna_codes=_design_codes(top.get("design-searches")),
        priorities=_priorities(top.get("foreign-applications")),
        as_of=transaction.value.isoformat() if transaction and transaction.value else None,
        provenance=where,
    )


# -- element access: one pass over the direct children of each element ------


def _index(elem: etree._Element | None) -> dict[str, etree._Element]:
    """First direct child of each local name (one pass; no subtree scans)."""
    out: dict[str, etree._Element] = {}
    if elem is None:
        return out
    for node in elem:
        tag = node.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        # Inlined xmlsafe.local: this loop runs for every element of a daily file.
        name = tag.rpartition("}")[2] if "}" in tag else tag
        if name not in out:
            out[name] = node
    return out


def _leaves(elem: etree._Element | None) -> dict[str, str]:
    """Stripped, non-empty texts of the direct children, by local name (first wins)."""
    out: dict[str, str] = {}
    if elem is None:
        return out
    for node in elem:
        tag = node.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        text = own_text(node)
        if text is None:
            continue
        text = text.strip()
        name = tag.rpartition("}")[2] if "}" in tag else tag
        if text and name not in out:
            out[name] = text
    return out


def _text(node: etree._Element | None) -> str | None:
    value = None if node is None else own_text(node)
    if value is None:
        return None
    return value.strip() or None


def _first_leaf(elem: etree._Element | None, name: str) -> str | None:
    return _leaves(elem).get(name) if elem is not None else None


def _excerpt(elem: etree._Element) -> str:
    raw = etree.tostring(elem, encoding="unicode")
    return " ".join(raw.split())[:300]


# -- field mapping ----------------------------------------------------------


def _registration_number(raw: str | None) -> str | None:
    # 0000000 is the format's "not registered".
    if raw is None or not raw.strip("0"):
        return None
    return raw


def _feature(header: dict[str, str]) -> tuple[Feature, str | None]:
    code = header.get("mark-drawing-code")
    if code is None:
        return Feature.UNKNOWN, None
    shape_3d = header.get("drawing-3d-current-in") == "T"
    feature = uspto_drawing(code, shape_3d=shape_3d)
    if feature is Feature.SHAPE_3D:  # a design: only the flag says it is a shape
        return feature, f"{code}; drawing-3d-current-in"
    return feature, code


def _kind(header: dict[str, str]) -> tuple[Kind, str | None]:
    flags = [flag for flag, _ in _KIND_FLAGS if header.get(flag) == "T"]
    kind = next((k for flag, k in _KIND_FLAGS if flag in flags), Kind.UNKNOWN)
    return kind, ", ".join(flags) or None


def _date(role: str, raw: str | None) -> MarkDate | None:
    # 0 and 00000000 are placeholders for "no date", not partial dates.
    if raw is None or not raw.strip("0"):
        return None
    return parse_date(role, raw)


def _dates(header: dict[str, str], ir: dict[str, str]) -> tuple[MarkDate, ...]:
    found = [_date(role, header.get(name)) for name, role in _DATES]
    found.append(_date("international_registration", ir.get("international-registration-date")))
    return tuple(d for d in found if d is not None)


# Each class's first-use claims: element -> role.
_FIRST_USE = (("first-use-anywhere-date", "first_use"), ("first-use-in-commerce-date", "first_use_in_commerce"))


def _first_use(elem: etree._Element | None) -> tuple[MarkDate, ...]:
    """The first-use dates the classes claim: each distinct one once per role, earliest first."""
    claims: list[tuple[str, str | None]] = []
    for cls in xmlsafe.children(elem, "classification") if elem is not None else ():
        leaves = _leaves(cls)
        claims.extend((role, leaves.get(name)) for name, role in _FIRST_USE)
    return first_use_dates(claims)


def _classes(elem: etree._Element | None) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Nice classes from ``international-code``; US classes (and non-Nice codes) raw."""
    nice: list[int] = []
    national: list[str] = []
    for cls in xmlsafe.children(elem, "classification") if elem is not None else ():
        for node in cls:
            value = _text(node)
            if value is None:
                continue
            name = xmlsafe.local(node.tag)
            if name == "international-code":
                number = nice_class(value)
                if number is not None:
                    nice.append(number)
                else:  # 200 (collective membership), A, B: US-only classes
                    national.append(value)
            elif name == "us-code":
                national.append(value)
    return tuple(dict.fromkeys(nice)), unique(national)


def _goods(elem: etree._Element | None, nice: tuple[int, ...]) -> tuple[ClassGoods, ...]:
    """One ClassGoods per GS statement.  The statement's code carries the case's primary class,
    which for an old case is a US class (``GS0211``: US class 21, electrical apparatus, not Nice 21,
    housewares): it names a Nice class only when that class is among the case's ``nice`` classes."""
    out = []
    for statement in xmlsafe.children(elem, "case-file-statement") if elem is not None else ():
        fields = _index(statement)
        code = _text(fields.get("type-code")) or ""
        if not code.startswith("GS"):
            continue
        # Several <text> children are allowed by the DTD; keep them all.
        text = " ".join(t for t in (_text(n) for n in xmlsafe.children(statement, "text")) if t)
        cls = nice_class(code[2:5])
        out.append(ClassGoods(nice_class=cls if cls in nice else None, text=text, language="en"))
    return tuple(out)


def _owners(elem: etree._Element | None) -> tuple[Party, ...]:
    if elem is None:
        return ()
    return tuple(_owner(_index(o)) for o in xmlsafe.children(elem, "case-file-owner"))


def _owner(fields: dict[str, etree._Element]) -> Party:
    leaves = {name: _text(node) for name, node in fields.items()}
    party_type = leaves.get("party-type")
    description = party_type_text(party_type)
    if description is None and party_type:
        description = f"party type {party_type}"
    address = [leaves.get(n) for n in _ADDRESS]
    return Party(
        role="applicant" if party_type == "10" else "owner",
        name=clean(leaves.get("party-name")),
        # Where the party is, as ST.66 and ST.96 give it; the nationality (a state of
        # incorporation, a citizenship) when the address names no country.
        country=leaves.get("country") or _nationality(fields.get("nationality")),
        address=", ".join(a for a in address if a) or None,
        description=description,
    )


def _nationality(elem: etree._Element | None) -> str | None:
    leaves = _leaves(elem)
    if "country" in leaves:
        return leaves["country"]
    # A US state of incorporation or citizenship means a US party.
    return "US" if "state" in leaves else None


def _representatives(header: dict[str, str]) -> tuple[Party, ...]:
    out = []
    for name, text in (("attorney-name", "ATTORNEY OF RECORD"),
                       ("domestic-representative-name", "DOMESTIC REPRESENTATIVE")):
        value = clean(header.get(name))
        if value:
            out.append(Party(role="representative", name=value, description=text))
    return tuple(out)


def _design_codes(elem: etree._Element | None) -> tuple[str, ...]:
    if elem is None:
        return ()
    codes = (vienna(_first_leaf(d, "code")) for d in xmlsafe.children(elem, "design-search"))
    return unique(c for c in codes if c)


def _priorities(elem: etree._Element | None) -> tuple[Priority, ...]:
    if elem is None:
        return ()
    out = []
    for app in xmlsafe.children(elem, "foreign-application"):
        leaves = _leaves(app)
        # Foreign registrations are also listed as a 44(e) basis; only a
        # claimed priority is a priority.
        if leaves.get("foreign-priority-claim-in") != "T":
            continue
        out.append(Priority(
            country=leaves.get("country") or leaves.get("other"),
            number=leaves.get("application-number"),
            date=_date("priority", leaves.get("filing-date")),
        ))
    return tuple(out)
