"""Peers used as candidate generators: RapidFuzz, SQLite FTS5, pg_trgm, tantivy.

Each peer indexes ``(id, text)`` pairs and, for a query, returns the ids of
at most ``k`` candidates, best first; the bench then re-ranks them with
marksearch's exact scorer.  Texts and queries arrive already prepared (the
bench passes :func:`prepare`, marksearch's folding), so every peer sees the
same strings.

=================  =========================================================
``rapidfuzz``      brute force: ``process.cdist`` of the query against every
                   text with ``fuzz.ratio`` (normalised Indel similarity), top
                   ``k`` by score, one core; ``rapidfuzz-mt`` on every core
                   (one thread per slice of the texts);
                   ``rapidfuzz-wratio`` with ``fuzz.WRatio`` (about 20 times
                   slower: it adds partial and token-set ratios)
``fts5``           SQLite FTS5 with the ``trigram`` tokenizer (``detail=none``),
                   the query's trigrams joined by ``OR``, ranked by bm25
``pg_trgm``        PostgreSQL ``pg_trgm``, GIN ``gin_trgm_ops`` index, ``%``
                   ordered by ``similarity()``, the threshold lowered step by
                   step until ``k`` rows come back; on a throwaway server
                   (:class:`PgServer`) on 127.0.0.1
``tantivy``        tantivy (Python binding): BM25 over character 3-grams of
                   the text (``Tokenizer.ngram(3, 3)``), the query's 3-grams
                   as ``SHOULD`` term queries
``tantivy-fuzzy``  the same, plus a fuzzy term query (Levenshtein distance 2,
                   1 for words of 4 letters or fewer) for each query word
                   against the words of the marks
=================  =========================================================

Trigram peers pad texts and queries with a space on each side, as pg_trgm
pads words itself, so marks of one or two characters (common in Chinese)
still have trigrams.

>>> peer = RapidFuzzPeer()
>>> peer.build([(1, "coca cola"), (2, "pepsi"), (3, "koka kola")])
>>> peer.candidates("coca kola", 2)
[1, 3]
>>> peer.close()
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from marksearch.store.pgcluster import ClusterUnavailable, PgServer, pg_binaries
from marksearch.text.fold import fold

__all__ = ["Fts5Peer", "Peer", "PeerUnavailable", "PgServer", "PgTrgmPeer", "RapidFuzzPeer",
           "TantivyPeer", "available", "make_peer", "pg_binaries", "prepare", "prepare_with_reading",
           "trigrams", "PEERS", "PREPARERS"]


class PeerUnavailable(RuntimeError):
    """A peer's software is not installed here (the message says what to install)."""


class Peer(Protocol):
    """A candidate generator: build once, then ask for candidates."""

    name: str

    def build(self, marks: Sequence[tuple[int, str]]) -> None:
        """Index ``(id, text)`` pairs (texts already prepared)."""

    def candidates(self, query: str, k: int) -> list[int]:
        """At most ``k`` ids, best first."""

    def close(self) -> None:
        """Free everything: files, servers, memory."""

    def bytes_used(self) -> int:
        """Bytes of the index (on disk, or in memory for in-memory peers)."""


def prepare(text: str) -> str:
    """What peers index and are asked: marksearch's folded form (``"coca cola"``)."""
    return fold(text)


def prepare_with_reading(text: str) -> str:
    """The folded form, then, for a mark not in Latin letters, marksearch's
    first Latin reading of it: a peer given this can match across scripts.

    >>> prepare_with_reading("コカ・コーラ")
    'コカ コーラ cocacola'
    """
    folded = fold(text)
    if folded.isascii():
        return folded
    from marksearch.text.keys import mark_keys
    latin = mark_keys(text).latin
    return f"{folded} {latin[0]}" if latin and latin[0] not in folded else folded


PREPARERS: dict[str, Callable[[str], str]] = {"folded": prepare, "reading": prepare_with_reading}


def trigrams(text: str) -> list[str]:
    """Distinct character trigrams of `` text `` (padded), in order.

    >>> trigrams("ab"), trigrams("abab")
    ([' ab', 'ab '], [' ab', 'aba', 'bab', 'ab '])
    """
    padded = f" {text} "
    return list(dict.fromkeys(padded[i:i + 3] for i in range(len(padded) - 2)))


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- RapidFuzz ----------------------------------------------------------------


class RapidFuzzPeer:
    """Brute force: every text scored against the query with RapidFuzz.

    ``process.cdist`` releases the GIL, so ``workers`` threads each score a
    slice of the texts (RapidFuzz's own ``workers`` splits by query, which
    does not help a single query).
    """

    def __init__(self, scorer: str = "ratio", *, workers: int = 1) -> None:
        from rapidfuzz import fuzz
        self.name = f"rapidfuzz-{scorer}" + ("" if workers == 1 else "-all-cores" if workers < 0 else f"-{workers}-cores")
        self._scorer: Callable[..., float] = getattr(fuzz, scorer)
        self._workers = (os.cpu_count() or 1) if workers < 0 else workers
        self._ids = np.zeros(0, dtype=np.int64)
        self._texts: list[str] = []
        self._slices: list[list[str]] = []
        self._pool: ThreadPoolExecutor | None = None

    def build(self, marks: Sequence[tuple[int, str]]) -> None:
        self._ids = np.fromiter((i for i, _ in marks), dtype=np.int64, count=len(marks))
        # Re-created in one pass, the strings lie side by side in memory: the
        # scan then runs at about 95 ms per million marks instead of 210 ms
        # for strings scattered by the folding that made them.
        self._texts = "\x00".join(t.replace("\x00", " ") for _, t in marks).split("\x00") if marks else []
        step = -(-len(self._texts) // self._workers) if self._texts else 1
        self._slices = [self._texts[i:i + step] for i in range(0, len(self._texts), step)]
        if self._workers > 1:
            self._pool = ThreadPoolExecutor(self._workers)

    def _scores(self, query: str) -> np.ndarray:
        from rapidfuzz import process

        def score(texts: list[str]) -> np.ndarray:
            scores: np.ndarray = process.cdist([query], texts, scorer=self._scorer)[0]
            return scores

        if self._pool is None or len(self._slices) == 1:
            return score(self._texts)
        return np.concatenate(list(self._pool.map(score, self._slices)))

    def candidates(self, query: str, k: int) -> list[int]:
        if not self._texts:
            return []
        scores = self._scores(query)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((self._ids[top], -scores[top]))]
        return [int(i) for i in self._ids[top]]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self._texts, self._slices = [], []
        self._ids = np.zeros(0, dtype=np.int64)

    def bytes_used(self) -> int:
        return (sum(sys.getsizeof(t) for t in self._texts) + sys.getsizeof(self._texts)
                + self._ids.nbytes)


# -- SQLite FTS5 ----------------------------------------------------------------


class Fts5Peer:
    """SQLite FTS5, ``trigram`` tokenizer, OR of the query's trigrams, bm25 order."""

    name = "fts5-trigram"
    BATCH = 50_000

    def __init__(self, *, build_timeout_s: float = 3600.0, query_timeout_s: float = 10.0) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="bench-fts5-"))
        self._path = self._dir / "marks.sqlite"
        self._db = sqlite3.connect(self._path)
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
        self._build_timeout_s, self._query_timeout_s = build_timeout_s, query_timeout_s

    def _limit(self, seconds: float) -> None:
        """Abort the running statement after ``seconds`` (checked every 10,000 VM steps)."""
        stop = time.perf_counter() + seconds
        self._db.set_progress_handler(lambda: int(time.perf_counter() > stop), 10_000)

    def build(self, marks: Sequence[tuple[int, str]]) -> None:
        self._db.execute("CREATE VIRTUAL TABLE marks USING fts5(text, tokenize='trigram', detail=none)")
        self._limit(self._build_timeout_s)
        for start in range(0, len(marks), self.BATCH):
            self._db.executemany("INSERT INTO marks(rowid, text) VALUES (?, ?)",
                                 ((i, f" {t} ") for i, t in marks[start:start + self.BATCH]))
        self._db.execute("INSERT INTO marks(marks) VALUES ('optimize')")
        self._db.commit()
        self._db.set_progress_handler(None, 0)

    def query_sql(self, query: str) -> tuple[str, str]:
        """The statement and MATCH expression a query runs (for reading)."""
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in trigrams(query))
        return "SELECT rowid FROM marks WHERE marks MATCH ? ORDER BY rank LIMIT ?", match

    def candidates(self, query: str, k: int) -> list[int]:
        sql, match = self.query_sql(query)
        self._limit(self._query_timeout_s)
        try:
            return [row[0] for row in self._db.execute(sql, (match, k))]
        except sqlite3.OperationalError as e:  # interrupted: past the time limit
            if "interrupt" not in str(e):
                raise
            return []
        finally:
            self._db.set_progress_handler(None, 0)

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def bytes_used(self) -> int:
        return self._path.stat().st_size if self._path.exists() else 0


# -- PostgreSQL pg_trgm --------------------------------------------------------


# PgServer and pg_binaries live in marksearch.store.pgcluster (the tests' cluster too).


class PgTrgmPeer:
    """pg_trgm on a throwaway server: GIN ``gin_trgm_ops``, ``%`` then ``similarity()``."""

    name = "pg_trgm-gin"
    THRESHOLDS = (0.3, 0.2, 0.12, 0.06)

    def __init__(self, *, build_timeout_s: float = 3600.0, query_timeout_s: float = 10.0) -> None:
        try:
            import psycopg
        except ImportError as e:
            raise PeerUnavailable('psycopg is not installed (pip install "psycopg[binary]")') from e
        try:
            self.server = PgServer().start()
        except ClusterUnavailable as e:
            raise PeerUnavailable(str(e)) from e
        try:
            self.conn: Any = psycopg.connect(self.server.conninfo(), autocommit=True)
            self.conn.execute("CREATE EXTENSION pg_trgm")
        except BaseException:
            self.server.stop()
            raise
        self._build_timeout_ms = int(build_timeout_s * 1000)
        self._query_timeout_ms = int(query_timeout_s * 1000)

    def build(self, marks: Sequence[tuple[int, str]]) -> None:
        c = self.conn
        c.execute(f"SET statement_timeout = {self._build_timeout_ms}")
        c.execute("CREATE UNLOGGED TABLE marks (id bigint NOT NULL, text text NOT NULL)")
        with c.cursor() as cur, cur.copy("COPY marks (id, text) FROM STDIN") as copy:
            for row in marks:
                copy.write_row(row)
        c.execute("CREATE INDEX marks_trgm ON marks USING gin (text gin_trgm_ops)")
        c.execute("VACUUM ANALYZE marks")
        c.execute(f"SET statement_timeout = {self._query_timeout_ms}")

    SQL = "SELECT id FROM marks WHERE text %% %s ORDER BY similarity(text, %s) DESC, id LIMIT %s"

    def candidates(self, query: str, k: int) -> list[int]:
        import psycopg
        ids: list[int] = []
        for threshold in self.THRESHOLDS:
            self.conn.execute(f"SET pg_trgm.similarity_threshold = {threshold}")
            try:
                ids = [r[0] for r in self.conn.execute(self.SQL, (query, query, k))]
            except psycopg.errors.QueryCanceled:
                break
            if len(ids) >= k:
                break
        return ids

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self.server.stop()

    def bytes_used(self) -> int:
        row = self.conn.execute("SELECT pg_total_relation_size('marks')").fetchone()
        return int(row[0]) if row else 0


# -- tantivy ------------------------------------------------------------------


class TantivyPeer:
    """tantivy: BM25 over character 3-grams, optionally with fuzzy word terms."""

    def __init__(self, *, fuzzy: bool = False, heap_bytes: int = 1_000_000_000, threads: int = 2) -> None:
        try:
            import tantivy
        except ImportError as e:
            raise PeerUnavailable("tantivy is not installed (pip install tantivy)") from e
        self._t = tantivy
        self.name = "tantivy-ngram" + ("+fuzzy" if fuzzy else "")
        self.fuzzy = fuzzy
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=False, indexed=False, fast=True)
        builder.add_text_field("grams", tokenizer_name="trigram", index_option="freq")
        if fuzzy:
            builder.add_text_field("words", tokenizer_name="whitespace_lower", index_option="basic")
        self.schema = builder.build()
        self._dir = Path(tempfile.mkdtemp(prefix="bench-tantivy-"))
        self.index = tantivy.Index(self.schema, path=str(self._dir))
        ngram = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(3, 3, False)).build()
        words = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                 .filter(tantivy.Filter.lowercase()).build())
        self.index.register_tokenizer("trigram", ngram)
        self.index.register_tokenizer("whitespace_lower", words)
        self._heap, self._threads = heap_bytes, threads
        self.searcher: Any = None

    def build(self, marks: Sequence[tuple[int, str]]) -> None:
        t = self._t
        writer = self.index.writer(self._heap, self._threads)
        for i, text in marks:
            doc = t.Document(id=i, grams=f" {text} ")
            if self.fuzzy:
                doc.add_text("words", text)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, text: str) -> Any:
        """The tantivy query for ``text``."""
        t = self._t
        clauses = [(t.Occur.Should, t.Query.term_query(self.schema, "grams", g)) for g in trigrams(text)]
        if self.fuzzy:
            for word in dict.fromkeys(text.split()):
                if len(word) >= 3:
                    distance = 1 if len(word) <= 4 else 2
                    fuzzy = t.Query.fuzzy_term_query(self.schema, "words", word, distance=distance,
                                                     transposition_cost_one=True)
                    clauses.append((t.Occur.Should, t.Query.boost_query(fuzzy, 2.0)))
        return t.Query.boolean_query(clauses)

    def candidates(self, query: str, k: int) -> list[int]:
        hits = self.searcher.search(self.query(query), limit=k, count=False).hits
        if not hits:
            return []
        ids = self.searcher.fast_field_values("id", [address for _score, address in hits])
        return [int(i) for i in ids]

    def close(self) -> None:
        self.searcher = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def bytes_used(self) -> int:
        return _dir_bytes(self._dir)


# -- registry -----------------------------------------------------------------

PEERS: dict[str, tuple[Callable[..., Peer], dict[str, Any]]] = {
    "rapidfuzz": (RapidFuzzPeer, {"scorer": "ratio"}),
    "rapidfuzz-mt": (RapidFuzzPeer, {"scorer": "ratio", "workers": -1}),
    "rapidfuzz-wratio": (RapidFuzzPeer, {"scorer": "WRatio", "workers": -1}),
    "fts5": (Fts5Peer, {}),
    "pg_trgm": (PgTrgmPeer, {}),
    "tantivy": (TantivyPeer, {}),
    "tantivy-fuzzy": (TantivyPeer, {"fuzzy": True}),
}
_TIMED = (Fts5Peer, PgTrgmPeer)  # the peers that can stop a statement past a time limit


def make_peer(name: str, *, build_timeout_s: float = 3600.0, query_timeout_s: float = 10.0) -> Peer:
    """A new peer by its name in :data:`PEERS` (raises :class:`PeerUnavailable`).

    The time limits apply to the peers that can interrupt their own work
    (FTS5 through a progress handler, PostgreSQL through ``statement_timeout``).
    """
    factory, options = PEERS[name]
    if factory in _TIMED:
        options = {**options, "build_timeout_s": build_timeout_s, "query_timeout_s": query_timeout_s}
    return factory(**options)


def available(names: Iterable[str] = PEERS) -> list[str]:
    """The peers whose software is installed here."""
    ok = []
    for name in names:
        if name == "pg_trgm":
            try:
                import psycopg  # noqa: F401
            except ImportError:
                continue
            if pg_binaries() is None:
                continue
        if name.startswith("tantivy"):
            try:
                import tantivy  # noqa: F401
            except ImportError:
                continue
        ok.append(name)
    return ok
