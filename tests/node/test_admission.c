/*
 * Admission of connections before their handshake and the log limiter
 * (node/admission.c), driven with a fake clock and scripted random draws.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../../node/admission.h"
#include "cptest.h"
#include "credport/error.h"

/* ---- fakes ------------------------------------------------------------------ */

typedef struct {
  uint32_t next; /* value the next draw returns */
  uint32_t step; /* added to next after each draw (mod 100) */
  unsigned calls;
  uint32_t last_upper;
} fake_rand;

static uint32_t fake_uniform(void *ctx, uint32_t upper) {
  fake_rand *r = ctx;
  r->calls++;
  r->last_upper = upper;
  uint32_t v = r->next < upper ? r->next : upper - 1;
  r->next = (r->next + r->step) % 100;
  return v;
}

static cp__src v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  cp__src s;
  memset(&s, 0, sizeof s);
  s.family = 4;
  s.b[0] = a, s.b[1] = b, s.b[2] = c, s.b[3] = d;
  return s;
}

static cp__src from_text(const char *txt) {
  struct sockaddr_storage ss;
  cp__src s;
  memset(&ss, 0, sizeof ss);
  if (strchr(txt, ':') != NULL) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    in6->sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, txt, &in6->sin6_addr), 1);
  } else {
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, txt, &in->sin_addr), 1);
  }
  cp__src_from_sockaddr((struct sockaddr *)&ss, &s);
  return s;
}

static const cp__adm_limits small = {
    .conns_max = 8, .preauth_max = 4, .drop_start = 2, .drop_rate = 30,
    .src_preauth_max = 3, .src_conns_max = 5, .deadline_ms = 1000};

static void init_ok(cp__adm *a, const cp__adm_limits *lim, fake_rand *r) {
  assert_int_equal(cp__adm_init(a, lim, fake_uniform, r), CP_OK);
}

/* Admits a newcomer and registers it as id; fails the test unless it is
 * accepted with the eviction expected (0: none). */
static void admit(cp__adm *a, uint32_t id, cp__src s, uint64_t now, uint32_t want_evict) {
  uint32_t ev = 99;
  assert_int_equal(cp__adm_decide(a, &s, now, &ev), CP_ADM_ACCEPT);
  assert_int_equal(ev, want_evict);
  assert_int_equal(cp__adm_add(a, id, &s, now), CP_OK);
}

static int registered(const cp__adm *a, uint32_t id) {
  for (size_t i = 0; i < a->n; i++)
    if (a->slot[i].id == id) return 1;
  return 0;
}

/* ---- sources ---------------------------------------------------------------- */

static void sources_group_ipv6_by_64(void **state) {
  (void)state;
  char txt[CP__SRC_STR];
  cp__src a = from_text("2001:db8:1:2::1"), b = from_text("2001:db8:1:2:ffff::9");
  cp__src c = from_text("2001:db8:1:3::1");
  assert_int_equal(a.family, 6);
  assert_memory_equal(&a, &b, sizeof a);
  assert_memory_not_equal(&a, &c, sizeof a);
  cp__src_format(&a, txt);
  assert_string_equal(txt, "2001:db8:1:2::/64");
  /* An IPv4-mapped IPv6 address is its IPv4 address. */
  cp__src m = from_text("::ffff:192.0.2.7"), p = from_text("192.0.2.7");
  assert_int_equal(m.family, 4);
  assert_memory_equal(&m, &p, sizeof m);
  cp__src_format(&m, txt);
  assert_string_equal(txt, "192.0.2.7");
  cp__src u;
  cp__src_from_sockaddr(NULL, &u);
  cp__src_format(&u, txt);
  assert_string_equal(txt, "unknown");
}

static void init_refuses_bad_limits(void **state) {
  (void)state;
  fake_rand r = {0};
  cp__adm a;
  cp__adm_limits l = small;
  l.drop_start = l.preauth_max + 1;
  assert_int_equal(cp__adm_init(&a, &l, fake_uniform, &r), CP_EINVAL);
  l = small;
  l.drop_rate = 101;
  assert_int_equal(cp__adm_init(&a, &l, fake_uniform, &r), CP_EINVAL);
  l = small;
  l.src_preauth_max = 0;
  assert_int_equal(cp__adm_init(&a, &l, fake_uniform, &r), CP_EINVAL);
  l = small;
  l.rate = 5; /* a rate without a burst */
  assert_int_equal(cp__adm_init(&a, &l, fake_uniform, &r), CP_EINVAL);
  assert_int_equal(cp__adm_init(&a, &small, NULL, &r), CP_EINVAL);
}

/* ---- admission -------------------------------------------------------------- */

static void source_handshake_limit(void **state) {
  (void)state;
  fake_rand r = {.next = 99};
  cp__adm a;
  cp__adm_limits l = small;
  l.preauth_max = 8, l.drop_start = 8; /* no early drop, no eviction here */
  init_ok(&a, &l, &r);
  cp__src x = v4(10, 0, 0, 1), y = v4(10, 0, 0, 2);
  for (uint32_t id = 1; id <= 3; id++) admit(&a, id, x, id, 0);
  uint32_t ev = 99;
  assert_int_equal(cp__adm_decide(&a, &x, 10, &ev), CP_ADM_SOURCE_PREAUTH);
  assert_int_equal(ev, 0);
  admit(&a, 4, y, 11, 0);
  /* A finished handshake frees the source's handshake place. */
  cp__adm_authed(&a, 2);
  unsigned pre, all;
  cp__adm_held(&a, &x, &pre, &all);
  assert_int_equal(pre, 2);
  assert_int_equal(all, 3);
  assert_int_equal(a.npreauth, 3);
  admit(&a, 5, x, 12, 0);
  cp__adm_free(&a);
}

static void source_connection_limit(void **state) {
  (void)state;
  fake_rand r = {.next = 99};
  cp__adm a;
  cp__adm_limits l = small;
  l.preauth_max = 8, l.drop_start = 8;
  init_ok(&a, &l, &r);
  cp__src x = v4(10, 0, 0, 1);
  for (uint32_t id = 1; id <= 5; id++) {
    admit(&a, id, x, id, 0);
    cp__adm_authed(&a, id);
  }
  uint32_t ev;
  assert_int_equal(cp__adm_decide(&a, &x, 10, &ev), CP_ADM_SOURCE_CONNS);
  cp__adm_remove(&a, 3);
  cp__adm_remove(&a, 3); /* twice: ignored */
  assert_int_equal(a.n, 4);
  admit(&a, 6, x, 11, 0);
  cp__adm_free(&a);
}

static void early_drop_follows_start_rate_full(void **state) {
  (void)state;
  fake_rand r = {.next = 0};
  cp__adm a;
  cp__adm_limits l = {.conns_max = 64, .preauth_max = 12, .drop_start = 4, .drop_rate = 30,
                      .src_preauth_max = 12, .src_conns_max = 64, .deadline_ms = 1000};
  init_ok(&a, &l, &r);
  cp__src x = v4(10, 0, 0, 1);
  uint32_t ev;
  /* Below start: no draw at all. */
  for (uint32_t id = 1; id <= 4; id++) admit(&a, id, x, id, 0);
  assert_int_equal(r.calls, 0);
  /* At start (4 of 12): 30 % dropped: a draw of 29 drops, 30 does not. */
  r.next = 29;
  assert_int_equal(cp__adm_decide(&a, &x, 5, &ev), CP_ADM_EARLY_DROP);
  assert_int_equal(r.last_upper, 100);
  r.next = 30;
  admit(&a, 5, x, 5, 0);
  /* 8 of 12, half way from start to full: 30 + 70 * 4 / 8 = 65 %. */
  r.next = 99;
  for (uint32_t id = 6; id <= 8; id++) admit(&a, id, x, id, 0);
  r.next = 64;
  assert_int_equal(cp__adm_decide(&a, &x, 9, &ev), CP_ADM_EARLY_DROP);
  r.next = 65;
  unsigned calls = r.calls;
  admit(&a, 9, x, 9, 0);
  assert_int_equal(r.calls, calls + 1);
  /* A source holding no handshake is never dropped early. */
  cp__src y = v4(10, 0, 0, 2);
  r.next = 0;
  calls = r.calls;
  admit(&a, 10, y, 10, 0);
  assert_int_equal(r.calls, calls);
  cp__adm_free(&a);
}

static void full_table_evicts_most_represented(void **state) {
  (void)state;
  fake_rand r = {.next = 99};
  cp__adm a;
  init_ok(&a, &small, &r);
  cp__src x = v4(10, 0, 0, 1), y = v4(10, 0, 0, 2), z = v4(10, 0, 0, 3);
  /* y's handshake is the oldest, but x holds the most. */
  admit(&a, 1, y, 0, 0);
  admit(&a, 2, x, 10, 0);
  admit(&a, 3, x, 11, 0);
  admit(&a, 4, x, 12, 0);
  assert_int_equal(a.npreauth, 4);
  admit(&a, 5, z, 20, 2);
  assert_false(registered(&a, 2));
  assert_true(registered(&a, 1));
  assert_int_equal(a.npreauth, 4);
  /* y (holding 1) still evicts from x (holding 2). */
  admit(&a, 6, y, 21, 3);
  /* Now x, y, z hold 1, 2, 1: a newcomer from x evicts y's oldest. */
  admit(&a, 7, x, 22, 1);
  /* x 2, y 1, z 1: a newcomer from y evicts x's oldest. */
  admit(&a, 8, y, 23, 4);
  /* x 1, y 2, z 1: from y, holding the most, the newcomer is refused. */
  uint32_t ev = 99;
  assert_int_equal(cp__adm_decide(&a, &y, 24, &ev), CP_ADM_FULL);
  assert_int_equal(ev, 0);
  cp__adm_free(&a);
}

static void flood_from_one_address_never_starves_another(void **state) {
  (void)state;
  fake_rand r = {.next = 0, .step = 37}; /* draws cycle through 0..99 */
  cp__adm a;
  cp__adm_limits l = {.conns_max = 512, .preauth_max = 32, .drop_start = 16, .drop_rate = 30,
                      .src_preauth_max = 32, .src_conns_max = 512, .deadline_ms = 5000};
  init_ok(&a, &l, &r);
  cp__src flood = v4(192, 0, 2, 66);
  uint32_t id = 0, ev;
  unsigned partner_in = 0, evicted = 0, dropped = 0;
  for (int round = 0; round < 200; round++) {
    for (int k = 0; k < 50; k++) {
      cp__adm_verdict v = cp__adm_decide(&a, &flood, (uint64_t)round, &ev);
      if (v == CP_ADM_ACCEPT) assert_int_equal(cp__adm_add(&a, ++id, &flood, (uint64_t)round), 0);
      if (v == CP_ADM_EARLY_DROP) dropped++;
    }
    assert_true(a.npreauth <= 32);
    /* A partner from its own address (one per round) gets in, and its
     * handshake completes before the next round. */
    cp__src partner = v4(198, 51, 100, (uint8_t)(round % 200 + 1));
    if (cp__adm_decide(&a, &partner, (uint64_t)round, &ev) == CP_ADM_ACCEPT) {
      if (ev != 0) evicted++;
      assert_int_equal(cp__adm_add(&a, ++id, &partner, (uint64_t)round), 0);
      cp__adm_authed(&a, id);
      cp__adm_remove(&a, id);
      partner_in++;
    }
  }
  assert_int_equal(partner_in, 200);
  /* Both defences were at work: the flood filled the table (each partner
   * then took a flood handshake's place) and met early drops. */
  assert_true(evicted > 150);
  assert_true(dropped > 0);
  cp__adm_free(&a);
}

static void flood_from_many_addresses_evicts_the_oldest(void **state) {
  (void)state;
  fake_rand r = {.next = 0};
  cp__adm a;
  cp__adm_limits l = {.conns_max = 512, .preauth_max = 32, .drop_start = 16, .drop_rate = 30,
                      .src_preauth_max = 8, .src_conns_max = 32, .deadline_ms = 5000};
  init_ok(&a, &l, &r);
  uint32_t id = 0, ev;
  uint64_t t = 0;
  /* 32 handshakes from 32 addresses fill the table. */
  for (unsigned i = 0; i < 32; i++) admit(&a, ++id, v4(203, 0, 113, (uint8_t)i), t++, 0);
  /* The partner, from a fresh address, takes the oldest's place. */
  cp__src partner = v4(198, 51, 100, 1);
  admit(&a, 1000, partner, t++, 1);
  /* Fresh flooding addresses keep evicting the oldest handshake: the
   * partner's survives exactly 32 newer arrivals. */
  for (unsigned i = 0; i < 32; i++) {
    assert_true(registered(&a, 1000));
    assert_int_equal(cp__adm_decide(&a, &(cp__src){4, {203, 0, 114, (uint8_t)i}}, t, &ev),
                     CP_ADM_ACCEPT);
    assert_int_not_equal(ev, 0);
    assert_int_equal(cp__adm_add(&a, ++id, &(cp__src){4, {203, 0, 114, (uint8_t)i}}, t++), 0);
  }
  assert_false(registered(&a, 1000));
  cp__adm_free(&a);
}

static void known_sources_have_a_reserve(void **state) {
  (void)state;
  fake_rand r = {.next = 0}; /* every early-drop draw drops */
  cp__adm a;
  cp__adm_limits l = {.conns_max = 512, .preauth_max = 32, .drop_start = 16, .drop_rate = 30,
                      .src_preauth_max = 8, .src_conns_max = 32, .deadline_ms = 5000,
                      .known_max = 4};
  init_ok(&a, &l, &r);
  uint32_t id = 0, ev;
  uint64_t t = 0;
  cp__src partner = v4(198, 51, 100, 1), other = v4(198, 51, 100, 2);
  /* The partner authenticates once: its source becomes known. */
  admit(&a, 1000, partner, t++, 0);
  cp__adm_authed(&a, 1000);
  cp__adm_remove(&a, 1000);
  /* A configured partner's address is known from the start. */
  cp__adm_know(&a, &other);
  /* Strangers from 32 addresses fill their places. */
  for (unsigned i = 0; i < 32; i++) admit(&a, ++id, v4(203, 0, 113, (uint8_t)i), t++, 0);
  assert_int_equal(a.npreauth, 32);
  /* The partner takes a reserve place, evicting nobody, and strangers
   * arriving from fresh addresses never take it. */
  admit(&a, 1001, partner, t++, 0);
  assert_int_equal(a.nknown, 1);
  assert_int_equal(a.npreauth, 32);
  for (unsigned i = 0; i < 200; i++) {
    cp__src s = v4(203, 0, 114, (uint8_t)i);
    assert_int_equal(cp__adm_decide(&a, &s, t, &ev), CP_ADM_ACCEPT);
    assert_int_not_equal(ev, 1001);
    assert_int_equal(cp__adm_add(&a, ++id, &s, t++), 0);
  }
  assert_true(registered(&a, 1001));
  assert_int_equal(a.npreauth, 32);
  /* The partner's source fills the reserve (4); its fifth handshake
   * competes as a stranger's (and, the table being full, evicts one). */
  admit(&a, 1002, partner, t++, 0);
  admit(&a, 1003, partner, t++, 0);
  admit(&a, 1004, partner, t++, 0);
  assert_int_equal(a.nknown, 4);
  assert_int_equal(cp__adm_decide(&a, &partner, t, &ev), CP_ADM_ACCEPT);
  assert_true(ev != 0 && ev < 1000);
  assert_int_equal(cp__adm_add(&a, 1005, &partner, t), 0);
  assert_int_equal(a.nknown, 4);
  assert_int_equal(a.npreauth, 32);
  /* The other known source, holding none, takes the place of the partner
   * source's oldest reserve handshake. */
  admit(&a, 2000, other, t++, 1001);
  assert_int_equal(a.nknown, 4);
  /* A handshake that completes frees its reserve place. */
  cp__adm_authed(&a, 2000);
  assert_int_equal(a.nknown, 3);
  cp__adm_free(&a);
}

static void busy_sources_are_rate_limited(void **state) {
  (void)state;
  fake_rand r = {.next = 99};
  cp__adm a;
  cp__adm_limits l = {.conns_max = 64, .preauth_max = 32, .drop_start = 32, .drop_rate = 30,
                      .src_preauth_max = 8, .src_conns_max = 32, .deadline_ms = 5000,
                      .known_max = 2, .rate = 10, .burst = 3};
  init_ok(&a, &l, &r);
  uint32_t id = 0, ev;
  uint64_t t = 1000;
  /* Four addresses begin one handshake each: fresh, they pay nothing. */
  for (uint8_t h = 1; h <= 4; h++) admit(&a, ++id, v4(203, 0, 113, h), t, 0);
  /* Their second ones (busy: holding one) take the burst of 3, then one a
   * tenth of a second (10 a second). */
  for (uint8_t h = 1; h <= 3; h++) admit(&a, ++id, v4(203, 0, 113, h), t, 0);
  cp__src s = v4(203, 0, 113, 4);
  assert_int_equal(cp__adm_decide(&a, &s, t, &ev), CP_ADM_RATE);
  assert_int_equal(cp__adm_decide(&a, &s, t + 99, &ev), CP_ADM_RATE);
  admit(&a, ++id, s, t + 100, 0);
  t += 150; /* half a token in the bucket */
  assert_int_equal(cp__adm_decide(&a, &s, t, &ev), CP_ADM_RATE);
  /* An address seen lately pays even when it holds nothing now. */
  cp__adm_remove(&a, 1);
  cp__src first = v4(203, 0, 113, 1);
  cp__adm_remove(&a, 5);
  assert_int_equal(cp__adm_decide(&a, &first, t, &ev), CP_ADM_RATE);
  /* A partner dialling from an address not seen lately is not held back. */
  cp__src fresh = v4(198, 51, 100, 7);
  admit(&a, ++id, fresh, t, 0);
  /* Refused by a per-source limit: no token spent. */
  for (int i = 0; i < 7; i++) {
    t += 100;
    admit(&a, ++id, fresh, t, 0);
  }
  t += 100;
  assert_int_equal(cp__adm_decide(&a, &fresh, t, &ev), CP_ADM_SOURCE_PREAUTH);
  admit(&a, ++id, s, t, 0);
  /* A known source's reserve is not rate-limited. */
  cp__src known = v4(198, 51, 100, 1);
  cp__adm_know(&a, &known);
  admit(&a, ++id, known, t, 0);
  admit(&a, ++id, known, t, 0);
  assert_int_equal(cp__adm_decide(&a, &known, t, &ev), CP_ADM_RATE);
  /* Lately is 10 s: then an address holding nothing is fresh again. */
  assert_int_equal(cp__adm_decide(&a, &first, t, &ev), CP_ADM_RATE);
  admit(&a, ++id, first, t + 10000, 0);
  /* After a long quiet spell, the burst again, not more. */
  t += 60000;
  for (int i = 0; i < 3; i++) admit(&a, ++id, s, t, 0);
  assert_int_equal(cp__adm_decide(&a, &s, t, &ev), CP_ADM_RATE);
  cp__adm_free(&a);
}

static void handshake_deadline(void **state) {
  (void)state;
  fake_rand r = {.next = 99};
  cp__adm a;
  cp__adm_limits l = small;
  l.preauth_max = 8, l.drop_start = 8;
  init_ok(&a, &l, &r);
  cp__src x = v4(10, 0, 0, 1), y = v4(10, 0, 0, 2);
  admit(&a, 1, x, 0, 0);
  admit(&a, 2, y, 100, 0);
  admit(&a, 3, x, 200, 0);
  admit(&a, 4, y, 300, 0);
  cp__adm_authed(&a, 1);
  uint32_t ids[4];
  assert_int_equal(cp__adm_expired(&a, 999, ids, 4), 0);
  /* At 1200: 2 and 3 are 1000 ms old; 1 finished its handshake. */
  assert_int_equal(cp__adm_expired(&a, 1200, ids, 4), 2);
  assert_true((ids[0] == 2 && ids[1] == 3) || (ids[0] == 3 && ids[1] == 2));
  assert_false(registered(&a, 2));
  assert_false(registered(&a, 3));
  assert_true(registered(&a, 1));
  assert_int_equal(a.npreauth, 1);
  /* max bounds one call; the rest come with the next. */
  admit(&a, 5, x, 1200, 0);
  admit(&a, 6, y, 1200, 0);
  assert_int_equal(cp__adm_expired(&a, 5000, ids, 2), 2);
  assert_int_equal(cp__adm_expired(&a, 5000, ids, 2), 1);
  assert_int_equal(cp__adm_expired(&a, 5000, ids, 2), 0);
  assert_int_equal(a.n, 1);
  cp__adm_free(&a);
}

/* ---- log limiter -------------------------------------------------------------- */

typedef struct {
  char line[16][128];
  size_t n;
} summaries;

static void collect(void *ctx, const char *src, const char *event, uint64_t count,
                    unsigned sources, unsigned window_ms) {
  summaries *s = ctx;
  assert_true(s->n < 16);
  snprintf(s->line[s->n++], sizeof s->line[0], "%s %s %llu %u %u", src, event,
           (unsigned long long)count, sources, window_ms);
}

static const cp__loglim_limits loglim = {.window_ms = 10000, .source_lines = 5,
                                         .stranger_lines = 8, .peer_lines = 3,
                                         .summary_keys = 14};

static void log_source_budget_and_summary(void **state) {
  (void)state;
  cp__loglim l;
  summaries s = {0};
  cp__loglim_init(&l, &loglim);
  unsigned written = 0;
  for (int i = 0; i < 1000; i++)
    written += (unsigned)cp__loglim_admit(&l, 100 + (uint64_t)i, "192.0.2.9", 0, "refused",
                                          collect, &s);
  assert_int_equal(written, 5);
  /* Another source still writes in the same window. */
  assert_int_equal(cp__loglim_admit(&l, 2000, "192.0.2.10", 0, "refused", collect, &s), 1);
  assert_int_equal(s.n, 0);
  /* The next line after the window ends first gives the summary. */
  assert_int_equal(cp__loglim_admit(&l, 10100, "192.0.2.9", 0, "refused", collect, &s), 1);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.line[0], "192.0.2.9 refused 995 1 10000");
  /* The budget counts every event of a source together. */
  for (int i = 0; i < 4; i++)
    assert_int_equal(cp__loglim_admit(&l, 10200, "192.0.2.9", 0, "dropped", collect, &s), 1);
  assert_int_equal(cp__loglim_admit(&l, 10200, "192.0.2.9", 0, "dropped", collect, &s), 0);
  assert_int_equal(cp__loglim_admit(&l, 10200, "192.0.2.9", 0, "refused", collect, &s), 0);
  /* A forced roll (the node stopping) reports what is pending, per event. */
  assert_int_equal(cp__loglim_roll(&l, 10300, 1, collect, &s), 2);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.line[1], "192.0.2.9 refused 1 1 10000");
  assert_string_equal(s.line[2], "192.0.2.9 dropped 1 1 10000");
  /* Nothing suppressed: no summary. */
  assert_int_equal(cp__loglim_admit(&l, 20000, "192.0.2.9", 0, "refused", collect, &s), 1);
  assert_int_equal(cp__loglim_roll(&l, 40000, 0, collect, &s), 0);
  assert_int_equal(s.n, 3);
}

static void log_strangers_share_a_total(void **state) {
  (void)state;
  cp__loglim l;
  summaries s = {0};
  cp__loglim_init(&l, &loglim);
  unsigned written = 0;
  char src[32];
  for (int i = 0; i < 20; i++) {
    snprintf(src, sizeof src, "203.0.113.%d", i);
    written += (unsigned)cp__loglim_admit(&l, 5, src, 0, "refused", collect, &s);
  }
  assert_int_equal(written, 8);
  /* A partner's lines have their own budget. */
  assert_int_equal(cp__loglim_admit(&l, 6, "0123456789abcdef", 1, "connected", collect, &s), 1);
  assert_int_equal(cp__loglim_admit(&l, 6, "0123456789abcdef", 1, "synced", collect, &s), 1);
  assert_int_equal(cp__loglim_admit(&l, 6, "0123456789abcdef", 1, "synced", collect, &s), 1);
  assert_int_equal(cp__loglim_admit(&l, 6, "0123456789abcdef", 1, "synced", collect, &s), 0);
  assert_int_equal(cp__loglim_roll(&l, 10005, 0, collect, &s), 13);
}

static void log_keys_beyond_the_table_are_counted(void **state) {
  (void)state;
  cp__loglim l;
  summaries s = {0};
  cp__loglim_limits lim = loglim;
  lim.stranger_lines = 1000;
  cp__loglim_init(&l, &lim);
  char src[32];
  unsigned written = 0;
  for (int i = 0; i < CP__LOGLIM_KEYS + 10; i++) {
    snprintf(src, sizeof src, "198.18.%d.%d", i / 256, i % 256);
    written += (unsigned)cp__loglim_admit(&l, 1, src, 0, "refused", collect, &s);
  }
  assert_int_equal(written, CP__LOGLIM_KEYS);
  /* One stranger key counts a suppressed line; a partner then takes a
   * stranger's key and is written, the displaced count going to "other". */
  for (int i = 0; i < 5; i++)
    assert_int_equal(cp__loglim_admit(&l, 1, "198.18.0.0", 0, "refused", collect, &s), i < 4);
  assert_int_equal(cp__loglim_admit(&l, 1, "0123456789abcdef", 1, "connected", collect, &s), 1);
  assert_int_equal(cp__loglim_roll(&l, 2, 1, collect, &s), 1);
  assert_string_equal(s.line[0], "other log 11 0 10000");
}

static void log_summaries_of_many_strangers_are_bounded(void **state) {
  (void)state;
  cp__loglim l;
  summaries s = {0};
  cp__loglim_limits lim = loglim;
  lim.summary_keys = 2;
  lim.source_lines = 1;
  cp__loglim_init(&l, &lim);
  const struct {
    const char *src, *event;
    int lines;
  } in[] = {{"192.0.2.3", "refused", 11},  {"192.0.2.1", "refused", 101},
            {"192.0.2.4", "refused", 6},   {"192.0.2.2", "dropped", 51},
            {"192.0.2.4", "dropped", 3}};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    for (int k = 0; k < in[i].lines; k++)
      cp__loglim_admit(&l, 1, in[i].src, 0, in[i].event, collect, &s);
  /* A partner's summary comes whatever the number of strangers. */
  for (int k = 0; k < 5; k++) cp__loglim_admit(&l, 1, "peer:0123", 1, "synced", collect, &s);
  assert_int_equal(cp__loglim_roll(&l, 10001, 0, collect, &s), 4);
  assert_string_equal(s.line[0], "peer:0123 synced 2 1 10000");
  assert_string_equal(s.line[1], "192.0.2.1 refused 100 1 10000");
  assert_string_equal(s.line[2], "192.0.2.2 dropped 50 1 10000");
  /* 192.0.2.3: 10; 192.0.2.4: 5 + 3 (its first line was written). */
  assert_string_equal(s.line[3], "other log 18 2 10000");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(sources_group_ipv6_by_64),
    cmocka_unit_test(init_refuses_bad_limits),
    cmocka_unit_test(source_handshake_limit),
    cmocka_unit_test(source_connection_limit),
    cmocka_unit_test(early_drop_follows_start_rate_full),
    cmocka_unit_test(full_table_evicts_most_represented),
    cmocka_unit_test(flood_from_one_address_never_starves_another),
    cmocka_unit_test(flood_from_many_addresses_evicts_the_oldest),
    cmocka_unit_test(known_sources_have_a_reserve),
    cmocka_unit_test(busy_sources_are_rate_limited),
    cmocka_unit_test(handshake_deadline),
    cmocka_unit_test(log_source_budget_and_summary),
    cmocka_unit_test(log_strangers_share_a_total),
    cmocka_unit_test(log_keys_beyond_the_table_are_counted),
    cmocka_unit_test(log_summaries_of_many_strangers_are_bounded),
};

CP_TEST_MAIN(tests)
