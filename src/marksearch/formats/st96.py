"""WIPO ST.96 trademark XML: the 2.x schema and the 1.0.1 draft (USPTO TSDR).

One :class:`~marksearch.records.Entry` per ``Trademark`` element, in file
order: ``operationCategory`` (or ST.66's ``operationCode``) Delete gives a
deletion; Insert, Update and none a record; any other a rejection.  Both
versions share one tree under different namespaces and a few renamed leaves
(``ImageFileName``/``FileName``,
``NationalDesignClassificationBag``/``NationalDesignSearchCodeBag``), so
elements are matched on local names and both spellings are accepted.
Everything about a mark, its applicants included, lives inside its
``Trademark`` element, so each is mapped and freed on its own.

Office words are mapped with :mod:`marksearch.formats.vocab` and elements read
with :mod:`marksearch.formats.elements`, as in the ST.66 reader.

>>> import io
>>> xml = (b'<TrademarkTransaction xmlns="http://www.wipo.int/standards/XMLSchema/ST96/Trademark"'
...        b' xmlns:com="http://www.wipo.int/standards/XMLSchema/ST96/Common">'
...        b'<TrademarkTransactionBody><TransactionContentBag><TransactionData><TrademarkBag>'
...        b'<Trademark><com:RegistrationOfficeCode>US</com:RegistrationOfficeCode>'
...        b'<com:ApplicationNumber><com:ApplicationNumberText>76044902</com:ApplicationNumberText>'
...        b'</com:ApplicationNumber><MarkCurrentStatusCode>800</MarkCurrentStatusCode></Trademark>'
...        b'</TrademarkBag></TransactionData></TransactionContentBag></TrademarkTransactionBody>'
...        b'</TrademarkTransaction>')
>>> READER.sniff(xml)
True
>>> [(e.key, e.status.value) for e in READER.read(io.BytesIO(xml), "x.xml")]
[(('US', '76044902'), 'registered')]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import IO

from lxml import etree

from marksearch.errors import RecordError
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
    attr,
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
from marksearch.formats.xmlsafe import iter_records
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
    Status,
    unique,
)
from marksearch.vocab_data import office_problem

__all__ = ["READER", "ST96Reader"]


def _walk(k: Kids, *path: str) -> list[Element]:
    """Every element at a path of local names below ``k`` (bags hold lists)."""
    nodes = k.get(path[0], [])
    for name in path[1:]:
        nodes = [n for parent in nodes for n in kids(parent).get(name, ())]
    return nodes


def _application_number(k: Kids) -> str | None:
    node = first(k, "ApplicationNumber")
    if node is None:
        return None
    # ST.96 structures it as {IPOfficeCode, ApplicationNumberText}; tolerate plain text.
    return number(ktext(kids(node), "ApplicationNumberText") or text(node))


def _registration_number(k: Kids) -> str | None:
    node = first(k, "RegistrationNumber")
    if node is None:
        return None
    reg = number(ktext(kids(node), "RegistrationNumberText") or text(node))
    return None if reg is None or reg.strip("0") == "" else reg  # 0000000 means none


def _status(k: Kids, office: str) -> tuple[Status, str | None, str | None]:
    code = ktext(k, "MarkCurrentStatusCode")
    national = kids(first(k, "NationalTrademarkInformation"))
    description = ktext(national, "MarkCurrentStatusExternalDescriptionText")
    if office == "US" and code is not None and is_digits(code):
        status, status_text = uspto_status(code, description)
        return status, code, status_text
    status = status_from_text(code)
    if status is Status.UNKNOWN:
        status = status_from_text(description)
    return status, code, description or code


def _feature(representation: Kids, office: str) -> tuple[Feature, str | None]:
    """The feature, and the office's own code or words for it.

    USPTO writes its drawing code (``NationalMarkDescription/MarkFeatureCode``) in both
    schema versions; 1.0.1 adds ``MarkFeatureCategory`` words
    (``TYPESET WORD(S) /LETTER(S) /NUMBER(S)``), 2.x does not.  The code comes first, so
    that the same mark read from either version is the same record (else re-ingesting
    both replaced one by the other every time).  Other offices: the category words.
    """
    category = ktext(representation, "MarkFeatureCategory")
    codes = _walk(representation, "MarkDescriptionBag", "NationalMarkDescription", "MarkFeatureCode")
    code = text(codes[0]) if codes else None
    if office == "US" and code is not None and (drawn := uspto_drawing(code)) is not Feature.UNKNOWN:
        return drawn, code
    feature = feature_from_text(category)
    if feature is not Feature.UNKNOWN:
        return feature, category
    return uspto_drawing(code), category or code


_IMAGE_NAMES = ("FileName", "ImageFileName")
# USPTO design search codes (Vienna-derived, 6 digits) and ST.96 Vienna leaves.
_DESIGN_CODES = frozenset({"NationalDesignSearchCode", "DesignSearchCode", "ViennaCode",
                           "NationalDesignClassificationCode", "CategoryCode"})


def _images(reproduction: Kids) -> tuple[tuple[str, ...], tuple[str, ...]]:
    images: list[str] = []
    codes: list[str] = []
    for image in _walk(reproduction, "MarkImageBag", "MarkImage"):
        ik = kids(image)
        ref = next((t for n in _IMAGE_NAMES if (t := ktext(ik, n))), None)
        if ref and not ref.lower().startswith("no image"):
            images.append(ref)
        # One MarkImage is a few elements, so a subtree walk here is cheap and
        # spares guessing the bag names of every ST.96 version.
        for node in image.iter(etree.Element):
            tag = node.tag
            name = tag[tag.rfind("}") + 1 :]
            if name in _DESIGN_CODES:
                if code := vienna(own_text(node), allow_division=True):
                    codes.append(code)
            elif name == "ViennaClassification":
                codes.extend(c for c in [_vienna_parts(kids(node))] if c)
    return unique(images), unique(codes)


def _vienna_parts(vk: Kids) -> str | None:
    parts = [ktext(vk, n) for n in ("ViennaCategory", "ViennaDivision", "ViennaSection")]
    return vienna(".".join(p for p in parts if p)) if all(parts) else None


def _classes(
    k: Kids, office: str
) -> tuple[tuple[int, ...], tuple[str, ...], tuple[ClassGoods, ...], tuple[MarkDate, ...]]:
    """Nice and national classes, goods, and the first-use dates the classes claim."""
    nice: set[int] = set()
    national: list[str] = []
    goods: list[ClassGoods] = []
    first_use: list[tuple[str, str | None]] = []
    # USPTO goods carry no languageCode: they are English (FORMATS.md 2.4).
    language = goods_language(office)
    for gs in _walk(k, "GoodsServicesBag", "GoodsServices"):
        gk = kids(gs)
        for c in _walk(gk, "GoodsServicesClassificationBag", "GoodsServicesClassification"):
            _classification(kids(c), nice, national)
        for cd in _walk(gk, "ClassDescriptionBag", "ClassDescription"):
            goods.extend(_class_goods(kids(cd), language))
        for basis in _walk(gk, "NationalFilingBasis"):
            bk = kids(basis)
            first_use += [("first_use", ktext(bk, "FirstUsedDate")),
                          ("first_use_in_commerce", ktext(bk, "FirstUsedCommerceDate"))]
    return tuple(sorted(nice)), unique(national), tuple(goods), first_use_dates(first_use)


def _classification(ck: Kids, nice: set[int], national: list[str]) -> None:
    """One class entry: Nice and Primary kinds give ClassNumber; Domestic/National a US class."""
    raw = ktext(ck, "ClassNumber")
    cls = nice_class(raw)
    if cls is not None:
        nice.add(cls)
    elif raw:
        national.append(raw)  # a USPTO prime class that is not a Nice class (A, B, 200)
    if raw_national := ktext(ck, "NationalClassNumber"):
        national.append(raw_national)


def _class_goods(ck: Kids, language: str | None) -> list[ClassGoods]:
    """One class's goods per language; ``language`` for texts that name none."""
    cls = nice_class(ktext(ck, "ClassNumber"))
    by_language: dict[str | None, list[str]] = {}
    for node in ck.get("GoodsServicesDescriptionText", ()):
        if value := (own_text(node) or "").strip():
            lang = attr(node, "languageCode")
            by_language.setdefault(lang.lower() if lang else language, []).append(value)
    # Several sequence-numbered texts in one language are one class's goods.
    return [ClassGoods(cls, "; ".join(v), lang) for lang, v in by_language.items()]


def _dates(k: Kids) -> tuple[MarkDate, ...]:
    national = kids(first(k, "NationalTrademarkInformation"))
    found = [
        parse_date("filing", ktext(k, "ApplicationDate")),
        parse_date("registration", ktext(k, "RegistrationDate")),
        parse_date("expiry", ktext(k, "ExpiryDate")),
    ]
    for pub in _walk(k, "PublicationBag", "Publication"):
        found.append(parse_date("publication", ktext(kids(pub), "PublicationDate")))
    found.append(parse_date("status", ktext(k, "MarkCurrentStatusDate")))
    found.append(parse_date("renewal", ktext(national, "RenewalDate")))
    return tuple(d for d in found if d is not None)


# --------------------------------------------------------------------------
# Parties: ST.96 Contact blocks.

# What USPTO calls each representative; the same words as its ST.66 Comment.
_REPRESENTATIVES = (
    ("RecordAttorney", "Attorney of Record"),
    ("NationalCorrespondent", "Domestic Correspondent"),
    ("NationalRepresentative", "Domestic Representative"),
    ("Representative", None),
)


def _parties(k: Kids) -> tuple[Party, ...]:
    out: list[Party] = []
    for node in _walk(k, "ApplicantBag", "Applicant"):
        out.extend(p for p in [_party(node, "applicant", None)] if p)
    # USPTO lists every owner of the case as an Applicant, its role in CommentText:
    # ORIGINAL APPLICANT is the applicant, OWNER AT PUBLICATION, ORIGINAL REGISTRANT and
    # later owners are owners (as the ST.66 and daily XML readers have them).
    out = [dataclasses.replace(p, role=owner_role(None, p.description)) if p.role == "applicant" else p
           for p in out]
    for name, default in _REPRESENTATIVES:
        nodes = k.get(name, []) + _walk(k, name + "Bag", name)
        out.extend(p for n in nodes if (p := _party(n, "representative", default)))
    return tuple(out)


def _party(node: Element, role: str, default: str | None) -> Party | None:
    pk = kids(node)
    contact = kids(first(pk, "Contact"))
    name = _contact_name(first(contact, "Name"))
    ident = ktext(pk, "PartyIdentifier") or ktext(pk, "ApplicantIdentifier")
    if name is None and ident is None:
        return None  # USPTO writes an empty NationalRepresentative when there is none
    address, address_country = _postal(contact)
    country = address_country or ktext(pk, "IncorporationCountryCode") or ktext(pk, "NationalityCode")
    # USPTO puts the owner's role (ORIGINAL REGISTRANT ...) in CommentText,
    # sometimes inside a Version element.
    comment = ktext(pk, "CommentText") or ktext(kids(first(pk, "Version")), "CommentText")
    return Party(role, name, ident, country, address, comment or default)


def _contact_name(node: Element | None) -> str | None:
    nk = kids(node)
    entity = clean(ktext(nk, "EntityName"))
    if entity:
        return entity
    names: list[str] = []
    for person in nk.get("PersonName", ()):
        pk = kids(person)
        full = ktext(pk, "PersonFullName") or " ".join(
            t for n in ("FirstName", "MiddleName", "LastName") if (t := ktext(pk, n))
        )
        if full:
            names.append(full)
    for org in nk.get("OrganizationName", ()):
        if org_name := ktext(kids(org), "OrganizationStandardName"):
            names.append(org_name)
    return ", ".join(unique(t for n in names if (t := clean(n)))) or None


def _postal(contact: Kids) -> tuple[str | None, str | None]:
    parts: list[str] = []
    country: str | None = None
    for postal in _walk(contact, "PostalAddressBag", "PostalAddress"):
        pk = kids(postal)
        for structured in pk.get("PostalStructuredAddress", ()):
            sk = kids(structured)
            country = country or ktext(sk, "CountryCode")
            lines = [*(text(n) for n in sk.get("AddressLineText", ())),
                     *(ktext(sk, n) for n in ("CityName", "GeographicRegionName", "PostalCode"))]
            parts.extend(t for t in lines if t)
        parts.extend(t for n in pk.get("PostalAddressText", ()) if (t := clean(own_text(n))))
    return ", ".join(parts) or None, country


def _priorities(k: Kids) -> tuple[Priority, ...]:
    out = []
    for node in _walk(k, "PriorityBag", "Priority"):
        pk = kids(node)
        num = ktext(pk, "PriorityNumber") or _application_number(pk)
        date = parse_date("priority", ktext(pk, "PriorityDate"))
        out.append(Priority(ktext(pk, "PriorityCountryCode"), number(num), date))
    return tuple(out)


# --------------------------------------------------------------------------
# One Trademark element to one entry.


def _record(k: Kids, office: str, app: str, prov: Provenance, header_as_of: str | None) -> Record:
    representation = kids(first(k, "MarkRepresentation"))
    reproduction = kids(first(representation, "MarkReproduction"))
    status, status_code, status_text = _status(k, office)
    feature, feature_raw = _feature(representation, office)
    nice, national, goods, first_use = _classes(k, office)
    images, codes = _images(reproduction)
    dates = _dates(k) + first_use
    categories = [t for n in k.get("MarkCategory", ()) if (t := text(n))]
    kind_raw = ", ".join(categories) or None
    languages = (ktext(k, "ApplicationLanguageCode"), ktext(k, "SecondLanguageCode"))
    return Record(
        office=office,
        application_number=app,
        registration_number=_registration_number(k),
        international_registration_number=number(ktext(k, "InternationalRegistrationNumber")),
        verbal_elements=verbal_elements(kids(first(reproduction, "WordMarkSpecification"))),
        feature=feature,
        feature_raw=feature_raw,
        kind=kind_from_text(kind_raw),
        kind_raw=kind_raw,
        status=status,
        status_code=status_code,
        status_text=status_text,
        dates=dates,
        nice_classes=nice,
        national_classes=national,
        goods=goods,
        parties=_parties(k),
        vienna_codes=codes,
        images=images,
        priorities=_priorities(k),
        languages=unique(c.lower() for c in languages if c),
        as_of=as_of(dates, header_as_of),
        provenance=prov,
    )


_OPERATIONS = ("insert", "update", "delete")


def _operation(elem: Element) -> str:
    """``insert``, ``update`` or ``delete``; no code is an Insert, any other is refused (as in ST.66)."""
    # ST.96 names it operationCategory; some producers keep ST.66's operationCode.
    name = "operationCategory" if attr(elem, "operationCategory") else "operationCode"
    raw = attr(elem, name)
    op = (raw or "insert").lower()
    if op not in _OPERATIONS:
        raise RecordError(f"unknown {name} {raw!r} (Insert, Update or Delete)")
    return op


def trademark_entry(elem: Element, source: str, header_as_of: str | None) -> Entry:
    """One ST.96 ``Trademark`` element as a record, a deletion or a rejection."""
    try:
        k = kids(elem)
        office = ktext(k, "RegistrationOfficeCode")
        app = _application_number(k)
        if not office or not app:
            raise RecordError("Trademark lacks RegistrationOfficeCode or ApplicationNumber")
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
        return rejection(elem, source, str(exc) or type(exc).__name__)


# --------------------------------------------------------------------------
# The reader.

_WANTED = frozenset({"Trademark", "RequestProducerDateTime"}).__contains__
_ST96_HINTS = (b"/XMLSchema/ST96/", b"/XMLSchema/Trademark/1", b"TrademarkTransactionBody")


class ST96Reader:
    """Reader for WIPO ST.96 trademark XML (2.x and the 1.0.1 draft)."""

    name = "st96"
    description = "WIPO ST.96 trademark XML (USPTO TSDR; schema 2.x and 1.0.1 draft)"

    def sniff(self, head: bytes) -> bool:
        # ST.96 1.0.1 has a root named Transaction like ST.66; its namespace tells them apart.
        return sniff_root_and_hints(head, ("TrademarkTransaction", "Transaction"), _ST96_HINTS, ())

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        header_as_of: str | None = None
        for elem in iter_records(stream, source, _WANTED, head=head):
            tag = elem.tag
            if tag[tag.rfind("}") + 1 :] == "Trademark":
                yield trademark_entry(elem, source, header_as_of)
            else:
                produced = parse_date("produced", own_text(elem))
                if produced is not None and produced.value is not None:
                    header_as_of = produced.value.isoformat()


READER = ST96Reader()
