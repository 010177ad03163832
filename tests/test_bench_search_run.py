"""bench/search/run.py: the search bench end to end on a small register, and its recall@50."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search.peers import prepare_with_reading  # noqa: E402
from bench.search.run import main, peer_text, recall_at  # noqa: E402
from marksearch.text import mark_keys  # noqa: E402


def test_recall_counts_ties_at_the_cut_off() -> None:
    reference = [(1, 0.9), (2, 0.7), (3, 0.5), (4, 0.5)]
    scores = {1: 0.9, 2: 0.7, 3: 0.5, 4: 0.5, 5: 0.5, 6: 0.2}
    assert recall_at(reference, [1, 2, 4], scores.__getitem__, limit=3) == 1.0
    assert recall_at(reference, [1, 2, 5], scores.__getitem__, limit=3) == 1.0  # tied with the 3rd
    assert recall_at(reference, [1, 6, 6], scores.__getitem__, limit=3) == pytest.approx(1 / 3)
    assert recall_at(reference, [1, 2, 3], scores.__getitem__, lambda i: i != 3, limit=3) == pytest.approx(2 / 3)
    assert recall_at([], [1], scores.__getitem__) == 1.0


def test_peer_text_reads_the_reading_from_stored_keys() -> None:
    for text in ("コカ・コーラ", "可口可乐", "Coca-Cola", "СПРАЙТ", "삼성전자"):
        assert peer_text(text, mark_keys(text).to_dict(), "reading") == prepare_with_reading(text)


def test_small_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--n", "2000", "--per-kind", "2", "--peers", "rapidfuzz,fts5", "--brute", "2",
            "--cache-dir", str(tmp_path), "--no-write"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    rows = {}
    for line in first.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 10 and cells[0] != "system":
            rows[(cells[0].split(" (")[0].split(":")[0], cells[1])] = cells
    expected = {("keys", "-"), ("query keys", "-"), ("marksearch top_k", "none"), ("marksearch top_k", "one class"),
                ("rapidfuzz-ratio", "none"), ("fts5-trigram", "none"),
                ("exhaustive_search", "none"), ("exhaustive_search", "one class")}
    assert expected <= set(rows)
    for key in expected - {("keys", "-"), ("query keys", "-")}:
        timed = "2" if key[0] == "exhaustive_search" else "12"  # brute force: --brute queries only
        assert rows[key][9] == timed and rows[key][6] != "-"
    for key in [k for k in expected if k[0] in ("marksearch top_k", "exhaustive_search")]:
        assert (rows[key][6], rows[key][7]) == ("1.000", "1.00")  # exact: the reference's top 50
    assert len(list(tmp_path.glob("search_truth_*.jsonl"))) == 1
    # a rerun reads keys and references from the cache
    assert main(argv) == 0
    assert "(keys from cache)" in capsys.readouterr().err
