#!/bin/sh
# asan: skip -- real Tomcats; fake-backend tests cover this code under ASan
# tests/integration/test_cluster.sh -- the seeds' scenario with real
# Tomcat 10: two instances (jvmRoute worker1/worker2, AJP with a secret)
# behind an lb worker.  With DeltaManager replication a session survives
# its Tomcat being stopped (the counter goes on on the other one); the
# stopped Tomcat rejoins the rotation after it comes back.  Without
# replication the session moves too but starts again (documented).
. "$(dirname "$0")/lib.sh"
TOMCAT_SH=$0
. "$IT_ROOT/tests/tomcat/tomcat.sh"

if [ ! -x "$CATALINA_HOME/bin/catalina.sh" ]; then
    not_ok "tomcat10 is installed (apt-get install tomcat10)"
    it_done
fi

# doc_cluster MY_PORT MY_ID PEER_PORT PEER_ID: the <Cluster> element of
# docs/CLUSTER.md's server.xml as written, with only the example addresses
# (10.0.0.11/12 -> 127.0.0.1), the receiver ports (4000 -> free ports) and
# the member ids (1/2 as given) replaced.
doc_cluster() {
    doc_blocks "$IT_ROOT/docs/CLUSTER.md" "$IT_TMP/doc" >/dev/null
    sed -n '/<Cluster /,/<\/Cluster>/p' "$IT_TMP/doc/cluster/server.xml" |
    sed -e "s/host=\"10.0.0.12\" port=\"4000\"/host=\"127.0.0.1\" port=\"$3\"/" \
        -e "s/address=\"10.0.0.11\" port=\"4000\"/address=\"127.0.0.1\" port=\"$1\"/" \
        -e "s/0,0,1}\"\/>/0,0,MYID}\"\/>/" -e "s/0,0,2}\"\/>/0,0,PEERID}\"\/>/" \
        -e "s/MYID/$2/; s/PEERID/$4/"
}

# make_pair PREFIX CLUSTERED: two Tomcats; sets A1 A2 (AJP ports).
make_pair() {
    pfx=$1 clustered=$2
    A1=$(free_port); H1=$(free_port); R1=$(free_port)
    A2=$(free_port); H2=$(free_port); R2=$(free_port)
    c1="" c2=""
    if [ "$clustered" = 1 ]; then
        c1=$(doc_cluster "$R1" 1 "$R2" 2)
        c2=$(doc_cluster "$R2" 2 "$R1" 1)
    fi
    tomcat_make "$IT_TMP/${pfx}1" "$A1" "$H1" worker1 cl5ecret "$c1"
    tomcat_make "$IT_TMP/${pfx}2" "$A2" "$H2" worker2 cl5ecret "$c2"
    IT_PIDFILES="$IT_PIDFILES $IT_TMP/${pfx}1/pid $IT_TMP/${pfx}2/pid"
    tomcat_start "$IT_TMP/${pfx}1" & s1=$!
    tomcat_start "$IT_TMP/${pfx}2" & s2=$!
    wait $s1 && wait $s2
}

# front PREFIX: an httpd with an lb over the pair; sets U.
front() {
    pfx=$1
    cat >"$IT_TMP/$pfx.properties" <<WP
worker.list=loadbalancer
worker.loadbalancer.type=lb
worker.loadbalancer.balance_workers=worker1,worker2
worker.loadbalancer.sticky_session=1
worker.loadbalancer.recover_time=1
worker.maintain=1
worker.worker1.type=ajp13
worker.worker1.host=127.0.0.1
worker.worker1.port=$A1
worker.worker1.lbfactor=1
worker.worker1.secret=cl5ecret
worker.worker1.socket_connect_timeout=1000
worker.worker2.reference=worker.worker1
worker.worker2.port=$A2
WP
    port=$(free_port)
    httpd_conf "$IT_TMP/h$pfx" "$port" <<CONF
JkWorkersFile "$IT_TMP/$pfx.properties"
JkLogFile logs/mod_jk.log
JkMount /*.jsp loadbalancer
CONF
    httpd_start "$IT_TMP/h$pfx"
    wait_http "$port"
    U=http://127.0.0.1:$port
}

field() { printf '%s\n' "$1" | sed -n "s/^$2: //p"; }
jar=$IT_TMP/jar
get() { curl -s -b "$jar" -c "$jar" -w 'http: %{http_code}\n' "$U/session.jsp"; }

# --- with replication --------------------------------------------------------
xml=$(doc_cluster 4101 1 4102 2)
check_grep "CLUSTER.md's <Cluster> has DeltaManager and the test's ports" \
    'DeltaManager.*host="127.0.0.1" port="4102".*address="127.0.0.1" port="4101"' \
    "$(printf '%s' "$xml" | tr '\n' ' ')"
make_pair c 1 || { not_ok "clustered tomcats start"; it_done; }
front c
# Static membership: wait until each Tomcat sees the other.
for _ in $(seq 1 60); do
    grep -qs "memberAdded\|Replication member added" "$IT_TMP/c1/logs/catalina.out" \
        && grep -qs "memberAdded\|Replication member added" "$IT_TMP/c2/logs/catalina.out" && break
    sleep 0.5
done
rm -f "$jar"
out=$(get)
first=$(field "$out" route)
sid=$(field "$out" session)
check "a new session is created (count 1)" 1 "$(field "$out" count)"
check "its id ends in the jvmRoute of the Tomcat that made it" \
    ".$first" ".${sid##*.}"
get >/dev/null; get >/dev/null
out=$(get)
check "the session sticks to its Tomcat (count 4 on $first)" "4 $first" \
    "$(field "$out" count) $(field "$out" route)"
if [ "$first" = worker1 ]; then gone=c1 other=worker2; else gone=c2 other=worker1; fi
sleep 1   # let the last change replicate
tomcat_stop "$IT_TMP/$gone"
out=$(get)
check "after its Tomcat stops, the next request succeeds on $other" \
    "200 $other" "$(field "$out" http) $(field "$out" route)"
check "the counter goes on (replicated session)" 5 "$(field "$out" count)"
check "the session id now carries the new route" ".$other" \
    ".$(field "$out" session | sed 's/.*\.//')"
out=$(get)
check "and stays there" "6 $other" "$(field "$out" count) $(field "$out" route)"
tomcat_start "$IT_TMP/$gone"
sleep 2.5
seen=$(for i in $(seq 1 20); do
          curl -s "$U/session.jsp" | sed -n 's/^route: //p'
       done | sort -u | tr '\n' ' ')
check "the restarted Tomcat rejoins the rotation" "worker1 worker2 " "$seen"
httpd_stop "$IT_TMP/hc"
tomcat_stop "$IT_TMP/c1"; tomcat_stop "$IT_TMP/c2"

# --- without replication -----------------------------------------------------
make_pair n 0 || { not_ok "plain tomcats start"; it_done; }
front n
rm -f "$jar"
get >/dev/null; get >/dev/null
out=$(get)
first=$(field "$out" route)
check "without replication the session sticks too (count 3)" 3 \
    "$(field "$out" count)"
if [ "$first" = worker1 ]; then gone=n1 other=worker2; else gone=n2 other=worker1; fi
tomcat_stop "$IT_TMP/$gone"
out=$(get)
check "without replication the request still succeeds on $other" "$other" \
    "$(field "$out" route)"
check "... but the session starts again (documented)" 1 "$(field "$out" count)"
httpd_stop "$IT_TMP/hn"
tomcat_stop "$IT_TMP/n1"; tomcat_stop "$IT_TMP/n2"
it_done
