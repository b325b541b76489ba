/*
 * credport — an educator's wallet gathered from the store
 * (include/credport/wallet.h; docs/FORMATS.md "Wallets and bundles").
 *
 * Everything is read in one read transaction through the store's readers:
 * the educator index for the awards, entry IDs for definitions, the
 * subject index for endorsements, the type index for key entries, stored
 * checkpoints and statements, and O(log n) subtree reads per inclusion
 * path. Nothing walks a whole log, so the cost follows the wallet's size,
 * not the logs'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/entry.h"
#include "credport/multiproof.h"
#include "credport/revstatus.h"
#include "credport/wallet.h"

typedef struct witem {
  size_t log;              /* index into wctx.logs */
  uint64_t seq;
  const uint8_t *buf;      /* borrowed from the reader */
  size_t len;
  uint8_t status;
  int has_absence;
  cp_absence_proof absence;
} witem;

typedef struct wlog {
  uint8_t key[CP_PK_BYTES];
  int state;               /* 0 not looked up, 1 usable, -1 no checkpoint */
  const char *note;
  size_t note_len;
  uint64_t size;
  const char *statement;   /* NULL: none held */
  size_t statement_len;
  uint8_t (*revoked)[CP_HASH_BYTES];
  size_t nrevoked;
  cp_rev_tree *tree;       /* over revoked, for the awards' absence proofs */
  cp_str origin;
  int noted_above;
} wlog;

typedef struct wctx {
  cp_reader *r;
  const uint8_t *edu;
  cp_wallet_note_fn note;
  void *nctx;
  cp_diag *d;
  wlog logs[CP_BUNDLE_LOGS_MAX];
  size_t nlogs;
  witem *items;
  size_t nitems, cap;
  cp_wallet_report *rep;
  int err;
} wctx;

static void say(wctx *w, const wlog *l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(wctx *w, const wlog *l, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  if (w->note == NULL) return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  w->note(w->nctx, l->key, l->origin.p, l->origin.len, msg);
}

/* Checkpoint and statement of the log; 1 usable, -1 not, < -1 error. */
static int open_log(wctx *w, wlog *l) {
  cp_log_info li;
  cp_note_result res;
  uint64_t at = 0;
  int rc;
  if (l->state != 0) return l->state;
  l->state = -1;
  if (cp_reader_log(w->r, l->key, &li) == CP_OK) l->origin = li.origin;
  rc = cp_reader_checkpoint(w->r, l->key, &l->note, &l->note_len);
  if (rc == CP_ENOTFOUND) {
    say(w, l, "no checkpoint of this log is held: its entries are left out");
    return -1;
  }
  if (rc != CP_OK) return rc;
  rc = cp_note_open_checkpoint(l->note, l->note_len, NULL, 0, NULL, &res, NULL);
  if (rc != CP_EBADSIG || res.cp.size == 0) return CP_ECORRUPT;
  l->size = res.cp.size;
  rc = cp_reader_revstat(w->r, l->key, l->size, &l->statement, &l->statement_len, &at);
  if (rc == CP_ENOTFOUND || (rc == CP_OK && at != l->size)) {
    l->statement = NULL;
    l->statement_len = 0;
  } else if (rc != CP_OK) {
    return rc;
  } else {
    cp_revstat st;
    uint8_t rr[CP_HASH_BYTES];
    if ((rc = cp_revstat_parse(l->statement, l->statement_len, &st, w->d)) != CP_OK) return rc;
    if ((rc = cp_reader_revset(w->r, l->key, l->size, &l->revoked, &l->nrevoked)) != CP_OK)
      return rc;
    if ((rc = cp_rev_tree_new((const uint8_t(*)[CP_HASH_BYTES])l->revoked, l->nrevoked,
                              &l->tree)) != 0 ||
        (rc = cp_rev_root((const uint8_t(*)[CP_HASH_BYTES])l->revoked, l->nrevoked, rr)) != 0)
      return rc;
    if (st.count != l->nrevoked || memcmp(rr, st.rev_root, CP_HASH_BYTES) != 0)
      return cp_diag_set(w->d, CP_ECORRUPT, "the stored revocation statement of %.*s at size %llu "
                         "disagrees with the revocations held (run credport audit)",
                         (int)l->origin.len, l->origin.p, (unsigned long long)l->size);
  }
  l->state = 1;
  return 1;
}

static int find_log(wctx *w, const uint8_t key[CP_PK_BYTES], size_t *i) {
  for (*i = 0; *i < w->nlogs; (*i)++)
    if (memcmp(w->logs[*i].key, key, CP_PK_BYTES) == 0) return CP_OK;
  if (w->nlogs == CP_BUNDLE_LOGS_MAX)
    return cp_diag_set(w->d, CP_ETOOBIG, "the wallet would hold more than %u logs",
                       CP_BUNDLE_LOGS_MAX);
  memset(&w->logs[w->nlogs], 0, sizeof w->logs[0]);
  memcpy(w->logs[w->nlogs].key, key, CP_PK_BYTES);
  *i = w->nlogs++;
  return CP_OK;
}

/* Adds entry buf to the wallet when a checkpoint of its log covers it;
 * *added says whether it did. */
static int add(wctx *w, const uint8_t *buf, size_t len, const cp_entry *e, int *added) {
  size_t li;
  int rc;
  *added = 0;
  if ((rc = find_log(w, e->log, &li)) != CP_OK) return rc;
  wlog *l = &w->logs[li];
  if ((rc = open_log(w, l)) < -1) return rc;
  if (rc == -1) return CP_OK;
  if (e->seq >= l->size) {
    if (!l->noted_above)
      say(w, l, "entries after its latest checkpoint (size %llu) are left out",
          (unsigned long long)l->size);
    l->noted_above = 1;
    return CP_OK;
  }
  for (size_t i = 0; i < w->nitems; i++)
    if (w->items[i].log == li && w->items[i].seq == e->seq) {
      *added = 1;
      return CP_OK;
    }
  if (w->nitems == CP_BUNDLE_ENTRIES_MAX)
    return cp_diag_set(w->d, CP_ETOOBIG, "the wallet would hold more than %u entries",
                       CP_BUNDLE_ENTRIES_MAX);
  if (w->nitems == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    witem *ni = realloc(w->items, cap * sizeof *ni);
    if (ni == NULL) return CP_ENOMEM;
    w->items = ni;
    w->cap = cap;
  }
  witem *it = &w->items[w->nitems++];
  memset(it, 0, offsetof(witem, absence));
  it->log = li;
  it->seq = e->seq;
  it->buf = buf;
  it->len = len;
  *added = 1;
  return CP_OK;
}

static int on_award(void *ctx, const uint8_t *buf, size_t len) {
  wctx *w = ctx;
  cp_entry e;
  int added = 0;
  if (cp_entry_decode(buf, len, &e, NULL) != CP_OK) return CP_ECORRUPT;
  if (e.type != CP_T_AWARD || memcmp(e.u.award.educator, w->edu, CP_PK_BYTES) != 0) return 0;
  int rc = add(w, buf, len, &e, &added);
  if (rc != CP_OK) return rc;
  if (!added) {
    w->rep->left_out++;
    return 0;
  }
  witem *it = &w->items[w->nitems - 1];
  wlog *l = &w->logs[it->log];
  uint8_t id[CP_HASH_BYTES];
  w->rep->awards++;
  if (l->statement == NULL) {
    it->status = CP_AWARD_UNKNOWN;
    w->rep->unknown++;
    return 0;
  }
  cp_entry_id(buf, len, id);
  rc = cp_rev_tree_prove_absent(l->tree, id, &it->absence);
  if (rc == CP_EEXIST) {
    it->status = CP_AWARD_REVOKED;
    w->rep->revoked++;
    return 0;
  }
  it->has_absence = rc == CP_OK;
  return rc;
}

/* Adds the entry with ID id (a definition, endorsement, key or genesis). */
static int add_raw(wctx *w, const uint8_t *buf, size_t len) {
  cp_entry e;
  int added;
  if (cp_entry_decode(buf, len, &e, NULL) != CP_OK) return CP_ECORRUPT;
  return add(w, buf, len, &e, &added);
}

typedef struct subj_ctx {
  wctx *w;
  const uint8_t *subject;
  uint8_t kind;
} subj_ctx;

static int on_endorse(void *ctx, const uint8_t *buf, size_t len) {
  subj_ctx *s = ctx;
  cp_entry e;
  int added;
  if (cp_entry_decode(buf, len, &e, NULL) != CP_OK) return CP_ECORRUPT;
  if (e.type != CP_T_ENDORSE || e.u.endorse.kind != s->kind ||
      memcmp(e.u.endorse.subject, s->subject, CP_HASH_BYTES) != 0)
    return 0;
  return add(s->w, buf, len, &e, &added);
}

static int on_key(void *ctx, const uint8_t *buf, size_t len) {
  wctx *w = ctx;
  cp_entry e;
  size_t li;
  if (cp_entry_decode(buf, len, &e, NULL) != CP_OK) return CP_ECORRUPT;
  for (li = 0; li < w->nlogs; li++)
    if (w->logs[li].state == 1 && memcmp(w->logs[li].key, e.log, CP_PK_BYTES) == 0 &&
        e.seq < w->logs[li].size) {
      int added;
      return add(w, buf, len, &e, &added);
    }
  return 0;
}

static int cmp_item(const void *a, const void *b) {
  const witem *x = a, *y = b;
  if (x->log != y->log) return x->log < y->log ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_key(const void *a, const void *b) {
  return memcmp(((const wlog *)a)->key, ((const wlog *)b)->key, CP_PK_BYTES);
}

/* Orders the logs by key and the items by (log, seq), then encodes. */
static int encode(wctx *w, uint8_t **out, size_t *len) {
  size_t map[CP_BUNDLE_LOGS_MAX], used = 0, nl = 0;
  wlog sorted[CP_BUNDLE_LOGS_MAX];
  cp_bundle b;
  cp_bundle_log *logs = calloc(CP_BUNDLE_LOGS_MAX, sizeof *logs);
  cp_bundle_entry *ents = calloc(w->nitems, sizeof *ents);
  uint8_t (*hashes)[CP_HASH_BYTES] = NULL;
  uint64_t *idx = calloc(w->nitems, sizeof *idx);
  cp_merkle_path *paths = calloc(w->nitems, sizeof *paths);
  cp_absence_proof *ps = malloc((w->nitems ? w->nitems : 1) * sizeof *ps);
  uint8_t *rleaves[CP_BUNDLE_LOGS_MAX] = {NULL};
  uint8_t (*rhashes[CP_BUNDLE_LOGS_MAX])[CP_HASH_BYTES] = {NULL};
  size_t nh_total = 0, hcap = 0;
  int rc = CP_ENOMEM;
  memset(&b, 0, sizeof b);
  if (logs == NULL || ents == NULL || idx == NULL || paths == NULL || ps == NULL) goto out;
  /* Keep only usable logs that hold entries, sorted by key. */
  for (size_t i = 0; i < w->nlogs; i++) {
    int any = 0;
    for (size_t j = 0; j < w->nitems && !any; j++) any = w->items[j].log == i;
    if (w->logs[i].state == 1 && any) sorted[nl++] = w->logs[i];
  }
  qsort(sorted, nl, sizeof sorted[0], cmp_key);
  for (size_t i = 0; i < w->nlogs; i++)
    for (size_t k = 0; k < nl; k++)
      if (memcmp(sorted[k].key, w->logs[i].key, CP_PK_BYTES) == 0) map[i] = k;
  for (size_t j = 0; j < w->nitems; j++) w->items[j].log = map[w->items[j].log];
  qsort(w->items, w->nitems, sizeof *w->items, cmp_item);
  hcap = w->nitems * CP_MERKLE_MAX_LEVELS;
  if ((hashes = malloc((hcap ? hcap : 1) * sizeof *hashes)) == NULL) goto out;
  for (size_t k = 0; k < nl; k++) {
    cp_bundle_log *o = &logs[k];
    size_t first = used, n = 0, nh = 0, np = 0;
    memcpy(o->key, sorted[k].key, CP_PK_BYTES);
    o->note = sorted[k].note;
    o->note_len = sorted[k].note_len;
    o->statement = sorted[k].statement;
    o->statement_len = sorted[k].statement_len;
    for (; used < w->nitems && w->items[used].log == k; used++, n++) {
      witem *it = &w->items[used];
      cp_bundle_entry *en = &ents[used];
      en->buf = it->buf;
      en->len = it->len;
      en->status = it->status;
      if (it->has_absence) ps[np++] = it->absence;
      idx[n] = it->seq;
      rc = cp_reader_inclusion(w->r, o->key, it->seq, sorted[k].size, paths[n].h, &paths[n].n);
      if (rc != CP_OK) goto out;
    }
    o->first = first;
    o->n = n;
    rc = cp_multiproof_from_paths(sorted[k].size, idx, paths, n, hashes + nh_total,
                                  hcap - nh_total, &nh);
    if (rc != CP_OK) goto out;
    o->hashes = (const uint8_t(*)[CP_HASH_BYTES])(hashes + nh_total);
    o->nhashes = nh;
    nh_total += nh;
    if (o->statement != NULL &&
        (rc = cp_bundle_rev_section(ps, np, sorted[k].nrevoked, &rleaves[k], &o->nrev,
                                    &rhashes[k], &o->nrev_hashes)) != CP_OK)
      goto out;
    o->rev_leaves = rleaves[k];
    o->rev_hashes = (const uint8_t(*)[CP_HASH_BYTES])rhashes[k];
  }
  b.kind = CP_BUNDLE_KIND_WALLET;
  memcpy(b.educator, w->edu, CP_PK_BYTES);
  b.logs = logs;
  b.nlogs = nl;
  b.entries = ents;
  b.nentries = w->nitems;
  w->rep->logs = nl;
  rc = cp_bundle_encode(&b, NULL, out, len, w->d);
out:
  for (size_t k = 0; k < CP_BUNDLE_LOGS_MAX; k++) {
    free(rleaves[k]);
    free(rhashes[k]);
  }
  free(logs);
  free(ents);
  free(hashes);
  free(idx);
  free(paths);
  free(ps);
  return rc;
}

int cp_wallet_export(cp_reader *r, const uint8_t educator[CP_PK_BYTES], cp_wallet_note_fn note,
                     void *ctx, uint8_t **out, size_t *len, cp_wallet_report *rep, cp_diag *d) {
  wctx *w = calloc(1, sizeof *w);
  size_t nawards;
  int rc = CP_ENOMEM;
  *out = NULL;
  *len = 0;
  memset(rep, 0, sizeof *rep);
  if (w == NULL) return rc;
  w->r = r;
  w->edu = educator;
  w->note = note;
  w->nctx = ctx;
  w->d = d;
  w->rep = rep;
  if ((rc = cp_reader_by_educator(r, educator, on_award, w)) != CP_OK) goto out;
  nawards = w->nitems;
  if (nawards == 0) {
    if (rep->left_out > 0)
      rc = cp_diag_set(d, CP_ENOTFOUND, "no award of this educator is covered by a checkpoint "
                       "held here (%zu left out)", rep->left_out);
    else
      rc = cp_diag_set(d, CP_ENOTFOUND, "no award of this educator is held here");
    goto out;
  }
  /* Definitions, then endorsements of them and of their issuers. */
  for (size_t i = 0; i < nawards; i++) {
    cp_entry e;
    const uint8_t *buf;
    size_t blen;
    subj_ctx s = {w, NULL, CP_SUBJECT_CREDENTIAL};
    if (cp_entry_decode(w->items[i].buf, w->items[i].len, &e, NULL) != CP_OK) {
      rc = CP_ECORRUPT;
      goto out;
    }
    if ((rc = cp_reader_entry_by_id(r, e.u.award.credential, &buf, &blen)) != CP_OK ||
        (rc = add_raw(w, buf, blen)) != CP_OK)
      goto out;
    s.subject = e.u.award.credential;
    if ((rc = cp_reader_by_subject(r, s.subject, on_endorse, &s)) != CP_OK) goto out;
    s.kind = CP_SUBJECT_AUTHORITY;
    s.subject = e.log;
    if ((rc = cp_reader_by_subject(r, s.subject, on_endorse, &s)) != CP_OK) goto out;
  }
  /* Every usable log's genesis and key entries below its checkpoint. */
  for (size_t li = 0; li < w->nlogs; li++) {
    const uint8_t *buf;
    size_t blen;
    if (w->logs[li].state != 1) continue;
    if ((rc = cp_reader_entry(r, w->logs[li].key, 0, &buf, &blen)) != CP_OK ||
        (rc = add_raw(w, buf, blen)) != CP_OK)
      goto out;
  }
  if ((rc = cp_reader_by_type(r, CP_T_KEY, on_key, w)) != CP_OK) goto out;
  for (size_t li = 0; li < w->nlogs; li++)
    if (w->logs[li].state == 1 && w->logs[li].statement == NULL)
      say(w, &w->logs[li], "no revocation statement is held at its checkpoint (size %llu): the "
          "revocation status of its awards is unknown", (unsigned long long)w->logs[li].size);
  rc = encode(w, out, len);
out:
  if (w != NULL) {
    for (size_t li = 0; li < w->nlogs; li++) {
      cp_rev_tree_free(w->logs[li].tree);
      free(w->logs[li].revoked);
    }
    free(w->items);
  }
  free(w);
  return rc;
}
