#!/usr/bin/env python3
# tests/integration/lifecycle_load.py -- concurrent GET load for
# test_lifecycle.sh: CLIENTS threads send GETs (one TCP connection each, so
# a graceful restart never races a keep-alive close) until STOPFILE exists
# (STOPFILE.ready appears once they run), then print "answered=N noanswer=M" and the first few failures.  Any HTTP
# status counts as an answer; a reset or empty reply does not.
import http.client
import os
import sys
import threading
import time

port, clients, stopfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
paths = sys.argv[4:] or ["/app/x"]
lock = threading.Lock()
stats = {"answered": 0, "noanswer": 0}
codes = {}
fails = []


def loop(n):
    i = 0
    while not os.path.exists(stopfile):
        path = paths[(n + i) % len(paths)]
        i += 1
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path, headers={"Connection": "close"})
            r = c.getresponse()
            r.read()
            c.close()
            with lock:
                stats["answered"] += 1
                codes[r.status] = codes.get(r.status, 0) + 1
        except Exception as e:  # noqa: BLE001 - every failure is counted
            with lock:
                stats["noanswer"] += 1
                if len(fails) < 5:
                    fails.append("%s %s: %r" % (time.strftime("%T"), path, e))


threads = [threading.Thread(target=loop, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
open(stopfile + ".ready", "w").close()
for t in threads:
    t.join()
print("answered=%d noanswer=%d codes=%s" % (
    stats["answered"], stats["noanswer"],
    ",".join("%d:%d" % kv for kv in sorted(codes.items()))))
for f in fails:
    print("# " + f)
