/*
 * credport — the policy parser's shared context (policy_parse.c holds the
 * document-level checks and scalar readers, policy_rules.c the rule
 * grammar). Not a public interface.
 */
#ifndef CP_NODE_POLICY_PARSE_H
#define CP_NODE_POLICY_PARSE_H

#include <jansson.h>

#include "policy_internal.h"

#define CP__PATH_MAX (CP_POLICY_DEPTH_MAX + 4)

typedef struct cp__pctx {
  const char *doc;
  size_t len;
  cp_policy *p;
  cp_diag *d;
  struct {
    const char *key; /* member name, or NULL for an array index */
    size_t idx;
  } path[CP__PATH_MAX];
  unsigned depth;
  uint32_t n_items; /* credentials in all sets so far */
} cp__pctx;

/* Path bookkeeping: every push has its pop on all paths out. */
void cp__pol_pk(cp__pctx *c, const char *key);
void cp__pol_pi(cp__pctx *c, size_t idx);
void cp__pol_pop(cp__pctx *c);

/* Sets the diag to "line L, column C: <path>: <reason>" (the location when
 * the value at the current path can be found) and returns CP_EPOLICY. */
int cp__pol_perr(cp__pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails on any member of o whose name is not in the NULL-terminated list. */
int cp__pol_only(cp__pctx *c, json_t *o, const char *const *allowed);

/* Scalar readers. Each reads member `key` of object o (pushing it on the
 * path for errors); a missing optional member leaves *out unchanged and
 * returns CP_OK. */
int cp__pol_get_str(cp__pctx *c, json_t *o, const char *key, bool required, size_t max,
                    const char **out, size_t *len);
int cp__pol_get_int(cp__pctx *c, json_t *o, const char *key, bool required, int64_t min,
                    int64_t max, int64_t *out);
int cp__pol_get_bool(cp__pctx *c, json_t *o, const char *key, bool *out);
/* The value itself (already pushed on the path by the caller). */
int cp__pol_amount(cp__pctx *c, json_t *v, unsigned decimals, int64_t *out);
int cp__pol_date(cp__pctx *c, json_t *v, uint32_t *out);
int cp__pol_mmdd(cp__pctx *c, json_t *v, uint8_t *m, uint8_t *d);
int cp__pol_keyref(cp__pctx *c, json_t *v, uint8_t key[CP_PK_BYTES]);
/* Resolves a label of "authorities" or an authority written directly: 64
 * lowercase hex digits, "@self" (the publishing authority, when known),
 * did:key or a C2SP verifier key; false if none. */
bool cp__pol_resolve_key(const cp_policy *p, const char *s, size_t n, uint8_t key[CP_PK_BYTES]);
/* An authority written directly (everything above but labels). */
bool cp__pol_direct_key(const cp_policy *p, const char *s, size_t n, uint8_t key[CP_PK_BYTES]);

/* policy_rules.c */
int cp__pol_parse_sets(cp__pctx *c, json_t *sets);
int cp__pol_parse_rules(cp__pctx *c, json_t *rules);
int cp__pol_parse_window(cp__pctx *c, json_t *v, bool for_cap, cp__window *w);

#endif
