"""Which term base a query uses: the shipped one, or the shipped one grown
with the goods of a register.

The shipped base (``data/goods/termbase.npz``, built by
``tools/build_goods.py``) holds the reference terms: the NCL list, class
headings and notes (English), CNIPA's table (Chinese) and KIPO's list
sample (Korean).  A register adds what its records say, in every language
they use (EUIPO: 23).  Building that costs seconds per hundred thousand
terms, so the grown base is kept beside an SQLite register
(``REGISTER.goods.npz``, like the search index's ``REGISTER.index/``) with
the register's change sequence number; records changed since are added on
loading, and the file is rebuilt when they are many.  A record's old terms
stay after it changes or goes: a term once used is still a real wording.

>>> base = default_base()
>>> base.term(base.lookup("smartphones")[0]).nice_class
9
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from marksearch.errors import StoreError
from marksearch.goods.base import FORMAT, TermBase
from marksearch.goods.sources import SourceTerm, record_terms
from marksearch.records import Record

if TYPE_CHECKING:
    from marksearch.store import Change, Store

__all__ = ["REBUILD_AT", "base_for_store", "cache_path", "default_base", "shipped_path"]

# Records changed since the cached base beyond which the cache is rebuilt.
REBUILD_AT = 5_000

_lock = threading.Lock()
_grown: dict[str, tuple[int, Change | None, TermBase]] = {}  # by store: its seq, the change there, the base


def shipped_path() -> Path:
    return Path(str(resources.files("marksearch").joinpath("data", "goods", "termbase.npz")))


@functools.cache
def _shipped() -> tuple[TermBase, str]:
    data = shipped_path().read_bytes()
    base, _meta = TermBase.load(data)
    return base, f"{len(data)}:{zlib.crc32(data):08x}"


def default_base() -> TermBase:
    """The shipped term base, loaded once (about 0.1 s)."""
    try:
        return _shipped()[0]
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(f"the goods term base is missing or damaged in this installation: {exc}") from None


def cache_path(store: Store) -> Path | None:
    """Where a register's grown base is kept: beside an SQLite file; for a
    database server, in the user's cache folder under the register's own id
    (the same for every worker on a machine, whatever URL reached it);
    nowhere for an in-memory register."""
    url = store.url
    if url == ":memory:":
        return None
    if "://" not in url:
        return Path(url + ".goods.npz")
    register_id = getattr(store, "register_id", None)
    if not isinstance(register_id, str) or not register_id:
        return None
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "marksearch"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # no writable cache folder: the base is built in memory each time
    return folder / f"{register_id}.goods.npz"


def base_for_store(store: Store, *, persist: bool = True,
                   on_build: Callable[[str], None] | None = None) -> TermBase:
    """The shipped base grown with the goods of every record in ``store``.

    ``on_build`` is told (with a line to show) when the base must be built
    from the whole register, which takes a while once.
    """
    with _lock:
        seq = store.last_seq()
        key = store.url
        held = _grown.get(key)
        if held is not None and store.change_at(held[0]) != held[1]:
            held = None  # the register was restored from a backup under this process
        if held is not None and held[0] == seq:
            return held[2]
        base = None
        if held is not None and held[0] < seq:
            changed = _changed_ids(store, held[0])  # records written since: added to the held base
            if len(changed) <= REBUILD_AT:
                base = _extend(held[2], _records(store, changed))
        if base is None:
            base = _grow(store, seq, persist, on_build)
        if key != ":memory:":
            _grown[key] = (seq, store.change_at(seq), base)
        return base


def _grow(store: Store, seq: int, persist: bool, on_build: Callable[[str], None] | None) -> TermBase:
    shipped, digest = _shipped()
    path = cache_path(store) if persist else None
    register = getattr(store, "register_id", None) if path is not None else None
    cached = _load_cache(path, digest, seq, register, store)
    if cached is not None:
        base, since = cached
        changed = _changed_ids(store, since)
        if len(changed) <= REBUILD_AT:
            return _extend(base, _records(store, changed))
    if on_build is not None:
        on_build(f"building the goods term base of {store.url} (once; later runs read it from the cache)")
    extension = TermBase.build(_terms(r.record for r in store.iter_records()), known=shipped)
    base = shipped.merge(extension)
    if path is not None:
        _save_cache(base, path, digest, seq, register, store.history_mark(seq))
    return base


def _load_cache(path: Path | None, digest: str, seq: int, register: str | None,
                store: Store) -> tuple[TermBase, int] | None:
    if path is None or not path.exists():
        return None
    try:
        base, meta = TermBase.load(path)
    except (OSError, ValueError, KeyError):
        return None  # another format, or damaged: rebuilt
    since = meta.get("seq")
    if meta.get("shipped") != digest or meta.get("format") != FORMAT or not isinstance(since, int) or since > seq:
        return None  # another marksearch, or a register replaced under the cache
    if meta.get("register") != register:
        return None  # a register made again at the same path: the records cached are another's
    if meta.get("history") != store.history_mark(since):
        return None  # a register restored from a backup, then written to: its records are others
    return base, since


def _save_cache(base: TermBase, path: Path, digest: str, seq: int, register: str | None, history: str) -> None:
    partial = path.with_name(path.name + f".{os.getpid()}.new")
    try:
        with open(partial, "wb") as f:
            base.save(f, meta={"seq": seq, "shipped": digest, "format": FORMAT, "register": register,
                                     "history": history},
                      compress=False)
        os.replace(partial, path)  # readers see the old file or the new one, whole
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only folder: the base is rebuilt next time


def _changed_ids(store: Store, since: int) -> list[int]:
    ids: dict[int, None] = {}
    while True:
        changes = store.changes(after_seq=since)
        if not changes:
            return list(ids)
        for change in changes:
            if change.op == "delete":
                ids.pop(change.record_id, None)
            elif change.op != "rekey":  # new text keys change no goods
                ids[change.record_id] = None
        since = changes[-1].seq
        if len(ids) > REBUILD_AT:
            return list(ids)


def _records(store: Store, ids: list[int]) -> Iterator[Record]:
    for start in range(0, len(ids), 500):
        yield from (r.record for r in store.get_by_ids(ids[start:start + 500]).values())


def _extend(base: TermBase, records: Iterable[Record]) -> TermBase:
    extension = TermBase.build(_terms(records), known=base)
    return base.merge(extension) if len(extension) else base


def _terms(records: Iterable[Record]) -> Iterator[SourceTerm]:
    for record in records:
        if record.goods:
            yield from record_terms(record.goods)
