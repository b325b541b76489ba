/*
 * credport — text that displays as what it is (proto/text.c).
 *
 * A name or title that holds a line feed, a C1 control or a bidirectional
 * override can make a table row look like another row, or reorder what a
 * terminal shows. New entries refuse such characters where this node signs
 * (cp_entry_check_new, entry.h); entries received from other logs are
 * accepted as their signers wrote them (refusing them there would split the
 * ledger: docs/FORMATS.md, "Text in new entries"), so every human printer
 * escapes them with cp_text_escape.
 */
#ifndef CREDPORT_TEXT_H
#define CREDPORT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if code point c can make text display as something else: every C0
 * control (TAB and LF included), DEL, every C1 control (U+0080..U+009F),
 * the bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E and
 * U+2066..U+2069, and the separators U+2028 and U+2029. */
int cp_text_deceptive(uint32_t c);

/* Returns NULL when text[0, n) holds no deceptive character (TAB and LF
 * allowed when multiline is non-zero). Otherwise returns a static phrase
 * naming what was found ("bidirectional control", "line feed", ...); OUT:
 * *bad its byte offset, *cp its code point. The scan stops at the first
 * invalid UTF-8 sequence, which is the encoder's to refuse. text may be
 * NULL when n is 0. */
const char *cp_text_check_new(const char *text, size_t n, int multiline, size_t *bad,
                              uint32_t *cp) __attribute__((warn_unused_result, nonnull(4, 5)));

/* Escapes text[0, n) for human output: a backslash as "\\", LF, TAB and CR
 * as "\n", "\t", "\r", every other deceptive character as "\u{XXXX}" (hex
 * code point, at least 4 digits) and a byte that is not part of valid UTF-8
 * as "\x{XX}"; all else is copied. Writes whole pieces only (an escape or a
 * UTF-8 sequence is never cut), at most cap - 1 bytes and a NUL when
 * cap > 0; out may be NULL when cap is 0. Returns the length of the whole
 * escaped text, without the NUL (a result >= cap means it was cut). */
size_t cp_text_escape(const char *text, size_t n, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
