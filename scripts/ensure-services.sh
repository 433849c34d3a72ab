#!/usr/bin/env bash
# Start the local PostgreSQL cluster if it is installed but not running. The storage tests
# need it under CI (CI=true makes a missing server a failure instead of a skip).
set -uo pipefail
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    for v in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi
pg_isready -h 127.0.0.1 -p 5432 || echo "PostgreSQL is not reachable on 127.0.0.1:5432"

# The browser tests drive Debian's chromium (never a browser downloaded by Playwright).
# Installed once; a no-op when it is already there.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
      >/tmp/amparo-chromium-install.log 2>&1 \
      || echo "chromium could not be installed (see /tmp/amparo-chromium-install.log)"
  else
    echo "chromium is missing: run 'apt-get install chromium' as root for the browser tests"
  fi
fi
exit 0
