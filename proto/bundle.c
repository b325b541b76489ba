/*
 * credport — the wallet and bundle container: strict decoder, encoder and
 * the accessors a verifier needs (include/credport/bundle.h;
 * docs/FORMATS.md "Wallets and bundles", W-* rules).
 *
 * The decoder reads each field once through a bounded cursor. Before it
 * allocates for a count it checks the count against its limit and against
 * the bytes left (every record has a minimum size), so memory follows the
 * input's real length, never a claimed count. Entries, notes, statements
 * and hashes are borrowed from the input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle.h"
#include "credport/entry.h"
#include "credport/multiproof.h"
#include "text.h"

/* Smallest records: an entry record (length + smallest entry) and a log
 * record holding one (key, note of 1 byte, no statement, one entry, the
 * hash count, the revocation leaf and hash counts). */
#define MIN_ENTRY_REC (4U + CP_ENTRY_MIN_BYTES)
#define MIN_LOG_REC (32U + 4U + 1U + 4U + 4U + MIN_ENTRY_REC + 4U + 4U + 4U)
#define HDR_BYTES (CP_BUNDLE_MAGIC_BYTES + 2U + CP_PK_BYTES)

typedef struct {
  const uint8_t *p, *start, *end;
} rd;

static size_t off(const rd *r) { return (size_t)(r->p - r->start); }
static size_t left(const rd *r) { return (size_t)(r->end - r->p); }

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* "field at byte N: why" into d; returns err. */
static int fail(cp_diag *d, int err, const char *field, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(cp_diag *d, int err, const char *field, size_t at, const char *fmt, ...) {
  char why[240];
  va_list ap;
  if (d == NULL) return err;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return cp_diag_set(d, err, "%s at byte %zu: %s", field, at, why);
}

static int need(rd *r, size_t n, cp_diag *d, const char *field) {
  if (left(r) < n)
    return fail(d, CP_ECORRUPT, field, off(r), "truncated: %zu bytes needed, %zu left", n,
                left(r));
  return CP_OK;
}

static int rd32(rd *r, uint32_t *v, cp_diag *d, const char *field) {
  int rc = need(r, 4, d, field);
  if (rc != CP_OK) return rc;
  *v = get32(r->p);
  r->p += 4;
  return CP_OK;
}

/* A u32 length in [lo, hi], then that many bytes (borrowed into *p). */
static int rd_blob(rd *r, uint32_t lo, uint32_t hi, const uint8_t **p, size_t *n, cp_diag *d,
                   const char *field) {
  size_t at = off(r);
  uint32_t len;
  int rc = rd32(r, &len, d, field);
  if (rc != CP_OK) return rc;
  if (len > hi) return fail(d, CP_ETOOBIG, field, at, "%u bytes, at most %u", len, hi);
  if (len < lo) return fail(d, CP_ECORRUPT, field, at, "%u bytes, at least %u", len, lo);
  if ((rc = need(r, len, d, field)) != CP_OK) return rc;
  *p = r->p;
  *n = len;
  r->p += len;
  return CP_OK;
}

static int rd_text(rd *r, uint32_t max, const char **s, size_t *n, cp_diag *d, const char *field) {
  const uint8_t *p = NULL;
  size_t at = off(r) + 4, bad = 0;
  int rc = rd_blob(r, 1, max, &p, n, d, field);
  if (rc != CP_OK) return rc;
  const char *why = cp__enc_text_check(p, *n, CP_TEXT_ANY, &bad);
  if (why != NULL) return fail(d, CP_ECORRUPT, field, at + bad, "%s", why);
  *s = (const char *)p;
  return CP_OK;
}

/* Structure of a checkpoint note without verifying it: with no verifier
 * given, cp_note_open_checkpoint parses every line and then reports that
 * no log signature verified (CP_EBADSIG), which is the expected outcome. */
static int parse_note(const char *text, size_t len, cp_checkpoint *cp, cp_diag *d) {
  cp_note_result res;
  cp_diag nd;
  int rc = cp_note_open_checkpoint(text, len, NULL, 0, NULL, &res, &nd);
  if (rc == CP_EBADSIG && res.verified == 0) {
    *cp = res.cp;
    return CP_OK;
  }
  if (rc == CP_OK) return CP_ECORRUPT; /* impossible with no verifier */
  if (d != NULL) memcpy(d->msg, nd.msg, sizeof d->msg);
  return rc;
}

typedef struct dec {
  rd r;
  cp_bundle *b;
  cp_diag *d;
  size_t cap_entries;
  char field[96];
} dec;

static const char *fld(dec *x, size_t li, long ei, const char *name) {
  if (ei >= 0)
    snprintf(x->field, sizeof x->field, "log[%zu].entry[%ld]%s%s", li, ei, *name ? "." : "", name);
  else
    snprintf(x->field, sizeof x->field, "log[%zu]%s%s", li, *name ? "." : "", name);
  return x->field;
}

static int dec_entry(dec *x, size_t li, size_t ej, const cp_revstat *st, int has_st,
                     uint64_t prev_seq) {
  rd *r = &x->r;
  cp_bundle *b = x->b;
  cp_bundle_log *lg = &b->logs[li];
  cp_bundle_entry *en = &b->entries[b->nentries];
  cp_entry e;
  cp_diag ed;
  size_t at = off(r), eat;
  int rc;
  memset(en, 0, sizeof *en);
  en->offset = at;
  en->log = li;
  if ((rc = rd_blob(r, CP_ENTRY_MIN_BYTES, CP_ENTRY_MAX, &en->buf, &en->len, x->d,
                    fld(x, li, (long)ej, "length"))) != CP_OK)
    return rc;
  eat = at + 4;
  if ((rc = cp_entry_decode(en->buf, en->len, &e, &ed)) != CP_OK)
    return fail(x->d, rc, fld(x, li, (long)ej, ""), eat, "%s", ed.msg);
  /* SPEC: W-ent-1 */
  if (memcmp(e.log, lg->key, CP_PK_BYTES) != 0)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "log"), eat + 2,
                "the entry is of another log than its record");
  if (e.seq >= lg->cp.size)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "seq"), eat + 34,
                "seq %llu is not below the checkpoint size %llu", (unsigned long long)e.seq,
                (unsigned long long)lg->cp.size);
  /* SPEC: W-ent-2 */
  if (ej == 0 && e.type != CP_T_AUTHORITY)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "type"), eat + 1,
                "the first entry of a log must be its genesis");
  if (ej > 0 && e.seq <= prev_seq)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "seq"), eat + 34,
                "seq %llu does not follow seq %llu (entries strictly ascending)",
                (unsigned long long)e.seq, (unsigned long long)prev_seq);
  if (ej > 0 && e.type != CP_T_CREDENTIAL && e.type != CP_T_AWARD && e.type != CP_T_ENDORSE &&
      e.type != CP_T_KEY)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "type"), eat + 1,
                "a %s entry has no place in a wallet or bundle", cp_entry_type_name(e.type));
  en->seq = e.seq;
  en->type = e.type;
  cp_entry_id(en->buf, en->len, en->id);
  if (e.type != CP_T_AWARD) return CP_OK;
  /* SPEC: W-ent-3 */
  if (memcmp(e.u.award.educator, b->educator, CP_PK_BYTES) != 0)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "educator"), eat + 114,
                "an award for another educator than the container's");
  at = off(r);
  if ((rc = need(r, 1, x->d, fld(x, li, (long)ej, "status"))) != CP_OK) return rc;
  en->status = *r->p++;
  /* SPEC: W-ent-4, W-bun-1 */
  if (en->status > CP_AWARD_UNKNOWN)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "status"), at, "status %u is not 0, 1 or 2",
                en->status);
  if (b->kind == CP_BUNDLE_KIND_BUNDLE && en->status != CP_AWARD_NOT_REVOKED)
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "status"), at,
                "a bundle holds only awards shown not revoked");
  if ((en->status == CP_AWARD_UNKNOWN) == (has_st != 0))
    return fail(x->d, CP_ECORRUPT, fld(x, li, (long)ej, "status"), at,
                has_st ? "status unknown although the log has a statement"
                       : "the log has no statement to show this status against");
  return CP_OK;
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

/* Index in [0, n] of the first leaf of rec[0..n) (40-byte records) whose
 * ID is not below id. */
static size_t rev_lower(const uint8_t *rec, size_t n, const uint8_t id[CP_HASH_BYTES]) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (memcmp(rec + mid * CP_BUNDLE_REV_LEAF_BYTES + 8, id, CP_HASH_BYTES) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The revocation section of log li (W-rev-1..4), after its hashes. */
static int dec_rev(dec *x, size_t li, const cp_revstat *st) {
  rd *r = &x->r;
  cp_bundle *b = x->b;
  cp_bundle_log *lg = &b->logs[li];
  uint8_t *used = NULL, (*leaf)[CP_HASH_BYTES] = NULL, root[CP_HASH_BYTES];
  uint64_t *idx = NULL;
  uint32_t n = 0, nh = 0;
  size_t at = off(r), awards = 0, expect = 0;
  int rc;
  for (size_t j = lg->first; j < lg->first + lg->n; j++)
    if (b->entries[j].type == CP_T_AWARD && b->entries[j].status == CP_AWARD_NOT_REVOKED) awards++;
  lg->rev_count = st->count;
  if ((rc = rd32(r, &n, x->d, fld(x, li, -1, "nrev"))) != CP_OK) return rc;
  /* SPEC: W-rev-1 */
  if (n > 0 && (awards == 0 || st->count == 0))
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nrev"), at,
                "%u revocation leaves where none is needed (%zu awards shown unrevoked, %llu "
                "revocations)", n, awards, (unsigned long long)st->count);
  if (n > 2 * awards || n > st->count)
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nrev"), at,
                "%u revocation leaves, at most 2 for each of the %zu awards and at most the %llu "
                "revocations", n, awards, (unsigned long long)st->count);
  if ((rc = need(r, (size_t)n * CP_BUNDLE_REV_LEAF_BYTES, x->d, fld(x, li, -1, "rev"))) != CP_OK)
    return rc;
  lg->rev_leaves = r->p;
  lg->nrev = n;
  /* SPEC: W-rev-2 */
  for (uint32_t k = 0; k < n; k++) {
    const uint8_t *rec = r->p + (size_t)k * CP_BUNDLE_REV_LEAF_BYTES;
    uint64_t ix = get64(rec);
    char f[48];
    snprintf(f, sizeof f, "rev[%u]", k);
    if (ix >= st->count)
      return fail(x->d, CP_ECORRUPT, fld(x, li, -1, f), off(r) + (size_t)k * 40,
                  "index %llu is not below the revocation count %llu", (unsigned long long)ix,
                  (unsigned long long)st->count);
    if (k > 0 && (ix <= get64(rec - 40) || memcmp(rec + 8, rec - 32, CP_HASH_BYTES) <= 0))
      return fail(x->d, CP_ECORRUPT, fld(x, li, -1, f), off(r) + (size_t)k * 40,
                  "leaves not strictly ascending by index and ID");
  }
  /* SPEC: W-rev-3: every leaf brackets some award shown unrevoked. */
  if (n > 0 && (used = calloc(n, 1)) == NULL) return CP_ENOMEM;
  for (size_t j = lg->first; n > 0 && j < lg->first + lg->n; j++) {
    const cp_bundle_entry *en = &b->entries[j];
    if (en->type != CP_T_AWARD || en->status != CP_AWARD_NOT_REVOKED) continue;
    size_t pos = rev_lower(r->p, n, en->id);
    if (pos < n && memcmp(r->p + pos * CP_BUNDLE_REV_LEAF_BYTES + 8, en->id, CP_HASH_BYTES) == 0) {
      used[pos] = 1; /* the award's own leaf: it is revoked, and the verifier says so */
      continue;
    }
    if (pos > 0) used[pos - 1] = 1;
    if (pos < n) used[pos] = 1;
  }
  for (uint32_t k = 0; k < n; k++)
    if (!used[k]) {
      char f[48];
      snprintf(f, sizeof f, "rev[%u]", k);
      rc = fail(x->d, CP_ECORRUPT, fld(x, li, -1, f), off(r) + (size_t)k * 40,
                "a leaf that brackets no award of the log");
      goto out;
    }
  r->p += (size_t)n * CP_BUNDLE_REV_LEAF_BYTES;
  rc = CP_ENOMEM;
  if (n > 0) {
    if ((idx = malloc(n * sizeof *idx)) == NULL || (leaf = malloc(n * sizeof *leaf)) == NULL ||
        (lg->rev_paths = calloc(n, sizeof *lg->rev_paths)) == NULL)
      goto out;
    for (uint32_t k = 0; k < n; k++) {
      idx[k] = get64(lg->rev_leaves + (size_t)k * 40);
      cp_merkle_leaf_hash(lg->rev_leaves + (size_t)k * 40 + 8, CP_HASH_BYTES, leaf[k]);
    }
    if ((rc = cp_multiproof_count(st->count, idx, n, &expect)) != CP_OK) goto out;
  }
  at = off(r);
  if ((rc = rd32(r, &nh, x->d, fld(x, li, -1, "nrevhashes"))) != CP_OK) goto out;
  /* SPEC: W-rev-4 */
  if (nh != expect) {
    rc = fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nrevhashes"), at,
              "%u hashes; the multiproof of these leaves in a revocation tree of %llu has %zu", nh,
              (unsigned long long)st->count, expect);
    goto out;
  }
  if ((rc = need(r, (size_t)nh * CP_HASH_BYTES, x->d, fld(x, li, -1, "revhashes"))) != CP_OK)
    goto out;
  lg->rev_hashes = (const uint8_t(*)[CP_HASH_BYTES])r->p;
  lg->nrev_hashes = nh;
  r->p += (size_t)nh * CP_HASH_BYTES;
  if (n > 0)
    rc = cp_multiproof_root(st->count, idx, (const uint8_t(*)[CP_HASH_BYTES])leaf, n,
                            lg->rev_hashes, nh, root, lg->rev_paths);
out:
  if (rc != CP_OK) {
    free(lg->rev_paths);
    lg->rev_paths = NULL;
  }
  free(used);
  free(idx);
  free(leaf);
  return rc;
}

static int dec_log(dec *x, size_t li) {
  rd *r = &x->r;
  cp_bundle *b = x->b;
  cp_bundle_log *lg = &b->logs[li];
  cp_revstat st;
  cp_diag sd;
  const uint8_t *p = NULL;
  uint64_t *idx = NULL, prev = 0;
  uint32_t n = 0, nh = 0;
  size_t at, expect = 0;
  int rc;
  memset(&st, 0, sizeof st);
  lg->offset = off(r);
  if ((rc = need(r, CP_PK_BYTES, x->d, fld(x, li, -1, "log"))) != CP_OK) return rc;
  memcpy(lg->key, r->p, CP_PK_BYTES);
  r->p += CP_PK_BYTES;
  if (li > 0 && memcmp(b->logs[li - 1].key, lg->key, CP_PK_BYTES) >= 0)
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "log"), lg->offset,
                "logs not in strictly ascending key order (or repeated)");
  at = off(r) + 4;
  if ((rc = rd_blob(r, 1, CP_NOTE_MAX, &p, &lg->note_len, x->d, fld(x, li, -1, "note"))) != CP_OK)
    return rc;
  lg->note = (const char *)p;
  if ((rc = parse_note(lg->note, lg->note_len, &lg->cp, &sd)) != CP_OK)
    return fail(x->d, rc, fld(x, li, -1, "note"), at, "%s", sd.msg);
  if (lg->cp.size == 0)
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "note"), at, "a checkpoint of size 0 proves nothing");
  at = off(r) + 4;
  if ((rc = rd_blob(r, 0, CP_REVSTAT_MAX, &p, &lg->statement_len, x->d,
                    fld(x, li, -1, "statement"))) != CP_OK)
    return rc;
  lg->statement = lg->statement_len > 0 ? (const char *)p : NULL;
  if (lg->statement != NULL &&
      (rc = cp_revstat_parse(lg->statement, lg->statement_len, &st, &sd)) != CP_OK)
    return fail(x->d, rc, fld(x, li, -1, "statement"), at, "%s", sd.msg);
  at = off(r);
  if ((rc = rd32(r, &n, x->d, fld(x, li, -1, "nentries"))) != CP_OK) return rc;
  if (n == 0) return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nentries"), at, "no entries");
  if (n > CP_BUNDLE_ENTRIES_MAX - b->nentries)
    return fail(x->d, CP_ETOOBIG, fld(x, li, -1, "nentries"), at,
                "%u entries, at most %u in a container", n, CP_BUNDLE_ENTRIES_MAX);
  if (n > left(r) / MIN_ENTRY_REC)
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nentries"), at,
                "%u entries cannot fit in the %zu bytes left", n, left(r));
  if (b->nentries + n > x->cap_entries) {
    size_t cap = b->nentries + n;
    cp_bundle_entry *ne = realloc(b->entries, cap * sizeof *ne);
    if (ne == NULL) return CP_ENOMEM;
    b->entries = ne;
    x->cap_entries = cap;
  }
  lg->first = b->nentries;
  for (uint32_t j = 0; j < n; j++) {
    if ((rc = dec_entry(x, li, j, &st, lg->statement != NULL, prev)) != CP_OK) return rc;
    prev = b->entries[b->nentries].seq;
    b->nentries++;
    lg->n++;
  }
  if ((idx = malloc(n * sizeof *idx)) == NULL) return CP_ENOMEM;
  for (uint32_t j = 0; j < n; j++) idx[j] = b->entries[lg->first + j].seq;
  rc = cp_multiproof_count(lg->cp.size, idx, n, &expect);
  free(idx);
  if (rc != CP_OK) return rc;
  at = off(r);
  if ((rc = rd32(r, &nh, x->d, fld(x, li, -1, "nhashes"))) != CP_OK) return rc;
  /* SPEC: W-log-5 */
  if (nh != expect)
    return fail(x->d, CP_ECORRUPT, fld(x, li, -1, "nhashes"), at,
                "%u hashes; the multiproof of these entries at size %llu has %zu", nh,
                (unsigned long long)lg->cp.size, expect);
  if ((rc = need(r, (size_t)nh * CP_HASH_BYTES, x->d, fld(x, li, -1, "hashes"))) != CP_OK)
    return rc;
  lg->hashes = (const uint8_t(*)[CP_HASH_BYTES])r->p;
  lg->nhashes = nh;
  r->p += (size_t)nh * CP_HASH_BYTES;
  return dec_rev(x, li, &st);
}

static int decode_bin(const uint8_t *in, size_t len, cp_bundle *b, cp_diag *d) {
  dec x;
  uint32_t nlogs = 0;
  size_t at;
  int rc;
  memset(&x, 0, sizeof x);
  x.r = (rd){in, in, in + len};
  x.b = b;
  x.d = d;
  b->bytes = in;
  b->len = len;
  if (len > CP_BUNDLE_MAX)
    return fail(d, CP_ETOOBIG, "container", 0, "%zu bytes, at most %u", len, CP_BUNDLE_MAX);
  if ((rc = need(&x.r, HDR_BYTES, d, "header")) != CP_OK) return rc;
  /* SPEC: W-hdr-1, W-hdr-2, W-hdr-3 */
  if (memcmp(in, CP_BUNDLE_MAGIC, CP_BUNDLE_MAGIC_BYTES) != 0)
    return fail(d, CP_ECORRUPT, "magic", 0, "not \"credport\"");
  if (in[8] != CP_BUNDLE_VERSION)
    return fail(d, CP_EVERSION, "version", 8, "version %u, only %u is known", in[8],
                CP_BUNDLE_VERSION);
  b->kind = in[9];
  if (b->kind != CP_BUNDLE_KIND_WALLET && b->kind != CP_BUNDLE_KIND_BUNDLE)
    return fail(d, CP_ECORRUPT, "kind", 9, "kind %u is neither 1 (wallet) nor 2 (bundle)", in[9]);
  memcpy(b->educator, in + 10, CP_PK_BYTES);
  x.r.p += HDR_BYTES;
  if (b->kind == CP_BUNDLE_KIND_BUNDLE) {
    /* SPEC: W-hdr-4 */
    if ((rc = rd_text(&x.r, CP_BUNDLE_CHALLENGE_MAX, &b->challenge, &b->challenge_len, d,
                      "challenge")) != CP_OK)
      return rc;
    if ((rc = rd_text(&x.r, CP_BUNDLE_AUDIENCE_MAX, &b->audience, &b->audience_len, d,
                      "audience")) != CP_OK)
      return rc;
  }
  at = off(&x.r);
  if ((rc = rd32(&x.r, &nlogs, d, "nlogs")) != CP_OK) return rc;
  /* SPEC: W-log-1 */
  if (nlogs == 0) return fail(d, CP_ECORRUPT, "nlogs", at, "no logs");
  if (nlogs > CP_BUNDLE_LOGS_MAX)
    return fail(d, CP_ETOOBIG, "nlogs", at, "%u logs, at most %u", nlogs, CP_BUNDLE_LOGS_MAX);
  if (nlogs > left(&x.r) / MIN_LOG_REC)
    return fail(d, CP_ECORRUPT, "nlogs", at, "%u logs cannot fit in the %zu bytes left", nlogs,
                left(&x.r));
  if ((b->logs = calloc(nlogs, sizeof *b->logs)) == NULL) return CP_ENOMEM;
  for (uint32_t i = 0; i < nlogs; i++) {
    if ((rc = dec_log(&x, i)) != CP_OK) return rc;
    b->nlogs++;
  }
  if (b->kind == CP_BUNDLE_KIND_BUNDLE) {
    if ((rc = need(&x.r, CP_SIG_BYTES, d, "signature")) != CP_OK) return rc;
    b->sig = x.r.p;
    x.r.p += CP_SIG_BYTES;
  }
  if (x.r.p != x.r.end)
    return fail(d, CP_ECORRUPT, b->kind == CP_BUNDLE_KIND_BUNDLE ? "signature" : "container",
                off(&x.r), "%zu unexpected bytes after the last field", left(&x.r));
  return CP_OK;
}

static int starts_armor(const uint8_t *in, size_t len) {
  static const char begin[] = "-----BEGIN CREDPORT ";
  size_t i = 0;
  while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n')) i++;
  return len - i >= sizeof begin - 1 && memcmp(in + i, begin, sizeof begin - 1) == 0;
}

int cp_bundle_decode(const uint8_t *in, size_t len, cp_bundle *b, cp_diag *d) {
  uint8_t *bin = NULL;
  size_t blen = 0;
  int rc;
  memset(b, 0, sizeof *b);
  if (len >= CP_BUNDLE_MAGIC_BYTES && memcmp(in, CP_BUNDLE_MAGIC, CP_BUNDLE_MAGIC_BYTES) == 0) {
    rc = decode_bin(in, len, b, d);
  } else if (starts_armor(in, len)) {
    if ((rc = cp_bundle_unarmor((const char *)in, len, &bin, &blen, d)) != CP_OK) return rc;
    rc = decode_bin(bin, blen, b, d);
    b->owned = bin;
  } else {
    return cp_diag_set(d, CP_ECORRUPT, "not a credport wallet or bundle: it starts neither with "
                       "\"credport\" nor with \"-----BEGIN CREDPORT \"");
  }
  if (rc != CP_OK) cp_bundle_free(b);
  return rc;
}

void cp_bundle_free(cp_bundle *b) {
  if (b == NULL) return;
  for (size_t i = 0; b->logs != NULL && i < b->nlogs; i++) free(b->logs[i].rev_paths);
  free(b->logs);
  free(b->entries);
  free(b->owned);
  memset(b, 0, sizeof *b);
}

int cp_bundle_log_root(const cp_bundle *b, size_t i, uint8_t root[CP_HASH_BYTES]) {
  uint64_t *idx = NULL;
  uint8_t (*leaf)[CP_HASH_BYTES] = NULL;
  int rc = CP_ENOMEM;
  if (i >= b->nlogs) return CP_EINVAL;
  const cp_bundle_log *lg = &b->logs[i];
  idx = malloc(lg->n * sizeof *idx);
  leaf = malloc(lg->n * sizeof *leaf);
  if (idx == NULL || leaf == NULL) goto out;
  for (size_t j = 0; j < lg->n; j++) {
    idx[j] = b->entries[lg->first + j].seq;
    memcpy(leaf[j], b->entries[lg->first + j].id, CP_HASH_BYTES);
  }
  rc = cp_multiproof_root(lg->cp.size, idx, (const uint8_t(*)[CP_HASH_BYTES])leaf, lg->n,
                          lg->hashes, lg->nhashes, root, NULL);
out:
  free(idx);
  free(leaf);
  return rc;
}

int cp_bundle_absence(const cp_bundle *b, size_t i, cp_absence_proof *p, cp_diag *d) {
  (void)d;
  if (i >= b->nentries || b->entries[i].type != CP_T_AWARD ||
      b->entries[i].status != CP_AWARD_NOT_REVOKED)
    return CP_ENOTFOUND;
  const cp_bundle_log *lg = &b->logs[b->entries[i].log];
  size_t pos = rev_lower(lg->rev_leaves, lg->nrev, b->entries[i].id), from, to;
  memset(p, 0, sizeof *p);
  p->size = lg->rev_count;
  if (lg->nrev == 0) return CP_OK;
  if (lg->rev_paths == NULL) return CP_EPROOF;
  /* SPEC: R-rev-04: the nearest leaves below and above the ID; a leaf
   * equal to it alone, which cp_rev_verify_absent refuses. */
  from = pos > 0 ? pos - 1 : 0;
  to = pos < lg->nrev ? pos : lg->nrev - 1;
  if (pos < lg->nrev &&
      memcmp(lg->rev_leaves + pos * CP_BUNDLE_REV_LEAF_BYTES + 8, b->entries[i].id,
             CP_HASH_BYTES) == 0)
    from = to = pos;
  for (size_t k = from; k <= to; k++) {
    cp_rev_leaf *lf = &p->leaf[p->nleaves++];
    const uint8_t *rec = lg->rev_leaves + k * CP_BUNDLE_REV_LEAF_BYTES;
    lf->index = get64(rec);
    memcpy(lf->id, rec + 8, CP_HASH_BYTES);
    lf->n = lg->rev_paths[k].n;
    memcpy(lf->path, lg->rev_paths[k].h, lf->n * CP_HASH_BYTES);
  }
  return CP_OK;
}

int cp_bundle_find(const cp_bundle *b, const uint8_t id[CP_HASH_BYTES], size_t *i) {
  for (size_t k = 0; k < b->nentries; k++)
    if (memcmp(b->entries[k].id, id, CP_HASH_BYTES) == 0) {
      *i = k;
      return CP_OK;
    }
  return CP_ENOTFOUND;
}

/* ---- encoding ------------------------------------------------------------ */

typedef struct wbuf {
  uint8_t *p;
  size_t len, cap;
  int err;
} wbuf;

static void put(wbuf *w, const void *src, size_t n) {
  if (w->err != 0) return;
  if (n > CP_BUNDLE_MAX - w->len) {
    w->err = CP_ETOOBIG;
    return;
  }
  if (w->len + n > w->cap) {
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n) cap *= 2;
    uint8_t *np = realloc(w->p, cap);
    if (np == NULL) {
      w->err = CP_ENOMEM;
      return;
    }
    w->p = np;
    w->cap = cap;
  }
  if (n > 0) memcpy(w->p + w->len, src, n);
  w->len += n;
}

static void put32(wbuf *w, size_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  if (v > UINT32_MAX) {
    w->err = CP_ETOOBIG;
    return;
  }
  put(w, b, 4);
}

static void put_blob(wbuf *w, const void *p, size_t n) {
  put32(w, n);
  put(w, p, n);
}

int cp_bundle_encode(const cp_bundle *b, const cp_key *signer, uint8_t **out, size_t *len,
                     cp_diag *d) {
  wbuf w = {NULL, 0, 0, 0};
  cp_bundle chk;
  uint8_t hdr[2] = {CP_BUNDLE_VERSION, (uint8_t)b->kind};
  int rc;
  memset(&chk, 0, sizeof chk);
  *out = NULL;
  *len = 0;
  if (b->kind == CP_BUNDLE_KIND_BUNDLE) {
    uint8_t pk[CP_PK_BYTES];
    if (signer == NULL) return cp_diag_set(d, CP_EINVAL, "a bundle needs the educator's key");
    cp_key_public(signer, pk);
    if (memcmp(pk, b->educator, CP_PK_BYTES) != 0)
      return cp_diag_set(d, CP_EDENIED, "the signing key is not the bundle's educator key");
  }
  put(&w, CP_BUNDLE_MAGIC, CP_BUNDLE_MAGIC_BYTES);
  put(&w, hdr, 2);
  put(&w, b->educator, CP_PK_BYTES);
  if (b->kind == CP_BUNDLE_KIND_BUNDLE) {
    put_blob(&w, b->challenge, b->challenge_len);
    put_blob(&w, b->audience, b->audience_len);
  }
  put32(&w, b->nlogs);
  for (size_t i = 0; i < b->nlogs; i++) {
    const cp_bundle_log *lg = &b->logs[i];
    put(&w, lg->key, CP_PK_BYTES);
    put_blob(&w, lg->note, lg->note_len);
    put_blob(&w, lg->statement, lg->statement != NULL ? lg->statement_len : 0);
    put32(&w, lg->n);
    for (size_t j = lg->first; j < lg->first + lg->n && j < b->nentries; j++) {
      const cp_bundle_entry *en = &b->entries[j];
      put_blob(&w, en->buf, en->len);
      if (en->len > 1 && en->buf[1] == CP_T_AWARD) {
        put(&w, &en->status, 1);
      }
    }
    put32(&w, lg->nhashes);
    put(&w, lg->hashes, lg->nhashes * CP_HASH_BYTES);
    put32(&w, lg->nrev);
    put(&w, lg->rev_leaves, lg->nrev * CP_BUNDLE_REV_LEAF_BYTES);
    put32(&w, lg->nrev_hashes);
    put(&w, lg->rev_hashes, lg->nrev_hashes * CP_HASH_BYTES);
  }
  if (b->kind == CP_BUNDLE_KIND_BUNDLE && w.err == 0) {
    uint8_t sig[CP_SIG_BYTES];
    cp_sig_sign(signer, CP_PURPOSE_BUNDLE, w.p, w.len, sig);
    put(&w, sig, CP_SIG_BYTES);
  }
  if (w.err != 0) {
    free(w.p);
    return cp_diag_set(d, w.err, w.err == CP_ETOOBIG
                                     ? "the container would exceed %u bytes"
                                     : "out of memory (%u)", CP_BUNDLE_MAX);
  }
  /* What the decoder refuses is never written: the output is decoded again. */
  rc = decode_bin(w.p, w.len, &chk, d);
  cp_bundle_free(&chk);
  if (rc != CP_OK) {
    free(w.p);
    return rc == CP_ENOMEM ? rc : (rc == CP_ETOOBIG ? rc : CP_EINVAL);
  }
  *out = w.p;
  *len = w.len;
  return CP_OK;
}
