/*
 * credport — the sync handshake (docs/PROTOCOL.md, "Handshake").
 *
 * Noise-XX-shaped, built from libsodium primitives: ephemeral X25519 in
 * both directions, each side's authority key proven by an Ed25519
 * signature (purpose CP_PURPOSE_HANDSHAKE) over the running transcript hash,
 * identities sent encrypted under the ephemeral key exchange.
 *
 *   HS1  I -> R   0x01 | version | e_i                            (34 bytes)
 *   HS2  R -> I   0x02 | e_r | AEAD(k2, h1, pk_r | sig_r)         (145 bytes)
 *   HS3  I -> R   0x03 | AEAD(k3, h2, pk_i | sig_i)               (113 bytes)
 *
 * H is BLAKE2b-256. h0 = H("credport/v1/sync"), h = H(h || data) for each
 * mixed item. ck = H_key(dh)(h1) with dh = X25519(e, e'); a key for label
 * is H_key(ck)(label || h). sig_r signs h1 || "R" || pk_r; sig_i signs
 * h2 || "I" || pk_i; both transcripts contain both ephemerals, so an old
 * handshake replayed to a new session fails. The allowlist is checked before
 * the signature, and both before any ledger message is parsed.
 */
#include <sodium.h>
#include <stdio.h>

#include "sync_internal.h"

#define HS1_LEN 34U
#define HS_ID_LEN (CP_PK_BYTES + CP_SIG_BYTES)
#define HS2_LEN (1U + 32U + HS_ID_LEN + SYNC_TAG)
#define HS3_LEN (1U + HS_ID_LEN + SYNC_TAG)

static const uint8_t zero_nonce[12];

/* NEVER (as SQLite's): a handshake message always fits the output queue,
 * which holds nothing else yet. Should it not, the session ends saying so
 * rather than going on without the message. */
#define HS_NO_ROOM(s, msg)                                                                        \
  cp__sync_fail((s), CP_ENOMEM, "%s: internal error: no room in the output queue (line %d)",    \
                (msg), __LINE__)

static void mix(cp_sync *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, s->h, 32);
  crypto_generichash_update(&st, a, alen);
  if (b != NULL) crypto_generichash_update(&st, b, blen);
  crypto_generichash_final(&st, s->h, 32);
}

static void kdf(const uint8_t ck[32], const char *label, const uint8_t h[32], uint8_t out[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, ck, 32, 32);
  crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_final(&st, out, 32);
}

/* ck from the ephemeral exchange; CP_EPROTO for a small-order peer key. */
static int derive_ck(cp_sync *s, const uint8_t peer_e[32]) {
  uint8_t dh[32];
  if (crypto_scalarmult(dh, s->e_sk, peer_e) != 0) return CP_EPROTO;
  crypto_generichash(s->ck, 32, s->h, 32, dh, 32);
  sodium_memzero(dh, sizeof dh);
  sodium_memzero(s->e_sk, sizeof s->e_sk);
  return 0;
}

static int allowed(const cp_sync *s, const uint8_t pk[CP_PK_BYTES]) {
  for (size_t i = 0; i < s->n_allow; i++)
    if (memcmp(s->allow[i], pk, CP_PK_BYTES) == 0) return 1;
  return 0;
}

/* Writes pk || sig(transcript || role || pk) for our key. */
static void identity(cp_sync *s, char role, uint8_t out[HS_ID_LEN]) {
  uint8_t msg[32 + 1 + CP_PK_BYTES];
  memcpy(msg, s->h, 32);
  msg[32] = (uint8_t)role;
  memcpy(msg + 33, s->pk, CP_PK_BYTES);
  memcpy(out, s->pk, CP_PK_BYTES);
  cp_sig_sign(s->key, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, out + CP_PK_BYTES);
}

/* Opens a peer's identity box and checks allowlist, then signature. */
static int check_identity(cp_sync *s, const char *name, char role, const uint8_t *ct,
                          const uint8_t key[32]) {
  uint8_t id[HS_ID_LEN], msg[32 + 1 + CP_PK_BYTES];
  char hex[17];
  /* SPEC: HS-3, then HS-4 before HS-5 */
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(id, NULL, ct, HS_ID_LEN, ct + HS_ID_LEN,
                                                         s->h, 32, zero_nonce, key) != 0)
    return cp__sync_fail(s, CP_EPROTO,
                         "%s: authentication failed (tampered, replayed or wrong session)", name);
  cp__sync_hexkey(id, hex);
  if (!allowed(s, id))
    return cp__sync_fail(s, CP_EDENIED, "%s: %s key %s... is not on the allowlist", name,
                         role == 'R' ? "responder" : "initiator", hex);
  memcpy(msg, s->h, 32);
  msg[32] = (uint8_t)role;
  memcpy(msg + 33, id, CP_PK_BYTES);
  if (cp_sig_verify(CP_PURPOSE_HANDSHAKE, id + CP_PK_BYTES, msg, sizeof msg, id) != 0)
    return cp__sync_fail(s, CP_EBADSIG, "%s: transcript signature by %s... does not verify",
                         name, hex);
  memcpy(s->peer, id, CP_PK_BYTES);
  return 0;
}

static void finish(cp_sync *s) {
  uint8_t i2r[32], r2i[32];
  kdf(s->ck, "i2r", s->h, i2r);
  kdf(s->ck, "r2i", s->h, r2i);
  memcpy(s->k_tx, s->role == CP_SYNC_INITIATOR ? i2r : r2i, 32);
  memcpy(s->k_rx, s->role == CP_SYNC_INITIATOR ? r2i : i2r, 32);
  sodium_memzero(i2r, sizeof i2r);
  sodium_memzero(r2i, sizeof r2i);
  cp__hs_wipe(s);
  s->hs = HS_DONE;
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_HANDSHAKE_DONE);
  memcpy(ev->log, s->peer, CP_PK_BYTES);
  s->need_heads_sent = 1;
  (void)cp__sync_ev_push(s, CP_SYNC_EV_NEED_HEADS);
}

void cp__hs_wipe(cp_sync *s) {
  sodium_memzero(s->e_sk, sizeof s->e_sk);
  sodium_memzero(s->ck, sizeof s->ck);
  sodium_memzero(s->h, sizeof s->h);
}

static void h_init(cp_sync *s) {
  static const char name[] = "credport/v1/sync";
  crypto_generichash(s->h, 32, (const uint8_t *)name, sizeof name - 1, NULL, 0);
}

int cp__hs_start(cp_sync *s) {
  h_init(s);
  crypto_box_keypair(s->e_pk, s->e_sk);
  if (s->role == CP_SYNC_RESPONDER) {
    s->hs = HS_R_WAIT1;
    return 0;
  }
  uint8_t *p = cp__frame_begin(s, HS1_LEN, 1);
  if (p == NULL) return HS_NO_ROOM(s, "HS1");
  p[0] = MSG_HS1;
  p[1] = CP_SYNC_VERSION;
  memcpy(p + 2, s->e_pk, 32);
  mix(s, p, HS1_LEN, NULL, 0);
  cp__frame_end(s, HS1_LEN);
  s->hs = HS_I_WAIT2;
  return 0;
}

/* SPEC: HS-1, HS-2 */
static int on_hs1(cp_sync *s, const uint8_t *m, size_t len) {
  if (len != HS1_LEN || m[0] != MSG_HS1)
    return cp__sync_fail(s, CP_EPROTO, "HS1: expected type 0x01 and %u bytes, got 0x%02x, %zu",
                         HS1_LEN, m[0], len);
  if (m[1] != CP_SYNC_VERSION)
    return cp__sync_fail(s, CP_EVERSION, "HS1: protocol version %u is not supported (want %u)",
                         m[1], CP_SYNC_VERSION);
  uint8_t *p = cp__frame_begin(s, HS2_LEN, 1);
  if (p == NULL) return HS_NO_ROOM(s, "HS2");
  mix(s, m, len, NULL, 0);
  p[0] = MSG_HS2;
  memcpy(p + 1, s->e_pk, 32);
  mix(s, p, 33, NULL, 0);
  if (derive_ck(s, m + 2) != 0)
    return cp__sync_fail(s, CP_EPROTO, "HS1: initiator ephemeral key is of small order");
  uint8_t k2[32];
  kdf(s->ck, "hs2", s->h, k2);
  identity(s, 'R', p + 33);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(p + 33, p + 33 + HS_ID_LEN, NULL, p + 33,
                                                      HS_ID_LEN, s->h, 32, NULL, zero_nonce, k2);
  sodium_memzero(k2, sizeof k2);
  mix(s, p + 33, HS_ID_LEN + SYNC_TAG, NULL, 0);
  cp__frame_end(s, HS2_LEN);
  s->hs = HS_R_WAIT3;
  return 0;
}

static int on_hs2(cp_sync *s, const uint8_t *m, size_t len) {
  if (len != HS2_LEN || m[0] != MSG_HS2)
    return cp__sync_fail(s, CP_EPROTO, "HS2: expected type 0x02 and %u bytes, got 0x%02x, %zu",
                         HS2_LEN, m[0], len);
  mix(s, m, 33, NULL, 0);
  if (derive_ck(s, m + 1) != 0)
    return cp__sync_fail(s, CP_EPROTO, "HS2: responder ephemeral key is of small order");
  uint8_t k[32];
  kdf(s->ck, "hs2", s->h, k);
  int rc = check_identity(s, "HS2", 'R', m + 33, k);
  if (rc != 0) return rc;
  uint8_t *p = cp__frame_begin(s, HS3_LEN, 1);
  if (p == NULL) return HS_NO_ROOM(s, "HS3");
  mix(s, m + 33, HS_ID_LEN + SYNC_TAG, NULL, 0);
  p[0] = MSG_HS3;
  kdf(s->ck, "hs3", s->h, k);
  identity(s, 'I', p + 1);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(p + 1, p + 1 + HS_ID_LEN, NULL, p + 1,
                                                      HS_ID_LEN, s->h, 32, NULL, zero_nonce, k);
  sodium_memzero(k, sizeof k);
  mix(s, p + 1, HS_ID_LEN + SYNC_TAG, NULL, 0);
  cp__frame_end(s, HS3_LEN);
  finish(s);
  return 0;
}

static int on_hs3(cp_sync *s, const uint8_t *m, size_t len) {
  if (len != HS3_LEN || m[0] != MSG_HS3)
    return cp__sync_fail(s, CP_EPROTO, "HS3: expected type 0x03 and %u bytes, got 0x%02x, %zu",
                         HS3_LEN, m[0], len);
  uint8_t k[32];
  kdf(s->ck, "hs3", s->h, k);
  int rc = check_identity(s, "HS3", 'I', m + 1, k);
  sodium_memzero(k, sizeof k);
  if (rc != 0) return rc;
  mix(s, m + 1, HS_ID_LEN + SYNC_TAG, NULL, 0);
  finish(s);
  return 0;
}

int cp__hs_recv(cp_sync *s, const uint8_t *msg, size_t len) {
  if (msg[0] == MSG_CLOSE) return cp__sync_dispatch(s, msg, len);
  switch (s->hs) {
  case HS_R_WAIT1: return on_hs1(s, msg, len);
  case HS_I_WAIT2: return on_hs2(s, msg, len);
  case HS_R_WAIT3: return on_hs3(s, msg, len);
  default: return cp__sync_fail(s, CP_EPROTO, "handshake: unexpected message 0x%02x", msg[0]);
  }
}
