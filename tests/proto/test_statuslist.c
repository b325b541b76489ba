/*
 * Bitstring Status List (proto/statuslist.c) and vc+jwt (proto/vcjwt.c).
 *
 * Known answers: the W3C Bitstring Status List v1.0 examples' encodedList
 * of an empty 131,072-entry list, and a GZIP member built here by hand
 * (RFC 1952 header, one stored RFC 1951 block, a bitwise CRC-32), so the
 * decoder and the bit order (index 0 = the left-most bit of byte 0) are
 * checked against bytes no compressor of ours made.
 */
#include "cptest.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "credport/codec.h"
#include "credport/statuslist.h"
#include "credport/vcdi.h"
#include "credport/vcjwt.h"

#define W3C_EMPTY "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
#define URL "https://nc.example/status/1"
#define NBYTES (CP_STATUS_BITS_MIN / 8)

static cp_key *key(uint8_t b, uint8_t pk[CP_PK_BYTES]) {
  uint8_t seed[CP_SEED_BYTES];
  cp_key *k = NULL;
  memset(seed, b, sizeof seed);
  assert_int_equal(cp_key_from_seed(seed, &k), CP_OK);
  cp_key_public(k, pk);
  return k;
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  size_t i;
  int k;
  for (i = 0; i < n; i++) {
    c ^= p[i];
    for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

/* "u" + base64url of a GZIP member holding data in one stored block. */
static char *hand_gzip(const uint8_t *data, size_t n) {
  size_t glen = 10 + 5 + n + 8, o = 0;
  uint8_t *g = malloc(glen);
  char *s = malloc(CP_B64URL_LEN(glen) + 2);
  uint32_t crc = crc32_bitwise(data, n);
  static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  assert_true(n <= 65535);
  memcpy(g, hdr, 10);
  o = 10;
  g[o++] = 1; /* BFINAL, BTYPE 00 (stored) */
  g[o++] = (uint8_t)n;
  g[o++] = (uint8_t)(n >> 8);
  g[o++] = (uint8_t)~n;
  g[o++] = (uint8_t)(~n >> 8);
  memcpy(g + o, data, n);
  o += n;
  for (int i = 0; i < 4; i++) g[o++] = (uint8_t)(crc >> (8 * i));
  for (int i = 0; i < 4; i++) g[o++] = (uint8_t)(n >> (8 * i));
  s[0] = 'u';
  cp_b64url_encode(g, glen, s + 1);
  free(g);
  return s;
}

static void w3c_empty_list(void **state) {
  uint8_t *bits = NULL;
  size_t n = 0, i;
  cp_diag d = {{0}};
  (void)state;
  assert_int_equal(cp_status_decode(W3C_EMPTY, strlen(W3C_EMPTY), &bits, &n, &d), CP_OK);
  assert_int_equal(n, 16384);
  for (i = 0; i < n; i++) assert_int_equal(bits[i], 0);
  assert_int_equal(cp_status_bit(bits, n, 131071), 0);
  assert_int_equal(cp_status_bit(bits, n, 131072), -1);
  free(bits);
}

static void hand_made_list(void **state) {
  uint8_t *raw = calloc(NBYTES, 1), *bits = NULL;
  size_t n = 0;
  cp_diag d = {{0}};
  char *enc;
  (void)state;
  /* Indexes 0, 7, 8 and 131071 set: byte 0 = 1000 0001, byte 1 = 1000 0000,
   * the last byte 0000 0001. */
  raw[0] = 0x81;
  raw[1] = 0x80;
  raw[NBYTES - 1] = 0x01;
  enc = hand_gzip(raw, NBYTES);
  assert_int_equal(cp_status_decode(enc, strlen(enc), &bits, &n, &d), CP_OK);
  assert_int_equal(n, NBYTES);
  assert_int_equal(cp_status_bit(bits, n, 0), 1);
  assert_int_equal(cp_status_bit(bits, n, 1), 0);
  assert_int_equal(cp_status_bit(bits, n, 6), 0);
  assert_int_equal(cp_status_bit(bits, n, 7), 1);
  assert_int_equal(cp_status_bit(bits, n, 8), 1);
  assert_int_equal(cp_status_bit(bits, n, 9), 0);
  assert_int_equal(cp_status_bit(bits, n, 131070), 0);
  assert_int_equal(cp_status_bit(bits, n, 131071), 1);
  free(bits);
  free(enc);
  free(raw);
}

static void round_trip(void **state) {
  uint8_t *raw = calloc(2 * NBYTES, 1), *bits = NULL;
  size_t n = 0, len = 0, i;
  cp_diag d = {{0}};
  char *enc = NULL;
  (void)state;
  for (i = 0; i < 2 * NBYTES; i += 997) raw[i] = (uint8_t)(i * 31 + 1);
  assert_int_equal(cp_status_encode(raw, 2 * NBYTES, &enc, &len), CP_OK);
  assert_int_equal(strlen(enc), len);
  assert_int_equal(enc[0], 'u');
  assert_int_equal(cp_status_decode(enc, len, &bits, &n, &d), CP_OK);
  assert_int_equal(n, 2 * NBYTES);
  assert_memory_equal(bits, raw, n);
  free(bits);
  free(enc);
  free(raw);
}

/* A GZIP member of n zero bytes, made with zlib (for the bounds). */
static char *zeros_gzip(size_t n, int wbits, const char *tail) {
  z_stream z;
  uint8_t *in = calloc(n ? n : 1, 1), *out;
  size_t cap = n / 500 + 4096, tl = tail ? strlen(tail) : 0;
  char *s;
  memset(&z, 0, sizeof z);
  out = malloc(cap + tl);
  assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  if (tl > 0) memcpy(out + z.total_out, tail, tl);
  s = malloc(CP_B64URL_LEN(z.total_out + tl) + 2);
  s[0] = 'u';
  cp_b64url_encode(out, z.total_out + tl, s + 1);
  deflateEnd(&z);
  free(in);
  free(out);
  return s;
}

static void decode_refuses(void **state) {
  uint8_t *bits = NULL;
  size_t n = 0;
  cp_diag d = {{0}};
  char *s, *t;
  (void)state;
  assert_int_equal(cp_status_decode(W3C_EMPTY + 1, strlen(W3C_EMPTY) - 1, &bits, &n, &d),
                   CP_ECORRUPT); /* no multibase prefix */
  assert_non_null(strstr(d.msg, "'u' prefix"));
  t = strdup(W3C_EMPTY);
  t[0] = 'z';
  assert_int_equal(cp_status_decode(t, strlen(t), &bits, &n, &d), CP_ECORRUPT);
  free(t);
  assert_int_equal(cp_status_decode("uH4sI=", 6, &bits, &n, &d), CP_ECORRUPT);
  /* Truncated: the last 8 characters (CRC and size) gone. */
  assert_int_equal(cp_status_decode(W3C_EMPTY, strlen(W3C_EMPTY) - 8, &bits, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "GZIP"));
  /* zlib format instead of GZIP. */
  s = zeros_gzip(NBYTES, 15, NULL);
  assert_int_equal(cp_status_decode(s, strlen(s), &bits, &n, &d), CP_ECORRUPT);
  free(s);
  /* Fewer than 131,072 entries. */
  s = zeros_gzip(NBYTES - 1, 31, NULL);
  assert_int_equal(cp_status_decode(s, strlen(s), &bits, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "fewer than the minimum 131072"));
  free(s);
  /* Bytes after the member (here a second tiny member's start). */
  s = zeros_gzip(NBYTES, 31, "\x1f\x8b");
  assert_int_equal(cp_status_decode(s, strlen(s), &bits, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "follow the GZIP member"));
  free(s);
  /* A bomb: 9 MiB of zeros in about 9 KiB; refused at the 8 MiB bound. */
  s = zeros_gzip((size_t)9 << 20, 31, NULL);
  assert_true(strlen(s) < 16 * 1024);
  assert_int_equal(cp_status_decode(s, strlen(s), &bits, &n, &d), CP_ETOOBIG);
  assert_null(bits);
  free(s);
  /* Exactly the bound is accepted. */
  s = zeros_gzip(CP_STATUS_BITS_MAX / 8, 31, NULL);
  assert_int_equal(cp_status_decode(s, strlen(s), &bits, &n, &d), CP_OK);
  assert_int_equal(n, CP_STATUS_BITS_MAX / 8);
  free(bits);
  free(s);
}

static void list_size_rule(void **state) {
  (void)state;
  assert_int_equal(cp_status_list_bits(0), 131072);
  assert_int_equal(cp_status_list_bits(1), 131072);
  assert_int_equal(cp_status_list_bits(131072), 131072);
  assert_int_equal(cp_status_list_bits(131073), 262144);
  assert_int_equal(cp_status_list_bits(1000000), 1048576);
  assert_int_equal(cp_status_url_ok("https://nc.example/status/1"), CP_OK);
  assert_int_equal(cp_status_url_ok("http://localhost:8080/s"), CP_OK);
  assert_int_equal(cp_status_url_ok("ftp://nc.example/s"), CP_EINVAL);
  assert_int_equal(cp_status_url_ok("https://"), CP_EINVAL);
  assert_int_equal(cp_status_url_ok("https://nc.example/s#1"), CP_EINVAL);
  assert_int_equal(cp_status_url_ok("https://nc.example/a b"), CP_EINVAL);
  assert_int_equal(cp_status_url_ok("https://nc.example/\"x"), CP_EINVAL);
}

/* A signed list with index 5 set, as JSON (Data Integrity) or vc+jwt. */
static char *signed_list(cp_key *k, const uint8_t issuer[CP_PK_BYTES], int jwt, const char *url) {
  uint8_t *raw = calloc(NBYTES, 1);
  json_t *v = NULL;
  char *out = NULL;
  size_t len;
  cp_diag d = {{0}};
  raw[0] = 0x04;
  assert_int_equal(cp_status_list_build(url, issuer, 1767225600, raw, NBYTES, &v, &d), CP_OK);
  if (jwt) {
    assert_int_equal(cp_vcjwt_sign(v, k, &out, &len, &d), CP_OK);
  } else {
    assert_int_equal(cp_vcdi_sign(v, k, "2026-01-01T00:00:00Z", &d), CP_OK);
    out = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  }
  json_decref(v);
  free(raw);
  return out;
}

static void signed_list_check(void **state) {
  uint8_t pk[CP_PK_BYTES], pk2[CP_PK_BYTES];
  cp_key *k = key(1, pk), *k2 = key(2, pk2);
  int jwt;
  (void)state;
  for (jwt = 0; jwt <= 1; jwt++) {
    char *s = signed_list(k, pk, jwt, URL);
    cp_status_list l;
    cp_diag d = {{0}};
    json_t *e5 = cp_status_entry(URL, 5), *e6 = cp_status_entry(URL, 6);
    json_t *far = cp_status_entry(URL, 131072), *other = cp_status_entry(URL "x", 5);
    json_t *arr = json_pack("[O]", e5);
    int rev = -1;
    assert_int_equal(cp_status_list_open(s, strlen(s), &l, &d), CP_OK);
    assert_int_equal(l.jwt, jwt);
    assert_memory_equal(l.issuer, pk, CP_PK_BYTES);
    assert_string_equal(l.url, URL);
    assert_int_equal(l.nbytes, NBYTES);
    assert_int_equal(cp_status_check(&l, e5, pk, &rev, &d), CP_OK);
    assert_int_equal(rev, 1);
    rev = -1;
    assert_int_equal(cp_status_check(&l, arr, pk, &rev, &d), CP_OK);
    assert_int_equal(rev, 1);
    assert_int_equal(cp_status_check(&l, e6, pk, &rev, &d), CP_OK);
    assert_int_equal(rev, 0);
    assert_int_equal(cp_status_check(&l, far, pk, &rev, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, "beyond the list's 131072 entries"));
    assert_int_equal(cp_status_check(&l, other, pk, &rev, &d), CP_EDENIED);
    assert_int_equal(cp_status_check(&l, e5, pk2, &rev, &d), CP_EDENIED);
    assert_non_null(strstr(d.msg, "another issuer's"));
    json_object_set_new(e6, "statusListIndex", json_string("06"));
    assert_int_equal(cp_status_check(&l, e6, pk, &rev, &d), CP_ECORRUPT);
    json_object_set_new(e6, "statusListIndex", json_integer(6));
    assert_int_equal(cp_status_check(&l, e6, pk, &rev, &d), CP_ECORRUPT);
    json_object_set_new(e6, "statusListIndex", json_string("6"));
    json_object_set_new(e6, "statusPurpose", json_string("suspension"));
    assert_int_equal(cp_status_check(&l, e6, pk, &rev, &d), CP_ECORRUPT);
    cp_status_list_free(&l);
    json_decref(e5);
    json_decref(e6);
    json_decref(far);
    json_decref(other);
    json_decref(arr);
    free(s);
  }
  cp_key_free(k);
  cp_key_free(k2);
}

static void signed_list_refused(void **state) {
  uint8_t pk[CP_PK_BYTES], pk2[CP_PK_BYTES];
  cp_key *k = key(1, pk), *k2 = key(2, pk2);
  cp_status_list l;
  cp_diag d = {{0}};
  char *s, *p;
  json_t *v;
  (void)state;
  /* JSON: a bit flipped inside encodedList breaks the proof. */
  s = signed_list(k, pk, 0, URL);
  p = strstr(s, "\"encodedList\": \"u") + 20;
  *p = *p == 'A' ? 'B' : 'A';
  assert_int_equal(cp_status_list_open(s, strlen(s), &l, &d), CP_EBADSIG);
  free(s);
  /* JSON signed by another did:key than its issuer. */
  s = signed_list(k, pk, 0, URL);
  v = json_loads(s, 0, NULL);
  json_object_del(v, "proof");
  free(s);
  assert_int_equal(cp_vcdi_sign(v, k2, "2026-01-01T00:00:00Z", &d), CP_OK);
  s = json_dumps(v, 0);
  assert_int_equal(cp_status_list_open(s, strlen(s), &l, &d), CP_EDENIED);
  free(s);
  json_decref(v);
  /* JWT: the issuer in the payload is k's, the signature k2's. */
  s = signed_list(k2, pk2, 1, URL);
  {
    cp_jws j;
    json_t *pl = NULL;
    char did[CP_DIDKEY_MAX], *out = NULL, vm[CP_VCDI_VM_MAX];
    size_t len;
    assert_int_equal(cp_jws_open(s, strlen(s), &j, &d), CP_OK);
    assert_int_equal(cp_jws_payload_json(&j, &pl, &d), CP_OK);
    cp_didkey_encode(pk, did);
    json_object_set_new(pl, "issuer", json_string(did));
    json_object_set_new(pl, "iss", json_string(did));
    cp_vcdi_vm(pk2, vm);
    assert_int_equal(cp_jws_sign_json(k2, "vc+jwt", vm, pl, &out, &len), CP_OK);
    assert_int_equal(cp_status_list_open(out, len, &l, &d), CP_EDENIED);
    assert_non_null(strstr(d.msg, "not by the issuer"));
    /* Without a kid: the issuer's key does not verify it. */
    free(out);
    assert_int_equal(cp_jws_sign_json(k2, "vc+jwt", NULL, pl, &out, &len), CP_OK);
    assert_int_equal(cp_status_list_open(out, len, &l, &d), CP_EBADSIG);
    /* typ JWT instead of vc+jwt. */
    free(out);
    assert_int_equal(cp_jws_sign_json(k, "JWT", NULL, pl, &out, &len), CP_OK);
    assert_int_equal(cp_status_list_open(out, len, &l, &d), CP_ECORRUPT);
    /* nbf differing from validFrom. */
    free(out);
    json_object_set_new(pl, "nbf", json_integer(1));
    cp_vcdi_vm(pk, vm);
    assert_int_equal(cp_jws_sign_json(k, "vc+jwt", vm, pl, &out, &len), CP_OK);
    assert_int_equal(cp_status_list_open(out, len, &l, &d), CP_ECORRUPT);
    assert_non_null(strstr(d.msg, "\"nbf\""));
    free(out);
    json_decref(pl);
    cp_jws_free(&j);
  }
  free(s);
  cp_key_free(k);
  cp_key_free(k2);
}

static void vc_time(void **state) {
  uint64_t t = 0;
  (void)state;
  assert_int_equal(cp_vc_time_parse("1970-01-01T00:00:00Z", &t), CP_OK);
  assert_int_equal(t, 0);
  assert_int_equal(cp_vc_time_parse("2026-01-01T00:00:00Z", &t), CP_OK);
  assert_int_equal(t, 1767225600);
  assert_int_equal(cp_vc_time_parse("2024-02-29T12:34:56Z", &t), CP_OK);
  assert_int_equal(t, 1709210096);
  assert_int_equal(cp_vc_time_parse("2023-02-29T00:00:00Z", &t), CP_ECORRUPT);
  assert_int_equal(cp_vc_time_parse("2026-01-01T00:00:00", &t), CP_ECORRUPT);
  assert_int_equal(cp_vc_time_parse("2026-01-01T00:00:00.5Z", &t), CP_ECORRUPT);
  assert_int_equal(cp_vc_time_parse("2026-13-01T00:00:00Z", &t), CP_ECORRUPT);
  assert_int_equal(cp_vc_time_parse("2026-01-01T24:00:00Z", &t), CP_ECORRUPT);
  assert_int_equal(cp_vc_time_parse("1969-12-31T23:59:59Z", &t), CP_ECORRUPT);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(w3c_empty_list),
  cmocka_unit_test(hand_made_list),
  cmocka_unit_test(round_trip),
  cmocka_unit_test(decode_refuses),
  cmocka_unit_test(list_size_rule),
  cmocka_unit_test(signed_list_check),
  cmocka_unit_test(signed_list_refused),
  cmocka_unit_test(vc_time),
};

CP_TEST_MAIN(tests)
