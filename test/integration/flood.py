#!/usr/bin/env python3
"""Hostile connections for test-connections.sh: idle ones (connect, send
nothing) and slow senders (the start of a valid request, one byte every
INTERVAL seconds), each group from its own loopback source addresses, so
that the daemon's per-peer bound does not count them against 127.0.0.1.

  flood.py HOST PORT READY_FILE SPEC...      SPEC: idle:ADDR:N or slow:ADDR:N
  env FLOOD_INTERVAL (default 2), FLOOD_HOLD (seconds to keep going, default 60)

Writes "READY <connected>" to READY_FILE once every connection is made, then
keeps the slow ones sending until they are all closed by the daemon (or
FLOOD_HOLD passes) and prints one summary line:
  idle=<opened> idle_closed=<n> slow=<opened> slow_closed=<n> slow_cut_min=<s> slow_cut_max=<s>
where slow_cut_* are the times from connect to the daemon closing a slow sender."""
import os, resource, select, socket, struct, sys, time

def frame(tag, payload=b""):
    return tag + struct.pack(">I", len(payload)) + payload

REQUEST = frame(b"DCC1", struct.pack(">II", 1, 1)) + frame(b"ARGC", struct.pack(">I", 3)) \
    + frame(b"ARGV", b"gcc") + frame(b"ARGV", b"-c") + frame(b"ARGV", b"a.c") + frame(b"CWD ", b"/tmp")

def main():
    host, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    interval = float(os.environ.get("FLOOD_INTERVAL", "2"))
    hold = float(os.environ.get("FLOOD_HOLD", "60"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    idle, slow = [], []
    for spec in sys.argv[4:]:
        kind, addr, n = spec.split(":")
        for _ in range(int(n)):
            s = socket.socket()
            s.bind((addr, 0))
            s.connect((host, port))
            s.setblocking(False)
            (idle if kind == "idle" else slow).append([s, time.time(), 0, None])
    with open(ready + ".tmp", "w") as f:
        f.write("READY %d\n" % (len(idle) + len(slow)))
    os.rename(ready + ".tmp", ready)
    start = time.time()
    next_send = time.time()
    poller = select.poll()
    by_fd = {}
    for c in idle + slow:
        poller.register(c[0].fileno(), select.POLLIN)
        by_fd[c[0].fileno()] = c
    while time.time() - start < hold:
        if not any(c[3] is None for c in slow):
            break
        now = time.time()
        if now >= next_send:
            for c in slow:
                if c[3] is None and c[2] < len(REQUEST):
                    try:
                        c[0].send(REQUEST[c[2]:c[2] + 1]); c[2] += 1
                    except OSError:
                        c[3] = now
            next_send = now + interval
        now = time.time()
        for fd, _ in poller.poll(200):
            c = by_fd[fd]
            try:
                data = c[0].recv(100)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data and c[3] is None:
                c[3] = now
                poller.unregister(fd)
    cuts = [c[3] - c[1] for c in slow if c[3] is not None]
    print("idle=%d idle_closed=%d slow=%d slow_closed=%d slow_cut_min=%.1f slow_cut_max=%.1f" % (
        len(idle), sum(1 for c in idle if c[3] is not None), len(slow), len(cuts),
        min(cuts) if cuts else -1, max(cuts) if cuts else -1))

main()
