/* Client path validation and lexical normalisation; see dcc-path.h. */
#include "dcc-path.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <string.h>

/* How much of an offending path an error message quotes. */
#define PATH_MSG_MAX 200

typedef struct {
  const char *p;
  gsize n;
} Comp;

/* An escaped, truncated copy of (possibly unterminated) bytes for a message. */
static char *
for_msg (const char *s, gsize len)
{
  g_autofree char *copy = g_strndup (s, MIN (len, (gsize) PATH_MSG_MAX + 1));
  return dcc_escape_for_log (copy, PATH_MSG_MAX);
}

static gboolean
is_control (guchar c)
{
  return c < 0x20 || c == 0x7f;
}

static gboolean
is_dot (const char *p, gsize n)
{
  return n == 1 && p[0] == '.';
}

static gboolean
is_dotdot (const char *p, gsize n)
{
  return n == 2 && p[0] == '.' && p[1] == '.';
}

/* Finds the next component of s[0..len) at or after *pos; FALSE at the end. */
static gboolean
next_comp (const char *s, gsize len, gsize *pos, Comp *out)
{
  gsize i = *pos;
  while (i < len && s[i] == '/')
    i++;
  if (i == len)
    {
      *pos = i;
      return FALSE;
    }
  gsize start = i;
  while (i < len && s[i] != '/')
    i++;
  out->p = s + start;
  out->n = i - start;
  *pos = i;
  return TRUE;
}

/* Bytes every path and target must satisfy: no NUL or control character,
 * components no longer than DCC_MAX_NAME_LEN. */
static gboolean
check_bytes (const char *what, const char *s, gsize len, GError **error)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];
      if (c == '\0')
        {
          g_autofree char *m = for_msg (s, len);
          return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s”: contains a NUL byte at offset %"
                           G_GSIZE_FORMAT, what, m, i);
        }
      if (is_control (c))
        {
          g_autofree char *m = for_msg (s, len);
          return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s”: contains control character 0x%02x",
                           what, m, c);
        }
    }
  gsize pos = 0;
  Comp c;
  while (next_comp (s, len, &pos, &c))
    if (c.n > DCC_MAX_NAME_LEN)
      {
        g_autofree char *m = for_msg (s, len);
        return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s”: a component is longer than %u bytes",
                         what, m, DCC_MAX_NAME_LEN);
      }
  return TRUE;
}

gboolean
dcc_path_check_client (const char *path, gsize len, GError **error)
{
  g_return_val_if_fail (path != NULL || len == 0, FALSE);

  if (len == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "client path is empty");
  if (len > DCC_MAX_PATH_LEN)
    return dcc_fail (error, DCC_ERROR_REFUSED, "client path is %" G_GSIZE_FORMAT
                     " bytes, more than %u", len, DCC_MAX_PATH_LEN);
  if (path[0] != '/')
    {
      g_autofree char *m = for_msg (path, len);
      return dcc_fail (error, DCC_ERROR_REFUSED, "client path “%s” is not absolute", m);
    }
  if (!check_bytes ("client path", path, len, error))
    return FALSE;

  gsize pos = 0, depth = 0;
  Comp c;
  while (next_comp (path, len, &pos, &c))
    {
      if (is_dot (c.p, c.n) || is_dotdot (c.p, c.n))
        {
          g_autofree char *m = for_msg (path, len);
          return dcc_fail (error, DCC_ERROR_REFUSED, "client path “%s”: “%s” component not allowed",
                           m, c.n == 1 ? "." : "..");
        }
      if (++depth > DCC_MAX_PATH_DEPTH)
        {
          g_autofree char *m = for_msg (path, len);
          return dcc_fail (error, DCC_ERROR_REFUSED, "client path “%s” has more than %u components",
                           m, DCC_MAX_PATH_DEPTH);
        }
    }
  return TRUE;
}

gboolean
dcc_path_is_canonical_dir (const char *p)
{
  if (!p || p[0] != '/' || p[1] == '\0')
    return FALSE;
  for (const char *c = p; *c; )
    {
      c++;                                 /* past '/' */
      const char *e = strchrnul (c, '/');
      gsize n = (gsize) (e - c);
      if (n == 0 || is_dot (c, n) || is_dotdot (c, n))
        return FALSE;
      c = e;
    }
  return TRUE;
}

/* "/" + components joined by "/". */
static char *
join (const GArray *stack)
{
  if (stack->len == 0)
    return g_strdup ("/");
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < stack->len; i++)
    {
      const Comp *c = &g_array_index (stack, Comp, i);
      g_string_append_c (s, '/');
      g_string_append_len (s, c->p, (gssize) c->n);
    }
  return g_string_free (s, FALSE);
}

/* Applies the components of s to stack: "." and empty ones are dropped,
 * ".." pops. When a ".." finds the stack empty, returns FALSE if strict,
 * otherwise stays at "/". */
static gboolean
apply (GArray *stack, const char *s, gsize len, gboolean strict)
{
  gsize pos = 0;
  Comp c;
  while (next_comp (s, len, &pos, &c))
    {
      if (is_dot (c.p, c.n))
        continue;
      if (is_dotdot (c.p, c.n))
        {
          if (stack->len == 0)
            {
              if (strict)
                return FALSE;
              continue;
            }
          g_array_set_size (stack, stack->len - 1);
          continue;
        }
      g_array_append_val (stack, c);
    }
  return TRUE;
}

/* Whether every component of s[0..len) (after a leading '/') is non-empty
 * and not ".", and s does not end in '/'. */
static gboolean
components_plain (const char *s, gsize len)
{
  if (len == 0 || s[len - 1] == '/')
    return FALSE;
  gsize start = s[0] == '/' ? 1 : 0;
  for (gsize i = start; i <= len; i++)
    if (i == len || s[i] == '/')
      {
        if (i == start || is_dot (s + start, i - start))
          return FALSE;
        start = i + 1;
      }
  return TRUE;
}

/* The rule for a path with "..": absolute (dir[0] == '/'), its ".." never
 * above "/", and never stepping back out of one of symlinks (normalised
 * absolute paths; may be NULL): the kernel would go where the string does
 * not. m is dir for messages, what its kind. */
static gboolean
check_climb (const char *what, const char *dir, gsize len, const char *m, GHashTable *symlinks, GError **error)
{
  /* The last "..": components before it are stepped back out of. */
  const char *last_up = NULL;
  for (const char *q = strstr (dir, "/.."); q; q = strstr (q + 1, "/.."))
    if (q[3] == '/' || q[3] == '\0')
      last_up = q;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Comp));
  gsize pos = 0, steps = 0;
  Comp c;
  while (next_comp (dir, len, &pos, &c))
    {
      if (++steps > DCC_MAX_PATH_DEPTH)
        return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s” has more than %u components",
                         what, m, DCC_MAX_PATH_DEPTH);
      if (is_dotdot (c.p, c.n))
        {
          if (stack->len == 0)
            return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s” climbs above “/”", what, m);
          g_array_set_size (stack, stack->len - 1);
          continue;
        }
      g_array_append_val (stack, c);
      if (symlinks && last_up && c.p < last_up)
        {
          g_autofree char *here = join (stack);
          if (g_hash_table_contains (symlinks, here))
            {
              g_autofree char *hm = dcc_escape_for_log (here, PATH_MSG_MAX);
              return dcc_fail (error, DCC_ERROR_REFUSED, "%s “%s” steps back with "
                               "“..” out of the symlink “%s”", what, m, hm);
            }
        }
    }
  return TRUE;
}


gboolean
dcc_path_check_sysdir (const char *dir, GHashTable *symlinks, GError **error)
{
  g_return_val_if_fail (dir != NULL, FALSE);
  gsize len = strlen (dir);
  g_autofree char *m = for_msg (dir, len);
  if (len == 0 || dir[0] != '/' || len > DCC_MAX_PATH_LEN)
    return dcc_fail (error, DCC_ERROR_REFUSED, "builtin include directory “%s” is not an absolute path"
                     " of at most %u bytes", m, DCC_MAX_PATH_LEN);
  if (!check_bytes ("builtin include directory", dir, len, error))
    return FALSE;
  if (len == 1 || !components_plain (dir, len))
    return dcc_fail (error, DCC_ERROR_REFUSED, "builtin include directory “%s” is not in canonical form"
                     " (“/”, an empty or “.” component, or a trailing “/”)", m);
  return check_climb ("builtin include directory", dir, len, m, symlinks, error);
}

gboolean
dcc_path_check_implicit_include (const char *name, GError **error)
{
  g_return_val_if_fail (name != NULL, FALSE);
  gsize len = strlen (name);
  g_autofree char *m = for_msg (name, len);
  if (len == 0 || len > DCC_MAX_PATH_LEN || name[0] == '/' || name[0] == '-')
    return dcc_fail (error, DCC_ERROR_REFUSED, "implicit include “%s” is not a relative name of at most %u bytes",
                     m, DCC_MAX_PATH_LEN);
  if (!check_bytes ("implicit include", name, len, error))
    return FALSE;
  gsize pos = 0, depth = 0;
  Comp c;
  while (next_comp (name, len, &pos, &c))
    if (is_dotdot (c.p, c.n) || ++depth > DCC_MAX_PATH_DEPTH)
      return dcc_fail (error, DCC_ERROR_REFUSED, "implicit include “%s” climbs with “..” or is too deep", m);
  if (!components_plain (name, len))
    return dcc_fail (error, DCC_ERROR_REFUSED, "implicit include “%s” is not in canonical form"
                     " (an empty or “.” component, or a trailing “/”)", m);
  return TRUE;
}

gboolean
dcc_path_check_symlink (const char *link_path, const char *target,
                        char **resolved, GError **error)
{
  g_return_val_if_fail (link_path != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  gsize link_len = strlen (link_path);
  if (!dcc_path_check_client (link_path, link_len, error))
    return FALSE;

  g_autofree char *lm = for_msg (link_path, link_len);
  gsize target_len = strlen (target);
  if (target_len == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s”: empty target", lm);
  if (target_len > DCC_MAX_PATH_LEN)
    return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s”: target is %" G_GSIZE_FORMAT
                     " bytes, more than %u", lm, target_len, DCC_MAX_PATH_LEN);
  if (!check_bytes ("symlink target", target, target_len, error))
    return FALSE;

  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Comp));
  apply (stack, link_path, link_len, TRUE);  /* checked: no "." or ".." */
  if (stack->len == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s”: “/” cannot be a symlink", lm);
  g_array_set_size (stack, stack->len - 1);  /* dirname */
  if (target[0] == '/')
    g_array_set_size (stack, 0);

  if (!apply (stack, target, target_len, TRUE))
    {
      g_autofree char *tm = for_msg (target, target_len);
      return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s” -> “%s”: target climbs above “/”",
                       lm, tm);
    }
  if (stack->len > DCC_MAX_PATH_DEPTH)
    {
      g_autofree char *tm = for_msg (target, target_len);
      return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s” -> “%s”: target has more than %u components",
                       lm, tm, DCC_MAX_PATH_DEPTH);
    }
  g_autofree char *out = join (stack);
  if (strlen (out) > DCC_MAX_PATH_LEN)
    {
      g_autofree char *tm = for_msg (target, target_len);
      return dcc_fail (error, DCC_ERROR_REFUSED, "symlink “%s” -> “%s”: resolved target longer than %u bytes",
                       lm, tm, DCC_MAX_PATH_LEN);
    }
  if (resolved != NULL)
    *resolved = g_steal_pointer (&out);
  return TRUE;
}

char *
dcc_path_normalize (const char *cwd, const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Comp));
  if (path[0] != '/' && cwd != NULL)
    apply (stack, cwd, strlen (cwd), FALSE);
  apply (stack, path, strlen (path), FALSE);
  return join (stack);
}

GStrv
dcc_path_split (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  gsize len = strlen (path), pos = 0;
  Comp c;
  while (next_comp (path, len, &pos, &c))
    g_ptr_array_add (out, g_strndup (c.p, c.n));
  g_ptr_array_add (out, NULL);
  g_ptr_array_set_free_func (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

char *
dcc_path_relative (const char *dir, const char *path)
{
  g_return_val_if_fail (dir != NULL && path != NULL, NULL);

  g_auto(GStrv) d = dcc_path_split (dir);
  g_auto(GStrv) p = dcc_path_split (path);
  guint nd = g_strv_length (d), np = g_strv_length (p), k = 0;
  while (k < nd && k < np && strcmp (d[k], p[k]) == 0)
    k++;

  GString *s = g_string_new (NULL);
  for (guint i = k; i < nd; i++)
    g_string_append (s, s->len ? "/.." : "..");
  for (guint i = k; i < np; i++)
    {
      if (s->len)
        g_string_append_c (s, '/');
      g_string_append (s, p[i]);
    }
  if (s->len == 0)
    g_string_append_c (s, '.');
  return g_string_free (s, FALSE);
}

gboolean
dcc_path_check_option_path (const char *option, const char *cwd, const char *path, GHashTable *symlinks,
                            GError **error)
{
  g_return_val_if_fail (option != NULL && path != NULL, FALSE);
  if (path[0] != '/' && (!cwd || cwd[0] != '/'))
    return dcc_fail (error, DCC_ERROR_REFUSED, "%s: a relative path without an absolute working directory", option);
  /* The path the compiler opens, with "//" and "." left out (no-ops for
   * the kernel too); ".." is kept for check_climb. */
  g_autofree char *joined = path[0] == '/' ? g_strdup (path) : g_strconcat (cwd, "/", path, NULL);
  if (strlen (joined) > 2 * DCC_MAX_PATH_LEN + DCC_MAX_ARG_LEN)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s: path too long", option);
  GString *plain = g_string_sized_new (strlen (joined) + 1);
  gsize pos = 0, len = strlen (joined);
  Comp c;
  while (next_comp (joined, len, &pos, &c))
    if (!is_dot (c.p, c.n))
      {
        g_string_append_c (plain, '/');
        g_string_append_len (plain, c.p, (gssize) c.n);
      }
  if (plain->len == 0)
    g_string_append_c (plain, '/');
  g_autofree char *p = g_string_free (plain, FALSE);
  g_autofree char *what = g_strdup_printf ("%s path", option);
  g_autofree char *m = for_msg (path, strlen (path));
  return check_climb (what, p, strlen (p), m, symlinks, error);
}
