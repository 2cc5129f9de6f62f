#!/bin/bash
# bench/profile.sh -- where mod_ajplb's request path spends its time,
# compared with mod_jk and mod_proxy_ajp.  For each front: one httpd -X
# (prefork, single process, single thread) against the fake AJP backend in
# --bench mode,
#   1. under valgrind --tool=callgrind with instrumentation switched on only
#      for N keep-alive small GETs (after a warm-up): Ir per request, the top
#      inclusive and self costs, the cost per shared object;
#   2. under strace -c (attached after the warm-up): syscalls per request,
#      plus one traced request (strace -tt) to show the sequence.
# Instruction counts are repeatable here; times are not.
#
# Environment: OUT (out), PROFILE_REQUESTS (2000), PROFILE_FRONTS
# ("ajplb jk proxy static"; static = httpd serving the same 6 bytes
# from a file, the ceiling), PROFILE_RULES (unset: one JkMount; N: a
# JkMountFile of N rules, the matching one last, as bench/run.sh),
# PROFILE_DIR (where the results go), KEEP_TMP=1 to keep the temp directory.
# Output: $OUT/bench/profile/ (FRONT.callgrind, FRONT.incl.txt,
# FRONT.self.txt, FRONT.strace-c.txt, FRONT.strace-1.txt, summary.md).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/out}
case "$OUT" in /*) ;; *) OUT=$ROOT/$OUT ;; esac
MODULE=${MODULE:-$OUT/mod_ajplb.so}
FAKE=${FAKE:-$OUT/tools/fake_ajp_backend}
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODDIR=${MODDIR:-/usr/lib/apache2/modules}
N=${PROFILE_REQUESTS:-2000}
FRONTS=${PROFILE_FRONTS:-ajplb jk proxy static}
RES=${PROFILE_DIR:-$OUT/bench/profile}
mkdir -p "$RES"
SECRET=benchsecret

for t in valgrind callgrind_annotate callgrind_control strace ab; do
    command -v $t >/dev/null || { echo "profile: $t is not installed" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ajplb-prof.XXXXXX")
chmod 755 "$T"
PIDS=""
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "profile: kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "profile: $*" >&2; }
. "$ROOT/bench/lib.sh"

"$FAKE" --port 0 --port-file "$T/b1.port" --name b1 --route w1 --secret "$SECRET" \
    --bench >"$T/b1.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do [ -s "$T/b1.port" ] && break; sleep 0.05; done
BP=$(cat "$T/b1.port")
cat >"$T/workers.properties" <<W
worker.list=lb
worker.b1.type=ajp13
worker.b1.host=127.0.0.1
worker.b1.port=$BP
worker.b1.secret=$SECRET
worker.b1.route=w1
worker.lb.type=lb
worker.lb.balance_workers=b1
W
[ -n "${PROFILE_RULES:-}" ] && mountfile "$PROFILE_RULES" "$T/rules.properties" lb
mkdir -p "$T/htdocs/bench"
printf 'ok b1\n' >"$T/htdocs/bench/small"

conf() {   # FRONT DIR
    front=$1 dir=$2
    mkdir -p "$dir/logs" "$dir/run"
    chown www-data "$dir/logs" 2>/dev/null
    port=$(free_port); echo "$port" >"$dir/port"
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
        cat <<C
LoadModule mpm_prefork_module $MODDIR/mod_mpm_prefork.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot "$T/htdocs"
<Directory />
    AllowOverride None
</Directory>
C
        case $front in
        ajplb|jk)
            if [ "$front" = ajplb ]; then echo "LoadModule ajplb_module $MODULE"
            else echo "LoadModule jk_module $MODDIR/mod_jk.so"; fi
            cat <<C
JkWorkersFile "$T/workers.properties"
JkShmFile logs/jk.shm
JkLogFile logs/mod_jk.log
JkLogLevel info
C
            if [ -n "${PROFILE_RULES:-}" ]; then
                echo "JkMountFile \"$T/rules.properties\""
            else
                echo "JkMount /bench/* lb"
            fi
            ;;
        proxy)
            cat <<C
LoadModule proxy_module $MODDIR/mod_proxy.so
LoadModule proxy_ajp_module $MODDIR/mod_proxy_ajp.so
LoadModule proxy_balancer_module $MODDIR/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module $MODDIR/mod_lbmethod_byrequests.so
LoadModule slotmem_shm_module $MODDIR/mod_slotmem_shm.so
<Proxy balancer://lb>
    BalancerMember ajp://127.0.0.1:$BP route=w1 secret=$SECRET
    ProxySet stickysession=JSESSIONID|jsessionid
</Proxy>
ProxyPass /bench/ balancer://lb/bench/
C
            ;;
        esac
    } >"$dir/httpd.conf"
}

wait_up() {   # PORT
    for _ in $(seq 1 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/bench/small")" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}

stop_pid() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null
}

{
    echo "Profile: $N keep-alive small GETs (\`ab -k -c 1\`) through \`httpd -X\` (prefork, one"
    echo "process) to the fake backend in --bench mode; lb worker with one member."
    echo
    echo "| front | Ir per request (callgrind: ap_read_request + ap_process_request) | syscalls per request (strace -c) |"
    echo "|---|---:|---:|"
} >"$RES/summary.md"
: >"$RES/objects.md"

for front in $FRONTS; do
    dir=$T/$front
    rm -rf "$dir"; conf "$front" "$dir"
    port=$(cat "$dir/port")
    url="http://127.0.0.1:$port/bench/small"

    # ---- callgrind
    # httpd -X drops to www-data, and valgrind writes the profile at exit:
    # into a directory that user can write, copied afterwards.
    mkdir -p "$T/cg"; chmod 777 "$T/cg"
    cg=$T/cg/$front.callgrind
    rm -f "$cg"; : >"$cg"; chown www-data "$cg" 2>/dev/null; chmod 666 "$cg"
    # Collect only inside ap_read_request and ap_process_request (reading,
    # handling, answering and logging a request; callgrind_control cannot
    # be used: it waits while httpd blocks in poll).  The request count
    # comes from the call counts in the profile.
    valgrind --tool=callgrind --vgdb=no --collect-atstart=no \
        --toggle-collect=ap_read_request --toggle-collect=ap_process_request \
        --callgrind-out-file="$cg" --dump-line=yes \
        "$APACHE2" -X -f "$dir/httpd.conf" >"$dir/valgrind.out" 2>&1 &
    vp=$!
    PIDS="$PIDS $vp"
    if ! wait_up "$port"; then
        log "$front: httpd -X under valgrind did not answer"; tail "$dir/valgrind.out" "$dir/logs/error.log" >&2
        stop_pid "$vp"; continue
    fi
    ab -k -n "$N" -c 1 "$url" >"$dir/ab.out" 2>&1
    stop_pid "$vp"
    fails=$(sed -n 's/^Failed requests: *//p' "$dir/ab.out")
    [ "$fails" = 0 ] || log "$front: ab reported failed requests: $fails"
    nreq=$(python3 - "$cg" <<'PY2'
import re, sys
names, cur, calls = {}, None, 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        cur = names.get(m.group(1))
        continue
    m = re.match(r"calls=(\d+)", line)
    if m and cur == "ap_process_request":
        calls += int(m.group(1))
print(calls)
PY2
)
    [ "${nreq:-0}" -gt 0 ] || nreq=$N
    cp "$cg" "$RES/$front.callgrind" 2>/dev/null
    callgrind_annotate --inclusive=yes --threshold=99.5 "$cg" 2>/dev/null | head -n 90 >"$RES/$front.incl.txt"
    callgrind_annotate --threshold=99.5 "$cg" 2>/dev/null | head -n 90 >"$RES/$front.self.txt"
    ir=$(callgrind_annotate "$cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')

    # ---- strace -c, attached after a warm-up
    "$APACHE2" -X -f "$dir/httpd.conf" >"$dir/x.out" 2>&1 &
    xp=$!
    PIDS="$PIDS $xp"
    wait_up "$port" || log "$front: httpd -X did not answer"
    ab -k -n 200 -c 1 "$url" >/dev/null 2>&1
    tasks=$(ls "/proc/$xp/task" | sed 's/^/-p /' | tr '\n' ' ')
    # shellcheck disable=SC2086
    strace -f -c -o "$RES/$front.strace-c.txt" $tasks 2>/dev/null &
    sp=$!
    sleep 1
    ab -k -n "$N" -c 1 "$url" >/dev/null 2>&1
    kill -INT "$sp"; wait "$sp" 2>/dev/null
    # one request, every syscall
    # shellcheck disable=SC2086
    strace -f -tt -o "$RES/$front.strace-1.txt" $tasks 2>/dev/null &
    sp=$!
    sleep 1
    curl -s -o /dev/null "$url"
    sleep 0.3
    kill -INT "$sp"; wait "$sp" 2>/dev/null
    stop_pid "$xp"
    calls=$(awk '$NF == "total" {print $(NF-2)}' "$RES/$front.strace-c.txt")
    python3 - "$front" "$ir" "$calls" "$N" "$nreq" >>"$RES/summary.md" <<'PY'
import sys
f, ir, calls, n, nreq = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
name = {"ajplb": "mod_ajplb", "jk": "mod_jk", "proxy": "mod_proxy_ajp",
        "static": "static file (httpd core)"}[f]
ir = "{:,.0f}".format(int(ir) / nreq) if ir.isdigit() else "?"
calls = "%.1f" % (int(calls) / n) if calls.isdigit() else "?"
print("| %s | %s | %s |" % (name, ir, calls))
PY
    # cost per shared object (self cost)
    python3 - "$front" "$cg" "$nreq" >>"$RES/objects.md" <<'PY'
import re, subprocess, sys
front, cg, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
txt = subprocess.run(["callgrind_annotate", "--threshold=100", cg], capture_output=True,
                     text=True).stdout
per = {}
for line in txt.splitlines():
    m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S.*\[(.+)\]\s*$", line)
    if m:
        obj = m.group(2).split("/")[-1]
        per[obj] = per.get(obj, 0) + int(m.group(1).replace(",", ""))
print("%s, self Ir per request by object: %s" % (front, ", ".join(
    "%s %s" % (o, "{:,.0f}".format(v / n)) for o, v in sorted(per.items(), key=lambda x: -x[1])[:8])))
print()
PY
    log "$front: done"
done
{
    echo
    cat "$RES/objects.md"
    for front in $FRONTS; do
        echo "### strace -c, $front ($N requests)"
        echo
        echo '```'
        sed -n '1,30p' "$RES/$front.strace-c.txt"
        echo '```'
        echo
    done
} >>"$RES/summary.md"
cat "$RES/summary.md"
