#!/bin/sh
# tests/summary.sh -- sum the rows every runner appended to the results
# file and print the closing line; fail when anything failed or nothing ran.
set -u
f=${1:?results file}
[ -s "$f" ] || { echo "check: 0 passed, 1 failed (no test ran)"; exit 1; }
awk '{p += $2; f += $3} END {
    printf "check: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' "$f"
