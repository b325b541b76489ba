/* credport CLI — text from the ledger, partners and files, escaped for
 * human output (cp_text_escape, credport/text.h). JSON output is never
 * escaped this way: JSON escapes control characters itself, and a reader of
 * JSON gets the exact text. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credport/text.h"

void cli_put_text(FILE *f, const char *p, size_t n) {
  char small[256];
  size_t need = cp_text_escape(p, n, small, sizeof small);
  if (need < sizeof small) {
    fputs(small, f);
    return;
  }
  char *big = malloc(need + 1);
  if (big == NULL) {
    fputs(small, f); /* cut, but every piece in it whole */
    fputs("…", f);
    return;
  }
  cp_text_escape(p, n, big, need + 1);
  fputs(big, f);
  free(big);
}

const char *cli_text(const char *p, size_t n, char *out, size_t cap) {
  cp_text_escape(p, n, out, cap);
  return out;
}

/* Replaces v (a string) by its escaped form; 0 on success. */
static int escape_string(json_t *v) {
  const char *s = json_string_value(v);
  size_t n = json_string_length(v), need = cp_text_escape(s, n, NULL, 0);
  if (need == n) return 0; /* nothing to escape: escaping only ever lengthens */
  char *e = malloc(need + 1);
  if (e == NULL) return -1;
  cp_text_escape(s, n, e, need + 1);
  int rc = json_string_setn_nocheck(v, e, need);
  free(e);
  return rc;
}

int cli_json_human(json_t *v) {
  size_t i;
  json_t *x;
  const char *k;
  if (json_is_string(v)) return escape_string(v);
  if (json_is_array(v)) {
    json_array_foreach(v, i, x) if (cli_json_human(x) != 0) return -1;
    return 0;
  }
  if (!json_is_object(v)) return 0;
  /* Keys are escaped into a new object: renaming while iterating could
   * visit a renamed key twice, and escaping is not idempotent. */
  json_t *out = json_object();
  if (out == NULL) return -1;
  json_object_foreach(v, k, x) {
    size_t n = strlen(k), need = cp_text_escape(k, n, NULL, 0);
    char *ek = malloc(need + 1);
    if (ek == NULL || cli_json_human(x) != 0) {
      free(ek);
      json_decref(out);
      return -1;
    }
    cp_text_escape(k, n, ek, need + 1);
    json_object_set(out, ek, x);
    free(ek);
  }
  json_object_clear(v);
  int rc = json_object_update(v, out);
  json_decref(out);
  return rc;
}
