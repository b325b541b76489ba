/*
 * credport — recognition policies and the recognition engine
 * (node/policy*.c, node/recognize*.c). The policy language is specified in
 * docs/POLICIES.md.
 *
 * A policy is a JSON document an authority publishes on its log. It turns
 * an educator's verified awards into that authority's currencies (CPD
 * credits, renewal credits, contact units, certifications, salary dollars).
 * cp_policy_compile parses and checks a document once, into an immutable
 * cp_policy that evaluates awards without touching JSON again.
 *
 * The engine is pure: no files, no LMDB, no clock, no randomness. Every
 * fact comes from the caller (the ledger store gathers them), the as-of date
 * included, so the same facts, policy and date give byte-identical output on
 * every machine. Amounts are exact integers in each currency's smallest unit
 * (cents, hundredths of a credit); any arithmetic that would overflow fails
 * with CP_EOVERFLOW, never silently.
 *
 * Policies arrive from other authorities over sync and are hostile input:
 * every limit below is checked while parsing, and evaluation costs at most
 * O(A log A + P log P + A * R * (log P + s)) for A awards, P pre-approvals,
 * R rules, s the longest hash probe in a credential list (<= its length).
 *
 * Thread safety: a compiled cp_policy and a cp_policy_env are immutable and
 * may be shared by threads; results and district views are not.
 */
#ifndef CREDPORT_POLICY_H
#define CREDPORT_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits on policy documents (docs/POLICIES.md, "Limits"). */
#define CP_POLICY_DOC_MAX         CP_DOC_MAX /* bytes of JSON */
#define CP_POLICY_DEPTH_MAX       8u         /* nesting of objects and arrays */
#define CP_POLICY_RULES_MAX       32u
#define CP_POLICY_CURRENCIES_MAX  CP_TOTALS_MAX
#define CP_POLICY_AUTHORITIES_MAX 64u
#define CP_POLICY_SETS_MAX        32u             /* named sets, inline sets included */
#define CP_POLICY_SET_ITEMS_MAX   1024u           /* credentials in one set */
#define CP_POLICY_ITEMS_MAX       4096u           /* credentials in all sets together */
#define CP_POLICY_ISSUERS_MAX     64u             /* issuers in one filter */
#define CP_POLICY_AMOUNT_MAX      1000000000000LL /* any amount, in smallest units */
#define CP_POLICY_DECIMALS_MAX    4u
#define CP_POLICY_COUNT_MAX       100000u /* "every" and milestone counts */
#define CP_POLICY_CYCLE_YEARS_MAX 50u
#define CP_POLICY_LEVEL_MAX       4u /* credential levels are 1..4 */
#define CP_POLICY_DISTRICT_YEARS_MAX 50u /* fiscal years in one projection */

/* Limits on the facts of one evaluation. */
#define CP_POLICY_AWARDS_MAX    (1u << 20) /* awards of one educator */
#define CP_POLICY_APPROVALS_MAX (1u << 20) /* pre-approvals of one educator */
#define CP_POLICY_ENDORSE_MAX   (1u << 22) /* endorsements in one environment */
#define CP_POLICY_ATTESTATIONS_MAX (1u << 16) /* licensure attestations of one educator */

typedef struct cp_policy cp_policy;
typedef struct cp_policy_env cp_policy_env;
typedef struct cp_policy_result cp_policy_result;
typedef struct cp_policy_district cp_policy_district;

/* The fate of one award under one rule (docs/POLICIES.md, "Fates"). */
typedef enum {
  CP_PR_COUNTED = 0,          /* credited in full (amount may be 0: part of a group) */
  CP_PR_CAPPED,               /* credited in part: the window's cap was reached */
  CP_PR_OVER_CAP,             /* qualified, but the window's cap was already used */
  CP_PR_GROUP_INCOMPLETE,     /* "n awards for m units": left over, n not reached */
  CP_PR_BUNDLE_INCOMPLETE,    /* a bundle member, but not every member is earned */
  CP_PR_MILESTONE_INCOMPLETE, /* toward a milestone that is not reached */
  CP_PR_NOT_NEEDED,           /* the milestone was reached without it */
  CP_PR_DUPLICATE,            /* the same credential already counted under the rule */
  CP_PR_NOT_LISTED,           /* the credential is not in the rule's list */
  CP_PR_EXCLUDED,             /* the credential is in the rule's exclusion list */
  CP_PR_UNTRUSTED_ISSUER,     /* the issuer is not one the rule recognises */
  CP_PR_BELOW_LEVEL,          /* the credential's level is below the minimum */
  CP_PR_QA_MISSING,           /* the definition does not claim the QA standard */
  CP_PR_AREA_MISMATCH,        /* no licensure area in common with the educator */
  CP_PR_NOT_ENDORSED,         /* the named authority has not endorsed it */
  CP_PR_NO_PREAPPROVAL,       /* no pre-approval by the named authority before it was earned */
  CP_PR_OUTSIDE_WINDOW,       /* earned (or completed) outside the rule's window */
  CP_PR_REVOKED,              /* revoked on or before the as-of date */
  CP_PR_AFTER_AS_OF,          /* earned after the as-of date */
  CP_PR_LEVEL_NOT_RATED,      /* the level table has no amount for its level */
  CP_PR_NOT_IN_EFFECT,        /* the policy is not in effect on the as-of date */
  CP_PR_APPROVAL_LOGGED_LATE, /* approved for the earned date, but logged after it */
  CP_PR_COUNT_                /* number of fates; not a fate */
} cp_policy_reason;

/* Returns the fate's stable name ("counted", "untrusted_issuer", ...), as
 * written in result JSON; "unknown" for a value out of range. */
const char *cp_policy_reason_name(int reason);

/* --- Facts: plain data the caller gathers; the engine only reads it. ----- */

/* One award held by the educator. All pointers are borrowed for the
 * duration of the call they are passed to. */
typedef struct cp_policy_award {
  uint8_t id[CP_HASH_BYTES];         /* award entry ID */
  uint8_t issuer[CP_PK_BYTES];       /* log key of the issuing authority */
  uint8_t credential[CP_HASH_BYTES]; /* entry ID of the credential definition */
  cp_str cred_id;                    /* definition's stable id, e.g. "nc-mooc-ld-1" */
  uint8_t level;                     /* 1..4 */
  uint32_t hours_x100;               /* contact hours in hundredths */
  const cp_str *areas;               /* licensure areas of the definition */
  size_t n_areas;                    /* at most CP_LIST_MAX */
  const cp_str *qa;                  /* QA standards the definition claims */
  size_t n_qa;                       /* at most CP_LIST_MAX */
  uint32_t earned;                   /* days since 1970-01-01 */
  uint32_t revoked;                  /* day of revocation; 0 = not revoked */
} cp_policy_award;

/* An endorsement entry: endorser vouches for an authority (kind
 * CP_SUBJECT_AUTHORITY, subject = its key) or for a credential definition
 * (CP_SUBJECT_CREDENTIAL, subject = its entry ID). */
typedef struct cp_policy_endorsement {
  uint8_t endorser[CP_PK_BYTES];
  uint8_t kind; /* cp_subject_kind */
  uint8_t subject[CP_HASH_BYTES];
  cp_str claim;  /* e.g. "approved", "qa:multistate-mc-2024" */
  uint32_t date; /* first day in force (days since 1970-01-01) */
  uint32_t until;     /* last day in force; 0 = open */
  uint32_t withdrawn; /* first day no longer in force (a revoke's effective date); 0 = never */
} cp_policy_endorsement;

/* A pre-approval entry: approver approved educator's plan for a credential. */
typedef struct cp_policy_approval {
  uint8_t approver[CP_PK_BYTES];
  uint8_t educator[CP_PK_BYTES];
  uint8_t credential[CP_HASH_BYTES]; /* credential definition entry ID */
  uint32_t approved;                 /* days since 1970-01-01 */
  uint32_t expires;                  /* last day it covers; 0 = no expiry */
  uint32_t logged;    /* day its entry was logged (entry time); 0 = unknown, never late */
  uint32_t withdrawn; /* first day no longer in force; 0 = never */
} cp_policy_approval;

/* A licensure attestation: attester attests the educator's areas for a
 * period. Those naming another educator are ignored. */
typedef struct cp_policy_attestation {
  uint8_t attester[CP_PK_BYTES];
  uint8_t educator[CP_PK_BYTES];
  const cp_str *areas; /* 1..CP_LIST_MAX */
  size_t n_areas;
  uint32_t from, until; /* inclusive; until 0 = open */
  uint32_t withdrawn;   /* first day no longer in force; 0 = never */
} cp_policy_attestation;

/* One educator and everything known about them. Approvals naming another
 * educator are ignored. */
typedef struct cp_policy_educator {
  uint8_t key[CP_PK_BYTES]; /* the educator's Ed25519 public key */
  const cp_str *areas;      /* licensure areas given by hand (--areas): when
                               n_areas > 0 they replace the attestations */
  size_t n_areas;           /* at most CP_LIST_MAX */
  const cp_policy_award *awards;
  size_t n_awards; /* at most CP_POLICY_AWARDS_MAX */
  const cp_policy_approval *approvals;
  size_t n_approvals; /* at most CP_POLICY_APPROVALS_MAX */
  const cp_policy_attestation *attestations;
  size_t n_attestations; /* at most CP_POLICY_ATTESTATIONS_MAX */
} cp_policy_educator;

/* --- Policies -------------------------------------------------------------- */

/*
 * Checks a policy document without keeping anything: the check the ledger
 * applies to every policy entry, from anywhere. Returns CP_OK, CP_EPOLICY
 * (d says "line L, column C: path: reason"; line and column are given for
 * syntax errors and, for semantic errors, wherever the value can be found),
 * CP_ETOOBIG (document over CP_POLICY_DOC_MAX) or CP_ENOMEM.
 */
int cp_policy_validate(const char *doc, size_t len, cp_diag *d) __attribute__((warn_unused_result));

/*
 * Parses and compiles a policy document (len bytes, no NUL needed) into
 * *out, which the caller frees with cp_policy_free. The document is not
 * referenced afterwards. Errors as cp_policy_validate; *out is set only on
 * success.
 */
int cp_policy_compile(const char *doc, size_t len, cp_policy **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));
/* As cp_policy_compile / cp_policy_validate, for a document published by
 * the authority self (the policy entry's log key): "@self" in the document
 * names it. Without self (NULL, or the functions above), "@self" is an error unless
 * the document defines a label of that name. */
int cp_policy_compile_as(const char *doc, size_t len, const uint8_t self[CP_PK_BYTES],
                         cp_policy **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 4)));
int cp_policy_validate_as(const char *doc, size_t len, const uint8_t self[CP_PK_BYTES],
                          cp_diag *d) __attribute__((warn_unused_result));
void cp_policy_free(cp_policy *p);

/* The policy's "id" member; valid as long as p. */
const char *cp_policy_id(const cp_policy *p) __attribute__((nonnull));
size_t cp_policy_n_currencies(const cp_policy *p) __attribute__((nonnull));
/* Currency i (0 <= i < n, in document order): id (valid as long as p),
 * decimals of its smallest unit, and whether it is money. CP_EINVAL if i is
 * out of range. Any OUT pointer may be NULL. */
int cp_policy_currency(const cp_policy *p, size_t i, const char **id, unsigned *decimals,
                       int *is_money) __attribute__((nonnull(1)));
/* Currency i's "unit" (what one unit is, for people; valid as long as p),
 * "" if i is out of range. */
const char *cp_policy_currency_unit(const cp_policy *p, size_t i) __attribute__((nonnull));

/* --- Environment: facts shared by every educator. -------------------------- */

/*
 * Indexes the endorsements known to the ledger once, for many evaluations.
 * e is copied (claims included); the caller may free it afterwards. n may be
 * 0 (then e may be NULL). CP_ETOOBIG over CP_POLICY_ENDORSE_MAX, CP_EINVAL
 * on an unknown kind or oversize claim, CP_ENOMEM.
 */
int cp_policy_env_new(const cp_policy_endorsement *e, size_t n, cp_policy_env **out)
    __attribute__((warn_unused_result, nonnull(3)));
void cp_policy_env_free(cp_policy_env *env);

/* --- Evaluation of one educator. ------------------------------------------- */

/*
 * Evaluates p for one educator as of the day as_of (days since 1970-01-01).
 * env may be NULL (no endorsements known). On success *out holds the totals
 * and every award's fate under every rule, and the canonical explanation
 * JSON; it refers to p, which must outlive it. Nothing in ed is referenced
 * after the call. Errors: CP_EINVAL (a fact out of its domain: level, list
 * sizes, string lengths; d says which), CP_ETOOBIG, CP_EOVERFLOW, CP_ENOMEM.
 */
int cp_policy_evaluate(const cp_policy *p, const cp_policy_env *env, const cp_policy_educator *ed,
                       uint32_t as_of, cp_policy_result **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3, 5)));
void cp_policy_result_free(cp_policy_result *r);

/* Canonical explanation JSON (docs/POLICIES.md, "Results"): fixed member
 * order, integers only, no insignificant whitespace, awards sorted by
 * (earned, award ID). Byte-identical for the same facts in any order. Valid
 * as long as r; *len gets its length (it is also NUL-terminated). */
const char *cp_policy_result_json(const cp_policy_result *r, size_t *len)
    __attribute__((nonnull(1)));

/* SHA-256 of cp_policy_result_json's bytes: the explanation hash a
 * recognition entry carries (node/policy_hash.c). */
void cp_policy_result_hash(const cp_policy_result *r, uint8_t out[CP_HASH_BYTES])
    __attribute__((nonnull));

/* Whether p was in effect on the as-of date (1) or not (0). */
int cp_policy_result_in_effect(const cp_policy_result *r) __attribute__((nonnull));

/* Totals per currency, in the policy's currency order (every currency is
 * listed, zero totals included). Currency names are valid as long as the
 * policy. */
size_t cp_policy_result_n_totals(const cp_policy_result *r) __attribute__((nonnull));
int cp_policy_result_total_at(const cp_policy_result *r, size_t i, const char **currency,
                              int64_t *amount) __attribute__((nonnull(1)));
/* Total of one currency by id; CP_ENOTFOUND if the policy has no such currency. */
int cp_policy_result_total(const cp_policy_result *r, const char *currency, int64_t *amount)
    __attribute__((nonnull));

/* The fate of award `award` (entry ID) under the rule whose id is `rule`,
 * and the amount that rule credited for it (smallest units; may be NULL).
 * CP_ENOTFOUND if there is no such award or rule, or the rule is a
 * conversion (it has no per-award fate). */
int cp_policy_result_fate(const cp_policy_result *r, const uint8_t award[CP_HASH_BYTES],
                          const char *rule, cp_policy_reason *reason, int64_t *amount)
    __attribute__((nonnull(1, 2, 3, 4)));

/* --- District view: many educators, one or more alternative policies. ----- */

/*
 * Starts a district view comparing n policies (1 <= n <= 16) over the same
 * educators, as of as_of. year (e.g. 2025) asks also for the cost of money
 * currencies in the fiscal year that starts in that calendar year at each
 * policy's fiscal_year_start; 0 = no cost figure. The policies and env must
 * outlive the view; the array pols itself is copied.
 */
int cp_policy_district_new(const cp_policy *const *pols, size_t n, const cp_policy_env *env,
                           uint32_t as_of, unsigned year, cp_policy_district **out)
    __attribute__((warn_unused_result, nonnull(1, 6)));
/*
 * As cp_policy_district_new, for a projection: the cost of money
 * currencies in each fiscal year from `from` to `until` (inclusive, at most
 * CP_POLICY_DISTRICT_YEARS_MAX years), given who has earned what as of
 * as_of: a recurring amount costs its full value in the fiscal year it is
 * granted in and every later one. The JSON lists "years" and, per money
 * currency, "costs" in that order. CP_EINVAL for a bad range.
 */
int cp_policy_district_new_years(const cp_policy *const *pols, size_t n,
                                 const cp_policy_env *env, uint32_t as_of, unsigned from,
                                 unsigned until, cp_policy_district **out)
    __attribute__((warn_unused_result, nonnull(1, 7)));
/* Adds one educator: evaluates every policy (without building explanations)
 * and accumulates. Errors as cp_policy_evaluate; on error the view is left
 * as it was before the call. */
int cp_policy_district_add(cp_policy_district *dv, const cp_policy_educator *ed, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/*
 * Figures for policy k (index in pols) and one currency: sum over
 * educators, number of educators with a non-zero total, and the cost in the
 * chosen year (money currencies with a year; 0 otherwise). Any OUT pointer
 * may be NULL. CP_ENOTFOUND for an unknown currency, CP_EINVAL for k.
 */
int cp_policy_district_total(const cp_policy_district *dv, size_t k, const char *currency,
                             int64_t *total, uint64_t *educators, int64_t *cost)
    __attribute__((nonnull(1, 3)));
/* Cost of a money currency of policy k in fiscal year `year` of the view's
 * range (0 for a currency that is not money). CP_EINVAL for k or a year
 * outside the range, CP_ENOTFOUND for an unknown currency. */
int cp_policy_district_cost(const cp_policy_district *dv, size_t k, const char *currency,
                            unsigned year, int64_t *cost) __attribute__((nonnull));
/* How many educators were added. */
uint64_t cp_policy_district_educators(const cp_policy_district *dv) __attribute__((nonnull));
/* Canonical JSON of the whole view, side by side (docs/POLICIES.md,
 * "District view"). *out is malloc'd and NUL-terminated; the caller frees
 * it. */
int cp_policy_district_json(const cp_policy_district *dv, char **out, size_t *len)
    __attribute__((warn_unused_result, nonnull(1, 2)));
void cp_policy_district_free(cp_policy_district *dv);

#ifdef __cplusplus
}
#endif
#endif
