/*
 * A small, deterministic wallet built in memory from real signed entries,
 * for the bundle tests and the fuzz seed corpus (tests/fuzz/gen_corpus.c).
 * No test framework here; every function returns 0 or an error.
 *
 * Issuer log A (8 entries, checkpoint at 8): 0 genesis, 1 credential
 * "exit-tickets", 2 credential "coaching", 3 award (exit-tickets), 4 award
 * (coaching), 5 award (exit-tickets, later revoked), 6 an award for another
 * educator, 7 revoke of 5. Endorser log B (2 entries): 0 genesis, 1 endorse
 * of credential 1 of A. The wallet holds A's 0..5 and B's 0..1; award 5 is
 * marked revoked, awards 3 and 4 carry absence proofs.
 */
#ifndef CP_BUNDLE_FIXTURE_H
#define CP_BUNDLE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"
#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/multiproof.h"
#include "credport/note.h"
#include "credport/revstatus.h"

#define BFX_MAXE 8

typedef struct bfx_log {
  cp_key *k;
  uint8_t pk[CP_PK_BYTES];
  const char *origin;
  size_t n;
  uint8_t buf[BFX_MAXE][1024];
  size_t len[BFX_MAXE];
  uint8_t id[BFX_MAXE][CP_HASH_BYTES];
  uint8_t lv[4][BFX_MAXE][CP_HASH_BYTES]; /* complete subtrees */
  char note[2048];
  size_t note_len;
  char st[CP_REVSTAT_MAX + 1];
  size_t st_len;
} bfx_log;

typedef struct bfx {
  cp_key *edu;
  uint8_t edu_pk[CP_PK_BYTES];
  bfx_log a, b;
  cp_absence_proof absence[2];                         /* awards 3 and 4 */
  uint8_t rev_leaves[4 * CP_BUNDLE_REV_LEAF_BYTES];    /* log a's revocation leaves */
  uint8_t rev_hashes[16][CP_HASH_BYTES];
  size_t nrev, nrev_hashes;
  uint8_t hashes[2][64][CP_HASH_BYTES];
  cp_bundle_log logs[2];
  cp_bundle_entry entries[BFX_MAXE];
  cp_bundle wallet; /* the description cp_bundle_encode takes */
} bfx;

static int bfx_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  bfx_log *l = ctx;
  if (level >= 4 || (index + 1) << level > l->n) return CP_EINVAL;
  memcpy(out, l->lv[level][index], CP_HASH_BYTES);
  return CP_OK;
}

static int bfx_append(bfx_log *l, cp_entry *e) {
  int rc;
  memcpy(e->log, l->pk, CP_PK_BYTES);
  e->version = CP_ENTRY_VERSION;
  e->seq = l->n;
  e->time = 1700000000u + l->n;
  if (l->n > 0) memcpy(e->prev, l->id[l->n - 1], CP_HASH_BYTES);
  if ((rc = cp_entry_sign(e, l->k, l->buf[l->n], sizeof l->buf[0], &l->len[l->n], NULL)) != 0)
    return rc;
  cp_entry_id(l->buf[l->n], l->len[l->n], l->id[l->n]);
  memcpy(l->lv[0][l->n], l->id[l->n], CP_HASH_BYTES);
  l->n++;
  for (unsigned lv = 1; lv < 4; lv++)
    for (size_t i = 0; (i + 1) << lv <= l->n; i++)
      cp_merkle_node_hash(l->lv[lv - 1][2 * i], l->lv[lv - 1][2 * i + 1], l->lv[lv][i]);
  return CP_OK;
}

static int bfx_genesis(bfx_log *l, uint8_t seed, const char *name, const char *origin) {
  uint8_t s[CP_SEED_BYTES];
  cp_entry e;
  int rc;
  memset(s, seed, sizeof s);
  if ((rc = cp_key_from_seed(s, &l->k)) != 0) return rc;
  cp_key_public(l->k, l->pk);
  l->origin = origin;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = (cp_str){name, strlen(name)};
  e.u.authority.jurisdiction = (cp_str){"US-NC", 5};
  e.u.authority.role = CP_ROLE_STATE;
  e.u.authority.origin = (cp_str){origin, strlen(origin)};
  return bfx_append(l, &e);
}

static int bfx_credential(bfx_log *l, const char *id, const char *title) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  e.u.credential.id = (cp_str){id, strlen(id)};
  e.u.credential.title = (cp_str){title, strlen(title)};
  e.u.credential.competency = (cp_str){"Checks understanding", 20};
  e.u.credential.level = 2;
  e.u.credential.hours_x100 = 1000;
  return bfx_append(l, &e);
}

static int bfx_award(bfx_log *l, size_t cred, const uint8_t edu[CP_PK_BYTES]) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AWARD;
  memcpy(e.u.award.credential, l->id[cred], CP_HASH_BYTES);
  memcpy(e.u.award.educator, edu, CP_PK_BYTES);
  e.u.award.earned = 20000;
  e.u.award.assessor = (cp_str){"R. Alvarez", 10};
  return bfx_append(l, &e);
}

/* Checkpoint and revocation statement at the log's size; revoked: the IDs
 * (ascending) of revoked awards. */
static int bfx_seal(bfx_log *l, const uint8_t (*revoked)[CP_HASH_BYTES], size_t nrev) {
  uint8_t root[CP_HASH_BYTES], rr[CP_HASH_BYTES];
  int rc = cp_merkle_root(bfx_get, l, l->n, root);
  if (rc == 0) rc = cp_checkpoint_sign(l->k, l->origin, l->n, root, l->note, sizeof l->note,
                                       &l->note_len);
  if (rc == 0) rc = cp_rev_root(revoked, nrev, rr);
  if (rc == 0)
    rc = cp_revstat_sign(l->k, l->origin, l->n, root, nrev, rr, l->st, sizeof l->st, &l->st_len);
  return rc;
}

/* The multiproof of entries seqs[0..k) of l into out. */
static int bfx_prove(bfx_log *l, const uint64_t *seqs, size_t k, uint8_t (*out)[CP_HASH_BYTES],
                     size_t *n) {
  cp_merkle_path p[BFX_MAXE];
  for (size_t i = 0; i < k; i++) {
    int rc = cp_merkle_inclusion_proof(bfx_get, l, seqs[i], l->n, p[i].h, &p[i].n);
    if (rc != 0) return rc;
  }
  return cp_multiproof_from_paths(l->n, seqs, p, k, out, 64, n);
}

static void bfx_free(bfx *f) {
  cp_key_free(f->edu);
  cp_key_free(f->a.k);
  cp_key_free(f->b.k);
  memset(f, 0, sizeof *f);
}

/* Builds everything; f->wallet then describes the wallet. */
static int bfx_build(bfx *f) {
  uint8_t s[CP_SEED_BYTES], other[CP_PK_BYTES];
  int rc;
  memset(f, 0, sizeof *f);
  memset(s, 0xED, sizeof s);
  memset(other, 0x0E, sizeof other);
  if ((rc = cp_key_from_seed(s, &f->edu)) != 0) return rc;
  cp_key_public(f->edu, f->edu_pk);
  if ((rc = bfx_genesis(&f->a, 0xA0, "NC DPI", "credport/us-nc/a")) != 0 ||
      (rc = bfx_credential(&f->a, "exit-tickets", "Exit Tickets")) != 0 ||
      (rc = bfx_credential(&f->a, "coaching", "Peer Coaching")) != 0 ||
      (rc = bfx_award(&f->a, 1, f->edu_pk)) != 0 || (rc = bfx_award(&f->a, 2, f->edu_pk)) != 0 ||
      (rc = bfx_award(&f->a, 1, f->edu_pk)) != 0 || (rc = bfx_award(&f->a, 1, other)) != 0)
    return rc;
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_REVOKE;
  memcpy(e.u.revoke.target, f->a.id[5], CP_HASH_BYTES);
  e.u.revoke.reason = (cp_str){"issued in error", 15};
  if ((rc = bfx_append(&f->a, &e)) != 0) return rc;
  if ((rc = bfx_seal(&f->a, (const uint8_t(*)[CP_HASH_BYTES])&f->a.id[5], 1)) != 0) return rc;
  if ((rc = bfx_genesis(&f->b, 0xB0, "Multistate QA", "credport/us/qa")) != 0) return rc;
  memset(&e, 0, sizeof e);
  e.type = CP_T_ENDORSE;
  e.u.endorse.kind = CP_SUBJECT_CREDENTIAL;
  memcpy(e.u.endorse.subject, f->a.id[1], CP_HASH_BYTES);
  e.u.endorse.claim = (cp_str){"qa:multistate-mc-2024", 21};
  if ((rc = bfx_append(&f->b, &e)) != 0) return rc;
  if ((rc = bfx_seal(&f->b, NULL, 0)) != 0) return rc;
  for (int i = 0; i < 2; i++)
    if ((rc = cp_rev_prove_absent((const uint8_t(*)[CP_HASH_BYTES])&f->a.id[5], 1, f->a.id[3 + i],
                                  &f->absence[i])) != 0)
      return rc;
  {
    uint8_t *rl = NULL, (*rh)[CP_HASH_BYTES] = NULL;
    if ((rc = cp_bundle_rev_section(f->absence, 2, 1, &rl, &f->nrev, &rh, &f->nrev_hashes)) != 0)
      return rc;
    if (f->nrev > 4 || f->nrev_hashes > 16) rc = CP_EINVAL;
    if (rc == 0) {
      memcpy(f->rev_leaves, rl, f->nrev * CP_BUNDLE_REV_LEAF_BYTES);
      if (f->nrev_hashes > 0) memcpy(f->rev_hashes, rh, f->nrev_hashes * CP_HASH_BYTES);
    }
    free(rl);
    free(rh);
    if (rc != 0) return rc;
  }
  /* Logs in ascending key order. */
  bfx_log *ls[2] = {&f->a, &f->b};
  if (memcmp(f->a.pk, f->b.pk, CP_PK_BYTES) > 0) {
    ls[0] = &f->b;
    ls[1] = &f->a;
  }
  size_t ne = 0;
  for (int i = 0; i < 2; i++) {
    bfx_log *l = ls[i];
    cp_bundle_log *o = &f->logs[i];
    size_t k = l == &f->a ? 6 : 2;
    uint64_t seqs[6] = {0, 1, 2, 3, 4, 5};
    memcpy(o->key, l->pk, CP_PK_BYTES);
    o->note = l->note;
    o->note_len = l->note_len;
    o->statement = l->st;
    o->statement_len = l->st_len;
    o->first = ne;
    o->n = k;
    if ((rc = bfx_prove(l, seqs, k, f->hashes[i], &o->nhashes)) != 0) return rc;
    o->hashes = (const uint8_t(*)[CP_HASH_BYTES])f->hashes[i];
    if (l == &f->a) {
      o->rev_leaves = f->rev_leaves;
      o->nrev = f->nrev;
      o->rev_hashes = (const uint8_t(*)[CP_HASH_BYTES])f->rev_hashes;
      o->nrev_hashes = f->nrev_hashes;
    }
    for (size_t j = 0; j < k; j++) {
      cp_bundle_entry *en = &f->entries[ne++];
      en->buf = l->buf[j];
      en->len = l->len[j];
      if (l == &f->a && j >= 3) {
        en->status = j == 5 ? CP_AWARD_REVOKED : CP_AWARD_NOT_REVOKED;
      }
    }
  }
  f->wallet.kind = CP_BUNDLE_KIND_WALLET;
  memcpy(f->wallet.educator, f->edu_pk, CP_PK_BYTES);
  f->wallet.logs = f->logs;
  f->wallet.nlogs = 2;
  f->wallet.entries = f->entries;
  f->wallet.nentries = ne;
  return CP_OK;
}

#endif
