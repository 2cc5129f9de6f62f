#!/usr/bin/env python3
"""cli_session_load.py -- a session load for the rolling-deployment test
with real Tomcats: CLIENTS threads, each with one HTTP session for the
whole run, alternating GET and POST to /session.jsp through the fronts in
turn, until the file STOP exists.  session.jsp counts requests in the
session, so every answer must carry the previous count + 1: a smaller
count is a lost session (or a lost update).  RENEW more threads start a
new session every 8 requests.  Writes a JSON summary to OUT.

    cli_session_load.py OUT STOP PORT [PORT...]

Standard library only.
"""

import http.client
import json
import os
import sys
import threading
import time

out, stop, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
CLIENTS, RENEW = 4, 2
lock = threading.Lock()
summary = {"requests": 0, "failed": 0, "lost": 0, "problems": [],
           "routes": {}, "moved": 0}


def note(kind, text):
    summary[kind] += 1
    if len(summary["problems"]) < 10:
        summary["problems"].append(kind + ": " + text)


def client(n, renew):
    i, cookie, want, route = 0, None, 1, None
    while not os.path.exists(stop):
        if renew and i % 8 == 0:
            cookie, want, route = None, 1, None
        port = ports[i % len(ports)]
        method = "POST" if i % 2 else "GET"
        body = "x=%d" % i if method == "POST" else None
        h = {"Cookie": cookie} if cookie else {}
        if body:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(method, "/session.jsp?c=%d" % n, body=body, headers=h)
            r = c.getresponse()
            text = r.read().decode("latin-1")
            c.close()
            status = r.status
            sc = r.getheader("Set-Cookie")
        except Exception as e:  # noqa: BLE001 - every failure counts
            status, text, sc = 0, repr(e), None
        f = dict(l.split(": ", 1) for l in text.splitlines() if ": " in l)
        with lock:
            summary["requests"] += 1
            if status != 200:
                note("failed", "%s :%d HTTP %d %s" % (method, port, status,
                                                      text[:80]))
            else:
                got = int(f.get("count", "0"))
                r2 = f.get("route")
                summary["routes"][r2] = summary["routes"].get(r2, 0) + 1
                if route is not None and r2 != route:
                    summary["moved"] += 1
                if got != want:
                    note("lost", "client %d wanted count %d, got %d on %s"
                         % (n, want, got, r2))
                want, route = got + 1, r2
                if sc and sc.startswith("JSESSIONID="):
                    cookie = sc.split(";", 1)[0]
        i += 1
        time.sleep(0.05)


threads = [threading.Thread(target=client, args=(n, n >= CLIENTS))
           for n in range(CLIENTS + RENEW)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    json.dump(summary, f)
