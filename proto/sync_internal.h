/*
 * credport — the sync engine's private state, shared by proto/frame.c,
 * proto/handshake.c and proto/sync*.c. Not installed; not part of the API.
 */
#ifndef CREDPORT_SYNC_INTERNAL_H
#define CREDPORT_SYNC_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "credport/sync.h"

/* Wire framing: u32 big-endian body length, then the body. After the
 * handshake the body is ChaCha20-Poly1305 ciphertext with its 16-byte tag. */
#define SYNC_HDR 4U
#define SYNC_TAG 16U
#define SYNC_FRAME_OVERHEAD (SYNC_HDR + SYNC_TAG)

/* Message types (docs/PROTOCOL.md, "Messages"). */
enum {
  MSG_HS1 = 0x01,
  MSG_HS2 = 0x02,
  MSG_HS3 = 0x03,
  MSG_DIGEST = 0x10,
  MSG_RECON = 0x11,
  MSG_DONE = 0x12,
  MSG_REQ = 0x20,
  MSG_ENTRIES = 0x21,
  MSG_CREDIT = 0x22,
  MSG_HAVE = 0x23,
  MSG_CHECKPOINT = 0x30,
  MSG_FORK = 0x31,
  MSG_CPFORK = 0x32,
  MSG_REVSTAT = 0x33,
  MSG_PING = 0x40,
  MSG_CLOSE = 0x7f
};

#define ENTRIES_END 0x01U
#define ENTRIES_LIVE 0x02U
#define RECON_FINAL 0x01U
#define SYNC_DIGEST_LEN 49U /* type, count, digest, clock */
#define SYNC_PING_LEN 9U    /* type, clock */

/* Reconciliation parameters (docs/PROTOCOL.md, "Reconciliation"). */
#define RECON_FP_BYTES 16U
#define RECON_ITEMS_MAX 16U  /* T: a side with at most T heads in a range lists them */
#define RECON_SPLIT 16U      /* B: a larger range is split into B sub-ranges */
#define RECON_RANGES_MAX 4096U
#define RECON_ITEM_BYTES 72U /* log key, u64 size, head */
#define RECON_BUDGET (CP_SYNC_RECON_MAX - 4096U)

#define SYNC_EVQ 64U
#define SYNC_REQQ 4096U
#define SYNC_IN_CAP CP_FRAME_MAX
#define SYNC_OUT_CAP (CP_FRAME_MAX + CP_SYNC_RECON_MAX + 64U * 1024)

enum hs_state { HS_I_WAIT2 = 1, HS_R_WAIT1, HS_R_WAIT3, HS_DONE };
enum recon_state { RECON_IDLE = 0, RECON_RUNNING, RECON_DONE };
/* What the event that cp_sync_next_event handed out last still pins. */
enum { HOLD_NONE = 0, HOLD_QUEUED, HOLD_DELIVERED };

typedef struct sync_req {
  uint8_t log[CP_PK_BYTES];
  uint64_t seq;
} sync_req;

struct cp_sync {
  cp_sync_role role;
  const cp_key *key;
  uint8_t pk[CP_PK_BYTES];
  uint8_t (*allow)[CP_PK_BYTES];
  size_t n_allow;
  int err;
  char errmsg[320];

  /* Handshake (proto/handshake.c). Secrets are wiped once they are used. */
  int hs;
  uint8_t e_pk[32], e_sk[32];
  uint8_t h[32], ck[32];
  uint8_t peer[CP_PK_BYTES];
  uint8_t k_tx[32], k_rx[32];
  uint64_t n_tx, n_rx;

  /* Input: one frame at a time. */
  uint8_t hdr[SYNC_HDR];
  size_t hdr_have, body_len, body_have;
  uint8_t *in;

  /* Output queue: bytes [out_start, out_end) of out wait to be sent. */
  uint8_t *out;
  size_t out_start, out_end, out_reserved;

  /* Events. */
  cp_sync_event evq[SYNC_EVQ];
  unsigned ev_head, ev_n;
  int hold;
  cp_sync_blob items[CP_SYNC_BATCH_MAX];

  /* Heads snapshot (borrowed) and the digest exchange. */
  const cp_sync_head *heads;
  size_t n_heads;
  int have_heads, need_heads_sent, digest_sent, peer_digest_have;
  uint8_t peer_digest[32];
  uint64_t peer_count;
  uint64_t wall_ms;  /* cp_sync_set_clock: our clock for DIGEST (0: unknown) */

  /* Completion (D-4): DONE sent and received; entries we sent that the
   * peer has not yet returned as credit (committed or dropped). */
  int done_sent, peer_done, credit_seen;
  uint64_t sent_unacked;

  /* Reconciliation (proto/sync_recon.c). */
  int recon;
  int expect_recon;
  uint8_t *rbuf;
  size_t rlen, ritems;
  int rpending, rstart;

  /* Our requests: queued (not yet sent) and open (sent, not finished). */
  sync_req *reqq;
  size_t reqq_head, reqq_n;
  sync_req open[CP_SYNC_WINDOW];
  size_t n_open;
  uint64_t n_requested;

  /* The peer's requests we serve, oldest first. */
  sync_req serve[CP_SYNC_WINDOW];
  size_t serve_head, serve_n;
  int want_out, want_wait_credit;
  uint32_t want_e, want_b;

  /* Credit. send_*: what the peer let us send. avail_*: what we granted and
   * it has not used. uncommitted_*: handed to our caller, not committed.
   * grant_*: committed, not yet granted back. */
  uint64_t send_e, send_b, avail_e, avail_b, unc_e, unc_b, grant_e, grant_b;
  uint32_t idle_ms, keepalive_ms; /* cp_sync_config.idle_ms, or the defaults */

  int synced_reported;
  int clock_on;
  uint64_t now, t_start, t_rx, t_tx;
  cp_sync_stats st;
};

/* Bounded read cursor. */
typedef struct cp_rd {
  const uint8_t *p, *end;
} cp_rd;

static inline uint64_t be64_get(const uint8_t *p) {
  return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
         (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
         (uint64_t)p[6] << 8 | p[7];
}
static inline size_t rd_left(const cp_rd *r) { return (size_t)(r->end - r->p); }
static inline int rd_u8(cp_rd *r, uint8_t *v) {
  if (rd_left(r) < 1) return CP_EPROTO;
  *v = *r->p++;
  return 0;
}
static inline int rd_u16(cp_rd *r, uint16_t *v) {
  if (rd_left(r) < 2) return CP_EPROTO;
  *v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
  r->p += 2;
  return 0;
}
static inline int rd_u32(cp_rd *r, uint32_t *v) {
  if (rd_left(r) < 4) return CP_EPROTO;
  *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
  r->p += 4;
  return 0;
}
static inline int rd_u64(cp_rd *r, uint64_t *v) {
  if (rd_left(r) < 8) return CP_EPROTO;
  *v = be64_get(r->p);
  r->p += 8;
  return 0;
}
static inline int rd_bytes(cp_rd *r, size_t n, const uint8_t **p) {
  if (rd_left(r) < n) return CP_EPROTO;
  *p = r->p;
  r->p += n;
  return 0;
}

static inline void be16_put(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void be32_put(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static inline void be64_put(uint8_t *p, uint64_t v) {
  be32_put(p, (uint32_t)(v >> 32));
  be32_put(p + 4, (uint32_t)v);
}

/* proto/sync.c */
int cp__sync_fail(cp_sync *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
cp_sync_event *cp__sync_ev_push(cp_sync *s, cp_sync_ev_type type);
void cp__sync_pump(cp_sync *s);
void cp__sync_hexkey(const uint8_t k[CP_PK_BYTES], char out[17]);
/* BLAKE2b (outlen bytes) of tag || u64be (b - a) || heads[a..b) each as
 * log || u64be size || head: the heads digest and the range fingerprint. */
void cp__sync_heads_hash(const char *tag, const cp_sync_head *heads, size_t a, size_t b,
                         uint8_t *out, size_t outlen);

/* proto/frame.c: output frames. begin returns where up to max plaintext
 * bytes go, or NULL when the output queue cannot take them now (keep
 * free_reserved bytes for a pending entries batch unless use_reserved). */
uint8_t *cp__frame_begin(cp_sync *s, size_t max, int use_reserved);
void cp__frame_end(cp_sync *s, size_t len);
size_t cp__frame_room(const cp_sync *s, int use_reserved);
int cp__frame_feed(cp_sync *s, const uint8_t *in, size_t len, size_t *used);
int cp__frame_send_close(cp_sync *s, int code, const char *reason);

/* proto/handshake.c */
int cp__hs_start(cp_sync *s);
int cp__hs_recv(cp_sync *s, const uint8_t *msg, size_t len);
void cp__hs_wipe(cp_sync *s);

/* proto/sync_msg.c: one decrypted post-handshake message. */
int cp__sync_dispatch(cp_sync *s, const uint8_t *msg, size_t len);

/* proto/sync_recon.c */
int cp__recon_accept(cp_sync *s, const uint8_t *msg, size_t len);
int cp__recon_pump(cp_sync *s);
int cp__recon_start(cp_sync *s);

/* proto/sync_entries.c */
int cp__req_enqueue(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t seq);
int cp__entries_pump(cp_sync *s);
int cp__on_req(cp_sync *s, cp_rd *r);
int cp__on_entries(cp_sync *s, cp_rd *r);
int cp__on_credit(cp_sync *s, cp_rd *r);

#endif
