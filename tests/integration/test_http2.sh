#!/bin/sh
# tests/integration/test_http2.sh -- HTTP/2 in front of mod_ajplb: mod_http2
# on mpm_event, h2c (prior knowledge and the HTTP/1.1 Upgrade) on a plain
# port and h2 over TLS (ALPN, mod_ssl with a throwaway self-signed
# certificate), each with a GET, a POST with a body, a large response, a
# sticky session routed by its cookie and by its path parameter, an
# unmounted URI and the all-members-down 503, against fake backends that say
# which member answered.  The configuration is extracted from docs/HTTP2.md
# as written (doc_blocks in lib.sh).
. "$(dirname "$0")/lib.sh"

if ! curl -V | grep -q HTTP2; then
    not_ok "curl with HTTP/2" "curl -V lists no HTTP2 feature"
    it_done
fi
if [ ! -f "$MODDIR/mod_http2.so" ]; then
    not_ok "mod_http2 is installed" "$MODDIR/mod_http2.so is missing"
    it_done
fi

start_backend b1 --secret s3cret --route w1; P1=$BACKEND_PORT
start_backend b2 --secret s3cret --route w2; P2=$BACKEND_PORT
dead=$(free_port)
port=$(free_port)
sport=$(free_port)
H=$IT_TMP/h
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$IT_TMP/server.key" -out "$IT_TMP/server.crt" 2>/dev/null

cat >"$IT_TMP/workers.properties" <<WP
worker.list=lb,downlb
worker.w1.host=127.0.0.1
worker.w1.port=$P1
worker.w1.secret=s3cret
worker.w2.host=127.0.0.1
worker.w2.port=$P2
worker.w2.secret=s3cret
worker.lb.type=lb
worker.lb.balance_workers=w1,w2
worker.gone.host=127.0.0.1
worker.gone.port=$dead
worker.gone.secret=s3cret
worker.gone.socket_connect_timeout=500
worker.downlb.type=lb
worker.downlb.balance_workers=gone
WP
# The page's configuration, as written; ports and paths become this run's.
files=$(doc_blocks "$IT_ROOT/docs/HTTP2.md" "$IT_TMP/doc")
conf=$IT_TMP/doc/http2/app.conf
if [ ! -f "$conf" ]; then
    not_ok "docs/HTTP2.md has http2/app.conf" "blocks found: $files"
    it_done
fi
sed -i -e "s#/usr/lib/apache2/modules/mod_ajplb.so#$MODULE#g" \
    -e "s#/usr/lib/apache2/modules/#$MODDIR/#g" \
    -e "s#/etc/apache2/#$IT_TMP/#g" \
    -e "s#/etc/ssl/certs/site.crt#$IT_TMP/server.crt#g" \
    -e "s#/etc/ssl/private/site.key#$IT_TMP/server.key#g" \
    -e "s/\\b443\\b/$sport/g" "$conf"
# What the test adds: an unmounted path and an lb whose members are down.
cat >"$IT_TMP/extra.conf" <<CONF
JkLogLevel info
JkUnMount /app/static/* lb
JkMount /down/* downlb
CONF
chmod -R a+rX "$IT_TMP/doc" "$IT_TMP/extra.conf"
# mod_http2 needs a threaded MPM: event (front_conf's default).
IT_MPM=event
front_conf "$H" "$port" "$conf" "$IT_TMP/extra.conf"
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
S=https://127.0.0.1:$sport

# Three ways in: h2c with prior knowledge, h2c by Upgrade, h2 over TLS.
# Each line: name, curl options, base URL.
modes="h2c-prior|--http2-prior-knowledge|$U
h2c-upgrade|--http2|$U
h2-tls|--http2 -k|$S"

# field NAME TEXT: the value of "NAME: value" in the fake backend's echo.
field() {
    printf '%s\n' "$2" | sed -n "s/^$1: //p" | head -n 1
}

head -c 300000 /dev/urandom >"$IT_TMP/body.bin"
body_hash=$(fnv1a64 "$IT_TMP/body.bin")
big=3000000
python3 -c "import sys
n = $big
sys.stdout.buffer.write(b''.join(b'%015x\n' % o for o in range(0, n, 16))[:n])" \
    >"$IT_TMP/expected.bin"

while IFS='|' read -r name opts base; do
    # shellcheck disable=SC2086
    c() { curl -s $opts "$@"; }

    # GET: the answer came over HTTP/2 and through the module.
    out=$(c -D "$IT_TMP/hdr" -w '\nproto=%{http_version} code=%{http_code}' \
        "$base/app/hello?x=1")
    check_grep "$name: GET answered 200 over HTTP/2" \
        'proto=2 code=200$' "$out"
    check "$name: GET reached a member with its query" "x=1" \
        "$(field query "$out")"
    check "$name: GET uri as sent" "/app/hello" "$(field uri "$out")"
    check "$name: GET method" "GET" "$(field method "$out")"
    check "$name: Tomcat is told the protocol is HTTP/2.0" "HTTP/2.0" \
        "$(field protocol "$out")"
    # An HTTP/2 request has no Host header, only :authority; Tomcat's
    # server name must still come out right.
    check "$name: server_name from :authority" "127.0.0.1" \
        "$(field server_name "$out")"
    case $name in
    h2-tls) check "$name: is_ssl reaches the backend" 1 \
        "$(field is_ssl "$out")" ;;
    *) check "$name: is_ssl 0 on h2c" 0 "$(field is_ssl "$out")" ;;
    esac

    # POST with a body (300 KB, several AJP body packets).
    out=$(c -w '\nproto=%{http_version} code=%{http_code}' \
        --data-binary @"$IT_TMP/body.bin" \
        -H 'Content-Type: application/octet-stream' "$base/app/upload")
    # mod_http2 does not upgrade a request that has a body: over h2c
    # by Upgrade the POST is answered over HTTP/1.1 (the connection's next
    # requests are HTTP/2); prior knowledge and TLS carry it over HTTP/2.
    case $name in
    h2c-upgrade) want='proto=1.1 code=200$' ;;
    *) want='proto=2 code=200$' ;;
    esac
    check_grep "$name: POST answered 200 ($want)" "$want" "$out"
    check "$name: POST method" POST "$(field method "$out")"
    check "$name: POST body length" 300000 "$(field body_length "$out")"
    check "$name: POST body intact" "$body_hash" \
        "$(field body_fnv1a64 "$out")"
    check "$name: POST body complete" 1 "$(field body_complete "$out")"

    # A large response, byte for byte.  Not by Upgrade: with curl 7.88.1
    # (Debian 12) an upgraded stream that answers more than the 64 KiB
    # initial window mostly ends after the 101 or at 65535 bytes, for a
    # static file served by httpd itself just as for the module (measured:
    # 18 of 20 static, 5 of 20 through the module), so it is a curl/mod_http2
    # matter; prior knowledge and TLS cover the module's large answers.
    if [ "$name" != h2c-upgrade ]; then
        rm -f "$IT_TMP/big.bin"
        code=$(c -o "$IT_TMP/big.bin" -w '%{http_version} %{http_code}' \
            "$base/app/big?size=$big")
        check "$name: large response 200 over HTTP/2" "2 200" "$code"
        if cmp -s "$IT_TMP/big.bin" "$IT_TMP/expected.bin"; then
            ok "$name: large response ($big bytes) intact"
        else
            not_ok "$name: large response ($big bytes) intact" \
                "got $(wc -c <"$IT_TMP/big.bin") bytes"
        fi
    fi

    # Sticky sessions: the cookie's route picks the member, every time.
    for r in w1 w2; do
        got=""
        for _ in 1 2 3 4; do
            got="$got $(c -D - -o /dev/null -H "Cookie: JSESSIONID=ABC.$r" \
                "$base/app/s" | tr -d '\r' | sed -n 's/^x-backend: //Ip')"
        done
        check "$name: JSESSIONID=ABC.$r sticks to its member" \
            " b${r#w} b${r#w} b${r#w} b${r#w}" "$got"
    done
    got=$(c "$base/app/s;jsessionid=XYZ.w2?q=1")
    check "$name: ;jsessionid path parameter routes" b2 \
        "$(field backend "$got")"
    # A new session: the Set-Cookie of the member comes back over h2.
    hdrs=$(c -D - -o /dev/null "$base/app/session" | tr -d '\r')
    check_grep "$name: Set-Cookie with the member's route" \
        '^set-cookie: JSESSIONID=[0-9a-f]+\.w[12]; Path=/' "$hdrs"

    # Not mounted: httpd answers, no member is asked.
    before=$(backend_stat b1 requests_started)/$(backend_stat b2 requests_started)
    code=$(c -o /dev/null -w '%{http_code}' "$base/app/static/x.css")
    after=$(backend_stat b1 requests_started)/$(backend_stat b2 requests_started)
    check "$name: JkUnMount gives httpd's 404" 404 "$code"
    check "$name: the unmounted request reached no member" "$before" "$after"

    # All members down: 503 over HTTP/2, and the log line.
    code=$(c -o /dev/null -w '%{http_version} %{http_code}' "$base/down/x")
    check "$name: all members down is 503" "2 503" "$code"
done <<MODES
$modes
MODES

check_grep "mod_jk.log names the 503" \
    'worker downlb: all members failed or are unavailable' \
    "$(cat "$H/logs/mod_jk.log")"
errors=$(grep -E '\[(error|crit|alert|emerg)\]' "$H/logs/error.log" \
    | grep -v 'AH00558' | head -n 5)
check "no errors in httpd's error log" "" "$errors"
it_done
