/*
 * credport — text checks shared by proto/ encoders and decoders
 * (proto/text.c). Internal to proto/; not part of the public API.
 */
#ifndef CP_PROTO_TEXT_H
#define CP_PROTO_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Every class is valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF) with no NUL and no C0 control other than TAB and LF;
 * the classes other than CP_TEXT_ANY restrict it further. */
typedef enum {
  CP_TEXT_ANY = 0,
  CP_TEXT_ID,          /* only A-Z a-z 0-9 . _ : - */
  CP_TEXT_NOTE_NAME,   /* a signed-note key name: no '+', no Unicode
                          White_Space, no DEL or C1 control */
  CP_TEXT_JURISDICTION /* "CC", or "CC-" and 1 to 3 of A-Z 0-9 */
} cp_text_class;

/* Returns NULL if p[0, n) is text of class cls. Otherwise returns a static
 * phrase saying what is wrong, and *bad gets the offset within p of the
 * offending byte. p may be NULL when n is 0. Reads each byte once. */
const char *cp__enc_text_check(const uint8_t *p, size_t n, cp_text_class cls, size_t *bad)
    __attribute__((warn_unused_result));

#endif
