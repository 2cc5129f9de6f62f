#!/bin/sh
# tests/integration/test_access.sh -- httpd's access rules see the path the
# mapper used (T-U1): every normalisation trick of T-U2/T-U3/T-U5/T-U10/
# T-U12 against <Location>, <LocationMatch>, <If>, "Require expr", a
# mod_rewrite [F] and Basic authentication, for JkMount and for SetHandler
# (T-U11), under MergeSlashes Off and AllowEncodedSlashes On/NoDecode (one
# vhost each), with the status worker first in worker.list (T-U30).  The
# same rows run against Debian's mod_jk in a second httpd; its answers are
# printed as "# mod_jk:" lines (tabled in docs/MAPPING.md), never asserted.
# Also: the URI the backend receives keeps the client's %-encodings.
. "$(dirname "$0")/lib.sh"

MODJK=${MODJK:-$MODDIR/mod_jk.so}
# One backend for mod_ajplb, one for mod_jk: the first must never see a
# protected path.
workers() {
    start_backend "$1" --secret s
    cat >"$IT_TMP/$1.properties" <<WP
worker.list=jkmanager,w1
worker.jkmanager.type=status
worker.jkmanager.read_only=false
worker.w1.type=ajp13
worker.w1.host=127.0.0.1
worker.w1.port=$BACKEND_PORT
worker.w1.secret=s
WP
}
workers b1
workers bjk
htpasswd -bc "$IT_TMP/htpasswd" alice pw >/dev/null 2>&1
chmod 644 "$IT_TMP/htpasswd"

# The access rules, the same in every vhost (mod_rewrite's server-context
# rules are not inherited by vhosts, so they are written into each).
rules() {
    cat <<RULES
    JkMount /jkmanager jkmanager
    JkMount /app/* w1
    RewriteEngine On
    RewriteCond %{REQUEST_URI} ^/app/rw(/|\$)
    RewriteRule ^ - [F]
RULES
}

# conf DIR PORT BACKEND: one httpd, the default server plus three
# name-based vhosts that differ in MergeSlashes / AllowEncodedSlashes.
conf() {
    d=$1 p=$2 b=$3
    mkdir -p "$d/docs"
    echo "static" >"$d/docs/index.html"
    httpd_conf "$d" "$p" <<CONF
LoadModule rewrite_module $MODDIR/mod_rewrite.so
LoadModule env_module $MODDIR/mod_env.so
LoadModule auth_basic_module $MODDIR/mod_auth_basic.so
LoadModule authn_core_module $MODDIR/mod_authn_core.so
LoadModule authn_file_module $MODDIR/mod_authn_file.so
LoadModule authz_user_module $MODDIR/mod_authz_user.so
DocumentRoot "$d/docs"
JkWorkersFile "$IT_TMP/$b.properties"
JkLogFile "$d/logs/mod_jk.log"
JkLogLevel info
JkShmFile "$d/logs/jk.shm"
<Location />
    # The same configuration for every path: httpd would skip the
    # authorization of a sub-request that ends in its parent's config.
    Require expr "%{REQUEST_URI} !~ m#^/app/rx(/|\$)#"
</Location>
<Location /jkmanager>
    Require all denied
</Location>
<Location /app/admin>
    Require all denied
</Location>
<LocationMatch "^/app/lm(/|$)">
    Require all denied
</LocationMatch>
<If "%{REQUEST_URI} =~ m#^/app/ifd(/|\$)#">
    Require all denied
</If>
<Location /app/auth>
    AuthType Basic
    AuthName "t"
    AuthUserFile "$IT_TMP/htpasswd"
    Require valid-user
</Location>
<Location /sh>
    SetHandler jakarta-servlet
    SetEnv JK_WORKER_NAME w1
</Location>
<Location /sh/admin>
    Require all denied
</Location>
$(rules)
<VirtualHost 127.0.0.1:$p>
    ServerName 127.0.0.1
$(rules)
</VirtualHost>
<VirtualHost 127.0.0.1:$p>
    ServerName ms-off
    MergeSlashes Off
$(rules)
</VirtualHost>
<VirtualHost 127.0.0.1:$p>
    ServerName enc-on
    AllowEncodedSlashes On
$(rules)
</VirtualHost>
<VirtualHost 127.0.0.1:$p>
    ServerName enc-nd
    AllowEncodedSlashes NoDecode
$(rules)
</VirtualHost>
CONF
}

# (httpd_conf sets $port: keep our own names for the two ports.)
AJPORT=$(free_port)
H=$IT_TMP/h
conf "$H" "$AJPORT" b1
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$AJPORT"

JKPORT=""
if [ -r "$MODJK" ]; then
    JKPORT=$(free_port)
    J=$IT_TMP/jk
    # Same configuration with mod_jk instead of mod_ajplb.
    conf "$J" "$JKPORT" bjk
    sed -i "s|^LoadModule ajplb_module .*|LoadModule jk_module $MODJK|" \
        "$J/httpd.conf"
    if httpd_start "$J"; then
        wait_http "$JKPORT" || JKPORT=""
    else
        echo "# mod_jk httpd did not start; no comparison"
        JKPORT=""
    fi
fi

# probe PORT [PORT2]: read "HOST ID PATH" lines, send each path as is to
# every port (one connection per request, bytes exactly as written) and
# print "HOST ID PATH RESULT URI [RESULT2 URI2]" where RESULT is
#   forward      the backend answered (X-Backend), URI is what it received
#   status       the status worker's page
#   local-CODE   httpd answered itself
probe() {
    if [ $# -gt 1 ]; then
        # One prober per server, side by side, lines joined.
        cat >"$IT_TMP/probe.in"
        probe "$1" <"$IT_TMP/probe.in" >"$IT_TMP/probe.1" &
        probe "$2" <"$IT_TMP/probe.in" | cut -d' ' -f4- >"$IT_TMP/probe.2"
        wait $!
        paste -d' ' "$IT_TMP/probe.1" "$IT_TMP/probe.2"
        return
    fi
    python3 -c '
import socket, sys
ports = [int(p) for p in sys.argv[1:]]
def ask(port, host, path, extra):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n"
               % (path, host, extra)).encode("latin-1"))
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    code = lines[0].split()[1] if lines and len(lines[0].split()) > 1 else "000"
    hdrs = [l.lower() for l in lines[1:]]
    uri = "-"
    for l in body.decode("latin-1").split("\n"):
        if l.startswith("uri: "):
            uri = l[5:]
            break
    if any(h.startswith("x-backend:") for h in hdrs):
        return "forward", uri
    if code == "200" and (b"jk:status" in body or b"JK Status" in body
                          or b"jkmanager" in body):
        return "status", "-"
    return "local-" + code, "-"
for line in sys.stdin:
    f = line.split()
    if len(f) < 3:
        continue
    extra = ""
    if len(f) > 3:
        extra = "Authorization: Basic %s\r\n" % f[3]
    out = [f[0], f[1], f[2]]
    for p in ports:
        out += ask(p, f[0], f[2], extra)
    print(" ".join(out), flush=True)
' "$@"
}

# judge FILE: "denied" rows must not reach the backend or the status page
# (a 4xx from httpd); mod_jk's answer is printed beside, never asserted.
judge_denied() {
    while read -r h id path got uri jk jkuri; do
        [ -n "${jk:-}" ] && echo "# mod_jk: $id $h $path -> $jk ${jkuri#-}"
        case "$got" in
            local-4*) ok "$id $h $path: not forwarded ($got; mod_jk: ${jk:--})" ;;
            *) not_ok "$id $h $path: not forwarded" "got: $got $uri" ;;
        esac
    done <"$1"
}

# judge_allowed FILE: FILE holds probe rows with the wanted URI appended;
# the path must be forwarded, and the backend must receive that URI.
judge_allowed() {
    while read -r h id path got uri jk jkuri want; do
        if [ -z "${want:-}" ]; then
            want=$jk jk=""     # no mod_jk columns
        fi
        [ -n "${jk:-}" ] && echo "# mod_jk: $id $h $path -> $jk ${jkuri#-}"
        if [ "$got" = forward ] && [ "$uri" = "$want" ]; then
            ok "$id $h $path: forwarded as $want"
        else
            not_ok "$id $h $path: forwarded as $want" "got: $got $uri"
        fi
    done <"$1"
}

PORTS="$AJPORT${JKPORT:+ $JKPORT}"

# The tricks, for every protected area P/L ("" means the root), on every
# vhost.  %L is the last segment, %P the parent.
tricks() {
    cat <<'T'
T-U2 %P/%L;
T-U2 %P/%L;x=1
T-U2 %P/%L;/x
T-U2 %P/x/..;/%L/x
T-U2 %P/.;/%L/x
T-U2 %P/x;/../%L/x
T-U2 %P;jsessionid=1/%L/x
T-U2 /x/..;%P/%L
T-U3 %P//%L/x
T-U3 /%P/%L/x
T-U3 %P/x//..;/%L/x
T-U5 %P/%L%3b/x
T-U5 %P/%L%3B
T-U5 %P/x/..%3b/%L/x
T-U5 %P/x/%2e%2e;/%L/x
T-U5 %P/x/.%2E;/%L/x
T-U5 %P/x/%2E%2e/%L/x
T-U5 %P/%L%2fx
T-U5 %P/x%2f..%2f%L/x
T-U5 %P/x%2f..;%2f%L/x
T-U12 %P/x%5c..%5c%L/x
T-U12 %P/x%5c..;%5c%L/x
T
}
{
    # Controls: the rules deny these plain paths.
    echo "127.0.0.1 T-U1 /jkmanager"
    echo "127.0.0.1 T-U1 /app/admin/x"
    # T-U11: SetHandler, the normalised path leaves the SetHandler area.
    echo "127.0.0.1 T-U11 /sh/..;/app/admin/x"
    echo "127.0.0.1 T-U11 /sh/..;/jkmanager"
    # Every trick on the default server; on the other vhosts the tricks
    # their setting changes: slashes for MergeSlashes Off, encoded
    # slashes and backslashes for AllowEncodedSlashes.
    for h in 127.0.0.1 ms-off enc-on enc-nd; do
        case $h in
            ms-off) filter='^T-U3 ' ;;
            enc-*) filter='%2f|%5c' ;;
            *) filter=. ;;
        esac
        for area in /jkmanager /app/admin /app/lm /app/ifd /app/rw \
                    /app/rx /app/auth /sh/admin; do
            parent=${area%/*} leaf=${area##*/}
            tricks | grep -E "$filter" \
                | sed "s#%P#$parent#g; s#%L#$leaf#g; s#^#$h #"
        done
    done
} | awk '$3 ~ /^\//' >"$IT_TMP/matrix"
probe $PORTS <"$IT_TMP/matrix" >"$IT_TMP/matrix.out"
judge_denied "$IT_TMP/matrix.out"

# Forwarded as sent: the backend receives every %-encoding of the client
# (the mapping decides on the decoded path; Tomcat decodes once).  Rows:
# HOST ID PATH WANT.
cat >"$IT_TMP/allowed" <<'A'
127.0.0.1 T-U1 /app/x /app/x
127.0.0.1 T-U31 /app/x;jsessionid=1 /app/x;jsessionid=1
127.0.0.1 T-U11 /sh/x /sh/x
127.0.0.1 T-U10 /app/%252e%252e/admin/x /app/%252e%252e/admin/x
127.0.0.1 T-U10 /app/x%255c..%255cadmin /app/x%255c..%255cadmin
127.0.0.1 C-%3B /app/a%3Bb/x /app/a%3Bb/x
127.0.0.1 C-%3b /app/a%3bb /app/a%3bb
127.0.0.1 C-%25 /app/a%25b /app/a%25b
127.0.0.1 C-%3F /app/a%3Fb /app/a%3Fb
127.0.0.1 C-%23 /app/a%23b /app/a%23b
127.0.0.1 C-%5C /app/a%5Cb /app/a%5Cb
127.0.0.1 C-utf8 /app/a%20b%C3%A9 /app/a%20b%C3%A9
enc-on C-%2F /app/a%2Fb /app/a%2Fb
enc-nd C-%2F /app/a%2Fb /app/a%2Fb
127.0.0.1 C-param /app/a;x=%3B/y /app/a;x=%3B/y
127.0.0.1 C-sethandler /sh/a%3Bb /sh/a%3Bb
A
awk '{print $1, $2, $3}' "$IT_TMP/allowed" | probe $PORTS >"$IT_TMP/allowed.out"
awk '{print $4}' "$IT_TMP/allowed" | paste -d' ' "$IT_TMP/allowed.out" - \
    >"$IT_TMP/allowed.want"
judge_allowed "$IT_TMP/allowed.want"

# Basic auth on the normalised path: 401 with a challenge; with the
# password the request goes through and the backend sees the user.
printf '127.0.0.1 T-U2 /app/auth;/x\n127.0.0.1 T-U2 /app/auth;/x %s\n' \
    "$(printf alice:pw | base64)" | probe "$AJPORT" >"$IT_TMP/auth.out"
check "T-U2 /app/auth;/x without a password: 401" local-401 \
    "$(sed -n '1s/^[^ ]* [^ ]* [^ ]* \([^ ]*\).*/\1/p' "$IT_TMP/auth.out")"
check "T-U2 /app/auth;/x with the password: forwarded" forward \
    "$(sed -n '2s/^[^ ]* [^ ]* [^ ]* \([^ ]*\).*/\1/p' "$IT_TMP/auth.out")"
hdr=$(curl -s -D - -o /dev/null --path-as-is "http://127.0.0.1:$AJPORT/app/auth;/x")
check_grep "T-U2 /app/auth;/x: WWW-Authenticate challenge" \
    '^WWW-Authenticate: Basic' "$hdr"
body=$(curl -s --path-as-is -u alice:pw "http://127.0.0.1:$AJPORT/app/auth;/x")
check_grep "T-U2 /app/auth;/x: the backend sees the user" \
    '^remote_user: alice' "$body"

# T-U11: broken %-sequences on a SetHandler path, and T-U2: climbing above
# the root after ";" removal: 400, never forwarded.
for path in /sh/%zz /sh/% /sh/%2 /sh/admin%zz "/..;/x" "/app/..;/..;/x" \
            "/sh/..;/..;/x"; do
    echo "127.0.0.1 T-U11 $path"
done | probe "$AJPORT" >"$IT_TMP/bad.out"
while read -r h id path got uri; do
    check "$id $path: 400" local-400 "$got"
done <"$IT_TMP/bad.out"

# T-U30: the status worker is first in worker.list; unmapped paths never
# reach it (nor the backend).
for path in / /nope/ /index.html /x.jsp; do
    echo "127.0.0.1 T-U30 $path"
done | probe "$AJPORT" >"$IT_TMP/u30.out"
while read -r h id path got uri; do
    case "$got" in
        local-200|local-404) ok "T-U30 $path: httpd's own answer ($got)" ;;
        *) not_ok "T-U30 $path: httpd's own answer" "got: $got" ;;
    esac
done <"$IT_TMP/u30.out"

httpd_stop "$H"
[ -n "$JKPORT" ] && httpd_stop "$J"
it_done
