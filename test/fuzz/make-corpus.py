#!/usr/bin/env python3
"""Writes the seed corpora test/fuzz/corpus/<target>/ from small, real
examples of each format (frames built as doc/protocol.md and
doc/include-server.md describe). Rerun after a format change."""
import os, shutil, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from hostile import frame, string, lz4_stored, xxh128, head, plain, manifest, blob, tok, tok_body, stock_request  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

def u32(v): return struct.pack(">I", v)
def txt(*items): return b"".join(bytes([len(i)]) + i for i in items)   # DNS TXT rdata

def lzo_literals(data):
    """LZO1X of up to 238 bytes as one literal run: 17 + n, the bytes, the end marker."""
    assert len(data) <= 238
    return bytes([17 + len(data)]) + data + b"\x11\x00\x00"

def is_entry(kind, path, content=b"", target=b""):
    h = xxh128(content) if kind == 0 else bytes(16)
    return frame(b"ENTR", struct.pack(">BIQ", kind, 0o644 if kind == 0 else 0o755,
                                      len(content) if kind == 0 else 0)
                 + h + string(path) + string(target))

G = ["gcc", "-c", "a.c", "-o", "a.o"]
src = b"#include <stdio.h>\nint main (void) { return 0; }\n"
ents = [(1, "/w", None), (0, "/w/a.c", src), (2, "/w/l", b"a.c"), (0, "/usr/include/x.h", b"int x;\n")]

seeds = {
    "request": {
        "plain": plain(G),
        "plain-env": head(1, G, "/w", env=["LANG=C", "SOURCE_DATE_EPOCH=1"]) + frame(b"SRCN", b"a.c") + frame(b"DOTI", lz4_stored(src)),
        "pump": head(2, G, "/w", sysdirs=["/usr/include"]) + manifest(ents),
        "truncated": plain(G)[:-5],
        "bad-version": frame(b"DCC1", struct.pack(">II", 2, 1)),
    },
    "reply": {
        "ok": frame(b"STAT", u32(0)) + frame(b"SOUT", lz4_stored(b"")) + frame(b"SERR", lz4_stored(b"warning\n"))
              + frame(b"OUTF", string("/w/a.o") + lz4_stored(b"\x7fELF" + bytes(40))) + frame(b"DONE"),
        "error": frame(b"EROR", string("compiler 'sh' is not allowed")),
        "hit": frame(b"CHIT") + frame(b"STAT", u32(0)) + frame(b"SOUT", lz4_stored(b"")) + frame(b"SERR", lz4_stored(b""))
               + frame(b"OUTF", string("/w/a.o") + lz4_stored(b"\x7fELF" + bytes(40))) + frame(b"DONE"),
        "failed": frame(b"STAT", u32(1)) + frame(b"SOUT", lz4_stored(b"")) + frame(b"SERR", lz4_stored(b"a.c:1: error\n")) + frame(b"DONE"),
    },
    "result-cache": {
        "reply": frame(b"STAT", u32(0)) + frame(b"SOUT", lz4_stored(b"")) + frame(b"SERR", lz4_stored(b""))
                 + frame(b"OUTF", string("/w/a.o") + lz4_stored(b"\x7fELF" + bytes(40))) + frame(b"DONE"),
        "text-date": b'#include "/usr/include/x.h"\nconst char *d = __DATE__ " " __TIME__;\n',
        "text-next": b"#  include_next </abs.h>\n#if __has_include(\"/x\")\n#endif\n.incbin \"/blob\"\n__TIMESTAMP__",
        "text-splice": b'const char *d = __DA\\\nTE__ __TI\\ \r\nME__;\n#inc\\\rlude ".\\\n./x.h"\n??/\n',
        "argv": b"\0".join(x.encode() for x in ["gcc", "-c", "-flto", "--coverage", "-frandom-seed=a.o", "-DX=__DATE__",
                                                 "-fprofile-use=x", "-save-temps", "a.c"]),
    },
    "need-blob": {
        "need-2": u32(2) + xxh128(b"a") + xxh128(b"b"),
        "need-0": u32(0),
        "blob": xxh128(src) + lz4_stored(src),
        "blob-empty": xxh128(b"") + lz4_stored(b""),
    },
    "lz4": {
        "short": lz4_stored(b"int x;\n"),
        "long": lz4_stored(src * 10),
        "empty": lz4_stored(b""),
        "match": u32(17) + b"\x44abcd\x04\x00\x50XXXXX",   # "abcd", copy 8 at offset 4, "XXXXX"
        "claims-more": lz4_stored(b"abc", claim=1000),
    },
    "hosts": {
        "simple": b"localhost/2 10.0.0.1:3632/8,cpp,lzo [fd00::1]:4000/4 host.example/3",
        "options": b"--randomize --localslots=3 --localslots_cpp=9 # comment\nbuild1 build2:1234",
        "old-style": b"box/4:3633,lzo",
        "refused": b"user@ssh-host +zeroconf host,auth",
    },
    "args": {
        "compile": b"\0".join(x.encode() for x in ["gcc", "-c", "-O2", "-Iinclude", "-DX=1", "src/a.c", "-o", "obj/a.o"]),
        "deps": b"\0".join(x.encode() for x in ["gcc", "-c", "-MD", "-MF", "a.d", "-MT", "a.o", "-g", "a.c"]),
        "wp": b"\0".join(x.encode() for x in ["cc", "-c", "-Wp,-MMD,.a.o.d", "-x", "c++", "a.c", "-o", "a.o"]),
        "clang": b"\0".join(x.encode() for x in ["clang", "-c", "-gsplit-dwarf", "-save-temps=obj", "a.c"]),
        "hostile": b"\0".join(x.encode() for x in ["gcc", "-c", "a.c", "-specs=/x", "-B/x", "-fplugin=/p.so", "@/etc/passwd",
                                                    "-fdump-tree-all=/x", "-wrapper", "gdb", "-Wl,-rpath,/x", "-o", "/x"]),
    },
    "zeroconf-txt": {
        "ours": txt(b"txtvers=1", b"cpus=2", b"jobs=4", b"distcc=0.1.0", b"gnuhost=x86_64-linux-gnu", b"cc_version=12",
                    b"cc_machine=x86_64-linux-gnu", b"dcc_protocol=1", b"dcc_cc_id=" + b"ab" * 32),
        "stock": txt(b"txtvers=1", b"cpus=8", b"jobs=10", b"distcc=3.4", b"gnuhost=x86_64-pc-linux-gnu",
                     b"cc_version=12", b"cc_machine=x86_64-linux-gnu"),
        "odd": txt(b"JOBS=0", b"cpus=-1", b"flag", b"=x", b"cc_machine=a b", b"jobs=7"),
        "truncated": txt(b"cpus=2")[:-1],
    },
    "cidr": {"v4": b"10.0.0.0/8", "host": b"192.168.1.7", "v6": b"fd00::/8", "v6-loop": b"::1", "mapped": b"::ffff:10.0.0.1/104"},
    "path": {"abs": b"/usr/include/stdio.h", "symlink": b"/w/l\0../include/x.h", "dotdot": b"/w/../etc", "cwd": b"/w\0sub/a.c",
             "sysdir": b"/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include\0/usr/lib/gcc",
             "sysdir-loop": b"/l/l/l/../../../usr/include\0/l"},
    # fuzz-request-reader: the first byte sets the piece size, then the stream
    "request-reader": {
        "dcc1-plain": b"\x07" + plain(G),
        "dcc1-pump": b"\x03" + head(2, G, "/w", sysdirs=["/usr/include"]) + manifest(ents),
        "dist-1": b"\x05" + stock_request(["x86_64-linux-gnu-gcc", "-O2", "-c", "a.c", "-o", "a.o"], src),
        # protocol 2: DOTI as LZO1X literals (17 + n, the bytes, end marker)
        "dist-2": b"\x0b" + tok(b"DIST", 2) + stock_request(G, b"")[12:-12] + tok_body(b"DOTI", lzo_literals(src)),
        "dist-3": b"\x01" + tok(b"DIST", 3) + tok_body(b"CDIR", b"/w"),
        "dist-truncated": b"\x02" + stock_request(G, src)[:-4],
    },
    "stock-wire": {
        "request-1": stock_request(G, src),
        "request-3": tok(b"DIST", 3) + tok_body(b"CDIR", b"/w") + tok(b"ARGC", 1) + tok_body(b"ARGV", b"gcc")
                     + tok(b"NFIL", 2) + tok_body(b"NAME", b"/w/a.c") + tok_body(b"FILE", lzo_literals(src))
                     + tok_body(b"NAME", b"/w/l") + tok_body(b"LINK", b"a.c"),
        "reply-1": tok(b"DONE", 1) + tok(b"STAT", 0) + tok_body(b"SERR", b"warning\n") + tok(b"SOUT", 0)
                   + tok_body(b"DOTO", b"\x7fELF" + bytes(40)),
        "reply-failed": tok(b"DONE", 2) + tok(b"STAT", 256) + tok(b"SERR", 0) + tok(b"SOUT", 0) + tok(b"DOTO", 0),
    },
    "is": {
        "request": frame(b"ISRQ", u32(1)) + frame(b"CWD ", b"/w") + frame(b"ARGC", u32(3)) + frame(b"ARGV", b"gcc")
                   + frame(b"ARGV", b"-c") + frame(b"ARGV", b"a.c") + frame(b"DONE"),
        "reply-ok": frame(b"ISST", u32(0)) + frame(b"NENT", u32(4)) + is_entry(1, b"/w") + is_entry(0, b"/w/a.c", src)
                    + is_entry(2, b"/w/l", target=b"a.c") + is_entry(1, b"/usr") + frame(b"DONE"),
        "reply-cannot": frame(b"ISST", u32(1)) + frame(b"EMSG", b"computed include") + frame(b"DONE"),
    },
}

for target, files in seeds.items():
    d = os.path.join(OUT, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
print("wrote", sum(len(v) for v in seeds.values()), "seeds under", OUT)
