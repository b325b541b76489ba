/*
 * credport — offline verification of an educator's bundle
 * (proto/bundle_verify.c; docs/FORMATS.md "Verifying a bundle").
 *
 * cp_bundle_verify checks a decoded bundle (bundle.h) completely, with no
 * node and no I/O: the educator's signature over everything, the challenge
 * and audience it answers; per log, the issuer (identified by the key of
 * its genesis entry, trusted only when the trust file lists that key), the
 * key chain through its key entries (each entry checked under the key in
 * force at its seq, nothing after a retirement), the checkpoint under the
 * key in force at its size, the revocation statement and its binding to
 * the checkpoint, the trusted witnesses' cosignatures (count, names,
 * newest time), the multiproof of its entries against the checkpoint; per
 * award, its educator, its definition and its absence proof. The result
 * lists every problem with a distinct reason.
 */
#ifndef CREDPORT_BUNDLE_VERIFY_H
#define CREDPORT_BUNDLE_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"
#include "error.h"
#include "trust.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a check failed. Each has a short name (cp_vreason_name) used in JSON
 * and a phrase (cp_vreason_text) used in human output. */
typedef enum cp_vreason {
  CP_V_OK = 0,
  CP_V_MALFORMED,  /* the bundle does not decode (at byte N) */
  CP_V_BADSIG,     /* a signature (entry, checkpoint, statement, bundle) fails */
  CP_V_RETIRED,    /* an entry dated after its log's key was retired */
  CP_V_NOT_IN_LOG, /* the inclusion proof does not lead to the checkpoint's root */
  CP_V_REVOKED,    /* an award is revoked, or nothing shows that it is not */
  CP_V_TOO_OLD,    /* the newest trusted cosignature is older than the maximum age */
  CP_V_UNTRUSTED,  /* the issuer's genesis key is not in the trust file */
  CP_V_CHALLENGE,  /* the bundle answers another challenge */
  CP_V_AUDIENCE,   /* the bundle was made for another audience */
  CP_V_WITNESSES,  /* fewer trusted witnesses cosigned than required */
  CP_V_FORK,       /* inconsistent with the verifier's node */
  CP_V_MISMATCH,   /* parts that do not belong together: an award of another
                           educator, a definition missing or of another log, a statement
                           bound to another checkpoint, a wallet instead of a bundle */
  CP_V_REASONS
} cp_vreason;

const char *cp_vreason_name(cp_vreason r); /* "bad_signature", ...; never NULL */
const char *cp_vreason_text(cp_vreason r); /* "bad signature", ...; never NULL */

#define CP_VERIFY_PROBLEMS_MAX 32U
#define CP_VERIFY_ENDORSE_MAX 32U /* endorsements shown per award */

typedef struct cp_vproblem {
  cp_vreason reason;
  long log;       /* index into the bundle's logs, or -1 */
  long entry;     /* index into the bundle's entries, or -1 */
  char text[320]; /* what, where, and the values that disagree */
} cp_vproblem;

/* What was found of one log. */
typedef struct cp_vlog {
  int trusted;        /* genesis key listed (under the log's origin) */
  int awards;         /* holds at least one award of the bundle */
  cp_vreason status;  /* the first problem of the log, or CP_V_OK */
  int checkpoint_ok;  /* note signature under the key in force at its size */
  int inclusion_ok;   /* multiproof root equals the checkpoint's */
  int statement_ok;   /* statement signature and binding */
  size_t entries_ok;  /* entries whose signature verified under their key */
  unsigned key_entries; /* key entries seen: rotations ... */
  int retired;        /* ... and whether one retires the key */
  uint64_t retired_seq;
  unsigned witnesses;                     /* trusted witnesses whose cosignature verified */
  unsigned witness[CP_WITNESS_TRUST_MAX]; /* their indexes in the trust file's witnesses */
  int has_cosig;
  uint64_t newest_cosig; /* greatest verified trusted cosignature time */
  uint64_t revocations;  /* the statement's revocation count */
} cp_vlog;

/* One award of the bundle, with what a reader needs to show it. */
typedef struct cp_vaward {
  size_t entry;                          /* index into the bundle's entries */
  size_t log;                            /* index into the bundle's logs */
  long definition;                       /* index of its credential entry, or -1 */
  cp_vreason status;                     /* CP_V_OK, or the first reason that touches it */
  size_t nendorse;                       /* endorsements of its credential or issuer */
  size_t endorse[CP_VERIFY_ENDORSE_MAX]; /* entry indexes */
  int endorse_ok[CP_VERIFY_ENDORSE_MAX]; /* the endorser is trusted, witnessed, fresh */
} cp_vaward;

typedef struct cp_vresult {
  int valid;         /* every check holds */
  cp_vreason reason; /* the first problem's reason, CP_V_OK when valid */
  int sig_ok, challenge_ok;
  int audience_checked, audience_ok;
  size_t nproblems;
  size_t more_problems; /* found beyond CP_VERIFY_PROBLEMS_MAX */
  cp_vproblem problems[CP_VERIFY_PROBLEMS_MAX];
  cp_vlog *logs; /* one per bundle log (malloc'd) */
  size_t nlogs;
  cp_vaward *awards; /* one per award, in bundle order (malloc'd) */
  size_t nawards;
} cp_vresult;

typedef struct cp_vopts {
  const cp_trust *trust;
  const char *challenge; /* required */
  size_t challenge_len;
  const char *audience; /* NULL: not checked */
  size_t audience_len;
  uint64_t now;       /* Unix seconds, for max_age */
  uint64_t max_age;   /* seconds; 0: no limit */
  unsigned witnesses; /* trusted cosignatures required per log; 0: none */
} cp_vopts;

/*
 * Verifies b against o into r (caller-owned; cp_vresult_free releases it
 * whatever the return). Returns 0 when the checks ran (r->valid tells the
 * verdict; r->logs and r->awards borrow nothing), CP_ENOMEM, or CP_EINVAL
 * for a NULL trust or challenge. A log that holds no award of the bundle
 * (an endorser's) fails the bundle only through its integrity (signatures,
 * inclusion, statement); when its issuer is untrusted, under-witnessed or
 * stale, its endorsements are shown as not counted instead.
 */
int cp_bundle_verify(const cp_bundle *b, const cp_vopts *o, cp_vresult *r)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));
void cp_vresult_free(cp_vresult *r);

/* Records a problem found outside the library (a node's checks), updating
 * r->valid, r->reason, the log's status and its awards' statuses. */
void cp_vresult_add(cp_vresult *r, cp_vreason reason, long log, long entry, const char *fmt, ...)
    __attribute__((format(printf, 5, 6), nonnull(1, 5)));

/* Records a bundle that does not decode: reason CP_V_MALFORMED with d's
 * text. r must be zeroed (or freed) before. */
void cp_vresult_malformed(cp_vresult *r, const cp_diag *d) __attribute__((nonnull));

#ifdef __cplusplus
}
#endif

#endif
