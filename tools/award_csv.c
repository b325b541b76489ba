/*
 * credport CLI — bulk awards from a CSV file, through the shared CSV driver
 * (csv_import.c). Columns: credential, educator, earned (required),
 * assessor, evidence_sha256 (optional, may be empty).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv_import.h"

enum { COL_CRED, COL_EDU, COL_EARNED, COL_ASSESSOR, COL_EVIDENCE, NCOLS };
static const cli_csv_col award_cols[NCOLS] = {
    {"credential", 1}, {"educator", 1}, {"earned", 1}, {"assessor", 0}, {"evidence_sha256", 0}};

#define CRED_CACHE 32
#define NEW_EDU_SHOWN 10

typedef struct {
  cp_reader *rd;        /* the store as it was before this import */
  int new_edu;          /* 0, 'w' or 'r' */
  uint64_t new_rows;
  struct {
    char id[CP_ID_MAX + 1];
    uint8_t entry[CP_HASH_BYTES];
    uint32_t defined;   /* UTC day the definition was written */
  } cache[CRED_CACHE];
  size_t ncache, next;
  char note[200];
} awardctx;

static int credential_of(cli_import *im, awardctx *x, const char *id, uint8_t out[CP_HASH_BYTES],
                         uint32_t *defined) {
  for (size_t i = 0; i < x->ncache; i++)
    if (strcmp(x->cache[i].id, id) == 0) {
      memcpy(out, x->cache[i].entry, CP_HASH_BYTES);
      *defined = x->cache[i].defined;
      return CP_OK;
    }
  const uint8_t *buf;
  size_t len;
  cp_entry def;
  int rc = cp_appender_credential(im->a, id, out);
  if (rc == 0) rc = cp_reader_entry_by_id(x->rd, out, &buf, &len);
  if (rc == 0) rc = cp_entry_decode(buf, len, &def, NULL);
  if (rc != 0) return rc;
  size_t slot = x->ncache < CRED_CACHE ? x->ncache++ : (x->next++ % CRED_CACHE);
  snprintf(x->cache[slot].id, sizeof x->cache[slot].id, "%s", id);
  memcpy(x->cache[slot].entry, out, CP_HASH_BYTES);
  x->cache[slot].defined = *defined = (uint32_t)(def.time / 86400u);
  return CP_OK;
}

static int stop_at_first(void *ctx, const uint8_t *buf, size_t len) {
  (void)buf;
  (void)len;
  *(int *)ctx = 1;
  return 1;
}

/* Educators no entry of any log held before this import names. */
static int check_new_educator(cli_import *im, awardctx *x, const uint8_t edu[CP_PK_BYTES],
                              const char *shown) {
  int seen = 0;
  int rc = cp_reader_by_educator(x->rd, edu, stop_at_first, &seen);
  if (rc != 0 && rc != 1) return cli_import_fail(im, COL_EDU, "cannot read the ledger: %s",
                                                 cp_strerror(rc));
  if (seen) return 0;
  if (x->new_edu == 'r')
    return cli_import_fail(im, COL_EDU,
                           "educator %s has never been seen on this node "
                           "(--new-educators refuse)", shown);
  if (x->new_rows++ < NEW_EDU_SHOWN)
    fprintf(stderr, "credport %s: warning: line %llu: educator %s has never been seen on this "
                    "node\n", im->c->cmd, (unsigned long long)im->line, shown);
  return 0;
}

static int award_row(cli_import *im, char *const *f, const size_t *flen, cp_entry *e,
                     const char **note) {
  awardctx *x = im->ctx;
  uint32_t defined = 0;
  e->type = CP_T_AWARD;
  if (credential_of(im, x, f[COL_CRED], e->u.award.credential, &defined) != 0)
    return cli_import_fail(im, COL_CRED, "no credential \"%s\" is defined in this log",
                           f[COL_CRED]);
  if (cli_parse_pubkey(f[COL_EDU], e->u.award.educator) != 0)
    return cli_import_fail(im, COL_EDU, "\"%s\" is not an educator key (" CLI_PUBKEY_FORMS ")",
                           f[COL_EDU]);
  if (x->new_edu && check_new_educator(im, x, e->u.award.educator, f[COL_EDU]) != 0)
    return im->failed;
  if (cp_date_parse(f[COL_EARNED], &e->u.award.earned) != 0)
    return cli_import_fail(im, COL_EARNED, "\"%s\" is not a date YYYY-MM-DD", f[COL_EARNED]);
  e->u.award.assessor = (cp_str){f[COL_ASSESSOR], flen[COL_ASSESSOR]};
  if (flen[COL_EVIDENCE] > 0) {
    if (cli_parse_hash(f[COL_EVIDENCE], e->u.award.evidence) != 0)
      return cli_import_fail(im, COL_EVIDENCE, "\"%s\" is not 64 hex digits", f[COL_EVIDENCE]);
    e->u.award.flags |= CP_AWARD_HAS_EVIDENCE;
  }
  if (e->u.award.earned < defined) {
    char d1[11], d2[11];
    cp_date_format(e->u.award.earned, d1);
    cp_date_format(defined, d2);
    snprintf(x->note, sizeof x->note, "earned %s, before credential %s was defined (%s)", d1,
             f[COL_CRED], d2);
    *note = x->note;
  }
  return 0;
}

/* The writer and the encoder name what they refused: an earned date in the
 * future, the assessor's text; anything else is about the credential. */
static size_t award_col(cli_import *im, int rc, const cp_diag *d) {
  (void)im;
  if (rc == CP_ETIME && strncmp(d->msg, "award.earned", 12) == 0) return COL_EARNED;
  if (strncmp(d->msg, "award.assessor", 14) == 0) return COL_ASSESSOR;
  return COL_CRED;
}

static void award_rows_done(cli_import *im) {
  awardctx *x = im->ctx;
  cp_reader_end(x->rd);
  x->rd = NULL;
}

int cli_award_csv(cli *c, cp_store *s, const cp_key *k, const char *path, const char *columns,
                  int new_edu, uint64_t now, uint64_t *count) {
  awardctx *x = calloc(1, sizeof *x);
  if (x == NULL) return cli_fail(c, "out of memory");
  cli_import im;
  memset(&im, 0, sizeof im);
  im.c = c;
  im.path = path;
  im.cols = award_cols;
  im.ncols = NCOLS;
  im.one = "award";
  im.many = "awards";
  im.row = award_row;
  im.writer_col = award_col;
  im.rows_done = award_rows_done;
  im.ctx = x;
  x->new_edu = new_edu;
  int st;
  int rc = cp_reader_begin(s, &x->rd);
  if (rc != 0) st = cli_fail(c, "cannot read the ledger: %s", cp_strerror(rc));
  else st = cli_import_run(&im, s, k, columns, now, count);
  if (st == CLI_OK && x->new_rows > NEW_EDU_SHOWN)
    fprintf(stderr, "credport %s: warning: %llu rows name educators never seen on this node "
                    "(the first %u are shown)\n", c->cmd, (unsigned long long)x->new_rows,
            NEW_EDU_SHOWN);
  cp_reader_end(x->rd);
  free(x);
  return st;
}
