/*
 * libFuzzer target for the sync handshake (proto/handshake.c), both roles.
 *
 * The harness plays the other side from docs/PROTOCOL.md ("Handshake"),
 * and the input decides what it sends instead of the honest message:
 *   byte 0   bit 0: the engine is the initiator (else the responder);
 *   byte 1   bit 0: HS1/HS2 replaced by raw bytes from the input;
 *            bit 1: the identity inside the sealed HS2/HS3 (public key and
 *                   signature, 96 bytes) taken from the input, sealed with
 *                   the right key, so the engine's identity check is reached;
 *            bit 2: HS3 replaced by raw bytes (engine as responder);
 *            bit 3: the responder's ephemeral key taken from the input;
 *            bit 4: the engine's allowlist lacks the harness's key;
 *   then the bytes those options take, in that order (raw messages as u16
 *   big-endian length and bytes).
 * Invariants, abort() when one breaks: the engine completes the handshake
 * if and only if every message was the honest one and the harness's key is
 * allowed (and then its keys agree with the harness's: its first frame
 * opens under them); an allowlist refusal is CP_EDENIED; what the engine
 * sends is well formed and proves its own key with a valid signature.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/sync.h"

#define HS1_LEN 34U
#define HS2_LEN 145U
#define HS3_LEN 113U
#define ID_LEN 96U

static cp_key *k_eng, *k_har, *k_other;
static uint8_t pk_eng[32], pk_har[32], pk_other[32];
static const uint8_t zero_nonce[12];

static void setup(void) {
  static int done;
  uint8_t seed[32];
  if (done) return;
  done = 1;
  if (cp_crypto_init() != 0) abort();
  memset(seed, 1, sizeof seed);
  if (cp_key_from_seed(seed, &k_eng) != 0) abort();
  memset(seed, 2, sizeof seed);
  if (cp_key_from_seed(seed, &k_har) != 0) abort();
  memset(seed, 3, sizeof seed);
  if (cp_key_from_seed(seed, &k_other) != 0) abort();
  cp_key_public(k_eng, pk_eng);
  cp_key_public(k_har, pk_har);
  cp_key_public(k_other, pk_other);
}

typedef struct {
  const uint8_t *p;
  size_t n;
} input;

static int take(input *in, uint8_t *out, size_t n) {
  if (in->n < n) return -1;
  memcpy(out, in->p, n);
  in->p += n;
  in->n -= n;
  return 0;
}

/* A raw message from the input: u16 length, bytes (cut at the input's end). */
static size_t take_raw(input *in, uint8_t *out, size_t cap) {
  uint8_t l[2];
  if (take(in, l, 2) != 0) return 0;
  size_t n = (size_t)l[0] << 8 | l[1];
  if (n > in->n) n = in->n;
  if (n > cap) n = cap;
  (void)take(in, out, n);
  return n;
}

static void mix(uint8_t h[32], const uint8_t *p, size_t n) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_update(&st, p, n);
  crypto_generichash_final(&st, h, 32);
}

static void kdf(const uint8_t ck[32], const char *label, const uint8_t h[32], uint8_t out[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, ck, 32, 32);
  crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_final(&st, out, 32);
}

/* Our identity box plaintext: pk || sig(h || role || pk). */
static void identity(const uint8_t h[32], char role, uint8_t out[ID_LEN]) {
  uint8_t msg[65];
  memcpy(msg, h, 32);
  msg[32] = (uint8_t)role;
  memcpy(msg + 33, pk_har, 32);
  memcpy(out, pk_har, 32);
  cp_sig_sign(k_har, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, out + 32);
}

/* Opens the engine's identity box ct (ID_LEN + 16) and checks that it
 * proves the engine's key over h; aborts otherwise. */
static void check_engine_identity(const uint8_t *ct, const uint8_t h[32], const uint8_t k[32],
                                  char role) {
  uint8_t id[ID_LEN], msg[65];
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(id, NULL, ct, ID_LEN, ct + ID_LEN, h, 32,
                                                         zero_nonce, k) != 0)
    abort();
  if (memcmp(id, pk_eng, 32) != 0) abort();
  memcpy(msg, h, 32);
  msg[32] = (uint8_t)role;
  memcpy(msg + 33, pk_eng, 32);
  if (cp_sig_verify(CP_PURPOSE_HANDSHAKE, id + 32, msg, sizeof msg, pk_eng) != 0) abort();
}

static int feed(cp_sync *s, const uint8_t *p, size_t n) {
  size_t used = 0;
  int rc = cp_sync_feed(s, p, n, &used);
  return rc == CP_EAGAIN ? 0 : rc;
}

static int frame(cp_sync *s, const uint8_t *body, size_t n) {
  static uint8_t f[4 + 65536];
  f[0] = 0;
  f[1] = (uint8_t)(n >> 16);
  f[2] = (uint8_t)(n >> 8);
  f[3] = (uint8_t)n;
  memcpy(f + 4, body, n);
  return feed(s, f, 4 + n);
}

/* 1 if the engine reported the handshake done (taking its events, and
 * answering NEED_HEADS so that it sends its first ledger message). */
static int engine_done(cp_sync *s) {
  static const cp_sync_head none[1];
  cp_sync_event ev;
  int done = 0;
  while (cp_sync_next_event(s, &ev) == 0) {
    if (ev.type == CP_SYNC_EV_HANDSHAKE_DONE) {
      if (memcmp(ev.log, pk_har, 32) != 0) abort();
      done = 1;
    }
    if (ev.type == CP_SYNC_EV_NEED_HEADS && cp_sync_provide_heads(s, none, 0) != 0) abort();
  }
  return done;
}

/* The engine's first frame after the handshake opens under key k. */
static void check_first_frame(cp_sync *s, const uint8_t k[32]) {
  uint8_t nonce[12] = {0}, pt[64 * 1024];
  size_t n;
  const uint8_t *o = cp_sync_out(s, &n);
  if (n < 4 + 1 + 16) abort();
  size_t L = (size_t)o[1] << 16 | (size_t)o[2] << 8 | o[3];
  if (o[0] != 0 || L < 17 || L - 16 > sizeof pt || 4 + L > n) abort();
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(pt, NULL, o + 4, L - 16, o + 4 + L - 16,
                                                         o, 4, nonce, k) != 0)
    abort();
}

static void run(input *in, int engine_initiates, unsigned flags) {
  uint8_t h[32], ck[32], k[32], dh[32], e_pk[32], e_sk[32], raw[65536], body[HS2_LEN], id[ID_LEN];
  int honest = (flags & 16) == 0, rc;
  size_t n;
  cp_sync *s = NULL;
  const char *name = "credport/v1/sync";
  cp_sync_config cfg = {engine_initiates ? CP_SYNC_INITIATOR : CP_SYNC_RESPONDER, k_eng,
                        (flags & 16) ? pk_other : pk_har, 1, 16, 0, 0};
  if (cp_sync_create(&cfg, &s) != 0) abort();
  crypto_generichash(h, 32, (const uint8_t *)name, strlen(name), NULL, 0);
  crypto_box_keypair(e_pk, e_sk);
  if (engine_initiates) {
    const uint8_t *o = cp_sync_out(s, &n);
    if (n != 4 + HS1_LEN || o[3] != HS1_LEN || o[4] != 0x01 || o[5] != CP_SYNC_VERSION) abort();
    uint8_t hs1[HS1_LEN];
    memcpy(hs1, o + 4, HS1_LEN);
    cp_sync_out_ack(s, n);
    mix(h, hs1, HS1_LEN);
    if (flags & 1) {
      n = take_raw(in, raw, sizeof raw);
      rc = frame(s, raw, n);
      /* Raw bytes cannot hold a box sealed under a key derived from this
       * session's fresh ephemeral: the engine must not complete. */
      if (engine_done(s)) abort();
      goto out;
    }
    body[0] = 0x02;
    memcpy(body + 1, e_pk, 32);
    if ((flags & 8) && take(in, body + 1, 32) == 0 && memcmp(body + 1, e_pk, 32) != 0)
      honest = 0;
    mix(h, body, 33);
    if (crypto_scalarmult(dh, e_sk, hs1 + 2) != 0) abort(); /* the engine's key: never small order */
    crypto_generichash(ck, 32, h, 32, dh, 32);
    kdf(ck, "hs2", h, k);
    identity(h, 'R', id);
    if (flags & 2) {
      uint8_t mine[ID_LEN];
      memcpy(mine, id, ID_LEN);
      if (take(in, id, ID_LEN) == 0 && memcmp(mine, id, ID_LEN) != 0) honest = 0;
    }
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(body + 33, body + 33 + ID_LEN, NULL, id,
                                                        ID_LEN, h, 32, NULL, zero_nonce, k);
    mix(h, body + 33, ID_LEN + 16);
    rc = frame(s, body, HS2_LEN);
    int done = engine_done(s);
    if (done != honest) abort();
    if ((flags & 16) && rc != CP_EDENIED && (flags & 15) == 0) abort();
    if (!done) goto out;
    const uint8_t *o3 = cp_sync_out(s, &n);
    if (n < 4 + HS3_LEN || o3[3] != HS3_LEN || o3[4] != 0x03) abort();
    kdf(ck, "hs3", h, k);
    check_engine_identity(o3 + 5, h, k, 'I');
    mix(h, o3 + 5, ID_LEN + 16);
    cp_sync_out_ack(s, 4 + HS3_LEN);
    kdf(ck, "i2r", h, k);
    check_first_frame(s, k);
  } else {
    uint8_t hs1[HS1_LEN] = {0x01, CP_SYNC_VERSION};
    memcpy(hs1 + 2, e_pk, 32);
    if (flags & 1) {
      n = take_raw(in, raw, sizeof raw);
      (void)frame(s, raw, n);
      if (n != HS1_LEN || memcmp(raw, hs1, 2) != 0) {
        if (cp_sync_status(s) == 0 && n != 0) abort(); /* anything but HS1 is refused */
        goto out;
      }
      memcpy(hs1, raw, HS1_LEN);
      if (memcmp(hs1 + 2, e_pk, 32) != 0) {
        (void)engine_done(s);
        goto out; /* a foreign ephemeral: the harness cannot follow */
      }
    } else if (frame(s, hs1, HS1_LEN) != 0) {
      abort();
    }
    mix(h, hs1, HS1_LEN);
    const uint8_t *o = cp_sync_out(s, &n);
    if (n != 4 + HS2_LEN || o[3] != HS2_LEN || o[4] != 0x02) abort();
    const uint8_t *m = o + 4;
    mix(h, m, 33);
    if (crypto_scalarmult(dh, e_sk, m + 1) != 0) abort();
    crypto_generichash(ck, 32, h, 32, dh, 32);
    kdf(ck, "hs2", h, k);
    check_engine_identity(m + 33, h, k, 'R');
    mix(h, m + 33, ID_LEN + 16);
    cp_sync_out_ack(s, n);
    uint8_t hs3[HS3_LEN];
    hs3[0] = 0x03;
    kdf(ck, "hs3", h, k);
    identity(h, 'I', id);
    if (flags & 2) {
      uint8_t mine[ID_LEN];
      memcpy(mine, id, ID_LEN);
      if (take(in, id, ID_LEN) == 0 && memcmp(mine, id, ID_LEN) != 0) honest = 0;
    }
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(hs3 + 1, hs3 + 1 + ID_LEN, NULL, id,
                                                        ID_LEN, h, 32, NULL, zero_nonce, k);
    if (flags & 4) {
      n = take_raw(in, raw, sizeof raw);
      if (n != HS3_LEN || memcmp(raw, hs3, HS3_LEN) != 0) honest = 0;
      rc = frame(s, raw, n);
    } else {
      rc = frame(s, hs3, HS3_LEN);
    }
    int done = engine_done(s);
    if (done != honest) abort();
    if ((flags & 16) && (flags & 6) == 0 && rc != CP_EDENIED) abort();
    if (!done) goto out;
    mix(h, hs3 + 1, ID_LEN + 16);
    kdf(ck, "r2i", h, k);
    check_first_frame(s, k);
  }
out:
  (void)cp_sync_error(s);
  cp_sync_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  if (size < 2) return 0;
  input in = {data + 2, size - 2};
  run(&in, data[0] & 1, data[1]);
  return 0;
}
