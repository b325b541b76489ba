/*
 * credport — ledger entries: canonical encoding and strict decoding
 * (proto/entry.c). The byte layout is specified in docs/FORMATS.md.
 *
 * Entry layout (all integers big-endian):
 *   off  size  field
 *   0    1     version: 1 (CP_ENTRY_VERSION) or 2 (CP_ENTRY_VERSION_2); the
 *              version names the body layout of the type (docs/FORMATS.md,
 *              "Versions"): version 2 has bodies only for revoke, endorse,
 *              licensure and recognition; every other type is written as
 *              version 1
 *   1    1     type (cp_entry_type)
 *   2    32    log key (Ed25519 public key of the authority)
 *   34   8     seq
 *   42   32    prev: leaf hash of entry seq-1 (all zero when seq = 0)
 *   74   8     time, Unix seconds (UTC)
 *   82   ...   body, by type (docs/FORMATS.md); runs to the signature
 *   n-64 64    signature: Ed25519 by the log's signing key over
 *              "credport/v1/entry\0" || bytes [0, n-64)
 * The entry ID is its RFC 9162 leaf hash SHA-256(0x00 || all n bytes).
 *
 * Body fields use: u8; u32/i64 fixed big-endian; "var", unsigned LEB128 of at
 * most 5 bytes and minimal; "str", var length then that many bytes of
 * valid UTF-8 with no NUL and no C0 control other than TAB/LF; "date", u32
 * days since 1970-01-01; "h32", 32 raw bytes; "list", var count then items.
 */
#ifndef CREDPORT_ENTRY_H
#define CREDPORT_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "sig.h"

#define CP_ENTRY_VERSION 1U   /* the first format: every type but licensure */
/* Version 2: revoke with target and effective date, dated endorse,
 * licensure, and recognition listing the facts it read. */
#define CP_ENTRY_VERSION_2 2U
/* One fact point of a version-2 recognition: log key (32), size (u64
 * big-endian), root of the log at that size (32). */
#define CP_FACT_POINT_BYTES 72U
#define CP_ENTRY_HEADER_BYTES 82U
#define CP_ENTRY_MIN_BYTES (CP_ENTRY_HEADER_BYTES + CP_SIG_BYTES)

typedef enum {
  CP_T_AUTHORITY = 1,   /* genesis: who the log is */
  CP_T_CREDENTIAL = 2,  /* a micro-credential definition */
  CP_T_AWARD = 3,       /* an educator earned a credential */
  CP_T_REVOKE = 4,      /* an award of this log is withdrawn */
  CP_T_ENDORSE = 5,     /* vouching for an authority or a credential */
  CP_T_APPROVE = 6,     /* pre-approval of an educator's plan */
  CP_T_POLICY = 7,      /* a recognition policy document */
  CP_T_RECOGNITION = 8, /* what an authority granted under a policy */
  CP_T_KEY = 9,         /* rotate or retire the log's signing key */
  CP_T_CLOCK = 10,      /* the log's clock was ahead: time resumes here */
  CP_T_LICENSURE = 11   /* an educator's licensure areas, attested (version 2) */
} cp_entry_type;

typedef enum {
  CP_ROLE_STATE = 1, CP_ROLE_DISTRICT = 2, CP_ROLE_PROVIDER = 3,
  CP_ROLE_ASSESSOR = 4, CP_ROLE_IHE = 5
} cp_role;

typedef enum { CP_SUBJECT_AUTHORITY = 1, CP_SUBJECT_CREDENTIAL = 2 } cp_subject_kind;
typedef enum { CP_KEY_ROTATE = 1, CP_KEY_RETIRE = 2 } cp_key_action;

#define CP_AWARD_HAS_EVIDENCE 0x01U
#define CP_AWARD_HAS_LICENCE 0x02U

/* A borrowed byte string: points into the buffer the entry was decoded from
 * (or the caller's memory when encoding). Not NUL-terminated. */
typedef struct cp_str {
  const char *p;
  size_t len;
} cp_str;

typedef struct cp_total {
  cp_str currency;
  int64_t amount;     /* in the currency's smallest unit (cents, 1/100 credit) */
} cp_total;

/*
 * A decoded entry (or one to encode). Strings borrow from the buffer given
 * to cp_entry_decode and are valid as long as it is.
 */
typedef struct cp_entry {
  uint8_t version;
  uint8_t type;
  uint8_t log[CP_PK_BYTES];
  uint64_t seq;
  uint8_t prev[CP_HASH_BYTES];
  uint64_t time;
  union {
    struct {              /* CP_T_AUTHORITY: str name, str jurisdiction, u8 role, str origin */
      cp_str name, jurisdiction, origin;
      uint8_t role;
    } authority;
    struct {              /* CP_T_CREDENTIAL: str id, str title, str competency,
                             str evidence, u8 level, u32 hours_x100, list areas, list qa */
      cp_str id, title, competency, evidence;
      uint8_t level;            /* 1..4 */
      uint32_t hours_x100;      /* contact hours in hundredths */
      uint32_t n_areas, n_qa;
      cp_str areas[CP_LIST_MAX], qa[CP_LIST_MAX];
    } credential;
    struct {              /* CP_T_AWARD: h32 credential, h32 educator, date earned,
                             str assessor, u8 flags, [h32 evidence], [h32 licence] */
      uint8_t credential[CP_HASH_BYTES]; /* entry ID of the definition, same log */
      uint8_t educator[CP_PK_BYTES];
      uint32_t earned;
      cp_str assessor;
      uint8_t flags;                     /* CP_AWARD_HAS_* */
      uint8_t evidence[CP_HASH_BYTES];   /* SHA-256 of the evidence, if flagged */
      uint8_t licence[CP_HASH_BYTES];    /* salted licence commitment, if flagged */
    } award;
    struct {              /* CP_T_REVOKE: v1 h32 award, str reason;
                             v2 h32 target, date effective, str reason */
      uint8_t target[CP_HASH_BYTES];     /* entry ID of what is withdrawn, same log */
      uint32_t effective;                /* v2: first day it no longer holds; v1: 0 */
      cp_str reason;
    } revoke;
    struct {              /* CP_T_ENDORSE: v1 u8 kind, h32 subject, str claim, str note;
                             v2 adds date from, date until after the subject */
      uint8_t kind;                      /* cp_subject_kind */
      uint8_t subject[CP_HASH_BYTES];    /* authority key or credential entry ID */
      uint32_t from, until;              /* v2: period covered, until 0 = open; v1: 0, 0 */
      cp_str claim, note;                /* claim: e.g. "qa:multistate-mc-2024" */
    } endorse;
    struct {              /* CP_T_APPROVE: h32 educator, h32 credential, date approved,
                             date expires (0 = none), h32 plan */
      uint8_t educator[CP_PK_BYTES];
      uint8_t credential[CP_HASH_BYTES]; /* credential entry ID, any log */
      uint32_t approved, expires;
      uint8_t plan[CP_HASH_BYTES];       /* SHA-256 of the written rationale */
    } approve;
    struct {              /* CP_T_POLICY: str id, str document (JSON) */
      cp_str id, document;
    } policy;
    struct {              /* CP_T_RECOGNITION: h32 policy, h32 educator, date as_of,
                             list (str currency, i64 amount), h32 explanation;
                             version 2 adds list (h32 log, u64 size, h32 root) */
      uint8_t policy[CP_HASH_BYTES];
      uint8_t educator[CP_PK_BYTES];
      uint32_t as_of;
      uint32_t n_totals;
      cp_total totals[CP_TOTALS_MAX];
      uint8_t explanation[CP_HASH_BYTES];
      /* Version 2: the logs whose entries were the facts, each at the size
       * (and root) it was read at: n_facts records of CP_FACT_POINT_BYTES
       * in wire form, logs strictly ascending, sizes >= 1. Borrowed like a
       * cp_str; 0 and NULL in version 1. */
      uint32_t n_facts;
      const uint8_t *facts;
    } recognition;
    struct {              /* CP_T_KEY: u8 action, h32 new key (zero for retire) */
      uint8_t action;
      uint8_t new_key[CP_PK_BYTES];
    } key;
    struct {              /* CP_T_CLOCK: h32 first, str reason */
      uint8_t first[CP_HASH_BYTES];      /* entry ID of the first entry dated ahead */
      cp_str reason;
    } clock;
    struct {              /* CP_T_LICENSURE (v2 only): h32 educator, date from,
                             date until (0 = open), list areas (1..16) */
      uint8_t educator[CP_PK_BYTES];
      uint32_t from, until;
      uint32_t n_areas;
      cp_str areas[CP_LIST_MAX];
    } licensure;
  } u;
  uint8_t sig[CP_SIG_BYTES];
} cp_entry;

/* Returns the type's name ("award", ...) or NULL for an unknown type. */
const char *cp_entry_type_name(unsigned type);
/* The version a new entry of this type is written in: the latest that has a
 * body for it (CP_ENTRY_VERSION_2 for revoke, endorse, licensure and
 * recognition, CP_ENTRY_VERSION otherwise). */
unsigned cp_entry_version_for(unsigned type);
const char *cp_role_name(unsigned role);
/* Parses a role name; 0 if unknown. */
unsigned cp_role_parse(const char *s);

/*
 * Encodes e without its signature into out[0, cap), checking every field
 * against the same rules the decoder applies (so nothing encodable is
 * undecodable). *len gets the length of the signed part; the signature
 * goes at out[*len, *len + 64). cap must leave room for it.
 */
int cp_entry_encode_unsigned(const cp_entry *e, uint8_t *out, size_t cap, size_t *len,
                             cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 2, 4)));
/* The rule for entries this node creates, on top of the decoder's
 * (SPEC: E-new-1, docs/FORMATS.md "Text in new entries"): no text field
 * holds a character cp_text_deceptive (text.h) names, except TAB and LF in
 * the multi-line fields (credential.competency, credential.evidence,
 * policy.document). CP_EINVAL, naming the field, the kind of character,
 * its code point and byte offset. Entries received from other logs are
 * never held to it. */
int cp_entry_check_new(const cp_entry *e, cp_diag *d) __attribute__((warn_unused_result,
                                                                      nonnull(1)));
/* Checks e with cp_entry_check_new, then encodes, signs with k (which must
 * match e->log or the current signing key), stores the signature in e->sig
 * and out; *len is the whole entry. This is the one place where this node
 * signs entries. */
int cp_entry_sign(cp_entry *e, const cp_key *k, uint8_t *out, size_t cap, size_t *len,
                  cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 2, 3, 5)));

/* Strict decoder. Rejects unknown versions and types, short or trailing
 * bytes, non-minimal or oversize lengths, invalid UTF-8, out-of-range
 * values, and set reserved flag bits. d says which field and byte offset.
 * Does not verify the signature. */
int cp_entry_decode(const uint8_t *buf, size_t len, cp_entry *e, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* Verifies buf's signature (buf is a whole encoded entry) under pk. */
int cp_entry_verify(const uint8_t *buf, size_t len, const uint8_t pk[CP_PK_BYTES])
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* Entry ID: SHA-256(0x00 || buf). */
void cp_entry_id(const uint8_t *buf, size_t len, uint8_t id[CP_HASH_BYTES]);

/* Fact point i of a version-2 recognition's facts (wire form, above). */
static inline void cp_entry_fact_point(const uint8_t *facts, size_t i, uint8_t log[CP_PK_BYTES],
                                       uint64_t *size, uint8_t root[CP_HASH_BYTES]) {
  const uint8_t *p = facts + i * CP_FACT_POINT_BYTES;
  uint64_t v = 0;
  for (unsigned k = 0; k < 8; k++) v = v << 8 | p[CP_PK_BYTES + k];
  for (unsigned k = 0; k < CP_PK_BYTES; k++) log[k] = p[k];
  for (unsigned k = 0; k < CP_HASH_BYTES; k++) root[k] = p[CP_PK_BYTES + 8 + k];
  *size = v;
}

/* Helpers shared with the CLI. */
int cp_str_eq(cp_str a, const char *s);
/* Days since 1970-01-01 <-> "YYYY-MM-DD" (proleptic Gregorian, 1970..9999). */
int cp_date_parse(const char *s, uint32_t *days) __attribute__((warn_unused_result));
void cp_date_format(uint32_t days, char out[11]);
/* Days since 1970-01-01 <-> proleptic Gregorian year, month (1..12), day
 * (1..31); no range checks, negative days and years allowed. */
int64_t cp_days_from_civil(int64_t y, unsigned m, unsigned d);
void cp_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
