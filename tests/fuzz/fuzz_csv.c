/*
 * libFuzzer target for the CSV reader of `credport award --csv`
 * (tools/csv_read.c). The first input byte picks how the rest is split
 * into pushes (1 to 256 bytes each); the rest is the file.
 * Invariants, abort() when one breaks:
 *   - every field handed over is at most FIELD_MAX bytes, holds no NUL, and
 *     is NUL-terminated (the reader's buffers are fixed at init, so its
 *     memory cannot grow with the input);
 *   - the split does not matter: pushed in pieces or whole, the same
 *     records come out, on the same lines, and a refusal names the same
 *     line and column;
 *   - a file accepted whole writes back (every field quoted, RFC 4180, each
 *     record on its line) to a text that reads as the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"

#define FIELD_MAX 64U
#define NCOLS 5U

typedef struct {
  uint8_t *p;
  size_t len, cap;
  int wide; /* a record had more fields than NCOLS */
} recs;

static void put(recs *r, const void *p, size_t n) {
  if (r->cap - r->len < n) {
    size_t cap = r->cap ? r->cap : 256;
    while (cap - r->len < n) cap *= 2;
    if ((r->p = realloc(r->p, cap)) == NULL) abort();
    r->cap = cap;
  }
  memcpy(r->p + r->len, p, n);
  r->len += n;
}

static int on_row(void *ctx, uint64_t row, char *const *field, const size_t *len, size_t n) {
  recs *r = ctx;
  put(r, &row, sizeof row);
  put(r, &n, sizeof n);
  if (n > NCOLS) r->wide = 1;
  for (size_t i = 0; i < n && i < NCOLS; i++) {
    if (len[i] > FIELD_MAX || field[i][len[i]] != 0 || memchr(field[i], 0, len[i]) != NULL)
      abort();
    put(r, &len[i], sizeof len[i]);
    put(r, field[i], len[i]);
  }
  return 0;
}

typedef struct {
  int rc;
  uint64_t row, err_row;
  size_t err_col;
} outcome;

static outcome read_csv(const uint8_t *p, size_t n, size_t piece, recs *out) {
  cli_csv r;
  outcome o = {0, 0, 0, 0};
  if (cli_csv_init(&r, NCOLS, FIELD_MAX, on_row, out) != CP_OK) abort();
  while (n > 0 && o.rc == 0) {
    size_t k = n < piece ? n : piece;
    o.rc = cli_csv_feed(&r, p, k);
    p += k;
    n -= k;
  }
  if (o.rc == 0) o.rc = cli_csv_finish(&r);
  if (o.rc != 0 && (o.rc != r.rc || r.err_line > r.line)) abort();
  o.row = r.rows;
  o.err_row = r.err_line;
  o.err_col = r.err_col;
  cli_csv_free(&r);
  return o;
}

/* Writes the records back as CSV, every field quoted, each record starting
 * on the line it was read from (blank lines fill the gaps). */
static void write_back(const recs *in, recs *csv) {
  size_t pos = 0;
  uint64_t at = 1;
  while (pos < in->len) {
    size_t n, len;
    uint64_t line;
    memcpy(&line, in->p + pos, sizeof line);
    pos += sizeof(uint64_t);
    if (line < at) abort();
    for (; at < line; at++) put(csv, "\n", 1);
    memcpy(&n, in->p + pos, sizeof n);
    pos += sizeof n;
    for (size_t i = 0; i < n; i++) {
      memcpy(&len, in->p + pos, sizeof len);
      pos += sizeof len;
      if (i > 0) put(csv, ",", 1);
      put(csv, "\"", 1);
      for (size_t j = 0; j < len; j++) {
        uint8_t b = in->p[pos + j];
        if (b == '"') put(csv, "\"", 1);
        if (b == '\n' || (b == '\r' && (j + 1 == len || in->p[pos + j + 1] != '\n'))) at++;
        put(csv, in->p + pos + j, 1);
      }
      put(csv, "\"", 1);
      pos += len;
    }
    put(csv, "\r\n", 2);
    at++;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  recs whole = {0}, split = {0}, csv = {0}, again = {0};
  if (size < 1) return 0;
  size_t piece = (size_t)data[0] + 1;
  data++;
  size--;
  outcome a = read_csv(data, size, size > 0 ? size : 1, &whole);
  outcome b = read_csv(data, size, piece, &split);
  if ((a.rc == 0) != (b.rc == 0) || a.row != b.row) abort();
  if (a.rc != 0 && (a.err_row != b.err_row || a.err_col != b.err_col)) abort();
  if (whole.len != split.len || (whole.len > 0 && memcmp(whole.p, split.p, whole.len) != 0))
    abort();
  if (a.rc == 0 && !whole.wide) {
    write_back(&whole, &csv);
    outcome c = read_csv(csv.p, csv.len, piece, &again);
    if (c.rc != 0 || c.row != a.row || again.len != whole.len ||
        (whole.len > 0 && memcmp(again.p, whole.p, whole.len) != 0))
      abort();
  }
  free(whole.p);
  free(split.p);
  free(csv.p);
  free(again.p);
  return 0;
}
