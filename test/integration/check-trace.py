#!/usr/bin/env python3
"""check-trace.py TIMELINE FILE...: TIMELINE is Chrome trace-event JSON
(the JSON Object Format: {"traceEvents": [...]}) as distcc --timeline
writes it, and covers the compile of every FILE named.

Checks, per event, the fields the trace-event format requires for its
phase type ("X" complete events: name, cat, ph, ts, dur >= 0, pid, tid;
"M" metadata: process_name / thread_name with args.name), that every pid
and tid with events is named, that no two complete events on one track
overlap without nesting, and that every FILE has at least one event and a
compile (remote or local) event. Exits 1 with a reason on the first
failure."""
import json
import sys


def fail(msg):
    print("# check-trace: " + msg)
    sys.exit(1)


def main():
    path, files = sys.argv[1], sys.argv[2:]
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("not an object with a traceEvents array")
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        fail("displayTimeUnit must be ms or ns")
    names = {}
    tracks = {}
    by_file = {}
    for i, e in enumerate(doc["traceEvents"]):
        if not isinstance(e, dict):
            fail("event %d is not an object" % i)
        ph = e.get("ph")
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            fail("event %d: pid and tid must be integers" % i)
        if ph == "M":
            if e.get("name") not in ("process_name", "thread_name", "process_sort_index", "thread_sort_index"):
                fail("event %d: unknown metadata %r" % (i, e.get("name")))
            if e["name"].endswith("_name") and not isinstance(e.get("args", {}).get("name"), str):
                fail("event %d: %s without args.name" % (i, e["name"]))
            key = (e["pid"],) if e["name"] == "process_name" else (e["pid"], e["tid"])
            names[key] = e.get("args", {}).get("name")
        elif ph == "X":
            for k, t in (("name", str), ("cat", str), ("ts", (int, float)), ("dur", (int, float)),
                         ("args", dict)):
                if not isinstance(e.get(k), t):
                    fail("event %d: %s missing or of the wrong type" % (i, k))
            if e["dur"] < 0 or e["ts"] < 0:
                fail("event %d: negative ts or dur" % i)
            tracks.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"], e["name"]))
            by_file.setdefault(e["args"].get("file"), []).append(e)
        else:
            fail("event %d: unexpected phase type %r" % (i, ph))
    for (pid, tid), evs in tracks.items():
        if (pid,) not in names:
            fail("pid %d has events but no process_name" % pid)
        if (pid, tid) not in names:
            fail("track %d/%d has events but no thread_name" % (pid, tid))
        evs.sort()
        end = -1
        for s, t, n in evs:
            if s < end:
                fail("track %s (%s): %r at %s starts before the previous event ends (%s)"
                     % (names[(pid, tid)], names[(pid,)], n, s, end))
            end = max(end, t)
    for f in files:
        evs = by_file.get(f)
        if not evs:
            fail("no event for %s" % f)
        if not any(e["name"] in ("compile", "local compile") for e in evs):
            fail("no compile event for %s (has %s)" % (f, sorted({e['name'] for e in evs})))
    n = sum(len(v) for v in tracks.values())
    print("# check-trace: %d complete events on %d tracks, %d files covered" % (n, len(tracks), len(files)))


main()
