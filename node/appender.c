/*
 * credport — the own-log appender: signing on the caller's thread, storing
 * on a writer thread, so that the two overlap on two cores.
 *
 * The writer thread owns the LMDB write transaction from begin to commit
 * (LMDB binds a write transaction to its thread). The caller keeps its own
 * copy of the chain state (size, head, time) to fill each header; the writer
 * re-checks every entry against the stored state with the same rules as any
 * foreign entry, so the two cannot drift apart unnoticed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "issuance.h"
#include "store_internal.h"

#define QSLOTS 1024u
#define SLOT_INLINE 1024u
/* The writer is woken once this many entries wait (or at commit), not per
 * entry: a wake-up costs a system call, about a tenth of a signature. */
#define WAKE_BATCH 64u

typedef struct {
  size_t len;
  uint8_t id[CP_HASH_BYTES]; /* the entry's ID, computed once by the caller */
  uint8_t *big; /* malloc'd when the entry does not fit inline */
  uint8_t small[SLOT_INLINE];
} slot;

typedef struct {
  char id[CP_ID_MAX + 1];
  uint8_t entry[CP_HASH_BYTES];
} def;

struct cp_appender {
  cp_store *s;
  const cp_key *key;
  uint64_t now;
  /* Caller's view of the chain. */
  uint8_t log[CP_PK_BYTES], head[CP_HASH_BYTES];
  uint64_t size, last_time, added;
  def *defs;
  size_t ndefs, capdefs;
  cp_reader *rd;
  uint8_t buf[CP_ENTRY_MAX];
  /* The queue, guarded by mu. */
  pthread_mutex_t mu;
  pthread_cond_t not_empty, not_full, ready_cv;
  slot *ring;
  size_t qhead, qcount;
  int ready, closing, commit, thread_started;
  pthread_t writer;
  unsigned guards;          /* CP_GUARD_*, set before the first add */
  size_t last_len;          /* bytes of the last entry signed, in buf */
  /* Writer results, guarded by mu once the writer runs. */
  int werr;
  cp_diag wdiag;
  size_t failed_at;
  uint64_t dup_seq;         /* after CP_EDUPLICATE: the award repeated */
  uint8_t dup_id[CP_HASH_BYTES];
};

static void fail_locked(cp_appender *a, int err, const cp_diag *d, size_t at) {
  if (a->werr != 0) return;
  a->werr = err;
  a->failed_at = at;
  if (d != NULL) a->wdiag = *d;
  else cp_diag_set(&a->wdiag, err, "%s", cp_strerror(err));
  pthread_cond_broadcast(&a->not_full); /* a caller waiting for room must see it */
}

static void *writer_main(void *arg) {
  cp_appender *a = arg;
  cp__tx tx;
  cp__logrec lr;
  cp_diag d = {{0}};
  uint8_t pk[CP_PK_BYTES];
  size_t ordinal = 0;
  cp__dupset dups;
  cp__dupset_init(&dups);
  int rc = cp__tx_begin(a->s, 1, &tx, &d);
  if (rc == 0) {
    rc = cp__self_log(&tx, a->log);
    if (rc == CP_ENOTFOUND) rc = cp_diag_set(&d, rc, "this node has no authority yet: run init");
  }
  if (rc == 0) rc = cp__logrec_get(&tx, a->log, &lr);
  cp_key_public(a->key, pk);
  if (rc == 0 && memcmp(pk, lr.signer, CP_PK_BYTES) != 0)
    rc = cp_diag_set(&d, CP_EDENIED, "the key given is not this log's signing key");
  if (rc == 0) rc = cp__ownhead_check(a->s, lr.fr.size, lr.head, &d);
  if (rc == 0 && (lr.flags & (CP_LOG_FORKED | CP_LOG_RETIRED)))
    rc = cp_diag_set(&d, lr.flags & CP_LOG_FORKED ? CP_EFORKED : CP_ERETIRED,
                     "this log is %s: nothing more can be appended%s",
                     lr.flags & CP_LOG_FORKED ? "forked" : "retired",
                     lr.flags & CP_LOG_FORKED ? ""
                                              : " (a key entry retired its key; a new log "
                                                "needs a new authority)");
  pthread_mutex_lock(&a->mu);
  if (rc != 0) {
    fail_locked(a, rc, &d, 0);
  } else {
    memcpy(a->head, lr.head, CP_HASH_BYTES);
    a->size = lr.fr.size;
    a->last_time = lr.last_time;
  }
  a->ready = 1;
  pthread_cond_signal(&a->ready_cv);
  while (rc == 0) {
    while (a->qcount == 0 && !a->closing) pthread_cond_wait(&a->not_empty, &a->mu);
    if (a->qcount == 0) break;
    slot *sl = &a->ring[a->qhead];
    unsigned guards = a->guards;
    pthread_mutex_unlock(&a->mu);
    const uint8_t *buf = sl->big != NULL ? sl->big : sl->small;
    cp_entry e;
    uint64_t dseq = 0;
    uint8_t did[CP_HASH_BYTES];
    rc = cp_entry_decode(buf, sl->len, &e, &d);
    int dupcheck = rc == 0 && (guards & CP_GUARD_DUPLICATES) && e.type == CP_T_AWARD;
    if (dupcheck) rc = cp__dup_find(&dups, &tx, &lr, &e, &dseq, did, &d);
    if (rc == 0) rc = cp__append(&tx, &lr, buf, sl->len, &e, sl->id, 1, a->now, &d);
    if (rc == 0 && dupcheck) rc = cp__dupset_add(&dups, &tx, &e);
    free(sl->big);
    sl->big = NULL;
    pthread_mutex_lock(&a->mu);
    if (rc == CP_EDUPLICATE && a->werr == 0) {
      a->dup_seq = dseq;
      memcpy(a->dup_id, did, CP_HASH_BYTES);
    }
    if (rc != 0) fail_locked(a, rc, &d, ordinal);
    ordinal++;
    a->qhead = (a->qhead + 1) % QSLOTS;
    /* Judged now, under the lock: the caller may have filled the queue
     * while this entry was being stored. */
    if (a->qcount-- == QSLOTS) pthread_cond_signal(&a->not_full);
  }
  /* Stop taking entries; wait until the caller commits or aborts. */
  while (!a->closing) pthread_cond_wait(&a->not_empty, &a->mu);
  int commit = a->commit && a->werr == 0;
  pthread_mutex_unlock(&a->mu);
  if (tx.txn != NULL) {
    if (commit) {
      rc = cp__logrec_put(&tx, &lr);
      /* A checkpoint is signed by the key in force at its size. After a
       * rotation in this transaction that is the new key, which this
       * appender does not hold: then no checkpoint is signed now. */
      if (rc == 0 && memcmp(pk, lr.signer, CP_PK_BYTES) == 0)
        rc = cp__sign_checkpoint(&tx, &lr, a->key, &d);
      if (rc == 0) {
        rc = cp__tx_commit(&tx, &d);
        if (rc == 0) cp__ownhead_write(a->s, lr.fr.size, lr.head);
      } else {
        cp__tx_abort(&tx);
      }
      if (rc != 0) {
        pthread_mutex_lock(&a->mu);
        fail_locked(a, rc, &d, ordinal);
        pthread_mutex_unlock(&a->mu);
      }
    } else {
      cp__tx_abort(&tx);
    }
  }
  cp__dupset_free(&dups);
  return NULL;
}

int cp_appender_begin(cp_store *s, const cp_key *k, uint64_t now, cp_appender **out, cp_diag *d) {
  /* Nothing is signed while this clock disagrees with the partners'. */
  int grc = cp_clock_guard(s, now, d);
  if (grc != 0) return grc;
  cp_appender *a = calloc(1, sizeof *a);
  if (a == NULL) return CP_ENOMEM;
  a->ring = calloc(QSLOTS, sizeof *a->ring);
  if (a->ring == NULL) {
    free(a);
    return CP_ENOMEM;
  }
  a->s = s;
  a->key = k;
  a->now = now;
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->not_empty, NULL);
  pthread_cond_init(&a->not_full, NULL);
  pthread_cond_init(&a->ready_cv, NULL);
  if (pthread_create(&a->writer, NULL, writer_main, a) != 0) {
    cp_appender_abort(a);
    return cp_diag_set(d, CP_ENOMEM, "cannot start the writer thread");
  }
  a->thread_started = 1;
  pthread_mutex_lock(&a->mu);
  while (!a->ready) pthread_cond_wait(&a->ready_cv, &a->mu);
  int err = a->werr;
  if (err != 0 && d != NULL) *d = a->wdiag;
  pthread_mutex_unlock(&a->mu);
  if (err != 0) {
    cp_appender_abort(a);
    return err;
  }
  *out = a;
  return CP_OK;
}

static int remember_def(cp_appender *a, const cp_entry *e, const uint8_t id[CP_HASH_BYTES]) {
  if (a->ndefs == a->capdefs) {
    size_t cap = a->capdefs ? 2 * a->capdefs : 8;
    def *v = realloc(a->defs, cap * sizeof *v);
    if (v == NULL) return CP_ENOMEM;
    a->defs = v;
    a->capdefs = cap;
  }
  def *x = &a->defs[a->ndefs++];
  memcpy(x->id, e->u.credential.id.p, e->u.credential.id.len);
  x->id[e->u.credential.id.len] = 0;
  memcpy(x->entry, id, CP_HASH_BYTES);
  return CP_OK;
}

int cp_appender_add(cp_appender *a, cp_entry *e, uint8_t id[CP_HASH_BYTES], cp_diag *d) {
  size_t len;
  uint8_t eid[CP_HASH_BYTES];
  pthread_mutex_lock(&a->mu);
  int err = a->werr;
  if (err != 0 && d != NULL) *d = a->wdiag;
  pthread_mutex_unlock(&a->mu);
  if (err != 0) return err;
  /* A log dated ahead of this clock would carry every new entry into the
   * future with it (time never goes back), where partners refuse it; only a
   * clock correction, dated now, may follow (docs/FORMATS.md, "Entry
   * times"). */
  if (e->type != CP_T_CLOCK && a->last_time > a->now + CP_TIME_SKEW_MAX)
    return cp_diag_set(d, CP_ETIME,
                       "the log's last entry (seq %llu) is dated %llu, %llu s ahead of this "
                       "clock (%llu), more than the %u s partners accept; it was signed with a "
                       "clock that was ahead. If this clock is right, run `credport clock "
                       "correct` first; nothing was signed",
                       (unsigned long long)(a->size - 1), (unsigned long long)a->last_time,
                       (unsigned long long)(a->last_time - a->now), (unsigned long long)a->now,
                       CP_TIME_SKEW_MAX);
  if ((a->guards & CP_GUARD_FUTURE) && e->type == CP_T_AWARD &&
      e->u.award.earned > a->now / 86400u) {
    char day[11], today[11];
    cp_date_format(e->u.award.earned, day);
    cp_date_format((uint32_t)(a->now / 86400u), today);
    a->failed_at = a->added;
    return cp_diag_set(d, CP_ETIME, "award.earned %s is after today (%s, UTC)", day, today);
  }
  /* A caller that names no version gets the latest one with a body for
   * the type (docs/FORMATS.md, "Versions"). */
  if (e->version == 0) e->version = (uint8_t)cp_entry_version_for(e->type);
  memcpy(e->log, a->log, CP_PK_BYTES);
  e->seq = a->size;
  memcpy(e->prev, a->head, CP_HASH_BYTES);
  e->time = e->type == CP_T_CLOCK || a->now > a->last_time ? a->now : a->last_time;
  int rc = cp_entry_sign(e, a->key, a->buf, sizeof a->buf, &len, d);
  if (rc != 0) {
    a->failed_at = a->added;
    return rc;
  }
  cp_entry_id(a->buf, len, eid);
  a->last_len = len;
  if (e->type == CP_T_CREDENTIAL && (rc = remember_def(a, e, eid)) != 0) return rc;
  uint8_t *big = NULL;
  if (len > SLOT_INLINE && (big = malloc(len)) == NULL) return CP_ENOMEM;
  pthread_mutex_lock(&a->mu);
  while (a->qcount == QSLOTS && a->werr == 0) pthread_cond_wait(&a->not_full, &a->mu);
  if (a->werr != 0) {
    err = a->werr;
    if (d != NULL) *d = a->wdiag;
    pthread_mutex_unlock(&a->mu);
    free(big);
    return err;
  }
  slot *sl = &a->ring[(a->qhead + a->qcount) % QSLOTS];
  sl->len = len;
  memcpy(sl->id, eid, CP_HASH_BYTES);
  sl->big = big;
  memcpy(big != NULL ? big : sl->small, a->buf, len);
  if (++a->qcount == WAKE_BATCH) pthread_cond_signal(&a->not_empty);
  pthread_mutex_unlock(&a->mu);
  memcpy(a->head, eid, CP_HASH_BYTES);
  a->last_time = e->time;
  a->size++;
  a->added++;
  if (id != NULL) memcpy(id, eid, CP_HASH_BYTES);
  return CP_OK;
}

int cp_appender_credential(cp_appender *a, const char *id, uint8_t entry_id[CP_HASH_BYTES]) {
  for (size_t i = a->ndefs; i-- > 0;)
    if (strcmp(a->defs[i].id, id) == 0) {
      memcpy(entry_id, a->defs[i].entry, CP_HASH_BYTES);
      return CP_OK;
    }
  const uint8_t *buf;
  size_t len;
  int rc = a->rd == NULL ? cp_reader_begin(a->s, &a->rd) : CP_OK;
  if (rc == 0) rc = cp_reader_credential(a->rd, a->log, id, &buf, &len);
  if (rc == 0) cp_entry_id(buf, len, entry_id);
  return rc;
}

uint64_t cp_appender_size(const cp_appender *a) { return a->size; }

uint64_t cp_appender_time(const cp_appender *a) {
  return a->now > a->last_time ? a->now : a->last_time;
}

size_t cp_appender_failed_at(const cp_appender *a) { return a->failed_at; }

void cp_appender_guard(cp_appender *a, unsigned guards) {
  pthread_mutex_lock(&a->mu);
  a->guards = guards;
  pthread_mutex_unlock(&a->mu);
}

int cp_appender_duplicate(const cp_appender *a, uint64_t *seq, uint8_t id[CP_HASH_BYTES]) {
  if (a->werr != CP_EDUPLICATE) return 0;
  *seq = a->dup_seq;
  memcpy(id, a->dup_id, CP_HASH_BYTES);
  return 1;
}

const uint8_t *cp_appender_last(const cp_appender *a, size_t *len) {
  *len = a->last_len;
  return a->buf;
}

/* Tells the writer to finish (committing or not) and waits for it. */
static int finish(cp_appender *a, int commit, cp_diag *d) {
  int err = 0;
  if (a->thread_started) {
    pthread_mutex_lock(&a->mu);
    a->closing = 1;
    a->commit = commit;
    pthread_cond_broadcast(&a->not_empty);
    pthread_cond_broadcast(&a->not_full);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->writer, NULL);
    a->thread_started = 0;
    err = a->werr;
    if (err != 0 && d != NULL) *d = a->wdiag;
  }
  return err;
}

int cp_appender_finish(cp_appender *a, cp_diag *d) {
  cp_reader_end(a->rd);
  a->rd = NULL;
  return finish(a, 1, d);
}

int cp_appender_rollback(cp_appender *a, cp_diag *d) {
  cp_reader_end(a->rd);
  a->rd = NULL;
  return finish(a, 0, d);
}

int cp_appender_commit(cp_appender *a, cp_diag *d) {
  int rc = cp_appender_finish(a, d);
  cp_appender_abort(a);
  return rc;
}

void cp_appender_abort(cp_appender *a) {
  if (a == NULL) return;
  cp_reader_end(a->rd);
  finish(a, 0, NULL);
  for (size_t i = 0; i < QSLOTS; i++) free(a->ring[i].big);
  free(a->ring);
  free(a->defs);
  pthread_mutex_destroy(&a->mu);
  pthread_cond_destroy(&a->not_empty);
  pthread_cond_destroy(&a->not_full);
  pthread_cond_destroy(&a->ready_cv);
  free(a);
}
