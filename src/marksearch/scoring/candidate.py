"""What a signal compares: a :class:`Candidate` (one stored mark) and a
:class:`PreparedQuery` (the query's keys, computed once).

A candidate is read from the keys the store kept at ingest
(:meth:`marksearch.text.MarkKeys.to_dict`), never from the mark's text, so
scoring romanises nothing.  :meth:`Candidate.from_keys` is on the hot path
of a search (the index builds thousands per query): it copies references to
the stored lists rather than converting them, and it does the little work
left (dominant words, diacritics, sets of scripts and classes) once, so no
signal repeats it.

>>> from marksearch.text import mark_keys
>>> c = Candidate.from_keys(7, mark_keys("Coca-Cola GmbH").to_dict(), (32,))
>>> c.plain, c.dominant, c.words, c.classes
('cocacolagmbh', 'coca', ('coca', 'cola', 'gmbh'), frozenset({32}))
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from marksearch.scoring.goods import NICE_CLASSES, class_similarity
from marksearch.text.confusables import i_as_l, skeleton_word
from marksearch.text.fold import strip_diacritics
from marksearch.text.keys import MarkKeys, mark_keys
from marksearch.text.words import DOMINANT

__all__ = [
    "MIN_CONTAINED",
    "NO_SIGNAL",
    "Candidate",
    "PreparedQuery",
    "Signal",
    "containment_units",
    "goods_table",
    "has_glyphs",
    "prepare_query",
    "skeleton_boundaries",
    "skeleton_units",
    "word_boundaries",
    "written_unit",
]

# Nothing shorter is "inside" another mark (else "A" would be inside
# everything); see marksearch.scoring.signals.containment.
MIN_CONTAINED = 3


def _plain(word: str) -> str:
    return word if word.isascii() else strip_diacritics(word)


_WHOLE: frozenset[str] = frozenset()  # no key reads only part of the mark: most marks


@functools.lru_cache(maxsize=1024)
def _scripts(codes: tuple[str, ...]) -> frozenset[str]:
    return frozenset("Kana" if code == "Hira" else code for code in codes)


def _script_set(codes: Iterable[str] | None) -> frozenset[str]:
    """A mark's scripts as the signals compare them, hiragana counted as katakana: they write
    one language's sounds, so a mark in one and a mark in the other are compared by spelling
    and sound (as a Japanese examiner hears them), not as a transliteration.

    >>> sorted(_script_set(["Hira", "Hani"]))
    ['Hani', 'Kana']
    """
    return _scripts(tuple(codes)) if codes else _WHOLE


class Candidate(NamedTuple):
    """One stored mark, as the signals read it.

    ``plain`` and ``skeleton`` are the stored keys; ``words`` the mark's
    words without diacritics and ``dominant`` its dominant words run
    together (``plain`` itself when every word dominates); ``latin`` holds
    the ``latin`` and ``core`` readings; ``partial`` the keys that read only
    part of the mark (a goods word left out), which count less in a match.
    The key lists are the stored ones, shared, not copied: treat them as
    read-only.
    """

    record_id: int
    text: str
    plain: str
    skeleton: str
    dominant: str
    words: tuple[str, ...]
    dominant_words: tuple[str, ...]
    scripts: frozenset[str]
    latin: Sequence[str]
    sound: Sequence[str]
    phonetic: Sequence[str]
    loose: Sequence[str]
    classes: frozenset[int]
    status: str = "unknown"
    partial: frozenset[str] = frozenset()  # keys reading only part of the mark (MarkKeys.partial)

    @classmethod
    def from_keys(cls, record_id: int, keys: Mapping[str, Any],
                  nice_classes: Iterable[int] = (), *, status: str = "unknown") -> Candidate:
        """A candidate from a stored keys dict, the record's Nice classes and
        its status (a :class:`marksearch.records.Status` value).

        >>> from marksearch.text import mark_keys
        >>> Candidate.from_keys(1, mark_keys("Müller").to_dict()).plain
        'muller'
        """
        words: list[str] = []
        dominant_words: list[str] = []
        for word in keys.get("words") or ():
            text = _plain(word["text"])
            words.append(text)
            if word.get("role", DOMINANT) == DOMINANT:
                dominant_words.append(text)
        plain: str = keys["plain"]
        skeleton: str = keys.get("skeleton") or plain
        dominant = "".join(dominant_words)
        latin = keys.get("latin") or []
        core = keys.get("core")
        return cls(
            record_id, keys.get("text", ""), plain, plain if skeleton == plain else skeleton,
            dominant if dominant and len(dominant_words) < len(words) else plain,
            tuple(words), tuple(dominant_words), _script_set(keys.get("scripts")),
            latin + core if core else latin, keys.get("sound") or (),
            keys.get("phonetic") or (), keys.get("loose") or (),
            frozenset(nice_classes), status, frozenset(partial) if (partial := keys.get("partial")) else _WHOLE,
        )

    @classmethod
    def from_text(cls, record_id: int, text: str, nice_classes: Iterable[int] = (), *,
                  status: str = "unknown") -> Candidate:
        """A candidate computed from a mark's text (tests and small registers).

        >>> Candidate.from_text(3, "C0CA").skeleton
        'coca'
        """
        return cls.from_keys(record_id, mark_keys(text).to_dict(), nice_classes, status=status)


class Signal(NamedTuple):
    """One signal's verdict: a score in [0, 1] and why ("" when weak)."""

    score: float
    reason: str


NO_SIGNAL = Signal(0.0, "")


class PreparedQuery(NamedTuple):
    """The query, prepared once for many candidates.

    ``mark`` is the query read as a candidate would be; ``scripts`` and
    ``classes`` are its own; ``units`` what of the query may lie inside a
    candidate (see :mod:`marksearch.scoring.signals`, containment);
    ``boundaries`` the offsets in ``mark.plain`` where words start or end;
    ``skeleton_units`` and ``skeleton_boundaries`` the same of the query as it
    looks (``mark.skeleton``), and ``glyphs`` whether it writes a letter with a
    glyph (:func:`has_glyphs`); ``goods`` the goods signal of each Nice class a
    candidate may have.
    """

    mark: Candidate
    scripts: frozenset[str]
    classes: frozenset[int]
    units: tuple[tuple[str, str, int], ...]
    boundaries: frozenset[int]
    skeleton_units: tuple[tuple[str, str, int], ...]
    skeleton_boundaries: frozenset[int]
    glyphs: bool
    goods: Mapping[int, Signal]


def word_boundaries(words: Sequence[str], plain: str) -> frozenset[int]:
    """Offsets in ``plain`` where a word starts or ends; empty when the words
    do not spell ``plain`` (a mark cut at :data:`marksearch.text.keys.MAX_WORDS`).

    >>> sorted(word_boundaries(("lion", "capital"), "lioncapital"))
    [0, 4, 11]
    """
    if "".join(words) != plain:
        return frozenset()
    offsets = {0}
    at = 0
    for word in words:
        at += len(word)
        offsets.add(at)
    return frozenset(offsets)


def containment_units(mark: Candidate, min_length: int = MIN_CONTAINED,
                      ) -> tuple[tuple[str, str, int], ...]:
    """``(unit, kind, denominator)``: the whole mark, its dominant part and
    each dominant word of a mark of several words, at least ``min_length``
    characters; ``denominator`` is the length of what the unit stands for
    (the dominant part for the dominant part and words, else the whole).

    >>> containment_units(Candidate.from_text(0, "Stone Lion Capital"))
    (('stonelioncapital', 'mark', 16), ('stonelion', 'dominant', 9), ('stone', 'word', 9), ('lion', 'word', 9))
    """
    return _units(mark.plain, mark.dominant, mark.dominant_words, min_length)


def _units(whole: str, dominant: str, dominant_words: Sequence[str],
           min_length: int) -> tuple[tuple[str, str, int], ...]:
    units: list[tuple[str, str, int]] = []
    if len(whole) >= min_length:
        units.append((whole, "mark", len(whole)))
    if dominant != whole and len(dominant) >= min_length:
        units.append((dominant, "dominant", len(dominant)))
    if len(dominant_words) > 1:
        units.extend((w, "word", len(dominant)) for w in dict.fromkeys(dominant_words)
                     if len(w) >= min_length and w != dominant)
    return tuple(units)


# Words repeat across a register: each word's skeleton is worked out once.
_skeleton_word = functools.lru_cache(maxsize=1 << 16)(skeleton_word)


def skeleton_units(mark: Candidate, min_length: int = MIN_CONTAINED,
                   ) -> tuple[tuple[str, str, int], ...]:
    """:func:`containment_units` of the mark as it looks: its ``skeleton``, the
    skeletons of its dominant words run together and of each dominant word
    (their plain units when the mark has no confusable glyph).  Containment
    looks for them in the other mark's skeleton, so that G00GLE LABS holds
    GOOGLE; the skeleton is made word by word, so the units' are too.

    >>> skeleton_units(Candidate.from_text(0, "G00GLE Labs"))
    (('googlelabs', 'mark', 10), ('google', 'dominant', 6))
    """
    if mark.skeleton == mark.plain:
        return containment_units(mark, min_length)
    words = tuple(map(_skeleton_word, mark.dominant_words))
    dominant = "".join(words) if words and len(words) < len(mark.words) else mark.skeleton
    return _units(mark.skeleton, dominant, words, min_length)


def skeleton_boundaries(mark: Candidate) -> frozenset[int]:
    """:func:`word_boundaries` in the mark's ``skeleton``.

    >>> sorted(skeleton_boundaries(Candidate.from_text(0, "RNILK Shake")))
    [0, 4, 9]
    """
    if mark.skeleton == mark.plain:
        return word_boundaries(mark.words, mark.plain)
    return word_boundaries(tuple(map(_skeleton_word, mark.words)), mark.skeleton)


def has_glyphs(mark: Candidate) -> bool:
    """Whether the mark writes a letter with a digit, a letter cluster or a letter of
    another script drawn like it (G00GLE, RNILK, СОСА): whether its skeleton reads more
    than the capital I that looks like a small l.

    >>> has_glyphs(Candidate.from_text(0, "G00GLE")), has_glyphs(Candidate.from_text(0, "MILK"))
    (True, False)
    """
    return mark.skeleton != mark.plain and mark.skeleton != i_as_l(mark.plain)


def written_unit(mark: Candidate, unit: str, kind: str) -> str:
    """A unit of :func:`skeleton_units` as the mark writes it, for a reason:
    the dominant part or the dominant word whose skeleton it is.

    >>> written_unit(Candidate.from_text(0, "G00GLE Labs"), "google", "dominant")
    'g00gle'
    """
    if kind == "dominant":
        return mark.dominant
    if kind == "word":
        return next((w for w in mark.dominant_words if w == unit or _skeleton_word(w) == unit), unit)
    return mark.plain


def prepare_query(query: str | MarkKeys | Mapping[str, Any], *,
                  classes: Iterable[int] = (),
                  goods: Mapping[int, tuple[float, str]] | None = None) -> PreparedQuery:
    """Prepare a query from its text, its keys or a stored keys dict.

    ``goods`` is the goods signal of each Nice class for a goods description
    (``marksearch.goods.analyse(text).signals``); with ``classes`` too, each
    class takes the better of the two.

    >>> prepare_query("Lion Capital", classes=[36]).units
    (('lioncapital', 'mark', 11), ('lion', 'dominant', 4))
    >>> prepare_query("Lion", goods={30: (1.0, "goods: coffee ~ class 30")}).goods[30].score
    1.0
    """
    if isinstance(query, str):
        query = mark_keys(query)
    keys = query.to_dict() if isinstance(query, MarkKeys) else query
    mark = Candidate.from_keys(-1, keys, classes)
    table = goods_table(mark.classes)
    for nice_class, (score, reason) in (goods or {}).items():
        if score > table.get(nice_class, NO_SIGNAL).score:
            table[nice_class] = Signal(score, reason)
    return PreparedQuery(
        mark=mark, scripts=mark.scripts, classes=mark.classes | frozenset(goods or ()),
        units=containment_units(mark),
        boundaries=word_boundaries(mark.words, mark.plain),
        skeleton_units=skeleton_units(mark),
        skeleton_boundaries=skeleton_boundaries(mark),
        glyphs=has_glyphs(mark),
        goods=table,
    )


def goods_table(classes: frozenset[int]) -> dict[int, Signal]:
    """For each Nice class, its best goods signal against ``classes`` (only
    classes scoring above 0).

    >>> goods_table(frozenset({9}))[42]
    Signal(score=0.6, reason='goods: related classes 9 ~ 42')
    """
    table: dict[int, Signal] = {}
    for other in sorted(set(range(1, NICE_CLASSES + 1)) | classes):  # a stray class 0 or 99 too
        for nice_class in sorted(classes):
            score = class_similarity(nice_class, other)
            if score > table.get(other, NO_SIGNAL).score:
                table[other] = Signal(score, f"goods: same class {other}" if score == 1.0 else
                                      f"goods: related classes {nice_class} ~ {other}")
    return table
