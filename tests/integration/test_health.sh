#!/bin/sh
# tests/integration/test_health.sh -- active health checks through the
# real httpd with fake backends whose application a file "undeploys"
# (every answer 404 while the AJP connector still answers): checks come
# from one process only whatever the number of children (counted at the
# backend), a check is no request in the statistics, an undeployed member
# leaves rotation after health_check_fall failed checks and no client sees
# its 404 after that (sticky sessions fail over), and it returns after
# health_check_rise passes.  Orders and counts, generous waits.
. "$(dirname "$0")/lib.sh"

for b in b1 b2; do
    start_backend $b --secret s --route w${b#b} \
        --status-file "$IT_TMP/$b.status" --request-log "$IT_TMP/$b.req"
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
worker.lb.health_check=/app/health
worker.lb.health_check_interval=1
worker.lb.health_check_fall=2
worker.lb.health_check_rise=2
worker.jkstatus.type=status
WP
# Four children: the event MPM by default, prefork with IT_MPM=prefork.
if [ "${IT_MPM:-event}" = prefork ]; then
    MPMCONF="StartServers 4
MinSpareServers 4
MaxSpareServers 4
MaxRequestWorkers 8"
else
    MPMCONF="StartServers 4
ServerLimit 4
ThreadsPerChild 4
MaxRequestWorkers 16
MinSpareThreads 16
MaxSpareThreads 16"
fi
httpd_conf "$H" "$port" <<CONF
$MPMCONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /app/* lb
JkMount /jkstatus jkstatus
CONF
httpd_start "$H"
wait_http "$port" || not_ok "httpd answers"
LOG=$H/logs/mod_jk.log

hc_count() {
    cat "$IT_TMP/$1.req" 2>/dev/null | grep -c " /app/health "
}

# wait_log PATTERN SECONDS: until mod_jk.log matches.
wait_log() {
    for _ in $(seq 1 $(($2 * 10))); do
        grep -qE -- "$1" "$LOG" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

get() {
    curl -s -o /dev/null -D - "$@" | tr -d '\r' \
        | awk '/^HTTP\//{s=$2} /^X-Backend:/{b=$2}
               END{print s, (b == "" ? "-" : b)}'
}

# 1. One process checks: with 4 children, one check per interval.
for _ in $(seq 1 100); do
    [ "$(hc_count b1)" -ge 1 ] && break
    sleep 0.1
done
children=$(child_pids "$H" | wc -l)
[ "$children" -ge 3 ] && ok "httpd runs $children children" \
    || not_ok "httpd runs at least 3 children" "$children"
t0=$(date +%s); c0=$(hc_count b1)
sleep 6
t1=$(date +%s); c1=$(hc_count b1)
n=$((c1 - c0)); limit=$((t1 - t0 + 2))
if [ "$n" -ge 1 ] && [ "$n" -le "$limit" ]; then
    ok "b1 got $n checks in $((t1 - t0)) s: one per interval, not one per child"
else
    not_ok "one check per interval (not per child)" "checks: $n" \
        "at most: $limit (1 s interval, $children children)"
fi
json=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=json")
check_grep "status JSON: health column" '"health": ?"up"' "$json"
check_grep "status JSON: checks counted" '"health_checks": ?[1-9]' "$json"
check_grep "status JSON: a check is no request (elected 0)" \
    '"elected": ?0[,}]' "$json"
check "no check counted as a request on either member" "" \
    "$(printf '%s' "$json" | grep -oE '"elected": ?[1-9][0-9]*')"

# 2. Undeploy the application on b2: 404 to everything, CPing still fine.
echo 404 >"$IT_TMP/b2.status"
if wait_log "worker lb: member w2 leaves rotation" 60; then
    ok "w2 left rotation after its checks failed"
else
    not_ok "w2 left rotation" "$(tail -n 5 "$LOG")"
fi
check_grep "the log line names member, cause and the way back" \
    "worker lb: member w2 leaves rotation: 2 health checks of /app/health failed in a row \(last: status 404\); it returns after 2 passing checks" \
    "$(cat "$LOG")"
: >"$IT_TMP/seq"
for i in $(seq 1 30); do
    get "http://127.0.0.1:$port/app/x" >>"$IT_TMP/seq"
done
check "no client saw a 404 after w2 left rotation" 0 \
    "$(grep -c '^404' "$IT_TMP/seq")"
check "b1 answered all 30 requests" 30 "$(grep -c '^200 b1$' "$IT_TMP/seq")"
check "a sticky w2 session fails over to b1" "200 b1" \
    "$(get -H 'Cookie: JSESSIONID=abc.w2' "http://127.0.0.1:$port/app/s")"
json=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=json")
check_grep "status JSON: w2 down and out of rotation" \
    '"hold": ?"health"' "$json"
check_grep "status JSON: last check status 404" \
    '"health_last_status": ?404' "$json"
html=$(curl -s "http://127.0.0.1:$port/jkstatus")
check_grep "status HTML: the Traffic column says why" \
    'OUT</span> health, back after 2 passes' "$html"
prom=$(curl -s "http://127.0.0.1:$port/jkstatus?mime=prom")
check_grep "Prometheus: w2 out of rotation" \
    'ajplb_member_in_rotation\{lb="lb",member="w2",route="w2"\} 0' "$prom"

# The status page with the traffic columns (docs/status-screenshot.png is
# a copy of this picture).
SHOT_DIR=${SHOT_DIR:-$OUT/artifacts}
mkdir -p "$SHOT_DIR"
shot=$SHOT_DIR/status-screenshot-traffic.png
rm -f "$shot"
if command -v chromium >/dev/null 2>&1; then
    prof=$(mktemp -d)
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$prof" \
        --screenshot="$shot" --window-size=1680,720 \
        "http://127.0.0.1:$port/jkstatus" >"$IT_TMP/chromium.log" 2>&1
    rm -rf "$prof"
    if [ -s "$shot" ] && head -c 8 "$shot" | od -An -c | grep -q 'P   N   G'; then
        ok "headless Chromium renders the status page ($shot)"
    else
        not_ok "headless Chromium renders the status page" \
            "$(tail -n 5 "$IT_TMP/chromium.log")"
    fi
else
    not_ok "headless Chromium renders the status page" \
        "CHROMIUM IS NOT INSTALLED: apt-get install chromium"
fi

# 3. Redeploy: it passes 2 checks and comes back.
rm -f "$IT_TMP/b2.status"
if wait_log "worker lb: member w2 returns to rotation: 2 health checks of /app/health passed in a row \(last: status 200\)" 60; then
    ok "w2 returned after 2 passing checks"
else
    not_ok "w2 returned" "$(tail -n 5 "$LOG")"
fi
: >"$IT_TMP/seq"
for i in $(seq 1 30); do
    get "http://127.0.0.1:$port/app/x" >>"$IT_TMP/seq"
done
n2=$(grep -c '^200 b2$' "$IT_TMP/seq")
[ "$n2" -ge 1 ] && ok "b2 serves again ($n2 of 30)" \
    || not_ok "b2 serves again" "$(sort "$IT_TMP/seq" | uniq -c)"
check "one leave and one return line" "1 1" \
    "$(grep -c 'member w2 leaves rotation' "$LOG") $(grep -c 'member w2 returns to rotation' "$LOG")"

httpd_stop "$H"
it_done
