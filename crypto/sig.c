/*
 * credport — Ed25519 keys, key files and domain-separated signatures
 * (see sig.h). Every verification goes through crypto_sign_verify_detached:
 * its acceptance rules (canonical S, canonical A, small-order A and R
 * rejected) are part of the ledger format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "credport/sig.h"

_Static_assert(crypto_sign_PUBLICKEYBYTES == CP_PK_BYTES, "Ed25519 public key size");
_Static_assert(crypto_sign_SEEDBYTES == CP_SEED_BYTES, "Ed25519 seed size");
_Static_assert(crypto_sign_BYTES == CP_SIG_BYTES, "Ed25519 signature size");

/* Lives in sodium_malloc'd memory: guarded, locked where possible, and
 * wiped by sodium_free. */
struct cp_key {
  uint8_t seed[CP_SEED_BYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  uint8_t pk[CP_PK_BYTES];
};

#define KEYFILE_MAGIC "credport-ed25519-secret-key-v1"
#define KEYFILE_MAX 256U /* anything longer is malformed; never read more */

int cp_crypto_init(void) {
  return sodium_init() < 0 ? CP_EINVAL : CP_OK;
}

static int key_new(cp_key **out) {
  cp_key *k = sodium_malloc(sizeof *k);
  if (k == NULL) return CP_ENOMEM;
  sodium_memzero(k, sizeof *k);
  *out = k;
  return CP_OK;
}

int cp_key_from_seed(const uint8_t seed[CP_SEED_BYTES], cp_key **out) {
  cp_key *k = NULL;
  int rc = key_new(&k);
  if (rc != CP_OK) return rc;
  memcpy(k->seed, seed, CP_SEED_BYTES);
  if (crypto_sign_seed_keypair(k->pk, k->sk, k->seed) != 0) {
    cp_key_free(k);
    return CP_EINVAL;
  }
  *out = k;
  return CP_OK;
}

int cp_key_generate(cp_key **out) {
  uint8_t seed[CP_SEED_BYTES];
  int rc;
  randombytes_buf(seed, sizeof seed);
  rc = cp_key_from_seed(seed, out);
  sodium_memzero(seed, sizeof seed);
  return rc;
}

void cp_key_free(cp_key *k) {
  if (k != NULL) sodium_free(k); /* sodium_free wipes before unmapping */
}

void cp_key_public(const cp_key *k, uint8_t pk[CP_PK_BYTES]) {
  memcpy(pk, k->pk, CP_PK_BYTES);
}

const char *cp_sig_prefix(cp_purpose purpose) {
  switch (purpose) {
  case CP_PURPOSE_ENTRY: return "credport/v1/entry";
  case CP_PURPOSE_HANDSHAKE: return "credport/v1/handshake";
  case CP_PURPOSE_BUNDLE: return "credport/v1/bundle";
  case CP_PURPOSE_STATEMENT: return "credport/v1/statement";
  default: return NULL;
  }
}

int cp_sig_sign_raw(const cp_key *k, const uint8_t *msg, size_t len, uint8_t sig[CP_SIG_BYTES]) {
  static const uint8_t empty[1] = {0};
  if (msg == NULL) msg = empty;
  if (crypto_sign_detached(sig, NULL, msg, (unsigned long long)len, k->sk) != 0) return CP_EINVAL;
  return CP_OK;
}

int cp_sig_verify_raw(const uint8_t sig[CP_SIG_BYTES], const uint8_t *msg, size_t len,
                      const uint8_t pk[CP_PK_BYTES]) {
  static const uint8_t empty[1] = {0};
  if (msg == NULL) msg = empty;
  return crypto_sign_verify_detached(sig, msg, (unsigned long long)len, pk) == 0 ? CP_OK
                                                                               : CP_EBADSIG;
}

/* prefix || NUL || msg. Entries and handshake transcripts are small: they
 * are built in a stack buffer, and only large messages are allocated. */
#define SIG_STACK_MAX 2048u

typedef struct {
  uint8_t stack[SIG_STACK_MAX];
  uint8_t *heap;
  const uint8_t *p;
  size_t n;
} prefixed_msg;

static int prefixed(prefixed_msg *m, cp_purpose purpose, const uint8_t *msg, size_t len) {
  const char *p = cp_sig_prefix(purpose);
  m->heap = NULL;
  if (p == NULL) return CP_EINVAL;
  size_t plen = strlen(p) + 1; /* the terminating NUL is part of the prefix */
  if (len > SIZE_MAX - plen) return CP_EOVERFLOW;
  uint8_t *buf = m->stack;
  if (len > SIG_STACK_MAX - plen && (buf = m->heap = malloc(plen + len)) == NULL)
    return CP_ENOMEM;
  memcpy(buf, p, plen);
  if (len > 0) memcpy(buf + plen, msg, len);
  m->p = buf;
  m->n = plen + len;
  return CP_OK;
}

int cp_sig_sign(const cp_key *k, cp_purpose purpose, const uint8_t *msg, size_t len,
                uint8_t sig[CP_SIG_BYTES]) {
  prefixed_msg m;
  int rc = prefixed(&m, purpose, msg, len);
  if (rc == CP_OK) rc = cp_sig_sign_raw(k, m.p, m.n, sig);
  free(m.heap);
  return rc;
}

int cp_sig_verify(cp_purpose purpose, const uint8_t sig[CP_SIG_BYTES], const uint8_t *msg,
                  size_t len, const uint8_t pk[CP_PK_BYTES]) {
  prefixed_msg m;
  int rc = prefixed(&m, purpose, msg, len);
  if (rc == CP_OK) rc = cp_sig_verify_raw(sig, m.p, m.n, pk);
  else if (rc == CP_EINVAL) rc = CP_EBADSIG;
  free(m.heap);
  return rc;
}

/* ---- key files ---------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int cp_key_save(const cp_key *k, const char *path, cp_diag *d) {
  char text[sizeof KEYFILE_MAGIC + 2 * CP_SEED_BYTES + 2];
  size_t mlen = sizeof KEYFILE_MAGIC - 1;
  int fd = -1, rc = CP_OK, created = 0;

  memcpy(text, KEYFILE_MAGIC, mlen);
  text[mlen] = '\n';
  sodium_bin2hex(text + mlen + 1, 2 * CP_SEED_BYTES + 1, k->seed, CP_SEED_BYTES);
  text[mlen + 1 + 2 * CP_SEED_BYTES] = '\n';

  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      rc = cp_diag_set(d, CP_EEXIST, "%s: already exists; a key file is never overwritten", path);
    else
      rc = cp_diag_set(d, -errno, "%s: cannot create: %s", path, strerror(errno));
    goto out;
  }
  created = 1;
  /* The umask can only narrow 0600, but make the mode exact regardless. */
  if (fchmod(fd, 0600) != 0 || (rc = write_all(fd, text, mlen + 2 + 2 * CP_SEED_BYTES)) != 0 ||
      fsync(fd) != 0) {
    if (rc == 0) rc = -errno;
    rc = cp_diag_set(d, rc, "%s: cannot write key file", path);
    goto out;
  }
  if (close(fd) != 0) {
    fd = -1;
    rc = cp_diag_set(d, -errno, "%s: cannot close key file", path);
    goto out;
  }
  fd = -1;
out:
  sodium_memzero(text, sizeof text);
  if (fd >= 0) close(fd);
  if (rc != CP_OK && created) unlink(path);
  return rc;
}

/* Parses the key file text (see sig.h) into seed; names line and byte on
 * error (both 1-based). */
static int parse_keyfile(const char *path, const char *buf, size_t n, uint8_t seed[CP_SEED_BYTES],
                         cp_diag *d) {
  size_t mlen = sizeof KEYFILE_MAGIC - 1, i;
  const char *hex;
  for (i = 0; i < mlen; i++) {
    if (i >= n)
      return cp_diag_set(d, CP_EKEYFILE, "%s: line 1 byte %zu: truncated (file ends early)", path,
                         i + 1);
    if (buf[i] != KEYFILE_MAGIC[i])
      return cp_diag_set(d, CP_EKEYFILE, "%s: line 1 byte %zu: expected \"%s\"", path, i + 1,
                         KEYFILE_MAGIC);
  }
  if (mlen >= n)
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 1 byte %zu: truncated (no newline)", path,
                       mlen + 1);
  if (buf[mlen] != '\n')
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 1 byte %zu: expected end of line", path,
                       mlen + 1);
  hex = buf + mlen + 1;
  n -= mlen + 1;
  for (i = 0; i < 2 * CP_SEED_BYTES; i++) {
    char c = i < n ? hex[i] : 0;
    if (i >= n)
      return cp_diag_set(d, CP_EKEYFILE, "%s: line 2 byte %zu: truncated after %zu of 64 hex "
                         "digits", path, i + 1, i);
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return cp_diag_set(d, CP_EKEYFILE, "%s: line 2 byte %zu: not a lowercase hex digit", path,
                         i + 1);
  }
  if (n == 2 * CP_SEED_BYTES)
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 2 byte 65: truncated (no newline)", path);
  if (hex[2 * CP_SEED_BYTES] != '\n')
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 2 byte 65: expected end of line after 64 hex "
                       "digits", path);
  if (n > 2 * CP_SEED_BYTES + 1)
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 3 byte 1: unexpected data after the key", path);
  if (sodium_hex2bin(seed, CP_SEED_BYTES, hex, 2 * CP_SEED_BYTES, NULL, NULL, NULL) != 0)
    return cp_diag_set(d, CP_EKEYFILE, "%s: line 2: bad hex", path);
  return CP_OK;
}

int cp_key_parse(const char *name, const char *text, size_t len, uint8_t seed[CP_SEED_BYTES],
                 cp_diag *d) {
  if (len > KEYFILE_MAX)
    return cp_diag_set(d, CP_EKEYFILE, "%s: key file is too long to be a key", name);
  return parse_keyfile(name, text, len, seed, d);
}

int cp_key_load(const char *path, cp_key **out, cp_diag *d) {
  char buf[KEYFILE_MAX + 1];
  uint8_t seed[CP_SEED_BYTES];
  struct stat st;
  size_t n = 0;
  int fd, rc = CP_OK;

  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
   * writer; with it the open returns and fstat below refuses the FIFO.
   * O_NOFOLLOW: a link could point the node at a key it does not own. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    rc = -errno;
    if (errno == ELOOP)
      return cp_diag_set(d, CP_EKEYFILE, "%s: is a symbolic link; name the key file itself",
                         path);
    return cp_diag_set(d, rc, "%s: cannot open key file: %s", path, strerror(errno));
  }
  if (fstat(fd, &st) != 0) {
    rc = cp_diag_set(d, -errno, "%s: cannot stat key file", path);
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = cp_diag_set(d, CP_EKEYFILE, "%s: not a regular file", path);
    goto out;
  }
  /* As OpenSSH does for private keys: another user who owns the file can
   * replace the key or widen its mode at will. */
  if (st.st_uid != geteuid()) {
    rc = cp_diag_set(d, CP_EKEYFILE, "%s: key file is owned by uid %lu, not by this user "
                     "(uid %lu); run: chown %lu %s", path, (unsigned long)st.st_uid,
                     (unsigned long)geteuid(), (unsigned long)geteuid(), path);
    goto out;
  }
  if ((st.st_mode & 077) != 0) {
    rc = cp_diag_set(d, CP_EKEYFILE, "%s: key file is accessible by group or others (mode %04o); "
                     "run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
    goto out;
  }
  while (n < sizeof buf) {
    ssize_t r = read(fd, buf + n, sizeof buf - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      rc = cp_diag_set(d, -errno, "%s: cannot read key file", path);
      goto out;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  if (n > KEYFILE_MAX) {
    rc = cp_diag_set(d, CP_EKEYFILE, "%s: key file is too long to be a key", path);
    goto out;
  }
  if ((rc = parse_keyfile(path, buf, n, seed, d)) != CP_OK) goto out;
  rc = cp_key_from_seed(seed, out);
out:
  sodium_memzero(buf, sizeof buf);
  sodium_memzero(seed, sizeof seed);
  close(fd);
  return rc;
}
