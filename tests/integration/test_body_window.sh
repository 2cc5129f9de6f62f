#!/bin/sh
# tests/integration/test_body_window.sh -- body_window (issue #13): request
# body packets sent before the backend asks for them.  Against the fake
# backend (which counts the asks that found a packet already waiting):
# every body size and chunked bodies arrive whole with body_window 0, 1, 4
# and 16; with 0 nothing is ever sent ahead, with 4 it is; a backend that
# answers without reading what was sent ahead gets the connection closed,
# and the body's short last packet is never sent ahead, so no client bytes
# can be taken for a request (a body whose last packet would start with
# FORWARD_REQUEST's type byte).
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s
port=$(free_port)
H=$IT_TMP/h
{
    echo "worker.list=w0,w1,w4,w16"
    echo "worker.t.type=ajp13"
    echo "worker.t.host=127.0.0.1"
    echo "worker.t.port=$BACKEND_PORT"
    echo "worker.t.secret=s"
    for w in 0 1 4 16; do
        echo "worker.w$w.reference=worker.t"
        echo "worker.w$w.body_window=$w"
    done
} >"$IT_TMP/workers.properties"
httpd_conf "$H" "$port" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkMount /w0/* w0
JkMount /w1/* w1
JkMount /w4/* w4
JkMount /w16/* w16
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
stat1() { backend_stat b1 "$1"; }
field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }

# Sizes around packet boundaries (8186 data bytes per packet at 8192).
for w in 0 1 4 16; do
    for n in 1 8186 8187 16372 24558 25158 1048576; do
        head -c "$n" /dev/urandom >"$IT_TMP/body"
        want="$n $(fnv1a64 "$IT_TMP/body")"
        out=$(curl -s --max-time 30 -X POST --data-binary @"$IT_TMP/body" \
              "$U/w$w/echo")
        check "body_window=$w: a $n-byte body arrives whole" "$want" \
            "$(field "$out" body_length) $(field "$out" body_fnv1a64)"
    done
    head -c 300000 /dev/urandom >"$IT_TMP/body"
    want="300000 $(fnv1a64 "$IT_TMP/body")"
    out=$(curl -s --max-time 30 -X POST -H "Transfer-Encoding: chunked" \
          --data-binary @"$IT_TMP/body" "$U/w$w/echo")
    check "body_window=$w: a chunked body arrives whole" "$want" \
        "$(field "$out" body_length) $(field "$out" body_fnv1a64)"
done

# Whether packets went ahead of the asks: never with 0, always with 4.
head -c 1048576 /dev/urandom >"$IT_TMP/mib"
q0=$(stat1 asks_prequeued)
curl -s -o /dev/null --max-time 30 -X POST --data-binary @"$IT_TMP/mib" "$U/w0/up"
check "body_window=0: no packet is sent before the backend asks" \
    "$q0" "$(stat1 asks_prequeued)"
curl -s -o /dev/null --max-time 30 -X POST --data-binary @"$IT_TMP/mib" "$U/w4/up"
q1=$(stat1 asks_prequeued)
[ "$q1" -gt "$q0" ] \
    && ok "body_window=4: packets wait at the backend before it asks ($((q1 - q0)) of 127 asks)" \
    || not_ok "body_window=4: packets are sent ahead" "asks_prequeued $q0 -> $q1"

# A backend that answers after two asks, with packets sent ahead still
# unread: the client gets the answer and the uploads after it are whole.
# The fake backend (like Tomcat) reads the unread packets as a message of
# no known type and closes that connection itself, so these checks cannot
# tell whether the module also closed it (it does: ajplb_exchange.c,
# END_RESPONSE with packets unasked); they show nothing is lost after it.
for w in 4 16; do
    code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' -X POST \
           --data-binary @"$IT_TMP/mib" \
           "$U/w$w/early?fault=early_answer&early_after=2&status=403")
    check "body_window=$w: the early answer reaches the client" 403 "$code"
    good=0
    for i in 1 2 3 4 5 6; do
        out=$(curl -s --max-time 30 -X POST --data-binary @"$IT_TMP/mib" \
              "$U/w$w/after")
        [ "$(field "$out" body_length)" = 1048576 ] && good=$((good + 1))
    done
    check "body_window=$w: the next six uploads succeed" 6 "$good"
done

# The short last packet is never sent ahead.  16886 = 2 x 8186 + 514: the
# last packet's data length is 0x0202, so framed it reads as type 0x02
# (FORWARD_REQUEST) and method 0x02 (GET), and the 514 bytes are the rest
# of a request for /smuggled.  The backend answers after one ask; had that
# packet gone ahead, it would be in its socket and read as a request.
python3 - "$IT_TMP/evil" <<'PY'
import struct, sys
def s(x):
    return struct.pack(">H", len(x)) + x + b"\0"
req = (s(b"HTTP/1.1") + s(b"/smuggled") + s(b"127.0.0.1") + s(b"x")
       + s(b"x") + struct.pack(">H", 80) + b"\0" + struct.pack(">H", 0)
       + b"\xff")
open(sys.argv[1], "wb").write(b"a" * (2 * 8186) + req.ljust(514, b"\0"))
PY
st0=$(stat1 requests_started)
for w in 1 4 16; do
    code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' -X POST \
           --data-binary @"$IT_TMP/evil" \
           "$U/w$w/early?fault=early_answer&early_after=1&status=403")
    check "body_window=$w: early answer to the 16886-byte body" 403 "$code"
done
sleep 1
check "no request was parsed out of a body's last packet" \
    $((st0 + 3)) "$(stat1 requests_started)"

httpd_stop "$H"
it_done
