/* libFuzzer: the input as a reused job tree's state file
 * (dcc_tree_state_decode); what decodes must encode back to itself. */
#include "tree-state.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GHashTable *state = dcc_tree_state_decode (data, size, NULL);
  if (state == NULL)
    return 0;
  GByteArray *again = g_byte_array_new ();
  dcc_tree_state_encode (state, again);
  GHashTable *round = dcc_tree_state_decode (again->data, again->len, NULL);
  if (round == NULL || g_hash_table_size (round) != g_hash_table_size (state))
    __builtin_trap ();
  g_hash_table_unref (round);
  g_byte_array_unref (again);
  g_hash_table_unref (state);
  return 0;
}
