#!/usr/bin/env bash
# Install everything the tests need (a virtualenv in .venv, Debian's Chromium when root)
# and run the test suite. Extra arguments go to pytest. Set DATABASE_URL to run the same
# tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
fi

# Tests never touch a real data folder.
export AIGAK_DATA_DIR="${AIGAK_TEST_DATA_DIR:-$(mktemp -d)}"
# The tests run in parallel, one worker per core (pytest-xdist); each worker has its own
# test database; a worker that runs out of tests takes some from another (worksteal), so a
# long test near the end does not leave the other core idle.
exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
