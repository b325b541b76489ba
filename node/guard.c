/*
 * credport — the own-head guard: never sign a second entry at a seq the
 * own log already used.
 *
 * The guard is a file beside the LMDB environment (own-head), so that a
 * ledger replaced by an older copy cannot replace it too. It holds one line:
 *
 *   "<size> <hex head>\n"   the own log's size and head after the last local
 *                           commit (or confirmed sync): appending is allowed
 *                           while the ledger holds at least that size, with
 *                           the same head when the sizes are equal;
 *   "sync <size>\n"         the ledger came from a backup: at least <size>
 *                           entries were committed, perhaps more that only
 *                           partners hold now. Nothing is appended until a
 *                           sync with a partner is confirmed, or the operator
 *                           states that no partner holds more.
 *
 * A missing file while the own log holds entries means the ledger was
 * copied without it (mdb_copy): treated as "sync 0". The file is replaced
 * atomically (write, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "credport/codec.h"
#include "store_internal.h"

#define SYNC_FIRST                                                                            \
  "sync with a partner first (credport sync ADDR:PORT [PUBKEY]) to get back any entries "    \
  "of its own log committed after the backup; if no partner ever held this log, run "      \
  "credport own-head --no-partners"

enum { G_NONE, G_HEAD, G_SYNC };

typedef struct {
  int state;
  uint64_t size;
  uint8_t head[CP_HASH_BYTES];
} guard;

/* Reads the guard file at path. A missing file is G_NONE; an unreadable or
 * malformed one is CP_ECORRUPT (never read as "no guard"). */
static int guard_read(const char *path, guard *g, cp_diag *d) {
  char buf[160];
  memset(g, 0, sizeof *g);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return CP_OK;
    return cp_diag_set(d, -errno, "cannot read the own-head record %s: %s", path,
                       strerror(errno));
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) return cp_diag_set(d, CP_ECORRUPT, "cannot read the own-head record %s", path);
  buf[n] = 0;
  unsigned long long size = 0;
  char hex[2 * CP_HASH_BYTES + 2];
  int used = 0;
  if (sscanf(buf, "sync %llu\n%n", &size, &used) == 1 && used == n) {
    g->state = G_SYNC;
  } else if (sscanf(buf, "%llu %65s\n%n", &size, hex, &used) == 2 && used == n &&
             strlen(hex) == 2 * CP_HASH_BYTES &&
             cp_hex_decode(hex, strlen(hex), g->head, CP_HASH_BYTES) == 0) {
    g->state = G_HEAD;
  } else {
    return cp_diag_set(d, CP_ECORRUPT,
                       "the own-head record %s is malformed: %s", path, SYNC_FIRST);
  }
  g->size = size;
  return CP_OK;
}

static int guard_write(const char *path, const guard *g, cp_diag *d) {
  char tmp[PATH_MAX + 8], hex[2 * CP_HASH_BYTES + 1], line[128];
  int n;
  if (g->state == G_SYNC) {
    n = snprintf(line, sizeof line, "sync %llu\n", (unsigned long long)g->size);
  } else {
    cp_hex_encode(g->head, CP_HASH_BYTES, hex);
    n = snprintf(line, sizeof line, "%llu %s\n", (unsigned long long)g->size, hex);
  }
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return cp_diag_set(d, -errno, "cannot write %s: %s", tmp, strerror(errno));
  int err = 0;
  ssize_t w = write(fd, line, (size_t)n);
  if (w != n) err = w < 0 ? errno : ENOSPC;
  else if (fsync(fd) != 0) err = errno;
  close(fd);
  if (err == 0 && rename(tmp, path) != 0) err = errno;
  if (err != 0) {
    unlink(tmp);
    return cp_diag_set(d, err == ENOSPC ? CP_ENOSPC : -err, "cannot write the own-head record %s: %s",
                       path, strerror(err));
  }
  return CP_OK;
}

int cp__ownhead_check(const cp_store *s, uint64_t size, const uint8_t head[CP_HASH_BYTES],
                      cp_diag *d) {
  guard g;
  int rc = guard_read(s->headfile, &g, d);
  if (rc != 0) return rc;
  if (g.state == G_NONE && size == 0) return CP_OK;
  if (g.state == G_NONE)
    return cp_diag_set(d, CP_EBEHIND,
                       "the own-head record (%s) is missing while this ledger holds %llu entries "
                       "of its own log: it was restored or copied without it; %s",
                       s->headfile, (unsigned long long)size, SYNC_FIRST);
  if (g.state == G_SYNC)
    return cp_diag_set(d, CP_EBEHIND,
                       "this ledger was restored from a backup (at least %llu entries of its own "
                       "log were committed) and has not synced with a partner since: %s",
                       (unsigned long long)g.size, SYNC_FIRST);
  if (g.size > size)
    return cp_diag_set(d, CP_EBEHIND,
                       "this ledger holds %llu entries of its own log but %llu were committed "
                       "before (restored from an older backup?): appending now would fork the "
                       "log; %s",
                       (unsigned long long)size, (unsigned long long)g.size, SYNC_FIRST);
  if (g.size == size && memcmp(g.head, head, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_EBEHIND,
                       "the own log's head in this ledger is not the one last committed here "
                       "(the ledger was replaced by another copy?): %s", SYNC_FIRST);
  return CP_OK;
}

void cp__ownhead_write(const cp_store *s, uint64_t size, const uint8_t head[CP_HASH_BYTES]) {
  guard g = {G_HEAD, size, {0}};
  memcpy(g.head, head, CP_HASH_BYTES);
  (void)guard_write(s->headfile, &g, NULL);
}

/* The own log's size and head from a read transaction. */
static int own_state(cp_store *s, uint64_t *size, uint8_t head[CP_HASH_BYTES], cp_diag *d) {
  cp__tx tx;
  cp__logrec lr;
  uint8_t self[CP_PK_BYTES];
  int rc = cp__tx_begin(s, 0, &tx, d);
  if (rc != 0) return rc;
  rc = cp__self_log(&tx, self);
  if (rc == 0) rc = cp__logrec_get(&tx, self, &lr);
  cp__tx_abort(&tx);
  if (rc == CP_ENOTFOUND) return cp_diag_set(d, rc, "this ledger has no authority of its own");
  if (rc != 0) return cp_diag_set(d, rc, "cannot read the own log: %s", cp_strerror(rc));
  *size = lr.fr.size;
  memcpy(head, lr.head, CP_HASH_BYTES);
  return CP_OK;
}

int cp_store_guard_confirm(cp_store *s, int no_partners, cp_store_guard *out, cp_diag *d) {
  guard g, now = {G_HEAD, 0, {0}};
  int rc = guard_read(s->headfile, &g, d);
  if (rc == CP_ECORRUPT && no_partners) { /* the operator's word replaces a damaged record */
    memset(&g, 0, sizeof g);
    rc = CP_OK;
  }
  if (rc == 0) rc = own_state(s, &now.size, now.head, d);
  if (rc != 0) return rc;
  if (out != NULL) {
    out->was_confirmed = cp__ownhead_check(s, now.size, now.head, NULL) == 0;
    out->size = now.size;
    out->committed = g.size;
  }
  if (!no_partners && g.size > now.size)
    return cp_diag_set(d, CP_EBEHIND,
                       "this ledger holds %llu entries of its own log but at least %llu were "
                       "committed: the partner did not have them all; sync with a partner that "
                       "holds them", (unsigned long long)now.size, (unsigned long long)g.size);
  return guard_write(s->headfile, &now, d);
}

int cp_store_guard_get(cp_store *s, cp_store_guard *out, cp_diag *d) {
  guard g;
  uint8_t head[CP_HASH_BYTES];
  memset(out, 0, sizeof *out);
  int rc = own_state(s, &out->size, head, d);
  if (rc == 0) rc = cp__ownhead_check(s, out->size, head, d);
  if (rc == 0) out->was_confirmed = 1;
  if (rc == CP_EBEHIND) rc = CP_OK;
  if (guard_read(s->headfile, &g, NULL) == 0) out->committed = g.size;
  return rc;
}

int cp_store_backup(cp_store *s, const char *dir, uint64_t *own_size, cp_diag *d) {
  guard g, out = {G_SYNC, 0, {0}};
  uint8_t head[CP_HASH_BYTES];
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/own-head", dir) >= sizeof path)
    return cp_diag_set(d, CP_EINVAL, "backup folder path too long");
  /* One read transaction, compacted: a consistent snapshot while writers
   * go on. */
  int rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
  if (rc != 0) return cp__err_mdb(rc, d, "ledger snapshot");
  /* Read after the snapshot: every count below is at least the snapshot's,
   * so the restored node waits for everything committed until now. */
  rc = guard_read(s->headfile, &g, d);
  if (rc == 0) rc = own_state(s, &out.size, head, d);
  if (rc != 0) return rc;
  if (g.size > out.size) out.size = g.size;
  if (own_size != NULL) *own_size = out.size;
  return guard_write(path, &out, d);
}

int cp_store_guard_restored(cp_store *s, cp_diag *d) {
  guard g, out = {G_SYNC, 0, {0}};
  uint8_t head[CP_HASH_BYTES];
  int rc = guard_read(s->headfile, &g, NULL);
  if (rc != 0) g.size = 0; /* a damaged record is replaced by the safe state */
  rc = own_state(s, &out.size, head, d);
  if (rc != 0) return rc;
  if (g.size > out.size) out.size = g.size;
  return guard_write(s->headfile, &out, d);
}
