/*
 * credport — one partner session: moves bytes between a TCP stream and the
 * sync engine, and answers the engine's events from the ledger.
 *
 * Lifetimes (as libuv's): a connection is freed only in its close
 * callback; pipeline jobs refer to it by id, never by pointer, so a job that
 * outlives its connection finds nothing and drops its answer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credport/codec.h"
#include "credport/revstatus.h"
#include "daemon_internal.h"

static void on_closed(uv_handle_t *h) {
  cp__conn *c = h->data;
  cp__node *n = c->n;
  cp__admission_closed(c);
  /* A one-shot sync reports why its session ended, whoever ended it (this
   * node refusing a batch, the peer, the engine), unless it was stopping. */
  if (n->cfg->oneshot_addr != NULL && !n->stopping && n->sum->error[0] == 0) {
    char left[sizeof n->sum->error];
    cp__sync_left(c, left, sizeof left);
    snprintf(n->sum->error, sizeof n->sum->error, "%s%s%s",
             cp_sync_status(c->sync) != 0 ? cp_sync_error(c->sync) : "connection lost",
             left[0] ? "; left: " : "", left);
  }
  for (cp__conn **pp = &n->conns; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  if (c->partner != NULL && c->partner->conn_id == c->id) {
    c->partner->conn_id = 0;
    /* Only a session that synced and stayed up resets the backoff: one
     * that ends in a refusal, however soon after its handshake, makes the
     * next dial wait longer. */
    if (c->synced && cp__now_ms(n) - c->authed_ms >= n->stable_ms)
      c->partner->backoff_ms = CP_BACKOFF_MIN_MS;
    cp__partner_retry(c->partner);
  }
  if (c->authed) {
    cp_sync_stats st;
    cp_sync_get_stats(c->sync, &st);
    cp__job *j = cp__job_new(n, JOB_PEER, 0);
    cp_reader *r = NULL;
    if (j != NULL && cp_reader_begin(n->s, &r) == 0) {
      if (cp_reader_peer(r, c->peer, &j->peer) != 0) {
        memset(&j->peer, 0, sizeof j->peer);
        memcpy(j->peer.key, c->peer, CP_PK_BYTES);
      }
      cp_reader_end(r);
      j->peer.bytes_in += st.bytes_in;
      j->peer.bytes_out += st.bytes_out;
      j->peer.entries_in += st.entries_in;
      j->peer.entries_out += st.entries_out;
      j->peer.last_seen = (uint64_t)time(NULL);
      if (c->synced) j->peer.last_sync = j->peer.last_seen;
      snprintf(j->peer.last_error, sizeof j->peer.last_error, "%s", cp_sync_error(c->sync));
      if (c->clock.peer_ms != 0) j->peer.clock = c->clock;
      /* Only partners in the peer table get a record (a one-shot sync's
       * key is allowed for that session only: recording it would add it
       * to the table, and so to every later serve's allowlist). */
      int known = 0;
      for (size_t i = 0; i < n->ntable; i++)
        if (memcmp(n->allow + i * CP_PK_BYTES, c->peer, CP_PK_BYTES) == 0) known = 1;
      if (known && !n->stopping) {
        cp__job_submit(n, j);
      } else {
        /* Shutting down: the pipeline takes no new work; write it now. */
        if (known) {
          cp_diag d;
          int rc = cp_store_peer_put(n->s, &j->peer, 0, &d);
          (void)rc;
        }
        free(j);
      }
    } else {
      free(j);
    }
  }
  cp_sync_free(c->sync);
  free(c->heads);
  free(c->wbuf);
  free(c);
}

void cp__conn_close(cp__conn *c, int err, const char *reason) {
  if (c->closing) return;
  if (cp_sync_status(c->sync) == 0) cp_sync_close(c->sync, err, reason);
  c->close_after_flush = 1;
  cp__conn_flush(c);
  /* The flush closes the connection itself when nothing was left to send
   * (a session already poisoned queues no CLOSE): never close twice. */
  if (!c->writing) cp__conn_abort(c);
}

void cp__conn_abort(cp__conn *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_written(uv_write_t *w, int status);

void cp__conn_flush(cp__conn *c) {
  if (c->closing || c->writing) return;
  size_t len;
  const uint8_t *p = cp_sync_out(c->sync, &len);
  if (len == 0) {
    if (c->close_after_flush) cp__conn_abort(c);
    return;
  }
  if (len > c->wcap) {
    uint8_t *nb = realloc(c->wbuf, len);
    if (nb == NULL) {
      cp__conn_abort(c);
      return;
    }
    c->wbuf = nb;
    c->wcap = len;
  }
  memcpy(c->wbuf, p, len);
  cp_sync_out_ack(c->sync, len);
  uv_buf_t b = uv_buf_init((char *)c->wbuf, (unsigned)len);
  c->writing = 1;
  c->write_since_ms = cp__now_ms(c->n);
  c->wreq.data = c;
  if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
    c->writing = 0;
    cp__conn_abort(c);
  }
}

static void answer_want(cp__conn *c);
static void take_events(cp__conn *c);

static void on_written(uv_write_t *w, int status) {
  cp__conn *c = w->data;
  c->writing = 0;
  if (status < 0) {
    if (!c->closing)
      cp__conn_log(c->n, c, "info", "event=disconnected peer=%s why=\"write: %s\"", c->name,
                   uv_strerror(status));
    cp__conn_abort(c);
    return;
  }
  if (c->want_pending) answer_want(c);
  take_events(c);
  cp__conn_flush(c);
}

/* ---- events ---------------------------------------------------------------- */

typedef struct {
  cp_sync_head *v;
  size_t n, cap;
} heads;

static int add_head(void *ctx, const cp_log_info *li) {
  heads *h = ctx;
  if (li->size == 0) return 0;
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 64;
    cp_sync_head *v = realloc(h->v, cap * sizeof *v);
    if (v == NULL) return CP_ENOMEM;
    h->v = v;
    h->cap = cap;
  }
  memcpy(h->v[h->n].log, li->log, CP_PK_BYTES);
  h->v[h->n].size = li->size;
  memcpy(h->v[h->n].head, li->head, CP_HASH_BYTES);
  h->v[h->n].flags = li->flags & CP_LOG_FORKED ? CP_SYNC_HEAD_FORKED : 0;
  h->n++;
  return 0;
}

static void give_heads(cp__conn *c) {
  heads h = {NULL, 0, 0};
  cp_reader *r = NULL;
  int rc = cp_reader_begin(c->n->s, &r);
  if (rc == 0) rc = cp_reader_each_log(r, add_head, &h);
  cp_reader_end(r);
  if (rc == 0) {
    cp_clock_obs now;
    cp_clock_sample(&now);
    cp_sync_set_clock(c->sync, now.local_ms);
    rc = cp_sync_provide_heads(c->sync, h.v, h.n);
  }
  if (rc != 0) {
    free(h.v);
    /* A session that ended meanwhile (the peer's CLOSE arrived with its
     * last handshake message) is logged and closed by settle(). */
    if (cp_sync_status(c->sync) == 0) cp__conn_close(c, rc, "cannot read the ledger's heads");
    return;
  }
  free(c->heads);
  c->heads = h.v;
  c->nheads = h.n;
}

static void send_checkpoint(cp__conn *c, cp_reader *r, const uint8_t log[CP_PK_BYTES]) {
  const char *note;
  size_t len;
  if (cp_reader_checkpoint(r, log, &note, &len) == 0) {
    int rc = cp_sync_send_checkpoint(c->sync, log, note, len);
    (void)rc; /* CP_EAGAIN: the next log's end sends a newer one */
  }
}

/* The latest revocation statement of log, when there is one: it travels
 * after the checkpoint it is bound to (or a later one). SPEC: L-5 */
static void send_revstat(cp__conn *c, cp_reader *r, const uint8_t log[CP_PK_BYTES]) {
  const char *text;
  size_t len;
  uint64_t at;
  if (cp_reader_revstat(r, log, 0, &text, &len, &at) == 0) {
    int rc = cp_sync_send_revstat(c->sync, log, text, len);
    (void)rc; /* CP_EAGAIN: the next checkpoint of the log sends a newer one */
  }
}

static uint64_t entry_time(const uint8_t *e) {
  uint64_t t = 0;
  for (int i = 0; i < 8; i++) t = t << 8 | e[74 + i];
  return t;
}

static void answer_want(cp__conn *c) {
  cp_reader *r = NULL;
  cp_sync_blob *v = calloc(c->want_count ? c->want_count : 1, sizeof *v);
  if (v == NULL || cp_reader_begin(c->n->s, &r) != 0) {
    free(v);
    cp__conn_close(c, CP_ENOMEM, "cannot read the ledger");
    return;
  }
  cp_log_info li;
  size_t n = 0, bytes = 0;
  uint64_t size = cp_reader_log(r, c->want_log, &li) == 0 ? li.size : 0;
  /* R-entry-06: a receiver takes entries dated beyond its bound only in
   * one batch with the clock entry that corrects them. So a run of such
   * entries starts a batch, and the batch runs on to that clock entry. */
  uint64_t bound = (uint64_t)time(NULL) + CP_TIME_SKEW_MAX;
  int in_run = 0;
  for (uint64_t seq = c->want_seq; seq < size && n < c->want_count; seq++) {
    const uint8_t *buf;
    size_t len;
    if (cp_reader_entry(r, c->want_log, seq, &buf, &len) != 0) break;
    if (bytes + len > c->want_bytes) break;
    if (len >= CP_ENTRY_HEADER_BYTES && buf[1] == CP_T_CLOCK) {
      in_run = 0;
    } else if (len >= CP_ENTRY_HEADER_BYTES && !in_run && entry_time(buf) > bound) {
      if (n > 0) break;
      in_run = 1;
    }
    v[n].p = buf;
    v[n].len = len;
    bytes += len;
    n++;
  }
  int end = c->want_seq + n >= size;
  /* A run cut short by the credit left waits for more (it comes back as
   * the peer commits what it has) rather than travel without its clock. */
  cp_sync_progress pg;
  cp_sync_get_progress(c->sync, &pg);
  if (in_run && !end && c->want_count < CP_SYNC_BATCH_MAX && pg.sent_unacked > 0) n = 0;
  int rc = cp_sync_provide_entries(c->sync, c->want_log, c->want_seq, v, n, end);
  if (rc == 0) {
    c->want_pending = 0;
    c->n->sum->entries_out += n;
    if (end) {
      send_checkpoint(c, r, c->want_log);
      send_revstat(c, r, c->want_log);
    }
    if (n == 0) (void)cp__budget_charge(c, 1, "REQ for nothing this node holds");
  } else if (rc != CP_EAGAIN) {
    c->want_pending = 0;
  }
  cp_reader_end(r);
  free(v);
}

static void on_handshake(cp__conn *c, const cp_sync_event *ev) {
  cp__node *n = c->n;
  memcpy(c->peer, ev->log, CP_PK_BYTES);
  cp_hex_encode(c->peer, 8, c->name);
  if (c->partner != NULL && memcmp(c->partner->key, c->peer, CP_PK_BYTES) != 0) {
    cp__conn_log(n, c, "warn", "event=refused peer=%s addr=%s why=\"not the partner key "
                 "configured for this address\"", c->name, c->addr);
    n->sum->refused++;
    cp__conn_close(c, CP_EDENIED, "unexpected key for this address");
    return;
  }
  uint64_t left = cp__penalty_left(n, c->peer);
  if (left > 0) {
    char why[128];
    snprintf(why, sizeof why, "over budget earlier: refused for another %llu ms",
             (unsigned long long)left);
    cp__conn_log(n, c, "warn", "event=refused peer=%s addr=%s why=\"%s\"", c->name, c->addr, why);
    n->sum->refused++;
    cp__conn_close(c, CP_EDENIED, why);
    return;
  }
  for (cp__conn *o = n->conns; o; o = o->next)
    if (o != c && o->authed && !o->closing && memcmp(o->peer, c->peer, CP_PK_BYTES) == 0) {
      cp__conn_log(n, c, "info", "event=duplicate peer=%s msg=\"already connected; closing the "
                   "new session\"", c->name);
      cp__conn_close(c, CP_EEXIST, "already connected");
      return;
    }
  c->authed = 1;
  c->authed_ms = cp__now_ms(n);
  cp__admission_authed(c);
  n->sum->sessions++;
  cp__conn_log(n, c, "info", "event=connected peer=%s addr=%s", c->name, c->addr);
}

static void on_entries(cp__conn *c, const cp_sync_event *ev) {
  cp__job *j = cp__job_new(c->n, JOB_ENTRIES, c->id);
  if (j == NULL || cp__job_copy_items(j, ev->items, ev->count) != 0) {
    if (j != NULL) free(j->items), free(j->lens), free(j->data), free(j);
    cp__conn_close(c, CP_ENOMEM, "out of memory");
    return;
  }
  memcpy(j->log, ev->log, CP_PK_BYTES);
  j->first_seq = ev->seq;
  j->count = ev->count;
  j->bytes = ev->bytes;
  cp__budget_entries(c, ev->log, ev->seq + ev->count);
  cp__budget_job_added(c, j);
  cp__job_submit(c->n, j);
}

/* A CHECKPOINT, FORK or REVSTAT: a pipeline job, unless it can be seen on
 * the loop thread to tell nothing new (then it is dropped and charged). */
static void on_blob_job(cp__conn *c, const cp_sync_event *ev, cp__job_kind kind, size_t nitems) {
  int worth = kind == JOB_CHECKPOINT ? cp__budget_checkpoint(c, ev)
              : kind == JOB_REVSTAT  ? cp__budget_revstat(c, ev)
                                     : cp__budget_fork(c, ev);
  if (!worth) return;
  cp__job *j = cp__job_new(c->n, kind, c->id);
  if (j == NULL || cp__job_copy_items(j, ev->items, nitems) != 0) {
    if (j != NULL) free(j->items), free(j->lens), free(j->data), free(j);
    cp__conn_close(c, CP_ENOMEM, "out of memory");
    return;
  }
  memcpy(j->log, ev->log, CP_PK_BYTES);
  memcpy(j->peer_name, c->name, sizeof j->peer_name);
  cp__budget_job_added(c, j);
  cp__job_submit(c->n, j);
}

static void on_peer_has(cp__conn *c, const cp_sync_event *ev) {
  cp_reader *r = NULL;
  cp_log_info li;
  uint64_t ours = 0;
  int forked = 0;
  if (cp_reader_begin(c->n->s, &r) == 0) {
    if (cp_reader_log(r, ev->log, &li) == 0) ours = li.size, forked = li.flags & CP_LOG_FORKED;
    cp_reader_end(r);
  }
  int asked = 0;
  /* A forked log's other branch is not replicated. CP_EEXIST: already
   * asked; CP_EAGAIN: the next HAVE asks again. */
  if (ev->seq > ours && !forked) asked = cp_sync_request(c->sync, ev->log, ours) == 0;
  cp__budget_have(c, ev->log, ev->seq, asked);
}

/* Sends log's stored fork proof, if any, in the message of its kind. */
static void send_fork(cp__conn *c, cp_reader *r, const uint8_t log[CP_PK_BYTES]) {
  cp_fork_proof p;
  if (cp_reader_fork(r, log, &p) != 0) return;
  int rc = p.kind == CP_FORK_CHECKPOINTS
               ? cp_sync_send_checkpoint_fork(c->sync, log, (const char *)p.a, p.alen,
                                              (const char *)p.b, p.blen, p.old_root, p.path,
                                              p.npath)
               : cp_sync_send_fork_proof(c->sync, p.a, p.alen, p.b, p.blen);
  (void)rc; /* CP_EAGAIN: the next session or fork sends it again */
}

static void send_forks(cp__conn *c) {
  cp_reader *r = NULL;
  if (cp_reader_begin(c->n->s, &r) != 0) return;
  for (size_t i = 0; i < c->nheads; i++) send_fork(c, r, c->heads[i].log);
  cp_reader_end(r);
}

/* D-5: the peer's clock as its DIGEST or PING said, and ours now. A partner in the
 * peer table gets it recorded, for the signing guard of the writing commands
 * (node/clock.c), which run as other processes. */
static void on_peer_clock(cp__conn *c, const cp_sync_event *ev) {
  cp__node *n = c->n;
  cp_clock_obs o;
  cp_clock_sample(&o);
  o.peer_ms = ev->time_ms;
  /* Keepalives bring the clock every few seconds; the store gets it when
   * first seen and then every CP_CLOCK_RECORD_MS (and at the session's end). */
  int record = c->clock_recorded_ms == 0 || o.boot_ms < c->clock_recorded_ms ||
               o.boot_ms - c->clock_recorded_ms >= CP_CLOCK_RECORD_MS;
  c->clock = o;
  if (!record) return;
  c->clock_recorded_ms = o.boot_ms != 0 ? o.boot_ms : 1;
  int64_t off = (int64_t)(o.peer_ms - o.local_ms);
  uint64_t mag = (uint64_t)(off < 0 ? -off : off);
  cp__conn_log(n, c, mag > (uint64_t)CP_TIME_SKEW_MAX * 1000u ? "warn" : "info",
          "event=peer-clock peer=%s offset_ms=%lld%s", c->name, (long long)off,
          mag > (uint64_t)CP_TIME_SKEW_MAX * 1000u
              ? " msg=\"clocks differ by more than the skew partners accept: this node will "
                "not sign until its clock is set right\""
              : "");
  int known = 0;
  for (size_t i = 0; i < n->ntable; i++)
    if (memcmp(n->allow + i * CP_PK_BYTES, c->peer, CP_PK_BYTES) == 0) known = 1;
  if (!known || n->stopping) return;
  cp__job *j = cp__job_new(n, JOB_PEER, 0);
  cp_reader *r = NULL;
  if (j == NULL) return;
  if (cp_reader_begin(n->s, &r) != 0 || cp_reader_peer(r, c->peer, &j->peer) != 0) {
    cp_reader_end(r);
    free(j);
    return;
  }
  cp_reader_end(r);
  j->peer.clock = o;
  cp__job_submit(n, j);
}

static void take_events(cp__conn *c) {
  cp_sync_event ev;
  while (!c->closing && cp_sync_next_event(c->sync, &ev) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_HANDSHAKE_DONE: on_handshake(c, &ev); break;
    case CP_SYNC_EV_NEED_HEADS: give_heads(c); break;
    case CP_SYNC_EV_SYNCED:
      c->synced = 1;
      cp__conn_log(c->n, c, "info", "event=synced peer=%s logs_requested=%u", c->name, ev.count);
      send_forks(c);
      break;
    case CP_SYNC_EV_WANT_ENTRIES:
      memcpy(c->want_log, ev.log, CP_PK_BYTES);
      c->want_seq = ev.seq;
      c->want_count = ev.count;
      c->want_bytes = ev.bytes;
      c->want_pending = 1;
      answer_want(c);
      break;
    case CP_SYNC_EV_ENTRIES: on_entries(c, &ev); break;
    case CP_SYNC_EV_PEER_HAS: on_peer_has(c, &ev); break;
    case CP_SYNC_EV_CHECKPOINT: on_blob_job(c, &ev, JOB_CHECKPOINT, 1); break;
    case CP_SYNC_EV_FORK_PROOF: on_blob_job(c, &ev, JOB_FORK, 2); break;
    case CP_SYNC_EV_PEER_CLOCK: on_peer_clock(c, &ev); break;
    case CP_SYNC_EV_CHECKPOINT_FORK: on_blob_job(c, &ev, JOB_CPFORK, 3); break;
    case CP_SYNC_EV_REVSTAT: on_blob_job(c, &ev, JOB_REVSTAT, 1); break;
    case CP_SYNC_EV_PEER_ERROR:
      cp__conn_log(c->n, c, "info", "event=peer-closed peer=%s code=%d why=\"%.*s\"", c->name,
                   ev.code, ev.items != NULL ? (int)ev.items[0].len : 0,
                   ev.items != NULL ? (const char *)ev.items[0].p : "");
      break;
    default: break;
    }
  }
}

/* After any engine call: a poisoned session is logged and closed. */
static void settle(cp__conn *c) {
  take_events(c);
  int st = cp_sync_status(c->sync);
  if (st != 0 && !c->close_after_flush) {
    cp__conn_log(c->n, c, c->authed ? "info" : "warn",
                 "event=session-ended peer=%s addr=%s why=\"%s\"",
                 c->authed ? c->name : "unauthenticated", c->addr, cp_sync_error(c->sync));
    if (!c->authed) c->n->sum->refused++;
    c->close_after_flush = 1;
  }
  cp__conn_flush(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  cp__conn *c = h->data;
  (void)suggested;
  *buf = uv_buf_init((char *)c->rbuf, sizeof c->rbuf);
}

/* Feeds rbuf[roff, rlen) to the engine. Stops, keeping the rest, when the
 * session's pipeline jobs reach its budget: reading then waits until the
 * writer has taken them (cp__conn_resume). */
static void pump_input(cp__conn *c) {
  cp__budget *b = &c->b;
  while (b->roff < b->rlen && !c->closing && !c->close_after_flush) {
    size_t used = 0;
    int rc = cp_sync_feed(c->sync, c->rbuf + b->roff, b->rlen - b->roff, &used);
    b->roff += used;
    take_events(c);
    cp__budget_frames(c);
    if (rc != 0 && rc != CP_EAGAIN) break;
    if (rc == CP_EAGAIN && used == 0 && !c->closing && cp_sync_status(c->sync) == 0) {
      /* NEVER: every event was taken, so the engine must take bytes.
       * Dropping them would desynchronise the stream: end the session. */
      cp__conn_log(c->n, c, "error", "event=internal peer=%s why=\"the sync engine took none of %zu "
              "bytes after its events were taken\"", c->name, b->rlen - b->roff);
      cp__conn_close(c, CP_EPROTO, "internal error: input stalled");
      break;
    }
    if (cp__budget_full(c) && b->roff < b->rlen) break;
  }
  if (b->roff < b->rlen && !c->closing && !c->close_after_flush && cp_sync_status(c->sync) == 0) {
    if (!b->paused) uv_read_stop((uv_stream_t *)&c->tcp);
    b->paused = 1;
  } else {
    b->roff = b->rlen = 0;
  }
  settle(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  cp__conn *c = s->data;
  (void)buf; /* always c->rbuf (on_alloc) */
  if (c->closing) return;
  if (nread < 0) {
    if (!c->close_after_flush)
      cp__conn_log(c->n, c, "info", "event=disconnected peer=%s addr=%s why=\"%s\"",
                   c->authed ? c->name : "unauthenticated", c->addr,
                   nread == UV_EOF ? "closed by peer" : uv_strerror((int)nread));
    cp__conn_abort(c);
    return;
  }
  c->last_rx_ms = cp__now_ms(c->n);
  c->b.roff = 0;
  c->b.rlen = (size_t)nread;
  pump_input(c);
}

void cp__conn_resume(cp__conn *c) {
  if (!c->b.paused || c->closing) return;
  pump_input(c);
  if (c->b.roff == c->b.rlen && !c->closing) {
    c->b.paused = 0;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) cp__conn_abort(c);
  }
}

void cp__conn_start_reading(cp__conn *c) {
  c->tcp.data = c;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
    cp__conn_abort(c);
    return;
  }
  settle(c); /* the initiator's first message is ready at once */
}

cp__conn *cp__conn_new(cp__node *n, cp_sync_role role) {
  cp__conn *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  /* Enough credit that several batches verify on the pool while others
   * commit (the default keeps only four in flight, and the cores take
   * turns); bounded per session by CP_SESSION_CREDIT_BYTES. */
  cp_sync_config cfg = {role, n->cfg->key, n->allow, n->nallow, n->credit_entries,
                        CP_SESSION_CREDIT_BYTES, n->idle_ms};
  if (cp_sync_create(&cfg, &c->sync) != 0 || uv_tcp_init(n->loop, &c->tcp) != 0) {
    cp_sync_free(c->sync);
    free(c);
    return NULL;
  }
  c->n = n;
  c->id = ++n->next_id;
  c->tcp.data = c;
  c->last_rx_ms = cp__now_ms(n);
  cp__budget_start(c, c->last_rx_ms);
  snprintf(c->name, sizeof c->name, "?");
  c->next = n->conns;
  n->conns = c;
  return c;
}

void cp__conn_tick(cp__conn *c, uint64_t now) {
  if (c->closing) return;
  if (c->writing && now - c->write_since_ms > c->n->write_stall_ms) {
    cp__conn_log(c->n, c, "warn",
                 "event=dropped peer=%s addr=%s why=\"peer stopped reading for %u ms\"",
                 c->name, c->addr, c->n->write_stall_ms);
    cp__conn_abort(c);
    return;
  }
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
    cp_sync_set_clock(c->sync, (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
  int rc = cp_sync_tick(c->sync, now);
  (void)rc;
  if (c->b.paused && !cp__budget_full(c)) cp__conn_resume(c);
  if (c->closing) return;
  if (c->want_pending && !c->writing) answer_want(c);
  settle(c);
}

/* ---- telling peers about new entries ---------------------------------------- */

void cp__announce_logs(cp__node *n, const uint8_t (*logs)[CP_PK_BYTES], size_t nlogs,
                       uint32_t except_id) {
  cp_reader *r = NULL;
  if (cp_reader_begin(n->s, &r) != 0) return;
  for (size_t i = 0; i < nlogs; i++) {
    cp_log_info li;
    if (i > 0 && memcmp(logs[i], logs[i - 1], CP_PK_BYTES) == 0) continue;
    if (cp_reader_log(r, logs[i], &li) != 0) continue;
    cp_sync_head h;
    memcpy(h.log, li.log, CP_PK_BYTES);
    h.size = li.size;
    memcpy(h.head, li.head, CP_HASH_BYTES);
    for (cp__conn *c = n->conns; c; c = c->next) {
      if (c->id == except_id || !c->authed || c->closing) continue;
      int rc = cp_sync_announce(c->sync, &h);
      (void)rc;
      cp__conn_flush(c);
    }
  }
  cp_reader_end(r);
}

void cp__push_own(cp__node *n) {
  cp_reader *r = NULL;
  cp_log_info li;
  if (cp_reader_begin(n->s, &r) != 0) return;
  if (cp_reader_log(r, n->self, &li) != 0 || li.size <= n->own_size) {
    cp_reader_end(r);
    return;
  }
  uint64_t from = n->own_size, count = li.size - from;
  if (count > CP_PUSH_MAX) count = CP_PUSH_MAX;
  cp_sync_blob v[CP_PUSH_MAX];
  size_t k = 0;
  for (; k < count; k++) {
    const uint8_t *buf;
    size_t len;
    if (cp_reader_entry(r, n->self, from + k, &buf, &len) != 0) break;
    v[k].p = buf;
    v[k].len = len;
  }
  cp_sync_head h;
  memcpy(h.log, li.log, CP_PK_BYTES);
  h.size = li.size;
  memcpy(h.head, li.head, CP_HASH_BYTES);
  for (cp__conn *c = n->conns; c; c = c->next) {
    if (!c->authed || c->closing) continue;
    int rc = k == count && from + k == li.size ? cp_sync_push(c->sync, n->self, from, v, k)
                                                 : CP_EAGAIN;
    if (rc == CP_EAGAIN) rc = cp_sync_announce(c->sync, &h);
    else if (rc == 0) n->sum->entries_out += k;
    send_checkpoint(c, r, n->self);
    send_revstat(c, r, n->self);
    cp__conn_flush(c);
  }
  n->own_size = li.size;
  cp_reader_end(r);
}

void cp__broadcast_fork(cp__node *n, const uint8_t log[CP_PK_BYTES]) {
  cp_reader *r = NULL;
  if (cp_reader_begin(n->s, &r) != 0) return;
  for (cp__conn *c = n->conns; c; c = c->next) {
    if (!c->authed || c->closing) continue;
    send_fork(c, r, log);
    cp__conn_flush(c);
  }
  cp_reader_end(r);
}

void cp__relay_checkpoint(cp__node *n, const uint8_t log[CP_PK_BYTES], const cp__conn *except) {
  cp_reader *r = NULL;
  if (cp_reader_begin(n->s, &r) != 0) return;
  for (cp__conn *c = n->conns; c; c = c->next) {
    if (!c->authed || c->closing || c == except) continue;
    send_checkpoint(c, r, log);
    cp__conn_flush(c);
  }
  cp_reader_end(r);
}

void cp__relay_revstat(cp__node *n, const uint8_t log[CP_PK_BYTES], const cp__conn *except) {
  cp_reader *r = NULL;
  if (cp_reader_begin(n->s, &r) != 0) return;
  for (cp__conn *c = n->conns; c; c = c->next) {
    if (!c->authed || c->closing || c == except) continue;
    send_revstat(c, r, log);
    cp__conn_flush(c);
  }
  cp_reader_end(r);
}
