/* libFuzzer harness for the header scan's lexer (includeserver/directive-lex.c)
 * and the scan over its tokens (dcc_scanner_scan).
 *
 * Built and run by test/fuzz/run (e.g. `test/fuzz/run 60 directive-lex`),
 * from the seeds in test/fuzz/corpus/directive-lex/.
 *
 * The input is a header's bytes, lexed as C and as C++. Besides the
 * sanitizers, the harness traps when tokens are not in order, overlap, or
 * leave the buffer. */
#include "directive-lex.h"
#include "clang-scan.h"
#include <stdint.h>

#define CHECK(cond) do { if (!(cond)) __builtin_trap (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static DccScanner *scanner;
  if (!scanner)
    scanner = dcc_scanner_new ();
  for (int cplusplus = 0; cplusplus < 2; cplusplus++)
    {
      g_autoptr(GArray) toks = g_array_new (FALSE, FALSE, sizeof (DccLexTok));
      dcc_directive_lex ((const char *) data, size, cplusplus, toks);
      gsize prev = 0;
      for (guint i = 0; i < toks->len; i++)
        {
          const DccLexTok *t = &g_array_index (toks, DccLexTok, i);
          CHECK (t->start >= prev && t->start < t->end && t->end <= size);
          prev = t->end;
        }
      g_autoptr(DccScanResult) r = NULL;
      CHECK (dcc_scanner_scan (scanner, "/fuzz.h", data, size, cplusplus, &r, NULL));
    }
  return 0;
}
