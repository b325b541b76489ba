/* credport — entry layout tables shared by the codec (proto/entry.c) and
 * the tables themselves (proto/entry_layout.c). Private to proto/. */
#ifndef CP_PROTO_ENTRY_INTERNAL_H
#define CP_PROTO_ENTRY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "credport/entry.h"
#include "credport/text.h"
#include "text.h"

#define DATE_MAX 2932896U                /* 9999-12-31 */
#define HOURS_X100_MAX (100000U * 100U)  /* 100,000 contact hours */

enum {
  K_U8,      /* u8 in [lo, hi] */
  K_FLAGS,   /* u8, no bit outside hi */
  K_U32,     /* u32 in [lo, hi] */
  K_DATE,    /* u32 <= DATE_MAX; with lo = 1: 0 or >= the date at aux */
  K_H32,     /* 32 raw bytes */
  K_H32_OPT, /* 32 raw bytes, present iff (u8 at aux) & lo */
  K_H32_KEY, /* 32 raw bytes, all zero iff the u8 at aux is CP_KEY_RETIRE */
  K_STR,     /* str of class rule */
  K_LIST,    /* var count (stored as u32 at aux) <= hi, then non-empty strs */
  K_TOTALS,  /* var count 1..hi, then (str currency, i64) strictly ascending */
  K_FACTS    /* var count 1..hi, then (h32 log, u64 size >= 1, h32 root), logs
                strictly ascending; the bytes are borrowed (pointer at off) */
};

/* String classes: the length limit and what the bytes may be. */
enum { S_ID, S_STR, S_TEXT, S_DOC, S_ORIGIN, S_JURIS };
extern const uint32_t cp__str_limit[]; /* by string class */
extern const cp_text_class cp__str_class[];

typedef struct fld {
  const char *name;
  uint8_t kind, rule, nonempty;
  uint16_t off, aux; /* offsets into cp_entry */
  uint32_t lo, hi;
} fld;

typedef struct body {
  const char *name;
  const fld *f;
  size_t n;
} body;

/* The body of (version, type), or NULL if that version has none for it.
 * version and type must be in range (1..CP__ENTRY_TYPE_MAX). */
const body *cp__entry_body(unsigned version, unsigned type);
/* The type's name in every version (NULL for 0). */
const char *cp__entry_body_name(unsigned type);
#define CP__ENTRY_TYPE_MAX 11u

#endif
