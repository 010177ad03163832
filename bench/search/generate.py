"""A seeded generator of realistic trade mark registers: :func:`generate_register`.

Offices, scripts, Nice classes, statuses and filing years are drawn in the
proportions documented (with their sources) in ``docs/bench-search.md``;
the tables are below.  Latin marks are built from words of the real marks in
``../shared/data/names``: invented words from an order-3 character Markov
model of them (:mod:`bench.search.markov`), real words, prefixed and suffixed
compounds, acronyms, numbers and legal forms.  Chinese, Korean, Japanese and
Cyrillic marks are loanword renderings of generated Latin names
(:mod:`bench.search.translit`), compositions of the characters frequent in
brand names of their script, or both scripts side by side; some re-file an
earlier mark of the register in another office and script, as brands do.
The 29 brands of ``relevance/cross_script.csv`` are planted in both scripts.

The numbers of a chunk of marks are drawn with numpy, the words with one
seeded ``random.Random`` per chunk: the same ``(n, seed)`` always gives the
same register, at about 20 seconds per million marks in one process.

>>> marks = list(generate_register(1000, seed=7))
>>> marks == list(generate_register(1000, seed=7)), len(marks), marks[0].id
(True, 1000, 0)
>>> sorted({m.status for m in marks})
['ended', 'pending', 'registered']
"""

from __future__ import annotations

import csv
import os
import random
import re
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

import numpy as np

if __package__ in (None, ""):
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.search.markov import SHARED, brand_model, real_names, real_vocabulary
from bench.search.translit import HAN_CHARACTERS, to_cyrillic, to_han, to_hangul, to_katakana

__all__ = ["GeneratedMark", "OFFICES", "SCRIPTS", "STATUS_SHARES", "CLASS_WEIGHTS",
           "generate_register", "iter_register", "load_register", "planted_ids", "register_path",
           "save_register"]

CHUNK = 50_000
REGISTER_DIR = Path(__file__).resolve().parents[1] / "out"


class GeneratedMark(NamedTuple):
    """One generated register entry; ``script`` is ISO 15924 (``Hani+Latn`` when mixed)."""

    id: int
    office: str
    mark_text: str
    script: str
    nice_classes: tuple[int, ...]
    status: str
    filing_year: int


# -- proportions (sources and reasoning: docs/bench-search.md) -----------------

# Share of the register per office, and each office's script mix.
OFFICES: dict[str, tuple[float, dict[str, float]]] = {
    "CN": (0.34, {"Hani": 0.72, "Latn": 0.22, "Hani+Latn": 0.06}),
    "US": (0.08, {"Latn": 1.0}),
    "IN": (0.06, {"Latn": 1.0}),
    "EM": (0.06, {"Latn": 0.995, "Cyrl": 0.005}),
    "JP": (0.06, {"Latn": 0.40, "Kana": 0.33, "Jpan": 0.22, "Hira": 0.05}),
    "KR": (0.05, {"Hang": 0.55, "Latn": 0.35, "Hang+Latn": 0.10}),
    "WO": (0.04, {"Latn": 0.90, "Hani": 0.04, "Cyrl": 0.03, "Kana": 0.02, "Hang": 0.01}),
    "BR": (0.04, {"Latn": 1.0}),
    "TR": (0.04, {"Latn": 1.0}),
    "GB": (0.04, {"Latn": 1.0}),
    "RU": (0.03, {"Cyrl": 0.55, "Latn": 0.45}),
    "DE": (0.025, {"Latn": 1.0}),
    "FR": (0.025, {"Latn": 1.0}),
    "MX": (0.02, {"Latn": 1.0}),
    "ES": (0.02, {"Latn": 1.0}),
    "IT": (0.02, {"Latn": 1.0}),
    "AU": (0.02, {"Latn": 1.0}),
    "CA": (0.02, {"Latn": 1.0}),
    "UA": (0.01, {"Cyrl": 0.50, "Latn": 0.50}),
}
SCRIPTS = ("Latn", "Hani", "Hani+Latn", "Hang", "Hang+Latn", "Kana", "Hira", "Jpan", "Cyrl")
STATUS_SHARES = {"registered": 0.55, "pending": 0.15, "ended": 0.30}

# Nice classes by their approximate share of classes filed worldwide.
CLASS_WEIGHTS: dict[int, float] = {
    35: 11.0, 9: 8.0, 25: 6.5, 41: 5.5, 42: 5.5, 30: 4.5, 3: 4.5, 5: 4.5, 43: 3.5, 29: 3.5,
    16: 3.0, 44: 3.0, 21: 3.0, 11: 2.8, 20: 2.8, 28: 2.8, 18: 2.5, 32: 2.3, 7: 2.2, 36: 2.2,
    10: 2.0, 14: 2.0, 45: 1.8, 39: 1.8, 33: 1.6, 31: 1.6, 37: 1.6, 12: 1.5, 1: 1.4, 19: 1.3,
    6: 1.3, 24: 1.2, 8: 1.0, 38: 1.0, 40: 1.0, 17: 0.8, 26: 0.8, 34: 0.8, 2: 0.7, 4: 0.6,
    22: 0.5, 27: 0.5, 15: 0.4, 13: 0.3, 23: 0.3,
}
# Classes per mark: single-class filing dominates where it was the rule (CN).
CLASS_COUNTS = {"CN": (0.93, 0.04, 0.02, 0.01), "*": (0.55, 0.20, 0.11, 0.06, 0.03, 0.02, 0.015, 0.01, 0.005, 0.005, 0.005)}

# Filing years by status: pending marks are recent; registered ones grow ~7 %
# a year since 1990 (filings tripled 2005-2020); ended ones are older.
YEARS = {
    "pending": (range(2023, 2026), 1.0, (1.0, 2.0, 4.0)),
    "registered": (range(1990, 2026), 1.07, ()),
    "ended": (range(1970, 2024), 1.05, ()),
}

# -- Latin words --------------------------------------------------------------

# Word counts of Latin marks: the EUIPO word elements have 46 % one word, 25 %
# two, 12 % three, 7 % four, 10 % more; Simple Icons titles are 80 % one word.
WORD_COUNTS = (0.50, 0.27, 0.12, 0.06, 0.025, 0.015, 0.01)
# Kinds of word, first word then later ones: invented, real, compound, acronym, number, letter.
FIRST_WORD = (0.50, 0.22, 0.15, 0.08, 0.02, 0.03)
LATER_WORD = (0.22, 0.58, 0.08, 0.06, 0.04, 0.02)
PREFIXES = ("pro", "eco", "bio", "neo", "max", "nano", "tech", "smart", "euro", "multi", "uni", "i",
            "e", "my", "go", "super", "ultra", "top", "star", "green", "med", "agro", "auto", "info",
            "net", "vita", "nutri", "inter", "cyber", "aqua", "terra", "omni", "hydro", "easy")
SUFFIXES = ("ex", "ia", "ix", "io", "on", "ify", "ly", "era", "ova", "ino", "tec", "tech", "tex",
            "lab", "labs", "soft", "ware", "net", "go", "hub", "med", "pharm", "line", "star", "max",
            "plus", "pro", "ista", "ella", "etto", "ica", "ika", "ana", "ium", "ax", "oo", "sy")
LEGAL_FORMS = ("GmbH", "Ltd", "Inc.", "S.A.", "S.L.", "SRL", "S.p.A.", "AG", "LLC", "Co.", "Corp.",
               "B.V.", "Oy", "AB", "sp. z o.o.", "KG", "Group", "Holding", "& Co.", "Limited", "A/S")
LEGAL_FORM_SHARE = 0.04
REAL_NAME_SHARE = 0.03  # a real mark of ../shared/data/names verbatim
REFILE_SHARE = 0.05  # a Latin mark that re-files an earlier one, same text
FAMILY_SHARE = 0.30  # a rendering in another script of an earlier Latin mark
# Case of Latin marks: the EUIPO word elements are 55 % upper case, 12 % title
# case, 11 % lower case and 22 % mixed (camel case, acronym with words).
CASES = (("upper", 0.55), ("title", 0.15), ("lower", 0.12), ("camel", 0.08), ("mixed", 0.10))
# Accented letters some offices' marks use (one in ten marks there).
ACCENTS = {"DE": {"a": "ä", "o": "ö", "u": "ü"}, "FR": {"e": "é", "a": "à", "c": "ç"},
           "ES": {"n": "ñ", "o": "ó", "a": "á"}, "IT": {"e": "è", "o": "ò"},
           "TR": {"s": "ş", "c": "ç", "g": "ğ", "i": "ı", "o": "ö", "u": "ü"},
           "BR": {"a": "ã", "c": "ç", "e": "ê"}}

# -- other scripts ------------------------------------------------------------

# Characters frequent in Chinese company and brand names (a hand list: good
# omens, nature, quality, technology), plus, at load time, those of the
# Chinese names of relevance/cross_script.csv and the transliteration
# characters of bench.search.translit.
HAN_BRAND = (
    "华美康乐金龙凤天星海东方佳宝福瑞祥源盛鑫恒泰安达信利兴隆鸿腾飞雅丽新尚优品汇百千万一中国家民和平云山水"
    "木森林绿青红蓝白小大好真诚德仁智慧博创科技精工匠易通联网数维光明月阳春秋晨鲜香味甜活力健生态农丰谷米茶"
    "酒果园花草叶竹梅兰菊莲松石玉珠晶彩虹蜂蝶虎狮鹰马牛羊鹿熊猫童心爱喜寿吉如意嘉悦欣怡君豪雄威帝皇王尊贵荣"
    "耀辉煌亿顺发旺嘉永长久富强胜远航"
)
HAN_SUFFIXES = ("科技", "集团", "食品", "电子", "服饰", "生物", "网络", "文化", "传媒", "酒业", "茶业", "药业",
                "汽车", "家居", "实业", "贸易", "有限公司", "股份")
# Hangul syllables of Korean brand names (bench/keys.py's list of syllables
# common in loanwords and company names).
HANGUL_SYLLABLES = (
    "가나다라마바사아자차카타파하스트크프브드그르즈니리미비시이지치키티피히오로모보소도고코토포"
    "호우루무부수두구쿠투푸후애배새래매내개베세레메네게렌린민빈신진킨틴핀힌넬렐벨셀델켈텔펠헬"
    "샤셔쇼슈잇엇앗럭벅턱컵넛닷랩탭한국대신성현정영준민서연수하윤진"
)
HANGUL_SUFFIXES = ("커피", "전자", "제약", "식품", "코리아", "홀딩스", "화장품", "푸드", "테크", "스토어", "건설")
KATAKANA = ("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
            "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ")
KATAKANA_SUFFIXES = ("ホールディングス", "ジャパン", "ストア", "ラボ", "ショップ", "フーズ")
HIRAGANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
KANJI = ("日本東京大山田中川電気自動車工業製薬食品銀行任天堂本松下富士光和明星新世界花三菱住友野村村田"
         "京都北海道沖縄桜梅松竹鶴亀龍虎金銀宝玉幸福寿愛心美味屋堂亭庵舎")
JAPANESE_SUFFIXES = ("株式会社", "ホールディングス", "工業", "製作所", "商事", "産業")


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    return list(accumulate(w / total for w in weights))


class _Tables:
    """The proportions as arrays, built once per process."""

    def __init__(self) -> None:
        self.offices = list(OFFICES)
        self.office_p = np.array([OFFICES[o][0] for o in self.offices])
        self.office_p /= self.office_p.sum()
        self.script_cum = np.array([[OFFICES[o][1].get(s, 0.0) for s in SCRIPTS] for o in self.offices])
        self.script_cum = np.cumsum(self.script_cum / self.script_cum.sum(axis=1, keepdims=True), axis=1)
        self.classes = np.array(sorted(CLASS_WEIGHTS))
        self.class_p = np.array([CLASS_WEIGHTS[c] for c in self.classes])
        self.class_p /= self.class_p.sum()
        self.statuses = list(STATUS_SHARES)
        self.status_p = np.array(list(STATUS_SHARES.values()))
        self.years = {s: self._years(s) for s in self.statuses}
        words, probs = real_vocabulary()
        self.real_words, self.real_p = words, probs
        self.names = [n.replace("\t", " ").replace("\n", " ") for n in real_names()]
        cross = _cross_script_pairs()
        self.han = "".join(dict.fromkeys(HAN_BRAND + "".join(b for _a, b, s in cross if s == "Hani")
                                         + HAN_CHARACTERS))
        self.han = "".join(c for c in self.han if "\u4e00" <= c <= "\u9fff")

    @staticmethod
    def _years(status: str) -> tuple[np.ndarray, np.ndarray]:
        span, growth, given = YEARS[status]
        years = np.array(list(span))
        weights = np.array(given) if given else growth ** (years - years[0])
        return years, weights / weights.sum()


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def _cross_script_pairs() -> list[tuple[str, str, str]]:
    """(Latin name, native name, native script) of relevance/cross_script.csv."""
    scripts = {"CN": "Hani", "KR": "Hang", "JP": "Kana"}
    with (SHARED / "relevance" / "cross_script.csv").open(encoding="utf-8", newline="") as f:
        return [(r["mark_a"], r["mark_b"], scripts[r["jurisdiction"][:2]])
                for r in csv.DictReader(f) if r["jurisdiction"][:2] in scripts]


CROSS_SCRIPT_OFFICE = {"Hani": "CN", "Hang": "KR", "Kana": "JP"}
_VOWEL = re.compile(r"[aeiouyAEIOUY]")


# -- one chunk ----------------------------------------------------------------


class _Chunk:
    """Builds the texts of one chunk of marks from its own seeded draws."""

    def __init__(self, tables: _Tables, seed: int, index: int, size: int) -> None:
        self.t = tables
        np_rng = np.random.default_rng([seed, index])
        self.rng = random.Random(seed * 1_000_003 + index)
        self.invented = brand_model().sample(np_rng, int(size * 1.3) + 64)
        self.real: list[str] = [tables.real_words[i] for i in
                                np_rng.choice(len(tables.real_words), size=int(size * 0.9) + 64,
                                              p=tables.real_p).tolist()]
        self.n_invented = self.n_real = 0
        self.recent: list[str] = []
        self.word_cum = _cumulative(WORD_COUNTS)
        self.first_cum, self.later_cum = _cumulative(FIRST_WORD), _cumulative(LATER_WORD)
        self.case_cum = _cumulative([w for _c, w in CASES])

    def invented_word(self) -> str:
        self.n_invented += 1
        if self.n_invented >= len(self.invented):
            self.n_invented = 0
        return self.invented[self.n_invented]

    def real_word(self) -> str:
        self.n_real += 1
        if self.n_real >= len(self.real):
            self.n_real = 0
        return self.real[self.n_real]

    def word(self, kind: int) -> str:
        r = self.rng
        if kind == 0:
            return self.invented_word()
        if kind == 1:
            return self.real_word()
        if kind == 2:
            stem = self.invented_word() if r.random() < 0.6 else self.real_word()
            return r.choice(PREFIXES) + stem if r.random() < 0.4 else stem + r.choice(SUFFIXES)
        if kind == 3:
            return "".join(chr(65 + int(r.random() * 26)) for _ in range(2 + int(r.random() * 3)))
        if kind == 4:
            return str(int(10 ** (1 + r.random() * 3)))
        return chr(65 + int(r.random() * 26))

    def latin(self, office: str) -> str:
        r = self.rng
        u = r.random()
        if u < REAL_NAME_SHARE:
            return r.choice(self.t.names)
        if u < REAL_NAME_SHARE + REFILE_SHARE and self.recent:
            return r.choice(self.recent)
        count = bisect(self.word_cum, r.random() * self.word_cum[-1]) + 1
        words = [self.word(bisect(self.first_cum, r.random() * self.first_cum[-1]))]
        for _ in range(4):  # a mark of one word is seldom a short function word ("of")
            if count > 1 or len(words[0]) > 2 or words[0].isupper():
                break
            words[0] = self.word(bisect(self.first_cum, r.random() * self.first_cum[-1]))
        words += [self.word(bisect(self.later_cum, r.random() * self.later_cum[-1])) for _ in range(count - 1)]
        text = self._cased(words)
        if office in ACCENTS and r.random() < 0.1:
            text = self._accented(text, ACCENTS[office])
        if r.random() < LEGAL_FORM_SHARE:
            text += " " + r.choice(LEGAL_FORMS)
        if len(self.recent) < 4096:
            self.recent.append(text)
        else:
            self.recent[int(r.random() * 4096)] = text
        return text

    def _cased(self, words: list[str]) -> str:
        style = CASES[bisect(self.case_cum, self.rng.random() * self.case_cum[-1])][0]
        if style == "upper":
            return " ".join(words).upper()
        if style == "title":
            return " ".join(w.capitalize() if w.islower() else w for w in words)
        if style == "lower":
            return " ".join(words).lower()
        if style == "camel" and len(words) > 1:
            return "".join(w.capitalize() for w in words)
        # mixed: a capitalised fancy word, then upper-case words ("Osmoza Care NATURALNIE")
        return " ".join([words[0].capitalize()] + [w.upper() for w in words[1:]])

    def _accented(self, text: str, table: dict[str, str]) -> str:
        spots = [i for i, c in enumerate(text) if c.lower() in table]
        if not spots:
            return text
        i = self.rng.choice(spots)
        accent = table[text[i].lower()]
        return text[:i] + (accent.upper() if text[i].isupper() else accent) + text[i + 1:]

    def source_name(self) -> str:
        """A Latin name to render in another script: an earlier mark's first
        words (a brand re-filed abroad) or a fresh invented word."""
        r = self.rng
        if self.recent and r.random() < FAMILY_SHARE:
            # spoken words only: an acronym is read letter by letter, not rendered
            words = [w for w in r.choice(self.recent).split() if len(w) > 2 and _VOWEL.search(w)]
            if words:
                return " ".join(words[:2]) if len(words) > 1 and r.random() < 0.4 else words[0]
        return self.invented_word()

    def han(self) -> str:
        r = self.rng
        u = r.random()
        if u < 0.35:
            text = to_han(self.source_name())[:5] or self._han_chars(2)
        else:
            text = self._han_chars(2 if u < 0.75 else 3 if u < 0.95 else 4)
        if r.random() < 0.15:
            text += r.choice(HAN_SUFFIXES)
        return text

    def _han_chars(self, count: int) -> str:
        han = self.t.han
        return "".join(han[int(self.rng.random() * len(han))] for _ in range(count))

    def hangul(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            text = to_hangul(self.source_name()) or "가"
        else:
            text = "".join(r.choice(HANGUL_SYLLABLES) for _ in range(2 + int(r.random() * 3)))
        if r.random() < 0.15:
            text += r.choice(HANGUL_SUFFIXES)
        return ("(주)" + text) if r.random() < 0.03 else text

    def katakana(self) -> str:
        r = self.rng
        if r.random() < 0.75:
            text = to_katakana(self.source_name()) or "ア"
        else:
            text = "".join(r.choice(KATAKANA) for _ in range(2 + int(r.random() * 4)))
        return text + r.choice(KATAKANA_SUFFIXES) if r.random() < 0.08 else text

    def hiragana(self) -> str:
        return "".join(self.rng.choice(HIRAGANA) for _ in range(2 + int(self.rng.random() * 4)))

    def kanji(self) -> str:
        r = self.rng
        text = "".join(r.choice(KANJI) for _ in range(2 + int(r.random() * 2)))
        if r.random() < 0.3:
            text += "".join(r.choice(HIRAGANA) for _ in range(1 + int(r.random() * 2)))
        return text + r.choice(JAPANESE_SUFFIXES) if r.random() < 0.15 else text

    def cyrillic(self) -> str:
        r = self.rng
        name = self.source_name()
        if r.random() < 0.35:
            name += " " + self.real_word()
        text = to_cyrillic(name) or "а"
        return text.upper() if r.random() < 0.6 else text.capitalize()

    def text(self, script: str, office: str) -> str:
        if script == "Latn":
            return self.latin(office)
        if script == "Hani":
            return self.han()
        if script == "Hang":
            return self.hangul()
        if script == "Kana":
            return self.katakana()
        if script == "Hira":
            return self.hiragana()
        if script == "Jpan":
            return self.kanji()
        if script == "Cyrl":
            return self.cyrillic()
        name = self.source_name()
        native = to_han(name)[:5] if script == "Hani+Latn" else to_hangul(name)
        return f"{native} {name.upper()}" if self.rng.random() < 0.5 else f"{name.upper()} {native}"


def _classes(tables: _Tables, rng: np.random.Generator, offices: np.ndarray) -> list[tuple[int, ...]]:
    size = len(offices)
    counts = np.empty(size, dtype=np.int64)
    cn = offices == tables.offices.index("CN")
    for mask, key in ((cn, "CN"), (~cn, "*")):
        p = np.array(CLASS_COUNTS[key])
        counts[mask] = rng.choice(np.arange(1, len(p) + 1), size=int(mask.sum()), p=p / p.sum())
    drawn = rng.choice(tables.classes, size=(size, int(counts.max(initial=1))), p=tables.class_p)
    return [tuple(sorted(set(row[:k].tolist()))) for row, k in zip(drawn, counts)]


def _chunk(tables: _Tables, seed: int, index: int, start: int, size: int) -> Iterator[GeneratedMark]:
    np_rng = np.random.default_rng([seed, index, 1])
    offices = np_rng.choice(len(tables.offices), size=size, p=tables.office_p)
    u = np_rng.random(size)
    scripts = (u[:, None] > tables.script_cum[offices]).sum(axis=1)
    scripts = np.minimum(scripts, len(SCRIPTS) - 1)
    statuses = np_rng.choice(len(tables.statuses), size=size, p=tables.status_p)
    years = np.empty(size, dtype=np.int64)
    for s, status in enumerate(tables.statuses):
        mask = statuses == s
        span, p = tables.years[status]
        years[mask] = np_rng.choice(span, size=int(mask.sum()), p=p)
    classes = _classes(tables, np_rng, offices)
    maker = _Chunk(tables, seed, index, size)
    office_names, status_names = tables.offices, tables.statuses
    for i, (o, s, st, y) in enumerate(zip(offices.tolist(), scripts.tolist(), statuses.tolist(), years.tolist())):
        office, script = office_names[o], SCRIPTS[s]
        yield GeneratedMark(start + i, office, maker.text(script, office), script, classes[i],
                            status_names[st], y)


def _planted(n: int, seed: int) -> dict[int, tuple[str, str, str]]:
    """Positions of the cross_script brands: id -> (office, text, script)."""
    pairs = _cross_script_pairs()
    marks = [("US", a, "Latn") for a, _b, _s in pairs] + [(CROSS_SCRIPT_OFFICE[s], b, s) for _a, b, s in pairs]
    marks = list(dict.fromkeys(marks))
    if n < 4 * len(marks):
        return {}
    rng = np.random.default_rng([seed, 2**31 - 1])
    positions = sorted(rng.choice(n, size=len(marks), replace=False).tolist())
    return dict(zip(positions, marks))


def planted_ids(n: int, seed: int) -> list[int]:
    """Ids of the cross_script brands planted in the register ``(n, seed)``."""
    return sorted(_planted(n, seed))


def generate_register(n: int, seed: int) -> Iterator[GeneratedMark]:
    """``n`` marks with ids ``0 .. n-1``, the same for the same ``(n, seed)``.

    >>> [(m.id, m.status in STATUS_SHARES) for m in generate_register(2, seed=3)]
    [(0, True), (1, True)]
    """
    tables = _tables()
    planted = _planted(n, seed)
    for index, start in enumerate(range(0, n, CHUNK)):
        for mark in _chunk(tables, seed, index, start, min(CHUNK, n - start)):
            if mark.id in planted:
                office, text, script = planted[mark.id]
                mark = mark._replace(office=office, mark_text=text, script=script)
            yield mark


# -- cache --------------------------------------------------------------------


def _row(mark: GeneratedMark) -> str:
    classes = ",".join(map(str, mark.nice_classes))
    text = mark.mark_text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return f"{mark.id}\t{mark.office}\t{mark.script}\t{classes}\t{mark.status}\t{mark.filing_year}\t{text}\n"


def save_register(path: Path, marks: Iterable[GeneratedMark]) -> Iterator[GeneratedMark]:
    """Write ``marks`` to a TSV file while passing them on (the file appears,
    complete, only once the iterator is exhausted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".partial{os.getpid()}")
    with partial.open("w", encoding="utf-8") as f:
        f.write("id\toffice\tscript\tnice_classes\tstatus\tfiling_year\tmark_text\n")
        for mark in marks:
            f.write(_row(mark))
            yield mark
    partial.replace(path)


def load_register(path: Path) -> Iterator[GeneratedMark]:
    """Read a register written by :func:`save_register`."""
    with path.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            i, office, script, classes, status, year, text = line.rstrip("\n").split("\t", 6)
            yield GeneratedMark(int(i), office, text, script,
                                tuple(int(c) for c in classes.split(",") if c), status, int(year))


def register_path(n: int, seed: int, directory: Path = REGISTER_DIR) -> Path:
    return directory / f"register_{n}_{seed}.tsv"


def iter_register(n: int, seed: int, *, cache: bool = True, directory: Path = REGISTER_DIR) -> Iterator[GeneratedMark]:
    """The register ``(n, seed)``, from ``bench/out`` when cached there."""
    path = register_path(n, seed, directory)
    if cache and path.exists():
        return load_register(path)
    marks = generate_register(n, seed)
    return save_register(path, marks) if cache else marks
