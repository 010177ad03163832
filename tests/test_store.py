"""The store contract, run over every back-end (the in-memory twin, a file, a PostgreSQL database)."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from marksearch.errors import StoreError
from marksearch.records import ClassGoods, Deletion, Party, Provenance, Record, Rejection, Status, VerbalElement
from marksearch.store import SQLiteStore, Store, open_store
from marksearch.store.pgcluster import PgServer
from marksearch.store.sqlite import SCHEMA_VERSION
from marksearch.versions import KEYS_VERSION


@pytest.fixture(params=["memory", "file", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgres":
        target = request.getfixturevalue("pg_server").create_database()
    else:
        target = ":memory:" if request.param == "memory" else str(tmp_path / "reg.sqlite")
    with open_store(target) as s:
        yield s


def mark(number: str, text: str, *, as_of: str | None = "2020-01-01", classes: tuple[int, ...] = (9,),
         status: Status = Status.REGISTERED) -> Record:
    return Record(
        office="EM",
        application_number=number,
        verbal_elements=(VerbalElement(text),),
        nice_classes=classes,
        status=status,
        as_of=as_of,
        provenance=Provenance("test.jsonl", f"line {number}"),
    )


def write(store: Store, *entries: Record | Deletion | Rejection) -> dict[str, int]:
    return store.write(list(entries), [None] * len(entries)).to_dict()


def test_insert_then_same_again_changes_nothing(store: Store) -> None:
    first = write(store, mark("1", "KOKA"), mark("2", "COCA"))
    again = write(store, mark("1", "KOKA"), mark("2", "COCA"))
    assert (first["inserted"], again["unchanged"], again["inserted"]) == (2, 2, 0)
    assert store.stats().total == 2
    assert store.last_seq() == 2  # unchanged records log no change


def test_newer_version_replaces_and_older_is_skipped(store: Store) -> None:
    write(store, mark("1", "KOKA", as_of="2020-01-01"))
    newer = write(store, mark("1", "KOKA COLA", as_of="2021-01-01", classes=(32,)))
    older = write(store, mark("1", "KOKA", as_of="2019-01-01"))
    assert newer["updated"] == 1
    assert (older["unchanged"], older["older"]) == (1, 1)
    stored = store.get("EM", "1")
    assert stored is not None
    assert stored.record.mark_text == "KOKA COLA"
    assert store.stats().by_class == {32: 1}


def test_numbers_like_forgive_leading_zeros_and_separators(store: Store) -> None:
    write(store, mark("009635525", "COCA-COLA"), mark("9635525", "KOKA"), mark("0096355250", "COCA"))
    assert store.get("EM", "96355") is None
    assert store.numbers_like("EM", "9635525") == ["009635525", "9635525"]
    assert store.numbers_like("EM", "009-635 525") == ["009635525", "9635525"]
    assert store.numbers_like("EM", "9635525", limit=1) == ["009635525"]
    assert store.numbers_like("US", "9635525") == [] and store.numbers_like("EM", "96355") == []
    write(store, mark("W01149733", "LEITNER"))
    assert store.numbers_like("EM", "w01149733") == ["W01149733"]  # a letter typed in the other case


def test_delete_removes_and_is_idempotent(store: Store) -> None:
    write(store, mark("1", "KOKA"))
    assert write(store, Deletion("EM", "1"))["deleted"] == 1
    assert write(store, Deletion("EM", "1"))["unchanged"] == 1
    assert store.get("EM", "1") is None
    assert [c.op for c in store.changes()] == ["insert", "delete"]


def test_counts_add_up(store: Store) -> None:
    counts = write(
        store,
        mark("1", "A"),
        mark("1", "A"),
        Rejection("f.xml", "line 3", "no application number"),
        Deletion("EM", "404"),
    )
    assert counts["read"] == 4
    assert counts == {"read": 4, "inserted": 1, "updated": 0, "unchanged": 2, "deleted": 0,
                      "quarantined": 1, "older": 0}


def test_quarantine_is_deduplicated_by_source_position_reason(store: Store) -> None:
    bad = Rejection("f.xml", "line 3", "no application number", "<TradeMark>")
    write(store, bad)
    write(store, bad)
    (row,) = store.quarantined()
    assert (row.rejection, row.times_seen) == (bad, 2)


def test_round_trip_keeps_record_and_provenance(store: Store) -> None:
    record = mark("018222202", "IRIS VIVALDI")
    store.write([record], [{"compact": "irisvivaldi"}])
    stored = store.get("EM", "018222202")
    assert stored is not None
    assert stored.record == record
    assert stored.keys == {"compact": "irisvivaldi"}
    assert stored.record.provenance is not None
    assert stored.record.provenance.position == "line 018222202"
    assert stored.record.provenance.ingested_at


def test_failed_batch_leaves_store_as_it_was(store: Store) -> None:
    write(store, mark("1", "KOKA"))
    with pytest.raises(ValueError):
        store.write([mark("2", "COCA"), mark("3", "X")], [None])  # keys do not match entries
    assert store.stats().total == 1


def test_iter_records_and_changes_follow_order(store: Store) -> None:
    write(store, *(mark(str(i), f"M{i}") for i in range(2500)))
    assert sum(1 for _ in store.iter_records()) == 2500
    assert len(store.changes(after_seq=2000)) == 500


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the marks you are looking for\n" * 100)
    with pytest.raises(StoreError, match="cannot open the register"):
        SQLiteStore(path)
    assert path.read_text().startswith("these are not")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "nope" / "reg.sqlite"))


def test_index_rows_and_owner_filter(store: Store) -> None:
    from marksearch.records import Party

    owned = Record(
        office="US", application_number="76044902", verbal_elements=(VerbalElement("PYTHON"),),
        nice_classes=(9, 42), parties=(Party("applicant", name="Python Software Foundation"),
                                       Party("representative", name="Some_Attorney 100%")),
    )
    store.write([owned, mark("2", "COCA")], [{"plain": "python"}, None])
    rows = list(store.iter_index_rows())
    assert [(r.office, r.nice_classes, r.keys) for r in rows] == [("US", (9, 42), {"plain": "python"}),
                                                                  ("EM", (9,), None)]
    assert [r.application_number for r in store.iter_index_rows(ids=[rows[1].id])] == ["2"]
    assert store.owner_ids("software found") == [rows[0].id]
    assert store.owner_ids("attorney") == []  # representatives are not owners
    assert store.owner_ids("100%") == [] and store.owner_ids("_") == []  # LIKE wildcards are literal
    # an owner name holding a NUL (only JSON Lines or CSV can carry one): SQLite's LIKE stopped at it,
    # where PostgreSQL, which keeps U+FFFD for it, found the name
    nul = Record(office="FR", application_number="1", parties=(Party("owner", name="Own\x00er GmbH"),))
    store.write([nul])
    assert store.owner_ids("gmbh") == [store.get("FR", "1").id]  # type: ignore[union-attr]
    got = store.get_by_ids([rows[0].id, 999])
    assert list(got) == [rows[0].id] and got[rows[0].id].record == owned


@pytest.mark.parametrize(("query", "expected"), [
    ("MÜLLER", "1"), ("müller", "1"), ("Muller", "1"), ("ÉCOLE", "2"), ("ecole", "2"), ("СТРЕЛА", "3"),
    ("strasse", "4"), ("ЙОГУРТ", "5"), ("йогурт", "5"), ("ЕЛКА", "6"), ("한국제과", "7"), ("محمد", "8"),
    ("שלום", "9"), ("\u0301", None),
])
def test_the_owner_filter_ignores_case_and_diacritics_in_any_script(store: Store, query: str,
                                                                     expected: str | None) -> None:
    names = {"1": "Müller GmbH", "2": "École SARL", "3": "ООО Стрела", "4": "Straße AG",
             "5": unicodedata.normalize("NFD", "Йогурт Завод"),  # exported decomposed
             "6": "Ёлка ООО", "7": unicodedata.normalize("NFD", "한국제과"), "8": "مُحَمَّد للتجارة",
             "9": 'שָׁלוֹם בע"מ'}
    store.write([Record(office="DE", application_number=n, parties=(Party("owner", name=name),))
                 for n, name in names.items()])
    found = {store.get_by_ids([i])[i].record.application_number for i in store.owner_ids(query)}
    assert found == ({expected} if expected else set())


def _owned(number: str, name: str) -> Record:
    return Record(office="DE", application_number=number, parties=(Party("owner", name=name),))


def test_an_sqlite_register_of_schema_3_has_its_owner_names_folded(tmp_path: Path) -> None:
    path = tmp_path / "reg.sqlite"
    with open_store(str(path)) as s:
        s.write([_owned("1", "MÜLLER GmbH")])
    with sqlite3.connect(path) as db:  # as schema 3 kept the names
        db.execute("UPDATE records SET owners = 'MÜLLER GmbH'")
        db.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    with open_store(str(path)) as s:
        assert len(s.owner_ids("müller")) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT owners FROM records").fetchone()[0] == "muller gmbh"


def test_a_postgres_register_of_schema_2_has_its_owner_names_folded(pg_server: PgServer) -> None:
    import psycopg

    url = pg_server.create_database()
    with open_store(url) as s:
        s.write([_owned("1", "MÜLLER GmbH"), _owned("2", "Acme")])
    with psycopg.connect(url, autocommit=True) as conn:  # as schema 2 kept the names
        conn.execute("UPDATE records SET owners = 'MÜLLER GmbH' WHERE application_number = '1'")
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with open_store(url) as s:
        assert len(s.owner_ids("müller")) == 1 and len(s.owner_ids("ACME")) == 1
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT owners FROM records ORDER BY application_number").fetchall()
        assert [r[0] for r in rows] == ["muller gmbh", "acme"]


def test_records_are_stored_compressed_and_schema_1_rows_still_read(tmp_path: Path) -> None:
    """Schema 2 packs each record's JSON; a register written with schema 1 (JSON as text) still reads."""
    path = tmp_path / "reg.sqlite"
    goods = tuple(ClassGoods(9, "Computer software; downloadable mobile applications", lang)
                  for lang in ("en", "de", "fr", "es", "it"))
    record = replace(mark("1", "KOKA"), goods=goods)
    with open_store(str(path)) as s:
        write(s, record)
    db = sqlite3.connect(path)
    stored, version = db.execute("SELECT data FROM records").fetchone()[0], db.execute(
        "SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    json_bytes = record.to_json_bytes()
    assert isinstance(stored, bytes) and len(stored) < len(json_bytes) / 2
    assert version == str(SCHEMA_VERSION) == "4"
    # Turn it into a schema 1 register: the JSON as text.
    db.execute("UPDATE records SET data=?", (json_bytes.decode(),))
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with open_store(str(path)) as s:
        again = s.get("EM", "1")
        assert again is not None and again.record == record
        write(s, mark("2", "COCA"))
        assert [r.record.mark_text for r in s.iter_records()] == ["KOKA", "COCA"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "4"


def test_record_json_leaves_provenance_out_exactly() -> None:
    record = mark("7", 'He said "KOKA", "provenance":null}')
    plain = replace(record, provenance=None)
    assert record.to_json_bytes() == plain.to_json_bytes() == orjson.dumps(plain)
    assert b'"provenance":{' in record.to_json_bytes(provenance=True)


def test_rekey_gives_stale_records_the_keys_of_this_version(store: Store) -> None:
    """A register keyed by an earlier marksearch: rekey replaces what differs, logs
    it as updates (the index follows), and a second run changes nothing."""
    from marksearch.ingest import record_keys, rekey

    current, stale, textless = mark("1", "必胜客"), mark("2", "宝马"), replace(mark("3", ""), verbal_elements=())
    old = record_keys(stale)
    assert old is not None and "bmw" in old["latin"]
    old = {**old, "latin": [k for k in old["latin"] if k != "bmw"]}  # as keyed before the CC-CEDICT names
    store.write([current, stale, textless], [record_keys(current), old, None])
    assert store.keys_version() == KEYS_VERSION  # a new register is keyed by this version ...
    store.set_keys_version(1)  # ... and this one by an earlier one
    assert store.keys_version() == 1
    before = store.last_seq()
    stored = store.get("EM", "2")
    assert stored is not None

    counts = rekey(store)
    assert counts.to_dict() == {"records": 3, "rekeyed": 1}
    assert store.keys_version() == KEYS_VERSION
    rows = {row.application_number: row for row in store.iter_index_rows()}
    assert rows["2"].keys == record_keys(stale) and rows["3"].keys is None
    assert [(c.op, c.application_number) for c in store.changes(after_seq=before)] == [("rekey", "2")]  # logged apart from an ingest's updates
    after = store.get("EM", "2")
    assert after is not None and after.record == stored.record  # the record itself is untouched
    assert rekey(store).rekeyed == 0 and store.last_seq() == before + 1


def test_rekey_skips_a_record_deleted_since_it_was_read(store: Store) -> None:
    from marksearch.ingest import record_keys

    write(store, mark("1", "KOKA"))
    row = next(store.iter_index_rows())
    write(store, Deletion("EM", "1", Provenance("d.xml", "line 1")))
    assert store.update_keys([(row, orjson.dumps(record_keys(mark("1", "KOKA"))))]) == 0


def test_rekey_leaves_a_record_written_since_it_was_read(store: Store) -> None:
    """rekey reads a row, an ingest writes the record anew with its keys, rekey writes: the keys
    it computed from the old text would stand for the new text for good."""
    from marksearch.ingest import record_keys

    old = mark("1", "カテミンス")
    store.write([old], [record_keys(old)])
    row = next(store.iter_index_rows())
    new = mark("1", "QUUXWIDGET", as_of="2022-01-01")
    assert store.write([new], [record_keys(new)]).updated == 1
    assert store.update_keys([(row, orjson.dumps(record_keys(mark("1", "カテミンス")) | {"stale": True}))]) == 0
    held = next(store.iter_index_rows()).keys
    assert held is not None and held["text"] == "QUUXWIDGET"


def test_rekey_skips_an_id_that_now_holds_another_record(store: Store) -> None:
    from marksearch.ingest import record_keys

    write(store, mark("1", "KOKA"))
    row = next(store.iter_index_rows())
    write(store, Deletion("EM", "1", Provenance("d.xml", "line 1")), mark("2", "COCA"))
    other = next(store.iter_index_rows())
    assert other.id == row.id and other.application_number == "2"  # the id was handed out again
    assert store.update_keys([(row, orjson.dumps(record_keys(mark("1", "KOKA"))))]) == 0
    assert next(store.iter_index_rows()).keys is None  # COCA's row (written without keys) is untouched
