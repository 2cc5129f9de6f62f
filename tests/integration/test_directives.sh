#!/bin/sh
# tests/integration/test_directives.sh -- the Jk* directives against the
# real httpd: <Location> mounts, SetHandler jakarta-servlet, no-jk,
# JkMountFile reload, JkMountCopy, JkOptions, JkEnvVar, JkStripSession,
# piped JkLogFile, JkRequestLogFormat, rule extensions.
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s
B1=$BACKEND_PORT
start_backend b2 --secret s
B2=$BACKEND_PORT
port=$(free_port)
port2=$(free_port)
H=$IT_TMP/h
mkdir -p "$IT_TMP/docs"
echo "static file" >"$IT_TMP/docs/static.txt"
cat >"$IT_TMP/workers.properties" <<WP
worker.list=w1,w2
worker.w2.host=127.0.0.1
worker.w2.port=$B2
worker.w2.secret=s
worker.w1.host=127.0.0.1
worker.w1.port=$B1
worker.w1.secret=s
worker.w1.mount=/wmount/*
WP
printf '/mf/*=w1\n' >"$IT_TMP/uriworkermap.properties"
# One child process, so "every child has reloaded" is one child.
httpd_conf "$H" "$port" <<CONF
ServerLimit 1
StartServers 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
Listen 127.0.0.1:$port2
LoadModule env_module $MODDIR/mod_env.so
LoadModule setenvif_module $MODDIR/mod_setenvif.so
LoadModule unique_id_module $MODDIR/mod_unique_id.so
DocumentRoot "$IT_TMP/docs"
<Directory "$IT_TMP/docs">
    Require all granted
</Directory>
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile "|/bin/sh -c 'cat >> $H/logs/piped.log'"
JkLogLevel info
JkLogStampFormat "[%Y-%m-%d %H:%M:%S.%q] "
JkRequestLogFormat "REQ %w %V %m %U%q %s"
JkMount /app/* w1
JkMount /use/* w1;use_server_errors=400
JkMount /fos/* w1;fail_on_status=-418
JkMountFile "$IT_TMP/uriworkermap.properties"
JkMountFileReload 1
JkEnvVar MYVAR fallback
JkStripSession On
SetEnvIf Request_URI "^/app/nojk" no-jk
SetEnvIf Request_URI "^/app/fakeaddr" JK_REMOTE_ADDR=10.9.8.7
SetEnvIf Request_URI "^/app/envtimeout" JK_REPLY_TIMEOUT=300
<Location /loc>
    JkMount w1
</Location>
<Location /sh>
    SetHandler jakarta-servlet
    SetEnv JK_WORKER_NAME w1
</Location>
<VirtualHost 127.0.0.1:$port2>
    ServerName vhost2
    JkMountCopy On
    JkOptions +ForwardURICompatUnparsed +DisableReuse
    JkMount /app2/* w2
</VirtualHost>
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port
U2=http://127.0.0.1:$port2
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

check "JkMount inside <Location> maps the location itself" 200 "$(code "$U/loc")"
check "<Location> JkMount is exact, not a prefix" 404 "$(code "$U/loc/sub")"
out=$(curl -s "$U/sh/anything")
check_grep "SetHandler jakarta-servlet with JK_WORKER_NAME" "^uri: /sh/anything$" "$out"
check "no-jk keeps a mapped URI away from the backend" 404 "$(code "$U/app/nojk")"
check "workers.properties mount= maps" 200 "$(code "$U/wmount/x")"
check_grep "JK_REMOTE_ADDR overrides the forwarded client address" \
    "^remote_addr: 10.9.8.7$" "$(curl -s "$U/app/fakeaddr")"
check_grep "JkEnvVar default value sent as attribute" "^attr.MYVAR: fallback$" \
    "$(curl -s "$U/app/env")"
check "JkStripSession strips ;jsessionid from unmapped URLs" \
    "200 static file" "$(curl -s -w '%{http_code} ' -o "$IT_TMP/s" "$U/static.txt;jsessionid=ABC.w1"; cat "$IT_TMP/s")"

# Rule extensions.
out=$(curl -s -w '\n%{http_code}' "$U/use/x?status=500")
check_grep "use_server_errors: httpd's own error page" "Internal Server Error" "$out"
if echo "$out" | grep -q "^backend: "; then
    not_ok "use_server_errors hides the backend body"
else
    ok "use_server_errors hides the backend body"
fi
check "fail_on_status: the backend's 418 becomes 503" 503 \
    "$(code "$U/fos/x?status=418")"
check "JK_REPLY_TIMEOUT env var: 504" 504 \
    "$(code "$U/app/envtimeout?fault=silence")"
hdrs=$(curl -s -D - -o "$IT_TMP/b" "$U/app/x?status=401&nobody=1&hdr=WWW-Authenticate:Basic%20realm=t")
check_grep "error without body: status kept" "^HTTP/1.1 401" "$hdrs"
check_grep "error without body: backend headers kept" "^WWW-Authenticate: Basic realm=t" "$hdrs"
# The application's empty body goes out as it is (use_server_errors asks
# for httpd's page; docs/PROTOCOL.md 6.4).
check "error without body: passed through empty" 0 \
    "$(wc -c <"$IT_TMP/b" | tr -d ' ')"

# JkMountCopy and per-vhost JkOptions.
check_grep "main server: ForwardURIProxy re-encodes" "^uri: /app/aA$" \
    "$(curl -s "$U/app/a%41")"
check_grep "vhost with JkMountCopy On forwards the main mounts" \
    "^uri: /app/a%41$" "$(curl -s "$U2/app/a%41")"
for i in 1 2 3; do curl -s -o /dev/null "$U2/app2/r"; done
check "DisableReuse: a new backend connection per request" 3 \
    "$(backend_stat b2 connections_accepted)"
check "vhost mounts stay in their vhost" 404 "$(code "$U/app2/r")"

# JkMountFile reload: a new file takes effect, a broken one is refused.
check "JkMountFile rule maps" 200 "$(code "$U/mf/x")"
sleep 1.1
# Replace the file atomically, as an operator's deploy would, so no child
# reads it half written.
printf '/mf2/*=w1\n' >"$IT_TMP/new.properties"
touch -d "+2 seconds" "$IT_TMP/new.properties"
mv "$IT_TMP/new.properties" "$IT_TMP/uriworkermap.properties"
sleep 1.1
# Every child reloads on its own; ask a few times.
r=""
for i in 1 2 3 4 5 6; do r="$r$(code "$U/mf2/x")"; done
check "changed JkMountFile is reloaded" 200200200200200200 "$r"
check "removed rule no longer maps" 404 "$(code "$U/mf/x")"
printf '/mf3/*=nosuchworker\n' >"$IT_TMP/new.properties"
touch -d "+4 seconds" "$IT_TMP/new.properties"
mv "$IT_TMP/new.properties" "$IT_TMP/uriworkermap.properties"
sleep 1.1
r=""
for i in 1 2 3 4 5 6; do r="$r$(code "$U/mf2/x")"; done
check "a broken JkMountFile keeps the old map" 200200200200200200 "$r"
sleep 0.3
log=$(cat "$H/logs/piped.log")
check_grep "broken reload is logged with the cause" \
    "keeping the previous mounts: .*uriworkermap.properties:1: error: .*nosuchworker" "$log"
check_grep "piped JkLogFile receives lines" "\[info\] (\[[^]]*\] )?reloaded JkMountFile" "$log"
check_grep "JkRequestLogFormat line" "REQ w1 127.0.0.1 GET /app/env 200" "$log"
check_grep "JkLogStampFormat with %q microseconds" \
    '^\[20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{6}\] ' "$log"
check_grep "mod_unique_id's request id is in the error line" \
    '\[error\] \[[A-Za-z0-9@_-]{16,}\] worker w1: no reply' "$log"

httpd_stop "$H"
it_done
