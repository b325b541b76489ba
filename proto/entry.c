/*
 * credport — canonical entry encoding and strict decoding.
 *
 * The byte layout is docs/FORMATS.md, section "Entry encoding". Each body's
 * layout is written exactly once, as a field table (proto/entry_layout.c); the
 * encoder and the decoder both walk that table and call the same check
 * functions, so an entry is encodable if and only if it is decodable, and
 * decode(encode(e)) == e, encode(decode(b)) == b.
 *
 * Header (fixed, 82 bytes; all integers big-endian):
 *   off  size  field
 *   0    1     entry.version    1 or 2, with a body for type  SPEC: E-hdr-1
 *   1    1     entry.type       1..11                         SPEC: E-hdr-2
 *   2    32    entry.log
 *   34   8     entry.seq        0 iff type = authority        SPEC: E-hdr-3
 *   42   32    entry.prev       all zero when seq = 0         SPEC: E-hdr-4
 *   74   8     entry.time       any value
 *   82   ...   body (table below), runs to len - 64
 *   n-64 64    entry.signature
 *
 * The decoder allocates nothing and reads each byte once (strings are
 * scanned once for UTF-8 after their bounds are known).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/text.h"
#include "entry_internal.h"
#include "text.h"

#define OFF_VERSION 0U
#define OFF_TYPE 1U
#define OFF_LOG 2U
#define OFF_SEQ 34U
#define OFF_PREV 42U
#define OFF_TIME 74U

/* Every CP_ECORRUPT a decoder returns goes through here: set a breakpoint
 * on cp__enc_corrupt to stop where a decoder gives up. */
__attribute__((noinline)) int cp__enc_corrupt(int line);
__attribute__((noinline)) int cp__enc_corrupt(int line) {
  (void)line;
  return CP_ECORRUPT;
}
#define CP_CORRUPT_BKPT cp__enc_corrupt(__LINE__)

/* Formats "field[idx]sub at byte N: why" into d. idx < 0 means no index. */
static int fail(cp_diag *d, int err, const char *field, int idx, const char *sub, size_t at,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int fail(cp_diag *d, int err, const char *field, int idx, const char *sub, size_t at,
                const char *fmt, ...) {
  if (d == NULL) return err;
  char why[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  if (idx >= 0)
    return cp_diag_set(d, err, "%s[%d]%s at byte %zu: %s", field, idx, sub, at, why);
  return cp_diag_set(d, err, "%s%s at byte %zu: %s", field, sub, at, why);
}

/* ---- checks shared by the encoder and the decoder ------------------------ */

/* SPEC: E-str-1..3. Length limit (CP_ETOOBIG), emptiness, then content. */
static int chk_len(const char *name, int idx, const char *sub, size_t at, size_t n,
                   unsigned rule, cp_diag *d) {
  if (n <= cp__str_limit[rule]) return CP_OK;
  return fail(d, CP_ETOOBIG, name, idx, sub, at, "length %zu over the limit of %u", n,
              (unsigned)cp__str_limit[rule]);
}

static int chk_str(const char *name, int idx, const char *sub, size_t at, cp_str s,
                   unsigned rule, int nonempty, cp_diag *d) {
  const uint8_t *p = (const uint8_t *)s.p;
  size_t n = s.len;
  int rc = chk_len(name, idx, sub, at, n, rule, d);
  if (rc != CP_OK) return rc;
  if (n == 0) {
    if (nonempty) return fail(d, CP_CORRUPT_BKPT, name, idx, sub, at, "must not be empty");
    return CP_OK;
  }
  if (p == NULL) return fail(d, CP_EINVAL, name, idx, sub, at, "NULL string of length %zu", n);
  size_t bad = 0;
  const char *why = cp__enc_text_check(p, n, cp__str_class[rule], &bad);
  if (why != NULL)
    return fail(d, CP_CORRUPT_BKPT, name, idx, sub, at, "%s (string byte %zu)", why, bad);
  return CP_OK;
}

static uint32_t get_u32(const cp_entry *e, uint16_t off) {
  uint32_t v;
  memcpy(&v, (const uint8_t *)e + off, sizeof v);
  return v;
}

static int is_zero32(const uint8_t *h) {
  uint8_t acc = 0;
  for (unsigned i = 0; i < 32; i++) acc |= h[i];
  return acc == 0;
}

/* Numeric fields (K_U8, K_FLAGS, K_U32, K_DATE). e holds the fields before f. */
static int chk_num(const fld *f, size_t at, const cp_entry *e, uint32_t v, cp_diag *d) {
  switch (f->kind) {
  case K_FLAGS:
    if (v & ~f->hi)
      return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at, "reserved bits set in 0x%02x", v);
    return CP_OK;
  case K_DATE:
    if (v > DATE_MAX)
      return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at, "date %u is after 9999-12-31", v);
    if (f->lo == 1 && v != 0 && v < get_u32(e, f->aux))
      return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at,
                  "date %u is before the date %u it follows (0 means none)", v,
                  get_u32(e, f->aux));
    return CP_OK;
  default:
    if (v < f->lo || v > f->hi)
      return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at, "%u is outside %u..%u", v,
                  (unsigned)f->lo, (unsigned)f->hi);
    return CP_OK;
  }
}

/* SPEC: E-key-1. A rotation names a key; a retirement names none. */
static int chk_new_key(const fld *f, size_t at, const cp_entry *e, const uint8_t *h, cp_diag *d) {
  int retire = ((const uint8_t *)e)[f->aux] == CP_KEY_RETIRE;
  if (retire != is_zero32(h))
    return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at,
                retire ? "must be all zero for a retirement"
                       : "must not be all zero for a rotation");
  return CP_OK;
}

static int chk_count(const fld *f, size_t at, uint32_t n, cp_diag *d) {
  if (n > f->hi)
    return fail(d, CP_ETOOBIG, f->name, -1, "", at, "%u items, over the limit of %u", n,
                (unsigned)f->hi);
  if (n < f->lo) return fail(d, CP_CORRUPT_BKPT, f->name, -1, "", at, "must not be empty");
  return CP_OK;
}

/* SPEC: E-rec-1. Strictly ascending bytewise (a proper prefix sorts first):
 * one canonical order, and no currency twice. */
static int chk_order(const fld *f, int idx, size_t at, cp_str prev, cp_str cur, cp_diag *d) {
  size_t m = prev.len < cur.len ? prev.len : cur.len;
  int c = m ? memcmp(prev.p, cur.p, m) : 0;
  if (c < 0 || (c == 0 && prev.len < cur.len)) return CP_OK;
  return fail(d, CP_CORRUPT_BKPT, f->name, idx, ".currency", at,
              c == 0 && prev.len == cur.len ? "duplicate currency"
                                            : "currencies not in ascending byte order");
}

static int chk_version(unsigned v, cp_diag *d) {
  if (v != CP_ENTRY_VERSION && v != CP_ENTRY_VERSION_2)
    return fail(d, CP_EVERSION, "entry.version", -1, "", OFF_VERSION,
                "unknown version %u (this build reads %u and %u)", v, CP_ENTRY_VERSION,
                CP_ENTRY_VERSION_2);
  return CP_OK;
}

/* SPEC: E-rec-2. Fact points: logs strictly ascending, sizes >= 1. p is
 * record i, prev record i-1 (NULL for the first). */
static int chk_fact(const fld *f, int idx, size_t at, const uint8_t *prev, const uint8_t *p,
                    cp_diag *d) {
  uint64_t size = 0;
  for (unsigned k = 0; k < 8; k++) size = size << 8 | p[CP_PK_BYTES + k];
  if (size == 0) return fail(d, CP_CORRUPT_BKPT, f->name, idx, ".size", at + 32, "must be >= 1");
  if (prev != NULL) {
    int c = memcmp(prev, p, CP_PK_BYTES);
    if (c >= 0)
      return fail(d, CP_CORRUPT_BKPT, f->name, idx, ".log", at,
                  c == 0 ? "duplicate log" : "logs not in ascending byte order");
  }
  return CP_OK;
}

/* SPEC: E-hdr-2, and E-hdr-1's one body per (version, type). */
static int chk_type(unsigned v, unsigned t, cp_diag *d) {
  if (t < 1 || t > CP__ENTRY_TYPE_MAX)
    return fail(d, CP_CORRUPT_BKPT, "entry.type", -1, "", OFF_TYPE, "unknown type %u", t);
  if (cp__entry_body(v, t) == NULL)
    return fail(d, CP_CORRUPT_BKPT, "entry.type", -1, "", OFF_TYPE,
                "type %s has no version %u encoding (it is written as version %u)",
                cp__entry_body_name(t), v, cp_entry_version_for(t));
  return CP_OK;
}

/* SPEC: E-hdr-3, E-hdr-4. */
static int chk_genesis(const cp_entry *e, cp_diag *d) {
  if (e->seq == 0 && e->type != CP_T_AUTHORITY)
    return fail(d, CP_CORRUPT_BKPT, "entry.type", -1, "", OFF_TYPE,
                "type %s cannot be at seq 0 (seq 0 is the authority entry)",
                cp__entry_body_name(e->type));
  if (e->seq != 0 && e->type == CP_T_AUTHORITY)
    return fail(d, CP_CORRUPT_BKPT, "entry.seq", -1, "", OFF_SEQ,
                "an authority entry must be at seq 0, not %llu", (unsigned long long)e->seq);
  if (e->seq == 0 && !is_zero32(e->prev))
    return fail(d, CP_CORRUPT_BKPT, "entry.prev", -1, "", OFF_PREV, "must be all zero at seq 0");
  return CP_OK;
}

/* ---- decoder -------------------------------------------------------------- */

typedef struct cp_rd {
  const uint8_t *p, *end;
  const uint8_t *base; /* start of the entry, for offsets in messages */
} cp_rd;

#define AT(r) ((size_t)((r)->p - (r)->base))

static int short_at(cp_diag *d, const char *name, int idx, const char *sub, size_t at) {
  return fail(d, CP_CORRUPT_BKPT, name, idx, sub, at, "truncated");
}

static uint64_t rd_be(cp_rd *r, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v = v << 8 | r->p[i];
  r->p += n;
  return v;
}

/* SPEC: E-var-1. Unsigned LEB128, 1..5 bytes, minimal, value < 2^32. */
static int rd_var(cp_rd *r, uint32_t *v, const char *name, int idx, const char *sub,
                  cp_diag *d) {
  size_t at = AT(r);
  uint32_t x = 0;
  for (unsigned i = 0;; i++) {
    if (r->p == r->end) return short_at(d, name, idx, sub, at);
    uint8_t b = *r->p++;
    if (i == 4 && b > 0x0F)
      return fail(d, CP_CORRUPT_BKPT, name, idx, sub, at,
                  (b & 0x80) ? "var longer than 5 bytes" : "var over 2^32-1");
    x |= (uint32_t)(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0)
        return fail(d, CP_CORRUPT_BKPT, name, idx, sub, at, "non-minimal var");
      *v = x;
      return CP_OK;
    }
  }
}

static int rd_str(cp_rd *r, cp_str *s, const char *name, int idx, const char *sub,
                  unsigned rule, int nonempty, cp_diag *d) {
  size_t at = AT(r);
  uint32_t n;
  int rc = rd_var(r, &n, name, idx, sub, d);
  if (rc != CP_OK) return rc;
  if ((rc = chk_len(name, idx, sub, at, n, rule, d)) != CP_OK) return rc;
  if ((size_t)(r->end - r->p) < n) return short_at(d, name, idx, sub, at);
  s->p = (const char *)r->p;
  s->len = n;
  r->p += n;
  return chk_str(name, idx, sub, at, *s, rule, nonempty, d);
}

static int dec_field(cp_rd *r, cp_entry *e, const fld *f, cp_diag *d) {
  uint8_t *base = (uint8_t *)e;
  size_t at = AT(r), left = (size_t)(r->end - r->p);
  uint32_t v, n;
  int rc;
  switch (f->kind) {
  case K_U8:
  case K_FLAGS:
    if (left < 1) return short_at(d, f->name, -1, "", at);
    v = (uint32_t)rd_be(r, 1);
    if ((rc = chk_num(f, at, e, v, d)) != CP_OK) return rc;
    base[f->off] = (uint8_t)v;
    return CP_OK;
  case K_U32:
  case K_DATE:
    if (left < 4) return short_at(d, f->name, -1, "", at);
    v = (uint32_t)rd_be(r, 4);
    if ((rc = chk_num(f, at, e, v, d)) != CP_OK) return rc;
    memcpy(base + f->off, &v, sizeof v);
    return CP_OK;
  case K_H32_OPT:
    if ((base[f->aux] & f->lo) == 0) return CP_OK; /* absent: stays zero */
    /* fall through */
  case K_H32:
  case K_H32_KEY:
    if (left < 32) return short_at(d, f->name, -1, "", at);
    memcpy(base + f->off, r->p, 32);
    r->p += 32;
    return f->kind == K_H32_KEY ? chk_new_key(f, at, e, base + f->off, d) : CP_OK;
  case K_STR:
    return rd_str(r, (cp_str *)(void *)(base + f->off), f->name, -1, "", f->rule, f->nonempty, d);
  case K_LIST: {
    cp_str *items = (cp_str *)(void *)(base + f->off);
    if ((rc = rd_var(r, &n, f->name, -1, "", d)) != CP_OK) return rc;
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    for (uint32_t i = 0; i < n; i++)
      if ((rc = rd_str(r, &items[i], f->name, (int)i, "", f->rule, 1, d)) != CP_OK) return rc;
    memcpy(base + f->aux, &n, sizeof n);
    return CP_OK;
  }
  case K_FACTS: {
    if ((rc = rd_var(r, &n, f->name, -1, "", d)) != CP_OK) return rc;
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    const uint8_t *first = r->p;
    for (uint32_t i = 0; i < n; i++) {
      if ((size_t)(r->end - r->p) < CP_FACT_POINT_BYTES)
        return short_at(d, f->name, (int)i, "", AT(r));
      if ((rc = chk_fact(f, (int)i, AT(r), i ? r->p - CP_FACT_POINT_BYTES : NULL, r->p, d)) !=
          CP_OK)
        return rc;
      r->p += CP_FACT_POINT_BYTES;
    }
    memcpy(base + f->off, &first, sizeof first);
    memcpy(base + f->aux, &n, sizeof n);
    return CP_OK;
  }
  case K_TOTALS: {
    cp_total *t = (cp_total *)(void *)(base + f->off);
    if ((rc = rd_var(r, &n, f->name, -1, "", d)) != CP_OK) return rc;
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    for (uint32_t i = 0; i < n; i++) {
      size_t cat = AT(r);
      if ((rc = rd_str(r, &t[i].currency, f->name, (int)i, ".currency", f->rule, 1, d)) != CP_OK)
        return rc;
      if (i > 0 && (rc = chk_order(f, (int)i, cat, t[i - 1].currency, t[i].currency, d)) != CP_OK)
        return rc;
      if ((size_t)(r->end - r->p) < 8) return short_at(d, f->name, (int)i, ".amount", AT(r));
      uint64_t u = rd_be(r, 8); /* two's complement, converted without relying on
                                   implementation-defined unsigned-to-signed casts */
      t[i].amount = u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
    }
    memcpy(base + f->aux, &n, sizeof n);
    return CP_OK;
  }
  default:
    return CP_CORRUPT_BKPT;
  }
}

int cp_entry_decode(const uint8_t *buf, size_t len, cp_entry *e, cp_diag *d) {
  cp_rd r = {buf, buf + len, buf};
  int rc;
  memset(e, 0, sizeof *e);
  if (len > CP_ENTRY_MAX)
    return fail(d, CP_ETOOBIG, "entry", -1, "", 0, "%zu bytes, over the limit of %u", len,
                (unsigned)CP_ENTRY_MAX);
  /* The version comes first so that an entry of a later version is reported
   * as such, whatever its length. */
  if (len < 1) return short_at(d, "entry.version", -1, "", 0);
  e->version = buf[0];
  if ((rc = chk_version(e->version, d)) != CP_OK) return rc;
  if (len < 2) return short_at(d, "entry.type", -1, "", OFF_TYPE);
  e->type = buf[1];
  if ((rc = chk_type(e->version, e->type, d)) != CP_OK) return rc;
  r.p = buf + OFF_LOG;
  if (len < OFF_SEQ) return short_at(d, "entry.log", -1, "", OFF_LOG);
  memcpy(e->log, r.p, CP_PK_BYTES);
  r.p += CP_PK_BYTES;
  if (len < OFF_PREV) return short_at(d, "entry.seq", -1, "", OFF_SEQ);
  e->seq = rd_be(&r, 8);
  if (len < OFF_TIME) return short_at(d, "entry.prev", -1, "", OFF_PREV);
  memcpy(e->prev, r.p, CP_HASH_BYTES);
  r.p += CP_HASH_BYTES;
  if (len < CP_ENTRY_HEADER_BYTES) return short_at(d, "entry.time", -1, "", OFF_TIME);
  e->time = rd_be(&r, 8);
  if (len < CP_ENTRY_MIN_BYTES)
    return short_at(d, "entry.signature", -1, "", CP_ENTRY_HEADER_BYTES);
  if ((rc = chk_genesis(e, d)) != CP_OK) return rc;

  const body *b = cp__entry_body(e->version, e->type);
  r.end = buf + len - CP_SIG_BYTES;
  for (size_t i = 0; i < b->n; i++)
    if ((rc = dec_field(&r, e, &b->f[i], d)) != CP_OK) return rc;
  if (r.p != r.end)
    return fail(d, CP_CORRUPT_BKPT, b->name, -1, "", AT(&r),
                "%zu unexpected byte%s after the last field", (size_t)(r.end - r.p),
                r.end - r.p == 1 ? "" : "s");
  memcpy(e->sig, r.end, CP_SIG_BYTES);
  return CP_OK;
}

/* ---- encoder -------------------------------------------------------------- */

typedef struct cp_wr {
  uint8_t *p, *end, *base;
} cp_wr;

static int full(cp_diag *d, cp_wr *w, size_t cap) {
  return fail(d, CP_ETOOBIG, "entry", -1, "", (size_t)(w->p - w->base),
              "output buffer of %zu bytes is too small", cap);
}

/* Writes v big-endian in n bytes; 0 if it did not fit. */
static int wr_be(cp_wr *w, uint64_t v, unsigned n) {
  if ((size_t)(w->end - w->p) < n) return 0;
  for (unsigned i = 0; i < n; i++) w->p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
  w->p += n;
  return 1;
}

static int wr_bytes(cp_wr *w, const void *src, size_t n) {
  if ((size_t)(w->end - w->p) < n) return 0;
  if (n) memcpy(w->p, src, n);
  w->p += n;
  return 1;
}

static int wr_var(cp_wr *w, uint32_t v) {
  do {
    if (w->p == w->end) return 0;
    *w->p++ = (uint8_t)((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
    v >>= 7;
  } while (v != 0);
  return 1;
}

static int wr_str(cp_wr *w, cp_str s) {
  return wr_var(w, (uint32_t)s.len) && wr_bytes(w, s.p, s.len);
}

/* Returns 0, an error from a check, or 1 if the output buffer is full. */
static int enc_field(cp_wr *w, const cp_entry *e, const fld *f, cp_diag *d) {
  const uint8_t *base = (const uint8_t *)e;
  size_t at = (size_t)(w->p - w->base);
  uint32_t v, n;
  int rc;
  switch (f->kind) {
  case K_U8:
  case K_FLAGS:
    v = base[f->off];
    if ((rc = chk_num(f, at, e, v, d)) != CP_OK) return rc;
    return wr_be(w, v, 1) ? CP_OK : 1;
  case K_U32:
  case K_DATE:
    v = get_u32(e, f->off);
    if ((rc = chk_num(f, at, e, v, d)) != CP_OK) return rc;
    return wr_be(w, v, 4) ? CP_OK : 1;
  case K_H32_OPT:
    if ((base[f->aux] & f->lo) == 0) return CP_OK;
    /* fall through */
  case K_H32:
  case K_H32_KEY:
    if (f->kind == K_H32_KEY && (rc = chk_new_key(f, at, e, base + f->off, d)) != CP_OK) return rc;
    return wr_bytes(w, base + f->off, 32) ? CP_OK : 1;
  case K_STR: {
    const cp_str *s = (const cp_str *)(const void *)(base + f->off);
    if ((rc = chk_str(f->name, -1, "", at, *s, f->rule, f->nonempty, d)) != CP_OK) return rc;
    return wr_str(w, *s) ? CP_OK : 1;
  }
  case K_LIST: {
    const cp_str *items = (const cp_str *)(const void *)(base + f->off);
    n = get_u32(e, f->aux);
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    if (!wr_var(w, n)) return 1;
    for (uint32_t i = 0; i < n; i++) {
      at = (size_t)(w->p - w->base);
      if ((rc = chk_str(f->name, (int)i, "", at, items[i], f->rule, 1, d)) != CP_OK) return rc;
      if (!wr_str(w, items[i])) return 1;
    }
    return CP_OK;
  }
  case K_FACTS: {
    const uint8_t *p;
    memcpy(&p, base + f->off, sizeof p);
    n = get_u32(e, f->aux);
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    if (p == NULL) return fail(d, CP_EINVAL, f->name, -1, "", at, "NULL list of %u items", n);
    if (!wr_var(w, n)) return 1;
    for (uint32_t i = 0; i < n; i++) {
      const uint8_t *x = p + (size_t)i * CP_FACT_POINT_BYTES;
      at = (size_t)(w->p - w->base);
      if ((rc = chk_fact(f, (int)i, at, i ? x - CP_FACT_POINT_BYTES : NULL, x, d)) != CP_OK)
        return rc;
      if (!wr_bytes(w, x, CP_FACT_POINT_BYTES)) return 1;
    }
    return CP_OK;
  }
  case K_TOTALS: {
    const cp_total *t = (const cp_total *)(const void *)(base + f->off);
    n = get_u32(e, f->aux);
    if ((rc = chk_count(f, at, n, d)) != CP_OK) return rc;
    if (!wr_var(w, n)) return 1;
    for (uint32_t i = 0; i < n; i++) {
      at = (size_t)(w->p - w->base);
      if ((rc = chk_str(f->name, (int)i, ".currency", at, t[i].currency, f->rule, 1, d)) != CP_OK)
        return rc;
      if (i > 0 && (rc = chk_order(f, (int)i, at, t[i - 1].currency, t[i].currency, d)) != CP_OK)
        return rc;
      if (!wr_str(w, t[i].currency) || !wr_be(w, (uint64_t)t[i].amount, 8)) return 1;
    }
    return CP_OK;
  }
  default:
    return CP_EINVAL;
  }
}

int cp_entry_encode_unsigned(const cp_entry *e, uint8_t *out, size_t cap, size_t *len,
                             cp_diag *d) {
  cp_wr w = {out, out + cap, out};
  int rc;
  if ((rc = chk_version(e->version, d)) != CP_OK) return rc;
  if ((rc = chk_type(e->version, e->type, d)) != CP_OK) return rc;
  if ((rc = chk_genesis(e, d)) != CP_OK) return rc;
  if (!wr_be(&w, e->version, 1) || !wr_be(&w, e->type, 1) || !wr_bytes(&w, e->log, CP_PK_BYTES) ||
      !wr_be(&w, e->seq, 8) || !wr_bytes(&w, e->prev, CP_HASH_BYTES) || !wr_be(&w, e->time, 8))
    return full(d, &w, cap);
  const body *b = cp__entry_body(e->version, e->type);
  for (size_t i = 0; i < b->n; i++) {
    rc = enc_field(&w, e, &b->f[i], d);
    if (rc == 1) return full(d, &w, cap);
    if (rc != CP_OK) return rc;
  }
  size_t n = (size_t)(w.p - out);
  if (cap - n < CP_SIG_BYTES)
    return fail(d, CP_ETOOBIG, "entry.signature", -1, "", n,
                "output buffer of %zu bytes leaves no room for the signature", cap);
  /* Unreachable with today's limits (the largest valid entry is well under
   * CP_ENTRY_MAX), but the decoder would refuse it, so refuse it here. */
  if (n + CP_SIG_BYTES > CP_ENTRY_MAX)
    return fail(d, CP_ETOOBIG, "entry", -1, "", 0, "%zu bytes, over the limit of %u",
                n + CP_SIG_BYTES, (unsigned)CP_ENTRY_MAX);
  *len = n;
  return CP_OK;
}

/* ---- text in new entries (SPEC: E-new-1) --------------------------------- */

static int chk_new_str(const char *name, int idx, const char *sub, cp_str s, unsigned rule,
                       cp_diag *d) {
  size_t bad;
  uint32_t c;
  if (rule == S_ID || rule == S_JURIS) return CP_OK; /* their classes admit none */
  const char *why = cp_text_check_new(s.p, s.len, rule == S_TEXT || rule == S_DOC, &bad, &c);
  if (why == NULL) return CP_OK;
  if (idx >= 0)
    return cp_diag_set(d, CP_EINVAL, "%s[%d]%s: %s U+%04X at byte %zu is not allowed in a new "
                       "entry", name, idx, sub, why, (unsigned)c, bad);
  return cp_diag_set(d, CP_EINVAL, "%s%s: %s U+%04X at byte %zu is not allowed in a new entry",
                     name, sub, why, (unsigned)c, bad);
}

int cp_entry_check_new(const cp_entry *e, cp_diag *d) {
  if (e->type == 0 || e->type > CP__ENTRY_TYPE_MAX ||
      (e->version != CP_ENTRY_VERSION && e->version != CP_ENTRY_VERSION_2) ||
      cp__entry_body(e->version, e->type) == NULL)
    return CP_OK; /* the encoder refuses it */
  const body *b = cp__entry_body(e->version, e->type);
  const uint8_t *base = (const uint8_t *)e;
  int rc = CP_OK;
  for (size_t i = 0; i < b->n && rc == CP_OK; i++) {
    const fld *f = &b->f[i];
    uint32_t n = f->kind == K_LIST || f->kind == K_TOTALS ? get_u32(e, f->aux) : 0;
    if (f->kind == K_STR) {
      rc = chk_new_str(f->name, -1, "", *(const cp_str *)(const void *)(base + f->off), f->rule, d);
    } else if (f->kind == K_LIST) {
      const cp_str *items = (const cp_str *)(const void *)(base + f->off);
      for (uint32_t j = 0; j < n && j < CP_LIST_MAX && rc == CP_OK; j++)
        rc = chk_new_str(f->name, (int)j, "", items[j], f->rule, d);
    } else if (f->kind == K_TOTALS) {
      const cp_total *t = (const cp_total *)(const void *)(base + f->off);
      for (uint32_t j = 0; j < n && j < CP_TOTALS_MAX && rc == CP_OK; j++)
        rc = chk_new_str(f->name, (int)j, ".currency", t[j].currency, f->rule, d);
    }
  }
  return rc;
}

int cp_entry_sign(cp_entry *e, const cp_key *k, uint8_t *out, size_t cap, size_t *len,
                  cp_diag *d) {
  size_t n;
  int rc = cp_entry_check_new(e, d);
  if (rc != CP_OK) return rc;
  rc = cp_entry_encode_unsigned(e, out, cap, &n, d);
  if (rc != CP_OK) return rc;
  rc = cp_sig_sign(k, CP_PURPOSE_ENTRY, out, n, e->sig);
  if (rc != CP_OK) return cp_diag_set(d, rc, "entry.signature: signing failed");
  memcpy(out + n, e->sig, CP_SIG_BYTES);
  *len = n + CP_SIG_BYTES;
  return CP_OK;
}

int cp_entry_verify(const uint8_t *buf, size_t len, const uint8_t pk[CP_PK_BYTES]) {
  if (len < CP_ENTRY_MIN_BYTES || len > CP_ENTRY_MAX) return CP_ECORRUPT;
  return cp_sig_verify(CP_PURPOSE_ENTRY, buf + len - CP_SIG_BYTES, buf, len - CP_SIG_BYTES, pk);
}

void cp_entry_id(const uint8_t *buf, size_t len, uint8_t id[CP_HASH_BYTES]) {
  cp_merkle_leaf_hash(buf, len, id);
}

/* ---- names ---------------------------------------------------------------- */

const char *cp_entry_type_name(unsigned type) {
  return type >= 1 && type <= CP__ENTRY_TYPE_MAX ? cp__entry_body_name(type) : NULL;
}

static const char *const ROLE_NAMES[] = {NULL, "state", "district", "provider", "assessor", "ihe"};

const char *cp_role_name(unsigned role) {
  return role >= CP_ROLE_STATE && role <= CP_ROLE_IHE ? ROLE_NAMES[role] : NULL;
}

unsigned cp_role_parse(const char *s) {
  if (s == NULL) return 0;
  for (unsigned r = CP_ROLE_STATE; r <= CP_ROLE_IHE; r++)
    if (strcmp(s, ROLE_NAMES[r]) == 0) return r;
  return 0;
}

int cp_str_eq(cp_str a, const char *s) {
  size_t n = strlen(s);
  return a.len == n && (n == 0 || memcmp(a.p, s, n) == 0);
}
