"""A segment: the searchable image of a set of marks, built once, opened memory-mapped.

Per mark (by position ``0..n-1``): its store row id, filter columns
(:mod:`marksearch.index.filters`) and the few keys the scorer reads, packed
as JSON in one blob.  Per key kind, a :class:`~marksearch.index.keyspace.KeySpace`:

=========  ==============================================  ===================
space      strings                                         signal it bounds
=========  ==============================================  ===================
spell      plain, skeleton, dominant part                  spelling
sound      sound keys                                      sound, cross-script
phon       Double Metaphone codes                          sound (weighted)
latin      romanised readings (latin, core)                cross-script
loose      loose keys                                      cross-script
unit       plain, dominant part, dominant words (3+),      containment
           and the same of the skeleton
=========  ==============================================  ===================
"""

from __future__ import annotations

import functools
import json
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from marksearch.index.filters import FEATURE_CODES, STATUS_CODES, Filter, class_mask, day_number
from marksearch.index.keyspace import OTHER_SCRIPT, KeySpace, KeySpaceBuilder, mapped
from marksearch.scoring import Candidate
from marksearch.scoring.candidate import MIN_CONTAINED, skeleton_units
from marksearch.store import IndexRow

__all__ = ["OTHER_SCRIPT", "SPACES", "Segment", "build_segment", "script_mask", "scorer_keys", "space_strings"]

SPACES = ("spell", "sound", "phon", "latin", "loose", "unit")
FORMAT_VERSION = 9  # 3: strings' classes, uint32 offsets; 4: marks' scripts; 5: strings' shared scripts; 6: partial keys;
# 7: strings' character counts (KeySpace's count filter) and each class's strings; 8: the unit space holds the
# skeletons' units too; 9: an unknown filing date is int32's least (-1 is 1799-12-31)
CROSS_SPACES = ("latin", "loose")  # the spaces only the cross-script signal reads: they keep ``shared``
_STATUS_NAMES = {v: k for k, v in STATUS_CODES.items()}


def scorer_keys(keys: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a stored keys dict that :meth:`Candidate.from_keys` reads."""
    picked = {k: keys[k] for k in ("text", "plain", "skeleton", "latin", "core", "scripts",
                                  "sound", "phonetic", "loose", "partial") if k in keys}
    picked["words"] = [{"text": w["text"], "role": w.get("role", "dominant")} for w in keys.get("words") or ()]
    return picked


def space_strings(candidate: Candidate) -> dict[str, list[str]]:
    """The strings a mark contributes to each key space."""
    units = [candidate.plain, candidate.dominant, *candidate.dominant_words,
             *(unit for unit, _, _ in skeleton_units(candidate))]
    return {
        "spell": [candidate.plain, candidate.skeleton, candidate.dominant],
        "sound": list(candidate.sound),
        "phon": list(candidate.phonetic),
        "latin": list(candidate.latin),
        "loose": list(candidate.loose),
        "unit": [u for u in units if len(u) >= MIN_CONTAINED],
    }


def script_mask(scripts: Iterable[str], codes: Mapping[str, int]) -> int:
    """Scripts as a bitmap: bit ``codes[code]`` for each, ``OTHER_SCRIPT`` for a code
    without a bit of its own (0: no scripts).

    Two marks share a script for sure when their bitmaps meet outside
    ``OTHER_SCRIPT``, share none for sure when they do not meet at all, and
    may do either when they meet only there.

    >>> codes = {"Latn": 0, "Hani": 1}
    >>> script_mask(["Latn"], codes) & script_mask(["Hani"], codes), script_mask([], codes)
    (0, 0)
    """
    mask = 0
    for code in scripts:
        bit = codes.get(code)
        mask |= OTHER_SCRIPT if bit is None else 1 << bit
    return mask


@functools.lru_cache(maxsize=1 << 14)
def _classes_of(mask: int) -> tuple[int, ...]:
    """The Nice classes of a class bitmap (registers repeat a few thousand combinations)."""
    return tuple(c for c in range(1, 46) if mask >> c & 1)


@dataclass
class Segment:
    record_ids: npt.NDArray[np.int64]
    office: npt.NDArray[np.uint8]
    status: npt.NDArray[np.uint8]
    feature: npt.NDArray[np.uint8]
    classes: npt.NDArray[np.uint64]
    scripts: npt.NDArray[np.uint64]  # script_mask of each mark's keys: who can get which text signal
    filed: npt.NDArray[np.int32]
    key_blob: npt.NDArray[np.uint8]
    key_offsets: npt.NDArray[np.int64]
    office_codes: dict[str, int]
    script_codes: dict[str, int]  # script code -> its bit in ``scripts`` (63 at most; the rest share OTHER_SCRIPT)
    spaces: dict[str, KeySpace]
    seq: int  # the store's change sequence the segment reflects
    always: npt.NDArray[np.int64]  # marks with a key too long to index: gathered at every level
    register: str = ""  # the id of the register it was built from (a register made anew at a path is another)
    history: str = ""  # the store's changes at a few points up to ``seq`` (a register restored from a backup differs)

    @property
    def size(self) -> int:
        return len(self.record_ids)

    def candidate(self, position: int) -> Candidate:
        """The scorer's view of the mark at ``position``."""
        raw = bytes(self.key_blob[self.key_offsets[position] : self.key_offsets[position + 1]])
        status = _STATUS_NAMES[int(self.status[position])]
        return Candidate.from_keys(int(self.record_ids[position]), orjson.loads(raw),
                                   _classes_of(int(self.classes[position])), status=status)

    def warm(self) -> None:
        """Decode each key space's strings now (:meth:`KeySpace.warm`), as a long-running
        process wants before its first search; a one-shot one decodes only what it reads."""
        for space in self.spaces.values():
            space.warm()

    def mask(self, flt: Filter, at: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.bool_] | None:
        """Which marks pass ``flt``: every mark, or only those at positions ``at`` (a mask over ``at``,
        cheaper than one over the segment when they are few); ``None`` when nothing is filtered out."""
        if at is None:
            return flt.mask(office=self.office, office_codes=self.office_codes, status=self.status,
                            feature=self.feature, classes=self.classes, filed=self.filed)
        return flt.mask(office=self.office[at], office_codes=self.office_codes, status=self.status[at],
                        feature=self.feature[at], classes=self.classes[at], filed=self.filed[at])

    def nbytes(self) -> int:
        columns = (self.record_ids, self.office, self.status, self.feature, self.classes, self.scripts,
                   self.filed, self.key_offsets)
        return sum(int(a.nbytes) for a in columns) + sum(s.nbytes() for s in self.spaces.values())

    # -- persistence -----------------------------------------------------------

    _COLUMNS = (
        "record_ids", "office", "status", "feature", "classes", "scripts", "filed", "key_blob", "key_offsets",
        "always",
    )

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in self._COLUMNS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        for name, space in self.spaces.items():
            space.save(folder, name)
        meta = {"version": FORMAT_VERSION, "seq": self.seq, "size": self.size, "office_codes": self.office_codes,
                "script_codes": self.script_codes, "register": self.register, "history": self.history}
        (folder / "meta.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> Segment:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"index format {meta.get('version')} is not {FORMAT_VERSION}")
        columns = {n: mapped(folder / f"{n}.npy") for n in cls._COLUMNS}
        spaces = {name: KeySpace.load(folder, name) for name in SPACES}
        return cls(office_codes=meta["office_codes"], script_codes=meta["script_codes"], spaces=spaces,
                   seq=int(meta["seq"]), register=str(meta.get("register", "")),
                   history=str(meta.get("history", "")), **columns)


def build_segment(rows: Iterable[IndexRow], *, seq: int) -> Segment:
    """Build a segment from index rows (records without keys are kept: filters still see them).

    Per-mark columns are collected in typed arrays and the scorer keys in one growing
    buffer, not in lists of Python objects: the build holds a few bytes a mark beside the
    key spaces' strings.  (orjson's output keeps a buffer of 4 KB or more whatever its
    length, so a list of one ``orjson.dumps`` a mark held 4 GB at 1,000,000 marks.)
    """
    # Only the containment space is looked up exactly (KeySpace.exact); being looked up by substring
    # and by hash, never checked with RapidFuzz, it keeps no character counts.
    builders = {name: KeySpaceBuilder(exact=name == "unit", histograms=name != "unit") for name in SPACES}
    record_ids = array("q")
    office = array("B")
    status = array("B")
    feature = array("B")
    classes = array("Q")
    scripts = array("Q")
    filed = array("i")
    key_blob = bytearray()
    key_ends = array("q")
    office_codes: dict[str, int] = {}
    script_codes: dict[str, int] = {}
    always: list[int] = []
    for position, row in enumerate(rows):
        code = office_codes.setdefault(row.office, len(office_codes))
        if len(office_codes) > 255:
            raise ValueError("more than 255 offices")
        record_ids.append(row.id)
        office.append(code)
        status.append(STATUS_CODES.get(row.status, STATUS_CODES["unknown"]))
        feature.append(FEATURE_CODES.get(row.feature, FEATURE_CODES["unknown"]))
        classes.append(class_mask(row.nice_classes))
        filed.append(day_number(row.filing_date))
        keys = scorer_keys(row.keys) if row.keys else {"plain": "", "text": ""}
        key_blob += orjson.dumps(keys)
        key_ends.append(len(key_blob))
        mask = 0
        if row.keys:
            candidate = Candidate.from_keys(row.id, keys, row.nice_classes)
            for script in candidate.scripts:
                if script not in script_codes and len(script_codes) < 63:
                    script_codes[script] = len(script_codes)
            mask = script_mask(candidate.scripts, script_codes)
            for name, texts in space_strings(candidate).items():
                for text in dict.fromkeys(texts):
                    if not builders[name].fits(text):
                        always.append(position)  # a key too long to index: always a candidate
                    builders[name].add(text, position)
        scripts.append(mask)
    key_offsets = np.zeros(len(key_ends) + 1, dtype=np.int64)
    key_offsets[1:] = np.frombuffer(key_ends, dtype=np.int64)
    class_column = np.frombuffer(classes, dtype=np.uint64)
    script_column = np.frombuffer(scripts, dtype=np.uint64)
    return Segment(
        record_ids=np.frombuffer(record_ids, dtype=np.int64),
        office=np.frombuffer(office, dtype=np.uint8),
        status=np.frombuffer(status, dtype=np.uint8),
        feature=np.frombuffer(feature, dtype=np.uint8),
        classes=class_column,
        scripts=script_column,
        filed=np.frombuffer(filed, dtype=np.int32),
        key_blob=np.frombuffer(key_blob, dtype=np.uint8),
        key_offsets=key_offsets,
        office_codes=office_codes,
        script_codes=script_codes,
        spaces={name: b.build(class_column, script_column if name in CROSS_SPACES else None)
                for name, b in builders.items()},
        seq=seq,
        always=np.unique(np.array(always, dtype=np.int64)),
    )
