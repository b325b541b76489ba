/*
 * credport — hex, strict base64, base58btc and did:key (see codec.h).
 * Every decoder accepts only the text its encoder would produce for the
 * same bytes (hex accepts either case, as the header allows).
 */
#include <string.h>

#include "credport/codec.h"

static const char HEX[] = "0123456789abcdef";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* ---- hex ---------------------------------------------------------------- */

void cp_hex_encode(const uint8_t *in, size_t len, char *out) {
  size_t i;
  for (i = 0; i < len; i++) {
    out[2 * i] = HEX[in[i] >> 4];
    out[2 * i + 1] = HEX[in[i] & 15];
  }
  out[2 * len] = '\0';
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int cp_hex_decode(const char *in, size_t inlen, uint8_t *out, size_t outlen) {
  size_t i;
  if (outlen > SIZE_MAX / 2 || inlen != 2 * outlen) return CP_ECORRUPT;
  for (i = 0; i < outlen; i++) {
    int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);
    if (hi < 0 || lo < 0) return CP_ECORRUPT;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return CP_OK;
}

/* ---- base64 (RFC 4648 sections 4 and 5) -------------------------------- */

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encodes len bytes of in with the 64-character alphabet; pad appends '='
 * to a whole group of four. out holds the text and its NUL. */
static void b64_encode_with(const char *alpha, int pad, const uint8_t *in, size_t len, char *out) {
  size_t i = 0, o = 0;
  for (; len - i >= 3; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = alpha[v >> 18 & 63];
    out[o++] = alpha[v >> 12 & 63];
    out[o++] = alpha[v >> 6 & 63];
    out[o++] = alpha[v & 63];
  }
  if (len - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = alpha[v >> 18 & 63];
    out[o++] = alpha[v >> 12 & 63];
    if (pad) {
      out[o++] = '=';
      out[o++] = '=';
    }
  } else if (len - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[o++] = alpha[v >> 18 & 63];
    out[o++] = alpha[v >> 12 & 63];
    out[o++] = alpha[v >> 6 & 63];
    if (pad) out[o++] = '=';
  }
  out[o] = '\0';
}

/* The value of c in the alphabet whose last two characters are c62 and c63,
 * or -1. */
static int b64val(char c, char c62, char c63) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == c62) return 62;
  if (c == c63) return 63;
  return -1;
}

/* Decodes the n characters of in, without padding, in the alphabet ending
 * c62 c63: CP_ECORRUPT for a length no bytes give, a character outside the
 * alphabet or non-zero unused bits; CP_ETOOBIG when the bytes exceed cap. */
static int b64_decode_with(char c62, char c63, const char *in, size_t n, uint8_t *out, size_t cap,
                           size_t *outlen) {
  size_t i, o = 0, rem = n % 4, need;
  if (rem == 1) return CP_ECORRUPT;
  need = n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
  if (need > cap) return CP_ETOOBIG;
  for (i = 0; i < n; i += 4) {
    size_t nd = n - i < 4 ? n - i : 4, k;
    int v[4] = {0, 0, 0, 0};
    uint32_t w = 0;
    for (k = 0; k < 4; k++) {
      if (k < nd && (v[k] = b64val(in[i + k], c62, c63)) < 0) return CP_ECORRUPT;
      w = w << 6 | (uint32_t)v[k];
    }
    /* Unused low bits of the last character must be zero (canonical). */
    if (nd == 3 && (v[2] & 3) != 0) return CP_ECORRUPT;
    if (nd == 2 && (v[1] & 15) != 0) return CP_ECORRUPT;
    out[o++] = (uint8_t)(w >> 16);
    if (nd >= 3) out[o++] = (uint8_t)(w >> 8);
    if (nd == 4) out[o++] = (uint8_t)w;
  }
  *outlen = o;
  return CP_OK;
}

void cp_b64_encode(const uint8_t *in, size_t len, char *out) {
  b64_encode_with(B64, 1, in, len, out);
}

int cp_b64_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen) {
  size_t pad = 0;
  if (inlen % 4 != 0) return CP_ECORRUPT;
  if (inlen > 0 && in[inlen - 1] == '=') pad++;
  if (inlen > 1 && in[inlen - 2] == '=') pad++;
  return b64_decode_with('+', '/', in, inlen - pad, out, cap, outlen);
}

void cp_b64url_encode(const uint8_t *in, size_t len, char *out) {
  b64_encode_with(B64URL, 0, in, len, out);
}

int cp_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen) {
  return b64_decode_with('-', '_', in, inlen, out, cap, outlen);
}

/* ---- base58btc ---------------------------------------------------------- */

/* The digit-by-digit conversion, for inputs too long for b58_encode_fast. */
static int b58_encode_slow(const uint8_t *in, size_t len, char *out, size_t cap, size_t *outlen) {
  size_t zeros = 0, ndig = 0, i, j;
  while (zeros < len && in[zeros] == 0) zeros++;
  if (cap == 0) return CP_ETOOBIG;
  /* Digits accumulate in out[zeros..], least significant first. */
  for (i = zeros; i < len; i++) {
    unsigned carry = in[i];
    for (j = 0; j < ndig; j++) {
      carry += (unsigned)(uint8_t)out[zeros + j] << 8;
      out[zeros + j] = (char)(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      if (zeros + ndig + 1 >= cap) return CP_ETOOBIG;
      out[zeros + ndig++] = (char)(carry % 58);
      carry /= 58;
    }
  }
  if (zeros + ndig + 1 > cap) return CP_ETOOBIG;
  for (i = 0; i < ndig / 2; i++) {
    char t = out[zeros + i];
    out[zeros + i] = out[zeros + ndig - 1 - i];
    out[zeros + ndig - 1 - i] = t;
  }
  for (i = 0; i < ndig; i++) out[zeros + i] = B58[(uint8_t)out[zeros + i]];
  memset(out, '1', zeros);
  out[zeros + ndig] = '\0';
  if (outlen != NULL) *outlen = zeros + ndig;
  return CP_OK;
}

/* The same conversion in limbs of base 58^5 fed three bytes at a time
 * (limb * 2^24 + carry stays below 2^54): about a tenth of the divisions,
 * which matters for the signatures and did:keys of every exported
 * credential. */
#define B58_LIMB 656356768U /* 58^5 */
#define B58_FAST_MAX 256U
static int b58_encode_fast(const uint8_t *in, size_t len, char *out, size_t cap,
                           size_t *outlen) {
  uint32_t limb[B58_FAST_MAX * 8 / 29 + 2];
  size_t zeros = 0, nl = 0, i, j, ndig, o;
  char dig[(B58_FAST_MAX * 8 / 29 + 2) * 5];
  while (zeros < len && in[zeros] == 0) zeros++;
  for (i = zeros; i < len;) {
    uint64_t carry = 0;
    unsigned shift = 0;
    for (; i < len && shift < 24; i++, shift += 8) carry = carry << 8 | in[i];
    for (j = 0; j < nl; j++) {
      uint64_t t = ((uint64_t)limb[j] << shift) + carry;
      limb[j] = (uint32_t)(t % B58_LIMB);
      carry = t / B58_LIMB;
    }
    while (carry > 0) {
      limb[nl++] = (uint32_t)(carry % B58_LIMB);
      carry /= B58_LIMB;
    }
  }
  /* Limbs to digits, least significant first, then drop leading zeros. */
  for (ndig = 0, j = 0; j < nl; j++) {
    uint32_t v = limb[j];
    for (int k = 0; k < 5; k++) {
      dig[ndig++] = (char)(v % 58);
      v /= 58;
    }
  }
  while (ndig > 0 && dig[ndig - 1] == 0) ndig--;
  if (zeros + ndig + 1 > cap) return CP_ETOOBIG;
  memset(out, '1', zeros);
  for (o = zeros, i = ndig; i > 0; i--) out[o++] = B58[(uint8_t)dig[i - 1]];
  out[o] = '\0';
  if (outlen != NULL) *outlen = o;
  return CP_OK;
}

int cp_b58_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *outlen) {
  if (cap == 0) return CP_ETOOBIG;
  if (len <= B58_FAST_MAX) return b58_encode_fast(in, len, out, cap, outlen);
  return b58_encode_slow(in, len, out, cap, outlen);
}

static int b58val(char c) {
  const char *p = c != '\0' ? strchr(B58, c) : NULL;
  return p == NULL ? -1 : (int)(p - B58);
}

int cp_b58_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen) {
  size_t zeros = 0, blen = 0, i, j;
  while (zeros < inlen && in[zeros] == '1') zeros++;
  if (zeros > cap) return CP_ETOOBIG;
  /* The big number grows at the end of out, most significant byte first. */
  for (i = zeros; i < inlen; i++) {
    int v = b58val(in[i]);
    unsigned carry;
    if (v < 0) return CP_ECORRUPT;
    carry = (unsigned)v;
    for (j = 0; j < blen; j++) {
      carry += 58u * out[cap - 1 - j];
      out[cap - 1 - j] = (uint8_t)carry;
      carry >>= 8;
    }
    while (carry > 0) {
      if (zeros + blen >= cap) return CP_ETOOBIG;
      out[cap - 1 - blen++] = (uint8_t)carry;
      carry >>= 8;
    }
  }
  memmove(out + zeros, out + cap - blen, blen);
  memset(out, 0, zeros);
  *outlen = zeros + blen;
  return CP_OK;
}

/* ---- did:key ------------------------------------------------------------ */

#define DIDKEY_PREFIX "did:key:z"

void cp_didkey_encode(const uint8_t pk[CP_PK_BYTES], char out[CP_DIDKEY_MAX]) {
  uint8_t mc[2 + CP_PK_BYTES];
  size_t plen = sizeof DIDKEY_PREFIX - 1, n = 0;
  mc[0] = 0xed; /* multicodec ed25519-pub, unsigned varint 0xed 0x01 */
  mc[1] = 0x01;
  memcpy(mc + 2, pk, CP_PK_BYTES);
  memcpy(out, DIDKEY_PREFIX, plen);
  /* 34 bytes need at most 47 base58 digits: always fits in 64. */
  if (cp_b58_encode(mc, sizeof mc, out + plen, CP_DIDKEY_MAX - plen, &n) != CP_OK) out[0] = '\0';
}

int cp_didkey_decode(const char *did, uint8_t pk[CP_PK_BYTES]) {
  uint8_t mc[2 + CP_PK_BYTES + 8];
  size_t plen = sizeof DIDKEY_PREFIX - 1, len, n = 0;
  int rc;
  len = strnlen(did, CP_DIDKEY_MAX);
  if (len >= CP_DIDKEY_MAX || len <= plen || memcmp(did, DIDKEY_PREFIX, plen) != 0)
    return CP_ECORRUPT;
  rc = cp_b58_decode(did + plen, len - plen, mc, sizeof mc, &n);
  if (rc != CP_OK) return CP_ECORRUPT;
  if (n != sizeof mc - 8 || mc[0] != 0xed || mc[1] != 0x01) return CP_ECORRUPT;
  memcpy(pk, mc + 2, CP_PK_BYTES);
  return CP_OK;
}
