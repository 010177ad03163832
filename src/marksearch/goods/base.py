"""The term base: every known goods and services term with its class, ids,
similar groups and gloss, and the TF-IDF index over them.

Rows are unique by (:func:`~marksearch.goods.tokens.term_key`, language,
class): one wording of one term in one class.  The columns are numpy arrays
and the texts one UTF-8 blob, so a base loads from ``.npz`` in milliseconds
and a row's text is decoded only when shown.  Two bases merge into one
(:meth:`TermBase.merge`), which is how the terms of a register join the
shipped ones.

>>> from marksearch.goods.sources import SourceTerm
>>> base = TermBase.build([SourceTerm("coffee", 30, "en", "ncl", "U300030"),
...                        SourceTerm("Kaffee", 30, "de", "record", gloss="coffee")])
>>> len(base), base.term(1).text, base.term(1).gloss, base.lookup("KAFFEE")
(2, 'Kaffee', 'coffee', [1])
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import xxhash

from marksearch.goods.index import TermIndex
from marksearch.goods.sources import SourceTerm
from marksearch.goods.tokens import key_and_features, term_key

__all__ = ["FORMAT", "SOURCES", "Term", "TermBase"]

# Bumped when the stored layout or the features change: a register's cached
# base of another format is rebuilt.
FORMAT = 1

# The sources a row can come from, one bit each in ``flags``.
SOURCES = ("ncl", "ncl-synonym", "ncl-heading", "ncl-note", "cnipa", "cnipa-group",
           "cnipa-heading", "kipo", "record")
_BIT = {name: 1 << i for i, name in enumerate(SOURCES)}

_CLASSES = 46  # Nice classes by number: index 0 unused, 1 to 45
_COLUMNS = ("offsets", "classes", "language", "term_id", "groups", "gloss", "flags", "count", "keys")


@dataclass(frozen=True, slots=True)
class Term:
    """One row of the term base."""

    number: int
    text: str
    language: str
    nice_class: int
    term_id: str
    groups: tuple[str, ...]
    gloss: str
    sources: tuple[str, ...]
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "language": self.language, "nice_class": self.nice_class,
                "term_id": self.term_id or None, "groups": list(self.groups),
                "gloss": self.gloss or None, "sources": list(self.sources), "count": self.count}


def _key_hash(key: str) -> int:
    return xxhash.xxh3_64_intdigest(key.encode("utf-8"))


class TermBase:
    """Terms, their columns and their index; build, merge, save, load."""

    def __init__(self, columns: Mapping[str, npt.NDArray[Any]], blob: bytes,
                 tables: Mapping[str, list[str]], index: TermIndex) -> None:
        self.offsets: npt.NDArray[np.int64] = columns["offsets"].astype(np.int64)
        self.classes: npt.NDArray[np.uint8] = columns["classes"]
        self.language: npt.NDArray[np.int16] = columns["language"]
        self.term_id: npt.NDArray[np.int32] = columns["term_id"]
        self.groups: npt.NDArray[np.int32] = columns["groups"]
        self.gloss: npt.NDArray[np.int32] = columns["gloss"]
        self.flags: npt.NDArray[np.uint16] = columns["flags"]
        self.count: npt.NDArray[np.uint32] = columns["count"]
        self.keys: npt.NDArray[np.uint64] = columns["keys"]
        self.blob = blob
        self.tables = {name: list(values) for name, values in tables.items()}
        self.index = index
        self._masks: dict[frozenset[str], npt.NDArray[np.bool_]] = {}
        self._totals: dict[str, tuple[npt.NDArray[np.float64], int]] = {}
        self._class_words: dict[tuple[int, float], npt.NDArray[np.uint32]] = {}
        self._bridges: dict[tuple[int, float, int], npt.NDArray[np.float64]] = {}

    def __len__(self) -> int:
        return len(self.classes)

    # -- reading rows -----------------------------------------------------------

    def text(self, row: int) -> str:
        return self.blob[self.offsets[row]:self.offsets[row + 1]].decode("utf-8")

    def term(self, row: int) -> Term:
        """Row ``row`` as a :class:`Term`."""
        row = int(row)
        groups = self._table("groups", self.groups[row])
        return Term(
            number=row, text=self.text(row), language=self.tables["languages"][self.language[row]],
            nice_class=int(self.classes[row]), term_id=self._table("ids", self.term_id[row]),
            groups=tuple(groups.split("|")) if groups else (), gloss=self._table("glosses", self.gloss[row]),
            sources=tuple(s for s in SOURCES if int(self.flags[row]) & _BIT[s]), count=int(self.count[row]),
        )

    def _table(self, name: str, at: Any) -> str:
        return self.tables[name][int(at)] if at >= 0 else ""

    def languages(self) -> list[str]:
        """The languages that have terms, most terms first."""
        counts = np.bincount(self.language, minlength=len(self.tables["languages"]))
        return [self.tables["languages"][i] for i in np.argsort(-counts, kind="stable") if counts[i]]

    def language_mask(self, languages: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Rows in any of ``languages`` (kept for the next query in the same languages)."""
        wanted = frozenset(language.lower() for language in languages)
        mask = self._masks.get(wanted)
        if mask is None:
            codes = [i for i, name in enumerate(self.tables["languages"]) if name in wanted]
            mask = self._masks[wanted] = np.isin(self.language, codes)
        return mask

    @cached_property
    def _key_order(self) -> npt.NDArray[np.int64]:
        return np.argsort(self.keys, kind="stable")

    @cached_property
    def _sorted_keys(self) -> npt.NDArray[np.uint64]:
        return self.keys[self._key_order]

    def lookup(self, text: str) -> list[int]:
        """Rows whose wording is ``text`` (any class and language), by :func:`term_key`."""
        return self.rows_of_key(term_key(text))

    def rows_of_key(self, key: str) -> list[int]:
        if not key:
            return []
        wanted = np.uint64(_key_hash(key))
        lo = int(np.searchsorted(self._sorted_keys, wanted))
        hi = lo
        while hi < len(self._sorted_keys) and self._sorted_keys[hi] == wanted:
            hi += 1
        return sorted(int(r) for r in self._key_order[lo:hi])

    def has(self, key: str, language: str, nice_class: int) -> bool:
        """Whether a row has this wording (:func:`term_key`), language and class."""
        languages = self.tables["languages"]
        code = languages.index(language) if language in languages else -1
        return any(self.language[r] == code and self.classes[r] == nice_class
                   for r in self.rows_of_key(key))

    def class_totals(self, kinds: str) -> tuple[npt.NDArray[np.float64], int]:
        """Occurrences of features of ``kinds`` (first letters) per class (index 0
        unused), and how many such features there are: the naive Bayes denominators."""
        held = self._totals.get(kinds)
        if held is None:
            wanted = np.isin(self.index.kinds, np.frombuffer(kinds.encode("ascii"), dtype=np.uint8))
            postings = self.index.postings[np.repeat(wanted, self.index.df)]
            totals = np.bincount(self.classes[postings], minlength=_CLASSES).astype(np.float64)
            held = self._totals[kinds] = (totals, int(wanted.sum()))
        return held

    def class_words(self, support: int, share: float) -> npt.NDArray[np.uint32]:
        """Per row, the feature hash of a word of it that names a class: a word of at least
        ``support`` terms, at least ``share`` of them in one class (TOY, RETAIL, REPAIR,
        INSTALLATION, WHOLESALE: each puts what follows it in a class of its own); 0 for a row
        with none.  Made from the index on first use, about a millisecond for the shipped base."""
        held = self._class_words.get((support, share))
        if held is not None:
            return held
        index = self.index
        feats = np.flatnonzero((index.kinds == ord("w")) & (index.df >= support))
        lengths = index.df[feats]
        # the postings of the chosen words, concatenated: each slice's positions in the postings array
        at = np.repeat(index.indptr[feats] - np.cumsum(np.r_[0, lengths[:-1]]), lengths) + np.arange(lengths.sum())
        rows = index.postings[at]
        local = np.repeat(np.arange(len(feats)), lengths)
        counts = np.bincount(local * _CLASSES + self.classes[rows],
                             minlength=len(feats) * _CLASSES).reshape(-1, _CLASSES)
        naming = counts.max(axis=1) >= share * lengths
        held = np.zeros(len(self), dtype=np.uint32)
        named = naming[local]
        held[rows[named]] = index.hashes[feats[local[named]]]
        self._class_words[(support, share)] = held
        return held

    def service_bridge(self, *, support: int, share: float, first: int) -> npt.NDArray[np.float64]:
        """Per goods class (rows 1 to ``first - 1``), how the words of its goods spread over the
        service classes (columns ``first`` to 45): for each word that goods terms and service terms
        both have, its goods terms' class shares times its service terms' class shares, summed over
        the words; each row sums to 1 (0 for a class whose words no service term has).  Service
        terms with a class word (:meth:`class_words` with ``support`` and ``share``: retail of,
        repair of) are left out: they name their class whatever the goods.  In the shipped base
        the words of medical apparatus (class 10) go 41 % to medical services (44), those of
        sports goods (28) 38 % to sports and entertainment (41), those of vehicles (12) 45 % to
        transport (39).  Made on first use, some 70 milliseconds for the shipped base."""
        held = self._bridges.get((support, share, first))
        if held is not None:
            return held
        index = self.index
        feats = np.flatnonzero(index.kinds == ord("w"))
        lengths = index.df[feats]
        # the postings of the words, concatenated: each slice's positions in the postings array
        at = np.repeat(index.indptr[feats] - np.cumsum(np.r_[0, lengths[:-1]]), lengths) + np.arange(lengths.sum())
        rows = index.postings[at]
        local = np.repeat(np.arange(len(feats)), lengths)
        classes = self.classes[rows].astype(np.int64)
        goods = classes < first
        service = ~goods & (self.class_words(support, share)[rows] == 0)
        counts = [np.bincount(local[kept] * _CLASSES + classes[kept], minlength=len(feats) * _CLASSES)
                  .reshape(-1, _CLASSES).astype(np.float64) for kept in (goods, service)]
        both = (counts[0].sum(axis=1) > 0) & (counts[1].sum(axis=1) > 0)
        goods_shares, service_shares = (c[both] / c[both].sum(axis=1, keepdims=True) for c in counts)
        bridge: npt.NDArray[np.float64] = goods_shares.T @ service_shares
        sums = bridge.sum(axis=1, keepdims=True)
        held = np.zeros_like(bridge)
        np.divide(bridge, sums, out=held, where=sums > 0)
        self._bridges[(support, share, first)] = held
        return held

    # -- building -----------------------------------------------------------------

    @classmethod
    def build(cls, terms: Iterable[SourceTerm], *, known: TermBase | None = None) -> TermBase:
        """A base of ``terms``, merged by wording, language and class; rows that
        ``known`` already has are left out (so the result can be merged into it)."""
        builder = _Builder(known)
        for t in terms:
            builder.add(t)
        return builder.finish()

    def merge(self, other: TermBase) -> TermBase:
        """This base's rows followed by ``other``'s, one index over both."""
        tables: dict[str, list[str]] = {name: list(values) for name, values in self.tables.items()}
        columns: dict[str, npt.NDArray[Any]] = {}
        for column, table in (("language", "languages"), ("term_id", "ids"), ("groups", "groups"),
                              ("gloss", "glosses")):
            columns[column] = np.concatenate([getattr(self, column),
                                              _remap(getattr(other, column), other.tables[table], tables[table])])
        columns["offsets"] = np.concatenate([self.offsets[:-1], other.offsets + self.offsets[-1]])
        for column in ("classes", "flags", "count", "keys"):
            columns[column] = np.concatenate([getattr(self, column), getattr(other, column)])
        return TermBase(columns, self.blob + other.blob, tables, self.index.merge(other.index))

    # -- storing ------------------------------------------------------------------

    def save(self, target: str | Path | IO[bytes], *, meta: Mapping[str, Any] | None = None,
             compress: bool = True) -> None:
        """Write the base as one ``.npz`` (``meta``: anything JSON to keep with it;
        ``compress``: smaller, slower to write and read)."""
        header = {"format": FORMAT, "tables": self.tables, "meta": dict(meta or {})}
        arrays = {name: getattr(self, name) for name in _COLUMNS}
        arrays.update({"index_" + k: v for k, v in self.index.arrays().items()})
        arrays["blob"] = np.frombuffer(self.blob, dtype=np.uint8)
        arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8)
        (np.savez_compressed if compress else np.savez)(target, **arrays)

    @classmethod
    def load(cls, source: str | Path | IO[bytes] | bytes) -> tuple[TermBase, dict[str, Any]]:
        """A saved base and its ``meta``; ``ValueError`` for another format."""
        if isinstance(source, bytes):
            source = io.BytesIO(source)
        with np.load(source, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes())
            if header.get("format") != FORMAT:
                raise ValueError(f"term base format {header.get('format')}, expected {FORMAT}")
            columns = {name: data[name] for name in _COLUMNS}
            index = TermIndex.from_arrays({k[6:]: data[k] for k in data.files if k.startswith("index_")})
            blob = data["blob"].tobytes()
        return cls(columns, blob, header["tables"], index), header["meta"]


def _remap(codes: npt.NDArray[Any], theirs: Sequence[str], ours: list[str]) -> npt.NDArray[np.int32]:
    """Codes into ``theirs`` as codes into ``ours`` (extended in place)."""
    at = {value: i for i, value in enumerate(ours)}
    mapping = np.empty(len(theirs) + 1, dtype=np.int32)
    mapping[-1] = -1  # code -1 stays -1
    for i, value in enumerate(theirs):
        if value not in at:
            at[value] = len(ours)
            ours.append(value)
        mapping[i] = at[value]
    return mapping[np.asarray(codes, dtype=np.int64)].astype(codes.dtype)


class _Builder:
    """Rows by (key, language, class); NCL ids given to the English terms and
    glosses that word an NCL term of the same class."""

    def __init__(self, known: TermBase | None) -> None:
        self.known = known
        self.rows: dict[tuple[str, str, int], int] = {}
        self.texts: list[str] = []
        self.keys: list[str] = []
        self.features: list[list[str]] = []
        self.language: list[str] = []
        self.classes: list[int] = []
        self.ids: list[str] = []
        self.groups: list[dict[str, None]] = []
        self.glosses: list[str] = []
        self.flags: list[int] = []
        self.count: list[int] = []
        self.cache: dict[str, tuple[str, list[str]]] = {}
        self.known_keys: set[int] | None = None

    def add(self, t: SourceTerm) -> None:
        analysed = self.cache.get(t.text)
        if analysed is None:
            analysed = self.cache[t.text] = key_and_features(t.text)
        key, feats = analysed
        if not key:
            return
        slot = (key, t.language, t.nice_class)
        row = self.rows.get(slot)
        if row is None:
            if self._known(slot):
                return
            row = self.rows[slot] = self._new_row(t, key, feats)
        if t.term_id and (not self.ids[row] or (t.term_id.startswith("U") and not self.ids[row].startswith("U"))):
            self.ids[row] = t.term_id
        self.groups[row].update(dict.fromkeys(t.groups))
        if t.gloss and not self.glosses[row]:
            self.glosses[row] = t.gloss
        self.flags[row] |= _BIT[t.source]
        self.count[row] += 1

    def _new_row(self, t: SourceTerm, key: str, feats: list[str]) -> int:
        self.texts.append(t.text)
        self.keys.append(key)
        self.features.append(feats)
        self.language.append(t.language)
        self.classes.append(t.nice_class)
        self.ids.append("")
        self.groups.append({})
        self.glosses.append("")
        self.flags.append(0)
        self.count.append(0)
        return len(self.texts) - 1

    def _known(self, slot: tuple[str, str, int]) -> bool:
        if self.known is None:
            return False
        if self.known_keys is None:
            self.known_keys = set(self.known.keys.tolist())
        return _key_hash(slot[0]) in self.known_keys and self.known.has(*slot)

    def _link_ids(self) -> None:
        """Rows without an id take the WIPO id of the NCL term their English wording or gloss is."""
        wipo: dict[tuple[str, int], tuple[str, dict[str, None]]] = {}
        for row, term_id in enumerate(self.ids):
            if term_id.startswith("U") and self.language[row] == "en":
                wipo.setdefault((self.keys[row], self.classes[row]), (term_id, self.groups[row]))
        if self.known is not None:
            for known_row in np.flatnonzero(self.known.term_id >= 0).tolist():
                term = self.known.term(known_row)
                if term.term_id.startswith("U") and term.language == "en":
                    wipo.setdefault((term_key(term.text), term.nice_class),
                                    (term.term_id, dict.fromkeys(term.groups)))
        gloss_keys: dict[str, str] = {}
        for row, term_id in enumerate(self.ids):
            if term_id:
                continue
            gloss = self.glosses[row]
            if gloss:
                key = gloss_keys.get(gloss)
                if key is None:
                    key = gloss_keys[gloss] = term_key(gloss)
            elif self.language[row] == "en":
                key = self.keys[row]
            else:
                continue
            linked = wipo.get((key, self.classes[row]))
            if linked:
                self.ids[row] = linked[0]
                self.groups[row].update(linked[1])

    def finish(self) -> TermBase:
        self._link_ids()
        encoded = [t.encode("utf-8") for t in self.texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        tables: dict[str, list[str]] = {"languages": [], "ids": [], "groups": [], "glosses": []}
        columns: dict[str, npt.NDArray[Any]] = {
            "offsets": offsets,
            "classes": np.asarray(self.classes, dtype=np.uint8),
            "language": _codes(self.language, tables["languages"], np.int16),
            "term_id": _codes(self.ids, tables["ids"], np.int32),
            "groups": _codes(["|".join(g) for g in self.groups], tables["groups"], np.int32),
            "gloss": _codes(self.glosses, tables["glosses"], np.int32),
            "flags": np.asarray(self.flags, dtype=np.uint16),
            "count": np.asarray(self.count, dtype=np.uint32),
            "keys": np.asarray([_key_hash(k) for k in self.keys], dtype=np.uint64),
        }
        return TermBase(columns, b"".join(encoded), tables, TermIndex.build(self.features))


def _codes(values: Sequence[str], table: list[str], dtype: type[np.signedinteger[Any]]) -> npt.NDArray[Any]:
    """Each value's position in ``table`` (extended as needed); ``""`` is -1,
    except for languages, where every value is a code."""
    at: dict[str, int] = {}
    out = np.empty(len(values), dtype=dtype)
    for i, value in enumerate(values):
        if not value and dtype is not np.int16:
            out[i] = -1
            continue
        code = at.get(value)
        if code is None:
            code = at[value] = len(table)
            table.append(value)
        out[i] = code
    return out
