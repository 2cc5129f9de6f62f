#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_tomcat.sh -- the real httpd with the module in
# front of a real Tomcat 10 (AJP connector with secretRequired): methods and
# body sizes, chunked upload, a streamed 100 MiB download, encoded query
# strings, a wrong secret, and what the servlet sees of the client over
# plain HTTP and over TLS terminated by mod_ssl (with a client certificate);
# what the client sees of the application's answer: any status 200-599,
# empty error bodies, Content-Length (HTTP/1.1, HTTP/1.0, h2c, HEAD), two
# Cookie headers, no certificate, the TLS port when Host has none.
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ]; then
    not_ok "tomcat10 is installed (apt-get install tomcat10)"
    it_done
fi
ajp=$(free_port)
thttp=$(free_port)
port=$(free_port)
sport=$(free_port)
T=$IT_TMP/tomcat1
tomcat_make "$T" "$ajp" "$thttp" worker1 "t0pS3cret"
# /win/: the same pages through a worker with body_window (packets sent
# ahead of Tomcat's asks).
mkdir -p "$T/webapps/ROOT/win"
cp "$T/webapps/ROOT/echo.jsp" "$T/webapps/ROOT/index.jsp" "$T/webapps/ROOT/win/"
IT_PIDFILES="$IT_PIDFILES $T/pid"
tomcat_start "$T" || { not_ok "tomcat starts" "$(tail -n 20 "$T/logs/catalina.out")"; it_done; }

# Certificates for the TLS front and a client.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$IT_TMP/server.key" -out "$IT_TMP/server.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=test-client" \
    -keyout "$IT_TMP/client.key" -out "$IT_TMP/client.crt" 2>/dev/null

cat >"$IT_TMP/workers.properties" <<WP
worker.list=worker1,badsecret,win
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$ajp
worker.worker1.secret=t0pS3cret
worker.badsecret.reference=worker.worker1
worker.badsecret.secret=wrong
worker.win.reference=worker.worker1
worker.win.body_window=4
WP
H=$IT_TMP/h
httpd_conf "$H" "$port" <<CONF
Listen 127.0.0.1:$sport
LoadModule socache_shmcb_module $MODDIR/mod_socache_shmcb.so
LoadModule ssl_module $MODDIR/mod_ssl.so
LoadModule http2_module $MODDIR/mod_http2.so
Protocols h2c http/1.1
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkMount /*.jsp worker1
JkMount /err/* worker1;use_server_errors=400
JkMount /bad/* badsecret
JkMount /win/* win
<VirtualHost 127.0.0.1:$sport>
    ServerName 127.0.0.1
    JkMountCopy On
    SSLEngine on
    SSLCertificateFile "$IT_TMP/server.crt"
    SSLCertificateKeyFile "$IT_TMP/server.key"
    SSLCACertificateFile "$IT_TMP/client.crt"
    SSLVerifyClient optional
    SSLVerifyDepth 1
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
S=https://127.0.0.1:$sport

field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }

out=$(curl -s "$U/echo.jsp?a=%41b&c=d%20e")
check "Tomcat sees the URI" "/echo.jsp" "$(field "$out" uri)"
check "Tomcat sees the encoded query string unchanged" "a=%41b&c=d%20e" \
    "$(field "$out" query)"
check "getRemoteAddr is the client" 127.0.0.1 "$(field "$out" remote_addr)"
rp=$(field "$out" remote_port)
[ "${rp:-0}" -gt 0 ] && ok "getRemotePort is the client's port ($rp)" \
    || not_ok "getRemotePort is the client's port" "$out"
check "getServerPort is the front's" "$port" "$(field "$out" server_port)"
check "isSecure is false over http" false "$(field "$out" secure)"

for m in GET POST PUT; do
    for n in 0 1 8186 8187 10485760; do
        head -c "$n" /dev/urandom >"$IT_TMP/body"
        want="$n $(fnv1a64 "$IT_TMP/body")"
        out=$(curl -s -X "$m" --data-binary @"$IT_TMP/body" \
              -H "Content-Type: application/octet-stream" "$U/echo.jsp")
        check "$m with a $n-byte body reaches Tomcat whole" "$want" \
            "$(field "$out" body_length) $(field "$out" body_fnv1a64)"
    done
done
head -c 300000 /dev/urandom >"$IT_TMP/body"
want="300000 $(fnv1a64 "$IT_TMP/body")"
out=$(curl -s -X POST -H "Transfer-Encoding: chunked" \
      --data-binary @"$IT_TMP/body" "$U/echo.jsp")
check "chunked upload reaches Tomcat whole" "$want" \
    "$(field "$out" body_length) $(field "$out" body_fnv1a64)"

# body_window=4: Tomcat reads the packets sent ahead as the answers to its
# next asks; a page that never reads the body leaves them unread, Tomcat
# and the module both close that connection, and the uploads after it are
# whole.
for n in 1 8186 8187 16886 1048576 10485760; do
    head -c "$n" /dev/urandom >"$IT_TMP/body"
    want="$n $(fnv1a64 "$IT_TMP/body")"
    out=$(curl -s -X POST --data-binary @"$IT_TMP/body" "$U/win/echo.jsp")
    check "body_window=4: a $n-byte body reaches Tomcat whole" "$want" \
        "$(field "$out" body_length) $(field "$out" body_fnv1a64)"
done
head -c 300000 /dev/urandom >"$IT_TMP/body"
want="300000 $(fnv1a64 "$IT_TMP/body")"
out=$(curl -s -X POST -H "Transfer-Encoding: chunked" \
      --data-binary @"$IT_TMP/body" "$U/win/echo.jsp")
check "body_window=4: a chunked upload reaches Tomcat whole" "$want" \
    "$(field "$out" body_length) $(field "$out" body_fnv1a64)"
head -c 1048576 /dev/urandom >"$IT_TMP/mib"
want="1048576 $(fnv1a64 "$IT_TMP/mib")"
good=0
for i in 1 2 3 4 5; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
           --data-binary @"$IT_TMP/mib" "$U/win/index.jsp")
    out=$(curl -s -X POST --data-binary @"$IT_TMP/mib" "$U/win/echo.jsp")
    [ "$code" = 200 ] \
        && [ "$(field "$out" body_length) $(field "$out" body_fnv1a64)" = "$want" ] \
        && good=$((good + 1))
done
check "body_window=4: a page that reads no body, then a whole upload (5 times)" \
    5 "$good"
check "streamed 100 MiB download" 104857600 \
    "$(curl -s -o /dev/null -w '%{size_download}' "$U/download.jsp?size=104857600")"
check "wrong secret: Tomcat's 403 reaches the client" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/bad/echo.jsp")"
check_grep "wrong secret: mod_jk.log names the secret mismatch" \
    "\[warn\].*worker badsecret: .* answered /bad/echo.jsp with 403 and closed the connection" \
    "$(cat "$H/logs/mod_jk.log")"

# TLS terminated in mod_ssl: what the servlet learns (T-R5b: the TLS fields
# come from mod_ssl).
out=$(curl -sk --cert "$IT_TMP/client.crt" --key "$IT_TMP/client.key" \
      "$S/echo.jsp")
check "isSecure is true behind mod_ssl" true "$(field "$out" secure)"
check "scheme is https" https "$(field "$out" scheme)"
c=$(field "$out" cipher)
[ -n "$c" ] && [ "$c" != null ] && ok "cipher suite forwarded ($c)" \
    || not_ok "cipher suite forwarded" "$out"
k=$(field "$out" key_size)
[ "${k:-0}" -ge 128 ] 2>/dev/null && ok "key size forwarded ($k)" \
    || not_ok "key size forwarded" "$out"
check "TLS session id forwarded" true "$(field "$out" ssl_session)"
check "client certificate forwarded" "CN=test-client" \
    "$(field "$out" client_cert)"
check "server port over TLS" "$sport" "$(field "$out" server_port)"


# TLS without a client certificate: no attribute, so the servlet gets null
# (echo.jsp reads [0] of a non-null array: an empty one throws, 500).
code=$(curl -sk -o "$IT_TMP/nocert" -w '%{http_code}' "$S/echo.jsp")
check "no client certificate: the servlet's X509Certificate is null" \
    "200 null" "$code $(field "$(cat "$IT_TMP/nocert")" client_cert)"
# A Host without a port means the scheme's default port, and Tomcat reads
# it so; without any Host (HTTP/1.0) Tomcat takes AJP's server_port, which
# is the port the connection came in on, never 80 for TLS.
out=$(curl -sk -H "Host: 127.0.0.1" "$S/echo.jsp")
check "TLS, Host without a port: getServerPort 443, scheme https" "443 https" \
    "$(field "$out" server_port) $(field "$out" scheme)"
out=$(curl -sk -0 --no-alpn -H "Host:" "$S/echo.jsp")
check "TLS, HTTP/1.0 without Host: getServerPort is the TLS port" "$sport" \
    "$(field "$out" server_port)"
out=$(curl -s -0 -H "Host:" "$U/echo.jsp")
check "HTTP/1.0 without Host: getServerPort is the front's port" "$port" \
    "$(field "$out" server_port)"

# Statuses the application chose (T-B7), over HTTP/1.1, HTTP/1.0 and h2c.
for c in 299 418 599; do
    check "application status $c reaches an HTTP/1.1 client" "$c" \
        "$(curl -s -o /dev/null -D - "$U/reply_status.jsp?code=$c" | head -n 1 | cut -d' ' -f2)"
    check "application status $c reaches an HTTP/1.0 client" "$c" \
        "$(curl -s -0 -o /dev/null -D - "$U/reply_status.jsp?code=$c" | head -n 1 | cut -d' ' -f2)"
    check "application status $c keeps its body" "application body for $c" \
        "$(curl -s "$U/reply_status.jsp?code=$c")"
    check "application status $c over h2c" "$c" \
        "$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code}' "$U/reply_status.jsp?code=$c")"
done
for c in 404 500 503; do
    check "empty-body $c reaches the client as the application sent it" \
        "$c 0" \
        "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$U/reply_status.jsp?code=$c&empty=1")"
done
out=$(curl -s -w ' %{http_code}' "$U/err/reply_status.jsp?code=404&empty=1")
check_grep "use_server_errors=400 still gives httpd's page for it" \
    "Not Found.* 404$" "$(printf '%s' "$out" | tr '\n' ' ')"

# Content-Length: the application's, kept on every protocol and for HEAD.
L=102400
for p in "" -0 --http2-prior-knowledge; do
    hdr=$(curl -s $p -o "$IT_TMP/len.body" -D - "$U/reply_length.jsp?size=$L" | tr -d '\r')
    check "100 KiB with the application's length ($p): Content-Length kept" \
        "content-length: $L" \
        "$(printf '%s\n' "$hdr" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"
    check "100 KiB with the application's length ($p): arrives whole" "$L" \
        "$(wc -c <"$IT_TMP/len.body" | tr -d ' ')"
done
check "HEAD carries the application's Content-Length (T-R15)" \
    "content-length: $L" \
    "$(curl -s -I "$U/reply_length.jsp?size=$L" | tr -d '\r' | grep -i '^content-length:' | tr 'A-Z' 'a-z')"

# Two Cookie headers are two cookie lists, joined with "; " (RFC 6265 5.4).
check "two Cookie headers: the servlet gets every cookie" \
    "cookies: a=1 b=2 c=3" \
    "$(curl -s -H 'Cookie: a=1' -H 'Cookie: b=2; c=3' "$U/reply_cookies.jsp")"
check "two Cookie headers over h2c: the servlet gets every cookie" \
    "cookies: a=1 b=2 c=3" \
    "$(curl -s --http2-prior-knowledge -H 'Cookie: a=1' -H 'Cookie: b=2; c=3' "$U/reply_cookies.jsp")"

httpd_stop "$H"
tomcat_stop "$T"
it_done
