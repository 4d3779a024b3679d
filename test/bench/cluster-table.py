#!/usr/bin/python3
# cluster-table.py: the table of a cluster.sh run (see README, "Simulated
# cluster"), medians over its runs.
#
#   cluster-table.py DIR       reads DIR/cluster.csv and DIR/info.txt,
#                              prints the table, writes DIR/speedup.csv
#
# Per link speed, mode and N (medians of the runs, each figure separately):
#   speed-up              local wall / wall
#   ideal wall            max(floor wall at N, sum of delays / slots,
#                             longest delay)
#   floor-limited s-up    local wall / ideal wall
#   reached               floor-limited wall / wall = speed-up / floor-limited
#                         speed-up
# where "local wall" is make -j2 of the same units with the stand-in on the
# client (each compile costs its recorded time, two at a time, as the
# client's 2 cores would if nothing else ran), "floor wall at N" is make -j(4N) with a stand-in that copies the
# object without sleeping or compiling (make, fork and exec, cp: what no
# distributed compiler can take away), and the delays are the stand-in's
# sleeps (the units' real compile times).
import csv
import os
import re
import statistics
import sys

d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "cluster.csv"))))
info = open(os.path.join(d, "info.txt")).read()
sum_delay = float(re.search(r"sum of real compile times ([0-9.]+) s", info).group(1))
longest = float(re.search(r"longest ([0-9.]+) s", info).group(1))
FIELDS = ("wall_s", "client_cpu_s", "client_cpu_per_unit_ms", "server_cpu_s", "remote", "pump",
          "local", "fallback", "misses", "up_mb", "down_mb", "load1")


def med(rs, f):
    return statistics.median(float(r[f]) for r in rs)


def link_rate(link):
    """bits per second of a tc rate such as 1gbit or 100mbit; None for "none"."""
    mm = re.fullmatch(r"([0-9.]+)(gbit|mbit|kbit|bit)", link.lower())
    if not mm:
        return None
    return float(mm.group(1)) * {"gbit": 1e9, "mbit": 1e6, "kbit": 1e3, "bit": 1}[mm.group(2)]


groups = {}
order = []
for r in rows:
    k = (r["link"], r["mode"], int(r["n"]))
    if k not in groups:
        groups[k] = []
        order.append(k)
    groups[k].append(r)


def summary(k):
    rs = groups[k]
    ok = [r for r in rs if r["status"] == "ok"]
    m = {f: med(ok, f) for f in FIELDS} if ok else None
    return m, len(ok), len(rs)


local = [k for k in order if k[1] == "local"]
if not local or summary(local[0])[0] is None:
    sys.exit("cluster-table.py: no successful local build in %s" % d)
local_wall = summary(local[0])[0]["wall_s"]
floor = {k[2]: summary(k)[0]["wall_s"] for k in order if k[1] == "floor" and summary(k)[0]}
nruns = len({r["run"] for r in rows})

print("units: sum of the real compile times %.1f s, longest %.2f s; local build (make -j2, stand-in): "
      "%.1f s; medians of %d run(s)" % (sum_delay, longest, local_wall, nruns))
print("floor wall by N (stand-in copies the object, no sleep): " +
      ", ".join("N=%d %.1f s" % (n, floor[n]) for n in sorted(floor)))
links = []
for k in order:
    if k[0] != "-" and k[0] not in links:
        links.append(k[0])
out = []
for link in links:
    print()
    print("link %s (client and every volunteer, each direction)" % link)
    print("%-14s %3s %5s %7s %7s %6s %7s %6s %5s %5s %4s %7s %7s %7s %7s %7s %6s %5s %s" % (
        "mode", "N", "slots", "wall s", "cli cpu", "ms/cc", "vol cpu", "remote", "pump", "local",
        "fb", "up MB", "down MB", "ideal s", "speedup", "fl-sup", "reach", "load", "ok"))
    for k in order:
        if k[0] != link:
            continue
        m, nok, nall = summary(k)
        n = k[2]
        slots = 4 * n
        if n not in floor:
            continue
        ideal = max(floor[n], sum_delay / slots, longest)
        if m is None:
            print("%-14s %3d %5d   failed (%d of %d runs)" % (k[1], n, slots, nall - nok, nall))
            continue
        sp = local_wall / m["wall_s"]
        fl = local_wall / ideal
        reach = ideal / m["wall_s"]
        print("%-14s %3d %5d %7.1f %7.1f %6.1f %7.1f %6d %5d %5d %4d %7.1f %7.1f %7.2f %7.2f %7.2f %5.0f%% %5.1f %d/%d" % (
            k[1], n, slots, m["wall_s"], m["client_cpu_s"], m["client_cpu_per_unit_ms"], m["server_cpu_s"],
            m["remote"], m["pump"], m["local"], m["fallback"], m["up_mb"], m["down_mb"], ideal, sp, fl,
            100 * reach, m["load1"], nok, nall))
        out.append((link, k[1], n, m["wall_s"], ideal, sp, fl, reach))
    # What bounds each mode: the client's CPU alone on 2 cores, client and
    # simulated volunteers together on the same 2 cores, the client's link.
    rate = link_rate(link)
    print("bounds (s): client CPU / 2 cores, (client + volunteer CPU) / 2 cores, "
          "the busier direction of the client's link at %s" % link)
    for k in order:
        if k[0] != link or k[2] not in floor or summary(k)[0] is None:
            continue
        m = summary(k)[0]
        print("  %-14s N=%-3d wall %6.1f  ideal %5.1f  cpu %5.1f  cpu+vol %5.1f  link %s" % (
            k[1], k[2], m["wall_s"], max(floor[k[2]], sum_delay / (4 * k[2]), longest),
            m["client_cpu_s"] / 2, (m["client_cpu_s"] + m["server_cpu_s"]) / 2,
            "%5.1f" % (max(m["up_mb"], m["down_mb"]) * 8e6 / rate) if rate else "-"))
    for goal_link, goal in (("1gbit", 0.80), ("100mbit", 0.60)):
        if link != goal_link:
            continue
        for r in out:
            if r[0] == link and r[1] == "ours-pump" and r[2] == 16:
                print("issue 20 goal: ours-pump at N=16 on %s reaches %.0f%% of the floor-limited "
                      "speed-up (goal >= %.0f%%): %s" % (link, 100 * r[7], 100 * goal,
                                                         "met" if r[7] >= goal else "NOT met"))
with open(os.path.join(d, "speedup.csv"), "w") as f:
    f.write("link,mode,n,wall_s,ideal_s,speedup,floor_limited_speedup,reached\n")
    for r in out:
        f.write("%s,%s,%d,%.2f,%.2f,%.3f,%.3f,%.3f\n" % r)
