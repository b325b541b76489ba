/* Data Integrity proofs, eddsa-jcs-2022; see include/credport/vcdi.h. */
#include "credport/vcdi.h"

#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/hash.h"
#include "credport/jcs.h"

#define PROOF_VALUE_MAX 100U /* "z" + base58 of 64 bytes is at most 89 chars */

void cp_vcdi_vm(const uint8_t pk[CP_PK_BYTES], char out[CP_VCDI_VM_MAX]) {
  char did[CP_DIDKEY_MAX];
  size_t n;
  cp_didkey_encode(pk, did);
  n = strlen(did);
  memcpy(out, did, n);
  out[n] = '#';
  /* The fragment is the multibase key: the did without "did:key:". */
  memcpy(out + n + 1, did + 8, n - 8);
  out[n + 1 + n - 8] = '\0';
}

static int hash_without(const json_t *v, const char *member, uint8_t out[CP_HASH_BYTES],
                        cp_diag *d) {
  json_t *copy = json_copy((json_t *)v);
  char *text = NULL;
  size_t len = 0;
  int rc;
  if (copy == NULL) return CP_ENOMEM;
  json_object_del(copy, member);
  rc = cp_jcs_encode(copy, &text, &len, d);
  if (rc == 0) cp_sha256_oneshot(text, len, out);
  free(text);
  json_decref(copy);
  return rc;
}

int cp_vcdi_hash(const json_t *doc, const json_t *opts, uint8_t out[CP_VCDI_HASH_BYTES],
                 cp_diag *d) {
  int rc;
  if (!json_is_object(doc) || !json_is_object(opts))
    return cp_diag_set(d, CP_EINVAL, "document and proof options must be JSON objects");
  /* SPEC: eddsa-jcs-2022 3.3.4, proof options hash first. */
  if ((rc = hash_without(opts, "proofValue", out, d)) != 0) return rc;
  return hash_without(doc, "proof", out + CP_HASH_BYTES, d);
}

int cp_vcdi_sign(json_t *doc, const cp_key *k, const char *created, cp_diag *d) {
  uint8_t pk[CP_PK_BYTES], data[CP_VCDI_HASH_BYTES], sig[CP_SIG_BYTES];
  char vm[CP_VCDI_VM_MAX], pv[PROOF_VALUE_MAX];
  size_t n = 0;
  json_t *proof = NULL, *ctx;
  int rc;
  if (!json_is_object(doc) || json_object_get(doc, "proof") != NULL)
    return cp_diag_set(d, CP_EINVAL, "the document must be an object without a proof");
  cp_key_public(k, pk);
  cp_vcdi_vm(pk, vm);
  proof = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "DataIntegrityProof", "cryptosuite",
                    "eddsa-jcs-2022", "created", created, "verificationMethod", vm,
                    "proofPurpose", "assertionMethod");
  if (proof == NULL) return CP_ENOMEM;
  ctx = json_object_get(doc, "@context");
  if (ctx != NULL && json_object_set(proof, "@context", ctx) != 0) {
    rc = CP_ENOMEM;
    goto out;
  }
  if ((rc = cp_vcdi_hash(doc, proof, data, d)) != 0) goto out;
  cp_sig_sign_raw(k, data, sizeof data, sig);
  pv[0] = 'z';
  if ((rc = cp_b58_encode(sig, sizeof sig, pv + 1, sizeof pv - 1, &n)) != 0) goto out;
  if (json_object_set_new(proof, "proofValue", json_string(pv)) != 0 ||
      json_object_set(doc, "proof", proof) != 0)
    rc = CP_ENOMEM;
out:
  json_decref(proof);
  return rc;
}

#define RAW(b, lit) cp_jcs_raw((b), (lit), sizeof(lit) - 1)

/* The proof object's canonical text, members in JCS order; with_value
 * adds proofValue pv. */
static void proof_canon(cp_jcs_buf *b, const char *ctx, size_t ctxlen, const char *created,
                        const char *vm, const char *pv) {
  RAW(b, "{");
  if (ctx != NULL) {
    RAW(b, "\"@context\":");
    cp_jcs_raw(b, ctx, ctxlen);
    RAW(b, ",");
  }
  RAW(b, "\"created\":");
  cp_jcs_str(b, created, strlen(created));
  RAW(b, ",\"cryptosuite\":\"eddsa-jcs-2022\",\"proofPurpose\":\"assertionMethod\"");
  if (pv != NULL) {
    RAW(b, ",\"proofValue\":");
    cp_jcs_str(b, pv, strlen(pv));
  }
  RAW(b, ",\"type\":\"DataIntegrityProof\",\"verificationMethod\":");
  cp_jcs_str(b, vm, strlen(vm));
  RAW(b, "}");
}

int cp_vcdi_sign_canon(const char *doc, size_t len, const char *ctx, size_t ctxlen,
                       const cp_key *k, const char *created, cp_jcs_buf *out) {
  uint8_t pk[CP_PK_BYTES], data[CP_VCDI_HASH_BYTES], sig[CP_SIG_BYTES];
  char vm[CP_VCDI_VM_MAX], pv[PROOF_VALUE_MAX];
  cp_jcs_buf opts = {0};
  size_t n = 0;
  int rc;
  cp_key_public(k, pk);
  cp_vcdi_vm(pk, vm);
  proof_canon(&opts, ctx, ctxlen, created, vm, NULL);
  if ((rc = opts.err) == 0) {
    cp_sha256_oneshot(opts.p, opts.len, data);
    cp_sha256_oneshot(doc, len, data + CP_HASH_BYTES);
    cp_sig_sign_raw(k, data, sizeof data, sig);
    pv[0] = 'z';
    rc = cp_b58_encode(sig, sizeof sig, pv + 1, sizeof pv - 1, &n);
  }
  free(opts.p);
  if (rc != 0) return rc;
  proof_canon(out, ctx, ctxlen, created, vm, pv);
  return out->err;
}

static int want_string(const json_t *proof, const char *name, const char *want, cp_diag *d) {
  const json_t *v = json_object_get(proof, name);
  if (!json_is_string(v))
    return cp_diag_set(d, CP_ECORRUPT, "proof.%s: missing or not a string", name);
  if (want != NULL && strcmp(json_string_value(v), want) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "proof.%s: not \"%s\"", name, want);
  return 0;
}

/* SPEC: eddsa-jcs-2022 3.3.2 step 4: doc's @context starts with the
 * proof's, in order. */
static int context_prefix(const json_t *doc, const json_t *proof, cp_diag *d) {
  const json_t *pc = json_object_get(proof, "@context"), *dc = json_object_get(doc, "@context");
  size_t i, np, nd;
  if (pc == NULL) return 0;
  if (json_is_string(pc)) {
    np = 1;
  } else if (json_is_array(pc)) {
    np = json_array_size(pc);
  } else {
    return cp_diag_set(d, CP_ECORRUPT, "proof.@context: not a string or array");
  }
  nd = json_is_array(dc) ? json_array_size(dc) : (dc != NULL ? 1 : 0);
  if (nd < np) goto bad;
  for (i = 0; i < np; i++) {
    const json_t *a = json_is_array(pc) ? json_array_get(pc, i) : pc;
    const json_t *b = json_is_array(dc) ? json_array_get(dc, i) : dc;
    if (!json_equal((json_t *)a, (json_t *)b)) goto bad;
  }
  return 0;
bad:
  return cp_diag_set(d, CP_ECORRUPT, "proof.@context: the document's @context does not start "
                                     "with it");
}

int cp_vcdi_verify(const json_t *doc, uint8_t pk[CP_PK_BYTES], cp_diag *d) {
  const json_t *proof, *v;
  uint8_t data[CP_VCDI_HASH_BYTES], sig[CP_SIG_BYTES + 8];
  char did[CP_DIDKEY_MAX];
  const char *vm, *hash, *pv;
  size_t n = 0, pvlen;
  int rc;
  if (!json_is_object(doc)) return cp_diag_set(d, CP_ECORRUPT, "the document is not an object");
  proof = json_object_get(doc, "proof");
  if (proof == NULL) return cp_diag_set(d, CP_ECORRUPT, "proof: missing");
  if (!json_is_object(proof))
    return cp_diag_set(d, CP_ECORRUPT, "proof: not one object (only a single proof is "
                                       "accepted)");
  if ((rc = want_string(proof, "type", "DataIntegrityProof", d)) != 0 ||
      (rc = want_string(proof, "cryptosuite", "eddsa-jcs-2022", d)) != 0 ||
      (rc = want_string(proof, "proofPurpose", "assertionMethod", d)) != 0 ||
      (rc = want_string(proof, "verificationMethod", NULL, d)) != 0 ||
      (rc = want_string(proof, "proofValue", NULL, d)) != 0)
    return rc;
  if ((v = json_object_get(proof, "created")) != NULL && !json_is_string(v))
    return cp_diag_set(d, CP_ECORRUPT, "proof.created: not a string");
  vm = json_string_value(json_object_get(proof, "verificationMethod"));
  hash = strchr(vm, '#');
  if (hash == NULL || (size_t)(hash - vm) >= CP_DIDKEY_MAX)
    return cp_diag_set(d, CP_ECORRUPT, "proof.verificationMethod: not did:key:...#...");
  memcpy(did, vm, (size_t)(hash - vm));
  did[hash - vm] = '\0';
  if (cp_didkey_decode(did, pk) != 0 || strcmp(hash + 1, did + 8) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "proof.verificationMethod: not an Ed25519 did:key "
                                       "with its own key as fragment");
  pv = json_string_value(json_object_get(proof, "proofValue"));
  pvlen = json_string_length(json_object_get(proof, "proofValue"));
  if (pvlen < 2 || pvlen > PROOF_VALUE_MAX || pv[0] != 'z' ||
      cp_b58_decode(pv + 1, pvlen - 1, sig, sizeof sig, &n) != 0 || n != CP_SIG_BYTES)
    return cp_diag_set(d, CP_ECORRUPT, "proof.proofValue: not \"z\" + base58btc of 64 bytes");
  if ((rc = context_prefix(doc, proof, d)) != 0) return rc;
  if ((rc = cp_vcdi_hash(doc, proof, data, d)) != 0) return rc;
  if (cp_sig_verify_raw(sig, data, sizeof data, pk) != 0)
    return cp_diag_set(d, CP_EBADSIG, "proof.proofValue: the signature does not verify for %s",
                       did);
  return 0;
}
