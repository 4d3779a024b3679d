/* Table-driven tests for the compiler-argument scanner (shared/dcc-args.c). */
#include <string.h>

#include "dcc-args.h"
#include "dcc-error.h"

enum {
  F_X       = 1 << 0,   /* lang_from_x */
  F_S       = 1 << 1,   /* assemble_only */
  F_MD      = 1 << 2,   /* want_deps */
  F_WP      = 1 << 3,   /* deps_via_wp */
  F_MT      = 1 << 4,   /* has_dep_target */
  F_G       = 1 << 5,   /* debug_info */
  F_SPLIT   = 1 << 6,   /* split_dwarf */
  F_COLOR   = 1 << 7,   /* color_always */
  F_LINK    = 1 << 8,   /* has_link_options */
  F_DEFOUT  = 1 << 9,   /* output defaulted (output_index == -1) */
};

typedef struct {
  const char *cmd;      /* shell-quoted command line */
  const char *local;    /* NULL: remote; else a substring of the local reason */
  const char *source;   /* remote: argv[source_index] */
  DccLang     lang;
  const char *output;
  const char *dep;      /* NULL: no .d */
  const char *side;     /* space-separated side outputs, in order */
  guint       flags;
} ScanCase;

#define KERNEL_FLAGS \
  "-nostdinc -I./arch/x86/include -I./arch/x86/include/generated -I./include " \
  "-I./arch/x86/include/uapi -include ./include/linux/compiler-version.h " \
  "-include ./include/linux/kconfig.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall -Wundef " \
  "-fno-strict-aliasing -fno-common -std=gnu11 -mno-sse -mno-mmx -m64 -falign-jumps=1 " \
  "-mno-red-zone -mcmodel=kernel -Wa,--noexecstack -fno-delete-null-pointer-checks -O2 " \
  "-fstack-protector-strong -g -gdwarf-5 -pg -mrecord-mcount -DKBUILD_MODFILE='\"kernel/fork\"' " \
  "-DKBUILD_BASENAME='\"fork\"' -DKBUILD_MODNAME='\"fork\"' -D__KBUILD_MODNAME=kmod_fork"

static const ScanCase scan_cases[] = {
  /* --- stock distcc's own cases --- */
  { "gcc -c hello.c", NULL, "hello.c", DCC_LANG_C, "hello.o", NULL, "", F_DEFOUT },
  { "gcc hello.c", "no -c or -S" },
  { "gcc -o /tmp/hello.o -c ../src/hello.c", NULL, "../src/hello.c", DCC_LANG_C, "/tmp/hello.o", NULL, "", 0 },
  { "gcc -DMYNAME=quasibar.c bar.c -c -o bar.o", NULL, "bar.c", DCC_LANG_C, "bar.o", NULL, "", 0 },
  { "gcc -ohello.o -c hello.c", NULL, "hello.c", DCC_LANG_C, "hello.o", NULL, "", 0 },
  { "gcc -c hello.c -o hello.o -E", "-E" },
  { "gcc -S hello.c", NULL, "hello.c", DCC_LANG_C, "hello.s", NULL, "", F_S | F_DEFOUT },
  { "gcc -c -S hello.c", NULL, "hello.c", DCC_LANG_C, "hello.s", NULL, "", F_S | F_DEFOUT },
  { "gcc -c src/dir/hello.cpp", NULL, "src/dir/hello.cpp", DCC_LANG_CXX, "hello.o", NULL, "", F_DEFOUT },
  { "gcc -c hello.c -o -", "stdout" },
  { "gcc -c -M hello.c", "-M" },
  { "gcc -c -MM hello.c", "-MM" },
  { "gcc -M -MD -c hello.c", "dependency output only" },
  { "gcc -c hello.c hello2.c", "more than one source" },
  { "gcc -c", "no source" },
  { "gcc -c -", "stdin" },
  { "gcc -c -x c -", "stdin" },
  { "gcc -c hello.c -o a.o -o b.o", "more than one -o" },
  { "gcc -c hello.c -o", "without its value" },
  { "gcc -c hello.c foo.o", "not a source" },
  { "gcc -c @args", "response file" },
  { "gcc -c hello.c @args", "response file" },
  { "gcc -c -march=native hello.c", "native" },
  { "gcc -c -mtune=native hello.c", "native" },
  { "gcc -c -mcpu=native hello.c", "native" },
  { "gcc -c -march=x86-64-v3 -mtune=generic hello.c", NULL, "hello.c", DCC_LANG_C, "hello.o", NULL, "", F_DEFOUT },
  { "gcc -c conftest.c", "conftest" },
  { "g++ -c -o conftest.o conftest.cpp", "conftest" },
  { "gcc -Werror -c -x c /dev/null -o .tmp_123.o", "/dev/null" },
  { "gcc -c -fsyntax-only hello.c", "-fsyntax-only" },
  { "gcc -c -frepo hello.c", "-frepo" },
  { "gcc -c -dr hello.c", "dumps" },
  { "gcc -c -dA -dD -dI hello.c", NULL, "hello.c", DCC_LANG_C, "hello.o", NULL, "", F_DEFOUT },
  { "gcc -dumpversion", "query" },
  { "gcc -O2 -o app main.o util.o", "no -c or -S" },
  { "gcc -c -print-search-dirs hello.c", "query" },
  { "gcc -c -### hello.c", "query" },
  { "gcc -c --version hello.c", "query" },

  /* --- languages, -x --- */
  { "gcc -c foo.S -o foo.o", NULL, "foo.S", DCC_LANG_ASM_CPP, "foo.o", NULL, "", 0 },
  { "gcc -c foo.sx", NULL, "foo.sx", DCC_LANG_ASM_CPP, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c foo.s", "plain assembler" },
  { "gcc -c -x assembler foo.S", "plain assembler" },
  { "gcc -c -x assembler-with-cpp foo.s -o foo.o", NULL, "foo.s", DCC_LANG_ASM_CPP, "foo.o", NULL, "", F_X },
  { "gcc -c foo.m", NULL, "foo.m", DCC_LANG_OBJC, "foo.o", NULL, "", F_DEFOUT },
  { "clang -c foo.mm -o foo.o", NULL, "foo.mm", DCC_LANG_OBJCXX, "foo.o", NULL, "", 0 },
  { "gcc -c foo.i", NULL, "foo.i", DCC_LANG_C_PREPROCESSED, "foo.o", NULL, "", F_DEFOUT },
  { "g++ -c foo.ii -o foo.o", NULL, "foo.ii", DCC_LANG_CXX_PREPROCESSED, "foo.o", NULL, "", 0 },
  { "gcc -c foo.C", NULL, "foo.C", DCC_LANG_CXX, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -x c++ -c foo.c", NULL, "foo.c", DCC_LANG_CXX, "foo.o", NULL, "", F_X | F_DEFOUT },
  { "gcc -xc++ -c foo.c", NULL, "foo.c", DCC_LANG_CXX, "foo.o", NULL, "", F_X | F_DEFOUT },
  { "gcc -c -x c foo.txt -o foo.o", NULL, "foo.txt", DCC_LANG_C, "foo.o", NULL, "", F_X },
  { "gcc -c -x c++ -x none foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c foo.c -x c++", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c -x cpp-output foo.c", NULL, "foo.c", DCC_LANG_C_PREPROCESSED, "foo.o", NULL, "", F_X | F_DEFOUT },
  { "gcc -c -x c-header foo.h", "-x c-header" },
  { "gcc -c -x fortran foo.f", "-x fortran" },
  { "gcc -c foo.h", "not a source" },
  { "gcc -c -x c foo.c bar.c", "more than one source" },
  { "gcc -c --language=c foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_X | F_DEFOUT },

  /* --- options with separate values do not hide or invent sources --- */
  { "gcc -c -I inc -D X -include pre.h -isystem sys -iquote q -MF foo.d -MT foo.o -MD foo.c",
    NULL, "foo.c", DCC_LANG_C, "foo.o", "foo.d", "", F_MD | F_MT | F_DEFOUT },
  { "gcc -c -include x.c foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c -imacros m.h -idirafter d -D NAME=a.c foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c foo.c --param max-inline-insns-single=500 --sysroot /opt/sysroot", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -c -o", "without its value" },

  /* --- dependencies --- */
  { "gcc -MD -MT x.o -MF x.o.d -o x.o -c /abs/x.c", NULL, "/abs/x.c", DCC_LANG_C, "x.o", "x.o.d", "", F_MD | F_MT },
  { "/usr/bin/c++ -DFOO -I/src/include -O2 -g -MD -MT CMakeFiles/app.dir/src/main.cpp.o "
    "-MF CMakeFiles/app.dir/src/main.cpp.o.d -o CMakeFiles/app.dir/src/main.cpp.o -c /src/src/main.cpp",
    NULL, "/src/src/main.cpp", DCC_LANG_CXX, "CMakeFiles/app.dir/src/main.cpp.o",
    "CMakeFiles/app.dir/src/main.cpp.o.d", "", F_MD | F_MT | F_G },
  { "gcc -MMD -MP -c -o out/foo.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.o", "out/foo.d", "", F_MD },
  { "gcc -MD -c src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "foo.o", "foo.d", "", F_MD | F_DEFOUT },
  { "gcc -MD -c -o out/foo.c.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.c.o", "out/foo.c.d", "", F_MD },
  { "gcc -MD -MFdeps/foo.d -MQfoo.o -c foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", "deps/foo.d", "", F_MD | F_MT | F_DEFOUT },
  { "gcc -MF foo.d -c foo.c", NULL, "foo.c", DCC_LANG_C, "foo.o", NULL, "", F_DEFOUT },
  { "gcc -Wp,-MMD,kernel/.fork.o.d " KERNEL_FLAGS " -c -o kernel/fork.o kernel/fork.c",
    NULL, "kernel/fork.c", DCC_LANG_C, "kernel/fork.o", "kernel/.fork.o.d", "", F_WP | F_G },
  { "gcc -Wp,-MD,arch/x86/entry/.entry_64.o.d -nostdinc -I./arch/x86/include -D__ASSEMBLY__ "
    "-Wa,-gdwarf-5 -c -o arch/x86/entry/entry_64.o arch/x86/entry/entry_64.S",
    NULL, "arch/x86/entry/entry_64.S", DCC_LANG_ASM_CPP, "arch/x86/entry/entry_64.o",
    "arch/x86/entry/.entry_64.o.d", "", F_WP },
  { "gcc -Wp,-MD,x.d,-MT,x.o -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", "x.d", "", F_WP | F_MT | F_DEFOUT },
  { "gcc -Wp,-M -c x.c", "dependency output only" },
  { "gcc -Wp,-MD -c x.c", "without a file name" },
  { "gcc -Xpreprocessor -MD -Xpreprocessor x.d -c x.c", "-Xpreprocessor" },
  { "clang -c -MJ x.json x.c", "-MJ" },
  { "gcc --write-dependencies -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", "x.d", "", F_MD | F_DEFOUT },
  { "gcc --dependencies -c x.c", "dependency output only" },

  /* --- debug info and split DWARF --- */
  { "gcc -g -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_G | F_DEFOUT },
  { "gcc -g -g0 -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -g0 -ggdb3 -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_G | F_DEFOUT },
  { "gcc -gdwarf-4 -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_G | F_DEFOUT },
  { "gcc -gz -gno-column-info -gdwarf64 -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -g -gsplit-dwarf -c -o out/x.o x.c", NULL, "x.c", DCC_LANG_C, "out/x.o", NULL, "out/x.dwo", F_G | F_SPLIT },
  { "gcc -gsplit-dwarf -c -o out/x.o x.c", NULL, "x.c", DCC_LANG_C, "out/x.o", NULL, "out/x.dwo", F_SPLIT },
  { "clang -gsplit-dwarf -c -o out/x.o x.c", NULL, "x.c", DCC_LANG_C, "out/x.o", NULL, "", F_SPLIT },
  { "clang-14 -g -gsplit-dwarf -c -o out/x.c.o x.c", NULL, "x.c", DCC_LANG_C, "out/x.c.o", NULL, "out/x.c.dwo", F_G | F_SPLIT },
  { "gcc -g -gsplit-dwarf -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "x.dwo", F_G | F_SPLIT | F_DEFOUT },
  { "gcc -g -gsplit-dwarf -S -o x.s x.c", NULL, "x.c", DCC_LANG_C, "x.s", NULL, "", F_G | F_SPLIT | F_S },
  { "gcc -g -gsplit-dwarf -gno-split-dwarf -c x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_G | F_DEFOUT },

  /* --- side outputs --- */
  { "gcc -c -fstack-usage -o out/foo.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.o", NULL, "out/foo.su", 0 },
  { "gcc -c -fstack-usage src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "foo.o", NULL, "foo.su", F_DEFOUT },
  { "gcc -c -ftest-coverage -o out/foo.obj src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.obj", NULL, "out/foo.gcno", 0 },
  { "gcc -c -fcallgraph-info -o out/foo.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.o", NULL, "out/foo.ci", 0 },
  { "gcc -c -fstack-usage -ftest-coverage -gsplit-dwarf -save-temps -MD -o out/foo.c.o src/foo.c",
    NULL, "src/foo.c", DCC_LANG_C, "out/foo.c.o", "out/foo.c.d",
    "out/foo.c.su out/foo.c.gcno out/foo.c.dwo out/foo.c.i out/foo.c.s", F_MD | F_SPLIT },
  { "gcc -c -save-temps=cwd -fstack-usage -o out/foo.c.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C,
    "out/foo.c.o", NULL, "foo.c.su foo.c.i foo.c.s", 0 },
  { "gcc -c -save-temps=obj -o out/foo.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.o", NULL, "out/foo.i out/foo.s", 0 },
  { "gcc -c -save-temps src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "foo.o", NULL, "foo.i foo.s", F_DEFOUT },
  { "g++ -c -save-temps -o out/bar.o src/bar.cc", NULL, "src/bar.cc", DCC_LANG_CXX, "out/bar.o", NULL, "out/bar.ii out/bar.s", 0 },
  { "gcc -S -save-temps -o out/foo.s src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.s", NULL, "out/foo.i", F_S },
  { "gcc -c -save-temps -o out/as.o src/as.S", NULL, "src/as.S", DCC_LANG_ASM_CPP, "out/as.o", NULL, "out/as.s", 0 },
  { "gcc -c -save-temps -o out/pp.o src/pp.i", NULL, "src/pp.i", DCC_LANG_C_PREPROCESSED, "out/pp.o", NULL, "out/pp.s", 0 },
  { "clang -c -save-temps -o out/foo.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.o", NULL, "foo.i foo.bc foo.s", 0 },
  { "clang -c -save-temps=obj -o out/foo.c.o src/foo.c", NULL, "src/foo.c", DCC_LANG_C, "out/foo.c.o", NULL,
    "out/foo.i out/foo.bc out/foo.s", 0 },
  { "clang -c -save-temps -o out/as.o src/as.S", NULL, "src/as.S", DCC_LANG_ASM_CPP, "out/as.o", NULL, "as.s", 0 },
  /* -gsplit-dwarf with -save-temps, -S, assembler, -flto (gcc 12, clang 14,
   * as each leaves them; test/corpus/cases/94..99). gcc: a .dwo whenever it
   * assembles. clang: an assembler step always writes one, the code
   * generator with -g or when -save-temps gives it bitcode; without -c it
   * is named after the source, in the cwd; -flto writes bitcode (no .s, no
   * .dwo); a preprocessed source has no .bc. */
  { "clang -c -O2 -gsplit-dwarf -std=c11 -isystem rt -MD -save-temps -x c -o out/a.o src/prog.c", NULL,
    "src/prog.c", DCC_LANG_C, "out/a.o", "out/a.d", "out/a.dwo prog.i prog.bc prog.s", F_SPLIT | F_MD | F_X },
  { "clang -c -gsplit-dwarf -save-temps=obj -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C,
    "out/a.o", NULL, "out/a.dwo out/prog.i out/prog.bc out/prog.s", F_SPLIT },
  { "clang -c -gsplit-dwarf -save-temps=cwd -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C,
    "out/a.o", NULL, "out/a.dwo prog.i prog.bc prog.s", F_SPLIT },
  { "gcc -c -gsplit-dwarf -save-temps=cwd -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C,
    "out/a.o", NULL, "a.dwo a.i a.s", F_SPLIT },
  { "clang -S -g -gsplit-dwarf -o out/a.s src/a.c", NULL, "src/a.c", DCC_LANG_C, "out/a.s", NULL, "a.dwo",
    F_S | F_G | F_SPLIT },
  { "clang -c -S -g -gsplit-dwarf -o out/a.s src/a.c", NULL, "src/a.c", DCC_LANG_C, "out/a.s", NULL, "out/a.dwo",
    F_S | F_G | F_SPLIT },
  { "clang -S -gsplit-dwarf -o out/a.s src/a.c", NULL, "src/a.c", DCC_LANG_C, "out/a.s", NULL, "", F_S | F_SPLIT },
  { "clang -S -gsplit-dwarf -save-temps=obj -o out/a.s src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.s", NULL,
    "prog.dwo out/prog.i out/prog.bc", F_S | F_SPLIT },
  { "clang -c -gsplit-dwarf -o out/a.o src/a.S", NULL, "src/a.S", DCC_LANG_ASM_CPP, "out/a.o", NULL, "out/a.dwo", F_SPLIT },
  { "clang -c -fno-integrated-as -gsplit-dwarf -o out/a.o a.c", NULL, "a.c", DCC_LANG_C, "out/a.o", NULL, "out/a.dwo", F_SPLIT },
  { "clang -c -no-integrated-as -fintegrated-as -gsplit-dwarf -o out/a.o a.c", NULL, "a.c", DCC_LANG_C, "out/a.o", NULL, "", F_SPLIT },
  { "clang -S -fno-integrated-as -gsplit-dwarf -o out/a.s a.c", NULL, "a.c", DCC_LANG_C, "out/a.s", NULL, "", F_S | F_SPLIT },
  { "clang -c -save-temps -gsplit-dwarf -o out/a.o src/pp.i", NULL, "src/pp.i", DCC_LANG_C_PREPROCESSED, "out/a.o", NULL,
    "out/a.dwo pp.s", F_SPLIT },
  { "clang -S -save-temps -gsplit-dwarf -o out/a.s src/pp.i", NULL, "src/pp.i", DCC_LANG_C_PREPROCESSED, "out/a.s", NULL,
    "", F_S | F_SPLIT },
  { "clang -c -flto -save-temps -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.o", NULL, "prog.i prog.bc", 0 },
  { "clang -c -flto=thin -g -gsplit-dwarf -save-temps -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.o", NULL,
    "prog.i prog.bc", F_G | F_SPLIT },
  { "clang -c -flto -fno-lto -save-temps -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.o", NULL,
    "prog.i prog.bc prog.s", 0 },
  /* gcc 12 with -flto: cc1 drops -gsplit-dwarf ("not supported with LTO"),
   * the assembler still writes the .dwo (as gcc leaves them). */
  { "gcc -c -flto -gsplit-dwarf -save-temps -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.o", NULL,
    "out/a.dwo out/a.i out/a.s", F_SPLIT },
  { "gcc -c -flto -g -gsplit-dwarf -o out/a.o src/prog.c", NULL, "src/prog.c", DCC_LANG_C, "out/a.o", NULL,
    "out/a.dwo", F_G | F_SPLIT },
  /* gcc -flto records the compile's working directory in the LTO object:
   * remote, since the volunteer shows the client's (server/compile-job.c;
   * test/corpus/cases/100-lto, 101-lto-auto-fat-g). */
  { "gcc -c -O2 -flto x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "x86_64-linux-gnu-gcc-12 -c -O2 -flto=auto -ffat-lto-objects x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "",
    F_DEFOUT },
  { "g++ -c -flto=jobserver x.cc", NULL, "x.cc", DCC_LANG_CXX, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -flto -fno-lto x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -flto -o x.o x.S", NULL, "x.S", DCC_LANG_ASM_CPP, "x.o", NULL, "", 0 },
  { "gcc -c -flto-partition=one x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "clang -c -flto=thin x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -save-temps=foo x.c", "-save-temps=foo" },
  { "gcc -c --save-temps x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "x.i x.s", F_DEFOUT },
  { "gcc -c -fdump-tree-all x.c", "-fdump-tree-all" },
  { "gcc -c --dump-tree-all x.c", "-fdump-tree-all" },
  { "gcc -c -fopt-info-vec=vec.txt x.c", "-fopt-info" },
  { "gcc -c -fopt-info-vec x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -aux-info protos.h x.c", "-aux-info" },
  { "gcc -c -dumpdir d/ x.c", "-dumpdir" },
  { "clang -c -ftime-trace x.c", "-ftime-trace" },
  { "gcc -c -frecord-gcc-switches x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },

  /* --- profiles --- */
  { "gcc -c -fprofile-arcs x.c", "profile" },
  { "gcc -c --coverage x.c", "profile" },
  { "gcc -c -fprofile-generate x.c", "profile" },
  { "gcc -c -fprofile-use=prof x.c", "profile" },
  { "gcc -c -fprofile-dir=/tmp/p x.c", "profile" },
  { "gcc -c -fauto-profile=x.afdo x.c", "profile" },
  { "clang -c -fprofile-instr-generate x.c", "profile" },
  { "gcc -c -fprofile-update=atomic x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -fno-profile-use x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },

  /* --- assembler options --- */
  { "gcc -c -Wa,-adhln=x.lst x.c", "assembler listing" },
  { "gcc -c -Wa,--noexecstack,-ahl x.c", "assembler listing" },
  { "gcc -c -Wa,--MD,x.ad x.c", "assembler dependency" },
  { "gcc -c -Xassembler -al x.c", "assembler listing" },
  { "gcc -c -Wa,--noexecstack -Xassembler --64 x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },

  /* --- local compiler setup --- */
  { "gcc -c -specs=my.specs x.c", "-specs" },
  { "gcc -c --specs my.specs x.c", "-specs" },
  { "gcc -c -B/opt/tools x.c", "-B" },
  { "gcc -c -B /opt/tools x.c", "-B" },
  { "gcc -c --prefix=/opt/tools x.c", "-B" },
  { "gcc -c -fplugin=./p.so x.c", "-fplugin" },
  { "gcc -c --plugin=p x.c", "-fplugin" },
  { "gcc -c -wrapper gdb,--args x.c", "-wrapper" },
  { "clang -c -Xclang -load -Xclang p.so x.c", "-Xclang -load" },
  { "clang -c -Xclang -fno-pch-timestamp x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "clang -c -Xclang -fdebug-compilation-dir -Xclang . -Xclang -debug-info-kind=constructor x.c",
    NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "clang -c -Xclang -fdebug-compilation-dir -Xclang . -Xclang -add-plugin -Xclang p x.c", "-add-plugin" },
  { "clang -c -mllvm -x86-indirect-branch-cs-prefix -mllvm -inline-threshold=100 x.c",
    NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "clang -c -mllvm -stats-file=s.json x.c", "-mllvm" },
  { "gcc -MD -MF - -c x.c", "stdout" },
  { "clang -c --gcc-toolchain=/opt/gcc x.c", "-gcc-toolchain" },
  { "clang -c -fmodules x.c", "modules" },
  { "gcc -c -fmodulo-sched x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "clang -c -fsanitize=address -fsanitize-ignorelist=ign.txt x.c", "extra file" },

  /* --- colour, linking options --- */
  { "gcc -c -fdiagnostics-color=always x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_COLOR | F_DEFOUT },
  { "clang -c -fcolor-diagnostics x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_COLOR | F_DEFOUT },
  { "gcc -c -fdiagnostics-color=always -fdiagnostics-color=auto x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c -fPIC -Wl,-z,relro -L/usr/lib -lm -l pthread -Xlinker --as-needed x.c -o x.o",
    NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_LINK },
  { "gcc -c -include-pch x.pch x.c", "extra file" },
  { "clang -c -flto -ffunction-sections -pipe -O3 x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
  { "gcc -c --output=x.o x.c", "--output" },
  { "gcc --compile x.c", NULL, "x.c", DCC_LANG_C, "x.o", NULL, "", F_DEFOUT },
};

static char **
split (const char *cmd)
{
  g_autoptr (GError) error = NULL;
  char **argv = NULL;
  g_assert_true (g_shell_parse_argv (cmd, NULL, &argv, &error));
  g_assert_no_error (error);
  return argv;
}

static void
check_scan_case (const ScanCase *c)
{
  g_auto (GStrv) argv = split (c->cmd);
  g_autoptr (DccCompileArgs) a = NULL;
  g_autofree char *reason = NULL;
  gboolean remote;

  g_test_message ("%s", c->cmd);
  remote = dcc_args_scan ((const char *const *) argv, &a, &reason);

  if (c->local != NULL)
    {
      if (remote)
        g_error ("expected local (%s), got remote: %s", c->local, c->cmd);
      g_assert_nonnull (reason);
      if (strstr (reason, c->local) == NULL)
        g_error ("reason '%s' lacks '%s': %s", reason, c->local, c->cmd);
      g_assert_null (a);
      return;
    }

  if (!remote)
    g_error ("expected remote, got local (%s): %s", reason, c->cmd);
  g_assert_null (reason);
  g_assert_nonnull (a);
  g_assert_cmpint (g_strv_length (a->argv), ==, g_strv_length (argv));
  for (guint i = 0; argv[i]; i++)
    {
      g_assert_cmpstr (a->argv[i], ==, argv[i]);
      g_assert_true (a->argv[i] != argv[i]);   /* deep copy */
    }
  g_assert_cmpint (a->source_index, >, 0);
  g_assert_cmpstr (a->argv[a->source_index], ==, c->source);
  g_assert_cmpint (a->lang, ==, c->lang);
  g_assert_cmpint (a->lang_from_x, ==, !!(c->flags & F_X));
  g_assert_cmpstr (a->output, ==, c->output);
  if (c->flags & F_DEFOUT)
    g_assert_cmpint (a->output_index, ==, -1);
  else
    {
      const char *o;
      g_assert_cmpint (a->output_index, >, 0);
      o = a->argv[a->output_index];
      if (strcmp (o, c->output) != 0)
        {
          g_assert_true (g_str_has_prefix (o, "-o"));
          g_assert_cmpstr (o + 2, ==, c->output);
        }
    }
  g_assert_cmpstr (a->dep_file, ==, c->dep);
  g_assert_cmpint (a->assemble_only, ==, !!(c->flags & F_S));
  g_assert_cmpint (a->want_deps, ==, !!(c->flags & F_MD));
  g_assert_cmpint (a->deps_via_wp, ==, !!(c->flags & F_WP));
  g_assert_cmpint (a->has_dep_target, ==, !!(c->flags & F_MT));
  g_assert_cmpint (a->debug_info, ==, !!(c->flags & F_G));
  g_assert_cmpint (a->split_dwarf, ==, !!(c->flags & F_SPLIT));
  g_assert_cmpint (a->color_always, ==, !!(c->flags & F_COLOR));
  g_assert_cmpint (a->has_link_options, ==, !!(c->flags & F_LINK));

  {
    g_auto (GStrv) want = g_strsplit (c->side, " ", -1);
    g_autoptr (GString) got = g_string_new (NULL);
    for (guint i = 0; i < a->side_outputs->len; i++)
      g_string_append_printf (got, "%s%s", i ? " " : "", (char *) a->side_outputs->pdata[i]);
    g_assert_cmpstr (got->str, ==, c->side);
    (void) want;
  }
}

static void
test_scan_table (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (scan_cases), >=, 60);
  for (gsize i = 0; i < G_N_ELEMENTS (scan_cases); i++)
    check_scan_case (&scan_cases[i]);
}

/* Every compile the client sends remotely, once dcc_args_rewrite() has made
 * its outputs relative and stripped its linking options, passes the server's
 * check: the two halves agree on what is dangerous. */
static void
test_scan_agrees_with_server (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (scan_cases); i++)
    {
      const ScanCase *c = &scan_cases[i];
      g_auto (GStrv) argv = split (c->cmd);
      g_auto (GStrv) stripped = NULL;
      g_autoptr (DccCompileArgs) a = NULL;
      g_autoptr (GError) error = NULL;

      if (!dcc_args_scan ((const char *const *) argv, &a, NULL))
        continue;
      /* The client rewrites outputs to job-relative names before sending. */
      stripped = dcc_args_rewrite (a, NULL, "job/out.o", a->dep_file_index >= 0 ? "job/out.d" : NULL);
      if (!dcc_args_check_server_safe ((const char *const *) stripped, &error))
        g_error ("server refuses a remote compile: %s: %s", c->cmd, error->message);
    }
}

typedef struct {
  const char *cmd;
  const char *refused;   /* NULL: accepted; else substring of the message */
} ServerCase;

static const ServerCase server_cases[] = {
  { "gcc -c -o x.o x.c", NULL },
  { "gcc -c -I/usr/include/foo -include /abs/pre.h -isystem /opt/sys --sysroot=/opt/sr -o x.o /abs/x.c", NULL },
  { "gcc -isysroot /abs/sdk -c x.c", NULL },
  { "gcc -Wp,-MMD,kernel/.fork.o.d -c -o kernel/fork.o kernel/fork.c", NULL },
  { "gcc -MD -MT x.o -MF x.o.d -o x.o -c x.c", NULL },
  { "gcc -c -save-temps -save-temps=obj -save-temps=cwd x.c", NULL },
  { "gcc -c -fstack-usage -ftest-coverage -fprofile-arcs -fprofile-use -fprofile-update=atomic x.c", NULL },
  { "gcc -c -Wa,--noexecstack,-adhln -Xassembler --64 x.c", NULL },
  { "clang -c -Xclang -fno-pch-timestamp -mllvm -x86-asm-syntax=intel x.c", NULL },
  { "gcc -c -D NAME=/abs/value -o sub/dir/x.o x.c", NULL },
  { "gcc -c --param max-inline-insns-single=500 --std=c99 x.c", NULL },
  /* outputs outside the job directory */
  { "gcc -c -o /etc/x.o x.c", "-o" },
  { "gcc -c -o/etc/x.o x.c", "-o/etc" },
  { "gcc -c -o ../../x.o x.c", "outside" },
  { "gcc -c -o a/../../x.o x.c", "outside" },
  { "gcc -c -o '' x.c", "outside" },
  { "gcc -c --output=/x.o x.c", "--output" },
  { "gcc -c --output /x.o x.c", "--output" },
  { "gcc -c -MD -MF /tmp/x.d x.c", "-MF" },
  { "gcc -c -MD -MF/tmp/x.d x.c", "-MF" },
  { "gcc -c -Wp,-MD,/tmp/x.d x.c", "/tmp/x.d" },
  { "gcc -c -Wp,-MMD,../x.d x.c", "../x.d" },
  { "gcc -c -Xpreprocessor -MD -Xpreprocessor /tmp/x.d x.c", "/tmp/x.d" },
  { "gcc -c -Wp,-o,/tmp/x.i x.c", "preprocessor output" },
  { "gcc -c -aux-info /tmp/p.h x.c", "-aux-info" },
  { "gcc -c -aux-info=/tmp/p.h x.c", "-aux-info" },
  { "gcc -c -dumpdir /tmp/ x.c", "-dumpdir" },
  { "gcc -c -dumpbase /tmp/x x.c", "-dumpbase" },
  { "clang -c -MJ /tmp/x.json x.c", "-MJ" },
  { "clang -c -ftime-trace=/tmp/t.json x.c", "-ftime-trace" },
  { "clang -c -serialize-diagnostics /tmp/d x.c", "-serialize-diagnostics" },
  { "gcc -c -Wa,-adhln=/tmp/x.lst x.c", "listing" },
  { "gcc -c -Wa,-adhln=x.lst x.c", "listing" },
  { "gcc -c -Xassembler -al=x.lst x.c", "listing" },
  { "gcc -c -Wa,--MD,/tmp/x.d x.c", "dependency" },
  { "gcc -c -Wa,-o,/tmp/x.o x.c", "output" },
  /* free-form file-writing options */
  { "gcc -c -fdump-tree-all x.c", "-fdump-tree-all" },
  { "gcc -c -fdump-rtl-all=/tmp/d x.c", "-fdump" },
  { "gcc -c --dump-tree-all x.c", "--dump-tree-all" },
  { "gcc -c -fopt-info-vec=/tmp/v x.c", "-fopt-info" },
  { "gcc -c -save-temps=/tmp x.c", "-save-temps" },
  { "gcc -c -fprofile-generate=/tmp/p x.c", "-fprofile-generate" },
  { "gcc -c -fprofile-use=/tmp/p x.c", "profile" },
  { "gcc -c -fprofile-dir=p x.c", "profile" },
  { "gcc -c -fauto-profile=/tmp/x.afdo x.c", "profile" },
  { "clang -c -fprofile-instr-use=x.profdata x.c", "profile" },
  /* other programs and code */
  { "gcc -B/tmp/evil -c x.c", "-B" },
  { "gcc -B /tmp/evil -c x.c", "-B" },
  { "gcc --prefix=/tmp/evil -c x.c", "--prefix" },
  { "gcc -specs=/tmp/evil.specs -c x.c", "-specs" },
  { "gcc --specs=evil.specs -c x.c", "--specs" },
  { "gcc --specs evil.specs -c x.c", "--specs" },
  { "gcc -fplugin=/tmp/evil.so -c x.c", "-fplugin" },
  { "gcc -fplugin-arg-evil-x=y -c x.c", "-fplugin" },
  { "gcc --plugin=evil -c x.c", "--plugin" },
  { "gcc -wrapper /bin/sh,-c -c x.c", "-wrapper" },
  { "gcc -fmodule-mapper=|evil -c x.c", "-fmodule-mapper" },
  { "gcc -fcompare-debug=-fplugin=x -c x.c", "-fcompare-debug" },
  { "gcc -iplugindir=/tmp -c x.c", "-iplugindir" },
  { "clang -fpass-plugin=/tmp/p.so -c x.c", "-fpass-plugin" },
  { "clang -Xclang -load -Xclang /tmp/p.so -c x.c", "-load" },
  { "clang -Xclang -dependency-file -Xclang /tmp/x -c x.c", "-dependency-file" },
  { "clang -Xclang -fdebug-compilation-dir -Xclang /abs -Xclang -load -Xclang p.so -c x.c", "-load" },
  /* Values are examined as arguments too: a spurious refusal, never a hidden option. */
  { "clang -Xclang -fdebug-compilation-dir -Xclang -load -c x.c", "-load" },
  { "clang -Xclang -fdebug-compilation-dir -Xclang /build -c x.c", NULL },
  { "clang -mllvm -info-output-file=/tmp/x -c x.c", "-mllvm" },
  { "clang --gcc-toolchain=/tmp/tc -c x.c", "--gcc-toolchain" },
  { "clang -ccc-gcc-name /tmp/evil -c x.c", "-ccc-gcc-name" },
  { "clang --config /tmp/evil.cfg -c x.c", "--config" },
  { "clang -working-directory /tmp -c x.c", "-working-directory" },
  { "clang -Xarch_x86_64 -fplugin=x -c x.c", "-Xarch_x86_64" },
  { "gcc -Wp,-fplugin=x -c x.c", "-fplugin" },
  /* response files, linking */
  { "gcc @/etc/passwd -c x.c", "response file" },
  { "gcc -c x.c @opts", "response file" },
  { "gcc -c -Wl,-rpath,/x x.c", "-Wl" },
  { "gcc -c -Xlinker --foo x.c", "-Xlinker" },
  { "gcc -c --for-linker=--foo x.c", "--for-linker" },
  { "gcc -c -lm x.c", "-lm" },
  { "gcc -c -L/usr/lib x.c", "-L" },
  { "gcc -c -T evil.ld x.c", "-T" },
  { "gcc -c -fuse-ld=/tmp/ld x.c", "-fuse-ld" },
};

static void
test_server_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (server_cases); i++)
    {
      const ServerCase *c = &server_cases[i];
      g_auto (GStrv) argv = split (c->cmd);
      g_autoptr (GError) error = NULL;
      gboolean ok;

      g_test_message ("%s", c->cmd);
      ok = dcc_args_check_server_safe ((const char *const *) argv, &error);
      if (c->refused == NULL)
        {
          if (!ok)
            g_error ("refused '%s': %s", c->cmd, error->message);
          g_assert_no_error (error);
        }
      else
        {
          if (ok)
            g_error ("accepted '%s', expected refusal (%s)", c->cmd, c->refused);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          if (strstr (error->message, c->refused) == NULL)
            g_error ("message '%s' lacks '%s'", error->message, c->refused);
        }
    }
}

static void
test_server_limits (void)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (64 * 1024 + 1, 'a');
  const char *long_argv[] = { "gcc", "-c", NULL, NULL };

  g_ptr_array_add (argv, g_strdup ("gcc"));
  for (int i = 0; i < 5000; i++)
    g_ptr_array_add (argv, g_strdup ("-O2"));
  g_ptr_array_add (argv, NULL);
  g_assert_false (dcc_args_check_server_safe ((const char *const *) argv->pdata, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_clear_error (&error);

  long_argv[2] = huge;
  g_assert_false (dcc_args_check_server_safe (long_argv, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_clear_error (&error);

  /* argv[0] is not examined; an empty argv is fine. */
  {
    const char *only[] = { "-B/tmp", NULL };
    const char *none[] = { NULL };
    g_assert_true (dcc_args_check_server_safe (only, &error));
    g_assert_true (dcc_args_check_server_safe (none, &error));
    g_assert_no_error (error);
  }
}

static void
test_suffixes (void)
{
  static const struct { const char *path; DccLang lang; } cases[] = {
    { "a.c", DCC_LANG_C }, { "dir.d/a.cc", DCC_LANG_CXX }, { "a.cpp", DCC_LANG_CXX },
    { "a.cxx", DCC_LANG_CXX }, { "a.c++", DCC_LANG_CXX }, { "a.C", DCC_LANG_CXX },
    { "a.cp", DCC_LANG_CXX }, { "a.CPP", DCC_LANG_CXX }, { "a.m", DCC_LANG_OBJC },
    { "a.mm", DCC_LANG_OBJCXX }, { "a.M", DCC_LANG_OBJCXX }, { "a.S", DCC_LANG_ASM_CPP },
    { "a.sx", DCC_LANG_ASM_CPP }, { "a.s", DCC_LANG_ASM }, { "a.i", DCC_LANG_C_PREPROCESSED },
    { "a.ii", DCC_LANG_CXX_PREPROCESSED }, { "a.mi", DCC_LANG_OBJC_PREPROCESSED },
    { "a.mii", DCC_LANG_OBJCXX_PREPROCESSED }, { "a.h", DCC_LANG_NONE }, { "a.o", DCC_LANG_NONE },
    { "a", DCC_LANG_NONE }, { ".c", DCC_LANG_NONE }, { "dir.c/a", DCC_LANG_NONE },
    { "a.c.o", DCC_LANG_NONE }, { "", DCC_LANG_NONE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (dcc_args_lang_from_suffix (cases[i].path), ==, cases[i].lang);
      g_assert_cmpint (dcc_args_is_source_suffix (cases[i].path), ==, cases[i].lang != DCC_LANG_NONE);
    }
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_C), ==, "c");
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_CXX), ==, "c++");
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_ASM_CPP), ==, "assembler-with-cpp");
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_C_PREPROCESSED), ==, "cpp-output");
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_CXX_PREPROCESSED), ==, "c++-cpp-output");
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_NONE), ==, "none");
  /* With the headers (the include server's view), and from -x names. */
  g_assert_cmpint (dcc_args_lang_of_file ("a.h"), ==, DCC_LANG_C_HEADER);
  g_assert_cmpint (dcc_args_lang_of_file ("a.hpp"), ==, DCC_LANG_CXX_HEADER);
  g_assert_cmpint (dcc_args_lang_of_file ("a.H"), ==, DCC_LANG_CXX_HEADER);
  g_assert_cmpint (dcc_args_lang_of_file ("a.cc"), ==, DCC_LANG_CXX);
  g_assert_cmpint (dcc_args_lang_of_file ("a.o"), ==, DCC_LANG_NONE);
  g_assert_cmpstr (dcc_args_lang_name (DCC_LANG_CXX_HEADER), ==, "c++-header");
  g_assert_cmpint (dcc_args_lang_from_name ("objc-cpp-output"), ==, DCC_LANG_OBJC_PREPROCESSED);
  g_assert_cmpint (dcc_args_lang_from_name ("c++"), ==, DCC_LANG_CXX);
  g_assert_cmpint (dcc_args_lang_from_name ("c-header"), ==, DCC_LANG_NONE);
  g_assert_cmpint (dcc_args_lang_from_name ("none"), ==, DCC_LANG_NONE);
  g_assert_false (dcc_args_lang_reads_headers (DCC_LANG_CXX_PREPROCESSED));
  g_assert_false (dcc_args_lang_reads_headers (DCC_LANG_ASM));
  g_assert_true (dcc_args_lang_reads_headers (DCC_LANG_ASM_CPP));
  g_assert_true (dcc_args_lang_reads_headers (DCC_LANG_NONE));
}

static void
test_strip_link_options (void)
{
  g_auto (GStrv) argv = split ("gcc -c -Wl,-O1 -L /usr/lib -Lx -l m -lpthread -Xlinker --as-needed "
                               "-T x.ld -z now -fuse-ld=gold -I -lnotalib -o out.o x.c");
  g_auto (GStrv) got = dcc_args_strip_link_options ((const char *const *) argv);
  g_autofree char *joined = g_strjoinv (" ", got);
  /* "-I -lnotalib": the value of -I stays even though it looks like -l. */
  g_assert_cmpstr (joined, ==, "gcc -c -I -lnotalib -o out.o x.c");
}

static void
test_rewrite (void)
{
  static const struct {
    const char *cmd, *source, *output, *dep, *want;
  } cases[] = {
    { "gcc -MD -MT x.o -MF /b/x.o.d -o /b/x.o -c /abs/x.c", "x.i", "out/x.o", "out/x.o.d",
      "gcc -MD -MT x.o -MF out/x.o.d -o out/x.o -c x.i" },
    { "gcc -MD -MF/b/x.d -o/b/x.o -c x.c -lm", NULL, "x.o", "x.d", "gcc -MD -MFx.d -ox.o -c x.c" },
    { "gcc -Wp,-MMD,/k/.fork.o.d,-MP -c -o /k/fork.o fork.c", NULL, "fork.o", "fork.d",
      "gcc -Wp,-MMD,fork.d,-MP -c -o fork.o fork.c" },
    { "gcc -MD -c src/x.c", "x.i", "x.o", "ignored.d", "gcc -MD -c x.i -o x.o" },
    { "gcc -c -o -ofoo.o x.c", NULL, "y.o", NULL, "gcc -c -o y.o x.c" },
    { "gcc -c x.c", NULL, NULL, NULL, "gcc -c x.c" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GStrv) argv = split (cases[i].cmd);
      g_autoptr (DccCompileArgs) a = NULL;
      g_auto (GStrv) got = NULL;
      g_autofree char *joined = NULL;

      g_assert_true (dcc_args_scan ((const char *const *) argv, &a, NULL));
      got = dcc_args_rewrite (a, cases[i].source, cases[i].output, cases[i].dep);
      joined = g_strjoinv (" ", got);
      g_assert_cmpstr (joined, ==, cases[i].want);
    }
}

static void
test_null_outs (void)
{
  const char *remote[] = { "gcc", "-c", "x.c", NULL };
  const char *local[] = { "gcc", "x.c", NULL };
  const char *empty[] = { NULL };
  g_autofree char *reason = NULL;

  g_assert_true (dcc_args_scan (remote, NULL, NULL));
  g_assert_false (dcc_args_scan (local, NULL, NULL));
  g_assert_false (dcc_args_scan (empty, NULL, &reason));
  g_assert_nonnull (reason);
}

/* The option table (dcc_args_option_find): exact names first, then the
 * longest joined or prefix name; a long name joins with "=" only. */
static void
test_option_table (void)
{
  static const struct {
    const char *arg;
    const char *name;     /* NULL: no entry */
    const char *joined;   /* NULL: none */
    DccOptClass cls;
  } cases[] = {
    { "-I", "-I", NULL, DCC_OPT_SEARCH_PATH },
    { "-Iinc", "-I", "inc", DCC_OPT_SEARCH_PATH },
    { "-iwithprefixbefore/x", "-iwithprefixbefore", "/x", DCC_OPT_SEARCH_PATH },
    { "-iwithprefix/x", "-iwithprefix", "/x", DCC_OPT_SEARCH_PATH },
    { "-isystem-after", "-isystem-after", NULL, DCC_OPT_SEARCH_PATH },
    { "--sysroot=/r", "--sysroot", "/r", DCC_OPT_SEARCH_PATH },
    { "--sysroot/r", NULL, NULL, DCC_OPT_OTHER },
    { "-include-pch", "-include-pch", NULL, DCC_OPT_UNSEEN_INPUT },
    { "-includea.h", "-include", "a.h", DCC_OPT_INCLUDE },
    { "-DX=1", "-D", "X=1", DCC_OPT_DEFINE },
    { "-MFdeps.d", "-MF", "deps.d", DCC_OPT_DEPENDENCY },
    { "-MD", "-MD", NULL, DCC_OPT_DEPENDENCY },
    { "-Wp,-MD,k.d", "-Wp,-MD,", NULL, DCC_OPT_DEPENDENCY },
    { "-undef", NULL, NULL, DCC_OPT_OTHER },        /* not -u */
    { "-emit-llvm", NULL, NULL, DCC_OPT_OTHER },    /* not -e */
    { "-flto", "-flto", NULL, DCC_OPT_LTO },
    { "-flto=auto", "-flto=", NULL, DCC_OPT_LTO },
    { "-flto-partition=one", NULL, NULL, DCC_OPT_OTHER },
    { "-fno-lto", NULL, NULL, DCC_OPT_OTHER },
    { "-pedantic-errors", "-pedantic", NULL, DCC_OPT_PEDANTIC },
    { "-Wpedantic", "-Wpedantic", NULL, DCC_OPT_PEDANTIC },
    { "-fmodules-ts", "-fmodules", NULL, DCC_OPT_UNSEEN_INPUT },
    { "-O2", NULL, NULL, DCC_OPT_OTHER },
    /* What the include server's compiler runs get (or not) and the builtin dirs. */
    { "-m32", "-m32", NULL, DCC_OPT_TARGET },
    { "-march=native", "-m", NULL, DCC_OPT_TARGET },
    { "-mllvm", "-mllvm", NULL, DCC_OPT_BACKEND },
    { "--target=x86_64-linux-gnu", "--target", "x86_64-linux-gnu", DCC_OPT_TARGET },
    { "-std=c99", "-std=", NULL, DCC_OPT_DIALECT },
    { "-stdlib=libc++", "-stdlib=", NULL, DCC_OPT_DIALECT },
    { "-M", "-M", NULL, DCC_OPT_DEPENDENCY },
    { "-MV", "-M", NULL, DCC_OPT_DEPENDENCY },
    { "-Wp,-MF,d", "-Wp,-M", NULL, DCC_OPT_DEPENDENCY },
    { "-Wp,-DX", "-Wp,", NULL, DCC_OPT_PREPROCESSOR },
    { "-Wl,-z,now", "-Wl,", NULL, DCC_OPT_LINK },
    { "-Wa,-g", "-Wa,", NULL, DCC_OPT_ASSEMBLER },
    { "-Wall", "-W", NULL, DCC_OPT_DIAGNOSTIC },
    { "-gsplit-dwarf", "-g", NULL, DCC_OPT_DEBUG },
    { "-gcc-toolchain", "-gcc-toolchain", NULL, DCC_OPT_TARGET },
    { "-c", "-c", NULL, DCC_OPT_DRIVER },
    { "-save-temps=obj", "-save-temps", NULL, DCC_OPT_DUMP },
    { "-fprofile-use=p.prof", "-fprofile-use", NULL, DCC_OPT_PROFILE_USE },
    { "-fprofile-update=atomic", NULL, NULL, DCC_OPT_OTHER },
    { "--coverage", "--coverage", NULL, DCC_OPT_COVERAGE },
    { "-ffile-prefix-map=/a=b", "-ffile-prefix-map=", NULL, DCC_OPT_PREFIX_MAP },
    { "-fdebug-prefix-map", NULL, NULL, DCC_OPT_OTHER },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *joined = "unset";
      const DccOption *o = dcc_args_option_find (cases[i].arg, &joined);
      g_assert_cmpstr (o ? o->name : NULL, ==, cases[i].name);
      g_assert_cmpstr (joined, ==, cases[i].joined);
      g_assert_cmpint (dcc_args_option_class (cases[i].arg), ==, cases[i].cls);
    }
  g_assert_cmpstr (dcc_args_prefix_map ("-fmacro-prefix-map=/x=."), ==, "-fmacro-prefix-map=");
  g_assert_cmpstr (dcc_args_prefix_map ("-fprofile-prefix-map="), ==, "-fprofile-prefix-map=");
  g_assert_null (dcc_args_prefix_map ("-fdebug-prefix-mapx"));
  /* The options whose path the volunteer maps into the job tree. */
  static const char *const alone[] = { "-I", "-iquote", "-isystem", "-idirafter", "-include", "-imacros",
                                       "-isysroot", "-iprefix", "-iwithprefix", "-iwithprefixbefore",
                                       "--sysroot=", "--sysroot", "-o", "-MF", "-Wp,-MD,", "-Wp,-MMD," };
  for (gsize i = 0; i < G_N_ELEMENTS (alone); i++)
    g_assert_true (dcc_args_path_option_alone (alone[i]));
  g_assert_false (dcc_args_path_option_alone ("-MT"));
  g_assert_false (dcc_args_path_option_alone ("-D"));
  g_assert_cmpuint (dcc_args_path_joined_offset ("-isystem/s"), ==, 8);
  g_assert_cmpuint (dcc_args_path_joined_offset ("-I/i"), ==, 2);
  g_assert_cmpuint (dcc_args_path_joined_offset ("--sysroot=/r"), ==, 10);
  g_assert_cmpuint (dcc_args_path_joined_offset ("-Wp,-MMD,/d"), ==, 9);
  g_assert_cmpuint (dcc_args_path_joined_offset ("-Iinc"), ==, 0);
  g_assert_cmpuint (dcc_args_path_joined_offset ("-MT/t"), ==, 0);
  g_assert_cmpuint (dcc_args_path_joined_offset ("-isystem-after/x"), ==, 0);
}

/* The paths a command line's options name for the compiler to read. */
static void
test_option_paths (void)
{
  const char *const argv[] = { "gcc", "-c", "a.c", "-Iinc", "-I", "../sep", "-isystem/sys", "-isystem", "sys2",
    "-idirafter", "after", "-iquote", "q", "-include", "pre.h", "-imacros/m.h", "--include-directory=long",
    "--include-directory", "long2", "--sysroot=/root", "-iprefix", "/p/", "-iwithprefix", "wp",
    "-Wp,-I../wp,-MD,dep.d", "-Xpreprocessor", "-I/xp", "-o", "../out.o", "-MF", "dep.d", "-D", "-I/notapath",
    "-include-pch", "x.pch", "-L../lib", NULL };
  static const char *const want[] = { "-I", "inc", "-I", "../sep", "-isystem", "/sys", "-isystem", "sys2",
    "-idirafter", "after", "-iquote", "q", "-include", "pre.h", "-imacros", "/m.h", "-I", "long",
    "-I", "long2", "--sysroot", "/root", "-iprefix", "/p/", "-iwithprefix", "wp", "-I", "../wp", "-I", "/xp", NULL };
  g_autoptr(GPtrArray) got = dcc_args_option_paths (argv);
  GString *all = g_string_new (NULL);
  for (guint i = 0; i < got->len; i++)
    g_string_append_printf (all, "%s ", (char *) got->pdata[i]);
  g_test_message ("option paths: %s", all->str);
  g_string_free (all, TRUE);
  g_assert_cmpuint (got->len, ==, g_strv_length ((char **) want));
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, want[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/args/scan-table", test_scan_table);
  g_test_add_func ("/args/scan-agrees-with-server", test_scan_agrees_with_server);
  g_test_add_func ("/args/server-table", test_server_table);
  g_test_add_func ("/args/server-limits", test_server_limits);
  g_test_add_func ("/args/suffixes", test_suffixes);
  g_test_add_func ("/args/strip-link-options", test_strip_link_options);
  g_test_add_func ("/args/rewrite", test_rewrite);
  g_test_add_func ("/args/null-outs", test_null_outs);
  g_test_add_func ("/args/option-table", test_option_table);
  g_test_add_func ("/args/option-paths", test_option_paths);
  return g_test_run ();
}
