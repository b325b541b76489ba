/*
 * Valid entries of every type, at typical values and at the boundaries of
 * every field: for the round-trip and signature tests and for the fuzz seed
 * corpus (tests/fuzz/gen_corpus.c). No test framework here, so both can use
 * it. Strings borrow static buffers that live for the whole program.
 */
#ifndef CP_ENTRY_SAMPLES_H
#define CP_ENTRY_SAMPLES_H

#include <stdint.h>
#include <string.h>

#include "credport/entry.h"

#define SAMPLE_DATE_MAX 2932896U /* 9999-12-31 */
#define SAMPLE_HOURS_MAX (100000U * 100U)
/* Variants: 0 typical, 1 every field at its minimum, 2 every field at its
 * maximum, 3 another legal shape (other flags, kinds, actions). */
#define SAMPLE_VARIANTS 4

static cp_str sample_s(const char *p) {
  cp_str s = {p, strlen(p)};
  return s;
}

/* Fills exactly n bytes with valid UTF-8 cycling through 1-, 2-, 3- and
 * 4-byte characters; with spaces = 0, no whitespace or '+' (a note key
 * name), otherwise also TAB, LF and space. */
static void sample_fill_utf8(char *buf, size_t n, int spaces) {
  static const char *const units[] = {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x8E\x93",
                                      "Z", "\t", "\n", " "};
  size_t nu = spaces ? 8 : 5, i = 0, k = 0;
  while (i < n) {
    const char *u = units[k++ % nu];
    size_t ul = strlen(u);
    if (ul > n - i) u = "b", ul = 1;
    memcpy(buf + i, u, ul);
    i += ul;
  }
}

/* UTF-8 with spaces, each exactly as long as its limit (a prefix could
 * split a character). */
static char sample_str[CP_STR_MAX], sample_text[CP_TEXT_MAX], sample_doc[CP_DOC_MAX];
static char sample_origin[CP_ORIGIN_MAX];
static char sample_idbuf[CP_ID_MAX];
static char sample_items[CP_LIST_MAX][CP_STR_MAX];

static void sample_init(void) {
  static int done;
  if (done) return;
  done = 1;
  static const char idc[] = "AZaz09._:-";
  sample_fill_utf8(sample_str, sizeof sample_str, 1);
  sample_fill_utf8(sample_text, sizeof sample_text, 1);
  sample_fill_utf8(sample_doc, sizeof sample_doc, 1);
  sample_fill_utf8(sample_origin, sizeof sample_origin, 0);
  for (size_t i = 0; i < sizeof sample_idbuf; i++) sample_idbuf[i] = idc[i % (sizeof idc - 1)];
  for (size_t i = 0; i < CP_LIST_MAX; i++) {
    sample_fill_utf8(sample_items[i], CP_STR_MAX, 1);
    sample_items[i][0] = (char)('A' + i); /* distinct, and sorted when used as currencies */
  }
}

static cp_str sample_max(size_t n) {
  cp_str s = {n == CP_STR_MAX ? sample_str : n == CP_TEXT_MAX ? sample_text : sample_doc, n};
  return s;
}

static void sample_header(cp_entry *e, unsigned type, int v) {
  memset(e, 0, sizeof *e);
  e->version = CP_ENTRY_VERSION;
  e->type = (uint8_t)type;
  memset(e->log, 0xA1, sizeof e->log);
  if (type != CP_T_AUTHORITY) {
    e->seq = v == 1 ? 1 : v == 2 ? UINT64_MAX : 7;
    memset(e->prev, v == 2 ? 0xFF : 0x5C, sizeof e->prev);
    if (v == 1) memset(e->prev, 0, sizeof e->prev); /* legal: only seq 0 requires zero */
  }
  e->time = v == 1 ? 0 : v == 2 ? UINT64_MAX : 1700000000u;
}

/* Every (version, type) that has a body (docs/FORMATS.md, "Versions"). */
static const struct { uint8_t version, type; } SAMPLE_KINDS[] = {
    {1, CP_T_AUTHORITY}, {1, CP_T_CREDENTIAL}, {1, CP_T_AWARD},       {1, CP_T_REVOKE},
    {1, CP_T_ENDORSE},   {1, CP_T_APPROVE},    {1, CP_T_POLICY},      {1, CP_T_RECOGNITION},
    {1, CP_T_KEY},       {1, CP_T_CLOCK},      {2, CP_T_REVOKE},      {2, CP_T_ENDORSE},
    {2, CP_T_LICENSURE},
};
#define SAMPLE_N_KINDS (sizeof SAMPLE_KINDS / sizeof SAMPLE_KINDS[0])

static void sample_entry(unsigned t, int v, cp_entry *e);

/* Variant v of the version 2 body of type t (revoke, endorse, licensure);
 * for the other types, version 1's. */
static void sample_entry_v(unsigned version, unsigned t, int v, cp_entry *e) {
  if (t == CP_T_LICENSURE) {
    sample_init();
    sample_header(e, t, v);
  } else {
    sample_entry(t, v, e);
  }
  if (version != CP_ENTRY_VERSION_2) return;
  e->version = CP_ENTRY_VERSION_2;
  switch (t) {
  case CP_T_REVOKE:
    e->u.revoke.effective = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 17348;
    break;
  case CP_T_ENDORSE:
    e->u.endorse.from = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 17348; /* 2017-07-01 */
    e->u.endorse.until = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : v == 3 ? 0 : 17712;
    break;
  case CP_T_LICENSURE: {
    memset(e->u.licensure.educator, 0xE1, 32);
    e->u.licensure.from = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 17348;
    e->u.licensure.until = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : v == 3 ? 17348 : 17712;
    uint32_t n = v == 1 ? 1 : v == 2 ? CP_LIST_MAX : 2;
    e->u.licensure.n_areas = n;
    for (uint32_t i = 0; i < n; i++) {
      cp_str it = {sample_items[i], v == 2 ? CP_STR_MAX : 1};
      e->u.licensure.areas[i] = it;
    }
    if (v == 0) {
      e->u.licensure.areas[0] = sample_s("Mathematics 6-9");
      e->u.licensure.areas[1] = sample_s("Science");
    }
    break;
  }
  default: e->version = CP_ENTRY_VERSION; break;
  }
}

/* Fills *e with variant v (0..SAMPLE_VARIANTS-1) of an entry of type t, in
 * version 1 (licensure: version 2, its only one). */
static void sample_entry(unsigned t, int v, cp_entry *e) {
  sample_init();
  sample_header(e, t, v);
  if (t == CP_T_LICENSURE) {
    sample_entry_v(CP_ENTRY_VERSION_2, t, v, e);
    return;
  }
  switch (t) {
  case CP_T_AUTHORITY: {
    static const char *const jur[] = {"US-NC", "US", "AB-XY9", "CA-7"};
    e->u.authority.name = v == 1 ? sample_s("N") : v == 2 ? sample_max(CP_STR_MAX)
                                                          : sample_s("North Carolina DPI");
    e->u.authority.jurisdiction = sample_s(jur[v]);
    e->u.authority.role =
        (uint8_t)(v == 1 ? CP_ROLE_STATE : v == 2 ? CP_ROLE_IHE : CP_ROLE_DISTRICT);
    if (v == 2) {
      e->u.authority.origin.p = sample_origin;
      e->u.authority.origin.len = CP_ORIGIN_MAX;
    } else {
      e->u.authority.origin = sample_s(v == 1 ? "o" : "credport.dpi.nc.gov/log");
    }
    break;
  }
  case CP_T_CREDENTIAL: {
    e->u.credential.id = v == 1 ? sample_s("x") : sample_s("nc.dpi:stem-coach-2024_v1");
    if (v == 2) {
      e->u.credential.id.p = sample_idbuf;
      e->u.credential.id.len = CP_ID_MAX;
    }
    e->u.credential.title = v == 1 ? sample_s("T") : v == 2 ? sample_max(CP_STR_MAX)
                                                            : sample_s("STEM Instructional Coach");
    e->u.credential.competency = v == 1   ? sample_s("c")
                                 : v == 2 ? sample_max(CP_TEXT_MAX)
                                          : sample_s("Coaches peers in\tinquiry.\n");
    e->u.credential.evidence = v == 1 ? sample_s("") : v == 2 ? sample_max(CP_TEXT_MAX)
                                                              : sample_s("Portfolio; observation.");
    e->u.credential.level = (uint8_t)(v == 1 ? 1 : v == 2 ? 4 : 2);
    e->u.credential.hours_x100 = v == 1 ? 0 : v == 2 ? SAMPLE_HOURS_MAX : 4550;
    uint32_t n = v == 1 ? 0 : v == 2 ? CP_LIST_MAX : 2;
    e->u.credential.n_areas = n;
    e->u.credential.n_qa = v == 3 ? 0 : n;
    for (uint32_t i = 0; i < n; i++) {
      cp_str it = {sample_items[i], v == 2 ? CP_STR_MAX : 1};
      e->u.credential.areas[i] = it;
      e->u.credential.qa[i] = it;
    }
    if (v == 0) {
      e->u.credential.areas[0] = sample_s("Mathematics 6-9");
      e->u.credential.qa[0] = sample_s("qa:multistate-mc-2024");
    }
    break;
  }
  case CP_T_AWARD:
    memset(e->u.award.credential, 0xC1, 32);
    memset(e->u.award.educator, 0xE1, 32);
    e->u.award.earned = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 19782;
    e->u.award.assessor = v == 1 ? sample_s("") : v == 2 ? sample_max(CP_STR_MAX)
                                                         : sample_s("J. Smith");
    e->u.award.flags = (uint8_t)(v == 0 ? CP_AWARD_HAS_EVIDENCE : v == 1 ? 0
                                 : v == 2 ? CP_AWARD_HAS_EVIDENCE | CP_AWARD_HAS_LICENCE
                                          : CP_AWARD_HAS_LICENCE);
    if (e->u.award.flags & CP_AWARD_HAS_EVIDENCE) memset(e->u.award.evidence, 0xEE, 32);
    if (e->u.award.flags & CP_AWARD_HAS_LICENCE) memset(e->u.award.licence, 0x1C, 32);
    break;
  case CP_T_REVOKE:
    memset(e->u.revoke.target, 0xA7, 32);
    e->u.revoke.reason = v == 1 ? sample_s("r") : v == 2 ? sample_max(CP_STR_MAX)
                                                         : sample_s("Issued in error");
    break;
  case CP_T_ENDORSE:
    e->u.endorse.kind = (uint8_t)(v == 3 || v == 2 ? CP_SUBJECT_CREDENTIAL : CP_SUBJECT_AUTHORITY);
    memset(e->u.endorse.subject, 0x5B, 32);
    e->u.endorse.claim = v == 1 ? sample_s("q") : v == 2 ? sample_max(CP_STR_MAX)
                                                         : sample_s("qa:multistate-mc-2024");
    e->u.endorse.note = v == 1 ? sample_s("") : v == 2 ? sample_max(CP_STR_MAX)
                                                       : sample_s("Reviewed 2024-05-01");
    break;
  case CP_T_APPROVE:
    memset(e->u.approve.educator, 0xE1, 32);
    memset(e->u.approve.credential, 0xC1, 32);
    e->u.approve.approved = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 19800;
    e->u.approve.expires = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : v == 3 ? 19800 : 20165;
    memset(e->u.approve.plan, 0x9A, 32);
    break;
  case CP_T_POLICY:
    e->u.policy.id = v == 1 ? sample_s("p") : sample_s("nc-renewal-2025");
    if (v == 2) {
      e->u.policy.id.p = sample_idbuf;
      e->u.policy.id.len = CP_ID_MAX;
    }
    e->u.policy.document = v == 1 ? sample_s("{}") : v == 2 ? sample_max(CP_DOC_MAX)
                                                            : sample_s("{\"rules\":[]}");
    break;
  case CP_T_RECOGNITION: {
    memset(e->u.recognition.policy, 0x70, 32);
    memset(e->u.recognition.educator, 0xE1, 32);
    e->u.recognition.as_of = v == 1 ? 0 : v == 2 ? SAMPLE_DATE_MAX : 20000;
    memset(e->u.recognition.explanation, 0xEF, 32);
    if (v == 2) {
      e->u.recognition.n_totals = CP_TOTALS_MAX;
      for (uint32_t i = 0; i < CP_TOTALS_MAX; i++) {
        cp_str c = {sample_items[i], CP_STR_MAX};
        e->u.recognition.totals[i].currency = c;
        e->u.recognition.totals[i].amount = i % 2 ? INT64_MAX : INT64_MIN;
      }
    } else if (v == 1) {
      e->u.recognition.n_totals = 1;
      e->u.recognition.totals[0].currency = sample_s("c");
      e->u.recognition.totals[0].amount = 0;
    } else {
      /* A proper prefix sorts first: "CEU" < "CEU2" < "USD". */
      e->u.recognition.n_totals = 3;
      e->u.recognition.totals[0].currency = sample_s("CEU");
      e->u.recognition.totals[0].amount = 1250;
      e->u.recognition.totals[1].currency = sample_s("CEU2");
      e->u.recognition.totals[1].amount = -1;
      e->u.recognition.totals[2].currency = sample_s("USD");
      e->u.recognition.totals[2].amount = v == 3 ? -250000 : 150000;
    }
    break;
  }
  case CP_T_KEY:
    e->u.key.action = (uint8_t)(v == 3 || v == 1 ? CP_KEY_RETIRE : CP_KEY_ROTATE);
    if (e->u.key.action == CP_KEY_ROTATE) memset(e->u.key.new_key, v == 2 ? 0xFF : 0x4B, 32);
    if (v == 2) e->u.key.new_key[0] = 0x01;
    break;
  case CP_T_CLOCK:
    memset(e->u.clock.first, v == 2 ? 0xFF : 0x5C, 32);
    e->u.clock.reason = v == 1 ? sample_s("c") : v == 2 ? sample_max(CP_STR_MAX)
                                                        : sample_s("NTP was off for an hour");
    break;
  default:
    break;
  }
}

#endif
