/*
 * credport — entry streaming with credit-based flow control
 * (docs/PROTOCOL.md, "Entries and credit").
 *
 *   REQ      u8 0x20 | 32 log | u64 from_seq
 *   ENTRIES  u8 0x21 | 32 log | u8 flags | u64 first_seq | u16 n |
 *            n x (u32 len | len bytes of a raw entry)
 *            flags: 0x01 END (the request is answered in full),
 *                   0x02 LIVE (pushed, not requested)
 *   CREDIT   u8 0x22 | u32 entries | u32 bytes   (added to what the sender may send)
 *
 * The receiver grants credit; the sender never sends beyond it, so a slow
 * or stuck receiver stops the sender within one grant. Credit comes back
 * only when the receiving caller reports the entries committed (durable
 * before acknowledged). Each side keeps at most CP_SYNC_WINDOW requests
 * open; the server refuses more.
 */
#include <stdio.h>

#include "sync_internal.h"

#define ENTRIES_HDR 44U /* type, log, flags, first_seq, n */

static sync_req *reqq_at(cp_sync *s, size_t i) { return &s->reqq[(s->reqq_head + i) % SYNC_REQQ]; }

int cp__req_enqueue(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t seq) {
  for (size_t i = 0; i < s->n_open; i++)
    if (memcmp(s->open[i].log, log, CP_PK_BYTES) == 0) return CP_EEXIST;
  for (size_t i = 0; i < s->reqq_n; i++)
    if (memcmp(reqq_at(s, i)->log, log, CP_PK_BYTES) == 0) return CP_EEXIST;
  if (s->reqq_n == SYNC_REQQ) return CP_EAGAIN;
  sync_req *q = reqq_at(s, s->reqq_n);
  memcpy(q->log, log, CP_PK_BYTES);
  q->seq = seq;
  s->reqq_n++;
  s->n_requested++;
  return 0;
}

/* Checks a caller's batch: consecutive entries of log from first. */
static int check_batch(const uint8_t log[CP_PK_BYTES], uint64_t first, const cp_sync_blob *e,
                       size_t n, size_t *bytes) {
  size_t total = 0;
  if (n > CP_SYNC_BATCH_MAX || (n > 0 && e == NULL)) return CP_EINVAL;
  for (size_t i = 0; i < n; i++) {
    if (e[i].p == NULL || e[i].len < CP_SYNC_ENTRY_MIN) return CP_EINVAL;
    if (e[i].len > CP_ENTRY_MAX) return CP_ETOOBIG;
    if (memcmp(e[i].p + 2, log, CP_PK_BYTES) != 0 || be64_get(e[i].p + 34) != first + i)
      return CP_EINVAL;
    total += e[i].len;
  }
  if (total > CP_SYNC_BATCH_BYTES) return CP_ETOOBIG;
  *bytes = total;
  return 0;
}

static size_t batch_size(size_t n, size_t bytes) { return ENTRIES_HDR + 4 * n + bytes; }

static int write_batch(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t first,
                       const cp_sync_blob *e, size_t n, size_t bytes, uint8_t flags,
                       int use_reserved) {
  size_t len = batch_size(n, bytes);
  uint8_t *p = cp__frame_begin(s, len, use_reserved);
  if (p == NULL) return CP_EAGAIN;
  uint8_t *w = p;
  *w++ = MSG_ENTRIES;
  memcpy(w, log, CP_PK_BYTES);
  w += CP_PK_BYTES;
  *w++ = flags;
  be64_put(w, first);
  w += 8;
  be16_put(w, (uint16_t)n);
  w += 2;
  for (size_t i = 0; i < n; i++) {
    be32_put(w, (uint32_t)e[i].len);
    memcpy(w + 4, e[i].p, e[i].len);
    w += 4 + e[i].len;
  }
  cp__frame_end(s, len);
  s->send_e -= n;
  s->send_b -= bytes;
  s->sent_unacked += n;
  s->st.entries_out += n;
  return 0;
}

static void pump_want(cp_sync *s) {
  if (s->want_out || s->want_wait_credit || s->serve_n == 0) return;
  if (s->send_e == 0 || s->send_b == 0 || s->ev_n >= SYNC_EVQ) return;
  size_t room = cp__frame_room(s, 0);
  if (room < batch_size(CP_SYNC_BATCH_MAX, CP_ENTRY_MAX)) return;
  uint32_t max_e = s->send_e < CP_SYNC_BATCH_MAX ? (uint32_t)s->send_e : CP_SYNC_BATCH_MAX;
  size_t max_b = room - batch_size(max_e, 0);
  if (max_b > CP_SYNC_BATCH_BYTES) max_b = CP_SYNC_BATCH_BYTES;
  if (max_b > s->send_b) max_b = (size_t)s->send_b;
  const sync_req *q = &s->serve[s->serve_head];
  s->want_out = 1;
  s->want_e = max_e;
  s->want_b = (uint32_t)max_b;
  s->out_reserved = batch_size(max_e, max_b) + SYNC_FRAME_OVERHEAD;
  cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_WANT_ENTRIES);
  memcpy(ev->log, q->log, CP_PK_BYTES);
  ev->seq = q->seq;
  ev->count = max_e;
  ev->bytes = (uint32_t)max_b;
}

int cp__entries_pump(cp_sync *s) {
  if (s->grant_e > 0 || s->grant_b > 0) {
    uint8_t *p = cp__frame_begin(s, 9, 0);
    if (p != NULL) {
      uint32_t e = s->grant_e > UINT32_MAX ? UINT32_MAX : (uint32_t)s->grant_e;
      uint32_t b = s->grant_b > UINT32_MAX ? UINT32_MAX : (uint32_t)s->grant_b;
      p[0] = MSG_CREDIT;
      be32_put(p + 1, e);
      be32_put(p + 5, b);
      cp__frame_end(s, 9);
      s->grant_e -= e;
      s->grant_b -= b;
      s->avail_e += e;
      s->avail_b += b;
    }
  }
  while (s->reqq_n > 0 && s->n_open < CP_SYNC_WINDOW) {
    uint8_t *p = cp__frame_begin(s, 41, 0);
    if (p == NULL) break;
    sync_req *q = reqq_at(s, 0);
    p[0] = MSG_REQ;
    memcpy(p + 1, q->log, CP_PK_BYTES);
    be64_put(p + 33, q->seq);
    cp__frame_end(s, 41);
    s->open[s->n_open++] = *q;
    s->reqq_head = (s->reqq_head + 1) % SYNC_REQQ;
    s->reqq_n--;
    s->st.requests_out++;
  }
  pump_want(s);
  return s->err;
}

int cp__on_req(cp_sync *s, cp_rd *r) {
  const uint8_t *log;
  uint64_t seq;
  if (rd_bytes(r, CP_PK_BYTES, &log) != 0 || rd_u64(r, &seq) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "REQ: length is not 41 bytes");
  if (s->serve_n >= CP_SYNC_WINDOW) /* SPEC: E-1 */
    return cp__sync_fail(s, CP_EPROTO, "REQ: more than %u requests open", CP_SYNC_WINDOW);
  sync_req *q = &s->serve[(s->serve_head + s->serve_n) % CP_SYNC_WINDOW];
  memcpy(q->log, log, CP_PK_BYTES);
  q->seq = seq;
  s->serve_n++;
  return 0;
}

int cp__on_credit(cp_sync *s, cp_rd *r) {
  uint32_t e, b;
  if (rd_u32(r, &e) != 0 || rd_u32(r, &b) != 0 || rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "CREDIT: length is not 9 bytes");
  /* A peer may grant itself a flood; our output stays bounded by the
   * queue, so only keep the sums from overflowing. */
  if (s->send_e + e < (uint64_t)1 << 40) s->send_e += e;
  /* The first grant is the initial budget (E-4); every later one returns
   * entries the peer committed or dropped (D-4). */
  if (!s->credit_seen) s->credit_seen = 1;
  else s->sent_unacked -= e < s->sent_unacked ? e : s->sent_unacked;
  if (s->send_b + b < (uint64_t)1 << 50) s->send_b += b;
  s->want_wait_credit = 0;
  return 0;
}

int cp__on_entries(cp_sync *s, cp_rd *r) {
  const uint8_t *log;
  uint8_t flags;
  uint64_t first;
  uint16_t n;
  size_t bytes = 0;
  char hex[17];
  if (rd_bytes(r, CP_PK_BYTES, &log) != 0 || rd_u8(r, &flags) != 0 || rd_u64(r, &first) != 0 ||
      rd_u16(r, &n) != 0)
    return cp__sync_fail(s, CP_EPROTO, "ENTRIES: truncated header");
  cp__sync_hexkey(log, hex);
  /* SPEC: E-2 */
  if ((flags & ~(ENTRIES_END | ENTRIES_LIVE)) != 0 || flags == (ENTRIES_END | ENTRIES_LIVE))
    return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: bad flags 0x%02x", hex, flags);
  if (n > CP_SYNC_BATCH_MAX)
    return cp__sync_fail(s, CP_ETOOBIG, "ENTRIES: log %s...: %u entries (limit %u)", hex, n,
                         CP_SYNC_BATCH_MAX);
  if (n == 0 && !(flags & ENTRIES_END))
    return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: empty batch without END", hex);
  for (unsigned i = 0; i < n; i++) {
    uint32_t len;
    if (rd_u32(r, &len) != 0)
      return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: entry %u truncated", hex, i);
    if (len < CP_SYNC_ENTRY_MIN || len > CP_ENTRY_MAX)
      return cp__sync_fail(s, CP_ETOOBIG, "ENTRIES: log %s...: entry %u of %lu bytes", hex, i,
                           (unsigned long)len);
    if (rd_bytes(r, len, &s->items[i].p) != 0)
      return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: entry %u truncated", hex, i);
    s->items[i].len = len;
    bytes += len;
    if (memcmp(s->items[i].p + 2, log, CP_PK_BYTES) != 0 ||
        be64_get(s->items[i].p + 34) != first + i)
      return cp__sync_fail(s, CP_EPROTO,
                           "ENTRIES: log %s...: entry %u is not seq %llu of that log", hex, i,
                           (unsigned long long)(first + i));
  }
  if (rd_left(r) != 0)
    return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: %zu trailing bytes", hex, rd_left(r));
  if (bytes > CP_SYNC_BATCH_BYTES)
    return cp__sync_fail(s, CP_ETOOBIG, "ENTRIES: log %s...: %zu bytes (limit %u)", hex, bytes,
                         CP_SYNC_BATCH_BYTES);
  if (n > s->avail_e || bytes > s->avail_b) /* SPEC: E-4 */
    return cp__sync_fail(s, CP_EPROTO,
                         "ENTRIES: log %s...: %u entries, %zu bytes exceed the granted credit "
                         "(%llu entries, %llu bytes)",
                         hex, n, bytes, (unsigned long long)s->avail_e,
                         (unsigned long long)s->avail_b);
  if (!(flags & ENTRIES_LIVE)) { /* SPEC: E-3 */
    size_t i = 0;
    while (i < s->n_open && memcmp(s->open[i].log, log, CP_PK_BYTES) != 0) i++;
    if (i == s->n_open)
      return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: no request is open for it", hex);
    if (s->open[i].seq != first)
      return cp__sync_fail(s, CP_EPROTO, "ENTRIES: log %s...: first seq %llu, expected %llu",
                           hex, (unsigned long long)first, (unsigned long long)s->open[i].seq);
    s->open[i].seq += n;
    if (flags & ENTRIES_END) s->open[i] = s->open[--s->n_open];
  }
  s->avail_e -= n;
  s->avail_b -= bytes;
  s->unc_e += n;
  s->unc_b += bytes;
  s->st.entries_in += n;
  if (n > 0) {
    cp_sync_event *ev = cp__sync_ev_push(s, CP_SYNC_EV_ENTRIES);
    memcpy(ev->log, log, CP_PK_BYTES);
    ev->seq = first;
    ev->count = n;
    ev->bytes = (uint32_t)bytes;
    ev->live = (flags & ENTRIES_LIVE) != 0;
  }
  return 0;
}

int cp_sync_provide_entries(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t from_seq,
                            const cp_sync_blob *entries, size_t n, int end) {
  size_t bytes;
  if (s->err != 0) return s->err;
  if (!s->want_out) return CP_EINVAL;
  sync_req *q = &s->serve[s->serve_head];
  if (memcmp(q->log, log, CP_PK_BYTES) != 0 || q->seq != from_seq || n > s->want_e)
    return CP_EINVAL;
  int rc = check_batch(log, from_seq, entries, n, &bytes);
  if (rc != 0) return rc;
  if (bytes > s->want_b) return CP_ETOOBIG;
  s->want_out = 0;
  s->out_reserved = 0;
  if (n == 0 && !end) {
    s->want_wait_credit = 1;
  } else {
    rc = write_batch(s, log, from_seq, entries, n, bytes, end ? ENTRIES_END : 0, 1);
    if (rc != 0) return cp__sync_fail(s, rc, "ENTRIES: no room reserved for the batch");
    q->seq += n;
    if (end) {
      s->serve_head = (s->serve_head + 1) % CP_SYNC_WINDOW;
      s->serve_n--;
    }
  }
  cp__sync_pump(s);
  return s->err;
}

int cp_sync_entries_committed(cp_sync *s, uint32_t count, uint32_t bytes) {
  if (s->err != 0) return s->err;
  if (count > s->unc_e || bytes > s->unc_b) return CP_EINVAL;
  s->unc_e -= count;
  s->unc_b -= bytes;
  s->grant_e += count;
  s->grant_b += bytes;
  cp__sync_pump(s);
  return s->err;
}

int cp_sync_request(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t from_seq) {
  if (s->err != 0) return s->err;
  if (s->hs != HS_DONE) return CP_EINVAL;
  int rc = cp__req_enqueue(s, log, from_seq);
  if (rc == 0) cp__sync_pump(s);
  return rc != 0 ? rc : s->err;
}

int cp_sync_push(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t first_seq,
                 const cp_sync_blob *entries, size_t n) {
  size_t bytes;
  if (s->err != 0) return s->err;
  if (s->hs != HS_DONE || n == 0) return CP_EINVAL;
  int rc = check_batch(log, first_seq, entries, n, &bytes);
  if (rc != 0) return rc;
  if (n > s->send_e || bytes > s->send_b) return CP_EAGAIN;
  return write_batch(s, log, first_seq, entries, n, bytes, ENTRIES_LIVE, 0);
}
