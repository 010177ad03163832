"""WIPO ST.66 trademark XML: EUIPO open data, USPTO TSDR and TMview national feeds.

One :class:`~marksearch.records.Entry` per ``TradeMark`` element, in file
order: ``operationCode="Delete"`` gives a :class:`Deletion`; Insert, Update
(a full replacement in EUIPO's feed) and no code give a :class:`Record`; any
other code a :class:`~marksearch.records.Rejection` (the run goes on).
Elements are matched on local names only, because every office uses its own
default namespace (EUIPO, WIPO, ``ro.tmview``, ``gb.tmview``, ``ns2:`` roots).

Memory stays bounded by one ``TradeMark``: the parser hands over each one and
frees it.  The USPTO profile and TMview GB put applicants *beside* the
``TradeMark`` in the same ``TransactionData``; so the first ``TradeMark`` of a
transaction is held back (as a finished record, not as XML) until either the
transaction ends, when its party references are resolved, or a second
``TradeMark`` shows that this is a bulk feed, when it is let go unchanged.

Office words are mapped with :mod:`marksearch.formats.vocab` (USPTO TSDR
records through the USPTO status-code table, EUIPO and TMview ones through
their status words); element access is :mod:`marksearch.formats.elements`.

>>> import io
>>> xml = (b'<Transaction xmlns="http://euipo.europa.eu/trademark/data">'
...        b'<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>'
...        b'<TradeMarkDetails><TradeMark operationCode="Insert">'
...        b'<RegistrationOfficeCode>EM</RegistrationOfficeCode>'
...        b'<ApplicationNumber>018222202</ApplicationNumber>'
...        b'</TradeMark></TradeMarkDetails></TransactionData>'
...        b'</TransactionContentDetails></TradeMarkTransactionBody></Transaction>')
>>> READER.sniff(xml)
True
>>> [e.key for e in READER.read(io.BytesIO(xml), "x.xml")]
[('EM', '018222202')]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import IO

from marksearch.errors import MalformedInputError, RecordError
from marksearch.formats.common import (
    clean,
    first_use_dates,
    goods_language,
    is_digits,
    nice_class,
    owner_role,
    parse_date,
    snapshot_as_of,
    vienna,
)
from marksearch.formats.elements import (
    Element,
    Kids,
    as_of,
    elements,
    first,
    kids,
    ktext,
    number,
    own_text,
    rejection,
    sniff_root_and_hints,
    text,
    verbal_elements,
)
from marksearch.formats.vocab import (
    feature_from_text,
    kind_from_text,
    status_from_text,
    uspto_drawing,
    uspto_status,
)
from marksearch.formats.xmlsafe import iter_records, local
from marksearch.records import (
    ClassGoods,
    Deletion,
    Entry,
    Feature,
    MarkDate,
    Party,
    Priority,
    Provenance,
    Record,
    Seniority,
    Status,
    unique,
)
from marksearch.vocab_data import office_problem

__all__ = ["READER", "ST66Reader", "full_party", "trademark_entry"]

# --------------------------------------------------------------------------
# Fields of one ST.66 TradeMark.


def _status(k: Kids, office: str) -> tuple[Status, str | None, str | None]:
    node = first(k, "MarkCurrentStatusCode")
    raw = text(node)
    if office == "US" and raw is not None and is_digits(raw):
        ext = kids(first(k, "TradeMarkExt"))
        description = ktext(ext, "MarkCurrentStatusExternalDescriptionText")
        status, status_text = uspto_status(raw, description)
        return status, raw, status_text
    code = None
    if node is not None and (node.get("milestone") or node.get("status")):
        # EUIPO's own code: milestone/status, e.g. "23/1" for Registered.
        code = f"{node.get('milestone') or ''}/{node.get('status') or ''}"
    return status_from_text(raw), code, raw


def _feature(k: Kids) -> tuple[Feature, str | None]:
    raw = ktext(k, "MarkFeature")
    feature = feature_from_text(raw)
    if feature is Feature.UNKNOWN:
        code = ktext(kids(first(k, "TradeMarkExt")), "MarkFeatureCode")
        feature = uspto_drawing(code)
        raw = raw or code
    return feature, raw


# A bulk feed repeats the same few thousand dates (filing days, gazette days);
# MarkDate is frozen, so one parsed value can serve every record that has it.
_date = functools.lru_cache(maxsize=4096)(parse_date)


def _dates(k: Kids) -> tuple[MarkDate, ...]:
    found = [
        _date("filing", ktext(k, "ApplicationDate")),
        _date("registration", ktext(k, "RegistrationDate")),
        _date("expiry", ktext(k, "ExpiryDate")),
    ]
    for details in k.get("PublicationDetails", ()):
        for pub in elements(details):
            found.append(_date("publication", ktext(kids(pub), "PublicationDate")))
    found.append(_date("status", ktext(k, "MarkCurrentStatusDate")))
    return tuple(d for d in found if d is not None)


class _Goods:
    """What the classes of one TradeMark give: Nice and national classes, goods, first-use claims."""

    def __init__(self, office: str) -> None:
        self.nice: set[int] = set()
        self.national: list[str] = []
        self.goods: list[ClassGoods] = []
        self.first_use: list[tuple[str, str | None]] = []
        # USPTO goods carry no languageCode: they are English (FORMATS.md 2.2).
        self.language = goods_language(office)


def _goods(k: Kids, office: str) -> _Goods:
    found = _Goods(office)
    for details in k.get("GoodsServicesDetails", ()):
        for gs in elements(details):
            for cdd in kids(gs).get("ClassDescriptionDetails", ()):
                for cd in elements(cdd):
                    _class_description(cd, found)
    return found


# USPTO: ClassDescriptionExt/FilingBasisDetails, the first use each class claims.
_FIRST_USE = (("{*}FirstUseDateNumber", "first_use"), ("{*}FirstUseInCommerceDate", "first_use_in_commerce"))


def _class_description(cd: Element, found: _Goods) -> None:
    nice, national, goods, language = found.nice, found.national, found.goods, found.language
    # The hot loop of EUIPO ingest (up to 23 languages per class): let lxml pick
    # the children by name in C rather than building every tag string in Python.
    raw = next((text(n) for n in cd.iterchildren("{*}ClassNumber")), None)
    cls = nice_class(raw)
    if cls is not None:
        nice.add(cls)
    elif raw:
        national.append(raw)
    # Texts keep their inner spacing: the 587-file EUIPO sample holds 27 million
    # characters of goods, and scanning them for runs of blanks cost more than
    # the rest of the mapping together (6 texts in 30,000 had any).
    for node in cd.iterchildren("{*}GoodsServicesDescription"):
        # own_text's fast path inline (a call per text cost 2% of the read): .text read once,
        # the text nodes joined only where a comment or processing instruction splits them.
        value = node.text if not len(node) else own_text(node)
        if not value:
            continue
        if value[0].isspace() or value[-1].isspace():  # strip copies the text: most need none
            value = value.strip()
            if not value:
                continue
        lang = node.get("languageCode")
        goods.append(ClassGoods(cls, value, lang.lower() if lang else language))
    for ext in cd.iterchildren("{*}ClassDescriptionExt"):
        # USPTO: the old US classes behind each Nice class (021, 100, ...).
        national.extend(t for n in ext.iterchildren("{*}DomesticClassNumbers") if (t := text(n)))
        for basis in ext.iterchildren("{*}FilingBasisDetails"):
            found.first_use.extend((role, text(n)) for tag, role in _FIRST_USE for n in basis.iterchildren(tag))


_NO_IMAGE = "no image"
_IMAGE_NAMES = ("MarkImageURI", "MarkImageFileName", "MarkImageFilename", "FileName")


def _images(k: Kids) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Image references and Vienna codes (normalised, deduplicated: RO repeats each 5x).

    EUIPO writes some divisions without a section (``28.03``); they are kept as ``CC.DD``.
    """
    images: list[str] = []
    codes: list[str] = []
    for details in k.get("MarkImageDetails", ()):
        for image in elements(details):
            ik = kids(image)
            ref = next((t for n in _IMAGE_NAMES if (t := ktext(ik, n))), None)
            if ref and not ref.lower().startswith(_NO_IMAGE):
                images.append(ref)
            for category in ik.get("MarkImageCategory", ()):
                for ccd in kids(category).get("CategoryCodeDetails", ()):
                    texts = (own_text(n) for n in elements(ccd))
                    codes.extend(c for t in texts if (c := vienna(t, allow_division=True)))
    return unique(images), unique(codes)


def _priorities(k: Kids) -> tuple[Priority, ...]:
    out = []
    for details in k.get("PriorityDetails", ()):
        for node in elements(details):
            pk = kids(node)
            date = parse_date("priority", ktext(pk, "PriorityDate"))
            country, num = ktext(pk, "PriorityCountryCode"), number(ktext(pk, "PriorityNumber"))
            out.append(Priority(country, num, date))
    return tuple(out)


def _seniorities(k: Kids) -> tuple[Seniority, ...]:
    out = []
    for details in k.get("SeniorityDetails", ()):
        for node in elements(details):
            sk = kids(node)
            # The earlier mark's filing date decides seniority; its registration
            # date stands in when the filing date is missing.
            raw = ktext(sk, "SeniorityFilingDate") or ktext(sk, "SeniorityRegistrationDate")
            out.append(
                Seniority(
                    ktext(sk, "SeniorityCountryCode"),
                    number(ktext(sk, "SeniorityApplicationNumber")),
                    number(ktext(sk, "SeniorityRegistrationNumber")),
                    parse_date("seniority", raw),
                )
            )
    return tuple(out)


def _languages(k: Kids) -> tuple[str, ...]:
    codes = (ktext(k, "ApplicationLanguageCode"), ktext(k, "SecondLanguageCode"))
    return unique(c.lower() for c in codes if c)


# --------------------------------------------------------------------------
# Parties.  EUIPO gives keys only (names live in EUIPO's separate applicant
# files); USPTO and TMview GB give full Applicant/Representative elements.


def _key_identifier(key: Element) -> str | None:
    kk = kids(key)
    ident = ktext(kk, "Identifier")
    if ident:
        return ident
    uri = ktext(kk, "URI")
    if uri is None:
        return None
    # TMview GB: http://www.ipo.gov.uk/trademark/applicant/507772 -> 507772, the
    # ApplicantIdentifier of the full Applicant element, so both spell one key.
    return uri.rstrip("/").rpartition("/")[2] or uri


def _parties(k: Kids, prefix: str, role: str) -> list[Party]:
    out: list[Party] = []
    for details in k.get(prefix + "Details", ()):
        for node in elements(details):
            if (node.get("operationCode") or "").lower() == "delete":
                continue  # EUIPO update notices name the parties they remove
            name = local(node.tag)
            if name == prefix + "Key":
                ident = _key_identifier(node)
                if ident:
                    out.append(Party(role, identifier=ident))
            elif name == prefix:
                party = full_party(node, prefix, role)
                if party is not None:
                    out.append(party)
    return out


def full_party(node: Element, prefix: str, role: str) -> Party | None:
    """An ST.66 ``Applicant`` or ``Representative`` element; ``None`` when empty."""
    pk = kids(node)
    name, address, address_country = _address_book(first(pk, prefix + "AddressBook"))
    ident = ktext(pk, prefix + "Identifier")
    if name is None and ident is None:
        return None
    # The country where the party is (its address) first; the incorporation or
    # nationality country when no address country is given.
    country = (
        address_country
        or ktext(pk, prefix + "IncorporationCountryCode")
        or ktext(pk, prefix + "NationalityCode")
    )
    ext = kids(first(pk, prefix + "Ext"))
    description = ktext(pk, "Comment") or ktext(ext, "PartyTypeDescriptionText")
    if role == "applicant":
        # USPTO lists every owner of the case as an Applicant: 10 ORIGINAL APPLICANT is the
        # applicant, 20 OWNER AT PUBLICATION and 30 ORIGINAL REGISTRANT are owners, as in
        # the daily XML.
        role = owner_role(ktext(ext, "PartyTypeCode"), description)
    return Party(role, name, ident, country, address, description)


def _address_book(book: Element | None) -> tuple[str | None, str | None, str | None]:
    """Name, one-line address and address country from an ST.66 address book."""
    fna = kids(first(kids(book), "FormattedNameAddress"))
    name = _name(first(fna, "Name"))
    address, country = _address(first(fna, "Address"))
    return name, address, country


def _name(node: Element | None) -> str | None:
    nk = kids(node)
    lines: list[str] = []
    for free in nk.get("FreeFormatName", ()):
        for details in kids(free).get("FreeFormatNameDetails", ()):
            lines.extend(t for n in elements(details) if (t := clean(own_text(n))))
    for formatted in nk.get("FormattedName", ()):
        fk = kids(formatted)
        person = " ".join(t for n in ("FirstName", "MiddleName", "LastName") if (t := ktext(fk, n)))
        lines.extend(t for t in (person, ktext(fk, "OrganizationName")) if t)
    return ", ".join(unique(lines)) or None


def _address(node: Element | None) -> tuple[str | None, str | None]:
    ak = kids(node)
    country = ktext(ak, "AddressCountryCode")
    parts: list[str] = []
    for formatted in ak.get("FormattedAddress", ()):
        for part in elements(formatted):
            tag = local(part.tag)
            if tag.endswith("CountryCode"):
                country = country or text(part)
            elif not tag.endswith("Ext") and (t := clean(own_text(part))):
                parts.append(t)
    for free in ak.get("FreeFormatAddress", ()):
        for line in elements(free):
            tag = local(line.tag)
            if tag.endswith("CountryCode"):
                country = country or text(line)
            elif t := clean(own_text(line)):
                parts.append(t)
    return ", ".join(parts) or None, country


# --------------------------------------------------------------------------
# One TradeMark element to one entry.


_OPERATIONS = ("insert", "update", "delete")


def _operation(elem: Element) -> str:
    """``insert``, ``update`` or ``delete``; no code (or a blank one) is an Insert.

    Any other code is refused rather than read as an Insert: a misspelt ``Deleted`` would
    otherwise bring back the mark it meant to remove.
    """
    raw = elem.get("operationCode")
    op = (raw or "").strip().lower() or "insert"
    if op not in _OPERATIONS:
        raise RecordError(f"unknown operationCode {raw!r} (Insert, Update or Delete)")
    return op


def _record(k: Kids, office: str, app: str, prov: Provenance, header_as_of: str | None) -> Record:
    status, status_code, status_text = _status(k, office)
    feature, feature_raw = _feature(k)
    found = _goods(k, office)
    images, codes = _images(k)
    dates = _dates(k) + first_use_dates(found.first_use)
    kind_raw = ktext(k, "KindMark")
    return Record(
        office=office,
        application_number=app,
        registration_number=_registration_number(k, office, app),
        international_registration_number=number(ktext(k, "InternationalRegistrationNumber")),
        verbal_elements=verbal_elements(kids(first(k, "WordMarkSpecification"))),
        feature=feature,
        feature_raw=feature_raw,
        kind=kind_from_text(kind_raw),
        kind_raw=kind_raw,
        status=status,
        status_code=status_code,
        status_text=status_text,
        dates=dates,
        nice_classes=tuple(sorted(found.nice)),
        national_classes=unique(found.national),
        goods=tuple(found.goods),
        parties=(
            *_parties(k, "Applicant", "applicant"),
            *_parties(k, "Representative", "representative"),
        ),
        vienna_codes=codes,
        images=images,
        priorities=_priorities(k),
        seniorities=_seniorities(k),
        languages=_languages(k),
        as_of=as_of(dates, header_as_of),
        provenance=prov,
    )


def _registration_number(k: Kids, office: str, app: str) -> str | None:
    reg = number(ktext(k, "RegistrationNumber"))
    if reg is not None and reg.strip("0") == "":
        reg = None  # USPTO writes 0000000 for "none"
    if reg is None and office == "EM" and first(k, "RegistrationDate") is not None:
        # An EUTM keeps its application number when registered; EUIPO's feed has
        # no RegistrationNumber, and a RegistrationDate marks a registered mark
        # (including later cancelled, expired or surrendered ones).
        reg = app
    return reg


def trademark_entry(elem: Element, source: str, header_as_of: str | None) -> Entry:
    """One ST.66 ``TradeMark`` element as a record, a deletion or a rejection."""
    try:
        k = kids(elem)
        office = ktext(k, "RegistrationOfficeCode")
        app = number(ktext(k, "ApplicationNumber"))
        if not office or not app:
            raise RecordError("TradeMark lacks RegistrationOfficeCode or ApplicationNumber")
        if (problem := office_problem(office)) is not None:
            # As the CSV and JSON Lines readers do: a record filed under a code that search
            # cannot filter on (UK for GB) is quarantined rather than stored out of reach.
            raise RecordError(f"RegistrationOfficeCode {problem}")
        prov = Provenance(source=source, position=f"line {elem.sourceline}")
        if _operation(elem) == "delete":
            status_date = parse_date("status", ktext(k, "MarkCurrentStatusDate"))
            return Deletion(office.upper(), app, prov, as_of=snapshot_as_of(status_date, header_as_of))
        return _record(k, office.upper(), app, prov, header_as_of)
    except (RecordError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # One bad record goes to quarantine; a bulk file of thousands goes on.
        return rejection(elem, source, str(exc) or type(exc).__name__)


# --------------------------------------------------------------------------
# Transactions: hold the first record until we know where its parties are.


class _Transaction:
    """Reading state across the elements of one ``TransactionData``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.header_as_of: str | None = None
        self.count = 0
        self.held: Record | None = None
        # The held record's (emptied) element: only asked whether a TradeMark began after it.
        self.held_at: Element | None = None

    def trademark(self, elem: Element) -> Iterator[Entry]:
        entry = trademark_entry(elem, self.source, self.header_as_of)
        self.count += 1
        if self.held is not None:  # a second TradeMark: a bulk feed, no outside parties
            yield self.held
            self.held = self.held_at = None
        if self.count == 1 and isinstance(entry, Record):
            self.held, self.held_at = entry, elem
        else:
            yield entry

    def close(self, data: Element | None) -> Iterator[Entry]:
        """End of a ``TransactionData`` (or of the file): let the held record go."""
        if self.held is not None:
            yield _resolve(self.held, data) if data is not None else self.held
        self.held = self.held_at = None
        self.count = 0

    def broken(self) -> Iterator[Entry]:
        """The file is not well-formed past here: let the held record go if a second TradeMark
        had begun beside it (a bulk feed, as in :meth:`trademark`).  A record still waiting for
        the parties of its transaction would go without them: it is dropped with the transaction."""
        at = self.held_at
        if self.held is not None and at is not None and next(at.itersiblings("{*}TradeMark"), None) is not None:
            yield self.held
        self.held = self.held_at = None


def _resolve(record: Record, data: Element) -> Record:
    """Fill a record's parties from ``Applicant``/``Representative`` beside its TradeMark."""
    dk = kids(data)
    applicants = _parties(dk, "Applicant", "applicant")
    representatives = _parties(dk, "Representative", "representative")
    if not applicants and not representatives:
        return record
    parties = [
        *_merge(record.parties_in("applicant", "owner"), applicants),
        *_merge(record.parties_in("representative"), representatives),
    ]
    return dataclasses.replace(record, parties=tuple(parties))


def _merge(own: tuple[Party, ...], outside: list[Party]) -> tuple[Party, ...]:
    """Replace key-only parties by the full ones with the same identifier.

    USPTO TradeMarks carry no applicant at all: then every outside one is theirs
    (one case per transaction).
    """
    if not own:
        return tuple(outside)
    by_id = {p.identifier: p for p in outside if p.identifier}
    return tuple(by_id.get(p.identifier or "", p) if p.name is None else p for p in own)


# --------------------------------------------------------------------------
# The reader.

_WANTED = frozenset({"TradeMark", "TransactionData", "RequestProducerDateTime"}).__contains__
_ST66_HINTS = (
    b"euipo.europa.eu/trademark",
    b"oami.europa.eu/TM-Search",
    b"tmview.europa.eu/trademark",
    b"http://www.wipo.int/standards/XMLSchema/trademarks",
    b"TradeMark",
)
# ST.96 1.0.1 also has a root named Transaction; its namespaces say it is not ours.
_ST96_HINTS = (b"/XMLSchema/Trademark/1", b"/XMLSchema/ST96/", b"/XMLSchema/Common/1")


class ST66Reader:
    """Reader for WIPO ST.66 trademark XML."""

    name = "st66"
    description = "WIPO ST.66 trademark XML (EUIPO open data, USPTO TSDR, TMview national feeds)"

    def sniff(self, head: bytes) -> bool:
        return sniff_root_and_hints(head, ("Transaction",), _ST66_HINTS, _ST96_HINTS)

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        tx = _Transaction(source)
        try:
            for elem in iter_records(stream, source, _WANTED, head=head):
                tag = elem.tag
                name = tag[tag.rfind("}") + 1 :]
                if name == "TradeMark":
                    yield from tx.trademark(elem)
                elif name == "TransactionData":
                    yield from tx.close(elem)
                else:
                    produced = parse_date("produced", own_text(elem))
                    if produced is not None and produced.value is not None:
                        tx.header_as_of = produced.value.isoformat()
        except MalformedInputError:
            yield from tx.broken()  # the records read before the problem are kept
            raise
        yield from tx.close(None)


READER = ST66Reader()
