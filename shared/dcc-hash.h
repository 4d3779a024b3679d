/* Content digests: XXH3-128 over file bytes. Not collision-resistant;
 * see doc/protocol.md for who may share a cache. */
#pragma once
#include <glib.h>

#define DCC_HASH_LEN     16
#define DCC_HASH_HEX_LEN 32

typedef struct { guint8 bytes[DCC_HASH_LEN]; } DccHash;

void     dcc_hash_bytes (const void *data, gsize len, DccHash *out);
/* Hashes a whole file by path (reads it; mmap for large ones). FALSE + error on I/O failure. */
gboolean dcc_hash_file (const char *path, DccHash *out, guint64 *size_out, GError **error);
/* Writes 32 lowercase hex digits plus NUL into hex[33]. */
void     dcc_hash_to_hex (const DccHash *hash, char hex[DCC_HASH_HEX_LEN + 1]);
/* Parses exactly 32 hex digits; FALSE on anything else. */
gboolean dcc_hash_from_hex (const char *hex, DccHash *out);
gboolean dcc_hash_equal (const DccHash *a, const DccHash *b);
guint    dcc_hash_hash (gconstpointer hash);           /* GHashTable adaptors */
gboolean dcc_hash_equal_func (gconstpointer a, gconstpointer b);

/* For GHashTables keyed by paths: XXH3 over the bytes, several times
 * faster than g_str_hash on paths of 60-100 bytes, the include server's
 * usual keys. Use with g_str_equal. */
guint dcc_str_hash (gconstpointer s);
