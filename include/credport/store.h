/*
 * credport — the ledger store (node/store*.c, node/ingest.c, node/audit.c).
 *
 * One LMDB environment per node holds every log the node knows. Entries are
 * stored in arrival order under a row id (append-only, so pages stay full);
 * a run index maps (log, seq) to row ids; the complete-subtree Merkle hashes
 * each entry finishes are kept in its row, so any proof is O(log n) reads.
 *
 * Every entry, local or foreign, passes the same validation (validate.c):
 * strict decoding, contiguous seq, prev hash, time order, signature by the
 * log's current signing key, and the body rules of docs/FORMATS.md. A batch
 * commits whole or not at all. Two statements signed by one log key that
 * cannot both be true are equivocation: a second, different entry at a held
 * seq, or a next entry whose prev is not the ID of the last entry held (two
 * branches, whatever their lengths). The pair is stored as a fork proof in
 * its own transaction and the log accepts nothing more. So is a checkpoint
 * signed by the log whose root contradicts the tree held, kept with a held
 * checkpoint and the consistency proof between them (cp_fork_proof).
 *
 * Threads: a cp_store may be used from several threads; write operations
 * are serialised by LMDB (one writer). A cp_reader is a read transaction and
 * belongs to the thread that began it; everything it returns is valid until
 * cp_reader_end. Keep readers short: they pin old pages.
 */
#ifndef CREDPORT_STORE_H
#define CREDPORT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "error.h"
#include "hash.h"
#include "sig.h"
#include "note.h"

#define CP_STORE_FORMAT 2U

typedef struct cp_store cp_store;
typedef struct cp_reader cp_reader;
typedef struct cp_appender cp_appender;

enum {
  CP_STORE_RDONLY = 1u << 0, /* open read-only */
  CP_STORE_NOSYNC = 1u << 1  /* skip fsync on commit (benchmarks and tests only) */
};

/* Opens (creating if needed) the store in directory dir (created 0700). */
int cp_store_open(const char *dir, unsigned flags, cp_store **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));
void cp_store_close(cp_store *s);
/* Tuning of an open store (not persisted; every field 0 keeps the default).
 *
 * map_resident: keep at most about this many bytes of the data file's pages
 * mapped into the process while entries are appended (default: no limit).
 * Pages read through the map stay resident until the kernel needs them and
 * each page fault maps its neighbours too, so a long ingest would otherwise
 * map most of the file. Above the limit the mapping is dropped
 * (madvise MADV_DONTNEED); the pages stay in the page cache and come back
 * on the next touch. The daemon sets this.
 *
 * index_recent: records the recent tier of the entry-ID and educator
 * indexes holds before it is merged into the main tier (default 131072;
 * see docs/FORMATS.md, "Store"). */
typedef struct cp_store_tuning {
  size_t map_resident;
  uint64_t index_recent;
} cp_store_tuning;
void cp_store_tune(cp_store *s, const cp_store_tuning *t) __attribute__((nonnull));
/* Path of the data file (for tools and tests); valid while s is open. */
const char *cp_store_path(const cp_store *s);

/* Log flags. */
#define CP_LOG_FORKED 0x1u
#define CP_LOG_RETIRED 0x2u

typedef struct cp_log_info {
  uint8_t log[CP_PK_BYTES];
  uint8_t signer[CP_PK_BYTES];   /* current signing key (differs after rotation) */
  uint64_t size;                 /* number of entries */
  uint8_t head[CP_HASH_BYTES];   /* ID of the last entry (zero when empty) */
  uint8_t root[CP_HASH_BYTES];   /* Merkle root at size */
  uint64_t last_time;
  uint32_t flags;                /* CP_LOG_* */
  cp_str name, jurisdiction, origin; /* from the genesis entry; valid until the reader ends */
  uint8_t role;
} cp_log_info;

/* ---- reading ---------------------------------------------------------- */

int cp_reader_begin(cp_store *s, cp_reader **out) __attribute__((warn_unused_result));
void cp_reader_end(cp_reader *r);

/* The node's own log key; CP_ENOTFOUND before `init`. */
int cp_reader_self(cp_reader *r, uint8_t log[CP_PK_BYTES]);
int cp_reader_log(cp_reader *r, const uint8_t log[CP_PK_BYTES], cp_log_info *out);
/* Calls fn for every log in key order; stops at the first non-zero return,
 * which it returns. */
int cp_reader_each_log(cp_reader *r, int (*fn)(void *ctx, const cp_log_info *li), void *ctx);

/* Raw bytes of entry seq of log (valid until the reader ends). */
int cp_reader_entry(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t seq,
                    const uint8_t **buf, size_t *len);
int cp_reader_entry_by_id(cp_reader *r, const uint8_t id[CP_HASH_BYTES], const uint8_t **buf,
                          size_t *len);
/* Root of log at a past size (size <= current size). */
int cp_reader_root(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                   uint8_t root[CP_HASH_BYTES]);
int cp_reader_inclusion(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t index,
                        uint64_t size, uint8_t path[][CP_HASH_BYTES], size_t *n);
int cp_reader_consistency(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t old_size,
                          uint64_t new_size, uint8_t path[][CP_HASH_BYTES], size_t *n);

/* Index walks: fn gets each entry's raw bytes; non-zero return stops. */
typedef int (*cp_entry_fn)(void *ctx, const uint8_t *buf, size_t len);
int cp_reader_by_educator(cp_reader *r, const uint8_t educator[CP_PK_BYTES], cp_entry_fn fn,
                          void *ctx);
int cp_reader_by_credential(cp_reader *r, const uint8_t cred[CP_HASH_BYTES], cp_entry_fn fn,
                            void *ctx);
/* Entries that name subject (an endorsement's subject, authority or credential). */
int cp_reader_by_subject(cp_reader *r, const uint8_t subject[CP_HASH_BYTES], cp_entry_fn fn,
                         void *ctx);
/* All entries of one type other than awards (credential, policy, endorse...). */
int cp_reader_by_type(cp_reader *r, unsigned type, cp_entry_fn fn, void *ctx);
/* Every entry of log from seq `from` in order. */
int cp_reader_each_entry(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t from,
                         cp_entry_fn fn, void *ctx);
/* The revocation of award id, if any: CP_ENOTFOUND when not revoked. */
int cp_reader_revocation(cp_reader *r, const uint8_t award[CP_HASH_BYTES], const uint8_t **buf,
                         size_t *len);
/* The revoke entry withdrawing entry id (any revocable type: award,
 * endorse, approve, credential, licensure), if any: CP_ENOTFOUND when none. */
int cp_reader_withdrawal(cp_reader *r, const uint8_t id[CP_HASH_BYTES], const uint8_t **buf,
                         size_t *len);
/* The latest definition of credential stable id in log. */
int cp_reader_credential(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *id,
                         const uint8_t **buf, size_t *len);
/* A fork proof (docs/FORMATS.md, "Fork proofs"). Pointers borrow from the
 * reader (valid until it ends) or from the caller. */
enum {
  CP_FORK_ENTRIES = 1,    /* a, b: raw entries, a's seq not above b's (R-fork-01) */
  CP_FORK_CHECKPOINTS = 2 /* a, b: signed checkpoint notes, a's size not above b's
                           * (R-fork-03) */
};
typedef struct cp_fork_proof {
  unsigned kind;          /* CP_FORK_* */
  const uint8_t *a, *b;
  size_t alen, blen;
  /* CP_FORK_CHECKPOINTS only: old_root is the root of the first (a's size)
   * leaves of b's tree, path the RFC 9162 consistency path (npath hashes,
   * at most CP_MERKLE_MAX_LEVELS) from that tree to b's. */
  const uint8_t *old_root;
  const uint8_t (*path)[CP_HASH_BYTES];
  size_t npath;
} cp_fork_proof;
/* The stored fork proof of log: two entries at one seq, or entry k (a) and
 * an entry k+1 (b) whose prev is not a's ID, or two checkpoints that are not
 * consistent. CP_ENOTFOUND if none, CP_ECORRUPT for a record that does not
 * parse. */
int cp_reader_fork(cp_reader *r, const uint8_t log[CP_PK_BYTES], cp_fork_proof *out);
/* Latest stored checkpoint note of log (text, not NUL-terminated). */
int cp_reader_checkpoint(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char **note,
                         size_t *len);
/* Every stored checkpoint of log, in size order. */
int cp_reader_each_checkpoint(cp_reader *r, const uint8_t log[CP_PK_BYTES],
                              int (*fn)(void *ctx, uint64_t size, const char *note, size_t len),
                              void *ctx);

/* ---- writing the node's own log -------------------------------------- */

/*
 * Creates the node's own log: writes the genesis entry (seq 0, type
 * authority) signed by k and records k's public key as "self".
 * CP_EEXIST if the store already has an own log.
 */
int cp_store_init_authority(cp_store *s, const cp_key *k, const char *name,
                            const char *jurisdiction, unsigned role, const char *origin,
                            uint64_t now, cp_diag *d) __attribute__((warn_unused_result));

/*
 * An appender is one write transaction on the own log. Each add fills the
 * header (version, log, seq, prev, time), signs with k, and queues the entry
 * to a writer thread that validates it exactly as a foreign entry would be
 * and appends it, so signing (one core) and storing (the other) overlap.
 * A rule the writer finds broken is reported by a later add or by commit,
 * naming the entry; cp_appender_failed_at says which add it was. Nothing is
 * visible to readers until commit; abort, or a failed commit, leaves the
 * store untouched. k must be the log's current signing key and outlive the
 * appender. An appender is used from one thread.
 */
int cp_appender_begin(cp_store *s, const cp_key *k, uint64_t now, cp_appender **out, cp_diag *d)
    __attribute__((warn_unused_result));
/* OUT: id (may be NULL) gets the new entry's ID. e->u must be filled. */
int cp_appender_add(cp_appender *a, cp_entry *e, uint8_t id[CP_HASH_BYTES], cp_diag *d)
    __attribute__((warn_unused_result));
/* The entry ID of credential `id` in the own log, including definitions
 * added to this appender. */
int cp_appender_credential(cp_appender *a, const char *id, uint8_t entry_id[CP_HASH_BYTES]);
/* Size of the own log including the entries added so far. */
uint64_t cp_appender_size(const cp_appender *a);
/* The time the next add gives its entry: max(now given to begin, the time of
 * the log's last entry, including entries added so far). */
uint64_t cp_appender_time(const cp_appender *a);
/* After a failure: the 0-based number of the add that failed. */
size_t cp_appender_failed_at(const cp_appender *a);
/* Commits; also signs and stores a checkpoint at the new size. */
int cp_appender_commit(cp_appender *a, cp_diag *d) __attribute__((warn_unused_result));
void cp_appender_abort(cp_appender *a);
/* Issuance guards (off by default; the command-line tools turn them on):
 * CP_GUARD_DUPLICATES refuses an award (CP_EDUPLICATE) whose credential,
 * educator and earned date repeat an award of the own log that is not
 * revoked, committed or added earlier to this appender (the writer checks
 * it, at a cost bounded by the shorter of the educator's and the
 * credential's index lists, so a refusal is reported like any rule it finds
 * broken; node/issuance.h); CP_GUARD_FUTURE refuses at add (CP_ETIME) an award earned
 * after the UTC day of the `now` given to begin. Set before the first add. */
enum { CP_GUARD_DUPLICATES = 1u << 0, CP_GUARD_FUTURE = 1u << 1 };
void cp_appender_guard(cp_appender *a, unsigned guards);
/* After CP_EDUPLICATE: 1, with the seq and ID of the award repeated (an
 * entry of this transaction when seq >= the size at begin); else 0. */
int cp_appender_duplicate(const cp_appender *a, uint64_t *seq, uint8_t id[CP_HASH_BYTES]);
/* The bytes of the entry the last successful add signed; valid until the
 * next add or the appender's end. OUT: len. */
const uint8_t *cp_appender_last(const cp_appender *a, size_t *len);
/* Ends the transaction WITHOUT committing, after the writer has checked
 * every entry added: returns the first failure (cp_appender_failed_at says
 * which add) or CP_OK if all would have been appended. The store is left
 * untouched either way; free a with cp_appender_abort. */
int cp_appender_rollback(cp_appender *a, cp_diag *d) __attribute__((warn_unused_result));
/* Commits like cp_appender_commit but keeps a, so that after a failure
 * cp_appender_failed_at can say which add it was; free a with
 * cp_appender_abort (which then changes nothing). */
int cp_appender_finish(cp_appender *a, cp_diag *d) __attribute__((warn_unused_result));

/* Signs (with k, the own log's key) and stores a checkpoint at the own
 * log's current size, unless one exists at that size. */
int cp_store_checkpoint(cp_store *s, const cp_key *k, cp_diag *d)
    __attribute__((warn_unused_result));

/* ---- ingesting entries from anywhere --------------------------------- */

enum {
  /* The caller signed these entries itself, with each log's key in force
   * (benchmarks, local tools). Entries checked by other threads go through
   * cp_store_ingest_checked instead, which knows which key each check used. */
  CP_INGEST_VERIFIED = 1u << 0
};

typedef struct cp_ingest_report {
  size_t added;      /* new entries appended */
  size_t duplicates; /* identical entries already held (not verified again) */
  size_t failed_at;  /* index of the entry that failed (when the call failed) */
  int forked;        /* a fork proof was recorded */
} cp_ingest_report;

/* Validates and appends a batch atomically: all of it or none of it
 * (a detected fork proof is still recorded). Entries must be in order per
 * log. d names the failing entry's index, log, seq and the rule. */
int cp_store_ingest(cp_store *s, const uint8_t *const *bufs, const size_t *lens, size_t n,
                    unsigned flags, uint64_t now, cp_ingest_report *rep, cp_diag *d)
    __attribute__((warn_unused_result));

/* As cp_store_ingest (flags 0), for entries whose signatures the caller's
 * workers checked against a snapshot: keys[i] is the key entry i verified
 * under, or NULL if it was not checked. Entry i skips the signature check
 * only when keys[i] is the log's signing key in force at that entry in this
 * transaction; otherwise (a rotation committed, or earlier in the batch,
 * after the worker's snapshot) it is verified again here. keys may be NULL. */
int cp_store_ingest_checked(cp_store *s, const uint8_t *const *bufs, const size_t *lens,
                            const uint8_t *const *keys, size_t n, uint64_t now,
                            cp_ingest_report *rep, cp_diag *d) __attribute__((warn_unused_result));

/* Stores a checkpoint note for a log after verifying it: signed by the
 * log's key under the genesis origin, size <= held size and root equal to
 * the held tree's root at that size. A note whose root differs from the
 * held tree's at its size is equivocation when the node holds a checkpoint
 * of the log at that size or later: the two notes and a consistency proof
 * computed from the held entries are recorded as a fork proof (R-fork-03),
 * the log is marked forked and CP_EFORK is returned; without such a note it
 * is refused with CP_EPROOF. CP_EFORKED for a contradicting note of a log
 * already forked. */
int cp_store_add_checkpoint(cp_store *s, const char *note, size_t len, cp_diag *d)
    __attribute__((warn_unused_result));

/* One checkpoint note received for a log, for cp_store_add_checkpoints. */
typedef struct cp_store_note {
  uint8_t log[CP_PK_BYTES];    /* the log the note is for (its sender's claim) */
  const char *note;            /* note text, borrowed for the call */
  size_t len;
  int rc;                      /* OUT: 0 stored; CP_EEXIST valid but no newer than the
                                  latest held and no new cosignature; else why refused */
  int cosigned;                /* OUT: this node's witness cosigned it (a new size) */
  cp_diag d;                   /* OUT: the reason when rc != 0 */
} cp_store_note;

/* Stores n checkpoint notes in one write transaction. Each is checked as
 * cp_store_add_checkpoint does, but only against the log it names (one
 * signature check, not one per log held), and one no newer than the latest
 * held for its log is not written (rc CP_EEXIST). A refused note does not
 * stop the others. Returns 0, or the store's error when the transaction
 * failed: then nothing was stored and every note not refused on its own
 * carries that error. */
int cp_store_add_checkpoints(cp_store *s, cp_store_note *v, size_t n, cp_diag *d)
    __attribute__((warn_unused_result));

/* Records a fork proof received from a partner: a and b (in either order)
 * must be two different entries at one seq, or entries k and k+1 where the
 * second's prev is not the first's ID, of a log this node holds, each
 * validly signed by a key of the log (docs/FORMATS.md, "Fork proofs";
 * CP_EBADSIG, CP_EINVAL otherwise). The log then accepts nothing more.
 * CP_EEXIST if the log already has a fork proof. */
int cp_store_add_fork(cp_store *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                      cp_diag *d) __attribute__((warn_unused_result));

/* Records a checkpoint fork proof (p->kind CP_FORK_CHECKPOINTS) of log
 * received from a partner, after checking it by R-fork-03: both notes
 * signed by a key of the log under its origin, and either the same size
 * with different roots or p->path proving p->old_root (which differs from
 * a's root) a prefix of b's tree. CP_EBADSIG, CP_EPROOF or CP_EINVAL when it
 * proves nothing, CP_ENOTFOUND for a log not held, CP_EEXIST if the log
 * already has a fork proof. The log then accepts nothing more. */
int cp_store_add_checkpoint_fork(cp_store *s, const uint8_t log[CP_PK_BYTES],
                                 const cp_fork_proof *p, cp_diag *d)
    __attribute__((warn_unused_result));

/* ---- witnessing (node/witness.c; docs/PROTOCOL.md L-2) ------------------ */

/* The note key name of a node's witness key: its checkpoint origin followed
 * by "/witness", or "witness/" and the first 16 bytes of its authority key
 * in hex when that would be longer than CP_ORIGIN_MAX. */
int cp_store_witness_name(const char *origin, const uint8_t self[CP_PK_BYTES],
                          char out[CP_ORIGIN_MAX + 1]);

/* Gives the store the node's witness key k, under note key name `name`
 * (both borrowed: they must outlive every later checkpoint call). From then
 * on, a checkpoint of another log stored at a new size (after its signature
 * and its root against the held tree were checked) is cosigned by k at the
 * current time. Call before other threads use the store. */
void cp_store_set_witness(cp_store *s, const cp_key *k, const char *name);

/* Cosigns again, at now, the latest stored checkpoint of each log this
 * node witnesses (held, not its own, not forked) whose own cosignature is
 * missing or at least min_age seconds old, after the checks of a first
 * cosignature (the log's signature under its current key at that size,
 * the root against the held tree); at most cap logs, in one write
 * transaction. out[0..*n) gets the logs whose note changed (to relay).
 * Nothing happens without a witness key (cp_store_set_witness). A store
 * error returns it with *n = 0 and nothing stored. SPEC: L-2a */
int cp_store_recosign(cp_store *s, uint64_t now, uint64_t min_age, uint8_t (*out)[CP_PK_BYTES],
                      size_t cap, size_t *n, cp_diag *d) __attribute__((warn_unused_result));

/* The least age difference for which a received cosignature replaces the
 * held one by the same key (L-2); 0 restores CP_WITNESS_REFRESH_S. */
void cp_store_set_witness_refresh(cp_store *s, uint64_t secs);

/* Adds (add != 0) or removes a trusted witness key, given as a C2SP verifier
 * key of type cosignature/v1. Cosignatures by trusted keys are checked and
 * carried on stored checkpoints; others are dropped. CP_EINVAL for a key of
 * another type, CP_ETOOBIG beyond CP_WITNESS_TRUST_MAX keys, CP_EEXIST /
 * CP_ENOTFOUND when there is nothing to change. */
int cp_store_witness_trust(cp_store *s, const char *vkey, int add, cp_diag *d)
    __attribute__((warn_unused_result));
/* The trusted witness keys: at most cap into v, *n gets how many. */
int cp_reader_witnesses(cp_reader *r, cp_note_verifier *v, size_t cap, size_t *n);

/* Whether note (a checkpoint of log, same size and root as the latest held)
 * carries a cosignature line by a trusted witness key other than the
 * node's own that is newer than the held note's line by that key, or by a
 * key the held note lacks. Nothing is verified: the writer checks it. */
int cp_reader_cosig_news(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *note,
                         size_t len);

/* Cosignature lines of a signed note (not verified: a stored note's were
 * verified when it was stored). */
typedef struct cp_cosig_info {
  unsigned count;              /* cosignature/v1 lines */
  uint64_t newest;             /* the greatest of their timestamps, 0 if none */
} cp_cosig_info;
void cp_store_cosig_info(const char *note, size_t len, cp_cosig_info *out);

/* ---- partners ------------------------------------------------------------ */

#define CP_ADDR_MAX 128U

/* One observation of a partner's clock (docs/PROTOCOL.md, D-5): what the
 * partner's DIGEST said and this machine's clocks when it arrived. The boot
 * clock and boot ID let another process on this machine project the
 * partner's clock to its own moment without trusting the wall clock it is
 * checking (node/clock.c). */
typedef struct cp_clock_obs {
  uint64_t peer_ms;            /* the partner's clock, Unix ms; 0 = never observed */
  uint64_t local_ms;           /* this node's wall clock then, Unix ms */
  uint64_t boot_ms;            /* milliseconds since this machine booted, then */
  uint8_t boot[16];            /* this machine's boot ID then (zero if unknown) */
} cp_clock_obs;

typedef struct cp_peer_info {
  uint8_t key[CP_PK_BYTES];
  char addr[CP_ADDR_MAX];      /* "host:port" to dial; "" for accept-only */
  uint64_t last_sync;          /* Unix seconds of the last completed sync, 0 = never */
  uint64_t bytes_in, bytes_out, entries_in, entries_out; /* totals over all sessions */
  uint64_t last_seen;          /* Unix seconds of the last session */
  char last_error[160];        /* why the last session ended, "" if cleanly */
  cp_clock_obs clock;          /* the latest observation of its clock */
} cp_peer_info;

/* Adds or replaces a partner (its statistics are kept when it exists, and
 * its clock observation whenever p->clock is empty). */
int cp_store_peer_put(cp_store *s, const cp_peer_info *p, int keep_stats, cp_diag *d)
    __attribute__((warn_unused_result));
int cp_store_peer_del(cp_store *s, const uint8_t key[CP_PK_BYTES], cp_diag *d)
    __attribute__((warn_unused_result));
int cp_reader_peer(cp_reader *r, const uint8_t key[CP_PK_BYTES], cp_peer_info *out);
int cp_reader_each_peer(cp_reader *r, int (*fn)(void *ctx, const cp_peer_info *p), void *ctx);

/* ---- the own-head guard, backups and the ledger's size ------------------ */

/* The own-head guard (node/guard.c) keeps a node from signing a second
 * entry at a seq it already used after its ledger was restored from an
 * older copy: appending (cp_appender_begin) fails with CP_EBEHIND, saying
 * what to do, until a partner sync is confirmed. */
typedef struct cp_store_guard {
  uint64_t size;      /* entries of the own log in the ledger */
  uint64_t committed; /* entries the guard knows were committed (a lower bound) */
  int was_confirmed;  /* appending was allowed (before this call, for confirm) */
} cp_store_guard;

/* Records that the own log in the ledger is complete: called after a sync
 * with a partner completed (the node then holds every entry of its own log
 * the partner holds), or with no_partners when the operator states that no
 * partner ever held more. CP_EBEHIND (nothing written) if the ledger still
 * holds fewer own entries than the guard knows were committed, unless
 * no_partners. out may be NULL. */
int cp_store_guard_confirm(cp_store *s, int no_partners, cp_store_guard *out, cp_diag *d)
    __attribute__((warn_unused_result));
/* Marks a restored ledger: nothing is appended before a confirmed sync. */
int cp_store_guard_restored(cp_store *s, cp_diag *d) __attribute__((warn_unused_result));
/* The guard's state; d says why appending is refused when !was_confirmed. */
int cp_store_guard_get(cp_store *s, cp_store_guard *out, cp_diag *d);

/* Writes a consistent, compacted snapshot of the ledger into the existing,
 * empty folder dir (dir/data.mdb, by mdb_env_copy2 in one read transaction,
 * while writers go on) and the guard record dir/own-head marking it as a
 * restore that must sync first. OUT: own_size (may be NULL), the own log
 * entries known committed at the time. */
int cp_store_backup(cp_store *s, const char *dir, uint64_t *own_size, cp_diag *d)
    __attribute__((warn_unused_result));

/* Sets the ledger's map size (the most the data file may grow to) now and
 * for every later open. Call with no transaction open in this process.
 * CP_EINVAL below the size already used. A running serve keeps the size it
 * opened with until restarted. */
int cp_store_set_map_size(cp_store *s, uint64_t bytes, cp_diag *d)
    __attribute__((warn_unused_result));
uint64_t cp_store_map_size(const cp_store *s);
/* Bytes of the map the ledger uses (its highest page in use, whole). */
uint64_t cp_store_map_used(const cp_store *s);

/* Clears the reader slots of processes that died holding a read
 * transaction (they would keep every later commit from reusing pages).
 * Done by cp_store_open and by every write transaction at most once a
 * second. OUT: dead, slots cleared (may be NULL). */
int cp_store_reader_check(cp_store *s, int *dead);

/* ---- clocks (node/clock.c) ---------------------------------------------- */

/* This machine's clocks now, as a partner's clock observation records them:
 * o->local_ms, o->boot_ms and o->boot are set, o->peer_ms is left alone. */
void cp_clock_sample(cp_clock_obs *o) __attribute__((nonnull));

/* What the partners' recorded clocks say of ours, now_s being this node's
 * clock (Unix seconds). For every partner observed during this boot of the
 * machine and no longer ago than CP_CLOCK_OBS_MAX_AGE, the partner's clock
 * is projected to now along the boot clock, and compared with now_s. */
typedef struct cp_clock_view {
  unsigned usable;             /* observations used */
  unsigned far;                /* of them, more than CP_TIME_SKEW_MAX from now_s */
  int64_t worst_ms;            /* our clock minus the projected partner clock, largest |.| */
  uint64_t worst_peer_ms;      /* that partner's projected clock */
  uint64_t worst_age_ms;       /* how long ago it was observed */
  uint8_t worst_key[CP_PK_BYTES];
} cp_clock_view;
int cp_clock_view_get(cp_store *s, uint64_t now_s, cp_clock_view *v)
    __attribute__((warn_unused_result, nonnull));

/* The signing guard: CP_ETIME, with d saying both clocks, the difference,
 * the limit and what to do, when more than half of the usable observations
 * put the partners' clocks more than CP_TIME_SKEW_MAX away from now_s (a
 * partner would refuse what this node signs, or the entry would carry a
 * wrong time); 0 otherwise (also with no usable observation). Every own-log
 * appender and checkpoint runs it before signing. */
int cp_clock_guard(cp_store *s, uint64_t now_s, cp_diag *d) __attribute__((warn_unused_result));

/* ---- audit -------------------------------------------------------------- */

typedef struct cp_audit_report {
  uint64_t logs, entries, signatures, checkpoints, forks;
  uint64_t problems;          /* discrepancies found (0 = clean) */
  double seconds;
  /* Recognition entries: recomputed, of which equal, different, held
   * short of what they read (not a problem: the node is behind), and not
   * recomputable (policy missing, overflow). */
  uint64_t recognitions, recog_match, recog_differ, recog_pending, recog_failed;
} cp_audit_report;

/* Called once per problem found, with a human-readable line. */
typedef void (*cp_audit_problem_fn)(void *ctx, const char *line);
/* Called once per recognition entry recomputed (facts.h's verdict). */
struct cp_recognition_verdict;
typedef void (*cp_audit_recognition_fn)(void *ctx, const struct cp_recognition_verdict *v);

/*
 * Replays every log from seq 0 without trusting the store: re-decodes and
 * re-verifies every entry (signatures on `threads` worker threads), the
 * hash chain, every validation rule, the Merkle hashes held in each row and
 * every stored checkpoint, and rebuilds each index and compares it with the
 * stored one in both directions. Returns 0 if clean, CP_EAUDIT if problems
 * were found (rep->problems), another error if the audit could not run.
 */
int cp_store_audit(cp_store *s, unsigned threads, cp_audit_problem_fn fn, void *ctx,
                   cp_audit_report *rep) __attribute__((warn_unused_result));
/* As cp_store_audit, also calling each (may be NULL) with every
 * recognition entry's verdict. */
int cp_store_audit_each(cp_store *s, unsigned threads, cp_audit_problem_fn fn,
                        cp_audit_recognition_fn each, void *ctx, cp_audit_report *rep)
    __attribute__((warn_unused_result));

#endif
