# Sourced by scripts that need the fixture server (run from the repository root):
# `start_fixture_server [PAGES_DIR]` starts .build/release/fixture-server on a free loopback
# port in a temporary directory "$work", sets $base to its URL and stops it (by PID) and
# removes "$work" on exit.
work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

start_fixture_server() {
    .build/release/fixture-server --port 0 ${1:+--pages "$1"} >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$work/server.out" ] && break
        sleep 0.1
    done
    base=$(head -n 1 "$work/server.out")
    [ -n "$base" ] || { echo "fixture server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
}
