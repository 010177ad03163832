"""The keys of a mark, computed once at ingest: :func:`mark_keys`.

The store calls :func:`mark_keys` for every record and keeps the result
(:meth:`MarkKeys.to_dict`); the search index posts :meth:`MarkKeys.lookup_keys`
and the scorer compares stored keys, so nothing downstream romanises again.

Key kinds, as :meth:`MarkKeys.lookup_keys` names them:

===========  ==============================================================
compact      folded words run together, in the mark's own script
plain        compact without diacritics (only when it differs)
skeleton     confusable glyphs mapped: ``c0ca`` -> ``coca``
latin        romanised readings of the whole mark (and of each script part
             of a mixed mark that is written apart or reads three letters
             or more), several where readings differ
core         readings of the dominant words only (legal forms and goods
             words left out), when that differs
partial      (not a lookup kind) the keys of ``core``, ``phon``, ``sound``
             and ``loose`` that read only part of the mark: those made from
             its dominant words alone when a goods word was left out
             (可口可乐 without 可乐 "cola" reads *keko*).  A match through
             one counts less than a match of the whole mark; legal forms
             leave nothing partial (ACME GMBH is ACME)
phon         Double Metaphone codes of the latin and core readings
sound        sound keys of those readings and of the loanword readings
loose        loose keys of the sound keys (cross-language consonant frame)
word         each word, folded, and its readings
wphon        Double Metaphone codes of each word
wsound       sound keys of each word
pinyin       toned pinyin of a Chinese word (``bi4sheng4ke4``)
initials     pinyin initials of a Chinese word (``bsk``)
===========  ==============================================================

>>> k = mark_keys("COCA-COLA")
>>> k.folded, k.compact, k.latin, k.dominant
('coca cola', 'cocacola', ('cocacola',), ('coca',))
>>> "nintendo" in mark_keys("任天堂").latin
True
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marksearch.text.confusables import digits_as_letters, latin_lookalike, skeleton_of
from marksearch.text.fold import AMPERSAND, compact_of, fold_tokens, strip_diacritics
from marksearch.text.names import western_names
from marksearch.text.numbers import has_digit, spoken
from marksearch.text.phonetic import loose_key, metaphone_codes, sound_key, sound_key_of_words
from marksearch.text.romanise import romanise_word
from marksearch.text.scripts import COMMON, mark_scripts, split_script_runs, word_script
from marksearch.text.words import DOMINANT, GENERIC, roles, split_affixes
from marksearch.versions import KEYS_VERSION  # raise it when these keys change

__all__ = ["KEYS_VERSION", "MarkKeys", "WordKeys", "mark_keys"]

# Bounds that keep keys compact: readings of a whole mark, words keyed, and
# characters read (a verbal element longer than this is a slogan or a
# description; its start is what a search can use).
MAX_MARK_READINGS = 6
MIN_PART = 3  # letters a part of a word in another script must read to be keyed alone (as containment's units)
MAX_WORDS = 32
MAX_CHARS = 1000
_UNSPACED = frozenset({"Hani", "Hira", "Kana", "Jpan", "Hang"})
_JAPANESE = frozenset({"Hira", "Kana", "Jpan"})
_DIGITS_AS_LETTERS = frozenset({"Latn", "Grek", "Cyrl"})
_NUMBERS_SAID = frozenset({"Latn", COMMON})  # where digits are heard as English words (text.numbers)


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@dataclass(frozen=True, slots=True)
class WordKeys:
    """The keys of one word of a mark.

    ``text`` is the folded word in its own script; ``romanised`` its readings
    (most likely first); ``phonetic`` Double Metaphone codes and ``sound``
    sound keys of those readings and of its loanword reading; ``role`` is
    ``dominant``, ``generic`` or ``legal``.  ``syllables`` and ``initials``
    are set for Han words read as Chinese.
    """

    text: str
    script: str
    romanised: tuple[str, ...]
    phonetic: tuple[str, ...]
    sound: tuple[str, ...]
    dominant: bool
    role: str = DOMINANT
    loan: str = ""
    syllables: tuple[str, ...] = ()
    initials: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (lists for tuples)."""
        return {
            "text": self.text, "script": self.script, "romanised": list(self.romanised),
            "phonetic": list(self.phonetic), "sound": list(self.sound),
            "dominant": self.dominant, "role": self.role, "loan": self.loan,
            "syllables": list(self.syllables), "initials": self.initials,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WordKeys:
        """The inverse of :meth:`to_dict`."""
        return cls(
            text=str(d["text"]), script=str(d["script"]), romanised=_strs(d.get("romanised")),
            phonetic=_strs(d.get("phonetic")), sound=_strs(d.get("sound")),
            dominant=bool(d.get("dominant", True)), role=str(d.get("role", DOMINANT)),
            loan=str(d.get("loan", "")), syllables=_strs(d.get("syllables")),
            initials=str(d.get("initials", "")),
        )


@dataclass(frozen=True, slots=True)
class MarkKeys:
    """Every key of one mark (see the module docstring for the kinds).

    ``phonetic`` holds the Double Metaphone codes of the whole mark; the sound
    keys (the normaliser written for non-English spellings) are in ``sound``,
    so each stored key says which algorithm made it.
    """

    text: str
    folded: str
    compact: str
    plain: str
    skeleton: str
    scripts: tuple[str, ...]
    latin: tuple[str, ...]
    phonetic: tuple[str, ...]
    words: tuple[WordKeys, ...]
    dominant: tuple[str, ...]
    sound: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    loose: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values, the form the store keeps.  ``partial`` is
        left out when empty, as it is for most marks (so that registers keyed
        before it existed differ only in the marks that have some)."""
        d = {
            "text": self.text, "folded": self.folded, "compact": self.compact,
            "plain": self.plain, "skeleton": self.skeleton, "scripts": list(self.scripts),
            "latin": list(self.latin), "phonetic": list(self.phonetic),
            "words": [w.to_dict() for w in self.words], "dominant": list(self.dominant),
            "sound": list(self.sound), "core": list(self.core), "loose": list(self.loose),
        }
        if self.partial:
            d["partial"] = list(self.partial)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MarkKeys:
        """The inverse of :meth:`to_dict`.

        >>> k = mark_keys("Müller & Söhne GmbH")
        >>> MarkKeys.from_dict(k.to_dict()) == k
        True
        """
        return cls(
            text=str(d["text"]), folded=str(d["folded"]), compact=str(d["compact"]),
            plain=str(d["plain"]), skeleton=str(d["skeleton"]), scripts=_strs(d.get("scripts")),
            latin=_strs(d.get("latin")), phonetic=_strs(d.get("phonetic")),
            words=tuple(WordKeys.from_dict(w) for w in d.get("words") or ()),
            dominant=_strs(d.get("dominant")), sound=_strs(d.get("sound")),
            core=_strs(d.get("core")), loose=_strs(d.get("loose")), partial=_strs(d.get("partial")),
        )

    def lookup_keys(self) -> Iterator[tuple[str, str]]:
        """``(kind, key)`` pairs for a search index, deduplicated, no empty key.

        >>> [pair for pair in mark_keys("C0CA").lookup_keys() if pair[0] in ("compact", "skeleton")]
        [('compact', 'c0ca'), ('skeleton', 'coca')]
        """
        seen: set[tuple[str, str]] = set()
        for pair in self._all_keys():
            if pair[1] and pair not in seen:
                seen.add(pair)
                yield pair

    def _all_keys(self) -> Iterator[tuple[str, str]]:
        yield "compact", self.compact
        yield "plain", self.plain
        yield "skeleton", self.skeleton
        yield from (("latin", k) for k in self.latin)
        yield from (("core", k) for k in self.core)
        yield from (("phon", k) for k in self.phonetic)
        yield from (("sound", k) for k in self.sound)
        yield from (("loose", k) for k in self.loose)
        for word in self.words:
            yield "word", word.text
            yield from (("word", k) for k in word.romanised)
            yield from (("wphon", k) for k in word.phonetic)
            yield from (("wsound", k) for k in word.sound)
            if len(word.syllables) > 1:
                yield "pinyin", word.syllables[1].replace(" ", "")
            yield "initials", word.initials


# -- assembling --------------------------------------------------------------


def _segments(tokens: tuple[str, ...]) -> list[tuple[str, str]]:
    """(word, script) pairs: tokens cut at script changes, Chinese, Japanese
    and Korean words cut at legal forms and goods words."""
    out: list[tuple[str, str]] = []
    for token in tokens:
        if token == AMPERSAND:
            continue
        for run in split_script_runs(token):
            script = word_script(run)
            pieces = split_affixes(run) if script in _UNSPACED else (run,)
            out.extend((piece, word_script(piece)) for piece in pieces)
    return out[:MAX_WORDS]


@lru_cache(maxsize=131072)
def _word_keys(word: str, script: str, role: str, han_as_japanese: bool) -> WordKeys:
    romanised = romanise_word(word, script, han_as_japanese=han_as_japanese)
    readings = romanised.readings
    # C0CA is said "coca": phonetic keys also hear digits as the letters they imitate.
    lettered = tuple(digits_as_letters(r) for r in readings if script in _DIGITS_AS_LETTERS)
    # 7 is said "seven", 4EVER "forever" (text.numbers).
    said = tuple(spoken(r, puns=puns) for r in readings if script in _NUMBERS_SAID and has_digit(r)
                 for puns in (False, True))
    sources = _unique(readings + lettered + said + ((romanised.loan,) if romanised.loan else ()))
    phonetic = tuple(dict.fromkeys(itertools.chain.from_iterable(
        metaphone_codes(r) for r in sources)))
    sound = tuple(dict.fromkeys(s for s in map(sound_key, sources) if s))
    return WordKeys(text=word, script=script, romanised=readings, phonetic=phonetic,
                    sound=sound, dominant=(role == DOMINANT), role=role,
                    loan=romanised.loan, syllables=romanised.syllables,
                    initials=romanised.initials)


def _readings_of(words: Sequence[WordKeys]) -> list[list[str]]:
    """Whole-phrase readings as word lists: the n-th reading of each word
    (its last one when it has fewer), so readings grow with the longest word
    list, not with the product."""
    if not words:
        return []
    depth = min(MAX_MARK_READINGS, max(len(w.romanised) for w in words))
    phrases: list[list[str]] = []
    for n in range(depth):
        phrases.append([w.romanised[min(n, len(w.romanised) - 1)] if w.romanised else ""
                        for w in words])
    return phrases


def _loan_phrase(words: Sequence[WordKeys]) -> list[str]:
    return [w.loan or (w.romanised[0] if w.romanised else "") for w in words]


def _parts(words: Sequence[WordKeys]) -> list[list[WordKeys]]:
    """Runs of words of one script (digits join their neighbours)."""
    parts: list[list[WordKeys]] = []
    family = ""
    for word in words:
        script = "Jpan" if word.script in _JAPANESE or word.script == "Hani" else word.script
        if parts and (script == family or COMMON in (script, family)):
            parts[-1].append(word)
            family = script if family == COMMON else family
        else:
            parts.append([word])
            family = script
    return parts


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def _phrase_keys(phrases: list[list[str]]) -> list[tuple[tuple[str, ...], str]]:
    """The Metaphone codes and the sound key of each phrase (a list of word readings)."""
    return [(tuple(metaphone_codes("".join(p))), sound_key_of_words(p)) for p in phrases]


def _lettered_phrase(words: Sequence[WordKeys]) -> list[str]:
    """The first reading with digits heard as letters (C0CA -> coca)."""
    return [digits_as_letters(w.romanised[0]) if w.romanised and w.script in _DIGITS_AS_LETTERS
            else (w.romanised[0] if w.romanised else "") for w in words]


def _spoken_phrases(words: Sequence[WordKeys]) -> list[list[str]]:
    """The first reading with numbers said as English words, plainly and as puns (7-ELEVEN:
    seven eleven; 2GETHER: twogether, together), when a word has digits."""
    if not any(has_digit(w.text) for w in words):
        return []
    phrases = [[spoken(w.romanised[0], puns=puns) if w.romanised and w.script in _NUMBERS_SAID
                else (w.romanised[0] if w.romanised else "") for w in words] for puns in (False, True)]
    return phrases[:1] if phrases[0] == phrases[1] else phrases


def _phrases(words: tuple[WordKeys, ...], tokens: Collection[str]
             ) -> tuple[list[list[str]], list[list[str]], list[list[str]], list[bool]]:
    """Word-reading lists for the whole mark (and each script part of a
    mixed mark written apart, among its ``tokens``, or reading ``MIN_PART``
    letters or more), for its dominant words, and those only heard (loanword,
    digits-as-letters and numbers-as-words readings), which give sound keys but
    no latin key, with whether each heard one reads the dominant words alone
    (the dominant words' loanword reading, when there are both a core and loanwords)."""
    whole = _readings_of(words)
    parts = _parts(words)
    if len(parts) > 1:
        for part in parts:
            # A part read as a mark of its own is written apart (LG of "LG 생활건강"), or long
            # enough to be one: the O of "Oίνος" (a Latin letter in a Greek word) or the Ω of
            # "Ωmega" alone would sound exactly like every mark O.
            apart = all(w.text in tokens for w in part)
            whole += [p for p in _readings_of(part) if apart or len("".join(p)) >= MIN_PART]
    dominant = [w for w in words if w.dominant]
    core = _readings_of(dominant) if len(dominant) < len(words) else []
    heard = [_lettered_phrase(words), *_spoken_phrases(words)]
    if any(w.loan for w in words):
        heard.append(_loan_phrase(words))
    heard_core = [False] * len(heard)
    if core and any(w.loan for w in words):
        heard.append(_loan_phrase(dominant))
        heard_core.append(True)
    return whole, core, heard, heard_core


def _partial(words: tuple[WordKeys, ...], keyed: list[tuple[tuple[str, ...], str]], of_core: list[bool],
             core: tuple[str, ...], codes: tuple[str, ...], sounds: tuple[str, ...],
             loose: tuple[str, ...]) -> tuple[str, ...]:
    """The keys that only the dominant words give, when a goods word was left
    out of them (see the module docstring), in the order of the key lists.
    ``keyed`` holds each phrase's keys, ``of_core`` whether the phrase reads the
    dominant words alone."""
    if not any(of_core) or not any(w.role == GENERIC for w in words):
        return ()
    whole_codes = {c for (cs, _), part in zip(keyed, of_core, strict=True) if not part for c in cs}
    whole_sounds = {sound for (_, sound), part in zip(keyed, of_core, strict=True) if not part}
    only_codes = {c for (cs, _), part in zip(keyed, of_core, strict=True) if part for c in cs} - whole_codes
    only_sounds = {sound for (_, sound), part in zip(keyed, of_core, strict=True) if part} - whole_sounds
    only_loose = {loose_key(s) for s in only_sounds} - {loose_key(s) for s in whole_sounds}
    return _unique([*core, *(c for c in codes if c in only_codes), *(s for s in sounds if s in only_sounds),
                    *(k for k in loose if k in only_loose)])


def _run_names(tokens: tuple[str, ...]) -> list[list[str]]:
    """The Western names of whole Han runs that were cut into words (百事可乐,
    Pepsi, is 百事 + 可乐 "cola"): each word is looked up alone, so the run's
    own name would be lost."""
    return [[name] for token in tokens for run in split_script_runs(token)
            if word_script(run) == "Hani" and len(split_affixes(run)) > 1
            for name in western_names(run)]


def _as_read(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens as a reader hears them.  A word spelt in two alphabets with look-alike letters
    (ΑΡΡLE, the СОLА of СОСА-СОLА) shows a mark imitating a Latin one: it, and the mark's other
    words made wholly of such letters, are read as the Latin words they show, not cut into parts
    read apart (ΑΡΡ read "arr" found AR first, "sounds like").  The spelt keys (compact, plain,
    skeleton) keep the tokens as written."""
    latin = [latin_lookalike(t) for t in tokens]
    if not any(latin):
        return tokens
    return tuple(read or latin_lookalike(t, alone=True) or t for t, read in zip(tokens, latin, strict=True))


def _assemble(text: str, tokens: tuple[str, ...]) -> MarkKeys:
    read = _as_read(tokens)
    segments = _segments(read)
    han_as_japanese = any(script in _JAPANESE for _, script in segments)
    word_roles = roles(tuple(word for word, _ in segments))
    words = tuple(
        _word_keys(word, script, role, han_as_japanese)
        for (word, script), role in zip(segments, word_roles)
    )
    whole, core_phrases, heard, heard_core = _phrases(words, frozenset(read))
    whole += _run_names(tokens)
    latin = _unique("".join(p) for p in whole)
    core = tuple(c for c in _unique("".join(p) for p in core_phrases) if c not in latin)
    keyed = _phrase_keys(whole + core_phrases + heard)
    codes = _unique(itertools.chain.from_iterable(cs for cs, _ in keyed))
    sounds = _unique(sound for _, sound in keyed)
    loose = _unique(loose_key(s) for s in sounds)
    # Which phrases read the dominant words alone: the core's, and the dominant words' loanword
    # reading among the heard ones (see _phrases).
    of_core = [False] * len(whole) + [True] * len(core_phrases) + heard_core
    compact = compact_of(tokens)
    return MarkKeys(
        text=text, folded=" ".join(tokens), compact=compact, plain=strip_diacritics(compact),
        skeleton=skeleton_of(tuple(strip_diacritics(t) for t in tokens)),
        scripts=mark_scripts(compact), latin=latin, phonetic=codes, words=words,
        dominant=_unique(w.romanised[0] for w in words if w.dominant and w.romanised),
        sound=sounds, core=core, loose=loose,
        partial=_partial(words, keyed, of_core, core, codes, sounds, loose),
    )


def mark_keys(text: str) -> MarkKeys:
    """All keys of a mark's verbal element.  Total: any ``str`` gives keys
    (empty ones for a mark with no letters or digits; pass ``""`` for a mark
    without words).  Only the first :data:`MAX_CHARS` characters are read.

    >>> mark_keys("C0CA").skeleton, mark_keys("KOKA").sound == mark_keys("COCA").sound
    ('coca', True)
    """
    return _assemble(text, fold_tokens(text[:MAX_CHARS]))
