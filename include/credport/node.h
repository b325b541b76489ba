/*
 * credport — the node daemon (node/daemon.c, node/session.c, node/pipeline.c).
 *
 * Runs the sync engine (sync.h) over libuv TCP: listens for partners, dials
 * the partners in the store's peer table (reconnecting with backoff),
 * replicates every log both sides know, and pushes new entries live.
 *
 * Threads: the loop thread does I/O and drives the engines; signatures are
 * verified on libuv's thread pool; one writer job at a time commits to LMDB
 * (also on the pool, so a long commit never blocks the loop). Nothing is
 * acknowledged to a peer (credit returned) or relayed before its commit.
 */
#ifndef CREDPORT_NODE_H
#define CREDPORT_NODE_H

#include <stdint.h>
#include <stdio.h>
#include "sig.h"
#include "store.h"

typedef struct cp_node_config {
  cp_store *store;            /* borrowed; open read-write */
  const cp_key *key;          /* the authority key: the node's transport identity */
  const char *data_dir;       /* where status.json is written (NULL: none) */
  const char *listen;         /* "host:port" to accept partners on, or NULL */
  /* One-shot mode (credport sync): dial this address, replicate both ways,
   * then stop. oneshot_key, if not NULL, is the key the peer must prove and
   * is allowed for this session even if not in the peer table. */
  const char *oneshot_addr;
  const uint8_t *oneshot_key;
  FILE *log;                  /* log lines (NULL: stderr) */
  int progress;               /* show a progress line (a terminal is attached) */
  unsigned stop_after_ms;     /* stop by itself after this long (0: never) */
  /* Log lines go to log_file when set (opened for appending, 0640, and
   * opened again on SIGHUP so that rotation works), else to log. */
  const char *log_file;
  int log_json;               /* one JSON object per line instead of logfmt */
  int log_level;              /* lines below are dropped: CP_LOG_DEBUG .. CP_LOG_ERROR */
} cp_node_config;

enum { CP_LOG_DEBUG = 0, CP_LOG_INFO = 1, CP_LOG_WARN = 2, CP_LOG_ERROR = 3 };

/* "debug", "info", "warn" (or "warning"), "error" as CP_LOG_*; -1 for
 * anything else. */
int cp_log_level_parse(const char *s);

/* One logfmt line's payload ("event=x peer=y why=\"a b\"") as a compact
 * JSON object with time and level first (bare digits become numbers; a
 * token that is not key=value goes into "msg"). Returns a malloc'd string
 * without newline, or NULL when out of memory. */
char *cp_log_line_json(const char *ts, const char *level, const char *payload);

typedef struct cp_node_summary {
  uint64_t entries_in, entries_out, bytes_in, bytes_out;
  uint64_t sessions, refused;
  int synced;                 /* one-shot: replication completed */
  double seconds;
  char error[512];            /* why a one-shot failed, and what was left */
} cp_node_summary;

/* Runs until SIGINT/SIGTERM (or, one-shot, until done). Returns 0, or an
 * error (one-shot: the reason is in sum->error). */
int cp_node_run(const cp_node_config *cfg, cp_node_summary *sum);

#endif
