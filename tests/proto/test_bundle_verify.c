/* Offline verification of bundles (proto/bundle_verify.c): every reason. */
#include "cptest.h"

#include "verify_fx.h"
#include "credport/bundle_verify.h"

#define NOW (FX_TIME + 100000u)

typedef struct world {
  fx_log nc, va;
  fx_witness w1, w2;
  cp_key *edu;
  uint8_t edu_pk[CP_PK_BYTES];
  uint64_t cred1, cred2, a1, a2, e_cred, e_auth;
  cp_trust *trust;
  fx_bundle *f;
} world;

/* Trust text listing the given logs and witnesses; parsed into w->trust. */
static void trust(world *w, const fx_log *const *logs, size_t nl, const fx_witness *const *ws,
                  size_t nw) {
  char text[4096];
  size_t pos = 0;
  cp_diag d = {{0}};
  for (size_t i = 0; i < nl; i++) {
    char vk[CP_VKEY_MAX];
    assert_int_equal(cp_note_vkey_format(logs[i]->origin, CP_NOTE_ALG_ED25519, logs[i]->pk, vk), 0);
    pos += (size_t)snprintf(text + pos, sizeof text - pos, "%s\n", vk);
  }
  for (size_t i = 0; i < nw; i++)
    pos += (size_t)snprintf(text + pos, sizeof text - pos, "witness %s\n", ws[i]->vkey);
  if (cp_trust_parse(text, pos, w->trust, &d) != 0) fail_msg("trust: %s", d.msg);
}

static void trust_all(world *w) {
  const fx_log *logs[] = {&w->nc, &w->va};
  const fx_witness *ws[] = {&w->w1, &w->w2};
  trust(w, logs, 2, ws, 2);
}

/* NC defines two credentials and awards both to the educator; VA endorses
 * the first credential and NC itself. */
static void world_init(world *w) {
  memset(w, 0, sizeof *w);
  fx_log_init(&w->nc, 1, "North Carolina DPI", "US-NC");
  fx_log_init(&w->va, 2, "Virginia DOE", "US-VA");
  fx_witness_init(&w->w1, 50);
  fx_witness_init(&w->w2, 51);
  w->edu = fx_key(100);
  cp_key_public(w->edu, w->edu_pk);
  w->cred1 = fx_cred(&w->nc, "nc.cm", "Classroom Management");
  w->cred2 = fx_cred(&w->nc, "nc.read", "Reading Foundations");
  w->a1 = fx_award(&w->nc, w->cred1, w->edu_pk);
  w->a2 = fx_award(&w->nc, w->cred2, w->edu_pk);
  w->e_cred = fx_endorse(&w->va, CP_SUBJECT_CREDENTIAL, w->nc.id[w->cred1], "qa:reciprocity");
  w->e_auth = fx_endorse(&w->va, CP_SUBJECT_AUTHORITY, w->nc.pk, "qa:state-approved");
  w->trust = calloc(1, sizeof *w->trust);
  w->f = calloc(1, sizeof *w->f);
  assert_non_null(w->trust);
  assert_non_null(w->f);
  trust_all(w);
}

static void world_free(world *w) {
  fx_bundle_done(w->f);
  free(w->f);
  free(w->trust);
  fx_log_free(&w->nc);
  fx_log_free(&w->va);
  cp_key_free(w->w1.k);
  cp_key_free(w->w2.k);
  cp_key_free(w->edu);
}

/* The standard bundle: NC's two awards and definitions, VA's endorsements,
 * both checkpoints cosigned by w1 and w2 at cosig_time. */
static void make_std(world *w, uint64_t cosig_time) {
  const fx_witness *ws[] = {&w->w1, &w->w2};
  uint64_t ncs[] = {w->cred1, w->cred2, w->a1, w->a2}, vas[] = {w->e_cred, w->e_auth};
  fx_part p[2] = {{&w->nc, 0, ncs, 4, ws, 2, cosig_time, NULL},
                  {&w->va, 0, vas, 2, ws, 2, cosig_time, NULL}};
  assert_int_equal(fx_bundle_make(w->f, p, 2, w->edu, "nonce-123", "Acme Academy"), 0);
}

static cp_vopts opts(const world *w) {
  cp_vopts o;
  memset(&o, 0, sizeof o);
  o.trust = w->trust;
  o.challenge = "nonce-123";
  o.challenge_len = 9;
  o.audience = "Acme Academy";
  o.audience_len = 12;
  o.now = NOW;
  return o;
}

/* Decodes bytes and verifies them; returns the decoder's code (the result
 * is filled only when it is 0). */
static int run(const uint8_t *bytes, size_t len, const cp_vopts *o, cp_vresult *r) {
  cp_bundle b;
  cp_diag d = {{0}};
  memset(r, 0, sizeof *r);
  int rc = cp_bundle_decode(bytes, len, &b, &d);
  if (rc != 0) return rc;
  assert_int_equal(cp_bundle_verify(&b, o, r), 0);
  cp_bundle_free(&b);
  return 0;
}

/* r holds a problem of reason whose text contains part. */
static void has_problem(const cp_vresult *r, cp_vreason reason, const char *part) {
  for (size_t i = 0; i < r->nproblems; i++)
    if (r->problems[i].reason == reason && strstr(r->problems[i].text, part) != NULL) return;
  for (size_t i = 0; i < r->nproblems; i++)
    print_message("problem %s: %s\n", cp_vreason_name(r->problems[i].reason), r->problems[i].text);
  fail_msg("no %s problem mentioning \"%s\"", cp_vreason_name(reason), part);
}

static void valid_bundle(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  make_std(&w, NOW - 60);
  cp_vopts o = opts(&w);
  o.witnesses = 2;
  o.max_age = 3600;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  for (size_t i = 0; i < r.nproblems; i++) print_message("%s\n", r.problems[i].text);
  assert_true(r.valid);
  assert_int_equal(r.reason, CP_V_OK);
  assert_true(r.sig_ok && r.challenge_ok && r.audience_checked && r.audience_ok);
  assert_int_equal(r.nawards, 2);
  assert_int_equal(r.nlogs, 2);
  for (size_t i = 0; i < 2; i++) {
    assert_true(r.logs[i].trusted && r.logs[i].checkpoint_ok && r.logs[i].inclusion_ok &&
                r.logs[i].statement_ok);
    assert_int_equal(r.logs[i].witnesses, 2);
    assert_int_equal(r.logs[i].newest_cosig, NOW - 60);
  }
  /* The first award's credential is endorsed, and its issuer: two. */
  size_t n1 = r.awards[0].nendorse, n2 = r.awards[1].nendorse;
  assert_true((n1 == 2 && n2 == 1) || (n1 == 1 && n2 == 2));
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(r.awards[k].status, CP_V_OK);
    assert_true(r.awards[k].definition >= 0);
    for (size_t i = 0; i < r.awards[k].nendorse; i++) assert_true(r.awards[k].endorse_ok[i]);
  }
  cp_vresult_free(&r);
  /* Without --audience the audience is not checked. */
  o.audience = NULL;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  assert_false(r.audience_checked);
  cp_vresult_free(&r);
  world_free(&w);
}

static void wrong_challenge_and_audience(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  make_std(&w, NOW - 60);
  cp_vopts o = opts(&w);
  o.challenge = "nonce-124";
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_CHALLENGE);
  has_problem(&r, CP_V_CHALLENGE, "the bundle answers the challenge \"nonce-123\", not \"nonce-124\"");
  assert_true(r.sig_ok);
  assert_int_equal(r.awards[0].status, CP_V_CHALLENGE);
  cp_vresult_free(&r);
  o = opts(&w);
  o.audience = "Other School";
  o.audience_len = 12;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_AUDIENCE);
  has_problem(&r, CP_V_AUDIENCE, "made for \"Acme Academy\", not \"Other School\"");
  assert_int_equal(r.nproblems, 1);
  cp_vresult_free(&r);
  world_free(&w);
}

static void untrusted_issuer_and_endorser(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  make_std(&w, NOW - 60);
  const fx_witness *ws[] = {&w.w1, &w.w2};
  const fx_log *only_va[] = {&w.va}, *only_nc[] = {&w.nc};
  trust(&w, only_va, 1, ws, 2);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_UNTRUSTED);
  has_problem(&r, CP_V_UNTRUSTED, "is not in the trust file");
  assert_int_equal(r.awards[0].status, CP_V_UNTRUSTED);
  assert_int_equal(r.awards[1].status, CP_V_UNTRUSTED);
  cp_vresult_free(&r);
  /* An untrusted endorser does not fail the bundle; its endorsements are
   * not counted. */
  trust(&w, only_nc, 1, ws, 2);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  size_t shown = 0;
  for (size_t k = 0; k < 2; k++)
    for (size_t i = 0; i < r.awards[k].nendorse; i++, shown++)
      assert_false(r.awards[k].endorse_ok[i]);
  assert_int_equal(shown, 3);
  cp_vresult_free(&r);
  world_free(&w);
}

static void too_few_witnesses(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {w.cred1, w.a1};
  fx_part p = {&w.nc, 0, ncs, 2, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  cp_vopts o = opts(&w);
  o.witnesses = 2;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_WITNESSES);
  has_problem(&r, CP_V_WITNESSES,
              "cosigned by 1 of the 2 required trusted witnesses (2 trusted): "
              "example.org/witness50");
  assert_int_equal(r.logs[0].witnesses, 1);
  cp_vresult_free(&r);
  o.witnesses = 1;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  cp_vresult_free(&r);
  world_free(&w);
}

static void checkpoint_too_old(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  make_std(&w, NOW - 7200);
  cp_vopts o = opts(&w);
  o.max_age = 3600;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_TOO_OLD);
  has_problem(&r, CP_V_TOO_OLD, "is 7200 s old, more than the 3600 s allowed");
  cp_vresult_free(&r);
  o.max_age = 7200;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  cp_vresult_free(&r);
  /* No cosignature at all: nothing dates the checkpoint. */
  fx_bundle_done(w.f);
  uint64_t ncs[] = {w.cred1, w.a1};
  fx_part p = {&w.nc, 0, ncs, 2, NULL, 0, 0, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_int_equal(r.reason, CP_V_TOO_OLD);
  has_problem(&r, CP_V_TOO_OLD, "nothing dates it");
  cp_vresult_free(&r);
  world_free(&w);
}

static void revoked_award(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  fx_revoke(&w.nc, w.a1);
  make_std(&w, NOW - 60);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_REVOKED);
  has_problem(&r, CP_V_REVOKED, "not among the 1 revoked awards");
  assert_int_equal(r.nproblems, 1);
  size_t bad = 0;
  for (size_t k = 0; k < 2; k++) bad += r.awards[k].status == CP_V_REVOKED;
  assert_int_equal(bad, 1);
  cp_vresult_free(&r);
  world_free(&w);
}

static void bad_entry_signature(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  cp_key *other = fx_key(77);
  uint64_t a3 = fx_award_by(&w.nc, w.cred1, w.edu_pk, other);
  uint64_t ncs[] = {w.cred1, a3};
  const fx_witness *ws[] = {&w.w1};
  fx_part p = {&w.nc, 0, ncs, 2, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_BADSIG);
  char where[64];
  snprintf(where, sizeof where, "award at seq %llu of example.org/log1", (unsigned long long)a3);
  has_problem(&r, CP_V_BADSIG, where);
  assert_int_equal(r.awards[0].status, CP_V_BADSIG);
  cp_vresult_free(&r);
  /* The educator's own signature over the bundle. */
  fx_bundle_done(w.f);
  uint64_t good[] = {w.cred1, w.a1};
  p.seqs = good;
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  w.f->out[w.f->len - 1] ^= 0x20;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_false(r.sig_ok);
  assert_int_equal(r.reason, CP_V_BADSIG);
  has_problem(&r, CP_V_BADSIG, "the educator's signature over the bundle");
  cp_vresult_free(&r);
  cp_key_free(other);
  world_free(&w);
}

static void rotation_followed(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  uint64_t rot = fx_key_entry(&w.nc, 9);
  uint64_t a3 = fx_award(&w.nc, w.cred1, w.edu_pk); /* under the new key */
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {w.cred1, w.a1, rot, a3};
  fx_part p = {&w.nc, 0, ncs, 4, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  for (size_t i = 0; i < r.nproblems; i++) print_message("%s\n", r.problems[i].text);
  assert_true(r.valid);
  assert_int_equal(r.logs[0].key_entries, 1);
  assert_int_equal(r.nawards, 2);
  cp_vresult_free(&r);
  /* A checkpoint signed by the rotated-away key is refused. */
  fx_bundle_done(w.f);
  p.cp_signer = w.nc.genesis;
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_int_equal(r.reason, CP_V_BADSIG);
  has_problem(&r, CP_V_BADSIG, "the checkpoint of example.org/log1");
  cp_vresult_free(&r);
  /* An award after the rotation signed by the old key is refused. */
  fx_bundle_done(w.f);
  uint64_t a4 = fx_award_by(&w.nc, w.cred1, w.edu_pk, w.nc.genesis);
  uint64_t ncs2[] = {w.cred1, rot, a4};
  fx_part q = {&w.nc, 0, ncs2, 3, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &q, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_int_equal(r.reason, CP_V_BADSIG);
  char where[80];
  snprintf(where, sizeof where, "award at seq %llu of example.org/log1: its signature",
           (unsigned long long)a4);
  has_problem(&r, CP_V_BADSIG, where);
  cp_vresult_free(&r);
  world_free(&w);
}

static void entry_after_retirement(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  uint64_t ret = fx_key_entry(&w.nc, 0);
  uint64_t a3 = fx_award(&w.nc, w.cred1, w.edu_pk); /* by the retired key */
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {w.cred1, w.a1, ret, a3};
  fx_part p = {&w.nc, 0, ncs, 4, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_RETIRED);
  char where[96];
  snprintf(where, sizeof where,
           "award at seq %llu of example.org/log1: the log's key was "
           "retired at seq %llu",
           (unsigned long long)a3, (unsigned long long)ret);
  has_problem(&r, CP_V_RETIRED, where);
  cp_vresult_free(&r);
  /* The awards signed before the retirement verify, with the retirement. */
  fx_bundle_done(w.f);
  uint64_t ok[] = {w.cred1, w.a1, ret};
  p.seqs = ok;
  p.nseqs = 3;
  p.size = ret + 1;
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  assert_true(r.logs[0].retired);
  cp_vresult_free(&r);
  world_free(&w);
}

static void not_in_the_log(void **state) {
  world w;
  cp_vresult r;
  cp_diag d = {{0}};
  world_init(&w);
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {w.cred1, w.a1};
  fx_part p = {&w.nc, 0, ncs, 2, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  /* One multiproof hash changed, the bundle signed again by the educator. */
  assert_true(w.f->logs[0].nhashes > 0);
  ((uint8_t(*)[CP_HASH_BYTES])w.f->logs[0].hashes)[0][5] ^= 1;
  free(w.f->out);
  assert_int_equal(cp_bundle_encode(&w.f->b, w.edu, &w.f->out, &w.f->len, &d), 0);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_NOT_IN_LOG);
  has_problem(&r, CP_V_NOT_IN_LOG,
              "the 3 entries of example.org/log1 are not in its log at size "
              "5: their proof leads to another root");
  assert_int_equal(r.nproblems, 1);
  assert_int_equal(r.awards[0].status, CP_V_NOT_IN_LOG);
  cp_vresult_free(&r);
  world_free(&w);
}

static void parts_that_do_not_fit(void **state) {
  world w;
  cp_vresult r;
  cp_diag d = {{0}};
  world_init(&w);
  make_std(&w, NOW - 60);
  /* The statement of NC at another size, properly signed. */
  size_t nc = memcmp(w.nc.pk, w.va.pk, 32) < 0 ? 0 : 1;
  uint8_t root[CP_HASH_BYTES], rev[CP_HASH_BYTES];
  static char st[CP_REVSTAT_MAX + 1];
  size_t sl;
  assert_int_equal(cp_merkle_root(fx_get, &w.nc, 3, root), 0);
  assert_int_equal(cp_rev_root(NULL, 0, rev), 0);
  assert_int_equal(cp_revstat_sign(w.nc.signer, w.nc.origin, 3, root, 0, rev, st, sizeof st, &sl),
                   0);
  w.f->logs[nc].statement = st;
  w.f->logs[nc].statement_len = sl;
  free(w.f->out);
  w.f->out = NULL;
  /* The format leaves the binding to the verifier. */
  assert_int_equal(cp_bundle_encode(&w.f->b, w.edu, &w.f->out, &w.f->len, &d), 0);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_int_equal(r.reason, CP_V_MISMATCH);
  has_problem(&r, CP_V_MISMATCH, "(size 3) is not bound to its checkpoint (size 5)");
  cp_vresult_free(&r);
  fx_bundle_done(w.f);
  /* An award naming a definition of another log. */
  uint64_t vcred = fx_cred(&w.va, "va.x", "Virginia credential");
  cp_entry e;
  memset(&e, 0, sizeof e);
  e.type = CP_T_AWARD;
  memcpy(e.u.award.credential, w.va.id[vcred], CP_HASH_BYTES);
  memcpy(e.u.award.educator, w.edu_pk, CP_PK_BYTES);
  e.u.award.earned = 19782;
  e.u.award.assessor = fx_s("");
  uint64_t a3 = fx_append_by(&w.nc, &e, NULL);
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {a3}, vas[] = {vcred};
  fx_part p[2] = {{&w.nc, 0, ncs, 1, ws, 1, NOW - 60, NULL},
                  {&w.va, 0, vas, 1, ws, 1, NOW - 60, NULL}};
  assert_int_equal(fx_bundle_make(w.f, p, 2, w.edu, "nonce-123", "Acme Academy"), 0);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_int_equal(r.reason, CP_V_MISMATCH);
  has_problem(&r, CP_V_MISMATCH,
              "its credential definition is not in the bundle's part of its log");
  cp_vresult_free(&r);
  world_free(&w);
}

/* Problems found by a node (fork) and a bundle that does not decode are
 * recorded with their reasons. */
static void fork_and_malformed(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  make_std(&w, NOW - 60);
  cp_vopts o = opts(&w);
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  size_t nc = r.awards[0].log;
  cp_vresult_add(&r, CP_V_FORK, (long)nc, -1, "%s: two histories", w.nc.origin);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_FORK);
  assert_int_equal(r.logs[nc].status, CP_V_FORK);
  assert_int_equal(r.awards[0].status, CP_V_FORK);
  assert_int_equal(r.awards[1].status, CP_V_FORK);
  assert_int_equal(r.logs[1 - nc].status, CP_V_OK);
  cp_vresult_free(&r);
  /* A truncated bundle does not decode; its diagnostic names the byte. */
  cp_bundle b;
  cp_diag d = {{0}};
  assert_int_not_equal(cp_bundle_decode(w.f->out, w.f->len - 70, &b, &d), 0);
  memset(&r, 0, sizeof r);
  cp_vresult_malformed(&r, &d);
  assert_false(r.valid);
  assert_int_equal(r.reason, CP_V_MALFORMED);
  assert_non_null(strstr(r.problems[0].text, "byte"));
  assert_string_equal(cp_vreason_name(CP_V_MALFORMED), "malformed");
  for (int k = 0; k < CP_V_REASONS; k++) {
    assert_non_null(cp_vreason_name((cp_vreason)k));
    for (int j = 0; j < k; j++)
      assert_string_not_equal(cp_vreason_name((cp_vreason)k), cp_vreason_name((cp_vreason)j));
  }
  world_free(&w);
}

/* Every single-bit flip of a small bundle is refused: it does not decode,
 * or it verifies as not valid with a reason. */
static void every_bit_flip_refused(void **state) {
  world w;
  cp_vresult r;
  world_init(&w);
  const fx_witness *ws[] = {&w.w1};
  uint64_t ncs[] = {w.cred1, w.a1};
  fx_part p = {&w.nc, 0, ncs, 2, ws, 1, NOW - 60, NULL};
  assert_int_equal(fx_bundle_make(w.f, &p, 1, w.edu, "nonce-123", "Acme Academy"), 0);
  cp_vopts o = opts(&w);
  o.witnesses = 1;
  assert_int_equal(run(w.f->out, w.f->len, &o, &r), 0);
  assert_true(r.valid);
  cp_vresult_free(&r);
  size_t undecodable = 0, refused = 0;
  for (size_t bit = 0; bit < w.f->len * 8; bit++) {
    w.f->out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    int rc = run(w.f->out, w.f->len, &o, &r);
    if (rc != 0) {
      undecodable++;
    } else {
      if (r.valid) fail_msg("flipping bit %zu (byte %zu) left the bundle valid", bit, bit / 8);
      assert_int_not_equal(r.reason, CP_V_OK);
      assert_true(r.nproblems > 0);
      refused++;
      cp_vresult_free(&r);
    }
    w.f->out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  print_message("%zu bytes: %zu flips undecodable, %zu refused by the verifier\n", w.f->len,
                undecodable, refused);
  assert_int_equal(undecodable + refused, w.f->len * 8);
  world_free(&w);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(valid_bundle),
    cmocka_unit_test(wrong_challenge_and_audience),
    cmocka_unit_test(untrusted_issuer_and_endorser),
    cmocka_unit_test(too_few_witnesses),
    cmocka_unit_test(checkpoint_too_old),
    cmocka_unit_test(revoked_award),
    cmocka_unit_test(bad_entry_signature),
    cmocka_unit_test(rotation_followed),
    cmocka_unit_test(entry_after_retirement),
    cmocka_unit_test(not_in_the_log),
    cmocka_unit_test(parts_that_do_not_fit),
    cmocka_unit_test(fork_and_malformed),
    cmocka_unit_test(every_bit_flip_refused),
};

CP_TEST_MAIN(tests)
