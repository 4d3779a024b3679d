#!/usr/bin/env python3
"""Per-compile client cost of a result-cache hit, side by side with a miss
and the floor (doc/result-cache.md; README of this directory).

One translation unit with a realistic closure (stdio, stdlib, string,
math, pthread and a few project headers; about 60 files) is compiled
through bin/distcc in pump mode against two volunteers of this tree on
loopback, both with a warm store (no upload in either):

  floor  cp of the recorded object (what any remote compile must at least
         cost the client: one process that writes the object)
  miss   a volunteer with --no-result-cache: the client's whole path, and
         the volunteer compiles
  hit    a volunteer with the result cache, which answers from it

Each batch compiles the unit BATCH times in a row in one mode; modes take
turns, RUNS batches each. Client CPU is user+system of the client
processes (getrusage of the children: exact run time, not ticks) plus the
include server's (its /proc stat ticks over the batch); the figures are
medians over the batches, per compile, and "above floor" subtracts the
floor's median. Also the volunteer's compiler runs per mode (from its
log), so a hit with a compiler run shows.

    test/bench/result-cache.py [--runs N] [--batch N]
"""
import argparse, os, re, resource, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(TOP, "bin")
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, cond, seconds=60):
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            sys.exit("timed out waiting for " + what)
        time.sleep(0.05)


def start_distccd(scratch, extra):
    port = free_port()
    log = os.path.join(scratch, "distccd-%d.log" % port)
    p = subprocess.Popen([os.path.join(BIN, "distccd"), "--no-detach", "--daemon", "--listen", "127.0.0.1",
                          "--port", str(port), "--allow", "127.0.0.1", "--log-file", log, "--log-level", "info",
                          "--cache-dir", os.path.join(scratch, "cache-%d" % port), "--user", "root"] + extra)
    wait_for("distccd on %d" % port, lambda: os.path.exists(log) and "listening on port" in open(log).read()
             or p.poll() is not None)
    if p.poll() is not None:
        sys.exit("distccd did not start: " + open(log).read())
    return p, port, log


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK   # utime, stime


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=20)
    args = ap.parse_args()

    scratch = tempfile.mkdtemp(prefix="dcc-rcbench.")
    procs = []
    try:
        proj = os.path.join(scratch, "proj")
        os.makedirs(os.path.join(proj, "include"))
        for i in range(8):
            with open(os.path.join(proj, "include", "p%d.h" % i), "w") as f:
                f.write("#pragma once\n%s\nstatic inline int p%d (int x) { return x + %d; }\n"
                        % ("#include \"p%d.h\"" % (i + 1) if i < 7 else "", i, i))
        with open(os.path.join(proj, "unit.c"), "w") as f:
            f.write("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"
                    "#include <pthread.h>\n#include \"p0.h\"\n"
                    "int unit (int argc, char **argv) { char b[64]; snprintf (b, sizeof b, \"%d\", argc);\n"
                    "  return (int) strlen (b) + p0 (argc) + (int) sqrt ((double) argc) + atoi (argv[0]); }\n")
        env = dict(os.environ)
        env["DISTCC_DIR"] = os.path.join(scratch, "distcc-dir")
        env["TMPDIR"] = os.path.join(scratch, "tmp")
        os.makedirs(env["TMPDIR"])
        for v in ("DISTCC_LOG", "DISTCC_VERBOSE", "INCLUDE_SERVER_PORT"):
            env.pop(v, None)

        d_hit, port_hit, log_hit = start_distccd(scratch, [])
        procs.append(d_hit)
        d_miss, port_miss, log_miss = start_distccd(scratch, ["--no-result-cache"])
        procs.append(d_miss)
        sock = os.path.join(scratch, "is.sock")
        isrv = subprocess.Popen([os.path.join(BIN, "include-server"), "--socket", sock], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(isrv)
        wait_for("the include server's socket", lambda: os.path.exists(sock) or isrv.poll() is not None)
        env["INCLUDE_SERVER_PORT"] = sock

        cc = ["gcc", "-c", "-O2", "-g", "-Iinclude", "unit.c", "-o", "unit.o"]
        hosts = {"hit": "127.0.0.1:%d/2,cpp,lzo" % port_hit, "miss": "127.0.0.1:%d/2,cpp,lzo" % port_miss}

        def distcc(mode, log=None):
            e = dict(env, DISTCC_HOSTS=hosts[mode])
            if log:
                e["DISTCC_LOG"] = log
            subprocess.run([os.path.join(BIN, "distcc")] + cc, cwd=proj, env=e, check=True)

        # Warm both volunteers (store, result cache) and the include server;
        # check what each mode does once, and record the floor's object.
        for mode in ("hit", "miss"):
            for _ in range(2):
                distcc(mode)
        shutil.copy(os.path.join(proj, "unit.o"), os.path.join(scratch, "unit.o.recorded"))
        for mode, want in (("hit", "cache=hit"), ("miss", "mode=pump file")):
            log = os.path.join(scratch, "check-%s.log" % mode)
            distcc(mode, log)
            text = open(log).read()
            if want not in text or "result: remote" not in text:
                sys.exit("%s mode does not do what it should: %s" % (mode, text))

        def compiles(log):
            return len(re.findall(r"compiled .* for ", open(log).read()))

        results = {m: [] for m in ("floor", "miss", "hit")}
        is_cpu = {m: [] for m in results}
        wall = {m: [] for m in results}
        vol_runs = {m: 0 for m in results}
        for _ in range(args.runs):
            for mode in ("floor", "miss", "hit"):
                c0, i0, w0 = children_cpu(), proc_cpu(isrv.pid), time.monotonic()
                v0 = compiles(log_hit) + compiles(log_miss)
                for _ in range(args.batch):
                    if mode == "floor":
                        subprocess.run(["cp", os.path.join(scratch, "unit.o.recorded"), os.path.join(proj, "unit.o")],
                                       check=True)
                    else:
                        distcc(mode)
                c1, i1, w1 = children_cpu(), proc_cpu(isrv.pid), time.monotonic()
                vol_runs[mode] += compiles(log_hit) + compiles(log_miss) - v0
                results[mode].append((c1 - c0 + i1 - i0) / args.batch * 1000)
                is_cpu[mode].append((i1 - i0) / args.batch * 1000)
                wall[mode].append((w1 - w0) / args.batch * 1000)

        floor = statistics.median(results["floor"])
        closure = subprocess.run([os.path.join(BIN, "distcc"), "--scan-includes"] + cc, cwd=proj,
                                 env=dict(env, DISTCC_HOSTS=hosts["hit"]), capture_output=True, text=True).stdout
        print("result-cache bench: %d batches of %d compiles per mode, %d files in the closure; medians per compile"
              % (args.runs, args.batch, len(closure.splitlines())))
        print("%-6s %12s %14s %14s %10s %18s" % ("mode", "client ms", "above floor", "incl.server", "wall ms",
                                                 "volunteer compiles"))
        for mode in ("floor", "miss", "hit"):
            m = statistics.median(results[mode])
            print("%-6s %12.2f %14.2f %14.2f %10.1f %18d" % (mode, m, m - floor, statistics.median(is_cpu[mode]),
                                                              statistics.median(wall[mode]), vol_runs[mode]))
        print("per batch, client ms per compile: " + "; ".join(
            "%s %s" % (m, " ".join("%.2f" % x for x in results[m])) for m in results))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["chmod", "-R", "u+w", scratch])
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
