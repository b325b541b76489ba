/*
 * credport — W3C Data Integrity proofs, cryptosuite eddsa-jcs-2022
 * (proto/vcdi.c; W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3).
 *
 * The signed bytes are SHA-256(JCS(proof options)) || SHA-256(JCS(document
 * without its proof)), 64 bytes, signed with plain Ed25519 (no credport
 * purpose prefix: the format is the W3C's). The proof options are the proof
 * without proofValue; when the document has an @context the proof carries
 * a copy of it. proofValue is "z" + base58btc(signature).
 *
 * The verification method is always a did:key of an Ed25519 key written
 * "did:key:z6Mk...#z6Mk..." (the key's own fragment): cp_vcdi_verify takes
 * the key from it and returns it, so the caller decides whether that key is
 * the one it expects (an issuer's, a holder's). Signature validity is
 * libsodium's crypto_sign_verify_detached, as everywhere in credport.
 */
#ifndef CREDPORT_VCDI_H
#define CREDPORT_VCDI_H

#include <jansson.h>
#include <stdint.h>

#include "codec.h"
#include "error.h"
#include "jcs.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_VCDI_HASH_BYTES 64U
/* "did:key:z6Mk..." + "#" + "z6Mk..." */
#define CP_VCDI_VM_MAX (2U * CP_DIDKEY_MAX)

/* Writes "did:key:<mb>#<mb>" for pk into out (CP_VCDI_VM_MAX bytes). */
void cp_vcdi_vm(const uint8_t pk[CP_PK_BYTES], char out[CP_VCDI_VM_MAX]);

/* The 64 bytes to sign or verify for document doc (its "proof" member, if
 * any, is left out) under proof options opts (a "proofValue" member, if
 * any, is left out). Errors: those of cp_jcs_encode. */
int cp_vcdi_hash(const json_t *doc, const json_t *opts, uint8_t out[CP_VCDI_HASH_BYTES],
                 cp_diag *d) __attribute__((warn_unused_result, nonnull(3)));

/* Secures doc (an object with no "proof") in place: adds "proof" with type
 * DataIntegrityProof, cryptosuite eddsa-jcs-2022, created (an XML Schema
 * dateTimeStamp such as "2023-02-24T23:36:38Z", given by the caller so that
 * exports are reproducible), the did:key verification method of k,
 * proofPurpose assertionMethod, doc's @context (if any) and proofValue.
 * Errors: CP_EINVAL (doc not an object or already has a proof), those of
 * cp_jcs_encode; doc is unchanged on error. */
int cp_vcdi_sign(json_t *doc, const cp_key *k, const char *created, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(2, 3)));

/* cp_vcdi_sign for a document given as canonical text: doc[0, len) is
 * JCS(document without proof) and ctx[0, ctxlen) JCS(its @context) (ctx
 * NULL: none). Appends to out the canonical text of the proof object, with
 * proofValue, exactly as JCS would write the "proof" member's value that
 * cp_vcdi_sign adds. Errors: out->err. */
int cp_vcdi_sign_canon(const char *doc, size_t len, const char *ctx, size_t ctxlen,
                       const cp_key *k, const char *created, cp_jcs_buf *out)
    __attribute__((warn_unused_result, nonnull(1, 5, 6, 7)));

/* Verifies doc's proof. OUT: pk, the key of its verification method.
 * Errors: CP_ECORRUPT, with d naming the member, when the proof is missing,
 * not one object, of another type or cryptosuite or purpose, has a
 * verification method that is not an Ed25519 did:key with its own key as
 * fragment, a proofValue that is not "z" + base58btc of 64 bytes, or an
 * @context that doc's @context does not start with; CP_EBADSIG when the
 * signature does not verify; those of cp_jcs_encode. */
int cp_vcdi_verify(const json_t *doc, uint8_t pk[CP_PK_BYTES], cp_diag *d)
    __attribute__((warn_unused_result, nonnull(2)));

#ifdef __cplusplus
}
#endif
#endif
