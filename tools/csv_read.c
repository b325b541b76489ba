/* credport CLI — bounded CSV record reader (see csv_read.h). */
#include "csv_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(cli_csv *r, int rc, size_t col, const char *why) {
  if (r->rc != 0) return r->rc;
  r->rc = rc;
  r->err_row = r->row + 1;
  r->err_col = col;
  snprintf(r->why, sizeof r->why, "%s", why);
  return rc;
}

static void on_field(void *data, size_t len, void *ctx) {
  cli_csv *r = ctx;
  if (r->rc != 0) return;
  if (len > r->field_max) {
    (void)fail(r, CP_ETOOBIG, r->col, "too long");
    return;
  }
  if (len > 0 && memchr(data, 0, len) != NULL) {
    (void)fail(r, CP_ECORRUPT, r->col, "holds a NUL byte");
    return;
  }
  if (r->col < r->ncols) {
    if (len > 0) memcpy(r->field[r->col], data, len);
    r->field[r->col][len] = 0;
    r->len[r->col] = len;
  }
  r->col++;
}

static void on_record(int term, void *ctx) {
  cli_csv *r = ctx;
  (void)term;
  if (r->rc != 0) return;
  size_t n = r->col;
  for (size_t i = n; i < r->ncols; i++) {
    r->field[i][0] = 0;
    r->len[i] = 0;
  }
  int rc = r->fn(r->ctx, r->row + 1, r->field, r->len, n);
  if (rc != 0) {
    r->rc = rc;
    r->err_row = r->row + 1;
    r->err_col = n;
    r->why[0] = 0;
    return;
  }
  r->row++;
  r->col = 0;
}

/* RFC 4180: spaces are part of a field. libcsv would otherwise trim them,
 * holding trailing spaces in its buffer until the field ends; with none
 * trimmed, what it holds is exactly the field read so far. */
static int no_space(unsigned char c) {
  (void)c;
  return 0;
}

int cli_csv_init(cli_csv *r, size_t ncols, size_t field_max, cli_csv_row_fn fn, void *ctx) {
  memset(r, 0, sizeof *r);
  if (ncols == 0 || ncols > CLI_CSV_COLS_MAX) return CP_EINVAL;
  r->ncols = ncols;
  r->field_max = field_max;
  r->fn = fn;
  r->ctx = ctx;
  for (size_t i = 0; i < ncols; i++)
    if ((r->field[i] = malloc(field_max + 1)) == NULL) {
      cli_csv_free(r);
      return CP_ENOMEM;
    }
  if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    cli_csv_free(r);
    return CP_ENOMEM;
  }
  csv_set_space_func(&r->p, no_space);
  return CP_OK;
}

/* libcsv holds the field being read in entry_buf[0..entry_pos): its bytes
 * so far (a doubled quote counted once), plus a quoted field's closing
 * quote until the next byte shows it is not the first of a doubled one.
 * So a field is over the limit once more than field_max + 1 bytes are
 * held; on_field checks the exact length when the field ends. */
static int check_partial(cli_csv *r) {
  if (r->p.entry_pos > r->field_max + 1) return fail(r, CP_ETOOBIG, r->col, "too long");
  return CP_OK;
}

static int parse_error(cli_csv *r) {
  char why[96];
  snprintf(why, sizeof why, "%s", csv_strerror(csv_error(&r->p)));
  return fail(r, CP_ECORRUPT, r->col, why);
}

int cli_csv_feed(cli_csv *r, const void *buf, size_t n) {
  const char *p = buf;
  while (r->rc == 0 && n > 0) {
    size_t step = n < CLI_CSV_STEP ? n : CLI_CSV_STEP;
    if (csv_parse(&r->p, p, step, on_field, on_record, r) != step && r->rc == 0)
      return parse_error(r);
    if (r->rc == 0 && check_partial(r) != 0) break;
    p += step;
    n -= step;
  }
  return r->rc;
}

int cli_csv_finish(cli_csv *r) {
  if (r->rc != 0) return r->rc;
  if (csv_fini(&r->p, on_field, on_record, r) != 0 && r->rc == 0)
    return fail(r, CP_ECORRUPT, r->col, "ends inside a quoted field");
  return r->rc;
}

void cli_csv_free(cli_csv *r) {
  csv_free(&r->p);
  for (size_t i = 0; i < CLI_CSV_COLS_MAX; i++) {
    free(r->field[i]);
    r->field[i] = NULL;
  }
}
