/* libFuzzer: the input as a records file (dcc_build_records_parse) and as
 * the include server's counters file (dcc_is_stats_parse). Every record
 * that parses formats to a line that parses again, to the same line. */
#include "dcc-build-record.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint skipped = 0;
  g_autoptr(GPtrArray) a = dcc_build_records_parse ((const char *) data, size, &skipped);
  for (guint i = 0; i < a->len; i++)
    {
      const DccBuildRecord *r = a->pdata[i];
      g_autofree char *line = dcc_build_record_format (r);
      gsize len = strlen (line);
      if (len == 0 || len > DCC_RECORD_MAX_LINE || line[len - 1] != '\n')
        abort ();
      g_autoptr(DccBuildRecord) again = dcc_build_record_parse (line, len - 1, NULL);
      if (!again)
        abort ();
      g_autofree char *line2 = dcc_build_record_format (again);
      if (strcmp (line, line2) != 0)
        abort ();
      (void) dcc_build_record_slot_end (r);
    }
  DccIsStats s;
  if (dcc_is_stats_parse ((const char *) data, size, &s, NULL))
    {
      g_autofree char *text = dcc_is_stats_format (&s);
      DccIsStats s2;
      if (!dcc_is_stats_parse (text, strlen (text), &s2, NULL) || memcmp (&s, &s2, sizeof s) != 0)
        abort ();
    }
  return 0;
}
