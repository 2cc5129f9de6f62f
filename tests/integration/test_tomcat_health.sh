#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_tomcat_health.sh -- active health checks with two
# real Tomcat 10 instances: the application /app is undeployed on one of
# them (its AJP connector still answers CPing, the ROOT application answers
# 404 for /app/...); the member leaves rotation after health_check_fall
# failed checks and no client sees that 404 afterwards; after the
# application is deployed again it returns.  Tomcat deploys and undeploys
# by itself (autoDeploy, every 10 s), so the waits are generous; the test
# asserts orders and counts only.  Each step waits for Tomcat's own log
# line that the undeploy or deploy is over.  Without that wait (an earlier
# version of this test) the directory could come back before Tomcat's scan
# undeployed the context: Tomcat then kept it deployed, answered 403 while
# the directory was gone and, once it was back, 200 for health.txt but
# still 404 for who.txt for several seconds (its resource cache), so the
# member rightly returned on its health path while other paths failed.
# Measured 2026-12-02: 15 of 30 clients got that 404, none 12 s later.
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ]; then
    not_ok "tomcat10 is installed (apt-get install tomcat10)"
    it_done
fi

for n in 1 2; do
    eval "A$n=\$(free_port); HP$n=\$(free_port)"
    eval "tomcat_make \"\$IT_TMP/t$n\" \"\$A$n\" \"\$HP$n\" tc$n hc5ecret"
    # Undeploy and redeploy by moving the directory in and out.
    sed -i 's/autoDeploy="false"/autoDeploy="true"/' "$IT_TMP/t$n/conf/server.xml"
    mkdir -p "$IT_TMP/t$n/webapps/app"
    echo ok >"$IT_TMP/t$n/webapps/app/health.txt"
    echo "tc$n" >"$IT_TMP/t$n/webapps/app/who.txt"
    IT_PIDFILES="$IT_PIDFILES $IT_TMP/t$n/pid"
done
tomcat_start "$IT_TMP/t1" & s1=$!
tomcat_start "$IT_TMP/t2" & s2=$!
if wait $s1 && wait $s2; then
    ok "two Tomcats started"
else
    not_ok "two Tomcats started"
    it_done
fi

port=$(free_port)
H=$IT_TMP/h
cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb
worker.t.type=ajp13
worker.t.host=127.0.0.1
worker.t.secret=hc5ecret
worker.tc1.reference=worker.t
worker.tc1.port=$A1
worker.tc2.reference=worker.t
worker.tc2.port=$A2
worker.lb.type=lb
worker.lb.balance_workers=tc1,tc2
worker.lb.health_check=/app/health.txt
worker.lb.health_check_interval=1
worker.lb.health_check_fall=3
worker.lb.health_check_rise=2
WP
httpd_conf "$H" "$port" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /app/* lb
CONF
httpd_start "$H"
wait_http "$port" || not_ok "httpd answers"
LOG=$H/logs/mod_jk.log

# wait_log REGEX SECONDS [FILE]: wait until FILE (mod_jk.log) has a line.
wait_log() {
    for _ in $(seq 1 $(($2 * 10))); do
        grep -qE -- "$1" "${3:-$LOG}" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
TC2LOG=$IT_TMP/t2/logs/catalina.out

# get: one request for who.txt; prints "STATUS BODY".
get() {
    out=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/app/who.txt")
    # The body ends in a newline; $(...) drops it, so one line per call.
    body=$(printf '%s' "${out% *}")
    echo "${out##* } $body"
}

: >"$IT_TMP/seq"
for i in $(seq 1 20); do get >>"$IT_TMP/seq"; done
check "both Tomcats serve /app before the undeploy" 2 \
    "$(grep '^200' "$IT_TMP/seq" | sort -u | wc -l)"

# Undeploy /app on tc2; its connector keeps answering.
mv "$IT_TMP/t2/webapps/app" "$IT_TMP/t2/app.off"
# The last failed check is a 404 (undeployed: ROOT answers), a 403 (the
# context still deployed with its directory gone) or, on a loaded machine,
# a timeout: each is a failed check.
if wait_log "worker lb: member tc2 leaves rotation: 3 health checks of /app/health.txt failed in a row \(last: (status 40[34]|no answer)" 120; then
    ok "tc2 left rotation after its application was undeployed"
else
    not_ok "tc2 left rotation" "$(tail -n 5 "$LOG")"
fi
if wait_log "Undeploying context \[/app\]" 60 "$TC2LOG"; then
    ok "Tomcat tc2 undeployed /app"
else
    not_ok "Tomcat tc2 undeployed /app" "$(tail -n 5 "$TC2LOG")"
fi
: >"$IT_TMP/seq"
for i in $(seq 1 30); do get >>"$IT_TMP/seq"; done
check "no client saw anything but 200 after tc2 left rotation" 0 \
    "$(grep -vc '^200' "$IT_TMP/seq")"
check "tc1 answered all 30" 30 "$(grep -c '^200 tc1$' "$IT_TMP/seq")"
ajp2=$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$HP2/app/who.txt")
check "tc2 itself answers 404 for /app (undeployed, connector alive)" 404 \
    "$ajp2"

# Redeploy: tc2 returns after 2 passing checks.
mv "$IT_TMP/t2/app.off" "$IT_TMP/t2/webapps/app"
if wait_log "Deployment of web application directory \[.*app\] has finished" 60 "$TC2LOG"; then
    ok "Tomcat tc2 deployed /app again"
else
    not_ok "Tomcat tc2 deployed /app again" "$(tail -n 5 "$TC2LOG")"
fi
if wait_log "worker lb: member tc2 returns to rotation: 2 health checks of /app/health.txt passed in a row" 120; then
    ok "tc2 returned after the redeploy"
else
    not_ok "tc2 returned" "$(tail -n 5 "$LOG")"
fi
: >"$IT_TMP/seq"
for i in $(seq 1 30); do get >>"$IT_TMP/seq"; done
n2=$(grep -c '^200 tc2$' "$IT_TMP/seq")
[ "$n2" -ge 1 ] && ok "tc2 serves again ($n2 of 30)" \
    || not_ok "tc2 serves again" "$(sort "$IT_TMP/seq" | uniq -c)"
check "no client saw anything but 200 after the return" 0 \
    "$(grep -vc '^200' "$IT_TMP/seq")"

httpd_stop "$H"
tomcat_stop "$IT_TMP/t1"
tomcat_stop "$IT_TMP/t2"
it_done
