/*
 * libFuzzer target for the sync engine (docs/PROTOCOL.md).
 *
 * The first input byte b picks the engine's role (responder if b / 3 is
 * even, else initiator) and the mode (b % 3):
 *   0  the rest is raw bytes fed to a fresh engine (handshake parsers);
 *   1  a handshake is completed with the other side built here from the
 *      spec, then the rest is a list of messages (u16 big-endian length,
 *      bytes), each sealed into a valid frame, so every message parser is
 *      reached in either role's state machine;
 *   2  a handshake is completed, then the rest is raw bytes (framing, AEAD).
 * The engine acts as a small ledger: it gives heads, answers requests with
 * nothing, and commits what it receives. Invariants (abort() when broken):
 * what sync.h promises of events and of the output queue, and that an
 * error poisons the session for good.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credport/revstatus.h"
#include "credport/sync.h"

static cp_key *k_init, *k_resp;
static uint8_t pk_init[32], pk_resp[32];
static cp_sync_head heads[40];

static void setup(void) {
  static int done;
  if (done) return;
  done = 1;
  uint8_t seed[32];
  if (cp_crypto_init() != 0) abort();
  memset(seed, 1, sizeof seed);
  if (cp_key_from_seed(seed, &k_init) != 0) abort();
  memset(seed, 2, sizeof seed);
  if (cp_key_from_seed(seed, &k_resp) != 0) abort();
  cp_key_public(k_init, pk_init);
  cp_key_public(k_resp, pk_resp);
  /* Heads spread over the key space, so fuzzed ranges find some. */
  for (unsigned i = 0; i < 40; i++) {
    memset(heads[i].log, 0, 32);
    heads[i].log[0] = (uint8_t)(i * 6 + 1);
    heads[i].log[1] = (uint8_t)i;
    heads[i].size = i % 5;
    memset(heads[i].head, (int)i, 32);
  }
}

/* The output queue's bound (sync.h, cp_sync_out). */
#define OUT_MAX (CP_FRAME_MAX + CP_SYNC_RECON_MAX + 64u * 1024)

/* What sync.h promises of every event; aborts if one breaks it. */
static void check_event(const cp_sync_event *ev) {
  switch (ev->type) {
  case CP_SYNC_EV_ENTRIES: {
    uint64_t sum = 0;
    if (ev->count == 0 || ev->count > CP_SYNC_BATCH_MAX || ev->bytes > CP_SYNC_BATCH_BYTES) abort();
    for (uint32_t i = 0; i < ev->count; i++) {
      if (ev->items[i].len < CP_SYNC_ENTRY_MIN || ev->items[i].len > CP_ENTRY_MAX) abort();
      if (memcmp(ev->items[i].p + 2, ev->log, 32) != 0) abort();
      uint64_t seq = 0;
      for (int b = 0; b < 8; b++) seq = seq << 8 | ev->items[i].p[34 + b];
      if (seq != ev->seq + i) abort();
      sum += ev->items[i].len;
    }
    if (sum != ev->bytes) abort();
    break;
  }
  case CP_SYNC_EV_CHECKPOINT:
    if (ev->items[0].len > CP_NOTE_MAX) abort();
    break;
  case CP_SYNC_EV_REVSTAT:
    if (ev->items[0].len == 0 || ev->items[0].len > CP_REVSTAT_MAX || ev->bytes != ev->items[0].len)
      abort();
    break;
  case CP_SYNC_EV_FORK_PROOF:
    if (ev->items[0].len == ev->items[1].len &&
        memcmp(ev->items[0].p, ev->items[1].p, ev->items[0].len) == 0)
      abort();
    for (int i = 0; i < 2; i++)
      if (ev->items[i].len < CP_SYNC_ENTRY_MIN || memcmp(ev->items[i].p + 2, ev->log, 32) != 0)
        abort();
    break;
  case CP_SYNC_EV_PEER_ERROR:
    if (ev->items[0].len > CP_SYNC_REASON_MAX) abort();
    break;
  default: break;
  }
}

static void drain(cp_sync *s) {
  cp_sync_event ev;
  size_t n;
  int rc = 0;
  (void)cp_sync_out(s, &n);
  if (n > OUT_MAX) abort();
  cp_sync_out_ack(s, n);
  while (cp_sync_next_event(s, &ev) == 0) {
    check_event(&ev);
    switch (ev.type) {
    case CP_SYNC_EV_NEED_HEADS: rc = cp_sync_provide_heads(s, heads, 40); break;
    case CP_SYNC_EV_WANT_ENTRIES: rc = cp_sync_provide_entries(s, ev.log, ev.seq, NULL, 0, 1); break;
    case CP_SYNC_EV_ENTRIES: rc = cp_sync_entries_committed(s, ev.count, ev.bytes); break;
    default: break;
    }
    (void)rc;
    (void)cp_sync_out(s, &n);
    if (n > OUT_MAX) abort();
    cp_sync_out_ack(s, n);
  }
}

/* Feeds everything; an error poisons the session for good (as sync.h says):
 * the same code from then on, and nothing more consumed. */
static int feed(cp_sync *s, const uint8_t *p, size_t n) {
  size_t off = 0;
  while (off < n) {
    size_t used = 0;
    int rc = cp_sync_feed(s, p + off, n - off, &used);
    off += used;
    drain(s);
    if (rc != 0 && rc != CP_EAGAIN) {
      if (cp_sync_status(s) != rc) abort();
      if (off < n && (cp_sync_feed(s, p + off, n - off, &used) != rc || used != 0)) abort();
      return rc;
    }
  }
  return 0;
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

/* Runs the initiator's half against s; returns 0 and the i2r key. */
static int handshake(cp_sync *s, uint8_t k_tx[32]) {
  static const uint8_t zero[12];
  uint8_t h[32], e_pk[32], e_sk[32], dh[32], ck[32], k3[32], msg[65];
  uint8_t f1[4 + 34] = {0, 0, 0, 34, 0x01, CP_SYNC_VERSION};
  uint8_t f3[4 + 113] = {0, 0, 0, 113, 0x03};
  const char *name = "credport/v1/sync";
  crypto_generichash(h, 32, (const uint8_t *)name, strlen(name), NULL, 0);
  crypto_box_keypair(e_pk, e_sk);
  memcpy(f1 + 6, e_pk, 32);
  mix(h, f1 + 4, 34);
  size_t used, n;
  if (cp_sync_feed(s, f1, sizeof f1, &used) != 0) return -1;
  const uint8_t *o = cp_sync_out(s, &n);
  if (n != 4 + 145) return -1;
  const uint8_t *m = o + 4;
  mix(h, m, 33);
  if (crypto_scalarmult(dh, e_sk, m + 1) != 0) return -1;
  crypto_generichash(ck, 32, h, 32, dh, 32);
  mix(h, m + 33, 112);
  cp_sync_out_ack(s, n);
  kdf(ck, "hs3", h, k3);
  memcpy(msg, h, 32);
  msg[32] = 'I';
  memcpy(msg + 33, pk_init, 32);
  memcpy(f3 + 5, pk_init, 32);
  cp_sig_sign(k_init, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, f3 + 37);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(f3 + 5, f3 + 101, NULL, f3 + 5, 96, h, 32,
                                                      NULL, zero, k3);
  mix(h, f3 + 5, 112);
  if (feed(s, f3, sizeof f3) != 0) return -1;
  kdf(ck, "i2r", h, k_tx);
  return 0;
}

/* Runs the responder's half against an initiator s; returns 0 and the r2i
 * key (what this side sends with). */
static int handshake_as_responder(cp_sync *s, uint8_t k_tx[32]) {
  static const uint8_t zero[12];
  uint8_t h[32], e_pk[32], e_sk[32], dh[32], ck[32], k2[32], msg[65], id[96];
  uint8_t f2[4 + 145] = {0, 0, 0, 145, 0x02};
  const char *name = "credport/v1/sync";
  size_t n, used;
  crypto_generichash(h, 32, (const uint8_t *)name, strlen(name), NULL, 0);
  const uint8_t *o = cp_sync_out(s, &n);
  if (n != 4 + 34) return -1;
  uint8_t hs1[34];
  memcpy(hs1, o + 4, 34);
  cp_sync_out_ack(s, n);
  mix(h, hs1, 34);
  crypto_box_keypair(e_pk, e_sk);
  memcpy(f2 + 5, e_pk, 32);
  mix(h, f2 + 4, 33);
  if (crypto_scalarmult(dh, e_sk, hs1 + 2) != 0) return -1;
  crypto_generichash(ck, 32, h, 32, dh, 32);
  kdf(ck, "hs2", h, k2);
  memcpy(msg, h, 32);
  msg[32] = 'R';
  memcpy(msg + 33, pk_resp, 32);
  memcpy(id, pk_resp, 32);
  cp_sig_sign(k_resp, CP_PURPOSE_HANDSHAKE, msg, sizeof msg, id + 32);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(f2 + 37, f2 + 37 + 96, NULL, id, 96, h, 32,
                                                      NULL, zero, k2);
  mix(h, f2 + 37, 112);
  if (cp_sync_feed(s, f2, sizeof f2, &used) != 0 || used != sizeof f2) return -1;
  o = cp_sync_out(s, &n);
  if (n < 4 + 113 || o[4] != 0x03) return -1;
  mix(h, o + 5, 112);
  cp_sync_out_ack(s, 4 + 113);
  drain(s);
  kdf(ck, "r2i", h, k_tx);
  return 0;
}

static uint8_t frame[4 + 65536 + 16];

static int send_msg(cp_sync *s, const uint8_t k[32], uint64_t ctr, const uint8_t *p, size_t n) {
  uint8_t nonce[12] = {0};
  for (int i = 0; i < 8; i++) nonce[4 + i] = (uint8_t)(ctr >> (56 - 8 * i));
  size_t L = n + 16;
  frame[0] = 0;
  frame[1] = (uint8_t)(L >> 16);
  frame[2] = (uint8_t)(L >> 8);
  frame[3] = (uint8_t)L;
  memcpy(frame + 4, p, n);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(frame + 4, frame + 4 + n, NULL, frame + 4, n,
                                                      frame, 4, NULL, nonce, k);
  return feed(s, frame, 4 + L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  if (size < 1) return 0;
  cp_sync *s = NULL;
  int mode = data[0] % 3, initiator = (data[0] / 3) % 2;
  cp_sync_config cfg = {CP_SYNC_RESPONDER, k_resp, pk_init, 1, 16, 0, 0};
  if (initiator) {
    cfg.role = CP_SYNC_INITIATOR;
    cfg.key = k_init;
    cfg.allow = pk_resp;
  }
  if (cp_sync_create(&cfg, &s) != 0) abort();
  data++;
  size--;
  uint8_t k[32];
  if (mode == 0) {
    (void)feed(s, data, size);
  } else {
    /* The handshake is built here from valid keys: if the engine refuses
     * it, this harness no longer matches the protocol and modes 1 and 2
     * would test nothing. */
    if ((initiator ? handshake_as_responder(s, k) : handshake(s, k)) != 0) abort();
    (void)cp_sync_tick(s, 1);
    if (mode == 2) {
      (void)feed(s, data, size);
    } else {
      uint64_t ctr = 0;
      while (size >= 2 && cp_sync_status(s) == 0) {
        size_t n = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (n > size) n = size;
        if (n == 0) continue;
        (void)send_msg(s, k, ctr++, data, n);
        data += n;
        size -= n;
      }
    }
    (void)cp_sync_tick(s, 2 + CP_SYNC_IDLE_MS);
  }
  (void)cp_sync_error(s);
  cp_sync_free(s);
  return 0;
}
