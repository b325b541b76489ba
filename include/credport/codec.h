/*
 * credport — text encodings of bytes and keys (crypto/codec.c): hex,
 * base64 (standard alphabet, padded, strict), base58btc, did:key.
 * All decoders are strict: they reject anything that would not re-encode to
 * the same text (wrong length, bad characters, non-canonical padding bits).
 */
#ifndef CREDPORT_CODEC_H
#define CREDPORT_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "sig.h"

/* Lowercase hex. out must hold 2*len+1 bytes; NUL-terminated. */
void cp_hex_encode(const uint8_t *in, size_t len, char *out);
/* Decodes exactly outlen bytes from hex (either case); CP_ECORRUPT otherwise. */
int cp_hex_decode(const char *in, size_t inlen, uint8_t *out, size_t outlen)
    __attribute__((warn_unused_result));

/* Standard base64 with padding. out must hold CP_B64_LEN(len)+1 bytes. */
#define CP_B64_LEN(n) ((((n) + 2) / 3) * 4)
void cp_b64_encode(const uint8_t *in, size_t len, char *out);
/* Decodes into out (cap bytes); *outlen gets the length. CP_ECORRUPT if not
 * canonical padded base64, CP_ETOOBIG if it does not fit. */
int cp_b64_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
    __attribute__((warn_unused_result));

/* base64url (RFC 4648 section 5) without padding, as JOSE and multibase 'u'
 * use it. out must hold CP_B64URL_LEN(len)+1 bytes; NUL-terminated. */
#define CP_B64URL_LEN(n) (((n) / 3) * 4 + ((n) % 3 == 0 ? 0 : (n) % 3 + 1))
void cp_b64url_encode(const uint8_t *in, size_t len, char *out);
/* Decodes into out (cap bytes); *outlen gets the length. CP_ECORRUPT for
 * padding ('='), the standard alphabet's '+' or '/', any other character,
 * a length of 1 mod 4, or non-zero unused bits in the last character;
 * CP_ETOOBIG if it does not fit. */
int cp_b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
    __attribute__((warn_unused_result));

/* base58btc (Bitcoin alphabet). *outlen excludes the NUL. */
int cp_b58_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *outlen);
int cp_b58_decode(const char *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
    __attribute__((warn_unused_result));

/* did:key for an Ed25519 public key: "did:key:z" + base58btc(0xed 0x01 || pk).
 * out must hold CP_DIDKEY_MAX bytes. */
#define CP_DIDKEY_MAX 64U
void cp_didkey_encode(const uint8_t pk[CP_PK_BYTES], char out[CP_DIDKEY_MAX]);
int cp_didkey_decode(const char *did, uint8_t pk[CP_PK_BYTES]) __attribute__((warn_unused_result));

#endif
