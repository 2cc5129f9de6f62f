#!/bin/sh
# run_cpu.sh -- run one libFuzzer target until it has used a given amount
# of CPU time, at the lowest priority, and keep its log.
#
#   tests/fuzz/run_cpu.sh NAME CPU_SECONDS [OUT]
#
# Why CPU time and not -max_total_time: this 2-core machine is shared with
# builds and test runs, and libFuzzer's clock is wall time, so "ran an hour"
# would mean less than an hour of fuzzing whenever anything else runs.  The
# fuzzer is niced and stopped with SIGINT (libFuzzer then prints its final
# stats) once user+system time of the process reaches CPU_SECONDS.
# Work corpus: OUT/fuzz/work_NAME; log: OUT/fuzz/hours_NAME.log; crash
# inputs: tests/fuzz/crashes/NAME/.  Merging the work corpus into
# tests/fuzz/corpus/NAME is left to the caller (see docs/TESTING.md).
set -eu

name=$1
limit=$2
out=${3:-out}
bin=$out/fuzz/libfuzzer_$name
work=$out/fuzz/work_$name
log=$out/fuzz/hours_$name.log

[ -x "$bin" ] || { echo "run_cpu.sh: $bin not built (make $bin)" >&2; exit 2; }
mkdir -p "$work" "tests/fuzz/crashes/$name"
tick=$(getconf CLK_TCK)

start=$(date +%s)
nice -n 19 "$bin" -print_final_stats=1 \
    -artifact_prefix="tests/fuzz/crashes/$name/" \
    "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' INT TERM

cpu=0
while kill -0 "$pid" 2>/dev/null; do
    # Fields 14 and 15 of /proc/PID/stat: utime and stime in clock ticks,
    # summed over every thread of the process.  The command name (field 2)
    # is in parentheses and has no spaces here, so plain splitting works.
    if stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
        cpu=$(echo "$stat" | awk -v t="$tick" '{ print int(($14 + $15) / t) }')
        if [ "$cpu" -ge "$limit" ]; then
            kill -INT "$pid" 2>/dev/null || true
            break
        fi
    fi
    sleep 10
done
rc=0
wait "$pid" || rc=$?
end=$(date +%s)
echo "run_cpu.sh: $name cpu_seconds=$cpu wall_seconds=$((end - start)) exit=$rc" \
    >>"$log"
tail -n 12 "$log"
# libFuzzer exits 72 (its interrupt code) when stopped by SIGINT; any other
# non-zero exit is a finding.
[ "$rc" -eq 0 ] || [ "$rc" -eq 72 ] || [ "$rc" -eq 130 ]
