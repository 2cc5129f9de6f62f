#!/bin/sh
# tests/integration/test_mapping.sh -- the mapping corpus of
# security-and-faults.md 2.2 against the running server: the module decides
# on the path Tomcat will serve, so JkUnMount and exclusions hold against
# path parameters, slashes, dot segments, encodings and suffix tricks.
# T-G4 (nothing excluded reaches Tomcat), T-U4 (dot segments, 400 above
# root), T-U20 (very long URIs).
. "$(dirname "$0")/lib.sh"

start_backend b1 --secret s --verbose
port=$(free_port)
H=$IT_TMP/h
mkdir -p "$IT_TMP/docs"
printf 'worker.list=w1\nworker.w1.host=127.0.0.1\nworker.w1.port=%s\nworker.w1.secret=s\n' \
    "$BACKEND_PORT" >"$IT_TMP/workers.properties"
httpd_conf "$H" "$port" <<CONF
DocumentRoot "$IT_TMP/docs"
AllowEncodedSlashes Off
JkWorkersFile "$IT_TMP/workers.properties"
JkMount /app/* w1
JkUnMount /app/admin/* w1
JkUnMount /app/static/* *
JkMount /*.jsp w1
JkMount /jkstatus w1
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$port"
U=http://127.0.0.1:$port

# forwarded PATH: "yes" when the backend answered (X-Backend header).
decide() {
    h=$(curl -s --path-as-is -D - -o /dev/null "$U$1")
    code=$(printf '%s' "$h" | sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p')
    if printf '%s' "$h" | grep -qi '^X-Backend:'; then
        echo "forward"
    else
        echo "local $code"
    fi
}

while read -r path want; do
    [ -z "$path" ] && continue
    case "$path" in \#*) continue ;; esac
    got=$(decide "$path")
    case "$want" in
        forward) check "forwarded: $path" forward "$got" ;;
        local) case "$got" in
                   local*) ok "not forwarded: $path ($got)" ;;
                   *) not_ok "not forwarded: $path" "got $got" ;;
               esac ;;
        *) check "$path" "local $want" "$got" ;;
    esac
done <<'CORPUS'
/app/x forward
/app/admin/x local
/app/admin;x=1/x local
/app/admin/;/x local
/app/..;/app/admin/x local
/app/x;jsessionid=1/../admin/x local
/app/.;/admin/x local
/app/x;/../admin/x local
/app//admin/x local
//app/admin/x local
/app/./admin/x local
/app/static/../admin/x local
/app/a/b/../../admin/x local
/app/%2e%2e/app/admin/x local
/app/%2E%2e/app/admin/x local
/app/admin%2fx local
/app/%61dmin/x local
/app/adm%69n/x local
/app/static/x.css local
/app/static;a=b/x.css local
/app/...  forward
/app/..../x forward
/../app/x 400
/app/..;/..;/x 400
/x.jsp forward
/x.jsp;a=b forward
/static/x.JSP local
/x.jsp/ local
/x.jsp. local
/x.js%70 forward
/jkstatus forward
/jkstatus; forward
/jkstatus;/x local
/other local
CORPUS

# Very long URIs: a clear client error, never a crash or a forward.
long=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/app/$long")
case "$code" in
    414|400|413) ok "very long URI refused by httpd ($code)" ;;
    *) not_ok "very long URI refused" "got $code" ;;
esac
check "backend still healthy afterwards" forward "$(decide /app/x)"
# The verbose backend logs one line per request it served.
check_grep "the backend log lists the forwarded requests" "/app/x" \
    "$(cat "$IT_TMP/b1.log")"
check "the backend never saw an admin or static path" "" \
    "$(grep -E 'admin|static' "$IT_TMP/b1.log" | head -n 3)"
httpd_stop "$H"
it_done
