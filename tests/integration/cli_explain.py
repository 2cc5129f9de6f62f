#!/usr/bin/env python3
"""cli_explain.py -- send a corpus of URIs (with and without session
cookies, to three virtual hosts) through the running httpd with the module
and through `ajplb explain --json` on the same httpd.conf, and compare the
decision: forwarded to which worker (and, for a sticky session, which lb
member), served by httpd itself, or refused with 400.  The fake backends'
X-Backend header tells which backend served a request.

    cli_explain.py AJPLB HTTPD_CONF PORT BACKEND=WORKER[:MEMBER]...

Prints one TAP-like line per URI and exits 1 when any differs.
Standard library only.
"""

import http.client
import itertools
import json
import subprocess
import sys

ajplb, conf, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
backends = dict(a.split("=", 1) for a in sys.argv[4:])

prefixes = ["/app", "/shop", "/api/v1", "/api/v12", "/App", "/static",
            "/docs", "/shop/cart", "/app/admin"]
suffixes = ["", "/", "/x", "/admin/x", "/static/a.css", "/;p=1/x",
            "//admin/x", "/./admin/", "/../shop/x", "/%2e%2e/app/admin/x",
            "/adm%69n/x", "/a%2Fb", "/x.jsp", "/x.JSP", "/..;/admin/x",
            "/a/b/../../admin/x", "/x;jsessionid=s1.m3", "/%25x",
            "/../../x", "/a%00b", "/x?q=/admin", "/index.html"]
corpus = [(p + s, None, None) for p, s in itertools.product(prefixes,
                                                            suffixes)]
corpus += [("/shop/item/%d" % i, "JSESSIONID=s%d.%s" % (i, m), None)
           for i, m in enumerate(["m2", "m3", "m9", "m2.x", ""] * 3)]
corpus += [(u, None, "shop.example") for u in
           ["/shop/x", "/app/x", "/only/x", "/only", "/x.jsp", "/status",
            "/app/admin/x", "/other"]]
corpus += [(u, None, h) for u in ["/wmount/x", "/wmount", "/mf/x",
                                  "/mf/skip/x", "/mf/lb", "/mf/lb/y",
                                  "/mf/skip/../x", "/docs/live",
                                  "/docs/live/x"]
           for h in (None, "shop.example")]
# A virtual host without any Jk directive: the main server's mounts do
# not apply there (as in mod_jk), none of these is forwarded.
corpus += [(u, None, "nojk.example") for u in
           ["/app/x", "/shop/x", "/x.jsp", "/status", "/wmount/x", "/mf/x",
            "/docs/live", "/only/x"]]
corpus += [("/status", None, None), ("/x.jsp", None, None),
           ("/a/b/c.jsp", None, None), ("/app/x.jsp;jsessionid=1.m2", None,
                                        None)]


def module(uri, cookie, host):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Host": host or "127.0.0.1"}
    if cookie:
        h["Cookie"] = cookie
    c.putrequest("GET", uri, skip_host=True, skip_accept_encoding=True)
    for k, v in h.items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    r.read()
    c.close()
    b = r.getheader("X-Backend")
    if b is not None:
        return "forward " + backends.get(b, "?" + b)
    return "400" if r.status == 400 else "local"


def explain(uri, cookie, host):
    cmd = [ajplb, "explain", "--json", "-f", conf, uri]
    if cookie:
        cmd += ["-H", "Cookie: " + cookie]
    if host:
        cmd += ["--host", host]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.strip())
    d = json.loads(p.stdout)
    if d["result"] == "forward":
        w = d["worker"]
        # A balanced pick depends on the load of the moment; a sticky one
        # (or a plain worker) must be the same member.
        if d["member"] and d["how"].startswith(("sticky", "domain",
                                                "redirect")):
            return "forward %s:%s" % (w, d["member"])
        return "forward " + w + (":*" if d["member"] else "")
    return "400" if d["result"] == "400" else "local"


bad = 0
for uri, cookie, host in corpus:
    m, e = module(uri, cookie, host), explain(uri, cookie, host)
    same = m == e or (e.endswith(":*") and m.startswith(e[:-1]))
    what = "%s%s%s" % (uri, " Cookie: " + cookie if cookie else "",
                       " Host: " + host if host else "")
    if same:
        print("ok - %s -> %s" % (what, m))
    else:
        bad += 1
        print("not ok - %s: module %s, explain %s" % (what, m, e))
print("# %d URIs, %d differ" % (len(corpus), bad))
sys.exit(1 if bad else 0)
