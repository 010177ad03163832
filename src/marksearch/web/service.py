"""The web app's library side: searches, facets, records and vocabularies as plain dicts.

Nothing here knows about HTTP.  The REST API returns these dicts as they
are, the pages render them, and the exports (:mod:`marksearch.web.exports`)
write them to files; the shapes are those of ``docs/web.md``.

One :class:`Service` serves one register.  A SQLite connection and a
:class:`~marksearch.search.Searcher` are not meant for several threads at
once, and a web server calls from a pool of threads, so every read holds the
service's lock; each search first asks the store for changes since the last
one (one indexed query), so marks written by a concurrent ingest are found.

>>> from marksearch.store import open_store
>>> service = Service(open_store(":memory:"))
>>> service.search(SearchParams(q="KOKA"))["total"]
0
>>> try:
...     SearchParams.parse([("q", "KOKA"), ("cls", "46")])
... except BadParameter as exc:
...     print(exc.param, "-", exc.reason)
cls - Nice classes run from 1 to 45, not 46
>>> [c["nice_class"] for c in service.goods("coffee; tea")["classes"]][:1]
[30]
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import numpy as np
import numpy.typing as npt

from marksearch.errors import MarksearchError, UsageError
from marksearch.formats.common import iso_day
from marksearch.goods.tokens import split_terms
from marksearch.index.filters import LIVE, NO_DATE, STATUS_CODES
from marksearch.records import Feature, Kind, Record, Status
from marksearch.search import MAX_GOODS, MAX_GOODS_ITEMS, MAX_QUERY, Hit, Query, Searcher, encodable
from marksearch.store import SQLiteStore, Store, StoredRecord, open_store
from marksearch.text import has_words
from marksearch.vocab_data import nice_headings, office, office_problem, vienna_code, vienna_path

if TYPE_CHECKING:
    from marksearch.goods.analysis import GoodsAnalysis, ItemAnalysis
    from marksearch.goods.base import TermBase

__all__ = [
    "MAX_GOODS",
    "MAX_GOODS_ITEMS",
    "MAX_PER_PAGE",
    "BadParameter",
    "NotFound",
    "SearchParams",
    "Service",
    "hit_dict",
    "mark_url",
    "path_segment",
    "record_dict",
]

MAX_PER_PAGE = 100
MAX_VALUES = 100  # repeated values of one parameter (office=..&office=..), at most
STATUS_WORDS = ("live", "all", *STATUS_CODES)
FEATURES = tuple(f.value for f in Feature)
_EPOCH = np.datetime64("1800-01-01", "D")  # day 0 of the index's filing-date column


class BadParameter(UsageError):
    """A query parameter is not acceptable; ``param`` names it (``also``: others at fault with it,
    as when two fields contradict each other)."""

    def __init__(self, param: str, reason: str, *, also: Sequence[str] = ()) -> None:
        self.param = param
        self.reason = reason
        self.also = tuple(also)
        super().__init__(f"{param}: {reason}")


class NotFound(MarksearchError):
    """No record with this office and number; ``links``: ``(label, path)`` of records the reader
    may have meant (the same number with its leading zeros, say)."""

    def __init__(self, message: str, links: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.links = tuple(links)


@dataclass(frozen=True)
class SearchParams:
    """A search as the web asks it: the mark, filters, and which page of the ranking.

    ``statuses`` holds the words given (``live``, ``all`` or statuses);
    :meth:`to_query` expands them.
    """

    q: str = ""
    offices: tuple[str, ...] = ()
    classes: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ("live",)
    features: tuple[str, ...] = ()
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    owner: str | None = None
    goods: str | None = None  # a goods description: feeds the goods signal, filters nothing
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, pairs: Iterable[tuple[str, str]]) -> SearchParams:
        """From query-string pairs, as a form sends them (empty fields are absent); validated.

        The one reading of the pages and the API: of a parameter given twice the last value
        counts, numbers are ASCII digits and dates ``YYYY-MM-DD``, with nothing around them (no
        sign, point, underscore or space); texts lose the spaces around them.

        >>> SearchParams.parse([("q", "KOKA"), ("q", "COCA"), ("page", "2")]).q
        'COCA'
        """
        values: dict[str, list[str]] = {}
        last: dict[str, str] = {}
        for name, value in pairs:
            given = value if name in _EXACT else value.strip()
            last[name] = given if value.strip() else ""
            if value.strip():
                values.setdefault(name, []).append(given)

        def one(name: str) -> str | None:
            return last.get(name) or None

        params = cls(
            q=one("q") or "",
            offices=tuple(values.get("office", ())),
            classes=tuple(_integer("cls", v) for v in values.get("cls", ())),
            statuses=tuple(values.get("status", ("live",))),
            features=tuple(values.get("feature", ())),
            filed_from=_date("filed_from", one("filed_from")),
            filed_to=_date("filed_to", one("filed_to")),
            owner=one("owner"),
            goods=(one("goods") or "").replace("\r\n", "\n") or None,
            page=_integer("page", one("page") or "1"),
            per_page=_integer("per_page", one("per_page") or "20"),
        )
        params.validate(need_text=False)
        return params.normalised()

    def normalised(self) -> SearchParams:
        """Offices upper-cased, repeated values once, in the order given."""
        return SearchParams(
            q=self.q, offices=tuple(dict.fromkeys(o.upper() for o in self.offices)),
            classes=tuple(dict.fromkeys(self.classes)), statuses=tuple(dict.fromkeys(self.statuses)),
            features=tuple(dict.fromkeys(self.features)), filed_from=self.filed_from,
            filed_to=self.filed_to, owner=self.owner, goods=self.goods, page=self.page, per_page=self.per_page,
        )

    def validate(self, *, need_text: bool = True) -> None:
        """Raise :class:`BadParameter` for the first unacceptable parameter."""
        if need_text and not self.q.strip():
            raise BadParameter("q", "give the mark to search for")
        if not encodable(self.q) or (self.owner is not None and not encodable(self.owner)):
            raise BadParameter("q" if not encodable(self.q) else "owner", "is not valid Unicode text")
        if len(self.q) > MAX_QUERY:
            raise BadParameter("q", f"at most {MAX_QUERY} characters")
        if need_text and not has_words(self.q):
            raise BadParameter("q", "has no letters or digits to compare")
        for name, many in (("office", self.offices), ("cls", self.classes), ("status", self.statuses),
                           ("feature", self.features)):
            if len(many) > MAX_VALUES:
                raise BadParameter(name, f"at most {MAX_VALUES} values")
        for code in self.offices:
            if (problem := office_problem(code)) is not None:
                raise BadParameter("office", problem)
        for c in self.classes:
            if not 1 <= c <= 45:
                raise BadParameter("cls", f"Nice classes run from 1 to 45, not {c}")
        for s in self.statuses:
            if s not in STATUS_WORDS:
                raise BadParameter("status", f"{s!r} is not one of {', '.join(STATUS_WORDS)}")
        for f in self.features:
            if f not in FEATURES:
                raise BadParameter("feature", f"{f!r} is not one of {', '.join(FEATURES)}")
        if self.filed_from and self.filed_to and self.filed_from > self.filed_to:
            raise BadParameter("filed_to", "is before filed_from")
        if self.owner is not None and len(self.owner) > MAX_QUERY:
            raise BadParameter("owner", f"at most {MAX_QUERY} characters")
        if self.goods is not None:
            check_goods("goods", self.goods)
        if self.page < 1:
            raise BadParameter("page", "pages start at 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadParameter("per_page", f"between 1 and {MAX_PER_PAGE}")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def status_codes(self) -> tuple[str, ...]:
        """The statuses the words name: ``live`` is pending, registered and unknown."""
        if "all" in self.statuses:
            return ("all",)
        expanded = [s for word in self.statuses for s in (LIVE if word == "live" else (word,))]
        return tuple(dict.fromkeys(expanded)) or LIVE

    def to_query(self) -> Query:
        """The library's query for this page (text may be empty: only filters are then usable)."""
        return Query(text=self.q, offices=self.offices, classes=self.classes,
                     statuses=self.status_codes(), features=self.features, filed_from=self.filed_from,
                     filed_to=self.filed_to, owner=self.owner, limit=self.per_page,
                     offset=min(self.offset, 2**62), goods=self.goods or None)

    def to_dict(self) -> dict[str, Any]:
        return {"q": self.q, "offices": list(self.offices), "classes": list(self.classes),
                "statuses": list(self.statuses), "features": list(self.features),
                "filed_from": _iso(self.filed_from), "filed_to": _iso(self.filed_to), "owner": self.owner,
                "goods": self.goods, "page": self.page, "per_page": self.per_page}

    def to_pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """Query-string pairs that ask for this search again (with ``changes`` applied).

        >>> SearchParams(q="KOKA", classes=(9,)).to_pairs(page=2)
        [('q', 'KOKA'), ('cls', '9'), ('page', '2')]
        """
        data = {**self.to_dict(), **changes}
        pairs = [("q", data["q"])] if data["q"] else []
        pairs += [("office", o) for o in data["offices"]]
        pairs += [("cls", str(c)) for c in data["classes"]]
        if list(data["statuses"]) != ["live"]:
            pairs += [("status", s) for s in data["statuses"]]
        pairs += [("feature", f) for f in data["features"]]
        pairs += [(k, str(data[k])) for k in ("filed_from", "filed_to", "owner", "goods") if data[k]]
        if data["page"] != 1:
            pairs.append(("page", str(data["page"])))
        if data["per_page"] != 20:
            pairs.append(("per_page", str(data["per_page"])))
        return pairs


def check_goods(param: str, text: str) -> list[str]:
    """The items of a goods description, or :class:`BadParameter` when it is too long or has none.

    >>> check_goods("q", "coffee; tea\\npastries")
    ['coffee', 'tea', 'pastries']
    """
    if not encodable(text):
        raise BadParameter(param, "is not valid Unicode text")
    if len(text) > MAX_GOODS:
        raise BadParameter(param, f"at most {MAX_GOODS} characters")
    items = split_terms(text)
    if not items:
        raise BadParameter(param, "name the goods or services, e.g. 'coffee; tea' (one per line or separated by ';')")
    if len(items) > MAX_GOODS_ITEMS:
        raise BadParameter(param, f"at most {MAX_GOODS_ITEMS} goods or services, not {len(items)}")
    return items


# What the API's parameters accept, and no more: int() and date.fromisoformat() also read other
# scripts' digits (２, ٩) and ISO week dates (2021-W01-1), which the API refuses.
_WHOLE = re.compile(r"-?[0-9]{1,4300}")  # 4300 digits: the most int() (and the API) will read
# Read as given: int() and pydantic would take " 5 ", and a form's numbers and dates never have spaces.
_EXACT = frozenset({"cls", "page", "per_page", "filed_from", "filed_to"})


def _integer(param: str, text: str) -> int:
    if not _WHOLE.fullmatch(text):
        raise BadParameter(param, f"{text[:20]!r} is not a whole number")
    return int(text)


def _date(param: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    day = iso_day(text)
    return day if day is not None else _bad_date(param, text)


def _bad_date(param: str, text: str) -> dt.date:
    raise BadParameter(param, f"{text[:20]!r} is not a date (YYYY-MM-DD)")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the dicts ------------------------------------------------------------------------------------


def mark_url(office_code: str, number: str) -> str:
    """The record page's path.

    >>> mark_url("US", "../x"), mark_url("US", "..")
    ('/marks/US/..%2Fx', '/marks/US/%2E%2E')
    """
    return f"/marks/{path_segment(office_code)}/{path_segment(number)}"


def path_segment(text: str | bytes, *, safe: str = "") -> str:
    """``text`` as one segment of a URL's path: percent-encoded but for ``safe``, and a dot segment
    (``.`` or ``..``, which a browser resolves before asking, RFC 3986 5.2.4) as ``%2E``.

    >>> path_segment("a/b"), path_segment("."), path_segment(b"..."), path_segment("x y")
    ('a%2Fb', '%2E', '...', 'x%20y')
    """
    quoted = quote(text, safe=safe)
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


def _date_of(record: Record, role: str) -> str | None:
    found = record.date(role)
    return found.value.isoformat() if found and found.value else None


def _owners(record: Record) -> list[str]:
    parties = record.parties_in("owner") or record.parties_in("applicant")
    return list(dict.fromkeys(p.name or p.identifier or "" for p in parties if p.name or p.identifier))


def _image(record: Record) -> str | None:
    return record.images[0] if record.images else None


def hit_dict(rank: int, hit: Hit) -> dict[str, Any]:
    """One search hit as the API, the pages and the exports show it."""
    r = hit.record
    return {
        "rank": rank, "record_id": hit.record_id, "office": r.office, "office_name": office(r.office).name_en,
        "application_number": r.application_number, "registration_number": r.registration_number,
        "mark_text": r.mark_text, "status": r.status.value, "status_code": r.status_code,
        "status_text": r.status_text, "feature": r.feature.value, "kind": r.kind.value,
        "nice_classes": list(r.nice_classes), "owners": _owners(r),
        "filing_date": _date_of(r, "filing"), "registration_date": _date_of(r, "registration"),
        "expiry_date": _date_of(r, "expiry"), "image": _image(r),
        "score": round(hit.score, 4),
        "signals": {k: round(v, 4) for k, v in hit.scored.signals.items()},
        "reasons": list(hit.scored.reasons), "url": mark_url(r.office, r.application_number),
        "goods_overlap": hit.goods_overlap.to_dict() if hit.goods_overlap is not None else None,
    }


def goods_dict(analysis: GoodsAnalysis, base: TermBase) -> dict[str, Any]:
    """A goods description analysed: the classes for the whole list (with their
    Nice headings), each item's classes and nearest terms, and the term base used."""
    suggested = [{**s.to_dict(), **_heading(s.nice_class)} for s in analysis.suggestion()]
    return {
        "query": {"q": analysis.text},
        "classes": suggested,
        "groups": sorted(analysis.groups),
        "items": [_item_dict(item) for item in analysis.items],
        "term_base": {"terms": len(base), "languages": base.languages()},
    }


def _item_dict(item: ItemAnalysis) -> dict[str, Any]:
    data = item.to_dict()
    return {**data, "best_class": item.best_class,
            "classes": [{**c, **_heading(int(c["nice_class"]))} for c in data["classes"]]}


def _heading(nice_class: int) -> dict[str, Any]:
    found = nice_headings().get(nice_class)
    return {"kind": found.kind if found else None, "heading": found.heading if found else None}


def similar_url(record: Record) -> str | None:
    """The search for earlier marks that resemble ``record``: its text, in its Nice classes (the
    first search of an attorney clearing it or an examiner checking it; the form widens it).
    ``None`` when its text cannot be searched: none, no letters or digits, or too long."""
    text = record.mark_text
    if not has_words(text) or len(text) > MAX_QUERY:
        return None
    return "/search?" + urlencode([("q", text), *(("cls", str(c)) for c in record.nice_classes)])


def record_dict(stored: StoredRecord, history: list[dict[str, Any]]) -> dict[str, Any]:
    """Every field of a record, with the names and descriptions of its codes and its history."""
    r = stored.record
    headings = nice_headings()
    data = r.to_dict()
    return {
        **data,
        "record_id": stored.id,
        "url": mark_url(r.office, r.application_number),
        "similar_url": similar_url(r),
        "mark_text": r.mark_text,
        "office_name": office(r.office).name_en,
        "nice": [{"number": c, "kind": headings[c].kind if c in headings else None,
                  "heading": headings[c].heading if c in headings else None} for c in r.nice_classes],
        "vienna": [{"code": vienna_code(code),
                    "path": [{"code": c, "description": d} for c, d in vienna_path(code)]}
                   for code in r.vienna_codes],
        "history": history,
    }


# -- the service ----------------------------------------------------------------------------------


@dataclass
class _Currency:
    seq: int = -1
    at: float = 0.0  # time.monotonic() when read
    rows: list[dict[str, Any]] = field(default_factory=list)


CURRENCY_TTL = 10.0  # seconds: during an ingest the counts are read again at most this often
# Seconds a goods term base is used before the register is asked whether it
# changed: growing it with new records reloads and re-indexes it (seconds).
GOODS_TTL = 60.0


class Service:
    """Searches, facets and records of one register, safe to call from many threads."""

    def __init__(self, store: Store, *, goods_in_background: bool = False,
                 say: Callable[[str], None] | None = None, db: str | None = None) -> None:
        """``goods_in_background``: grow the goods term base now, in a thread on a second
        connection, instead of on the first request that needs it.  Building it from a
        register takes a while once (tens of seconds for the demo), so ``marksearch serve``
        answers meanwhile; only goods requests wait for it.  ``say`` is told, with a line to
        show, when that build starts and ends.  The second connection goes to an SQLite file
        by its path, to a database server by ``db``, the URL the store was opened with (the
        store's own ``url`` leaves the password out); without ``db``, a server register's
        base is built on first use, on the store's connection."""
        self.store = store
        self._db = db
        self._lock = threading.RLock()
        self.searcher = Searcher(store)
        self.searcher.segment.warm()  # a server's first searches run as fast as its later ones
        self._currency = _Currency()
        self._goods_lock = threading.Lock()
        self._goods_store: Store | None = None
        self._goods_base: tuple[float, TermBase] | None = None  # (time.monotonic() when read, base)
        self._goods_state = "on first use"
        self._goods_builder: threading.Thread | None = None
        self._closed = False
        if goods_in_background and self._own_goods_store() is not None:
            self._goods_state = "building"
            self._goods_builder = threading.Thread(target=self._build_goods, args=(say,), daemon=True)
            self._goods_builder.start()

    @classmethod
    def open(cls, db: str | None = None, *, goods_in_background: bool = False,
             say: Callable[[str], None] | None = None) -> Service:
        """The service of the register ``db`` (``--db``, ``$MARKSEARCH_DB`` or the default)."""
        return cls(open_store(db), goods_in_background=goods_in_background, say=say, db=db)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self.store.close()
        # A build in the background holds the goods lock: it closes its connection when it ends
        # (see _build_goods); a server stopping meanwhile does not wait for it.
        if self._goods_lock.acquire(blocking=False):
            try:
                self._close_goods_store()
            finally:
                self._goods_lock.release()

    def _close_goods_store(self) -> None:
        if self._goods_store is not None:
            self._goods_store.close()
            self._goods_store = None

    @contextmanager
    def locked_store(self) -> Iterator[Store]:
        """The store, held for one caller at a time (the watch routes read and write through it)."""
        with self._lock:
            yield self.store

    @contextmanager
    def _current(self) -> Iterator[Searcher]:
        """The searcher, holding the lock and in step with the store."""
        with self._lock:
            self.searcher.refresh()
            yield self.searcher

    # -- searching ---------------------------------------------------------------------------------

    def search(self, params: SearchParams) -> dict[str, Any]:
        """One page of the ranking (every mark that passes the filters is ranked; no cap on pages)."""
        params.validate()
        query = params.to_query()
        goods_base = self.goods_base() if query.goods else None  # outside the lock: it may take a while
        with self._current() as searcher:
            passing = self._count(searcher, query) if params.offset else None
            if passing is not None and params.offset >= passing:
                total, hits = passing, []  # past the end: nothing to score
            else:
                result = searcher.search(query, goods_base=goods_base)
                total = result.total
                hits = [hit_dict(params.offset + i, h) for i, h in enumerate(result.hits, start=1)]
            currency = self._currency_rows()
        return {
            "query": params.to_dict(), "total": total, "page": params.page, "per_page": params.per_page,
            "pages": math.ceil(total / params.per_page), "hits": hits, "currency": currency,
            "generated_at": _now(),
        }

    def _count(self, searcher: Searcher, query: Query) -> int:
        allowed, recent = self._passing(searcher, query)
        return int(allowed.sum()) + len(recent)

    def _passing(self, searcher: Searcher, query: Query) -> tuple[npt.NDArray[np.bool_], list[Any]]:
        """Segment positions and recent (unindexed) rows that pass the query's filters:
        the same rule as the search's total."""
        return searcher.passing(query)

    def facets(self, params: SearchParams) -> dict[str, Any]:
        """Counts of the marks that pass the filters by office, Nice class, status, feature and filing year.

        Every mark counts once in each facet except Nice classes, where a mark
        counts in each of its classes; marks without a filing date count under
        ``unknown`` year.  The text does not narrow them: every mark that
        passes the filters is ranked, so these are the search's ``total``.
        """
        params.validate(need_text=False)
        query = params.to_query()
        with self._current() as searcher:
            allowed, recent = self._passing(searcher, query)
            seg = searcher.segment
            names = {code: name for name, code in seg.office_codes.items()}
            status_names = {code: name for name, code in STATUS_CODES.items()}
            feature_names = dict(enumerate(FEATURES))
            office_n = _named(np.bincount(seg.office[allowed], minlength=len(names) or 1), names)
            status_n = _named(np.bincount(seg.status[allowed], minlength=len(STATUS_CODES)), status_names)
            feature_n = _named(np.bincount(seg.feature[allowed], minlength=len(FEATURES)), feature_names)
            masks = seg.classes[allowed]
            class_n = Counter({c: int(np.count_nonzero(masks & np.uint64(1 << c))) for c in range(1, 46)})
            year_n = _years(seg.filed[allowed])
            for row in recent:
                office_n[row.office] += 1
                status_n[row.status] += 1
                feature_n[row.feature] += 1
                class_n.update(c for c in row.nice_classes if 1 <= c <= 45)
                year_n[row.filing_date[:4] if row.filing_date else "unknown"] += 1
        return {
            "query": params.to_dict(),
            "total": int(allowed.sum()) + len(recent),
            "office": _by_count(office_n),
            "nice_class": {str(c): n for c, n in sorted(class_n.items()) if n},
            "status": _by_count(status_n),
            "feature": _by_count(feature_n),
            "filing_year": {y: n for y, n in sorted(year_n.items(), key=_year_order) if n},
        }

    # -- goods and services --------------------------------------------------------------------------

    def goods(self, text: str) -> dict[str, Any]:
        """Nice classes for a goods description and each item's nearest terms (:func:`goods_dict`)."""
        from marksearch.goods.analysis import analyse

        if not text.strip():
            raise BadParameter("q", "give the goods or services, e.g. 'coffee; tea'")
        check_goods("q", text)
        base = self.goods_base()
        return goods_dict(analyse(text, base=base), base)

    def goods_base(self, *, on_build: Callable[[str], None] | None = None) -> TermBase:
        """The shipped term base grown with this register's goods texts (every
        language its records use); kept beside the register once built
        (``marksearch serve`` builds it as it starts) and looked at again
        for new records at most every :data:`GOODS_TTL` seconds.  ``on_build``
        as :func:`~marksearch.goods.bases.base_for_store` takes it."""
        from marksearch.goods.bases import base_for_store

        with self._goods_lock:
            now = time.monotonic()
            if self._goods_base is not None and now - self._goods_base[0] < GOODS_TTL:
                return self._goods_base[1]
            own = self._own_goods_store()
            if own is not None:
                base = base_for_store(own, on_build=on_build)  # its own connection: searches go on meanwhile
            else:
                with self._lock:
                    base = base_for_store(self.store, on_build=on_build)
            self._goods_base = (now, base)
            self._goods_state = "ready"
            return base

    def _build_goods(self, say: Callable[[str], None] | None) -> None:
        """The background build (``goods_in_background``)."""
        started = time.monotonic()
        built: list[str] = []

        def on_build(line: str) -> None:
            built.append(line)
            if say is not None:
                say(f"{line}, in the background: goods searches wait for it")

        try:
            base = self.goods_base(on_build=on_build)
        except Exception as exc:  # the thread's last word: said, and tried again by the next goods request
            self._goods_state = "failed"
            if say is not None:
                say(f"the goods term base could not be built: {exc}")
            return
        finally:
            if self._closed:
                with self._goods_lock:
                    self._close_goods_store()
        if built and say is not None:
            say(f"goods term base ready: {len(base):,} terms in {time.monotonic() - started:.0f} s")

    def _own_goods_store(self) -> Store | None:
        """A second connection to the register, for growing the term base (see ``__init__``)."""
        if self._goods_store is None:
            if isinstance(self.store, SQLiteStore):
                if self.store.url != ":memory:":
                    self._goods_store = open_store(str(self.store.url))
            elif self._db is not None:
                self._goods_store = open_store(self._db)
        return self._goods_store

    # -- records -----------------------------------------------------------------------------------

    def record(self, office_code: str, number: str) -> dict[str, Any]:
        """Every field of one record, or :class:`NotFound`."""
        code = office_code.upper()
        if not encodable(code) or not encodable(number):
            raise NotFound(f"no mark {code!a} {number!a} in this register")
        with self._lock:
            stored = self.store.get(code, number)
            if stored is None:
                if (problem := office_problem(code)) is not None:
                    raise NotFound(f"no mark {code} {number} in this register; {problem}")
                alike = self.store.numbers_like(code, number)
                hint = f"; did you mean {' or '.join(f'{code} {n}' for n in alike)}?" if alike else ""
                raise NotFound(f"no mark {code} {number} in this register{hint}",
                               [(f"{code} {n}", mark_url(code, n)) for n in alike])
            history = self._history(code, number)
        return record_dict(stored, history)

    def _history(self, code: str, number: str) -> list[dict[str, Any]]:
        """The change log entries of one record, oldest first (the log keeps no times)."""
        return [{"seq": c.seq, "op": c.op} for c in self.store.history(code, number)]

    # -- what the register holds -------------------------------------------------------------------

    def currency(self) -> list[dict[str, Any]]:
        """Per office: how many marks, when last ingested, and the newest office date."""
        with self._lock:
            return self._currency_rows()

    def _currency_rows(self) -> list[dict[str, Any]]:
        seq = self.store.last_seq()
        now = time.monotonic()
        if seq != self._currency.seq and (self._currency.seq < 0 or now - self._currency.at >= CURRENCY_TTL):
            self._currency = _Currency(seq, now, self._read_currency())  # a scan of the register: not per request
        return [dict(row) for row in self._currency.rows]

    def _read_currency(self) -> list[dict[str, Any]]:
        return [{"office": o, "office_name": office(o).name_en, "records": n, "latest_ingest": ingest,
                 "latest_date": latest[:10] if latest else None} for o, n, ingest, latest in self.store.currency()]

    def vocabularies(self) -> dict[str, Any]:
        """The words the API accepts and shows: offices held, statuses, features, kinds, Nice classes."""
        held = self.currency()
        return {
            "offices": [{"code": c["office"], "name": c["office_name"], "kind": office(c["office"]).kind,
                         "records": c["records"]} for c in held],
            "statuses": [{"code": s.value, "live": s.live} for s in Status],
            "status_filters": list(STATUS_WORDS),
            "features": list(FEATURES),
            "kinds": [k.value for k in Kind],
            "nice_classes": [{"number": n.number, "kind": n.kind, "heading": n.heading}
                             for n in nice_headings().values()],
        }

    def health(self) -> dict[str, Any]:
        """Liveness, the marks held, and where the goods term base stands: ``building`` (goods
        requests wait for it), ``ready``, ``on first use`` or ``failed`` (built on the next goods
        request)."""
        return {"status": "ok", "records": sum(c["records"] for c in self.currency()),
                "goods_term_base": self._goods_state}


def _named(counts: npt.NDArray[np.int64], names: dict[int, str]) -> Counter[str]:
    return Counter({names[i]: int(n) for i, n in enumerate(counts) if n and i in names})


def _years(filed: npt.NDArray[np.int32]) -> Counter[str]:
    known = filed[filed != NO_DATE]  # a filing before the index's day 0 (1800) is a day below it
    years = (_EPOCH + known.astype("timedelta64[D]")).astype("datetime64[Y]").astype(np.int64) + 1970
    counted = Counter({str(int(y)): int(n) for y, n in zip(*np.unique(years, return_counts=True), strict=True)})
    if len(known) < len(filed):
        counted["unknown"] = len(filed) - len(known)
    return counted


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return {k: n for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n}


def _year_order(item: tuple[str, int]) -> tuple[int, str]:
    """Newest year first, ``unknown`` last."""
    year = item[0]
    return (1, year) if not year.isdigit() else (0, f"{9999 - int(year):04d}")
