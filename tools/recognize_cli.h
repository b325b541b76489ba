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

/* Whether a currency is US dollars: its id is "usd" or its unit begins with
 * "US dollar" (either in any case). */
int cli_rec_is_dollars(const char *currency, const char *unit);
/* An amount for people: dollars as money ("$1,450.00"; with rate, the
 * unit's " per ..." follows: "$900.00 per year" for "US dollar per year");
 * any other currency as the number with its unit, singular for exactly one
 * ("1 CEU", "2.5 CEUs", "3 renewal credits"); the currency's id stands for
 * an empty unit. */
void cli_rec_quantity(int64_t v, unsigned dec, const char *currency, const char *unit, int rate,
                      char *out, size_t cap);

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
