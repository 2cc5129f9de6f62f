#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_demo.sh -- make demo, make demo-failover and
# make demo-stop as a new user runs them (scripts/demo.sh with its own
# DEMO_DIR): two real Tomcat 10 with DeltaManager behind an lb worker.
# Checks that the demo shows what the product is for: requests spread over
# both routes, a session staying on its route, the session going on with
# its counter intact after its Tomcat is stopped, the URLs it prints
# answer, and that demo-stop stops every process it started.
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ]; then
    not_ok "tomcat10 is installed (apt-get install tomcat10)"
    it_done
fi
DEMO=$IT_ROOT/scripts/demo.sh
export DEMO_DIR="$IT_TMP/demo" OUT
DEMO_PORT=$(free_port); export DEMO_PORT
# Under make check-asan the module needs the sanitizer runtimes preloaded.
DEMO_HTTPD_ENV=$SAN_ENV; export DEMO_HTTPD_ENV
# Whatever happens, the demo is stopped (demo.sh stop, then the pid files).
IT_PIDFILES="$IT_PIDFILES $DEMO_DIR/httpd/run/httpd.pid $DEMO_DIR/tomcat1/pid $DEMO_DIR/tomcat2/pid"
demo_cleanup() {
    sh "$DEMO" stop >/dev/null 2>&1
    it_cleanup
}
trap demo_cleanup EXIT

out=$(sh "$DEMO" start 2>&1); rc=$?
# it_done looks for sanitizer reports in $IT_TMP/*/logs/error.log.
ln -s demo/httpd "$IT_TMP/demo-httpd"
check "make demo (demo.sh start) succeeds" 0 "$rc" "$(printf '%s' "$out" | tail -n 20)"
U=http://127.0.0.1:$DEMO_PORT
for url in "$U/session.jsp" "$U/jk-status" "$U/jk-status?mime=json"; do
    check_grep "it prints the URL $url" "^ .*: +$(printf '%s' "$url" | sed 's/[?.]/\\&/g')( |\$)" "$out"
done
check_grep "it offers make demo-failover and make demo-stop" \
    "make demo-failover.*" "$out"
check_grep "... and make demo-stop" "Stop it: +make demo-stop" "$out"

spread=$(printf '%s\n' "$out" | sed -n 's/^ *request [0-9]* (no cookie) *served by //p' | sort -u | tr '\n' ' ')
check "new visitors are shown spread over both Tomcats" "worker1 worker2 " "$spread"
sess=$(printf '%s\n' "$out" | sed -n 's/^ *session \([^ ]*\) *count \([0-9]*\) *served by \(.*\)$/\1 \2 \3/p')
counts=$(printf '%s\n' "$sess" | awk '{print $2}' | tr '\n' ' ')
routes=$(printf '%s\n' "$sess" | awk '{print $3}' | sort -u)
sids=$(printf '%s\n' "$sess" | awk '{print $1}' | sort -u | wc -l)
check "the demo session counts 1 2 3 4" "1 2 3 4 " "$counts"
check "... on one route, with one session id" "1 1" \
    "$(printf '%s\n' "$routes" | wc -l | tr -d ' ') $(echo $sids)"
holder=$routes
check_grep "... whose id ends in that route" "\.$holder\$" \
    "$(printf '%s\n' "$sess" | awk '{print $1}' | head -n 1)"

json=$(curl -s "$U/jk-status?mime=json")
check_grep "the JSON status URL answers with the balancer and both members" \
    '"balancers".*worker1.*worker2' "$(printf '%s' "$json" | tr -d '\n')"
html=$(curl -s -w 'http %{http_code}' "$U/jk-status")
check_grep "the status page answers" "http 200$" "$html"
code=$(curl -s -o /dev/null -w "%{http_code}" --data "cmd=update&w=loadbalancer&sw=worker1&vwa=D" "$U/jk-status")
check_grep "the status page is read-only (a change is refused)" "^4" "$code"

case "$holder" in worker1) other=worker2 n=1 ;; *) other=worker1 n=2 ;; esac
holder_pid=$(cat "$DEMO_DIR/tomcat$n/pid" 2>/dev/null)
out=$(sh "$DEMO" failover 2>&1); rc=$?
check "make demo-failover succeeds" 0 "$rc" "$(printf '%s' "$out" | tail -n 20)"
check_grep "it names the Tomcat holding the session ($holder) and stops it" \
    "stopping Tomcat $holder" "$out"
after=$(printf '%s\n' "$out" | sed -n '/carries on/,/starting Tomcat/p' \
        | sed -n 's/^ *session [^ ]* *count \([0-9]*\) *served by \(.*\)$/\1 \2/p' | tr '\n' ' ')
check "the same session goes on on $other with its counter intact (6, 7)" \
    "6 $other 7 $other " "$after"
check "the stopped Tomcat was really stopped (a new process now)" yes \
    "$([ -n "$holder_pid" ] && ! kill -0 "$holder_pid" 2>/dev/null && echo yes)"
check "it starts the stopped Tomcat again" yes \
    "$(kill -0 "$(cat "$DEMO_DIR/tomcat$n/pid" 2>/dev/null)" 2>/dev/null && echo yes)"
check_grep "after recovery new visitors reach both again" \
    "routes seen: (worker1 worker2|worker2 worker1)" "$out"
r=$(curl -s -b "$DEMO_DIR/cookies" "$U/session.jsp")
check "the session is still alive afterwards (count 9)" 9 \
    "$(printf '%s\n' "$r" | sed -n 's/^count: //p')"

pids="$(cat "$DEMO_DIR/httpd/run/httpd.pid") $(cat "$DEMO_DIR/tomcat1/pid") $(cat "$DEMO_DIR/tomcat2/pid")"
out=$(sh "$DEMO" stop 2>&1); rc=$?
check "make demo-stop succeeds" "0 demo stopped" "$rc $out"
alive=""
for p in $pids; do
    kill -0 "$p" 2>/dev/null && alive="$alive $p"
done
check "make demo-stop stops httpd and both Tomcats" "" "$alive"
check "nothing answers on the demo's port any more" 000 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/session.jsp")"
it_done
