#!/usr/bin/env python3
"""Attacks on a volunteer's isolation, for test-isolation.sh: a hostile
client (frames built by hand from doc/protocol.md) asks for compiles that
try to write or read outside their job, in plain and pump mode. Prints one
line per request:

    NAME <tab> REPLY <tab> LEAK|clean <tab> SECONDS

REPLY is "DONE status outputs", "EROR message" or "CLOSED"; LEAK means the
secret marker came back in some reply bytes (stdout, stderr or any output
file, lz4-decoded).

    isolation.py HOST PORT COMPILER SECRET_FILE MARKER OUT_DIR [STORE_DIR]
"""
import os, socket, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import frame, lz4_blob_decode  # noqa: E402
from hostile import head, plain, pump, read_frame, xxh128  # noqa: E402

# Enough ".." to climb from any job directory to the host's "/".
CLIMB = "../" * 40


def converse_raw(host, port, data, blobs=None, timeout=120):
    """Returns (summary, every reply payload decoded, seconds)."""
    t0 = time.time()
    s = socket.create_connection((host, int(port)), timeout=timeout)
    seen = []
    outputs, status = [], None
    try:
        s.sendall(data)
        while True:
            try:
                tag, p = read_frame(s)
            except (OSError, ValueError):
                return "CLOSED", seen, time.time() - t0
            if tag is None:
                return "CLOSED", seen, time.time() - t0
            if tag == b"EROR":
                n = struct.unpack(">I", p[:4])[0]
                msg = p[4:4 + n]
                seen.append(msg)
                return "EROR " + msg.decode("utf-8", "replace")[:120], seen, time.time() - t0
            if tag == b"NEED":
                n = struct.unpack(">I", p[:4])[0]
                s.sendall(blobs([p[4 + 16 * i: 20 + 16 * i] for i in range(n)]))
            elif tag == b"STAT":
                status = struct.unpack(">I", p)[0]
            elif tag in (b"SOUT", b"SERR"):
                seen.append(lz4_blob_decode(p))
            elif tag == b"OUTF":
                n = struct.unpack(">I", p[:4])[0]
                outputs.append(p[4:4 + n].decode("utf-8", "replace"))
                seen.append(lz4_blob_decode(p[4 + n:]))
            elif tag == b"DONE":
                return "DONE %s %s" % (status, ",".join(outputs) or "-"), seen, time.time() - t0
    finally:
        s.close()


def send(host, port, mode, argv, source, extra_files=()):
    """One compile of a.c in /w, plain or pump; extra_files [(path, bytes)]."""
    if mode == "plain":
        return converse_raw(host, port, plain(argv, source=source))
    ents = [(1, "/w", None), (0, "/w/a.c", source)] + [(0, p, c) for p, c in extra_files]
    d, b = pump(argv, ents)
    return converse_raw(host, port, d, b)


def attacks(cc, secret, out, store):
    """(name, argv options, source) triples; gcc-only and clang-only ones by cc."""
    sdir, sname = os.path.dirname(secret), os.path.basename(secret)
    w = CLIMB + out.lstrip("/")
    src = b"int x;\n"
    inc = lambda path: ('#include "%s"\nint x;\n' % path).encode()
    incbin = lambda path: ('__asm__(".section .rodata\\n.incbin \\"%s\\"\\n.text");\nint x;\n' % path).encode()
    a = [
        ("write: -o climbing out", ["-o", w + "/o.o"], src),
        ("write: -MF climbing out", ["-MD", "-MF", w + "/dep.d", "-o", "a.o"], src),
        ("write: -save-temps=obj with a climbing -o", ["-save-temps=obj", "-o", w + "/st.o"], src),
        ("write: -o absolute stays in the job", ["-o", out + "/abs.o"], src),
        ("read: #include absolute", ["-o", "a.o"], inc(secret)),
        ("read: #include climbing", ["-o", "a.o"], inc(CLIMB + secret.lstrip("/"))),
        ("read: -include climbing", ["-include", CLIMB + secret.lstrip("/"), "-o", "a.o"], src),
        ("read: -I climbing", ["-I", CLIMB + sdir.lstrip("/"), "-o", "a.o"], inc(sname)),
        ("read: -I absolute", ["-I" + sdir, "-o", "a.o"], inc(sname)),
        ("read: -iprefix climbing", ["-iprefix", CLIMB + sdir.lstrip("/") + "/", "-iwithprefixbefore", ".",
                                     "-o", "a.o"], inc(sname)),
        ("read: .incbin absolute", ["-o", "a.o"], incbin(secret)),
        ("read: .incbin climbing", ["-o", "a.o"], incbin(CLIMB + secret.lstrip("/"))),
        ("read: /etc/passwd", ["-o", "a.o"], inc("/etc/passwd")),
        ("read: /etc/shadow by .incbin", ["-o", "a.o"], incbin("/etc/shadow")),
    ]
    if cc == "gcc":
        a.append(("write: -time=FILE climbing out", ["-time=" + w + "/time.txt", "-o", "a.o"], src))
    else:
        a.append(("write: -fproc-stat-report=FILE climbing out", ["-fproc-stat-report=" + w + "/stat.txt",
                                                                 "-o", "a.o"], src))
    if store:
        # The store's objects by absolute path and by climbing: a dependency
        # file written over an object would change another client's header.
        for d, _, fs in os.walk(os.path.join(store, "objects")):
            for f in fs[:1]:
                obj = os.path.join(d, f)
                a.append(("write: -MF over a store object", ["-MD", "-MF", CLIMB + obj.lstrip("/"),
                                                             "-MT", "int evil;", "-o", "a.o"], src))
                a.append(("read: #include a store object", ["-o", "a.o"], inc(obj)))
                break
            else:
                continue
            break
    return a


def cwd_attacks(out, slots):
    """(name, cwd) pairs: working directories a hostile client may send.
    The sandbox shows the client's directory at its own path (a symlink
    made while the sandbox is built, server/sandbox.c): none of these may
    make it (or the directories above it) anywhere but inside the job."""
    long_comp = "d" * 255
    a = [
        ("/", "/"), ("/tmp", "/tmp"), ("/tmp/w (the job's own /tmp)", "/tmp/w"), ("/proc/self", "/proc/self"),
        ("/etc", "/etc"), ("/usr/src", "/usr/src"), ("/usr/include/x", "/usr/include/x"), ("/dev/fd/3", "/dev/fd/3"),
        ("/..", "/.."), ("/a/../../etc", "/a/../../etc"), ("/./w", "/./w"), ("//x", "//x"), ("/w/ (trailing /)", "/w/"),
        ("newline", "/w\nx"), ("a 256-byte component", "/" + "d" * 256),
        ("16 components of 255 bytes (the symlink's target is longer than PATH_MAX)",
         "/" + "/".join([long_comp] * 16)),
        # The escapes: before pivot_root, absolute symlinks in the sandbox's
        # root (/proc/1/root, /dev/fd/N) lead to the host.
        ("//proc/1/root + outside", "//proc/1/root" + out + "/p1"),
        ("//proc/self/root + outside", "//proc/self/root" + out + "/ps"),
        ("/proc//1/root + outside", "/proc//1/root" + out + "/p2"),
        ("//proc/1/root + outside/deeper (mkdir)", "//proc/1/root" + out + "/made/deeper"),
    ]
    for n in range(3, 12):
        a.append(("//dev/fd/%d + x" % n, "//dev/fd/%d/fd%d" % (n, n)))
    a.append(("/dev//fd/3 + x", "/dev//fd/3/fdd3"))
    if slots:
        for i in range(2):
            t = "%s/tree-%d" % (slots, i)
            a += [("a slot tree (tree-%d)" % i, t + "/w"), ("a slot tree (tree-%d), doubled /" % i, "/" + t + "/w"),
                  ("the slots directory", slots), ("the job directory's parent", os.path.dirname(slots))]
    return a


def main_cwd():
    """isolation.py cwd HOST PORT OUT_DIR [SLOTS_DIR]: one compile per
    hostile working directory, plain and pump mode."""
    host, port, out = sys.argv[2:5]
    slots = sys.argv[5] if len(sys.argv) > 5 else None
    src = b"int x;\n"
    for mode in ("plain", "pump"):
        for name, cwd in cwd_attacks(out, slots):
            argv = ["gcc", "-c", "a.c", "-o", "a.o"]
            if mode == "plain":
                data, blobs = plain(argv, cwd=cwd), None
            else:
                c = cwd.rstrip("/") or "/"
                ents = ([(1, c, None)] if c != "/" else []) + [(0, c.rstrip("/") + "/a.c", src)]
                data, blobs = pump(argv, ents, cwd=cwd)
            reply, _, secs = converse_raw(host, port, data, blobs)
            print("%s cwd %s\t%s\tclean\t%.1f" % (mode, name, reply.replace("\n", "\\n"), secs), flush=True)


def sysd_attacks():
    """(name, sysdirs, preincludes, extra manifest entries, expect) for
    pump mode's SYSD and PREI frames: the builtin dirs a volunteer searches
    must lie in the job's tree, reached without stepping back ("..") out of
    a symlink. expect "EROR" for a hostile frame, "DONE 0" for the forms a
    real client sends (clang++ names its C++ dirs through
    /usr/bin/../lib/gcc/.../../../../include, which must keep working)."""
    multi = "/usr/include/x86_64-linux-gnu"
    climb = "/" + CLIMB
    loop = "/l" * 24 + "/.." * 24
    a = [
        ("SYSD climbing above / to the volunteer's headers",
         [climb + multi.lstrip("/"), climb + "usr/include"], [], [], "EROR"),
        ("SYSD stepping back out of a symlink /l -> . (lexically inside the job)",
         [loop + multi, loop + "/usr/include"], [], [(2, "/l", ".")], "EROR"),
        ("SYSD stepping back out of a symlink /w/d/up -> .. deeper in the path",
         ["/w/d/up" + "/d/up" * 12 + "/.." * 27 + "/usr/include"], [], [(1, "/w/d", None), (2, "/w/d/up", "..")],
         "EROR"),
        ("SYSD //usr/include", ["//usr/include"], [], [], "EROR"),
        ("SYSD /usr/./include", ["/usr/./include"], [], [], "EROR"),
        ("SYSD /usr/include/ (trailing /)", ["/usr/include/"], [], [], "EROR"),
        ("SYSD /", ["/"], [], [], "EROR"),
        ("SYSD relative", ["usr/include"], [], [], "EROR"),
        ("SYSD with a newline", ["/usr/include\nx"], [], [], "EROR"),
        ("SYSD with a 256-byte component", ["/" + "d" * 256], [], [], "EROR"),
        ("PREI climbing", [], ["../../../../etc/passwd"], [], "EROR"),
        ("PREI absolute", [], ["/etc/passwd"], [], "EROR"),
        ("PREI ./x", [], ["./stdc-predef.h"], [], "EROR"),
        ("PREI a//b", [], ["bits//stdc-predef.h"], [], "EROR"),
        ("PREI trailing /", [], ["stdc-predef.h/"], [], "EROR"),
        ("PREI an option", [], ["-fplugin=/x.so"], [], "EROR"),
        ("PREI with a newline", [], ["stdc\npredef.h"], [], "EROR"),
    ]
    return a


def main_sysd():
    """isolation.py sysd HOST PORT: pump compiles of a source that includes
    <stdio.h> with no header in the manifest: a hostile SYSD or PREI must
    be refused (EROR); then a clang++-style SYSD path with the job's own
    stdio.h must compile (DONE 0)."""
    host, port = sys.argv[2:4]
    src = b'#include <stdio.h>\nint p (void) { return puts ("x"); }\n'
    argv = ["gcc", "-c", "a.c", "-o", "a.o"]
    for name, sysdirs, pre, extra, expect in sysd_attacks():
        ents = [(1, "/w", None), (0, "/w/a.c", src)] + extra
        data, blobs = pump(argv, ents, sysdirs=sysdirs, preincludes=pre)
        reply, _, secs = converse_raw(host, port, data, blobs)
        print("%s\t%s\t%s\t%.1f" % (name, reply.replace("\n", "\\n")[:160], expect, secs), flush=True)
    # What clang++ sends: its own dirs through /usr/bin/.. and four "..".
    d = "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include"
    ents = [(1, "/w", None), (0, "/w/a.c", src), (1, "/usr", None), (1, "/usr/bin", None),
            (1, "/usr/lib/gcc/x86_64-linux-gnu/12", None), (1, "/usr/include", None),
            (0, "/usr/include/stdio.h", b"int puts (const char *);\n")]
    data, blobs = pump(argv, ents, sysdirs=[d])
    reply, _, secs = converse_raw(host, port, data, blobs)
    print("SYSD %s (clang++'s form), the job's own stdio.h\t%s\tDONE 0\t%.1f" % (d, reply[:160], secs), flush=True)


def argpath_attacks():
    """(name, extra options, extra manifest entries, source) for pump mode's
    path options: -I, -isystem, -idirafter, -iquote, -include and their
    other spellings name paths the compiler opens in the job's tree, so the
    SYSD rule holds for them too: no ".." above "/", none stepping back out
    of a manifest symlink. The source includes "stdio.h" with no header in
    the manifest and no SYSD: only the volunteer's own /usr/include has it."""
    sys_inc = "/../../usr/include"
    multi = "/../../usr/include/x86_64-linux-gnu"
    loop = "/l" * 8 + "/.." * 8
    rel = "../" * 12
    return [
        ("-I/../../usr/include (joined, absolute)", ["-I" + sys_inc, "-I" + multi], []),
        ("-I ../../../usr/include (separate, relative to the cwd)", ["-I", rel + "usr/include", "-I", rel + "usr/include/x86_64-linux-gnu"], []),
        ("-isystem/../../usr/include", ["-isystem" + sys_inc, "-isystem" + multi], []),
        ("-idirafter /../../usr/include", ["-idirafter", sys_inc, "-idirafter", multi], []),
        ("-iquote /../../usr/include", ["-iquote", sys_inc, "-I" + "/usr/include"], []),
        ("--include-directory=/../../usr/include", ["--include-directory=" + sys_inc, "--include-directory=" + multi], []),
        ("-Wp,-I/../../usr/include", ["-Wp,-I" + sys_inc + ",-I" + multi], []),
        ("-Xpreprocessor -I/../../usr/include", ["-Xpreprocessor", "-I" + sys_inc, "-Xpreprocessor", "-I" + multi], []),
        ("-include /../../usr/include/stdio.h", ["-include", sys_inc + "/stdio.h"], []),
        ("-I stepping back out of a symlink /l -> . (lexically inside the job)",
         ["-I" + loop + "/usr/include", "-I" + loop + "/usr/include/x86_64-linux-gnu"], [(2, "/l", ".")]),
    ]


def main_argpaths():
    """isolation.py argpaths HOST PORT: pump compiles whose path options
    climb out of the job's tree must be refused (EROR); then -I../inc from
    /w/src, with the job's own stdio.h there, must compile (DONE 0)."""
    host, port = sys.argv[2:4]
    src = b'#include "stdio.h"\nint p (void) { return puts ("x"); }\n'
    for name, opts, extra in argpath_attacks():
        argv = ["gcc", "-c", "a.c", "-o", "a.o"] + opts
        ents = [(1, "/w", None), (0, "/w/a.c", src)] + extra
        data, blobs = pump(argv, ents)
        reply, _, secs = converse_raw(host, port, data, blobs)
        print("%s\t%s\t%s\t%.1f" % (name, reply.replace("\n", "\\n")[:200], "EROR", secs), flush=True)
    argv = ["gcc", "-c", "a.c", "-o", "a.o", "-I../inc", "-include", "../inc/pre.h"]
    ents = [(1, "/w", None), (1, "/w/src", None), (0, "/w/src/a.c", src), (1, "/w/inc", None),
            (0, "/w/inc/stdio.h", b"int puts (const char *);\n"), (0, "/w/inc/pre.h", b"#define PRE 1\n")]
    data, blobs = pump(argv, ents, cwd="/w/src")
    reply, _, secs = converse_raw(host, port, data, blobs)
    print("-I../inc and -include ../inc/pre.h from /w/src, the job's own stdio.h\t%s\tDONE 0\t%.1f" % (reply[:160], secs), flush=True)


def main():
    if sys.argv[1] == "argpaths":
        return main_argpaths()
    if sys.argv[1] == "cwd":
        return main_cwd()
    if sys.argv[1] == "sysd":
        return main_sysd()
    host, port, cc, secret, marker, out = sys.argv[1:7]
    store = sys.argv[7] if len(sys.argv) > 7 else None
    marker = marker.encode()
    for mode in ("plain", "pump"):
        for name, opts, source in attacks(cc, secret, out, store):
            argv = [cc, "-c", "a.c"] + opts
            reply, seen, secs = send(host, port, mode, argv, source)
            leak = "LEAK" if any(marker in x for x in seen) else "clean"
            print("%s %s\t%s\t%s\t%.1f" % (mode, name, reply, leak, secs), flush=True)


if __name__ == "__main__":
    main()
