"""Bug hunt 1 and 6: a record's ``as_of`` and a deletion's on one clock, the office's production
date, with file order deciding within one file; office status words that negate or qualify."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from marksearch.formats import st66
from marksearch.formats.vocab import status_from_text
from marksearch.ingest import ingest
from marksearch.records import Deletion, Provenance, Record, Status, VerbalElement
from marksearch.store import Store
from tests.conftest import FORMATS, SHARED
from tests.test_store import store  # noqa: F401 - the fixture: memory, file and PostgreSQL

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"
SAMPLE = EUIPO / "018222197.xml"  # produced 2020-08-07T08:04:16, status date 2020-08-07
KEY = ("EM", "018222197")


def _file(folder: Path, name: str, ops: list[str], produced: str, *, text: str | None = None) -> Path:
    """Sample 018222197 as an office file produced on ``produced`` holding one TradeMark per op, in
    order; ``text`` renames the mark in its Inserts.  The status date stays 2020-08-07."""
    data = SAMPLE.read_text(encoding="utf-8").replace("2020-08-07T08:04:16", f"{produced}T06:00:00")
    start, end = data.index("<TradeMark "), data.index("</TradeMark>") + len("</TradeMark>")
    marks = []
    for op in ops:
        mark = data[start:end].replace('operationCode="Insert"', f'operationCode="{op}"')
        marks.append(mark.replace("TERRA S NOVA", text) if text and op != "Delete" else mark)
    path = folder / name
    path.write_text(data[:start] + "\n".join(marks) + data[end:], encoding="utf-8")
    return path


def _held(store: Store) -> dict[str, Any] | None:
    stored = store.get(*KEY)
    if stored is None:
        return None
    data = stored.record.to_dict()
    data.pop("provenance")
    return data


# -- bug 1: one clock for records and deletions -------------------------------------------------


def test_a_record_is_dated_by_its_files_production_date() -> None:
    # 018225676: status date 2020-04-16, file produced 2020-10-19; its Delete had the later date already.
    path = EUIPO / "018225676.xml"
    [record] = st66.READER.read(io.BytesIO(path.read_bytes()), path.name)
    assert isinstance(record, Record) and record.date("status") is not None
    assert record.as_of == "2020-10-19"
    deleted = path.read_bytes().replace(b'operationCode="Insert"', b'operationCode="Delete"', 1)
    [deletion] = st66.READER.read(io.BytesIO(deleted), path.name)
    assert isinstance(deletion, Deletion) and deletion.as_of == record.as_of


def test_an_insert_produced_after_a_delete_brings_the_mark_back(store: Store, tmp_path: Path) -> None:
    """The bug hunt's case (a): the Insert of 2020-09-02 keeps the status date of 2020-08-07."""
    files = [_file(tmp_path, "a_insert.xml", ["Insert"], "2020-08-07"),
             _file(tmp_path, "day1_delete.xml", ["Delete"], "2020-09-01"),
             _file(tmp_path, "day2_reinsert.xml", ["Insert"], "2020-09-02", text="TERRA S NOVA REINSERTED")]
    counts = [ingest(store, [f], workers=1).counts for f in files]
    assert [(c.inserted, c.deleted, c.older) for c in counts] == [(1, 0, 0), (0, 1, 0), (1, 0, 0)]
    held = _held(store)
    assert held is not None and held["as_of"] == "2020-09-02"
    assert held["verbal_elements"][0]["text"] == "TERRA S NOVA REINSERTED"
    # Read again, in any order, the files change nothing.
    for order in (files, files[::-1]):
        again = ingest(store, order, workers=1).counts
        assert (again.inserted, again.updated, again.deleted) == (0, 0, 0)
    assert _held(store) == held


def test_delete_then_insert_in_one_file_leaves_the_record(store: Store, tmp_path: Path) -> None:
    ingest(store, [_file(tmp_path, "a_insert.xml", ["Insert"], "2020-08-07")], workers=1)
    both = _file(tmp_path, "same_file.xml", ["Delete", "Insert"], "2020-09-01", text="TERRA S NOVA AGAIN")
    counts = ingest(store, [both], workers=1).counts
    assert (counts.deleted, counts.inserted, counts.older) == (1, 1, 0)
    held = _held(store)
    assert held is not None and held["as_of"] == "2020-09-01"
    assert held["verbal_elements"][0]["text"] == "TERRA S NOVA AGAIN"
    # Read again, the file leaves the same record (it deletes and inserts it again).
    ingest(store, [both], workers=1)
    assert _held(store) == held
    # Another file of the same day that deletes the mark: across files a tie goes to the deletion.
    ingest(store, [_file(tmp_path, "other_delete.xml", ["Delete"], "2020-09-01")], workers=1)
    late = ingest(store, [_file(tmp_path, "other_insert.xml", ["Insert"], "2020-09-01")], workers=1).counts
    assert (late.inserted, late.older) == (0, 1) and _held(store) is None


def test_insert_then_delete_in_one_file_leaves_it_deleted(store: Store, tmp_path: Path) -> None:
    both = _file(tmp_path, "same_file.xml", ["Insert", "Delete"], "2020-09-01")
    for _ in range(2):
        ingest(store, [both], workers=1)
        assert _held(store) is None


def test_a_tombstone_yields_to_a_record_of_the_same_day_only_later_in_its_own_file(store: Store) -> None:
    def mark(number: str, source: str) -> Record:
        return Record(office="EM", application_number=number, verbal_elements=(VerbalElement("KOKA"),),
                      as_of="2020-09-01", provenance=Provenance(source, "line 20"))

    def gone(number: str, source: str) -> Deletion:
        return Deletion("EM", number, Provenance(source, "line 10"), as_of="2020-09-01")

    # One batch, and the same in two batches (a file is written in several).
    assert store.write([gone("1", "f.xml"), mark("1", "f.xml")]).inserted == 1
    store.write([gone("2", "f.xml")])
    assert store.write([mark("2", "f.xml")]).inserted == 1
    store.write([gone("3", "f.xml")])
    assert store.write([mark("3", "g.xml")]).older == 1  # another file of the same day
    assert store.write([gone("4", "")]).unchanged == 1
    assert store.write([mark("4", "")]).older == 1  # no file named: the deletion wins the tie
    assert [store.get("EM", n) is not None for n in "1234"] == [True, True, False, False]


def test_the_same_record_in_a_later_file_is_updated_to_its_date(store: Store, tmp_path: Path) -> None:
    """The same mark in two daily files: its as_of moves to the later one, so that a Delete produced
    between them, read late, is older than what the office said last."""
    ingest(store, [_file(tmp_path, "day1.xml", ["Insert"], "2020-08-07")], workers=1)
    later = ingest(store, [_file(tmp_path, "day3.xml", ["Insert"], "2020-09-03")], workers=1).counts
    assert later.updated == 1
    held = _held(store)
    assert held is not None and held["as_of"] == "2020-09-03"
    stale = ingest(store, [_file(tmp_path, "day2_delete.xml", ["Delete"], "2020-09-02")], workers=1).counts
    assert (stale.deleted, stale.older) == (0, 1) and _held(store) == held


# -- bug 6: status words -------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "status"), [
    ("Cancellation pending", Status.REGISTERED),  # documented: in force while a cancellation is pending
    ("Registration renewal pending", Status.REGISTERED),
    ("Renewal pending", Status.REGISTERED),
    ("Registered - renewal pending", Status.REGISTERED),
    ("Invalidity pending", Status.REGISTERED),
    ("Revocation pending", Status.REGISTERED),
    ("Registration not renewed", Status.ENDED),
    ("Not renewed", Status.ENDED),
    ("Non-renewed", Status.ENDED),
    ("Non renewed", Status.ENDED),
    ("Not registered", Status.ENDED),
    ("Unregistered", Status.ENDED),
    ("Not in force", Status.ENDED),
    ("No longer in force", Status.ENDED),
    ("Not protected", Status.ENDED),
    ("Not yet registered", Status.PENDING),
    ("Registration partially cancelled", Status.REGISTERED),  # the rest of its goods stay registered
    ("Registration partially surrendered", Status.REGISTERED),
    ("Application partially refused", Status.PENDING),  # the application goes on for the rest
])
def test_status_words_that_negate_or_qualify(words: str, status: Status) -> None:
    assert status_from_text(words) is status


def test_status_words_reach_the_record() -> None:
    """The bug hunt's files status/s1..s4: sample 018222197 with its status text changed."""
    got = {}
    for words in ("Cancellation pending", "Registration renewal pending", "Registration not renewed",
                  "Registration partially cancelled"):
        data = SAMPLE.read_bytes().replace(b">Registered</MarkCurrentStatusCode>",
                                           f">{words}</MarkCurrentStatusCode>".encode())
        [record] = st66.READER.read(io.BytesIO(data), "s.xml")
        assert isinstance(record, Record) and record.status_text == words
        got[words] = record.status.value
    assert got == {"Cancellation pending": "registered", "Registration renewal pending": "registered",
                   "Registration not renewed": "ended", "Registration partially cancelled": "registered"}


# Every status text of the office samples, the test fixtures and FORMATS.md, mapped as before the
# negation rules: none of them changed (the real EUIPO and TMview texts are in the exact table).
BEFORE = {
    "Application filed": "pending",
    "Application under examination": "pending",
    "Application published": "pending",
    "Application opposed": "pending",
    "Application withdrawn": "ended",
    "Application refused": "ended",
    "Appeal pending": "pending",
    "Registered": "registered",
    "Registration cancellation pending": "registered",
    "Expired": "ended",
    "The registration has been renewed.": "registered",
    "A Sections 8 and 15 combined declaration has been accepted and acknowledged.": "unknown",
}
_STATUS_TEXT = re.compile(r"<(?:\w+:)?MarkCurrentStatus(?:Code|ExternalDescriptionText)\b[^>]*>([^<]+)<")
_FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _sample_status_texts() -> set[str]:
    found = set()
    for path in [*FORMATS.rglob("*.xml"), *_FIXTURES.rglob("*.xml")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        found |= {m.strip() for m in _STATUS_TEXT.findall(text) if not m.strip().isdigit()}
    # FORMATS.md 2.3: "Registered, Application filed / under examination / ... , Appeal pending, ..."
    line = next(s for s in (SHARED / "FORMATS.md").read_text(encoding="utf-8").splitlines()
                if "`TM/MarkCurrentStatusCode`" in s)
    words = line.split("| text: ")[1].rstrip(" |")
    for part in words.split(", "):
        first, *more = part.split(" / ")
        found.add(first)
        found |= {f"Application {m}" for m in more}
    return found


def test_every_status_text_of_the_samples_maps_as_before() -> None:
    texts = _sample_status_texts()
    assert texts == set(BEFORE), "a new status text in the samples: look at its mapping, then add it"
    assert {t: status_from_text(t).value for t in texts} == BEFORE
