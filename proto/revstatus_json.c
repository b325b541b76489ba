/*
 * credport — the JSON form of absence proof documents (revstatus.h),
 * strict: every member known, typed, once; bounded before parsing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credport/codec.h"
#include "credport/revstatus.h"

/* Two full leaves (64 hashes each) with a statement are under 8 KiB. */
#define CP_ABSENCE_JSON_MAX (64u * 1024)

static int get_u64(json_t *v, const char *name, uint64_t *out, cp_diag *d) {
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof member \"%s\": must be a non-negative "
                       "integer", name);
  *out = (uint64_t)json_integer_value(v);
  return CP_OK;
}

static int get_hex32(json_t *v, const char *name, uint8_t out[CP_HASH_BYTES], cp_diag *d) {
  if (!json_is_string(v) ||
      cp_hex_decode(json_string_value(v), json_string_length(v), out, CP_HASH_BYTES) != 0)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof member \"%s\": must be 64 hex digits", name);
  return CP_OK;
}

static int get_leaf(json_t *o, size_t li, cp_rev_leaf *l, cp_diag *d) {
  const char *key;
  json_t *v;
  unsigned seen = 0;
  int rc;
  if (!json_is_object(o))
    return cp_diag_set(d, CP_ECORRUPT, "absence proof leaves[%zu]: must be an object", li);
  json_object_foreach(o, key, v) {
    if (strcmp(key, "index") == 0) {
      if ((rc = get_u64(v, "index", &l->index, d)) != 0) return rc;
      seen |= 1;
    } else if (strcmp(key, "id") == 0) {
      if ((rc = get_hex32(v, "id", l->id, d)) != 0) return rc;
      seen |= 2;
    } else if (strcmp(key, "hashes") == 0) {
      if (!json_is_array(v) || json_array_size(v) > CP_PROOF_HASHES_MAX)
        return cp_diag_set(d, CP_ECORRUPT, "absence proof leaves[%zu].hashes: must be an array "
                           "of at most %u hashes", li, CP_PROOF_HASHES_MAX);
      for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *h = json_array_get(v, i);
        size_t n = 0;
        if (!json_is_string(h) || cp_b64_decode(json_string_value(h), json_string_length(h),
                                                l->path[i], CP_HASH_BYTES, &n) != 0 ||
            n != CP_HASH_BYTES)
          return cp_diag_set(d, CP_ECORRUPT, "absence proof leaves[%zu].hashes[%zu]: must be "
                             "base64 of 32 bytes", li, i);
      }
      l->n = json_array_size(v);
      seen |= 4;
    } else {
      return cp_diag_set(d, CP_ECORRUPT, "absence proof leaves[%zu]: unknown member \"%s\"", li,
                         key);
    }
  }
  if (seen != 7)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof leaves[%zu]: needs index, id and hashes",
                       li);
  return CP_OK;
}

int cp_absence_parse_json(const char *text, size_t len, cp_absence_doc *doc, cp_diag *d) {
  json_error_t err;
  json_t *root = NULL, *v;
  const char *key;
  unsigned seen = 0;
  int rc = CP_OK;
  memset(doc, 0, sizeof *doc);
  if (len > CP_ABSENCE_JSON_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "absence proof JSON: longer than %u bytes",
                       CP_ABSENCE_JSON_MAX);
  root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
  if (root == NULL)
    return cp_diag_set(d, CP_ECORRUPT, "absence proof JSON line %d column %d: %s", err.line,
                       err.column, err.text);
  if (!json_is_object(root)) {
    rc = cp_diag_set(d, CP_ECORRUPT, "absence proof JSON: not an object");
    goto out;
  }
  json_object_foreach(root, key, v) {
    if (strcmp(key, "award") == 0) {
      rc = get_hex32(v, "award", doc->award, d);
      seen |= 1;
    } else if (strcmp(key, "revocations") == 0) {
      rc = get_u64(v, "revocations", &doc->proof.size, d);
      if (rc == 0 && doc->proof.size > INT64_MAX)
        rc = cp_diag_set(d, CP_ECORRUPT, "absence proof member \"revocations\": above 2^63-1");
      seen |= 2;
    } else if (strcmp(key, "leaves") == 0) {
      if (!json_is_array(v) || json_array_size(v) > 2) {
        rc = cp_diag_set(d, CP_ECORRUPT, "absence proof member \"leaves\": must be an array of "
                         "at most 2 leaves");
      } else {
        doc->proof.nleaves = (unsigned)json_array_size(v);
        for (size_t i = 0; rc == 0 && i < doc->proof.nleaves; i++)
          rc = get_leaf(json_array_get(v, i), i, &doc->proof.leaf[i], d);
      }
      seen |= 4;
    } else if (strcmp(key, "statement") == 0) {
      if (!json_is_string(v) || json_string_length(v) > CP_REVSTAT_MAX) {
        rc = cp_diag_set(d, CP_ECORRUPT, "absence proof member \"statement\": must be a text of "
                         "at most %u bytes", CP_REVSTAT_MAX);
      } else {
        doc->statement_len = json_string_length(v);
        memcpy(doc->statement, json_string_value(v), doc->statement_len);
        doc->statement[doc->statement_len] = 0;
        doc->has_statement = 1;
      }
    } else {
      rc = cp_diag_set(d, CP_ECORRUPT, "absence proof JSON: unknown member \"%s\"", key);
    }
    if (rc != 0) goto out;
  }
  if (seen != 7)
    rc = cp_diag_set(d, CP_ECORRUPT, "absence proof JSON: needs award, revocations and leaves");
out:
  json_decref(root);
  return rc;
}

char *cp_absence_to_json(const cp_absence_doc *doc) {
  char hex[2 * CP_HASH_BYTES + 1], b64[CP_B64_LEN(CP_HASH_BYTES) + 1];
  char *out = NULL;
  json_t *o = json_object(), *leaves = json_array();
  if (o == NULL || leaves == NULL || doc->proof.nleaves > 2 || doc->proof.size > INT64_MAX) {
    json_decref(leaves);
    goto out;
  }
  cp_hex_encode(doc->award, CP_HASH_BYTES, hex);
  json_object_set_new(o, "award", json_string(hex));
  if (doc->has_statement)
    json_object_set_new(o, "statement", json_stringn(doc->statement, doc->statement_len));
  json_object_set_new(o, "revocations", json_integer((json_int_t)doc->proof.size));
  for (unsigned i = 0; i < doc->proof.nleaves; i++) {
    const cp_rev_leaf *l = &doc->proof.leaf[i];
    json_t *lo = json_object(), *hs = json_array();
    if (lo == NULL || hs == NULL || l->index > INT64_MAX || l->n > CP_PROOF_HASHES_MAX) {
      json_decref(lo);
      json_decref(hs);
      json_decref(leaves);
      goto out;
    }
    cp_hex_encode(l->id, CP_HASH_BYTES, hex);
    json_object_set_new(lo, "index", json_integer((json_int_t)l->index));
    json_object_set_new(lo, "id", json_string(hex));
    for (size_t k = 0; k < l->n; k++) {
      cp_b64_encode(l->path[k], CP_HASH_BYTES, b64);
      json_array_append_new(hs, json_string(b64));
    }
    json_object_set_new(lo, "hashes", hs);
    json_array_append_new(leaves, lo);
  }
  json_object_set_new(o, "leaves", leaves);
  out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
  json_decref(o);
  return out;
}
