/*
 * credport — recognition entries: recording what an authority granted, and
 * recomputing it later for the audit (include/credport/facts.h;
 * docs/POLICIES.md, "On the ledger").
 *
 * Recording and auditing share one evaluation (evaluate_compiled):
 * facts are the entries with time <= the recognition entry's own time, the
 * evaluation date is its as_of, and areas given by hand are never used
 * (area rules read the licensure attestations among the facts). Recording evaluates inside the appender's
 * write transaction, with the cutoff set to the time the appender will
 * give the entry, so no other write can land between evaluation and append.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/facts.h"
#include "store_internal.h"

static int cmp_currency(cp_str a, cp_str b) {
  size_t m = a.len < b.len ? a.len : b.len;
  int c = m ? memcmp(a.p, b.p, m) : 0;
  if (c != 0) return c;
  return a.len < b.len ? -1 : a.len > b.len;
}

int cp_recognition_totals(const cp_policy_result *res, cp_total t[CP_TOTALS_MAX], uint32_t *n) {
  size_t k = cp_policy_result_n_totals(res);
  if (k == 0 || k > CP_TOTALS_MAX) return CP_ETOOBIG;
  for (size_t i = 0; i < k; i++) {
    const char *cur = NULL;
    int64_t amount = 0;
    int rc = cp_policy_result_total_at(res, i, &cur, &amount);
    if (rc != 0) return rc;
    cp_total x = {{cur, strlen(cur)}, amount};
    /* Insertion sort: at most 16 currencies. */
    size_t j = i;
    for (; j > 0 && cmp_currency(t[j - 1].currency, x.currency) > 0; j--) t[j] = t[j - 1];
    t[j] = x;
  }
  *n = (uint32_t)k;
  return CP_OK;
}

/* Compiles the policy entry `policy` held by this node. */
static int compile_held(cp_reader *r, const uint8_t policy[CP_HASH_BYTES], cp_policy **out,
                        cp_diag *d) {
  cp_policy_entry pe;
  char hex[2 * CP_HASH_BYTES + 1];
  int rc = cp_reader_policy(r, policy, &pe);
  if (rc != 0) {
    cp_hex_encode(policy, CP_HASH_BYTES, hex);
    return cp_diag_set(d, rc, "policy entry %s: %s", hex,
                       rc == CP_ENOTFOUND ? "not held by this node"
                       : rc == CP_EINVAL  ? "not a policy entry"
                                          : cp_strerror(rc));
  }
  return cp_policy_compile(pe.document.p, pe.document.len, out, d);
}

/* Evaluates compiled policy p for one educator over the facts up to cutoff. */
static int evaluate_compiled(cp_reader *r, const cp_policy *p, const uint8_t educator[CP_PK_BYTES],
                             uint32_t as_of, uint64_t cutoff, cp_policy_result **res,
                             cp_diag *d) {
  cp_facts *f = NULL;
  cp_policy_educator ed;
  int rc = cp_facts_new(r, cutoff, 0, &f, d);
  if (rc == 0) rc = cp_facts_educator(f, educator, NULL, 0, &ed, d);
  if (rc == 0) rc = cp_policy_evaluate(p, cp_facts_env(f), &ed, as_of, res, d);
  cp_facts_free(f);
  return rc;
}

int cp_recognition_evaluate(cp_reader *r, const uint8_t policy[CP_HASH_BYTES],
                            const uint8_t educator[CP_PK_BYTES], uint32_t as_of, uint64_t cutoff,
                            cp_policy **pol, cp_policy_result **res, cp_diag *d) {
  cp_policy *p = NULL;
  *pol = NULL;
  *res = NULL;
  int rc = compile_held(r, policy, &p, d);
  if (rc == 0) rc = evaluate_compiled(r, p, educator, as_of, cutoff, res, d);
  if (rc != 0) {
    cp_policy_free(p);
    return rc;
  }
  *pol = p;
  return CP_OK;
}

int cp_recognition_record(cp_store *s, const cp_key *k, uint64_t now,
                          const uint8_t policy[CP_HASH_BYTES], const uint8_t educator[CP_PK_BYTES],
                          uint32_t as_of, uint8_t id[CP_HASH_BYTES], uint64_t *time,
                          cp_policy **pol, cp_policy_result **res, cp_diag *d) {
  cp_appender *a = NULL;
  cp_reader *r = NULL;
  cp_policy *p = NULL;
  cp_policy_result *rr = NULL;
  cp_policy_entry pe;
  uint8_t self[CP_PK_BYTES];
  cp_entry e;
  /* The appender first: its writer holds the write transaction, so the
   * reader below sees exactly what the entry will be appended onto. */
  int rc = cp_appender_begin(s, k, now, &a, d);
  if (rc != 0) return rc;
  uint64_t cutoff = cp_appender_time(a);
  if ((rc = cp_reader_begin(s, &r)) != 0) goto out;
  if ((rc = cp_reader_self(r, self)) != 0) goto out;
  if (cp_reader_policy(r, policy, &pe) == 0 && memcmp(pe.log, self, CP_PK_BYTES) != 0) {
    rc = cp_diag_set(d, CP_ERULE,
                     "the policy is of another log: a recognition names a policy of its own "
                     "log (R-body-05)");
    goto out;
  }
  /* A missing or mistyped policy entry is reported by the evaluation. */
  rc = cp_recognition_evaluate(r, policy, educator, as_of, cutoff, &p, &rr, d);
  if (rc != 0) goto out;
  memset(&e, 0, sizeof e);
  e.type = CP_T_RECOGNITION;
  memcpy(e.u.recognition.policy, policy, CP_HASH_BYTES);
  memcpy(e.u.recognition.educator, educator, CP_PK_BYTES);
  e.u.recognition.as_of = as_of;
  if ((rc = cp_recognition_totals(rr, e.u.recognition.totals, &e.u.recognition.n_totals)) != 0)
    goto out;
  cp_policy_result_hash(rr, e.u.recognition.explanation);
  if ((rc = cp_appender_add(a, &e, id, d)) != 0) goto out;
  if (e.time != cutoff) { /* the appender's contract; checked, never assumed */
    rc = cp_diag_set(d, CP_ETIME, "the entry got time %llu, not the evaluated %llu",
                     (unsigned long long)e.time, (unsigned long long)cutoff);
    goto out;
  }
  cp_reader_end(r);
  r = NULL;
  rc = cp_appender_commit(a, d);
  a = NULL;
  if (rc == 0 && time != NULL) *time = e.time;
out:
  cp_reader_end(r);
  cp_appender_abort(a);
  if (rc == 0 && pol != NULL && res != NULL) {
    *pol = p;
    *res = rr;
  } else {
    cp_policy_result_free(rr);
    cp_policy_free(p);
  }
  return rc;
}

/* The last policy compiled while checking, kept for the next check: an
 * audit recompiles only when the policy changes from one entry to the next. */
typedef struct {
  uint8_t id[CP_HASH_BYTES];
  cp_policy *p;
} policy_memo;

static int check(cp_reader *r, policy_memo *m, const uint8_t *buf, size_t len, cp_diag *d) {
  cp_entry e;
  cp_policy_result *res = NULL;
  cp_total t[CP_TOTALS_MAX];
  uint32_t n = 0;
  uint8_t h[CP_HASH_BYTES];
  int rc = cp_entry_decode(buf, len, &e, d);
  if (rc != 0) return rc;
  if (e.type != CP_T_RECOGNITION) return cp_diag_set(d, CP_EINVAL, "not a recognition entry");
  if (m->p == NULL || memcmp(m->id, e.u.recognition.policy, CP_HASH_BYTES) != 0) {
    cp_policy_free(m->p);
    m->p = NULL;
    if ((rc = compile_held(r, e.u.recognition.policy, &m->p, d)) != 0) return rc;
    memcpy(m->id, e.u.recognition.policy, CP_HASH_BYTES);
  }
  rc = evaluate_compiled(r, m->p, e.u.recognition.educator, e.u.recognition.as_of, e.time, &res,
                         d);
  if (rc == 0) rc = cp_recognition_totals(res, t, &n);
  if (rc != 0) goto out;
  cp_policy_result_hash(res, h);
  /* Totals: walk both sorted lists and name the first difference. */
  size_t i = 0, j = 0;
  const cp_total *rec = e.u.recognition.totals;
  while (rc == 0 && (i < e.u.recognition.n_totals || j < n)) {
    int c = i == e.u.recognition.n_totals ? 1
            : j == n                      ? -1
                                          : cmp_currency(rec[i].currency, t[j].currency);
    if (c < 0)
      rc = cp_diag_set(d, CP_EAUDIT, "recorded currency \"%.*s\" (%lld) is not in the policy's "
                       "result", (int)rec[i].currency.len, rec[i].currency.p,
                       (long long)rec[i].amount);
    else if (c > 0)
      rc = cp_diag_set(d, CP_EAUDIT, "currency \"%.*s\" (recomputed %lld) is not recorded",
                       (int)t[j].currency.len, t[j].currency.p, (long long)t[j].amount);
    else if (rec[i].amount != t[j].amount)
      rc = cp_diag_set(d, CP_EAUDIT, "total of \"%.*s\": recorded %lld, recomputed %lld",
                       (int)t[j].currency.len, t[j].currency.p, (long long)rec[i].amount,
                       (long long)t[j].amount);
    i++;
    j++;
  }
  if (rc == 0 && memcmp(h, e.u.recognition.explanation, CP_HASH_BYTES) != 0) {
    char hx[2 * CP_HASH_BYTES + 1];
    cp_hex_encode(h, CP_HASH_BYTES, hx);
    rc = cp_diag_set(d, CP_EAUDIT, "explanation hash differs (recomputed %s)", hx);
  }
out:
  cp_policy_result_free(res);
  return rc;
}

int cp_recognition_check(cp_reader *r, const uint8_t *buf, size_t len, cp_diag *d) {
  policy_memo m = {{0}, NULL};
  int rc = check(r, &m, buf, len, d);
  cp_policy_free(m.p);
  return rc;
}

typedef struct {
  cp_reader *r;
  cp_audit_problem_fn fn;
  void *ctx;
  uint64_t checked, problems;
  policy_memo memo;
} audit_acc;

static int audit_one(void *ctx, const uint8_t *buf, size_t len) {
  audit_acc *a = ctx;
  cp_diag d = {{0}};
  if (len < CP_ENTRY_MIN_BYTES) return CP_ECORRUPT;
  int rc = check(a->r, &a->memo, buf, len, &d);
  a->checked++;
  if (rc == CP_ENOMEM) return rc;
  if (rc != 0) {
    char id[2 * CP_HASH_BYTES + 1], log[17], line[512];
    uint8_t h[CP_HASH_BYTES];
    cp_entry_id(buf, len, h);
    cp_hex_encode(h, CP_HASH_BYTES, id);
    cp_hex_encode(buf + 2, 8, log);
    snprintf(line, sizeof line, "log %s seq %llu: recognition %s: %s%s", log,
             (unsigned long long)cp__entry_seq(buf), id,
             rc == CP_EAUDIT ? "" : "cannot be recomputed: ", d.msg[0] ? d.msg : cp_strerror(rc));
    a->problems++;
    if (a->fn != NULL) a->fn(a->ctx, line);
  }
  return 0;
}

int cp_recognition_audit(cp_reader *r, cp_audit_problem_fn fn, void *ctx, uint64_t *checked,
                         uint64_t *problems) {
  audit_acc a = {r, fn, ctx, 0, 0, {{0}, NULL}};
  int rc = cp_reader_by_type(r, CP_T_RECOGNITION, audit_one, &a);
  cp_policy_free(a.memo.p);
  *checked = a.checked;
  *problems = a.problems;
  return rc;
}
