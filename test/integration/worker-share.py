#!/usr/bin/env python3
"""One address holds the volunteer's workers; does another still get one?

    worker-share.py PORT N LOG

From 127.0.0.2, N pump requests (distinct sources) whose NEED is never
answered: each holds a worker until --io-timeout. Once the daemon has
settled them (N NEEDs came back, or LOG says that some wait for their peer's
bound), an innocent plain request from 127.0.0.3 is sent. Prints one line
each:
    HOSTILE-NEED k      NEEDs the hostile peer had when the innocent was sent
    INNOCENT <reply> <seconds>
    HOSTILE-NEED-LATER k  NEEDs after the first k hostile connections closed
"""
import os, select, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import pump, plain, converse, read_frame  # noqa: E402

port, n, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
argv = ["gcc", "-c", "a.c", "-o", "a.o"]

def connect_from(addr):
    s = socket.socket()
    s.bind((addr, 0))
    s.connect(("127.0.0.1", port))
    return s

def waits_logged():
    try:
        with open(log, errors="replace") as f:
            return sum(1 for line in f if "waits:" in line and "127.0.0.2" in line)
    except OSError:
        return 0

hostile = []
for i in range(n):
    data, _ = pump(argv, [(1, "/w", None), (0, "/w/a.c", b"int held_%d_%d;\n" % (os.getpid(), i))])
    s = connect_from("127.0.0.2")
    s.sendall(data)
    hostile.append(s)

need = set()
def read_needs(deadline, settled):
    while time.time() < deadline:
        rest = [s for s in hostile if s not in need and s.fileno() >= 0]
        if not rest:
            return
        r, _, _ = select.select(rest, [], [], 0.2)
        for s in r:
            tag, _ = read_frame(s)
            if tag == b"NEED":
                need.add(s)
        if settled():
            return

read_needs(time.time() + 60, lambda: len(need) + waits_logged() >= n)
print("HOSTILE-NEED %d" % len(need), flush=True)

t = time.time()
s = connect_from("127.0.0.3")
reply = converse("127.0.0.1", port, plain(argv, source=b"int innocent (void) { return 42; }\n"),
                 timeout=45, sock=s)
print("INNOCENT %s %.1f" % (reply, time.time() - t), flush=True)

# The held peer is not starved: once its first connections go, the rest
# get workers (their NEED).
first = list(need)
for s in first:
    hostile.remove(s)
    s.close()
need.clear()
read_needs(time.time() + 60, lambda: len(need) == len(hostile))
print("HOSTILE-NEED-LATER %d" % (len(first) + len(need)), flush=True)
for s in hostile:
    s.close()
