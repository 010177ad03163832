"""Western names that Chinese words stand for: 必胜客 is Pizza Hut.

Many foreign brands, people and places are known in Chinese by a name that
is only partly a transliteration, or not one at all: 必胜客 (bi-sheng-ke,
"must-win guest") is Pizza Hut, 宝马 ("precious horse") BMW, 优衣库 Uniqlo.
No sound key meets them; a dictionary does.  The table
(``data/text/chinese_names.tsv.gz``, built by ``tools/build_chinese_names.py``)
holds the proper-noun entries of CC-CEDICT whose gloss is a Western name,
for simplified and traditional headwords, about 12,600 pairs: brands
(星巴克 Starbucks, 索尼 Sony), people (卓别林 Charlie Chaplin) and places
(伦敦 London).  :func:`western_names` gives them as Latin keys, which the
romanisation adds to a Chinese word's readings, so that the names meet
through the keys stored at ingest like any other reading.

Only whole words are looked up (a Chinese mark is one word unless legal
forms or goods words are cut from it): a name inside a longer word is not
found.

>>> western_names("必胜客"), western_names("沃爾瑪"), western_names("可口")
(('pizzahut',), ('walmart',), ())
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources
from pathlib import Path

from marksearch.text.fold import strip_diacritics

__all__ = ["western_names"]


@functools.cache
def _table() -> dict[str, tuple[str, ...]]:
    path = Path(str(resources.files("marksearch").joinpath("data", "text", "chinese_names.tsv.gz")))
    names: dict[str, dict[str, None]] = {}
    if not path.exists():
        # The one share-alike file (CC BY-SA 4.0, see data/text/SOURCES.md): an
        # installation may leave it out, and Chinese marks are then read by sound only.
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, _, name = line.rstrip("\n").partition("\t")
            key = "".join(c for c in strip_diacritics(name).lower() if c.isascii() and c.isalnum())
            if key:
                names.setdefault(word, {})[key] = None
    return {word: tuple(keys) for word, keys in names.items()}


def western_names(word: str) -> tuple[str, ...]:
    """The Latin keys of the Western names a Chinese word stands for, if any."""
    return _table().get(word, ())
