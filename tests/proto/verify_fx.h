/* Test fixture: small issuer logs built in memory (entries signed by the key
 * in force, or by any key a test chooses), and bundles made from them with
 * checkpoints, cosignatures, revocation statements, absence proofs and
 * multiproofs, encoded by cp_bundle_encode. No store, no node. */
#ifndef CP_TEST_VERIFY_FX_H
#define CP_TEST_VERIFY_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"
#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/multiproof.h"
#include "credport/note.h"
#include "credport/revstatus.h"
#include "credport/trust.h"

#define FX_ENTRIES 64
#define FX_TIME 1700000000u

typedef struct fx_log {
  cp_key *genesis, *signer; /* signer: the key in force for the next entry */
  uint8_t pk[CP_PK_BYTES];
  char origin[64], name[64];
  uint8_t buf[FX_ENTRIES][1024];
  size_t len[FX_ENTRIES];
  uint8_t id[FX_ENTRIES][CP_HASH_BYTES];
  size_t n;
  uint8_t revoked[FX_ENTRIES][CP_HASH_BYTES];
  size_t nrev;
} fx_log;

static cp_key *fx_key(unsigned seed) {
  uint8_t s[CP_SEED_BYTES];
  cp_key *k = NULL;
  memset(s, (int)(seed & 0xFF), sizeof s);
  s[0] = (uint8_t)(seed >> 8);
  assert_int_equal(cp_key_from_seed(s, &k), 0);
  return k;
}

/* Appends e (type and body filled) to l signed by k (the key in force when
 * NULL); returns its seq. */
static uint64_t fx_append_by(fx_log *l, cp_entry *e, const cp_key *k) {
  cp_diag d = {{0}};
  size_t len = 0;
  assert_true(l->n < FX_ENTRIES);
  e->version = CP_ENTRY_VERSION;
  memcpy(e->log, l->pk, CP_PK_BYTES);
  e->seq = l->n;
  if (l->n > 0)
    memcpy(e->prev, l->id[l->n - 1], CP_HASH_BYTES);
  else
    memset(e->prev, 0, CP_HASH_BYTES);
  e->time = FX_TIME + l->n;
  if (cp_entry_sign(e, k ? k : l->signer, l->buf[l->n], sizeof l->buf[0], &len, &d) != 0)
    fail_msg("sign: %s", d.msg);
  l->len[l->n] = len;
  cp_entry_id(l->buf[l->n], len, l->id[l->n]);
  return l->n++;
}

static cp_str fx_s(const char *s) {
  cp_str r = {s, strlen(s)};
  return r;
}

static void fx_log_init(fx_log *l, unsigned seed, const char *name, const char *jur) {
  cp_entry e;
  memset(l, 0, sizeof *l);
  l->genesis = fx_key(seed);
  l->signer = l->genesis;
  cp_key_public(l->genesis, l->pk);
  snprintf(l->origin, sizeof l->origin, "example.org/log%u", seed);
  snprintf(l->name, sizeof l->name, "%s", name);
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = fx_s(l->name);
  e.u.authority.jurisdiction = fx_s(jur);
  e.u.authority.role = CP_ROLE_STATE;
  e.u.authority.origin = fx_s(l->origin);
  fx_append_by(l, &e, NULL);
}

static void fx_log_free(fx_log *l) {
  if (l->signer != l->genesis) cp_key_free(l->signer);
  cp_key_free(l->genesis);
}

static uint64_t fx_cred(fx_log *l, const char *id, const char *title) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_CREDENTIAL;
  e.u.credential.id = fx_s(id);
  e.u.credential.title = fx_s(title);
  e.u.credential.competency = fx_s("Competency text.");
  e.u.credential.evidence = fx_s("");
  e.u.credential.level = 2;
  e.u.credential.hours_x100 = 1250;
  return fx_append_by(l, &e, NULL);
}

static uint64_t fx_award_by(fx_log *l, uint64_t cred, const uint8_t edu[CP_PK_BYTES],
                            const cp_key *k) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AWARD;
  memcpy(e.u.award.credential, l->id[cred], CP_HASH_BYTES);
  memcpy(e.u.award.educator, edu, CP_PK_BYTES);
  e.u.award.earned = 19782;
  e.u.award.assessor = fx_s("J. Smith");
  return fx_append_by(l, &e, k);
}

static uint64_t fx_award(fx_log *l, uint64_t cred, const uint8_t edu[CP_PK_BYTES]) {
  return fx_award_by(l, cred, edu, NULL);
}

static uint64_t fx_endorse(fx_log *l, unsigned kind, const uint8_t subject[32], const char *claim) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_ENDORSE;
  e.u.endorse.kind = (uint8_t)kind;
  memcpy(e.u.endorse.subject, subject, 32);
  e.u.endorse.claim = fx_s(claim);
  e.u.endorse.note = fx_s("");
  return fx_append_by(l, &e, NULL);
}

/* A key entry: rotation to the key of seed (seed 0: a retirement). */
static uint64_t fx_key_entry(fx_log *l, unsigned seed) {
  cp_entry e;
  cp_key *nk = seed ? fx_key(seed) : NULL;
  memset(&e, 0, sizeof e);
  e.type = CP_T_KEY;
  e.u.key.action = seed ? CP_KEY_ROTATE : CP_KEY_RETIRE;
  if (nk) cp_key_public(nk, e.u.key.new_key);
  uint64_t s = fx_append_by(l, &e, NULL);
  if (nk) {
    if (l->signer != l->genesis) cp_key_free(l->signer);
    l->signer = nk;
  }
  return s;
}

static uint64_t fx_revoke(fx_log *l, uint64_t award) {
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_REVOKE;
  memcpy(e.u.revoke.target, l->id[award], CP_HASH_BYTES);
  e.u.revoke.reason = fx_s("issued in error");
  size_t i = l->nrev;
  while (i > 0 && memcmp(l->revoked[i - 1], l->id[award], CP_HASH_BYTES) > 0) {
    memcpy(l->revoked[i], l->revoked[i - 1], CP_HASH_BYTES);
    i--;
  }
  memcpy(l->revoked[i], l->id[award], CP_HASH_BYTES);
  l->nrev++;
  return fx_append_by(l, &e, NULL);
}

/* Complete subtree hashes of l's tree, for cp_merkle_*. */
static int fx_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  fx_log *l = ctx;
  if (level == 0) {
    memcpy(out, l->id[index], CP_HASH_BYTES);
    return 0;
  }
  uint8_t a[CP_HASH_BYTES], b[CP_HASH_BYTES];
  fx_get(ctx, level - 1, 2 * index, a);
  fx_get(ctx, level - 1, 2 * index + 1, b);
  cp_merkle_node_hash(a, b, out);
  return 0;
}

/* A witness: its key and note key name. */
typedef struct fx_witness {
  cp_key *k;
  char name[64];
  char vkey[CP_VKEY_MAX];
} fx_witness;

static void fx_witness_init(fx_witness *w, unsigned seed) {
  uint8_t pk[CP_PK_BYTES];
  w->k = fx_key(seed);
  cp_key_public(w->k, pk);
  snprintf(w->name, sizeof w->name, "example.org/witness%u", seed);
  assert_int_equal(cp_note_vkey_format(w->name, CP_NOTE_ALG_COSIG_V1, pk, w->vkey), 0);
}

/* What one log contributes to a bundle. */
typedef struct fx_part {
  fx_log *l;
  uint64_t size;        /* checkpoint size (0: l->n) */
  const uint64_t *seqs; /* entries to include besides the genesis, ascending */
  size_t nseqs;
  const fx_witness *const *w; /* cosigners */
  size_t nw;
  uint64_t cosig_time;
  const cp_key *cp_signer; /* checkpoint and statement signer (NULL: l->signer) */
} fx_part;

/* Storage for the encoded description, freed by fx_bundle_done. */
typedef struct fx_bundle {
  cp_bundle b;
  cp_bundle_log logs[4];
  cp_bundle_entry ents[4 * FX_ENTRIES];
  char notes[4][CP_NOTE_MAX];
  char stmts[4][CP_REVSTAT_MAX + 1];
  uint8_t rleaves[4][2 * FX_ENTRIES * CP_BUNDLE_REV_LEAF_BYTES];
  uint8_t rhashes[4][256][CP_HASH_BYTES];
  uint8_t hashes[4][256][CP_HASH_BYTES];
  uint8_t *out;
  size_t len;
} fx_bundle;

static void fx_add_part(fx_bundle *f, const fx_part *p) {
  fx_log *l = p->l;
  size_t i = f->b.nlogs++;
  cp_bundle_log *L = &f->logs[i];
  uint64_t size = p->size ? p->size : l->n;
  const cp_key *signer = p->cp_signer ? p->cp_signer : l->signer;
  uint64_t idx[FX_ENTRIES];
  cp_merkle_path *paths = calloc(FX_ENTRIES, sizeof *paths);
  uint8_t root[CP_HASH_BYTES], rev_root[CP_HASH_BYTES];
  size_t k = 0, nl = 0, sl = 0, nh = 0, np = 0;
  cp_absence_proof *aps = calloc(FX_ENTRIES, sizeof *aps);
  assert_non_null(paths);
  assert_non_null(aps);
  memset(L, 0, sizeof *L);
  memcpy(L->key, l->pk, CP_PK_BYTES);
  assert_int_equal(cp_merkle_root(fx_get, l, size, root), 0);
  assert_int_equal(cp_checkpoint_sign(signer, l->origin, size, root, f->notes[i], CP_NOTE_MAX, &nl),
                   0);
  for (size_t w = 0; w < p->nw; w++)
    assert_int_equal(cp_note_cosign(p->w[w]->k, p->w[w]->name, p->cosig_time, f->notes[i], nl,
                                    f->notes[i], CP_NOTE_MAX, &nl),
                     0);
  L->note = f->notes[i];
  L->note_len = nl;
  /* The revocation set at size: revokes below it. */
  uint8_t(*set)[CP_HASH_BYTES] = calloc(FX_ENTRIES, CP_HASH_BYTES);
  size_t nset = 0;
  assert_non_null(set);
  for (uint64_t s = 0; s < size; s++) {
    cp_entry e;
    assert_int_equal(cp_entry_decode(l->buf[s], l->len[s], &e, NULL), 0);
    if (e.type != CP_T_REVOKE) continue;
    size_t j = nset;
    while (j > 0 && memcmp(set[j - 1], e.u.revoke.target, CP_HASH_BYTES) > 0) {
      memcpy(set[j], set[j - 1], CP_HASH_BYTES);
      j--;
    }
    memcpy(set[j], e.u.revoke.target, CP_HASH_BYTES);
    nset++;
  }
  assert_int_equal(cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])set, nset, rev_root), 0);
  assert_int_equal(cp_revstat_sign(signer, l->origin, size, root, nset, rev_root, f->stmts[i],
                                   sizeof f->stmts[i], &sl),
                   0);
  L->statement = f->stmts[i];
  L->statement_len = sl;
  L->first = f->b.nentries;
  idx[k++] = 0;
  for (size_t j = 0; j < p->nseqs; j++) idx[k++] = p->seqs[j];
  for (size_t j = 0; j < k; j++) {
    cp_bundle_entry *be = &f->ents[f->b.nentries++];
    memset(be, 0, sizeof *be);
    be->buf = l->buf[idx[j]];
    be->len = l->len[idx[j]];
    be->log = i;
    be->seq = idx[j];
    be->type = l->buf[idx[j]][1];
    memcpy(be->id, l->id[idx[j]], CP_HASH_BYTES);
    if (be->type == CP_T_AWARD) {
      cp_absence_proof *ap = &aps[np++];
      if (cp_rev_prove_absent((const uint8_t(*)[CP_HASH_BYTES])set, nset, be->id, ap) != 0) {
        /* Revoked: an honest proof cannot exist; show the award's own leaf
         * (taken from a neighbour's proof) so that only the verifier's
         * check refuses it. */
        uint8_t other[CP_HASH_BYTES];
        memcpy(other, be->id, CP_HASH_BYTES);
        other[31] ^= 1;
        assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[CP_HASH_BYTES])set, nset, other, ap),
                         0);
        if (memcmp(ap->leaf[0].id, be->id, CP_HASH_BYTES) != 0) ap->leaf[0] = ap->leaf[1];
        ap->nleaves = 1;
      }
      be->status = CP_AWARD_NOT_REVOKED;
    }
    assert_int_equal(cp_merkle_inclusion_proof(fx_get, l, idx[j], size, paths[j].h, &paths[j].n),
                     0);
  }
  L->n = k;
  assert_int_equal(cp_multiproof_from_paths(size, idx, paths, k, f->hashes[i], 256, &nh), 0);
  L->hashes = (const uint8_t(*)[CP_HASH_BYTES])f->hashes[i];
  L->nhashes = nh;
  {
    uint8_t *rl = NULL, (*rh)[CP_HASH_BYTES] = NULL;
    assert_int_equal(cp_bundle_rev_section(aps, np, nset, &rl, &L->nrev, &rh, &L->nrev_hashes), 0);
    assert_true(L->nrev <= 2 * FX_ENTRIES && L->nrev_hashes <= 256);
    if (L->nrev > 0) memcpy(f->rleaves[i], rl, L->nrev * CP_BUNDLE_REV_LEAF_BYTES);
    if (L->nrev_hashes > 0) memcpy(f->rhashes[i], rh, L->nrev_hashes * CP_HASH_BYTES);
    L->rev_leaves = f->rleaves[i];
    L->rev_hashes = (const uint8_t(*)[CP_HASH_BYTES])f->rhashes[i];
    free(rl);
    free(rh);
  }
  free(aps);
  free(paths);
  free(set);
}

/* Encodes the bundle of parts[0..n) (in ascending log-key order) for the
 * educator key edu, challenge and audience; f->out, f->len. rc is
 * cp_bundle_encode's. */
static int fx_bundle_make(fx_bundle *f, const fx_part *parts, size_t n, const cp_key *edu,
                          const char *challenge, const char *audience) {
  cp_diag d = {{0}};
  memset(&f->b, 0, sizeof f->b);
  f->b.kind = CP_BUNDLE_KIND_BUNDLE;
  cp_key_public(edu, f->b.educator);
  f->b.challenge = challenge;
  f->b.challenge_len = strlen(challenge);
  f->b.audience = audience;
  f->b.audience_len = strlen(audience);
  f->b.logs = f->logs;
  f->b.entries = f->ents;
  /* Logs in ascending key order. */
  size_t order[4];
  for (size_t i = 0; i < n; i++) order[i] = i;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && memcmp(parts[order[j - 1]].l->pk, parts[order[j]].l->pk, 32) > 0;
         j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  for (size_t i = 0; i < n; i++) fx_add_part(f, &parts[order[i]]);
  f->out = NULL;
  int rc = cp_bundle_encode(&f->b, edu, &f->out, &f->len, &d);
  if (rc != 0) print_message("encode: %s\n", d.msg);
  return rc;
}

static void fx_bundle_done(fx_bundle *f) {
  free(f->out);
  f->out = NULL;
}

#endif
