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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from marksearch.records import Entry, Record, Rejection

__all__ = ["Change", "Quarantined", "Stats", "Store", "StoredRecord", "WriteCounts"]


@dataclass
class WriteCounts:
    """What a write did.  ``read == inserted + updated + unchanged + deleted + quarantined``.

    ``older`` counts records skipped because the store already holds a newer
    version; they are part of ``unchanged``.
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


@dataclass(frozen=True)
class Change:
    """One entry of the change sequence: a record inserted, updated or deleted."""

    seq: int
    op: str  # "insert", "update" or "delete"
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


class Store(abc.ABC):
    """The register.  Implementations: :class:`marksearch.store.sqlite.SQLiteStore`."""

    url: str

    @abc.abstractmethod
    def write(self, entries: Sequence[Entry], keys: Sequence[dict[str, Any] | None]) -> WriteCounts:
        """Apply entries in order in one transaction; ``keys[i]`` belongs to ``entries[i]``."""

    @abc.abstractmethod
    def get(self, office: str, application_number: str) -> StoredRecord | None:
        """One record by its key, or ``None``."""

    @abc.abstractmethod
    def iter_records(self, *, after_id: int = 0) -> Iterator[StoredRecord]:
        """Every record in id order (for building indexes)."""

    @abc.abstractmethod
    def changes(self, *, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        """Changes with a sequence number above ``after_seq``, oldest first."""

    @abc.abstractmethod
    def last_seq(self) -> int:
        """The newest change's sequence number (0 for an empty store)."""

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
