#!/usr/bin/env python3
"""A pump-mode request by hand (doc/protocol.md) for test-result-cache-splice.sh:

    splice.py PORT CASE

sends the source of CASE (one file, /w/a.c) twice and prints, for each,
"hit" (the reply began with CHIT) or "miss", and the status."""
import os, socket, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import pump, read_frame  # noqa: E402

SOURCES = {
    # __TIME__ split by a backslash-newline (translation phase 2)
    "time": b'const char *t = __TI\\\nME__;\n',
    # __DATE__ split by a backslash, blanks and CR LF
    "date-crlf": b'const char *d = __DA\\ \r\nTE__;\n',
    # an absolute #include split inside the directive's name: the
    # volunteer's own /usr/include/limits.h, which no key covers
    "include": b'#inc\\\nlude "/usr/include/limits.h"\nint m = INT_MAX;\n',
    # a continued macro and nothing else: cached as before
    "control": b'#define TWICE(x) \\\n  ((x) * 2)\nint v = TWICE (21);\n',
}

port, case = int(sys.argv[1]), sys.argv[2]
src = SOURCES[case] + b"/* %d */\n" % os.getpid()
for _ in range(2):
    data, blobs = pump(["gcc", "-c", "a.c", "-o", "a.o"], [(1, "/w", None), (0, "/w/a.c", src)])
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(data)
    hit, status = False, None
    while True:
        tag, p = read_frame(s)
        if tag is None or tag == b"DONE":
            break
        if tag == b"EROR":
            status = "EROR"
            break
        if tag == b"NEED":
            n = struct.unpack(">I", p[:4])[0]
            s.sendall(blobs([p[4 + 16 * i:20 + 16 * i] for i in range(n)]))
        elif tag == b"CHIT":
            hit = True
        elif tag == b"STAT":
            status = struct.unpack(">I", p)[0]
    s.close()
    print("%s %s" % ("hit" if hit else "miss", status), flush=True)
