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

# --- the main server's mounts in virtual hosts, beside mod_jk -------------
# One configuration under mod_ajplb and under Debian's mod_jk 1.2.48 (same
# text, only the LoadModule line differs): which requests reach the
# backend and which get httpd's 404.  mod_jk gives a <VirtualHost> without
# any Jk directive a configuration of its own (jk_post_config: "we don't
# want to share ... the JkMount rules"), so the main server's mounts reach
# it only through JkMountCopy, like any other virtual host.  Three forms
# of the main server's mount: JkMount /app/* (plain), JkMount inside
# <Location /app> (loc), and plain with JkMountCopy All (all).
cat >"$IT_TMP/v.properties" <<WP
worker.list=w1
worker.w1.host=127.0.0.1
worker.w1.port=$B1
worker.w1.secret=s
worker.w1.mount=/wm/*
WP
# vhost_conf DIR MODE: DIR/httpd.conf for mod_ajplb; ports in $VM (main
# server only), $VN (name-based hosts) and $VI (one address-based host).
vhost_conf() {
    case $2 in
        loc) mount='<Location /app>
    JkMount w1
</Location>' ;;
        all) mount='JkMount /app/* w1
JkMountCopy All' ;;
        *) mount='JkMount /app/* w1' ;;
    esac
    httpd_conf "$1" "$VM" <<CONF
Listen 127.0.0.1:$VN
Listen 127.0.0.1:$VI
DocumentRoot "$IT_TMP/docs"
JkWorkersFile "$IT_TMP/v.properties"
JkLogFile "$1/logs/mod_jk.log"
JkShmFile "$1/logs/jk.shm"
$mount
<VirtualHost 127.0.0.1:$VN>
    ServerName nojk
</VirtualHost>
<VirtualHost 127.0.0.1:$VN>
    ServerName copy
    JkMountCopy On
</VirtualHost>
<VirtualHost 127.0.0.1:$VN>
    ServerName own
    JkMount /own/* w1
</VirtualHost>
<VirtualHost 127.0.0.1:$VN>
    ServerName ownc
    JkMountCopy On
    JkMount /own/* w1
</VirtualHost>
<VirtualHost 127.0.0.1:$VN>
    ServerName opts
    JkOptions +ForwardKeySize
</VirtualHost>
<VirtualHost 127.0.0.1:$VI>
    ServerName ipbased
</VirtualHost>
CONF
}
# where DIR KEY HOST PATH: "fwd" when the backend answered, else
# "local-CODE" (KEY: m main server, n name-based, i address-based port).
where() {
    case $2 in m) wp=$VM ;; n) wp=$VN ;; *) wp=$VI ;; esac
    curl -s -D - -o /dev/null -H "Host: $3" "http://127.0.0.1:$wp$4" \
        | tr -d '\r' | awk 'NR == 1 { c = $2 } /^X-Backend:/ { f = 1 }
                             END { print f ? "fwd" : "local-" c }'
}
# Rows: KEY HOST PATH MOD_JK [MOD_AJPLB when it differs by design].  The
# mod_jk column is what mod_jk 1.2.48 answered when this was written; it
# is asserted too, so a different mod_jk shows up here.  ownc /wm/x: with
# JkMountCopy On and JkMounts of its own, mod_jk copies the main server's
# JkMount lines but not the workers.properties mount rules (docs/MAPPING.md
# section 8).
vhost_rows() {
    case $1 in
    plain) cat <<'R' ;;
m 127.0.0.1 /app/x fwd
m 127.0.0.1 /wm/x fwd
n nojk /app/x local-404
n nojk /wm/x local-404
n copy /app/x fwd
n copy /wm/x fwd
n own /app/x local-404
n own /own/x fwd
n own /wm/x local-404
n ownc /app/x fwd
n ownc /own/x fwd
n ownc /wm/x local-404 fwd
n opts /app/x local-404
i ipbased /app/x local-404
i ipbased /wm/x local-404
R
    loc) cat <<'R' ;;
m 127.0.0.1 /app fwd
m 127.0.0.1 /app/x local-404
n nojk /app local-404
n copy /app fwd
n own /app local-404
n ownc /app fwd
n opts /app local-404
i ipbased /app local-404
R
    all) cat <<'R' ;;
m 127.0.0.1 /app/x fwd
m 127.0.0.1 /wm/x fwd
n nojk /app/x fwd
n nojk /wm/x fwd
n copy /app/x fwd
n own /app/x fwd
n own /wm/x local-404 fwd
n ownc /wm/x local-404 fwd
n opts /app/x fwd
n opts /wm/x fwd
i ipbased /app/x fwd
i ipbased /wm/x fwd
R
    esac
}
VM=$(free_port) VN=$(free_port) VI=$(free_port)
for mode in plain loc all; do
    VA=$IT_TMP/va-$mode
    vhost_conf "$VA" "$mode"
    # The configtest warning names exactly the virtual hosts the main
    # server's mounts do not reach although nothing in them says so: no
    # JkMountCopy and no mounts of their own (nojk, opts, ipbased).
    httpd_test "$VA"
    want=""
    if [ "$mode" != all ]; then
        want=$(awk -v f="$VA/httpd.conf" '/^<VirtualHost/ { v = NR }
                   /ServerName (nojk|opts|ipbased)$/ { print f ":" v }' \
               "$VA/httpd.conf" | sort | tr '\n' ' ')
    fi
    got=$(printf '%s\n' "$HTTPD_OUT" | sed -n "s/^mod_ajplb: \([^ ]*\): \
warning: the main server's JkMount rules do not apply inside this \
<VirtualHost>.*/\1/p" | sort -u | tr '\n' ' ')
    check "$mode: configtest warns for the hosts without the main mounts" \
        "$want" "$got" "$HTTPD_OUT"
    httpd_start "$VA" || { not_ok "$mode: httpd starts" \
                              "$(cat "$VA/logs/error.log")"; continue; }
    wait_http "$VM"
    vhost_rows "$mode" >"$IT_TMP/rows"
    while read -r key host path jk aj; do
        check "$mode: mod_ajplb: $host $path" "${aj:-$jk}" \
            "$(where "$VA" "$key" "$host" "$path")"
    done <"$IT_TMP/rows"
    httpd_stop "$VA"
    if [ -r "$MODJK" ]; then
        VJ=$IT_TMP/vj-$mode
        vhost_conf "$VJ" "$mode"
        use_mod_jk "$VJ"
        httpd_start "$VJ" || { not_ok "$mode: httpd with mod_jk starts" \
                                  "$(cat "$VJ/logs/error.log")"; continue; }
        wait_http "$VM"
        while read -r key host path jk aj; do
            check "$mode: mod_jk: $host $path" "$jk" \
                "$(where "$VJ" "$key" "$host" "$path")"
        done <"$IT_TMP/rows"
        httpd_stop "$VJ"
    fi
done
it_done
