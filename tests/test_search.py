"""The fast path returns exactly what the exhaustive reference returns; the index follows the store."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import random
from functools import cache
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from marksearch.cli import cli
from marksearch.errors import UsageError
from marksearch.goods.analysis import analyse
from marksearch.ingest import record_keys
from marksearch.records import Deletion, MarkDate, Party, Record, Status, VerbalElement
from marksearch.scoring import Filters, exhaustive_search
from marksearch.search import MAX_QUERY, Query, Searcher, index_folder
from marksearch.store import Store, open_store
from marksearch.text import has_words, mark_keys
from tests.conftest import SHARED

OTHER_SCRIPTS = ["可口可乐", "星巴克", "스타벅스", "샤넬", "スターバックス", "任天堂", "Кока-Кола", "Старбакс",
                 "耐克", "나이키", "ナイキ", "麦当劳", "Макдоналдс", "可口可乐饮料", "スターバックスコーヒー",
                 "Кока-Кола Бевериджиз", "麦当劳餐厅"]


@cache
def real_names() -> list[str]:
    path = SHARED / "names" / "euipo_figurative_marks_TradeMarks2020_validation.csv"
    with open(path, encoding="utf-8") as f:
        return [r["verbal_text"] for r in csv.DictReader(f) if r["verbal_text"].strip()][:4000]


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(chars) + 1)
        op = rng.choice("isd")
        if op == "i" or not chars:
            chars.insert(i, rng.choice("aeiouckszx"))
        elif op == "s" and i < len(chars):
            chars[i] = rng.choice("aeiouckszx")
        elif i < len(chars):
            del chars[i]
    return "".join(chars) or text


def register(seed: int, size: int) -> list[Record]:
    rng = random.Random(seed)
    names = real_names()
    out = []
    for i in range(size):
        roll = rng.random()
        text = (rng.choice(OTHER_SCRIPTS) if roll < 0.08 else
                mutate(rng.choice(names), rng) if roll < 0.3 else rng.choice(names))
        out.append(Record(
            office=rng.choice(["EM", "US", "KR", "CN"]),
            application_number=f"{i:08d}",
            verbal_elements=(VerbalElement(text),),
            nice_classes=tuple(sorted(rng.sample(range(1, 46), rng.randint(0, 3)))),
            status=rng.choice(list(Status)),
            dates=(MarkDate("filing", "x", dt.date(rng.randint(1996, 2024), 1, 1)),),
            parties=(Party("applicant", name=rng.choice(["Acme GmbH", "Globex Ltd", "Initech SA"])),),
        ))
    return out


def filled(records: list[Record]) -> Store:
    store = open_store(":memory:")
    store.write(records, [record_keys(r) for r in records])
    return store


@pytest.fixture(scope="module")
def big() -> tuple[Store, Searcher]:
    store = filled(register(7, 3000))
    return store, Searcher(store)


def reference(store: Store, query: Query) -> list[tuple[float, int]]:
    from marksearch.scoring import Candidate

    flt = query.filter()
    rows = list(store.iter_index_rows())
    candidates = [Candidate.from_keys(r.id, r.keys or {"plain": "", "text": ""}, r.nice_classes, status=r.status)
                  for r in rows if (not flt.offices or r.office in flt.offices)]
    goods = analyse(query.goods).signals if query.goods else None
    hits = exhaustive_search(query.text, candidates, limit=query.offset + query.limit, classes=query.classes,
                             filters=Filters(classes=query.classes or None, statuses=set(flt.statuses)),
                             goods=goods)
    return [(round(h.score, 9), h.record_id) for h in hits][query.offset:]


def fast(searcher: Searcher, query: Query) -> list[tuple[float, int]]:
    return [(round(h.score, 9), h.record_id) for h in searcher.search(query).hits]


QUERIES = ["COCA COLA", "Lucky Strik", "LION", "uncle bens", "可口可乐", "스타벅스", "Starbucks", "PALMAL",
           "スターバックス", "麦当劳", "Кока-Кола",
           "xyzzy", "ab", "Nintendo", "Кока Кола", "BROMPTON BICYCLE", "SETA"]


@pytest.mark.parametrize("text", QUERIES)
def test_fast_path_equals_reference(big: tuple[Store, Searcher], text: str) -> None:
    store, searcher = big
    query = Query(text, statuses=("all",), limit=50)
    assert fast(searcher, query) == reference(store, query)


@pytest.mark.parametrize(("text", "goods", "classes"), [
    ("COCA COLA", "soft drinks; mineral water", ()),
    ("Starbucks", "咖啡", ()),
    ("LION", "Bekleidung, Schuhwaren", (25,)),
    ("Nintendo", "computer game software", (9, 28)),
])
def test_a_goods_description_ranks_like_the_reference(big: tuple[Store, Searcher], text: str, goods: str,
                                                      classes: tuple[int, ...]) -> None:
    """A goods description feeds the goods signal (it filters nothing): still exactly the reference."""
    store, searcher = big
    query = Query(text, statuses=("all",), limit=30, goods=goods, classes=classes)
    assert fast(searcher, query) == reference(store, query)
    plain = searcher.search(Query(text, statuses=("all",), limit=30, classes=classes))
    described = searcher.search(query)
    assert described.total == plain.total
    assert [h.record_id for h in described.hits] != [h.record_id for h in plain.hits] or classes
    close = [h for h in described.hits if h.scored.signals["goods"] > 0.5]
    assert close and all(any(r.startswith("goods: ") for r in h.scored.reasons) for h in close)
    assert all(h.goods_overlap is not None for h in described.hits)


@pytest.mark.parametrize("brute_force_at", [0, 20_000])
@pytest.mark.parametrize(("classes", "offices", "statuses"),
                         [((9,), (), ("all",)), ((30, 32), ("EM",), ("registered",)), ((), ("CN",), ("pending",))])
def test_fast_path_equals_reference_with_filters(big: tuple[Store, Searcher], classes: tuple[int, ...],
                                                 offices: tuple[str, ...], statuses: tuple[str, ...],
                                                 brute_force_at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways a filtered search runs: gathering from the key spaces (for a class filter, from
    the strings of marks in those classes only), and scoring every allowed mark."""
    from marksearch.index import topk

    monkeypatch.setattr(topk, "BRUTE_FORCE_AT", brute_force_at)
    monkeypatch.setattr(topk, "BRUTE_FORCE_WITHIN", brute_force_at)
    store, searcher = big
    for text in ("COCA COLA", "STARBUCKS", "耐克"):
        query = Query(text, classes=classes, offices=offices, statuses=statuses, limit=30)
        assert fast(searcher, query) == reference(store, query)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), size=st.integers(1, 300), pick=st.integers(0, 10_000),
       limit=st.integers(1, 60), offset=st.integers(0, 5), all_status=st.booleans())
def test_fast_path_equals_reference_on_generated_registers(seed: int, size: int, pick: int, limit: int,
                                                           offset: int, all_status: bool) -> None:
    records = register(seed, size)
    # A query a user may ask: real marks include a few of symbols alone (+, #, ∞) and label texts over
    # MAX_QUERY characters, which a search refuses (tested apart).
    text = mutate(records[pick % size].mark_text, random.Random(pick))[:MAX_QUERY]
    assume(has_words(text))
    store = filled(records)
    query = Query(text, statuses=("all",) if all_status else ("pending", "registered", "unknown"),
                  limit=limit, offset=offset)
    assert fast(Searcher(store, persist=False), query) == reference(store, query)


# Glyphs written for the letters they look like: digits (G00GLE, 5PORT), rn for m, vv for w, and
# Cyrillic letters drawn like Latin ones.
LOOK_ALIKES = {"o": "0", "l": "1", "s": "5", "e": "3", "m": "rn", "w": "vv", "c": "с", "a": "а"}


def disguise(text: str, rng: random.Random) -> str:
    """The text with one or two letters written as glyphs that look like them."""
    chars = list(text)
    at = [i for i, c in enumerate(chars) if c.lower() in LOOK_ALIKES]
    for i in rng.sample(at, min(len(at), rng.randint(1, 2))):
        chars[i] = LOOK_ALIKES[chars[i].lower()]
    return "".join(chars)


def test_fast_path_finds_marks_inside_one_another_as_they_look() -> None:
    """Containment of the skeletons (GOOGLE in G00GLE LABS) is gathered as the reference scores it:
    the query's skeleton units in the marks' skeletons, the marks' skeleton units in the query's."""
    rng = random.Random(11)
    names = [n for n in real_names()[:400] if any(c.lower() in LOOK_ALIKES for c in n)][:60]
    texts = ["GOOGLE", "G00GLE LABS", "MILK", "RNILK SHAKE", "SPORT", "5PORT LINE"]
    for name in names:
        texts += [name, disguise(name, rng), f"{disguise(name, rng)} {rng.choice(['LABS', 'GROUP', 'NOVA'])}",
                  f"{rng.choice(['STAR', 'BLUE'])} {name}"]
    records = [Record(office="EM", application_number=f"{i:08d}", verbal_elements=(VerbalElement(t),),
                      nice_classes=(rng.randint(1, 45),), status=Status.REGISTERED) for i, t in enumerate(texts)]
    store = filled(records)
    searcher = Searcher(store, persist=False)
    queries = ["GOOGLE", "G00GLE LABS", "MILK", "5PORT", *(rng.choice(texts[6:]) for _ in range(12))]
    for text in queries:
        query = Query(text, statuses=("all",), limit=20)
        assert fast(searcher, query) == reference(store, query), text
    hits = searcher.search(Query("GOOGLE", statuses=("all",), limit=5)).hits
    assert [h.record.mark_text for h in hits[:2]] == ["GOOGLE", "G00GLE LABS"]
    assert hits[1].scored.reasons[0] == "contains, looks alike: G00GLE (from G00GLE LABS) in GOOGLE"


def test_index_follows_inserts_updates_and_deletes(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.sqlite"))
    base = register(3, 200)
    store.write(base, [record_keys(r) for r in base])
    searcher = Searcher(store)
    assert index_folder(store) is not None and (index_folder(store) / "meta.json").exists()  # type: ignore[operator]

    new = Record(office="EM", application_number="NEW1", verbal_elements=(VerbalElement("ZWOXYTRON"),),
                 status=Status.REGISTERED)
    store.write([new], [record_keys(new)])
    (hit,) = searcher.search(Query("ZWOXYTRON", limit=1)).hits
    assert hit.record.application_number == "NEW1" and hit.score > 0.8

    renamed = Record(office=base[0].office, application_number=base[0].application_number,
                     verbal_elements=(VerbalElement("QUIRBLEFANT"),), status=Status.REGISTERED)
    store.write([renamed], [record_keys(renamed)])
    (hit,) = searcher.search(Query("QUIRBLEFANT", limit=1)).hits
    assert hit.record.application_number == base[0].application_number
    old_text = base[0].mark_text
    assert all(h.record.mark_text != old_text or h.record.application_number != base[0].application_number
               for h in searcher.search(Query(old_text, statuses=("all",), limit=50)).hits)

    store.write([Deletion("EM", "NEW1")], [None])
    assert all(h.record.application_number != "NEW1"
               for h in searcher.search(Query("ZWOXYTRON", statuses=("all",), limit=50)).hits)

    again = Searcher(store)  # reopened: loads the saved segment, replays the changes since
    assert fast(again, Query("QUIRBLEFANT", limit=5)) == fast(searcher, Query("QUIRBLEFANT", limit=5))
    assert again.segment.seq < store.last_seq()
    again.rebuild()
    assert fast(again, Query("QUIRBLEFANT", limit=5)) == fast(searcher, Query("QUIRBLEFANT", limit=5))


def test_a_register_made_anew_at_the_path_does_not_read_the_old_index(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    old = [Record(office="EM", application_number=f"A{i}", verbal_elements=(VerbalElement(t),),
                  status=Status.REGISTERED) for i, t in enumerate(("ALPHAROMEO", "BRAVOZULU", "CHARLIEFOX"))]
    store = open_store(str(path))
    store.write(old, [record_keys(r) for r in old])
    Searcher(store)  # builds and saves the index beside the register
    store.close()
    for leftover in tmp_path.glob("r.sqlite*"):
        if leftover.is_file():
            leftover.unlink()  # the register goes; its index folder stays
    new = [Record(office="EM", application_number=f"B{i}", verbal_elements=(VerbalElement(t),),
                  status=Status.REGISTERED) for i, t in enumerate(("XENONLAMP", "YTTRIUMBAR", "ZIRCONIUMX"))]
    store = open_store(str(path))
    store.write(new, [record_keys(r) for r in new])
    searcher = Searcher(store)
    (hit,) = searcher.search(Query("XENONLAMP", limit=1)).hits
    assert hit.record.mark_text == "XENONLAMP" and hit.score > 0.8
    assert all(h.score < 0.8 for h in searcher.search(Query("ALPHAROMEO", statuses=("all",))).hits)


def test_owner_and_date_filters(big: tuple[Store, Searcher]) -> None:
    _, searcher = big
    result = searcher.search(Query("COCA", owner="globex", filed_from=dt.date(2010, 1, 1), statuses=("all",),
                                   limit=100))
    assert result.hits and result.total < 3000
    for hit in result.hits:
        assert any("Globex" in (p.name or "") for p in hit.record.parties)
        filing = hit.record.date("filing")
        assert filing is not None and filing.value is not None and filing.value.year >= 2010

def test_an_owner_is_matched_without_the_spaces_around_it(big: tuple[Store, Searcher]) -> None:
    _, searcher = big
    every = searcher.search(Query("COCA", statuses=("all",))).total
    assert searcher.search(Query("COCA", owner="  ", statuses=("all",))).total == every  # blank: no filter
    assert (searcher.search(Query("COCA", owner=" globex ", statuses=("all",))).total
            == searcher.search(Query("COCA", owner="globex", statuses=("all",))).total < every)



@pytest.mark.parametrize("start", [dt.date(1, 1, 1), dt.date(1799, 12, 31), dt.date(1800, 1, 1), dt.date(1900, 1, 1)])
def test_a_date_range_leaves_out_undated_marks_however_early_it_starts(start: dt.date) -> None:
    """Days are counted from 1800 and an unknown date is -1: a range from before 1800 once let
    undated marks through in the index, where the records changed since it was built (the
    searcher's delta) left them out."""
    records = [Record(office="US", application_number=str(i), verbal_elements=(VerbalElement("ZORBLAX"),),
                      dates=dates) for i, dates in enumerate([
                          (MarkDate("filing", "1969-12-31", dt.date(1969, 12, 31)),), (),
                          (MarkDate("filing", "1965-06-01", dt.date(1965, 6, 1)),)])]
    store = filled(records)
    query = Query("ZORBLAX", filed_from=start, statuses=("all",))
    searcher = Searcher(store)
    assert sorted(h.record.application_number for h in searcher.search(query).hits) == ["0", "2"]
    changed = [dataclasses.replace(r, status=Status.REGISTERED) for r in records]
    store.write(changed, [record_keys(r) for r in changed])
    assert searcher.refresh() and len(searcher.delta) == 3  # now read from the records changed since
    assert sorted(h.record.application_number for h in searcher.search(query).hits) == ["0", "2"]


@pytest.mark.parametrize(("query", "message"), [
    (Query(""), "empty"), (Query("x" * 500), "longer"), (Query("+ #"), "no letters or digits"),
    # iteration, length and stretch marks alone: no key reads them, and every mark scored 0
    (Query("々"), "no letters or digits"), (Query("ゝ ー"), "no letters or digits"), (Query("ـ"), "no letters or digits"),
    (Query("a", classes=(46,)), "1 to 45"), (Query("a", statuses=("alive",)), "unknown status"),
    (Query("a", limit=0), "limit"), (Query("a", goods=" ;; ;\n"), "names no goods or services"),
])
def test_bad_queries_are_usage_errors(big: tuple[Store, Searcher], query: Query, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        big[1].search(query)


def test_cli_search_json_and_explain(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    store = open_store(db)
    records = register(5, 300)
    store.write(records, [record_keys(r) for r in records])
    store.close()
    result = CliRunner().invoke(cli, ["search", "COCA COLA", "--db", db, "--json", "--status", "all",
                                      "--limit", "3", "--explain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"query", "total", "hits", "explain"} and len(data["hits"]) == 3
    assert set(data["hits"][0]) >= {"office", "application_number", "mark_text", "score", "signals", "reasons"}
    assert data["explain"]["keys"]["plain"] == "cocacola"
    text = CliRunner().invoke(cli, ["search", "COCA COLA", "--db", db, "--class", "32", "--limit", "2"])
    assert text.exit_code == 0 and "1." in text.stdout
    bad = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--status", "alive"])
    assert bad.exit_code == 2 and "unknown status 'alive'; use live, pending" in bad.stderr
    # live, the default, is a word for the live statuses among others too (it was "unknown status 'live'")
    live = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--status", "live", "--status", "ended", "--json"])
    assert live.exit_code == 0, live.stderr
    everything = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--status", "all", "--json"])
    alone = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--json"])
    total = json.loads(everything.stdout)["total"]
    # every status is live or ended
    assert json.loads(live.stdout)["total"] == total > json.loads(alone.stdout)["total"]
    feature = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--feature", "WORD"])
    assert feature.exit_code == 2 and "unknown feature 'WORD'; use one of" in feature.stderr
    past = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--status", "all", "--offset", "1000"])
    assert past.exit_code == 0 and past.stdout.startswith("no marks for 'COCA' at offset 1000 (300 pass the filters)")
    none = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--office", "BR"])
    assert none.exit_code == 0 and none.stdout.startswith("no marks for 'COCA' pass the filters")
    # an office code outside WIPO ST.3 is a mistake, not a filter that finds nothing (as the API says)
    typo = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--office", "EU"])
    assert typo.exit_code == 2 and "'EU' is not a WIPO ST.3 office code (the EUIPO's is EM)" in typo.stderr
    backwards = CliRunner().invoke(cli, ["search", "COCA", "--db", db, "--filed-from", "2021-01-01",
                                         "--filed-to", "2020-01-01"])
    assert backwards.exit_code == 2
    assert "the filing date range ends (2020-01-01) before it starts (2021-01-01)" in backwards.stderr


def test_a_mark_with_an_overlong_key_is_still_found() -> None:
    words = ["QUARTZWINDOWBRAVOKILO", "MARBLEHORIZONZEPHYRA", "TUNDRALANTERNPRISMOX", "COBALTMERIDIANFALCON",
             "SAFFRONGLACIERVORTEX", "EMBERCASCADEOBSIDIAN", "JUNIPERTHUNDERPIXELS", "NEBULAORCHARDCIPHERS",
             "VELVETCANYONMONOLITH", "ZENITHHARBORQUILLING", "AMBERFJORDKALEIDOSC", "ORBITWILLOWTEMPESTRA",
             "PEBBLESTARLINGMIRAGE", "HELIOSWALRUSTAPESTRY"]
    long_text = " ".join(words)  # its plain key is over 255 letters: too long for the key spaces
    assert len(mark_keys(long_text).plain) > 255
    records = [*register(11, 150),
               Record(office="EM", application_number="LONG", verbal_elements=(VerbalElement(long_text),),
                      status=Status.REGISTERED)]
    store = filled(records)
    typoed = " ".join(w[:5] + "X" + w[6:] for w in words[:8])  # no word, no unit left whole
    query = Query(typoed, statuses=("all",), limit=3)
    got = fast(Searcher(store, persist=False), query)
    assert got == reference(store, query)
    assert store.get_by_ids([got[0][1]])[got[0][1]].record.application_number == "LONG"


def test_overlong_keys_make_a_mark_an_every_level_candidate() -> None:
    from marksearch.index.segment import build_segment
    from marksearch.index.topk import gather
    from marksearch.scoring import ScoringModel
    from marksearch.store import IndexRow

    text = "Q" * 300
    rows = [IndexRow(1, "EM", "1", "registered", "word", None, (), mark_keys("KOKA").to_dict()),
            IndexRow(2, "EM", "2", "registered", "word", None, (), mark_keys(text).to_dict())]
    segment = build_segment(rows, seq=0)
    assert segment.always.tolist() == [1]
    model = ScoringModel()
    positions, bounds = gather(segment, model.scorer("COCA").query, 0.95, model)
    assert 1 in positions.tolist() and bounds[positions.tolist().index(1)] == 1.0


def test_key_space_strings_in_any_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    for i, text in enumerate(["ab", "abc", "abcd", "zz", "可口可乐", "q"]):
        builder.add(text, i)
    space = builder.build()
    every = [space.string(i) for i in range(space.size)]
    for cached in (True, False):
        monkeypatch.setattr(keyspace, "DECODED_CACHE", 10 if cached else 0)
        space._cache, space._spent = None, 0
        for ids in ([0, 1, 2, 3], [1, 3, 2, 4], [4, 0], [2], list(range(space.size)), [5, 0, 3]):
            assert space.strings(ids) == [every[i] for i in ids]
        # Decoded whole only once the strings decoded piecemeal add up to the space (and it is small enough).
        assert (space._cache is not None) == cached


def test_a_key_space_is_decoded_whole_only_when_it_pays() -> None:
    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    texts = [f"mark{i:05d}" for i in range(2000)]
    for i, text in enumerate(texts):
        builder.add(text, i)
    space = builder.build()
    every = [space.string(i) for i in range(space.size)]
    assert space.strings([7, 1500]) == [every[7], every[1500]]  # few and far apart: one by one
    assert space.strings(list(range(100, 400))) == every[100:400]  # a run
    assert space._cache is None  # a look-up or two decode what they read, not the whole space
    for start in range(0, space.size, 300):
        assert space.strings(list(range(start, min(start + 300, space.size)))) == every[start:start + 300]
    assert space._cache is not None  # as much decoded piecemeal as the space holds: now decoded whole
    assert space.strings([1999, 3, 3]) == [every[1999], every[3], every[3]]


def test_a_memo_of_a_lower_level_gathers_every_mark_with_the_same_bounds() -> None:
    """Rounds of one query share key-space look-ups made one step lower (topk.gather's memo):
    filtered for the round's level, they give every mark the plain look-up gives, with its bound."""
    from marksearch.index.segment import build_segment
    from marksearch.index.topk import gather
    from marksearch.scoring import ScoringModel
    from marksearch.store import IndexRow

    texts = ["KOKA", "COCA", "COCA COLA", "KOKO", "CACAO", "KODAK", "LOCA", "COCOA", "可口可乐", "코카", "コカ"]
    rows = [IndexRow(i + 1, "EM", str(i), "registered", "word", None, (), mark_keys(t).to_dict())
            for i, t in enumerate(texts)]
    segment = build_segment(rows, seq=0)
    model = ScoringModel()
    query = model.scorer("KOCA").query
    memo: dict[tuple[int, str], tuple[float, np.ndarray, np.ndarray]] = {}
    asked = 0
    for sigma in (0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3):
        plain_pos, plain_bounds = gather(segment, query, sigma, model)
        before = len(memo), sum(id(v) for v in memo.values())
        memo_pos, memo_bounds = gather(segment, query, sigma, model, memo=memo, ahead=sigma - 0.1)
        asked += (len(memo), sum(id(v) for v in memo.values())) != before
        got = dict(zip(memo_pos.tolist(), memo_bounds.tolist(), strict=True))
        for p, b in zip(plain_pos.tolist(), plain_bounds.tolist(), strict=True):
            assert got.get(p) == pytest.approx(b, abs=1e-6), (sigma, p)
        # what the memo adds is only marks a step lower, with their exact bounds: nothing above sigma is new
        assert all(b < sigma for p, b in got.items() if p not in set(plain_pos.tolist()))
    assert 0 < asked < 8  # some rounds were answered from the memo alone


@settings(max_examples=80, deadline=None)
@given(strings=st.lists(st.text(alphabet="abcABC019可口乐Кк", min_size=1, max_size=12), min_size=1, max_size=60),
       query=st.text(alphabet="abcABC019可口乐Кк", min_size=1, max_size=12),
       threshold=st.sampled_from([0.2, 0.5, 0.6, 0.64, 0.7, 0.75, 0.8, 0.9, 1.0]),
       picked=st.lists(st.integers(0, 59), max_size=20))
def test_the_character_count_filter_keeps_every_string_within_the_threshold(
        strings: list[str], query: str, threshold: float, picked: list[int]) -> None:
    """KeySpace's count filter drops only strings that cannot reach the threshold (letters of either
    case, digits, and characters bucketed by hash alike), over a whole range and over picked ids."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    for mark, text in enumerate(strings):
        builder.add(text, mark)
    space = builder.build()
    every = space.strings(range(space.size))
    within = [Levenshtein.normalized_similarity(query, text) >= threshold - 1e-6 for text in every]
    whole = np.arange(space.size, dtype=np.int64)
    some = np.array(sorted({i for i in picked if i < space.size}) or [0], dtype=np.int64)
    for pool in (whole, some):
        kept = space._counts_may_reach([(query, threshold)], pool)
        assert all(kept[j] for j, i in enumerate(pool.tolist()) if within[i]), (query, threshold)


def test_the_character_count_filter_keeps_strings_that_repeat_a_character_many_times() -> None:
    """Counts are kept in 4 bits, 15 standing for 15 or more: strings and queries that repeat a
    character past that are still kept whenever they are within the threshold."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace

    texts = ["a" * i + "b" * j + "c" for i in range(0, 40, 3) for j in range(0, 25, 4)]
    builder = keyspace.KeySpaceBuilder()
    for mark, text in enumerate(texts):
        builder.add(text, mark)
    space = builder.build()
    every = space.strings(range(space.size))
    pool = np.arange(space.size, dtype=np.int64)
    dropped = 0
    for query in ("a" * 16 + "b" * 3, "a" * 30, "b" * 17 + "c", "ab" * 9):
        for threshold in (0.5, 0.7, 0.9):
            kept = space._counts_may_reach([(query, threshold)], pool)
            for i, text in enumerate(every):
                if Levenshtein.normalized_similarity(query, text) >= threshold - 1e-6:
                    assert kept[i], (query, threshold, text)
            dropped += int((~kept).sum())
    assert dropped > 0


def test_the_character_count_filter_drops_strings_of_other_letters() -> None:
    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    texts = ["cocacola", "cocacolo", "kokakola", "pepsicola", "xyzzyxyz", "mmmmnnnn", "cocacolacompany"]
    for mark, text in enumerate(texts):
        builder.add(text, mark)
    space = builder.build()
    pool = np.arange(space.size, dtype=np.int64)
    kept = {space.string(i) for i in pool[space._counts_may_reach([("cocacola", 0.75)], pool)].tolist()}
    assert {"cocacola", "cocacolo"} <= kept  # within two edits of eight letters
    assert not kept & {"xyzzyxyz", "mmmmnnnn", "pepsicola"}  # letters too far off to be within two edits
    # A space built without character counts (the containment space) is checked without the filter.
    bare = keyspace.KeySpaceBuilder(histograms=False)
    bare.add("cocacola", 0)
    assert bare.build().hist.shape == (0, 0)


def test_the_character_count_filter_bounds_by_the_longer_string() -> None:
    """A string within ``d`` edits shares ``max(len(s), len(query)) - d`` characters with the query
    or more: seven letters sharing five with a ten-letter query are five edits off, past the four
    a threshold of 0.6 allows, and are dropped; half the two lengths would have kept them."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    for mark, text in enumerate(["abcdexy", "abcdefg", "abcdefgxyz"]):
        builder.add(text, mark)
    space = builder.build()
    pool = np.arange(space.size, dtype=np.int64)
    kept = {space.string(i) for i in pool[space._counts_may_reach([("abcdefghij", 0.6)], pool)].tolist()}
    assert Levenshtein.distance("abcdefghij", "abcdexy") == 5
    assert kept == {"abcdefg", "abcdefgxyz"}  # three edits each


@settings(max_examples=80, deadline=None)
@given(pairs=st.lists(st.tuples(st.text(alphabet="aabcC09可乐К", min_size=1, max_size=40),
                                st.text(alphabet="aabcC09可乐К", min_size=1, max_size=40)), min_size=1, max_size=30),
       threshold=st.sampled_from([0.5, 0.6, 0.64, 0.7, 0.8, 0.9, 1.0]))
def test_counts_may_reach_never_drops_a_pair_within_the_threshold(pairs: list[tuple[str, str]],
                                                                   threshold: float) -> None:
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace

    left, right = [x for x, _ in pairs], [y for _, y in pairs]
    longer = np.array([max(len(x), len(y)) for x, y in pairs])
    kept = keyspace.counts_may_reach(keyspace.char_counts(left).T, keyspace.char_counts(right).T, longer, threshold)
    for (x, y), k in zip(pairs, kept.tolist(), strict=True):
        if Levenshtein.normalized_similarity(x, y) >= threshold - 1e-6:
            assert k, (x, y, threshold)


def test_counts_may_reach_on_pairs_keeps_every_pair_within_the_threshold() -> None:
    """The pairwise count filter (bulk watch matching) drops pairs of other letters and keeps
    every pair within the threshold, characters repeated past 15 included."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace

    left = ["cocacola", "abcdefghij", "a" * 20 + "b", "a" * 18, "xyzzy", "可口可乐"]
    right = ["kokakola", "abcdexy", "a" * 19 + "bb", "a" * 16 + "c", "cocacola", "可口可樂"]
    a, b = keyspace.char_counts(left).T, keyspace.char_counts(right).T
    longer = np.array([max(len(x), len(y)) for x, y in zip(left, right, strict=True)])
    for threshold in (0.5, 0.6, 0.75, 0.9):
        kept = keyspace.counts_may_reach(a, b, longer, threshold)
        within = [Levenshtein.normalized_similarity(x, y) >= threshold - 1e-6 for x, y in zip(left, right, strict=True)]
        assert all(k for k, w in zip(kept.tolist(), within, strict=True) if w), threshold
    kept = keyspace.counts_may_reach(a, b, longer, 0.6).tolist()
    assert kept[1] is False and kept[4] is False  # five edits of ten; no letter of XYZZY in COCACOLA


def test_marks_of_gathers_every_posting_in_order() -> None:
    from marksearch.index import keyspace

    builder = keyspace.KeySpaceBuilder()
    for mark, text in enumerate(["ab", "abc", "ab", "zz", "abc", "ab", "q"]):
        builder.add(text, mark)
    space = builder.build()
    by_string = {space.string(i): i for i in range(space.size)}
    sids = np.array([by_string["ab"], by_string["q"], by_string["abc"]], dtype=np.int64)
    assert space.marks_of(sids).tolist() == [0, 2, 5, 6, 1, 4]
    assert space.marks_of(np.array([], dtype=np.int64)).tolist() == []


# Classes drawn from a few, the first and last bits among them, so that filters and marks meet often.
_CLASSES = st.sampled_from([1, 2, 3, 9, 44, 45])


@settings(max_examples=60, deadline=None)
@given(strings=st.lists(st.tuples(st.text(alphabet="abcde", min_size=1, max_size=9),
                                  st.frozensets(_CLASSES, max_size=3)), min_size=1, max_size=40),
       queries=st.lists(st.tuples(st.text(alphabet="abcde", min_size=1, max_size=9),
                                  st.sampled_from([0.0, 0.2, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0])),
                        min_size=1, max_size=5),
       within=st.frozensets(_CLASSES, max_size=3))
def test_similar_many_finds_every_string_at_each_querys_threshold(
        strings: list[tuple[str, frozenset[int]]], queries: list[tuple[str, float]], within: frozenset[int]) -> None:
    """Queries sharing one RapidFuzz pass (KeySpace.similar_many) each get exactly the strings at or
    above their own threshold, as a check of every string gives them; with a class bitmap, exactly
    those of them that a mark of one of its classes holds."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace
    from marksearch.index.filters import class_mask

    builder = keyspace.KeySpaceBuilder()
    for mark, (text, _) in enumerate(strings):
        builder.add(text, mark)
    space = builder.build(np.array([class_mask(sorted(c)) for _, c in strings], dtype=np.uint64))
    every = [space.string(i) for i in range(space.size)]
    classes_of: dict[str, set[int]] = {text: set() for text, _ in strings}
    for text, classes in strings:
        classes_of[text] |= classes
    mask = class_mask(sorted(within))
    unfiltered = space.similar_many(queries)
    filtered = space.similar_many(queries, within=mask)
    with patch.object(keyspace, "SPLIT_MIN", 1), patch.object(keyspace, "THREADS", 3):
        split = space.similar_many(queries)  # every check cut into parts run on threads
    with patch.object(keyspace, "HIST_MIN", 1), patch.object(keyspace, "HIST_FROM", 0.0):
        counted = space.similar_many(queries)  # every check behind the character count filter
    for (sids, sims), (split_sids, split_sims), (counted_sids, counted_sims) in zip(unfiltered, split, counted,
                                                                                   strict=True):
        assert sids.tolist() == split_sids.tolist() and sims.tolist() == split_sims.tolist()
        assert sids.tolist() == counted_sids.tolist() and sims.tolist() == counted_sims.tolist()
    for (query, threshold), (sids, sims), (kept, _) in zip(queries, unfiltered, filtered, strict=True):
        expected = {i for i, text in enumerate(every)
                    if Levenshtein.normalized_similarity(query, text) >= threshold - 1e-9}
        assert set(sids.tolist()) == expected, (query, threshold)
        for i, sim in zip(sids.tolist(), sims.tolist(), strict=True):
            assert sim >= Levenshtein.normalized_similarity(query, every[i]) - 1e-9
        in_classes = {i for i in expected if classes_of[every[i]] & within} if mask else expected
        assert set(kept.tolist()) == in_classes, (query, threshold, sorted(within))


@settings(max_examples=80, deadline=None)
@given(ids=st.lists(st.integers(0, 60), max_size=200), need=st.integers(1, 4), start=st.integers(0, 20),
       width=st.integers(1, 2000))
def test_count_filter_keeps_the_ids_seen_often_enough_either_way_it_counts(ids: list[int], need: int, start: int,
                                                                         width: int) -> None:
    """The count filter counts in an array over a dense range and sorts a sparse one: same ids either way."""
    from collections import Counter

    from marksearch.index.keyspace import _at_least

    stop = start + width
    inside = [i for i in ids if start <= i < stop]
    expected = sorted(i for i, n in Counter(inside).items() if n >= need)
    assert _at_least(np.array(inside, dtype=np.uint32), need, start, stop).tolist() == expected


def test_a_class_bitmap_alone_filters_like_the_class_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    """``top_k(within=...)`` without ``allowed`` keeps to the marks of those classes: the same hits as the
    class filter's mask, and the same as scoring every mark of the class (the reference)."""
    from marksearch.index import topk
    from marksearch.index.filters import class_mask
    from marksearch.index.segment import build_segment
    from marksearch.index.topk import top_k
    from marksearch.scoring import ScoringModel
    from marksearch.store import IndexRow

    monkeypatch.setattr(topk, "BRUTE_FORCE_WITHIN", 0)  # gather from the key spaces, however few marks
    rng = random.Random(5)
    texts = ["KOKA", "COCA", "COCA COLA", "KOKO", "CACAO", "KODAK", "LOCA", "COCOA", "可口可乐", "코카", "コカ"]
    rows = [IndexRow(i + 1, "EM", str(i), "registered", "word", None, tuple(sorted(rng.sample(range(1, 46), 2))),
                     mark_keys(mutate(rng.choice(texts), rng)).to_dict()) for i in range(400)]
    segment = build_segment(rows, seq=0)
    model = ScoringModel()
    scorer = model.scorer(mark_keys("KOCA"), classes=(32,))
    mask = class_mask([32])
    allowed = (segment.classes & np.uint64(mask)) != 0
    by_class = top_k(segment, scorer, 10, within=mask, model=model)
    assert not by_class.gathered.exhaustive
    assert by_class.hits == top_k(segment, scorer, 10, allowed=allowed, model=model).hits
    every = sorted(((scorer.score(segment.candidate(p)), -int(segment.record_ids[p]), p)
                    for p in np.flatnonzero(allowed).tolist()), reverse=True)[:10]
    assert by_class.hits == [(score, p) for score, _, p in every]


@settings(max_examples=60, deadline=None)
@given(strings=st.lists(st.tuples(st.text(alphabet="abcde", min_size=1, max_size=12),
                                  st.frozensets(st.integers(1, 4), max_size=2)), min_size=1, max_size=60),
       texts=st.lists(st.text(alphabet="abcde", min_size=1, max_size=9), min_size=1, max_size=3),
       levels=st.lists(st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9]), min_size=2, max_size=5),
       within=st.sampled_from([0, 2, 6, 30]))
def test_scans_answer_later_lower_look_ups_like_fresh_ones(strings: list[tuple[str, frozenset[int]]],
                                                          texts: list[str], levels: list[float],
                                                          within: int) -> None:
    """One query's look-ups in a key space remember their whole-range checks (KeySpace.similar_many's
    scans): asked again at any level, with or without a class bitmap, they give what a fresh look-up gives,
    and a lower level after a higher one checks only the strings its wider length range adds."""
    from marksearch.index import keyspace
    from marksearch.index.filters import class_mask

    builder = keyspace.KeySpaceBuilder()
    for mark, (text, _) in enumerate(strings):
        builder.add(text, mark)
    space = builder.build(np.array([class_mask(sorted(c)) for _, c in strings], dtype=np.uint64))
    scans: dict[str, keyspace.Scan] = {}
    for level in levels:
        queries = [(text, level) for text in texts]
        remembered = space.similar_many(queries, within=within, scans=scans)
        fresh = space.similar_many(queries, within=within)
        for (text, _), (sids, sims), (want, want_sims) in zip(queries, remembered, fresh, strict=True):
            assert dict(zip(sids.tolist(), sims.tolist())) == dict(zip(want.tolist(), want_sims.tolist())), text
    for seen in scans.values():  # every string a scan holds was checked once
        assert len(set(seen.sids.tolist())) == len(seen.sids)


@settings(max_examples=80, deadline=None)
@given(strings=st.lists(st.tuples(st.text(alphabet="abc", min_size=1, max_size=9),
                                  st.frozensets(st.integers(1, 45), max_size=3)), min_size=1, max_size=40),
       unit=st.text(alphabet="abc", min_size=3, max_size=5), longest=st.integers(3, 10),
       within=st.frozensets(st.integers(1, 45), max_size=3))
def test_containing_finds_every_string_holding_the_unit(strings: list[tuple[str, frozenset[int]]], unit: str,
                                                        longest: int, within: frozenset[int]) -> None:
    """KeySpace.containing: every string of at most ``longest`` characters holding the unit
    (its posting lists intersected by binary search); with a class bitmap, those of them
    that a mark of one of its classes holds."""
    from marksearch.index import keyspace
    from marksearch.index.filters import class_mask

    builder = keyspace.KeySpaceBuilder()
    for mark, (text, _) in enumerate(strings):
        builder.add(text, mark)
    space = builder.build(np.array([class_mask(sorted(c)) for _, c in strings], dtype=np.uint64))
    classes_of: dict[str, set[int]] = {text: set() for text, _ in strings}
    for text, classes in strings:
        classes_of[text] |= classes
    every = [space.string(i) for i in range(space.size)]
    holding = {i for i, text in enumerate(every) if unit in text and len(text) <= longest}
    assert set(space.containing(unit, longest).tolist()) == holding
    mask = class_mask(sorted(within))
    in_classes = {i for i in holding if classes_of[every[i]] & within} if mask else holding
    assert set(space.containing(unit, longest, within=mask).tolist()) == in_classes


@given(ids=st.lists(st.integers(0, 50), max_size=60), posting=st.lists(st.integers(0, 50), max_size=60))
def test_in_sorted_keeps_the_ids_a_sorted_posting_list_holds(ids: list[int], posting: list[int]) -> None:
    from marksearch.index.keyspace import _in_sorted

    wanted = np.array(ids, dtype=np.int64)
    sorted_ids = np.array(sorted(posting), dtype=np.uint32)
    assert _in_sorted(wanted, sorted_ids).tolist() == wanted[np.isin(wanted, sorted_ids)].tolist()


_CODES = ["Latn", "Hani", "Hang", "Cyrl", "Jpan", "Grek", "Arab", "Zyyy"]


@given(marks=st.lists(st.frozensets(st.sampled_from(_CODES), max_size=3), min_size=1, max_size=30),
       query=st.frozensets(st.sampled_from(_CODES), max_size=3), bits=st.integers(0, len(_CODES)))
def test_script_bitmaps_keep_every_mark_a_signal_can_reach(marks: list[frozenset[str]], query: frozenset[str],
                                                           bits: int) -> None:
    """gather drops a mark from a spelling or sound look-up only when it shares no script with the
    query, and from a cross-script one only when it shares one (the scorer's rule); with fewer bits
    than codes (the rest share OTHER_SCRIPT) it may keep more, never fewer, and with a bit for
    every code it keeps exactly those."""
    from marksearch.index.segment import script_mask
    from marksearch.index.topk import _CROSS, _SAME, _signal_applies

    codes = {code: bit for bit, code in enumerate(_CODES[:bits])}
    bitmaps = np.array([script_mask(m, codes) for m in marks], dtype=np.uint64)
    q = script_mask(query, codes)
    disjoint = [bool(query and m and query.isdisjoint(m)) for m in marks]
    same = _signal_applies(bitmaps, q, _SAME).tolist()
    assert all(kept or d for kept, d in zip(same, disjoint, strict=True))
    if query:
        cross = _signal_applies(bitmaps, q, _CROSS).tolist()
        assert all(kept or not d for kept, d in zip(cross, disjoint, strict=True))
    if bits == len(_CODES):
        assert same == [not d for d in disjoint]
        if query:
            assert cross == disjoint


@settings(max_examples=60, deadline=None)
@given(strings=st.lists(st.tuples(st.text(alphabet="abcd", min_size=1, max_size=8),
                                  st.frozensets(st.sampled_from(_CODES[:4]), max_size=2)), min_size=1, max_size=40),
       queries=st.lists(st.tuples(st.text(alphabet="abcd", min_size=1, max_size=8),
                                  st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0])), min_size=1, max_size=3),
       query_scripts=st.frozensets(st.sampled_from(_CODES[:4]), min_size=1, max_size=2), bits=st.integers(0, 4))
def test_a_cross_script_look_up_skips_only_strings_no_cross_script_mark_holds(
        strings: list[tuple[str, frozenset[str]]], queries: list[tuple[str, float]],
        query_scripts: frozenset[str], bits: int) -> None:
    """KeySpace.similar_many with ``crossing`` keeps every string at a query's threshold that a mark
    sharing no script with the query holds; with a bit for every script it skips exactly the strings
    whose marks all have one script of the query's (with fewer bits, OTHER_SCRIPT stands for the
    rest, and it skips fewer)."""
    from rapidfuzz.distance import Levenshtein

    from marksearch.index import keyspace
    from marksearch.index.segment import script_mask

    codes = {code: bit for bit, code in enumerate(_CODES[:bits])}
    builder = keyspace.KeySpaceBuilder()
    for mark, (text, _) in enumerate(strings):
        builder.add(text, mark)
    space = builder.build(None, np.array([script_mask(sc, codes) for _, sc in strings], dtype=np.uint64))
    every = [space.string(i) for i in range(space.size)]
    holders: dict[str, list[frozenset[str]]] = {}
    for text, scripts in strings:
        holders.setdefault(text, []).append(scripts)
    crossing = script_mask(query_scripts, codes)
    for (query, threshold), (sids, _) in zip(queries, space.similar_many(queries, crossing=crossing), strict=True):
        near = {i for i, text in enumerate(every) if Levenshtein.normalized_similarity(query, text) >= threshold - 1e-9}
        wanted = {i for i in near if any(m and query_scripts.isdisjoint(m) for m in holders[every[i]])}
        found = set(sids.tolist())
        assert wanted <= found <= near, (query, threshold)
        if bits == 4:  # skipped: the strings whose marks all have a script of the query's in common
            common = {i for i in near if frozenset.intersection(*holders[every[i]]) & query_scripts}
            assert found == near - common


def test_only_the_containment_space_keeps_a_hash_table() -> None:
    """Exact look-up (containment's pieces of the query) needs a hash table of the strings; the other
    key spaces leave it out, and refuse an exact look-up rather than answer it wrongly."""
    from marksearch.index.segment import build_segment
    from marksearch.store import IndexRow

    rows = [IndexRow(i + 1, "EM", str(i), "registered", "word", None, (9,), mark_keys(t).to_dict())
            for i, t in enumerate(["STONE LION CAPITAL", "LION CAPITAL", "BUDMEN"])]
    segment = build_segment(rows, seq=0)
    unit = segment.spaces["unit"]
    found = [unit.string(int(s)) for s in unit.exact(["lioncapital", "nothing"])]
    assert found == ["lioncapital"]
    with pytest.raises(ValueError, match="without exact look-up"):
        segment.spaces["spell"].exact(["budmen"])
    assert all(space.offsets.dtype == np.uint32 and space.mark_offsets.dtype == np.uint32
               for space in segment.spaces.values())
