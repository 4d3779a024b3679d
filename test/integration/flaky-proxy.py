#!/usr/bin/env python3
"""A TCP proxy on loopback that makes the network bad on purpose, for the
fault tests (this kernel has no netem): every chunk is held DELAY_MS in
each direction, and a share of connections is reset part-way through.

    flaky-proxy.py LISTEN_PORT TARGET_PORT DELAY_MS RESET_PERCENT MAX_SECONDS

It stops by itself after MAX_SECONDS. Connections are counted and reset by
a fixed pattern (every Nth), so a run is repeatable."""
import socket, sys, threading, time

listen_port, target_port, delay_ms, reset_pct, max_s = (int(a) for a in sys.argv[1:6])
deadline = time.time() + max_s
count = 0
lock = threading.Lock()

def pump(src, dst, reset_after):
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            time.sleep(delay_ms / 1000.0)
            if reset_after is not None and sent + len(data) > reset_after:
                # An abortive close: the peer sees a reset, not an EOF.
                for s in (src, dst):
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
                return
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

def handle(client, n):
    try:
        server = socket.create_connection(("127.0.0.1", target_port), timeout=30)
    except OSError:
        client.close()
        return
    every = 100 // reset_pct if reset_pct else 0
    reset = every and n % every == 0
    threading.Thread(target=pump, args=(client, server, 200 if reset else None), daemon=True).start()
    threading.Thread(target=pump, args=(server, client, None), daemon=True).start()

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(64)
ls.settimeout(0.5)
while time.time() < deadline:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    with lock:
        count += 1
        n = count
    handle(c, n)
