# Sourced by the scripts that test the running API from outside (scripts/test-contract,
# scripts/test-web): builds the binaries (unless THESET_BIN_DIR names prebuilt ones), creates a
# fresh database on the dev cluster, migrates and seeds it, starts the API on a free port as
# theset_api, and stops it and drops the database on exit, whatever happened.
#
# After `test_api_start <name>`: $api_url (the API's base URL), $owner_url (the database as its
# owner), $test_api_ctl (`$test_api_ctl start | stop` restarts the API on the same port and
# database: a script of its own, so tests in other languages can call it), $test_api_work (a
# scratch directory, removed on exit). `test_api_token <email> [minutes]` mints a token.
# The API's settings: THESET_DEV_MODE and SUPABASE_JWT_SECRET (a public one), RUST_LOG, and any
# *_RATE_LIMIT_PER_MINUTE or CORS_ALLOWED_ORIGINS in the environment.

bin="${THESET_BIN_DIR:-target/debug}"
test_api_db="" test_api_work="" test_api_ctl="" test_api_cleanups=()

test_api_cleanup() {
  local status=$?
  set +e
  for extra in "${test_api_cleanups[@]}"; do "$extra"; done
  [ -n "$test_api_ctl" ] && "$test_api_ctl" stop >/dev/null 2>&1
  if [ -n "$test_api_db" ]; then
    psql -X -q "$(scripts/db url postgres)" -c "DROP DATABASE IF EXISTS \"$test_api_db\" WITH (FORCE)" >/dev/null 2>&1
  fi
  if [ "$status" -ne 0 ] && [ -s "$test_api_work/api.log" ]; then
    echo "last lines of the API's log:" >&2
    tail -n 40 "$test_api_work/api.log" >&2
  fi
  [ -n "$test_api_work" ] && rm -rf "$test_api_work"
  exit "$status"
}

# A port nobody listens on (the kernel picks it).
test_api_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# $1: a name for the database (letters and _).
test_api_start() {
  scripts/db start >/dev/null
  if [ -z "${THESET_BIN_DIR:-}" ]; then
    cargo build -q --workspace --all-features --bins --examples
    bin=target/debug
  fi
  bin="$(cd "$bin" && pwd)"
  [ -x "$bin/examples/dev_token" ] && token_bin="$bin/examples/dev_token" || token_bin="$bin/dev_token"
  for tool in "$bin/theset-api" "$bin/migrate" "$bin/seed" "$token_bin"; do
    [ -x "$tool" ] || { echo "$tool is missing (set THESET_BIN_DIR to where the binaries are)" >&2; return 1; }
  done
  test_api_work="$(mktemp -d -t theset-api.XXXXXX)"
  trap test_api_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local server
  server="$(scripts/db url postgres)"
  # Databases of earlier runs killed before they could drop theirs (the name ends in the pid).
  psql -X -At "$server" -c "SELECT datname FROM pg_database WHERE datname LIKE 'theset\_outside\_%'" |
    while read -r stale; do
      kill -0 "${stale##*_}" 2>/dev/null || psql -X -q "$server" -c "DROP DATABASE IF EXISTS \"$stale\" WITH (FORCE)"
    done
  test_api_db="theset_outside_${1}_$$"
  psql -X -q "$server" -c "CREATE DATABASE \"$test_api_db\""
  owner_url="$(scripts/db url "$test_api_db")"
  "$bin/migrate" --database-url "$owner_url" run >/dev/null
  "$bin/seed" --database-url "$owner_url" --dir seeds >/dev/null
  api_url="http://127.0.0.1:$(test_api_free_port)"

  # A public secret: the API accepts it only in development mode.
  export SUPABASE_JWT_SECRET="test-only-secret-0123456789abcdef0123456789"
  {
    printf 'export DATABASE_URL=%q\n' "${owner_url/postgres@/theset_api@}"
    printf 'export THESET_DEV_MODE=1 SUPABASE_JWT_SECRET=%q\n' "$SUPABASE_JWT_SECRET"
    printf 'export API_BIND=%q RUST_LOG=%q\n' "${api_url#http://}" "${RUST_LOG:-warn}"
    for name in $(compgen -e | grep -E '_RATE_LIMIT_PER_MINUTE$|^CORS_ALLOWED_ORIGINS$'); do
      printf 'export %s=%q\n' "$name" "${!name}"
    done
    printf 'api_bin=%q api_url=%q\n' "$bin/theset-api" "$api_url"
  } >"$test_api_work/api-env"
  test_api_ctl="$test_api_work/api-ctl"
  cat >"$test_api_ctl" <<'CTL'
#!/usr/bin/env bash
# api-ctl start | stop: this test run's API (pid in api.pid, output appended to api.log).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/api-env"
case "${1:-}" in
  start)
    # In the background, outliving the caller (a test may have asked); stop kills it by pid.
    "$api_bin" >>"$here/api.log" 2>&1 </dev/null &
    echo $! >"$here/api.pid"
    # Ready: the database answers and migrations are current.
    for _ in $(seq 600); do
      kill -0 "$(cat "$here/api.pid")" 2>/dev/null || { echo "api-ctl: the API exited" >&2; exit 1; }
      curl -sf "$api_url/ready" >/dev/null && exit 0
      sleep 0.1
    done
    echo "api-ctl: the API did not get ready in 60 s" >&2
    exit 1
    ;;
  stop)
    [[ -f $here/api.pid ]] || exit 0
    pid="$(cat "$here/api.pid")"
    rm -f "$here/api.pid"
    # SIGKILL: a crash, not a graceful shutdown; clients' streams must recover from that.
    kill -KILL "$pid" 2>/dev/null || exit 0
    # Gone once reaped, or a zombie (its sockets closed) where nothing reaps orphans.
    for _ in $(seq 600); do
      kill -0 "$pid" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || exit 0
      sleep 0.05
    done
    echo "api-ctl: pid $pid did not exit" >&2
    exit 1
    ;;
  *)
    echo "usage: api-ctl start | stop" >&2
    exit 2
    ;;
esac
CTL
  chmod +x "$test_api_ctl"
  "$test_api_ctl" start
}

# $1: a seeded user's email; $2: minutes (default 120).
test_api_token() {
  local id
  id="$(psql -X -At "$owner_url" -c "SELECT id FROM users WHERE email = '$1'")"
  [ -n "$id" ] || { echo "no user $1" >&2; return 1; }
  "$token_bin" "$id" "$1" "${2:-120}"
}
