/*
 * hex, base64, base58btc and did:key.
 *
 * Known answers: RFC 4648 section 10 (base64), the base58 vectors Bitcoin
 * Core publishes (src/test/data/base58_encode_decode.json), and two Ed25519
 * did:key examples from the did:key method's test vectors
 * (Ed25519VerificationKey2018 form: did, publicKeyBase58, privateKeyBase58).
 */
#include "cptest.h"

#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/sig.h"

static void hex_roundtrip(void **state) {
  uint8_t b[4];
  char s[9];
  (void)state;
  assert_int_equal(cp_hex_decode("00fFa5", 6, b, 3), CP_OK);
  assert_int_equal(b[0], 0x00);
  assert_int_equal(b[1], 0xff);
  assert_int_equal(b[2], 0xa5);
  cp_hex_encode(b, 3, s);
  assert_string_equal(s, "00ffa5");
  assert_int_equal(cp_hex_decode("00ff", 4, b, 3), CP_ECORRUPT);   /* wrong length */
  assert_int_equal(cp_hex_decode("0g", 2, b, 1), CP_ECORRUPT);     /* not hex */
  assert_int_equal(cp_hex_decode("0 ", 2, b, 1), CP_ECORRUPT);
}

/* RFC 4648 section 10. */
static const char *const B64_VEC[][2] = {
  {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

static void base64_rfc4648(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof B64_VEC / sizeof B64_VEC[0]; i++) {
    char enc[16];
    uint8_t dec[8];
    size_t n = 99;
    cp_b64_encode((const uint8_t *)B64_VEC[i][0], strlen(B64_VEC[i][0]), enc);
    assert_string_equal(enc, B64_VEC[i][1]);
    assert_int_equal(cp_b64_decode(B64_VEC[i][1], strlen(B64_VEC[i][1]), dec, sizeof dec, &n),
                     CP_OK);
    assert_int_equal(n, strlen(B64_VEC[i][0]));
    assert_memory_equal(dec, B64_VEC[i][0], n);
  }
}

static void base64_strict(void **state) {
  static const char *const bad[] = {
    "Zh==",     /* padding bits set (canonical: Zg==) */
    "Zm9=",     /* padding bits set (canonical: Zm8=) */
    "Zg=",      /* unpadded length */
    "Zg",       /* no padding */
    "Z===",     /* three pads */
    "====",     /* only padding */
    "Zg==Zg==", /* padding in the middle */
    "Zg=a",     /* data after padding */
    " Zg=",     /* whitespace */
    "Zm9-",     /* base64url alphabet */
    "Zm9_",
    "Zm9v\n",
  };
  uint8_t out[16];
  size_t i, n = 0;
  (void)state;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(cp_b64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n), CP_ECORRUPT);
  /* Capacity: six bytes do not fit in five. */
  assert_int_equal(cp_b64_decode("Zm9vYmFy", 8, out, 5, &n), CP_ETOOBIG);
  assert_int_equal(cp_b64_decode("Zm9vYmFy", 8, out, 6, &n), CP_OK);
  assert_int_equal(n, 6);
}

/* Bitcoin Core's base58_encode_decode.json. */
static const char *const B58_VEC[][2] = {
  {"", ""},
  {"61", "2g"},
  {"626262", "a3gV"},
  {"636363", "aPEr"},
  {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
  {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
  {"516b6fcd0f", "ABnLTmg"},
  {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
  {"572e4794", "3EFU7m"},
  {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
  {"10c8511e", "Rt5zm"},
  {"00000000000000000000", "1111111111"},
};

static void base58_bitcoin(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof B58_VEC / sizeof B58_VEC[0]; i++) {
    uint8_t raw[32], dec[32];
    char enc[64];
    size_t rlen = strlen(B58_VEC[i][0]) / 2, n = 0;
    cpt_unhex(B58_VEC[i][0], raw, rlen);
    assert_int_equal(cp_b58_encode(raw, rlen, enc, sizeof enc, &n), CP_OK);
    assert_string_equal(enc, B58_VEC[i][1]);
    assert_int_equal(n, strlen(B58_VEC[i][1]));
    assert_int_equal(cp_b58_decode(B58_VEC[i][1], n, dec, sizeof dec, &n), CP_OK);
    assert_int_equal(n, rlen);
    assert_memory_equal(dec, raw, rlen);
  }
}

static void base58_edges(void **state) {
  uint8_t out[8], z[3] = {0, 0, 1};
  char enc[8];
  size_t n = 0;
  (void)state;
  /* Leading zero bytes are leading '1's, one each. */
  assert_int_equal(cp_b58_encode(z, 3, enc, sizeof enc, &n), CP_OK);
  assert_string_equal(enc, "112");
  assert_int_equal(cp_b58_decode("112", 3, out, sizeof out, &n), CP_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(out, z, 3);
  /* Characters outside the alphabet: 0, O, I, l, '+'. */
  assert_int_equal(cp_b58_decode("0", 1, out, sizeof out, &n), CP_ECORRUPT);
  assert_int_equal(cp_b58_decode("O", 1, out, sizeof out, &n), CP_ECORRUPT);
  assert_int_equal(cp_b58_decode("I", 1, out, sizeof out, &n), CP_ECORRUPT);
  assert_int_equal(cp_b58_decode("l", 1, out, sizeof out, &n), CP_ECORRUPT);
  assert_int_equal(cp_b58_decode("2g+", 3, out, sizeof out, &n), CP_ECORRUPT);
  /* Capacity is enforced both ways. */
  assert_int_equal(cp_b58_decode("a3gV", 4, out, 2, &n), CP_ETOOBIG);
  assert_int_equal(cp_b58_decode("1111", 4, out, 3, &n), CP_ETOOBIG);
  assert_int_equal(cp_b58_encode((const uint8_t *)"bbb", 3, enc, 4, &n), CP_ETOOBIG);
  assert_int_equal(cp_b58_encode((const uint8_t *)"bbb", 3, enc, 5, &n), CP_OK);
}

typedef struct {
  const char *did, *pk58, *sk58;
} didkey_vec;

/* did:key method test vectors, Ed25519VerificationKey2018 examples. */
static const didkey_vec DIDKEY[] = {
  {"did:key:z6Mkr4zjFPqDsoQPo9t17N7pXo5oQXfjCFJ2bFDqpKnf9rBv",
   "Ccjgf9anYFuvgf3JRo9yghXoaxPsnN3fuEJuz3peEdQY", NULL},
  {"did:key:z6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGGN",
   "B2wUEUMZNLdD8kuVCDQsqLNXtqEZGbna9pDiXs2Fq3Uz",
   "7ikaQndFgH8daoLve2h6qDyRdx6LZ1B6g778ScfXGGYrJNwB6heiraN6pShS5SDnQJrRiq2QoZfWzeE9dQXw8sY"},
};

static void didkey_spec_examples(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof DIDKEY / sizeof DIDKEY[0]; i++) {
    uint8_t pk[32], want[32], sk[64], derived[32];
    char did[CP_DIDKEY_MAX];
    size_t n = 0;
    cp_key *k = NULL;
    assert_int_equal(cp_b58_decode(DIDKEY[i].pk58, strlen(DIDKEY[i].pk58), want, 32, &n), CP_OK);
    assert_int_equal(n, 32);
    assert_int_equal(cp_didkey_decode(DIDKEY[i].did, pk), CP_OK);
    assert_memory_equal(pk, want, 32);
    cp_didkey_encode(want, did);
    assert_string_equal(did, DIDKEY[i].did);
    if (DIDKEY[i].sk58 != NULL) {
      /* The published 64-byte secret key is seed || public key. */
      assert_int_equal(cp_b58_decode(DIDKEY[i].sk58, strlen(DIDKEY[i].sk58), sk, 64, &n), CP_OK);
      assert_int_equal(n, 64);
      assert_memory_equal(sk + 32, want, 32);
      assert_int_equal(cp_key_from_seed(sk, &k), CP_OK);
      cp_key_public(k, derived);
      assert_memory_equal(derived, want, 32);
      cp_key_free(k);
    }
  }
}

static void didkey_rejects(void **state) {
  uint8_t pk[32];
  (void)state;
  /* Wrong method, multibase prefix, multicodec (X25519 0xec), length. */
  assert_int_equal(cp_didkey_decode("did:web:z6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGGN", pk),
                   CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("did:key:f6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGGN", pk),
                   CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("did:key:z6LSoGhqMKrk8Zcv6Wq4pwp3tkqeYDqwTTzxnk9oGLyytBDw", pk),
                   CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("did:key:z6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGG", pk),
                   CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("did:key:z6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGGNN", pk),
                   CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("did:key:z", pk), CP_ECORRUPT);
  assert_int_equal(cp_didkey_decode("", pk), CP_ECORRUPT);
}

/* Inputs up to 256 bytes take the limb conversion, longer ones the
 * digit-by-digit one: both agree with the decoder (a separate loop) and
 * keep leading zero bytes as '1's, on every length across the boundary. */
static void base58_fast_and_slow_paths(void **state) {
  uint8_t in[300], back[300];
  char enc[500];
  size_t len, n, m;
  (void)state;
  for (len = 0; len <= sizeof in; len++) {
    for (size_t i = 0; i < len; i++) in[i] = (uint8_t)((i * 97 + len * 13) | 1);
    if (len > 2) in[0] = in[1] = 0;
    assert_int_equal(cp_b58_encode(in, len, enc, sizeof enc, &n), CP_OK);
    assert_int_equal(strlen(enc), n);
    if (len > 2) assert_true(enc[0] == '1' && enc[1] == '1' && enc[2] != '1');
    assert_int_equal(cp_b58_decode(enc, n, back, sizeof back, &m), CP_OK);
    assert_int_equal(m, len);
    assert_memory_equal(back, in, len);
    if (n > 0) assert_int_equal(cp_b58_encode(in, len, enc, n, &m), CP_ETOOBIG);
  }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(base58_fast_and_slow_paths),
  cmocka_unit_test(hex_roundtrip),
  cmocka_unit_test(base64_rfc4648),
  cmocka_unit_test(base64_strict),
  cmocka_unit_test(base58_bitcoin),
  cmocka_unit_test(base58_edges),
  cmocka_unit_test(didkey_spec_examples),
  cmocka_unit_test(didkey_rejects),
};

CP_TEST_MAIN(tests)
