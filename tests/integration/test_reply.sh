#!/bin/sh
# tests/integration/test_reply.sh -- the client and the application see the
# truth, and the backend does not control the client connection: statuses
# and reason phrases (T-B7), hop-by-hop and handler-changing backend
# headers (T-B8b), the backend's Content-Length kept and enforced (T-B9,
# T-R15), error answers passed through, and on the request side hop-by-hop
# client headers (T-R5c), Host forms (T-R6), joined cookies and TLS
# details.  Real httpd with the module, the C fake backend.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s3cret
B1=$BACKEND_PORT
start_backend r1 --secret s3cret --route r1
R1=$BACKEND_PORT
start_backend r2 --secret s3cret --route r2
R2=$BACKEND_PORT
port=$(free_port)
sport=$(free_port)
H=$IT_TMP/h
mkdir -p "$IT_TMP/docs/app"
echo "LOCAL FILE" >"$IT_TMP/docs/local.html"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$IT_TMP/server.key" -out "$IT_TMP/server.crt" 2>/dev/null

cat >"$IT_TMP/workers.properties" <<WP
worker.list=w1,lb
worker.w1.host=127.0.0.1
worker.w1.port=$B1
worker.w1.secret=s3cret
worker.r1.host=127.0.0.1
worker.r1.port=$R1
worker.r1.secret=s3cret
worker.r1.route=r1
worker.r2.host=127.0.0.1
worker.r2.port=$R2
worker.r2.secret=s3cret
worker.r2.route=r2
worker.lb.type=lb
worker.lb.balance_workers=r1,r2
WP
httpd_conf "$H" "$port" <<CONF
Listen 127.0.0.1:$sport
LoadModule socache_shmcb_module $MODDIR/mod_socache_shmcb.so
LoadModule ssl_module $MODDIR/mod_ssl.so
LoadModule mime_module $MODDIR/mod_mime.so
DocumentRoot "$IT_TMP/docs"
TypesConfig /dev/null
AddHandler cgi-script .cgi
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /app/* w1
JkMount /errpage/* w1;use_server_errors=400
JkMount /lb/* lb
<VirtualHost 127.0.0.1:$sport>
    ServerName 127.0.0.1
    JkMountCopy On
    SSLEngine on
    SSLCertificateFile "$IT_TMP/server.crt"
    SSLCertificateKeyFile "$IT_TMP/server.key"
    SSLCACertificateFile "$IT_TMP/server.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 1
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
S=https://127.0.0.1:$sport

# raw REQUEST...: send the requests (\n-separated lines become CRLF) on one
# connection, print everything httpd answers until it closes or goes quiet.
raw() {
    python3 - "$port" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall("".join(a.replace("\n", "\r\n") for a in sys.argv[2:]).encode("latin-1"))
s.settimeout(2)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
sys.stdout.write(out.decode("latin-1").replace("\r", ""))
PY
}
# status_line URL: the first line httpd sends, without CR.
status_line() {
    curl -s -o /dev/null -D - "$@" | head -n 1 | tr -d '\r'
}
code() {
    curl -s -o /dev/null -w '%{http_code}' "$@"
}
hdrs() {
    curl -s -o /dev/null -D - "$@" | tr -d '\r'
}
field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }

# --- T-B7: only final answers 200-599 reach the client --------------------
for s in 0 99 100 101 102 103 199 600 999 65535; do
    check "T-B7: backend status $s gives 502" 502 \
        "$(code "$U/app/s?status=$s")"
done
# A 101 on a keep-alive connection must not make httpd announce a switch
# of protocols and then answer the next pipelined request.
out=$(raw "GET /app/up?status=101&hdr=Upgrade:websocket&hdr=Connection:Upgrade HTTP/1.1
Host: 127.0.0.1

GET /app/next HTTP/1.1
Host: 127.0.0.1
Connection: close

")
check "T-B7: pipelined after a backend 101: first answer 502, second 200" \
    "HTTP/1.1 502 Bad Gateway|HTTP/1.1 200 OK" \
    "$(printf '%s\n' "$out" | grep '^HTTP/' | tr '\n' '|' | sed 's/|$//')"
if printf '%s\n' "$out" | grep -qi "^HTTP/1.1 101\|^upgrade:"; then
    not_ok "T-B7: no 101 and no Upgrade header ever reach the client" "$out"
else
    ok "T-B7: no 101 and no Upgrade header ever reach the client"
fi

# --- T-B7: statuses and reason phrases -------------------------------------
for s in 299 418 451 599; do
    check "T-B7: application status $s reaches an HTTP/1.1 client" "$s" \
        "$(status_line "$U/app/s?status=$s" | cut -d' ' -f2)"
    check "T-B7: application status $s reaches an HTTP/1.0 client" "$s" \
        "$(status_line -0 "$U/app/s?status=$s" | cut -d' ' -f2)"
done
check_grep "T-B7: an unknown code keeps its body" "^uri: /app/s$" \
    "$(curl -s "$U/app/s?status=599")"
check "T-B7: a clean reason phrase is the application's" \
    "HTTP/1.1 200 Very Fine" "$(status_line "$U/app/r?reason=Very%20Fine")"
check "T-B7: Tomcat's numeric reason gives httpd's phrase" \
    "HTTP/1.1 404 Not Found" "$(status_line "$U/app/r?status=404")"
for r in 'A%01B' 'A%1BB' 'A%7FB' 'A%08B'; do
    check "T-B7: reason with a control byte ($r) is replaced by httpd's" \
        "HTTP/1.1 200 OK" "$(status_line "$U/app/r?reason=$r")"
done
check "T-B7: reason with a control byte on an unknown code" \
    "HTTP/1.1 299 Status 299" "$(status_line "$U/app/r?status=299&reason=A%01B")"
for r in 'OK%0D%0AInjected:%20yes' 'OK%0AInjected:%20yes' 'OK%0D' 'O%00K'; do
    out=$(hdrs "$U/app/r?reason=$r")
    check "T-B7: reason with CR/LF/NUL ($r) gives 502" \
        "HTTP/1.1 502 Bad Gateway" "$(printf '%s\n' "$out" | head -n 1)"
    if printf '%s\n' "$out" | grep -qi '^injected'; then
        not_ok "T-B7: no injected header ($r)" "$out"
    else
        ok "T-B7: no injected header ($r)"
    fi
done

# --- hop-by-hop response headers -------------------------------------------
q="hdr=Connection:X-Secret,%20close&hdr=X-Secret:1&hdr=Keep-Alive:timeout=99"
q="$q&hdr=Upgrade:h2c&hdr=Proxy-Connection:close&hdr=TE:trailers"
q="$q&hdr=Trailer:X-T&hdr=Transfer-Encoding:chunked"
out=$(hdrs "$U/app/hop?$q")
for n in 'x-secret' 'keep-alive: timeout=99' 'upgrade' 'proxy-connection' \
         'te' 'trailer' 'transfer-encoding' 'connection: .*x-secret' \
         'connection: close'; do
    if printf '%s\n' "$out" | grep -qi "^$n"; then
        not_ok "backend hop-by-hop header '$n' does not reach the client" "$out"
    else
        ok "backend hop-by-hop header '$n' does not reach the client"
    fi
done
check_grep "the answer itself is intact" "^X-Backend: b1$" "$out"
# The backend's Connection: close does not close the client's connection.
n=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' \
    "$U/app/c1?hdr=Connection:close" "$U/app/c2" | tail -n 1)
check "backend Connection: close leaves the client connection open" 0 "$n"

# --- T-B8b: no backend header changes the handler or redirects -------------
out=$(curl -s -D "$IT_TMP/b8.hdr" "$U/app/b8?hdr=Location:/local.html")
check "T-B8b: a relative Location on a 200 is no internal redirect" \
    "200 /app/b8" "$(head -n 1 "$IT_TMP/b8.hdr" | cut -d' ' -f2) $(field "$out" uri)"
for ct in application/x-httpd-php application/x-httpd-cgi httpd/unix-directory \
          text/html; do
    out=$(curl -s -D "$IT_TMP/b8.hdr" "$U/app/b8?hdr=Content-Type:$ct&hdr=Location:/local.html")
    check "T-B8b: Content-Type $ct does not change the handler" \
        "200 /app/b8 $ct" \
        "$(head -n 1 "$IT_TMP/b8.hdr" | cut -d' ' -f2) $(field "$out" uri) $(sed -n 's/^Content-Type: //Ip' "$IT_TMP/b8.hdr" | tr -d '\r')"
done
for x in X-Sendfile X-Accel-Redirect X-LIGHTTPD-send-file; do
    out=$(curl -s "$U/app/b8?hdr=$x:$IT_TMP/docs/local.html")
    case $out in
        *"LOCAL FILE"*) not_ok "T-B8b: $x serves no local file" "$out" ;;
        *) check "T-B8b: $x serves no local file" /app/b8 "$(field "$out" uri)" ;;
    esac
done

# --- error answers are the application's ------------------------------------
for s in 404 500 503; do
    out=$(curl -s -D "$IT_TMP/e.hdr" -o "$IT_TMP/e.body" \
          -w '%{http_code} %{size_download}' \
          "$U/app/e?status=$s&nobody=1&hdr=Content-Length:0")
    check "status $s with an empty body reaches the client as sent" "$s 0" "$out"
done
check "an error with a body keeps it" "404 /app/e" \
    "$(curl -s -o "$IT_TMP/e.body" -w '%{http_code}' "$U/app/e?status=404") $(field "$(cat "$IT_TMP/e.body")" uri)"
out=$(curl -s -w '%{http_code}' "$U/errpage/e?status=404&nobody=1")
check_grep "use_server_errors=400: httpd's page for the empty 404" \
    "Not Found.*404$" "$(printf '%s' "$out" | tr '\n' ' ')"

# --- T-B9: the backend's Content-Length, kept and enforced ------------------
hdrs "$U/app/big?size=102400&hdr=Content-Length:102400" >"$IT_TMP/cl.hdr"
check "100 KiB with a backend length: Content-Length kept (HTTP/1.1)" \
    "content-length: 102400" \
    "$(grep -i '^content-length:' "$IT_TMP/cl.hdr" | tr 'A-Z' 'a-z')"
if grep -qi '^transfer-encoding' "$IT_TMP/cl.hdr"; then
    not_ok "100 KiB with a backend length is not chunked" "$(cat "$IT_TMP/cl.hdr")"
else
    ok "100 KiB with a backend length is not chunked"
fi
check "100 KiB with a backend length over HTTP/1.0: Content-Length kept" \
    "content-length: 102400" \
    "$(hdrs -0 "$U/app/big?size=102400&hdr=Content-Length:102400" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"
check "100 KiB arrives whole" 102400 \
    "$(curl -s -o /dev/null -w '%{size_download}' "$U/app/big?size=102400&hdr=Content-Length:102400")"
check "T-R15: HEAD carries the application's Content-Length" \
    "content-length: 1234" \
    "$(hdrs -I "$U/app/h?hdr=Content-Length:1234" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"
# T-R15: a body the backend sends for HEAD is not forwarded, and the client
# connection stays usable for the next request.
out=$(raw "HEAD /app/h?forcebody=1&size=5000&hdr=Content-Length:5000 HTTP/1.1
Host: 127.0.0.1

GET /app/after HTTP/1.1
Host: 127.0.0.1
Connection: close

")
check "T-R15: HEAD with a backend body, then a GET on the same connection" \
    "HTTP/1.1 200 OK|HTTP/1.1 200 OK" \
    "$(printf '%s\n' "$out" | grep '^HTTP/' | tr '\n' '|' | sed 's/|$//')"
if printf '%s\n' "$out" | grep -q '^000000000000000'; then
    not_ok "T-R15: no HEAD body bytes reach the client" "$(printf '%s' "$out" | head -c 400)"
else
    ok "T-R15: no HEAD body bytes reach the client"
fi
for v in 5abc -5 +5 '5,5' 99999999999999999999 ''; do
    out=$(hdrs "$U/app/v?hdr=Content-Length:$v&size=100")
    check "T-B9: invalid backend Content-Length '$v' is dropped (httpd frames)" \
        "200 content-length: 100" \
        "$(printf '%s\n' "$out" | head -n 1 | cut -d' ' -f2) $(printf '%s\n' "$out" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"
done
out=$(hdrs "$U/app/v?hdr=Content-Length:100&hdr=Content-Length:100&size=100")
check "T-B9: two backend Content-Length headers: httpd frames" \
    "200 content-length: 100" \
    "$(printf '%s\n' "$out" | head -n 1 | cut -d' ' -f2) $(printf '%s\n' "$out" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"

code "$U/app/settle" >/dev/null
closed0=$(backend_stat b1 connections_closed)
check "T-B9: small body longer than its Content-Length: 502" "502" \
    "$(code "$U/app/long?hdr=Content-Length:5&size=50")"
check "T-B9: small body shorter than its Content-Length: 502" "502" \
    "$(code "$U/app/short?hdr=Content-Length:100&size=50")"
# A length up to 64 KiB is held whole (docs/PROTOCOL.md 6.3): the excess
# shows before anything went out.  Over 64 KiB the answer streams, as the
# next check shows.
check "T-B9: body over its length (60,000, held) before anything went out: 502" \
    "502" "$(code "$U/app/long?hdr=Content-Length:60000&size=200000")"
curl -s -o "$IT_TMP/long.body" "$U/app/long?hdr=Content-Length:100000&size=200000"
rc=$?
got=$(wc -c <"$IT_TMP/long.body" | tr -d ' ')
[ "$rc" != 0 ] && [ "$got" -le 100000 ] \
    && ok "T-B9: big body longer than its length: client aborted, got $got <= 100000 (curl $rc)" \
    || not_ok "T-B9: big body longer than its length: client aborted" "curl $rc, $got bytes"
curl -s -o "$IT_TMP/short.body" "$U/app/short?hdr=Content-Length:200000&size=102400"
rc=$?
[ "$rc" != 0 ] && ok "T-B9: big body shorter than its length: client transfer broken (curl $rc)" \
    || not_ok "T-B9: big body shorter than its length: client transfer broken" "curl $rc"
check "T-B9: next request after the length faults is clean" 200 \
    "$(code "$U/app/after")"
# Each of the five faulted exchanges closed its backend connection (the
# backend answered END_RESPONSE reuse=1, so only the module can close).
for _ in $(seq 1 40); do
    [ "$(backend_stat b1 connections_closed)" -ge $((closed0 + 5)) ] && break
    sleep 0.05
done
[ "$(backend_stat b1 connections_closed)" -ge $((closed0 + 5)) ] \
    && ok "T-B9: the member's connection is closed after a length mismatch" \
    || not_ok "T-B9: the member's connection is closed after a length mismatch" \
              "closed=$(backend_stat b1 connections_closed), before: $closed0"
check_grep "T-B9: mod_jk.log names the length mismatch" \
    "worker w1: the reply to /app/short announced Content-Length 100 but the body ended after 50 bytes" \
    "$(cat "$H/logs/mod_jk.log")"

# --- T-R5c: hop-by-hop client headers ---------------------------------------
out=$(curl -s "$U/app/r5c" -H "Connection: X-Forwarded-For, Cookie, Host, Content-Length, X-Drop, Authorization" \
      -H "X-Forwarded-For: 10.9.8.7" -H "Cookie: JSESSIONID=abc" \
      -H "X-Drop: 1" -H "Authorization: Basic eA==" -H "Keep-Alive: 300" \
      -H "TE: trailers" -H "Upgrade: h2c" -H "Proxy-Connection: keep-alive")
check "T-R5c: client address unaffected by Connection" 127.0.0.1 \
    "$(field "$out" remote_addr)"
check "T-R5c: X-Forwarded-For named in Connection still forwarded" 10.9.8.7 \
    "$(field "$out" 'header.X-Forwarded-For')"
check "T-R5c: Cookie named in Connection still forwarded" JSESSIONID=abc \
    "$(field "$out" header.cookie)"
check "T-R5c: Host named in Connection still forwarded" "127.0.0.1:$port" \
    "$(field "$out" header.host)"
check "T-R5c: Authorization named in Connection still forwarded" "Basic eA==" \
    "$(field "$out" header.authorization)"
check "T-R5c: Content-Length named in Connection still sent" 0 \
    "$(field "$out" header.content-length)"
for n in 'header.X-Drop' 'header.connection' 'header.Keep-Alive' 'header.TE' \
         'header.Upgrade' 'header.Proxy-Connection'; do
    check "T-R5c: hop-by-hop $n not forwarded" "" "$(field "$out" "$n")"
done
head -c 3000 /dev/urandom >"$IT_TMP/body"
out=$(curl -s -X POST --data-binary @"$IT_TMP/body" \
      -H "Connection: Content-Length, Transfer-Encoding" "$U/app/r5cpost")
check "T-R5c: body framing survives Connection: Content-Length" \
    "3000 $(fnv1a64 "$IT_TMP/body")" \
    "$(field "$out" body_length) $(field "$out" body_fnv1a64)"

# --- T-R6: Host forms -------------------------------------------------------
out=$(curl -s "$U/app/r6" -H "Host: example.com:81")
check "T-R6: Host with a port: server_name and server_port" "example.com 81" \
    "$(field "$out" server_name) $(field "$out" server_port)"
out=$(curl -s "$U/app/r6" -H "Host: [::1]:8081")
# httpd's server name for an IPv6 literal has no brackets (mod_jk sends
# the same); Tomcat takes the name from the Host header anyway.
check "T-R6: IPv6 literal with a port" "::1 8081" \
    "$(field "$out" server_name) $(field "$out" server_port)"
out=$(curl -s "$U/app/r6" -H "Host: [::1]")
check "T-R6: IPv6 literal without a port" "::1 $port" \
    "$(field "$out" server_name) $(field "$out" server_port)"
out=$(curl -s "$U/app/r6" -H "Host: example.com")
check "T-R6: Host without a port: the port the connection came in on" \
    "example.com $port" \
    "$(field "$out" server_name) $(field "$out" server_port)"
before=$(backend_stat b1 requests_started)
out=$(raw "GET /app/r6 HTTP/1.1
Host: a.example
Host: b.example
Connection: close

")
check "T-R6: two Host headers: httpd's 400, nothing forwarded" \
    "HTTP/1.1 400 Bad Request $before" \
    "$(printf '%s\n' "$out" | head -n 1) $(backend_stat b1 requests_started)"
out=$(raw "GET /app/r6 HTTP/1.1
Host: user@example.com:81
Connection: close

")
check "T-R6: Host with user-info: httpd's 400, nothing forwarded" \
    "HTTP/1.1 400 Bad Request $before" \
    "$(printf '%s\n' "$out" | head -n 1) $(backend_stat b1 requests_started)"

# --- cookies: two Cookie headers are one cookie list ------------------------
out=$(curl -s "$U/app/c" -H "Cookie: a=1" -H "Cookie: b=2; c=3")
check "two Cookie headers are joined with '; '" "a=1; b=2; c=3" \
    "$(field "$out" header.cookie)"
out=$(curl -s "$U/app/c" -H 'Cookie: j={"x":1,"y":2}' -H "Cookie: b=2")
check "a comma inside a cookie value stays" 'j={"x":1,"y":2}; b=2' \
    "$(field "$out" header.cookie)"
for m in r1 r2; do
    out=$(curl -s "$U/lb/c" -H "Cookie: a=1" -H "Cookie: JSESSIONID=abc.$m")
    check "the balancer finds the session in the second Cookie header ($m)" \
        "$m" "$(field "$out" backend)"
    out=$(curl -s "$U/lb/c" -H "Cookie: JSESSIONID=abc.$m" -H "Cookie: a=1")
    check "the balancer finds the session in the first Cookie header ($m)" \
        "$m" "$(field "$out" backend)"
done

# --- TLS: no certificate, no attribute; the default port --------------------
out=$(curl -sk "$S/app/tls")
check "over TLS without a client certificate no cert attribute is sent" 0 \
    "$(field "$out" ssl_cert_length | sed 's/^-$/0/')"
check "TLS request forwarded as secure" 1 "$(field "$out" is_ssl)"
out=$(curl -sk "$S/app/tls" -H "Host: 127.0.0.1")
check "TLS, Host without a port: server_port is the TLS port" "$sport" \
    "$(field "$out" server_port)"
out=$(curl -sk -0 --no-alpn -H "Host:" "$S/app/tls")
check "TLS, HTTP/1.0 without Host: server_port is the TLS port" "$sport" \
    "$(field "$out" server_port)"
out=$(curl -s -0 -H "Host:" "$U/app/nohost")
check "HTTP/1.0 without Host: server_port is the front's port" "$port" \
    "$(field "$out" server_port)"

httpd_stop "$H"
it_done
