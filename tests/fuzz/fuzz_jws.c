/*
 * libFuzzer target for compact JWS (crypto/jws.c).
 *
 * The input is the JWS text. Anything accepted must hold what it claims:
 * the signing input is the text up to the second dot, the payload part
 * re-encodes to exactly the text between the dots, typ/kid/cty/iss are
 * within their bounds, a refusal always says why. The accepted payload is
 * then signed again with a fixed key (with the header's typ and kid) and
 * must open to the same payload, typ and kid, verify under that key and
 * under no other. The payload's JSON is parsed too (accepted or refused
 * with a reason, never a crash).
 * Seeds (corpus/jws/): RFC 8037 A.4, signed credentials and hostile headers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/jws.h"

static cp_key *k_fix;
static uint8_t pk_fix[CP_PK_BYTES], pk_other[CP_PK_BYTES];

static void setup(void) {
  static int done;
  uint8_t seed[CP_SEED_BYTES];
  if (done) return;
  done = 1;
  if (cp_crypto_init() != 0) abort();
  memset(seed, 0x4a, sizeof seed);
  if (cp_key_from_seed(seed, &k_fix) != 0) abort();
  cp_key_public(k_fix, pk_fix);
  memcpy(pk_other, pk_fix, sizeof pk_other);
  pk_other[5] ^= 0x40;
}

static void resign(const cp_jws *j) {
  char *out = NULL;
  size_t len = 0;
  cp_jws j2;
  cp_diag d = {{0}};
  if (cp_jws_sign(k_fix, j->typ[0] ? j->typ : NULL, j->kid[0] ? j->kid : NULL, j->payload,
                  j->payload_len, &out, &len) != CP_OK)
    abort();
  if (cp_jws_open(out, len, &j2, &d) != CP_OK) abort();
  if (j2.payload_len != j->payload_len || memcmp(j2.payload, j->payload, j->payload_len) != 0 ||
      strcmp(j2.typ, j->typ) != 0 || strcmp(j2.kid, j->kid) != 0)
    abort();
  if (cp_jws_verify(&j2, pk_fix, &d) != CP_OK) abort();
  if (cp_jws_verify(&j2, pk_other, &d) == CP_OK) abort();
  cp_jws_free(&j2);
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data, *dot1, *dot2;
  cp_jws j;
  cp_diag d = {{0}};
  json_t *v = NULL;
  char *enc;
  setup();
  if (cp_jws_open(text, size, &j, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return 0;
  }
  dot1 = memchr(text, '.', size);
  dot2 = memchr(dot1 + 1, '.', size - (size_t)(dot1 + 1 - text));
  if (j.signing_len != (size_t)(dot2 - text) || memcmp(j.signing_input, text, j.signing_len) != 0)
    abort();
  if (strlen(j.typ) > CP_JWS_TYP_MAX || strlen(j.kid) > CP_JWS_KID_MAX ||
      strlen(j.cty) > CP_JWS_TYP_MAX || strlen(j.iss) > CP_JWS_KID_MAX)
    abort();
  enc = malloc(CP_B64URL_LEN(j.payload_len) + 1);
  if (enc == NULL) abort();
  cp_b64url_encode(j.payload, j.payload_len, enc);
  if (strlen(enc) != (size_t)(dot2 - dot1 - 1) || memcmp(enc, dot1 + 1, strlen(enc)) != 0) abort();
  free(enc);
  if (cp_jws_verify(&j, pk_fix, &d) == CP_OK && j.has_jwk && memcmp(j.jwk_x, pk_fix, 32) != 0)
    abort();
  d.msg[0] = 0;
  if (cp_jws_payload_json(&j, &v, &d) == CP_OK) {
    if (!json_is_object(v)) abort();
    json_decref(v);
  } else if (d.msg[0] == 0) {
    abort();
  }
  resign(&j);
  cp_jws_free(&j);
  return 0;
}
