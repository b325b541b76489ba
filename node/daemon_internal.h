/* credport — node daemon internals shared by daemon.c, session.c, pipeline.c. */
#ifndef CP_NODE_DAEMON_INTERNAL_H
#define CP_NODE_DAEMON_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <uv.h>

#include "credport/node.h"
#include "credport/sync.h"

#define CP_RBUF 65536u
#define CP_WRITE_STALL_MS 30000u     /* a peer that stops reading is dropped */
/* Environment variable overriding CP_WRITE_STALL_MS (milliseconds; for tests). */
#define CP_WRITE_STALL_ENV "CREDPORT_WRITE_STALL_MS"
/* Environment variable overriding CP_SYNC_IDLE_MS (milliseconds; for tests). */
#define CP_IDLE_ENV "CREDPORT_IDLE_MS"
#define CP_BACKOFF_MIN_MS 500u
#define CP_BACKOFF_MAX_MS 30000u
#define CP_WRITER_BATCH_MAX 256u     /* jobs one writer commit takes at most */
#define CP_PUSH_MAX 256u             /* own entries pushed per wake-up */
#define CP_SESSION_CREDIT_ENTRIES 32768u  /* entries a partner may have in our pipeline */
#define CP_SESSION_CREDIT_BYTES (32u << 20)
/* Environment variable lowering CP_SESSION_CREDIT_ENTRIES (for tests). */
#define CP_CREDIT_ENV "CREDPORT_CREDIT_ENTRIES"
#define CP_NODE_MAP_RESIDENT (48u << 20) /* ledger file pages kept mapped (cp_store_tune) */
#define CP_CLOCK_RECORD_MS 600000u    /* a partner's clock is stored at most this often */
#define CP_PREAUTH_MAX 32u           /* sessions still in their handshake */
/* A partner's session counts as progress, and resets the backoff, once it
 * synced and stayed up this long. */
#define CP_BACKOFF_STABLE_MS 10000u
/* Environment variable overriding CP_BACKOFF_STABLE_MS (milliseconds; for tests). */
#define CP_BACKOFF_STABLE_ENV "CREDPORT_BACKOFF_STABLE_MS"

/* Per-session budget (node/budget.c; docs/PROTOCOL.md, "Limits"). */
#define CP_SESSION_NOTES_MAX 64u     /* CHECKPOINT, FORK, CPFORK jobs of one session */
#define CP_SESSION_NOTE_BYTES (2u << 20) /* bytes those jobs hold */
#define CP_SESSION_WASTE_BURST 4096u /* units of work that brought nothing, at once */
#define CP_SESSION_WASTE_RATE 256u   /* units regained per second */
#define CP_COST_RECON 16u            /* a RECON turn (fingerprints over our heads) */
#define CP_COST_INVALID 256u         /* a note that fails verification */
#define CP_PENALTY_MS 30000u         /* a key closed for its budget is refused this long */
/* Environment variable overriding CP_PENALTY_MS (milliseconds; for tests). */
#define CP_PENALTY_ENV "CREDPORT_PENALTY_MS"
#define CP_PENALTY_SLOTS 16u         /* keys remembered in the penalty box */
#define CP_BUDGET_RECENT 32u         /* entry batches remembered per session */
#define CP_BUDGET_KINDS 8u           /* kinds of waste tallied per session */
#define CP_BUDGET_HAVES 64u          /* announced heads remembered per session */
#define CP_CONN_MAX 512u             /* sessions in all (about 2.5 MiB each) */
#define CP_PEERS_RELOAD_MS 500u      /* the peer table is looked at this often */

typedef struct cp__node cp__node;
typedef struct cp__conn cp__conn;

/* What one session's peer has made this node spend (node/budget.c). Credit
 * bounds its entries; this bounds everything else. */
typedef struct cp__budget {
  uint32_t jobs, notes;          /* pipeline jobs from this session; CHECKPOINT/FORK among them */
  uint64_t bytes, note_bytes;    /* bytes those jobs hold */
  int64_t tokens;                /* milli-units left in the waste bucket */
  uint64_t refill_ms;
  uint64_t wasted;               /* units charged so far */
  char last[64];                 /* what was charged last */
  struct {
    char what[64];
    uint64_t units;
  } kinds[CP_BUDGET_KINDS];      /* units charged per kind of waste (the largest kept) */
  uint64_t pings_seen, recon_seen; /* engine counters already charged */
  int paused;                    /* reading stopped until the pipeline drains */
  size_t roff, rlen;             /* bytes of rbuf not fed yet */
  struct {
    uint8_t log[CP_PK_BYTES];
    uint64_t end;
  } recent[CP_BUDGET_RECENT];    /* the latest entry batches: log, seq after the batch */
  unsigned nrecent;
  struct {
    uint8_t log[CP_PK_BYTES];
    uint64_t size;
  } haves[CP_BUDGET_HAVES];      /* the largest size the peer announced per log (hashed) */
} cp__budget;

typedef struct cp__resolve cp__resolve;

typedef struct cp__partner {
  cp__node *n;
  uint64_t mark;                 /* reload generation that last saw it in the table */
  uint8_t key[CP_PK_BYTES];
  char addr[CP_ADDR_MAX];
  uv_timer_t timer;
  unsigned backoff_ms;
  uint32_t conn_id;              /* 0 when not connected or dialling */
  cp__resolve *res;              /* its name being resolved, else NULL */
  unsigned turn;                 /* which resolved address the next dial takes */
} cp__partner;

struct cp__conn {
  cp__node *n;
  cp__conn *next;
  uint32_t id;
  uv_tcp_t tcp;
  uv_connect_t creq;
  uv_write_t wreq;
  cp_sync *sync;
  cp__partner *partner;          /* set when we dialled */
  char addr[CP_ADDR_MAX];
  char src[48];                  /* source of an accepted one (admission.h) */
  char name[20];                 /* peer key prefix once known */
  uint8_t peer[CP_PK_BYTES];
  int authed, synced, closing, close_after_flush, writing, want_pending;
  cp_sync_head *heads;           /* snapshot given for NEED_HEADS */
  size_t nheads;
  uint8_t want_log[CP_PK_BYTES];
  uint64_t want_seq;
  uint32_t want_count, want_bytes;
  uint8_t *wbuf;
  size_t wcap;
  uint64_t write_since_ms, last_rx_ms, authed_ms;
  cp__budget b;
  cp_clock_obs clock;            /* the peer's latest clock (D-5) */
  uint64_t clock_recorded_ms;    /* boot clock when it was last written to the store */
  uint8_t rbuf[CP_RBUF];
};

/* A pipeline job: entries to verify and commit, or a checkpoint or fork
 * proof to store, or a peer record to update. Jobs commit in arrival order. */
typedef enum { JOB_ENTRIES = 1, JOB_CHECKPOINT, JOB_FORK, JOB_PEER, JOB_CPFORK } cp__job_kind;

typedef struct cp__job {
  struct cp__job *next;
  cp__node *n;
  cp__job_kind kind;
  uint32_t conn_id;
  uint8_t log[CP_PK_BYTES];
  uint64_t first_seq;
  uint32_t count, bytes;
  size_t nitems;
  const uint8_t **items;
  size_t *lens;
  uint8_t *data;
  /* JOB_ENTRIES: the key each item's signature was verified under by the
   * worker (all zero: not verified there; the writer checks it). */
  uint8_t (*vkeys)[CP_PK_BYTES];
  cp_peer_info peer;             /* JOB_PEER */
  uint32_t held;                 /* bytes accounted to the session's budget */
  int verified;                  /* verification finished (or not needed) */
  int rc;                        /* verification or commit result */
  int cosigned;                  /* JOB_CHECKPOINT: stored with this node's cosignature */
  size_t added;
  char why[320];
  uv_work_t work;
} cp__job;

struct cp__node {
  const cp_node_config *cfg;
  uv_loop_t *loop;
  cp_store *s;
  uint8_t self[CP_PK_BYTES];
  uv_tcp_t server;
  uv_signal_t sigint, sigterm;
  uv_timer_t tick;
  uv_fs_event_t watch;
  uv_timer_t pushtimer;           /* re-checks the own log after a file event */
  unsigned push_tries;
  int listening, watching, stopping;
  cp__partner **partners;        /* each allocated alone: handles live inside */
  size_t npartners;
  uint64_t peers_digest;         /* hash of the peer table's keys and addresses */
  uint64_t peers_gen, peers_checked_ms;
  cp__resolve *oneshot_res;      /* the one-shot partner's name being resolved */
  uint8_t *allow;
  size_t nallow;
  size_t ntable;                 /* allow[0..ntable) are from the peer table */
  cp__conn *conns;
  uint32_t next_id;
  cp__job *jq_head, *jq_tail;    /* arrival order */
  cp__job *writing;              /* the jobs the writer is committing */
  uv_work_t wwork;
  int writer_busy;
  unsigned verifying;
  uint64_t own_size;             /* own log size already pushed */
  unsigned write_stall_ms;       /* CP_WRITE_STALL_MS, or CP_WRITE_STALL_ENV */
  unsigned idle_ms;              /* 0 (CP_SYNC_IDLE_MS), or CP_IDLE_ENV */
  uint32_t credit_entries;       /* CP_SESSION_CREDIT_ENTRIES, or CP_CREDIT_ENV */
  uint64_t started_ms, last_progress_ms;
  unsigned penalty_ms;           /* CP_PENALTY_MS, or CP_PENALTY_ENV */
  unsigned stable_ms;            /* CP_BACKOFF_STABLE_MS, or CP_BACKOFF_STABLE_ENV */
  struct {
    uint8_t key[CP_PK_BYTES];
    uint64_t until_ms;
  } penalty[CP_PENALTY_SLOTS];   /* keys closed for their budget, refused until */
  cp_node_summary *sum;
  struct cp__adm *adm;           /* accepted connections (admission.h) */
  struct cp__loglim *loglim;     /* lines strangers and partners cause */
  FILE *logf;                    /* cfg->log_file opened, else NULL */
  uv_signal_t sighup;
};

/* daemon_log.c: the sink of every line (level filter, format, file). */
void cp__vlog(cp__node *n, const char *level, const char *fmt, va_list ap);
int cp__log_open(cp__node *n);     /* 0 or -errno */
void cp__log_reopen(cp__node *n);  /* SIGHUP */
void cp__log_close(cp__node *n);

/* daemon.c */
void cp__log(cp__node *n, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t cp__now_ms(cp__node *n);
cp__conn *cp__conn_by_id(cp__node *n, uint32_t id);
void cp__partner_retry(cp__partner *p);
/* What a session still had to do (docs/PROTOCOL.md, D-4), for a one-shot
 * sync that ends without completing: "log 3b6a27bc…: partner at N of M; ...".
 * Empty when nothing is known to be left. */
void cp__sync_left(cp__conn *c, char *out, size_t cap);
/* Like cp__log, for a line that the peer of c can cause (c may be NULL when
 * the authenticated session it came from is gone): fmt starts with
 * "event=NAME". Lines are limited per window and source (the partner's key
 * once authenticated, else the address); the rest are summed up in
 * "event=NAME-summary" lines. */
void cp__conn_log(cp__node *n, const cp__conn *c, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* session.c reports a handshake completed and a connection closed. */
void cp__admission_authed(cp__conn *c);
void cp__admission_closed(cp__conn *c);

/* daemon.c: "a.b.c.d:port" or "[v6]:port" into ss; non-zero for anything
 * else (a host name). */
int cp__parse_addr(const char *s, struct sockaddr_storage *ss);
/* daemon.c: dials addr for partner p (NULL: the one-shot partner). */
void cp__dial(cp__node *n, cp__partner *p, const char *addr);
/* Cancels a partner's name lookup if still queued (one running ends
 * normally); cp__resolve_orphan also detaches it from its partner, which may
 * then be freed: its end frees the lookup and dials nothing. */
void cp__resolve_cancel(cp__resolve *r);
void cp__resolve_orphan(cp__resolve *r);

/* partners.c: the peer table in a running node. cp__partners_load reads it
 * at start (the allowlist and the partners to dial); cp__partners_reload,
 * called every tick, applies changes made since (peer add / remove by
 * another process) within CP_PEERS_RELOAD_MS: new partners are dialled,
 * removed ones closed and forgotten, changed addresses used from the next
 * dial, and the allowlist follows. */
int cp__partners_load(cp__node *n);
void cp__partners_reload(cp__node *n, uint64_t now);
void cp__partners_stop(cp__node *n);   /* timers stopped, lookups cancelled */
void cp__partners_close(cp__node *n);  /* handles closed; freed once closed */
void cp__partners_free(cp__node *n);

/* session.c */
cp__conn *cp__conn_new(cp__node *n, cp_sync_role role);
void cp__conn_start_reading(cp__conn *c);
void cp__conn_close(cp__conn *c, int err, const char *reason);
/* Closes the socket at once, without a CLOSE message. */
void cp__conn_abort(cp__conn *c);
void cp__conn_flush(cp__conn *c);
void cp__conn_tick(cp__conn *c, uint64_t now);
void cp__push_own(cp__node *n);
void cp__announce_logs(cp__node *n, const uint8_t (*logs)[CP_PK_BYTES], size_t nlogs,
                       uint32_t except_id);
void cp__broadcast_fork(cp__node *n, const uint8_t log[CP_PK_BYTES]);
/* Sends log's stored checkpoint note to every session but except (may be NULL). */
void cp__relay_checkpoint(cp__node *n, const uint8_t log[CP_PK_BYTES], const cp__conn *except);

/* session.c: feeds what is left of the read buffer and reads again. */
void cp__conn_resume(cp__conn *c);

/* budget.c */
void cp__budget_start(cp__conn *c, uint64_t now);
/* Charges cost units of wasted work, named by what. When the bucket runs
 * dry the session is closed with a logged reason, counted as refused, and
 * its key goes into the penalty box: returns CP_EDENIED then, else 0. */
int cp__budget_charge(cp__conn *c, unsigned cost, const char *what);
/* Charges the engine's counters (PING, RECON) since the last call. */
void cp__budget_frames(cp__conn *c);
/* Whether reading must stop until the session's pipeline jobs drain. */
int cp__budget_full(const cp__conn *c);
void cp__budget_job_added(cp__conn *c, cp__job *j);
/* A job ends (committed, refused or discarded): its cost leaves its session. */
void cp__budget_job_done(cp__node *n, cp__job *j);
/* Resumes the sessions paused for their budget that now have room. */
void cp__budget_resume(cp__node *n);
void cp__budget_entries(cp__conn *c, const uint8_t log[CP_PK_BYTES], uint64_t end);
/* 1 when a received CHECKPOINT / FORK may tell this node something and is
 * worth a pipeline job; 0 when it was dropped (and charged). */
int cp__budget_checkpoint(cp__conn *c, const cp_sync_event *ev);
int cp__budget_fork(cp__conn *c, const cp_sync_event *ev);
/* A HAVE for log at size: charged when it repeats what this session said. */
void cp__budget_have(cp__conn *c, const uint8_t log[CP_PK_BYTES], uint64_t size, int asked);
/* Milliseconds the key is still refused for having exceeded its budget. */
uint64_t cp__penalty_left(cp__node *n, const uint8_t key[CP_PK_BYTES]);

/* pipeline.c */
void cp__job_submit(cp__node *n, cp__job *j);  /* takes ownership */
cp__job *cp__job_new(cp__node *n, cp__job_kind kind, uint32_t conn_id);
int cp__job_copy_items(cp__job *j, const cp_sync_blob *items, size_t n);
int cp__pipeline_idle(const cp__node *n);

#endif
