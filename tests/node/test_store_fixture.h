/*
 * Shared fixture for the ledger store tests (test_store.c, test_ingest.c,
 * test_audit.c): temporary stores, a builder that signs entries of a log
 * held only in memory (a "foreign" log), batches for cp_store_ingest, and
 * an independent RFC 9162 reference (MTH, PATH, PROOF) computed straight
 * from libsodium's SHA-256, so expected values never come from the code
 * under test.
 */
#ifndef TEST_STORE_FIXTURE_H
#define TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cptest.h"
#include "credport/codec.h"
#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/note.h"
#include "credport/store.h"

#define T0 1760000000ull /* base time of every test log */

static inline cp_str fx_s(const char *s) {
  cp_str v = {s, strlen(s)};
  return v;
}

static inline cp_key *fx_key(uint8_t b) {
  uint8_t seed[CP_SEED_BYTES];
  cp_key *k = NULL;
  memset(seed, b, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &k), CP_OK);
  return k;
}

/* ---- a store in a temporary folder -------------------------------------- */

typedef struct fx_store {
  char *dir;
  cp_store *s;
  cp_key *k;              /* own authority key */
  uint8_t pk[CP_PK_BYTES];
} fx_store;

static inline void fx_open(fx_store *f) {
  cp_diag d = {{0}};
  int rc = cp_store_open(f->dir, CP_STORE_NOSYNC, &f->s, &d);
  if (rc != 0) fail_msg("cp_store_open: %d %s", rc, d.msg);
}

/* A fresh store whose own log is initialised with key byte kb (0: none). */
static inline void fx_new(fx_store *f, uint8_t kb, const char *origin) {
  memset(f, 0, sizeof *f);
  f->dir = cpt_tmpdir();
  fx_open(f);
  if (kb != 0) {
    cp_diag d = {{0}};
    f->k = fx_key(kb);
    cp_key_public(f->k, f->pk);
    int rc = cp_store_init_authority(f->s, f->k, "Test Authority", "US-NC", CP_ROLE_STATE,
                                     origin, T0, &d);
    if (rc != 0) fail_msg("init_authority: %d %s", rc, d.msg);
  }
}

static inline void fx_free(fx_store *f) {
  cp_store_close(f->s);
  cp_key_free(f->k);
  cpt_rmtree(f->dir);
  free(f->dir);
  memset(f, 0, sizeof *f);
}

/* ---- a log built in memory ---------------------------------------------- */

typedef struct fx_log {
  cp_key *k;                    /* current signing key */
  uint8_t log[CP_PK_BYTES];
  uint64_t seq, time;
  uint8_t prev[CP_HASH_BYTES];
} fx_log;

static inline void fx_log_init(fx_log *l, uint8_t kb) {
  memset(l, 0, sizeof *l);
  l->k = fx_key(kb);
  cp_key_public(l->k, l->log);
  l->time = T0;
}

static inline void fx_log_free(fx_log *l) { cp_key_free(l->k); }

typedef struct fx_buf {
  uint8_t b[CP_ENTRY_MAX];
  size_t len;
  uint8_t id[CP_HASH_BYTES];
} fx_buf;

/* Fills the header of e from l, signs with k (l's key when NULL) into out;
 * advances l when advance is set. */
static inline void fx_sign_with(fx_log *l, cp_entry *e, const cp_key *k, fx_buf *out,
                                int advance) {
  cp_diag d = {{0}};
  if (e->version == 0) e->version = (uint8_t)cp_entry_version_for(e->type);
  memcpy(e->log, l->log, CP_PK_BYTES);
  e->seq = l->seq;
  memcpy(e->prev, l->prev, CP_HASH_BYTES);
  e->time = l->time;
  int rc = cp_entry_sign(e, k != NULL ? k : l->k, out->b, sizeof out->b, &out->len, &d);
  if (rc != 0) fail_msg("cp_entry_sign: %d %s", rc, d.msg);
  crypto_hash_sha256_state h;
  static const uint8_t zero = 0;
  crypto_hash_sha256_init(&h);
  crypto_hash_sha256_update(&h, &zero, 1);
  crypto_hash_sha256_update(&h, out->b, out->len);
  crypto_hash_sha256_final(&h, out->id);
  if (advance) {
    l->seq++;
    l->time++;
    memcpy(l->prev, out->id, CP_HASH_BYTES);
  }
}

static inline void fx_sign(fx_log *l, cp_entry *e, fx_buf *out) { fx_sign_with(l, e, NULL, out, 1); }

static inline void fx_genesis(fx_log *l, const char *origin, fx_buf *out) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = fx_s("Foreign Authority");
  e.u.authority.jurisdiction = fx_s("US-WI");
  e.u.authority.role = CP_ROLE_DISTRICT;
  e.u.authority.origin = fx_s(origin);
  fx_sign(l, &e, out);
}

static inline void fx_credential(cp_entry *e, const char *id) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_CREDENTIAL;
  e->u.credential.id = fx_s(id);
  e->u.credential.title = fx_s("A Credential");
  e->u.credential.competency = fx_s("Does a thing well");
  e->u.credential.evidence = fx_s("");
  e->u.credential.level = 2;
  e->u.credential.hours_x100 = 1000;
}

static inline void fx_award(cp_entry *e, const uint8_t cred[CP_HASH_BYTES], uint8_t edu,
                            const char *assessor) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_AWARD;
  memcpy(e->u.award.credential, cred, CP_HASH_BYTES);
  memset(e->u.award.educator, edu, CP_PK_BYTES);
  e->u.award.earned = 20000;
  e->u.award.assessor = fx_s(assessor);
}

static inline void fx_revoke(cp_entry *e, const uint8_t award[CP_HASH_BYTES]) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION; /* the first format: withdrawn on its own day */
  e->type = CP_T_REVOKE;
  memcpy(e->u.revoke.target, award, CP_HASH_BYTES);
  e->u.revoke.reason = fx_s("mistake");
}

/* A version 2 revoke: any revocable entry, withdrawn from day effective. */
static inline void fx_revoke2(cp_entry *e, const uint8_t target[CP_HASH_BYTES],
                              uint32_t effective) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION_2;
  e->type = CP_T_REVOKE;
  memcpy(e->u.revoke.target, target, CP_HASH_BYTES);
  e->u.revoke.effective = effective;
  e->u.revoke.reason = fx_s("withdrawn");
}

static inline void fx_endorse(cp_entry *e, unsigned kind, const uint8_t subject[32]) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION; /* undated: in force from its own day */
  e->type = CP_T_ENDORSE;
  e->u.endorse.kind = (uint8_t)kind;
  memcpy(e->u.endorse.subject, subject, 32);
  e->u.endorse.claim = fx_s("qa:test");
  e->u.endorse.note = fx_s("");
}

static inline void fx_approve(cp_entry *e, uint8_t edu, const uint8_t cred[CP_HASH_BYTES]) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_APPROVE;
  memset(e->u.approve.educator, edu, CP_PK_BYTES);
  memcpy(e->u.approve.credential, cred, CP_HASH_BYTES);
  e->u.approve.approved = 20000;
  memset(e->u.approve.plan, 0x5A, CP_HASH_BYTES);
}

/* ---- batches ---------------------------------------------------------- */

#define FX_BATCH_MAX 256
typedef struct fx_batch {
  const uint8_t *p[FX_BATCH_MAX];
  size_t len[FX_BATCH_MAX];
  size_t n;
} fx_batch;

static inline void fx_push(fx_batch *b, const fx_buf *x) {
  assert_true(b->n < FX_BATCH_MAX);
  b->p[b->n] = x->b;
  b->len[b->n++] = x->len;
}

static inline int fx_ingest(fx_store *f, const fx_batch *b, cp_ingest_report *rep, cp_diag *d) {
  memset(d, 0, sizeof *d);
  return cp_store_ingest(f->s, b->p, b->len, b->n, 0, T0 + 100000, rep, d);
}

/* ---- reading helpers ------------------------------------------------------ */

static inline uint64_t fx_size(fx_store *f, const uint8_t log[CP_PK_BYTES]) {
  cp_reader *r = NULL;
  cp_log_info li;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  int rc = cp_reader_log(r, log, &li);
  cp_reader_end(r);
  return rc == CP_ENOTFOUND ? 0 : (assert_int_equal(rc, CP_OK), li.size);
}

/* Number of entries any index walk yields. */
static inline int fx_count_cb(void *ctx, const uint8_t *buf, size_t len) {
  (void)buf;
  (void)len;
  (*(size_t *)ctx)++;
  return 0;
}

/* ---- the RFC 9162 reference, over leaf hashes ----------------------------- */

static inline void ref_leaf(const uint8_t *data, size_t len, uint8_t out[32]) {
  crypto_hash_sha256_state h;
  static const uint8_t zero = 0;
  crypto_hash_sha256_init(&h);
  crypto_hash_sha256_update(&h, &zero, 1);
  crypto_hash_sha256_update(&h, data, len);
  crypto_hash_sha256_final(&h, out);
}

static inline void ref_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]) {
  uint8_t b[65];
  b[0] = 1;
  memcpy(b + 1, l, 32);
  memcpy(b + 33, r, 32);
  crypto_hash_sha256(out, b, sizeof b);
}

/* Largest power of two smaller than n (n > 1). */
static inline size_t ref_split(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/* MTH(D[0:n]) where lh holds the leaf hashes. */
static inline void ref_mth(const uint8_t (*lh)[32], size_t n, uint8_t out[32]) {
  if (n == 0) {
    crypto_hash_sha256(out, NULL, 0);
    return;
  }
  if (n == 1) {
    memcpy(out, lh[0], 32);
    return;
  }
  size_t k = ref_split(n);
  uint8_t a[32], b[32];
  ref_mth(lh, k, a);
  ref_mth(lh + k, n - k, b);
  ref_node(a, b, out);
}

/* PATH(m, D[0:n]), leaf side first; returns the count. */
static inline size_t ref_path(size_t m, const uint8_t (*lh)[32], size_t n, uint8_t (*out)[32]) {
  if (n <= 1) return 0;
  size_t k = ref_split(n), c;
  if (m < k) {
    c = ref_path(m, lh, k, out);
    ref_mth(lh + k, n - k, out[c]);
  } else {
    c = ref_path(m - k, lh + k, n - k, out);
    ref_mth(lh, k, out[c]);
  }
  return c + 1;
}

static inline size_t ref_subproof(size_t m, const uint8_t (*lh)[32], size_t n, int b,
                           uint8_t (*out)[32]) {
  if (m == n) {
    if (b) return 0;
    ref_mth(lh, n, out[0]);
    return 1;
  }
  size_t k = ref_split(n), c;
  if (m <= k) {
    c = ref_subproof(m, lh, k, b, out);
    ref_mth(lh + k, n - k, out[c]);
  } else {
    c = ref_subproof(m - k, lh + k, n - k, 0, out);
    ref_mth(lh, k, out[c]);
  }
  return c + 1;
}

/* PROOF(m, D[0:n]) for 0 < m <= n (empty when m = n). */
static inline size_t ref_consistency(size_t m, const uint8_t (*lh)[32], size_t n,
                                     uint8_t (*out)[32]) {
  return ref_subproof(m, lh, n, 1, out);
}

/* ---- ingest fixtures (test_ingest*.c) ------------------------------------ */

/* A digest of everything the store says about its logs (key, size, head,
 * root, signer, flags), to show that a refused batch changed nothing. */
static inline int digest_log(void *ctx, const cp_log_info *li) {
  crypto_hash_sha256_state *h = ctx;
  crypto_hash_sha256_update(h, li->log, 32);
  crypto_hash_sha256_update(h, li->signer, 32);
  crypto_hash_sha256_update(h, (const uint8_t *)&li->size, sizeof li->size);
  crypto_hash_sha256_update(h, li->head, 32);
  crypto_hash_sha256_update(h, li->root, 32);
  crypto_hash_sha256_update(h, (const uint8_t *)&li->flags, sizeof li->flags);
  return 0;
}

static inline void digest(fx_store *f, uint8_t out[32]) {
  crypto_hash_sha256_state h;
  cp_reader *r = NULL;
  crypto_hash_sha256_init(&h);
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  assert_int_equal(cp_reader_each_log(r, digest_log, &h), CP_OK);
  cp_reader_end(r);
  crypto_hash_sha256_final(&h, out);
}

static inline int has_entry(fx_store *f, const uint8_t id[32]) {
  cp_reader *r = NULL;
  const uint8_t *p;
  size_t n;
  assert_int_equal(cp_reader_begin(f->s, &r), CP_OK);
  int rc = cp_reader_entry_by_id(r, id, &p, &n);
  cp_reader_end(r);
  assert_true(rc == CP_OK || rc == CP_ENOTFOUND);
  return rc == CP_OK;
}

/* A store with its own log (a credential and an award) and a foreign log l
 * (genesis, credential, award); bt is a batch that starts with a new log
 * m's genesis and a good entry of l, to which a test appends more. */
typedef struct {
  fx_store f;
  fx_log l, m;              /* l is held (genesis, credential, award); m is new */
  fx_buf base[3], mg, good, bad, bad2;
  uint8_t cred[32], award[32], own_cred[32], own_award[32];
  fx_batch bt;
  uint8_t before[32];
} rj;

static inline rj *rj_setup(void) {
  rj *x = calloc(1, sizeof *x);
  cp_entry e;
  cp_ingest_report rep;
  cp_diag d;
  cp_appender *a = NULL;
  fx_new(&x->f, 0x61, "credport/test/rj");
  /* The own log has a credential and an award, for cross-log rules. */
  assert_int_equal(cp_appender_begin(x->f.s, x->f.k, T0, &a, &d), CP_OK);
  fx_credential(&e, "own-cred");
  assert_int_equal(cp_appender_add(a, &e, x->own_cred, &d), CP_OK);
  fx_award(&e, x->own_cred, 0x20, "own");
  assert_int_equal(cp_appender_add(a, &e, x->own_award, &d), CP_OK);
  assert_int_equal(cp_appender_commit(a, &d), CP_OK);
  fx_log_init(&x->l, 0x62);
  fx_log_init(&x->m, 0x63);
  fx_genesis(&x->l, "l.example/log", &x->base[0]);
  fx_credential(&e, "c1");
  fx_sign(&x->l, &e, &x->base[1]);
  memcpy(x->cred, x->base[1].id, 32);
  fx_award(&e, x->cred, 0x21, "l");
  fx_sign(&x->l, &e, &x->base[2]);
  memcpy(x->award, x->base[2].id, 32);
  for (int i = 0; i < 3; i++) fx_push(&x->bt, &x->base[i]);
  assert_int_equal(fx_ingest(&x->f, &x->bt, &rep, &d), CP_OK);
  assert_int_equal(rep.added, 3);
  /* The batch to refuse starts with a new log's genesis and a good entry. */
  x->bt.n = 0;
  fx_genesis(&x->m, "m.example/log", &x->mg);
  fx_push(&x->bt, &x->mg);
  fx_credential(&e, "c-good");
  fx_sign(&x->l, &e, &x->good);
  fx_push(&x->bt, &x->good);
  digest(&x->f, x->before);
  return x;
}


/* Makes f (own key seed 0x51) hold a foreign log l (key seed 0x52, origin
 * origin) of 4 entries: its genesis and credentials c1..c3; lh gets their
 * reference leaf hashes. */
static inline void fx_foreign_log4(fx_store *f, fx_log *l, const char *origin, uint8_t lh[4][32]) {
  fx_buf b[4];
  fx_batch bt = {{0}, {0}, 0};
  cp_ingest_report rep;
  cp_diag d = {{0}};
  cp_entry e;
  fx_new(f, 0x51, "credport/test/own");
  fx_log_init(l, 0x52);
  fx_genesis(l, origin, &b[0]);
  for (int i = 1; i < 4; i++) {
    char id[16];
    snprintf(id, sizeof id, "c%d", i);
    fx_credential(&e, id);
    fx_sign(l, &e, &b[i]);
  }
  for (int i = 0; i < 4; i++) {
    fx_push(&bt, &b[i]);
    ref_leaf(b[i].b, b[i].len, lh[i]);
  }
  if (fx_ingest(f, &bt, &rep, &d) != 0) fail_msg("ingest: %s", d.msg);
}

#endif
