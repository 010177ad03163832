"""bench/search: generated registers, queries and peer candidate generators.

* :mod:`bench.search.generate`: :func:`generate_register`, a seeded register
  of realistic marks (offices, scripts, classes, statuses, years);
* :mod:`bench.search.queries`: :func:`generate_queries`, queries of six kinds;
* :mod:`bench.search.peers`: RapidFuzz, SQLite FTS5, pg_trgm and tantivy
  behind one :class:`~bench.search.peers.Peer` protocol;
* :mod:`bench.search.run_peers`: the driver that times them side by side.
* :mod:`bench.search.run`: the search bench: marksearch, the peers plus exact
  re-ranking and brute force, recall@50 against the exhaustive reference.

See ``docs/bench-search.md``.
"""

from bench.search.generate import GeneratedMark, generate_register, iter_register
from bench.search.queries import KINDS, Query, generate_queries

__all__ = ["KINDS", "GeneratedMark", "Query", "generate_queries", "generate_register", "iter_register"]
