"""Query -> ranked, explained results, over the whole register.

A :class:`Searcher` holds an index segment built from the store (persisted
beside it and opened memory-mapped), follows the store's change sequence so
that records written after the segment are searched too (a small in-memory
delta, scored exhaustively), and rebuilds the segment when the delta grows.
Its results are exactly those of the exhaustive reference
(:func:`marksearch.scoring.exhaustive_search`) over the same register.

>>> from marksearch.store import open_store
>>> from marksearch.records import Record, VerbalElement
>>> store = open_store(":memory:")
>>> _ = store.write([Record(office="EM", application_number="1", verbal_elements=(VerbalElement("COCA"),))],
...                 [mark_keys("COCA").to_dict()])
>>> Searcher(store).search(Query("KOKA")).hits[0].record.mark_text
'COCA'
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import secrets
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from marksearch.errors import UsageError
from marksearch.index.filters import LIVE, STATUS_CODES, Filter, class_mask
from marksearch.index.segment import Segment, build_segment, scorer_keys
from marksearch.index.topk import Gathered, top_k
from marksearch.records import Feature, Record
from marksearch.scoring import Candidate, Scored, ScoringModel
from marksearch.store import IndexRow, Store
from marksearch.text import has_words, mark_keys
from marksearch.vocab_data import office_problem

if TYPE_CHECKING:
    from marksearch.goods.base import TermBase
    from marksearch.goods.similarity import GoodsOverlap

__all__ = ["Hit", "Query", "SearchResult", "Searcher", "index_folder"]

MAX_QUERY = 200
MAX_GOODS = 2000
# Items (terms) of one goods description, at most: each is matched against the
# term base and, in a search, paired with every term of every hit's goods.
MAX_GOODS_ITEMS = 50


def encodable(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8: a command-line argument of bytes that are not
    UTF-8 arrives holding lone surrogates, which no database nor JSON output can take."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Query:
    """What a user asks: a mark in any script and optional filters.

    ``classes`` are the goods the user cares about: they feed the goods
    signal and restrict results to marks in at least one of them.
    ``statuses`` defaults to the live statuses; ``("all",)`` means every status, and ``live``
    among others the live statuses.
    """

    text: str
    offices: tuple[str, ...] = ()
    classes: tuple[int, ...] = ()
    statuses: tuple[str, ...] = LIVE
    features: tuple[str, ...] = ()
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    owner: str | None = None
    limit: int = 20
    offset: int = 0
    goods: str | None = None  # a goods description: it feeds the goods signal and filters nothing

    def validate(self) -> None:
        for what, value in (("the query text", self.text), ("the owner", self.owner), ("the goods", self.goods)):
            if value is not None and not encodable(value):
                raise UsageError(f"{what} is not valid Unicode (a lone surrogate: bytes that are not UTF-8)")
        if not self.text.strip():
            raise UsageError("the query text is empty")
        if len(self.text) > MAX_QUERY:
            raise UsageError(f"the query text is longer than {MAX_QUERY} characters")
        if not has_words(self.text):
            raise UsageError(f"the query {self.text.strip()!r} has no letters or digits to compare")
        if self.goods is not None and len(self.goods) > MAX_GOODS:
            raise UsageError(f"the goods description is longer than {MAX_GOODS} characters")
        if self.goods is not None and self.goods.strip():
            from marksearch.goods.tokens import split_terms

            items = split_terms(self.goods)
            if not items:  # ";;;": something was meant, nothing can be read
                raise UsageError("the goods description names no goods or services; give them as "
                                 "'coffee; tea' (separated by ';' or one per line)")
            if len(items) > MAX_GOODS_ITEMS:  # as the API and the watches refuse them
                raise UsageError(f"at most {MAX_GOODS_ITEMS} goods or services, not {len(items)}")
        if not 1 <= self.limit <= 10_000:
            raise UsageError("limit must be between 1 and 10000")
        if self.offset < 0:
            raise UsageError("offset must not be negative")
        bad = [c for c in self.classes if not 1 <= c <= 45]
        if bad:
            raise UsageError(f"Nice classes run from 1 to 45, not {bad[0]}")
        for code in self.offices:
            if (problem := office_problem(code)) is not None:
                raise UsageError(problem)
        if self.filed_from and self.filed_to and self.filed_from > self.filed_to:
            # as the API answers it: no filing can fall in such a range, so it is a mistake
            raise UsageError(f"the filing date range ends ({self.filed_to}) before it starts ({self.filed_from})")
        unknown = set(self.statuses) - set(STATUS_CODES) - {"all", "live"}
        if unknown:
            raise UsageError(f"unknown status {sorted(unknown)[0]!r}; use live, {', '.join(STATUS_CODES)} or all")
        features = {f.value for f in Feature}
        if wrong := sorted(set(self.features) - features):
            raise UsageError(f"unknown feature {wrong[0]!r}; use one of {', '.join(sorted(features))}")

    def filter(self) -> Filter:
        statuses = tuple(STATUS_CODES) if "all" in self.statuses else parse_statuses(self.statuses)
        # Stripped and upper-cased as office_problem checked them: "EM " passed the check and then
        # filtered on itself, which no record has, and the search answered that nothing conflicts.
        return Filter(offices=tuple(o.strip().upper() for o in self.offices), classes=self.classes,
                      statuses=statuses, features=self.features,
                      filed_from=self.filed_from, filed_to=self.filed_to)


@dataclass(frozen=True)
class Hit:
    score: float
    record_id: int
    scored: Scored
    record: Record
    goods_overlap: GoodsOverlap | None = None  # which of the record's goods meet the query's description

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "office": r.office,
            "application_number": r.application_number,
            "registration_number": r.registration_number,
            "mark_text": r.mark_text,
            "status": r.status.value,
            "nice_classes": list(r.nice_classes),
            "score": round(self.score, 4),
            "signals": {k: round(v, 4) for k, v in self.scored.signals.items()},
            "reasons": self.scored.reasons,
            **({"goods_overlap": self.goods_overlap.to_dict()} if self.goods_overlap is not None else {}),
        }


@dataclass
class SearchResult:
    query: Query
    total: int  # marks that pass the filters: every one of them is ranked, none capped
    hits: list[Hit]
    explain: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query.text, "total": self.total,
                                "offset": self.query.offset, "limit": self.query.limit,
                                "hits": [h.to_dict() for h in self.hits]}
        if self.explain:
            data["explain"] = self.explain
        return data


def index_folder(store: Store) -> Path | None:
    """Where a store's index lives: beside an SQLite file, none for an in-memory store."""
    url = store.url
    if url == ":memory:" or "://" in url:
        return None
    return Path(url + ".index")


class Searcher:
    """Searches one store; see the module docstring."""

    REBUILD_AT = 50_000  # delta records beyond which the segment is rebuilt

    def __init__(self, store: Store, *, model: ScoringModel | None = None, persist: bool = True) -> None:
        self.store = store
        self.model = model or ScoringModel()
        self.folder = index_folder(store) if persist else None
        self.delta: dict[int, tuple[Candidate, IndexRow]] = {}
        self._use(self._open_segment())
        self.refresh()

    def _use(self, segment: Segment) -> None:
        """Search ``segment`` from now on, with no delta: the store's changes after its ``seq`` are
        read by :meth:`refresh`."""
        self.segment = segment
        self.seq = segment.seq
        self.last = self.store.change_at(segment.seq)  # the change at ``seq``: see refresh
        self.stale = np.zeros(segment.size, dtype=bool)
        self.delta = {}

    # -- keeping in step with the store ------------------------------------------

    def _open_segment(self) -> Segment:
        """The index kept beside the register, or one built now when it is missing, stale, damaged
        or of another version or register.  Several processes may find it so at once: one builds
        and saves it while the others wait (:func:`_index_lock`), then read what it saved."""
        if self.folder is None:
            return self.rebuild()
        with _index_lock(self.folder, shared=True):  # never read while another process swaps it
            segment = self._saved_segment()
        if segment is not None:
            return segment
        with _index_lock(self.folder) as locked:
            if locked:
                segment = self._saved_segment()  # made by another process while this one waited
                if segment is not None:
                    return segment
            return self._rebuild(held=locked)

    def _saved_segment(self) -> Segment | None:
        """The saved index when it is whole and this register's, else ``None``."""
        assert self.folder is not None
        try:
            if not (self.folder / "meta.json").is_file():
                return None
            segment = Segment.load(self.folder)
            if not _whole(segment):
                return None
        except Exception:  # noqa: BLE001 - damaged in any way (a file cut short: EOFError), or another version
            return None
        if segment.register == self._register() and segment.seq <= self.store.last_seq() \
                and segment.history == self.store.history_mark(segment.seq):
            return segment
        return None  # the register was replaced under the index, or restored from a backup

    def _register(self) -> str:
        """The store's register id, which the index keeps: a register deleted and made again at
        the same path, or another register copied over it, does not read the old one's index."""
        register = getattr(self.store, "register_id", "")
        return register if isinstance(register, str) else ""

    def rebuild(self) -> Segment:
        """Build the segment from the whole store and persist it."""
        return self._rebuild()

    def _rebuild(self, *, held: bool | None = None) -> Segment:
        """``held``: whether the caller holds the index lock (``None``: it is taken here to save)."""
        seq = self.store.last_seq()
        segment = build_segment(self.store.iter_index_rows(), seq=seq)
        segment.register = self._register()
        segment.history = self.store.history_mark(seq)
        if self.folder is not None:
            if held is not None:
                segment = self._save(segment, locked=held)
            else:
                with _index_lock(self.folder) as taken:
                    segment = self._save(segment, locked=taken)
        self._use(segment)
        return segment

    def _save(self, segment: Segment, *, locked: bool) -> Segment:
        """Save ``segment`` as the register's index (the caller holds the index lock), and return it
        as read back memory-mapped; the one built in memory when it cannot be saved.

        It is written whole to a folder of this process's own, made durable, and only then put in
        the place of the old one, which stays whole until then."""
        assert self.folder is not None
        folder = self.folder
        if locked:
            _remove_leftovers(folder)
        partial = folder.with_name(f"{folder.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            partial.mkdir()
            segment.save(partial)
            _make_durable(partial)
            _swap(partial, folder)
        except OSError as exc:
            _remove(partial)
            _say(f"note: could not save the search index at {folder} ({exc.strerror or exc}); "
                 "searching with one built in memory, which is built again on each run until it can be saved")
            return segment
        try:
            saved = Segment.load(folder)
        except Exception:  # noqa: BLE001 - read back wrong: the one in memory is the same
            return segment
        return saved if _whole(saved) else segment

    def refresh(self) -> int:
        """Apply the store's changes since the last look; returns how many were applied.

        A register restored from a backup under a running searcher has another history past the
        backup: once it has as many changes again, the ones after ``seq`` are not those that
        follow what the index holds.  The change at ``seq`` tells (one look-up by key), and the
        index is then opened again (built again, as the saved one is stale too)."""
        if self.store.change_at(self.seq) != self.last:
            self._use(self._open_segment())
        applied = 0
        while True:
            changes = self.store.changes(after_seq=self.seq)
            if not changes:
                return applied
            touched: set[int] = set()
            for change in changes:
                self._mark_stale(change.record_id)
                if change.op == "delete":
                    self.delta.pop(change.record_id, None)
                    touched.discard(change.record_id)
                else:
                    touched.add(change.record_id)
            for row in self.store.iter_index_rows(ids=sorted(touched)):
                keys = scorer_keys(row.keys) if row.keys else {"plain": "", "text": ""}
                candidate = Candidate.from_keys(row.id, keys, row.nice_classes, status=row.status)
                self.delta[row.id] = (candidate, row)
            self.seq = changes[-1].seq
            self.last = changes[-1]
            applied += len(changes)
            if len(self.delta) > self.REBUILD_AT:
                self.rebuild()
                return applied

    def _mark_stale(self, record_id: int) -> None:
        ids = self.segment.record_ids
        at = int(np.searchsorted(ids, record_id))
        if at < len(ids) and int(ids[at]) == record_id:
            self.stale[at] = True

    # -- searching -----------------------------------------------------------------

    def search(self, query: Query, *, explain: bool = False, goods_base: TermBase | None = None) -> SearchResult:
        """The ranked page of ``query``.  A goods description is read against
        ``goods_base`` (the shipped term base by default; pass the one grown
        with the register's goods, ``marksearch.goods.bases.base_for_store``,
        to read every language the register uses)."""
        query.validate()
        self.refresh()
        from marksearch.goods.analysis import analyse as analyse_goods  # its term base loads on first use
        from marksearch.goods.similarity import overlap as goods_overlap

        keys = mark_keys(query.text)
        analysis = analyse_goods(query.goods, base=goods_base) if query.goods and query.goods.strip() else None
        scorer = self.model.scorer(keys, classes=query.classes,
                                   goods=analysis.signals if analysis is not None else None)
        allowed, recent_rows = self._passing(query)
        want = query.offset + query.limit
        skip = self.stale if self.stale.any() else None
        found = top_k(self.segment, scorer, want, allowed=allowed,
                      skip=(lambda p: bool(skip[p])) if skip is not None else None, model=self.model,
                      within=class_mask(query.classes))
        ids = self.segment.record_ids
        ranked = [(score, int(ids[p]), p) for score, p in found.hits]
        recent = [(row.id, self.delta[row.id][0]) for row in recent_rows]
        ranked.extend((scorer.score(candidate), rid, -1) for rid, candidate in recent)
        ranked.sort(key=lambda item: (-item[0], item[1]))
        page = ranked[query.offset : want]
        records = self.store.get_by_ids([rid for _, rid, _ in page])
        hits = []
        for score, record_id, position in page:
            stored = records.get(record_id)
            if stored is None:
                continue  # deleted by a concurrent ingest since the refresh above
            candidate = self.segment.candidate(position) if position >= 0 else self.delta[record_id][0]
            overlap = (goods_overlap(analysis, stored.record.goods, base=goods_base)
                       if analysis is not None else None)
            hits.append(Hit(score, record_id, scorer(candidate), stored.record, overlap))
        indexed = ~self.stale if allowed is None else allowed & ~self.stale
        total = int(indexed.sum()) + len(recent)
        info = _explain(keys.to_dict(), found.gathered, found.scored, len(self.delta)) if explain else {}
        return SearchResult(query, total, hits, info)

    def passing(self, query: Query) -> tuple[npt.NDArray[np.bool_], list[IndexRow]]:
        """The marks that pass a query's filters (what its ``total`` counts, and facets count):
        a mask over the segment's positions (stale entries left out) and the recent rows.

        Call :meth:`refresh` first to include the latest changes.
        """
        allowed, recent = self._passing(query)
        indexed = ~self.stale if allowed is None else allowed & ~self.stale
        return indexed, recent

    def _passing(self, query: Query) -> tuple[npt.NDArray[np.bool_] | None, list[IndexRow]]:
        """The segment's filter mask (``None``: every position) and the recent rows that pass."""
        flt = query.filter()
        owner = (query.owner or "").strip()  # a blank owner filters nothing: every name has a space
        owner_ids = set(self.store.owner_ids(owner)) if owner else None
        allowed = self.segment.mask(flt)
        if owner_ids is not None:
            owned = np.isin(self.segment.record_ids, np.fromiter(owner_ids, dtype=np.int64))
            allowed = owned if allowed is None else allowed & owned
        recent = [row for rid, (_, row) in self.delta.items()
                  if _row_passes(row, flt) and (owner_ids is None or rid in owner_ids)]
        return allowed, recent


# -- the index folder ------------------------------------------------------------------


@contextmanager
def _index_lock(folder: Path, *, shared: bool = False) -> Iterator[bool]:
    """An advisory lock on the index beside a register (``flock`` on ``REGISTER.index.lock``):
    exclusive to save it, shared to read it.  Yields whether it is held: where the lock file
    cannot be made (a read-only folder, where no index can be saved either), the caller goes on
    without it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield False
        return
    try:
        handle = open(folder.with_name(folder.name + ".lock"), "a+b")  # noqa: SIM115 - held until the end
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _whole(segment: Segment) -> bool:
    """Whether a loaded segment's columns agree on its size (a file cut short or replaced does not)."""
    size = segment.size
    columns = (segment.office, segment.status, segment.feature, segment.classes, segment.scripts, segment.filed)
    if any(len(c) != size for c in columns) or len(segment.key_offsets) != size + 1:
        return False
    return size == 0 or int(segment.key_offsets[-1]) == len(segment.key_blob)


def _remove_leftovers(folder: Path) -> None:
    """Folders a process killed while saving left beside the index (the caller holds the lock, so
    no other process is writing one), and the one fixed name earlier releases used."""
    for left in folder.parent.glob(glob.escape(folder.name) + ".new*"):
        _remove(left)
    for left in folder.parent.glob(glob.escape(folder.name) + ".old-*"):
        _remove(left)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(OSError):
            path.unlink()


def _make_durable(folder: Path) -> None:
    """fsync a saved index's files and folder, so that a power loss after the swap does not leave
    an index of empty files in the place of a whole one."""
    for path in folder.iterdir():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    with suppress(OSError):  # not every file system lets a folder be opened for it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap(new: Path, folder: Path) -> None:
    """Put the folder ``new`` in the place of ``folder`` (whatever is there: an index, a file, nothing).
    Processes that mapped the old index's files keep reading them after they are removed."""
    old = None
    if folder.exists() or folder.is_symlink():
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        _remove(old)
        folder.rename(old)
    try:
        new.rename(folder)
    except OSError:
        if old is not None:
            with suppress(OSError):
                old.rename(folder)
        raise
    _fsync_folder(folder.parent)
    if old is not None:
        _remove(old)


def _say(line: str) -> None:
    """A note for the person running marksearch, on standard error."""
    with suppress(OSError, ValueError):
        print(f"marksearch: {line}", file=sys.stderr)


def _row_passes(row: IndexRow, flt: Filter) -> bool:
    """The filter applied to one delta record (the segment applies it vectorised)."""
    if flt.offices and row.office not in flt.offices:
        return False
    if row.status not in flt.statuses:
        return False
    if flt.features and row.feature not in flt.features:
        return False
    if flt.classes and not set(flt.classes) & set(row.nice_classes):
        return False
    filed = dt.date.fromisoformat(row.filing_date[:10]) if row.filing_date else None
    if flt.filed_from is not None and (filed is None or filed < flt.filed_from):
        return False
    return not (flt.filed_to is not None and (filed is None or filed > flt.filed_to))


def _explain(keys: dict[str, Any], gathered: Gathered, scored: int, delta: int) -> dict[str, Any]:
    shown = {k: keys.get(k) for k in ("folded", "compact", "plain", "skeleton", "scripts", "latin",
                                      "phonetic", "sound", "loose", "dominant")}
    return {
        "normalised": keys.get("folded"),
        "keys": shown,
        "candidates": [
            {"level": sigma, "found": found, "newly_scored": fresh} for sigma, found, fresh in gathered.rounds
        ],
        "scored": scored,
        "exhaustive": gathered.exhaustive,
        "unindexed_recent_records": delta,
    }


def parse_statuses(values: Sequence[str]) -> tuple[str, ...]:
    """CLI/API status words: ``live`` (default), ``all``, or explicit statuses."""
    if not values:
        return LIVE
    # live is a word for the live statuses, with other words too (--status live --status ended)
    return tuple(dict.fromkeys(s for v in values for s in (LIVE if v == "live" else (v,))))
