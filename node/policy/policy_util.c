/* credport — helpers of the recognition engine: arena, hashing, calendar
 * windows, credential sets, canonical JSON output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

/* ---- arena ------------------------------------------------------------------ */

struct cp__arena_block {
  cp__arena_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK (16u * 1024)

void *cp__pol_arena_alloc(cp__arena *a, size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  cp__arena_block *b = a->head;
  if (b == NULL || b->cap - b->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    b = malloc(sizeof *b + cap);
    if (b == NULL) return NULL;
    b->cap = cap;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *cp__pol_arena_strdup(cp__arena *a, const char *s, size_t len) {
  char *p = cp__pol_arena_alloc(a, len + 1);
  if (p != NULL) {
    memcpy(p, s, len);
    p[len] = 0;
  }
  return p;
}

void cp__pol_arena_free(cp__arena *a) {
  cp__arena_block *b = a->head;
  while (b != NULL) {
    cp__arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

/* ---- hashing -------------------------------------------------------------------
 * FNV-1a with a final avalanche. Sets are small and bounded (at most
 * CP_POLICY_SET_ITEMS_MAX), so a collision attack costs at most a probe
 * sequence of that length per lookup: bounded, never a stall. */

uint64_t cp__pol_hash_bytes(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

/* ---- calendar ---------------------------------------------------------------- */

/* A period start of Feb 29 is read as Feb 28 in common years. */
static int64_t period_start(int64_t y, unsigned m, unsigned d) {
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) d = 28;
  return cp_days_from_civil(y, m, d);
}

int64_t cp__pol_year_index(uint32_t day, unsigned m, unsigned d) {
  int64_t y;
  unsigned dm, dd;
  cp_civil_from_days(day, &y, &dm, &dd);
  return (int64_t)day >= period_start(y, m, d) ? y : y - 1;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t cp__pol_window_bucket(const cp__window *w, uint32_t day) {
  switch (w->kind) {
  case CP__W_SCHOOL_YEAR: return cp__pol_year_index(day, w->m, w->d);
  case CP__W_CYCLE: return floor_div(cp__pol_year_index(day, w->m, w->d) - w->year, w->years);
  default: return 0;
  }
}

bool cp__pol_window_holds(const cp__window *w, uint32_t day, uint32_t as_of) {
  switch (w->kind) {
  case CP__W_LIFETIME: return true;
  case CP__W_SCHOOL_YEAR:
    return cp__pol_window_bucket(w, day) ==
           (w->has_year ? w->year : cp__pol_window_bucket(w, as_of));
  case CP__W_CYCLE: return cp__pol_window_bucket(w, day) == cp__pol_window_bucket(w, as_of);
  case CP__W_DATES: return day >= w->from && day <= w->until;
  default: return false;
  }
}

/* ---- credential sets ------------------------------------------------------------ */

int32_t cp__pol_set_find(const cp__set *s, uint64_t h, const char *id, size_t len,
                         const uint8_t issuer[CP_PK_BYTES]) {
  for (uint32_t i = (uint32_t)h & s->mask;; i = (i + 1) & s->mask) {
    int32_t k = s->slots[i];
    if (k < 0) return -1;
    const cp__set_item *it = &s->items[k];
    if (it->h == h && it->id_len == len && memcmp(it->id, id, len) == 0 &&
        (it->any_issuer || memcmp(it->issuer, issuer, CP_PK_BYTES) == 0))
      return k;
  }
}

const char *cp__pol_label(const cp_policy *p, const uint8_t key[CP_PK_BYTES]) {
  for (uint32_t i = 0; i < p->n_auth; i++)
    if (memcmp(p->auth[i].key, key, CP_PK_BYTES) == 0) return p->auth[i].label;
  return NULL;
}

/* ---- fates ------------------------------------------------------------------------ */

const char *cp_policy_reason_name(int reason) {
  static const char *const names[CP_PR_COUNT_] = {
      [CP_PR_COUNTED] = "counted",
      [CP_PR_CAPPED] = "capped",
      [CP_PR_OVER_CAP] = "over_cap",
      [CP_PR_GROUP_INCOMPLETE] = "group_incomplete",
      [CP_PR_BUNDLE_INCOMPLETE] = "bundle_incomplete",
      [CP_PR_MILESTONE_INCOMPLETE] = "milestone_incomplete",
      [CP_PR_NOT_NEEDED] = "not_needed",
      [CP_PR_DUPLICATE] = "duplicate",
      [CP_PR_NOT_LISTED] = "not_listed",
      [CP_PR_EXCLUDED] = "excluded",
      [CP_PR_UNTRUSTED_ISSUER] = "untrusted_issuer",
      [CP_PR_BELOW_LEVEL] = "below_min_level",
      [CP_PR_QA_MISSING] = "qa_missing",
      [CP_PR_AREA_MISMATCH] = "area_mismatch",
      [CP_PR_NOT_ENDORSED] = "not_endorsed",
      [CP_PR_NO_PREAPPROVAL] = "no_preapproval",
      [CP_PR_OUTSIDE_WINDOW] = "outside_window",
      [CP_PR_REVOKED] = "revoked",
      [CP_PR_AFTER_AS_OF] = "after_as_of",
      [CP_PR_LEVEL_NOT_RATED] = "level_not_rated",
      [CP_PR_NOT_IN_EFFECT] = "policy_not_in_effect",
      [CP_PR_APPROVAL_LOGGED_LATE] = "approval_logged_late",
  };
  if (reason < 0 || reason >= CP_PR_COUNT_) return "unknown";
  return names[reason];
}

/* ---- canonical JSON output ------------------------------------------------------- */

static bool buf_reserve(cp__buf *b, size_t n) {
  if (b->err != 0) return false;
  if (b->cap - b->len > n) return true;
  size_t cap = b->cap != 0 ? b->cap : 1024;
  while (cap - b->len <= n) {
    if (cap > SIZE_MAX / 2) {
      b->err = CP_ENOMEM;
      return false;
    }
    cap *= 2;
  }
  char *p = realloc(b->p, cap);
  if (p == NULL) {
    b->err = CP_ENOMEM;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void cp__pol_buf_raw(cp__buf *b, const char *s, size_t n) {
  if (!buf_reserve(b, n)) return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void cp__pol_buf_cstr(cp__buf *b, const char *s) {
  cp__pol_buf_raw(b, s, strlen(s));
}

/* Escapes '"', '\\' and every byte below 0x20 as \u00XX (so TAB and LF too);
 * other bytes, UTF-8 included, are copied as they are. */
void cp__pol_buf_str(cp__buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (!buf_reserve(b, n * 6 + 2)) return;
  char *o = b->p + b->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20) {
      memcpy(o, "\\u00", 4);
      o[4] = hex[c >> 4];
      o[5] = hex[c & 15];
      o += 6;
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  b->len = (size_t)(o - b->p);
  b->p[b->len] = 0;
}

void cp__pol_buf_i64(cp__buf *b, int64_t v) {
  char t[24];
  int n = snprintf(t, sizeof t, "%lld", (long long)v);
  cp__pol_buf_raw(b, t, (size_t)n);
}

void cp__pol_buf_hex(cp__buf *b, const uint8_t *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (!buf_reserve(b, n * 2 + 2)) return;
  char *o = b->p + b->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    *o++ = hex[p[i] >> 4];
    *o++ = hex[p[i] & 15];
  }
  *o++ = '"';
  b->len = (size_t)(o - b->p);
  b->p[b->len] = 0;
}

void cp__pol_buf_date(cp__buf *b, uint32_t day) {
  char t[11];
  cp_date_format(day, t);
  cp__pol_buf_str(b, t, 10);
}

void cp__pol_buf_key(cp__buf *b, const char *k, bool first) {
  if (!first) cp__pol_buf_raw(b, ",", 1);
  cp__pol_buf_str(b, k, strlen(k));
  cp__pol_buf_raw(b, ":", 1);
}
