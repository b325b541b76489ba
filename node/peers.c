/*
 * credport — partner records.
 *
 * Peer record (value of the peers database, big-endian):
 *   off  size  field
 *   0    1     addr length A (<= CP_ADDR_MAX - 1)
 *   1    A     addr
 *   1+A  48    last_sync, bytes_in, bytes_out, entries_in, entries_out, last_seen (u64 each)
 *   49+A 1     error length E (< 160)
 *   50+A E     last error text
 *   50+A+E 40  optional: the partner's clock observation (cp_clock_obs):
 *              peer_ms, local_ms, boot_ms (u64 each), boot ID (16)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "credport/codec.h"
#include "store_internal.h"

#define PEER_CLOCK_BYTES 40U

static size_t peer_encode(const cp_peer_info *p, uint8_t *out) {
  size_t a = strnlen(p->addr, CP_ADDR_MAX - 1), e = strnlen(p->last_error, sizeof p->last_error - 1);
  size_t o = 0;
  out[o++] = (uint8_t)a;
  memcpy(out + o, p->addr, a);
  o += a;
  const uint64_t v[6] = {p->last_sync, p->bytes_in, p->bytes_out, p->entries_in, p->entries_out,
                         p->last_seen};
  for (int i = 0; i < 6; i++, o += 8) cp__be64(out + o, v[i]);
  out[o++] = (uint8_t)e;
  memcpy(out + o, p->last_error, e);
  o += e;
  if (p->clock.peer_ms != 0) {
    cp__be64(out + o, p->clock.peer_ms);
    cp__be64(out + o + 8, p->clock.local_ms);
    cp__be64(out + o + 16, p->clock.boot_ms);
    memcpy(out + o + 24, p->clock.boot, 16);
    o += PEER_CLOCK_BYTES;
  }
  return o;
}

static int peer_decode(const uint8_t key[CP_PK_BYTES], const MDB_val *v, cp_peer_info *p) {
  const uint8_t *b = v->mv_data;
  size_t n = v->mv_size;
  memset(p, 0, sizeof *p);
  memcpy(p->key, key, CP_PK_BYTES);
  if (n < 1 || b[0] >= CP_ADDR_MAX || n < 1u + b[0] + 49u) return CP_ECORRUPT;
  size_t a = b[0], o = 1;
  memcpy(p->addr, b + o, a);
  o += a;
  uint64_t *dst[6] = {&p->last_sync, &p->bytes_in, &p->bytes_out, &p->entries_in,
                      &p->entries_out, &p->last_seen};
  for (int i = 0; i < 6; i++, o += 8) *dst[i] = cp__rd64(b + o);
  size_t e = b[o++];
  if (e >= sizeof p->last_error || (o + e != n && o + e + PEER_CLOCK_BYTES != n))
    return CP_ECORRUPT;
  memcpy(p->last_error, b + o, e);
  o += e;
  if (o < n) {
    p->clock.peer_ms = cp__rd64(b + o);
    p->clock.local_ms = cp__rd64(b + o + 8);
    p->clock.boot_ms = cp__rd64(b + o + 16);
    memcpy(p->clock.boot, b + o + 24, 16);
    if (p->clock.peer_ms == 0) return CP_ECORRUPT;
  }
  return CP_OK;
}

int cp_store_peer_put(cp_store *s, const cp_peer_info *p, int keep_stats, cp_diag *d) {
  cp__tx tx;
  cp_peer_info cur = *p;
  uint8_t buf[1 + CP_ADDR_MAX + 48 + 1 + 160 + PEER_CLOCK_BYTES];
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  MDB_val k = {CP_PK_BYTES, (void *)p->key}, v;
  cp_peer_info old;
  if (mdb_get(tx.txn, s->peers, &k, &v) == 0 && peer_decode(p->key, &v, &old) == 0) {
    if (cur.clock.peer_ms == 0) cur.clock = old.clock;
    if (keep_stats) {
      memcpy(cur.addr, p->addr, sizeof cur.addr);
      cur.last_sync = old.last_sync;
      cur.bytes_in = old.bytes_in;
      cur.bytes_out = old.bytes_out;
      cur.entries_in = old.entries_in;
      cur.entries_out = old.entries_out;
      cur.last_seen = old.last_seen;
      memcpy(cur.last_error, old.last_error, sizeof cur.last_error);
    }
  }
  v.mv_size = peer_encode(&cur, buf);
  v.mv_data = buf;
  rc = mdb_put(tx.txn, s->peers, &k, &v, 0);
  if (rc != 0) {
    cp__tx_abort(&tx);
    return cp__err_mdb(rc, d, "peers");
  }
  return cp__tx_commit(&tx, d);
}

int cp_store_peer_del(cp_store *s, const uint8_t key[CP_PK_BYTES], cp_diag *d) {
  cp__tx tx;
  int rc = cp__tx_begin(s, 1, &tx, d);
  if (rc != 0) return rc;
  MDB_val k = {CP_PK_BYTES, (void *)key};
  rc = mdb_del(tx.txn, s->peers, &k, NULL);
  if (rc != 0) {
    cp__tx_abort(&tx);
    return rc == MDB_NOTFOUND ? cp_diag_set(d, CP_ENOTFOUND, "no such partner")
                              : cp__err_mdb(rc, d, "peers");
  }
  return cp__tx_commit(&tx, d);
}

int cp_reader_peer(cp_reader *r, const uint8_t key[CP_PK_BYTES], cp_peer_info *out) {
  MDB_val k = {CP_PK_BYTES, (void *)key}, v;
  int rc = mdb_get(r->tx.txn, r->tx.s->peers, &k, &v);
  if (rc != 0) return cp__err_mdb(rc, NULL, "peers");
  return peer_decode(key, &v, out);
}

int cp_reader_each_peer(cp_reader *r, int (*fn)(void *ctx, const cp_peer_info *p), void *ctx) {
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = mdb_cursor_open(r->tx.txn, r->tx.s->peers, &c);
  if (rc != 0) return cp__err_mdb(rc, NULL, "peers");
  for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    cp_peer_info p;
    int e = k.mv_size == CP_PK_BYTES ? peer_decode(k.mv_data, &v, &p) : CP_ECORRUPT;
    if (e == 0) e = fn(ctx, &p);
    if (e != 0) {
      mdb_cursor_close(c);
      return e;
    }
  }
  mdb_cursor_close(c);
  return rc == MDB_NOTFOUND ? CP_OK : cp__err_mdb(rc, NULL, "peers");
}
