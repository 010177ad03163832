#!/usr/bin/env bash
# Schemathesis against a live `marksearch serve` on the demo register.
#
# Generates valid and invalid requests from /openapi.json for every REST
# operation and fails on any 5xx (not_a_server_error) and on any answer that
# its OpenAPI document does not describe: status code, content type, body
# schema.  The in-suite twin, tests/test_schemathesis.py, runs the same checks
# in process with fewer examples.
#
#   scripts/schemathesis.sh                      # 200 examples per operation
#   MAX_EXAMPLES=1000 scripts/schemathesis.sh --seed 7   # more; extra arguments go to `schemathesis run`
#
# The register is built once in bench/out/serve_demo.sqlite (about 10 s); the
# report (JUnit XML) and schemathesis's cache go to bench/out/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out/schemathesis"
db="$out/serve_demo.sqlite"
python3 -c "import sys; sys.path.insert(0, '.'); from pathlib import Path; from bench.serve.server import demo_register; demo_register(Path(sys.argv[1]))" "$db"
port=$(python3 -c "import sys; sys.path.insert(0, '.'); from bench.serve.server import free_port; print(free_port())")
python3 -m marksearch serve --db "$db" --host 127.0.0.1 --port "$port" >"$out/schemathesis/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://127.0.0.1:$port/healthz" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { echo "marksearch serve exited; its log:" >&2; cat "$out/schemathesis/serve.log" >&2; exit 1; }
    sleep 0.2
done
cd "$out/schemathesis"  # schemathesis keeps its cache (.schemathesis/) in the current folder
schemathesis run "http://127.0.0.1:$port/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${MAX_EXAMPLES:-200}" --generation-database none --no-color \
    --report junit --report-dir . "$@"
