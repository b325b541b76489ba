/*
 * Impossible branches of the sync engine end the session with a reason
 * (as SQLite's NEVER() does) instead of writing through a null pointer or
 * going on without a message. The engine's state is reached through its
 * private header to force what a peer cannot: an output queue with no room
 * for a handshake message.
 */
#include "cptest.h"

#include <sodium.h>
#include <string.h>

#include "../../proto/sync_internal.h"

/* A well-formed HS1 frame from a fresh initiator ephemeral key. */
static size_t hs1_frame(uint8_t out[4 + 34]) {
  uint8_t sk[32];
  out[0] = 0, out[1] = 0, out[2] = 0, out[3] = 34;
  out[4] = MSG_HS1;
  out[5] = CP_SYNC_VERSION;
  crypto_box_keypair(out + 6, sk);
  sodium_memzero(sk, sizeof sk);
  return 4 + 34;
}

/* The responder's output queue is full when HS1 arrives: the session ends
 * naming HS2, and the one thing queued after is nothing (no partial HS2). */
static void never_hs2_without_room(void **state) {
  (void)state;
  cp_key *k = NULL;
  cp_sync *s = NULL;
  uint8_t pk[32], frame[4 + 34];
  size_t used = 0, n = hs1_frame(frame);
  assert_int_equal(cp_key_generate(&k), 0);
  cp_key_public(k, pk);
  cp_sync_config cfg = {CP_SYNC_RESPONDER, k, pk, 1, 0, 0, 0};
  assert_int_equal(cp_sync_create(&cfg, &s), 0);
  s->out_start = 0;
  s->out_end = SYNC_OUT_CAP - 8; /* room for no message at all */
  assert_int_equal(cp_sync_feed(s, frame, n, &used), CP_ENOMEM);
  assert_int_equal(cp_sync_status(s), CP_ENOMEM);
  assert_non_null(strstr(cp_sync_error(s), "HS2: internal error: no room in the output queue"));
  assert_int_equal(s->out_end, SYNC_OUT_CAP - 8);
  cp_sync_free(s);
  cp_key_free(k);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(never_hs2_without_room),
};

CP_TEST_MAIN(tests)
