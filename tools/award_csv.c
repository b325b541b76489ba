/*
 * credport CLI — bulk awards from a CSV file (RFC 4180, read by csv_read.c:
 * every field at most CP_STR_MAX bytes, bounded while it is read, no NUL).
 * Header row: credential,educator,earned,assessor,evidence_sha256 (the last
 * two columns may be empty). Every row is validated and appended inside one
 * transaction; the first bad row aborts it, naming row, column and reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv_read.h"

enum { COL_CRED, COL_EDU, COL_EARNED, COL_ASSESSOR, COL_EVIDENCE, NCOLS };
static const char *const col_names[NCOLS] = {"credential", "educator", "earned", "assessor",
                                             "evidence_sha256"};

#define CRED_CACHE 32
#define CSV_BUF (1u << 16)

typedef struct {
  cli *c;
  cp_appender *a;
  uint64_t row;         /* 1-based record of the current row (header = 1) */
  char *const *field;   /* the current record's fields, from the reader */
  const size_t *flen;
  int failed;           /* CLI status once a row failed */
  uint64_t added;
  struct {
    char id[CP_ID_MAX + 1];
    uint8_t entry[CP_HASH_BYTES];
  } cache[CRED_CACHE];
  size_t ncache, next;
} csvctx;

static int row_fail(csvctx *x, size_t col, const char *fmt, const char *val) {
  char what[300];
  snprintf(what, sizeof what, fmt, val);
  x->failed = cli_fail(x->c, "row %llu, column %s: %s; nothing was imported",
                       (unsigned long long)x->row, col < NCOLS ? col_names[col] : "?", what);
  return x->failed;
}

static int credential_of(csvctx *x, const char *id, uint8_t out[CP_HASH_BYTES]) {
  for (size_t i = 0; i < x->ncache; i++)
    if (strcmp(x->cache[i].id, id) == 0) {
      memcpy(out, x->cache[i].entry, CP_HASH_BYTES);
      return CP_OK;
    }
  int rc = cp_appender_credential(x->a, id, out);
  if (rc != 0) return rc;
  size_t slot = x->ncache < CRED_CACHE ? x->ncache++ : (x->next++ % CRED_CACHE);
  snprintf(x->cache[slot].id, sizeof x->cache[slot].id, "%s", id);
  memcpy(x->cache[slot].entry, out, CP_HASH_BYTES);
  return CP_OK;
}

static void add_row(csvctx *x, size_t ncol) {
  if (x->row == 1) {
    /* The header must name the columns, in this order. */
    for (size_t i = 0; i < NCOLS; i++)
      if (i >= ncol || strcmp(x->field[i], col_names[i]) != 0) {
        row_fail(x, i, "the header must be credential,educator,earned,assessor,"
                       "evidence_sha256 (found \"%s\")", i < ncol ? x->field[i] : "");
        return;
      }
    if (ncol != NCOLS) row_fail(x, NCOLS, "the header has extra columns%s", "");
    return;
  }
  if (ncol != NCOLS) {
    char n[64];
    snprintf(n, sizeof n, "%u fields, found %zu", (unsigned)NCOLS, ncol);
    row_fail(x, ncol < NCOLS ? ncol : NCOLS, "expected %s", n);
    return;
  }
  cp_entry e;
  cp_diag d = {{0}};
  memset(&e, 0, sizeof e);
  e.type = CP_T_AWARD;
  if (credential_of(x, x->field[COL_CRED], e.u.award.credential) != 0) {
    row_fail(x, COL_CRED, "no credential \"%s\" is defined in this log", x->field[COL_CRED]);
    return;
  }
  if (cli_parse_pubkey(x->field[COL_EDU], e.u.award.educator) != 0) {
    row_fail(x, COL_EDU, "\"%s\" is not a public key (64 hex digits or did:key)",
             x->field[COL_EDU]);
    return;
  }
  if (cp_date_parse(x->field[COL_EARNED], &e.u.award.earned) != 0) {
    row_fail(x, COL_EARNED, "\"%s\" is not a date YYYY-MM-DD", x->field[COL_EARNED]);
    return;
  }
  e.u.award.assessor = (cp_str){x->field[COL_ASSESSOR], x->flen[COL_ASSESSOR]};
  if (x->flen[COL_EVIDENCE] > 0) {
    if (cli_parse_hash(x->field[COL_EVIDENCE], e.u.award.evidence) != 0) {
      row_fail(x, COL_EVIDENCE, "\"%s\" is not 64 hex digits", x->field[COL_EVIDENCE]);
      return;
    }
    e.u.award.flags |= CP_AWARD_HAS_EVIDENCE;
  }
  int rc = cp_appender_add(x->a, &e, NULL, &d);
  if (rc != 0) {
    /* The failing entry may be an earlier row, found by the writer. The
     * encoder names the field it refused; every other field was checked
     * above, so only the assessor's text can be refused there (e.g.
     * "award.assessor at ..."); the writer's refusals name the credential. */
    x->row = cp_appender_failed_at(x->a) + 2;
    size_t col = strncmp(d.msg, "award.assessor", 14) == 0 ? COL_ASSESSOR : COL_CRED;
    row_fail(x, col, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
    return;
  }
  x->added++;
}

/* One record (cli_csv_row_fn): returns x->failed, non-zero once a row failed. */
static int on_record(void *ctx_, uint64_t row, char *const *field, const size_t *flen,
                     size_t ncol) {
  csvctx *x = ctx_;
  x->row = row;
  x->field = field;
  x->flen = flen;
  if (x->row > CP_CSV_ROWS_MAX) {
    x->failed = cli_fail(x->c, "--csv: more than %u rows; nothing was imported", CP_CSV_ROWS_MAX);
    return x->failed;
  }
  add_row(x, ncol);
  return x->failed;
}

/* The reader's refusal of a field (too long, NUL, quoting), as a row failure. */
static int reader_fail(csvctx *x, const cli_csv *r, const char *path) {
  char why[200];
  x->row = r->err_row;
  if (r->rc == CP_ETOOBIG)
    snprintf(why, sizeof why, "longer than %u bytes", (unsigned)CP_STR_MAX);
  else
    snprintf(why, sizeof why, "%s (%s)", r->why, path);
  return row_fail(x, r->err_col, "%s", why);
}

int cli_award_csv(cli *c, cp_store *s, const cp_key *k, const char *path, uint64_t now,
                  uint64_t *count) {
  cli_csv r;
  csvctx *x = calloc(1, sizeof *x);
  FILE *f = NULL;
  cp_diag d = {{0}};
  int st = CLI_OK, have_reader = 0;
  char *buf = NULL;
  if (x == NULL) return cli_fail(c, "out of memory");
  x->c = c;
  if (cli_csv_init(&r, NCOLS, CP_STR_MAX, on_record, x) != 0) {
    st = cli_fail(c, "cannot initialise the CSV reader");
    goto out;
  }
  have_reader = 1;
  if ((buf = malloc(CSV_BUF)) == NULL) {
    st = cli_fail(c, "out of memory");
    goto out;
  }
  if ((f = fopen(path, "rb")) == NULL) {
    st = cli_fail(c, "--csv: cannot open %s: %s", path, strerror(errno));
    goto out;
  }
  int rc = cp_appender_begin(s, k, now, &x->a, &d);
  if (rc != 0) {
    st = cli_fail(c, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
    goto out;
  }
  size_t n;
  while ((n = fread(buf, 1, CSV_BUF, f)) > 0)
    if (cli_csv_feed(&r, buf, n) != 0) break;
  if (r.rc == 0 && ferror(f)) {
    st = cli_fail(c, "--csv: cannot read %s; nothing was imported", path);
    goto out;
  }
  rc = r.rc == 0 ? cli_csv_finish(&r) : r.rc;
  if (x->failed) {
    st = x->failed;
    goto out;
  }
  if (rc != 0) {
    st = reader_fail(x, &r, path);
    goto out;
  }
  if (r.row == 0) {
    st = cli_fail(c, "--csv: %s is empty (it needs the header row)", path);
    goto out;
  }
  {
    size_t total = x->added;
    cp_appender *a = x->a;
    x->a = NULL;
    rc = cp_appender_finish(a, &d);
    if (rc != 0) {
      size_t at = cp_appender_failed_at(a);
      if (at < total) {
        x->row = at + 2;
        st = row_fail(x, COL_CRED, "%s", d.msg[0] ? d.msg : cp_strerror(rc));
      } else {
        st = cli_fail(c, "commit failed, nothing imported: %s", d.msg[0] ? d.msg : cp_strerror(rc));
      }
    }
    cp_appender_abort(a);
  }
  *count = x->added;
out:
  cp_appender_abort(x->a);
  if (have_reader) cli_csv_free(&r);
  if (f != NULL) fclose(f);
  free(buf);
  free(x);
  return st;
}
