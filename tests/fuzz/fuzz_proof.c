/*
 * libFuzzer target for proof JSON (cp_proof_parse_json). Anything accepted
 * must write out (cp_proof_to_json) to a text that parses to the same
 * proof, and writing that again gives the same text: the writer's output
 * is a fixed point. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static cp_proof a, b;
  cp_diag d = {{0}};
  char *j1 = NULL, *j2 = NULL;
  if (cp_proof_parse_json((const char *)data, size, &a, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return 0;
  }
  if (a.kind != CP_PROOF_INCLUSION && a.kind != CP_PROOF_CONSISTENCY) abort();
  if (a.n > CP_PROOF_HASHES_MAX) abort();
  if ((j1 = cp_proof_to_json(&a)) == NULL) abort();
  if (cp_proof_parse_json(j1, strlen(j1), &b, &d) != CP_OK) abort();
  if (memcmp(&a, &b, sizeof a) != 0) abort();
  if ((j2 = cp_proof_to_json(&b)) == NULL || strcmp(j1, j2) != 0) abort();
  free(j1);
  free(j2);
  return 0;
}
