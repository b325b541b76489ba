/*
 * credport — policy documents: the document-level checks, the scalar
 * readers and the public compile/validate entry points. The grammar of sets
 * and rules is in policy_rules.c; docs/POLICIES.md is the specification.
 *
 * Hostile input is stopped before jansson sees it where that is cheap: the
 * size limit and the nesting depth (a bracket scan). Everything else is
 * checked while compiling; every error names the JSON path and, where the
 * value can be found in the text, its line and column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credport/codec.h"
#include "credport/note.h"
#include "policy_parse.h"

#define FORMAT_V1 "credport-policy/1"

/* ---- path and errors ------------------------------------------------------ */

void cp__pol_pk(cp__pctx *c, const char *key) {
  if (c->depth < CP__PATH_MAX) {
    c->path[c->depth].key = key;
    c->path[c->depth].idx = 0;
  }
  c->depth++;
}

void cp__pol_pi(cp__pctx *c, size_t idx) {
  if (c->depth < CP__PATH_MAX) {
    c->path[c->depth].key = NULL;
    c->path[c->depth].idx = idx;
  }
  c->depth++;
}

void cp__pol_pop(cp__pctx *c) {
  c->depth--;
}

static const char *skip_ws(const char *s, const char *e) {
  while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++;
  return s;
}

/* s at the opening quote; returns just past the closing quote. */
static const char *skip_string(const char *s, const char *e) {
  for (s++; s < e; s++) {
    if (*s == '\\')
      s++;
    else if (*s == '"')
      return s + 1;
  }
  return e;
}

/* Skips one value of a document jansson accepted, whose depth the bracket
 * scan bounded. */
static const char *skip_value(const char *s, const char *e) {
  s = skip_ws(s, e);
  if (s >= e) return e;
  if (*s == '"') return skip_string(s, e);
  if (*s == '{' || *s == '[') {
    int depth = 0;
    for (; s < e; s++) {
      if (*s == '"') {
        s = skip_string(s, e) - 1;
      } else if (*s == '{' || *s == '[') {
        depth++;
      } else if (*s == '}' || *s == ']') {
        if (--depth == 0) return s + 1;
      }
    }
    return e;
  }
  while (s < e && *s != ',' && *s != '}' && *s != ']' && *s != ' ' && *s != '\n' && *s != '\t' &&
         *s != '\r')
    s++;
  return s;
}

/* Finds the text of the value at the first `depth` steps of c's path, or
 * NULL. Member names are compared as raw text, so a name written with
 * escapes is not found. */
static const char *locate(const cp__pctx *c, unsigned depth) {
  const char *s = c->doc, *e = c->doc + c->len;
  unsigned n = depth < CP__PATH_MAX ? depth : CP__PATH_MAX;
  for (unsigned k = 0; k < n; k++) {
    s = skip_ws(s, e);
    if (s >= e) return NULL;
    if (c->path[k].key != NULL) {
      if (*s != '{') return NULL;
      size_t klen = strlen(c->path[k].key);
      s++;
      for (;;) {
        s = skip_ws(s, e);
        if (s >= e || *s != '"') return NULL;
        const char *ks = s + 1, *ke = skip_string(s, e) - 1;
        s = skip_ws(ke + 1, e);
        if (s >= e || *s != ':') return NULL;
        s = skip_ws(s + 1, e);
        if ((size_t)(ke - ks) == klen && memcmp(ks, c->path[k].key, klen) == 0) break;
        s = skip_ws(skip_value(s, e), e);
        if (s >= e || *s != ',') return NULL;
        s++;
      }
    } else {
      if (*s != '[') return NULL;
      s++;
      for (size_t i = 0; i < c->path[k].idx; i++) {
        s = skip_ws(skip_value(s, e), e);
        if (s >= e || *s != ',') return NULL;
        s++;
      }
      s = skip_ws(s, e);
    }
  }
  return skip_ws(s, e);
}

static void line_col(const char *doc, const char *at, unsigned *line, unsigned *col) {
  *line = 1;
  *col = 1;
  for (const char *s = doc; s < at; s++) {
    if (*s == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

static void path_str(const cp__pctx *c, char *out, size_t cap) {
  size_t n = 0;
  out[0] = 0;
  unsigned depth = c->depth < CP__PATH_MAX ? c->depth : CP__PATH_MAX;
  for (unsigned k = 0; k < depth && n < cap; k++) {
    int w;
    if (c->path[k].key != NULL)
      w = snprintf(out + n, cap - n, "%s%s", n == 0 ? "" : ".", c->path[k].key);
    else
      w = snprintf(out + n, cap - n, "[%zu]", c->path[k].idx);
    if (w < 0) break;
    n += (size_t)w;
  }
  if (n == 0) snprintf(out, cap, "(document)");
}

int cp__pol_perr(cp__pctx *c, const char *fmt, ...) {
  char reason[200], path[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  path_str(c, path, sizeof path);
  /* A member that is missing (or written with escapes) has no text of its
   * own: point at the closest enclosing value that has, e.g. the object
   * that lacks it. */
  const char *at = NULL;
  for (unsigned k = c->depth + 1; k-- > 0 && at == NULL;) at = locate(c, k);
  if (at != NULL && at < c->doc + c->len) {
    unsigned line, col;
    line_col(c->doc, at, &line, &col);
    return cp_diag_set(c->d, CP_EPOLICY, "line %u, column %u: %s: %s", line, col, path, reason);
  }
  return cp_diag_set(c->d, CP_EPOLICY, "%s: %s", path, reason);
}

/* ---- scalar readers ------------------------------------------------------- */

int cp__pol_only(cp__pctx *c, json_t *o, const char *const *allowed) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    bool ok = false;
    for (size_t i = 0; allowed[i] != NULL && !ok; i++) ok = strcmp(k, allowed[i]) == 0;
    if (!ok) {
      cp__pol_pk(c, k);
      int rc = cp__pol_perr(c, "unknown member \"%.60s\"", k);
      cp__pol_pop(c);
      return rc;
    }
  }
  return CP_OK;
}

int cp__pol_get_str(cp__pctx *c, json_t *o, const char *key, bool required, size_t max,
                    const char **out, size_t *len) {
  json_t *v = json_object_get(o, key);
  int rc = CP_OK;
  cp__pol_pk(c, key);
  if (v == NULL) {
    if (required) rc = cp__pol_perr(c, "missing");
  } else if (!json_is_string(v)) {
    rc = cp__pol_perr(c, "must be a string");
  } else if (json_string_length(v) == 0 || json_string_length(v) > max) {
    rc = cp__pol_perr(c, "must be 1 to %zu bytes long", max);
  } else {
    *out = json_string_value(v);
    if (len != NULL) *len = json_string_length(v);
  }
  cp__pol_pop(c);
  return rc;
}

int cp__pol_get_int(cp__pctx *c, json_t *o, const char *key, bool required, int64_t min,
                    int64_t max, int64_t *out) {
  json_t *v = json_object_get(o, key);
  int rc = CP_OK;
  cp__pol_pk(c, key);
  if (v == NULL) {
    if (required) rc = cp__pol_perr(c, "missing");
  } else if (!json_is_integer(v)) {
    rc = cp__pol_perr(c, "must be an integer");
  } else if (json_integer_value(v) < min || json_integer_value(v) > max) {
    rc = cp__pol_perr(c, "%lld out of range %lld..%lld", (long long)json_integer_value(v),
                      (long long)min, (long long)max);
  } else {
    *out = json_integer_value(v);
  }
  cp__pol_pop(c);
  return rc;
}

int cp__pol_get_bool(cp__pctx *c, json_t *o, const char *key, bool *out) {
  json_t *v = json_object_get(o, key);
  int rc = CP_OK;
  cp__pol_pk(c, key);
  if (v != NULL) {
    if (!json_is_boolean(v))
      rc = cp__pol_perr(c, "must be true or false");
    else
      *out = json_is_true(v);
  }
  cp__pol_pop(c);
  return rc;
}

/* An amount is a JSON integer (whole units) or a string "123" / "12.5"
 * with at most `decimals` digits after the point; never a JSON real, whose
 * binary value is not exact. */
int cp__pol_amount(cp__pctx *c, json_t *v, unsigned decimals, int64_t *out) {
  int64_t scale = 1;
  for (unsigned i = 0; i < decimals; i++) scale *= 10;
  if (json_is_integer(v)) {
    json_int_t x = json_integer_value(v);
    if (x < 0 || x > CP_POLICY_AMOUNT_MAX / scale)
      return cp__pol_perr(c, "amount %lld out of range 0..%lld", (long long)x,
                          (long long)(CP_POLICY_AMOUNT_MAX / scale));
    *out = (int64_t)x * scale;
    return CP_OK;
  }
  if (!json_is_string(v))
    return cp__pol_perr(c, "an amount must be an integer or a decimal string such as \"0.5\"");
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  int64_t whole = 0, frac = 0;
  size_t i = 0, fd = 0;
  bool point = false;
  if (n == 0 || n > 24) return cp__pol_perr(c, "bad amount");
  for (; i < n; i++) {
    if (s[i] == '.' && !point && i > 0 && i + 1 < n) {
      point = true;
      continue;
    }
    if (s[i] < '0' || s[i] > '9') return cp__pol_perr(c, "bad amount \"%.30s\"", s);
    if (!point) {
      if (whole > CP_POLICY_AMOUNT_MAX) return cp__pol_perr(c, "amount \"%.30s\" too large", s);
      whole = whole * 10 + (s[i] - '0');
    } else {
      if (++fd > decimals)
        return cp__pol_perr(c, "amount \"%.30s\" has more than %u decimals", s, decimals);
      frac = frac * 10 + (s[i] - '0');
    }
  }
  for (; fd < decimals; fd++) frac *= 10;
  if (whole > CP_POLICY_AMOUNT_MAX / scale || whole * scale + frac > CP_POLICY_AMOUNT_MAX)
    return cp__pol_perr(c, "amount \"%.30s\" too large", s);
  *out = whole * scale + frac;
  return CP_OK;
}

int cp__pol_date(cp__pctx *c, json_t *v, uint32_t *out) {
  if (!json_is_string(v) || cp_date_parse(json_string_value(v), out) != CP_OK)
    return cp__pol_perr(c, "must be a date \"YYYY-MM-DD\" (1970..9999)");
  return CP_OK;
}

int cp__pol_mmdd(cp__pctx *c, json_t *v, uint8_t *m, uint8_t *d) {
  static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const char *s = json_is_string(v) ? json_string_value(v) : "";
  if (strlen(s) != 5 || s[2] != '-' || s[0] < '0' || s[0] > '1' || s[1] < '0' || s[1] > '9' ||
      s[3] < '0' || s[3] > '3' || s[4] < '0' || s[4] > '9')
    return cp__pol_perr(c, "must be a month and day \"MM-DD\"");
  unsigned mm = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
  unsigned dd = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
  if (mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1])
    return cp__pol_perr(c, "no such day \"%s\"", s);
  *m = (uint8_t)mm;
  *d = (uint8_t)dd;
  return CP_OK;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

static bool parse_hex32(const char *s, size_t n, uint8_t key[CP_PK_BYTES]) {
  if (n != 2 * CP_PK_BYTES) return false;
  for (size_t i = 0; i < CP_PK_BYTES; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    key[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

#define SELF_REF "@self"

bool cp__pol_direct_key(const cp_policy *p, const char *s, size_t n, uint8_t key[CP_PK_BYTES]) {
  char tmp[CP_VKEY_MAX];
  if (parse_hex32(s, n, key)) return true;
  if (n == sizeof SELF_REF - 1 && memcmp(s, SELF_REF, n) == 0) {
    if (p->has_self) memcpy(key, p->self, CP_PK_BYTES);
    return p->has_self;
  }
  if (n == 0 || n >= sizeof tmp || memchr(s, 0, n) != NULL) return false;
  memcpy(tmp, s, n);
  tmp[n] = 0;
  if (n > 8 && memcmp(s, "did:key:", 8) == 0) return cp_didkey_decode(tmp, key) == CP_OK;
  cp_note_verifier v;
  if (memchr(s, '+', n) != NULL && cp_note_vkey_parse(tmp, n, &v, NULL) == CP_OK &&
      v.alg == CP_NOTE_ALG_ED25519) {
    memcpy(key, v.pk, CP_PK_BYTES);
    return true;
  }
  return false;
}

/* Labels come first: a document that defined a label "@self" before the
 * name existed keeps its meaning. */
bool cp__pol_resolve_key(const cp_policy *p, const char *s, size_t n, uint8_t key[CP_PK_BYTES]) {
  for (uint32_t i = 0; i < p->n_auth; i++)
    if (strlen(p->auth[i].label) == n && memcmp(p->auth[i].label, s, n) == 0) {
      memcpy(key, p->auth[i].key, CP_PK_BYTES);
      return true;
    }
  return cp__pol_direct_key(p, s, n, key);
}

/* The reason an authority reference s did not resolve. */
static int keyref_fail(cp__pctx *c, const char *s, size_t n) {
  if (n == sizeof SELF_REF - 1 && memcmp(s, SELF_REF, n) == 0 && !c->p->has_self)
    return cp__pol_perr(c, "\"@self\" names the authority that publishes the policy, which is "
                           "not known here (it is when the policy is published or read from "
                           "its entry)");
  return cp__pol_perr(c,
                      "unknown authority \"%.64s\" (not a label in \"authorities\", 64 "
                      "lowercase hex digits, \"@self\", a did:key or a verifier key)",
                      s);
}

int cp__pol_keyref(cp__pctx *c, json_t *v, uint8_t key[CP_PK_BYTES]) {
  if (!json_is_string(v))
    return cp__pol_perr(c, "must name an authority (label, hex key, \"@self\", did:key or "
                           "verifier key)");
  if (!cp__pol_resolve_key(c->p, json_string_value(v), json_string_length(v), key))
    return keyref_fail(c, json_string_value(v), json_string_length(v));
  return CP_OK;
}

/* ---- document level --------------------------------------------------------- */

/* Rejects nesting deeper than CP_POLICY_DEPTH_MAX before jansson recurses. */
static int scan_depth(const char *doc, size_t len, cp_diag *d) {
  unsigned depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < len; i++) {
    char ch = doc[i];
    if (in_str) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_str = false;
    } else if (ch == '"') {
      in_str = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > CP_POLICY_DEPTH_MAX) {
        unsigned line, col;
        line_col(doc, doc + i, &line, &col);
        return cp_diag_set(d, CP_EPOLICY, "line %u, column %u: nesting deeper than %u levels", line,
                           col, CP_POLICY_DEPTH_MAX);
      }
    } else if ((ch == '}' || ch == ']') && depth > 0) {
      depth--;
    }
  }
  return CP_OK;
}

static int parse_authorities(cp__pctx *c, json_t *o) {
  int rc = CP_OK;
  cp__pol_pk(c, "authorities");
  if (!json_is_object(o)) {
    rc = cp__pol_perr(c, "must be an object of label: hex key");
    goto out;
  }
  if (json_object_size(o) > CP_POLICY_AUTHORITIES_MAX) {
    rc = cp__pol_perr(c, "more than %u authorities", CP_POLICY_AUTHORITIES_MAX);
    goto out;
  }
  c->p->auth = cp__pol_arena_alloc(&c->p->arena, (json_object_size(o) + 1) * sizeof *c->p->auth);
  if (c->p->auth == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    cp__pol_pk(c, k);
    cp__authority *a = &c->p->auth[c->p->n_auth];
    size_t kl = strlen(k);
    uint8_t tmp[CP_PK_BYTES];
    if (kl == 0 || kl > CP_ID_MAX || strchr(k, ':') != NULL || parse_hex32(k, kl, tmp))
      rc =
          cp__pol_perr(c, "a label must be 1..%u bytes, without ':', and not a hex key", CP_ID_MAX);
    else if (json_is_string(v) && strcmp(json_string_value(v), SELF_REF) == 0 &&
             !c->p->has_self)
      rc = keyref_fail(c, SELF_REF, strlen(SELF_REF));
    else if (!json_is_string(v) ||
             !cp__pol_direct_key(c->p, json_string_value(v), json_string_length(v), a->key))
      rc = cp__pol_perr(c, "must be a public key: 64 lowercase hex digits, \"@self\", a did:key "
                           "or a verifier key");
    else if (cp__pol_label(c->p, a->key) != NULL)
      rc = cp__pol_perr(c, "same key as authority \"%s\"", cp__pol_label(c->p, a->key));
    else if ((a->label = cp__pol_arena_strdup(&c->p->arena, k, kl)) == NULL)
      rc = CP_ENOMEM;
    cp__pol_pop(c);
    if (rc != CP_OK) goto out;
    c->p->n_auth++;
  }
out:
  cp__pol_pop(c);
  return rc;
}

static int parse_currencies(cp__pctx *c, json_t *a) {
  static const char *const allowed[] = {"id", "unit", "decimals", "money", "target", NULL};
  int rc = CP_OK;
  cp__pol_pk(c, "currencies");
  if (!json_is_array(a) || json_array_size(a) == 0) {
    rc = cp__pol_perr(c, "must be a non-empty array");
    goto out;
  }
  if (json_array_size(a) > CP_POLICY_CURRENCIES_MAX) {
    rc = cp__pol_perr(c, "more than %u currencies", CP_POLICY_CURRENCIES_MAX);
    goto out;
  }
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *o = json_array_get(a, i);
    cp__currency *cu = &c->p->cur[i];
    const char *id = NULL, *unit = NULL;
    size_t idl = 0, ul = 0;
    int64_t dec = 0;
    cp__pol_pi(c, i);
    if (!json_is_object(o)) rc = cp__pol_perr(c, "must be an object");
    if (rc == CP_OK) rc = cp__pol_only(c, o, allowed);
    if (rc == CP_OK) rc = cp__pol_get_str(c, o, "id", true, CP_ID_MAX, &id, &idl);
    if (rc == CP_OK) rc = cp__pol_get_str(c, o, "unit", true, CP_STR_MAX, &unit, &ul);
    if (rc == CP_OK) rc = cp__pol_get_int(c, o, "decimals", false, 0, CP_POLICY_DECIMALS_MAX, &dec);
    if (rc == CP_OK) rc = cp__pol_get_bool(c, o, "money", &cu->money);
    for (size_t j = 0; rc == CP_OK && j < i; j++)
      if (strcmp(c->p->cur[j].id, id) == 0) {
        cp__pol_pk(c, "id");
        rc = cp__pol_perr(c, "currency \"%s\" defined twice", id);
        cp__pol_pop(c);
      }
    if (rc == CP_OK) {
      cu->decimals = (uint8_t)dec;
      cu->id = cp__pol_arena_strdup(&c->p->arena, id, idl);
      cu->unit = cp__pol_arena_strdup(&c->p->arena, unit, ul);
      if (cu->id == NULL || cu->unit == NULL) rc = CP_ENOMEM;
    }
    json_t *t = json_object_get(o, "target");
    if (rc == CP_OK && t != NULL) {
      cp__pol_pk(c, "target");
      rc = cp__pol_amount(c, t, cu->decimals, &cu->target);
      cu->has_target = true;
      cp__pol_pop(c);
    }
    cp__pol_pop(c);
    if (rc != CP_OK) goto out;
    c->p->n_cur++;
  }
out:
  cp__pol_pop(c);
  return rc;
}

static int parse_effective(cp__pctx *c, json_t *o) {
  static const char *const allowed[] = {"from", "until", NULL};
  int rc = CP_OK;
  cp__pol_pk(c, "effective");
  if (!json_is_object(o)) {
    rc = cp__pol_perr(c, "must be an object with \"from\" and/or \"until\"");
    goto out;
  }
  if ((rc = cp__pol_only(c, o, allowed)) != CP_OK) goto out;
  static const char *const names[2] = {"from", "until"};
  uint32_t *dst[2] = {&c->p->eff_from, &c->p->eff_until};
  for (int i = 0; i < 2 && rc == CP_OK; i++) {
    json_t *v = json_object_get(o, names[i]);
    if (v == NULL) continue;
    cp__pol_pk(c, names[i]);
    rc = cp__pol_date(c, v, dst[i]);
    cp__pol_pop(c);
  }
  if (rc == CP_OK && c->p->eff_until < c->p->eff_from)
    rc = cp__pol_perr(c, "\"until\" is before \"from\"");
out:
  cp__pol_pop(c);
  return rc;
}

/* Orders conversions so that a currency's conversions run after every
 * conversion into it; a cycle among them is an error. */
static int order_conversions(cp__pctx *c) {
  cp_policy *p = c->p;
  bool done[CP_POLICY_RULES_MAX] = {false};
  uint32_t todo = 0;
  for (uint32_t i = 0; i < p->n_rules; i++) todo += p->rules[i].kind == CP__R_CONVERT;
  while (p->n_conv < todo) {
    bool progressed = false;
    for (uint32_t i = 0; i < p->n_rules; i++) {
      const cp__rule *r = &p->rules[i];
      if (r->kind != CP__R_CONVERT || done[i]) continue;
      bool ready = true;
      for (uint32_t j = 0; j < p->n_rules && ready; j++)
        if (p->rules[j].kind == CP__R_CONVERT && !done[j] && j != i &&
            p->rules[j].currency == r->conv_from)
          ready = false;
      if (ready && r->conv_from != r->currency) {
        done[i] = true;
        p->conv_order[p->n_conv++] = (uint8_t)i;
        progressed = true;
      }
    }
    if (!progressed) {
      for (uint32_t i = 0; i < p->n_rules; i++)
        if (p->rules[i].kind == CP__R_CONVERT && !done[i]) {
          cp__pol_pk(c, "rules");
          cp__pol_pi(c, i);
          int rc = cp__pol_perr(c, "conversions form a cycle through \"%s\"",
                                p->cur[p->rules[i].conv_from].id);
          cp__pol_pop(c);
          cp__pol_pop(c);
          return rc;
        }
    }
  }
  return CP_OK;
}

static int compile(const char *doc, size_t len, const uint8_t *self, cp_policy **out,
                   cp_diag *d) {
  static const char *const allowed[] = {
      "format",      "id",         "title", "description", "effective", "fiscal_year_start",
      "authorities", "currencies", "sets",  "rules",       NULL};
  json_t *root = NULL;
  cp_policy *p = NULL;
  json_error_t jerr;
  int rc;
  if (doc == NULL) return cp_diag_set(d, CP_EPOLICY, "no policy document");
  if (len > CP_POLICY_DOC_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "policy document of %zu bytes exceeds %u", len,
                       CP_POLICY_DOC_MAX);
  if ((rc = scan_depth(doc, len, d)) != CP_OK) return rc;
  root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return cp_diag_set(d, CP_EPOLICY, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
  p = calloc(1, sizeof *p);
  if (p == NULL) {
    rc = CP_ENOMEM;
    goto out;
  }
  cp__pctx c = {.doc = doc, .len = len, .p = p, .d = d};
  if (self != NULL) {
    p->has_self = true;
    memcpy(p->self, self, CP_PK_BYTES);
  }
  p->eff_until = UINT32_MAX;
  p->fy_m = 7;
  p->fy_d = 1;
  if (!json_is_object(root)) {
    rc = cp__pol_perr(&c, "a policy is a JSON object");
    goto out;
  }
  if ((rc = cp__pol_only(&c, root, allowed)) != CP_OK) goto out;
  const char *s = NULL;
  size_t n = 0;
  if ((rc = cp__pol_get_str(&c, root, "format", true, 64, &s, &n)) != CP_OK) goto out;
  if (strcmp(s, FORMAT_V1) != 0) {
    cp__pol_pk(&c, "format");
    rc = cp__pol_perr(&c, "unsupported format \"%.64s\" (expected \"" FORMAT_V1 "\")", s);
    goto out;
  }
  if ((rc = cp__pol_get_str(&c, root, "id", true, CP_ID_MAX, &s, &n)) != CP_OK) goto out;
  if ((p->id = cp__pol_arena_strdup(&p->arena, s, n)) == NULL) goto nomem;
  s = "";
  n = 0;
  /* Checked, not kept: nothing computed from a policy shows its title. */
  if ((rc = cp__pol_get_str(&c, root, "title", false, CP_STR_MAX, &s, &n)) != CP_OK) goto out;
  if ((rc = cp__pol_get_str(&c, root, "description", false, CP_TEXT_MAX, &s, &n)) != CP_OK)
    goto out;
  json_t *v;
  if ((v = json_object_get(root, "effective")) != NULL && (rc = parse_effective(&c, v)) != CP_OK)
    goto out;
  if ((v = json_object_get(root, "fiscal_year_start")) != NULL) {
    cp__pol_pk(&c, "fiscal_year_start");
    rc = cp__pol_mmdd(&c, v, &p->fy_m, &p->fy_d);
    cp__pol_pop(&c);
    if (rc != CP_OK) goto out;
  }
  v = json_object_get(root, "authorities");
  if (v != NULL && (rc = parse_authorities(&c, v)) != CP_OK) goto out;
  if ((rc = parse_currencies(&c, json_object_get(root, "currencies"))) != CP_OK) goto out;
  v = json_object_get(root, "sets");
  if (v != NULL && (rc = cp__pol_parse_sets(&c, v)) != CP_OK) goto out;
  if ((rc = cp__pol_parse_rules(&c, json_object_get(root, "rules"))) != CP_OK) goto out;
  if ((rc = order_conversions(&c)) != CP_OK) goto out;
  *out = p;
  p = NULL;
  goto out;
nomem:
  rc = CP_ENOMEM;
out:
  if (rc == CP_ENOMEM) cp_diag_set(d, rc, "out of memory compiling the policy");
  cp_policy_free(p);
  json_decref(root);
  return rc;
}

int cp_policy_compile(const char *doc, size_t len, cp_policy **out, cp_diag *d) {
  return compile(doc, len, NULL, out, d);
}

int cp_policy_compile_as(const char *doc, size_t len, const uint8_t self[CP_PK_BYTES],
                         cp_policy **out, cp_diag *d) {
  return compile(doc, len, self, out, d);
}

int cp_policy_validate(const char *doc, size_t len, cp_diag *d) {
  return cp_policy_validate_as(doc, len, NULL, d);
}

int cp_policy_validate_as(const char *doc, size_t len, const uint8_t self[CP_PK_BYTES],
                          cp_diag *d) {
  cp_policy *p = NULL;
  int rc = compile(doc, len, self, &p, d);
  cp_policy_free(p);
  return rc;
}

void cp_policy_free(cp_policy *p) {
  if (p == NULL) return;
  cp__pol_arena_free(&p->arena);
  free(p);
}

const char *cp_policy_id(const cp_policy *p) {
  return p->id;
}

size_t cp_policy_n_currencies(const cp_policy *p) {
  return p->n_cur;
}

int cp_policy_currency(const cp_policy *p, size_t i, const char **id, unsigned *decimals,
                       int *is_money) {
  if (i >= p->n_cur) return CP_EINVAL;
  if (id != NULL) *id = p->cur[i].id;
  if (decimals != NULL) *decimals = p->cur[i].decimals;
  if (is_money != NULL) *is_money = p->cur[i].money;
  return CP_OK;
}

const char *cp_policy_currency_unit(const cp_policy *p, size_t i) {
  return i < p->n_cur ? p->cur[i].unit : "";
}
