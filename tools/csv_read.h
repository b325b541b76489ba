/*
 * credport CLI — a bounded CSV record reader (RFC 4180, parsed by libcsv).
 *
 * Bytes are pushed in any split; each complete record is handed to a
 * callback with its first `ncols` fields. Every field is bounded while it
 * is read: the reader feeds libcsv at most CLI_CSV_STEP bytes at a time and
 * refuses a field as soon as it holds more than `field_max` bytes, so the
 * memory a file can make it hold is about field_max + CLI_CSV_STEP,
 * whatever the file. A NUL byte in a field is refused too (a C string would end there).
 * Spaces are part of a field (RFC 4180), never trimmed.
 * Errors name the record ("row", the header being row 1) and the column
 * (0-based index) of the offending field.
 */
#ifndef CP_TOOLS_CSV_READ_H
#define CP_TOOLS_CSV_READ_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "credport/error.h"

#define CLI_CSV_COLS_MAX 8U
#define CLI_CSV_STEP 512U

/* Called once per record: row is 1-based; fields[i] (NUL-terminated,
 * len[i] bytes, valid only during the call) for i < min(n, ncols); n is the
 * record's real field count. A non-zero return stops the reader and is
 * returned by cli_csv_feed / cli_csv_finish. */
typedef int (*cli_csv_row_fn)(void *ctx, uint64_t row, char *const *fields, const size_t *len,
                              size_t n);

typedef struct cli_csv {
  struct csv_parser p;
  size_t ncols, field_max;
  cli_csv_row_fn fn;
  void *ctx;
  uint64_t row;         /* records completed */
  size_t col;           /* fields completed in the current record */
  char *field[CLI_CSV_COLS_MAX];
  size_t len[CLI_CSV_COLS_MAX];
  int rc;               /* first error; sticky */
  uint64_t err_row;     /* where it was found, when rc != 0 */
  size_t err_col;
  char why[96];
} cli_csv;

/* ncols <= CLI_CSV_COLS_MAX. Returns CP_OK, CP_ENOMEM or CP_EINVAL. */
int cli_csv_init(cli_csv *r, size_t ncols, size_t field_max, cli_csv_row_fn fn, void *ctx)
    __attribute__((warn_unused_result));
/* Pushes n bytes. Returns CP_OK, the callback's code, or CP_ETOOBIG (a field
 * over field_max) / CP_ECORRUPT (a NUL byte, malformed quoting) with
 * err_row, err_col and why set. After an error every call returns it. */
int cli_csv_feed(cli_csv *r, const void *buf, size_t n) __attribute__((warn_unused_result));
/* Ends the input (a last record without a line end is delivered). */
int cli_csv_finish(cli_csv *r) __attribute__((warn_unused_result));
void cli_csv_free(cli_csv *r);

#endif
