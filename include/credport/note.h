/*
 * credport — C2SP signed notes, tlog checkpoints and cosignatures
 * (crypto/note.c).
 *
 * Pinned: C2SP signed-note, C2SP tlog-checkpoint v1.0.0 (origin, size,
 * root; no timestamp line; extension lines tolerated on verify, never
 * written), C2SP tlog-cosignature/v1 (Ed25519 witness signatures with a
 * timestamp, key type 0x04).
 *
 * Key ids: SHA-256(name || "\n" || type || pubkey)[:4], type 0x01 for
 * Ed25519 note keys, 0x04 for cosignature/v1 witness keys.
 * Verifier key string: name "+" 8 hex digits of key id "+" base64(type||pk).
 */
#ifndef CREDPORT_NOTE_H
#define CREDPORT_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "sig.h"

#define CP_NOTE_ALG_ED25519 0x01
#define CP_NOTE_ALG_COSIG_V1 0x04
#define CP_VKEY_MAX 400U

typedef struct cp_note_verifier {
  char name[CP_ORIGIN_MAX + 1];
  uint32_t key_id;
  uint8_t alg;                 /* CP_NOTE_ALG_ED25519 or CP_NOTE_ALG_COSIG_V1 */
  uint8_t pk[CP_PK_BYTES];
} cp_note_verifier;

uint32_t cp_note_key_id(const char *name, uint8_t alg, const uint8_t pk[CP_PK_BYTES]);
/* Formats the verifier key string (NUL-terminated) into out[CP_VKEY_MAX]. */
int cp_note_vkey_format(const char *name, uint8_t alg, const uint8_t pk[CP_PK_BYTES],
                        char out[CP_VKEY_MAX]);
/* Parses a verifier key string; checks that the key id matches. */
int cp_note_vkey_parse(const char *s, size_t len, cp_note_verifier *v, cp_diag *d)
    __attribute__((warn_unused_result));
/* A valid key name: non-empty, at most CP_ORIGIN_MAX bytes, no '+', no
 * whitespace or control characters, valid UTF-8. */
int cp_note_name_valid(const char *name, size_t len);

typedef struct cp_checkpoint {
  char origin[CP_ORIGIN_MAX + 1];
  uint64_t size;
  uint8_t root[CP_HASH_BYTES];
  unsigned extension_lines;    /* lines after the root, tolerated on parse */
} cp_checkpoint;

/* Writes the checkpoint body "origin\nsize\nbase64(root)\n" (NUL-terminated).
 * *len excludes the NUL. */
int cp_checkpoint_body(const char *origin, uint64_t size, const uint8_t root[CP_HASH_BYTES],
                       char *out, size_t cap, size_t *len);
/* Writes a complete signed note: body, blank line, one signature line by k
 * under key name `origin`. */
int cp_checkpoint_sign(const cp_key *k, const char *origin, uint64_t size,
                       const uint8_t root[CP_HASH_BYTES], char *out, size_t cap, size_t *len);

/* Result of opening a note. */
typedef struct cp_note_result {
  cp_checkpoint cp;           /* parsed body (when the body is a checkpoint) */
  unsigned verified;          /* signatures that verified under a given key */
  unsigned verified_log;      /* ... of which by an Ed25519 (0x01) key */
  unsigned cosigned;          /* ... of which by a witness (0x04) key, quorum counts these */
  uint64_t cosig_time[CP_NOTE_SIGS_MAX]; /* timestamps of verified cosignatures */
  unsigned cosig_by[CP_NOTE_SIGS_MAX];   /* ... and the index in vs of each one's key */
  unsigned unknown;           /* signature lines from keys not given (ignored) */
} cp_note_result;

/*
 * Opens a signed note whose body is a checkpoint: parses the text strictly
 * (signed-note grammar; checkpoint body: origin line, decimal size without
 * leading zeros, base64 root of 32 bytes; size 0 needs the empty-tree root),
 * and verifies every signature line whose (name, key id) matches one of the
 * verifiers. A line whose key matches but whose signature fails is an error
 * (CP_EBADSIG). Returns 0 only if at least one signature by an Ed25519 log
 * key (alg 0x01) verified, and (if origin is not NULL) the checkpoint
 * origin equals origin. Cosignatures are counted in out->cosigned; quorum
 * policy is the caller's.
 * Errors: CP_ECORRUPT or CP_ETOOBIG for malformed text (d names the line
 * and byte), CP_EBADSIG for a failed signature by a given key or when no
 * log signature verified, CP_EDENIED when the origin is not `origin`.
 * As Go's note.Open does, only the first line by a given key is checked;
 * later lines by the same key are skipped and not counted again. A
 * cosignature timestamp above 2^63-1 does not verify.
 */
int cp_note_open_checkpoint(const char *text, size_t len, const cp_note_verifier *vs, size_t nv,
                            const char *origin, cp_note_result *out, cp_diag *d)
    __attribute__((warn_unused_result));

/* Appends a cosignature/v1 line by witness key k (name `name`) at time ts to
 * a signed checkpoint note. out may be note itself (appended in place);
 * *outlen excludes the NUL. ts must be at most 2^63-1 (CP_EINVAL). */
int cp_note_cosign(const cp_key *k, const char *name, uint64_t ts, const char *note, size_t len,
                   char *out, size_t cap, size_t *outlen);

#endif
