#!/bin/sh
# tests/integration/test_slowstart.sh -- slow start through the real
# httpd: a member that returns (here: its health check passes again) gets
# a share of new requests that grows from near 0 to its lbfactor share
# over slow_start=20 seconds, measured in 2-second windows; the status
# shows its effective lbfactor below 1 meanwhile; one log line when the
# ramp is over.  The rule is tolerant (early windows against late ones),
# since the machine is shared and noisy.
. "$(dirname "$0")/lib.sh"

for b in b1 b2; do
    start_backend $b --secret s --route w${b#b} \
        --status-file "$IT_TMP/$b.status"
    eval "P_$b=\$BACKEND_PORT"
done
port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb,jkstatus
worker.t.type=ajp13
worker.t.host=127.0.0.1
worker.t.secret=s
worker.w1.reference=worker.t
worker.w1.port=$P_b1
worker.w2.reference=worker.t
worker.w2.port=$P_b2
worker.lb.type=lb
worker.lb.balance_workers=w1,w2
worker.lb.slow_start=20
worker.lb.health_check=/app/health
worker.lb.health_check_interval=1
worker.lb.health_check_fall=1
worker.lb.health_check_rise=1
worker.jkstatus.type=status
WP
httpd_conf "$H" "$port" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /app/* lb
JkMount /jkstatus jkstatus
CONF
httpd_start "$H"
wait_http "$port" || not_ok "httpd answers"
LOG=$H/logs/mod_jk.log

wait_log() {
    for _ in $(seq 1 $(($2 * 10))); do
        grep -qE -- "$1" "$LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# w2's application goes away, then comes back: it returns to rotation.
echo 503 >"$IT_TMP/b2.status"
wait_log "member w2 leaves rotation" 60 && ok "w2 left rotation" \
    || not_ok "w2 left rotation" "$(tail -n 3 "$LOG")"
rm -f "$IT_TMP/b2.status"
wait_log "member w2 returns to rotation.*slow start brings it to its full lbfactor over 20 s" 60 \
    && ok "w2 returned; the log line announces the slow start" \
    || not_ok "w2 returned with slow start" "$(tail -n 3 "$LOG")"
jr=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=json")
check_grep "status JSON during the ramp: an effective lbfactor below 1" \
    '"effective_lbfactor": ?0\.[0-9]+' "$jr"

# New requests (no session) for 24 s, in 2-second windows: w2's share.
python3 - "$port" >"$IT_TMP/windows" <<'PY'
import sys, time, urllib.request
port = sys.argv[1]
start = time.time()
win = {}
while time.time() - start < 24:
    t = time.time() - start
    with urllib.request.urlopen("http://127.0.0.1:%s/app/x" % port) as r:
        b = r.headers.get("X-Backend")
        r.read()
    w = int(t // 2)
    n, n2 = win.get(w, (0, 0))
    win[w] = (n + 1, n2 + (b == "b2"))
for w in sorted(win):
    n, n2 = win[w]
    print(w, n, n2, round(100.0 * n2 / n))
PY
cat "$IT_TMP/windows" | sed 's/^/# window /'
json=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=json")

python3 - "$IT_TMP/windows" <<'PY' >"$IT_TMP/verdict"
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
share = {w: s for w, n, n2, s in rows if n >= 5}
early = [share[w] for w in (0, 1) if w in share]
mid = [share[w] for w in (3, 4, 5) if w in share]
late = [share[w] for w in (8, 9) if w in share]
def avg(v):
    return sum(v) / len(v) if v else -1
print("early", round(avg(early)))
print("mid", round(avg(mid)))
print("late", round(avg(late)))
PY
early=$(sed -n 's/^early //p' "$IT_TMP/verdict")
mid=$(sed -n 's/^mid //p' "$IT_TMP/verdict")
late=$(sed -n 's/^late //p' "$IT_TMP/verdict")
echo "# w2 share: early $early%, middle $mid%, late $late%"
[ "$early" -ge 0 ] && [ "$early" -le 20 ] \
    && ok "w2's share starts near 0 ($early%)" \
    || not_ok "w2's share starts near 0" "early: $early%"
[ "$late" -ge 30 ] && [ "$late" -le 65 ] \
    && ok "w2's share reaches its lbfactor share (late $late%)" \
    || not_ok "w2's share reaches about half" "late: $late%"
[ "$early" -ge 0 ] && [ "$mid" -ge "$early" ] && [ "$late" -ge "$mid" ] \
    && ok "w2's share rises: $early% <= $mid% <= $late%" \
    || not_ok "w2's share rises monotonically (within noise)" \
        "early $early% mid $mid% late $late%"
if wait_log "member w2 has its full lbfactor again: slow start \(20 s\) is over" 30; then
    ok "the end of the ramp is logged"
else
    not_ok "the end of the ramp is logged" "$(tail -n 3 "$LOG")"
fi
json2=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=json")
check_grep "status JSON after the ramp: full weight" \
    '"weight_permille": ?1000' "$json2"
check "status JSON after the ramp: no member below full weight" "" \
    "$(printf '%s' "$json2" | grep -oE '"weight_permille": ?[0-9]{1,3}[,}]')"
check_grep "status JSON shows the slow_start setting" '"slow_start": ?20' \
    "$json"

httpd_stop "$H"
it_done
