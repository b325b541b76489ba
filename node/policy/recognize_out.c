/*
 * credport — the recognition engine's public face: the endorsement
 * environment, results with their canonical explanation JSON, and the
 * district view (many educators, alternative policies side by side).
 */
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* ---- environment ------------------------------------------------------------------ */

/* One endorsement's span under one key, before sorting and merging. */
typedef struct keyspan {
  uint32_t entry;
  cp__span sp;
} keyspan;

/* Finds or adds the entry of e's key (with any claim, or e's own claim). */
static uint32_t env_key(cp_policy_env *env, const cp_policy_endorsement *e, bool any) {
  const char *claim = any ? NULL : e->claim.p;
  size_t cl = any ? 0 : e->claim.len;
  uint64_t h = cp__pol_endorse_hash(e->endorser, e->kind, e->subject, any, claim, cl);
  uint32_t *slot = cp__pol_endorse_probe(env, h, e->endorser, e->kind, e->subject, any, claim, cl);
  if (*slot != CP__NO_ENTRY) return *slot;
  *slot = env->n_entries;
  cp__endorse_entry *s = &env->entries[env->n_entries++];
  memcpy(s->endorser, e->endorser, CP_PK_BYTES);
  memcpy(s->subject, e->subject, CP_HASH_BYTES);
  s->kind = e->kind;
  s->any_claim = any;
  s->claim = claim;
  s->claim_len = (uint32_t)cl;
  s->h = h;
  return *slot;
}

static int cmp_keyspan(const void *a, const void *b) {
  const keyspan *x = a, *y = b;
  if (x->entry != y->entry) return x->entry < y->entry ? -1 : 1;
  if (x->sp.from != y->sp.from) return x->sp.from < y->sp.from ? -1 : 1;
  return x->sp.until < y->sp.until ? -1 : x->sp.until > y->sp.until;
}

/* The days e is in force: [date, min(until, withdrawn - 1)]; false if none. */
static bool env_span(const cp_policy_endorsement *e, cp__span *sp) {
  sp->from = e->date;
  sp->until = e->until != 0 ? e->until : UINT32_MAX;
  if (e->withdrawn != 0) {
    if (e->withdrawn <= e->date) return false;
    if (e->withdrawn - 1 < sp->until) sp->until = e->withdrawn - 1;
  }
  return sp->until >= sp->from;
}

int cp_policy_env_new(const cp_policy_endorsement *e, size_t n, cp_policy_env **out) {
  cp_policy_env *env = NULL;
  keyspan *ks = NULL;
  size_t nks = 0;
  int rc = CP_OK;
  if (n > CP_POLICY_ENDORSE_MAX) return CP_ETOOBIG;
  if (n > 0 && e == NULL) return CP_EINVAL;
  for (size_t i = 0; i < n; i++)
    if ((e[i].kind != CP_SUBJECT_AUTHORITY && e[i].kind != CP_SUBJECT_CREDENTIAL) ||
        e[i].claim.len > CP_STR_MAX || (e[i].claim.len > 0 && e[i].claim.p == NULL) ||
        (e[i].until != 0 && e[i].until < e[i].date))
      return CP_EINVAL;
  if ((env = calloc(1, sizeof *env)) == NULL) return CP_ENOMEM;
  uint64_t slots = 16;
  while (slots < 4 * (uint64_t)n + 1) slots *= 2;
  env->mask = slots - 1;
  env->index = cp__pol_arena_alloc(&env->arena, slots * sizeof *env->index);
  env->entries = cp__pol_arena_alloc(&env->arena, (2 * n + 1) * sizeof *env->entries);
  env->spans = cp__pol_arena_alloc(&env->arena, (2 * n + 1) * sizeof *env->spans);
  ks = malloc((2 * n + 1) * sizeof *ks);
  if (env->index == NULL || env->entries == NULL || env->spans == NULL || ks == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  memset(env->index, 0xff, slots * sizeof *env->index);
  for (size_t i = 0; i < n; i++) {
    cp__span sp;
    if (!env_span(&e[i], &sp)) continue; /* never in force */
    cp_policy_endorsement copy = e[i];
    char *claim =
        cp__pol_arena_strdup(&env->arena, e[i].claim.p != NULL ? e[i].claim.p : "", e[i].claim.len);
    if (claim == NULL) {
      rc = CP_ENOMEM;
      goto out;
    }
    copy.claim.p = claim;
    ks[nks++] = (keyspan){env_key(env, &copy, false), sp};
    ks[nks++] = (keyspan){env_key(env, &copy, true), sp};
  }
  /* Per entry, the union of its spans: sorted by start, overlapping or
   * adjacent ones merged. */
  qsort(ks, nks, sizeof *ks, cmp_keyspan);
  uint32_t m = 0;
  for (size_t i = 0; i < nks; i++) {
    cp__endorse_entry *x = &env->entries[ks[i].entry];
    cp__span *last = x->n > 0 ? &env->spans[m - 1] : NULL;
    if (last != NULL && (last->until == UINT32_MAX || ks[i].sp.from <= last->until + 1)) {
      if (ks[i].sp.until > last->until) last->until = ks[i].sp.until;
      continue;
    }
    if (x->n == 0) x->first = m;
    env->spans[m++] = ks[i].sp;
    x->n++;
  }
  *out = env;
  env = NULL;
out:
  free(ks);
  cp_policy_env_free(env);
  return rc;
}

void cp_policy_env_free(cp_policy_env *env) {
  if (env == NULL) return;
  cp__pol_arena_free(&env->arena);
  free(env);
}

/* ---- results ------------------------------------------------------------------------ */

struct cp_policy_result {
  const cp_policy *p;
  cp__eval ev;
  size_t n;                      /* awards */
  uint8_t (*ids)[CP_HASH_BYTES]; /* award IDs, in sorted order */
  cp__outcome *out;              /* [pos * n_rules + rule] */
  char *json;
  size_t json_len;
};

static const char *kind_name(uint8_t kind) {
  switch (kind) {
  case CP__R_PER_AWARD: return "per_award";
  case CP__R_COUNT: return "count";
  case CP__R_BUNDLE: return "bundle";
  case CP__R_MILESTONE: return "milestone";
  default: return "convert";
  }
}

static void json_bool(cp__buf *b, bool v) {
  cp__pol_buf_cstr(b, v ? "true" : "false");
}

static void json_totals(cp__buf *b, const cp_policy *p, const cp__eval *ev) {
  cp__pol_buf_raw(b, "[", 1);
  for (uint32_t i = 0; i < p->n_cur; i++) {
    const cp__currency *c = &p->cur[i];
    cp__pol_buf_raw(b, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
    cp__pol_buf_key(b, "currency", true);
    cp__pol_buf_str(b, c->id, strlen(c->id));
    cp__pol_buf_key(b, "unit", false);
    cp__pol_buf_str(b, c->unit, strlen(c->unit));
    cp__pol_buf_key(b, "decimals", false);
    cp__pol_buf_i64(b, c->decimals);
    cp__pol_buf_key(b, "amount", false);
    cp__pol_buf_i64(b, ev->totals[i]);
    if (c->has_target) {
      cp__pol_buf_key(b, "target", false);
      cp__pol_buf_i64(b, c->target);
      cp__pol_buf_key(b, "reached", false);
      json_bool(b, ev->totals[i] >= c->target);
    }
    cp__pol_buf_raw(b, "}", 1);
  }
  cp__pol_buf_raw(b, "]", 1);
}

static void json_rules(cp__buf *b, const cp_policy *p, const cp__eval *ev) {
  cp__pol_buf_raw(b, "[", 1);
  for (uint32_t i = 0; i < p->n_rules; i++) {
    const cp__rule *r = &p->rules[i];
    const cp__rule_sum *s = &ev->rules[i];
    cp__pol_buf_raw(b, i == 0 ? "{" : ",{", i == 0 ? 1 : 2);
    cp__pol_buf_key(b, "rule", true);
    cp__pol_buf_str(b, r->id, strlen(r->id));
    cp__pol_buf_key(b, "kind", false);
    cp__pol_buf_cstr(b, "\"");
    cp__pol_buf_cstr(b, kind_name(r->kind));
    cp__pol_buf_cstr(b, "\"");
    cp__pol_buf_key(b, "currency", false);
    cp__pol_buf_str(b, p->cur[r->currency].id, strlen(p->cur[r->currency].id));
    cp__pol_buf_key(b, "granted", false);
    cp__pol_buf_i64(b, s->granted);
    cp__pol_buf_key(b, "recurring", false);
    json_bool(b, r->recurring);
    cp__pol_buf_key(b, "capped", false);
    json_bool(b, s->capped);
    if (r->kind == CP__R_BUNDLE || r->kind == CP__R_MILESTONE) {
      cp__pol_buf_key(b, "have", false);
      cp__pol_buf_i64(b, s->have);
      cp__pol_buf_key(b, "need", false);
      cp__pol_buf_i64(b, s->need);
      cp__pol_buf_key(b, "complete", false);
      json_bool(b, s->complete);
      if (s->complete) {
        cp__pol_buf_key(b, "completed", false);
        cp__pol_buf_date(b, s->date);
      }
    } else if (r->kind == CP__R_CONVERT) {
      cp__pol_buf_key(b, "from", false);
      cp__pol_buf_str(b, p->cur[r->conv_from].id, strlen(p->cur[r->conv_from].id));
      cp__pol_buf_key(b, "input", false);
      cp__pol_buf_i64(b, s->input);
    }
    cp__pol_buf_raw(b, "}", 1);
  }
  cp__pol_buf_raw(b, "]", 1);
}

static void json_awards(cp__buf *b, const cp_policy *p, const cp_policy_educator *ed,
                        const cp__scratch *s) {
  cp__pol_buf_raw(b, "[", 1);
  for (size_t pos = 0; pos < ed->n_awards; pos++) {
    const cp_policy_award *a = &ed->awards[s->order[pos]];
    cp__pol_buf_raw(b, pos == 0 ? "{" : ",{", pos == 0 ? 1 : 2);
    cp__pol_buf_key(b, "award", true);
    cp__pol_buf_hex(b, a->id, CP_HASH_BYTES);
    cp__pol_buf_key(b, "credential", false);
    cp__pol_buf_str(b, a->cred_id.p, a->cred_id.len);
    cp__pol_buf_key(b, "issuer", false);
    cp__pol_buf_hex(b, a->issuer, CP_PK_BYTES);
    const char *label = cp__pol_label(p, a->issuer);
    if (label != NULL) {
      cp__pol_buf_key(b, "issuer_label", false);
      cp__pol_buf_str(b, label, strlen(label));
    }
    cp__pol_buf_key(b, "earned", false);
    cp__pol_buf_date(b, a->earned);
    if (a->revoked != 0) {
      cp__pol_buf_key(b, "revoked", false);
      cp__pol_buf_date(b, a->revoked);
    }
    cp__pol_buf_key(b, "fates", false);
    cp__pol_buf_raw(b, "[", 1);
    bool first = true;
    for (uint32_t ri = 0; ri < p->n_rules; ri++) {
      if (p->rules[ri].kind == CP__R_CONVERT) continue;
      const cp__outcome *o = &s->out[pos * p->n_rules + ri];
      cp__pol_buf_raw(b, first ? "{" : ",{", first ? 1 : 2);
      first = false;
      cp__pol_buf_key(b, "rule", true);
      cp__pol_buf_str(b, p->rules[ri].id, strlen(p->rules[ri].id));
      cp__pol_buf_key(b, "fate", false);
      cp__pol_buf_cstr(b, "\"");
      cp__pol_buf_cstr(b, cp_policy_reason_name(o->reason));
      cp__pol_buf_cstr(b, "\"");
      cp__pol_buf_key(b, "amount", false);
      cp__pol_buf_i64(b, o->amount);
      cp__pol_buf_raw(b, "}", 1);
    }
    cp__pol_buf_raw(b, "]}", 2);
  }
  cp__pol_buf_raw(b, "]", 1);
}

int cp_policy_evaluate(const cp_policy *p, const cp_policy_env *env, const cp_policy_educator *ed,
                       uint32_t as_of, cp_policy_result **out, cp_diag *d) {
  cp__scratch s = {0};
  cp_policy_result *r = NULL;
  cp__buf b = {0};
  int rc;
  if ((r = calloc(1, sizeof *r)) == NULL) {
    rc = cp_diag_set(d, CP_ENOMEM, "out of memory");
    goto out;
  }
  r->p = p;
  if ((rc = cp__recognize_prepare(ed, as_of, &s, d)) != CP_OK ||
      (rc = cp__recognize_policy(p, env, ed, as_of, true, &s, &r->ev, d)) != CP_OK)
    goto out;
  r->n = ed->n_awards;
  r->ids = malloc((r->n + 1) * sizeof *r->ids);
  r->out = malloc((r->n * p->n_rules + 1) * sizeof *r->out);
  if (r->ids == NULL || r->out == NULL) {
    rc = cp_diag_set(d, CP_ENOMEM, "out of memory");
    goto out;
  }
  for (size_t pos = 0; pos < r->n; pos++)
    memcpy(r->ids[pos], ed->awards[s.order[pos]].id, CP_HASH_BYTES);
  if (r->n > 0) memcpy(r->out, s.out, r->n * p->n_rules * sizeof *r->out);
  cp__pol_buf_cstr(&b, "{\"format\":\"credport-recognition/1\"");
  cp__pol_buf_key(&b, "policy", false);
  cp__pol_buf_str(&b, p->id, strlen(p->id));
  cp__pol_buf_key(&b, "educator", false);
  cp__pol_buf_hex(&b, ed->key, CP_PK_BYTES);
  cp__pol_buf_key(&b, "as_of", false);
  cp__pol_buf_date(&b, as_of);
  cp__pol_buf_key(&b, "in_effect", false);
  json_bool(&b, r->ev.in_effect);
  cp__pol_buf_key(&b, "totals", false);
  json_totals(&b, p, &r->ev);
  cp__pol_buf_key(&b, "rules", false);
  json_rules(&b, p, &r->ev);
  cp__pol_buf_key(&b, "awards", false);
  json_awards(&b, p, ed, &s);
  cp__pol_buf_raw(&b, "}", 1);
  if (b.err != 0) {
    rc = cp_diag_set(d, CP_ENOMEM, "out of memory");
    goto out;
  }
  r->json = b.p;
  r->json_len = b.len;
  b.p = NULL;
  *out = r;
  r = NULL;
out:
  free(b.p);
  cp__pol_scratch_free(&s);
  cp_policy_result_free(r);
  return rc;
}

void cp_policy_result_free(cp_policy_result *r) {
  if (r == NULL) return;
  free(r->ids);
  free(r->out);
  free(r->json);
  free(r);
}

const char *cp_policy_result_json(const cp_policy_result *r, size_t *len) {
  if (len != NULL) *len = r->json_len;
  return r->json;
}

int cp_policy_result_in_effect(const cp_policy_result *r) {
  return r->ev.in_effect;
}

size_t cp_policy_result_n_totals(const cp_policy_result *r) {
  return r->p->n_cur;
}

int cp_policy_result_total_at(const cp_policy_result *r, size_t i, const char **currency,
                              int64_t *amount) {
  if (i >= r->p->n_cur) return CP_EINVAL;
  if (currency != NULL) *currency = r->p->cur[i].id;
  if (amount != NULL) *amount = r->ev.totals[i];
  return CP_OK;
}

int cp_policy_result_total(const cp_policy_result *r, const char *currency, int64_t *amount) {
  for (uint32_t i = 0; i < r->p->n_cur; i++)
    if (strcmp(r->p->cur[i].id, currency) == 0) {
      *amount = r->ev.totals[i];
      return CP_OK;
    }
  return CP_ENOTFOUND;
}

int cp_policy_result_fate(const cp_policy_result *r, const uint8_t award[CP_HASH_BYTES],
                          const char *rule, cp_policy_reason *reason, int64_t *amount) {
  uint32_t ri = 0;
  while (ri < r->p->n_rules && strcmp(r->p->rules[ri].id, rule) != 0) ri++;
  if (ri == r->p->n_rules || r->p->rules[ri].kind == CP__R_CONVERT) return CP_ENOTFOUND;
  for (size_t pos = 0; pos < r->n; pos++)
    if (memcmp(r->ids[pos], award, CP_HASH_BYTES) == 0) {
      const cp__outcome *o = &r->out[pos * r->p->n_rules + ri];
      *reason = (cp_policy_reason)o->reason;
      if (amount != NULL) *amount = o->amount;
      return CP_OK;
    }
  return CP_ENOTFOUND;
}

/* ---- district view ----------------------------------------------------------------------- */

#define DISTRICT_POLICIES_MAX 16u

typedef struct dv_acc {
  int64_t total[CP_POLICY_CURRENCIES_MAX];
  uint64_t educators[CP_POLICY_CURRENCIES_MAX];
  uint64_t benefiting;
  int64_t cost[CP_POLICY_CURRENCIES_MAX][CP_POLICY_DISTRICT_YEARS_MAX]; /* by year - from */
} dv_acc;

struct cp_policy_district {
  const cp_policy *pols[DISTRICT_POLICIES_MAX];
  size_t n;
  const cp_policy_env *env;
  uint32_t as_of;
  unsigned from, until; /* fiscal years asked for; 0 = none */
  bool range;           /* asked as a range: the JSON lists every year */
  uint64_t educators;
  dv_acc acc[DISTRICT_POLICIES_MAX];
  /* One educator's figures before they are added: all or nothing. */
  int64_t dtotal[DISTRICT_POLICIES_MAX][CP_POLICY_CURRENCIES_MAX];
  int64_t dcost[DISTRICT_POLICIES_MAX][CP_POLICY_CURRENCIES_MAX][CP_POLICY_DISTRICT_YEARS_MAX];
  cp__scratch s;
};

static unsigned n_years(const cp_policy_district *dv) {
  return dv->from == 0 ? 0 : dv->until - dv->from + 1;
}

static int district_new(const cp_policy *const *pols, size_t n, const cp_policy_env *env,
                        uint32_t as_of, unsigned from, unsigned until, bool range,
                        cp_policy_district **out) {
  if (n == 0 || n > DISTRICT_POLICIES_MAX || until > 9999 || from > until ||
      (from == 0 && until != 0) || (from != 0 && until - from >= CP_POLICY_DISTRICT_YEARS_MAX))
    return CP_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (pols[i] == NULL) return CP_EINVAL;
  cp_policy_district *dv = calloc(1, sizeof *dv);
  if (dv == NULL) return CP_ENOMEM;
  memcpy(dv->pols, pols, n * sizeof *pols);
  dv->n = n;
  dv->env = env;
  dv->as_of = as_of;
  dv->from = from;
  dv->until = until;
  dv->range = range;
  *out = dv;
  return CP_OK;
}

int cp_policy_district_new(const cp_policy *const *pols, size_t n, const cp_policy_env *env,
                           uint32_t as_of, unsigned year, cp_policy_district **out) {
  return district_new(pols, n, env, as_of, year, year, false, out);
}

int cp_policy_district_new_years(const cp_policy *const *pols, size_t n,
                                 const cp_policy_env *env, uint32_t as_of, unsigned from,
                                 unsigned until, cp_policy_district **out) {
  if (from == 0) return CP_EINVAL;
  return district_new(pols, n, env, as_of, from, until, true, out);
}

/* Cost of money currency cur in each fiscal year asked for, into
 * cost[0 .. n_years): a recurring amount in every fiscal year from the one
 * it was granted in, a one-time amount in that year only. */
static int costs_of(const cp_policy_district *dv, const cp_policy *p, uint8_t cur,
                    int64_t *cost) {
  unsigned ny = n_years(dv);
  memset(cost, 0, ny * sizeof *cost);
  for (size_t i = 0; i < dv->s.n_grants; i++) {
    const cp__grant *g = &dv->s.grants[i];
    if (g->currency != cur) continue;
    int64_t fy = cp__pol_year_index(g->date, p->fy_m, p->fy_d);
    int64_t first = fy < (int64_t)dv->from ? (int64_t)dv->from : fy;
    int64_t last = g->recurring ? (int64_t)dv->until : fy;
    for (int64_t y = first; y <= last && y <= (int64_t)dv->until; y++)
      if (cp__add(&cost[y - dv->from], g->amount) != CP_OK) return CP_EOVERFLOW;
  }
  return CP_OK;
}

int cp_policy_district_add(cp_policy_district *dv, const cp_policy_educator *ed, cp_diag *d) {
  int rc;
  unsigned ny = n_years(dv);
  if ((rc = cp__recognize_prepare(ed, dv->as_of, &dv->s, d)) != CP_OK) return rc;
  for (size_t k = 0; k < dv->n; k++) {
    const cp_policy *p = dv->pols[k];
    cp__eval ev;
    if ((rc = cp__recognize_policy(p, dv->env, ed, dv->as_of, false, &dv->s, &ev, d)) != CP_OK)
      return rc;
    for (uint8_t c = 0; c < p->n_cur; c++) {
      dv->dtotal[k][c] = ev.totals[c];
      if (p->cur[c].money && ny != 0 && (rc = costs_of(dv, p, c, dv->dcost[k][c])) != CP_OK)
        return cp_diag_set(d, rc, "policy \"%s\": cost overflows", p->id);
    }
  }
  /* Nothing is added unless everything can be. */
  for (size_t k = 0; k < dv->n; k++) {
    const cp_policy *p = dv->pols[k];
    for (uint8_t c = 0; c < p->n_cur; c++) {
      int64_t t;
      bool over = __builtin_add_overflow(dv->acc[k].total[c], dv->dtotal[k][c], &t);
      for (unsigned y = 0; y < ny && p->cur[c].money && !over; y++)
        over = __builtin_add_overflow(dv->acc[k].cost[c][y], dv->dcost[k][c][y], &t);
      if (over)
        return cp_diag_set(d, CP_EOVERFLOW, "policy \"%s\": district total overflows", p->id);
    }
  }
  for (size_t k = 0; k < dv->n; k++) {
    const cp_policy *p = dv->pols[k];
    bool any = false;
    for (uint8_t c = 0; c < p->n_cur; c++) {
      dv->acc[k].total[c] += dv->dtotal[k][c];
      for (unsigned y = 0; y < ny && p->cur[c].money; y++)
        dv->acc[k].cost[c][y] += dv->dcost[k][c][y];
      if (dv->dtotal[k][c] != 0) {
        dv->acc[k].educators[c]++;
        any = true;
      }
    }
    dv->acc[k].benefiting += any;
  }
  dv->educators++;
  return CP_OK;
}

int cp_policy_district_total(const cp_policy_district *dv, size_t k, const char *currency,
                             int64_t *total, uint64_t *educators, int64_t *cost) {
  if (k >= dv->n) return CP_EINVAL;
  const cp_policy *p = dv->pols[k];
  for (uint32_t c = 0; c < p->n_cur; c++)
    if (strcmp(p->cur[c].id, currency) == 0) {
      if (total != NULL) *total = dv->acc[k].total[c];
      if (educators != NULL) *educators = dv->acc[k].educators[c];
      if (cost != NULL) *cost = n_years(dv) ? dv->acc[k].cost[c][0] : 0;
      return CP_OK;
    }
  return CP_ENOTFOUND;
}

int cp_policy_district_cost(const cp_policy_district *dv, size_t k, const char *currency,
                            unsigned year, int64_t *cost) {
  if (k >= dv->n || dv->from == 0 || year < dv->from || year > dv->until) return CP_EINVAL;
  const cp_policy *p = dv->pols[k];
  for (uint32_t c = 0; c < p->n_cur; c++)
    if (strcmp(p->cur[c].id, currency) == 0) {
      *cost = p->cur[c].money ? dv->acc[k].cost[c][year - dv->from] : 0;
      return CP_OK;
    }
  return CP_ENOTFOUND;
}

uint64_t cp_policy_district_educators(const cp_policy_district *dv) {
  return dv->educators;
}

int cp_policy_district_json(const cp_policy_district *dv, char **out, size_t *len) {
  cp__buf b = {0};
  cp__pol_buf_cstr(&b, "{\"format\":\"credport-district/1\"");
  cp__pol_buf_key(&b, "as_of", false);
  cp__pol_buf_date(&b, dv->as_of);
  cp__pol_buf_key(&b, "year", false);
  cp__pol_buf_i64(&b, dv->from);
  if (dv->range) {
    cp__pol_buf_key(&b, "years", false);
    cp__pol_buf_raw(&b, "[", 1);
    for (unsigned y = dv->from; y <= dv->until; y++) {
      if (y != dv->from) cp__pol_buf_raw(&b, ",", 1);
      cp__pol_buf_i64(&b, y);
    }
    cp__pol_buf_raw(&b, "]", 1);
  }
  cp__pol_buf_key(&b, "educators", false);
  cp__pol_buf_i64(&b, (int64_t)dv->educators);
  cp__pol_buf_key(&b, "policies", false);
  cp__pol_buf_raw(&b, "[", 1);
  for (size_t k = 0; k < dv->n; k++) {
    const cp_policy *p = dv->pols[k];
    const dv_acc *a = &dv->acc[k];
    cp__pol_buf_raw(&b, k == 0 ? "{" : ",{", k == 0 ? 1 : 2);
    cp__pol_buf_key(&b, "policy", true);
    cp__pol_buf_str(&b, p->id, strlen(p->id));
    cp__pol_buf_key(&b, "educators_benefiting", false);
    cp__pol_buf_i64(&b, (int64_t)a->benefiting);
    cp__pol_buf_key(&b, "currencies", false);
    cp__pol_buf_raw(&b, "[", 1);
    for (uint32_t c = 0; c < p->n_cur; c++) {
      cp__pol_buf_raw(&b, c == 0 ? "{" : ",{", c == 0 ? 1 : 2);
      cp__pol_buf_key(&b, "currency", true);
      cp__pol_buf_str(&b, p->cur[c].id, strlen(p->cur[c].id));
      cp__pol_buf_key(&b, "decimals", false);
      cp__pol_buf_i64(&b, p->cur[c].decimals);
      cp__pol_buf_key(&b, "money", false);
      json_bool(&b, p->cur[c].money);
      cp__pol_buf_key(&b, "total", false);
      cp__pol_buf_i64(&b, a->total[c]);
      cp__pol_buf_key(&b, "educators", false);
      cp__pol_buf_i64(&b, (int64_t)a->educators[c]);
      if (p->cur[c].money && dv->from != 0) {
        cp__pol_buf_key(&b, "cost_in_year", false);
        cp__pol_buf_i64(&b, a->cost[c][0]);
      }
      if (p->cur[c].money && dv->range) {
        cp__pol_buf_key(&b, "costs", false);
        cp__pol_buf_raw(&b, "[", 1);
        for (unsigned y = 0; y < n_years(dv); y++) {
          if (y != 0) cp__pol_buf_raw(&b, ",", 1);
          cp__pol_buf_i64(&b, a->cost[c][y]);
        }
        cp__pol_buf_raw(&b, "]", 1);
      }
      cp__pol_buf_raw(&b, "}", 1);
    }
    cp__pol_buf_raw(&b, "]}", 2);
  }
  cp__pol_buf_raw(&b, "]}", 2);
  if (b.err != 0) {
    free(b.p);
    return CP_ENOMEM;
  }
  *out = b.p;
  if (len != NULL) *len = b.len;
  return CP_OK;
}

void cp_policy_district_free(cp_policy_district *dv) {
  if (dv == NULL) return;
  cp__pol_scratch_free(&dv->s);
  free(dv);
}
