#!/bin/sh
# tests/integration/run.sh -- run every tests/integration/test_*.sh against
# the real httpd with the built module.   run.sh OUTDIR [test...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-out}
shift 2>/dev/null
export OUT
status=0
if [ $# -gt 0 ]; then
    tests="$*"
else
    tests=$(ls "$here"/test_*.sh)
fi
for t in $tests; do
    echo "== $(basename "$t")"
    if ! sh "$t"; then
        status=1
    fi
done
exit $status
