/*
 * Version-2 recognition entries (docs/FORMATS.md, "recognition"): the
 * version-1 body followed by the fact points, each (log, size, root), logs
 * strictly ascending, sizes >= 1. Round trip, the largest one the limits
 * allow, and every rejection with the field and byte offset named. Version
 * 2 of a type that has no version-2 body is an unknown version.
 */
#include <stdio.h>
#include <string.h>

#include "cptest.h"
#include "credport/entry.h"
#include "entry_samples.h"

static uint8_t buf[CP_ENTRY_MAX + 1024];
static uint8_t facts[(CP_FACT_LOGS_MAX + 1) * CP_FACT_POINT_BYTES];

/* Fact point i: log bytes all (i + 1) in the first byte and 0x20 after, so
 * logs ascend with i; size i + 1; root bytes 0xB0 ^ i. */
static void fill_facts(size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t *p = facts + i * CP_FACT_POINT_BYTES;
    memset(p, 0x20, 32);
    p[0] = (uint8_t)((i + 1) >> 8);
    p[1] = (uint8_t)(i + 1);
    memset(p + 32, 0, 8);
    p[39] = (uint8_t)(i + 1);
    p[38] = (uint8_t)((i + 1) >> 8);
    memset(p + 40, 0xB0 ^ (uint8_t)i, 32);
  }
}

static void v2(cp_entry *e, int variant, size_t n) {
  sample_entry(CP_T_RECOGNITION, variant, e);
  e->version = CP_ENTRY_VERSION_2;
  fill_facts(n);
  e->u.recognition.facts = facts;
  e->u.recognition.n_facts = (uint32_t)n;
}

static size_t encode(const cp_entry *e) {
  size_t n;
  cp_diag d = {{0}};
  if (cp_entry_encode_unsigned(e, buf, sizeof buf, &n, &d) != 0) fail_msg("%s", d.msg);
  memset(buf + n, 0x66, CP_SIG_BYTES);
  return n + CP_SIG_BYTES;
}

static void round_trip(void **state) {
  cp_entry e, back;
  cp_diag d = {{0}};
  uint8_t again[CP_ENTRY_MAX];
  size_t m;
  (void)state;
  v2(&e, 0, 3);
  size_t n = encode(&e);
  assert_int_equal(buf[0], 2);
  /* The version-1 body, then var 3, then 3 x 72 bytes, then the signature. */
  assert_int_equal(buf[n - CP_SIG_BYTES - 3 * 72 - 1], 3);
  assert_memory_equal(buf + n - CP_SIG_BYTES - 3 * 72, facts, 3 * 72);
  assert_int_equal(cp_entry_decode(buf, n, &back, &d), CP_OK);
  assert_int_equal(back.version, 2);
  assert_int_equal(back.u.recognition.n_facts, 3);
  uint8_t log[32], root[32];
  uint64_t size;
  cp_entry_fact_point(back.u.recognition.facts, 2, log, &size, root);
  assert_int_equal(log[1], 3);
  assert_int_equal(size, 3);
  assert_int_equal(root[0], 0xB0 ^ 2);
  assert_int_equal(cp_entry_encode_unsigned(&back, again, sizeof again, &m, &d), CP_OK);
  assert_int_equal(m, n - CP_SIG_BYTES);
  assert_memory_equal(again, buf, m);
  /* A version-1 recognition has no fact points. */
  sample_entry(CP_T_RECOGNITION, 0, &e);
  n = encode(&e);
  assert_int_equal(cp_entry_decode(buf, n, &back, &d), CP_OK);
  assert_int_equal(back.version, 1);
  assert_int_equal(back.u.recognition.n_facts, 0);
  assert_null(back.u.recognition.facts);
}

/* Every field at its maximum: 16 currencies of 1024 bytes, 512 logs. */
static void largest_fits(void **state) {
  cp_entry e, back;
  cp_diag d = {{0}};
  (void)state;
  sample_init();
  v2(&e, 2, CP_FACT_LOGS_MAX);
  size_t n = encode(&e);
  assert_true(n <= CP_ENTRY_MAX);
  printf("largest version-2 recognition: %zu bytes\n", n);
  assert_int_equal(cp_entry_decode(buf, n, &back, &d), CP_OK);
  assert_int_equal(back.u.recognition.n_facts, CP_FACT_LOGS_MAX);
}

static void expect(size_t n, int err, const char *what) {
  cp_entry e;
  cp_diag d = {{0}};
  int rc = cp_entry_decode(buf, n, &e, &d);
  if (rc != err || strstr(d.msg, what) == NULL)
    fail_msg("want %d \"%s\", got %d \"%s\"", err, what, rc, d.msg);
}

static void rejects(void **state) {
  cp_entry e;
  cp_diag d = {{0}};
  size_t n, m;
  (void)state;
  v2(&e, 0, 3);
  n = encode(&e);
  size_t at = n - CP_SIG_BYTES - 3 * 72; /* the first fact point */
  char want[96];

  /* Two logs out of order, the same log twice, a size of 0. */
  uint8_t save[72];
  memcpy(save, buf + at, 72);
  memcpy(buf + at, buf + at + 72, 32);
  snprintf(want, sizeof want, "recognition.facts[1].log at byte %zu: duplicate log", at + 72);
  expect(n, CP_ECORRUPT, want);
  buf[at + 1] = 0xFF;
  snprintf(want, sizeof want, "recognition.facts[1].log at byte %zu: logs not in ascending", at + 72);
  expect(n, CP_ECORRUPT, want);
  memcpy(buf + at, save, 72);
  memset(buf + at + 72 + 32, 0, 8);
  snprintf(want, sizeof want, "recognition.facts[1].size at byte %zu: must be >= 1", at + 72 + 32);
  expect(n, CP_ECORRUPT, want);
  /* Truncated inside a point, one byte left over, and a count of zero. */
  n = encode(&e);
  memmove(buf + n - CP_SIG_BYTES - 10, buf + n - CP_SIG_BYTES, CP_SIG_BYTES);
  expect(n - 10, CP_ECORRUPT, "recognition.facts[2]");
  n = encode(&e);
  memmove(buf + n - CP_SIG_BYTES + 1, buf + n - CP_SIG_BYTES, CP_SIG_BYTES);
  buf[n - CP_SIG_BYTES] = 0;
  expect(n + 1, CP_ECORRUPT, "1 unexpected byte");
  e.u.recognition.n_facts = 0;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &m, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "recognition.facts"));
  e.u.recognition.n_facts = CP_FACT_LOGS_MAX + 1;
  fill_facts(CP_FACT_LOGS_MAX + 1);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &m, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "over the limit of 512"));
  /* The encoder refuses what the decoder refuses. */
  v2(&e, 0, 2);
  memcpy(facts + 72, facts, 32);
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &m, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "duplicate log"));

  /* Version 2 exists only for the types that define a body for it: not
   * for awards. */
  sample_entry(CP_T_AWARD, 0, &e);
  n = encode(&e);
  buf[0] = 2;
  expect(n, CP_ECORRUPT,
         "entry.type at byte 1: type award has no version 2 encoding (it is written as version 1)");
  e.version = 2;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &m, &d), CP_ECORRUPT);
  /* A version-1 recognition with fact points appended has trailing bytes. */
  v2(&e, 0, 1);
  n = encode(&e);
  buf[0] = 1;
  expect(n, CP_ECORRUPT, "unexpected bytes after the last field");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(round_trip),
    cmocka_unit_test(largest_fits),
    cmocka_unit_test(rejects),
};

CP_TEST_MAIN(tests)
