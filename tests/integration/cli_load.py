#!/usr/bin/env python3
"""cli_load.py -- a small steady load for the ajplb drain/enable tests:
CLIENTS threads, each sending GETs and POSTs with a session cookie through
the fronts in turn, starting a new session every few requests, until the
file STOP exists.  Writes a JSON summary to OUT: requests, failures (with
the first few), and how many requests each backend served.

    cli_load.py OUT STOP PORT [PORT...]

Standard library only.
"""

import http.client
import json
import os
import sys
import threading
import time

out, stop, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
CLIENTS = 4
PER_SESSION = 6
lock = threading.Lock()
summary = {"requests": 0, "failed": 0, "failures": [], "backends": {},
           "sessions": 0}


def one(port, method, path, cookie, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Cookie": cookie} if cookie else {}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    r.read()
    c.close()
    return r


def client(n):
    i = 0
    cookie = None
    while not os.path.exists(stop):
        port = ports[i % len(ports)]
        if i % PER_SESSION == 0:
            method, path, body, cookie = "GET", "/app/session", None, None
        elif i % 2:
            method, path, body = "POST", "/app/post?c=%d&i=%d" % (n, i), \
                "x=%d" % i
        else:
            method, path, body = "GET", "/app/get?c=%d&i=%d" % (n, i), None
        try:
            r = one(port, method, path, cookie, body)
            ok = r.status == 200
            why = "HTTP %d" % r.status
            be = r.getheader("X-Backend") or "-"
            sc = r.getheader("Set-Cookie")
            if sc and sc.startswith("JSESSIONID="):
                cookie = sc.split(";", 1)[0]
        except Exception as e:  # noqa: BLE001 - every failure counts
            ok, why, be = False, repr(e), "-"
        with lock:
            summary["requests"] += 1
            summary["backends"][be] = summary["backends"].get(be, 0) + 1
            if path == "/app/session":
                summary["sessions"] += 1
            if not ok:
                summary["failed"] += 1
                if len(summary["failures"]) < 10:
                    summary["failures"].append("%s %s :%d %s" % (
                        method, path, port, why))
        i += 1
        time.sleep(0.02)


threads = [threading.Thread(target=client, args=(n,)) for n in
           range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open(out, "w") as f:
    json.dump(summary, f)
