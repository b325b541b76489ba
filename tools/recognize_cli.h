/* credport CLI — what recognize (cmd_recognize.c) and its district view
 * (cmd_district.c) share. */
#ifndef CP_TOOLS_RECOGNIZE_CLI_H
#define CP_TOOLS_RECOGNIZE_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "cli.h"
#include "credport/facts.h"
#include "credport/policy.h"

#define COMPARE_MAX 15u

typedef struct cli_rec_opts {
  const char *educator, *policy, *as_of, *areas, *year, *years, *replay, *educators;
  const char *compare[COMPARE_MAX];
  size_t ncompare;
  int explain, record, all;
  uint8_t edu[CP_PK_BYTES];
  uint32_t day;
  unsigned fy, fy_until; /* fiscal years of the district view's costs (until: --years) */
  cp_str area[CP_LIST_MAX];
  size_t narea;
} cli_rec_opts;

/* An amount in smallest units with dec decimals, e.g. 12345, 2 -> "123.45". */
void cli_rec_amount(int64_t v, unsigned dec, char *out, size_t cap);

static inline int64_t jint(const json_t *o, const char *k) {
  return (int64_t)json_integer_value(json_object_get(o, k));
}

static inline const char *jstr(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s != NULL ? s : "";
}

/* Resolves (cli_resolve_policy) and compiles one policy through r. */
int cli_rec_load_policy(cli *c, cp_reader *r, const char *arg, cp_policy_entry *pe,
                        cp_policy **pol);
/* The district view (--all), printed or as JSON. */
int cli_rec_district(cli *c, cp_store *s, const cli_rec_opts *o);

#endif
