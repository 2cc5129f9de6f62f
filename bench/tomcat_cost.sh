#!/bin/bash
# bench/tomcat_cost.sh -- what each AJP front makes a real Tomcat 10 do per
# request (issue #13): Tomcat's CPU per 1,000 requests, its system calls per
# request (strace -f -c on the JVM), and the AJP connections it holds, for
# mod_ajplb, mod_jk and mod_proxy_ajp with the same worker settings, in
# alternating rounds.  With Tomcat as the bottleneck, the front that makes
# Tomcat work least per request wins, so this is the figure to move.
#
#   OUT=out bench/tomcat_cost.sh            # 3 rounds, 5 s each
#   COST_ROUNDS=5 COST_SECONDS=8 COST_PATH=/tc/small.jsp bench/tomcat_cost.sh
#   COST_FRONTS="ajplb jk" ...              # a subset
#   MODULE0=old/mod_ajplb.so COST_FRONTS="ajplb0 ajplb jk" ...
#                       # ajplb0: a second build of the module, in the
#                       # same rounds (before and after a change)
#   COST_PERF=1 ...     # also perf profiles of Tomcat per front
#   COST_PIN=1 ...      # as make bench pins: httpd on the last CPU, Tomcat
#                       # and wrk on the others
# Results: $OUT/bench/tomcat_cost.tsv (one row per round and front) and a
# median table on stdout.  Asserts nothing.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/out}
case "$OUT" in /*) ;; *) OUT=$ROOT/$OUT ;; esac
MODULE=${MODULE:-$OUT/mod_ajplb.so}
MODULE0=${MODULE0:-$MODULE}
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODDIR=${MODDIR:-/usr/lib/apache2/modules}
ROUNDS=${COST_ROUNDS:-3}
SECS=${COST_SECONDS:-5}
CONNS=${COST_CONNS:-32}
URLPATH=${COST_PATH:-/tc/small.txt}
FRONTS=${COST_FRONTS:-ajplb jk proxy}
STRACE_N=${COST_STRACE_REQUESTS:-4000}
SECRET=costsecret
NCPU=$(nproc)
FRONT_RUN="" LOAD_RUN=""
if [ "${COST_PIN:-0}" = 1 ] && [ "$NCPU" -ge 2 ]; then
    FRONT_RUN="taskset -c $((NCPU - 1))"
    LOAD_RUN="taskset -c 0-$((NCPU - 2))"
fi
. "$ROOT/bench/lib.sh"
TOMCAT_SH=$ROOT/tests/tomcat/tomcat.sh
. "$TOMCAT_SH"
CLK_TCK=$(getconf CLK_TCK)
RES=$OUT/bench
mkdir -p "$RES"
TSV=$RES/tomcat_cost.tsv
T=$(mktemp -d "${TMPDIR:-/tmp}/ajplb-cost.XXXXXX")
chmod 755 "$T"
PIDFILES=""

cleanup() {
    for f in $PIDFILES; do
        [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    tomcat_stop "$T/tomcat"
    [ "${KEEP_TMP:-}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TC_AJP=$(free_port) TC_HTTP=$(free_port)
tomcat_make "$T/tomcat" "$TC_AJP" "$TC_HTTP" tc1 "$SECRET"
mkdir -p "$T/tomcat/webapps/ROOT/tc"
printf 'ok tc1\n' >"$T/tomcat/webapps/ROOT/tc/small.txt"
printf '<%%@ page session="false" %%>ok <%%= 1 + 1 %%>\n' \
    >"$T/tomcat/webapps/ROOT/tc/small.jsp"
head -c 102400 /dev/zero | tr '\0' x >"$T/tomcat/webapps/ROOT/tc/big.txt"
tomcat_start "$T/tomcat" || exit 1
TPID=$(cat "$T/tomcat/pid")
[ -n "$LOAD_RUN" ] && taskset -a -c -p "0-$((NCPU - 2))" "$TPID" >/dev/null

cat >"$T/workers.properties" <<P
worker.list=lbtc
worker.tc1.type=ajp13
worker.tc1.host=127.0.0.1
worker.tc1.port=$TC_AJP
worker.tc1.secret=$SECRET
worker.tc1.route=tc1
worker.lbtc.type=lb
worker.lbtc.balance_workers=tc1
P

front_conf() {   # FRONT DIR
    mkdir -p "$2/logs" "$2/run"
    chown www-data "$2/logs" 2>/dev/null
    port=$(free_port)
    echo "$port" >"$2/port"
    {
        cat <<C
ServerRoot "$2"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$2/run/httpd.pid"
DefaultRuntimeDir "$2/run"
ErrorLog "$2/logs/error.log"
LogLevel warn
LoadModule mpm_event_module $MODDIR/mod_mpm_event.so
StartServers 2
ServerLimit 2
ThreadLimit 32
ThreadsPerChild 32
MaxRequestWorkers 64
MinSpareThreads 32
MaxSpareThreads 64
LoadModule authz_core_module $MODDIR/mod_authz_core.so
KeepAlive On
MaxKeepAliveRequests 0
C
        [ "$(id -u)" = 0 ] && printf 'User www-data\nGroup www-data\n'
        case $1 in
        ajplb|ajplb0|jk)
            if [ "$1" = ajplb ]; then
                echo "LoadModule ajplb_module $MODULE"
            elif [ "$1" = ajplb0 ]; then
                echo "LoadModule ajplb_module $MODULE0"
            else
                echo "LoadModule jk_module $MODDIR/mod_jk.so"
            fi
            cat <<C
JkWorkersFile "$T/workers.properties"
JkShmFile logs/jk.shm
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /tc/* lbtc
C
            ;;
        proxy)
            cat <<C
LoadModule proxy_module $MODDIR/mod_proxy.so
LoadModule proxy_ajp_module $MODDIR/mod_proxy_ajp.so
LoadModule proxy_balancer_module $MODDIR/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module $MODDIR/mod_lbmethod_byrequests.so
LoadModule slotmem_shm_module $MODDIR/mod_slotmem_shm.so
<Proxy balancer://lbtc>
    BalancerMember ajp://127.0.0.1:$TC_AJP route=tc1 secret=$SECRET
    ProxySet stickysession=JSESSIONID|jsessionid
</Proxy>
ProxyPass /tc/ balancer://lbtc/tc/
C
            ;;
        esac
    } >"$2/httpd.conf"
}

ticks() {   # PID: utime+stime of the whole process (all threads)
    cut -d' ' -f14,15 "/proc/$1/stat" | awk '{print $1 + $2}'
}
cpu_idle() {  # N: idle+iowait and total jiffies of CPU N ("IDLE TOTAL")
    awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i
                               print $5 + $6, t }' /proc/stat
}
ipis() {  # N: rescheduling + function-call interrupts received by CPU N
    awk -v c=$(( $1 + 2 )) '$1 == "RES:" || $1 == "CAL:" { n += $c }
                            END { print n + 0 }' /proc/interrupts
}
sticks() {  # PID: stime alone (the kernel's share: TCP, wake-ups)
    cut -d' ' -f15 "/proc/$1/stat"
}

# ctxsw PID...: voluntary and involuntary context switches of every thread
# of the given processes, summed ("VOL INVOL").  A thread that sleeps in
# recv() while its peer writes a reply in several packets is woken once
# per packet; each wake-up costs the writer CPU, so these show whether a
# front's threads wait on Tomcat more often per request.
ctxsw() {
    cat $(for p in "$@"; do echo /proc/"$p"/task/*/status; done) \
        2>/dev/null | awk '/^voluntary_ctxt/ { v += $2 }
                           /^nonvoluntary_ctxt/ { n += $2 }
                           END { print v + 0, n + 0 }'
}

# AJP connections Tomcat holds open from the front.
ajp_conns() {
    ss -Htn state established "( sport = :$TC_AJP )" | wc -l
}

printf 'round\tfront\treq_s\ttomcat_ms_per_1000\ttomcat_sys_ms_per_1000\tsyscalls_per_req\tepoll_ctl\tfutex\tread\twrite\tajp_conns\thttpd_vcs_per_req\ttomcat_vcs_per_req\tlast_cpu_idle_pct\tlast_cpu_ipi_per_req\n' >"$TSV"
for round in $(seq 1 "$ROUNDS"); do
    for front in $FRONTS; do
        d=$T/$front.$round
        front_conf "$front" "$d"
        PIDFILES="$PIDFILES $d/run/httpd.pid"
        $FRONT_RUN "$APACHE2" -f "$d/httpd.conf" -k start || exit 1
        port=$(cat "$d/port")
        url=http://127.0.0.1:$port$URLPATH
        for _ in $(seq 1 100); do
            curl -sf -o /dev/null "$url" && break
            sleep 0.1
        done
        $LOAD_RUN wrk -t2 -c"$CONNS" -d2s "$url" >/dev/null
        kids=$(pgrep -P "$(cat "$d/run/httpd.pid")")
        read -r hv0 _ <<<"$(ctxsw $kids)"
        read -r tv0 _ <<<"$(ctxsw "$TPID")"
        t0=$(ticks "$TPID") s0=$(sticks "$TPID")
        read -r fi0 ft0 <<<"$(cpu_idle $((NCPU - 1)))"
        ipi0=$(ipis $((NCPU - 1)))
        $LOAD_RUN wrk -t2 -c"$CONNS" -d"${SECS}s" "$url" >"$d/wrk.txt"
        t1=$(ticks "$TPID") s1=$(sticks "$TPID")
        read -r fi1 ft1 <<<"$(cpu_idle $((NCPU - 1)))"
        ipi1=$(ipis $((NCPU - 1)))
        read -r hv1 _ <<<"$(ctxsw $kids)"
        read -r tv1 _ <<<"$(ctxsw "$TPID")"
        conns=$(ajp_conns)
        reqs=$(awk '/requests in/ {print $1}' "$d/wrk.txt")
        rps=$(awk '/^Requests\/sec/ {print $2}' "$d/wrk.txt")
        ms=$(awk -v t=$((t1 - t0)) -v r="$reqs" -v hz="$CLK_TCK" \
            'BEGIN { printf "%.1f", t * 1000 / hz / r * 1000 }')
        sms=$(awk -v t=$((s1 - s0)) -v r="$reqs" -v hz="$CLK_TCK" \
            'BEGIN { printf "%.1f", t * 1000 / hz / r * 1000 }')
        # COST_PERF=1: where Tomcat's CPU goes (kernel and JVM symbols,
        # sampled on cpu-clock) during a further 3 s of the same load.
        if [ "${COST_PERF:-0}" = 1 ]; then
            perf record -q -g -e cpu-clock -F 2000 -p "$TPID" \
                -o "$d/perf.data" -- sleep 3 >/dev/null 2>&1 &
            ppid=$!
            $LOAD_RUN wrk -t2 -c"$CONNS" -d3s "$url" >/dev/null
            wait $ppid
            perf report -q -i "$d/perf.data" --no-children --sort sym -G \
                2>/dev/null | head -n 60 >"$RES/tomcat_cost_perf.$front.$round.txt"
        fi
        # System calls: strace slows Tomcat down a lot, so count over a
        # fixed number of requests, not a duration.
        strace -f -c -qq -p "$TPID" -o "$d/strace.txt" &
        spid=$!
        sleep 1
        ab -k -q -c "$CONNS" -n "$STRACE_N" "$url" >"$d/ab.txt" 2>&1
        kill -INT $spid; wait $spid 2>/dev/null
        sc=$(awk -v n="$STRACE_N" '
            $NF == "total" { tot = $4 }
            $NF == "epoll_ctl" { ec = $4 } $NF == "futex" { fx = $4 }
            $NF == "read" { rd = $4 } $NF == "write" { wr = $4 }
            END { printf "%.2f\t%.2f\t%.2f\t%.2f\t%.2f", tot / n, ec / n,
                  fx / n, rd / n, wr / n }' "$d/strace.txt")
        # Wake-ups: context switches of httpd's threads and Tomcat's per
        # request, then the idle share of the last CPU (httpd's when
        # COST_PIN=1) and the interrupts it received per request: a thread
        # woken on an idle virtual CPU costs the waker an interrupt to that
        # CPU, which the hypervisor makes expensive.
        waits=$(awk -v h=$((hv1 - hv0)) -v t=$((tv1 - tv0)) -v r="$reqs" \
            -v i=$((fi1 - fi0)) -v a=$((ft1 - ft0)) -v q=$((ipi1 - ipi0)) \
            'BEGIN { printf "%.2f\t%.2f\t%.1f\t%.2f", h / r, t / r,
                     100 * i / a, q / r }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$front" \
            "$rps" "$ms" "$sms" "$sc" "$conns" "$waits" | tee -a "$TSV"
        kill "$(cat "$d/run/httpd.pid")"
        sleep 2
    done
done

python3 - "$TSV" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cols = [c for c in rows[0] if c not in ("round", "front")]
fronts = []
for r in rows:
    if r["front"] not in fronts:
        fronts.append(r["front"])
print("| front | " + " | ".join(cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for f in fronts:
    med = [statistics.median(float(r[c]) for r in rows if r["front"] == f)
           for c in cols]
    print("| %s | %s |" % (f, " | ".join("%.2f" % m for m in med)))
PY
