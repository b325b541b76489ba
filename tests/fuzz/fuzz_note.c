/*
 * libFuzzer target for signed notes and checkpoints (crypto/note.c).
 *
 * The first input byte picks the mode:
 *   0  the rest is a signed note, opened with a fixed log key and witness
 *      key. Anything accepted must hold what it claims: a log signature
 *      verified, the counts add up, the checkpoint re-encodes to the
 *      signed body (when it has no extension lines), opening it again
 *      gives the same result, and another expected origin is refused.
 *   1  the rest is a verifier key string: anything accepted re-formats
 *      to a string that parses to the same verifier, with a matching id.
 *   2  the rest is u64 size, 32-byte root, origin: a checkpoint signed by
 *      the log key and cosigned by the witness at a time taken from the
 *      root must open to exactly those values.
 * Seeds (corpus/note/) are notes signed by the same keys (gen_corpus).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/note.h"

#define LOG_NAME "fuzz.example/log"
#define WIT_NAME "fuzz.example/witness"

static cp_key *k_log, *k_wit;
static cp_note_verifier vs[2];

static void setup(void) {
  static int done;
  uint8_t seed[CP_SEED_BYTES];
  if (done) return;
  done = 1;
  if (cp_crypto_init() != 0) abort();
  /* The seeds gen_corpus signs with. */
  memset(seed, 0x4c, sizeof seed);
  if (cp_key_from_seed(seed, &k_log) != 0) abort();
  memset(seed, 0x57, sizeof seed);
  if (cp_key_from_seed(seed, &k_wit) != 0) abort();
  memcpy(vs[0].name, LOG_NAME, sizeof LOG_NAME);
  vs[0].alg = CP_NOTE_ALG_ED25519;
  cp_key_public(k_log, vs[0].pk);
  vs[0].key_id = cp_note_key_id(vs[0].name, vs[0].alg, vs[0].pk);
  memcpy(vs[1].name, WIT_NAME, sizeof WIT_NAME);
  vs[1].alg = CP_NOTE_ALG_COSIG_V1;
  cp_key_public(k_wit, vs[1].pk);
  vs[1].key_id = cp_note_key_id(vs[1].name, vs[1].alg, vs[1].pk);
}

static void open_note(const char *text, size_t len) {
  static cp_note_result r, r2;
  static char body[CP_NOTE_MAX + 1];
  cp_diag d = {{0}};
  size_t blen;
  if (cp_note_open_checkpoint(text, len, vs, 2, NULL, &r, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (r.verified_log < 1 || r.verified != r.verified_log + r.cosigned || r.cosigned > 1 ||
      r.verified_log > 1)
    abort();
  {
    /* The origin, size and root came from the signed text. */
    if (cp_checkpoint_body(r.cp.origin, r.cp.size, r.cp.root, body, sizeof body, &blen) != CP_OK)
      abort();
    if (blen > len || memcmp(body, text, blen) != 0) abort();
    if (r.cp.extension_lines == 0 && (blen >= len || text[blen] != '\n')) abort();
  }
  if (cp_note_open_checkpoint(text, len, vs, 2, r.cp.origin, &r2, &d) != CP_OK) abort();
  if (memcmp(&r, &r2, sizeof r) != 0) abort();
  if (cp_note_open_checkpoint(text, len, vs, 2, "fuzz.example/other", &r2, &d) != CP_EDENIED)
    abort();
}

static void vkey(const char *s, size_t len) {
  cp_note_verifier v, v2;
  char out[CP_VKEY_MAX];
  cp_diag d = {{0}};
  memset(&v, 0, sizeof v);
  memset(&v2, 0, sizeof v2);
  if (cp_note_vkey_parse(s, len, &v, &d) != CP_OK) {
    if (d.msg[0] == 0) abort();
    return;
  }
  if (v.key_id != cp_note_key_id(v.name, v.alg, v.pk)) abort();
  if (cp_note_vkey_format(v.name, v.alg, v.pk, out) != CP_OK) abort();
  if (cp_note_vkey_parse(out, strlen(out), &v2, &d) != CP_OK) abort();
  if (memcmp(&v, &v2, sizeof v) != 0) abort();
}

static void sign_open(const uint8_t *p, size_t n) {
  static char note[CP_NOTE_MAX + 1];
  char origin[CP_ORIGIN_MAX + 1];
  uint8_t root[CP_HASH_BYTES];
  uint64_t size = 0, ts = 0;
  size_t len;
  cp_note_result r;
  cp_diag d = {{0}};
  if (n < 8 + CP_HASH_BYTES || n - 8 - CP_HASH_BYTES > CP_ORIGIN_MAX) return;
  for (int i = 0; i < 8; i++) size = size << 8 | p[i];
  memcpy(root, p + 8, CP_HASH_BYTES);
  for (int i = 0; i < 8; i++) ts = ts << 8 | root[i];
  ts &= (uint64_t)INT64_MAX;
  len = n - 8 - CP_HASH_BYTES;
  memcpy(origin, p + 8 + CP_HASH_BYTES, len);
  origin[len] = 0;
  if (strlen(origin) != len) return;
  /* The signer uses the origin as its key name: give the verifier that name. */
  cp_note_verifier v[2];
  memcpy(v, vs, sizeof v);
  if (cp_checkpoint_sign(k_log, origin, size, root, note, sizeof note, &len) != CP_OK) return;
  memcpy(v[0].name, origin, strlen(origin) + 1);
  v[0].key_id = cp_note_key_id(v[0].name, v[0].alg, v[0].pk);
  int rc = cp_note_open_checkpoint(note, len, v, 2, origin, &r, &d);
  if (rc != CP_OK) {
    /* Only the empty tree's root is fixed: any other root at size 0 is
     * refused by the reader, and must be the only refusal. */
    if (size == 0 && rc == CP_ECORRUPT) return;
    abort();
  }
  if (r.cp.size != size || memcmp(r.cp.root, root, CP_HASH_BYTES) != 0 ||
      strcmp(r.cp.origin, origin) != 0 || r.verified_log != 1 || r.cosigned != 0 ||
      r.cp.extension_lines != 0)
    abort();
  if (cp_note_cosign(k_wit, WIT_NAME, ts, note, len, note, sizeof note, &len) != CP_OK) abort();
  if (cp_note_open_checkpoint(note, len, v, 2, origin, &r, &d) != CP_OK) abort();
  if (r.cosigned != 1 || r.cosig_time[0] != ts || r.verified != 2) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  if (size < 1) return 0;
  switch (data[0] % 3) {
  case 0: open_note((const char *)data + 1, size - 1); break;
  case 1: vkey((const char *)data + 1, size - 1); break;
  default: sign_open(data + 1, size - 1); break;
  }
  return 0;
}
