/*
 * Entry encoding: round trips for every type at boundary values, a fixed
 * hand-computed award vector (the layout is what docs/FORMATS.md says),
 * signatures, entry IDs and names. Malformed input: test_entry_reject.c.
 */
#include "cptest.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/entry.h"
#include "entry_samples.h"

static uint8_t buf[CP_ENTRY_MAX], buf2[CP_ENTRY_MAX];

static void assert_str_eq(cp_str a, cp_str b) {
  assert_int_equal(a.len, b.len);
  if (a.len) assert_memory_equal(a.p, b.p, a.len);
}

/* Field-by-field equality, written out per type (independent of the
 * encoder's field tables). */
static void assert_entry_eq(const cp_entry *a, const cp_entry *b) {
  assert_int_equal(a->version, b->version);
  assert_int_equal(a->type, b->type);
  assert_memory_equal(a->log, b->log, CP_PK_BYTES);
  assert_true(a->seq == b->seq);
  assert_memory_equal(a->prev, b->prev, CP_HASH_BYTES);
  assert_true(a->time == b->time);
  switch (a->type) {
  case CP_T_AUTHORITY:
    assert_str_eq(a->u.authority.name, b->u.authority.name);
    assert_str_eq(a->u.authority.jurisdiction, b->u.authority.jurisdiction);
    assert_int_equal(a->u.authority.role, b->u.authority.role);
    assert_str_eq(a->u.authority.origin, b->u.authority.origin);
    break;
  case CP_T_CREDENTIAL:
    assert_str_eq(a->u.credential.id, b->u.credential.id);
    assert_str_eq(a->u.credential.title, b->u.credential.title);
    assert_str_eq(a->u.credential.competency, b->u.credential.competency);
    assert_str_eq(a->u.credential.evidence, b->u.credential.evidence);
    assert_int_equal(a->u.credential.level, b->u.credential.level);
    assert_int_equal(a->u.credential.hours_x100, b->u.credential.hours_x100);
    assert_int_equal(a->u.credential.n_areas, b->u.credential.n_areas);
    assert_int_equal(a->u.credential.n_qa, b->u.credential.n_qa);
    for (uint32_t i = 0; i < a->u.credential.n_areas; i++)
      assert_str_eq(a->u.credential.areas[i], b->u.credential.areas[i]);
    for (uint32_t i = 0; i < a->u.credential.n_qa; i++)
      assert_str_eq(a->u.credential.qa[i], b->u.credential.qa[i]);
    break;
  case CP_T_AWARD:
    assert_memory_equal(a->u.award.credential, b->u.award.credential, 32);
    assert_memory_equal(a->u.award.educator, b->u.award.educator, 32);
    assert_int_equal(a->u.award.earned, b->u.award.earned);
    assert_str_eq(a->u.award.assessor, b->u.award.assessor);
    assert_int_equal(a->u.award.flags, b->u.award.flags);
    assert_memory_equal(a->u.award.evidence, b->u.award.evidence, 32);
    assert_memory_equal(a->u.award.licence, b->u.award.licence, 32);
    break;
  case CP_T_REVOKE:
    assert_memory_equal(a->u.revoke.target, b->u.revoke.target, 32);
    assert_int_equal(a->u.revoke.effective, b->u.revoke.effective);
    assert_str_eq(a->u.revoke.reason, b->u.revoke.reason);
    break;
  case CP_T_LICENSURE:
    assert_memory_equal(a->u.licensure.educator, b->u.licensure.educator, 32);
    assert_int_equal(a->u.licensure.from, b->u.licensure.from);
    assert_int_equal(a->u.licensure.until, b->u.licensure.until);
    assert_int_equal(a->u.licensure.n_areas, b->u.licensure.n_areas);
    for (uint32_t i = 0; i < a->u.licensure.n_areas; i++)
      assert_str_eq(a->u.licensure.areas[i], b->u.licensure.areas[i]);
    break;
  case CP_T_ENDORSE:
    assert_int_equal(a->u.endorse.kind, b->u.endorse.kind);
    assert_int_equal(a->u.endorse.from, b->u.endorse.from);
    assert_int_equal(a->u.endorse.until, b->u.endorse.until);
    assert_memory_equal(a->u.endorse.subject, b->u.endorse.subject, 32);
    assert_str_eq(a->u.endorse.claim, b->u.endorse.claim);
    assert_str_eq(a->u.endorse.note, b->u.endorse.note);
    break;
  case CP_T_APPROVE:
    assert_memory_equal(a->u.approve.educator, b->u.approve.educator, 32);
    assert_memory_equal(a->u.approve.credential, b->u.approve.credential, 32);
    assert_int_equal(a->u.approve.approved, b->u.approve.approved);
    assert_int_equal(a->u.approve.expires, b->u.approve.expires);
    assert_memory_equal(a->u.approve.plan, b->u.approve.plan, 32);
    break;
  case CP_T_POLICY:
    assert_str_eq(a->u.policy.id, b->u.policy.id);
    assert_str_eq(a->u.policy.document, b->u.policy.document);
    break;
  case CP_T_RECOGNITION:
    assert_memory_equal(a->u.recognition.policy, b->u.recognition.policy, 32);
    assert_memory_equal(a->u.recognition.educator, b->u.recognition.educator, 32);
    assert_int_equal(a->u.recognition.as_of, b->u.recognition.as_of);
    assert_int_equal(a->u.recognition.n_totals, b->u.recognition.n_totals);
    for (uint32_t i = 0; i < a->u.recognition.n_totals; i++) {
      assert_str_eq(a->u.recognition.totals[i].currency, b->u.recognition.totals[i].currency);
      assert_true(a->u.recognition.totals[i].amount == b->u.recognition.totals[i].amount);
    }
    assert_memory_equal(a->u.recognition.explanation, b->u.recognition.explanation, 32);
    break;
  case CP_T_KEY:
    assert_int_equal(a->u.key.action, b->u.key.action);
    assert_memory_equal(a->u.key.new_key, b->u.key.new_key, 32);
    break;
  case CP_T_CLOCK:
    assert_memory_equal(a->u.clock.first, b->u.clock.first, 32);
    assert_str_eq(a->u.clock.reason, b->u.clock.reason);
    break;
  default:
    fail_msg("unknown type %u", a->type);
  }
  assert_memory_equal(a->sig, b->sig, CP_SIG_BYTES);
}

/* encode -> decode -> compare fields -> re-encode -> compare bytes, for
 * every variant of type t. */
static void round_trip_type_v(unsigned version, unsigned t) {
  for (int v = 0; v < SAMPLE_VARIANTS; v++) {
    cp_entry e, back;
    cp_diag d = {{0}};
    size_t n, n2;
    sample_entry_v(version, t, v, &e);
    for (unsigned i = 0; i < CP_SIG_BYTES; i++) e.sig[i] = (uint8_t)(i * 7 + v);
    int rc = cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d);
    if (rc != 0) fail_msg("type %u variant %d: %s", t, v, d.msg);
    memcpy(buf + n, e.sig, CP_SIG_BYTES);
    rc = cp_entry_decode(buf, n + CP_SIG_BYTES, &back, &d);
    if (rc != 0) fail_msg("type %u variant %d: %s", t, v, d.msg);
    assert_entry_eq(&e, &back);
    assert_int_equal(cp_entry_encode_unsigned(&back, buf2, sizeof buf2, &n2, &d), 0);
    assert_int_equal(n2, n);
    assert_memory_equal(buf2, buf, n);
  }
}

static void round_trip_type(unsigned t) { round_trip_type_v(CP_ENTRY_VERSION, t); }

static void round_trip_authority(void **state) { round_trip_type(CP_T_AUTHORITY); }
static void round_trip_credential(void **state) { round_trip_type(CP_T_CREDENTIAL); }
static void round_trip_award(void **state) { round_trip_type(CP_T_AWARD); }
static void round_trip_revoke(void **state) { round_trip_type(CP_T_REVOKE); }
static void round_trip_endorse(void **state) { round_trip_type(CP_T_ENDORSE); }
static void round_trip_approve(void **state) { round_trip_type(CP_T_APPROVE); }
static void round_trip_policy(void **state) { round_trip_type(CP_T_POLICY); }
static void round_trip_recognition(void **state) { round_trip_type(CP_T_RECOGNITION); }
static void round_trip_key(void **state) { round_trip_type(CP_T_KEY); }
static void round_trip_clock(void **state) { round_trip_type(CP_T_CLOCK); }
static void round_trip_revoke2(void **state) { round_trip_type_v(CP_ENTRY_VERSION_2, CP_T_REVOKE); }
static void round_trip_endorse2(void **state) {
  round_trip_type_v(CP_ENTRY_VERSION_2, CP_T_ENDORSE);
}
static void round_trip_licensure(void **state) {
  round_trip_type_v(CP_ENTRY_VERSION_2, CP_T_LICENSURE);
}

/* The largest entries possible stay under CP_ENTRY_MAX, so nothing valid is
 * refused for size. Sizes computed from the FORMATS.md tables. */
static void max_sizes_fit(void **state) {
  cp_entry e;
  size_t n;
  sample_entry(CP_T_CREDENTIAL, 2, &e);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, NULL), 0);
  /* 82 + (2+128) + (2+1024) + 2*(2+8192) + 1 + 4 + 2*(1 + 16*(2+1024)) */
  assert_int_equal(n, 82 + 130 + 1026 + 2 * 8194 + 5 + 2 * (1 + 16 * 1026));
  assert_true(n + CP_SIG_BYTES <= CP_ENTRY_MAX);
  sample_entry(CP_T_POLICY, 2, &e);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, NULL), 0);
  assert_int_equal(n, 82 + (2 + 128) + (3 + CP_DOC_MAX)); /* 49152 needs a 3-byte var */
  assert_true(n + CP_SIG_BYTES <= CP_ENTRY_MAX);
}

/*
 * One award, laid out by hand from the table in docs/FORMATS.md:
 *   0   01                      version
 *   1   03                      type award
 *   2   11 x32                  log
 *   34  00 00 00 00 00 00 00 05 seq 5
 *   42  22 x32                  prev
 *   74  00 00 00 00 65 53 f1 00 time 1700000000
 *   82  33 x32                  credential
 *   114 44 x32                  educator
 *   146 00 00 4d 46             earned 19782 = 2024-02-29
 *   150 08 "J. Smith"           assessor
 *   159 01                      flags: evidence
 *   160 55 x32                  evidence
 *   192 66 x64                  signature (not checked by decode)
 *   256                         end
 */
static void award_fixed_vector(void **state) {
  uint8_t x[256];
  size_t o = 0;
  x[o++] = 0x01;
  x[o++] = 0x03;
  memset(x + o, 0x11, 32), o += 32;
  static const uint8_t seq[8] = {0, 0, 0, 0, 0, 0, 0, 5};
  memcpy(x + o, seq, 8), o += 8;
  memset(x + o, 0x22, 32), o += 32;
  static const uint8_t tm[8] = {0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00};
  memcpy(x + o, tm, 8), o += 8;
  assert_int_equal(o, 82);
  memset(x + o, 0x33, 32), o += 32;
  memset(x + o, 0x44, 32), o += 32;
  assert_int_equal(o, 146);
  static const uint8_t earned[4] = {0x00, 0x00, 0x4d, 0x46};
  memcpy(x + o, earned, 4), o += 4;
  assert_int_equal(o, 150);
  static const uint8_t assessor[9] = {0x08, 'J', '.', ' ', 'S', 'm', 'i', 't', 'h'};
  memcpy(x + o, assessor, 9), o += 9;
  x[o++] = 0x01;
  memset(x + o, 0x55, 32), o += 32;
  assert_int_equal(o, 192);
  memset(x + o, 0x66, 64), o += 64;
  assert_int_equal(o, sizeof x);

  cp_entry e;
  cp_diag d = {{0}};
  int rc = cp_entry_decode(x, sizeof x, &e, &d);
  if (rc != 0) fail_msg("%s", d.msg);
  assert_int_equal(e.type, CP_T_AWARD);
  assert_true(e.seq == 5 && e.time == 1700000000u);
  assert_int_equal(e.u.award.earned, 19782);
  assert_true(cp_str_eq(e.u.award.assessor, "J. Smith"));
  assert_int_equal(e.u.award.flags, CP_AWARD_HAS_EVIDENCE);
  uint8_t z[32] = {0};
  assert_memory_equal(e.u.award.licence, z, 32);

  /* And the encoder produces exactly these bytes from the fields. */
  cp_entry f;
  memset(&f, 0, sizeof f);
  f.version = 1;
  f.type = CP_T_AWARD;
  memset(f.log, 0x11, 32);
  f.seq = 5;
  memset(f.prev, 0x22, 32);
  f.time = 1700000000u;
  memset(f.u.award.credential, 0x33, 32);
  memset(f.u.award.educator, 0x44, 32);
  assert_int_equal(cp_date_parse("2024-02-29", &f.u.award.earned), 0);
  f.u.award.assessor = sample_s("J. Smith");
  f.u.award.flags = CP_AWARD_HAS_EVIDENCE;
  memset(f.u.award.evidence, 0x55, 32);
  memset(f.u.award.licence, 0x99, 32); /* not flagged: not encoded */
  size_t n;
  assert_int_equal(cp_entry_encode_unsigned(&f, buf, sizeof buf, &n, &d), 0);
  assert_int_equal(n, 192);
  assert_memory_equal(buf, x, 192);
}

/* Typical award (assessor "J. Smith", evidence, no licence): 256 bytes. */
static void award_typical_size(void **state) {
  cp_entry e;
  size_t n;
  sample_entry(CP_T_AWARD, 0, &e);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, NULL), 0);
  assert_int_equal(n + CP_SIG_BYTES, 256);
}

static cp_key *test_key(uint8_t pk[CP_PK_BYTES]) {
  uint8_t seed[CP_SEED_BYTES];
  for (unsigned i = 0; i < sizeof seed; i++) seed[i] = (uint8_t)(0x40 + i);
  cp_key *k = NULL;
  assert_int_equal(cp_key_from_seed(seed, &k), 0);
  cp_key_public(k, pk);
  return k;
}

static void sign_then_verify_every_type(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = test_key(pk);
  for (size_t kind = 0; kind < SAMPLE_N_KINDS; kind++) {
    cp_entry e, back;
    size_t n;
    cp_diag d = {{0}};
    sample_entry_v(SAMPLE_KINDS[kind].version, SAMPLE_KINDS[kind].type, 0, &e);
    memcpy(e.log, pk, CP_PK_BYTES);
    assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, &d), 0);
    assert_memory_equal(buf + n - CP_SIG_BYTES, e.sig, CP_SIG_BYTES);
    assert_int_equal(cp_entry_verify(buf, n, pk), 0);
    assert_int_equal(cp_entry_decode(buf, n, &back, &d), 0);
    assert_entry_eq(&e, &back);
    /* The signature is plain Ed25519 over "credport/v1/entry" NUL || bytes
     * [0, n-64), checked here with libsodium directly. */
    static uint8_t msg[18 + CP_ENTRY_MAX];
    memcpy(msg, "credport/v1/entry", 18); /* with its NUL */
    memcpy(msg + 18, buf, n - 64);
    assert_int_equal(crypto_sign_verify_detached(buf + n - 64, msg, 18 + n - 64, pk), 0);
  }
  cp_key_free(k);
}

static void any_flipped_bit_fails(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = test_key(pk);
  cp_entry e;
  size_t n;
  sample_entry(CP_T_AWARD, 0, &e);
  memcpy(e.log, pk, CP_PK_BYTES);
  assert_int_equal(cp_entry_sign(&e, k, buf, sizeof buf, &n, NULL), 0);
  for (size_t i = 0; i < n; i++)
    for (unsigned b = 0; b < 8; b++) {
      buf[i] ^= (uint8_t)(1u << b);
      if (cp_entry_verify(buf, n, pk) != CP_EBADSIG)
        fail_msg("flip of byte %zu bit %u verified", i, b);
      buf[i] ^= (uint8_t)(1u << b);
    }
  assert_int_equal(cp_entry_verify(buf, n, pk), 0);
  /* The wrong key, and lengths with no room for a signature. */
  uint8_t other[CP_PK_BYTES];
  memcpy(other, pk, sizeof other);
  other[5] ^= 1;
  assert_int_not_equal(cp_entry_verify(buf, n, other), 0);
  assert_int_not_equal(cp_entry_verify(buf, CP_ENTRY_MIN_BYTES - 1, pk), 0);
  cp_key_free(k);
}

static void other_purpose_signature_fails(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = test_key(pk);
  cp_entry e;
  size_t n;
  sample_entry(CP_T_REVOKE, 0, &e);
  memcpy(e.log, pk, CP_PK_BYTES);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, NULL), 0);
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_HANDSHAKE, buf, n, buf + n), 0);
  assert_int_equal(cp_entry_verify(buf, n + 64, pk), CP_EBADSIG);
  assert_int_equal(cp_sig_sign_raw(k, buf, n, buf + n), 0); /* no prefix at all */
  assert_int_equal(cp_entry_verify(buf, n + 64, pk), CP_EBADSIG);
  assert_int_equal(cp_sig_sign(k, CP_PURPOSE_ENTRY, buf, n, buf + n), 0);
  assert_int_equal(cp_entry_verify(buf, n + 64, pk), 0);
  cp_key_free(k);
}

static void sign_refuses_small_buffer(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = test_key(pk);
  cp_entry e;
  size_t n = 0;
  cp_diag d = {{0}};
  sample_entry(CP_T_AWARD, 0, &e);
  assert_int_equal(cp_entry_sign(&e, k, buf, 255, &n, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "entry.signature"));
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, 100, &n, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "buffer"));
  assert_int_equal(cp_entry_sign(&e, k, buf, 256, &n, &d), 0);
  assert_int_equal(n, 256);
  cp_key_free(k);
}

static void entry_id_is_leaf_hash(void **state) {
  cp_entry e;
  size_t n;
  sample_entry(CP_T_AWARD, 0, &e);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf + 1, sizeof buf - 1, &n, NULL), 0);
  memset(buf + 1 + n, 0x66, 64);
  uint8_t id[32], want[32];
  cp_entry_id(buf + 1, n + 64, id);
  buf[0] = 0x00;
  crypto_hash_sha256(want, buf, n + 65);
  assert_memory_equal(id, want, 32);
}

/* Entries written by the version 1 encoder before version 2 existed
 * (signing key: seed 40 41 .. 5f, the key of test_key): they decode, verify
 * and re-encode to the same bytes forever. */
static const char OLD_REVOKE_V1[] =
    "01042543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9"
    "559d00000000000000035c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c"
    "5c5c5c5c5c5c5c5c5c5c0000000059682f00a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
    "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a70f49737375656420696e20657272"
    "6f72269b3b21663912e1425202bef44d6af7985c389895b3d32a196fe2abc884"
    "9e08a7a6967749ea7c6829eb0a5fe100824720058d41dc1da19e18f3ad1ad306"
    "b606";
static const char OLD_ENDORSE_V1[] =
    "01052543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9"
    "559d00000000000000045d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d5d"
    "5d5d5d5d5d5d5d5d5d5d0000000059682f64025b5b5b5b5b5b5b5b5b5b5b5b5b"
    "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b08617070726f76656400342490"
    "bd84975248a1de22fa3c5794c85d12221468096925eb168cdda41b03d0612034"
    "cedbe78f18a9a06a4174f35e71fed58f81b8cada1075be03fdc22faa0c";

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = strlen(h) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
  return n;
}

static void old_format_entries_still_verify(void **state) {
  uint8_t pk[CP_PK_BYTES];
  cp_key *k = test_key(pk);
  cp_key_free(k);
  cp_entry e;
  cp_diag d = {{0}};
  size_t n = unhex(OLD_REVOKE_V1, buf), n2;
  assert_int_equal(cp_entry_decode(buf, n, &e, &d), 0);
  assert_int_equal(cp_entry_verify(buf, n, pk), 0);
  assert_int_equal(e.version, CP_ENTRY_VERSION);
  assert_int_equal(e.type, CP_T_REVOKE);
  assert_int_equal(e.u.revoke.effective, 0);
  assert_true(e.u.revoke.target[0] == 0xa7 && e.u.revoke.target[31] == 0xa7);
  assert_true(cp_str_eq(e.u.revoke.reason, "Issued in error"));
  assert_int_equal(cp_entry_encode_unsigned(&e, buf2, sizeof buf2, &n2, &d), 0);
  assert_int_equal(n2 + CP_SIG_BYTES, n);
  assert_memory_equal(buf2, buf, n2);

  n = unhex(OLD_ENDORSE_V1, buf);
  assert_int_equal(cp_entry_decode(buf, n, &e, &d), 0);
  assert_int_equal(cp_entry_verify(buf, n, pk), 0);
  assert_int_equal(e.version, CP_ENTRY_VERSION);
  assert_int_equal(e.u.endorse.from, 0);
  assert_int_equal(e.u.endorse.until, 0);
  assert_true(cp_str_eq(e.u.endorse.claim, "approved"));
  assert_int_equal(cp_entry_encode_unsigned(&e, buf2, sizeof buf2, &n2, &d), 0);
  assert_memory_equal(buf2, buf, n2);
}

static void names(void **state) {
  assert_string_equal(cp_entry_type_name(CP_T_AUTHORITY), "authority");
  assert_string_equal(cp_entry_type_name(CP_T_RECOGNITION), "recognition");
  assert_string_equal(cp_entry_type_name(CP_T_KEY), "key");
  assert_null(cp_entry_type_name(0));
  assert_string_equal(cp_entry_type_name(CP_T_CLOCK), "clock");
  assert_string_equal(cp_entry_type_name(CP_T_LICENSURE), "licensure");
  assert_null(cp_entry_type_name(12));
  assert_int_equal(cp_entry_version_for(CP_T_AWARD), CP_ENTRY_VERSION);
  assert_int_equal(cp_entry_version_for(CP_T_APPROVE), CP_ENTRY_VERSION);
  assert_int_equal(cp_entry_version_for(CP_T_REVOKE), CP_ENTRY_VERSION_2);
  assert_int_equal(cp_entry_version_for(CP_T_ENDORSE), CP_ENTRY_VERSION_2);
  assert_int_equal(cp_entry_version_for(CP_T_LICENSURE), CP_ENTRY_VERSION_2);
  assert_string_equal(cp_role_name(CP_ROLE_IHE), "ihe");
  assert_null(cp_role_name(0));
  assert_null(cp_role_name(6));
  assert_int_equal(cp_role_parse("district"), CP_ROLE_DISTRICT);
  assert_int_equal(cp_role_parse("State"), 0);
  assert_int_equal(cp_role_parse(""), 0);
  cp_str s = {"abc", 3}, empty = {NULL, 0};
  assert_true(cp_str_eq(s, "abc"));
  assert_false(cp_str_eq(s, "ab"));
  assert_false(cp_str_eq(s, "abcd"));
  assert_true(cp_str_eq(empty, ""));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(round_trip_authority),
    cmocka_unit_test(round_trip_credential),
    cmocka_unit_test(round_trip_award),
    cmocka_unit_test(round_trip_revoke),
    cmocka_unit_test(round_trip_endorse),
    cmocka_unit_test(round_trip_approve),
    cmocka_unit_test(round_trip_policy),
    cmocka_unit_test(round_trip_recognition),
    cmocka_unit_test(round_trip_key),
    cmocka_unit_test(round_trip_clock),
    cmocka_unit_test(round_trip_revoke2),
    cmocka_unit_test(round_trip_endorse2),
    cmocka_unit_test(round_trip_licensure),
    cmocka_unit_test(old_format_entries_still_verify),
    cmocka_unit_test(max_sizes_fit),
    cmocka_unit_test(award_fixed_vector),
    cmocka_unit_test(award_typical_size),
    cmocka_unit_test(sign_then_verify_every_type),
    cmocka_unit_test(any_flipped_bit_fails),
    cmocka_unit_test(other_purpose_signature_fails),
    cmocka_unit_test(sign_refuses_small_buffer),
    cmocka_unit_test(entry_id_is_leaf_hash),
    cmocka_unit_test(names),
};

CP_TEST_MAIN(tests)
