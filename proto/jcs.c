/* JSON Canonicalization Scheme (RFC 8785); see include/credport/jcs.h. */
#include "credport/jcs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef cp_jcs_buf jbuf;

void cp_jcs_raw(cp_jcs_buf *b, const char *s, size_t n) {
  if (b->err != 0 || n == 0) return;
  if (n > CP_JCS_MAX_BYTES - b->len) {
    b->err = CP_ETOOBIG;
    return;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *np;
    while (cap < b->len + n + 1) cap *= 2;
    np = realloc(b->p, cap);
    if (np == NULL) {
      b->err = CP_ENOMEM;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

/* RFC 8785 section 3.2.2.3: the shortest digits that read back as x, laid
 * out as ECMAScript's Number::toString lays them out. */
int cp_jcs_number(double x, char *out, size_t cap) {
  char tmp[40], digits[24];
  int prec, exp10 = 0, k = 0, n, neg = 0;
  size_t o = 0;
  const char *e;
  if (!isfinite(x) || cap < 32) return CP_EINVAL;
  if (x == 0) {
    out[0] = '0';
    out[1] = '\0';
    return 1;
  }
  if (x < 0) {
    neg = 1;
    x = -x;
  }
  for (prec = 0; prec < 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec, x);
    if (strtod(tmp, NULL) == x) break;
  }
  /* tmp is d[.ddd]e[+-]XX: collect the digits and the exponent. */
  for (e = tmp; *e != 'e'; e++)
    if (*e >= '0' && *e <= '9') digits[k++] = *e;
  exp10 = (int)strtol(e + 1, NULL, 10);
  while (k > 1 && digits[k - 1] == '0') k--;
  digits[k] = '\0';
  n = exp10 + 1; /* the decimal point goes after n digits */
  if (neg) out[o++] = '-';
  if (k <= n && n <= 21) {
    memcpy(out + o, digits, (size_t)k);
    o += (size_t)k;
    for (int i = k; i < n; i++) out[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(out + o, digits, (size_t)n);
    o += (size_t)n;
    out[o++] = '.';
    memcpy(out + o, digits + n, (size_t)(k - n));
    o += (size_t)(k - n);
  } else if (-6 < n && n <= 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int i = 0; i < -n; i++) out[o++] = '0';
    memcpy(out + o, digits, (size_t)k);
    o += (size_t)k;
  } else {
    out[o++] = digits[0];
    if (k > 1) {
      out[o++] = '.';
      memcpy(out + o, digits + 1, (size_t)(k - 1));
      o += (size_t)(k - 1);
    }
    o += (size_t)snprintf(out + o, cap - o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
  }
  out[o] = '\0';
  return (int)o;
}

void cp_jcs_str(cp_jcs_buf *b, const char *s, size_t n) {
  size_t i, run = 0;
  cp_jcs_raw(b, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[8];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    cp_jcs_raw(b, s + run, i - run);
    run = i + 1;
    switch (c) {
      case '\b': esc = "\\b"; break;
      case '\t': esc = "\\t"; break;
      case '\n': esc = "\\n"; break;
      case '\f': esc = "\\f"; break;
      case '\r': esc = "\\r"; break;
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      default:
        snprintf(u, sizeof u, "\\u%04x", c);
        esc = u;
    }
    cp_jcs_raw(b, esc, strlen(esc));
  }
  cp_jcs_raw(b, s + run, n - run);
  cp_jcs_raw(b, "\"", 1);
}

/* Next UTF-16 code unit of the UTF-8 text at *p (jansson strings are valid
 * UTF-8); *pending holds a low surrogate still to come. */
static unsigned next_unit(const unsigned char **p, const unsigned char *end, unsigned *pending) {
  uint32_t c;
  const unsigned char *s = *p;
  if (*pending != 0) {
    unsigned u = *pending;
    *pending = 0;
    return u;
  }
  if (s[0] < 0x80) {
    c = s[0];
    s += 1;
  } else if (s[0] < 0xe0 && end - s >= 2) {
    c = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    s += 2;
  } else if (s[0] < 0xf0 && end - s >= 3) {
    c = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    s += 3;
  } else if (end - s >= 4) {
    c = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
        (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
    s += 4;
  } else {
    c = s[0];
    s = end;
  }
  *p = s;
  if (c < 0x10000) return c;
  c -= 0x10000;
  *pending = 0xdc00 + (c & 0x3ff);
  return 0xd800 + (c >> 10);
}

typedef struct jkey {
  const char *s;
  size_t n;
  json_t *v;
} jkey;

static int key_cmp(const void *a, const void *b) {
  const jkey *x = a, *y = b;
  const unsigned char *p = (const unsigned char *)x->s, *pe = p + x->n;
  const unsigned char *q = (const unsigned char *)y->s, *qe = q + y->n;
  size_t i = 0, n = x->n < y->n ? x->n : y->n;
  unsigned pp = 0, qp = 0;
  /* A common prefix is equal in any encoding; past it, two ASCII bytes
   * order as their UTF-16 units do. Otherwise compare code units from the
   * start of the character that differs. */
  while (i < n && p[i] == q[i]) i++;
  if (i == n) return x->n < y->n ? -1 : x->n > y->n;
  if (p[i] < 0x80 && q[i] < 0x80) return p[i] < q[i] ? -1 : 1;
  while (i > 0 && (p[i] & 0xc0) == 0x80) i--;
  p += i;
  q += i;
  while ((p < pe || pp) && (q < qe || qp)) {
    unsigned u = next_unit(&p, pe, &pp), w = next_unit(&q, qe, &qp);
    if (u != w) return u < w ? -1 : 1;
  }
  if ((p < pe || pp)) return 1;
  if ((q < qe || qp)) return -1;
  return 0;
}

static int put_value(jbuf *b, const json_t *v, unsigned depth, cp_diag *d) {
  char num[40];
  int n;
  if (depth > CP_JCS_DEPTH_MAX)
    return cp_diag_set(d, CP_ETOOBIG, "JSON nested deeper than %u levels", CP_JCS_DEPTH_MAX);
  switch (json_typeof(v)) {
    case JSON_NULL: cp_jcs_raw(b, "null", 4); break;
    case JSON_TRUE: cp_jcs_raw(b, "true", 4); break;
    case JSON_FALSE: cp_jcs_raw(b, "false", 5); break;
    case JSON_STRING: cp_jcs_str(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: {
      json_int_t i = json_integer_value(v);
      if (i >= -9007199254740992LL && i <= 9007199254740992LL)
        n = snprintf(num, sizeof num, "%lld", (long long)i);
      else
        n = cp_jcs_number((double)i, num, sizeof num);
      cp_jcs_raw(b, num, (size_t)n);
      break;
    }
    case JSON_REAL:
      n = cp_jcs_number(json_real_value(v), num, sizeof num);
      if (n < 0) return cp_diag_set(d, CP_EINVAL, "a number that is not finite");
      cp_jcs_raw(b, num, (size_t)n);
      break;
    case JSON_ARRAY: {
      size_t i;
      cp_jcs_raw(b, "[", 1);
      for (i = 0; i < json_array_size(v); i++) {
        int rc;
        if (i > 0) cp_jcs_raw(b, ",", 1);
        if ((rc = put_value(b, json_array_get(v, i), depth + 1, d)) != 0) return rc;
      }
      cp_jcs_raw(b, "]", 1);
      break;
    }
    case JSON_OBJECT: {
      size_t cnt = json_object_size(v), i = 0, klen;
      jkey small[32], *keys = small;
      const char *k;
      json_t *m;
      int rc = 0;
      if (cnt == 0) {
        cp_jcs_raw(b, "{}", 2);
        break;
      }
      if (cnt > sizeof small / sizeof small[0] && (keys = calloc(cnt, sizeof *keys)) == NULL)
        return CP_ENOMEM;
      json_object_keylen_foreach((json_t *)v, k, klen, m) {
        keys[i].s = k;
        keys[i].n = klen;
        keys[i].v = m;
        i++;
      }
      qsort(keys, cnt, sizeof *keys, key_cmp);
      cp_jcs_raw(b, "{", 1);
      for (i = 0; i < cnt && rc == 0; i++) {
        if (i > 0) cp_jcs_raw(b, ",", 1);
        cp_jcs_str(b, keys[i].s, keys[i].n);
        cp_jcs_raw(b, ":", 1);
        rc = put_value(b, keys[i].v, depth + 1, d);
      }
      if (keys != small) free(keys);
      if (rc != 0) return rc;
      cp_jcs_raw(b, "}", 1);
      break;
    }
  }
  return 0;
}

int cp_jcs_value(cp_jcs_buf *b, const json_t *v, cp_diag *d) {
  int rc = put_value(b, v, 0, d);
  if (rc == 0 && b->err == CP_ETOOBIG)
    rc = cp_diag_set(d, CP_ETOOBIG, "canonical JSON longer than %u bytes", CP_JCS_MAX_BYTES);
  else if (rc == 0)
    rc = b->err;
  if (rc != 0 && b->err == 0) b->err = rc;
  return rc;
}

int cp_jcs_encode(const json_t *v, char **out, size_t *len, cp_diag *d) {
  jbuf b = {NULL, 0, 0, 0};
  int rc = put_value(&b, v, 0, d);
  if (rc == 0 && b.err == CP_ETOOBIG)
    rc = cp_diag_set(d, CP_ETOOBIG, "canonical JSON longer than %u bytes", CP_JCS_MAX_BYTES);
  else if (rc == 0)
    rc = b.err;
  if (rc == 0 && b.p == NULL) rc = CP_ENOMEM;
  if (rc != 0) {
    free(b.p);
    return rc;
  }
  *out = b.p;
  *len = b.len;
  return 0;
}
