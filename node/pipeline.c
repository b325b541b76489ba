/*
 * credport — the receive pipeline: verification on libuv's thread pool,
 * then one writer committing in arrival order.
 *
 * Each job enters the queue when its message arrives. ENTRIES jobs are
 * verified at once on the pool (several in parallel, so both cores work);
 * the writer takes the longest prefix of the queue whose jobs are verified
 * and commits their entries in one LMDB transaction. Only after the commit
 * does the loop thread return credit to the sending peer and tell the other
 * peers about the new heads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <sodium.h>

#include "credport/codec.h"
#include "credport/revstatus.h"
#include "daemon_internal.h"

cp__job *cp__job_new(cp__node *n, cp__job_kind kind, uint32_t conn_id) {
  cp__job *j = calloc(1, sizeof *j);
  if (j == NULL) return NULL;
  j->n = n;
  j->kind = kind;
  j->conn_id = conn_id;
  j->work.data = j;
  return j;
}

static void job_free(cp__job *j) {
  free(j->items);
  free(j->lens);
  free(j->data);
  free(j->vkeys);
  free(j->logs);
  free(j);
}

int cp__job_copy_items(cp__job *j, const cp_sync_blob *items, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += items[i].len;
  j->items = calloc(n ? n : 1, sizeof *j->items);
  j->lens = calloc(n ? n : 1, sizeof *j->lens);
  j->data = malloc(total ? total : 1);
  if (j->items == NULL || j->lens == NULL || j->data == NULL) return CP_ENOMEM;
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(j->data + off, items[i].p, items[i].len);
    j->items[i] = j->data + off;
    j->lens[i] = items[i].len;
    off += items[i].len;
  }
  j->nitems = n;
  return CP_OK;
}

/* ---- verification (thread pool) ------------------------------------------- */

/* Verifies a job's signatures against a reader snapshot, recording for
 * each entry the key it verified under. Earlier jobs of the same log may be
 * uncommitted and may rotate its key, so the snapshot's key is not final:
 * the writer re-verifies any entry whose recorded key is not the key in
 * force at commit (cp_store_ingest_checked). An entry that fails under the
 * snapshot's key is refused here only when nothing can be pending before it
 * (the snapshot holds the entry just before it); otherwise the writer
 * decides, under the key in force then. */
static void verify_work(uv_work_t *w) {
  cp__job *j = w->data;
  cp_reader *r = NULL;
  cp_log_info li;
  uint8_t signer[CP_PK_BYTES];
  uint64_t size = 0;
  int rc = cp_reader_begin(j->n->s, &r);
  if (rc != 0) {
    j->rc = rc;
    snprintf(j->why, sizeof j->why, "cannot read the store: %s", cp_strerror(rc));
    return;
  }
  j->vkeys = calloc(j->nitems ? j->nitems : 1, sizeof *j->vkeys);
  if (j->vkeys == NULL) {
    j->rc = CP_ENOMEM;
    snprintf(j->why, sizeof j->why, "out of memory verifying entries");
    cp_reader_end(r);
    return;
  }
  if (cp_reader_log(r, j->log, &li) == 0) {
    if (li.flags & CP_LOG_FORKED) {
      /* Nothing more is accepted from a forked log: no work spent on it. */
      j->rc = CP_EFORKED;
      snprintf(j->why, sizeof j->why, "the log is forked: nothing more is accepted");
      cp_reader_end(r);
      return;
    }
    memcpy(signer, li.signer, CP_PK_BYTES);
    size = li.size;
  } else {
    memcpy(signer, j->log, CP_PK_BYTES);
  }
  for (size_t i = 0; i < j->nitems; i++) {
    uint64_t seq = j->first_seq + i;
    cp_entry e;
    cp_diag d;
    if (seq < size) {
      /* Held already: identical bytes are a duplicate, never verified
       * again; different bytes are left to the writer's fork check. */
      const uint8_t *held;
      size_t hlen;
      if (cp_reader_entry(r, j->log, seq, &held, &hlen) == 0 && hlen == j->lens[i] &&
          memcmp(held, j->items[i], hlen) == 0)
        continue;
      /* Another branch from here on: the writer finds the fork at this
       * entry (or refuses it) before it would look at the rest. */
      break;
    }
    if ((rc = cp_entry_decode(j->items[i], j->lens[i], &e, &d)) != 0) {
      j->rc = rc;
      snprintf(j->why, sizeof j->why, "seq %llu does not decode: %s", (unsigned long long)seq,
               d.msg);
      break;
    }
    if (seq >= size) {
      if (cp_entry_verify(j->items[i], j->lens[i], signer) == 0) {
        memcpy(j->vkeys[i], signer, CP_PK_BYTES);
      } else if (j->first_seq <= size) {
        /* The snapshot holds everything before this job, so the key
         * followed from it through the job's own entries is final. */
        j->rc = CP_EBADSIG;
        snprintf(j->why, sizeof j->why, "seq %llu: signature does not verify under the log key",
                 (unsigned long long)seq);
        break;
      }
    }
    if (e.type == CP_T_KEY && e.u.key.action == CP_KEY_ROTATE)
      memcpy(signer, e.u.key.new_key, CP_PK_BYTES);
  }
  cp_reader_end(r);
}

static void writer_kick(cp__node *n);

static void verify_done(uv_work_t *w, int status) {
  cp__job *j = w->data;
  j->n->verifying--;
  if (status != 0 && j->rc == 0) {
    j->rc = CP_EAGAIN;
    snprintf(j->why, sizeof j->why, "verification cancelled");
  }
  j->verified = 1;
  writer_kick(j->n);
}

void cp__job_submit(cp__node *n, cp__job *j) {
  if (n->jq_tail != NULL) n->jq_tail->next = j;
  else n->jq_head = j;
  n->jq_tail = j;
  if (j->kind == JOB_ENTRIES && !n->stopping) {
    n->verifying++;
    if (uv_queue_work(n->loop, &j->work, verify_work, verify_done) != 0) {
      n->verifying--;
      j->rc = CP_ENOMEM;
      snprintf(j->why, sizeof j->why, "cannot queue verification");
      j->verified = 1;
    }
  } else {
    j->verified = 1;
  }
  writer_kick(n);
}

/* ---- the writer (thread pool, one job batch at a time) --------------------- */

static void commit_entries(cp__node *n, cp__job **v, size_t nv) {
  /* All verified entry jobs in one transaction; if that fails, one by one
   * so that only the offending job is refused. */
  size_t total = 0;
  for (size_t i = 0; i < nv; i++) total += v[i]->nitems;
  const uint8_t **bufs = malloc((total ? total : 1) * sizeof *bufs);
  size_t *lens = malloc((total ? total : 1) * sizeof *lens);
  const uint8_t **keys = malloc((total ? total : 1) * sizeof *keys);
  cp_ingest_report rep;
  cp_diag d = {{0}};
  int rc = CP_ENOMEM, allocated = bufs != NULL && lens != NULL && keys != NULL;
  if (allocated) {
    size_t k = 0;
    for (size_t i = 0; i < nv; i++)
      for (size_t e = 0; e < v[i]->nitems; e++, k++) {
        bufs[k] = v[i]->items[e];
        lens[k] = v[i]->lens[e];
        keys[k] = v[i]->vkeys != NULL && !sodium_is_zero(v[i]->vkeys[e], CP_PK_BYTES)
                      ? v[i]->vkeys[e] : NULL;
      }
    rc = cp_store_ingest_checked(n->s, bufs, lens, keys, total, (uint64_t)time(NULL), &rep, &d);
  }
  free(bufs);
  free(lens);
  free(keys);
  if (rc == 0) {
    for (size_t i = 0; i < nv; i++) v[i]->added = v[i]->nitems;
    return;
  }
  if (!allocated) { /* nothing was stored: every job fails, none is acknowledged */
    for (size_t i = 0; i < nv; i++) {
      v[i]->rc = CP_ENOMEM;
      snprintf(v[i]->why, sizeof v[i]->why, "out of memory committing entries");
    }
    return;
  }
  if (nv == 1) {
    v[0]->rc = rc;
    snprintf(v[0]->why, sizeof v[0]->why, "%s", d.msg);
    return;
  }
  /* A fork proof found in the joint attempt is already recorded: the job
   * that carried it reports it (retried alone it would only meet the
   * forked log). */
  size_t fork_job = nv;
  if (rc == CP_EFORK && rep.forked)
    for (size_t i = 0, k = 0; i < nv; k += v[i]->nitems, i++)
      if (rep.failed_at >= k && rep.failed_at < k + v[i]->nitems) {
        fork_job = i;
        v[i]->rc = rc;
        snprintf(v[i]->why, sizeof v[i]->why, "%s", d.msg);
      }
  for (size_t i = 0; i < nv; i++)
    if (i != fork_job) commit_entries(n, &v[i], 1);
}

/* Every checkpoint of the batch in one transaction. They are taken after
 * the entries of the batch: a checkpoint of a size stays valid when the
 * log grows, and its entries may arrive in a later job of the batch. */
static void commit_checkpoints(cp__node *n, cp__job **v, size_t nv) {
  cp_store_note *notes = calloc(nv, sizeof *notes);
  cp_diag d = {{0}};
  if (notes == NULL) {
    for (size_t i = 0; i < nv; i++) {
      v[i]->rc = CP_ENOMEM;
      snprintf(v[i]->why, sizeof v[i]->why, "out of memory storing checkpoints");
    }
    return;
  }
  for (size_t i = 0; i < nv; i++) {
    memcpy(notes[i].log, v[i]->log, CP_PK_BYTES);
    notes[i].note = (const char *)v[i]->data;
    notes[i].len = v[i]->lens[0];
  }
  int rc = cp_store_add_checkpoints(n->s, notes, nv, &d);
  (void)rc; /* each note carries its own result */
  for (size_t i = 0; i < nv; i++) {
    v[i]->rc = notes[i].rc;
    v[i]->cosigned = notes[i].cosigned;
    snprintf(v[i]->why, sizeof v[i]->why, "%s", notes[i].d.msg);
  }
  free(notes);
}

/* Every revocation statement of the batch in one transaction, after the
 * entries and checkpoints of the batch (a statement is checked against the
 * entries up to its size, which may arrive in the same batch). */
static void commit_revstats(cp__node *n, cp__job **v, size_t nv) {
  cp_store_revstat *st = calloc(nv, sizeof *st);
  cp_diag d = {{0}};
  if (st == NULL) {
    for (size_t i = 0; i < nv; i++) {
      v[i]->rc = CP_ENOMEM;
      snprintf(v[i]->why, sizeof v[i]->why, "out of memory storing revocation statements");
    }
    return;
  }
  for (size_t i = 0; i < nv; i++) {
    memcpy(st[i].log, v[i]->log, CP_PK_BYTES);
    st[i].text = (const char *)v[i]->data;
    st[i].len = v[i]->lens[0];
  }
  int rc = cp_store_add_revstats(n->s, st, nv, &d);
  (void)rc; /* each statement carries its own result */
  for (size_t i = 0; i < nv; i++) {
    v[i]->rc = st[i].rc;
    snprintf(v[i]->why, sizeof v[i]->why, "%s", st[i].d.msg);
  }
  free(st);
}

static void write_work(uv_work_t *w) {
  cp__node *n = w->data;
  cp__job *v[CP_WRITER_BATCH_MAX], *cps[CP_WRITER_BATCH_MAX], *rss[CP_WRITER_BATCH_MAX];
  size_t nv = 0, ncp = 0, nrs = 0;
  for (cp__job *j = n->writing; j != NULL; j = j->next) {
    if (j->rc != 0) continue;
    cp_diag d = {{0}};
    switch (j->kind) {
    case JOB_ENTRIES:
      v[nv++] = j;
      break;
    case JOB_CHECKPOINT:
      cps[ncp++] = j;
      break;
    case JOB_REVSTAT:
      rss[nrs++] = j;
      break;
    case JOB_FORK:
      if (nv) commit_entries(n, v, nv);
      nv = 0;
      j->rc = cp_store_add_fork(n->s, j->items[0], j->lens[0], j->items[1], j->lens[1], &d);
      snprintf(j->why, sizeof j->why, "%s", d.msg);
      break;
    case JOB_CPFORK: {
      if (nv) commit_entries(n, v, nv);
      nv = 0;
      /* items[2]: the old root, then the path (checked by the engine). */
      cp_fork_proof p = {CP_FORK_CHECKPOINTS, j->items[0], j->items[1], j->lens[0], j->lens[1],
                         j->items[2], (const uint8_t(*)[CP_HASH_BYTES])(j->items[2] + CP_HASH_BYTES),
                         j->lens[2] / CP_HASH_BYTES - 1};
      j->rc = cp_store_add_checkpoint_fork(n->s, j->log, &p, &d);
      snprintf(j->why, sizeof j->why, "%s", d.msg);
      break;
    }
    case JOB_PEER:
      j->rc = cp_store_peer_put(n->s, &j->peer, 0, &d);
      break;
    case JOB_RECOSIGN:
      j->rc = cp_store_recosign(n->s, (uint64_t)time(NULL), n->recosign_ms / 1000, j->logs,
                                CP_WITNESS_RECOSIGN_BATCH, &j->nlogs, &d);
      snprintf(j->why, sizeof j->why, "%s", d.msg);
      break;
    }
  }
  if (nv) commit_entries(n, v, nv);
  if (ncp) commit_checkpoints(n, cps, ncp);
  if (nrs) commit_revstats(n, rss, nrs);
}

static void write_done(uv_work_t *w, int status) {
  cp__node *n = w->data;
  cp__job *list = n->writing;
  n->writing = NULL;
  n->writer_busy = 0;
  uint8_t (*logs)[CP_PK_BYTES] = NULL;
  size_t nlogs = 0;
  for (cp__job *j = list, *next; j != NULL; j = next) {
    next = j->next;
    cp__conn *c = cp__conn_by_id(n, j->conn_id);
    if (status != 0 && j->rc == 0) j->rc = CP_EAGAIN;
    char lhex[17];
    cp_hex_encode(j->log, 8, lhex);
    if (j->kind == JOB_ENTRIES) {
      if (j->rc == 0) {
        n->sum->entries_in += j->added;
        if (c != NULL && !c->closing) {
          int e = cp_sync_entries_committed(c->sync, j->count, j->bytes);
          (void)e; /* a poisoned session is closed by its own flush */
        }
        uint8_t (*nl)[CP_PK_BYTES] = realloc(logs, (nlogs + 1) * sizeof *logs);
        if (nl != NULL) {
          logs = nl;
          memcpy(logs[nlogs++], j->log, CP_PK_BYTES);
        }
      } else if (j->rc == CP_EFORK) {
        cp__conn_log(n, c, "warn", "event=fork log=%s… msg=\"%s\"", lhex, j->why);
        /* The batch is dropped, not the session (the sender may only be
         * relaying the equivocation): give its credit back (E-4). */
        if (c != NULL && !c->closing) {
          int e = cp_sync_entries_committed(c->sync, j->count, j->bytes);
          (void)e;
        }
        cp__broadcast_fork(n, j->log);
      } else if (j->rc == CP_EFORKED) {
        /* More of a log already known forked: dropped, and the credit
         * given back; the sender may hold the other branch in good faith. */
        if (c != NULL && !c->closing) {
          int e = cp_sync_entries_committed(c->sync, j->count, j->bytes);
          (void)e;
        }
      } else if (cp_err_local(j->rc)) {
        /* This node's fault (a full disk, a full map), not the peer's: the
         * session ends with that reason, uncounted, so that the peer's
         * stream restarts from what is stored when it is dialled again. */
        if (c == NULL || !c->close_after_flush)
          cp__conn_log(n, c, "error", "event=local-fault peer=%s msg=ENTRIES log=%s… why=\"%s\"",
                  c != NULL ? c->name : "gone", lhex, j->why);
        if (c != NULL) cp__conn_close(c, j->rc, j->why);
      } else if (c != NULL && !c->close_after_flush) {
        cp__conn_log(n, c, "warn", "event=refused peer=%s msg=ENTRIES log=%s… why=\"%s\"",
                     c->name, lhex, j->why);
        n->sum->refused++;
        cp__conn_close(c, j->rc == CP_EBADSIG ? CP_EBADSIG : CP_EPROTO, j->why);
      }
    } else if ((j->kind == JOB_FORK || j->kind == JOB_CPFORK) && j->rc == 0) {
      cp__conn_log(n, c, "warn", "event=fork log=%s… msg=\"fork proof received and stored\"",
                   lhex);
      cp__broadcast_fork(n, j->log);
    } else if (j->kind == JOB_CPFORK && j->rc != CP_EEXIST) {
      cp__conn_log(n, c, "warn", "event=fork-refused log=%s… why=\"%s\"", lhex, j->why);
    } else if (j->kind == JOB_CHECKPOINT && j->rc == 0) {
      /* SPEC: L-2 a stored note with a cosignature the sender lacks (this
       * node's, at a new size) goes back to it too; a merge goes to the
       * others only. */
      cp__relay_checkpoint(n, j->log, j->cosigned ? NULL : c);
    } else if (j->kind == JOB_RECOSIGN) {
      /* SPEC: L-2a each note cosigned anew goes to every session, once per
       * interval and log. */
      n->recosigning = 0;
      if (j->rc != 0)
        cp__log(n, cp_err_local(j->rc) ? "error" : "warn", "event=recosign-failed why=\"%s\"",
                j->why[0] ? j->why : cp_strerror(j->rc));
      for (size_t i = 0; i < j->nlogs; i++) cp__relay_checkpoint(n, j->logs[i], NULL);
      uint64_t now = cp__now_ms(n);
      n->next_recosign_ms = now + (j->nlogs == CP_WITNESS_RECOSIGN_BATCH ? 0 : n->recosign_ms / 4);
    } else if (j->kind == JOB_REVSTAT && j->rc == 0) {
      /* SPEC: L-5 stored (checked against the held log): on to the others. */
      cp__relay_revstat(n, j->log, c);
    } else if (j->kind == JOB_REVSTAT && j->rc != CP_EEXIST && j->rc != CP_ENOTFOUND &&
               j->rc != CP_EINVAL && j->rc != CP_EFORKED && !cp_err_local(j->rc)) {
      cp__conn_log(n, c, "warn", "event=refused peer=%s msg=REVSTAT log=%s… why=\"%s\"",
                   j->peer_name, lhex, j->why);
    } else if (j->kind == JOB_CHECKPOINT && j->rc == CP_EFORK) {
      cp__conn_log(n, c, "warn", "event=fork log=%s… msg=\"%s\"", lhex, j->why);
      cp__broadcast_fork(n, j->log);
    } else if (j->kind == JOB_CHECKPOINT && j->rc != 0 && j->rc != CP_EINVAL &&
               j->rc != CP_EFORKED) {
      cp__log(n, "warn", "event=checkpoint-refused log=%s… why=\"%s\"", lhex, j->why);
    }
    cp__budget_job_done(n, j);
    job_free(j);
  }
  cp__budget_resume(n);
  if (nlogs) cp__announce_logs(n, (const uint8_t(*)[CP_PK_BYTES])logs, nlogs, 0);
  free(logs);
  cp__push_own(n);
  writer_kick(n);
}

static void writer_kick(cp__node *n) {
  /* Stopping: what has not started is discarded whole. */
  while (n->stopping && !n->writer_busy && n->jq_head != NULL && n->jq_head->verified) {
    cp__job *j = n->jq_head;
    n->jq_head = j->next;
    if (n->jq_head == NULL) n->jq_tail = NULL;
    j->rc = CP_EAGAIN; /* discarded: nothing to charge */
    cp__budget_job_done(n, j);
    job_free(j);
  }
  if (n->writer_busy || n->jq_head == NULL || !n->jq_head->verified) return;
  /* Take the verified prefix. */
  cp__job *head = n->jq_head, *last = head;
  size_t k = 1;
  while (last->next != NULL && last->next->verified && k < CP_WRITER_BATCH_MAX) {
    last = last->next;
    k++;
  }
  n->jq_head = last->next;
  if (n->jq_head == NULL) n->jq_tail = NULL;
  last->next = NULL;
  n->writing = head;
  n->writer_busy = 1;
  n->wwork.data = n;
  if (uv_queue_work(n->loop, &n->wwork, write_work, write_done) != 0) {
    n->writer_busy = 0;
    for (cp__job *j = head; j; j = j->next) j->rc = CP_ENOMEM;
    write_done(&n->wwork, 0);
  }
}

int cp__pipeline_idle(const cp__node *n) {
  return n->jq_head == NULL && !n->writer_busy && n->verifying == 0;
}

void cp__recosign_tick(cp__node *n, uint64_t now) {
  if (n->recosigning || n->stopping || now < n->next_recosign_ms) return;
  cp__job *j = cp__job_new(n, JOB_RECOSIGN, 0);
  if (j == NULL) return;
  if ((j->logs = malloc(CP_WITNESS_RECOSIGN_BATCH * sizeof *j->logs)) == NULL) {
    free(j);
    return;
  }
  n->recosigning = 1;
  cp__job_submit(n, j);
}
