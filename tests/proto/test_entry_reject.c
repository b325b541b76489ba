/*
 * Entry decoding rejects every malformation class, with the right error
 * code and a message that names the field; the encoder refuses the same
 * things. Byte offsets below come from the tables in docs/FORMATS.md for
 * the samples in entry_samples.h:
 *   award v0:       assessor 150 (08 "J. Smith"), flags 159, evidence 160, sig 192
 *   credential v1:  id 82 (01 'x'), title 84, competency 86, evidence 88 (00),
 *                   level 89, hours 90, n_areas 94 (00), n_qa 95 (00), sig 96
 *   authority v1:   name 82 (01 'N'), jurisdiction 84 (02 "US"), role 87,
 *                   origin 88 (01 'o')
 *   policy v1:      id 82 (01 'p'), document 84 (02 "{}")
 *   recognition v1: n_totals 150 (01), currency 151 (01 'c'), amount 153
 *   recognition v0: currencies at 151 (03 "CEU"), 163 (04 "CEU2"), 176 (03 "USD")
 *   approve v0:     approved 146, expires 150
 *   revoke v1:      reason 114 (01 'r');  endorse v1: kind 82, claim 115 (01 'q')
 *   key:            action 82, new_key 83
 */
#include "cptest.h"

#include <stdio.h>
#include <string.h>

#include "credport/entry.h"
#include "entry_samples.h"

static uint8_t buf[CP_ENTRY_MAX + 1024];

/* Encodes variant v of type t with a filler signature; returns its length. */
static size_t sample_bytes_v(unsigned version, unsigned t, int v) {
  cp_entry e;
  size_t n;
  cp_diag d = {{0}};
  sample_entry_v(version, t, v, &e);
  if (cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d) != 0) fail_msg("%s", d.msg);
  memset(buf + n, 0x66, CP_SIG_BYTES);
  return n + CP_SIG_BYTES;
}
static size_t sample_bytes(unsigned t, int v) { return sample_bytes_v(CP_ENTRY_VERSION, t, v); }

/* Replaces del bytes at off with ins[0, nins). */
static void splice(size_t *n, size_t off, size_t del, const uint8_t *ins, size_t nins) {
  assert_true(off + del <= *n && *n - del + nins <= sizeof buf);
  memmove(buf + off + nins, buf + off + del, *n - off - del);
  if (nins) memcpy(buf + off, ins, nins);
  *n = *n - del + nins;
}

/* Unsigned LEB128, written here independently of the encoder. */
static size_t leb(uint32_t v, uint8_t *out) {
  size_t i = 0;
  for (;;) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out[i++] = (uint8_t)(b | (v ? 0x80 : 0));
    if (!v) return i;
  }
}

/* Replaces the str of del bytes at off by the given content. */
static void put_str(size_t *n, size_t off, size_t del, const void *s, size_t len) {
  static uint8_t tmp[CP_DOC_MAX + 16];
  size_t k = leb((uint32_t)len, tmp);
  memcpy(tmp + k, s, len);
  splice(n, off, del, tmp, k + len);
}

static void expect_at(int line, size_t n, int err, const char *field, const char *why) {
  cp_entry e;
  cp_diag d = {{0}};
  int rc = cp_entry_decode(buf, n, &e, &d);
  if (rc != err) fail_msg("line %d: want %d, got %d (%s)", line, err, rc, d.msg);
  if (err == 0) return;
  if (strstr(d.msg, field) == NULL)
    fail_msg("line %d: \"%s\" does not name %s", line, d.msg, field);
  if (why != NULL && strstr(d.msg, why) == NULL)
    fail_msg("line %d: \"%s\" does not say %s", line, d.msg, why);
}
#define EXPECT(n, err, field, why) expect_at(__LINE__, n, err, field, why)
#define OK(n) expect_at(__LINE__, n, 0, NULL, NULL)

static void truncated_at_every_length(void **state) {
  for (size_t kind = 0; kind < SAMPLE_N_KINDS; kind++)
    for (int v = 0; v < SAMPLE_VARIANTS; v++) {
      if (v == 2) continue; /* the maximal ones are large; 0, 1, 3 cover every shape */
      unsigned t = SAMPLE_KINDS[kind].type;
      size_t n = sample_bytes_v(SAMPLE_KINDS[kind].version, t, v);
      OK(n);
      for (size_t len = 0; len < n; len++) {
        cp_entry e;
        cp_diag d = {{0}};
        int rc = cp_entry_decode(buf, len, &e, &d);
        if (rc != CP_ECORRUPT || strstr(d.msg, "truncated") == NULL)
          fail_msg("type %u v%d len %zu: %d %s", t, v, len, rc, d.msg);
        const char *want = len < CP_ENTRY_MIN_BYTES ? "entry." : cp_entry_type_name(t);
        if (strncmp(d.msg, want, strlen(want)) != 0)
          fail_msg("type %u len %zu: \"%s\" does not name %s", t, len, d.msg, want);
      }
    }
  /* The header field that runs out is named. */
  sample_bytes(CP_T_AWARD, 0);
  EXPECT(0, CP_ECORRUPT, "entry.version at byte 0", "truncated");
  EXPECT(1, CP_ECORRUPT, "entry.type at byte 1", "truncated");
  EXPECT(33, CP_ECORRUPT, "entry.log at byte 2", "truncated");
  EXPECT(41, CP_ECORRUPT, "entry.seq at byte 34", "truncated");
  EXPECT(73, CP_ECORRUPT, "entry.prev at byte 42", "truncated");
  EXPECT(81, CP_ECORRUPT, "entry.time at byte 74", "truncated");
  EXPECT(145, CP_ECORRUPT, "entry.signature at byte 82", "truncated");
  EXPECT(255, CP_ECORRUPT, "award.evidence at byte 160", "truncated");
}

static void trailing_bytes(void **state) {
  for (size_t kind = 0; kind < SAMPLE_N_KINDS; kind++) {
    unsigned t = SAMPLE_KINDS[kind].type;
    size_t n = sample_bytes_v(SAMPLE_KINDS[kind].version, t, 0);
    buf[n] = 0;
    char want[64];
    snprintf(want, sizeof want, "%s at byte %zu", cp_entry_type_name(t), n - CP_SIG_BYTES);
    EXPECT(n + 1, CP_ECORRUPT, want, "1 unexpected byte");
  }
}

static void unknown_version(void **state) {
  static const uint8_t bad[] = {0x00, 0x03, 0x7F, 0xFF};
  for (size_t i = 0; i < sizeof bad; i++) {
    size_t n = sample_bytes(CP_T_AWARD, 0);
    buf[0] = bad[i];
    EXPECT(n, CP_EVERSION, "entry.version at byte 0", "unknown version");
    EXPECT(1, CP_EVERSION, "entry.version", "unknown version"); /* whatever the length */
  }
}

static void unknown_type(void **state) {
  static const uint8_t bad[] = {0, 12, 0x80, 0xFF};
  for (size_t i = 0; i < sizeof bad; i++) {
    size_t n = sample_bytes(CP_T_AWARD, 0);
    buf[1] = bad[i];
    EXPECT(n, CP_ECORRUPT, "entry.type at byte 1", "unknown type");
  }
}

/* SPEC: E-hdr-1. Each version has bodies for some types only: an award
 * (unchanged) is never written as version 2, a licensure attestation never
 * as version 1, so every entry has one encoding. */
static void version_without_body(void **state) {
  size_t n = sample_bytes(CP_T_AWARD, 0);
  buf[0] = CP_ENTRY_VERSION_2;
  EXPECT(n, CP_ECORRUPT, "entry.type at byte 1", "award has no version 2 encoding");
  cp_entry e;
  sample_entry_v(CP_ENTRY_VERSION_2, CP_T_LICENSURE, 0, &e);
  cp_diag d = {{0}};
  if (cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d) != 0) fail_msg("%s", d.msg);
  memset(buf + n, 0x66, CP_SIG_BYTES);
  n += CP_SIG_BYTES;
  OK(n);
  buf[0] = CP_ENTRY_VERSION;
  EXPECT(n, CP_ECORRUPT, "entry.type at byte 1", "licensure has no version 1 encoding");
}

/* Version 2 bodies: dates in order, a non-empty area list. */
static void version2_rules(void **state) {
  cp_entry e;
  cp_diag d = {{0}};
  size_t n;
  sample_entry_v(CP_ENTRY_VERSION_2, CP_T_ENDORSE, 0, &e);
  e.u.endorse.until = e.u.endorse.from - 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "endorse.until at byte 119"));
  e.u.endorse.until = e.u.endorse.from; /* one day */
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_OK);
  sample_entry_v(CP_ENTRY_VERSION_2, CP_T_LICENSURE, 0, &e);
  e.u.licensure.n_areas = 0;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "licensure.areas at byte 122: must not be empty"));
  e.u.licensure.n_areas = CP_LIST_MAX + 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_ETOOBIG);
  sample_entry_v(CP_ENTRY_VERSION_2, CP_T_LICENSURE, 0, &e);
  e.u.licensure.until = e.u.licensure.from - 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "licensure.until at byte 118"));
  sample_entry_v(CP_ENTRY_VERSION_2, CP_T_REVOKE, 0, &e);
  e.u.revoke.effective = SAMPLE_DATE_MAX + 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, buf, sizeof buf, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "revoke.effective at byte 114"));
}

static void over_entry_max(void **state) {
  size_t n = sample_bytes(CP_T_AWARD, 0);
  (void)n;
  EXPECT(CP_ENTRY_MAX + 1, CP_ETOOBIG, "entry", "over the limit");
}

static void var_non_minimal(void **state) {
  static const uint8_t eight[] = {0x88, 0x00}, eight5[] = {0x88, 0x80, 0x80, 0x80, 0x00},
                       zero[] = {0x80, 0x00}, zero3[] = {0x80, 0x80, 0x00};
  size_t n = sample_bytes(CP_T_AWARD, 0);
  splice(&n, 150, 1, eight, sizeof eight);
  EXPECT(n, CP_ECORRUPT, "award.assessor at byte 150", "non-minimal");
  n = sample_bytes(CP_T_AWARD, 0);
  splice(&n, 150, 1, eight5, sizeof eight5);
  EXPECT(n, CP_ECORRUPT, "award.assessor at byte 150", "non-minimal");
  n = sample_bytes(CP_T_AWARD, 1); /* empty assessor: 00 */
  splice(&n, 150, 1, zero, sizeof zero);
  EXPECT(n, CP_ECORRUPT, "award.assessor", "non-minimal");
  n = sample_bytes(CP_T_CREDENTIAL, 1);
  splice(&n, 94, 1, zero3, sizeof zero3);
  EXPECT(n, CP_ECORRUPT, "credential.areas at byte 94", "non-minimal");
}

static void var_too_long_or_wide(void **state) {
  static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
                       wide[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x1F},
                       max32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  size_t n = sample_bytes(CP_T_AWARD, 0);
  splice(&n, 150, 1, six, sizeof six);
  EXPECT(n, CP_ECORRUPT, "award.assessor at byte 150", "longer than 5 bytes");
  n = sample_bytes(CP_T_AWARD, 0);
  splice(&n, 150, 1, wide, sizeof wide);
  EXPECT(n, CP_ECORRUPT, "award.assessor", "over 2^32-1");
  /* The largest legal var decodes, and is then over the field's limit. */
  n = sample_bytes(CP_T_AWARD, 0);
  splice(&n, 150, 1, max32, sizeof max32);
  EXPECT(n, CP_ETOOBIG, "award.assessor", "length 4294967295 over the limit");
}

/* For each limit class: the limit decodes, one more is CP_ETOOBIG. */
static void oversize_strings(void **state) {
  static char fill[CP_DOC_MAX + 1];
  memset(fill, 'a', sizeof fill);
  static const struct {
    unsigned t;
    int v;
    size_t off, del, limit;
    const char *field;
  } c[] = {
      {CP_T_AWARD, 0, 150, 9, CP_STR_MAX, "award.assessor at byte 150"},
      {CP_T_AUTHORITY, 1, 82, 2, CP_STR_MAX, "authority.name at byte 82"},
      {CP_T_CREDENTIAL, 1, 82, 2, CP_ID_MAX, "credential.id at byte 82"},
      {CP_T_CREDENTIAL, 1, 86, 2, CP_TEXT_MAX, "credential.competency at byte 86"},
      {CP_T_CREDENTIAL, 1, 88, 1, CP_TEXT_MAX, "credential.evidence at byte 88"},
      {CP_T_POLICY, 1, 82, 2, CP_ID_MAX, "policy.id at byte 82"},
      {CP_T_POLICY, 1, 84, 3, CP_DOC_MAX, "policy.document at byte 84"},
      {CP_T_AUTHORITY, 1, 88, 2, CP_ORIGIN_MAX, "authority.origin at byte 88"},
      {CP_T_REVOKE, 1, 114, 2, CP_STR_MAX, "revoke.reason at byte 114"},
      {CP_T_RECOGNITION, 1, 151, 2, CP_STR_MAX, "recognition.totals[0].currency at byte 151"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    size_t n = sample_bytes(c[i].t, c[i].v);
    put_str(&n, c[i].off, c[i].del, fill, c[i].limit);
    OK(n);
    n = sample_bytes(c[i].t, c[i].v);
    put_str(&n, c[i].off, c[i].del, fill, c[i].limit + 1);
    EXPECT(n, CP_ETOOBIG, c[i].field, "over the limit");
  }
  size_t n = sample_bytes(CP_T_AUTHORITY, 1);
  put_str(&n, 84, 3, "US-ABCD", 7);
  EXPECT(n, CP_ETOOBIG, "authority.jurisdiction", "over the limit");
}

static void oversize_lists(void **state) {
  uint8_t tmp[256];
  for (uint32_t count = 16; count <= 17; count++) {
    size_t k = leb(count, tmp);
    for (uint32_t i = 0; i < count; i++) tmp[k++] = 1, tmp[k++] = (uint8_t)('A' + i);
    size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
    splice(&n, 94, 1, tmp, k);
    if (count == 16)
      OK(n);
    else
      EXPECT(n, CP_ETOOBIG, "credential.areas at byte 94", "17 items");
    n = sample_bytes(CP_T_CREDENTIAL, 1);
    splice(&n, 95, 1, tmp, k);
    if (count == 16)
      OK(n);
    else
      EXPECT(n, CP_ETOOBIG, "credential.qa at byte 95", "17 items");
  }
  for (uint32_t count = 16; count <= 17; count++) {
    size_t k = leb(count, tmp);
    for (uint32_t i = 0; i < count; i++) {
      tmp[k++] = 1, tmp[k++] = (uint8_t)('A' + i);
      memset(tmp + k, 0, 8), k += 8;
    }
    size_t n = sample_bytes(CP_T_RECOGNITION, 1);
    splice(&n, 150, 11, tmp, k);
    if (count == 16)
      OK(n);
    else
      EXPECT(n, CP_ETOOBIG, "recognition.totals at byte 150", "17 items");
  }
  static const uint8_t none[] = {0x00};
  size_t n = sample_bytes(CP_T_RECOGNITION, 1);
  splice(&n, 150, 11, none, 1);
  EXPECT(n, CP_ECORRUPT, "recognition.totals at byte 150", "empty");
}

static void invalid_utf8(void **state) {
  static const struct {
    const char *s;
    int ok;
  } c[] = {
      {"\x80", 0},                 /* stray continuation */
      {"\xBF", 0},
      {"a\xC3", 0},                /* sequence cut by the end */
      {"\xE2\x82", 0},
      {"\xF0\x9F\x8E", 0},
      {"\xE2\x28\xA1", 0},         /* bad continuation */
      {"\xC3\x28", 0},
      {"\xC0\xAF", 0},             /* overlong 2-byte */
      {"\xC1\xBF", 0},
      {"\xE0\x80\xAF", 0},         /* overlong 3-byte */
      {"\xE0\x9F\xBF", 0},
      {"\xF0\x80\x80\xAF", 0},     /* overlong 4-byte */
      {"\xF0\x8F\xBF\xBF", 0},
      {"\xED\xA0\x80", 0},         /* surrogates */
      {"\xED\xBF\xBF", 0},
      {"\xF4\x90\x80\x80", 0},     /* above U+10FFFF */
      {"\xF5\x80\x80\x80", 0},
      {"\xF8\x88\x80\x80\x80", 0}, /* 5- and 6-byte forms */
      {"\xFE", 0},
      {"\xFF", 0},
      {"\xC2\x80", 1},             /* U+0080 */
      {"\xED\x9F\xBF", 1},         /* U+D7FF */
      {"\xEE\x80\x80", 1},         /* U+E000 */
      {"\xEF\xBF\xBF", 1},         /* U+FFFF */
      {"\xF0\x90\x80\x80", 1},     /* U+10000 */
      {"\xF4\x8F\xBF\xBF", 1},     /* U+10FFFF */
      {"\x7F", 1},                 /* DEL is allowed in text */
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    size_t n = sample_bytes(CP_T_AWARD, 0);
    put_str(&n, 150, 9, c[i].s, strlen(c[i].s));
    if (c[i].ok)
      OK(n);
    else
      EXPECT(n, CP_ECORRUPT, "award.assessor at byte 150", "invalid UTF-8");
  }
}

/* Text is scanned a word at a time: a bad byte is found, and reported at its
 * own position, wherever it sits relative to word boundaries. */
static void bad_byte_at_every_position(void **state) {
  static const uint8_t bad[] = {0x00, 0x01, 0x1F, 0x80, 0xC0, 0xFF};
  for (size_t b = 0; b < sizeof bad; b++)
    for (size_t pos = 0; pos < 24; pos++) {
      char s[24], want[32];
      memset(s, 'a', sizeof s);
      s[pos] = (char)bad[b];
      size_t n = sample_bytes(CP_T_AWARD, 0);
      put_str(&n, 150, 9, s, sizeof s);
      snprintf(want, sizeof want, "(string byte %zu)", pos);
      EXPECT(n, CP_ECORRUPT, "award.assessor at byte 150", want);
    }
}

static void nul_and_controls(void **state) {
  static const struct {
    const char *s;
    size_t len;
    const char *why;
  } c[] = {
      {"a\0b", 3, "NUL (string byte 1)"}, {"\0", 1, "NUL"},         {"\x01", 1, "control"},
      {"a\rb", 3, "control"},              {"\x1B[0m", 4, "control"}, {"\x1F", 1, "control"},
      {"a\tb\nc", 5, NULL},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
    put_str(&n, 84, 2, c[i].s, c[i].len);
    if (c[i].why == NULL)
      OK(n);
    else
      EXPECT(n, CP_ECORRUPT, "credential.title at byte 84", c[i].why);
  }
}

static void reserved_flag_bits(void **state) {
  static const uint8_t bad[] = {0x04, 0x08, 0x80, 0xFF, 0x05};
  for (size_t i = 0; i < sizeof bad; i++) {
    size_t n = sample_bytes(CP_T_AWARD, 0);
    buf[159] = bad[i];
    EXPECT(n, CP_ECORRUPT, "award.flags at byte 159", "reserved");
  }
  /* A flag whose hash is missing, and a hash that was not flagged. */
  size_t n = sample_bytes(CP_T_AWARD, 0);
  buf[159] = CP_AWARD_HAS_EVIDENCE | CP_AWARD_HAS_LICENCE;
  EXPECT(n, CP_ECORRUPT, "award.licence at byte 192", "truncated");
  n = sample_bytes(CP_T_AWARD, 0);
  buf[159] = 0;
  EXPECT(n, CP_ECORRUPT, "award at byte 160", "32 unexpected bytes");
}

static void numeric_ranges(void **state) {
  static const struct {
    unsigned t;
    int v;
    size_t off;
    uint8_t val;
    const char *field;
  } c[] = {
      {CP_T_CREDENTIAL, 1, 89, 0, "credential.level at byte 89"},
      {CP_T_CREDENTIAL, 1, 89, 5, "credential.level at byte 89"},
      {CP_T_AUTHORITY, 1, 87, 0, "authority.role at byte 87"},
      {CP_T_AUTHORITY, 1, 87, 6, "authority.role at byte 87"},
      {CP_T_ENDORSE, 1, 82, 0, "endorse.kind at byte 82"},
      {CP_T_ENDORSE, 1, 82, 3, "endorse.kind at byte 82"},
      {CP_T_KEY, 0, 82, 0, "key.action at byte 82"},
      {CP_T_KEY, 0, 82, 3, "key.action at byte 82"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    size_t n = sample_bytes(c[i].t, c[i].v);
    buf[c[i].off] = c[i].val;
    EXPECT(n, CP_ECORRUPT, c[i].field, "outside");
  }
  size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
  static const uint8_t h_over[4] = {0x00, 0x98, 0x96, 0x81}; /* 10,000,001 */
  memcpy(buf + 90, h_over, 4);
  EXPECT(n, CP_ECORRUPT, "credential.hours_x100 at byte 90", "outside 0..10000000");
}

static void dates(void **state) {
  static const uint8_t over[4] = {0x00, 0x2C, 0xC0, 0xA1}; /* 2932897 = 10000-01-01 */
  size_t n = sample_bytes(CP_T_AWARD, 0);
  memcpy(buf + 146, over, 4);
  EXPECT(n, CP_ECORRUPT, "award.earned at byte 146", "after 9999-12-31");
  n = sample_bytes(CP_T_APPROVE, 0);
  memcpy(buf + 146, over, 4);
  EXPECT(n, CP_ECORRUPT, "approve.approved at byte 146", "after 9999-12-31");
  n = sample_bytes(CP_T_RECOGNITION, 0);
  memcpy(buf + 146, over, 4);
  EXPECT(n, CP_ECORRUPT, "recognition.as_of at byte 146", "after 9999-12-31");
  /* expires: 0 or >= approved (19800 = 0x4D58). */
  static const uint8_t before[4] = {0, 0, 0x4D, 0x57}, same[4] = {0, 0, 0x4D, 0x58},
                       zero[4] = {0, 0, 0, 0};
  n = sample_bytes(CP_T_APPROVE, 0);
  memcpy(buf + 150, before, 4);
  EXPECT(n, CP_ECORRUPT, "approve.expires at byte 150", "before");
  memcpy(buf + 150, same, 4);
  OK(n);
  memcpy(buf + 150, zero, 4);
  OK(n);
  memcpy(buf + 150, over, 4);
  EXPECT(n, CP_ECORRUPT, "approve.expires at byte 150", "after 9999-12-31");
}

static void currencies_order(void **state) {
  size_t n = sample_bytes(CP_T_RECOGNITION, 0);
  OK(n);
  buf[165] = 'A'; /* "CEU2" -> "CAU2" sorts before "CEU" */
  EXPECT(n, CP_ECORRUPT, "recognition.totals[1].currency at byte 163", "ascending");
  n = sample_bytes(CP_T_RECOGNITION, 0);
  put_str(&n, 163, 5, "CEU", 3); /* duplicate */
  EXPECT(n, CP_ECORRUPT, "recognition.totals[1].currency at byte 163", "duplicate");
  n = sample_bytes(CP_T_RECOGNITION, 0);
  put_str(&n, 151, 4, "CEU3", 4); /* "CEU3" then "CEU2" */
  EXPECT(n, CP_ECORRUPT, "recognition.totals[1].currency", "ascending");
  n = sample_bytes(CP_T_RECOGNITION, 0);
  put_str(&n, 176, 4, "CEU", 3); /* longer before its own prefix */
  EXPECT(n, CP_ECORRUPT, "recognition.totals[2].currency at byte 176", "ascending");
  n = sample_bytes(CP_T_RECOGNITION, 0);
  put_str(&n, 151, 4, "", 0);
  EXPECT(n, CP_ECORRUPT, "recognition.totals[0].currency at byte 151", "empty");
}

static void genesis_rules(void **state) {
  size_t n = sample_bytes(CP_T_AWARD, 0);
  memset(buf + 34, 0, 8 + 32); /* seq 0, prev zero */
  EXPECT(n, CP_ECORRUPT, "entry.type at byte 1", "seq 0");
  n = sample_bytes(CP_T_AUTHORITY, 0);
  OK(n);
  buf[41] = 1;
  EXPECT(n, CP_ECORRUPT, "entry.seq at byte 34", "authority entry must be at seq 0");
  n = sample_bytes(CP_T_AUTHORITY, 0);
  buf[73] = 1;
  EXPECT(n, CP_ECORRUPT, "entry.prev at byte 42", "all zero");
}

static void empty_required_strings(void **state) {
  static const struct {
    unsigned t;
    int v;
    size_t off, del;
    const char *field;
  } c[] = {
      {CP_T_AUTHORITY, 1, 82, 2, "authority.name at byte 82"},
      {CP_T_AUTHORITY, 1, 84, 3, "authority.jurisdiction at byte 84"},
      {CP_T_AUTHORITY, 1, 88, 2, "authority.origin at byte 88"},
      {CP_T_CREDENTIAL, 1, 82, 2, "credential.id at byte 82"},
      {CP_T_CREDENTIAL, 1, 84, 2, "credential.title at byte 84"},
      {CP_T_CREDENTIAL, 1, 86, 2, "credential.competency at byte 86"},
      {CP_T_REVOKE, 1, 114, 2, "revoke.reason at byte 114"},
      {CP_T_ENDORSE, 1, 115, 2, "endorse.claim at byte 115"},
      {CP_T_POLICY, 1, 82, 2, "policy.id at byte 82"},
      {CP_T_POLICY, 1, 84, 3, "policy.document at byte 84"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    size_t n = sample_bytes(c[i].t, c[i].v);
    put_str(&n, c[i].off, c[i].del, "", 0);
    EXPECT(n, CP_ECORRUPT, c[i].field, "must not be empty");
  }
  static const uint8_t one_empty[] = {0x01, 0x00};
  size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
  splice(&n, 94, 1, one_empty, 2);
  EXPECT(n, CP_ECORRUPT, "credential.areas[0] at byte 95", "must not be empty");
}

static void id_charset(void **state) {
  static const char *const bad[] = {"a b", "a/b", "a+b", "\xC3\xA9", "x\ty", "a,b", "#1"};
  static const char *const good[] = {"A", "nc.dpi:stem-1_v2", "0", "-._:"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
    put_str(&n, 82, 2, bad[i], strlen(bad[i]));
    EXPECT(n, CP_ECORRUPT, "credential.id at byte 82", "not one of A-Z a-z 0-9");
    n = sample_bytes(CP_T_POLICY, 1);
    put_str(&n, 82, 2, bad[i], strlen(bad[i]));
    EXPECT(n, CP_ECORRUPT, "policy.id at byte 82", "not one of A-Z a-z 0-9");
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    size_t n = sample_bytes(CP_T_CREDENTIAL, 1);
    put_str(&n, 82, 2, good[i], strlen(good[i]));
    OK(n);
  }
}

static void jurisdiction_shape(void **state) {
  static const char *const bad[] = {"U", "us", "Us", "USA", "US-", "US_NC", "US-nc", "1S",
                                    "US-N.", "US NC", "U-NC"};
  static const char *const good[] = {"US", "US-N", "US-NC", "US-1", "AB-X9Z", "CA-ON"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = sample_bytes(CP_T_AUTHORITY, 1);
    put_str(&n, 84, 3, bad[i], strlen(bad[i]));
    EXPECT(n, CP_ECORRUPT, "authority.jurisdiction at byte 84", "jurisdiction");
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    size_t n = sample_bytes(CP_T_AUTHORITY, 1);
    put_str(&n, 84, 3, good[i], strlen(good[i]));
    OK(n);
  }
}

static void origin_is_note_key_name(void **state) {
  static const char *const bad[] = {"a+b",       "a b",          "a\tb",         "a\nb",
                                    "a\x7f",     "a\xC2\xA0",    "a\xC2\x85",    "a\xC2\x9F",
                                    "a\xE3\x80\x80", "a\xE2\x80\xA8", "a\xE2\x80\x8A", "+"};
  static const char *const good[] = {"example.com/log", "credport.dpi.nc.gov/log",
                                     "\xC3\xA9t\xC3\xA9", "a/b-c_d:e"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = sample_bytes(CP_T_AUTHORITY, 1);
    put_str(&n, 88, 2, bad[i], strlen(bad[i]));
    EXPECT(n, CP_ECORRUPT, "authority.origin at byte 88", "note key name");
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    size_t n = sample_bytes(CP_T_AUTHORITY, 1);
    put_str(&n, 88, 2, good[i], strlen(good[i]));
    OK(n);
  }
}

static void key_new_key_rules(void **state) {
  size_t n = sample_bytes(CP_T_KEY, 0); /* rotate */
  memset(buf + 83, 0, 32);
  EXPECT(n, CP_ECORRUPT, "key.new_key at byte 83", "rotation");
  n = sample_bytes(CP_T_KEY, 3); /* retire */
  OK(n);
  buf[114] = 1;
  EXPECT(n, CP_ECORRUPT, "key.new_key at byte 83", "retirement");
}

/* The encoder refuses what the decoder refuses, with the same message. */
static void encoder_applies_same_rules(void **state) {
  cp_entry e;
  cp_diag d = {{0}}, d2 = {{0}};
  size_t n;
  uint8_t out[4096];

  sample_entry(CP_T_CREDENTIAL, 1, &e);
  e.u.credential.level = 5;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  n = sample_bytes(CP_T_CREDENTIAL, 1);
  buf[89] = 5;
  assert_int_equal(cp_entry_decode(buf, n, &e, &d2), CP_ECORRUPT);
  assert_string_equal(d.msg, d2.msg);

  sample_entry(CP_T_AWARD, 0, &e);
  e.u.award.assessor = sample_s("J\xC0\xAF");
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "award.assessor at byte 150: invalid UTF-8"));
  e.u.award.assessor.len = CP_STR_MAX + 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "award.assessor"));
  e.u.award.assessor.p = NULL;
  e.u.award.assessor.len = 3;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_EINVAL);
  assert_non_null(strstr(d.msg, "award.assessor"));
  sample_entry(CP_T_AWARD, 0, &e);
  e.u.award.flags = 0x04;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "award.flags"));

  sample_entry(CP_T_RECOGNITION, 0, &e);
  cp_total t = e.u.recognition.totals[0];
  e.u.recognition.totals[0] = e.u.recognition.totals[1];
  e.u.recognition.totals[1] = t; /* "CEU2" before its prefix "CEU" */
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "recognition.totals[1].currency"));
  e.u.recognition.n_totals = CP_TOTALS_MAX + 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ETOOBIG);
  e.u.recognition.n_totals = 0;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "recognition.totals"));

  sample_entry(CP_T_CREDENTIAL, 0, &e);
  e.u.credential.n_areas = CP_LIST_MAX + 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ETOOBIG);
  assert_non_null(strstr(d.msg, "credential.areas"));

  sample_entry(CP_T_AWARD, 0, &e);
  e.version = 3;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_EVERSION);
  assert_non_null(strstr(d.msg, "entry.version"));
  e.version = 1;
  e.type = 0;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "entry.type"));
  e.type = CP_T_AWARD;
  e.seq = 0;
  memset(e.prev, 0, sizeof e.prev);
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "entry.type"));

  sample_entry(CP_T_AUTHORITY, 0, &e);
  e.u.authority.jurisdiction = sample_s("usa");
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "authority.jurisdiction"));
  sample_entry(CP_T_AUTHORITY, 0, &e);
  e.u.authority.origin = sample_s("log+1");
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "authority.origin"));

  sample_entry(CP_T_KEY, 3, &e);
  e.u.key.new_key[0] = 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "key.new_key"));
  sample_entry(CP_T_APPROVE, 0, &e);
  e.u.approve.expires = e.u.approve.approved - 1;
  assert_int_equal(cp_entry_encode_unsigned(&e, out, sizeof out, &n, &d), CP_ECORRUPT);
  assert_non_null(strstr(d.msg, "approve.expires"));
}

/* With d = NULL nothing is written anywhere and the code is the same. */
static void null_diag(void **state) {
  cp_entry e;
  size_t n = sample_bytes(CP_T_AWARD, 0);
  buf[159] = 0x80;
  assert_int_equal(cp_entry_decode(buf, n, &e, NULL), CP_ECORRUPT);
  assert_int_equal(cp_entry_decode(buf, 0, &e, NULL), CP_ECORRUPT);
  buf[0] = 9;
  assert_int_equal(cp_entry_decode(buf, n, &e, NULL), CP_EVERSION);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(truncated_at_every_length),
    cmocka_unit_test(trailing_bytes),
    cmocka_unit_test(unknown_version),
    cmocka_unit_test(unknown_type),
    cmocka_unit_test(version_without_body),
    cmocka_unit_test(version2_rules),
    cmocka_unit_test(over_entry_max),
    cmocka_unit_test(var_non_minimal),
    cmocka_unit_test(var_too_long_or_wide),
    cmocka_unit_test(oversize_strings),
    cmocka_unit_test(oversize_lists),
    cmocka_unit_test(invalid_utf8),
    cmocka_unit_test(bad_byte_at_every_position),
    cmocka_unit_test(nul_and_controls),
    cmocka_unit_test(reserved_flag_bits),
    cmocka_unit_test(numeric_ranges),
    cmocka_unit_test(dates),
    cmocka_unit_test(currencies_order),
    cmocka_unit_test(genesis_rules),
    cmocka_unit_test(empty_required_strings),
    cmocka_unit_test(id_charset),
    cmocka_unit_test(jurisdiction_shape),
    cmocka_unit_test(origin_is_note_key_name),
    cmocka_unit_test(key_new_key_rules),
    cmocka_unit_test(encoder_applies_same_rules),
    cmocka_unit_test(null_diag),
};

CP_TEST_MAIN(tests)
