#!/bin/sh
# tests/integration/test_forward.sh -- requests end to end through the real
# httpd with the module and the fake AJP backend: what reaches the backend,
# bodies both ways, and every backend fault's status, with the faulted
# connection dropped and the next request clean.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s3cret
B1=$BACKEND_PORT
dead=$(free_port)
port=$(free_port)
H=$IT_TMP/h

cat >"$IT_TMP/workers.properties" <<WP
worker.list=w1,wdead,wbadsecret,wping
worker.w1.host=127.0.0.1
worker.w1.port=$B1
worker.w1.secret=s3cret
worker.wdead.host=127.0.0.1
worker.wdead.port=$dead
worker.wdead.secret=x
worker.wdead.retries=1
worker.wbadsecret.host=127.0.0.1
worker.wbadsecret.port=$B1
worker.wbadsecret.secret=wrong
worker.wping.host=127.0.0.1
worker.wping.port=$B1
worker.wping.secret=s3cret
worker.wping.ping_mode=P
worker.wping.ping_timeout=300
WP
httpd_conf "$H" "$port" <<CONF
LoadModule log_config_module_dummy_never_loaded /dev/null
CONF
# log_config is built into Debian's httpd: use it without loading.
sed -i '/log_config_module_dummy/d' "$H/httpd.conf"
cat >>"$H/httpd.conf" <<CONF
LogFormat "%U %>s %{JK_WORKER_NAME}n %{JK_WORKER_TYPE}n %{JK_REQUEST_DURATION}n" jk
CustomLog "$H/logs/access.log" jk
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile logs/mod_jk.log
JkLogLevel info
JkMount /app/* w1
JkMount /slow/* w1;reply_timeout=500
JkUnMount /app/static/* w1
JkMount /dead/* wdead
JkMount /secret/* wbadsecret
JkMount /ping/* wping
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port

# --- what reaches the backend --------------------------------------------
# T-R5, T-G5: only the fixed attribute allowlist, no client-made trust data.
out=$(curl -s "$U/app/a%20b?q=%41%2F&x=1" -H "X-Test: one")
check_grep "method and uri forwarded, uri re-encoded once" \
    "^uri: /app/a%20b$" "$out"
check_grep "query string forwarded raw" "^query: q=%41%2F&x=1$" "$out"
check_grep "secret sent" "^secret: present$" "$out"
check_grep "client address" "^remote_addr: 127.0.0.1$" "$out"
check_grep "client port attribute" "^remote_port: [1-9][0-9]*$" "$out"
check_grep "local address attribute" "^local_addr: 127.0.0.1$" "$out"
check_grep "server port" "^server_port: $port$" "$out"
check_grep "request header forwarded" "^header.[Xx]-[Tt]est: one$" "$out"
check_grep "GET without body gets content-length 0" \
    "^header.content-length: 0$" "$out"
check_grep "no client-supplied attributes" \
    "^attr_names: AJP_REMOTE_PORT,AJP_LOCAL_ADDR,JK_LB_ACTIVATION$" "$out"

# A client header that looks like a TLS or auth field stays a header (T-R5b).
out=$(curl -s "$U/app/x" -H "SSL_CIPHER: evil" -H "Authorization: Basic eA==" \
      -H "X-Remote-User: admin")
check_grep "client headers never become TLS fields" "^ssl_cipher: -$" "$out"
check_grep "client headers never become remote_user" "^remote_user: -$" "$out"

# --- mapping ---------------------------------------------------------------
before=$(backend_stat b1 requests_started)
check "unmapped URI is not forwarded" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/other/x")"
check "JkUnMount excludes" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/app/static/x.css")"
check "JkUnMount holds against ;params" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/app/static;x=1/x.css")"
check "JkUnMount holds against .. via ;" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$U/app/x/..;/static/x.css")"
check "no backend request for unmapped URIs" "$before" \
    "$(backend_stat b1 requests_started)"
check "path climbing above root is 400" 400 \
    "$(curl -s -o /dev/null -w '%{http_code}' --path-as-is "$U/app/..;/..;/x")"

# --- request bodies ---------------------------------------------------------
for n in 0 1 8186 8187 10485760; do
    head -c "$n" /dev/urandom >"$IT_TMP/body"
    want=$(fnv1a64 "$IT_TMP/body")
    out=$(curl -s -X POST --data-binary @"$IT_TMP/body" \
          -H "Content-Type: application/octet-stream" "$U/app/upload")
    check "POST body of $n bytes arrives whole" "$n $want 1" \
        "$(echo "$out" | sed -n 's/^body_length: //p') $(echo "$out" | sed -n 's/^body_fnv1a64: //p') $(echo "$out" | sed -n 's/^body_complete: //p')"
done
head -c 8187 /dev/urandom >"$IT_TMP/body"
out=$(curl -s -X PUT --data-binary @"$IT_TMP/body" "$U/app/put")
check_grep "PUT body arrives" "^body_length: 8187$" "$out"
head -c 100000 /dev/urandom >"$IT_TMP/body"
want=$(fnv1a64 "$IT_TMP/body")
out=$(curl -s -X POST -H "Transfer-Encoding: chunked" \
      --data-binary @"$IT_TMP/body" "$U/app/chunked")
check "chunked upload arrives whole" "100000 $want" \
    "$(echo "$out" | sed -n 's/^body_length: //p') $(echo "$out" | sed -n 's/^body_fnv1a64: //p')"
check_grep "chunked upload has no content-length" "^header_count: " "$out"
if echo "$out" | grep -q "^header.content-length"; then
    not_ok "chunked upload sends no content-length to the backend" "$out"
else
    ok "chunked upload sends no content-length to the backend"
fi

# --- responses -------------------------------------------------------------
# T-B23: 204/304 without body; T-B9: backend Content-Length does not frame;
# T-B22: flush packets are not the end.
check "HEAD gets no body" 0 \
    "$(curl -s -I -o /dev/null -w '%{size_download}' "$U/app/head")"
check "204 with a backend body sends none" "204 0" \
    "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$U/app/x?status=204&forcebody=1")"
check "304 with a backend body sends none" "304 0" \
    "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$U/app/x?status=304&forcebody=1")"
# T-B9: a backend Content-Length the body does not match never frames a
# complete-looking answer (test_reply.sh has the details).
check "body longer than the backend's Content-Length: 502" 502 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/app/cl?hdr=Content-Length:5")"
# A small answer is written in one piece during the handler (flushed) and
# still framed by httpd with a Content-Length, not chunked.
curl -s -D "$IT_TMP/small.hdr" -o "$IT_TMP/small.body" "$U/app/small?size=100"
check "small answer framed with httpd's Content-Length" \
    "content-length: $(wc -c <"$IT_TMP/small.body" | tr -d ' ')" \
    "$(tr -d '\r' <"$IT_TMP/small.hdr" | grep -i '^content-length:' | tr 'A-Z' 'a-z')"
if grep -qi '^transfer-encoding' "$IT_TMP/small.hdr"; then
    not_ok "small answer is not chunked" "$(cat "$IT_TMP/small.hdr")"
else
    ok "small answer is not chunked"
fi
check "100 MiB download streams whole" 104857600 \
    "$(curl -s -o /dev/null -w '%{size_download}' "$U/app/big?size=104857600")"
check "flush packets are not end of body" 300000 \
    "$(curl -s -o /dev/null -w '%{size_download}' "$U/app/f?size=300000&flush=1")"
check "wrong secret: Tomcat-style 403 reaches the client" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/secret/x")"
# Tomcat logs nothing when it refuses a secret: mod_jk.log must say it.
check_grep "wrong secret: mod_jk.log names the secret mismatch" \
    "\[warn\].*worker wbadsecret: 127.0.0.1:$B1 answered /secret/x with 403 and closed the connection.*worker.wbadsecret.secret" \
    "$(cat "$H/logs/mod_jk.log")"

# --- backend faults: status, connection dropped, next request clean -------
# T-G6 for each: T-B1 badmagic/http/random, T-B2 oversize, T-B3 truncated,
# T-B4 zerolen/typeonly/cut_headers, T-B5 badstring*/nonul, T-B6
# hdrcount/badcode, T-B8 crlf*/nul_in_header, T-B8c emptyname, T-B10
# headers_twice, T-B11 body_first, T-B12 chunk_*, T-B17 unknown_type,
# T-B20 close_before_headers, T-B15 no_reuse_byte; T-B14 getbody_nolen
# and T-B19 close_mid_body below.
for f in badmagic:502 http:502 random:502 oversize:502 truncated:502 \
         zerolen:502 typeonly:502 cut_headers=7:502 badstring:502 \
         badstring_hdr:502 nonul:502 nullstatus:502 status0:502 \
         status1000:502 hdrcount:502 badcode:502 crlf:502 crlf_name:502 \
         nul_in_header:502 emptyname:502 headers_twice:502 body_first:502 \
         chunk_too_long:502 chunk_short:502 close_before_headers:502 \
         close_mid_body:502 no_reuse_byte:502 unknown_type:502; do
    name=${f%%:*} want=${f##*:}
    case $name in
        *=*) q="$name" ;;
        *) q="fault=$name" ;;
    esac
    got=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/fault?$q")
    next=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/after")
    check "fault $name gives $want, next request 200" "$want 200" "$got $next"
done
# A broken GET_BODY_CHUNK comes only when the backend asks for more body.
head -c 20000 /dev/zero >"$IT_TMP/body"
got=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$IT_TMP/body" "$U/app/fault?fault=getbody_nolen")
next=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/after")
check "fault getbody_nolen gives 502, next request 200" "502 200" "$got $next"
# Mid-body after part of a big reply reached the client: the client sees
# a broken transfer, never a complete-looking one.
curl -s -o /dev/null "$U/app/m?size=1048576&fault=close_mid_body"
rc=$?
[ "$rc" != 0 ] && ok "close mid-body after headers went out breaks the client transfer (curl $rc)" \
    || not_ok "close mid-body after headers went out breaks the client transfer"
# T-B15: reuse=0 and bytes after END_RESPONSE drop the connection;
# T-B15b: no request ever reused a connection after any fault above.
for f in reuse0 after_end; do
    got=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/x?fault=$f")
    next=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/after")
    check "$f: response delivered, next request 200" "200 200" "$got $next"
done
check "no request ever arrived on a connection after a fault" 0 \
    "$(backend_stat b1 tainted_requests)"

# --- T-B16 CPing/CPong: a bad answer drops the connection, the request is still
# served on a fresh one (ping_mode=P probes before every request).
# Both requests go over one client connection, so one child process (and
# its connection pool) serves them.
for f in cpong_garbage cpong_extra cpong_none cpong_leftover; do
    got=$(curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' \
          "$U/ping/arm?arm=$f" "$U/ping/after" | tail -n 1)
    check "$f: connection dropped, request served on a new one" 200 "$got"
    check "$f was really sent" 1 "$(backend_stat b1 "fault.$f")"
done
check "no CPING or request ever reused a connection after a bad CPONG" "0 0" \
    "$(backend_stat b1 tainted_cpings) $(backend_stat b1 tainted_requests)"

# --- timeouts, refused connections, 413 ------------------------------------
# T-B18: 504 after reply_timeout; T-B18b: that connection is not reused;
# T-O10: refused connection 503; T-R1: headers too big are a 413.
t0=$(date +%s%N)
got=$(curl -s -o /dev/null -w '%{http_code}' "$U/slow/x?fault=silence")
t1=$(date +%s%N)
check "silent backend: 504" 504 "$got"
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -lt 5000 ] && ok "504 comes after reply_timeout, not TCP's (${ms}ms)" \
    || not_ok "504 comes after reply_timeout" "${ms}ms"
check "next request after a timeout is clean" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/app/after")"
check "refused connection: 503" 503 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$U/dead/x")"
before=$(backend_stat b1 requests_started)
big=$(head -c 5000 /dev/zero | tr '\0' 'a')
check "headers too large for the packet: 413" 413 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" -H "X-Big2: $big" "$U/app/x")"
check "413 request never reached the backend" "$before" \
    "$(backend_stat b1 requests_started)"

# --- a POST is never run twice (T-B20, T-O1) ------------------------------
before=$(backend_stat b1 requests_started)
check "POST whose backend dies before replying: 502" 502 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary x "$U/app/p?fault=close_before_headers")"
check "that POST reached the backend exactly once" $((before + 1)) \
    "$(backend_stat b1 requests_started)"

# --- stale pooled connections after a backend restart (T-O2) --------------
for i in 1 2 3 4 5 6; do curl -s -o /dev/null "$U/app/warm"; done
stop_backend b1
BACKEND_FIXED_PORT=$B1 start_backend b1 --secret s3cret
check "GET on pooled connections after a backend restart: 200" \
    "200 200 200 200" "$(for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code} ' "$U/app/again"; done | sed 's/ $//')"
sleep 1.2
check "POST after a backend restart and idle: 200" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary abc "$U/app/p2")"

# --- the log ---------------------------------------------------------------
log=$(cat "$H/logs/mod_jk.log")
check_grep "mod_jk.log line shape" \
    '^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9:.]{12} [0-9]{4}\] \[[0-9]+:[0-9]+\] \[error\] worker ' "$log"
check_grep "refused connect names worker and fix" \
    "worker wdead: cannot connect to 127.0.0.1:$dead .*AJP connector" "$log"
check_grep "timeout names reply_timeout" "worker w1: no reply .*reply_timeout=500ms" "$log"
check_grep "protocol error names the cause" "worker w1: malformed AJP reply" "$log"
check_grep "CustomLog sees the worker notes and the duration" \
    "^/app/x 200 w1 ajp13 [0-9]+\.[0-9]{6}$" \
    "$(cat "$H/logs/access.log")"

httpd_stop "$H"
it_done
