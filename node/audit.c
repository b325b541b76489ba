/*
 * credport — audit: replay every log from seq 0 trusting nothing stored.
 *
 * Per log, entries are taken in batches. The main thread decodes a batch
 * (which fixes the signing key of every entry, since rotations are
 * entries), hands the signatures to worker threads, and meanwhile re-checks
 * the hash chain, the body rules, the Merkle hashes kept in each row, the
 * index records each entry implies and the stored checkpoints. At the end
 * it compares every index's record count with what the replay implied, so
 * an extra record is found as surely as a missing one.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credport/codec.h"
#include "credport/facts.h"
#include "credport/note.h"
#include "credport/revstatus.h"
#include "store_internal.h"

#define AUDIT_BATCH 4096u
#define AUDIT_MAX_THREADS 16u
#define AUDIT_MAX_LINES 1000u

typedef struct {
  const uint8_t *buf;
  size_t len;
  const uint8_t *pk;
  uint64_t rowid;
  const uint8_t *hashes; /* the row's stored Merkle hashes */
  unsigned nh;
  uint8_t bad;       /* signature failed */
  uint8_t undecodable;
} item;

/* Verification work is shared through an atomic cursor: workers and the
 * main thread (once its own checks are done) take chunks until none are
 * left, so no core idles while another still has a long share. */
typedef struct {
  item *items;
  size_t n;
  atomic_size_t next;
} work;

#define VERIFY_CHUNK 32u

typedef struct {
  cp_store *s;
  cp__tx tx;
  cp_audit_problem_fn fn;
  cp_audit_recognition_fn each; /* per recognition verdict, or NULL */
  void *ctx;
  cp_audit_report *rep;
  uint64_t expect_count[16]; /* by dbi slot: see count_slot */
  uint64_t now;
  MDB_cursor *dupc[16];      /* one cursor per dupsort index, by slot */
} audit;

static void problem(audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(audit *a, const char *fmt, ...) {
  char line[512];
  a->rep->problems++;
  if (a->rep->problems > AUDIT_MAX_LINES || a->fn == NULL) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  a->fn(a->ctx, line);
}

static void *verify_worker(void *arg) {
  work *w = arg;
  for (;;) {
    size_t from = atomic_fetch_add(&w->next, VERIFY_CHUNK);
    if (from >= w->n) break;
    size_t to = from + VERIFY_CHUNK < w->n ? from + VERIFY_CHUNK : w->n;
    for (size_t i = from; i < to; i++) {
      item *it = &w->items[i];
      if (!it->undecodable && cp_entry_verify(it->buf, it->len, it->pk) != 0) it->bad = 1;
    }
  }
  return NULL;
}

static unsigned count_slot(const cp_store *s, MDB_dbi dbi) {
  const MDB_dbi all[] = {s->ids,     s->by_type, s->by_edu,   s->by_cred,
                         s->by_subj, s->revoked, s->credids, s->withdrawn};
  for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i] == dbi) return i;
  return 15;
}

/* 0 if database dbi holds record r (cslot: the cursor slot for dupsort). */
static int holds(audit *a, MDB_dbi dbi, unsigned cslot, const cp__idxrec *r) {
  MDB_val k = {r->klen, (void *)r->key}, v = {r->vlen, (void *)r->val};
  int rc;
  if (r->dup) {
    rc = a->dupc[cslot] == NULL ? mdb_cursor_open(a->tx.txn, dbi, &a->dupc[cslot]) : 0;
    if (rc == 0) rc = mdb_cursor_get(a->dupc[cslot], &k, &v, MDB_GET_BOTH);
  } else {
    rc = mdb_get(a->tx.txn, dbi, &k, &v);
    if (rc == 0 && (v.mv_size != r->vlen || memcmp(v.mv_data, r->val, r->vlen) != 0))
      rc = MDB_NOTFOUND;
  }
  return rc;
}

static void check_index(audit *a, const cp__idxrec *r, const char *where) {
  unsigned slot = count_slot(a->s, r->dbi);
  MDB_dbi recent = cp__index_recent(a->s, r->dbi);
  a->expect_count[slot]++;
  /* In either tier of a two-tier index; in both is caught by the counts. */
  int rc = holds(a, r->dbi, slot, r);
  if (rc != 0 && recent != 0) rc = holds(a, recent, slot + 8, r);
  if (rc != 0) problem(a, "%s: index %s lacks the record this entry implies", where, r->name);
}

typedef struct {
  uint64_t size;
  const char *note;
  size_t len;
} cpt;

typedef struct {
  cpt *v;
  size_t n, cap;
} cpts;

static int collect_cp(void *ctx, uint64_t size, const char *note, size_t len) {
  cpts *c = ctx;
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 16;
    cpt *v = realloc(c->v, cap * sizeof *v);
    if (v == NULL) return CP_ENOMEM;
    c->v = v;
    c->cap = cap;
  }
  c->v[c->n++] = (cpt){size, note, len};
  return 0;
}

static void check_checkpoint(audit *a, const cp__logrec *sh, const char *origin, const cpt *c,
                             const char *logname) {
  cp_note_verifier v[2];
  cp_note_result res;
  cp_diag d;
  size_t nv = 0;
  const uint8_t *keys[2] = {sh->log, sh->signer};
  for (int i = 0; i < 2; i++) {
    if (i == 1 && memcmp(sh->log, sh->signer, CP_PK_BYTES) == 0) break;
    memset(&v[nv], 0, sizeof v[nv]);
    snprintf(v[nv].name, sizeof v[nv].name, "%s", origin);
    v[nv].alg = CP_NOTE_ALG_ED25519;
    memcpy(v[nv].pk, keys[i], CP_PK_BYTES);
    v[nv].key_id = cp_note_key_id(origin, CP_NOTE_ALG_ED25519, keys[i]);
    nv++;
  }
  a->rep->checkpoints++;
  if (cp_note_open_checkpoint(c->note, c->len, v, nv, origin, &res, &d) != 0) {
    problem(a, "log %s: checkpoint at size %llu does not verify: %s", logname,
            (unsigned long long)c->size, d.msg);
    return;
  }
  uint8_t root[CP_HASH_BYTES];
  cp_merkle_frontier_root(&sh->fr, root);
  if (res.cp.size != c->size || memcmp(root, res.cp.root, CP_HASH_BYTES) != 0)
    problem(a, "log %s: checkpoint at size %llu does not match the replayed tree", logname,
            (unsigned long long)c->size);
}

static void audit_line(void *ctx, const char *line) { problem(ctx, "%s", line); }

/* Replays one log. */
static int audit_log(audit *a, const uint8_t log[CP_PK_BYTES], item *items,
                     uint8_t (*keys)[CP_PK_BYTES], unsigned threads) {
  cp__logrec lr, sh;
  char name[20], where[96], origin[CP_ORIGIN_MAX + 1] = "";
  cpts cps = {NULL, 0, 0};
  size_t next_cp = 0;
  cp_entry e;
  cp_diag d;
  cp_hex_encode(log, 8, name);
  int rc = cp__logrec_get(&a->tx, log, &lr);
  if (rc != 0) {
    problem(a, "log %s: log record unreadable (%s)", name, cp_strerror(rc));
    return CP_OK;
  }
  a->rep->logs++;
  memset(&sh, 0, sizeof sh);
  sh.logno = lr.logno;
  memcpy(sh.log, log, CP_PK_BYTES);
  memcpy(sh.signer, log, CP_PK_BYTES);
  cp_merkle_frontier_init(&sh.fr);
  if ((rc = cp_reader_each_checkpoint((cp_reader *)&a->tx, log, collect_cp, &cps)) != 0)
    problem(a, "log %s: checkpoints unreadable (%s)", name, cp_strerror(rc));

  uint64_t seq = 0;
  int stop = 0;
  while (!stop && seq < lr.fr.size) {
    size_t n = 0;
    /* Fetch and decode a batch; each entry's key is the one in force before
     * it, so rotations inside the batch are followed in order. */
    uint8_t signer[CP_PK_BYTES];
    memcpy(signer, sh.signer, CP_PK_BYTES);
    for (; n < AUDIT_BATCH && seq + n < lr.fr.size; n++) {
      const uint8_t *row, *hashes = NULL;
      size_t rlen;
      unsigned nh = 0;
      item *it = &items[n];
      memset(it, 0, sizeof *it);
      rc = cp__row(&a->tx, lr.logno, seq + n, &it->rowid, &row, &rlen);
      if (rc == 0) rc = cp__row_split(row, rlen, &nh, &hashes, &it->buf, &it->len);
      it->hashes = hashes;
      it->nh = nh;
      if (rc != 0) {
        problem(a, "log %s seq %llu: row missing or unreadable (%s)", name,
                (unsigned long long)(seq + n), cp_strerror(rc));
        stop = 1;
        break;
      }
      memcpy(keys[n], signer, CP_PK_BYTES);
      it->pk = keys[n];
      /* Only a key entry can change the signer: the others are decoded
       * once, by the checks below (which stop at one that does not). */
      if (it->len > 1 && it->buf[1] == CP_T_KEY) {
        if (cp_entry_decode(it->buf, it->len, &e, NULL) != 0)
          it->undecodable = 1;
        else if (e.u.key.action == CP_KEY_ROTATE)
          memcpy(signer, e.u.key.new_key, CP_PK_BYTES);
      }
    }
    /* Signatures on threads-1 workers; this thread joins in below. */
    pthread_t tid[AUDIT_MAX_THREADS];
    work w;
    w.items = items;
    w.n = n;
    atomic_init(&w.next, 0);
    unsigned started = 0;
    for (unsigned t = 0; t + 1 < threads; t++)
      if (pthread_create(&tid[t], NULL, verify_worker, &w) == 0) started++;
    /* Everything else here, meanwhile. */
    for (size_t i = 0; i < n; i++) {
      item *it = &items[i];
      uint64_t s = seq + i;
      snprintf(where, sizeof where, "log %s seq %llu", name, (unsigned long long)s);
      if (cp_entry_decode(it->buf, it->len, &e, &d) != 0) {
        problem(a, "%s: does not decode: %s", where, d.msg);
        stop = 1;
        n = i;
        break;
      }
      if (memcmp(e.log, log, CP_PK_BYTES) != 0 || e.seq != s) {
        problem(a, "%s: row holds an entry of another position", where);
        stop = 1;
        n = i;
        break;
      }
      if (s == 0) {
        memcpy(origin, e.u.authority.origin.p, e.u.authority.origin.len);
        origin[e.u.authority.origin.len] = 0;
      }
      if (cp__check_chain(&sh, &e, a->now, &d) != 0) problem(a, "%s: %s", where, d.msg);
      if (cp__check_rules(&a->tx, &sh, &e, it->rowid, &d) != 0)
        problem(a, "%s: %s", where, d.msg);
      uint8_t id[CP_HASH_BYTES], done[CP_MERKLE_MAX_LEVELS][CP_HASH_BYTES];
      unsigned ndone;
      cp_entry_id(it->buf, it->len, id);
      cp_merkle_frontier_append(&sh.fr, id, done, &ndone);
      if (it->nh != ndone || memcmp(it->hashes, done, (size_t)ndone * CP_HASH_BYTES) != 0)
        problem(a, "%s: stored Merkle hashes differ from the replay", where);
      cp__idxrec recs[4];
      size_t nrec = cp__index_records(&a->tx, lr.logno, &e, id, it->rowid, recs);
      for (size_t j = 0; j < nrec; j++) check_index(a, &recs[j], where);
      memcpy(sh.head, id, CP_HASH_BYTES);
      sh.last_time = e.time;
      if (e.type == CP_T_KEY) {
        if (e.u.key.action == CP_KEY_ROTATE)
          memcpy(sh.signer, e.u.key.new_key, CP_PK_BYTES);
        else
          sh.flags |= CP_LOG_RETIRED;
      }
      while (next_cp < cps.n && cps.v[next_cp].size < sh.fr.size) {
        problem(a, "log %s: checkpoint at size %llu has no matching tree", name,
                (unsigned long long)cps.v[next_cp].size);
        next_cp++;
      }
      while (next_cp < cps.n && cps.v[next_cp].size == sh.fr.size)
        check_checkpoint(a, &sh, origin, &cps.v[next_cp++], name);
      a->rep->entries++;
    }
    verify_worker(&w);
    for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
    for (size_t i = 0; i < n; i++) {
      if (items[i].bad)
        problem(a, "log %s seq %llu: signature does not verify", name,
                (unsigned long long)(seq + i));
      else
        a->rep->signatures++;
    }
    seq += n;
  }
  if (!stop) {
    uint8_t r1[CP_HASH_BYTES], r2[CP_HASH_BYTES];
    cp_merkle_frontier_root(&sh.fr, r1);
    cp_merkle_frontier_root(&lr.fr, r2);
    if (memcmp(sh.head, lr.head, CP_HASH_BYTES) != 0 || memcmp(r1, r2, CP_HASH_BYTES) != 0 ||
        memcmp(sh.signer, lr.signer, CP_PK_BYTES) != 0 ||
        (sh.flags & CP_LOG_RETIRED) != (lr.flags & CP_LOG_RETIRED))
      problem(a, "log %s: stored head, root or key differs from the replay", name);
  }
  for (; next_cp < cps.n; next_cp++)
    problem(a, "log %s: checkpoint at size %llu is beyond the log", name,
            (unsigned long long)cps.v[next_cp].size);
  free(cps.v);
  uint64_t nstat = 0;
  if (!stop && (rc = cp__revstat_audit(&a->tx, &lr, audit_line, a, &nstat)) != 0)
    problem(a, "log %s: revocation statements unreadable (%s)", name, cp_strerror(rc));
  /* A recorded fork must be a real one: its contradiction and both
   * signatures are checked again, as a partner's proof is. */
  cp_fork_proof fp;
  rc = cp_reader_fork((cp_reader *)&a->tx, log, &fp);
  if (rc == 0) {
    cp_diag fd = {{0}};
    int frc;
    a->rep->forks++;
    if (fp.kind == CP_FORK_CHECKPOINTS) {
      problem(a, "log %s is forked: two signed checkpoints that are not consistent "
              "(equivocation)", name);
      frc = cp__cpfork_check(&a->tx, &lr, &fp, &fd);
    } else {
      if (fp.alen >= 42 && fp.blen >= 42 && cp__entry_seq(fp.a) != cp__entry_seq(fp.b))
        problem(a, "log %s is forked: entry %llu names a prev that is not entry %llu "
                "(two signed branches, equivocation)", name,
                (unsigned long long)cp__entry_seq(fp.b), (unsigned long long)cp__entry_seq(fp.a));
      else
        problem(a, "log %s is forked: two signed entries at one seq (equivocation)", name);
      frc = cp__fork_check(&a->tx, &lr, fp.a, fp.alen, fp.b, fp.blen, &fd);
    }
    if (frc != 0)
      problem(a, "log %s: the stored fork proof is not a valid proof: %s", name,
              fd.msg[0] ? fd.msg : cp_strerror(frc));
  } else if (rc != CP_ENOTFOUND) {
    problem(a, "log %s: fork record unreadable", name);
  } else if (lr.flags & CP_LOG_FORKED) {
    problem(a, "log %s: marked forked without a fork proof", name);
  }
  return CP_OK;
}

/* Recognition pass (node/facts_record.c): problems go through problem(). */
static void recognition_problem(void *ctx, const char *line) { problem(ctx, "%s", line); }
static void recognition_each(void *ctx, const struct cp_recognition_verdict *v) {
  audit *a = ctx;
  a->each(a->ctx, v);
}

int cp_store_audit(cp_store *s, unsigned threads, cp_audit_problem_fn fn, void *ctx,
                   cp_audit_report *rep) {
  return cp_store_audit_each(s, threads, fn, NULL, ctx, rep);
}

int cp_store_audit_each(cp_store *s, unsigned threads, cp_audit_problem_fn fn,
                        cp_audit_recognition_fn each, void *ctx, cp_audit_report *rep) {
  audit a;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  memset(&a, 0, sizeof a);
  memset(rep, 0, sizeof *rep);
  a.s = s;
  a.fn = fn;
  a.ctx = ctx;
  a.rep = rep;
  /* The future bound (R-entry-06) judges an entry against a receiver's
   * clock when it arrives; a replay, whenever it runs, judges the stored
   * chain alone: time order and clock corrections (docs/FORMATS.md, "Entry
   * times"). */
  a.now = 0;
  if (threads < 1) threads = 1;
  if (threads > AUDIT_MAX_THREADS) threads = AUDIT_MAX_THREADS;
  item *items = calloc(AUDIT_BATCH, sizeof *items);
  uint8_t (*keys)[CP_PK_BYTES] = calloc(AUDIT_BATCH, CP_PK_BYTES);
  if (items == NULL || keys == NULL) {
    free(items);
    free(keys);
    return CP_ENOMEM;
  }
  int rc = cp__tx_begin(s, 0, &a.tx, NULL);
  if (rc != 0) {
    free(items);
    free(keys);
    return rc;
  }
  /* Walk logs by key, but through the logkeys database directly: a log
   * record that fails to decode is a finding, not a reason to stop. */
  MDB_cursor *c = NULL;
  MDB_val k, v;
  rc = mdb_cursor_open(a.tx.txn, s->logkeys, &c);
  if (rc == 0) {
    for (int m = mdb_cursor_get(c, &k, &v, MDB_FIRST); m == 0 && rc == 0;
         m = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
      uint8_t log[CP_PK_BYTES];
      if (k.mv_size != CP_PK_BYTES) {
        problem(&a, "logkeys: a key of %zu bytes", k.mv_size);
        continue;
      }
      memcpy(log, k.mv_data, CP_PK_BYTES);
      rc = audit_log(&a, log, items, keys, threads);
    }
    mdb_cursor_close(c);
  } else {
    rc = cp__err_mdb(rc, NULL, "logkeys");
  }
  if (rc == 0) {
    /* Both directions: no index holds more than the replay implies. */
    const struct { MDB_dbi dbi; const char *name; } dbs[] = {
        {s->ids, "ids"}, {s->by_type, "by_type"}, {s->by_edu, "by_edu"},
        {s->by_cred, "by_cred"}, {s->by_subj, "by_subj"}, {s->revoked, "revoked"},
        {s->credids, "credids"}, {s->entries, "entries"}, {s->withdrawn, "withdrawn"}};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
      if (dbs[i].dbi == 0) continue; /* withdrawn, in a read-only older store */
      MDB_stat st, rt = {0};
      MDB_dbi recent = cp__index_recent(s, dbs[i].dbi);
      uint64_t want = dbs[i].dbi == s->entries ? rep->entries
                                               : a.expect_count[count_slot(s, dbs[i].dbi)];
      if (mdb_stat(a.tx.txn, dbs[i].dbi, &st) != 0 ||
          (recent != 0 && mdb_stat(a.tx.txn, recent, &rt) != 0) ||
          st.ms_entries + rt.ms_entries != want)
        problem(&a, "index %s holds %llu records where the replay implies %llu", dbs[i].name,
                (unsigned long long)(st.ms_entries + rt.ms_entries), (unsigned long long)want);
    }
  }
  if (rc == 0) {
    /* Every recorded recognition, recomputed from the facts it read. */
    cp_recognition_counts rc_n;
    a.each = each;
    int e = cp_recognition_audit((cp_reader *)&a.tx, recognition_problem,
                                 each != NULL ? recognition_each : NULL, &a, &rc_n);
    if (e != 0) problem(&a, "recognitions: the recomputation pass stopped: %s", cp_strerror(e));
    rep->recognitions = rc_n.checked;
    rep->recog_match = rc_n.match;
    rep->recog_differ = rc_n.differ;
    rep->recog_pending = rc_n.pending;
    rep->recog_failed = rc_n.failed;
  }
  for (size_t i = 0; i < sizeof a.dupc / sizeof a.dupc[0]; i++)
    if (a.dupc[i] != NULL) mdb_cursor_close(a.dupc[i]);
  cp__tx_abort(&a.tx);
  free(items);
  free(keys);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  rep->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (rc != 0) return rc;
  if (rep->problems > AUDIT_MAX_LINES && fn != NULL) {
    char line[128];
    snprintf(line, sizeof line, "(%llu more problems not listed)",
             (unsigned long long)(rep->problems - AUDIT_MAX_LINES));
    fn(ctx, line);
  }
  return rep->problems ? CP_EAUDIT : CP_OK;
}
