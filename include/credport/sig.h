/*
 * credport — Ed25519 keys and domain-separated signatures (crypto/sig.c).
 *
 * Every credport signature is made over  prefix || message,  where the
 * prefix names the purpose (see cp_purpose); a signature made for one
 * purpose never verifies for another. Signed-note signatures (checkpoints)
 * are the exception: their format is fixed by C2SP and they go through
 * cp_sig_sign_raw / cp_sig_verify_raw.
 *
 * Validity is exactly libsodium's crypto_sign_verify_detached: canonical S,
 * canonical public key A, small-order A and R rejected. This rule is part of
 * the ledger format (docs/FORMATS.md); do not verify any other way.
 */
#ifndef CREDPORT_SIG_H
#define CREDPORT_SIG_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define CP_PK_BYTES   32U
#define CP_SEED_BYTES 32U
#define CP_SIG_BYTES  64U

typedef enum {
  CP_PURPOSE_ENTRY = 1,     /* "credport/v1/entry\0"          ledger entries */
  CP_PURPOSE_HANDSHAKE = 2, /* "credport/v1/handshake\0"      sync transcript */
  CP_PURPOSE_BUNDLE = 3,    /* "credport/v1/bundle\0"         educator bundles */
  CP_PURPOSE_STATEMENT = 4  /* "credport/v1/statement\0"      statements bound to a checkpoint */
} cp_purpose;

/* Opaque secret key. Its memory is locked where possible and wiped on free. */
typedef struct cp_key cp_key;

/* Must be called once by main() before any other function (sodium_init). */
int cp_crypto_init(void) __attribute__((warn_unused_result));

int cp_key_generate(cp_key **out) __attribute__((warn_unused_result, nonnull));
int cp_key_from_seed(const uint8_t seed[CP_SEED_BYTES], cp_key **out)
    __attribute__((warn_unused_result, nonnull));
void cp_key_free(cp_key *k);
void cp_key_public(const cp_key *k, uint8_t pk[CP_PK_BYTES]) __attribute__((nonnull));

/*
 * Key files. The format is two lines of text:
 *   credport-ed25519-secret-key-v1
 *   <64 lowercase hex digits of the 32-byte seed>
 * cp_key_save creates the file with mode 0600 and O_EXCL (it never
 * overwrites). cp_key_load refuses, with CP_EKEYFILE and the reason in d:
 * a symbolic link, anything that is not a regular file (a FIFO or device is
 * refused at once, never waited on), a file owned by another uid than the
 * process's effective one (naming the owner), a file that group or others
 * can read or write ("chmod 600" advice), and a truncated or malformed file
 * (naming the line and byte). A missing file gives -ENOENT.
 */
int cp_key_save(const cp_key *k, const char *path, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));
int cp_key_load(const char *path, cp_key **out, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 2)));
/* The parser cp_key_load applies to a key file's bytes: text[0..len) must be
 * exactly the two lines above; name is only used in messages. On success
 * the seed is in seed (the caller wipes it); errors as cp_key_load's for a
 * malformed file. */
int cp_key_parse(const char *name, const char *text, size_t len, uint8_t seed[CP_SEED_BYTES],
                 cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 4)));

/* Sign prefix(purpose) || msg. */
int cp_sig_sign(const cp_key *k, cp_purpose purpose, const uint8_t *msg, size_t len,
                uint8_t sig[CP_SIG_BYTES]) __attribute__((nonnull(1, 5)));
/* 0 if sig is valid for prefix(purpose) || msg under pk, else CP_EBADSIG. */
int cp_sig_verify(cp_purpose purpose, const uint8_t sig[CP_SIG_BYTES], const uint8_t *msg,
                  size_t len, const uint8_t pk[CP_PK_BYTES])
    __attribute__((warn_unused_result, nonnull(2, 5)));

/* Plain Ed25519 over msg, no prefix (signed notes, test vectors). */
int cp_sig_sign_raw(const cp_key *k, const uint8_t *msg, size_t len, uint8_t sig[CP_SIG_BYTES])
    __attribute__((nonnull(1, 4)));
int cp_sig_verify_raw(const uint8_t sig[CP_SIG_BYTES], const uint8_t *msg, size_t len,
                      const uint8_t pk[CP_PK_BYTES]) __attribute__((warn_unused_result, nonnull(1, 4)));

/* Returns the NUL-terminated prefix string for purpose, or NULL. */
const char *cp_sig_prefix(cp_purpose purpose);

#endif
