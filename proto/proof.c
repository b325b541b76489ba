/*
 * credport — proof documents (see proof.h): strict JSON inclusion and
 * consistency proofs (jansson), and C2SP tlog-proof@v1 text files.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credport/codec.h"
#include "credport/proof.h"

#define TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
/* A full proof (64 hashes, a log key, two roots) is under 4 KiB of JSON;
 * whitespace aside, nothing longer is a proof. Checked before parsing. */
#define CP_PROOF_JSON_MAX (16u * 1024)

/* Member bits, for required/duplicate bookkeeping. */
enum {
  M_LOG = 1 << 0, M_LEAF_INDEX = 1 << 1, M_TREE_SIZE = 1 << 2, M_LEAF_HASH = 1 << 3,
  M_HASHES = 1 << 4, M_OLD_SIZE = 1 << 5, M_NEW_SIZE = 1 << 6, M_OLD_ROOT = 1 << 7,
  M_NEW_ROOT = 1 << 8
};

static const struct {
  const char *name;
  unsigned bit;
} MEMBERS[] = {
  {"log", M_LOG},           {"leaf_index", M_LEAF_INDEX}, {"tree_size", M_TREE_SIZE},
  {"leaf_hash", M_LEAF_HASH}, {"hashes", M_HASHES},      {"old_size", M_OLD_SIZE},
  {"new_size", M_NEW_SIZE}, {"old_root", M_OLD_ROOT},     {"new_root", M_NEW_ROOT},
};

#define INCLUSION_ALLOWED (M_LOG | M_LEAF_INDEX | M_TREE_SIZE | M_LEAF_HASH | M_HASHES | M_NEW_ROOT)
#define INCLUSION_REQUIRED (M_LEAF_INDEX | M_TREE_SIZE | M_LEAF_HASH | M_HASHES)
#define CONSISTENCY_ALLOWED (M_LOG | M_OLD_SIZE | M_NEW_SIZE | M_OLD_ROOT | M_NEW_ROOT | M_HASHES)
#define CONSISTENCY_REQUIRED (M_OLD_SIZE | M_NEW_SIZE | M_HASHES)

static int get_u64(json_t *v, const char *name, uint64_t *out, cp_diag *d) {
  json_int_t i;
  if (!json_is_integer(v))
    return cp_diag_set(d, CP_ECORRUPT, "proof member \"%s\": must be a non-negative integer", name);
  i = json_integer_value(v);
  if (i < 0)
    return cp_diag_set(d, CP_ECORRUPT, "proof member \"%s\": must not be negative", name);
  *out = (uint64_t)i;
  return CP_OK;
}

static int get_hash(json_t *v, const char *name, uint8_t out[CP_HASH_BYTES], cp_diag *d) {
  size_t n = 0;
  if (!json_is_string(v) ||
      cp_b64_decode(json_string_value(v), json_string_length(v), out, CP_HASH_BYTES, &n) !=
          CP_OK ||
      n != CP_HASH_BYTES)
    return cp_diag_set(d, CP_ECORRUPT, "proof member \"%s\": must be base64 of 32 bytes", name);
  return CP_OK;
}

static int get_hashes(json_t *v, cp_proof *p, cp_diag *d) {
  size_t i;
  if (!json_is_array(v))
    return cp_diag_set(d, CP_ECORRUPT, "proof member \"hashes\": must be an array");
  if (json_array_size(v) > CP_PROOF_HASHES_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "proof member \"hashes\": more than %u hashes",
                       CP_PROOF_HASHES_MAX);
  for (i = 0; i < json_array_size(v); i++) {
    json_t *h = json_array_get(v, i);
    size_t n = 0;
    if (!json_is_string(h) ||
        cp_b64_decode(json_string_value(h), json_string_length(h), p->hashes[i], CP_HASH_BYTES,
                      &n) != CP_OK ||
        n != CP_HASH_BYTES)
      return cp_diag_set(d, CP_ECORRUPT, "proof member \"hashes\"[%zu]: must be base64 of 32 "
                         "bytes", i);
  }
  p->n = json_array_size(v);
  return CP_OK;
}

static int parse_member(const char *key, unsigned bit, json_t *v, cp_proof *p, cp_diag *d) {
  switch (bit) {
  case M_LOG:
    if (!json_is_string(v) ||
        cp_hex_decode(json_string_value(v), json_string_length(v), p->log, CP_PK_BYTES) != CP_OK)
      return cp_diag_set(d, CP_ECORRUPT, "proof member \"log\": must be 64 hex digits");
    p->has_log = 1;
    return CP_OK;
  case M_LEAF_INDEX: return get_u64(v, key, &p->leaf_index, d);
  case M_TREE_SIZE: return get_u64(v, key, &p->tree_size, d);
  case M_OLD_SIZE: return get_u64(v, key, &p->old_size, d);
  case M_NEW_SIZE: return get_u64(v, key, &p->new_size, d);
  case M_LEAF_HASH: return get_hash(v, key, p->leaf_hash, d);
  case M_OLD_ROOT: p->has_old_root = 1; return get_hash(v, key, p->old_root, d);
  case M_NEW_ROOT: p->has_new_root = 1; return get_hash(v, key, p->new_root, d);
  default: return get_hashes(v, p, d);
  }
}

int cp_proof_parse_json(const char *text, size_t len, cp_proof *p, cp_diag *d) {
  json_error_t err;
  json_t *root = NULL, *v;
  const char *key, *inc, *con;
  unsigned seen = 0, allowed, required;
  size_t i;
  int rc = CP_OK;

  memset(p, 0, sizeof *p);
  if (len > CP_PROOF_JSON_MAX) {
    rc = cp_diag_set(d, CP_ETOOBIG, "proof JSON: longer than %u bytes", CP_PROOF_JSON_MAX);
    goto out;
  }
  root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (root == NULL) {
    rc = cp_diag_set(d, CP_ECORRUPT, "proof JSON line %d column %d: %s", err.line, err.column,
                     err.text);
    goto out;
  }
  if (!json_is_object(root)) {
    rc = cp_diag_set(d, CP_ECORRUPT, "proof JSON: must be an object");
    goto out;
  }
  /* The kind decides which members are allowed; a mix of both is refused. */
  inc = json_object_get(root, "leaf_index") != NULL ? "leaf_index"
        : json_object_get(root, "tree_size") != NULL ? "tree_size"
        : json_object_get(root, "leaf_hash") != NULL ? "leaf_hash" : NULL;
  con = json_object_get(root, "old_size") != NULL ? "old_size"
        : json_object_get(root, "new_size") != NULL ? "new_size"
        : json_object_get(root, "old_root") != NULL ? "old_root" : NULL;
  if (inc != NULL && con != NULL) {
    rc = cp_diag_set(d, CP_ECORRUPT, "proof JSON: member \"%s\" (inclusion) and member \"%s\" "
                     "(consistency) cannot both appear", inc, con);
    goto out;
  }
  if (inc != NULL) {
    p->kind = CP_PROOF_INCLUSION;
    allowed = INCLUSION_ALLOWED;
    required = INCLUSION_REQUIRED;
  } else {
    p->kind = CP_PROOF_CONSISTENCY;
    allowed = CONSISTENCY_ALLOWED;
    required = CONSISTENCY_REQUIRED;
  }
  json_object_foreach(root, key, v) {
    unsigned bit = 0;
    for (i = 0; i < sizeof MEMBERS / sizeof MEMBERS[0]; i++)
      if (strcmp(key, MEMBERS[i].name) == 0) bit = MEMBERS[i].bit;
    if (bit == 0 || (bit & allowed) == 0) {
      rc = cp_diag_set(d, CP_ECORRUPT, "proof JSON: unknown member \"%s\" in a%s proof", key,
                       p->kind == CP_PROOF_INCLUSION ? "n inclusion" : " consistency");
      goto out;
    }
    seen |= bit;
    if ((rc = parse_member(key, bit, v, p, d)) != CP_OK) goto out;
  }
  for (i = 0; i < sizeof MEMBERS / sizeof MEMBERS[0]; i++)
    if ((required & MEMBERS[i].bit) && !(seen & MEMBERS[i].bit)) {
      rc = cp_diag_set(d, CP_ECORRUPT, "proof JSON: member \"%s\" is missing", MEMBERS[i].name);
      goto out;
    }
out:
  if (root != NULL) json_decref(root);
  return rc;
}

static int set_new(json_t *o, const char *k, json_t *v) {
  return v == NULL ? -1 : json_object_set_new(o, k, v);
}

static int set_b64(json_t *o, const char *k, const uint8_t h[CP_HASH_BYTES]) {
  char b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
  cp_b64_encode(h, CP_HASH_BYTES, b64);
  return set_new(o, k, json_string(b64));
}

static int set_u64(json_t *o, const char *k, uint64_t v) {
  if (v > (uint64_t)INT64_MAX) return -1; /* JSON integers are capped at 2^63-1 here */
  return set_new(o, k, json_integer((json_int_t)v));
}

char *cp_proof_to_json(const cp_proof *p) {
  json_t *o = json_object(), *arr = json_array();
  char *s = NULL, hex[2 * CP_PK_BYTES + 1];
  size_t i;
  int bad = (o == NULL || arr == NULL);
  if (!bad && p->has_log) {
    cp_hex_encode(p->log, CP_PK_BYTES, hex);
    bad |= set_new(o, "log", json_string(hex)) != 0;
  }
  if (!bad && p->kind == CP_PROOF_INCLUSION) {
    bad |= set_u64(o, "leaf_index", p->leaf_index) != 0;
    bad |= set_u64(o, "tree_size", p->tree_size) != 0;
    bad |= set_b64(o, "leaf_hash", p->leaf_hash) != 0;
    if (p->has_new_root) bad |= set_b64(o, "new_root", p->new_root) != 0;
  } else if (!bad) {
    bad |= set_u64(o, "old_size", p->old_size) != 0;
    bad |= set_u64(o, "new_size", p->new_size) != 0;
    if (p->has_old_root) bad |= set_b64(o, "old_root", p->old_root) != 0;
    if (p->has_new_root) bad |= set_b64(o, "new_root", p->new_root) != 0;
  }
  for (i = 0; !bad && i < p->n && i < CP_PROOF_HASHES_MAX; i++) {
    char b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
    cp_b64_encode(p->hashes[i], CP_HASH_BYTES, b64);
    bad |= json_array_append_new(arr, json_string(b64)) != 0;
  }
  if (!bad) {
    bad |= json_object_set(o, "hashes", arr) != 0;
    if (!bad) s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  }
  json_decref(arr);
  json_decref(o);
  return s;
}

/* Takes the next line [p, nl) from the cursor; 0 if there is no "\n". */
static int next_line(const char **cur, const char *end, const char **line, size_t *len) {
  const char *nl = *cur < end ? memchr(*cur, '\n', (size_t)(end - *cur)) : NULL;
  if (nl == NULL) return 0;
  *line = *cur;
  *len = (size_t)(nl - *cur);
  *cur = nl + 1;
  return 1;
}

int cp_tlog_proof_parse(const char *text, size_t len, cp_tlog_proof *p, cp_diag *d) {
  const char *cur = text, *end = text + len, *line = NULL;
  size_t n = 0, lineno = 1, i;
  memset(p, 0, sizeof *p);
  if (len > CP_TLOG_PROOF_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "tlog-proof: too long");
  if (!next_line(&cur, end, &line, &n) || n != sizeof TLOG_PROOF_HEADER - 1 ||
      memcmp(line, TLOG_PROOF_HEADER, n) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line 1: expected \"%s\"", TLOG_PROOF_HEADER);
  lineno++;
  if (!next_line(&cur, end, &line, &n))
    return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: truncated", lineno);
  if (n >= 6 && memcmp(line, "extra ", 6) == 0) {
    if (cp_b64_decode(line + 6, n - 6, p->extra, sizeof p->extra, &p->extra_len) != CP_OK)
      return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu byte 7: extra data must be "
                         "base64 of at most %u bytes", lineno, CP_STR_MAX);
    p->has_extra = 1;
    lineno++;
    if (!next_line(&cur, end, &line, &n))
      return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: truncated", lineno);
  }
  if (n < 7 || memcmp(line, "index ", 6) != 0 || (n > 7 && line[6] == '0'))
    return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: expected \"index N\" (decimal, no "
                       "leading zeros)", lineno);
  for (i = 6; i < n; i++) {
    unsigned dg = (unsigned)(line[i] - '0');
    if (line[i] < '0' || line[i] > '9' || p->index > (UINT64_MAX - dg) / 10)
      return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu byte %zu: bad index digit", lineno,
                         i + 1);
    p->index = p->index * 10 + dg;
  }
  for (;;) {
    size_t hl = 0;
    lineno++;
    if (!next_line(&cur, end, &line, &n))
      return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: truncated before the checkpoint",
                         lineno);
    if (n == 0) break;
    if (p->n >= CP_PROOF_HASHES_MAX)
      return cp_diag_set(d, CP_ETOOBIG, "tlog-proof line %zu: more than %u hashes", lineno,
                         CP_PROOF_HASHES_MAX);
    if (cp_b64_decode(line, n, p->hashes[p->n], CP_HASH_BYTES, &hl) != CP_OK ||
        hl != CP_HASH_BYTES)
      return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: hash must be base64 of 32 bytes",
                         lineno);
    p->n++;
  }
  if (cur >= end)
    return cp_diag_set(d, CP_ECORRUPT, "tlog-proof line %zu: checkpoint missing", lineno + 1);
  p->note = cur;
  p->note_len = (size_t)(end - cur);
  return CP_OK;
}

/* Appends n bytes to out[*at, cap); CP_ETOOBIG when they do not fit. */
static int put(char *out, size_t cap, size_t *at, const char *src, size_t n) {
  if (cap - *at < n) return CP_ETOOBIG;
  memcpy(out + *at, src, n);
  *at += n;
  return CP_OK;
}

int cp_tlog_proof_format(const cp_tlog_proof *p, char *out, size_t cap, size_t *len) {
  char line[CP_B64_LEN(CP_STR_MAX) + 16];
  size_t at = 0;
  int rc, n;
  if (p->n > CP_PROOF_HASHES_MAX || p->extra_len > CP_STR_MAX) return CP_ETOOBIG;
  if (p->note_len == 0 || p->note[p->note_len - 1] != '\n') return CP_EINVAL;
  if ((rc = put(out, cap, &at, TLOG_PROOF_HEADER "\n", sizeof TLOG_PROOF_HEADER)) != 0) return rc;
  if (p->has_extra) {
    memcpy(line, "extra ", 6);
    cp_b64_encode(p->extra, p->extra_len, line + 6);
    size_t l = strlen(line);
    line[l++] = '\n';
    if ((rc = put(out, cap, &at, line, l)) != 0) return rc;
  }
  n = snprintf(line, sizeof line, "index %llu\n", (unsigned long long)p->index);
  if ((rc = put(out, cap, &at, line, (size_t)n)) != 0) return rc;
  for (size_t i = 0; i < p->n; i++) {
    cp_b64_encode(p->hashes[i], CP_HASH_BYTES, line);
    size_t l = strlen(line);
    line[l++] = '\n';
    if ((rc = put(out, cap, &at, line, l)) != 0) return rc;
  }
  if ((rc = put(out, cap, &at, "\n", 1)) != 0) return rc;
  if ((rc = put(out, cap, &at, p->note, p->note_len)) != 0) return rc;
  *len = at;
  return CP_OK;
}
