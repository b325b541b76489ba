/*
 * credport — sync framing: length prefix, bounds, AEAD (docs/PROTOCOL.md,
 * "Framing").
 *
 * Frame layout:
 *   off  size  field
 *   0    4     L: body length, big-endian
 *   4    L     body
 * Before the handshake completes, the body is a cleartext handshake or CLOSE
 * message and L <= CP_FRAME_MAX_PREAUTH. After it, the body is
 * ChaCha20-Poly1305 (IETF) ciphertext of one message followed by its 16-byte
 * tag, L <= CP_FRAME_MAX; the key is the direction's transport key, the nonce
 * is 4 zero bytes then the frame counter (u64 big-endian, from 0), and the
 * associated data is the 4 length bytes. A replayed, reordered, dropped,
 * truncated or altered frame fails the tag.
 */
#include <errno.h>
#include <sodium.h>

#include "sync_internal.h"

static void nonce_of(uint64_t n, uint8_t nonce[12]) {
  memset(nonce, 0, 4);
  be64_put(nonce + 4, n);
}

size_t cp__frame_room(const cp_sync *s, int use_reserved) {
  size_t used = s->out_end - s->out_start;
  size_t room = SYNC_OUT_CAP - used;
  if (!use_reserved) room = room > s->out_reserved ? room - s->out_reserved : 0;
  return room > SYNC_FRAME_OVERHEAD ? room - SYNC_FRAME_OVERHEAD : 0;
}

uint8_t *cp__frame_begin(cp_sync *s, size_t max, int use_reserved) {
  if (cp__frame_room(s, use_reserved) < max) return NULL;
  if (SYNC_OUT_CAP - s->out_end < max + SYNC_FRAME_OVERHEAD) {
    memmove(s->out, s->out + s->out_start, s->out_end - s->out_start);
    s->out_end -= s->out_start;
    s->out_start = 0;
  }
  return s->out + s->out_end + SYNC_HDR;
}

void cp__frame_end(cp_sync *s, size_t len) {
  uint8_t *hdr = s->out + s->out_end;
  uint8_t *body = hdr + SYNC_HDR;
  size_t blen = len;
  if (s->hs == HS_DONE) {
    uint8_t nonce[12];
    blen = len + SYNC_TAG;
    be32_put(hdr, (uint32_t)blen);
    nonce_of(s->n_tx++, nonce);
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(body, body + len, NULL, body, len, hdr,
                                                        SYNC_HDR, NULL, nonce, s->k_tx);
  } else {
    be32_put(hdr, (uint32_t)blen);
  }
  s->out_end += SYNC_HDR + blen;
  s->st.frames_out++;
  s->t_tx = s->now;
}

/* CLOSE: u8 0x7f, u32 code (two's complement), u16 n, n bytes of reason. */
int cp__frame_send_close(cp_sync *s, int code, const char *reason) {
  size_t n = strlen(reason);
  if (n > CP_SYNC_REASON_MAX) n = CP_SYNC_REASON_MAX;
  uint8_t *p = cp__frame_begin(s, 7 + n, 1);
  if (p == NULL) return CP_EAGAIN;
  p[0] = MSG_CLOSE;
  be32_put(p + 1, (uint32_t)code);
  be16_put(p + 5, (uint16_t)n);
  memcpy(p + 7, reason, n);
  cp__frame_end(s, 7 + n);
  return 0;
}

/* One complete frame body is in s->in. */
static int frame_done(cp_sync *s) {
  size_t len = s->body_len;
  s->st.frames_in++;
  s->t_rx = s->now;
  if (s->hs != HS_DONE) return cp__hs_recv(s, s->in, len);
  uint8_t nonce[12];
  size_t plen = len - SYNC_TAG;
  uint64_t n = s->n_rx;
  /* SPEC: HS-7. The initiator switches to transport keys when it sends
   * HS3; a responder that refuses HS3 answers with a cleartext CLOSE. Keep a
   * copy of what may be one, as a failed open wipes the buffer. */
  uint8_t clear[7 + CP_SYNC_REASON_MAX];
  int maybe_close = s->role == CP_SYNC_INITIATOR && n == 0 && len >= 7 && len <= sizeof clear &&
                    s->in[0] == MSG_CLOSE && len == 7 + ((size_t)s->in[5] << 8 | s->in[6]);
  if (maybe_close) memcpy(clear, s->in, len);
  nonce_of(s->n_rx++, nonce);
  /* SPEC: F-4 */
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(s->in, NULL, s->in, plen, s->in + plen,
                                                         s->hdr, SYNC_HDR, nonce, s->k_rx) != 0) {
    if (maybe_close) {
      memcpy(s->in, clear, len);
      return cp__sync_dispatch(s, s->in, len);
    }
    return cp__sync_fail(s, CP_EPROTO,
                         "frame %llu: authentication failed (tampered, replayed, reordered "
                         "or truncated)",
                         (unsigned long long)n);
  }
  return cp__sync_dispatch(s, s->in, plen);
}

/* Whether a new frame may be started: an event that borrows s->in must be
 * taken first, and there must be room for the events a frame can raise. */
static int can_start_frame(const cp_sync *s) {
  return s->hold == HOLD_NONE && s->ev_n + 4 <= SYNC_EVQ;
}

int cp__frame_feed(cp_sync *s, const uint8_t *in, size_t len, size_t *used) {
  size_t off = 0;
  int rc = 0;
  while (off < len) {
    if (s->hdr_have == 0 && s->body_have == 0 && !can_start_frame(s)) {
      rc = CP_EAGAIN;
      break;
    }
    if (s->hdr_have < SYNC_HDR) {
      size_t k = SYNC_HDR - s->hdr_have;
      if (k > len - off) k = len - off;
      memcpy(s->hdr + s->hdr_have, in + off, k);
      s->hdr_have += k;
      off += k;
      if (s->hdr_have < SYNC_HDR) break;
      uint32_t L = (uint32_t)s->hdr[0] << 24 | (uint32_t)s->hdr[1] << 16 |
                   (uint32_t)s->hdr[2] << 8 | s->hdr[3];
      size_t max = s->hs == HS_DONE ? CP_FRAME_MAX : CP_FRAME_MAX_PREAUTH;
      size_t min = s->hs == HS_DONE ? SYNC_TAG + 1 : 1;
      if (L > max) { /* SPEC: F-1, F-2, F-3 */
        rc = cp__sync_fail(s, CP_ETOOBIG, "frame %llu: length %lu exceeds the %s limit %lu",
                           (unsigned long long)s->st.frames_in, (unsigned long)L,
                           s->hs == HS_DONE ? "frame" : "pre-handshake", (unsigned long)max);
        break;
      }
      if (L < min) {
        rc = cp__sync_fail(s, CP_EPROTO, "frame %llu: length %lu is too short",
                           (unsigned long long)s->st.frames_in, (unsigned long)L);
        break;
      }
      s->body_len = L;
      s->body_have = 0;
    }
    size_t k = s->body_len - s->body_have;
    if (k > len - off) k = len - off;
    memcpy(s->in + s->body_have, in + off, k);
    s->body_have += k;
    off += k;
    if (s->body_have < s->body_len) break;
    s->hdr_have = 0;
    s->body_have = 0;
    rc = frame_done(s);
    if (rc != 0) break;
  }
  s->st.bytes_in += off;
  *used = off;
  return rc;
}
