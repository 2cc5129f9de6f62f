#!/bin/sh
# tests/run_unit.sh -- run the Check unit binaries and the fuzz corpus
# replays; append one "name passed failed" row per binary to $RESULTS.
#   tests/run_unit.sh OUTDIR unit-binaries... -- replay-binaries...
set -u
out=$1; shift
: "${RESULTS:=$out/results.txt}"
mkdir -p "$(dirname "$RESULTS")"
export CK_DEFAULT_TIMEOUT=60
status=0
mode=unit
for bin in "$@"; do
    if [ "$bin" = "--" ]; then mode=replay; continue; fi
    name=$(basename "$bin")
    if [ "$mode" = unit ]; then
        log="$out/tests/$name.log"
        "$bin" >"$log" 2>&1
        rc=$?
        # Check prints "NN%: Checks: X, Failures: Y, Errors: Z".
        line=$(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)
        echo "$name: $line"
        checks=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
        fails=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
        f=$(echo "$fails" | awk '{print $1+$2}')
        if [ -z "$checks" ]; then checks=0; f=1; fi
        if [ "$rc" != 0 ] || [ "$f" != 0 ]; then
            grep -E ':[EF]:' "$log" | head -n 40
            [ "$f" = 0 ] && f=1
            status=1
        fi
        echo "$name $((checks - f)) $f" >>"$RESULTS"
    else
        corpus="tests/fuzz/corpus/${name#replay_}"
        crashes="tests/fuzz/crashes/${name#replay_}"
        if "$bin" "$corpus" "$crashes" >"$out/fuzz/$name.log" 2>&1; then
            n=$(tail -n 1 "$out/fuzz/$name.log")
            echo "$name: $n"
            echo "$name 1 0" >>"$RESULTS"
        else
            tail -n 30 "$out/fuzz/$name.log"
            echo "$name: FAILED"
            echo "$name 0 1" >>"$RESULTS"
            status=1
        fi
    fi
done
exit $status
