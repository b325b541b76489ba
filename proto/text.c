/* credport — text checks for proto/ (see text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "credport/text.h"

/* Length of the valid UTF-8 sequence at p[0] (n bytes available, n >= 1,
 * p[0] >= 0x80), or 0: overlong forms, surrogates, code points above
 * U+10FFFF, stray or missing continuation bytes are all invalid. The
 * ranges for the second byte are those of Unicode's table 3-7. */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp) {
  uint8_t c = p[0], lo = 0x80, hi = 0xBF;
  size_t need;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n - 1 < need || p[1] < lo || p[1] > hi) return 0;
  uint32_t v = c & (0x3Fu >> need);
  for (size_t k = 1; k <= need; k++) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    v = v << 6 | (p[k] & 0x3Fu);
  }
  *cp = v;
  return need + 1;
}

/* Unicode White_Space, which a signed-note key name must not contain. */
static int is_space(uint32_t c) {
  return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

static int id_char(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == ':' || c == '-';
}

static int upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

static const char *jurisdiction(const uint8_t *p, size_t n, size_t *bad) {
  size_t i = 0;
  if (n < 2 || n == 3 || n > 6) goto no;
  for (; i < 2; i++)
    if (!upper(p[i])) goto no;
  if (n > 2 && p[i++] != '-') goto no;
  for (; i < n; i++)
    if (!upper(p[i]) && !(p[i] >= '0' && p[i] <= '9')) goto no;
  return NULL;
no:
  *bad = i < n ? i : n - 1;
  return "not a jurisdiction like \"US\" or \"US-NC\"";
}

/* 1 if the 8 bytes at p are all in 0x20..0x7F: no byte has its high bit,
 * and subtracting 0x20 from each borrows nowhere. Text is mostly that, so
 * it is checked a word at a time. */
static int plain8(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return ((w | (w - 0x2020202020202020u)) & 0x8080808080808080u) == 0;
}

const char *cp__enc_text_check(const uint8_t *p, size_t n, cp_text_class cls, size_t *bad) {
  const char *why = NULL;
  size_t i = 0; /* *bad is written only on failure: a store through it on
                   every byte could alias p and keep the loop from running
                   out of registers */
  while (i < n) {
    if (cls == CP_TEXT_ANY)
      while (n - i >= 8 && plain8(p + i)) i += 8;
    if (i == n) break;
    uint32_t c = p[i];
    size_t k = 1;
    if (c >= 0x80) {
      if ((k = utf8_seq(p + i, n - i, &c)) == 0) {
        why = "invalid UTF-8";
        break;
      }
    } else if (c < 0x20 && c != '\t' && c != '\n') {
      why = c == 0 ? "NUL" : "control character";
      break;
    }
    if (cls == CP_TEXT_ID && !id_char(c)) {
      why = "character not one of A-Z a-z 0-9 . _ : -";
      break;
    }
    if (cls == CP_TEXT_NOTE_NAME &&
        (c == '+' || c == 0x7F || (c >= 0x80 && c <= 0x9F) || is_space(c))) {
      why = "'+', space or control character in a note key name";
      break;
    }
    i += k;
  }
  if (why != NULL) {
    *bad = i;
    return why;
  }
  if (cls == CP_TEXT_JURISDICTION && n > 0) return jurisdiction(p, n, bad);
  return NULL;
}

/* ---- display safety (credport/text.h) ----------------------------------- */

int cp_text_deceptive(uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

static const char *deceptive_kind(uint32_t c) {
  if (c == '\n') return "line feed";
  if (c == '\t') return "tab";
  if (c < 0x20 || c == 0x7F) return "control character";
  if (c <= 0x9F) return "C1 control character";
  if (c == 0x2028 || c == 0x2029) return "line or paragraph separator";
  return "bidirectional control";
}

const char *cp_text_check_new(const char *text, size_t n, int multiline, size_t *bad,
                              uint32_t *cp) {
  const uint8_t *p = (const uint8_t *)text;
  size_t i = 0;
  while (i < n) {
    uint32_t c = p[i];
    size_t k = 1;
    /* Invalid UTF-8 is the encoder's to refuse, with its own message. */
    if (c >= 0x80 && (k = utf8_seq(p + i, n - i, &c)) == 0) return NULL;
    if (cp_text_deceptive(c) && !(multiline && (c == '\n' || c == '\t'))) {
      *bad = i;
      *cp = c;
      return deceptive_kind(c);
    }
    i += k;
  }
  return NULL;
}

size_t cp_text_escape(const char *text, size_t n, char *out, size_t cap) {
  const uint8_t *p = (const uint8_t *)text;
  size_t i = 0, need = 0, written = 0;
  int full = cap == 0;
  while (i < n) {
    char tmp[16];
    const char *piece = tmp;
    size_t plen, k = 1;
    uint32_t c = p[i];
    if (c >= 0x80 && (k = utf8_seq(p + i, n - i, &c)) == 0) {
      k = 1;
      plen = (size_t)snprintf(tmp, sizeof tmp, "\\x{%02X}", (unsigned)p[i]);
    } else if (c == '\\') {
      piece = "\\\\", plen = 2;
    } else if (c == '\n') {
      piece = "\\n", plen = 2;
    } else if (c == '\t') {
      piece = "\\t", plen = 2;
    } else if (c == '\r') {
      piece = "\\r", plen = 2;
    } else if (cp_text_deceptive(c)) {
      plen = (size_t)snprintf(tmp, sizeof tmp, "\\u{%04X}", (unsigned)c);
    } else {
      piece = text + i, plen = k;
    }
    /* Whole pieces only: an escape or a UTF-8 sequence is never cut. */
    if (!full && written + plen < cap) {
      memcpy(out + written, piece, plen);
      written += plen;
    } else {
      full = 1;
    }
    need += plen;
    i += k;
  }
  if (cap > 0) out[written] = '\0';
  return need;
}
