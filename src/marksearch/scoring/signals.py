"""Similarity signals: one signature, one scale, one reason each.

Every signal is a function ``(q: PreparedQuery, c: Candidate, *, explain:
bool = True) -> Signal`` (RapidFuzz's one-signature habit): a score in
[0, 1] and a short reason a trademark attorney can read ("sounds like: KOKA
~ COCA").  With ``explain=False`` the reason is left empty (re-ranking
thousands of candidates), and a signal below :data:`REASON_FLOOR` gives none
either: it says nothing a user would act on.  The score never depends on
``explain``.

Each text signal is the best, over pairs of short stored keys, of a
normalised Levenshtein similarity (RapidFuzz: ``1 - distance / longer
length``) times factors of at most 1, or (containment) a function of three
lengths once a substring is found, so a candidate generator can bound it
from key lengths and shared q-grams (:mod:`marksearch.scoring.bounds`).
Scores are calibrated to one another: a value is about as rare between
unrelated marks whichever text signal gives it (``docs/scoring.md``).

=============  ===========================================  ==================
signal         stored keys                                  applies when
=============  ===========================================  ==================
spelling       ``plain``, ``skeleton``, dominant words       a script is shared
sound          ``sound``, ``phonetic`` (Double Metaphone)    a script is shared
cross_script   ``latin`` + ``core``, ``sound``, ``loose``    no script is shared
containment    ``plain``, ``skeleton``, dominant words        always
goods          Nice classes                                  always
=============  ===========================================  ==================

All signals are symmetric: scoring ``b`` against the query ``a`` gives what
scoring ``a`` against the query ``b`` gives.

>>> from marksearch.scoring.candidate import Candidate, prepare_query
>>> q = prepare_query("KOKA")
>>> sound(q, Candidate.from_text(1, "COCA"))
Signal(score=1.0, reason='sounds like: KOKA ~ COCA')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from rapidfuzz.distance import Levenshtein, Prefix

from marksearch.scoring.candidate import (
    MIN_CONTAINED,
    NO_SIGNAL,
    Candidate,
    PreparedQuery,
    Signal,
    containment_units,
    has_glyphs,
    skeleton_boundaries,
    skeleton_units,
    word_boundaries,
    written_unit,
)
from marksearch.scoring.goods import NEUTRAL_GOODS
from marksearch.text.confusables import i_as_l

__all__ = [
    "CONTAINMENT_BASE",
    "CONTAINMENT_MAX",
    "DOMINANT_SHARE",
    "LOOSE_WEIGHT",
    "METAPHONE_WEIGHT",
    "MIN_CONTAINED",
    "NO_SIGNAL",
    "PART_WEIGHT",
    "PREFIX_LENGTH",
    "PREFIX_WEIGHT",
    "REASON_FLOOR",
    "SIGNALS",
    "SOUND_EXPONENT",
    "Signal",
    "SignalFunction",
    "VISUAL_WEIGHT",
    "containment",
    "cross_script",
    "code_confidence",
    "goods",
    "loose_confidence",
    "sound",
    "spelling",
]


class SignalFunction(Protocol):
    """The one signature of every signal."""

    def __call__(self, q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal: ...


REASON_FLOOR = 0.4

# Spelling.  Readers look at the start of a word first (EU General Court,
# e.g. T-183/02 MUNDICOR: "the consumer normally attaches more importance to
# the first part of words"), so a pair that differs within the first
# PREFIX_LENGTH letters keeps only 1 - PREFIX_WEIGHT of its similarity at
# worst.  The dominant words (generic and legal words left out) count for
# DOMINANT_SHARE of the score when both marks have words that do not dominate.
PREFIX_LENGTH = 3
PREFIX_WEIGHT = 0.15
DOMINANT_SHARE = 0.7
# A likeness of the confusable skeletons alone (C0CA ~ COCA, rn ~ m, I ~ l) counts
# VISUAL_WEIGHT of it at most: letters that look alike in some fonts are not the same
# letters, and MATTEL must not tie with MATTEI for a search of MATTEI.
VISUAL_WEIGHT = 0.95

# Sound.  Double Metaphone codes are consonant frames, so they meet by chance
# far more often than the sound keys, which keep the vowels: over random
# pairs of register marks a metaphone similarity of 0.7 is as common as a
# sound-key similarity of 0.55 (see docs/scoring.md), and short codes meet
# most (COCA, CAKE and KIKI are all KK).  So they count for at most
# METAPHONE_WEIGHT, less for codes shorter than four letters.
METAPHONE_WEIGHT = 0.7
# Sound keys have a smaller alphabet than spellings, so unrelated marks come
# closer in sound than in spelling: over random pairs of real register marks
# a sound similarity s is about as common as a spelling similarity
# s ** SOUND_EXPONENT (0.6 ~ 0.5, 0.8 ~ 0.7; docs/scoring.md), and the
# signal reports that calibrated value, so that signals compare.
SOUND_EXPONENT = 1.45


def code_confidence(length: int) -> float:
    """How much a metaphone match of codes this long counts (the longer of
    the two): 0.6 at two letters, fully from four.

    >>> code_confidence(1), code_confidence(4)
    (0.4, 1.0)
    """
    return min(1.0, (length + 1) / 5)


_CODE_WEIGHT = tuple(METAPHONE_WEIGHT * code_confidence(n) for n in range(5))

# Cross-script: the loose keys' small alphabet makes chance matches likelier
# (the calibration in marksearch.text.similarity), so they count for less;
# short loose keys meet most: between generated Chinese, Korean and Japanese
# marks and real Latin marks, 0.4 to 2 % of pairs share an exact loose key
# of three or four letters, 0.01 to 0.02 % one of five or six, and none of
# 1.1 million pairs one of seven or more (docs/scoring.md), hence
# loose_confidence.
LOOSE_WEIGHT = 0.85

# Containment: nothing shorter than MIN_CONTAINED letters is "inside" another
# mark (else "A" would be inside everything).  A unit lying on word
# boundaries at both ends counts fully, one starting a word (BUD in BUDMEN)
# 0.9, one inside a word 0.75; CONTAINMENT_BASE is what a unit covering a
# vanishing part of the marks still gets, CONTAINMENT_MAX what one covering
# all of both gets short of identity (LION CAPITAL, whose dominant word is
# LION, against LION).  A unit found after the start of the other mark
# counts 0.9 as much (the beginning again: VEUVE ROYALE shares more with
# VEUVE CLICQUOT than with PLACE ROYALE).
CONTAINMENT_BASE = 0.4
CONTAINMENT_MAX = 0.95
# A reading or sound of only part of a mark (its dominant words, a goods word
# left out: 可口可乐 without 可乐 "cola" reads keko) is a mark inside the other,
# so a match through it counts as a containment at most does: 可口可乐 reads
# cocacola as a whole, and ranks COCA-COLA above KEKO.
PART_WEIGHT = CONTAINMENT_MAX
_ALIGNED, _WORD_START, _INSIDE = 1.0, 0.9, 0.75
_LATER = 0.9


# -- helpers -----------------------------------------------------------------

_similarity = Levenshtein.normalized_similarity
_prefix = Prefix.similarity


def _spelled(a: str, b: str, cutoff: float = 0.0) -> float:
    """Levenshtein similarity weighted by the agreement of the first
    :data:`PREFIX_LENGTH` letters, keeping at worst ``1 - PREFIX_WEIGHT`` of
    it (0.0 when below ``cutoff``; the weight only lowers, so the cutoff can
    apply to the similarity before it)."""
    if not a or not b:
        # No letters on a side (a figurative mark, a query of symbols): nothing is spelt
        # alike, though RapidFuzz calls two empty strings identical.
        return 0.0
    sim: float = _similarity(a, b, score_cutoff=cutoff)
    if sim == 0.0 or sim == 1.0:
        return sim
    span = len(a) if len(a) < len(b) else len(b)  # both non-empty: sim > 0
    if span > PREFIX_LENGTH:
        span = PREFIX_LENGTH
    same: int = _prefix(a, b)
    return sim if same >= span else sim * (1.0 - PREFIX_WEIGHT * (1.0 - same / span))


def best_pair(left: Sequence[str], right: Sequence[str],
              cutoff: float = 0.0) -> tuple[float, str, str]:
    """The best Levenshtein similarity over pairs of non-empty keys, with the
    pair; ``(cutoff, "", "")`` when no pair beats ``cutoff``.

    >>> best_pair(["koka", "kokakola"], ["kola"])
    (0.75, 'koka', 'kola')
    """
    best, pair_a, pair_b = cutoff, "", ""
    for a in left:
        if not a:
            continue
        for b in right:
            if not b:
                continue
            sim = _similarity(a, b, score_cutoff=best)
            if sim > best or (sim == best and sim > 0.0 and not pair_a):
                best, pair_a, pair_b = sim, a, b
                if best >= 1.0:
                    return best, pair_a, pair_b
    return best, pair_a, pair_b


def best_part_pair(left: Sequence[str], right: Sequence[str], left_part: frozenset[str],
                   right_part: frozenset[str], cutoff: float = 0.0) -> tuple[float, str, str]:
    """:func:`best_pair` where a pair with a key of ``left_part`` or
    ``right_part`` (keys reading only part of a mark) counts :data:`PART_WEIGHT`
    of its similarity.

    >>> best_part_pair(["keko"], ["keko", "kekos"], frozenset({"keko"}), frozenset())
    (0.95, 'keko', 'keko')
    """
    if not left_part and not right_part:
        return best_pair(left, right, cutoff)
    best, pair_a, pair_b = cutoff, "", ""
    for a in left:
        if not a:
            continue
        a_part = a in left_part
        for b in right:
            if not b:
                continue
            weight = PART_WEIGHT if a_part or b in right_part else 1.0
            if weight < best:
                continue
            sim = weight * _similarity(a, b, score_cutoff=best / weight)
            if sim > best or (sim == best and sim > 0.0 and not pair_a):
                best, pair_a, pair_b = sim, a, b
                if best >= 1.0:
                    return best, pair_a, pair_b
    return best, pair_a, pair_b


def best_of(left: Sequence[str], right: Sequence[str], cutoff: float = 0.0) -> float:
    """:func:`best_pair` without the pair (the hot path)."""
    best = cutoff
    for a in left:
        for b in right:
            sim = _similarity(a, b, score_cutoff=best)
            if sim > best and a and b:
                best = sim
                if best >= 1.0:
                    return best
    return best


def _letters(n: int) -> str:
    return "1 letter differs" if n == 1 else f"{n} letters differ"


# -- spelling ----------------------------------------------------------------


def spelling(q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal:
    """How alike the marks are spelt: Levenshtein similarity of the plain
    (and of the confusable-skeleton) forms, weighted to the first letters,
    with the dominant words counting for :data:`DOMINANT_SHARE` when both
    marks have words that do not dominate (when only one has, containment
    compares its dominant words with the other mark).  Marks sharing no
    script score 0.

    >>> from marksearch.scoring.candidate import prepare_query
    >>> spelling(prepare_query("C0CA"), Candidate.from_text(1, "COCA"))
    Signal(score=0.95, reason='spelling: looks alike (C0CA ~ COCA)')
    """
    m = q.mark
    if q.scripts and c.scripts and q.scripts.isdisjoint(c.scripts):
        return NO_SIGNAL
    whole = _spelled(m.plain, c.plain)
    visual = False
    if whole < VISUAL_WEIGHT and (m.skeleton != m.plain or c.skeleton != c.plain):
        skeleton = VISUAL_WEIGHT * _spelled(m.skeleton, c.skeleton, whole / VISUAL_WEIGHT)
        if skeleton > whole:
            visual, whole = True, skeleton
    score = whole
    # Marks that look the same as a whole (C0CA COFFEE, COCA COFFEE) look the same word for word:
    # their dominant words, compared as spelt, would differ.
    if m.dominant != m.plain and c.dominant != c.plain and not (visual and m.skeleton == c.skeleton):
        score = (1.0 - DOMINANT_SHARE) * whole + DOMINANT_SHARE * _spelled(m.dominant, c.dominant)
    if not explain or score < REASON_FLOOR:
        return Signal(score, "")
    return Signal(score, _spelling_reason(m, c, score, visual))


def _spelling_reason(m: Candidate, c: Candidate, score: float, visual: bool) -> str:
    pair = f"({m.text} ~ {c.text})"
    if visual:
        # The skeletons scored better than the letters: say "looks alike" only when they are the
        # same (C0CA ~ COCA), else count the letters that differ as written (McDonalds ~ MCNAIR,
        # whose skeleton reads I as l, differ in 5: "looks alike" there misled; and FIAT ~ FLOAT
        # differ in 2, though their skeletons flat and float differ in 1).
        if m.skeleton == c.skeleton:
            return f"spelling: looks alike {pair}"
        return f"spelling: {_letters(Levenshtein.distance(m.plain, c.plain))} {pair}"
    if score >= 1.0:
        return f"spelling: same letters {pair}" if m.text != c.text else "spelling: identical"
    if m.dominant != m.plain and c.dominant != c.plain:
        if m.dominant == c.dominant:
            return f"spelling: same dominant words {pair}"
        differ = _letters(Levenshtein.distance(m.dominant, c.dominant))
        return f"spelling: dominant words {differ} {pair}"
    return f"spelling: {_letters(Levenshtein.distance(m.plain, c.plain))} {pair}"


# -- sound -------------------------------------------------------------------


def sound(q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal:
    """How alike the marks sound: the best Levenshtein similarity of their
    sound keys, or of their Double Metaphone codes (weighted down).  Marks
    that share no script are compared by :func:`cross_script` instead.

    >>> from marksearch.scoring.candidate import prepare_query
    >>> sound(prepare_query("XCEED"), Candidate.from_text(1, "X-SEED"))
    Signal(score=1.0, reason='sounds like: XCEED ~ X-SEED')
    """
    if q.scripts and c.scripts and q.scripts.isdisjoint(c.scripts):
        return NO_SIGNAL
    m_part, c_part = q.mark.partial, c.partial
    if m_part or c_part:
        best = best_part_pair(q.mark.sound, c.sound, m_part, c_part)[0]
    else:
        best = best_of(q.mark.sound, c.sound)
    if best < METAPHONE_WEIGHT:
        for a in q.mark.phonetic:
            for b in c.phonetic:
                weight = _CODE_WEIGHT[min(len(a) if len(a) > len(b) else len(b), 4)]
                if (m_part or c_part) and (a in m_part or b in c_part):
                    weight *= PART_WEIGHT
                if weight > best and a and b:
                    sim = weight * _similarity(a, b, score_cutoff=best / weight)
                    if sim > best:
                        best = sim
    best = math.pow(best, SOUND_EXPONENT)
    if not explain or best < REASON_FLOOR:
        return Signal(best, "")
    verb = "sounds like" if best >= 0.7 else "sounds partly like"
    return Signal(best, f"{verb}: {q.mark.text} ~ {c.text}")


# -- cross-script ------------------------------------------------------------


def cross_script(q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal:
    """How alike the marks read across scripts: the best Levenshtein
    similarity of their romanised readings (``latin`` and ``core``) and of
    their sound keys, or of their loose keys (weighted down, and more so
    when short).  Only marks that share no script get this signal (offices
    treat a transliteration as a question of its own); marks sharing one are
    compared by spelling, sound and containment.

    >>> from marksearch.scoring.candidate import prepare_query
    >>> cross_script(prepare_query("可口可乐"), Candidate.from_text(1, "COCA-COLA"))
    Signal(score=1.0, reason='transliteration: 可口可乐 reads cocacola ~ COCA-COLA reads cocacola')
    """
    if not (q.scripts and c.scripts and q.scripts.isdisjoint(c.scripts)):
        return NO_SIGNAL
    m = q.mark
    m_part, c_part = m.partial, c.partial
    best, a, b = best_part_pair(m.latin, c.latin, m_part, c_part)
    read = True  # the pair is of readings (else of sound or loose keys, which are no readings to show)
    if best < 1.0:
        heard, ha, hb = best_part_pair(m.sound, c.sound, m_part, c_part, best)
        if heard > best or (ha and not a):
            best, a, b, read = heard, ha, hb, False
    loose = False
    if best < LOOSE_WEIGHT:
        for x in m.loose:
            for y in c.loose:
                weight = LOOSE_WEIGHT * loose_confidence(max(len(x), len(y)))
                if (m_part or c_part) and (x in m_part or y in c_part):
                    weight *= PART_WEIGHT
                if weight > best and x and y:
                    sim = weight * _similarity(x, y, score_cutoff=best / weight)
                    if sim > best:
                        best, a, b, read, loose = sim, x, y, False, True
    if not explain or best < REASON_FLOOR or not a:
        return Signal(best, "")
    a_part, b_part = a in m_part, b in c_part
    if not read:
        # A sound key (kvkvl) or a loose key (one vowel, voicing ignored: kfkfl) is not how
        # anyone reads the mark: the reason says how alike the marks sound instead.
        how = "partly alike in sound" if loose or a_part or b_part else "alike in sound"
        return Signal(best, f"transliteration: {m.text} ~ {c.text}, {how}")
    # A reading of part of a mark says so: it is why identical readings score PART_WEIGHT.
    a_in, b_in = (" (in part)" if a_part else ""), (" (in part)" if b_part else "")
    return Signal(best, f"transliteration: {m.text} reads {a}{a_in} ~ {c.text} reads {b}{b_in}")


def loose_confidence(length: int) -> float:
    """How much a loose-key match of keys this long counts: 5/8 at three
    letters, 3/4 at four, fully from six (``(length + 2) / 8``).

    >>> loose_confidence(3), loose_confidence(6)
    (0.625, 1.0)
    """
    return min(1.0, (length + 2) / 8)


# -- containment -------------------------------------------------------------


def _inside(unit: str, denominator: int, container: str, at: int,
            boundaries: frozenset[int]) -> float:
    """The score of ``unit`` found at offset ``at`` of ``container`` (short
    of identity, which :func:`containment` scores itself)."""
    if at in boundaries:
        level = _ALIGNED if at + len(unit) in boundaries else _WORD_START
    else:
        level = _INSIDE
    if at:
        level *= _LATER
    share = len(unit) / denominator  # how much of the contained mark lies inside
    spread = len(unit) / len(container)  # how much of the container it fills
    return level * (CONTAINMENT_BASE + (CONTAINMENT_MAX - CONTAINMENT_BASE) * share * math.sqrt(spread))


def containment(q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal:
    """Whether one mark lies inside the other: the whole mark, its dominant
    words together, or one dominant word of a mark of several, at least
    :data:`MIN_CONTAINED` letters, found in the other's plain form, or (the
    score times :data:`VISUAL_WEIGHT`) found as it looks in the other as it
    looks: their skeletons (GOOGLE in G00GLE LABS).  The score grows with how
    much of the contained mark and of the container the unit covers, and
    with its fit to word boundaries.  Identical marks score 1.0 without a
    reason (spelling gives it).

    >>> from marksearch.scoring.candidate import prepare_query
    >>> containment(prepare_query("BUDMEN"), Candidate.from_text(1, "BUD")).reason
    'contains: BUD in BUDMEN'
    >>> containment(prepare_query("G00GLE LABS"), Candidate.from_text(1, "GOOGLE")).reason
    'contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE'
    """
    m = q.mark
    if m.plain == c.plain and c.plain:
        return Signal(1.0, "")
    best, found = 0.0, ("", "", m, c)
    c_bounds: frozenset[int] | None = None
    for unit, kind, denominator in q.units:
        at = c.plain.find(unit) if len(unit) <= len(c.plain) else -1
        if at >= 0:
            if c_bounds is None:
                c_bounds = word_boundaries(c.words, c.plain)
            score = _inside(unit, denominator, c.plain, at, c_bounds)
            if score > best:
                best, found = score, (unit, kind, m, c)
    for unit, kind, denominator in containment_units(c):
        at = m.plain.find(unit) if len(unit) <= len(m.plain) else -1
        if at >= 0:
            score = _inside(unit, denominator, m.plain, at, q.boundaries)
            if score > best:
                best, found = score, (unit, kind, c, m)
    looks = False
    # A glyph written for a letter on either side (G00GLE, RNILK): the skeletons may hold what the
    # plain forms do not.  Without one, they differ at most by I read as l, which counts for
    # nothing here (_i_or_l_only).
    if q.glyphs or has_glyphs(c):
        seen = _inside_skeleton(q, c, best)
        if seen is not None:
            best, found, looks = seen[0], seen[1], True
    if not explain or best < REASON_FLOOR:
        return Signal(best, "")
    return Signal(best, _containment_reason(*found, looks=looks))


def _inside_skeleton(q: PreparedQuery, c: Candidate, beat: float,
                     ) -> tuple[float, tuple[str, str, Candidate, Candidate]] | None:
    """The best unit of one mark's :func:`skeleton_units` inside the other's skeleton, scoring
    :data:`VISUAL_WEIGHT` of a plain containment (letters that look alike are not the same
    letters, as in :func:`spelling`), when it scores above ``beat``."""
    m = q.mark
    best, found = beat, None
    c_bounds: frozenset[int] | None = None
    for unit, kind, denominator in q.skeleton_units:
        at = c.skeleton.find(unit) if len(unit) <= len(c.skeleton) else -1
        if at >= 0:
            if c_bounds is None:
                c_bounds = skeleton_boundaries(c)
            score = VISUAL_WEIGHT * _inside(unit, denominator, c.skeleton, at, c_bounds)
            if score > best and not _i_or_l_only(m, unit, kind, c):
                best, found = score, (unit, kind, m, c)
    for unit, kind, denominator in skeleton_units(c):
        at = m.skeleton.find(unit) if len(unit) <= len(m.skeleton) else -1
        if at >= 0:
            score = VISUAL_WEIGHT * _inside(unit, denominator, m.skeleton, at, q.skeleton_boundaries)
            if score > best and not _i_or_l_only(c, unit, kind, m):
                best, found = score, (unit, kind, c, m)
    return None if found is None else (best, found)


def _i_or_l_only(inner: Candidate, unit: str, kind: str, outer: Candidate) -> bool:
    """Whether a skeleton unit lies in the other mark only by the skeleton's I read as l.  A
    capital I and a small l look alike, but marks are folded to one case, so the skeleton reads
    every i as l: a short unit then lies in many an unrelated mark (MURAL in SAMURAI, WII in
    WILDLIFE, IIS in WELLS).  Spelling compares whole marks, where that likeness holds (MATTEI ~
    MATTEL); containment needs a digit or a glyph written for a letter (G00GLE, L1ON, RNILK),
    in the unit found, not only elsewhere in either mark (MURAL in G00GLE SAMURAI)."""
    return i_as_l(written_unit(inner, unit, kind)) in i_as_l(outer.plain)


def _containment_reason(unit: str, kind: str, inner: Candidate, outer: Candidate, *, looks: bool) -> str:
    verb = "contains, looks alike" if looks else "contains"
    if kind == "mark":
        return f"{verb}: {inner.text} in {outer.text}"
    # A unit of the skeleton is shown as the mark writes it (G00GLE, not google).
    shown = written_unit(inner, unit, kind) if looks else unit
    return f"{verb}: {shown.upper()} (from {inner.text}) in {outer.text}"


# -- goods -------------------------------------------------------------------


def goods(q: PreparedQuery, c: Candidate, *, explain: bool = True) -> Signal:
    """How close the goods are, from the Nice classes: the best
    :func:`~marksearch.scoring.goods.class_similarity` of a query class and
    a candidate class (the query prepares the table once);
    :data:`~marksearch.scoring.goods.NEUTRAL_GOODS` when either side gives no
    class.

    >>> from marksearch.scoring.candidate import prepare_query
    >>> goods(prepare_query("A", classes=[9]), Candidate.from_text(1, "B", [42, 9]))
    Signal(score=1.0, reason='goods: same class 9')
    """
    if not q.classes or not c.classes:
        return Signal(NEUTRAL_GOODS, "goods: no classes to compare" if explain else "")
    best = NO_SIGNAL
    table = q.goods
    for nice_class in c.classes:
        signal = table.get(nice_class, NO_SIGNAL)
        if signal.score > best.score:
            best = signal
    if best.score <= 0.0:
        return Signal(0.0, "goods: unrelated classes" if explain else "")
    return best if explain else Signal(best.score, "")


# Metadata in one place (RapidFuzz keeps its scorer flags the same way): the
# signals in the order reasons are listed when scores tie.
SIGNALS: dict[str, SignalFunction] = {
    "spelling": spelling,
    "sound": sound,
    "cross_script": cross_script,
    "containment": containment,
    "goods": goods,
}
