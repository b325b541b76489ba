/* Gathering Open Badges 3.0 inputs from the store; see include/credport/ob3_store.h. */
#include "credport/ob3_store.h"

#include <string.h>

#include "credport/codec.h"

static int decode_at(cp_reader *r, const uint8_t id[CP_HASH_BYTES], cp_entry *e, cp_diag *d) {
  const uint8_t *buf;
  size_t len;
  int rc = cp_reader_entry_by_id(r, id, &buf, &len);
  if (rc != 0) return rc;
  return cp_entry_decode(buf, len, e, d);
}

typedef struct endorse_walk {
  cp_reader *r;
  cp_ob3_gathered *g;
  size_t n;
} endorse_walk;

static int on_endorse(void *ctx, const uint8_t *buf, size_t len) {
  endorse_walk *w = ctx;
  cp_ob3_gathered *g = w->g;
  const uint8_t *rb;
  size_t rl;
  cp_log_info li;
  uint8_t id[CP_HASH_BYTES];
  cp_entry *e;
  if (w->n >= CP_OB3_ENDORSE_MAX) {
    g->n_left_out++;
    return 0;
  }
  e = &g->endorse[w->n];
  if (cp_entry_decode(buf, len, e, NULL) != 0 || e->type != CP_T_ENDORSE) return 0;
  cp_entry_id(buf, len, id);
  if (cp_reader_revocation(w->r, id, &rb, &rl) == 0) return 0; /* withdrawn */
  memset(&g->endorsements[w->n], 0, sizeof g->endorsements[w->n]);
  g->endorsements[w->n].entry = e;
  memcpy(g->endorsements[w->n].id, id, CP_HASH_BYTES);
  if (cp_reader_log(w->r, e->log, &li) == 0) g->endorsements[w->n].endorser_name = li.name;
  w->n++;
  return 0;
}

int cp_ob3_gather(cp_reader *r, const uint8_t award_id[CP_HASH_BYTES], cp_ob3_gathered *g,
                  cp_diag *d) {
  const uint8_t *buf;
  size_t len;
  endorse_walk w = {r, g, 0};
  int rc;
  char hex[2 * CP_HASH_BYTES + 1];
  /* Not the whole struct: its endorsement slots are filled as found. */
  memset(&g->in, 0, sizeof g->in);
  g->n_left_out = 0;
  g->revoked = 0;
  cp_hex_encode(award_id, CP_HASH_BYTES, hex);
  rc = decode_at(r, award_id, &g->award, d);
  if (rc == CP_ENOTFOUND) return cp_diag_set(d, rc, "no entry %s on this node", hex);
  if (rc != 0) return rc;
  if (g->award.type != CP_T_AWARD)
    return cp_diag_set(d, CP_EINVAL, "entry %s is a %s entry, not an award", hex,
                       cp_entry_type_name(g->award.type));
  if (cp_reader_revocation(r, award_id, &buf, &len) == 0) {
    if ((rc = cp_entry_decode(buf, len, &g->revocation, d)) != 0) return rc;
    g->revoked = 1;
  }
  memcpy(g->in.credential_id, g->award.u.award.credential, CP_HASH_BYTES);
  if ((rc = decode_at(r, g->in.credential_id, &g->credential, d)) != 0) return rc;
  if ((rc = cp_reader_entry(r, g->award.log, 0, &buf, &len)) != 0) return rc;
  if ((rc = cp_entry_decode(buf, len, &g->genesis, d)) != 0) return rc;
  if ((rc = cp_reader_by_subject(r, g->in.credential_id, on_endorse, &w)) != 0 &&
      rc != CP_ENOTFOUND)
    return rc;
  if ((rc = cp_reader_by_subject(r, g->award.log, on_endorse, &w)) != 0 && rc != CP_ENOTFOUND)
    return rc;
  g->in.genesis = &g->genesis;
  g->in.credential = &g->credential;
  g->in.award = &g->award;
  memcpy(g->in.award_id, award_id, CP_HASH_BYTES);
  g->in.endorsements = g->endorsements;
  g->in.n_endorsements = w.n;
  return 0;
}

typedef struct award_walk {
  const uint8_t *issuer;
  int (*fn)(void *ctx, const uint8_t award_id[CP_HASH_BYTES]);
  void *ctx;
} award_walk;

static int on_award(void *ctx, const uint8_t *buf, size_t len) {
  award_walk *w = ctx;
  uint8_t id[CP_HASH_BYTES];
  /* Header: version, type, log key (entry.h offset table). */
  if (len < CP_ENTRY_MIN_BYTES || buf[1] != CP_T_AWARD ||
      memcmp(buf + 2, w->issuer, CP_PK_BYTES) != 0)
    return 0;
  cp_entry_id(buf, len, id);
  return w->fn(w->ctx, id);
}

int cp_ob3_each_award(cp_reader *r, const uint8_t issuer[CP_PK_BYTES],
                      const uint8_t educator[CP_PK_BYTES],
                      int (*fn)(void *ctx, const uint8_t award_id[CP_HASH_BYTES]), void *ctx) {
  award_walk w = {issuer, fn, ctx};
  int rc = cp_reader_by_educator(r, educator, on_award, &w);
  return rc == CP_ENOTFOUND ? 0 : rc;
}
