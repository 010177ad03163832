#!/usr/bin/env bash
# Install marksearch with its test dependencies, then run the whole suite.
# Debian packages the suite needs are installed here when missing (as root,
# as in CI), with one apt-get update:
#   - postgresql: the bench peers' test starts a real PostgreSQL server (pg_trgm);
#   - chromium: the browser tests (tests/e2e) drive Debian's chromium through
#     Playwright, which downloads no browser of its own;
#   - fonts-noto-cjk: Chinese, Korean and Japanese text in that browser.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 MARKSEARCH_CHROMIUM="${MARKSEARCH_CHROMIUM:-/usr/bin/chromium}"
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
# A worker per core (at most 4), each test file on one worker: the files' own fixtures (a register
# of 100,000 keyed marks, a browser and server, a grown goods base) are built once, not once a worker.
# Files are handed out in the order tests/conftest.py collects them (the slowest first), not by
# their number of tests, which put the relevance files, few tests and minutes each, last.
python3 -m pytest -q --numprocesses auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder "$@"
