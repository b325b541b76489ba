/* credport — node daemon internals shared by daemon.c, session.c, pipeline.c. */
#ifndef CP_NODE_DAEMON_INTERNAL_H
#define CP_NODE_DAEMON_INTERNAL_H

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
#define CP_NODE_MAP_RESIDENT (48u << 20) /* ledger file pages kept mapped (cp_store_tune) */
#define CP_PREAUTH_MAX 32u           /* sessions still in their handshake */
#define CP_CONN_MAX 512u             /* sessions in all (about 2.5 MiB each) */

typedef struct cp__node cp__node;
typedef struct cp__conn cp__conn;

typedef struct cp__partner {
  cp__node *n;
  uint8_t key[CP_PK_BYTES];
  char addr[CP_ADDR_MAX];
  uv_timer_t timer;
  unsigned backoff_ms;
  uint32_t conn_id;              /* 0 when not connected or dialling */
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
  uint64_t write_since_ms, last_rx_ms;
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
  int verified;                  /* verification finished (or not needed) */
  int rc;                        /* verification or commit result */
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
  cp__partner *partners;
  size_t npartners;
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
  uint64_t started_ms, last_progress_ms;
  cp_node_summary *sum;
};

/* daemon.c */
void cp__log(cp__node *n, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t cp__now_ms(cp__node *n);
cp__conn *cp__conn_by_id(cp__node *n, uint32_t id);
void cp__partner_retry(cp__partner *p);

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

/* pipeline.c */
void cp__job_submit(cp__node *n, cp__job *j);  /* takes ownership */
cp__job *cp__job_new(cp__node *n, cp__job_kind kind, uint32_t conn_id);
int cp__job_copy_items(cp__job *j, const cp_sync_blob *items, size_t n);
int cp__pipeline_idle(const cp__node *n);

#endif
