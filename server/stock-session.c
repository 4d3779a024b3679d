#include "stock-session.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include "dcc-stock-wire.h"
#include "dcc-wire.h"
#include <string.h>

/* The suffix stock distccd gives a preprocessed source (its
 * dcc_preproc_exten): what the compiler takes as already preprocessed. */
static const char *
preprocessed_suffix (DccLang lang)
{
  switch (lang)
    {
    case DCC_LANG_C:
    case DCC_LANG_C_PREPROCESSED:
      return ".i";
    case DCC_LANG_CXX:
    case DCC_LANG_CXX_PREPROCESSED:
      return ".ii";
    case DCC_LANG_OBJC:
    case DCC_LANG_OBJC_PREPROCESSED:
      return ".mi";
    case DCC_LANG_OBJCXX:
    case DCC_LANG_OBJCXX_PREPROCESSED:
      return ".mii";
    case DCC_LANG_ASM:
    case DCC_LANG_ASM_CPP:
      return ".s";
    default:
      return NULL;
    }
}

gboolean
dcc_stock_session_adapt (DccRequest *req, GError **error)
{
  g_return_val_if_fail (req->stock_protover != 0, FALSE);
  g_autoptr(DccCompileArgs) a = NULL;
  g_autofree char *local_reason = NULL;
  if (!dcc_args_scan ((const char *const *) req->argv->pdata, &a, &local_reason))
    return dcc_fail (error, DCC_ERROR_REFUSED, "this compile cannot run remotely: %s", local_reason);
  if (a->dep_file)
    return dcc_fail (error, DCC_ERROR_REFUSED, "the stock protocol returns only the object, and this compile "
                     "also writes a dependency file (%s)", a->dep_file);
  if (a->side_outputs && a->side_outputs->len > 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "the stock protocol returns only the object, and this compile "
                     "also writes %s", (const char *) a->side_outputs->pdata[0]);
  const char *suffix = preprocessed_suffix (a->lang);
  if (!suffix)
    return dcc_fail (error, DCC_ERROR_REFUSED, "no preprocessed form for the source's language");

  /* STEM: the source's base name without its suffix (for the log and the
   * compiler's messages; the line markers of the text name the original). */
  g_autofree char *base = g_path_get_basename (((char **) req->argv->pdata)[a->source_index]);
  char *dot = strrchr (base, '.');
  if (dot)
    *dot = '\0';
  const char *stem = base[0] && strcmp (base, ".") != 0 && strcmp (base, "/") != 0 ? base : "input";
  g_autofree char *source = g_strconcat (stem, suffix, NULL);
  g_autofree char *output = g_strconcat (stem, a->assemble_only ? ".s" : ".o", NULL);
  if (strcmp (source, output) == 0)
    {
      g_free (output);
      output = g_strdup ("output.s");
    }
  g_auto(GStrv) argv = dcc_args_rewrite (a, source, output, NULL);

  g_ptr_array_set_size (req->argv, 0);
  for (char **p = argv; *p; p++)
    g_ptr_array_add (req->argv, g_strdup (*p));
  g_ptr_array_add (req->argv, NULL);
  g_free (req->cwd);
  req->cwd = g_strdup (DCC_STOCK_JOB_CWD);
  g_free (req->source_name);
  req->source_name = g_steal_pointer (&source);
  return TRUE;
}

gboolean
dcc_stock_session_reply (const DccRequest *req, const guint8 *ours, gsize len, GByteArray *out, GError **error)
{
  g_autoptr(DccReply) r = dcc_reply_new ();
  gsize off = 0;
  while (!r->complete)
    {
      DccFrame f;
      gsize used;
      DccWireResult w = dcc_wire_decode_at (ours, len, off, DCC_MAX_FRAME, &f, &used, error);
      if (w == DCC_WIRE_ERROR)
        return FALSE;
      if (w == DCC_WIRE_NEED_MORE)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "the job's reply is incomplete");
      off += used;
      if (!dcc_reply_feed (r, &f, error))
        return FALSE;
      if (r->error_message)
        return dcc_fail (error, DCC_ERROR_FAILED, "%s", r->error_message);
    }

  /* Our status is the exit code, or 256 + the signal; stock's is a wait status. */
  int wait_status = r->status >= 256 ? r->status - 256 : r->status << 8;
  GBytes *obj = NULL;
  if (r->status == 0)
    {
      g_autoptr(DccCompileArgs) a = NULL;
      if (!dcc_args_scan ((const char *const *) req->argv->pdata, &a, NULL))
        return dcc_fail (error, DCC_ERROR_FAILED, "the adapted command line does not scan");
      g_autofree char *want = dcc_path_normalize (req->cwd, a->output);
      for (guint i = 0; i < r->files->len && !obj; i++)
        {
          DccOutputFile *f = r->files->pdata[i];
          if (strcmp (f->path, want) == 0)
            obj = f->data;
        }
      if (!obj)
        return dcc_fail (error, DCC_ERROR_FAILED, "the compile succeeded without writing %s", want);
    }
  gsize err_len = 0, out_len = 0, obj_len = 0;
  const void *err_data = r->err ? g_bytes_get_data (r->err, &err_len) : NULL;
  const void *out_data = r->out ? g_bytes_get_data (r->out, &out_len) : NULL;
  const void *obj_data = obj ? g_bytes_get_data (obj, &obj_len) : NULL;
  dcc_stock_reply_encode (out, req->stock_protover, wait_status, err_data, err_len, out_data, out_len,
                          obj_data, obj_len, NULL, 0);
  return TRUE;
}
