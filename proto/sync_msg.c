/*
 * credport — sync messages other than reconciliation and entry streaming:
 * DIGEST, HAVE, CHECKPOINT, FORK, CPFORK, REVSTAT, PING, CLOSE (docs/PROTOCOL.md,
 * "Messages"), and the dispatcher for every decrypted message.
 */
#include <stdio.h>

#include "credport/merkle.h"
#include "credport/revstatus.h"
#include "sync_internal.h"

/* The peer's clock, from a DIGEST or a PING (0: it did not say). */
static void peer_clock(cp_sync *s, uint64_t clock) {
  if (clock == 0) return;
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_PEER_CLOCK);
  ev->time_ms = clock;
}

/* DIGEST: u8 0x10 | u64 count | 32 digest | u64 clock. SPEC: D-1, D-5 */
static int on_digest(cp_sync *s, cp_rd *r) {
  const uint8_t *d;
  uint64_t clock;
  if (s->peer_digest_have) return cp__sync_fail(s, CP_EPROTO, "DIGEST: sent twice");
  if (rd_u64(r, &s->peer_count) != 0 || rd_bytes(r, 32, &d) != 0 || rd_u64(r, &clock) != 0 ||
      rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "DIGEST: length is not %u bytes", SYNC_DIGEST_LEN);
  memcpy(s->peer_digest, d, 32);
  s->peer_digest_have = 1;
  /* The responder opens reconciliation if the digests differ. */
  if (s->role == CP_SYNC_INITIATOR) s->expect_recon = 1;
  peer_clock(s, clock);
  return 0;
}

/* PING: u8 0x40 | u64 clock. SPEC: L-4, D-5 */
static int on_ping(cp_sync *s, cp_rd *r) {
  uint64_t clock;
  if (rd_u64(r, &clock) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "PING: length is not %u bytes", SYNC_PING_LEN);
  peer_clock(s, clock);
  s->st.pings_in++;
  return 0;
}

/* DONE: u8 0x12. SPEC: D-4 */
static int on_done(cp_sync *s, cp_rd *r) {
  if (rd_left(r) != 0) return cp__sync_fail(s, CP_EPROTO, "DONE: carries %zu extra bytes", rd_left(r));
  if (s->peer_done) return cp__sync_fail(s, CP_EPROTO, "DONE: sent twice");
  if (!s->peer_digest_have) return cp__sync_fail(s, CP_EPROTO, "DONE: before DIGEST");
  s->peer_done = 1;
  return 0;
}

/* HAVE: u8 0x23 | 32 log | u64 size | 32 head. */
static int on_have(cp_sync *s, cp_rd *r) {
  const uint8_t *log, *head;
  uint64_t size;
  if (rd_bytes(r, 32, &log) != 0 || rd_u64(r, &size) != 0 || rd_bytes(r, 32, &head) != 0 ||
      rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "HAVE: length is not 73 bytes");
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_PEER_HAS);
  memcpy(ev->log, log, 32);
  ev->seq = size;
  memcpy(ev->head, head, 32);
  return 0;
}

/* CHECKPOINT: u8 0x30 | 32 log | u32 n | n bytes of signed-note text. */
static int on_checkpoint(cp_sync *s, cp_rd *r) {
  const uint8_t *log, *note;
  uint32_t n;
  if (rd_bytes(r, 32, &log) != 0 || rd_u32(r, &n) != 0)
    return cp__sync_fail(s, CP_EPROTO, "CHECKPOINT: truncated header");
  if (n == 0 || n > CP_NOTE_MAX)
    return cp__sync_fail(s, CP_ETOOBIG, "CHECKPOINT: note of %lu bytes (limit %u)",
                         (unsigned long)n, CP_NOTE_MAX);
  if (rd_bytes(r, n, &note) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "CHECKPOINT: note length %lu does not match the message",
                         (unsigned long)n);
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_CHECKPOINT);
  memcpy(ev->log, log, 32);
  s->items[0].p = note;
  s->items[0].len = n;
  ev->count = 1;
  ev->bytes = n;
  return 0;
}

static int rd_entry(cp_rd *r, cp_sync_blob *b) {
  uint32_t n;
  if (rd_u32(r, &n) != 0) return CP_EPROTO;
  if (n < CP_SYNC_ENTRY_MIN || n > CP_ENTRY_MAX) return CP_ETOOBIG;
  if (rd_bytes(r, n, &b->p) != 0) return CP_EPROTO;
  b->len = n;
  return 0;
}

/* 0 if (a, b) has the shape of a fork proof, else why not (1: identical,
 * 2: seqs neither equal nor consecutive). The log keys are compared by the
 * caller. */
static int fork_pair(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  uint64_t sa = be64_get(a + 34), sb = be64_get(b + 34);
  if (sa == sb) return alen == blen && memcmp(a, b, alen) == 0 ? 1 : 0;
  return sa != UINT64_MAX && sb == sa + 1 ? 0 : 2;
}

/* FORK: u8 0x31 | u32 na | na bytes | u32 nb | nb bytes: two raw entries of
 * one log, at one seq (different) or at seqs k and k+1. SPEC: L-3 */
static int on_fork(cp_sync *s, cp_rd *r) {
  if (rd_entry(r, &s->items[0]) != 0 || rd_entry(r, &s->items[1]) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "FORK: malformed (each entry %u..%u bytes, no trailer)",
                         CP_SYNC_ENTRY_MIN, CP_ENTRY_MAX);
  const cp_sync_blob *a = &s->items[0], *b = &s->items[1];
  if (memcmp(a->p + 2, b->p + 2, CP_PK_BYTES) != 0)
    return cp__sync_fail(s, CP_EPROTO, "FORK: the entries differ in log key");
  int why = fork_pair(a->p, a->len, b->p, b->len);
  if (why == 1) return cp__sync_fail(s, CP_EPROTO, "FORK: the two entries are identical");
  if (why == 2)
    return cp__sync_fail(s, CP_EPROTO, "FORK: seqs %llu and %llu are neither equal nor "
                         "consecutive", (unsigned long long)be64_get(a->p + 34),
                         (unsigned long long)be64_get(b->p + 34));
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_FORK_PROOF);
  memcpy(ev->log, a->p + 2, 32);
  ev->seq = be64_get(a->p + 34);
  ev->count = 2;
  ev->bytes = (uint32_t)(a->len + b->len);
  return 0;
}

static int rd_note(cp_rd *r, cp_sync_blob *b) {
  uint32_t n;
  if (rd_u32(r, &n) != 0 || n == 0 || n > CP_NOTE_MAX || rd_bytes(r, n, &b->p) != 0)
    return CP_EPROTO;
  b->len = n;
  return 0;
}

/* CPFORK: u8 0x32 | 32 log | u32 na | note a | u32 nb | note b | u8 k |
 * 32 old root | k x 32 path (k <= CP_MERKLE_MAX_LEVELS). SPEC: L-3b */
static int on_cpfork(cp_sync *s, cp_rd *r) {
  const uint8_t *log, *hashes;
  uint8_t k;
  if (rd_bytes(r, 32, &log) != 0 || rd_note(r, &s->items[0]) != 0 ||
      rd_note(r, &s->items[1]) != 0 || rd_u8(r, &k) != 0 || k > CP_MERKLE_MAX_LEVELS ||
      rd_bytes(r, ((size_t)k + 1) * CP_HASH_BYTES, &hashes) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "CPFORK: malformed (each note 1..%u bytes, a path of at "
                         "most %u hashes, no trailer)", CP_NOTE_MAX, CP_MERKLE_MAX_LEVELS);
  s->items[2].p = hashes;
  s->items[2].len = ((size_t)k + 1) * CP_HASH_BYTES;
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_CHECKPOINT_FORK);
  memcpy(ev->log, log, 32);
  ev->count = 3;
  ev->bytes = (uint32_t)(s->items[0].len + s->items[1].len + s->items[2].len);
  return 0;
}

/* REVSTAT: u8 0x33 | 32 log | u16 n | n bytes of statement text
 * (1 <= n <= CP_REVSTAT_MAX), unverified. SPEC: L-5 */
static int on_revstat(cp_sync *s, cp_rd *r) {
  const uint8_t *log, *text;
  uint16_t n;
  if (rd_bytes(r, 32, &log) != 0 || rd_u16(r, &n) != 0)
    return cp__sync_fail(s, CP_EPROTO, "REVSTAT: truncated header");
  if (n == 0 || n > CP_REVSTAT_MAX)
    return cp__sync_fail(s, CP_ETOOBIG, "REVSTAT: statement of %u bytes (limit 1..%u)",
                         (unsigned)n, CP_REVSTAT_MAX);
  if (rd_bytes(r, n, &text) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "REVSTAT: statement length %u does not match the message",
                         (unsigned)n);
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_REVSTAT);
  memcpy(ev->log, log, 32);
  s->items[0].p = text;
  s->items[0].len = n;
  ev->count = 1;
  ev->bytes = n;
  return 0;
}

/* CLOSE: u8 0x7f | u32 code | u16 n | n bytes of reason (n <= 256). */
static int on_close(cp_sync *s, cp_rd *r) {
  uint32_t code;
  uint16_t n;
  const uint8_t *txt;
  if (rd_u32(r, &code) != 0 || rd_u16(r, &n) != 0 || n > CP_SYNC_REASON_MAX ||
      rd_bytes(r, n, &txt) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "CLOSE: malformed");
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_PEER_ERROR);
  ev->code = (int)(int32_t)code;
  s->items[0].p = txt;
  s->items[0].len = n;
  ev->count = 1;
  char clean[CP_SYNC_REASON_MAX + 1];
  for (size_t i = 0; i < n; i++) clean[i] = (txt[i] >= 0x20 && txt[i] < 0x7f) ? (char)txt[i] : '?';
  clean[n] = 0;
  snprintf(s->errmsg, sizeof s->errmsg, "CLOSE: peer closed the session (%d): %s", ev->code,
           clean);
  s->err = CP_EPROTO;
  cp__hs_wipe(s);
  return CP_EPROTO;
}

int cp__sync_dispatch(cp_sync *s, const uint8_t *msg, size_t len) {
  cp_rd r = {msg + 1, msg + len};
  if (len == 0) return cp__sync_fail(s, CP_EPROTO, "message: empty");
  if (msg[0] == MSG_CLOSE) return on_close(s, &r);
  switch (msg[0]) {
  case MSG_DIGEST: return on_digest(s, &r);
  case MSG_RECON: return cp__recon_accept(s, msg, len);
  case MSG_DONE: return on_done(s, &r);
  case MSG_REQ: return cp__on_req(s, &r);
  case MSG_ENTRIES: return cp__on_entries(s, &r);
  case MSG_CREDIT: return cp__on_credit(s, &r);
  case MSG_HAVE: return on_have(s, &r);
  case MSG_CHECKPOINT: return on_checkpoint(s, &r);
  case MSG_FORK: return on_fork(s, &r);
  case MSG_CPFORK: return on_cpfork(s, &r);
  case MSG_REVSTAT: return on_revstat(s, &r);
  case MSG_PING: return on_ping(s, &r);
  case MSG_HS1:
  case MSG_HS2:
  case MSG_HS3: return cp__sync_fail(s, CP_EPROTO, "HS%u: handshake message after the handshake", msg[0]);
  default: return cp__sync_fail(s, CP_EPROTO, "message: unknown type 0x%02x", msg[0]);
  }
}

static int ready(cp_sync *s) {
  if (s->err != 0) return s->err;
  return s->hs == HS_DONE ? 0 : CP_EINVAL;
}

int cp_sync_announce(cp_sync *s, const cp_sync_head *h) {
  int rc = ready(s);
  if (rc != 0) return rc;
  uint8_t *p = cp__frame_begin(s, 73, 0);
  if (p == NULL) return CP_EAGAIN;
  p[0] = MSG_HAVE;
  memcpy(p + 1, h->log, 32);
  be64_put(p + 33, h->size);
  memcpy(p + 41, h->head, 32);
  cp__frame_end(s, 73);
  return 0;
}

int cp_sync_send_checkpoint(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *note,
                            size_t len) {
  int rc = ready(s);
  if (rc != 0) return rc;
  if (len == 0) return CP_EINVAL;
  if (len > CP_NOTE_MAX) return CP_ETOOBIG;
  uint8_t *p = cp__frame_begin(s, 37 + len, 0);
  if (p == NULL) return CP_EAGAIN;
  p[0] = MSG_CHECKPOINT;
  memcpy(p + 1, log, 32);
  be32_put(p + 33, (uint32_t)len);
  memcpy(p + 37, note, len);
  cp__frame_end(s, 37 + len);
  return 0;
}

int cp_sync_send_revstat(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *text,
                         size_t len) {
  int rc = ready(s);
  if (rc != 0) return rc;
  if (len == 0) return CP_EINVAL;
  if (len > CP_REVSTAT_MAX) return CP_ETOOBIG;
  uint8_t *p = cp__frame_begin(s, 35 + len, 0);
  if (p == NULL) return CP_EAGAIN;
  p[0] = MSG_REVSTAT;
  memcpy(p + 1, log, 32);
  p[33] = (uint8_t)(len >> 8);
  p[34] = (uint8_t)len;
  memcpy(p + 35, text, len);
  cp__frame_end(s, 35 + len);
  return 0;
}

int cp_sync_send_fork_proof(cp_sync *s, const uint8_t *a, size_t alen, const uint8_t *b,
                            size_t blen) {
  int rc = ready(s);
  if (rc != 0) return rc;
  if (alen < CP_SYNC_ENTRY_MIN || blen < CP_SYNC_ENTRY_MIN) return CP_EINVAL;
  if (alen > CP_ENTRY_MAX || blen > CP_ENTRY_MAX) return CP_ETOOBIG;
  if (memcmp(a + 2, b + 2, CP_PK_BYTES) != 0 || fork_pair(a, alen, b, blen) != 0)
    return CP_EINVAL;
  size_t n = 1 + 4 + alen + 4 + blen;
  uint8_t *p = cp__frame_begin(s, n, 0);
  if (p == NULL) return CP_EAGAIN;
  p[0] = MSG_FORK;
  be32_put(p + 1, (uint32_t)alen);
  memcpy(p + 5, a, alen);
  be32_put(p + 5 + alen, (uint32_t)blen);
  memcpy(p + 9 + alen, b, blen);
  cp__frame_end(s, n);
  return 0;
}

int cp_sync_send_checkpoint_fork(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *a,
                                 size_t alen, const char *b, size_t blen,
                                 const uint8_t old_root[CP_HASH_BYTES],
                                 const uint8_t (*path)[CP_HASH_BYTES], size_t npath) {
  int rc = ready(s);
  if (rc != 0) return rc;
  if (alen == 0 || blen == 0 || (npath > 0 && path == NULL)) return CP_EINVAL;
  if (alen > CP_NOTE_MAX || blen > CP_NOTE_MAX || npath > CP_MERKLE_MAX_LEVELS)
    return CP_ETOOBIG;
  size_t n = 1 + 32 + 4 + alen + 4 + blen + CP_HASH_BYTES + 1 + npath * CP_HASH_BYTES;
  uint8_t *p = cp__frame_begin(s, n, 0);
  if (p == NULL) return CP_EAGAIN;
  uint8_t *o = p;
  *o++ = MSG_CPFORK;
  memcpy(o, log, 32);
  o += 32;
  be32_put(o, (uint32_t)alen);
  memcpy(o + 4, a, alen);
  o += 4 + alen;
  be32_put(o, (uint32_t)blen);
  memcpy(o + 4, b, blen);
  o += 4 + blen;
  o[0] = (uint8_t)npath;
  memcpy(o + 1, old_root, CP_HASH_BYTES);
  if (npath) memcpy(o + 1 + CP_HASH_BYTES, path, npath * CP_HASH_BYTES);
  cp__frame_end(s, n);
  return 0;
}
