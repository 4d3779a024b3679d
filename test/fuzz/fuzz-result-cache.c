/* libFuzzer: the result cache's pure checks over any bytes: the text scan
 * of inputs (dcc_result_scan_text), the stored-reply check
 * (dcc_result_reply_well_formed) and the command-line rules
 * (dcc_result_uncacheable_args, argv split at NUL bytes), the working
 * directory's rules on that argv (result-cwd.h) and the rebasing of a
 * stored reply's output names. Built and run by test/fuzz/run. */
#include "result-cache.h"
#include "result-cwd.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_ARGS 256

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint flags = dcc_result_scan_text (data, size);
  const char *const with_epoch[] = { "SOURCE_DATE_EPOCH=1", NULL };
  (void) dcc_result_text_verdict (flags, (size & 1) ? with_epoch : NULL);
  (void) dcc_result_reply_well_formed (data, size);
  (void) dcc_result_names_temp_file (data, size, "/tmp");
  for (int to_relative = 0; to_relative < 2; to_relative++)
    {
      GByteArray *r = dcc_result_reply_rebase (data, size, "/home/u/p", to_relative);
      if (r)
        g_byte_array_unref (r);
    }

  g_autofree char *text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';
  const char *argv[MAX_ARGS + 1];
  guint n = 0;
  for (size_t i = 0; i <= size && n < MAX_ARGS; )
    {
      argv[n++] = text + i;
      i += strlen (text + i) + 1;
    }
  argv[n] = NULL;
  (void) dcc_result_uncacheable_args (argv, (size & 2) ? with_epoch : NULL);
  if (n >= 2)
    {
      g_autoptr(DccRequest) req = dcc_request_new ();
      req->mode = DCC_MODE_PLAIN;
      req->cwd = g_strdup ("/home/u/p");
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (req->argv, g_strdup (argv[i]));
      g_ptr_array_add (req->argv, NULL);
      if (!dcc_result_cwd_reaches (req))
        (void) dcc_result_cwd_texts_verdict (req, &flags);
      for (guint i = 1; i < n; i++)
        g_free (dcc_result_cwd_arg_form (argv[i], req->cwd));
    }
  return 0;
}
