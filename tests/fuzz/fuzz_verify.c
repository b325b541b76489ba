/*
 * libFuzzer target for the offline verifier's inputs. The first byte picks
 * one: 't' a trust file (anything accepted lists each key once, issuer keys
 * of type 0x01 and witness keys of type 0x04, within the limits; every key
 * formats back to a verifier key that parses to the same key), 'd' a
 * duration (anything accepted is 1 s .. CP_DURATION_MAX_S, and written in
 * seconds it parses to the same value), 'v' a bundle, decoded and verified
 * against an empty trust file (a bundle that decodes is never valid: its
 * issuers are untrusted). Anything else is ignored; a broken invariant
 * aborts.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle_verify.h"
#include "credport/trust.h"

static int same_key(const cp_note_verifier *a, const cp_note_verifier *b) {
  return strcmp(a->name, b->name) == 0 && a->alg == b->alg && a->key_id == b->key_id &&
         memcmp(a->pk, b->pk, CP_PK_BYTES) == 0;
}

static void check_list(const cp_note_verifier *v, size_t n, size_t max, uint8_t alg) {
  if (n > max) abort();
  for (size_t i = 0; i < n; i++) {
    char vk[CP_VKEY_MAX];
    cp_note_verifier back;
    if (v[i].alg != alg) abort();
    if (cp_note_vkey_format(v[i].name, v[i].alg, v[i].pk, vk) != CP_OK) abort();
    if (cp_note_vkey_parse(vk, strlen(vk), &back, NULL) != CP_OK || !same_key(&back, &v[i]))
      abort();
    for (size_t j = 0; j < i; j++)
      if (memcmp(v[i].pk, v[j].pk, CP_PK_BYTES) == 0) abort();
  }
}

static void trust(const uint8_t *data, size_t size) {
  static cp_trust t;
  cp_diag d = {{0}};
  if (cp_trust_parse((const char *)data, size, &t, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  check_list(t.issuers, t.n_issuers, CP_TRUST_ISSUERS_MAX, CP_NOTE_ALG_ED25519);
  check_list(t.witnesses, t.n_witnesses, CP_WITNESS_TRUST_MAX, CP_NOTE_ALG_COSIG_V1);
}

static void duration(const uint8_t *data, size_t size) {
  char s[64], back[32];
  uint64_t v, w;
  if (size >= sizeof s) return;
  memcpy(s, data, size);
  s[size] = 0;
  if (cp_duration_parse(s, &v) != CP_OK) return;
  if (v == 0 || v > CP_DURATION_MAX_S) abort();
  snprintf(back, sizeof back, "%" PRIu64 "s", v);
  if (cp_duration_parse(back, &w) != CP_OK || w != v) abort();
}

static void verify(const uint8_t *data, size_t size) {
  static cp_trust empty;
  cp_bundle b;
  cp_vresult r;
  cp_vopts o;
  cp_diag d = {{0}};
  if (cp_bundle_decode(data, size, &b, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  memset(&o, 0, sizeof o);
  o.trust = &empty;
  o.challenge = "fuzz";
  o.challenge_len = 4;
  o.now = 1700000000;
  if (cp_bundle_verify(&b, &o, &r) == CP_OK && (r.valid || r.nproblems == 0)) abort();
  cp_vresult_free(&r);
  cp_bundle_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  switch (data[0]) {
  case 't': trust(data + 1, size - 1); break;
  case 'd': duration(data + 1, size - 1); break;
  case 'v': verify(data + 1, size - 1); break;
  default: break;
  }
  return 0;
}
