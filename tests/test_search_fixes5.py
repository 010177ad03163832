"""Search: an index (and a goods term base) saved for a register is not taken for the same register
restored from a backup and written to again; a filing dated before 1800 is dated in the index as in
the delta; the owner filter matches within one name, never across two."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from marksearch.ingest import ingest
from marksearch.scoring import Candidate, exhaustive_search
from marksearch.search import Query, Searcher
from marksearch.store import open_store


def cli(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "marksearch", *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def marks(path: Path, start: int, texts: Sequence[str], **fields: object) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"office": "EM", "application_number": f"{start + i:09d}",
                                "verbal_elements": [{"text": text}], "status": "registered",
                                "nice_classes": [9], **fields}) + "\n")
    return path


def test_an_index_is_not_taken_for_a_register_restored_from_a_backup(tmp_path: Path) -> None:
    db, backup = tmp_path / "r.sqlite", tmp_path / "backup.sqlite"
    cli("ingest", str(marks(tmp_path / "a.jsonl", 0, [f"ALPHA{i}" for i in range(20)])), "--db", str(db), "--quiet")
    shutil.copy(db, backup)
    cli("ingest", str(marks(tmp_path / "b.jsonl", 100, ["BANANA", "BANANAS", "BANANO", "BANANA SPLIT"])),
        "--db", str(db), "--quiet")
    cli("search", "BANANA", "--db", str(db))  # saves the index beside the register, at its change 24
    shutil.copy(backup, db)  # the restore: change 20, and ids 21 on free again
    zebras = ["ZEBRA", "ZEBRAS", "ZEBRO", "ZEBRA CROSSING", "ZEBRANO", "ZEBRAZ", "ZEBRINA", "ZEBRULE"]
    cli("ingest", str(marks(tmp_path / "c.jsonl", 200, zebras)), "--db", str(db), "--quiet")  # change 28
    found = json.loads(cli("search", "BANANA", "--db", str(db), "--json"))
    assert "BANANA" not in [h["mark_text"] for h in found["hits"]]
    with open_store(str(db)) as store:
        rows = list(store.iter_index_rows())
        reference = exhaustive_search("ZEBRA", [Candidate.from_keys(r.id, r.keys, r.nice_classes, status=r.status)
                                                for r in rows], limit=8)
        hits = Searcher(store).search(Query("ZEBRA", limit=8)).hits
        assert [(h.record_id, round(h.score, 6)) for h in hits] == \
            [(h.record_id, round(h.score, 6)) for h in reference]
        assert hits[0].record.mark_text == "ZEBRA"


def test_the_history_mark_tells_a_restored_history_from_the_one_it_left(tmp_path: Path) -> None:
    first, second = open_store(str(tmp_path / "a.sqlite")), open_store(str(tmp_path / "b.sqlite"))
    for store in (first, second):
        ingest(store, [marks(tmp_path / "a.jsonl", 0, ["ALPHA", "BETA", "GAMMA"])])
    ingest(first, [marks(tmp_path / "b.jsonl", 10, ["DELTA", "EPSILON"])])
    ingest(second, [marks(tmp_path / "c.jsonl", 20, ["ZETA", "ETA"])])
    assert first.last_seq() == second.last_seq() == 5
    assert first.history_mark(3) == second.history_mark(3)  # the shared past
    assert first.history_mark(5) != second.history_mark(5)
    assert first.history_mark(0) == ""


def test_a_filing_before_1800_is_dated_once_indexed(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.sqlite"))
    ingest(store, [marks(tmp_path / "a.jsonl", 0, ["FILLER1", "FILLER2"])])
    old = {"dates": [{"role": "filing", "raw": "1799-12-31", "value": "1799-12-31"}]}
    ingest(store, [marks(tmp_path / "b.jsonl", 90, ["ZQXWVK"], **old)])
    query = Query("ZQXWVK", filed_to=dt.date(1800, 6, 30))
    searcher = Searcher(store, persist=False)
    assert [h.record.mark_text for h in searcher.search(query).hits] == ["ZQXWVK"]
    searcher.rebuild()  # now in the index, not the delta
    assert [h.record.mark_text for h in searcher.search(query).hits] == ["ZQXWVK"]


def test_the_owner_filter_matches_within_one_name(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.sqlite"))
    parties = {"parties": [{"role": "applicant", "name": "Acme Widgets GmbH"},
                           {"role": "owner", "name": "Beta Holdings Ltd"}]}
    ingest(store, [marks(tmp_path / "a.jsonl", 0, ["KOKA"], **parties),
                   marks(tmp_path / "b.jsonl", 10, ["KOKO"], parties=[{"role": "applicant",
                                                                       "name": "Gamma|Delta Co"}])])
    searcher = Searcher(store, persist=False)

    def owners(owner: str) -> list[str]:
        return [h.record.mark_text for h in searcher.search(Query("KOKA", owner=owner, statuses=("registered",))).hits]

    assert owners("gmbh | beta") == []  # across the two names of KOKA's record
    assert owners("|") == ["KOKO"]  # only a name that holds the character
    assert owners("gamma|delta") == ["KOKO"]
    assert owners("beta holdings") == ["KOKA"]
