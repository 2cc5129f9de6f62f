#!/bin/sh
# test_fake_backend.sh -- self-test of the fake AJP13 backend.
#
#   tests/integration/test_fake_backend.sh [BINARY | OUT-DIR]
#
# Starts fake_ajp_backend on free loopback ports and speaks AJP13 to it with
# tests/tools/ajp_client.py (Python standard library only).  Prints
# "ok - NAME" / "not ok - NAME: why" per case and a summary line; appends
# "fake_backend PASSED FAILED" to $RESULTS when set.  Default binary:
# $FAKE_AJP_BACKEND, else $OUT/tools/fake_ajp_backend, else
# out/tools/fake_ajp_backend.  Runs under sh (dash) as run.sh calls it.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# run.sh passes the build directory as $OUT (relative to the caller's cwd).
if [ -n "${FAKE_AJP_BACKEND:-}" ]; then
    bin=$FAKE_AJP_BACKEND
elif [ -n "${OUT:-}" ]; then
    bin=$OUT/tools/fake_ajp_backend
else
    bin=$root/out/tools/fake_ajp_backend
fi
if [ $# -ge 1 ]; then
    if [ -d "$1" ]; then bin=$1/tools/fake_ajp_backend; else bin=$1; fi
fi
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fake_backend.XXXXXX")
pids=""
out=$tmp/results.log
: >"$out"

cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$out"; }

if [ ! -x "$bin" ]; then
    say "not ok - binary: $bin not found (make tools)"
    echo "fake_backend: 0 passed, 1 failed"
    [ -n "${RESULTS:-}" ] && echo "fake_backend 0 1" >>"$RESULTS"
    exit 1
fi

# start NAME ARGS...: run a backend on a free port; sets PORT_NAME, PID_NAME
start() {
    s_name=$1; shift
    "$bin" --port 0 --port-file "$tmp/$s_name.port" \
        --stats-file "$tmp/$s_name.stats" --name "$s_name" "$@" \
        2>"$tmp/$s_name.log" &
    s_pid=$!
    pids="$pids $s_pid"
    eval "PID_$s_name=$s_pid"
    for _ in $(seq 1 200); do
        [ -s "$tmp/$s_name.port" ] && break
        sleep 0.05
    done
    if [ ! -s "$tmp/$s_name.port" ]; then
        say "not ok - start $s_name: no port file"
        return 1
    fi
    eval "PORT_$s_name=$(cat "$tmp/$s_name.port")"
}

start A --route r1 --verbose || true
start B --secret 's3cr3t' --cping-fault cpong_extra || true
start C --bench || true
start D --max-packet 65536 || true

PORT_A=${PORT_A:-0} PORT_B=${PORT_B:-0} PORT_C=${PORT_C:-0}
PORT_D=${PORT_D:-0} STATS_A="$tmp/A.stats" STATS_B="$tmp/B.stats"
TOOLS="$root/tests/tools"
export PORT_A PORT_B PORT_C PORT_D STATS_A STATS_B TOOLS

python3 - <<'PYEOF' 2>&1 | tee -a "$out"
import os, socket, struct, sys, threading, time, traceback
sys.path.insert(0, os.environ["TOOLS"])
from ajp_client import (Conn, ProtocolError, body_packet, fnv1a64,
                        forward_request, packet, parse_headers, pattern)

A, B, C, D = (int(os.environ["PORT_" + n]) for n in "ABCD")


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def case(name):
    def run(fn):
        try:
            fn()
            print("ok - %s" % name, flush=True)
        except Exception as e:  # any failure is one "not ok" line
            why = "%s: %s" % (type(e).__name__, e)
            print("not ok - %s: %s" % (name, why.replace("\n", " ")),
                  flush=True)
            if os.environ.get("VERBOSE"):
                traceback.print_exc()
        return fn
    return run


def stats_file(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v
    return d


def num(d, k):
    return int(d[k])


def raw(port, query=None, uri="/", body=None, **kw):
    """Send one request, return (bytes until EOF/timeout, eof, conn)."""
    c = Conn(port)
    wait = kw.pop("wait", 0.4)
    hdrs = list(kw.pop("headers", ()))
    if body is not None:
        hdrs.append(("Content-Length", str(len(body))))
    c.send(forward_request(uri=uri, query=query, headers=hdrs, **kw))
    if body:
        c.send(body_packet(body[:8186]))
    data, eof = c.recv_all(wait)
    return data, eof, c


def packets(data):
    """Split container->server bytes into (magic, declared_len, payload)."""
    out, pos = [], 0
    while pos + 4 <= len(data):
        n = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        out.append((data[pos:pos + 2], n, data[pos + 4:pos + 4 + n]))
        pos += 4 + n
    return out


# --- normal answers -------------------------------------------------------

@case("GET with headers and attributes")
def _():
    cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    r = Conn(A).request(
        method="GET", uri="/app/echo", query="x=1&y=2",
        headers=[("Accept", "text/html"), ("User-Agent", "t/1"),
                 ("X-Custom", "v1"), ("Host", "www.example")],
        remote_addr="192.0.2.7", remote_host="client.example",
        server_name="www.example", server_port=443, is_ssl=True,
        ssl_cipher="TLS_AES_128_GCM_SHA256", ssl_session="abcd",
        ssl_key_size=128, ssl_cert=cert, remote_user="bob",
        auth_type="Basic", route="r1",
        req_attrs=[("AJP_REMOTE_PORT", "51234"),
                   ("AJP_LOCAL_ADDR", "127.0.0.2"),
                   ("AJP_SSL_PROTOCOL", "TLSv1.3"),
                   ("JK_LB_ACTIVATION", "ACT"), ("MY_ENV", "val\x01")])
    check(r.status == 200 and r.reason == b"200", "status %r" % r.status)
    check(r.header("Content-Type") == "text/plain", "content-type")
    check(r.header("X-Backend") == "A", "x-backend")
    check(r.reuse == 1, "reuse")
    e = r.echo()
    want = {
        "backend": "A", "backend_route": "r1", "method": "GET",
        "method_code": "2", "uri": "/app/echo", "query": "x=1&y=2",
        "protocol": "HTTP/1.1", "remote_addr": "192.0.2.7",
        "remote_host": "client.example", "remote_port": "51234",
        "local_addr": "127.0.0.2", "server_name": "www.example",
        "server_port": "443", "is_ssl": "1",
        "ssl_cipher": "TLS_AES_128_GCM_SHA256", "ssl_key_size": "128",
        "ssl_session": "abcd", "ssl_cert_length": str(len(cert)),
        "ssl_protocol": "TLSv1.3", "remote_user": "bob",
        "auth_type": "Basic", "route": "r1", "jk_lb_activation": "ACT",
        "header.accept": "text/html", "header.user-agent": "t/1",
        "header.X-Custom": "v1", "header.host": "www.example",
        "attr.MY_ENV": "val\\x01", "header_count": "4",
        "attr_names": "AJP_REMOTE_PORT,AJP_LOCAL_ADDR,AJP_SSL_PROTOCOL,"
                      "JK_LB_ACTIVATION,MY_ENV",
        "body_length": "0", "conn_requests": "1", "secret": "absent",
    }
    for k, v in want.items():
        check(e.get(k) == v, "%s = %r, want %r" % (k, e.get(k), v))


@case("POST 20000 bytes over GET_BODY_CHUNK")
def _():
    body = bytes((i * 7) % 251 for i in range(20000))
    r = Conn(A).request(method="POST", uri="/upload", body=body)
    e = r.echo()
    check(r.status == 200, "status")
    check(e["body_length"] == "20000", "length %s" % e["body_length"])
    check(e["body_fnv1a64"] == fnv1a64(body), "hash")
    check(r.asks == [8186, 8186], "asks %r" % r.asks)
    check(e["body_packets"] == "3" and e["body_complete"] == "1", "packets")
    st = stats_file(os.environ["STATS_A"])
    check("POST:20000:" + fnv1a64(body) in st["recent_bodies"], "stats")


@case("chunked-style upload (no content-length)")
def _():
    body = os.urandom(30000)
    r = Conn(A).request(method="PUT", uri="/up", body=body, chunked=True,
                        piece=5000)
    e = r.echo()
    check(e["body_length"] == "30000", "length %s" % e["body_length"])
    check(e["body_fnv1a64"] == fnv1a64(body), "hash")
    check(len(r.asks) == 7, "asks %r" % r.asks)   # 6 pieces + the empty one
    check(e["body_complete"] == "1", "complete")


@case("size=100000 download")
def _():
    r = Conn(A).request(query="size=100000")
    check(r.status == 200, "status")
    check(r.body == pattern(100000), "content")
    check(max(r.chunks) == 8184 and len(r.chunks) == 13, "chunks %r"
          % r.chunks[:3])


@case("size=5000000 download, 64k packets")
def _():
    c = Conn(D, max_packet=65536)
    r = c.request(query="size=5000000")
    check(len(r.body) == 5000000 and r.body == pattern(5000000), "content")
    check(max(r.chunks) == 65536 - 8, "chunk %d" % max(r.chunks))


@case("two requests on one connection")
def _():
    c = Conn(A)
    e1 = c.request(uri="/one").echo()
    e2 = c.request(uri="/two", body=b"x" * 10).echo()
    check(e1["conn_requests"] == "1" and e2["conn_requests"] == "2", "count")
    check(e1["conn_id"] == e2["conn_id"], "conn id")
    check(e2["body_length"] == "10", "body")


@case("stored method and session cookie")
def _():
    e = Conn(A).request(method="FOOBAR", uri="/x").echo()
    check(e["method"] == "FOOBAR" and e["method_code"] == "255", "method")
    r = Conn(A).request(uri="/app/session/new")
    sc = r.header("Set-Cookie") or ""
    check(sc.startswith("JSESSIONID=") and sc.endswith(".r1; Path=/"),
          "set-cookie %r" % sc)
    r = Conn(A).request(uri="/app/session/x",
                        headers=[("Cookie", "a=1; JSESSIONID=abc.r9")])
    check(r.header("Set-Cookie") is None, "cookie set twice")
    check(r.echo()["session_route"] == "r9", "session_route")


@case("secret: wrong and missing get 403, right gets 200")
def _():
    for s in ("wrong", None):
        c = Conn(B)
        r = c.request(uri="/s", secret=s, body=b"abc")
        check(r.status == 403 and r.reuse == 0, "status %r" % r.status)
        check(r.body == b"", "body")
        check(c.is_closed(), "not closed")
    r = Conn(B).request(uri="/s", secret="s3cr3t")
    check(r.status == 200 and r.echo()["secret"] == "present", "right")
    check(b"s3cr3t" not in r.body, "secret echoed")
    st = stats_file(os.environ["STATS_B"])
    check(num(st, "requests_rejected") == 2, "rejected %s"
          % st["requests_rejected"])


@case("CPING -> CPONG, then a request")
def _():
    c = Conn(A)
    check(c.cping() == b"\x09", "cpong")
    check(c.request().status == 200, "request after cping")
    check(c.cping() == b"\x09", "second cpong")


@case("--cping-fault cpong_extra")
def _():
    c = Conn(B)
    c.send(packet(b"\x0a"))
    data, eof = c.recv_all(0.5)
    check(data == b"AB\x00\x01\x09JUNK", "got %r" % data)


# --- per-request controls -------------------------------------------------

@case("status=204 and 304 with a body; nobody")
def _():
    r = Conn(A).request(query="status=204")
    check(r.status == 204 and len(r.body) > 0, "204 body")
    r = Conn(A).request(query="status=304&nobody=1")
    check(r.status == 304 and r.chunks == [], "304 nobody")
    r = Conn(A).request(query="status=599&reason=Bad%0D%0AThing")
    check(r.status == 599 and r.reason == b"Bad\r\nThing", "reason")


@case("HEAD gets no body unless forcebody")
def _():
    check(Conn(A).request(method="HEAD").chunks == [], "head body")
    check(Conn(A).request(method="HEAD", query="forcebody=1").body, "force")


@case("flush packets")
def _():
    r = Conn(A).request(query="size=20000&flush")
    check(r.flushes >= 4 and len(r.body) == 20000, "flushes %d" % r.flushes)


@case("delay_ms and slowdrip")
def _():
    t = time.time()
    Conn(A).request(query="delay_ms=300")
    check(time.time() - t >= 0.3, "delay")
    t = time.time()
    r = Conn(A).request(query="slowdrip&drip_ms=3&size=20")
    check(r.body == pattern(20), "drip body")
    check(time.time() - t >= 0.2, "drip too fast")


@case("headers=50, hdr=, path form /fault/NAME")
def _():
    r = Conn(A).request(query="headers=50&hdr=Content-Length:5"
                              "&hdr=X-Two:a%3Ab")
    names = [n for n, _ in r.headers]
    check(sum(n.startswith("X-Extra-") for n in names) == 50, "extra")
    check(r.header("Content-Length") == "5", "coded content-length")
    check(r.header("X-Two") == "a:b", "x-two")
    data, eof, _ = raw(A, uri="/app/fault/status0")
    check(struct.unpack(">H", data[5:7])[0] == 0, "path form")


@case("unknown fault name -> 400")
def _():
    r = Conn(A).request(query="fault=nosuchfault")
    check(r.status == 400 and b"unknown fault" in r.body, "got %r" % r.status)


# --- faults, checked byte-wise ---------------------------------------------

def first_pkt(data):
    p = packets(data)
    check(p, "no packet in %r" % data[:40])
    return p[0]


@case("fault badmagic")
def _():
    data, eof, _ = raw(A, "fault=badmagic")
    check(data[:2] == b"\x12\x34" and data[4] == 4 and not eof, repr(data[:8]))


@case("fault http")
def _():
    data, eof, _ = raw(A, "fault=http")
    check(data.startswith(b"HTTP/1.1 200 OK\r\n"), repr(data[:20]))


@case("fault random")
def _():
    data, eof, _ = raw(A, "fault=random")
    check(len(data) == 256 and data[:1] != b"A", repr(data[:8]))


@case("fault oversize (default and plen=8188)")
def _():
    data, eof, _ = raw(A, "fault=oversize")
    m, n, p = first_pkt(data)
    check(m == b"AB" and n == 8193 and len(p) == 8193, "len %d" % n)
    c = Conn(A)
    r = c.request(query="fault=oversize&plen=8188")
    check(r.status == 200 and len(r.header("X-Pad")) > 8000, "plen ok")


@case("fault truncated")
def _():
    data, eof, _ = raw(A, "fault=truncated")
    m, n, p = packets(data)[1]
    check(eof and p[0] == 3 and len(p) < n, "declared %d got %d" % (n, len(p)))


@case("fault zerolen / typeonly / unknown_type")
def _():
    data, eof, _ = raw(A, "fault=zerolen")
    check(data == b"AB\x00\x00" and not eof, repr(data))
    data, eof, _ = raw(A, "fault=typeonly")
    check(data == b"AB\x00\x01\x04", repr(data))
    for t in (7, 8, 255):
        data, eof, _ = raw(A, "fault=unknown_type&type=%d" % t)
        check(data[:5] == b"AB\x00\x01" + bytes([t]), repr(data[:5]))


@case("fault cut_headers=K at every K")
def _():
    full, _, _ = raw(A, "fault=cut_headers&cut_headers=9999")
    for k in (0, 1, 3, 4, 5, 9, len(full) - 1):
        data, eof, _ = raw(A, "cut_headers=%d" % k)
        check(eof and data == full[:k], "k=%d got %r" % (k, data))


@case("faults badstring / badstring_hdr / nonul / nullreason")
def _():
    data, _, _ = raw(A, "fault=badstring")
    check(data[7:9] == b"\x7f\xff", repr(data[:12]))
    data, _, _ = raw(A, "fault=nonul")
    check(data[7:13] == b"\x00\x03200X", repr(data[:14]))
    data, _, _ = raw(A, "fault=nullreason")
    check(data[7:9] == b"\xff\xff", repr(data[:12]))
    _, _, p = first_pkt(raw(A, "fault=badstring_hdr")[0])
    check(p.endswith(b"X-Bad\x00\x7f\xffx\x00"), repr(p[-12:]))


@case("faults nullstatus / status0 / status1000")
def _():
    for f, v in (("nullstatus", 0xFFFF), ("status0", 0),
                 ("status1000", 1000)):
        _, _, p = first_pkt(raw(A, "fault=" + f)[0])
        check(struct.unpack(">H", p[1:3])[0] == v, f)


@case("fault hdrcount")
def _():
    _, n, p = first_pkt(raw(A, "fault=hdrcount")[0])
    check(p[9:11] == b"\xff\xff" and n < 40, "n=%d %r" % (n, p[:12]))


@case("faults badcode / crlf / crlf_name / nul_in_header / empty+null name")
def _():
    _, _, p = first_pkt(raw(A, "fault=badcode")[0])
    check(b"\xa0\xff\x00\x01x\x00" in p, "badcode")
    _, _, p = first_pkt(raw(A, "fault=badcode&code=0xA00C")[0])
    check(b"\xa0\x0c\x00\x01x\x00" in p, "code=")
    _, _, p = first_pkt(raw(A, "fault=crlf")[0])
    check(b"a\r\nInjected: yes\x00" in p, "crlf")
    _, _, p = first_pkt(raw(A, "fault=crlf_name")[0])
    check(b"X-Crlf\r\nInjected\x00" in p, "crlf_name")
    _, _, p = first_pkt(raw(A, "fault=nul_in_header")[0])
    check(b"\x00\x05ab\x00cd\x00" in p, "nul")
    _, _, p = first_pkt(raw(A, "fault=emptyname")[0])
    check(b"\x00\x00\x00\x00\x0aempty-name\x00" in p, "emptyname")
    _, _, p = first_pkt(raw(A, "fault=nullname")[0])
    check(b"\xff\xff\x00\x09null-name\x00" in p, "nullname")


@case("faults headers_twice / body_first")
def _():
    ps = packets(raw(A, "fault=headers_twice")[0])
    check([p[2][0] for p in ps[:2]] == [4, 4] and ps[-1][2] == b"\x05\x01",
          "twice")
    ps = packets(raw(A, "fault=body_first")[0])
    check(ps[0][2][0] == 3 and ps[1][2][0] == 4, "first")


@case("faults chunk_too_long / chunk_short")
def _():
    _, n, p = packets(raw(A, "fault=chunk_too_long")[0])[1]
    dl = struct.unpack(">H", p[1:3])[0]
    check(p[0] == 3 and dl > n - 3, "too long: %d in %d" % (dl, n))
    _, n, p = packets(raw(A, "fault=chunk_short")[0])[1]
    dl = struct.unpack(">H", p[1:3])[0]
    check(p[0] == 3 and dl < n - 4, "short: %d in %d" % (dl, n))


@case("faults silence / close_before_headers / close_mid_body")
def _():
    data, eof, c = raw(A, "fault=silence", wait=0.6)
    check(data == b"" and not eof, "silence answered %r" % data)
    c.close()
    data, eof, _ = raw(A, "fault=close_before_headers")
    check(data == b"" and eof, "cbh %r" % data)
    data, eof, _ = raw(A, "fault=close_mid_body&size=50000")
    ps = packets(data)
    got = sum(len(p[2]) - 4 for p in ps[1:])
    check(eof and ps[0][2][0] == 4 and 0 < got < 50000
          and all(p[2][0] != 5 for p in ps), "got %d" % got)


@case("fault reuse0 keeps the socket; reuse counted as tainted")
def _():
    before = num(stats_file(os.environ["STATS_A"]), "tainted_requests")
    c = Conn(A)
    r = c.request(query="fault=reuse0")
    check(r.reuse == 0 and r.status == 200, "reuse %r" % r.reuse)
    e = c.request().echo()   # a front must never do this
    check(e["tainted"] == "1", "tainted flag")
    after = num(stats_file(os.environ["STATS_A"]), "tainted_requests")
    check(after == before + 1, "tainted_requests %d -> %d" % (before, after))


@case("faults after_end / no_reuse_byte")
def _():
    data, eof, _ = raw(A, "fault=after_end")
    check(data.endswith(b"AB\x00\x02\x05\x01AB\x00\x09\x03\x00\x05stale\x00"),
          repr(data[-20:]))
    data, eof, _ = raw(A, "fault=no_reuse_byte")
    check(data.endswith(b"AB\x00\x01\x05") and not eof, repr(data[-8:]))


@case("fault getbody_nolen")
def _():
    data, eof, c = raw(A, "fault=getbody_nolen", body=b"z" * 20000,
                       method="POST")
    check(data == b"AB\x00\x01\x06", repr(data))


@case("fault getbody_extra (asks after the end)")
def _():
    r = Conn(A).request(query="fault=getbody_extra", body=b"q" * 100)
    e = r.echo()
    check(r.asks == [8186] and e["getbody_extra_reply"] == "0",
          "asks %r reply %r" % (r.asks, e.get("getbody_extra_reply")))
    check(e["body_length"] == "100", "body")


@case("cpong faults armed by a request")
def _():
    want = {
        "cpong_garbage": b"GARBAGE!",
        "cpong_extra": b"AB\x00\x01\x09JUNK",
        "cpong_leftover": b"AB\x00\x09\x03\x00\x05stale\x00AB\x00\x01\x09",
    }
    for f, w in want.items():
        c = Conn(A)
        check(c.request(query="arm=" + f).status == 200, f + " request")
        c.send(packet(b"\x0a"))
        data, _ = c.recv_all(0.5)
        check(data == w, "%s got %r" % (f, data))
    c = Conn(A)
    c.request(query="fault=cpong_leftover_headers")
    c.send(packet(b"\x0a"))
    data, _ = c.recv_all(0.5)
    check(data[4] == 4 and data.endswith(b"AB\x00\x01\x09"), repr(data))
    c = Conn(A)
    c.request(query="arm=cpong_none")
    c.send(packet(b"\x0a"))
    data, eof = c.recv_all(0.5)
    check(data == b"" and not eof, "cpong_none %r" % data)


# --- strict parsing of what the front sends ---------------------------------

@case("malformed FORWARD_REQUEST -> 400 and close")
def _():
    good = forward_request(uri="/x")
    bad = [
        packet(good[4:-1]),                      # no 0xFF terminator
        packet(good[4:] + b"\x00"),              # bytes after 0xFF
        packet(b"\x02\x63" + good[6:]),          # method code 99
        packet(good[4:6] + b"\x7f\xff" + good[8:]),    # string past end
    ]
    before = num(stats_file(os.environ["STATS_A"]), "bad_requests")
    for b in bad:
        c = Conn(A)
        c.send(b)
        data, eof = c.recv_all(1.0)
        p = packets(data)
        check(eof and p and struct.unpack(">H", p[0][2][1:3])[0] == 400,
              "answer %r" % data[:20])
    after = num(stats_file(os.environ["STATS_A"]), "bad_requests")
    check(after == before + len(bad), "bad_requests %d" % after)


@case("bad body packet and junk between requests close the connection")
def _():
    c = Conn(A)
    c.send(forward_request(method="POST", headers=[("Content-Length", "5")]))
    c.send(packet(b"\x00\x09hello"))             # chunk length says 9
    data, eof = c.recv_all(1.0)
    check(eof and data == b"", "bad chunk %r" % data)
    c = Conn(A)
    c.send(packet(b"\x07"))
    data, eof = c.recv_all(1.0)
    check(eof and data == b"", "junk %r" % data)


# --- concurrency, stats, bench ----------------------------------------------

@case("20 concurrent connections x 10 requests")
def _():
    errs = []

    def worker(i):
        try:
            c = Conn(A)
            for j in range(10):
                r = c.request(uri="/c/%d/%d" % (i, j), body=b"b" * (i * 100))
                e = r.echo()
                if e["conn_requests"] != str(j + 1) or r.status != 200:
                    errs.append((i, j, e.get("conn_requests")))
        except Exception as ex:
            errs.append((i, repr(ex)))
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(not errs, repr(errs[:3]))


@case("/__stats and the stats file")
def _():
    r = Conn(A).request(uri="/__stats")
    web = dict(l.split("=", 1) for l in r.body.decode().splitlines())
    st = stats_file(os.environ["STATS_A"])
    for k in ("connections_accepted", "connections_open", "requests_started",
              "requests_completed", "bodies_received", "cpings", "cpongs",
              "tainted_requests", "bad_requests", "protocol_errors"):
        check(k in web and k in st, "missing " + k)
    check(web["name"] == "A" and web["route"] == "r1", "name")
    check(num(st, "requests_started") >= 250, "started %s"
          % st["requests_started"])
    check(num(st, "cpings") >= 3 and num(st, "bodies_received") >= 150,
          "cpings/bodies")
    check(num(st, "fault.reuse0") == 1, "fault.reuse0")
    check(num(st, "connections_accepted") >= num(st, "connections_open"),
          "open")


@case("--bench: fixed answer, size=N, body read, keep-alive")
def _():
    c = Conn(C)
    r = c.request()
    check(r.status == 200 and r.body == b"ok C\n" and r.reuse == 1, "small")
    r = c.request(query="size=20000", body=b"p" * 12000)
    check(len(r.body) == 20000 and r.asks == [8186], "size %d" % len(r.body))
    r = c.request(query="size=16368")
    check(len(r.body) == 16368 and len(r.chunks) == 2, "exact chunks")
    r = c.request(method="PUT", body=b"y" * 7, chunked=True)
    check(r.body == b"ok C\n", "chunked")
PYEOF

# SIGTERM: every backend exits promptly with status 0.
for n in A B C D; do
    eval "pid=\${PID_$n:-}"
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null
    rc=timeout
    for _ in $(seq 1 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"; rc=$?; break
        fi
        sleep 0.05
    done
    if [ "$rc" = 0 ]; then
        say "ok - SIGTERM stops backend $n"
    else
        say "not ok - SIGTERM stops backend $n: rc=$rc"
        kill -KILL "$pid" 2>/dev/null
    fi
done
pids=""

# Sanitizer builds report into the logs; any report is a failure.
san='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
bad=$(cd "$tmp" && grep -l -E "$san" ./*.log 2>/dev/null | tr '\n' ' ')
if [ -n "$bad" ]; then
    say "not ok - no sanitizer reports: in $bad"
    if [ -n "${VERBOSE:-}" ]; then cat "$tmp"/*.log; fi
else
    say "ok - no sanitizer reports"
fi

passed=$(grep -c '^ok - ' "$out")
failed=$(grep -c '^not ok - ' "$out")
echo "fake_backend: $passed passed, $failed failed"
[ -n "${RESULTS:-}" ] && echo "fake_backend $passed $failed" >>"$RESULTS"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
