# bench/lib.sh -- pieces bench/run.sh and bench/profile.sh share (sourced).

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# mountfile N FILE WORKER: a JkMountFile of N rules, N-1 that never match
# (half /appN/* wildcards, half /ctxN/pageN.jsp exact) and /bench/* last.
mountfile() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
n, path, worker = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    for i in range(n - 1):
        if i % 2:
            f.write("/app%d/*=%s\n" % (i, worker))
        else:
            f.write("/ctx%d/page%d.jsp=%s\n" % (i, i, worker))
    f.write("/bench/*=%s\n" % worker)
PY
}
