#!/bin/sh
# scripts/demo.sh -- the main job, as the seed documents set it up: two real
# Tomcat 10 instances (jvmRoute worker1/worker2, DeltaManager session
# replication) behind httpd with mod_ajplb: an lb worker with sticky
# sessions and an AJP secret, and a read-only status page.  Everything on
# loopback, under $OUT/demo.
#   scripts/demo.sh start      (make demo)           start, show balancing
#                                                   and a sticky session
#   scripts/demo.sh failover   (make demo-failover)  stop the Tomcat that
#                                                   holds the demo session,
#                                                   show it going on, start
#                                                   that Tomcat again
#   scripts/demo.sh stop       (make demo-stop)
# DEMO_DIR (default $OUT/demo) and DEMO_PORT (default: first free from 8080)
# let a test run its own demo; DEMO_HTTPD_ENV (VAR=value ...) is put in
# httpd's environment (the sanitizer runtimes under make check-asan).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$root/out}
D=${DEMO_DIR:-$OUT/demo}
MODULE=$OUT/mod_ajplb.so
MODDIR=/usr/lib/apache2/modules
TOMCAT_SH=$root/tests/integration/x
. "$root/tests/tomcat/tomcat.sh"

port_free() {
    python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# pick VAR FROM: set VAR to the first free loopback port from FROM on that
# is not handed out yet (nothing listens on them until everything starts).
PICKED=""
pick() {
    p=$2
    while ! port_free "$p" || case " $PICKED " in *" $p "*) true ;; *) false ;; esac; do
        p=$((p + 1))
        if [ "$p" -gt $(($2 + 200)) ]; then
            echo "demo: no free port from $2 (is python3 installed?)" >&2
            exit 1
        fi
    done
    PICKED="$PICKED $p"
    eval "$1=$p"
}

stop() {
    if [ -s "$D/httpd/run/httpd.pid" ]; then
        pid=$(cat "$D/httpd/run/httpd.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    for t in "$D/tomcat1" "$D/tomcat2" "$D/tomcat"; do
        tomcat_stop "$t" 2>/dev/null || true
    done
    rm -f "$D/httpd/run/httpd.pid"
    echo "demo stopped"
}

# field TEXT NAME: the value of "NAME: value" in session.jsp's answer.
field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }

# session_req: one request with the demo's cookie jar; prints a line.
session_req() {
    r=$(curl -s -b "$D/cookies" -c "$D/cookies" "$U/session.jsp")
    printf '   session %s  count %s  served by %s\n' "$(field "$r" session)" \
        "$(field "$r" count)" "$(field "$r" route)"
}

# spread N: N requests without a cookie; prints the route of each.
spread() {
    i=1
    while [ "$i" -le "$1" ]; do
        r=$(curl -s "$U/session.jsp")
        printf '   request %d (no cookie)  served by %s\n' "$i" "$(field "$r" route)"
        i=$((i + 1))
    done
}

# wait_members: until each Tomcat sees the other (static membership).
wait_members() {
    for _ in $(seq 1 120); do
        if grep -qs "memberAdded\|Replication member added" "$D/tomcat1/logs/catalina.out" &&
           grep -qs "memberAdded\|Replication member added" "$D/tomcat2/logs/catalina.out"; then
            return 0
        fi
        sleep 0.5
    done
    echo "demo: the two Tomcats did not see each other (see $D/tomcat*/logs/catalina.out)" >&2
    return 1
}

load_env() {
    if [ ! -s "$D/demo.env" ] || [ ! -s "$D/httpd/run/httpd.pid" ]; then
        echo "demo: not running; start it with make demo" >&2
        exit 1
    fi
    . "$D/demo.env"
}

failover() {
    load_env
    if [ ! -s "$D/cookies" ]; then
        echo "demo: no demo session yet; run make demo first" >&2
        exit 1
    fi
    r=$(curl -s -b "$D/cookies" -c "$D/cookies" "$U/session.jsp")
    holder=$(field "$r" route)
    case "$holder" in
        worker1) other=worker2 ;;
        worker2) other=worker1 ;;
        *) echo "demo: no answer from $U/session.jsp" >&2; exit 1 ;;
    esac
    echo "== the demo session lives on $holder:"
    printf '   session %s  count %s  served by %s\n' "$(field "$r" session)" \
        "$(field "$r" count)" "$holder"
    sleep 1   # let that change replicate to $other
    echo "== stopping Tomcat $holder (as if it crashed or was taken down)"
    n=${holder#worker}
    tomcat_stop "$D/tomcat$n" || true   # its last kill -9 finds nothing
    echo "== the same session, the same cookie: $other carries on, counter intact"
    session_req
    session_req
    echo "== starting Tomcat $holder again"
    m=${other#worker}
    before=$(wc -l <"$D/tomcat$m/logs/catalina.out")
    tomcat_start "$D/tomcat$n"
    # Until the other Tomcat logs that it has rejoined the cluster.
    for _ in $(seq 1 120); do
        tail -n +"$((before + 1))" "$D/tomcat$m/logs/catalina.out" \
            | grep -q "memberAdded\|Replication member added" && break
        sleep 0.5
    done
    echo "== once mod_ajplb has seen it recover, new visitors reach both again:"
    seen=""
    for _ in $(seq 1 80); do
        r=$(curl -s "$U/session.jsp")
        route=$(field "$r" route)
        case " $seen " in *" $route "*) ;; *) seen="$seen $route" ;; esac
        case "$seen" in *worker1*worker2*|*worker2*worker1*) break ;; esac
        sleep 0.5
    done
    echo "   routes seen:$seen"
    echo "   (the demo session stays on $other: sessions do not move back)"
    session_req
    cat <<MSG

Status page: $U/jk-status   (JSON: $U/jk-status?mime=json)
Stop the demo: make demo-stop
MSG
}

case "${1:-start}" in
    stop) stop; exit 0 ;;
    failover) failover; exit 0 ;;
    start) ;;
    *) echo "usage: $0 start|failover|stop" >&2; exit 2 ;;
esac

[ -s "$D/httpd/run/httpd.pid" ] && stop >/dev/null
rm -rf "$D"
mkdir -p "$D/httpd/logs" "$D/httpd/run"
chmod 755 "$D" "$D/httpd"
secret=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
pick ajp1 18009; pick ajp2 18019
pick http1 18080; pick http2 18090
pick rcv1 14001; pick rcv2 14011
pick port "${DEMO_PORT:-8080}"
U=http://127.0.0.1:$port
printf 'U=%s\n' "$U" >"$D/demo.env"

echo "== starting two Tomcat 10 (jvmRoute worker1 and worker2, AJP with a secret,"
echo "   sessions replicated between them by DeltaManager)"
tomcat_make "$D/tomcat1" "$ajp1" "$http1" worker1 "$secret" \
    "$(tomcat_cluster_xml "$rcv1" 1 "$rcv2" 2)"
tomcat_make "$D/tomcat2" "$ajp2" "$http2" worker2 "$secret" \
    "$(tomcat_cluster_xml "$rcv2" 2 "$rcv1" 1)"
tomcat_start "$D/tomcat1" & s1=$!
tomcat_start "$D/tomcat2" & s2=$!
wait $s1 && wait $s2
wait_members

cat >"$D/workers.properties" <<WP
# The demo's workers.properties: the seed documents' setup.
worker.list=loadbalancer,jk-status

# Two Tomcats behind a sticky-session balancer.  A session stays on the
# Tomcat whose jvmRoute ends its id; when that Tomcat goes away, it moves
# (with its data: DeltaManager replicated it).
worker.loadbalancer.type=lb
worker.loadbalancer.balance_workers=worker1,worker2
worker.loadbalancer.sticky_session=true
# A stopped Tomcat is tried again 10 s after it failed.
worker.loadbalancer.recover_time=10
worker.loadbalancer.secret=$secret
worker.maintain=5

worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$ajp1
worker.worker1.socket_connect_timeout=1000
worker.worker2.reference=worker.worker1
worker.worker2.port=$ajp2

# The status page (read-only: the default).
worker.jk-status.type=status
WP
user=""
if [ "$(id -u)" = 0 ]; then
    chown www-data "$D/httpd/logs"
    user="User www-data
Group www-data"
fi
cat >"$D/httpd/httpd.conf" <<CONF
# The demo's httpd.conf: the mod_ajplb lines start at LoadModule ajplb.
ServerRoot "$D/httpd"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$D/httpd/run/httpd.pid"
DefaultRuntimeDir "$D/httpd/run"
ErrorLog "$D/httpd/logs/error.log"
$user
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule authz_host_module $MODDIR/mod_authz_host.so

LoadModule ajplb_module $MODULE
JkWorkersFile "$D/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkWatchdogInterval 5
JkMount /*.jsp loadbalancer
<Location /jk-status>
    JkMount jk-status
    Require local
</Location>
CONF
echo "== checking the configuration (apache2 -t)"
env ${DEMO_HTTPD_ENV:-} /usr/sbin/apache2 -t -f "$D/httpd/httpd.conf"
echo "== starting httpd with mod_ajplb on 127.0.0.1:$port"
env ${DEMO_HTTPD_ENV:-} /usr/sbin/apache2 -f "$D/httpd/httpd.conf" -k start
for _ in $(seq 1 100); do
    curl -s -o /dev/null "$U/" && break
    sleep 0.1
done

echo "== new visitors are spread over both Tomcats:"
spread 6
echo "== one visitor keeps a session (cookie JSESSIONID=<id>.<jvmRoute>); it stays put:"
rm -f "$D/cookies"
session_req
session_req
session_req
session_req
cat <<MSG

The demo is running (two Tomcats, one httpd, all on 127.0.0.1).
  App:            $U/session.jsp   (a session counter; also /echo.jsp)
  Status page:    $U/jk-status     (read-only, from this machine)
  JSON status:    $U/jk-status?mime=json
  Failover:       make demo-failover   (stops the Tomcat holding the session
                                        above, shows it going on, restarts it)
  mod_jk.log:     $D/httpd/logs/mod_jk.log
  httpd.conf:     $D/httpd/httpd.conf
  workers:        $D/workers.properties
  Tomcats:        $D/tomcat1, $D/tomcat2 (server.xml with <Cluster>)
  Stop it:        make demo-stop
MSG
