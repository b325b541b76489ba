/*
 * credport CLI — the shared driver of the CSV commands (`award --csv`,
 * `revoke --csv`): one transaction for the whole file, or nothing.
 *
 * The header row names the columns, in any order; each must be one the
 * command knows (or the file's name for it given by --columns KNOWN=NAME,...),
 * each at most once, and every required one present: an extra or unknown
 * column is refused by name. Every data row has as many fields as the
 * header. Each row becomes one entry (the command's row function), signed
 * and added to one appender; any refusal, by the row function, the
 * appender or its writer (which may find a rule broken by an earlier row),
 * names the physical line and the column, and nothing is written. With
 * --dry-run every entry is signed and checked the same way, shown, and the
 * transaction is rolled back.
 */
#ifndef CP_TOOLS_CSV_IMPORT_H
#define CP_TOOLS_CSV_IMPORT_H

#include "cli.h"
#include "csv_read.h"

typedef struct cli_csv_col {
  const char *name;
  int required;
} cli_csv_col;

typedef struct cli_import cli_import;

/* Fills e->type and e->u from one data row: f[k] (flen[k] bytes) is the
 * field of known column k, "" when the file has no such column. May set
 * *note (a remark a dry run shows beside the entry, in storage that lasts
 * until the next row). Returns 0, or the status of cli_import_fail. */
typedef int (*cli_import_row_fn)(cli_import *im, char *const *f, const size_t *flen, cp_entry *e,
                                 const char **note);
/* The known column a refusal by the appender or its writer is about. */
typedef size_t (*cli_import_col_fn)(cli_import *im, int rc, const cp_diag *d);

struct cli_import {
  /* Set by the command. */
  cli *c;
  const char *path;
  const cli_csv_col *cols;
  size_t ncols;                 /* <= CLI_CSV_COLS_MAX */
  const char *one, *many;       /* what an entry is: "award", "awards" */
  cli_import_row_fn row;
  cli_import_col_fn writer_col;
  /* Called (if not NULL) once the last row is in, before the commit: a
   * read transaction the command holds must end there, or it pins the pages
   * the commit and the index merges after it free, and the store grows. */
  void (*rows_done)(cli_import *im);
  void *ctx;
  /* Valid while the row function runs. */
  cp_appender *a;
  uint64_t line;                /* physical line of the current row */
  /* The driver's own. */
  char *colmap;                 /* the --columns text, split in place */
  const char *want[CLI_CSV_COLS_MAX];   /* the header name of each known column */
  int map[CLI_CSV_COLS_MAX];    /* file column -> known column */
  size_t nfile;                 /* fields of the header */
  int failed;
  uint64_t start_size, added;
  uint64_t *lines;              /* line of each entry added, by add number */
  size_t caplines;
  cli_dry dry;
};

/* Prints "line L, column NAME: WHAT; nothing was imported" (fmt/val as in
 * snprintf with one string) and returns the failure status. */
int cli_import_fail(cli_import *im, size_t col, const char *fmt, const char *val);
/* Runs the import of im->path into the own log (key k), with c->guards and
 * c->dry_run. columns: the --columns text or NULL. OUT: count, the entries
 * written (or that a dry run would write). */
int cli_import_run(cli_import *im, cp_store *s, const cp_key *k, const char *columns,
                   uint64_t now, uint64_t *count);

#endif
