/*
 * credport — a verifier's trust file and durations (proto/trust.c;
 * docs/FORMATS.md "Trust files").
 *
 * A trust file is text, one item a line (LF, or CRLF):
 *   # a comment                      (the whole line; nothing inline)
 *   <issuer verifier key>            C2SP vkey, key type 0x01: `whoami`'s vkey
 *   witness <witness verifier key>   key type 0x04: `whoami --json`'s witness_vkey
 * Blank lines are skipped; spaces and tabs around an item are ignored. Each
 * key is listed once. An issuer is trusted when the key of its log's genesis
 * entry is listed; its later keys come from its own key entries.
 */
#ifndef CREDPORT_TRUST_H
#define CREDPORT_TRUST_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "limits.h"
#include "note.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cp_trust {
  size_t n_issuers;
  cp_note_verifier issuers[CP_TRUST_ISSUERS_MAX]; /* alg CP_NOTE_ALG_ED25519 */
  size_t n_witnesses;
  cp_note_verifier witnesses[CP_WITNESS_TRUST_MAX]; /* alg CP_NOTE_ALG_COSIG_V1 */
  unsigned issuer_line[CP_TRUST_ISSUERS_MAX];       /* line of each key in the file */
  unsigned witness_line[CP_WITNESS_TRUST_MAX];
} cp_trust;

/*
 * Parses a trust file's text[0..len) into t (caller-owned; overwritten).
 * Errors, each with d naming the line number and what is wrong, t then
 * unspecified: CP_ETOOBIG for a text over CP_TRUST_FILE_MAX bytes, a line
 * over CP_TRUST_LINE_MAX, more than CP_TRUST_ISSUERS_MAX issuer or
 * CP_WITNESS_TRUST_MAX witness keys; CP_ECORRUPT for a key that does not
 * parse, an issuer line holding a witness key or the reverse, a key listed
 * twice, a NUL byte. An empty file (or only comments) is valid and trusts
 * nothing.
 */
int cp_trust_parse(const char *text, size_t len, cp_trust *t, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(3)));

/* The listed issuer key whose public key is pk, or NULL. Valid as long as t. */
const cp_note_verifier *cp_trust_issuer(const cp_trust *t, const uint8_t pk[CP_PK_BYTES])
    __attribute__((nonnull));

/*
 * Parses a duration: decimal digits without leading zeros, then one unit,
 * s (seconds), m (minutes), h (hours) or d (days): "90s", "12h", "30d".
 * Nothing else is accepted (no sign, space, fraction or compound "1h30m"),
 * nor zero, nor more than CP_DURATION_MAX_S seconds. OUT: *secs.
 * CP_EINVAL otherwise, *secs untouched.
 */
int cp_duration_parse(const char *s, uint64_t *secs) __attribute__((warn_unused_result));

#ifdef __cplusplus
}
#endif

#endif
