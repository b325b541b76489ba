/*
 * credport — recognition on the ledger (node/facts*.c): gathering the
 * facts the recognition engine (policy.h) reads from the LMDB store,
 * finding policy entries, recording what an authority granted as a
 * recognition entry, and recomputing recorded recognitions for the audit.
 * docs/POLICIES.md, "On the ledger", states the rules.
 *
 * Which entries are facts. cp_facts_new takes a cutoff time (Unix
 * seconds): only entries whose header time is <= cutoff are facts
 * (CP_FACTS_ALL: every entry held); version-1 recognition entries are
 * recomputed that way, with their own entry time as the cutoff.
 * cp_facts_new_at takes fact points instead: the facts are exactly the
 * entries of the listed logs below the listed sizes. A version-2
 * recognition records, for every log its facts came from, the size and
 * root it was computed at; it is recomputed at those points, on any node
 * that holds at least that much of each log, however much the ledger grew
 * in between (docs/POLICIES.md, "On the ledger").
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
  CP_FACTS_DISTRICT = 1u << 0,
  /* Remember which logs the facts came from, for cp_facts_points. */
  CP_FACTS_COLLECT = 1u << 1
};

/* One log a recognition read, at the size (and root) it read it. */
typedef struct cp_fact_point {
  uint8_t log[CP_PK_BYTES];
  uint64_t size;
  uint8_t root[CP_HASH_BYTES];
} cp_fact_point;

/*
 * Starts gathering through r with the given cutoff: indexes every
 * endorsement entry held (any log) whose time is <= cutoff, in force over
 * its stated period (version 2) or from its entry day (version 1), up to
 * the effective date of a revoke within the cutoff that withdraws it. flags: 0 or CP_FACTS_DISTRICT. Free with
 * cp_facts_free before ending r.
 */
int cp_facts_new(cp_reader *r, uint64_t cutoff, unsigned flags, cp_facts **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 4)));
/* As cp_facts_new without a cutoff time, but the facts are exactly the
 * entries of the logs at[0..n) (any order; copied) whose seq is below the
 * listed size; entries of other logs are never facts. Roots are not
 * checked here (cp_recognition_check does). */
int cp_facts_new_at(cp_reader *r, const cp_fact_point *at, size_t n, unsigned flags,
                    cp_facts **out, cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 5)));
void cp_facts_free(cp_facts *f);

/* With CP_FACTS_COLLECT: every log whose entries were facts so far
 * (endorsements, awards, revocations, approvals), plus `also` (may be
 * NULL), sorted by key, each with its size and root as the reader holds
 * it. OUT: *out (malloc'd, the caller frees it), *n. */
int cp_facts_points(cp_facts *f, const uint8_t also[CP_PK_BYTES], cp_fact_point **out,
                    size_t *n, cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/* The endorsements, for cp_policy_evaluate and cp_policy_district_new;
 * valid as long as f. */
const cp_policy_env *cp_facts_env(const cp_facts *f) __attribute__((nonnull));

/*
 * Gathers one educator's facts through the by-educator index: awards (with
 * their credential definitions' stable id, level, hours, areas and QA, and
 * the day a revoke entry that is a fact withdraws them), pre-approvals
 * (with the day each was logged) and licensure attestations naming the
 * educator, each a fact (within the cutoff, or below its log's fact point),
 * each with the day a revoke that is a fact withdraws it. Endorsements and
 * approvals carry their stated periods. areas (n_areas <= 16), when given,
 * replace the attested areas for area rules (a hand-made override, never
 * recorded); they are
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
 * the own log, rule R-body-05) as of as_of: evaluates over every entry
 * held, inside the appender's write transaction so no other write lands in
 * between, and appends a version-2 recognition entry with the sorted
 * totals, the explanation hash and the fact points: every log the facts
 * came from and the policy's log, at the size and root held.
 * CP_ETOOBIG when the facts came from more than CP_FACT_LOGS_MAX logs.
 * OUT: id (may be NULL), *time (may be NULL), *pol and *res as
 * cp_recognition_evaluate (may be NULL: then freed here).
 */
int cp_recognition_record(cp_store *s, const cp_key *k, uint64_t now,
                          const uint8_t policy[CP_HASH_BYTES], const uint8_t educator[CP_PK_BYTES],
                          uint32_t as_of, uint8_t id[CP_HASH_BYTES], uint64_t *time,
                          cp_policy **pol, cp_policy_result **res, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 4, 5)));

/* What recomputing one recognition entry gave. */
typedef enum {
  CP_RECOG_MATCH = 0, /* totals and explanation hash recomputed equal */
  CP_RECOG_DIFFERS,   /* a total, a currency, the hash or a log's root differs */
  CP_RECOG_PENDING,   /* this node holds less of a log than the entry read */
  CP_RECOG_FAILED     /* it could not be recomputed (policy missing, overflow...) */
} cp_recog_status;

typedef struct cp_recognition_verdict {
  uint8_t id[CP_HASH_BYTES]; /* the recognition entry */
  uint8_t log[CP_PK_BYTES];
  uint64_t seq;
  uint8_t version;        /* 1: facts by entry time; 2: at fact points */
  cp_recog_status status;
  int err;                /* FAILED: the error */
  uint32_t n_facts;       /* version 2: logs listed */
  /* PENDING: the first log held short, the size needed and the size held. */
  uint8_t need_log[CP_PK_BYTES];
  uint64_t need_size, have_size;
  /* Every difference or shortfall, "; "-separated (cut at a whole item
   * when long); empty for a match. */
  char detail[1024];
} cp_recognition_verdict;

/*
 * Recomputes the recognition entry buf (len bytes, a stored entry) as it
 * was recorded: version 1 with the facts up to its entry time, version 2
 * at its fact points. Each fact point's log must be held up to its size
 * (else PENDING: "cannot recompute yet: needs log X up to size N (has
 * M)") with the recorded root at that size (else DIFFERS). OUT: *v; *pol
 * and *res (both may be NULL; else the caller frees them, res first) get
 * the recomputed result when there is one. Returns CP_OK whatever the
 * status, or an error (CP_ENOMEM) that stopped it.
 */
int cp_recognition_verify(cp_reader *r, const uint8_t *buf, size_t len,
                          cp_recognition_verdict *v, cp_policy **pol, cp_policy_result **res)
    __attribute__((warn_unused_result, nonnull(1, 2, 4)));

/* cp_recognition_verify as a return code: CP_OK if they agree; CP_EAUDIT
 * with d saying what differs; CP_EAGAIN (cannot recompute yet) with d
 * naming the log needed; another error if it could not be recomputed. */
int cp_recognition_check(cp_reader *r, const uint8_t *buf, size_t len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

/* Counts of the audit's recognition pass. */
typedef struct cp_recognition_counts {
  uint64_t checked, match, differ, pending, failed;
} cp_recognition_counts;

/* Called once per recognition entry the audit's pass looked at. */
typedef cp_audit_recognition_fn cp_recognition_fn;

/* The audit's recognition pass: verifies every recognition entry held (any
 * log) in the order they arrived, calling fn (may be NULL) with one line per
 * difference or failure (a node that is merely behind is not a problem)
 * and each (may be NULL) with every verdict. OUT: *counts. */
int cp_recognition_audit(cp_reader *r, cp_audit_problem_fn fn, cp_recognition_fn each, void *ctx,
                         cp_recognition_counts *counts)
    __attribute__((warn_unused_result, nonnull(1, 5)));

#ifdef __cplusplus
}
#endif
#endif
