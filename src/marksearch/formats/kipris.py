"""KIPRIS Plus (KIPO) Open-API XML reader.

A KIPRIS Plus answer is ``/response/{header/{resultCode, resultMsg},
body/items/...}``, flat and without namespaces, several values packed into one
element with ``|``.  Two item kinds are read:

``TradeMarkInfo`` (trademark search, applicant search)
    One record each, office ``KR``, keyed by the 13-digit
    ``ApplicationNumber``.  ``Title`` becomes the verbal elements (see
    :func:`verbal_elements`); ``ApplicationStatus`` (Korean words) the status
    through :data:`STATUSES`; ``ApplicantName`` the applicants,
    ``RegistrationRightholderName`` the owners, ``AgentName`` the
    representatives; ``ImagePath`` and ``ThumbnailPath`` the images.  The
    endpoint says nothing of kind or feature: kind stays unknown, and feature
    is ``figurative`` when the title is empty and Vienna codes are present (a
    pure device mark), otherwise unknown.  There is no snapshot date, so
    ``as_of`` is ``None``.

``trademarkDesignationGoodstInfo`` (designated goods of one application)
    Nice class, KIPO similar-group code and the Korean (and rarely English)
    name of each designated good.  The items do **not** name the
    application: the number is only a parameter of the request, which a saved
    response does not keep.  So the number comes from the caller,
    ``READER.for_application("4020190000011")``, or else from the file's own
    name, when it holds one application number (``4020190000011.xml``,
    ``goods_4020190000011.xml``: how a response is saved per application).
    The reader then yields one :class:`GoodsAddition` holding the key, the
    classes and the goods (one :class:`ClassGoods` per class and language,
    terms joined with ``"; "``, similar-group codes of the class in
    ``similar_groups``): a store adds them to the record it holds under that
    key, never stores them as a record of their own, and quarantines them
    when it holds no such record.  Without a number the reader yields one
    :class:`Rejection` for the whole response, saying how to name the file.

An error answer (``resultCode`` neither empty nor ``00``) raises
:class:`InputError` naming the file and the office's code and message.

>>> import io
>>> xml = ("<response><header><resultCode></resultCode></header><body><items>"
...        "<TradeMarkInfo><ApplicationNumber>4020200209515</ApplicationNumber>"
...        "<ApplicationStatus>등록</ApplicationStatus><Title>라잇템 Right tem</Title>"
...        "</TradeMarkInfo></items></body></response>").encode()
>>> [r] = READER.read(io.BytesIO(xml), "x.xml")
>>> r.status.value, [(v.text, v.script) for v in r.verbal_elements]
('registered', [('라잇템', 'Hang'), ('Right tem', 'Latn')])
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import zip_longest
from typing import IO

from lxml import etree

from marksearch.errors import InputError, UsageError
from marksearch.formats import xmlsafe
from marksearch.formats.common import nice_class, parse_date, split_pipes, vienna
from marksearch.formats.elements import own_text
from marksearch.records import (
    ClassGoods,
    Entry,
    Feature,
    GoodsAddition,
    MarkDate,
    Party,
    Priority,
    Provenance,
    Record,
    Rejection,
    Status,
    VerbalElement,
    unique,
)

__all__ = ["READER", "RESULT_CODES", "STATUSES", "KiprisReader", "number_in_name", "verbal_elements", "with_goods"]

# ApplicationStatus words (KIPRIS Plus; SOURCES.md of the samples).
STATUSES: Mapping[str, Status] = {
    "출원": Status.PENDING,  # filed
    "공고": Status.PENDING,  # published for opposition
    "등록": Status.REGISTERED,  # registered
    "거절": Status.ENDED,  # refused
    "소멸": Status.ENDED,  # lapsed / extinguished
    "포기": Status.ENDED,  # abandoned
    "무효": Status.ENDED,  # invalidated
    "취하": Status.ENDED,  # withdrawn
}

# Result codes of the Korean public-data Open-API envelope, which KIPRIS Plus
# follows (data.go.kr common error codes); 30 is confirmed by the sample
# error response, whose commented-out message reads "Access key & Service key
# is not registerd error".
RESULT_CODES: Mapping[str, str] = {
    "01": "application error",
    "02": "database error",
    "03": "no data",
    "04": "HTTP error",
    "05": "service time-out",
    "10": "invalid request parameter",
    "11": "mandatory request parameter missing",
    "12": "no such Open-API service, or it was withdrawn",
    "20": "service access denied",
    "21": "service key temporarily disabled",
    "22": "request limit exceeded",
    "30": "service key is not registered",
    "31": "service key has expired",
    "32": "unregistered IP address",
    "33": "unsigned call",
    "99": "unknown error",
}

_TRADEMARK = "TradeMarkInfo"
_GOODS = "trademarkDesignationGoodstInfo"
_WANTED = frozenset({"header", _TRADEMARK, _GOODS})
_SNIFF = (b"<" + _TRADEMARK.encode(), b"<" + _GOODS.encode(), b"<resultCode")
_APPLICATION_NUMBER = re.compile(r"^[0-9]{13}$")

_DATES = (
    ("ApplicationDate", "filing"),
    ("PublicDate", "publication"),
    ("RegistrationDate", "registration"),
    ("RegistrationPublicDate", "registration_publication"),
    ("InternationalRegisterDate", "international_registration"),
)

# Script of a title token (ISO 15924).  Unicode blocks: Hangul Jamo,
# Compatibility Jamo, Jamo Extended-A/B, Syllables; CJK Unified Ideographs
# (+ Extension A, Compatibility); Basic Latin letters and Latin-1/Extended-A/B.
_SCRIPTS = (
    ("Hang", re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")),
    ("Hani", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("Latn", re.compile(r"[A-Za-z\u00c0-\u024f]")),
)


class KiprisReader:
    """Reads KIPRIS Plus trademark responses; see the module docstring."""

    name = "kipris"
    description = "KIPRIS Plus (KIPO) Open-API XML: TradeMarkInfo, designated goods"

    def __init__(self, *, application_number: str | None = None) -> None:
        self.application_number = application_number

    def for_application(self, application_number: str) -> KiprisReader:
        """A reader that files designated-goods responses under ``application_number``."""
        number = application_number.strip()
        if not _APPLICATION_NUMBER.match(number):
            raise UsageError(
                "a KIPO application number has 13 digits (e.g. 4020190000011), "
                f"not {application_number!r}"
            )
        return KiprisReader(application_number=number)

    def sniff(self, head: bytes) -> bool:
        return xmlsafe.sniff_root(head) == "response" and any(s in head for s in _SNIFF)

    def read(self, stream: IO[bytes], source: str, *, head: bytes = b"") -> Iterator[Entry]:
        goods: list[_Good] = []
        for elem in xmlsafe.iter_records(stream, source, _WANTED.__contains__, head=head):
            tag = xmlsafe.local(elem.tag)
            if tag == "header":
                _check_header(elem, source)
            elif tag == _TRADEMARK:
                yield _trademark(elem, source)
            else:
                good = _good(elem, source)
                if isinstance(good, Rejection):
                    yield good
                else:
                    goods.append(good)
        if goods:
            yield _goods_entry(goods, source, self.application_number)


READER = KiprisReader()


def with_goods(record: Record, goods: Record | GoodsAddition) -> Record:
    """``record`` with the classes and goods of a designated-goods response added (what a store
    does with a :class:`GoodsAddition`).

    >>> base = Record(office="KR", application_number="4020190000011", nice_classes=(43,))
    >>> extra = Record(office="KR", application_number="4020190000011",
    ...                goods=(ClassGoods(43, "중국음식점업", "ko", ("G0301",)),))
    >>> with_goods(base, extra).goods[0].similar_groups
    ('G0301',)
    """
    if record.key != goods.key:
        raise UsageError(f"goods of {goods.key} cannot be joined to record {record.key}")
    return (goods if isinstance(goods, GoodsAddition) else GoodsAddition(goods)).applied_to(record)


# -- header ------------------------------------------------------------------


def _check_header(elem: etree._Element, source: str) -> None:
    fields = _leaves(elem)
    code = fields.get("resultCode")
    if code is None or code == "00":
        return
    meaning = RESULT_CODES.get(code, "unknown result code")
    message = fields.get("resultMsg")
    detail = f": {message}" if message else ""
    raise InputError(
        f"KIPRIS Plus answered with error {code} ({meaning}){detail}; the file holds no data",
        source=source,
        line=_line(elem),
    )


# -- TradeMarkInfo -----------------------------------------------------------


def _trademark(elem: etree._Element, source: str) -> Entry:
    position = f"line {_line(elem)}"
    fields = _leaves(elem)
    number = fields.get("ApplicationNumber")
    if number is None:
        reason = "TradeMarkInfo has no ApplicationNumber"
        return Rejection(source, position, reason, _excerpt(fields))
    try:
        return _trademark_record(fields, number, source, position)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # One bad value (a class written ³) quarantines its TradeMarkInfo; the file goes on.
        reason = f"TradeMarkInfo {number}: {exc or type(exc).__name__}"
        return Rejection(source, position, reason, _excerpt(fields))


def _trademark_record(fields: dict[str, str], number: str, source: str, position: str) -> Record:
    title = fields.get("Title")
    codes = (vienna(v) for v in split_pipes(fields.get("ViennaCode")))
    vienna_codes = unique(c for c in codes if c)
    status_text = fields.get("ApplicationStatus")
    nice, national = _classes(fields.get("GoodClassificationCode"))
    return Record(
        office="KR",
        application_number=number,
        registration_number=fields.get("RegistrationNumber"),
        international_registration_number=fields.get("InternationalRegisterNumber"),
        verbal_elements=verbal_elements(title),
        # A title-less mark with design codes is a pure device mark.
        feature=Feature.FIGURATIVE if not title and vienna_codes else Feature.UNKNOWN,
        status=STATUSES.get(status_text or "", Status.UNKNOWN),
        status_text=status_text,
        dates=_dates(fields),
        nice_classes=nice,
        national_classes=national,
        parties=_parties(fields),
        vienna_codes=vienna_codes,
        images=unique(fields.get(n, "") for n in ("ImagePath", "ThumbnailPath")),
        priorities=_priorities(fields),
        provenance=Provenance(source, position),
    )


def _line(elem: etree._Element) -> int | None:
    line = elem.sourceline
    return line if isinstance(line, int) else None


def _leaves(elem: etree._Element) -> dict[str, str]:
    """Stripped, non-empty texts of the direct children (one pass; blanks like ``" "`` dropped)."""
    out: dict[str, str] = {}
    for node in elem:
        name = xmlsafe.local(node.tag)
        if name and name not in out and (value := own_text(node)) is not None:
            value = value.strip()
            if value:
                out[name] = value
    return out


def _excerpt(fields: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in fields.items())[:300]


def _classes(raw: str | None) -> tuple[tuple[int, ...], tuple[str, ...]]:
    nice: list[int] = []
    national: list[str] = []
    for code in split_pipes(raw):
        try:
            number = nice_class(code)
        except ValueError as exc:
            raise ValueError(f"GoodClassificationCode {raw!r}: {exc}") from None
        if number is None:
            national.append(code)
        else:
            nice.append(number)
    return tuple(dict.fromkeys(nice)), unique(national)


def _dates(fields: dict[str, str]) -> tuple[MarkDate, ...]:
    found = (parse_date(role, fields.get(name)) for name, role in _DATES)
    return tuple(d for d in found if d is not None)


def _parties(fields: dict[str, str]) -> tuple[Party, ...]:
    roles = (
        ("ApplicantName", "applicant"),
        ("RegistrationRightholderName", "owner"),
        ("AgentName", "representative"),
    )
    return tuple(
        Party(role=role, name=name)
        for field, role in roles
        for name in split_pipes(fields.get(field))
    )


def _priorities(fields: dict[str, str]) -> tuple[Priority, ...]:
    numbers = split_pipes(fields.get("PriorityClaimNumber"))
    dates = split_pipes(fields.get("PriorityClaimDate"))
    return tuple(
        Priority(country=None, number=number, date=parse_date("priority", date))
        for number, date in zip_longest(numbers, dates)
    )


# -- titles --------------------------------------------------------------------


def verbal_elements(title: str | None) -> tuple[VerbalElement, ...]:
    """Split a KIPRIS title into verbal elements by script.

    A title in one script is one element.  A title that mixes scripts word by
    word (``라잇템 Right tem``) gives one element per run of words in the same
    script, so that each can be romanised or matched on its own; joined again
    they read as the title.  A word that mixes scripts itself (``홍쓴TV``)
    keeps no script.  ``|`` separates parts of a title (``|주|에이치비티`` for
    the company prefix (주)) and is read as a word break.  Words without
    letters (``5.0``) go with the run before them.  No language is set: a
    Hangul run is often a transcription of English words.

    >>> [(v.text, v.script) for v in verbal_elements("2등급 GOOD Software")]
    [('2등급', 'Hang'), ('GOOD Software', 'Latn')]
    >>> [(v.text, v.script) for v in verbal_elements("홍쓴TV")]
    [('홍쓴TV', None)]
    """
    words = (title or "").replace("|", " ").split()
    runs: list[tuple[str | None, list[str]]] = []
    for word in words:
        script = _word_script(word)
        if runs and (script == "" or script == runs[-1][0]):
            runs[-1][1].append(word)
        elif runs and runs[-1][0] == "":  # leading words without letters join the first run
            runs[-1] = (script, runs[-1][1] + [word])
        else:
            runs.append((script, [word]))
    return tuple(VerbalElement(" ".join(ws), script=s or None) for s, ws in runs)


def _word_script(word: str) -> str | None:
    """ISO 15924 code of a word; ``""`` without letters, ``None`` when mixed."""
    found = [code for code, pattern in _SCRIPTS if pattern.search(word)]
    if not found:
        return ""
    if found == ["Hang", "Hani"]:
        return "Kore"  # ISO 15924: Korean, Hangul with Hanja
    return found[0] if len(found) == 1 else None


# -- designated goods ------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Good:
    line: int
    nice_class: int | None
    raw_class: str | None
    similar_group: str | None
    korean: str | None
    english: str | None


def _good(elem: etree._Element, source: str) -> _Good | Rejection:
    """One designated good, or its rejection (with its line) when its class is unreadable."""
    fields = _leaves(elem)
    raw_class = fields.get("DesignationGoodsClassificationInformationCode")
    try:
        number = nice_class(raw_class)
    except ValueError as exc:
        reason = f"designated good: DesignationGoodsClassificationInformationCode {exc}"
        return Rejection(source, f"line {_line(elem)}", reason, _excerpt(fields))
    return _Good(
        line=_line(elem) or 0,
        nice_class=number,
        raw_class=raw_class,
        similar_group=fields.get("SimilargroupCode"),
        korean=_one_line(fields.get("DesignationGoodsHangeulName")),
        english=_one_line(fields.get("DesignationGoodsEnglishsentenceName")),
    )


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def _goods_entry(goods: list[_Good], source: str, number: str | None) -> Entry:
    position = f"line {goods[0].line}"
    classes = unique(g.raw_class or "?" for g in goods)
    number = number or number_in_name(source)
    if number is None:
        return Rejection(
            source,
            position,
            f"a KIPRIS designated-goods response ({len(goods)} goods, class {', '.join(classes)}) "
            "names no application number (KIPRIS Plus keeps it in the request): name the file "
            "after the application, e.g. 4020190000011.xml, and ingest it again",
            "; ".join(f"{g.raw_class} {g.similar_group} {g.korean}" for g in goods[:5])[:300],
        )
    return GoodsAddition(Record(
        office="KR",
        application_number=number,
        nice_classes=tuple(dict.fromkeys(g.nice_class for g in goods if g.nice_class is not None)),
        goods=_class_goods(goods),
        provenance=Provenance(source, position),
    ))


# A KIPO trademark application number: 13 digits, the first two the kind of right (40 trade
# mark, 41 service mark, 45 collective mark, ...); a leading 4 keeps out timestamps in milliseconds.
_NUMBER_IN_NAME = re.compile(r"(?<![0-9])4[0-9]{12}(?![0-9])")


def number_in_name(source: str) -> str | None:
    """The KIPO application number a file's own name holds, when it holds exactly one.

    A member of an archive is named ``archive.zip!member``: its own name is the part after
    the ``!``, so that the archive's name, like a folder's, is not searched.

    >>> number_in_name("goods/4020190000011.xml"), number_in_name("feed.zip:goods_4020190000011_p1.xml")
    ('4020190000011', '4020190000011')
    >>> number_in_name("4020190000011/goods.xml"), number_in_name("4020190000011-4020190000012.xml")
    (None, None)
    >>> number_in_name("kipris_4020240000001.zip!4020190000011.xml"), number_in_name("4020240000001.zip!info.xml")
    ('4020190000011', None)
    """
    name = re.split(r"[/\\:!]", source)[-1]
    found = set(_NUMBER_IN_NAME.findall(name))
    return found.pop() if len(found) == 1 else None


def _class_goods(goods: list[_Good]) -> tuple[ClassGoods, ...]:
    """One ClassGoods per class and language, in the order classes first appear."""
    by_class: dict[int | None, list[_Good]] = {}
    for good in goods:
        by_class.setdefault(good.nice_class, []).append(good)
    out = []
    for number, items in by_class.items():
        groups = unique(g.similar_group or "" for g in items)
        texts = (("ko", [g.korean for g in items]), ("en", [g.english for g in items]))
        for language, names in texts:
            text = "; ".join(_present(names))
            if text:
                out.append(ClassGoods(number, text, language, similar_groups=groups))
    return tuple(out)


def _present(names: Iterable[str | None]) -> tuple[str, ...]:
    return unique(n for n in names if n)
