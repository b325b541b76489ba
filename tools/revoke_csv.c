/*
 * credport CLI — revocations from a CSV file (`revoke --csv`), through the
 * shared CSV driver (csv_import.c): columns entry (the award's entry ID)
 * and reason, both required; every row in one transaction, or none.
 */
#include <string.h>

#include "cli.h"
#include "csv_import.h"

enum { COL_ENTRY, COL_REASON, NCOLS };
static const cli_csv_col revoke_cols[NCOLS] = {{"entry", 1}, {"reason", 1}};

static int revoke_row(cli_import *im, char *const *f, const size_t *flen, cp_entry *e,
                      const char **note) {
  uint8_t award[CP_HASH_BYTES];
  (void)note;
  if (cli_parse_hash(f[COL_ENTRY], award) != 0)
    return cli_import_fail(im, COL_ENTRY, "\"%s\" is not an entry ID (64 hex digits)",
                           f[COL_ENTRY]);
  if (flen[COL_REASON] == 0) return cli_import_fail(im, COL_REASON, "the reason is empty%s", "");
  return cli_revoke_fill(e, award, (cp_str){f[COL_REASON], flen[COL_REASON]});
}

/* The encoder names the reason when its text is refused; every rule the
 * writer checks (an award of this log, not yet revoked) is about the ID. */
static size_t revoke_col(cli_import *im, int rc, const cp_diag *d) {
  (void)im;
  (void)rc;
  return strncmp(d->msg, "revoke.reason", 13) == 0 ? COL_REASON : COL_ENTRY;
}

int cli_revoke_csv(cli *c, cp_store *s, const cp_key *k, const char *path, const char *columns,
                   uint64_t now, uint64_t *count) {
  cli_import im;
  memset(&im, 0, sizeof im);
  im.c = c;
  im.path = path;
  im.cols = revoke_cols;
  im.ncols = NCOLS;
  im.one = "revocation";
  im.many = "revocations";
  im.row = revoke_row;
  im.writer_col = revoke_col;
  return cli_import_run(&im, s, k, columns, now, count);
}
