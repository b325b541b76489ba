/*
 * credport — proof documents (proto/proof.c): the JSON forms of inclusion
 * and consistency proofs, and C2SP tlog-proof text files.
 *
 * Inclusion JSON:   {"log":hex,"leaf_index":n,"tree_size":n,
 *                    "leaf_hash":base64,"hashes":[base64,...]}
 * Consistency JSON: {"log":hex,"old_size":a,"new_size":b,"old_root":base64,
 *                    "new_root":base64,"hashes":[base64,...]}
 * "log", "new_root" (and for consistency "old_root") are optional on parse;
 * any other member, a wrong type, a duplicate, or a misspelled member is
 * CP_ECORRUPT with the member named in d. Output is compact, members in the
 * order above.
 * Parsing also refuses members of both kinds in one object, integers
 * above 2^63-1, and texts over 16 KiB (CP_ETOOBIG); cp_proof_to_json
 * returns NULL for a size above 2^63-1.
 */
#ifndef CREDPORT_PROOF_H
#define CREDPORT_PROOF_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "sig.h"

typedef enum { CP_PROOF_INCLUSION = 1, CP_PROOF_CONSISTENCY = 2 } cp_proof_kind;

typedef struct cp_proof {
  cp_proof_kind kind;
  int has_log;
  uint8_t log[CP_PK_BYTES];
  /* inclusion */
  uint64_t leaf_index, tree_size;
  uint8_t leaf_hash[CP_HASH_BYTES];
  /* consistency */
  uint64_t old_size, new_size;
  int has_old_root, has_new_root;
  uint8_t old_root[CP_HASH_BYTES], new_root[CP_HASH_BYTES];
  /* both */
  size_t n;
  uint8_t hashes[CP_PROOF_HASHES_MAX][CP_HASH_BYTES];
} cp_proof;

/* Parses either kind (told apart by its members). */
int cp_proof_parse_json(const char *text, size_t len, cp_proof *p, cp_diag *d)
    __attribute__((warn_unused_result));
/* Returns a malloc'd NUL-terminated JSON text (no trailing newline), or NULL
 * on allocation failure. */
char *cp_proof_to_json(const cp_proof *p);

/* The longest tlog-proof file read or written: a note, a path of
 * CP_PROOF_HASHES_MAX hashes, the other lines and an extra of CP_STR_MAX. */
#define CP_TLOG_PROOF_MAX \
  (CP_NOTE_MAX + (CP_PROOF_HASHES_MAX + 4u) * 64u + ((CP_STR_MAX + 2u) / 3u) * 4u)

/* C2SP tlog-proof@v1 file: "c2sp.org/tlog-proof@v1", optional "extra <b64>"
 * line, "index N", the hashes one per line, a blank line, then a signed
 * checkpoint note (returned as a pointer/length into text). */
typedef struct cp_tlog_proof {
  uint64_t index;
  size_t n;
  uint8_t hashes[CP_PROOF_HASHES_MAX][CP_HASH_BYTES];
  int has_extra;
  uint8_t extra[CP_STR_MAX];
  size_t extra_len;
  const char *note;
  size_t note_len;
} cp_tlog_proof;

int cp_tlog_proof_parse(const char *text, size_t len, cp_tlog_proof *p, cp_diag *d)
    __attribute__((warn_unused_result));
/* Writes p as a tlog-proof file (the layout cp_tlog_proof_parse reads:
 * header, "extra" line when has_extra, "index N", one standard-base64 hash
 * per line, a blank line, then p->note verbatim) into out[0, cap); OUT:
 * *len. CP_ETOOBIG when it does not fit or p->n exceeds
 * CP_PROOF_HASHES_MAX; CP_EINVAL when the note is empty or does not end in
 * a newline. */
int cp_tlog_proof_format(const cp_tlog_proof *p, char *out, size_t cap, size_t *len)
    __attribute__((warn_unused_result, nonnull));

#endif
