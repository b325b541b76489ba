/* credport CLI — names beside IDs: what an entry's references are, read
 * from the store, for `show` and `log`. */
#include <string.h>
#include <time.h>

#include "cli.h"
#include "credport/codec.h"

void cli_time_iso(uint64_t t, char out[32]) {
  struct tm tm;
  time_t tt = (time_t)t;
  if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "%llu", (unsigned long long)t);
}

void cli_set_time(json_t *o, const char *key, uint64_t t) {
  char iso[32], k[64];
  snprintf(k, sizeof k, "%s_unix", key);
  if (t == 0) {
    json_object_set_new(o, key, json_null());
    json_object_set_new(o, k, json_null());
    return;
  }
  cli_time_iso(t, iso);
  json_object_set_new(o, key, json_string(iso));
  json_object_set_new(o, k, json_integer((json_int_t)t));
}

/* What the entry with this ID is called: a credential definition's title
 * (an award's: its credential's), an authority's name; the text lives in
 * the reader's transaction. 0, or -1 when the node does not hold it. */
static int name_of(cp_reader *r, const uint8_t id[CP_HASH_BYTES], int depth, cp_str *out,
                   const char **kind) {
  const uint8_t *buf;
  size_t len;
  cp_entry e;
  if (cp_reader_entry_by_id(r, id, &buf, &len) != 0 || cp_entry_decode(buf, len, &e, NULL) != 0)
    return -1;
  switch (e.type) {
  case CP_T_CREDENTIAL:
    *kind = "title";
    *out = e.u.credential.title;
    return 0;
  case CP_T_AUTHORITY:
    *kind = "name";
    *out = e.u.authority.name;
    return 0;
  case CP_T_AWARD:
    return depth == 0 ? name_of(r, e.u.award.credential, 1, out, kind) : -1;
  default: return -1;
  }
}

int cli_ref_name(cp_reader *r, const uint8_t id[CP_HASH_BYTES], cp_str *name) {
  const char *kind;
  return name_of(r, id, 0, name, &kind);
}

void cli_entry_annotate(json_t *o, cp_reader *r) {
  uint8_t key[CP_PK_BYTES], id[CP_HASH_BYTES];
  cp_log_info li;
  const char *hex = json_string_value(json_object_get(o, "log"));
  if (hex != NULL && cli_parse_pubkey(hex, key) == 0 && cp_reader_log(r, key, &li) == 0)
    json_object_set_new(o, "log_name", json_stringn(li.name.p, li.name.len));
  json_t *b = json_object_get(o, "body");
  static const char *const refs[] = {"credential", "award", "target", "subject"};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    const char *h = json_string_value(json_object_get(b, refs[i]));
    char k[64];
    const char *kind;
    cp_str name;
    if (h == NULL || cli_parse_hash(h, id) != 0 || name_of(r, id, 0, &name, &kind) != 0) continue;
    snprintf(k, sizeof k, "%s_%s", refs[i], kind);
    json_object_set_new(b, k, json_stringn(name.p, name.len));
  }
}
