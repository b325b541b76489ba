/*
 * Shared by the hostile-wire tests (test_sync_wire.c: handshakes and frames;
 * test_sync_wire_msgs.c: every message, sent by an initiator rebuilt from
 * docs/PROTOCOL.md with libsodium alone): two engines wired back to back,
 * fed byte for byte, their events taken, and the handshake hashes.
 */
#ifndef CP_TEST_SYNC_WIRE_H
#define CP_TEST_SYNC_WIRE_H

#include "cptest.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "credport/sync.h"

#define CPT_UNUSED __attribute__((unused))

typedef struct side {
  cp_sync *s;
  int hs_done, need_heads, peer_err, other_events;
  cp_sync_head none;
} side;

/* The last CHECKPOINT_FORK event any side took, copied. */
static struct {
  int n;
  uint8_t log[32];
  uint8_t *item[3];
  size_t len[3];
  uint32_t count, bytes;
} cpf;

CPT_UNUSED static void cpf_take(const cp_sync_event *ev) {
  cpf.n++;
  memcpy(cpf.log, ev->log, 32);
  cpf.count = ev->count;
  cpf.bytes = ev->bytes;
  for (int i = 0; i < 3; i++) {
    free(cpf.item[i]);
    cpf.item[i] = malloc(ev->items[i].len + 1);
    assert_non_null(cpf.item[i]);
    memcpy(cpf.item[i], ev->items[i].p, ev->items[i].len);
    cpf.len[i] = ev->items[i].len;
  }
}

/* The last REVSTAT event any side took, copied. */
static struct {
  int n;
  uint8_t log[32];
  char text[2048];
  size_t len;
  uint32_t count, bytes;
} rsv;

CPT_UNUSED static void rsv_take(const cp_sync_event *ev) {
  rsv.n++;
  memcpy(rsv.log, ev->log, 32);
  rsv.count = ev->count;
  rsv.bytes = ev->bytes;
  assert_true(ev->items[0].len <= sizeof rsv.text);
  memcpy(rsv.text, ev->items[0].p, ev->items[0].len);
  rsv.len = ev->items[0].len;
}

CPT_UNUSED static void cpf_reset(void) {
  for (int i = 0; i < 3; i++) free(cpf.item[i]);
  memset(&cpf, 0, sizeof cpf);
}

static cp_key *ka, *kb, *kc;
static uint8_t pka[32], pkb[32], pkc[32];

CPT_UNUSED static int setup(void **state) {
  (void)state;
  assert_int_equal(cp_key_generate(&ka), 0);
  assert_int_equal(cp_key_generate(&kb), 0);
  assert_int_equal(cp_key_generate(&kc), 0);
  cp_key_public(ka, pka);
  cp_key_public(kb, pkb);
  cp_key_public(kc, pkc);
  return 0;
}

CPT_UNUSED static int teardown(void **state) {
  (void)state;
  cp_key_free(ka);
  cp_key_free(kb);
  cp_key_free(kc);
  return 0;
}

CPT_UNUSED static void open_side(side *x, cp_key *k, cp_sync_role role, const uint8_t *allow, size_t n) {
  memset(x, 0, sizeof *x);
  cp_sync_config cfg = {role, k, allow, n, 0, 0, 0};
  assert_int_equal(cp_sync_create(&cfg, &x->s), 0);
}

CPT_UNUSED static void drain(side *x) {
  cp_sync_event ev;
  while (cp_sync_next_event(x->s, &ev) == 0) {
    switch (ev.type) {
    case CP_SYNC_EV_HANDSHAKE_DONE: x->hs_done = 1; break;
    case CP_SYNC_EV_NEED_HEADS:
      x->need_heads = 1;
      assert_int_equal(cp_sync_provide_heads(x->s, &x->none, 0), 0);
      break;
    case CP_SYNC_EV_PEER_ERROR: x->peer_err = 1; break;
    case CP_SYNC_EV_CHECKPOINT_FORK: cpf_take(&ev); break;
    case CP_SYNC_EV_REVSTAT: rsv_take(&ev); break;
    default: x->other_events++; break;
    }
  }
}

/* Feeds bytes, taking events whenever the engine asks for that. */
CPT_UNUSED static int feed(side *x, const uint8_t *p, size_t n) {
  size_t off = 0;
  int rc = 0;
  while (off < n) {
    size_t used;
    rc = cp_sync_feed(x->s, p + off, n - off, &used);
    off += used;
    drain(x);
    if (rc != 0 && rc != CP_EAGAIN) break;
    rc = 0;
  }
  return rc;
}

/* Takes everything x has to send. */
CPT_UNUSED static uint8_t *take(side *x, size_t *n) {
  const uint8_t *o = cp_sync_out(x->s, n);
  uint8_t *c = malloc(*n + 1);
  assert_non_null(c);
  memcpy(c, o, *n);
  cp_sync_out_ack(x->s, *n);
  return c;
}

/* Moves bytes both ways until quiet. If flip_at is given, the byte at that
 * offset of the dir stream (0: initiator to responder, 1: the other way) is
 * altered on the way. Returns 1 if the altered byte was handed to the
 * receiving session, 0 if that stream never reached the offset. */
CPT_UNUSED static int pump(side *i, side *r, int dir, long flip_at) {
  size_t sent[2] = {0, 0};
  int delivered = 0;
  for (int round = 0; round < 50; round++) {
    size_t moved = 0;
    for (int d = 0; d < 2; d++) {
      side *from = d ? r : i, *to = d ? i : r;
      size_t n;
      uint8_t *b = take(from, &n);
      int flip = d == dir && flip_at >= 0 && (size_t)flip_at >= sent[d] &&
                 (size_t)flip_at < sent[d] + n;
      if (flip) b[flip_at - (long)sent[d]] ^= 0x20;
      sent[d] += n;
      moved += n;
      if (n > 0) (void)feed(to, b, n); /* its first cp_sync_feed is offered all n bytes */
      delivered |= flip;
      free(b);
    }
    drain(i);
    drain(r);
    if (moved == 0) break;
  }
  return delivered;
}

CPT_UNUSED static void close_side(side *x) { cp_sync_free(x->s); }

/* The handshake hashes of docs/PROTOCOL.md, "Handshake". */
CPT_UNUSED static void h_mix(uint8_t h[32], const uint8_t *p, size_t n) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 32);
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_update(&st, p, n);
  crypto_generichash_final(&st, h, 32);
}

CPT_UNUSED static void h_kdf(const uint8_t ck[32], const char *label, const uint8_t h[32], uint8_t out[32]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, ck, 32, 32);
  crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
  crypto_generichash_update(&st, h, 32);
  crypto_generichash_final(&st, out, 32);
}

#endif
