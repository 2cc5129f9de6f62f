#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_tomcat_uri.sh -- what a real Tomcat 10 makes of the
# forwarded path: the client's %-encodings arrive as sent (%3B stays a
# character, never a path parameter; %25 %3F %23 are decoded once), %5C and
# %2F (AllowEncodedSlashes On / NoDecode) reach Tomcat encoded, which
# refuses them, and paths whose normalised form httpd denies never get
# there (T-U2, T-U5, T-U10, T-U12).  The servlet is
# tests/tomcat/webapp/WEB-INF/src/UriEcho.java, compiled here.
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ] || ! command -v javac >/dev/null
then
    not_ok "tomcat10 and a JDK are installed (apt-get install tomcat10 default-jdk-headless)"
    it_done
fi
ajp=$(free_port)
thttp=$(free_port)
AJPORT=$(free_port)
T=$IT_TMP/tomcat1
tomcat_make "$T" "$ajp" "$thttp" worker1 "t0pS3cret"
mkdir -p "$T/webapps/ROOT/WEB-INF/classes"
if ! javac -nowarn -cp "$CATALINA_HOME/lib/servlet-api.jar" \
        -d "$T/webapps/ROOT/WEB-INF/classes" \
        "$T/webapps/ROOT/WEB-INF/src/UriEcho.java" 2>"$IT_TMP/javac.err"; then
    not_ok "UriEcho.java compiles" "$(cat "$IT_TMP/javac.err")"
    it_done
fi
IT_PIDFILES="$IT_PIDFILES $T/pid"
tomcat_start "$T" || { not_ok "tomcat starts" "$(tail -n 20 "$T/logs/catalina.out")"; it_done; }

cat >"$IT_TMP/workers.properties" <<WP
worker.list=worker1
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$ajp
worker.worker1.secret=t0pS3cret
WP
H=$IT_TMP/h
httpd_conf "$H" "$AJPORT" <<CONF
JkWorkersFile "$IT_TMP/workers.properties"
JkLogFile "$H/logs/mod_jk.log"
JkLogLevel info
JkMount /uri/* worker1
<Location /uri/admin>
    Require all denied
</Location>
<VirtualHost 127.0.0.1:$AJPORT>
    ServerName 127.0.0.1
    JkMountCopy On
</VirtualHost>
<VirtualHost 127.0.0.1:$AJPORT>
    ServerName enc-on
    AllowEncodedSlashes On
    JkMountCopy On
</VirtualHost>
<VirtualHost 127.0.0.1:$AJPORT>
    ServerName enc-nd
    AllowEncodedSlashes NoDecode
    JkMountCopy On
</VirtualHost>
CONF
httpd_start "$H" || { not_ok "httpd starts" "$(cat "$H/logs/error.log")"; it_done; }
wait_http "$AJPORT"

# get HOST PATH: "CODE|uri|path_info" as Tomcat saw it.
get() {
    curl -s --path-as-is -H "Host: $1" -o "$IT_TMP/body" -w '%{http_code}' \
        "http://127.0.0.1:$AJPORT$2" >"$IT_TMP/code"
    printf '%s|%s|%s' "$(cat "$IT_TMP/code")" \
        "$(sed -n 's/^uri: //p' "$IT_TMP/body")" \
        "$(sed -n 's/^path_info: //p' "$IT_TMP/body")"
}

while read -r id h path want; do
    check "$id $h $path -> $want" "$want" "$(get "$h" "$path")"
done <<'ROWS'
C 127.0.0.1 /uri/a/b 200|/uri/a/b|/a/b
C 127.0.0.1 /uri/a%3Bb/x 200|/uri/a%3Bb/x|/a;b/x
C 127.0.0.1 /uri/a%3bb 200|/uri/a%3bb|/a;b
C 127.0.0.1 /uri/a%25b 200|/uri/a%25b|/a%b
C 127.0.0.1 /uri/a%3Fb 200|/uri/a%3Fb|/a?b
C 127.0.0.1 /uri/a%23b 200|/uri/a%23b|/a#b
C 127.0.0.1 /uri/a;x=1/b 200|/uri/a;x=1/b|/a/b
T-U10 127.0.0.1 /uri/%252e%252e/admin 200|/uri/%252e%252e/admin|/%2e%2e/admin
T-U12 127.0.0.1 /uri/a%5Cb 400||
C-%2F enc-on /uri/a%2Fb 400||
C-%2F enc-nd /uri/a%2Fb 400||
T-U2 127.0.0.1 /uri/admin;/x 403||
T-U5 127.0.0.1 /uri/admin%3b/x 403||
T-U2 127.0.0.1 /uri/x/..;/admin/x 403||
T-U12 127.0.0.1 /uri/x%5c..%5cadmin/x 403||
T-U5 enc-on /uri/x%2f..%2fadmin/x 403||
T-U5 enc-nd /uri/x%2f..%2fadmin/x 403||
ROWS

httpd_stop "$H"
tomcat_stop "$T"
it_done
