/*
 * credport — validation rules every entry must pass, from anywhere
 * (docs/FORMATS.md, "Validation"). Ingest and audit both call these, so the
 * node that accepts an entry and the auditor who replays it cannot disagree.
 */
#include <string.h>

#include <jansson.h>

#include "credport/codec.h"
#include "credport/policy.h"
#include "store_internal.h"

int cp__check_chain(const cp__logrec *lr, const cp_entry *e, uint64_t now, cp_diag *d) {
  char hex[2 * CP_PK_BYTES + 1];
  if (lr->flags & CP_LOG_FORKED) {
    cp_hex_encode(lr->log, 8, hex);
    return cp_diag_set(d, CP_EFORKED, "log %s… is forked: nothing more is accepted", hex);
  }
  if (lr->flags & CP_LOG_RETIRED) {
    cp_hex_encode(lr->log, 8, hex);
    return cp_diag_set(d, CP_ERETIRED, "log %s… was retired at seq %llu", hex,
                       (unsigned long long)(lr->fr.size - 1));
  }
  /* SPEC: R-entry-01 contiguous seq. */
  if (e->seq != lr->fr.size)
    return cp_diag_set(d, CP_ECHAIN, "seq %llu where %llu was expected",
                       (unsigned long long)e->seq, (unsigned long long)lr->fr.size);
  /* SPEC: R-entry-02 prev is the ID of the previous entry. */
  if (memcmp(e->prev, lr->head, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECHAIN, "seq %llu: prev does not match the ID of entry %llu",
                       (unsigned long long)e->seq, (unsigned long long)(e->seq - 1));
  /* SPEC: R-entry-03 time never goes back, except at a clock correction,
   * which must go back (R-body-08 bounds how far). */
  if (e->type == CP_T_CLOCK && e->time >= lr->last_time)
    return cp_diag_set(d, CP_ETIME,
                       "seq %llu: a clock correction must be dated before the previous entry "
                       "(%llu), not at %llu: there is nothing to correct",
                       (unsigned long long)e->seq, (unsigned long long)lr->last_time,
                       (unsigned long long)e->time);
  if (e->type != CP_T_CLOCK && e->seq > 0 && e->time < lr->last_time)
    return cp_diag_set(d, CP_ETIME, "seq %llu: time %llu is before the previous entry's %llu",
                       (unsigned long long)e->seq, (unsigned long long)e->time,
                       (unsigned long long)lr->last_time);
  /* SPEC: R-entry-06 at most CP_TIME_SKEW_MAX ahead of the receiver's clock
   * (now = 0: not checked; see ingest for the clock-correction exemption). */
  if (now != 0 && e->time > now + CP_TIME_SKEW_MAX)
    return cp_diag_set(d, CP_ETIME,
                       "seq %llu: time %llu is in the future, %llu s ahead of this node's "
                       "clock (%llu), more than the %u s allowed",
                       (unsigned long long)e->seq, (unsigned long long)e->time,
                       (unsigned long long)(e->time - now), (unsigned long long)now,
                       CP_TIME_SKEW_MAX);
  return CP_OK;
}

/* Looks an entry up by ID inside tx; returns its type and whether it is in
 * log `log`. */
static int lookup(cp__tx *tx, const uint8_t id[CP_HASH_BYTES], const uint8_t log[CP_PK_BYTES],
                  unsigned *type, int *same_log, uint64_t *seq) {
  uint64_t rowid;
  const uint8_t *entry;
  size_t elen;
  int rc = cp__id_row(tx, id, &rowid);
  if (rc == 0) rc = cp__entry_of_rowid(tx, rowid, &entry, &elen);
  if (rc != 0) return rc;
  *type = entry[1];
  *seq = cp__entry_seq(entry);
  *same_log = memcmp(entry + 2, log, CP_PK_BYTES) == 0;
  return CP_OK;
}

static int names_earlier(cp__tx *tx, const cp_entry *e, const uint8_t id[CP_HASH_BYTES],
                         unsigned want, const char *field, cp_diag *d) {
  unsigned type = 0;
  int same = 0;
  uint64_t seq = 0;
  char hex[2 * CP_HASH_BYTES + 1];
  int rc = lookup(tx, id, e->log, &type, &same, &seq);
  cp_hex_encode(id, CP_HASH_BYTES, hex);
  if (rc == CP_ENOTFOUND || (rc == 0 && (!same || (want != 0 && type != want) || seq >= e->seq)))
    return cp_diag_set(d, CP_ERULE, "seq %llu: %s %s is not %s entry earlier in this log",
                       (unsigned long long)e->seq, field, hex,
                       want == 0 ? "an" : want == CP_T_AWARD ? "an award" : want == CP_T_POLICY
                       ? "a policy" : "a credential");
  return rc;
}

/* True if a unique-index hit v is the entry being checked itself (audit). */
static int is_self(const MDB_val *v, uint64_t self_rowid) {
  return v->mv_size == 8 && cp__rd64(v->mv_data) == self_rowid;
}

static int entry_time(cp__tx *tx, uint32_t logno, uint64_t seq, uint64_t *t) {
  const uint8_t *buf;
  size_t len;
  int rc = cp__entry_at(tx, logno, seq, &buf, &len);
  if (rc != 0) return rc;
  if (len < CP_ENTRY_HEADER_BYTES) return CP_ECORRUPT;
  *t = cp__rd64(buf + 74);
  return CP_OK;
}

/* SPEC: R-body-08 a clock correction names (clock.first) the first entry of
 * its log whose time was ahead: that entry is earlier in the log and dated
 * after the correction, and the entry before it (if any) is dated at or
 * before the correction. So a correction only takes back what was ahead. It
 * covers at most CP_CLOCK_COVER_MAX entries, so that they and it fit in one
 * sync batch (R-entry-06). */
static int check_clock(cp__tx *tx, const cp__logrec *lr, const cp_entry *e, cp_diag *d) {
  unsigned type = 0;
  int same = 0;
  uint64_t seq = 0, t_first = 0, t_before = 0;
  int rc = lookup(tx, e->u.clock.first, e->log, &type, &same, &seq);
  if (rc == CP_ENOTFOUND || (rc == 0 && (!same || seq >= e->seq)))
    return cp_diag_set(d, CP_ERULE, "seq %llu: clock.first is not an entry earlier in this log",
                       (unsigned long long)e->seq);
  if (rc == 0 && e->seq - seq > CP_CLOCK_COVER_MAX)
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: the correction covers %llu entries (from seq %llu), more than "
                       "the %u one correction may cover",
                       (unsigned long long)e->seq, (unsigned long long)(e->seq - seq),
                       (unsigned long long)seq, CP_CLOCK_COVER_MAX);
  if (rc == 0) rc = entry_time(tx, lr->logno, seq, &t_first);
  if (rc == 0 && seq > 0) rc = entry_time(tx, lr->logno, seq - 1, &t_before);
  if (rc != 0) return rc;
  if (t_first <= e->time)
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: clock.first (seq %llu, time %llu) is not dated after the "
                       "correction (%llu)",
                       (unsigned long long)e->seq, (unsigned long long)seq,
                       (unsigned long long)t_first, (unsigned long long)e->time);
  if (seq > 0 && t_before > e->time)
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: the correction (time %llu) goes back before seq %llu (time "
                       "%llu), which it does not correct",
                       (unsigned long long)e->seq, (unsigned long long)e->time,
                       (unsigned long long)(seq - 1), (unsigned long long)t_before);
  return CP_OK;
}

int cp__withdrawal_row(cp__tx *tx, const uint8_t target[CP_HASH_BYTES], uint64_t *rowid) {
  MDB_val k = {CP_HASH_BYTES, (void *)target}, v;
  int rc = mdb_get(tx->txn, tx->s->revoked, &k, &v);
  if (rc == MDB_NOTFOUND && tx->s->withdrawn != 0) rc = mdb_get(tx->txn, tx->s->withdrawn, &k, &v);
  if (rc == MDB_NOTFOUND) return CP_ENOTFOUND;
  if (rc != 0) return cp__err_mdb(rc, NULL, "withdrawn");
  if (v.mv_size != 8) return CP_ECORRUPT;
  *rowid = cp__rd64(v.mv_data);
  return CP_OK;
}

/* The withdrawing revoke of target, if one is stored at a seq before
 * `before` (in its log): OUT *buf (the revoke entry), or CP_ENOTFOUND. The
 * audit replays entries that were valid when they came, before any later
 * revoke. */
static int withdrawal_before(cp__tx *tx, const uint8_t target[CP_HASH_BYTES], uint64_t before,
                             const uint8_t **buf, size_t *len) {
  uint64_t row;
  int rc = cp__withdrawal_row(tx, target, &row);
  if (rc == 0) rc = cp__entry_of_rowid(tx, row, buf, len);
  if (rc == 0 && *len < CP_ENTRY_MIN_BYTES + CP_HASH_BYTES) rc = CP_ECORRUPT;
  if (rc == 0 && cp__entry_seq(*buf) >= before) rc = CP_ENOTFOUND;
  return rc;
}

/* SPEC: R-body-02 (retirement). A credential definition withdrawn by a
 * revoke entry of its log (a retirement) takes no new award: an award after
 * the retirement in the log, dated (entry time) on or after its effective
 * day, is refused. Awards before it stand. */
static int check_not_retired(cp__tx *tx, const cp_entry *e, cp_diag *d) {
  const uint8_t *buf;
  size_t len;
  char hex[2 * CP_HASH_BYTES + 1], day[11];
  int rc = withdrawal_before(tx, e->u.award.credential, e->seq, &buf, &len);
  if (rc == CP_ENOTFOUND) return CP_OK;
  if (rc != 0) return rc;
  uint32_t eff = cp__revoke_day(buf);
  if (e->time / 86400u < eff) return CP_OK;
  cp_hex_encode(e->u.award.credential, CP_HASH_BYTES, hex);
  cp_date_format(eff, day);
  return cp_diag_set(d, CP_ERULE,
                     "seq %llu: award.credential %s was retired effective %s (seq %llu): no new "
                     "award of it is accepted",
                     (unsigned long long)e->seq, hex, day,
                     (unsigned long long)cp__entry_seq(buf));
}

/* What a revoke may withdraw, and the period the target covers: [start,
 * end], end 0 for open; start 0 for no lower bound. */
static int revocable_period(const uint8_t *buf, size_t len, uint32_t *start, uint32_t *end) {
  cp_entry t;
  int rc = cp_entry_decode(buf, len, &t, NULL);
  if (rc != 0) return CP_ECORRUPT;
  *start = *end = 0;
  switch (t.type) {
  case CP_T_AWARD: *start = t.u.award.earned; return CP_OK;
  case CP_T_CREDENTIAL: return CP_OK;
  case CP_T_ENDORSE:
    if (t.version == CP_ENTRY_VERSION) {
      uint64_t day = t.time / 86400u;
      *start = day > UINT32_MAX ? UINT32_MAX : (uint32_t)day;
    } else {
      *start = t.u.endorse.from;
      *end = t.u.endorse.until;
    }
    return CP_OK;
  case CP_T_APPROVE:
    *start = t.u.approve.approved;
    *end = t.u.approve.expires;
    return CP_OK;
  case CP_T_LICENSURE:
    *start = t.u.licensure.from;
    *end = t.u.licensure.until;
    return CP_OK;
  default: return CP_EINVAL;
  }
}

/* SPEC: R-body-03 a revoke names an entry earlier in its own log that grants
 * something (version 1: an award; version 2: an award, endorse, approve,
 * credential or licensure entry), which no revoke withdrew before.
 * SPEC: R-body-09 a version 2 revoke's effective date is within what the
 * target covers: not before its first day (an award's earned date, a dated
 * endorsement's or attestation's from, an approval's approved date, an
 * undated endorsement's entry day) and not after its last day (until,
 * expires) when it has one. */
static int check_revoke(cp__tx *tx, const cp_entry *e, uint64_t self_rowid, cp_diag *d) {
  const char *field = e->version == CP_ENTRY_VERSION ? "revoke.award" : "revoke.target";
  char hex[2 * CP_HASH_BYTES + 1], day[11], lim[11];
  uint64_t row, seq;
  const uint8_t *buf;
  size_t len;
  int rc;
  if (e->version == CP_ENTRY_VERSION)
    rc = names_earlier(tx, e, e->u.revoke.target, CP_T_AWARD, field, d);
  else
    rc = names_earlier(tx, e, e->u.revoke.target, 0, field, d);
  if (rc != 0) return rc;
  if ((rc = cp__id_row(tx, e->u.revoke.target, &row)) != 0 ||
      (rc = cp__entry_of_rowid(tx, row, &buf, &len)) != 0)
    return rc;
  uint32_t start, end;
  rc = revocable_period(buf, len, &start, &end);
  cp_hex_encode(e->u.revoke.target, CP_HASH_BYTES, hex);
  if (rc == CP_EINVAL) {
    const char *tn = cp_entry_type_name(buf[1]);
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: %s %s is %s %s entry, which cannot be revoked (revocable: "
                       "award, endorse, approve, credential, licensure)",
                       (unsigned long long)e->seq, field, hex,
                       tn != NULL && strchr("aeiou", tn[0]) != NULL ? "an" : "a", tn);
  }
  if (rc != 0) return rc;
  rc = cp__withdrawal_row(tx, e->u.revoke.target, &row);
  if (rc == 0 && row != self_rowid) {
    rc = cp__entry_of_rowid(tx, row, &buf, &len);
    seq = rc == 0 && len >= CP_ENTRY_HEADER_BYTES ? cp__entry_seq(buf) : 0;
    return cp_diag_set(d, CP_ERULE, "seq %llu: %s %s is already revoked (seq %llu)",
                       (unsigned long long)e->seq, field, hex, (unsigned long long)seq);
  }
  if (rc != 0 && rc != CP_ENOTFOUND) return rc;
  if (e->version == CP_ENTRY_VERSION) return CP_OK;
  cp_date_format(e->u.revoke.effective, day);
  if (e->u.revoke.effective < start) {
    cp_date_format(start, lim);
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: revoke.effective %s is before %s, the first day %s covers; "
                       "to withdraw it from its start, give %s",
                       (unsigned long long)e->seq, day, lim, hex, lim);
  }
  if (end != 0 && e->u.revoke.effective > end) {
    cp_date_format(end, lim);
    return cp_diag_set(d, CP_ERULE,
                       "seq %llu: revoke.effective %s is after %s, the last day %s covers: "
                       "it has already lapsed",
                       (unsigned long long)e->seq, day, lim, hex);
  }
  return CP_OK;
}

int cp__check_rules(cp__tx *tx, const cp__logrec *lr, const cp_entry *e, uint64_t self_rowid,
                    cp_diag *d) {
  int rc;
  switch (e->type) {
  case CP_T_CREDENTIAL: {
    /* SPEC: R-body-01 a credential id is defined once per log. */
    uint8_t key[4 + CP_ID_MAX];
    cp__be32(key, lr->logno);
    memcpy(key + 4, e->u.credential.id.p, e->u.credential.id.len);
    MDB_val k = {4 + e->u.credential.id.len, key}, v;
    rc = mdb_get(tx->txn, tx->s->credids, &k, &v);
    if (rc == 0 && is_self(&v, self_rowid)) return CP_OK;
    if (rc == 0)
      return cp_diag_set(d, CP_ERULE, "seq %llu: credential id \"%.*s\" is already defined",
                         (unsigned long long)e->seq, (int)e->u.credential.id.len,
                         e->u.credential.id.p);
    return rc == MDB_NOTFOUND ? CP_OK : cp__err_mdb(rc, d, "credids");
  }
  case CP_T_AWARD:
    /* SPEC: R-body-02 an award names a credential defined earlier in its log,
     * not retired by then. */
    rc = names_earlier(tx, e, e->u.award.credential, CP_T_CREDENTIAL, "award.credential", d);
    return rc != 0 ? rc : check_not_retired(tx, e, d);
  case CP_T_REVOKE:
    return check_revoke(tx, e, self_rowid, d);
  case CP_T_POLICY: {
    /* SPEC: R-body-04 a policy document parses and validates. */
    cp_diag pd;
    rc = cp_policy_validate_as(e->u.policy.document.p, e->u.policy.document.len, e->log, &pd);
    if (rc != 0)
      return cp_diag_set(d, CP_ERULE, "seq %llu: policy \"%.*s\" is invalid: %s",
                         (unsigned long long)e->seq, (int)e->u.policy.id.len, e->u.policy.id.p,
                         pd.msg);
    return CP_OK;
  }
  case CP_T_RECOGNITION:
    /* SPEC: R-body-05 a recognition names a policy of its own log. */
    return names_earlier(tx, e, e->u.recognition.policy, CP_T_POLICY, "recognition.policy", d);
  case CP_T_ENDORSE:
    /* SPEC: R-body-06 an authority does not endorse itself. */
    if (e->u.endorse.kind == CP_SUBJECT_AUTHORITY &&
        memcmp(e->u.endorse.subject, lr->log, CP_PK_BYTES) == 0)
      return cp_diag_set(d, CP_ERULE, "seq %llu: an authority cannot endorse itself",
                         (unsigned long long)e->seq);
    return CP_OK;
  case CP_T_CLOCK:
    return check_clock(tx, lr, e, d);
  case CP_T_KEY:
    /* SPEC: R-body-07 a rotation names a new key. */
    if (e->u.key.action == CP_KEY_ROTATE &&
        memcmp(e->u.key.new_key, lr->signer, CP_PK_BYTES) == 0)
      return cp_diag_set(d, CP_ERULE, "seq %llu: key rotation to the same key",
                         (unsigned long long)e->seq);
    return CP_OK;
  default:
    return CP_OK;
  }
}

size_t cp__index_records(cp__tx *tx, uint32_t logno, const cp_entry *e,
                         const uint8_t id[CP_HASH_BYTES], uint64_t rowid, cp__idxrec out[4]) {
  const cp_store *s = tx->s;
  size_t n = 0;
#define REC(db, nm, kp, kl, isdup)                      \
  do {                                                   \
    out[n].dbi = s->db;                                  \
    out[n].name = nm;                                    \
    memcpy(out[n].key, kp, kl);                          \
    out[n].klen = kl;                                    \
    cp__be64(out[n].val, rowid);                         \
    out[n].vlen = 8;                                     \
    out[n].dup = isdup;                                  \
    n++;                                                 \
  } while (0)
  REC(ids, "ids", id, CP_HASH_BYTES, 0);
  uint8_t t = e->type;
  if (e->type != CP_T_AWARD) REC(by_type, "by_type", &t, 1, 1);
  switch (e->type) {
  case CP_T_AWARD:
    REC(by_edu, "by_edu", e->u.award.educator, CP_PK_BYTES, 1);
    REC(by_cred, "by_cred", e->u.award.credential, CP_HASH_BYTES, 1);
    break;
  case CP_T_APPROVE: REC(by_edu, "by_edu", e->u.approve.educator, CP_PK_BYTES, 1); break;
  case CP_T_RECOGNITION: REC(by_edu, "by_edu", e->u.recognition.educator, CP_PK_BYTES, 1); break;
  case CP_T_ENDORSE: REC(by_subj, "by_subj", e->u.endorse.subject, CP_HASH_BYTES, 1); break;
  case CP_T_REVOKE: {
    unsigned type = 0;
    int same = 0;
    uint64_t seq = 0;
    if (e->version == CP_ENTRY_VERSION ||
        (lookup(tx, e->u.revoke.target, e->log, &type, &same, &seq) == 0 && type == CP_T_AWARD))
      REC(revoked, "revoked", e->u.revoke.target, CP_HASH_BYTES, 0);
    else if (s->withdrawn != 0)
      REC(withdrawn, "withdrawn", e->u.revoke.target, CP_HASH_BYTES, 0);
    break;
  }
  case CP_T_LICENSURE:
    REC(by_edu, "by_edu", e->u.licensure.educator, CP_PK_BYTES, 1);
    break;
  case CP_T_CREDENTIAL: {
    uint8_t key[4 + CP_ID_MAX];
    cp__be32(key, logno);
    memcpy(key + 4, e->u.credential.id.p, e->u.credential.id.len);
    REC(credids, "credids", key, 4 + e->u.credential.id.len, 0);
    break;
  }
  default: break;
  }
#undef REC
  return n;
}
