#!/bin/sh
# tests/integration/test_write_order.sh -- a small answer is written to the
# client inside the handler, right after the backend's reply is read, and
# not after httpd's look for a pipelined request (which would cost every
# keep-alive request an EAGAIN read and a trip through the MPM's poll).
# The order of system calls is watched with strace on the httpd child: no
# read of the client socket may come between reading the backend's answer
# and writing the response.  Deterministic: it checks order, not time.
. "$(dirname "$0")/lib.sh"

if ! command -v strace >/dev/null; then
    not_ok "strace is installed (scripts/deps.sh check installs it)"
    it_done
fi
start_backend b1 --secret s
port=$(free_port)
H=$IT_TMP/h
printf 'worker.list=w1\nworker.w1.host=127.0.0.1\nworker.w1.port=%s\nworker.w1.secret=s\n' \
    "$BACKEND_PORT" >"$IT_TMP/workers.properties"
httpd_conf "$H" "$port" <<CONF
$(one_child)
KeepAlive On
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* w1
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
curl -s -o /dev/null "$U/app/warm"

child=$(child_pids "$H" | head -n 1)
mkdir -p "$IT_TMP/trace"
# -f attaches every thread of the child; -ff: one file per thread, so no
# interleaved or unfinished lines to join.
strace -qq -f -ff -s 24 -e trace=read,recvfrom,writev \
    -o "$IT_TMP/trace/t" -p "$child" 2>"$IT_TMP/strace.err" &
echo $! >"$IT_TMP/strace.pid"
IT_PIDFILES="$IT_PIDFILES $IT_TMP/strace.pid"
sleep 1
# Three small answers on one keep-alive connection.
curl -s -o /dev/null -o /dev/null -o /dev/null \
    "$U/app/a?size=10" "$U/app/b?size=10" "$U/app/c?size=10"
sleep 0.5
kill -INT "$(cat "$IT_TMP/strace.pid")" 2>/dev/null
wait "$(cat "$IT_TMP/strace.pid")" 2>/dev/null

out=$(python3 - "$IT_TMP/trace" <<'PY'
import os, re, sys
call = re.compile(r'^(read|recvfrom|writev)\((\d+),(.*)$')
answers = early = 0
for name in sorted(os.listdir(sys.argv[1])):
    client, pending = None, False
    for line in open(os.path.join(sys.argv[1], name), errors="replace"):
        m = call.match(line)
        if not m:
            continue
        what, fd, rest = m.group(1), m.group(2), m.group(3)
        if what == "read" and rest.lstrip().startswith('"GET /app/'):
            client = fd
        elif what == "read" and rest.lstrip().startswith('"AB'):
            pending = True          # the backend's answer has been read
        elif fd == client and what == "read" and pending:
            early += 1              # httpd looked at the client first
        elif fd == client and what == "writev" and "HTTP/1.1 " in rest:
            if pending:
                answers += 1
            pending = False
print("answers=%d early_reads=%d" % (answers, early))
PY
)
check "three answers seen in the trace, each written before any client read" \
    "answers=3 early_reads=0" "$out"
[ -s "$IT_TMP/strace.err" ] && echo "# strace: $(head -c 300 "$IT_TMP/strace.err")"
it_done
