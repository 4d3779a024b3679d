#!/usr/bin/env python3
"""timeline-svg.py: checks a build timeline (distcc --timeline, Chrome
trace-event JSON) and draws it as an SVG picture, one row per track.

    test/bench/timeline-svg.py TRACE.json OUT.svg [--records RECORDS]

Checks: the file is a JSON object with a traceEvents list; every "X" event
has name, ts >= 0, dur >= 0, pid, tid and args.file; every track named by a
metadata event. With --records (the build's $DISTCC_DIR/records or
$DISTCC_BUILD_DIR/records), every compile recorded there has at least one
event (matched by its client pid and file). Prints one line of figures and exits 1
if a check fails. The picture is plain SVG (no script), so a browser can
screenshot it (test/bench/kernel-views.sh does)."""
import html
import json
import sys

COLOURS = {
    "closure": "#8e6bbf", "preprocess": "#8e6bbf", "wait for slot": "#cccccc", "connect": "#999999",
    "upload": "#4a90d9", "compile": "#2aa876", "download": "#e0a030", "local compile": "#d9534f",
    "startup": "#dddddd", "finish": "#dddddd",
}


def fail(msg):
    print("timeline: " + msg)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    records = None
    if "--records" in args:
        i = args.index("--records")
        records = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        fail("usage: timeline-svg.py TRACE.json OUT.svg [--records FILE]")
    trace = json.load(open(args[0]))
    if not isinstance(trace, dict) or not isinstance(trace.get("traceEvents"), list):
        fail("not a trace-event JSON object (no traceEvents list)")
    names, events = {}, []
    for e in trace["traceEvents"]:
        if e.get("ph") == "M":
            names[(e["name"], e["pid"], e.get("tid", 0))] = e["args"]["name"]
        elif e.get("ph") == "X":
            for k in ("name", "ts", "dur", "pid", "tid", "args"):
                if k not in e:
                    fail("an X event without %s: %r" % (k, e))
            if e["ts"] < 0 or e["dur"] < 0 or "file" not in e["args"]:
                fail("a bad X event: %r" % e)
            events.append(e)
        else:
            fail("an event of an unexpected phase %r" % e.get("ph"))
    tracks = sorted({(e["pid"], e["tid"]) for e in events})
    for pid, tid in tracks:
        if ("process_name", pid, 0) not in names or ("thread_name", pid, tid) not in names:
            fail("track %d/%d has no name" % (pid, tid))
    # A compile is its client's pid and file: pids wrap (pid_max 32768)
    # during a long build on a busy machine.
    compiles = {(e["args"]["pid"], e["args"]["file"]) for e in events}
    covered = ""
    if records:
        want = set()
        for line in open(records, errors="replace"):
            f = dict(kv.split("=", 1) for kv in line.rstrip("\n").split("\t")[1:] if "=" in kv)
            if line.startswith("dccrec1") and "pid" in f:
                want.add((int(f["pid"]), f.get("file", "")))
        missing = want - compiles
        if missing:
            fail("%d of %d recorded compiles have no event (%s...)" % (len(missing), len(want), sorted(missing)[:5]))
        covered = ", every one of the %d recorded compiles covered" % len(want)
    end = max((e["ts"] + e["dur"] for e in events), default=1)
    print("timeline: %d events, %d tracks, %d compiles, %.1f s%s" % (len(events), len(tracks), len(compiles), end / 1e6, covered))

    # The picture: a label column, then time left to right.
    row_h, label_w, width = 14, 230, 1400
    scale = (width - label_w - 20) / end
    order = {t: i for i, t in enumerate(tracks)}
    height = 60 + row_h * len(tracks) + 40
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="10">' % (width, height),
           '<rect width="100%" height="100%" fill="#fff"/>',
           '<text x="10" y="20" font-size="14">%s</text>' % html.escape(
               "distcc build timeline: %d compiles, %.1f s, %d tracks" % (len(compiles), end / 1e6, len(tracks)))]
    for s in range(0, int(end / 1e6) + 1, max(1, int(end / 1e6 / 10))):
        x = label_w + s * 1e6 * scale
        out.append('<line x1="%.1f" y1="40" x2="%.1f" y2="%d" stroke="#eee"/>' % (x, x, height - 40))
        out.append('<text x="%.1f" y="36">%d s</text>' % (x, s))
    last_pid = None
    for (pid, tid), i in order.items():
        y = 44 + i * row_h
        label = names[("thread_name", pid, tid)]
        if pid != last_pid:
            label = names[("process_name", pid, 0)] + "  " + label
            out.append('<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#bbb"/>' % (y - 1, width, y - 1))
            last_pid = pid
        out.append('<text x="6" y="%d">%s</text>' % (y + 10, html.escape(label)))
    for e in events:
        y = 44 + order[(e["pid"], e["tid"])] * row_h
        x = label_w + e["ts"] * scale
        w = max(e["dur"] * scale, 0.5)
        out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"><title>%s</title></rect>' % (
            x, y + 1, w, row_h - 3, COLOURS.get(e["name"], "#666"), html.escape("%s %s" % (e["name"], e["args"]["file"]))))
    x = label_w
    for name in ("closure", "wait for slot", "upload", "compile", "download", "local compile"):
        out.append('<rect x="%d" y="%d" width="12" height="10" fill="%s"/><text x="%d" y="%d">%s</text>' % (
            x, height - 25, COLOURS[name], x + 16, height - 16, name))
        x += 120
    out.append("</svg>")
    open(args[1], "w").write("\n".join(out))


main()
