/*
 * credport — the recognition engine's core: one educator, one compiled
 * policy, one as-of date. Pure: the facts come from the caller.
 *
 * Order of work (docs/POLICIES.md, "Evaluation"):
 *   1. awards are sorted by (earned, award ID), so input order never matters;
 *   2. per award, once: id hash, licensure-area match, revoked / future;
 *      per definition, a link to the previous award of the same definition;
 *   3. each non-conversion rule in document order walks the awards once;
 *   4. conversions run in dependency order over the currency totals.
 * Cost: O(A log A + P log P + A * R * (log P + s)) for A awards, P
 * pre-approvals, R rules and s the longest probe in a credential set (short;
 * at most the set's size under deliberate collisions); memory O(A * R) when
 * explaining, O(A) otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* ---- endorsement lookups (the table is built in recognize_out.c) -------------- */

uint64_t cp__pol_endorse_hash(const uint8_t *endorser, uint8_t kind, const uint8_t *subject,
                              bool any_claim, const char *claim, size_t claim_len) {
  uint64_t h = any_claim ? 0x9e3779b97f4a7c15ULL : cp__pol_hash_bytes(claim, claim_len);
  for (int i = 0; i < 4; i++) {
    uint64_t a, b;
    memcpy(&a, endorser + 8 * i, 8);
    memcpy(&b, subject + 8 * i, 8);
    h = (h ^ a) * 0xff51afd7ed558ccdULL;
    h = (h ^ b ^ kind) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
  }
  return h;
}

uint32_t *cp__pol_endorse_probe(const cp_policy_env *env, uint64_t h, const uint8_t *endorser,
                                uint8_t kind, const uint8_t *subject, bool any_claim,
                                const char *claim, size_t claim_len) {
  for (uint64_t i = h & env->mask;; i = (i + 1) & env->mask) {
    uint32_t *slot = &env->index[i];
    if (*slot == CP__NO_ENTRY) return slot;
    const cp__endorse_entry *s = &env->entries[*slot];
    if (s->h == h && s->kind == kind && s->any_claim == any_claim &&
        memcmp(s->endorser, endorser, CP_PK_BYTES) == 0 &&
        memcmp(s->subject, subject, CP_HASH_BYTES) == 0 &&
        (any_claim || (s->claim_len == claim_len && memcmp(s->claim, claim, claim_len) == 0)))
      return slot;
  }
}

bool cp__pol_env_in_force(const cp_policy_env *env, const cp__endorse_entry *e, uint32_t day) {
  /* The last span starting on or before day, if any, holds it or none does. */
  const cp__span *sp = env->spans + e->first;
  uint32_t lo = 0, hi = e->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (sp[mid].from <= day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo > 0 && sp[lo - 1].until >= day;
}

static bool endorsed_one(const cp_policy_env *env, const cp__filter *f, uint8_t kind,
                         const uint8_t *subject, uint32_t day) {
  bool any = f->endorse_claim == NULL;
  uint64_t h = cp__pol_endorse_hash(f->endorse_key, kind, subject, any, f->endorse_claim,
                                    f->endorse_claim_len);
  const uint32_t *slot = cp__pol_endorse_probe(env, h, f->endorse_key, kind, subject, any,
                                               f->endorse_claim, f->endorse_claim_len);
  return *slot != CP__NO_ENTRY && cp__pol_env_in_force(env, &env->entries[*slot], day);
}

/* Whether f's endorsement is in force on the day the filter names: the
 * as-of date, or the award's earned date (docs/POLICIES.md, "Filters"). */
static bool endorsed(const cp_policy_env *env, const cp__filter *f, const cp_policy_award *a,
                     uint32_t as_of) {
  if (env == NULL || env->index == NULL) return false;
  uint32_t day = f->endorse_on == CP__ON_EARNED ? a->earned : as_of;
  if (f->endorse_subject != CP__SUBJ_ISSUER &&
      endorsed_one(env, f, CP_SUBJECT_CREDENTIAL, a->credential, day))
    return true;
  if (f->endorse_subject != CP__SUBJ_CREDENTIAL &&
      endorsed_one(env, f, CP_SUBJECT_AUTHORITY, a->issuer, day))
    return true;
  return false;
}

/* ---- sorting (stable merge sort of indices with a context) --------------------- */

typedef int (*cmp_fn)(const void *ctx, uint32_t a, uint32_t b);

static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n, cmp_fn cmp, const void *ctx) {
  if (n <= 16) { /* insertion sort: the usual educator has a handful of awards */
    for (size_t i = 1; i < n; i++) {
      uint32_t x = v[i];
      size_t j = i;
      while (j > 0 && cmp(ctx, x, v[j - 1]) < 0) {
        v[j] = v[j - 1];
        j--;
      }
      v[j] = x;
    }
    return;
  }
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = cmp(ctx, v[j], v[i]) < 0 ? v[j++] : v[i++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, n * sizeof *v);
  }
}

static int cmp_award(const void *ctx, uint32_t a, uint32_t b) {
  const cp_policy_award *x = (const cp_policy_award *)ctx + a,
                        *y = (const cp_policy_award *)ctx + b;
  if (x->earned != y->earned) return x->earned < y->earned ? -1 : 1;
  int c = memcmp(x->id, y->id, CP_HASH_BYTES);
  return c != 0 ? c : (a < b ? -1 : a > b);
}

typedef struct {
  const cp_policy_award *awards;
  const uint32_t *order;
} def_ctx;

/* Positions (indices into order) by (definition, position). */
static int cmp_def(const void *ctx, uint32_t a, uint32_t b) {
  const def_ctx *c = ctx;
  int r =
      memcmp(c->awards[c->order[a]].credential, c->awards[c->order[b]].credential, CP_HASH_BYTES);
  return r != 0 ? r : (a < b ? -1 : a > b);
}

/* The day from which an approval can count: its stated start, or (logged
 * order) the later of that and the day its entry was logged. */
static uint32_t appr_start(const cp_policy_approval *x, bool logged) {
  return logged && x->logged > x->approved ? x->logged : x->approved;
}

/* The last day an approval holds: its expiry, or the day before its
 * withdrawal takes effect, whichever comes first. */
static uint32_t appr_end(const cp_policy_approval *x) {
  uint32_t e = x->expires == 0 ? UINT32_MAX : x->expires;
  if (x->withdrawn != 0 && x->withdrawn - 1 < e) e = x->withdrawn - 1;
  return e;
}

static int cmp_appr_by(const void *ctx, uint32_t a, uint32_t b, bool logged) {
  const cp_policy_approval *x = (const cp_policy_approval *)ctx + a,
                           *y = (const cp_policy_approval *)ctx + b;
  int r = memcmp(x->credential, y->credential, CP_HASH_BYTES);
  if (r == 0) r = memcmp(x->approver, y->approver, CP_PK_BYTES);
  uint32_t sx = appr_start(x, logged), sy = appr_start(y, logged);
  if (r == 0 && sx != sy) r = sx < sy ? -1 : 1;
  return r != 0 ? r : (a < b ? -1 : a > b);
}
static int cmp_appr(const void *ctx, uint32_t a, uint32_t b) {
  return cmp_appr_by(ctx, a, b, false);
}
static int cmp_appr_logged(const void *ctx, uint32_t a, uint32_t b) {
  return cmp_appr_by(ctx, a, b, true);
}

static int cmp_att(const void *ctx, uint32_t a, uint32_t b) {
  const cp_policy_attestation *x = (const cp_policy_attestation *)ctx + a,
                              *y = (const cp_policy_attestation *)ctx + b;
  int r = memcmp(x->attester, y->attester, CP_PK_BYTES);
  return r != 0 ? r : (a < b ? -1 : a > b);
}

/* ---- scratch -------------------------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return CP_OK;
  size_t n = *cap != 0 ? *cap : 16;
  while (n < need) n *= 2;
  if (n > SIZE_MAX / elem) return CP_ENOMEM;
  void *q = realloc(*p, n * elem);
  if (q == NULL) return CP_ENOMEM;
  *p = q;
  *cap = n;
  return CP_OK;
}

static int scratch_reserve(cp__scratch *s, size_t n_awards, size_t n_appr, size_t n_att) {
  size_t c = s->cap_awards;
  if (n_awards > c || c == 0) { /* never NULL, even for no awards */
    size_t n = c != 0 ? c : 64;
    while (n < n_awards) n *= 2;
    uint32_t *order = realloc(s->order, n * sizeof *order);
    if (order != NULL) s->order = order;
    uint32_t *tmp = realloc(s->tmp, 2 * n * sizeof *tmp);
    if (tmp != NULL) s->tmp = tmp;
    cp__award_pre *pre = realloc(s->pre, n * sizeof *pre);
    if (pre != NULL) s->pre = pre;
    uint8_t *chain = realloc(s->chain, n);
    if (chain != NULL) s->chain = chain;
    if (order == NULL || tmp == NULL || pre == NULL || chain == NULL)
      return CP_ENOMEM;
    s->cap_awards = n;
  }
  /* Four u32 per approval: two sorted orders, each with the running maximum
   * of the last day covered. Never NULL, even for no approvals: offsets are
   * added to it. */
  if (grow((void **)&s->appr, &s->cap_appr, n_appr > 0 ? 4 * n_appr : 1, sizeof *s->appr) != CP_OK)
    return CP_ENOMEM;
  if (grow((void **)&s->att, &s->cap_att, n_att > 0 ? 2 * n_att : 1, sizeof *s->att) != CP_OK)
    return CP_ENOMEM;
  return CP_OK;
}

void cp__pol_scratch_free(cp__scratch *s) {
  free(s->order);
  free(s->tmp);
  free(s->pre);
  free(s->chain);
  free(s->out);
  free(s->appr);
  free(s->att);
  free(s->grants);
  free(s->have);
  memset(s, 0, sizeof *s);
}

/* ---- facts ------------------------------------------------------------------------------ */

static bool ascii_ieq(cp_str a, cp_str b) {
  if (a.len != b.len) return false;
  for (size_t i = 0; i < a.len; i++) {
    unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
    if (x != y) return false;
  }
  return true;
}

static int check_strs(const cp_str *v, size_t n, size_t max, const char *what, size_t i,
                      cp_diag *d) {
  if (n > CP_LIST_MAX)
    return cp_diag_set(d, CP_EINVAL, "award %zu: %zu %s (at most %u)", i, n, what, CP_LIST_MAX);
  if (n > 0 && v == NULL) return cp_diag_set(d, CP_EINVAL, "award %zu: %s missing", i, what);
  for (size_t k = 0; k < n; k++)
    if (v[k].len > max || (v[k].len > 0 && v[k].p == NULL))
      return cp_diag_set(d, CP_EINVAL, "award %zu: %s[%zu] too long", i, what, k);
  return CP_OK;
}

static int check_facts(const cp_policy_educator *ed, cp_diag *d) {
  if (ed->n_awards > CP_POLICY_AWARDS_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "%zu awards (at most %u)", ed->n_awards,
                       CP_POLICY_AWARDS_MAX);
  if (ed->n_approvals > CP_POLICY_APPROVALS_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "%zu approvals (at most %u)", ed->n_approvals,
                       CP_POLICY_APPROVALS_MAX);
  if (ed->n_attestations > CP_POLICY_ATTESTATIONS_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "%zu licensure attestations (at most %u)",
                       ed->n_attestations, CP_POLICY_ATTESTATIONS_MAX);
  if ((ed->n_awards > 0 && ed->awards == NULL) || (ed->n_approvals > 0 && ed->approvals == NULL) ||
      (ed->n_attestations > 0 && ed->attestations == NULL))
    return cp_diag_set(d, CP_EINVAL, "facts missing");
  for (size_t i = 0; i < ed->n_attestations; i++) {
    const cp_policy_attestation *t = &ed->attestations[i];
    if (t->n_areas == 0 || t->n_areas > CP_LIST_MAX || t->areas == NULL)
      return cp_diag_set(d, CP_EINVAL, "attestation %zu: 1..%u areas", i, CP_LIST_MAX);
    for (size_t k = 0; k < t->n_areas; k++)
      if (t->areas[k].len > CP_STR_MAX || (t->areas[k].len > 0 && t->areas[k].p == NULL))
        return cp_diag_set(d, CP_EINVAL, "attestation %zu: areas[%zu] too long", i, k);
  }
  int rc = CP_OK;
  if (ed->n_areas > CP_LIST_MAX || (ed->n_areas > 0 && ed->areas == NULL))
    return cp_diag_set(d, CP_EINVAL, "educator: at most %u licensure areas", CP_LIST_MAX);
  for (size_t i = 0; i < ed->n_awards; i++) {
    const cp_policy_award *a = &ed->awards[i];
    if (a->level < 1 || a->level > CP_POLICY_LEVEL_MAX)
      return cp_diag_set(d, CP_EINVAL, "award %zu: level %u out of range 1..%u", i, a->level,
                         CP_POLICY_LEVEL_MAX);
    if (a->cred_id.len == 0 || a->cred_id.len > CP_ID_MAX || a->cred_id.p == NULL)
      return cp_diag_set(d, CP_EINVAL, "award %zu: credential id must be 1..%u bytes", i,
                         CP_ID_MAX);
    if ((rc = check_strs(a->areas, a->n_areas, CP_STR_MAX, "areas", i, d)) != CP_OK) return rc;
    if ((rc = check_strs(a->qa, a->n_qa, CP_STR_MAX, "qa standards", i, d)) != CP_OK) return rc;
  }
  return CP_OK;
}

/* ---- per-award checks ---------------------------------------------------------------------- */

typedef struct run {
  const cp_policy *p;
  const cp_policy_env *env;
  const cp_policy_educator *ed;
  uint32_t as_of;
  bool explain;
  cp__scratch *s;
  cp__eval *ev;
  size_t n; /* awards */
  cp_diag *d;
} run;

static const cp_policy_award *award_at(const run *r, size_t pos) {
  return &r->ed->awards[r->s->order[pos]];
}

/* Whether approver key approved this educator's plan for a's definition for
 * the day a was earned: some approval starting on or before it (with
 * logged, also logged by then) whose last day is on or after it. One binary
 * search in the order kept for that start, whose running maximum of last
 * days answers for every approval before the position found. */
static bool preapproved(const run *r, const uint8_t key[CP_PK_BYTES], const cp_policy_award *a,
                        bool logged) {
  size_t m = r->s->n_appr;
  const uint32_t *idx = r->s->appr + (logged ? 2 * m : 0), *maxend = idx + m;
  const cp_policy_approval *v = r->ed->approvals;
  size_t lo = 0, hi = m;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const cp_policy_approval *x = &v[idx[mid]];
    int c = memcmp(x->credential, a->credential, CP_HASH_BYTES);
    if (c == 0) c = memcmp(x->approver, key, CP_PK_BYTES);
    if (c == 0) c = appr_start(x, logged) <= a->earned ? -1 : 1;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return false;
  const cp_policy_approval *x = &v[idx[lo - 1]];
  if (memcmp(x->credential, a->credential, CP_HASH_BYTES) != 0 ||
      memcmp(x->approver, key, CP_PK_BYTES) != 0)
    return false;
  return maxend[lo - 1] >= a->earned;
}

static bool areas_meet(const cp_str *x, size_t nx, const cp_str *y, size_t ny) {
  for (size_t i = 0; i < nx; i++)
    for (size_t j = 0; j < ny; j++)
      if (ascii_ieq(x[i], y[j])) return true;
  return false;
}

/* Whether attester key attests, in force on the day a was earned, a
 * licensure area of a's definition for this educator. */
static bool attested_by(const run *r, const uint8_t key[CP_PK_BYTES], const cp_policy_award *a) {
  const uint32_t *idx = r->s->att;
  const cp_policy_attestation *v = r->ed->attestations;
  size_t lo = 0, hi = r->s->n_att;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (memcmp(v[idx[mid]].attester, key, CP_PK_BYTES) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < r->s->n_att && memcmp(v[idx[lo]].attester, key, CP_PK_BYTES) == 0; lo++) {
    const cp_policy_attestation *t = &v[idx[lo]];
    if (t->from > a->earned || (t->until != 0 && t->until < a->earned) ||
        (t->withdrawn != 0 && t->withdrawn <= a->earned))
      continue;
    if (areas_meet(a->areas, a->n_areas, t->areas, t->n_areas)) return true;
  }
  return false;
}

/* area_match: the areas given by hand when there are any, else those
 * attested for the earned date by the filter's authority (or by any
 * authority the policy names). */
static bool area_ok(const run *r, const cp__filter *f, const cp_policy_award *a,
                    const cp__award_pre *pre) {
  if (r->ed->n_areas > 0) return pre->area_ok;
  if (f->area_from == CP__AREAS_ONE) return attested_by(r, f->area_key, a);
  for (uint32_t i = 0; i < r->p->n_auth; i++)
    if (attested_by(r, r->p->auth[i].key, a)) return true;
  return false;
}

/* The first reason the award at pos fails f, or CP_PR_COUNTED if it passes.
 * The window is checked here only when with_window (per-award rules; group
 * rules check their completion date instead). */
static uint8_t check(const run *r, const cp__rule *rule, size_t pos, bool with_window) {
  const cp__filter *f = &rule->f;
  const cp_policy_award *a = award_at(r, pos);
  const cp__award_pre *pre = &r->s->pre[pos];
  const cp_policy *p = r->p;
  if (pre->future) return CP_PR_AFTER_AS_OF;
  if (pre->revoked) return CP_PR_REVOKED;
  if (f->creds >= 0 &&
      cp__pol_set_find(&p->sets[f->creds], pre->h, a->cred_id.p, a->cred_id.len, a->issuer) < 0)
    return CP_PR_NOT_LISTED;
  if (f->exclude >= 0 &&
      cp__pol_set_find(&p->sets[f->exclude], pre->h, a->cred_id.p, a->cred_id.len, a->issuer) >= 0)
    return CP_PR_EXCLUDED;
  if (f->n_issuers > 0) {
    uint32_t i = 0;
    while (i < f->n_issuers && memcmp(f->issuers[i], a->issuer, CP_PK_BYTES) != 0) i++;
    if (i == f->n_issuers) return CP_PR_UNTRUSTED_ISSUER;
  }
  if (a->level < f->min_level) return CP_PR_BELOW_LEVEL;
  if (f->qa != NULL) {
    size_t i = 0;
    while (i < a->n_qa && !(a->qa[i].len == f->qa_len && memcmp(a->qa[i].p, f->qa, f->qa_len) == 0))
      i++;
    if (i == a->n_qa) return CP_PR_QA_MISSING;
  }
  if (f->area_match && !area_ok(r, f, a, pre)) return CP_PR_AREA_MISMATCH;
  if (f->endorse && !endorsed(r->env, f, a, r->as_of)) return CP_PR_NOT_ENDORSED;
  if (f->preapproval && !preapproved(r, f->preapproval_key, a, f->preapproval_logged))
    return f->preapproval_logged && preapproved(r, f->preapproval_key, a, false)
               ? CP_PR_APPROVAL_LOGGED_LATE
               : CP_PR_NO_PREAPPROVAL;
  if (with_window && f->has_window && !cp__pol_window_holds(&f->window, a->earned, r->as_of))
    return CP_PR_OUTSIDE_WINDOW;
  return CP_PR_COUNTED;
}

/* ---- grants and caps ---------------------------------------------------------------------- */

typedef struct capstate {
  bool started;
  int64_t bucket, used;
} capstate;

/* Applies rule's cap to amount (dated day, in date order), credits the
 * result and records it. *reason: COUNTED, CAPPED or OVER_CAP. */
static int grant(run *r, uint32_t ri, capstate *cs, uint32_t day, int64_t amount, int64_t *granted,
                 uint8_t *reason) {
  const cp__rule *rule = &r->p->rules[ri];
  int64_t g = amount;
  int rc;
  *reason = CP_PR_COUNTED;
  if (rule->has_cap) {
    int64_t b = cp__pol_window_bucket(&rule->cap_per, day);
    if (!cs->started || b != cs->bucket) {
      cs->started = true;
      cs->bucket = b;
      cs->used = 0;
    }
    int64_t left = rule->cap - cs->used;
    if (g > left) {
      g = left;
      *reason = g > 0 ? CP_PR_CAPPED : CP_PR_OVER_CAP;
      r->ev->rules[ri].capped = true;
    }
    cs->used += g;
  }
  *granted = g;
  if ((rc = cp__add(&r->ev->rules[ri].granted, g)) != CP_OK ||
      (rc = cp__add(&r->ev->totals[rule->currency], g)) != CP_OK)
    return cp_diag_set(r->d, rc, "rule \"%s\": total overflows", rule->id);
  if (r->p->cur[rule->currency].money && g > 0) {
    cp__scratch *s = r->s;
    if (grow((void **)&s->grants, &s->cap_grants, s->n_grants + 1, sizeof *s->grants) != CP_OK)
      return cp_diag_set(r->d, CP_ENOMEM, "out of memory");
    s->grants[s->n_grants++] = (cp__grant){day, rule->currency, rule->recurring, g};
  }
  return CP_OK;
}

static void set_out(run *r, size_t pos, uint32_t ri, uint8_t reason, int64_t amount) {
  if (!r->explain) return;
  cp__outcome *o = &r->s->out[pos * r->p->n_rules + ri];
  o->reason = reason;
  o->amount = amount;
}

/* Marks duplicates: an award of a definition that already qualified under
 * this rule. Returns whether pos qualifies and is not a duplicate. */
static bool first_of_def(run *r, size_t pos, bool qual, uint32_t ri) {
  int32_t prev = r->s->pre[pos].dup_prev;
  bool dup = prev >= 0 && r->s->chain[prev];
  r->s->chain[pos] = qual || dup;
  if (qual && dup) set_out(r, pos, ri, CP_PR_DUPLICATE, 0);
  return qual && !dup;
}

static int hours_amount(const run *r, const cp__rule *rule, int64_t hours_x100, int64_t *out) {
  if (cp__muldiv(hours_x100, rule->rate_amount, rule->rate_hours_x100, out) != CP_OK)
    return cp_diag_set(r->d, CP_EOVERFLOW, "rule \"%s\": contact-hour amount overflows", rule->id);
  return CP_OK;
}

static int run_per_award(run *r, uint32_t ri) {
  const cp__rule *rule = &r->p->rules[ri];
  capstate cs = {0};
  int rc;
  for (size_t pos = 0; pos < r->n; pos++) {
    uint8_t why = check(r, rule, pos, true);
    if (why != CP_PR_COUNTED) set_out(r, pos, ri, why, 0);
    if (!first_of_def(r, pos, why == CP_PR_COUNTED, ri)) continue;
    const cp_policy_award *a = award_at(r, pos);
    int64_t amount = rule->fixed, g = 0;
    if (rule->amount_kind == CP__A_PER_LEVEL) {
      if (!rule->level_rated[a->level]) {
        set_out(r, pos, ri, CP_PR_LEVEL_NOT_RATED, 0);
        continue;
      }
      amount = rule->per_level[a->level];
    } else if (rule->amount_kind == CP__A_HOURS &&
               (rc = hours_amount(r, rule, a->hours_x100, &amount)) != CP_OK) {
      return rc;
    }
    if ((rc = grant(r, ri, &cs, a->earned, amount, &g, &why)) != CP_OK) return rc;
    set_out(r, pos, ri, why, g);
  }
  return CP_OK;
}

/* "n awards for m units": every n-th qualifying award completes a group,
 * which is granted m at that award's date; members of a group share its
 * fate and the completing award carries the amount. */
static int run_count(run *r, uint32_t ri) {
  const cp__rule *rule = &r->p->rules[ri];
  uint32_t *group = r->s->tmp;
  size_t in_group = 0;
  capstate cs = {0};
  int rc;
  for (size_t pos = 0; pos < r->n; pos++) {
    uint8_t why = check(r, rule, pos, true);
    if (why != CP_PR_COUNTED) set_out(r, pos, ri, why, 0);
    if (!first_of_def(r, pos, why == CP_PR_COUNTED, ri)) continue;
    group[in_group++] = (uint32_t)pos;
    if (in_group < rule->every) continue;
    int64_t g = 0;
    if ((rc = grant(r, ri, &cs, award_at(r, pos)->earned, rule->fixed, &g, &why)) != CP_OK)
      return rc;
    for (size_t k = 0; k < in_group; k++) set_out(r, group[k], ri, why, group[k] == pos ? g : 0);
    in_group = 0;
  }
  for (size_t k = 0; k < in_group; k++) set_out(r, group[k], ri, CP_PR_GROUP_INCOMPLETE, 0);
  return CP_OK;
}

/* Bundles (every item of a set) and milestones (k items of a set). The
 * group completes at the award that brings it to its need; the window and
 * the cap apply to that date. */
static int run_group(run *r, uint32_t ri) {
  const cp__rule *rule = &r->p->rules[ri];
  const cp__set *set = &r->p->sets[rule->set];
  cp__scratch *s = r->s;
  uint32_t have = 0;
  int64_t done_pos = -1;
  int rc;
  if (grow((void **)&s->have, &s->cap_have, set->n, sizeof *s->have) != CP_OK)
    return cp_diag_set(r->d, CP_ENOMEM, "out of memory");
  int32_t *hv = s->have;
  for (uint32_t k = 0; k < set->n; k++) hv[k] = -1;
  bool bundle = rule->kind == CP__R_BUNDLE;
  uint8_t pending = bundle ? CP_PR_BUNDLE_INCOMPLETE : CP_PR_MILESTONE_INCOMPLETE;
  for (size_t pos = 0; pos < r->n; pos++) {
    const cp_policy_award *a = award_at(r, pos);
    uint8_t why = check(r, rule, pos, rule->members_in_window);
    int32_t item = -1;
    if (why == CP_PR_COUNTED) {
      item = cp__pol_set_find(set, s->pre[pos].h, a->cred_id.p, a->cred_id.len, a->issuer);
      if (item < 0) why = CP_PR_NOT_LISTED;
    }
    if (why != CP_PR_COUNTED) set_out(r, pos, ri, why, 0);
    if (!first_of_def(r, pos, why == CP_PR_COUNTED, ri)) continue;
    if (done_pos >= 0 || hv[item] >= 0) {
      set_out(r, pos, ri, CP_PR_NOT_NEEDED, 0);
      continue;
    }
    hv[item] = (int32_t)pos;
    set_out(r, pos, ri, pending, 0);
    if (++have == rule->need) done_pos = (int64_t)pos;
  }
  cp__rule_sum *sum = &r->ev->rules[ri];
  sum->have = have;
  sum->need = rule->need;
  if (done_pos < 0) return CP_OK;
  uint32_t day = award_at(r, (size_t)done_pos)->earned;
  sum->complete = true;
  sum->date = day;
  uint8_t why = CP_PR_COUNTED;
  int64_t g = 0;
  if (rule->f.has_window && !cp__pol_window_holds(&rule->f.window, day, r->as_of)) {
    why = CP_PR_OUTSIDE_WINDOW;
  } else {
    int64_t amount = rule->fixed;
    if (rule->amount_kind == CP__A_HOURS) {
      int64_t hours = rule->group_hours_x100;
      if (hours < 0) {
        hours = 0;
        for (uint32_t k = 0; k < set->n; k++)
          if (hv[k] >= 0 && cp__add(&hours, award_at(r, (size_t)hv[k])->hours_x100) != CP_OK)
            return cp_diag_set(r->d, CP_EOVERFLOW, "rule \"%s\": hours overflow", rule->id);
      }
      if ((rc = hours_amount(r, rule, hours, &amount)) != CP_OK) return rc;
    }
    capstate cs = {0};
    if ((rc = grant(r, ri, &cs, day, amount, &g, &why)) != CP_OK) return rc;
  }
  for (uint32_t k = 0; k < set->n; k++)
    if (hv[k] >= 0) set_out(r, (size_t)hv[k], ri, why, hv[k] == done_pos ? g : 0);
  return CP_OK;
}

static int run_convert(run *r, uint32_t ri) {
  const cp__rule *rule = &r->p->rules[ri];
  cp__rule_sum *sum = &r->ev->rules[ri];
  int64_t in = r->ev->totals[rule->conv_from], out = 0;
  if (in < 0) in = 0;
  if (cp__muldiv(in, rule->rate_to, rule->rate_from, &out) != CP_OK)
    return cp_diag_set(r->d, CP_EOVERFLOW, "rule \"%s\": conversion overflows", rule->id);
  sum->input = in;
  capstate cs = {0};
  int64_t g = 0;
  uint8_t why;
  return grant(r, ri, &cs, r->as_of, out, &g, &why);
}

/* ---- the run ------------------------------------------------------------------------------ */

int cp__recognize_prepare(const cp_policy_educator *ed, uint32_t as_of, cp__scratch *s,
                          cp_diag *d) {
  int rc;
  s->ready = false;
  if ((rc = check_facts(ed, d)) != CP_OK) return rc;
  if (scratch_reserve(s, ed->n_awards, ed->n_approvals, ed->n_attestations) != CP_OK)
    return cp_diag_set(d, CP_ENOMEM, "out of memory");
  size_t n = ed->n_awards;
  for (size_t i = 0; i < n; i++) s->order[i] = (uint32_t)i;
  merge_sort(s->order, s->tmp, n, cmp_award, ed->awards);
  for (size_t pos = 0; pos < n; pos++) {
    const cp_policy_award *a = &ed->awards[s->order[pos]];
    cp__award_pre *pre = &s->pre[pos];
    pre->h = cp__pol_hash_bytes(a->cred_id.p, a->cred_id.len);
    pre->future = a->earned > as_of;
    pre->revoked = a->revoked != 0 && a->revoked <= as_of;
    pre->dup_prev = -1;
    pre->area_ok = false;
    for (size_t i = 0; i < a->n_areas && !pre->area_ok; i++)
      for (size_t j = 0; j < ed->n_areas && !pre->area_ok; j++)
        pre->area_ok = ascii_ieq(a->areas[i], ed->areas[j]);
  }
  /* Links each award to the previous award of the same definition. */
  uint32_t *bydef = s->tmp + s->cap_awards;
  for (size_t pos = 0; pos < n; pos++) bydef[pos] = (uint32_t)pos;
  def_ctx dc = {ed->awards, s->order};
  merge_sort(bydef, s->tmp, n, cmp_def, &dc);
  for (size_t k = 1; k < n; k++)
    if (memcmp(ed->awards[s->order[bydef[k]]].credential,
               ed->awards[s->order[bydef[k - 1]]].credential, CP_HASH_BYTES) == 0)
      s->pre[bydef[k]].dup_prev = (int32_t)bydef[k - 1];
  /* Approvals of this educator in two orders, by (credential, approver,
   * start) with start the stated day, then the later of it and the day
   * logged; each with the running latest last day within each (credential,
   * approver) run. */
  size_t m = 0;
  for (size_t i = 0; i < ed->n_approvals; i++)
    if (memcmp(ed->approvals[i].educator, ed->key, CP_PK_BYTES) == 0) s->appr[m++] = (uint32_t)i;
  memcpy(s->appr + 2 * m, s->appr, m * sizeof *s->appr);
  for (int o = 0; o < 2; o++) {
    uint32_t *idx = s->appr + 2 * m * (size_t)o, *maxend = idx + m;
    merge_sort(idx, maxend, m, o == 0 ? cmp_appr : cmp_appr_logged, ed->approvals);
    for (size_t k = 0; k < m; k++) {
      const cp_policy_approval *x = &ed->approvals[idx[k]];
      uint32_t e = appr_end(x);
      if (k > 0) {
        const cp_policy_approval *y = &ed->approvals[idx[k - 1]];
        if (memcmp(x->credential, y->credential, CP_HASH_BYTES) == 0 &&
            memcmp(x->approver, y->approver, CP_PK_BYTES) == 0 && maxend[k - 1] > e)
          e = maxend[k - 1];
      }
      maxend[k] = e;
    }
  }
  /* Attestations of this educator, by attester. */
  size_t na = 0;
  for (size_t i = 0; i < ed->n_attestations; i++)
    if (memcmp(ed->attestations[i].educator, ed->key, CP_PK_BYTES) == 0)
      s->att[na++] = (uint32_t)i;
  merge_sort(s->att, s->att + na, na, cmp_att, ed->attestations);
  s->n_att = na;
  s->n_appr = m;
  s->ready = true;
  return CP_OK;
}

int cp__recognize_policy(const cp_policy *p, const cp_policy_env *env, const cp_policy_educator *ed,
                         uint32_t as_of, bool explain, cp__scratch *s, cp__eval *ev, cp_diag *d) {
  int rc;
  memset(ev, 0, sizeof *ev);
  s->n_grants = 0;
  if (!s->ready) return cp_diag_set(d, CP_EINVAL, "facts not prepared");
  if (explain) {
    size_t cap_out = s->cap_out;
    if (ed->n_awards > SIZE_MAX / CP_POLICY_RULES_MAX ||
        grow((void **)&s->out, &cap_out, ed->n_awards * p->n_rules, sizeof *s->out) != CP_OK)
      return cp_diag_set(d, CP_ENOMEM, "out of memory");
    s->cap_out = cap_out;
  }
  run r = {p, env, ed, as_of, explain, s, ev, ed->n_awards, d};
  ev->in_effect = as_of >= p->eff_from && as_of <= p->eff_until;
  if (!ev->in_effect) {
    for (size_t pos = 0; pos < r.n; pos++)
      for (uint32_t ri = 0; ri < p->n_rules; ri++) set_out(&r, pos, ri, CP_PR_NOT_IN_EFFECT, 0);
    return CP_OK;
  }
  for (uint32_t ri = 0; ri < p->n_rules; ri++) {
    const cp__rule *rule = &p->rules[ri];
    memset(s->chain, 0, r.n);
    switch (rule->kind) {
    case CP__R_PER_AWARD: rc = run_per_award(&r, ri); break;
    case CP__R_COUNT: rc = run_count(&r, ri); break;
    case CP__R_BUNDLE:
    case CP__R_MILESTONE: rc = run_group(&r, ri); break;
    default: rc = CP_OK; break;
    }
    if (rc != CP_OK) return rc;
  }
  for (uint32_t k = 0; k < p->n_conv; k++)
    if ((rc = run_convert(&r, p->conv_order[k])) != CP_OK) return rc;
  return CP_OK;
}
