/*
 * credport — the node daemon: the libuv loop, listening, dialling partners
 * with backoff, signals, timers, the status file, and one-shot syncs.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sodium.h>

#include "admission.h"
#include "credport/codec.h"
#include "credport/limits.h"
#include "daemon_internal.h"

/* Environment variable overriding CP_PREAUTH_DEADLINE_MS (milliseconds; for
 * tests). */
#define CP_PREAUTH_ENV "CREDPORT_PREAUTH_MS"

void cp__log(cp__node *n, const char *level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cp__vlog(n, level, fmt, ap);
  va_end(ap);
}

/* ---- lines strangers and partners cause --------------------------------------- */

static void log_summary(void *ctx, const char *src, const char *event, uint64_t count,
                        unsigned sources, unsigned window_ms) {
  if (sources > 1)
    cp__log(ctx, "warn", "event=%s-summary from=%s sources=%u count=%llu window=%us", event, src,
            sources, (unsigned long long)count, (window_ms + 999) / 1000);
  else
    cp__log(ctx, "warn", "event=%s-summary from=%s count=%llu window=%us", event, src,
            (unsigned long long)count, (window_ms + 999) / 1000);
}

/* The NAME of a format that starts with "event=NAME", else "other". */
static void event_name(const char *fmt, char out[CP__LOGLIM_EVENT]) {
  size_t k = 0;
  if (strncmp(fmt, "event=", 6) == 0)
    for (const char *p = fmt + 6; *p != 0 && *p != ' ' && *p != '%' && k + 1 < CP__LOGLIM_EVENT;)
      out[k++] = *p++;
  if (k == 0) {
    snprintf(out, CP__LOGLIM_EVENT, "other");
    return;
  }
  out[k] = 0;
}

static void vlog_from(cp__node *n, const char *src, int trusted, const char *level,
                      const char *fmt, va_list ap) {
  char event[CP__LOGLIM_EVENT];
  event_name(fmt, event);
  if (n->loglim == NULL ||
      cp__loglim_admit(n->loglim, cp__now_ms(n), src, trusted, event, log_summary, n))
    cp__vlog(n, level, fmt, ap);
}

static void log_from(cp__node *n, const char *src, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void log_from(cp__node *n, const char *src, const char *level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog_from(n, src, 0, level, fmt, ap);
  va_end(ap);
}

void cp__conn_log(cp__node *n, const cp__conn *c, const char *level, const char *fmt, ...) {
  char src[CP__LOGLIM_SRC];
  /* Without c the line comes from a pipeline job, and only authenticated
   * sessions submit jobs. */
  int trusted = c == NULL || c->authed;
  if (c == NULL) snprintf(src, sizeof src, "closed-session");
  else if (c->authed) snprintf(src, sizeof src, "peer:%s", c->name);
  else snprintf(src, sizeof src, "%s", c->src[0] != 0 ? c->src : c->addr);
  va_list ap;
  va_start(ap, fmt);
  vlog_from(n, src, trusted, level, fmt, ap);
  va_end(ap);
}

uint64_t cp__now_ms(cp__node *n) { return uv_now(n->loop); }

cp__conn *cp__conn_by_id(cp__node *n, uint32_t id) {
  if (id == 0) return NULL;
  for (cp__conn *c = n->conns; c; c = c->next)
    if (c->id == id) return c;
  return NULL;
}

/* A duration in milliseconds from the environment (tests shorten timeouts
 * with it), or dflt when unset or not a number from 100 to 3,600,000. */
static unsigned env_ms(const char *name, unsigned dflt) {
  const char *v = getenv(name);
  if (v == NULL || *v == 0) return dflt;
  char *end;
  unsigned long ms = strtoul(v, &end, 10);
  return *end == 0 && ms >= 100 && ms <= 3600000ul ? (unsigned)ms : dflt;
}

/* The session credit in entries from the environment (tests make the
 * window small with it), or CP_SESSION_CREDIT_ENTRIES when unset or not a
 * number from 1 to that. */
static uint32_t env_credit(void) {
  const char *v = getenv(CP_CREDIT_ENV);
  if (v == NULL || *v == 0) return CP_SESSION_CREDIT_ENTRIES;
  char *end;
  unsigned long e = strtoul(v, &end, 10);
  return *end == 0 && e >= 1 && e <= CP_SESSION_CREDIT_ENTRIES ? (uint32_t)e
                                                               : CP_SESSION_CREDIT_ENTRIES;
}

int cp__parse_addr(const char *s, struct sockaddr_storage *ss) {
  char host[CP_ADDR_MAX];
  const char *colon = strrchr(s, ':');
  if (colon == NULL || colon == s || strlen(s) >= sizeof host) return UV_EINVAL;
  size_t hl = (size_t)(colon - s);
  memcpy(host, s, hl);
  host[hl] = 0;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end != 0 || port <= 0 || port > 65535) return UV_EINVAL;
  if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
    host[hl - 1] = 0;
    return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)ss);
  }
  return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss);
}

/* Splits HOST:PORT into a host name and a port for the resolver: 0, or
 * UV_EINVAL when it is not HOST:PORT. */
static int split_name(const char *s, char *host, size_t cap, char port[8]) {
  const char *colon = strrchr(s, ':');
  if (colon == NULL || colon == s || (size_t)(colon - s) >= cap) return UV_EINVAL;
  char *end;
  long pn = strtol(colon + 1, &end, 10);
  if (*end != 0 || pn <= 0 || pn > 65535) return UV_EINVAL;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = 0;
  if (strchr(host, ':') != NULL || strchr(host, '[') != NULL) return UV_EINVAL;
  snprintf(port, 8, "%ld", pn);
  return 0;
}

/* The address to listen on: an IP address, or a host name resolved here,
 * once, before the loop runs (its first address). 0 or a libuv error. */
static int listen_addr(const char *s, struct sockaddr_storage *ss) {
  char host[CP_ADDR_MAX], port[8];
  if (cp__parse_addr(s, ss) == 0) return 0;
  int rc = split_name(s, host, sizeof host, port);
  if (rc != 0) return rc;
  struct addrinfo hints, *ai = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) return UV_EAI_NONAME;
  memset(ss, 0, sizeof *ss);
  memcpy(ss, ai->ai_addr, ai->ai_addrlen < sizeof *ss ? ai->ai_addrlen : sizeof *ss);
  freeaddrinfo(ai);
  return 0;
}

/* ---- dialling --------------------------------------------------------------- */

struct cp__resolve {
  uv_getaddrinfo_t req;
  cp__node *n;
  cp__partner *p;                /* NULL for the one-shot partner */
  int orphan;                    /* its partner was removed: dial nothing */
  char addr[CP_ADDR_MAX];
};

void cp__resolve_cancel(cp__resolve *r) { uv_cancel((uv_req_t *)&r->req); }

void cp__resolve_orphan(cp__resolve *r) {
  r->orphan = 1;
  r->p = NULL;
  uv_cancel((uv_req_t *)&r->req);
}

static void on_connected(uv_connect_t *req, int status) {
  cp__conn *c = req->data;
  if (status < 0) {
    /* The next dial of a name takes the next address it resolves to. */
    if (c->partner != NULL) c->partner->turn++;
    cp__log(c->n, "info", "event=dial-failed addr=%s why=\"%s\"", c->addr, uv_strerror(status));
    if (c->n->cfg->oneshot_addr != NULL)
      snprintf(c->n->sum->error, sizeof c->n->sum->error, "cannot connect to %s: %s", c->addr,
               uv_strerror(status));
    cp__conn_abort(c);
    return;
  }
  cp__conn_start_reading(c);
}

static void partner_timer(uv_timer_t *t) {
  cp__partner *p = t->data;
  if (!p->n->stopping && p->conn_id == 0 && p->res == NULL) cp__dial(p->n, p, p->addr);
}

void cp__partner_retry(cp__partner *p) {
  if (p->n->stopping || p->n->cfg->oneshot_addr != NULL) return;
  /* Drawn from the system's random source: nodes restarted together
   * spread their redials instead of dialling in step. */
  unsigned jitter = (unsigned)randombytes_uniform(250);
  uv_timer_start(&p->timer, partner_timer, p->backoff_ms + jitter, 0);
  p->backoff_ms = p->backoff_ms * 2 > CP_BACKOFF_MAX_MS ? CP_BACKOFF_MAX_MS : p->backoff_ms * 2;
}


static void connect_to(cp__node *n, cp__partner *p, const char *addr,
                       const struct sockaddr_storage *ss);
static void stop(cp__node *n, const char *why);

/* A name resolved (on libuv's thread pool): dials one of its addresses, the
 * p->turn-th, so that successive redials go round all of them. A name that
 * does not resolve is logged (once per dial, so once per backoff step) and
 * dialled again with backoff; for a one-shot sync it ends the sync. */
static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *ai) {
  cp__resolve *r = req->data;
  cp__node *n = r->n;
  cp__partner *p = r->p;
  if (r->orphan) goto out;
  if (p != NULL) p->res = NULL;
  else n->oneshot_res = NULL;
  if (n->stopping) goto out;
  if (status < 0 || ai == NULL) {
    cp__log(n, "warn", "event=resolve-failed addr=%s why=\"%s\"", r->addr,
            uv_strerror(status < 0 ? status : UV_EAI_NONAME));
    if (p != NULL) cp__partner_retry(p);
    else {
      snprintf(n->sum->error, sizeof n->sum->error, "cannot resolve %s: %s", r->addr,
               uv_strerror(status < 0 ? status : UV_EAI_NONAME));
      stop(n, "one-shot sync ended");
    }
    goto out;
  }
  unsigned count = 0;
  for (const struct addrinfo *a = ai; a != NULL; a = a->ai_next) count++;
  const struct addrinfo *pick = ai;
  for (unsigned k = p != NULL ? p->turn % count : 0; k > 0; k--) pick = pick->ai_next;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  memcpy(&ss, pick->ai_addr, pick->ai_addrlen < sizeof ss ? pick->ai_addrlen : sizeof ss);
  if (p != NULL) {
    cp__src src;
    cp__src_from_sockaddr((struct sockaddr *)&ss, &src);
    cp__adm_know(n->adm, &src);
  }
  connect_to(n, p, r->addr, &ss);
out:
  uv_freeaddrinfo(ai);
  free(r);
}

/* Dials addr: an IP address at once; a host name after resolving it afresh
 * (every dial, so every reconnect, follows the name's current addresses). */
void cp__dial(cp__node *n, cp__partner *p, const char *addr) {
  struct sockaddr_storage ss;
  if (cp__parse_addr(addr, &ss) == 0) {
    connect_to(n, p, addr, &ss);
    return;
  }
  char host[CP_ADDR_MAX], port[8];
  cp__resolve *r = NULL;
  int rc = split_name(addr, host, sizeof host, port);
  if (rc != 0) {
    cp__log(n, "error", "event=bad-address addr=%s", addr);
    return;
  }
  if ((r = calloc(1, sizeof *r)) == NULL) rc = UV_ENOMEM;
  else {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    r->n = n;
    r->p = p;
    r->req.data = r;
    snprintf(r->addr, sizeof r->addr, "%s", addr);
    rc = uv_getaddrinfo(n->loop, &r->req, on_resolved, host, port, &hints);
  }
  if (rc != 0) {
    free(r);
    cp__log(n, "warn", "event=resolve-failed addr=%s why=\"%s\"", addr, uv_strerror(rc));
    if (p != NULL) cp__partner_retry(p);
    else {
      snprintf(n->sum->error, sizeof n->sum->error, "cannot resolve %s: %s", addr, uv_strerror(rc));
      stop(n, "one-shot sync ended");
    }
    return;
  }
  if (p != NULL) p->res = r;
  else n->oneshot_res = r;
}

static void connect_to(cp__node *n, cp__partner *p, const char *addr,
                       const struct sockaddr_storage *ss) {
  cp__conn *c = cp__conn_new(n, CP_SYNC_INITIATOR);
  if (c == NULL) return;
  snprintf(c->addr, sizeof c->addr, "%s", addr);
  c->partner = p;
  if (p != NULL) p->conn_id = c->id;
  c->creq.data = c;
  int rc = uv_tcp_connect(&c->creq, &c->tcp, (const struct sockaddr *)ss, on_connected);
  if (rc != 0) {
    cp__log(n, "info", "event=dial-failed addr=%s why=\"%s\"", addr, uv_strerror(rc));
    cp__conn_abort(c);
  }
}

/* ---- accepting -------------------------------------------------------------- */

static uint32_t sodium_uniform(void *ctx, uint32_t upper) {
  (void)ctx;
  return randombytes_uniform(upper);
}

void cp__admission_authed(cp__conn *c) { cp__adm_authed(c->n->adm, c->id); }

void cp__admission_closed(cp__conn *c) { cp__adm_remove(c->n->adm, c->id); }

/* Drops the handshakes older than the deadline. */
static void admission_tick(cp__node *n, uint64_t now) {
  uint32_t ids[64];
  size_t k;
  while ((k = cp__adm_expired(n->adm, now, ids, 64)) > 0)
    for (size_t i = 0; i < k; i++) {
      cp__conn *c = cp__conn_by_id(n, ids[i]);
      if (c == NULL || c->closing) continue;
      cp__conn_log(n, c, "warn",
                   "event=dropped addr=%s why=\"handshake not finished within %u ms\"", c->addr,
                   n->adm->lim.deadline_ms);
      n->sum->refused++;
      cp__conn_abort(c);
    }
}

/* A stranger's connection costs a file descriptor and a small handle until
 * admission decides (admission.h); only an admitted one gets a session and
 * its engine's buffers. The accepted socket moves to the session's handle
 * through a duplicate descriptor. */
static void on_accept(uv_stream_t *server, int status) {
  cp__node *n = server->data;
  if (status < 0) return;
  uv_tcp_t *t = malloc(sizeof *t);
  if (t == NULL) return;
  if (uv_tcp_init(n->loop, t) != 0) {
    free(t);
    return;
  }
  if (uv_accept(server, (uv_stream_t *)t) != 0) {
    uv_close((uv_handle_t *)t, (uv_close_cb)free);
    return;
  }
  struct sockaddr_storage ss;
  int len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (uv_tcp_getpeername(t, (struct sockaddr *)&ss, &len) != 0) ss.ss_family = AF_UNSPEC;
  cp__src src;
  char srcs[CP__SRC_STR];
  cp__src_from_sockaddr((struct sockaddr *)&ss, &src);
  cp__src_format(&src, srcs);
  uint64_t now = cp__now_ms(n);
  uint32_t victim = 0;
  cp__adm_verdict v = cp__adm_decide(n->adm, &src, now, &victim);
  if (v != CP_ADM_ACCEPT) {
    log_from(n, srcs, "warn", "event=refused from=%s why=\"%s\"", srcs, cp__adm_why(v));
    n->sum->refused++;
    uv_close((uv_handle_t *)t, (uv_close_cb)free);
    return;
  }
  cp__conn *o = cp__conn_by_id(n, victim);
  if (o != NULL && !o->closing) {
    cp__conn_log(n, o, "warn", "event=dropped addr=%s why=\"the handshake table is full and its "
                 "address holds the most handshakes\"", o->addr);
    n->sum->refused++;
    cp__conn_abort(o);
  }
  cp__conn *c = cp__conn_new(n, CP_SYNC_RESPONDER);
  uv_os_fd_t fd;
  int dupfd = -1;
  if (c != NULL && uv_fileno((uv_handle_t *)t, &fd) == 0) dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  uv_close((uv_handle_t *)t, (uv_close_cb)free);
  if (c == NULL) {
    if (dupfd >= 0) close(dupfd);
    return;
  }
  if (dupfd < 0 || uv_tcp_open(&c->tcp, dupfd) != 0 || cp__adm_add(n->adm, c->id, &src, now) != 0) {
    if (dupfd >= 0 && uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0) close(dupfd);
    cp__conn_abort(c);
    return;
  }
  snprintf(c->src, sizeof c->src, "%s", srcs);
  char host[64] = "?";
  if (ss.ss_family == AF_INET6)
    uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
  else if (ss.ss_family == AF_INET)
    uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
  snprintf(c->addr, sizeof c->addr, "%s:%d", host, ntohs(((struct sockaddr_in *)&ss)->sin_port));
  uv_tcp_nodelay(&c->tcp, 1);
  cp__conn_start_reading(c);
}

/* ---- timers, signals, status ---------------------------------------------------- */

static void stop(cp__node *n, const char *why) {
  if (n->stopping) return;
  n->stopping = 1;
  cp__log(n, "info", "event=stopping why=\"%s\"", why);
  if (n->listening) uv_close((uv_handle_t *)&n->server, NULL);
  n->listening = 0;
  for (cp__conn *c = n->conns; c; c = c->next) cp__conn_close(c, 0, "node shutting down");
  cp__partners_stop(n);
  if (n->oneshot_res != NULL) uv_cancel((uv_req_t *)&n->oneshot_res->req);
}

static void write_status(cp__node *n) {
  if (n->cfg->data_dir == NULL) return;
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/status.json", n->cfg->data_dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) return;
  fprintf(f, "{\"pid\":%ld,\"time\":%lld,\"listen\":\"%s\",\"sessions\":[", (long)getpid(),
          (long long)time(NULL), n->cfg->listen ? n->cfg->listen : "");
  int first = 1;
  for (cp__conn *c = n->conns; c; c = c->next) {
    if (!c->authed || c->closing) continue;
    char hex[2 * CP_PK_BYTES + 1];
    cp_sync_stats st;
    cp_sync_get_stats(c->sync, &st);
    cp_hex_encode(c->peer, CP_PK_BYTES, hex);
    fprintf(f, "%s{\"peer\":\"%s\",\"addr\":\"%s\",\"synced\":%s,\"bytes_in\":%llu,"
            "\"bytes_out\":%llu,\"entries_in\":%llu,\"entries_out\":%llu,"
            "\"pipeline_jobs\":%u,\"pipeline_bytes\":%llu,\"wasted_units\":%llu,"
            "\"paused\":%s}",
            first ? "" : ",", hex, c->addr, c->synced ? "true" : "false",
            (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
            (unsigned long long)st.entries_in, (unsigned long long)st.entries_out, c->b.jobs,
            (unsigned long long)c->b.bytes, (unsigned long long)c->b.wasted,
            c->b.paused ? "true" : "false");
    first = 0;
  }
  fprintf(f, "]}\n");
  if (fclose(f) == 0) rename(tmp, path);
}

static void progress(cp__node *n, uint64_t now) {
  if (!n->cfg->progress) return;
  double secs = (double)(now - n->started_ms) / 1000.0;
  double rate = secs > 0 ? (double)n->sum->entries_in / secs : 0;
  uint64_t expected = 0, got = 0;
  for (cp__conn *c = n->conns; c; c = c->next) {
    cp_sync_stats st;
    cp_sync_get_stats(c->sync, &st);
    expected += st.entries_expected;
    got += st.entries_in;
  }
  FILE *f = n->cfg->log != NULL ? n->cfg->log : stderr;
  fprintf(f, "\r\033[K  %llu entries received, %.0f/s", (unsigned long long)n->sum->entries_in,
          rate);
  if (expected > got && rate > 0)
    fprintf(f, ", %llu to go, ETA %.0f s", (unsigned long long)(expected - got),
            (double)(expected - got) / rate);
  fflush(f);
  n->last_progress_ms = now;
}

/* One-shot: done only when both directions are complete (D-4): both sides
 * said DONE, no request of the peer is left, the peer credited back every
 * entry we sent (it committed them), and everything we received is
 * committed. Quiet on the wire proves nothing: a partner busy committing one
 * credit window is quiet too. */
static void oneshot_check(cp__node *n) {
  if (n->cfg->oneshot_addr == NULL || n->stopping || n->oneshot_res != NULL) return;
  cp__conn *c = n->conns;
  if (c == NULL) {
    if (n->sum->error[0] == 0) snprintf(n->sum->error, sizeof n->sum->error, "connection lost");
    stop(n, "one-shot sync ended");
    return;
  }
  if (c->authed && cp_sync_complete(c->sync) && cp__pipeline_idle(n) && !c->want_pending &&
      !c->writing) {
    n->sum->synced = 1;
    stop(n, "one-shot sync complete");
  }
}

void cp__sync_left(cp__conn *c, char *out, size_t cap) {
  cp_sync_progress p;
  cp_reader *r = NULL;
  size_t o = 0;
  uint8_t log[CP_PK_BYTES];
  uint64_t seq;
  char hex[17];
  out[0] = 0;
  if (cap == 0) return;
  cp_sync_get_progress(c->sync, &p);
  if (cp_reader_begin(c->n->s, &r) != 0) r = NULL;
#define LEFT(...)                                                        \
  do {                                                                   \
    if (o < cap) {                                                       \
      int k_ = snprintf(out + o, cap - o, "%s", o ? "; " : "");          \
      if (k_ > 0) o += (size_t)k_;                                       \
    }                                                                    \
    if (o < cap) {                                                       \
      int k_ = snprintf(out + o, cap - o, __VA_ARGS__);                  \
      if (k_ > 0) o += (size_t)k_;                                       \
    }                                                                    \
  } while (0)
  for (size_t i = 0; cp_sync_peer_request(c->sync, i, log, &seq) == 0; i++) {
    cp_log_info li;
    uint64_t m = r != NULL && cp_reader_log(r, log, &li) == 0 ? li.size : 0;
    cp_hex_encode(log, 8, hex);
    LEFT("log %s…: partner at %llu of %llu", hex, (unsigned long long)seq, (unsigned long long)m);
  }
  for (size_t i = 0; cp_sync_own_request(c->sync, i, log, &seq) == 0; i++) {
    cp_log_info li;
    uint64_t held = r != NULL && cp_reader_log(r, log, &li) == 0 ? li.size : 0;
    cp_hex_encode(log, 8, hex);
    LEFT("log %s…: we hold %llu, the partner has more", hex, (unsigned long long)held);
  }
  if (p.sent_unacked > 0)
    LEFT("%llu entries sent that the partner has not confirmed committed",
         (unsigned long long)p.sent_unacked);
  if (!p.recon_done) LEFT("the comparison of heads did not finish");
  else if (!p.peer_done) LEFT("the partner did not say it was done");
#undef LEFT
  cp_reader_end(r);
}

static void on_tick(uv_timer_t *t) {
  cp__node *n = t->data;
  uint64_t now = cp__now_ms(n);
  for (cp__conn *c = n->conns; c; c = c->next) cp__conn_tick(c, now);
  admission_tick(n, now);
  cp__loglim_roll(n->loglim, now, 0, log_summary, n);
  oneshot_check(n);
  cp__push_own(n);
  if (!n->stopping) cp__partners_reload(n, now);
  if (now - n->last_progress_ms >= 1000 || n->last_progress_ms == 0) {
    write_status(n);
    if (!cp__pipeline_idle(n)) progress(n, now);
    else n->last_progress_ms = now;
  }
  if (n->cfg->stop_after_ms && now - n->started_ms >= n->cfg->stop_after_ms)
    stop(n, "time limit reached");
  if (n->stopping && n->conns == NULL && cp__pipeline_idle(n)) {
    uv_timer_stop(&n->tick);
    uv_close((uv_handle_t *)&n->tick, NULL);
    uv_close((uv_handle_t *)&n->sigint, NULL);
    uv_close((uv_handle_t *)&n->sigterm, NULL);
    uv_close((uv_handle_t *)&n->sighup, NULL);
    if (n->watching) uv_close((uv_handle_t *)&n->watch, NULL);
    uv_timer_stop(&n->pushtimer);
    uv_close((uv_handle_t *)&n->pushtimer, NULL);
    n->watching = 0;
    cp__partners_close(n);
  }
}

static void on_signal(uv_signal_t *s, int signum) {
  cp__node *n = s->data;
  if (signum == SIGHUP) cp__log_reopen(n);
  else stop(n, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

/* The file event arrives as LMDB starts writing a commit, a moment before
 * the commit is visible to readers: look again every 2 ms for up to 50 ms. */
static void on_pushtimer(uv_timer_t *t) {
  cp__node *n = t->data;
  uint64_t before = n->own_size;
  cp__push_own(n);
  if (n->own_size != before || ++n->push_tries >= 25) uv_timer_stop(t);
}

static void on_fs(uv_fs_event_t *h, const char *file, int events, int status) {
  cp__node *n = h->data;
  (void)file, (void)events, (void)status;
  cp__push_own(n);
  if (!n->stopping) {
    n->push_tries = 0;
    uv_timer_start(&n->pushtimer, on_pushtimer, 2, 2);
  }
}

/* ---- setup -------------------------------------------------------------------- */

int cp_node_run(const cp_node_config *cfg, cp_node_summary *sum) {
  cp__node n;
  uv_loop_t loop;
  cp__adm adm;
  cp__loglim loglim;
  const cp__adm_limits adm_limits = {CP_CONN_MAX, CP_PREAUTH_MAX, CP_PREAUTH_DROP_START,
                                     CP_PREAUTH_DROP_RATE, CP_PREAUTH_SOURCE_MAX,
                                     CP_CONN_SOURCE_MAX,
                                     env_ms(CP_PREAUTH_ENV, CP_PREAUTH_DEADLINE_MS),
                                     CP_PREAUTH_KNOWN_MAX, CP_PREAUTH_RATE, CP_PREAUTH_MAX};
  const cp__loglim_limits log_limits = {CP_LOG_WINDOW_MS, CP_LOG_SOURCE_LINES,
                                        CP_LOG_STRANGER_LINES, CP_LOG_PEER_LINES,
                                        CP_LOG_SUMMARY_SOURCES};
  cp_reader *r = NULL;
  cp_log_info li;
  memset(&n, 0, sizeof n);
  memset(sum, 0, sizeof *sum);
  n.cfg = cfg;
  n.s = cfg->store;
  cp_store_tune(n.s, &(cp_store_tuning){CP_NODE_MAP_RESIDENT, 0});
  n.sum = sum;
  n.loop = &loop;
  n.write_stall_ms = env_ms(CP_WRITE_STALL_ENV, CP_WRITE_STALL_MS);
  n.idle_ms = env_ms(CP_IDLE_ENV, 0);
  n.penalty_ms = env_ms(CP_PENALTY_ENV, CP_PENALTY_MS);
  n.stable_ms = env_ms(CP_BACKOFF_STABLE_ENV, CP_BACKOFF_STABLE_MS);
  n.credit_entries = env_credit();
  signal(SIGPIPE, SIG_IGN);
  if (cp__adm_init(&adm, &adm_limits, sodium_uniform, NULL) != 0) return CP_ENOMEM;
  n.adm = &adm;
  cp__loglim_init(&loglim, &log_limits);
  n.loglim = &loglim;
  int lrc = cp__log_open(&n);
  if (lrc != 0) {
    snprintf(sum->error, sizeof sum->error, "cannot open the log file %s: %s", cfg->log_file,
             strerror(-lrc));
    cp__adm_free(&adm);
    return CP_EINVAL;
  }
  if (uv_loop_init(&loop) != 0) {
    cp__adm_free(&adm);
    cp__log_close(&n);
    return CP_ENOMEM;
  }
  int rc = cp_reader_begin(n.s, &r);
  if (rc == 0) rc = cp_reader_self(r, n.self);
  if (rc == 0 && cp_reader_log(r, n.self, &li) == 0) n.own_size = li.size;
  cp_reader_end(r);
  if (rc == 0) rc = cp__partners_load(&n);
  if (rc == 0 && cfg->oneshot_key != NULL) {
    uint8_t *na = realloc(n.allow, (n.nallow + 1) * CP_PK_BYTES);
    if (na == NULL) rc = CP_ENOMEM;
    else {
      n.allow = na;
      memcpy(n.allow + n.nallow++ * CP_PK_BYTES, cfg->oneshot_key, CP_PK_BYTES);
    }
  }
  if (rc != 0) {
    snprintf(sum->error, sizeof sum->error, "cannot read the node's setup: %s", cp_strerror(rc));
    cp__partners_close(&n);
    uv_run(&loop, UV_RUN_DEFAULT);
    goto out;
  }
  uv_signal_init(&loop, &n.sigint);
  uv_signal_init(&loop, &n.sigterm);
  uv_signal_init(&loop, &n.sighup);
  n.sigint.data = n.sigterm.data = n.sighup.data = &n;
  uv_signal_start(&n.sigint, on_signal, SIGINT);
  uv_signal_start(&n.sigterm, on_signal, SIGTERM);
  uv_signal_start(&n.sighup, on_signal, SIGHUP);
  uv_timer_init(&loop, &n.tick);
  n.tick.data = &n;
  uv_timer_init(&loop, &n.pushtimer);
  n.pushtimer.data = &n;
  n.started_ms = uv_now(&loop);
  uv_timer_start(&n.tick, on_tick, 100, 100);
  if (uv_fs_event_init(&loop, &n.watch) == 0) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", cp_store_path(n.s));
    n.watch.data = &n;
    if (uv_fs_event_start(&n.watch, on_fs, dir, 0) == 0) n.watching = 1;
    else uv_close((uv_handle_t *)&n.watch, NULL);
  }
  if (cfg->listen != NULL) {
    struct sockaddr_storage ss;
    if ((rc = listen_addr(cfg->listen, &ss)) == 0) rc = uv_tcp_init(&loop, &n.server);
    if (rc == 0) {
      n.server.data = &n;
      n.listening = 1;
      rc = uv_tcp_bind(&n.server, (struct sockaddr *)&ss, 0);
      if (rc == 0) rc = uv_listen((uv_stream_t *)&n.server, 128, on_accept);
    }
    if (rc != 0) {
      snprintf(sum->error, sizeof sum->error, "cannot listen on %s: %s", cfg->listen,
               uv_strerror(rc));
      cp__log(&n, "error", "event=listen-failed addr=%s why=\"%s\"", cfg->listen, uv_strerror(rc));
      stop(&n, "cannot listen");
      rc = -EADDRINUSE;
    } else {
      cp__log(&n, "info", "event=listening addr=%s partners=%zu allowed=%zu", cfg->listen,
              n.npartners, n.nallow);
    }
  }
  else if (cfg->oneshot_addr == NULL)
    cp__log(&n, "warn", "event=dial-only partners=%zu msg=\"not listening: partners cannot "
            "dial this node (serve --listen HOST:PORT)\"", n.npartners);
  if (!n.stopping) {
    if (cfg->oneshot_addr != NULL) cp__dial(&n, NULL, cfg->oneshot_addr);
    for (size_t i = 0; i < n.npartners; i++) cp__dial(&n, n.partners[i], n.partners[i]->addr);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  cp__loglim_roll(&loglim, uv_now(&loop), 1, log_summary, &n);
  if (cfg->progress && n.last_progress_ms) fputc('\n', cfg->log ? cfg->log : stderr);
  sum->seconds = (double)(uv_now(&loop) - n.started_ms) / 1000.0;
  if (cfg->oneshot_addr != NULL && !sum->synced && rc == 0) rc = CP_EPROTO;
out:
  uv_loop_close(&loop);
  cp__adm_free(&adm);
  cp__log_close(&n);
  cp__partners_free(&n);
  free(n.allow);
  if (cfg->data_dir != NULL) {
    char path[4096];
    snprintf(path, sizeof path, "%s/status.json", cfg->data_dir);
    unlink(path);
  }
  return rc;
}
