#!/usr/bin/env bash
# Run every check riik has, on a fresh Debian machine or a developer's one:
#   Debian tools (installed when missing and run as root) → npm ci → build → format/lint →
#   a throwaway PostgreSQL cluster → the whole test suite → stop the cluster.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

START=$(date +%s)
step() { printf '\n\033[1m== %s\033[0m  (%ss)\n' "$*" "$(($(date +%s) - START))"; }

# --- Debian tools the interop tests call -------------------------------------------------
# command → Debian package
declare -A NEED=(
  [openssl]=openssl
  [xmlsec1]=xmlsec1
  [chromium]=chromium
  [initdb]=postgresql
  [curl]=curl
  [unzip]=unzip
)
find_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && { echo "$dir"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}
missing=()
for cmd in "${!NEED[@]}"; do
  if [ "$cmd" = initdb ]; then [ -n "$(find_pg_bin || true)" ] || missing+=("${NEED[$cmd]}")
  else command -v "$cmd" >/dev/null || missing+=("${NEED[$cmd]}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} — run as root to install them, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# --- npm dependencies and build ------------------------------------------------------------
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.riik-lock 2>/dev/null || true)" != "$lock_sum" ]; then
  step "npm ci"
  npm ci --no-fund --no-audit
  echo "$lock_sum" > node_modules/.riik-lock
fi
step "build + type-check (tsc -b)"
npx tsc -b
step "format (prettier --check) and lint (eslint), in parallel"
npx prettier --check . > /tmp/riik-prettier.$$ 2>&1 &
prettier_pid=$!
lint_status=0
npx eslint --max-warnings 0 . || lint_status=$?
if ! wait "$prettier_pid"; then cat /tmp/riik-prettier.$$; rm -f /tmp/riik-prettier.$$; exit 1; fi
rm -f /tmp/riik-prettier.$$
[ "$lint_status" = 0 ] || exit "$lint_status"

# --- throwaway PostgreSQL ------------------------------------------------------------------
PG_BIN=$(find_pg_bin)
PG_DIR=$(mktemp -d /tmp/riik-pg.XXXXXX)
PG_PORT=${RIIK_TEST_PG_PORT:-54329}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  chown postgres "$PG_DIR"
fi
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_pg EXIT
step "throwaway PostgreSQL on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
export RIIK_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export CI=${CI:-1}

# --- tests ---------------------------------------------------------------------------------
step "tests (vitest)"
npx vitest run "$@"
step "done"
