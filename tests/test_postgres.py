"""The PostgreSQL store against the embedded one: the same input gives the same register.

``tests/test_store.py`` runs the store contract over both back-ends; here the
two are compared record by record on real office files and on random batches,
searched side by side, and the server-only parts are tested: migrations under
a race, concurrent writers and readers, reconnecting, URLs and their errors.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from marksearch.demo import demo_files
from marksearch.errors import StoreError, UsageError
from marksearch.ingest import ingest, record_keys
from marksearch.records import (
    ClassGoods,
    Deletion,
    Entry,
    GoodsAddition,
    Provenance,
    Record,
    Rejection,
    Status,
    VerbalElement,
)
from marksearch.search import Query, Searcher
from marksearch.store import SQLiteStore, Store, open_store
from marksearch.store.pgcluster import PgServer
from marksearch.store.postgres import SCHEMA_VERSION, PostgresStore, redact
from marksearch.versions import KEYS_VERSION
from tests.conftest import FORMATS

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"
REAL = [EUIPO, FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml", FORMATS / "st96", FORMATS / "kipris",
        FORMATS / "uspto_daily_xml"]


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    return pg_server.create_database()


@pytest.fixture
def pair(pg_url: str, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """An SQLite file and a PostgreSQL database, both empty."""
    with open_store(str(tmp_path / "reg.sqlite")) as lite, open_store(pg_url) as pg:
        yield lite, pg


def dump(store: Store) -> dict[str, Any]:
    """Everything a store holds but ingest times: records with ids and sequence numbers, the change
    log, index rows, the quarantine and the statistics."""
    records = []
    for s in store.iter_records():
        record = s.record.to_dict()
        record["provenance"].pop("ingested_at")
        records.append((s.id, s.seq, record, s.keys))
    return {
        "records": records,
        "changes": store.changes(limit=10**9),
        "index": list(store.iter_index_rows()),
        "quarantine": [(q.rejection, q.times_seen) for q in store.quarantined()],
        "stats": store.stats().to_dict(),
        "last_seq": store.last_seq(),
    }


def delta(tmp_path: Path, op: str, number: str = "018222197") -> Path:
    """A real EUIPO record turned into an Update (later status date) or a Delete delta (later still:
    a deletion older than the record held is skipped)."""
    text = (EUIPO / f"{number}.xml").read_text(encoding="utf-8").replace(
        'operationCode="Insert"', f'operationCode="{op}"')
    if op in ("Update", "Delete"):
        date = "2099-01-01" if op == "Update" else "2099-02-01"
        text = re.sub(r"<MarkCurrentStatusDate>[^<]*</MarkCurrentStatusDate>",
                      f"<MarkCurrentStatusDate>{date}</MarkCurrentStatusDate>", text)
    path = tmp_path / f"{op}-{number}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_real_files_give_the_same_register(pair: tuple[Store, Store], tmp_path: Path) -> None:
    """Real files of every format, the demo's office samples, an Update and a Delete delta, in
    batches of 7: the same counts file by file, then the same records, ids, change log, quarantine."""
    lite, pg = pair
    office_samples = next(p for p in demo_files() if "office-samples" in p.name)
    runs = [REAL, [office_samples], [delta(tmp_path, "Update")], [delta(tmp_path, "Delete")], REAL, REAL]
    for paths in runs:
        got = [ingest(s, paths, batch_size=7, workers=1).to_dict() for s in (lite, pg)]
        for summary in got:
            summary.pop("seconds")
        assert got[0] == got[1]
    # The same files again change nothing (the USPTO mark given as ST.96 1.0.1 and 2.1 is one record;
    # the deleted EUIPO mark stays deleted: its Insert is older than its Delete), in both stores.
    assert (got[0]["updated"], got[0]["inserted"]) == (0, 0)
    assert got[0]["unchanged"] == got[0]["read"] - got[0]["quarantined"]
    want, have = dump(lite), dump(pg)
    assert have["stats"]["total"] > 700 and have["quarantine"]
    for part in want:
        assert have[part] == want[part], part


def _random_entry(rng: random.Random, texts: list[str]) -> Entry:
    number = str(rng.randrange(12))
    roll = rng.random()
    if roll < 0.15:
        return Deletion(rng.choice(["EM", "KR"]), number)
    if roll < 0.22:
        return Rejection("random.jsonl", f"line {rng.randrange(4)}", rng.choice(["bad date", "no number"]), "{")
    classes = tuple(rng.sample(range(1, 6), rng.randrange(4)))  # few classes: goods kept or added meet
    goods = tuple(ClassGoods(c, f"goods {c} {rng.randrange(3)}", "en") for c in classes) if rng.random() < 0.5 else ()
    if roll < 0.32:  # goods for a record that may be held, in this batch or before, or not at all
        return GoodsAddition(Record(office="KR", application_number=number, nice_classes=classes, goods=goods,
                                    provenance=Provenance(f"{number}.xml", "line 8")))
    return Record(
        office=rng.choice(["EM", "KR"]),
        application_number=number,
        verbal_elements=(VerbalElement(rng.choice(texts)),),
        nice_classes=classes,
        goods=goods,
        status=rng.choice(list(Status)),
        as_of=rng.choice([None, "", "2019-05-01", "2020-01-01", "2021-07-15"]),
        provenance=Provenance("random.jsonl", f"line {rng.randrange(1000)}"),
    )


def test_random_batches_give_the_same_register(pair: tuple[Store, Store]) -> None:
    """Random batches over a dozen keys: the same key several times in a batch, deletions and
    re-insertions, older versions, repeated rejections, goods additions (to records held, in the
    batch or not at all) and records without goods texts.  Both stores agree after every batch."""
    lite, pg = pair
    rng = random.Random(8)
    texts = ["KOKA", "COCA COLA", "코카콜라", "可口可乐", "Кока-Кола", "PYTHON", "IRIS VIVALDI"]
    for _ in range(40):
        batch = [_random_entry(rng, texts) for _ in range(rng.randrange(1, 25))]
        keys = [record_keys(e) if isinstance(e, Record) else None for e in batch]
        counts = [s.write(batch, keys).to_dict() for s in (lite, pg)]
        assert counts[0] == counts[1], batch
        assert dump(pg) == dump(lite), batch


def test_ids_are_handed_out_as_sqlite_does(pair: tuple[Store, Store]) -> None:
    """A new record's id is one more than the largest id left, even when the batch deleted the largest."""
    def rec(number: str) -> Record:
        return Record(office="EM", application_number=number, verbal_elements=(VerbalElement(f"M{number}"),))

    batches: list[list[Record | Deletion]] = [
        [rec("1"), rec("2"), rec("3")],
        [Deletion("EM", "3"), Deletion("EM", "2"), rec("4")],  # 4 takes id 2
        [Deletion("EM", "1"), rec("5"), Deletion("EM", "5"), rec("6"), rec("1")],  # 6 takes 3, then 1 takes 4
    ]
    for batch in batches:
        assert pair[0].write(batch).to_dict() == pair[1].write(batch).to_dict()
    assert dump(pair[1]) == dump(pair[0])
    assert [(r.application_number, r.id) for r in pair[1].iter_index_rows()] == [("4", 2), ("6", 3), ("1", 4)]


def test_search_gives_the_same_hits(pair: tuple[Store, Store]) -> None:
    lite, pg = pair
    for store in pair:
        ingest(store, REAL, workers=1)
    searchers = [Searcher(lite, persist=False), Searcher(pg)]
    assert searchers[1].folder is None  # a server register's index lives in the worker's memory
    queries = [Query("KOKA"), Query("PYTHON", statuses=("all",)), Query("IRIS", classes=(9,)),
               Query("골프", statuses=("all",)), Query("SOFTWARE", owner="python", statuses=("all",))]
    for query in queries:
        got = [[(round(h.score, 9), h.record.key) for h in s.search(query).hits] for s in searchers]
        assert got[0] == got[1], query


def test_a_searcher_follows_writes_made_elsewhere(pg_url: str) -> None:
    """A worker's in-memory index finds a mark another process wrote, and loses one it deleted."""
    with open_store(pg_url) as reader, open_store(pg_url) as writer:
        ingest(writer, [EUIPO], workers=1)
        searcher = Searcher(reader)
        fresh = Record(office="EM", application_number="999", verbal_elements=(VerbalElement("ZORBLAXIA"),))
        writer.write([fresh], [record_keys(fresh)])
        assert searcher.search(Query("ZORBLAXIA", statuses=("all",))).hits[0].record.key == ("EM", "999")
        writer.write([Deletion("EM", "999")])
        assert all(h.record.key != ("EM", "999") for h in searcher.search(Query("ZORBLAXIA")).hits)


def test_workers_starting_together_migrate_once(pg_url: str) -> None:
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            open_store(pg_url).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with psycopg.connect(pg_url) as conn:
        rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert rows.keys() == {"schema_version", "register_id", "keys_version"}
    assert rows["schema_version"] == str(SCHEMA_VERSION) and rows["keys_version"] == str(KEYS_VERSION)
    with open_store(pg_url) as a, open_store(pg_url) as b:
        assert isinstance(a, PostgresStore) and isinstance(b, PostgresStore)
        assert a.register_id == b.register_id == rows["register_id"]


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '99'")
    with pytest.raises(StoreError, match="newer marksearch"):
        open_store(pg_url)


def test_concurrent_writers_keep_the_change_log_in_order(pg_url: str) -> None:
    """Two writers and a follower: the follower sees every batch whole and the change sequence
    without gaps or reordering, so a worker following it misses nothing."""
    batches, size = 30, 20
    stop = threading.Event()
    seen: list[int] = []
    totals: list[int] = []
    open_store(pg_url).close()

    def write(office: str) -> None:
        with open_store(pg_url) as store:
            for b in range(batches):
                store.write([Record(office=office, application_number=f"{b}-{i}",
                                    verbal_elements=(VerbalElement(f"M{i}"),)) for i in range(size)])

    def follow() -> None:
        with open_store(pg_url) as store:
            while not stop.is_set():
                seen.extend(c.seq for c in store.changes(after_seq=seen[-1] if seen else 0))
                totals.append(store.stats().total)

    writers = [threading.Thread(target=write, args=(o,)) for o in ("EM", "KR")]
    follower = threading.Thread(target=follow)
    follower.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    follower.join()
    with open_store(pg_url) as store:
        seen.extend(c.seq for c in store.changes(after_seq=seen[-1] if seen else 0))
        assert store.stats().total == 2 * batches * size
        ids = [r.id for r in store.iter_index_rows()]
    assert seen == list(range(1, 2 * batches * size + 1))
    assert all(t % size == 0 for t in totals)  # never half a batch
    assert ids == list(range(1, 2 * batches * size + 1))


def test_reads_reconnect_after_the_server_dropped_the_connection(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        store.write([Record(office="EM", application_number="1", verbal_elements=(VerbalElement("KOKA"),))])
        pid = store.db.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert store.last_seq() == 1
        assert store.db.info.backend_pid != pid
        assert store.write([Deletion("EM", "1")]).deleted == 1


def test_text_with_nul_round_trips(pg_url: str) -> None:
    """PostgreSQL text holds no NUL; the record itself is stored whole."""
    record = Record(office="EM", application_number="1", verbal_elements=(VerbalElement("KO\x00KA"),),
                    provenance=Provenance("a.jsonl", "line 1"))
    with open_store(pg_url) as store:
        store.write([record, Rejection("a.jsonl", "line 2", "bad", "\x00")])
        stored = store.get("EM", "1")
        assert stored is not None and replace(stored.record, provenance=record.provenance) == record
        assert store.quarantined()[0].rejection.excerpt == "\ufffd"


def test_url_dispatch_and_errors(pg_server: PgServer) -> None:
    with open_store(pg_server.url("postgres")) as store:
        assert isinstance(store, PostgresStore)
    dead = f"postgresql://marksearch:s3cret@127.0.0.1:{pg_server.port + 1 if pg_server.port < 65535 else 1}/x"
    with pytest.raises(StoreError, match="cannot open the register") as info:
        open_store(dead)
    assert "s3cret" not in str(info.value) and "***" in str(info.value)
    with pytest.raises(StoreError, match="does not exist"):
        open_store(pg_server.url("no_such_database"))
    with pytest.raises(UsageError, match="postgresql://"):
        open_store("mysql://root:pw@localhost/x")
    assert redact("postgres://u@h/d") == "postgres://u@h/d"


def test_a_password_is_hidden_however_it_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a password with ?, # or / in it, written as it is, and a scheme in capitals: both were printed
    assert redact("postgresql://u2:pa?ss#1@127.0.0.1:5432/e") == "postgresql://u2:***@127.0.0.1:5432/e"
    assert redact("POSTGRESQL://u2:a/b@h/e") == "POSTGRESQL://u2:***@h/e"
    assert redact("postgresql://h/e?PASSWORD = x&sslmode=require") == "postgresql://h/e?PASSWORD = ***&sslmode=require"
    # a libpq keyword string named a SQLite file, password and all, and printed it
    monkeypatch.chdir(tmp_path)
    conninfo = "host=127.0.0.1 port=5432 user=ms password=s3cret dbname=a"
    for command in (["stats"], ["ingest", str(EUIPO)]):
        done = subprocess.run([sys.executable, "-m", "marksearch", *command, "--db", conninfo],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2 and "give the PostgreSQL register as a URL" in done.stderr
        assert "s3cret" not in done.stdout + done.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("url", "hidden"), [
    ("postgresql://pw:TOP%ZZSECRET@127.0.0.1:1/x", "ZZSECRET"),  # libpq: "invalid percent-encoded token"
    ("postgresql://pw:ab/cd?TOPSECRET@127.0.0.1:1/x", "TOPSECRET"),  # libpq quotes what follows the ?
    ("postgresql://pw:TOPSECRET@[::1:1/x", "TOPSECRET"),  # libpq quotes the whole URL
])
def test_libpqs_own_words_do_not_show_the_password(url: str, hidden: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    assert hidden not in str(info.value) and "***" in str(info.value)


def test_a_scheme_in_capitals_reaches_the_server(pg_server: PgServer) -> None:
    url = pg_server.create_database()
    scheme, rest = url.split("://", 1)
    with open_store(scheme.upper() + "://" + rest) as store:  # libpq read it as a keyword string
        assert store.last_seq() == 0


def test_a_database_that_is_no_register_is_not_an_empty_one(pg_server: PgServer) -> None:
    """As a mistyped SQLite path: a command that only reads refuses it, and creates no table in it."""
    import psycopg

    url = pg_server.create_database()
    done = subprocess.run([sys.executable, "-m", "marksearch", "search", "ACME", "--db", url],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "no marksearch register in" in done.stderr
    with psycopg.connect(pg_server.conninfo(url.rsplit("/", 1)[1])) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)
    with open_store(url) as store:  # ingest makes one
        assert store.stats().total == 0
    with open_store(url, create=False) as store:
        assert store.stats().total == 0


def test_a_database_with_tables_of_its_own_is_refused_in_words(pg_server: PgServer) -> None:
    import psycopg

    url = pg_server.create_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.conninfo(name), autocommit=True) as conn:
        conn.execute("CREATE TABLE records (id int)")
        conn.execute("CREATE TABLE meta (key text, value text)")
    with pytest.raises(StoreError, match="is not a marksearch register but has tables named meta, records"):
        open_store(url)


def test_cli_names_the_problem_in_one_line(pg_server: PgServer) -> None:
    done = subprocess.run([sys.executable, "-m", "marksearch", "stats", "--db", pg_server.url("nope")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "nope" in done.stderr


def test_history_and_currency_match_the_embedded_store(pair: tuple[Store, Store]) -> None:
    lite, pg = pair
    for store in pair:
        ingest(store, [EUIPO], workers=1)
        store.write([Deletion("EM", "018222197")])
    assert isinstance(pg, PostgresStore) and isinstance(lite, SQLiteStore)
    want = lite.db.execute("SELECT seq, op FROM changes WHERE office='EM' AND application_number='018222197'"
                           " ORDER BY seq").fetchall()
    assert [(c.seq, c.op) for c in pg.history("EM", "018222197")] == want == [(1, "insert"), (18, "delete")]
    want = lite.db.execute("SELECT office, COUNT(*), MAX(ingested_at), MAX(COALESCE(as_of, filing_date)) "
                           "FROM records GROUP BY office ORDER BY COUNT(*) DESC, office").fetchall()
    assert [(o, n, d) for o, n, _, d in pg.currency()] == [(o, n, d) for o, n, _, d in want]


def test_the_grown_goods_base_is_cached_by_register_id(pg_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers of a server register share one goods term base on disk, named by the register, not the URL."""
    from marksearch.goods import bases

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with open_store(pg_url) as store:
        files = sorted((FORMATS / "st66" / "euipo_bulk_sample").glob("*.xml"))[:3]
        ingest(store, [str(f) for f in files], format="st66", workers=1)
        assert isinstance(store, PostgresStore)
        path = bases.cache_path(store)
        assert path == tmp_path / "cache" / "marksearch" / f"{store.register_id}.goods.npz"
        grown = bases.base_for_store(store)
        assert path.is_file()
    bases._grown.clear()  # a new worker: nothing held in memory
    with open_store(pg_url) as again:
        built: list[str] = []
        assert len(bases.base_for_store(again, on_build=built.append)) == len(grown)
        assert built == []  # read from the cache, not built from the register again


def test_one_server_process_grows_the_goods_base_in_the_background(pg_url: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`marksearch serve` with one process answers at once on PostgreSQL as on an SQLite file: the goods
    term base grows on a second connection, opened with the URL the server was given; only goods
    requests wait for it."""
    from marksearch.goods import bases
    from marksearch.web.service import SearchParams, Service

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with open_store(pg_url) as store:
        files = sorted((FORMATS / "st66" / "euipo_bulk_sample").glob("*.xml"))[:3]
        ingest(store, [str(f) for f in files], format="st66", workers=1)
    bases._grown.clear()  # a fresh server process: nothing held in memory
    release, waited_too_long = threading.Event(), []
    real = bases.base_for_store

    def held(store: Store, **kwargs: Any) -> Any:
        waited_too_long.append(not release.wait(60))
        return real(store, **kwargs)

    monkeypatch.setattr(bases, "base_for_store", held)
    lines: list[str] = []
    service = Service.open(pg_url, goods_in_background=True, say=lines.append)
    try:
        assert service.health()["goods_term_base"] == "building"
        assert isinstance(service._goods_store, PostgresStore) and service._goods_store is not service.store
        # Answered while the build is held (had it waited for the build, it would wait for the release below).
        assert service.search(SearchParams(q="coffee", statuses=("all",)))["total"] >= 1
        release.set()
        assert {c["nice_class"] for c in service.goods("Kaffee")["classes"]} & {30, 32}  # waits for the build
        assert service._goods_builder is not None
        service._goods_builder.join(120)
        assert waited_too_long == [False]
        assert service.health()["goods_term_base"] == "ready"
        assert lines[-1].startswith("goods term base ready: ")
        assert list((tmp_path / "cache" / "marksearch").glob("*.goods.npz"))  # kept for the next start
    finally:
        release.set()
        service.close()
