/*
 * credport — the federation sync engine (proto/sync*.c, proto/handshake.c,
 * proto/frame.c). The wire protocol is specified in docs/PROTOCOL.md.
 *
 * The engine is bytes in, bytes out, as BearSSL's is: it never touches a
 * socket, a clock, a thread or the store. The caller (node/) moves bytes
 * between the engine and the network, answers the engine's events from the
 * ledger, and tells the engine when entries it handed over are durable.
 *
 * Driving a session (all calls on one thread; a session is not shared):
 *
 *   cp_sync_create(...)
 *   loop:
 *     bytes arrived      -> cp_sync_feed(s, buf, n, &used); keep buf[used..n)
 *                           for later when it returns CP_EAGAIN
 *     socket writable    -> p = cp_sync_out(s, &n); write; cp_sync_out_ack(s, w)
 *     after each of them -> while (cp_sync_next_event(s, &ev) == 0) handle(ev)
 *     timer              -> cp_sync_tick(s, now_ms)
 *   cp_sync_free(s)
 *
 * Any error poisons the session, as LMDB poisons a transaction
 * (MDB_TXN_ERROR): every later call returns the same code (after
 * cp_sync_next_event has handed out the events already queued, such as
 * PEER_ERROR), cp_sync_error() names the message and the reason, and only
 * cp_sync_out / cp_sync_out_ack (to flush the CLOSE frame that tells the
 * peer why) and cp_sync_free still do anything.
 *
 * Calls that queue output (provide, push, announce, send_*) return
 * CP_EAGAIN when the output queue cannot take it now: write and ack some of
 * cp_sync_out, then call again. The engine's own traffic waits the same way.
 *
 * Memory: cp_sync_create makes the one allocation of the session (about
 * 2.4 MiB: one input frame, the output queue, a reconciliation buffer and
 * the request queues). Nothing is allocated per frame, and nothing is sized
 * from a length a peer sent.
 */
#ifndef CREDPORT_SYNC_H
#define CREDPORT_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_SYNC_VERSION 1U

/* Protocol constants (docs/PROTOCOL.md, "Limits"). */
#define CP_SYNC_BATCH_MAX     256U        /* entries in one ENTRIES message */
#define CP_SYNC_BATCH_BYTES   (512u * 1024) /* entry bytes in one ENTRIES message */
#define CP_SYNC_WINDOW        32U         /* open requests per direction */
#define CP_SYNC_RECON_MAX     (64u * 1024) /* plaintext of one RECON message */
#define CP_SYNC_REASON_MAX    256U        /* reason text in a CLOSE message */
#define CP_SYNC_ENTRY_MIN     42U         /* log key and seq must be present */
#define CP_SYNC_ALLOW_MAX     4096U       /* partner keys in one allowlist */
#define CP_SYNC_HANDSHAKE_MS  10000U      /* handshake must finish within */
#define CP_SYNC_KEEPALIVE_MS  15000U      /* PING after this much silence */
#define CP_SYNC_IDLE_MS       60000U      /* peer silent this long: -ETIMEDOUT */

typedef struct cp_sync cp_sync;

typedef enum { CP_SYNC_INITIATOR = 1, CP_SYNC_RESPONDER = 2 } cp_sync_role;

/* cp_sync_head.flags */
#define CP_SYNC_HEAD_FORKED 0x1u /* we hold a fork proof of this log: never request it */

/* One log head: the caller's view of one log (the ledger's committed state).
 * Only log, size and head travel (DIGEST, RECON, HAVE); flags are local. */
typedef struct cp_sync_head {
  uint8_t log[CP_PK_BYTES];    /* log key */
  uint64_t size;               /* number of entries committed (next seq) */
  uint8_t head[CP_HASH_BYTES]; /* entry ID (leaf hash) of entry size-1 */
  uint32_t flags;              /* CP_SYNC_HEAD_*; 0 for an ordinary log */
} cp_sync_head;

/* A borrowed byte string (an encoded entry, a note). */
typedef struct cp_sync_blob {
  const uint8_t *p;
  size_t len;
} cp_sync_blob;

typedef struct cp_sync_config {
  cp_sync_role role;
  /* Our authority key: signs the handshake. Borrowed; must outlive the
   * session. */
  const cp_key *key;
  /* Partner public keys allowed to talk to us: n_allow keys of
   * CP_PK_BYTES each, back to back (n_allow <= CP_SYNC_ALLOW_MAX). Copied
   * at create. A peer whose key is not here is refused (CP_EDENIED) before
   * any ledger message is read. */
  const uint8_t *allow;
  size_t n_allow;
  /* Credit granted to the peer for entries it sends us that we have not yet
   * committed. 0 picks the defaults (1024 entries, 4 MiB). bytes is raised
   * to at least CP_ENTRY_MAX so one entry of the largest size always fits. */
  uint32_t credit_entries;
  uint32_t credit_bytes;
  /* A peer silent this long is dropped (-ETIMEDOUT); 0 picks
   * CP_SYNC_IDLE_MS. Keepalives go out after a quarter of it at most. */
  uint32_t idle_ms;
} cp_sync_config;

typedef enum {
  CP_SYNC_EV_NONE = 0,
  /* The peer proved its key; ev.log holds it. (The initiator reports this
   * when it has sent its own proof; if the responder then refuses it, the
   * next frame fails.) Ledger traffic follows. */
  CP_SYNC_EV_HANDSHAKE_DONE = 1,
  /* Answer with cp_sync_provide_heads (now or later). */
  CP_SYNC_EV_NEED_HEADS = 2,
  /* Reconciliation is over and every request it caused was answered (or
   * the digests matched at once). ev.count = logs we requested from. The
   * session stays open for live push. Reported once. */
  CP_SYNC_EV_SYNCED = 3,
  /* The peer wants entries of log ev.log from seq ev.seq: answer with
   * cp_sync_provide_entries giving at most ev.count entries and ev.bytes
   * bytes of entries (sum of their lengths). May be answered later; no other
   * WANT_ENTRIES is reported until it is. */
  CP_SYNC_EV_WANT_ENTRIES = 4,
  /* Entries arrived: ev.count entries of log ev.log, first at seq ev.seq,
   * in ev.items[0..count) (total ev.bytes bytes), ev.live if pushed rather
   * than requested. The engine checked only their framing, log key and
   * consecutive seqs: verify them. Once they are committed (or rejected and
   * dropped), call cp_sync_entries_committed with count and bytes; only then
   * is the peer granted more credit. */
  CP_SYNC_EV_ENTRIES = 5,
  /* The peer announced log ev.log at size ev.seq with head ev.head and could
   * not push it; call cp_sync_request(s, ev.log, our_size) if we are behind. */
  CP_SYNC_EV_PEER_HAS = 6,
  /* A checkpoint (signed note text, ev.items[0]) for log ev.log. Unverified. */
  CP_SYNC_EV_CHECKPOINT = 7,
  /* A fork proof: ev.items[0] and ev.items[1] are two raw entries of log
   * ev.log, either two different entries at seq ev.seq or entries ev.seq and
   * ev.seq + 1 (the second's prev should contradict the first). Unverified:
   * check the contradiction and both signatures. */
  CP_SYNC_EV_FORK_PROOF = 8,
  /* The peer closed the session: ev.code (a cp_err or -errno it sent) and
   * ev.items[0] (its reason text, not NUL-terminated). The session is now
   * poisoned with CP_EPROTO. */
  CP_SYNC_EV_PEER_ERROR = 9,
  /* The peer's clock: ev.time_ms is the Unix time in milliseconds the peer
   * put in its DIGEST or a keepalive PING (D-5). Take your own clock now:
   * the difference is the peer's offset, within one network delay. Not
   * reported when the peer gave no time. */
  CP_SYNC_EV_PEER_CLOCK = 10,
  /* A checkpoint fork proof for log ev.log: ev.items[0] and ev.items[1] are
   * two signed checkpoint notes (text), ev.items[2] holds the old root and
   * then the consistency path, 32 bytes each (1 to 1 + CP_MERKLE_MAX_LEVELS
   * hashes). Unverified: check it by R-fork-03 (docs/FORMATS.md). */
  CP_SYNC_EV_CHECKPOINT_FORK = 11,
  /* A revocation statement (text, ev.items[0], 1 to CP_REVSTAT_MAX bytes)
   * for log ev.log (docs/FORMATS.md R-rev-02). Unverified: check its
   * signature, checkpoint and revocation set against the held log. */
  CP_SYNC_EV_REVSTAT = 12
} cp_sync_ev_type;

/*
 * An event. Pointers (items and what they point to) borrow from the session
 * and are valid until the next call to cp_sync_next_event, cp_sync_feed or
 * cp_sync_free on the session, whichever comes first: copy what you keep.
 */
typedef struct cp_sync_event {
  cp_sync_ev_type type;
  uint8_t log[CP_PK_BYTES];
  uint64_t seq;
  uint32_t count;
  uint32_t bytes;
  int live;
  int code;
  uint8_t head[CP_HASH_BYTES];
  const cp_sync_blob *items;
  uint64_t time_ms;            /* PEER_CLOCK */
} cp_sync_event;

/* Where a session stands, for a one-shot sync's verdict and report. */
typedef struct cp_sync_progress {
  int recon_done;               /* our reconciliation is over */
  int done_sent, peer_done;     /* DONE sent by us / received from the peer (D-4) */
  uint64_t requests_left;       /* our requests queued or open */
  uint64_t peer_requests;       /* the peer's requests we have not finished serving */
  uint64_t sent_unacked;        /* entries we sent that the peer has not yet credited back */
  uint64_t received_uncommitted;/* entries handed to us, not yet reported committed */
} cp_sync_progress;

typedef struct cp_sync_stats {
  uint64_t bytes_in, bytes_out;       /* wire bytes, framing included */
  uint64_t frames_in, frames_out;
  uint64_t recon_in, recon_out;       /* RECON messages */
  uint64_t pings_in;                  /* PING messages */
  uint64_t requests_out;              /* REQ messages sent */
  uint64_t entries_in, entries_out;
  uint64_t entries_expected;          /* what our reconciliation requests will bring */
} cp_sync_stats;

/* Creates a session. *out is NULL on error (CP_EINVAL for a bad config,
 * CP_ENOMEM). The initiator's first handshake message is ready in
 * cp_sync_out at once. */
int cp_sync_create(const cp_sync_config *cfg, cp_sync **out)
    __attribute__((warn_unused_result, nonnull));
/* Frees the session and wipes its keys. NULL is a no-op. */
void cp_sync_free(cp_sync *s);

/*
 * Feeds received bytes. Consumes as much as it can and sets *used. Returns 0
 * when all of in was consumed, CP_EAGAIN when it stopped early because
 * events must be taken first (call cp_sync_next_event, then feed the rest
 * again), or the session's error. Lengths are checked against
 * CP_FRAME_MAX_PREAUTH (before the handshake) or CP_FRAME_MAX before a byte
 * of the frame body is copied.
 */
int cp_sync_feed(cp_sync *s, const uint8_t *in, size_t len, size_t *used)
    __attribute__((nonnull(1, 4)));

/* Bytes waiting to be sent: returns a pointer and sets *len (0: nothing).
 * Valid until the next call on the session. Never more than one output
 * queue (about CP_FRAME_MAX + CP_SYNC_RECON_MAX + 64 KiB) is buffered. */
const uint8_t *cp_sync_out(const cp_sync *s, size_t *len) __attribute__((nonnull));
/* n bytes of cp_sync_out were written; n <= *len. */
void cp_sync_out_ack(cp_sync *s, size_t n) __attribute__((nonnull));

/* Takes the next event into *ev: 0, or CP_EAGAIN when there is none, or the
 * session's error. */
int cp_sync_next_event(cp_sync *s, cp_sync_event *ev) __attribute__((nonnull));

/*
 * Answers NEED_HEADS. heads[0..n) must be sorted by log key, strictly
 * ascending (CP_EINVAL otherwise). The array is borrowed: it must stay valid
 * and unchanged until the session reports CP_SYNC_EV_SYNCED or is freed
 * (reconciliation reads it as messages arrive). It is a snapshot, given once
 * per session; entries committed later travel by cp_sync_push /
 * cp_sync_announce.
 */
int cp_sync_provide_heads(cp_sync *s, const cp_sync_head *heads, size_t n)
    __attribute__((warn_unused_result, nonnull(1)));

/*
 * Answers WANT_ENTRIES for log/from_seq: entries[0..n) are consecutive raw
 * entries of that log starting at from_seq, within the event's count and
 * bytes; end != 0 says there is nothing after them (n may be 0 then). n = 0
 * with end = 0 means "none fit yet": the engine asks again when the peer
 * grants more credit. The bytes are copied before return.
 */
int cp_sync_provide_entries(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t from_seq,
                            const cp_sync_blob *entries, size_t n, int end)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* count entries totalling bytes from ENTRIES events are durable (or were
 * rejected and dropped): the peer gets that much credit back. */
int cp_sync_entries_committed(cp_sync *s, uint32_t count, uint32_t bytes)
    __attribute__((warn_unused_result, nonnull));

/* Asks the peer for log from from_seq (a resume, or after PEER_HAS).
 * CP_EEXIST if a request for that log is already open or queued, CP_EAGAIN
 * if the request queue is full, CP_EINVAL before the handshake is done. */
int cp_sync_request(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t from_seq)
    __attribute__((warn_unused_result, nonnull));

/* Live push of freshly committed entries (same rules as provide_entries).
 * If the peer's credit or the output queue cannot take them, returns
 * CP_EAGAIN and sends nothing: call cp_sync_announce instead. */
int cp_sync_push(cp_sync *s, const uint8_t log[CP_PK_BYTES], uint64_t first_seq,
                 const cp_sync_blob *entries, size_t n)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* Tells the peer we hold log at size with head (it may then request). */
int cp_sync_announce(cp_sync *s, const cp_sync_head *h) __attribute__((warn_unused_result, nonnull));
/* Sends a checkpoint (signed note text, at most CP_NOTE_MAX bytes) for log. */
int cp_sync_send_checkpoint(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *note,
                            size_t len) __attribute__((warn_unused_result, nonnull));
/* Sends a fork proof: two raw entries of one log, either different entries
 * at one seq or entries at seqs k and k+1 (in that order). */
int cp_sync_send_fork_proof(cp_sync *s, const uint8_t *a, size_t alen, const uint8_t *b,
                            size_t blen) __attribute__((warn_unused_result, nonnull));

/* Sends a revocation statement (text, 1 to CP_REVSTAT_MAX bytes) for log:
 * CP_EINVAL for an empty one, CP_ETOOBIG over the limit, CP_EAGAIN when
 * the output queue has no room. */
int cp_sync_send_revstat(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *text,
                         size_t len) __attribute__((warn_unused_result));

/* Sends a checkpoint fork proof of log: notes a and b (each 1 to
 * CP_NOTE_MAX bytes), the old root and the consistency path of npath
 * hashes (at most CP_MERKLE_MAX_LEVELS). The engine checks only the sizes. */
int cp_sync_send_checkpoint_fork(cp_sync *s, const uint8_t log[CP_PK_BYTES], const char *a,
                                 size_t alen, const char *b, size_t blen,
                                 const uint8_t old_root[CP_HASH_BYTES],
                                 const uint8_t (*path)[CP_HASH_BYTES], size_t npath)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 5, 7)));

/* Drives keepalive and timeouts; now_ms is any monotonic clock. Returns 0
 * or the session's error (-ETIMEDOUT when the peer fell silent). */
int cp_sync_tick(cp_sync *s, uint64_t now_ms) __attribute__((nonnull));

/* Ends the session on our side: queues a CLOSE carrying err and reason for
 * the peer (flush it with cp_sync_out) and poisons the session with err. */
void cp_sync_close(cp_sync *s, int err, const char *reason) __attribute__((nonnull(1)));

/* 0 while healthy, else the error that poisoned the session. */
int cp_sync_status(const cp_sync *s) __attribute__((nonnull));
/* The reason text for the session's error ("" while healthy); valid until
 * cp_sync_free. Names the message and why, e.g. "HS2: responder key
 * 3b6a27bc... is not on the allowlist". */
const char *cp_sync_error(const cp_sync *s) __attribute__((nonnull));
/* The peer's key once the handshake is done (else CP_EAGAIN). */
int cp_sync_peer(const cp_sync *s, uint8_t pk[CP_PK_BYTES]) __attribute__((nonnull));
void cp_sync_get_stats(const cp_sync *s, cp_sync_stats *st) __attribute__((nonnull));

/* Our wall clock, Unix milliseconds, for the DIGEST and PINGs we send
 * (D-5); call it before cp_sync_provide_heads and on every tick. Never set:
 * they say 0, "unknown". */
void cp_sync_set_clock(cp_sync *s, uint64_t unix_ms) __attribute__((nonnull));

/* Both directions are complete (D-4): we sent DONE (our reconciliation is
 * over, every request answered, everything received committed), the peer
 * sent DONE, no request of the peer is left to serve, every entry we sent
 * was credited back (the peer committed it), and the output queue is empty.
 * 0 while anything is left or after an error. */
int cp_sync_complete(const cp_sync *s) __attribute__((nonnull));
void cp_sync_get_progress(const cp_sync *s, cp_sync_progress *p) __attribute__((nonnull));
/* The i-th (from 0) open request of the peer that we serve: its log and the
 * next seq we would send. CP_ENOTFOUND past the last. */
int cp_sync_peer_request(const cp_sync *s, size_t i, uint8_t log[CP_PK_BYTES], uint64_t *seq)
    __attribute__((nonnull));
/* The i-th (from 0) of our requests not yet finished, open ones first: its
 * log and the next seq we expect. CP_ENOTFOUND past the last. */
int cp_sync_own_request(const cp_sync *s, size_t i, uint8_t log[CP_PK_BYTES], uint64_t *seq)
    __attribute__((nonnull));

/* The heads digest of docs/PROTOCOL.md ("DIGEST"), for tests and status. */
void cp_sync_heads_digest(const cp_sync_head *heads, size_t n, uint8_t out[CP_HASH_BYTES]);

#ifdef __cplusplus
}
#endif
#endif
