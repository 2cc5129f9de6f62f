#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_cli_tomcat.sh -- the rolling deployment of
# docs/OPERATIONS.md with real Tomcat 10: two instances in the seeds'
# DeltaManager cluster (jvmRoute worker1/worker2) behind two httpd fronts
# with the module.  For each member: `ajplb drain --wait`, `ajplb stop
# --wait`, stop its Tomcat, start it again, `ajplb enable`; meanwhile GETs
# and POSTs with sessions run through both fronts
# (tests/integration/cli_session_load.py).  No request may fail and no
# session may lose a count; the tool's output shows each step.
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

AJPLB=$OUT/ajplb
[ -x "$AJPLB" ] || { not_ok "out/ajplb is built (make out/ajplb)"; it_done; }
if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ]; then
    not_ok "tomcat10 is installed (apt-get install tomcat10)"
    it_done
fi

A1=$(free_port); H1=$(free_port); R1=$(free_port)
A2=$(free_port); H2=$(free_port); R2=$(free_port)
tomcat_make "$IT_TMP/t1" "$A1" "$H1" worker1 cl5ecret \
    "$(tomcat_cluster_xml "$R1" 1 "$R2" 2)"
tomcat_make "$IT_TMP/t2" "$A2" "$H2" worker2 cl5ecret \
    "$(tomcat_cluster_xml "$R2" 2 "$R1" 1)"
IT_PIDFILES="$IT_PIDFILES $IT_TMP/t1/pid $IT_TMP/t2/pid"
tomcat_start "$IT_TMP/t1" & s1=$!
tomcat_start "$IT_TMP/t2" & s2=$!
wait $s1 && wait $s2 || { not_ok "the Tomcats start"; it_done; }

# members_seen DIR: the Tomcat in DIR has seen its peer join N times.
members_seen() {
    grep -cs "memberAdded\|Replication member added" \
        "$IT_TMP/$1/logs/catalina.out"
}
wait_members() {
    for _ in $(seq 1 120); do
        [ "$(members_seen t1)" -ge "$1" ] && [ "$(members_seen t2)" -ge "$2" ] \
            && return 0
        sleep 0.5
    done
    return 1
}
wait_members 1 1 || not_ok "the Tomcats see each other"

cat >"$IT_TMP/workers.properties" <<WP
worker.list=loadbalancer,jkmanager
worker.loadbalancer.type=lb
worker.loadbalancer.balance_workers=worker1,worker2
worker.loadbalancer.sticky_session=1
worker.loadbalancer.recover_time=1
worker.maintain=1
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$A1
worker.worker1.secret=cl5ecret
worker.worker1.socket_connect_timeout=1000
worker.worker2.reference=worker.worker1
worker.worker2.port=$A2
worker.jkmanager.type=status
worker.jkmanager.read_only=false
WP
front() {
    httpd_conf "$IT_TMP/$1" "$2" <<CONF
LoadModule authz_host_module $MODDIR/mod_authz_host.so
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkMount /*.jsp loadbalancer
JkMount /jkmanager jkmanager
<Location "/jkmanager">
    Require ip 127.0.0.1
</Location>
CONF
    httpd_start "$IT_TMP/$1" \
        || { not_ok "front $1 starts" "$(cat "$IT_TMP/$1/logs/error.log")"; it_done; }
    wait_http "$2"
}
pa=$(free_port)
pb=$(free_port)
front a "$pa"
front b "$pb"
F="http://127.0.0.1:$pa/jkmanager http://127.0.0.1:$pb/jkmanager"

python3 "$IT_ROOT/tests/integration/cli_session_load.py" "$IT_TMP/load.json" \
    "$IT_TMP/load.stop" "$pa" "$pb" &
load_pid=$!
sleep 3
log=$IT_TMP/rolling.log
"$AJPLB" status $F >>"$log" 2>&1
for n in 1 2; do
    m=worker$n
    echo "== $m" >>"$log"
    # shellcheck disable=SC2086
    "$AJPLB" drain "$m" --wait --timeout 120 --front $F >>"$log" 2>&1
    check "drain --wait $m" 0 $?
    # shellcheck disable=SC2086
    "$AJPLB" stop "$m" --wait --timeout 120 --front $F >>"$log" 2>&1
    check "stop --wait $m" 0 $?
    sleep 1     # the last changes replicate (asynchronous channel)
    before1=$(members_seen t1) before2=$(members_seen t2)
    tomcat_stop "$IT_TMP/t$n"
    echo "tomcat $m stopped" >>"$log"
    tomcat_start "$IT_TMP/t$n" || not_ok "Tomcat $m starts again"
    # It must have its peer again before it takes sessions back.
    if [ "$n" = 1 ]; then wait_members $((before1 + 1)) "$before2"
    else wait_members "$before1" $((before2 + 1)); fi \
        || not_ok "Tomcat $m rejoins the cluster"
    echo "tomcat $m started" >>"$log"
    # shellcheck disable=SC2086
    "$AJPLB" enable "$m" --front $F >>"$log" 2>&1
    check "enable $m" 0 $?
    sleep 3
done
"$AJPLB" status $F >>"$log" 2>&1
touch "$IT_TMP/load.stop"
wait "$load_pid"
sed 's/^/# /' "$log"
summary=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(d["requests"], d["failed"], d["lost"], d["moved"], d["routes"], d["problems"][:4])' "$IT_TMP/load.json")
echo "# load: $summary"
set -- $summary
check "rolling deployment: no failed request ($1 requests)" 0 "$2"
check "rolling deployment: no lost session" 0 "$3"
if [ "$4" -gt 0 ]; then
    ok "sessions moved between the Tomcats ($4 moves) and kept their count"
else
    not_ok "sessions moved between the Tomcats" "$summary"
fi
for step in "loadbalancer/worker1 ACT -> DIS" "loadbalancer/worker1 DIS -> STP" \
            "loadbalancer/worker1 STP -> ACT" "loadbalancer/worker2 STP -> ACT" \
            "drained worker2" "stopped worker2"; do
    grep -q "$step" "$log"
    check "the log shows: $step" 0 $?
done
it_done
