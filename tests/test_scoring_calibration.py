"""Calibration: between unrelated marks, a value is about as rare whichever
text signal gives it.

The fused score takes the best weighted signal, so a signal whose values run
high between unrelated marks would flood the results.  Over random pairs of
real Latin marks (EUIPO TradeMarks2020 word elements and Simple Icons titles)
this counts, per 100,000 pairs, how many reach each level, and checks that
sound and containment stay within a factor of :data:`SPREAD` of spelling at
the levels where results are decided.  Between generated Chinese, Korean and
Japanese marks and the same Latin marks it counts the exact loose-key matches
by key length (why short loose keys count less).

``python tests/test_scoring_calibration.py`` prints the tables of
``docs/scoring.md``.
"""

from __future__ import annotations

import bisect
import csv
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from marksearch.scoring import Candidate, containment, prepare_query, sound, spelling
from marksearch.scoring.signals import best_pair
from marksearch.text import mark_keys

NAMES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "names"
LEVELS = (0.4, 0.5, 0.6, 0.7, 0.8)
CHECKED = (0.5, 0.6)
SPREAD = 3.0
# Syllables Chinese, Korean and Japanese use for Western names (Xinhua
# transliteration tables; Revised Romanisation and katakana loanword syllables).
HAN = (
    "阿巴贝比宾波布达德迪多尔菲芬弗福格哈赫吉加卡凯科克库拉莱兰朗劳勒雷里利丽林鲁路伦罗洛马玛迈麦曼梅美蒙米摩莫纳尼诺欧帕派佩"
    "皮普奇乔萨赛桑森沙圣施斯索塔泰坦汤特提托瓦万威维温沃乌西希夏肖谢辛雅亚伊英尤约扎泽"
)
HANGUL = (
    "가나다라마바사아자차카타파하스트크프브드그르즈니리미비시이지치키티피히오로모보소도고코토포호우루무부수두구쿠투푸후"
)
KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロワンガギグゲゴダデドバビブベボパピプペポ"
    "ー"
)


def latin_names() -> list[str]:
    with open(NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv",
              encoding="utf-8", newline="") as f:
        names = [r["verbal_text"] for r in csv.DictReader(f) if r["verbal_text"]]
    names += (NAMES / "simple-icons_brand_titles.txt").read_text(encoding="utf-8").splitlines()
    return sorted({n for n in names if n.strip() and n.isascii()})


def tails(values: list[float]) -> dict[float, float]:
    """Per 100,000 values, how many reach each level."""
    values = sorted(values)
    return {t: (len(values) - bisect.bisect_left(values, t)) / len(values) * 1e5 for t in LEVELS}


def latin_tails(queries: int, candidates: int, seed: int = 7) -> dict[str, dict[float, float]]:
    rng = random.Random(seed)
    names = latin_names()
    pool = [Candidate.from_keys(i, mark_keys(n).to_dict())
            for i, n in enumerate(rng.sample(names, candidates))]
    found: dict[str, list[float]] = defaultdict(list)
    for text in rng.sample(names, queries):
        q = prepare_query(text)
        for c in pool:
            if c.text != text:
                for name, signal in (("spelling", spelling), ("sound", sound), ("containment", containment)):
                    found[name].append(signal(q, c, explain=False).score)
    return {name: tails(values) for name, values in found.items()}


def _generated(rng: random.Random) -> str:
    alphabet, low, high = rng.choice(((HAN, 2, 4), (HANGUL, 2, 5), (KANA, 3, 6)))
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def loose_tails(queries: int, candidates: int, seed: int = 3) -> dict[int, float]:
    """Per 100,000 pairs whose best loose pair is this long, how many match exactly."""
    rng = random.Random(seed)
    pool = [Candidate.from_keys(i, mark_keys(n).to_dict())
            for i, n in enumerate(rng.sample(latin_names(), candidates))]
    exact: dict[int, list[float]] = defaultdict(list)
    for _ in range(queries):
        q = prepare_query(_generated(rng))
        for c in pool:
            sim, a, b = best_pair(q.mark.loose, c.loose)
            if a:
                exact[max(len(a), len(b))].append(1.0 if sim >= 1.0 else 0.0)
    return {n: sum(v) / len(v) * 1e5 for n, v in sorted(exact.items()) if len(v) >= 2000}


@pytest.mark.slow
def test_sound_and_containment_are_calibrated_to_spelling() -> None:
    if not NAMES.is_dir():
        pytest.fail(f"the shared data folder is missing: {NAMES}")
    found = latin_tails(queries=40, candidates=8000)
    for level in CHECKED:
        reference = found["spelling"][level]
        for name in ("sound", "containment"):
            assert reference / SPREAD <= found[name][level] <= reference * SPREAD, (name, level, found)


def report() -> Iterator[str]:
    found = latin_tails(queries=150, candidates=15000)
    yield "| signal | " + " | ".join(f">= {t}" for t in LEVELS) + " |"
    yield "|---|" + "---|" * len(LEVELS)
    for name, row in found.items():
        yield f"| {name} | " + " | ".join(f"{row[t]:.1f}" for t in LEVELS) + " |"
    yield ""
    yield "| loose key length | exact matches per 100,000 pairs |"
    yield "|---|---|"
    for length, rate in loose_tails(queries=140, candidates=8000).items():
        if length <= 12:
            yield f"| {length} | {rate:.1f} |"


if __name__ == "__main__":
    for line in report():
        print(line)
