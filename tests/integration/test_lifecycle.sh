#!/bin/sh
# tests/integration/test_lifecycle.sh -- httpd with mod_ajplb never crashes
# at start-up, restart or child exit (issues #10-#12, T-O6):
#  1. start, graceful and full restart with the module loaded before and
#     after mod_http2, mod_ssl and mod_proxy, with and without JkShmFile
#     (httpd unloads and reloads the DSO between configuration passes;
#     with JkShmFile and mod_http2 first, main died at every start);
#  2. prefork children that die from their signal handler while requests
#     hold pooled connections (-k restart, stop): main aborted in
#     apr_reslist's cleanup;
#  3. graceful restarts under concurrent load through a balancer whose
#     members are killed and restarted, refuse CPing on new connections
#     or close before answering, for the event and the worker MPM.
# Every phase checks the error log for crashes (exit signal, segfault,
# assertion, AddressSanitizer) and that every request got an answer.
. "$(dirname "$0")/lib.sh"

LOAD=$IT_ROOT/tests/integration/lifecycle_load.py
# The system python starts in a tenth of the time of a pyenv shim (this
# test picks many ports).
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
CRASH_RE='exit signal|[Ss]egmentation|segfault|[Aa]ssertion|AddressSanitizer|runtime error:|core dumped'

# crash_lines DIR: crash reports in DIR's error log.
crash_lines() {
    grep -E "$CRASH_RE" "$1/logs/error.log" 2>/dev/null | head -n 5
}

# running DIR: the parent named in DIR's pid file is alive.
running() {
    [ -s "$1/run/httpd.pid" ] && kill -0 "$(cat "$1/run/httpd.pid")" 2>/dev/null
}

# wait_generation DIR N: until the error log shows N "resuming normal
# operations" lines (one per start or restart).
wait_generation() {
    for _ in $(seq 1 200); do
        [ "$(grep -c 'resuming normal operations' "$1/logs/error.log" \
             2>/dev/null)" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}

# ------------------------------------------------------------- start-up ---
start_backend b1 --secret s --route b1; BP=$BACKEND_PORT
cat >"$IT_TMP/one.properties" <<WP
worker.list=w1
worker.w1.type=ajp13
worker.w1.host=127.0.0.1
worker.w1.port=$BP
worker.w1.secret=s
WP
OTHERS="http2 ssl proxy"
# restarts NAME POS SHM: the module at position POS (0-3) among the
# LoadModule lines of mod_http2, mod_ssl and mod_proxy; SHM yes/no.
restarts() {
    name=$1 pos=$2 shm=$3
    D=$IT_TMP/start-$name
    port=$(free_port)
    loads="" i=0
    for m in $OTHERS; do
        [ "$i" -eq "$pos" ] && loads="$loads
LoadModule ajplb_module $MODULE"
        loads="$loads
LoadModule ${m}_module $MODDIR/mod_$m.so"
        i=$((i + 1))
    done
    [ "$pos" -ge 3 ] && loads="$loads
LoadModule ajplb_module $MODULE"
    IT_MPM=event httpd_conf "$D" "$port" <<CONF
JkWorkersFile $IT_TMP/one.properties
JkMount /app/* w1
$( [ "$shm" = yes ] && echo "JkShmFile logs/jk-runtime-status" )
CONF
    # The module's line from httpd_conf goes; ours takes its place.
    grep -v "^LoadModule ajplb_module" "$D/httpd.conf" >"$D/c" \
        && printf '%s\n' "$loads" >>"$D/c" && mv "$D/c" "$D/httpd.conf"
    # Directives after their module: move the Jk lines to the end.
    grep "^Jk" "$D/httpd.conf" >"$D/jk"
    grep -v "^Jk" "$D/httpd.conf" >"$D/c"
    cat "$D/c" "$D/jk" >"$D/httpd.conf"
    steps=""
    if httpd_start "$D" && wait_generation "$D" 1 && wait_http "$port"; then
        steps="start:$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/x")"
        env $SAN_ENV "$APACHE2" -f "$D/httpd.conf" -k graceful
        wait_generation "$D" 2
        steps="$steps graceful:$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/x")"
        env $SAN_ENV "$APACHE2" -f "$D/httpd.conf" -k restart
        wait_generation "$D" 3
        steps="$steps restart:$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/app/x")"
    fi
    if [ "$shm" = yes ]; then
        steps="$steps shm:$(ls "$D"/logs/jk-runtime-status.* 2>/dev/null | wc -l)"
    fi
    httpd_stop "$D"
    want="start:200 graceful:200 restart:200"
    [ "$shm" = yes ] && want="$want shm:1"
    check "$name: start, graceful, restart answer" "$want" "$steps" \
        "$(tail -n 5 "$D/logs/error.log")"
    check "$name: no crash" "" "$(crash_lines "$D")"
    if [ "$shm" = yes ]; then
        check "$name: no JkShmFile left after stop" "" \
            "$(ls "$D"/logs/jk-runtime-status.* 2>/dev/null)"
    fi
}
restarts first-shm 0 yes
restarts after-http2-shm 1 yes
restarts last-shm 3 yes
restarts last 3 no

# ------------------------------------------------ prefork: dying children ---
# prefork children exit from their SIGHUP/SIGTERM handler even in the
# middle of a request: the child pool goes while a pooled connection is
# taken, which main turned into an abort in apr_reslist's cleanup.
D=$IT_TMP/prefork
port=$(free_port)
IT_MPM=prefork httpd_conf "$D" "$port" <<CONF
JkWorkersFile $IT_TMP/one.properties
JkMount /app/* w1
StartServers 4
CONF
httpd_start "$D" && wait_http "$port"
curls=""
slow() {
    for _ in 1 2 3 4; do
        curl -s -o /dev/null -m 10 "http://127.0.0.1:$port/app/x?delay_ms=1500" &
        curls="$curls $!"
    done
    sleep 0.7
}
slow
env $SAN_ENV "$APACHE2" -f "$D/httpd.conf" -k restart
wait_generation "$D" 2
wait_http "$port"
slow
httpd_stop "$D"
for c in $curls; do wait "$c"; done
check "prefork: restart and stop with requests in flight, no crash" "" \
    "$(crash_lines "$D")"

# ---------------------------------------------------------------- stress ---
start_backend s1 --secret s --route s1; SP1=$BACKEND_PORT
start_backend s2 --secret s --route s2; SP2=$BACKEND_PORT
# Refuses every CPing: each new connection fails its CPing (ping_mode=C).
start_backend s3 --secret s --route s3 --cping-fault cpong_garbage
SP3=$BACKEND_PORT
cat >"$IT_TMP/stress.properties" <<WP
worker.list=lb
worker.t.type=ajp13
worker.t.host=127.0.0.1
worker.t.secret=s
worker.t.socket_connect_timeout=500
worker.t.ping_mode=C
worker.t.ping_timeout=500
worker.t.connection_pool_timeout=1
worker.t.connection_pool_minsize=0
worker.s1.reference=worker.t
worker.s1.port=$SP1
worker.s2.reference=worker.t
worker.s2.port=$SP2
worker.s3.reference=worker.t
worker.s3.port=$SP3
worker.s4.reference=worker.s1
worker.s5.reference=worker.s1
worker.s6.reference=worker.s2
worker.lb.type=lb
worker.lb.balance_workers=s1,s2,s3,s4,s5,s6
worker.lb.recover_time=1
worker.maintain=1
WP

# stress MPM: graceful restarts under load while s2 is killed and restarted.
stress() {
    mpm=$1
    D=$IT_TMP/stress-$mpm
    port=$(free_port)
    IT_MPM=$mpm httpd_conf "$D" "$port" <<CONF
JkWorkersFile $IT_TMP/stress.properties
JkLogFile logs/mod_jk.log
JkLogLevel error
JkMount /app/* lb
# Maintenance in mod_watchdog's thread, which runs until after the child
# pool's pre-cleanups (see docs/ARCHITECTURE.md, "Child exit").
JkWatchdogInterval 1
StartServers 2
ThreadsPerChild 16
MaxRequestWorkers 64
CONF
    httpd_start "$D" || { not_ok "$mpm: httpd starts" "$(cat "$D/logs/error.log")"; return; }
    wait_http "$port"
    rm -f "$IT_TMP/stop" "$IT_TMP/stop.ready"
    python3 "$LOAD" "$port" "${LIFECYCLE_CLIENTS:-16}" "$IT_TMP/stop" \
        /app/a /app/b /app/c /app/d?fault=close_before_headers \
        >"$IT_TMP/load-$mpm.out" 2>&1 &
    loader=$!
    for _ in $(seq 1 100); do
        [ -e "$IT_TMP/stop.ready" ] && break
        sleep 0.05
    done
    n=0
    while [ "$n" -lt "${LIFECYCLE_GRACEFULS:-12}" ]; do
        n=$((n + 1))
        sleep ${LIFECYCLE_GAP:-0.5}
        if [ $((n % 4)) -eq 1 ]; then
            kill -9 "$(cat "$IT_TMP/s2.pid")" 2>/dev/null
            rm -f "$IT_TMP/s2.pid"
        elif [ $((n % 4)) -eq 3 ]; then
            BACKEND_FIXED_PORT=$SP2 start_backend s2 --secret s --route s2
        fi
        env $SAN_ENV "$APACHE2" -f "$D/httpd.conf" -k graceful
        running "$D" || break
    done
    touch "$IT_TMP/stop"
    wait "$loader"
    [ -s "$IT_TMP/s2.pid" ] || BACKEND_FIXED_PORT=$SP2 start_backend s2 --secret s --route s2
    load=$(head -n 1 "$IT_TMP/load-$mpm.out")
    check "$mpm: httpd survived $n graceful restarts under load" yes \
        "$(running "$D" && echo yes || echo no)"
    check "$mpm: no child crashed (T-O6)" "" "$(crash_lines "$D")"
    check_grep "$mpm: every request got an answer ($load)" \
        "answered=[1-9][0-9]* noanswer=0 " "$load $(tail -n +2 "$IT_TMP/load-$mpm.out")"
    httpd_stop "$D"
    check "$mpm: no crash at stop" "" "$(crash_lines "$D")"
}

for mpm in ${LIFECYCLE_MPMS:-event worker}; do
    stress "$mpm"
done

it_done
