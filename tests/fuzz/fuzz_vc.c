/*
 * libFuzzer target for the Open Badges 3.0 credential verifier
 * (cp_ob3_verify_json, ob3.h) and the JCS canonicaliser under it (jcs.h).
 * Invariants: a refusal always says why; an accepted credential is still
 * accepted once re-serialised compactly (the proof covers the JSON data,
 * not its layout); and for any input jansson parses, JCS is a fixed point:
 * canonicalising the parse of a canonical text gives the same text.
 * A broken invariant aborts.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/jcs.h"
#include "credport/ob3.h"

static void jcs_fixed_point(const uint8_t *data, size_t size) {
  json_error_t err;
  json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err), *w;
  char *a = NULL, *b = NULL;
  size_t an = 0, bn = 0;
  cp_diag d = {{0}};
  if (v == NULL) return;
  if (cp_jcs_encode(v, &a, &an, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    json_decref(v);
    return;
  }
  /* Re-read every number as a double, as ECMAScript would: jansson's
   * integers stop at 2^63, and a canonical text may hold up to 21 digits. */
  w = json_loadb(a, an, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
  if (w == NULL) abort();
  if (cp_jcs_encode(w, &b, &bn, &d) != CP_OK) abort();
  if (an != bn || memcmp(a, b, an) != 0) abort();
  free(a);
  free(b);
  json_decref(v);
  json_decref(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cp_ob3_verdict v;
  cp_diag d = {{0}};
  int rc = cp_ob3_verify_json((const char *)data, size, &v, &d);
  if (rc != CP_OK && d.msg[0] == 0) abort();
  if (rc == CP_OK) {
    json_error_t err;
    json_t *vc = json_loadb((const char *)data, size, 0, &err);
    char *t;
    if (vc == NULL) abort();
    t = json_dumps(vc, JSON_COMPACT);
    if (t == NULL || cp_ob3_verify_json(t, strlen(t), &v, &d) != CP_OK) abort();
    free(t);
    json_decref(vc);
  }
  if (size <= 64 * 1024) jcs_fixed_point(data, size);
  return 0;
}
