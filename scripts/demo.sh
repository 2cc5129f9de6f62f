#!/bin/sh
# scripts/demo.sh -- the main job: start a real Tomcat 10 and httpd with
# mod_ajplb on loopback, send a request through, and say where to look.
#   scripts/demo.sh start|stop   (make demo / make demo-stop)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$root/out}
D=$OUT/demo
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

pick() {
    p=$1
    while ! port_free "$p"; do
        p=$((p + 1))
        if [ "$p" -gt $(($1 + 200)) ]; then
            echo "demo: no free port from $1 (is python3 installed?)" >&2
            exit 1
        fi
    done
    echo "$p"
}

stop() {
    if [ -s "$D/httpd/run/httpd.pid" ]; then
        kill "$(cat "$D/httpd/run/httpd.pid")" 2>/dev/null || true
    fi
    tomcat_stop "$D/tomcat" 2>/dev/null || true
    rm -f "$D/httpd/run/httpd.pid"
    echo "demo stopped"
}

case "${1:-start}" in
    stop) stop; exit 0 ;;
    start) ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

[ -s "$D/httpd/run/httpd.pid" ] && stop >/dev/null
rm -rf "$D"
mkdir -p "$D/httpd/logs" "$D/httpd/run"
chmod 755 "$D" "$D/httpd"
secret=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
ajp=$(pick 18009)
thttp=$(pick $((ajp + 1)))
port=$(pick 8080)

echo "== starting Tomcat 10 (AJP on 127.0.0.1:$ajp, jvmRoute worker1)"
tomcat_make "$D/tomcat" "$ajp" "$thttp" worker1 "$secret"
tomcat_start "$D/tomcat"

cat >"$D/workers.properties" <<WP
# The demo's workers.properties: one Tomcat, AJP with a secret.
worker.list=worker1
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$ajp
worker.worker1.secret=$secret
WP
user=""
if [ "$(id -u)" = 0 ]; then
    chown www-data "$D/httpd/logs"
    user="User www-data
Group www-data"
fi
cat >"$D/httpd/httpd.conf" <<CONF
# The demo's httpd.conf: the only mod_ajplb lines are the last five.
ServerRoot "$D/httpd"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$D/httpd/run/httpd.pid"
DefaultRuntimeDir "$D/httpd/run"
ErrorLog "$D/httpd/logs/error.log"
$user
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so

LoadModule ajplb_module $MODULE
JkWorkersFile "$D/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /* worker1
CONF
echo "== checking the configuration (apache2 -t)"
/usr/sbin/apache2 -t -f "$D/httpd/httpd.conf"
echo "== starting httpd with mod_ajplb on 127.0.0.1:$port"
/usr/sbin/apache2 -f "$D/httpd/httpd.conf" -k start
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
echo "== a request through httpd -> mod_ajplb -> AJP13 -> Tomcat:"
curl -s -i "http://127.0.0.1:$port/echo.jsp?hello=world" | sed 's/^/   /'
cat <<MSG

The demo is running.
  Try:        http://127.0.0.1:$port/   (also /session.jsp, /echo.jsp)
  mod_jk.log: $D/httpd/logs/mod_jk.log
  httpd.conf: $D/httpd/httpd.conf
  workers:    $D/workers.properties
  Stop it:    make demo-stop
MSG
