#!/usr/bin/env bash
# Proves that `make install` gives a parfetch that runs without the Swift toolchain: installs
# into a temporary PREFIX, checks the man page and completions are there, that the binary
# links no Swift library (ldd), and runs it against the fixture server with an empty
# environment (no PATH to the toolchain, empty LD_LIBRARY_PATH).
#
#   scripts/check-install.sh      (builds .build/static and .build/release as needed)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-install: FAILED: $*" >&2; exit 1; }

prefix=$(mktemp -d)
source scripts/fixture-server.sh
trap 'cleanup; rm -rf "$prefix"' EXIT

make install PREFIX="$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log" >&2; fail "make install"; }
rm -f "$prefix.log"
bin=$prefix/bin/parfetch
for file in bin/parfetch share/man/man1/parfetch.1 share/bash-completion/completions/parfetch \
            share/zsh/site-functions/_parfetch share/fish/vendor_completions.d/parfetch.fish; do
    [ -s "$prefix/$file" ] || fail "$file was not installed"
    echo "installed $file"
done

echo "ldd $bin:"
ldd "$bin" | sed 's/^/    /'
if ldd "$bin" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift'; then
    fail "the binary needs the Swift runtime"
fi
echo "no Swift library among them"

[ -x .build/release/fixture-server ] || swift build -c release --product fixture-server >/dev/null
start_fixture_server
record=$(echo "$base/page/index.html" | env -i LD_LIBRARY_PATH= "$bin" -q --fields status,title -)
echo "env -i LD_LIBRARY_PATH= $bin -q --fields status,title - <<< $base/page/index.html"
echo "    $record"
[ "$record" = '{"status":200,"title":"parfetch fixtures"}' ] || fail "unexpected record: $record"
echo "check-install: OK"
