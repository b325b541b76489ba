/*
 * credport — wallets and bundles (proto/bundle.c, proto/bundle_armor.c,
 * proto/bundle_present.c; docs/FORMATS.md "Wallets and bundles").
 *
 * A wallet is what a node exports for one educator: per log, its genesis
 * entry, its key entries, one signed checkpoint (with cosignature lines),
 * the revocation statement at that checkpoint's size, the educator's
 * awards, their credential definitions and the endorsements of those
 * credentials and issuers, with one multiproof per log proving every entry
 * against the log's checkpoint, and the revocation-tree leaves that bracket
 * its unrevoked awards with one multiproof proving them against the log's
 * revocation statement. A bundle is a subset of a wallet chosen by the
 * educator, with a challenge and an audience, signed by the educator's key
 * under the "credport/v1/bundle\0" domain over every byte before the
 * signature. Both share one canonical binary container:
 *
 *   off  size  field
 *   0    8     magic "credport"
 *   8    1     version (2)
 *   9    1     kind: 1 wallet, 2 bundle
 *   10   32    educator public key
 *   bundle only:
 *   42   4     challenge length c (1..CP_BUNDLE_CHALLENGE_MAX), c bytes of text
 *   ..   4     audience length a (1..CP_BUNDLE_AUDIENCE_MAX), a bytes of text
 *   ..   4     number of logs (1..CP_BUNDLE_LOGS_MAX), then per log,
 *              strictly ascending by log key:
 *         32    log key (the genesis key)
 *         4     note length (1..CP_NOTE_MAX), the checkpoint note
 *         4     statement length (0..CP_REVSTAT_MAX; 0: none held), the statement
 *         4     number of entries (1..CP_BUNDLE_ENTRIES_MAX), then per entry,
 *               strictly ascending by seq, the first the genesis (seq 0):
 *           4   entry length, the entry (docs/FORMATS.md "Entry encoding")
 *           awards only:
 *           1   status: 0 not revoked, 1 revoked, 2 unknown
 *         4     number of hashes (exactly cp_multiproof_count(checkpoint
 *               size, the entries' seqs)), then that many 32-byte hashes
 *         4     number of revocation-tree leaves r (0 without a statement
 *               or without status-0 awards), then per leaf, strictly
 *               ascending by index and by ID: 8 index (below the
 *               statement's count), 32 leaf ID; exactly the leaves that
 *               bracket the log's status-0 awards (R-rev-04), each once
 *         4     number of revocation hashes (exactly cp_multiproof_count(
 *               revocation count, the leaves' indexes); 0 when r is 0),
 *               then that many 32-byte hashes
 *   bundle only:
 *   n-64 64    Ed25519 signature by the educator key over
 *              "credport/v1/bundle\0" || bytes [0, n-64)
 *
 * All integers are big-endian. Nothing may follow.
 */
#ifndef CREDPORT_BUNDLE_H
#define CREDPORT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "hash.h"
#include "limits.h"
#include "multiproof.h"
#include "note.h"
#include "revstatus.h"
#include "sig.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CP_BUNDLE_MAGIC "credport"
#define CP_BUNDLE_MAGIC_BYTES 8U
#define CP_BUNDLE_VERSION 2U
/* One revocation-tree leaf record: u64 big-endian index, 32-byte ID. */
#define CP_BUNDLE_REV_LEAF_BYTES 40U

typedef enum { CP_BUNDLE_KIND_WALLET = 1, CP_BUNDLE_KIND_BUNDLE = 2 } cp_bundle_kind;

/* Revocation status of an award in the container. */
typedef enum {
  CP_AWARD_NOT_REVOKED = 0, /* shown absent from the log's revocation tree */
  CP_AWARD_REVOKED = 1,     /* revoked as of the checkpoint (wallets only) */
  CP_AWARD_UNKNOWN = 2      /* the log's statement was not held (wallets only) */
} cp_award_status;

/* One entry of a decoded container. Pointers borrow from the bytes the
 * container was decoded from (see cp_bundle). */
typedef struct cp_bundle_entry {
  const uint8_t *buf;          /* the whole encoded entry */
  size_t len;
  size_t log;                  /* index into cp_bundle.logs */
  uint64_t seq;                /* its leaf index in that log */
  uint8_t type;                /* cp_entry_type */
  uint8_t id[CP_HASH_BYTES];   /* entry ID = RFC 9162 leaf hash */
  uint8_t status;              /* awards: cp_award_status; others 0 */
  size_t offset;               /* byte offset of the entry's record in the container */
} cp_bundle_entry;

/* One log of a decoded container. */
typedef struct cp_bundle_log {
  uint8_t key[CP_PK_BYTES];    /* the log key (genesis key) */
  const char *note;            /* checkpoint note, not NUL-terminated */
  size_t note_len;
  cp_checkpoint cp;            /* its parsed body: origin, size, root (unverified) */
  const char *statement;       /* revocation statement text, NULL when none */
  size_t statement_len;
  size_t first, n;             /* its entries: entries[first .. first + n) */
  const uint8_t (*hashes)[CP_HASH_BYTES]; /* the multiproof */
  size_t nhashes;
  const uint8_t *rev_leaves;   /* nrev records of CP_BUNDLE_REV_LEAF_BYTES */
  size_t nrev;
  const uint8_t (*rev_hashes)[CP_HASH_BYTES]; /* their multiproof in the revocation tree */
  size_t nrev_hashes;
  /* Decoded only (ignored on encode): the statement's revocation count,
   * and rev_paths[0..nrev), each leaf's inclusion path implied by the
   * revocation multiproof (owned by the container; about 2 KiB a leaf). */
  uint64_t rev_count;
  cp_merkle_path *rev_paths;
  size_t offset;               /* byte offset of the log's record */
} cp_bundle_log;

/*
 * A decoded container (cp_bundle_decode), or the description of one to
 * encode (cp_bundle_encode). When decoded, every pointer borrows from the
 * input, or from `owned` when the input was armour; cp_bundle_free releases
 * logs, entries and owned. The signature check, the multiproof roots
 * against signed checkpoints and the absence proofs against signed
 * statements are the verifier's: decoding checks structure only.
 */
typedef struct cp_bundle {
  unsigned kind;                      /* cp_bundle_kind */
  uint8_t educator[CP_PK_BYTES];
  const char *challenge;              /* bundle only; not NUL-terminated */
  size_t challenge_len;
  const char *audience;               /* bundle only */
  size_t audience_len;
  cp_bundle_log *logs;
  size_t nlogs;
  cp_bundle_entry *entries;           /* grouped by log, in the logs' order */
  size_t nentries;
  const uint8_t *sig;                 /* bundle only: CP_SIG_BYTES */
  const uint8_t *bytes;               /* the binary container */
  size_t len;                         /* its length; the signed part is [0, len - 64) */
  uint8_t *owned;                     /* decoded armour, or NULL */
} cp_bundle;

/*
 * Decodes a wallet or a bundle, binary or armoured (detected by the first
 * bytes: the magic, or "-----BEGIN CREDPORT " after optional whitespace).
 * Strict: every count and length within its limit and within the bytes
 * left before anything is allocated, at most CP_BUNDLE_MAX bytes of binary,
 * logs and entries in canonical order with no duplicates, every entry
 * decoding strictly with its log key equal to the log's and its seq below
 * the checkpoint size, the genesis first, only authority, credential,
 * award, endorse and key entries, every award for the container's
 * educator, notes and statements parsing (cp_note_open_checkpoint's and
 * cp_revstat_parse's grammar), the hash count exactly the multiproof's,
 * revocation leaves strictly ascending by index and ID, each below the
 * statement's count and each bracketing (among the log's leaves) at least
 * one status-0 award, with at most two per such award, and their hash
 * count exactly their multiproof's, no trailing bytes. A bundle holds no revoked or unknown award and needs
 * a statement in every log that holds an award.
 * Errors: CP_ECORRUPT, CP_ETOOBIG or CP_EVERSION, d naming the field and
 * its byte offset ("log[1].entry[3] at byte 912: ..."; for armour, the
 * line); CP_ENOMEM. On error nothing needs freeing.
 */
int cp_bundle_decode(const uint8_t *in, size_t len, cp_bundle *b, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));
void cp_bundle_free(cp_bundle *b);

/* Recomputes log i's Merkle root from its entries' IDs and its multiproof
 * (cp_multiproof_root); the verifier compares it with the checkpoint's
 * root. CP_EINVAL for a bad index. */
int cp_bundle_log_root(const cp_bundle *b, size_t i, uint8_t root[CP_HASH_BYTES])
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* Entry i's R-rev-03 absence proof, assembled from its log's revocation
 * leaves: the nearest leaf below and above the award's ID among them (a
 * leaf equal to the ID is taken as the upper one, so the proof fails), and
 * each leaf's inclusion path implied by the log's revocation multiproof;
 * size is the statement's count. Whether the leaves are adjacent and the
 * paths lead to the statement's revocation root is cp_rev_verify_absent's
 * to say. CP_ENOTFOUND when the entry is not a status-0 award; CP_EPROOF
 * when the multiproof does not fit the leaves; CP_ENOMEM. */
int cp_bundle_absence(const cp_bundle *b, size_t i, cp_absence_proof *p, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3)));

/* Index of the entry whose ID is id, or CP_ENOTFOUND. */
int cp_bundle_find(const cp_bundle *b, const uint8_t id[CP_HASH_BYTES], size_t *i)
    __attribute__((warn_unused_result, nonnull(1, 2, 3)));

/*
 * One log's revocation leaves and their multiproof, made from the absence
 * proofs p[0..n) of its status-0 awards (all over the same tree of `size`
 * leaves, paths included): the proofs' leaves, each once, ascending, into
 * *leaves (malloc'd, *nrev records of CP_BUNDLE_REV_LEAF_BYTES) and their
 * multiproof into *hashes (malloc'd, *nh). Nothing (NULL, 0) when n or
 * size is 0. CP_EINVAL for proofs of another size, two proofs giving one
 * index different IDs or paths, or IDs not ascending with the indexes;
 * CP_ENOMEM. On error nothing needs freeing.
 */
int cp_bundle_rev_section(const cp_absence_proof *p, size_t n, uint64_t size, uint8_t **leaves,
                          size_t *nrev, uint8_t (**hashes)[CP_HASH_BYTES], size_t *nh)
    __attribute__((warn_unused_result, nonnull(4, 5, 6, 7)));

/*
 * Encodes the container b describes: kind, educator, (bundle) challenge
 * and audience, logs[0..nlogs) in strictly ascending key order, each with
 * note, statement (NULL for none), its entries entries[first..first+n)
 * (buf, len, status; the other fields are ignored and read from the
 * entry) in strictly ascending seq, its multiproof, its revocation leaves
 * (rev_leaves, nrev) and their multiproof (rev_hashes, nrev_hashes). Whatever the
 * decoder would refuse is refused (CP_EINVAL, or CP_ETOOBIG past a limit,
 * d naming it), so the output always decodes. For a bundle, signer signs
 * it and must be the educator's key (CP_EDENIED otherwise); for a wallet
 * signer is NULL. *out is malloc'd (the caller frees it).
 */
int cp_bundle_encode(const cp_bundle *b, const cp_key *signer, uint8_t **out, size_t *len,
                     cp_diag *d) __attribute__((warn_unused_result, nonnull(1, 3, 4)));

/*
 * Makes a bundle from a decoded wallet: the awards award_ids[0..n) (n = 0:
 * every award not revoked), their credential definitions, the wallet's
 * endorsements of those credentials and of their issuers, and for every
 * log involved its genesis and key entries, checkpoint, statement, a
 * multiproof for the chosen entries and the revocation leaves bracketing
 * the chosen awards with their multiproof (both derived from the
 * wallet's), signed
 * by educator over challenge and audience. Errors, nothing written:
 * CP_EDENIED when educator is not the wallet's educator, CP_ENOTFOUND for
 * an award the wallet lacks, CP_ERULE for a revoked award or one whose
 * status is unknown, CP_EINVAL for an empty or invalid challenge or
 * audience or a wallet with nothing to present; d names the award.
 */
int cp_bundle_present(const cp_bundle *wallet, const uint8_t (*award_ids)[CP_HASH_BYTES],
                      size_t n, const cp_key *educator, const char *challenge,
                      size_t challenge_len, const char *audience, size_t audience_len,
                      uint8_t **out, size_t *len, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 4, 5, 7, 9, 10)));

/*
 * ASCII armour:
 *   -----BEGIN CREDPORT BUNDLE-----     (WALLET for a wallet)
 *   base64 of the binary, 64 characters a line
 *   =XXXXXXXX                          base64 of SHA-256(binary)[0..6)
 *   -----END CREDPORT BUNDLE-----
 * Lines end in LF. On decode, CR before LF, spaces and tabs around any line
 * and blank lines are ignored; everything else must be exactly so (no text
 * before BEGIN or after END, data lines of base64 characters only, at most
 * 76 each, canonical base64 with padding only at the end, the checksum
 * matching, the label matching the container's kind).
 * cp_bundle_armor: *out malloc'd, NUL-terminated, *len excludes the NUL.
 */
#define CP_BUNDLE_ARMOR_LINE 64U
int cp_bundle_armor(const uint8_t *bin, size_t len, char **out, size_t *outlen)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));
/* Decodes armour into *bin (malloc'd). CP_ECORRUPT with d naming the line,
 * CP_ETOOBIG past CP_BUNDLE_ARMOR_MAX input or CP_BUNDLE_MAX binary. */
int cp_bundle_unarmor(const char *text, size_t len, uint8_t **bin, size_t *binlen, cp_diag *d)
    __attribute__((warn_unused_result, nonnull(1, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
