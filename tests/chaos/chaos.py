#!/usr/bin/env python3
"""tests/chaos/chaos.py -- the fault scenarios as one suite (make chaos).

Each scenario runs against mod_ajplb and against Debian's mod_jk 1.2.48 with
the same workers.properties and JkMount lines, on a fresh httpd (event MPM,
one active child) and fresh C fake backends (tests/tools/fake_ajp_backend.c)
on free loopback ports, under one temporary directory.  Every process it
starts is stopped again, also on failure or Ctrl-C.

Load: wrk with tests/chaos/load.lua for GETs (each carries a token the
backend must echo: a missing token is a mixed answer), Python threads for
POSTs (unique id; the backends' --request-log shows a POST that ran twice)
and raw sockets for aborted uploads.  docs/RELIABILITY.md describes the
scenarios, the targets and the figures.

    chaos.py [--short] [--fronts ajplb,jk] [--module PATH] [--out OUT]
             [--scenarios 1,2,...] [--report FILE] [--label TEXT]

Environment: CHAOS_MODULE, CHAOS_FRONTS, CHAOS_SCENARIOS, CHAOS_LABEL set
the same things (make chaos CHAOS_MODULE=/path/mod_ajplb.so).  Exit status
1 when a target is missed for mod_ajplb (mod_jk's figures are comparison).
"""

import argparse
import collections
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
import ajp_client  # noqa: E402

APACHE2 = os.environ.get("APACHE2", "/usr/sbin/apache2")
MODDIR = os.environ.get("MODDIR", "/usr/lib/apache2/modules")
MODJK = os.path.join(MODDIR, "mod_jk.so")
LUA = os.path.join(ROOT, "tests", "chaos", "load.lua")
SECRET = "chaos"
THREADS_PER_CHILD = 64
CRASH_RE = re.compile(r"exit signal|segfault|AddressSanitizer|"
                      r"runtime error:|core dumped|double free|"
                      r"corrupted|stack smashing")

# Scenario sizes: (full, short).
SIZES = {
    "kill_seconds": (60, 20), "kill_every": (10, 5), "kill_clients": (32, 8),
    "post_clients": (4, 2),
    "stop_seconds": (20, 8), "stop_clients": (16, 8),
    "gracefuls": (50, 10), "graceful_clients": (16, 8),
    "pool_seconds": (15, 6), "pool_clients": (32, 16),
    "aborts": (400, 100), "abort_threads": (8, 4),
    "soak_requests": (1000000, 50000), "soak_clients": (32, 16),
    "first_rounds": (5, 3),
}

FRONTS = {"ajplb": "mod_ajplb", "jk": "mod_jk"}

# ---------------------------------------------------------------- cleanup --
_procs = []          # Popen objects (backends, wrk)
_httpds = []         # pid files of httpd parents
_lock = threading.Lock()


def log(msg):
    print("# " + msg, flush=True)


def children_of(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[1]) == ppid:
            out.append(int(d))
    return sorted(out)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def exited(pid):
    """True once pid is gone or a zombie (exited, not yet reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return True
    return st[st.rfind(")") + 2:].split()[0] in ("Z", "X")


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def stop_httpd(pidfile):
    pid = read_pid(pidfile)
    if pid is None:
        return
    kids = children_of(pid)
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.time() + 10
    while time.time() < deadline and pid_alive(pid):
        time.sleep(0.05)
    for p in [pid] + kids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def stop_proc(p, sig=signal.SIGTERM):
    if p.poll() is not None:
        return
    try:
        p.send_signal(signal.SIGCONT)
        p.send_signal(sig)
        p.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        try:
            p.kill()
            p.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


def cleanup_all():
    with _lock:
        pids, procs = list(_httpds), list(_procs)
        del _httpds[:]
        del _procs[:]
    for pf in pids:
        stop_httpd(pf)
    for p in procs:
        stop_proc(p)


def core_unlimited():
    try:
        resource.setrlimit(resource.RLIMIT_CORE,
                           (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ----------------------------------------------------------- environment --
class Env:
    """One front (httpd + module) and three fake backends for a scenario."""

    def __init__(self, top, front, module, out, name):
        self.front = front
        self.module = module
        self.out = out
        self.dir = os.path.join(top, "%s-%s" % (name, front))
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        for sub in ("logs", "run", "cores"):
            os.makedirs(os.path.join(self.dir, sub))
        if os.getuid() == 0:
            for sub in ("logs", "cores"):
                shutil.chown(os.path.join(self.dir, sub), "www-data")
        self.reqlog = os.path.join(self.dir, "requests.log")
        self.backends = {}      # name -> [Popen, port]
        self.port = free_port()
        self.pidfile = os.path.join(self.dir, "run", "httpd.pid")
        self.conf = os.path.join(self.dir, "httpd.conf")

    # backends
    def start_backend(self, name, port=0):
        pf = os.path.join(self.dir, name + ".port")
        if os.path.exists(pf):
            os.unlink(pf)
        errf = open(os.path.join(self.dir, name + ".log"), "a")
        p = subprocess.Popen(
            [os.path.join(self.out, "tools", "fake_ajp_backend"),
             "--port", str(port), "--port-file", pf, "--name", name,
             "--secret", SECRET, "--request-log", self.reqlog],
            stdout=errf, stderr=errf)
        errf.close()
        with _lock:
            _procs.append(p)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with open(pf) as f:
                    got = int(f.read().strip())
                break
            except (OSError, ValueError):
                time.sleep(0.02)
        else:
            raise RuntimeError("backend %s did not start" % name)
        self.backends[name] = [p, got]
        return got

    def kill_backend(self, name):
        p = self.backends[name][0]
        p.kill()
        p.wait(timeout=10)

    def restart_backend(self, name):
        port = self.backends[name][1]
        for _ in range(50):
            try:
                return self.start_backend(name, port)
            except RuntimeError:
                time.sleep(0.1)
        raise RuntimeError("cannot restart backend %s" % name)

    def backend_stats(self, name):
        try:
            c = ajp_client.Conn(self.backends[name][1], timeout=5)
            r = c.request(uri="/__stats", secret=SECRET)
            c.close()
        except (OSError, ajp_client.ProtocolError):
            return {}
        out = {}
        for line in r.body.decode("latin-1").splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k] = v
        return out

    def backend_ports(self):
        return {b[1] for b in self.backends.values()}

    # httpd
    def write_config(self):
        p = [self.backends[n][1] for n in ("b1", "b2", "b3")]
        wp = """# chaos suite: the same file for mod_jk and mod_ajplb
worker.list=lb3,lb2,lbpool
worker.template.type=ajp13
worker.template.host=127.0.0.1
worker.template.secret=%(secret)s
worker.template.socket_timeout=3
worker.template.connect_timeout=2000
worker.template.reply_timeout=3000
worker.k1.reference=worker.template
worker.k1.port=%(p1)d
worker.k2.reference=worker.template
worker.k2.port=%(p2)d
worker.k3.reference=worker.template
worker.k3.port=%(p3)d
worker.lb3.type=lb
worker.lb3.balance_workers=k1,k2,k3
worker.lb3.recover_time=5
# scenario 2: two members, one of them SIGSTOPped
worker.h1.reference=worker.template
worker.h1.port=%(p1)d
worker.h2.reference=worker.template
worker.h2.port=%(p2)d
worker.lb2.type=lb
worker.lb2.balance_workers=h1,h2
worker.lb2.recover_time=5
# scenario 4: a pool smaller than the concurrency
worker.q1.reference=worker.template
worker.q1.port=%(p1)d
worker.q1.connection_pool_size=2
worker.q1.connection_acquire_timeout=500
worker.q2.reference=worker.template
worker.q2.port=%(p2)d
worker.q2.connection_pool_size=2
worker.q2.connection_acquire_timeout=500
worker.lbpool.type=lb
worker.lbpool.balance_workers=q1,q2
worker.lbpool.recover_time=5
""" % {"secret": SECRET, "p1": p[0], "p2": p[1], "p3": p[2]}
        with open(os.path.join(self.dir, "workers.properties"), "w") as f:
            f.write(wp)
        if self.front == "jk":
            load = "LoadModule jk_module %s" % MODJK
        else:
            load = "LoadModule ajplb_module %s" % self.module
        user = "User www-data\nGroup www-data\n" if os.getuid() == 0 else ""
        conf = """ServerRoot "%(d)s"
ServerName 127.0.0.1
Listen 127.0.0.1:%(port)d
PidFile "%(d)s/run/httpd.pid"
DefaultRuntimeDir "%(d)s/run"
ErrorLog "%(d)s/logs/error.log"
LogLevel warn
CoreDumpDirectory "%(d)s/cores"
%(user)sLoadModule mpm_event_module %(moddir)s/mod_mpm_event.so
LoadModule authz_core_module %(moddir)s/mod_authz_core.so
%(load)s
# One active child (64 threads), so "the child" is one process; room in
# the scoreboard for old children finishing after a graceful restart.
ServerLimit 4
StartServers 1
ThreadLimit %(tpc)d
ThreadsPerChild %(tpc)d
MaxRequestWorkers %(tpc)d
MinSpareThreads 1
MaxSpareThreads %(tpc2)d
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
Timeout 30
JkWorkersFile "%(d)s/workers.properties"
JkLogFile "%(d)s/logs/mod_jk.log"
JkLogLevel info
JkMount /app/* lb3
JkMount /hang/* lb2
JkMount /pool/* lbpool
""" % {"d": self.dir, "port": self.port, "user": user, "moddir": MODDIR,
       "load": load, "tpc": THREADS_PER_CHILD, "tpc2": 2 * THREADS_PER_CHILD}
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        for n in ("b1", "b2", "b3"):
            self.start_backend(n)
        self.write_config()
        with _lock:
            _httpds.append(self.pidfile)
        r = subprocess.run([APACHE2, "-f", self.conf, "-k", "start"],
                           capture_output=True, text=True, timeout=60,
                           preexec_fn=core_unlimited)
        if r.returncode != 0:
            raise RuntimeError("httpd (%s) did not start: %s %s\n%s" % (
                self.front, r.stdout, r.stderr, self.error_log()[-2000:]))
        deadline = time.time() + 20
        while time.time() < deadline:
            st, _, _ = get_once(self.port, "/app/start", "s0z", timeout=5)
            if st == 200:
                return
            time.sleep(0.1)
        raise RuntimeError("httpd (%s) never answered 200:\n%s" % (
            self.front, self.error_log()[-2000:]))

    def graceful(self):
        r = subprocess.run([APACHE2, "-f", self.conf, "-k", "graceful"],
                           capture_output=True, text=True, timeout=60,
                           preexec_fn=core_unlimited)
        return r.returncode == 0

    def parent(self):
        return read_pid(self.pidfile)

    def children(self):
        pid = self.parent()
        return children_of(pid) if pid else []

    def stop(self):
        stop_httpd(self.pidfile)
        with _lock:
            if self.pidfile in _httpds:
                _httpds.remove(self.pidfile)
        for name, (p, _) in list(self.backends.items()):
            stop_proc(p)
            with _lock:
                if p in _procs:
                    _procs.remove(p)

    def error_log(self):
        try:
            with open(os.path.join(self.dir, "logs", "error.log"),
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def crashes(self):
        lines = [l for l in self.error_log().splitlines()
                 if CRASH_RE.search(l)]
        cores = os.listdir(os.path.join(self.dir, "cores"))
        return lines, cores

    def post_twice(self):
        """POST ids that reached a backend more than once; GET retries."""
        posts = collections.Counter()
        gets = collections.Counter()
        try:
            f = open(self.reqlog, errors="replace")
        except OSError:
            return 0, 0, 0
        with f:
            for line in f:
                parts = line.split(" ", 4)
                if len(parts) < 4:
                    continue
                m = re.search(r"tok=([A-Za-z0-9]+z)", parts[3])
                if not m:
                    continue
                if parts[1] == "POST":
                    posts[m.group(1)] += 1
                elif parts[1] == "GET":
                    gets[m.group(1)] += 1
        twice = sum(1 for v in posts.values() if v > 1)
        retried = sum(1 for v in gets.values() if v > 1)
        return twice, len(posts), retried


# ------------------------------------------------------ process figures --
def proc_status(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def tcp_inodes(ports):
    """Socket inodes of TCP connections whose remote port is in ports."""
    out = {}
    for fn in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(fn) as f:
                next(f)
                for line in f:
                    a = line.split()
                    rport = int(a[2].rsplit(":", 1)[1], 16)
                    if rport in ports:
                        out[a[9]] = a[3]
        except OSError:
            pass
    return out


def fd_figures(pid, backend_ports):
    """(total fds, backend sockets, CLOSE_WAIT backend sockets)."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return None
    bmap = tcp_inodes(backend_ports)
    back = cw = 0
    for fd in fds:
        try:
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", t)
        if m and m.group(1) in bmap:
            back += 1
            if bmap[m.group(1)] == "08":
                cw += 1
    return len(fds), back, cw


def shared_bytes(pid):
    """Bytes of shared mappings (scoreboard, module shm) and their count."""
    total = n = 0
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                a = line.split()
                if len(a[1]) == 4 and a[1][3] == "s":
                    lo, hi = (int(x, 16) for x in a[0].split("-"))
                    total += hi - lo
                    n += 1
    except OSError:
        return None, None
    return total, n


def snapshot(env):
    kids = env.children()
    if len(kids) != 1:
        return {"children": kids}
    pid = kids[0]
    fdf = fd_figures(pid, env.backend_ports())
    shm, nmaps = shared_bytes(pid)
    return {"children": kids, "pid": pid, "rss_kb": proc_status(pid, "VmRSS"),
            "fds": fdf[0] if fdf else None,
            "backend_fds": fdf[1] if fdf else None,
            "close_wait": fdf[2] if fdf else None,
            "shm": shm, "shm_maps": nmaps}


# ------------------------------------------------------------- clients --
def get_once(port, path, tok, timeout=60, close=True):
    """One GET with a token: (status or 'exc', token echoed?, seconds)."""
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", "%s?tok=%s" % (path, tok),
                  headers={"Connection": "close"} if close else {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, (b"tok=" + tok.encode()) in body, \
            time.monotonic() - t0
    except (OSError, http.client.HTTPException):
        return "exc", False, time.monotonic() - t0


class PostClients:
    """N threads POSTing 4 KiB bodies with unique ids until stopped."""

    def __init__(self, port, n, tag):
        self.port, self.n, self.tag = port, n, tag
        self.stop = threading.Event()
        self.status = collections.Counter()
        self.mixed = 0
        self.sent = 0
        self.worst = 0.0
        self.threads = []
        self.mu = threading.Lock()

    def run_one(self, i):
        k = 0
        while not self.stop.is_set():
            k += 1
            tok = "p%s%dx%dz" % (self.tag, i, k)
            body = (tok.encode() * (4096 // len(tok) + 1))[:4096]
            t0 = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=60)
                c.request("POST", "/app/post?tok=" + tok, body=body,
                          headers={"Connection": "close",
                                   "Content-Type":
                                   "application/octet-stream"})
                r = c.getresponse()
                data = r.read()
                c.close()
                st = r.status
                bad = st == 200 and (b"tok=" + tok.encode()) not in data
            except (OSError, http.client.HTTPException):
                st, bad = "exc", False
            dt = time.monotonic() - t0
            with self.mu:
                self.sent += 1
                self.status[str(st)] += 1
                self.mixed += bad
                self.worst = max(self.worst, dt)
            time.sleep(0.01)

    def start(self):
        for i in range(self.n):
            t = threading.Thread(target=self.run_one, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=90)


class Wrk:
    """wrk in the background with load.lua; result() waits for it."""
    runs = 0

    def __init__(self, port, path, clients, seconds, extra="-",
                 close=False):
        Wrk.runs += 1
        tag = "".join(chr(97 + int(d)) for d in str(Wrk.runs))
        self.args = ["wrk", "-t", str(clients), "-c", str(clients),
                     "-d", "%ds" % seconds, "--timeout", "60s", "-s", LUA,
                     "http://127.0.0.1:%d%s" % (port, path), "--", path,
                     extra, tag] + (["close"] if close else [])
        self.seconds = seconds
        self.p = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        with _lock:
            _procs.append(self.p)

    def result(self):
        try:
            out, _ = self.p.communicate(timeout=self.seconds + 120)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        with _lock:
            if self.p in _procs:
                _procs.remove(self.p)
        r = {"status": {}, "raw": out}
        for line in out.splitlines():
            a = line.split()
            if len(a) == 3 and a[0] == "CHAOS":
                if a[1].startswith("status_"):
                    r["status"][a[1][7:]] = int(a[2])
                else:
                    r[a[1]] = int(a[2])
        if "requests" not in r:
            raise RuntimeError("wrk gave no figures:\n" + out[-2000:])
        r["socket_errors"] = sum(r.get("err_" + e, 0) for e in
                                 ("connect", "read", "write", "timeout"))
        r["failed"] = r["socket_errors"] + sum(
            v for k, v in r["status"].items() if k != "200")
        return r


# ---------------------------------------------------------- a result row --
class Result:
    def __init__(self, scenario, front):
        self.scenario = scenario
        self.front = front
        self.f = collections.OrderedDict()
        self.targets = []          # (name, ok, detail)
        self.notes = []

    def target(self, name, ok, detail=""):
        self.targets.append((name, bool(ok), str(detail)))

    def common(self, env, wrk=None, posts=None, asserts=()):
        """Crash, mixed, POST-twice figures and their targets."""
        lines, cores = env.crashes()
        twice, posted, retried = env.post_twice()
        self.f["crashes"] = len(lines) + len(cores)
        if lines:
            self.notes.append("error log: " + " | ".join(lines[:3]))
        mixed = (wrk["mixed"] if wrk else 0) + (posts.mixed if posts else 0)
        self.f["mixed answers"] = mixed
        if posts is not None:
            self.f["POSTs sent"] = posts.sent
            self.f["POST statuses"] = fmt_status(posts.status)
            self.f["POSTs run twice"] = twice
        if wrk is not None:
            self.f["GET retries seen by backends"] = retried
        self.target("no crash", not lines and not cores,
                    "; ".join(lines[:2] + cores[:2]))
        self.target("no mixed answer", mixed == 0, mixed)
        if posts is not None:
            self.target("no POST run twice", twice == 0, twice)

    def load(self, w):
        self.f["GETs"] = w["requests"]
        self.f["GET statuses"] = fmt_status(w["status"])
        self.f["socket errors"] = w["socket_errors"]
        self.f["failed GETs"] = w["failed"]
        self.f["worst latency"] = "%.3f s" % (w.get("latency_max_us", 0) / 1e6)

    def as_dict(self):
        return {"scenario": self.scenario, "front": self.front,
                "figures": self.f, "targets": self.targets,
                "notes": self.notes}


def fmt_status(c):
    if not c:
        return "-"
    return " ".join("%s:%d" % (k, v) for k, v in sorted(c.items()))


# ------------------------------------------------------------ scenarios --
def s1_kill(env, cfg, res):
    """kill -9 and restart one of 3 members every N s under GET load.
    T-O1 (no POST re-sent, GETs move), T-O2 (stale pooled connections after
    the restart), T-O4 (the member rejoins), T-G1, T-G2."""
    secs, every = cfg["kill_seconds"], cfg["kill_every"]
    w = Wrk(env.port, "/app/kill", cfg["kill_clients"], secs)
    posts = PostClients(env.port, cfg["post_clients"], "k").start()
    t0 = time.monotonic()
    kills = 0
    names = ["b1", "b2", "b3"]
    while time.monotonic() - t0 + every <= secs:
        time.sleep(every - 1)
        name = names[kills % 3]
        env.kill_backend(name)
        kills += 1
        time.sleep(1)
        env.restart_backend(name)
    r = w.result()
    posts.finish()
    res.load(r)
    res.f["kills"] = kills
    res.common(env, r, posts)
    res.target("no failed GET", r["failed"] == 0, r["failed"])


def s2_stop(env, cfg, res):
    """SIGSTOP one of 2 members for N s under GET load.
    T-B18 / T-B18b (a silent backend: timeouts, the connection dropped),
    T-O4b, T-G12 (every wait bounded)."""
    secs = cfg["stop_seconds"]
    w = Wrk(env.port, "/hang/stop", cfg["stop_clients"], secs + 6)
    time.sleep(1)

    def done_b2():
        return int(env.backend_stats("b2").get("requests_completed", 0))
    pre0 = done_b2()
    time.sleep(2)
    pre1 = done_b2()
    rate = (pre1 - pre0) / 2.0
    p = env.backends["b1"][0]
    p.send_signal(signal.SIGSTOP)
    per_sec = []
    try:
        last = done_b2()
        t0 = time.monotonic()
        for k in range(secs):
            time.sleep(max(0, t0 + k + 1 - time.monotonic()))
            now = done_b2()
            per_sec.append(now - last)
            last = now
    finally:
        p.send_signal(signal.SIGCONT)
    r = w.result()
    res.load(r)
    moved = [k + 1 for k, v in enumerate(per_sec) if v >= rate / 4]
    res.f["live member before the stop"] = "%d/s" % rate
    res.f["live member during the %d s stop" % secs] = \
        "%d answers" % sum(per_sec)
    res.f["traffic moved"] = ("after %d s" % moved[0]) if moved else "no"
    res.common(env, r)
    res.target("no failed GET", r["failed"] == 0, r["failed"])


def s3_graceful(env, cfg, res):
    """N graceful restarts under GET load (one connection per request).
    T-O6 (in-flight requests finish, no fd/shm leak in the parent)."""
    n = cfg["gracefuls"]
    par = env.parent()
    pfd0 = len(os.listdir("/proc/%d/fd" % par))
    pshm0 = shared_bytes(par)
    w = Wrk(env.port, "/app/graceful", cfg["graceful_clients"],
            n * 4 + 10, close=True)
    posts = PostClients(env.port, cfg["post_clients"], "g").start()
    time.sleep(1)
    seen = set(env.children())
    done = failed_cmd = 0
    t0 = time.monotonic()
    for _ in range(n):
        if time.monotonic() - t0 > n * 3.5:
            break
        if not env.graceful():
            failed_cmd += 1
        done += 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            new = set(env.children()) - seen
            if new:
                seen |= new
                break
            time.sleep(0.05)
        time.sleep(0.5)
    w.p.send_signal(signal.SIGINT)   # wrk prints its figures on SIGINT
    r = w.result()
    posts.finish()
    time.sleep(1)
    pfd1 = len(os.listdir("/proc/%d/fd" % par))
    pshm1 = shared_bytes(par)
    res.load(r)
    res.f["graceful restarts"] = done
    res.f["parent fds before/after"] = "%d / %d" % (pfd0, pfd1)
    res.f["parent shm before/after"] = "%d / %d" % (pshm0[0], pshm1[0])
    res.common(env, r, posts)
    res.target("no failed GET", r["failed"] == 0, r["failed"])
    res.target("graceful command ok", failed_cmd == 0, failed_cmd)


def s4_pool(env, cfg, res):
    """Pool of 2 per member, 2 members, more clients, slow backend.
    T-O8 (the per-child pool size holds), T-G12."""
    r = Wrk(env.port, "/pool/x", cfg["pool_clients"], cfg["pool_seconds"],
            extra="&delay_ms=100").result()
    res.load(r)
    res.f["503s"] = r["status"].get("503", 0)
    res.common(env, r)


def abort_upload(port, i):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(("POST /app/upload?tok=a%dz HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/octet-stream\r\n"
                   "Content-Length: 100000\r\n\r\n" % i).encode()
                  + b"u" * 50000)
        time.sleep(0.05)
    finally:
        s.close()


def s5_abort(env, cfg, res):
    """Clients that send half a body and close; then normal requests.
    T-R10 (CVE-2008-5519: no answer for another client), T-O5 (client
    aborts do not mark members), T-G2, T-G12."""
    clients = cfg["abort_threads"]
    # Warm up at the concurrency the scenario uses, so the pools are full.
    Wrk(env.port, "/app/warm", clients, 3).result()
    posts = PostClients(env.port, clients, "w").start()
    time.sleep(2)
    posts.finish()
    time.sleep(1)
    s0 = snapshot(env)
    w = Wrk(env.port, "/app/abort", clients, 5 + cfg["aborts"] // 40)
    count = [0]
    mu = threading.Lock()

    def worker(k):
        while True:
            with mu:
                if count[0] >= cfg["aborts"]:
                    return
                count[0] += 1
                i = count[0]
            try:
                abort_upload(env.port, i)
            except OSError:
                pass

    ts = [threading.Thread(target=worker, args=(k,), daemon=True)
          for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=300)
    r = w.result()
    time.sleep(3)     # lingering closes end
    s1 = snapshot(env)
    later = collections.Counter()
    lmixed = 0
    for i in range(200):
        st, okt, _ = get_once(env.port, "/app/later", "l%dz" % i,
                              close=(i % 2 == 0))
        later[str(st)] += 1
        lmixed += st == 200 and not okt
    bst = [env.backend_stats(n) for n in ("b1", "b2", "b3")]
    aborted = sum(int(b.get("bodies_aborted", 0)) for b in bst)
    incomplete = sum(int(b.get("bodies_incomplete", 0)) for b in bst)
    perr = sum(int(b.get("protocol_errors", 0)) for b in bst)
    res.load(r)
    res.f["aborted uploads"] = count[0]
    res.f["backend saw aborted / short bodies"] = "%d / %d" % (aborted,
                                                              incomplete)
    res.f["backend protocol errors"] = perr
    res.f["later GETs"] = fmt_status(later)
    fig_fd(res, s0, s1)
    res.common(env, r)
    res.f["mixed answers"] += lmixed
    res.targets = [t for t in res.targets if t[0] != "no mixed answer"]
    res.target("no mixed answer", r["mixed"] + lmixed == 0,
               r["mixed"] + lmixed)
    res.target("later requests all 200", later.get("200", 0) == 200,
               fmt_status(later))
    res.target("backend saw no protocol error", perr == 0, perr)
    # wrk clients plus abort threads at once, each on any of 3 members.
    leak_targets(res, s0, s1, 2 * clients)


def fig_fd(res, s0, s1):
    if "pid" not in s0 or "pid" not in s1:
        res.f["child"] = "children %s -> %s" % (s0["children"],
                                               s1["children"])
        return
    res.f["child fds before/after"] = "%d / %d" % (s0["fds"], s1["fds"])
    res.f["backend sockets before/after"] = "%d / %d" % (
        s0["backend_fds"], s1["backend_fds"])
    res.f["child RSS before/after"] = "%.1f / %.1f MiB" % (
        s0["rss_kb"] / 1024, s1["rss_kb"] / 1024)
    res.f["shm before/after"] = "%d / %d bytes" % (s0["shm"], s1["shm"])


def leak_targets(res, s0, s1, concurrency, rss=False):
    if "pid" not in s0 or "pid" not in s1 or s0["pid"] != s1["pid"]:
        res.target("same single child before and after", False,
                   "%s -> %s" % (s0["children"], s1["children"]))
        return
    other0 = s0["fds"] - s0["backend_fds"]
    other1 = s1["fds"] - s1["backend_fds"]
    res.target("no fd growth (fds other than backend sockets)",
               other1 <= other0, "%d -> %d" % (other0, other1))
    cap = concurrency * 3
    res.target("backend sockets within the concurrency (%d)" % cap,
               s1["backend_fds"] <= cap, s1["backend_fds"])
    res.target("no shm growth", s1["shm"] <= s0["shm"],
               "%d -> %d" % (s0["shm"], s1["shm"]))
    if rss:
        grow = s1["rss_kb"] - s0["rss_kb"]
        res.target("child RSS within 1 MiB", grow <= 1024,
                   "%+d KiB" % grow)


def s6_soak(env, cfg, res):
    """Many GETs; the child's RSS, fds and shm before and after.  T-G12."""
    clients = cfg["soak_clients"]
    warm = Wrk(env.port, "/app/warm", clients, 5).result()
    rate = max(warm["requests"] / 5.0, 100.0)
    secs = int(min(max(cfg["soak_requests"] / rate, 5), 900))
    # A second warm-up of a tenth of the soak lets the pools reach the
    # size this concurrency needs: a pool that grows during the soak adds
    # sockets and their buffers, which is not a leak.
    if secs >= 50:
        Wrk(env.port, "/app/warm", clients, secs // 10).result()
    time.sleep(1)
    s0 = snapshot(env)
    r = Wrk(env.port, "/app/soak", clients, secs).result()
    time.sleep(2)
    s1 = snapshot(env)
    res.load(r)
    res.f["rate"] = "%d/s" % (r["requests"] / max(secs, 1))
    fig_fd(res, s0, s1)
    res.common(env, r)
    res.target("no failed GET", r["failed"] == 0, r["failed"])
    leak_targets(res, s0, s1, clients, rss=True)


def s7_first(env, cfg, res):
    """Time to answer the first request after a graceful restart.  T-O6."""
    cmd, child, first, total, exits = [], [], [], [], []
    statuses = collections.Counter()
    mixed = 0
    for k in range(cfg["first_rounds"]):
        # The running generation has used its pools.
        for i in range(20):
            get_once(env.port, "/app/before", "f%dx%dz" % (k, i),
                     close=False)
        old = set(env.children())
        g0 = time.monotonic()
        env.graceful()
        g1 = time.monotonic()
        deadline = g1 + 20
        gone = None
        while time.monotonic() < deadline:
            if gone is None and all(exited(p) for p in old):
                gone = time.monotonic() - g1
            if set(env.children()) - old:
                break
            time.sleep(0.005)
        g2 = time.monotonic()
        while gone is None and time.monotonic() < deadline:
            if all(exited(p) for p in old):
                gone = time.monotonic() - g1
            time.sleep(0.005)
        exits.append(gone if gone is not None else 20.0)
        st, okt, dt = get_once(env.port, "/app/first", "f%dz" % k)
        statuses[str(st)] += 1
        mixed += st == 200 and not okt
        cmd.append(g1 - g0)
        child.append(g2 - g1)
        first.append(dt)
        total.append(time.monotonic() - g0)
        time.sleep(1)

    def mw(v):
        return "%.3f / %.3f s" % (statistics.median(v), max(v))
    res.f["rounds"] = len(first)
    res.f["statuses"] = fmt_status(statuses)
    res.f["apache2 -k graceful returns (median / worst)"] = mw(cmd)
    res.f["then the old child has exited"] = mw(exits)
    res.f["then a new child exists"] = mw(child)
    res.f["then the first request is answered"] = mw(first)
    res.f["graceful command to first answer"] = mw(total)
    res.common(env)
    res.f["mixed answers"] = mixed
    res.targets = [t for t in res.targets if t[0] != "no mixed answer"]
    res.target("no mixed answer", mixed == 0, mixed)


def selftest(top, args):
    """The detectors can fail: answers without their token count as mixed,
    a POST id on two log lines counts as run twice, a child killed by
    SIGSEGV counts as a crash.  Returns a list of failure texts."""
    bad = []
    front = "ajplb" if "ajplb" in args.fronts else args.fronts[0]
    env = Env(top, front, args.module, args.out, "selftest")
    try:
        env.start()
        # size=N makes the backend send a pattern instead of the echo.
        r = Wrk(env.port, "/app/self", 2, 2, extra="&size=100").result()
        if r["requests"] == 0 or r["mixed"] != r["requests"]:
            bad.append("mixed answers: %d of %d" % (r["mixed"],
                                                   r["requests"]))
        with open(env.reqlog, "a") as f:
            for b in ("b1", "b2"):
                f.write("%s POST /app/post tok=pselfx1z body=1 complete=1 "
                        "conn=1\n" % b)
        if env.post_twice()[0] != 1:
            bad.append("POST run twice: %r" % (env.post_twice(),))
        os.kill(env.children()[0], signal.SIGSEGV)
        deadline = time.time() + 10
        while time.time() < deadline and not env.crashes()[0]:
            time.sleep(0.1)
        if not env.crashes()[0]:
            bad.append("crash: no error log line after SIGSEGV")
    except Exception as e:  # noqa: BLE001 -- reported as a failure
        bad.append("%s: %s" % (type(e).__name__, e))
    finally:
        env.stop()
    return bad


SCENARIOS = [
    (1, "kill", "kill -9 / restart", s1_kill),
    (2, "stop", "SIGSTOP / SIGCONT", s2_stop),
    (3, "graceful", "graceful restarts", s3_graceful),
    (4, "pool", "pool exhaustion", s4_pool),
    (5, "abort", "client aborts mid-upload", s5_abort),
    (6, "soak", "soak", s6_soak),
    (7, "first", "first request after graceful", s7_first),
]

# Targets that decide the exit status.  Full run: all of them.  Short run
# (CI): crashes, mixed answers, POSTs run twice, leaks, and failed GETs in
# the kill scenario -- what must hold once the #12 fixes are in, whatever
# the machine's load.
SHORT_ALWAYS = ("no crash", "no mixed answer", "no POST run twice",
                "driver ran")
SHORT_LEAKS = ("no fd growth", "backend sockets within", "no shm growth",
               "child RSS within", "same single child")


def counts_for_exit(num, name, short):
    if not short:
        return True
    if name.startswith(SHORT_ALWAYS) or name.startswith(SHORT_LEAKS):
        return True
    return num == 1 and name == "no failed GET"


# --------------------------------------------------------------- report --
def render(results, args, started, elapsed):
    fronts = [f for f in ("jk", "ajplb") if f in args.fronts]
    lines = []
    lines.append("Run: %s, %s form, %s, %d min.  Module: `%s`." % (
        args.label, "short" if args.short else "full",
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        round(elapsed / 60), args.module if "ajplb" in fronts else "-"))
    lines.append("")
    lines.append("| scenario | " + " | ".join(FRONTS[f] for f in fronts)
                 + " |")
    lines.append("|---|" + "---|" * len(fronts))
    for num, key, title, _ in SCENARIOS:
        cells = []
        for f in fronts:
            r = results.get((num, f))
            if r is None:
                cells.append("not run")
                continue
            if "error" in r:
                cells.append("**driver error**: " + r["error"][:200]
                             .replace("|", "/").replace("\n", " "))
                continue
            cells.append(cell(r).replace("|", "/"))
        lines.append("| %d. %s | %s |" % (num, title, " | ".join(cells)))
    lines.append("")
    lines.append("Targets missed:")
    lines.append("")
    anymiss = False
    for num, key, title, _ in SCENARIOS:
        for f in fronts:
            r = results.get((num, f))
            if not r or "error" in r:
                continue
            for name, ok, detail in r["targets"]:
                if not ok:
                    anymiss = True
                    lines.append("- %s, %d. %s: %s (%s)" % (
                        FRONTS[f], num, title, name, detail))
            for n in r["notes"]:
                lines.append("  - %s, %d. %s: %s" % (FRONTS[f], num, title,
                                                    n[:300]))
    if not anymiss:
        lines.append("- none")
    return "\n".join(lines) + "\n"


STANDARD = ("GETs", "GET statuses", "socket errors", "failed GETs",
            "worst latency", "crashes", "mixed answers", "POSTs sent",
            "POST statuses", "POSTs run twice")


def cell(r):
    """One table cell: the common figures first, then the scenario's."""
    f = r["figures"]
    parts = []
    if "GETs" in f:
        parts.append("GETs %s, failed %s (%s; socket errors %s)" % (
            f["GETs"], f["failed GETs"], f["GET statuses"],
            f["socket errors"]))
    if "POSTs sent" in f:
        parts.append("POSTs %s (%s), run twice %s" % (
            f["POSTs sent"], f["POST statuses"], f["POSTs run twice"]))
    parts.append("mixed %s, crashes %s%s" % (
        f.get("mixed answers", "-"), f.get("crashes", "-"),
        ", worst %s" % f["worst latency"] if "worst latency" in f else ""))
    parts += ["%s: %s" % (k, v) for k, v in f.items() if k not in STANDARD]
    miss = [t[0] for t in r["targets"] if not t[1]]
    parts.append("**MISSED: %s**" % ", ".join(miss) if miss
                 else "targets met")
    return "<br>".join(parts)


def write_report(path, text):
    begin, end = "<!-- chaos:begin -->", "<!-- chaos:end -->"
    try:
        with open(path) as f:
            doc = f.read()
    except OSError:
        doc = "%s\n%s\n" % (begin, end)
    if begin not in doc or end not in doc:
        doc += "\n%s\n%s\n" % (begin, end)
    a = doc.index(begin) + len(begin)
    b = doc.index(end)
    doc = doc[:a] + "\n" + text + doc[b:]
    with open(path, "w") as f:
        f.write(doc)


# ----------------------------------------------------------------- main --
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--fronts", default=os.environ.get("CHAOS_FRONTS"))
    ap.add_argument("--module", default=os.environ.get("CHAOS_MODULE"))
    ap.add_argument("--out", default=os.environ.get("OUT", "out"))
    ap.add_argument("--scenarios", default=os.environ.get("CHAOS_SCENARIOS"))
    ap.add_argument("--report")
    ap.add_argument("--label", default=os.environ.get("CHAOS_LABEL"))
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    if not args.module:
        args.module = os.path.join(args.out, "mod_ajplb.so")
    args.module = os.path.abspath(args.module)
    if not args.fronts:
        args.fronts = "ajplb" if args.short else "jk,ajplb"
    args.fronts = [f.strip() for f in args.fronts.split(",") if f.strip()]
    for f in args.fronts:
        if f not in FRONTS:
            ap.error("unknown front %r (ajplb, jk)" % f)
    want = None
    if args.scenarios:
        want = {int(x) for x in args.scenarios.split(",") if x.strip()}
    if not args.label:
        try:
            args.label = subprocess.run(
                ["git", "-C", ROOT, "describe", "--always", "--dirty"],
                capture_output=True, text=True).stdout.strip() or "?"
        except OSError:
            args.label = "?"
    cfg = {k: v[1 if args.short else 0] for k, v in SIZES.items()}
    for need in (APACHE2, os.path.join(args.out, "tools",
                                       "fake_ajp_backend")):
        if not os.path.exists(need):
            sys.exit("chaos: missing %s" % need)
    if "ajplb" in args.fronts and not os.path.exists(args.module):
        sys.exit("chaos: missing module %s" % args.module)
    if "jk" in args.fronts and not os.path.exists(MODJK):
        sys.exit("chaos: missing %s (apt-get install libapache2-mod-jk)"
                 % MODJK)
    if not shutil.which("wrk"):
        sys.exit("chaos: wrk is not installed (apt-get install wrk)")

    def on_signal(sig, frame):
        raise KeyboardInterrupt
    # SIGINT too: a shell starts background jobs with SIGINT ignored.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    top = tempfile.mkdtemp(prefix="ajplb-chaos.")
    os.chmod(top, 0o755)
    results = {}
    started = time.time()
    rc = 0
    try:
        bad = selftest(top, args)
        print("%s - the detectors see a mixed answer, a POST run twice and "
              "a crash%s" % ("not ok" if bad else "ok",
                             (": " + "; ".join(bad)) if bad else ""),
              flush=True)
        if bad:
            rc = 1
        for num, key, title, fn in SCENARIOS:
            if want and num not in want:
                continue
            for front in args.fronts:
                log("%d. %s: %s" % (num, title, FRONTS[front]))
                res = Result(num, front)
                env = Env(top, front, args.module, args.out, key)
                t0 = time.monotonic()
                try:
                    env.start()
                    fn(env, cfg, res)
                    d = res.as_dict()
                except KeyboardInterrupt:
                    raise
                except Exception as e:  # a driver error is a failure too
                    d = {"error": "%s: %s" % (type(e).__name__, e),
                         "targets": [("driver ran", False, str(e))],
                         "figures": {}, "notes": []}
                finally:
                    env.stop()
                d["seconds"] = round(time.monotonic() - t0, 1)
                results[(num, front)] = d
                for k, v in d["figures"].items():
                    log("    %s: %s" % (k, v))
                for name, ok, detail in d["targets"]:
                    counted = front == "ajplb" and \
                        counts_for_exit(num, name, args.short)
                    print("%s - %s %d.%s: %s%s" % (
                        "ok" if ok else "not ok", FRONTS[front], num, key,
                        name, "" if ok else " (%s)%s" % (
                            detail, "" if counted else " [not counted]")),
                        flush=True)
                    if not ok and counted:
                        rc = 1
                if "error" in d:
                    log("driver error: " + d["error"])
                    if front == "ajplb":
                        rc = 1
    except KeyboardInterrupt:
        log("interrupted")
        rc = 130
    finally:
        cleanup_all()
    elapsed = time.time() - started
    text = render(results, args, started, elapsed)
    jpath = os.path.join(args.out, "chaos",
                         "short" if args.short else "full")
    os.makedirs(os.path.dirname(jpath), exist_ok=True)
    with open(jpath + ".json", "w") as f:
        json.dump({"%d-%s" % k: v for k, v in results.items()}, f, indent=1)
    with open(jpath + ".md", "w") as f:
        f.write(text)
    if args.report and rc != 130:
        write_report(args.report, text)
        log("report written to %s" % args.report)
    if rc == 0 or os.environ.get("KEEP_TMP") is None:
        shutil.rmtree(top, ignore_errors=True)
    else:
        log("kept " + top)
    print("chaos: %s" % ("all targets met" if rc == 0 else "interrupted"
                         if rc == 130 else "targets missed for mod_ajplb"),
          flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
