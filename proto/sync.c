/*
 * credport — sync engine: session lifetime, byte pumps, events, errors.
 * The protocol is in docs/PROTOCOL.md; the API contract in
 * include/credport/sync.h.
 */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "credport/codec.h"
#include "sync_internal.h"

#define DEFAULT_CREDIT_E 1024U
#define DEFAULT_CREDIT_B (4u << 20)

void cp__sync_hexkey(const uint8_t k[CP_PK_BYTES], char out[17]) { cp_hex_encode(k, 8, out); }

/* SPEC: X-1 */
int cp__sync_fail(cp_sync *s, int err, const char *fmt, ...) {
  if (s->err != 0) return s->err;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  /* Tell the peer why. The CLOSE may use the room reserved for a batch. */
  (void)cp__frame_send_close(s, err, s->errmsg);
  s->err = err;
  cp__hs_wipe(s);
  return err;
}

cp_sync_event *cp__sync_ev_push(cp_sync *s, cp_sync_ev_type type) {
  /* Callers only raise events after checking there is room (feed keeps 4
   * slots free per frame; the pump raises at most one per kind). */
  cp_sync_event *ev = &s->evq[(s->ev_head + s->ev_n) % SYNC_EVQ];
  s->ev_n++;
  memset(ev, 0, sizeof *ev);
  ev->type = type;
  if (type == CP_SYNC_EV_ENTRIES || type == CP_SYNC_EV_CHECKPOINT ||
      type == CP_SYNC_EV_FORK_PROOF || type == CP_SYNC_EV_PEER_ERROR ||
      type == CP_SYNC_EV_CHECKPOINT_FORK || type == CP_SYNC_EV_REVSTAT) {
    ev->items = s->items;
    s->hold = HOLD_QUEUED;
  }
  return ev;
}

int cp_sync_create(const cp_sync_config *cfg, cp_sync **out) {
  *out = NULL;
  if (cfg->key == NULL || (cfg->role != CP_SYNC_INITIATOR && cfg->role != CP_SYNC_RESPONDER) ||
      cfg->n_allow > CP_SYNC_ALLOW_MAX || (cfg->n_allow > 0 && cfg->allow == NULL))
    return CP_EINVAL;
  /* One allocation: the struct, then the allowlist, the request queue,
   * the input frame, the reconciliation buffer and the output queue. */
  size_t off_allow = (sizeof(cp_sync) + 15) & ~(size_t)15;
  size_t off_reqq = off_allow + cfg->n_allow * CP_PK_BYTES;
  off_reqq = (off_reqq + 15) & ~(size_t)15;
  size_t off_in = off_reqq + SYNC_REQQ * sizeof(sync_req);
  size_t off_rbuf = off_in + SYNC_IN_CAP;
  size_t off_out = off_rbuf + CP_SYNC_RECON_MAX;
  size_t total = off_out + SYNC_OUT_CAP;
  uint8_t *mem = calloc(1, total);
  if (mem == NULL) return CP_ENOMEM;
  cp_sync *s = (cp_sync *)mem;
  s->role = cfg->role;
  s->key = cfg->key;
  cp_key_public(cfg->key, s->pk);
  s->allow = (uint8_t(*)[CP_PK_BYTES])(mem + off_allow);
  if (cfg->n_allow > 0) memcpy(s->allow, cfg->allow, cfg->n_allow * CP_PK_BYTES);
  s->n_allow = cfg->n_allow;
  s->reqq = (sync_req *)(mem + off_reqq);
  s->in = mem + off_in;
  s->rbuf = mem + off_rbuf;
  s->out = mem + off_out;
  s->grant_e = cfg->credit_entries != 0 ? cfg->credit_entries : DEFAULT_CREDIT_E;
  s->grant_b = cfg->credit_bytes != 0 ? cfg->credit_bytes : DEFAULT_CREDIT_B;
  if (s->grant_b < CP_ENTRY_MAX) s->grant_b = CP_ENTRY_MAX;
  s->idle_ms = cfg->idle_ms != 0 ? cfg->idle_ms : CP_SYNC_IDLE_MS;
  s->keepalive_ms = s->idle_ms / 4 < CP_SYNC_KEEPALIVE_MS ? s->idle_ms / 4 : CP_SYNC_KEEPALIVE_MS;
  int rc = cp__hs_start(s);
  if (rc != 0) {
    cp_sync_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

void cp_sync_free(cp_sync *s) {
  if (s == NULL) return;
  sodium_memzero(s->k_tx, sizeof s->k_tx);
  sodium_memzero(s->k_rx, sizeof s->k_rx);
  cp__hs_wipe(s);
  free(s);
}

int cp_sync_feed(cp_sync *s, const uint8_t *in, size_t len, size_t *used) {
  *used = 0;
  if (s->err != 0) return s->err;
  if (s->hold == HOLD_DELIVERED) s->hold = HOLD_NONE;
  int rc = cp__frame_feed(s, in, len, used);
  if (rc == 0 || rc == CP_EAGAIN) cp__sync_pump(s);
  return s->err != 0 ? s->err : rc;
}

const uint8_t *cp_sync_out(const cp_sync *s, size_t *len) {
  *len = s->out_end - s->out_start;
  return s->out + s->out_start;
}

void cp_sync_out_ack(cp_sync *s, size_t n) {
  size_t have = s->out_end - s->out_start;
  if (n > have) n = have;
  s->out_start += n;
  s->st.bytes_out += n;
  if (s->out_start == s->out_end) s->out_start = s->out_end = 0;
  if (s->err == 0) cp__sync_pump(s);
}

int cp_sync_next_event(cp_sync *s, cp_sync_event *ev) {
  if (s->hold == HOLD_DELIVERED) s->hold = HOLD_NONE;
  if (s->ev_n == 0) {
    if (s->err == 0) cp__sync_pump(s);
    if (s->ev_n == 0) return s->err != 0 ? s->err : CP_EAGAIN;
  }
  *ev = s->evq[s->ev_head];
  s->ev_head = (s->ev_head + 1) % SYNC_EVQ;
  s->ev_n--;
  if (ev->items != NULL) s->hold = HOLD_DELIVERED;
  return 0;
}

void cp__sync_heads_hash(const char *tag, const cp_sync_head *heads, size_t a, size_t b,
                         uint8_t *out, size_t outlen) {
  crypto_generichash_state st;
  uint8_t n[8];
  crypto_generichash_init(&st, NULL, 0, outlen);
  crypto_generichash_update(&st, (const uint8_t *)tag, strlen(tag));
  be64_put(n, b - a);
  crypto_generichash_update(&st, n, 8);
  for (size_t i = a; i < b; i++) {
    crypto_generichash_update(&st, heads[i].log, CP_PK_BYTES);
    be64_put(n, heads[i].size);
    crypto_generichash_update(&st, n, 8);
    crypto_generichash_update(&st, heads[i].head, CP_HASH_BYTES);
  }
  crypto_generichash_final(&st, out, outlen);
}

void cp_sync_heads_digest(const cp_sync_head *heads, size_t n, uint8_t out[CP_HASH_BYTES]) {
  cp__sync_heads_hash("credport/v1/heads", heads, 0, n, out, CP_HASH_BYTES);
}

int cp_sync_provide_heads(cp_sync *s, const cp_sync_head *heads, size_t n) {
  if (s->err != 0) return s->err;
  if (s->hs != HS_DONE || s->have_heads || (n > 0 && heads == NULL)) return CP_EINVAL;
  for (size_t i = 1; i < n; i++)
    if (memcmp(heads[i - 1].log, heads[i].log, CP_PK_BYTES) >= 0) return CP_EINVAL;
  s->heads = heads;
  s->n_heads = n;
  s->have_heads = 1;
  cp__sync_pump(s);
  return s->err;
}

/* DIGEST: u8 0x10 | u64 count | 32 digest | u64 clock (Unix ms, 0: unknown).
 * SPEC: D-1, D-5 */
static void pump_digest(cp_sync *s) {
  if (s->digest_sent || !s->have_heads) return;
  uint8_t *p = cp__frame_begin(s, SYNC_DIGEST_LEN, 0);
  if (p == NULL) return;
  p[0] = MSG_DIGEST;
  be64_put(p + 1, s->n_heads);
  cp_sync_heads_digest(s->heads, s->n_heads, p + 9);
  be64_put(p + 41, s->wall_ms);
  cp__frame_end(s, SYNC_DIGEST_LEN);
  s->digest_sent = 1;
}

/* SPEC: D-2, D-3 */
static void pump_compare(cp_sync *s) {
  if (s->recon != RECON_IDLE || !s->digest_sent || !s->peer_digest_have) return;
  uint8_t mine[32];
  cp_sync_heads_digest(s->heads, s->n_heads, mine);
  if (s->peer_count == s->n_heads && memcmp(mine, s->peer_digest, 32) == 0) {
    s->recon = RECON_DONE;
    if (s->rpending)
      (void)cp__sync_fail(s, CP_EPROTO, "RECON: received although the heads digests match");
    s->expect_recon = 0;
    return;
  }
  s->recon = RECON_RUNNING;
  if (s->role == CP_SYNC_RESPONDER) (void)cp__recon_start(s);
}

static void pump_synced(cp_sync *s) {
  if (s->synced_reported || s->recon != RECON_DONE || s->reqq_n != 0 || s->n_open != 0) return;
  if (s->ev_n >= SYNC_EVQ) return;
  s->synced_reported = 1;
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_SYNCED);
  ev->count = (uint32_t)s->n_requested;
}

/* DONE: u8 0x12. Sent once, when our reconciliation is over, every request
 * it caused was answered, and everything received was committed.
 * SPEC: D-4 */
static void pump_done(cp_sync *s) {
  if (s->done_sent || !s->synced_reported || s->unc_e != 0) return;
  uint8_t *p = cp__frame_begin(s, 1, 0);
  if (p == NULL) return;
  p[0] = MSG_DONE;
  cp__frame_end(s, 1);
  s->done_sent = 1;
}

void cp__sync_pump(cp_sync *s) {
  if (s->err != 0 || s->hs != HS_DONE) return;
  pump_digest(s);
  if (s->err == 0) pump_compare(s);
  if (s->err == 0 && s->recon == RECON_RUNNING) (void)cp__recon_pump(s);
  if (s->err == 0) (void)cp__entries_pump(s);
  if (s->err == 0) pump_synced(s);
  if (s->err == 0) pump_done(s);
}

void cp_sync_set_clock(cp_sync *s, uint64_t unix_ms) { s->wall_ms = unix_ms; }

void cp_sync_get_progress(const cp_sync *s, cp_sync_progress *p) {
  memset(p, 0, sizeof *p);
  p->recon_done = s->recon == RECON_DONE;
  p->done_sent = s->done_sent;
  p->peer_done = s->peer_done;
  p->requests_left = s->reqq_n + s->n_open;
  p->peer_requests = s->serve_n;
  p->sent_unacked = s->sent_unacked;
  p->received_uncommitted = s->unc_e;
}

int cp_sync_peer_request(const cp_sync *s, size_t i, uint8_t log[CP_PK_BYTES], uint64_t *seq) {
  if (i >= s->serve_n) return CP_ENOTFOUND;
  const sync_req *q = &s->serve[(s->serve_head + i) % CP_SYNC_WINDOW];
  memcpy(log, q->log, CP_PK_BYTES);
  *seq = q->seq;
  return 0;
}

int cp_sync_own_request(const cp_sync *s, size_t i, uint8_t log[CP_PK_BYTES], uint64_t *seq) {
  const sync_req *q;
  if (i < s->n_open) q = &s->open[i];
  else if (i - s->n_open < s->reqq_n) q = &s->reqq[(s->reqq_head + i - s->n_open) % SYNC_REQQ];
  else return CP_ENOTFOUND;
  memcpy(log, q->log, CP_PK_BYTES);
  *seq = q->seq;
  return 0;
}

int cp_sync_complete(const cp_sync *s) {
  return s->err == 0 && s->done_sent && s->peer_done && s->serve_n == 0 && !s->want_out &&
         s->sent_unacked == 0 && s->out_end == s->out_start;
}

int cp_sync_tick(cp_sync *s, uint64_t now_ms) {
  if (s->err != 0) return s->err;
  if (!s->clock_on) {
    s->clock_on = 1;
    s->t_start = s->t_rx = s->t_tx = now_ms;
  }
  s->now = now_ms;
  /* The initiator finishes its half first; until an authenticated frame
   * from the peer arrives, the handshake is not confirmed. */
  if ((s->hs != HS_DONE || s->n_rx == 0) && now_ms - s->t_start > CP_SYNC_HANDSHAKE_MS)
    return cp__sync_fail(s, -ETIMEDOUT, "handshake: not finished within %u ms",
                         CP_SYNC_HANDSHAKE_MS);
  if (now_ms - s->t_rx > s->idle_ms)
    return cp__sync_fail(s, -ETIMEDOUT, "peer silent for more than %u ms", (unsigned)s->idle_ms);
  if (s->hs == HS_DONE && now_ms - s->t_tx >= s->keepalive_ms) {
    uint8_t *p = cp__frame_begin(s, SYNC_PING_LEN, 0);
    if (p != NULL) {
      p[0] = MSG_PING; /* SPEC: L-4, D-5 */
      be64_put(p + 1, s->wall_ms);
      cp__frame_end(s, SYNC_PING_LEN);
    }
  }
  cp__sync_pump(s);
  return s->err;
}

void cp_sync_close(cp_sync *s, int err, const char *reason) {
  if (s->err != 0) return;
  (void)cp__sync_fail(s, err != 0 ? err : CP_EPROTO, "%s", reason != NULL ? reason : "closed");
}

int cp_sync_status(const cp_sync *s) { return s->err; }
const char *cp_sync_error(const cp_sync *s) { return s->err != 0 ? s->errmsg : ""; }

int cp_sync_peer(const cp_sync *s, uint8_t pk[CP_PK_BYTES]) {
  if (s->hs != HS_DONE) return CP_EAGAIN;
  memcpy(pk, s->peer, CP_PK_BYTES);
  return 0;
}

void cp_sync_get_stats(const cp_sync *s, cp_sync_stats *st) { *st = s->st; }
