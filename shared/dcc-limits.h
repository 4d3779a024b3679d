/* Every bound on untrusted input, in one place, beside nothing else.
 * A peer that exceeds one of these is refused, never accommodated. */
#pragma once

#define DCC_PROTOCOL_VERSION      1u
#define DCC_DEFAULT_PORT          3632

#define DCC_MAX_FRAME             (64u * 1024 * 1024)  /* one frame's payload */
#define DCC_MAX_ARGS              4096u               /* argv entries per job */
#define DCC_MAX_ARG_LEN           (64u * 1024)         /* one argv entry */
#define DCC_MAX_PATH_LEN          4096u                /* a client path */
#define DCC_MAX_NAME_LEN          255u                 /* one path component */
#define DCC_MAX_PATH_DEPTH        256u                 /* components in a path */
#define DCC_MAX_MANIFEST_ENTRIES  65536u               /* files+dirs+links per job */
#define DCC_MAX_MANIFEST_BYTES    (32u * 1024 * 1024)  /* the manifest, decompressed */
#define DCC_MAX_FILE_SIZE         (256u * 1024 * 1024) /* one source/header/object */
#define DCC_DEFAULT_JOB_INPUT_SIZE (128u * 1024 * 1024) /* a job's files in total, decompressed
                                                        * (distccd --job-input-size) */
#define DCC_DIR_INPUT_COST        4096u               /* each directory a job's tree holds, counted
                                                        * against --job-input-size as bytes */
#define DCC_MAX_OUTPUT_FILES      64u                  /* files one job returns */
#define DCC_DEFAULT_JOB_OUTPUT_SIZE DCC_MAX_FRAME      /* a job's output files in total, as written
                                                        * (distccd --job-output-size) */
#define DCC_MAX_REPLY_OUTPUTS     (256u * 1024 * 1024) /* a reply's output files in total,
                                                        * decompressed: what a client holds */
#define DCC_MAX_STREAM_SIZE       (16u * 1024 * 1024)  /* stdout or stderr */
#define DCC_MAX_ENV_VARS          64u
#define DCC_MAX_SYSDIRS           64u                  /* builtin include dirs per job */

#define DCC_DEFAULT_IO_TIMEOUT    300                  /* seconds, DISTCC_IO_TIMEOUT */
#define DCC_DEFAULT_BACKOFF       60                   /* seconds, DISTCC_BACKOFF_PERIOD */
