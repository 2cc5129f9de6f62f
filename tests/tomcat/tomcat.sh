# tests/tomcat/tomcat.sh -- sourced helpers that run a real Tomcat 10
# instance (Debian's tomcat10) in its own CATALINA_BASE on loopback.
#
#   tomcat_make DIR AJP_PORT HTTP_PORT ROUTE SECRET [CLUSTER_XML]
#   tomcat_start DIR       (waits until the HTTP port answers)
#   tomcat_stop DIR
#
# Optional: TOMCAT_HTTP_ATTRS and TOMCAT_AJP_ATTRS, extra XML attributes for
# the HTTP and the AJP <Connector> (bench/run.sh sizes maxThreads and
# maxConnections with them); unset, Tomcat's defaults as before.
CATALINA_HOME=${CATALINA_HOME:-/usr/share/tomcat10}
TOMCAT_WEBAPP=$(cd "$(dirname "${TOMCAT_SH:-$0}")/../tomcat/webapp" 2>/dev/null && pwd)

tomcat_make() {
    dir=$1 ajp=$2 http=$3 route=$4 secret=$5 cluster=${6:-}
    mkdir -p "$dir/conf" "$dir/logs" "$dir/temp" "$dir/work" "$dir/webapps"
    for f in web.xml logging.properties catalina.properties context.xml; do
        cp "/etc/tomcat10/$f" "$dir/conf/"
    done
    cp -r "$TOMCAT_WEBAPP" "$dir/webapps/ROOT"
    cat >"$dir/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="$http" address="127.0.0.1" protocol="HTTP/1.1"
               ${TOMCAT_HTTP_ATTRS:-}/>
    <Connector port="$ajp" address="127.0.0.1" protocol="AJP/1.3"
               secretRequired="true" secret="$secret" ${TOMCAT_AJP_ATTRS:-}/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute="$route">
      $cluster
      <Host name="localhost" appBase="webapps" unpackWARs="false"
            autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
XML
    echo "$http" >"$dir/http.port"
    echo "$route" >"$dir/route"
}

tomcat_start() {
    dir=$1
    CATALINA_BASE=$dir CATALINA_PID=$dir/pid \
    CATALINA_OPTS="-Dajplb.route=$(cat "$dir/route") -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
        "$CATALINA_HOME/bin/catalina.sh" start >"$dir/logs/start.out" 2>&1
    http=$(cat "$dir/http.port")
    for _ in $(seq 1 300); do
        if curl -s -o /dev/null "http://127.0.0.1:$http/echo.jsp"; then
            return 0
        fi
        sleep 0.2
    done
    echo "tomcat in $dir did not start:" >&2
    tail -n 30 "$dir/logs/catalina.out" >&2 2>/dev/null
    return 1
}

tomcat_stop() {
    dir=$1
    [ -s "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    rm -f "$dir/pid"
}

# tomcat_cluster_xml MY_RECEIVER_PORT MY_ID PEER_PORT PEER_ID: the <Cluster>
# element for two-member DeltaManager session replication with static
# membership on loopback (no multicast needed).  IDs are 1..255.
tomcat_cluster_xml() {
    me=$1 myid=$2 peer=$3 peerid=$4
    cat <<XML
<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
               channelSendOptions="8">
        <Manager className="org.apache.catalina.ha.session.DeltaManager"
                 expireSessionsOnShutdown="false"
                 notifyListenersOnReplication="true"/>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService">
            <LocalMember className="org.apache.catalina.tribes.membership.StaticMember"
                         uniqueId="{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,$myid}"/>
            <Member className="org.apache.catalina.tribes.membership.StaticMember"
                    host="127.0.0.1" port="$peer"
                    uniqueId="{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,$peerid}"/>
          </Membership>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="127.0.0.1" port="$me" autoBind="0"
                    selectorTimeout="5000" maxThreads="6"/>
          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
          </Sender>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpPingInterceptor"
                       staticOnly="true"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
        </Channel>
        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>
        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
      </Cluster>
XML
}
