#!/usr/bin/env python3
"""Speaks doc/protocol.md by hand, to send requests the real client never
would: a disallowed compiler, garbage, absurd lengths."""
import socket, struct, sys

def frame(tag, payload=b""):
    return tag + struct.pack(">I", len(payload)) + payload

def lz4_stored(data, claim=None):
    """[u32 raw_len][lz4 block of literals only]; claim overrides raw_len."""
    n = len(data)
    out = bytearray()
    if n >= 15:
        out.append(0xF0)
        rest = n - 15
        while rest >= 255:
            out.append(255); rest -= 255
        out.append(rest)
    else:
        out.append(n << 4)
    out += data
    return struct.pack(">I", n if claim is None else claim) + bytes(out)

def request(argv, cwd="/tmp", source=b"int x;\n", srcname="a.c"):
    b = frame(b"DCC1", struct.pack(">II", 1, 1))
    b += frame(b"ARGC", struct.pack(">I", len(argv)))
    for a in argv:
        b += frame(b"ARGV", a.encode())
    b += frame(b"CWD ", cwd.encode())
    b += frame(b"SRCN", srcname.encode())
    b += frame(b"DOTI", lz4_stored(source))
    return b

def talk(host, port, data, timeout=20):
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    chunks = []
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    except OSError:
        pass
    s.close()
    return b"".join(chunks)

def main():
    kind, host, port = sys.argv[1:4]
    rest = sys.argv[4:]
    if kind == "request":
        argv = rest + ["-c", "a.c", "-o", "a.o"] if rest else ["gcc", "-c", "a.c"]
        reply = talk(host, port, request(argv))
    elif kind == "garbage":
        reply = talk(host, port, b"\x00\x01garbage" * 100)
    elif kind == "huge":
        reply = talk(host, port, frame(b"DCC1", struct.pack(">II", 1, 1))[:0] + b"DCC1" + struct.pack(">I", 0xFFFFFFF0))
    elif kind == "raw":
        reply = talk(host, port, sys.stdin.buffer.read())
    else:
        sys.exit("unknown kind " + kind)
    sys.stdout.write(reply.decode("latin-1"))

if __name__ == "__main__":
    main()
