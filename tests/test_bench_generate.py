"""bench/search: the register generator, the queries and every installed peer."""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search.generate import (OFFICES, SCRIPTS, STATUS_SHARES, GeneratedMark,  # noqa: E402
                                   generate_register, load_register, planted_ids, save_register)
from bench.search.peers import PEERS, make_peer, pg_binaries, prepare  # noqa: E402
from bench.search.queries import KINDS, generate_queries  # noqa: E402
from bench.search.translit import to_cyrillic, to_han, to_hangul, to_katakana  # noqa: E402

N = 40_000


@pytest.fixture(scope="module")
def register() -> list[GeneratedMark]:
    return list(generate_register(N, seed=11))


def test_same_seed_same_register() -> None:
    first = list(generate_register(3000, seed=5))
    assert first == list(generate_register(3000, seed=5))
    assert first != list(generate_register(3000, seed=6))
    assert [m.id for m in first] == list(range(3000))


def test_fields_are_well_formed(register: list[GeneratedMark]) -> None:
    for mark in register:
        assert mark.office in OFFICES and mark.script in SCRIPTS
        assert mark.status in STATUS_SHARES
        assert mark.nice_classes and all(1 <= c <= 45 for c in mark.nice_classes)
        assert list(mark.nice_classes) == sorted(set(mark.nice_classes))
        assert 1970 <= mark.filing_year <= 2025
        assert mark.mark_text.strip() and "\t" not in mark.mark_text and "\n" not in mark.mark_text


def test_offices_and_statuses_in_documented_proportions(register: list[GeneratedMark]) -> None:
    offices = collections.Counter(m.office for m in register)
    total = sum(share for share, _ in OFFICES.values())
    for office, (share, _scripts) in OFFICES.items():
        assert offices[office] / N == pytest.approx(share / total, abs=0.01), office
    statuses = collections.Counter(m.status for m in register)
    for status, share in STATUS_SHARES.items():
        assert statuses[status] / N == pytest.approx(share, abs=0.01), status


def test_scripts_follow_their_offices(register: list[GeneratedMark]) -> None:
    scripts = collections.Counter(m.script for m in register)
    assert set(scripts) == set(SCRIPTS), "every script appears"
    cn = [m for m in register if m.office == "CN"]
    assert sum(m.script == "Hani" for m in cn) / len(cn) == pytest.approx(0.72, abs=0.03)
    assert all(m.script == "Latn" for m in register if m.office == "US")
    han = [m.mark_text for m in register if m.script == "Hani"]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in text) for text in han)
    assert all(any("\uac00" <= c <= "\ud7a3" for c in m.mark_text) for m in register if m.script == "Hang")
    assert all(any("\u30a0" <= c <= "\u30ff" for c in m.mark_text) for m in register if m.script == "Kana")
    assert all(any("\u0400" <= c <= "\u04ff" for c in m.mark_text) for m in register if m.script == "Cyrl")


def test_classes_are_skewed(register: list[GeneratedMark]) -> None:
    classes = collections.Counter(c for m in register for c in m.nice_classes)
    top = [c for c, _ in classes.most_common(5)]
    assert top[0] == 35 and 9 in top
    counts = collections.Counter(len(m.nice_classes) for m in register)
    assert counts[1] / N > 0.6 and max(counts) >= 5


def test_latin_marks_look_like_marks(register: list[GeneratedMark]) -> None:
    latin = [m.mark_text for m in register if m.script == "Latn"]
    words = collections.Counter(len(t.split()) for t in latin)
    assert 0.4 < words[1] / len(latin) < 0.65 and words[2] > words[3] > words[4]
    assert len(set(latin)) / len(latin) > 0.8, "mostly distinct"
    assert sum(t.isupper() for t in latin) / len(latin) > 0.4


def test_cross_script_brands_are_planted(register: list[GeneratedMark]) -> None:
    texts = {register[i].mark_text for i in planted_ids(N, 11)}
    assert {"Adidas", "阿迪达斯", "Starbucks", "スターバックス", "유니클로"} <= texts


def test_queries_of_every_kind(register: list[GeneratedMark]) -> None:
    sample = register[::10] + [register[i] for i in planted_ids(N, 11)]
    queries = generate_queries(sample, seed=3, n_per_kind=20)
    assert queries == generate_queries(sample, seed=3, n_per_kind=20)
    kinds = collections.Counter(q.kind for q in queries)
    assert kinds == {kind: 20 for kind in KINDS}
    by_id = {m.id: m for m in register}
    for q in queries:
        if q.kind == "unrelated":
            assert q.source_id is None
            continue
        assert q.source_id in by_id and q.text != by_id[q.source_id].mark_text
    other = [q for q in queries if q.kind == "other_script"]
    assert sum(not q.text.isascii() for q in other) >= 10, "mostly renderings of Latin marks"
    assert any(q.source_id in planted_ids(N, 11) for q in other), "and some known brands"


def test_transliterations() -> None:
    assert to_katakana("star") == "スター" and to_hangul("cola") == "콜라"
    assert to_cyrillic("STAR") == "СТАР" and to_han("adidas") == "阿迪达斯"


def test_register_cache_round_trips(tmp_path: Path) -> None:
    marks = list(generate_register(500, seed=2))
    path = tmp_path / "register.tsv"
    assert list(save_register(path, iter(marks))) == marks
    assert list(load_register(path)) == marks


# -- peers ----------------------------------------------------------------------

_NEEDS = {"tantivy": "tantivy", "tantivy-fuzzy": "tantivy", "pg_trgm": "psycopg"}


def _skip_unavailable(name: str) -> None:
    module = _NEEDS.get(name)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install {'psycopg[binary]' if module == 'psycopg' else module})")
    if name == "pg_trgm" and pg_binaries() is None:
        pytest.skip("PostgreSQL binaries are not installed (apt-get install postgresql postgresql-contrib)")


@pytest.fixture(scope="module")
def small_register() -> list[GeneratedMark]:
    return list(generate_register(2000, seed=4))


@pytest.mark.parametrize("name", list(PEERS))
def test_peer_finds_the_planted_mark(name: str, small_register: list[GeneratedMark]) -> None:
    _skip_unavailable(name)
    marks = [(m.id, prepare(m.mark_text)) for m in small_register]
    counts = collections.Counter(text for _, text in marks)
    planted = {}
    for m in small_register:  # one mark of each script, with a text no other mark has
        text = prepare(m.mark_text)
        if m.script not in planted and counts[text] == 1 and len(text) >= 2:
            planted[m.script] = (m.id, text)
    assert {"Latn", "Hani", "Hang", "Kana", "Cyrl"} <= set(planted)
    peer = make_peer(name)
    try:
        peer.build(marks)
        assert peer.bytes_used() > 0
        for script, (mark_id, text) in planted.items():
            found = peer.candidates(text, 20)
            assert mark_id in found[:3], (script, text, found)
            assert len(found) <= 20
    finally:
        peer.close()


def test_pg_server_is_gone_after_close() -> None:
    _skip_unavailable("pg_trgm")
    peer = make_peer("pg_trgm")
    server = peer.server  # type: ignore[attr-defined]
    peer.close()
    assert not server.running and not server.dir.exists()
