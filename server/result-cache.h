/* The volunteer's result cache (doc/result-cache.md).
 *
 * A compile's whole reply (STAT, SOUT, SERR, every OUTF, DONE) is kept as
 * one object of the content store, under the store's budget and eviction,
 * and named by a key (dcc_store_result_set) that digests everything the
 * compiler sees: this distccd's key version, the resolved compiler and the
 * volunteer's identity of it, the mode, the command line as sent, the
 * client's working directory, the client variables passed to the compiler,
 * distccd's PATH, the builtin include dirs and pre-includes, and the inputs:
 * in pump mode every manifest entry (kind, mode, size, content digest,
 * path, symlink target), in plain mode the source name and the digest of
 * the preprocessed text. A request with the same key gets the stored reply
 * (after CHIT) without a compiler run, and in pump mode before any upload.
 *
 * Only this volunteer's own compiles make results; a client sends inputs,
 * never results. Results that are not a function of the key are never
 * stored (dcc_result_uncacheable_args, dcc_result_scan_text): see
 * doc/result-cache.md for the list.
 *
 * Pure functions (key, rules, scan) are separate from the store I/O, for
 * the unit tests and the fuzz harness. */
#pragma once
#include <glib.h>
#include "dcc-hash.h"
#include "dcc-request.h"
#include "file-store.h"

/* Bump when what distccd runs for a given request changes (the command
 * line mapping, the environment, the sandbox's view), or which results
 * may be kept (3: the text scan sees names split by backslash-newline):
 * old results then become unreachable and age out. */
#define DCC_RESULT_KEY_VERSION 3u

typedef struct {
  const DccRequest   *req;
  const char         *compiler;     /* the binary distccd runs */
  const char         *compiler_id;  /* the volunteer's identity of it (dcc-compiler-id.h) */
  const char *const  *env;          /* the client's NAME=VALUE the compiler gets, in order */
  const char         *daemon_path;  /* the PATH the compiler gets (NULL: none) */
  gboolean            relative;     /* the working directory left out: closure paths under it keyed
                                     * relative to it, prefix maps of exactly it without it (only
                                     * when dcc_result_cwd_reaches said it cannot reach the output) */
} DccResultKeyInput;

/* Pure: the key of a request. A relative key never equals an absolute
 * one (the kind is serialised first). */
void dcc_result_key (const DccResultKeyInput *in, DccHash *key);

/* Pure: why a command line's result must not be cached (a static string),
 * or NULL. env is the forwarded NAME=VALUE list (SOURCE_DATE_EPOCH). */
const char *dcc_result_uncacheable_args (const char *const *argv, const char *const *env);

typedef enum {
  DCC_RESULT_TEXT_DATE_TIME        = 1 << 0,  /* __DATE__ or __TIME__ */
  DCC_RESULT_TEXT_TIMESTAMP        = 1 << 1,  /* __TIMESTAMP__ */
  DCC_RESULT_TEXT_ABSOLUTE_INCLUDE = 1 << 2,  /* #include "/..." or <...>, .incbin "/..." */
  DCC_RESULT_TEXT_SYSTEM_HEADER    = 1 << 3,  /* "system_header" (#pragma GCC system_header) */
} DccResultTextFlags;
/* Bits 8-15 of the flags: the most ".." components of one path-like run
 * of the text (bytes other than blanks, quotes and angle brackets),
 * capped at 255: how far an #include "../x" in it can climb. */
#define DCC_RESULT_TEXT_CLIMB_SHIFT 8
#define DCC_RESULT_TEXT_CLIMB(flags) (((flags) >> DCC_RESULT_TEXT_CLIMB_SHIFT) & 0xffu)

/* Pure: what an input text uses that can make a result depend on more than
 * the key, or on where the working directory is (result-cwd.h). Bounded
 * by len; any bytes. */
guint dcc_result_scan_text (const guint8 *text, gsize len);
/* Why texts with these flags (from dcc_result_scan_text) make a result
 * uncacheable given the forwarded environment, or NULL. */
const char *dcc_result_text_verdict (guint flags, const char *const *env);

/* Pure: TRUE when text (a compiler's messages) names a file directly in
 * tmp_dir (tmp_dir + "/" + a name without "/"), as assemblers name the
 * compiler's temporary files (/tmp/ccXXXXXX.s): random names. Paths
 * deeper under tmp_dir (a project in /tmp/build/) do not count. */
gboolean dcc_result_names_temp_file (const guint8 *text, gsize len, const char *tmp_dir);

/* Pure: TRUE when reply is a whole reply of ours: frames up to a final
 * DONE, STAT first, nothing after. Decompresses nothing. */
gboolean dcc_result_reply_well_formed (const guint8 *reply, gsize len);

/* Pure: reply (whole, well formed) with each OUTF path rebased: to_relative,
 * paths under cwd become "./" + the rest (a form no client path has);
 * else "./" paths become cwd + the rest. A new array, or NULL when a frame
 * does not decode (or, back to absolute, a path is relative otherwise).
 * Results stored under a key without the working directory keep their
 * output names this way. */
GByteArray *dcc_result_reply_rebase (const guint8 *reply, gsize len, const char *cwd, gboolean to_relative);

/* The stored reply for key with CHIT in front, ready to send, or NULL
 * (a miss: nothing stored, evicted, or unreadable). rebase_cwd: the key
 * leaves the working directory out; output names are made absolute under
 * rebase_cwd (the requester's). */
GByteArray *dcc_result_cache_lookup (DccStore *store, const DccHash *key, const char *rebase_cwd);
/* Stores reply (as encoded by dcc_compile_job_run) as the result for key;
 * rebase_cwd: the key leaves the working directory out, output names
 * under it are kept relative to it. FALSE with error when the store cannot
 * keep it (too large, full: then nothing is named). */
gboolean dcc_result_cache_save (DccStore *store, const DccHash *key, const GByteArray *reply,
                                const char *rebase_cwd, GError **error);
