#!/usr/bin/env python3
"""Pump-mode requests for reply-check.sh: a closure of N small distinct
headers (as test-hostile's 60000-file attack builds it) compiled with a
source that differs per request, so that each request is a miss that the
volunteer compiles and then checks for the result cache.

    reply-check.py HOST PORT N TAG...

One request per TAG, in order, each with the same N headers and a source
naming TAG; prints one line per request: "TAG DONE <status> <outputs>".
"""
import os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from hostile import pump, converse  # noqa: E402


def main():
    host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    headers = [(0, "/w/h/f%d.h" % i, b"int f%d;\n" % i) for i in range(n)]
    for tag in sys.argv[4:]:
        src = b"int x_%s;\n" % tag.encode()
        entries = [(1, "/w", None), (1, "/w/h", None), (0, "/w/a.c", src)] + headers
        data, blobs = pump(["gcc", "-c", "a.c", "-o", "a.o"], entries)
        t0 = time.monotonic()
        answer = converse(host, port, data, blobs, timeout=600)
        print("%s %s (%.1f s)" % (tag, answer, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    main()
