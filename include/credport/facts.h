/*
 * credport — recognition on the ledger (node/facts*.c): gathering the
 * facts the recognition engine (policy.h) reads from the LMDB store,
 * finding policy entries, recording what an authority granted as a
 * recognition entry, and recomputing recorded recognitions for the audit.
 * docs/POLICIES.md, "On the ledger", states the rules.
 *
 * Cutoff. Every gathering function takes a cutoff time (Unix seconds):
 * only entries whose header time is <= cutoff are facts. A recognition
 * entry is evaluated, when recorded and whenever audited, with its own
 * entry time as the cutoff and its as_of as the evaluation date, so the two
 * agree by construction however much the ledger grew in between.
 * CP_FACTS_ALL considers every entry held.
 *
 * Lifetimes. A cp_facts reads through one cp_reader, which the caller keeps
 * open for as long as the cp_facts and everything it returned: the cp_str
 * fields of the facts borrow from the reader's memory map.
 */
#ifndef CREDPORT_FACTS_H
#define CREDPORT_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include "entry.h"
#include "error.h"
#include "policy.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_FACTS_ALL UINT64_MAX

typedef struct cp_facts cp_facts;

enum {
  /* For district views only: each award's ID is a stand-in (its store row
   * number) instead of its entry ID, which saves a SHA-256 per award, and
   * revocations are looked up by row. Totals and costs never depend on
   * award IDs (they only break ties between awards of the same day, whose
   * sums do not depend on order: docs/POLICIES.md, "On the ledger"), but
   * explanations name awards: never use it to explain, record or audit. */
  CP_FACTS_DISTRICT = 1u << 0
};

/*
 * Starts gathering through r with the given cutoff: indexes every
 * endorsement entry held (any log) whose time is <= cutoff, in force over
 * its stated period (version 2) or from its entry day (version 1), up to
 * the effective date of a revoke within the cutoff that withdraws it. flags: 0 or CP_FACTS_DISTRICT. Free with
 * cp_facts_free before ending r.
 */
int cp_facts_new(cp_reader *r, uint64_t cutoff, unsigned flags, cp_facts **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 4)));
void cp_facts_free(cp_facts *f);

/* The endorsements, for cp_policy_evaluate and cp_policy_district_new;
 * valid as long as f. */
const cp_policy_env *cp_facts_env(const cp_facts *f) __attribute__((nonnull));

/*
 * Gathers one educator's facts through the by-educator index: awards (with
 * their credential definitions' stable id, level, hours, areas and QA, and
 * the day a revoke entry within the cutoff withdraws them), pre-approvals
 * (with the day each was logged) and licensure attestations naming the
 * educator, all with entry time <= cutoff, each with the day a revoke
 * within the cutoff withdraws it. Endorsements and approvals carry their
 * stated periods. areas (n_areas <= 16), when given, replace the attested
 * areas for area rules (a hand-made override, never recorded); they are
 * referenced, not copied. OUT: *ed, whose arrays belong to f and stay valid
 * until the next call on f or cp_facts_free. An educator the node does not
 * know has no awards (not an error). CP_ECORRUPT if an award names a
 * definition the store lacks.
 */
int cp_facts_educator(cp_facts *f, const uint8_t educator[CP_PK_BYTES], const cp_str *areas,
                      size_t n_areas, cp_policy_educator *ed, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 5)));

/* Calls fn once for every educator key in the by-educator index (anyone an
 * award, approval or recognition names), in key order; stops at the first
 * non-zero return, which it returns. */
int cp_reader_each_educator(cp_reader *r,
                            int (*fn)(void *ctx, const uint8_t educator[CP_PK_BYTES]),
                            void *ctx) __attribute__((nonnull(1, 2)));

/* ---- policy entries ------------------------------------------------------ */

typedef struct cp_policy_entry {
  uint8_t id[CP_HASH_BYTES]; /* entry ID */
  uint8_t log[CP_PK_BYTES];
  uint64_t seq, time;
  cp_str policy_id, document; /* borrowed from the reader */
} cp_policy_entry;

/* The policy entry with entry ID id (CP_ENOTFOUND if none, CP_EINVAL if
 * that entry is of another type). */
int cp_reader_policy(cp_reader *r, const uint8_t id[CP_HASH_BYTES], cp_policy_entry *out)
    __attribute__((warn_unused_result, nonnull));
/* The latest policy entry of log whose policy id is policy_id. */
int cp_reader_policy_named(cp_reader *r, const uint8_t log[CP_PK_BYTES], const char *policy_id,
                           cp_policy_entry *out) __attribute__((warn_unused_result, nonnull));

/* ---- recognition entries ------------------------------------------------- */

/* The totals of res as a recognition entry carries them: every currency,
 * sorted by currency bytes (shorter first on a common prefix). Currency
 * strings are valid as long as res's policy. OUT: t, *n (1..16). */
int cp_recognition_totals(const cp_policy_result *res, cp_total t[CP_TOTALS_MAX], uint32_t *n)
    __attribute__((warn_unused_result, nonnull));

/*
 * Evaluates policy entry `policy` (any log) for one educator as of as_of
 * with the facts of entries whose time is <= cutoff, without areas given
 * by hand (area rules read the attestations among those facts). OUT: *pol and *res, freed by the caller (res
 * before pol).
 */
int cp_recognition_evaluate(cp_reader *r, const uint8_t policy[CP_HASH_BYTES],
                            const uint8_t educator[CP_PK_BYTES], uint32_t as_of, uint64_t cutoff,
                            cp_policy **pol, cp_policy_result **res, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 3, 6, 7)));

/*
 * Records what the own log grants educator under policy (a policy entry of
 * the own log, rule R-body-05) as of as_of: evaluates with the cutoff equal
 * to the time the new entry gets (the appender's time: max(now, the log's
 * last time)), inside the appender's write transaction so no other write
 * lands in between, and appends a recognition entry with the sorted totals
 * and the explanation hash. OUT: id (may be NULL), *time (may be NULL),
 * *pol and *res as cp_recognition_evaluate (may be NULL: then freed here).
 */
int cp_recognition_record(cp_store *s, const cp_key *k, uint64_t now,
                          const uint8_t policy[CP_HASH_BYTES], const uint8_t educator[CP_PK_BYTES],
                          uint32_t as_of, uint8_t id[CP_HASH_BYTES], uint64_t *time,
                          cp_policy **pol, cp_policy_result **res, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5)));

/*
 * Recomputes the recognition entry buf (len bytes, a stored entry) and
 * compares totals and explanation hash. CP_OK if they agree; CP_EAUDIT
 * with d saying what differs; another error if it could not be recomputed.
 */
int cp_recognition_check(cp_reader *r, const uint8_t *buf, size_t len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* The audit's recognition pass: checks every recognition entry held (any
 * log), calling fn with one line per difference. OUT: *checked, *problems. */
int cp_recognition_audit(cp_reader *r, cp_audit_problem_fn fn, void *ctx, uint64_t *checked,
                         uint64_t *problems) __attribute__((warn_unused_result, nonnull(1, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif
