/*
 * libFuzzer target for the revocation-status decoders (revstatus.h). The
 * first byte picks one: 'b' the binary absence proof (anything accepted
 * encodes back to exactly the input bytes, and the verifier runs on it
 * and refuses it against a root no tree has), 's' the signed statement (anything
 * accepted has a count not above its size and a signed part that ends
 * before the signature line), 'j' the JSON absence proof document (its
 * writer's output parses to the same document and is a fixed point).
 * Anything else is ignored; a broken invariant aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/revstatus.h"

static void binary(const uint8_t *data, size_t size) {
  static cp_absence_proof p;
  static uint8_t out[CP_ABSENCE_BIN_MAX];
  cp_diag d = {{0}};
  size_t len;
  if (cp_absence_decode(data, size, &p, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (cp_absence_encode(&p, out, sizeof out, &len) != CP_OK) abort();
  if (len != size || memcmp(out, data, size) != 0) abort();
  uint8_t id[CP_HASH_BYTES], root[CP_HASH_BYTES];
  memset(id, 0x80, sizeof id);
  memset(root, 0, sizeof root);
  /* No tree has the all-zero root (a SHA-256 preimage would be needed). */
  if (cp_rev_verify_absent(id, p.size, root, &p) == CP_OK) abort();
}

static void statement(const uint8_t *data, size_t size) {
  cp_revstat st;
  cp_diag d = {{0}};
  if (cp_revstat_parse((const char *)data, size, &st, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (st.count > st.size || st.signed_len >= size || data[st.signed_len - 1] != '\n') abort();
  if (memcmp(data + st.signed_len, "signature ", 10) != 0) abort();
}

static void json(const uint8_t *data, size_t size) {
  static cp_absence_doc a, b;
  cp_diag d = {{0}};
  char *j1 = NULL, *j2 = NULL;
  if (cp_absence_parse_json((const char *)data, size, &a, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (a.proof.nleaves > 2) abort();
  if ((j1 = cp_absence_to_json(&a)) == NULL) abort();
  if (cp_absence_parse_json(j1, strlen(j1), &b, &d) != CP_OK) abort();
  if (memcmp(&a, &b, sizeof a) != 0) abort();
  if ((j2 = cp_absence_to_json(&b)) == NULL || strcmp(j1, j2) != 0) abort();
  free(j1);
  free(j2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  switch (data[0]) {
  case 'b': binary(data + 1, size - 1); break;
  case 's': statement(data + 1, size - 1); break;
  case 'j': json(data + 1, size - 1); break;
  default: break;
  }
  return 0;
}
