/*
 * credport — the compiled form of a recognition policy, shared by the
 * parser (policy_parse.c, policy_compile.c), the helpers (policy_util.c)
 * and the evaluator (recognize*.c). Not a public interface.
 */
#ifndef CP_NODE_POLICY_INTERNAL_H
#define CP_NODE_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "credport/policy.h"

/* ---- arena: every compiled policy allocation, freed at once ------------ */
typedef struct cp__arena_block cp__arena_block;
typedef struct cp__arena {
  cp__arena_block *head;
} cp__arena;
void *cp__pol_arena_alloc(cp__arena *a, size_t n); /* zeroed, 16-aligned; NULL on ENOMEM */
char *cp__pol_arena_strdup(cp__arena *a, const char *s, size_t len);
void cp__pol_arena_free(cp__arena *a);

/* ---- hashing ------------------------------------------------------------ */
uint64_t cp__pol_hash_bytes(const void *p, size_t n);

/* ---- calendar ------------------------------------------------------------ */
/* Days <-> civil dates: cp_days_from_civil / cp_civil_from_days (entry.h). */
/* Index of the year-long period [y-MM-DD, (y+1)-MM-DD) holding day. */
int64_t cp__pol_year_index(uint32_t day, unsigned m, unsigned d);

/* ---- windows ------------------------------------------------------------- */
enum { CP__W_LIFETIME = 1, CP__W_SCHOOL_YEAR, CP__W_CYCLE, CP__W_DATES };
typedef struct cp__window {
  uint8_t kind;
  uint8_t m, d;         /* school-year start / cycle anchor month and day */
  bool has_year;        /* school_year: a fixed year instead of the current one */
  int64_t year;         /* school_year: its start year; cycle: anchor year */
  uint32_t years;       /* cycle length */
  uint32_t from, until; /* dates: inclusive bounds (open: 0, UINT32_MAX) */
} cp__window;
/* Bucket index of day under w (lifetime: 0). Not used for CP__W_DATES. */
int64_t cp__pol_window_bucket(const cp__window *w, uint32_t day);
/* Whether day lies in the window w selects as of as_of. */
bool cp__pol_window_holds(const cp__window *w, uint32_t day, uint32_t as_of);

/* ---- credential sets ------------------------------------------------------ */
typedef struct cp__set_item {
  const char *id;
  uint32_t id_len;
  bool any_issuer;
  uint8_t issuer[CP_PK_BYTES];
  uint64_t h; /* cp__pol_hash_bytes(id) */
} cp__set_item;
typedef struct cp__set {
  const char *name; /* its name, or the JSON path of an inline list */
  uint32_t n;
  cp__set_item *items;
  uint32_t mask;  /* slots has mask + 1 entries, a power of two */
  int32_t *slots; /* item index or -1 */
} cp__set;
/* Index of the item an award (id hash h) matches, or -1. */
int32_t cp__pol_set_find(const cp__set *s, uint64_t h, const char *id, size_t len,
                         const uint8_t issuer[CP_PK_BYTES]);

/* ---- rules ---------------------------------------------------------------- */
enum { CP__R_PER_AWARD = 1, CP__R_COUNT, CP__R_BUNDLE, CP__R_MILESTONE, CP__R_CONVERT };
enum { CP__A_FIXED = 1, CP__A_PER_LEVEL, CP__A_HOURS };
enum { CP__SUBJ_EITHER = 0, CP__SUBJ_CREDENTIAL = 1, CP__SUBJ_ISSUER = 2 };
/* Which day an endorsement must be in force on (filter endorsed_by.in_force). */
enum { CP__ON_AS_OF = 0, CP__ON_EARNED = 1 };
/* Whose licensure attestations area_match reads. */
enum { CP__AREAS_NAMED = 0 /* any authority the policy names */, CP__AREAS_ONE = 1 };

typedef struct cp__filter {
  int32_t creds;      /* set index, or -1 = any */
  int32_t exclude;    /* set index, or -1 = none */
  uint32_t n_issuers; /* 0 = any issuer */
  uint8_t (*issuers)[CP_PK_BYTES];
  uint8_t min_level; /* 0 = any */
  const char *qa;    /* NULL = none required */
  uint32_t qa_len;
  bool endorse;
  uint8_t endorse_key[CP_PK_BYTES];
  uint8_t endorse_subject;   /* CP__SUBJ_* */
  const char *endorse_claim; /* NULL = any claim */
  uint32_t endorse_claim_len;
  uint8_t endorse_on;        /* CP__ON_* */
  bool area_match;
  uint8_t area_from;         /* CP__AREAS_* */
  uint8_t area_key[CP_PK_BYTES];
  bool preapproval;
  bool preapproval_logged;   /* the approve entry must be logged by the earned day */
  uint8_t preapproval_key[CP_PK_BYTES];
  bool has_window;
  cp__window window;
} cp__filter;

typedef struct cp__rule {
  const char *id;
  uint8_t kind;     /* CP__R_* */
  uint8_t currency; /* index into currencies */
  bool recurring;
  cp__filter f;
  uint8_t amount_kind; /* CP__A_* */
  int64_t fixed;
  int64_t per_level[CP_POLICY_LEVEL_MAX + 1];
  bool level_rated[CP_POLICY_LEVEL_MAX + 1];
  int64_t rate_hours_x100; /* amount per this many hundredths of an hour */
  int64_t rate_amount;
  int64_t group_hours_x100; /* bundle/milestone: declared hours, -1 = sum */
  uint32_t every;           /* count: n awards ... */
  int32_t set;              /* bundle/milestone: set index */
  uint32_t need;            /* milestone: k of the set; bundle: all */
  bool members_in_window;   /* bundle/milestone: the window holds each member's date */
  bool has_cap;
  int64_t cap;
  cp__window cap_per;
  uint8_t conv_from;          /* convert: source currency */
  int64_t rate_from, rate_to; /* convert: rate_from (source units) -> rate_to */
} cp__rule;

typedef struct cp__currency {
  const char *id, *unit;
  uint8_t decimals;
  bool money;
  bool has_target;
  int64_t target;
} cp__currency;

typedef struct cp__authority {
  const char *label;
  uint8_t key[CP_PK_BYTES];
} cp__authority;

struct cp_policy {
  cp__arena arena;
  const char *id;
  bool has_self;               /* compiled knowing its publishing authority */
  uint8_t self[CP_PK_BYTES];   /* that authority's key: what "@self" names */
  uint32_t eff_from, eff_until; /* inclusive; open: 0, UINT32_MAX */
  uint8_t fy_m, fy_d;           /* fiscal year start */
  uint32_t n_auth;
  cp__authority *auth;
  uint32_t n_cur;
  cp__currency cur[CP_POLICY_CURRENCIES_MAX];
  uint32_t n_sets;
  cp__set sets[CP_POLICY_SETS_MAX];
  uint32_t n_rules;
  cp__rule rules[CP_POLICY_RULES_MAX];
  uint32_t n_conv;
  uint8_t conv_order[CP_POLICY_RULES_MAX]; /* convert rules, sources first */
};

/* Label of an authority key in p, or NULL. */
const char *cp__pol_label(const cp_policy *p, const uint8_t key[CP_PK_BYTES]);

/* ---- canonical JSON output buffer ------------------------------------------ */
typedef struct cp__buf {
  char *p;
  size_t len, cap;
  int err; /* sticky: first error */
} cp__buf;
void cp__pol_buf_raw(cp__buf *b, const char *s, size_t n);
void cp__pol_buf_cstr(cp__buf *b, const char *s);
void cp__pol_buf_str(cp__buf *b, const char *s, size_t n); /* quoted, escaped */
void cp__pol_buf_i64(cp__buf *b, int64_t v);
void cp__pol_buf_hex(cp__buf *b, const uint8_t *p, size_t n); /* quoted */
void cp__pol_buf_date(cp__buf *b, uint32_t day);              /* quoted YYYY-MM-DD */
void cp__pol_buf_key(cp__buf *b, const char *k, bool first);  /* ,"k": */

/* ---- checked arithmetic ------------------------------------------------------ */
static inline int cp__add(int64_t *acc, int64_t v) {
  int64_t r;
  if (__builtin_add_overflow(*acc, v, &r)) return CP_EOVERFLOW;
  *acc = r;
  return CP_OK;
}
/* floor(a * b / c) for a, b >= 0 and c > 0, or CP_EOVERFLOW. */
static inline int cp__muldiv(int64_t a, int64_t b, int64_t c, int64_t *out) {
  int64_t m;
  if (__builtin_mul_overflow(a, b, &m)) return CP_EOVERFLOW;
  *out = m / c;
  return CP_OK;
}

/* ---- endorsement environment (recognize.c, policy_env.c) --------------------
 * Endorsements indexed by (endorser, kind, subject, claim), plus one "any
 * claim" entry per (endorser, kind, subject); no two entries share a key,
 * so a lookup is one probe sequence. Each entry owns the days its
 * endorsements are in force, as disjoint spans in ascending order (merged
 * from every endorsement of that key), so "in force on day D" is one
 * binary search. */
typedef struct cp__span {
  uint32_t from, until; /* inclusive */
} cp__span;
typedef struct cp__endorse_entry {
  uint8_t endorser[CP_PK_BYTES];
  uint8_t subject[CP_HASH_BYTES];
  uint8_t kind;
  bool any_claim;
  uint32_t claim_len;
  const char *claim;
  uint32_t first, n; /* spans[first, first + n) */
  uint64_t h;
} cp__endorse_entry;
/* Whether some endorsement of entry e is in force on day. */
bool cp__pol_env_in_force(const cp_policy_env *env, const cp__endorse_entry *e, uint32_t day);

#define CP__NO_ENTRY UINT32_MAX

struct cp_policy_env {
  cp__arena arena;
  cp__endorse_entry *entries; /* at most 2 per endorsement */
  uint32_t n_entries;
  uint64_t mask;   /* index has mask + 1 slots; at most half are used */
  uint32_t *index; /* entry number, or CP__NO_ENTRY */
  cp__span *spans;
};

uint64_t cp__pol_endorse_hash(const uint8_t *endorser, uint8_t kind, const uint8_t *subject,
                              bool any_claim, const char *claim, size_t claim_len);
/* The index slot holding the key, or the empty slot where it belongs. */
uint32_t *cp__pol_endorse_probe(const cp_policy_env *env, uint64_t h, const uint8_t *endorser,
                                uint8_t kind, const uint8_t *subject, bool any_claim,
                                const char *claim, size_t claim_len);

/* ---- evaluation core (recognize.c) ------------------------------------------ */
typedef struct cp__outcome {
  uint8_t reason; /* cp_policy_reason */
  int64_t amount;
} cp__outcome;

typedef struct cp__grant { /* one credited amount, for district costs */
  uint32_t date;
  uint8_t currency;
  bool recurring;
  int64_t amount;
} cp__grant;

typedef struct cp__rule_sum { /* per-rule summary for explanations */
  int64_t granted;
  int64_t input;       /* convert: source total */
  uint32_t have, need; /* bundle/milestone progress */
  uint32_t date;       /* bundle/milestone completion (0 = none) */
  bool complete, capped;
} cp__rule_sum;

typedef struct cp__award_pre {
  uint64_t h;       /* hash of the stable id */
  int32_t dup_prev; /* position of the previous same-definition award, or -1 */
  bool area_ok, revoked, future;
} cp__award_pre;

/* Scratch memory reused across evaluations (one per district view). */
typedef struct cp__scratch {
  size_t cap_awards, cap_out, cap_appr, cap_grants, cap_have;
  uint32_t *order; /* award indices sorted by (earned, id) */
  uint32_t *tmp;
  cp__award_pre *pre; /* by position in order */
  uint8_t *chain;
  cp__outcome *out; /* [position * n_rules + rule] when explaining */
  uint32_t *appr;   /* approval indices sorted, twice (see cp__recognize_prepare) */
  uint32_t *att;    /* attestation indices of this educator, by attester */
  size_t n_att, cap_att;
  cp__grant *grants;
  size_t n_grants;
  int32_t *have; /* bundle/milestone: per set item, first position */
  size_t n_appr; /* approvals of this educator, sorted in appr */
  bool ready;    /* prepared for the current educator */
} cp__scratch;

typedef struct cp__eval { /* the outcome of one evaluation */
  bool in_effect;
  int64_t totals[CP_POLICY_CURRENCIES_MAX];
  cp__rule_sum rules[CP_POLICY_RULES_MAX];
} cp__eval;

/* Checks an educator's facts and prepares what every policy shares: awards
 * sorted by (earned, ID), per-award flags, duplicate links, approvals
 * index. Then cp__recognize_policy evaluates one policy on them (as many
 * policies as wanted, with the same ed and as_of). */
int cp__recognize_prepare(const cp_policy_educator *ed, uint32_t as_of, cp__scratch *s, cp_diag *d);
int cp__recognize_policy(const cp_policy *p, const cp_policy_env *env, const cp_policy_educator *ed,
                         uint32_t as_of, bool explain, cp__scratch *s, cp__eval *ev, cp_diag *d);
void cp__pol_scratch_free(cp__scratch *s);

#endif
