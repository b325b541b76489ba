/* credport — node health: the facts of a data folder, and their judgement. */
#include "credport/health.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "credport/codec.h"

void cp_health_limits_default(cp_health_limits *l) {
  l->sync_warn_s = 900;
  l->sync_crit_s = 3600;
  l->disk_warn_pct = 10;
  l->disk_crit_pct = 5;
  l->map_warn_pct = 80;
  l->map_crit_pct = 95;
  l->status_stale_s = 10;
}

const char *cp_health_level_name(int level) {
  switch (level) {
  case CP_HEALTH_OK: return "OK";
  case CP_HEALTH_WARNING: return "WARNING";
  case CP_HEALTH_CRITICAL: return "CRITICAL";
  default: return "UNKNOWN";
  }
}

/* ---- facts ---------------------------------------------------------------- */

/* Whether some process holds an exclusive flock on the file (dev, ino), read
 * from /proc/locks so that looking takes no lock (a probe with flock could
 * make a serve starting at that instant fail). OUT: *pid, the holder. */
static int flock_held(dev_t dev, ino_t ino, long *pid) {
  FILE *f = fopen("/proc/locks", "re");
  char line[256];
  int held = 0;
  if (f == NULL) return 0;
  while (!held && fgets(line, sizeof line, f) != NULL) {
    char kind[16], mode[16], rw[16];
    long p;
    unsigned maj, min;
    unsigned long long in;
    /* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" ("->" marks waiters) */
    if (strstr(line, "->") != NULL) continue;
    if (sscanf(line, "%*[^:]: %15s %15s %15s %ld %x:%x:%llu", kind, mode, rw, &p, &maj, &min,
               &in) != 7)
      continue;
    if (strcmp(kind, "FLOCK") == 0 && strcmp(rw, "WRITE") == 0 && in == (unsigned long long)ino &&
        makedev(maj, min) == dev) {
      held = 1;
      *pid = p;
    }
  }
  fclose(f);
  return held;
}

int cp_serve_running(const char *data_dir, long *pid) {
  char path[PATH_MAX];
  struct stat st;
  *pid = 0;
  snprintf(path, sizeof path, "%s/serve.lock", data_dir);
  return stat(path, &st) == 0 && flock_held(st.st_dev, st.st_ino, pid);
}

typedef struct {
  cp_health_facts *f;
  json_t *sessions;            /* the running serve's live sessions, or NULL */
  int fresh;
} gather_ctx;

/* The live session with key hex in the serve's status, or NULL. */
static json_t *session_of(gather_ctx *x, const char *hex) {
  size_t i;
  json_t *s;
  if (!x->fresh || x->sessions == NULL) return NULL;
  json_array_foreach(x->sessions, i, s) {
    const char *k = json_string_value(json_object_get(s, "peer"));
    if (k != NULL && strcmp(k, hex) == 0) return s;
  }
  return NULL;
}

static int peer_fact(void *ctx, const cp_peer_info *p) {
  gather_ctx *x = ctx;
  cp_health_facts *f = x->f;
  char hex[2 * CP_PK_BYTES + 1];
  cp_hex_encode(p->key, CP_PK_BYTES, hex);
  json_t *s = session_of(x, hex);
  if (p->addr[0] == 0) {
    f->accept_only++;
    return 0;
  }
  f->partners++;
  uint64_t age;
  if (s != NULL) f->connected++;
  if (s != NULL && json_is_true(json_object_get(s, "synced"))) age = 0;
  else if (p->last_sync == 0) age = CP_HEALTH_NEVER;
  else age = f->now > p->last_sync ? f->now - p->last_sync : 0;
  if (f->partners == 1 || age > f->oldest_sync_age) {
    f->oldest_sync_age = age;
    memcpy(f->oldest_sync_key, p->key, CP_PK_BYTES);
  }
  return 0;
}

static int log_fact(void *ctx, const cp_log_info *li) {
  cp_health_facts *f = ctx;
  if (li->flags & CP_LOG_FORKED) f->forks++;
  return 0;
}

/* The running serve (lock holder) and its status file (sessions, age). */
static void serve_facts(const char *dir, gather_ctx *x, const cp_health_limits *l) {
  char path[PATH_MAX];
  struct stat st;
  cp_health_facts *f = x->f;
  f->serving = cp_serve_running(dir, &f->serve_pid);
  snprintf(path, sizeof path, "%s/status.json", dir);
  if (!f->serving || stat(path, &st) != 0) return;
  f->status_age = (uint64_t)st.st_mtime < f->now ? f->now - (uint64_t)st.st_mtime : 0;
  json_error_t je;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (j == NULL) return;
  x->sessions = json_incref(json_object_get(j, "sessions"));
  x->fresh = json_is_array(x->sessions) && f->status_age <= l->status_stale_s;
  json_decref(j);
}

int cp_health_gather(cp_store *s, const char *data_dir, uint64_t now, cp_health_facts *f,
                     cp_diag *d) {
  cp_health_limits l;
  cp_reader *r = NULL;
  cp_clock_view cv;
  struct statvfs vs;
  gather_ctx x = {f, NULL, 0};
  int rc;
  memset(f, 0, sizeof *f);
  f->now = now;
  cp_health_limits_default(&l);
  serve_facts(data_dir, &x, &l);
  if ((rc = cp_reader_begin(s, &r)) != CP_OK) {
    json_decref(x.sessions);
    return cp_diag_set(d, rc, "cannot read the ledger: %s", cp_strerror(rc));
  }
  rc = cp_reader_each_peer(r, peer_fact, &x);
  if (rc == CP_OK) rc = cp_reader_each_log(r, log_fact, f);
  cp_reader_end(r);
  json_decref(x.sessions);
  if (rc != CP_OK) return cp_diag_set(d, rc, "cannot read the ledger: %s", cp_strerror(rc));
  if (statvfs(cp_store_path(s), &vs) == 0) {
    f->disk_free = (uint64_t)vs.f_bavail * vs.f_frsize;
    f->disk_total = (uint64_t)vs.f_blocks * vs.f_frsize;
  }
  f->map_size = cp_store_map_size(s);
  f->map_used = cp_store_map_used(s);
  if (cp_clock_view_get(s, now, &cv) == CP_OK) {
    f->clock_usable = cv.usable;
    f->clock_far = cv.far;
    f->clock_worst_ms = cv.worst_ms;
  }
  return CP_OK;
}

/* ---- judgement -------------------------------------------------------------- */

static cp_health_check *check(cp_health_report *r, const char *name, int level, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));
static cp_health_check *check(cp_health_report *r, const char *name, int level, const char *fmt,
                              ...) {
  cp_health_check *c = &r->checks[r->n++];
  va_list ap;
  c->name = name;
  c->level = level;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof c->msg, fmt, ap);
  va_end(ap);
  return c;
}

/* "1 partner", "2 partners". */
static const char *plural(unsigned n, const char *one, const char *many) { return n == 1 ? one : many; }

static void judge_serve(const cp_health_facts *f, const cp_health_limits *l, cp_health_report *r) {
  if (!f->serving)
    check(r, "serve", CP_HEALTH_CRITICAL,
          "no serve is running on this data folder: nothing is replicated (start credport serve)");
  else if (f->status_age > l->status_stale_s)
    check(r, "serve", CP_HEALTH_WARNING,
          "serve (PID %ld) has not written its status for %llu s: busy or stuck", f->serve_pid,
          (unsigned long long)f->status_age);
  else check(r, "serve", CP_HEALTH_OK, "serve is running (PID %ld)", f->serve_pid);
}

static void judge_partners(const cp_health_facts *f, cp_health_report *r) {
  if (f->partners == 0 && f->accept_only == 0)
    check(r, "partners", CP_HEALTH_WARNING,
          "no partners: no other node holds a copy of this ledger (credport peer add)");
  else if (f->partners == 0)
    check(r, "partners", CP_HEALTH_OK, "no partners to dial; %u allowed to connect",
          f->accept_only);
  else if (f->connected == 0)
    check(r, "partners", CP_HEALTH_CRITICAL, "0 of %u %s connected", f->partners,
          plural(f->partners, "partner", "partners"));
  else if (f->connected < f->partners)
    check(r, "partners", CP_HEALTH_WARNING, "%u of %u partners connected", f->connected,
          f->partners);
  else check(r, "partners", CP_HEALTH_OK, "%u of %u %s connected", f->connected, f->partners,
             plural(f->partners, "partner", "partners"));
}

static void judge_sync(const cp_health_facts *f, const cp_health_limits *l, cp_health_report *r) {
  char who[17];
  cp_hex_encode(f->oldest_sync_key, 8, who);
  if (f->partners == 0) check(r, "sync", CP_HEALTH_OK, "no partners to sync with");
  else if (f->oldest_sync_age == CP_HEALTH_NEVER)
    check(r, "sync", CP_HEALTH_WARNING, "partner %s… has never completed a sync", who);
  else if (f->oldest_sync_age > l->sync_crit_s)
    check(r, "sync", CP_HEALTH_CRITICAL, "partner %s… last synced %llu s ago (limit %llu s)", who,
          (unsigned long long)f->oldest_sync_age, (unsigned long long)l->sync_crit_s);
  else if (f->oldest_sync_age > l->sync_warn_s)
    check(r, "sync", CP_HEALTH_WARNING, "partner %s… last synced %llu s ago (limit %llu s)", who,
          (unsigned long long)f->oldest_sync_age, (unsigned long long)l->sync_warn_s);
  else check(r, "sync", CP_HEALTH_OK, "every partner synced within the last %llu s",
             (unsigned long long)f->oldest_sync_age);
}

/* pct of part in whole, rounded down; 0 when whole is 0. */
static unsigned pct(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0 : (unsigned)((long double)part * 100.0L / (long double)whole);
}

static void judge_space(const cp_health_facts *f, const cp_health_limits *l, cp_health_report *r) {
  unsigned free_pct = pct(f->disk_free, f->disk_total);
  double gib = (double)f->disk_free / (double)(1ull << 30);
  if (f->disk_total == 0) check(r, "disk", CP_HEALTH_UNKNOWN, "the ledger's file system size is unknown");
  else if (free_pct < l->disk_crit_pct)
    check(r, "disk", CP_HEALTH_CRITICAL, "%u%% (%.1f GiB) free on the ledger's file system", free_pct, gib);
  else if (free_pct < l->disk_warn_pct)
    check(r, "disk", CP_HEALTH_WARNING, "%u%% (%.1f GiB) free on the ledger's file system", free_pct, gib);
  else check(r, "disk", CP_HEALTH_OK, "%u%% (%.1f GiB) free on the ledger's file system", free_pct, gib);
  unsigned used = pct(f->map_used, f->map_size);
  int lvl = f->map_size == 0              ? CP_HEALTH_UNKNOWN
            : used >= l->map_crit_pct ? CP_HEALTH_CRITICAL
            : used >= l->map_warn_pct ? CP_HEALTH_WARNING
                                      : CP_HEALTH_OK;
  check(r, "map", lvl, "%u%% of the ledger's map size in use (%.1f of %.1f GiB)%s", used,
        (double)f->map_used / (double)(1ull << 30), (double)f->map_size / (double)(1ull << 30),
        lvl == CP_HEALTH_WARNING || lvl == CP_HEALTH_CRITICAL ? ": raise it with credport map-size"
                                                               : "");
}

static void judge_clock(const cp_health_facts *f, cp_health_report *r) {
  double off = (double)f->clock_worst_ms / 1000.0;
  if (f->clock_usable == 0) check(r, "clock", CP_HEALTH_OK, "no partner clock observed yet");
  else if (2 * f->clock_far > f->clock_usable)
    check(r, "clock", CP_HEALTH_CRITICAL,
          "%u of %u partner clocks too far from this one (worst %+.1f s): writing commands refuse "
          "to sign (credport clock)", f->clock_far, f->clock_usable, off);
  else if (f->clock_far > 0)
    check(r, "clock", CP_HEALTH_WARNING, "%u of %u partner clocks too far from this one (worst %+.1f s)",
          f->clock_far, f->clock_usable, off);
  else check(r, "clock", CP_HEALTH_OK, "within the limit of %u partner %s (worst %+.1f s)",
             f->clock_usable, plural(f->clock_usable, "clock", "clocks"), off);
}

void cp_health_judge(const cp_health_facts *f, const cp_health_limits *l, cp_health_report *r) {
  memset(r, 0, sizeof *r);
  judge_serve(f, l, r);
  judge_partners(f, r);
  judge_sync(f, l, r);
  if (f->forks > 0)
    check(r, "forks", CP_HEALTH_CRITICAL,
          "%u %s forked: a key signed two histories (credport status)", f->forks,
          plural(f->forks, "log", "logs"));
  else check(r, "forks", CP_HEALTH_OK, "no fork found");
  judge_space(f, l, r);
  judge_clock(f, r);
  /* Worst first: CRITICAL, then WARNING, then UNKNOWN, then OK. */
  static const int rank[4] = {0, 2, 3, 1};
  for (unsigned i = 0; i < r->n; i++)
    if (rank[r->checks[i].level] > rank[r->level]) r->level = r->checks[i].level;
}
