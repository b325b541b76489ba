/* credport — LMDB environment, log records, rows and read access. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

#define MAP_SIZE_DEFAULT ((size_t)64 << 30) /* address space only; the file grows as used */
#define MAP_SIZE_MIN ((size_t)1 << 30)
#define RECENT_MAX_DEFAULT 131072u     /* records in a recent index tier (node/tiers.c) */

int cp__err_mdb(int rc, cp_diag *d, const char *what) {
  switch (rc) {
  case MDB_SUCCESS: return CP_OK;
  case MDB_NOTFOUND: return CP_ENOTFOUND;
  case MDB_MAP_FULL:
    return cp_diag_set(d, CP_EMAPFULL,
                       "%s: ledger map full: raise it with credport map-size SIZE "
                       "(docs/OPERATIONS.md, \"Ledger size\")", what);
  case ENOSPC:
  case EDQUOT:
    return cp_diag_set(d, CP_ENOSPC, "%s: no space left on device", what);
  case MDB_CORRUPTED:
  case MDB_PAGE_NOTFOUND:
    return cp_diag_set(d, CP_ECORRUPT, "%s: the store is corrupted (%s)", what, mdb_strerror(rc));
  case MDB_VERSION_MISMATCH:
  case MDB_INVALID:
    return cp_diag_set(d, CP_EVERSION, "%s: not a credport store (%s)", what, mdb_strerror(rc));
  default: break;
  }
  if (rc > 0 && rc < 4096) return cp_diag_set(d, -rc, "%s: %s", what, strerror(rc));
  return cp_diag_set(d, CP_ESTORE, "%s: %s", what, mdb_strerror(rc));
}

/* Creates and opens s->env. The map is address space only, but where less
 * is available than MAP_SIZE_DEFAULT (a ulimit -v, a memory checker such as
 * valgrind, whose limit is below 64 GiB) mmap fails with ENOMEM or EINVAL;
 * then halved maps are tried down to MAP_SIZE_MIN (LMDB still maps at least
 * the data file's size). On failure s->env is NULL. */
static int env_open(cp_store *s, const char *dir, unsigned envflags) {
  size_t size = MAP_SIZE_DEFAULT;
  for (;;) {
    int rc = mdb_env_create(&s->env);
    if (rc != 0) {
      s->env = NULL;
      return rc;
    }
    if ((rc = mdb_env_set_maxdbs(s->env, 24)) == 0 &&
        (rc = mdb_env_set_mapsize(s->env, size)) == 0 &&
        (rc = mdb_env_set_maxreaders(s->env, 126)) == 0 &&
        (rc = mdb_env_open(s->env, dir, envflags, 0600)) == 0)
      return 0;
    mdb_env_close(s->env);
    s->env = NULL;
    if ((rc != ENOMEM && rc != EINVAL) || size <= MAP_SIZE_MIN) return rc;
    size /= 2;
  }
}

int cp_store_open(const char *dir, unsigned flags, cp_store **out, cp_diag *d) {
  cp_store *s = NULL;
  MDB_txn *txn = NULL;
  int rc;
  *out = NULL;
  if (strlen(dir) + 16 >= sizeof s->path)
    return cp_diag_set(d, CP_EINVAL, "store directory path too long");
  if (!(flags & CP_STORE_RDONLY) && mkdir(dir, 0700) != 0 && errno != EEXIST)
    return cp_diag_set(d, -errno, "cannot create %s: %s", dir, strerror(errno));
  s = calloc(1, sizeof *s);
  if (s == NULL) return CP_ENOMEM;
  s->flags = flags;
  s->recent_max = RECENT_MAX_DEFAULT;
  snprintf(s->path, sizeof s->path, "%s/data.mdb", dir);
  snprintf(s->headfile, sizeof s->headfile, "%s/own-head", dir);
  unsigned envflags = MDB_NOTLS | MDB_NORDAHEAD;
  if (flags & CP_STORE_RDONLY) envflags |= MDB_RDONLY;
  if (flags & CP_STORE_NOSYNC) envflags |= MDB_NOSYNC;
  if ((rc = env_open(s, dir, envflags)) != 0) goto out;
  unsigned c = (flags & CP_STORE_RDONLY) ? 0 : MDB_CREATE;
  if ((rc = mdb_txn_begin(s->env, NULL, (flags & CP_STORE_RDONLY) ? MDB_RDONLY : 0, &txn)) != 0)
    goto out;
  const unsigned dups = MDB_DUPSORT | MDB_DUPFIXED;
  if ((rc = mdb_dbi_open(txn, "meta", c, &s->meta)) != 0) goto out;
  /* SPEC: the format record, read before anything else: a store of another
   * format is refused whatever databases it has. */
  MDB_val k = {6, (void *)"format"}, v;
  rc = mdb_get(txn, s->meta, &k, &v);
  if (rc == MDB_NOTFOUND && !(flags & CP_STORE_RDONLY)) {
    uint8_t fmt[4];
    cp__be32(fmt, CP_STORE_FORMAT);
    v.mv_size = 4;
    v.mv_data = fmt;
    if ((rc = mdb_put(txn, s->meta, &k, &v, 0)) != 0) goto out;
  } else if (rc != 0) {
    goto out;
  } else if (v.mv_size != 4 || cp__rd32(v.mv_data) != CP_STORE_FORMAT) {
    mdb_txn_abort(txn);
    txn = NULL;
    cp_store_close(s);
    return cp_diag_set(d, CP_EVERSION, "%s: store format is not %u", dir, CP_STORE_FORMAT);
  }
  /* The operator's map size (credport map-size), applied once no
   * transaction is open. */
  uint64_t map_size = 0;
  MDB_val mk = {8, (void *)"map_size"}, mv;
  if ((rc = mdb_get(txn, s->meta, &mk, &mv)) == 0 && mv.mv_size == 8)
    map_size = cp__rd64(mv.mv_data);
  else if (rc != 0 && rc != MDB_NOTFOUND)
    goto out;
  const struct { const char *name; unsigned flags; MDB_dbi *dbi; } dbs[] = {
      {"logs", 0, &s->logs},         {"logkeys", 0, &s->logkeys},
      {"entries", 0, &s->entries},   {"runs", 0, &s->runs},
      {"ids", 0, &s->ids},           {"by_edu", dups, &s->by_edu},
      {"by_cred", dups, &s->by_cred}, {"by_subj", dups, &s->by_subj},
      {"by_type", dups, &s->by_type}, {"revoked", 0, &s->revoked},
      {"credids", 0, &s->credids},   {"forks", 0, &s->forks},
      {"checkpoints", 0, &s->checkpoints}, {"peers", 0, &s->peers},
      {"ids_new", 0, &s->ids_new},   {"by_edu_new", dups, &s->edu_new},
      {"revstatus", 0, &s->revstatus}, {"withdrawn", 0, &s->withdrawn}};
  for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
    rc = mdb_dbi_open(txn, dbs[i].name, c | dbs[i].flags, dbs[i].dbi);
    /* A store written before revocation statements (or withdrawals of
     * other entries than awards) existed gets the database at its next
     * read-write open; read-only, it has none. */
    if (rc == MDB_NOTFOUND && (dbs[i].dbi == &s->revstatus || dbs[i].dbi == &s->withdrawn)) {
      *dbs[i].dbi = 0;
      rc = 0;
    }
    if (rc != 0) goto out;
  }
  rc = mdb_txn_commit(txn);
  txn = NULL;
  if (rc == 0 && map_size != 0) rc = mdb_env_set_mapsize(s->env, (size_t)map_size);
  /* Reader slots of processes that died holding a read transaction pin
   * old pages: every later commit would grow the file instead of reusing
   * them. */
  int dead = 0;
  if (rc == 0) rc = mdb_reader_check(s->env, &dead);
out:
  if (txn != NULL) mdb_txn_abort(txn);
  if (rc != 0) {
    int err = cp__err_mdb(rc, d, dir);
    if (s->env != NULL) mdb_env_close(s->env);
    free(s);
    return err;
  }
  *out = s;
  return CP_OK;
}

void cp_store_close(cp_store *s) {
  if (s == NULL) return;
  if (s->env != NULL) mdb_env_close(s->env);
  free(s);
}

const char *cp_store_path(const cp_store *s) { return s->path; }

/* ---- mapped pages ---------------------------------------------------------- */

void cp_store_tune(cp_store *s, const cp_store_tuning *t) {
  s->map_limit = t->map_resident;
  s->recent_max = t->index_recent ? t->index_recent : RECENT_MAX_DEFAULT;
}

/* File-backed resident bytes of this process (the third field of
 * /proc/self/statm, in pages); 0 when it cannot be read. */
static size_t mapped_resident(void) {
  char buf[128];
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  unsigned long long size, res, shared;
  if (sscanf(buf, "%llu %llu %llu", &size, &res, &shared) != 3) return 0;
  return (size_t)shared * (size_t)sysconf(_SC_PAGESIZE);
}

#define MAP_CHECK_EVERY 256u /* entries: at most a few MB mapped in between */

/* Where LMDB mapped the data file: mdb_env_info reports an address only for
 * MDB_FIXEDMAP, so the mapping of the file's device and inode is looked up
 * in /proc/self/maps. NULL when not found. */
static void *find_map(cp_store *s) {
  mdb_filehandle_t fd;
  struct stat st;
  if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0) return NULL;
  FILE *f = fopen("/proc/self/maps", "re");
  if (f == NULL) return NULL;
  char line[512];
  void *found = NULL;
  while (found == NULL && fgets(line, sizeof line, f) != NULL) {
    unsigned long long lo, hi, off, ino;
    unsigned maj, mnr;
    if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &lo, &hi, &off, &maj, &mnr, &ino) == 6 &&
        off == 0 && ino == (unsigned long long)st.st_ino && maj == major(st.st_dev) &&
        mnr == minor(st.st_dev))
      found = (void *)(uintptr_t)lo;
  }
  fclose(f);
  return found;
}

void cp__map_bound(cp_store *s, unsigned n) {
  if (s->map_limit == 0 || (s->since_check += n) < MAP_CHECK_EVERY) return;
  s->since_check = 0;
  if (mapped_resident() <= s->map_limit) return;
  if (s->map_addr == NULL && (s->map_addr = find_map(s)) == NULL) {
    s->map_limit = 0; /* no way to find it: stop counting */
    return;
  }
  MDB_envinfo info;
  MDB_stat st;
  if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0) return;
  /* The map is shared and read-only (no MDB_WRITEMAP): dropping it loses
   * nothing, and a page touched again is mapped again from the page cache,
   * by this thread or any reader. */
  size_t used = ((size_t)info.me_last_pgno + 1) * st.ms_psize;
  if (used > info.me_mapsize) used = info.me_mapsize;
  (void)madvise(s->map_addr, used, MADV_DONTNEED);
}

/* ---- transactions ------------------------------------------------------- */

static uint64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int cp__tx_begin(cp_store *s, int write, cp__tx *tx, cp_diag *d) {
  memset(tx, 0, sizeof *tx);
  tx->s = s;
  if (write && (s->flags & CP_STORE_RDONLY))
    return cp_diag_set(d, CP_EINVAL, "store opened read-only");
  int rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &tx->txn);
  if (rc != 0) return cp__err_mdb(rc, d, "begin transaction");
  /* Writers are serialised here, so the clock field needs no lock. A
   * long-running writer (serve) clears dead readers every so often. */
  if (write) {
    uint64_t now = mono_ms();
    if (now - s->reader_check_ms >= CP_STORE_READER_CHECK_MS) {
      int dead = 0;
      s->reader_check_ms = now;
      (void)mdb_reader_check(s->env, &dead);
    }
  }
  return CP_OK;
}

int cp_store_reader_check(cp_store *s, int *dead) {
  int n = 0, rc = mdb_reader_check(s->env, &n);
  if (dead != NULL) *dead = n;
  return cp__err_mdb(rc, NULL, "reader check");
}

/* A short write (LMDB reports EIO) on a file system left with next to no
 * room is a full disk, not a failing one. */
static int disk_full(const cp_store *s) {
  char dir[PATH_MAX];
  struct statvfs vs;
  snprintf(dir, sizeof dir, "%s", s->path);
  char *slash = strrchr(dir, '/');
  if (slash != NULL) *slash = 0;
  if (statvfs(dir, &vs) != 0) return 0;
  return (uint64_t)vs.f_bavail * vs.f_frsize < CP_STORE_DISK_LOW;
}

int cp_store_set_map_size(cp_store *s, uint64_t bytes, cp_diag *d) {
  MDB_envinfo info;
  MDB_stat st;
  cp__tx tx;
  int rc;
  if ((rc = mdb_env_info(s->env, &info)) != 0 || (rc = mdb_env_stat(s->env, &st)) != 0)
    return cp__err_mdb(rc, d, "map size");
  uint64_t used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
  if (bytes < used || bytes > (uint64_t)SIZE_MAX)
    return cp_diag_set(d, CP_EINVAL,
                       "map size %llu is below the %llu bytes the ledger already uses",
                       (unsigned long long)bytes, (unsigned long long)used);
  if ((rc = mdb_env_set_mapsize(s->env, (size_t)bytes)) != 0)
    return cp__err_mdb(rc, d, "map size");
  uint8_t v8[8];
  cp__be64(v8, bytes);
  MDB_val k = {8, (void *)"map_size"}, v = {8, v8};
  if ((rc = cp__tx_begin(s, 1, &tx, d)) != 0) return rc;
  if ((rc = mdb_put(tx.txn, s->meta, &k, &v, 0)) != 0) {
    cp__tx_abort(&tx);
    return cp__err_mdb(rc, d, "map size");
  }
  return cp__tx_commit(&tx, d);
}

uint64_t cp_store_map_size(const cp_store *s) {
  MDB_envinfo info;
  return mdb_env_info(s->env, &info) == 0 ? (uint64_t)info.me_mapsize : 0;
}

uint64_t cp_store_map_used(const cp_store *s) {
  MDB_envinfo info;
  MDB_stat st;
  if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0) return 0;
  return ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
}

void cp__tx_abort(cp__tx *tx) {
  if (tx->runs != NULL) mdb_cursor_close(tx->runs);
  tx->runs = NULL;
  if (tx->txn != NULL) mdb_txn_abort(tx->txn);
  tx->txn = NULL;
}

int cp__tx_commit(cp__tx *tx, cp_diag *d) {
  if (tx->runs != NULL) mdb_cursor_close(tx->runs);
  tx->runs = NULL;
  int settle = tx->tiered && cp__tiers_full(tx);
  int rc = mdb_txn_commit(tx->txn);
  tx->txn = NULL;
  if (rc == EIO && disk_full(tx->s)) rc = ENOSPC;
  /* What was committed stands whether or not the merge succeeds: a failed
   * merge leaves both tiers readable and is tried again after the next. */
  if (rc == 0 && settle) (void)cp__tiers_settle(tx->s);
  return cp__err_mdb(rc, d, "commit");
}

/* ---- log records ---------------------------------------------------------
 * off  size  field
 * 0    32    log key
 * 32   32    current signer
 * 64   32    head (ID of the last entry)
 * 96   8     last time
 * 104  4     flags
 * 108  8     last run: first seq
 * 116  8     last run: rowid
 * 124  8     last run: count
 * 132  8     size
 * 140  32*k  frontier hashes, k = popcount(size), largest subtree first
 */
#define LOGREC_FIXED 140u

int cp__logrec_put(cp__tx *tx, const cp__logrec *lr) {
  uint8_t buf[LOGREC_FIXED + CP_MERKLE_MAX_LEVELS * CP_HASH_BYTES];
  memcpy(buf, lr->log, 32);
  memcpy(buf + 32, lr->signer, 32);
  memcpy(buf + 64, lr->head, 32);
  cp__be64(buf + 96, lr->last_time);
  cp__be32(buf + 104, lr->flags);
  cp__be64(buf + 108, lr->run_first_seq);
  cp__be64(buf + 116, lr->run_rowid);
  cp__be64(buf + 124, lr->run_count);
  cp__be64(buf + 132, lr->fr.size);
  unsigned k = cp_merkle_frontier_count(&lr->fr);
  memcpy(buf + LOGREC_FIXED, lr->fr.h, (size_t)k * CP_HASH_BYTES);
  uint8_t kb[4];
  cp__be32(kb, lr->logno);
  MDB_val key = {4, kb}, val = {LOGREC_FIXED + (size_t)k * CP_HASH_BYTES, buf};
  int rc = mdb_put(tx->txn, tx->s->logs, &key, &val, 0);
  if (rc != 0) return cp__err_mdb(rc, NULL, "log record");
  return CP_OK;
}

static int logrec_decode(uint32_t logno, const MDB_val *v, cp__logrec *lr) {
  const uint8_t *p = v->mv_data;
  if (v->mv_size < LOGREC_FIXED) return CP_ECORRUPT;
  memset(lr, 0, sizeof *lr);
  lr->logno = logno;
  memcpy(lr->log, p, 32);
  memcpy(lr->signer, p + 32, 32);
  memcpy(lr->head, p + 64, 32);
  lr->last_time = cp__rd64(p + 96);
  lr->flags = cp__rd32(p + 104);
  lr->run_first_seq = cp__rd64(p + 108);
  lr->run_rowid = cp__rd64(p + 116);
  lr->run_count = cp__rd64(p + 124);
  lr->fr.size = cp__rd64(p + 132);
  unsigned k = cp_merkle_frontier_count(&lr->fr);
  if (v->mv_size != LOGREC_FIXED + (size_t)k * CP_HASH_BYTES) return CP_ECORRUPT;
  memcpy(lr->fr.h, p + LOGREC_FIXED, (size_t)k * CP_HASH_BYTES);
  return CP_OK;
}

static int logno_of(cp__tx *tx, const uint8_t log[CP_PK_BYTES], uint32_t *logno) {
  MDB_val k = {CP_PK_BYTES, (void *)log}, v;
  int rc = mdb_get(tx->txn, tx->s->logkeys, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "log key");
  if (v.mv_size != 4) return CP_ECORRUPT;
  *logno = cp__rd32(v.mv_data);
  return CP_OK;
}

static int logrec_by_no(cp__tx *tx, uint32_t logno, cp__logrec *lr) {
  uint8_t kb[4];
  cp__be32(kb, logno);
  MDB_val k = {4, kb}, v;
  int rc = mdb_get(tx->txn, tx->s->logs, &k, &v);
  if (rc != 0) return rc == MDB_NOTFOUND ? CP_ECORRUPT : cp__err_mdb(rc, NULL, "log record");
  return logrec_decode(logno, &v, lr);
}

int cp__logrec_get(cp__tx *tx, const uint8_t log[CP_PK_BYTES], cp__logrec *lr) {
  uint32_t logno;
  int rc = logno_of(tx, log, &logno);
  if (rc != 0) return rc;
  rc = logrec_by_no(tx, logno, lr);
  if (rc == 0 && memcmp(lr->log, log, CP_PK_BYTES) != 0) rc = CP_ECORRUPT;
  return rc;
}

int cp__logno_next(cp__tx *tx, uint32_t *logno) {
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = mdb_cursor_open(tx->txn, tx->s->logs, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "logs");
  rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
  mdb_cursor_close(c);
  if (rc == MDB_NOTFOUND) {
    *logno = 0;
    return CP_OK;
  }
  if (rc != 0) return cp__err_mdb(rc, NULL, "logs");
  if (k.mv_size != 4) return CP_ECORRUPT;
  uint32_t last = cp__rd32(k.mv_data);
  if (last == UINT32_MAX) return CP_ETOOBIG;
  *logno = last + 1;
  return CP_OK;
}

/* ---- rows ---------------------------------------------------------------- */

int cp__row_by_id(cp__tx *tx, uint64_t rowid, const uint8_t **row, size_t *len) {
  uint8_t kb[8];
  cp__be64(kb, rowid);
  MDB_val k = {8, kb}, v;
  int rc = mdb_get(tx->txn, tx->s->entries, &k, &v);
  if (rc != 0) return rc == MDB_NOTFOUND ? CP_ECORRUPT : cp__err_mdb(rc, NULL, "entries");
  *row = v.mv_data;
  *len = v.mv_size;
  return CP_OK;
}

int cp__seek_at_or_before(MDB_cursor *c, MDB_val *k, MDB_val *v) {
  MDB_val want = *k;
  int rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
  if (rc == 0 && (k->mv_size != want.mv_size || memcmp(k->mv_data, want.mv_data, want.mv_size) != 0))
    rc = mdb_cursor_get(c, k, v, MDB_PREV);
  else if (rc == MDB_NOTFOUND)
    rc = mdb_cursor_get(c, k, v, MDB_LAST);
  return rc;
}

int cp__row(cp__tx *tx, uint32_t logno, uint64_t seq, uint64_t *rowid, const uint8_t **row,
            size_t *len) {
  uint8_t kb[12];
  cp__be32(kb, logno);
  cp__be64(kb + 4, seq);
  MDB_val k = {12, kb}, v;
  int rc;
  if (tx->runs == NULL && (rc = mdb_cursor_open(tx->txn, tx->s->runs, &tx->runs)) != 0)
    return cp__err_mdb(rc, NULL, "runs");
  rc = cp__seek_at_or_before(tx->runs, &k, &v);
  if (rc != 0) return rc == MDB_NOTFOUND ? CP_ENOTFOUND : cp__err_mdb(rc, NULL, "runs");
  if (k.mv_size != 12 || v.mv_size != 16) return CP_ECORRUPT;
  if (cp__rd32(k.mv_data) != logno) return CP_ENOTFOUND;
  uint64_t first = cp__rd64((const uint8_t *)k.mv_data + 4);
  uint64_t start = cp__rd64(v.mv_data), count = cp__rd64((const uint8_t *)v.mv_data + 8);
  if (seq < first || seq - first >= count) return CP_ENOTFOUND;
  *rowid = start + (seq - first);
  return cp__row_by_id(tx, *rowid, row, len);
}

int cp__row_split(const uint8_t *row, size_t len, unsigned *nhash, const uint8_t **hashes,
                  const uint8_t **entry, size_t *elen) {
  if (len < 1) return CP_ECORRUPT;
  unsigned n = row[0];
  if (n >= CP_MERKLE_MAX_LEVELS || len < 1 + (size_t)n * CP_HASH_BYTES + CP_ENTRY_MIN_BYTES)
    return CP_ECORRUPT;
  *nhash = n;
  *hashes = row + 1;
  *entry = row + 1 + (size_t)n * CP_HASH_BYTES;
  *elen = len - 1 - (size_t)n * CP_HASH_BYTES;
  return CP_OK;
}

int cp__entry_of_rowid(cp__tx *tx, uint64_t rowid, const uint8_t **buf, size_t *len) {
  const uint8_t *row, *hashes;
  size_t rlen;
  unsigned n;
  int rc = cp__row_by_id(tx, rowid, &row, &rlen);
  if (rc == 0) rc = cp__row_split(row, rlen, &n, &hashes, buf, len);
  return rc;
}

int cp__entry_at(cp__tx *tx, uint32_t logno, uint64_t seq, const uint8_t **buf, size_t *len) {
  const uint8_t *row, *hashes;
  size_t rlen;
  uint64_t rowid;
  unsigned n;
  int rc = cp__row(tx, logno, seq, &rowid, &row, &rlen);
  if (rc == 0) rc = cp__row_split(row, rlen, &n, &hashes, buf, len);
  return rc;
}

int cp__genesis(cp__tx *tx, uint32_t logno, cp_entry *g) {
  const uint8_t *buf;
  size_t len;
  int rc = cp__entry_at(tx, logno, 0, &buf, &len);
  if (rc == 0) rc = cp_entry_decode(buf, len, g, NULL);
  if (rc == 0 && g->type != CP_T_AUTHORITY) rc = CP_ECORRUPT;
  return rc == CP_ENOTFOUND ? CP_ECORRUPT : rc;
}

int cp__merkle_get(void *ctx, unsigned level, uint64_t index, uint8_t out[CP_HASH_BYTES]) {
  cp__mctx *m = ctx;
  if (level >= 63 || index > (UINT64_MAX >> (level + 1))) return CP_EINVAL;
  uint64_t seq = ((index + 1) << level) - 1;
  uint64_t rowid;
  const uint8_t *row, *hashes, *entry;
  size_t len, elen;
  unsigned n;
  int rc = cp__row(m->tx, m->logno, seq, &rowid, &row, &len);
  if (rc == 0) rc = cp__row_split(row, len, &n, &hashes, &entry, &elen);
  if (rc != 0) return rc == CP_ENOTFOUND ? CP_ECORRUPT : rc;
  if (level == 0) {
    cp_merkle_leaf_hash(entry, elen, out);
    return CP_OK;
  }
  if (n < level) return CP_ECORRUPT;
  memcpy(out, hashes + (size_t)(level - 1) * CP_HASH_BYTES, CP_HASH_BYTES);
  return CP_OK;
}

/* ---- readers ------------------------------------------------------------- */

int cp_reader_begin(cp_store *s, cp_reader **out) {
  cp_reader *r = calloc(1, sizeof *r);
  if (r == NULL) return CP_ENOMEM;
  int rc = cp__tx_begin(s, 0, &r->tx, NULL);
  if (rc != 0) {
    free(r);
    return rc;
  }
  *out = r;
  return CP_OK;
}

void cp_reader_end(cp_reader *r) {
  if (r == NULL) return;
  cp__tx_abort(&r->tx);
  free(r);
}

int cp_reader_self(cp_reader *r, uint8_t log[CP_PK_BYTES]) { return cp__self_log(&r->tx, log); }

static int log_info(cp__tx *tx, const cp__logrec *lr, cp_log_info *out) {
  memset(out, 0, sizeof *out);
  memcpy(out->log, lr->log, CP_PK_BYTES);
  memcpy(out->signer, lr->signer, CP_PK_BYTES);
  memcpy(out->head, lr->head, CP_HASH_BYTES);
  out->size = lr->fr.size;
  out->last_time = lr->last_time;
  out->flags = lr->flags;
  cp_merkle_frontier_root(&lr->fr, out->root);
  if (lr->fr.size == 0) return CP_OK;
  cp_entry e;
  int rc = cp__genesis(tx, lr->logno, &e);
  if (rc != 0) return rc;
  out->name = e.u.authority.name;
  out->jurisdiction = e.u.authority.jurisdiction;
  out->origin = e.u.authority.origin;
  out->role = e.u.authority.role;
  return CP_OK;
}

int cp_reader_log(cp_reader *r, const uint8_t log[CP_PK_BYTES], cp_log_info *out) {
  cp__logrec lr;
  int rc = cp__logrec_get(&r->tx, log, &lr);
  if (rc != 0) return rc;
  return log_info(&r->tx, &lr, out);
}

int cp_reader_each_log(cp_reader *r, int (*fn)(void *ctx, const cp_log_info *li), void *ctx) {
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = mdb_cursor_open(r->tx.txn, r->tx.s->logkeys, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "logkeys");
  for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    cp__logrec lr;
    cp_log_info li;
    int e = k.mv_size == CP_PK_BYTES ? cp__logrec_get(&r->tx, k.mv_data, &lr) : CP_ECORRUPT;
    if (e == 0) e = log_info(&r->tx, &lr, &li);
    if (e == 0) e = fn(ctx, &li);
    if (e != 0) {
      mdb_cursor_close(c);
      return e;
    }
  }
  mdb_cursor_close(c);
  return rc == MDB_NOTFOUND ? CP_OK : cp__err_mdb(rc, NULL, "logkeys");
}

int cp_reader_entry(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t seq,
                    const uint8_t **buf, size_t *len) {
  uint32_t logno;
  int rc = logno_of(&r->tx, log, &logno);
  if (rc == 0) rc = cp__entry_at(&r->tx, logno, seq, buf, len);
  return rc;
}

int cp_reader_entry_by_id(cp_reader *r, const uint8_t id[CP_HASH_BYTES], const uint8_t **buf,
                          size_t *len) {
  uint64_t rowid;
  int rc = cp__id_row(&r->tx, id, &rowid);
  return rc != 0 ? rc : cp__entry_of_rowid(&r->tx, rowid, buf, len);
}

static int log_for_proof(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                         cp__logrec *lr) {
  int rc = cp__logrec_get(&r->tx, log, lr);
  if (rc != 0) return rc;
  if (size > lr->fr.size) return CP_EINVAL;
  return CP_OK;
}

int cp__root_at(cp__tx *tx, const cp__logrec *lr, uint64_t size, uint8_t root[CP_HASH_BYTES]) {
  if (size == lr->fr.size) {
    cp_merkle_frontier_root(&lr->fr, root);
    return CP_OK;
  }
  cp__mctx m = {tx, lr->logno};
  return cp_merkle_root(cp__merkle_get, &m, size, root);
}

int cp_reader_root(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t size,
                   uint8_t root[CP_HASH_BYTES]) {
  cp__logrec lr;
  int rc = log_for_proof(r, log, size, &lr);
  return rc != 0 ? rc : cp__root_at(&r->tx, &lr, size, root);
}

int cp_reader_inclusion(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t index,
                        uint64_t size, uint8_t path[][CP_HASH_BYTES], size_t *n) {
  cp__logrec lr;
  int rc = log_for_proof(r, log, size, &lr);
  if (rc != 0) return rc;
  if (index >= size) return CP_EINVAL;
  cp__mctx m = {&r->tx, lr.logno};
  return cp_merkle_inclusion_proof(cp__merkle_get, &m, index, size, path, n);
}

int cp_reader_consistency(cp_reader *r, const uint8_t log[CP_PK_BYTES], uint64_t old_size,
                          uint64_t new_size, uint8_t path[][CP_HASH_BYTES], size_t *n) {
  cp__logrec lr;
  int rc = log_for_proof(r, log, new_size, &lr);
  if (rc != 0) return rc;
  if (old_size > new_size) return CP_EINVAL;
  cp__mctx m = {&r->tx, lr.logno};
  return cp_merkle_consistency_proof(cp__merkle_get, &m, old_size, new_size, path, n);
}
