/*
 * credport — gathering recognition facts from the store (include/credport/
 * facts.h; docs/POLICIES.md, "On the ledger").
 *
 * Per educator: one walk of the by-educator index (awards, approvals and
 * recognitions naming them; recognitions are skipped by their type byte
 * before decoding). Each award's credential definition is decoded once per
 * cp_facts and kept in a hash table keyed by its entry ID, since a district
 * has few definitions and many awards. Revocations are one lookup in the
 * revoked index per award; the revoke entry's header time is read in place.
 * Endorsements are read once, when the cp_facts starts.
 *
 * Which entries are facts: those with time <= the cutoff and, when the
 * facts are taken at fact points (cp_facts_new_at: a version-2
 * recognition), only entries of the listed logs with seq < the listed size
 * (a binary search per entry). With CP_FACTS_COLLECT the logs whose entries
 * became facts are remembered (a hash set of keys), so that a recording can
 * list them with their sizes and roots.
 *
 * District views (CP_FACTS_DISTRICT) skip the award's entry ID, a SHA-256
 * that costs more than reading the award: the ID becomes the award's row
 * number, and revocations are read once into a table keyed by the revoked
 * award's row (found through the ids index).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/facts.h"
#include "store_internal.h"

#define DAY 86400u

/* A credential definition as the engine reads it; strings borrow from the
 * reader's map. */
typedef struct def {
  uint8_t id[CP_HASH_BYTES];
  int used;
  cp_str cred_id;
  uint8_t level;
  uint32_t hours_x100;
  uint32_t n_areas, n_qa;
  cp_str areas[CP_LIST_MAX], qa[CP_LIST_MAX];
} def;

/* Revocations by the revoked award's row (district views). */
typedef struct revrow {
  uint64_t row; /* UINT64_MAX: empty slot */
  uint32_t day;
} revrow;

struct cp_facts {
  cp_reader *r;
  uint64_t cutoff;
  unsigned flags;
  cp_fact_point *at; /* sorted by log; NULL: every log, whole */
  size_t n_at;
  uint8_t (*seen)[CP_PK_BYTES]; /* CP_FACTS_COLLECT: open addressing, zero = empty */
  size_t nseen, capseen;
  int seen_zero;                /* the all-zero key was seen */
  cp__edu_cursor edu; /* on both tiers of by_edu, kept across educators */
  int edu_open;
  revrow *revs;    /* open addressing, power-of-two capacity */
  size_t nrevs, caprevs;
  cp_policy_env *env;
  def *defs; /* open addressing, power-of-two capacity */
  size_t ndefs, capdefs;
  cp_policy_award *awards;
  size_t nawards, capawards;
  cp_policy_approval *approvals;
  size_t napprovals, capapprovals;
  cp_policy_attestation *atts;
  size_t natts, capatts;
  cp_str *attareas; /* the attestations' areas, in order */
  size_t nattareas, capattareas;
  int withdrawals;  /* the store holds withdrawals of other entries than awards */
  cp_diag *d; /* for the walk callbacks */
  int err;
};

static uint32_t day_of(uint64_t t) {
  uint64_t day = t / DAY;
  return day > UINT32_MAX ? UINT32_MAX : (uint32_t)day;
}

static uint64_t entry_time(const uint8_t *buf) { return cp__rd64(buf + 74); }

static int cmp_point(const void *a, const void *b) {
  return memcmp(((const cp_fact_point *)a)->log, ((const cp_fact_point *)b)->log, CP_PK_BYTES);
}

/* ---- collecting the logs read (CP_FACTS_COLLECT) ----------------------------- */

static int is_zero_key(const uint8_t *k) {
  uint8_t acc = 0;
  for (unsigned i = 0; i < CP_PK_BYTES; i++) acc |= k[i];
  return acc == 0;
}

static size_t seen_slot(const cp_facts *f, const uint8_t *log) {
  uint64_t h;
  memcpy(&h, log, sizeof h);
  size_t i = (size_t)(h * 0x9e3779b97f4a7c15ULL >> 20) & (f->capseen - 1);
  while (!is_zero_key(f->seen[i]) && memcmp(f->seen[i], log, CP_PK_BYTES) != 0)
    i = (i + 1) & (f->capseen - 1);
  return i;
}

static int note_log(cp_facts *f, const uint8_t *log) {
  if (!(f->flags & CP_FACTS_COLLECT)) return CP_OK;
  if (is_zero_key(log)) {
    f->seen_zero = 1;
    return CP_OK;
  }
  if (2 * (f->nseen + 1) > f->capseen) {
    size_t cap = f->capseen ? 2 * f->capseen : 64, oldcap = f->capseen;
    uint8_t (*old)[CP_PK_BYTES] = f->seen;
    if ((f->seen = calloc(cap, CP_PK_BYTES)) == NULL) {
      f->seen = old;
      return CP_ENOMEM;
    }
    f->capseen = cap;
    for (size_t i = 0; i < oldcap; i++)
      if (!is_zero_key(old[i])) memcpy(f->seen[seen_slot(f, old[i])], old[i], CP_PK_BYTES);
    free(old);
  }
  size_t i = seen_slot(f, log);
  if (is_zero_key(f->seen[i])) {
    memcpy(f->seen[i], log, CP_PK_BYTES);
    f->nseen++;
  }
  return CP_OK;
}

/* Whether the entry buf (at least a header) is a fact: within the cutoff
 * and, at fact points, of a listed log below its listed size. */
static int admit(const cp_facts *f, const uint8_t *buf) {
  if (entry_time(buf) > f->cutoff) return 0;
  if (f->at == NULL) return 1;
  size_t lo = 0, hi = f->n_at;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(f->at[mid].log, buf + 2, CP_PK_BYTES);
    if (c == 0) return cp__entry_seq(buf) < f->at[mid].size;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return CP_OK;
  size_t n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  void *v = realloc(*p, n * elem);
  if (v == NULL) return CP_ENOMEM;
  *p = v;
  *cap = n;
  return CP_OK;
}

/* ---- endorsements ----------------------------------------------------------- */

/* The first day entry buf is withdrawn by a revoke that is a fact
 * (admit; cp__revoke_day), or 0. */
static int withdrawn_day(const cp_facts *f, const uint8_t *buf, size_t len, uint32_t *day) {
  uint8_t id[CP_HASH_BYTES];
  uint64_t row;
  const uint8_t *rb;
  size_t rl;
  *day = 0;
  if (!f->withdrawals) return CP_OK;
  cp_entry_id(buf, len, id);
  int rc = cp__withdrawal_row(&f->r->tx, id, &row);
  if (rc == CP_ENOTFOUND) return CP_OK;
  if (rc == 0) rc = cp__entry_of_rowid(&f->r->tx, row, &rb, &rl);
  if (rc != 0) return rc;
  if (rl < CP_ENTRY_MIN_BYTES + CP_HASH_BYTES || rb[1] != CP_T_REVOKE) return CP_ECORRUPT;
  if (admit(f, rb)) *day = cp__revoke_day(rb);
  return CP_OK;
}

typedef struct {
  cp_facts *f;
  cp_policy_endorsement *v;
  size_t n, cap;
  cp_diag *d;
} endorse_acc;

/* An endorsement is in force from its stated from (version 2) or its own
 * day (version 1), to its until, and until a withdrawal takes effect. */
static int add_endorsement(void *ctx, const uint8_t *buf, size_t len) {
  endorse_acc *a = ctx;
  cp_entry e;
  if (len < CP_ENTRY_MIN_BYTES || !admit(a->f, buf)) return 0;
  int rc = cp_entry_decode(buf, len, &e, a->d);
  if (rc != 0) return rc;
  if (e.type != CP_T_ENDORSE) return cp_diag_set(a->d, CP_ECORRUPT, "by_type lists a non-endorsement");
  if ((rc = note_log(a->f, e.log)) != 0) return rc;
  if ((rc = grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v)) != 0) return rc;
  cp_policy_endorsement *x = &a->v[a->n];
  memset(x, 0, sizeof *x);
  memcpy(x->endorser, e.log, CP_PK_BYTES);
  x->kind = e.u.endorse.kind;
  memcpy(x->subject, e.u.endorse.subject, CP_HASH_BYTES);
  x->claim = e.u.endorse.claim;
  x->date = e.version == CP_ENTRY_VERSION ? day_of(e.time) : e.u.endorse.from;
  x->until = e.version == CP_ENTRY_VERSION ? 0 : e.u.endorse.until;
  if ((rc = withdrawn_day(a->f, buf, len, &x->withdrawn)) != 0)
    return rc;
  a->n++;
  return 0;
}

/* ---- revocations by row (district views) ------------------------------------- */

static size_t rev_slot(const cp_facts *f, uint64_t row) {
  uint64_t h = row * 0x9e3779b97f4a7c15ULL;
  size_t i = (size_t)(h >> 20) & (f->caprevs - 1);
  while (f->revs[i].row != UINT64_MAX && f->revs[i].row != row) i = (i + 1) & (f->caprevs - 1);
  return i;
}

static int rev_grow(cp_facts *f) {
  size_t cap = f->caprevs ? 2 * f->caprevs : 64;
  revrow *old = f->revs;
  size_t oldcap = f->caprevs;
  revrow *v = malloc(cap * sizeof *v);
  if (v == NULL) return CP_ENOMEM;
  for (size_t i = 0; i < cap; i++) v[i].row = UINT64_MAX;
  f->revs = v;
  f->caprevs = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].row != UINT64_MAX) f->revs[rev_slot(f, old[i].row)] = old[i];
  free(old);
  return CP_OK;
}

static int add_revocation(void *ctx, const uint8_t *buf, size_t len) {
  cp_facts *f = ctx;
  /* Revoke body: h32 target first, then (version 2) the effective date. */
  if (len < CP_ENTRY_MIN_BYTES + CP_HASH_BYTES || buf[1] != CP_T_REVOKE) return CP_ECORRUPT;
  if (!admit(f, buf)) return 0;
  uint64_t row;
  int rc = cp__id_row(&f->r->tx, buf + CP_ENTRY_HEADER_BYTES, &row);
  if (rc != 0) return rc == CP_ENOTFOUND ? CP_ECORRUPT : rc;
  if (2 * (f->nrevs + 1) > f->caprevs && (rc = rev_grow(f)) != 0) return rc;
  size_t i = rev_slot(f, row);
  if (f->revs[i].row == UINT64_MAX) f->nrevs++;
  f->revs[i].row = row;
  f->revs[i].day = cp__revoke_day(buf);
  return 0;
}

static int facts_new(cp_reader *r, uint64_t cutoff, const cp_fact_point *at, size_t n_at,
                     unsigned flags, cp_facts **out, cp_diag *d) {
  cp_facts *f = calloc(1, sizeof *f);
  endorse_acc acc = {f, NULL, 0, 0, d};
  if (f == NULL) return CP_ENOMEM;
  f->r = r;
  f->cutoff = cutoff;
  f->flags = flags & (CP_FACTS_DISTRICT | CP_FACTS_COLLECT);
  int rc = CP_OK;
  if (at != NULL) {
    if ((f->at = malloc((n_at + 1) * sizeof *f->at)) == NULL) {
      free(f);
      return cp_diag_set(d, CP_ENOMEM, "out of memory");
    }
    if (n_at) memcpy(f->at, at, n_at * sizeof *at);
    f->n_at = n_at;
    qsort(f->at, n_at, sizeof *f->at, cmp_point);
  }
  /* Without any withdrawal of an endorsement, approval or attestation, no
   * entry ID is computed to look one up. */
  MDB_stat st;
  f->withdrawals = r->tx.s->withdrawn != 0 &&
                   (mdb_stat(r->tx.txn, r->tx.s->withdrawn, &st) != 0 || st.ms_entries > 0);
  rc = cp__edu_open(&r->tx, &f->edu);
  if (rc != 0) rc = cp_diag_set(d, rc, "by_edu: cannot open a cursor");
  else f->edu_open = 1;
  if (rc == 0 && (f->flags & CP_FACTS_DISTRICT)) {
    rc = cp_reader_by_type(r, CP_T_REVOKE, add_revocation, f);
    if (rc == CP_ECORRUPT) cp_diag_set(d, rc, "a revoke entry names an award the store lacks");
  }
  if (rc == 0) rc = cp_reader_by_type(r, CP_T_ENDORSE, add_endorsement, &acc);
  if (rc == 0) rc = cp_policy_env_new(acc.v, acc.n, &f->env);
  free(acc.v);
  if (rc != 0) {
    cp_facts_free(f);
    return rc == CP_ENOMEM ? cp_diag_set(d, rc, "out of memory gathering endorsements") : rc;
  }
  *out = f;
  return CP_OK;
}

int cp_facts_new(cp_reader *r, uint64_t cutoff, unsigned flags, cp_facts **out, cp_diag *d) {
  return facts_new(r, cutoff, NULL, 0, flags, out, d);
}

int cp_facts_new_at(cp_reader *r, const cp_fact_point *at, size_t n, unsigned flags,
                    cp_facts **out, cp_diag *d) {
  return facts_new(r, CP_FACTS_ALL, at, n, flags, out, d);
}

int cp_facts_points(cp_facts *f, const uint8_t also[CP_PK_BYTES], cp_fact_point **out,
                    size_t *n, cp_diag *d) {
  size_t cap = f->nseen + 2, k = 0;
  cp_fact_point *v = calloc(cap, sizeof *v);
  int rc = CP_OK;
  if (v == NULL) return cp_diag_set(d, CP_ENOMEM, "out of memory");
  for (size_t i = 0; i < f->capseen; i++)
    if (!is_zero_key(f->seen[i])) memcpy(v[k++].log, f->seen[i], CP_PK_BYTES);
  if (f->seen_zero) memset(v[k++].log, 0, CP_PK_BYTES);
  if (also != NULL) memcpy(v[k++].log, also, CP_PK_BYTES);
  qsort(v, k, sizeof *v, cmp_point);
  size_t u = 0;
  for (size_t i = 0; i < k; i++)
    if (u == 0 || memcmp(v[u - 1].log, v[i].log, CP_PK_BYTES) != 0) v[u++] = v[i];
  for (size_t i = 0; i < u && rc == 0; i++) {
    cp_log_info li;
    rc = cp_reader_log(f->r, v[i].log, &li);
    if (rc != 0) {
      rc = cp_diag_set(d, rc == CP_ENOTFOUND ? CP_ECORRUPT : rc,
                       "a log that facts were read from is not held");
      break;
    }
    v[i].size = li.size;
    memcpy(v[i].root, li.root, CP_HASH_BYTES);
  }
  if (rc != 0) {
    free(v);
    return rc;
  }
  *out = v;
  *n = u;
  return CP_OK;
}

void cp_facts_free(cp_facts *f) {
  if (f == NULL) return;
  if (f->edu_open) cp__edu_close(&f->edu);
  free(f->at);
  free(f->seen);
  free(f->revs);
  cp_policy_env_free(f->env);
  free(f->defs);
  free(f->awards);
  free(f->approvals);
  free(f->atts);
  free(f->attareas);
  free(f);
}

const cp_policy_env *cp_facts_env(const cp_facts *f) { return f->env; }

/* ---- credential definitions ----------------------------------------------- */

/* Entry IDs are SHA-256 outputs, so their first bytes index the table. A
 * hostile log could grind definitions into one chain; a probe then costs at
 * most the number of definitions its awards use, as for the engine's sets. */
static size_t def_slot(const cp_facts *f, const uint8_t id[CP_HASH_BYTES]) {
  uint64_t h;
  memcpy(&h, id, sizeof h);
  size_t i = (size_t)h & (f->capdefs - 1);
  while (f->defs[i].used && memcmp(f->defs[i].id, id, CP_HASH_BYTES) != 0)
    i = (i + 1) & (f->capdefs - 1);
  return i;
}

static int defs_rehash(cp_facts *f) {
  size_t cap = f->capdefs ? 2 * f->capdefs : 64;
  def *old = f->defs;
  size_t oldcap = f->capdefs;
  f->defs = calloc(cap, sizeof *f->defs);
  if (f->defs == NULL) {
    f->defs = old;
    return CP_ENOMEM;
  }
  f->capdefs = cap;
  for (size_t i = 0; i < oldcap; i++)
    if (old[i].used) f->defs[def_slot(f, old[i].id)] = old[i];
  free(old);
  return CP_OK;
}

static int find_def(cp_facts *f, const uint8_t id[CP_HASH_BYTES], const def **out) {
  int rc;
  if (2 * (f->ndefs + 1) > f->capdefs && (rc = defs_rehash(f)) != 0) return rc;
  size_t i = def_slot(f, id);
  if (f->defs[i].used) {
    *out = &f->defs[i];
    return CP_OK;
  }
  const uint8_t *buf;
  size_t len;
  cp_entry e;
  char hex[2 * CP_HASH_BYTES + 1];
  rc = cp_reader_entry_by_id(f->r, id, &buf, &len);
  if (rc == 0) rc = cp_entry_decode(buf, len, &e, NULL);
  if (rc == 0 && e.type != CP_T_CREDENTIAL) rc = CP_ECORRUPT;
  if (rc != 0) {
    cp_hex_encode(id, CP_HASH_BYTES, hex);
    return cp_diag_set(f->d, rc == CP_ENOTFOUND ? CP_ECORRUPT : rc,
                       "an award names credential %s, which the store does not hold as a "
                       "definition", hex);
  }
  def *x = &f->defs[i];
  memset(x, 0, sizeof *x);
  memcpy(x->id, id, CP_HASH_BYTES);
  x->used = 1;
  x->cred_id = e.u.credential.id;
  x->level = e.u.credential.level;
  x->hours_x100 = e.u.credential.hours_x100;
  x->n_areas = e.u.credential.n_areas;
  x->n_qa = e.u.credential.n_qa;
  memcpy(x->areas, e.u.credential.areas, sizeof x->areas);
  memcpy(x->qa, e.u.credential.qa, sizeof x->qa);
  f->ndefs++;
  *out = x;
  return CP_OK;
}

/* ---- one educator ------------------------------------------------------------- */

static int revocation_day(cp_facts *f, const uint8_t award[CP_HASH_BYTES], uint32_t *day) {
  const uint8_t *buf;
  size_t len;
  int rc = cp_reader_revocation(f->r, award, &buf, &len);
  *day = 0;
  if (rc == CP_ENOTFOUND) return CP_OK;
  if (rc != 0) return rc;
  if (len < CP_ENTRY_MIN_BYTES + CP_HASH_BYTES || buf[1] != CP_T_REVOKE) return CP_ECORRUPT;
  if (admit(f, buf)) *day = cp__revoke_day(buf);
  return CP_OK;
}

static int add_award(cp_facts *f, const uint8_t *buf, size_t len, uint64_t row) {
  cp_entry e;
  const def *df = NULL;
  int rc = cp_entry_decode(buf, len, &e, f->d);
  if (rc != 0) return rc;
  if (f->nawards == CP_POLICY_AWARDS_MAX)
    return cp_diag_set(f->d, CP_ETOOBIG, "the educator has more than %u awards", CP_POLICY_AWARDS_MAX);
  if ((rc = find_def(f, e.u.award.credential, &df)) != 0) return rc;
  if ((rc = note_log(f, e.log)) != 0) return rc;
  if ((rc = grow((void **)&f->awards, &f->capawards, f->nawards + 1, sizeof *f->awards)) != 0)
    return rc;
  cp_policy_award *a = &f->awards[f->nawards];
  if (f->flags & CP_FACTS_DISTRICT) {
    memset(a->id, 0, CP_HASH_BYTES);
    cp__be64(a->id + CP_HASH_BYTES - 8, row);
  } else {
    cp_entry_id(buf, len, a->id);
  }
  memcpy(a->issuer, e.log, CP_PK_BYTES);
  memcpy(a->credential, e.u.award.credential, CP_HASH_BYTES);
  a->cred_id = df->cred_id;
  a->level = df->level;
  a->hours_x100 = df->hours_x100;
  /* Indices, not pointers: the table may move when it grows. Fixed below. */
  a->areas = NULL;
  a->n_areas = df->n_areas;
  a->qa = NULL;
  a->n_qa = df->n_qa;
  a->earned = e.u.award.earned;
  if (f->flags & CP_FACTS_DISTRICT) {
    size_t i = f->caprevs ? rev_slot(f, row) : 0;
    a->revoked = f->caprevs && f->revs[i].row == row ? f->revs[i].day : 0;
  } else if ((rc = revocation_day(f, a->id, &a->revoked)) != 0) {
    return rc;
  }
  f->nawards++;
  return CP_OK;
}

static int add_approval(cp_facts *f, const uint8_t *buf, size_t len) {
  cp_entry e;
  int rc = cp_entry_decode(buf, len, &e, f->d);
  if (rc != 0) return rc;
  if (f->napprovals == CP_POLICY_APPROVALS_MAX)
    return cp_diag_set(f->d, CP_ETOOBIG, "the educator has more than %u pre-approvals",
                       CP_POLICY_APPROVALS_MAX);
  rc = grow((void **)&f->approvals, &f->capapprovals, f->napprovals + 1, sizeof *f->approvals);
  if (rc == 0) rc = note_log(f, e.log);
  if (rc != 0) return rc;
  cp_policy_approval *p = &f->approvals[f->napprovals];
  memset(p, 0, sizeof *p);
  memcpy(p->approver, e.log, CP_PK_BYTES);
  memcpy(p->educator, e.u.approve.educator, CP_PK_BYTES);
  memcpy(p->credential, e.u.approve.credential, CP_HASH_BYTES);
  p->approved = e.u.approve.approved;
  p->expires = e.u.approve.expires;
  p->logged = day_of(e.time);
  if ((rc = withdrawn_day(f, buf, len, &p->withdrawn)) != 0)
    return rc;
  f->napprovals++;
  return CP_OK;
}

static int add_attestation(cp_facts *f, const uint8_t *buf, size_t len) {
  cp_entry e;
  int rc = cp_entry_decode(buf, len, &e, f->d);
  if (rc != 0) return rc;
  if (f->natts == CP_POLICY_ATTESTATIONS_MAX)
    return cp_diag_set(f->d, CP_ETOOBIG, "the educator has more than %u licensure attestations",
                       CP_POLICY_ATTESTATIONS_MAX);
  if ((rc = grow((void **)&f->atts, &f->capatts, f->natts + 1, sizeof *f->atts)) != 0 ||
      (rc = grow((void **)&f->attareas, &f->capattareas, f->nattareas + e.u.licensure.n_areas,
                 sizeof *f->attareas)) != 0)
    return rc;
  if ((rc = note_log(f, e.log)) != 0) return rc;
  cp_policy_attestation *t = &f->atts[f->natts];
  memset(t, 0, sizeof *t);
  memcpy(t->attester, e.log, CP_PK_BYTES);
  memcpy(t->educator, e.u.licensure.educator, CP_PK_BYTES);
  t->n_areas = e.u.licensure.n_areas;
  /* An index into attareas until the walk ends (the pool may move). */
  t->areas = (const cp_str *)(uintptr_t)f->nattareas;
  memcpy(f->attareas + f->nattareas, e.u.licensure.areas, t->n_areas * sizeof *f->attareas);
  f->nattareas += t->n_areas;
  t->from = e.u.licensure.from;
  t->until = e.u.licensure.until;
  if ((rc = withdrawn_day(f, buf, len, &t->withdrawn)) != 0)
    return rc;
  f->natts++;
  return CP_OK;
}

static int gather_one(cp_facts *f, const uint8_t *buf, size_t len, uint64_t row) {
  if (len < CP_ENTRY_MIN_BYTES) return cp_diag_set(f->d, CP_ECORRUPT, "short entry in by_edu");
  if (!admit(f, buf)) return 0;
  switch (buf[1]) {
  case CP_T_AWARD: return add_award(f, buf, len, row);
  case CP_T_APPROVE: return add_approval(f, buf, len);
  case CP_T_LICENSURE: return add_attestation(f, buf, len);
  default: return 0; /* recognitions */
  }
}

/* One row of the educator's walk: its entry, gathered. */
static int gather_row(void *ctx, uint64_t rowid) {
  cp_facts *f = ctx;
  const uint8_t *buf;
  size_t len;
  int e = cp__entry_of_rowid(&f->r->tx, rowid, &buf, &len);
  if (e == CP_ENOTFOUND) e = cp_diag_set(f->d, CP_ECORRUPT, "by_edu names a missing row");
  return e == 0 ? gather_one(f, buf, len, rowid) : e;
}

/* The by-educator walk of cp_reader_by_educator, through the kept cursors
 * and with each entry's row number. */
static int walk_educator(cp_facts *f, const uint8_t educator[CP_PK_BYTES]) {
  int rc = cp__edu_rows(&f->edu, educator, gather_row, f);
  if (rc == CP_ECORRUPT && f->d != NULL && f->d->msg[0] == 0)
    cp_diag_set(f->d, rc, "by_edu: a value that is not a row number");
  return rc;
}

int cp_facts_educator(cp_facts *f, const uint8_t educator[CP_PK_BYTES], const cp_str *areas,
                      size_t n_areas, cp_policy_educator *ed, cp_diag *d) {
  f->nawards = f->napprovals = f->natts = f->nattareas = 0;
  f->d = d;
  int rc = walk_educator(f, educator);
  f->d = NULL;
  if (rc != 0) return rc;
  /* Point each award at its definition's lists, now that no insertion can
   * move the table. */
  for (size_t i = 0; i < f->nawards; i++) {
    cp_policy_award *a = &f->awards[i];
    const def *df = &f->defs[def_slot(f, a->credential)];
    a->areas = df->areas;
    a->qa = df->qa;
  }
  for (size_t i = 0; i < f->natts; i++)
    f->atts[i].areas = f->attareas + (uintptr_t)f->atts[i].areas;
  memset(ed, 0, sizeof *ed);
  memcpy(ed->key, educator, CP_PK_BYTES);
  ed->areas = areas;
  ed->n_areas = n_areas;
  ed->awards = f->awards;
  ed->n_awards = f->nawards;
  ed->approvals = f->approvals;
  ed->n_approvals = f->napprovals;
  ed->attestations = f->atts;
  ed->n_attestations = f->natts;
  return CP_OK;
}

/* ---- the educators the node knows -------------------------------------------- */

int cp_reader_each_educator(cp_reader *r,
                            int (*fn)(void *ctx, const uint8_t educator[CP_PK_BYTES]),
                            void *ctx) {
  return cp__each_educator(&r->tx, fn, ctx);
}

/* ---- policy entries ------------------------------------------------------------ */

static int policy_from(const uint8_t *buf, size_t len, cp_policy_entry *out) {
  cp_entry e;
  int rc = cp_entry_decode(buf, len, &e, NULL);
  if (rc != 0) return rc;
  if (e.type != CP_T_POLICY) return CP_EINVAL;
  cp_entry_id(buf, len, out->id);
  memcpy(out->log, e.log, CP_PK_BYTES);
  out->seq = e.seq;
  out->time = e.time;
  out->policy_id = e.u.policy.id;
  out->document = e.u.policy.document;
  return CP_OK;
}

int cp_reader_policy(cp_reader *r, const uint8_t id[CP_HASH_BYTES], cp_policy_entry *out) {
  const uint8_t *buf;
  size_t len;
  int rc = cp_reader_entry_by_id(r, id, &buf, &len);
  return rc != 0 ? rc : policy_from(buf, len, out);
}

typedef struct {
  const uint8_t *log;
  const char *name;
  cp_policy_entry *out;
  int found;
} named_acc;

static int match_named(void *ctx, const uint8_t *buf, size_t len) {
  named_acc *a = ctx;
  cp_policy_entry pe;
  if (len < CP_ENTRY_MIN_BYTES || memcmp(buf + 2, a->log, CP_PK_BYTES) != 0) return 0;
  int rc = policy_from(buf, len, &pe);
  if (rc != 0) return rc;
  /* The index lists rows in arrival order, which is seq order within a log:
   * the last match is the latest. The seq test keeps that explicit. */
  if (cp_str_eq(pe.policy_id, a->name) && (!a->found || pe.seq > a->out->seq)) {
    *a->out = pe;
    a->found = 1;
  }
  return 0;
}

int cp_reader_policy_named(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *policy_id,
                           cp_policy_entry *out) {
  named_acc a = {log, policy_id, out, 0};
  int rc = cp_reader_by_type(r, CP_T_POLICY, match_named, &a);
  if (rc != 0) return rc;
  return a.found ? CP_OK : CP_ENOTFOUND;
}
