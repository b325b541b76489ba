/*
 * credport — error codes.
 *
 * One negative error space, in separate ranges (as libuv and LMDB do):
 *   0            success
 *   -1 .. -4095  -errno, for system errors passed through unchanged
 *   -20000 ..    credport's own codes below
 * LMDB and libuv codes are translated at the node/ boundary and never
 * passed up raw.
 */
#ifndef CREDPORT_ERROR_H
#define CREDPORT_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CP_OK        = 0,
  CP_EBADSIG   = -20001, /* a signature did not verify */
  CP_ECORRUPT  = -20002, /* malformed encoding or corrupt record */
  CP_ETOOBIG   = -20003, /* input exceeded a declared limit */
  CP_EINVAL    = -20004, /* an argument is out of its domain */
  CP_ENOTFOUND = -20005, /* no such entry, log, key or record */
  CP_EEXIST    = -20006, /* the thing to be created already exists */
  CP_ECHAIN    = -20007, /* seq not contiguous or prev hash mismatch */
  CP_ETIME     = -20008, /* time before the previous entry or too far ahead */
  CP_ERULE     = -20009, /* an entry breaks a body validation rule */
  CP_EFORK     = -20010, /* equivocation: two entries at one seq */
  CP_EFORKED   = -20011, /* the log is forked; nothing more is accepted */
  CP_EKEYFILE  = -20012, /* a key file is unsafe, truncated or malformed */
  CP_ESTORE    = -20013, /* the LMDB store failed (message says how) */
  CP_EMAPFULL  = -20014, /* the store reached its configured size */
  CP_EVERSION  = -20015, /* unsupported format or store version */
  CP_EPROOF    = -20016, /* a Merkle proof does not verify */
  CP_EAUDIT    = -20017, /* audit found a discrepancy */
  CP_ENOMEM    = -20018, /* allocation failed */
  CP_ERETIRED  = -20019, /* the log key was retired; nothing more accepted */
  CP_EPROTO    = -20020, /* a peer broke the sync protocol */
  CP_EDENIED   = -20021, /* a peer or key is not authorised */
  CP_EAGAIN    = -20022, /* not now: more input or output space is needed */
  CP_EPOLICY   = -20023, /* a policy document is invalid */
  CP_EOVERFLOW = -20024, /* integer arithmetic would overflow */
  CP_ENOSPC    = -20030, /* the disk holding the ledger is full (a local fault) */
  CP_EBEHIND   = -20031, /* the own log may be behind its partners' copy: sync first */
  CP_EDUPLICATE = -20040 /* an award repeats one already in the log (issuance guard) */
} cp_err;

/* Returns a static, human-readable description of err; never NULL. */
const char *cp_strerror(int err);

/* True for faults of this node itself (its disk, its ledger map, its
 * memory, its store), which no peer caused and which may clear by
 * themselves: they are never counted against a peer. */
int cp_err_local(int err);

/*
 * Diagnostic detail for errors that come from input: what was wrong and
 * where (a field name, a row, a byte offset). Functions that take a
 * cp_diag* accept NULL. On success the diag is left untouched.
 */
typedef struct cp_diag {
  char msg[320];
} cp_diag;

/* printf-style: writes into d->msg (if d is not NULL) and returns err. */
int cp_diag_set(cp_diag *d, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
