#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each named one (default: all eight) for FUZZ_SECONDS
# seconds (default 60), one after the other, on one worker.
#
#   fuzz/run.sh                      # every target, 60 s each
#   FUZZ_SECONDS=600 fuzz/run.sh page robots
#
# Each target works on a copy of its seed corpus in .build/fuzz/TARGET/corpus (new inputs
# accumulate there from run to run; the seeds in fuzz/corpus stay as committed) and writes
# crash, leak and timeout inputs to .build/fuzz/TARGET/artifacts/. Each run's log is kept
# there too, and a line per run (seconds, executions, outcome) is appended to
# .build/fuzz/runs.tsv, the source of the table in fuzz/README.md. Exits 1 if a run found
# something.
set -uo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz_dir")
work="$root/.build/fuzz"
seconds=${FUZZ_SECONDS:-60}
all=(list-line css-selector page robots resume sitemap frontier json-line warc-tail)
targets=("${@:-${all[@]}}")

for target in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $target "* ]] || { echo "run.sh: unknown target '$target' (one of: ${all[*]})" >&2; exit 2; }
done

# -enable-testing: the targets reach internal API through @testable import.
# -Xswiftc -sanitize=fuzzer,address as well as --sanitize: without it, some builds compiled
# most objects without coverage. lld: with gold, the default linker here, the coverage counters of most objects may be
# left out of the section libFuzzer reads (it then reports 14 counters and no coverage).
build_flags=(-c release -Xswiftc -enable-testing -Xswiftc -use-ld=lld --sanitize=fuzzer --sanitize=address
    -Xswiftc -sanitize=fuzzer,address)
# SwiftPM kept an old build plan of the parent package (its list of source files) across
# builds here, so files added to ParFetch were missing from this build: plan anew each time.
rm -f "$fuzz_dir/.build/release.yaml" "$fuzz_dir/.build/build.db"
(cd "$fuzz_dir" && swift build "${build_flags[@]}") || exit 1
bin=$(cd "$fuzz_dir" && swift build "${build_flags[@]}" --show-bin-path)

status=0
for target in "${targets[@]}"; do
    dir="$work/$target"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -n "$fuzz_dir/corpus/$target/"* "$dir/corpus/" 2>/dev/null
    log="$dir/run-$(date -u +%Y%m%dT%H%M%SZ).log"
    echo "== fuzz-$target for $seconds s (log: $log)"
    # SWIFT_BACKTRACE off: Swift's backtracer would catch the crash before ASan and libFuzzer
    # can report it and save the input. -timeout: an input that takes 10 s is a finding.
    started=$(date +%s)
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        "$bin/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -dict="$fuzz_dir/dicts/$target.dict" \
        -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$log" 2>&1
    code=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # libFuzzer prints "Done N runs in S second(s)" only when it runs out of time; a run that
    # stops on a finding gets its wall-clock seconds instead.
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    took=${took:-$(($(date +%s) - started))}
    if [ $code -eq 0 ]; then
        outcome=clean
    else
        outcome=$(grep -m1 -oE 'invariant broken: .{0,100}|ERROR: [A-Za-z]+: [^(]*|Fatal error: .{0,100}' "$log" || echo "exit $code")
        status=1
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "${took:-?}" "${runs:-?}" "$outcome" >>"$work/runs.tsv"
    echo "   $target: ${took:-?} s, ${runs:-?} executions, $outcome"
    [ $code -eq 0 ] || grep -m3 -E 'Test unit written|invariant broken|SUMMARY' "$log" | sed 's/^/   /'
done
exit $status
