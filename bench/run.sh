#!/bin/bash
# bench/run.sh -- `make bench`: mod_ajplb side by side with mod_jk,
# mod_proxy_ajp (+ balancer) and httpd serving a static file, each front its
# own Debian httpd with the same MPM settings, against the fake AJP backend
# in --bench mode and against a real Tomcat 10; in the Tomcat cases also
# Debian's nginx, proxying HTTP (not AJP) to Tomcat's HTTP connector, as a
# peer that is not httpd.  A concurrency sweep (conc<N> cases) runs the
# small GET at 32, 256 and 1,024 client connections.  Writes the raw rows, the
# medians and ratios (docs/BENCHMARKS.md, between the bench markers) and the
# chart (docs/bench-chart.png).  No timing assertion anywhere: it measures
# and reports.
#
# Environment (all optional):
#   OUT             build output dir (out): module and tools are read there,
#                   raw results go to $OUT/bench/
#   BENCH_SECONDS   measured seconds per case (6)
#   BENCH_WARMUP    warm-up seconds per case, not measured (1)
#   BENCH_ROUNDS    alternating rounds (3)
#   BENCH_CONNS     wrk connections (32)
#   BENCH_THREADS   wrk threads (2)
#   BENCH_TOMCAT    1 = also run against a real Tomcat 10 (1)
#   BENCH_PREFORK   1 = one prefork round of the small GET (1)
#   BENCH_LOAD      1 = load time/memory of 10,000 workers + 100,000 rules (1)
#   BENCH_CONC      1 = the concurrency sweep: cases event/fake/conc<N> and
#                   event/tomcat/conc<N>, small GET at N client connections (1)
#   BENCH_CONC_STEPS the sweep's client connections ("32 256 1024")
#   BENCH_CONC_THREADS the sweep's ThreadsPerChild (the largest step; see
#                   mpm_conf for why)
#   BENCH_NGINX     1 = nginx as a front in the Tomcat cases, when
#                   $NGINX (/usr/sbin/nginx) exists (1)
#   BENCH_PROFILE   1 = run bench/profile.sh (callgrind + strace) at the end (1)
#   BENCH_ONLY      extended regex over case names (mpm/backend/workload) to
#                   run a subset, e.g. BENCH_ONLY='event/fake/small'
#   BENCH_DOC       markdown file to update (docs/BENCHMARKS.md); BENCH_DOC=
#                   (empty) leaves the docs alone
#   BENCH_CHART     chart file (docs/bench-chart.png)
#   BENCH_PIN       1 = httpd on its own CPU (the last one), wrk and the
#                   backends on the others, so the front is what saturates
#                   and the fronts do not trade CPU with the backends
#                   (default 1 with 2 or more CPUs; 0 = no pinning)
#   KEEP_TMP        1 = keep the temp directory (configs, logs)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/out}
case "$OUT" in /*) ;; *) OUT=$ROOT/$OUT ;; esac
MODULE=${MODULE:-$OUT/mod_ajplb.so}
FAKE=${FAKE:-$OUT/tools/fake_ajp_backend}
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODDIR=${MODDIR:-/usr/lib/apache2/modules}
JKMOD=${JKMOD:-$MODDIR/mod_jk.so}
SECS=${BENCH_SECONDS:-6}
WARM=${BENCH_WARMUP:-1}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
DO_TOMCAT=${BENCH_TOMCAT:-1}
DO_PREFORK=${BENCH_PREFORK:-1}
DO_LOAD=${BENCH_LOAD:-1}
DO_PROFILE=${BENCH_PROFILE:-1}
DO_CONC=${BENCH_CONC:-1}
CONC_STEPS=${BENCH_CONC_STEPS:-32 256 1024}
CONC_MAX=0
for n in $CONC_STEPS; do [ "$n" -gt "$CONC_MAX" ] && CONC_MAX=$n; done
CONC_TPC=${BENCH_CONC_THREADS:-$CONC_MAX}
[ "$CONC_TPC" -ge 32 ] || CONC_TPC=32
DO_NGINX=${BENCH_NGINX:-1}
NGINX=${NGINX:-/usr/sbin/nginx}
ONLY=${BENCH_ONLY:-}
DOC=${BENCH_DOC-$ROOT/docs/BENCHMARKS.md}
CHART=${BENCH_CHART:-$ROOT/docs/bench-chart.png}
RES=$OUT/bench
mkdir -p "$RES"
RAW=$RES/results.tsv
LOADRAW=$RES/load.tsv
SECRET=benchsecret
NCPU=$(nproc)
PIN=${BENCH_PIN:-1}
[ "$NCPU" -ge 2 ] || PIN=0
FRONT_RUN="" LOAD_RUN="" FRONT_CPUS="all" LOAD_CPUS="all"
if [ "$PIN" = 1 ] && command -v taskset >/dev/null; then
    FRONT_CPUS=$((NCPU - 1))
    LOAD_CPUS=0
    [ "$NCPU" -gt 2 ] && LOAD_CPUS=0-$((NCPU - 2))
    FRONT_RUN="taskset -c $FRONT_CPUS"
    LOAD_RUN="taskset -c $LOAD_CPUS"
else
    PIN=0
fi
CLK_TCK=$(getconf CLK_TCK)

# The sweep's 1,024 client connections need more descriptors than the usual
# soft limit of 1,024: wrk holds one per connection, and one httpd child or
# nginx worker may hold all of them plus its backend connections.  wrk,
# httpd, nginx and the backends inherit the limit from this shell.
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt 65536 ]; then
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
fi
maxconn=$((CONNS > CONC_MAX ? CONNS : CONC_MAX))
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $((2 * maxconn + 1024)) ]; then
    echo "bench: ulimit -n is $nofile, too low for $maxconn connections (raise the hard limit)" >&2
    exit 1
fi

for f in "$MODULE" "$FAKE" "$APACHE2" "$JKMOD"; do
    [ -e "$f" ] || { echo "bench: missing $f (run make and make tools)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench: wrk is not installed" >&2; exit 1; }
if [ "$DO_NGINX" = 1 ] && [ ! -x "$NGINX" ]; then
    echo "bench: $NGINX is missing (scripts/deps.sh bench installs nginx); no nginx front" >&2
    DO_NGINX=0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ajplb-bench.XXXXXX")
chmod 755 "$T"
PIDFILES=""          # pid files of everything we started (httpd, backends)
TOMCAT_DIRS=""
CASE_DIR=""

cleanup() {
    for pf in $PIDFILES; do
        [ -s "$pf" ] || continue
        pid=$(cat "$pf")
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null
    done
    if [ -n "$TOMCAT_DIRS" ]; then
        for d in $TOMCAT_DIRS; do tomcat_stop "$d"; done
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "bench: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }
. "$ROOT/bench/lib.sh"

# ------------------------------------------------------------- backends ---
start_fake() {   # NAME ROUTE -> prints port
    name=$1 route=$2
    $LOAD_RUN "$FAKE" --port 0 --port-file "$T/$name.port" --name "$name" \
        --route "$route" --secret "$SECRET" --bench >"$T/$name.log" 2>&1 &
    echo $! >"$T/$name.pid"
    PIDFILES="$PIDFILES $T/$name.pid"
    for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
}

NMEM=16
for i in $(seq 1 $NMEM); do start_fake "b$i" "w$i"; done
for i in $(seq 1 $NMEM); do
    P[$i]=$(cat "$T/b$i.port" 2>/dev/null) || { log "fake backend b$i did not start"; exit 1; }
done

wanted() {   # MPM/BACKEND/WORKLOAD: selected by BENCH_ONLY?
    [ -z "$ONLY" ] || echo "$1" | grep -qE "$ONLY"
}
TC_WLS="tcsmall tcjsp tcbig"
[ "$DO_CONC" = 1 ] && for n in $CONC_STEPS; do TC_WLS="$TC_WLS conc$n"; done
want_tc=0
for w in $TC_WLS; do wanted "event/tomcat/$w" && want_tc=1; done

TC_AJP=$(free_port)      # a port nobody listens on unless Tomcat runs
TC_HTTP=$(free_port)     # Tomcat's HTTP connector, for nginx
TC_OK=0
if [ "$DO_TOMCAT" = 1 ] && [ "$want_tc" = 1 ]; then
    TOMCAT_SH=$ROOT/tests/tomcat/tomcat.sh
    . "$ROOT/tests/tomcat/tomcat.sh"
    # Tomcat's defaults must not be what limits the sweep without saying
    # so (docs/BENCHMARKS.md).  maxThreads (default 200) covers the most
    # requests any front has in flight, one per client connection of the
    # largest step (wrk keeps one on each; every front passes it on at
    # once: the httpd fronts have a thread per client, nginx does not
    # queue).  maxConnections (8,192 for NIO) covers what the fronts may
    # hold open: the AJP pools of both children (2 x ThreadsPerChild) or
    # nginx's upstream connections; acceptCount (100) the burst of new
    # connections when the load starts.  maxKeepAliveRequests=-1: Tomcat
    # closes an HTTP keep-alive connection after 100 requests by default,
    # which would make nginx reconnect every 100 requests; AJP connections
    # have no such limit.
    tc_threads=$((CONC_MAX > 200 ? CONC_MAX : 200))
    tc_conns=$((4 * CONC_TPC > 8192 ? 4 * CONC_TPC : 8192))
    tc_attrs="maxThreads=\"$tc_threads\" maxConnections=\"$tc_conns\" acceptCount=\"$tc_threads\""
    TOMCAT_HTTP_ATTRS="$tc_attrs maxKeepAliveRequests=\"-1\""
    TOMCAT_AJP_ATTRS=$tc_attrs
    tomcat_make "$T/tomcat" "$TC_AJP" "$TC_HTTP" tc1 "$SECRET"
    mkdir -p "$T/tomcat/webapps/ROOT/tc"
    printf 'ok tc1\n' >"$T/tomcat/webapps/ROOT/tc/small.txt"
    head -c 102400 /dev/zero | tr '\0' x >"$T/tomcat/webapps/ROOT/tc/big.txt"
    printf '<%%@ page session="false" contentType="text/plain" %%>ok <%%= System.getProperty("ajplb.route") %%>\n' \
        >"$T/tomcat/webapps/ROOT/tc/small.jsp"
    TOMCAT_DIRS="$T/tomcat"
    log "starting Tomcat 10 (AJP $TC_AJP)"
    if tomcat_start "$T/tomcat"; then
        TC_OK=1
        [ "$PIN" = 1 ] && taskset -a -c -p "$LOAD_CPUS" "$(cat "$T/tomcat/pid")" >/dev/null
        # JIT warm-up on Tomcat's own HTTP port, so the first front that
        # meets Tomcat does not pay for it (it measured half the rate of
        # later ones without this).
        for p in small.txt small.jsp; do
            $LOAD_RUN wrk -t2 -c16 -d5s "http://127.0.0.1:$TC_HTTP/tc/$p" >/dev/null 2>&1
        done
    else log "Tomcat did not start; skipping its cases"; fi
fi

# ------------------------------------------------------------- configs ----
members() { seq -s, -f 'b%g' 1 "$1"; }
{
    echo "worker.list=lb2,lb16,lbtc"
    echo "worker.tpl.type=ajp13"
    echo "worker.tpl.host=127.0.0.1"
    echo "worker.tpl.secret=$SECRET"
    for i in $(seq 1 $NMEM); do
        echo "worker.b$i.reference=worker.tpl"
        echo "worker.b$i.port=${P[$i]}"
        echo "worker.b$i.route=w$i"
    done
    echo "worker.tc1.reference=worker.tpl"
    echo "worker.tc1.port=$TC_AJP"
    echo "worker.tc1.route=tc1"
    echo "worker.lb2.type=lb"
    echo "worker.lb2.balance_workers=$(members 2)"
    echo "worker.lb16.type=lb"
    echo "worker.lb16.balance_workers=$(members 16)"
    echo "worker.lbtc.type=lb"
    echo "worker.lbtc.balance_workers=tc1"
} >"$T/workers.properties"
# mod_ajplb's own copy: the same file plus BENCH_AJPLB_PROPS (lines of
# properties mod_jk does not know, e.g. "worker.tpl.body_window=4").
cp "$T/workers.properties" "$T/workers-ajplb.properties"
[ -n "${BENCH_AJPLB_PROPS:-}" ] && printf '%s\n' "$BENCH_AJPLB_PROPS" \
    >>"$T/workers-ajplb.properties"

mountfile 10 "$T/rules10.properties" lb2
mountfile 10000 "$T/rules10k.properties" lb2
mountfile 100000 "$T/rules100k.properties" lb2

mkdir -p "$T/htdocs/bench" "$T/htdocs/sticky16" "$T/htdocs/tc"
printf 'ok b1\n' >"$T/htdocs/bench/small"
printf 'ok b1\n' >"$T/htdocs/sticky16/small"
printf 'ok tc1\n' >"$T/htdocs/tc/small.txt"
head -c 102400 /dev/zero | tr '\0' x >"$T/htdocs/tc/big.txt"
head -c 102400 /dev/zero | tr '\0' 'x' >"$T/htdocs/bench/big"

mpm_conf() {   # MPM WORKLOAD
    if [ "$1" = prefork ]; then cat <<'C'
LoadModule mpm_prefork_module MODDIR/mod_mpm_prefork.so
StartServers 36
MinSpareServers 36
MaxSpareServers 64
ServerLimit 64
MaxRequestWorkers 64
MaxConnectionsPerChild 0
C
    elif [ "${2#conc}" != "$2" ]; then
        # The sweep: the same settings at every step, sized so that httpd
        # serves the largest step's clients without closing connections.
        # wrk keeps a request in flight on every connection, and when all
        # worker threads of a child are busy, the event MPM closes the
        # keep-alive connections whose next request has arrived ("the client
        # can re-connect to a different process"): with 2 x 128 threads, at
        # 1,024 clients the static front lost 2,644 requests to closed
        # connections in 3 s here.  So each child gets a thread per client of the
        # largest step (BENCH_CONC_THREADS, default the largest step),
        # whichever way the kernel splits the connections between the two
        # children; AsyncRequestWorkerFactor (2) then never binds: a child
        # accepts below ThreadsPerChild + 2 x idle threads connections.  The
        # AJP pools follow ThreadsPerChild as mod_jk's connection_pool_size
        # does by default (mod_ajplb's too, mod_proxy's per-worker maximum):
        # up to ThreadsPerChild connections per child and member, opened
        # only when used, but mod_jk allocates an endpoint per
        # thread and ajp13 worker at start, which its memory shows.
        # ListenBacklog: wrk opens all its connections at once (the kernel
        # caps the backlog at net.core.somaxconn).
        cat <<C
LoadModule mpm_event_module MODDIR/mod_mpm_event.so
StartServers 2
ServerLimit 2
ThreadLimit $CONC_TPC
ThreadsPerChild $CONC_TPC
MaxRequestWorkers $((2 * CONC_TPC))
MinSpareThreads $CONC_TPC
MaxSpareThreads $((2 * CONC_TPC))
ListenBacklog 4096
MaxConnectionsPerChild 0
C
    else cat <<'C'
LoadModule mpm_event_module MODDIR/mod_mpm_event.so
StartServers 2
ServerLimit 2
ThreadLimit 32
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 32
MaxSpareThreads 64
MaxConnectionsPerChild 0
C
    fi
}

# nginx_conf DIR WORKLOAD: nginx as a peer front of the Tomcat cases.  It
# speaks HTTP/1.1 to Tomcat's HTTP connector (nginx has no AJP), over an
# upstream with kept-alive connections as an operator would set it up;
# otherwise it matches the httpd fronts: two worker processes on the
# front's CPU (taskset, as httpd's two children), keep-alive without a
# request limit, 30 s keep-alive timeout, no access log, and at the sweep
# the same listen backlog.
nginx_conf() {
    dir=$1 wl=$2
    port=$(cat "$dir/port")
    backlog=511   # httpd's default ListenBacklog
    [ "${wl#conc}" != "$wl" ] && backlog=4096
    user=""
    [ "$(id -u)" = 0 ] && user="user www-data;"
    mkdir -p "$dir/tmp"
    # no worker_rlimit_nofile: the workers inherit the descriptor limit
    # this script raised and checked at the top
    cat >"$dir/nginx.conf" <<C
$user
worker_processes 2;
pid $dir/run/httpd.pid;
error_log $dir/logs/error.log warn;
events {
    # a client connection and its upstream connection each
    worker_connections 4096;
}
http {
    access_log off;
    default_type text/plain;
    keepalive_timeout 30s;
    keepalive_requests 1000000000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream tomcat {
        server 127.0.0.1:$TC_HTTP;
        # idle connections kept per worker: enough that no step of the
        # sweep closes a connection it will want again
        keepalive 1024;
        keepalive_requests 1000000000;
        keepalive_timeout 60s;
    }
    server {
        listen 127.0.0.1:$port backlog=$backlog;
        root $T/htdocs;
        location /tc/ {
            proxy_pass http://tomcat;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
C
}

# front_conf FRONT MPM MOUNTS DIR [WORKLOAD]: write DIR/httpd.conf (or
# DIR/nginx.conf).  MOUNTS is "directives" or the name of a rules file
# (rules10, rules100k).
front_conf() {
    front=$1 mpm=$2 mounts=$3 dir=$4 fwl=${5:-}
    mkdir -p "$dir/logs" "$dir/run"
    chown www-data "$dir/logs" 2>/dev/null
    port=$(free_port)
    echo "$port" >"$dir/port"
    if [ "$front" = nginx ]; then nginx_conf "$dir" "$fwl"; return; fi
    {
        cat <<C
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/run/httpd.pid"
DefaultRuntimeDir "$dir/run"
ErrorLog "$dir/logs/error.log"
LogLevel warn
C
        [ "$(id -u)" = 0 ] && printf 'User www-data\nGroup www-data\n'
        mpm_conf "$mpm" "$fwl" | sed "s#MODDIR#$MODDIR#"
        cat <<C
LoadModule authz_core_module $MODDIR/mod_authz_core.so
LoadModule mime_module $MODDIR/mod_mime.so
TypesConfig /etc/mime.types
Timeout 60
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 30
DocumentRoot "$T/htdocs"
<Directory />
    AllowOverride None
    Require all granted
</Directory>
C
        case $front in
        ajplb|jk)
            if [ "$front" = ajplb ]; then
                echo "LoadModule ajplb_module $MODULE"
            else
                echo "LoadModule jk_module $JKMOD"
            fi
            cat <<C
JkWorkersFile "$T/workers$([ "$front" = ajplb ] && echo -ajplb).properties"
JkShmFile logs/jk.shm
JkLogFile logs/mod_jk.log
JkLogLevel info
C
            if [ "$mounts" = directives ]; then
                printf 'JkMount /bench/* lb2\nJkMount /sticky16/* lb16\nJkMount /tc/* lbtc\n'
            else
                echo "JkMountFile \"$T/$mounts.properties\""
            fi ;;
        proxy)
            cat <<C
LoadModule proxy_module $MODDIR/mod_proxy.so
LoadModule proxy_ajp_module $MODDIR/mod_proxy_ajp.so
LoadModule proxy_balancer_module $MODDIR/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module $MODDIR/mod_lbmethod_byrequests.so
LoadModule slotmem_shm_module $MODDIR/mod_slotmem_shm.so
<Proxy balancer://lb2>
C
            for i in 1 2; do
                echo "    BalancerMember ajp://127.0.0.1:${P[$i]} route=w$i secret=$SECRET"
            done
            echo "    ProxySet stickysession=JSESSIONID|jsessionid"
            echo "</Proxy>"
            echo "<Proxy balancer://lb16>"
            for i in $(seq 1 $NMEM); do
                echo "    BalancerMember ajp://127.0.0.1:${P[$i]} route=w$i secret=$SECRET"
            done
            echo "    ProxySet stickysession=JSESSIONID|jsessionid"
            echo "</Proxy>"
            cat <<C
<Proxy balancer://lbtc>
    BalancerMember ajp://127.0.0.1:$TC_AJP route=tc1 secret=$SECRET
    ProxySet stickysession=JSESSIONID|jsessionid
</Proxy>
ProxyPass /bench/ balancer://lb2/bench/
ProxyPass /sticky16/ balancer://lb16/sticky16/
ProxyPass /tc/ balancer://lbtc/tc/
C
            ;;
        static) ;;
        esac
    } >"$dir/httpd.conf"
}

httpd_up() {   # DIR (an httpd or, with DIR/nginx.conf, an nginx)
    PIDFILES="$PIDFILES $1/run/httpd.pid"
    if [ -e "$1/nginx.conf" ]; then
        # nginx writes its master's pid to run/httpd.pid too, so the CPU
        # and memory readers below and httpd_down work for it unchanged.
        $FRONT_RUN "$NGINX" -p "$1" -c "$1/nginx.conf" -e "$1/logs/error.log" \
            >"$1/start.out" 2>&1 || return 1
    else
        $FRONT_RUN "$APACHE2" -f "$1/httpd.conf" -k start >"$1/start.out" 2>&1 || return 1
    fi
    port=$(cat "$1/port")
    for _ in $(seq 1 1200); do
        curl -s -o /dev/null "http://127.0.0.1:$port/bench/small" && return 0
        sleep 0.05
    done
    return 1
}

httpd_down() {   # DIR
    pid=$(cat "$1/run/httpd.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null
}

httpd_pids() {  # DIR: the parent and its children
    pp=$(cat "$1/run/httpd.pid")
    echo "$pp"; pgrep -P "$pp"
}

cpu_ticks() {   # DIR: utime+stime of all httpd processes
    t=0
    for p in $(httpd_pids "$1"); do
        s=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
        t=$((t + ${s% *} + ${s#* }))
    done
    echo $t
}

child_hwm() {   # DIR: the largest VmHWM (kB) of the children
    m=0
    pp=$(cat "$1/run/httpd.pid")
    for p in $(pgrep -P "$pp"); do
        v=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null)
        [ -n "$v" ] && [ "$v" -gt "$m" ] && m=$v
    done
    echo $m
}

# children_hwm DIR: the sum of the children's VmHWM (kB), the memory figure
# of the sweep.  The children (httpd's, nginx's workers) are what grows with
# connections; the parent serves none.  VmHWM, the peak, rather than RSS at
# one moment: the children live for the whole case, so the peak covers it
# wherever it fell.  Shared pages (libraries, the scoreboard) count once
# per child, the same for every front.
children_hwm() {
    m=0
    pp=$(cat "$1/run/httpd.pid")
    for p in $(pgrep -P "$pp"); do
        v=$(awk '/^VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null)
        [ -n "$v" ] && m=$((m + v))
    done
    echo $m
}

# wrk_parse FILE: "rps p50_us p99_us requests errors"
wrk_parse() {
    python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def us(v, u):
    return float(v) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[u]
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, t, re.M)
    return us(*m.groups()) if m else float("nan")
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
req = re.search(r"(\d+) requests in", t)
err = 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
if m: err += int(m.group(1))
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
if m: err += sum(int(x) for x in m.groups())
print("%s %.1f %.1f %s %d" % (rps.group(1) if rps else "nan", pct(50), pct(99),
                              req.group(1) if req else "0", err))
PY
}

# ---------------------------------------------------------------- cases ---
# workload (and backend) -> URL path, extra wrk args, fronts.  The sweep's
# conc<N> is the small GET: /bench/small from a fake backend, Tomcat's
# 7-byte static file.
wl_path() {   # WORKLOAD BACKEND
    case $1 in
    conc*) if [ "$2" = tomcat ]; then echo /tc/small.txt; else echo /bench/small; fi ;;
    small|rules*|sticky2|upload) echo /bench/small ;;
    big) echo "/bench/big?size=102400" ;;
    sticky16) echo /sticky16/small ;;
    tcsmall) echo /tc/small.txt ;;
    tcjsp) echo /tc/small.jsp ;;
    tcbig) echo /tc/big.txt ;;
    esac
}
wl_expect() {   # WORKLOAD BACKEND: what the body must start with through a proxy
    case $1 in
    conc*) if [ "$2" = tomcat ]; then echo "ok tc1"; else echo "ok b"; fi ;;
    sticky2) echo "ok b2" ;;
    sticky16) echo "ok b11" ;;
    tcsmall|tcjsp) echo "ok tc1" ;;
    big) echo "" ;;
    tcbig) echo "xxxxxxxx" ;;
    *) echo "ok b" ;;
    esac
}
wl_args() {
    case $1 in
    sticky2) echo "-H Cookie:JSESSIONID=0123456789ABCDEF0123456789ABCDEF.w2" ;;
    sticky16) echo "-H Cookie:JSESSIONID=0123456789ABCDEF0123456789ABCDEF.w11" ;;
    upload) echo "-s $ROOT/bench/upload.lua" ;;
    esac
}

run_case() {   # ROUND MPM BACKEND WORKLOAD FRONT
    round=$1 mpm=$2 be=$3 wl=$4 front=$5
    name="$mpm/$be/$wl/$front"
    mounts=directives
    case $wl in rules*) mounts=$wl ;; esac
    # wrk connections: the sweep's step, else BENCH_CONNS
    conns=$CONNS
    case $wl in conc*) conns=${wl#conc} ;; esac
    dir=$T/case
    rm -rf "$dir"
    front_conf "$front" "$mpm" "$mounts" "$dir" "$wl"
    if ! httpd_up "$dir"; then
        log "$name: the front did not start"; cat "$dir/start.out" "$dir/logs/error.log" >&2 2>/dev/null
        httpd_down "$dir"; return 0
    fi
    port=$(cat "$dir/port")
    url="http://127.0.0.1:$port$(wl_path "$wl" "$be")"
    # shellcheck disable=SC2046
    args=$(wl_args "$wl")
    # one checked request: the right backend answers, with 200
    exp=$(wl_expect "$wl" "$be")
    cookie=""
    case $wl in sticky*) cookie=$(echo "$args" | sed 's/^-H Cookie://') ;; esac
    if [ "$wl" = upload ]; then
        got=$(head -c 1048576 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$url")
        [ "$got" = 200 ] || { log "$name: upload check got HTTP $got"; }
    elif [ "$front" != static ]; then
        body=$(curl -s ${cookie:+-H "Cookie: $cookie"} "$url" | head -c 20)
        case $body in "$exp"*) ;; *) log "$name: check failed: body '$body' (want '$exp')" ;; esac
    fi
    $LOAD_RUN wrk -t"$THREADS" -c"$conns" -d"${WARM}s" $args "$url" >/dev/null 2>&1
    c0=$(cpu_ticks "$dir")
    $LOAD_RUN wrk -t"$THREADS" -c"$conns" -d"${SECS}s" --latency $args "$url" >"$T/wrk.out" 2>&1
    c1=$(cpu_ticks "$dir")
    hwm=$(child_hwm "$dir")
    hsum=$(children_hwm "$dir")
    read -r rps p50 p99 nreq errs <<<"$(wrk_parse "$T/wrk.out")"
    cpu_us=$(python3 -c "n=$nreq; print('%.2f' % ((($c1)-($c0))*1e6/$CLK_TCK/n) if n else 'nan')")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mpm" "$be" "$wl" "$front" \
        "$rps" "$p50" "$p99" "$cpu_us" "$hwm" "$nreq" "$errs" "$hsum" "$conns" >>"$RAW"
    log "$(printf '%-28s %10s req/s  p50 %8sus  p99 %9sus  cpu %7sus/req  hwm %6skB (sum %7skB)  err %s' \
        "$name" "$rps" "$p50" "$p99" "$cpu_us" "$hwm" "$hsum" "$errs")"
    if [ "$errs" != 0 ]; then
        log "$name: errors: $(grep -E 'Socket errors|Non-2xx' "$T/wrk.out" | tr -s ' ' | tr '\n' ' ')"
        log "last lines of the error log:"; tail -n 5 "$dir/logs/error.log" >&2
    fi
    httpd_down "$dir"
}

CASES=""
add() { # MPM BACKEND WORKLOAD FRONTS...
    m=$1 b=$2 w=$3; shift 3
    wanted "$m/$b/$w" || return 0
    for f in "$@"; do
        [ "$f" = nginx ] && [ "$DO_NGINX" != 1 ] && continue
        CASES="$CASES $m:$b:$w:$f"
    done
}
add event fake small     ajplb jk proxy static
add event fake big       ajplb jk proxy static
add event fake upload    ajplb jk proxy
add event fake sticky2   ajplb jk proxy
add event fake sticky16  ajplb jk proxy
add event fake rules10   ajplb jk
add event fake rules10k  ajplb jk
# mod_jk cannot load 100,000 rules in useful time: its mount-file loading is
# quadratic (5,000 rules 3.8 s, 10,000 15 s, 20,000 77 s here).
add event fake rules100k ajplb
[ "$DO_PREFORK" = 1 ] && add prefork fake small ajplb jk proxy static
if [ "$DO_CONC" = 1 ]; then
    for n in $CONC_STEPS; do add event fake "conc$n" ajplb jk proxy static; done
fi
# nginx only where a backend speaks HTTP: Tomcat (the fake backend is AJP
# only).
if [ "$TC_OK" = 1 ]; then
    add event tomcat tcsmall ajplb jk proxy static nginx
    add event tomcat tcjsp   ajplb jk proxy nginx
    add event tomcat tcbig   ajplb jk proxy static nginx
    if [ "$DO_CONC" = 1 ]; then
        for n in $CONC_STEPS; do add event tomcat "conc$n" ajplb jk proxy static nginx; done
    fi
fi

date -u +%Y-%m-%dT%H:%M:%SZ >"$RES/started"
: >"$RAW"
ncases=$(echo $CASES | wc -w)
log "$ncases cases x $ROUNDS rounds, ${SECS}s each (+${WARM}s warm-up)"
for r in $(seq 1 "$ROUNDS"); do
    for c in $CASES; do
        IFS=: read -r m b w f <<<"$c"
        run_case "$r" "$m" "$b" "$w" "$f"
    done
done

# ------------------------------------------------ load: 10k workers, 100k rules
: >"$LOADRAW"
if [ "$DO_LOAD" = 1 ] && { [ -z "$ONLY" ] || echo "load" | grep -qE "$ONLY"; }; then
    python3 - "$T" "${P[1]}" "$SECRET" <<'PY'
import sys
t, port, secret = sys.argv[1], sys.argv[2], sys.argv[3]
nlb, per = 100, 100
with open(t + "/big-workers.properties", "w") as f:
    f.write("worker.list=%s\n" % ",".join("lb%d" % i for i in range(nlb)))
    f.write("worker.tpl.type=ajp13\nworker.tpl.host=127.0.0.1\n")
    f.write("worker.tpl.port=%s\nworker.tpl.secret=%s\n" % (port, secret))
    for l in range(nlb):
        names = []
        for m in range(per):
            w = "w%d_%d" % (l, m)
            names.append(w)
            f.write("worker.%s.reference=worker.tpl\n" % w)
        f.write("worker.lb%d.type=lb\nworker.lb%d.balance_workers=%s\n" % (l, l, ",".join(names)))
for n, name in ((100000, "big-rules"), (10000, "big-rules-10k")):
    with open("%s/%s.properties" % (t, name), "w") as f:
        for i in range(n - 1):
            if i % 2:
                f.write("/app%d/*=lb%d\n" % (i, i % nlb))
            else:
                f.write("/ctx%d/page%d.jsp=lb%d\n" % (i, i, i % nlb))
        f.write("/bench/*=lb0\n")
PY
    for r in $(seq 1 "$ROUNDS"); do
        for front in ajplb jk; do
            dir=$T/load
            rm -rf "$dir"
            front_conf "$front" event directives "$dir"
            sed -i -e "s#^JkWorkersFile .*#JkWorkersFile \"$T/big-workers.properties\"#" \
                -e '/^JkMount /d' "$dir/httpd.conf"
            # mod_jk gets 10,000 rules: 100,000 take it far too long (above)
            rules=big-rules; [ "$front" = jk ] && rules=big-rules-10k
            echo "JkMountFile \"$T/$rules.properties\"" >>"$dir/httpd.conf"
            # (a) apache2 -t: wall time and peak RSS
            read -r tw trss trc <<<"$(python3 - "$APACHE2" "$dir/httpd.conf" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call([sys.argv[1], "-t", "-f", sys.argv[2]],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
w = time.monotonic() - t0
print("%.3f %d %d" % (w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
PY
)"
            # (b) start until the first forwarded answer; then parent and
            # child peak RSS
            t0=$(date +%s.%N)
            ok=0
            PIDFILES="$PIDFILES $dir/run/httpd.pid"
            if $FRONT_RUN "$APACHE2" -f "$dir/httpd.conf" -k start >"$dir/start.out" 2>&1; then
                port=$(cat "$dir/port")
                for _ in $(seq 1 1200); do
                    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/bench/small")" = 200 ]; then
                        ok=1; break
                    fi
                    sleep 0.025
                done
            fi
            t1=$(date +%s.%N)
            sw=$(python3 -c "print('%.3f' % ($t1 - $t0))")
            [ "$ok" = 1 ] || sw=nan
            phwm=$(awk '/^VmHWM/ {print $2}' "/proc/$(cat "$dir/run/httpd.pid" 2>/dev/null)/status" 2>/dev/null)
            chwm=$(child_hwm "$dir" 2>/dev/null)
            httpd_down "$dir"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$front" "$rules" "$tw" "$trss" "$trc" "$sw" "${phwm:-0}" "${chwm:-0}" >>"$LOADRAW"
            log "$(printf 'load %-6s -t %6ss rss %7skB rc %s | start->answer %6ss parent hwm %7skB child hwm %7skB' \
                "$front" "$tw" "$trss" "$trc" "$sw" "${phwm:-0}" "${chwm:-0}")"
        done
    done
fi
date -u +%Y-%m-%dT%H:%M:%SZ >"$RES/finished"

# ------------------------------------------------------------- versions ---
{
    echo "date=$(cat "$RES/started")"
    echo "nproc=$(nproc)"
    echo "cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
    echo "kernel=$(uname -sr)"
    echo "httpd=$("$APACHE2" -v | sed -n 's/^Server version: //p')"
    echo "mod_jk=$(dpkg-query -W -f='${Version}' libapache2-mod-jk 2>/dev/null)"
    echo "tomcat=$(dpkg-query -W -f='${Version}' tomcat10 2>/dev/null)"
    echo "wrk=$(dpkg-query -W -f='${Version}' wrk 2>/dev/null)"
    echo "nginx=$(dpkg-query -W -f='${Version}' nginx 2>/dev/null)"
    echo "mod_ajplb=$(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
    echo "pin=$PIN"; echo "front_cpus=$FRONT_CPUS"; echo "load_cpus=$LOAD_CPUS"
    echo "seconds=$SECS"; echo "rounds=$ROUNDS"; echo "conns=$CONNS"; echo "threads=$THREADS"
    echo "conc_steps=$CONC_STEPS"; echo "conc_threads=$CONC_TPC"; echo "nofile=$(ulimit -n)"
    echo "tomcat_http=${TOMCAT_HTTP_ATTRS:-}"; echo "tomcat_ajp=${TOMCAT_AJP_ATTRS:-}"
    echo "ajplb_props=$(printf '%s' "${BENCH_AJPLB_PROPS:-}" | tr '\n' ' ')"
} >"$RES/env.txt"

# Stop the backends before profiling (profile.sh starts its own).
for pf in $PIDFILES; do
    [ -s "$pf" ] && kill "$(cat "$pf")" 2>/dev/null
done
if [ -n "$TOMCAT_DIRS" ]; then for d in $TOMCAT_DIRS; do tomcat_stop "$d"; done; TOMCAT_DIRS=""; fi

rm -rf "$RES/profile" "$RES/profile-rules10" "$RES/profile-rules100k"
if [ "$DO_PROFILE" = 1 ] && [ -z "$ONLY" ]; then
    OUT=$OUT "$ROOT/bench/profile.sh" || log "profile failed"
fi
# The cost of 100,000 rules against 10, in instructions: timed figures of
# two cases run a minute apart move by +-20 % on this machine, callgrind's
# counts do not.
if [ "$DO_PROFILE" = 1 ] && { [ -z "$ONLY" ] || echo "event/fake/rules100k" | grep -qE "$ONLY"; }; then
    for n in 10 100000; do
        d=$RES/profile-rules10; [ "$n" = 100000 ] && d=$RES/profile-rules100k
        OUT=$OUT PROFILE_DIR=$d PROFILE_FRONTS=ajplb PROFILE_REQUESTS=1000 \
            PROFILE_RULES=$n "$ROOT/bench/profile.sh" >/dev/null || log "profile of $n rules failed"
    done
fi

python3 "$ROOT/bench/report.py" "$RES" "${DOC:-}" "$CHART" || exit 1
log "results: $RES (results.tsv, load.tsv, summary.md)"
