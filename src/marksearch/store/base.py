"""What every store offers, whatever the database behind it.

A store keeps one register of normalised records keyed by
``(office, application_number)``, the text keys computed for each record at
ingest, a quarantine of what could not be read, and a change sequence that
indexes and watches follow.

Writes come in batches; each batch is one transaction, so a crash between
batches leaves every earlier batch complete and nothing half-written, and
running the same ingest again finds the earlier batches unchanged.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
import xxhash

from marksearch.records import Deletion, Entry, GoodsAddition, Record, Rejection
from marksearch.store.packing import pack, unpack
from marksearch.text.fold import strip_diacritics

__all__ = ["Change", "IndexRow", "Prepared", "Quarantined", "SameFileTombstones", "Stats", "Store", "StoredRecord",
           "WriteCounts", "bare_number", "owner_form", "record_owners", "stored_keys"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record made ready for any store: serialised, hashed and keyed.

    Preparing is the CPU-heavy part of a write, and it needs no database, so
    ingest worker processes prepare records and the writer only stores them.
    """

    office: str
    application_number: str
    registration_number: str | None
    mark_text: str
    status: str
    feature: str
    kind: str
    filing_date: str | None
    as_of: str | None
    nice_classes: tuple[int, ...]
    data: bytes  # Record.to_json_bytes(), the record without provenance, packed (packing.pack)
    digest: str  # of the JSON before packing, so that a new compressor changes no digest
    keys: bytes | None  # MarkKeys JSON
    source: str
    position: str
    owners: str = ""  # applicant and owner names, " | "-joined, for the owner filter
    has_goods: bool = True  # False: the record came without goods texts (see Store.write_prepared)

    @property
    def key(self) -> tuple[str, str]:
        return (self.office, self.application_number)

    @classmethod
    def from_record(cls, record: Record, keys: dict[str, Any] | bytes | None) -> Prepared:
        """``keys`` as a dict, or already serialised (JSON bytes)."""
        data = record.to_json_bytes()
        filing = record.date("filing")
        prov = record.provenance
        return cls(
            office=record.office,
            application_number=record.application_number,
            registration_number=record.registration_number,
            mark_text=record.mark_text,
            status=record.status.value,
            feature=record.feature.value,
            kind=record.kind.value,
            filing_date=filing.value.isoformat() if filing and filing.value else None,
            as_of=record.as_of,
            nice_classes=record.nice_classes,
            data=pack(data),
            # A change detector, not a signature: xxh3 is thirty times faster than sha256 here.
            digest=xxhash.xxh3_128_hexdigest(data),
            keys=keys if keys is None or isinstance(keys, bytes) else _dumps(keys),
            source=prov.source if prov else "",
            position=prov.position if prov else "",
            owners=record_owners(record),
            has_goods=bool(record.goods),
        )

    def record(self) -> Record:
        """The record back from its stored form (without provenance: the store keeps that apart)."""
        return Record.from_dict(orjson.loads(unpack(self.data)))


Item = Prepared | Deletion | Rejection | GoodsAddition
"""What a store writes."""


def record_owners(record: Record) -> str:
    """A record's applicant and owner names, " | "-joined in :func:`owner_form`, as stored for the owner filter."""
    return owner_form(OWNERS_JOIN.join(
        dict.fromkeys(p.name or p.identifier or "" for p in record.parties_in("applicant", "owner"))))


OWNERS_JOIN = " | "


def in_one_name(owners: str, owner: str) -> bool:
    """Whether ``owner`` lies within one of the names of a record's stored ``owners`` (both in
    :func:`owner_form`).  The stores match the joined names with LIKE; a name typed with the
    separator in it can match across two names there ("acme | beta" in "x acme | beta y"),
    so they check such matches name by name.

    >>> in_one_name("acme gmbh | beta ltd", "acme"), in_one_name("acme gmbh | beta ltd", "gmbh | beta")
    (True, False)
    """
    return any(owner in name for name in owners.split(OWNERS_JOIN))


def owner_form(names: str) -> str:
    """Owner names as the owner filter compares them: case folded in any script (SQLite's LIKE
    and PostgreSQL's ILIKE on a "C" column fold ASCII letters only, so MÜLLER missed Müller),
    in one Unicode form (a name exported decomposed, й as и and a breve, is the same name),
    without the diacritics of Latin, Greek and Cyrillic letters and without Arabic and Hebrew
    vowel points, and a NUL as U+FFFD (PostgreSQL cannot hold one).

    >>> owner_form("MÜLLER GmbH | ÉCOLE Straße | ЁЛКА | Йогурт")
    'muller gmbh | ecole strasse | елка | иогурт'
    >>> owner_form("مُحَمَّد | שָׁלוֹם") == owner_form("محمد | שלום")
    True
    """
    text = unicodedata.normalize("NFKD", names.casefold())
    text = unicodedata.normalize("NFC", _POINTS.sub("", text))  # Hangul jamo join again
    return strip_diacritics(text).replace("\x00", "\ufffd")


# Combining diacritics (accents, the breve of й, the diaeresis of ё), Arabic harakat and Hebrew
# points: what a name may or may not be written with.  Kana voicing marks and the vowel signs of
# Indic scripts are letters of the word and stay.
_POINTS = re.compile("[\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def bare_number(number: str) -> str:
    """An application number without separators and leading zeros (:meth:`Store.numbers_like`).

    >>> bare_number(" 009-635 525 "), bare_number("0")
    ('9635525', '0')
    """
    kept = "".join(c for c in number if c not in _NUMBER_SEPARATORS)
    return kept.lstrip("0") or kept[:1]


_NUMBER_SEPARATORS = frozenset(" -/.,")


QUARANTINE_TEXT = 500  # characters of a rejection's source, position and reason a store keeps


def quarantine_key(rejection: Rejection) -> tuple[str, str, str]:
    """A rejection's (source, position, reason), each cut to :data:`QUARANTINE_TEXT` characters:
    the quarantine is unique on them, and PostgreSQL's index refuses a row over 2,704 bytes (a
    reason quoting a 3,000-character unknown field stopped the ingest and lost its batch).

    >>> quarantine_key(Rejection("f.jsonl", "line 2", "unknown field " + "x" * 600))[2][-3:]
    'xx…'
    """
    def cut(text: str) -> str:
        return text if len(text) <= QUARANTINE_TEXT else text[: QUARANTINE_TEXT - 1] + "…"

    return cut(rejection.source), cut(rejection.position), cut(rejection.reason)


def _placed(prepared: Prepared, source: str, position: str) -> Prepared:
    """``prepared`` read at ``source`` and ``position`` (where its last change was read)."""
    return dataclasses.replace(prepared, source=source, position=position)


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # lone surrogates in a library caller's text: escape them
        return json.dumps(value, ensure_ascii=True).encode()


@dataclass
class WriteCounts:
    """What a write did.  ``read == inserted + updated + unchanged + deleted + quarantined``.

    ``older`` counts records skipped because the store already holds a newer
    version, or deleted the key with data as new as theirs or newer (a tombstone, see
    :class:`~marksearch.records.Deletion`), and deletions skipped because the store holds
    a newer version than theirs; they are part of ``unchanged``.
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    older: int = 0

    @property
    def read(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.deleted + self.quarantined

    def add(self, other: WriteCounts) -> None:
        for name in ("inserted", "updated", "unchanged", "deleted", "quarantined", "older"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "quarantined": self.quarantined,
            "older": self.older,
        }


@dataclass(frozen=True)
class StoredRecord:
    """A record as stored, with its row id, text keys (as a dict) and change sequence."""

    id: int
    record: Record
    keys: dict[str, Any] | None
    seq: int


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What a search index needs of a record, without parsing the whole record."""

    id: int
    office: str
    application_number: str
    status: str
    feature: str
    filing_date: str | None
    nice_classes: tuple[int, ...]
    keys: dict[str, Any] | None


@dataclass(frozen=True)
class Change:
    """One entry of the change sequence: a record inserted, updated or deleted."""

    seq: int
    op: str  # "insert", "update", "delete", or "rekey" (new text keys only: ``marksearch rekey``)
    office: str
    application_number: str
    record_id: int


@dataclass(frozen=True)
class Quarantined:
    rejection: Rejection
    first_seen: str
    times_seen: int


@dataclass
class Stats:
    total: int = 0
    by_office: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_feature: dict[str, int] = field(default_factory=dict)
    by_class: dict[int, int] = field(default_factory=dict)
    quarantined: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_office": self.by_office,
            "by_status": self.by_status,
            "by_feature": self.by_feature,
            "by_class": {str(k): v for k, v in sorted(self.by_class.items())},
            "quarantined": self.quarantined,
        }


class SameFileTombstones:
    """The tombstones a writer laid for the file it last deleted from: the tie-break that lets
    file order win within one file.

    Every entry of an office file carries the file's own date (its production date, see
    :func:`marksearch.formats.common.snapshot_as_of`), so a Delete and an Insert of one key in
    one file are dated alike.  Across files a record no newer than the deletion of its key stays
    deleted; a record read after the deletion *in the same file* comes back, as the file says.
    Files are written one after the other, so only the last one's deletions are kept (an office
    delta's: a few thousand at most).  A store forgets them when a batch fails (it was rolled back).

    >>> laid = SameFileTombstones()
    >>> laid.lay(("EM", "1"), "2020-09-01", "d.xml")
    >>> laid.earlier_in(("EM", "1"), "2020-09-01", "d.xml"), laid.earlier_in(("EM", "1"), "2020-09-01", "e.xml")
    (True, False)
    """

    __slots__ = ("keys", "source")

    def __init__(self) -> None:
        self.source = ""
        self.keys: dict[tuple[str, str], str] = {}  # key -> as_of of the deletion read in `source`

    def lay(self, key: tuple[str, str], as_of: str, source: str) -> None:
        if not source:
            return  # no file to tell it apart: the tie goes to the deletion
        if source != self.source:
            self.source, self.keys = source, {}
        self.keys[key] = as_of

    def earlier_in(self, key: tuple[str, str], as_of: str, source: str) -> bool:
        """Whether the tombstone of ``key`` dated ``as_of`` was laid by a deletion read earlier in ``source``."""
        return bool(source) and source == self.source and self.keys.get(key) == as_of

    def forget(self) -> None:
        self.source, self.keys = "", {}


class Store(abc.ABC):
    """The register.  Implementations: :class:`marksearch.store.sqlite.SQLiteStore`."""

    url: str
    dialect: str  # "sqlite" or "postgres": the SQL the register's connection speaks

    @abc.abstractmethod
    def connection(self) -> Any:
        """The register's live DB-API connection (a fresh one if the server dropped it),
        for modules that keep tables of their own in the register (watch lists)."""

    def write(
        self, entries: Sequence[Entry | Prepared], keys: Sequence[dict[str, Any] | None] | None = None
    ) -> WriteCounts:
        """Apply entries in order in one transaction; ``keys[i]`` belongs to ``entries[i]``."""
        if keys is not None and len(keys) != len(entries):
            raise ValueError(f"{len(entries)} entries but {len(keys)} keys")
        items: list[Item] = [
            Prepared.from_record(e, keys[i] if keys is not None else None) if isinstance(e, Record) else e
            for i, e in enumerate(entries)
        ]
        return self.write_prepared(items)

    @abc.abstractmethod
    def write_prepared(self, items: Sequence[Item]) -> WriteCounts:
        """Apply prepared items in order, in one transaction.

        Two kinds of item complete a record the store holds rather than replace it (see
        :meth:`completed`): a :class:`GoodsAddition`, and a record that came without goods
        texts, which keeps those the store holds for its classes.
        """

    def completed(self, items: Sequence[Item]) -> list[Prepared | Deletion | Rejection]:
        """``items`` with goods additions and goods-less records made whole against the
        records held (by the store, or earlier in ``items``); a store calls it within its
        write transaction.

        * A :class:`GoodsAddition` becomes the record it adds to, its goods replaced and its
          classes joined (:meth:`GoodsAddition.applied_to`), or a :class:`Rejection` when no
          record is held under its key.
        * A record with Nice classes but no goods texts keeps the goods texts held for those
          classes.  No office format says "these goods are withdrawn" by leaving them out:
          KIPRIS Plus ``TradeMarkInfo`` never carries goods, so reading it again must not undo
          a goods addition; nor may a CSV row of classes undo an ST.66 record's goods.
        """
        if not any(isinstance(i, GoodsAddition) or (isinstance(i, Prepared) and not i.has_goods
                                                   and i.nice_classes) for i in items):
            return cast(list[Prepared | Deletion | Rejection], list(items))  # most batches: nothing to do
        held: dict[tuple[str, str], Prepared | None] = {}  # the batch's own records (None: deleted)
        out: list[Prepared | Deletion | Rejection] = []

        def current(key: tuple[str, str]) -> tuple[Record, bytes | dict[str, Any] | None] | None:
            if key in held:
                p = held[key]
                return (p.record(), p.keys) if p is not None else None
            stored = self.get(*key)
            return (stored.record, stored.keys) if stored is not None else None

        for item in items:
            if isinstance(item, GoodsAddition):
                found = current(item.key)
                prov = item.provenance
                source, position = (prov.source, prov.position) if prov else ("", "")
                if found is None:
                    out.append(Rejection(
                        source, position,
                        f"goods for {item.key[0]} {item.key[1]}, which the register does not hold: "
                        "ingest the record first, then its goods",
                        "; ".join(g.text for g in item.goods.goods)[:400]))
                    continue
                item = _placed(Prepared.from_record(item.applied_to(found[0]), found[1]), source, position)
            elif isinstance(item, Prepared) and not item.has_goods and item.nice_classes:
                found = current(item.key)
                classes = set(item.nice_classes)
                kept = tuple(g for g in found[0].goods if g.nice_class is None or g.nice_class in classes) \
                    if found is not None else ()
                if kept:
                    merged = Prepared.from_record(dataclasses.replace(item.record(), goods=kept), item.keys)
                    item = _placed(merged, item.source, item.position)
            if isinstance(item, Prepared):
                held[item.key] = item
            elif isinstance(item, Deletion):
                held[item.key] = None
            out.append(item)
        return out

    @abc.abstractmethod
    def update_keys(self, updates: Sequence[tuple[IndexRow, bytes]]) -> int:
        """Store new text keys (JSON) for records, in one transaction, each logged
        as an ``update`` so that indexes follow; the record itself is unchanged.
        A row no longer stored under its id and key is skipped.  Returns how many
        were updated."""

    @abc.abstractmethod
    def get(self, office: str, application_number: str) -> StoredRecord | None:
        """One record by its key, or ``None``."""

    @abc.abstractmethod
    def numbers_like(self, office: str, application_number: str, limit: int = 5) -> list[str]:
        """Application numbers of ``office`` that are ``application_number`` but for leading
        zeros and the separators a user may type (``9635525`` and ``009-635-525`` for EUIPO's
        ``009635525``): what to suggest when :meth:`get` finds nothing.  Scans the office's
        records; for a miss, not the hot path."""

    @abc.abstractmethod
    def iter_records(self, *, after_id: int = 0) -> Iterator[StoredRecord]:
        """Every record in id order (for building indexes)."""

    @abc.abstractmethod
    def iter_index_rows(self, *, after_id: int = 0, ids: Sequence[int] | None = None) -> Iterator[IndexRow]:
        """Index rows in id order, all of them or those with the given ids."""

    @abc.abstractmethod
    def owner_ids(self, owner: str) -> list[int]:
        """Ids of records whose applicant or owner name contains ``owner``, ignoring case and
        diacritics in any script (both compared in :func:`owner_form`)."""

    @abc.abstractmethod
    def get_by_ids(self, ids: Sequence[int]) -> dict[int, StoredRecord]:
        """Whole records by row id (for showing search hits)."""

    @abc.abstractmethod
    def changes(self, *, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        """Changes with a sequence number above ``after_seq``, oldest first."""

    @abc.abstractmethod
    def last_seq(self) -> int:
        """The newest change's sequence number (0 for an empty store)."""

    def change_at(self, seq: int) -> Change | None:
        """The change at ``seq`` (the first after it where a rolled-back write left a gap)."""
        if seq <= 0:
            return None
        found = self.changes(after_seq=seq - 1, limit=1)
        return found[0] if found else None

    def history_mark(self, seq: int) -> str:
        """The change history up to ``seq``, as what is built from the store (the search index,
        the goods term base) keeps it to know that the store still has it: the changes at
        ``seq``, just before it, and at three quarters and half of it.

        Record ids and change numbers go on from a backup's: a register restored from one, then
        written to, reaches the index's ``seq`` again with other records under the same ids, and
        an index taken for it showed marks that were no longer there and missed identical ones.
        A few look-ups by key tell such histories apart without reading the whole change log.
        """
        marks = []
        for at in sorted({at for at in (seq, seq - 1, seq * 3 // 4, seq // 2) if at > 0}):
            change = self.change_at(at)
            marks.append(f"{change.seq}:{change.op}:{change.office}:{change.application_number}:{change.record_id}"
                         if change is not None and change.seq <= seq else f"{at}:-")
        return "|".join(marks)

    @abc.abstractmethod
    def keys_version(self) -> int:
        """The :data:`~marksearch.versions.KEYS_VERSION` of the oldest text keys the register may
        hold: the version that created it, or that last re-keyed it (``marksearch rekey``); 1 for
        a register made before versions were kept."""

    @abc.abstractmethod
    def set_keys_version(self, version: int) -> None:
        """Record that every record's keys are now of ``version`` (after a re-key)."""

    @abc.abstractmethod
    def history(self, office: str, application_number: str) -> list[Change]:
        """The change log entries of one record, oldest first."""

    @abc.abstractmethod
    def currency(self) -> list[tuple[str, int, str | None, str | None]]:
        """How current each office's data is, most records first: (office, records,
        latest ingest time, newest office date (snapshot or filing))."""

    @abc.abstractmethod
    def stats(self) -> Stats:
        """Counts by office, status, feature and Nice class."""

    @abc.abstractmethod
    def quarantined(self) -> list[Quarantined]:
        """Everything that could not be read, oldest first."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stored_keys(column: str | bytes | None) -> dict[str, Any] | None:
    """A record's keys column parsed (``None`` for a record without text keys)."""
    return cast("dict[str, Any]", orjson.loads(column)) if column else None


def stored_from_row(row: tuple[Any, ...]) -> StoredRecord:
    """A stored record from a row of ``id, data, keys, seq, source, position, ingested_at``
    (the same columns in every back-end)."""
    record_id, data, keys, seq, source, position, ingested_at = row
    fields = orjson.loads(unpack(data))
    fields["provenance"] = {"source": source or "", "position": position or "", "ingested_at": ingested_at}
    return StoredRecord(
        id=int(record_id),
        record=Record.from_dict(fields),
        keys=stored_keys(keys),
        seq=int(seq),
    )
