/*
 * libFuzzer target for policy documents (node/policy_parse.c and the rule
 * grammar). The check every node applies (cp_policy_validate) and the
 * compiler must agree on every input, with the same code; a refusal says
 * why. A compiled policy compiles again to the same id and currencies, and
 * evaluating it for a fixed educator twice gives the same explanation,
 * which is itself valid JSON. Anything else aborts.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/policy.h"

static void fixed_educator(cp_policy_educator *ed, cp_policy_award *aw, cp_str *area) {
  memset(ed, 0, sizeof *ed);
  memset(aw, 0, 2 * sizeof *aw);
  *area = (cp_str){"elementary", 10};
  for (int i = 0; i < 2; i++) {
    memset(aw[i].id, 0x10 + i, sizeof aw[i].id);
    memset(aw[i].issuer, 0x20 + i, sizeof aw[i].issuer);
    memset(aw[i].credential, 0x30 + i, sizeof aw[i].credential);
    aw[i].cred_id = i == 0 ? (cp_str){"nc-mooc-ld-1", 12} : (cp_str){"c1", 2};
    aw[i].level = (uint8_t)(1 + i);
    aw[i].hours_x100 = 1000u * (unsigned)(i + 1);
    aw[i].areas = area;
    aw[i].n_areas = 1;
    aw[i].earned = 20000u + 30u * (unsigned)i;
  }
  memset(ed->key, 0x42, sizeof ed->key);
  ed->areas = area;
  ed->n_areas = 1;
  ed->awards = aw;
  ed->n_awards = 2;
}

static void evaluate(const cp_policy *p) {
  cp_policy_educator ed;
  cp_policy_award aw[2];
  cp_str area;
  cp_policy_env *env = NULL;
  cp_policy_result *r1 = NULL, *r2 = NULL;
  cp_diag d = {{0}};
  uint8_t h1[CP_HASH_BYTES], h2[CP_HASH_BYTES];
  size_t n1, n2;
  fixed_educator(&ed, aw, &area);
  if (cp_policy_env_new(NULL, 0, &env) != CP_OK) abort();
  int rc = cp_policy_evaluate(p, env, &ed, 20100, &r1, &d);
  if (rc != CP_OK) {
    if (d.msg[0] == 0 && rc != CP_ENOMEM) abort();
    goto out;
  }
  if (cp_policy_evaluate(p, env, &ed, 20100, &r2, &d) != CP_OK) abort();
  const char *j1 = cp_policy_result_json(r1, &n1), *j2 = cp_policy_result_json(r2, &n2);
  if (n1 != n2 || memcmp(j1, j2, n1) != 0) abort();
  cp_policy_result_hash(r1, h1);
  cp_policy_result_hash(r2, h2);
  if (memcmp(h1, h2, sizeof h1) != 0) abort();
  json_t *v = json_loadb(j1, n1, JSON_REJECT_DUPLICATES, NULL);
  if (v == NULL) abort();
  json_decref(v);
  int in = cp_policy_result_in_effect(r1);
  if (in != 0 && in != 1) abort();
out:
  cp_policy_result_free(r1);
  cp_policy_result_free(r2);
  cp_policy_env_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *doc = (const char *)data;
  cp_policy *p = NULL, *q = NULL;
  cp_diag d1 = {{0}}, d2 = {{0}};
  int v = cp_policy_validate(doc, size, &d1);
  int c = cp_policy_compile(doc, size, &p, &d2);
  if (v != c) abort();
  if (c != CP_OK) {
    if (p != NULL || d2.msg[0] == 0 || strcmp(d1.msg, d2.msg) != 0) abort();
    return 0;
  }
  if (cp_policy_compile(doc, size, &q, &d2) != CP_OK) abort();
  if (strcmp(cp_policy_id(p), cp_policy_id(q)) != 0) abort();
  size_t nc = cp_policy_n_currencies(p);
  if (nc != cp_policy_n_currencies(q)) abort();
  for (size_t i = 0; i < nc; i++) {
    const char *a, *b;
    unsigned da, db;
    int ma, mb;
    if (cp_policy_currency(p, i, &a, &da, &ma) != CP_OK ||
        cp_policy_currency(q, i, &b, &db, &mb) != CP_OK || strcmp(a, b) != 0 || da != db ||
        ma != mb)
      abort();
  }
  evaluate(p);
  cp_policy_free(p);
  cp_policy_free(q);
  return 0;
}
