/*
 * credport bench sync [--n N | --quick] [--keep] — federation figures, each
 * printed with its target and a raw libsodium reference from the same run
 * (what is measured, and how, is in docs/PERFORMANCE.md, "Federation").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "credport/codec.h"
#include "credport/sync.h"

extern char **environ;

#define NLOGS 100u

static void sleep_ms(double ms) { usleep((useconds_t)(ms * 1000)); }

/* ---- building node A's ledger ------------------------------------------------ */

typedef struct {
  cp_store *s;
  size_t first, step;  /* this worker's logs: first, first + step, ... */
  uint64_t n, now;     /* awards in all; time of every entry */
  uint8_t (*keys)[CP_PK_BYTES];
  uint8_t *arena;      /* one log's entries back to back */
  size_t used, cap, count, *len;
  const uint8_t **bufs; /* into the arena, which never moves */
  int rc;
  char why[320];
} builder;

/* Fills the header, signs into the arena and chains prev. */
static int add(builder *w, const cp_key *k, cp_entry *e, uint8_t prev[CP_HASH_BYTES]) {
  cp_diag d = {{0}};
  size_t len;
  e->version = CP_ENTRY_VERSION;
  cp_key_public(k, e->log);
  e->seq = w->count;
  memcpy(e->prev, prev, CP_HASH_BYTES);
  e->time = w->now;
  int rc = cp_entry_sign(e, k, w->arena + w->used, w->cap - w->used, &len, &d);
  if (rc != 0) return snprintf(w->why, sizeof w->why, "signing: %s", d.msg), rc;
  w->bufs[w->count] = w->arena + w->used;
  w->len[w->count++] = len;
  cp_entry_id(w->arena + w->used, len, prev);
  w->used += len;
  return 0;
}

/* A credential definition with stable id `id`. */
static void credential(cp_entry *e, const char *id) {
  memset(e, 0, sizeof *e);
  e->type = CP_T_CREDENTIAL;
  e->u.credential.id = e->u.credential.title = (cp_str){id, strlen(id)};
  e->u.credential.competency = (cp_str){"Benchmarking", 12};
  e->u.credential.evidence = (cp_str){"", 0};
  e->u.credential.level = 2;
  e->u.credential.hours_x100 = 1000;
}

/* One log: genesis, a credential definition, then the awards. */
static int sign_log(builder *w, const cp_key *k, uint64_t awards) {
  uint8_t prev[CP_HASH_BYTES] = {0}, cred[CP_HASH_BYTES], seed[40];
  char name[40], origin[40], hex[17], assessor[16];
  cp_entry e;
  int rc;
  cp_key_public(k, seed);
  cp_hex_encode(seed, 8, hex);
  snprintf(name, sizeof name, "Bench Provider %s", hex);
  snprintf(origin, sizeof origin, "credport/bench/%s", hex);
  memset(&e, 0, sizeof e);
  e.type = CP_T_AUTHORITY;
  e.u.authority.name = (cp_str){name, strlen(name)};
  e.u.authority.jurisdiction = (cp_str){"US-NC", 5};
  e.u.authority.origin = (cp_str){origin, strlen(origin)};
  e.u.authority.role = CP_ROLE_PROVIDER;
  if ((rc = add(w, k, &e, prev)) != 0) return rc;
  credential(&e, "bench-mc");
  if ((rc = add(w, k, &e, prev)) != 0) return rc;
  memcpy(cred, prev, CP_HASH_BYTES);
  for (uint64_t i = 0; i < awards && rc == 0; i++) {
    memset(&e, 0, sizeof e);
    e.type = CP_T_AWARD;
    memcpy(e.u.award.credential, cred, CP_HASH_BYTES);
    memcpy(seed + CP_PK_BYTES, &i, sizeof i);
    crypto_generichash(e.u.award.educator, CP_PK_BYTES, seed, sizeof seed, NULL, 0);
    crypto_generichash(e.u.award.evidence, CP_HASH_BYTES, e.u.award.educator, 32, NULL, 0);
    e.u.award.earned = (uint32_t)(19000 + i % 2000);
    snprintf(assessor, sizeof assessor, "Assessor %03u", (unsigned)(i % 500));
    e.u.award.assessor = (cp_str){assessor, strlen(assessor)};
    e.u.award.flags = CP_AWARD_HAS_EVIDENCE;
    rc = add(w, k, &e, prev);
  }
  return rc;
}

/* A worker signs its logs one by one and ingests each log's entries in one
 * transaction as already verified; while one worker ingests, the others
 * sign (LMDB takes one writer at a time). */
static void *build_worker(void *arg) {
  builder *w = arg;
  uint64_t most = w->n / NLOGS + 3;
  w->cap = most * 512 + 4096;
  w->arena = malloc(w->cap);
  w->len = malloc(most * sizeof *w->len);
  w->bufs = malloc(most * sizeof *w->bufs);
  w->rc = w->arena && w->len && w->bufs ? 0 : CP_ENOMEM;
  for (size_t l = w->first; l < NLOGS && w->rc == 0; l += w->step) {
    cp_key *k = NULL;
    cp_ingest_report rep;
    cp_diag d = {{0}};
    w->used = w->count = 0;
    if ((w->rc = cp_key_generate(&k)) != 0) break;
    cp_key_public(k, w->keys[l]);
    w->rc = sign_log(w, k, w->n / NLOGS + (l < w->n % NLOGS));
    cp_key_free(k);
    if (w->rc == 0)
      w->rc = cp_store_ingest(w->s, w->bufs, w->len, w->count, CP_INGEST_VERIFIED, w->now, &rep,
                              &d);
    if (w->rc != 0 && w->why[0] == 0) snprintf(w->why, sizeof w->why, "ingest: %s", d.msg);
  }
  free(w->arena);
  free(w->len);
  free(w->bufs);
  return NULL;
}

/* The 100 foreign logs of A, N awards spread over them, on every core. */
static int build_foreign_logs(cp_store *s, uint64_t n, unsigned cores, uint64_t now,
                              uint8_t keys[NLOGS][CP_PK_BYTES], char *why, size_t wcap) {
  builder w[8];
  pthread_t th[8];
  unsigned nt = cores < 8 ? cores : 8, started = 0;
  int rc = 0;
  memset(w, 0, sizeof w);
  for (unsigned t = 0; t < nt; t++) {
    w[t] = (builder){.s = s, .first = t, .step = nt, .n = n, .now = now, .keys = keys};
    if (pthread_create(&th[t], NULL, build_worker, &w[t]) != 0) break;
    started++;
  }
  for (unsigned t = 0; t < started; t++) {
    pthread_join(th[t], NULL);
    if (rc == 0 && (rc = w[t].rc) != 0) snprintf(why, wcap, "%s", w[t].why);
  }
  return started == nt ? rc : CP_ENOMEM;
}

/* ---- the raw reference: one core, bare libsodium ------------------------------- */

static uint8_t raw_msg[CP_ENTRY_MAX + 32];
static size_t raw_plen;
static uint64_t raw_count, raw_bad, raw_bytes;

static int raw_verify_one(void *ctx, const uint8_t *buf, size_t len) {
  size_t m = len - CP_SIG_BYTES;
  (void)ctx;
  memcpy(raw_msg + raw_plen, buf, m);
  raw_bad += crypto_sign_verify_detached(buf + m, raw_msg, raw_plen + m, buf + 2) != 0;
  raw_count++;
  raw_bytes += len;
  return 0;
}

/* Verifies every entry of the given logs: prefix || entry without its
 * signature, under the log key (no rotation in the bench logs). */
static double raw_verify_logs(cp_store *s, uint8_t (*keys)[CP_PK_BYTES], size_t nkeys) {
  cp_reader *rd = NULL;
  const char *p = cp_sig_prefix(CP_PURPOSE_ENTRY);
  raw_plen = strlen(p) + 1;
  memcpy(raw_msg, p, raw_plen);
  double t0 = cli_bench_now_s();
  for (size_t i = 0; i < nkeys; i++) {
    if (cp_reader_begin(s, &rd) != 0) break;
    if (cp_reader_each_entry(rd, keys[i], 0, raw_verify_one, NULL) != 0) raw_bad++;
    cp_reader_end(rd);
  }
  return cli_bench_now_s() - t0;
}

/* ---- nodes and processes --------------------------------------------------------- */

typedef struct {
  char dir[PATH_MAX], ledger[PATH_MAX], log[PATH_MAX], addr[32];
  cp_key *k;
  uint8_t pk[CP_PK_BYTES];
  pid_t pid;
} node;

static int node_create(node *nd, const char *root, const char *name, const char *jur,
                       cp_store **out, cp_diag *d) {
  char path[PATH_MAX];
  snprintf(nd->dir, sizeof nd->dir, "%s/%s", root, name);
  snprintf(nd->ledger, sizeof nd->ledger, "%s/ledger", nd->dir);
  snprintf(nd->log, sizeof nd->log, "%s/%s-serve.log", root, name);
  snprintf(path, sizeof path, "%s/authority.key", nd->dir);
  nd->pid = -1;
  if (mkdir(nd->dir, 0700) != 0) return cp_diag_set(d, -errno, "mkdir %s", nd->dir);
  int rc = cp_key_generate(&nd->k);
  if (rc == 0) rc = cp_key_save(nd->k, path, d);
  if (rc == 0) rc = cp_store_open(nd->ledger, CP_STORE_NOSYNC, out, d);
  if (rc != 0) return rc;
  cp_key_public(nd->k, nd->pk);
  char origin[64], hex[17];
  cp_hex_encode(nd->pk, 8, hex);
  snprintf(origin, sizeof origin, "credport/bench/%s", hex);
  return cp_store_init_authority(*out, nd->k, name, jur, CP_ROLE_STATE, origin, cli_now(), d);
}

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

static pid_t spawn_serve(const char *self, node *nd, const char *listen) {
  char *argv[] = {(char *)self, "-d", nd->dir, "serve", listen ? "--listen" : NULL,
                  (char *)listen, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, nd->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, self, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

static int alive(pid_t pid) {
  int st;
  return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

static void stop_node(node *nd) {
  int st;
  if (nd->pid <= 0) return;
  kill(nd->pid, SIGTERM);
  while (waitpid(nd->pid, &st, 0) < 0 && errno == EINTR) {
  }
  nd->pid = -1;
}

/* The number on a "Field: 123" line of /proc/PID/file (0 if absent). */
static uint64_t proc_num(pid_t pid, const char *file, const char *field) {
  char path[64], line[256];
  uint64_t v = 0;
  size_t fl = strlen(field);
  snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
  FILE *f = fopen(path, "r");
  while (f != NULL && fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, field, fl) == 0 && line[fl] == ':') v = strtoull(line + fl + 1, NULL, 10);
  if (f != NULL) fclose(f);
  return v;
}

/* CPU seconds (user + system, all threads) a process has used so far. */
static double proc_cpu(pid_t pid) {
  char path[64], buf[1024], *p;
  unsigned long long ut = 0, stt = 0;
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f != NULL) fclose(f);
  buf[n] = 0;
  if ((p = strrchr(buf, ')')) == NULL ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stt) != 2)
    return 0;
  return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

/* Entries s holds of the logs in want, up to their sizes there. */
static uint64_t held(cp_store *s, const cp_sync_head *want, size_t n) {
  cp_reader *r = NULL;
  cp_log_info li;
  uint64_t sum = 0;
  if (cp_reader_begin(s, &r) != 0) return 0;
  for (size_t i = 0; i < n; i++)
    if (cp_reader_log(r, want[i].log, &li) == 0)
      sum += li.size < want[i].size ? li.size : want[i].size;
  cp_reader_end(r);
  return sum;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* ---- engines wired back to back, in memory ------------------------------------- */

typedef struct {
  cp_sync *s;
  cp_sync_head *heads;
  size_t n;
  int defer, pending, synced, failed;
} side;

/* Answers the engine's events. Entries are opaque to the engine: the ones
 * served here carry only a valid log key and seq header. */
static void handle(side *p) {
  cp_sync_event ev;
  static uint8_t ent[CP_SYNC_BATCH_MAX][200];
  cp_sync_blob b[CP_SYNC_BATCH_MAX];
  while (cp_sync_next_event(p->s, &ev) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_NEED_HEADS:
      if (p->defer) p->pending = 1;
      else if (cp_sync_provide_heads(p->s, p->heads, p->n) != 0) p->failed = 1;
      break;
    case CP_SYNC_EV_SYNCED: p->synced = 1; break;
    case CP_SYNC_EV_WANT_ENTRIES: {
      uint64_t size = 0;
      size_t k = 0;
      for (size_t i = 0; i < p->n; i++)
        if (memcmp(p->heads[i].log, ev.log, CP_PK_BYTES) == 0) size = p->heads[i].size;
      for (; ev.seq + k < size && k < ev.count && (k + 1) * sizeof ent[0] <= ev.bytes; k++) {
        ent[k][0] = CP_ENTRY_VERSION;
        memcpy(ent[k] + 2, ev.log, CP_PK_BYTES);
        for (int x = 0; x < 8; x++) ent[k][34 + x] = (uint8_t)((ev.seq + k) >> (56 - 8 * x));
        b[k] = (cp_sync_blob){ent[k], sizeof ent[k]};
      }
      if (cp_sync_provide_entries(p->s, ev.log, ev.seq, b, k, ev.seq + k >= size) != 0)
        p->failed = 1;
      break;
    }
    case CP_SYNC_EV_ENTRIES:
      if (cp_sync_entries_committed(p->s, ev.count, ev.bytes) != 0) p->failed = 1;
      break;
    case CP_SYNC_EV_PEER_ERROR: p->failed = 1; break;
    default: break;
    }
  }
  if (cp_sync_status(p->s) != 0) p->failed = 1;
}

/* One flight: everything a has to send, fed to b. Returns the bytes. */
static size_t flight(side *a, side *b) {
  size_t n, off = 0;
  const uint8_t *o = cp_sync_out(a->s, &n); /* valid until a's next call */
  for (int stuck = 0; off < n && stuck < 8;) {
    size_t used = 0;
    int rc = cp_sync_feed(b->s, o + off, n - off, &used);
    off += used;
    stuck = used ? 0 : stuck + 1;
    handle(b);
    if (rc != 0 && rc != CP_EAGAIN) break;
  }
  if (n > 0) cp_sync_out_ack(a->s, n);
  return n;
}

/* Requests (what = 0) or wire bytes (what = 1) both sides sent. */
static uint64_t sent(const side *a, const side *b, int what) {
  cp_sync_stats x, y;
  cp_sync_get_stats(a->s, &x);
  cp_sync_get_stats(b->s, &y);
  return what ? x.bytes_out + y.bytes_out : x.requests_out + y.requests_out;
}

typedef struct {
  int rounds, flights, ok; /* round trips: flights / 2, rounded up */
  uint64_t hs_bytes, bytes;
} recon_result;

static int cmp_head(const void *a, const void *b) {
  return memcmp(((const cp_sync_head *)a)->log, ((const cp_sync_head *)b)->log, CP_PK_BYTES);
}

/* nlogs shared logs (sizes 1..3); if changed, one of them is two entries
 * longer on the initiator (ahead = 0) or the responder (ahead = 1). Runs the
 * handshake with the heads held back, then counts what follows: flights
 * (all one side has to send, delivered at once) until the nodes are in sync
 * or a request is queued, and bytes up to and including that request. */
static recon_result recon_case(size_t nlogs, int changed, int ahead) {
  recon_result res = {0, 0, 0, 0, 0};
  cp_key *ka = NULL, *kb = NULL;
  uint8_t allow[2][CP_PK_BYTES];
  side A = {0}, B = {0};
  A.heads = calloc(nlogs, sizeof *A.heads);
  B.heads = calloc(nlogs, sizeof *B.heads);
  if (A.heads == NULL || B.heads == NULL || cp_key_generate(&ka) != 0 ||
      cp_key_generate(&kb) != 0)
    goto out;
  cp_key_public(ka, allow[0]);
  cp_key_public(kb, allow[1]);
  for (size_t i = 0; i < nlogs; i++) {
    randombytes_buf(A.heads[i].log, CP_PK_BYTES);
    randombytes_buf(A.heads[i].head, CP_HASH_BYTES);
    A.heads[i].size = 1 + randombytes_uniform(3);
  }
  qsort(A.heads, nlogs, sizeof *A.heads, cmp_head);
  memcpy(B.heads, A.heads, nlogs * sizeof *A.heads);
  A.n = B.n = nlogs;
  if (changed) {
    cp_sync_head *h = &(ahead ? B.heads : A.heads)[randombytes_uniform((uint32_t)nlogs)];
    h->size += 2;
    randombytes_buf(h->head, CP_HASH_BYTES);
  }
  cp_sync_config ca = {CP_SYNC_INITIATOR, ka, allow[0], 2, 0, 0, 0};
  cp_sync_config cb = {CP_SYNC_RESPONDER, kb, allow[0], 2, 0, 0, 0};
  if (cp_sync_create(&ca, &A.s) != 0 || cp_sync_create(&cb, &B.s) != 0) goto out;
  A.defer = B.defer = 1;
  while (flight(&A, &B) + flight(&B, &A) > 0) {
  }
  if (!A.pending || !B.pending || A.failed || B.failed) goto out;
  res.hs_bytes = sent(&A, &B, 1);
  A.defer = B.defer = 0;
  if (cp_sync_provide_heads(A.s, A.heads, A.n) != 0 ||
      cp_sync_provide_heads(B.s, B.heads, B.n) != 0)
    goto out;
  /* Flights alternate, the initiator's first; empty ones are not counted. */
  for (int i = 0, idle = 0; i < 128 && idle < 2 && !(A.failed || B.failed); i++) {
    size_t m = i % 2 ? flight(&B, &A) : flight(&A, &B);
    idle = m ? 0 : idle + 1;
    res.flights += m > 0;
    if (changed ? sent(&A, &B, 0) > 0 : A.synced && B.synced) break;
  }
  res.rounds = (res.flights + 1) / 2;
  /* The request itself travels in the next flight: count its bytes. */
  size_t pa, pb;
  (void)cp_sync_out(A.s, &pa);
  (void)cp_sync_out(B.s, &pb);
  res.bytes = sent(&A, &B, 1) + pa + pb - res.hs_bytes;
  for (int i = 0; changed && i < 16; i++) flight(&A, &B), flight(&B, &A); /* entries flow */
  res.ok = !A.failed && !B.failed && A.synced && B.synced && sent(&A, &B, 0) == (changed != 0);
out:
  cp_sync_free(A.s);
  cp_sync_free(B.s);
  free(A.heads);
  free(B.heads);
  cp_key_free(ka);
  cp_key_free(kb);
  return res;
}

/* ---- the command ----------------------------------------------------------------- */

typedef struct {
  cli *c;
  char self[PATH_MAX], root[PATH_MAX];
  unsigned cores;
  uint64_t n, total;
  node A, B;
  cp_store *sa, *sb;
  cp_diag d;
  uint8_t keys[NLOGS + 1][CP_PK_BYTES];
  cp_sync_head want[NLOGS + 1]; /* A's heads when the sync begins */
  double t_raw;
} bench;

static int failed(bench *b, int rc, const char *what) {
  return cli_fail(b->c, "bench sync: %s: %s", what, b->d.msg[0] ? b->d.msg : cp_strerror(rc));
}

/* Appends one entry to the own log of s; an award names "bench-live". */
static int append_own(cp_store *s, const cp_key *k, cp_entry *e, cp_diag *d) {
  cp_appender *a = NULL;
  int rc = cp_appender_begin(s, k, cli_now(), &a, d);
  if (rc == 0 && e->type == CP_T_AWARD)
    rc = cp_appender_credential(a, "bench-live", e->u.award.credential);
  if (rc == 0) rc = cp_appender_add(a, e, NULL, d);
  if (rc == 0) {
    rc = cp_appender_commit(a, d);
    a = NULL;
  }
  cp_appender_abort(a);
  return rc;
}

/* Node A: its own log (genesis, and a credential for the live awards) and
 * the 100 foreign logs. */
static int build_a(bench *b) {
  cp_entry e;
  char why[256] = "";
  int rc = node_create(&b->A, b->root, "a", "US-NC", &b->sa, &b->d);
  if (rc != 0) return failed(b, rc, "creating node A");
  credential(&e, "bench-live");
  if ((rc = append_own(b->sa, b->A.k, &e, &b->d)) != 0) return failed(b, rc, "A's credential");
  rc = build_foreign_logs(b->sa, b->n, b->cores, cli_now(), b->keys, why, sizeof why);
  if (rc != 0) return cli_fail(b->c, "bench sync: building A: %s (%s)", why, cp_strerror(rc));
  memcpy(b->keys[NLOGS], b->A.pk, CP_PK_BYTES);
  cp_reader *r = NULL;
  cp_log_info li;
  rc = cp_reader_begin(b->sa, &r);
  for (size_t i = 0; i <= NLOGS && rc == 0; i++) {
    if ((rc = cp_reader_log(r, b->keys[i], &li)) != 0) break;
    memcpy(b->want[i].log, b->keys[i], CP_PK_BYTES);
    b->total += b->want[i].size = li.size;
  }
  cp_reader_end(r);
  if (rc != 0) return cli_fail(b->c, "bench sync: A does not hold the logs it should");
  return CLI_OK;
}

/* Node B (its own genesis only) and the partner records: B dials A, A lets
 * B in. Then A starts serving. */
static int start_a(bench *b) {
  cp_peer_info pi;
  char status[PATH_MAX + 16];
  int rc = node_create(&b->B, b->root, "b", "US-WY", &b->sb, &b->d);
  if (rc != 0) return failed(b, rc, "creating node B");
  snprintf(b->A.addr, sizeof b->A.addr, "127.0.0.1:%d", free_port());
  memset(&pi, 0, sizeof pi);
  memcpy(pi.key, b->A.pk, CP_PK_BYTES);
  snprintf(pi.addr, sizeof pi.addr, "%s", b->A.addr);
  rc = cp_store_peer_put(b->sb, &pi, 1, &b->d);
  memset(&pi, 0, sizeof pi);
  memcpy(pi.key, b->B.pk, CP_PK_BYTES);
  if (rc == 0) rc = cp_store_peer_put(b->sa, &pi, 1, &b->d);
  cp_store_close(b->sa);
  cp_store_close(b->sb);
  b->sa = b->sb = NULL;
  if (rc != 0) return failed(b, rc, "adding partners");
  snprintf(status, sizeof status, "%s/status.json", b->A.dir);
  b->A.pid = spawn_serve(b->self, &b->A, b->A.addr);
  for (double w0 = cli_bench_now_s(); alive(b->A.pid) && access(status, F_OK) != 0 && cli_bench_now_s() - w0 < 10;)
    sleep_ms(20);
  if (!alive(b->A.pid) || access(status, F_OK) != 0)
    return cli_fail(b->c, "bench sync: node A did not start (see %s)", b->A.log);
  return CLI_OK;
}

/* 1. B starts empty and dials A; done when B's store holds every entry A
 * had, polled read-only every 50 ms along with B's memory. */
static int full_sync(bench *b) {
  double cpu_a0 = proc_cpu(b->A.pid), t0 = cli_bench_now_s(), last = t0, t_sync = -1, cpu_b = 0;
  uint64_t got = 0, anon = 0, file = 0;
  int rc;
  b->B.pid = spawn_serve(b->self, &b->B, NULL);
  if (b->B.pid <= 0 ||
      (rc = cp_store_open(b->B.ledger, CP_STORE_RDONLY, &b->sb, &b->d)) != 0)
    return cli_fail(b->c, "bench sync: node B did not start");
  while (alive(b->B.pid) && alive(b->A.pid) && cli_bench_now_s() - t0 < 3600) {
    got = held(b->sb, b->want, NLOGS + 1);
    uint64_t ka = proc_num(b->B.pid, "status", "RssAnon");
    uint64_t kf = proc_num(b->B.pid, "status", "RssFile");
    anon = ka > anon ? ka : anon;
    file = kf > file ? kf : file;
    double cb = proc_cpu(b->B.pid);
    cpu_b = cb > 0 ? cb : cpu_b;
    if (got == b->total) {
      t_sync = cli_bench_now_s() - t0;
      break;
    }
    if (cli_bench_now_s() - last >= 10 && (last = cli_bench_now_s()) > 0)
      fprintf(stderr, "  ... B holds %llu of %llu entries after %.0f s\n",
              (unsigned long long)got, (unsigned long long)b->total, cli_bench_now_s() - t0);
    sleep_ms(50);
  }
  uint64_t hwm = proc_num(b->B.pid, "status", "VmHWM");
  uint64_t wrote = proc_num(b->B.pid, "io", "wchar");
  double cpu_a = proc_cpu(b->A.pid) - cpu_a0;
  if (t_sync < 0)
    return cli_fail(b->c, "bench sync: B holds %llu of %llu entries; the sync did not finish "
                    "(see %s and %s)", (unsigned long long)got, (unsigned long long)b->total,
                    b->A.log, b->B.log);
  printf("1. full sync A -> empty B (two serve processes, loopback; verified and committed by "
         "B): %llu entries in %.1f s = %.0f/s = %.2fx the raw one-core verify time "
         "(target <= 1.00x)\n", (unsigned long long)b->total, t_sync,
         (double)b->total / t_sync, t_sync / b->t_raw);
  printf("   B peak resident memory (VmHWM): %.1f MB (target < 200 MB); peaks while polled: "
         "anonymous %.1f MB, file-backed (LMDB map) %.1f MB\n", (double)hwm / 1024,
         (double)anon / 1024, (double)file / 1024);
  printf("   CPU during the sync: B %.1f s = %.2fx the raw verify time, A %.1f s; %.2f of %u "
         "cores busy\n", cpu_b, cpu_b / b->t_raw, cpu_a, (cpu_b + cpu_a) / t_sync, b->cores);
  printf("   B wrote %.0f MB (write system calls) for %.0f MB of entries (%.1fx)\n",
         (double)wrote / 1e6,
         (double)raw_bytes / 1e6, (double)wrote / (double)raw_bytes);
  fflush(stdout);
  return CLI_OK;
}

/* 4. Awards appended to A's own log by this process while both nodes run;
 * B's store polled every 0.5 ms. */
static int live(bench *b) {
  double lat[100], t_commit = 0;
  size_t nlat = 0, misses = 0;
  cp_sync_head own = {.size = UINT64_MAX};
  memcpy(own.log, b->A.pk, CP_PK_BYTES);
  int rc = cp_store_open(b->A.ledger, 0, &b->sa, &b->d);
  if (rc != 0) return failed(b, rc, "opening A's store");
  for (int i = 0; i < 100; i++) {
    cp_entry e;
    sleep_ms(20 + randombytes_uniform(30));
    uint64_t before = held(b->sb, &own, 1);
    memset(&e, 0, sizeof e);
    e.type = CP_T_AWARD;
    randombytes_buf(e.u.award.educator, CP_PK_BYTES);
    e.u.award.earned = 20000;
    e.u.award.assessor = (cp_str){"Live Assessor", 13};
    double ta = cli_bench_now_s();
    if ((rc = append_own(b->sa, b->A.k, &e, &b->d)) != 0) return failed(b, rc, "a live award");
    double tc = cli_bench_now_s();
    t_commit += tc - ta;
    while (held(b->sb, &own, 1) <= before && cli_bench_now_s() - tc < 5) sleep_ms(0.5);
    if (held(b->sb, &own, 1) <= before) misses++;
    else lat[nlat++] = (cli_bench_now_s() - tc) * 1e3;
  }
  qsort(lat, nlat, sizeof *lat, cmp_double);
  printf("4. one new award on A reaches the connected B (committed there), %zu trials, from A's "
         "commit returning: median %.1f ms, p90 %.1f ms, max %.1f ms (target median < 20 ms; "
         "A's own commit took %.1f ms on average; one raw verify is %.3f ms)%s\n", nlat,
         nlat ? lat[nlat / 2] : -1, nlat ? lat[nlat * 9 / 10] : -1, nlat ? lat[nlat - 1] : -1,
         t_commit * 10, b->t_raw * 1e3 / (double)b->total, misses ? " SOME DID NOT ARRIVE" : "");
  return misses ? CLI_FAIL : CLI_OK;
}

/* 2 and 3. */
static int reconcile(void) {
  recon_result in = recon_case(1000, 0, 0);
  printf("2. in sync, 1000 logs (two engines in memory): %d round trip(s) (%d flights), %llu "
         "bytes after the handshake, %llu with it (target: 1 round trip, < 1 KB)%s\n",
         in.rounds, in.flights, (unsigned long long)in.bytes,
         (unsigned long long)(in.bytes + in.hs_bytes), in.ok ? "" : " FAILED");
  int ok = in.ok;
  for (int i = 0; i < 2; i++) {
    recon_result ch = recon_case(10000, 1, i == 0);
    printf("3. one changed log of 10,000 (%s ahead; engines in memory): the side behind "
           "queues its request after %d flights = %d round trip(s) from the digests; it leaves "
           "in flight %d, entries flow in flight %d; %llu bytes up to and including it (target "
           "<= 3 round trips, <= 4 KB)%s\n", i == 0 ? "responder" : "initiator", ch.flights,
           ch.rounds, ch.flights + 1, ch.flights + 2, (unsigned long long)ch.bytes,
           ch.ok ? "" : " FAILED");
    ok = ok && ch.ok;
  }
  fflush(stdout);
  return ok ? CLI_OK : CLI_FAIL;
}

static const char help[] =
    "usage: credport bench sync [--n N | --quick] [--keep]\n"
    "  1. full sync of N awards (default 1000000; --quick: 20000) over 100 logs from node A\n"
    "     to an empty node B (two `credport serve` processes on loopback), against one core\n"
    "     verifying the same signatures with bare libsodium; B's peak resident memory;\n"
    "  2. in-sync check of 1000 logs and 3. one changed log among 10,000 (two sync engines\n"
    "     in memory): round trips and bytes;\n"
    "  4. one new award on A reaching the connected B: median and p90 of 100.\n"
    "  --keep leaves the nodes' folders and logs in the temporary folder.\n";

int cmd_bench_sync(cli *c, int argc, char **argv) {
  uint64_t n = 1000000;
  const char *tmp = getenv("TMPDIR");
  int keep = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) n = 20000;
    else if (strcmp(argv[i], "--keep") == 0) keep = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return fputs(help, stdout), CLI_OK;
    else if (strcmp(argv[i], "--n") != 0 || i + 1 == argc)
      return cli_usage(c, "unexpected argument \"%s\"\n%s", argv[i], help);
    else if (cli_parse_u64(argv[++i], &n) != 0 || n < NLOGS || n > 100000000)
      return cli_usage(c, "--n: a number from %u to 100000000", NLOGS);
  }
  bench *b = calloc(1, sizeof *b);
  if (b == NULL) return cli_fail(c, "out of memory");
  b->c = c;
  b->n = n;
  b->A.pid = b->B.pid = -1;
  long nc = sysconf(_SC_NPROCESSORS_ONLN);
  b->cores = nc > 0 ? (unsigned)nc : 1;
  ssize_t sl = readlink("/proc/self/exe", b->self, sizeof b->self - 1);
  snprintf(b->root, sizeof b->root, "%s/credport-bench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (sl <= 0 || mkdtemp(b->root) == NULL) {
    free(b);
    return cli_fail(c, "cannot find this program or create a temporary folder");
  }
  char load[64] = "?";
  FILE *lf = fopen("/proc/loadavg", "r");
  if (lf != NULL && fgets(load, sizeof load, lf) != NULL) load[strcspn(load, " \n")] = 0;
  if (lf != NULL) fclose(lf);
  printf("credport bench sync: %llu awards over %u logs, %u cores, load average %s\n",
         (unsigned long long)n, NLOGS, b->cores, load);
  fflush(stdout);
  double t0 = cli_bench_now_s();
  int st = build_a(b);
  if (st == CLI_OK) {
    printf("node A built in %.1f s: %llu entries (%u logs of a genesis, a credential and "
           "awards, plus A's own log)\n", cli_bench_now_s() - t0, (unsigned long long)b->total, NLOGS);
    b->t_raw = raw_verify_logs(b->sa, b->keys, NLOGS + 1);
    if (raw_bad != 0 || raw_count != b->total)
      st = cli_fail(c, "bench sync: raw verification: %llu of %llu entries failed",
                    (unsigned long long)raw_bad, (unsigned long long)raw_count);
    else
      printf("raw libsodium, one core: crypto_sign_verify_detached over the same %llu entries "
             "(prefix || bytes): %.1f s = %.0f/s, %.1f us each\n", (unsigned long long)raw_count,
             b->t_raw, (double)raw_count / b->t_raw, b->t_raw * 1e6 / (double)raw_count);
    fflush(stdout);
  }
  if (st == CLI_OK) st = start_a(b);
  if (st == CLI_OK) st = full_sync(b);
  int st2 = st == CLI_OK ? reconcile() : CLI_OK;
  if (st == CLI_OK) st = live(b);
  if (st == CLI_OK) st = st2;
  cp_store_close(b->sa);
  cp_store_close(b->sb);
  stop_node(&b->B);
  stop_node(&b->A);
  cp_key_free(b->A.k);
  cp_key_free(b->B.k);
  if (keep) {
    printf("the nodes' folders and logs are kept in %s\n", b->root);
  } else {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->root);
    if (system(cmd) != 0) fprintf(stderr, "bench: could not remove %s\n", b->root);
  }
  free(b);
  return st;
}
