# tests/integration/lib.sh -- shared helpers for the integration tests.
# Sourced by each tests/integration/test_*.sh.  Every test gets its own
# temporary directory, picks free loopback ports, and stops every process it
# started on exit, also when it fails.
#
# Environment: OUT (build output dir, default out), RESULTS (results file).

set -u
IT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$IT_ROOT/out}
case "$OUT" in /*) ;; *) OUT=$IT_ROOT/$OUT ;; esac
MODULE=${MODULE:-$OUT/mod_ajplb.so}
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODDIR=${MODDIR:-/usr/lib/apache2/modules}
IT_NAME=$(basename "$0" .sh)
# With SAN_PRELOAD set (make check-asan), httpd runs with the sanitizer
# runtimes preloaded so an ASan/UBSan-built module can load; leak checks
# are off because httpd never frees its own pools at exit.
SAN_ENV=""
if [ -n "${SAN_PRELOAD:-}" ]; then
    SAN_ENV="LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1"
    IT_NAME="$IT_NAME(asan)"
fi
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ajplb-it.XXXXXX")
# httpd's children (www-data) read configs and documents from here.
chmod 755 "$IT_TMP"
IT_PASS=0
IT_FAIL=0
IT_PIDFILES=""

it_cleanup() {
    for pf in $IT_PIDFILES; do
        if [ -s "$pf" ]; then
            pid=$(cat "$pf")
            kill "$pid" 2>/dev/null
            # httpd stops its children itself; give it a moment, then force.
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.2
            done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    if [ "$IT_FAIL" -gt 0 ] && [ -n "${KEEP_TMP:-}" ]; then
        echo "# kept $IT_TMP"
    else
        rm -rf "$IT_TMP"
    fi
}
trap it_cleanup EXIT
trap 'exit 130' INT TERM

ok() {
    IT_PASS=$((IT_PASS + 1))
    echo "ok - $1"
}

not_ok() {
    IT_FAIL=$((IT_FAIL + 1))
    echo "not ok - $1"
    shift
    for line in "$@"; do
        printf '#   %s\n' "$line"
    done
}

# it_done: print the closing line, record it, exit with the right status.
it_done() {
    if [ -n "$SAN_ENV" ]; then
        reports=$(cat "$IT_TMP"/*/logs/error.log 2>/dev/null \
                  | grep -E "ERROR: AddressSanitizer|runtime error:" | head -n 5)
        if [ -n "$reports" ]; then
            not_ok "no sanitizer report in httpd's error log" "$reports"
        else
            ok "no sanitizer report in httpd's error log"
        fi
    fi
    echo "$IT_NAME: $IT_PASS passed, $IT_FAIL failed"
    if [ -n "${RESULTS:-}" ]; then
        echo "$IT_NAME $IT_PASS $IT_FAIL" >>"$RESULTS"
    fi
    [ "$IT_FAIL" -eq 0 ] && [ "$IT_PASS" -gt 0 ]
    exit $?
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# it_base_conf DIR PORT: print the part of a throwaway httpd.conf every
# test httpd shares (server root, port, logs, user, MPM, authz_core); the
# caller has made DIR/logs and DIR/run.
it_base_conf() {
    user_lines=""
    if [ "$(id -u)" = 0 ]; then
        chown www-data "$1/logs" 2>/dev/null
        user_lines="User www-data
Group www-data"
    fi
    cat <<CONF
ServerRoot "$1"
ServerName 127.0.0.1
Listen 127.0.0.1:$2
PidFile "$1/run/httpd.pid"
DefaultRuntimeDir "$1/run"
ErrorLog "$1/logs/error.log"
LogLevel ${IT_LOGLEVEL:-warn}
$user_lines
LoadModule mpm_${IT_MPM:-event}_module $MODDIR/mod_mpm_${IT_MPM:-event}.so
LoadModule authz_core_module $MODDIR/mod_authz_core.so
CONF
}

# httpd_conf DIR PORT: write DIR/httpd.conf for a throwaway httpd with the
# module loaded; extra configuration is read from stdin and appended.
httpd_conf() {
    dir=$1 port=$2
    mkdir -p "$dir/logs" "$dir/run"
    {
        it_base_conf "$dir" "$port"
        echo "LoadModule ajplb_module $MODULE"
        cat
    } >"$dir/httpd.conf"
}

# one_child: MPM lines for a throwaway httpd with a single child of 4
# threads, so a test meets that one process's pooled backend connections.
one_child() {
    printf '%s\n' "ServerLimit 1" "StartServers 1" "ThreadsPerChild 4" \
        "MaxRequestWorkers 4" "MinSpareThreads 1" "MaxSpareThreads 4"
}

# Debian's mod_jk, for tests that run one configuration under both modules.
MODJK=${MODJK:-$MODDIR/mod_jk.so}

# use_mod_jk DIR: DIR/httpd.conf (from httpd_conf) loads mod_jk instead of
# mod_ajplb; nothing else changes.
use_mod_jk() {
    sed -i "s|^LoadModule ajplb_module .*|LoadModule jk_module $MODJK|" \
        "$1/httpd.conf"
}

# httpd_test DIR: run `apache2 -t` on DIR/httpd.conf; output in $HTTPD_OUT,
# exit status in $HTTPD_RC.
httpd_test() {
    HTTPD_OUT=$(env $SAN_ENV "$APACHE2" -t -f "$1/httpd.conf" 2>&1)
    HTTPD_RC=$?
}

httpd_start() {
    IT_PIDFILES="$IT_PIDFILES $1/run/httpd.pid"
    env $SAN_ENV "$APACHE2" -f "$1/httpd.conf" -k start
}

# httpd_stop DIR: stop by signal (apache2 -k stop would re-read a
# configuration a test may have broken on purpose) and wait for the exit.
httpd_stop() {
    pid=$(cat "$1/run/httpd.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
}

# start_backend NAME [args...]: start the fake AJP backend on a free port;
# sets BACKEND_PORT.  Stats: backend_stat NAME KEY.
start_backend() {
    name=$1; shift
    rm -f "$IT_TMP/$name.port"
    "$OUT/tools/fake_ajp_backend" --port "${BACKEND_FIXED_PORT:-0}" \
        --port-file "$IT_TMP/$name.port" --stats-file "$IT_TMP/$name.stats" \
        --name "$name" "$@" >"$IT_TMP/$name.log" 2>&1 &
    echo $! >"$IT_TMP/$name.pid"
    IT_PIDFILES="$IT_PIDFILES $IT_TMP/$name.pid"
    for _ in $(seq 1 100); do
        [ -s "$IT_TMP/$name.port" ] && break
        sleep 0.05
    done
    BACKEND_PORT=$(cat "$IT_TMP/$name.port")
}

stop_backend() {
    pid=$(cat "$IT_TMP/$1.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null
    rm -f "$IT_TMP/$1.pid"
}

backend_stat() {
    sed -n "s/^$2=//p" "$IT_TMP/$1.stats" 2>/dev/null | head -n 1
}

# wait_http PORT: until httpd answers on PORT.
wait_http() {
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.05
    done
    return 1
}

# check NAME EXPECTED ACTUAL [context...]: equality assertion.
check() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        n=$1 e=$2 a=$3; shift 3
        not_ok "$n" "expected: $e" "actual:   $a" "$@"
    fi
}

# check_grep NAME PATTERN TEXT: TEXT contains the extended regex PATTERN.
check_grep() {
    if printf '%s\n' "$3" | grep -qE -- "$2"; then
        ok "$1"
    else
        not_ok "$1" "pattern: $2" "text: $(printf '%s' "$3" | head -c 600)"
    fi
}

# fnv1a64 FILE: the hash the fake backend prints as body_fnv1a64.
fnv1a64() {
    python3 - "$1" <<'PY'
import sys
h = 0xcbf29ce484222325
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        for c in b:
            h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)
PY
}

# child_pids: httpd's children (the parent's pid file in DIR/run).
child_pids() {
    pgrep -P "$(cat "$1/run/httpd.pid")" 2>/dev/null
}

# doc_blocks DOC DEST: write every fenced block of DOC whose info string
# ends in "file=PATH" (e.g. ```apache file=pair1/proxy.conf) to DEST/PATH,
# so the configurations in docs/ are tested as written.  Prints the paths.
doc_blocks() {
    awk -v dest="$2" '
        /^```/ {
            if (f != "") { close(f); f = ""; next }
            if (match($0, /file=[^ ]+$/)) {
                f = dest "/" substr($0, RSTART + 5, RLENGTH - 5)
                d = f; sub(/\/[^\/]*$/, "", d)
                system("mkdir -p \"" d "\"")
                printf "" >f
                print f
                next
            }
        }
        f != "" { print >f }' "$1"
}

# front_conf DIR PORT CONF...: DIR/httpd.conf for an httpd that loads no
# module beyond the MPM and authz_core and then includes the CONF files
# (which may load mod_ajplb, mod_proxy, ...).
front_conf() {
    dir=$1 port=$2; shift 2
    mkdir -p "$dir/logs" "$dir/run"
    {
        it_base_conf "$dir" "$port"
        for c in "$@"; do
            echo "Include \"$c\""
        done
    } >"$dir/httpd.conf"
}
