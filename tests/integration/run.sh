#!/bin/sh
# tests/integration/run.sh -- run every tests/integration/test_*.sh against
# the real httpd with the built module.   run.sh OUTDIR [test...]
#
# In the sanitizer pass (SAN_PRELOAD set, make check-asan) a test whose
# header has a line "# asan: skip -- REASON" is skipped when no test was
# named: those are the ones whose worth is interop with real Tomcats (the
# module's code paths they reach are run under ASan by the fake-backend
# tests) and whose JVM start-ups would double the time of make check.
# Each test's wall time is printed, to keep an eye on CI's budget.
set -u
here=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-out}
shift 2>/dev/null
export OUT
status=0
skip_asan=0
if [ $# -gt 0 ]; then
    tests="$*"
else
    tests=$(ls "$here"/test_*.sh)
    [ -n "${SAN_PRELOAD:-}" ] && skip_asan=1
fi
for t in $tests; do
    if [ "$skip_asan" = 1 ] && grep -q '^# asan: skip' "$t"; then
        echo "== $(basename "$t"): not in the sanitizer pass ($(sed -n 's/^# asan: skip -- //p' "$t" | head -n 1))"
        continue
    fi
    echo "== $(basename "$t")"
    start=$(date +%s)
    if ! sh "$t"; then
        status=1
    fi
    echo "== $(basename "$t"): $(($(date +%s) - start)) s"
done
exit $status
