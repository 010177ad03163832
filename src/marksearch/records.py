"""The normalised record and its vocabularies.

Every reader turns an office's own format into :class:`Record` values; nothing
downstream of ``marksearch.formats`` sees the office formats.  A record is a
frozen value: readers build it once, the store serialises it with
:meth:`Record.to_dict` and reads it back with :meth:`Record.from_dict`.

>>> r = Record(office="EM", application_number="018222202",
...            verbal_elements=(VerbalElement("IRIS VIVALDI"),))
>>> Record.from_dict(r.to_dict()) == r
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json

import orjson
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ClassGoods",
    "Deletion",
    "Entry",
    "Feature",
    "GoodsAddition",
    "Kind",
    "MarkDate",
    "Party",
    "Priority",
    "Provenance",
    "Record",
    "Rejection",
    "Seniority",
    "Status",
    "VerbalElement",
]


class Status(enum.StrEnum):
    """The common status vocabulary; the office's own code and text are kept beside it.

    ``pending``: filed, under examination, published or opposed, not yet registered.
    ``registered``: in force (including renewal and cancellation pending).
    ``ended``: refused, withdrawn, abandoned, cancelled, expired, surrendered.
    """

    PENDING = "pending"
    REGISTERED = "registered"
    ENDED = "ended"
    UNKNOWN = "unknown"

    @property
    def live(self) -> bool:
        """A live mark can still block a later one (unknown counts as live)."""
        return self is not Status.ENDED


class Feature(enum.StrEnum):
    """What the mark is made of (ST.66 MarkFeature, widened for USPTO drawing codes)."""

    WORD = "word"
    STYLISED = "stylised"
    FIGURATIVE = "figurative"
    COMBINED = "combined"
    SHAPE_3D = "3d"
    COLOUR = "colour"
    SOUND = "sound"
    POSITION = "position"
    PATTERN = "pattern"
    MOTION = "motion"
    HOLOGRAM = "hologram"
    MULTIMEDIA = "multimedia"
    OTHER = "other"
    UNKNOWN = "unknown"


class Kind(enum.StrEnum):
    """Mark kind (ST.66 KindMark)."""

    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    CERTIFICATION = "certification"
    UNKNOWN = "unknown"


# The roles every reader may give a record's dates.  ``first_use`` (first use anywhere) and
# ``first_use_in_commerce`` are USPTO claims made per class: a record carries each distinct date
# once per role, earliest first (formats/common.py ``first_use_dates``); the office's text, which
# may be partial (``18790000``: the year only), is kept in ``raw`` as for every date.
DATE_ROLES = ("filing", "registration", "expiry", "publication", "status", "renewal", "first_use",
              "first_use_in_commerce")

# The record and its parts keep their fields in an instance ``__dict__`` (no ``slots=True``):
# orjson serialises a dataclass with a ``__dict__`` by reading that dict, and one with slots by
# looking up each field by name, about five times as long.  An EUIPO record holds some fifty
# ClassGoods (its goods in up to 23 languages), so with slots its JSON, made once per record
# at ingest, took 0.14 to 0.18 ms against 0.09 to 0.11 ms without, the same bytes (an ad-hoc
# timing, not a kept bench: the 5,640 records of a cut of bench/ingest.py's file, each serialised
# once fresh from the reader, as at ingest; bench/ingest.py --phases times the JSON as it is).

@dataclass(frozen=True)
class MarkDate:
    """A date as the office wrote it, with its parsed value where it parses.

    ``value`` is ``None`` for unparseable text; partial dates (USPTO ``18790000``)
    keep the first day of the known period and ``precision`` says which part is real.
    """

    role: str
    raw: str
    value: dt.date | None = None
    precision: str = "day"  # "day", "month", "year" or "none"


@dataclass(frozen=True)
class VerbalElement:
    """One verbal element of a mark: its text and what the office says about it."""

    text: str
    language: str | None = None
    script: str | None = None
    transliteration: str | None = None
    translation: str | None = None


@dataclass(frozen=True)
class ClassGoods:
    """Goods and services text for one Nice class in one language.

    ``nice_class`` is ``None`` when the office gave only a national class.
    ``similar_groups`` holds office similarity codes (KIPO G0301, CNIPA 0101).
    """

    nice_class: int | None
    text: str = ""
    language: str | None = None
    similar_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    """An applicant, owner or representative.

    EUIPO gives only an identifier; USPTO and KIPRIS give names.
    """

    role: str  # "applicant", "owner" or "representative"
    name: str | None = None
    identifier: str | None = None
    country: str | None = None
    address: str | None = None
    description: str | None = None  # office's own role text, e.g. ORIGINAL REGISTRANT


@dataclass(frozen=True)
class Priority:
    country: str | None
    number: str | None
    date: MarkDate | None = None


@dataclass(frozen=True)
class Seniority:
    country: str | None
    application_number: str | None = None
    registration_number: str | None = None
    date: MarkDate | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: file, position in it, and when it was ingested."""

    source: str
    position: str  # "line 12" or "record 7" or "member.xml line 3"
    ingested_at: str | None = None  # ISO timestamp, set by the store


@dataclass(frozen=True)
class Record:
    """One trademark, normalised.  Keyed by ``(office, application_number)``."""

    office: str
    application_number: str
    registration_number: str | None = None
    international_registration_number: str | None = None
    verbal_elements: tuple[VerbalElement, ...] = ()
    feature: Feature = Feature.UNKNOWN
    feature_raw: str | None = None
    kind: Kind = Kind.UNKNOWN
    kind_raw: str | None = None
    status: Status = Status.UNKNOWN
    status_code: str | None = None
    status_text: str | None = None
    dates: tuple[MarkDate, ...] = ()
    nice_classes: tuple[int, ...] = ()
    national_classes: tuple[str, ...] = ()
    goods: tuple[ClassGoods, ...] = ()
    parties: tuple[Party, ...] = ()
    vienna_codes: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()
    seniorities: tuple[Seniority, ...] = ()
    languages: tuple[str, ...] = ()  # languages of filing (first, second)
    as_of: str | None = None  # ISO date of the office's snapshot; newer replaces older
    provenance: Provenance | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.office, self.application_number)

    @property
    def mark_text(self) -> str:
        """All verbal elements joined, as a user reads the mark."""
        return " ".join(v.text for v in self.verbal_elements if v.text)

    def date(self, role: str) -> MarkDate | None:
        return next((d for d in self.dates if d.role == role), None)

    def parties_in(self, *roles: str) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role in roles)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the documented JSON Lines form of a record."""
        try:
            return orjson.loads(orjson.dumps(self))  # type: ignore[no-any-return]
        except TypeError:  # lone surrogates (see to_json_bytes)
            return _plain(self)  # type: ignore[no-any-return]

    def to_json(self) -> str:
        return self.to_json_bytes(provenance=True).decode()

    def to_json_bytes(self, *, provenance: bool = False) -> bytes:
        """Compact UTF-8 JSON, by default without provenance (the form the store hashes and keeps).

        orjson serialises the frozen dataclasses, enums and dates natively, about
        twenty times faster than walking the fields in Python; the register is
        written at bulk-ingest speed, so this is the hot path of an ingest.
        """
        try:
            data = orjson.dumps(self)
            if provenance or self.provenance is None:
                return data
            # ``provenance`` is the last field, so its member ends the object: writing it
            # as null there gives the JSON of the record without it, without copying the
            # record (``dataclasses.replace`` of a big record is a noticeable part of an ingest).
            tail = b'"provenance":' + orjson.dumps(self.provenance) + b"}"
            if data.endswith(tail):
                return data[: -len(tail)] + b'"provenance":null}'
            return orjson.dumps(dataclasses.replace(self, provenance=None))
        except TypeError:  # lone surrogates: no reader produces them, but a library user might
            value = self if provenance else dataclasses.replace(self, provenance=None)
            return json.dumps(_plain(value), ensure_ascii=True).encode()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """Inverse of :meth:`to_dict`; raises ``KeyError``/``ValueError``/``TypeError`` on bad data."""
        return cls(
            office=str(data["office"]),
            application_number=str(data["application_number"]),
            registration_number=data.get("registration_number"),
            international_registration_number=data.get("international_registration_number"),
            verbal_elements=tuple(VerbalElement(**v) for v in data.get("verbal_elements", ())),
            feature=Feature(data.get("feature", "unknown")),
            feature_raw=data.get("feature_raw"),
            kind=Kind(data.get("kind", "unknown")),
            kind_raw=data.get("kind_raw"),
            status=Status(data.get("status", "unknown")),
            status_code=data.get("status_code"),
            status_text=data.get("status_text"),
            dates=tuple(_date_from(d) for d in data.get("dates", ())),
            nice_classes=tuple(int(c) for c in data.get("nice_classes", ())),
            national_classes=tuple(str(c) for c in data.get("national_classes", ())),
            goods=tuple(
                ClassGoods(
                    nice_class=g.get("nice_class"),
                    text=g.get("text", ""),
                    language=g.get("language"),
                    similar_groups=tuple(g.get("similar_groups", ())),
                )
                for g in data.get("goods", ())
            ),
            parties=tuple(Party(**p) for p in data.get("parties", ())),
            vienna_codes=tuple(data.get("vienna_codes", ())),
            images=tuple(data.get("images", ())),
            priorities=tuple(
                Priority(p.get("country"), p.get("number"), _opt_date(p.get("date")))
                for p in data.get("priorities", ())
            ),
            seniorities=tuple(
                Seniority(
                    s.get("country"),
                    s.get("application_number"),
                    s.get("registration_number"),
                    _opt_date(s.get("date")),
                )
                for s in data.get("seniorities", ())
            ),
            languages=tuple(data.get("languages", ())),
            as_of=data.get("as_of"),
            provenance=Provenance(**data["provenance"]) if data.get("provenance") else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class Deletion:
    """A delta that removes a record (ST.66 ``operationCode="Delete"``).

    ``as_of`` is the ISO date of the office data that deleted it.  A store keeps it as a
    tombstone of the key: a record whose ``as_of`` is not newer (an older Insert read
    after the Delete) does not bring the record back; a newer one does, and so does one
    of the same date read after the Delete in the same file (the file's order stands).
    A deletion without ``as_of`` removes what is held and leaves no tombstone.
    """

    office: str
    application_number: str
    provenance: Provenance | None = None
    as_of: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.office, self.application_number)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be read; it goes to quarantine with its position and reason."""

    source: str
    position: str
    reason: str
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class GoodsAddition:
    """Goods and services for a record the register already holds, from a source that names
    the application but not the mark: a KIPRIS Plus designated-goods response.  ``goods``
    carries the key, the Nice classes and the goods; a store adds them to the record it holds
    under that key (its goods replaced, its classes joined), or quarantines them when it holds
    none."""

    goods: Record

    @property
    def key(self) -> tuple[str, str]:
        return self.goods.key

    @property
    def provenance(self) -> Provenance | None:
        return self.goods.provenance

    def applied_to(self, record: Record) -> Record:
        """``record`` with these goods (its own replaced) and its classes joined with theirs.

        >>> held = Record(office="KR", application_number="4020190000011", nice_classes=(43,))
        >>> more = Record(office="KR", application_number="4020190000011",
        ...               goods=(ClassGoods(43, "중국음식점업", "ko", ("G0301",)),))
        >>> GoodsAddition(more).applied_to(held).goods[0].similar_groups
        ('G0301',)
        """
        if record.key != self.key:
            raise ValueError(f"goods of {self.key} cannot be added to record {record.key}")
        classes = tuple(dict.fromkeys(record.nice_classes + self.goods.nice_classes))
        return dataclasses.replace(record, nice_classes=classes, goods=self.goods.goods)


Entry = Record | Deletion | Rejection | GoodsAddition
"""What a reader yields, in file order."""


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _date_from(data: Mapping[str, Any]) -> MarkDate:
    value = data.get("value")
    return MarkDate(
        role=data["role"],
        raw=data["raw"],
        value=dt.date.fromisoformat(value) if value else None,
        precision=data.get("precision", "day" if value else "none"),
    )


def _opt_date(data: Mapping[str, Any] | None) -> MarkDate | None:
    return _date_from(data) if data else None


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """Order-preserving de-duplication (RO feeds repeat each Vienna code five times)."""
    return tuple(dict.fromkeys(i for i in items if i))
