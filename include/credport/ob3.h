/*
 * credport — Open Badges 3.0 credentials from ledger awards (proto/ob3.c).
 *
 * cp_ob3_build turns one award, with its credential definition, its
 * issuer's genesis entry and the endorsements the node holds, into an
 * OpenBadgeCredential (W3C VC 2.0, Open Badges 3.0.3). It is pure: entries
 * in, a JSON value out; gathering them from a store is node/ob3.c's work
 * (cp_node_ob3_gather, node.h). The mapping from ledger fields is
 * docs/FORMATS.md, "Open Badges 3.0 export"; in short:
 *   id                 urn:uuid of the award's entry ID (cp_ob3_urn)
 *   issuer             Profile: did:key of the log key, genesis name, the
 *                      jurisdiction as address.addressCountryCode and
 *                      addressRegion ("US-NC" -> "US", "NC")
 *   validFrom          the earned date at 00:00:00Z; awardedDate the
 *                      entry's time (also the proof's created)
 *   credentialSubject  AchievementSubject, id the educator's did:key
 *   achievement        id urn:uuid of the definition's entry ID,
 *                      achievementType MicroCredential, humanCode the stable
 *                      id, name title, description competency,
 *                      criteria.narrative evidence requirements,
 *                      creditsAvailable the contact hours, tag level,
 *                      hours, licensure areas and QA standards, alignment one
 *                      per endorsement (ext:Endorsement)
 *   evidence           ni:///sha-256 of the award's evidence, when it has one
 *   credentialStatus   whatever the caller's status function gives
 */
#ifndef CREDPORT_OB3_H
#define CREDPORT_OB3_H

#include <jansson.h>
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

#define CP_OB3_CONTEXT_VC "https://www.w3.org/ns/credentials/v2"
#define CP_OB3_CONTEXT_OB "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define CP_OB3_URN_MAX 48U          /* "urn:uuid:" + 36 + NUL */

/* An endorsement of the credential definition or of the issuer. */
typedef struct cp_ob3_endorsement {
  const cp_entry *entry;        /* type CP_T_ENDORSE */
  uint8_t id[CP_HASH_BYTES];    /* its entry ID */
  cp_str endorser_name;         /* the endorser's genesis name; empty if not held */
} cp_ob3_endorsement;

/* Everything one credential is built from. Pointers are borrowed for the
 * call. */
typedef struct cp_ob3_input {
  const cp_entry *genesis;      /* the issuer's authority entry (seq 0) */
  const cp_entry *credential;   /* the definition the award names */
  uint8_t credential_id[CP_HASH_BYTES];
  const cp_entry *award;
  uint8_t award_id[CP_HASH_BYTES];
  const cp_ob3_endorsement *endorsements;
  size_t n_endorsements;        /* at most CP_OB3_ENDORSE_MAX are named */
} cp_ob3_input;

/* The credentialStatus hook: called once per credential with the award's
 * entry ID; sets *status to a new reference to the credentialStatus object
 * (or NULL for none). A non-zero return stops the build with that error. */
typedef int (*cp_ob3_status_fn)(void *ctx, const uint8_t award_id[CP_HASH_BYTES],
                                json_t **status);

/* "urn:uuid:" + the first 16 bytes of id as an RFC 9562 version 8 UUID
 * (version nibble 8, variant bits 10). */
void cp_ob3_urn(const uint8_t id[CP_HASH_BYTES], char out[CP_OB3_URN_MAX]);
/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (out: 21 bytes). */
void cp_ob3_timestamp(uint64_t t, char out[21]);

/* Builds the unsigned credential. OUT: *out, a new JSON object the caller
 * owns. status may be NULL. Errors: CP_EINVAL when the entries do not fit
 * together (wrong types, the award names another definition, another log),
 * naming which; the status function's error; CP_ENOMEM. */
int cp_ob3_build(const cp_ob3_input *in, cp_ob3_status_fn status, void *ctx, json_t **out,
                 cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 4)));

/* Builds, secures with eddsa-jcs-2022 under k (which must be the issuer's
 * log key: CP_EDENIED otherwise) with created = the award's entry time, and
 * writes the signed credential as its RFC 8785 canonical text (compact, the
 * same bytes every time) and a final newline. The text is written directly
 * in canonical order, not through cp_ob3_build; it is byte for byte
 * JCS(cp_vcdi_sign(cp_ob3_build(...))) (tests/proto/test_ob3_spec.c).
 * OUT: *text (malloc'd, the caller frees it), *len. */
int cp_ob3_export_json(const cp_ob3_input *in, const cp_key *k, cp_ob3_status_fn status,
                       void *ctx, char **text, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2, 5, 6)));

/* What cp_ob3_verify_json found. */
typedef struct cp_ob3_verdict {
  uint8_t issuer[CP_PK_BYTES];   /* the issuer's did:key key */
  char id[CP_OB3_URN_MAX + 80];  /* the credential's id (cut if longer) */
} cp_ob3_verdict;

/* Verifies a credential file's text[0, len): at most CP_OB3_TEXT_MAX bytes,
 * nested at most CP_JCS_DEPTH_MAX levels, no duplicate member names, an
 * object whose @context starts with the VC 2.0 and OB 3.0 contexts, whose
 * type holds VerifiableCredential and OpenBadgeCredential (or
 * AchievementCredential), whose issuer (an object or a string) is an
 * Ed25519 did:key, with a credentialSubject, validFrom and an
 * eddsa-jcs-2022 proof (cp_vcdi_verify) by the issuer's own key.
 * Errors: CP_ETOOBIG / CP_ECORRUPT (malformed; d says what and where),
 * CP_EBADSIG (the proof does not verify), CP_EDENIED (a valid proof by
 * another key than the issuer's: d names both). */
int cp_ob3_verify_json(const char *text, size_t len, cp_ob3_verdict *v, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* The unsigned credential of in as its JCS text (what cp_ob3_build gives,
 * canonicalised), written directly; the vc+jwt export's payload starts with
 * it. OUT: *text malloc'd, *len. Errors as cp_ob3_build's. */
int cp_ob3_canonical(const cp_ob3_input *in, cp_ob3_status_fn status, void *ctx, char **text,
                     size_t *len, cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 4, 5)));

/* The checks cp_ob3_verify_json makes of a credential's members, without
 * the proof (the vc+jwt form uses them: ob3_jwt.h). OUT: issuer. */
int cp_ob3_check_shape(const json_t *vc, uint8_t issuer[CP_PK_BYTES], cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));

#ifdef __cplusplus
}
#endif
#endif
