#!/usr/bin/env python3
"""Attacks on the volunteer's declared sizes and its shared file store, for
test-hostile-store.sh. Frames are built by hand (doc/protocol.md) with the
helpers of hostile.py. Each attack prints one line.

    store-attack.py ATTACK ARG...
"""
import os, resource, socket, struct, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wire import frame, lz4_stored  # noqa: E402
from hostile import converse, head, manifest, blob, xxh128, plain, pump, read_frame, GOOD_ARGV  # noqa: E402

MiB = 1 << 20


def lz4_bomb(raw_len):
    """[u32 raw_len][lz4 block] that really decompresses to raw_len bytes of
    'x' (one literal, one match of offset 1 as long as needed, five final
    literals): about raw_len / 255 bytes, lz4's best ratio."""
    assert raw_len >= 1 + 4 + 15 + 5
    match = raw_len - 1 - 5 - 4          # the match's length minus its minimum 4
    block = bytearray([0x1F]) + b"x" + struct.pack("<H", 1)
    rest = match - 15
    block += b"\xff" * (rest // 255) + bytes([rest % 255])
    block += bytes([0x50]) + b"xxxxx"
    return struct.pack(">I", raw_len) + bytes(block)


def bomb_request(kind, raw_len):
    """A plain request whose DOTI is a real lz4 bomb of raw_len bytes, or a
    pump request whose one BLOB is (answered when NEED asks)."""
    if kind == "plain":
        data = head(1, GOOD_ARGV, "/w") + frame(b"SRCN", b"a.c") + frame(b"DOTI", lz4_bomb(raw_len))
        return data, None
    content_hash = xxh128(b"x" * raw_len)
    ents = bytearray(struct.pack(">I", 2))
    ents += struct.pack(">BIQ", 1, 0o755, 0) + bytes(16) + struct.pack(">I", 2) + b"/w" + struct.pack(">I", 0)
    ents += (struct.pack(">BIQ", 0, 0o644, raw_len) + content_hash + struct.pack(">I", 6) + b"/w/a.c"
             + struct.pack(">I", 0))
    data = head(2, GOOD_ARGV, "/w") + frame(b"MANI", lz4_stored(bytes(ents)))
    return data, lambda hashes: frame(b"BLOB", content_hash + lz4_bomb(raw_len))


def inetd_bomb(distccd, kind, raw_len, as_limit_mb, extra):
    """Serves one connection with `distccd --inetd` under an address-space
    limit (RLIMIT_AS), sends the bomb, and reports the reply with the
    worker's peak resident size."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    limit = as_limit_mb * MiB
    # A sanitized distccd (.ci/run's ASan stage) reserves terabytes of
    # shadow address space at start and cannot run under RLIMIT_AS at all:
    # there the peak resident size alone shows nothing was allocated.
    with open(distccd, "rb") as f:
        sanitized = b"__asan_init" in f.read()

    def limit_as():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    p = subprocess.Popen([distccd, "--inetd", "--allow", "127.0.0.1", "--user", "root",
                          "--log-stderr", "--log-level", "info"] + extra,
                         stdin=conn, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=limit_as)
    conn.close()
    srv.close()
    data, blobs = bomb_request(kind, raw_len)
    result = ["?"]

    def talk():
        result[0] = converse_on(cli, data, blobs)

    t = threading.Thread(target=talk)
    t.start()
    _, status, usage = os.wait4(p.pid, 0)
    t.join(30)
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    return "%s | exit %d, peak RSS %d KiB, log: %s" % (
        result[0], code, usage.ru_maxrss, " / ".join(l for l in err.splitlines() if "failed" in l)[:300])


def converse_on(s, data, blobs):
    """converse() over an already connected socket."""
    return converse(None, None, data, blobs, timeout=60, sock=s)


def store_bytes(store):
    """What `du --block-size=1 -s --exclude=compilers` says of the store: the
    blocks of every file, directory and symlink, each inode once (the
    compiler identity cache is counted by the store only when it opens or
    rescans)."""
    seen, total = set(), 0
    for d, dirs, fs in os.walk(store):
        if d == store and "compilers" in dirs:
            dirs.remove("compilers")
        for f in [d] + [os.path.join(d, f) for f in fs]:
            try:
                st = os.lstat(f)
            except FileNotFoundError:
                continue
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total


def flood(host, port, store, conns, files, size):
    """conns connections at once, each a pump request with `files` distinct
    files of `size` bytes; samples the store's size on disk meanwhile."""
    stop = threading.Event()
    peak = [0, 0]

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], store_bytes(store))
            peak[1] += 1
            time.sleep(0.002)

    results = [None] * conns

    def one(c):
        ents = [(1, "/w", None), (0, "/w/a.c", b"int x;\n"), (1, "/w/h", None)]
        for i in range(files):
            body = (b"/* conn %d file %d %f */\n" % (c, i, time.time())) + os.urandom(size // 2).hex().encode()
            ents.append((0, "/w/h/f%d.h" % i, body[:size]))
        d, b = pump(GOOD_ARGV, ents)
        results[c] = converse(host, port, d, b, timeout=120)

    sampler = threading.Thread(target=sample)
    sampler.start()
    ts = [threading.Thread(target=one, args=(c,)) for c in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    stop.set()
    sampler.join()
    after = store_bytes(store)
    from collections import Counter
    replies = " ".join("%s=%d" % kv for kv in sorted(Counter(results).items()))
    return "%s; peak %d after %d samples %d" % (replies, peak[0], peak[1], after)


def shared_upload(host, port, log, holder_mode, files):
    """Two pump jobs with the same `files` new headers (and the same
    source): a holder that reads its NEED and then, once the daemon's log
    says that another job waits for the upload lock, uploads everything
    (holder_mode "upload"), or sends nothing until the follower is done
    ("stall"); and a follower that connects once the holder has its NEED.
    Prints each one's NEED count and outcome, and how long the follower
    waited for its NEED."""
    stamp = b"%f %d" % (time.time(), os.getpid())
    ents = [(1, "/w", None), (0, "/w/a.c", b"int x; /* %s */\n" % stamp), (1, "/w/h", None)]
    for i in range(files):
        ents.append((0, "/w/h/f%d.h" % i, b"/* shared %s %d */\n" % (stamp, i)))
    data, blobs = pump(GOOD_ARGV, ents)

    def ask(s):
        s.sendall(data)
        tag, p = read_frame(s)
        if tag != b"NEED":
            return None
        n = struct.unpack(">I", p[:4])[0]
        return [p[4 + 16 * i: 20 + 16 * i] for i in range(n)]

    holder = socket.create_connection((host, int(port)), timeout=60)
    wanted = ask(holder)
    if wanted is None:
        return "holder got no NEED"
    out = {}

    def follower():
        s = socket.create_connection((host, int(port)), timeout=60)
        t0 = time.monotonic()
        hs = ask(s)
        out["wait"] = time.monotonic() - t0
        out["need"] = -1 if hs is None else len(hs)
        out["done"] = "no NEED" if hs is None else converse(None, None, blobs(hs), timeout=60, sock=s)

    t = threading.Thread(target=follower)
    t.start()
    if holder_mode == "upload":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(log, errors="replace") as f:
                if "another job holds the upload lock: waiting" in f.read():
                    break
            time.sleep(0.02)
        held = converse(None, None, blobs(wanted), timeout=60, sock=holder)
    else:
        t.join(60)
        holder.close()
        held = "stalled"
    t.join()
    return "holder NEED %d %s; follower NEED %d after %.1f s %s" % (
        len(wanted), held, out.get("need", -1), out.get("wait", -1), out.get("done"))


def main():
    kind = sys.argv[1]
    a = sys.argv[2:]
    if kind == "inetd-bomb":        # DISTCCD plain|pump RAW_LEN AS_LIMIT_MB [distccd options]
        print(inetd_bomb(a[0], a[1], int(a[2]), int(a[3]), a[4:]))
    elif kind == "bomb":            # HOST PORT plain|pump RAW_LEN
        data, blobs = bomb_request(a[2], int(a[3]))
        print(converse(a[0], a[1], data, blobs, timeout=60))
    elif kind == "ratio":           # HOST PORT plain|pump: 255 MiB claimed from 100 KiB
        if a[2] == "plain":
            print(converse(a[0], a[1], plain(GOOD_ARGV, source=b"int x;\n" + b" " * 100000,
                                              claim=255 * MiB)))
        else:
            src = b"int x;\n" + b" " * 100000
            d, _ = pump(GOOD_ARGV, [(1, "/w", None), (0, "/w/a.c", src)])
            print(converse(a[0], a[1], d, lambda hs: blob(src, claim=255 * MiB)))
    elif kind == "blob-size-lie":   # HOST PORT: BLOB declaring a size other than the manifest's
        src = b"int x; /* size lie */\n"
        d, _ = pump(GOOD_ARGV, [(1, "/w", None), (0, "/w/a.c", src)])
        print(converse(a[0], a[1], d, lambda hs: blob(src, claim=len(src) + 1)))
    elif kind == "manifest-too-big":  # HOST PORT MB: the manifest's files declared to total MB
        n = int(a[2])
        ents = bytearray(struct.pack(">I", 1 + n))
        ents += struct.pack(">BIQ", 1, 0o755, 0) + bytes(16) + struct.pack(">I", 2) + b"/w" + struct.pack(">I", 0)
        for i in range(n):
            path = b"/w/f%d.h" % i
            ents += (struct.pack(">BIQ", 0, 0o644, MiB) + xxh128(b"%d" % i) + struct.pack(">I", len(path))
                     + path + struct.pack(">I", 0))
        print(converse(a[0], a[1], head(2, GOOD_ARGV, "/w") + frame(b"MANI", lz4_stored(bytes(ents)))))
    elif kind == "dir-bomb":        # HOST PORT N: N directory entries 256 deep, each its own branch
        src = b"int x;\n"
        ents = [(1, "/w", None), (0, "/w/a.c", src)]
        ents += [(1, "/d%d" % i + "/x" * 255, None) for i in range(int(a[2]))]
        d, blobs = pump(GOOD_ARGV, ents)
        print(converse(a[0], a[1], d, blobs, timeout=120))
    elif kind == "flood":           # HOST PORT STORE CONNS FILES SIZE
        print(flood(a[0], a[1], a[2], int(a[3]), int(a[4]), int(a[5])))
    elif kind == "shared-upload":   # HOST PORT DAEMON_LOG upload|stall FILES
        print(shared_upload(a[0], a[1], a[2], a[3], int(a[4])))
    elif kind == "store-bytes":     # STORE
        print(store_bytes(a[0]))
    else:
        raise SystemExit("unknown attack " + kind)


if __name__ == "__main__":
    main()
