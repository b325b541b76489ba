/*
 * credport — what one partner may make this node spend.
 *
 * Credit (docs/PROTOCOL.md, E-4) bounds the entries a peer has in our
 * pipeline. This file bounds everything else a session's peer can cause:
 *
 *   - Pipeline jobs. Every job a session adds (entries, checkpoints, fork
 *     proofs, revocation statements) is accounted to it until it ends.
 *     CHECKPOINT, FORK, CPFORK and REVSTAT jobs
 *     are also capped (CP_SESSION_NOTES_MAX jobs, CP_SESSION_NOTE_BYTES):
 *     at the cap the session stops reading, and TCP pushes back on the peer,
 *     until the writer has taken them.
 *   - Work that brings nothing. A CHECKPOINT no newer than the one held
 *     that brings no newer cosignature by a trusted witness, a
 *     FORK for a log already known to be forked, a HAVE that repeats what
 *     the session said before, a REQ for nothing we hold, a PING, a RECON
 *     turn, each costs units from a bucket that holds
 *     CP_SESSION_WASTE_BURST and regains CP_SESSION_WASTE_RATE per second;
 *     a note that fails verification costs CP_COST_INVALID. Such messages
 *     are dropped on the loop thread, before they cost a job or a commit,
 *     wherever that can be decided without a signature check.
 *   - A session whose bucket runs dry is closed with a logged reason and
 *     counted as refused, and its key is refused for CP_PENALTY_MS.
 */
#include <stdio.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/note.h"
#include "credport/revstatus.h"
#include "daemon_internal.h"

void cp__budget_start(cp__conn *c, uint64_t now) {
  memset(&c->b, 0, sizeof c->b);
  c->b.tokens = (int64_t)CP_SESSION_WASTE_BURST * 1000;
  c->b.refill_ms = now;
}

static void penalise(cp__node *n, const uint8_t key[CP_PK_BYTES]) {
  uint64_t now = cp__now_ms(n);
  size_t slot = 0;
  for (size_t i = 0; i < CP_PENALTY_SLOTS; i++) {
    if (memcmp(n->penalty[i].key, key, CP_PK_BYTES) == 0) {
      slot = i;
      break;
    }
    if (n->penalty[i].until_ms < n->penalty[slot].until_ms) slot = i;
  }
  memcpy(n->penalty[slot].key, key, CP_PK_BYTES);
  n->penalty[slot].until_ms = now + n->penalty_ms;
}

uint64_t cp__penalty_left(cp__node *n, const uint8_t key[CP_PK_BYTES]) {
  uint64_t now = cp__now_ms(n);
  for (size_t i = 0; i < CP_PENALTY_SLOTS; i++)
    if (n->penalty[i].until_ms > now && memcmp(n->penalty[i].key, key, CP_PK_BYTES) == 0)
      return n->penalty[i].until_ms - now;
  return 0;
}

/* Adds cost to what's tally (a full table gives up its smallest kind) and
 * returns the index of the kind charged most so far: the reason a session
 * closed for its budget names what it mostly did, not only its last act. */
static size_t tally(cp__budget *b, const char *what, unsigned cost) {
  size_t at = CP_BUDGET_KINDS, low = 0, top = 0;
  for (size_t i = 0; i < CP_BUDGET_KINDS; i++) {
    if (strncmp(b->kinds[i].what, what, sizeof b->kinds[i].what - 1) == 0 && b->kinds[i].units)
      at = i;
    if (b->kinds[i].units < b->kinds[low].units) low = i;
  }
  if (at == CP_BUDGET_KINDS) {
    at = low;
    snprintf(b->kinds[at].what, sizeof b->kinds[at].what, "%s", what);
    b->kinds[at].units = 0;
  }
  b->kinds[at].units += cost;
  for (size_t i = 0; i < CP_BUDGET_KINDS; i++)
    if (b->kinds[i].units > b->kinds[top].units) top = i;
  return top;
}

int cp__budget_charge(cp__conn *c, unsigned cost, const char *what) {
  cp__budget *b = &c->b;
  uint64_t now = cp__now_ms(c->n);
  if (c->closing || c->close_after_flush) return CP_EDENIED;
  if (now > b->refill_ms) {
    b->tokens += (int64_t)(now - b->refill_ms) * CP_SESSION_WASTE_RATE;
    if (b->tokens > (int64_t)CP_SESSION_WASTE_BURST * 1000)
      b->tokens = (int64_t)CP_SESSION_WASTE_BURST * 1000;
    b->refill_ms = now;
  }
  b->tokens -= (int64_t)cost * 1000;
  b->wasted += cost;
  snprintf(b->last, sizeof b->last, "%s", what);
  size_t top = tally(b, what, cost);
  if (b->tokens >= 0) return 0;
  char why[320];
  snprintf(why, sizeof why, "over budget: %llu units of work that brought nothing (most: %s, "
           "%llu units; last: %s); the limit is %u at once and %u per second",
           (unsigned long long)b->wasted, b->kinds[top].what,
           (unsigned long long)b->kinds[top].units, b->last, CP_SESSION_WASTE_BURST,
           CP_SESSION_WASTE_RATE);
  cp__log(c->n, "warn", "event=over-budget peer=%s addr=%s why=\"%s\" refused_for_ms=%u", c->name,
          c->addr, why, c->n->penalty_ms);
  c->n->sum->refused++;
  if (c->authed) penalise(c->n, c->peer);
  cp__conn_close(c, CP_EDENIED, why);
  return CP_EDENIED;
}

void cp__budget_frames(cp__conn *c) {
  cp_sync_stats st;
  cp_sync_get_stats(c->sync, &st);
  uint64_t pings = st.pings_in - c->b.pings_seen, recon = st.recon_in - c->b.recon_seen;
  c->b.pings_seen = st.pings_in;
  c->b.recon_seen = st.recon_in;
  if (recon > 0) (void)cp__budget_charge(c, (unsigned)recon * CP_COST_RECON, "RECON turns");
  if (pings > 0) (void)cp__budget_charge(c, (unsigned)pings, "PING");
}

int cp__budget_full(const cp__conn *c) {
  return c->b.notes >= CP_SESSION_NOTES_MAX || c->b.note_bytes >= CP_SESSION_NOTE_BYTES;
}

/* CHECKPOINT, FORK, CPFORK and REVSTAT jobs share the per-session note limit. */
static int is_note(const cp__job *j) {
  return j->kind == JOB_CHECKPOINT || j->kind == JOB_FORK || j->kind == JOB_CPFORK ||
         j->kind == JOB_REVSTAT;
}

void cp__budget_job_added(cp__conn *c, cp__job *j) {
  size_t held = 0;
  for (size_t i = 0; i < j->nitems; i++) held += j->lens[i];
  j->held = (uint32_t)held;
  c->b.jobs++;
  c->b.bytes += held;
  if (is_note(j)) {
    c->b.notes++;
    c->b.note_bytes += held;
  }
}

/* What a finished note job's result says about the peer that sent it. */
static void charge_result(cp__conn *c, const cp__job *j) {
  const char *kind = j->kind == JOB_FORK      ? "FORK"
                     : j->kind == JOB_CPFORK  ? "CPFORK"
                     : j->kind == JOB_REVSTAT ? "REVSTAT"
                                              : "CHECKPOINT";
  char what[64];
  /* A statement the held log contradicts (root, count) is no evidence the
   * node keeps: it is refused as one that does not verify. */
  if (j->kind == JOB_REVSTAT && j->rc == CP_EPROOF) {
    (void)cp__budget_charge(c, CP_COST_INVALID, "REVSTAT that does not verify");
    return;
  }
  switch (j->rc) {
  case 0:
  case CP_EFORK:  /* a checkpoint that proved a fork: evidence, not waste */
  case CP_EPROOF: /* a validly signed checkpoint another history: evidence, not waste */
    return;
  case CP_EFORKED:
  case CP_EEXIST:
  case CP_EINVAL:
  case CP_ENOTFOUND:
    snprintf(what, sizeof what, "%s that told nothing new", kind);
    (void)cp__budget_charge(c, 1, what);
    return;
  case CP_EBADSIG:
  case CP_ECORRUPT:
  case CP_ETOOBIG:
  case CP_EDENIED:
    snprintf(what, sizeof what, "%s that does not verify", kind);
    (void)cp__budget_charge(c, CP_COST_INVALID, what);
    return;
  default: /* this node's own trouble (the store): not the peer's doing */
    return;
  }
}

void cp__budget_job_done(cp__node *n, cp__job *j) {
  cp__conn *c = cp__conn_by_id(n, j->conn_id);
  if (c == NULL || j->kind == JOB_PEER) return;
  c->b.jobs--;
  c->b.bytes -= j->held;
  if (is_note(j)) {
    c->b.notes--;
    c->b.note_bytes -= j->held;
    charge_result(c, j);
  }
}

void cp__budget_resume(cp__node *n) {
  for (cp__conn *c = n->conns; c; c = c->next)
    if (c->b.paused && !c->closing && !cp__budget_full(c)) cp__conn_resume(c);
}

void cp__budget_entries(cp__conn *c, const uint8_t log[CP_PK_BYTES], uint64_t end) {
  cp__budget *b = &c->b;
  for (unsigned i = 0; i < CP_BUDGET_RECENT && i < b->nrecent; i++)
    if (memcmp(b->recent[i].log, log, CP_PK_BYTES) == 0) {
      if (end > b->recent[i].end) b->recent[i].end = end;
      return;
    }
  unsigned slot = b->nrecent++ % CP_BUDGET_RECENT;
  memcpy(b->recent[slot].log, log, CP_PK_BYTES);
  b->recent[slot].end = end;
}

/* Size of the latest checkpoint held for log (0: none). */
static uint64_t held_checkpoint(cp_reader *r, const uint8_t log[CP_PK_BYTES]) {
  const char *note;
  size_t len;
  cp_note_result res;
  if (cp_reader_checkpoint(r, log, &note, &len) != 0) return 0;
  /* No verifiers: parsed strictly, then refused for want of a signature. */
  if (cp_note_open_checkpoint(note, len, NULL, 0, NULL, &res, NULL) != CP_EBADSIG) return 0;
  return res.cp.size;
}

int cp__budget_checkpoint(cp__conn *c, const cp_sync_event *ev) {
  const char *note = (const char *)ev->items[0].p;
  size_t len = ev->items[0].len;
  cp_note_result res;
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t root[CP_HASH_BYTES];
  /* Parsed without a signature check: text that cannot be a checkpoint
   * note is refused here, at the price of one that fails verification. */
  if (cp_note_open_checkpoint(note, len, NULL, 0, NULL, &res, NULL) != CP_EBADSIG ||
      res.cp.size == 0) {
    (void)cp__budget_charge(c, CP_COST_INVALID, "CHECKPOINT that is not a checkpoint note");
    return 0;
  }
  if (cp_reader_begin(c->n->s, &r) != 0) return 1; /* the writer decides */
  int held = cp_reader_log(r, ev->log, &li) == 0;
  uint64_t reach = held ? li.size : 0, latest = held ? held_checkpoint(r, ev->log) : 0;
  for (unsigned i = 0; i < CP_BUDGET_RECENT && i < c->b.nrecent; i++)
    if (memcmp(c->b.recent[i].log, ev->log, CP_PK_BYTES) == 0 && c->b.recent[i].end > reach)
      reach = c->b.recent[i].end;
  const char *waste = NULL;
  if (res.cp.size > reach) {
    waste = "CHECKPOINT beyond the entries held";
  } else if (held && res.cp.size <= li.size && res.cp.size <= latest &&
             cp_reader_root(r, ev->log, res.cp.size, root) == 0 &&
             memcmp(root, res.cp.root, CP_HASH_BYTES) == 0 &&
             !(res.cp.size == latest && cp_reader_cosig_news(r, ev->log, note, len))) {
    /* Same tree, and a checkpoint at least as new is held, without a
     * cosignature by a trusted witness newer than the held note's (L-2).
     * A different root is left to the writer: if it verifies, it is
     * evidence. */
    waste = "CHECKPOINT no newer than the one held";
  }
  cp_reader_end(r);
  if (waste == NULL) return 1;
  (void)cp__budget_charge(c, 1, waste);
  return 0;
}

/* Size of the latest revocation statement held for log (0: none). */
static uint64_t held_revstat(cp_reader *r, const uint8_t log[CP_PK_BYTES]) {
  const char *text;
  size_t len;
  uint64_t at = 0;
  return cp_reader_revstat(r, log, 0, &text, &len, &at) == 0 ? at : 0;
}

int cp__budget_revstat(cp__conn *c, const cp_sync_event *ev) {
  cp_revstat st;
  cp_reader *r = NULL;
  cp_log_info li;
  /* Parsed without a signature check: text that is not a statement is
   * refused here, at the price of one that fails verification. */
  if (cp_revstat_parse((const char *)ev->items[0].p, ev->items[0].len, &st, NULL) != 0 ||
      st.size == 0) {
    cp__conn_log(c->n, c, "warn", "event=refused peer=%s msg=REVSTAT why=\"not a revocation "
                 "statement of a size of 1 or more\"", c->name);
    (void)cp__budget_charge(c, CP_COST_INVALID, "REVSTAT that is not a statement");
    return 0;
  }
  if (cp_reader_begin(c->n->s, &r) != 0) return 1; /* the writer decides */
  int held = cp_reader_log(r, ev->log, &li) == 0;
  uint64_t reach = held ? li.size : 0, latest = held ? held_revstat(r, ev->log) : 0;
  cp_reader_end(r);
  for (unsigned i = 0; i < CP_BUDGET_RECENT && i < c->b.nrecent; i++)
    if (memcmp(c->b.recent[i].log, ev->log, CP_PK_BYTES) == 0 && c->b.recent[i].end > reach)
      reach = c->b.recent[i].end;
  const char *waste = NULL;
  if (!held && reach == 0) waste = "REVSTAT for a log this node does not hold";
  else if (held && (li.flags & CP_LOG_FORKED)) waste = "REVSTAT for a forked log";
  else if (st.size > reach) waste = "REVSTAT beyond the entries held";
  else if (st.size <= latest) waste = "REVSTAT no newer than the one held";
  if (waste == NULL) return 1;
  (void)cp__budget_charge(c, 1, waste);
  return 0;
}

int cp__budget_fork(cp__conn *c, const cp_sync_event *ev) {
  cp_reader *r = NULL;
  cp_log_info li;
  const char *waste = NULL;
  if (cp_reader_begin(c->n->s, &r) != 0) return 1;
  if (cp_reader_log(r, ev->log, &li) != 0) waste = "FORK for a log this node does not hold";
  else if (li.flags & CP_LOG_FORKED) waste = "FORK for a log already known to be forked";
  cp_reader_end(r);
  if (waste == NULL) return 1;
  (void)cp__budget_charge(c, 1, waste);
  return 0;
}

void cp__budget_have(cp__conn *c, const uint8_t log[CP_PK_BYTES], uint64_t size, int asked) {
  /* Honest nodes announce a log when it grows: a HAVE that says no more
   * than one before it from this session is a repeat. */
  unsigned slot = log[0] % CP_BUDGET_HAVES;
  cp__budget *b = &c->b;
  if (!asked && memcmp(b->haves[slot].log, log, CP_PK_BYTES) == 0 && size <= b->haves[slot].size) {
    (void)cp__budget_charge(c, 1, "HAVE repeating an earlier one");
    return;
  }
  memcpy(b->haves[slot].log, log, CP_PK_BYTES);
  b->haves[slot].size = size;
}
