"""bench/serve: the load run's requests and its reading of wrk's summary (wrk itself is not run here)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.serve.run import FILTERS, LUA, LoadResult, request_paths, row  # noqa: E402
from marksearch.web.service import SearchParams  # noqa: E402


def test_every_request_of_the_load_is_a_valid_search() -> None:
    paths = request_paths(400, endpoint="api")
    assert len(set(paths)) > 300  # real names, not one query repeated
    filtered = 0
    for path in paths:
        parts = urlsplit(path)
        assert parts.path == "/api/v1/search"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        params = SearchParams.parse(pairs)  # raises BadParameter for a request the server would refuse
        params.validate()
        filtered += len(pairs) > 1
    assert filtered == 100  # every fourth
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]", SearchParams.parse(
        parse_qsl(urlsplit(p).query)).q) for p in paths)  # some CJK names among them


def test_the_same_seed_gives_the_same_requests() -> None:
    assert request_paths(50, seed=3) == request_paths(50, seed=3) != request_paths(50, seed=4)
    assert all(p.startswith("/search?q=") for p in request_paths(5, endpoint="html"))
    assert len(FILTERS) >= 4


def test_the_summary_counts_every_error_and_5xx_apart() -> None:
    line = ('{"requests": 1200, "duration_us": 30000000, "p50_us": 12500, "p90_us": 30000, "p99_us": 81200, '
            '"max_us": 120000, "connect_errors": 1, "read_errors": 0, "write_errors": 0, "timeouts": 2, '
            '"status_2xx": 1190, "status_3xx": 0, "status_4xx": 6, "status_5xx": 4}')
    result = LoadResult.parse("Running 30s test @ http://127.0.0.1:1\n" + line + "\n", workers=2, connections=16,
                              load_before=1.25)
    assert result.per_second == 40.0
    assert (result.errors, result.status_5xx) == (13, 4)
    assert row(result) == [2, 16, "30 s", "1,200", "40.0", "12.5 ms", "81.2 ms", "13", "4", "1.2"]
    lua = LUA.read_text()
    for key in ("requests", "duration_us", "p50_us", "p99_us", "status_5xx", "connect_errors", "timeouts"):
        assert f'"{key}"' in lua  # the script prints what the parser reads
