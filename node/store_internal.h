/*
 * credport — store internals shared by node/store*.c, ingest.c, audit.c.
 *
 * LMDB databases (keys and values big-endian):
 *   meta        "format" -> u32 CP_STORE_FORMAT; "self" -> own log key (32);
 *               "map_size" -> u64 map size set by the operator (optional)
 *               "witnesses" -> trusted witness vkeys, each ending in "\n"
 *   logs        logno u32 -> log record (see logrec_encode)
 *   logkeys     log key (32) -> logno u32
 *   entries     rowid u64 -> row: u8 n | n x 32 Merkle hashes (levels 1..n
 *               completed by this leaf) | entry bytes. Append-only.
 *   runs        logno u32 | first seq u64 -> rowid u64 | count u64
 *               (seq first+i of the log is row rowid+i)
 *   ids         entry ID (32) -> rowid u64
 *   by_edu      educator key (32) -> rowid (dupsort, fixed): awards,
 *               approvals, recognitions naming the educator
 *   ids_new, by_edu_new
 *               the recent tier of ids and by_edu, same records; merged
 *               into the main tier when full (node/tiers.c)
 *   by_cred     credential entry ID (32) -> rowid (dups): awards of it
 *   by_subj     subject (32) -> rowid (dups): endorsements of it
 *   by_type     type u8 -> rowid (dups): every entry except awards
 *   revoked     award ID (32) -> rowid of the revoke entry (awards only: the
 *               revocation tree R-rev-01 is built from it)
 *   withdrawn   entry ID (32) of a revoked endorse, approve, credential or
 *               licensure entry -> rowid of the revoke entry (created at the
 *               first read-write open of a store that predates it)
 *   credids     logno u32 | stable id -> rowid of the definition
 *   forks       logno u32 -> a fork proof, one of two versions:
 *               1: u32 len | entry a | u32 len | entry b (cp__fork_check),
 *                  a's seq not above b's (len >= 42, so never 0);
 *               2: u32 0 | u8 2 | u32 len | note a | u32 len | note b |
 *                  u8 k | 32 old root | k x 32 path (cp__cpfork_check),
 *                  a's size not above b's
 *   checkpoints logno u32 | size u64 -> signed note text (the log's signature
 *               line, then verified cosignature lines, node/witness.c)
 *   revstatus   logno u32 | size u64 -> revocation statement text (own log:
 *               one with each checkpoint it signs; other logs: those
 *               partners relayed, checked; node/revstatus.c)
 *   peers       partner key (32) -> peer record (node/peers.c)
 */
#ifndef CP_NODE_STORE_INTERNAL_H
#define CP_NODE_STORE_INTERNAL_H

#include <lmdb.h>
#include <limits.h>
#include <stdint.h>

#include "credport/merkle.h"
#include "credport/store.h"

/* How often a writer clears the reader slots of dead processes. */
#define CP_STORE_READER_CHECK_MS 1000u
/* Free bytes below which a short write is taken for a full disk. */
#define CP_STORE_DISK_LOW (1u << 20)

struct cp_store {
  MDB_env *env;
  MDB_dbi meta, logs, logkeys, entries, runs, ids, by_edu, by_cred, by_subj, by_type, revoked,
      credids, forks, checkpoints, peers, ids_new, edu_new,
      revstatus,            /* 0: absent (a read-only open of an older store) */
      withdrawn;            /* 0: absent, as revstatus */
  uint64_t recent_max;     /* records the recent tier of ids or by_edu holds before a merge */
  unsigned flags;
  char path[PATH_MAX];
  char headfile[PATH_MAX]; /* the own log's last committed head, outside LMDB */
  size_t map_limit;        /* bytes of mapped file pages kept resident; 0: no limit */
  unsigned since_check;    /* entries appended since the mapped pages were counted */
  void *map_addr;          /* where the data file is mapped, once looked up */
  uint64_t reader_check_ms; /* monotonic time of the last dead-reader sweep (writers) */
  const cp_key *witness;   /* the node's witness key (cp_store_set_witness), or NULL */
  const char *witness_name;
  uint64_t witness_refresh_s; /* 0: CP_WITNESS_REFRESH_S (cp_store_set_witness_refresh) */
};

/* A log's mutable state, as kept in the logs database. */
typedef struct cp__logrec {
  uint32_t logno;
  uint8_t log[CP_PK_BYTES];
  uint8_t signer[CP_PK_BYTES];
  uint8_t head[CP_HASH_BYTES];
  uint64_t last_time;
  uint32_t flags;
  uint64_t run_first_seq, run_rowid, run_count; /* the log's last run */
  cp_merkle_frontier fr;                        /* fr.size is the log size */
} cp__logrec;

/* A transaction with the cursors the hot paths reuse. */
typedef struct cp__tx {
  cp_store *s;
  MDB_txn *txn;
  MDB_cursor *runs;
  uint64_t next_rowid; /* write transactions: the next row id, once known */
  int rowid_known;
  int tiered;          /* records went to the recent tiers (node/tiers.c) */
} cp__tx;

struct cp_reader {
  cp__tx tx;
};

/* Maps an LMDB return code to a cp_err (writing the reason into d). */
int cp__err_mdb(int rc, cp_diag *d, const char *what);

int cp__tx_begin(cp_store *s, int write, cp__tx *tx, cp_diag *d);
void cp__tx_abort(cp__tx *tx);
int cp__tx_commit(cp__tx *tx, cp_diag *d);

int cp__logrec_get(cp__tx *tx, const uint8_t log[CP_PK_BYTES], cp__logrec *lr);
int cp__logrec_put(cp__tx *tx, const cp__logrec *lr);
/* Allocates the next log number. */
int cp__logno_next(cp__tx *tx, uint32_t *logno);

/* Positions c at the greatest key <= *k (keys compared as bytes) and
 * returns it in k, v; MDB_NOTFOUND if there is none. */
int cp__seek_at_or_before(MDB_cursor *c, MDB_val *k, MDB_val *v);
/* Row of (logno, seq): pointer into the map, valid until the txn ends. */
int cp__row(cp__tx *tx, uint32_t logno, uint64_t seq, uint64_t *rowid, const uint8_t **row,
            size_t *len);
int cp__row_by_id(cp__tx *tx, uint64_t rowid, const uint8_t **row, size_t *len);
/* Entry bytes of a row id, or of (logno, seq) (CP_ENOTFOUND if not held);
 * pointers into the map, valid until the txn ends. */
int cp__entry_of_rowid(cp__tx *tx, uint64_t rowid, const uint8_t **buf, size_t *len);
int cp__entry_at(cp__tx *tx, uint32_t logno, uint64_t seq, const uint8_t **buf, size_t *len);
/* The log's genesis (authority) entry, decoded; CP_ECORRUPT if unreadable. */
int cp__genesis(cp__tx *tx, uint32_t logno, cp_entry *g);
/* Splits a row into its Merkle hashes and its entry bytes. */
int cp__row_split(const uint8_t *row, size_t len, unsigned *nhash, const uint8_t **hashes,
                  const uint8_t **entry, size_t *elen);
/* Complete-subtree callback for crypto/merkle.c; ctx is a cp__mctx. */
typedef struct cp__mctx {
  cp__tx *tx;
  uint32_t logno;
} cp__mctx;
int cp__merkle_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]);
/* Merkle root of lr's log at size (<= its size): the frontier's when size is
 * the log's size, else from the stored subtree hashes. */
int cp__root_at(cp__tx *tx, const cp__logrec *lr, uint64_t size, uint8_t root[CP_HASH_BYTES]);
/* Stores a checkpoint note of the log at size. */
int cp__put_checkpoint(cp__tx *tx, uint32_t logno, uint64_t size, const char *note, size_t len,
                       cp_diag *d);

/* The trusted witness keys (meta "witnesses"), parsed; *n gets how many. */
int cp__witnesses(cp__tx *tx, cp_note_verifier *v, size_t cap, size_t *n);
/* Builds in out[CP_NOTE_MAX] the note to store for a checkpoint: the text
 * and log signature line of note (opened under vs[0], the log's verifier,
 * and vs[1..nv), the trusted witnesses), then cosignature lines: those of
 * held (the note stored at the same size, or NULL) and the verified ones of
 * note, the freshest per key, at most CP_WITNESS_COSIGS_MAX, the node's own
 * first; with cosign, a new one by the store's witness key at now replaces
 * the node's own. *changed says whether the set of lines differs from
 * held's. */
int cp__witness_note(const cp_store *s, const cp_note_verifier *vs, size_t nv, const char *note,
                     size_t len, const char *held, size_t hlen, int cosign, uint64_t now,
                     char *out, size_t *olen, int *changed);

/* The timestamp of the store's own cosignature line on note (1), or 0 when
 * the note carries none. */
int cp__own_cosig_time(const cp_store *s, const char *note, size_t len, uint64_t *ts);

/* The own log's key (CP_ENOTFOUND before init). */
int cp__self_log(cp__tx *tx, uint8_t log[CP_PK_BYTES]);
/* Signs a checkpoint of lr at its size with k and stores it in tx. */
int cp__sign_checkpoint(cp__tx *tx, const cp__logrec *lr, const cp_key *k, cp_diag *d);

/* Signs the revocation statement of lr's log at its size (checkpoint root
 * root, origin origin) with k and stores it in tx (node/revstatus.c). */
int cp__revstat_sign(cp__tx *tx, const cp__logrec *lr, const cp_key *k, const char *origin,
                     const uint8_t root[CP_HASH_BYTES], cp_diag *d);
/* Checks every stored statement of lr's log: signature by a key of the log
 * (at most CP_REVSTAT_AUDIT_KEYS are tried), checkpoint root and
 * revocation set recomputed at its size; each discrepancy goes to fn. */
#define CP_REVSTAT_AUDIT_KEYS 64u
typedef void (*cp__revstat_problem_fn)(void *ctx, const char *line);
int cp__revstat_audit(cp__tx *tx, const cp__logrec *lr, cp__revstat_problem_fn fn, void *ctx,
                      uint64_t *checked);

/* The own-head guard (node/guard.c): a file beside the LMDB environment
 * that records the own log's size and head after every local commit, or
 * that the node must sync with a partner before appending. check returns
 * CP_EBEHIND (d says what to do) unless the own log may grow from size. */
int cp__ownhead_check(const cp_store *s, uint64_t size, const uint8_t head[CP_HASH_BYTES],
                      cp_diag *d);
void cp__ownhead_write(const cp_store *s, uint64_t size, const uint8_t head[CP_HASH_BYTES]);

/* Big-endian helpers. */
static inline void cp__be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void cp__be64(uint8_t *p, uint64_t v) {
  cp__be32(p, (uint32_t)(v >> 32)); cp__be32(p + 4, (uint32_t)v);
}
static inline uint32_t cp__rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t cp__rd64(const uint8_t *p) {
  return (uint64_t)cp__rd32(p) << 32 | cp__rd32(p + 4);
}

/* Entry header fields read straight from encoded bytes (len >= 82). */
static inline uint64_t cp__entry_seq(const uint8_t *e) { return cp__rd64(e + 34); }

/* Validation of one entry against the log state in a write transaction
 * (validate.c). On success the entry is appended and lr updated. */
typedef struct cp__fork {
  int found;
  uint8_t *a, *b;
  size_t alen, blen;
} cp__fork;
/* Checks that (a, b) proves equivocation in lr's log (docs/FORMATS.md,
 * "Fork proofs"): two different entries at one seq, or entry k and an entry
 * k+1 whose prev is not ID(a), both signed by a key of the log. 0, or
 * CP_EINVAL (no contradiction), CP_EBADSIG, a store error. */
int cp__fork_check(cp__tx *tx, const cp__logrec *lr, const uint8_t *a, size_t alen,
                   const uint8_t *b, size_t blen, cp_diag *d);
/* Stores f as the log's fork proof and marks the log forked, in a write
 * transaction of its own (CP_EEXIST if it has one already). */
int cp__fork_record(cp_store *s, const cp__fork *f, cp_diag *d);
/* note (len bytes, signed by the log, at size <= lr's size) has a root
 * other than root, the held tree's at size: builds a checkpoint fork proof
 * from it, the held checkpoint at the least size >= size (OUT: held_size)
 * and a consistency proof computed from the held tree, checks it and
 * stores it in tx (lr is marked forked). CP_ENOTFOUND when no held
 * checkpoint makes a valid proof. */
int cp__cpfork_build(cp__tx *tx, cp__logrec *lr, const char *note, size_t len, uint64_t size,
                     const uint8_t root[CP_HASH_BYTES], uint64_t *held_size, cp_diag *d);
/* Calls fn for each key rotation of lr's log held, in seq order (the seq
 * of the rotation entry and its new key); a non-zero return stops the walk
 * and is returned. */
int cp__log_rotations(cp__tx *tx, const cp__logrec *lr,
                      int (*fn)(void *ctx, uint64_t seq, const uint8_t key[CP_PK_BYTES]),
                      void *ctx);
/* The signing key in force for entry seq of lr's log according to the
 * chain this store holds: the log key, or the new key of the last rotation
 * held at a seq below seq (so also the key a checkpoint at size seq is
 * signed with). */
int cp__log_key_at(cp__tx *tx, const cp__logrec *lr, uint64_t seq, uint8_t key[CP_PK_BYTES]);
/* Reads a stored fork record (either version); out borrows from p. */
int cp__fork_parse(const uint8_t *p, size_t n, cp_fork_proof *out);
/* Checks that p (CP_FORK_CHECKPOINTS) proves equivocation in lr's log by
 * R-fork-03. 0, or CP_EINVAL / CP_EPROOF (no contradiction), CP_EBADSIG,
 * CP_ECORRUPT (a note does not parse), a store error; d says which. */
int cp__cpfork_check(cp__tx *tx, const cp__logrec *lr, const cp_fork_proof *p, cp_diag *d);
/* Stores p as lr's fork proof (version 2) and marks lr forked in tx; lr is
 * updated. CP_EEXIST if the log has a fork proof already. */
int cp__cpfork_put(cp__tx *tx, cp__logrec *lr, const cp_fork_proof *p, cp_diag *d);
/* id: the entry's ID when the caller has computed it, or NULL. */
int cp__append(cp__tx *tx, cp__logrec *lr, const uint8_t *buf, size_t len, const cp_entry *e,
               const uint8_t *id, int verified, uint64_t now, cp_diag *d);
/* Checks an entry's body rules against the store (validate.c); used by
 * ingest and audit alike. self_rowid is the entry's own row when it is
 * already stored (audit), UINT64_MAX when it is not (ingest). */
int cp__check_rules(cp__tx *tx, const cp__logrec *lr, const cp_entry *e, uint64_t self_rowid,
                    cp_diag *d);
/* Checks header chain rules (seq, prev, time) of e against lr. */
int cp__check_chain(const cp__logrec *lr, const cp_entry *e, uint64_t now, cp_diag *d);
/* Index records an entry implies, as (dbi, key, value) triples (audit and
 * append share this so they cannot disagree). */
typedef struct cp__idxrec {
  MDB_dbi dbi;
  uint8_t key[CP_HASH_BYTES + 4 + CP_ID_MAX];
  size_t klen;
  uint8_t val[8];
  size_t vlen;
  int dup;          /* dupsort database */
  const char *name;
} cp__idxrec;
/* Fills out (at most 4) and returns the count. A revoke's record goes to
 * revoked or withdrawn by its target's type, looked up in tx (a target the
 * store lacks, which R-body-03 refuses, counts as not an award). */
size_t cp__index_records(cp__tx *tx, uint32_t logno, const cp_entry *e,
                         const uint8_t id[CP_HASH_BYTES], uint64_t rowid, cp__idxrec out[4]);

/* The first day on which the revoke entry buf (len >= CP_ENTRY_MIN_BYTES,
 * type revoke, decoded before) withdraws its target: a version 2 entry's
 * effective date, or a version 1 entry's own day (its time in whole UTC
 * days). Never 0, which the engine reads as "not withdrawn". */
static inline uint32_t cp__revoke_day(const uint8_t *buf) {
  uint64_t day = buf[0] == CP_ENTRY_VERSION ? cp__rd64(buf + 74) / 86400u
                                            : cp__rd32(buf + CP_ENTRY_HEADER_BYTES + 32);
  if (day > UINT32_MAX) day = UINT32_MAX;
  return day == 0 ? 1 : (uint32_t)day;
}
/* The revoke entry withdrawing target (an entry ID), from revoked or
 * withdrawn: its row; CP_ENOTFOUND if none. */
int cp__withdrawal_row(cp__tx *tx, const uint8_t target[CP_HASH_BYTES], uint64_t *rowid);

/* Counts n more entries appended (or records moved); every so often counts
 * the file pages the process has mapped and, above the store's limit,
 * returns them (see cp_store_tune). */
void cp__map_bound(cp_store *s, unsigned n);

/* ---- the random-key indexes in two tiers (node/tiers.c) ------------------ */

/* Where a new record of index dbi goes (the recent tier of ids and by_edu,
 * dbi itself otherwise); the recent tier of dbi, or 0 if it has none. */
MDB_dbi cp__index_target(const cp_store *s, MDB_dbi dbi);
MDB_dbi cp__index_recent(const cp_store *s, MDB_dbi dbi);
/* Row of an entry ID, looked up in both tiers (CP_ENOTFOUND, CP_ECORRUPT). */
int cp__id_row(cp__tx *tx, const uint8_t id[CP_HASH_BYTES], uint64_t *rowid);
/* One educator's rows, main tier then recent: ascending. */
typedef struct cp__edu_cursor {
  MDB_cursor *c[2];
} cp__edu_cursor;
int cp__edu_open(cp__tx *tx, cp__edu_cursor *ec);
void cp__edu_close(cp__edu_cursor *ec);
int cp__edu_rows(cp__edu_cursor *ec, const uint8_t educator[CP_PK_BYTES],
                 int (*fn)(void *ctx, uint64_t rowid), void *ctx);
/* Every educator key in either tier, once, in key order. */
int cp__each_educator(cp__tx *tx, int (*fn)(void *ctx, const uint8_t educator[CP_PK_BYTES]),
                      void *ctx);
/* Whether a recent tier has reached its limit (inside the write txn). */
int cp__tiers_full(cp__tx *tx);
/* Merges the recent tiers into the main ones, in transactions of its own. */
int cp__tiers_settle(cp_store *s);

#endif
