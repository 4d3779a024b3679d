#!/usr/bin/env python3
"""Hostile clients for test-hostile.sh: hand-made frames (doc/protocol.md)
that the real client never sends. Each attack prints one line describing
what the volunteer did: "EROR <message>", "DONE <status> <outputs>",
"CLOSED" (connection closed with no reply) or "TIMEOUT".

    hostile.py ATTACK HOST PORT [ARG...]
"""
import ctypes, os, socket, struct, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import frame, lz4_stored  # noqa: E402  (the framing and blobs of doc/protocol.md)

# XXH3-128 in the canonical (big-endian) form, from the system libxxhash.
class _XXH128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]
_xxh = ctypes.CDLL("libxxhash.so.0")
_xxh.XXH3_128bits.restype = _XXH128
_xxh.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]

def xxh128(data):
    h = _xxh.XXH3_128bits(data, len(data))
    return struct.pack(">QQ", h.high64, h.low64)

def string(s):
    if isinstance(s, str):
        s = s.encode()
    return struct.pack(">I", len(s)) + s

def head(mode, argv, cwd, env=(), sysdirs=(), preincludes=()):
    b = frame(b"DCC1", struct.pack(">II", 1, mode))
    b += frame(b"ARGC", struct.pack(">I", len(argv)))
    for a in argv:
        b += frame(b"ARGV", a.encode() if isinstance(a, str) else a)
    b += frame(b"CWD ", cwd.encode())
    for e in env:
        b += frame(b"ENVV", e.encode())
    for d in sysdirs:
        b += frame(b"SYSD", d.encode())
    for p in preincludes:
        b += frame(b"PREI", p.encode())
    return b

def plain(argv, cwd="/w", source=b"int x;\n", srcname="a.c", claim=None):
    return (head(1, argv, cwd) + frame(b"SRCN", srcname.encode())
            + frame(b"DOTI", lz4_stored(source, claim)))

# Manifest entries: (kind, path, content-or-target). kind 0 file, 1 dir, 2 symlink.
def manifest(entries, count=None):
    b = bytearray(struct.pack(">I", len(entries) if count is None else count))
    for kind, path, x in entries:
        if kind == 0:
            b += struct.pack(">BIQ", 0, 0o644, len(x)) + xxh128(x) + string(path) + string(b"")
        elif kind == 1:
            b += struct.pack(">BIQ", 1, 0o755, 0) + bytes(16) + string(path) + string(b"")
        else:
            b += struct.pack(">BIQ", 2, 0o777, 0) + bytes(16) + string(path) + string(x)
    return frame(b"MANI", lz4_stored(bytes(b)))

def blob(content, claim=None, hash_of=None):
    return frame(b"BLOB", xxh128(content if hash_of is None else hash_of) + lz4_stored(content, claim))

def read_frame(s):
    hdr = b""
    while len(hdr) < 8:
        c = s.recv(8 - len(hdr))
        if not c:
            return None, None
        hdr += c
    tag, n = hdr[:4], struct.unpack(">I", hdr[4:])[0]
    if n > 64 << 20:
        raise ValueError("reply frame too long")
    data = b""
    while len(data) < n:
        c = s.recv(min(65536, n - len(data)))
        if not c:
            return None, None
        data += c
    return tag, data

def lz4_literal_text(payload):
    # Only for messages; the volunteer's lz4 output is decoded by best effort.
    return payload[4:].decode("latin-1", "replace")

def converse(host, port, data, blobs=None, half_close=False, timeout=30, sock=None):
    """Sends data; answers NEED with blobs(hashes) -> bytes; returns a summary.
    sock: an already connected socket to use instead of host:port."""
    s = sock or socket.create_connection((host, int(port)), timeout=timeout)
    s.settimeout(timeout)
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        outputs, status = [], None
        while True:
            try:
                tag, p = read_frame(s)
            except socket.timeout:
                return "TIMEOUT"
            except (OSError, ValueError):
                return "CLOSED"
            if tag is None:
                return "CLOSED" if status is None else "TRUNCATED %d" % status
            if tag == b"EROR":
                n = struct.unpack(">I", p[:4])[0] if len(p) >= 4 else 0
                msg = p[4:4 + n] if len(p) >= 4 + n else p
                return "EROR " + msg.decode("utf-8", "replace").replace("\n", "\\n")
            if tag == b"NEED":
                n = struct.unpack(">I", p[:4])[0]
                hashes = [p[4 + 16 * i: 20 + 16 * i] for i in range(n)]
                if blobs is None:
                    return "NEED %d" % n
                try:
                    s.sendall(blobs(hashes))
                except OSError:
                    pass
            elif tag == b"STAT":
                status = struct.unpack(">I", p)[0]
            elif tag == b"OUTF":
                n = struct.unpack(">I", p[:4])[0]
                outputs.append(p[4:4 + n].decode("utf-8", "replace"))
            elif tag == b"DONE":
                return "DONE %s %s" % (status, ",".join(outputs) or "-")
    finally:
        s.close()

def pump(argv, entries, cwd="/w", count=None, sysdirs=(), preincludes=()):
    """A pump request; NEED is answered with the contents of the file entries."""
    by_hash = {xxh128(x): x for k, _, x in entries if k == 0}
    data = head(2, argv, cwd, sysdirs=sysdirs, preincludes=preincludes) + manifest(entries, count)
    return data, lambda hashes: b"".join(blob(by_hash[h]) for h in hashes if h in by_hash)

GOOD_ARGV = ["gcc", "-c", "a.c", "-o", "a.o"]

# The stock distcc protocol (distcc's doc/protocol-1.txt): a 4-letter token
# and 8 hex digits, then for some tokens a body of that length. Protocol 1
# only here (no LZO): the real stock client tests protocol 2.
def tok(t, v):
    return t + b"%08x" % v

def tok_body(t, body):
    return tok(t, len(body)) + body

_lzo = ctypes.CDLL("liblzo2.so.2")

def lzo1x(data):
    """LZO1X-1, what a stock client's protocol 2 sends (liblzo2)."""
    wrk = ctypes.create_string_buffer(16384 * 8)
    cap = len(data) + len(data) // 16 + 64 + 3
    out = ctypes.create_string_buffer(cap)
    n = ctypes.c_size_t(cap)
    if _lzo.lzo1x_1_compress(data, ctypes.c_size_t(len(data)), out, ctypes.byref(n), wrk) != 0:
        raise RuntimeError("lzo1x_1_compress failed")
    return out.raw[:n.value]

def stock_request(argv, source=b"int x;\n", version=1):
    b = tok(b"DIST", version) + tok(b"ARGC", len(argv))
    for a in argv:
        b += tok_body(b"ARGV", a.encode() if isinstance(a, str) else a)
    return b + tok_body(b"DOTI", source)

def stock_converse(host, port, data, half_close=False, timeout=30):
    """Sends data, reads a protocol 1 reply: "STOCK-DONE <wait status>
    <object bytes> <stderr>", "CLOSED" (no reply) or "TIMEOUT"."""
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        buf = b""
        def need(n):
            nonlocal buf
            while len(buf) < n:
                c = s.recv(65536)
                if not c:
                    raise EOFError
                buf += c
        def item(want, has_body):
            nonlocal buf
            need(12)
            t, v = buf[:4], int(buf[4:12], 16)
            if t != want:
                raise ValueError("expected %s, got %r" % (want, t))
            buf = buf[12:]
            if not has_body:
                return v, b""
            need(v)
            body, buf = buf[:v], buf[v:]
            return v, body
        try:
            item(b"DONE", False)
            wait, _ = item(b"STAT", False)
            _, err = item(b"SERR", True)
            item(b"SOUT", True)
            n, obj = item(b"DOTO", wait == 0)
            return "STOCK-DONE %d %d %s" % (wait, len(obj), err.decode("utf-8", "replace").replace("\n", "\\n")[:200])
        except socket.timeout:
            return "TIMEOUT"
        except (EOFError, OSError):
            return "CLOSED" if not buf else "TRUNCATED"
    finally:
        s.close()

def attack(kind, host, port, args):
    G = GOOD_ARGV
    src = b"int x;\n"
    if kind == "good":                      # a valid plain request
        return converse(host, port, plain(G))
    if kind == "good-pump":
        d, b = pump(G, [(1, "/w", None), (0, "/w/a.c", src)])
        return converse(host, port, d, b)
    if kind == "len-over-limit":            # DCC1 header claiming 64 MiB + 1
        return converse(host, port, b"DCC1" + struct.pack(">I", (64 << 20) + 1))
    if kind == "len-negative":              # length -1 as u32
        return converse(host, port, b"DCC1" + struct.pack(">I", 0xFFFFFFFF))
    if kind == "len-negative-later":        # a valid start, then ARGV of length -1
        return converse(host, port, frame(b"DCC1", struct.pack(">II", 1, 1)) + frame(b"ARGC", struct.pack(">I", 5))
                         + b"ARGV" + struct.pack(">I", 0xFFFFFFFF))
    if kind == "truncated-header":          # 5 bytes of a header, then EOF
        return converse(host, port, b"DCC1\x00", half_close=True)
    if kind == "truncated-payload":         # header says 8, 3 bytes follow, then EOF
        return converse(host, port, b"DCC1" + struct.pack(">I", 8) + b"\x00\x00\x00", half_close=True)
    if kind == "truncated-request":         # a request cut in the middle of DOTI
        return converse(host, port, plain(G)[:-3], half_close=True)
    if kind == "garbage-after-hello":
        return converse(host, port, frame(b"DCC1", struct.pack(">II", 1, 1)) + os.urandom(4096))
    if kind == "binary-tag":
        return converse(host, port, frame(b"DCC1", struct.pack(">II", 1, 1)) + frame(b"\x00\xff\n\x01", b"x"))
    if kind == "bad-version":
        return converse(host, port, frame(b"DCC1", struct.pack(">II", 99, 1)))
    if kind == "argc-huge":
        return converse(host, port, frame(b"DCC1", struct.pack(">II", 1, 1)) + frame(b"ARGC", struct.pack(">I", 0xFFFFFFFF)))
    if kind == "lz4-claims-4g":             # DOTI raw_len 0xFFFFFFFF, 7 bytes of data
        return converse(host, port, plain(G, claim=0xFFFFFFFF))
    if kind == "lz4-claims-255m":           # under DCC_MAX_FILE_SIZE, more than 7 bytes can expand to
        return converse(host, port, plain(G, claim=255 << 20))
    if kind == "lz4-corrupt":
        d = head(1, G, "/w") + frame(b"SRCN", b"a.c") + frame(b"DOTI", struct.pack(">I", 100) + b"\xff" * 20)
        return converse(host, port, d)
    if kind == "blob-claims-huge":          # pump: BLOB whose lz4 claims 255 MiB
        d, _ = pump(G, [(1, "/w", None), (0, "/w/a.c", src + b"/*huge*/")])
        return converse(host, port, d, lambda hs: blob(src + b"/*huge*/", claim=255 << 20))
    if kind == "blob-wrong-hash":           # pump: BLOB content not matching the hash asked for
        d, _ = pump(G, [(1, "/w", None), (0, "/w/a.c", src + b"/*wrong*/")])
        evil = b"int evil;".ljust(len(src + b"/*wrong*/") - 1) + b"\n"   # the size the manifest said
        return converse(host, port, d, lambda hs: frame(b"BLOB", hs[0] + lz4_stored(evil)))
    if kind == "blob-unasked":              # pump: a valid BLOB for a hash never asked for
        d, _ = pump(G, [(1, "/w", None), (0, "/w/a.c", src + b"/*unasked*/")])
        return converse(host, port, d, lambda hs: blob(b"int other;\n"))
    if kind == "manifest-100000":           # over DCC_MAX_MANIFEST_ENTRIES
        ents = [(1, "/w", None)] + [(1, "/w/d%d" % i, None) for i in range(99999)]
        return converse(host, port, pump(G, ents)[0])
    if kind == "manifest-count-lies":       # count 100000, 2 entries present
        return converse(host, port, pump(G, [(1, "/w", None), (0, "/w/a.c", src)], count=100000)[0])
    if kind == "manifest-60000":            # 60000 small files, all distinct: must be served
        ents = [(1, "/w", None), (0, "/w/a.c", src)] + \
               [(0, "/w/h/f%d.h" % i, b"int f%d;\n" % i) for i in range(59998)]
        d, b = pump(G, ents)
        return converse(host, port, d, b, timeout=120)
    if kind == "manifest":                  # pump with entries given as KIND:PATH[:TARGET] args
        ents = [(1, "/w", None), (0, "/w/a.c", src)]
        for a in args:
            k, path, rest = (a.split(":", 2) + [""])[:3]
            path = path.replace("\\n", "\n")
            ents.append((int(k), path, rest.encode() if int(k) == 2 else b"int y;\n" + path.encode()))
        d, b = pump(G, ents)
        return converse(host, port, d, b)
    if kind == "options":                   # plain compile with extra options
        return converse(host, port, plain(["gcc"] + args + ["-c", "a.c"]))
    if kind == "env":                       # plain compile with ENVV frames NAME=VALUE
        d = head(1, G, "/w", env=args) + frame(b"SRCN", b"a.c") + frame(b"DOTI", lz4_stored(src))
        return converse(host, port, d)
    if kind == "argv":                      # plain request with exactly this argv
        return converse(host, port, plain(args))
    if kind == "options-cwd":               # args[0] is the CWD, then options
        return converse(host, port, plain(["gcc"] + args[1:] + ["-c", "a.c"], cwd=args[0]))
    if kind == "pump-output-over-input":    # args: VICTIM OPTION...: an output named like a manifest
        victim = b"int victim_content_" + args[0].encode() + b";\n"      # file (a store hard link)
        d, b = pump(["gcc", "-c", "a.c"] + args[1:],
                    [(1, "/w", None), (0, "/w/a.c", src), (0, "/w/" + args[0], victim)])
        r = converse(host, port, d, b)
        return r + " victim=" + xxh128(victim).hex()
    if kind == "idle":                      # connect, send nothing, hold for args[0] s
        s = socket.create_connection((host, int(port)))   # (then create args[1], if given)
        if len(args) > 1:
            open(args[1], "w").close()
        s.settimeout(float(args[0]))
        try:
            c = s.recv(100)
            return "CLOSED" if not c else "DATA"
        except socket.timeout:
            return "TIMEOUT"
        finally:
            s.close()
    if kind == "idle-then-good":            # args[0] idle connections, then time a valid request
        import time
        # No pause needed: the listen queue is first in, first out, so the
        # daemon takes every idle connection before the timed one.
        idle = [socket.create_connection((host, int(port))) for _ in range(int(args[0]))]
        t0 = time.time()
        r = converse(host, port, plain(G), timeout=120)
        for s in idle:
            s.close()
        return "%s after %.1f s" % (r, time.time() - t0)
    if kind == "parallel":                  # args[0] simultaneous valid requests
        n = int(args[0]); results = [None] * n
        socks = []
        for i in range(n):                  # all connected before any sends
            socks.append(socket.create_connection((host, int(port)), timeout=120))
        def run(i):
            s = socks[i]
            try:
                s.sendall(plain(G, source=b"int x%d;\n" % i))
                status = None
                while True:
                    tag, p = read_frame(s)
                    if tag is None: results[i] = "CLOSED"; break
                    if tag == b"STAT": status = struct.unpack(">I", p)[0]
                    if tag == b"EROR":      # the reason, so that a failure says why
                        results[i] = "EROR(%s)" % p[:120].decode("utf-8", "replace"); break
                    if tag == b"DONE": results[i] = "DONE %s" % status; break
            except Exception as e:
                results[i] = "EXC " + type(e).__name__
            finally:
                s.close()
        ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in ts: t.start()
        for t in ts: t.join()
        from collections import Counter
        return " ".join("%s=%d" % kv for kv in sorted(Counter(results).items()))
    if kind == "stock-good":                # a stock distcc 3.x client, protocol 1 (args: argv)
        return stock_converse(host, port, stock_request(args or ["x86_64-linux-gnu-gcc", "-c", "a.c", "-o", "a.o"]))
    if kind == "stock-lzo-bomb":            # protocol 2, DOTI: args[0] MiB of zeros, LZO1X (about 1/220 of it)
        body = lzo1x(b"\0" * (int(args[0]) << 20))
        return stock_converse(host, port, stock_request(G, version=2)[:-19] + tok_body(b"DOTI", body))
    if kind == "stock-argv-huge":           # ARGV header claiming 0xffffffff bytes
        return stock_converse(host, port, tok(b"DIST", 1) + tok(b"ARGC", 1) + tok(b"ARGV", 0xFFFFFFFF))
    if kind == "stock-argc-huge":
        return stock_converse(host, port, tok(b"DIST", 1) + tok(b"ARGC", 0xFFFFFFFF))
    if kind == "stock-doti-huge":           # DOTI claiming 4 GiB, 7 bytes follow
        return stock_converse(host, port, stock_request(G)[:-19] + tok(b"DOTI", 0xFFFFFFFF) + b"int x;\n")
    if kind == "stock-bad-hex":             # parameter not 8 hex digits
        return stock_converse(host, port, b"DIST00000001ARGC0000000zARGV")
    if kind == "stock-bad-token":           # a token out of order
        return stock_converse(host, port, tok(b"DIST", 1) + tok(b"ARGC", 1) + tok_body(b"EVIL", b"x"))
    if kind == "stock-binary-token":
        return stock_converse(host, port, tok(b"DIST", 1) + b"\x00\xff\x01\x02" + b"00000001x")
    if kind == "stock-version-9":
        return stock_converse(host, port, tok(b"DIST", 9))
    if kind == "stock-protocol-3":          # stock pump mode: not served
        return stock_converse(host, port, tok(b"DIST", 3) + tok_body(b"CDIR", b"/w"))
    if kind == "stock-truncated-header":    # 7 bytes of a header, then EOF
        return stock_converse(host, port, b"DIST000", half_close=True)
    if kind == "stock-truncated-doti":      # a request cut inside DOTI
        return stock_converse(host, port, stock_request(G)[:-3], half_close=True)
    if kind == "stock-nul-in-argv":
        return stock_converse(host, port, stock_request(["gcc", "-c", "a\0.c", "-o", "a.o"]))
    if kind == "stock-compiler":            # args[0]: the compiler name a stock client asks for
        return stock_converse(host, port, stock_request([args[0], "-c", "a.c", "-o", "a.o"]))
    if kind == "store-check":               # args[0]: store dir; every object matches its name
        bad = []
        for d, _, fs in os.walk(os.path.join(args[0], "objects")):
            for f in fs:
                if xxh128(open(os.path.join(d, f), "rb").read()).hex() != os.path.basename(d) + f:
                    bad.append(os.path.basename(d) + f)
        return "CORRUPT " + " ".join(bad) if bad else "OK"
    if kind == "store-shape":               # args[0]: store dir; only what the store itself makes
        return store_shape(args[0], args[1:] == ["remove"])  # (args[1] "remove": and removes the rest)
    raise SystemExit("unknown attack " + kind)

def store_shape(store, remove=False):
    """"OK", or the entries of a store that distccd would never make: the
    store holds objects/XX/<30 hex> regular files, results/XX/<30 hex>
    symlinks whose text is 32 hex digits, and its own files at the top
    (usage, tmp/, compilers/); anything else (a symlink or directory
    planted from a job) is listed."""
    import re, stat
    hexname = re.compile(r"^[0-9a-f]{30}$")
    bad = []
    for top in os.listdir(store):
        p = os.path.join(store, top)
        st = os.lstat(p)
        if top in ("objects", "results"):
            if not stat.S_ISDIR(st.st_mode):
                bad.append(top); continue
            for sub in os.listdir(p):
                q = os.path.join(p, sub)
                if not re.match(r"^[0-9a-f]{2}$", sub) or not stat.S_ISDIR(os.lstat(q).st_mode):
                    bad.append(top + "/" + sub); continue
                for f in os.listdir(q):
                    try:
                        m = os.lstat(os.path.join(q, f)).st_mode
                        ok = hexname.match(f) and (stat.S_ISREG(m) if top == "objects" else
                                                   stat.S_ISLNK(m) and re.match(r"^[0-9a-f]{32}$",
                                                                                os.readlink(os.path.join(q, f))))
                    except FileNotFoundError:
                        continue  # renamed or evicted since listdir: nothing left to judge
                    if not ok:
                        bad.append("%s/%s/%s" % (top, sub, f))
        elif top in ("tmp", "compilers"):
            if not stat.S_ISDIR(st.st_mode):
                bad.append(top); continue
            for f in os.listdir(p):
                if not stat.S_ISREG(os.lstat(os.path.join(p, f)).st_mode):
                    bad.append(top + "/" + f)
        elif not stat.S_ISREG(st.st_mode):
            bad.append(top)
    # A result being named (results/XX/.<name>.<pid>.<random>, a symlink
    # renamed into place a moment later; the daemon may name a result after
    # its reply) is the store's own: wait for it to go, not a fixed time.
    inflight = re.compile(r"^results/[0-9a-f]{2}/\.[0-9a-f]{30}\.[0-9]+\.[0-9a-f]{8}$")
    deadline = time.time() + 10
    while any(inflight.match(b) for b in bad) and time.time() < deadline:
        bad = [b for b in bad if not inflight.match(b) or os.path.lexists(os.path.join(store, b))]
        if any(inflight.match(b) for b in bad):
            time.sleep(0.05)
    if remove:
        import shutil
        for b in bad:
            p = os.path.join(store, b)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
    return "PLANTED " + " ".join(sorted(bad)) if bad else "OK"

if __name__ == "__main__":
    kind, host, port = sys.argv[1:4]
    print(attack(kind, host, port, sys.argv[4:]))
