/* credport CLI — the shared driver of the CSV commands (see csv_import.h). */
#include "csv_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CSV_BUF (1u << 16)

static const char *col_name(const cli_import *im, size_t k) {
  return k < im->ncols ? im->cols[k].name : "?";
}

static int fail_at(cli_import *im, uint64_t line, size_t col, const char *why) {
  char shown[400], what[640];
  const char *name = col_name(im, col);
  snprintf(what, sizeof what, "%s", why);
  cli_human_msg(what, sizeof what);
  if (col < im->ncols && strcmp(im->want[col], name) != 0)
    im->failed = cli_fail(im->c, "line %llu, column %s (\"%s\" in the file): %s; nothing was imported",
                          (unsigned long long)line, name,
                          cli_text(im->want[col], strlen(im->want[col]), shown, sizeof shown),
                          what);
  else
    im->failed = cli_fail(im->c, "line %llu, column %s: %s; nothing was imported",
                          (unsigned long long)line, name, what);
  return im->failed;
}

int cli_import_fail(cli_import *im, size_t col, const char *fmt, const char *val) {
  char what[600], shown[400];
  snprintf(what, sizeof what, fmt, val != NULL ? cli_text(val, strlen(val), shown, sizeof shown) : "");
  return fail_at(im, im->line, col, what);
}

static int fail_line(cli_import *im, uint64_t line, const char *what) {
  im->failed = cli_fail(im->c, "line %llu: %s; nothing was imported", (unsigned long long)line,
                        what);
  return im->failed;
}

/* --columns KNOWN=NAME,...: the header name of each known column. */
static int parse_columns(cli_import *im, const char *columns) {
  for (size_t k = 0; k < im->ncols; k++) im->want[k] = im->cols[k].name;
  if (columns == NULL) return CLI_OK;
  if ((im->colmap = strdup(columns)) == NULL) return cli_fail(im->c, "out of memory");
  int seen[CLI_CSV_COLS_MAX] = {0};
  for (char *p = im->colmap; p != NULL;) {
    char *next = strchr(p, ',');
    if (next != NULL) *next++ = 0;
    char *eq = strchr(p, '=');
    if (eq == NULL || eq == p || eq[1] == 0)
      return cli_usage(im->c, "--columns: \"%s\" is not KNOWN=NAME (e.g. credential=MC_ID)", p);
    *eq = 0;
    size_t k = 0;
    while (k < im->ncols && strcmp(im->cols[k].name, p) != 0) k++;
    if (k == im->ncols) {
      char list[300] = "";
      for (size_t j = 0; j < im->ncols; j++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", im->cols[j].name);
      }
      return cli_usage(im->c, "--columns: \"%s\" is not a column of this file (%s)", p, list);
    }
    if (seen[k]++) return cli_usage(im->c, "--columns: %s is mapped twice", p);
    im->want[k] = eq + 1;
    p = next;
  }
  return CLI_OK;
}

static int header(cli_import *im, char *const *f, const size_t *flen, size_t n) {
  char shown[400], what[700];
  int have[CLI_CSV_COLS_MAX] = {0};
  if (n > CLI_CSV_COLS_MAX) {
    snprintf(what, sizeof what, "the header has %zu columns, more than this file may have (%zu)",
             n, im->ncols);
    return fail_line(im, im->line, what);
  }
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (k < im->ncols && strcmp(im->want[k], f[i]) != 0) k++;
    cli_text(f[i], flen[i], shown, sizeof shown);
    if (k == im->ncols) {
      char list[300] = "";
      for (size_t j = 0; j < im->ncols; j++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", j ? "," : "", im->want[j]);
      }
      snprintf(what, sizeof what,
               "the header's column %zu, \"%s\", is not one this file may have (%s; "
               "--columns maps other names)",
               i + 1, shown, list);
      return fail_line(im, im->line, what);
    }
    if (have[k]++) {
      snprintf(what, sizeof what, "the header names column \"%s\" twice", shown);
      return fail_line(im, im->line, what);
    }
    im->map[i] = (int)k;
  }
  for (size_t k = 0; k < im->ncols; k++)
    if (im->cols[k].required && !have[k]) {
      snprintf(what, sizeof what, "the header has no column \"%s\"%s", im->want[k],
               strcmp(im->want[k], im->cols[k].name) == 0 ? "" : " (--columns)");
      return fail_line(im, im->line, what);
    }
  im->nfile = n;
  return CLI_OK;
}

/* After the appender refused: name the line of the add that failed (an
 * earlier row's when the writer found it) and the column. */
static int appender_fail(cli_import *im, int rc, const cp_diag *d) {
  size_t at = cp_appender_failed_at(im->a);
  uint64_t line = at < im->added ? im->lines[at] : im->line;
  uint64_t seq;
  uint8_t id[CP_HASH_BYTES];
  char what[700];
  const char *msg = d->msg[0] ? d->msg : cp_strerror(rc);
  if (cp_appender_duplicate(im->a, &seq, id)) {
    if (seq >= im->start_size && seq - im->start_size < im->added)
      snprintf(what, sizeof what,
               "repeats line %llu (the same credential, educator and earned date); "
               "--allow-duplicates imports it anyway",
               (unsigned long long)im->lines[seq - im->start_size]);
    else
      snprintf(what, sizeof what, "%s; --allow-duplicates imports it anyway", msg);
    return fail_line(im, line, what);
  }
  snprintf(what, sizeof what, "%s", msg);
  return fail_at(im, line, im->writer_col(im, rc, d), what);
}

static int data_row(cli_import *im, char *const *f, const size_t *flen, size_t n) {
  char *kf[CLI_CSV_COLS_MAX];
  size_t kl[CLI_CSV_COLS_MAX];
  static char empty[1] = "";
  if (n != im->nfile) {
    char what[120];
    snprintf(what, sizeof what, "%zu field%s, the header has %zu", n, n == 1 ? "" : "s",
             im->nfile);
    return fail_line(im, im->line, what);
  }
  for (size_t k = 0; k < im->ncols; k++) {
    kf[k] = empty;
    kl[k] = 0;
  }
  for (size_t i = 0; i < n; i++) {
    kf[im->map[i]] = f[i];
    kl[im->map[i]] = flen[i];
  }
  cp_entry e;
  const char *note = NULL;
  cp_diag d = {{0}};
  memset(&e, 0, sizeof e);
  if (im->row(im, kf, kl, &e, &note) != 0) return im->failed;
  if (im->added == im->caplines) {
    size_t cap = im->caplines ? 2 * im->caplines : 1024;
    uint64_t *v = realloc(im->lines, cap * sizeof *v);
    if (v == NULL) return im->failed = cli_fail(im->c, "out of memory");
    im->lines = v;
    im->caplines = cap;
  }
  im->lines[im->added] = im->line;
  int rc = cp_appender_add(im->a, &e, NULL, &d);
  if (rc != 0) return appender_fail(im, rc, &d);
  im->added++;
  if (im->c->dry_run) {
    size_t len;
    const uint8_t *buf = cp_appender_last(im->a, &len);
    cli_dry_add(im->c, &im->dry, buf, len, im->line, note);
  }
  return 0;
}

/* One record (cli_csv_row_fn): returns im->failed, non-zero once a row failed. */
static int on_record(void *ctx, uint64_t line, char *const *f, const size_t *flen, size_t n) {
  cli_import *im = ctx;
  im->line = line;
  if (im->nfile == 0) return header(im, f, flen, n);
  if (im->added >= CP_CSV_ROWS_MAX)
    return im->failed = cli_fail(im->c, "--csv: more than %u rows; nothing was imported",
                                 CP_CSV_ROWS_MAX);
  return data_row(im, f, flen, n);
}

/* The reader's refusal of a field (too long, NUL, quoting), as a row failure. */
static int reader_fail(cli_import *im, const cli_csv *r) {
  char why[200];
  if (r->rc == CP_ETOOBIG)
    snprintf(why, sizeof why, "longer than %u bytes", (unsigned)CP_STR_MAX);
  else
    snprintf(why, sizeof why, "%s", r->why);
  if (im->nfile == 0 || r->err_col >= im->nfile) {
    char what[260];
    snprintf(what, sizeof what, "field %zu: %s", r->err_col + 1, why);
    return fail_line(im, r->err_line, what);
  }
  return fail_at(im, r->err_line, (size_t)im->map[r->err_col], why);
}

int cli_import_run(cli_import *im, cp_store *s, const cp_key *k, const char *columns,
                   uint64_t now, uint64_t *count) {
  cli *c = im->c;
  cli_csv r;
  FILE *f = NULL;
  cp_diag d = {{0}};
  int st, have_reader = 0;
  char *buf = NULL;
  if ((st = parse_columns(im, columns)) != CLI_OK) goto out;
  if (cli_csv_init(&r, CLI_CSV_COLS_MAX, CP_STR_MAX, on_record, im) != 0) {
    st = cli_fail(c, "cannot initialise the CSV reader");
    goto out;
  }
  have_reader = 1;
  if ((buf = malloc(CSV_BUF)) == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  if ((f = fopen(im->path, "rb")) == NULL) {
    st = cli_fail(c, "--csv: cannot open %s: %s", im->path, strerror(errno));
    goto out;
  }
  int rc = cp_appender_begin(s, k, now, &im->a, &d);
  if (rc != 0) {
    st = cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  cp_appender_guard(im->a, c->guards);
  im->start_size = cp_appender_size(im->a);
  size_t n;
  while ((n = fread(buf, 1, CSV_BUF, f)) > 0)
    if (cli_csv_feed(&r, buf, n) != 0) break;
  if (r.rc == 0 && ferror(f)) {
    st = cli_fail(c, "--csv: cannot read %s; nothing was imported", im->path);
    goto out;
  }
  rc = r.rc == 0 ? cli_csv_finish(&r) : r.rc;
  if (im->failed) {
    st = im->failed;
    goto out;
  }
  if (rc != 0) {
    st = reader_fail(im, &r);
    goto out;
  }
  if (im->nfile == 0) {
    st = cli_fail(c, "--csv: %s is empty (it needs the header row)", im->path);
    goto out;
  }
  if (im->rows_done != NULL) im->rows_done(im);
  rc = c->dry_run ? cp_appender_rollback(im->a, &d) : cp_appender_finish(im->a, &d);
  if (rc != 0) {
    if (cp_appender_failed_at(im->a) < im->added || rc == CP_EDUPLICATE)
      st = appender_fail(im, rc, &d);
    else
      st = cli_fail(c, "commit failed, nothing imported: %s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  *count = im->added;
  if (c->dry_run) cli_dry_end(c, &im->dry, im->one, im->many);
  st = CLI_OK;
out:
  cp_appender_abort(im->a);
  im->a = NULL;
  if (have_reader) cli_csv_free(&r);
  if (f != NULL) fclose(f);
  free(buf);
  free(im->colmap);
  im->colmap = NULL;
  free(im->lines);
  im->lines = NULL;
  json_decref(im->dry.entries);
  im->dry.entries = NULL;
  return st;
}
