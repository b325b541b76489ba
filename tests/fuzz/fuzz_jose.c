/*
 * libFuzzer target for what credport reads in JOSE and status-list form
 * (proto/statuslist.c, proto/vcjwt.c, proto/ob3_jwt.c, proto/vpjwt.c).
 *
 * The first input byte picks the reader, the rest is its input:
 *   'd'  an encodedList (cp_status_decode): anything accepted holds
 *        131,072 to 2^26 entries, a whole number of bytes, and encodes
 *        back to a text that decodes to the same bits;
 *   'l'  a status list file (cp_status_list_open, JSON or vc+jwt): anything
 *        accepted has a valid URL, at least 131,072 entries, and answers
 *        for its own entry at index 0 and refuses an index past its end;
 *   'c'  a credential file (cp_ob3_verify_any): refusals say why;
 *   'p'  a presentation (cp_vp_verify, challenge "n", audience "a"):
 *        refusals say why, an accepted one holds 1 to 64 credentials.
 * Every refusal must carry a message. Seeds: corpus/jose/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/ob3_jwt.h"
#include "credport/statuslist.h"

static void decode(const char *s, size_t n) {
  uint8_t *bits = NULL, *again = NULL;
  size_t nb = 0, nb2 = 0, len = 0;
  char *enc = NULL;
  cp_diag d = {{0}};
  if (cp_status_decode(s, n, &bits, &nb, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (nb * 8 < CP_STATUS_BITS_MIN || nb * 8 > CP_STATUS_BITS_MAX) abort();
  if (cp_status_encode(bits, nb, &enc, &len) != CP_OK) abort();
  if (cp_status_decode(enc, len, &again, &nb2, &d) != CP_OK || nb2 != nb ||
      memcmp(again, bits, nb) != 0)
    abort();
  free(again);
  free(enc);
  free(bits);
}

static void list(const char *s, size_t n) {
  cp_status_list l;
  cp_diag d = {{0}};
  json_t *e0, *far;
  int rev = -1;
  if (cp_status_list_open(s, n, &l, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (cp_status_url_ok(l.url) != CP_OK || l.nbytes * 8 < CP_STATUS_BITS_MIN) abort();
  e0 = cp_status_entry(l.url, 0);
  far = cp_status_entry(l.url, (uint64_t)l.nbytes * 8);
  if (cp_status_check(&l, e0, l.issuer, &rev, &d) != CP_OK || rev != (l.bits[0] >> 7)) abort();
  if (cp_status_check(&l, far, l.issuer, &rev, &d) != CP_ECORRUPT) abort();
  json_decref(e0);
  json_decref(far);
  cp_status_list_free(&l);
}

static void credential(const char *s, size_t n) {
  cp_ob3_verdict v;
  cp_diag d = {{0}};
  json_t *vc = NULL;
  int jwt = 0;
  if (cp_ob3_verify_any(s, n, &v, &vc, &jwt, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    if (vc != NULL) abort();
    return;
  }
  if (!json_is_object(vc)) abort();
  json_decref(vc);
}

static void presentation(const char *s, size_t n) {
  static cp_vp_result r;
  cp_diag d = {{0}};
  if (cp_vp_verify(s, n, "n", "a", &r, &d) != CP_OK) {
    if (d.msg[0] == 0 || r.vcs != NULL) abort();
    return;
  }
  if (r.n < 1 || r.n > CP_VP_CREDS_MAX || json_array_size(r.vcs) != r.n) abort();
  cp_vp_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int init;
  const char *s = (const char *)data + 1;
  if (!init) {
    if (cp_crypto_init() != 0) abort();
    init = 1;
  }
  if (size < 1) return 0;
  switch (data[0]) {
  case 'd': decode(s, size - 1); break;
  case 'l': list(s, size - 1); break;
  case 'c': credential(s, size - 1); break;
  case 'p': presentation(s, size - 1); break;
  default: break;
  }
  return 0;
}
