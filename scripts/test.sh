#!/usr/bin/env bash
# Install marksearch with its test dependencies, then run the whole suite.
# The bench peers' test starts a real PostgreSQL server (pg_trgm): its Debian
# packages are installed here when missing (as root, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m pytest -q "$@"
