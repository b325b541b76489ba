/*
 * credport CLI — a bounded CSV record reader (RFC 4180, as spreadsheets
 * write it).
 *
 * Bytes are pushed in any split; each complete record is handed to a
 * callback with its first `ncols` fields and the PHYSICAL line of the file
 * it starts on (1-based; a quoted line break inside a field moves the next
 * record's line on). What is accepted besides plain RFC 4180:
 *   - a UTF-8 byte order mark (EF BB BF) at the very start is skipped;
 *   - records end at LF, CRLF or a lone CR;
 *   - blank lines, and records whose every field is empty (a spreadsheet's
 *     empty row, ",,,,"), are skipped and never handed over; the lines they
 *     take still count.
 * Refused: a quote inside an unquoted field, text after a closing quote, a
 * field longer than `field_max` bytes (refused as soon as it is, so the
 * memory a file can make the reader hold is ncols * (field_max + 1) bytes,
 * whatever the file), a NUL byte, a quoted field the file ends inside.
 * Spaces are part of a field, never trimmed.
 * Errors name the line the record starts on and the 0-based column.
 */
#ifndef CP_TOOLS_CSV_READ_H
#define CP_TOOLS_CSV_READ_H

#include <stddef.h>
#include <stdint.h>

#include "credport/error.h"

#define CLI_CSV_COLS_MAX 16U

/* Called once per record: line is the physical line it starts on;
 * fields[i] (NUL-terminated, len[i] bytes, valid only during the call) for
 * i < min(n, ncols); n is the record's real field count. A non-zero return
 * stops the reader and is returned by cli_csv_feed / cli_csv_finish. */
typedef int (*cli_csv_row_fn)(void *ctx, uint64_t line, char *const *fields, const size_t *len,
                              size_t n);

typedef struct cli_csv {
  size_t ncols, field_max;
  cli_csv_row_fn fn;
  void *ctx;
  uint64_t rows;        /* records handed over */
  uint64_t line;        /* physical line of the next byte */
  uint64_t rec_line;    /* line the current record started on */
  uint64_t offset;      /* bytes consumed */
  size_t col;           /* fields completed in the current record */
  int state, in_rec, prev_cr, nonempty;
  uint8_t bom[3];       /* the first bytes while they may still be a BOM */
  size_t nbom;
  char *field[CLI_CSV_COLS_MAX];
  size_t len[CLI_CSV_COLS_MAX];
  size_t cur;           /* bytes of the field being read */
  int rc;               /* first error; sticky */
  uint64_t err_line;    /* where it was found, when rc != 0 */
  size_t err_col;
  char why[96];
} cli_csv;

/* ncols <= CLI_CSV_COLS_MAX. Returns CP_OK, CP_ENOMEM or CP_EINVAL. */
int cli_csv_init(cli_csv *r, size_t ncols, size_t field_max, cli_csv_row_fn fn, void *ctx)
    __attribute__((warn_unused_result));
/* Pushes n bytes. Returns CP_OK, the callback's code, or CP_ETOOBIG (a field
 * over field_max) / CP_ECORRUPT (a NUL byte, malformed quoting) with
 * err_line, err_col and why set. After an error every call returns it. */
int cli_csv_feed(cli_csv *r, const void *buf, size_t n) __attribute__((warn_unused_result));
/* Ends the input (a last record without a line end is delivered). */
int cli_csv_finish(cli_csv *r) __attribute__((warn_unused_result));
void cli_csv_free(cli_csv *r);

#endif
