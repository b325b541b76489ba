/* credport CLI — bounded CSV record reader (see csv_read.h). */
#include "csv_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the reader is inside a record. */
enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE_SEEN };

static int fail(cli_csv *r, int rc, const char *why) {
  if (r->rc != 0) return r->rc;
  r->rc = rc;
  r->err_line = r->rec_line;
  r->err_col = r->col;
  snprintf(r->why, sizeof r->why, "%s", why);
  return rc;
}

static void put(cli_csv *r, uint8_t b) {
  if (b == 0) {
    (void)fail(r, CP_ECORRUPT, "holds a NUL byte");
    return;
  }
  if (r->cur == r->field_max) {
    (void)fail(r, CP_ETOOBIG, "too long");
    return;
  }
  if (r->col < r->ncols) r->field[r->col][r->cur] = (char)b;
  r->cur++;
}

static void end_field(cli_csv *r) {
  if (r->col < r->ncols) {
    r->field[r->col][r->cur] = 0;
    r->len[r->col] = r->cur;
  }
  if (r->cur > 0) r->nonempty = 1;
  r->col++;
  r->cur = 0;
  r->state = S_START;
}

static void end_record(cli_csv *r) {
  end_field(r);
  size_t n = r->col;
  for (size_t i = n; i < r->ncols; i++) {
    r->field[i][0] = 0;
    r->len[i] = 0;
  }
  if (r->nonempty) {
    int rc = r->fn(r->ctx, r->rec_line, r->field, r->len, n);
    if (rc != 0) {
      r->rc = rc;
      r->err_line = r->rec_line;
      r->err_col = n;
      r->why[0] = 0;
      return;
    }
    r->rows++;
  }
  r->col = 0;
  r->in_rec = 0;
  r->nonempty = 0;
}

static void byte(cli_csv *r, uint8_t b) {
  /* A CR is a line end; a CR LF pair is one, counted at the LF. */
  if (r->prev_cr && b != '\n') r->line++;
  r->prev_cr = b == '\r';
  int eol = b == '\r' || b == '\n';
  if (!r->in_rec) {
    if (eol) goto next; /* a blank line, or the LF of a CR LF */
    r->in_rec = 1;
    r->rec_line = r->line;
  }
  switch (r->state) {
  case S_START:
    if (b == '"') r->state = S_QUOTED;
    else if (b == ',') end_field(r);
    else if (eol) end_record(r);
    else {
      put(r, b);
      r->state = S_PLAIN;
    }
    break;
  case S_PLAIN:
    if (b == ',') end_field(r);
    else if (eol) end_record(r);
    else if (b == '"') (void)fail(r, CP_ECORRUPT, "a quote inside an unquoted field");
    else put(r, b);
    break;
  case S_QUOTED:
    if (b == '"') r->state = S_QUOTE_SEEN;
    else put(r, b);
    break;
  default: /* S_QUOTE_SEEN */
    if (b == '"') {
      put(r, b);
      r->state = S_QUOTED;
    } else if (b == ',') {
      end_field(r);
    } else if (eol) {
      end_record(r);
    } else {
      (void)fail(r, CP_ECORRUPT, "text after a closing quote");
    }
    break;
  }
next:
  if (b == '\n') r->line++;
  r->offset++;
}

int cli_csv_init(cli_csv *r, size_t ncols, size_t field_max, cli_csv_row_fn fn, void *ctx) {
  memset(r, 0, sizeof *r);
  if (ncols == 0 || ncols > CLI_CSV_COLS_MAX) return CP_EINVAL;
  r->ncols = ncols;
  r->field_max = field_max;
  r->fn = fn;
  r->ctx = ctx;
  r->line = 1;
  for (size_t i = 0; i < ncols; i++)
    if ((r->field[i] = malloc(field_max + 1)) == NULL) {
      cli_csv_free(r);
      return CP_ENOMEM;
    }
  return CP_OK;
}

static const uint8_t utf8_bom[3] = {0xef, 0xbb, 0xbf};

/* The first bytes are held while they match a BOM; a whole BOM is dropped,
 * anything else is read as data. */
static void bom_release(cli_csv *r) {
  size_t n = r->nbom;
  r->nbom = 4; /* past the start for good */
  if (n < 3)
    for (size_t i = 0; i < n && r->rc == 0; i++) byte(r, r->bom[i]);
}

int cli_csv_feed(cli_csv *r, const void *buf, size_t n) {
  const uint8_t *p = buf;
  for (size_t i = 0; i < n && r->rc == 0; i++) {
    if (r->nbom < 3) {
      if (p[i] == utf8_bom[r->nbom]) {
        r->bom[r->nbom++] = p[i];
        if (r->nbom == 3) bom_release(r);
        continue;
      }
      bom_release(r);
      if (r->rc != 0) break;
    }
    byte(r, p[i]);
  }
  return r->rc;
}

int cli_csv_finish(cli_csv *r) {
  if (r->rc != 0) return r->rc;
  if (r->nbom < 3) bom_release(r);
  if (r->rc != 0) return r->rc;
  if (r->state == S_QUOTED) return fail(r, CP_ECORRUPT, "ends inside a quoted field");
  if (r->in_rec) end_record(r);
  return r->rc;
}

void cli_csv_free(cli_csv *r) {
  for (size_t i = 0; i < CLI_CSV_COLS_MAX; i++) {
    free(r->field[i]);
    r->field[i] = NULL;
  }
}
