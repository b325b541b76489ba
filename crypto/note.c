/*
 * credport — C2SP signed notes, tlog-checkpoint v1.0.0 bodies and
 * tlog-cosignature/v1 witness signatures (see note.h).
 *
 * Note layout (C2SP signed-note):
 *   text      one or more lines, each ending in "\n"; valid UTF-8, no ASCII
 *             control characters other than newline
 *   "\n"      a blank line (the last "\n\n" of the note splits text from
 *             signatures)
 *   sigs      one or more lines "\u2014 " name " " base64(keyid4 || sig) "\n"
 * Ed25519 (0x01) lines carry keyid4 || sig64 over the text; cosignature/v1
 * (0x04) lines carry keyid4 || time u64 BE || sig64 over
 * "cosignature/v1\ntime <time>\n" || text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/merkle.h"
#include "credport/note.h"

#define EM_DASH_SP "\xe2\x80\x94 " /* U+2014 and a space open a signature line */
#define EM_DASH_SP_LEN 4U
#define COSIG_HEADER "cosignature/v1\ntime "
#define SIG_B64_MAX 200U /* longest signature field we accept, in base64 */
#define COSIG_MSG_MAX (sizeof COSIG_HEADER + 24 + CP_NOTE_MAX)

static void put_u32be(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void put_u64be(uint8_t *p, uint64_t v) {
  put_u32be(p, (uint32_t)(v >> 32));
  put_u32be(p + 4, (uint32_t)v);
}

static uint32_t get_u32be(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64be(const uint8_t *p) {
  return (uint64_t)get_u32be(p) << 32 | get_u32be(p + 4);
}

/* Decodes one UTF-8 sequence at s[0, n); returns its length, or 0 if it is
 * not well-formed (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
  uint32_t c;
  size_t len, i;
  if (n == 0) return 0;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if ((s[0] & 0xe0) == 0xc0) { len = 2; c = s[0] & 0x1fu; }
  else if ((s[0] & 0xf0) == 0xe0) { len = 3; c = s[0] & 0x0fu; }
  else if ((s[0] & 0xf8) == 0xf0) { len = 4; c = s[0] & 0x07u; }
  else return 0;
  if (n < len) return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    c = c << 6 | (s[i] & 0x3fu);
  }
  if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
      c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return len;
}

static int is_unicode_space(uint32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
         c == 0x205f || c == 0x3000;
}

int cp_note_name_valid(const char *name, size_t len) {
  size_t i = 0;
  if (len == 0 || len > CP_ORIGIN_MAX) return 0;
  while (i < len) {
    uint32_t c = 0;
    size_t k = utf8_next((const unsigned char *)name + i, len - i, &c);
    if (k == 0 || c < 0x20 || c == 0x7f || c == '+' || is_unicode_space(c)) return 0;
    i += k;
  }
  return 1;
}

uint32_t cp_note_key_id(const char *name, uint8_t alg, const uint8_t pk[CP_PK_BYTES]) {
  cp_sha256 h;
  uint8_t out[CP_HASH_BYTES];
  cp_sha256_init(&h);
  cp_sha256_update(&h, name, strlen(name));
  cp_sha256_update(&h, "\n", 1);
  cp_sha256_update(&h, &alg, 1);
  cp_sha256_update(&h, pk, CP_PK_BYTES);
  cp_sha256_final(&h, out);
  return get_u32be(out);
}

int cp_note_vkey_format(const char *name, uint8_t alg, const uint8_t pk[CP_PK_BYTES],
                        char out[CP_VKEY_MAX]) {
  uint8_t raw[1 + CP_PK_BYTES];
  char b64[CP_B64_LEN(sizeof raw) + 1];
  int n;
  if (!cp_note_name_valid(name, strlen(name))) return CP_EINVAL;
  if (alg != CP_NOTE_ALG_ED25519 && alg != CP_NOTE_ALG_COSIG_V1) return CP_EINVAL;
  raw[0] = alg;
  memcpy(raw + 1, pk, CP_PK_BYTES);
  cp_b64_encode(raw, sizeof raw, b64);
  n = snprintf(out, CP_VKEY_MAX, "%s+%08" PRIx32 "+%s", name, cp_note_key_id(name, alg, pk), b64);
  return (n < 0 || (size_t)n >= CP_VKEY_MAX) ? CP_ETOOBIG : CP_OK;
}

int cp_note_vkey_parse(const char *s, size_t len, cp_note_verifier *v, cp_diag *d) {
  const char *p1, *p2, *end = s + len;
  uint8_t raw[1 + CP_PK_BYTES + 1], idb[4];
  size_t nlen, n = 0;
  uint32_t id;
  p1 = memchr(s, '+', len);
  if (p1 == NULL) return cp_diag_set(d, CP_ECORRUPT, "verifier key: no '+' after the name");
  nlen = (size_t)(p1 - s);
  if (!cp_note_name_valid(s, nlen))
    return cp_diag_set(d, CP_ECORRUPT, "verifier key: invalid key name (byte 1..%zu)", nlen);
  p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1));
  if (p2 == NULL || p2 - p1 - 1 != 8)
    return cp_diag_set(d, CP_ECORRUPT, "verifier key byte %zu: key id must be 8 hex digits",
                       nlen + 2);
  for (n = 0; n < 8; n++)
    if (!((p1[1 + n] >= '0' && p1[1 + n] <= '9') || (p1[1 + n] >= 'a' && p1[1 + n] <= 'f')))
      return cp_diag_set(d, CP_ECORRUPT, "verifier key byte %zu: key id must be lowercase hex",
                         nlen + 2 + n);
  if (cp_hex_decode(p1 + 1, 8, idb, 4) != CP_OK)
    return cp_diag_set(d, CP_ECORRUPT, "verifier key: bad key id");
  id = get_u32be(idb);
  if (cp_b64_decode(p2 + 1, (size_t)(end - p2 - 1), raw, sizeof raw, &n) != CP_OK ||
      n != 1 + CP_PK_BYTES)
    return cp_diag_set(d, CP_ECORRUPT, "verifier key byte %zu: key must be base64 of 33 bytes",
                       (size_t)(p2 - s) + 2);
  if (raw[0] != CP_NOTE_ALG_ED25519 && raw[0] != CP_NOTE_ALG_COSIG_V1)
    return cp_diag_set(d, CP_ECORRUPT, "verifier key: unsupported key type 0x%02x", raw[0]);
  memcpy(v->name, s, nlen);
  v->name[nlen] = '\0';
  v->alg = raw[0];
  memcpy(v->pk, raw + 1, CP_PK_BYTES);
  v->key_id = id;
  if (cp_note_key_id(v->name, v->alg, v->pk) != id)
    return cp_diag_set(d, CP_ECORRUPT, "verifier key: key id %08" PRIx32 " does not match the key",
                       id);
  return CP_OK;
}

int cp_checkpoint_body(const char *origin, uint64_t size, const uint8_t root[CP_HASH_BYTES],
                       char *out, size_t cap, size_t *len) {
  char b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
  int n;
  if (!cp_note_name_valid(origin, strlen(origin))) return CP_EINVAL;
  cp_b64_encode(root, CP_HASH_BYTES, b64);
  n = snprintf(out, cap, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
  if (n < 0 || (size_t)n >= cap) return CP_ETOOBIG;
  *len = (size_t)n;
  return CP_OK;
}

/* Appends "— name base64(raw)\n" at out[*pos]; keeps the text NUL-terminated. */
static int put_sigline(char *out, size_t cap, size_t *pos, const char *name, const uint8_t *raw,
                       size_t rawlen) {
  char b64[CP_B64_LEN(4 + 8 + CP_SIG_BYTES) + 1];
  int n;
  cp_b64_encode(raw, rawlen, b64);
  if (*pos >= cap) return CP_ETOOBIG;
  n = snprintf(out + *pos, cap - *pos, EM_DASH_SP "%s %s\n", name, b64);
  if (n < 0 || (size_t)n >= cap - *pos) return CP_ETOOBIG;
  *pos += (size_t)n;
  return CP_OK;
}

int cp_checkpoint_sign(const cp_key *k, const char *origin, uint64_t size,
                       const uint8_t root[CP_HASH_BYTES], char *out, size_t cap, size_t *len) {
  uint8_t pk[CP_PK_BYTES], raw[4 + CP_SIG_BYTES];
  size_t pos = 0;
  int rc;
  if ((rc = cp_checkpoint_body(origin, size, root, out, cap, &pos)) != CP_OK) return rc;
  cp_key_public(k, pk);
  put_u32be(raw, cp_note_key_id(origin, CP_NOTE_ALG_ED25519, pk));
  if ((rc = cp_sig_sign_raw(k, (const uint8_t *)out, pos, raw + 4)) != CP_OK) return rc;
  if (pos + 1 >= cap) return CP_ETOOBIG;
  out[pos++] = '\n';
  out[pos] = '\0';
  if ((rc = put_sigline(out, cap, &pos, origin, raw, sizeof raw)) != CP_OK) return rc;
  *len = pos;
  return CP_OK;
}

/* Checks the note-wide text rules and finds the split: text is [0, *tlen),
 * signature lines are [*tlen + 1, len). */
static int note_split(const char *s, size_t len, size_t *tlen, cp_diag *d) {
  size_t i, line = 1, col = 1;
  if (len == 0) return cp_diag_set(d, CP_ECORRUPT, "note: empty");
  if (len > CP_NOTE_MAX) return cp_diag_set(d, CP_ETOOBIG, "note: longer than %u bytes", CP_NOTE_MAX);
  for (i = 0; i < len;) {
    uint32_t c = 0;
    size_t k = utf8_next((const unsigned char *)s + i, len - i, &c);
    if (k == 0)
      return cp_diag_set(d, CP_ECORRUPT, "note line %zu byte %zu: invalid UTF-8", line, col);
    if (c < 0x20 && c != '\n')
      return cp_diag_set(d, CP_ECORRUPT, "note line %zu byte %zu: control character", line, col);
    if (c == '\n') {
      line++;
      col = 1;
    } else {
      col += k;
    }
    i += k;
  }
  if (s[len - 1] != '\n')
    return cp_diag_set(d, CP_ECORRUPT, "note line %zu: does not end with a newline", line);
  for (i = len - 1; i-- > 0;)
    if (s[i] == '\n' && s[i + 1] == '\n') break;
  if (i == (size_t)-1 || i == 0 || i + 2 >= len)
    return cp_diag_set(d, CP_ECORRUPT, "note: no blank line followed by signature lines");
  *tlen = i + 1;
  return CP_OK;
}

/* Parses the checkpoint body text [s, s+len) (ends in "\n"). */
static int parse_checkpoint(const char *s, size_t len, cp_checkpoint *cp, cp_diag *d) {
  const char *p = s, *end = s + len, *nl;
  size_t n = 0, i;
  uint8_t empty[CP_HASH_BYTES];
  memset(cp, 0, sizeof *cp);
  /* line 1: origin */
  nl = memchr(p, '\n', (size_t)(end - p));
  if (nl == NULL || nl == p || (size_t)(nl - p) > CP_ORIGIN_MAX)
    return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 1: origin missing or too long");
  memcpy(cp->origin, p, (size_t)(nl - p));
  cp->origin[nl - p] = '\0';
  p = nl + 1;
  /* line 2: tree size, decimal, no sign, no leading zeros */
  nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
  if (nl == NULL || nl == p)
    return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 2: tree size missing");
  if (nl - p > 1 && p[0] == '0')
    return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 2 byte 1: tree size has a leading zero");
  for (i = 0; p + i < nl; i++) {
    unsigned dg = (unsigned)(p[i] - '0');
    if (p[i] < '0' || p[i] > '9')
      return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 2 byte %zu: not a decimal digit", i + 1);
    if (cp->size > (UINT64_MAX - dg) / 10)
      return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 2: tree size overflows 64 bits");
    cp->size = cp->size * 10 + dg;
  }
  p = nl + 1;
  /* line 3: root hash */
  nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
  if (nl == NULL ||
      cp_b64_decode(p, (size_t)(nl - p), cp->root, sizeof cp->root, &n) != CP_OK ||
      n != CP_HASH_BYTES)
    return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 3: root must be base64 of 32 bytes");
  p = nl + 1;
  /* SPEC: tlog-checkpoint — the empty tree's root is SHA-256 of "". */
  cp_merkle_empty_root(empty);
  if (cp->size == 0 && memcmp(cp->root, empty, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "checkpoint line 3: size 0 needs the empty-tree root");
  /* Extension lines: tolerated, counted, never empty. */
  for (i = 4; p < end; i++) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == p) return cp_diag_set(d, CP_ECORRUPT, "checkpoint line %zu: empty line", i);
    cp->extension_lines++;
    p = nl + 1;
  }
  return CP_OK;
}

/* Builds the cosignature/v1 signed message "cosignature/v1\ntime <ts>\n" ||
 * text in msg; *mlen gets its length. */
static int cosig_msg(char msg[COSIG_MSG_MAX], uint64_t ts, const char *text, size_t tlen,
                     size_t *mlen) {
  int n = snprintf(msg, COSIG_MSG_MAX, COSIG_HEADER "%" PRIu64 "\n", ts);
  if (n < 0 || (size_t)n + tlen > COSIG_MSG_MAX) return CP_ETOOBIG;
  memcpy(msg + n, text, tlen);
  *mlen = (size_t)n + tlen;
  return CP_OK;
}

/* Verifies a cosignature/v1 signature over text at time ts. */
static int verify_cosig(const uint8_t sig[CP_SIG_BYTES], uint64_t ts, const char *text,
                        size_t tlen, const uint8_t pk[CP_PK_BYTES]) {
  char msg[COSIG_MSG_MAX];
  size_t mlen = 0;
  int rc = cosig_msg(msg, ts, text, tlen, &mlen);
  if (rc != CP_OK) return rc;
  return cp_sig_verify_raw(sig, (const uint8_t *)msg, mlen, pk);
}

int cp_note_open_checkpoint(const char *text, size_t len, const cp_note_verifier *vs, size_t nv,
                            const char *origin, cp_note_result *out, cp_diag *d) {
  size_t tlen = 0, nsig = 0, i;
  const char *p, *end = text + len;
  size_t seen[CP_NOTE_SIGS_MAX]; /* verifier index + 1 per verified line */
  int rc;
  memset(out, 0, sizeof *out);
  if ((rc = note_split(text, len, &tlen, d)) != CP_OK) return rc;
  if ((rc = parse_checkpoint(text, tlen, &out->cp, d)) != CP_OK) return rc;
  for (p = text + tlen + 1; p < end; nsig++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
    uint8_t raw[4 + 8 + CP_SIG_BYTES + 1];
    size_t nlen, rawlen = 0, lineno = nsig + 1, vi;
    uint32_t id;
    const cp_note_verifier *v = NULL;
    if (nsig >= CP_NOTE_SIGS_MAX)
      return cp_diag_set(d, CP_ETOOBIG, "note: more than %u signature lines", CP_NOTE_SIGS_MAX);
    if ((size_t)(nl - p) < EM_DASH_SP_LEN || memcmp(p, EM_DASH_SP, EM_DASH_SP_LEN) != 0)
      return cp_diag_set(d, CP_ECORRUPT, "signature line %zu byte 1: must start with an em dash "
                         "and a space", lineno);
    sp = memchr(p + EM_DASH_SP_LEN, ' ', (size_t)(nl - p - EM_DASH_SP_LEN));
    if (sp == NULL)
      return cp_diag_set(d, CP_ECORRUPT, "signature line %zu: no space after the key name", lineno);
    nlen = (size_t)(sp - p) - EM_DASH_SP_LEN;
    if (!cp_note_name_valid(p + EM_DASH_SP_LEN, nlen))
      return cp_diag_set(d, CP_ECORRUPT, "signature line %zu byte %u: invalid key name", lineno,
                         EM_DASH_SP_LEN + 1);
    if ((size_t)(nl - sp - 1) > SIG_B64_MAX ||
        cp_b64_decode(sp + 1, (size_t)(nl - sp - 1), raw, sizeof raw, &rawlen) != CP_OK ||
        rawlen < 5)
      return cp_diag_set(d, CP_ECORRUPT, "signature line %zu byte %zu: signature is not base64 "
                         "of a key id and a signature", lineno, (size_t)(sp - p) + 2);
    id = get_u32be(raw);
    for (vi = 0; vi < nv; vi++)
      if (vs[vi].key_id == id && strlen(vs[vi].name) == nlen &&
          memcmp(vs[vi].name, p + EM_DASH_SP_LEN, nlen) == 0) {
        v = &vs[vi];
        break;
      }
    p = nl + 1;
    if (v == NULL) {
      out->unknown++;
      continue;
    }
    /* As Go's note.Open does: the first line by a known key decides; later
     * lines by the same key are skipped, so they cannot count twice. */
    for (i = 0; i < out->verified; i++)
      if (seen[i] == vi + 1) break;
    if (i < out->verified) continue;
    if (v->alg == CP_NOTE_ALG_ED25519) {
      if (rawlen != 4 + CP_SIG_BYTES ||
          cp_sig_verify_raw(raw + 4, (const uint8_t *)text, tlen, v->pk) != CP_OK)
        return cp_diag_set(d, CP_EBADSIG, "signature line %zu: signature by %s does not verify",
                           lineno, v->name);
      out->verified_log++;
    } else {
      uint64_t ts;
      if (rawlen != 4 + 8 + CP_SIG_BYTES)
        return cp_diag_set(d, CP_EBADSIG, "signature line %zu: cosignature by %s has the wrong "
                           "length", lineno, v->name);
      ts = get_u64be(raw + 4);
      /* SPEC: tlog-cosignature — the timestamp must not exceed 2^63 - 1. */
      if (ts > (uint64_t)INT64_MAX || verify_cosig(raw + 12, ts, text, tlen, v->pk) != CP_OK)
        return cp_diag_set(d, CP_EBADSIG, "signature line %zu: cosignature by %s does not verify",
                           lineno, v->name);
      out->cosig_by[out->cosigned] = (unsigned)vi;
      out->cosig_time[out->cosigned++] = ts;
    }
    seen[out->verified++] = vi + 1;
  }
  if (out->verified_log == 0)
    return cp_diag_set(d, CP_EBADSIG, "checkpoint: no signature by a trusted log key");
  if (origin != NULL && strcmp(origin, out->cp.origin) != 0)
    return cp_diag_set(d, CP_EDENIED, "checkpoint origin \"%s\" is not the expected \"%s\"",
                       out->cp.origin, origin);
  return CP_OK;
}

int cp_note_cosign(const cp_key *k, const char *name, uint64_t ts, const char *note, size_t len,
                   char *out, size_t cap, size_t *outlen) {
  uint8_t pk[CP_PK_BYTES], raw[4 + 8 + CP_SIG_BYTES];
  char msg[COSIG_MSG_MAX];
  size_t tlen = 0, mlen = 0, pos;
  int rc;
  if (!cp_note_name_valid(name, strlen(name)) || ts > (uint64_t)INT64_MAX) return CP_EINVAL;
  if ((rc = note_split(note, len, &tlen, NULL)) != CP_OK) return rc;
  if (len + 1 > cap) return CP_ETOOBIG;
  if ((rc = cosig_msg(msg, ts, note, tlen, &mlen)) != CP_OK) return rc;
  cp_key_public(k, pk);
  put_u32be(raw, cp_note_key_id(name, CP_NOTE_ALG_COSIG_V1, pk));
  put_u64be(raw + 4, ts);
  if ((rc = cp_sig_sign_raw(k, (const uint8_t *)msg, mlen, raw + 12)) != CP_OK)
    return rc;
  memmove(out, note, len);
  out[len] = '\0';
  pos = len;
  if ((rc = put_sigline(out, cap, &pos, name, raw, sizeof raw)) != CP_OK) return rc;
  *outlen = pos;
  return CP_OK;
}
