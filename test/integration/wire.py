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

def lz4_block_decode(block, raw_len):
    """Decodes one lz4 block (the volunteer's replies), bounded by raw_len."""
    out = bytearray()
    i = 0
    while i < len(block):
        token = block[i]; i += 1
        n = token >> 4
        if n == 15:
            while True:
                b = block[i]; i += 1; n += b
                if b != 255: break
        out += block[i:i + n]; i += n
        if i >= len(block):
            break
        off = block[i] | (block[i + 1] << 8); i += 2
        m = token & 15
        if m == 15:
            while True:
                b = block[i]; i += 1; m += b
                if b != 255: break
        m += 4
        if off == 0 or off > len(out) or len(out) + m > raw_len:
            raise ValueError("bad lz4 block")
        for _ in range(m):
            out.append(out[-off])
    return bytes(out)

def lz4_blob_decode(blob):
    """[u32 raw_len][lz4 block] -> bytes."""
    raw_len = struct.unpack(">I", blob[:4])[0]
    return lz4_block_decode(blob[4:], raw_len)

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
