/*
 * credport — the peer table in a running node: the allowlist and the
 * partners dialled, read at start and followed while the node runs.
 *
 * `credport peer add/remove` writes the table from another process; the
 * node looks at it every CP_PEERS_RELOAD_MS (one read transaction over at
 * most CP_SYNC_ALLOW_MAX rows, compared by a digest of keys and addresses)
 * and applies what changed: a new partner is dialled at once, a removed one
 * has its session closed and its timer and lookup dropped, a changed
 * address is dialled from the next attempt, and sessions of keys no longer
 * in the table are closed. Nothing is restarted.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "credport/codec.h"
#include "daemon_internal.h"

typedef struct {
  cp__node *n;
  uint8_t *allow;                /* the table's keys, in table order */
  size_t nallow;
  crypto_generichash_state h;
  int failed;
} table_walk;

static int walk_row(void *ctx, const cp_peer_info *p) {
  table_walk *w = ctx;
  if (w->nallow >= CP_SYNC_ALLOW_MAX) return 0;
  uint8_t *na = realloc(w->allow, (w->nallow + 1) * CP_PK_BYTES);
  if (na == NULL) return CP_ENOMEM;
  w->allow = na;
  memcpy(w->allow + w->nallow++ * CP_PK_BYTES, p->key, CP_PK_BYTES);
  crypto_generichash_update(&w->h, p->key, CP_PK_BYTES);
  crypto_generichash_update(&w->h, (const uint8_t *)p->addr, strlen(p->addr) + 1);
  return 0;
}

/* Reads the table: its keys (w->allow) and its digest. */
static int read_table(cp__node *n, table_walk *w, uint64_t *digest) {
  cp_reader *r = NULL;
  uint8_t out[8];
  memset(w, 0, sizeof *w);
  w->n = n;
  crypto_generichash_init(&w->h, NULL, 0, sizeof out);
  int rc = cp_reader_begin(n->s, &r);
  if (rc == 0) rc = cp_reader_each_peer(r, walk_row, w);
  cp_reader_end(r);
  crypto_generichash_final(&w->h, out, sizeof out);
  memcpy(digest, out, sizeof *digest);
  if (rc != 0) {
    free(w->allow);
    w->allow = NULL;
  }
  return rc;
}

static cp__partner *find(cp__node *n, const uint8_t key[CP_PK_BYTES]) {
  for (size_t i = 0; i < n->npartners; i++)
    if (memcmp(n->partners[i]->key, key, CP_PK_BYTES) == 0) return n->partners[i];
  return NULL;
}

static void know_addr(cp__node *n, const char *addr) {
  struct sockaddr_storage ss;
  if (cp__parse_addr(addr, &ss) == 0) {
    cp__src src;
    cp__src_from_sockaddr((struct sockaddr *)&ss, &src);
    cp__adm_know(n->adm, &src);
  }
}

/* A new partner (timer initialised, not dialled), or NULL (out of memory). */
static cp__partner *partner_new(cp__node *n, const cp_peer_info *p) {
  cp__partner **np = realloc(n->partners, (n->npartners + 1) * sizeof *np);
  if (np == NULL) return NULL;
  n->partners = np;
  cp__partner *x = calloc(1, sizeof *x);
  if (x == NULL) return NULL;
  x->n = n;
  memcpy(x->key, p->key, CP_PK_BYTES);
  snprintf(x->addr, sizeof x->addr, "%s", p->addr);
  x->backoff_ms = CP_BACKOFF_MIN_MS;
  x->mark = n->peers_gen;
  uv_timer_init(n->loop, &x->timer);
  x->timer.data = x;
  n->partners[n->npartners++] = x;
  know_addr(n, x->addr);
  return x;
}

static int load_row(void *ctx, const cp_peer_info *p) {
  cp__node *n = ctx;
  if (p->addr[0] == 0 || n->cfg->oneshot_addr != NULL) return 0;
  return partner_new(n, p) != NULL ? 0 : CP_ENOMEM;
}

int cp__partners_load(cp__node *n) {
  table_walk w;
  cp_reader *r = NULL;
  int rc = read_table(n, &w, &n->peers_digest);
  if (rc != 0) return rc;
  n->allow = w.allow;
  n->nallow = n->ntable = w.nallow;
  if ((rc = cp_reader_begin(n->s, &r)) == 0) rc = cp_reader_each_peer(r, load_row, n);
  cp_reader_end(r);
  return rc;
}

static void partner_closed(uv_handle_t *h) { free(h->data); }

static void close_session(cp__node *n, cp__conn *c, const char *why) {
  cp__conn_log(n, c, "info", "event=session-closed peer=%s addr=%s why=\"%s\"",
               c->authed ? c->name : "unauthenticated", c->addr, why);
  cp__conn_close(c, 0, why);
}

/* Closes p's session (if any) and forgets p. */
static void partner_remove(cp__node *n, size_t i, const char *why) {
  cp__partner *p = n->partners[i];
  cp__conn *c = cp__conn_by_id(n, p->conn_id);
  if (c != NULL && c->partner == p) {
    c->partner = NULL;
    close_session(n, c, why);
  }
  if (p->res != NULL) cp__resolve_orphan(p->res);
  uv_timer_stop(&p->timer);
  uv_close((uv_handle_t *)&p->timer, partner_closed);
  n->partners[i] = n->partners[--n->npartners];
}

static int in_allow(const uint8_t *allow, size_t n, const uint8_t key[CP_PK_BYTES]) {
  for (size_t i = 0; i < n; i++)
    if (memcmp(allow + i * CP_PK_BYTES, key, CP_PK_BYTES) == 0) return 1;
  return 0;
}

typedef struct {
  cp__node *n;
  unsigned added, changed;
  int failed;
} sync_walk;

static int reload_row(void *ctx, const cp_peer_info *p) {
  sync_walk *w = ctx;
  cp__node *n = w->n;
  if (p->addr[0] == 0) return 0;
  cp__partner *x = find(n, p->key);
  if (x == NULL) {
    if ((x = partner_new(n, p)) == NULL) return CP_ENOMEM;
    w->added++;
    cp__dial(n, x, x->addr);
    return 0;
  }
  x->mark = n->peers_gen;
  if (strcmp(x->addr, p->addr) != 0) {
    /* Dialled at its new address from the next attempt, without waiting
     * out a backoff earned at the old one. */
    snprintf(x->addr, sizeof x->addr, "%s", p->addr);
    know_addr(n, x->addr);
    x->backoff_ms = CP_BACKOFF_MIN_MS;
    x->turn = 0;
    w->changed++;
    if (x->conn_id == 0 && x->res == NULL) {
      uv_timer_stop(&x->timer);
      cp__dial(n, x, x->addr);
    }
  }
  return 0;
}

void cp__partners_reload(cp__node *n, uint64_t now) {
  table_walk w;
  uint64_t digest;
  if (n->cfg->oneshot_addr != NULL || now - n->peers_checked_ms < CP_PEERS_RELOAD_MS) return;
  n->peers_checked_ms = now;
  if (read_table(n, &w, &digest) != 0) return; /* tried again at the next tick */
  if (digest == n->peers_digest) {
    free(w.allow);
    return;
  }
  n->peers_gen++;
  /* The new allowlist first: the dials below hand it to their sessions. */
  free(n->allow);
  n->allow = w.allow;
  n->nallow = n->ntable = w.nallow;
  n->peers_digest = digest;
  sync_walk sw = {n, 0, 0, 0};
  cp_reader *r = NULL;
  int rc = cp_reader_begin(n->s, &r);
  if (rc == 0) rc = cp_reader_each_peer(r, reload_row, &sw);
  cp_reader_end(r);
  if (rc != 0) {
    n->peers_digest = 0; /* the rest is applied at the next tick */
    cp__log(n, "error", "event=peers-reload-failed why=\"%s\"", cp_strerror(rc));
    return;
  }
  unsigned removed = 0, closed = 0;
  for (size_t i = n->npartners; i-- > 0;)
    if (n->partners[i]->mark != n->peers_gen) {
      partner_remove(n, i, "partner removed from the peer table");
      removed++;
    }
  /* Sessions of keys no longer allowed (accepted ones included) end. */
  for (cp__conn *c = n->conns; c; c = c->next)
    if (c->authed && !c->closing && !in_allow(n->allow, n->nallow, c->peer)) {
      close_session(n, c, "partner removed from the peer table");
      closed++;
    }
  cp__log(n, "info",
          "event=peers-reloaded allowed=%zu dialled=%zu added=%u changed=%u removed=%u closed=%u",
          n->nallow, n->npartners, sw.added, sw.changed, removed, closed);
}

void cp__partners_stop(cp__node *n) {
  for (size_t i = 0; i < n->npartners; i++) {
    uv_timer_stop(&n->partners[i]->timer);
    /* A lookup still queued is dropped; one already running is waited for. */
    if (n->partners[i]->res != NULL) cp__resolve_cancel(n->partners[i]->res);
  }
}

void cp__partners_close(cp__node *n) {
  for (size_t i = 0; i < n->npartners; i++) {
    /* A lookup that ends after this frees itself and touches no partner. */
    if (n->partners[i]->res != NULL) cp__resolve_orphan(n->partners[i]->res);
    uv_timer_stop(&n->partners[i]->timer);
    uv_close((uv_handle_t *)&n->partners[i]->timer, partner_closed);
  }
  n->npartners = 0;
}

void cp__partners_free(cp__node *n) {
  for (size_t i = 0; i < n->npartners; i++) free(n->partners[i]);
  free(n->partners);
  n->partners = NULL;
  n->npartners = 0;
}
