/*
 * Offline revocation status: the sorted-set tree, absence proofs, their
 * binary and JSON forms, and the signed statement.
 *
 * The expected roots and inclusion paths come from an implementation of
 * RFC 9162 section 2.1.1 (MTH) and 2.1.3.1 (PATH) written here from the
 * RFC's recursive definitions over libsodium's SHA-256, sharing no code
 * with crypto/merkle.c or crypto/sortedset.c. Expected statement
 * signatures are made here with libsodium over the documented message.
 */
#include "cptest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/revstatus.h"

/* ---- independent RFC 9162 ------------------------------------------------- */

static void sha(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c,
                size_t cn, uint8_t out[32]) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, a, an);
  if (bn) crypto_hash_sha256_update(&st, b, bn);
  if (cn) crypto_hash_sha256_update(&st, c, cn);
  crypto_hash_sha256_final(&st, out);
}

static size_t split(size_t n) { /* largest power of two smaller than n */
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

static void mth(uint8_t (*d)[32], size_t n, uint8_t out[32]) {
  static const uint8_t z = 0, one = 1;
  if (n == 0) {
    sha(NULL, 0, NULL, 0, NULL, 0, out);
  } else if (n == 1) {
    sha(&z, 1, d[0], 32, NULL, 0, out);
  } else {
    uint8_t l[32], r[32];
    size_t k = split(n);
    mth(d, k, l);
    mth(d + k, n - k, r);
    sha(&one, 1, l, 32, r, 32, out);
  }
}

/* PATH(m, D[n]) as a list, leaf side first. */
static size_t path(size_t m, uint8_t (*d)[32], size_t n, uint8_t out[][32]) {
  if (n <= 1) return 0;
  size_t k = split(n), c;
  if (m < k) {
    c = path(m, d, k, out);
    mth(d + k, n - k, out[c]);
  } else {
    c = path(m - k, d + k, n - k, out);
    mth(d, k, out[c]);
  }
  return c + 1;
}

/* n strictly ascending IDs with gaps (every ID has an even last byte, so
 * id+1 lies strictly between neighbours). */
static uint8_t (*make_ids(size_t n, unsigned seed))[32] {
  uint8_t (*ids)[32] = calloc(n ? n : 1, 32);
  for (size_t i = 0; i < n; i++) {
    memset(ids[i], 0, 32);
    ids[i][0] = (uint8_t)(16 + i * 3 + (seed % 2));
    ids[i][1] = (uint8_t)(i * 37 + seed);
    ids[i][31] = (uint8_t)(2 * (i % 100) + 2);
  }
  return ids;
}

static void check_proof_leaf(uint8_t (*ids)[32], size_t n, const cp_rev_leaf *l, size_t want) {
  uint8_t p[64][32];
  assert_int_equal(l->index, want);
  assert_memory_equal(l->id, ids[want], 32);
  size_t pn = path(want, ids, n, p);
  assert_int_equal(l->n, pn);
  for (size_t i = 0; i < pn; i++) assert_memory_equal(l->path[i], p[i], 32);
}

static void roots_match_rfc(void **state) {
  (void)state;
  for (size_t n = 0; n <= 40; n++) {
    uint8_t (*ids)[32] = make_ids(n, 7), want[32], got[32];
    mth(ids, n, want);
    assert_int_equal(cp_rev_root((const uint8_t(*)[32])ids, n, got), CP_OK);
    assert_memory_equal(got, want, 32);
    free(ids);
  }
  /* Not strictly ascending: refused. */
  uint8_t two[2][32] = {{1}, {1}}, r[32];
  assert_int_equal(cp_rev_root((const uint8_t(*)[32])two, 2, r), CP_EINVAL);
  two[0][0] = 2;
  assert_int_equal(cp_rev_root((const uint8_t(*)[32])two, 2, r), CP_EINVAL);
}

static void absence_everywhere(void **state) {
  (void)state;
  for (size_t n = 0; n <= 17; n++) {
    uint8_t (*ids)[32] = make_ids(n, 3), root[32], q[32];
    cp_absence_proof p;
    mth(ids, n, root);
    /* Below the first. */
    memset(q, 0, 32);
    assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, q, &p), CP_OK);
    assert_int_equal(p.size, n);
    if (n == 0) {
      assert_int_equal(p.nleaves, 0);
    } else {
      assert_int_equal(p.nleaves, 1);
      check_proof_leaf(ids, n, &p.leaf[0], 0);
    }
    assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_OK);
    /* Between each pair, and above the last. */
    for (size_t i = 0; i < n; i++) {
      memcpy(q, ids[i], 32);
      q[31]++;
      assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, q, &p), CP_OK);
      if (i + 1 < n) {
        assert_int_equal(p.nleaves, 2);
        check_proof_leaf(ids, n, &p.leaf[0], i);
        check_proof_leaf(ids, n, &p.leaf[1], i + 1);
      } else {
        assert_int_equal(p.nleaves, 1);
        check_proof_leaf(ids, n, &p.leaf[0], n - 1);
      }
      assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_OK);
      /* Against another root or size: refused. */
      uint8_t other[32];
      memcpy(other, root, 32);
      other[5] ^= 1;
      assert_int_equal(cp_rev_verify_absent(q, n, other, &p), CP_EPROOF);
      assert_int_equal(cp_rev_verify_absent(q, n + 1, root, &p), CP_EPROOF);
      /* A member is revoked: no proof, and the proof of a neighbour does
       * not cover it. */
      assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, ids[i], &p), CP_EEXIST);
    }
    free(ids);
  }
}

static void member_not_absent(void **state) {
  (void)state;
  uint8_t (*ids)[32] = make_ids(6, 1), root[32], q[32];
  cp_absence_proof p;
  mth(ids, 6, root);
  memcpy(q, ids[2], 32);
  q[31]++;
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, 6, q, &p), CP_OK);
  /* The proof for the gap after leaf 2, offered for leaf 2 or leaf 3 itself. */
  assert_int_equal(cp_rev_verify_absent(ids[2], 6, root, &p), CP_EPROOF);
  assert_int_equal(cp_rev_verify_absent(ids[3], 6, root, &p), CP_EPROOF);
  /* The end proofs, offered for the end leaves themselves. */
  memset(q, 0, 32);
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, 6, q, &p), CP_OK);
  assert_int_equal(cp_rev_verify_absent(ids[0], 6, root, &p), CP_EPROOF);
  memset(q, 0xff, 32);
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, 6, q, &p), CP_OK);
  assert_int_equal(cp_rev_verify_absent(ids[5], 6, root, &p), CP_EPROOF);
  free(ids);
}

/* Builds a leaf with a genuine inclusion path from the independent code. */
static void real_leaf(uint8_t (*ids)[32], size_t n, size_t i, cp_rev_leaf *l) {
  l->index = i;
  memcpy(l->id, ids[i], 32);
  l->n = path(i, ids, n, l->path);
}

static void forged_proofs_refused(void **state) {
  (void)state;
  const size_t n = 9;
  uint8_t (*ids)[32] = make_ids(n, 5), root[32], q[32], empty[32];
  cp_absence_proof p, good;
  mth(ids, n, root);
  memcpy(q, ids[3], 32);
  q[31]++; /* between leaves 3 and 4 */
  memset(&good, 0, sizeof good);
  good.size = n;
  good.nleaves = 2;
  real_leaf(ids, n, 3, &good.leaf[0]);
  real_leaf(ids, n, 4, &good.leaf[1]);
  assert_int_equal(cp_rev_verify_absent(q, n, root, &good), CP_OK);

  /* Non-adjacent leaves (3 and 5), each genuinely included. */
  p = good;
  real_leaf(ids, n, 5, &p.leaf[1]);
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Leaves 2 and 4, also bracketing q. */
  p = good;
  real_leaf(ids, n, 2, &p.leaf[0]);
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Wrong index with the right path. */
  p = good;
  p.leaf[1].index = 5;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.leaf[0].index = 4;
  p.leaf[1].index = 5;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Swapped leaves. */
  p = good;
  p.leaf[0] = good.leaf[1];
  p.leaf[1] = good.leaf[0];
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Truncated or lengthened path, a flipped path byte. */
  p = good;
  p.leaf[0].n--;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.leaf[1].n++;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.leaf[1].path[0][7] ^= 0x40;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.leaf[0].n = 65;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Only one of the two leaves; a middle leaf passed off as an end. */
  p = good;
  p.nleaves = 1;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.nleaves = 1;
  p.leaf[0] = good.leaf[1];
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* Three leaves, none, a different claimed size. */
  p = good;
  p.nleaves = 3;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.nleaves = 0;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  p = good;
  p.size = n - 1;
  assert_int_equal(cp_rev_verify_absent(q, n, root, &p), CP_EPROOF);
  /* The empty tree: only with the empty root and no leaf. */
  memset(&p, 0, sizeof p);
  sha(NULL, 0, NULL, 0, NULL, 0, empty);
  assert_int_equal(cp_rev_verify_absent(q, 0, empty, &p), CP_OK);
  assert_int_equal(cp_rev_verify_absent(q, 0, root, &p), CP_EPROOF);
  p.nleaves = 1;
  assert_int_equal(cp_rev_verify_absent(q, 0, empty, &p), CP_EPROOF);
  free(ids);
}

static void binary_form(void **state) {
  (void)state;
  const size_t n = 13;
  uint8_t (*ids)[32] = make_ids(n, 2), q[32], buf[CP_ABSENCE_BIN_MAX + 2], buf2[CP_ABSENCE_BIN_MAX];
  cp_absence_proof p, back;
  cp_diag d;
  size_t len, len2;
  memcpy(q, ids[6], 32);
  q[31]++;
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, q, &p), CP_OK);
  assert_int_equal(cp_absence_encode(&p, buf, sizeof buf, &len), CP_OK);
  /* Layout: version, size, count, then per leaf index | id | n | path. */
  assert_int_equal(len, 10 + 2 * 41 + (p.leaf[0].n + p.leaf[1].n) * 32);
  assert_int_equal(buf[0], 1);
  assert_int_equal(buf[8], n);
  assert_int_equal(buf[9], 2);
  assert_int_equal(buf[17], 6);
  assert_memory_equal(buf + 18, ids[6], 32);
  assert_int_equal(cp_absence_decode(buf, len, &back, &d), CP_OK);
  assert_int_equal(cp_absence_encode(&back, buf2, sizeof buf2, &len2), CP_OK);
  assert_int_equal(len2, len);
  assert_memory_equal(buf2, buf, len);
  /* Every truncation, a trailing byte, a bad version, 3 leaves, 65 hashes. */
  for (size_t k = 0; k < len; k++) assert_int_equal(cp_absence_decode(buf, k, &back, &d), CP_ECORRUPT);
  buf[len] = 0;
  assert_int_equal(cp_absence_decode(buf, len + 1, &back, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "trailing"));
  buf[0] = 2;
  assert_int_equal(cp_absence_decode(buf, len, &back, &d), CP_ECORRUPT);
  buf[0] = 1;
  buf[9] = 3;
  assert_int_equal(cp_absence_decode(buf, len, &back, &d), CP_ECORRUPT);
  buf[9] = 2;
  buf[1] = 0x80; /* size above 2^63-1 */
  assert_int_equal(cp_absence_decode(buf, len, &back, &d), CP_ECORRUPT);
  buf[1] = 0;
  buf[10 + 40] = 65;
  assert_int_equal(cp_absence_decode(buf, len, &back, &d), CP_ECORRUPT);
  assert_int_equal(cp_absence_decode(buf, CP_ABSENCE_BIN_MAX + 1, &back, &d), CP_ETOOBIG);
  free(ids);
}

static void json_form(void **state) {
  (void)state;
  const size_t n = 5;
  uint8_t (*ids)[32] = make_ids(n, 4), q[32];
  cp_absence_doc doc, back;
  cp_diag d;
  memset(&doc, 0, sizeof doc);
  memcpy(q, ids[1], 32);
  q[31]++;
  memcpy(doc.award, q, 32);
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, q, &doc.proof), CP_OK);
  doc.has_statement = 1;
  memcpy(doc.statement, "x\n", 3);
  doc.statement_len = 2;
  char *js = cp_absence_to_json(&doc);
  assert_non_null(js);
  assert_int_equal(cp_absence_parse_json(js, strlen(js), &back, &d), CP_OK);
  assert_memory_equal(back.award, doc.award, 32);
  assert_int_equal(back.proof.nleaves, 2);
  assert_int_equal(back.proof.size, n);
  assert_int_equal(back.has_statement, 1);
  assert_string_equal(back.statement, "x\n");
  for (unsigned i = 0; i < 2; i++) {
    assert_int_equal(back.proof.leaf[i].index, doc.proof.leaf[i].index);
    assert_int_equal(back.proof.leaf[i].n, doc.proof.leaf[i].n);
    assert_memory_equal(back.proof.leaf[i].path, doc.proof.leaf[i].path, 32 * back.proof.leaf[i].n);
  }
  free(js);
  static const char *const bad[] = {
      "[]",
      "{\"award\":\"00\",\"revocations\":0,\"leaves\":[]}",
      "{\"revocations\":0,\"leaves\":[]}",
      "{\"award\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
      "\",\"revocations\":-1,\"leaves\":[]}",
      "{\"award\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
      "\",\"revocations\":0,\"leaves\":[],\"extra\":1}",
      "{\"award\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
      "\",\"revocations\":0,\"revocations\":0,\"leaves\":[]}",
      "{\"award\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
      "\",\"revocations\":3,\"leaves\":[1,2,3]}",
      "{\"award\":\"" "0000000000000000000000000000000000000000000000000000000000000000"
      "\",\"revocations\":3,\"leaves\":[{\"index\":0,\"id\":\"00\",\"hashes\":[]}]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(cp_absence_parse_json(bad[i], strlen(bad[i]), &back, &d), CP_ECORRUPT);
  free(ids);
}

/* ---- statements ------------------------------------------------------------ */

static const uint8_t SEED[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void verifier(const cp_key *k, const char *origin, cp_note_verifier *v) {
  memset(v, 0, sizeof *v);
  snprintf(v->name, sizeof v->name, "%s", origin);
  v->alg = CP_NOTE_ALG_ED25519;
  cp_key_public(k, v->pk);
  v->key_id = cp_note_key_id(origin, v->alg, v->pk);
}

static void statement_sign_verify(void **state) {
  (void)state;
  cp_key *k = NULL, *other = NULL;
  cp_note_verifier v, vo;
  cp_revstat st;
  cp_diag d;
  uint8_t root[32], rev[32], pk[32], sk[64];
  char text[CP_REVSTAT_MAX], r1[45], r2[45];
  size_t len;
  assert_int_equal(cp_key_from_seed(SEED, &k), CP_OK);
  assert_int_equal(cp_key_generate(&other), CP_OK);
  memset(root, 0xab, 32);
  memset(rev, 0xcd, 32);
  assert_int_equal(cp_revstat_sign(k, "example.org/log", 42, root, 3, rev, text, sizeof text, &len),
                   CP_OK);
  /* The text, line by line, and the signature over the statement prefix
   * and the first six lines, made here with libsodium. */
  cp_b64_encode(root, 32, r1);
  cp_b64_encode(rev, 32, r2);
  char body[512];
  int bn = snprintf(body, sizeof body,
                    "credport revocation status v1\norigin example.org/log\nsize 42\nroot %s\n"
                    "revoked 3\nrevocation-root %s\n", r1, r2);
  assert_true(len > (size_t)bn);
  assert_memory_equal(text, body, (size_t)bn);
  uint8_t msg[600], sig[64];
  static const char prefix[] = "credport/v1/statement"; /* and its NUL */
  memcpy(msg, prefix, sizeof prefix);
  memcpy(msg + sizeof prefix, body, (size_t)bn);
  crypto_sign_seed_keypair(pk, sk, SEED);
  crypto_sign_detached(sig, NULL, msg, sizeof prefix + (size_t)bn, sk);
  char s64[89], want[120];
  cp_b64_encode(sig, 64, s64);
  snprintf(want, sizeof want, "signature %s\n", s64);
  assert_int_equal(len, (size_t)bn + strlen(want));
  assert_string_equal(text + bn, want);

  verifier(k, "example.org/log", &v);
  verifier(other, "example.org/log", &vo);
  assert_int_equal(cp_revstat_open(text, len, &v, 1, &st, &d), CP_OK);
  assert_string_equal(st.origin, "example.org/log");
  assert_int_equal(st.size, 42);
  assert_int_equal(st.count, 3);
  assert_memory_equal(st.root, root, 32);
  assert_memory_equal(st.rev_root, rev, 32);
  assert_int_equal(cp_revstat_open(text, len, &vo, 1, &st, &d), CP_EBADSIG);
  /* The key named for another origin is not tried. */
  verifier(k, "other.org/log", &vo);
  assert_int_equal(cp_revstat_open(text, len, &vo, 1, &st, &d), CP_EBADSIG);
  /* Every flipped byte refused (parse or signature). */
  for (size_t i = 0; i < len; i++) {
    for (unsigned bit = 0; bit < 8; bit += 3) {
      text[i] ^= (char)(1u << bit);
      int rc = cp_revstat_open(text, len, &v, 1, &st, &d);
      assert_true(rc == CP_ECORRUPT || rc == CP_EBADSIG);
      text[i] ^= (char)(1u << bit);
    }
  }
  assert_int_equal(cp_revstat_open(text, len - 1, &v, 1, &st, &d), CP_ECORRUPT);
  /* Domain separation: the same six lines signed plainly (as a signed note
   * would be) or for another purpose do not verify as a statement. */
  uint8_t raw[64];
  assert_int_equal(cp_sig_sign_raw(k, (const uint8_t *)body, (size_t)bn, raw), CP_OK);
  cp_b64_encode(raw, 64, s64);
  snprintf(text + bn, sizeof text - (size_t)bn, "signature %s\n", s64);
  assert_int_equal(cp_revstat_open(text, strlen(text), &v, 1, &st, &d), CP_EBADSIG);
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_ENTRY, (const uint8_t *)body, (size_t)bn, raw), CP_OK);
  cp_b64_encode(raw, 64, s64);
  snprintf(text + bn, sizeof text - (size_t)bn, "signature %s\n", s64);
  assert_int_equal(cp_revstat_open(text, strlen(text), &v, 1, &st, &d), CP_EBADSIG);
  /* Invalid arguments and inconsistent fields. */
  assert_int_equal(cp_revstat_sign(k, "bad origin", 1, root, 0, rev, text, sizeof text, &len),
                   CP_EINVAL);
  assert_int_equal(cp_revstat_sign(k, "o", 2, root, 3, rev, text, sizeof text, &len), CP_EINVAL);
  assert_int_equal(cp_revstat_sign(k, "o", 2, root, 1, rev, text, 100, &len), CP_ETOOBIG);
  /* Count 0 needs the empty revocation root. */
  assert_int_equal(cp_revstat_sign(k, "o", 2, root, 0, rev, text, sizeof text, &len), CP_OK);
  assert_int_equal(cp_revstat_parse(text, len, &st, &d), CP_ECORRUPT);
  /* A checkpoint note is not a statement. */
  assert_int_equal(cp_checkpoint_sign(k, "o", 2, root, text, sizeof text, &len), CP_OK);
  assert_int_equal(cp_revstat_parse(text, len, &st, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "line 1"));
  cp_key_free(k);
  cp_key_free(other);
}

static void statement_strict_spelling(void **state) {
  (void)state;
  cp_key *k = NULL;
  cp_revstat st;
  cp_diag d;
  uint8_t root[32], rev[32];
  char text[CP_REVSTAT_MAX];
  size_t len;
  memset(root, 1, 32);
  memset(rev, 2, 32);
  assert_int_equal(cp_key_from_seed(SEED, &k), CP_OK);
  assert_int_equal(cp_revstat_sign(k, "o", 7, root, 2, rev, text, sizeof text, &len), CP_OK);
  assert_int_equal(cp_revstat_parse(text, len, &st, &d), CP_OK);
  /* A leading zero, a space too many, CRLF: all refused. */
  static const struct { const char *from, *to; } edits[] = {
      {"size 7\n", "size 07\n"}, {"revoked 2\n", "revoked  2\n"}, {"origin o\n", "origin o\r\n"},
      {"revoked 2\n", "revoked 8\n"}, {"size 7\n", "Size 7\n"}};
  for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
    char t2[CP_REVSTAT_MAX + 8];
    const char *at = strstr(text, edits[i].from);
    assert_non_null(at);
    size_t pre = (size_t)(at - text), fl = strlen(edits[i].from), tl = strlen(edits[i].to);
    memcpy(t2, text, pre);
    memcpy(t2 + pre, edits[i].to, tl);
    memcpy(t2 + pre + tl, at + fl, len - pre - fl);
    assert_int_equal(cp_revstat_parse(t2, len - fl + tl, &st, &d), CP_ECORRUPT);
  }
  cp_key_free(k);
}


/* docs/FORMATS.md "Revocation status", worked example. The hashes were
 * checked against an independent SHA-256 (leaf hashes of 11.. and 33..,
 * node of leaves 0 and 1, root); the signature is deterministic Ed25519. */
static void worked_example(void **state) {
  (void)state;
  static const char want_text[] =
      "credport revocation status v1\n"
      "origin example.org/log\n"
      "size 42\n"
      "root q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"
      "revoked 3\n"
      "revocation-root OhPVyOuZAx3Vhudoz2iFytOMiXM6UxGNygLzBgERwNU=\n"
      "signature c2Cue9RuxPaqHGc6Q2u41vc0Pe4PiHXVf127wuVg9RejqAbNmvwJX5GbfgJnCcYWNP9JRwCqmBJ2p35Z4J5sAw==\n";
  static const char want_bin[] =
      "0100000000000000030200000000000000012200000000000000000000000000"
      "00000000000000000000000000000000000002fa53860c9d59524c4c6d4931c6"
      "9e7229a02d8a547c6bb8bde3b5fe6ef87e9af02607ff87cd8a0373112954f7a7"
      "c0d227c1d4d3b449304c22e89d77492390b04300000000000000023300000000"
      "00000000000000000000000000000000000000000000000000000001a81c0d7b"
      "236ffa30692325b3132c0d4720fdadb0302b6699423b9a52011187d8";
  uint8_t ids[3][32], rr[32], mr[32], root[32], q[32], bin[188], got[CP_ABSENCE_BIN_MAX];
  cp_key *k = NULL;
  cp_absence_proof p;
  char text[CP_REVSTAT_MAX];
  size_t len;
  memset(ids, 0, sizeof ids);
  ids[0][0] = 0x11;
  ids[1][0] = 0x22;
  ids[2][0] = 0x33;
  memset(root, 0xab, 32);
  assert_int_equal(cp_rev_root((const uint8_t(*)[32])ids, 3, rr), CP_OK);
  mth(ids, 3, mr);
  assert_memory_equal(rr, mr, 32);
  uint8_t want_rr[32];
  cpt_unhex("3a13d5c8eb99031dd586e768cf6885cad38c89733a53118dca02f3060111c0d5", want_rr, 32);
  assert_memory_equal(rr, want_rr, 32);
  assert_int_equal(cp_key_from_seed(SEED, &k), CP_OK);
  assert_int_equal(cp_revstat_sign(k, "example.org/log", 42, root, 3, rr, text, sizeof text, &len),
                   CP_OK);
  assert_string_equal(text, want_text);
  memset(q, 0, 32);
  q[0] = 0x2a;
  assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, 3, q, &p), CP_OK);
  assert_int_equal(cp_absence_encode(&p, got, sizeof got, &len), CP_OK);
  cpt_unhex(want_bin, bin, sizeof bin);
  assert_int_equal(len, sizeof bin);
  assert_memory_equal(got, bin, sizeof bin);
  assert_int_equal(cp_rev_verify_absent(q, 3, rr, &p), CP_OK);
  cp_key_free(k);
}

/* Proofs from a tree built once are exactly the proofs made one by one,
 * for every gap of every set size up to 40, and a member is refused. */
static void tree_proofs_equal_single(void **state) {
  (void)state;
  static cp_absence_proof a, b;
  uint8_t ids[40][32], q[32];
  for (size_t n = 0; n <= 40; n++) {
    cp_rev_tree *t = NULL;
    for (size_t i = 0; i < n; i++) {
      memset(ids[i], 0, 32);
      ids[i][0] = (uint8_t)(4 + 6 * i);
    }
    assert_int_equal(cp_rev_tree_new((const uint8_t(*)[32])ids, n, &t), CP_OK);
    for (unsigned v = 0; v < 256; v += 3) {
      memset(q, 0, 32);
      q[0] = (uint8_t)v;
      q[31] = 1;
      assert_int_equal(cp_rev_prove_absent((const uint8_t(*)[32])ids, n, q, &a), CP_OK);
      assert_int_equal(cp_rev_tree_prove_absent(t, q, &b), CP_OK);
      assert_memory_equal(&a, &b, sizeof a);
    }
    if (n > 0) assert_int_equal(cp_rev_tree_prove_absent(t, ids[n / 2], &b), CP_EEXIST);
    cp_rev_tree_free(t);
  }
  memset(ids[1], 0, 32);
  cp_rev_tree *t = NULL;
  assert_int_equal(cp_rev_tree_new((const uint8_t(*)[32])ids, 2, &t), CP_EINVAL);
  assert_null(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(roots_match_rfc),       cmocka_unit_test(absence_everywhere),
    cmocka_unit_test(member_not_absent),     cmocka_unit_test(forged_proofs_refused),
    cmocka_unit_test(binary_form),           cmocka_unit_test(json_form),
    cmocka_unit_test(statement_sign_verify), cmocka_unit_test(statement_strict_spelling),
    cmocka_unit_test(worked_example),        cmocka_unit_test(tree_proofs_equal_single),
};

CP_TEST_MAIN(tests)
