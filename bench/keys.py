"""Time ``mark_keys`` per script on one core: ``python bench/keys.py``.

Corpora:

* Latin (and whatever other scripts occur in them): the 17,981 EUIPO word
  elements of the TradeMarks2020 validation sample and the 3,453 Simple
  Icons brand titles, grouped by the script of their first letter;
* the native names of ``relevance/cross_script.csv`` and the localised
  Simple Icons titles (too few to time alone; they are added to the
  generated corpora of their script);
* generated marks for the scripts those files have too few of: Chinese and
  Korean renderings built from the syllables used in brand
  transliterations, katakana and kanji marks, and Cyrillic, Greek and
  Arabic letter-for-letter renderings of the EUIPO names.

Each script is timed cold (every cache of ``marksearch.text`` emptied first,
the cutlet instance excepted, whose creation is timed on its own) over
distinct marks, which is what a fresh ingest sees.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from marksearch import text as text_package
from marksearch.text import key_similarity, mark_keys, mark_scripts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import SHARED, table, write_section  # noqa: E402

NAMES = SHARED / "names"

# Syllables Chinese uses for Western names (Xinhua transliteration tables) and
# words for goods and company forms, to build plausible Chinese marks.
HAN_SYLLABLES = (
    "阿巴贝比宾波布达德迪蒂多尔菲芬弗福格哈赫吉加卡凯科克库拉莱兰朗劳勒雷里利丽莲林鲁路伦罗洛"
    "马玛迈麦曼梅美蒙米密摩莫姆纳娜尼诺欧帕派佩皮普奇乔萨赛桑森沙莎圣施史斯索塔泰坦汤特提托瓦"
    "万威维温沃乌西希夏肖谢辛雅亚伊英尤约扎泽珍宝华金龙凤天星海东方乐康健美佳"
)
HAN_SUFFIXES = ("", "", "", "科技", "集团", "有限公司", "食品", "咖啡", "银行", "汽车")
HANGUL_SYLLABLES = (
    "가나다라마바사아자차카타파하스트크프브드그르즈니리미비시이지치키티피히오로모보소도고코토포"
    "호우루무부수두구쿠투푸후애배새래매내개베세레메네게렌린민빈신진킨틴핀힌넬렐벨셀델켈텔펠헬"
    "샤셔쇼슈잇엇앗럭벅턱컵넛닷랩탭"
)
HANGUL_PREFIXES = ("", "", "", "(주)", "주식회사 ")
HANGUL_SUFFIXES = ("", "", "", "커피", "전자", "도넛", " Right tem", " STAR")
KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
)
KATAKANA_EXTRAS = ("ー", "ッ", "ャ", "ュ", "ョ", "ィ", "ェ")
KANJI = "日本東京大山田中川電気自動車工業製薬食品銀行任天堂本松下富士光和明星新世界花"
JAPANESE_SUFFIXES = ("", "", "株式会社", "ホールディングス", "工業")

# Letter-for-letter renderings of Latin names (a rough reverse of ISO 9,
# ISO 843 and common Arabic transcription), enough to time those scripts.
CYRILLIC = dict(zip("abcdefghijklmnopqrstuvwxyz", "абкдефгхийклмнопкрстуввксз"))
GREEK = dict(zip("abcdefghijklmnopqrstuvwxyz", "αβκδεφγηιζκλμνοπκρστυβωξυζ"))
ARABIC = dict(zip("abcdefghijklmnopqrstuvwxyz", "ابكديفغهيجكلمنوبقرستوفوكيز"))
assert all(len(table) == 26 for table in (CYRILLIC, GREEK, ARABIC))


def _euipo_names() -> list[str]:
    with (NAMES / "euipo_figurative_marks_TradeMarks2020_validation.csv").open(
            encoding="utf-8", newline="") as f:
        return [r["verbal_text"] for r in csv.DictReader(f) if r["verbal_text"].strip()]


def _brand_titles() -> list[str]:
    path = NAMES / "simple-icons_brand_titles.txt"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _native_names() -> list[str]:
    names: list[str] = []
    with (SHARED / "relevance" / "cross_script.csv").open(encoding="utf-8", newline="") as f:
        names += [r["mark_b"] for r in csv.DictReader(f)]
    brands = json.loads((NAMES / "simple-icons_brands.json").read_text(encoding="utf-8"))
    for brand in brands:
        names += list(((brand.get("aliases") or {}).get("loc") or {}).values())
    return names


def _random_word(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _chinese(rng: random.Random) -> str:
    return _random_word(rng, HAN_SYLLABLES, 2, 4) + rng.choice(HAN_SUFFIXES)


def _korean(rng: random.Random) -> str:
    return (rng.choice(HANGUL_PREFIXES) + _random_word(rng, HANGUL_SYLLABLES, 2, 6)
            + rng.choice(HANGUL_SUFFIXES))


def _katakana(rng: random.Random) -> str:
    word = _random_word(rng, KATAKANA, 2, 6)
    cut = rng.randint(1, len(word))
    return word[:cut] + rng.choice(KATAKANA_EXTRAS) + word[cut:]


def _kanji(rng: random.Random) -> str:
    return _random_word(rng, KANJI, 2, 4) + rng.choice(JAPANESE_SUFFIXES)


def _letters(table: dict[str, str]) -> Callable[[str], str]:
    def render(name: str) -> str:
        return "".join(table.get(c, c) for c in name.lower())
    return render


def _generated(make: Callable[[random.Random], str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    found: dict[str, None] = {}
    for _ in range(count * 20):
        if len(found) >= count:
            break
        found.setdefault(make(rng), None)
    return list(found)


def _by_first_script(names: Iterable[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        scripts = mark_scripts(name)
        groups.setdefault(scripts[0] if scripts else "Zyyy", []).append(name)
    return groups


def clear_caches() -> None:
    """Empty every functools cache in marksearch.text (cutlet stays loaded)."""
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(text_package.__name__):
            continue
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def time_marks(names: list[str]) -> float:
    """Seconds to key every name once, caches cold."""
    clear_caches()
    gc.collect()
    start = time.perf_counter()
    for name in names:
        mark_keys(name)
    return time.perf_counter() - start


def corpora(count: int) -> list[tuple[str, str, list[str]]]:
    """(script, source, names) for every timed corpus."""
    euipo, titles = _euipo_names(), _brand_titles()
    real = _by_first_script(euipo + titles)
    native = _by_first_script(_native_names())
    rows = [("Latn", "EUIPO + Simple Icons", real.pop("Latn"))]
    generated = {
        "Hani": ("generated + cross_script", _generated(_chinese, count, 1)),
        "Hang": ("generated + cross_script", _generated(_korean, count, 2)),
        "Kana": ("generated + cross_script", _generated(_katakana, count, 3)),
        "Jpan": ("generated kanji+kana", _generated(_kanji, count, 4)),
        "Cyrl": ("EUIPO, letter for letter", [_letters(CYRILLIC)(n) for n in euipo[:count]]),
        "Grek": ("EUIPO, letter for letter", [_letters(GREEK)(n) for n in euipo[:count]]),
        "Arab": ("EUIPO, letter for letter", [_letters(ARABIC)(n) for n in euipo[:count]]),
    }
    for script, (source, names) in generated.items():
        extra = native.get(script, []) + real.get(script, [])
        rows.append((script, source, list(dict.fromkeys(extra + names))))
    return rows


def time_similarity(names: list[str], pairs: int) -> float:
    """Pairs per second of ``key_similarity`` on stored keys (the scorer's cost)."""
    keys = [mark_keys(name) for name in names]
    rng = random.Random(5)
    chosen = [(rng.choice(keys), rng.choice(keys)) for _ in range(pairs)]
    start = time.perf_counter()
    for left, right in chosen:
        key_similarity(left, right)
    return pairs / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="generated marks per script")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    mark_keys("任天堂")  # loads cutlet and its dictionary
    first = time.perf_counter() - start
    rows = []
    mixed: list[str] = []
    for script, source, names in corpora(args.count):
        seconds = time_marks(names)
        rows.append([script, len(names), f"{seconds:.2f}", f"{len(names) / seconds:,.0f}", source])
        mixed += names[:500]
    pairs = time_similarity(mixed, 50_000)
    body = (
        f"`python bench/keys.py --count {args.count}`: `mark_keys` on one core, caches emptied before each "
        f"script. First call (loads cutlet and UniDic-lite): {first:.2f} s.\n\n"
        + table(["script", "marks", "seconds", "marks/s", "source"], rows)
        + f"\n\n`key_similarity`: {pairs:,.0f} pairs/s (random pairs, all scripts)."
    )
    print(body)
    if not args.no_write:
        write_section("Text keys (bench/keys.py)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
