/*
 * credport — recognition entries: recording what an authority granted, and
 * recomputing it later for the audit (include/credport/facts.h;
 * docs/POLICIES.md, "On the ledger").
 *
 * Recording evaluates over every entry held, inside the appender's write
 * transaction (so no other write lands between evaluation and append),
 * collecting the logs the facts came from; the entry (version 2) lists
 * each with its size and root. Verifying recomputes exactly there: the
 * facts are the entries of those logs below those sizes, on any node that
 * holds that much, whatever landed later. Version-1 entries (recorded
 * before fact points existed) are recomputed as they always were: the
 * entries with time <= the recognition's own time. The evaluation date is
 * the entry's as_of, and areas given by hand are never used (area rules
 * read the licensure attestations among the facts).
 */
#include <stdarg.h>
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
  return cp_policy_compile_as(pe.document.p, pe.document.len, pe.log, out, d);
}

/* Evaluates compiled policy p for one educator: over the fact points at
 * (n of them) when at is not NULL, else over the entries up to cutoff.
 * With points != NULL, collects the logs read into *points / *npoints
 * (plus also). */
static int evaluate_compiled(cp_reader *r, const cp_policy *p, const uint8_t educator[CP_PK_BYTES],
                             uint32_t as_of, uint64_t cutoff, const cp_fact_point *at, size_t n,
                             const uint8_t *also, cp_fact_point **points, size_t *npoints,
                             cp_policy_result **res, cp_diag *d) {
  cp_facts *f = NULL;
  cp_policy_educator ed;
  unsigned flags = points != NULL ? CP_FACTS_COLLECT : 0;
  int rc = at != NULL ? cp_facts_new_at(r, at, n, flags, &f, d)
                      : cp_facts_new(r, cutoff, flags, &f, d);
  if (rc == 0) rc = cp_facts_educator(f, educator, NULL, 0, &ed, d);
  if (rc == 0) rc = cp_policy_evaluate(p, cp_facts_env(f), &ed, as_of, res, d);
  if (rc == 0 && points != NULL && (rc = cp_facts_points(f, also, points, npoints, d)) != 0) {
    cp_policy_result_free(*res);
    *res = NULL;
  }
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
  if (rc == 0)
    rc = evaluate_compiled(r, p, educator, as_of, cutoff, NULL, 0, NULL, NULL, NULL, res, d);
  if (rc != 0) {
    cp_policy_free(p);
    return rc;
  }
  *pol = p;
  return CP_OK;
}

/* Fact points in wire form (docs/FORMATS.md, recognition version 2). */
static void points_to_wire(const cp_fact_point *v, size_t n, uint8_t *out) {
  for (size_t i = 0; i < n; i++) {
    uint8_t *p = out + i * CP_FACT_POINT_BYTES;
    memcpy(p, v[i].log, CP_PK_BYTES);
    cp__be64(p + CP_PK_BYTES, v[i].size);
    memcpy(p + CP_PK_BYTES + 8, v[i].root, CP_HASH_BYTES);
  }
}

int cp_recognition_record(cp_store *s, const cp_key *k, uint64_t now,
                          const uint8_t policy[CP_HASH_BYTES], const uint8_t educator[CP_PK_BYTES],
                          uint32_t as_of, uint8_t id[CP_HASH_BYTES], uint64_t *time,
                          cp_policy **pol, cp_policy_result **res, cp_diag *d) {
  cp_appender *a = NULL;
  cp_reader *r = NULL;
  cp_policy *p = NULL;
  cp_policy_result *rr = NULL;
  cp_fact_point *pts = NULL;
  uint8_t *wire = NULL;
  size_t npts = 0;
  cp_policy_entry pe;
  uint8_t self[CP_PK_BYTES];
  cp_entry e;
  /* The appender first: its writer holds the write transaction, so the
   * reader below sees exactly what the entry will be appended onto. */
  int rc = cp_appender_begin(s, k, now, &a, d);
  if (rc != 0) return rc;
  if ((rc = cp_reader_begin(s, &r)) != 0) goto out;
  if ((rc = cp_reader_self(r, self)) != 0) goto out;
  if (cp_reader_policy(r, policy, &pe) == 0 && memcmp(pe.log, self, CP_PK_BYTES) != 0) {
    rc = cp_diag_set(d, CP_ERULE,
                     "the policy is of another log: a recognition names a policy of its own "
                     "log (R-body-05)");
    goto out;
  }
  /* A missing or mistyped policy entry is reported by the compilation. */
  if ((rc = compile_held(r, policy, &p, d)) != 0) goto out;
  rc = evaluate_compiled(r, p, educator, as_of, CP_FACTS_ALL, NULL, 0, self, &pts, &npts, &rr, d);
  if (rc != 0) goto out;
  if (npts > CP_FACT_LOGS_MAX) {
    rc = cp_diag_set(d, CP_ETOOBIG,
                     "the facts come from %zu logs, more than a recognition entry can list (%u)",
                     npts, CP_FACT_LOGS_MAX);
    goto out;
  }
  if ((wire = malloc(npts * CP_FACT_POINT_BYTES + 1)) == NULL) {
    rc = cp_diag_set(d, CP_ENOMEM, "out of memory");
    goto out;
  }
  points_to_wire(pts, npts, wire);
  memset(&e, 0, sizeof e);
  e.version = CP_ENTRY_VERSION_2;
  e.type = CP_T_RECOGNITION;
  memcpy(e.u.recognition.policy, policy, CP_HASH_BYTES);
  memcpy(e.u.recognition.educator, educator, CP_PK_BYTES);
  e.u.recognition.as_of = as_of;
  if ((rc = cp_recognition_totals(rr, e.u.recognition.totals, &e.u.recognition.n_totals)) != 0)
    goto out;
  cp_policy_result_hash(rr, e.u.recognition.explanation);
  e.u.recognition.facts = wire;
  e.u.recognition.n_facts = (uint32_t)npts;
  if ((rc = cp_appender_add(a, &e, id, d)) != 0) goto out;
  cp_reader_end(r);
  r = NULL;
  rc = cp_appender_commit(a, d);
  a = NULL;
  if (rc == 0 && time != NULL) *time = e.time;
out:
  cp_reader_end(r);
  cp_appender_abort(a);
  free(wire);
  free(pts);
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

/* Appends "; "-separated items to v->detail; an item that does not fit is
 * replaced by "…" once. */
static void detail_add(cp_recognition_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void detail_add(cp_recognition_verdict *v, const char *fmt, ...) {
  char item[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(item, sizeof item, fmt, ap);
  va_end(ap);
  size_t used = strlen(v->detail), need = strlen(item) + (used ? 2 : 0);
  if (used + need + 8 >= sizeof v->detail) {
    if (strstr(v->detail, "; …") == NULL) snprintf(v->detail + used, sizeof v->detail - used, "; …");
    return;
  }
  snprintf(v->detail + used, sizeof v->detail - used, "%s%s", used ? "; " : "", item);
}

/* Version 2: whether every fact point is held, and at its recorded root.
 * OUT: *at (malloc'd) on a match so far; else v says why. */
static int check_points(cp_reader *r, const cp_entry *e, cp_recognition_verdict *v,
                        cp_fact_point **at) {
  size_t n = e->u.recognition.n_facts;
  cp_fact_point *pts = malloc((n + 1) * sizeof *pts);
  char hex[2 * CP_PK_BYTES + 1];
  if (pts == NULL) return CP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    cp_fact_point *x = &pts[i];
    cp_log_info li;
    cp_entry_fact_point(e->u.recognition.facts, i, x->log, &x->size, x->root);
    int rc = cp_reader_log(r, x->log, &li);
    if (rc != 0 && rc != CP_ENOTFOUND) {
      free(pts);
      return rc;
    }
    uint64_t have = rc == CP_ENOTFOUND ? 0 : li.size;
    if (have >= x->size) continue;
    if (v->status != CP_RECOG_PENDING) {
      v->status = CP_RECOG_PENDING;
      memcpy(v->need_log, x->log, CP_PK_BYTES);
      v->need_size = x->size;
      v->have_size = have;
    }
    cp_hex_encode(x->log, CP_PK_BYTES, hex);
    detail_add(v, "needs log %s up to size %llu (has %llu)", hex, (unsigned long long)x->size,
               (unsigned long long)have);
  }
  for (size_t i = 0; i < n && v->status == CP_RECOG_MATCH; i++) {
    uint8_t root[CP_HASH_BYTES];
    int rc = cp_reader_root(r, pts[i].log, pts[i].size, root);
    if (rc != 0) {
      free(pts);
      return rc;
    }
    if (memcmp(root, pts[i].root, CP_HASH_BYTES) != 0) {
      cp_hex_encode(pts[i].log, CP_PK_BYTES, hex);
      v->status = CP_RECOG_DIFFERS;
      detail_add(v, "log %s at size %llu: the root held differs from the one recorded (the "
                 "entries read are not the ones this node holds)", hex,
                 (unsigned long long)pts[i].size);
    }
  }
  if (v->status != CP_RECOG_MATCH) {
    free(pts);
    return CP_OK;
  }
  *at = pts;
  return CP_OK;
}

/* Compares recorded and recomputed totals (both sorted) and hashes,
 * naming every difference. */
static void compare(const cp_entry *e, const cp_policy_result *res, cp_recognition_verdict *v) {
  cp_total t[CP_TOTALS_MAX];
  uint32_t n = 0;
  uint8_t h[CP_HASH_BYTES];
  int rc = cp_recognition_totals(res, t, &n);
  if (rc != 0) {
    v->status = CP_RECOG_FAILED;
    v->err = rc;
    detail_add(v, "the result has no totals to compare: %s", cp_strerror(rc));
    return;
  }
  size_t i = 0, j = 0;
  const cp_total *rec = e->u.recognition.totals;
  while (i < e->u.recognition.n_totals || j < n) {
    int c = i == e->u.recognition.n_totals ? 1
            : j == n                       ? -1
                                           : cmp_currency(rec[i].currency, t[j].currency);
    if (c < 0) {
      v->status = CP_RECOG_DIFFERS;
      detail_add(v, "recorded currency \"%.*s\" (%lld) is not in the policy's result",
                 (int)rec[i].currency.len, rec[i].currency.p, (long long)rec[i].amount);
    } else if (c > 0) {
      v->status = CP_RECOG_DIFFERS;
      detail_add(v, "currency \"%.*s\" (recomputed %lld) is not recorded", (int)t[j].currency.len,
                 t[j].currency.p, (long long)t[j].amount);
    } else if (rec[i].amount != t[j].amount) {
      v->status = CP_RECOG_DIFFERS;
      detail_add(v, "total of \"%.*s\": recorded %lld, recomputed %lld", (int)t[j].currency.len,
                 t[j].currency.p, (long long)rec[i].amount, (long long)t[j].amount);
    }
    i += c <= 0;
    j += c >= 0;
  }
  cp_policy_result_hash(res, h);
  if (memcmp(h, e->u.recognition.explanation, CP_HASH_BYTES) != 0) {
    char hx[2 * CP_HASH_BYTES + 1];
    cp_hex_encode(h, CP_HASH_BYTES, hx);
    v->status = CP_RECOG_DIFFERS;
    detail_add(v, "explanation hash differs (recomputed %s)", hx);
  }
}

static int verify(cp_reader *r, policy_memo *m, const uint8_t *buf, size_t len,
                  cp_recognition_verdict *v, cp_policy_result **keep) {
  cp_entry e;
  cp_diag d = {{0}};
  cp_fact_point *at = NULL;
  cp_policy_result *res = NULL;
  int rc = CP_OK;
  memset(v, 0, sizeof *v);
  v->status = CP_RECOG_MATCH;
  if (len >= CP_ENTRY_HEADER_BYTES) {
    cp_entry_id(buf, len, v->id);
    memcpy(v->log, buf + 2, CP_PK_BYTES);
    v->seq = cp__entry_seq(buf);
    v->version = buf[0];
  }
  int e_rc = cp_entry_decode(buf, len, &e, &d);
  if (e_rc == 0 && e.type != CP_T_RECOGNITION)
    e_rc = cp_diag_set(&d, CP_EINVAL, "not a recognition entry");
  if (e_rc == 0 && e.version == CP_ENTRY_VERSION_2) {
    v->n_facts = e.u.recognition.n_facts;
    if ((rc = check_points(r, &e, v, &at)) != 0 || v->status != CP_RECOG_MATCH) goto out;
  }
  if (e_rc == 0 && (m->p == NULL || memcmp(m->id, e.u.recognition.policy, CP_HASH_BYTES) != 0)) {
    cp_policy_free(m->p);
    m->p = NULL;
    if ((e_rc = compile_held(r, e.u.recognition.policy, &m->p, &d)) == 0)
      memcpy(m->id, e.u.recognition.policy, CP_HASH_BYTES);
  }
  if (e_rc == 0)
    e_rc = evaluate_compiled(r, m->p, e.u.recognition.educator, e.u.recognition.as_of, e.time, at,
                             e.u.recognition.n_facts, NULL, NULL, NULL, &res, &d);
  if (e_rc == CP_ENOMEM) {
    rc = e_rc;
    goto out;
  }
  if (e_rc != 0) {
    v->status = CP_RECOG_FAILED;
    v->err = e_rc;
    detail_add(v, "%s", d.msg[0] ? d.msg : cp_strerror(e_rc));
    goto out;
  }
  compare(&e, res, v);
  if (keep != NULL) {
    *keep = res;
    res = NULL;
  }
out:
  cp_policy_result_free(res);
  free(at);
  return rc;
}

int cp_recognition_verify(cp_reader *r, const uint8_t *buf, size_t len,
                          cp_recognition_verdict *v, cp_policy **pol, cp_policy_result **res) {
  policy_memo m = {{0}, NULL};
  cp_policy_result *keep = NULL;
  int rc = verify(r, &m, buf, len, v, pol != NULL && res != NULL ? &keep : NULL);
  if (rc == 0 && keep != NULL) {
    *pol = m.p;
    *res = keep;
    return CP_OK;
  }
  cp_policy_free(m.p);
  return rc;
}

int cp_recognition_check(cp_reader *r, const uint8_t *buf, size_t len, cp_diag *d) {
  cp_recognition_verdict *v = malloc(sizeof *v);
  if (v == NULL) return cp_diag_set(d, CP_ENOMEM, "out of memory");
  int rc = cp_recognition_verify(r, buf, len, v, NULL, NULL);
  if (rc == 0) {
    switch (v->status) {
    case CP_RECOG_MATCH: break;
    case CP_RECOG_DIFFERS: rc = cp_diag_set(d, CP_EAUDIT, "%s", v->detail); break;
    case CP_RECOG_PENDING: rc = cp_diag_set(d, CP_EAGAIN, "cannot recompute yet: %s", v->detail); break;
    default: rc = cp_diag_set(d, v->err ? v->err : CP_EINVAL, "%s", v->detail); break;
    }
  }
  free(v);
  return rc;
}

typedef struct {
  cp_reader *r;
  cp_audit_problem_fn fn;
  cp_recognition_fn each;
  void *ctx;
  cp_recognition_counts *counts;
  policy_memo memo;
  cp_recognition_verdict v;
} audit_acc;

static int audit_one(void *ctx, const uint8_t *buf, size_t len) {
  audit_acc *a = ctx;
  cp_recognition_verdict *v = &a->v;
  if (len < CP_ENTRY_MIN_BYTES) return CP_ECORRUPT;
  int rc = verify(a->r, &a->memo, buf, len, v, NULL);
  if (rc != 0) return rc;
  a->counts->checked++;
  switch (v->status) {
  case CP_RECOG_MATCH: a->counts->match++; break;
  case CP_RECOG_DIFFERS: a->counts->differ++; break;
  case CP_RECOG_PENDING: a->counts->pending++; break;
  default: a->counts->failed++; break;
  }
  if ((v->status == CP_RECOG_DIFFERS || v->status == CP_RECOG_FAILED) && a->fn != NULL) {
    char id[2 * CP_HASH_BYTES + 1], log[17], line[1200];
    cp_hex_encode(v->id, CP_HASH_BYTES, id);
    cp_hex_encode(v->log, 8, log);
    snprintf(line, sizeof line, "log %s seq %llu: recognition %s: %s%s", log,
             (unsigned long long)v->seq, id,
             v->status == CP_RECOG_DIFFERS ? "" : "cannot be recomputed: ", v->detail);
    a->fn(a->ctx, line);
  }
  if (a->each != NULL) a->each(a->ctx, v);
  return 0;
}

int cp_recognition_audit(cp_reader *r, cp_audit_problem_fn fn, cp_recognition_fn each, void *ctx,
                         cp_recognition_counts *counts) {
  audit_acc *a = calloc(1, sizeof *a);
  memset(counts, 0, sizeof *counts);
  if (a == NULL) return CP_ENOMEM;
  a->r = r;
  a->fn = fn;
  a->each = each;
  a->ctx = ctx;
  a->counts = counts;
  int rc = cp_reader_by_type(r, CP_T_RECOGNITION, audit_one, a);
  cp_policy_free(a->memo.p);
  free(a);
  return rc;
}
