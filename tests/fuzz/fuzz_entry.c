/*
 * libFuzzer target for the entry decoder. Whatever decodes must re-encode
 * to exactly the input bytes (the encoding is canonical, and the encoder
 * accepts everything the decoder accepts); anything else aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[CP_ENTRY_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cp_entry e;
  cp_diag d;
  if (cp_entry_decode(data, size, &e, &d) != CP_OK) return 0;
  size_t n;
  if (cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d) != CP_OK) abort();
  if (n + CP_SIG_BYTES != size || memcmp(out, data, n) != 0) abort();
  if (memcmp(e.sig, data + n, CP_SIG_BYTES) != 0) abort();
  return 0;
}
