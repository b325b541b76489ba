/* credport — offline verification of an educator's bundle
 * (include/credport/bundle_verify.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/bundle_verify.h"
#include "credport/codec.h"
#include "credport/entry.h"
#include "credport/merkle.h"
#include "credport/revstatus.h"

static const struct {
  const char *name, *text;
} reasons[CP_V_REASONS] = {
    [CP_V_OK] = {"ok", "holds"},
    [CP_V_MALFORMED] = {"malformed", "malformed bundle"},
    [CP_V_BADSIG] = {"bad_signature", "bad signature"},
    [CP_V_RETIRED] = {"retired_key", "signed after the key was retired"},
    [CP_V_NOT_IN_LOG] = {"not_in_log", "not in the log"},
    [CP_V_REVOKED] = {"revoked", "revoked"},
    [CP_V_TOO_OLD] = {"too_old", "checkpoint too old"},
    [CP_V_UNTRUSTED] = {"untrusted_issuer", "untrusted issuer"},
    [CP_V_CHALLENGE] = {"wrong_challenge", "wrong challenge"},
    [CP_V_AUDIENCE] = {"wrong_audience", "wrong audience"},
    [CP_V_WITNESSES] = {"too_few_witnesses", "too few witnesses"},
    [CP_V_FORK] = {"fork", "inconsistent with the verifier's node (fork)"},
    [CP_V_MISMATCH] = {"mismatch", "parts that do not belong together"},
};

const char *cp_vreason_name(cp_vreason r) {
  return (unsigned)r < CP_V_REASONS ? reasons[r].name : "unknown";
}

const char *cp_vreason_text(cp_vreason r) {
  return (unsigned)r < CP_V_REASONS ? reasons[r].text : "unknown reason";
}

/* Policy reasons: they concern whom the verifier trusts and how fresh,
 * not whether the bundle is what it claims to be. */
static int policy_reason(cp_vreason r) {
  return r == CP_V_UNTRUSTED || r == CP_V_WITNESSES || r == CP_V_TOO_OLD;
}

static void add_v(cp_vresult *r, cp_vreason reason, long log, long entry, const char *fmt,
                  va_list ap) {
  if (r->nproblems < CP_VERIFY_PROBLEMS_MAX) {
    cp_vproblem *p = &r->problems[r->nproblems++];
    p->reason = reason;
    p->log = log;
    p->entry = entry;
    vsnprintf(p->text, sizeof p->text, fmt, ap);
  } else {
    r->more_problems++;
  }
  if (r->valid || r->reason == CP_V_OK) r->reason = reason;
  r->valid = 0;
  if (log >= 0 && (size_t)log < r->nlogs && r->logs[log].status == CP_V_OK)
    r->logs[log].status = reason;
  for (size_t i = 0; i < r->nawards; i++) {
    cp_vaward *a = &r->awards[i];
    if (a->status != CP_V_OK) continue;
    if (entry >= 0 ? a->entry == (size_t)entry : (log < 0 || a->log == (size_t)log))
      a->status = reason;
  }
}

/* A problem of the bundle (log and entry -1), of a log (entry -1: every
 * award of the log) or of one entry. */
void cp_vresult_add(cp_vresult *r, cp_vreason reason, long log, long entry, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  add_v(r, reason, log, entry, fmt, ap);
  va_end(ap);
}

void cp_vresult_malformed(cp_vresult *r, const cp_diag *d) {
  r->valid = 1;
  cp_vresult_add(r, CP_V_MALFORMED, -1, -1, "%s", d->msg);
}

void cp_vresult_free(cp_vresult *r) {
  free(r->logs);
  free(r->awards);
  r->logs = NULL;
  r->awards = NULL;
  r->nlogs = r->nawards = 0;
}

/* The verifier key of an Ed25519 note key named origin. */
static void log_verifier(const char *origin, const uint8_t pk[CP_PK_BYTES], cp_note_verifier *v) {
  memset(v, 0, sizeof *v);
  snprintf(v->name, sizeof v->name, "%s", origin);
  v->alg = CP_NOTE_ALG_ED25519;
  memcpy(v->pk, pk, CP_PK_BYTES);
  v->key_id = cp_note_key_id(v->name, v->alg, v->pk);
}

/* State of one log while it is checked. */
typedef struct logst {
  char origin[CP_ORIGIN_MAX + 1];
  uint8_t signer[CP_PK_BYTES]; /* key in force after the entries walked so far */
  int has_statement;
  cp_revstat st;
} logst;

/* Walks log i's entries in seq order: each signature under the key in force
 * at its seq, following rotations, refusing anything after a retirement. */
static void check_entries(const cp_bundle *b, size_t i, logst *ls, cp_vresult *r) {
  const cp_bundle_log *L = &b->logs[i];
  cp_vlog *vl = &r->logs[i];
  char hex[17];
  memcpy(ls->signer, L->key, CP_PK_BYTES);
  for (size_t j = L->first; j < L->first + L->n; j++) {
    const cp_bundle_entry *be = &b->entries[j];
    const char *tn = cp_entry_type_name(be->type);
    cp_entry e;
    if (vl->retired && be->seq > vl->retired_seq) {
      cp_vresult_add(r, CP_V_RETIRED, (long)i, (long)j,
                     "%s at seq %llu of %s: the log's key was retired at seq %llu",
                     tn ? tn : "entry", (unsigned long long)be->seq, ls->origin,
                     (unsigned long long)vl->retired_seq);
      continue;
    }
    if (cp_entry_verify(be->buf, be->len, ls->signer) != CP_OK) {
      cp_hex_encode(ls->signer, 8, hex);
      cp_vresult_add(
          r, CP_V_BADSIG, (long)i, (long)j,
          "%s at seq %llu of %s: its signature does not verify under the key in force at "
          "that seq (%s...)",
          tn ? tn : "entry", (unsigned long long)be->seq, ls->origin, hex);
      continue;
    }
    vl->entries_ok++;
    if (be->type != CP_T_KEY || cp_entry_decode(be->buf, be->len, &e, NULL) != CP_OK) continue;
    vl->key_entries++;
    if (e.u.key.action == CP_KEY_ROTATE) {
      memcpy(ls->signer, e.u.key.new_key, CP_PK_BYTES);
    } else {
      vl->retired = 1;
      vl->retired_seq = be->seq;
    }
  }
}

/* The checkpoint under the key in force at its size (the signer after every
 * entry, all of which lie below the size), its cosignatures by trusted
 * witnesses, and the multiproof of the log's entries. */
static void check_checkpoint(const cp_bundle *b, size_t i, logst *ls, const cp_vopts *o,
                             cp_vresult *r) {
  const cp_bundle_log *L = &b->logs[i];
  cp_vlog *vl = &r->logs[i];
  cp_note_verifier vs[1 + CP_WITNESS_TRUST_MAX];
  cp_note_result res;
  cp_diag d = {{0}};
  size_t nw = o->trust->n_witnesses;
  log_verifier(ls->origin, ls->signer, &vs[0]);
  memcpy(vs + 1, o->trust->witnesses, nw * sizeof vs[0]);
  int rc = cp_note_open_checkpoint(L->note, L->note_len, vs, 1 + nw, ls->origin, &res, &d);
  if (rc == CP_EDENIED) {
    cp_vresult_add(r, CP_V_MISMATCH, (long)i, -1, "the checkpoint of %s: %s", ls->origin, d.msg);
    return;
  }
  if (rc != CP_OK) {
    cp_vresult_add(r, rc == CP_EBADSIG ? CP_V_BADSIG : CP_V_MALFORMED, (long)i, -1,
                   "the checkpoint of %s at size %llu: %s", ls->origin,
                   (unsigned long long)L->cp.size, d.msg);
    return;
  }
  vl->checkpoint_ok = 1;
  for (unsigned k = 0; k < res.cosigned; k++) {
    vl->witness[vl->witnesses++] = res.cosig_by[k] - 1;
    if (!vl->has_cosig || res.cosig_time[k] > vl->newest_cosig)
      vl->newest_cosig = res.cosig_time[k];
    vl->has_cosig = 1;
  }
  uint8_t root[CP_HASH_BYTES];
  rc = cp_bundle_log_root(b, i, root);
  if (rc != CP_OK || memcmp(root, res.cp.root, CP_HASH_BYTES) != 0) {
    cp_vresult_add(r, CP_V_NOT_IN_LOG, (long)i, -1,
                   "the %zu entries of %s are not in its log at size %llu: their proof leads to "
                   "another root",
                   L->n, ls->origin, (unsigned long long)res.cp.size);
    return;
  }
  vl->inclusion_ok = 1;
}

/* The revocation statement: signed by the key in force at its size, which
 * must be the checkpoint's, and bound to the checkpoint's origin and root. */
static void check_statement(const cp_bundle *b, size_t i, logst *ls, cp_vresult *r) {
  const cp_bundle_log *L = &b->logs[i];
  cp_note_verifier v;
  cp_diag d = {{0}};
  if (L->statement == NULL) return;
  log_verifier(ls->origin, ls->signer, &v);
  int rc = cp_revstat_open(L->statement, L->statement_len, &v, 1, &ls->st, &d);
  if (rc != CP_OK) {
    cp_vresult_add(r, rc == CP_EBADSIG ? CP_V_BADSIG : CP_V_MALFORMED, (long)i, -1,
                   "the revocation statement of %s: %s", ls->origin, d.msg);
    return;
  }
  if (strcmp(ls->st.origin, ls->origin) != 0 || ls->st.size != L->cp.size ||
      memcmp(ls->st.root, L->cp.root, CP_HASH_BYTES) != 0) {
    cp_vresult_add(r, CP_V_MISMATCH, (long)i, -1,
                   "the revocation statement of %s (size %llu) is not bound to its checkpoint "
                   "(size %llu)",
                   ls->origin, (unsigned long long)ls->st.size, (unsigned long long)L->cp.size);
    return;
  }
  ls->has_statement = 1;
  r->logs[i].statement_ok = 1;
  r->logs[i].revocations = ls->st.count;
}

/* Trust, witnesses and freshness of log i; reported as problems for a log
 * holding awards, and returned (the first failing reason) for all. */
static cp_vreason check_policy(const cp_bundle *b, size_t i, const logst *ls, const cp_vopts *o,
                               cp_vresult *r) {
  const cp_bundle_log *L = &b->logs[i];
  cp_vlog *vl = &r->logs[i];
  cp_vreason first = CP_V_OK;
  char hex[2 * CP_PK_BYTES + 1];
  const cp_note_verifier *tv = cp_trust_issuer(o->trust, L->key);
  vl->trusted = tv != NULL && strcmp(tv->name, ls->origin) == 0;
  if (!vl->trusted) {
    first = CP_V_UNTRUSTED;
    cp_hex_encode(L->key, CP_PK_BYTES, hex);
    if (vl->awards && tv != NULL)
      cp_vresult_add(r, CP_V_UNTRUSTED, (long)i, -1,
                     "%s: the trust file lists its key under another name (%s)", ls->origin,
                     tv->name);
    else if (vl->awards)
      cp_vresult_add(r, CP_V_UNTRUSTED, (long)i, -1,
                     "%s: its genesis key %s is not in the trust file", ls->origin, hex);
  }
  if (o->witnesses > 0 && vl->checkpoint_ok && vl->witnesses < o->witnesses) {
    char names[240] = "";
    size_t pos = 0;
    for (unsigned k = 0; k < vl->witnesses && pos < sizeof names; k++) {
      int n = snprintf(names + pos, sizeof names - pos, "%s%s", k ? ", " : "",
                       o->trust->witnesses[vl->witness[k]].name);
      if (n > 0) pos += (size_t)n;
    }
    if (first == CP_V_OK) first = CP_V_WITNESSES;
    if (vl->awards)
      cp_vresult_add(r, CP_V_WITNESSES, (long)i, -1,
                     "%s at size %llu: cosigned by %u of the %u required trusted witnesses (%zu "
                     "trusted)%s%s",
                     ls->origin, (unsigned long long)L->cp.size, vl->witnesses, o->witnesses,
                     o->trust->n_witnesses, vl->witnesses ? ": " : "", names);
  }
  if (o->max_age > 0 && vl->checkpoint_ok &&
      (!vl->has_cosig || (o->now > vl->newest_cosig && o->now - vl->newest_cosig > o->max_age))) {
    if (first == CP_V_OK) first = CP_V_TOO_OLD;
    if (vl->awards && !vl->has_cosig)
      cp_vresult_add(r, CP_V_TOO_OLD, (long)i, -1,
                     "%s: no trusted witness cosigned its checkpoint, so nothing dates it",
                     ls->origin);
    else if (vl->awards)
      cp_vresult_add(
          r, CP_V_TOO_OLD, (long)i, -1,
          "%s: its newest trusted cosignature is %llu s old, more than the %llu s allowed",
          ls->origin, (unsigned long long)(o->now - vl->newest_cosig),
          (unsigned long long)o->max_age);
  }
  return first;
}

/* Award j (entry index) of log i: its educator, its definition (present,
 * a credential, of the same log), its absence proof under the statement. */
static void check_award(const cp_bundle *b, size_t j, const logst *ls, cp_vaward *a,
                        cp_vresult *r) {
  const cp_bundle_entry *be = &b->entries[j];
  cp_entry e;
  cp_absence_proof p;
  cp_diag d = {{0}};
  char hex[17];
  size_t k;
  long i = (long)be->log;
  cp_hex_encode(be->id, 8, hex);
  if (cp_entry_decode(be->buf, be->len, &e, &d) != CP_OK) {
    cp_vresult_add(r, CP_V_MALFORMED, i, (long)j, "award %s...: %s", hex, d.msg);
    return;
  }
  if (memcmp(e.u.award.educator, b->educator, CP_PK_BYTES) != 0)
    cp_vresult_add(r, CP_V_MISMATCH, i, (long)j, "award %s... of %s is another educator's", hex,
                   ls->origin);
  if (cp_bundle_find(b, e.u.award.credential, &k) != CP_OK ||
      b->entries[k].type != CP_T_CREDENTIAL || b->entries[k].log != be->log)
    cp_vresult_add(
        r, CP_V_MISMATCH, i, (long)j,
        "award %s... of %s: its credential definition is not in the bundle's part of its log", hex,
        ls->origin);
  else
    a->definition = (long)k;
  if (!ls->has_statement) {
    if (b->logs[be->log].statement == NULL)
      cp_vresult_add(
          r, CP_V_REVOKED, i, (long)j,
          "award %s... of %s: no revocation statement, so nothing shows it is not revoked", hex,
          ls->origin);
    return; /* a statement that failed is reported already */
  }
  int rc = cp_bundle_absence(b, j, &p, &d);
  if (rc == CP_ENOTFOUND) {
    cp_vresult_add(r, CP_V_REVOKED, i, (long)j, "award %s... of %s is marked revoked", hex,
                   ls->origin);
  } else if (rc != CP_OK) {
    cp_vresult_add(r, CP_V_MALFORMED, i, (long)j, "award %s...: absence proof: %s", hex, d.msg);
  } else if (cp_rev_verify_absent(be->id, ls->st.count, ls->st.rev_root, &p) != CP_OK) {
    cp_vresult_add(
        r, CP_V_REVOKED, i, (long)j,
        "award %s... of %s: the proof that it is not among the %llu revoked awards at size "
        "%llu does not hold",
        hex, ls->origin, (unsigned long long)ls->st.count, (unsigned long long)ls->st.size);
  }
}

/* Endorsements of award a's credential or issuer, each marked counted when
 * its log passed every check, policy included. */
static void find_endorsements(const cp_bundle *b, const cp_vresult *r, const cp_vreason *pol,
                              cp_vaward *a) {
  const cp_bundle_entry *aw = &b->entries[a->entry];
  const uint8_t *issuer = b->logs[aw->log].key;
  cp_entry e;
  for (size_t j = 0; j < b->nentries && a->nendorse < CP_VERIFY_ENDORSE_MAX; j++) {
    const cp_bundle_entry *be = &b->entries[j];
    if (be->type != CP_T_ENDORSE || cp_entry_decode(be->buf, be->len, &e, NULL) != CP_OK) continue;
    int hit = (e.u.endorse.kind == CP_SUBJECT_CREDENTIAL && a->definition >= 0 &&
               memcmp(e.u.endorse.subject, b->entries[a->definition].id, CP_HASH_BYTES) == 0) ||
              (e.u.endorse.kind == CP_SUBJECT_AUTHORITY &&
               memcmp(e.u.endorse.subject, issuer, CP_PK_BYTES) == 0);
    if (!hit) continue;
    a->endorse[a->nendorse] = j;
    a->endorse_ok[a->nendorse] = r->logs[be->log].status == CP_V_OK && pol[be->log] == CP_V_OK;
    a->nendorse++;
  }
}

/* At most 100 bytes of a text quoted in a message (a cut may split a UTF-8
 * character: messages are shown escaped). */
static size_t clip(size_t n) { return n > 100 ? 100 : n; }

int cp_bundle_verify(const cp_bundle *b, const cp_vopts *o, cp_vresult *r) {
  logst *ls = NULL;
  cp_vreason *pol = NULL;
  int rc = CP_OK;
  memset(r, 0, sizeof *r);
  r->valid = 1;
  if (o->trust == NULL || o->challenge == NULL) return CP_EINVAL;
  r->logs = calloc(b->nlogs ? b->nlogs : 1, sizeof *r->logs);
  r->awards = calloc(b->nentries ? b->nentries : 1, sizeof *r->awards);
  ls = calloc(b->nlogs ? b->nlogs : 1, sizeof *ls);
  pol = calloc(b->nlogs ? b->nlogs : 1, sizeof *pol);
  if (r->logs == NULL || r->awards == NULL || ls == NULL || pol == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  r->nlogs = b->nlogs;
  for (size_t j = 0; j < b->nentries; j++)
    if (b->entries[j].type == CP_T_AWARD) {
      cp_vaward *a = &r->awards[r->nawards++];
      a->entry = j;
      a->log = b->entries[j].log;
      a->definition = -1;
      r->logs[b->entries[j].log].awards = 1;
    }

  /* The bundle as a whole: a bundle (not a wallet), signed by its educator,
   * answering this challenge, for this audience. */
  if (b->kind != CP_BUNDLE_KIND_BUNDLE || b->sig == NULL || b->len < CP_SIG_BYTES) {
    cp_vresult_add(r, CP_V_MISMATCH, -1, -1,
                   "this is a wallet, not a bundle: the educator makes "
                   "a bundle from it with `credport present`");
    goto out;
  }
  r->sig_ok = cp_sig_verify(CP_PURPOSE_BUNDLE, b->sig, b->bytes, b->len - CP_SIG_BYTES,
                            b->educator) == CP_OK;
  if (!r->sig_ok)
    cp_vresult_add(
        r, CP_V_BADSIG, -1, -1,
        "the educator's signature over the bundle does not verify under its educator key");
  r->challenge_ok = b->challenge_len == o->challenge_len &&
                    memcmp(b->challenge, o->challenge, o->challenge_len) == 0;
  if (!r->challenge_ok)
    cp_vresult_add(r, CP_V_CHALLENGE, -1, -1,
                   "the bundle answers the challenge \"%.*s%s\", not \"%.*s%s\"",
                   (int)clip(b->challenge_len), b->challenge, b->challenge_len > 100 ? "..." : "",
                   (int)clip(o->challenge_len), o->challenge, o->challenge_len > 100 ? "..." : "");
  if (o->audience != NULL) {
    r->audience_checked = 1;
    r->audience_ok = b->audience_len == o->audience_len &&
                     memcmp(b->audience, o->audience, o->audience_len) == 0;
    if (!r->audience_ok)
      cp_vresult_add(r, CP_V_AUDIENCE, -1, -1, "the bundle was made for \"%.*s%s\", not \"%.*s%s\"",
                     (int)clip(b->audience_len), b->audience, b->audience_len > 100 ? "..." : "",
                     (int)clip(o->audience_len), o->audience, o->audience_len > 100 ? "..." : "");
  }

  for (size_t i = 0; i < b->nlogs; i++) {
    const cp_bundle_log *L = &b->logs[i];
    cp_entry g;
    cp_diag d = {{0}};
    if (L->n == 0 || b->entries[L->first].seq != 0 ||
        cp_entry_decode(b->entries[L->first].buf, b->entries[L->first].len, &g, &d) != CP_OK ||
        g.type != CP_T_AUTHORITY) {
      cp_vresult_add(r, CP_V_MALFORMED, (long)i, -1, "log %zu has no genesis entry", i);
      continue;
    }
    memcpy(ls[i].origin, g.u.authority.origin.p, g.u.authority.origin.len);
    check_entries(b, i, &ls[i], r);
    check_checkpoint(b, i, &ls[i], o, r);
    check_statement(b, i, &ls[i], r);
    pol[i] = check_policy(b, i, &ls[i], o, r);
  }
  for (size_t k = 0; k < r->nawards; k++) {
    cp_vaward *a = &r->awards[k];
    size_t i = b->entries[a->entry].log;
    if (r->logs[i].status == CP_V_OK || policy_reason(r->logs[i].status))
      check_award(b, a->entry, &ls[i], a, r);
    find_endorsements(b, r, pol, a);
  }
out:
  free(ls);
  free(pol);
  return rc;
}
