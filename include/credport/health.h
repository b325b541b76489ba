/*
 * credport — node health for monitoring (node/health.c; `credport health`).
 *
 * Two steps, so the judgement can be tested without a node: the facts are
 * gathered from a data folder (the store, the running serve's status file
 * and lock, the file system), then judged against limits. Levels follow the
 * monitoring-plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
#ifndef CREDPORT_HEALTH_H
#define CREDPORT_HEALTH_H

#include <stdint.h>

#include "store.h"

enum { CP_HEALTH_OK = 0, CP_HEALTH_WARNING = 1, CP_HEALTH_CRITICAL = 2, CP_HEALTH_UNKNOWN = 3 };

#define CP_HEALTH_NEVER UINT64_MAX /* a sync age: the partner never synced */
#define CP_HEALTH_CHECKS 7u

typedef struct cp_health_facts {
  uint64_t now;                /* Unix seconds the facts were gathered at */
  int serving;                 /* a serve holds the folder's lock */
  long serve_pid;              /* which process (serving only) */
  uint64_t status_age;         /* seconds since its status file was written (serving only) */
  unsigned partners;           /* partners serve dials (peer-table rows with an address) */
  unsigned connected;          /* of them, with a live session now */
  unsigned accept_only;        /* partners allowed in but never dialled */
  uint64_t oldest_sync_age;    /* the dialled partner whose last completed sync is oldest: */
  uint8_t oldest_sync_key[CP_PK_BYTES]; /* its age (0 while in sync now; CP_HEALTH_NEVER) */
  unsigned forks;              /* logs held forked */
  uint64_t disk_free, disk_total;       /* bytes of the ledger's file system */
  uint64_t map_used, map_size; /* bytes of the ledger's map in use, and its size */
  unsigned clock_usable, clock_far;     /* partner clocks observed; of them, too far off */
  int64_t clock_worst_ms;      /* this clock minus the farthest partner's */
} cp_health_facts;

typedef struct cp_health_limits {
  uint64_t sync_warn_s, sync_crit_s;   /* oldest sync age: 900 s, 3600 s */
  unsigned disk_warn_pct, disk_crit_pct; /* free space below: 10 %, 5 % */
  unsigned map_warn_pct, map_crit_pct;   /* map in use at or above: 80 %, 95 % */
  unsigned status_stale_s;             /* a serving node's status older than: 10 s */
} cp_health_limits;

/* The defaults above. */
void cp_health_limits_default(cp_health_limits *l) __attribute__((nonnull));

typedef struct cp_health_check {
  const char *name;            /* "serve", "partners", "sync", "forks", "disk", "map", "clock" */
  int level;                   /* CP_HEALTH_* */
  char msg[200];               /* plain words: what holds or what is wrong, and what to do */
} cp_health_check;

typedef struct cp_health_report {
  int level;                   /* the worst check's level */
  unsigned n;
  cp_health_check checks[CP_HEALTH_CHECKS];
} cp_health_report;

/* Gathers the facts of the node in data_dir (its ledger open read-only as
 * s), now being Unix seconds. CP_OK, or an error with d saying what could not
 * be read. */
int cp_health_gather(cp_store *s, const char *data_dir, uint64_t now, cp_health_facts *f,
                     cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/* 1 when a credport serve holds data_dir's serve.lock (*pid set), else 0.
 * Looking takes no lock. */
int cp_serve_running(const char *data_dir, long *pid) __attribute__((nonnull));

/* Judges facts against limits: one check per aspect, in a fixed order. */
void cp_health_judge(const cp_health_facts *f, const cp_health_limits *l, cp_health_report *r)
    __attribute__((nonnull));

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *cp_health_level_name(int level);

#endif
