#!/usr/bin/env python3
"""A volunteer that lies, for test-client-outputs.sh: it speaks
doc/protocol.md (reads a plain or pump request, answers NEED with no
hashes), compiles nothing, and replies with exactly the files it is told.

    fake-volunteer.py PORT_FILE STATUS [PATH=FILE | PATH:TEXT]...

It listens on an ephemeral loopback port, writes the port to PORT_FILE,
and answers every connection with STAT STATUS, empty SOUT/SERR, one OUTF
per argument (PATH=FILE: the bytes of FILE; PATH:TEXT: TEXT), then DONE.
Each request's arguments are appended to PORT_FILE.requests. With
FAKE_NEED_REPEAT=N in the environment, a pump request's NEED lists its
manifest's first file N times.
"""
import os, socket, struct, sys, threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import frame, lz4_stored, lz4_blob_decode  # noqa: E402


def first_file_hash(mani):
    """The hash of the first file entry of a MANI payload (doc/protocol.md)."""
    m = lz4_blob_decode(mani)
    i = 4
    for _ in range(struct.unpack(">I", m[:4])[0]):
        kind = m[i]
        h = m[i + 13:i + 29]
        i += 29
        for _ in range(2):   # path, target
            i += 4 + struct.unpack(">I", m[i:i + 4])[0]
        if kind == 0:
            return h
    return None


def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def reply(status, outputs):
    r = frame(b"STAT", struct.pack(">I", status))
    r += frame(b"SOUT", lz4_stored(b"")) + frame(b"SERR", lz4_stored(b""))
    for path, data in outputs:
        p = path.encode()
        r += frame(b"OUTF", struct.pack(">I", len(p)) + p + lz4_stored(data))
    return r + frame(b"DONE")


def serve(conn, status, outputs, log):
    try:
        argv = []
        while True:
            hdr = read_exact(conn, 8)
            tag, n = hdr[:4], struct.unpack(">I", hdr[4:])[0]
            payload = read_exact(conn, n)
            if tag == b"ARGV":
                argv.append(payload.decode("utf-8", "replace"))
            if tag == b"DOTI":
                break
            if tag == b"MANI":
                n = int(os.environ.get("FAKE_NEED_REPEAT", "0"))
                h = first_file_hash(payload) if n else None
                need = struct.pack(">I", n) + h * n if h else struct.pack(">I", 0)
                conn.sendall(frame(b"NEED", need))
                break
        with open(log, "a") as f:
            f.write(" ".join(argv) + "\n")
        conn.sendall(reply(status, outputs))
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def main():
    port_file, status = sys.argv[1], int(sys.argv[2])
    outputs = []
    for a in sys.argv[3:]:
        if "=" in a:
            path, f = a.split("=", 1)
            outputs.append((path, open(f, "rb").read()))
        else:
            path, text = a.split(":", 1)
            outputs.append((path, text.encode()))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, port_file)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, status, outputs, port_file + ".requests"),
                         daemon=True).start()


if __name__ == "__main__":
    main()
