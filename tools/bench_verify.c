/* credport CLI — the verifier's part of `credport bench proofs`: one
 * complete offline verification of a bundle, as `verify` does it (trust
 * file parsed, bundle decoded, every check), and the number of signatures
 * that verification had to check, for the ratio to their raw cost. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "credport/bundle_verify.h"

static size_t last_signatures;

/* The best of 10 timings of n raw Ed25519 verifications (libsodium, one
 * valid signature over 128 bytes), or -1. */
static double time_raw(size_t n) {
  cp_key *k = NULL;
  uint8_t seed[CP_SEED_BYTES], pk[CP_PK_BYTES], sig[CP_SIG_BYTES], msg[128];
  double best = -1;
  memset(seed, 7, sizeof seed);
  memset(msg, 1, sizeof msg);
  if (cp_key_from_seed(seed, &k) != CP_OK) return -1;
  cp_key_public(k, pk);
  cp_sig_sign_raw(k, msg, sizeof msg, sig);
  cp_key_free(k);
  for (int round = 0; round < 10; round++) {
    double t0 = cli_bench_now_s();
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += cp_sig_verify_raw(sig, msg, sizeof msg, pk) != CP_OK;
    double dt = cli_bench_now_s() - t0;
    if (bad != 0) return -1;
    if (best < 0 || dt < best) best = dt;
  }
  return best;
}

int cli_bench_verify_bundle(const uint8_t *bundle, size_t len, const char *trust, size_t trust_len,
                            const char *challenge, const char *audience, unsigned witnesses) {
  cp_trust *t = malloc(sizeof *t);
  cp_bundle b;
  cp_vresult r;
  cp_vopts o;
  int rc, decoded = 0;
  memset(&r, 0, sizeof r);
  if (t == NULL) return CP_ENOMEM;
  if ((rc = cp_trust_parse(trust, trust_len, t, NULL)) != CP_OK) goto out;
  if ((rc = cp_bundle_decode(bundle, len, &b, NULL)) != CP_OK) goto out;
  decoded = 1;
  memset(&o, 0, sizeof o);
  o.trust = t;
  o.challenge = challenge;
  o.challenge_len = strlen(challenge);
  o.audience = audience;
  o.audience_len = strlen(audience);
  o.now = (uint64_t)time(NULL);
  o.witnesses = witnesses;
  if ((rc = cp_bundle_verify(&b, &o, &r)) != CP_OK) goto out;
  /* Every entry, each log's checkpoint, its trusted cosignatures and its
   * statement, and the educator's signature over the bundle. */
  last_signatures = 1;
  for (size_t i = 0; i < b.nlogs; i++)
    last_signatures += b.logs[i].n + 1 + r.logs[i].witnesses + (b.logs[i].statement != NULL);
  rc = r.valid ? CP_OK : CP_EBADSIG;
out:
  cp_vresult_free(&r);
  if (decoded) cp_bundle_free(&b);
  free(t);
  return rc;
}

size_t cli_bench_verify_signatures(double *raw_s) {
  *raw_s = last_signatures > 0 ? time_raw(last_signatures) : -1;
  return last_signatures;
}
