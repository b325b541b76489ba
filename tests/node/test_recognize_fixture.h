/*
 * Test fixture for the recognition engine: builds an educator's facts
 * (awards, endorsements, pre-approvals) in memory, loads the example
 * policies from examples/policies/ and evaluates.
 *
 * Authority keys are 32 copies of one byte, matching the placeholder keys
 * of the example policies: 0x11 BCPS, 0x22 NCDPI, 0x33 NC State (MOOC-Eds),
 * 0x44 Kettle Moraine, 0x55 Clark County, 0x66 Digital Promise,
 * 0x77 South Milwaukee, 0x88 BloomBoard. A credential definition's entry
 * ID is derived from its issuer byte and stable id.
 */
#ifndef TEST_RECOGNIZE_FIXTURE_H
#define TEST_RECOGNIZE_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cptest.h"
#include "credport/policy.h"

#define EXAMPLES CP_TEST_VECTORS "/../../examples/policies"
#define FX_MAX   512

enum {
  K_BCPS = 0x11,
  K_NCDPI = 0x22,
  K_NCSU = 0x33,
  K_KMSD = 0x44,
  K_CCSD = 0x55,
  K_DP = 0x66,
  K_SDSM = 0x77,
  K_BLOOM = 0x88,
  K_OTHER = 0x99
};

typedef struct fx {
  cp_policy *p;
  cp_policy_award aw[FX_MAX];
  char names[FX_MAX][40];
  size_t n;
  cp_policy_endorsement en[FX_MAX];
  size_t n_en;
  cp_policy_approval ap[FX_MAX];
  size_t n_ap;
  cp_str areas[4];
  size_t n_areas;
  cp_policy_attestation at[8];
  size_t n_at;
  uint8_t educator[CP_PK_BYTES];
  cp_policy_env *env;
  cp_policy_result *r;
  cp_diag d;
} fx;

static inline uint32_t D(const char *s) {
  uint32_t d = 0;
  assert_int_equal(cp_date_parse(s, &d), CP_OK);
  return d;
}

static inline cp_str S(const char *s) {
  cp_str v = {s, strlen(s)};
  return v;
}

static inline void def_id(uint8_t out[CP_HASH_BYTES], uint8_t issuer, const char *cred) {
  memset(out, 0, CP_HASH_BYTES);
  out[0] = issuer;
  size_t n = strlen(cred);
  memcpy(out + 1, cred, n > CP_HASH_BYTES - 1 ? CP_HASH_BYTES - 1 : n);
}

static inline cp_policy *load_policy(const char *name) {
  char *path = cpt_path(EXAMPLES, name);
  size_t len = 0;
  uint8_t *doc = cpt_read_file(path, &len);
  cp_policy *p = NULL;
  cp_diag d = {{0}};
  int rc = cp_policy_compile((const char *)doc, len, &p, &d);
  if (rc != CP_OK) fail_msg("%s: %s", name, d.msg);
  free(doc);
  free(path);
  return p;
}

static inline fx *fx_new(const char *policy) {
  fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  memset(f->educator, 0xe1, CP_PK_BYTES);
  if (policy != NULL) f->p = load_policy(policy);
  return f;
}

static inline cp_policy *compile_text(const char *doc) {
  cp_policy *p = NULL;
  cp_diag d = {{0}};
  int rc = cp_policy_compile(doc, strlen(doc), &p, &d);
  if (rc != CP_OK) fail_msg("policy: %s", d.msg);
  return p;
}

/* Adds an award; returns its index. */
static inline size_t fx_award(fx *f, uint8_t issuer, const char *cred, uint8_t level,
                              uint32_t hours_x100, const char *earned) {
  assert_true(f->n < FX_MAX);
  size_t i = f->n++;
  cp_policy_award *a = &f->aw[i];
  memset(a, 0, sizeof *a);
  snprintf(f->names[i], sizeof f->names[i], "%s", cred);
  memset(a->id, 0xa0, CP_HASH_BYTES);
  a->id[0] = (uint8_t)(i >> 8);
  a->id[1] = (uint8_t)i;
  memset(a->issuer, issuer, CP_PK_BYTES);
  def_id(a->credential, issuer, cred);
  a->cred_id = S(f->names[i]);
  a->level = level;
  a->hours_x100 = hours_x100;
  a->earned = D(earned);
  return i;
}

static inline void fx_areas(fx *f, size_t i, const cp_str *areas, size_t n) {
  f->aw[i].areas = areas;
  f->aw[i].n_areas = n;
}

/* endorser endorses the definition (issuer, cred) with claim on date. */
static inline void fx_endorse(fx *f, uint8_t endorser, uint8_t issuer, const char *cred,
                              const char *claim, const char *date) {
  assert_true(f->n_en < FX_MAX);
  cp_policy_endorsement *e = &f->en[f->n_en++];
  memset(e, 0, sizeof *e);
  memset(e->endorser, endorser, CP_PK_BYTES);
  e->kind = CP_SUBJECT_CREDENTIAL;
  def_id(e->subject, issuer, cred);
  e->claim = S(claim);
  e->date = D(date);
}

static inline void fx_approve(fx *f, uint8_t approver, uint8_t issuer, const char *cred,
                              const char *approved, const char *expires) {
  assert_true(f->n_ap < FX_MAX);
  cp_policy_approval *a = &f->ap[f->n_ap++];
  memset(a, 0, sizeof *a);
  memset(a->approver, approver, CP_PK_BYTES);
  memcpy(a->educator, f->educator, CP_PK_BYTES);
  def_id(a->credential, issuer, cred);
  a->approved = D(approved);
  a->expires = expires != NULL ? D(expires) : 0;
}

/* attester attests the educator's areas from .. until (NULL: open). */
static inline cp_policy_attestation *fx_attest(fx *f, uint8_t attester, const cp_str *areas,
                                               size_t n, const char *from, const char *until) {
  assert_true(f->n_at < sizeof f->at / sizeof f->at[0]);
  cp_policy_attestation *t = &f->at[f->n_at++];
  memset(t, 0, sizeof *t);
  memset(t->attester, attester, CP_PK_BYTES);
  memcpy(t->educator, f->educator, CP_PK_BYTES);
  t->areas = areas;
  t->n_areas = n;
  t->from = D(from);
  t->until = until != NULL ? D(until) : 0;
  return t;
}

static inline cp_policy_educator fx_educator(const fx *f) {
  cp_policy_educator ed;
  memset(&ed, 0, sizeof ed);
  memcpy(ed.key, f->educator, CP_PK_BYTES);
  ed.areas = f->areas;
  ed.n_areas = f->n_areas;
  ed.awards = f->aw;
  ed.n_awards = f->n;
  ed.attestations = f->at;
  ed.n_attestations = f->n_at;
  ed.approvals = f->ap;
  ed.n_approvals = f->n_ap;
  return ed;
}

static inline void fx_eval(fx *f, const char *as_of) {
  cp_policy_result_free(f->r);
  f->r = NULL;
  cp_policy_env_free(f->env);
  f->env = NULL;
  assert_int_equal(cp_policy_env_new(f->en, f->n_en, &f->env), CP_OK);
  cp_policy_educator ed = fx_educator(f);
  int rc = cp_policy_evaluate(f->p, f->env, &ed, D(as_of), &f->r, &f->d);
  if (rc != CP_OK) fail_msg("evaluate: %s", f->d.msg);
}

static inline int64_t fx_total(const fx *f, const char *currency) {
  int64_t v = -1;
  assert_int_equal(cp_policy_result_total(f->r, currency, &v), CP_OK);
  return v;
}

static inline const char *fx_fate(const fx *f, size_t i, const char *rule, int64_t *amount) {
  cp_policy_reason why = CP_PR_COUNT_;
  int64_t a = -1;
  assert_int_equal(cp_policy_result_fate(f->r, f->aw[i].id, rule, &why, &a), CP_OK);
  if (amount != NULL) *amount = a;
  return cp_policy_reason_name((int)why);
}

static inline bool fx_json_has(const fx *f, const char *needle) {
  const char *j = cp_policy_result_json(f->r, NULL);
  if (strstr(j, needle) != NULL) return true;
  print_message("JSON lacks %s:\n%s\n", needle, j);
  return false;
}

static inline void fx_free(fx *f) {
  cp_policy_result_free(f->r);
  cp_policy_env_free(f->env);
  cp_policy_free(f->p);
  free(f);
}

#endif
