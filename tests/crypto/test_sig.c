/*
 * Ed25519 keys, signatures and key files.
 *
 * Known answers: RFC 8032 section 7.1 (TEST 1, TEST 2, TEST 3, TEST 1024,
 * TEST SHA(abc)), values as published in the RFC. Edge cases: a selection
 * of Project Wycheproof's eddsa_test.json in tests/vectors/ (provenance in
 * the file header).
 */
#include "cptest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credport/codec.h"
#include "credport/sig.h"

typedef struct {
  const char *name, *seed, *pk, *msg, *sig;
} rfc8032_vec;

/* RFC 8032 section 7.1, "Test Vectors for Ed25519". */
static const rfc8032_vec RFC8032[] = {
  {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
   "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
   "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
   "6bd25bf5f0595bbe24655141438e7a100b"},
  {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
   "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
   "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d"
   "8c387b2eaeb4302aeeb00d291612bb0c00"},
  {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
   "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
   "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6"
   "594a7c15e9716ed28dc027beceea1ec40a"},
  {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
   "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
   "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
   "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
   "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
   "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
   "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
   "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
   "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
   "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
   "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
   "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
   "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
   "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
   "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
   "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
   "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
   "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
   "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
   "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
   "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
   "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
   "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
   "c60c905c15fc910840b94c00a0b9d0",
   "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b"
   "5e8fcd4f681e30a6ac00a9704a188a03"},
  {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
   "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
   "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
   "454d4423643ce80e2a9ac94fa54ca49f",
   "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e030"
   "3dca179c138ac17ad9bef1177331a704"},
};

static void rfc8032_vectors(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof RFC8032 / sizeof RFC8032[0]; i++) {
    const rfc8032_vec *v = &RFC8032[i];
    uint8_t seed[32], pk[32], want_pk[32], sig[64], want_sig[64], got_pk[32];
    size_t mlen = strlen(v->msg) / 2;
    uint8_t *msg = malloc(mlen + 1);
    cp_key *k = NULL;
    assert_non_null(msg);
    cpt_unhex(v->seed, seed, 32);
    cpt_unhex(v->pk, want_pk, 32);
    cpt_unhex(v->sig, want_sig, 64);
    cpt_unhex(v->msg, msg, mlen);
    assert_int_equal(cp_key_from_seed(seed, &k), CP_OK);
    cp_key_public(k, got_pk);
    memcpy(pk, got_pk, 32);
    assert_memory_equal(pk, want_pk, 32);
    assert_int_equal(cp_sig_sign_raw(k, msg, mlen, sig), CP_OK);
    assert_memory_equal(sig, want_sig, 64);
    assert_int_equal(cp_sig_verify_raw(want_sig, msg, mlen, want_pk), CP_OK);
    /* One flipped bit in the signature or in the message must fail. */
    want_sig[17] ^= 0x04;
    assert_int_equal(cp_sig_verify_raw(want_sig, msg, mlen, want_pk), CP_EBADSIG);
    want_sig[17] ^= 0x04;
    if (mlen > 0) {
      msg[mlen - 1] ^= 0x01;
      assert_int_equal(cp_sig_verify_raw(want_sig, msg, mlen, want_pk), CP_EBADSIG);
    }
    printf("RFC 8032 %s: ok\n", v->name);
    cp_key_free(k);
    free(msg);
  }
}

static size_t unhex_field(const char *s, size_t len, uint8_t *out, size_t cap) {
  assert_true(len % 2 == 0 && len / 2 <= cap);
  assert_int_equal(cp_hex_decode(s, len, out, len / 2), CP_OK);
  return len / 2;
}

/* Every Wycheproof case gets Wycheproof's verdict through cp_sig_verify_raw.
 * A signature that is not 64 bytes cannot reach the verifier: the fixed
 * prototype makes the length check the decoder's, so it counts as rejected. */
static void wycheproof_eddsa(void **state) {
  char *path = cpt_path(CP_TEST_VECTORS, "wycheproof_ed25519.tsv");
  char *text = (char *)cpt_read_file(path, NULL), *line, *save = NULL;
  unsigned cases = 0, bad = 0;
  (void)state;
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *f[5], *p = line;
    uint8_t pk[32], msg[256], sig[128];
    size_t msglen, siglen, i;
    int want_valid, got_valid;
    if (line[0] == '#') continue;
    for (i = 0; i < 5; i++) {
      f[i] = p;
      p = strchr(p, '\t');
      if (i < 4) {
        assert_non_null(p);
        *p++ = '\0';
      }
    }
    assert_int_equal(unhex_field(f[1], strlen(f[1]), pk, sizeof pk), 32);
    msglen = unhex_field(f[2], strlen(f[2]), msg, sizeof msg);
    siglen = unhex_field(f[3], strlen(f[3]), sig, sizeof sig);
    want_valid = strcmp(f[4], "valid") == 0;
    assert_true(want_valid || strcmp(f[4], "invalid") == 0);
    got_valid = siglen == 64 && cp_sig_verify_raw(sig, msg, msglen, pk) == CP_OK;
    printf("wycheproof tcId %s: expected %s, got %s\n", f[0], f[4], got_valid ? "valid" : "invalid");
    if (got_valid != want_valid) bad++;
    cases++;
  }
  assert_true(cases >= 40);
  assert_int_equal(bad, 0);
  free(text);
  free(path);
}

/* libsodium's rules beyond Wycheproof's selection: a small-order public key
 * (the identity, y = 1) and a non-canonical one (y = p) are rejected even
 * with an S of zero, and so is a small-order R. */
static void small_order_and_noncanonical(void **state) {
  uint8_t pk[32] = {0}, sig[64] = {0}, msg[1] = {0x3f}, good_pk[32];
  cp_key *k = NULL;
  (void)state;
  pk[0] = 0x01; /* identity point */
  memcpy(sig, pk, 32);
  assert_int_equal(cp_sig_verify_raw(sig, msg, 1, pk), CP_EBADSIG);
  cpt_unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", pk, 32);
  assert_int_equal(cp_sig_verify_raw(sig, msg, 1, pk), CP_EBADSIG);
  /* Small-order R with a real key. */
  assert_int_equal(cp_key_generate(&k), CP_OK);
  cp_key_public(k, good_pk);
  memset(sig, 0, sizeof sig);
  sig[0] = 0x01;
  assert_int_equal(cp_sig_verify_raw(sig, msg, 1, good_pk), CP_EBADSIG);
  cp_key_free(k);
}

static void domain_separation(void **state) {
  static const uint8_t msg[] = "award 42";
  static const char want_prefix[] = "credport/v1/entry";
  uint8_t pk[32], sig[64], buf[64];
  cp_key *k = NULL;
  (void)state;
  assert_int_equal(cp_key_generate(&k), CP_OK);
  cp_key_public(k, pk);
  assert_string_equal(cp_sig_prefix(CP_PURPOSE_ENTRY), "credport/v1/entry");
  assert_string_equal(cp_sig_prefix(CP_PURPOSE_HANDSHAKE), "credport/v1/handshake");
  assert_string_equal(cp_sig_prefix(CP_PURPOSE_BUNDLE), "credport/v1/bundle");
  assert_string_equal(cp_sig_prefix(CP_PURPOSE_STATEMENT), "credport/v1/statement");
  assert_null(cp_sig_prefix((cp_purpose)99));
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_ENTRY, msg, sizeof msg - 1, sig), CP_OK);
  assert_int_equal(cp_sig_verify(CP_PURPOSE_ENTRY, sig, msg, sizeof msg - 1, pk), CP_OK);
  assert_int_equal(cp_sig_verify(CP_PURPOSE_BUNDLE, sig, msg, sizeof msg - 1, pk), CP_EBADSIG);
  assert_int_equal(cp_sig_verify_raw(sig, msg, sizeof msg - 1, pk), CP_EBADSIG);
  /* The signed bytes are exactly prefix || NUL || msg. */
  memcpy(buf, want_prefix, sizeof want_prefix); /* includes the NUL */
  memcpy(buf + sizeof want_prefix, msg, sizeof msg - 1);
  assert_int_equal(cp_sig_verify_raw(sig, buf, sizeof want_prefix + sizeof msg - 1, pk), CP_OK);
  assert_int_equal(cp_sig_verify_raw(sig, buf, sizeof want_prefix - 1 + sizeof msg - 1, pk),
                   CP_EBADSIG);
  /* Empty messages are fine. */
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_STATEMENT, NULL, 0, sig), CP_OK);
  assert_int_equal(cp_sig_verify(CP_PURPOSE_STATEMENT, sig, NULL, 0, pk), CP_OK);
  cp_key_free(k);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  assert_int_equal(fchmod(fd, mode), 0);
  close(fd);
}

static void keyfile_save_load(void **state) {
  char *dir = cpt_tmpdir(), *path = cpt_path(dir, "k.key");
  uint8_t seed[32], pk1[32], pk2[32];
  struct stat st;
  cp_key *k = NULL, *k2 = NULL;
  cp_diag d = {{0}};
  size_t len = 0;
  uint8_t *before, *after;
  (void)state;
  cpt_unhex(RFC8032[0].seed, seed, 32);
  assert_int_equal(cp_key_from_seed(seed, &k), CP_OK);
  assert_int_equal(cp_key_save(k, path, &d), CP_OK);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
  before = cpt_read_file(path, &len);
  assert_string_equal((char *)before, "credport-ed25519-secret-key-v1\n"
                                      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n");
  assert_int_equal(cp_key_load(path, &k2, &d), CP_OK);
  cp_key_public(k, pk1);
  cp_key_public(k2, pk2);
  assert_memory_equal(pk1, pk2, 32);
  cp_key_free(k2);
  k2 = NULL;
  /* Never overwritten. */
  cp_key_free(k);
  assert_int_equal(cp_key_generate(&k), CP_OK);
  assert_int_equal(cp_key_save(k, path, &d), CP_EEXIST);
  after = cpt_read_file(path, NULL);
  assert_string_equal((char *)before, (char *)after);
  free(after);
  /* 0644 refused with advice. */
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(cp_key_load(path, &k2, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "chmod 600"));
  assert_int_equal(chmod(path, 0640), 0);
  assert_int_equal(cp_key_load(path, &k2, &d), CP_EKEYFILE);
  assert_int_equal(chmod(path, 0600), 0);
  assert_int_equal(cp_key_load(path, &k2, &d), CP_OK);
  cp_key_free(k2);
  k2 = NULL;
  free(before);
  cp_key_free(k);
  unlink(path);
  free(path);
  cpt_rmtree(dir);
  free(dir);
}

static void keyfile_malformed(void **state) {
  static const char good[] = "credport-ed25519-secret-key-v1\n"
                             "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n";
  char *dir = cpt_tmpdir(), *path = cpt_path(dir, "k.key"), buf[sizeof good];
  cp_key *k = NULL;
  cp_diag d = {{0}};
  (void)state;
  /* Truncated inside the hex line: names line 2. */
  write_file(path, good, 31 + 40, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 2 byte 41"));
  /* Truncated inside the header. */
  write_file(path, good, 10, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 1 byte 11"));
  /* Missing final newline. */
  write_file(path, good, sizeof good - 2, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 2"));
  /* Uppercase hex, wrong header, trailing data. */
  memcpy(buf, good, sizeof good);
  buf[31 + 3] = 'B';
  write_file(path, buf, sizeof good - 1, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 2 byte 4"));
  memcpy(buf, good, sizeof good);
  buf[24] = 'X';
  write_file(path, buf, sizeof good - 1, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 1 byte 25"));
  write_file(path, "credport-ed25519-secret-key-v1\n"
                   "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\nx\n",
             sizeof good + 1, 0600);
  assert_int_equal(cp_key_load(path, &k, &d), CP_EKEYFILE);
  assert_non_null(strstr(d.msg, "line 3"));
  assert_null(k);
  unlink(path);
  /* Missing file. */
  assert_int_equal(cp_key_load(path, &k, &d), -ENOENT);
  free(path);
  cpt_rmtree(dir);
  free(dir);
}

static const struct CMUnitTest tests[] = {
  cmocka_unit_test(rfc8032_vectors),
  cmocka_unit_test(wycheproof_eddsa),
  cmocka_unit_test(small_order_and_noncanonical),
  cmocka_unit_test(domain_separation),
  cmocka_unit_test(keyfile_save_load),
  cmocka_unit_test(keyfile_malformed),
};

CP_TEST_MAIN(tests)
